/*
 * certfind.c - GET /Certificates?pq.queryString=...: the query answered
 * through an index when a required term allows, else by a scan (see
 * certfind.h).
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

/* Metadata field name of c (names in any case), or NULL. */
static const char *
metadata_value(const struct cert *c, const char *name)
{
	if (c->metadata == NULL || !json_object_is_type(c->metadata,
	    json_type_object))
		return NULL;
	json_object_object_foreach(c->metadata, key, val)
		if (strcasecmp(key, name) == 0)
			return json_object_get_string(val);
	return NULL;
}

/* A serial number term: compared without leading zeros when both sides
 * are hex, as written otherwise. */
static int
serial_matches(const struct query_term *t, const char *serial)
{
	struct query_term canon;
	char a[80];

	if ((t->op == QO_ISNULL || t->op == QO_NOTNULL) ||
	    serial_canon(serial, a, sizeof(a)) != 0)
		return query_text_matches(t, serial);
	canon = *t;
	if (serial_canon(t->text, canon.text, sizeof(canon.text)) != 0)
		return query_text_matches(t, a);
	return query_text_matches(&canon, a);
}

/* KeyType by name (RSA, ECC, ...) or by Keyfactor's number (1 RSA, 3 ECC,
 * 5 Ed25519, 6 Ed448), as GET /Certificates shows both. */
static int
key_type_matches(const struct query_term *t, const char *name)
{
	static const struct { const char *name, *number; } n[] = {
		{ "RSA", "1" }, { "ECC", "3" }, { "Ed25519", "5" },
		{ "Ed448", "6" },
	};
	size_t i;

	if (t->text[0] >= '0' && t->text[0] <= '9' && t->op != QO_ISNULL &&
	    t->op != QO_NOTNULL)
		for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
			if (name != NULL && strcasecmp(name, n[i].name) == 0)
				return query_text_matches(t, n[i].number);
	return query_text_matches(t, name);
}

/* Whether certificate arg satisfies term t (query_term_test). */
static int
term_matches(const struct query_term *t, void *arg)
{
	const struct cert *c = arg;

	switch (t->field) {
	case QF_ID:
		return query_number_matches(t, c->id, 1);
	case QF_CERTREQUESTID:
		return query_number_matches(t, c->request_id,
		    c->request_id != 0);
	case QF_CERTSTATE:
		return query_number_matches(t, c->state == CERT_REVOKED ? 2 :
		    1, 1);
	case QF_KEYSIZE:
		return query_number_matches(t, c->key_bits, c->key_bits != 0);
	case QF_NOTBEFORE:
		return query_number_matches(t, c->not_before, 1);
	case QF_NOTAFTER:
		return query_number_matches(t, c->not_after, 1);
	case QF_IMPORTDATE:
		return query_number_matches(t, c->import_date,
		    c->import_date != 0);
	case QF_SERIALNUMBER:
		return serial_matches(t, c->serial);
	case QF_THUMBPRINT:	return query_text_matches(t, c->thumbprint);
	case QF_ISSUEDCN:	return query_text_matches(t, c->cn);
	case QF_ISSUEDDN:	return query_text_matches(t, c->subject);
	case QF_ISSUERDN:	return query_text_matches(t, c->issuer);
	case QF_TEMPLATENAME:	return query_text_matches(t, c->template_name);
	case QF_CA:		return query_text_matches(t, c->ca);
	case QF_REQUESTERNAME:	return query_text_matches(t, c->requester);
	case QF_KEYTYPE:	return key_type_matches(t, c->key_type);
	case QF_METADATA:
		return query_text_matches(t, metadata_value(c, t->name));
	default:
		return 0;
	}
}

static int
query_matches(const struct query *q, const struct cert *c)
{
	return query_eval(q, term_matches, (void *)c);
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
 * term the query requires (see query.h) is an -eq on an indexed field (the
 * caller scans), else *id is the candidate (0: none).
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
		if (!t->required || t->op != QO_EQ)
			continue;
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

/* The IssuedCN the query requires with -eq, if any (the certificates
 * sharing a CN are walked through its index). */
static const char *
query_cn(const struct query *q)
{
	size_t i;

	/* "" stands for null too, which the index of CNs does not hold */
	for (i = 0; i < q->n; i++)
		if (q->terms[i].field == QF_ISSUEDCN &&
		    q->terms[i].required && q->terms[i].op == QO_EQ &&
		    q->terms[i].text[0] != '\0')
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

