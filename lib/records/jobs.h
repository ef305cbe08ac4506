/*
 * jobs.h - management jobs: one per store a certificate is delivered to,
 * run by the store agent (`certenroll agent`) when due.
 *
 * Job record (T_JOBS, key db_idkey(id)):
 *   {"id","store_id","kind":"add"|"replace","cert_id","alias","overwrite",
 *    "due":<epoch>,"status":"scheduled"|"running"|"retry"|"succeeded"|
 *    "failed"|"cancelled",
 *    "attempts","last_error","requester","created","finished",
 *    "started","lease_until" (the claim a "running" job is held by),
 *    "payload":"<base64 of the PKCS#12 and its password, sealed with the
 *               DEK, associated data job:<id>>"}
 * The payload is the job's own copy of the key, so a job scheduled for
 * later does not depend on the five-minute staging data.
 *
 * Queued jobs are counted per requester (T_JOBCOUNT, moved by
 * job_queue_put/del) for max_queued_jobs_per_user.
 *
 * The agent's queue (T_JOBQ) has one entry per unfinished job, keyed by
 * when it is due next, "<epoch, 20 digits>/<id, 20 digits>", so that the
 * next due job is the first key (finding it does not read the finished
 * jobs): scheduled jobs by "due", retries by "next_try", running ones by
 * "lease_until".  A claim holds its job for a lease (job_lease seconds,
 * JOB_LEASE by default) and is not due before it ends: agents on several
 * hosts share one queue, and a job whose agent died is taken over by
 * whichever agent claims it once the lease has run out.  A running record
 * from before leases (no "lease_until") is keyed by "started": due at once.
 */
#ifndef CE_JOBS_H
#define CE_JOBS_H

#include <stdint.h>
#include <time.h>
#include <json-c/json.h>
#include "error.h"
#include "db.h"
#include "output.h"

struct ce_db;
struct ce_txn;

#define JOB_QKEY_MAX		48
#define JOB_MAX_ATTEMPTS	3
#define JOB_RETRY_DELAY		30	/* seconds between attempts */
#define JOB_LEASE		300	/* seconds a claim holds its job: the
					 * job_lease setting's default */

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

/* A job as the agent runs it; rec is the record itself (jobs.c's). */
struct job {
	int64_t		 id;
	enum job_kind	 kind;
	char		*store_id;
	char		*alias;
	char		*requester;
	int64_t		 cert_id;
	int64_t		 attempts;	/* this run included */
	int64_t		 started;	/* when this claim was made */
	int		 overwrite;
	json_object	*rec;		/* as claimed */
};

const char	*job_kind_name(enum job_kind k);
/* Claims the first job due by now (marks it running, one more attempt,
 * held until now + lease seconds; JOB_LEASE when lease <= 0) in a
 * transaction of its own; out->id is 0 when none is due.  job_clear. */
enum ce_err	job_claim_due(struct ce_db *db, time_t now, int64_t lease,
		    struct job *out, struct ce_error *err);
/* Up to max (<= JOB_BATCH_MAX) due jobs claimed as job_claim_due claims
 * one, in one transaction: out[0..*n-1] (job_clear each). */
#define JOB_BATCH_MAX		64
enum ce_err	job_claim_due_batch(struct ce_db *db, time_t now, int64_t lease,
		    struct job *out, int max, int *n, struct ce_error *err);
/* The job's own copy of the key: the PKCS#12 DER (buf_free) and the
 * password that opens it.  CE_NOKEY once the job no longer holds it. */
enum ce_err	job_payload(struct ce_db *db, const struct job *j,
		    struct ce_buf *pfx, char *pw, size_t pwsz,
		    struct ce_error *err);
/* Records the outcome of a run (why: the failure); retried after
 * JOB_RETRY_DELAY until JOB_MAX_ATTEMPTS (a CE_CONFLICT result, a state
 * that a retry does not change, is final at once), and the key dropped
 * once final.
 * Only while j's claim still holds the job: CE_CONFLICT, and the record
 * left as it is, when another agent took it over after the lease ran out
 * (or it is no longer running). */
enum ce_err	job_finish(struct ce_db *db, const struct job *j,
		    enum ce_err result, const char *why, time_t now,
		    struct ce_error *err);
/* job_finish of n jobs claimed together, in one transaction: taken[i] is
 * set for a job another agent took over (its record left as it is). */
enum ce_err	job_finish_batch(struct ce_db *db, const struct job *jobs,
		    const enum ce_err *results, const char *const *whys, int n,
		    time_t now, int *taken, struct ce_error *err);

/* A job as the API lists it (GET /OrchestratorJobs/JobHistory): strings
 * borrowed from the record for the call. */
struct job_info {
	int64_t		 id;
	const char	*store_id;
	const char	*kind;		/* "add", "replace" */
	int64_t		 cert_id;
	const char	*alias;
	const char	*status;	/* jobs.h's words */
	int64_t		 attempts;
	const char	*last_error;	/* NULL: none */
	const char	*requester;
	int64_t		 created, due, started, finished;	/* 0: not */
};
typedef int	(*job_visit)(const struct job_info *j, void *arg);
/* Every job in id order until cb returns non-zero. */
enum ce_err	job_each(struct ce_txn *txn, job_visit cb, void *arg,
		    struct ce_error *err);

/* Every job record as stored, without its sealed copy of the key (the
 * admin command's listing). */
enum ce_err	job_dump(struct ce_txn *txn, db_visit cb, void *arg,
		    struct ce_error *err);
void		job_clear(struct job *j);

/* The queue key of job in its present state, or NULL for a finished job
 * (succeeded, failed) or a malformed record. */
char		*job_qkey(json_object *job, char buf[JOB_QKEY_MAX]);
/* Adds / removes job's queue entry for its present state (nothing for a
 * finished job), inside txn. */
enum ce_err	job_queue_put(struct ce_txn *txn, json_object *job,
		    struct ce_error *err);
enum ce_err	job_queue_del(struct ce_txn *txn, json_object *job,
		    struct ce_error *err);
/* How many unfinished jobs requester has queued (read in txn). */
/* How many jobs are unfinished (queue entries: scheduled, running, to be
 * retried). */
enum ce_err	job_count_unfinished(struct ce_txn *txn, int64_t *n,
		    struct ce_error *err);
enum ce_err	job_count_queued(struct ce_txn *txn, const char *requester,
		    int64_t *n, struct ce_error *err);
/* Cancels a job that waits (scheduled, or waiting to retry): it leaves the
 * queue, its sealed copy of the key is deleted and it ends "cancelled".
 * CE_CONFLICT for a running or finished job, CE_NOTFOUND for no such job. */
enum ce_err	job_cancel(struct ce_db *db, int64_t id, struct ce_error *err);
/* Queues every unfinished job once per data directory (records written
 * before the queue existed); a no-op afterwards. */
enum ce_err	job_queue_backfill(struct ce_txn *txn, struct ce_error *err);

#endif
