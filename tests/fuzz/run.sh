#!/bin/sh
# Runs the libFuzzer harnesses built by `make fuzz`:
#   tests/fuzz/run.sh SECONDS [NAME ...]
# For each harness (all of build/fuzz/fuzz_* unless named): replays every
# input in tests/fuzz/regressions/<name>/ (past crashes: each must now run
# clean), then fuzzes for SECONDS from the seeds in tests/fuzz/corpus/<name>/
# plus what earlier runs found (build/fuzz/work/<name>/; the seeds are never
# written to), with tests/fuzz/dict/<name>.dict when there is one.  A crash,
# leak, sanitizer report, timeout or broken check is saved under
# build/fuzz/artifacts/<name>/ and shown.  Prints one line per harness with
# its executions, then "fuzz: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
secs=${1:-30}
[ $# -gt 0 ] && shift
case $secs in *[!0-9]*|'') echo "usage: $0 SECONDS [NAME ...]" >&2; exit 2 ;; esac
bindir=build/fuzz
if [ $# -eq 0 ]; then
	set --
	for b in "$bindir"/fuzz_*; do
		[ -x "$b" ] && set -- "$@" "${b#"$bindir"/fuzz_}"
	done
fi
[ $# -gt 0 ] || { echo "fuzz: no harnesses in $bindir (make fuzz)" >&2; exit 1; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# What went wrong with one input: the harness's own message or the
# sanitizer's, and the first frames in our code.
why() {
	"$1" -timeout=30 "$2" 2>&1 | grep -E 'check failed|runtime error|ERROR: |Assertion|SUMMARY|#[0-9]+ .* in .*[ /](lib|tests/fuzz)/[a-z0-9_]+\.c:' |
	    head -n 8 | sed 's/^/    /'
}

pass=0; fail=0
for n in "$@"; do
	bin=$bindir/fuzz_$n
	work=$bindir/work/$n
	art=$bindir/artifacts/$n
	log=$bindir/logs/$n.log
	ok=1
	if [ ! -x "$bin" ]; then
		echo "fuzz: $n: no $bin (make fuzz)"
		fail=$((fail + 1))
		continue
	fi
	mkdir -p "$work" "$art" "$bindir/logs"
	for f in tests/fuzz/regressions/"$n"/*; do
		[ -f "$f" ] || continue
		if ! "$bin" "$f" >"$log" 2>&1; then
			echo "fuzz: $n: regression $f still fails:"
			why "$bin" "$f"
			ok=0
		fi
	done
	seeds=tests/fuzz/corpus/$n
	[ -d "$seeds" ] || seeds=
	dict=tests/fuzz/dict/$n.dict
	[ -f "$dict" ] && dict=-dict=$dict || dict=
	# close_fd_mask=3 silences the library's log lines; libFuzzer and the
	# sanitizers keep reporting on a copy of stderr.
	"$bin" -max_total_time="$secs" -timeout=30 -print_final_stats=1 \
	    -close_fd_mask=3 -artifact_prefix="$art/" $dict "$work" $seeds \
	    >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	if [ -z "$execs" ]; then	# stopped early: its last status line
		execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
		rate=$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	fi
	printf 'fuzz: %-10s %12s executions %9s/s' "$n" "${execs:-0}" "${rate:-0}"
	if [ "$rc" -ne 0 ]; then
		a=$(sed -n "s/.*Test unit written to \(.*\)/\1/p" "$log" | tail -n 1)
		echo "  FAILED (exit $rc, input ${a:-not saved}; log $log)"
		[ -n "$a" ] && [ -f "$a" ] && why "$bin" "$a"
		ok=0
	else
		echo
	fi
	if [ $ok -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
