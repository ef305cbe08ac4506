/*
 * b64.c - standard base64 (RFC 4648 section 4): padded, no line breaks, as
 * Pkcs12Blob carries it.  OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock do the
 * work in chunks (they count in int); the decoder is strict about what
 * EVP_DecodeBlock lets through ('=' anywhere, whitespace at the ends).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64.h"

/* Chunk sizes: multiples of 3 (raw) and 4 (text) that fit an int. */
#define RAW_CHUNK	(3 * 4096)
#define TXT_CHUNK	(4 * 4096)

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
b64_encode(const unsigned char *p, size_t len)
{
	unsigned char *s, *d;
	size_t n, quads = len / 3 + (len % 3 != 0);

	if (quads > (SIZE_MAX - 1) / 4)
		return NULL;
	if ((s = malloc(quads * 4 + 1)) == NULL)
		return NULL;
	d = s;
	while (len > 0) {
		n = len < RAW_CHUNK ? len : RAW_CHUNK;
		d += EVP_EncodeBlock(d, p, (int)n);
		p += n;
		len -= n;
	}
	*d = '\0';
	return (char *)s;
}

/*
 * Checks s (len a multiple of 4) is alphabet characters with at most two
 * '=' at the very end.  Returns the number of '=', or -1.
 */
static int
b64_padding(const char *s, size_t len)
{
	size_t i, data = len;
	int pad = 0;

	while (pad < 2 && data > 0 && s[data - 1] == '=') {
		data--;
		pad++;
	}
	for (i = 0; i < data; i++)
		if (s[i] == '\0' || strchr(alphabet, s[i]) == NULL)
			return -1;
	return pad;
}

/*
 * Decodes strict standard base64 into out (caller frees with buf_free).
 * Returns CE_OK, CE_INVAL for anything but padded base64 without line
 * breaks, CE_NOMEM.
 */
enum ce_err
b64_decode(const char *s, struct ce_buf *out)
{
	size_t len, n, done = 0;
	unsigned char *d;
	enum ce_err rc = CE_INVAL;
	int pad;

	out->data = NULL;
	out->len = 0;
	len = strlen(s);
	if (len % 4 != 0 || (pad = b64_padding(s, len)) < 0)
		goto out;
	if ((out->data = malloc(len / 4 * 3 + 1)) == NULL) {
		rc = CE_NOMEM;
		goto out;
	}
	out->len = len / 4 * 3;
	for (d = out->data; done < len; done += n, d += n / 4 * 3) {
		n = len - done < TXT_CHUNK ? len - done : TXT_CHUNK;
		if (EVP_DecodeBlock(d, (const unsigned char *)s + done,
		    (int)n) != (int)(n / 4 * 3))
			goto out;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	out->len -= (size_t)pad;
	rc = CE_OK;
out:
	if (rc != CE_OK)
		buf_free(out);
	return rc;
}
