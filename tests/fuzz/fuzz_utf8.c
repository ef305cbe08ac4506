/*
 * fuzz_utf8 - strict UTF-8 (every request body passes through it):
 * utf8_valid() against an independent decoder written from RFC 3629's
 * table of well-formed byte sequences (section 4), which checks second
 * bytes by range instead of decoding and comparing code points.  Both
 * must agree on validity and on where the first bad sequence starts.
 */
#include "fuzz.h"

/*
 * RFC 3629 section 4:
 *   UTF8-1 = %x00-7F
 *   UTF8-2 = %xC2-DF UTF8-tail
 *   UTF8-3 = %xE0 %xA0-BF UTF8-tail / %xE1-EC 2( UTF8-tail ) /
 *            %xED %x80-9F UTF8-tail / %xEE-EF 2( UTF8-tail )
 *   UTF8-4 = %xF0 %x90-BF 2( UTF8-tail ) / %xF1-F3 3( UTF8-tail ) /
 *            %xF4 %x80-8F 2( UTF8-tail )
 * Returns the length of the well-formed sequence at p, or 0.
 */
static size_t
sequence(const unsigned char *p, size_t left)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (c <= 0x7F)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i = 0, n, bad = (size_t)-1;
	int ok, want;

	while (i < size && (n = sequence(data + i, size - i)) != 0)
		i += n;
	want = i == size;
	ok = utf8_valid(data, size, &bad);
	FUZZ_CHECK(ok == want, "utf8_valid says %d for %zu bytes (first bad "
	    "sequence at %zu)", ok, size, i);
	FUZZ_CHECK(ok || bad == i, "bad offset %zu, not %zu", bad, i);
	FUZZ_CHECK(utf8_valid(data, size, NULL) == ok, "bad == NULL differs");
	return 0;
}
