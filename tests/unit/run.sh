#!/bin/sh
# Runs each unit test program; prints one summary line of programs.
# UNIT_LABEL names the run (default "unit"): its summary line and, for any
# other label, the programs' logs (<test>.<label>.log).
label=${UNIT_LABEL:-unit}
suffix=.log
[ "$label" = unit ] || suffix=.$label.log
pass=0; fail=0
for t in "$@"; do
	if "$t" >"$t$suffix" 2>&1; then pass=$((pass + 1)); else
		fail=$((fail + 1)); echo "FAILED: $t"; cat "$t$suffix"; fi
done
echo "$label: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
