/*
 * buf.h - a byte buffer: what DER, PKCS#12 files and sealed values travel
 * in.  Buffers may hold key material (an unencrypted key), so every one is
 * wiped when freed.
 */
#ifndef CE_BUF_H
#define CE_BUF_H

#include <stddef.h>

struct ce_buf {
	unsigned char	*data;	/* malloc'd; owner frees with buf_free */
	size_t		 len;
};

void	buf_free(struct ce_buf *b);	/* cleanses, frees, zeroes; NULL ok */

#endif
