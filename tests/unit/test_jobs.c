/* test_jobs.c - the agent's job queue (jobs.h) on a real LMDB: queue keys
 * by state, and the one-time backfill of job records written before the
 * queue existed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jobs.h"
#include "db.h"

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
	j = job(8, "running", "started", 5);
	assert_string_equal(job_qkey(j, buf),
	    "00000000000000000005/00000000000000000008");
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

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(db_open(dir, &db, NULL), CE_OK);
	/* records as an older certenroll wrote them: no queue entries */
	assert_int_equal(db_begin(db, 1, &txn, NULL), CE_OK);
	put_job(txn, job(1, "succeeded", "due", 10));
	put_job(txn, job(2, "scheduled", "due", 100));
	put_job(txn, job(3, "retry", "next_try", 50));
	put_job(txn, job(4, "failed", "due", 20));
	assert_int_equal(db_commit(txn, NULL), CE_OK);

	assert_int_equal(db_begin(db, 1, &txn, NULL), CE_OK);
	assert_int_equal(job_queue_backfill(txn, NULL), CE_OK);
	assert_int_equal(db_commit(txn, NULL), CE_OK);

	assert_int_equal(db_begin(db, 0, &txn, NULL), CE_OK);
	/* the unfinished jobs, the earliest first, and the mark */
	assert_int_equal(db_count(txn, T_JOBQ, &n, NULL), CE_OK);
	assert_int_equal(n, 3);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qkey),
		cmocka_unit_test(test_backfill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
