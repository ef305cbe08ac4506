/*
 * test_agent.c - agent.h: the store agent below the program.  A deployed
 * certificate's job runs once, writes the store's files (the certificate
 * with our thumbprint, its key sealed with the enrollment's password), and
 * the inventory becomes the certificate's location; a job whose store
 * cannot be written is retried, then fails, and keeps no key; a job another
 * agent holds waits for that claim's lease to end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/pem.h>

#include "agent.h"
#include "auth.h"
#include "certdb.h"
#include "jobs.h"
#include "kit.h"
#include "pemutil.h"
#include "stores.h"

#define ROOT	"host\\RootCA"
#define WEB	"{\"name\":\"WebServer\",\"keys\":[\"ECC-P-256\"]}"
#define PW	"correct-horse-battery"
#define ENROLL	"{\"Subject\":\"CN=%s\",\"Template\":\"WebServer\"," \
		"\"KeyType\":\"ECC\",\"Timestamp\":\"2026-01-01T00:00:00Z\"," \
		"\"Password\":\"" PW "\"}"

static int64_t
enroll(struct kit *k, const char *cn)
{
	char body[512];

	snprintf(body, sizeof(body), ENROLL, cn);
	return kit_issue(k, "alice", FMT_STORE, body);
}

static void
world(struct kit *k, char guid[GUID_LEN + 1])
{
	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	kit_store(k, "PEM", 5, NULL, guid);
	kit_role(k, "Enrollers", CLAIM_ENROLL_PFX);
	kit_role(k, "Schedulers", CLAIM_STORE_SCHEDULE);
	kit_user(k, "alice", "Enrollers,Schedulers");
}

static char *
store_path(struct kit *k, const char *guid)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct store st;
	char *path;

	E(db_begin(k->db, 0, &txn, &err));
	E(store_get(txn, guid, &st, &err));
	db_abort(txn);
	path = strdup(st.store_path);
	store_clear(&st);
	return path;
}

static int
first_cb(const char *key, json_object *rec, void *arg)
{
	(void)key;
	*(json_object **)arg = json_object_get(rec);
	return 1;
}

/* The one job record (caller puts): its id is not known, as ids a
 * rolled-back write took are not given again on PostgreSQL. */
static json_object *
the_job(struct kit *k)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec = NULL;

	E(db_begin(k->db, 0, &txn, &err));
	E(db_foreach(txn, T_JOBS, first_cb, &rec, &err));
	db_abort(txn);
	CHECK(rec != NULL);
	return rec;
}

static void
test_runs_once(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct location *locs = NULL;
	struct cert c;
	char guid[GUID_LEN + 1], file[256], tp[64], *dir;
	int ran, failed;
	size_t n;
	FILE *f;
	X509 *x;

	world(k, guid);
	c.id = enroll(k, "web.example.com");
	kit_deploy(k, "alice", c.id, PW, guid, "web");
	E(agent_run_due(k->db, time(NULL) + 1, &ran, &failed, &err));
	CHECK(ran == 1 && failed == 0);
	/* the store holds our certificate under the alias */
	dir = store_path(k, guid);
	snprintf(file, sizeof(file), "%s/web.crt", dir);
	CHECK((f = fopen(file, "r")) != NULL);
	CHECK((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL);
	fclose(f);
	E(db_begin(k->db, 0, &txn, &err));
	E(cert_get(txn, c.id, &c, &err));
	E(x509_thumbprint(x, tp, sizeof(tp)));
	CHECK(strcmp(tp, c.thumbprint) == 0);
	X509_free(x);
	/* ... and the inventory made it the certificate's location */
	E(locations_get(txn, c.id, &locs, &n, &err));
	CHECK(n == 1 && strcmp(locs[0].store_id, guid) == 0 &&
	    strcmp(locs[0].alias, "web") == 0);
	locations_free(locs, n);
	db_abort(txn);
	cert_clear(&c);
	/* nothing is due any more */
	E(agent_run_due(k->db, time(NULL) + 1, &ran, &failed, &err));
	CHECK(ran == 0 && failed == 0);
	free(dir);
}

static void
test_retried_then_failed(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	json_object *job;
	char guid[GUID_LEN + 1], cmd[300], *dir;
	int64_t cert;
	time_t now = time(NULL);
	int ran, failed, i;

	world(k, guid);
	cert = enroll(k, "gone.example.com");
	kit_deploy(k, "alice", cert, PW, guid, "gone");
	/* the store's folder is gone (and is not to be made) */
	dir = store_path(k, guid);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	for (i = 1; i <= JOB_MAX_ATTEMPTS; i++) {
		E(agent_run_due(k->db, now + 1, &ran, &failed, &err));
		CHECK(ran == 1 && failed == 1);
		job = the_job(k);
		CHECK(strcmp(json_object_get_string(json_object_object_get(job,
		    "status")), i < JOB_MAX_ATTEMPTS ? "retry" : "failed") == 0);
		CHECK(json_object_get_int64(json_object_object_get(job,
		    "attempts")) == i);
		/* its copy of the key goes once it is final */
		CHECK((json_object_object_get(job, "payload") == NULL) ==
		    (i == JOB_MAX_ATTEMPTS));
		json_object_put(job);
		/* not due again before JOB_RETRY_DELAY */
		E(agent_run_due(k->db, now + 1, &ran, &failed, &err));
		CHECK(ran == 0);
		/* (+1: the agent's clock moved on while the run took, into
		 * the next second at most) */
		now += JOB_RETRY_DELAY + 1;
	}
	E(agent_run_due(k->db, now + 1, &ran, &failed, &err));
	CHECK(ran == 0);
	free(dir);
}

static int64_t
field(json_object *rec, const char *k)
{
	return json_object_get_int64(json_object_object_get(rec, k));
}

/* A job another agent holds is left alone while that claim's lease lasts,
 * then taken over as a further attempt, held for this agent's own lease
 * (job_lease); the other agent's outcome, should it come, is refused. */
static void
test_lease_taken_over(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct job other;
	json_object *job;
	char guid[GUID_LEN + 1];
	time_t now;
	int ran, failed;

	world(k, guid);
	kit_setting(k, "job_lease", "10");
	kit_deploy(k, "alice", enroll(k, "held.example.com"), PW, guid, "held");
	now = time(NULL) + 1;
	E(job_claim_due(k->db, now, JOB_LEASE, &other, &err));
	CHECK(other.id > 0 && other.attempts == 1);
	/* (-5: the agent's clock moves on while it runs) */
	E(agent_run_due(k->db, now + JOB_LEASE - 5, &ran, &failed, &err));
	CHECK(ran == 0);
	E(agent_run_due(k->db, now + JOB_LEASE + 1, &ran, &failed, &err));
	CHECK(ran == 1 && failed == 0);
	job = the_job(k);
	CHECK(strcmp(json_object_get_string(json_object_object_get(job,
	    "status")), "succeeded") == 0);
	CHECK(field(job, "attempts") == 2);
	CHECK(field(job, "lease_until") - field(job, "started") == 10);
	json_object_put(job);
	EFAIL(job_finish(k->db, &other, CE_SYSTEM, "late", now + JOB_LEASE + 2,
	    &err), CE_CONFLICT, "taken over by another agent");
	job_clear(&other);
}

/* Many jobs at once: one batch claims them, each store is opened once
 * and inventoried once after all its jobs, and every job has its own
 * outcome -- one whose alias is taken fails alone, and a store that
 * cannot be written fails only its own jobs. */
static void
test_batch(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct store st;
	char a[GUID_LEN + 1], b[GUID_LEN + 1], alias[32], file[256], *dir;
	int64_t certs[70];
	int i, ran, failed;

	world(k, a);
	kit_store(k, "PEM", 5, NULL, b);
	dir = store_path(k, b);
	CHECK(rmdir(dir) == 0);		/* b cannot be written */
	/* 70 jobs for a (more than one batch), the last alias used twice,
	 * and two for b */
	for (i = 0; i < 70; i++) {
		certs[i] = enroll(k, "batch.example.com");
		snprintf(alias, sizeof(alias), "a%d", i < 69 ? i : 68);
		kit_deploy(k, "alice", certs[i], PW, a, alias);
	}
	kit_deploy(k, "alice", certs[0], PW, b, "b0");
	kit_deploy(k, "alice", certs[1], PW, b, "b1");
	E(agent_run_due(k->db, time(NULL) + 1, &ran, &failed, &err));
	CHECK(ran == 72);
	/* the taken alias (no overwrite) and b's two: b's are retried */
	CHECK(failed == 3);
	free(dir);
	dir = store_path(k, a);
	for (i = 0; i < 69; i++) {
		snprintf(file, sizeof(file), "%s/a%d.crt", dir, i);
		CHECK(access(file, R_OK) == 0);
	}
	/* the inventory after the last batch lists every alias of a */
	E(db_begin(k->db, 0, &txn, &err));
	E(store_get(txn, a, &st, &err));
	CHECK(st.ninventory == 69);
	store_clear(&st);
	db_abort(txn);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_runs_once),
		KIT_TEST(test_retried_then_failed),
		KIT_TEST(test_lease_taken_over),
		KIT_TEST(test_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
