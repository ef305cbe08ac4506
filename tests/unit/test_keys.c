/*
 * test_keys.c - key specs from request fields and policy words, their
 * names, and key generation.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/obj_mac.h>

#include "keys.h"

#define P256	NID_X9_62_prime256v1
#define P384	NID_secp384r1
#define P521	NID_secp521r1
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define MSG_TYPE(w)	"KeyType: '" w "' is not supported (RSA, ECC, Ed25519, Ed448)"
#define MSG_RSA(n)	"KeyLength: " n " is not a valid RSA key size " \
			"(2048, 3072, 4096, 8192)"
#define MSG_ECC(n)	"KeyLength: " n " is not a valid ECC key size " \
			"(256, 384, 521)"
#define MSG_CURVE(w)	"Curve: '" w "' is not a supported curve " \
			"(1.2.840.10045.3.1.7 P-256, 1.3.132.0.34 P-384, " \
			"1.3.132.0.35 P-521)"
#define MSG_WORD(w)	"'" w "' is not a key spec (RSA-2048, RSA-3072, " \
			"RSA-4096, RSA-8192, ECC-P-256, ECC-P-384, ECC-P-521, " \
			"Ed25519, Ed448)"

static const struct {
	const char	*type;
	int		 has_length;
	long		 length;
	const char	*curve;
	enum key_type	 want;
	int		 bits, nid;
} req_ok[] = {
	{ NULL, 0, 0, NULL,			KEY_RSA, 2048, 0 },
	{ "", 0, 0, "",				KEY_RSA, 2048, 0 },
	{ NULL, 1, 4096, NULL,			KEY_RSA, 4096, 0 },
	{ "RSA", 0, 0, NULL,			KEY_RSA, 2048, 0 },
	{ "RSA", 1, 0, NULL,			KEY_RSA, 2048, 0 },
	{ "RSA", 1, 2048, NULL,			KEY_RSA, 2048, 0 },
	{ "rsa", 1, 3072, NULL,			KEY_RSA, 3072, 0 },
	{ "Rsa", 1, 4096, "",			KEY_RSA, 4096, 0 },
	{ "RSA", 1, 8192, NULL,			KEY_RSA, 8192, 0 },
	{ "ECC", 0, 0, NULL,			KEY_ECC, 256, P256 },
	{ "ECC", 1, 0, "",			KEY_ECC, 256, P256 },
	{ "ECC", 0, 0, "1.2.840.10045.3.1.7",	KEY_ECC, 256, P256 },
	{ "ecc", 0, 0, "1.3.132.0.34",		KEY_ECC, 384, P384 },
	{ "ECC", 0, 0, "1.3.132.0.35",		KEY_ECC, 521, P521 },
	{ "ECC", 0, 0, "P-256",			KEY_ECC, 256, P256 },
	{ "ECC", 0, 0, "p-384",			KEY_ECC, 384, P384 },
	{ "ECC", 0, 0, "P-521",			KEY_ECC, 521, P521 },
	{ "ECC", 0, 0, "prime256v1",		KEY_ECC, 256, P256 },
	{ "ECC", 0, 0, "secp256r1",		KEY_ECC, 256, P256 },
	{ "ECC", 0, 0, "SECP384R1",		KEY_ECC, 384, P384 },
	{ "ECC", 0, 0, "secp521r1",		KEY_ECC, 521, P521 },
	{ "EC", 0, 0, "P-384",			KEY_ECC, 384, P384 },
	{ "ECDSA", 0, 0, "P-521",		KEY_ECC, 521, P521 },
	{ "ECC", 1, 256, NULL,			KEY_ECC, 256, P256 },
	{ "ECC", 1, 384, NULL,			KEY_ECC, 384, P384 },
	{ "ECC", 1, 521, "",			KEY_ECC, 521, P521 },
	{ "ECC", 1, 384, "1.3.132.0.34",	KEY_ECC, 384, P384 },
	{ "ECC", 1, 0, "P-521",			KEY_ECC, 521, P521 },
	{ "Ed25519", 0, 0, NULL,		KEY_ED25519, 0, 0 },
	{ "ED25519", 1, 0, "",			KEY_ED25519, 0, 0 },
	{ "ed448", 0, 0, NULL,			KEY_ED448, 0, 0 },
	{ "Ed448", 0, 0, "",			KEY_ED448, 0, 0 },
};

static const struct {
	const char	*type;
	int		 has_length;
	long		 length;
	const char	*curve;
	const char	*msg;
} req_bad[] = {
	{ "DSA", 0, 0, NULL,		MSG_TYPE("DSA") },
	{ "RSA-2048", 0, 0, NULL,	MSG_TYPE("RSA-2048") },
	{ " RSA", 0, 0, NULL,		MSG_TYPE(" RSA") },
	{ "X25519", 0, 0, NULL,		MSG_TYPE("X25519") },
	{ "ECDH", 0, 0, NULL,		MSG_TYPE("ECDH") },
	{ "ML-DSA-44", 0, 0, NULL,	MSG_TYPE("ML-DSA-44") },
	{ "RSA", 1, 1000, NULL,		MSG_RSA("1000") },
	{ NULL, 1, 1024, NULL,		MSG_RSA("1024") },
	{ "RSA", 1, 2047, NULL,		MSG_RSA("2047") },
	{ "RSA", 1, 16384, NULL,	MSG_RSA("16384") },
	{ "RSA", 1, -2048, NULL,	MSG_RSA("-2048") },
	{ "RSA", 1, 256, NULL,		MSG_RSA("256") },
	{ "RSA", 1, 4294969344L, NULL,	MSG_RSA("4294969344") },
	{ "ECC", 0, 0, "foo",		MSG_CURVE("foo") },
	{ "ECC", 0, 0, "secp256k1",	MSG_CURVE("secp256k1") },
	{ "ECC", 0, 0, "brainpoolP256r1", MSG_CURVE("brainpoolP256r1") },
	{ "ECC", 0, 0, "P-192",		MSG_CURVE("P-192") },
	{ "ECC", 0, 0, "P256",		MSG_CURVE("P256") },
	{ "ECC", 0, 0, "1.2.840.10045.3.1.7 ", MSG_CURVE("1.2.840.10045.3.1.7 ") },
	{ "ECC", 0, 0, "1.3.132.0.10",	MSG_CURVE("1.3.132.0.10") },
	{ "ECC", 0, 0, "256",		MSG_CURVE("256") },
	{ "ECC", 1, 255, NULL,		MSG_ECC("255") },
	{ "ECC", 1, 2048, NULL,		MSG_ECC("2048") },
	{ "ECC", 1, -256, NULL,		MSG_ECC("-256") },
	{ "ECC", 1, 384, "P-256",
	    "KeyLength: 384 does not match Curve P-256 (256 bits)" },
	{ "ECC", 1, 256, "1.3.132.0.35",
	    "KeyLength: 256 does not match Curve P-521 (521 bits)" },
	{ "RSA", 0, 0, "P-256",
	    "Curve: only applies to KeyType ECC, not RSA" },
	{ NULL, 0, 0, "1.2.840.10045.3.1.7",
	    "Curve: only applies to KeyType ECC, not RSA" },
	{ "Ed448", 0, 0, "P-256",
	    "Curve: only applies to KeyType ECC, not Ed448" },
	{ "Ed25519", 1, 256, NULL,
	    "KeyLength: does not apply to KeyType Ed25519" },
	{ "Ed448", 1, 448, NULL,
	    "KeyLength: does not apply to KeyType Ed448" },
};

static void
assert_spec(const struct key_spec *s, enum key_type t, int bits, int nid)
{
	assert_int_equal(s->type, t);
	assert_int_equal(s->bits, bits);
	assert_int_equal(s->nid, nid);
}

static void
test_request_ok(void **state)
{
	struct key_spec s;
	struct ce_error err;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(req_ok); i++) {
		memset(&s, 0xff, sizeof(s));
		ce_error_clear(&err);
		if (key_spec_from_request(req_ok[i].type, req_ok[i].has_length,
		    req_ok[i].length, req_ok[i].curve, &s, &err) != CE_OK)
			fail_msg("case %zu (%s %ld %s): %s", i,
			    req_ok[i].type ? req_ok[i].type : "(null)",
			    req_ok[i].length,
			    req_ok[i].curve ? req_ok[i].curve : "(null)",
			    err.msg);
		assert_spec(&s, req_ok[i].want, req_ok[i].bits, req_ok[i].nid);
	}
}

static void
test_request_bad(void **state)
{
	struct key_spec s;
	struct ce_error err;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(req_bad); i++) {
		ce_error_clear(&err);
		if (key_spec_from_request(req_bad[i].type, req_bad[i].has_length,
		    req_bad[i].length, req_bad[i].curve, &s, &err) != CE_INVAL)
			fail_msg("case %zu accepted", i);
		assert_int_equal(err.code, CE_INVAL);
		assert_string_equal(err.msg, req_bad[i].msg);
	}
	/* err may be NULL. */
	assert_int_equal(key_spec_from_request("DSA", 0, 0, NULL, &s, NULL),
	    CE_INVAL);
}

/* A long word is cut in the message, which stays readable. */
static void
test_request_long_word(void **state)
{
	char word[200];
	struct key_spec s;
	struct ce_error err;

	(void)state;
	memset(word, 'A', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	assert_int_equal(key_spec_from_request(word, 0, 0, NULL, &s, &err),
	    CE_INVAL);
	assert_string_equal(err.msg, "KeyType: '"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "' is not supported (RSA, ECC, Ed25519, Ed448)");
}

static const struct {
	const char	*word;
	enum key_type	 want;
	int		 bits, nid;
} word_ok[] = {
	{ "RSA-2048",		KEY_RSA, 2048, 0 },
	{ "rsa-3072",		KEY_RSA, 3072, 0 },
	{ "RSA-4096",		KEY_RSA, 4096, 0 },
	{ "RSA-8192",		KEY_RSA, 8192, 0 },
	{ "ECC-P-256",		KEY_ECC, 256, P256 },
	{ "ecc-p-384",		KEY_ECC, 384, P384 },
	{ "ECC-P-521",		KEY_ECC, 521, P521 },
	{ "P-256",		KEY_ECC, 256, P256 },
	{ "P-384",		KEY_ECC, 384, P384 },
	{ "p-521",		KEY_ECC, 521, P521 },
	{ "ECC-256",		KEY_ECC, 256, P256 },
	{ "ECC-384",		KEY_ECC, 384, P384 },
	{ "ECC-521",		KEY_ECC, 521, P521 },
	{ "EC-P-384",		KEY_ECC, 384, P384 },
	{ "EC-256",		KEY_ECC, 256, P256 },
	{ "ECDSA-P-521",	KEY_ECC, 521, P521 },
	{ "secp384r1",		KEY_ECC, 384, P384 },
	{ "prime256v1",		KEY_ECC, 256, P256 },
	{ "ECC-secp521r1",	KEY_ECC, 521, P521 },
	{ "1.3.132.0.34",	KEY_ECC, 384, P384 },
	{ "ECC-1.2.840.10045.3.1.7", KEY_ECC, 256, P256 },
	{ "Ed25519",		KEY_ED25519, 0, 0 },
	{ "ED25519",		KEY_ED25519, 0, 0 },
	{ "Ed448",		KEY_ED448, 0, 0 },
	{ "ed448",		KEY_ED448, 0, 0 },
};

static const char *const word_bad[] = {
	"", "RSA", "ECC", "EC", "RSA-", "RSA-1024", "RSA-2047", "RSA-2048x",
	"RSA- 2048", "RSA-+2048", "RSA--2048", "RSA-02048x", "RSA2048",
	"RSA 2048", "ECC-", "ECC-P-192", "ECC-255", "ECC-2048", "ECC-P256",
	"ECC-secp256k1", "P256", "256", "384", "Ed25519-256", "X25519",
	"ED-25519", "DSA-2048", " RSA-2048", "RSA-2048 ", "ECC-P-256-",
};

static void
test_word_ok(void **state)
{
	struct key_spec s;
	struct ce_error err;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(word_ok); i++) {
		memset(&s, 0xff, sizeof(s));
		if (key_spec_parse_word(word_ok[i].word, &s, &err) != CE_OK)
			fail_msg("'%s': %s", word_ok[i].word, err.msg);
		assert_spec(&s, word_ok[i].want, word_ok[i].bits,
		    word_ok[i].nid);
	}
}

static void
test_word_bad(void **state)
{
	struct key_spec s;
	struct ce_error err;
	char want[256];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(word_bad); i++) {
		ce_error_clear(&err);
		if (key_spec_parse_word(word_bad[i], &s, &err) != CE_INVAL)
			fail_msg("'%s' accepted", word_bad[i]);
		snprintf(want, sizeof(want), "'%s' is not a key spec (RSA-2048, "
		    "RSA-3072, RSA-4096, RSA-8192, ECC-P-256, ECC-P-384, "
		    "ECC-P-521, Ed25519, Ed448)", word_bad[i]);
		assert_string_equal(err.msg, want);
	}
	assert_int_equal(key_spec_parse_word(NULL, &s, &err), CE_INVAL);
	assert_string_equal(err.msg, MSG_WORD(""));
	assert_int_equal(key_spec_parse_word("RSA-1", &s, NULL), CE_INVAL);
}

/* Canonical words and their round trip through the parser. */
static void
test_word_canonical(void **state)
{
	static const struct {
		struct key_spec	 spec;
		const char	*word;
	} tab[] = {
		{ { KEY_RSA, 2048, 0 },		"RSA-2048" },
		{ { KEY_RSA, 3072, 0 },		"RSA-3072" },
		{ { KEY_RSA, 4096, 0 },		"RSA-4096" },
		{ { KEY_RSA, 8192, 0 },		"RSA-8192" },
		{ { KEY_ECC, 256, P256 },	"ECC-P-256" },
		{ { KEY_ECC, 384, P384 },	"ECC-P-384" },
		{ { KEY_ECC, 521, P521 },	"ECC-P-521" },
		{ { KEY_ED25519, 0, 0 },	"Ed25519" },
		{ { KEY_ED448, 0, 0 },		"Ed448" },
	};
	struct key_spec s;
	char buf[32], small[4] = "xyz";
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(tab); i++) {
		assert_ptr_equal(key_spec_word(&tab[i].spec, buf, sizeof(buf)),
		    buf);
		assert_string_equal(buf, tab[i].word);
		assert_int_equal(key_spec_parse_word(buf, &s, NULL), CE_OK);
		assert_spec(&s, tab[i].spec.type, tab[i].spec.bits,
		    tab[i].spec.nid);
	}
	key_spec_word(&tab[4].spec, small, sizeof(small));
	assert_string_equal(small, "ECC");
	key_spec_word(&tab[0].spec, small, 0);	/* untouched */
	assert_string_equal(small, "ECC");
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(key_type_name(KEY_RSA), "RSA");
	assert_string_equal(key_type_name(KEY_ECC), "ECC");
	assert_string_equal(key_type_name(KEY_ED25519), "Ed25519");
	assert_string_equal(key_type_name(KEY_ED448), "Ed448");
	assert_null(key_type_name(KEY__MAX));
	assert_null(key_type_name((enum key_type)-1));

	assert_string_equal(key_curve_name(P256), "P-256");
	assert_string_equal(key_curve_name(P384), "P-384");
	assert_string_equal(key_curve_name(P521), "P-521");
	assert_string_equal(key_curve_oid(P256), "1.2.840.10045.3.1.7");
	assert_string_equal(key_curve_oid(P384), "1.3.132.0.34");
	assert_string_equal(key_curve_oid(P521), "1.3.132.0.35");
	assert_null(key_curve_name(0));
	assert_null(key_curve_name(NID_secp256k1));
	assert_null(key_curve_oid(NID_secp256k1));
	assert_null(key_curve_oid(NID_rsaEncryption));
}

/* Generates spec and checks the key describes itself as spec. */
static void
generate_and_check(enum key_type t, int bits, int nid)
{
	struct key_spec spec = { t, bits, nid }, got;
	struct ce_error err;
	EVP_PKEY *key = NULL;

	if (key_generate(&spec, &key, &err) != CE_OK)
		fail_msg("key_generate: %s", err.msg);
	assert_non_null(key);
	assert_int_equal(key_spec_of(key, &got), CE_OK);
	assert_spec(&got, t, bits, nid);
	if (t == KEY_RSA || t == KEY_ECC)
		assert_int_equal(EVP_PKEY_get_bits(key), bits);
	EVP_PKEY_free(key);
}

static void
test_generate_ecc(void **state)
{
	(void)state;
	generate_and_check(KEY_ECC, 256, P256);
	generate_and_check(KEY_ECC, 384, P384);
	generate_and_check(KEY_ECC, 521, P521);
	generate_and_check(KEY_ED25519, 0, 0);
	generate_and_check(KEY_ED448, 0, 0);
}

static void
test_generate_rsa(void **state)
{
	struct key_spec spec = { KEY_RSA, 2048, 0 };
	EVP_PKEY *key = NULL;
	BIGNUM *e = NULL;

	(void)state;
	generate_and_check(KEY_RSA, 2048, 0);
	assert_int_equal(key_generate(&spec, &key, NULL), CE_OK);
	assert_int_equal(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e),
	    1);
	assert_true(BN_is_word(e, 65537));
	BN_free(e);
	EVP_PKEY_free(key);
}

static void
test_generate_bad(void **state)
{
	static const struct key_spec bad[] = {
		{ KEY_RSA, 1024, 0 },
		{ KEY_RSA, 0, 0 },
		{ KEY_ECC, 256, NID_secp256k1 },
		{ KEY_ECC, 256, 0 },
		{ KEY__MAX, 0, 0 },
	};
	struct ce_error err;
	EVP_PKEY *key;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		key = (EVP_PKEY *)&key;		/* must be reset */
		assert_int_equal(key_generate(&bad[i], &key, &err), CE_INVAL);
		assert_null(key);
		assert_int_equal(err.code, CE_INVAL);
	}
}

/* Keys outside the tables: RSA keeps its size, the rest is refused. */
static void
test_spec_of_other(void **state)
{
	struct key_spec s;
	EVP_PKEY *k;

	(void)state;
	assert_int_equal(key_spec_of(NULL, &s), CE_INVAL);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(k);
	assert_int_equal(key_spec_of(k, &s), CE_OK);
	assert_spec(&s, KEY_RSA, 1024, 0);
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	assert_non_null(k);
	assert_int_equal(key_spec_of(k, &s), CE_INVAL);
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	assert_non_null(k);
	assert_int_equal(key_spec_of(k, &s), CE_INVAL);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_ok),
		cmocka_unit_test(test_request_bad),
		cmocka_unit_test(test_request_long_word),
		cmocka_unit_test(test_word_ok),
		cmocka_unit_test(test_word_bad),
		cmocka_unit_test(test_word_canonical),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_generate_ecc),
		cmocka_unit_test(test_generate_rsa),
		cmocka_unit_test(test_generate_bad),
		cmocka_unit_test(test_spec_of_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
