/* crl.c - each CA's CRL: made from the revoked list, signed, recorded,
 * published (see crl.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "ca.h"
#include "config.h"
#include "crl.h"
#include "db.h"
#include "fileutil.h"
#include "jbuild.h"
#include "log.h"
#include "revoked.h"
#include "settings.h"
#include "signer.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

/* ---- making one -------------------------------------------------------- */

void
crl_pair_free(struct crl_pair *p)
{
	X509_CRL_free(p->full);
	X509_CRL_free(p->delta);
	p->full = p->delta = NULL;
	p->no_delta = 0;
}

struct making {
	X509_CRL	*crl;
	size_t		 n;
	enum ce_err	 rc;
	struct ce_error	*err;
};

/* One revoked certificate: serial, date, reason (none for unspecified,
 * RFC 5280 5.3.1; removeFromCRL for a hold taken off, in a delta). */
static int
add_entry(const struct revoked_entry *e, void *arg)
{
	struct making *m = arg;
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_INTEGER *sn = NULL;
	ASN1_TIME *t = ASN1_TIME_set(NULL, e->date);
	ASN1_ENUMERATED *why = NULL;
	BIGNUM *bn = NULL;
	int reason, ok;

	reason = e->removed ? CRL_REASON_REMOVE_FROM_CRL :
	    revoke_reason_crl(e->reason);
	/* The whole serial, hex digits only (no sign, nothing after). */
	ok = r != NULL && t != NULL && e->serial[0] != '-' &&
	    BN_hex2bn(&bn, e->serial) == (int)strlen(e->serial) &&
	    (sn = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
	    X509_REVOKED_set_serialNumber(r, sn) == 1 &&
	    X509_REVOKED_set_revocationDate(r, t) == 1;
	if (ok && reason != 0)
		ok = (why = ASN1_ENUMERATED_new()) != NULL &&
		    ASN1_ENUMERATED_set(why, reason) == 1 &&
		    X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, why, 0, 0) == 1;
	if (ok && X509_CRL_add0_revoked(m->crl, r) == 1)
		r = NULL;
	else
		ok = 0;
	ASN1_ENUMERATED_free(why);
	ASN1_INTEGER_free(sn);
	ASN1_TIME_free(t);
	BN_free(bn);
	X509_REVOKED_free(r);
	if (!ok) {
		m->rc = ce_fault(m->err, CE_CRYPTO, "CRL entry %s", e->serial);
		return 1;
	}
	m->n++;
	return 0;
}

/* A new CRL's own fields and extensions: v2, issuer, dates, number, AKI. */
static enum ce_err
crl_head(X509_CRL **out, const struct ca *ca, int64_t number, time_t now,
    time_t next, struct ce_error *err)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *tu = ASN1_TIME_set(NULL, now), *nu = ASN1_TIME_set(NULL, next);
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509_EXTENSION *aki = NULL;
	X509V3_CTX ctx;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, ca->cert, NULL, NULL, crl, 0);
	ok = crl != NULL && tu != NULL && nu != NULL && num != NULL &&
	    X509_CRL_set_version(crl, X509_CRL_VERSION_2) == 1 &&
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) == 1 &&
	    X509_CRL_set1_lastUpdate(crl, tu) == 1 &&
	    X509_CRL_set1_nextUpdate(crl, nu) == 1 &&
	    ASN1_INTEGER_set_int64(num, number) == 1 &&
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1 &&
	    (aki = X509V3_EXT_conf_nid(NULL, &ctx,
	    NID_authority_key_identifier, "keyid:always")) != NULL &&
	    X509_CRL_add_ext(crl, aki, -1) == 1;
	X509_EXTENSION_free(aki);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	if (!ok) {
		X509_CRL_free(crl);
		return ce_fault(err, CE_CRYPTO, "CRL of %s", ca->name);
	}
	*out = crl;
	return CE_OK;
}

/* A delta's Delta CRL Indicator (critical): the full CRL it completes. */
static int
add_delta_indicator(X509_CRL *crl, int64_t base)
{
	ASN1_INTEGER *b = ASN1_INTEGER_new();
	int ok;

	ok = b != NULL && ASN1_INTEGER_set_int64(b, base) == 1 &&
	    X509_CRL_add1_ext_i2d(crl, NID_delta_crl, b, 1, 0) == 1;
	ASN1_INTEGER_free(b);
	return ok;
}

/* A full CRL's Freshest CRL: where its delta is, when the CA's CRL URL
 * names a ".crl" (1; else 0: a delta nobody can find is not made; -1 on
 * failure). */
static int
add_freshest(X509_CRL *crl, const struct ca *ca)
{
	char v[CA_URL_MAX + 16];
	size_t n = strlen(ca->crl_url);
	X509_EXTENSION *x;
	int ok;

	if (n < 4 || strcmp(ca->crl_url + n - 4, ".crl") != 0)
		return 0;
	/* ca_url_valid: no comma, no space, nothing the syntax reads. */
	snprintf(v, sizeof(v), "URI:%.*s-delta.crl", (int)(n - 4), ca->crl_url);
	if ((x = X509V3_EXT_conf_nid(NULL, NULL, NID_freshest_crl, v)) == NULL)
		return -1;
	ok = X509_CRL_add_ext(crl, x, -1) == 1;
	X509_EXTENSION_free(x);
	return ok ? 1 : -1;
}

/* The keys of a CA's CRL records: what it is, its full CRL, its delta. */
static char *
der_key(int64_t ca_id, int delta, char *buf, size_t bufsz)
{
	char id[DB_IDKEY_MAX];

	snprintf(buf, bufsz, "%s/%s", db_idkey((uint64_t)ca_id, id),
	    delta ? "delta" : "der");
	return buf;
}

/* Records crl's DER, a full one or a delta. */
static enum ce_err
der_record(struct ce_txn *txn, int64_t ca_id, int delta, const X509_CRL *crl,
    struct ce_error *err)
{
	unsigned char *der = NULL;
	json_object *body = json_object_new_object();
	char dkey[DB_IDKEY_MAX + 8], *b64 = NULL;
	enum ce_err rc;
	int len;

	if ((len = i2d_X509_CRL(crl, &der)) <= 0 ||
	    (b64 = b64_encode(der, (size_t)len)) == NULL || body == NULL)
		rc = ce_fault(err, CE_NOMEM, "CRL record");
	else {
		ADD(body, "der", json_object_new_string(b64));
		rc = db_put(txn, T_CRLS, der_key(ca_id, delta, dkey,
		    sizeof(dkey)), body, err);
	}
	OPENSSL_free(der);
	free(b64);
	json_object_put(body);
	return rc;
}

/* What the meta record says of one CRL. */
static json_object *
crl_meta(int64_t number, int64_t base, time_t now, time_t next, size_t n)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	ADD(o, "number", json_object_new_int64(number));
	if (base > 0)
		ADD(o, "base", json_object_new_int64(base));
	ADD(o, "this_update", json_object_new_int64(now));
	ADD(o, "next_update", json_object_new_int64(next));
	ADD(o, "entries", json_object_new_int64((int64_t)n));
	return o;
}

struct issuing {
	struct ce_db		*db;
	const struct ca		*ca;
	time_t			 now;
	int			 full;		/* asked for */
	int64_t			 delta_min, validity, delta_validity;
	struct crl_pair		 made;		/* of the run that commits */
};

/* Signs crl, numbered number, with the CA key (sorted first). */
static enum ce_err
finish(struct issuing *is, X509_CRL *crl, struct ce_error *err)
{
	if (X509_CRL_sort(crl) != 1)
		return ce_fault(err, CE_CRYPTO, "X509_CRL_sort");
	return ca_sign_crl_local(is->db, is->ca, crl, err);
}

/* A delta CRL: number, for every full CRL from number base on, listing
 * the changes logged since base (revoked.h); meta gets its "delta". */
static enum ce_err
make_delta(struct ce_txn *txn, struct issuing *is, int64_t number,
    int64_t base, json_object *meta, struct ce_error *err)
{
	struct making m = { NULL, 0, CE_OK, err };
	time_t next = is->now + is->delta_validity;
	json_object *d = NULL;
	enum ce_err rc;

	if ((rc = crl_head(&m.crl, is->ca, number, is->now, next, err)) != CE_OK)
		return rc;
	if (!add_delta_indicator(m.crl, base))
		rc = ce_fault(err, CE_CRYPTO, "Delta CRL Indicator");
	else if ((rc = revoked_changes(txn, is->ca->id, add_entry, &m, err)) !=
	    CE_OK || (rc = m.rc) != CE_OK)
		;
	else if ((rc = finish(is, m.crl, err)) == CE_OK &&
	    (rc = der_record(txn, is->ca->id, 1, m.crl, err)) == CE_OK) {
		if ((d = crl_meta(number, base, is->now, next, m.n)) == NULL ||
		    json_object_object_add(meta, "delta", d) != 0) {
			json_object_put(d);
			rc = ce_fault(err, CE_NOMEM, "CRL record");
		} else {
			is->made.delta = m.crl;
			m.crl = NULL;
		}
	}
	X509_CRL_free(m.crl);
	return rc;
}

/* The number of the last delta in meta record rec (0: none). */
static int64_t
delta_number(json_object *rec)
{
	return jrec_int(json_object_object_get(rec, "delta"), "number");
}

/* A full CRL's entry in its record's "fulls". */
static json_object *
full_entry(int64_t number, time_t next, int deltas)
{
	json_object *f = json_object_new_object();

	if (f == NULL)
		return NULL;
	ADD(f, "number", json_object_new_int64(number));
	ADD(f, "next_update", json_object_new_int64(next));
	ADD(f, "deltas", json_object_new_boolean(deltas));
	return f;
}

/*
 * The full CRLs a relying party may still hold (meta "fulls": [{"number",
 * "next_update", "deltas" (it names a delta)}] less those past their
 * nextUpdate), as a new array (NULL: no memory); a record from before the
 * list has its one full CRL.  *base: the oldest one's number, what a delta
 * must cover from (0: none); *named: one of them names a delta.
 */
static json_object *
valid_fulls(json_object *last, time_t now, int64_t *base, int *named)
{
	json_object *had = json_object_object_get(last, "fulls"), *own = NULL;
	json_object *out = json_object_new_array(), *f;
	size_t i;

	*base = 0;
	*named = 0;
	if (had == NULL && last != NULL) {
		own = json_object_new_array();
		f = full_entry(jrec_int(last, "number"), jrec_int(last,
		    "next_update"), delta_number(last) > 0);
		if (own == NULL || f == NULL || json_object_array_add(own, f)) {
			json_object_put(f);
			json_object_put(own);
			json_object_put(out);
			return NULL;
		}
		had = own;
	}
	for (i = 0; out != NULL && had != NULL &&
	    i < json_object_array_length(had); i++) {
		f = json_object_array_get_idx(had, i);
		if (jrec_int(f, "next_update") <= now)
			continue;
		if (json_object_array_add(out, json_object_get(f)) != 0) {
			json_object_put(f);
			json_object_put(out);
			out = NULL;
			break;
		}
		if (*base == 0 || jrec_int(f, "number") < *base)
			*base = jrec_int(f, "number");
		*named |= jrec_bool(f, "deltas");
	}
	json_object_put(own);
	return out;
}

/*
 * A full CRL: number, the revoked list as it is.  Once it is large, it
 * names its delta (Freshest CRL), and a delta of its number comes with it;
 * one comes too while a full CRL that named one is valid.  A delta covers
 * every full CRL still valid: the changes logged since the oldest stay.
 */
static enum ce_err
make_full(struct ce_txn *txn, struct issuing *is, int64_t number,
    json_object *last, struct ce_error *err)
{
	struct making m = { NULL, 0, CE_OK, err };
	time_t next = is->now + is->validity;
	json_object *meta = NULL, *fulls = NULL, *f;
	char key[DB_IDKEY_MAX], dkey[DB_IDKEY_MAX + 8];
	int64_t base;
	int deltas, named;
	enum ce_err rc;

	if ((rc = crl_head(&m.crl, is->ca, number, is->now, next, err)) != CE_OK)
		return rc;
	if ((rc = revoked_list(txn, is->ca->id, add_entry, &m, err)) != CE_OK ||
	    (rc = m.rc) != CE_OK)
		goto out;
	deltas = is->delta_min > 0 && (int64_t)m.n >= is->delta_min;
	if (deltas && (deltas = add_freshest(m.crl, is->ca)) < 0) {
		rc = ce_fault(err, CE_CRYPTO, "Freshest CRL");
		goto out;
	}
	f = full_entry(number, next, deltas);
	fulls = valid_fulls(last, is->now, &base, &named);
	if (fulls == NULL || f == NULL || json_object_array_add(fulls, f) != 0) {
		json_object_put(f);
		rc = ce_fault(err, CE_NOMEM, "CRL record");
		goto out;
	}
	if ((meta = crl_meta(number, 0, is->now, next, m.n)) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "CRL record");
		goto out;
	}
	if (base == 0)
		base = number;
	ADD(meta, "fulls", json_object_get(fulls));
	if ((rc = finish(is, m.crl, err)) != CE_OK ||
	    (rc = der_record(txn, is->ca->id, 0, m.crl, err)) != CE_OK ||
	    (rc = revoked_changes_prune(txn, is->ca->id, base, err)) != CE_OK)
		goto out;
	if (deltas || named)
		rc = make_delta(txn, is, number, base, meta, err);
	else if ((rc = db_del(txn, T_CRLS, der_key(is->ca->id, 1, dkey,
	    sizeof(dkey)), err)) == CE_NOTFOUND) {
		ce_error_clear(err);
		rc = CE_OK;
	}
	if (rc == CE_OK)
		rc = db_put(txn, T_CRLS, db_idkey((uint64_t)is->ca->id, key),
		    meta, err);
	if (rc == CE_OK) {
		is->made.full = m.crl;
		is->made.no_delta = !(deltas || named);
		m.crl = NULL;
	}
out:
	json_object_put(fulls);
	json_object_put(meta);
	X509_CRL_free(m.crl);
	return rc;
}

/* In one write: the next number, then a delta when the last full CRL
 * names one, is large and not due (and a full one was not asked for),
 * else a full one; recorded. */
static enum ce_err
issue_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct issuing *is = arg;
	json_object *last = NULL, *fulls;
	char key[DB_IDKEY_MAX];
	int64_t number, base, refresh;
	int named;
	enum ce_err rc;

	crl_pair_free(&is->made);
	is->validity = settings_int(is->db, txn, "crl_validity");
	is->delta_validity = settings_int(is->db, txn, "crl_delta_validity");
	is->delta_min = settings_int(is->db, txn, "crl_delta_min");
	refresh = settings_int(is->db, txn, "crl_refresh");
	if (refresh > is->validity / 2)
		refresh = is->validity / 2;
	rc = db_get(txn, T_CRLS, db_idkey((uint64_t)is->ca->id, key), &last, err);
	if (rc != CE_OK && rc != CE_NOTFOUND)
		return rc;
	ce_error_clear(err);
	/* One sequence for full and delta CRLs (RFC 5280 5.2.3). */
	number = jrec_int(last, "number");
	if (delta_number(last) > number)
		number = delta_number(last);
	number++;
	if (!is->full && last != NULL && delta_number(last) > 0 &&
	    is->delta_min > 0 && jrec_int(last, "entries") >= is->delta_min &&
	    jrec_int(last, "this_update") + refresh > is->now) {
		if ((fulls = valid_fulls(last, is->now, &base, &named)) == NULL)
			rc = ce_fault(err, CE_NOMEM, "CRL record");
		json_object_put(fulls);
		json_object_object_del(last, "stale");
		if (rc == CE_OK && (rc = make_delta(txn, is, number, base > 0 ?
		    base : jrec_int(last, "number"), last, err)) == CE_OK)
			rc = db_put(txn, T_CRLS, key, last, err);
	} else
		rc = make_full(txn, is, number, last, err);
	json_object_put(last);
	return rc;
}

enum ce_err
crl_issue_local(struct ce_db *db, const struct ca *ca, time_t now, int full,
    struct crl_pair *out, struct ce_error *err)
{
	struct issuing is;
	enum ce_err rc;

	memset(&is, 0, sizeof(is));
	memset(out, 0, sizeof(*out));
	is.db = db;
	is.ca = ca;
	is.now = now;
	is.full = full;
	if ((rc = db_write(db, issue_fn, &is, err)) != CE_OK) {
		crl_pair_free(&is.made);
		return rc;
	}
	*out = is.made;
	return CE_OK;
}

/* ---- reading, checking, publishing -------------------------------------- */

int
crl_entries(X509_CRL *crl)
{
	int n = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));

	return n > 0 ? n : 0;
}

/* One recorded CRL DER (CE_NOTFOUND: none). */
static enum ce_err
der_read(struct ce_txn *txn, const struct ca *ca, int delta, X509_CRL **out,
    struct ce_error *err)
{
	struct ce_buf der = { NULL, 0 };
	const unsigned char *p;
	json_object *body = NULL;
	char dkey[DB_IDKEY_MAX + 8];
	enum ce_err rc;

	*out = NULL;
	rc = db_get(txn, T_CRLS, der_key(ca->id, delta, dkey, sizeof(dkey)),
	    &body, err);
	if (rc == CE_OK && (jrec_str(body, "der") == NULL ||
	    b64_decode(jrec_str(body, "der"), &der) != CE_OK ||
	    (p = der.data, *out = d2i_X509_CRL(NULL, &p, (long)der.len)) == NULL))
		rc = ce_fault(err, CE_DB, "CRL record of %s", ca->name);
	buf_free(&der);
	json_object_put(body);
	return rc;
}

#define WANT_FULL	1
#define WANT_DELTA	2

/* CA ca's last CRLs as recorded (want: which), and its record *rec
 * (CE_NOTFOUND: none yet); both the caller's.  The delta is read only when
 * it is as new as the full one recorded (it covers it). */
static enum ce_err
crl_last(struct ce_txn *txn, const struct ca *ca, int want,
    struct crl_pair *out, json_object **rec, struct ce_error *err)
{
	char key[DB_IDKEY_MAX];
	json_object *d;
	enum ce_err rc;

	memset(out, 0, sizeof(*out));
	*rec = NULL;
	rc = db_get(txn, T_CRLS, db_idkey((uint64_t)ca->id, key), rec, err);
	if (rc != CE_OK)
		return rc;
	d = json_object_object_get(*rec, "delta");
	out->no_delta = d == NULL;
	if ((want & WANT_FULL) && (rc = der_read(txn, ca, 0, &out->full,
	    err)) == CE_NOTFOUND)
		rc = ce_fault(err, CE_DB, "CRL of %s: no DER", ca->name);
	if (rc == CE_OK && (want & WANT_DELTA) && d != NULL &&
	    jrec_int(d, "number") >= jrec_int(*rec, "number") &&
	    (rc = der_read(txn, ca, 1, &out->delta, err)) == CE_NOTFOUND)
		rc = ce_fault(err, CE_DB, "delta CRL of %s: no DER", ca->name);
	if (rc != CE_OK) {
		crl_pair_free(out);
		json_object_put(*rec);
		*rec = NULL;
	}
	return rc;
}

/* The integer extension nid of crl (a number, a base), 0 when none. */
static int64_t
int_ext(X509_CRL *crl, int nid)
{
	ASN1_INTEGER *v = X509_CRL_get_ext_d2i(crl, nid, NULL, NULL);
	int64_t n = 0;

	if (v == NULL || ASN1_INTEGER_get_int64(&n, v) != 1)
		n = 0;
	ASN1_INTEGER_free(v);
	return n;
}

/* The full CRL number a delta CRL is for (0: not a delta). */
static int64_t
delta_base(X509_CRL *crl)
{
	return int_ext(crl, NID_delta_crl);
}

/* CRLs a reader may trust: signed by the CA's key, its issuer, each what
 * it says it is (a delta where the delta goes, a full one where it goes). */
static enum ce_err
crl_check(const struct crl_pair *p, const struct ca *ca, struct ce_error *err)
{
	X509_CRL *crl[2] = { p->full, p->delta };
	int i;

	for (i = 0; i < 2; i++)
		if (crl[i] != NULL && (X509_CRL_verify(crl[i],
		    X509_get0_pubkey(ca->cert)) != 1 ||
		    X509_NAME_cmp(X509_CRL_get_issuer(crl[i]),
		    X509_get_subject_name(ca->cert)) != 0 ||
		    (delta_base(crl[i]) > 0) != (i == 1)))
			return ce_fault(err, CE_CRYPTO, "the CRL of %s is not "
			    "signed by its key", ca->name);
	return CE_OK;
}

static enum ce_err
find_ca(struct ce_db *db, const char *name, struct ca **ca,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	enum ce_err rc;

	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = ca_find(txn, name, ca, err);
	db_abort(txn);
	return rc;
}

/* Through the signer: it records the CRL, this process reads it back. */
static enum ce_err
issue_by_signer(struct ce_db *db, const char *sock, const struct ca *ca,
    int full, struct crl_pair *out, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	json_object *rec = NULL;
	int64_t number, have;
	int delta;
	enum ce_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = signer_crl(sock, ca->name, full, &number, &delta, err)) !=
	    CE_OK || (rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	/* A delta alone: the full one, maybe large, is not read. */
	rc = crl_last(txn, ca, delta ? WANT_DELTA : WANT_FULL | WANT_DELTA, out,
	    &rec, err);
	if (rc == CE_OK && delta && out->delta == NULL) {
		/* another host's full one since */
		crl_pair_free(out);
		json_object_put(rec);
		rc = crl_last(txn, ca, WANT_FULL, out, &rec, err);
	}
	db_abort(txn);
	/* Another host's newer one is as good. */
	have = jrec_int(rec, "number");
	if (delta_number(rec) > have)
		have = delta_number(rec);
	if (rc == CE_OK && have < number) {
		crl_pair_free(out);
		rc = ce_fault(err, CE_DB, "CRL %lld of %s is not recorded",
		    (long long)number, ca->name);
	}
	json_object_put(rec);
	return rc;
}

/* ca's next CRL (crl_issue of a CA already read). */
static enum ce_err
issue_for(struct ce_db *db, const struct ca *ca, int full,
    struct crl_pair *out, struct ce_error *err)
{
	const char *sock = signer_socket();
	enum ce_err rc;

	rc = sock != NULL ? issue_by_signer(db, sock, ca, full, out, err) :
	    crl_issue_local(db, ca, time(NULL), full, out, err);
	if (rc == CE_OK && (rc = crl_check(out, ca, err)) != CE_OK)
		crl_pair_free(out);
	return rc;
}

enum ce_err
crl_issue(struct ce_db *db, const char *ca_name, int full,
    struct crl_pair *out, struct ce_error *err)
{
	struct ca *ca = NULL;
	enum ce_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = find_ca(db, ca_name, &ca, err)) != CE_OK)
		return rc;
	rc = issue_for(db, ca, full, out, err);
	ca_free(ca);
	return rc;
}

int64_t
crl_number(X509_CRL *crl)
{
	return int_ext(crl, NID_crl_number);
}

/*
 * What the file at path holds, read as a regular file only (the folder is
 * the service user's, and the admin command writes there as root: no
 * symlink followed, no FIFO waited on).  NULL when there is none.
 */
static unsigned char *
read_plain(const char *path, size_t max, size_t *len)
{
	struct stat st;
	unsigned char *p = NULL;
	ssize_t k;
	size_t n = 0;
	int fd;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (size_t)st.st_size > max || (p = malloc((size_t)st.st_size + 1)) ==
	    NULL) {
		close(fd);
		return NULL;
	}
	while (n < (size_t)st.st_size && (k = read(fd, p + n,
	    (size_t)st.st_size - n)) > 0)
		n += (size_t)k;
	close(fd);
	*len = n;
	return p;
}

/* The number of the CRL in DER file path; 0 when there is none. */
static int64_t
file_number(const char *path, size_t max)
{
	const unsigned char *q;
	unsigned char *p;
	X509_CRL *crl;
	int64_t n = 0;
	size_t len;

	if ((p = read_plain(path, max, &len)) == NULL)
		return 0;
	q = p;
	if ((crl = d2i_X509_CRL(NULL, &q, (long)len)) != NULL)
		n = crl_number(crl);
	X509_CRL_free(crl);
	free(p);
	return n;
}

/* Whether the file at path holds exactly len bytes p. */
static int
same_file(const char *path, const void *p, size_t len)
{
	unsigned char *have;
	size_t n;
	int same;

	have = read_plain(path, len, &n);
	same = have != NULL && n == len && memcmp(have, p, len) == 0;
	free(have);
	return same;
}

/* Writes crl to path (DER) and path.pem where they are not it already, and
 * never over a newer one (a concurrent revocation's, another host's). */
static enum ce_err
write_one(const char *path, X509_CRL *crl, struct ce_error *err)
{
	unsigned char *der = NULL;
	char pempath[4110], *pem = NULL;
	BIO *b = NULL;
	int64_t number = crl_number(crl);
	long plen;
	int n;
	enum ce_err rc = CE_OK;

	snprintf(pempath, sizeof(pempath), "%s.pem", path);
	if (number <= 0)
		return ce_fault(err, CE_CRYPTO, "CRL number");
	if ((n = i2d_X509_CRL(crl, &der)) <= 0 ||
	    (b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509_CRL(b, crl) != 1 ||
	    (plen = BIO_get_mem_data(b, &pem)) <= 0) {
		rc = ce_fault(err, CE_CRYPTO, "encoding the CRL");
		goto out;
	}
	if (file_number(path, (size_t)n * 2 + (1 << 20)) > number)
		goto out;	/* a newer one is there */
	/* The agent's every round: no write where nothing changed. */
	if (!same_file(path, der, (size_t)n) &&
	    (rc = file_write_atomic(path, der, (size_t)n, 0644, err)) != CE_OK)
		goto out;
	if (!same_file(pempath, pem, (size_t)plen))
		rc = file_write_atomic(pempath, pem, (size_t)plen, 0644, err);
out:
	OPENSSL_free(der);
	BIO_free(b);
	return rc;
}

/* Unlinks path and path.pem (a delta no full CRL has now). */
static enum ce_err
remove_one(const char *path, struct ce_error *err)
{
	char pempath[4110];

	snprintf(pempath, sizeof(pempath), "%s.pem", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return ce_fault(err, CE_SYSTEM, "%s: %s", path, strerror(errno));
	if (unlink(pempath) != 0 && errno != ENOENT)
		return ce_fault(err, CE_SYSTEM, "%s: %s", pempath,
		    strerror(errno));
	return CE_OK;
}

/*
 * Writes <dir>/<id>.crl (DER) and .crl.pem from p's full CRL, and
 * <id>-delta.crl and .crl.pem from its delta; nothing without crl_dir.
 * The lock keeps two writers of one CA's files from crossing.
 */
static enum ce_err
write_files(int64_t ca_id, const struct crl_pair *p, struct ce_error *err)
{
	const char *dir = config_get("crl_dir");
	char path[4096], dpath[4096], lock[4110];
	int fd = -1;
	enum ce_err rc = CE_OK;

	if (dir == NULL || *dir == '\0')
		return CE_OK;
	if (snprintf(path, sizeof(path), "%s/%lld.crl", dir, (long long)ca_id) >=
	    (int)sizeof(path) - 16)
		return ce_fault(err, CE_SYSTEM, "crl_dir is too long");
	snprintf(dpath, sizeof(dpath), "%s/%lld-delta.crl", dir,
	    (long long)ca_id);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	/* Read-only (it may be root's, made by the admin command), no
	 * symlink, no FIFO to wait on. */
	if ((fd = open(lock, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0644)) == -1 || flock(fd, LOCK_EX) != 0) {
		rc = ce_fault(err, CE_SYSTEM, "%s: %s", lock, strerror(errno));
		goto out;
	}
	if (p->full != NULL)
		rc = write_one(path, p->full, err);
	if (rc == CE_OK && p->delta != NULL)
		rc = write_one(dpath, p->delta, err);
	else if (rc == CE_OK && p->full != NULL && p->no_delta &&
	    file_number(path, (size_t)i2d_X509_CRL(p->full, NULL) + 16) ==
	    crl_number(p->full))
		rc = remove_one(dpath, err);	/* only beside its own full one */
out:
	if (fd != -1)
		close(fd);	/* the lock goes with it */
	return rc;
}

/* A delta alone in p whose full CRL this host's file is not (another
 * host's, a write that failed): the recorded full one beside it, else a
 * relying party here cannot use the delta. */
static enum ce_err
with_its_full(struct ce_db *db, const struct ca *ca, struct crl_pair *p,
    struct ce_error *err)
{
	const char *dir = config_get("crl_dir");
	struct ce_txn *txn = NULL;
	struct crl_pair rec_p;
	json_object *rec = NULL;
	char path[4096];
	enum ce_err rc;

	if (p->full != NULL || p->delta == NULL || dir == NULL || *dir == '\0')
		return CE_OK;
	snprintf(path, sizeof(path), "%s/%lld.crl", dir, (long long)ca->id);
	if (file_number(path, (size_t)1 << 30) >= delta_base(p->delta))
		return CE_OK;
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = crl_last(txn, ca, WANT_FULL, &rec_p, &rec, err);
	db_abort(txn);
	json_object_put(rec);
	if (rc == CE_OK && (rc = crl_check(&rec_p, ca, err)) == CE_OK) {
		p->full = rec_p.full;
		rec_p.full = NULL;
	}
	crl_pair_free(&rec_p);
	return rc;
}

/* crl_publish of a CA already read. */
static enum ce_err
publish_for(struct ce_db *db, const struct ca *ca, int full,
    struct ce_error *err)
{
	struct crl_pair p = { NULL, NULL, 0 };
	char q[300];
	enum ce_err rc;

	if ((rc = issue_for(db, ca, full, &p, err)) == CE_OK &&
	    (rc = with_its_full(db, ca, &p, err)) == CE_OK &&
	    (rc = write_files(ca->id, &p, err)) == CE_OK) {
		if (p.full != NULL)
			log_info("CRL of %s published (%d entries)",
			    log_value(ca->name, q, sizeof(q)),
			    crl_entries(p.full));
		if (p.delta != NULL)
			log_info("delta CRL of %s published (%d entries)",
			    log_value(ca->name, q, sizeof(q)),
			    crl_entries(p.delta));
	}
	crl_pair_free(&p);
	return rc;
}

enum ce_err
crl_publish(struct ce_db *db, const char *ca_name, int full,
    struct ce_error *err)
{
	struct ca *ca = NULL;
	enum ce_err rc;

	if ((rc = find_ca(db, ca_name, &ca, err)) != CE_OK)
		return rc;
	rc = publish_for(db, ca, full, err);
	ca_free(ca);
	return rc;
}

/* ---- the agent's round --------------------------------------------------- */

struct round {
	struct ce_db	*db;
	time_t		 now;
	int64_t		 refresh, delta_refresh;
	json_object	*names;		/* every CA's */
};

static void
name_cb(int64_t id, const char *name, void *arg)
{
	struct round *r = arg;
	json_object *s = json_object_new_string(name);

	(void)id;
	if (s == NULL || json_object_array_add(r->names, s) != 0)
		json_object_put(s);	/* that CA waits for the next round */
}

/* One CA: a full CRL when there is none or it is due, the next when it is
 * stale (a revocation whose own CRL failed) or its delta is half gone,
 * else the recorded ones' files. */
static enum ce_err
refresh_one(struct round *r, const char *name, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct ca *ca = NULL;
	struct crl_pair p = { NULL, NULL, 0 };
	json_object *rec = NULL, *d;
	enum ce_err rc;

	if ((rc = db_begin(r->db, 0, &txn, err)) != CE_OK)
		return rc;
	if ((rc = ca_find(txn, name, &ca, err)) == CE_OK)
		rc = crl_last(txn, ca, WANT_FULL | WANT_DELTA, &p, &rec, err);
	db_abort(txn);
	d = json_object_object_get(rec, "delta");
	/* (CE_NOTFOUND is crl_last's: the CA was read.) */
	if (rc == CE_NOTFOUND || (rc == CE_OK &&
	    jrec_int(rec, "this_update") + r->refresh <= r->now)) {
		ce_error_clear(err);
		rc = publish_for(r->db, ca, 1, err);
	} else if (rc == CE_OK && (jrec_bool(rec, "stale") || (d != NULL &&
	    jrec_int(d, "this_update") + r->delta_refresh <= r->now)))
		rc = publish_for(r->db, ca, 0, err);
	else if (rc == CE_OK && (rc = crl_check(&p, ca, err)) == CE_OK)
		rc = write_files(ca->id, &p, err);
	json_object_put(rec);
	crl_pair_free(&p);
	ca_free(ca);
	return rc;
}

enum ce_err
crl_refresh_all(struct ce_db *db, time_t now, struct ce_error *err)
{
	struct round r = { db, now, 0, 0, json_object_new_array() };
	struct ce_txn *txn = NULL;
	struct ce_error one;
	const char *name;
	char q[300];
	enum ce_err rc, first = CE_OK;
	size_t i;

	if (r.names == NULL)
		return ce_fault(err, CE_NOMEM, "CRL round");
	if ((rc = db_begin(db, 0, &txn, err)) == CE_OK) {
		/* Made again well before the last one's nextUpdate. */
		r.refresh = settings_int(db, txn, "crl_refresh");
		if (r.refresh > settings_int(db, txn, "crl_validity") / 2)
			r.refresh = settings_int(db, txn, "crl_validity") / 2;
		r.delta_refresh = settings_int(db, txn, "crl_delta_validity") / 2;
		rc = ca_list(txn, name_cb, &r, err);
		db_abort(txn);
	}
	/* One CA's trouble holds no other's CRL back: each is tried, the
	 * first failure reported. */
	for (i = 0; rc == CE_OK && i < json_object_array_length(r.names); i++) {
		name = json_object_get_string(json_object_array_get_idx(r.names,
		    i));
		ce_error_clear(&one);
		if (refresh_one(&r, name, &one) == CE_OK)
			continue;
		log_error("CRL of %s: %s", log_value(name, q, sizeof(q)),
		    one.msg);
		if (first == CE_OK) {
			first = one.code;
			*err = one;
		}
	}
	json_object_put(r.names);
	return rc != CE_OK ? rc : first;
}
