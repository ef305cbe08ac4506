/*
 * test_deploy.c - deploy: POST /Enrollment/PFX/Deploy below the program.
 * The staged key of a STORE enrollment becomes one management job per
 * store its owner may schedule on (globally or for the store's container),
 * given the enrollment's password; stores that are unknown, not theirs to
 * schedule or holding the alias without Overwrite fail alone; bounds on
 * queued jobs and on how far ahead; the Stores forms the API allows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "auth.h"
#include "deploy.h"
#include "kit.h"
#include "stores.h"

#define ROOT	"host\\RootCA"
#define WEB	"{\"name\":\"WebServer\",\"keys\":[\"ECC-P-256\"]}"
#define PW	"correct-horse-battery"
#define ENROLL	"{\"Subject\":\"CN=www.example.com\",\"Template\":\"WebServer\"," \
		"\"KeyType\":\"ECC\",\"Timestamp\":\"2026-01-01T00:00:00Z\"," \
		"\"Password\":\"" PW "\"}"
#define NOSTORE	"00000000-0000-0000-0000-000000000000"

struct world {
	char	 s5[GUID_LEN + 1], s7[GUID_LEN + 1];	/* containers 5, 7 */
	int64_t	 cert;		/* alice's STORE enrollment */
};

/* alice may enroll and schedule on container 5; bob only enroll; carol
 * schedule anywhere. */
static void
world(struct kit *k, struct world *w)
{
	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	kit_store(k, "PEM", 5, NULL, w->s5);
	kit_store(k, "PEM", 7, NULL, w->s7);
	kit_role(k, "Enrollers", CLAIM_ENROLL_PFX);
	kit_role(k, "Five", CLAIM_STORE_SCHEDULE "5/");
	kit_role(k, "Anywhere", CLAIM_STORE_SCHEDULE);
	kit_user(k, "alice", "Enrollers,Five");
	kit_user(k, "bob", "Enrollers");
	kit_user(k, "carol", "Enrollers,Anywhere");
	w->cert = kit_issue(k, "alice", FMT_STORE, ENROLL);
}

/* The Deploy body fmt (%lld: the certificate, %s: two store ids), parsed
 * with the endpoint's table and deployed for user. */
static enum ce_err
deploy(struct kit *k, const char *user, const char *fmt, int64_t cert,
    const char *s1, const char *s2, json_object **resp, struct ce_error *err)
{
	struct deploy_req req;
	json_object *body;
	char text[1024];
	enum ce_err rc;

	snprintf(text, sizeof(text), fmt, (long long)cert, s1, s2);
	body = kit_json(text);
	memset(&req, 0, sizeof(req));
	*resp = NULL;
	ce_error_clear(err);
	if ((rc = fields_parse(deploy_fields, deploy_nfields, body, &req,
	    err)) == CE_OK)
		rc = deploy_pfx(k->db, user, &req, resp, err);
	json_object_put(body);
	return rc;
}

#define ONE	"{\"CertificateId\":%lld,\"Password\":\"" PW "\",\"Stores\":" \
		"[{\"StoreId\":\"%s\"}]%s}"
#define TWO	"{\"CertificateId\":%lld,\"Password\":\"" PW "\",\"Stores\":" \
		"[{\"StoreId\":\"%s\"},{\"StoreId\":\"%s\"}]}"

/* The GUIDs of list in resp, joined by ' '. */
static const char *
stores(json_object *resp, const char *list)
{
	static char buf[256];
	json_object *a = json_object_object_get(resp, list);
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < json_arr_len(a); i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
		    i ? " " : "", json_object_get_string(
		    json_object_array_get_idx(a, i)));
	return buf;
}

static void
test_deploy(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct world w;
	json_object *resp;
	char want[128];

	world(k, &w);
	E(deploy(k, "alice", ONE, w.cert, w.s5, "", &resp, &err));
	CHECK(strcmp(stores(resp, "SuccessfulStores"), w.s5) == 0);
	CHECK(strcmp(stores(resp, "FailedStores"), "") == 0);
	json_object_put(resp);
	CHECK(kit_count(k, T_JOBS) == 1 && kit_count(k, T_JOBQ) == 1);

	/* per store: container 7 is not alice's, the unknown one is none */
	E(deploy(k, "alice", TWO, w.cert, w.s7, NOSTORE, &resp, &err));
	snprintf(want, sizeof(want), "%s %s", w.s7, NOSTORE);
	CHECK(strcmp(stores(resp, "FailedStores"), want) == 0);
	CHECK(strcmp(stores(resp, "SuccessfulStores"), "") == 0);
	json_object_put(resp);
	CHECK(kit_count(k, T_JOBS) == 1);
	/* a GUID in capitals is the same store */
	{
		char upper[GUID_LEN + 1];
		size_t i;

		for (i = 0; i <= GUID_LEN; i++)
			upper[i] = (char)(w.s5[i] >= 'a' && w.s5[i] <= 'f' ?
			    w.s5[i] - 32 : w.s5[i]);
		E(deploy(k, "alice", TWO, w.cert, upper, w.s7, &resp, &err));
		CHECK(strcmp(stores(resp, "SuccessfulStores"), w.s5) == 0 &&
		    strcmp(stores(resp, "FailedStores"), w.s7) == 0);
		json_object_put(resp);
	}
	CHECK(kit_count(k, T_JOBS) == 2);
}

/* Who may deploy what: the staged key is its owner's, with its password,
 * and scheduling needs a claim at all. */
static void
test_who(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct world w;
	json_object *resp;

	world(k, &w);
	EFAIL(deploy(k, "bob", ONE, w.cert, w.s5, "", &resp, &err), CE_DENIED,
	    "User 'bob' does not have any of the required permissions: "
	    CLAIM_STORE_SCHEDULE " (globally or for a store container)");
	EFAIL(deploy(k, "carol", ONE, w.cert, w.s5, "", &resp, &err), CE_NOKEY,
	    "belongs to another user");
	EFAIL(deploy(k, NULL, ONE, w.cert, w.s5, "", &resp, &err), CE_DENIED,
	    "User ''");
	EFAIL(deploy(k, "alice", "{\"CertificateId\":%lld,\"Password\":\"wrong\","
	    "\"Stores\":[{\"StoreId\":\"%s\"}]%s}", w.cert, w.s5, "", &resp, &err),
	    CE_INVAL, "Password: does not match the password given at enrollment.");
	EFAIL(deploy(k, "alice", ONE, w.cert + 1, w.s5, "", &resp, &err),
	    CE_NOKEY, "No private key could be found for certificate");
	CHECK(resp == NULL && kit_count(k, T_JOBS) == 0);
	/* by its request id too */
	E(deploy(k, "alice", "{\"RequestId\":%lld,\"Password\":\"" PW "\","
	    "\"Stores\":[{\"StoreId\":\"%s\"}]%s}", w.cert, w.s5, "", &resp, &err));
	json_object_put(resp);
	EFAIL(deploy(k, "alice", "{\"RequestId\":%lld,\"CertificateId\":2,"
	    "\"Password\":\"" PW "\",\"Stores\":[{\"StoreId\":\"%s\"}]%s}", w.cert,
	    w.s5, "", &resp, &err), CE_INVAL, "CertificateId: certificate 2 is "
	    "not the certificate of request 1.");
	EFAIL(deploy(k, "alice", "{\"RequestId\":%lld9,\"Password\":\"" PW "\","
	    "\"Stores\":[{\"StoreId\":\"%s\"}]%s}", w.cert, w.s5, "", &resp, &err),
	    CE_NOTFOUND, "Request 19 was not found.");
}

/* The alias: the thumbprint by default; one the store holds needs
 * Overwrite. */
static void
test_alias(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct certstore_item item;
	struct world w;
	json_object *resp, *job;

	world(k, &w);
	memset(&item, 0, sizeof(item));
	snprintf(item.alias, sizeof(item.alias), "web");
	memset(item.thumbprint, 'A', 40);
	E(store_record_inventory(k->db, w.s5, &item, 1, &err));
	E(deploy(k, "alice", ONE, w.cert, w.s5, "", &resp, &err));
	json_object_put(resp);
	job = kit_record_id(k, T_JOBS, 1);
	CHECK(job != NULL && strlen(json_object_get_string(json_object_object_get(
	    job, "alias"))) == 40);
	json_object_put(job);
	E(deploy(k, "alice", "{\"CertificateId\":%lld,\"Password\":\"" PW "\","
	    "\"Stores\":[{\"StoreId\":\"%s\",\"Alias\":\"web\"}]%s}", w.cert, w.s5,
	    "", &resp, &err));
	CHECK(strcmp(stores(resp, "FailedStores"), w.s5) == 0);
	json_object_put(resp);
	E(deploy(k, "alice", "{\"CertificateId\":%lld,\"Password\":\"" PW "\","
	    "\"Stores\":[{\"StoreId\":\"%s\",\"Alias\":\"web\",\"Overwrite\":"
	    "\"true\"}]%s}", w.cert, w.s5, "", &resp, &err));
	CHECK(strcmp(stores(resp, "SuccessfulStores"), w.s5) == 0);
	json_object_put(resp);
	CHECK(kit_count(k, T_JOBS) == 2);
}

static void
test_bounds(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct world w;
	json_object *resp;

	world(k, &w);
	kit_setting(k, "max_queued_jobs_per_user", "1");
	E(deploy(k, "alice", ONE, w.cert, w.s5, "", &resp, &err));
	json_object_put(resp);
	EFAIL(deploy(k, "alice", ONE, w.cert, w.s5, "", &resp, &err), CE_INVAL,
	    "Stores: 1 queued jobs and 1 more exceed the limit of 1 per user "
	    "(max_queued_jobs_per_user in certenroll.conf).");
	CHECK(kit_count(k, T_JOBS) == 1);
	kit_setting(k, "max_queued_jobs_per_user", "10");
	kit_setting(k, "max_job_delay_days", "1");
	EFAIL(deploy(k, "alice", ONE, w.cert, w.s5, ",\"JobTime\":"
	    "\"2099-01-01T00:00:00Z\"", &resp, &err), CE_INVAL,
	    "JobTime: more than 1 days ahead, the limit (max_job_delay_days in "
	    "certenroll.conf).");
	/* a time in the past: now */
	E(deploy(k, "alice", ONE, w.cert, w.s5, ",\"JobTime\":"
	    "\"2001-01-01T00:00:00Z\"", &resp, &err));
	json_object_put(resp);
	CHECK(kit_count(k, T_JOBS) == 2);
}

/* The forms of the store list: Stores, or the obsolete StoreIds with
 * StoreTypes (one type for every store, or one each). */
static void
test_plan(void **state)
{
	static const struct {
		const char	*stores, *ids, *types, *says;
		size_t		 n;
		const char	*alias1;	/* of the second target */
		int		 overwrite1;
	} cases[] = {
		{ "[{\"storeid\":\"" NOSTORE "\",\"alias\":\"a\",\"overwrite\":true},"
		  "{\"CertificateStoreId\":\"" NOSTORE "\",\"Alias\":\"b\"}]", NULL,
		  NULL, NULL, 2, "b", 0 },
		{ "[]", "[\"" NOSTORE "\",\"" NOSTORE "\"]",
		  "[{\"Alias\":\"x\",\"Overwrite\":1}]", NULL, 2, "x", 1 },
		{ NULL, "[\"" NOSTORE "\",\"" NOSTORE "\"]",
		  "[{\"Alias\":\"x\"},{\"Alias\":\"y\"}]", NULL, 2, "y", 0 },
		{ NULL, "[\"" NOSTORE "\",\"" NOSTORE "\"]", NULL, NULL, 2, "", 0 },
		{ "[]", NULL, NULL, "Stores: at least one certificate store is "
		  "required", 0, NULL, 0 },
		{ "[{\"StoreId\":\"store-1\"}]", NULL, NULL, "Stores.StoreId: "
		  "'store-1' is not a valid certificate store id (a GUID).", 0,
		  NULL, 0 },
		{ "[{\"Alias\":\"a\"}]", NULL, NULL, "Stores.StoreId: '' is not",
		  0, NULL, 0 },
		{ "[\"" NOSTORE "\"]", NULL, NULL, "Stores: each element must be "
		  "an object.", 0, NULL, 0 },
		{ "[{\"StoreId\":\"" NOSTORE "\",\"Alias\":\"../etc\"}]", NULL, NULL,
		  "Stores.Alias: '../etc' is not a valid alias", 0, NULL, 0 },
		{ "[{\"StoreId\":\"" NOSTORE "\",\"Alias\":5}]", NULL, NULL,
		  "Stores.Alias: expected a string.", 0, NULL, 0 },
		{ "[{\"StoreId\":\"" NOSTORE "\",\"Overwrite\":\"maybe\"}]", NULL,
		  NULL, "Overwrite: expected a boolean", 0, NULL, 0 },
		{ NULL, "[5]", NULL, "StoreIds: '5' is not a valid", 0, NULL, 0 },
		{ NULL, "[\"" NOSTORE "\"]", "[{\"Alias\":\"a b\"}]",
		  "StoreTypes.Alias: 'a b' is not a valid alias", 0, NULL, 0 },
	};
	struct ce_error err;
	struct deploy_plan p;
	json_object *s, *i, *t;
	enum ce_err rc;
	size_t c;

	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		s = cases[c].stores ? kit_json(cases[c].stores) : NULL;
		i = cases[c].ids ? kit_json(cases[c].ids) : NULL;
		t = cases[c].types ? kit_json(cases[c].types) : NULL;
		ce_error_clear(&err);
		rc = deploy_plan_parse(s, i, t, 1, &p, &err);
		if (cases[c].says != NULL ? rc != CE_INVAL ||
		    strstr(err.msg, cases[c].says) == NULL : rc != CE_OK ||
		    p.n != cases[c].n || strcmp(p.t[1].alias, cases[c].alias1) ||
		    p.t[1].overwrite != cases[c].overwrite1 ||
		    strcmp(p.t[0].id, NOSTORE))
			fail_msg("case %zu: %s '%s'", c, ce_strerror(rc), err.msg);
		json_object_put(s);
		json_object_put(i);
		json_object_put(t);
	}
	/* not required (v2 enrollment without Stores): an empty plan */
	E(deploy_plan_parse(NULL, NULL, NULL, 0, &p, &err));
	CHECK(p.n == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_deploy),
		KIT_TEST(test_who),
		KIT_TEST(test_alias),
		KIT_TEST(test_bounds),
		cmocka_unit_test(test_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
