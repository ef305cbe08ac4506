/*
 * certstore.h - writing to and reading from real certificate stores on the
 * local file system.  Used by the store agent only.
 *
 * Store types:
 *   PEM     a folder (store path), made (0700) when missing and the
 *           store's create_if_missing is set.  Entry <alias> is <alias>.crt (the
 *           certificate, then its chain when include_chain) and <alias>.key
 *           (PKCS#8; encrypted with AES-256-CBC under the entry password
 *           when one is given, which the type requires when the store's
 *           "EncryptKeys" property is true - the default).
 *   PKCS12  one .pfx/.p12 file (store path) holding any number of entries,
 *           each a shrouded key bag + certificate bag(s) with friendlyName =
 *           alias and a localKeyId shared by the key and its certificate,
 *           protected by the store password (AES-256 / PBKDF2, SHA-256 MAC).
 *           A missing file is created when the store's create_if_missing
 *           is set.
 * Every write is atomic (temp file, fsync, rename): a store is never left
 * half-written, and a failed write leaves it exactly as it was.
 * Aliases are 1..128 characters of [A-Za-z0-9._-] (no leading dot).
 */
#ifndef CE_CERTSTORE_H
#define CE_CERTSTORE_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include "error.h"

enum certstore_type {
	CERTSTORE_PEM,
	CERTSTORE_PKCS12,
	CERTSTORE__MAX
};

/* "PEM", "PKCS12" (parse is case-insensitive; -1 when unknown). */
const char	*certstore_type_name(enum certstore_type t);
int		 certstore_type_parse(const char *name);
/* The Keyfactor-style integer store type id (PEM 2, PKCS12 5). */
int		 certstore_type_id(enum certstore_type t);

struct certstore {
	enum certstore_type	 type;
	const char		*path;		/* folder (PEM) or file (PKCS12) */
	const char		*password;	/* PKCS12 store password; may be NULL */
	int			 encrypt_keys;	/* PEM: entry password required */
	int			 create_if_missing;
};

/* Whether this store needs an entry password for new entries. */
int		certstore_needs_entry_password(const struct certstore *s);
/* 1 when alias is acceptable. */
int		certstore_alias_valid(const char *alias);

/*
 * Adds (or, with overwrite, replaces) entry alias: key, cert and chain
 * (issuer first; may be NULL).  Without overwrite an existing alias is
 * CE_CONFLICT.  entry_password encrypts the PEM key (NULL/"" = plain, only
 * allowed when the store does not need one).  Errors: CE_INVAL (bad alias),
 * CE_CONFLICT, CE_NOTFOUND (store folder/file missing), CE_DENIED (no
 * permission), CE_CRYPTO (wrong store password, unreadable store), CE_SYSTEM.
 * The message says what went wrong, for the job's last_error.
 * key may be NULL: a certificate-only entry (e.g. a trusted CA); a PEM
 * entry then has no .key (a replaced entry's old one is removed).  A key
 * that does not match cert is CE_INVAL.  PKCS12 does not use
 * entry_password: its keys are protected by the store password.  The
 * references passed in are not taken; the caller still frees them.
 */
enum ce_err	certstore_put(const struct certstore *s, const char *alias,
		    EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
		    const char *entry_password, int overwrite, struct ce_error *err);

/* Removes entry alias; CE_NOTFOUND when absent.  A PKCS12 file whose last
 * entry goes stays, as an empty store. */
enum ce_err	certstore_remove(const struct certstore *s, const char *alias,
		    struct ce_error *err);

/* One entry found by an inventory. */
struct certstore_item {
	char	alias[129];
	char	thumbprint[41];		/* of the end-entity certificate */
	int	has_key;
};

/*
 * Lists the entries of the store: *items is a malloc'd array of *n items
 * (caller frees).  An empty or missing-but-creatable store gives 0 items.
 * PEM entries come sorted by alias; PKCS12 entries in file order, those
 * without a certificate left out, one without a friendlyName (or with one
 * longer than an alias) listed under its leaf's thumbprint.
 */
enum ce_err	certstore_inventory(const struct certstore *s,
		    struct certstore_item **items, size_t *n, struct ce_error *err);

#endif
