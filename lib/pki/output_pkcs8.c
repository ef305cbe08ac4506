/*
 * output_pkcs8.c - a private key as encrypted PKCS#8 (RFC 5958 EncryptedPrivateKeyInfo):
 * PBES2 with PBKDF2-HMAC-SHA256 (2048 iterations, 16-byte salt) and
 * AES-256-CBC, what OpenSSL writes for PEM_write_bio_PKCS8PrivateKey with
 * AES-256, with the key derived by pbkdf2.c (see pbkdf2.h for why).
 */
#include <limits.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "output_int.h"
#include "pbkdf2.h"

#define SALT_LEN	16
#define IV_LEN		16
#define KEY_LEN		32

/* ciphertext of der under AES-256-CBC (PKCS#7 padding) into *ct. */
static int
aes_cbc(const unsigned char *key, const unsigned char *iv,
    const unsigned char *der, int len, unsigned char **ct, int *ctlen)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0, ok = 0;

	*ct = NULL;
	if (c != NULL && len >= 0 && len <= INT_MAX - IV_LEN &&
	    (*ct = OPENSSL_malloc((size_t)len + IV_LEN)) != NULL &&
	    EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), NULL, key, iv) == 1 &&
	    EVP_EncryptUpdate(c, *ct, &n, der, len) == 1 &&
	    EVP_EncryptFinal_ex(c, *ct + n, &fin) == 1) {
		*ctlen = n + fin;
		ok = 1;
	}
	EVP_CIPHER_CTX_free(c);
	if (!ok) {
		OPENSSL_free(*ct);
		*ct = NULL;
	}
	return ok;
}

enum ce_err
pkcs8_encrypt(EVP_PKEY *key, const char *password, X509_SIG **out,
    struct ce_error *err)
{
	unsigned char salt[SALT_LEN], iv[IV_LEN], dk[KEY_LEN];
	unsigned char *der = NULL, *ct = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	X509_ALGOR *pbe = NULL, *alg;
	ASN1_OCTET_STRING *data;
	const ASN1_OBJECT *obj;
	const void *pval;
	ASN1_STRING *params = NULL;
	X509_SIG *sig = NULL;
	enum ce_err rc = CE_CRYPTO;
	int len, ctlen, ptype;

	*out = NULL;
	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    RAND_bytes(iv, sizeof(iv)) != 1 ||
	    (pbe = PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), PFX_ITER, salt,
	    sizeof(salt), iv, NID_hmacWithSHA256)) == NULL ||
	    (p8 = EVP_PKEY2PKCS8(key)) == NULL ||
	    (len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der)) <= 0 ||
	    !pbkdf2_sha256(password, strlen(password), salt, sizeof(salt),
	    PFX_ITER, dk, sizeof(dk)) ||
	    !aes_cbc(dk, iv, der, len, &ct, &ctlen)) {
		ce_fault(err, rc, "PKCS#8 encryption failed");
		goto out;
	}
	X509_ALGOR_get0(&obj, &ptype, &pval, pbe);
	if (ptype != V_ASN1_SEQUENCE || (sig = X509_SIG_new()) == NULL ||
	    (params = ASN1_STRING_dup(pval)) == NULL) {
		ce_fault(err, rc, "PKCS#8 structure");
		goto out;
	}
	X509_SIG_getm(sig, &alg, &data);
	if (X509_ALGOR_set0(alg, OBJ_nid2obj(NID_pbes2), V_ASN1_SEQUENCE,
	    params) != 1) {
		ce_fault(err, rc, "PKCS#8 algorithm");
		goto out;
	}
	params = NULL;
	if (ASN1_OCTET_STRING_set(data, ct, ctlen) != 1) {
		ce_fault(err, rc, "PKCS#8 data");
		goto out;
	}
	*out = sig;
	sig = NULL;
	rc = CE_OK;
out:
	OPENSSL_cleanse(dk, sizeof(dk));
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)len);
	OPENSSL_free(ct);
	ASN1_STRING_free(params);
	X509_SIG_free(sig);
	X509_ALGOR_free(pbe);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return rc;
}
