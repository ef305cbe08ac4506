/*
 * db_int.h - what a storage backend of db.h implements (db_lmdb.c,
 * db_pg.c); db.c dispatches to it and holds what every backend shares.
 */
#ifndef CE_DB_INT_H
#define CE_DB_INT_H

#include <limits.h>
#include <stdint.h>
#include "db.h"

struct ce_txn {
	struct ce_db	*db;
	void		*bt;		/* the backend's transaction */
	int		 write;
};

/* One stored record, raw, to a walk's visitor: non-zero stops the walk
 * (*rc then says whether with an error). */
typedef int	(*db_walk_visit)(const char *key, const unsigned char *val,
		    size_t len, void *arg, enum ce_err *rc,
		    struct ce_error *err);

struct db_ops {
	const char	*name;
	void		(*close)(struct ce_db *db);
	enum ce_err	(*begin)(struct ce_db *db, struct ce_txn *t,
			    struct ce_error *err);
	enum ce_err	(*commit)(struct ce_txn *t, struct ce_error *err);
	void		(*abort)(struct ce_txn *t);
	enum ce_err	(*get_raw)(struct ce_txn *t, enum db_table tab,
			    const char *key, unsigned char **out, size_t *len,
			    struct ce_error *err);
	enum ce_err	(*put_raw)(struct ce_txn *t, enum db_table tab,
			    const char *key, const void *val, size_t len,
			    struct ce_error *err);
	enum ce_err	(*del)(struct ce_txn *t, enum db_table tab,
			    const char *key, struct ce_error *err);
	enum ce_err	(*next_id)(struct ce_txn *t, const char *counter,
			    uint64_t *out, struct ce_error *err);
	enum ce_err	(*counter_set)(struct ce_txn *t, const char *counter,
			    uint64_t value, struct ce_error *err);
	/* Every record in key order, or those whose key starts with prefix. */
	enum ce_err	(*walk)(struct ce_txn *t, enum db_table tab,
			    const char *prefix, db_walk_visit visit, void *arg,
			    struct ce_error *err);
	/* The records whose field equals value (db_foreach_eq) through an
	 * index, where eq_indexed() says there is one (else db.c walks);
	 * both NULL: none. */
	int		(*eq_indexed)(enum db_table tab, const char *field);
	enum ce_err	(*walk_eq)(struct ce_txn *t, enum db_table tab,
			    const char *field, const char *value,
			    db_walk_visit visit, void *arg,
			    struct ce_error *err);
	enum ce_err	(*first_prefix)(struct ce_txn *t, enum db_table tab,
			    const char *prefix, char *keybuf, size_t keybufsz,
			    unsigned char **val, size_t *len,
			    struct ce_error *err);
	enum ce_err	(*count)(struct ce_txn *t, enum db_table tab, size_t *n,
			    struct ce_error *err);
	/* db_write for this backend; NULL: one transaction per call.  lock
	 * (db_write_as; may be NULL): writes naming it take turns. */
	enum ce_err	(*write)(struct ce_db *db, const char *lock,
			    db_write_fn fn, void *arg, struct ce_error *err);
};

struct ce_db {
	const struct db_ops *ops;
	void		*be;		/* the backend's state */
	char		 dir[PATH_MAX];
	char		 key_dir[PATH_MAX];	/* "" = dir */
	int		 batching;
	int		 retry_drill;
};

/* A durable commit of backend ("lmdb", "postgresql") begun at t0
 * (metrics_now_ns): into its latency histogram (/metrics). */
void		db_commit_timed(const char *backend, uint64_t t0);

extern const struct db_ops db_lmdb_ops;
extern const struct db_ops db_pg_ops;

enum ce_err	db_lmdb_open(struct ce_db *db, struct ce_error *err);
enum ce_err	db_pg_open(struct ce_db *db, const char *conninfo,
		    struct ce_error *err);
enum ce_err	db_pg_migrate(struct ce_db *db, int *from, int *to,
		    struct ce_error *err);
/* PostgreSQL's schema: the migrations pg/NNN_name.sql, in order, built
 * into the programs (db_pg_schema.c); the version a program needs is the
 * last one's. */
struct db_pg_migration {
	int		 version;
	const char	*name;
	const char	*sql;
};
extern const struct db_pg_migration db_pg_migrations[];
extern const int db_pg_nmigrations;
#define DB_PG_SCHEMA_VERSION	(db_pg_migrations[db_pg_nmigrations - 1].version)

/* One write transaction around fn: begin, fn, commit (abort on failure). */
enum ce_err	db_write_once(struct ce_db *db, db_write_fn fn, void *arg,
		    struct ce_error *err);

#endif
