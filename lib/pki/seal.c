/* seal.c - AES-256-GCM sealing of private data at rest (see seal.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "seal.h"

#define DEK_LEN		32
#define NONCE_LEN	12
#define TAG_LEN		16
#define MAGIC		"CE1"
#define MAGIC_LEN	3

static unsigned char dek[DEK_LEN];
static char dek_dir[PATH_MAX];
static int dek_loaded;
static pthread_mutex_t dek_lock = PTHREAD_MUTEX_INITIALIZER;

static void
dek_path(const char *datadir, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s/dek.key", datadir);
}

enum ce_err
seal_key_create(const char *datadir, struct ce_error *err)
{
	unsigned char k[DEK_LEN];
	char path[PATH_MAX];
	enum ce_err rc = CE_OK;
	int fd;

	dek_path(datadir, path, sizeof(path));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600)) == -1) {
		if (errno == EEXIST)
			return CE_OK;
		return ce_fault(err, CE_SYSTEM, "open %s: %s", path, strerror(errno));
	}
	if (RAND_bytes(k, sizeof(k)) != 1)
		rc = ce_fault(err, CE_CRYPTO, "RAND_bytes");
	else if (write(fd, k, sizeof(k)) != (ssize_t)sizeof(k) || fsync(fd) != 0)
		rc = ce_fault(err, CE_SYSTEM, "write %s: %s", path, strerror(errno));
	OPENSSL_cleanse(k, sizeof(k));
	close(fd);
	if (rc != CE_OK)
		unlink(path);
	return rc;
}

/* Loads the DEK once per process; refuses a key file others may read. */
static enum ce_err dek_load_locked(const char *, struct ce_error *);

/* Once per process, from whichever request thread comes first. */
static enum ce_err
dek_load(const char *datadir, struct ce_error *err)
{
	enum ce_err rc;

	pthread_mutex_lock(&dek_lock);
	rc = dek_load_locked(datadir, err);
	pthread_mutex_unlock(&dek_lock);
	return rc;
}

static enum ce_err
dek_load_locked(const char *datadir, struct ce_error *err)
{
	char path[PATH_MAX];
	struct stat st;
	enum ce_err rc = CE_OK;
	int fd;

	if (dek_loaded && strcmp(dek_dir, datadir) == 0)
		return CE_OK;
	dek_path(datadir, path, sizeof(path));
	/* Never through a symlink: the key is this directory's own file. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) == -1)
		return ce_fault(err, CE_SYSTEM, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1)
		rc = ce_fault(err, CE_SYSTEM, "fstat %s: %s", path, strerror(errno));
	else if (st.st_mode & (S_IRWXG | S_IRWXO))
		rc = ce_fault(err, CE_SYSTEM, "%s is readable by group or others; "
		    "refusing to use it (chmod 600)", path);
	else if (read(fd, dek, sizeof(dek)) != (ssize_t)sizeof(dek))
		rc = ce_fault(err, CE_SYSTEM, "%s: short read", path);
	close(fd);
	if (rc != CE_OK)
		return rc;
	snprintf(dek_dir, sizeof(dek_dir), "%s", datadir);
	dek_loaded = 1;
	return CE_OK;
}

/* One AES-256-GCM pass; enc selects direction.  tag is read or written. */
static enum ce_err
gcm(int enc, const unsigned char *nonce, const char *aad,
    const unsigned char *in, size_t len, unsigned char *out, unsigned char *tag,
    struct ce_error *err)
{
	EVP_CIPHER_CTX *ctx;
	enum ce_err rc = CE_CRYPTO;
	int n, fin;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return ce_fault(err, CE_NOMEM, "EVP_CIPHER_CTX_new");
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, dek, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) != 1 ||
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1) {
		rc = ce_fault(err, CE_CRYPTO, "AES-GCM update");
		goto out;
	}
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
	    tag) != 1) {
		rc = ce_fault(err, CE_CRYPTO, "AES-GCM set tag");
		goto out;
	}
	if (EVP_CipherFinal_ex(ctx, out + n, &fin) != 1) {
		rc = ce_fault(err, CE_CRYPTO, "sealed record '%s' failed "
		    "authentication", aad);
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
	    tag) != 1) {
		rc = ce_fault(err, CE_CRYPTO, "AES-GCM get tag");
		goto out;
	}
	rc = CE_OK;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

enum ce_err
seal(const char *datadir, const char *aad, const unsigned char *pt, size_t len,
    struct ce_buf *out, struct ce_error *err)
{
	unsigned char *b, *nonce;
	size_t total = MAGIC_LEN + NONCE_LEN + len + TAG_LEN;
	enum ce_err rc;

	out->data = NULL;
	out->len = 0;
	if ((rc = dek_load(datadir, err)) != CE_OK)
		return rc;
	if ((b = malloc(total)) == NULL)
		return ce_fault(err, CE_NOMEM, "malloc");
	memcpy(b, MAGIC, MAGIC_LEN);
	nonce = b + MAGIC_LEN;
	if (RAND_bytes(nonce, NONCE_LEN) != 1) {
		free(b);
		return ce_fault(err, CE_CRYPTO, "RAND_bytes");
	}
	rc = gcm(1, nonce, aad, pt, len, nonce + NONCE_LEN,
	    nonce + NONCE_LEN + len, err);
	if (rc != CE_OK) {
		free(b);
		return rc;
	}
	out->data = b;
	out->len = total;
	return CE_OK;
}

enum ce_err
unseal(const char *datadir, const char *aad, const unsigned char *blob,
    size_t len, struct ce_buf *out, struct ce_error *err)
{
	const unsigned char *nonce = blob + MAGIC_LEN;
	unsigned char tag[TAG_LEN], *pt;
	size_t ctlen;
	enum ce_err rc;

	out->data = NULL;
	out->len = 0;
	if (len < MAGIC_LEN + NONCE_LEN + TAG_LEN || memcmp(blob, MAGIC, MAGIC_LEN))
		return ce_fault(err, CE_CRYPTO, "sealed record '%s' is malformed", aad);
	if ((rc = dek_load(datadir, err)) != CE_OK)
		return rc;
	ctlen = len - MAGIC_LEN - NONCE_LEN - TAG_LEN;
	memcpy(tag, nonce + NONCE_LEN + ctlen, TAG_LEN);
	if ((pt = malloc(ctlen + 1)) == NULL)
		return ce_fault(err, CE_NOMEM, "malloc");
	rc = gcm(0, nonce, aad, nonce + NONCE_LEN, ctlen, pt, tag, err);
	if (rc != CE_OK) {
		OPENSSL_cleanse(pt, ctlen);
		free(pt);
		return rc;
	}
	pt[ctlen] = '\0';	/* callers may treat the plaintext as text */
	out->data = pt;
	out->len = ctlen;
	return CE_OK;
}
