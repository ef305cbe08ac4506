/* utf8.c - strict UTF-8 validation (see utf8.h). */
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

int
utf8_valid(const unsigned char *p, size_t len, size_t *bad)
{
	unsigned long cp, min;
	size_t i = 0;
	int n, k;

	while (i < len) {
		if ((n = seq_len(p[i], &min)) == 0 || i + (size_t)n > len)
			goto fail;
		cp = n == 1 ? p[i] : p[i] & (0x7F >> n);
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				goto fail;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto fail;
		i += (size_t)n;
	}
	return 1;
fail:
	if (bad != NULL)
		*bad = i;
	return 0;
}
