/* signer_server.c - the signer's side of its protocol: one request read,
 * checked against the signer's own state (signer_policy.h), signed. */
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "ca.h"
#include "crl.h"
#include "ocsp.h"
#include "jbuild.h"
#include "lint.h"
#include "log.h"
#include "names.h"
#include "output.h"
#include "pemutil.h"
#include "policy.h"
#include "serials.h"
#include "signer_policy.h"
#include "signer_server.h"
#include "db.h"
#include "x500.h"

/* A refusal for error code: fault says it is the signer's own failure (a
 * 500), not the request's; unavailable, that the database was down (the
 * client answers 503). */
static json_object *
refusal(const char *why, enum ce_err code)
{
	json_object *a = json_object_new_object();

	json_object_object_add(a, "ok", json_object_new_boolean(0));
	json_object_object_add(a, "fault", json_object_new_boolean(
	    ce_http_status(code) >= 500 || code == CE_OK));
	if (code == CE_UNAVAIL)
		json_object_object_add(a, "unavailable",
		    json_object_new_boolean(1));
	json_object_object_add(a, "error", json_object_new_string(why));
	return a;
}

/* An integer field of the request: 0 when absent, -1 when not a positive
 * integer. */
static int64_t
int_field(json_object *o, const char *k)
{
	json_object *v = json_object_object_get(o, k);

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) <= 0)
		return -1;
	return json_object_get_int64(v);
}

/* The request's certificate and the policy it names, read from our own
 * state: a CA we serve, a template (and pattern) that CA issues. */
static enum ce_err
read_request(struct ce_db *db, json_object *req, struct policy *pol,
    X509 **cert, struct ce_error *err)
{
	struct ce_buf der = { NULL, 0 };
	struct ce_txn *txn = NULL;
	int64_t pattern = int_field(req, "pattern");
	enum ce_err rc;

	if (jrec_str(req, "ca") == NULL || jrec_str(req, "template") == NULL ||
	    jrec_str(req, "tbs") == NULL || pattern < 0 ||
	    int_field(req, "approved_request") < 0)
		return ce_fail(err, CE_INVAL, "malformed request");
	if (b64_decode(jrec_str(req, "tbs"), &der) != CE_OK ||
	    (*cert = der_to_x509(der.data, der.len)) == NULL) {
		buf_free(&der);
		return ce_fail(err, CE_INVAL, "the certificate does not parse");
	}
	buf_free(&der);
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = policy_resolve(txn, jrec_str(req, "template"), pattern > 0, pattern,
	    jrec_str(req, "ca"), pol, err);
	db_abort(txn);
	return rc;
}

struct reservation {
	json_object		*req;
	const struct policy	*pol;
	X509			*cert;
};

static enum ce_err
reserve_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct reservation *r = arg;
	enum ce_err rc;

	if ((rc = signer_check_approval(txn, r->pol, int_field(r->req,
	    "approved_request"), r->cert, err)) != CE_OK)
		return rc;
	return serial_reserve(txn, r->cert, r->pol->ca->name,
	    jrec_str(r->req, "requester"), err);
}

/* The state the signature needs, in one write committed before signing:
 * the approval it uses up and the serial it reserves. */
static enum ce_err
reserve(struct ce_db *db, json_object *req, const struct policy *pol,
    X509 *cert, struct ce_error *err)
{
	struct reservation r = { req, pol, cert };

	return db_write(db, reserve_fn, &r, err);
}

/*
 * The signer's own check, from its own reading of the state: the CA and
 * template, every lint, the key, the validity, the extensions, then (in a
 * write transaction) the approval and the serial.  One check a line: a
 * refusal names what failed.
 */
static enum ce_err
signer_check(struct ce_db *db, json_object *req, struct policy *pol, X509 **cert,
    struct ce_error *err)
{
	STACK_OF(ASN1_OBJECT) *eku = NULL;
	struct key_spec spec;
	enum ce_err rc;

	if ((rc = read_request(db, req, pol, cert, err)) != CE_OK)
		return rc;
	eku = policy_eku_objects(pol);
	rc = lint_certificate(*cert, pol->ca, eku, err);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	if (rc != CE_OK ||
	    (rc = signer_check_key(pol, *cert, &spec, err)) != CE_OK ||
	    (rc = signer_check_validity(pol, *cert, time(NULL), err)) != CE_OK ||
	    (rc = signer_check_extensions(pol, &spec, *cert, err)) != CE_OK ||
	    (rc = names_check_cert(pol, *cert, err)) != CE_OK)
		return rc;
	/* Last: what it reserves stays reserved. */
	return reserve(db, req, pol, *cert, err);
}

/* {"op": "crl", "ca": NAME, "full": bool}: the CA's next CRL, made from
 * the revoked list as the signer reads it, signed, recorded; the answer
 * its number and whether it is a delta alone. */
static json_object *
crl_handle(struct ce_db *db, json_object *req)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct ca *ca = NULL;
	struct crl_pair p = { NULL, NULL, 0 };
	X509_CRL *crl;
	json_object *ans = NULL;
	char q[300];
	int64_t n = 0;
	enum ce_err rc;

	ce_error_clear(&err);
	if (jrec_str(req, "ca") == NULL)
		rc = ce_fail(&err, CE_INVAL, "malformed request");
	else if ((rc = db_begin(db, 0, &txn, &err)) == CE_OK) {
		rc = ca_find(txn, jrec_str(req, "ca"), &ca, &err);
		db_abort(txn);
	}
	if (rc == CE_OK)
		rc = crl_issue_local(db, ca, time(NULL), jrec_bool(req, "full"),
		    &p, &err);
	crl = p.full != NULL ? p.full : p.delta;
	if (rc == CE_OK && (n = crl_number(crl)) <= 0)
		rc = ce_fault(&err, CE_CRYPTO, "CRL number");
	if (rc != CE_OK) {
		log_warn("refused: CRL of ca=%s: %s", log_value(jrec_str(req,
		    "ca"), q, sizeof(q)), err.msg);
		ans = refusal(err.msg, err.code);
	} else {
		log_info("%sCRL %lld of %s signed (%d entries)", p.full == NULL ?
		    "delta " : "", (long long)n, log_value(ca->name, q,
		    sizeof(q)), crl_entries(crl));
		ans = json_object_new_object();
		json_object_object_add(ans, "ok", json_object_new_boolean(1));
		json_object_object_add(ans, "number", json_object_new_int64(n));
		json_object_object_add(ans, "delta",
		    json_object_new_boolean(p.full == NULL));
	}
	crl_pair_free(&p);
	ca_free(ca);
	return ans;
}

/* {"op": "ocsp", "request": base64 DER}: the answer, from the signer's
 * own reading of the database, signed by the CA's responder. */
static json_object *
ocsp_handle(struct ce_db *db, json_object *req)
{
	struct ce_buf der = { NULL, 0 };
	struct ce_error err;
	json_object *ans;
	unsigned char *resp = NULL;
	size_t rlen = 0;
	char *b64 = NULL;
	int max_age = 0;

	ce_error_clear(&err);
	if (jrec_str(req, "request") == NULL ||
	    b64_decode(jrec_str(req, "request"), &der) != CE_OK)
		return refusal("malformed request", CE_INVAL);
	if (ocsp_answer_local(db, der.data, der.len, time(NULL), &resp, &rlen,
	    &max_age, &err) != CE_OK ||
	    (b64 = b64_encode(resp, rlen)) == NULL) {
		buf_free(&der);
		free(resp);
		log_warn("OCSP: %s", err.msg[0] ? err.msg : "encoding failed");
		return refusal(err.msg[0] ? err.msg : "encoding failed",
		    err.code ? err.code : CE_NOMEM);
	}
	if ((ans = json_object_new_object()) == NULL)
		ans = refusal("out of memory", CE_NOMEM);
	else {
		json_object_object_add(ans, "ok", json_object_new_boolean(1));
		json_object_object_add(ans, "response",
		    json_object_new_string(b64));
		json_object_object_add(ans, "max_age",
		    json_object_new_int(max_age));
	}
	buf_free(&der);
	free(resp);
	free(b64);
	return ans;
}

/* {"op": "ping"}: {"ok": true}, for /health (nothing logged). */
static json_object *
ping_handle(void)
{
	json_object *ans = json_object_new_object();

	if (ans != NULL && json_object_object_add(ans, "ok",
	    json_object_new_boolean(1)) != 0) {
		json_object_put(ans);
		ans = NULL;
	}
	return ans;
}

json_object *
signer_handle(struct ce_db *db, json_object *req)
{
	struct policy pol;
	struct ce_error err;
	json_object *ans = NULL;
	X509 *cert = NULL;
	unsigned char *der = NULL;
	char serial[64] = "", *subj = NULL, *b64 = NULL, q[3][300];
	int n;

	ce_error_clear(&err);
	memset(&pol, 0, sizeof(pol));
	/* The enrollment program's request id ties both logs together. */
	log_set_request_id(jrec_str(req, "request_id"));
	if (jrec_str(req, "op") != NULL) {
		if (strcmp(jrec_str(req, "op"), "crl") == 0)
			return crl_handle(db, req);
		if (strcmp(jrec_str(req, "op"), "ocsp") == 0)
			return ocsp_handle(db, req);
		if (strcmp(jrec_str(req, "op"), "ping") == 0)
			return ping_handle();
		return refusal("unknown operation", CE_INVAL);
	}
	if (signer_check(db, req, &pol, &cert, &err) != CE_OK ||
	    ca_sign_local(db, pol.ca, cert, &err) != CE_OK ||
	    (n = i2d_X509(cert, &der)) <= 0 ||
	    (b64 = b64_encode(der, (size_t)n)) == NULL) {
		log_warn("refused: ca=%s template=%s requester=%s: %s",
		    log_value(jrec_str(req, "ca"), q[0], sizeof(q[0])),
		    log_value(jrec_str(req, "template"), q[1], sizeof(q[1])),
		    log_value(jrec_str(req, "requester"), q[2], sizeof(q[2])),
		    err.msg[0] ? err.msg : "encoding failed");
		ans = refusal(err.msg[0] ? err.msg : "encoding failed", err.code);
		goto out;
	}
	x509_serial_hex(cert, serial, sizeof(serial));
	subj = x500_format(X509_get_subject_name(cert));
	log_audit(jrec_str(req, "requester"), "sign", "serial=%s subject=%s ca=%s "
	    "template=%s", serial, log_value(subj, q[0], sizeof(q[0])),
	    log_value(pol.ca->name, q[1], sizeof(q[1])),
	    log_value(pol.template_name, q[2], sizeof(q[2])));
	ans = json_object_new_object();
	json_object_object_add(ans, "ok", json_object_new_boolean(1));
	json_object_object_add(ans, "cert", json_object_new_string(b64));
out:
	free(b64);
	free(subj);
	OPENSSL_free(der);
	X509_free(cert);
	policy_clear(&pol);
	return ans;
}
