/*
 * test_auth.c - auth: users, roles and claims as `certenroll role add` and
 * `user add` store them.  A claim matches exactly; the schedule claim is
 * global or for one container; an unknown user, a missing role or an odd
 * record grants nothing; the admin command's claim check refuses every
 * spelling that could never match.
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
#include "db.h"
#include "kit.h"

#define SCHED(n)	CLAIM_STORE_SCHEDULE #n "/"

/* Users and roles of the tests. */
static void
people(struct kit *k)
{
	kit_role(k, "Enrollers", CLAIM_ENROLL_PFX);
	kit_role(k, "Readers", CLAIM_CERT_READ "," CLAIM_STORE_READ);
	kit_role(k, "Schedulers", CLAIM_STORE_SCHEDULE);
	kit_role(k, "Container5", SCHED(5) "," SCHED(12));
	kit_role(k, "Approvers", CLAIM_WORKFLOW);
	kit_role(k, "Watchers", CLAIM_ALERTS_READ);
	kit_user(k, "alice", "Enrollers,Readers");
	kit_user(k, "frank", "Watchers");
	kit_user(k, "bob", "Container5");
	kit_user(k, "carol", "Schedulers,Approvers");
	kit_user(k, "dave", "Ghosts,Enrollers");	/* a role that is not */
	kit_user(k, "CN=erin,O=Example", "Readers");	/* a certificate's DN */
}

static void
test_require(void **state)
{
	struct kit *k = *state;
	struct ce_error err;

	people(k);
	E(auth_require(k->db, "alice", CLAIM_ENROLL_PFX, &err));
	E(auth_require(k->db, "alice", CLAIM_STORE_READ, &err));
	E(auth_require(k->db, "carol", CLAIM_WORKFLOW, &err));
	/* Keyfactor's claims, and the old one standing for both */
	E(auth_require(k->db, "carol", CLAIM_REQUESTS_MANAGE, &err));
	E(auth_require(k->db, "carol", CLAIM_ALERTS_READ, &err));
	E(auth_require(k->db, "frank", CLAIM_ALERTS_READ, &err));
	CHECK(auth_has(k->db, "carol", CLAIM_ALERTS_READ));
	/* ... but not the other way, nor one for the other */
	EFAIL(auth_require(k->db, "frank", CLAIM_WORKFLOW, &err), CE_DENIED,
	    "frank");
	EFAIL(auth_require(k->db, "frank", CLAIM_REQUESTS_MANAGE, &err),
	    CE_DENIED, "required permissions: Certificate Requests - Manage ("
	    CLAIM_REQUESTS_MANAGE ")");
	/* terraform's provider looks for these words */
	EFAIL(auth_require(k->db, "alice", CLAIM_ALERTS_READ, &err), CE_DENIED,
	    "does not have any of the required permissions: Alerts - Read");
	E(auth_require(k->db, "CN=erin,O=Example", CLAIM_CERT_READ, &err));
	EFAIL(auth_require(k->db, NULL, CLAIM_ENROLL_PFX, &err), CE_UNAUTH,
	    "no authenticated user");
	EFAIL(auth_require(k->db, "alice", CLAIM_CERT_REVOKE, &err), CE_DENIED,
	    "User 'alice' does not have any of the required permissions: "
	    "Certificates - Revoke (" CLAIM_CERT_REVOKE ")");
	EFAIL(auth_require(k->db, "mallory", CLAIM_ENROLL_PFX, &err), CE_DENIED,
	    "User 'mallory'");
	EFAIL(auth_require(k->db, "", CLAIM_ENROLL_PFX, &err), CE_DENIED,
	    "User ''");
	/* user names are exact */
	EFAIL(auth_require(k->db, "Alice", CLAIM_ENROLL_PFX, &err), CE_DENIED,
	    "Alice");
	EFAIL(auth_require(k->db, "alice ", CLAIM_ENROLL_PFX, &err), CE_DENIED,
	    "alice");
}

/* A database that is down cannot say who may: 503's error, not a denial
 * (nor a grant). */
static void
test_database_down(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_db *down;

	E(db_open_url(k->dir, "postgresql:///certenroll?host=/nonexistent",
	    &down, &err));
	EFAIL(auth_require(down, "alice", CLAIM_ENROLL_PFX, &err), CE_UNAVAIL,
	    "The database is unavailable");
	CHECK(!auth_has(down, "alice", CLAIM_ENROLL_PFX));
	CHECK(!auth_can_schedule(down, NULL, "carol", 5));
	db_close(down);
}

/* Claims match exactly: no prefix, no missing slash, no case. */
static void
test_exact(void **state)
{
	static const char *const near[] = { "/certificates/",
	    "/certificates/enrollment/pfx", "/certificates/enrollment/pfx//",
	    "/Certificates/Enrollment/PFX/", "/certificates/enrollment/",
	    "/certificates/enrollment/pfx/x/", "" };
	struct kit *k = *state;
	size_t i;

	people(k);
	CHECK(auth_has(k->db, "alice", CLAIM_ENROLL_PFX));
	for (i = 0; i < sizeof(near) / sizeof(near[0]); i++)
		if (auth_has(k->db, "alice", near[i]))
			fail_msg("alice has '%s'", near[i]);
	/* a role that does not exist is passed over, the next one counts */
	CHECK(auth_has(k->db, "dave", CLAIM_ENROLL_PFX));
	CHECK(!auth_has(k->db, "dave", CLAIM_CERT_READ));
	CHECK(!auth_has(k->db, NULL, CLAIM_ENROLL_PFX));
	/* the global schedule claim is not read as the others */
	CHECK(!auth_has(k->db, "carol", CLAIM_ENROLL_PFX));
}

static void
test_schedule(void **state)
{
	static const struct {
		const char	*user;
		int64_t		 container;
		int		 can;
	} cases[] = {
		{ "carol", 1, 1 }, { "carol", 5, 1 }, { "carol", 0, 1 },
		{ "carol", 123456789, 1 },
		{ "bob", 5, 1 }, { "bob", 12, 1 }, { "bob", 50, 0 },
		{ "bob", 1, 0 }, { "bob", 2, 0 }, { "bob", 0, 0 },
		{ "bob", -5, 0 }, { "bob", 125, 0 },
		{ "alice", 5, 0 }, { "alice", 0, 0 }, { "mallory", 5, 0 },
		{ NULL, 5, 0 },
	};
	struct kit *k = *state;
	size_t i;

	people(k);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (auth_can_schedule(k->db, NULL, cases[i].user,
		    cases[i].container) !=
		    cases[i].can)
			fail_msg("%s on container %lld: expected %d",
			    cases[i].user ? cases[i].user : "(nobody)",
			    (long long)cases[i].container, cases[i].can);
	CHECK(auth_any_schedule(k->db, "carol"));
	CHECK(auth_any_schedule(k->db, "bob"));
	CHECK(!auth_any_schedule(k->db, "alice"));
	CHECK(!auth_any_schedule(k->db, "mallory"));
	CHECK(!auth_any_schedule(k->db, NULL));
	/* a container claim is not the global one */
	CHECK(!auth_has(k->db, "bob", CLAIM_STORE_SCHEDULE));
}

/* Records the admin command would not write grant nothing, and do not
 * stop the roles after them from counting. */
static void
test_odd_records(void **state)
{
	static const struct {
		enum db_table	 t;
		const char	*key, *rec;
	} recs[] = {
		{ T_USERS, "u1", "{\"roles\":\"Enrollers\"}" },
		{ T_USERS, "u2", "{}" },
		{ T_USERS, "u3", "{\"roles\":[5,null,\"Odd\",\"Enrollers\"]}" },
		{ T_USERS, "u4", "[\"Enrollers\"]" },
		{ T_ROLES, "Odd", "{\"claims\":[7,null,{},\"" CLAIM_CERT_READ "\"]}" },
		{ T_ROLES, "Flat", "{\"claims\":\"" CLAIM_ENROLL_PFX "\"}" },
		{ T_USERS, "u5", "{\"roles\":[\"Flat\"]}" },
	};
	struct kit *k = *state;
	size_t i;

	people(k);
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		kit_put(k, recs[i].t, recs[i].key, recs[i].rec);
	CHECK(!auth_has(k->db, "u1", CLAIM_ENROLL_PFX));
	CHECK(!auth_has(k->db, "u2", CLAIM_ENROLL_PFX));
	CHECK(auth_has(k->db, "u3", CLAIM_ENROLL_PFX));
	CHECK(auth_has(k->db, "u3", CLAIM_CERT_READ));
	CHECK(!auth_has(k->db, "u4", CLAIM_ENROLL_PFX));
	CHECK(!auth_has(k->db, "u5", CLAIM_ENROLL_PFX));
	CHECK(!auth_any_schedule(k->db, "u3"));
}

/* What `certenroll role add --claim` takes: the claims auth.h lists, and
 * a container claim only as auth_can_schedule() writes it. */
static void
test_claim_valid(void **state)
{
	static const char *const good[] = { CLAIM_ENROLL_PFX, CLAIM_CERT_READ,
	    CLAIM_STORE_SCHEDULE, CLAIM_STORE_READ, CLAIM_WORKFLOW,
	    CLAIM_CERT_REVOKE, CLAIM_REQUESTS_MANAGE, CLAIM_ALERTS_READ, SCHED(0),
	    SCHED(5), SCHED(12), SCHED(9223372036854775807) };
	static const char *const bad[] = { "", "/", "/certificates/",
	    "/certificates/enrollment/pfx", "/Certificates/Enrollment/PFX/",
	    "/certificate_stores/schedule", "/certificate_stores/read",
	    CLAIM_STORE_SCHEDULE "/", CLAIM_STORE_SCHEDULE "x/",
	    CLAIM_STORE_SCHEDULE "5", CLAIM_STORE_SCHEDULE "5//",
	    CLAIM_STORE_SCHEDULE "5/x", CLAIM_STORE_SCHEDULE "-5/",
	    CLAIM_STORE_SCHEDULE "+5/", CLAIM_STORE_SCHEDULE " 5/",
	    CLAIM_STORE_SCHEDULE "5 /", CLAIM_STORE_SCHEDULE "0x5/",
	    /* spellings of a container that never match one */
	    SCHED(007), SCHED(00), SCHED(9223372036854775808),
	    SCHED(99999999999999999999), CLAIM_WORKFLOW "x",
	    " " CLAIM_WORKFLOW };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!auth_claim_valid(good[i]))
			fail_msg("refused %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (auth_claim_valid(bad[i]))
			fail_msg("accepted %s", bad[i]);
}

/* Users get ids at their first set and keep them (RequesterId). */
static void
test_user_ids(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	int64_t a, b;

	kit_role(k, "Readers", CLAIM_CERT_READ);
	kit_user(k, "ann", "Readers");
	kit_user(k, "ben", "");
	kit_user(k, "ann", "");		/* roles changed: same id */
	kit_put(k, T_USERS, "old", "{\"roles\":[\"Readers\"]}");
	E(db_begin(k->db, 0, &txn, &err));
	a = auth_user_id(txn, "ann");
	b = auth_user_id(txn, "ben");
	CHECK(a > 0 && b > 0 && a != b);
	CHECK(auth_user_id(txn, "old") == 0);	/* set before users had ids */
	CHECK(auth_user_id(txn, "nobody") == 0 && auth_user_id(txn, NULL) == 0);
	db_abort(txn);
	/* the old user's claims still count, and setting it gives an id */
	E(auth_require(k->db, "old", CLAIM_CERT_READ, &err));
	kit_user(k, "old", "Readers");
	E(db_begin(k->db, 0, &txn, &err));
	CHECK(auth_user_id(txn, "old") > b);
	CHECK(auth_user_id(txn, "ann") == a);
	db_abort(txn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_require),
		KIT_TEST(test_database_down),
		KIT_TEST(test_exact),
		KIT_TEST(test_schedule),
		KIT_TEST(test_odd_records),
		KIT_TEST(test_user_ids),
		cmocka_unit_test(test_claim_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
