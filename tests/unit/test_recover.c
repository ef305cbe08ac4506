/*
 * test_recover.c - POST /Certificates/Recover below the program
 * (recover.h) and the key retention behind it (policy.h): a template that
 * keeps keys keeps the key of each certificate it issues, and gives it back
 * as PFX, PEM or ZIP under the caller's password; one that keeps none, a
 * time that is past and a missing password or format are refused; the
 * certificate view says whether a key is kept; a revoked certificate's key
 * still recovers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "b64.h"
#include "certview.h"
#include "kit.h"
#include "policy.h"
#include "recover.h"
#include "retained.h"
#include "jbuild.h"
#include <time.h>

#define KEEP	"{\"name\":\"Kept\",\"keys\":[\"ECC-P-256\"]," \
		"\"key_usage\":[\"keyEncipherment\"],\"eku\":[\"clientAuth\"]," \
		"\"key_retention\":\"Indefinite\"}"
#define KEPT_BODY(cn) "{\"Subject\":\"CN=" cn "\",\"Template\":" \
		"\"Kept\",\"KeyType\":\"ECC\",\"Timestamp\":" \
		"\"2026-01-01T00:00:00Z\"}"
#define PW	"correct horse battery"

static void
world(struct kit *k)
{
	kit_ca(k, KIT_ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, KIT_WEB);
	kit_template(k, KEEP);
}

static enum ce_err
recover(struct kit *k, int64_t id, enum recover_format fmt, const char *pw,
    json_object **resp, struct ce_error *err)
{
	struct recover_input in;

	memset(&in, 0, sizeof(in));
	in.who.id = id;
	in.format = fmt;
	in.password = pw;
	in.include_chain = 1;
	in.user = "keeper";
	ce_error_clear(err);
	return cert_recover(k->db, &in, resp, err);
}

/* The bytes of the answer's "PFX". */
static void
answer_bytes(json_object *resp, struct ce_buf *out)
{
	CHECK(b64_decode(kit_jstr(resp, "PFX"), out) == CE_OK);
}

static int
has_private_key(struct kit *k, int64_t id)
{
	struct certview_opts o;
	struct ce_error err;
	json_object *v;
	char ids[24];
	int has;

	memset(&o, 0, sizeof(o));
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	E(certview_get(k->db, ids, &o, &v, &err));
	has = json_object_get_boolean(json_object_object_get(v, "HasPrivateKey"));
	CHECK(has == json_object_get_boolean(json_object_object_get(v,
	    "KeyRecoverable")));
	json_object_put(v);
	return has;
}

static void
test_pfx(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_buf der = { NULL, 0 };
	const unsigned char *p;
	json_object *resp = NULL, *rec;
	PKCS12 *p12;
	EVP_PKEY *key = NULL;
	X509 *leaf = NULL, *issued;
	STACK_OF(X509) *ca = NULL;
	int64_t id;

	world(k);
	id = kit_issue(k, "alice", FMT_PEM, KEPT_BODY("kept.example.com"));
	CHECK(has_private_key(k, id));
	E(recover(k, id, RECOVER_PFX, PW, &resp, &err));
	CHECK(strcmp(kit_jstr(resp, "FileName"), "kept.example.com.pfx") == 0);
	answer_bytes(resp, &der);
	p = der.data;
	CHECK((p12 = d2i_PKCS12(NULL, &p, (long)der.len)) != NULL);
	CHECK(PKCS12_parse(p12, "wrong password", &key, &leaf, &ca) == 0);
	CHECK(PKCS12_parse(p12, PW, &key, &leaf, &ca) == 1);
	/* the certificate issued, its key, and the chain */
	rec = kit_record_id(k, T_CERTS, id);
	issued = kit_cert_x509(rec);
	CHECK(X509_cmp(leaf, issued) == 0);
	CHECK(X509_check_private_key(leaf, key) == 1);
	CHECK(sk_X509_num(ca) == 1);
	X509_free(issued);
	json_object_put(rec);
	PKCS12_free(p12);
	EVP_PKEY_free(key);
	X509_free(leaf);
	sk_X509_pop_free(ca, X509_free);
	buf_free(&der);
	json_object_put(resp);
}

static void
test_pem_zip(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_buf text = { NULL, 0 };
	json_object *resp = NULL;
	EVP_PKEY *key;
	BIO *bio;
	int64_t id;

	world(k);
	id = kit_issue(k, "alice", FMT_ZIP, KEPT_BODY("a b/../c"));
	E(recover(k, id, RECOVER_PEM, PW, &resp, &err));
	CHECK(strcmp(kit_jstr(resp, "FileName"), "a_b_.._c.pem") == 0);
	answer_bytes(resp, &text);
	CHECK(memmem(text.data, text.len, "ENCRYPTED PRIVATE KEY", 21) != NULL);
	CHECK(memmem(text.data, text.len, "BEGIN PRIVATE KEY", 17) == NULL);
	bio = BIO_new_mem_buf(text.data, (int)text.len);
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)PW);
	CHECK(key != NULL);
	EVP_PKEY_free(key);
	BIO_free(bio);
	buf_free(&text);
	json_object_put(resp);
	E(recover(k, id, RECOVER_ZIP, PW, &resp, &err));
	CHECK(strcmp(kit_jstr(resp, "FileName"), "a_b_.._c.zip") == 0);
	answer_bytes(resp, &text);
	CHECK(text.len > 4 && memcmp(text.data, "PK\003\004", 4) == 0);
	buf_free(&text);
	json_object_put(resp);
}

static void
test_refused(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	enum recover_format f;
	json_object *resp = NULL;
	int64_t plain, kept;

	world(k);
	plain = kit_issue(k, "alice", FMT_PFX, KIT_BODY("plain.example.com"));
	kept = kit_issue(k, "alice", FMT_PFX, KEPT_BODY("kept.example.com"));
	CHECK(!has_private_key(k, plain));
	CHECK(kit_count(k, T_RETAINED) == 1);
	EFAIL(recover(k, plain, RECOVER_PFX, PW, &resp, &err), CE_NOKEY,
	    "No private key could be found for the given certificate.");
	EFAIL(recover(k, 99, RECOVER_PFX, PW, &resp, &err), CE_NOTFOUND, "99");
	EFAIL(recover(k, kept, RECOVER_PFX, NULL, &resp, &err), CE_INVAL,
	    "Password: required");
	EFAIL(recover(k, kept, RECOVER_PFX, "", &resp, &err), CE_INVAL,
	    "Password: required");
	EFAIL(recover(k, kept, RECOVER_PFX, "short", &resp, &err), CE_INVAL,
	    "Password: must be at least");
	EFAIL(recover(k, 0, RECOVER_PFX, PW, &resp, &err), CE_INVAL,
	    "one is required to name the certificate");
	CHECK(resp == NULL);
	EFAIL(recover_format_parse(NULL, &f, &err), CE_NOFORMAT,
	    "'X-CertificateFormat' header");
	EFAIL(recover_format_parse("JKS", &f, &err), CE_INVAL, "PFX, PEM, ZIP");
	E(recover_format_parse("zip", &f, &err));
	CHECK(f == RECOVER_ZIP);
	/* revoked: the key is still there to read what was encrypted to it */
	kit_revoke(k, "[2]", 1);
	E(recover(k, kept, RECOVER_PFX, PW, &resp, &err));
	json_object_put(resp);
}

/* A key kept until a time: gone from the view and from Recover once the
 * time is past, and deleted by the purge. */
static void
test_until(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	json_object *resp = NULL, *rec;
	int64_t id, until;
	int n;

	kit_ca(k, KIT_ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, "{\"name\":\"Kept\",\"keys\":[\"ECC-P-256\"],"
	    "\"key_retention\":\"from-issuance\",\"key_retention_days\":2}");
	id = kit_issue(k, "alice", FMT_PFX, KEPT_BODY("soon.example.com"));
	rec = kit_record_id(k, T_RETAINED, id);
	until = kit_jint(rec, "until");
	json_object_put(rec);
	CHECK(until > time(NULL) + 2 * 86400 - 60 &&
	    until <= time(NULL) + 2 * 86400);
	CHECK(has_private_key(k, id));
	E(retained_purge(k->db, until - 1, &n, &err));
	CHECK(n == 0);
	E(recover(k, id, RECOVER_PFX, PW, &resp, &err));
	json_object_put(resp);
	E(retained_purge(k->db, until, &n, &err));
	CHECK(n == 1);
	EFAIL(recover(k, id, RECOVER_PFX, PW, &resp, &err), CE_NOKEY,
	    "No private key");
}

/* A record from before key retention said has_private_key of a key staged
 * for Deploy: it does not claim a kept key. */
static void
test_old_records(void **state)
{
	struct kit *k = *state;
	json_object *rec;
	char key[DB_IDKEY_MAX];
	int64_t id;

	world(k);
	id = kit_issue(k, "alice", FMT_PFX, KIT_BODY("old.example.com"));
	rec = kit_record_id(k, T_CERTS, id);
	json_object_object_add(rec, "has_private_key", json_object_new_boolean(1));
	json_object_object_del(rec, "key_until");
	kit_put(k, T_CERTS, db_idkey((uint64_t)id, key),
	    json_object_to_json_string(rec));
	json_object_put(rec);
	CHECK(!has_private_key(k, id));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_pfx),
		KIT_TEST(test_pem_zip),
		KIT_TEST(test_refused),
		KIT_TEST(test_until),
		KIT_TEST(test_old_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
