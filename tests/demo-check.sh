#!/bin/sh
# The README's promise: `make run` serves the API, its enroll line returns
# a PKCS#12 that openssl opens with the returned password, revoke.sh sees
# that certificate revoked on its CRL and at its OCSP responder,
# request.sh leaves a request waiting for approval, and the console's URL
# that make run prints serves the console to the demo login.
set -eu
cd "$(dirname "$0")/.."
rm -rf demo
out=$(mktemp /tmp/certenroll-demo.XXXXXX)
trap 'tools/certenroll-serve stop --run demo/run >/dev/null 2>&1 || true; rm -f "$out"' EXIT
tools/demo.sh > "$out" 2>&1 || { cat "$out"; echo "demo: 0 passed, 1 failed"; exit 1; }
pass=0 fail=0
check() {	# name, log, command...
	name=$1 log=$2; shift 2
	if "$@" > "$log" 2>&1; then pass=$((pass + 1))
	else fail=$((fail + 1)); cat "$log"; echo "FAILED: $name"; fi
}
console() {
	url=$(sed -n 's|.*\(https://localhost:[0-9]*/console/\).*|\1|p' "$out")
	[ -n "$url" ] || { echo "make run printed no console URL"; return 1; }
	curl -sS -D demo/console.head --cacert demo/ca.pem \
	    -u "demo:$(cat demo/password)" "$url" | grep -q "certenroll console" &&
	    grep -qi "^content-security-policy: .*script-src 'self'" demo/console.head
}
# each script's output, then whether it says what it should
says() {	# script, word
	"$1" && grep -q "$2" "$1.out"
}
check enroll demo/enroll.sh.out says demo/enroll.sh "enrolled:"
check revoke demo/revoke.sh.out says demo/revoke.sh "revoked:"
check request demo/request.sh.out says demo/request.sh "PENDING"
check console demo/console.out console
echo "demo: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
