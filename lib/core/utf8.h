/*
 * utf8.h - strict UTF-8 validation (RFC 3629): no overlong forms, no
 * surrogates, nothing above U+10FFFF.  Every request body passes through it
 * before parsing, so no later message or record can carry invalid text.
 */
#ifndef CE_UTF8_H
#define CE_UTF8_H

#include <stddef.h>

/* Returns 1 when p[0..len) is valid UTF-8; else 0 and *bad = the offset of
 * the first invalid byte (bad may be NULL). */
int	utf8_valid(const unsigned char *p, size_t len, size_t *bad);

#endif
