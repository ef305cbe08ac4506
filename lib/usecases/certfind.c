/*
 * certfind.c - GET /Certificates?pq.queryString=...: the query answered
 * through an index when a term allows, else by a scan (see certview.h).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "certdb.h"
#include "certfind.h"
#include "certview.h"
#include "jbuild.h"
#include "pemutil.h"
#include "request.h"
#include "db.h"

/* ---- queries ----------------------------------------------------------- */

/* Whether certificate c satisfies term t. */
static int
term_matches(const struct query_term *t, const struct cert *c)
{
	char a[80], b[80];

	switch (t->field) {
	case QF_ID:
		return c->id == t->num;
	case QF_CERTREQUESTID:
		return c->request_id == t->num;
	case QF_THUMBPRINT:
		return c->thumbprint != NULL &&
		    strcasecmp(c->thumbprint, t->text) == 0;
	case QF_ISSUEDCN:
		return strcasecmp(c->cn != NULL ? c->cn : "", t->text) == 0;
	case QF_SERIALNUMBER:
		return serial_canon(c->serial, a, sizeof(a)) == 0 &&
		    serial_canon(t->text, b, sizeof(b)) == 0 && strcmp(a, b) == 0;
	default:
		return 0;
	}
}

static int
query_matches(const struct query *q, const struct cert *c)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (!term_matches(&q->terms[i], c))
			return 0;
	return 1;
}

/* A query being answered: the page still to skip and to fill. */
struct finder {
	struct ce_txn			*txn;
	const struct query		*q;
	const struct certview_opts	*opts;
	int64_t				 skip;
	int64_t				 left;
	json_object			*arr;
	enum ce_err			 rc;
	struct ce_error			*err;
};

/*
 * Takes a matching record: counts it off while the page has not begun,
 * else adds its view.  Returns 1 when the page is full or on failure.
 */
static int
finder_take(struct finder *f, const struct cert *c)
{
	json_object *view = NULL;

	/* Revoked certificates are listed when asked for (includeRevoked). */
	if (c->state == CERT_REVOKED && !f->opts->revoked)
		return 0;
	if (f->skip > 0) {
		f->skip--;
		return 0;
	}
	f->rc = certview_json(f->txn, c, f->opts, &view, f->err);
	if (f->rc != CE_OK)
		return 1;
	if (json_object_array_add(f->arr, view) != 0) {
		json_object_put(view);
		f->rc = ce_fault(f->err, CE_NOMEM, "json array");
		return 1;
	}
	return --f->left <= 0;
}

static int
scan_visit(const struct cert *c, void *arg)
{
	struct finder *f = arg;

	return query_matches(f->q, c) ? finder_take(f, c) : 0;
}

/*
 * The one certificate an indexed term can point at: *indexed is 0 when no
 * term is indexed (the caller scans), else *id is the candidate (0: none).
 */
static enum ce_err
candidate(struct ce_txn *txn, const struct query *q, int *indexed,
    int64_t *id, struct ce_error *err)
{
	const struct query_term *t;
	char serial[80];
	enum ce_err rc;
	size_t i;

	*indexed = 1;
	*id = 0;
	for (i = 0; i < q->n; i++) {
		t = &q->terms[i];
		switch (t->field) {
		case QF_ID:
			*id = t->num;
			return CE_OK;
		case QF_THUMBPRINT:
			/* Text that is no thumbprint matches nothing. */
			if (!thumbprint_valid(t->text))
				return CE_OK;
			rc = cert_by_thumbprint(txn, t->text, id, err);
			if (rc == CE_NOTFOUND) {
				ce_error_clear(err);
				*id = 0;
				rc = CE_OK;
			}
			return rc;
		case QF_CERTREQUESTID:
			rc = request_cert_id(txn, t->num, id, err);
			if (rc == CE_NOTFOUND) {
				ce_error_clear(err);
				rc = CE_OK;
			}
			return rc;
		case QF_SERIALNUMBER:
			if (serial_canon(t->text, serial, sizeof(serial)) != 0)
				return CE_OK;
			return cert_by_serial(txn, serial, id, err);
		default:
			break;
		}
	}
	*indexed = 0;
	return CE_OK;
}

/* The query's IssuedCN, if it has one (the certificates sharing a CN
 * are walked through its index). */
static const char *
query_cn(const struct query *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (q->terms[i].field == QF_ISSUEDCN)
			return q->terms[i].text;
	return NULL;
}

/* Answers f's query in f->txn: through an index when a term allows. */
static enum ce_err
find_in(struct finder *f)
{
	const char *cn;
	struct cert c;
	int64_t id;
	int indexed;
	enum ce_err rc;

	if ((rc = candidate(f->txn, f->q, &indexed, &id, f->err)) != CE_OK)
		return rc;
	if (!indexed) {
		cn = query_cn(f->q);
		rc = cn != NULL ? cert_scan_cn(f->txn, cn, scan_visit, f,
		    f->err) : cert_scan(f->txn, scan_visit, f, f->err);
		return rc != CE_OK ? rc : f->rc;
	}
	if (id <= 0)
		return CE_OK;
	rc = cert_get(f->txn, id, &c, f->err);
	if (rc == CE_NOTFOUND) {
		ce_error_clear(f->err);
		return CE_OK;
	}
	if (rc == CE_OK && query_matches(f->q, &c))
		(void)finder_take(f, &c);
	cert_clear(&c);
	return rc != CE_OK ? rc : f->rc;
}

enum ce_err
certview_find(struct ce_db *db, const struct query *q, const struct paging *pg,
    const struct certview_opts *opts, json_object **out, struct ce_error *err)
{
	struct finder f;
	enum ce_err rc;

	*out = NULL;
	memset(&f, 0, sizeof(f));
	f.q = q;
	f.opts = opts;
	f.skip = query_offset(pg);
	f.left = pg->limit;
	f.err = err;
	f.rc = CE_OK;
	if ((f.arr = json_object_new_array()) == NULL)
		return ce_fault(err, CE_NOMEM, "json array");
	if ((rc = db_begin(db, 0, &f.txn, err)) != CE_OK)
		goto out;
	rc = find_in(&f);
out:
	db_abort(f.txn);
	if (rc == CE_OK)
		*out = f.arr;
	else
		json_object_put(f.arr);
	return rc;
}

