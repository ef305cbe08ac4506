/*
 * db.h - the storage interface beneath the record modules (lib/records/),
 * answered by LMDB on one host (db_lmdb.c) or by PostgreSQL shared by many
 * hosts (db_pg.c); db.c chooses and holds what both share.
 *
 * Records are JSON documents (json-c objects) filed under string keys in
 * named tables; raw byte values are used for counters and sealed keys (the
 * key pool).  Keys sort as bytes on both backends.
 *
 * Rules: open after fork, one ce_db per process.  A transaction begins and
 * ends inside one lib function; values returned by db_get() are new objects
 * owned by the caller (json_object_put), copied out of the map, so they stay
 * valid after the transaction ends.  "Not found" is CE_NOTFOUND, an ordinary
 * result that does not log.
 */
#ifndef CE_DB_H
#define CE_DB_H

#include <stdint.h>
#include <stddef.h>
#include <json-c/json.h>
#include "error.h"

enum db_table {
	T_SETTINGS,	/* name -> {"value": "..."} */
	T_COUNTERS,	/* name -> raw uint64 */
	T_CAS,		/* "host\\Logical" -> CA record */
	T_TEMPLATES,	/* short name (lower-case) -> template record */
	T_PATTERNS,	/* pattern id -> enrollment pattern record */
	T_CERTS,	/* cert id -> certificate record */
	T_BY_THUMB,	/* thumbprint -> {"id": n} */
	T_BY_SERIAL,	/* serial hex -> {"id": n} */
	T_REQUESTS,	/* request id -> request record */
	T_STAGING,	/* cert id -> staging record (certdb.h) */
	T_USERS,	/* user name -> {"id": n, "roles": [...]} */
	T_ROLES,	/* role name -> {"claims": [...]} */
	T_STORES,	/* store GUID -> certificate store record */
	T_JOBS,		/* job id -> management job record */
	T_LOCATIONS,	/* cert id -> {"locations": [...]} */
	T_KEYPOOL,	/* "<spec>/<seq>" -> raw sealed private key */
	T_JOBQ,		/* "<when>/<job id>" -> {"id": n}: unfinished jobs */
	T_SERIALS,	/* serial hex -> reservation (serials.h): signed serials */
	T_JOBCOUNT,	/* requester -> {"n": queue entries of theirs} (jobs.h) */
	T_PENDCOUNT,	/* requester -> {"n": requests of theirs awaiting a
			 * decision (PENDING, APPROVING)} (counts.h) */
	T_REQ_BY_STATE,	/* "<STATE>/<id, 20 digits>" -> {}: requests not
			 * issued, by state (request.h) */
	T_REVOKED,	/* "<CA id, 20 digits>/<serial>" -> revoked entry
			 * (revoked.h) */
	T_CRLS,		/* CA id -> its last CRL (crl.h) */
	T_RETAINED,	/* cert id -> its sealed private key (retained.h) */
	T_RETAINED_DUE,	/* "<until>/<cert id>" -> {}: kept keys by time */
	T__MAX
};

struct ce_db;
struct ce_txn;

/* Opens (creating if needed) the LMDB environment in dir/db.  Caller closes. */
enum ce_err	db_open(const char *dir, struct ce_db **out, struct ce_error *err);
/*
 * Opens the database certenroll.conf names: NULL, "" or "lmdb" is LMDB in
 * dir/db; "postgresql://..." or "postgres://..." (a libpq connection URI) is
 * PostgreSQL, whose schema `certenroll db migrate` has made.  dir is the
 * data directory either way.  The URI may hold a password: it is never
 * logged or put in an error message.
 */
enum ce_err	db_open_url(const char *dir, const char *database,
		    struct ce_db **out, struct ce_error *err);
void		db_close(struct ce_db *db);		/* NULL ok */
const char	*db_dir(const struct ce_db *db);	/* the data directory */
const char	*db_backend(const struct ce_db *db);	/* "lmdb", "postgresql" */
/* 1 when database (a certenroll.conf value) names PostgreSQL. */
int		db_is_postgresql(const char *database);
const char	*db_table_name(enum db_table t);	/* "certs", ... */
/* Brings PostgreSQL's schema to this program's version, applying the
 * migrations it lacks, each in a transaction of its own (concurrent
 * migrators wait for each other).  *from and *to: the versions before and
 * after (both 0 on LMDB, which needs none). */
enum ce_err	db_migrate(struct ce_db *db, int *from, int *to,
		    struct ce_error *err);
/* Where the key files are (dek.key, which seals every secret at rest, and
 * the CA keys in ca/): certenroll.conf's key_dir (db_set_key_dir, by whoever
 * opens the database), else the data directory.  Each host holds them as
 * files of its own; the database never does. */
const char	*db_key_dir(const struct ce_db *db);
enum ce_err	db_set_key_dir(struct ce_db *db, const char *dir,
		    struct ce_error *err);

enum ce_err	db_begin(struct ce_db *db, int write, struct ce_txn **out,
		    struct ce_error *err);
/* Commits (durably) and frees the transaction. */
enum ce_err	db_commit(struct ce_txn *txn, struct ce_error *err);
void		db_abort(struct ce_txn *txn);		/* NULL ok */

/* Reads a JSON record; *out is a new object (caller puts). */
enum ce_err	db_get(struct ce_txn *txn, enum db_table t, const char *key,
		    json_object **out, struct ce_error *err);
enum ce_err	db_put(struct ce_txn *txn, enum db_table t, const char *key,
		    json_object *val, struct ce_error *err);
/* Raw bytes: *out is malloc'd (caller frees). */
enum ce_err	db_get_raw(struct ce_txn *txn, enum db_table t, const char *key,
		    unsigned char **out, size_t *len, struct ce_error *err);
enum ce_err	db_put_raw(struct ce_txn *txn, enum db_table t, const char *key,
		    const void *val, size_t len, struct ce_error *err);
/* CE_NOTFOUND when absent. */
enum ce_err	db_del(struct ce_txn *txn, enum db_table t, const char *key,
		    struct ce_error *err);

/*
 * Runs fn in a write transaction and commits it durably.  fn may be run more
 * than once: when the database reports a conflict with a concurrent
 * transaction (PostgreSQL's serialization failures), the transaction is
 * rolled back and fn runs again from the start, so fn must take its inputs
 * from arg unchanged and set its outputs afresh each time.  With batching on
 * (a multi-threaded FastCGI process), the writes of concurrent requests are
 * shared: one committer thread runs each fn in its own nested transaction
 * (a failing fn is rolled back alone) inside one parent transaction and
 * commits them together with one durable commit -- nothing is acknowledged
 * before that commit.  fn runs on the committer thread; it must not begin a
 * write transaction itself.
 */
typedef enum ce_err (*db_write_fn)(struct ce_txn *txn, void *arg,
		    struct ce_error *err);
enum ce_err	db_write(struct ce_db *db, db_write_fn fn, void *arg,
		    struct ce_error *err);
/*
 * db_write whose runs take turns with every other write naming the same
 * lock (e.g. "jobs/<user>": the writes that update one user's count), on
 * every host: on PostgreSQL a session advisory lock held from before the
 * transaction begins to after it ends, so the next one's snapshot already
 * holds the last one's commit and neither is rolled back for the other;
 * LMDB has one writer anyway.  NULL: db_write.
 */
enum ce_err	db_write_as(struct ce_db *db, const char *lock, db_write_fn fn,
		    void *arg, struct ce_error *err);
void		db_set_batching(struct ce_db *db, int on);
/* Tests: every db_write runs fn once more after rolling its first run back,
 * as a conflict would (shows that every fn can be run again). */
void		db_set_retry_drill(struct ce_db *db, int on);
/* db_write of one db_put. */
enum ce_err	db_write_put(struct ce_db *db, enum db_table t, const char *key,
		    json_object *val, struct ce_error *err);

/* Returns the next value of a counter (1, 2, ...) inside a write txn.
 * Values never repeat; a rolled-back transaction may leave a gap. */
enum ce_err	db_next_id(struct ce_txn *txn, const char *counter, uint64_t *out,
		    struct ce_error *err);
/* Sets a counter so that the next id is value + 1 (copying a database). */
enum ce_err	db_counter_set(struct ce_txn *txn, const char *counter,
		    uint64_t value, struct ce_error *err);

/* Calls cb for every record in key order; cb returns 0 to go on, non-zero to
 * stop (db_foreach then returns CE_OK).  val is borrowed for the call. */
typedef int	(*db_visit)(const char *key, json_object *val, void *arg);
enum ce_err	db_foreach(struct ce_txn *txn, enum db_table t, db_visit cb,
		    void *arg, struct ce_error *err);
/* Raw variant (for sealed blobs); val borrowed for the call. */
typedef int	(*db_visit_raw)(const char *key, const unsigned char *val,
		    size_t len, void *arg);
enum ce_err	db_foreach_raw(struct ce_txn *txn, enum db_table t,
		    db_visit_raw cb, void *arg, struct ce_error *err);

/* db_foreach with field omit taken out of each record first (a listing
 * without the record's sealed secret). */
enum ce_err	db_foreach_omit(struct ce_txn *txn, enum db_table t,
		    const char *omit, db_visit cb, void *arg,
		    struct ce_error *err);
/* db_foreach over the records whose key starts with prefix. */
enum ce_err	db_foreach_prefix(struct ce_txn *txn, enum db_table t,
		    const char *prefix, db_visit cb, void *arg,
		    struct ce_error *err);
/*
 * db_foreach over the records whose field (a top-level string) equals value,
 * A-Z and a-z alike (as strcasecmp in the C locale); a record without the
 * field has "" there.  PostgreSQL finds them through an index where it has
 * one (db_pg.c: certs' "cn"), LMDB by walking the table.
 */
enum ce_err	db_foreach_eq(struct ce_txn *txn, enum db_table t,
		    const char *field, const char *value, db_visit cb,
		    void *arg, struct ce_error *err);
/* The first record whose key starts with prefix: key copied into keybuf,
 * value malloc'd into *val (caller frees).  CE_NOTFOUND when none.  In a
 * write transaction on PostgreSQL the record is locked for it, and records
 * locked by concurrent transactions are skipped (FOR UPDATE SKIP LOCKED):
 * two hosts claiming from a queue take different entries. */
enum ce_err	db_first_prefix(struct ce_txn *txn, enum db_table t,
		    const char *prefix, char *keybuf, size_t keybufsz,
		    unsigned char **val, size_t *len, struct ce_error *err);
/* Number of records in a table. */
enum ce_err	db_count(struct ce_txn *txn, enum db_table t, size_t *n,
		    struct ce_error *err);

/* Length of a JSON array, 0 for anything else (json-c asserts on a
 * non-array, and stored records or requests may lack a field). */
static inline size_t
json_arr_len(json_object *a)
{
	return json_object_is_type(a, json_type_array) ?
	    json_object_array_length(a) : 0;
}

/* Convenience: key text for an integer id. */
#define DB_IDKEY_MAX 24
char		*db_idkey(uint64_t id, char buf[DB_IDKEY_MAX]);

#endif
