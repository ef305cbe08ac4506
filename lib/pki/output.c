/*
 * output.c - what the answer formats share.  The formats live in their own
 * files: output_pem.c, output_zip.c, output_pkcs12.c (and output_pkcs8.c,
 * the encrypted keys of PEM and ZIP).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "output_int.h"

enum ce_err
buf_from_bio(BIO *bio, struct ce_buf *out, struct ce_error *err)
{
	char *p = NULL;
	long len;

	out->data = NULL;
	out->len = 0;
	if ((len = BIO_get_mem_data(bio, &p)) < 0 || (len > 0 && p == NULL))
		return ce_fault(err, CE_CRYPTO, "BIO_get_mem_data failed");
	/* One spare byte: never malloc(0), and text stays NUL-terminated. */
	if ((out->data = malloc((size_t)len + 1)) == NULL)
		return ce_fault(err, CE_NOMEM, "malloc(%ld) failed", len + 1);
	if (len > 0)
		memcpy(out->data, p, (size_t)len);
	out->data[len] = '\0';
	out->len = (size_t)len;
	return CE_OK;
}

enum ce_err
chain_order_parse(const char *v, enum chain_order *out, struct ce_error *err)
{
	*out = CHAIN_END_ENTITY_FIRST;
	if (v == NULL || *v == '\0' || strcasecmp(v, "EndEntityFirst") == 0)
		return CE_OK;
	if (strcasecmp(v, "RootFirst") == 0) {
		*out = CHAIN_ROOT_FIRST;
		return CE_OK;
	}
	return ce_fail(err, CE_INVAL, "ChainOrder: '%.32s' is not "
	    "EndEntityFirst or RootFirst.", v);
}
