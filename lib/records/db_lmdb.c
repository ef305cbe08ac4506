/*
 * db_lmdb.c - the LMDB backend of db.h.
 *
 * One environment per process, opened after fork.  Durable commits (no
 * MDB_NOSYNC): an issued certificate is on disk before its answer is sent.
 * MDB_NOTLS lets a read transaction be used from any thread of the process.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>
#include <pthread.h>

#include "log.h"
#include "db.h"

#define DB_MAPSIZE	((size_t)8 << 30)	/* 8 GiB of address space */

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
};

/* One request's writes waiting for the committer. */
struct wreq {
	db_write_fn	 fn;
	void		*arg;
	struct ce_error	*err;
	char		 reqid[64];
	enum ce_err	 rc;
	int		 done;
	struct wreq	*next;
};

struct ce_db {
	MDB_env		*env;
	MDB_dbi		 dbi[T__MAX];
	char		 dir[PATH_MAX];
	char		 key_dir[PATH_MAX];	/* "" = dir */
	int		 batching;
	int		 committer_up;
	pthread_t	 committer;
	pthread_mutex_t	 qlock;
	pthread_cond_t	 qwork;
	pthread_cond_t	 qdone;
	struct wreq	*queue, *tail;
};

struct ce_txn {
	struct ce_db	*db;
	MDB_txn		*txn;
};

static enum ce_err
lmdb_fault(struct ce_error *err, const char *call, int rc)
{
	return ce_fault(err, CE_DB, "%s: %s", call, mdb_strerror(rc));
}

/* Opens every named table once, in one write transaction. */
static enum ce_err
open_tables(struct ce_db *db, struct ce_error *err)
{
	MDB_txn *txn = NULL;
	int rc, i;

	if ((rc = mdb_txn_begin(db->env, NULL, 0, &txn)) != 0)
		return lmdb_fault(err, "mdb_txn_begin", rc);
	for (i = 0; i < T__MAX; i++) {
		rc = mdb_dbi_open(txn, table_names[i], MDB_CREATE, &db->dbi[i]);
		if (rc != 0) {
			mdb_txn_abort(txn);
			return lmdb_fault(err, "mdb_dbi_open", rc);
		}
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		return lmdb_fault(err, "mdb_txn_commit", rc);
	return CE_OK;
}

/* LMDB opens its files by name and follows symlinks: a planted db/lock.mdb
 * pointing elsewhere would be written through.  The folder and both files
 * must be what they look like. */
static enum ce_err
lmdb_files_check(const char *path, struct ce_error *err)
{
	static const char *const files[] = { "", "/data.mdb", "/lock.mdb" };
	char p[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, files[i]);
		if (lstat(p, &st) == -1) {
			if (errno == ENOENT)
				continue;
			return ce_fault(err, CE_SYSTEM, "%s: %s", p, strerror(errno));
		}
		if (i == 0 ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
			return ce_fault(err, CE_SYSTEM, "%s is not a plain %s (a "
			    "symlink is refused)", p, i == 0 ? "folder" : "file");
	}
	return CE_OK;
}

enum ce_err
db_open(const char *dir, struct ce_db **out, struct ce_error *err)
{
	struct ce_db *db;
	char path[PATH_MAX];
	enum ce_err rc = CE_DB;
	int mrc, dead = 0;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return ce_fault(err, CE_NOMEM, "calloc");
	pthread_mutex_init(&db->qlock, NULL);
	pthread_cond_init(&db->qwork, NULL);
	pthread_cond_init(&db->qdone, NULL);
	snprintf(db->dir, sizeof(db->dir), "%s", dir);
	if (snprintf(path, sizeof(path), "%s/db", dir) >= (int)sizeof(path)) {
		rc = ce_fault(err, CE_SYSTEM, "data directory path too long");
		goto out;
	}
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		rc = ce_fault(err, CE_SYSTEM, "mkdir %s: %s", path, strerror(errno));
		goto out;
	}
	if ((rc = lmdb_files_check(path, err)) != CE_OK)
		goto out;
	rc = CE_DB;
	if ((mrc = mdb_env_create(&db->env)) != 0 ||
	    (mrc = mdb_env_set_maxdbs(db->env, T__MAX + 2)) != 0 ||
	    (mrc = mdb_env_set_mapsize(db->env, DB_MAPSIZE)) != 0 ||
	    (mrc = mdb_env_set_maxreaders(db->env, 512)) != 0) {
		rc = lmdb_fault(err, "mdb_env_create", mrc);
		goto out;
	}
	if ((mrc = mdb_env_open(db->env, path, MDB_NOTLS, 0600)) != 0) {
		rc = ce_fault(err, CE_DB, "mdb_env_open %s: %s", path,
		    mdb_strerror(mrc));
		goto out;
	}
	/* Readers left behind by killed processes would pin old pages. */
	if ((mrc = mdb_reader_check(db->env, &dead)) != 0) {
		rc = lmdb_fault(err, "mdb_reader_check", mrc);
		goto out;
	}
	if ((rc = open_tables(db, err)) != CE_OK)
		goto out;
	*out = db;
	db = NULL;
out:
	db_close(db);
	return rc;
}

void
db_close(struct ce_db *db)
{
	if (db == NULL)
		return;
	if (db->env != NULL)
		mdb_env_close(db->env);
	free(db);
}

const char *
db_dir(const struct ce_db *db)
{
	return db->dir;
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

enum ce_err
db_begin(struct ce_db *db, int write, struct ce_txn **out, struct ce_error *err)
{
	struct ce_txn *t;
	int rc;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ce_fault(err, CE_NOMEM, "calloc");
	t->db = db;
	rc = mdb_txn_begin(db->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
	if (rc != 0) {
		free(t);
		return lmdb_fault(err, "mdb_txn_begin", rc);
	}
	*out = t;
	return CE_OK;
}

enum ce_err
db_commit(struct ce_txn *t, struct ce_error *err)
{
	int rc;

	rc = mdb_txn_commit(t->txn);
	free(t);
	if (rc != 0)
		return lmdb_fault(err, "mdb_txn_commit", rc);
	return CE_OK;
}

void
db_abort(struct ce_txn *t)
{
	if (t == NULL)
		return;
	mdb_txn_abort(t->txn);
	free(t);
}

static void
set_key(MDB_val *k, const char *key)
{
	k->mv_data = (void *)key;
	k->mv_size = strlen(key);
}

enum ce_err
db_get_raw(struct ce_txn *t, enum db_table tab, const char *key,
    unsigned char **out, size_t *len, struct ce_error *err)
{
	MDB_val k, v;
	int rc;

	*out = NULL;
	*len = 0;
	set_key(&k, key);
	rc = mdb_get(t->txn, t->db->dbi[tab], &k, &v);
	if (rc == MDB_NOTFOUND)
		return ce_fail(err, CE_NOTFOUND, "not found");
	if (rc != 0)
		return lmdb_fault(err, "mdb_get", rc);
	/* One extra NUL so JSON text can be parsed in place. */
	if ((*out = malloc(v.mv_size + 1)) == NULL)
		return ce_fault(err, CE_NOMEM, "malloc");
	memcpy(*out, v.mv_data, v.mv_size);
	(*out)[v.mv_size] = '\0';
	*len = v.mv_size;
	return CE_OK;
}

enum ce_err
db_put_raw(struct ce_txn *t, enum db_table tab, const char *key,
    const void *val, size_t len, struct ce_error *err)
{
	MDB_val k, v;
	int rc;

	set_key(&k, key);
	v.mv_data = (void *)val;
	v.mv_size = len;
	if ((rc = mdb_put(t->txn, t->db->dbi[tab], &k, &v, 0)) != 0)
		return lmdb_fault(err, "mdb_put", rc);
	return CE_OK;
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

enum ce_err
db_del(struct ce_txn *t, enum db_table tab, const char *key, struct ce_error *err)
{
	MDB_val k;
	int rc;

	set_key(&k, key);
	rc = mdb_del(t->txn, t->db->dbi[tab], &k, NULL);
	if (rc == MDB_NOTFOUND)
		return ce_fail(err, CE_NOTFOUND, "not found");
	if (rc != 0)
		return lmdb_fault(err, "mdb_del", rc);
	return CE_OK;
}

enum ce_err
db_next_id(struct ce_txn *t, const char *counter, uint64_t *out,
    struct ce_error *err)
{
	MDB_val k, v;
	uint64_t n = 0;
	int rc;

	set_key(&k, counter);
	rc = mdb_get(t->txn, t->db->dbi[T_COUNTERS], &k, &v);
	if (rc == 0 && v.mv_size == sizeof(n))
		memcpy(&n, v.mv_data, sizeof(n));
	else if (rc == 0)
		return ce_fault(err, CE_DB, "counter %s is corrupt", counter);
	else if (rc != MDB_NOTFOUND)
		return lmdb_fault(err, "mdb_get", rc);
	n++;
	v.mv_data = &n;
	v.mv_size = sizeof(n);
	if ((rc = mdb_put(t->txn, t->db->dbi[T_COUNTERS], &k, &v, 0)) != 0)
		return lmdb_fault(err, "mdb_put", rc);
	*out = n;
	return CE_OK;
}

typedef int (*walk_visit)(const char *, const unsigned char *, size_t, void *,
    enum ce_err *, struct ce_error *);

/* Walks a table with a cursor, from the first key, or only the keys that
 * start with prefix; visit gets the raw key and value. */
static enum ce_err
walk_from(struct ce_txn *t, enum db_table tab, const char *prefix,
    walk_visit visit, void *arg, struct ce_error *err)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	char key[512];
	size_t plen = prefix != NULL ? strlen(prefix) : 0;
	enum ce_err rc = CE_OK;
	int mrc;

	if ((mrc = mdb_cursor_open(t->txn, t->db->dbi[tab], &cur)) != 0)
		return lmdb_fault(err, "mdb_cursor_open", mrc);
	if (prefix != NULL)
		set_key(&k, prefix);
	for (mrc = mdb_cursor_get(cur, &k, &v, prefix ? MDB_SET_RANGE :
	    MDB_FIRST); mrc == 0; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (prefix != NULL && (k.mv_size < plen ||
		    memcmp(k.mv_data, prefix, plen) != 0))
			break;
		if (k.mv_size >= sizeof(key))
			continue;	/* no table uses keys this long */
		memcpy(key, k.mv_data, k.mv_size);
		key[k.mv_size] = '\0';
		if (visit(key, v.mv_data, v.mv_size, arg, &rc, err) != 0)
			break;
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND && rc == CE_OK)
		rc = lmdb_fault(err, "mdb_cursor_get", mrc);
	mdb_cursor_close(cur);
	return rc;
}

static enum ce_err
walk(struct ce_txn *t, enum db_table tab, walk_visit visit, void *arg,
    struct ce_error *err)
{
	return walk_from(t, tab, NULL, visit, arg, err);
}

struct visit_json {
	db_visit	 cb;
	void		*arg;
};

static int
visit_json_cb(const char *key, const unsigned char *p, size_t len, void *arg,
    enum ce_err *rc, struct ce_error *err)
{
	struct visit_json *vj = arg;
	json_object *obj;
	int stop;

	if ((*rc = parse_record(key, p, len, &obj, err)) != CE_OK)
		return 1;
	stop = vj->cb(key, obj, vj->arg);
	json_object_put(obj);
	return stop;
}

enum ce_err
db_foreach(struct ce_txn *t, enum db_table tab, db_visit cb, void *arg,
    struct ce_error *err)
{
	struct visit_json vj = { cb, arg };

	return walk(t, tab, visit_json_cb, &vj, err);
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

	return walk(t, tab, visit_raw_cb, &vr, err);
}

struct omitting {
	db_visit	 cb;
	void		*arg;
	const char	*omit;
};

static int
omit_cb(const char *key, json_object *rec, void *arg)
{
	struct omitting *o = arg;

	json_object_object_del(rec, o->omit);
	return o->cb(key, rec, o->arg);
}

enum ce_err
db_foreach_omit(struct ce_txn *t, enum db_table tab, const char *omit,
    db_visit cb, void *arg, struct ce_error *err)
{
	struct omitting o = { cb, arg, omit };

	return db_foreach(t, tab, omit_cb, &o, err);
}

enum ce_err
db_foreach_prefix(struct ce_txn *t, enum db_table tab, const char *prefix,
    db_visit cb, void *arg, struct ce_error *err)
{
	struct visit_json vj = { cb, arg };

	return walk_from(t, tab, prefix, visit_json_cb, &vj, err);
}

enum ce_err
db_first_prefix(struct ce_txn *t, enum db_table tab, const char *prefix,
    char *keybuf, size_t keybufsz, unsigned char **val, size_t *len,
    struct ce_error *err)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	size_t plen = strlen(prefix);
	enum ce_err rc = CE_NOTFOUND;
	int mrc;

	*val = NULL;
	*len = 0;
	if ((mrc = mdb_cursor_open(t->txn, t->db->dbi[tab], &cur)) != 0)
		return lmdb_fault(err, "mdb_cursor_open", mrc);
	set_key(&k, prefix);
	mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_fault(err, "mdb_cursor_get", mrc);
	else if (mrc == 0 && k.mv_size >= plen && k.mv_size < keybufsz &&
	    memcmp(k.mv_data, prefix, plen) == 0) {
		memcpy(keybuf, k.mv_data, k.mv_size);
		keybuf[k.mv_size] = '\0';
		if ((*val = malloc(v.mv_size + 1)) == NULL)
			rc = ce_fault(err, CE_NOMEM, "malloc");
		else {
			memcpy(*val, v.mv_data, v.mv_size);
			*len = v.mv_size;
			rc = CE_OK;
		}
	}
	mdb_cursor_close(cur);
	return rc;
}

enum ce_err
db_count(struct ce_txn *t, enum db_table tab, size_t *n, struct ce_error *err)
{
	MDB_stat st;
	int rc;

	if ((rc = mdb_stat(t->txn, t->db->dbi[tab], &st)) != 0)
		return lmdb_fault(err, "mdb_stat", rc);
	*n = st.ms_entries;
	return CE_OK;
}

char *
db_idkey(uint64_t id, char buf[DB_IDKEY_MAX])
{
	snprintf(buf, DB_IDKEY_MAX, "%020" PRIu64, id);
	return buf;
}

/* Runs one request's fn in a child transaction of parent. */
static void
run_child(struct ce_db *db, MDB_txn *parent, struct wreq *w)
{
	struct ce_txn t;
	int mrc;

	log_set_request_id(w->reqid);
	t.db = db;
	if ((mrc = mdb_txn_begin(db->env, parent, 0, &t.txn)) != 0) {
		w->rc = lmdb_fault(w->err, "mdb_txn_begin (nested)", mrc);
		return;
	}
	if ((w->rc = w->fn(&t, w->arg, w->err)) != CE_OK) {
		mdb_txn_abort(t.txn);
		return;
	}
	if ((mrc = mdb_txn_commit(t.txn)) != 0)
		w->rc = lmdb_fault(w->err, "mdb_txn_commit (nested)", mrc);
}

/* Commits one batch: every fn in its own child, one durable commit. */
static void
commit_batch(struct ce_db *db, struct wreq *batch)
{
	MDB_txn *parent = NULL;
	struct wreq *w;
	int mrc;

	if ((mrc = mdb_txn_begin(db->env, NULL, 0, &parent)) != 0) {
		for (w = batch; w != NULL; w = w->next)
			w->rc = lmdb_fault(w->err, "mdb_txn_begin", mrc);
		return;
	}
	for (w = batch; w != NULL; w = w->next)
		run_child(db, parent, w);
	if ((mrc = mdb_txn_commit(parent)) != 0)
		for (w = batch; w != NULL; w = w->next)
			if (w->rc == CE_OK) {
				log_set_request_id(w->reqid);
				w->rc = lmdb_fault(w->err, "mdb_txn_commit", mrc);
			}
	log_set_request_id(NULL);
}

static void *
committer_main(void *arg)
{
	struct ce_db *db = arg;
	struct wreq *batch, *w;

	pthread_mutex_lock(&db->qlock);
	for (;;) {
		while (db->queue == NULL)
			pthread_cond_wait(&db->qwork, &db->qlock);
		batch = db->queue;
		db->queue = db->tail = NULL;
		pthread_mutex_unlock(&db->qlock);
		commit_batch(db, batch);
		pthread_mutex_lock(&db->qlock);
		for (w = batch; w != NULL; w = w->next)
			w->done = 1;
		pthread_cond_broadcast(&db->qdone);
	}
	return NULL;
}

void
db_set_batching(struct ce_db *db, int on)
{
	db->batching = on;
}

/* Without batching: fn in a transaction of its own. */
static enum ce_err
write_alone(struct ce_db *db, db_write_fn fn, void *arg, struct ce_error *err)
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

enum ce_err
db_write(struct ce_db *db, db_write_fn fn, void *arg, struct ce_error *err)
{
	struct wreq w;

	if (!db->batching)
		return write_alone(db, fn, arg, err);
	memset(&w, 0, sizeof(w));
	w.fn = fn;
	w.arg = arg;
	w.err = err;
	snprintf(w.reqid, sizeof(w.reqid), "%s", log_request_id());
	pthread_mutex_lock(&db->qlock);
	if (!db->committer_up) {
		if (pthread_create(&db->committer, NULL, committer_main, db) != 0) {
			pthread_mutex_unlock(&db->qlock);
			return write_alone(db, fn, arg, err);
		}
		pthread_detach(db->committer);
		db->committer_up = 1;
	}
	if (db->tail != NULL)
		db->tail->next = &w;
	else
		db->queue = &w;
	db->tail = &w;
	pthread_cond_signal(&db->qwork);
	while (!w.done)
		pthread_cond_wait(&db->qdone, &db->qlock);
	pthread_mutex_unlock(&db->qlock);
	return w.rc;
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
