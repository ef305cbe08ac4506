/* pbkdf2.c - PBKDF2-HMAC-SHA256 from prepared SHA-256 states (pbkdf2.h). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "pbkdf2.h"

#define BLOCK	SHA256_CBLOCK		/* 64 */
#define HLEN	SHA256_DIGEST_LENGTH	/* 32 */

/* HMAC's inner and outer states after the padded key block. */
static void
hmac_states(const void *pass, size_t passlen, SHA256_CTX *in, SHA256_CTX *out)
{
	unsigned char key[BLOCK], pad[BLOCK];
	size_t i;

	memset(key, 0, sizeof(key));
	if (passlen > BLOCK)
		SHA256(pass, passlen, key);
	else if (passlen > 0)
		memcpy(key, pass, passlen);
	for (i = 0; i < BLOCK; i++)
		pad[i] = key[i] ^ 0x36;
	SHA256_Init(in);
	SHA256_Update(in, pad, BLOCK);
	for (i = 0; i < BLOCK; i++)
		pad[i] = key[i] ^ 0x5c;
	SHA256_Init(out);
	SHA256_Update(out, pad, BLOCK);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(pad, sizeof(pad));
}

/* u = HMAC(key, msg) from the prepared states. */
static void
hmac(const SHA256_CTX *in, const SHA256_CTX *out, const unsigned char *msg,
    size_t len, const unsigned char *msg2, size_t len2, unsigned char *u)
{
	SHA256_CTX c;

	c = *in;
	SHA256_Update(&c, msg, len);
	if (len2 > 0)
		SHA256_Update(&c, msg2, len2);
	SHA256_Final(u, &c);
	c = *out;
	SHA256_Update(&c, u, HLEN);
	SHA256_Final(u, &c);
	OPENSSL_cleanse(&c, sizeof(c));
}

int
pbkdf2_sha256(const void *pass, size_t passlen, const void *salt,
    size_t saltlen, unsigned int iter, unsigned char *out, size_t outlen)
{
	SHA256_CTX in, outer;
	unsigned char u[HLEN], t[HLEN], be[4];
	unsigned int i, j, block;
	size_t n;

	if (iter == 0)
		return 0;
	hmac_states(pass, passlen, &in, &outer);
	for (block = 1; outlen > 0; block++) {
		be[0] = block >> 24, be[1] = block >> 16;
		be[2] = block >> 8, be[3] = block;
		hmac(&in, &outer, salt, saltlen, be, sizeof(be), u);
		memcpy(t, u, HLEN);
		for (i = 1; i < iter; i++) {
			hmac(&in, &outer, u, HLEN, NULL, 0, u);
			for (j = 0; j < HLEN; j++)
				t[j] ^= u[j];
		}
		n = outlen < HLEN ? outlen : HLEN;
		memcpy(out, t, n);
		out += n;
		outlen -= n;
	}
	OPENSSL_cleanse(&in, sizeof(in));
	OPENSSL_cleanse(&outer, sizeof(outer));
	OPENSSL_cleanse(u, sizeof(u));
	OPENSSL_cleanse(t, sizeof(t));
	return 1;
}
