/* keypool.c - pre-generated subscriber keys (see keypool.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "config.h"
#include "keypool.h"
#include "log.h"
#include "seal.h"
#include "db.h"

struct take {
	const char	*prefix;
	char		*name;
	size_t		 namesz;
	unsigned char	*blob;
	size_t		 len;
};

static enum ce_err
take_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct take *t = arg;
	enum ce_err rc;

	/* A rolled-back run's key is back in the pool, not ours. */
	if (t->blob != NULL)
		OPENSSL_cleanse(t->blob, t->len);
	free(t->blob);
	t->blob = NULL;
	t->len = 0;
	rc = db_first_prefix(txn, T_KEYPOOL, t->prefix, t->name, t->namesz,
	    &t->blob, &t->len, err);
	return rc == CE_OK ? db_del(txn, T_KEYPOOL, t->name, err) : rc;
}

/* Takes the first pooled key of spec out of the pool, durably (a write
 * shared with the other requests': db_write). */
static enum ce_err
take_sealed(struct ce_db *db, const char *prefix, char *name, size_t namesz,
    unsigned char **blob, size_t *len, struct ce_error *err)
{
	struct take t = { prefix, name, namesz, NULL, 0 };
	enum ce_err rc = db_write(db, take_fn, &t, err);

	if (rc != CE_OK) {
		if (t.blob != NULL)
			OPENSSL_cleanse(t.blob, t.len);
		free(t.blob);
		*blob = NULL;
		return rc;
	}
	*blob = t.blob;
	*len = t.len;
	return CE_OK;
}

/* Whether the pool holds any key under prefix (read-only). */
static int
pool_has(struct ce_db *db, const char *prefix)
{
	struct ce_txn *txn = NULL;
	unsigned char *blob = NULL;
	char name[96];
	size_t len;
	int found;

	if (db_begin(db, 0, &txn, NULL) != CE_OK)
		return 0;
	found = db_first_prefix(txn, T_KEYPOOL, prefix, name, sizeof(name), &blob,
	    &len, NULL) == CE_OK;
	if (blob != NULL)
		OPENSSL_cleanse(blob, len);
	free(blob);
	db_abort(txn);
	return found;
}

enum ce_err
keypool_take(struct ce_db *db, const struct key_spec *spec, EVP_PKEY **out,
    int *pooled, struct ce_error *err)
{
	struct ce_buf der = { NULL, 0 };
	unsigned char *blob = NULL;
	const unsigned char *p;
	char prefix[48], name[96];
	size_t len;
	enum ce_err rc;

	*out = NULL;
	if (pooled != NULL)
		*pooled = 0;
	key_spec_word(spec, prefix, sizeof(prefix) - 1);
	strcat(prefix, "/");
	/* A read-only look first: an empty pool costs no write transaction. */
	if (!pool_has(db, prefix))
		return key_generate(spec, out, err);
	rc = take_sealed(db, prefix, name, sizeof(name), &blob, &len, err);
	if (rc == CE_NOTFOUND)
		return key_generate(spec, out, err);
	if (rc != CE_OK)
		return rc;
	rc = unseal(db_key_dir(db), name, blob, len, &der, err);
	free(blob);
	if (rc != CE_OK)
		return rc;
	p = der.data;
	if ((*out = d2i_AutoPrivateKey(NULL, &p, (long)der.len)) == NULL)
		rc = ce_fault(err, CE_CRYPTO, "pooled key %s does not parse", name);
	else if (pooled != NULL)
		*pooled = 1;
	buf_free(&der);
	return rc;
}

struct counting {
	const char	*prefix;
	int		 n;
};

static int
count_cb(const char *key, const unsigned char *val, size_t len, void *arg)
{
	struct counting *c = arg;

	(void)val;
	(void)len;
	if (strncmp(key, c->prefix, strlen(c->prefix)) == 0)
		c->n++;
	return 0;
}

enum ce_err
keypool_count(struct ce_db *db, const struct key_spec *spec, int *n,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct counting c;
	char prefix[48];
	enum ce_err rc;

	*n = 0;
	key_spec_word(spec, prefix, sizeof(prefix) - 1);
	strcat(prefix, "/");
	c.prefix = prefix;
	c.n = 0;
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = db_foreach_raw(txn, T_KEYPOOL, count_cb, &c, err);
	db_abort(txn);
	*n = c.n;
	return rc;
}

struct add {
	struct ce_db		*db;
	const struct key_spec	*spec;
	const unsigned char	*der;
	size_t			 len;
};

static enum ce_err
add_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct add *a = arg;
	struct ce_buf sealed = { NULL, 0 };
	char word[40], name[96], seq[DB_IDKEY_MAX];
	uint64_t n;
	enum ce_err rc;

	if ((rc = db_next_id(txn, "keypool", &n, err)) != CE_OK)
		return rc;
	key_spec_word(a->spec, word, sizeof(word));
	snprintf(name, sizeof(name), "%s/%s", word, db_idkey(n, seq));
	if ((rc = seal(db_key_dir(a->db), name, a->der, a->len, &sealed,
	    err)) == CE_OK)
		rc = db_put_raw(txn, T_KEYPOOL, name, sealed.data, sealed.len, err);
	buf_free(&sealed);
	return rc;
}

/* Seals and stores one new key. */
static enum ce_err
add_one(struct ce_db *db, const struct key_spec *spec, struct ce_error *err)
{
	EVP_PKEY *k = NULL;
	unsigned char *der = NULL;
	struct add a;
	int len;
	enum ce_err rc;

	if ((rc = key_generate(spec, &k, err)) != CE_OK)
		return rc;
	if ((len = i2d_PrivateKey(k, &der)) <= 0)
		rc = ce_fault(err, CE_CRYPTO, "i2d_PrivateKey");
	else {
		a.db = db;
		a.spec = spec;
		a.der = der;
		a.len = (size_t)len;
		rc = db_write(db, add_fn, &a, err);
	}
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)len);
	EVP_PKEY_free(k);
	return rc;
}

enum ce_err
keypool_fill(struct ce_db *db, const struct key_spec *spec, int target,
    int max_new, int *added, struct ce_error *err)
{
	enum ce_err rc;
	int have;

	*added = 0;
	if ((rc = keypool_count(db, spec, &have, err)) != CE_OK)
		return rc;
	while (have + *added < target && *added < max_new) {
		if ((rc = add_one(db, spec, err)) != CE_OK)
			return rc;
		(*added)++;
	}
	return CE_OK;
}

/* fn(db, spec, target, arg) for each pool of the key_pool setting
 * ("RSA-2048:64,ECC-P-256:0"), until one fails. */
typedef enum ce_err (*pool_fn)(struct ce_db *, const struct key_spec *,
    int target, void *arg, struct ce_error *);

static enum ce_err
pools_each(struct ce_db *db, pool_fn fn, void *arg, struct ce_error *err)
{
	const char *conf = config_get("key_pool");
	struct key_spec spec;
	char *copy, *tok, *save = NULL, *colon;
	enum ce_err rc = CE_OK;

	if (conf == NULL || (copy = strdup(conf)) == NULL)
		return CE_OK;
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && rc == CE_OK;
	    tok = strtok_r(NULL, ", ", &save)) {
		if ((colon = strrchr(tok, ':')) == NULL)
			continue;
		*colon = '\0';
		if (key_spec_parse_word(tok, &spec, err) != CE_OK) {
			rc = err != NULL ? err->code : CE_INVAL;
			break;
		}
		rc = fn(db, &spec, atoi(colon + 1), arg, err);
	}
	free(copy);
	return rc;
}

struct filling {
	int	 max_new;
	int	*added;
};

static enum ce_err
fill_one(struct ce_db *db, const struct key_spec *spec, int target,
    void *arg, struct ce_error *err)
{
	struct filling *f = arg;
	int n = 0;
	enum ce_err rc;

	rc = keypool_fill(db, spec, target, f->max_new - *f->added, &n, err);
	*f->added += n;
	return rc;
}

enum ce_err
keypool_fill_configured(struct ce_db *db, int max_new, int *added,
    struct ce_error *err)
{
	struct filling f = { max_new, added };

	*added = 0;
	return pools_each(db, fill_one, &f, err);
}

struct levels {
	keypool_level_visit	 cb;
	void			*arg;
};

static enum ce_err
level_one(struct ce_db *db, const struct key_spec *spec, int target,
    void *arg, struct ce_error *err)
{
	struct levels *l = arg;
	char word[48];
	int n;
	enum ce_err rc;

	if ((rc = keypool_count(db, spec, &n, err)) == CE_OK)
		l->cb(key_spec_word(spec, word, sizeof(word)), n, target,
		    l->arg);
	return rc;
}

enum ce_err
keypool_levels(struct ce_db *db, keypool_level_visit cb, void *arg,
    struct ce_error *err)
{
	struct levels l = { cb, arg };

	return pools_each(db, level_one, &l, err);
}
