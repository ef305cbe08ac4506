/*
 * output_pem.c - the PEM text of /Enrollment/PFX with x-CertificateFormat PEM:
 * key, then certificates in the requested chain order, each optionally
 * preceded by its subject and issuer lines.
 */
#include <limits.h>
#include <string.h>

#include <openssl/pem.h>

#include "output_int.h"

/*
 * The subject header lines look like openssl's -info output
 * ("subject=C = US, O = \"Acme, Inc.\", CN = www"), but with UTF-8 kept
 * as UTF-8 instead of \XX escapes.
 */
#define NAME_FLAGS	((XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) | \
			    ASN1_STRFLGS_UTF8_CONVERT)

/* Writes "<title><name>\n"; returns 1, or 0 on failure. */
static int
put_name(BIO *bio, const char *title, const X509_NAME *name)
{
	return BIO_puts(bio, title) > 0 &&
	    X509_NAME_print_ex(bio, name, 0, NAME_FLAGS) >= 0 &&
	    BIO_puts(bio, "\n") > 0;
}

enum ce_err
pem_put_cert(BIO *bio, X509 *x, int subject_header, struct ce_error *err)
{
	if (subject_header &&
	    (!put_name(bio, "subject=", X509_get_subject_name(x)) ||
	    !put_name(bio, "issuer=", X509_get_issuer_name(x))))
		return ce_fault(err, CE_CRYPTO, "X509_NAME_print_ex failed");
	if (!PEM_write_bio_X509(bio, x))
		return ce_fault(err, CE_CRYPTO, "PEM_write_bio_X509 failed");
	return CE_OK;
}

/* "ENCRYPTED PRIVATE KEY" (output_pkcs8.c) with a password, else the plain
 * PKCS#8 "PRIVATE KEY". */
enum ce_err
pem_put_key(BIO *bio, EVP_PKEY *key, const char *password,
    struct ce_error *err)
{
	X509_SIG *sig = NULL;
	enum ce_err rc;

	if (password == NULL || password[0] == '\0') {
		if (!PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0,
		    NULL, NULL))
			return ce_fault(err, CE_CRYPTO,
			    "PEM_write_bio_PKCS8PrivateKey failed");
		return CE_OK;
	}
	if ((rc = pkcs8_encrypt(key, password, &sig, err)) != CE_OK)
		return rc;
	if (!PEM_write_bio_PKCS8(bio, sig))
		rc = ce_fault(err, CE_CRYPTO, "PEM_write_bio_PKCS8 failed");
	X509_SIG_free(sig);
	return rc;
}

/* Writes the certificates: leaf then chain, or the reverse for root first. */
static enum ce_err
put_certs(BIO *bio, X509 *leaf, STACK_OF(X509) *chain,
    enum chain_order order, int subject_header, struct ce_error *err)
{
	enum ce_err rc = CE_OK;
	int i, n = chain != NULL ? sk_X509_num(chain) : 0;

	if (order == CHAIN_END_ENTITY_FIRST) {
		rc = pem_put_cert(bio, leaf, subject_header, err);
		for (i = 0; rc == CE_OK && i < n; i++)
			rc = pem_put_cert(bio, sk_X509_value(chain, i),
			    subject_header, err);
	} else {
		for (i = n - 1; rc == CE_OK && i >= 0; i--)
			rc = pem_put_cert(bio, sk_X509_value(chain, i),
			    subject_header, err);
		if (rc == CE_OK)
			rc = pem_put_cert(bio, leaf, subject_header, err);
	}
	return rc;
}

enum ce_err
pem_build_certs(X509 *leaf, STACK_OF(X509) *chain, enum chain_order order,
    int subject_header, struct ce_buf *out, struct ce_error *err)
{
	BIO *bio;
	enum ce_err rc;

	out->data = NULL;
	out->len = 0;
	if (order != CHAIN_END_ENTITY_FIRST && order != CHAIN_ROOT_FIRST)
		return ce_fail(err, CE_INVAL, "ChainOrder: not supported");
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return ce_fault(err, CE_NOMEM, "BIO_new failed");
	if ((rc = put_certs(bio, leaf, chain, order, subject_header, err)) ==
	    CE_OK)
		rc = buf_from_bio(bio, out, err);
	BIO_free(bio);
	return rc;
}

/*
 * Builds the PEM text into out (caller frees with buf_free).  The text is
 * assembled in a secure-memory BIO because the key may be in the clear.
 * Returns CE_OK, CE_INVAL for a bad chain order, CE_CRYPTO or CE_NOMEM.
 */
enum ce_err
pem_build(EVP_PKEY *key, X509 *leaf, STACK_OF(X509) *chain,
    const char *password, enum chain_order order, int subject_header,
    struct ce_buf *out, struct ce_error *err)
{
	BIO *bio = NULL;
	enum ce_err rc;

	out->data = NULL;
	out->len = 0;
	if (key == NULL || leaf == NULL) {
		rc = ce_fault(err, CE_SYSTEM, "pem_build: no key or leaf");
		goto out;
	}
	if (order != CHAIN_END_ENTITY_FIRST && order != CHAIN_ROOT_FIRST) {
		rc = ce_fail(err, CE_INVAL, "ChainOrder: not supported");
		goto out;
	}
	if ((bio = BIO_new(BIO_s_secmem())) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "BIO_new failed");
		goto out;
	}
	if ((rc = pem_put_key(bio, key, password, err)) != CE_OK ||
	    (rc = put_certs(bio, leaf, chain, order, subject_header,
	    err)) != CE_OK)
		goto out;
	rc = buf_from_bio(bio, out, err);
out:
	BIO_free(bio);
	return rc;
}
