/*
 * rsa_fast.c - RSA key generation with classic probable primes.
 *
 * OpenSSL 3.0 sends every 2-prime RSA key of 2048 bits or more through its
 * SP 800-56B generator, measured here at ~5 keys/s per core.  This is the
 * construction OpenSSL 1.1 and BoringSSL use, with the Miller-Rabin round
 * counts of FIPS 186-5 (Table B.1) instead of OpenSSL 3.0's 64:
 *   - p and q: random odd numbers with the top two bits set (so n has
 *     exactly `bits` bits), sieved by the odd primes below 2^14 and by
 *     e = 65537 (gcd(e, p-1) = 1), then Miller-Rabin with random bases:
 *     5 rounds for 1024-bit primes (error below 2^-112 for random
 *     candidates, RSA-2048's security strength), 4 for 1536 bits and more
 *     (below 2^-128 and 2^-144);
 *   - |p - q| > 2^(bits/2 - 100) (FIPS 186-4 B.3.1 (2)(d));
 *   - d = e^-1 mod lcm(p-1, q-1), d > 2^(bits/2) (B.3.1 (3)(b));
 *   - the CRT values from p, q and d;
 *   - a pairwise consistency check before the key is used: n = pq has
 *     `bits` bits, e d = 1 mod (p-1) and mod (q-1), q iqmp = 1 mod p, and a
 *     signature made with the private key verifies with the public one.
 *     (OpenSSL's EVP_PKEY_pairwise_check would test p and q for primality
 *     again, with 64 rounds each: ~40 ms, as long as the rest together.)
 * What it leaves out of SP 800-56B is the auxiliary-prime construction,
 * whose purpose (resistance to p-1 / p+1 factoring) is moot for random
 * primes of 1024 bits and more.
 */
#include <pthread.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "log.h"
#include "rsa_fast.h"

#define SIEVE_LIMIT	(1 << 14)	/* sieve by the odd primes below this */
#define SIEVE_SPAN	(1 << 16)	/* candidates p0, p0 + 2, ... p0 + SPAN */
#define E_VALUE		65537

static uint16_t small_primes[2000];
static int nsmall;
static pthread_once_t small_once = PTHREAD_ONCE_INIT;

/* The odd primes below SIEVE_LIMIT (1899 of them), by Eratosthenes. */
static void
small_primes_init(void)
{
	static unsigned char composite[SIEVE_LIMIT];
	int i, j;

	for (i = 3; i < SIEVE_LIMIT; i += 2) {
		if (composite[i])
			continue;
		if (nsmall < (int)(sizeof(small_primes) / sizeof(small_primes[0])))
			small_primes[nsmall++] = (uint16_t)i;
		for (j = i * i; j < SIEVE_LIMIT; j += 2 * i)
			composite[j] = 1;
	}
}

/* FIPS 186-5 Table B.1: Miller-Rabin rounds for a prime factor of bits. */
static int
mr_rounds(int bits)
{
	return bits >= 1536 ? 4 : 5;
}

int
rsa_probable_prime(const BIGNUM *w, int rounds, BN_CTX *ctx)
{
	BIGNUM *w1, *w3, *m, *b, *z;
	BN_MONT_CTX *mont = NULL;
	int a, i, j, ret = -1;

	if (!BN_is_odd(w) || BN_num_bits(w) < 4 || rounds < 1)
		return -1;
	BN_CTX_start(ctx);
	w1 = BN_CTX_get(ctx), w3 = BN_CTX_get(ctx), m = BN_CTX_get(ctx);
	b = BN_CTX_get(ctx), z = BN_CTX_get(ctx);
	if (z == NULL || BN_copy(w1, w) == NULL || !BN_sub_word(w1, 1) ||
	    BN_copy(w3, w) == NULL || !BN_sub_word(w3, 3) ||
	    (mont = BN_MONT_CTX_new()) == NULL || !BN_MONT_CTX_set(mont, w, ctx))
		goto out;
	/* w - 1 = 2^a m, m odd */
	for (a = 1; !BN_is_bit_set(w1, a); a++)
		;
	if (!BN_rshift(m, w1, a))
		goto out;
	BN_set_flags(m, BN_FLG_CONSTTIME);
	for (i = 0; i < rounds; i++) {
		/* b uniform in [2, w - 2] */
		if (!BN_priv_rand_range_ex(b, w3, 0, ctx) || !BN_add_word(b, 2) ||
		    !BN_mod_exp_mont_consttime(z, b, m, w, ctx, mont))
			goto out;
		if (BN_is_one(z) || BN_cmp(z, w1) == 0)
			continue;
		for (j = 1; j < a; j++) {
			if (!BN_mod_sqr(z, z, w, ctx))
				goto out;
			if (BN_cmp(z, w1) == 0)
				break;
			if (BN_is_one(z)) {
				ret = 0;
				goto out;
			}
		}
		if (j == a) {
			ret = 0;
			goto out;
		}
	}
	ret = 1;
out:
	BN_MONT_CTX_free(mont);
	BN_CTX_end(ctx);
	return ret;
}

/*
 * One prime of `bits` bits with gcd(e, p-1) = 1: from a random start p0,
 * the first p0 + delta that no small prime divides, that is not 1 mod e
 * and that passes Miller-Rabin (the sieve works on the residues of p0, so
 * each step costs no big-number arithmetic).
 */
static int
gen_prime(BIGNUM *p, int bits, BN_CTX *ctx)
{
	uint16_t mods[2000];
	BN_ULONG r, mod_e;
	uint32_t delta;
	int i, ok;

	pthread_once(&small_once, small_primes_init);
	for (;;) {
		if (!BN_priv_rand_ex(p, bits, BN_RAND_TOP_TWO, BN_RAND_BOTTOM_ODD,
		    0, ctx))
			return 0;
		for (i = 0; i < nsmall; i++) {
			if ((r = BN_mod_word(p, small_primes[i])) == (BN_ULONG)-1)
				return 0;
			mods[i] = (uint16_t)r;
		}
		if ((mod_e = BN_mod_word(p, E_VALUE)) == (BN_ULONG)-1)
			return 0;
		for (delta = 0; delta <= SIEVE_SPAN; delta += 2) {
			for (i = 0; i < nsmall; i++)
				if ((mods[i] + delta) % small_primes[i] == 0)
					break;
			if (i < nsmall || (mod_e + delta) % E_VALUE == 1)
				continue;
			if (!BN_add_word(p, delta))
				return 0;
			if (BN_num_bits(p) != bits)
				break;	/* ran past 2^bits: start afresh */
			if ((ok = rsa_probable_prime(p, mr_rounds(bits), ctx)) < 0)
				return 0;
			if (ok)
				return 1;
			if (!BN_sub_word(p, delta))
				return 0;
		}
	}
}

/* d, dmp1, dmq1, iqmp from p, q, e; 0 when d is too small. */
static int
derive(BIGNUM *d, BIGNUM *dmp1, BIGNUM *dmq1, BIGNUM *iqmp, const BIGNUM *p,
    const BIGNUM *q, const BIGNUM *e, int bits, BN_CTX *ctx)
{
	BIGNUM *pm1 = BN_CTX_get(ctx), *qm1 = BN_CTX_get(ctx);
	BIGNUM *g = BN_CTX_get(ctx), *lcm = BN_CTX_get(ctx);
	BIGNUM *r = BN_CTX_get(ctx);

	if (r == NULL || !BN_sub(pm1, p, BN_value_one()) ||
	    !BN_sub(qm1, q, BN_value_one()) || !BN_gcd(g, pm1, qm1, ctx) ||
	    !BN_mul(lcm, pm1, qm1, ctx) || !BN_div(lcm, r, lcm, g, ctx) ||
	    BN_mod_inverse(d, e, lcm, ctx) == NULL ||
	    BN_num_bits(d) <= bits / 2 ||
	    !BN_mod(dmp1, d, pm1, ctx) || !BN_mod(dmq1, d, qm1, ctx) ||
	    BN_mod_inverse(iqmp, q, p, ctx) == NULL)
		return 0;
	return 1;
}

/* Whether |p - q| > 2^(bits/2 - 100). */
static int
far_apart(const BIGNUM *p, const BIGNUM *q, int bits, BN_CTX *ctx)
{
	BIGNUM *diff = BN_CTX_get(ctx);

	if (diff == NULL || !BN_sub(diff, p, q))
		return 0;
	BN_set_negative(diff, 0);
	return BN_num_bits(diff) > bits / 2 - 100;
}

/* Builds the EVP_PKEY from its components. */
static EVP_PKEY *
to_pkey(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d, const BIGNUM *p,
    const BIGNUM *q, const BIGNUM *dmp1, const BIGNUM *dmq1, const BIGNUM *iqmp)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* The key's numbers agree: n = pq with `bits` bits, e d = 1 mod (p-1) and
 * mod (q-1), the CRT exponents are d mod (p-1) and (q-1), q iqmp = 1 mod p. */
static int
numbers_agree(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d,
    const BIGNUM *p, const BIGNUM *q, const BIGNUM *dmp1, const BIGNUM *dmq1,
    const BIGNUM *iqmp, int bits, BN_CTX *ctx)
{
	BIGNUM *t, *pm1, *qm1;
	int ok = 0;

	BN_CTX_start(ctx);
	t = BN_CTX_get(ctx), pm1 = BN_CTX_get(ctx), qm1 = BN_CTX_get(ctx);
	if (qm1 == NULL || BN_num_bits(n) != bits ||
	    !BN_mul(t, p, q, ctx) || BN_cmp(t, n) != 0 ||
	    !BN_sub(pm1, p, BN_value_one()) || !BN_sub(qm1, q, BN_value_one()) ||
	    !BN_mod_mul(t, e, d, pm1, ctx) || !BN_is_one(t) ||
	    !BN_mod_mul(t, e, d, qm1, ctx) || !BN_is_one(t) ||
	    !BN_mod(t, d, pm1, ctx) || BN_cmp(t, dmp1) != 0 ||
	    !BN_mod(t, d, qm1, ctx) || BN_cmp(t, dmq1) != 0 ||
	    !BN_mod_mul(t, q, iqmp, p, ctx) || !BN_is_one(t))
		goto out;
	ok = 1;
out:
	BN_CTX_end(ctx);
	return ok;
}

/* A signature made with the private key verifies with the public key. */
static int
signs_and_verifies(EVP_PKEY *pkey)
{
	static const unsigned char msg[] = "certenroll pairwise consistency";
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = 0;

	if (md != NULL &&
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestSign(md, sig, &siglen, msg, sizeof(msg)) == 1 &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, msg, sizeof(msg)) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	return ok;
}

enum ce_err
rsa_fast_generate(int bits, EVP_PKEY **out, struct ce_error *err)
{
	BN_CTX *ctx = BN_CTX_new_ex(NULL);
	BIGNUM *e, *p, *q, *n, *d, *dmp1, *dmq1, *iqmp;
	enum ce_err rc = CE_CRYPTO;
	int tries;

	*out = NULL;
	if (ctx == NULL || bits < 2048 || bits % 2 != 0)
		goto out;
	BN_CTX_start(ctx);
	e = BN_CTX_get(ctx), p = BN_CTX_get(ctx), q = BN_CTX_get(ctx);
	n = BN_CTX_get(ctx), d = BN_CTX_get(ctx), dmp1 = BN_CTX_get(ctx);
	dmq1 = BN_CTX_get(ctx), iqmp = BN_CTX_get(ctx);
	if (iqmp == NULL || !BN_set_word(e, E_VALUE))
		goto end;
	BN_set_flags(p, BN_FLG_CONSTTIME);
	BN_set_flags(q, BN_FLG_CONSTTIME);
	for (tries = 0; tries < 100; tries++) {
		if (!gen_prime(p, bits / 2, ctx) || !gen_prime(q, bits / 2, ctx))
			goto end;
		if (BN_cmp(p, q) < 0)
			BN_swap(p, q);	/* p > q, as PKCS #1 implementations expect */
		if (!far_apart(p, q, bits, ctx) ||
		    !derive(d, dmp1, dmq1, iqmp, p, q, e, bits, ctx))
			continue;
		if (!BN_mul(n, p, q, ctx) || BN_num_bits(n) != bits)
			continue;
		if (!numbers_agree(n, e, d, p, q, dmp1, dmq1, iqmp, bits, ctx))
			goto end;
		if ((*out = to_pkey(n, e, d, p, q, dmp1, dmq1, iqmp)) == NULL)
			goto end;
		if (signs_and_verifies(*out)) {
			rc = CE_OK;
			goto end;
		}
		EVP_PKEY_free(*out);
		*out = NULL;
		goto end;
	}
end:
	BN_CTX_end(ctx);
out:
	BN_CTX_free(ctx);
	if (rc != CE_OK)
		return ce_fault(err, CE_CRYPTO, "RSA-%d key generation failed", bits);
	return CE_OK;
}
