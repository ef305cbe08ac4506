/*
 * test_certdownload.c - POST /Certificates/Download below the program
 * (certdownload.h): a certificate named by CertID, Thumbprint, or serial
 * and issuer DN (other case and blanks too), nothing named or half named
 * refused, the formats of the header, and the answer: the leaf's DER, the
 * PEM text, a PKCS#7 whose certificates come in the order asked for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/pkcs7.h>

#include "b64.h"
#include "certdb.h"
#include "certdownload.h"
#include "kit.h"

#define ROOT	KIT_ROOT
#define WEB	KIT_WEB
#define BODY	KIT_BODY

static void
world(struct kit *k, struct cert *c)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	CHECK(kit_issue(k, "alice", FMT_PEM, BODY("dl.example.com")) == 1);
	E(db_begin(k->db, 0, &txn, &err));
	E(cert_get(txn, 1, c, &err));
	db_abort(txn);
}

static enum ce_err
identify(struct kit *k, const struct cert_ident *who, int64_t *id,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	enum ce_err rc;

	CHECK(db_begin(k->db, 0, &txn, err) == CE_OK);
	rc = cert_identify(txn, who, id, err);
	db_abort(txn);
	return rc;
}

static void
test_named_three_ways(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct cert c;
	struct cert_ident who;
	char dn[512], serial[80];
	size_t i, o = 0;
	int64_t id;

	memset(&c, 0, sizeof(c));
	world(k, &c);
	who = (struct cert_ident){ 1, NULL, NULL, NULL };
	E(identify(k, &who, &id, &err));
	CHECK(id == 1);
	who = (struct cert_ident){ 0, c.thumbprint, NULL, NULL };
	E(identify(k, &who, &id, &err));
	CHECK(id == 1);
	/* the issuer's DN in upper case with blanks after its commas, the
	 * serial with a leading zero in lower case */
	for (i = 0; c.issuer[i] != '\0' && o + 3 < sizeof(dn); i++) {
		dn[o++] = (char)toupper((unsigned char)c.issuer[i]);
		if (c.issuer[i] == ',')
			dn[o++] = ' ';
	}
	dn[o] = '\0';
	snprintf(serial, sizeof(serial), "00%s", c.serial);
	for (i = 0; serial[i] != '\0'; i++)
		serial[i] = (char)tolower((unsigned char)serial[i]);
	who = (struct cert_ident){ 0, NULL, serial, dn };
	E(identify(k, &who, &id, &err));
	CHECK(id == 1);
	who = (struct cert_ident){ 0, NULL, c.serial, "CN=Someone Else" };
	EFAIL(identify(k, &who, &id, &err), CE_NOTFOUND, "Someone Else");
	who = (struct cert_ident){ 0, NULL, c.serial, NULL };
	EFAIL(identify(k, &who, &id, &err), CE_INVAL, "IssuerDN");
	who = (struct cert_ident){ 0, NULL, "xyz", "CN=x" };
	EFAIL(identify(k, &who, &id, &err), CE_INVAL, "SerialNumber");
	who = (struct cert_ident){ 0, NULL, NULL, NULL };
	EFAIL(identify(k, &who, &id, &err), CE_INVAL, "one is required");
	who = (struct cert_ident){ 77, NULL, NULL, NULL };
	EFAIL(identify(k, &who, &id, &err), CE_NOTFOUND, "77");
	who = (struct cert_ident){ -1, NULL, NULL, NULL };
	EFAIL(identify(k, &who, &id, &err), CE_INVAL, "CertID");
	cert_clear(&c);
}

static void
test_formats(void **state)
{
	struct ce_error err;
	enum download_format f;

	(void)state;
	E(download_format_parse(NULL, &f, &err));
	CHECK(f == DL_PEM);
	E(download_format_parse("der", &f, &err));
	CHECK(f == DL_DER);
	E(download_format_parse("P7B", &f, &err));
	CHECK(f == DL_P7B);
	EFAIL(download_format_parse("PFX", &f, &err), CE_INVAL,
	    "x-certificateformat");
}

/* The answer's Content, decoded. */
static void
content(json_object *resp, struct ce_buf *out)
{
	json_object *v;

	CHECK(json_object_object_get_ex(resp, "Content", &v));
	CHECK(b64_decode(json_object_get_string(v), out) == CE_OK);
}

/* Where leaf is among the two certificates of certificate 1's P7B with
 * its chain in order (-1: not there). */
static int
p7b_leaf_at(struct kit *k, enum chain_order order, X509 *leaf)
{
	struct ce_error err;
	struct cert_ident who = { 1, NULL, NULL, NULL };
	struct ce_buf der = { NULL, 0 };
	json_object *resp = NULL;
	const unsigned char *p;
	STACK_OF(X509) *certs;
	PKCS7 *p7;
	int i, at = -1;

	E(cert_download(k->db, &who, DL_P7B, 1, order, 0, &resp, &err));
	content(resp, &der);
	p = der.data;
	CHECK((p7 = d2i_PKCS7(NULL, &p, (long)der.len)) != NULL);
	certs = p7->d.sign->cert;
	CHECK(sk_X509_num(certs) == 2);
	for (i = 0; i < 2; i++)
		if (X509_cmp(sk_X509_value(certs, i), leaf) == 0)
			at = i;
	PKCS7_free(p7);
	json_object_put(resp);
	buf_free(&der);
	return at;
}

static void
test_answers(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct cert c;
	struct cert_ident who = { 1, NULL, NULL, NULL };
	struct ce_buf der = { NULL, 0 }, mine = { NULL, 0 };
	json_object *resp = NULL;
	X509 *leaf;

	memset(&c, 0, sizeof(c));
	world(k, &c);
	leaf = cert_x509(&c);
	CHECK(b64_decode(c.der, &mine) == CE_OK);
	/* DER: the leaf alone, whatever IncludeChain says */
	E(cert_download(k->db, &who, DL_DER, 1, CHAIN_END_ENTITY_FIRST, 0,
	    &resp, &err));
	content(resp, &der);
	CHECK(der.len == mine.len && memcmp(der.data, mine.data, der.len) == 0);
	json_object_put(resp);
	buf_free(&der);
	/* P7B: leaf then the CA, or the CA first */
	CHECK(p7b_leaf_at(k, CHAIN_END_ENTITY_FIRST, leaf) == 0);
	CHECK(p7b_leaf_at(k, CHAIN_ROOT_FIRST, leaf) == 1);
	/* PEM without the chain: one certificate, no key */
	E(cert_download(k->db, &who, DL_PEM, 0, CHAIN_END_ENTITY_FIRST, 0,
	    &resp, &err));
	content(resp, &der);
	CHECK(memmem(der.data, der.len, "BEGIN CERTIFICATE", 17) != NULL);
	CHECK(memmem(der.data, der.len, "PRIVATE KEY", 11) == NULL);
	json_object_put(resp);
	buf_free(&der);
	buf_free(&mine);
	X509_free(leaf);
	cert_clear(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_named_three_ways),
		cmocka_unit_test(test_formats),
		KIT_TEST(test_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
