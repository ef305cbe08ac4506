#!/bin/sh
# Runs the integration tests (real web server, real programs) with Debian's
# python3 and its pytest, requests and cryptography: the full suite behind
# nginx and behind Apache with mod_proxy_fcgi, a smoke subset (enroll, deploy,
# renew, errors, logins) behind Apache running the programs itself (mod_fcgid)
# and as plain CGI (mod_cgid), and the full suite behind nginx once more with
# the state in PostgreSQL (a cluster of its own, started here on a unix
# socket in a temporary folder).  The console's browser tests
# (test_console.py, headless chromium) run in the LMDB runs behind nginx and
# Apache.  Ends with one line "N passed, N failed" (the
# sum over every run); exits non-zero when anything failed.
#
#   tests/run-integration.sh [PYTEST ARGS]   arguments go to every run
#   CERTENROLL_WEB=apache-cgi tests/run-integration.sh
#                                            the full suite behind one server
#   CERTENROLL_DB=postgresql CERTENROLL_WEB=nginx tests/run-integration.sh
#                                            ... on PostgreSQL
cd "$(dirname "$0")/.." || exit 1

SMOKE="test_pfx_ecc_full_check or test_pem_format_end_entity_first
 or test_concurrent_enrollments_get_distinct_ids
 or test_deploy_to_pem_and_pkcs12_and_locations
 or test_replace_swaps_every_location
 or test_renew_then_replace_in_pem_and_pkcs12_stores
 or test_renew_by_thumbprint_keeps_key_type_and_size
 or test_no_credentials or test_wrong_password
 or (test_bad_request_refused_and_nothing_stored and json)
 or test_client_certificate_logs_in_as_its_dn
 or test_self_signed_certificate_is_no_login
 or test_trusted_proxy_names_the_user
 or test_server_variables_sent_as_headers_are_no_login
 or test_client_x_remote_user_without_credentials
 or test_401_has or test_413_over or test_chunked_body_reaches
 or test_every_spelling or test_refusal_before_the_body
 or test_requests_move_the_counters or test_metrics_from_elsewhere
 or test_health_names_the_database"
SMOKE=$(echo $SMOKE)	# one line

# web server:what:database
if [ -n "${CERTENROLL_WEB:-}" ]; then
	RUNS="$CERTENROLL_WEB:full:${CERTENROLL_DB:-lmdb}"
else
	RUNS="nginx:full:lmdb apache-proxy:full:lmdb apache-fcgid:smoke:lmdb
	      apache-cgi:smoke:lmdb nginx:full:postgresql"
fi

tmp=$(mktemp -d /tmp/certenroll-runs.XXXXXX) || exit 1
chmod 0755 "$tmp"
pg=
trap '[ -z "$pg" ] || tests/pg-cluster.sh stop "$pg"; rm -rf "$tmp"' EXIT
passed=0 failed=0
for run in $RUNS; do
	web=${run%%:*} what=${run#*:} db=${run##*:}
	what=${what%:*}
	echo "=== integration tests behind $web ($what, $db)"
	log=$tmp/$web-$db.log
	if [ "$db" = postgresql ] && [ -z "$pg" ]; then
		pg=$tmp/pg
		tests/pg-cluster.sh start "$pg" >/dev/null ||
		    { echo "=== PostgreSQL did not start"; pg=; failed=$((failed + 1)); continue; }
	fi
	[ "$what" = smoke ] && set -- -k "$SMOKE" "$@"
	{ CERTENROLL_WEB=$web CERTENROLL_DB=$db CERTENROLL_PG_HOST=$pg \
	    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration "$@"
	  echo $? > "$tmp/rc"; } 2>&1 | tee "$log"
	[ "$what" = smoke ] && shift 2
	rc=$(cat "$tmp/rc")
	# pytest's last line: "3 failed, 45 passed, 1 skipped, 2 xfailed in 9.1s"
	last=$(grep -E '^=* ?[0-9]+ [a-z]+.* in [0-9.]+s' "$log" | tail -n 1)
	p=$(echo "$last" | grep -oE '[0-9]+ passed' | cut -d' ' -f1)
	f=$(echo "$last" | grep -oE '[0-9]+ failed' | cut -d' ' -f1)
	e=$(echo "$last" | grep -oE '[0-9]+ errors?' | cut -d' ' -f1)
	p=${p:-0} f=$((${f:-0} + ${e:-0}))
	# A run that failed without a count (no tests, a crash) is one failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "=== $web: pytest exited $rc"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
