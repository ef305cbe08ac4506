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

#include "agent.h"
#include "certdb.h"
#include "certstore.h"
#include "jobs.h"
#include "log.h"
#include "pemutil.h"
#include "db.h"
#include "settings.h"
#include "stores.h"

/* Opens the PKCS#12 the job holds (its own sealed copy of the key). */
static enum ce_err
open_payload(struct ce_db *db, const struct job *job, EVP_PKEY **key,
    X509 **cert, STACK_OF(X509) **chain, char *pw, size_t pwsz,
    struct ce_error *err)
{
	struct ce_buf der = { NULL, 0 };
	PKCS12 *p12 = NULL;
	enum ce_err rc;

	if ((rc = job_payload(db, job, &der, pw, pwsz, err)) != CE_OK)
		return rc;
	if ((p12 = der_to_p12(der.data, der.len)) == NULL ||
	    PKCS12_parse(p12, pw, key, cert, chain) != 1)
		rc = ce_fault(err, CE_CRYPTO, "job PKCS#12 does not open");
	PKCS12_free(p12);
	buf_free(&der);
	return rc;
}

/* A job queued before its certificate was revoked delivers nothing: the
 * job fails, saying why. */
static enum ce_err
not_revoked(struct ce_txn *txn, int64_t cert_id, struct ce_error *err)
{
	int revoked;
	enum ce_err rc = cert_is_revoked(txn, cert_id, &revoked, err);

	if (rc != CE_OK)
		return rc;
	return revoked ? ce_fail(err, CE_CONFLICT, "certificate %lld is "
	    "revoked: not delivered", (long long)cert_id) : CE_OK;
}

/* Performs the job against its store and takes the inventory. */
static enum ce_err
execute(struct ce_db *db, const struct job *job, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct certstore cs;
	struct certstore_item *items = NULL;
	struct store store;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	char storepw[512] = "", pw[512] = "";
	size_t n = 0;
	enum ce_err rc;

	memset(&store, 0, sizeof(store));
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = store_get(txn, job->store_id, &store, err);
	if (rc == CE_OK)
		rc = not_revoked(txn, job->cert_id, err);
	db_abort(txn);
	if (rc != CE_OK)
		goto out;
	if ((rc = store_open(db, &store, &cs, storepw, sizeof(storepw), err)) != CE_OK ||
	    (rc = open_payload(db, job, &key, &cert, &chain, pw, sizeof(pw),
	    err)) != CE_OK)
		goto out;
	/* A replacement takes the alias it replaces. */
	if ((rc = certstore_put(&cs, job->alias, key, cert, chain,
	    cs.encrypt_keys ? pw : NULL, job->overwrite ||
	    job->kind == JOB_REPLACE, err)) != CE_OK)
		goto out;
	if ((rc = certstore_inventory(&cs, &items, &n, err)) != CE_OK ||
	    (rc = store_record_inventory(db, job->store_id, items, n,
	    err)) != CE_OK)
		goto out;
out:
	OPENSSL_cleanse(storepw, sizeof(storepw));
	OPENSSL_cleanse(pw, sizeof(pw));
	free(items);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	store_clear(&store);
	return rc;
}

/* Records the outcome of job's run.  A job taken over by another agent
 * (our lease ran out first) keeps the outcome that agent records: logged,
 * and the pass goes on. */
static enum ce_err
finish(struct ce_db *db, const struct job *job, enum ce_err result,
    const char *why, time_t now, struct ce_error *err)
{
	struct ce_error ferr;
	enum ce_err rc;

	ce_error_clear(&ferr);
	rc = job_finish(db, job, result, why, now, &ferr);
	if (rc == CE_CONFLICT) {
		log_info("%s; its outcome here is not recorded", ferr.msg);
		return CE_OK;
	}
	if (rc != CE_OK && err != NULL)
		*err = ferr;
	return rc;
}

/* The pass's clock: now, moved on by the time the pass has taken since
 * start, so that a lease runs from its claim and a retry waits from its
 * failure, however many jobs ran before them. */
static time_t
pass_clock(time_t now, time_t start)
{
	return now + (time(NULL) - start);
}

enum ce_err
agent_run_due(struct ce_db *db, time_t now, int *ran, int *failed,
    struct ce_error *err)
{
	struct ce_error jerr;
	struct job job;
	time_t start = time(NULL);
	int64_t lease = settings_int(db, NULL, "job_lease");
	enum ce_err rc, result;

	*ran = *failed = 0;
	for (;;) {
		if ((rc = job_claim_due(db, pass_clock(now, start), lease, &job,
		    err)) != CE_OK)
			return rc;
		if (job.id == 0)
			return CE_OK;	/* nothing is due */
		ce_error_clear(&jerr);
		result = execute(db, &job, &jerr);
		log_info("job %lld (%s, store %s, alias %s): %s%s%s",
		    (long long)job.id, job_kind_name(job.kind), job.store_id,
		    job.alias, result == CE_OK ? "succeeded" : "failed",
		    result == CE_OK ? "" : ": ", result == CE_OK ? "" : jerr.msg);
		rc = finish(db, &job, result, result == CE_OK ? NULL :
		    jerr.msg[0] ? jerr.msg : ce_strerror(result),
		    pass_clock(now, start), err);
		job_clear(&job);
		(*ran)++;
		if (result != CE_OK)
			(*failed)++;
		if (rc != CE_OK)
			return rc;
	}
}
