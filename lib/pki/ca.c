/* ca.c - CA records, CA keys and the one signing function (see ca.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <pthread.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "fileutil.h"
#include "jbuild.h"
#include "log.h"
#include "pemutil.h"
#include "seal.h"
#include "signer.h"
#include "db.h"
#include "x500.h"

/* CA keys loaded in this process (the signer preloads them all). */
#define KEYCACHE_MAX 64
static struct {
	int64_t		 id;
	char		 dir[PATH_MAX];
	EVP_PKEY	*key;
} keycache[KEYCACHE_MAX];
static int nkeycache;
static pthread_mutex_t keycache_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * CA certificates parsed in this process, by their PEM text.  Every request
 * reads its CA's record; parsing the certificate again each time costs
 * ~130 us under OpenSSL 3.0 (its public key goes through the decoder
 * framework).  The text is the key, so a changed record parses afresh.
 */
#define CERTCACHE_MAX 16
static struct {
	char	*pem;
	X509	*cert;
} certcache[CERTCACHE_MAX];
static int certcache_next;
static pthread_mutex_t certcache_lock = PTHREAD_MUTEX_INITIALIZER;

/* The certificate of pem, a new reference (the caller frees it). */
static X509 *
ca_cert_parse(const char *pem)
{
	X509 *x = NULL;
	char *copy;
	int i;

	if (pem == NULL)
		return NULL;
	pthread_mutex_lock(&certcache_lock);
	for (i = 0; i < CERTCACHE_MAX; i++)
		if (certcache[i].pem != NULL && strcmp(certcache[i].pem, pem) == 0) {
			x = certcache[i].cert;
			if (X509_up_ref(x) != 1)
				x = NULL;
			break;
		}
	pthread_mutex_unlock(&certcache_lock);
	if (i < CERTCACHE_MAX)
		return x;
	if ((x = pem_to_x509(pem)) == NULL || (copy = strdup(pem)) == NULL)
		return x;
	if (X509_up_ref(x) != 1) {
		free(copy);
		return x;
	}
	pthread_mutex_lock(&certcache_lock);
	i = certcache_next;
	certcache_next = (certcache_next + 1) % CERTCACHE_MAX;
	free(certcache[i].pem);
	X509_free(certcache[i].cert);
	certcache[i].pem = copy;
	certcache[i].cert = x;
	pthread_mutex_unlock(&certcache_lock);
	return x;
}

void
ca_free(struct ca *ca)
{
	if (ca == NULL)
		return;
	X509_free(ca->cert);
	sk_X509_pop_free(ca->chain, X509_free);
	free(ca);
}

/* A stored URL into buf (CA_URL_MAX): 0 when it is not one ca_set_urls
 * takes. */
static int
url_copy(char buf[CA_URL_MAX], const char *url)
{
	buf[0] = '\0';
	if (url == NULL)
		return 1;
	if (!ca_url_valid(url))
		return 0;
	snprintf(buf, CA_URL_MAX, "%s", url);
	return 1;
}

enum ce_err
ca_from_record(json_object *rec, struct ca **out, struct ce_error *err)
{
	json_object *v, *chain;
	struct ca *ca;
	X509 *x;
	enum ce_err rc = CE_DB;
	size_t i;

	*out = NULL;
	if ((ca = calloc(1, sizeof(*ca))) == NULL ||
	    (ca->chain = sk_X509_new_null()) == NULL) {
		free(ca);
		return ce_fault(err, CE_NOMEM, "calloc");
	}
	if (!json_object_object_get_ex(rec, "id", &v) ||
	    (ca->id = json_object_get_int64(v)) <= 0 ||
	    !json_object_object_get_ex(rec, "name", &v) ||
	    snprintf(ca->name, sizeof(ca->name), "%s", json_object_get_string(v))
	    >= (int)sizeof(ca->name) ||
	    !json_object_object_get_ex(rec, "cert", &v) ||
	    (ca->cert = ca_cert_parse(json_object_get_string(v))) == NULL) {
		rc = ce_fault(err, CE_DB, "CA record is malformed");
		goto out;
	}
	/* Checked again as read: they go into certificates as written. */
	if (!url_copy(ca->crl_url, jrec_str(rec, "crl_url")) ||
	    !url_copy(ca->ocsp_url, jrec_str(rec, "ocsp_url"))) {
		rc = ce_fault(err, CE_DB, "CA record has a bad URL");
		goto out;
	}
	if (json_object_object_get_ex(rec, "chain", &chain))
		for (i = 0; i < json_arr_len(chain); i++) {
			x = ca_cert_parse(json_object_get_string(
			    json_object_array_get_idx(chain, i)));
			if (x == NULL || !sk_X509_push(ca->chain, x)) {
				X509_free(x);
				rc = ce_fault(err, CE_DB, "CA chain is malformed");
				goto out;
			}
		}
	*out = ca;
	ca = NULL;
	rc = CE_OK;
out:
	ca_free(ca);
	return rc;
}

struct find_arg {
	const char	*name;
	json_object	*found;
};

/* Matches "host\Logical" in full or by its logical part. */
static int
find_cb(const char *key, json_object *rec, void *arg)
{
	struct find_arg *fa = arg;
	const char *logical = strrchr(key, '\\');

	logical = logical != NULL ? logical + 1 : key;
	if (strcasecmp(key, fa->name) == 0 || strcasecmp(logical, fa->name) == 0) {
		fa->found = json_object_get(rec);
		return 1;
	}
	return 0;
}

enum ce_err
ca_find(struct ce_txn *txn, const char *name, struct ca **out,
    struct ce_error *err)
{
	struct find_arg fa = { name, NULL };
	enum ce_err rc;
	char norm[256];
	size_t i, j;

	*out = NULL;
	/* Clients send "host\\Logical" JSON-escaped or not; "\\\\" is one '\'. */
	for (i = j = 0; name[i] != '\0' && j + 1 < sizeof(norm); i++) {
		if (name[i] == '\\' && name[i + 1] == '\\')
			i++;
		norm[j++] = name[i];
	}
	norm[j] = '\0';
	fa.name = norm;
	if ((rc = db_foreach(txn, T_CAS, find_cb, &fa, err)) != CE_OK)
		return rc;
	if (fa.found == NULL)
		return ce_fail(err, CE_INVAL, "CertificateAuthority: '%s' is not a "
		    "known certificate authority.", name);
	rc = ca_from_record(fa.found, out, err);
	json_object_put(fa.found);
	return rc;
}

static void
key_path(const char *dir, const char *file, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s/ca/%s", dir, file);
}

enum ce_err
ca_key_write(const char *dir, const char *file, const char *aad,
    EVP_PKEY *key, struct ce_error *err)
{
	char path[PATH_MAX];
	unsigned char *der = NULL;
	struct ce_buf sealed = { NULL, 0 };
	enum ce_err rc;
	int n;

	snprintf(path, sizeof(path), "%s/ca", dir);
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return ce_fault(err, CE_SYSTEM, "mkdir %s: %s", path, strerror(errno));
	if ((n = i2d_PrivateKey(key, &der)) <= 0)
		return ce_fault(err, CE_CRYPTO, "i2d_PrivateKey");
	rc = seal(dir, aad, der, (size_t)n, &sealed, err);
	OPENSSL_clear_free(der, (size_t)n);
	if (rc != CE_OK)
		return rc;
	key_path(dir, file, path, sizeof(path));
	rc = file_write_atomic(path, sealed.data, sealed.len, 0600, err);
	buf_free(&sealed);
	return rc;
}

/* Reads and unseals the CA key file; refuses a file others may read. */
static enum ce_err
load_key(const char *dir, int64_t id, EVP_PKEY **out, struct ce_error *err)
{
	char file[32], aad[64];

	snprintf(file, sizeof(file), "%lld.key", (long long)id);
	snprintf(aad, sizeof(aad), "ca:%lld", (long long)id);
	return ca_key_read(dir, file, aad, out, err);
}

enum ce_err
ca_key_read(const char *dir, const char *file, const char *aad,
    EVP_PKEY **out, struct ce_error *err)
{
	char path[PATH_MAX];
	unsigned char buf[16384];
	struct ce_buf der = { NULL, 0 };
	const unsigned char *p;
	struct stat st;
	enum ce_err rc;
	ssize_t n;
	int fd;

	*out = NULL;
	key_path(dir, file, path, sizeof(path));
	/* Never through a symlink: the key is this directory's own file. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) == -1)
		return ce_fault(err, CE_SYSTEM, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1 || (st.st_mode & (S_IRWXG | S_IRWXO))) {
		close(fd);
		return ce_fault(err, CE_SYSTEM, "%s is readable by group or "
		    "others; refusing to use it (chmod 600)", path);
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return ce_fault(err, CE_SYSTEM, "read %s failed", path);
	rc = unseal(dir, aad, buf, (size_t)n, &der, err);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc != CE_OK)
		return rc;
	p = der.data;
	if ((*out = d2i_AutoPrivateKey(NULL, &p, (long)der.len)) == NULL)
		rc = ce_fault(err, CE_CRYPTO, "CA key %s does not parse", path);
	buf_free(&der);
	return rc;
}

const EVP_MD *
ca_digest(const struct ca *ca)
{
	EVP_PKEY *pub = X509_get0_pubkey(ca->cert);
	int bits;

	if (pub == NULL)
		return EVP_sha256();
	switch (EVP_PKEY_get_base_id(pub)) {
	case EVP_PKEY_ED25519:
	case EVP_PKEY_ED448:
		return NULL;
	case EVP_PKEY_EC:
		bits = EVP_PKEY_get_bits(pub);
		return bits > 384 ? EVP_sha512() : bits > 256 ? EVP_sha384() :
		    EVP_sha256();
	default:
		return EVP_sha256();
	}
}

/* Linting caches facts of the throwaway-signed certificate (its SHA-1
 * among them) in the object; a fresh parse of the real DER drops them. */
static enum ce_err
reparse(X509 **certp, struct ce_error *err)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	X509 *fresh;
	int n;

	if ((n = i2d_X509(*certp, &der)) <= 0)
		return ce_fault(err, CE_CRYPTO, "i2d_X509");
	p = der;
	fresh = d2i_X509(NULL, &p, n);
	OPENSSL_free(der);
	if (fresh == NULL)
		return ce_fault(err, CE_CRYPTO, "d2i_X509");
	X509_free(*certp);
	*certp = fresh;
	return CE_OK;
}

/* The signer's answer is parsed afresh already (signer_sign). */
enum ce_err
ca_sign(struct ce_db *db, const struct ca *ca, const struct sign_req *sr,
    X509 **certp, struct ce_error *err)
{
	const char *sock = signer_socket();
	enum ce_err rc;

	if (sock != NULL)
		return signer_sign(sock, ca->name, ca->cert, sr, certp, err);
	if ((rc = ca_sign_local(db, ca, *certp, err)) != CE_OK)
		return rc;
	return reparse(certp, err);
}

/* The key of CA id, loaded once per process. */
static enum ce_err cached_key_locked(const char *, int64_t, EVP_PKEY **,
    struct ce_error *);

static enum ce_err
cached_key(const char *dir, int64_t id, EVP_PKEY **out, struct ce_error *err)
{
	enum ce_err rc;

	pthread_mutex_lock(&keycache_lock);
	rc = cached_key_locked(dir, id, out, err);
	pthread_mutex_unlock(&keycache_lock);
	return rc;
}

static enum ce_err
cached_key_locked(const char *dir, int64_t id, EVP_PKEY **out,
    struct ce_error *err)
{
	enum ce_err rc;
	int i;

	for (i = 0; i < nkeycache; i++)
		if (keycache[i].id == id && strcmp(keycache[i].dir, dir) == 0) {
			*out = keycache[i].key;
			return CE_OK;
		}
	if (nkeycache == KEYCACHE_MAX)
		return ce_fault(err, CE_SYSTEM, "too many CA keys");
	if ((rc = load_key(dir, id, &keycache[nkeycache].key, err)) != CE_OK)
		return rc;
	keycache[nkeycache].id = id;
	snprintf(keycache[nkeycache].dir, sizeof(keycache[0].dir), "%s", dir);
	*out = keycache[nkeycache++].key;
	return CE_OK;
}

enum ce_err
ca_sign_local(struct ce_db *db, const struct ca *ca, X509 *cert,
    struct ce_error *err)
{
	EVP_PKEY *key;
	enum ce_err rc;

	if ((rc = cached_key(db_key_dir(db), ca->id, &key, err)) != CE_OK)
		return rc;
	if (X509_sign(cert, key, ca_digest(ca)) <= 0)
		return ce_fault(err, CE_CRYPTO, "X509_sign with CA %s", ca->name);
	return CE_OK;
}

enum ce_err
ca_key_load(struct ce_db *db, const struct ca *ca, struct ce_error *err)
{
	EVP_PKEY *key;

	return cached_key(db_key_dir(db), ca->id, &key, err);
}

enum ce_err
ca_sign_crl_local(struct ce_db *db, const struct ca *ca, X509_CRL *crl,
    struct ce_error *err)
{
	EVP_PKEY *key;
	enum ce_err rc;

	if ((rc = cached_key(db_key_dir(db), ca->id, &key, err)) != CE_OK)
		return rc;
	if (X509_CRL_sign(crl, key, ca_digest(ca)) <= 0)
		return ce_fault(err, CE_CRYPTO, "X509_CRL_sign with CA %s",
		    ca->name);
	return CE_OK;
}

int
ca_url_valid(const char *url)
{
	size_t n = strlen(url), i;

	if (n == 0)
		return 1;
	if (n >= CA_URL_MAX || (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0))
		return 0;
	/* What OpenSSL's extension syntax and a URI both take as written. */
	for (i = 0; i < n; i++)
		if (url[i] <= ' ' || url[i] >= 0x7f || strchr(",\"'\\<>", url[i]))
			return 0;
	return 1;
}

struct set_urls {
	const char	*name, *crl, *ocsp;
};

static enum ce_err
set_urls_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct set_urls *s = arg;
	json_object *rec = NULL;
	enum ce_err rc;

	rc = db_get(txn, T_CAS, s->name, &rec, err);
	if (rc == CE_NOTFOUND)
		return ce_fail(err, CE_NOTFOUND, "no CA named '%s'", s->name);
	if (rc != CE_OK)
		return rc;
	if (s->crl != NULL)
		json_object_object_add(rec, "crl_url", *s->crl ?
		    json_object_new_string(s->crl) : NULL);
	if (s->ocsp != NULL)
		json_object_object_add(rec, "ocsp_url", *s->ocsp ?
		    json_object_new_string(s->ocsp) : NULL);
	rc = db_put(txn, T_CAS, s->name, rec, err);
	json_object_put(rec);
	return rc;
}

enum ce_err
ca_set_urls(struct ce_db *db, const char *name, const char *crl_url,
    const char *ocsp_url, struct ce_error *err)
{
	struct set_urls s = { name, crl_url, ocsp_url };

	if (crl_url != NULL && !ca_url_valid(crl_url))
		return ce_fail(err, CE_INVAL, "--crl-url: not an http(s) URL "
		    "a certificate can carry: %.200s", crl_url);
	if (ocsp_url != NULL && !ca_url_valid(ocsp_url))
		return ce_fail(err, CE_INVAL, "--ocsp-url: not an http(s) URL "
		    "a certificate can carry: %.200s", ocsp_url);
	return db_write(db, set_urls_fn, &s, err);
}

struct preload {
	struct ce_db	*db;
	struct ce_error	*err;
	int		 n;
	enum ce_err	 rc;
};

static int
preload_cb(const char *key, json_object *rec, void *arg)
{
	struct preload *p = arg;
	EVP_PKEY *k;

	(void)key;
	if ((p->rc = cached_key(db_key_dir(p->db), json_object_get_int64(
	    json_object_object_get(rec, "id")), &k, p->err)) != CE_OK)
		return 1;
	p->n++;
	return 0;
}

int
ca_preload_keys(struct ce_db *db, struct ce_txn *txn, struct ce_error *err)
{
	struct preload p = { db, err, 0, CE_OK };

	if (db_foreach(txn, T_CAS, preload_cb, &p, err) != CE_OK || p.rc != CE_OK)
		return -1;
	return p.n;
}

static int
any_cb(const char *key, json_object *val, void *arg)
{
	(void)key;
	(void)val;
	*(int *)arg = 1;
	return 1;
}

int
ca_any(struct ce_db *db)
{
	struct ce_txn *txn = NULL;
	struct ce_error err;
	int found = 0;

	ce_error_clear(&err);
	if (db_begin(db, 0, &txn, &err) != CE_OK ||
	    db_foreach(txn, T_CAS, any_cb, &found, &err) != CE_OK)
		found = -1;
	db_abort(txn);
	return found;
}

enum ce_err
ca_record_id(struct ce_txn *txn, const char *name, int64_t *id,
    struct ce_error *err)
{
	json_object *ca = NULL, *v;
	enum ce_err rc;

	*id = 0;
	if (name == NULL)
		return CE_OK;
	rc = db_get(txn, T_CAS, name, &ca, err);
	if (rc == CE_NOTFOUND) {
		ce_error_clear(err);
		return CE_OK;
	}
	if (rc == CE_OK && json_object_object_get_ex(ca, "id", &v))
		*id = json_object_get_int64(v);
	json_object_put(ca);
	return rc;
}

struct ca_match {
	const char	*tp;
	int		 found;
};

static int
ca_match_cb(const char *key, json_object *rec, void *arg)
{
	struct ca_match *m = arg;
	struct ca *ca = NULL;
	char tp[64];

	(void)key;
	if (ca_from_record(rec, &ca, NULL) == CE_OK &&
	    x509_thumbprint(ca->cert, tp, sizeof(tp)) == CE_OK &&
	    strcasecmp(tp, m->tp) == 0)
		m->found = 1;
	ca_free(ca);
	return m->found;
}

int
ca_has_thumbprint(struct ce_txn *txn, const char *tp)
{
	struct ca_match m = { tp, 0 };

	if (db_foreach(txn, T_CAS, ca_match_cb, &m, NULL) != CE_OK)
		return 0;
	return m.found;
}

struct ca_lister {
	void	(*cb)(int64_t, const char *, void *);
	void	*arg;
};

static int
ca_list_cb(const char *key, json_object *rec, void *arg)
{
	struct ca_lister *l = arg;
	json_object *v;

	l->cb(json_object_object_get_ex(rec, "id", &v) ?
	    json_object_get_int64(v) : 0, key, l->arg);
	return 0;
}

enum ce_err
ca_list(struct ce_txn *txn, void (*cb)(int64_t id, const char *name,
    void *arg), void *arg, struct ce_error *err)
{
	struct ca_lister l = { cb, arg };

	return db_foreach(txn, T_CAS, ca_list_cb, &l, err);
}

STACK_OF(X509) *
ca_chain(const struct ca *ca)
{
	STACK_OF(X509) *chain;
	int i;

	if ((chain = sk_X509_new_null()) == NULL)
		return NULL;
	if (!sk_X509_push(chain, ca->cert))
		goto fail;
	for (i = 0; i < sk_X509_num(ca->chain); i++)
		if (!sk_X509_push(chain, sk_X509_value(ca->chain, i)))
			goto fail;
	return chain;
fail:
	sk_X509_free(chain);
	return NULL;
}
