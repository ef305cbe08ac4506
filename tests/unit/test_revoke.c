/*
 * test_revoke.c - POST /Certificates/Revoke below the program (revoke.h,
 * revoked.h): a certificate revoked shows it (state, reason, date,
 * comment) and is on its CA's revoked list; revoking twice changes
 * nothing; a hold becomes a revocation for good or is taken off (and off
 * the list); unknown ids fail alone and, when nothing was revoked, the
 * answer is a 400 naming each; bad input changes nothing.
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

#include "certdb.h"
#include "certview.h"
#include "kit.h"
#include "revoke.h"
#include "revoked.h"

#define ROOT	KIT_ROOT
#define WEB	KIT_WEB
#define BODY	KIT_BODY

static int64_t ca_id;

#define C64	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define C512	C64 C64 C64 C64 C64 C64 C64 C64
#define LONG_COMMENT	C512 C512 "x"

static void
world(struct kit *k)
{
	ca_id = kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	CHECK(kit_issue(k, "alice", FMT_PEM, BODY("one.example.com")) == 1);
	CHECK(kit_issue(k, "alice", FMT_PEM, BODY("two.example.com")) == 2);
}

/* Revoke of the ids (a JSON array) with reason; the answer and status. */
static json_object *
revoke(struct kit *k, const char *ids, int64_t reason, time_t date,
    int *status)
{
	struct ce_error err;
	struct revoke_input in;
	json_object *resp = NULL, *list = kit_json(ids);

	memset(&in, 0, sizeof(in));
	in.ids = list;
	in.reason = reason;
	in.comment = "key <leaked>\nin a log";
	in.date = date;
	in.user = "revoker";
	*status = 200;
	E(revoke_certificates(k->db, &in, &resp, status, &err));
	json_object_put(list);
	return resp;
}

static const char *
text(json_object *o, const char *key)
{
	return json_object_get_string(json_object_object_get(o, key));
}

static struct cert
cert(struct kit *k, int64_t id)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct cert c;

	E(db_begin(k->db, 0, &txn, &err));
	E(cert_get(txn, id, &c, &err));
	db_abort(txn);
	return c;
}

struct seen {
	int		n;
	char		serial[8][64];
	int64_t		reason[8];
};

static int
seen_cb(const struct revoked_entry *e, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->serial[s->n], sizeof(s->serial[0]), "%s", e->serial);
		s->reason[s->n] = e->reason;
	}
	s->n++;
	return 0;
}

static struct seen
listed(struct kit *k)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct seen s;

	memset(&s, 0, sizeof(s));
	E(db_begin(k->db, 0, &txn, &err));
	E(revoked_list(txn, ca_id, seen_cb, &s, &err));
	db_abort(txn);
	return s;
}

static void
test_revoke_and_twice(void **state)
{
	struct kit *k = *state;
	const struct certview_opts none = { 0, 0, 0 };
	struct ce_error err;
	json_object *r, *view = NULL;
	struct cert c;
	struct seen s;
	time_t when = time(NULL) - 3600;
	int status;

	world(k);
	r = revoke(k, "[1]", 1, when, &status);
	CHECK(status == 200);
	CHECK(strcmp(json_object_to_json_string(json_object_object_get(r,
	    "RevokedIds")), "[ 1 ]") == 0);
	CHECK(json_object_array_length(json_object_object_get(r,
	    "FailedOperations")) == 0);
	json_object_put(r);
	c = cert(k, 1);
	CHECK(c.state == CERT_REVOKED && c.rev_reason == 1 &&
	    c.rev_date == when && strcmp(c.rev_comment,
	    "key <leaked>\nin a log") == 0);
	s = listed(k);
	CHECK(s.n == 1 && strcmp(s.serial[0], c.serial) == 0 &&
	    s.reason[0] == 1);
	cert_clear(&c);
	E(certview_get(k->db, "1", &none, &view, &err));
	CHECK(json_object_get_int(json_object_object_get(view, "CertState")) == 2);
	CHECK(strcmp(text(view, "CertStateString"), "Revoked") == 0);
	CHECK(json_object_get_int(json_object_object_get(view,
	    "RevocationReason")) == 1);
	CHECK(text(view, "RevocationEffDate") != NULL);
	json_object_put(view);
	E(certview_get(k->db, "2", &none, &view, &err));
	CHECK(json_object_get_int(json_object_object_get(view, "CertState")) == 1);
	CHECK(json_object_get(json_object_object_get(view,
	    "RevocationReason")) == NULL);
	json_object_put(view);
	/* twice (another reason, the same id twice): harmless, unchanged */
	r = revoke(k, "[1, 1]", 4, 0, &status);
	CHECK(status == 200);
	CHECK(strcmp(json_object_to_json_string(json_object_object_get(r,
	    "RevokedIds")), "[ 1 ]") == 0);
	json_object_put(r);
	c = cert(k, 1);
	CHECK(c.rev_reason == 1 && c.rev_date == when);
	cert_clear(&c);
	CHECK(listed(k).n == 1);
}

static void
test_hold_and_unhold(void **state)
{
	struct kit *k = *state;
	json_object *r;
	struct cert c;
	int status;

	world(k);
	r = revoke(k, "[2]", REVOKE_HOLD, 0, &status);
	json_object_put(r);
	CHECK(listed(k).n == 1 && listed(k).reason[0] == REVOKE_HOLD);
	/* off hold (-1; 7 and 8 alike): active again, off the list */
	r = revoke(k, "[2]", -1, 0, &status);
	CHECK(status == 200);
	json_object_put(r);
	c = cert(k, 2);
	CHECK(c.state == CERT_ACTIVE && c.rev_comment == NULL);
	cert_clear(&c);
	CHECK(listed(k).n == 0);
	/* not on hold: refused, alone; 400 as nothing was done */
	r = revoke(k, "[2]", 8, 0, &status);
	CHECK(status == 400);
	CHECK(strstr(text(r, "Message"), "Certificate 2 is not on hold.") != NULL);
	json_object_put(r);
	/* a hold made a revocation for good, which no unhold undoes */
	json_object_put(revoke(k, "[2]", REVOKE_HOLD, 0, &status));
	json_object_put(revoke(k, "[2]", 1, 0, &status));
	CHECK(listed(k).n == 1 && listed(k).reason[0] == 1);
	r = revoke(k, "[2]", 7, 0, &status);
	CHECK(status == 400);
	json_object_put(r);
	c = cert(k, 2);
	CHECK(c.state == CERT_REVOKED && c.rev_reason == 1);
	cert_clear(&c);
}

static void
test_unknown_ids_fail_alone(void **state)
{
	struct kit *k = *state;
	json_object *r, *f;
	int status;

	world(k);
	r = revoke(k, "[99, 2]", 0, 0, &status);
	CHECK(status == 200);
	CHECK(strcmp(json_object_to_json_string(json_object_object_get(r,
	    "RevokedIds")), "[ 2 ]") == 0);
	f = json_object_array_get_idx(json_object_object_get(r,
	    "FailedOperations"), 0);
	CHECK(json_object_get_int(json_object_object_get(f, "Id")) == 99);
	CHECK(strcmp(text(f, "Reason"), "Certificate 99 was not found.") == 0);
	json_object_put(r);
	r = revoke(k, "[98, 99]", 0, 0, &status);
	CHECK(status == 400);
	CHECK(strcmp(text(r, "ErrorCode"), "0xA0110001") == 0);
	CHECK(json_object_array_length(json_object_object_get(r,
	    "FailedOperations")) == 2);
	json_object_put(r);
}

/* A revoked certificate's key, kept for a Deploy, is gone with it. */
static void
test_staging_goes(void **state)
{
	struct kit *k = *state;
	json_object *r;
	int64_t id;
	int status;

	world(k);
	id = kit_issue(k, "alice", FMT_STORE, "{\"Subject\":\"CN=s.example.com\","
	    "\"Template\":\"WebServer\",\"KeyType\":\"ECC\",\"Password\":"
	    "\"Stage-Pass-1234\",\"Timestamp\":\"2026-01-01T00:00:00Z\"}");
	CHECK(kit_count(k, T_STAGING) == 1);
	r = revoke(k, id == 3 ? "[3]" : "[0]", 1, 0, &status);
	CHECK(status == 200);
	json_object_put(r);
	CHECK(kit_count(k, T_STAGING) == 0);
}

static void
test_bad_input_changes_nothing(void **state)
{
	static const struct {
		const char	*ids;
		int64_t		 reason;
		const char	*comment;
		time_t		 date;
		const char	*says;
	} bad[] = {
		{ "[]", 0, "c", 0, "CertificateIds: expected a non-empty" },
		{ "[0]", 0, "c", 0, "CertificateIds: element 0 is not" },
		{ "[1, \"x\"]", 0, "c", 0, "element 1 is not" },
		{ "[1]", 9, "c", 0, "Reason: 9 is not a revocation reason" },
		{ "[1]", -2, "c", 0, "Reason: -2" },
		{ "[1]", 1000, "c", 0, "Reason: 1000" },
		{ "[1]", 0, "", 0, "Comment: a comment is required." },
		{ "[1]", 0, NULL, 0, "Comment: a comment is required." },
		{ "[1]", 0, LONG_COMMENT, 0, "Comment: at most 1024 bytes." },
		{ "[1]", 0, "c", 1, "EffectiveDate: a revocation cannot take "
		  "effect in the future." },
	};
	struct kit *k = *state;
	struct ce_error err;
	struct revoke_input in;
	json_object *resp, *list;
	size_t i;
	int status;

	world(k);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.ids = list = kit_json(bad[i].ids);
		in.reason = bad[i].reason;
		in.comment = bad[i].comment;
		in.date = bad[i].date ? time(NULL) + 3600 : 0;
		in.user = "revoker";
		resp = NULL;
		status = 200;
		EFAIL(revoke_certificates(k->db, &in, &resp, &status, &err),
		    CE_INVAL, bad[i].says);
		CHECK(resp == NULL);
		json_object_put(list);
	}
	CHECK(listed(k).n == 0);
	CHECK(kit_count(k, T_REVOKED) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_revoke_and_twice),
		KIT_TEST(test_hold_and_unhold),
		KIT_TEST(test_unknown_ids_fail_alone),
		KIT_TEST(test_staging_goes),
		KIT_TEST(test_bad_input_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
