/*
 * db_pg.c - the PostgreSQL backend of db.h (db_int.h's operations), for
 * many hosts sharing one state.
 *
 * Each table of db.h is a table of the same name (pg/NNN_*.sql): the key,
 * sorted as bytes (COLLATE "C"), and the record, as json (kept byte for
 * byte) or bytea.  Typed columns generated from the record carry the
 * indexes and the constraints.  Counters are sequences.
 *
 * Writes run SERIALIZABLE: the invariants that LMDB's single writer gives
 * (an approval claimed once, a pooled key handed out once, a serial
 * reserved once, counts that add up) hold across hosts because PostgreSQL
 * refuses any interleaving that differs from some serial order; the loser
 * is rolled back and its fn run again (db_write's contract).  Reads are
 * REPEATABLE READ READ ONLY: one snapshot per transaction, as in LMDB.
 *
 * Connections are pooled per process and made when first needed, so a
 * program starts while the database is down and answers 503 until it is
 * back.  The connection string is never logged (it may hold a password).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <pthread.h>

#include "log.h"
#include "metrics.h"
#include "db_int.h"

#define POOL_MAX	32	/* idle connections kept */
#define WALK_PAGE	256	/* records per page of a walk */
#define WRITE_TRIES	40	/* runs of fn before a conflict is reported */
#define KEY_MAX		512

struct pg {
	char		*conninfo;
	pthread_mutex_t	 lock;
	PGconn		*idle[POOL_MAX];
	int		 nidle;
};

struct pgtxn {
	PGconn		*c;
	int		 locked;	/* holds db_write_as's lock */
	int		 failed;	/* a statement failed: only ROLLBACK */
	int		 conflict;	/* ... with a concurrent transaction */
	int		 lost;		/* the connection is gone */
};

#define PG(db)		((struct pg *)(db)->be)
#define PT(t)		((struct pgtxn *)(t)->bt)

static int
is_raw(enum db_table tab)
{
	return tab == T_KEYPOOL || tab == T_COUNTERS;
}

/* The value column of a table. */
static const char *
col(enum db_table tab)
{
	return is_raw(tab) ? "v" : "doc";
}

/* The database cannot be reached: the client is told to come back. */
static enum ce_err
unavailable(struct ce_error *err, const char *what, PGconn *c)
{
	char msg[256];
	size_t n;

	snprintf(msg, sizeof(msg), "%s", c != NULL ? PQerrorMessage(c) : "");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	log_error("database unavailable (%s): %s", what, msg);
	return ce_fail(err, CE_UNAVAIL, "The database is unavailable; try "
	    "again later.");
}

/* Whether a failure (SQLSTATE state, NULL: none came) means the server
 * is gone or going: connection errors, shutdown, not yet accepting. */
static int
lost(PGconn *c, const char *state)
{
	return PQstatus(c) != CONNECTION_OK || state == NULL ||
	    strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/* Classifies a failed statement; marks the transaction for rollback. */
static enum ce_err
stmt_fault(struct pgtxn *p, PGresult *res, const char *what,
    struct ce_error *err)
{
	const char *state = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char msg[256];

	p->failed = 1;
	if (lost(p->c, state)) {
		p->lost = 1;
		return unavailable(err, what, p->c);
	}
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
		p->conflict = 1;
		return ce_fail(err, CE_DB, "conflict with a concurrent "
		    "transaction");
	}
	/* The primary message only: the detail quotes the row, whose values
	 * clients sent. */
	snprintf(msg, sizeof(msg), "%s", PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY) ? PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY) : "?");
	return ce_fault(err, CE_DB, "%s: %s [%s]", what, msg, state);
}

/*
 * A statement or commit after a failed statement (its caller went on, as a
 * lookup does that takes "not there" for an answer) reports the first
 * failure's kind again: a lost connection stays a 503, a conflict stays
 * one to run again.
 */
static enum ce_err
failed_before(struct pgtxn *p, const char *what, struct ce_error *err)
{
	if (p->lost)
		return ce_fail(err, CE_UNAVAIL, "The database is unavailable; "
		    "try again later.");
	if (p->conflict)
		return ce_fail(err, CE_DB, "conflict with a concurrent "
		    "transaction");
	return ce_fault(err, CE_DB, "%s after a failed statement", what);
}

/* Runs a statement with text or binary parameters; results in binary. */
static enum ce_err
run(struct pgtxn *p, const char *sql, int n, const char *const *vals,
    const int *lens, const int *fmts, ExecStatusType want, PGresult **out,
    struct ce_error *err)
{
	PGresult *res;
	enum ce_err rc;

	*out = NULL;
	if (p->failed)
		return failed_before(p, "statement", err);
	res = PQexecParams(p->c, sql, n, NULL, vals, lens, fmts, 1);
	if (res != NULL && PQresultStatus(res) != want &&
	    PQresultStatus(res) != PGRES_FATAL_ERROR) {
		rc = ce_fault(err, CE_DB, "query answered %s",
		    PQresStatus(PQresultStatus(res)));
		PQclear(res);
		p->failed = 1;
		return rc;
	}
	if (res == NULL || PQresultStatus(res) != want) {
		rc = stmt_fault(p, res, "query", err);
		PQclear(res);
		return rc;
	}
	*out = res;
	return CE_OK;
}

/* A statement with one text parameter (or none). */
static enum ce_err
run1(struct pgtxn *p, const char *sql, const char *arg, ExecStatusType want,
    PGresult **out, struct ce_error *err)
{
	const char *vals[1] = { arg };

	return run(p, sql, arg != NULL ? 1 : 0, vals, NULL, NULL, want, out,
	    err);
}

/* A plain command (BEGIN, COMMIT, ...) on a connection. */
static enum ce_err
command(struct pgtxn *p, const char *sql, struct ce_error *err)
{
	PGresult *res = PQexec(p->c, sql);
	enum ce_err rc = CE_OK;

	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = stmt_fault(p, res, sql, err);
	PQclear(res);
	return rc;
}

/* ---- connections --------------------------------------------------------- */

/* The schema must be the one this program was built for. */
static enum ce_err
schema_check(PGconn *c, struct ce_error *err)
{
	PGresult *res = PQexec(c, "SELECT max(version) FROM schema_version");
	const char *state = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	enum ce_err rc = CE_OK;
	int have;

	/* A server shutting down may answer a new connection's first query
	 * so: that is no missing schema. */
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (lost(c, state))
			rc = unavailable(err, "schema", c);
		else if (strcmp(state, "42P01") == 0)
			rc = ce_fail(err, CE_DB, "the database has no certenroll "
			    "schema: run `certenroll db migrate`");
		else
			rc = ce_fault(err, CE_DB, "schema: %s [%s]",
			    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) ?
			    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
			    "?", state);
	} else if ((have = PQgetisnull(res, 0, 0) ? 0 :
	    atoi(PQgetvalue(res, 0, 0))) != DB_PG_SCHEMA_VERSION)
		rc = ce_fail(err, CE_DB, "the database's schema is version %d, "
		    "this certenroll's is %d: %s", have, DB_PG_SCHEMA_VERSION,
		    have < DB_PG_SCHEMA_VERSION ? "run `certenroll db migrate`" :
		    "upgrade certenroll");
	if (rc == CE_DB)
		log_error("%s", err != NULL ? err->msg : "schema");
	PQclear(res);
	return rc;
}

/* The server's notices ("already exists, skipping") are not errors. */
static void
notice_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static PGconn *
pg_connect(const char *conninfo, struct ce_error *err, enum ce_err *rc)
{
	static const char *const keys[] = { "dbname",
	    "fallback_application_name", NULL };
	const char *vals[] = { conninfo, "certenroll", NULL };
	PGconn *c;

	c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		*rc = unavailable(err, "connect", c);
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, notice_quiet, NULL);
	if (PQsetClientEncoding(c, "UTF8") != 0) {
		*rc = unavailable(err, "client encoding", c);
		PQfinish(c);
		return NULL;
	}
	*rc = CE_OK;
	return c;
}

/* An idle pooled connection, or a new one checked against the schema. */
static PGconn *
conn_take(struct pg *g, struct ce_error *err, enum ce_err *rc)
{
	PGconn *c = NULL;

	pthread_mutex_lock(&g->lock);
	if (g->nidle > 0)
		c = g->idle[--g->nidle];
	pthread_mutex_unlock(&g->lock);
	if (c != NULL && PQstatus(c) == CONNECTION_OK) {
		*rc = CE_OK;
		return c;
	}
	PQfinish(c);
	if ((c = pg_connect(g->conninfo, err, rc)) == NULL)
		return NULL;
	if ((*rc = schema_check(c, err)) != CE_OK) {
		PQfinish(c);
		return NULL;
	}
	return c;
}

static void
conn_give(struct pg *g, PGconn *c)
{
	pthread_mutex_lock(&g->lock);
	if (g->nidle < POOL_MAX && PQstatus(c) == CONNECTION_OK &&
	    PQtransactionStatus(c) == PQTRANS_IDLE) {
		g->idle[g->nidle++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&g->lock);
	PQfinish(c);
}

/* Closes every idle connection: after one was found dead (a restart of
 * the server), the others made before it are dead too. */
static void
pool_flush(struct pg *g)
{
	PGconn *idle[POOL_MAX];
	int n;

	pthread_mutex_lock(&g->lock);
	n = g->nidle;
	memcpy(idle, g->idle, (size_t)n * sizeof(idle[0]));
	g->nidle = 0;
	pthread_mutex_unlock(&g->lock);
	while (n > 0)
		PQfinish(idle[--n]);
}

enum ce_err
db_pg_open(struct ce_db *db, const char *conninfo, struct ce_error *err)
{
	struct pg *g;

	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (g->conninfo = strdup(conninfo)) == NULL) {
		free(g);
		return ce_fault(err, CE_NOMEM, "calloc");
	}
	pthread_mutex_init(&g->lock, NULL);
	db->be = g;
	return CE_OK;
}

static void
pg_close(struct ce_db *db)
{
	struct pg *g = PG(db);

	while (g->nidle > 0)
		PQfinish(g->idle[--g->nidle]);
	explicit_bzero(g->conninfo, strlen(g->conninfo));
	free(g->conninfo);
	pthread_mutex_destroy(&g->lock);
	free(g);
	db->be = NULL;
}

/* ---- transactions -------------------------------------------------------- */

/* db_write_as's lock, on the session before its transaction begins. */
static enum ce_err
take_lock(struct pgtxn *p, const char *lock, struct ce_error *err)
{
	PGresult *res;
	enum ce_err rc;

	if ((rc = run1(p, "SELECT pg_advisory_lock(hashtext($1))", lock,
	    PGRES_TUPLES_OK, &res, err)) != CE_OK)
		return rc;
	PQclear(res);
	p->locked = 1;
	return CE_OK;
}

static enum ce_err
begin_as(struct ce_db *db, struct ce_txn *t, const char *lock,
    struct ce_error *err)
{
	struct pgtxn *p;
	enum ce_err rc;
	int tries;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return ce_fault(err, CE_NOMEM, "calloc");
	/* A pooled connection may have died with a restart of the server:
	 * then the pool is emptied and one fresh connection is tried before
	 * giving up. */
	for (tries = 0; tries < 2; tries++) {
		memset(p, 0, sizeof(*p));
		if ((p->c = conn_take(PG(db), err, &rc)) == NULL)
			break;
		rc = lock != NULL ? take_lock(p, lock, err) : CE_OK;
		if (rc == CE_OK)
			rc = command(p, t->write ?
			    "BEGIN ISOLATION LEVEL SERIALIZABLE" :
			    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
			    err);
		if (rc == CE_OK) {
			t->bt = p;
			return CE_OK;
		}
		PQfinish(p->c);
		if (!p->lost)
			break;
		pool_flush(PG(db));
	}
	free(p);
	return rc;
}

static enum ce_err
pg_begin(struct ce_db *db, struct ce_txn *t, struct ce_error *err)
{
	return begin_as(db, t, NULL, err);
}

static void
txn_end(struct ce_txn *t)
{
	struct pgtxn *p = PT(t);
	PGresult *res;

	if (p->locked && !p->lost) {
		res = PQexec(p->c, "SELECT pg_advisory_unlock_all()");
		if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK)
			p->lost = 1;	/* a session that may hold it: closed */
		PQclear(res);
	}
	if (p->lost)
		PQfinish(p->c);
	else
		conn_give(PG(t->db), p->c);
	free(p);
	t->bt = NULL;
}

static void
pg_abort(struct ce_txn *t)
{
	struct pgtxn *p = PT(t);
	PGresult *res;

	if (!p->lost) {
		res = PQexec(p->c, "ROLLBACK");
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
			p->lost = 1;
		PQclear(res);
	}
	txn_end(t);
}

/* Commits; *conflict is set when the commit lost to a concurrent one. */
static enum ce_err
commit_x(struct ce_txn *t, int *conflict, struct ce_error *err)
{
	struct pgtxn *p = PT(t);
	PGresult *res;
	uint64_t t0;
	enum ce_err rc = CE_OK;

	*conflict = 0;
	if (p->failed) {
		*conflict = p->conflict;
		rc = failed_before(p, "commit", err);
		pg_abort(t);
		return rc;
	}
	t0 = metrics_now_ns();
	res = PQexec(p->c, "COMMIT");
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = stmt_fault(p, res, "commit", err);
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
		rc = ce_fault(err, CE_DB, "commit answered %s", PQcmdStatus(res));
	else if (t->write)
		db_commit_timed("postgresql", t0);
	PQclear(res);
	*conflict = p->conflict;
	if (rc != CE_OK && !p->lost) {
		res = PQexec(p->c, "ROLLBACK");
		PQclear(res);
	}
	txn_end(t);
	return rc;
}

static enum ce_err
pg_commit(struct ce_txn *t, struct ce_error *err)
{
	int conflict;

	return commit_x(t, &conflict, err);
}

/* Random back-off before another run, growing with the tries. */
static void
backoff(int tries)
{
	unsigned int cap = tries < 6 ? 1u << tries : 64;
	struct timespec ts;

	ts.tv_sec = 0;
	ts.tv_nsec = (long)(1 + (unsigned int)rand() % cap) * 500000L;
	nanosleep(&ts, NULL);
}

static enum ce_err
pg_write(struct ce_db *db, const char *lock, db_write_fn fn, void *arg,
    struct ce_error *err)
{
	struct ce_txn t;
	enum ce_err rc;
	int tries, conflict;

	for (tries = 0;; tries++) {
		memset(&t, 0, sizeof(t));
		t.db = db;
		t.write = 1;
		if ((rc = begin_as(db, &t, lock, err)) != CE_OK)
			return rc;
		rc = fn(&t, arg, err);
		if (rc != CE_OK) {
			conflict = PT(&t)->conflict;
			pg_abort(&t);
		} else
			rc = commit_x(&t, &conflict, err);
		if (!conflict || tries + 1 >= WRITE_TRIES)
			break;
		ce_error_clear(err);
		backoff(tries);
	}
	if (conflict)
		return ce_fail(err, CE_UNAVAIL, "The database is busy with "
		    "conflicting requests; try again.");
	return rc;
}

/* ---- records ------------------------------------------------------------- */

/* Copies a binary result value, with one extra NUL. */
static enum ce_err
copy_value(PGresult *res, int row, int column, unsigned char **out,
    size_t *len, struct ce_error *err)
{
	int n = PQgetlength(res, row, column);

	if ((*out = malloc((size_t)n + 1)) == NULL)
		return ce_fault(err, CE_NOMEM, "malloc");
	memcpy(*out, PQgetvalue(res, row, column), (size_t)n);
	(*out)[n] = '\0';
	*len = (size_t)n;
	return CE_OK;
}

/* A bigint result (binary: 8 bytes, big-endian); 0 when it is not one. */
static uint64_t
be64(PGresult *res, int row, int column)
{
	const unsigned char *b = (const unsigned char *)PQgetvalue(res, row,
	    column);
	uint64_t n = 0;
	int i;

	if (PQgetlength(res, row, column) != 8)
		return 0;
	for (i = 0; i < 8; i++)
		n = n << 8 | b[i];
	return n;
}

/* A sequence's value as the 8 native bytes LMDB's counters hold. */
static enum ce_err
counter_value(PGresult *res, int row, int column, unsigned char **out,
    size_t *len, struct ce_error *err)
{
	uint64_t n = be64(res, row, column);

	if (PQgetlength(res, row, column) != 8)
		return ce_fault(err, CE_DB, "counter value");
	if ((*out = malloc(sizeof(n) + 1)) == NULL)
		return ce_fault(err, CE_NOMEM, "malloc");
	memcpy(*out, &n, sizeof(n));
	(*out)[sizeof(n)] = '\0';
	*len = sizeof(n);
	return CE_OK;
}

#define COUNTERS_SQL \
	"SELECT substr(sequencename, 9) COLLATE \"C\" AS k, last_value AS v " \
	"FROM pg_sequences WHERE schemaname = current_schema() AND " \
	"sequencename LIKE 'counter\\_%' AND last_value IS NOT NULL"

static enum ce_err
pg_get_raw(struct ce_txn *t, enum db_table tab, const char *key,
    unsigned char **out, size_t *len, struct ce_error *err)
{
	char sql[256];
	PGresult *res;
	enum ce_err rc;

	*out = NULL;
	*len = 0;
	if (tab == T_COUNTERS)
		snprintf(sql, sizeof(sql), "%s AND substr(sequencename, 9) = $1",
		    COUNTERS_SQL);
	else
		snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE k = $1",
		    col(tab), db_table_name(tab));
	if ((rc = run1(PT(t), sql, key, PGRES_TUPLES_OK, &res, err)) != CE_OK)
		return rc;
	if (PQntuples(res) == 0)
		rc = ce_fail(err, CE_NOTFOUND, "not found");
	else if (tab == T_COUNTERS)
		rc = counter_value(res, 0, 1, out, len, err);
	else
		rc = copy_value(res, 0, 0, out, len, err);
	PQclear(res);
	return rc;
}

static enum ce_err
pg_counter_set(struct ce_txn *t, const char *counter, uint64_t n,
    struct ce_error *err)
{
	char num[32];
	const char *vals[2] = { counter, num };
	PGresult *res;
	enum ce_err rc;

	/* setval(seq, 0) is refused: "nothing handed out yet" is is_called
	 * false at 1. */
	snprintf(num, sizeof(num), "%llu", (unsigned long long)(n > 0 ? n : 1));
	rc = run(PT(t), n > 0 ?
	    "SELECT setval(('counter_' || $1)::regclass, $2::bigint)" :
	    "SELECT setval(('counter_' || $1)::regclass, $2::bigint, false)",
	    2, vals, NULL, NULL, PGRES_TUPLES_OK, &res, err);
	PQclear(res);
	return rc;
}

static enum ce_err
pg_put_raw(struct ce_txn *t, enum db_table tab, const char *key,
    const void *val, size_t len, struct ce_error *err)
{
	const char *vals[2] = { key, val };
	int lens[2] = { 0, (int)len }, fmts[2] = { 0, 1 };
	char sql[256];
	PGresult *res;
	enum ce_err rc;
	uint64_t n;

	if (tab == T_COUNTERS) {
		if (len != sizeof(n))
			return ce_fault(err, CE_DB, "counter %s: 8 bytes", key);
		memcpy(&n, val, sizeof(n));
		return pg_counter_set(t, key, n, err);
	}
	if (len > 0x7fffffff)
		return ce_fail(err, CE_TOOBIG, "record too large");
	/* json's and bytea's binary forms are their bytes. */
	snprintf(sql, sizeof(sql), "INSERT INTO %s (k, %s) VALUES ($1, $2) "
	    "ON CONFLICT (k) DO UPDATE SET %s = EXCLUDED.%s",
	    db_table_name(tab), col(tab), col(tab), col(tab));
	rc = run(PT(t), sql, 2, vals, lens, fmts, PGRES_COMMAND_OK, &res, err);
	PQclear(res);
	return rc;
}

static enum ce_err
pg_del(struct ce_txn *t, enum db_table tab, const char *key,
    struct ce_error *err)
{
	char sql[256];
	PGresult *res;
	enum ce_err rc;

	if (tab == T_COUNTERS)
		return ce_fault(err, CE_DB, "a counter cannot be deleted");
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE k = $1",
	    db_table_name(tab));
	if ((rc = run1(PT(t), sql, key, PGRES_COMMAND_OK, &res, err)) != CE_OK)
		return rc;
	if (strcmp(PQcmdTuples(res), "0") == 0)
		rc = ce_fail(err, CE_NOTFOUND, "not found");
	PQclear(res);
	return rc;
}

static enum ce_err
pg_next_id(struct ce_txn *t, const char *counter, uint64_t *out,
    struct ce_error *err)
{
	PGresult *res;
	enum ce_err rc;

	rc = run1(PT(t), "SELECT nextval(('counter_' || $1)::regclass)",
	    counter, PGRES_TUPLES_OK, &res, err);
	if (rc != CE_OK)
		return rc;
	*out = be64(res, 0, 0);
	PQclear(res);
	return *out > 0 ? CE_OK : ce_fault(err, CE_DB, "nextval");
}

/*
 * The least key above every key that starts with prefix: the prefix with
 * its last byte below 0xff raised by one.  0 when there is none (a prefix of
 * 0xff bytes, or an empty one): the range is then open above.
 */
static int
prefix_end(const char *prefix, char *buf, size_t bufsz)
{
	size_t n = strlen(prefix);

	if (n >= bufsz)
		return 0;
	memcpy(buf, prefix, n + 1);
	while (n > 0 && (unsigned char)buf[n - 1] == 0xff)
		buf[--n] = '\0';
	if (n == 0)
		return 0;
	buf[n - 1] = (char)((unsigned char)buf[n - 1] + 1);
	return 1;
}

/*
 * The fields db_foreach_eq() finds through an index (the migrations make
 * them), and the expression each index is on, which a query must name as
 * written to use it: lower() under "C", as db_foreach_eq compares.
 */
static const struct {
	enum db_table	 tab;
	const char	*field;
	const char	*expr;
} eq_index[] = {
	{ T_CERTS, "cn", "lower(cn COLLATE \"C\")" },	/* 002_cn_lookup */
};

static const char *
eq_expr(enum db_table tab, const char *field)
{
	size_t i;

	for (i = 0; i < sizeof(eq_index) / sizeof(eq_index[0]); i++)
		if (eq_index[i].tab == tab && strcmp(eq_index[i].field,
		    field) == 0)
			return eq_index[i].expr;
	return NULL;
}

static int
pg_eq_indexed(enum db_table tab, const char *field)
{
	return eq_expr(tab, field) != NULL;
}

/* What a walk reads: the records with keys starting with prefix (NULL:
 * all), or those whose indexed expression eq is eqval. */
struct walk_of {
	const char	*prefix;
	const char	*eq;
	const char	*eqval;
};

/* One page of a walk: keys after `after` (or from the prefix). */
static enum ce_err
walk_page(struct ce_txn *t, enum db_table tab, const struct walk_of *w,
    const char *after, PGresult **res, struct ce_error *err)
{
	char sql[640], end[KEY_MAX], cond[160] = "";
	const char *vals[3];
	int n = 0, has_end = w->prefix != NULL && prefix_end(w->prefix, end,
	    sizeof(end));

	vals[n++] = after != NULL ? after : (w->prefix != NULL ? w->prefix :
	    "");
	if (has_end) {
		vals[n++] = end;
		snprintf(cond, sizeof(cond), " AND k < $%d", n);
	}
	if (w->eq != NULL) {		/* (never with a prefix) */
		vals[n++] = w->eqval;
		snprintf(cond, sizeof(cond), " AND %s = lower($%d COLLATE "
		    "\"C\")", w->eq, n);
	}
	if (tab == T_COUNTERS)
		snprintf(sql, sizeof(sql), "SELECT k, v FROM (%s) c WHERE "
		    "k %s $1%s ORDER BY k LIMIT %d", COUNTERS_SQL,
		    after != NULL ? ">" : ">=", cond, WALK_PAGE);
	else
		snprintf(sql, sizeof(sql), "SELECT k, %s FROM %s WHERE k %s $1"
		    "%s ORDER BY k LIMIT %d", col(tab), db_table_name(tab),
		    after != NULL ? ">" : ">=", cond, WALK_PAGE);
	return run(PT(t), sql, n, vals, NULL, NULL, PGRES_TUPLES_OK, res, err);
}

/* Walks in pages by key (keyset paging), so a visitor may read the same
 * transaction while it walks. */
static enum ce_err
walk(struct ce_txn *t, enum db_table tab, const struct walk_of *w,
    db_walk_visit visit, void *arg, struct ce_error *err)
{
	const char *prefix = w->prefix;
	char last[KEY_MAX], key[KEY_MAX];
	size_t plen = prefix != NULL ? strlen(prefix) : 0;
	unsigned char *cv = NULL;
	PGresult *res = NULL;
	enum ce_err rc = CE_OK;
	int i, n, stop = 0, more = 1, klen;
	size_t cvlen;

	last[0] = '\0';
	while (more && !stop) {
		if ((rc = walk_page(t, tab, w, last[0] != '\0' ? last :
		    NULL, &res, err)) != CE_OK)
			return rc;
		n = PQntuples(res);
		more = n == WALK_PAGE;
		for (i = 0; i < n && !stop; i++) {
			klen = PQgetlength(res, i, 0);
			if (klen <= 0 || klen >= KEY_MAX)
				continue;	/* no table uses keys this long */
			memcpy(key, PQgetvalue(res, i, 0), (size_t)klen);
			key[klen] = '\0';
			snprintf(last, sizeof(last), "%s", key);
			if (prefix != NULL && strncmp(key, prefix, plen) != 0) {
				more = 0;
				break;
			}
			if (tab == T_COUNTERS) {
				if ((rc = counter_value(res, i, 1, &cv, &cvlen,
				    err)) != CE_OK)
					break;
				stop = visit(key, cv, cvlen, arg, &rc, err);
				free(cv);
				cv = NULL;
			} else
				stop = visit(key, (const unsigned char *)
				    PQgetvalue(res, i, 1), (size_t)PQgetlength(res,
				    i, 1), arg, &rc, err);
		}
		PQclear(res);
		res = NULL;
		if (rc != CE_OK)
			return rc;
	}
	return rc;
}

static enum ce_err
pg_walk(struct ce_txn *t, enum db_table tab, const char *prefix,
    db_walk_visit visit, void *arg, struct ce_error *err)
{
	struct walk_of w = { prefix, NULL, NULL };

	return walk(t, tab, &w, visit, arg, err);
}

static enum ce_err
pg_walk_eq(struct ce_txn *t, enum db_table tab, const char *field,
    const char *value, db_walk_visit visit, void *arg, struct ce_error *err)
{
	struct walk_of w = { NULL, eq_expr(tab, field), value };

	if (w.eq == NULL)
		return ce_fault(err, CE_DB, "no index on %s.%s",
		    db_table_name(tab), field);
	return walk(t, tab, &w, visit, arg, err);
}

static enum ce_err
pg_first_prefix(struct ce_txn *t, enum db_table tab, const char *prefix,
    char *keybuf, size_t keybufsz, unsigned char **val, size_t *len,
    struct ce_error *err)
{
	char sql[512], end[KEY_MAX];
	const char *vals[2] = { prefix, end };
	int has_end = prefix_end(prefix, end, sizeof(end)), klen;
	PGresult *res;
	enum ce_err rc;

	*val = NULL;
	*len = 0;
	if (tab == T_COUNTERS)
		return ce_fault(err, CE_DB, "counters are not a queue");
	/* Claims from a queue lock what they take and pass over what
	 * another host's transaction holds. */
	snprintf(sql, sizeof(sql), "SELECT k, %s FROM %s WHERE k >= $1%s "
	    "ORDER BY k LIMIT 1%s", col(tab), db_table_name(tab),
	    has_end ? " AND k < $2" : "",
	    t->write ? " FOR UPDATE SKIP LOCKED" : "");
	if ((rc = run(PT(t), sql, has_end ? 2 : 1, vals, NULL, NULL,
	    PGRES_TUPLES_OK, &res, err)) != CE_OK)
		return rc;
	rc = CE_NOTFOUND;
	if (PQntuples(res) == 1 && (klen = PQgetlength(res, 0, 0)) <
	    (int)keybufsz && strncmp(PQgetvalue(res, 0, 0), prefix,
	    strlen(prefix)) == 0) {
		memcpy(keybuf, PQgetvalue(res, 0, 0), (size_t)klen);
		keybuf[klen] = '\0';
		rc = copy_value(res, 0, 1, val, len, err);
	}
	PQclear(res);
	return rc;
}

static enum ce_err
pg_count(struct ce_txn *t, enum db_table tab, size_t *n, struct ce_error *err)
{
	char sql[256];
	PGresult *res;
	enum ce_err rc;

	if (tab == T_COUNTERS)
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM (%s) c",
		    COUNTERS_SQL);
	else
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s",
		    db_table_name(tab));
	if ((rc = run1(PT(t), sql, NULL, PGRES_TUPLES_OK, &res, err)) != CE_OK)
		return rc;
	*n = (size_t)be64(res, 0, 0);
	PQclear(res);
	return CE_OK;
}

const struct db_ops db_pg_ops = {
	.name		= "postgresql",
	.close		= pg_close,
	.begin		= pg_begin,
	.commit		= pg_commit,
	.abort		= pg_abort,
	.get_raw	= pg_get_raw,
	.put_raw	= pg_put_raw,
	.del		= pg_del,
	.next_id	= pg_next_id,
	.counter_set	= pg_counter_set,
	.walk		= pg_walk,
	.eq_indexed	= pg_eq_indexed,
	.walk_eq	= pg_walk_eq,
	.first_prefix	= pg_first_prefix,
	.count		= pg_count,
	.write		= pg_write,
};

/* ---- migrations ---------------------------------------------------------- */

/* Any one number for the advisory lock that serialises migrators. */
#define MIGRATE_LOCK	"7316421"

static enum ce_err
migrate_step(struct pgtxn *p, const struct db_pg_migration *m,
    struct ce_error *err)
{
	char num[16];
	const char *vals[2] = { num, m->name };
	PGresult *res;
	enum ce_err rc;

	snprintf(num, sizeof(num), "%d", m->version);
	if ((rc = command(p, "BEGIN", err)) != CE_OK)
		return rc;
	res = PQexec(p->c, m->sql);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = stmt_fault(p, res, m->name, err);
		PQclear(res);
		PQclear(PQexec(p->c, "ROLLBACK"));
		return rc;
	}
	PQclear(res);
	if ((rc = run(p, "INSERT INTO schema_version (version, name) VALUES "
	    "($1::integer, $2)", 2, vals, NULL, NULL, PGRES_COMMAND_OK, &res,
	    err)) != CE_OK) {
		PQclear(PQexec(p->c, "ROLLBACK"));
		return rc;
	}
	PQclear(res);
	return command(p, "COMMIT", err);
}

enum ce_err
db_pg_migrate(struct ce_db *db, int *from, int *to, struct ce_error *err)
{
	struct pgtxn p;
	PGresult *res = NULL;
	enum ce_err rc;
	int i;

	memset(&p, 0, sizeof(p));
	if ((p.c = pg_connect(PG(db)->conninfo, err, &rc)) == NULL)
		return rc;
	if ((rc = run1(&p, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", NULL,
	    PGRES_TUPLES_OK, &res, err)) == CE_OK) {
		PQclear(res);
		rc = command(&p, "CREATE TABLE IF NOT EXISTS schema_version ("
		    "version integer PRIMARY KEY, name text NOT NULL, "
		    "applied timestamptz NOT NULL DEFAULT now())", err);
	}
	if (rc == CE_OK)
		rc = run1(&p, "SELECT coalesce(max(version), 0)::text FROM "
		    "schema_version", NULL, PGRES_TUPLES_OK, &res, err);
	if (rc == CE_OK) {
		/* the text of a text column is its binary form */
		*from = *to = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
		if (*from > DB_PG_SCHEMA_VERSION)
			rc = ce_fail(err, CE_DB, "the database's schema is "
			    "version %d, newer than this certenroll's (%d)",
			    *from, DB_PG_SCHEMA_VERSION);
	}
	for (i = 0; rc == CE_OK && i < db_pg_nmigrations; i++) {
		if (db_pg_migrations[i].version <= *to)
			continue;
		if ((rc = migrate_step(&p, &db_pg_migrations[i], err)) == CE_OK)
			*to = db_pg_migrations[i].version;
	}
	PQfinish(p.c);		/* the session's lock goes with it */
	return rc;
}
