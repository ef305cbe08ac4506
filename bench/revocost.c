/*
 * revocost - what a revocation and a CRL rebuild cost as the revoked set
 * grows (issue #15's scale lines; bench/run.sh).
 *
 *   revocost -d DATADIR -c CA -n N [-F]
 *
 * DATADIR holds CA and at least one issued certificate of it (bench/preload
 * -n 1) on LMDB.  revocost adds revoked-list entries until CA has N (as
 * cert_revoke files them: serial, date, reason; their certificates are not
 * written, which the list does not need), then times
 *   rebuild   crl_issue_local of a full CRL: the revoked list read, the
 *             CRL built, sorted, signed with the CA key and recorded
 *   revoke    revoke_certificates of the issued certificate: the durable
 *             write and the CRL it publishes (crl_publish, no files), a
 *             full one (crl_delta_min 0)
 *   delta     the same with a delta CRL (crl_delta_min 1, after a full CRL
 *             that names its delta: the CA gets a CRL URL)
 * and prints
 *   revocost revoked=N rebuild_s=X revoke_s=X revoke_delta_s=X crl_bytes=B
 *            delta_bytes=B
 * -F only fills (run it under eatmydata: the fill is not what is measured,
 * and the timed run then syncs as production does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "ca.h"
#include "crl.h"
#include "db.h"
#include "error.h"
#include "revoke.h"
#include "revoked.h"
#include "settings.h"

#define BATCH	10000

static void
die(const char *what, const struct ce_error *err)
{
	fprintf(stderr, "revocost: %s%s%s\n", what, err ? ": " : "",
	    err ? err->msg : "");
	ERR_print_errors_fp(stderr);
	exit(1);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct count {
	size_t n;
};

static int
count_cb(const struct revoked_entry *e, void *arg)
{
	(void)e;
	((struct count *)arg)->n++;
	return 0;
}

static size_t
listed(struct ce_db *db, int64_t ca_id)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct count c = { 0 };

	ce_error_clear(&err);
	if (db_begin(db, 0, &txn, &err) != CE_OK ||
	    revoked_list(txn, ca_id, count_cb, &c, &err) != CE_OK)
		die("reading the revoked list", &err);
	db_abort(txn);
	return c.n;
}

/* Entries from have up to want, BATCH per transaction. */
static void
fill(struct ce_db *db, int64_t ca_id, size_t have, size_t want)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *e;
	char serial[32], key[96];
	size_t i, end;

	ce_error_clear(&err);
	while (have < want) {
		end = have + BATCH < want ? have + BATCH : want;
		if (db_begin(db, 1, &txn, &err) != CE_OK)
			die("begin", &err);
		for (i = have; i < end; i++) {
			snprintf(serial, sizeof(serial), "5EED%012zX", i + 1);
			revoked_key(ca_id, serial, key, sizeof(key));
			if ((e = json_object_new_object()) == NULL)
				die("no memory", NULL);
			json_object_object_add(e, "id", json_object_new_int64(
			    1000000000 + (int64_t)i));
			json_object_object_add(e, "serial",
			    json_object_new_string(serial));
			json_object_object_add(e, "reason", json_object_new_int(
			    (int)(i % 6)));
			json_object_object_add(e, "date", json_object_new_int64(
			    time(NULL) - 86400));
			if (db_put(txn, T_REVOKED, key, e, &err) != CE_OK)
				die("put", &err);
			json_object_put(e);
		}
		if (db_commit(txn, &err) != CE_OK)
			die("commit", &err);
		have = end;
	}
}

/* Certificate 1 taken on hold (timed) and off again: each a revocation
 * with its CRL. */
static double
hold_and_back(struct ce_db *db)
{
	struct revoke_input in;
	struct ce_error err;
	json_object *resp = NULL;
	double t0, t;
	int status = 200;

	ce_error_clear(&err);
	memset(&in, 0, sizeof(in));
	in.ids = json_tokener_parse("[1]");
	in.reason = REVOKE_HOLD;
	in.comment = "revocost";
	in.user = "bench";
	t0 = now_s();
	if (revoke_certificates(db, &in, &resp, &status, &err) != CE_OK ||
	    status != 200)
		die("revoke", &err);
	t = now_s() - t0;
	json_object_put(resp);
	in.reason = -1;
	if (revoke_certificates(db, &in, &resp, &status, &err) != CE_OK)
		die("unhold", &err);
	json_object_put(resp);
	json_object_put(in.ids);
	return t;
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *caname = NULL;
	struct ce_error err;
	struct ce_db *db;
	struct ce_txn *txn = NULL;
	struct ca *ca = NULL;
	struct crl_pair p;
	double t0, rebuild, revoke, revoke_delta;
	size_t n = 0, have;
	int opt, len, dlen, fill_only = 0;

	while ((opt = getopt(argc, argv, "d:c:n:F")) != -1)
		switch (opt) {
		case 'd': dir = optarg; break;
		case 'c': caname = optarg; break;
		case 'n': n = (size_t)strtoull(optarg, NULL, 10); break;
		case 'F': fill_only = 1; break;
		default: die("usage: revocost -d DATADIR -c CA -n N", NULL);
		}
	if (dir == NULL || caname == NULL)
		die("usage: revocost -d DATADIR -c CA -n N", NULL);
	ce_error_clear(&err);
	/* Deltas are made only where the full CRL can name them: the CA gets
	 * a CRL URL (before it is read). */
	if (db_open(dir, &db, &err) != CE_OK ||
	    ca_set_urls(db, caname, "http://bench.invalid/crl/1.crl", NULL,
	    &err) != CE_OK ||
	    db_begin(db, 0, &txn, &err) != CE_OK ||
	    ca_find(txn, caname, &ca, &err) != CE_OK)
		die("opening", &err);
	db_abort(txn);
	have = listed(db, ca->id);
	fill(db, ca->id, have, n);
	n = listed(db, ca->id);
	if (fill_only) {
		ca_free(ca);
		db_close(db);
		return 0;
	}

	if (settings_set(db, "crl_delta_min", "0", &err) != CE_OK)
		die("crl_delta_min", &err);
	t0 = now_s();
	if (crl_issue_local(db, ca, time(NULL), 1, &p, &err) != CE_OK)
		die("rebuild", &err);
	rebuild = now_s() - t0;
	len = i2d_X509_CRL(p.full, NULL);
	crl_pair_free(&p);

	revoke = hold_and_back(db);
	/* A full CRL that names its delta, then the same with deltas. */
	if (settings_set(db, "crl_delta_min", "1", &err) != CE_OK ||
	    crl_issue_local(db, ca, time(NULL), 1, &p, &err) != CE_OK)
		die("full CRL with deltas", &err);
	crl_pair_free(&p);
	revoke_delta = hold_and_back(db);
	if (crl_issue_local(db, ca, time(NULL), 0, &p, &err) != CE_OK ||
	    p.delta == NULL || p.full != NULL)
		die("delta", &err);
	dlen = i2d_X509_CRL(p.delta, NULL);
	crl_pair_free(&p);
	if (settings_set(db, "crl_delta_min", "10000", &err) != CE_OK)
		die("crl_delta_min", &err);
	printf("revocost revoked=%zu rebuild_s=%.3f revoke_s=%.3f "
	    "revoke_delta_s=%.3f crl_bytes=%d delta_bytes=%d\n", n, rebuild,
	    revoke, revoke_delta, len, dlen);
	ca_free(ca);
	db_close(db);
	return 0;
}
