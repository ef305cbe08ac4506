/* utf8.c - strict UTF-8 (see utf8.h). */
#include "utf8.h"

/* Length of the sequence starting with lead byte c and the lowest value
 * it may encode; 0 for a byte that cannot start a sequence. */
static int
seq_len(unsigned char c, unsigned long *min)
{
	if (c < 0x80) {
		*min = 0;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		*min = 0x80;
		return 2;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		*min = 0x800;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		*min = 0x10000;
		return 4;
	}
	return 0;
}

/* The length of the well-formed character at p[i] (of p[0..len)), or 0. */
static int
next(const unsigned char *p, size_t len, size_t i)
{
	unsigned long cp, min;
	int n, k;

	if ((n = seq_len(p[i], &min)) == 0 || i + (size_t)n > len)
		return 0;
	cp = n == 1 ? p[i] : p[i] & (0x7F >> n);
	for (k = 1; k < n; k++) {
		if ((p[i + k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i + k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

int
utf8_valid(const unsigned char *p, size_t len, size_t *bad)
{
	size_t i = 0;
	int n;

	while (i < len) {
		if ((n = next(p, len, i)) == 0) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		i += (size_t)n;
	}
	return 1;
}

long
utf8_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	long chars = 0;
	int n;

	while (i < len) {
		if ((n = next(p, len, i)) == 0)
			return -1;
		i += (size_t)n;
		chars++;
	}
	return chars;
}
