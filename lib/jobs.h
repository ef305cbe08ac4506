/*
 * jobs.h - management jobs: one per store a certificate is delivered to,
 * run by the store agent (`certenroll agent`) when due.
 *
 * Job record (T_JOBS, key db_idkey(id)):
 *   {"id","store_id","kind":"add"|"replace","cert_id","alias","overwrite",
 *    "due":<epoch>,"status":"scheduled"|"running"|"succeeded"|"failed",
 *    "attempts","last_error","requester","created","finished",
 *    "payload":"<base64 of the PKCS#12 and its password, sealed with the
 *               DEK, associated data job:<id>>"}
 * The payload is the job's own copy of the key, so a job scheduled for
 * later does not depend on the five-minute staging data.
 */
#ifndef CE_JOBS_H
#define CE_JOBS_H

#include <stdint.h>
#include <time.h>
#include "error.h"
#include "output.h"

struct ce_db;
struct ce_txn;

#define JOB_MAX_ATTEMPTS	3
#define JOB_RETRY_DELAY		30	/* seconds between attempts */

enum job_kind {
	JOB_ADD,
	JOB_REPLACE,
	JOB__MAX
};

struct job_new {
	const char		*store_id;	/* normalised GUID */
	enum job_kind		 kind;
	int64_t			 cert_id;
	const char		*alias;
	int			 overwrite;
	time_t			 due;
	const char		*requester;
	const struct ce_buf	*pfx;		/* PKCS#12 DER */
	const char		*password;	/* opens pfx; entry password */
};

/* Creates a job inside a write transaction (the caller commits). */
enum ce_err	job_create(struct ce_db *db, struct ce_txn *txn,
		    const struct job_new *job, int64_t *id, struct ce_error *err);

/* Runs every job due at now (one at a time); reports how many ran and how
 * many failed.  Each job's result is committed before the next starts.  The
 * caller holds the agent lock (one agent per data directory), so a job found
 * "running" was interrupted and is run again. */
enum ce_err	agent_run_due(struct ce_db *db, time_t now, int *ran, int *failed,
		    struct ce_error *err);

#endif
