/*
 * db_lmdb.c - the LMDB backend of db.h (db_int.h's operations).
 *
 * One environment per process, opened after fork.  Durable commits (no
 * MDB_NOSYNC): an issued certificate is on disk before its answer is sent.
 * MDB_NOTLS lets a read transaction be used from any thread of the process.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>
#include <pthread.h>

#include "log.h"
#include "metrics.h"
#include "db_int.h"

#define DB_MAPSIZE	((size_t)8 << 30)	/* 8 GiB of address space */

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

struct lmdb {
	MDB_env		*env;
	MDB_dbi		 dbi[T__MAX];
	int		 committer_up;
	pthread_t	 committer;
	pthread_mutex_t	 qlock;
	pthread_cond_t	 qwork;
	pthread_cond_t	 qdone;
	struct wreq	*queue, *tail;
};

#define LM(db)		((struct lmdb *)(db)->be)
#define TXN(t)		((MDB_txn *)(t)->bt)
#define DBI(t, tab)	(LM((t)->db)->dbi[(tab)])

static enum ce_err
lmdb_fault(struct ce_error *err, const char *call, int rc)
{
	return ce_fault(err, CE_DB, "%s: %s", call, mdb_strerror(rc));
}

/* Opens every named table once, in one write transaction. */
static enum ce_err
open_tables(struct lmdb *l, struct ce_error *err)
{
	MDB_txn *txn = NULL;
	int rc, i;

	if ((rc = mdb_txn_begin(l->env, NULL, 0, &txn)) != 0)
		return lmdb_fault(err, "mdb_txn_begin", rc);
	for (i = 0; i < T__MAX; i++) {
		rc = mdb_dbi_open(txn, db_table_name((enum db_table)i),
		    MDB_CREATE, &l->dbi[i]);
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
db_lmdb_open(struct ce_db *db, struct ce_error *err)
{
	struct lmdb *l;
	char path[PATH_MAX];
	enum ce_err rc;
	int mrc, dead = 0;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return ce_fault(err, CE_NOMEM, "calloc");
	db->be = l;
	pthread_mutex_init(&l->qlock, NULL);
	pthread_cond_init(&l->qwork, NULL);
	pthread_cond_init(&l->qdone, NULL);
	if (snprintf(path, sizeof(path), "%s/db", db->dir) >= (int)sizeof(path))
		return ce_fault(err, CE_SYSTEM, "data directory path too long");
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return ce_fault(err, CE_SYSTEM, "mkdir %s: %s", path,
		    strerror(errno));
	if ((rc = lmdb_files_check(path, err)) != CE_OK)
		return rc;
	if ((mrc = mdb_env_create(&l->env)) != 0 ||
	    (mrc = mdb_env_set_maxdbs(l->env, T__MAX + 2)) != 0 ||
	    (mrc = mdb_env_set_mapsize(l->env, DB_MAPSIZE)) != 0 ||
	    (mrc = mdb_env_set_maxreaders(l->env, 512)) != 0)
		return lmdb_fault(err, "mdb_env_create", mrc);
	if ((mrc = mdb_env_open(l->env, path, MDB_NOTLS, 0600)) != 0)
		return ce_fault(err, CE_DB, "mdb_env_open %s: %s", path,
		    mdb_strerror(mrc));
	/* Readers left behind by killed processes would pin old pages. */
	if ((mrc = mdb_reader_check(l->env, &dead)) != 0)
		return lmdb_fault(err, "mdb_reader_check", mrc);
	return open_tables(l, err);
}

static void
lmdb_close(struct ce_db *db)
{
	struct lmdb *l = LM(db);

	if (l->env != NULL)
		mdb_env_close(l->env);
	free(l);
	db->be = NULL;
}

static enum ce_err
lmdb_begin(struct ce_db *db, struct ce_txn *t, struct ce_error *err)
{
	MDB_txn *txn = NULL;
	int rc;

	rc = mdb_txn_begin(LM(db)->env, NULL, t->write ? 0 : MDB_RDONLY, &txn);
	if (rc != 0)
		return lmdb_fault(err, "mdb_txn_begin", rc);
	t->bt = txn;
	return CE_OK;
}

static enum ce_err
lmdb_commit(struct ce_txn *t, struct ce_error *err)
{
	uint64_t t0 = metrics_now_ns();
	int rc = mdb_txn_commit(TXN(t));

	if (rc == 0 && t->write)
		db_commit_timed("lmdb", t0);

	return rc != 0 ? lmdb_fault(err, "mdb_txn_commit", rc) : CE_OK;
}

static void
lmdb_abort(struct ce_txn *t)
{
	mdb_txn_abort(TXN(t));
}

static void
set_key(MDB_val *k, const char *key)
{
	k->mv_data = (void *)key;
	k->mv_size = strlen(key);
}

static enum ce_err
lmdb_get_raw(struct ce_txn *t, enum db_table tab, const char *key,
    unsigned char **out, size_t *len, struct ce_error *err)
{
	MDB_val k, v;
	int rc;

	*out = NULL;
	*len = 0;
	set_key(&k, key);
	rc = mdb_get(TXN(t), DBI(t, tab), &k, &v);
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

static enum ce_err
lmdb_put_raw(struct ce_txn *t, enum db_table tab, const char *key,
    const void *val, size_t len, struct ce_error *err)
{
	MDB_val k, v;
	int rc;

	set_key(&k, key);
	v.mv_data = (void *)val;
	v.mv_size = len;
	if ((rc = mdb_put(TXN(t), DBI(t, tab), &k, &v, 0)) != 0)
		return lmdb_fault(err, "mdb_put", rc);
	return CE_OK;
}

static enum ce_err
lmdb_del(struct ce_txn *t, enum db_table tab, const char *key,
    struct ce_error *err)
{
	MDB_val k;
	int rc;

	set_key(&k, key);
	rc = mdb_del(TXN(t), DBI(t, tab), &k, NULL);
	if (rc == MDB_NOTFOUND)
		return ce_fail(err, CE_NOTFOUND, "not found");
	if (rc != 0)
		return lmdb_fault(err, "mdb_del", rc);
	return CE_OK;
}

static enum ce_err
lmdb_counter_set(struct ce_txn *t, const char *counter, uint64_t n,
    struct ce_error *err)
{
	return lmdb_put_raw(t, T_COUNTERS, counter, &n, sizeof(n), err);
}

static enum ce_err
lmdb_next_id(struct ce_txn *t, const char *counter, uint64_t *out,
    struct ce_error *err)
{
	MDB_val k, v;
	uint64_t n = 0;
	enum ce_err rc;
	int mrc;

	set_key(&k, counter);
	mrc = mdb_get(TXN(t), DBI(t, T_COUNTERS), &k, &v);
	if (mrc == 0 && v.mv_size == sizeof(n))
		memcpy(&n, v.mv_data, sizeof(n));
	else if (mrc == 0)
		return ce_fault(err, CE_DB, "counter %s is corrupt", counter);
	else if (mrc != MDB_NOTFOUND)
		return lmdb_fault(err, "mdb_get", mrc);
	n++;
	if ((rc = lmdb_counter_set(t, counter, n, err)) != CE_OK)
		return rc;
	*out = n;
	return CE_OK;
}

/* Walks a table with a cursor, from the first key, or only the keys that
 * start with prefix; visit gets the raw key and value. */
static enum ce_err
lmdb_walk(struct ce_txn *t, enum db_table tab, const char *prefix,
    db_walk_visit visit, void *arg, struct ce_error *err)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	char key[512];
	size_t plen = prefix != NULL ? strlen(prefix) : 0;
	enum ce_err rc = CE_OK;
	int mrc;

	if ((mrc = mdb_cursor_open(TXN(t), DBI(t, tab), &cur)) != 0)
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
lmdb_first_prefix(struct ce_txn *t, enum db_table tab, const char *prefix,
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
	if ((mrc = mdb_cursor_open(TXN(t), DBI(t, tab), &cur)) != 0)
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
			(*val)[v.mv_size] = '\0';
			*len = v.mv_size;
			rc = CE_OK;
		}
	}
	mdb_cursor_close(cur);
	return rc;
}

static enum ce_err
lmdb_count(struct ce_txn *t, enum db_table tab, size_t *n, struct ce_error *err)
{
	MDB_stat st;
	int rc;

	if ((rc = mdb_stat(TXN(t), DBI(t, tab), &st)) != 0)
		return lmdb_fault(err, "mdb_stat", rc);
	*n = st.ms_entries;
	return CE_OK;
}

/* ---- batched writes ------------------------------------------------------ */

/* Runs one request's fn in a child transaction of parent. */
static void
run_child(struct ce_db *db, MDB_txn *parent, struct wreq *w)
{
	struct ce_txn t;
	MDB_txn *child = NULL;
	int mrc;

	log_set_request_id(w->reqid);
	if ((mrc = mdb_txn_begin(LM(db)->env, parent, 0, &child)) != 0) {
		w->rc = lmdb_fault(w->err, "mdb_txn_begin (nested)", mrc);
		return;
	}
	t.db = db;
	t.bt = child;
	t.write = 1;
	if ((w->rc = w->fn(&t, w->arg, w->err)) != CE_OK) {
		mdb_txn_abort(child);
		return;
	}
	if ((mrc = mdb_txn_commit(child)) != 0)
		w->rc = lmdb_fault(w->err, "mdb_txn_commit (nested)", mrc);
}

/* Commits one batch: every fn in its own child, one durable commit. */
static void
commit_batch(struct ce_db *db, struct wreq *batch)
{
	uint64_t t0;
	MDB_txn *parent = NULL;
	struct wreq *w;
	int mrc;

	if ((mrc = mdb_txn_begin(LM(db)->env, NULL, 0, &parent)) != 0) {
		for (w = batch; w != NULL; w = w->next)
			w->rc = lmdb_fault(w->err, "mdb_txn_begin", mrc);
		return;
	}
	for (w = batch; w != NULL; w = w->next)
		run_child(db, parent, w);
	t0 = metrics_now_ns();
	if ((mrc = mdb_txn_commit(parent)) == 0)
		db_commit_timed("lmdb", t0);
	else
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
	struct lmdb *l = LM(db);
	struct wreq *batch, *w;

	pthread_mutex_lock(&l->qlock);
	for (;;) {
		while (l->queue == NULL)
			pthread_cond_wait(&l->qwork, &l->qlock);
		batch = l->queue;
		l->queue = l->tail = NULL;
		pthread_mutex_unlock(&l->qlock);
		commit_batch(db, batch);
		pthread_mutex_lock(&l->qlock);
		for (w = batch; w != NULL; w = w->next)
			w->done = 1;
		pthread_cond_broadcast(&l->qdone);
	}
	return NULL;
}

static enum ce_err
lmdb_write(struct ce_db *db, const char *lock, db_write_fn fn, void *arg,
    struct ce_error *err)
{
	struct lmdb *l = LM(db);
	struct wreq w;

	(void)lock;	/* one writer at a time already */
	if (!db->batching)
		return db_write_once(db, fn, arg, err);
	memset(&w, 0, sizeof(w));
	w.fn = fn;
	w.arg = arg;
	w.err = err;
	snprintf(w.reqid, sizeof(w.reqid), "%s", log_request_id());
	pthread_mutex_lock(&l->qlock);
	if (!l->committer_up) {
		if (pthread_create(&l->committer, NULL, committer_main, db) != 0) {
			pthread_mutex_unlock(&l->qlock);
			return db_write_once(db, fn, arg, err);
		}
		pthread_detach(l->committer);
		l->committer_up = 1;
	}
	if (l->tail != NULL)
		l->tail->next = &w;
	else
		l->queue = &w;
	l->tail = &w;
	pthread_cond_signal(&l->qwork);
	while (!w.done)
		pthread_cond_wait(&l->qdone, &l->qlock);
	pthread_mutex_unlock(&l->qlock);
	return w.rc;
}

const struct db_ops db_lmdb_ops = {
	.name		= "lmdb",
	.close		= lmdb_close,
	.begin		= lmdb_begin,
	.commit		= lmdb_commit,
	.abort		= lmdb_abort,
	.get_raw	= lmdb_get_raw,
	.put_raw	= lmdb_put_raw,
	.del		= lmdb_del,
	.next_id	= lmdb_next_id,
	.counter_set	= lmdb_counter_set,
	.walk		= lmdb_walk,
	.first_prefix	= lmdb_first_prefix,
	.count		= lmdb_count,
	.write		= lmdb_write,
};
