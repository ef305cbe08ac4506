/*
 * test_dbcopy.c - dbcopy.h: a digest per table that any change of a record
 * changes, and copies that arrive whole: LMDB to LMDB, and, when
 * CERTENROLL_TEST_DATABASE names PostgreSQL, LMDB to PostgreSQL and back,
 * byte for byte (the digests of the two backends agree).  A copy into a
 * database that holds records is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dbcopy.h"
#include "kit.h"

#define WEB	"{\"name\":\"WebServer\",\"keys\":[\"ECC-P-256\"],\"key_usage\":" \
		"[\"digitalSignature\"],\"eku\":[\"serverAuth\"]}"
#define BODY(cn) "{\"Subject\":\"CN=" cn "\",\"Template\":\"WebServer\"," \
		"\"KeyType\":\"ECC\",\"Timestamp\":\"2026-01-01T00:00:00Z\"}"

/* Some of everything an installation holds. */
static void
fill(struct kit *k)
{
	kit_ca(k, "host\\RootCA", "ECC-P-256", 30, NULL);
	kit_template(k, WEB);
	kit_role(k, "Enrollers", "/certificates/enrollment/pfx/");
	kit_user(k, "alice", "Enrollers");
	kit_setting(k, "staging_lifetime", "300");
	kit_issue(k, "alice", FMT_PEM, BODY("a.example.com"));
}

static int
same(const struct db_table_digest *a, const struct db_table_digest *b)
{
	int t;

	for (t = 0; t < DB_NTABLES; t++)
		if (strcmp(a[t].table, b[t].table) != 0 ||
		    a[t].count != b[t].count ||
		    memcmp(a[t].sha256, b[t].sha256, 32) != 0)
			return 0;
	return 1;
}

static uint64_t
total(const struct db_table_digest *d)
{
	uint64_t n = 0;
	int t;

	for (t = 0; t < DB_NTABLES; t++)
		n += d[t].count;
	return n;
}

static void
test_digest_sees_changes(void **state)
{
	struct kit *k = *state;
	struct db_table_digest a[DB_NTABLES], b[DB_NTABLES];
	struct ce_error err;

	fill(k);
	E(db_digest(k->db, a, &err));
	E(db_digest(k->db, b, &err));
	CHECK(same(a, b) && total(a) > 10);
	kit_setting(k, "staging_lifetime", "301");
	E(db_digest(k->db, b, &err));
	CHECK(!same(a, b));
	CHECK(a[T_SETTINGS].count == b[T_SETTINGS].count);
	CHECK(memcmp(a[T_CERTS].sha256, b[T_CERTS].sha256, 32) == 0);
}

/* src (filled) copied into dst, then dst's state is src's. */
static void
copy_and_check(struct kit *src, struct kit *dst)
{
	struct db_table_digest a[DB_NTABLES], b[DB_NTABLES];
	struct ce_error err;
	uint64_t n;

	E(db_copy(src->db, dst->db, &n, &err));
	E(db_digest(src->db, a, &err));
	E(db_digest(dst->db, b, &err));
	CHECK(same(a, b));
	CHECK(n == total(a));
	/* the copy works with the original's key files (each host holds
	 * them): its next id follows the original's */
	E(db_set_key_dir(dst->db, src->dir, &err));
	CHECK(kit_issue(dst, "alice", FMT_PEM, BODY("b.example.com")) == 2);
	/* ... and a second copy into it is refused */
	EFAIL(db_copy(src->db, dst->db, &n, &err), CE_CONFLICT,
	    "already holds records");
}

static void
test_copy(void **state)
{
	struct kit *k = *state, other;

	fill(k);
	/* the same backend; on PostgreSQL: PostgreSQL to PostgreSQL */
	kit_open(&other);
	copy_and_check(k, &other);
	kit_close(&other);
}

/* A second folder like kit_open's, on LMDB whatever the tests run on. */
static void
open_lmdb(struct kit *k)
{
	struct ce_error err;

	kit_open(k);
	db_close(k->db);
	k->db = NULL;
	E(db_open_url(k->dir, "lmdb", &k->db, &err));
}

/* LMDB to PostgreSQL and PostgreSQL to LMDB: the digests agree. */
static void
test_copy_across_backends(void **state)
{
	struct kit *k = *state, other;
	struct db_table_digest a[DB_NTABLES], b[DB_NTABLES];
	struct ce_error err;
	uint64_t n;

	if (!kit_on_postgresql())
		skip();
	/* k is on PostgreSQL: an LMDB installation beside it, copied in */
	open_lmdb(&other);
	fill(&other);
	copy_and_check(&other, k);
	kit_close(&other);
	/* and back: PostgreSQL (k) into a fresh LMDB */
	open_lmdb(&other);
	E(db_copy(k->db, other.db, &n, &err));
	E(db_digest(k->db, a, &err));
	E(db_digest(other.db, b, &err));
	CHECK(same(a, b));
	kit_close(&other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_digest_sees_changes),
		KIT_TEST(test_copy),
		KIT_TEST(test_copy_across_backends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
