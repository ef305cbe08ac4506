#!/bin/sh
# The README's promise: `make run` serves the API, its enroll line returns
# a PKCS#12 that openssl opens with the returned password, and revoke.sh
# sees that certificate revoked on its CRL and at its OCSP responder.
set -eu
cd "$(dirname "$0")/.."
rm -rf demo
trap 'tools/certenroll-serve stop --run demo/run >/dev/null 2>&1 || true' EXIT
tools/demo.sh > /dev/null
if demo/enroll.sh > demo/enroll.out 2>&1 && grep -q "enrolled:" demo/enroll.out
then
	if demo/revoke.sh > demo/revoke.out 2>&1 && grep -q "revoked:" demo/revoke.out
	then
		echo "demo: 2 passed, 0 failed"
	else
		cat demo/revoke.out
		echo "demo: 1 passed, 1 failed"
		exit 1
	fi
else
	cat demo/enroll.out
	echo "demo: 0 passed, 2 failed"
	exit 1
fi
