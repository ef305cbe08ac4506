/*
 * certstore_int.h - internals shared by the files behind certstore.h
 * (certstore.c, certstore_pem.c, certstore_pkcs12.c).  Not for other
 * modules.
 *
 * certstore.c checks the store, the alias and the put arguments before it
 * dispatches, so the per-type functions below may rely on: s->path is a
 * non-empty string, alias is valid (certstore_alias_valid), cert is not
 * NULL and key, when not NULL, matches cert.
 */
#ifndef CE_CERTSTORE_INT_H
#define CE_CERTSTORE_INT_H

#include <stddef.h>
#include "certstore.h"
#include "output.h"

#define CERTSTORE_ALIAS_MAX	128
#define CERTSTORE_PEM_MAX	(1024 * 1024)		/* one .crt or .key */
#define CERTSTORE_P12_MAX	(16 * 1024 * 1024)	/* one store file */

/*
 * Checks that dir is an existing folder we may read (and, with writable,
 * change).  CE_NOTFOUND "store folder ... does not exist", CE_INVAL (not
 * a folder), CE_DENIED, CE_SYSTEM.
 */
enum ce_err	certstore_dir_check(const char *dir, int writable,
		    struct ce_error *err);

/*
 * Reads the regular file path, at most limit bytes, into out (caller frees
 * with buf_free, which cleanses).  CE_NOTFOUND when it does not exist,
 * CE_DENIED, CE_INVAL (not a file, too large), CE_NOMEM, CE_SYSTEM.
 */
enum ce_err	certstore_read(const char *path, size_t limit,
		    struct ce_buf *out, struct ce_error *err);

/*
 * Appends an item for alias (truncated to CERTSTORE_ALIAS_MAX bytes) and
 * the thumbprint of cert to the malloc'd array *items of *n.  CE_OK,
 * CE_NOMEM or CE_CRYPTO.
 */
enum ce_err	certstore_items_add(struct certstore_item **items, size_t *n,
		    const char *alias, X509 *cert, int has_key,
		    struct ce_error *err);

/* The per-type halves of certstore_put/remove/inventory. */
enum ce_err	certstore_pem_put(const struct certstore *s, const char *alias,
		    EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
		    const char *entry_password, int overwrite,
		    struct ce_error *err);
enum ce_err	certstore_pem_remove(const struct certstore *s,
		    const char *alias, struct ce_error *err);
enum ce_err	certstore_pem_inventory(const struct certstore *s,
		    struct certstore_item **items, size_t *n,
		    struct ce_error *err);

enum ce_err	certstore_p12_put(const struct certstore *s, const char *alias,
		    EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
		    int overwrite, struct ce_error *err);
enum ce_err	certstore_p12_remove(const struct certstore *s,
		    const char *alias, struct ce_error *err);
enum ce_err	certstore_p12_inventory(const struct certstore *s,
		    struct certstore_item **items, size_t *n,
		    struct ce_error *err);

#endif
