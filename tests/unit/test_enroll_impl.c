/*
 * test_enroll_impl.c - enroll_impl: the lib-internal half of enrollment
 * that enroll_pfx(), approval and renewal share.  Generated passwords
 * (length, alphabet without look-alikes, every letter used, no two the
 * same) and enroll_validate() filling and clearing the validated work;
 * CSRs (enroll.h): PEM and bare base64 read, a bad signature or garbage
 * refused, the CSR's SANs merged with the request's, and enroll_csr's
 * answer for the CSR's own key.
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
#include <openssl/x509v3.h>

#include "b64.h"
#include "enroll_impl.h"
#include "kit.h"
#include "pemutil.h"

#define ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

static void
test_password(void **state)
{
	struct ce_error err;
	char pw[64][PASSWORD_MAX], seen[256];
	size_t i, j, n;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 64; i++) {
		n = 1 + i * 2;
		E(password_generate(pw[i], n, &err));
		CHECK(strlen(pw[i]) == n);
		for (j = 0; j < n; j++) {
			if (strchr(ALPHABET, pw[i][j]) == NULL)
				fail_msg("'%c' in %s", pw[i][j], pw[i]);
			seen[(unsigned char)pw[i][j]] = 1;
		}
		for (j = 0; j < i; j++)
			CHECK(i < 8 || strncmp(pw[i], pw[j], 16) != 0);
	}
	/* 4000 characters: each of the 57 comes up */
	for (i = 0; i < strlen(ALPHABET); i++)
		if (!seen[(unsigned char)ALPHABET[i]])
			fail_msg("'%c' never generated", ALPHABET[i]);
	E(password_generate(pw[0], 0, &err));
	CHECK(pw[0][0] == '\0');
}

/* What enroll_validate() resolves, and enroll_work_clear() forgets. */
static void
test_validate(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct enroll_req req;
	struct enroll_ctx ctx = { "alice", 1, FMT_PEM, NULL, 0, NULL, 0 };
	struct enroll_work w;
	json_object *body;

	kit_ca(k, "host\\RootCA", "ECC-P-256", 3650, NULL);
	kit_template(k, "{\"name\":\"WebServer\",\"keys\":[\"ECC-P-384\"]}");
	body = kit_json("{\"Subject\":\"CN=www.example.com\",\"Template\":"
	    "\"webserver\",\"KeyType\":\"ECC\",\"KeyLength\":384,"
	    "\"ChainOrder\":\"RootFirst\",\"IncludeChain\":true,"
	    "\"Timestamp\":\"2026-01-01T00:00:00Z\",\"Password\":\"long enough pw\"}");
	memset(&req, 0, sizeof(req));
	E(fields_parse(enroll_fields, enroll_nfields, body, &req, &err));
	ctx.body = body;
	E(enroll_validate(k->db, &ctx, &req, &w, &err));
	CHECK(strcmp(w.pol.template_name, "WebServer") == 0);
	CHECK(w.spec.type == KEY_ECC && w.spec.bits == 384);
	CHECK(strcmp(w.cn, "www.example.com") == 0);
	CHECK(strcmp(w.password, "long enough pw") == 0 && !w.password_generated);
	CHECK(w.order == CHAIN_ROOT_FIRST && w.include_chain);
	enroll_work_clear(&w);
	CHECK(w.subject == NULL && w.pol.tmpl == NULL && w.password[0] == '\0');
	/* a refusal leaves nothing to clear */
	json_object_object_add(body, "KeyLength", json_object_new_int(256));
	memset(&req, 0, sizeof(req));
	E(fields_parse(enroll_fields, enroll_nfields, body, &req, &err));
	EFAIL(enroll_validate(k->db, &ctx, &req, &w, &err), CE_INVAL,
	    "KeyType: ECC-P-256 is not allowed");
	CHECK(w.subject == NULL && w.pol.tmpl == NULL);
	json_object_put(body);
}

/* A CSR for CN=cn with one DNS SAN, signed by *key (made, caller frees). */
static X509_REQ *
make_csr(const char *cn, const char *dns, EVP_PKEY **key)
{
	X509_REQ *req = X509_REQ_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *san;
	char v[128];

	CHECK((*key = EVP_EC_gen("P-256")) != NULL && req != NULL && exts);
	CHECK(X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN",
	    MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) == 1);
	snprintf(v, sizeof(v), "DNS:%s", dns);
	CHECK((san = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
	    v)) != NULL && sk_X509_EXTENSION_push(exts, san));
	CHECK(X509_REQ_add_extensions(req, exts) == 1);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	CHECK(X509_REQ_set_pubkey(req, *key) == 1 &&
	    X509_REQ_sign(req, *key, EVP_sha256()) > 0);
	return req;
}

static char *
csr_pem(X509_REQ *req)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	CHECK(b != NULL && PEM_write_bio_X509_REQ(b, req) == 1);
	n = BIO_get_mem_data(b, &p);
	CHECK((out = strndup(p, (size_t)n)) != NULL);
	BIO_free(b);
	return out;
}

static void
test_csr(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct enroll_req req;
	struct enroll_ctx ctx = { "alice", 1, FMT_PEM, NULL, 0, NULL, 0 };
	EVP_PKEY *key;
	X509_REQ *csr = make_csr("csr.example.com", "csr.example.com", &key), *got;
	unsigned char *der = NULL;
	json_object *body, *resp = NULL, *sans = NULL, *ci;
	char *pem = csr_pem(csr), *b64, *subject = NULL;
	int n;

	/* PEM, and bare base64 DER */
	E(csr_parse(pem, &got, &err));
	X509_REQ_free(got);
	CHECK((n = i2d_X509_REQ(csr, &der)) > 0);
	CHECK((b64 = b64_encode(der, (size_t)n)) != NULL);
	E(csr_parse(b64, &got, &err));
	X509_REQ_free(got);
	/* a flipped bit of the signature */
	der[n - 3] ^= 1;
	free(b64);
	CHECK((b64 = b64_encode(der, (size_t)n)) != NULL);
	EFAIL(csr_parse(b64, &got, &err), CE_INVAL, "signature");
	EFAIL(csr_parse("-----BEGIN CERTIFICATE REQUEST-----\nnope\n", &got,
	    &err), CE_INVAL, "PKCS#10");
	EFAIL(csr_parse("!!!", &got, &err), CE_INVAL, "CSR");
	/* the request's SANs first, the CSR's added, none twice */
	body = kit_json("{\"dns\":[\"a.example.com\",\"CSR.example.com\"]}");
	E(csr_names(csr, body, 100, &subject, &sans, &err));
	json_object_put(body);
	CHECK(strcmp(subject, "CN=csr.example.com") == 0);
	CHECK(strcmp(json_object_to_json_string_ext(sans, JSON_C_TO_STRING_PLAIN),
	    "{\"dns\":[\"a.example.com\",\"CSR.example.com\"]}") == 0);
	free(subject);
	json_object_put(sans);
	/* enroll_csr: the CSR's key, KeyfactorID, the leaf and its chain */
	kit_ca(k, KIT_ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, KIT_WEB);
	body = json_object_new_object();
	json_object_object_add(body, "CSR", json_object_new_string(pem));
	json_object_object_add(body, "Template",
	    json_object_new_string("WebServer"));
	memset(&req, 0, sizeof(req));
	E(fields_parse(csr_fields, csr_nfields, body, &req, &err));
	ctx.body = body;
	ctx.csr = csr;
	E(enroll_csr(k->db, &ctx, &req, &resp, &err));
	ci = json_object_object_get(resp, "CertificateInformation");
	CHECK(kit_jint(ci, "KeyfactorID") == 1);
	CHECK(json_object_object_get(ci, "KeyfactorId") == NULL);
	CHECK(json_object_array_length(json_object_object_get(ci,
	    "Certificates")) == 2);
	{
		X509 *leaf = pem_to_x509(json_object_get_string(
		    json_object_array_get_idx(json_object_object_get(ci,
		    "Certificates"), 0)));

		CHECK(leaf != NULL && EVP_PKEY_eq(X509_get0_pubkey(leaf), key) == 1);
		X509_free(leaf);
	}
	json_object_put(resp);
	json_object_put(body);
	OPENSSL_free(der);
	free(b64);
	free(pem);
	X509_REQ_free(csr);
	EVP_PKEY_free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password),
		KIT_TEST(test_validate),
		KIT_TEST(test_csr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
