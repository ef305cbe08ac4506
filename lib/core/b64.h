/*
 * b64.h - standard base64 (RFC 4648 alphabet, padded, no newlines): the
 * API's blobs and the sealed values in records.  Ours rather than
 * OpenSSL's EVP_DecodeBlock, which skips whitespace and counts the padding
 * into the decoded length: the API's fields are to be strict.
 */
#ifndef CE_B64_H
#define CE_B64_H

#include <stddef.h>

#include "error.h"
#include "buf.h"

/* Base64 (standard alphabet, padded, no newlines); caller frees. NULL on ENOMEM. */
char		*b64_encode(const unsigned char *p, size_t len);

/* Decodes standard base64 (no newlines); returns CE_OK or CE_INVAL. */
enum ce_err	b64_decode(const char *s, struct ce_buf *out);

#endif
