#!/bin/sh
# Runs the integration tests (real nginx, real programs) with Debian's
# python3 and its pytest, requests and cryptography.
cd "$(dirname "$0")/.." || exit 1
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration "$@"
