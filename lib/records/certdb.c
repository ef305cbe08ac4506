/* certdb.c - certificate and request records (see certdb.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "certdb.h"
#include "metrics.h"
#include "certfacts.h"
#include "jbuild.h"
#include "log.h"
#include "pemutil.h"
#include "request.h"
#include "retained.h"
#include "staging.h"
#include "db.h"
#include "timeutil.h"
#include "x500.h"

#define ADD(obj, k, v) json_object_object_add((obj), (k), (v))

static json_object *
str_or_null(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

/* Builds the certificate record for in->cert. */
static enum ce_err
cert_record(const struct issued *in, int64_t id, int64_t req_id,
    json_object **out, struct ce_error *err)
{
	json_object *rec;
	unsigned char *der = NULL;
	char tp[64], serial[64], cn[X500_CN_BUFSZ], *subj, *iss, *b64;
	time_t nb = 0, na = 0;
	int n;

	*out = NULL;
	if (x509_thumbprint(in->cert, tp, sizeof(tp)) != CE_OK ||
	    x509_serial_hex(in->cert, serial, sizeof(serial)) != CE_OK ||
	    time_from_asn1(X509_get0_notBefore(in->cert), &nb) != 0 ||
	    time_from_asn1(X509_get0_notAfter(in->cert), &na) != 0 ||
	    (n = i2d_X509(in->cert, &der)) <= 0)
		return ce_fault(err, CE_CRYPTO, "describing certificate");
	b64 = b64_encode(der, (size_t)n);
	OPENSSL_free(der);
	if (x500_common_name(X509_get_subject_name(in->cert), cn, sizeof(cn)) != CE_OK)
		cn[0] = '\0';	/* longer than any CN the parser accepts */
	subj = x500_format(X509_get_subject_name(in->cert));
	iss = x500_format(X509_get_issuer_name(in->cert));
	if ((rec = json_object_new_object()) == NULL || b64 == NULL ||
	    subj == NULL || iss == NULL) {
		json_object_put(rec);
		free(b64), free(subj), free(iss);
		return ce_fault(err, CE_NOMEM, "cert record");
	}
	ADD(rec, "id", json_object_new_int64(id));
	ADD(rec, "request_id", json_object_new_int64(req_id));
	ADD(rec, "thumbprint", json_object_new_string(tp));
	ADD(rec, "serial", json_object_new_string(serial));
	ADD(rec, "subject", json_object_new_string(subj));
	ADD(rec, "cn", json_object_new_string(cn));
	ADD(rec, "issuer", json_object_new_string(iss));
	ADD(rec, "der", json_object_new_string(b64));
	ADD(rec, "view", certfacts_json(in->cert));
	ADD(rec, "not_before", json_object_new_int64(nb));
	ADD(rec, "not_after", json_object_new_int64(na));
	ADD(rec, "import_date", json_object_new_int64(time(NULL)));
	ADD(rec, "template", str_or_null(in->template));
	ADD(rec, "pattern_id", json_object_new_int64(in->pattern_id));
	ADD(rec, "ca", str_or_null(in->ca));
	ADD(rec, "requester", str_or_null(in->requester));
	ADD(rec, "metadata", in->metadata != NULL ?
	    json_object_get(in->metadata) : json_object_new_object());
	ADD(rec, "key_type", json_object_new_string(key_type_name(in->spec->type)));
	ADD(rec, "key_bits", json_object_new_int(in->spec->bits));
	ADD(rec, "curve", str_or_null(key_curve_oid(in->spec->nid)));
	ADD(rec, "friendly_name", str_or_null(in->friendly_name));
	ADD(rec, "renewal_of", in->renewal_of > 0 ?
	    json_object_new_int64(in->renewal_of) : NULL);
	ADD(rec, "has_private_key", json_object_new_boolean(in->retain_key != NULL));
	ADD(rec, "key_until", in->retain_key != NULL ?
	    json_object_new_int64(in->retain_until) : NULL);
	ADD(rec, "state", json_object_new_string("active"));
	free(b64), free(subj), free(iss);
	*out = rec;
	return CE_OK;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* The request of an issuance: new for an at-once one, or the approved one
 * (which must be claimed for approval) marked issued. */
static enum ce_err
request_issued(struct ce_txn *txn, const struct issued *in, int64_t req_id,
    int64_t cert_id, json_object *cert, struct ce_error *err)
{
	struct request r;
	json_object *v;
	enum ce_err rc;

	if (in->request_id > 0) {
		if ((rc = request_get(txn, req_id, &r, err)) != CE_OK)
			return rc;
		if (r.state != REQ_APPROVING) {
			request_clear(&r);
			return ce_fail(err, CE_CONFLICT, "Request %lld is not being "
			    "approved.", (long long)req_id);
		}
	} else {
		memset(&r, 0, sizeof(r));
		r.id = req_id;
		r.submitted = time(NULL);
		r.pattern_id = in->pattern_id;
		v = json_object_object_get(cert, "subject");
		if ((in->requester && !(r.requester = strdup(in->requester))) ||
		    (in->template && !(r.template_name = strdup(in->template))) ||
		    (in->ca && !(r.ca = strdup(in->ca))) ||
		    (v != NULL && !(r.subject = dup_or_null(
		    json_object_get_string(v))))) {
			request_clear(&r);
			return ce_fault(err, CE_NOMEM, "request");
		}
	}
	r.state = REQ_ISSUED;
	r.cert_id = cert_id;
	r.issued = time(NULL);
	if (in->approver != NULL) {
		free(r.approved_by);
		free(r.sealed_password);
		r.sealed_password = NULL;
		r.approved = time(NULL);
		if ((r.approved_by = strdup(in->approver)) == NULL) {
			request_clear(&r);
			return ce_fault(err, CE_NOMEM, "request");
		}
	}
	rc = request_put(txn, &r, err);
	request_clear(&r);
	return rc;
}

/* Index entry {"id": n}. */
static enum ce_err
put_index(struct ce_txn *txn, enum db_table t, const char *key, int64_t id,
    struct ce_error *err)
{
	json_object *o = json_object_new_object();
	enum ce_err rc;

	if (o == NULL)
		return ce_fault(err, CE_NOMEM, "json");
	ADD(o, "id", json_object_new_int64(id));
	rc = db_put(txn, t, key, o, err);
	json_object_put(o);
	return rc;
}

struct commit {
	struct ce_db		*db;
	const struct issued	*in;
	int64_t			 cert_id;
	int64_t			 request_id;
};

/* The writes of one issuance, inside the (possibly shared) transaction. */
static enum ce_err
commit_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct commit *c = arg;
	const struct issued *in = c->in;
	json_object *cert = NULL, *v;
	char key[DB_IDKEY_MAX];
	uint64_t cid, rid;
	int64_t reqid;
	enum ce_err rc;

	c->cert_id = c->request_id = 0;	/* set by the run that commits */
	if ((rc = db_next_id(txn, "certificate", &cid, err)) != CE_OK)
		goto out;
	if (in->request_id > 0)
		rid = (uint64_t)in->request_id;
	else if ((rc = request_new_id(txn, &reqid, err)) != CE_OK)
		goto out;
	else
		rid = (uint64_t)reqid;
	if ((rc = cert_record(in, (int64_t)cid, (int64_t)rid, &cert, err)) != CE_OK ||
	    (rc = request_issued(txn, in, (int64_t)rid, (int64_t)cid, cert,
	    err)) != CE_OK)
		goto out;
	if ((rc = db_put(txn, T_CERTS, db_idkey(cid, key), cert, err)) != CE_OK)
		goto out;
	json_object_object_get_ex(cert, "thumbprint", &v);
	if ((rc = put_index(txn, T_BY_THUMB, json_object_get_string(v),
	    (int64_t)cid, err)) != CE_OK)
		goto out;
	json_object_object_get_ex(cert, "serial", &v);
	if ((rc = put_index(txn, T_BY_SERIAL, json_object_get_string(v),
	    (int64_t)cid, err)) != CE_OK)
		goto out;
	if (in->staged_pfx != NULL && (rc = staging_put(c->db, txn, (int64_t)cid,
	    (int64_t)rid, in->requester, in->staging_expires, in->staged_pfx,
	    err)) != CE_OK)
		goto out;
	if (in->retain_key != NULL && (rc = retained_put(c->db, txn,
	    (int64_t)cid, in->retain_until, in->retain_key, err)) != CE_OK)
		goto out;
	if (in->in_txn != NULL && (rc = in->in_txn(c->db, txn, (int64_t)cid,
	    in->in_txn_arg, err)) != CE_OK)
		goto out;
	c->cert_id = (int64_t)cid;
	c->request_id = (int64_t)rid;
out:
	json_object_put(cert);
	return rc;
}

/* One more certificate of in's CA, template and key type (/metrics),
 * counted once its commit is durable. */
static void
count_issued(const struct issued *in)
{
	char labels[METRICS_LABELS_MAX] = "", word[48] = "";

	if (!metrics_on())
		return;
	if (in->spec != NULL)
		key_spec_word(in->spec, word, sizeof(word));
	if (metrics_label(labels, sizeof(labels), "ca", in->ca ? in->ca :
	    "") == 0 && metrics_label(labels, sizeof(labels), "template",
	    in->template ? in->template : "") == 0 &&
	    metrics_label(labels, sizeof(labels), "key_type", word) == 0)
		metrics_add(metrics_series(
		    "certenroll_certificates_issued_total", labels), 0, 1);
}

enum ce_err
certdb_commit_issued(struct ce_db *db, const struct issued *in,
    int64_t *cert_id, int64_t *request_id, struct ce_error *err)
{
	struct commit c = { db, in, 0, 0 };
	enum ce_err rc;

	if ((rc = db_write(db, commit_fn, &c, err)) == CE_OK) {
		*cert_id = c.cert_id;
		*request_id = c.request_id;
		count_issued(in);
	}
	return rc;
}

void
cert_from_record(json_object *rec, struct cert *out)
{
	json_object *v;
	char *state;

	memset(out, 0, sizeof(*out));
	out->id = jrec_int(rec, "id");
	out->request_id = jrec_int(rec, "request_id");
	out->thumbprint = jrec_strdup(rec, "thumbprint");
	out->serial = jrec_strdup(rec, "serial");
	out->subject = jrec_strdup(rec, "subject");
	out->cn = jrec_strdup(rec, "cn");
	out->issuer = jrec_strdup(rec, "issuer");
	out->der = jrec_strdup(rec, "der");
	out->facts = jrec_obj(rec, "view");
	out->not_before = jrec_int(rec, "not_before");
	out->not_after = jrec_int(rec, "not_after");
	out->import_date = jrec_int(rec, "import_date");
	out->template_name = jrec_strdup(rec, "template");
	out->pattern_id = jrec_int(rec, "pattern_id");
	out->ca = jrec_strdup(rec, "ca");
	out->requester = jrec_strdup(rec, "requester");
	out->metadata = jrec_obj(rec, "metadata");
	out->key_type = jrec_strdup(rec, "key_type");
	out->key_bits = jrec_int(rec, "key_bits");
	out->curve = jrec_strdup(rec, "curve");
	out->friendly_name = jrec_strdup(rec, "friendly_name");
	out->renewal_of = jrec_int(rec, "renewal_of");
	/* Records from before key retention said "has_private_key" of a key
	 * staged for Deploy: only one with "key_until" speaks of a kept key. */
	out->has_private_key = json_object_object_get_ex(rec, "has_private_key",
	    &v) && json_object_get_boolean(v) &&
	    json_object_object_get_ex(rec, "key_until", NULL);
	out->key_until = jrec_int(rec, "key_until");
	state = jrec_strdup(rec, "state");
	out->state = state != NULL && strcmp(state, "revoked") == 0 ?
	    CERT_REVOKED : CERT_ACTIVE;
	free(state);
	if (out->state == CERT_REVOKED &&
	    json_object_object_get_ex(rec, "revocation", &v)) {
		out->rev_reason = jrec_int(v, "reason");
		out->rev_date = jrec_int(v, "date");
		out->rev_comment = jrec_strdup(v, "comment");
	}
}

static enum ce_err
forget_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	int64_t id = *(const int64_t *)arg;
	json_object *rec = NULL;
	char key[DB_IDKEY_MAX];
	enum ce_err rc;

	if ((rc = retained_del(txn, id, err)) != CE_OK ||
	    (rc = db_get(txn, T_CERTS, db_idkey((uint64_t)id, key), &rec,
	    err)) != CE_OK)
		return rc;
	if (json_object_object_add(rec, "has_private_key",
	    json_object_new_boolean(0)) != 0)
		rc = ce_fault(err, CE_NOMEM, "cert record");
	else
		rc = db_put(txn, T_CERTS, key, rec, err);
	json_object_put(rec);
	return rc;
}

enum ce_err
cert_forget_key(struct ce_db *db, int64_t id, struct ce_error *err)
{
	return db_write(db, forget_fn, &id, err);
}

const char *
cert_fact(const struct cert *c, const char *name)
{
	json_object *v;

	if (c->facts == NULL || !json_object_object_get_ex(c->facts, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void
cert_clear(struct cert *c)
{
	if (c == NULL)
		return;
	free(c->thumbprint);
	free(c->serial);
	free(c->subject);
	free(c->cn);
	free(c->issuer);
	free(c->der);
	json_object_put(c->facts);
	free(c->template_name);
	free(c->ca);
	free(c->requester);
	json_object_put(c->metadata);
	free(c->key_type);
	free(c->curve);
	free(c->friendly_name);
	free(c->rev_comment);
	memset(c, 0, sizeof(*c));
}

enum ce_err
cert_get(struct ce_txn *txn, int64_t id, struct cert *out,
    struct ce_error *err)
{
	json_object *rec = NULL;
	char key[DB_IDKEY_MAX];
	enum ce_err rc = CE_NOTFOUND;

	memset(out, 0, sizeof(*out));
	if (id > 0)
		rc = db_get(txn, T_CERTS, db_idkey((uint64_t)id, key), &rec, err);
	if (rc == CE_NOTFOUND)
		return ce_fail(err, CE_NOTFOUND, "Certificate %lld was not found.",
		    (long long)id);
	if (rc == CE_OK)
		cert_from_record(rec, out);
	json_object_put(rec);
	return rc;
}

enum ce_err
cert_is_revoked(struct ce_txn *txn, int64_t id, int *revoked,
    struct ce_error *err)
{
	struct cert c;
	enum ce_err rc = cert_get(txn, id, &c, err);

	*revoked = rc == CE_OK && c.state == CERT_REVOKED;
	cert_clear(&c);
	return rc;
}

/* The id of index t's entry key: 0 (CE_NOTFOUND) when there is none. */
static enum ce_err
index_id(struct ce_txn *txn, enum db_table t, const char *key, int64_t *id,
    struct ce_error *err)
{
	json_object *rec = NULL;
	enum ce_err rc;

	*id = 0;
	if ((rc = db_get(txn, t, key, &rec, err)) == CE_OK)
		*id = jrec_int(rec, "id");
	json_object_put(rec);
	return rc;
}

enum ce_err
cert_by_thumbprint(struct ce_txn *txn, const char *tp, int64_t *id,
    struct ce_error *err)
{
	char up[48];
	enum ce_err rc;
	size_t i;

	*id = 0;
	if (!thumbprint_valid(tp))
		return ce_fail(err, CE_INVAL, "Thumbprint: '%.64s' is not 40 "
		    "hexadecimal digits.", tp);
	for (i = 0; tp[i] != '\0'; i++)
		up[i] = (char)toupper((unsigned char)tp[i]);
	up[i] = '\0';
	rc = index_id(txn, T_BY_THUMB, up, id, err);
	if (rc == CE_NOTFOUND)
		return ce_fail(err, CE_NOTFOUND, "No certificate with thumbprint "
		    "%s was found.", up);
	return rc;
}

enum ce_err
cert_by_serial(struct ce_txn *txn, const char *serial, int64_t *id,
    struct ce_error *err)
{
	enum ce_err rc = index_id(txn, T_BY_SERIAL, serial, id, err);

	if (rc == CE_NOTFOUND) {
		ce_error_clear(err);
		return CE_OK;
	}
	return rc;
}

struct scan {
	cert_visit	 cb;
	void		*arg;
};

static int
scan_cb(const char *key, json_object *rec, void *arg)
{
	struct scan *s = arg;
	struct cert c;
	int stop;

	(void)key;
	cert_from_record(rec, &c);
	stop = s->cb(&c, s->arg);
	cert_clear(&c);
	return stop;
}

enum ce_err
cert_scan(struct ce_txn *txn, cert_visit cb, void *arg, struct ce_error *err)
{
	struct scan s = { cb, arg };

	return db_foreach(txn, T_CERTS, scan_cb, &s, err);
}

enum ce_err
cert_scan_cn(struct ce_txn *txn, const char *cn, cert_visit cb, void *arg,
    struct ce_error *err)
{
	struct scan s = { cb, arg };

	return db_foreach_eq(txn, T_CERTS, "cn", cn, scan_cb, &s, err);
}

X509 *
cert_x509(const struct cert *c)
{
	struct ce_buf der = { NULL, 0 };
	X509 *x = NULL;

	if (c->der != NULL && b64_decode(c->der, &der) == CE_OK)
		x = der_to_x509(der.data, der.len);
	buf_free(&der);
	return x;
}

enum ce_err
cert_dump(struct ce_txn *txn, db_visit cb, void *arg, struct ce_error *err)
{
	return db_foreach(txn, T_CERTS, cb, arg, err);
}
