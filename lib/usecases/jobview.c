/* jobview.c - management jobs as the API lists them (jobview.h). */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "jbuild.h"
#include "jobs.h"
#include "jobview.h"
#include "stores.h"

enum jfield {
	JF_ID, JF_CERT, JF_RESULT, JF_STATUS, JF_STORE, JF_MACHINE, JF_PATH,
	JF_TYPE, JF_REQUESTER, JF_ALIAS, JF_START, JF_END, JF__MAX
};

static const struct query_field_def jfields[JF__MAX] = {
	[JF_ID]		= { "JobHistoryId", "Id", QT_NUMBER, 1 },
	[JF_CERT]	= { "CertificateId", NULL, QT_NUMBER, 1 },
	[JF_RESULT]	= { "Result", NULL, QT_NUMBER, 0 },
	[JF_STATUS]	= { "Status", NULL, QT_NUMBER, 0 },
	[JF_STORE]	= { "CertStoreId", NULL, QT_TEXT, 0 },
	[JF_MACHINE]	= { "ClientMachine", NULL, QT_TEXT, 0 },
	[JF_PATH]	= { "StorePath", NULL, QT_TEXT, 0 },
	[JF_TYPE]	= { "JobType", NULL, QT_TEXT, 0 },
	[JF_REQUESTER]	= { "Requester", NULL, QT_TEXT, 0 },
	[JF_ALIAS]	= { "Alias", NULL, QT_TEXT, 0 },
	[JF_START]	= { "OperationStart", NULL, QT_DATE, 0 },
	[JF_END]	= { "OperationEnd", NULL, QT_DATE, 0 },
};
const struct query_vocab jobview_fields = { jfields, JF__MAX, -1 };

/* Keyfactor's Status and Result of one of jobs.h's words. */
static int
status_of(const char *w)
{
	if (w == NULL)
		return 0;
	if (strcmp(w, "scheduled") == 0 || strcmp(w, "retry") == 0)
		return 1;
	if (strcmp(w, "running") == 0)
		return 2;
	return 3;
}

static int
result_of(const char *w)
{
	if (w == NULL || status_of(w) != 3)
		return 0;
	if (strcmp(w, "succeeded") == 0)
		return 1;
	return strcmp(w, "cancelled") == 0 ? 2 : 3;
}

/* A job with its store, as one history item and its query terms see it. */
struct row {
	const struct job_info	*j;
	const struct store	*st;	/* NULL: the store is gone */
};

static int
job_term(const struct query_term *t, void *arg)
{
	const struct row *r = arg;
	const struct job_info *j = r->j;

	switch ((enum jfield)t->field) {
	case JF_ID:	return query_number_matches(t, j->id, 1);
	case JF_CERT:	return query_number_matches(t, j->cert_id, j->cert_id > 0);
	case JF_RESULT:	return query_number_matches(t, result_of(j->status), 1);
	case JF_STATUS:	return query_number_matches(t, status_of(j->status), 1);
	case JF_STORE:	return query_text_matches(t, j->store_id);
	case JF_MACHINE:
		return query_text_matches(t, r->st ? r->st->client_machine : NULL);
	case JF_PATH:
		return query_text_matches(t, r->st ? r->st->store_path : NULL);
	case JF_TYPE:	return query_text_matches(t, "Management");
	case JF_REQUESTER: return query_text_matches(t, j->requester);
	case JF_ALIAS:	return query_text_matches(t, j->alias);
	case JF_START:	return query_number_matches(t, j->started, j->started > 0);
	case JF_END:	return query_number_matches(t, j->finished, j->finished > 0);
	default:	return 0;
	}
}

static void
date_or_null(struct jb *b, const char *k, int64_t t)
{
	if (t > 0)
		jb_date(b, k, t);
	else
		jb_null(b, k);
}

static json_object *
history_json(const struct row *r)
{
	const struct job_info *j = r->j;
	json_object *sched = json_object_new_object();
	char guid[GUID_LEN + 1];
	struct jb b;

	/* A GUID of the id: version 4 and variant bits set, as clients that
	 * parse GUIDs check. */
	snprintf(guid, sizeof(guid), "00000000-0000-4000-8000-%012llx",
	    (unsigned long long)j->id & 0xffffffffffffULL);
	if (sched != NULL && json_object_object_add(sched, "Immediate",
	    json_object_new_boolean(1)) != 0) {
		json_object_put(sched);
		sched = NULL;
	}
	jb_init(&b, json_object_new_object());
	jb_int(&b, "JobHistoryId", j->id);
	jb_null(&b, "AgentMachine");
	jb_str(&b, "JobId", guid);
	jb_add(&b, "Schedule", sched);
	jb_str(&b, "JobType", "Management");
	date_or_null(&b, "OperationStart", j->started);
	date_or_null(&b, "OperationEnd", j->finished);
	jb_str(&b, "Message", j->last_error);
	jb_int(&b, "Result", result_of(j->status));
	jb_int(&b, "Status", status_of(j->status));
	jb_str(&b, "StorePath", r->st ? r->st->store_path : NULL);
	jb_str(&b, "ClientMachine", r->st ? r->st->client_machine : NULL);
	jb_str(&b, "CertStoreId", j->store_id);
	jb_int(&b, "CertificateId", j->cert_id);
	jb_str(&b, "Alias", j->alias);
	jb_str(&b, "OperationType", j->kind);
	jb_int(&b, "Attempts", j->attempts);
	jb_str(&b, "Requester", j->requester);
	jb_str(&b, "StatusString", j->status);
	date_or_null(&b, "Due", j->due);
	if (b.bad) {
		json_object_put(b.o);
		return NULL;
	}
	return b.o;
}

struct history {
	struct ce_txn		*txn;
	const struct query	*q;
	json_object		*arr;
	int64_t			 skip, limit;
	struct store		 st;	/* the last job's store, read once */
	int			 have_st;
	int			 bad;
};

static int
history_cb(const struct job_info *j, void *arg)
{
	struct history *h = arg;
	struct ce_error scratch;
	struct row r = { j, NULL };

	if (j->store_id != NULL && (!h->have_st ||
	    strcmp(h->st.id, j->store_id) != 0)) {
		store_clear(&h->st);
		h->have_st = store_get(h->txn, j->store_id, &h->st,
		    &scratch) == CE_OK;
	}
	if (h->have_st && j->store_id != NULL &&
	    strcmp(h->st.id, j->store_id) == 0)
		r.st = &h->st;
	if (h->q != NULL && !query_eval(h->q, job_term, &r))
		return 0;
	if (h->skip > 0) {
		h->skip--;
		return 0;
	}
	jb_arr_add(h->arr, history_json(&r), &h->bad);
	return h->bad || (int64_t)json_object_array_length(h->arr) >= h->limit;
}

enum ce_err
jobview_history(struct ce_db *db, const struct query *q,
    const struct paging *pg, json_object **out, struct ce_error *err)
{
	struct history h;
	enum ce_err rc;

	*out = NULL;
	memset(&h, 0, sizeof(h));
	h.q = q;
	h.skip = query_offset(pg);
	h.limit = pg->limit;
	if ((h.arr = json_object_new_array()) == NULL)
		return ce_fault(err, CE_NOMEM, "job history");
	if ((rc = db_begin(db, 0, &h.txn, err)) == CE_OK) {
		rc = job_each(h.txn, history_cb, &h, err);
		db_abort(h.txn);
	}
	store_clear(&h.st);
	if (rc == CE_OK && h.bad)
		rc = ce_fault(err, CE_NOMEM, "job history");
	if (rc == CE_OK)
		*out = h.arr;
	else
		json_object_put(h.arr);
	return rc;
}
