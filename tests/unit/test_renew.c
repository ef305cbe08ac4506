/*
 * test_renew.c - renew: one-click renewal and what it offers.  A renewal
 * has the old certificate's subject, SANs and key type with a new key,
 * staged for the renewer with a password of its own; one-click only while
 * the old template and CA would still issue it without approval, else a
 * CA and template must be named, and the names are held to the template
 * renewed into.  Revoked and CA certificates are not renewed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "ca.h"
#include "certdb.h"
#include "kit.h"
#include "pemutil.h"
#include "renew.h"
#include "staging.h"

#define ROOT	"host\\RootCA"
#define WEB	"{\"name\":\"WebServer\",\"keys\":[\"ECC-P-256\",\"ECC-P-384\"]}"
#define STRICT	"{\"name\":\"Strict\",\"keys\":[\"ECC-P-384\"],\"names\":" \
		"{\"dns_suffixes\":[\"corp.example\"]}}"
#define APPR	"{\"name\":\"Approved\",\"keys\":[\"ECC-P-384\"]," \
		"\"require_approval\":true}"
#define ENROLL	"{\"Subject\":\"CN=www.example.com,O=Example\",\"Template\":" \
		"\"WebServer\",\"KeyType\":\"ECC\",\"Curve\":\"P-384\"," \
		"\"SANs\":{\"dns\":[\"alt.example.com\"]}," \
		"\"Timestamp\":\"2026-01-01T00:00:00Z\"}"
#define TS	"\"Timestamp\":\"2026-01-01T00:00:00Z\""

/* A CA, the templates, and alice's certificate 1. */
static void
world(struct kit *k)
{
	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	kit_template(k, STRICT);
	kit_template(k, APPR);
	kit_issue(k, "alice", FMT_PEM, ENROLL);
}

/* The renewal body (JSON) parsed with the endpoint's table and renewed
 * for user. */
static enum ce_err
renew(struct kit *k, const char *user, const char *body, json_object **resp,
    struct ce_error *err)
{
	struct renew_req req;
	json_object *b = kit_json(body);
	enum ce_err rc;

	memset(&req, 0, sizeof(req));
	*resp = NULL;
	ce_error_clear(err);
	if ((rc = fields_parse(renew_fields, renew_nfields, b, &req, err)) ==
	    CE_OK)
		rc = renew_certificate(k->db, user, &req, resp, err);
	json_object_put(b);
	return rc;
}

/* AvailableRenewalType of certificate id, its Message in why. */
static int
available(struct kit *k, int64_t id, char *why, size_t whysz)
{
	struct ce_error err;
	json_object *resp;
	int t;

	E(renew_available(k->db, id, NULL, &resp, &err));
	t = json_object_get_int(json_object_object_get(resp,
	    "AvailableRenewalType"));
	snprintf(why, whysz, "%s", json_object_get_string(json_object_object_get(
	    resp, "Message")));
	json_object_put(resp);
	return t;
}

static X509 *
cert_of(struct kit *k, int64_t id)
{
	json_object *rec = kit_record_id(k, T_CERTS, id);
	X509 *x;

	CHECK(rec != NULL && (x = kit_cert_x509(rec)) != NULL);
	json_object_put(rec);
	return x;
}

static void
test_renew(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct ce_buf pfx = { NULL, 0 };
	json_object *resp, *rec;
	GENERAL_NAMES *a, *b;
	X509 *old, *new;
	char why[CE_ERRMSG_MAX];

	world(k);
	CHECK(available(k, 1, why, sizeof(why)) == RENEWAL_ONE_CLICK);
	CHECK(strcmp(why, "The certificate can be renewed with one click.") == 0);
	/* bob renews alice's certificate: the new key is bob's to deploy */
	E(renew(k, "bob", "{\"CertificateId\":1," TS "}", &resp, &err));
	CHECK(json_object_get_int64(json_object_object_get(resp,
	    "KeyfactorId")) == 2);
	CHECK(strlen(json_object_get_string(json_object_object_get(resp,
	    "Password"))) == 16);
	CHECK(strcmp(json_object_get_string(json_object_object_get(resp,
	    "RequestDisposition")), "ISSUED") == 0);
	json_object_put(resp);
	old = cert_of(k, 1);
	new = cert_of(k, 2);
	CHECK(X509_NAME_cmp(X509_get_subject_name(old),
	    X509_get_subject_name(new)) == 0);
	CHECK(EVP_PKEY_eq(X509_get0_pubkey(old), X509_get0_pubkey(new)) != 1);
	CHECK(EVP_PKEY_get_bits(X509_get0_pubkey(new)) == 384);
	a = X509_get_ext_d2i(old, NID_subject_alt_name, NULL, NULL);
	b = X509_get_ext_d2i(new, NID_subject_alt_name, NULL, NULL);
	CHECK(a != NULL && b != NULL && sk_GENERAL_NAME_num(a) == 2 &&
	    sk_GENERAL_NAME_num(b) == 2 &&
	    GENERAL_NAME_cmp(sk_GENERAL_NAME_value(a, 1),
	    sk_GENERAL_NAME_value(b, 1)) == 0);
	GENERAL_NAMES_free(a);
	GENERAL_NAMES_free(b);
	X509_free(old);
	X509_free(new);
	rec = kit_record_id(k, T_CERTS, 2);
	CHECK(json_object_get_int64(json_object_object_get(rec, "renewal_of")) ==
	    1 && strcmp(json_object_get_string(json_object_object_get(rec,
	    "requester")), "bob") == 0);
	json_object_put(rec);
	E(db_begin(k->db, 0, &txn, &err));
	E(staging_get(k->db, txn, 2, "bob", &pfx, &err));
	buf_free(&pfx);
	EFAIL(staging_get(k->db, txn, 2, "alice", &pfx, &err), CE_NOKEY,
	    "another user");
	db_abort(txn);

	/* by thumbprint, in any case */
	old = cert_of(k, 1);
	{
		char tp[41], text[128];

		CHECK(x509_thumbprint(old, tp, sizeof(tp)) == CE_OK);
		tp[0] = (char)(tp[0] >= 'A' ? tp[0] + 32 : tp[0]);
		snprintf(text, sizeof(text), "{\"Thumbprint\":\"%s\"," TS "}", tp);
		E(renew(k, "alice", text, &resp, &err));
		json_object_put(resp);
	}
	X509_free(old);
	CHECK(kit_count(k, T_CERTS) == 3);
}

/* When the old template would no longer issue it as it is, or wants
 * approval: seeded only, and a renewal must name CA and template. */
static void
test_seeded(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	json_object *resp;
	char why[CE_ERRMSG_MAX];

	world(k);
	/* the template no longer takes P-384 keys */
	kit_put(k, T_TEMPLATES, "webserver", "{\"name\":\"WebServer\","
	    "\"keys\":[\"ECC-P-256\"]}");
	CHECK(available(k, 1, why, sizeof(why)) == RENEWAL_SEEDED_PFX);
	CHECK(strstr(why, "One-click renewal is not available: KeyType: "
	    "ECC-P-384 is not allowed") != NULL);
	EFAIL(renew(k, "alice", "{\"CertificateId\":1," TS "}", &resp, &err),
	    CE_INVAL, "CertificateAuthority and Template are required: One-click "
	    "renewal is not available");
	/* into a template that wants approval: through /Enrollment/PFX */
	EFAIL(renew(k, "alice", "{\"CertificateId\":1,\"Template\":\"Approved\","
	    "\"CertificateAuthority\":\"RootCA\"," TS "}", &resp, &err), CE_INVAL,
	    "Template: 'Approved' requires approval; renew through /Enrollment/PFX "
	    "instead.");
	/* into one whose name policy the old names do not meet */
	EFAIL(renew(k, "alice", "{\"CertificateId\":1,\"Template\":\"Strict\","
	    "\"CertificateAuthority\":\"RootCA\"," TS "}", &resp, &err), CE_INVAL,
	    "is outside the DNS suffixes of template 'Strict'");
	CHECK(kit_count(k, T_CERTS) == 1);
	/* the template wants approval now */
	kit_put(k, T_TEMPLATES, "webserver", "{\"name\":\"WebServer\","
	    "\"keys\":[\"ECC-P-384\"],\"require_approval\":true}");
	CHECK(available(k, 1, why, sizeof(why)) == RENEWAL_SEEDED_PFX);
	CHECK(strstr(why, "the template requires approval") != NULL);
}

static void
test_refused(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct ca *ca = NULL;
	json_object *resp, *rec;
	char why[CE_ERRMSG_MAX], tp[41], text[128];

	world(k);
	EFAIL(renew(k, "alice", "{" TS "}", &resp, &err), CE_INVAL,
	    "CertificateId: give either CertificateId or Thumbprint.");
	EFAIL(renew(k, "alice", "{\"CertificateId\":1,\"Thumbprint\":\""
	    "0123456789ABCDEF0123456789ABCDEF01234567\"," TS "}", &resp, &err),
	    CE_INVAL, "give either");
	EFAIL(renew(k, "alice", "{\"CertificateId\":-1," TS "}", &resp, &err),
	    CE_INVAL, "CertificateId: an id from 1 to 2147483647 (0 for none), "
	    "not -1.");
	EFAIL(renew(k, "alice", "{\"CertificateId\":9," TS "}", &resp, &err),
	    CE_NOTFOUND, "Certificate 9 was not found.");
	EFAIL(renew(k, "alice", "{\"CertificateId\":1}", &resp, &err), CE_INVAL,
	    "Timestamp: is required");
	/* a CA certificate */
	E(db_begin(k->db, 0, &txn, &err));
	E(ca_find(txn, ROOT, &ca, &err));
	db_abort(txn);
	CHECK(x509_thumbprint(ca->cert, tp, sizeof(tp)) == CE_OK);
	ca_free(ca);
	snprintf(text, sizeof(text), "{\"Thumbprint\":\"%s\"," TS "}", tp);
	EFAIL(renew(k, "alice", text, &resp, &err), CE_INVAL, "is a CA "
	    "certificate, which cannot be renewed here.");
	/* a revoked one */
	rec = kit_record_id(k, T_CERTS, 1);
	json_object_object_add(rec, "state", json_object_new_string("revoked"));
	kit_put(k, T_CERTS, "00000000000000000001", json_object_to_json_string(rec));
	json_object_put(rec);
	CHECK(available(k, 1, why, sizeof(why)) == RENEWAL_NONE);
	CHECK(strcmp(why, "The certificate is revoked.") == 0);
	EFAIL(renew(k, "alice", "{\"CertificateId\":1," TS "}", &resp, &err),
	    CE_INVAL, "The certificate cannot be renewed: The certificate is "
	    "revoked.");
	CHECK(kit_count(k, T_CERTS) == 1);
	EFAIL(renew_available(k->db, 9, NULL, &resp, &err), CE_NOTFOUND,
	    "Certificate 9 was not found.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_renew),
		KIT_TEST(test_seeded),
		KIT_TEST(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
