/* renew.c - one-click renewal and its availability (see renew.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509v3.h>

#include "ca.h"
#include "certdb.h"
#include "enroll_impl.h"
#include "names.h"
#include "pemutil.h"
#include "renew.h"
#include "db.h"
#include "x500.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))
#define RF(name, type, flags, m) { name, type, flags, offsetof(struct renew_req, m) }

const struct field renew_fields[] = {
	RF("CertificateId", F_INT, F_ID, certificate_id),
	RF("Thumbprint", F_STRING, F_NONEMPTY, thumbprint),
	RF("CertificateAuthority", F_STRING, F_NONEMPTY, certificate_authority),
	RF("Template", F_STRING, F_NONEMPTY, template),
	RF("Timestamp", F_TIME, F_REQUIRED, timestamp),
};
const size_t renew_nfields = sizeof(renew_fields) / sizeof(renew_fields[0]);
FIELD_TABLE(renew_table, renew_fields, struct renew_req);

/* Finds the certificate by id or thumbprint. */
static enum ce_err
find_cert(struct ce_txn *txn, int64_t id, const char *tp, struct cert *out,
    struct ce_error *err)
{
	enum ce_err rc;

	memset(out, 0, sizeof(*out));
	if (tp != NULL) {
		rc = cert_by_thumbprint(txn, tp, &id, err);
		if (rc == CE_NOTFOUND && ca_has_thumbprint(txn, tp))
			return ce_fail(err, CE_INVAL, "Thumbprint: %s is a CA "
			    "certificate, which cannot be renewed here.", tp);
		if (rc != CE_OK)
			return rc;
	}
	return cert_get(txn, id, out, err);
}

/*
 * Decides the renewal type of a record: one-click when its CA and template
 * still exist, the CA serves the template, the template allows the key and
 * needs no approval; seeded PFX when the certificate is active but one of
 * those fails (a new PFX enrollment with RenewalCertificateId can still
 * renew it); none for revoked certificates.  why gets the reason.
 */
static enum renewal_type
renewal_type(struct ce_txn *txn, const struct cert *c, char *why, size_t whysz)
{
	struct policy pol;
	struct key_spec spec;
	struct ce_error perr;
	X509 *x = NULL;
	enum renewal_type t = RENEWAL_ONE_CLICK;

	ce_error_clear(&perr);
	if (c->state == CERT_REVOKED) {
		snprintf(why, whysz, "The certificate is revoked.");
		return RENEWAL_NONE;
	}
	if ((x = cert_x509(c)) == NULL ||
	    key_spec_of(X509_get0_pubkey(x), &spec) != CE_OK) {
		X509_free(x);
		snprintf(why, whysz, "The certificate's key is not supported.");
		return RENEWAL_NONE;
	}
	X509_free(x);
	/* The certificate's own enrollment pattern decides, not the
	 * template's default one. */
	if (c->template_name == NULL || c->ca == NULL ||
	    policy_resolve(txn, c->template_name, c->pattern_id > 0,
	    c->pattern_id, c->ca, &pol, &perr) != CE_OK) {
		snprintf(why, whysz, "One-click renewal is not available: %.400s",
		    perr.msg[0] ? perr.msg : "the original template or CA is gone.");
		return RENEWAL_SEEDED_PFX;
	}
	if (policy_check_key(&pol, &spec, &perr) != CE_OK) {
		snprintf(why, whysz, "One-click renewal is not available: %.400s", perr.msg);
		t = RENEWAL_SEEDED_PFX;
	} else if (policy_requires_approval(&pol)) {
		snprintf(why, whysz, "One-click renewal is not available: the "
		    "template requires approval.");
		t = RENEWAL_SEEDED_PFX;
	} else
		snprintf(why, whysz, "The certificate can be renewed with one click.");
	policy_clear(&pol);
	return t;
}

enum ce_err
renew_available(struct ce_db *db, int64_t id, const char *tp,
    json_object **response, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct cert c;
	char why[CE_ERRMSG_MAX];
	enum renewal_type t;
	enum ce_err rc;

	*response = NULL;
	memset(&c, 0, sizeof(c));
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	if ((rc = find_cert(txn, id, tp, &c, err)) != CE_OK)
		goto out;
	t = renewal_type(txn, &c, why, sizeof(why));
	if ((*response = json_object_new_object()) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "json");
		goto out;
	}
	ADD(*response, "AvailableRenewalType", json_object_new_int(t));
	ADD(*response, "Message", json_object_new_string(why));
out:
	cert_clear(&c);
	db_abort(txn);
	return rc;
}

/* The old certificate's subject, SANs and key type into w. */
static enum ce_err
copy_names(const struct cert *c, struct enroll_work *w, struct ce_error *err)
{
	X509 *x;
	enum ce_err rc = CE_OK;

	if ((x = cert_x509(c)) == NULL)
		return ce_fault(err, CE_DB, "certificate record without DER");
	if ((w->subject = X509_NAME_dup(X509_get_subject_name(x))) == NULL ||
	    key_spec_of(X509_get0_pubkey(x), &w->spec) != CE_OK)
		rc = ce_fault(err, CE_CRYPTO, "copying the old certificate");
	else {
		w->sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
		x500_common_name(w->subject, w->cn, sizeof(w->cn));
	}
	X509_free(x);
	return rc;
}

/* Builds the validated work for a renewal. */
static enum ce_err
renewal_work(struct ce_db *db, const struct renew_req *req, const struct cert *c,
    enum renewal_type type, const char *why, struct enroll_work *w,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	const char *ca, *tmpl;
	enum ce_err rc;

	ca = req->certificate_authority.set ? req->certificate_authority.v : c->ca;
	tmpl = req->template.set ? req->template.v : c->template_name;
	if (type != RENEWAL_ONE_CLICK && (!req->certificate_authority.set ||
	    !req->template.set))
		return ce_fail(err, CE_INVAL, "CertificateAuthority and Template are "
		    "required: %.400s", why);
	if ((rc = copy_names(c, w, err)) != CE_OK ||
	    (rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	/* Without a new template the certificate's own pattern applies. */
	rc = policy_resolve(txn, tmpl, !req->template.set && c->pattern_id > 0,
	    c->pattern_id, ca, &w->pol, err);
	db_abort(txn);
	/* The names are held to the policy they are renewed into. */
	if (rc != CE_OK ||
	    (rc = policy_check_key(&w->pol, &w->spec, err)) != CE_OK ||
	    (rc = names_check(&w->pol, w->subject, w->sans, err)) != CE_OK)
		return rc;
	if (policy_requires_approval(&w->pol))
		return ce_fail(err, CE_INVAL, "Template: '%s' requires approval; "
		    "renew through /Enrollment/PFX instead.", w->pol.template_name);
	if (c->metadata != NULL)
		w->metadata = json_object_get(c->metadata);
	w->renewal_of = c->id;
	w->include_chain = 1;
	w->password_generated = 1;
	return password_generate(w->password, 16, err);
}

/* POST /Enrollment/Renew's answer: flat, not wrapped in
 * CertificateInformation as /Enrollment/PFX's is, and with no blob: the
 * new key is staging data for Deploy or Replace. */
static json_object *
renew_answer(const struct issue_result *res, const struct enroll_work *w)
{
	json_object *o = json_object_new_object();
	char tp[64] = "", serial[64] = "", *issuer;

	if (o == NULL)
		return NULL;
	x509_thumbprint(res->cert, tp, sizeof(tp));
	x509_serial_hex(res->cert, serial, sizeof(serial));
	issuer = x500_format(X509_get_issuer_name(res->cert));
	ADD(o, "KeyfactorId", json_object_new_int64(res->cert_id));
	ADD(o, "KeyfactorRequestId", json_object_new_int64(res->request_id));
	ADD(o, "Thumbprint", json_object_new_string(tp));
	ADD(o, "SerialNumber", json_object_new_string(serial));
	ADD(o, "IssuerDN", issuer ? json_object_new_string(issuer) : NULL);
	ADD(o, "RequestDisposition", json_object_new_string("ISSUED"));
	ADD(o, "DispositionMessage", json_object_new_string("The certificate was "
	    "renewed; deploy it with /Enrollment/PFX/Deploy or Replace."));
	ADD(o, "Password", json_object_new_string(w->password));
	free(issuer);
	return o;
}

enum ce_err
renew_certificate(struct ce_db *db, const char *user, const struct renew_req *req,
    json_object **response, struct ce_error *err)
{
	struct enroll_ctx ctx = { user, 1, FMT_STORE, NULL, 0, NULL, 0 };
	struct enroll_work w;
	struct issue_result res;
	struct ce_txn *txn = NULL;
	struct cert c;
	char why[CE_ERRMSG_MAX];
	int has_id = req->certificate_id.set;	/* F_ID: 0 is absent */
	enum renewal_type type;
	enum ce_err rc;

	*response = NULL;
	memset(&w, 0, sizeof(w));
	memset(&res, 0, sizeof(res));
	memset(&c, 0, sizeof(c));
	if (has_id == req->thumbprint.set)
		return ce_fail(err, CE_INVAL, "CertificateId: give either "
		    "CertificateId or Thumbprint.");
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	if ((rc = find_cert(txn, req->certificate_id.v, req->thumbprint.set ?
	    req->thumbprint.v : NULL, &c, err)) == CE_OK) {
		type = renewal_type(txn, &c, why, sizeof(why));
		if (type == RENEWAL_NONE)
			rc = ce_fail(err, CE_INVAL, "The certificate cannot be "
			    "renewed: %.400s", why);
	}
	db_abort(txn);
	if (rc != CE_OK ||
	    (rc = renewal_work(db, req, &c, type, why, &w, err)) != CE_OK ||
	    (rc = enroll_issue(db, &ctx, &w, 0, &res, err)) != CE_OK)
		goto out;
	if ((*response = renew_answer(&res, &w)) == NULL)
		rc = ce_fault(err, CE_NOMEM, "answer");
out:
	issue_result_clear(&res);
	enroll_work_clear(&w);
	cert_clear(&c);
	return rc;
}
