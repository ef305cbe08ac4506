#!/bin/sh
# The Debian package on this machine (as root), as README "Debian" tells an
# operator to use it: build it from debian/ (dpkg-buildpackage, in a copy of
# the tree), lintian, `apt-get install ./certenroll_*.deb`, initialise a CA,
# template, role and user with the installed admin command, serve with the
# installed certenroll-serve behind nginx and enroll with curl; the
# installed units socket-activated (no systemd PID 1 here:
# tests/socket-activation-check.py) and verified (systemd-analyze); then
# remove (the state stays) and purge (nothing left).
#
# It installs into the system: it refuses to run where certenroll is
# installed already or its folders exist, and purges what it installed
# whatever happens.  Ends with "deb: N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0
check() {	# name, command...
	name=$1; shift
	if "$@" >"$work/out.log" 2>&1; then pass=$((pass + 1))
	else fail=$((fail + 1)); echo "FAILED: $name"; cat "$work/out.log"; fi
}
die() { echo "deb-check: $*" >&2; echo "deb: $pass passed, $((fail + 1)) failed"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (it installs the package)"
for t in dpkg-buildpackage dh lintian systemd-analyze curl openssl; do
	command -v "$t" >/dev/null || die "no $t (tools/install-deps.sh)"
done
if dpkg-query -W -f='${Status}' certenroll 2>/dev/null | grep -q installed ||
    [ -e /etc/certenroll ] || [ -e /var/lib/certenroll ]; then
	die "certenroll is installed here already (or /etc/certenroll,"\
	    "/var/lib/certenroll exist): not touching it"
fi
work=$(mktemp -d /tmp/certenroll-deb.XXXXXX)
chmod 0755 "$work"
web=/run/certenroll-web
apt_opts="-y -q -o DPkg::Lock::Timeout=300"
cleanup() {
	certenroll-serve stop --run "$web" >/dev/null 2>&1
	# shellcheck disable=SC2046
	[ ! -f "$work/units.pids" ] || kill -TERM $(cat "$work/units.pids") 2>/dev/null
	rm -rf "$web"
	if dpkg-query -W -f='${Status}' certenroll 2>/dev/null | grep -q installed; then
		# shellcheck disable=SC2086
		apt-get purge $apt_opts certenroll >/dev/null 2>&1 ||
		    echo "deb-check: could not purge certenroll" >&2
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Build from the tree as it is (committed or not), in a copy: the build
# cleans and rebuilds, which would touch the working tree's objects.
mkdir "$work/src"
git ls-files -co --exclude-standard -z | tar --null -T - -cf - |
    tar -C "$work/src" -xf - || die "copying the tree"
(cd "$work/src" && dpkg-buildpackage -us -uc -b -j2) >"$work/build.log" 2>&1 ||
    { tail -n 30 "$work/build.log"; die "dpkg-buildpackage failed"; }
deb=$(ls "$work"/certenroll_*.deb)
echo "built $(basename "$deb")"

# lintian: no error, no warning (each one accepted is an override with its
# reason, debian/certenroll.lintian-overrides).
lint() {
	lintian --fail-on error,warning "$work"/certenroll_*.changes
}
check "lintian" lint

# shellcheck disable=SC2086
apt-get install $apt_opts "$deb" >"$work/install.log" 2>&1 ||
    { tail -n 30 "$work/install.log"; die "apt-get install failed"; }
check "service user" id certenroll
owner() { [ "$(stat -c '%a %U %G' "$1")" = "$2" ]; }
check "data directory 0700" owner /var/lib/certenroll "700 certenroll certenroll"
check "sockets folder (tmpfiles.d)" owner /run/certenroll "750 certenroll www-data"
conffile() {
	dpkg-query -W -f='${Conffiles}\n' certenroll |
	    grep -q "^ /etc/certenroll/certenroll.conf "
}
check "certenroll.conf is a conffile" conffile
# Nothing enabled or started on install.
nothing_enabled() {
	for f in /etc/systemd/system/*.wants/certenroll*; do
		[ ! -e "$f" ] || { echo "enabled: $f"; return 1; }
	done
}
check "no unit enabled" nothing_enabled
check "man pages" man -w certenroll certenroll.conf certenroll-signer \
    certenroll-fcgi certenroll-serve certenroll-supervise
# The installed units verify (offline) and are as hardened as the README
# says.
check "installed units verify" tests/units-check.sh /lib/systemd/system

# The operator's steps (README "Debian"), as root.
{
	certenroll init &&
	certenroll ca create 'deb.example\DebCA' --key ECC-P-256 &&
	certenroll template add Web &&
	certenroll role add Enrollers --claim /certificates/enrollment/pfx/ &&
	certenroll user add alice --role Enrollers &&
	certenroll ca show DebCA > "$work/ca.pem"
} >"$work/init.log" 2>&1 || { cat "$work/init.log"; die "initialising failed"; }
check "state is the service user's" owner /var/lib/certenroll/dek.key \
    "600 certenroll certenroll"
# The agent as its unit runs it (one pass).
check "agent runs as the service user" setpriv --reuid certenroll \
    --regid certenroll --init-groups -- env \
    CERTENROLL_CONF=/etc/certenroll/certenroll.conf \
    CERTENROLL_DATA=/var/lib/certenroll certenroll agent --once
mkdir -p "$web"
printf 'alice:%s\n' "$(openssl passwd -apr1 deb-pass-123)" > "$work/htpasswd"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
certenroll-serve start --data /var/lib/certenroll --run "$web" \
    --port "$port" --htpasswd "$work/htpasswd" >"$work/serve.log" 2>&1 ||
    { cat "$work/serve.log"; die "certenroll-serve start failed"; }
check "the installed signer runs" test -S "$web/signer.sock"
enroll() {
	curl -sS --fail-with-body --cacert "$work/ca.pem" -u alice:deb-pass-123 \
	    -H 'x-keyfactor-requested-with: APIClient' \
	    -H 'x-certificateformat: PFX' -H 'content-type: application/json' \
	    -d '{"Subject":"CN=deb.example.com","Template":"Web","KeyType":"ECC","Password":"pfx-pass-123","Timestamp":"2026-12-07T10:00:00Z"}' \
	    "https://localhost:$port/KeyfactorAPI/Enrollment/PFX" > "$work/enroll.json" &&
	grep -q '"RequestDisposition":"ISSUED"' "$work/enroll.json" &&
	sed 's/.*"Pkcs12Blob":"\([^"]*\)".*/\1/' "$work/enroll.json" |
	    openssl base64 -d -A > "$work/cert.p12" &&
	openssl pkcs12 -in "$work/cert.p12" -passin pass:pfx-pass-123 -nokeys \
	    -clcerts | openssl verify -CAfile "$work/ca.pem"
}
check "enroll through nginx" enroll
check "wrong password refused" sh -c "curl -s -o /dev/null -w '%{http_code}' \
    --cacert '$work/ca.pem' -u alice:wrong https://localhost:$port/KeyfactorAPI/Templates |
    grep -qx 401"
certenroll-serve stop --run "$web" >/dev/null 2>&1
rm -rf "$web"
# The installed units' way: each program socket-activated as certenroll,
# certenroll.conf the installed one.
for prog in status enroll_pfx; do
	check "socket-activated $prog" /usr/bin/python3 \
	    tests/socket-activation-check.py / /lib/systemd/system "$prog" \
	    "$work/ca.pem" alice
done

# README "Debian" with systemd: the signer, every program's socket unit and
# the host's nginx with certenroll-serve nginx-conf's snippets.  No systemd
# here: the units' ExecStart= and sockets as systemd would make them
# (systemd-socket-activate; SocketUser=, SocketGroup=, SocketMode=).
# The web server's certificate (before signer_socket: the signer signs
# only for templates).
certenroll tls-cert --ca DebCA --cn localhost --dns localhost \
    --cert "$work/tls.crt" --key "$work/tls.key" >/dev/null ||
    die "certenroll tls-cert failed"
echo "signer_socket = /run/certenroll/signer.sock" >> /etc/certenroll/certenroll.conf
as_svc="setpriv --reuid certenroll --regid certenroll --init-groups --"
$as_svc certenroll-signer -d /var/lib/certenroll -s /run/certenroll/signer.sock \
    2>>"$work/units.log" &
echo $! > "$work/units.pids"
for bin in /usr/libexec/certenroll/*; do
	p=$(basename "$bin")
	# shellcheck disable=SC2086
	systemd-socket-activate -l "/run/certenroll/$p.sock" \
	    -E CERTENROLL_CONF=/etc/certenroll/certenroll.conf -- $as_svc "$bin" \
	    2>>"$work/units.log" &
	echo $! >> "$work/units.pids"
done
i=0
while [ $i -lt 50 ]; do
	n=0
	for bin in /usr/libexec/certenroll/* signer; do
		[ -S "/run/certenroll/$(basename "$bin").sock" ] || n=1
	done
	[ $n -eq 0 ] && break
	sleep 0.1; i=$((i + 1))
done
for bin in /usr/libexec/certenroll/*; do
	sock=/run/certenroll/$(basename "$bin").sock
	chown certenroll:www-data "$sock" && chmod 0660 "$sock"
done
certenroll-serve nginx-conf --out "$work/nginx" >/dev/null ||
    die "certenroll-serve nginx-conf failed"
chmod 0644 "$work/htpasswd"
# The README's server block in an nginx of its own (the host's nginx.conf
# is left alone), as Debian's runs: workers as www-data.
cat > "$work/nginx.conf" <<NGINX
user www-data;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { }
http {
    access_log off;
    client_body_temp_path $work/nginx-body;
    fastcgi_temp_path $work/nginx-fastcgi;
    include $work/nginx/maps.conf;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $work/tls.crt;
        ssl_certificate_key $work/tls.key;
        auth_basic \$ce_auth_realm;
        auth_basic_user_file $work/htpasswd;
        include $work/nginx/locations.conf;
    }
}
NGINX
nginx -c "$work/nginx.conf" -e "$work/nginx-error.log" >>"$work/units.log" 2>&1 ||
    { cat "$work/units.log"; die "nginx failed to start"; }
cat "$work/nginx.pid" >> "$work/units.pids"
check "enroll through the socket units" enroll
# Only the web server's group may reach the programs (tmpfiles.d's
# /run/certenroll 0750 certenroll:www-data): another user cannot ask one
# to act for any REMOTE_USER.
# (Connecting to a unix socket needs write permission on it and search
# permission on its folder.)
check "www-data may connect to the sockets" \
    setpriv --reuid www-data --regid www-data --init-groups -- \
    test -S /run/certenroll/status.sock -a -w /run/certenroll/status.sock
check "other users cannot reach the sockets" sh -c \
    "! setpriv --reuid nobody --regid nogroup --clear-groups -- \
         test -e /run/certenroll/status.sock"
signed() {
	grep "certenroll-signer\[audit\]" "$work/units.log" |
	    grep "action=sign" | grep -q "CN=deb.example.com" &&
	    ! grep -q "\[error\]" "$work/units.log"
}
check "the signer signed, nothing failed" signed
stop_units() {
	[ -f "$work/units.pids" ] || return 0
	# shellcheck disable=SC2046
	kill -TERM $(cat "$work/units.pids") 2>/dev/null
	sleep 0.5
	rm -f "$work/units.pids"
}
stop_units

# Installing again (an upgrade) keeps the edited certenroll.conf and the
# state.
# shellcheck disable=SC2086
apt-get install --reinstall $apt_opts "$deb" >"$work/reinstall.log" 2>&1 ||
    { tail -n 30 "$work/reinstall.log"; die "reinstalling failed"; }
check "reinstall keeps certenroll.conf and the state" sh -c \
    "grep -q '^signer_socket' /etc/certenroll/certenroll.conf &&
     certenroll ca list | grep -q DebCA"

# Remove keeps the state and the configuration; purge leaves nothing.
# shellcheck disable=SC2086
apt-get remove $apt_opts certenroll >"$work/remove.log" 2>&1 ||
    { cat "$work/remove.log"; die "apt-get remove failed"; }
check "remove keeps the state" test -f /var/lib/certenroll/dek.key -a \
    -f /etc/certenroll/certenroll.conf -a ! -e /usr/sbin/certenroll
# shellcheck disable=SC2086
apt-get purge $apt_opts certenroll >"$work/purge.log" 2>&1 ||
    { cat "$work/purge.log"; die "apt-get purge failed"; }
gone() {
	left=
	for f in /etc/certenroll /var/lib/certenroll /run/certenroll \
	    /usr/libexec/certenroll /usr/share/certenroll /usr/share/doc/certenroll \
	    /usr/lib/tmpfiles.d/certenroll.conf /usr/sbin/certenroll \
	    /lib/systemd/system/certenroll@.service; do
		[ -e "$f" ] && left="$left $f"
	done
	for f in /var/lib/systemd/deb-systemd-helper-enabled/*certenroll* \
	    /var/lib/systemd/deb-systemd-helper-masked/*certenroll*; do
		[ ! -e "$f" ] || left="$left $f"
	done
	dpkg-query -W -f='${Status}' certenroll 2>/dev/null | grep -q . &&
	    left="$left (dpkg still knows certenroll)"
	[ -z "$(echo "$left" | tr -d ' ')" ] || { echo "left:$left"; return 1; }
}
check "purge leaves nothing" gone
echo "deb: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
