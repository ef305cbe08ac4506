/*
 * test_certdb.c - certdb: the records of an issued certificate.  One
 * durable write holds the certificate record, its request (new, or the
 * one in approval, now ISSUED and no longer counted as pending), the
 * thumbprint and serial indexes and any staging data; a request not in
 * approval, or a failing step, writes nothing.  Lookups by id and by
 * thumbprint, and the X509 back from a record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "ca.h"
#include "certdb.h"
#include "staging.h"
#include "counts.h"
#include "issue.h"
#include "kit.h"
#include "pemutil.h"
#include "policy.h"
#include "timeutil.h"
#include "x500.h"

#define ROOT	"host\\RootCA"
#define WEB	"{\"name\":\"WebServer\",\"keys\":[\"ECC-P-256\"],\"days\":30}"
#define REQ10(state) "{\"id\":10,\"state\":\"" state "\",\"requester\":" \
		"\"bob\",\"subject\":\"CN=www.example.com\"," \
		"\"sealed_password\":\"xx\"}"

struct issuance {
	struct policy	 p;
	struct key_spec	 spec;
	X509		*cert;
	struct issued	 in;
};

/* A certificate for subject, issued through issue_certificate(), and the
 * struct issued that would record it for requester. */
static void
issue(struct kit *k, const char *subject, const char *requester,
    struct issuance *is)
{
	struct ce_error err;
	struct issue_in in;
	X509_NAME *name = NULL;
	EVP_PKEY *key = NULL;

	memset(is, 0, sizeof(*is));
	kit_policy(k, "WebServer", 0, ROOT, &is->p);
	E(key_spec_parse_word("ECC-P-256", &is->spec, &err));
	E(key_generate(&is->spec, &key, &err));
	E(x500_parse(subject, &name, &err));
	memset(&in, 0, sizeof(in));
	in.policy = &is->p;
	in.subject = name;
	in.key = key;
	in.spec = &is->spec;
	in.requester = requester;
	E(issue_certificate(k->db, &in, &is->cert, &err));
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	is->in.cert = is->cert;
	is->in.requester = requester;
	is->in.template = is->p.template_name;
	is->in.pattern_id = is->p.pattern_id;
	is->in.ca = is->p.ca->name;
	is->in.spec = &is->spec;
}

static void
issuance_free(struct issuance *is)
{
	X509_free(is->cert);
	policy_clear(&is->p);
}

static const char *
str(json_object *rec, const char *key)
{
	json_object *v;

	CHECK(json_object_object_get_ex(rec, key, &v));
	return json_object_get_string(v);
}

static void
test_commit(void **state)
{
	struct kit *k = *state;
	struct issuance is;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec, *req, *meta = kit_json("{\"Owner\":\"a@b.example\"}");
	struct cert c;
	char tp[41], serial[64], lower[41];
	int64_t cid, rid, id;
	time_t nb, na;
	X509 *back;
	size_t i;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	issue(k, "CN=www.example.com,O=Example", "alice", &is);
	is.in.metadata = meta;
	is.in.friendly_name = "web";
	E(certdb_commit_issued(k->db, &is.in, &cid, &rid, &err));
	CHECK(cid == 1 && rid == 1);

	CHECK(x509_thumbprint(is.cert, tp, sizeof(tp)) == CE_OK);
	CHECK(x509_serial_hex(is.cert, serial, sizeof(serial)) == CE_OK);
	CHECK(time_from_asn1(X509_get0_notBefore(is.cert), &nb) == 0 &&
	    time_from_asn1(X509_get0_notAfter(is.cert), &na) == 0);
	E(db_begin(k->db, 0, &txn, &err));
	E(cert_get(txn, cid, &c, &err));
	db_abort(txn);
	CHECK(c.id == cid);
	CHECK(strcmp(c.thumbprint, tp) == 0);
	CHECK(strcmp(c.serial, serial) == 0);
	CHECK(strcmp(c.subject, "CN=www.example.com, O=Example") == 0);
	CHECK(strcmp(c.cn, "www.example.com") == 0);
	CHECK(strcmp(c.issuer, "CN=RootCA") == 0);
	CHECK(strcmp(c.template_name, "WebServer") == 0);
	CHECK(strcmp(c.ca, ROOT) == 0);
	CHECK(strcmp(c.requester, "alice") == 0);
	CHECK(strcmp(c.friendly_name, "web") == 0);
	CHECK(strcmp(c.key_type, "ECC") == 0);
	CHECK(strcmp(c.curve, "1.2.840.10045.3.1.7") == 0);
	CHECK(c.state == CERT_ACTIVE);
	CHECK(c.key_bits == 256);
	CHECK(c.not_before == nb && c.not_after == na);
	CHECK(c.request_id == rid);
	CHECK(c.pattern_id == is.p.pattern_id);
	CHECK(!c.has_private_key);
	CHECK(c.renewal_of == 0);
	CHECK(c.facts != NULL &&
	    json_object_object_get(c.facts, "KeyTypeString") != NULL);
	CHECK(json_object_equal(c.metadata, meta));
	CHECK((back = cert_x509(&c)) != NULL && X509_cmp(back, is.cert) == 0);
	X509_free(back);
	cert_clear(&c);
	/* as stored: the record's own field names */
	rec = kit_record_id(k, T_CERTS, cid);
	CHECK(strcmp(str(rec, "state"), "active") == 0);
	CHECK(strcmp(str(rec, "key_bits"), "256") == 0);
	CHECK(json_object_object_get(rec, "renewal_of") == NULL);
	json_object_put(rec);

	/* its request, issued at once */
	req = kit_record_id(k, T_REQUESTS, rid);
	CHECK(strcmp(str(req, "state"), "ISSUED") == 0);
	CHECK(json_object_get_int64(json_object_object_get(req, "cert_id")) == cid);
	CHECK(strcmp(str(req, "requester"), "alice") == 0);
	CHECK(strcmp(str(req, "subject"), "CN=www.example.com, O=Example") == 0);
	CHECK(json_object_object_get(req, "approved_by") == NULL);
	json_object_put(req);

	/* found by thumbprint, in any case; the serial index too */
	for (i = 0; i < 40; i++)
		lower[i] = (char)(tp[i] >= 'A' ? tp[i] + 32 : tp[i]);
	lower[40] = '\0';
	E(db_begin(k->db, 0, &txn, &err));
	E(cert_by_thumbprint(txn, tp, &id, &err));
	CHECK(id == cid);
	id = 0;
	E(cert_by_thumbprint(txn, lower, &id, &err));
	CHECK(id == cid);
	id = 0;
	E(cert_by_serial(txn, serial, &id, &err));
	CHECK(id == cid);
	E(cert_by_serial(txn, "ABCDEF", &id, &err));
	CHECK(id == 0);
	db_abort(txn);
	issuance_free(&is);

	/* the next: new ids, a record with no metadata has an empty one */
	issue(k, "CN=two.example.com", "bob", &is);
	E(certdb_commit_issued(k->db, &is.in, &cid, &rid, &err));
	CHECK(cid == 2 && rid == 2);
	rec = kit_record_id(k, T_CERTS, cid);
	CHECK(json_object_object_length(json_object_object_get(rec,
	    "metadata")) == 0);
	CHECK(json_object_object_get(rec, "friendly_name") == NULL);
	json_object_put(rec);
	issuance_free(&is);
	json_object_put(meta);
}

static void
test_lookups(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct cert c;
	json_object *rec = NULL;
	int64_t id = 0;

	E(db_begin(k->db, 0, &txn, &err));
	EFAIL(cert_get(txn, 99, &c, &err), CE_NOTFOUND,
	    "Certificate 99 was not found.");
	EFAIL(cert_get(txn, 0, &c, &err), CE_NOTFOUND, "Certificate 0");
	EFAIL(cert_get(txn, -5, &c, &err), CE_NOTFOUND, "Certificate -5");
	CHECK(c.thumbprint == NULL && c.id == 0);
	EFAIL(cert_by_thumbprint(txn,
	    "0123456789ABCDEF0123456789ABCDEF01234567", &id, &err), CE_NOTFOUND,
	    "No certificate with thumbprint 0123456789ABCDEF0123456789ABCDEF01234567 "
	    "was found.");
	EFAIL(cert_by_thumbprint(txn, "0123", &id, &err), CE_INVAL,
	    "Thumbprint: '0123' is not 40 hexadecimal digits.");
	EFAIL(cert_by_thumbprint(txn,
	    "0123456789ABCDEF0123456789ABCDEF0123456Z", &id, &err), CE_INVAL,
	    "is not 40 hexadecimal digits");
	CHECK(id == 0);
	db_abort(txn);
	rec = kit_json("{\"der\":\"not base64!\"}");
	cert_from_record(rec, &c);
	CHECK(cert_x509(&c) == NULL);
	cert_clear(&c);
	json_object_put(rec);
	rec = kit_json("{\"der\":\"AAAA\",\"state\":\"revoked\"}");
	cert_from_record(rec, &c);
	CHECK(cert_x509(&c) == NULL && c.state == CERT_REVOKED);
	cert_clear(&c);
	json_object_put(rec);
	cert_from_record(NULL, &c);
	CHECK(cert_x509(&c) == NULL);
	cert_clear(&c);
}

/* The key kept for Deploy goes in the same write. */
static void
test_staged(void **state)
{
	struct kit *k = *state;
	struct ce_buf pfx = { (unsigned char *)"pkcs12", 6 }, out = { NULL, 0 };
	struct issuance is;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec;
	int64_t cid, rid;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	issue(k, "CN=www.example.com", "alice", &is);
	is.in.staged_pfx = &pfx;
	is.in.staging_expires = time(NULL) + 300;
	E(certdb_commit_issued(k->db, &is.in, &cid, &rid, &err));
	/* staged for Deploy is not kept for Recover (retained.h) */
	rec = kit_record_id(k, T_CERTS, cid);
	CHECK(!json_object_get_boolean(json_object_object_get(rec,
	    "has_private_key")));
	json_object_put(rec);
	E(db_begin(k->db, 0, &txn, &err));
	E(staging_get(k->db, txn, cid, "alice", &out, &err));
	db_abort(txn);
	CHECK(out.len == 6 && memcmp(out.data, "pkcs12", 6) == 0);
	buf_free(&out);
	issuance_free(&is);
}

/* A request that was pending: only one in approval is issued, and then it
 * no longer counts against its requester. */
static void
test_approved(void **state)
{
	struct kit *k = *state;
	struct issuance is;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec;
	char key[DB_IDKEY_MAX];
	int64_t cid, rid, n;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	kit_put(k, T_REQUESTS, db_idkey(10, key), REQ10("PENDING"));
	E(db_begin(k->db, 1, &txn, &err));
	E(count_add(txn, T_PENDCOUNT, "bob", 1, &err));
	E(db_commit(txn, &err));

	issue(k, "CN=www.example.com", "bob", &is);
	is.in.request_id = 10;
	is.in.approver = "carol";
	EFAIL(certdb_commit_issued(k->db, &is.in, &cid, &rid, &err),
	    CE_CONFLICT, "Request 10 is not being approved.");
	CHECK(kit_count(k, T_CERTS) == 0 && kit_count(k, T_BY_THUMB) == 0);

	kit_put(k, T_REQUESTS, db_idkey(10, key), REQ10("APPROVING"));
	E(certdb_commit_issued(k->db, &is.in, &cid, &rid, &err));
	/* LMDB gives back the id the refused commit took; a PostgreSQL
	 * sequence never does (db.h: a gap, never a repeat) */
	CHECK((kit_on_postgresql() ? cid == 2 : cid == 1) && rid == 10);
	rec = kit_record_id(k, T_REQUESTS, 10);
	CHECK(strcmp(str(rec, "state"), "ISSUED") == 0);
	CHECK(strcmp(str(rec, "approved_by"), "carol") == 0);
	CHECK(json_object_get_int64(json_object_object_get(rec, "cert_id")) ==
	    cid);
	CHECK(json_object_object_get(rec, "sealed_password") == NULL);
	json_object_put(rec);
	rec = kit_record_id(k, T_CERTS, cid);
	CHECK(json_object_get_int64(json_object_object_get(rec, "request_id")) ==
	    10);
	json_object_put(rec);
	E(db_begin(k->db, 0, &txn, &err));
	E(count_get(txn, T_PENDCOUNT, "bob", &n, &err));
	db_abort(txn);
	CHECK(n == 0);
	/* issued: not again */
	EFAIL(certdb_commit_issued(k->db, &is.in, &cid, &rid, &err),
	    CE_CONFLICT, "Request 10 is not being approved.");
	CHECK(kit_count(k, T_CERTS) == 1);
	/* an unknown request */
	is.in.request_id = 11;
	EFAIL(certdb_commit_issued(k->db, &is.in, &cid, &rid, &err),
	    CE_NOTFOUND, "");
	issuance_free(&is);
}

static enum ce_err
fail_in_txn(struct ce_db *db, struct ce_txn *txn, int64_t cert_id, void *arg,
    struct ce_error *err)
{
	(void)db;
	(void)txn;
	*(int64_t *)arg = cert_id;
	return ce_fail(err, CE_INVAL, "Stores: no such store");
}

/* A step that fails in the transaction undoes the whole issuance. */
static void
test_all_or_nothing(void **state)
{
	struct kit *k = *state;
	struct issuance is;
	struct ce_error err;
	int64_t cid = 0, rid = 0, seen = 0;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	issue(k, "CN=www.example.com", "alice", &is);
	is.in.in_txn = fail_in_txn;
	is.in.in_txn_arg = &seen;
	EFAIL(certdb_commit_issued(k->db, &is.in, &cid, &rid, &err), CE_INVAL,
	    "Stores: no such store");
	CHECK(seen == 1 && cid == 0 && rid == 0);
	CHECK(kit_count(k, T_CERTS) == 0 && kit_count(k, T_REQUESTS) == 0 &&
	    kit_count(k, T_BY_THUMB) == 0 && kit_count(k, T_BY_SERIAL) == 0);
	/* and the ids it took are taken again (LMDB), or skipped, never
	 * repeated (a PostgreSQL sequence) */
	is.in.in_txn = NULL;
	E(certdb_commit_issued(k->db, &is.in, &cid, &rid, &err));
	if (kit_on_postgresql())
		CHECK(cid == 2 && rid == 2);
	else
		CHECK(cid == 1 && rid == 1);
	issuance_free(&is);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_commit),
		KIT_TEST(test_lookups),
		KIT_TEST(test_staged),
		KIT_TEST(test_approved),
		KIT_TEST(test_all_or_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
