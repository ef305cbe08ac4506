/*
 * test_pkcs12.c - pfx_build(): the PKCS#12 opens with its password and has
 * the layout Keyfactor's Go parser needs, checked structure by structure:
 * key safe (data, one shrouded key bag) first, then the encrypted
 * certificate safe, leaf first; shared localKeyId; the algorithms of the
 * modern and legacy modes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "output.h"
#include "testcert.h"

#define PASS	"s3cret Pässword"
#define FRIENDLY "www.example.com (Bücher)"
#define ITER	2048

struct expect {
	int		 legacy;
	const char	*password;
	const char	*friendly;	/* NULL: no friendlyName */
	X509		*certs[4];	/* leaf, then chain; NULL-terminated */
};

static struct tc_pki pki;

static int
setup(void **state)
{
	(void)state;
	tc_pki_new(&pki);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tc_pki_free(&pki);
	return 0;
}

static PKCS12 *
build(STACK_OF(X509) *chain, const char *friendly, const char *password,
    int legacy)
{
	struct ce_buf out = { NULL, 0 };
	struct ce_error err;
	const unsigned char *p;
	PKCS12 *p12;

	assert_int_equal(pfx_build(pki.leaf_key, pki.leaf, chain, friendly,
	    password, legacy, &out, &err), CE_OK);
	assert_non_null(out.data);
	p = out.data;
	p12 = d2i_PKCS12(NULL, &p, (long)out.len);
	assert_non_null(p12);
	assert_ptr_equal(p, out.data + out.len);	/* nothing trailing */
	buf_free(&out);
	assert_null(out.data);
	return p12;
}

/* Checks alg is PBES2: PBKDF2 with HMAC-SHA256 and ITER, AES-256-CBC. */
static void
check_pbes2(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj;
	const void *pval;
	int ptype;
	PBE2PARAM *pbe2;
	PBKDF2PARAM *kdf;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	assert_int_equal(OBJ_obj2nid(obj), NID_pbes2);
	assert_int_equal(ptype, V_ASN1_SEQUENCE);
	pbe2 = ASN1_item_unpack(pval, ASN1_ITEM_rptr(PBE2PARAM));
	assert_non_null(pbe2);
	assert_int_equal(OBJ_obj2nid(pbe2->encryption->algorithm),
	    NID_aes_256_cbc);
	assert_int_equal(OBJ_obj2nid(pbe2->keyfunc->algorithm), NID_id_pbkdf2);
	kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM),
	    pbe2->keyfunc->parameter);
	assert_non_null(kdf);
	assert_int_equal(ASN1_INTEGER_get(kdf->iter), ITER);
	assert_non_null(kdf->prf);	/* absent would mean HMAC-SHA1 */
	assert_int_equal(OBJ_obj2nid(kdf->prf->algorithm), NID_hmacWithSHA256);
	PBKDF2PARAM_free(kdf);
	PBE2PARAM_free(pbe2);
}

/* Checks alg is the PKCS#12 PBE nid with ITER iterations. */
static void
check_pbe(const X509_ALGOR *alg, int nid)
{
	const ASN1_OBJECT *obj;
	const void *pval;
	int ptype;
	PBEPARAM *pbe;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	assert_int_equal(OBJ_obj2nid(obj), nid);
	assert_int_equal(ptype, V_ASN1_SEQUENCE);
	pbe = ASN1_item_unpack(pval, ASN1_ITEM_rptr(PBEPARAM));
	assert_non_null(pbe);
	assert_int_equal(ASN1_INTEGER_get(pbe->iter), ITER);
	PBEPARAM_free(pbe);
}

static int
attr_count(const PKCS12_SAFEBAG *bag)
{
	const STACK_OF(X509_ATTRIBUTE) *attrs = PKCS12_SAFEBAG_get0_attrs(bag);

	return attrs == NULL ? 0 : sk_X509_ATTRIBUTE_num(attrs);
}

/* Checks localKeyId is the SHA-1 of the leaf and friendlyName as expected. */
static void
check_attrs(PKCS12_SAFEBAG *bag, const struct expect *e)
{
	const ASN1_TYPE *id;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	char *name;

	assert_int_equal(X509_digest(pki.leaf, EVP_sha1(), md, &mdlen), 1);
	id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
	assert_non_null(id);
	assert_int_equal(id->type, V_ASN1_OCTET_STRING);
	assert_int_equal(ASN1_STRING_length(id->value.octet_string), 20);
	assert_memory_equal(ASN1_STRING_get0_data(id->value.octet_string), md,
	    20);
	name = PKCS12_get_friendlyname(bag);
	if (e->friendly == NULL) {
		assert_null(name);
		assert_int_equal(attr_count(bag), 1);
	} else {
		assert_non_null(name);
		assert_string_equal(name, e->friendly);
		assert_int_equal(attr_count(bag), 2);
	}
	OPENSSL_free(name);
}

/* The first safe: unencrypted data holding exactly one shrouded key bag. */
static void
check_key_safe(PKCS7 *p7, const struct expect *e)
{
	STACK_OF(PKCS12_SAFEBAG) *bags;
	PKCS12_SAFEBAG *bag;
	PKCS8_PRIV_KEY_INFO *p8;
	const X509_ALGOR *alg;
	EVP_PKEY *key;

	assert_int_equal(OBJ_obj2nid(p7->type), NID_pkcs7_data);
	bags = PKCS12_unpack_p7data(p7);
	assert_non_null(bags);
	assert_int_equal(sk_PKCS12_SAFEBAG_num(bags), 1);
	bag = sk_PKCS12_SAFEBAG_value(bags, 0);
	assert_int_equal(PKCS12_SAFEBAG_get_nid(bag), NID_pkcs8ShroudedKeyBag);
	check_attrs(bag, e);

	X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, NULL);
	if (e->legacy)
		check_pbe(alg, NID_pbe_WithSHA1And3_Key_TripleDES_CBC);
	else
		check_pbes2(alg);

	p8 = PKCS12_decrypt_skey(bag, e->password, -1);
	assert_non_null(p8);
	key = EVP_PKCS82PKEY(p8);
	assert_non_null(key);
	assert_int_equal(EVP_PKEY_eq(key, pki.leaf_key), 1);
	EVP_PKEY_free(key);
	PKCS8_PRIV_KEY_INFO_free(p8);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
}

/* The second safe: encrypted, the leaf bag first, then the chain. */
static void
check_cert_safe(PKCS7 *p7, const struct expect *e)
{
	STACK_OF(PKCS12_SAFEBAG) *bags;
	PKCS12_SAFEBAG *bag;
	X509 *x;
	int i, n;

	assert_int_equal(OBJ_obj2nid(p7->type), NID_pkcs7_encrypted);
	if (e->legacy)
		check_pbe(p7->d.encrypted->enc_data->algorithm,
		    NID_pbe_WithSHA1And40BitRC2_CBC);
	else
		check_pbes2(p7->d.encrypted->enc_data->algorithm);
	bags = PKCS12_unpack_p7encdata(p7, e->password, -1);
	assert_non_null(bags);
	for (n = 0; e->certs[n] != NULL; n++)
		continue;
	assert_int_equal(sk_PKCS12_SAFEBAG_num(bags), n);
	for (i = 0; i < n; i++) {
		bag = sk_PKCS12_SAFEBAG_value(bags, i);
		assert_int_equal(PKCS12_SAFEBAG_get_nid(bag), NID_certBag);
		assert_int_equal(PKCS12_SAFEBAG_get_bag_nid(bag),
		    NID_x509Certificate);
		x = PKCS12_SAFEBAG_get1_cert(bag);
		assert_non_null(x);
		assert_int_equal(X509_cmp(x, e->certs[i]), 0);
		X509_free(x);
		if (i == 0)
			check_attrs(bag, e);
		else
			assert_int_equal(attr_count(bag), 0);
	}
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
}

static void
check_mac(PKCS12 *p12, const struct expect *e)
{
	const X509_ALGOR *macalg;
	const ASN1_INTEGER *iter;
	const ASN1_OBJECT *obj;

	PKCS12_get0_mac(NULL, &macalg, NULL, &iter, p12);
	assert_non_null(macalg);
	X509_ALGOR_get0(&obj, NULL, NULL, macalg);
	assert_int_equal(OBJ_obj2nid(obj), e->legacy ? NID_sha1 : NID_sha256);
	assert_non_null(iter);
	assert_int_equal(ASN1_INTEGER_get(iter), ITER);
	assert_int_equal(PKCS12_verify_mac(p12, e->password, -1), 1);
	assert_int_equal(PKCS12_verify_mac(p12, "wrong", -1), 0);
	ERR_clear_error();
}

/* The whole layout, safe by safe. */
static void
check_layout(PKCS12 *p12, const struct expect *e)
{
	STACK_OF(PKCS7) *safes;

	check_mac(p12, e);
	safes = PKCS12_unpack_authsafes(p12);
	assert_non_null(safes);
	assert_int_equal(sk_PKCS7_num(safes), 2);
	check_key_safe(sk_PKCS7_value(safes, 0), e);
	check_cert_safe(sk_PKCS7_value(safes, 1), e);
	sk_PKCS7_pop_free(safes, PKCS7_free);
}

/* What any PKCS#12 reader sees: key, leaf and chain with the password. */
static void
check_parse(PKCS12 *p12, const char *password, int nchain)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;

	assert_int_equal(PKCS12_parse(p12, password, &key, &cert, &ca), 1);
	assert_int_equal(EVP_PKEY_eq(key, pki.leaf_key), 1);
	assert_int_equal(X509_cmp(cert, pki.leaf), 0);
	assert_int_equal(ca != NULL ? sk_X509_num(ca) : 0, nchain);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	assert_int_equal(PKCS12_parse(p12, "wrong", &key, &cert, &ca), 0);
	ERR_clear_error();
}

static void
test_modern(void **state)
{
	struct expect e = { 0, PASS, FRIENDLY,
	    { pki.leaf, pki.inter, pki.root, NULL } };
	PKCS12 *p12 = build(pki.chain, FRIENDLY, PASS, 0);

	(void)state;
	check_layout(p12, &e);
	check_parse(p12, PASS, 2);
	PKCS12_free(p12);
}

static void
test_legacy(void **state)
{
	struct expect e = { 1, PASS, FRIENDLY,
	    { pki.leaf, pki.inter, pki.root, NULL } };
	PKCS12 *p12 = build(pki.chain, FRIENDLY, PASS, 1);

	(void)state;
	check_layout(p12, &e);
	check_parse(p12, PASS, 2);
	PKCS12_free(p12);
}

static void
test_no_chain_no_friendly(void **state)
{
	struct expect e = { 0, PASS, NULL, { pki.leaf, NULL } };
	PKCS12 *p12 = build(NULL, NULL, PASS, 0);

	(void)state;
	check_layout(p12, &e);
	check_parse(p12, PASS, 0);
	PKCS12_free(p12);
	/* An empty friendly name is no friendly name. */
	p12 = build(NULL, "", PASS, 0);
	check_layout(p12, &e);
	PKCS12_free(p12);
}

static void
test_legacy_no_chain(void **state)
{
	struct expect e = { 1, PASS, "x", { pki.leaf, NULL } };
	STACK_OF(X509) *empty = sk_X509_new_null();
	PKCS12 *p12;

	(void)state;
	assert_non_null(empty);
	p12 = build(empty, "x", PASS, 1);
	check_layout(p12, &e);
	PKCS12_free(p12);
	sk_X509_free(empty);
}

/* A NULL password is the empty password. */
static void
test_empty_password(void **state)
{
	struct expect e = { 0, "", FRIENDLY, { pki.leaf, pki.inter, NULL } };
	STACK_OF(X509) *chain = sk_X509_new_null();
	PKCS12 *p12;

	(void)state;
	assert_non_null(chain);
	assert_true(sk_X509_push(chain, pki.inter) > 0);
	p12 = build(chain, FRIENDLY, NULL, 0);
	check_layout(p12, &e);
	check_parse(p12, "", 1);
	PKCS12_free(p12);
	sk_X509_free(chain);
}

/*
 * Certificates that carry an alias or key id (as PKCS12_parse() leaves
 * them) must not bring those into the bags.
 */
static void
test_aux_not_copied(void **state)
{
	struct expect e = { 0, PASS, FRIENDLY,
	    { pki.leaf, pki.inter, pki.root, NULL } };
	X509 *leaf = X509_dup(pki.leaf), *inter = X509_dup(pki.inter);
	STACK_OF(X509) *chain = sk_X509_new_null();
	struct ce_buf out = { NULL, 0 };
	struct ce_error err;
	const unsigned char *p;
	PKCS12 *p12;

	(void)state;
	assert_non_null(leaf);
	assert_non_null(inter);
	assert_non_null(chain);
	assert_int_equal(X509_alias_set1(leaf, (const unsigned char *)"old",
	    3), 1);
	assert_int_equal(X509_keyid_set1(leaf, (const unsigned char *)"id", 2),
	    1);
	assert_int_equal(X509_alias_set1(inter, (const unsigned char *)"ca",
	    2), 1);
	assert_true(sk_X509_push(chain, inter) > 0);
	assert_true(sk_X509_push(chain, pki.root) > 0);
	assert_int_equal(pfx_build(pki.leaf_key, leaf, chain, FRIENDLY, PASS,
	    0, &out, &err), CE_OK);
	p = out.data;
	p12 = d2i_PKCS12(NULL, &p, (long)out.len);
	assert_non_null(p12);
	check_layout(p12, &e);
	/* The caller's certificates are left as they were. */
	assert_non_null(X509_alias_get0(leaf, NULL));
	PKCS12_free(p12);
	buf_free(&out);
	sk_X509_free(chain);
	X509_free(inter);
	X509_free(leaf);
}

static void
test_key_mismatch(void **state)
{
	struct ce_buf out = { NULL, 0 };
	struct ce_error err;

	(void)state;
	assert_int_equal(pfx_build(pki.inter_key, pki.leaf, pki.chain, NULL,
	    PASS, 0, &out, &err), CE_CRYPTO);
	assert_null(out.data);
	assert_int_equal(out.len, 0);
	assert_int_equal(err.code, CE_CRYPTO);
	assert_int_equal(pfx_build(NULL, pki.leaf, NULL, NULL, PASS, 0, &out,
	    NULL), CE_SYSTEM);
	assert_int_equal(pfx_build(pki.leaf_key, NULL, NULL, NULL, PASS, 1,
	    &out, NULL), CE_SYSTEM);
	assert_null(out.data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modern),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_no_chain_no_friendly),
		cmocka_unit_test(test_legacy_no_chain),
		cmocka_unit_test(test_empty_password),
		cmocka_unit_test(test_aux_not_copied),
		cmocka_unit_test(test_key_mismatch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
