/*
 * test_jobview.c - GET /OrchestratorJobs/JobHistory below the program
 * (jobview.h): a job scheduled, then run, then failed, as Keyfactor's
 * Status and Result numbers; the store's machine and path beside it; the
 * query language over the jobs' fields and paging.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent.h"
#include "auth.h"
#include "jobview.h"
#include "kit.h"
#include "stores.h"

#define PW	"correct-horse-battery"
#define ENROLL	"{\"Subject\":\"CN=%s\",\"Template\":\"WebServer\"," \
		"\"KeyType\":\"ECC\",\"Timestamp\":\"2026-01-01T00:00:00Z\"," \
		"\"Password\":\"" PW "\"}"

/* The history q finds, page 1 of 50. */
static json_object *
history(struct kit *k, const char *q)
{
	struct ce_error err;
	struct paging pg = { 50, 1 };
	struct query query;
	json_object *out = NULL;

	E(query_parse_in(&jobview_fields, "pq.queryString", q, &query, &err));
	E(jobview_history(k->db, query.n > 0 ? &query : NULL, &pg, &out, &err));
	return out;
}

static void
test_history(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct store st;
	json_object *h, *j;
	char good[GUID_LEN + 1], gone[GUID_LEN + 1], body[512], q[200];
	int64_t cert;
	int ran, failed;

	kit_ca(k, KIT_ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, "{\"name\":\"WebServer\",\"keys\":[\"ECC-P-256\"]}");
	kit_store(k, "PEM", 5, NULL, good);
	kit_store(k, "PEM", 5, NULL, gone);
	kit_role(k, "Enrollers", CLAIM_ENROLL_PFX);
	kit_role(k, "Schedulers", CLAIM_STORE_SCHEDULE);
	kit_user(k, "alice", "Enrollers,Schedulers");
	snprintf(body, sizeof(body), ENROLL, "jobs.example.com");
	cert = kit_issue(k, "alice", FMT_STORE, body);
	kit_deploy(k, "alice", cert, PW, good, "web");
	kit_deploy(k, "alice", cert, PW, gone, "web");
	E(db_begin(k->db, 0, &txn, &err));
	E(store_get(txn, gone, &st, &err));
	db_abort(txn);
	CHECK(rmdir(st.store_path) == 0);	/* its jobs fail */
	store_clear(&st);
	h = history(k, "");
	CHECK(json_object_array_length(h) == 2);
	j = json_object_array_get_idx(h, 0);
	CHECK(kit_jint(j, "Status") == 1 && kit_jint(j, "Result") == 0);
	CHECK(strcmp(kit_jstr(j, "StatusString"), "scheduled") == 0);
	CHECK(json_object_object_get(j, "OperationEnd") == NULL);
	json_object_put(h);
	E(agent_run_due(k->db, time(NULL) + 1, &ran, &failed, &err));
	CHECK(ran == 2 && failed == 1);
	snprintf(q, sizeof(q), "CertStoreId -eq \"%s\"", good);
	h = history(k, q);
	CHECK(json_object_array_length(h) == 1);
	j = json_object_array_get_idx(h, 0);
	CHECK(kit_jint(j, "Status") == 3 && kit_jint(j, "Result") == 1 &&
	    kit_jint(j, "CertificateId") == cert);
	CHECK(strcmp(kit_jstr(j, "ClientMachine"), "") != 0 &&
	    strcmp(kit_jstr(j, "JobType"), "Management") == 0 &&
	    strcmp(kit_jstr(j, "Alias"), "web") == 0);
	CHECK(json_object_object_get(j, "OperationEnd") != NULL);
	json_object_put(h);
	/* the one that failed waits for its retry: scheduled, not finished */
	snprintf(q, sizeof(q), "CertStoreId -eq \"%s\" AND Status -eq 1", gone);
	h = history(k, q);
	CHECK(json_object_array_length(h) == 1);
	j = json_object_array_get_idx(h, 0);
	CHECK(strcmp(kit_jstr(j, "StatusString"), "retry") == 0 &&
	    strstr(kit_jstr(j, "Message"), "does not exist") != NULL);
	json_object_put(h);
	h = history(k, "Result -eq 3 OR JobHistoryId -gt 1000");
	CHECK(json_object_array_length(h) == 0);
	json_object_put(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
