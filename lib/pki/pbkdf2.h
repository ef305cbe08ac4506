/*
 * pbkdf2.h - PBKDF2-HMAC-SHA256 (RFC 8018 5.2), for the password-encrypted
 * private keys certenroll hands out (PKCS#8 PEM, PKCS#12 key bags).
 *
 * OpenSSL 3.0's PKCS5_PBKDF2_HMAC copies a whole EVP_MD_CTX (provider
 * context included) twice per iteration: ~465 us for 2048 iterations here.
 * This computes the same function from SHA-256's inner and outer states,
 * prepared once: ~2 compressions per iteration.  The unit test checks it
 * against PKCS5_PBKDF2_HMAC and RFC 7914's vectors.
 */
#ifndef CE_PBKDF2_H
#define CE_PBKDF2_H

#include <stddef.h>

/* Derives outlen bytes from pass and salt with iter iterations (>= 1).
 * Returns 1, or 0 when iter is 0. */
int	pbkdf2_sha256(const void *pass, size_t passlen, const void *salt,
	    size_t saltlen, unsigned int iter, unsigned char *out, size_t outlen);

#endif
