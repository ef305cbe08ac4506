/* request.c - certificate request records, their index by state and their
 * requesters' counts (request.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counts.h"
#include "jbuild.h"
#include "request.h"
#include "db.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))
/* Set in T_REQ_BY_STATE once every older request is indexed. */
#define INDEX_MARK "~indexed"

static const char *const state_names[] = {
	[REQ_UNKNOWN] = "UNKNOWN", [REQ_PENDING] = "PENDING",
	[REQ_APPROVING] = "APPROVING", [REQ_ISSUED] = "ISSUED",
	[REQ_DENIED] = "DENIED",
};

const char *
request_state_name(enum request_state s)
{
	return s >= REQ_UNKNOWN && s <= REQ_DENIED ? state_names[s] : "UNKNOWN";
}

enum request_state
request_state_parse(const char *s)
{
	int i;

	for (i = REQ_PENDING; s != NULL && i <= REQ_DENIED; i++)
		if (strcmp(s, state_names[i]) == 0)
			return (enum request_state)i;
	return REQ_UNKNOWN;
}

/* Issued requests are never listed by state: no index entry for them. */
static int
indexed(enum request_state s)
{
	return s == REQ_PENDING || s == REQ_APPROVING || s == REQ_DENIED;
}

static int
waiting(enum request_state s)
{
	return s == REQ_PENDING || s == REQ_APPROVING;
}

static char *
state_key(enum request_state s, int64_t id, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%020lld", request_state_name(s), (long long)id);
	return buf;
}

static json_object *
get_ref(json_object *rec, const char *k)
{
	json_object *v = json_object_object_get(rec, k);

	return v != NULL ? json_object_get(v) : NULL;
}

/* The stored JSON into r (every string copied). */
static void
from_json(json_object *rec, struct request *r)
{
	memset(r, 0, sizeof(*r));
	r->id = jrec_int(rec, "id");
	r->state = request_state_parse(json_object_get_string(
	    json_object_object_get(rec, "state")));
	r->requester = jrec_strdup(rec, "requester");
	r->submitted = jrec_int(rec, "submitted");
	r->template_name = jrec_strdup(rec, "template");
	r->pattern_id = jrec_int(rec, "pattern_id");
	r->ca = jrec_strdup(rec, "ca");
	r->subject = jrec_strdup(rec, "subject");
	r->cn = jrec_strdup(rec, "cn");
	r->metadata = get_ref(rec, "metadata");
	r->api_version = (int)jrec_int(rec, "api_version");
	r->format = jrec_strdup(rec, "format");
	r->password_generated = jrec_bool(rec, "password_generated");
	r->sealed_password = jrec_strdup(rec, "sealed_password");
	r->body = get_ref(rec, "body");
	r->cert_id = jrec_int(rec, "cert_id");
	r->issued = jrec_int(rec, "issued");
	r->approving_by = jrec_strdup(rec, "approving_by");
	r->approved_by = jrec_strdup(rec, "approved_by");
	r->approved = jrec_int(rec, "approved");
	r->denied_by = jrec_strdup(rec, "denied_by");
	r->denied = jrec_int(rec, "denied");
	r->comment = jrec_strdup(rec, "comment");
	r->signed_serial = jrec_strdup(rec, "signed_serial");
}

static int
add_str(json_object *o, const char *k, const char *v)
{
	return v == NULL ? 0 : ADD(o, k, json_object_new_string(v));
}

static int
add_int(json_object *o, const char *k, int64_t v)
{
	return v == 0 ? 0 : ADD(o, k, json_object_new_int64(v));
}

/* r as the stored JSON: the fields it has (absent ones are left out, as
 * the records always were). */
static json_object *
to_json(const struct request *r)
{
	json_object *o = json_object_new_object();
	int bad = 0;

	if (o == NULL)
		return NULL;
	bad |= ADD(o, "id", json_object_new_int64(r->id));
	bad |= ADD(o, "state", json_object_new_string(
	    request_state_name(r->state)));
	bad |= add_str(o, "requester", r->requester);
	bad |= ADD(o, "submitted", json_object_new_int64(r->submitted));
	bad |= add_str(o, "template", r->template_name);
	bad |= ADD(o, "pattern_id", json_object_new_int64(r->pattern_id));
	bad |= add_str(o, "ca", r->ca);
	bad |= add_str(o, "subject", r->subject);
	bad |= add_str(o, "cn", r->cn);
	if (r->metadata != NULL)
		bad |= ADD(o, "metadata", json_object_get(r->metadata));
	bad |= add_int(o, "api_version", r->api_version);
	bad |= add_str(o, "format", r->format);
	if (r->format != NULL)
		bad |= ADD(o, "password_generated",
		    json_object_new_boolean(r->password_generated));
	bad |= add_str(o, "sealed_password", r->sealed_password);
	if (r->body != NULL)
		bad |= ADD(o, "body", json_object_get(r->body));
	bad |= add_int(o, "cert_id", r->cert_id);
	bad |= add_int(o, "issued", r->issued);
	bad |= add_str(o, "approving_by", r->approving_by);
	bad |= add_str(o, "approved_by", r->approved_by);
	bad |= add_int(o, "approved", r->approved);
	bad |= add_str(o, "denied_by", r->denied_by);
	bad |= add_int(o, "denied", r->denied);
	bad |= add_str(o, "comment", r->comment);
	bad |= add_str(o, "signed_serial", r->signed_serial);
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

void
request_clear(struct request *r)
{
	if (r == NULL)
		return;
	free(r->requester);
	free(r->template_name);
	free(r->ca);
	free(r->subject);
	free(r->cn);
	json_object_put(r->metadata);
	free(r->format);
	free(r->sealed_password);
	json_object_put(r->body);
	free(r->approving_by);
	free(r->approved_by);
	free(r->denied_by);
	free(r->comment);
	free(r->signed_serial);
	memset(r, 0, sizeof(*r));
}

enum ce_err
request_new_id(struct ce_txn *txn, int64_t *id, struct ce_error *err)
{
	uint64_t v;
	enum ce_err rc;

	if ((rc = db_next_id(txn, "request", &v, err)) == CE_OK)
		*id = (int64_t)v;
	return rc;
}

enum ce_err
request_get(struct ce_txn *txn, int64_t id, struct request *out,
    struct ce_error *err)
{
	json_object *rec = NULL;
	char key[DB_IDKEY_MAX];
	enum ce_err rc;

	memset(out, 0, sizeof(*out));
	if (id <= 0)
		return CE_NOTFOUND;
	if ((rc = db_get(txn, T_REQUESTS, db_idkey((uint64_t)id, key), &rec,
	    err)) != CE_OK)
		return rc;
	from_json(rec, out);
	out->id = id;	/* the key is the id, whatever the record says */
	json_object_put(rec);
	return CE_OK;
}

enum ce_err
request_cert_id(struct ce_txn *txn, int64_t id, int64_t *cert_id,
    struct ce_error *err)
{
	struct request r;
	enum ce_err rc;

	*cert_id = 0;
	if ((rc = request_get(txn, id, &r, err)) == CE_OK)
		*cert_id = r.cert_id;
	request_clear(&r);
	return rc;
}

struct backfill {
	struct ce_txn	*txn;
	struct ce_error	*err;
	enum ce_err	 rc;
};

static int
backfill_cb(const char *key, json_object *rec, void *arg)
{
	struct backfill *b = arg;
	json_object *empty;
	enum request_state s;
	char skey[64];

	(void)key;
	s = request_state_parse(json_object_get_string(
	    json_object_object_get(rec, "state")));
	if (!indexed(s))
		return 0;
	if ((empty = json_object_new_object()) == NULL) {
		b->rc = ce_fault(b->err, CE_NOMEM, "request index");
		return 1;
	}
	b->rc = db_put(b->txn, T_REQ_BY_STATE, state_key(s, jrec_int(rec, "id"),
	    skey, sizeof(skey)), empty, b->err);
	json_object_put(empty);
	return b->rc != CE_OK;
}

/* Whether every request is in the index (else lists read the table). */
static int
index_complete(struct ce_txn *txn)
{
	json_object *mark = NULL;
	struct ce_error e;
	enum ce_err rc;

	ce_error_clear(&e);
	rc = db_get(txn, T_REQ_BY_STATE, INDEX_MARK, &mark, &e);
	json_object_put(mark);
	return rc == CE_OK;
}

/* Requests written before the index existed are indexed by the first write
 * that finds no mark: once, in that write's transaction. */
static enum ce_err
index_backfill(struct ce_txn *txn, struct ce_error *err)
{
	struct backfill b = { txn, err, CE_OK };
	json_object *mark;
	enum ce_err rc;

	if (index_complete(txn))
		return CE_OK;
	if ((rc = db_foreach(txn, T_REQUESTS, backfill_cb, &b, err)) != CE_OK ||
	    (rc = b.rc) != CE_OK)
		return rc;
	if ((mark = json_object_new_object()) == NULL)
		return ce_fault(err, CE_NOMEM, "request index");
	rc = db_put(txn, T_REQ_BY_STATE, INDEX_MARK, mark, err);
	json_object_put(mark);
	return rc;
}

/* Moves the index entry and the requester's count from state `from` (of
 * the stored record; REQ_UNKNOWN for a new one) to r's state. */
static enum ce_err
move_state(struct ce_txn *txn, enum request_state from,
    const struct request *r, struct ce_error *err)
{
	json_object *empty;
	char key[64];
	enum ce_err rc;

	if (from == r->state)
		return CE_OK;
	if (indexed(from)) {
		rc = db_del(txn, T_REQ_BY_STATE, state_key(from, r->id, key,
		    sizeof(key)), err);
		if (rc != CE_OK && rc != CE_NOTFOUND)
			return rc;
	}
	if (indexed(r->state)) {
		if ((empty = json_object_new_object()) == NULL)
			return ce_fault(err, CE_NOMEM, "request index");
		rc = db_put(txn, T_REQ_BY_STATE, state_key(r->state, r->id, key,
		    sizeof(key)), empty, err);
		json_object_put(empty);
		if (rc != CE_OK)
			return rc;
	}
	if (waiting(from) != waiting(r->state))
		return count_add(txn, T_PENDCOUNT, r->requester,
		    waiting(r->state) ? 1 : -1, err);
	return CE_OK;
}

enum ce_err
request_put(struct ce_txn *txn, const struct request *r, struct ce_error *err)
{
	struct request old;
	json_object *rec;
	char key[DB_IDKEY_MAX];
	enum request_state from;
	enum ce_err rc;

	if (r->id <= 0)
		return ce_fault(err, CE_INVAL, "request without id");
	if ((rc = index_backfill(txn, err)) != CE_OK)
		return rc;
	rc = request_get(txn, r->id, &old, err);
	if (rc != CE_OK && rc != CE_NOTFOUND)
		return rc;
	from = rc == CE_OK ? old.state : REQ_UNKNOWN;
	request_clear(&old);
	if ((rec = to_json(r)) == NULL)
		return ce_fault(err, CE_NOMEM, "request record");
	rc = db_put(txn, T_REQUESTS, db_idkey((uint64_t)r->id, key), rec, err);
	json_object_put(rec);
	if (rc != CE_OK)
		return rc;
	return move_state(txn, from, r, err);
}

struct listing {
	struct ce_txn		*txn;
	enum request_state	 state;
	int64_t			 skip, left;
	request_visit		 cb;
	void			*arg;
	struct ce_error		*err;
	enum ce_err		 rc;
};

static int
visit(struct listing *l, json_object *rec)
{
	struct request r;
	int stop;

	if (l->skip > 0) {
		l->skip--;
		return 0;
	}
	from_json(rec, &r);
	stop = l->cb(&r, l->arg);
	request_clear(&r);
	return stop || --l->left <= 0;
}

/* An index entry: its request. */
static int
by_index_cb(const char *key, json_object *val, void *arg)
{
	struct listing *l = arg;
	json_object *rec = NULL;
	const char *slash = strrchr(key, '/');
	char idkey[DB_IDKEY_MAX];
	int stop;

	(void)val;
	if (slash == NULL)
		return 0;
	l->rc = db_get(l->txn, T_REQUESTS, db_idkey(strtoull(slash + 1, NULL,
	    10), idkey), &rec, l->err);
	if (l->rc == CE_NOTFOUND) {	/* an index entry left over: skip */
		l->rc = CE_OK;
		return 0;
	}
	if (l->rc != CE_OK)
		return 1;
	stop = visit(l, rec);
	json_object_put(rec);
	return stop;
}

/* Before the index is complete: every request, those in the state. */
static int
by_scan_cb(const char *key, json_object *rec, void *arg)
{
	struct listing *l = arg;

	(void)key;
	if (request_state_parse(json_object_get_string(
	    json_object_object_get(rec, "state"))) != l->state)
		return 0;
	return visit(l, rec);
}

enum ce_err
request_list(struct ce_txn *txn, enum request_state state, int64_t skip,
    int64_t limit, request_visit cb, void *arg, struct ce_error *err)
{
	struct listing l = { txn, state, skip, limit, cb, arg, err, CE_OK };
	char prefix[32];
	enum ce_err rc;

	if (limit <= 0)
		return CE_OK;
	if (!indexed(state) || !index_complete(txn))
		rc = db_foreach(txn, T_REQUESTS, by_scan_cb, &l, err);
	else {
		snprintf(prefix, sizeof(prefix), "%s/", request_state_name(state));
		rc = db_foreach_prefix(txn, T_REQ_BY_STATE, prefix, by_index_cb,
		    &l, err);
	}
	return rc != CE_OK ? rc : l.rc;
}

static int
count_entry_cb(const char *key, json_object *val, void *arg)
{
	(void)val;
	if (strchr(key, '/') != NULL)
		(*(int64_t *)arg)++;
	return 0;
}

static int
count_request_cb(const struct request *r, void *arg)
{
	(void)r;
	(*(int64_t *)arg)++;
	return 0;
}

enum ce_err
request_count_state(struct ce_txn *txn, enum request_state state, int64_t *n,
    struct ce_error *err)
{
	char prefix[32];

	*n = 0;
	if (!indexed(state) || !index_complete(txn))
		return request_list(txn, state, 0, INT64_MAX, count_request_cb,
		    n, err);
	snprintf(prefix, sizeof(prefix), "%s/", request_state_name(state));
	return db_foreach_prefix(txn, T_REQ_BY_STATE, prefix, count_entry_cb,
	    n, err);
}

enum ce_err
request_count_waiting(struct ce_txn *txn, const char *user, int64_t *n,
    struct ce_error *err)
{
	return count_get(txn, T_PENDCOUNT, user, n, err);
}

enum ce_err
request_dump(struct ce_txn *txn, db_visit cb, void *arg, struct ce_error *err)
{
	return db_foreach(txn, T_REQUESTS, cb, arg, err);
}
