/*
 * test_crl.c - crl.h: a CA's CRL made from its revoked list, as OpenSSL
 * reads it back (v2, issuer, numbers that grow, AKI, dates, entries with
 * their reasons and none for unspecified, the CA key's signature), the
 * files written into crl_dir, the agent's round (the recorded CRL until a
 * new one is due), delta CRLs once the full one is large (the changes
 * since it, removeFromCRL for a hold taken off, one number sequence, the
 * Freshest CRL pointer, the agent's full and delta rounds, the delta files
 * gone when deltas are off), and certificates carrying the CA's CRL and
 * OCSP URLs once set, bad URLs refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "certdb.h"
#include "crl.h"
#include "kit.h"
#include "revoke.h"
#include "revoked.h"
#include "settings.h"

#define ROOT	KIT_ROOT
#define WEB	KIT_WEB
#define BODY	KIT_BODY

static struct ca *
root(struct kit *k)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct ca *ca = NULL;

	E(db_begin(k->db, 0, &txn, &err));
	E(ca_find(txn, ROOT, &ca, &err));
	db_abort(txn);
	return ca;
}

/* cert_revoke alone: the state changes, no CRL is made. */
static void
revoke_below(struct kit *k, int64_t id, int64_t reason)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct revocation r = { reason, time(NULL), "below", "revoker" };
	enum revoke_outcome out;
	struct ca *ca = root(k);
	int unhold;

	CHECK(revoke_reason_valid(reason, &unhold));
	E(db_begin(k->db, 1, &txn, &err));
	E(cert_revoke(txn, id, ca->id, &r, unhold, &out, &err));
	E(db_commit(txn, &err));
	CHECK(out == REVOKED_NOW || out == UNHELD);
	ca_free(ca);
}

static int64_t
number(X509_CRL *crl)
{
	ASN1_INTEGER *n = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	int64_t v = 0;

	CHECK(n != NULL && ASN1_INTEGER_get_int64(&v, n) == 1);
	ASN1_INTEGER_free(n);
	return v;
}

/* The reason code of crl's entry for cert id's serial: -1 none, -2 no
 * entry (OpenSSL says 2 for a removeFromCRL one). */
static int
reason_of(struct kit *k, X509_CRL *crl, int64_t id)
{
	X509_REVOKED *r = NULL;
	ASN1_ENUMERATED *e;
	json_object *rec = kit_record_id(k, T_CERTS, id);
	X509 *x = kit_cert_x509(rec);
	int v;

	json_object_put(rec);
	CHECK(x != NULL);
	if (X509_CRL_get0_by_serial(crl, &r, X509_get0_serialNumber(x)) == 0) {
		X509_free(x);
		return -2;
	}
	X509_free(x);
	if ((e = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL)) == NULL)
		return -1;
	v = (int)ASN1_ENUMERATED_get(e);
	ASN1_ENUMERATED_free(e);
	return v;
}

static void
test_made_from_the_revoked_list(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ca *ca;
	struct crl_pair p;
	X509_CRL *crl = NULL, *next = NULL;
	const ASN1_TIME *tu, *nu;
	AUTHORITY_KEYID *aki;
	int days, secs;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	kit_issue(k, "alice", FMT_PEM, BODY("a.example.com"));
	kit_issue(k, "alice", FMT_PEM, BODY("b.example.com"));
	kit_issue(k, "alice", FMT_PEM, BODY("c.example.com"));
	kit_revoke(k, "[1]", 1);
	kit_revoke(k, "[2]", 0);
	ca = root(k);
	E(crl_issue(k->db, ROOT, 0, &p, &err));
	crl = p.full;
	CHECK(p.delta == NULL && p.no_delta);
	CHECK(X509_CRL_get_version(crl) == X509_CRL_VERSION_2);
	CHECK(X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(ca->cert)) == 0);
	CHECK(X509_CRL_verify(crl, X509_get0_pubkey(ca->cert)) == 1);
	CHECK(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) == 2);
	CHECK(reason_of(k, crl, 1) == 1);	/* keyCompromise */
	CHECK(reason_of(k, crl, 2) == -1);	/* unspecified: no extension */
	CHECK(reason_of(k, crl, 3) == -2);
	tu = X509_CRL_get0_lastUpdate(crl);
	nu = X509_CRL_get0_nextUpdate(crl);
	CHECK(nu != NULL && ASN1_TIME_diff(&days, &secs, tu, nu) == 1 &&
	    days * 86400 + secs == 604800);
	aki = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
	CHECK(aki != NULL && aki->keyid != NULL && ASN1_OCTET_STRING_cmp(
	    aki->keyid, X509_get0_subject_key_id(ca->cert)) == 0);
	AUTHORITY_KEYID_free(aki);
	/* each CRL the next number (each revocation made one too); a hold
	 * taken off leaves it */
	kit_revoke(k, "[3]", 6);
	kit_revoke(k, "[3]", -1);
	E(crl_issue(k->db, ROOT, 0, &p, &err));
	next = p.full;
	CHECK(number(next) == number(crl) + 3);
	CHECK(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(next)) == 2);
	CHECK(reason_of(k, next, 3) == -2);
	X509_CRL_free(crl);
	X509_CRL_free(next);
	ca_free(ca);
}

/* A CA and template, and crl_dir at dir (k's crl/). */
static void
with_crl_dir(struct kit *k, char *dir, size_t dirsz)
{
	char conf[200];

	snprintf(dir, dirsz, "%s/crl", k->dir);
	CHECK(mkdir(dir, 0755) == 0);
	snprintf(conf, sizeof(conf), "crl_dir = %s\n", dir);
	kit_config(conf);
	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
}

/* The CRL file name.crl.pem in dir (NULL: none; its DER beside it). */
static X509_CRL *
file_crl(const char *dir, const char *name)
{
	char path[256];
	FILE *f;
	X509_CRL *crl;

	snprintf(path, sizeof(path), "%s/%s.crl.pem", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	crl = PEM_read_X509_CRL(f, NULL, NULL, NULL);
	fclose(f);
	CHECK(crl != NULL);
	snprintf(path, sizeof(path), "%s/%s.crl", dir, name);
	CHECK(access(path, R_OK) == 0);
	return crl;
}

/* The number of the CRL file in dir, for CA id 1. */
static int64_t
file_number(const char *dir)
{
	X509_CRL *crl = file_crl(dir, "1");
	int64_t n = crl != NULL ? number(crl) : 0;

	X509_CRL_free(crl);
	return n;
}

/* The base number a delta CRL completes (-1: not a delta). */
static int64_t
delta_base(X509_CRL *crl)
{
	ASN1_INTEGER *n = X509_CRL_get_ext_d2i(crl, NID_delta_crl, NULL, NULL);
	int64_t v = -1;
	int i = X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1);

	if (n == NULL)
		return -1;
	CHECK(ASN1_INTEGER_get_int64(&v, n) == 1);
	CHECK(X509_EXTENSION_get_critical(X509_CRL_get_ext(crl, i)) == 1);
	ASN1_INTEGER_free(n);
	return v;
}

/* The URL of crl's Freshest CRL extension ("" none). */
static const char *
freshest(X509_CRL *crl, char *buf, size_t bufsz)
{
	STACK_OF(DIST_POINT) *dp = X509_CRL_get_ext_d2i(crl, NID_freshest_crl,
	    NULL, NULL);
	GENERAL_NAME *gn;

	buf[0] = '\0';
	if (dp == NULL)
		return buf;
	gn = sk_GENERAL_NAME_value(sk_DIST_POINT_value(dp, 0)->distpoint->
	    name.fullname, 0);
	CHECK(gn->type == GEN_URI);
	snprintf(buf, bufsz, "%s", (const char *)ASN1_STRING_get0_data(
	    gn->d.uniformResourceIdentifier));
	sk_DIST_POINT_pop_free(dp, DIST_POINT_free);
	return buf;
}

static int
count_cb(const struct revoked_entry *e, void *arg)
{
	(void)e;
	(*(int *)arg)++;
	return 0;
}

/* How many changes CA 1's log holds. */
static int
changes(struct kit *k)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	int n = 0;

	E(db_begin(k->db, 0, &txn, &err));
	E(revoked_changes(txn, 1, count_cb, &n, &err));
	db_abort(txn);
	return n;
}

static void
test_delta_crls(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct crl_pair p;
	struct ca *ca;
	X509_CRL *full, *delta;
	char dir[128], url[256], path[200];
	time_t now = time(NULL);

	with_crl_dir(k, dir, sizeof(dir));
	EFAIL(settings_set(k->db, "crl_delta_min", "-1", &err), CE_INVAL,
	    "crl_delta_min");
	E(settings_set(k->db, "crl_delta_min", "2", &err));
	kit_issue(k, "alice", FMT_PEM, BODY("a.example.com"));
	kit_issue(k, "alice", FMT_PEM, BODY("b.example.com"));
	kit_issue(k, "alice", FMT_PEM, BODY("c.example.com"));
	/* no URL to name a delta at: full CRLs alone, however large */
	kit_revoke(k, "[1]", 1);
	kit_revoke(k, "[2]", 6);
	full = file_crl(dir, "1");
	CHECK(number(full) == 2 && crl_entries(full) == 2 &&
	    freshest(full, url, sizeof(url))[0] == '\0');
	CHECK(file_crl(dir, "1-delta") == NULL);
	X509_CRL_free(full);
	/* with one, the next full CRL names its delta and one comes with it:
	 * for every full CRL still valid (#1 on: cert 2's hold since #1) */
	E(ca_set_urls(k->db, ROOT, "http://pki.example.com/crl/1.crl", NULL,
	    &err));
	E(crl_publish(k->db, ROOT, 0, &err));
	full = file_crl(dir, "1");
	delta = file_crl(dir, "1-delta");
	CHECK(number(full) == 3 && crl_entries(full) == 2 && delta_base(full) == -1);
	CHECK(strcmp(freshest(full, url, sizeof(url)),
	    "http://pki.example.com/crl/1-delta.crl") == 0);
	CHECK(delta != NULL && number(delta) == 3 && delta_base(delta) == 1 &&
	    crl_entries(delta) == 1 && reason_of(k, delta, 2) == 6);
	X509_CRL_free(full);
	X509_CRL_free(delta);
	/* now a revocation makes a delta alone: the change, the next number */
	kit_revoke(k, "[3]", 4);
	CHECK(file_number(dir) == 3 && changes(k) == 2);
	delta = file_crl(dir, "1-delta");
	CHECK(number(delta) == 4 && delta_base(delta) == 1 &&
	    crl_entries(delta) == 2 && reason_of(k, delta, 3) == 4);
	X509_CRL_free(delta);
	/* a hold taken off: removeFromCRL, the other change still there; and
	 * a host whose full file is gone gets the recorded one beside it */
	snprintf(path, sizeof(path), "%s/1.crl", dir);
	CHECK(unlink(path) == 0);
	kit_revoke(k, "[2]", -1);
	delta = file_crl(dir, "1-delta");
	CHECK(number(delta) == 5 && delta_base(delta) == 1 &&
	    crl_entries(delta) == 2 && reason_of(k, delta, 3) == 4 &&
	    reason_of(k, delta, 2) == CRL_REASON_REMOVE_FROM_CRL &&
	    reason_of(k, delta, 1) == -2);
	X509_CRL_free(delta);
	CHECK(file_number(dir) == 3);
	/* the agent: not due, nothing new */
	E(crl_refresh_all(k->db, now + 60, &err));
	CHECK(file_number(dir) == 3 && number(delta = file_crl(dir,
	    "1-delta")) == 5);
	X509_CRL_free(delta);
	/* the delta half its validity old (crl_delta_validity 86400): the
	 * next delta */
	E(crl_refresh_all(k->db, now + 43200 + 5, &err));
	delta = file_crl(dir, "1-delta");
	CHECK(file_number(dir) == 3 && number(delta) == 6 &&
	    crl_entries(delta) == 2);
	X509_CRL_free(delta);
	/* the full one due: #7 as the list is (1 and 3); its delta still
	 * covers #1, which a relying party may hold until its nextUpdate */
	E(crl_refresh_all(k->db, now + 86400 + 5, &err));
	full = file_crl(dir, "1");
	delta = file_crl(dir, "1-delta");
	CHECK(number(full) == 7 && crl_entries(full) == 2 &&
	    reason_of(k, full, 1) == 1 && reason_of(k, full, 3) == 4 &&
	    reason_of(k, full, 2) == -2);
	CHECK(number(delta) == 7 && delta_base(delta) == 1 &&
	    crl_entries(delta) == 2);
	X509_CRL_free(full);
	X509_CRL_free(delta);
	/* deltas off: the next full CRL names none, but deltas go on while
	 * one that did is valid ... */
	E(settings_set(k->db, "crl_delta_min", "0", &err));
	E(crl_publish(k->db, ROOT, 0, &err));
	full = file_crl(dir, "1");
	CHECK(number(full) == 8 && freshest(full, url, sizeof(url))[0] == '\0');
	CHECK(number(delta = file_crl(dir, "1-delta")) == 8);
	X509_CRL_free(full);
	X509_CRL_free(delta);
	/* ... and stop, the log with them, once none is (a week on) */
	ca = root(k);
	E(crl_issue_local(k->db, ca, now + 2 * 604800, 0, &p, &err));
	CHECK(p.full != NULL && number(p.full) == 9 && p.delta == NULL &&
	    p.no_delta);
	CHECK(changes(k) == 0);
	crl_pair_free(&p);
	ca_free(ca);
}

static void
test_files_and_the_agents_round(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	char dir[128], path[160];
	time_t now = time(NULL);

	with_crl_dir(k, dir, sizeof(dir));
	kit_issue(k, "alice", FMT_PEM, BODY("a.example.com"));
	/* none yet: the round makes the first */
	E(crl_refresh_all(k->db, now, &err));
	CHECK(file_number(dir) == 1);
	/* a revocation publishes at once */
	kit_revoke(k, "[1]", 4);
	CHECK(file_number(dir) == 2);
	/* not due: the recorded one is written again, where it is gone */
	snprintf(path, sizeof(path), "%s/1.crl.pem", dir);
	CHECK(unlink(path) == 0);
	E(crl_refresh_all(k->db, now + 60, &err));
	CHECK(file_number(dir) == 2);
	/* due (crl_refresh, 86400 s): a new one */
	E(crl_refresh_all(k->db, now + 86400 + 5, &err));
	CHECK(file_number(dir) == 3);
	/* a revocation whose own CRL was not made (written here below the
	 * use case, as when the signer is away) marks the last one stale:
	 * the next round makes one, due or not */
	kit_issue(k, "alice", FMT_PEM, BODY("b.example.com"));
	revoke_below(k, 2, 1);
	E(crl_refresh_all(k->db, now + 60, &err));
	CHECK(file_number(dir) == 4);
	E(crl_refresh_all(k->db, now + 60, &err));
	CHECK(file_number(dir) == 4);
}

static void
test_certificates_carry_the_urls(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct cert c;
	X509 *x;
	STACK_OF(DIST_POINT) *cdp;
	AUTHORITY_INFO_ACCESS *aia;
	GENERAL_NAME *gn;
	int64_t id;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	EFAIL(ca_set_urls(k->db, ROOT, "ftp://x/crl", NULL, &err), CE_INVAL,
	    "--crl-url");
	EFAIL(ca_set_urls(k->db, ROOT, "http://a,b/", NULL, &err), CE_INVAL,
	    "--crl-url");
	EFAIL(ca_set_urls(k->db, ROOT, NULL, "http://x/\nocsp", &err),
	    CE_INVAL, "--ocsp-url");
	EFAIL(ca_set_urls(k->db, "host\\Nope", "http://x/1.crl", NULL, &err),
	    CE_NOTFOUND, "no CA");
	E(ca_set_urls(k->db, ROOT, "http://pki.example.com/crl/1.crl",
	    "http://pki.example.com/ocsp", &err));
	id = kit_issue(k, "alice", FMT_PEM, BODY("u.example.com"));
	E(db_begin(k->db, 0, &txn, &err));
	E(cert_get(txn, id, &c, &err));
	db_abort(txn);
	x = cert_x509(&c);
	cert_clear(&c);
	cdp = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	CHECK(cdp != NULL && sk_DIST_POINT_num(cdp) == 1);
	gn = sk_GENERAL_NAME_value(sk_DIST_POINT_value(cdp, 0)->distpoint->
	    name.fullname, 0);
	CHECK(gn->type == GEN_URI && strcmp((const char *)ASN1_STRING_get0_data(
	    gn->d.uniformResourceIdentifier),
	    "http://pki.example.com/crl/1.crl") == 0);
	sk_DIST_POINT_pop_free(cdp, DIST_POINT_free);
	aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
	CHECK(aia != NULL && sk_ACCESS_DESCRIPTION_num(aia) == 1);
	CHECK(OBJ_obj2nid(sk_ACCESS_DESCRIPTION_value(aia, 0)->method) ==
	    NID_ad_OCSP);
	AUTHORITY_INFO_ACCESS_free(aia);
	X509_free(x);
	/* removed: the next certificate has neither */
	E(ca_set_urls(k->db, ROOT, "", "", &err));
	id = kit_issue(k, "alice", FMT_PEM, BODY("v.example.com"));
	E(db_begin(k->db, 0, &txn, &err));
	E(cert_get(txn, id, &c, &err));
	db_abort(txn);
	x = cert_x509(&c);
	cert_clear(&c);
	CHECK(X509_get_ext_by_NID(x, NID_crl_distribution_points, -1) < 0);
	CHECK(X509_get_ext_by_NID(x, NID_info_access, -1) < 0);
	X509_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_made_from_the_revoked_list),
		KIT_TEST(test_files_and_the_agents_round),
		KIT_TEST(test_delta_crls),
		KIT_TEST(test_certificates_carry_the_urls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
