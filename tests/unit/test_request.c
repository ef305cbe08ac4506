/* test_request.c - request records (request.h) on a real LMDB: the JSON
 * round trip, the index by state and the requester's count moving with
 * each state, lists in id order with paging, and the once-only backfill
 * of requests written before the index. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "request.h"
#include "db.h"
#include "kit.h"

struct fixture {
	char		 dir[32];
	struct ce_db	*db;
	struct ce_txn	*txn;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_request.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(db_open(f->dir, &f->db, NULL), CE_OK);
	kit_drill(f->db);
	assert_int_equal(db_begin(f->db, 1, &f->txn, NULL), CE_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[64];

	db_abort(f->txn);
	db_close(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
put(struct ce_txn *txn, int64_t id, enum request_state st, const char *who)
{
	struct request r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.state = st;
	r.requester = strdup(who);
	r.template_name = strdup("WebServer");
	assert_int_equal(request_put(txn, &r, NULL), CE_OK);
	request_clear(&r);
}

static void
set_state(struct ce_txn *txn, int64_t id, enum request_state st)
{
	struct request r;

	assert_int_equal(request_get(txn, id, &r, NULL), CE_OK);
	r.state = st;
	assert_int_equal(request_put(txn, &r, NULL), CE_OK);
	request_clear(&r);
}

static int64_t
waiting(struct ce_txn *txn, const char *who)
{
	int64_t n = -1;

	assert_int_equal(request_count_waiting(txn, who, &n, NULL), CE_OK);
	return n;
}

struct ids {
	int64_t	 id[16];
	int	 n;
};

static int
collect(const struct request *r, void *arg)
{
	struct ids *ids = arg;

	ids->id[ids->n++] = r->id;
	return ids->n >= 16;
}

static struct ids
list(struct ce_txn *txn, enum request_state st, int64_t skip, int64_t limit)
{
	struct ids ids;

	memset(&ids, 0, sizeof(ids));
	assert_int_equal(request_list(txn, st, skip, limit, collect, &ids, NULL),
	    CE_OK);
	return ids;
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct request r, back;

	memset(&r, 0, sizeof(r));
	r.id = 7;
	r.state = REQ_PENDING;
	r.requester = strdup("alice");
	r.submitted = 1700000000;
	r.template_name = strdup("WebServer");
	r.pattern_id = 3;
	r.ca = strdup("host\\CA");
	r.subject = strdup("CN=a.example.com");
	r.cn = strdup("a.example.com");
	r.metadata = json_tokener_parse("{\"Owner\":\"x@example.com\"}");
	r.api_version = 2;
	r.format = strdup("PFX");
	r.password_generated = 1;
	r.sealed_password = strdup("c2VhbGVk");
	r.body = json_tokener_parse("{\"Subject\":\"CN=a.example.com\"}");
	assert_int_equal(request_put(f->txn, &r, NULL), CE_OK);
	assert_int_equal(request_get(f->txn, 7, &back, NULL), CE_OK);
	assert_int_equal(back.id, 7);
	assert_int_equal(back.state, REQ_PENDING);
	assert_string_equal(back.requester, "alice");
	assert_int_equal(back.submitted, 1700000000);
	assert_string_equal(back.template_name, "WebServer");
	assert_int_equal(back.pattern_id, 3);
	assert_string_equal(back.ca, "host\\CA");
	assert_string_equal(back.subject, "CN=a.example.com");
	assert_string_equal(back.cn, "a.example.com");
	assert_string_equal(json_object_get_string(json_object_object_get(
	    back.metadata, "Owner")), "x@example.com");
	assert_int_equal(back.api_version, 2);
	assert_string_equal(back.format, "PFX");
	assert_int_equal(back.password_generated, 1);
	assert_string_equal(back.sealed_password, "c2VhbGVk");
	assert_non_null(json_object_object_get(back.body, "Subject"));
	assert_null(back.signed_serial);
	assert_int_equal(back.cert_id, 0);
	request_clear(&back);
	request_clear(&r);
	assert_int_equal(request_get(f->txn, 8, &back, NULL), CE_NOTFOUND);
	assert_int_equal(request_get(f->txn, 0, &back, NULL), CE_NOTFOUND);
	assert_int_equal(request_state_parse("DENIED"), REQ_DENIED);
	assert_int_equal(request_state_parse("denied"), REQ_UNKNOWN);
	assert_int_equal(request_state_parse(NULL), REQ_UNKNOWN);
	assert_string_equal(request_state_name(REQ_APPROVING), "APPROVING");
}

/* request_count_state, which must agree with the listing. */
static int64_t
in_state(struct ce_txn *txn, enum request_state st)
{
	int64_t n = -1;

	assert_int_equal(request_count_state(txn, st, &n, NULL), CE_OK);
	assert_int_equal(n, list(txn, st, 0, 100).n);
	return n;
}

static void
test_states_move_index_and_count(void **state)
{
	struct fixture *f = *state;
	struct ids ids;
	int64_t cert;

	put(f->txn, 1, REQ_PENDING, "bob");
	put(f->txn, 2, REQ_PENDING, "bob");
	put(f->txn, 3, REQ_PENDING, "carol");
	put(f->txn, 4, REQ_ISSUED, "bob");
	assert_int_equal(waiting(f->txn, "bob"), 2);
	assert_int_equal(waiting(f->txn, "carol"), 1);
	assert_int_equal(waiting(f->txn, "dave"), 0);
	ids = list(f->txn, REQ_PENDING, 0, 100);
	assert_int_equal(ids.n, 3);
	assert_int_equal(ids.id[0], 1);
	assert_int_equal(ids.id[2], 3);
	assert_int_equal(in_state(f->txn, REQ_PENDING), 3);
	/* Claimed: still waiting, no longer listed as pending. */
	set_state(f->txn, 2, REQ_APPROVING);
	assert_int_equal(in_state(f->txn, REQ_PENDING), 2);
	assert_int_equal(in_state(f->txn, REQ_APPROVING), 1);
	assert_int_equal(waiting(f->txn, "bob"), 2);
	assert_int_equal(list(f->txn, REQ_PENDING, 0, 100).n, 2);
	assert_int_equal(list(f->txn, REQ_APPROVING, 0, 100).n, 1);
	/* Decided: neither. */
	set_state(f->txn, 2, REQ_ISSUED);
	set_state(f->txn, 1, REQ_DENIED);
	assert_int_equal(waiting(f->txn, "bob"), 0);
	ids = list(f->txn, REQ_PENDING, 0, 100);
	assert_int_equal(ids.n, 1);
	assert_int_equal(ids.id[0], 3);
	ids = list(f->txn, REQ_DENIED, 0, 100);
	assert_int_equal(ids.n, 1);
	assert_int_equal(ids.id[0], 1);
	assert_int_equal(in_state(f->txn, REQ_PENDING), 1);
	assert_int_equal(in_state(f->txn, REQ_ISSUED), 2);
	/* Writing the same state again moves nothing. */
	set_state(f->txn, 3, REQ_PENDING);
	assert_int_equal(waiting(f->txn, "carol"), 1);
	assert_int_equal(list(f->txn, REQ_PENDING, 0, 100).n, 1);
	assert_int_equal(request_cert_id(f->txn, 3, &cert, NULL), CE_OK);
	assert_int_equal(cert, 0);
	assert_int_equal(request_cert_id(f->txn, 99, &cert, NULL), CE_NOTFOUND);
}

static void
test_paging(void **state)
{
	struct fixture *f = *state;
	struct ids ids;
	int64_t i;

	for (i = 1; i <= 12; i++)
		put(f->txn, i, i % 3 == 0 ? REQ_ISSUED : REQ_PENDING, "p");
	/* 1 2 4 5 7 8 10 11 are pending */
	ids = list(f->txn, REQ_PENDING, 3, 3);
	assert_int_equal(ids.n, 3);
	assert_int_equal(ids.id[0], 5);
	assert_int_equal(ids.id[1], 7);
	assert_int_equal(ids.id[2], 8);
	ids = list(f->txn, REQ_PENDING, 6, 5);
	assert_int_equal(ids.n, 2);
	assert_int_equal(ids.id[1], 11);
	assert_int_equal(list(f->txn, REQ_PENDING, 8, 5).n, 0);
	assert_int_equal(list(f->txn, REQ_PENDING, 0, 0).n, 0);
	/* Issued requests are found by scan, in id order too. */
	ids = list(f->txn, REQ_ISSUED, 1, 2);
	assert_int_equal(ids.n, 2);
	assert_int_equal(ids.id[0], 6);
}

/* Records an older certenroll wrote: listed (by scan) before any write,
 * indexed by the first write, which then counts the new request only. */
static void
test_backfill(void **state)
{
	struct fixture *f = *state;
	char key[DB_IDKEY_MAX];
	json_object *old;
	struct ids ids;
	size_t n;
	int64_t i;

	for (i = 1; i <= 3; i++) {
		old = json_object_new_object();
		json_object_object_add(old, "id", json_object_new_int64(i));
		json_object_object_add(old, "state", json_object_new_string(
		    i == 2 ? "ISSUED" : "PENDING"));
		json_object_object_add(old, "requester",
		    json_object_new_string("old"));
		assert_int_equal(db_put(f->txn, T_REQUESTS, db_idkey((uint64_t)i,
		    key), old, NULL), CE_OK);
		json_object_put(old);
	}
	ids = list(f->txn, REQ_PENDING, 0, 100);
	assert_int_equal(ids.n, 2);
	assert_int_equal(ids.id[1], 3);
	/* Counted by scan before the index is complete. */
	assert_int_equal(in_state(f->txn, REQ_PENDING), 2);
	assert_int_equal(db_count(f->txn, T_REQ_BY_STATE, &n, NULL), CE_OK);
	assert_int_equal(n, 0);
	put(f->txn, 4, REQ_PENDING, "new");
	/* 1, 3, 4 and the mark */
	assert_int_equal(db_count(f->txn, T_REQ_BY_STATE, &n, NULL), CE_OK);
	assert_int_equal(n, 4);
	ids = list(f->txn, REQ_PENDING, 0, 100);
	assert_int_equal(ids.n, 3);
	assert_int_equal(ids.id[2], 4);
	/* ... and by the index after: the mark is no request. */
	assert_int_equal(in_state(f->txn, REQ_PENDING), 3);
	assert_int_equal(waiting(f->txn, "new"), 1);
	/* An old request decided: its requester's count stays at none. */
	set_state(f->txn, 1, REQ_DENIED);
	assert_int_equal(waiting(f->txn, "old"), 0);
	assert_int_equal(list(f->txn, REQ_PENDING, 0, 100).n, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_states_move_index_and_count,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backfill, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
