/*
 * fuzz_b64 - base64 as Pkcs12Blob and stored records carry it.  Any bytes
 * must encode and decode back unchanged, and the encoding must be exactly
 * what an independent encoder writes; any text b64_decode() accepts must
 * be strict padded base64 (checked independently), and its bytes must
 * encode and decode back to the same bytes.
 */
#include "b64.h"
#include "fuzz.h"
#include "output.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 4648 section 4, padded; caller frees. */
static char *
encode(const uint8_t *p, size_t len)
{
	char *s, *d;
	uint32_t v;
	size_t i;

	if ((s = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		abort();
	for (d = s, i = 0; i < len; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*d++ = alphabet[v >> 18 & 63];
		*d++ = alphabet[v >> 12 & 63];
		*d++ = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		*d++ = i + 2 < len ? alphabet[v & 63] : '=';
	}
	*d = '\0';
	return s;
}

/* Whether s is padded base64: quads of the alphabet, '=' only as one or
 * two final characters. */
static int
strict(const char *s)
{
	size_t len = strlen(s), i;

	if (len % 4 != 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (strchr(alphabet, s[i]) != NULL && s[i] != '\0')
			continue;
		if (s[i] == '=' && (i == len - 1 ||
		    (i == len - 2 && s[len - 1] == '=')))
			continue;
		return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ce_buf out = { NULL, 0 }, again = { NULL, 0 };
	char *enc, *mine, *s, *re;

	/* bytes -> text -> bytes */
	FUZZ_CHECK((enc = b64_encode(data, size)) != NULL, "b64_encode");
	mine = encode(data, size);
	FUZZ_CHECK(strcmp(enc, mine) == 0, "encodes as '%s', not '%s'", enc, mine);
	FUZZ_CHECK(b64_decode(enc, &out) == CE_OK, "'%s' does not decode", enc);
	FUZZ_CHECK(out.len == size && (size == 0 || memcmp(out.data, data,
	    size) == 0), "'%s' decodes into %zu other bytes", enc, out.len);
	buf_free(&out);
	free(mine);
	free(enc);

	/* text -> bytes -> text -> bytes */
	s = fuzz_cstr(data, size);
	if (b64_decode(s, &out) == CE_OK) {
		FUZZ_CHECK(strict(s), "'%s' is not strict base64 but decodes", s);
		FUZZ_CHECK(out.len == strlen(s) / 4 * 3 - (strlen(s) > 0 &&
		    s[strlen(s) - 1] == '=') - (strlen(s) > 1 &&
		    s[strlen(s) - 2] == '='), "'%s' decodes into %zu bytes", s,
		    out.len);
		FUZZ_CHECK((re = b64_encode(out.data, out.len)) != NULL, "encode");
		FUZZ_CHECK(b64_decode(re, &again) == CE_OK &&
		    again.len == out.len && (out.len == 0 ||
		    memcmp(again.data, out.data, out.len) == 0),
		    "'%s' -> '%s' decodes into other bytes", s, re);
		buf_free(&again);
		free(re);
	} else {
		FUZZ_CHECK(out.data == NULL && out.len == 0, "output on failure");
		FUZZ_CHECK(!strict(s), "'%s' is strict base64 but does not decode",
		    s);
	}
	buf_free(&out);
	free(s);
	return 0;
}
