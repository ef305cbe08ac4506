/*
 * retained.c - kept private keys (retained.h).  Beside each key record a
 * due entry "<until, 20 digits>/<cert id, 20 digits>" (T_RETAINED_DUE) for
 * keys kept until a time, so the agent's purge reads only what is due.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/x509.h>

#include "b64.h"
#include "db.h"
#include "jbuild.h"
#include "retained.h"
#include "seal.h"

#define DUE_KEY_MAX	48

/* The seal binds the key to its certificate and its time: a record whose
 * "until" was moved on (by one who can write the database, not read the
 * DEK) no longer opens. */
static void
retained_aad(int64_t cert_id, int64_t until, char *buf, size_t n)
{
	snprintf(buf, n, "retained:%lld:%lld", (long long)cert_id,
	    (long long)until);
}

static const char *
due_key(int64_t until, int64_t cert_id, char buf[DUE_KEY_MAX])
{
	snprintf(buf, DUE_KEY_MAX, "%020lld/%020lld", (long long)until,
	    (long long)cert_id);
	return buf;
}

enum ce_err
retained_put(struct ce_db *db, struct ce_txn *txn, int64_t cert_id,
    int64_t until, EVP_PKEY *key, struct ce_error *err)
{
	struct ce_buf sealed = { NULL, 0 };
	unsigned char *der = NULL;
	json_object *rec = NULL, *due = NULL;
	char aad[64], k[DB_IDKEY_MAX], dk[DUE_KEY_MAX], *b64 = NULL;
	enum ce_err rc;
	int len;

	if (until < 0)
		return ce_fault(err, CE_INVAL, "retention time");
	if ((len = i2d_PrivateKey(key, &der)) <= 0)
		return ce_fault(err, CE_CRYPTO, "i2d_PrivateKey");
	retained_aad(cert_id, until, aad, sizeof(aad));
	rc = seal(db_key_dir(db), aad, der, (size_t)len, &sealed, err);
	OPENSSL_clear_free(der, (size_t)len);
	if (rc != CE_OK)
		return rc;
	if ((b64 = b64_encode(sealed.data, sealed.len)) == NULL ||
	    (rec = json_object_new_object()) == NULL ||
	    json_object_object_add(rec, "id", json_object_new_int64(cert_id)) ||
	    json_object_object_add(rec, "until", json_object_new_int64(until)) ||
	    json_object_object_add(rec, "blob", json_object_new_string(b64))) {
		rc = ce_fault(err, CE_NOMEM, "retained key record");
		goto out;
	}
	rc = db_put(txn, T_RETAINED, db_idkey((uint64_t)cert_id, k), rec, err);
	if (rc == CE_OK && until > 0) {
		if ((due = json_object_new_object()) == NULL)
			rc = ce_fault(err, CE_NOMEM, "retained due record");
		else
			rc = db_put(txn, T_RETAINED_DUE, due_key(until, cert_id,
			    dk), due, err);
	}
out:
	json_object_put(due);
	json_object_put(rec);
	free(b64);
	buf_free(&sealed);
	return rc;
}

enum ce_err
retained_get(struct ce_db *db, struct ce_txn *txn, int64_t cert_id,
    int64_t now, EVP_PKEY **out, struct ce_error *err)
{
	struct ce_buf sealed = { NULL, 0 }, der = { NULL, 0 };
	const unsigned char *p;
	json_object *rec = NULL;
	char aad[64], k[DB_IDKEY_MAX];
	int64_t until;
	enum ce_err rc;

	*out = NULL;
	rc = db_get(txn, T_RETAINED, db_idkey((uint64_t)cert_id, k), &rec, err);
	if (rc == CE_NOTFOUND)
		return ce_fail(err, CE_NOKEY, "No private key could be found for "
		    "the given certificate.");
	if (rc != CE_OK)
		return rc;
	until = jrec_int(rec, "until");
	if (jrec_int(rec, "id") != cert_id || until < 0) {
		rc = ce_fault(err, CE_DB, "retained key record %lld",
		    (long long)cert_id);
		goto out;
	}
	if (until > 0 && until <= now) {
		rc = ce_fail(err, CE_NOKEY, "No private key could be found for "
		    "the given certificate: its template kept it until %lld.",
		    (long long)until);
		goto out;
	}
	if (b64_decode(jrec_str(rec, "blob"), &sealed) != CE_OK) {
		rc = ce_fault(err, CE_DB, "retained key blob of %lld",
		    (long long)cert_id);
		goto out;
	}
	retained_aad(cert_id, until, aad, sizeof(aad));
	if ((rc = unseal(db_key_dir(db), aad, sealed.data, sealed.len, &der,
	    err)) != CE_OK)
		goto out;
	p = der.data;
	if ((*out = d2i_AutoPrivateKey(NULL, &p, (long)der.len)) == NULL)
		rc = ce_fault(err, CE_CRYPTO, "retained key of %lld",
		    (long long)cert_id);
out:
	if (der.data != NULL)
		OPENSSL_cleanse(der.data, der.len);
	buf_free(&der);
	buf_free(&sealed);
	json_object_put(rec);
	return rc;
}

enum ce_err
retained_del(struct ce_txn *txn, int64_t cert_id, struct ce_error *err)
{
	json_object *rec = NULL;
	char k[DB_IDKEY_MAX], dk[DUE_KEY_MAX];
	int64_t until;
	enum ce_err rc;

	if ((rc = db_get(txn, T_RETAINED, db_idkey((uint64_t)cert_id, k), &rec,
	    err)) != CE_OK)
		return rc == CE_NOTFOUND ? ce_fail(err, CE_NOTFOUND, "No key is "
		    "kept for certificate %lld.", (long long)cert_id) : rc;
	until = jrec_int(rec, "until");
	json_object_put(rec);
	if ((rc = db_del(txn, T_RETAINED, k, err)) != CE_OK)
		return rc;
	if (until > 0 && (rc = db_del(txn, T_RETAINED_DUE, due_key(until,
	    cert_id, dk), err)) != CE_OK && rc != CE_NOTFOUND)
		return rc;
	return CE_OK;
}

/* A purge round: up to 256 due entries at or before now. */
struct purge {
	int64_t	 now;
	char	 keys[256][DUE_KEY_MAX];
	int	 n;
};

static int
purge_cb(const char *key, json_object *rec, void *arg)
{
	struct purge *p = arg;

	(void)rec;
	if (strtoll(key, NULL, 10) > p->now)
		return 1;	/* in time order: the rest are not due */
	snprintf(p->keys[p->n++], DUE_KEY_MAX, "%s", key);
	return p->n == 256;
}

static enum ce_err
purge_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct purge *p = arg;
	char k[DB_IDKEY_MAX];
	const char *slash;
	enum ce_err rc;
	int i;

	p->n = 0;
	if ((rc = db_foreach(txn, T_RETAINED_DUE, purge_cb, p, err)) != CE_OK)
		return rc;
	for (i = 0; i < p->n; i++) {
		if ((slash = strchr(p->keys[i], '/')) == NULL)
			return ce_fault(err, CE_DB, "retained due key");
		rc = db_del(txn, T_RETAINED, db_idkey((uint64_t)strtoll(slash + 1,
		    NULL, 10), k), err);
		if (rc != CE_OK && rc != CE_NOTFOUND)
			return rc;
		if ((rc = db_del(txn, T_RETAINED_DUE, p->keys[i], err)) != CE_OK)
			return rc;
	}
	return CE_OK;
}

enum ce_err
retained_purge(struct ce_db *db, int64_t now, int *purged,
    struct ce_error *err)
{
	struct purge *p;
	enum ce_err rc = CE_OK;

	*purged = 0;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return ce_fault(err, CE_NOMEM, "calloc");
	p->now = now;
	do {
		if ((rc = db_write(db, purge_fn, p, err)) == CE_OK)
			*purged += p->n;
	} while (rc == CE_OK && p->n == 256);
	free(p);
	return rc;
}
