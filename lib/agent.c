/*
 * agent.c - the store agent: runs due management jobs against real stores,
 * records each result, then takes an inventory of the store so that the
 * certificates' locations follow what is really there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pkcs12.h>

#include "certstore.h"
#include "jobs.h"
#include "log.h"
#include "seal.h"
#include "store.h"
#include "stores.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

static int64_t
rec_int(json_object *rec, const char *k)
{
	return json_object_get_int64(json_object_object_get(rec, k));
}

static const char *
rec_str(json_object *rec, const char *k)
{
	json_object *v = json_object_object_get(rec, k);

	return json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/*
 * The first queue entry (jobs.h) if it is due by now: *job is its record,
 * or NULL when nothing is due.  Entries that no longer match their job (a
 * job finished by an older agent) are dropped on the way.  A job still
 * "running" lost its agent (only one runs at a time - it holds the agent
 * lock): its entry is due, so it runs again.
 */
static enum ce_err
first_due(struct ce_txn *txn, time_t now, json_object **job,
    struct ce_error *err)
{
	char qkey[JOB_QKEY_MAX], mine[JOB_QKEY_MAX], idkey[DB_IDKEY_MAX];
	unsigned char *val = NULL;
	const char *slash;
	size_t len;
	enum ce_err rc;

	*job = NULL;
	for (;;) {
		rc = db_first_prefix(txn, T_JOBQ, "0", qkey, sizeof(qkey), &val,
		    &len, err);
		free(val);
		val = NULL;
		if (rc == CE_NOTFOUND)
			return CE_OK;		/* nothing queued */
		if (rc != CE_OK)
			return rc;
		if (strtoll(qkey, NULL, 10) > (long long)now)
			return CE_OK;		/* nothing due yet */
		if ((slash = strchr(qkey, '/')) == NULL)
			return ce_fault(err, CE_DB, "job queue key %s", qkey);
		rc = db_get(txn, T_JOBS, db_idkey(strtoull(slash + 1, NULL, 10),
		    idkey), job, err);
		if (rc != CE_OK && rc != CE_NOTFOUND)
			return rc;
		/* job_qkey is NULL for a finished job */
		if (rc == CE_OK && job_qkey(*job, mine) != NULL &&
		    strcmp(mine, qkey) == 0)
			return CE_OK;
		json_object_put(*job);
		*job = NULL;
		if ((rc = db_del(txn, T_JOBQ, qkey, err)) != CE_OK)
			return rc;
	}
}

/* Claims the next due job: marks it running in its own transaction. */
static enum ce_err
claim_next(struct ce_db *db, time_t now, json_object **out, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	json_object *job = NULL;
	char key[DB_IDKEY_MAX];
	enum ce_err rc;

	*out = NULL;
	if ((rc = db_begin(db, 1, &txn, err)) != CE_OK ||
	    (rc = job_queue_backfill(txn, err)) != CE_OK ||
	    (rc = first_due(txn, now, &job, err)) != CE_OK || job == NULL)
		goto out;
	if ((rc = job_queue_del(txn, job, err)) != CE_OK)
		goto out;
	ADD(job, "status", json_object_new_string("running"));
	ADD(job, "attempts", json_object_new_int64(rec_int(job, "attempts") + 1));
	ADD(job, "started", json_object_new_int64(now));
	if ((rc = db_put(txn, T_JOBS, db_idkey((uint64_t)rec_int(job, "id"), key),
	    job, err)) != CE_OK || (rc = job_queue_put(txn, job, err)) != CE_OK)
		goto out;
	rc = db_commit(txn, err);
	txn = NULL;
	if (rc == CE_OK) {
		*out = job;
		job = NULL;
	}
out:
	db_abort(txn);
	json_object_put(job);
	return rc;
}

/* Unseals the payload and opens the PKCS#12 it holds. */
static enum ce_err
open_payload(struct ce_db *db, json_object *job, EVP_PKEY **key, X509 **cert,
    STACK_OF(X509) **chain, char *pw, size_t pwsz, struct ce_error *err)
{
	struct ce_buf sealed = { NULL, 0 }, plain = { NULL, 0 }, der = { NULL, 0 };
	json_object *p = NULL;
	const unsigned char *d;
	PKCS12 *p12 = NULL;
	char aad[64];
	enum ce_err rc;

	snprintf(aad, sizeof(aad), "job:%lld", (long long)rec_int(job, "id"));
	if (rec_str(job, "payload") == NULL)
		return ce_fail(err, CE_NOKEY, "the job no longer holds its key");
	if ((rc = b64_decode(rec_str(job, "payload"), &sealed)) != CE_OK ||
	    (rc = unseal(db_key_dir(db), aad, sealed.data, sealed.len, &plain,
	    err)) != CE_OK)
		goto out;
	if ((p = json_tokener_parse((const char *)plain.data)) == NULL ||
	    rec_str(p, "pfx") == NULL || rec_str(p, "password") == NULL ||
	    b64_decode(rec_str(p, "pfx"), &der) != CE_OK) {
		rc = ce_fault(err, CE_DB, "job payload is malformed");
		goto out;
	}
	snprintf(pw, pwsz, "%s", rec_str(p, "password"));
	d = der.data;
	if ((p12 = d2i_PKCS12(NULL, &d, (long)der.len)) == NULL ||
	    PKCS12_parse(p12, pw, key, cert, chain) != 1) {
		rc = ce_fault(err, CE_CRYPTO, "job PKCS#12 does not open");
		goto out;
	}
	rc = CE_OK;
out:
	PKCS12_free(p12);
	if (p != NULL) {
		json_object *v = json_object_object_get(p, "password");
		if (v != NULL)
			OPENSSL_cleanse((void *)json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
	}
	json_object_put(p);
	buf_free(&der);
	buf_free(&plain);
	buf_free(&sealed);
	return rc;
}

/* Performs the job against its store and takes the inventory. */
static enum ce_err
execute(struct ce_db *db, json_object *job, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct certstore cs;
	struct certstore_item *items = NULL;
	json_object *store = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	char storepw[512] = "", pw[512] = "";
	const char *kind = rec_str(job, "kind");
	size_t n = 0;
	int overwrite;
	enum ce_err rc;

	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = store_get(txn, rec_str(job, "store_id"), &store, err);
	db_abort(txn);
	if (rc != CE_OK)
		goto out;
	if ((rc = store_open(db, store, &cs, storepw, sizeof(storepw), err)) != CE_OK ||
	    (rc = open_payload(db, job, &key, &cert, &chain, pw, sizeof(pw),
	    err)) != CE_OK)
		goto out;
	overwrite = json_object_get_boolean(json_object_object_get(job, "overwrite")) ||
	    (kind != NULL && strcmp(kind, "replace") == 0);
	if ((rc = certstore_put(&cs, rec_str(job, "alias"), key, cert, chain,
	    cs.encrypt_keys ? pw : NULL, overwrite, err)) != CE_OK)
		goto out;
	if ((rc = certstore_inventory(&cs, &items, &n, err)) != CE_OK ||
	    (rc = store_record_inventory(db, rec_str(job, "store_id"), items, n,
	    err)) != CE_OK)
		goto out;
out:
	OPENSSL_cleanse(storepw, sizeof(storepw));
	OPENSSL_cleanse(pw, sizeof(pw));
	free(items);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	json_object_put(store);
	return rc;
}

/* Records the outcome; the key payload is dropped once the job is final. */
static enum ce_err
finish(struct ce_db *db, json_object *job, enum ce_err result,
    const struct ce_error *jerr, time_t now, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	char key[DB_IDKEY_MAX];
	int final = result == CE_OK || rec_int(job, "attempts") >= JOB_MAX_ATTEMPTS;
	enum ce_err rc;

	if ((rc = db_begin(db, 1, &txn, err)) != CE_OK)
		return rc;
	/* the "running" entry goes; a retry is queued again below */
	if ((rc = job_queue_del(txn, job, err)) != CE_OK) {
		db_abort(txn);
		return rc;
	}
	if (result == CE_OK)
		ADD(job, "status", json_object_new_string("succeeded"));
	else if (final)
		ADD(job, "status", json_object_new_string("failed"));
	else {
		ADD(job, "status", json_object_new_string("retry"));
		ADD(job, "next_try", json_object_new_int64(now + JOB_RETRY_DELAY));
	}
	ADD(job, "last_error", result == CE_OK ? NULL :
	    json_object_new_string(jerr->msg[0] ? jerr->msg : ce_strerror(result)));
	if (final) {
		ADD(job, "finished", json_object_new_int64(now));
		ADD(job, "payload", NULL);
	}
	if ((rc = db_put(txn, T_JOBS, db_idkey((uint64_t)rec_int(job, "id"), key),
	    job, err)) != CE_OK || (rc = job_queue_put(txn, job, err)) != CE_OK) {
		db_abort(txn);
		return rc;
	}
	return db_commit(txn, err);
}

enum ce_err
agent_run_due(struct ce_db *db, time_t now, int *ran, int *failed,
    struct ce_error *err)
{
	struct ce_error jerr;
	json_object *job = NULL;
	enum ce_err rc, result;

	*ran = *failed = 0;
	for (;;) {
		if ((rc = claim_next(db, now, &job, err)) != CE_OK || job == NULL)
			return rc;
		ce_error_clear(&jerr);
		result = execute(db, job, &jerr);
		log_info("job %lld (%s, store %s, alias %s): %s%s%s",
		    (long long)rec_int(job, "id"), rec_str(job, "kind"),
		    rec_str(job, "store_id"), rec_str(job, "alias"),
		    result == CE_OK ? "succeeded" : "failed",
		    result == CE_OK ? "" : ": ", result == CE_OK ? "" : jerr.msg);
		rc = finish(db, job, result, &jerr, now, err);
		json_object_put(job);
		job = NULL;
		(*ran)++;
		if (result != CE_OK)
			(*failed)++;
		if (rc != CE_OK)
			return rc;
	}
}
