#!/bin/sh
# `make install DESTDIR=...` then run the installed programs from their
# installed paths: init a data directory, serve through nginx, enroll; and
# socket-activated as the systemd units configure it
# (tests/socket-activation-check.py).
# Also: the man pages render without warnings, and a second install keeps an
# edited configuration file.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
dest=$(mktemp -d /tmp/certenroll-install.XXXXXX)
chmod 755 "$dest"
pass=0 fail=0
check() {	# name, command...
	name=$1; shift
	if "$@" >"$dest/out.log" 2>&1; then pass=$((pass + 1))
	else fail=$((fail + 1)); echo "FAILED: $name"; cat "$dest/out.log"; fi
}
cleanup() {
	"$dest/usr/local/sbin/certenroll-serve" stop --run "$dest/run" \
	    >/dev/null 2>&1 || true
	rm -rf "$dest"
}
trap cleanup EXIT

make -s install DESTDIR="$dest" PREFIX=/usr/local SYSCONFDIR=/etc >/dev/null
p=$dest/usr/local
check "programs installed" test -x "$p/libexec/certenroll/enroll_pfx" -a \
    -x "$p/sbin/certenroll" -a -f "$p/lib/libcertenroll.a" -a \
    -f "$p/lib/systemd/system/certenroll@.service" -a \
    -f "$dest/etc/certenroll/certenroll.conf"
check "unit paths filled" grep -q "ExecStart=/usr/local/libexec/certenroll/%i" \
    "$p/lib/systemd/system/certenroll@.service"
for m in "$p"/share/man/man*/*; do
	check "mandoc $(basename "$m")" mandoc -Tlint -W warning "$m"
done
# The systemd units are valid and hardened (tests/units-check.sh; the
# programs are not at their final paths here).
check "systemd units verify" tests/units-check.sh --staged "$p/lib/systemd/system"
echo "# edited" >> "$dest/etc/certenroll/certenroll.conf"
make -s install DESTDIR="$dest" PREFIX=/usr/local SYSCONFDIR=/etc >/dev/null
check "config kept" grep -q "# edited" "$dest/etc/certenroll/certenroll.conf"

# Run the installed programs.
data=$dest/data
tool="$p/sbin/certenroll -d $data"
$tool init >/dev/null
$tool ca create 'inst.local\InstCA' --key ECC-P-256 >/dev/null
$tool template add Web >/dev/null
$tool role add R --claim /certificates/enrollment/pfx/ >/dev/null
$tool user add inst --role R >/dev/null
mkdir -p "$dest/run"
printf 'inst:%s\n' "$(openssl passwd -apr1 inst-pass-123)" > "$dest/run/htpasswd"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The installed certenroll-serve finds the installed programs, templates
# and signer by itself.
"$p/sbin/certenroll-serve" start --data "$data" --run "$dest/run" \
    --port "$port" --htpasswd "$dest/run/htpasswd" >/dev/null
$tool ca show InstCA > "$dest/ca.pem"
sleep 0.3
enroll() {
	curl -sS --cacert "$dest/ca.pem" -u inst:inst-pass-123 \
	    -H 'x-keyfactor-requested-with: APIClient' -H 'x-certificateformat: PFX' \
	    -H 'content-type: application/json' \
	    -d '{"Subject":"CN=inst.example.com","Template":"Web","KeyType":"ECC","Timestamp":"2026-11-25T10:00:00Z"}' \
	    "https://localhost:$port/KeyfactorAPI/Enrollment/PFX" | grep -q '"RequestDisposition":"ISSUED"'
}
check "installed programs enroll" enroll
check "installed signer started" test -S "$dest/run/signer.sock"
# The console from share/certenroll/console, beside the installed templates.
console() {
	cmp "$p/share/certenroll/console/app.js" console/app.js &&
	curl -sS --cacert "$dest/ca.pem" -u inst:inst-pass-123 \
	    "https://localhost:$port/console/app.js" | cmp - console/app.js
}
check "installed console served" console
# Socket activation as the installed units configure it (no systemd PID 1
# here: systemd-socket-activate), the data directory named in the installed
# certenroll.conf; FastCGI requests straight to the program's socket.
printf 'data_dir = %s\n' "$data" >> "$dest/etc/certenroll/certenroll.conf"
for prog in status enroll_pfx; do
	check "socket-activated $prog" /usr/bin/python3 \
	    tests/socket-activation-check.py "$dest" "$p/lib/systemd/system" \
	    "$prog" "$dest/ca.pem" inst
done
# The other hand-over than the unit's (a socket on standard input, as
# StandardInput=socket, inetd or spawn-fcgi give it) works as well.
check "socket on stdin" /usr/bin/python3 tests/socket-activation-check.py \
    --handover=stdin "$dest" "$p/lib/systemd/system" status
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
