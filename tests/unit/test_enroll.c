/*
 * test_enroll.c - enroll: POST /Enrollment/PFX below the program.  A body
 * parsed with the endpoint's table goes through enroll_pfx(): issued and
 * answered in each format (PEM text, a PKCS#12 that opens with the
 * password given or generated, STORE keeping it as staging data), refused
 * naming the field and writing nothing, or recorded as pending when the
 * template wants approval, bounded per user and keeping only declared
 * fields and no password.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/pkcs12.h>

#include "b64.h"
#include "certdb.h"
#include "counts.h"
#include "enroll.h"
#include "kit.h"
#include "output.h"
#include "pemutil.h"
#include "staging.h"

#define ROOT	"host\\RootCA"
#define WEB	"{\"name\":\"WebServer\",\"keys\":[\"ECC-P-256\"],\"days\":30}"
#define APPR	"{\"name\":\"Approved\",\"keys\":[\"ECC-P-256\"]," \
		"\"require_approval\":true}"
#define BODY(more) "{\"Subject\":\"CN=www.example.com\",\"Template\":" \
		"\"WebServer\",\"KeyType\":\"ECC\",\"Timestamp\":" \
		"\"2026-01-01T00:00:00Z\"" more "}"
#define PW	",\"Password\":\"correct-horse-battery\""

static void
world(struct kit *k)
{
	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	kit_template(k, APPR);
}

static json_object *
info(json_object *resp, const char *key)
{
	json_object *ci, *v;

	CHECK(json_object_object_get_ex(resp, "CertificateInformation", &ci));
	CHECK(json_object_object_get_ex(ci, key, &v));
	return v;
}

static json_object *
cert_record(struct kit *k, int64_t id)
{
	json_object *rec = kit_record_id(k, T_CERTS, id);

	CHECK(rec != NULL);
	return rec;
}

static void
test_formats(void **state)
{
	static const struct {
		const char		*hdr;
		enum cert_format	 f;
	} good[] = {
		{ "PFX", FMT_PFX }, { "pfx", FMT_PFX }, { "PEM", FMT_PEM },
		{ "Pem", FMT_PEM }, { "zip", FMT_ZIP }, { "STORE", FMT_STORE },
		{ "Replace", FMT_REPLACE },
	};
	static const char *const bad[] = { "DER", "PFX ", " PEM", "P12", "JKS",
	    "STORES" };
	struct ce_error err;
	enum cert_format f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		E(cert_format_parse(good[i].hdr, &f, &err));
		CHECK(f == good[i].f);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EFAIL(cert_format_parse(bad[i], &f, &err), CE_INVAL,
		    "is not a supported format (PFX, PEM, ZIP, STORE, REPLACE).");
	EFAIL(cert_format_parse(NULL, &f, &err), CE_NOFORMAT,
	    "'X-CertificateFormat' header");
	EFAIL(cert_format_parse("", &f, &err), CE_NOFORMAT, "certificate format");
	CHECK(strcmp(cert_format_name(FMT_STORE), "STORE") == 0);
	CHECK(strcmp(cert_format_name(FMT__MAX), "?") == 0);
}

static void
test_pem(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_buf pem = { NULL, 0 };
	json_object *resp, *rec, *v;

	world(k);
	E(kit_enroll(k, "alice", FMT_PEM, BODY(PW ",\"SANs\":{\"dns\":"
	    "[\"a.example.com\"]}"), &resp, &err));
	CHECK(strcmp(json_object_get_string(info(resp, "RequestDisposition")),
	    "ISSUED") == 0);
	CHECK(json_object_get_int64(info(resp, "KeyfactorId")) == 1 &&
	    json_object_get_int64(info(resp, "KeyfactorRequestId")) == 1);
	CHECK(info(resp, "Password") == NULL);	/* the client's own */
	CHECK(strcmp(json_object_get_string(info(resp, "IssuerDN")),
	    "CN=RootCA") == 0);
	CHECK(json_object_object_get_ex(resp, "Metadata", &v) &&
	    json_object_object_length(v) == 0);
	CHECK(!json_object_object_get_ex(resp, "SuccessfulStores", NULL));
	/* the PEM text: the encrypted key first, then the certificate */
	CHECK(b64_decode(json_object_get_string(info(resp, "Pkcs12Blob")), &pem) ==
	    CE_OK);
	CHECK(strncmp((char *)pem.data, "-----BEGIN ENCRYPTED PRIVATE KEY-----",
	    37) == 0);
	CHECK(memmem(pem.data, pem.len, "-----BEGIN CERTIFICATE-----", 27) != NULL);
	buf_free(&pem);
	/* answered as recorded */
	rec = cert_record(k, 1);
	CHECK(strcmp(json_object_get_string(info(resp, "Thumbprint")),
	    json_object_get_string(json_object_object_get(rec, "thumbprint"))) == 0);
	CHECK(strcmp(json_object_get_string(info(resp, "SerialNumber")),
	    json_object_get_string(json_object_object_get(rec, "serial"))) == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec,
	    "requester")), "alice") == 0);
	CHECK(!json_object_get_boolean(json_object_object_get(rec,
	    "has_private_key")));
	json_object_put(rec);
	json_object_put(resp);
}

/* No password: one is made, returned, and opens the PKCS#12. */
static void
test_pfx(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_buf der = { NULL, 0 };
	json_object *resp, *rec;
	const unsigned char *p;
	const char *pw;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL, *recorded;
	PKCS12 *p12;

	world(k);
	kit_setting(k, "password_length", "20");
	E(kit_enroll(k, "alice", FMT_PFX, BODY(",\"Password\":\"\""), &resp, &err));
	CHECK((pw = json_object_get_string(info(resp, "Password"))) != NULL &&
	    strlen(pw) == 20);
	CHECK(b64_decode(json_object_get_string(info(resp, "Pkcs12Blob")), &der) ==
	    CE_OK);
	p = der.data;
	CHECK((p12 = d2i_PKCS12(NULL, &p, (long)der.len)) != NULL);
	CHECK(PKCS12_parse(p12, "wrong password", &key, &cert, NULL) != 1);
	CHECK(PKCS12_parse(p12, pw, &key, &cert, NULL) == 1);
	CHECK(X509_check_private_key(cert, key) == 1);
	rec = cert_record(k, json_object_get_int64(info(resp, "KeyfactorId")));
	CHECK((recorded = kit_cert_x509(rec)) != NULL && X509_cmp(recorded, cert)
	    == 0);
	X509_free(recorded);
	json_object_put(rec);
	PKCS12_free(p12);
	X509_free(cert);
	EVP_PKEY_free(key);
	buf_free(&der);
	json_object_put(resp);
}

/* STORE: no blob in the answer; the key waits for its owner's Deploy. */
static void
test_store(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct ce_buf pfx = { NULL, 0 };
	json_object *resp, *rec;
	int64_t id;

	world(k);
	E(kit_enroll(k, "alice", FMT_STORE, BODY(PW), &resp, &err));
	CHECK(info(resp, "Pkcs12Blob") == NULL);
	id = json_object_get_int64(info(resp, "KeyfactorId"));
	/* staged for Deploy, not kept for Recover: HasPrivateKey false */
	rec = cert_record(k, id);
	CHECK(!json_object_get_boolean(json_object_object_get(rec,
	    "has_private_key")));
	json_object_put(rec);
	E(db_begin(k->db, 0, &txn, &err));
	E(staging_get(k->db, txn, id, "alice", &pfx, &err));
	CHECK(pfx.len > 0);
	buf_free(&pfx);
	EFAIL(staging_get(k->db, txn, id, "bob", &pfx, &err), CE_NOKEY,
	    "another user");
	db_abort(txn);
	json_object_put(resp);
}

/* Bodies refused before anything is issued, and what they say. */
static const struct {
	const char	*setting, *value, *reset;	/* when not NULL */
	const char	*body, *says;
} refused[] = {
	{ NULL, NULL, NULL, "{\"Subject\":\"CN=a\",\"Template\":\"WebServer\"}",
	  "Timestamp: is required" },
	{ NULL, NULL, NULL, BODY(",\"Password\":\"short\""),
	  "Password: must be at least 12 characters long." },
	{ NULL, NULL, NULL, BODY(PW ",\"KeyType\":\"RSA\",\"KeyLength\":4096"),
	  "KeyType: RSA-4096 is not allowed by template 'WebServer'" },
	{ NULL, NULL, NULL, BODY(PW ",\"KeyLength\":1000"), "KeyLength" },
	{ NULL, NULL, NULL, BODY(PW ",\"Template\":\"Nope\""),
	  "Template: 'Nope' is not a known template" },
	{ NULL, NULL, NULL, BODY(PW ",\"CertificateAuthority\":\"host\\\\Nope\""),
	  "CertificateAuthority: 'host\\Nope' is not a known" },
	{ NULL, NULL, NULL, BODY(PW ",\"Subject\":\"CN=\\\"x\""), "Subject: " },
	{ NULL, NULL, NULL, BODY(PW ",\"SANs\":{\"ip4\":[\"300.1.1.1\"]}"),
	  "SANs.ip4: '300.1.1.1'" },
	/* no CN: "" for cn_regex, which by default wants one */
	{ NULL, NULL, NULL, BODY(PW ",\"Subject\":\"\",\"SANs\":{\"dns\":"
	  "[\"a.example.com\"]}"), "Subject: the common name '' does not "
	  "match the required pattern '.+'." },
	{ "cn_regex", ".*", ".+", BODY(PW ",\"Subject\":\"\""),
	  "Subject: a subject or at least one SAN is required." },
	{ NULL, NULL, NULL, BODY(PW ",\"ChainOrder\":\"sideways\""),
	  "ChainOrder: 'sideways' is not" },
	{ NULL, NULL, NULL, BODY(PW ",\"AlternativeKeyType\":\"RSA\""),
	  "AlternativeKeyType: 'RSA' is not supported." },
	{ NULL, NULL, NULL, BODY(PW ",\"Metadata\":{\"Owner\":\"x\"}"),
	  "Metadata.Owner: is not a defined field" },
	{ NULL, NULL, NULL, BODY(PW ",\"RenewalCertificateId\":99"),
	  "RenewalCertificateId: certificate 99 does not exist." },
	{ NULL, NULL, NULL, BODY(PW ",\"KeyLength\":\"many\""),
	  "KeyLength: expected an integer" },
	{ "cn_regex", "^[a-z.]+$", ".+", BODY(PW ",\"Subject\":\"CN=WWW.example.com\""),
	  "Subject: the common name" },
	{ "max_sans", "1", "100", BODY(PW ",\"SANs\":{\"dns\":[\"a.example.com\","
	  "\"b.example.com\"]}"), "SANs: 2 names exceed the limit of 1" },
	{ "max_rdns", "1", "32", BODY(PW ",\"Subject\":\"CN=a.example.com,O=x\""),
	  "Subject: 2 attributes exceed the limit of 1" },
	{ "require_friendly_name", "1", "0", BODY(PW),
	  "CustomFriendlyName: is required." },
};

static void
test_refused(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	json_object *resp;
	size_t i;

	world(k);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (refused[i].setting != NULL)
			kit_setting(k, refused[i].setting, refused[i].value);
		if (kit_enroll(k, "alice", FMT_PEM, refused[i].body, &resp, &err) !=
		    CE_INVAL || strstr(err.msg, refused[i].says) == NULL ||
		    resp != NULL)
			fail_msg("case %zu: got '%s', wanted '%s'", i, err.msg,
			    refused[i].says);
		if (refused[i].setting != NULL)
			kit_setting(k, refused[i].setting, refused[i].reset);
	}
	CHECK(kit_count(k, T_CERTS) == 0 && kit_count(k, T_REQUESTS) == 0);
	/* and the same body, put right, is issued */
	CHECK(kit_issue(k, "alice", FMT_PEM, BODY(PW)) == 1);
}

static void
test_pending(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *resp, *rec = NULL, *body;
	char key[DB_IDKEY_MAX];
	int64_t id, n;

	world(k);
	E(kit_enroll(k, "alice", FMT_PFX, BODY(",\"Template\":\"approved\","
	    "\"password\":\"correct-horse-battery\",\"Junk\":\"not kept\""),
	    &resp, &err));
	CHECK(strcmp(json_object_get_string(info(resp, "RequestDisposition")),
	    "PENDING") == 0);
	CHECK(json_object_get_int64(info(resp, "KeyfactorId")) == 0);
	CHECK(info(resp, "Pkcs12Blob") == NULL && info(resp, "Thumbprint") == NULL);
	id = json_object_get_int64(info(resp, "KeyfactorRequestId"));
	CHECK(id == 1);
	json_object_put(resp);
	CHECK(kit_count(k, T_CERTS) == 0);

	E(db_begin(k->db, 0, &txn, &err));
	E(db_get(txn, T_REQUESTS, db_idkey((uint64_t)id, key), &rec, &err));
	E(count_get(txn, T_PENDCOUNT, "alice", &n, &err));
	db_abort(txn);
	CHECK(n == 1);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec,
	    "state")), "PENDING") == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec,
	    "template")), "Approved") == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec,
	    "subject")), "CN=www.example.com") == 0);
	/* the body as sent, declared fields only, the password sealed apart */
	CHECK(json_object_object_get_ex(rec, "body", &body));
	CHECK(json_object_object_get_ex(body, "Subject", NULL));
	CHECK(!json_object_object_get_ex(body, "Junk", NULL));
	CHECK(!json_object_object_get_ex(body, "password", NULL));
	CHECK(strstr(json_object_to_json_string(rec), "correct-horse") == NULL);
	CHECK(json_object_object_get(rec, "sealed_password") != NULL);
	json_object_put(rec);

	/* at most max_pending_per_user each */
	kit_setting(k, "max_pending_per_user", "1");
	EFAIL(kit_enroll(k, "alice", FMT_PFX, BODY(PW ",\"Template\":\"Approved\""),
	    &resp, &err), CE_INVAL, "Pending requests: 1 already wait for "
	    "approval, the limit (max_pending_per_user in certenroll.conf) is 1.");
	CHECK(kit_count(k, T_REQUESTS) == 1);
	E(kit_enroll(k, "bob", FMT_PFX, BODY(PW ",\"Template\":\"Approved\""), &resp,
	    &err));
	json_object_put(resp);
	kit_setting(k, "max_pending_per_user", "0");
	EFAIL(kit_enroll(k, "carol", FMT_PFX, BODY(PW ",\"Template\":\"Approved\""),
	    &resp, &err), CE_INVAL, "the limit (max_pending_per_user in "
	    "certenroll.conf) is 0.");
	/* templates without approval are not bounded so */
	kit_issue(k, "alice", FMT_PEM, BODY(PW));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		KIT_TEST(test_pem),
		KIT_TEST(test_pfx),
		KIT_TEST(test_store),
		KIT_TEST(test_refused),
		KIT_TEST(test_pending),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
