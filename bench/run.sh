#!/usr/bin/env bash
# bench/run.sh - certenroll's throughput benchmark (issue #6), in one run on
# one machine with one load generator (wrk + the Lua scripts in bench/lua):
#
#   limit      bench/limit: an enrollment's cryptography in-process, no HTTP,
#              no LMDB, one process per core (ECC P-256 + PEM; RSA-2048 + PFX)
#   hello      the framework ceiling: bench/hello (libfcgi) under spawn-fcgi
#              -F 2 behind nginx/nginx.conf.in (same TLS + Basic auth)
#   cfssl      the peer: Debian's cfssl serve, POST /api/v1/cfssl/newcert
#              (ECDSA P-256 / RSA-2048 CA made by cfssl gencert -initca),
#              plain HTTP on loopback, no auth, nothing stored (its best
#              case); and ECDSA doing equal work: TLS and every certificate
#              in its SQLite certdb (bench/cfssl-certdb.sql, WAL, FULL)
#   certenroll tools/certenroll-serve (nginx, spawn-fcgi -F 2, fresh data
#              dir): ECC PEM enrollment, RSA PFX enrollment, GET
#              /Certificates/{id}, Deploy of STORE enrollments to a PEM store
#   postgresql the same three scenarios on PostgreSQL 15 (a cluster of the
#              run's own): through one host, then through two hosts sharing
#              the database (BENCH_PG=0 leaves them out)
#
# Usage: bench/run.sh [--quick] [--grow] [--pg-only] [--revoke-only] [--duration S] [--levels "1 4 16 64"]
#                     [--out DIR] [--keep] [--no-install] [--wait-idle MIN]
#   --quick       2 s per point (a smoke run, results in <date>-<host>-quick)
#   --pg-only     only the PostgreSQL scenarios (results.csv, no report)
#   --revoke-only only the revocation costs (revoke.csv, revoke.md)
#   --grow        cost as data grows instead: preload 10k and 100k
#                 certificates (GROW_SIZES) with bench/preload and re-measure
#                 ECC enrollment and GET at each size (grow.md, grow.csv)
#   --duration S  seconds per point (default 10)
#   --levels L    wrk concurrency levels (default "1 4 16 64")
#   --out DIR     results folder (default bench/results/<date>-<hostname>)
#   --keep        keep the scratch folder (data dirs, logs) for inspection
#   --no-install  do not apt-get install the bench-only packages
#   --wait-idle M on a shared machine: first wait (at most M minutes) until
#                 the 1-minute load average is below 1
# Writes results.md (table, targets), results.csv, plot.png, machine.txt.
# Every process it starts is stopped on exit (trap).  Scratch data lives in
# $BENCH_TMPDIR (default /var/tmp: a disk, so LMDB's fsync costs what it
# costs in production; a tmpfs would hide it).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

duration=10 levels="1 4 16 64" quick=0 grow=0 out= keep=0 install=1 idle=0
pg_only=0 revoke_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; duration=2 ;;
	--grow) grow=1 ;;
	--pg-only) pg_only=1 ;;
	--revoke-only) revoke_only=1 ;;
	--duration) duration=$2; shift ;;
	--levels) levels=$2; shift ;;
	--out) out=$2; shift ;;
	--keep) keep=1 ;;
	--no-install) install=0 ;;
	--wait-idle) idle=$2; shift ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
grow_sizes=${GROW_SIZES:-10000 100000}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "run.sh: $*"; exit 1; }

# --- bench-only packages (not the project's: tools/install-deps.sh) -------
bench_pkgs="wrk golang-cfssl sqlite3 gnuplot-nox eatmydata"
install_deps() {
	tools/install-deps.sh
	missing=
	for p in $bench_pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing:$missing (run as root)"
	log "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
[ $install -eq 0 ] || install_deps
for t in wrk cfssl gnuplot nginx spawn-fcgi curl python3 openssl; do
	command -v $t >/dev/null || die "$t is missing"
done

if [ "$idle" -gt 0 ]; then
	log "waiting for a load average below 1 (at most $idle min)"
	end=$(( $(date +%s) + idle * 60 ))
	while awk '{exit !($1 >= 1)}' /proc/loadavg && [ "$(date +%s)" -lt "$end" ]; do
		sleep 10
	done
	log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

log "building"
make -s all
make -s -f bench/Makefile

# --- scratch folder, cleanup ------------------------------------------------
tmp=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/certenroll-bench.XXXXXX")
chmod 755 "$tmp"	# nginx workers (nobody) reach the sockets
cfssl_pids= pg_dir=
cleanup() {
	rc=$?
	trap - EXIT
	trap "" INT TERM	# cleanup runs to its end
	for r in "$tmp/ce/run" "$tmp/hello/run" "$tmp/pg1/run" "$tmp/pg2/run"; do
		[ -d "$r" ] && tools/certenroll-serve stop --run "$r" 2>/dev/null
	done
	[ -z "$pg_dir" ] || tests/pg-cluster.sh stop "$pg_dir" 2>/dev/null
	for p in $cfssl_pids; do kill "$p" 2>/dev/null; done
	for p in $cfssl_pids; do wait "$p" 2>/dev/null; done
	if [ $keep -eq 1 ]; then log "scratch kept: $tmp"
	else rm -rf "$tmp"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits until url answers 2xx (at most 15 s).
wait_up() {	# url [curl args...]
	url=$1; shift
	for _ in $(seq 150); do
		curl -sf -o /dev/null "$@" "$url" && return 0
		sleep 0.1
	done
	die "$url did not come up"
}

# CPU ticks (user + system) of processes, to see them go idle.
ticks() {
	t=0
	for p in "$@"; do
		s=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
		set -- $s
		t=$((t + ${12} + ${13}))
	done
	echo $t
}
# Work a load point leaves behind (requests the backend accepted before the
# client closed: FastCGI programs and cfssl finish them) must not count in
# the next point: wait until the processes stop using CPU (at most 60 s).
drain() {	# pids...
	[ $# -gt 0 ] || return 0
	prev=$(ticks "$@")
	for _ in $(seq 300); do
		sleep 0.2
		cur=$(ticks "$@")
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
	done
	log "warning: backend still busy after 60 s"
}
pids_of_run() {	# rundir: every pid in its *.pid files
	cat "$1"/*.pid 2>/dev/null | tr '\n' ' '
}

# The store agent against what Deploy queues (issue #17), into drain.md:
# first every job the Deploy sweep left queued, drained by one timed pass
# (batches of 64 jobs, one inventory per store per batch); then Deploy
# sustained at 16 connections for 3 durations with the agent running beside
# it, the queue's length sampled each second: flat at the end when the
# agent keeps up.
queued_jobs() {	# datadir
	tools/certenroll -d "$1" job list | grep -c '"status":"scheduled"' || true
}
agent_drain() {	# datadir deploy-url
	local d=$1 url=$2 q0 q1 t0 t1 apid secs=$((duration * 3)) samples=
	log "agent drain"
	q0=$(queued_jobs "$d")
	t0=$(date +%s%N)
	tools/certenroll -d "$d" agent --once >/dev/null 2>&1 || die "agent pass failed"
	t1=$(date +%s%N)
	q1=$(queued_jobs "$d")
	(while :; do tools/certenroll -d "$d" agent --once >/dev/null 2>&1; sleep 0.2; done) &
	apid=$!
	(for _ in $(seq "$secs"); do sleep 1; queued_jobs "$d"; done) > "$tmp/queue.txt" &
	res=$(wrk -t 2 -c 16 -d "${secs}s" --timeout 60s -s bench/lua/deploy.lua "$url" |
	    grep '^RESULT' || true)
	wait $! 2>/dev/null || true
	kill "$apid" 2>/dev/null || true
	wait "$apid" 2>/dev/null || true
	samples=$(tr '\n' ' ' < "$tmp/queue.txt")
	{
		echo "# The store agent against Deploy"
		echo
		echo "| measure | value |"
		echo "|---|---|"
		echo "| jobs queued by the Deploy sweep | $q0 |"
		echo "| drained by one agent pass | $((q0 - q1)) in $(( (t1 - t0) / 1000000 )) ms: $(awk -v n=$((q0 - q1)) -v ns=$((t1 - t0)) 'BEGIN {printf "%.0f", (ns > 0 ? n / (ns / 1e9) : 0)}') jobs/s |"
		echo "| Deploy at 16 connections with the agent beside it | $(echo "$res" | sed -n 's/.* rps=\([^ ]*\).*/\1/p') req/s for ${secs} s |"
		echo "| queue length, each second | $samples |"
	} > "$out/drain.md"
	cat "$out/drain.md" >&2
}

# --- results ----------------------------------------------------------------
host=$(hostname -s 2>/dev/null || hostname)
if [ -z "$out" ]; then
	out=bench/results/$(date +%Y-%m-%d)-$host
	[ $quick -eq 0 ] || out=$out-quick
	[ $grow -eq 0 ] || out=$out-grow
	[ $pg_only -eq 0 ] || out=$out-pg
	[ $revoke_only -eq 0 ] || out=$out-revoke
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
csv=$out/results.csv
[ $grow -eq 1 ] && csv=$out/grow.csv
# load1: the 1-minute load average when the point ended (other work on the
# machine shows there: this run itself adds about 2-3).
echo "scenario,concurrency,seconds,requests,ok,rps,p50_ms,p99_ms,errors,transport,load1" > "$csv"

machine() {
	{
		echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "hostname: $host"
		echo "nproc: $(nproc)"
		echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
		echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
		echo "kernel: $(uname -srm)"
		echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
		echo "openssl: $(openssl version)"
		echo "nginx: $(nginx -v 2>&1 | sed 's/.*: //')"
		echo "wrk: $(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2)"
		echo "cfssl: $(cfssl version 2>&1 | tr '\n' ' ')"
		echo "spawn-fcgi: $(dpkg-query -W -f='${Version}' spawn-fcgi)"
		echo "lmdb: $(dpkg-query -W -f='${Version}' liblmdb0 2>/dev/null || echo '?')"
		echo "certenroll: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (work tree modified)')"
		echo "scratch filesystem: $(df -T "$tmp" | awk 'NR==2 {print $2, $1}')"
		# One 4 KiB write + fdatasync: what each durable LMDB commit pays
		# (twice: data pages, then the meta page).
		s=$(dd if=/dev/zero of="$tmp/sync.probe" bs=4k count=200 \
		    oflag=dsync 2>&1 | sed -n 's/.*copied, \([0-9.e-]*\) s.*/\1/p')
		echo "sync probe: $(awk -v s="${s:-0}" 'BEGIN {printf "%.2f", s * 1000 / 200}') ms per 4 KiB O_DSYNC write (dd, 200 writes)"
		rm -f "$tmp/sync.probe"
		echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "busiest other processes at start (pcpu comm):"
		ps -eo pcpu,comm --sort=-pcpu | sed -n '2,6p' | sed 's/^/    /'
		echo "points: $duration s each, concurrency $levels, wrk threads min(c, 2)"
	} > "$out/machine.txt"
}
machine

# One wrk point: scenario, concurrency, script, url, transport -> csv row.
point() {	# scenario c script url transport [seconds]
	sc=$1 c=$2 script=$3 url=$4 tr=$5 secs=${6:-$duration}
	th=$((c < 2 ? c : 2))
	res=$(wrk -t "$th" -c "$c" -d "${secs}s" --timeout 60s -s "$script" "$url" |
	    grep '^RESULT' || true)
	[ -n "$res" ] || die "$sc c=$c: wrk gave no result"
	v() { echo "$res" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
	errs=$(( $(v non2xx) + $(v connect) + $(v read) + $(v write) + $(v timeout) ))
	echo "$sc,$c,$(v seconds),$(v requests),$(v ok),$(v rps),$(v p50_ms),$(v p99_ms),$errs,$tr,$(cut -d' ' -f1 /proc/loadavg)" >> "$csv"
	log "  $sc c=$c: $(v rps) req/s, p50 $(v p50_ms) ms, p99 $(v p99_ms) ms, errors $errs"
}
# A sweep over the levels after a short unrecorded warm-up; drains the
# backend (pids) after each point.  RSA points (slow=1) last longer at high
# concurrency, duration * (1 + c/32): at ~10 RSA keys/s, 64 connections are
# several seconds of queued work (cfssl runs them all at once, so none ends
# before the whole batch does), and a short point would count only part of it.
sweep() {	# scenario script url transport slow pids...
	sc=$1 script=$2 url=$3 tr=$4 slow=$5; shift 5
	log "$sc"
	wrk -t 2 -c 4 -d "$([ $quick -eq 1 ] && echo 1 || echo 2)s" --timeout 60s \
	    -s "$script" "$url" >/dev/null
	drain "$@"
	for c in $levels; do
		secs=$duration
		[ "$slow" -eq 0 ] ||
		    secs=$(awk -v d="$duration" -v c="$c" 'BEGIN {printf "%d", d * (1 + c / 32) + 0.5}')
		point "$sc" "$c" "$script" "$url" "$tr" "$secs"
		drain "$@"
	done
}

# Two hosts at once: wrk against each with half the connections (c >= 2),
# the requests summed; p50 and p99 are the larger of the two.
point2() {	# scenario c script path
	sc=$1 c=$2 script=$3 path=$4
	half=$((c / 2))
	th=$((half < 2 ? half : 2))
	wpids=
	for h in 1 2; do
		eval "u=\$pg_url$h"
		wrk -t "$th" -c "$half" -d "${duration}s" --timeout 60s -s "$script" \
		    "$u$path" > "$tmp/wrk$h.out" &
		wpids="$wpids $!"
	done
	for p in $wpids; do wait "$p"; done
	res=$(cat "$tmp/wrk1.out" "$tmp/wrk2.out" | grep '^RESULT' || true)
	[ "$(echo "$res" | wc -l)" -eq 2 ] || die "$sc c=$c: wrk gave no result"
	v() { echo "$res" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
	sum() { v "$1" | awk '{s += $1} END {printf "%.2f", s}'; }
	maxv() { v "$1" | awk '$1 > m {m = $1} END {printf "%.2f", m}'; }
	errs=$(for k in non2xx connect read write timeout; do v $k; done | awk '{s += $1} END {print s}')
	echo "$sc,$c,$(maxv seconds),$(sum requests | cut -d. -f1),$(sum ok | cut -d. -f1),$(sum rps),$(maxv p50_ms),$(maxv p99_ms),$errs,https,$(cut -d' ' -f1 /proc/loadavg)" >> "$csv"
	log "  $sc c=$c: $(sum rps) req/s (2 hosts), p50 $(maxv p50_ms) ms, p99 $(maxv p99_ms) ms, errors $errs"
}
sweep2() {	# scenario script path pids...
	sc=$1 script=$2 path=$3; shift 3
	log "$sc"
	drain "$@"
	for c in $levels; do
		[ "$c" -ge 2 ] || continue
		point2 "$sc" "$c" "$script" "$path"
		drain "$@"
	done
}

# --- certenroll data directory (as tests/integration/conftest.py) -----------
user=bench
pass=bench-pass-$(openssl rand -hex 6)
export BENCH_AUTH=$(printf '%s:%s' "$user" "$pass" | base64 -w0)
export BENCH_PFX_PASSWORD=Bench-Pfx-Password-0123456789
export BENCH_ECC_CA='BenchEccCA' BENCH_RSA_CA='BenchRsaCA'
ecc_ca='bench.certenroll.test\BenchEccCA'
rsa_ca='bench.certenroll.test\BenchRsaCA'

setup_data() {	# dir
	t="tools/certenroll -d $1"
	$t init >/dev/null
	$t ca create "$ecc_ca" --key ECC-P-256 \
	    --subject 'CN=certenroll bench ECC CA,O=certenroll bench' >/dev/null
	$t ca create "$rsa_ca" --key RSA-2048 \
	    --subject 'CN=certenroll bench RSA CA,O=certenroll bench' >/dev/null
	$t template add WebServer --keys RSA-2048,ECC-P-256 --ca "$ecc_ca" \
	    --ca "$rsa_ca" --eku serverAuth,clientAuth >/dev/null
	$t role add Bench --claim /certificates/enrollment/pfx/ \
	    --claim /certificates/collections/read/ \
	    --claim /certificate_stores/schedule/ >/dev/null
	$t user add "$user" --role Bench >/dev/null
	# Deploy reuses a few STORE enrollments for the whole sweep; no agent
	# runs, so its jobs stay queued.
	$t setting set staging_lifetime 3600 >/dev/null
	$t setting set max_queued_jobs_per_user 1000000 >/dev/null
}

mkdir -p "$tmp/ce/run" "$tmp/hello/run/tls" "$tmp/cfssl"
printf '%s:%s\n' "$user" "$(openssl passwd -apr1 "$pass")" > "$tmp/htpasswd"
chmod 644 "$tmp/htpasswd"
log "creating the data directory"
setup_data "$tmp/ce/data"
tools/certenroll -d "$tmp/ce/data" ca show "$ecc_ca" > "$tmp/ecc-ca.pem"
ce_port=$(free_port)
ce_url=https://localhost:$ce_port
curl_ce() { curl -sS --cacert "$tmp/ecc-ca.pem" -H "Authorization: Basic $BENCH_AUTH" \
    -H 'x-keyfactor-requested-with: APIClient' "$@"; }

start_ce() {
	tools/certenroll-serve start --data "$tmp/ce/data" --run "$tmp/ce/run" \
	    --port "$ce_port" --htpasswd "$tmp/htpasswd" --workers 2 \
	    --ca "$ecc_ca"
	wait_up "$ce_url/health" --cacert "$tmp/ecc-ca.pem"
}
stop_ce() { tools/certenroll-serve stop --run "$tmp/ce/run"; }

# Peak RSS (VmHWM) of each FastCGI program: max over its processes, in MB.
rss_table() {	# rundir -> "program MB" lines
	for pf in "$1"/*.pid; do
		name=$(basename "$pf" .pid)
		[ "$name" = nginx ] && continue
		max=0 maxpid=
		for p in $(cat "$pf"); do
			kb=$(awk '/^VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
			[ "${kb:-0}" -gt "$max" ] && max=$kb && maxpid=$p
		done
		# Of that process, now: anonymous memory (heap, stacks) and file
		# pages (the binary, libraries and LMDB's read-only map of
		# data.mdb, which grows with the pages its reads touched).
		set -- $(awk '/^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {print a+0, f+0}' \
		    "/proc/${maxpid:-0}/status" 2>/dev/null || echo 0 0)
		awk -v n="$name" -v k="$max" -v a="$1" -v f="$2" \
		    'BEGIN {printf "%s %.1f %.1f %.1f\n", n, k/1024, a/1024, f/1024}'
	done
}

cert_count() { tools/certenroll -d "$1" cert list | wc -l; }
lmdb_line() {	# datadir -> "certs file_bytes used_bytes"
	n=$(cert_count "$1")
	f=$(stat -c %s "$1/db/data.mdb")
	u=$(mdb_stat -e "$1/db" | awk '/Page size/ {ps=$3} /Number of pages used/ {pu=$5} END {print ps*pu}')
	echo "$n $f $u"
}

# --- --grow: cost as data grows ---------------------------------------------
if [ $grow -eq 1 ]; then
	command -v eatmydata >/dev/null || die "eatmydata is missing"
	glevel=${GROW_LEVEL:-16}
	log "grow: sizes $grow_sizes, ECC PEM enrollment and GET at c=$glevel"
	start_ce
	echo "size,certs,file_bytes,used_bytes,preload_seconds" > "$out/grow-lmdb.csv"
	have=0
	for size in 0 $grow_sizes; do
		if [ "$size" -gt "$have" ]; then
			# The service stops while preloading (it would only
			# compete for the CPU) and starts afresh after.
			stop_ce
			log "grow: preloading $((size - have)) certificates"
			t0=$(date +%s.%N)
			eatmydata bench/preload -d "$tmp/ce/data" -c "$ecc_ca" \
			    -u "$user" -n $((size - have)) >/dev/null
			sync
			t1=$(date +%s.%N)
			start_ce
		else
			t0=0 t1=0
		fi
		set -- $(lmdb_line "$tmp/ce/data")
		have=$1
		echo "$size,$1,$2,$3,$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b-a}')" >> "$out/grow-lmdb.csv"
		pids=$(pids_of_run "$tmp/ce/run")
		drain $pids
		point "ecc-pem@$size" "$glevel" bench/lua/enroll_ecc_pem.lua \
		    "$ce_url/KeyfactorAPI/Enrollment/PFX" https
		drain $pids
		export BENCH_NCERTS=$(cert_count "$tmp/ce/data")
		point "get@$size" "$glevel" bench/lua/get_cert.lua "$ce_url/" https
		drain $pids
		set -- $(lmdb_line "$tmp/ce/data")
		have=$1
	done
	rss_table "$tmp/ce/run" > "$tmp/rss-grow"
	stop_ce
	{
		echo "# certenroll: cost as data grows ($(date -u +%Y-%m-%d), $host)"
		echo
		echo "Certificates preloaded with bench/preload (certdb_commit_issued, ECC"
		echo "P-256, under eatmydata), then ECC PEM enrollment and GET"
		echo "/Certificates/{random id} through nginx at concurrency $glevel, $duration s each."
		echo
		echo "| certificates before | ECC PEM req/s | p99 ms | GET req/s | p99 ms | data.mdb MB | bytes/cert (file) | bytes/cert (pages used) |"
		echo "|---|---|---|---|---|---|---|---|"
		tail -n +2 "$out/grow-lmdb.csv" | while IFS=, read -r size n f u _; do
			e=$(grep "^ecc-pem@$size," "$csv" | cut -d, -f6,8)
			g=$(grep "^get@$size," "$csv" | cut -d, -f6,8)
			awk -v n="$n" -v f="$f" -v u="$u" -v e="$e" -v g="$g" 'BEGIN {
			    split(e, E, ","); split(g, G, ",");
			    printf "| %d | %.0f | %.1f | %.0f | %.1f | %.1f | %.0f | %.0f |\n",
			    n, E[1], E[2], G[1], G[2], f/1048576, n ? f/n : 0, n ? u/n : 0 }'
		done
		echo
		echo "Memory of the programs at the end (VmHWM: peak; RssFile includes the"
		echo "touched pages of LMDB's read-only map of data.mdb):"
		echo
		echo "| program | VmHWM MB | RssAnon MB | RssFile MB |"
		echo "|---|---|---|---|"
		grep -E '^(enroll_pfx|certificates) ' "$tmp/rss-grow" |
		    awk '{printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4}'
		echo
		echo "1M certificates is not measured by default (GROW_SIZES=\"10000 100000 1000000\""
		echo "adds it; the preload alone then takes minutes and ~3 GB of LMDB)."
		echo "Machine: see machine.txt."
	} > "$out/grow.md"
	cat "$out/grow.md"
	exit 0
fi

ts() { date -u +%Y-%m-%dT%H:%M:%SZ; }
enroll_body() {	# keytype-fields ca
	echo "{\"Subject\":\"CN=check.bench.example.com\",\"Template\":\"WebServer\",\"CertificateAuthority\":\"$2\",$1,\"Password\":\"$BENCH_PFX_PASSWORD\",\"Timestamp\":\"$(ts)\"}"
}

# --pg-only: the PostgreSQL scenarios alone (section 5), results.csv only;
# --revoke-only: section 6 alone.
if [ $pg_only -eq 0 ] && [ $revoke_only -eq 0 ]; then
# --- 1. the limit -------------------------------------------------------------
log "limit (in-process, $(nproc) processes)"
# limit-ecc-plainkey: the same with an unencrypted PKCS#8 key (no PBKDF2), as
# cfssl hands keys out - not a certenroll scenario, a yardstick.
for alg in ecc ecc-plainkey rsa; do
	case $alg in
	ecc) l=$(bench/limit -s "$duration" ecc) ;;
	ecc-plainkey) l=$(bench/limit -s "$duration" -P ecc) ;;
	# RSA key generation time varies a lot from key to key: twice as long.
	rsa) l=$(bench/limit -s $((duration * 2)) rsa) ;;
	esac
	v() { echo "$l" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
	echo "limit-$alg,$(nproc),$(v seconds),$(v ops),$(v ops),$(v ops_per_s),$(v p50_ms),$(v p99_ms),0,in-process,$(cut -d' ' -f1 /proc/loadavg)" >> "$csv"
	log "  limit-$alg: $(v ops_per_s) ops/s, p50 $(v p50_ms) ms, p99 $(v p99_ms) ms"
done

# --- 2. the framework ceiling: hello behind the same nginx --------------------
hr=$tmp/hello/run
hello_port=$(free_port)
tools/certenroll -d "$tmp/ce/data" tls-cert --ca "$ecc_ca" --cn localhost \
    --dns localhost --ip 127.0.0.1 --cert "$hr/tls/server.crt" \
    --key "$hr/tls/server.key" >/dev/null
# nginx/nginx.conf.in, maps.conf.in, params.conf.in filled as
# tools/certenroll-serve fills them (no client CA, no trusted proxy); only
# the locations differ: one, to the hello responder.
# As root, the workers run as www-data (the socket is 0666 for them).
if [ "$(id -u)" -eq 0 ]; then rt='s/[[:space:]]*#?root$//'; else rt='/#?root$/d'; fi
fill() {
	sed -e '/#?client-cert$/d' -e '/#?trusted-proxy$/d' -e "$rt" \
	    -e "s|@USER@|www-data|g" -e "s|@GROUP@|www-data|g" \
	    -e "s|@LISTEN@|127.0.0.1|g" \
	    -e "s|@RUNDIR@|$hr|g" -e "s|@DATADIR@|$tmp/ce/data|g" \
	    -e "s|@PORT@|$hello_port|g" -e "s|@CONFDIR@|$top/nginx|g" \
	    -e "s|@HTPASSWD@|$tmp/htpasswd|g" \
	    -e "s|@CERTENROLL_CONF@|$hr/certenroll.conf|g" "$1" > "$2"
}
fill nginx/nginx.conf.in "$hr/nginx.conf"
fill nginx/maps.conf.in "$hr/maps.conf"
fill nginx/params.conf.in "$hr/params.conf"
: > "$hr/certenroll.conf"
cat > "$hr/locations.conf" <<EOF
location /KeyfactorAPI/ {
    include $hr/params.conf;
    fastcgi_pass unix:$hr/hello.sock;
}
EOF
spawn-fcgi -s "$hr/hello.sock" -M 0666 -F 2 -P "$hr/hello.pid" -- \
    "$top/bench/hello" >/dev/null
nginx -p "$hr" -c "$hr/nginx.conf" -e "$hr/nginx-error.log"
hello_url=https://localhost:$hello_port/KeyfactorAPI/Hello
wait_up "$hello_url" --cacert "$tmp/ecc-ca.pem" -u "$user:$pass"
sweep hello bench/lua/hello.lua "$hello_url" https 0 $(pids_of_run "$hr")
rss_table "$hr" > "$tmp/rss-hello"
tools/certenroll-serve stop --run "$hr"

# --- 3. the peer: cfssl serve ---------------------------------------------------
# cfssl doing the work certenroll does (issue #17): TLS (a P-256 server
# certificate from its own CA) and every certificate stored durably in its
# certdb, SQLite in WAL mode with synchronous FULL (bench/cfssl-certdb.sql:
# cfssl's tables; it stores serials with numeric affinity, as floats:
# cfssl's bug, shown in machine.txt).
cfssl_equal_work() {	# ca-dir newcert-body
	local d=$1 body=$2 port url pid
	(cd "$d" && echo '{"CN":"127.0.0.1","hosts":["127.0.0.1","localhost"],"key":{"algo":"ecdsa","size":256}}' |
	    cfssl gencert -ca ca.pem -ca-key ca-key.pem - 2>/dev/null | cfssljson -bare tls)
	sqlite3 "$d/certs.db" < bench/cfssl-certdb.sql
	[ "$(sqlite3 "$d/certs.db" 'PRAGMA journal_mode=WAL;')" = wal ] || die "certdb: no WAL"
	echo "{\"driver\":\"sqlite3\",\"data_source\":\"file:$d/certs.db?_synchronous=FULL&_journal_mode=WAL\"}" > "$d/db-config.json"
	port=$(free_port)
	cfssl serve -address 127.0.0.1 -port "$port" -ca "$d/ca.pem" \
	    -ca-key "$d/ca-key.pem" -tls-cert "$d/tls.pem" -tls-key "$d/tls-key.pem" \
	    -db-config "$d/db-config.json" > "$d/serve-tlsdb.log" 2>&1 &
	pid=$!
	cfssl_pids="$cfssl_pids $pid"
	url=https://127.0.0.1:$port/api/v1/cfssl/newcert
	for _ in $(seq 100); do
		curl -sfk -o /dev/null -d "$body" "$url" && break
		sleep 0.1
	done
	case $(curl -sfk -d "$body" "$url" || true) in
	*'"success":true'*) ;;
	*) die "cfssl newcert over TLS with its certdb failed" ;;
	esac
	sweep cfssl-ecc-tlsdb bench/lua/cfssl_newcert.lua "$url" https 0 "$pid"
	echo "cfssl certdb: $(sqlite3 "$d/certs.db" 'SELECT count(*) FROM certificates;') certificates stored, serial type $(sqlite3 "$d/certs.db" 'SELECT typeof(serial_number) FROM certificates LIMIT 1;')" >> "$out/machine.txt"
	kill "$pid"; wait "$pid" 2>/dev/null || true
	cfssl_pids=${cfssl_pids% $pid}
}

for alg in ecdsa:256 rsa:2048; do
	a=${alg%:*} s=${alg#*:}
	d=$tmp/cfssl/$a
	mkdir -p "$d"
	(cd "$d" && echo "{\"CN\":\"cfssl bench $a CA\",\"names\":[{\"O\":\"certenroll bench\"}],\"key\":{\"algo\":\"$a\",\"size\":$s}}" |
	    cfssl gencert -initca - 2>/dev/null | cfssljson -bare ca)
	port=$(free_port)
	cfssl serve -address 127.0.0.1 -port "$port" -ca "$d/ca.pem" \
	    -ca-key "$d/ca-key.pem" > "$d/serve.log" 2>&1 &
	pid=$!
	cfssl_pids="$cfssl_pids $pid"
	url=http://127.0.0.1:$port/api/v1/cfssl/newcert
	export BENCH_CFSSL_ALGO=$a BENCH_CFSSL_SIZE=$s
	body="{\"request\":{\"CN\":\"x.example.com\",\"hosts\":[\"x.example.com\"],\"key\":{\"algo\":\"$a\",\"size\":$s}}}"
	for _ in $(seq 100); do
		curl -sf -o /dev/null -d "$body" "$url" && break
		sleep 0.1
	done
	r=$(curl -sf -d "$body" "$url" || true)
	case $r in *'"success":true'*) ;; *) die "cfssl newcert ($a) failed: $r" ;; esac
	name=$([ "$a" = ecdsa ] && echo cfssl-ecc || echo cfssl-rsa)
	sweep "$name" bench/lua/cfssl_newcert.lua "$url" http "$([ "$a" = rsa ] && echo 1 || echo 0)" "$pid"
	kill "$pid"; wait "$pid" 2>/dev/null || true
	cfssl_pids=${cfssl_pids% $pid}
	[ "$a" = ecdsa ] && cfssl_equal_work "$d" "$body"
done

# --- 4. certenroll ------------------------------------------------------------
log "starting certenroll on port $ce_port"
start_ce
ce_pids=$(pids_of_run "$tmp/ce/run")
check_enroll() {	# format keyfields ca
	r=$(curl_ce -H "x-certificateformat: $1" -H 'content-type: application/json' \
	    -d "$(enroll_body "$2" "$3")" "$ce_url/KeyfactorAPI/Enrollment/PFX")
	[[ $r == *'"RequestDisposition":"ISSUED"'* ]] ||
	    die "enrollment ($1) failed: $r"
	r=${r#*\"KeyfactorId\":}
	echo "${r%%[!0-9]*}"
}
check_enroll PEM '"KeyType":"ECC","Curve":"P-256"' "$BENCH_ECC_CA" >/dev/null
# What durable certificate commits cost here, now: bench/preload records
# certificates with certdb_commit_issued (ECDSA signature included, no HTTP),
# from 1 process and from 2 at once (as the 2 enroll_pfx processes do), on a
# separate data directory; and once without sync (eatmydata).
log "durable commit probe"
mkdir -p "$tmp/probe"
tools/certenroll -d "$tmp/probe" init >/dev/null
tools/certenroll -d "$tmp/probe" ca create "$ecc_ca" --key ECC-P-256 >/dev/null
probe1=$(bench/preload -d "$tmp/probe" -c "$ecc_ca" -n 200)
bench/preload -d "$tmp/probe" -c "$ecc_ca" -n 200 > "$tmp/probe/a" &
pa=$!
bench/preload -d "$tmp/probe" -c "$ecc_ca" -n 200 > "$tmp/probe/b"
wait $pa
probe2=$(cat "$tmp/probe/a" "$tmp/probe/b" | sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' |
    sort -n | tail -n1 | awk '{printf "2 processes x 200 certs in %.3f s: %.1f commits/s together", $1, 400 / $1}')
probe0=$(eatmydata bench/preload -d "$tmp/probe" -c "$ecc_ca" -n 1000)
rm -rf "$tmp/probe"
log "  1 process: $probe1"
log "  $probe2"
log "  no sync: $probe0"
{
	echo "durable commit probe, 1 process: $probe1"
	echo "durable commit probe, $probe2"
	echo "commit probe without sync (eatmydata): $probe0"
} >> "$out/machine.txt"

sweep ecc-pem bench/lua/enroll_ecc_pem.lua "$ce_url/KeyfactorAPI/Enrollment/PFX" \
    https 0 $ce_pids
check_enroll PFX '"KeyType":"RSA","KeyLength":2048' "$BENCH_RSA_CA" >/dev/null
sweep rsa-pfx bench/lua/enroll_rsa_pfx.lua "$ce_url/KeyfactorAPI/Enrollment/PFX" \
    https 1 $ce_pids
# Burst after idle time: fill the key pool (what the agent does in the
# background with key_pool = RSA-2048:N), let the machine go quiet, then a
# bounded burst of RSA enrollments that the pool covers.
burst_pool=${BENCH_BURST_POOL:-240}
burst_c=4
log "rsa-pfx-burst: filling the key pool with $burst_pool RSA-2048 keys"
tools/certenroll -d "$tmp/ce/data" keypool fill --spec RSA-2048 \
    --size "$burst_pool" >/dev/null
drain $ce_pids
sleep 2
export BENCH_BURST_PER_THREAD=$(( (burst_pool * 3 / 4) / 2 ))
point rsa-pfx-burst "$burst_c" bench/lua/enroll_rsa_pfx_burst.lua \
    "$ce_url/KeyfactorAPI/Enrollment/PFX" https 10
pool_left=$(tools/certenroll -d "$tmp/ce/data" keypool status --spec RSA-2048 |
    grep -o '[0-9][0-9]*' | head -n1)
echo "key pool: $burst_pool RSA-2048 keys before the burst, ${pool_left:-?} after" >> "$out/machine.txt"
log "  key pool after the burst: ${pool_left:-?} of $burst_pool"
drain $ce_pids
# Only enrollments so far: LMDB bytes per certificate.
lmdb_enroll=$(lmdb_line "$tmp/ce/data")
export BENCH_NCERTS=${lmdb_enroll%% *}
curl_ce -sf -o /dev/null "$ce_url/KeyfactorAPI/Certificates/$BENCH_NCERTS" ||
    die "GET /Certificates/$BENCH_NCERTS failed"
sweep get bench/lua/get_cert.lua "$ce_url/" https 0 $ce_pids
# OCSP: one ECC certificate's status, as relying parties ask (no nonce),
# checked to be answered "good" before the sweep.
ocsp_id=$(check_enroll PEM '"KeyType":"ECC","Curve":"P-256"' "$BENCH_ECC_CA")
curl_ce -sf "$ce_url/KeyfactorAPI/Certificates/$ocsp_id" |
    python3 -c 'import base64,json,sys; print("-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(base64.b64decode(json.load(sys.stdin)["ContentBytes"])).decode() + "-----END CERTIFICATE-----")' \
    > "$tmp/ocsp-leaf.pem"
openssl ocsp -issuer "$tmp/ecc-ca.pem" -cert "$tmp/ocsp-leaf.pem" -no_nonce \
    -reqout "$tmp/ocsp.req" >/dev/null
export BENCH_OCSP_REQUEST=$tmp/ocsp.req
curl -sS --cacert "$tmp/ecc-ca.pem" -H 'content-type: application/ocsp-request' \
    --data-binary "@$tmp/ocsp.req" "$ce_url/ocsp" > "$tmp/ocsp.resp"
openssl ocsp -respin "$tmp/ocsp.resp" -issuer "$tmp/ecc-ca.pem" \
    -cert "$tmp/ocsp-leaf.pem" -CAfile "$tmp/ecc-ca.pem" 2>&1 |
    grep -q ": good" || die "OCSP did not answer good"
sweep ocsp bench/lua/ocsp.lua "$ce_url/ocsp" https 0 $ce_pids

# Deploy: a PEM store, 64 STORE enrollments, then Deploy them in turn.
store=$(tools/certenroll -d "$tmp/ce/data" store add --type PEM \
    --path "$tmp/ce/store/bench.pem" --create-if-missing)
staged=
for _ in $(seq 64); do
	staged="$staged,$(check_enroll STORE '"KeyType":"ECC","Curve":"P-256"' "$BENCH_ECC_CA")"
done
export BENCH_STORE=$store BENCH_STAGED=${staged#,}
r=$(curl_ce -H 'content-type: application/json' -d "{\"Stores\":[{\"StoreId\":\"$store\",\"Overwrite\":true}],\"CertificateId\":${staged##*,},\"Password\":\"$BENCH_PFX_PASSWORD\"}" \
    "$ce_url/KeyfactorAPI/Enrollment/PFX/Deploy")
[[ $r == *"\"SuccessfulStores\":[\"$store\"]"* ]] || die "Deploy failed: $r"
sweep deploy bench/lua/deploy.lua "$ce_url/KeyfactorAPI/Enrollment/PFX/Deploy" \
    https 0 $ce_pids
lmdb_end=$(lmdb_line "$tmp/ce/data")
jobs=$(tools/certenroll -d "$tmp/ce/data" job list | wc -l)
agent_drain "$tmp/ce/data" "$ce_url/KeyfactorAPI/Enrollment/PFX/Deploy"
rss_table "$tmp/ce/run" > "$tmp/rss-ce"
stop_ce
# The signer's cost (issue #8): the same ECC sweep with the CA key in the
# enrollment programs (CERTENROLL_NO_SIGNER: no signer process).
log "starting certenroll without the signer"
CERTENROLL_NO_SIGNER=1 start_ce
ce_pids=$(pids_of_run "$tmp/ce/run")
sweep ecc-pem-nosigner bench/lua/enroll_ecc_pem.lua \
    "$ce_url/KeyfactorAPI/Enrollment/PFX" https 0 $ce_pids
stop_ce

fi	# --pg-only

# --- 5. certenroll on PostgreSQL: one host, then two sharing the database ------
# A cluster of the run's own (tests/pg-cluster.sh: initdb under $tmp, unix
# socket, fsync and synchronous_commit on, as PostgreSQL ships), the same
# data set up in it, the same scenarios through one host, then through two
# hosts (127.0.1.1 and 127.0.1.2, each its own nginx, programs and signer,
# the key files copied) with half the connections each: two wrk at once,
# their requests summed.  All on the same 2 cores: two hosts here show what
# sharing the database costs, not what a second machine adds.
if [ "${BENCH_PG:-1}" -eq 1 ] && [ $revoke_only -eq 0 ]; then
	log "PostgreSQL: starting a cluster"
	tests/pg-cluster.sh start "$tmp/pg" >/dev/null
	pg_dir=$tmp/pg
	/usr/lib/postgresql/15/bin/psql -h "$tmp/pg" -U certenroll -d postgres 	    -qAt -c "CREATE DATABASE bench" >/dev/null
	echo "postgresql: $(/usr/lib/postgresql/15/bin/postgres --version | sed 's/.*) //')" >> "$out/machine.txt"
	pg_uri="postgresql:///bench?host=$tmp/pg&user=certenroll"
	printf 'database = %s\n' "$pg_uri" > "$tmp/pg.conf"
	for h in 1 2; do mkdir -p "$tmp/pg$h/run"; done
	CERTENROLL_CONF=$tmp/pg.conf setup_data "$tmp/pg1/data"
	# What each host holds itself: the key files, nothing of the database.
	cp -a "$tmp/pg1/data" "$tmp/pg2/data"
	pg_t() { CERTENROLL_CONF=$tmp/pg.conf tools/certenroll -d "$tmp/pg1/data" "$@"; }
	pg_sql() { /usr/lib/postgresql/15/bin/psql -h "$tmp/pg" -U certenroll -d bench -qAt -c "$1"; }
	# The ids GET draws from (a sequence leaves gaps where a conflict
	# rolled a transaction back).
	pg_ids() {
		pg_sql "SELECT id FROM certs ORDER BY id" > "$tmp/pg-ids"
		export BENCH_IDS_FILE=$tmp/pg-ids
		log "  $(wc -l < "$tmp/pg-ids") certificates, ids 1..$(tail -n1 "$tmp/pg-ids")"
	}
	pg_t ca show "$ecc_ca" > "$tmp/pg-ecc-ca.pem"
	pg_port1=$(free_port) pg_port2=$(free_port)
	start_pg() {	# host-number port
		tools/certenroll-serve start --data "$tmp/pg$1/data" \
		    --run "$tmp/pg$1/run" --port "$2" --htpasswd "$tmp/htpasswd" \
		    --workers 2 --ca "$ecc_ca" --database "$pg_uri" \
		    --listen "127.0.1.$1"
		wait_up "https://127.0.1.$1:$2/health" --cacert "$tmp/pg-ecc-ca.pem"
	}
	# Scenario body for curl_pg (the check enrollments and the store).
	curl_pg() { curl -sS --cacert "$tmp/pg-ecc-ca.pem" -H "Authorization: Basic $BENCH_AUTH" \
	    -H 'x-keyfactor-requested-with: APIClient' "$@"; }
	pg_url1=https://127.0.1.1:$pg_port1 pg_url2=https://127.0.1.2:$pg_port2
	start_pg 1 "$pg_port1"
	pg_pids=$(pids_of_run "$tmp/pg1/run")
	pgpm_pids() { pgrep -d ' ' -u postgres postgres || true; }
	sweep ecc-pem-pg bench/lua/enroll_ecc_pem.lua \
	    "$pg_url1/KeyfactorAPI/Enrollment/PFX" https 0 $pg_pids $(pgpm_pids)
	pg_ids
	sweep get-pg bench/lua/get_cert.lua "$pg_url1/" https 0 $pg_pids $(pgpm_pids)
	pg_store=$(pg_t store add --type PEM --path "$tmp/pg1/store/bench.pem" \
	    --create-if-missing)
	staged=
	for _ in $(seq 64); do
		r=$(curl_pg -H 'x-certificateformat: STORE' -H 'content-type: application/json' \
		    -d "$(enroll_body '"KeyType":"ECC","Curve":"P-256"' "$BENCH_ECC_CA")" \
		    "$pg_url1/KeyfactorAPI/Enrollment/PFX")
		[[ $r == *'"RequestDisposition":"ISSUED"'* ]] || die "PostgreSQL STORE enrollment failed: $r"
		r=${r#*\"KeyfactorId\":}
		staged="$staged,${r%%[!0-9]*}"
	done
	export BENCH_STORE=$pg_store BENCH_STAGED=${staged#,}
	sweep deploy-pg bench/lua/deploy.lua "$pg_url1/KeyfactorAPI/Enrollment/PFX/Deploy" \
	    https 0 $pg_pids $(pgpm_pids)
	log "PostgreSQL: a second host"
	start_pg 2 "$pg_port2"
	pg_pids="$pg_pids $(pids_of_run "$tmp/pg2/run")"
	sweep2 ecc-pem-pg2 bench/lua/enroll_ecc_pem.lua /KeyfactorAPI/Enrollment/PFX \
	    $pg_pids $(pgpm_pids)
	pg_ids
	sweep2 get-pg2 bench/lua/get_cert.lua / $pg_pids $(pgpm_pids)
	sweep2 deploy-pg2 bench/lua/deploy.lua /KeyfactorAPI/Enrollment/PFX/Deploy \
	    $pg_pids $(pgpm_pids)
	pg_certs=$(pg_t cert list | wc -l)
	pg_bytes=$(pg_sql "SELECT pg_total_relation_size('certs') + pg_total_relation_size('by_thumbprint') + pg_total_relation_size('by_serial') + pg_total_relation_size('requests') + pg_total_relation_size('serials')")
	echo "postgresql at the end: $pg_certs certificates, $pg_bytes bytes in certs, requests and their indexes" >> "$out/machine.txt"
	for h in 1 2; do tools/certenroll-serve stop --run "$tmp/pg$h/run"; done
	tests/pg-cluster.sh stop "$tmp/pg"
	pg_dir=
fi
# --- 6. revocation at scale ----------------------------------------------------
# One revocation (its durable write and the CRL it makes at once: a full one,
# then a delta) and a full CRL rebuild, at REVOKE_SIZES revoked certificates
# of one CA (LMDB, in-process signing: the CRL's size is what grows).  REVOKE_SIZES="1000 100000 1000000"
# adds the million (~1 min to fill, a CRL of ~40 MB).
if [ "${BENCH_REVOKE:-1}" -eq 1 ] && [ $pg_only -eq 0 ]; then
	log "revocation at scale: ${REVOKE_SIZES:-1000 100000}"
	rd=$tmp/revoke/data
	mkdir -p "$tmp/revoke"
	setup_data "$rd"
	bench/preload -d "$rd" -c "$ecc_ca" -u "$user" -n 1 >/dev/null
	echo "revoked,rebuild_s,revoke_s,revoke_delta_s,crl_bytes,delta_bytes" > "$out/revoke.csv"
	for size in ${REVOKE_SIZES:-1000 100000}; do
		eatmydata bench/revocost -d "$rd" -c "$ecc_ca" -n "$size" -F
		r=$(bench/revocost -d "$rd" -c "$ecc_ca" -n "$size")
		log "  $r"
		echo "$r" | sed 's/^revocost //; s/[a-z_]*=//g; s/ /,/g' >> "$out/revoke.csv"
	done
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"

if [ $pg_only -eq 1 ]; then
	cat "$csv"
	exit 0
fi
if [ $revoke_only -eq 1 ]; then
	python3 bench/revoke_table.py "$out"
	exit 0
fi

# --- 6. table, targets, plot ----------------------------------------------------
log "writing $out"
python3 - "$csv" "$out" "$tmp/rss-ce" "$tmp/rss-hello" "$lmdb_enroll" \
    "$lmdb_end" "$jobs" "$duration" <<'PY'
import csv, sys
path, out, rss_ce, rss_hello, lm_enr, lm_end, jobs, dur = sys.argv[1:9]
rows = list(csv.DictReader(open(path)))
for r in rows:
    for k in ("concurrency", "requests", "ok", "errors"):
        r[k] = int(r[k])
    for k in ("seconds", "rps", "p50_ms", "p99_ms"):
        r[k] = float(r[k])
by = {}
for r in rows:
    by.setdefault(r["scenario"], {})[r["concurrency"]] = r
limit = {"ecc": by["limit-ecc"], "rsa": by["limit-rsa"],
         "ecc-plainkey": by["limit-ecc-plainkey"]}
limit = {k: list(v.values())[0]["rps"] for k, v in limit.items()}
peer_of = {"ecc-pem": "cfssl-ecc", "rsa-pfx": "cfssl-rsa",
           "ecc-pem-nosigner": "cfssl-ecc"}
limit_of = {"ecc-pem": "ecc", "cfssl-ecc": "ecc", "cfssl-ecc-tlsdb": "ecc", "rsa-pfx": "rsa",
            "cfssl-rsa": "rsa", "ecc-pem-nosigner": "ecc"}
order = ["limit-ecc", "limit-ecc-plainkey", "limit-rsa", "hello", "cfssl-ecc",
         "cfssl-ecc-tlsdb", "cfssl-rsa",
         "ecc-pem", "rsa-pfx", "rsa-pfx-burst", "get", "ocsp", "deploy",
         "ecc-pem-nosigner", "ecc-pem-pg", "get-pg", "deploy-pg",
         "ecc-pem-pg2", "get-pg2", "deploy-pg2"]
# PostgreSQL's scenarios and the LMDB one each stands beside.
on_lmdb = {"ecc-pem-pg": "ecc-pem", "get-pg": "get", "deploy-pg": "deploy",
           "ecc-pem-pg2": "ecc-pem", "get-pg2": "get", "deploy-pg2": "deploy"}
what = {
    "limit-ecc": "limit: ECC P-256 key + cert + PEM, in-process",
    "limit-ecc-plainkey": "yardstick: limit-ecc with an unencrypted PKCS#8 key (no PBKDF2), as cfssl returns keys",
    "limit-rsa": "limit: RSA-2048 key + cert + PKCS#12, in-process",
    "hello": "ceiling: hello (libfcgi) behind nginx, TLS + Basic",
    "cfssl-ecc": "peer, its best case: cfssl newcert ECDSA P-256, plain HTTP, nothing stored",
    "cfssl-ecc-tlsdb": "peer doing equal work: cfssl newcert ECDSA P-256 over TLS, every certificate in its SQLite certdb (WAL, synchronous FULL)",
    "cfssl-rsa": "peer: cfssl newcert RSA-2048, plain HTTP",
    "ecc-pem": "certenroll: ECC P-256 enrollment, PEM",
    "rsa-pfx": "certenroll: RSA-2048 enrollment, PFX",
    "get": "certenroll: GET /Certificates/{id}",
    "ocsp": "certenroll: POST /ocsp, one ECC certificate's status, answered good (no nonce; through the signer, signed by the CA's delegated responder; no login, unlike hello and get)",
    "deploy": "certenroll: Deploy (STORE enrollment) to a PEM store",
    "rsa-pfx-burst": "certenroll: a bounded burst of RSA-2048 PFX enrollments after idle time, keys from the key pool (its req/s is not a rate: wrk divides by the whole point)",
    "ecc-pem-nosigner": "certenroll without the signer process (CERTENROLL_NO_SIGNER: the CA key in the enrollment programs): the signer's cost",
    "ecc-pem-pg": "ecc-pem on PostgreSQL 15 (one host; the cluster on the same disk, fsync on)",
    "get-pg": "get on PostgreSQL (one host)",
    "deploy-pg": "deploy on PostgreSQL (one host)",
    "ecc-pem-pg2": "ecc-pem on PostgreSQL through two hosts sharing the database (127.0.1.1 and .2, half the connections each, two wrk summed; same 2 cores)",
    "get-pg2": "get through two hosts on PostgreSQL",
    "deploy-pg2": "deploy through two hosts on PostgreSQL",
}

def ratio(a, b):
    return "%.2f" % (a / b) if b else "-"

L = []
L.append("# certenroll benchmark\n")
L.append("One run, one machine (machine.txt), one load generator: wrk with the Lua "
         "scripts in bench/lua, %s s per point, wrk threads min(c, 2), on the same "
         "2 cores as the servers. Requests/s counts 2xx answers only; p50/p99 are "
         "wrk's latencies. certenroll and hello: HTTPS (TLS 1.3, P-256 server "
         "key, keep-alive) + Basic auth through nginx, spawn-fcgi -F 2 per "
         "program. cfssl: its best case **plain HTTP, no auth, nothing "
         "stored** (cfssl-ecc), and doing equal work, over TLS with every "
         "certificate in its SQLite certdb, WAL, synchronous FULL "
         "(cfssl-ecc-tlsdb; certenroll commits every certificate durably to "
         "LMDB before answering). Limit: "
         "bench/limit, the same cryptography in-process (key, lint pre-signature, "
         "CA signature, PEM/PKCS#12, base64), one process per core, no HTTP, no "
         "LMDB; its \"concurrency\" is its process count.\n" % dur)
mach = open(out + "/machine.txt").read().splitlines()
def mline(prefix):
    for l in mach:
        if l.startswith(prefix):
            return l
    return None
L.append("Conditions (machine.txt): %s; %s; %s; %s.\n" % tuple(
    (mline(p) or p + ": ?") for p in ("cpu", "nproc", "load average at start",
                                      "load average at end")))
for p in ("sync probe", "durable commit probe, 1", "durable commit probe, 2",
          "commit probe without sync"):
    if mline(p):
        L.append("- " + mline(p))
L.append("")
L.append("| scenario | c | req/s | p50 ms | p99 ms | errors | x peer (cfssl) | x limit | x hello |")
L.append("|---|---|---|---|---|---|---|---|---|")
for sc in order:
    for c, r in sorted(by.get(sc, {}).items()):
        peer = by.get(peer_of.get(sc, ""), {}).get(c)
        lim = limit.get(limit_of.get(sc, ""))
        hel = by.get("hello", {}).get(c)
        if sc.endswith("-burst"):
            L.append("| %s | %d | (%d requests) | %.2f | %.2f | %d | - | - | - |" % (
                sc, c, r["ok"], r["p50_ms"], r["p99_ms"], r["errors"]))
            continue
        L.append("| %s | %d | %.1f | %.2f | %.2f | %d | %s | %s | %s |" % (
            sc, c, r["rps"], r["p50_ms"], r["p99_ms"], r["errors"],
            ratio(r["rps"], peer["rps"]) if peer else "-",
            ratio(r["rps"], lim) if lim and not sc.startswith("limit") else "-",
            ratio(r["rps"], hel["rps"]) if hel and sc not in ("hello",) and not sc.startswith("limit") else "-"))
L.append("")
L.append("Scenarios:\n")
for sc in order:
    if sc in by:
        L.append("- `%s`: %s" % (sc, what[sc]))
L.append("")

def peak(sc):
    d = by.get(sc, {})
    if not d:
        return None, None
    c = max(d, key=lambda k: d[k]["rps"])
    return d[c]["rps"], c

L.append("## Targets (issue #6), peak throughput over the concurrency levels\n")
L.append("| target | measured | met |")
L.append("|---|---|---|")
def target(name, val, goal, fmt):
    L.append("| %s | %s | %s |" % (name, fmt, "yes" if val is not None and val >= goal else "**no**"))
e, ec = peak("ecc-pem"); ce, cec = peak("cfssl-ecc")
r, rc = peak("rsa-pfx"); cr, crc = peak("cfssl-rsa")
g, gc = peak("get"); h, hc = peak("hello")
if e and ce:
    target("ECC PEM >= 2.0x cfssl ECC", e / ce, 2.0,
           "%.1f (c=%d) / %.1f (c=%d) = %.2fx" % (e, ec, ce, cec, e / ce))
cw, cwc = peak("cfssl-ecc-tlsdb")
if e and cw:
    target("ECC PEM >= 1.2x cfssl ECC with TLS + durable certdb (issue #17)",
           e / cw, 1.2, "%.1f (c=%d) / %.1f (c=%d) = %.2fx" % (e, ec, cw, cwc, e / cw))
if e:
    target("ECC PEM >= 80% of the limit", e / limit["ecc"], 0.8,
           "%.1f / %.1f = %.0f%%" % (e, limit["ecc"], 100 * e / limit["ecc"]))
if r and cr:
    target("RSA PFX >= 2x cfssl RSA", r / cr, 2.0,
           "%.1f (c=%d) / %.1f (c=%d) = %.2fx" % (r, rc, cr, crc, r / cr))
if r:
    L.append("| (RSA PFX vs its limit, no target) | %.1f / %.1f = %.0f%% | - |" % (
        r, limit["rsa"], 100 * r / limit["rsa"]))
b = list(by.get("rsa-pfx-burst", {}).values())
if b:
    target("RSA PFX burst after idle (key pool): p50 < 20 ms", 20 - b[0]["p50_ms"],
           1e-9, "p50 %.2f ms, p99 %.2f ms over %d requests at c=%d (%s)" % (
               b[0]["p50_ms"], b[0]["p99_ms"], b[0]["ok"], b[0]["concurrency"],
               (mline("key pool") or "key pool: ?").split(": ", 1)[1]))
if g and h:
    target("GET >= 70% of the hello ceiling", g / h, 0.7,
           "%.1f (c=%d) / %.1f (c=%d) = %.0f%%" % (g, gc, h, hc, 100 * g / h))
rss = [l.split() for l in open(rss_ce) if l.strip()]
rss_max = max(float(r[1]) for r in rss) if rss else 0
anon_max = max(float(r[2]) for r in rss) if rss else 0
target("peak RSS < 16 MB per FastCGI process (VmHWM)", 16 - rss_max, 1e-9,
       "max %.1f MB, mostly LMDB's file-backed map (table below)" % rss_max)
target("... its anonymous memory (RssAnon at the end) < 16 MB", 16 - anon_max,
       1e-9, "max %.1f MB" % anon_max)
L.append("")
import re
probe = mline("durable commit probe, 2") or ""
m = re.search(r"([0-9.]+) commits/s together", probe)
L.append("## Reading the numbers\n")
if m and e:
    L.append("- Every enrollment ends in a durable LMDB commit "
             "(certdb_commit_issued: the certificate is on disk before the "
             "answer). Just before the ECC sweep, 2 processes committing "
             "certificates (bench/preload, ECDSA signature included, no HTTP) "
             "reached %.0f commits/s together; ECC PEM reached %.0f/s at best "
             "(%.0f%% of that), the same cryptography in-process %.0f/s. The "
             "sync latency of this shared virtual disk varies from minute to "
             "minute: see the probes above and machine.txt." % (
                 float(m.group(1)), e, 100 * e / float(m.group(1)), limit["ecc"]))
pk = limit.get("ecc-plainkey")
if pk and ce:
    L.append("- The ECC limit itself is %.2fx cfssl: the PEM answer's private key "
             "is encrypted PKCS#8 (PBKDF2-HMAC-SHA256, 2048 iterations), %.0f%% "
             "of the cryptography's time (limit-ecc-plainkey, the same work "
             "with a plain key: %.0f/s); cfssl returns an unencrypted key, "
             "serves plain HTTP without authentication and stores nothing. "
             "2x cfssl would take more than the in-process limit." % (
                 limit["ecc"] / ce, 100 * (1 - limit["ecc"] / pk), pk))
L.append("- RSA: key generation dominates (limit-rsa p50 is the time of one "
         "key + certificate + PKCS#12 on one core); certenroll generates RSA "
         "keys with lib/pki/rsa_fast.c (probable primes with FIPS 186-5's "
         "Miller-Rabin rounds), cfssl with Go's crypto/rsa. In rsa-pfx the "
         "key pool is empty: the steady state after a burst has drained it; "
         "rsa-pfx-burst is the burst the pool covers.")
sn, snc = peak("ecc-pem-nosigner")
if sn and e:
    L.append("- The signer (issue #8): ECC PEM peaks at %.0f/s through the signer "
             "process and %.0f/s with the CA key in the enrollment programs "
             "(ecc-pem-nosigner): the separation costs %.0f%% of ECC "
             "throughput (a unix-socket round trip, the signer's own parse, "
             "policy check and lint, and the program's check of the signed "
             "certificate). RSA enrollments are bound by key generation; "
             "there the signer's share is negligible." % (e, sn, 100 * (1 - e / sn)))
L.append("- cfssl answers every connection at once (a goroutine each) while "
         "certenroll queues requests to 2 FastCGI processes per program: at "
         "high concurrency cfssl's RSA latencies all approach c / throughput, "
         "certenroll's p50 grows linearly with the queue.")
L.append("- The load generator, nginx, the programs and cfssl share the same "
         "2 cores; other processes' load during the run is in machine.txt.")
L.append("")
if any(sc in by for sc in on_lmdb):
    L.append("## PostgreSQL beside LMDB\n")
    L.append("Requests/s on PostgreSQL over the same scenario on LMDB, at each "
             "concurrency (two hosts: from c=4, both hosts' requests summed). "
             "%s.\n" % ((mline("postgresql at the end") or "").replace("postgresql", "PostgreSQL", 1)))
    L.append("| scenario | " + " | ".join("c=%d" % c for c in sorted(by.get("ecc-pem", {}))) + " |")
    L.append("|---|" + "---|" * len(by.get("ecc-pem", {})))
    for sc, base in on_lmdb.items():
        if sc not in by:
            continue
        cells = []
        for c in sorted(by.get(base, {})):
            r = by[sc].get(c)
            b = by[base][c]
            cells.append("%.0f / %.0f = %s" % (r["rps"], b["rps"], ratio(r["rps"], b["rps"]))
                         if r else "-")
        L.append("| %s / %s | %s |" % (sc, base, " | ".join(cells)))
    L.append("")
import os
if os.path.exists(out + "/revoke.csv"):
    sys.path.insert(0, "bench")
    from revoke_table import table
    L.append("## Revocation at scale\n")
    L += table(out)
    L.append("")
L.append("## Peak RSS per FastCGI program (after the run)\n")
L.append("VmHWM of /proc/<pid>/status, the larger of the program's 2 processes; "
         "RssAnon and RssFile of that process at the end. RssFile includes the "
         "pages of LMDB's read-only map of data.mdb that the process touched, "
         "so it grows with the data (GET reads random records).\n")
L.append("| program | VmHWM MB | RssAnon MB | RssFile MB |")
L.append("|---|---|---|---|")
for r in rss:
    L.append("| %s | %s | %s | %s |" % tuple(r[:4]))
for r in (l.split() for l in open(rss_hello) if l.strip()):
    L.append("| %s (bench/hello) | %s | %s | %s |" % tuple(r[:4]))
L.append("")
n1, f1, u1 = (int(x) for x in lm_enr.split())
n2, f2, u2 = (int(x) for x in lm_end.split())
L.append("## LMDB size\n")
L.append("| when | certificates | data.mdb bytes | bytes / certificate (file) | bytes / certificate (pages in use) |")
L.append("|---|---|---|---|---|")
L.append("| after the enrollment scenarios | %d | %d | %.0f | %.0f |" % (n1, f1, f1 / n1, u1 / n1))
L.append("| at the end (+ %s Deploy jobs, each holding its sealed PKCS#12) | %d | %d | %.0f | %.0f |" % (jobs, n2, f2, f2 / n2, u2 / n2))
L.append("")
L.append("Certificates counted with `tools/certenroll -d DIR cert list | wc -l`; "
         "\"pages in use\" from `mdb_stat -e` (the file also holds free pages).\n")
open(out + "/results.md", "w").write("\n".join(L) + "\n")

# gnuplot data: one block per scenario (concurrency, rps, p99).
with open(out + "/plot.dat", "w") as f:
    for sc in order:
        if (sc.startswith("limit") or sc.endswith("-burst") or sc not in by
                or sc in on_lmdb):
            continue
        f.write("# %s\n" % sc)
        for c, r in sorted(by[sc].items()):
            f.write("%d %.3f %.3f\n" % (c, r["rps"], r["p99_ms"]))
        f.write("\n\n")
    f.write("# limits\n%.3f %.3f\n" % (limit["ecc"], limit["rsa"]))
PY
scen_list="hello cfssl-ecc cfssl-rsa ecc-pem rsa-pfx get ocsp deploy ecc-pem-nosigner"
lecc=$(tail -n1 "$out/plot.dat" | cut -d' ' -f1)
lrsa=$(tail -n1 "$out/plot.dat" | cut -d' ' -f2)
gnuplot <<EOF
set terminal pngcairo size 1400,600 font "sans,10"
set output "$out/plot.png"
set multiplot layout 1,2 title "certenroll benchmark ($(date -u +%Y-%m-%d), $host, $(nproc) cores)"
set logscale xy
set xlabel "concurrency (wrk connections)"
set grid
set key outside bottom center horizontal maxrows 3
set xtics (1, 4, 16, 64)
titles = "$scen_list"
set ylabel "requests/s"
set title "throughput"
plot for [i=0:8] "$out/plot.dat" index i using 1:2 with linespoints lw 2 title word(titles, i+1), \
     $lecc with lines dt 2 lw 2 lc rgb "black" title "limit ECC (in-process)", \
     $lrsa with lines dt 3 lw 2 lc rgb "gray30" title "limit RSA (in-process)"
set ylabel "p99 latency (ms)"
set title "p99 latency"
plot for [i=0:8] "$out/plot.dat" index i using 1:3 with linespoints lw 2 title word(titles, i+1)
unset multiplot
EOF
rm -f "$out/plot.dat"
cat "$out/results.md"
log "results in $out"
