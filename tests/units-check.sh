#!/bin/sh
# The installed systemd units in UNITDIR verify (systemd-analyze verify,
# offline; the templates as the instance enroll_pfx) and are as hardened as
# README "Debian" says: each service's `systemd-analyze security` exposure
# level at most MAX (2.0, "OK").
#
#   units-check.sh [--staged] UNITDIR
#
# --staged: installed under a DESTDIR, so the programs are not at the paths
# the units name: that complaint alone is allowed.
set -eu
staged=
[ "${1:-}" = --staged ] && { staged=1; shift; }
src=$1
MAX=20	# systemd-analyze's --threshold: tenths of the printed level
command -v systemd-analyze >/dev/null || { echo "no systemd-analyze (package systemd)"; exit 1; }
u=$(mktemp -d /tmp/certenroll-units.XXXXXX)
trap 'rm -rf "$u"' EXIT
cp "$src"/certenroll*.service "$src"/certenroll*.socket "$u/"
mv "$u/certenroll@.service" "$u/certenroll@enroll_pfx.service"
mv "$u/certenroll@.socket" "$u/certenroll@enroll_pfx.socket"
cd "$u"
out=$(systemd-analyze verify --man=no ./*.service ./*.socket 2>&1 || true)
[ -z "$staged" ] || out=$(echo "$out" | grep -v "is not executable" || true)
if [ -n "$(echo "$out" | tr -d '[:space:]')" ]; then
	echo "systemd-analyze verify:"; echo "$out"; exit 1
fi
for s in ./*.service; do
	if ! systemd-analyze security --offline=yes --threshold=$MAX \
	    --no-pager "$s" > security.out 2>&1; then
		grep -E "✗|Overall" security.out | head -n 40
		echo "$s: exposure above $MAX/10"; exit 1
	fi
	grep "Overall exposure" security.out
done
