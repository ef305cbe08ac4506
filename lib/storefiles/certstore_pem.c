/*
 * certstore_pem.c - the PEM store: a folder in which entry <alias> is
 * <alias>.crt (the certificate, then its chain, mode 0644) and <alias>.key
 * (PKCS#8, encrypted with AES-256-CBC under the entry password when one is
 * given, mode 0600).
 *
 * The two files of an entry cannot be replaced in one step.  The key is
 * written first and the certificate last, so the entry only shows up in an
 * inventory once both are there; when the certificate cannot be written
 * the old key (or its absence) is put back, so a failed put leaves the
 * folder as it was.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "certstore_int.h"
#include "fileutil.h"
#include "log.h"

struct pem_paths {
	char	crt[PATH_MAX];
	char	key[PATH_MAX];
};

/* The key file as it was before a put, to put back if the put fails. */
struct old_key {
	int		present;
	mode_t		mode;
	struct ce_buf	data;		/* secret: buf_free cleanses */
};

static enum ce_err
entry_paths(const char *dir, const char *alias, struct pem_paths *p,
    struct ce_error *err)
{
	if (snprintf(p->crt, sizeof(p->crt), "%s/%s.crt", dir, alias) >=
	    (int)sizeof(p->crt) ||
	    snprintf(p->key, sizeof(p->key), "%s/%s.key", dir, alias) >=
	    (int)sizeof(p->key))
		return ce_fail(err, CE_INVAL, "store path %s is too long", dir);
	return CE_OK;
}

/* Maps a failed file system call on path to our codes. */
static enum ce_err
fs_fail(const char *call, const char *path, struct ce_error *err)
{
	if (errno == EACCES || errno == EPERM || errno == EROFS)
		return ce_fail(err, CE_DENIED, "no permission to change %s",
		    path);
	return ce_fault(err, CE_SYSTEM, "%s %s: %s", call, path,
	    strerror(errno));
}

/* Sets *yes to whether something exists at path. */
static enum ce_err
path_exists(const char *path, int *yes, struct ce_error *err)
{
	struct stat st;

	*yes = stat(path, &st) == 0;
	if (!*yes && errno != ENOENT)
		return fs_fail("stat", path, err);
	return CE_OK;
}

/* The certificate file's text: the leaf, then the chain as given. */
static enum ce_err
crt_text(X509 *cert, STACK_OF(X509) *chain, BIO **out, struct ce_error *err)
{
	int i;

	if ((*out = BIO_new(BIO_s_mem())) == NULL)
		return ce_fault(err, CE_NOMEM, "BIO_new failed");
	if (!PEM_write_bio_X509(*out, cert))
		return ce_fault(err, CE_CRYPTO, "PEM_write_bio_X509 failed");
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		if (!PEM_write_bio_X509(*out, sk_X509_value(chain, i)))
			return ce_fault(err, CE_CRYPTO,
			    "PEM_write_bio_X509(chain) failed");
	return CE_OK;
}

/*
 * The key file's text, in a secure memory BIO (wiped when freed).  No
 * cipher without a password: OpenSSL would prompt on the terminal.
 */
static enum ce_err
key_text(EVP_PKEY *key, const char *password, BIO **out,
    struct ce_error *err)
{
	const EVP_CIPHER *cipher = NULL;
	size_t len = 0;

	if ((*out = BIO_new(BIO_s_secmem())) == NULL)
		return ce_fault(err, CE_NOMEM, "BIO_new(secmem) failed");
	if (password != NULL && password[0] != '\0') {
		if ((len = strlen(password)) > INT_MAX)
			return ce_fail(err, CE_INVAL, "the entry password is "
			    "too long");
		cipher = EVP_aes_256_cbc();
	}
	if (!PEM_write_bio_PKCS8PrivateKey(*out, key, cipher,
	    cipher != NULL ? password : NULL, (int)len, NULL, NULL))
		return ce_fault(err, CE_CRYPTO,
		    "PEM_write_bio_PKCS8PrivateKey failed");
	return CE_OK;
}

static enum ce_err
bio_to_file(const char *path, BIO *bio, mode_t mode, struct ce_error *err)
{
	char *data;
	long len;

	if ((len = BIO_get_mem_data(bio, &data)) <= 0)
		return ce_fault(err, CE_CRYPTO, "BIO_get_mem_data failed");
	return file_write_atomic(path, data, (size_t)len, mode, err);
}

static enum ce_err
old_key_save(const char *path, struct old_key *old, struct ce_error *err)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		if (errno == ENOENT)
			return CE_OK;
		return fs_fail("stat", path, err);
	}
	old->present = 1;
	old->mode = st.st_mode & 07777;
	return certstore_read(path, CERTSTORE_PEM_MAX, &old->data, err);
}

/* Best effort: the caller already reports the failure that led here. */
static void
old_key_restore(const char *path, const struct old_key *old)
{
	struct ce_error e;

	if (old->present) {
		if (file_write_atomic(path, old->data.data, old->data.len,
		    old->mode, &e) != CE_OK)
			log_error("cannot restore %s: %s", path, e.msg);
	} else if (unlink(path) == -1 && errno != ENOENT)
		log_error("cannot remove %s: %s", path, strerror(errno));
}

/* Writes the new key, or removes the old one for a key-less entry. */
static enum ce_err
key_replace(const char *path, BIO *kb, const struct old_key *old,
    struct ce_error *err)
{
	if (kb != NULL)
		return bio_to_file(path, kb, 0600, err);
	if (old->present && unlink(path) == -1 && errno != ENOENT)
		return fs_fail("unlink", path, err);
	return CE_OK;
}

/*
 * Adds or replaces entry alias (arguments checked by certstore_put).
 * Returns CE_OK, CE_NOTFOUND (no folder), CE_DENIED, CE_CONFLICT (the
 * .crt exists and !overwrite), CE_CRYPTO, CE_NOMEM or CE_SYSTEM.
 */
/* The store's folder; a missing one is made (0700, its parent must exist)
 * when the store says create_if_missing, as a PKCS12 store's file is. */
static enum ce_err
pem_folder(const struct certstore *s, int writable, struct ce_error *err)
{
	enum ce_err rc;

	rc = certstore_dir_check(s->path, writable, err);
	if (rc != CE_NOTFOUND || !s->create_if_missing)
		return rc;
	if (mkdir(s->path, 0700) == -1 && errno != EEXIST)
		return fs_fail("mkdir", s->path, err);
	return certstore_dir_check(s->path, writable, err);
}

enum ce_err
certstore_pem_put(const struct certstore *s, const char *alias,
    EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
    const char *entry_password, int overwrite, struct ce_error *err)
{
	struct pem_paths p;
	struct old_key old = { 0, 0, { NULL, 0 } };
	BIO *crt = NULL, *kb = NULL;
	enum ce_err rc;
	int exists;

	if ((rc = pem_folder(s, 1, err)) != CE_OK ||
	    (rc = entry_paths(s->path, alias, &p, err)) != CE_OK ||
	    (rc = path_exists(p.crt, &exists, err)) != CE_OK)
		goto out;
	if (exists && !overwrite) {
		rc = ce_fail(err, CE_CONFLICT, "alias '%s' already exists",
		    alias);
		goto out;
	}
	if ((rc = crt_text(cert, chain, &crt, err)) != CE_OK ||
	    (key != NULL &&
	    (rc = key_text(key, entry_password, &kb, err)) != CE_OK) ||
	    (rc = old_key_save(p.key, &old, err)) != CE_OK)
		goto out;

	/* Key first, certificate last (see the top of this file). */
	if ((rc = key_replace(p.key, kb, &old, err)) != CE_OK)
		goto out;
	if ((rc = bio_to_file(p.crt, crt, 0644, err)) != CE_OK)
		old_key_restore(p.key, &old);
out:
	BIO_free(crt);
	BIO_free(kb);
	buf_free(&old.data);
	return rc;
}

/* fsync the folder so that an unlink is durable. */
static void
sync_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) != -1) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Removes <alias>.crt, then <alias>.key.  CE_NOTFOUND when neither exists;
 * CE_DENIED, CE_SYSTEM.
 */
enum ce_err
certstore_pem_remove(const struct certstore *s, const char *alias,
    struct ce_error *err)
{
	struct pem_paths p;
	enum ce_err rc;
	int crt, key;

	if ((rc = certstore_dir_check(s->path, 1, err)) != CE_OK ||
	    (rc = entry_paths(s->path, alias, &p, err)) != CE_OK ||
	    (rc = path_exists(p.crt, &crt, err)) != CE_OK ||
	    (rc = path_exists(p.key, &key, err)) != CE_OK)
		return rc;
	if (!crt && !key)
		return ce_fail(err, CE_NOTFOUND, "alias '%s' does not exist in "
		    "%s", alias, s->path);
	if (crt && unlink(p.crt) == -1 && errno != ENOENT)
		return fs_fail("unlink", p.crt, err);
	if (key && unlink(p.key) == -1 && errno != ENOENT)
		return fs_fail("unlink", p.key, err);
	sync_dir(s->path);
	return CE_OK;
}

/*
 * Reads the first certificate of a .crt file; NULL (nothing logged) when
 * the file cannot be read or holds no PEM certificate.
 */
static X509 *
first_cert(const char *path)
{
	struct ce_buf buf = { NULL, 0 };
	struct ce_error scratch;
	BIO *bio = NULL;
	X509 *x = NULL;

	if (certstore_read(path, CERTSTORE_PEM_MAX, &buf, &scratch) != CE_OK ||
	    buf.len > INT_MAX)
		goto out;
	if ((bio = BIO_new_mem_buf(buf.data, (int)buf.len)) == NULL)
		goto out;
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
		ERR_clear_error();
out:
	BIO_free(bio);
	buf_free(&buf);
	return x;
}

/*
 * Adds the entry behind directory entry name if it is one: "<alias>.crt"
 * with a valid alias and a readable certificate.  Temporary files
 * ("<alias>.crt.tmpXXXXXX"), hidden files and anything unparsable are
 * skipped.
 */
static enum ce_err
inventory_one(const char *dir, const char *name,
    struct certstore_item **items, size_t *n, struct ce_error *err)
{
	char alias[CERTSTORE_ALIAS_MAX + 1];
	struct pem_paths p;
	struct ce_error scratch;
	struct stat st;
	size_t len = strlen(name);
	X509 *x = NULL;
	enum ce_err rc = CE_OK;

	if (len <= 4 || len - 4 > CERTSTORE_ALIAS_MAX ||
	    strcmp(name + len - 4, ".crt") != 0)
		goto out;
	memcpy(alias, name, len - 4);
	alias[len - 4] = '\0';
	if (!certstore_alias_valid(alias) ||
	    entry_paths(dir, alias, &p, &scratch) != CE_OK ||
	    (x = first_cert(p.crt)) == NULL)
		goto out;
	rc = certstore_items_add(items, n, alias, x,
	    stat(p.key, &st) == 0 && S_ISREG(st.st_mode), err);
out:
	X509_free(x);
	return rc;
}

static int
item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct certstore_item *)a)->alias,
	    ((const struct certstore_item *)b)->alias);
}

/*
 * Lists the entries of the folder, sorted by alias.  CE_NOTFOUND (no
 * folder), CE_DENIED, CE_NOMEM, CE_CRYPTO, CE_SYSTEM.
 */
enum ce_err
certstore_pem_inventory(const struct certstore *s,
    struct certstore_item **items, size_t *n, struct ce_error *err)
{
	DIR *d = NULL;
	struct dirent *de;
	enum ce_err rc;

	if ((rc = pem_folder(s, 0, err)) != CE_OK)
		goto out;
	if ((d = opendir(s->path)) == NULL) {
		rc = ce_fault(err, CE_SYSTEM, "opendir %s: %s", s->path,
		    strerror(errno));
		goto out;
	}
	/* errno tells the end of the folder from a failure. */
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0)
		if ((rc = inventory_one(s->path, de->d_name, items, n, err)) !=
		    CE_OK)
			goto out;
	if (errno != 0) {
		rc = ce_fault(err, CE_SYSTEM, "readdir %s: %s", s->path,
		    strerror(errno));
		goto out;
	}
	if (*n > 1)
		qsort(*items, *n, sizeof(**items), item_cmp);
	rc = CE_OK;
out:
	if (d != NULL)
		closedir(d);
	if (rc != CE_OK) {
		free(*items);
		*items = NULL;
		*n = 0;
	}
	return rc;
}
