/* output_p7b.c - certificates as a degenerate PKCS#7 (see output.h). */
#include <openssl/pkcs7.h>

#include "output_int.h"

/* Adds cert to p7 (a reference of its own). */
static int
add(PKCS7 *p7, X509 *cert)
{
	return PKCS7_add_certificate(p7, cert) == 1;
}

enum ce_err
p7b_build(X509 *leaf, STACK_OF(X509) *chain, enum chain_order order,
    struct ce_buf *out, struct ce_error *err)
{
	PKCS7 *p7 = PKCS7_new();
	BIO *bio = NULL;
	int i, n = chain != NULL ? sk_X509_num(chain) : 0, ok;
	enum ce_err rc;

	out->data = NULL;
	out->len = 0;
	if (order != CHAIN_END_ENTITY_FIRST && order != CHAIN_ROOT_FIRST) {
		PKCS7_free(p7);
		return ce_fail(err, CE_INVAL, "ChainOrder: not supported");
	}
	/* SignedData with no signers and no content: certificates alone. */
	ok = p7 != NULL && PKCS7_set_type(p7, NID_pkcs7_signed) == 1 &&
	    PKCS7_content_new(p7, NID_pkcs7_data) == 1;
	if (ok && order == CHAIN_END_ENTITY_FIRST) {
		ok = add(p7, leaf);
		for (i = 0; ok && i < n; i++)
			ok = add(p7, sk_X509_value(chain, i));
	} else if (ok) {
		for (i = n - 1; ok && i >= 0; i--)
			ok = add(p7, sk_X509_value(chain, i));
		ok = ok && add(p7, leaf);
	}
	if (!ok || (bio = BIO_new(BIO_s_mem())) == NULL ||
	    i2d_PKCS7_bio(bio, p7) != 1)
		rc = ce_fault(err, CE_CRYPTO, "PKCS#7 of the certificates");
	else
		rc = buf_from_bio(bio, out, err);
	BIO_free(bio);
	PKCS7_free(p7);
	return rc;
}
