/*
 * test_db.c - db.h: the storage interface on LMDB.  Records and raw
 * values by table and key, "not found" as an ordinary result, what a
 * committed, an aborted and a reopened transaction see, counters, walks
 * in key order, prefixes, db_write alone and batched (a failing request
 * rolled back alone), and the LMDB files never opened through a symlink.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "kit.h"

static void
put(struct ce_txn *txn, enum db_table t, const char *key, const char *json)
{
	struct ce_error err;
	json_object *rec = kit_json(json);

	E(db_put(txn, t, key, rec, &err));
	json_object_put(rec);
}

/* Whether t[key] is the record json, in a read transaction. */
static int
holds(struct kit *k, enum db_table t, const char *key, const char *json)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec = NULL, *want = json ? kit_json(json) : NULL;
	enum ce_err rc;
	int same;

	E(db_begin(k->db, 0, &txn, &err));
	rc = db_get(txn, t, key, &rec, &err);
	db_abort(txn);
	CHECK(rc == CE_OK || rc == CE_NOTFOUND);
	same = json == NULL ? rc == CE_NOTFOUND :
	    rc == CE_OK && json_object_equal(rec, want);
	json_object_put(rec);
	json_object_put(want);
	return same;
}

static void
test_records(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec = NULL;
	char path[128];
	struct stat st;

	CHECK(strcmp(db_dir(k->db), k->dir) == 0);
	snprintf(path, sizeof(path), "%s/db", k->dir);
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 0777) == 0700);
	E(db_begin(k->db, 1, &txn, &err));
	put(txn, T_USERS, "alice", "{\"roles\":[\"A\"]}");
	put(txn, T_ROLES, "alice", "{\"claims\":[]}");	/* tables apart */
	/* the transaction sees its own writes */
	E(db_get(txn, T_USERS, "alice", &rec, &err));
	json_object_put(rec);
	E(db_commit(txn, &err));
	CHECK(holds(k, T_USERS, "alice", "{\"roles\":[\"A\"]}"));
	CHECK(holds(k, T_ROLES, "alice", "{\"claims\":[]}"));
	CHECK(holds(k, T_USERS, "Alice", NULL));
	CHECK(holds(k, T_STORES, "alice", NULL));

	/* not found: ordinary, and *out NULL */
	E(db_begin(k->db, 0, &txn, &err));
	rec = json_object_new_object();		/* to be replaced by NULL */
	json_object_put(rec);
	EFAIL(db_get(txn, T_USERS, "bob", &rec, &err), CE_NOTFOUND, "");
	CHECK(rec == NULL);
	db_abort(txn);

	/* replaced, deleted, and an abort changes nothing */
	E(db_begin(k->db, 1, &txn, &err));
	put(txn, T_USERS, "alice", "{\"roles\":[\"B\"]}");
	E(db_del(txn, T_ROLES, "alice", &err));
	EFAIL(db_del(txn, T_ROLES, "alice", &err), CE_NOTFOUND, "");
	db_abort(txn);
	CHECK(holds(k, T_USERS, "alice", "{\"roles\":[\"A\"]}"));
	CHECK(holds(k, T_ROLES, "alice", "{\"claims\":[]}"));
	E(db_begin(k->db, 1, &txn, &err));
	put(txn, T_USERS, "alice", "{\"roles\":[\"B\"]}");
	E(db_del(txn, T_ROLES, "alice", &err));
	E(db_commit(txn, &err));
	CHECK(holds(k, T_USERS, "alice", "{\"roles\":[\"B\"]}"));
	CHECK(holds(k, T_ROLES, "alice", NULL));

	/* committed is durable: another environment on the folder sees it */
	db_close(k->db);
	E(db_open(k->dir, &k->db, &err));
	CHECK(holds(k, T_USERS, "alice", "{\"roles\":[\"B\"]}"));
}

static void
test_raw(void **state)
{
	static const unsigned char blob[] = { 'C', 'E', '1', 0, 0xff, 0, '{' };
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	unsigned char *v = NULL;
	json_object *rec = NULL;
	size_t len;

	E(db_begin(k->db, 1, &txn, &err));
	E(db_put_raw(txn, T_STAGING, "1", blob, sizeof(blob), &err));
	E(db_put_raw(txn, T_STAGING, "2", "[1,2]", 5, &err));
	E(db_put_raw(txn, T_STAGING, "3", "", 0, &err));
	E(db_commit(txn, &err));
	E(db_begin(k->db, 0, &txn, &err));
	E(db_get_raw(txn, T_STAGING, "1", &v, &len, &err));
	CHECK(len == sizeof(blob) && memcmp(v, blob, len) == 0 && v[len] == 0);
	free(v);
	E(db_get_raw(txn, T_STAGING, "3", &v, &len, &err));
	CHECK(len == 0 && v != NULL);
	free(v);
	EFAIL(db_get_raw(txn, T_STAGING, "4", &v, &len, &err), CE_NOTFOUND, "");
	CHECK(v == NULL && len == 0);
	/* a value that is no JSON object is no record */
	EFAIL(db_get(txn, T_STAGING, "1", &rec, &err), CE_DB, "internal error");
	EFAIL(db_get(txn, T_STAGING, "2", &rec, &err), CE_DB, "internal error");
	EFAIL(db_get(txn, T_STAGING, "3", &rec, &err), CE_DB, "internal error");
	CHECK(rec == NULL);
	db_abort(txn);
}

static void
test_counters(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	uint64_t n;

	E(db_begin(k->db, 1, &txn, &err));
	E(db_next_id(txn, "certificate", &n, &err));
	CHECK(n == 1);
	E(db_next_id(txn, "certificate", &n, &err));
	CHECK(n == 2);
	E(db_next_id(txn, "request", &n, &err));
	CHECK(n == 1);
	E(db_commit(txn, &err));
	/* an aborted transaction takes no id */
	E(db_begin(k->db, 1, &txn, &err));
	E(db_next_id(txn, "certificate", &n, &err));
	CHECK(n == 3);
	db_abort(txn);
	E(db_begin(k->db, 1, &txn, &err));
	E(db_next_id(txn, "certificate", &n, &err));
	CHECK(n == 3);
	/* a counter that is not 8 bytes is a fault, not a guess */
	E(db_put_raw(txn, T_COUNTERS, "odd", "123", 3, &err));
	EFAIL(db_next_id(txn, "odd", &n, &err), CE_DB, "internal error");
	db_abort(txn);
}

struct seen {
	char	 keys[8][DB_IDKEY_MAX];
	int	 n, stop_at;
};

/* Notes key; 1 (stop) when the walk has seen stop_at keys. */
static int
seen(struct seen *s, const char *key)
{
	snprintf(s->keys[s->n++], DB_IDKEY_MAX, "%s", key);
	return s->n == s->stop_at;
}

static int
seen_cb(const char *key, json_object *val, void *arg)
{
	CHECK(json_object_is_type(val, json_type_object));
	return seen(arg, key);
}

static int
seen_raw_cb(const char *key, const unsigned char *val, size_t len, void *arg)
{
	(void)val;
	(void)len;
	return seen(arg, key);
}

static void
test_walks(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct seen s;
	unsigned char *v = NULL;
	char key[DB_IDKEY_MAX], small[8];
	size_t len, n;

	/* numeric ids sort as numbers */
	CHECK(strcmp(db_idkey(7, key), "00000000000000000007") == 0);
	CHECK(strcmp(db_idkey(UINT64_MAX, key), "18446744073709551615") == 0);
	E(db_begin(k->db, 1, &txn, &err));
	put(txn, T_CERTS, db_idkey(10, key), "{\"id\":10}");
	put(txn, T_CERTS, db_idkey(9, key), "{\"id\":9}");
	put(txn, T_CERTS, db_idkey(100, key), "{\"id\":100}");
	put(txn, T_KEYPOOL, "RSA-2048/2", "{}");
	put(txn, T_KEYPOOL, "ECC-P-256/1", "{}");
	put(txn, T_KEYPOOL, "RSA-2048/1", "{}");
	put(txn, T_KEYPOOL, "RSA-20480/0", "{}");
	E(db_commit(txn, &err));

	E(db_begin(k->db, 0, &txn, &err));
	memset(&s, 0, sizeof(s));
	E(db_foreach(txn, T_CERTS, seen_cb, &s, &err));
	CHECK(s.n == 3 && strcmp(s.keys[0], db_idkey(9, key)) == 0 &&
	    strcmp(s.keys[1], db_idkey(10, key)) == 0 &&
	    strcmp(s.keys[2], db_idkey(100, key)) == 0);
	/* a visitor may stop the walk */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	E(db_foreach_raw(txn, T_KEYPOOL, seen_raw_cb, &s, &err));
	CHECK(s.n == 2 && strcmp(s.keys[0], "ECC-P-256/1") == 0 &&
	    strcmp(s.keys[1], "RSA-2048/1") == 0);
	memset(&s, 0, sizeof(s));
	E(db_foreach(txn, T_ROLES, seen_cb, &s, &err));
	CHECK(s.n == 0);
	E(db_count(txn, T_KEYPOOL, &n, &err));
	CHECK(n == 4);
	E(db_count(txn, T_ROLES, &n, &err));
	CHECK(n == 0);

	/* the first key with a prefix, in key order */
	E(db_first_prefix(txn, T_KEYPOOL, "RSA-2048/", key, sizeof(key), &v,
	    &len, &err));
	CHECK(strcmp(key, "RSA-2048/1") == 0 && len == 2 &&
	    memcmp(v, "{}", 2) == 0);
	free(v);
	E(db_first_prefix(txn, T_KEYPOOL, "RSA-20480/", key, sizeof(key), &v,
	    &len, &err));
	CHECK(strcmp(key, "RSA-20480/0") == 0);
	free(v);
	EFAIL(db_first_prefix(txn, T_KEYPOOL, "Ed25519/", key, sizeof(key), &v,
	    &len, &err), CE_NOTFOUND, "");
	EFAIL(db_first_prefix(txn, T_KEYPOOL, "ZZZ", key, sizeof(key), &v,
	    &len, &err), CE_NOTFOUND, "");
	CHECK(v == NULL && len == 0);
	/* a key longer than the buffer is not cut */
	EFAIL(db_first_prefix(txn, T_KEYPOOL, "RSA", small, sizeof(small), &v,
	    &len, &err), CE_NOTFOUND, "");
	db_abort(txn);

	/* a record that does not parse stops a walk as a fault */
	E(db_begin(k->db, 1, &txn, &err));
	E(db_put_raw(txn, T_CERTS, db_idkey(50, key), "{broken", 7, &err));
	memset(&s, 0, sizeof(s));
	EFAIL(db_foreach(txn, T_CERTS, seen_cb, &s, &err), CE_DB,
	    "internal error");
	CHECK(s.n == 2);
	db_abort(txn);
	CHECK(json_arr_len(NULL) == 0);
}

/* db_write's function: puts arg's record, fails when arg says so. */
struct job {
	char	 key[32];
	int	 fail;
};

static enum ce_err
write_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	static const char rec[] = "{\"done\":true}";
	struct job *j = arg;
	uint64_t n;
	enum ce_err rc;

	/* No cmocka here: it also runs in test_write_batched's child. */
	if ((rc = db_next_id(txn, "writes", &n, err)) != CE_OK ||
	    (rc = db_put_raw(txn, T_JOBS, j->key, rec, sizeof(rec) - 1,
	    err)) != CE_OK)
		return rc;
	return j->fail ? ce_fail(err, CE_INVAL, "job %s refused", j->key) : CE_OK;
}

static void
test_write_alone(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct job ok = { "ok", 0 }, bad = { "bad", 1 };

	E(db_write(k->db, write_fn, &ok, &err));
	EFAIL(db_write(k->db, write_fn, &bad, &err), CE_INVAL, "job bad refused");
	CHECK(holds(k, T_JOBS, "ok", "{\"done\":true}"));
	CHECK(holds(k, T_JOBS, "bad", NULL));
}

#define THREADS	4
#define WRITES	25

struct writer {
	struct ce_db	*db;
	int		 id, failed;
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct ce_error err;
	struct job j;
	int i;

	for (i = 0; i < WRITES; i++) {
		snprintf(j.key, sizeof(j.key), "w%d/%02d", w->id, i);
		j.fail = w->id == 0;	/* the first writer always fails */
		ce_error_clear(&err);
		if (db_write(w->db, write_fn, &j, &err) != (j.fail ? CE_INVAL :
		    CE_OK))
			w->failed++;
	}
	return NULL;
}

/* Batched writes from several threads: each request's writes committed
 * or rolled back alone.  In a child process with an environment of its
 * own (opened after fork, as db.h asks): the committer thread outlives
 * db_close(), and must not meet another test's environment. */
static void
test_write_batched(void **state)
{
	struct kit *k = *state;
	struct writer w[THREADS];
	pthread_t t[THREADS];
	struct ce_error err;
	struct ce_txn *txn = NULL;
	size_t n;
	pid_t pid;
	int i, status;

	CHECK((pid = fork()) != -1);
	if (pid == 0) {
		struct ce_db *db = NULL;

		if (db_open(k->dir, &db, NULL) != CE_OK)
			_exit(1);
		db_set_batching(db, 1);
		for (i = 0; i < THREADS; i++) {
			w[i] = (struct writer){ db, i, 0 };
			if (pthread_create(&t[i], NULL, writer_main, &w[i]) != 0)
				_exit(2);
		}
		for (i = 0; i < THREADS; i++)
			if (pthread_join(t[i], NULL) != 0 || w[i].failed != 0)
				_exit(3);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("batched writer exited %d", WEXITSTATUS(status));
	/* the environment of the parent reads what the child committed */
	E(db_begin(k->db, 0, &txn, &err));
	E(db_count(txn, T_JOBS, &n, &err));
	db_abort(txn);
	CHECK(n == (THREADS - 1) * WRITES);
	CHECK(holds(k, T_JOBS, "w1/00", "{\"done\":true}"));
	CHECK(holds(k, T_JOBS, "w3/24", "{\"done\":true}"));
	CHECK(holds(k, T_JOBS, "w0/00", NULL));
}

/* LMDB follows symlinks: db_open refuses a db/ or LMDB file that is one. */
static void
test_symlinks(void **state)
{
	static const char *const names[] = { "db", "db/data.mdb", "db/lock.mdb" };
	struct kit *k = *state, k2;
	struct ce_error err;
	struct ce_db *db = NULL;
	char path[128], moved[140], *log;
	size_t i;

	db_close(k->db);
	k->db = NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		kit_open(&k2);
		db_close(k2.db);
		k2.db = NULL;
		snprintf(path, sizeof(path), "%s/%s", k2.dir, names[i]);
		snprintf(moved, sizeof(moved), "%s.real", path);
		CHECK(rename(path, moved) == 0 && symlink(moved, path) == 0);
		kit_log_begin();
		ce_error_clear(&err);
		CHECK(db_open(k2.dir, &db, &err) == CE_SYSTEM && db == NULL);
		log = kit_log_end();
		if (strstr(log, "(a symlink is refused)") == NULL)
			fail_msg("%s: logged '%s'", names[i], log);
		free(log);
		kit_close(&k2);
	}
	E(db_open(k->dir, &k->db, &err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_records),
		KIT_TEST(test_raw),
		KIT_TEST(test_counters),
		KIT_TEST(test_walks),
		KIT_TEST(test_write_alone),
		KIT_TEST(test_write_batched),
		KIT_TEST(test_symlinks),
	};

	/* LMDB's own behaviour (PostgreSQL's: test_db_pg) */
	if (kit_on_postgresql())
		return 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
