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

/* A batch of claimed jobs and what became of each. */
struct batch {
	struct job	 jobs[JOB_BATCH_MAX];
	enum ce_err	 results[JOB_BATCH_MAX];
	struct ce_error	 errs[JOB_BATCH_MAX];
	const char	*whys[JOB_BATCH_MAX];
	int		 taken[JOB_BATCH_MAX];
	int		 done[JOB_BATCH_MAX];	/* its store's turn has come */
	int		 n;
};

static void
fail_job(struct batch *b, int i, enum ce_err rc, const struct ce_error *e)
{
	b->results[i] = rc;
	if (e != NULL && e != &b->errs[i])
		b->errs[i] = *e;
}

/* Puts job i into the open store cs. */
static enum ce_err
put_one(struct ce_db *db, struct certstore *cs, const struct job *job,
    struct ce_error *err)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	char pw[512] = "";
	enum ce_err rc;

	if ((rc = open_payload(db, job, &key, &cert, &chain, pw, sizeof(pw),
	    err)) == CE_OK)
		/* A replacement takes the alias it replaces. */
		rc = certstore_put(cs, job->alias, key, cert, chain,
		    cs->encrypt_keys ? pw : NULL, job->overwrite ||
		    job->kind == JOB_REPLACE, err);
	OPENSSL_cleanse(pw, sizeof(pw));
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

/*
 * The jobs of the batch for the store of job first, in the order they were
 * claimed: the store read and opened once, each job put, and one inventory
 * taken after them all (what a job per store would repeat for every job).
 * Each job's result is its own; an inventory that fails fails the jobs it
 * was to confirm.
 */
static void
run_store(struct ce_db *db, struct batch *b, int first)
{
	const char *sid = b->jobs[first].store_id;
	struct ce_txn *txn = NULL;
	struct certstore cs;
	struct certstore_item *items = NULL;
	struct store store;
	struct ce_error e;
	char storepw[512] = "";
	size_t n = 0;
	enum ce_err rc;
	int i, put = 0;

	memset(&store, 0, sizeof(store));
	ce_error_clear(&e);
	for (i = first; i < b->n; i++)
		if (!b->done[i] && strcmp(b->jobs[i].store_id, sid) == 0) {
			b->done[i] = 1;
			b->results[i] = CE_OK;
			ce_error_clear(&b->errs[i]);
		}
	if ((rc = db_begin(db, 0, &txn, &e)) == CE_OK) {
		rc = store_get(txn, sid, &store, &e);
		for (i = first; rc == CE_OK && i < b->n; i++)
			if (strcmp(b->jobs[i].store_id, sid) == 0 &&
			    b->results[i] == CE_OK)
				fail_job(b, i, not_revoked(txn, b->jobs[i].cert_id,
				    &b->errs[i]), NULL);
		db_abort(txn);
	}
	if (rc == CE_OK)
		rc = store_open(db, &store, &cs, storepw, sizeof(storepw), &e);
	for (i = first; i < b->n; i++) {
		if (strcmp(b->jobs[i].store_id, sid) != 0)
			continue;
		if (rc != CE_OK)
			fail_job(b, i, rc, &e);
		else if (b->results[i] == CE_OK &&
		    (b->results[i] = put_one(db, &cs, &b->jobs[i],
		    &b->errs[i])) == CE_OK)
			put++;
	}
	if (rc == CE_OK && put > 0 &&
	    ((rc = certstore_inventory(&cs, &items, &n, &e)) != CE_OK ||
	    (rc = store_record_inventory(db, sid, items, n, &e)) != CE_OK))
		for (i = first; i < b->n; i++)
			if (strcmp(b->jobs[i].store_id, sid) == 0 &&
			    b->results[i] == CE_OK)
				fail_job(b, i, rc, &e);
	OPENSSL_cleanse(storepw, sizeof(storepw));
	free(items);
	store_clear(&store);
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
	struct batch *b;
	time_t start = time(NULL);
	int64_t lease = settings_int(db, NULL, "job_lease");
	enum ce_err rc;
	int i;

	*ran = *failed = 0;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return ce_fault(err, CE_NOMEM, "job batch");
	for (;;) {
		if ((rc = job_claim_due_batch(db, pass_clock(now, start), lease,
		    b->jobs, JOB_BATCH_MAX, &b->n, err)) != CE_OK ||
		    b->n == 0)
			break;	/* nothing (more) is due */
		memset(b->done, 0, sizeof(b->done));
		for (i = 0; i < b->n; i++)
			if (!b->done[i])
				run_store(db, b, i);
		for (i = 0; i < b->n; i++)
			b->whys[i] = b->results[i] == CE_OK ? NULL :
			    b->errs[i].msg[0] ? b->errs[i].msg :
			    ce_strerror(b->results[i]);
		rc = job_finish_batch(db, b->jobs, b->results, b->whys, b->n,
		    pass_clock(now, start), b->taken, err);
		for (i = 0; i < b->n; i++) {
			log_info("job %lld (%s, store %s, alias %s): %s%s%s%s",
			    (long long)b->jobs[i].id,
			    job_kind_name(b->jobs[i].kind), b->jobs[i].store_id,
			    b->jobs[i].alias, b->results[i] == CE_OK ?
			    "succeeded" : "failed", b->whys[i] ? ": " : "",
			    b->whys[i] ? b->whys[i] : "", rc == CE_OK &&
			    b->taken[i] ? " (taken over by another agent: its "
			    "outcome here is not recorded)" : "");
			(*ran)++;
			if (b->results[i] != CE_OK)
				(*failed)++;
			job_clear(&b->jobs[i]);
		}
		b->n = 0;
		if (rc != CE_OK)
			break;
	}
	for (i = 0; i < b->n; i++)
		job_clear(&b->jobs[i]);
	free(b);
	return rc;
}
