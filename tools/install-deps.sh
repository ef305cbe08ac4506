#!/bin/sh
# Installs the Debian packages certenroll builds, runs and tests with, when
# any is missing (needs root); chromium, its driver and selenium test the
# console (tests/integration/test_console.py).
set -eu
pkgs="build-essential pkg-config libfcgi-dev libjson-c-dev liblmdb-dev libpq-dev libpsl-dev
libssl-dev libcmocka-dev lmdb-utils nginx-light spawn-fcgi openssl curl
python3 python3-pytest python3-requests python3-cryptography python3-prometheus-client
apache2
apache2-utils libapache2-mod-fcgid unzip valgrind mandoc clang systemd
postgresql-15 golang-go golang-sslmate-src-go-pkcs12-dev debhelper lintian dpkg-dev
chromium chromium-driver python3-selenium fonts-dejavu-core"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
# The service user: the FastCGI programs, the signer and the agent run as
# certenroll; the web servers' workers as www-data (Debian's own).
service_user() {
	id certenroll >/dev/null 2>&1 && return 0
	[ "$(id -u)" -eq 0 ] || return 0
	useradd --system --user-group --home-dir /var/lib/certenroll \
	    --no-create-home --shell /usr/sbin/nologin certenroll
}
if [ -z "$missing" ]; then
	service_user
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing:$missing (run as root)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The packaged web servers start on install; certenroll runs its own.
service nginx stop >/dev/null 2>&1 || true
service apache2 stop >/dev/null 2>&1 || true
# So does PostgreSQL's main cluster; the tests start clusters of their own.
service postgresql stop >/dev/null 2>&1 || true
service_user
