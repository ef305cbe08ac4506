/*
 * test_agent.c - agent.h: the store agent below the program.  A deployed
 * certificate's job runs once, writes the store's files (the certificate
 * with our thumbprint, its key sealed with the enrollment's password), and
 * the inventory becomes the certificate's location; a job whose store
 * cannot be written is retried, then fails, and keeps no key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <openssl/pem.h>

#include "agent.h"
#include "auth.h"
#include "certdb.h"
#include "deploy.h"
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

/* Deploys cert to store as alias (a job due at once). */
static void
deploy(struct kit *k, int64_t cert, const char *store, const char *alias)
{
	struct deploy_req req;
	struct ce_error err;
	json_object *body, *resp = NULL;
	char text[512];

	snprintf(text, sizeof(text), "{\"CertificateId\":%lld,\"Password\":\""
	    PW "\",\"Stores\":[{\"StoreId\":\"%s\",\"Alias\":\"%s\"}]}",
	    (long long)cert, store, alias);
	body = kit_json(text);
	memset(&req, 0, sizeof(req));
	E(fields_parse(deploy_fields, deploy_nfields, body, &req, &err));
	E(deploy_pfx(k->db, "alice", &req, &resp, &err));
	CHECK(json_object_array_length(json_object_object_get(resp,
	    "SuccessfulStores")) == 1);
	json_object_put(resp);
	json_object_put(body);
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
	deploy(k, c.id, guid, "web");
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
	deploy(k, cert, guid, "gone");
	/* the store's folder is gone (and is not to be made) */
	dir = store_path(k, guid);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	for (i = 1; i <= JOB_MAX_ATTEMPTS; i++) {
		E(agent_run_due(k->db, now + 1, &ran, &failed, &err));
		CHECK(ran == 1 && failed == 1);
		job = kit_record_id(k, T_JOBS, 1);
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
		now += JOB_RETRY_DELAY;
	}
	E(agent_run_due(k->db, now + 1, &ran, &failed, &err));
	CHECK(ran == 0);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_runs_once),
		KIT_TEST(test_retried_then_failed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
