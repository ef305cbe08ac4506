/*
 * test_pemutil.c - pemutil: X509 to and from PEM and DER, the API's
 * Thumbprint (checked against a SHA-1 of the DER made here) and serial
 * text, random serials (16 octets, positive, never short), extensions in
 * openssl's syntax, strict OIDs and thumbprint syntax.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "kit.h"
#include "pemutil.h"
#include "testcert.h"

static void
test_pem_der(void **state)
{
	const struct tc_pki *pki = *state;
	unsigned char *der = NULL;
	char *pem;
	X509 *x;
	int n;

	CHECK((pem = x509_to_pem(pki->leaf)) != NULL);
	CHECK(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	CHECK(strcmp(pem + strlen(pem) - 26, "-----END CERTIFICATE-----\n") == 0);
	CHECK((x = pem_to_x509(pem)) != NULL && X509_cmp(x, pki->leaf) == 0);
	X509_free(x);
	/* the first certificate of several */
	{
		char *two = NULL, *inter = x509_to_pem(pki->inter);

		CHECK(inter != NULL && (two = malloc(strlen(pem) +
		    strlen(inter) + 1)) != NULL);
		strcpy(two, inter);
		strcat(two, pem);
		CHECK((x = pem_to_x509(two)) != NULL &&
		    X509_cmp(x, pki->inter) == 0);
		X509_free(x);
		free(two);
		free(inter);
	}
	pem[40] ^= 1;
	CHECK(pem_to_x509(pem) == NULL);
	free(pem);
	CHECK(pem_to_x509(NULL) == NULL && pem_to_x509("") == NULL &&
	    pem_to_x509("-----BEGIN CERTIFICATE-----\n") == NULL);

	CHECK((n = i2d_X509(pki->leaf, &der)) > 0);
	CHECK((x = der_to_x509(der, (size_t)n)) != NULL &&
	    X509_cmp(x, pki->leaf) == 0);
	X509_free(x);
	CHECK(der_to_x509(der, (size_t)n - 1) == NULL);
	CHECK(der_to_x509(der, 0) == NULL);
	OPENSSL_free(der);
	ERR_clear_error();
}

static void
test_thumbprint(void **state)
{
	const struct tc_pki *pki = *state;
	static const char hx[] = "0123456789ABCDEF";
	unsigned char *der = NULL, md[20];
	char tp[41], want[41];
	int i, n;

	CHECK((n = i2d_X509(pki->leaf, &der)) > 0);
	CHECK(EVP_Digest(der, (size_t)n, md, NULL, EVP_sha1(), NULL) == 1);
	OPENSSL_free(der);
	for (i = 0; i < 20; i++) {
		want[2 * i] = hx[md[i] >> 4];
		want[2 * i + 1] = hx[md[i] & 15];
	}
	want[40] = '\0';
	CHECK(x509_thumbprint(pki->leaf, tp, sizeof(tp)) == CE_OK);
	CHECK(strcmp(tp, want) == 0 && thumbprint_valid(tp));
	CHECK(x509_thumbprint(pki->leaf, tp, 40) == CE_CRYPTO);
	/* another certificate, another thumbprint */
	CHECK(x509_thumbprint(pki->inter, tp, sizeof(tp)) == CE_OK);
	CHECK(strcmp(tp, want) != 0);
}

/* Serial text: upper-case hex of the value, whole octets. */
static void
test_serial_hex(void **state)
{
	static const struct {
		const char	*set, *want;
	} cases[] = {
		{ "1", "01" }, { "ABCDEF", "ABCDEF" }, { "abcdef", "ABCDEF" },
		{ "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
		  "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" },
		{ "100", "0100" },
	};
	BIGNUM *bn = NULL;
	X509 *x;
	char buf[41];
	size_t i;

	(void)state;
	CHECK((x = X509_new()) != NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(BN_hex2bn(&bn, cases[i].set) > 0);
		CHECK(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL);
		CHECK(x509_serial_hex(x, buf, sizeof(buf)) == CE_OK);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%s: got %s", cases[i].set, buf);
	}
	/* too small a buffer: refused, not cut */
	CHECK(x509_serial_hex(x, buf, 4) == CE_CRYPTO);
	BN_free(bn);
	X509_free(x);
}

static void
test_random_serial(void **state)
{
	struct ce_error err;
	char seen[64][41];
	X509 *x;
	int i, j;

	(void)state;
	CHECK((x = X509_new()) != NULL);
	for (i = 0; i < 64; i++) {
		E(x509_set_random_serial(x, &err));
		CHECK(x509_serial_hex(x, seen[i], sizeof(seen[i])) == CE_OK);
		/* 16 octets, the first 01xxxxxx: positive, 127 bits */
		if (strlen(seen[i]) != 32 || strchr("4567", seen[i][0]) == NULL)
			fail_msg("serial %s", seen[i]);
		CHECK(ASN1_INTEGER_get_int64(&(int64_t){ 0 },
		    X509_get0_serialNumber(x)) == 0);	/* too big for 64 bits */
		for (j = 0; j < i; j++)
			CHECK(strcmp(seen[i], seen[j]) != 0);
	}
	ERR_clear_error();
	X509_free(x);
}

static void
test_add_ext(void **state)
{
	const struct tc_pki *pki = *state;
	struct ce_error err;
	BASIC_CONSTRAINTS *bc;
	EXTENDED_KEY_USAGE *eku;
	X509_EXTENSION *ext;
	X509 *x;
	int pos;

	CHECK((x = X509_new()) != NULL && X509_set_pubkey(x, pki->leaf_key) == 1);
	E(x509_add_ext(x, pki->inter, NID_basic_constraints, "critical,CA:FALSE",
	    &err));
	E(x509_add_ext(x, pki->inter, NID_key_usage, "critical,digitalSignature",
	    &err));
	E(x509_add_ext(x, pki->inter, NID_ext_key_usage, "serverAuth,1.2.3.4",
	    &err));
	E(x509_add_ext(x, pki->inter, NID_subject_key_identifier, "hash", &err));
	CHECK(X509_get_ext_count(x) == 4);
	CHECK((pos = X509_get_ext_by_NID(x, NID_basic_constraints, -1)) >= 0);
	CHECK((ext = X509_get_ext(x, pos)) != NULL &&
	    X509_EXTENSION_get_critical(ext) == 1);
	CHECK((bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL)) !=
	    NULL && !bc->ca && bc->pathlen == NULL);
	BASIC_CONSTRAINTS_free(bc);
	CHECK(kit_key_usage(x) == KU_DIGITAL_SIGNATURE);
	CHECK((eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL)) !=
	    NULL && sk_ASN1_OBJECT_num(eku) == 2 &&
	    OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)) == NID_server_auth);
	EXTENDED_KEY_USAGE_free(eku);
	/* openssl refuses what its syntax does not say */
	EFAIL(x509_add_ext(x, pki->inter, NID_key_usage, "critical,noSuchUsage",
	    &err), CE_CRYPTO, "internal error");
	EFAIL(x509_add_ext(x, pki->inter, NID_basic_constraints, "CA:maybe",
	    &err), CE_CRYPTO, "internal error");
	CHECK(X509_get_ext_count(x) == 4);
	X509_free(x);
}

static void
test_oid(void **state)
{
	static const char *const good[] = { "2.5.4.3", "1.3.6.1.4.1.311.20.2.3",
	    "0.0", "1.2", "2.999", "1.3.6.1.5.5.7.3.1", "2.5.29.17" };
	static const char *const bad[] = { "", "commonName", "CN", "serverAuth",
	    "2.5.4.03", "02.5.4.3", "2.5.4.", ".2.5.4.3", "2..5.4.3", "2.5.4.3 ",
	    " 2.5.4.3", "2.5.4.3\n", "1", "3.1", "1.40", "0.40", "2.5.4.3a",
	    "2.-5", "+2.5", "2,5,4,3" };
	ASN1_OBJECT *o;
	size_t i;

	(void)state;
	ERR_clear_error();
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if ((o = oid_parse_strict(good[i])) == NULL)
			fail_msg("refused %s", good[i]);
		ASN1_OBJECT_free(o);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if ((o = oid_parse_strict(bad[i])) != NULL) {
			ASN1_OBJECT_free(o);
			fail_msg("accepted '%s'", bad[i]);
		}
	/* OpenSSL's error queue is left as it was */
	CHECK(ERR_peek_error() == 0);
}

static void
test_thumbprint_valid(void **state)
{
	static const char *const good[] = {
	    "0123456789ABCDEF0123456789ABCDEF01234567",
	    "0123456789abcdef0123456789abcdef01234567",
	    "aBcDeF0123456789aBcDeF0123456789AbCdEf01" };
	static const char *const bad[] = { "",
	    "0123456789ABCDEF0123456789ABCDEF0123456",
	    "0123456789ABCDEF0123456789ABCDEF012345678",
	    "0123456789ABCDEF0123456789ABCDEF0123456G",
	    " 123456789ABCDEF0123456789ABCDEF01234567",
	    "0123456789ABCDEF0123456789ABCDEF0123456 ",
	    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:A",
	    "0x23456789ABCDEF0123456789ABCDEF01234567" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(thumbprint_valid(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (thumbprint_valid(bad[i]))
			fail_msg("accepted '%s'", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem_der),
		cmocka_unit_test(test_thumbprint),
		cmocka_unit_test(test_serial_hex),
		cmocka_unit_test(test_random_serial),
		cmocka_unit_test(test_add_ext),
		cmocka_unit_test(test_oid),
		cmocka_unit_test(test_thumbprint_valid),
	};

	return cmocka_run_group_tests(tests, tc_pki_setup, tc_pki_teardown);
}
