/*
 * output_int.h - internals shared by the files behind output.h (output.c,
 * output_pem.c, output_zip.c, output_pkcs12.c, output_pkcs8.c,
 * output_p7b.c).  Not for other modules.
 */
#ifndef CE_OUTPUT_INT_H
#define CE_OUTPUT_INT_H

#include <openssl/bio.h>
#include <openssl/x509.h>
#include "output.h"

/* Copies what bio (a memory BIO) holds into out (caller frees with
 * buf_free); CE_OK, or CE_NOMEM / CE_CRYPTO. */
enum ce_err	buf_from_bio(BIO *bio, struct ce_buf *out, struct ce_error *err);

/* PBE and MAC iterations of every password-protected output. */
#define PFX_ITER	2048

/* key as EncryptedPrivateKeyInfo under password (non-empty): PBES2,
 * PBKDF2-HMAC-SHA256, AES-256-CBC (output_pkcs8.c).  CE_OK or CE_CRYPTO. */
enum ce_err	pkcs8_encrypt(EVP_PKEY *key, const char *password,
		    X509_SIG **out, struct ce_error *err);

/* Writes key as PKCS#8 PEM: encrypted (PBES2, AES-256-CBC) when password
 * is non-empty, else in the clear.  CE_OK or CE_CRYPTO. */
enum ce_err	pem_put_key(BIO *bio, EVP_PKEY *key, const char *password,
		    struct ce_error *err);

/* Writes x as PEM, preceded by "subject=" and "issuer=" lines when
 * subject_header is set.  CE_OK or CE_CRYPTO. */
enum ce_err	pem_put_cert(BIO *bio, X509 *x, int subject_header,
		    struct ce_error *err);

#endif
