/*
 * utf8.h - strict UTF-8 (RFC 3629), the one decoder: no overlong forms, no
 * surrogates, nothing above U+10FFFF.  Every request body passes through it
 * before parsing, so no later message or record can carry invalid text.
 */
#ifndef CE_UTF8_H
#define CE_UTF8_H

#include <stddef.h>

/* Returns 1 when p[0..len) is valid UTF-8; else 0 and *bad = the offset of
 * the first invalid byte (bad may be NULL). */
int	utf8_valid(const unsigned char *p, size_t len, size_t *bad);
/* The characters of s[0..len), or -1 when it is not valid UTF-8 (what the
 * length bounds of names count). */
long	utf8_chars(const char *s, size_t len);

#endif
