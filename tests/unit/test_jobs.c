/* test_jobs.c - the agent's job queue (jobs.h) on a real LMDB: queue keys
 * by state, the one-time backfill of job records written before the queue
 * existed, and the lease a claim holds its job for: not due to another
 * agent before it ends, taken over after, and the first claim's outcome
 * then refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "jobs.h"
#include "db.h"
#include "kit.h"

static json_object *
job(int64_t id, const char *status, const char *when_field, int64_t when)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "id", json_object_new_int64(id));
	json_object_object_add(j, "status", json_object_new_string(status));
	if (when_field != NULL)
		json_object_object_add(j, when_field, json_object_new_int64(when));
	return j;
}

static void
test_qkey(void **state)
{
	char buf[JOB_QKEY_MAX];
	json_object *j;

	(void)state;
	j = job(7, "scheduled", "due", 1700000000);
	assert_string_equal(job_qkey(j, buf),
	    "00000000001700000000/00000000000000000007");
	json_object_put(j);
	/* claimed before leases: due at once */
	j = job(8, "running", "started", 5);
	assert_string_equal(job_qkey(j, buf),
	    "00000000000000000005/00000000000000000008");
	/* held until its lease ends */
	json_object_object_add(j, "lease_until", json_object_new_int64(305));
	assert_string_equal(job_qkey(j, buf),
	    "00000000000000000305/00000000000000000008");
	json_object_put(j);
	j = job(9, "retry", "next_try", 6);
	assert_string_equal(job_qkey(j, buf),
	    "00000000000000000006/00000000000000000009");
	json_object_put(j);
	j = job(10, "succeeded", "due", 6);
	assert_null(job_qkey(j, buf));
	json_object_put(j);
	j = job(11, "failed", "due", 6);
	assert_null(job_qkey(j, buf));
	json_object_put(j);
	j = job(12, "scheduled", NULL, 0);	/* no "due": malformed */
	assert_null(job_qkey(j, buf));
	json_object_put(j);
}

static void
put_job(struct ce_txn *txn, json_object *j)
{
	char key[DB_IDKEY_MAX];

	assert_int_equal(db_put(txn, T_JOBS, db_idkey((uint64_t)
	    json_object_get_int64(json_object_object_get(j, "id")), key), j,
	    NULL), CE_OK);
	json_object_put(j);
}

static void
test_backfill(void **state)
{
	char dir[] = "/tmp/test_jobs.XXXXXX", key[JOB_QKEY_MAX], cmd[64];
	struct ce_db *db = NULL;
	struct ce_txn *txn = NULL;
	unsigned char *val = NULL;
	size_t len, n;
	int64_t unfinished = -1;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(db_open(dir, &db, NULL), CE_OK);
	kit_drill(db);
	/* records as an older certenroll wrote them: no queue entries */
	assert_int_equal(db_begin(db, 1, &txn, NULL), CE_OK);
	put_job(txn, job(1, "succeeded", "due", 10));
	put_job(txn, job(2, "scheduled", "due", 100));
	put_job(txn, job(3, "retry", "next_try", 50));
	put_job(txn, job(4, "failed", "due", 20));
	assert_int_equal(db_commit(txn, NULL), CE_OK);
	assert_int_equal(db_begin(db, 0, &txn, NULL), CE_OK);
	assert_int_equal(job_count_unfinished(txn, &unfinished, NULL), CE_OK);
	assert_int_equal(unfinished, 0);	/* none queued yet */
	db_abort(txn);

	assert_int_equal(db_begin(db, 1, &txn, NULL), CE_OK);
	assert_int_equal(job_queue_backfill(txn, NULL), CE_OK);
	assert_int_equal(db_commit(txn, NULL), CE_OK);

	assert_int_equal(db_begin(db, 0, &txn, NULL), CE_OK);
	/* the unfinished jobs, the earliest first, and the mark */
	assert_int_equal(db_count(txn, T_JOBQ, &n, NULL), CE_OK);
	assert_int_equal(n, 3);
	/* ... which is not a job (what /metrics shows) */
	assert_int_equal(job_count_unfinished(txn, &unfinished, NULL), CE_OK);
	assert_int_equal(unfinished, 2);
	assert_int_equal(db_first_prefix(txn, T_JOBQ, "0", key, sizeof(key),
	    &val, &len, NULL), CE_OK);
	free(val);
	assert_string_equal(key, "00000000000000000050/00000000000000000003");
	db_abort(txn);

	/* once only: a record added later without an entry stays unqueued */
	assert_int_equal(db_begin(db, 1, &txn, NULL), CE_OK);
	put_job(txn, job(5, "scheduled", "due", 1));
	assert_int_equal(job_queue_backfill(txn, NULL), CE_OK);
	assert_int_equal(db_count(txn, T_JOBQ, &n, NULL), CE_OK);
	assert_int_equal(n, 3);
	/* put and del follow the job's state */
	{
		json_object *j = job(6, "scheduled", "due", 2);

		assert_int_equal(job_queue_put(txn, j, NULL), CE_OK);
		assert_int_equal(db_count(txn, T_JOBQ, &n, NULL), CE_OK);
		assert_int_equal(n, 4);
		assert_int_equal(job_queue_del(txn, j, NULL), CE_OK);
		assert_int_equal(job_queue_del(txn, j, NULL), CE_OK);
		assert_int_equal(db_count(txn, T_JOBQ, &n, NULL), CE_OK);
		assert_int_equal(n, 3);
		json_object_put(j);
	}
	db_abort(txn);
	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A job due at due, as a Deploy schedules it: its id. */
static int64_t
new_job(struct kit *k, time_t due)
{
	static unsigned char der[] = "not a PKCS#12; never opened here";
	struct ce_buf pfx = { der, sizeof(der) };
	struct job_new jn;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	int64_t id = 0;

	memset(&jn, 0, sizeof(jn));
	jn.store_id = "6f1c1e2a-0b5e-4c3e-9a51-3d1c2b4a5e6f";
	jn.kind = JOB_ADD;
	jn.cert_id = 1;
	jn.alias = "lease";
	jn.due = due;
	jn.requester = "alice";
	jn.pfx = &pfx;
	jn.password = "pw";
	E(db_begin(k->db, 1, &txn, &err));
	E(job_create(k->db, txn, &jn, &id, &err));
	E(db_commit(txn, &err));
	return id;
}

static const char *
status_of(json_object *rec)
{
	return json_object_get_string(json_object_object_get(rec, "status"));
}

static void
test_lease(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct job first, second, none;
	json_object *before, *after;
	time_t now = time(NULL);
	int64_t id;
	size_t queued;

	id = new_job(k, now);
	E(job_claim_due(k->db, now, JOB_LEASE, &first, &err));
	CHECK(first.id == id && first.attempts == 1 && first.started == now);

	/* held: due to no one while the lease lasts */
	E(job_claim_due(k->db, now + 1, JOB_LEASE, &none, &err));
	CHECK(none.id == 0);
	E(job_claim_due(k->db, now + JOB_LEASE - 1, JOB_LEASE, &none, &err));
	CHECK(none.id == 0);

	/* its agent is gone: once the lease has passed another takes it over,
	 * as a further attempt */
	E(job_claim_due(k->db, now + JOB_LEASE + 1, JOB_LEASE, &second, &err));
	CHECK(second.id == id && second.attempts == 2 &&
	    second.started == now + JOB_LEASE + 1);

	/* the first claim's outcome comes too late: refused, and the record
	 * and its queue entry stay as the second claim left them */
	before = kit_record_id(k, T_JOBS, id);
	queued = kit_count(k, T_JOBQ);
	EFAIL(job_finish(k->db, &first, CE_OK, NULL, now + JOB_LEASE + 2, &err),
	    CE_CONFLICT, "was taken over by another agent after its lease "
	    "expired");
	after = kit_record_id(k, T_JOBS, id);
	CHECK(json_object_equal(before, after));
	CHECK(strcmp(status_of(after), "running") == 0);
	CHECK(kit_count(k, T_JOBQ) == queued);
	json_object_put(before);
	json_object_put(after);

	/* the second's is recorded */
	E(job_finish(k->db, &second, CE_OK, NULL, now + JOB_LEASE + 3, &err));
	after = kit_record_id(k, T_JOBS, id);
	CHECK(strcmp(status_of(after), "succeeded") == 0);
	CHECK(json_object_get_int64(json_object_object_get(after,
	    "attempts")) == 2);
	json_object_put(after);
	/* off the queue: what is left is the backfill's mark */
	CHECK(kit_count(k, T_JOBQ) == 1);
	/* and only once */
	EFAIL(job_finish(k->db, &second, CE_OK, NULL, now + JOB_LEASE + 4,
	    &err), CE_CONFLICT, "taken over");
	E(job_claim_due(k->db, now + 10 * JOB_LEASE, JOB_LEASE, &none, &err));
	CHECK(none.id == 0);
	job_clear(&first);
	job_clear(&second);
}

/* A failed run is retried by whoever claims it next; the lease given is
 * the claimer's own. */
static void
test_lease_retry(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct job a, b;
	time_t now = time(NULL);
	int64_t id;

	id = new_job(k, now);
	E(job_claim_due(k->db, now, 5, &a, &err));
	E(job_claim_due(k->db, now + 5, 5, &b, &err));
	CHECK(b.id == id && b.attempts == 2);
	E(job_finish(k->db, &b, CE_SYSTEM, "store gone", now + 6, &err));
	job_clear(&b);
	EFAIL(job_finish(k->db, &a, CE_OK, NULL, now + 7, &err), CE_CONFLICT,
	    "taken over");
	/* a retry, not an outcome of the lost claim */
	E(job_claim_due(k->db, now + 6 + JOB_RETRY_DELAY, 0, &b, &err));
	CHECK(b.id == id && b.attempts == 3);
	job_clear(&a);
	job_clear(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qkey),
		cmocka_unit_test(test_backfill),
		KIT_TEST(test_lease),
		KIT_TEST(test_lease_retry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
