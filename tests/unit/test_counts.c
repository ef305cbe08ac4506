/*
 * test_counts.c - counts: per-user counters moved with the records they
 * count.  Up and down, never below zero (a count that would is removed),
 * one per user and per table, nothing for no user, and nothing kept when
 * the transaction is not committed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "counts.h"
#include "kit.h"

/* t[who] read in a transaction of its own. */
static int64_t
count(struct kit *k, enum db_table t, const char *who)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	int64_t n = -1;

	E(db_begin(k->db, 0, &txn, &err));
	E(count_get(txn, t, who, &n, &err));
	db_abort(txn);
	return n;
}

/* Adds delta to t[who] and commits. */
static void
add(struct kit *k, enum db_table t, const char *who, int64_t delta)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;

	E(db_begin(k->db, 1, &txn, &err));
	E(count_add(txn, t, who, delta, &err));
	E(db_commit(txn, &err));
}

/* Whether t holds a record for who. */
static int
stored(struct kit *k, enum db_table t, const char *who)
{
	json_object *rec = kit_record(k, t, who);

	json_object_put(rec);
	return rec != NULL;
}

static void
test_up_down(void **state)
{
	struct kit *k = *state;

	CHECK(count(k, T_PENDCOUNT, "alice") == 0);
	add(k, T_PENDCOUNT, "alice", 1);
	add(k, T_PENDCOUNT, "alice", 1);
	add(k, T_PENDCOUNT, "alice", 3);
	CHECK(count(k, T_PENDCOUNT, "alice") == 5);
	add(k, T_PENDCOUNT, "alice", -2);
	CHECK(count(k, T_PENDCOUNT, "alice") == 3);
	/* to zero: the record goes */
	add(k, T_PENDCOUNT, "alice", -3);
	CHECK(count(k, T_PENDCOUNT, "alice") == 0);
	CHECK(!stored(k, T_PENDCOUNT, "alice"));
	/* below zero: the same, from a count or from none */
	add(k, T_PENDCOUNT, "alice", 2);
	add(k, T_PENDCOUNT, "alice", -5);
	CHECK(count(k, T_PENDCOUNT, "alice") == 0 &&
	    !stored(k, T_PENDCOUNT, "alice"));
	add(k, T_PENDCOUNT, "alice", -1);
	CHECK(!stored(k, T_PENDCOUNT, "alice"));
	/* and counting starts again from zero, not from minus one */
	add(k, T_PENDCOUNT, "alice", 1);
	CHECK(count(k, T_PENDCOUNT, "alice") == 1);
}

/* One count per user, per table; no user counts nothing. */
static void
test_separate(void **state)
{
	struct kit *k = *state;

	add(k, T_PENDCOUNT, "alice", 2);
	add(k, T_PENDCOUNT, "bob", 7);
	add(k, T_JOBCOUNT, "alice", 4);
	CHECK(count(k, T_PENDCOUNT, "alice") == 2);
	CHECK(count(k, T_PENDCOUNT, "bob") == 7);
	CHECK(count(k, T_JOBCOUNT, "alice") == 4);
	CHECK(count(k, T_JOBCOUNT, "bob") == 0);
	CHECK(count(k, T_PENDCOUNT, "Alice") == 0);
	add(k, T_PENDCOUNT, NULL, 5);
	add(k, T_PENDCOUNT, "", 5);
	CHECK(count(k, T_PENDCOUNT, NULL) == 0 && count(k, T_PENDCOUNT, "") == 0);
	CHECK(kit_count(k, T_PENDCOUNT) == 2);
}

/* A count moves with its transaction: aborted, nothing changed; inside
 * it, the transaction sees its own moves. */
static void
test_transaction(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	int64_t n;

	add(k, T_JOBCOUNT, "carol", 3);
	E(db_begin(k->db, 1, &txn, &err));
	E(count_add(txn, T_JOBCOUNT, "carol", 10, &err));
	E(count_get(txn, T_JOBCOUNT, "carol", &n, &err));
	CHECK(n == 13);
	E(count_add(txn, T_JOBCOUNT, "carol", -13, &err));
	E(count_get(txn, T_JOBCOUNT, "carol", &n, &err));
	CHECK(n == 0);
	db_abort(txn);
	CHECK(count(k, T_JOBCOUNT, "carol") == 3);
}

/* A record not written by counts (an older or damaged one) counts as its
 * integer "n" or as nothing, and a negative one as zero. */
static void
test_odd_records(void **state)
{
	static const struct {
		const char	*rec;
		int64_t		 get, after_add;	/* after count_add +1 */
	} cases[] = {
		{ "{\"n\":4}", 4, 5 },
		{ "{\"n\":\"4\"}", 0, 1 },
		{ "{\"n\":null}", 0, 1 },
		{ "{}", 0, 1 },
		{ "{\"n\":-3}", -3, 1 },
	};
	struct kit *k = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* PostgreSQL's schema refuses the odd ones (test_db_pg) */
		if (i > 0 && kit_on_postgresql())
			break;
		kit_put(k, T_PENDCOUNT, "dave", cases[i].rec);
		if (count(k, T_PENDCOUNT, "dave") != cases[i].get)
			fail_msg("%s: read as %lld", cases[i].rec,
			    (long long)count(k, T_PENDCOUNT, "dave"));
		add(k, T_PENDCOUNT, "dave", 1);
		if (count(k, T_PENDCOUNT, "dave") != cases[i].after_add)
			fail_msg("%s: +1 gives %lld", cases[i].rec,
			    (long long)count(k, T_PENDCOUNT, "dave"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_up_down),
		KIT_TEST(test_separate),
		KIT_TEST(test_transaction),
		KIT_TEST(test_odd_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
