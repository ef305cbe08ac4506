/*
 * seal.h - private data at rest: AES-256-GCM under the data-encryption key
 * (DEK), a 32-byte file <datadir>/dek.key of mode 0600 outside LMDB.  The
 * record's key is the associated data, so a sealed blob cannot be moved to
 * another record.  Blob: "CE1" | 12-byte nonce | ciphertext | 16-byte tag.
 */
#ifndef CE_SEAL_H
#define CE_SEAL_H

#include "error.h"
#include "output.h"

/* Creates the DEK file if it does not exist (admin tool, init). */
enum ce_err	seal_key_create(const char *datadir, struct ce_error *err);
/* Encrypts pt; out is malloc'd (buf_free). */
enum ce_err	seal(const char *datadir, const char *aad, const unsigned char *pt,
		    size_t len, struct ce_buf *out, struct ce_error *err);
/* Decrypts and authenticates; CE_CRYPTO when the blob was tampered with. */
enum ce_err	unseal(const char *datadir, const char *aad,
		    const unsigned char *blob, size_t len, struct ce_buf *out,
		    struct ce_error *err);

#endif
