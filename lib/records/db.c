/*
 * db.c - db.h's calls: chooses the backend (db_lmdb.c, db_pg.c) and holds
 * what both share: records as JSON, walks, the write runner.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db_int.h"
#include "metrics.h"

static const char *table_names[T__MAX] = {
	[T_SETTINGS]	= "settings",
	[T_COUNTERS]	= "counters",
	[T_CAS]		= "cas",
	[T_TEMPLATES]	= "templates",
	[T_PATTERNS]	= "patterns",
	[T_CERTS]	= "certs",
	[T_BY_THUMB]	= "by_thumbprint",
	[T_BY_SERIAL]	= "by_serial",
	[T_REQUESTS]	= "requests",
	[T_STAGING]	= "staging",
	[T_USERS]	= "users",
	[T_ROLES]	= "roles",
	[T_STORES]	= "stores",
	[T_JOBS]	= "jobs",
	[T_JOBQ]	= "jobq",
	[T_LOCATIONS]	= "locations",
	[T_KEYPOOL]	= "keypool",
	[T_SERIALS]	= "serials",
	[T_JOBCOUNT]	= "jobcount",
	[T_PENDCOUNT]	= "pendcount",
	[T_REQ_BY_STATE] = "requests_by_state",
	[T_REVOKED]	= "revoked",
	[T_CRLS]	= "crls",
	[T_RETAINED]	= "retained_keys",
	[T_RETAINED_DUE] = "retained_due",
};

const char *
db_table_name(enum db_table t)
{
	return (int)t >= 0 && t < T__MAX ? table_names[t] : "?";
}

int
db_is_postgresql(const char *database)
{
	return database != NULL &&
	    (strncmp(database, "postgresql://", 13) == 0 ||
	    strncmp(database, "postgres://", 11) == 0);
}

enum ce_err
db_open_url(const char *dir, const char *database, struct ce_db **out,
    struct ce_error *err)
{
	struct ce_db *db;
	enum ce_err rc;

	*out = NULL;
	if (database != NULL && database[0] != '\0' &&
	    strcmp(database, "lmdb") != 0 && !db_is_postgresql(database))
		return ce_fail(err, CE_INVAL, "database: \"lmdb\" or a "
		    "postgresql:// connection URI");
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return ce_fault(err, CE_NOMEM, "calloc");
	if (snprintf(db->dir, sizeof(db->dir), "%s", dir) >=
	    (int)sizeof(db->dir)) {
		free(db);
		return ce_fault(err, CE_SYSTEM, "data directory path too long");
	}
	if (db_is_postgresql(database)) {
		db->ops = &db_pg_ops;
		rc = db_pg_open(db, database, err);
	} else {
		db->ops = &db_lmdb_ops;
		rc = db_lmdb_open(db, err);
	}
	if (rc != CE_OK) {
		db_close(db);
		return rc;
	}
	*out = db;
	return CE_OK;
}

enum ce_err
db_open(const char *dir, struct ce_db **out, struct ce_error *err)
{
	return db_open_url(dir, NULL, out, err);
}

enum ce_err
db_migrate(struct ce_db *db, int *from, int *to, struct ce_error *err)
{
	*from = *to = 0;
	if (db->ops != &db_pg_ops)
		return CE_OK;
	return db_pg_migrate(db, from, to, err);
}

void
db_close(struct ce_db *db)
{
	if (db == NULL)
		return;
	if (db->be != NULL)
		db->ops->close(db);
	free(db);
}

const char *
db_dir(const struct ce_db *db)
{
	return db->dir;
}

const char *
db_backend(const struct ce_db *db)
{
	return db->ops->name;
}

const char *
db_key_dir(const struct ce_db *db)
{
	return db->key_dir[0] != '\0' ? db->key_dir : db->dir;
}

enum ce_err
db_set_key_dir(struct ce_db *db, const char *dir, struct ce_error *err)
{
	if (dir == NULL) {
		db->key_dir[0] = '\0';
		return CE_OK;
	}
	if (snprintf(db->key_dir, sizeof(db->key_dir), "%s", dir) >=
	    (int)sizeof(db->key_dir)) {
		db->key_dir[0] = '\0';
		return ce_fail(err, CE_INVAL, "key_dir: path too long");
	}
	return CE_OK;
}

/* ---- transactions -------------------------------------------------------- */

enum ce_err
db_begin(struct ce_db *db, int write, struct ce_txn **out, struct ce_error *err)
{
	struct ce_txn *t;
	enum ce_err rc;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ce_fault(err, CE_NOMEM, "calloc");
	t->db = db;
	t->write = write;
	if ((rc = db->ops->begin(db, t, err)) != CE_OK) {
		free(t);
		return rc;
	}
	*out = t;
	return CE_OK;
}

enum ce_err
db_commit(struct ce_txn *t, struct ce_error *err)
{
	enum ce_err rc = t->db->ops->commit(t, err);

	free(t);
	return rc;
}

void
db_abort(struct ce_txn *t)
{
	if (t == NULL)
		return;
	t->db->ops->abort(t);
	free(t);
}

enum ce_err
db_write_once(struct ce_db *db, db_write_fn fn, void *arg, struct ce_error *err)
{
	struct ce_txn *t = NULL;
	enum ce_err rc;

	if ((rc = db_begin(db, 1, &t, err)) != CE_OK)
		return rc;
	if ((rc = fn(t, arg, err)) != CE_OK) {
		db_abort(t);
		return rc;
	}
	return db_commit(t, err);
}

/* The drill: fn's first run is rolled back, as a conflict would. */
static enum ce_err
write_drill(struct ce_db *db, db_write_fn fn, void *arg, struct ce_error *err)
{
	struct ce_txn *t = NULL;
	enum ce_err rc;

	if ((rc = db_begin(db, 1, &t, err)) != CE_OK)
		return rc;
	rc = fn(t, arg, err);
	db_abort(t);
	ce_error_clear(err);
	(void)rc;
	if (db->ops->write != NULL)
		return db->ops->write(db, NULL, fn, arg, err);
	return db_write_once(db, fn, arg, err);
}

enum ce_err
db_write_as(struct ce_db *db, const char *lock, db_write_fn fn, void *arg,
    struct ce_error *err)
{
	if (db->retry_drill)
		return write_drill(db, fn, arg, err);
	if (db->ops->write != NULL)
		return db->ops->write(db, lock, fn, arg, err);
	return db_write_once(db, fn, arg, err);
}

void
db_commit_timed(const char *backend, uint64_t t0)
{
	static int cache[2];	/* series index + 1: lmdb, postgresql */
	char labels[32] = "";
	int i = strcmp(backend, "lmdb") != 0;
	int s = __atomic_load_n(&cache[i], __ATOMIC_RELAXED) - 1;

	if (s < 0 && metrics_label(labels, sizeof(labels), "backend",
	    backend) == 0 && (s = metrics_series(
	    "certenroll_db_commit_duration_seconds", labels)) >= 0)
		__atomic_store_n(&cache[i], s + 1, __ATOMIC_RELAXED);
	metrics_observe(s, metrics_now_ns() - t0);
}

enum ce_err
db_write(struct ce_db *db, db_write_fn fn, void *arg, struct ce_error *err)
{
	return db_write_as(db, NULL, fn, arg, err);
}

void
db_set_batching(struct ce_db *db, int on)
{
	db->batching = on;
}

void
db_set_retry_drill(struct ce_db *db, int on)
{
	db->retry_drill = on;
}

struct one_put {
	enum db_table	 t;
	const char	*key;
	json_object	*val;
};

static enum ce_err
one_put_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct one_put *p = arg;

	return db_put(txn, p->t, p->key, p->val, err);
}

enum ce_err
db_write_put(struct ce_db *db, enum db_table t, const char *key,
    json_object *val, struct ce_error *err)
{
	struct one_put p = { t, key, val };

	return db_write(db, one_put_fn, &p, err);
}

/* ---- records ------------------------------------------------------------- */

enum ce_err
db_get_raw(struct ce_txn *t, enum db_table tab, const char *key,
    unsigned char **out, size_t *len, struct ce_error *err)
{
	return t->db->ops->get_raw(t, tab, key, out, len, err);
}

enum ce_err
db_put_raw(struct ce_txn *t, enum db_table tab, const char *key,
    const void *val, size_t len, struct ce_error *err)
{
	return t->db->ops->put_raw(t, tab, key, val, len, err);
}

enum ce_err
db_del(struct ce_txn *t, enum db_table tab, const char *key, struct ce_error *err)
{
	return t->db->ops->del(t, tab, key, err);
}

enum ce_err
db_next_id(struct ce_txn *t, const char *counter, uint64_t *out,
    struct ce_error *err)
{
	return t->db->ops->next_id(t, counter, out, err);
}

enum ce_err
db_counter_set(struct ce_txn *t, const char *counter, uint64_t value,
    struct ce_error *err)
{
	return t->db->ops->counter_set(t, counter, value, err);
}

enum ce_err
db_first_prefix(struct ce_txn *t, enum db_table tab, const char *prefix,
    char *keybuf, size_t keybufsz, unsigned char **val, size_t *len,
    struct ce_error *err)
{
	return t->db->ops->first_prefix(t, tab, prefix, keybuf, keybufsz, val,
	    len, err);
}

enum ce_err
db_count(struct ce_txn *t, enum db_table tab, size_t *n, struct ce_error *err)
{
	return t->db->ops->count(t, tab, n, err);
}

/* Parses a stored record; a record that is not a JSON object is a fault. */
static enum ce_err
parse_record(const char *key, const unsigned char *p, size_t len,
    json_object **out, struct ce_error *err)
{
	struct json_tokener *tok;
	json_object *obj;

	*out = NULL;
	if ((tok = json_tokener_new()) == NULL)
		return ce_fault(err, CE_NOMEM, "json_tokener_new");
	obj = json_tokener_parse_ex(tok, (const char *)p, (int)len);
	json_tokener_free(tok);
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return ce_fault(err, CE_DB, "record %s is not a JSON object", key);
	}
	*out = obj;
	return CE_OK;
}

enum ce_err
db_get(struct ce_txn *t, enum db_table tab, const char *key, json_object **out,
    struct ce_error *err)
{
	unsigned char *p;
	size_t len;
	enum ce_err rc;

	*out = NULL;
	if ((rc = db_get_raw(t, tab, key, &p, &len, err)) != CE_OK)
		return rc;
	rc = parse_record(key, p, len, out, err);
	free(p);
	return rc;
}

enum ce_err
db_put(struct ce_txn *t, enum db_table tab, const char *key, json_object *val,
    struct ce_error *err)
{
	const char *s;
	size_t len;

	s = json_object_to_json_string_length(val, JSON_C_TO_STRING_PLAIN, &len);
	if (s == NULL)
		return ce_fault(err, CE_NOMEM, "json_object_to_json_string");
	return db_put_raw(t, tab, key, s, len, err);
}

/* ---- walks --------------------------------------------------------------- */

struct visit_json {
	db_visit	 cb;
	void		*arg;
	const char	*omit;
	const char	*field;		/* db_foreach_eq's, by a walk */
	const char	*value;
};

/* Whether rec's field is value, ASCII case aside (absent: ""). */
static int
field_is(json_object *rec, const char *field, const char *value)
{
	json_object *v = json_object_object_get(rec, field);
	const char *s = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";

	return strcasecmp(s, value) == 0;
}

static int
visit_json_cb(const char *key, const unsigned char *p, size_t len, void *arg,
    enum ce_err *rc, struct ce_error *err)
{
	struct visit_json *vj = arg;
	json_object *obj;
	int stop;

	if ((*rc = parse_record(key, p, len, &obj, err)) != CE_OK)
		return 1;
	if (vj->omit != NULL)
		json_object_object_del(obj, vj->omit);
	stop = vj->field == NULL || field_is(obj, vj->field, vj->value) ?
	    vj->cb(key, obj, vj->arg) : 0;
	json_object_put(obj);
	return stop;
}

enum ce_err
db_foreach(struct ce_txn *t, enum db_table tab, db_visit cb, void *arg,
    struct ce_error *err)
{
	struct visit_json vj = { cb, arg, NULL, NULL, NULL };

	return t->db->ops->walk(t, tab, NULL, visit_json_cb, &vj, err);
}

enum ce_err
db_foreach_omit(struct ce_txn *t, enum db_table tab, const char *omit,
    db_visit cb, void *arg, struct ce_error *err)
{
	struct visit_json vj = { cb, arg, omit, NULL, NULL };

	return t->db->ops->walk(t, tab, NULL, visit_json_cb, &vj, err);
}

enum ce_err
db_foreach_prefix(struct ce_txn *t, enum db_table tab, const char *prefix,
    db_visit cb, void *arg, struct ce_error *err)
{
	struct visit_json vj = { cb, arg, NULL, NULL, NULL };

	return t->db->ops->walk(t, tab, prefix, visit_json_cb, &vj, err);
}

enum ce_err
db_foreach_eq(struct ce_txn *t, enum db_table tab, const char *field,
    const char *value, db_visit cb, void *arg, struct ce_error *err)
{
	const struct db_ops *ops = t->db->ops;
	struct visit_json vj = { cb, arg, NULL, NULL, NULL };

	if (ops->eq_indexed != NULL && ops->eq_indexed(tab, field))
		return ops->walk_eq(t, tab, field, value, visit_json_cb, &vj,
		    err);
	/* No index for it here: every record, filtered. */
	vj.field = field;
	vj.value = value;
	return t->db->ops->walk(t, tab, NULL, visit_json_cb, &vj, err);
}

struct visit_raw {
	db_visit_raw	 cb;
	void		*arg;
};

static int
visit_raw_cb(const char *key, const unsigned char *p, size_t len, void *arg,
    enum ce_err *rc, struct ce_error *err)
{
	struct visit_raw *vr = arg;

	(void)rc;
	(void)err;
	return vr->cb(key, p, len, vr->arg);
}

enum ce_err
db_foreach_raw(struct ce_txn *t, enum db_table tab, db_visit_raw cb, void *arg,
    struct ce_error *err)
{
	struct visit_raw vr = { cb, arg };

	return t->db->ops->walk(t, tab, NULL, visit_raw_cb, &vr, err);
}

char *
db_idkey(uint64_t id, char buf[DB_IDKEY_MAX])
{
	snprintf(buf, DB_IDKEY_MAX, "%020" PRIu64, id);
	return buf;
}
