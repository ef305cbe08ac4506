/*
 * staging.c - the key of a STORE/REPLACE enrollment or a renewal, kept for
 * a short time (staging_lifetime) for Deploy or Replace by the same user.
 * The PKCS#12 (itself encrypted with the enrollment password) is sealed with
 * the DEK, bound to the certificate id and the owner.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "log.h"
#include "seal.h"
#include "staging.h"
#include "db.h"

static void
staging_aad(int64_t cert_id, const char *owner, char *buf, size_t n)
{
	snprintf(buf, n, "staging:%lld:%s", (long long)cert_id, owner);
}

enum ce_err
staging_put(struct ce_db *db, struct ce_txn *txn, int64_t cert_id,
    int64_t request_id, const char *owner, time_t expires,
    const struct ce_buf *pfx, struct ce_error *err)
{
	struct ce_buf sealed = { NULL, 0 };
	json_object *rec = NULL;
	char aad[300], key[DB_IDKEY_MAX], *b64 = NULL;
	enum ce_err rc;

	staging_aad(cert_id, owner, aad, sizeof(aad));
	if ((rc = seal(db_key_dir(db), aad, pfx->data, pfx->len, &sealed, err)) != CE_OK)
		return rc;
	if ((b64 = b64_encode(sealed.data, sealed.len)) == NULL ||
	    (rec = json_object_new_object()) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "staging record");
		goto out;
	}
	json_object_object_add(rec, "owner", json_object_new_string(owner));
	json_object_object_add(rec, "expires", json_object_new_int64(expires));
	json_object_object_add(rec, "request_id", json_object_new_int64(request_id));
	json_object_object_add(rec, "blob", json_object_new_string(b64));
	rc = db_put(txn, T_STAGING, db_idkey((uint64_t)cert_id, key), rec, err);
out:
	json_object_put(rec);
	free(b64);
	buf_free(&sealed);
	return rc;
}

enum ce_err
staging_get(struct ce_db *db, struct ce_txn *txn, int64_t cert_id,
    const char *user, struct ce_buf *out, struct ce_error *err)
{
	struct ce_buf sealed = { NULL, 0 };
	json_object *rec = NULL, *v;
	char aad[300], key[DB_IDKEY_MAX];
	const char *owner;
	enum ce_err rc;

	out->data = NULL;
	out->len = 0;
	rc = db_get(txn, T_STAGING, db_idkey((uint64_t)cert_id, key), &rec, err);
	if (rc == CE_NOTFOUND)
		return ce_fail(err, CE_NOKEY, "No private key could be found for "
		    "certificate %lld: it was not enrolled for a store, or its "
		    "staging data has expired or been used.", (long long)cert_id);
	if (rc != CE_OK)
		return rc;
	json_object_object_get_ex(rec, "owner", &v);
	owner = json_object_get_string(v);
	if (owner == NULL || user == NULL || strcmp(owner, user) != 0) {
		rc = ce_fail(err, CE_NOKEY, "The staging data of certificate %lld "
		    "belongs to another user.", (long long)cert_id);
		goto out;
	}
	json_object_object_get_ex(rec, "expires", &v);
	if (json_object_get_int64(v) < (int64_t)time(NULL)) {
		rc = ce_fail(err, CE_NOKEY, "The staging data of certificate %lld "
		    "has expired; enroll again.", (long long)cert_id);
		goto out;
	}
	json_object_object_get_ex(rec, "blob", &v);
	if ((rc = b64_decode(json_object_get_string(v), &sealed)) != CE_OK) {
		rc = ce_fault(err, CE_DB, "staging blob of %lld", (long long)cert_id);
		goto out;
	}
	staging_aad(cert_id, owner, aad, sizeof(aad));
	rc = unseal(db_key_dir(db), aad, sealed.data, sealed.len, out, err);
out:
	buf_free(&sealed);
	json_object_put(rec);
	return rc;
}

struct purge {
	time_t	 now;
	char	 keys[256][DB_IDKEY_MAX];
	int	 n;
};

static int
purge_cb(const char *key, json_object *rec, void *arg)
{
	struct purge *p = arg;
	json_object *v;

	if (json_object_object_get_ex(rec, "expires", &v) &&
	    json_object_get_int64(v) < (int64_t)p->now)
		snprintf(p->keys[p->n++], DB_IDKEY_MAX, "%s", key);
	return p->n == 256;
}

static enum ce_err
purge_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct purge *p = arg;
	enum ce_err rc;
	int i;

	p->n = 0;
	if ((rc = db_foreach(txn, T_STAGING, purge_cb, p, err)) != CE_OK)
		return rc;
	for (i = 0; i < p->n; i++)
		if ((rc = db_del(txn, T_STAGING, p->keys[i], err)) != CE_OK)
			return rc;
	return CE_OK;
}

enum ce_err
staging_purge(struct ce_db *db, time_t now, int *purged, struct ce_error *err)
{
	struct purge *p;
	enum ce_err rc;

	*purged = 0;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return ce_fault(err, CE_NOMEM, "calloc");
	p->now = now;
	if ((rc = db_write(db, purge_fn, p, err)) == CE_OK)
		*purged = p->n;
	free(p);
	return rc;
}

enum ce_err
staging_del(struct ce_txn *txn, int64_t cert_id, struct ce_error *err)
{
	char key[DB_IDKEY_MAX];

	return db_del(txn, T_STAGING, db_idkey((uint64_t)cert_id, key), err);
}
