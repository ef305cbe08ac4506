/*
 * test_workflow.c - workflow: requests that wait for approval, made by
 * enroll_pfx() for a template that wants it.  Approval issues them (the
 * key staged for the requester), once, not by the requester, and against
 * the template as it is then; denial ends them with a comment; each id of
 * a call answers on its own list; lists page by state; one request shows
 * as README section 7 says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "certdb.h"
#include "counts.h"
#include "kit.h"
#include "policy.h"
#include "staging.h"
#include "workflow.h"

#define ROOT	"host\\RootCA"
#define APPR	"{\"name\":\"Approved\",\"keys\":[\"ECC-P-256\"]," \
		"\"require_approval\":true}"
#define BODY(cn) "{\"Subject\":\"CN=" cn "\",\"EnrollmentPatternId\":2," \
		"\"KeyType\":\"ECC\",\"Timestamp\":\"2026-01-01T00:00:00Z\"," \
		"\"Password\":\"correct-horse-battery\"," \
		"\"Metadata\":{\"Owner\":\"a@b.example\"}}"

static void
world(struct kit *k)
{
	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, APPR);
	kit_pattern(k, "{\"template\":\"Approved\",\"name\":\"With owner\","
	    "\"metadata\":[{\"name\":\"Owner\",\"type\":\"email\"}]}");
}

/* A pending request of user's: its id. */
static int64_t
pending(struct kit *k, const char *user, const char *body)
{
	struct ce_error err;
	json_object *resp, *ci, *v;
	int64_t id;

	E(kit_enroll(k, user, FMT_PFX, body, &resp, &err));
	CHECK(json_object_object_get_ex(resp, "CertificateInformation", &ci) &&
	    json_object_object_get_ex(ci, "KeyfactorRequestId", &v));
	id = json_object_get_int64(v);
	json_object_put(resp);
	return id;
}

/* The Comment of the only item of list in resp. */
static const char *
only(json_object *resp, const char *list)
{
	json_object *l = json_object_object_get(resp, list);

	CHECK(json_arr_len(l) == 1);
	return json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(l, 0), "Comment"));
}

static const char *
state_of(struct kit *k, int64_t id)
{
	static char state[32];
	json_object *rec = kit_record_id(k, T_REQUESTS, id);

	CHECK(rec != NULL);
	snprintf(state, sizeof(state), "%s", json_object_get_string(
	    json_object_object_get(rec, "state")));
	json_object_put(rec);
	return state;
}

static int64_t
pending_of(struct kit *k, const char *user)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	int64_t n;

	E(db_begin(k->db, 0, &txn, &err));
	E(count_get(txn, T_PENDCOUNT, user, &n, &err));
	db_abort(txn);
	return n;
}

static void
test_approve(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct ce_buf pfx = { NULL, 0 };
	json_object *list, *resp, *rec, *item;
	int64_t id, cert;

	world(k);
	id = pending(k, "alice", BODY("www.example.com"));
	CHECK(pending_of(k, "alice") == 1 && kit_count(k, T_CERTS) == 0);
	list = kit_json("[1]");
	E(workflow_approve(k->db, "carol", list, &resp, &err));
	CHECK(strcmp(only(resp, "Successes"), "Issued certificate 1.") == 0);
	CHECK(json_arr_len(json_object_object_get(resp, "Failures")) == 0 &&
	    json_arr_len(json_object_object_get(resp, "Denials")) == 0);
	item = json_object_array_get_idx(json_object_object_get(resp,
	    "Successes"), 0);
	CHECK(json_object_get_int64(json_object_object_get(item,
	    "KeyfactorRequestId")) == id);
	CHECK(strcmp(json_object_get_string(json_object_object_get(item,
	    "CAHost")), "host") == 0 && strcmp(json_object_get_string(
	    json_object_object_get(item, "CALogicalName")), "RootCA") == 0);
	json_object_put(resp);

	/* issued to the requester, approved by carol, no longer pending */
	CHECK(strcmp(state_of(k, id), "ISSUED") == 0);
	rec = kit_record_id(k, T_REQUESTS, id);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec,
	    "approved_by")), "carol") == 0);
	CHECK(json_object_object_get(rec, "sealed_password") == NULL);
	cert = json_object_get_int64(json_object_object_get(rec, "cert_id"));
	json_object_put(rec);
	rec = kit_record_id(k, T_CERTS, cert);
	CHECK(rec != NULL && strcmp(json_object_get_string(
	    json_object_object_get(rec, "requester")), "alice") == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(
	    json_object_object_get(rec, "metadata"), "Owner")), "a@b.example") == 0);
	json_object_put(rec);
	CHECK(pending_of(k, "alice") == 0);
	/* its key waits for alice's Deploy */
	E(db_begin(k->db, 0, &txn, &err));
	E(staging_get(k->db, txn, cert, "alice", &pfx, &err));
	db_abort(txn);
	buf_free(&pfx);

	/* once */
	E(workflow_approve(k->db, "carol", list, &resp, &err));
	CHECK(strcmp(only(resp, "Failures"), "Request 1 is ISSUED, not "
	    "pending.") == 0);
	json_object_put(resp);
	CHECK(kit_count(k, T_CERTS) == 1);
	json_object_put(list);
}

/* Not one's own request, unless the setting allows it. */
static void
test_self(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	json_object *list, *resp;

	world(k);
	pending(k, "alice", BODY("www.example.com"));
	list = kit_json("[1]");
	E(workflow_approve(k->db, "alice", list, &resp, &err));
	CHECK(strcmp(only(resp, "Denials"), "alice may not approve their own "
	    "request.") == 0);
	json_object_put(resp);
	CHECK(strcmp(state_of(k, 1), "PENDING") == 0);
	kit_setting(k, "allow_self_approval", "1");
	E(workflow_approve(k->db, "alice", list, &resp, &err));
	only(resp, "Successes");
	json_object_put(resp);
	json_object_put(list);
}

/* Approval holds the request to the template as it is at approval: a name
 * policy tightened since refuses it, and it waits again. */
static void
test_policy_then(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	json_object *list, *resp, *ch;

	world(k);
	pending(k, "alice", BODY("www.example.com"));
	ch = kit_json("{\"names\":{\"dns_suffixes\":[\"corp.example\"]}}");
	E(template_set(k->db, "Approved", ch, &err));
	json_object_put(ch);
	list = kit_json("[1]");
	E(workflow_approve(k->db, "carol", list, &resp, &err));
	CHECK(strstr(only(resp, "Failures"), "Request 1 could not be issued: ") !=
	    NULL);
	CHECK(strstr(only(resp, "Failures"), "outside the DNS suffixes") != NULL);
	json_object_put(resp);
	CHECK(strcmp(state_of(k, 1), "PENDING") == 0);
	CHECK(pending_of(k, "alice") == 1 && kit_count(k, T_CERTS) == 0);
	/* put back, it is approved */
	ch = kit_json("{\"names\":{}}");
	E(template_set(k->db, "Approved", ch, &err));
	json_object_put(ch);
	E(workflow_approve(k->db, "carol", list, &resp, &err));
	only(resp, "Successes");
	json_object_put(resp);
	json_object_put(list);
}

static void
test_deny(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	json_object *list, *resp, *rec;

	world(k);
	pending(k, "alice", BODY("www.example.com"));
	pending(k, "alice", BODY("two.example.com"));
	list = kit_json("[2]");
	E(workflow_deny(k->db, "carol", "not this one", list, &resp, &err));
	CHECK(strcmp(only(resp, "Successes"), "not this one") == 0);
	json_object_put(resp);
	rec = kit_record_id(k, T_REQUESTS, 2);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec,
	    "state")), "DENIED") == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec,
	    "denied_by")), "carol") == 0);
	CHECK(json_object_object_get(rec, "sealed_password") == NULL);
	json_object_put(rec);
	CHECK(pending_of(k, "alice") == 1);
	/* denied: neither approved nor denied again */
	E(workflow_deny(k->db, "carol", "again", list, &resp, &err));
	CHECK(strcmp(only(resp, "Failures"), "Request 2 is DENIED, not "
	    "pending.") == 0);
	json_object_put(resp);
	E(workflow_approve(k->db, "carol", list, &resp, &err));
	CHECK(strcmp(only(resp, "Failures"), "Request 2 is DENIED, not "
	    "pending.") == 0);
	json_object_put(resp);
	json_object_put(list);
	CHECK(kit_count(k, T_CERTS) == 0);
}

/* Each id answers on its own list; the list itself must be ids. */
static void
test_ids(void **state)
{
	static const struct {
		const char	*ids, *says;
	} bad[] = {
		{ "[]", "CertificateRequestIds: expected a non-empty array of "
		  "ids." },
		{ "{}", "expected a non-empty array" },
		{ "[0]", "CertificateRequestIds: element 0 is not a positive "
		  "integer id." },
		{ "[1,-2]", "element 1 is not a positive integer id." },
		{ "[1,\"x\"]", "element 1 is not" },
		{ "[1.5]", "element 0 is not" },
	};
	struct kit *k = *state;
	struct ce_error err;
	json_object *list, *resp;
	size_t i;

	world(k);
	pending(k, "alice", BODY("www.example.com"));
	pending(k, "bob", BODY("two.example.com"));
	list = kit_json("[\"1\",99,2,2]");
	E(workflow_approve(k->db, "bob", list, &resp, &err));
	/* 1 issued; 99 unknown; 2 is bob's own, both times */
	CHECK(json_arr_len(json_object_object_get(resp, "Successes")) == 1);
	CHECK(json_arr_len(json_object_object_get(resp, "Denials")) == 2);
	CHECK(json_arr_len(json_object_object_get(resp, "Failures")) == 1);
	json_object_put(resp);
	json_object_put(list);
	CHECK(strcmp(state_of(k, 1), "ISSUED") == 0);
	CHECK(strcmp(state_of(k, 2), "PENDING") == 0);
	list = kit_json("[99]");
	E(workflow_deny(k->db, "carol", NULL, list, &resp, &err));
	CHECK(strcmp(only(resp, "Failures"), "Request 99 was not found.") == 0);
	json_object_put(resp);
	json_object_put(list);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		list = kit_json(bad[i].ids);
		EFAIL(workflow_approve(k->db, "carol", list, &resp, &err), CE_INVAL,
		    bad[i].says);
		EFAIL(workflow_deny(k->db, "carol", "x", list, &resp, &err),
		    CE_INVAL, bad[i].says);
		CHECK(resp == NULL);
		json_object_put(list);
	}
}

static void
test_list_get(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	json_object *list, *resp, *out, *v;
	int i;

	world(k);
	pending(k, "alice", BODY("a.example.com"));
	pending(k, "alice", BODY("b.example.com"));
	pending(k, "bob", BODY("c.example.com"));
	pending(k, "bob", BODY("d.example.com"));
	list = kit_json("[2]");
	E(workflow_deny(k->db, "carol", "no", list, &resp, &err));
	json_object_put(resp);
	json_object_put(list);

	E(workflow_list(k->db, "PENDING", 10, 1, &out, &err));
	CHECK(json_arr_len(out) == 3);
	for (i = 0; i < 3; i++)
		CHECK(json_object_get_int(json_object_object_get(
		    json_object_array_get_idx(out, i), "State")) == 1);
	json_object_put(out);
	/* pages of two */
	E(workflow_list(k->db, "PENDING", 2, 2, &out, &err));
	CHECK(json_arr_len(out) == 1 && json_object_get_int64(
	    json_object_object_get(json_object_array_get_idx(out, 0), "Id")) == 4);
	json_object_put(out);
	E(workflow_list(k->db, "PENDING", 2, 3, &out, &err));
	CHECK(json_arr_len(out) == 0);
	json_object_put(out);
	E(workflow_list(k->db, "DENIED", 10, 1, &out, &err));
	CHECK(json_arr_len(out) == 1);
	v = json_object_array_get_idx(out, 0);
	CHECK(json_object_get_int(json_object_object_get(v, "State")) == 3 &&
	    strcmp(json_object_get_string(json_object_object_get(v,
	    "StateString")), "Denied") == 0 &&
	    strcmp(json_object_get_string(json_object_object_get(v, "Comment")),
	    "no") == 0);
	json_object_put(out);

	E(workflow_get(k->db, 3, &out, &err));
	CHECK(strcmp(json_object_get_string(json_object_object_get(out,
	    "CommonName")), "c.example.com") == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(out,
	    "DistinguishedName")), "CN=c.example.com") == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(out,
	    "Requester")), "bob") == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(out,
	    "Template")), "Approved") == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(out,
	    "CertificateAuthority")), ROOT) == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(out,
	    "StateString")), "Pending") == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(
	    json_object_object_get(out, "Metadata"), "Owner")), "a@b.example") == 0);
	CHECK(json_object_object_get(out, "CertificateId") == NULL);
	json_object_put(out);
	EFAIL(workflow_get(k->db, 99, &out, &err), CE_NOTFOUND,
	    "Request 99 was not found.");
	CHECK(out == NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_approve),
		KIT_TEST(test_self),
		KIT_TEST(test_policy_then),
		KIT_TEST(test_deny),
		KIT_TEST(test_ids),
		KIT_TEST(test_list_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
