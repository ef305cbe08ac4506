/*
 * test_db_pg.c - db.h on PostgreSQL (db_pg.c), where it differs from LMDB:
 * records kept byte for byte and sorted as bytes, counters as int32
 * sequences, concurrent writers that conflict and are run again, claims
 * that skip what another transaction holds, the schema's constraints,
 * its version check, and a database that cannot be reached (503, the
 * connection string never logged).  Runs when CERTENROLL_TEST_DATABASE
 * names a PostgreSQL database (make unit-pg); skipped otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>


#include "counts.h"
#include "kit.h"

#define NEED_PG() do { if (!kit_on_postgresql()) skip(); } while (0)

static void
test_bytes_and_order(void **state)
{
	/* json-c's text, spaces and key order as they are */
	static const char rec[] = "{\"b\":1,  \"a\":[2,\"\\u00e9\"]}";
	static const char *const keys[] = { "B", "a", "a/1", "a\xc3\xa9", "b" };
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	unsigned char *got = NULL;
	char first[64];
	size_t len, i;

	NEED_PG();
	CHECK(strcmp(db_backend(k->db), "postgresql") == 0);
	E(db_begin(k->db, 1, &txn, &err));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		E(db_put_raw(txn, T_SETTINGS, keys[i], rec, sizeof(rec) - 1,
		    &err));
	E(db_commit(txn, &err));
	E(db_begin(k->db, 0, &txn, &err));
	E(db_get_raw(txn, T_SETTINGS, "a", &got, &len, &err));
	CHECK(len == sizeof(rec) - 1 && memcmp(got, rec, len) == 0);
	free(got);
	E(db_first_prefix(txn, T_SETTINGS, "a", first, sizeof(first), &got,
	    &len, &err));
	CHECK(strcmp(first, "a") == 0);
	free(got);
	EFAIL(db_first_prefix(txn, T_SETTINGS, "c", first, sizeof(first), &got,
	    &len, &err), CE_NOTFOUND, "");
	db_abort(txn);
	CHECK(kit_count(k, T_SETTINGS) == 5);
}

struct keys {
	char	 k[8][32];
	int	 n;
};

static int
key_cb(const char *key, json_object *val, void *arg)
{
	struct keys *ks = arg;

	(void)val;
	snprintf(ks->k[ks->n++], sizeof(ks->k[0]), "%s", key);
	return ks->n == 8;
}

static void
test_walk_order(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct keys ks;

	NEED_PG();
	kit_put(k, T_SETTINGS, "b", "{}");
	kit_put(k, T_SETTINGS, "a\xc3\xa9", "{}");
	kit_put(k, T_SETTINGS, "B", "{}");
	kit_put(k, T_SETTINGS, "a/1", "{}");
	kit_put(k, T_SETTINGS, "a", "{}");
	memset(&ks, 0, sizeof(ks));
	E(db_begin(k->db, 0, &txn, &err));
	E(db_foreach(txn, T_SETTINGS, key_cb, &ks, &err));
	CHECK(ks.n == 5);
	CHECK(strcmp(ks.k[0], "B") == 0 && strcmp(ks.k[1], "a") == 0 &&
	    strcmp(ks.k[2], "a/1") == 0 && strcmp(ks.k[3], "a\xc3\xa9") == 0 &&
	    strcmp(ks.k[4], "b") == 0);
	memset(&ks, 0, sizeof(ks));
	E(db_foreach_prefix(txn, T_SETTINGS, "a", key_cb, &ks, &err));
	CHECK(ks.n == 3);
	db_abort(txn);
}

/* More records than a page of the walk, each seen once. */
static void
test_walk_pages(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	char key[DB_IDKEY_MAX];
	size_t n = 0;
	int i;

	NEED_PG();
	for (i = 1; i <= 700; i++)
		kit_put(k, T_USERS, db_idkey((uint64_t)i, key), "{\"roles\":[]}");
	E(db_begin(k->db, 0, &txn, &err));
	E(db_count(txn, T_USERS, &n, &err));
	db_abort(txn);
	CHECK(n == 700);
	CHECK(kit_count(k, T_USERS) == 700);
}

static void
test_counters(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	unsigned char *raw = NULL;
	uint64_t n, v;
	size_t len;

	NEED_PG();
	E(db_begin(k->db, 1, &txn, &err));
	E(db_next_id(txn, "certificate", &n, &err));
	CHECK(n == 1);
	E(db_next_id(txn, "certificate", &n, &err));
	CHECK(n == 2);
	E(db_commit(txn, &err));
	/* an aborted transaction may leave a gap, never a repeat */
	E(db_begin(k->db, 1, &txn, &err));
	E(db_next_id(txn, "certificate", &n, &err));
	CHECK(n == 3);
	db_abort(txn);
	E(db_begin(k->db, 1, &txn, &err));
	E(db_next_id(txn, "certificate", &n, &err));
	CHECK(n == 4);
	/* the counters read as LMDB holds them: 8 native bytes */
	E(db_get_raw(txn, T_COUNTERS, "certificate", &raw, &len, &err));
	CHECK(len == sizeof(v));
	memcpy(&v, raw, sizeof(v));
	free(raw);
	CHECK(v == 4);
	EFAIL(db_get_raw(txn, T_COUNTERS, "job", &raw, &len, &err),
	    CE_NOTFOUND, "");
	/* the API's ids are int32: the sequence ends there */
	E(db_counter_set(txn, "certificate", 2147483646, &err));
	E(db_next_id(txn, "certificate", &n, &err));
	CHECK(n == 2147483647);
	kit_log_begin();
	EFAIL(db_next_id(txn, "certificate", &n, &err), CE_DB, "internal");
	free(kit_log_end());
	db_abort(txn);
	/* an unknown counter is a fault */
	E(db_begin(k->db, 1, &txn, &err));
	kit_log_begin();
	EFAIL(db_next_id(txn, "nosuch", &n, &err), CE_DB, "internal");
	free(kit_log_end());
	db_abort(txn);
}

#define THREADS	4
#define ADDS	25

/* What the adders of one test share: runs of add_fn, how many are
 * inside one at once and whether two ever were. */
struct turns {
	pthread_mutex_t	 m;
	int		 runs, inside, overlapped;
};

struct adder {
	struct ce_db	*db;
	const char	*lock;		/* db_write_as's, or NULL */
	struct turns	*turns;
	int		 failed;
};

static enum ce_err
add_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct turns *t = arg;
	enum ce_err rc;

	pthread_mutex_lock(&t->m);
	t->runs++;
	t->overlapped |= t->inside++ > 0;
	pthread_mutex_unlock(&t->m);
	rc = count_add(txn, T_PENDCOUNT, "dave", 1, err);
	usleep(2000);	/* long enough for another writer to come in */
	pthread_mutex_lock(&t->m);
	t->inside--;
	pthread_mutex_unlock(&t->m);
	return rc;
}

static void *
adder_main(void *arg)
{
	struct adder *a = arg;
	struct ce_error err;
	int i;

	for (i = 0; i < ADDS; i++) {
		ce_error_clear(&err);
		if (db_write_as(a->db, a->lock, add_fn, a->turns, &err) != CE_OK)
			a->failed++;
	}
	return NULL;
}

/* THREADS adders at once; the count they made. */
static int64_t
add_at_once(struct kit *k, const char *lock, struct turns *turns)
{
	struct adder a[THREADS];
	pthread_t t[THREADS];
	struct ce_error err;
	struct ce_txn *txn = NULL;
	int64_t n = 0;
	int i;

	memset(turns, 0, sizeof(*turns));
	CHECK(pthread_mutex_init(&turns->m, NULL) == 0);
	for (i = 0; i < THREADS; i++) {
		a[i] = (struct adder){ k->db, lock, turns, 0 };
		CHECK(pthread_create(&t[i], NULL, adder_main, &a[i]) == 0);
	}
	for (i = 0; i < THREADS; i++) {
		CHECK(pthread_join(t[i], NULL) == 0);
		CHECK(a[i].failed == 0);
	}
	pthread_mutex_destroy(&turns->m);
	E(db_begin(k->db, 0, &txn, &err));
	E(count_get(txn, T_PENDCOUNT, "dave", &n, &err));
	db_abort(txn);
	return n;
}

/* Read-modify-write of one record from several threads at once: the
 * conflicts are run again, no increment is lost.  Naming one lock
 * (db_write_as), the writes take turns: never two inside at once, and no
 * run is repeated. */
static void
test_conflicts_run_again(void **state)
{
	struct kit *k = *state;
	struct turns turns;

	NEED_PG();
	CHECK(add_at_once(k, NULL, &turns) == THREADS * ADDS);
	CHECK(turns.runs >= THREADS * ADDS);
	CHECK(add_at_once(k, "count/dave", &turns) == 2 * THREADS * ADDS);
	CHECK(turns.runs == THREADS * ADDS);
	CHECK(!turns.overlapped);
}

/* Two claimers at once take different queue entries. */
static void
test_claims_skip_locked(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *a = NULL, *b = NULL, *r = NULL;
	char ka[64], kb[64], kr[64];
	unsigned char *v = NULL;
	size_t len;

	NEED_PG();
	kit_put(k, T_JOBQ, "001/1", "{\"id\":1}");
	kit_put(k, T_JOBQ, "001/2", "{\"id\":2}");
	E(db_begin(k->db, 1, &a, &err));
	E(db_begin(k->db, 1, &b, &err));
	E(db_first_prefix(a, T_JOBQ, "0", ka, sizeof(ka), &v, &len, &err));
	free(v);
	E(db_first_prefix(b, T_JOBQ, "0", kb, sizeof(kb), &v, &len, &err));
	free(v);
	CHECK(strcmp(ka, "001/1") == 0 && strcmp(kb, "001/2") == 0);
	/* a reader is not held up, and sees both */
	E(db_begin(k->db, 0, &r, &err));
	E(db_first_prefix(r, T_JOBQ, "0", kr, sizeof(kr), &v, &len, &err));
	free(v);
	CHECK(strcmp(kr, "001/1") == 0);
	db_abort(r);
	E(db_del(a, T_JOBQ, ka, &err));
	E(db_del(b, T_JOBQ, kb, &err));
	E(db_commit(a, &err));
	E(db_commit(b, &err));
	CHECK(kit_count(k, T_JOBQ) == 0);
}

static void
expect_refused(struct kit *k, enum db_table t, const char *key,
    const char *json)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec = kit_json(json);
	enum ce_err rc;
	char *log;

	E(db_begin(k->db, 1, &txn, &err));
	kit_log_begin();
	ce_error_clear(&err);
	rc = db_put(txn, t, key, rec, &err);
	if (rc == CE_OK)
		rc = db_commit(txn, &err);
	else
		db_abort(txn);
	log = kit_log_end();
	json_object_put(rec);
	if (rc != CE_DB)
		fail_msg("%s %s accepted", db_table_name(t), key);
	/* the row's values (what clients sent) stay out of the log */
	if (strstr(log, "<b>") != NULL || strstr(log, "Failing row") != NULL)
		fail_msg("the log quotes the row: %s", log);
	free(log);
}

/* The schema holds the invariants whoever writes. */
static void
test_constraints(void **state)
{
	struct kit *k = *state;
	char key[DB_IDKEY_MAX];

	NEED_PG();
	kit_put(k, T_CERTS, db_idkey(1, key), "{\"id\":1,\"thumbprint\":\"AA\","
	    "\"serial\":\"01\",\"issuer\":\"CN=I\",\"not_after\":5}");
	/* the key is the id */
	expect_refused(k, T_CERTS, db_idkey(3, key), "{\"id\":2,"
	    "\"thumbprint\":\"BB\",\"serial\":\"02\",\"issuer\":\"CN=I\","
	    "\"not_after\":5}");
	/* a serial once per issuer; a thumbprint once */
	expect_refused(k, T_CERTS, db_idkey(2, key), "{\"id\":2,"
	    "\"thumbprint\":\"BB\",\"serial\":\"01\",\"issuer\":\"CN=I\","
	    "\"not_after\":5}");
	expect_refused(k, T_CERTS, db_idkey(2, key), "{\"id\":2,"
	    "\"thumbprint\":\"AA\",\"serial\":\"02\",\"issuer\":\"CN=I\","
	    "\"not_after\":5}");
	kit_put(k, T_CERTS, db_idkey(2, key), "{\"id\":2,\"thumbprint\":\"BB\","
	    "\"serial\":\"01\",\"issuer\":\"CN=Other\",\"not_after\":5}");
	/* ids are positive int32 */
	expect_refused(k, T_REQUESTS, db_idkey(0, key), "{\"id\":0,"
	    "\"state\":\"PENDING\"}");
	expect_refused(k, T_REQUESTS, "00000000002147483648", "{\"id\":"
	    "2147483648,\"state\":\"PENDING\"}");
	/* states are the API's */
	expect_refused(k, T_REQUESTS, db_idkey(1, key), "{\"id\":1,"
	    "\"state\":\"MAYBE\\n<b>x</b>\"}");
	expect_refused(k, T_JOBS, db_idkey(1, key), "{\"id\":1,"
	    "\"store_id\":\"s\",\"status\":\"lost\"}");
	/* counts never go below zero; an index points at a certificate */
	expect_refused(k, T_PENDCOUNT, "dave", "{\"n\":-1}");
	expect_refused(k, T_BY_SERIAL, "77", "{\"id\":99}");
	CHECK(kit_count(k, T_CERTS) == 2 && kit_count(k, T_REQUESTS) == 0);
}

/* Runs sql in the test's schema, beside the backend. */
static void
admin_sql(struct kit *k, const char *sql)
{
	char url[1024];

	kit_schema_url(k, url, sizeof(url));
	kit_pg_exec(url, sql);
}

/* Opens the test's database afresh (no pooled connection) and begins. */
static void
begin_fails(struct kit *k, const char *says)
{
	struct ce_error err;
	struct ce_db *db = NULL;
	struct ce_txn *txn = NULL;
	char url[1024];

	kit_schema_url(k, url, sizeof(url));
	E(db_open_url(k->dir, url, &db, &err));
	kit_log_begin();
	EFAIL(db_begin(db, 0, &txn, &err), CE_DB, says);
	free(kit_log_end());
	db_close(db);
}

/* Migrating twice changes nothing; a program refuses a schema other than
 * its own, saying what to do. */
static void
test_schema_version(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	int from, to;

	NEED_PG();
	E(db_migrate(k->db, &from, &to, &err));
	CHECK(from == to && to >= 1);
	admin_sql(k, "UPDATE schema_version SET version = version + 100");
	begin_fails(k, "upgrade certenroll");
	EFAIL(db_migrate(k->db, &from, &to, &err), CE_DB, "newer than");
	admin_sql(k, "DROP TABLE schema_version");
	begin_fails(k, "run `certenroll db migrate`");
}

/* A database of the first release (schema 1: what 002 and later did is
 * undone by hand here) is refused until migrated; migrating applies the
 * later ones and keeps the records. */
static void
test_upgrade_from_1(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec = NULL;
	int from, to;

	NEED_PG();
	kit_put(k, T_SETTINGS, "kept", "{\"value\":\"yes\"}");
	admin_sql(k, "DROP INDEX certs_cn_lower; "
	    "CREATE INDEX certs_cn ON certs (cn); "
	    "DROP TABLE retained_keys, retained_due; DROP SEQUENCE counter_user; "
	    "DROP TABLE revoked, crls; ALTER TABLE certs DROP COLUMN state; "
	    "DELETE FROM schema_version WHERE version > 1");
	begin_fails(k, "run `certenroll db migrate`");
	E(db_migrate(k->db, &from, &to, &err));
	CHECK(from == 1 && to == 6);
	E(db_begin(k->db, 0, &txn, &err));
	E(db_get(txn, T_SETTINGS, "kept", &rec, &err));
	db_abort(txn);
	json_object_put(rec);
	E(db_migrate(k->db, &from, &to, &err));
	CHECK(from == 6 && to == 6);
}

/* Down: 503 with a message for the client, the details in the log, no
 * password anywhere. */
static void
test_unavailable(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_db *db = NULL;
	struct ce_txn *txn = NULL;
	char *log;

	NEED_PG();
	E(db_open_url(k->dir, "postgresql://certenroll:s3cret-pw@/nodb?"
	    "host=/nonexistent-socket-dir", &db, &err));
	kit_log_begin();
	EFAIL(db_begin(db, 0, &txn, &err), CE_UNAVAIL,
	    "The database is unavailable");
	CHECK(ce_http_status(err.code) == 503);
	EFAIL(db_write_put(db, T_SETTINGS, "x", NULL, &err), CE_UNAVAIL,
	    "unavailable");
	log = kit_log_end();
	CHECK(strstr(log, "database unavailable") != NULL);
	CHECK(strstr(log, "s3cret-pw") == NULL);
	CHECK(strstr(err.msg, "s3cret-pw") == NULL);
	free(log);
	db_close(db);
	EFAIL(db_open_url(k->dir, "mysql://x", &db, &err), CE_INVAL,
	    "postgresql://");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_bytes_and_order),
		KIT_TEST(test_walk_order),
		KIT_TEST(test_walk_pages),
		KIT_TEST(test_counters),
		KIT_TEST(test_conflicts_run_again),
		KIT_TEST(test_claims_skip_locked),
		KIT_TEST(test_constraints),
		KIT_TEST(test_schema_version),
		KIT_TEST(test_upgrade_from_1),
		KIT_TEST(test_unavailable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
