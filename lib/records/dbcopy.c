/* dbcopy.c - digests and copies of a whole database (see dbcopy.h). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dbcopy.h"

#define BATCH	512		/* records per write transaction of a copy */

struct digesting {
	EVP_MD_CTX	*md;
	uint64_t	 n;
	int		 bad;
};

static void
put_len(EVP_MD_CTX *md, size_t len, int *bad)
{
	unsigned char b[4] = { (unsigned char)(len >> 24),
	    (unsigned char)(len >> 16), (unsigned char)(len >> 8),
	    (unsigned char)len };

	if (EVP_DigestUpdate(md, b, sizeof(b)) != 1)
		*bad = 1;
}

/* Each record as len(key) key len(value) value: no two tables of records
 * digest alike by shifting bytes between key and value. */
static int
digest_cb(const char *key, const unsigned char *val, size_t len, void *arg)
{
	struct digesting *d = arg;
	size_t klen = strlen(key);

	put_len(d->md, klen, &d->bad);
	put_len(d->md, len, &d->bad);
	if (EVP_DigestUpdate(d->md, key, klen) != 1 ||
	    EVP_DigestUpdate(d->md, val, len) != 1)
		d->bad = 1;
	d->n++;
	return d->bad;
}

enum ce_err
db_digest(struct ce_db *db, struct db_table_digest out[DB_NTABLES],
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct digesting d;
	enum ce_err rc;
	int t;

	memset(out, 0, sizeof(*out) * DB_NTABLES);
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	for (t = 0; t < DB_NTABLES && rc == CE_OK; t++) {
		memset(&d, 0, sizeof(d));
		if ((d.md = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(d.md, EVP_sha256(), NULL) != 1) {
			EVP_MD_CTX_free(d.md);
			rc = ce_fault(err, CE_CRYPTO, "sha256");
			break;
		}
		rc = db_foreach_raw(txn, (enum db_table)t, digest_cb, &d, err);
		if (rc == CE_OK && (d.bad ||
		    EVP_DigestFinal_ex(d.md, out[t].sha256, NULL) != 1))
			rc = ce_fault(err, CE_CRYPTO, "sha256");
		EVP_MD_CTX_free(d.md);
		out[t].table = db_table_name((enum db_table)t);
		out[t].count = d.n;
	}
	db_abort(txn);
	return rc;
}

/* ---- copying ------------------------------------------------------------- */

struct record {
	char		*key;
	unsigned char	*val;
	size_t		 len;
};

struct copying {
	struct ce_db	*dst;
	enum db_table	 t;
	struct record	 batch[BATCH];
	int		 n;
	uint64_t	 copied;
	enum ce_err	 rc;
	struct ce_error	*err;
};

/* Writes one batch; runs again unchanged after a conflict (db.h). */
static enum ce_err
put_batch_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct copying *c = arg;
	uint64_t v;
	enum ce_err rc = CE_OK;
	int i;

	for (i = 0; i < c->n && rc == CE_OK; i++) {
		if (c->t != T_COUNTERS)
			rc = db_put_raw(txn, c->t, c->batch[i].key,
			    c->batch[i].val, c->batch[i].len, err);
		else if (c->batch[i].len != sizeof(v))
			rc = ce_fault(err, CE_DB, "counter %s is corrupt",
			    c->batch[i].key);
		else {
			memcpy(&v, c->batch[i].val, sizeof(v));
			rc = db_counter_set(txn, c->batch[i].key, v, err);
		}
	}
	return rc;
}

static void
discard(struct copying *c)
{
	int i;

	for (i = 0; i < c->n; i++) {
		free(c->batch[i].key);
		free(c->batch[i].val);
	}
	c->n = 0;
}

static enum ce_err
flush(struct copying *c)
{
	enum ce_err rc = CE_OK;

	if (c->n > 0)
		rc = db_write(c->dst, put_batch_fn, c, c->err);
	if (rc == CE_OK)
		c->copied += (uint64_t)c->n;
	discard(c);
	return rc;
}

static int
copy_cb(const char *key, const unsigned char *val, size_t len, void *arg)
{
	struct copying *c = arg;
	struct record *r = &c->batch[c->n];

	r->key = strdup(key);
	r->val = malloc(len > 0 ? len : 1);
	if (r->key == NULL || r->val == NULL) {
		free(r->key);
		free(r->val);
		c->rc = ce_fault(c->err, CE_NOMEM, "copy");
		return 1;
	}
	memcpy(r->val, val, len);
	r->len = len;
	if (++c->n == BATCH && (c->rc = flush(c)) != CE_OK)
		return 1;
	return 0;
}

static int
any_cb(const char *key, const unsigned char *val, size_t len, void *arg)
{
	(void)key;
	(void)val;
	(void)len;
	*(int *)arg = 1;
	return 1;
}

/* dst must be empty: a copy does not merge two installations. */
static enum ce_err
check_empty(struct ce_db *dst, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	enum ce_err rc;
	int t, any = 0;

	if ((rc = db_begin(dst, 0, &txn, err)) != CE_OK)
		return rc;
	for (t = 0; t < DB_NTABLES && rc == CE_OK && !any; t++)
		if ((rc = db_foreach_raw(txn, (enum db_table)t, any_cb, &any,
		    err)) == CE_OK && any)
			rc = ce_fail(err, CE_CONFLICT, "the target already holds "
			    "records (table %s): copy into an empty database",
			    db_table_name((enum db_table)t));
	db_abort(txn);
	return rc;
}

static enum ce_err
verify(struct ce_db *src, struct ce_db *dst, struct ce_error *err)
{
	struct db_table_digest a[DB_NTABLES], b[DB_NTABLES];
	enum ce_err rc;
	int t;

	if ((rc = db_digest(src, a, err)) != CE_OK ||
	    (rc = db_digest(dst, b, err)) != CE_OK)
		return rc;
	for (t = 0; t < DB_NTABLES; t++)
		if (a[t].count != b[t].count ||
		    memcmp(a[t].sha256, b[t].sha256, sizeof(a[t].sha256)) != 0)
			return ce_fail(err, CE_DB, "the copy differs from the "
			    "original in table %s (%llu records, copy %llu)",
			    a[t].table, (unsigned long long)a[t].count,
			    (unsigned long long)b[t].count);
	return CE_OK;
}

enum ce_err
db_copy(struct ce_db *src, struct ce_db *dst, uint64_t *copied,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct copying *c;
	enum ce_err rc;
	int t;

	*copied = 0;
	if ((rc = check_empty(dst, err)) != CE_OK)
		return rc;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ce_fault(err, CE_NOMEM, "calloc");
	c->dst = dst;
	c->err = err;
	if ((rc = db_begin(src, 0, &txn, err)) != CE_OK) {
		free(c);
		return rc;
	}
	for (t = 0; t < DB_NTABLES && rc == CE_OK; t++) {
		c->t = (enum db_table)t;
		c->rc = CE_OK;
		rc = db_foreach_raw(txn, c->t, copy_cb, c, err);
		if (rc == CE_OK)
			rc = c->rc;
		if (rc == CE_OK)
			rc = flush(c);
		else
			discard(c);
	}
	db_abort(txn);
	*copied = c->copied;
	free(c);
	if (rc != CE_OK)
		return rc;
	return verify(src, dst, err);
}
