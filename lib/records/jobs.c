/* jobs.c - creating management jobs (see jobs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "counts.h"
#include "jbuild.h"
#include "jobs.h"
#include "metrics.h"
#include "seal.h"
#include "db.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

static const char *kind_names[JOB__MAX] = { "add", "replace" };

/* Seals {"pfx": b64, "password": pw} for the job. */
static enum ce_err
seal_payload(struct ce_db *db, int64_t id, const struct job_new *job,
    char **out, struct ce_error *err)
{
	struct ce_buf sealed = { NULL, 0 };
	json_object *p;
	const char *text;
	char aad[64], *b64;
	enum ce_err rc;

	*out = NULL;
	if ((b64 = b64_encode(job->pfx->data, job->pfx->len)) == NULL ||
	    (p = json_object_new_object()) == NULL) {
		free(b64);
		return ce_fault(err, CE_NOMEM, "payload");
	}
	ADD(p, "pfx", json_object_new_string(b64));
	ADD(p, "password", json_object_new_string(job->password));
	free(b64);
	text = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
	snprintf(aad, sizeof(aad), "job:%lld", (long long)id);
	rc = seal(db_key_dir(db), aad, (const unsigned char *)text, strlen(text),
	    &sealed, err);
	OPENSSL_cleanse((void *)text, strlen(text));
	json_object_put(p);
	if (rc != CE_OK)
		return rc;
	*out = b64_encode(sealed.data, sealed.len);
	buf_free(&sealed);
	return *out != NULL ? CE_OK : ce_fault(err, CE_NOMEM, "base64");
}

enum ce_err
job_create(struct ce_db *db, struct ce_txn *txn, const struct job_new *job,
    int64_t *id, struct ce_error *err)
{
	json_object *rec = NULL;
	char key[DB_IDKEY_MAX], *payload = NULL;
	uint64_t n;
	enum ce_err rc;

	if ((rc = db_next_id(txn, "job", &n, err)) != CE_OK ||
	    (rc = seal_payload(db, (int64_t)n, job, &payload, err)) != CE_OK)
		return rc;
	if ((rec = json_object_new_object()) == NULL) {
		free(payload);
		return ce_fault(err, CE_NOMEM, "json");
	}
	ADD(rec, "id", json_object_new_int64((int64_t)n));
	ADD(rec, "store_id", json_object_new_string(job->store_id));
	ADD(rec, "kind", json_object_new_string(kind_names[job->kind]));
	ADD(rec, "cert_id", json_object_new_int64(job->cert_id));
	ADD(rec, "alias", json_object_new_string(job->alias));
	ADD(rec, "overwrite", json_object_new_boolean(job->overwrite));
	ADD(rec, "due", json_object_new_int64(job->due));
	ADD(rec, "status", json_object_new_string("scheduled"));
	ADD(rec, "attempts", json_object_new_int(0));
	ADD(rec, "last_error", NULL);
	ADD(rec, "requester", job->requester ?
	    json_object_new_string(job->requester) : NULL);
	ADD(rec, "created", json_object_new_int64(time(NULL)));
	ADD(rec, "finished", NULL);
	ADD(rec, "payload", json_object_new_string(payload));
	free(payload);
	if ((rc = db_put(txn, T_JOBS, db_idkey(n, key), rec, err)) == CE_OK)
		rc = job_queue_put(txn, rec, err);
	json_object_put(rec);
	if (rc == CE_OK && id != NULL)
		*id = (int64_t)n;
	return rc;
}

/* ---- the agent's queue --------------------------------------------------- */

#define QUEUE_MARK	"~queued"	/* after every "<epoch>/<id>" key */

/* An integer field of a job record; -1 when missing or not an integer. */
static int64_t
job_int(json_object *job, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(job, k, &v) &&
	    json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
}

char *
job_qkey(json_object *job, char buf[JOB_QKEY_MAX])
{
	json_object *v;
	const char *st;
	int64_t when = -1, id = job_int(job, "id");

	if (!json_object_object_get_ex(job, "status", &v) ||
	    (st = json_object_get_string(v)) == NULL)
		return NULL;
	if (strcmp(st, "scheduled") == 0)
		when = job_int(job, "due");
	else if (strcmp(st, "running") == 0)
		/* held until its lease ends; one claimed before leases is
		 * due at once */
		when = job_int(job, "lease_until") >= 0 ?
		    job_int(job, "lease_until") : job_int(job, "started");
	else if (strcmp(st, "retry") == 0)
		when = job_int(job, "next_try");
	if (when < 0 || id <= 0)
		return NULL;
	snprintf(buf, JOB_QKEY_MAX, "%020lld/%020lld", (long long)when,
	    (long long)id);
	return buf;
}

/* The requester's count of queue entries moves with each entry added or
 * removed (T_JOBCOUNT, counts.h), so that bounding a user's queued jobs
 * reads one record, not the queue. */
static enum ce_err
count_adjust(struct ce_txn *txn, json_object *job, int delta,
    struct ce_error *err)
{
	json_object *v;

	if (!json_object_object_get_ex(job, "requester", &v))
		return CE_OK;
	return count_add(txn, T_JOBCOUNT, json_object_get_string(v), delta, err);
}

enum ce_err
job_queue_put(struct ce_txn *txn, json_object *job, struct ce_error *err)
{
	char key[JOB_QKEY_MAX];
	json_object *v, *old = NULL;
	enum ce_err rc;
	int fresh;

	if (job_qkey(job, key) == NULL)
		return CE_OK;
	if ((v = json_object_new_object()) == NULL ||
	    json_object_object_add(v, "id",
	    json_object_new_int64(job_int(job, "id"))) != 0) {
		json_object_put(v);
		return ce_fault(err, CE_NOMEM, "job queue entry");
	}
	/* Counted once, however often it is queued (the backfill queues
	 * again what may be queued already). */
	if ((rc = db_get(txn, T_JOBQ, key, &old, err)) != CE_OK &&
	    rc != CE_NOTFOUND) {
		json_object_put(v);
		return rc;
	}
	json_object_put(old);
	fresh = rc == CE_NOTFOUND;
	rc = db_put(txn, T_JOBQ, key, v, err);
	json_object_put(v);
	return rc == CE_OK && fresh ? count_adjust(txn, job, 1, err) : rc;
}

enum ce_err
job_queue_del(struct ce_txn *txn, json_object *job, struct ce_error *err)
{
	char key[JOB_QKEY_MAX];
	enum ce_err rc;

	if (job_qkey(job, key) == NULL)
		return CE_OK;
	rc = db_del(txn, T_JOBQ, key, err);
	if (rc == CE_NOTFOUND)
		return CE_OK;
	return rc == CE_OK ? count_adjust(txn, job, -1, err) : rc;
}

struct backfill {
	struct ce_txn	*txn;
	struct ce_error	*err;
	enum ce_err	 rc;
};

static int
backfill_cb(const char *key, json_object *job, void *arg)
{
	struct backfill *b = arg;

	(void)key;
	return (b->rc = job_queue_put(b->txn, job, b->err)) != CE_OK;
}

enum ce_err
job_queue_backfill(struct ce_txn *txn, struct ce_error *err)
{
	struct backfill b = { txn, err, CE_OK };
	json_object *mark = NULL;
	enum ce_err rc;

	rc = db_get(txn, T_JOBQ, QUEUE_MARK, &mark, err);
	json_object_put(mark);
	if (rc != CE_NOTFOUND)
		return rc;
	if ((rc = db_foreach(txn, T_JOBS, backfill_cb, &b, err)) != CE_OK ||
	    (rc = b.rc) != CE_OK)
		return rc;
	if ((mark = json_object_new_object()) == NULL)
		return ce_fault(err, CE_NOMEM, "job queue mark");
	rc = db_put(txn, T_JOBQ, QUEUE_MARK, mark, err);
	json_object_put(mark);
	return rc;
}

enum ce_err
job_count_unfinished(struct ce_txn *txn, int64_t *n, struct ce_error *err)
{
	json_object *mark = NULL;
	size_t c = 0;
	enum ce_err rc;

	*n = 0;
	if ((rc = db_count(txn, T_JOBQ, &c, err)) != CE_OK)
		return rc;
	/* Every entry is a job's but the backfill's mark. */
	if ((rc = db_get(txn, T_JOBQ, QUEUE_MARK, &mark, err)) == CE_OK && c > 0)
		c--;
	json_object_put(mark);
	*n = (int64_t)c;
	return rc == CE_NOTFOUND ? CE_OK : rc;
}

enum ce_err
job_count_queued(struct ce_txn *txn, const char *requester, int64_t *n,
    struct ce_error *err)
{
	return count_get(txn, T_JOBCOUNT, requester, n, err);
}

static enum ce_err
cancel_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	int64_t id = *(int64_t *)arg;
	json_object *job = NULL, *v;
	char key[DB_IDKEY_MAX];
	const char *st;
	enum ce_err rc;

	if ((rc = db_get(txn, T_JOBS, db_idkey((uint64_t)id, key), &job,
	    err)) != CE_OK) {
		if (rc == CE_NOTFOUND)
			ce_fail(err, CE_NOTFOUND, "no job %lld", (long long)id);
		return rc;
	}
	st = json_object_object_get_ex(job, "status", &v) ?
	    json_object_get_string(v) : "";
	if (strcmp(st, "scheduled") != 0 && strcmp(st, "retry") != 0) {
		rc = ce_fail(err, CE_CONFLICT, "job %lld is %s: only a job that "
		    "waits can be cancelled", (long long)id, st);
		goto out;
	}
	/* Off the queue while its state still names the queue key. */
	if ((rc = job_queue_del(txn, job, err)) != CE_OK)
		goto out;
	json_object_object_del(job, "payload");	/* its copy of the key */
	if (json_object_object_add(job, "status",
	    json_object_new_string("cancelled")) != 0 ||
	    json_object_object_add(job, "finished",
	    json_object_new_int64(time(NULL))) != 0) {
		rc = ce_fault(err, CE_NOMEM, "job");
		goto out;
	}
	rc = db_put(txn, T_JOBS, key, job, err);
out:
	json_object_put(job);
	return rc;
}

enum ce_err
job_cancel(struct ce_db *db, int64_t id, struct ce_error *err)
{
	if (id <= 0)
		return ce_fail(err, CE_INVAL, "job id: a positive integer");
	return db_write(db, cancel_fn, &id, err);
}

/* ---- the agent's side: claim, payload, outcome --------------------------- */

const char *
job_kind_name(enum job_kind k)
{
	return k >= 0 && k < JOB__MAX ? kind_names[k] : "?";
}

/* out from the record rec (taken). */
static enum ce_err
job_from(json_object *rec, struct job *out, struct ce_error *err)
{
	json_object *v;
	int i;

	memset(out, 0, sizeof(*out));
	out->rec = rec;
	out->id = job_int(rec, "id");
	out->cert_id = job_int(rec, "cert_id");
	out->attempts = job_int(rec, "attempts");
	out->started = job_int(rec, "started");
	out->overwrite = json_object_object_get_ex(rec, "overwrite", &v) &&
	    json_object_get_boolean(v);
	out->kind = JOB_ADD;
	for (i = 0; i < JOB__MAX; i++)
		if (json_object_object_get_ex(rec, "kind", &v) &&
		    strcmp(json_object_get_string(v), kind_names[i]) == 0)
			out->kind = (enum job_kind)i;
	out->store_id = jrec_strdup(rec, "store_id");
	out->alias = jrec_strdup(rec, "alias");
	out->requester = jrec_strdup(rec, "requester");
	if (out->store_id == NULL || out->alias == NULL) {
		job_clear(out);
		return ce_fault(err, CE_DB, "job record without store or alias");
	}
	return CE_OK;
}

void
job_clear(struct job *j)
{
	if (j == NULL)
		return;
	free(j->store_id);
	free(j->alias);
	free(j->requester);
	json_object_put(j->rec);
	memset(j, 0, sizeof(*j));
}

/*
 * The first queue entry if it is due by now: *job is its record, or NULL
 * when nothing is due.  Entries that no longer match their job (a job
 * finished by an older agent) are dropped on the way.  A "running" job's
 * entry comes due when its lease ends: its agent died or overran, and the
 * job is taken over and run again.
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

/* Writes the job record rec, with its queue entry for its new state. */
static enum ce_err
job_write(struct ce_txn *txn, json_object *rec, struct ce_error *err)
{
	char key[DB_IDKEY_MAX];
	enum ce_err rc;

	if ((rc = db_put(txn, T_JOBS, db_idkey((uint64_t)job_int(rec, "id"),
	    key), rec, err)) != CE_OK)
		return rc;
	return job_queue_put(txn, rec, err);
}

struct claim {
	time_t		 now;
	int64_t		 lease;
	json_object	*rec;		/* out: the claimed record, or NULL */
};

static enum ce_err
claim_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct claim *c = arg;
	json_object *rec = NULL;
	enum ce_err rc;

	/* What a rolled-back run claimed was not claimed. */
	json_object_put(c->rec);
	c->rec = NULL;
	if ((rc = job_queue_backfill(txn, err)) != CE_OK ||
	    (rc = first_due(txn, c->now, &rec, err)) != CE_OK || rec == NULL)
		return rc;
	if ((rc = job_queue_del(txn, rec, err)) == CE_OK) {
		ADD(rec, "status", json_object_new_string("running"));
		ADD(rec, "attempts", json_object_new_int64(job_int(rec,
		    "attempts") + 1));
		ADD(rec, "started", json_object_new_int64(c->now));
		ADD(rec, "lease_until", json_object_new_int64(c->now +
		    c->lease));
		rc = job_write(txn, rec, err);
	}
	if (rc == CE_OK)
		c->rec = rec;
	else
		json_object_put(rec);
	return rc;
}

/* Up to max due jobs claimed in one transaction (claim_fn's, again and
 * again). */
struct claims {
	struct claim	 one;
	json_object	*recs[JOB_BATCH_MAX];
	int		 max, n;
};

static enum ce_err
claims_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct claims *c = arg;
	enum ce_err rc = CE_OK;

	while (c->n > 0)	/* a rolled-back run claimed nothing */
		json_object_put(c->recs[--c->n]);
	while (c->n < c->max) {
		c->one.rec = NULL;
		if ((rc = claim_fn(txn, &c->one, err)) != CE_OK ||
		    c->one.rec == NULL)
			break;
		c->recs[c->n++] = c->one.rec;
	}
	c->one.rec = NULL;
	return rc;
}

enum ce_err
job_claim_due_batch(struct ce_db *db, time_t now, int64_t lease,
    struct job *out, int max, int *n, struct ce_error *err)
{
	struct claims *c;
	enum ce_err rc;
	int i, k = 0;

	*n = 0;
	if (max < 1 || max > JOB_BATCH_MAX)
		return ce_fault(err, CE_INVAL, "job batch of %d", max);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ce_fault(err, CE_NOMEM, "job batch");
	c->one = (struct claim){ now, lease > 0 ? lease : JOB_LEASE, NULL };
	c->max = max;
	rc = db_write(db, claims_fn, c, err);
	/* job_from owns each record given it, also when it fails */
	for (i = 0; i < c->n; i++) {
		if (rc != CE_OK)
			json_object_put(c->recs[i]);
		else if ((rc = job_from(c->recs[i], &out[k], err)) == CE_OK)
			k++;
	}
	if (rc != CE_OK)
		while (k > 0)
			job_clear(&out[--k]);
	*n = k;
	free(c);
	return rc;
}

enum ce_err
job_claim_due(struct ce_db *db, time_t now, int64_t lease, struct job *out,
    struct ce_error *err)
{
	int n;

	/* A batch of one: out->id stays 0 when none is due. */
	memset(out, 0, sizeof(*out));
	return job_claim_due_batch(db, now, lease, out, 1, &n, err);
}

enum ce_err
job_payload(struct ce_db *db, const struct job *j, struct ce_buf *pfx,
    char *pw, size_t pwsz, struct ce_error *err)
{
	struct ce_buf sealed = { NULL, 0 }, plain = { NULL, 0 };
	json_object *p = NULL, *v, *pv = NULL;
	char aad[64];
	enum ce_err rc;

	pfx->data = NULL;
	pfx->len = 0;
	snprintf(aad, sizeof(aad), "job:%lld", (long long)j->id);
	if (!json_object_object_get_ex(j->rec, "payload", &v) ||
	    !json_object_is_type(v, json_type_string))
		return ce_fail(err, CE_NOKEY, "the job no longer holds its key");
	if ((rc = b64_decode(json_object_get_string(v), &sealed)) != CE_OK ||
	    (rc = unseal(db_key_dir(db), aad, sealed.data, sealed.len, &plain,
	    err)) != CE_OK)
		goto out;
	if ((p = json_tokener_parse((const char *)plain.data)) == NULL ||
	    !json_object_object_get_ex(p, "pfx", &v) ||
	    !json_object_object_get_ex(p, "password", &pv) ||
	    !json_object_is_type(v, json_type_string) ||
	    !json_object_is_type(pv, json_type_string) ||
	    b64_decode(json_object_get_string(v), pfx) != CE_OK) {
		rc = ce_fault(err, CE_DB, "job payload is malformed");
		goto out;
	}
	snprintf(pw, pwsz, "%s", json_object_get_string(pv));
	rc = CE_OK;
out:
	if (pv != NULL && json_object_is_type(pv, json_type_string))
		OPENSSL_cleanse((void *)json_object_get_string(pv),
		    (size_t)json_object_get_string_len(pv));
	if (plain.data != NULL)
		OPENSSL_cleanse(plain.data, plain.len);
	json_object_put(p);
	buf_free(&plain);
	buf_free(&sealed);
	return rc;
}

struct outcome {
	const struct job *j;
	enum ce_err	 result;
	const char	*why;
	time_t		 now;
	int		 failed;	/* out: it ended "failed" */
};

/* Whether job (as stored) is still held by claim j: running, with the
 * attempt and start j made.  Another agent's claim after j's lease ran out
 * changed both. */
static int
still_held(json_object *job, const struct job *j)
{
	json_object *v;

	return json_object_object_get_ex(job, "status", &v) &&
	    strcmp(json_object_get_string(v), "running") == 0 &&
	    job_int(job, "attempts") == j->attempts &&
	    job_int(job, "started") == j->started;
}

static enum ce_err
finish_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct outcome *o = arg;
	json_object *job = NULL;
	char key[DB_IDKEY_MAX];
	int final;
	enum ce_err rc;

	/* The record as stored now, not the claim's copy: it may have been
	 * taken over since, and a run again must not see what a rolled-back
	 * run changed. */
	rc = db_get(txn, T_JOBS, db_idkey((uint64_t)o->j->id, key), &job, err);
	if (rc == CE_NOTFOUND)
		return ce_fail(err, CE_NOTFOUND, "job %lld no longer exists",
		    (long long)o->j->id);
	if (rc != CE_OK)
		return rc;
	if (!still_held(job, o->j)) {
		rc = ce_fail(err, CE_CONFLICT, "job %lld was taken over by "
		    "another agent after its lease expired",
		    (long long)o->j->id);
		goto out;
	}
	/* A conflict with the store's or the certificate's state (the alias
	 * is taken, the certificate revoked) is no better on a retry. */
	final = o->result == CE_OK || o->result == CE_CONFLICT ||
	    o->j->attempts >= JOB_MAX_ATTEMPTS;
	o->failed = final && o->result != CE_OK;
	/* the "running" entry goes; a retry is queued again below */
	if ((rc = job_queue_del(txn, job, err)) != CE_OK)
		goto out;
	if (o->result == CE_OK)
		ADD(job, "status", json_object_new_string("succeeded"));
	else if (final)
		ADD(job, "status", json_object_new_string("failed"));
	else {
		ADD(job, "status", json_object_new_string("retry"));
		ADD(job, "next_try", json_object_new_int64(o->now +
		    JOB_RETRY_DELAY));
	}
	ADD(job, "last_error", o->result == CE_OK ? NULL :
	    json_object_new_string(o->why != NULL ? o->why :
	    ce_strerror(o->result)));
	if (final) {
		ADD(job, "finished", json_object_new_int64(o->now));
		ADD(job, "payload", NULL);
	}
	rc = job_write(txn, job, err);
out:
	json_object_put(job);
	return rc;
}

/* The outcomes of a batch, one transaction: a job taken over by another
 * agent is left as that agent records it (o->taken), the rest recorded. */
struct outcomes {
	struct outcome	*o;
	int		*taken;
	int		 n;
};

static enum ce_err
finishes_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct outcomes *os = arg;
	struct ce_error jerr;
	enum ce_err rc;
	int i;

	for (i = 0; i < os->n; i++) {
		os->taken[i] = 0;
		os->o[i].failed = 0;
		ce_error_clear(&jerr);
		rc = finish_fn(txn, &os->o[i], &jerr);
		if (rc == CE_CONFLICT || rc == CE_NOTFOUND) {
			os->taken[i] = 1;	/* nothing of it was written */
			continue;
		}
		if (rc != CE_OK) {
			*err = jerr;
			return rc;
		}
	}
	return CE_OK;
}

enum ce_err
job_finish_batch(struct ce_db *db, const struct job *jobs,
    const enum ce_err *results, const char *const *whys, int n, time_t now,
    int *taken, struct ce_error *err)
{
	struct outcome o[JOB_BATCH_MAX];
	struct outcomes os = { o, taken, n };
	enum ce_err rc;
	int i;

	if (n < 0 || n > JOB_BATCH_MAX)
		return ce_fault(err, CE_INVAL, "job batch of %d", n);
	for (i = 0; i < n; i++)
		o[i] = (struct outcome){ &jobs[i], results[i], whys[i], now, 0 };
	if ((rc = db_write(db, finishes_fn, &os, err)) != CE_OK)
		return rc;
	for (i = 0; i < n; i++)
		if (!taken[i] && o[i].failed)
			metrics_add(metrics_series(
			    "certenroll_jobs_failed_total", ""), 0, 1);
	return CE_OK;
}

enum ce_err
job_finish(struct ce_db *db, const struct job *j, enum ce_err result,
    const char *why, time_t now, struct ce_error *err)
{
	struct outcome o = { j, result, why, now, 0 };
	enum ce_err rc;

	/* Counted once its end is durable (the agent's /metrics share). */
	if ((rc = db_write(db, finish_fn, &o, err)) == CE_OK && o.failed)
		metrics_add(metrics_series("certenroll_jobs_failed_total", ""), 0,
		    1);
	return rc;
}

struct each {
	job_visit	 cb;
	void		*arg;
};

static int
each_cb(const char *key, json_object *rec, void *arg)
{
	struct each *e = arg;
	struct job_info j;

	(void)key;
	memset(&j, 0, sizeof(j));
	j.id = jrec_int(rec, "id");
	j.store_id = jrec_str(rec, "store_id");
	j.kind = jrec_str(rec, "kind");
	j.cert_id = jrec_int(rec, "cert_id");
	j.alias = jrec_str(rec, "alias");
	j.status = jrec_str(rec, "status");
	j.attempts = jrec_int(rec, "attempts");
	j.last_error = jrec_str(rec, "last_error");
	j.requester = jrec_str(rec, "requester");
	j.created = jrec_int(rec, "created");
	j.due = jrec_int(rec, "due");
	j.started = jrec_int(rec, "started");
	j.finished = jrec_int(rec, "finished");
	return e->cb(&j, e->arg);
}

enum ce_err
job_each(struct ce_txn *txn, job_visit cb, void *arg, struct ce_error *err)
{
	struct each e = { cb, arg };

	return db_foreach_omit(txn, T_JOBS, "payload", each_cb, &e, err);
}

enum ce_err
job_dump(struct ce_txn *txn, db_visit cb, void *arg, struct ce_error *err)
{
	return db_foreach_omit(txn, T_JOBS, "payload", cb, arg, err);
}
