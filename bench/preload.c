/*
 * preload - fills a certenroll data directory with N issued certificates,
 * fast, for the cost-as-data-grows measurements (bench/run.sh --grow).
 *
 *   preload -d DATADIR [-D DATABASE] -c CA -t TEMPLATE -u REQUESTER -n N
 *
 * DATABASE: certenroll.conf's `database` (a postgresql:// URI; default
 * LMDB in DATADIR).
 *
 * Each certificate is built as lib/pki/issue.c builds an ECC P-256 one (one
 * subscriber key is reused: the records do not hold keys), signed with the
 * CA's key (ca_sign_local) and recorded with certdb_commit_issued - the very
 * records and indexes an enrollment writes, one write transaction each.
 * Run it under eatmydata when durability does not matter (it then takes
 * seconds instead of one fsync pair per certificate).  Prints
 *   preload n=N seconds=S commits_per_s=X ms_per_cert=X
 * (without eatmydata: the cost of a durable certificate commit, crypto
 * included, from one process).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "certdb.h"
#include "error.h"
#include "keys.h"
#include "pemutil.h"
#include "db.h"

static void
die(const char *what, const struct ce_error *err)
{
	fprintf(stderr, "preload: %s%s%s\n", what, err ? ": " : "",
	    err ? err->msg : "");
	ERR_print_errors_fp(stderr);
	exit(1);
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *database = NULL, *caname = NULL,
	    *tmpl = "WebServer",
	    *user = "bench";
	struct key_spec spec = { KEY_ECC, 256, NID_X9_62_prime256v1 };
	struct ce_error err;
	struct ce_db *db;
	struct ce_txn *txn;
	struct ca *ca = NULL;
	struct issued rec;
	EVP_PKEY *key = NULL;
	X509_NAME *subj;
	X509 *cert;
	int64_t cid, rid;
	long n = 0, i;
	struct timespec t0, t1;
	double secs;
	char cn[96], san[128];
	int c;

	while ((c = getopt(argc, argv, "d:D:c:t:u:n:")) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'D': database = optarg; break;
		case 'c': caname = optarg; break;
		case 't': tmpl = optarg; break;
		case 'u': user = optarg; break;
		case 'n': n = atol(optarg); break;
		default: goto usage;
		}
	}
	if (dir == NULL || caname == NULL || n < 0 || optind != argc) {
usage:
		fprintf(stderr, "usage: preload -d DATADIR [-D DATABASE] -c CA "
		    "[-t TEMPLATE] [-u REQUESTER] -n N\n");
		return 2;
	}
	ce_error_clear(&err);
	if (db_open_url(dir, database, &db, &err) != CE_OK)
		die("db_open", &err);
	if (db_begin(db, 0, &txn, &err) != CE_OK ||
	    ca_find(txn, caname, &ca, &err) != CE_OK)
		die("CA", &err);
	db_abort(txn);
	if (key_generate(&spec, &key, &err) != CE_OK)
		die("key_generate", &err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		snprintf(cn, sizeof(cn), "preload-%ld.bench.example.com", i);
		snprintf(san, sizeof(san), "DNS:%s", cn);
		if ((cert = X509_new()) == NULL || (subj = X509_NAME_new()) == NULL)
			die("X509_new", NULL);
		X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8,
		    (const unsigned char *)cn, -1, -1, 0);
		if (X509_set_version(cert, X509_VERSION_3) != 1 ||
		    X509_set_subject_name(cert, subj) != 1 ||
		    X509_set_issuer_name(cert, X509_get_subject_name(ca->cert)) != 1 ||
		    X509_set_pubkey(cert, key) != 1 ||
		    X509_gmtime_adj(X509_getm_notBefore(cert), -60) == NULL ||
		    X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 86400) == NULL)
			die("building certificate", NULL);
		X509_NAME_free(subj);
		if (x509_set_random_serial(cert, &err) != CE_OK ||
		    x509_add_ext(cert, ca->cert, NID_basic_constraints,
		    "critical,CA:FALSE", &err) != CE_OK ||
		    x509_add_ext(cert, ca->cert, NID_key_usage,
		    "critical,digitalSignature", &err) != CE_OK ||
		    x509_add_ext(cert, ca->cert, NID_ext_key_usage,
		    "serverAuth,clientAuth", &err) != CE_OK ||
		    x509_add_ext(cert, ca->cert, NID_subject_key_identifier, "hash",
		    &err) != CE_OK ||
		    x509_add_ext(cert, ca->cert, NID_authority_key_identifier,
		    "keyid:always", &err) != CE_OK ||
		    x509_add_ext(cert, ca->cert, NID_subject_alt_name, san,
		    &err) != CE_OK ||
		    ca_sign_local(db, ca, cert, &err) != CE_OK)
			die("certificate", &err);
		memset(&rec, 0, sizeof(rec));
		rec.cert = cert;
		rec.requester = user;
		rec.template = tmpl;
		rec.pattern_id = 1;
		rec.ca = ca->name;
		rec.spec = &spec;
		if (certdb_commit_issued(db, &rec, &cid, &rid, &err) != CE_OK)
			die("certdb_commit_issued", &err);
		X509_free(cert);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("preload n=%ld seconds=%.3f commits_per_s=%.1f ms_per_cert=%.3f\n",
	    n, secs, secs > 0 ? n / secs : 0.0, n ? secs * 1e3 / n : 0.0);
	EVP_PKEY_free(key);
	ca_free(ca);
	db_close(db);
	return 0;
}
