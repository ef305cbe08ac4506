#!/bin/sh
# The README's promise: `make run` serves the API and its enroll line returns
# a PKCS#12 that openssl opens with the returned password.
set -eu
cd "$(dirname "$0")/.."
rm -rf demo
trap 'tools/certenroll-serve stop --run demo/run >/dev/null 2>&1 || true' EXIT
tools/demo.sh > /dev/null
if demo/enroll.sh > demo/enroll.out 2>&1 && grep -q "enrolled:" demo/enroll.out
then
	echo "demo: 1 passed, 0 failed"
else
	cat demo/enroll.out
	echo "demo: 0 passed, 1 failed"
	exit 1
fi
