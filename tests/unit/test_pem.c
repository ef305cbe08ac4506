/*
 * test_pem.c - pem_build(): key first, then the certificates in the chain
 * order asked for, each optionally under its subject/issuer lines; the key
 * encrypted (PBES2, AES-256-CBC) exactly when there is a password.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "output.h"
#include "testcert.h"

#define PASS	"pem-pass"

#define LEAF_HDR	"subject=" TC_LEAF_SUBJECT "\n" \
			"issuer=" TC_INTER_SUBJECT "\n"
#define INTER_HDR	"subject=" TC_INTER_SUBJECT "\n" \
			"issuer=" TC_ROOT_SUBJECT "\n"
#define ROOT_HDR	"subject=" TC_ROOT_SUBJECT "\n" \
			"issuer=" TC_ROOT_SUBJECT "\n"

static struct tc_pki pki;
static char *leaf_pem, *inter_pem, *root_pem;

static int
setup(void **state)
{
	(void)state;
	tc_pki_new(&pki);
	leaf_pem = tc_cert_pem(pki.leaf);
	inter_pem = tc_cert_pem(pki.inter);
	root_pem = tc_cert_pem(pki.root);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(leaf_pem);
	free(inter_pem);
	free(root_pem);
	tc_pki_free(&pki);
	return 0;
}

static void
build(STACK_OF(X509) *chain, const char *password, enum chain_order order,
    int header, struct ce_buf *out)
{
	struct ce_error err;

	if (pem_build(pki.leaf_key, pki.leaf, chain, password, order, header,
	    out, &err) != CE_OK)
		fail_msg("pem_build: %s", err.msg);
	assert_non_null(out->data);
	assert_int_equal(strlen((char *)out->data), out->len);
}

/*
 * Splits off the key block at the start of text, checks its kind and that
 * it holds the leaf's key, and returns what follows it.
 */
static const char *
check_key(const char *text, const char *password)
{
	const char *begin = password != NULL && password[0] != '\0' ?
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" :
	    "-----BEGIN PRIVATE KEY-----\n";
	const char *end = password != NULL && password[0] != '\0' ?
	    "-----END ENCRYPTED PRIVATE KEY-----\n" :
	    "-----END PRIVATE KEY-----\n";
	const char *p;
	EVP_PKEY *key;
	BIO *b;

	assert_memory_equal(text, begin, strlen(begin));
	p = strstr(text, end);
	assert_non_null(p);
	p += strlen(end);
	b = BIO_new_mem_buf(text, (int)(p - text));
	assert_non_null(b);
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)password);
	assert_non_null(key);
	assert_int_equal(EVP_PKEY_eq(key, pki.leaf_key), 1);
	EVP_PKEY_free(key);
	BIO_free(b);
	return p;
}

/* Concatenates the expected certificate part; caller frees. */
static char *
cat(const char *a, const char *b, const char *c, const char *d,
    const char *e, const char *f)
{
	const char *part[] = { a, b, c, d, e, f };
	size_t i, n = 1;
	char *s;

	for (i = 0; i < 6; i++)
		n += part[i] != NULL ? strlen(part[i]) : 0;
	s = calloc(1, n);
	assert_non_null(s);
	for (i = 0; i < 6; i++)
		if (part[i] != NULL)
			strcat(s, part[i]);
	return s;
}

static void
check(STACK_OF(X509) *chain, const char *password, enum chain_order order,
    int header, const char *want_certs)
{
	struct ce_buf out;

	build(chain, password, order, header, &out);
	assert_string_equal(check_key((char *)out.data, password), want_certs);
	buf_free(&out);
}

static void
test_end_entity_first(void **state)
{
	char *want;

	(void)state;
	want = cat(LEAF_HDR, leaf_pem, INTER_HDR, inter_pem, ROOT_HDR,
	    root_pem);
	check(pki.chain, PASS, CHAIN_END_ENTITY_FIRST, 1, want);
	free(want);
	want = cat(leaf_pem, inter_pem, root_pem, NULL, NULL, NULL);
	check(pki.chain, PASS, CHAIN_END_ENTITY_FIRST, 0, want);
	free(want);
}

static void
test_root_first(void **state)
{
	char *want;

	(void)state;
	want = cat(ROOT_HDR, root_pem, INTER_HDR, inter_pem, LEAF_HDR,
	    leaf_pem);
	check(pki.chain, PASS, CHAIN_ROOT_FIRST, 1, want);
	free(want);
	want = cat(root_pem, inter_pem, leaf_pem, NULL, NULL, NULL);
	check(pki.chain, NULL, CHAIN_ROOT_FIRST, 0, want);
	free(want);
}

static void
test_no_chain(void **state)
{
	STACK_OF(X509) *empty = sk_X509_new_null();
	char *want;

	(void)state;
	assert_non_null(empty);
	want = cat(LEAF_HDR, leaf_pem, NULL, NULL, NULL, NULL);
	check(NULL, PASS, CHAIN_END_ENTITY_FIRST, 1, want);
	check(NULL, PASS, CHAIN_ROOT_FIRST, 1, want);
	check(empty, "", CHAIN_ROOT_FIRST, 1, want);
	free(want);
	want = cat(leaf_pem, NULL, NULL, NULL, NULL, NULL);
	check(NULL, NULL, CHAIN_END_ENTITY_FIRST, 0, want);
	free(want);
	sk_X509_free(empty);
}

/* The encrypted key is PBES2 with AES-256-CBC and needs the password. */
static void
test_key_encryption(void **state)
{
	const ASN1_OBJECT *obj;
	const X509_ALGOR *alg;
	const void *pval;
	struct ce_buf out;
	PBE2PARAM *pbe2;
	X509_SIG *p8;
	EVP_PKEY *key;
	BIO *b;
	int ptype;

	(void)state;
	build(NULL, PASS, CHAIN_END_ENTITY_FIRST, 0, &out);
	b = BIO_new_mem_buf(out.data, (int)out.len);
	assert_non_null(b);
	p8 = PEM_read_bio_PKCS8(b, NULL, NULL, NULL);
	assert_non_null(p8);
	X509_SIG_get0(p8, &alg, NULL);
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	assert_int_equal(OBJ_obj2nid(obj), NID_pbes2);
	pbe2 = ASN1_item_unpack(pval, ASN1_ITEM_rptr(PBE2PARAM));
	assert_non_null(pbe2);
	assert_int_equal(OBJ_obj2nid(pbe2->encryption->algorithm),
	    NID_aes_256_cbc);
	PBE2PARAM_free(pbe2);
	X509_SIG_free(p8);
	BIO_free(b);

	b = BIO_new_mem_buf(out.data, (int)out.len);
	assert_non_null(b);
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)"wrong");
	assert_null(key);
	ERR_clear_error();
	BIO_free(b);
	buf_free(&out);
}

/* Every PEM block in order, as a generic reader sees them. */
static void
test_block_names(void **state)
{
	static const char *const want[] = {
		"ENCRYPTED PRIVATE KEY", "CERTIFICATE", "CERTIFICATE",
		"CERTIFICATE",
	};
	char *name, *header;
	unsigned char *data;
	struct ce_buf out;
	long len;
	size_t i;
	BIO *b;

	(void)state;
	build(pki.chain, PASS, CHAIN_ROOT_FIRST, 1, &out);
	b = BIO_new_mem_buf(out.data, (int)out.len);
	assert_non_null(b);
	for (i = 0; i < 4; i++) {
		assert_int_equal(PEM_read_bio(b, &name, &header, &data, &len),
		    1);
		assert_string_equal(name, want[i]);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
	}
	assert_int_equal(PEM_read_bio(b, &name, &header, &data, &len), 0);
	ERR_clear_error();
	BIO_free(b);
	buf_free(&out);
}

static void
test_bad_args(void **state)
{
	struct ce_buf out = { (unsigned char *)&out, 1 };
	struct ce_error err;

	(void)state;
	assert_int_equal(pem_build(pki.leaf_key, pki.leaf, NULL, NULL,
	    CHAIN__MAX, 1, &out, &err), CE_INVAL);
	assert_null(out.data);
	assert_int_equal(out.len, 0);
	assert_int_equal(pem_build(NULL, pki.leaf, NULL, NULL,
	    CHAIN_END_ENTITY_FIRST, 1, &out, NULL), CE_SYSTEM);
	assert_int_equal(pem_build(pki.leaf_key, NULL, NULL, NULL,
	    CHAIN_END_ENTITY_FIRST, 1, &out, NULL), CE_SYSTEM);
	assert_null(out.data);
	buf_free(NULL);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_end_entity_first),
		cmocka_unit_test(test_root_first),
		cmocka_unit_test(test_no_chain),
		cmocka_unit_test(test_key_encryption),
		cmocka_unit_test(test_block_names),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
