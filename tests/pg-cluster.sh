#!/bin/sh
# tests/pg-cluster.sh - a throwaway PostgreSQL 15 cluster for the tests.
#
#   tests/pg-cluster.sh start DIR   initdb in DIR/data (unless it is there:
#                                   then it is started again) and start it:
#                                   no TCP port, a unix socket in DIR; prints DIR
#   tests/pg-cluster.sh stop DIR    stop it (DIR stays; rm -rf it after)
#
# Local connections are trusted (only this machine's users reach the socket,
# and the tests are all of them).  The role certenroll may log in and create
# databases (each test service creates its own); it owns the database
# certenroll (the unit tests make a schema per test there).  As root the cluster runs as
# the postgres user (initdb refuses root).
set -eu
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}; dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	[ -x "$bin/initdb" ] || { echo "$0: no PostgreSQL 15 in $bin" >&2; exit 1; }
	if [ -f "$dir/data/PG_VERSION" ]; then
		as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
		    -o "-k $dir -c listen_addresses= -c max_connections=400" \
		    start >/dev/null
		echo "$dir"
		exit 0
	fi
	mkdir -p "$dir"
	chmod 0755 "$dir"
	[ "$(id -u)" -ne 0 ] || chown postgres "$dir"
	as_pg "$bin/initdb" -D "$dir/data" -E UTF8 --locale=C.UTF-8 \
	    --auth=trust -U postgres >"$dir/initdb.log" 2>&1 ||
	    { cat "$dir/initdb.log" >&2; exit 1; }
	# Each FastCGI worker, signer and agent holds connections of its own.
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
	    -o "-k $dir -c listen_addresses= -c max_connections=400" \
	    start >/dev/null
	as_pg "$bin/psql" -h "$dir" -U postgres -d postgres -qAt \
	    -v ON_ERROR_STOP=1 -c "CREATE ROLE certenroll LOGIN CREATEDB" \
	    -c "CREATE DATABASE certenroll OWNER certenroll" >/dev/null
	echo "$dir" ;;
stop)
	[ ! -f "$dir/data/postmaster.pid" ] ||
	    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null ;;
*)
	echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
