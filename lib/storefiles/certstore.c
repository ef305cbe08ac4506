/*
 * certstore.c - store types, alias rules and the checks every store
 * operation makes before it is handed to its type (certstore_pem.c,
 * certstore_pkcs12.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "certstore_int.h"
#include "fileutil.h"
#include "pemutil.h"

static const struct {
	const char	*name;
	int		 id;	/* Keyfactor's store type id */
} types[CERTSTORE__MAX] = {
	[CERTSTORE_PEM]		= { "PEM",	2 },
	[CERTSTORE_PKCS12]	= { "PKCS12",	5 },
};

#define ALIAS_CHARS	"abcdefghijklmnopqrstuvwxyz" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
#define ALIAS_RULE	"Alias: must be 1 to 128 characters of A-Z, a-z, " \
			"0-9, '.', '_' or '-', not starting with '.'"

static int
type_valid(enum certstore_type t)
{
	return (int)t >= 0 && t < CERTSTORE__MAX;
}

const char *
certstore_type_name(enum certstore_type t)
{
	return type_valid(t) ? types[t].name : "unknown";
}

int
certstore_type_parse(const char *name)
{
	int t;

	for (t = 0; name != NULL && t < CERTSTORE__MAX; t++)
		if (strcasecmp(name, types[t].name) == 0)
			return t;
	return -1;
}

int
certstore_type_id(enum certstore_type t)
{
	return type_valid(t) ? types[t].id : -1;
}

/* Only PEM keys are protected per entry; a PKCS#12 is by its password. */
int
certstore_needs_entry_password(const struct certstore *s)
{
	return s != NULL && s->type == CERTSTORE_PEM && s->encrypt_keys;
}

/*
 * The alias becomes a file name (PEM) or a friendlyName that must survive
 * a round trip through other tools, hence the narrow alphabet; no leading
 * dot rules out ".", ".." and hidden files.
 */
int
certstore_alias_valid(const char *alias)
{
	size_t i;

	if (alias == NULL || alias[0] == '\0' || alias[0] == '.')
		return 0;
	for (i = 0; alias[i] != '\0'; i++)
		if (i >= CERTSTORE_ALIAS_MAX || strchr(ALIAS_CHARS,
		    alias[i]) == NULL)
			return 0;
	return 1;
}

/* The checks every operation makes on the store description. */
static enum ce_err
store_check(const struct certstore *s, struct ce_error *err)
{
	if (s == NULL || !type_valid(s->type))
		return ce_fail(err, CE_INVAL, "unknown store type");
	if (s->path == NULL || s->path[0] == '\0')
		return ce_fail(err, CE_INVAL, "the store path is empty");
	return CE_OK;
}

/* The checks of certstore_put() that do not depend on the store type. */
static enum ce_err
put_check(const struct certstore *s, const char *alias, EVP_PKEY *key,
    X509 *cert, const char *entry_password, struct ce_error *err)
{
	enum ce_err rc;

	if ((rc = store_check(s, err)) != CE_OK)
		return rc;
	if (!certstore_alias_valid(alias))
		return ce_fail(err, CE_INVAL, ALIAS_RULE);
	if (cert == NULL)
		return ce_fail(err, CE_INVAL, "no certificate to add");
	if (key != NULL && X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		return ce_fail(err, CE_INVAL, "the private key does not match "
		    "the certificate");
	}
	if (key != NULL && certstore_needs_entry_password(s) &&
	    (entry_password == NULL || entry_password[0] == '\0'))
		return ce_fail(err, CE_INVAL, "an entry password is required "
		    "for this store");
	return CE_OK;
}

/*
 * Checks the arguments and hands the entry to the store's type.  See
 * certstore.h for the error codes.
 */
enum ce_err
certstore_put(const struct certstore *s, const char *alias, EVP_PKEY *key,
    X509 *cert, STACK_OF(X509) *chain, const char *entry_password,
    int overwrite, struct ce_error *err)
{
	enum ce_err rc;

	if ((rc = put_check(s, alias, key, cert, entry_password, err)) != CE_OK)
		return rc;
	if (s->type == CERTSTORE_PEM)
		return certstore_pem_put(s, alias, key, cert, chain,
		    entry_password, overwrite, err);
	return certstore_p12_put(s, alias, key, cert, chain, overwrite, err);
}

enum ce_err
certstore_remove(const struct certstore *s, const char *alias,
    struct ce_error *err)
{
	enum ce_err rc;

	if ((rc = store_check(s, err)) != CE_OK)
		return rc;
	if (!certstore_alias_valid(alias))
		return ce_fail(err, CE_INVAL, ALIAS_RULE);
	if (s->type == CERTSTORE_PEM)
		return certstore_pem_remove(s, alias, err);
	return certstore_p12_remove(s, alias, err);
}

enum ce_err
certstore_inventory(const struct certstore *s, struct certstore_item **items,
    size_t *n, struct ce_error *err)
{
	enum ce_err rc;

	*items = NULL;
	*n = 0;
	if ((rc = store_check(s, err)) != CE_OK)
		return rc;
	if (s->type == CERTSTORE_PEM)
		return certstore_pem_inventory(s, items, n, err);
	return certstore_p12_inventory(s, items, n, err);
}

/*
 * access() rather than trying a write: a probe file would show up in the
 * store.  (For root access() grants everything; the write then fails and
 * is reported as CE_SYSTEM.)
 */
enum ce_err
certstore_dir_check(const char *dir, int writable, struct ce_error *err)
{
	struct stat st;

	if (stat(dir, &st) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return ce_fail(err, CE_NOTFOUND,
			    "store folder %s does not exist", dir);
		if (errno == EACCES)
			return ce_fail(err, CE_DENIED,
			    "no permission to open store folder %s", dir);
		return ce_fault(err, CE_SYSTEM, "stat %s: %s", dir,
		    strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return ce_fail(err, CE_INVAL, "store path %s is not a folder",
		    dir);
	if (access(dir, writable ? R_OK | W_OK | X_OK : R_OK | X_OK) == -1) {
		if (errno == EACCES || errno == EROFS || errno == EPERM)
			return ce_fail(err, CE_DENIED, "no permission to %s "
			    "store folder %s", writable ? "write to" : "read",
			    dir);
		return ce_fault(err, CE_SYSTEM, "access %s: %s", dir,
		    strerror(errno));
	}
	return CE_OK;
}

/*
 * stat() first so that a missing file is an ordinary CE_NOTFOUND and the
 * buffer is sized to the file rather than to the limit.
 */
enum ce_err
certstore_read(const char *path, size_t limit, struct ce_buf *out,
    struct ce_error *err)
{
	struct stat st;
	unsigned char *data = NULL;
	size_t len = 0;
	enum ce_err rc;

	out->data = NULL;
	out->len = 0;
	if (stat(path, &st) == -1) {
		if (errno == ENOENT)
			return ce_fail(err, CE_NOTFOUND, "%s does not exist",
			    path);
		if (errno == EACCES)
			return ce_fail(err, CE_DENIED, "no permission to read "
			    "%s", path);
		return ce_fault(err, CE_SYSTEM, "stat %s: %s", path,
		    strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return ce_fail(err, CE_INVAL, "%s is not a file", path);
	if ((size_t)st.st_size > limit)
		return ce_fail(err, CE_INVAL, "%s is larger than %zu bytes",
		    path, limit);
	if (access(path, R_OK) == -1)
		return ce_fail(err, CE_DENIED, "no permission to read %s",
		    path);
	if ((rc = file_read(path, (size_t)st.st_size, &data, &len, err)) !=
	    CE_OK)
		return rc;
	out->data = data;
	out->len = len;
	return CE_OK;
}

enum ce_err
certstore_items_add(struct certstore_item **items, size_t *n,
    const char *alias, X509 *cert, int has_key, struct ce_error *err)
{
	struct certstore_item *v, *it;

	if ((v = reallocarray(*items, *n + 1, sizeof(*v))) == NULL)
		return ce_fault(err, CE_NOMEM, "reallocarray(%zu) failed",
		    *n + 1);
	*items = v;
	it = &v[*n];
	memset(it, 0, sizeof(*it));
	if (x509_thumbprint(cert, it->thumbprint, sizeof(it->thumbprint)) !=
	    CE_OK)
		return ce_fault(err, CE_CRYPTO, "x509_thumbprint failed");
	snprintf(it->alias, sizeof(it->alias), "%s", alias);
	it->has_key = has_key != 0;
	(*n)++;
	return CE_OK;
}
