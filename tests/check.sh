#!/bin/sh
# tests/check.sh - every test, as `make check` and CI run them, ending with
# one line "check: N passed, N failed" that sums the steps' own summaries.
#
#   FAST=1 tests/check.sh    skip the long steps (sanitizer integration run,
#                            fuzzing, soak)
set -u
cd "$(dirname "$0")/.." || exit 1
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
SOAK_SECONDS=${SOAK_SECONDS:-120}
log=$(mktemp -d /tmp/certenroll-check.XXXXXX)
passed=0 failed=0 steps_failed=0

# step NAME COMMAND...: runs it, shows its output, adds its summary line.
step() {
	name=$1; shift
	echo "== $name"
	"$@" > "$log/$name.out" 2>&1
	rc=$?
	tail -n 40 "$log/$name.out"
	line=$(grep -E '[0-9]+ passed' "$log/$name.out" | tail -n 1)
	p=$(echo "$line" | sed -n 's/.*[^0-9]\([0-9][0-9]*\) passed.*/\1/p;s/^\([0-9][0-9]*\) passed.*/\1/p' | head -n 1)
	f=$(echo "$line" | sed -n 's/.*[^0-9]\([0-9][0-9]*\) failed.*/\1/p' | head -n 1)
	[ -n "$p" ] || p=0
	[ -n "$f" ] || f=0
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	[ "$rc" -ne 0 ] && steps_failed=$((steps_failed + 1))
	passed=$((passed + p))
	failed=$((failed + f))
	echo "== $name: exit $rc ($p passed, $f failed)"
}

step unit make -s unit
step unit-drill make -s unit-drill
step unit-pg make -s unit-pg
step docs tests/docs-check.sh
step structure /usr/bin/python3 tests/structure-check.py
# The benchmark's programs still build (they are run by hand: bench/).
step bench-build make -s -f bench/Makefile
step integration tests/run-integration.sh
step demo tests/demo-check.sh
step install tests/install-check.sh
# The Debian package built, installed, used and purged (~1 minute).
step deb tests/deb-check.sh
step asan-unit make -s asan-unit
step valgrind-unit make -s valgrind-unit
if [ -z "${FAST:-}" ]; then
	step asan-cgi env CERTENROLL_WEB=nginx make -s asan-cgi
	step fuzz make -s fuzz-run FUZZ_SECONDS="$FUZZ_SECONDS"
	step soak env SOAK_SECONDS="$SOAK_SECONDS" /usr/bin/python3 -m pytest -q \
	    -s -p no:cacheprovider tests/integration/test_soak.py
	step kill env KILLS="${KILLS:-200}" /usr/bin/python3 -m pytest -q -s \
	    -p no:cacheprovider tests/integration/test_kill.py
	# The same kills with the state in PostgreSQL (a cluster the test
	# run starts): its leases and retried writes under kill -9.
	step kill-pg env CERTENROLL_DB=postgresql KILLS="${KILLS:-200}" \
	    /usr/bin/python3 -m pytest -q -s -p no:cacheprovider \
	    tests/integration/test_kill.py
fi
rm -rf "$log"
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$steps_failed" -eq 0 ]
