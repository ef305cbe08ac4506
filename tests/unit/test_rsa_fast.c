/* test_rsa_fast.c - keys from rsa_fast_generate are sound RSA keys:
 * p and q prime and of half size, n = pq, e = 65537, d e = 1 mod lcm, the
 * CRT values right, |p - q| large, and OpenSSL's own check passes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "keys.h"
#include "rsa_fast.h"

static BIGNUM *
param(EVP_PKEY *k, const char *name)
{
	BIGNUM *bn = NULL;

	assert_int_equal(EVP_PKEY_get_bn_param(k, name, &bn), 1);
	return bn;
}

static void
check_key(int bits)
{
	EVP_PKEY *k = NULL;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *n, *e, *d, *p, *q, *dp, *dq, *qi, *t, *pm1, *qm1, *l, *g;

	assert_int_equal(rsa_fast_generate(bits, &k, NULL), CE_OK);
	assert_int_equal(EVP_PKEY_get_bits(k), bits);
	n = param(k, OSSL_PKEY_PARAM_RSA_N);
	e = param(k, OSSL_PKEY_PARAM_RSA_E);
	d = param(k, OSSL_PKEY_PARAM_RSA_D);
	p = param(k, OSSL_PKEY_PARAM_RSA_FACTOR1);
	q = param(k, OSSL_PKEY_PARAM_RSA_FACTOR2);
	dp = param(k, OSSL_PKEY_PARAM_RSA_EXPONENT1);
	dq = param(k, OSSL_PKEY_PARAM_RSA_EXPONENT2);
	qi = param(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
	t = BN_new(), pm1 = BN_new(), qm1 = BN_new(), l = BN_new(), g = BN_new();
	assert_true(BN_is_word(e, 65537));
	assert_int_equal(BN_check_prime(p, ctx, NULL), 1);
	assert_int_equal(BN_check_prime(q, ctx, NULL), 1);
	assert_int_equal(BN_num_bits(p), bits / 2);
	assert_int_equal(BN_num_bits(q), bits / 2);
	assert_true(BN_mul(t, p, q, ctx));
	assert_int_equal(BN_cmp(t, n), 0);
	/* |p - q| > 2^(bits/2 - 100) */
	assert_true(BN_sub(t, p, q));
	BN_set_negative(t, 0);
	assert_true(BN_num_bits(t) > bits / 2 - 100);
	/* d e = 1 mod lcm(p-1, q-1), d > 2^(bits/2) */
	assert_true(BN_sub(pm1, p, BN_value_one()) && BN_sub(qm1, q, BN_value_one()));
	assert_true(BN_gcd(g, pm1, qm1, ctx) && BN_mul(l, pm1, qm1, ctx) &&
	    BN_div(l, NULL, l, g, ctx));
	assert_true(BN_mod_mul(t, d, e, l, ctx));
	assert_true(BN_is_one(t));
	assert_true(BN_num_bits(d) > bits / 2);
	/* CRT values */
	assert_true(BN_mod(t, d, pm1, ctx));
	assert_int_equal(BN_cmp(t, dp), 0);
	assert_true(BN_mod(t, d, qm1, ctx));
	assert_int_equal(BN_cmp(t, dq), 0);
	assert_true(BN_mod_mul(t, qi, q, p, ctx));
	assert_true(BN_is_one(t));
	{
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);

		assert_int_equal(EVP_PKEY_check(c), 1);
		EVP_PKEY_CTX_free(c);
	}
	BN_free(n), BN_free(e), BN_free(d), BN_free(p), BN_free(q);
	BN_free(dp), BN_free(dq), BN_free(qi), BN_free(t), BN_free(pm1);
	BN_free(qm1), BN_free(l), BN_free(g);
	BN_CTX_free(ctx);
	EVP_PKEY_free(k);
}

static void
test_rsa_2048(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		check_key(2048);
}

static void
test_rsa_3072(void **state)
{
	(void)state;
	check_key(3072);
}

/* Miller-Rabin: primes pass; composites that fool weaker tests do not
 * (40 random-base rounds: a composite passes with probability < 2^-80). */
static void
test_probable_prime(void **state)
{
	static const char *primes[] = {
		"2147483647",				/* 2^31 - 1 */
		"170141183460469231731687303715884105727", /* 2^127 - 1 */
		"1000000007",
	};
	static const char *composites[] = {
		"561", "41041", "825265",		/* Carmichael numbers */
		"3215031751",		/* strong pseudoprime to bases 2, 3, 5, 7 */
		"3825123056546413051",	/* ... to the bases 2 up to 23 */
	};
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *w = NULL, *a = BN_new(), *b = BN_new();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(primes) / sizeof(primes[0]); i++) {
		assert_true(BN_dec2bn(&w, primes[i]) > 0);
		assert_int_equal(rsa_probable_prime(w, 40, ctx), 1);
	}
	for (i = 0; i < sizeof(composites) / sizeof(composites[0]); i++) {
		assert_true(BN_dec2bn(&w, composites[i]) > 0);
		assert_int_equal(rsa_probable_prime(w, 40, ctx), 0);
	}
	/* a product of two 1024-bit primes, as an RSA modulus is */
	assert_true(BN_generate_prime_ex(a, 512, 0, NULL, NULL, NULL));
	assert_true(BN_generate_prime_ex(b, 512, 0, NULL, NULL, NULL));
	assert_true(BN_mul(w, a, b, ctx));
	assert_int_equal(rsa_probable_prime(w, 5, ctx), 0);
	assert_int_equal(rsa_probable_prime(a, 5, ctx), 1);
	/* even numbers and no rounds are refused */
	assert_true(BN_set_word(w, 1000));
	assert_int_equal(rsa_probable_prime(w, 5, ctx), -1);
	assert_int_equal(rsa_probable_prime(a, 0, ctx), -1);
	BN_free(w), BN_free(a), BN_free(b);
	BN_CTX_free(ctx);
}

static void
test_rsa_bad_size(void **state)
{
	EVP_PKEY *k = NULL;

	(void)state;
	assert_int_not_equal(rsa_fast_generate(1024, &k, NULL), CE_OK);
	assert_null(k);
	assert_int_not_equal(rsa_fast_generate(2047, &k, NULL), CE_OK);
	assert_null(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsa_2048),
		cmocka_unit_test(test_rsa_3072),
		cmocka_unit_test(test_probable_prime),
		cmocka_unit_test(test_rsa_bad_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
