/* buf.c - byte buffers that are wiped when freed (buf.h). */
#include <stdlib.h>

#include <openssl/crypto.h>

#include "buf.h"

void
buf_free(struct ce_buf *b)
{
	if (b == NULL)
		return;
	if (b->data != NULL) {
		OPENSSL_cleanse(b->data, b->len);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
}
