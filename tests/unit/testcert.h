/*
 * testcert.h - a small PKI for the output tests, made with the X509 API:
 * a root CA, an intermediate CA and a leaf, all with P-256 keys.  Test
 * code only; include after <cmocka.h>.
 */
#ifndef CE_TESTCERT_H
#define CE_TESTCERT_H

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Not every test uses every helper. */
#define TC_FN	static __attribute__((unused))

struct tc_pki {
	EVP_PKEY	*root_key, *inter_key, *leaf_key;
	X509		*root, *inter, *leaf;
	STACK_OF(X509)	*chain;		/* inter, root: issuer first */
};

/* The leaf's subject has a quoted comma and UTF-8 for the header tests. */
#define TC_LEAF_SUBJECT	"C = US, O = \"Acme, Inc.\", OU = B\xc3\xbc" "cher, " \
			"CN = www.example.com"
#define TC_INTER_SUBJECT "CN = Test Intermediate CA"
#define TC_ROOT_SUBJECT	"CN = Test Root CA"

TC_FN EVP_PKEY *
tc_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	assert_non_null(k);
	return k;
}

TC_FN void
tc_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* Makes a certificate for key; self-signed when issuer is NULL. */
TC_FN X509 *
tc_cert(X509_NAME *name, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
    int ca, long serial)
{
	X509 *x = X509_new();

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -60));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	assert_int_equal(X509_set_subject_name(x, name), 1);
	assert_int_equal(X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name), 1);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	tc_add_ext(x, issuer != NULL ? issuer : x, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	assert_true(X509_sign(x, issuer_key != NULL ? issuer_key : key,
	    EVP_sha256()) > 0);
	X509_NAME_free(name);
	return x;
}

TC_FN X509_NAME *
tc_name(const char *c, const char *o, const char *ou, const char *cn)
{
	X509_NAME *n = X509_NAME_new();
	const char *field[] = { "C", "O", "OU", "CN" };
	const char *value[] = { c, o, ou, cn };
	size_t i;

	assert_non_null(n);
	for (i = 0; i < 4; i++)
		if (value[i] != NULL)
			assert_int_equal(X509_NAME_add_entry_by_txt(n, field[i],
			    MBSTRING_UTF8, (const unsigned char *)value[i], -1,
			    -1, 0), 1);
	return n;
}

TC_FN void
tc_pki_new(struct tc_pki *p)
{
	p->root_key = tc_key();
	p->inter_key = tc_key();
	p->leaf_key = tc_key();
	p->root = tc_cert(tc_name(NULL, NULL, NULL, "Test Root CA"),
	    p->root_key, NULL, NULL, 1, 1);
	p->inter = tc_cert(tc_name(NULL, NULL, NULL, "Test Intermediate CA"),
	    p->inter_key, p->root, p->root_key, 1, 2);
	p->leaf = tc_cert(tc_name("US", "Acme, Inc.", "B\xc3\xbc" "cher",
	    "www.example.com"), p->leaf_key, p->inter, p->inter_key, 0, 3);
	p->chain = sk_X509_new_null();
	assert_non_null(p->chain);
	assert_true(sk_X509_push(p->chain, p->inter) > 0);
	assert_true(sk_X509_push(p->chain, p->root) > 0);
}

TC_FN void
tc_pki_free(struct tc_pki *p)
{
	sk_X509_free(p->chain);		/* borrows inter and root */
	X509_free(p->leaf);
	X509_free(p->inter);
	X509_free(p->root);
	EVP_PKEY_free(p->leaf_key);
	EVP_PKEY_free(p->inter_key);
	EVP_PKEY_free(p->root_key);
}

/* cmocka (group) setup and teardown: *state is a new struct tc_pki. */
TC_FN int
tc_pki_setup(void **state)
{
	struct tc_pki *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return -1;
	tc_pki_new(p);
	*state = p;
	return 0;
}

TC_FN int
tc_pki_teardown(void **state)
{
	tc_pki_free(*state);
	free(*state);
	return 0;
}

/* PEM text of x, NUL-terminated; caller frees. */
TC_FN char *
tc_cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *s;
	long n;

	assert_non_null(b);
	assert_int_equal(PEM_write_bio_X509(b, x), 1);
	n = BIO_get_mem_data(b, &p);
	assert_true(n > 0);
	s = strndup(p, (size_t)n);
	assert_non_null(s);
	BIO_free(b);
	return s;
}

#endif
