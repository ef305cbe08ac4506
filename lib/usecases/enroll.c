/*
 * enroll.c - POST /Enrollment/PFX: validate, then either record a pending
 * request (approval required) or generate the key, issue, package, commit
 * and answer.  The certificate is committed before the answer is built.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "b64.h"
#include "ca.h"
#include "certdb.h"
#include "enroll_impl.h"
#include "issue.h"
#include "jobs.h"
#include "keypool.h"
#include "log.h"
#include "pemutil.h"
#include "request.h"
#include "seal.h"
#include "timeutil.h"
#include "settings.h"
#include "db.h"
#include "x500.h"

#define ADD(obj, k, v) json_object_object_add((obj), (k), (v))

/* Packages key + certificate as the format asks.  STORE/REPLACE produce the
 * PKCS#12 that is kept as staging data. */
static enum ce_err
package(const struct enroll_ctx *ctx, const struct enroll_work *w,
    EVP_PKEY *key, X509 *cert, struct ce_buf *out, struct ce_error *err)
{
	STACK_OF(X509) *chain = NULL;
	char name[128];
	enum ce_err rc;

	if ((chain = ca_chain(w->pol.ca)) == NULL)
		return ce_fault(err, CE_NOMEM, "chain");
	switch (ctx->format) {
	case FMT_PEM:
		rc = pem_build(key, cert, w->include_chain ? chain : NULL,
		    w->password, w->order, w->include_header, out, err);
		break;
	case FMT_ZIP:
		output_file_name(w->cn, name, sizeof(name));
		rc = zip_build(key, cert, w->include_chain ? chain : NULL,
		    w->password, name, out, err);
		break;
	case FMT_STORE:
	case FMT_REPLACE:
		/* Stores get the whole chain; IncludeChain is for downloads. */
		rc = pfx_build(key, cert, chain, w->friendly_name, w->password,
		    w->legacy, out, err);
		break;
	default:
		rc = pfx_build(key, cert, w->include_chain ? chain : NULL,
		    w->friendly_name, w->password, w->legacy, out, err);
		break;
	}
	sk_X509_free(chain);	/* borrowed certificates */
	return rc;
}

/* The PKCS#12 kept with v2 store jobs: key and the whole chain. */
static enum ce_err
store_package(const struct enroll_work *w, EVP_PKEY *key, X509 *cert,
    struct ce_buf *out, struct ce_error *err)
{
	STACK_OF(X509) *chain;
	enum ce_err rc;

	if ((chain = ca_chain(w->pol.ca)) == NULL)
		return ce_fault(err, CE_NOMEM, "chain");
	rc = pfx_build(key, cert, chain, w->friendly_name, w->password, 0, out, err);
	sk_X509_free(chain);
	return rc;
}

/* CertificateInformation for an issued certificate. */
static json_object *
cert_info(X509 *cert, int64_t cert_id, int64_t req_id, const char *blob,
    const struct enroll_work *w, const char *disposition, const char *message)
{
	json_object *ci;
	char tp[64] = "", serial[64] = "", *issuer;

	if ((ci = json_object_new_object()) == NULL)
		return NULL;
	if (cert != NULL) {
		x509_thumbprint(cert, tp, sizeof(tp));
		x509_serial_hex(cert, serial, sizeof(serial));
	}
	issuer = cert != NULL ? x500_format(X509_get_issuer_name(cert)) : NULL;
	ADD(ci, "SerialNumber", cert ? json_object_new_string(serial) : NULL);
	ADD(ci, "IssuerDN", issuer ? json_object_new_string(issuer) : NULL);
	ADD(ci, "Thumbprint", cert ? json_object_new_string(tp) : NULL);
	ADD(ci, "KeyfactorId", json_object_new_int64(cert_id));
	ADD(ci, "Pkcs12Blob", blob ? json_object_new_string(blob) : NULL);
	ADD(ci, "Password", w->password_generated ?
	    json_object_new_string(w->password) : NULL);
	ADD(ci, "WorkflowInstanceId", json_object_new_string(
	    "00000000-0000-0000-0000-000000000000"));
	ADD(ci, "WorkflowReferenceId", json_object_new_int64(0));
	ADD(ci, "StoreIdsInvalidForRenewal", json_object_new_array());
	ADD(ci, "KeyfactorRequestId", json_object_new_int64(req_id));
	ADD(ci, "RequestDisposition", json_object_new_string(disposition));
	ADD(ci, "DispositionMessage", json_object_new_string(message));
	ADD(ci, "EnrollmentContext", w->additional != NULL ?
	    json_object_get(w->additional) : NULL);
	free(issuer);
	return ci;
}

/* CertificateInformation as /Enrollment/CSR answers it: KeyfactorID (a
 * capital D, as every SDK reads it there) and the Certificates (owned; NULL
 * none), no package. */
static json_object *
csr_info(json_object *ci, int64_t cert_id, json_object *certs)
{
	static const char *const gone[] = { "KeyfactorId", "Pkcs12Blob",
	    "Password", "StoreIdsInvalidForRenewal" };
	size_t i;

	if (ci == NULL || json_object_object_add(ci, "KeyfactorID",
	    json_object_new_int64(cert_id)) != 0 ||
	    json_object_object_add(ci, "Certificates", certs != NULL ? certs :
	    json_object_new_array()) != 0) {
		json_object_put(ci);
		return NULL;
	}
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		json_object_object_del(ci, gone[i]);
	return ci;
}

/* The whole answer: v1 {CertificateInformation, Metadata}; v2 adds
 * SuccessfulStores. */
static json_object *
answer(const struct enroll_ctx *ctx, json_object *ci, const struct enroll_work *w,
    json_object *stores)
{
	json_object *resp;

	if (ci == NULL || (resp = json_object_new_object()) == NULL) {
		json_object_put(ci);
		json_object_put(stores);
		return NULL;
	}
	if (ctx->api_version == 2)
		ADD(resp, "SuccessfulStores", stores != NULL ? stores :
		    json_object_new_array());
	else
		json_object_put(stores);
	ADD(resp, "CertificateInformation", ci);
	ADD(resp, "Metadata", w->metadata != NULL ? json_object_get(w->metadata) :
	    json_object_new_object());
	return resp;
}

/* What the in-transaction hook needs to schedule v2 store jobs. */
struct v2_jobs {
	const struct enroll_ctx	*ctx;
	struct enroll_work	*w;
	const struct ce_buf	*pfx;
	X509			*cert;
	json_object		*ok;
	json_object		*bad;
};

static enum ce_err
schedule_v2(struct ce_db *db, struct ce_txn *txn, int64_t cert_id, void *arg,
    struct ce_error *err)
{
	struct v2_jobs *j = arg;
	char tp[64];
	time_t now = time(NULL);
	enum ce_err rc;

	/* Not the lists of a run that was rolled back (db_write runs the
	 * commit again). */
	json_object_put(j->ok);
	json_object_put(j->bad);
	j->ok = j->bad = NULL;
	if (x509_thumbprint(j->cert, tp, sizeof(tp)) != CE_OK)
		return ce_fault(err, CE_CRYPTO, "thumbprint");
	rc = deploy_plan_schedule(db, txn, j->ctx->user, &j->w->plan, cert_id,
	    j->pfx, tp, j->w->password, JOB_ADD,
	    j->w->job_time > now ? j->w->job_time : now, &j->ok, &j->bad, err);
	return rc;
}

void
issue_result_clear(struct issue_result *res)
{
	if (res == NULL)
		return;
	X509_free(res->cert);
	json_object_put(res->certs);
	json_object_put(res->stores_ok);
	json_object_put(res->stores_bad);
	if (res->blob != NULL)
		OPENSSL_clear_free(res->blob, strlen(res->blob));
	memset(res, 0, sizeof(*res));
}

/* A CSR enrollment's Certificates: the leaf then (include_chain) its chain,
 * one PEM certificate (or base64 DER) per element. */
static enum ce_err
csr_certificates(const struct enroll_ctx *ctx, const struct enroll_work *w,
    X509 *cert, json_object **out, struct ce_error *err)
{
	STACK_OF(X509) *chain = NULL;
	json_object *a = json_object_new_array();
	unsigned char *der;
	char *text;
	X509 *x;
	int i, n, len, bad = a == NULL;

	if (!bad && w->include_chain && (chain = ca_chain(w->pol.ca)) == NULL)
		bad = 1;
	n = chain != NULL ? sk_X509_num(chain) : 0;
	for (i = -1; !bad && i < n; i++) {
		x = i < 0 ? cert : sk_X509_value(chain, i);
		if (ctx->csr_der) {
			der = NULL;
			text = (len = i2d_X509(x, &der)) > 0 ?
			    b64_encode(der, (size_t)len) : NULL;
			OPENSSL_free(der);
		} else
			text = x509_to_pem(x);
		if (text == NULL || json_object_array_add(a,
		    json_object_new_string(text)) != 0)
			bad = 1;
		free(text);
	}
	sk_X509_free(chain);
	if (bad) {
		json_object_put(a);
		return ce_fault(err, CE_NOMEM, "Certificates");
	}
	*out = a;
	return CE_OK;
}

/* Whether the template keeps the key it made (policy.h): into rec. */
static enum ce_err
retention(const struct enroll_work *w, EVP_PKEY *key, X509 *cert,
    struct issued *rec, struct ce_error *err)
{
	enum key_retention r;
	time_t na;
	int days;

	r = template_key_retention(w->pol.tmpl, &days);
	if (r == KR_NONE)
		return CE_OK;
	if (time_from_asn1(X509_get0_notAfter(cert), &na) != 0)
		return ce_fault(err, CE_CRYPTO, "notAfter");
	rec->retain_key = key;
	rec->retain_until = key_retention_until(r, days, (int64_t)time(NULL),
	    (int64_t)na);
	return CE_OK;
}

/* Key, certificate, package, commit (with v2 store jobs in the same
 * transaction); the answer is built by the caller from res.  A CSR's key
 * is its own: nothing is packaged or kept. */
enum ce_err
enroll_issue(struct ce_db *db, const struct enroll_ctx *ctx,
    struct enroll_work *w, int64_t request_id, struct issue_result *res,
    struct ce_error *err)
{
	struct issue_in in = { &w->pol, w->subject, w->sans, NULL, &w->spec,
	    ctx->user, request_id };
	struct issued rec;
	struct ce_buf out = { NULL, 0 }, jobpfx = { NULL, 0 };
	struct v2_jobs v2 = { ctx, w, NULL, NULL, NULL, NULL };
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int staged = ctx->format == FMT_STORE || ctx->format == FMT_REPLACE;
	enum ce_err rc;

	memset(res, 0, sizeof(*res));
	if (w->csr_key != NULL) {
		staged = 0;
		if (EVP_PKEY_up_ref(w->csr_key) != 1) {
			rc = ce_fault(err, CE_CRYPTO, "EVP_PKEY_up_ref");
			goto out;
		}
		key = w->csr_key;
	} else if ((rc = keypool_take(db, &w->spec, &key, NULL, err)) != CE_OK)
		goto out;
	in.key = key;
	if ((rc = issue_certificate(db, &in, &cert, err)) != CE_OK)
		goto out;
	if (w->csr_key != NULL)
		rc = csr_certificates(ctx, w, cert, &res->certs, err);
	else
		rc = package(ctx, w, key, cert, &out, err);
	if (rc != CE_OK)
		goto out;
	memset(&rec, 0, sizeof(rec));
	rec.cert = cert;
	rec.requester = ctx->user;
	rec.template = w->pol.template_name;
	rec.pattern_id = w->pol.pattern_id;
	rec.ca = w->pol.ca->name;
	rec.metadata = w->metadata;
	rec.friendly_name = w->friendly_name;
	rec.spec = &w->spec;
	rec.renewal_of = w->renewal_of;
	rec.request_id = request_id;
	rec.approver = w->approver;
	rec.staged_pfx = staged ? &out : NULL;
	rec.staging_expires = time(NULL) + settings_int(db, NULL, "staging_lifetime");
	if (w->csr_key == NULL && (rc = retention(w, key, cert, &rec, err)) != CE_OK)
		goto out;
	if (w->plan.n > 0) {
		/* Stores get the key with the whole chain. */
		if (!staged && (rc = store_package(w, key, cert, &jobpfx, err)) != CE_OK)
			goto out;
		v2.pfx = staged ? &out : &jobpfx;
		v2.cert = cert;
		rec.in_txn = schedule_v2;
		rec.in_txn_arg = &v2;
	}
	if ((rc = certdb_commit_issued(db, &rec, &res->cert_id, &res->request_id,
	    err)) != CE_OK)
		goto out;
	log_audit(ctx->user, w->renewal_of ? "renew" : "issue", "cert=%lld "
	    "request=%lld template=%s ca=%s format=%s renewal_of=%lld",
	    (long long)res->cert_id, (long long)res->request_id,
	    w->pol.template_name, w->pol.ca->name, w->csr_key != NULL ? "CSR" :
	    cert_format_name(ctx->format), (long long)w->renewal_of);
	if (!staged && w->csr_key == NULL &&
	    (res->blob = b64_encode(out.data, out.len)) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "base64");
		goto out;
	}
	res->cert = cert;
	cert = NULL;
	res->stores_ok = v2.ok;
	res->stores_bad = v2.bad;
	v2.ok = v2.bad = NULL;
out:
	if (rc != CE_OK) {
		json_object_put(res->certs);
		res->certs = NULL;
	}
	json_object_put(v2.ok);
	json_object_put(v2.bad);
	buf_free(&jobpfx);
	buf_free(&out);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* Issues at once and answers as /Enrollment/PFX does. */
static enum ce_err
issue_now(struct ce_db *db, const struct enroll_ctx *ctx,
    struct enroll_work *w, json_object **response, struct ce_error *err)
{
	struct issue_result res;
	json_object *ci;
	enum ce_err rc;

	if ((rc = enroll_issue(db, ctx, w, 0, &res, err)) != CE_OK)
		return rc;
	ci = cert_info(res.cert, res.cert_id, res.request_id, res.blob, w,
	    "ISSUED", "The certificate was successfully issued.");
	if (ctx->csr != NULL) {
		ci = csr_info(ci, res.cert_id, res.certs);
		res.certs = NULL;
	}
	/* Stores of the renewed certificate that could not take the new one. */
	if (ci != NULL && res.stores_bad != NULL && w->renewal_of > 0) {
		json_object_object_add(ci, "StoreIdsInvalidForRenewal", res.stores_bad);
		res.stores_bad = NULL;
	}
	*response = answer(ctx, ci, w, res.stores_ok);
	res.stores_ok = NULL;
	issue_result_clear(&res);
	if (*response == NULL)
		return ce_fault(err, CE_NOMEM, "answer");
	return CE_OK;
}

/* Removes every spelling of "Password" from a copied request body. */
static void
drop_password(json_object *body)
{
	char victim[64];
	int found = 1;

	while (found) {
		found = 0;
		json_object_object_foreach(body, k, v) {
			(void)v;
			if (strcasecmp(k, "Password") == 0) {
				snprintf(victim, sizeof(victim), "%s", k);
				found = 1;
				break;
			}
		}
		if (found)
			json_object_object_del(body, victim);
	}
}

/* One user's requests awaiting a decision are bounded (each keeps a
 * record until someone decides): max_pending_per_user, read from the
 * user's count (T_PENDCOUNT) in the write transaction that would add one. */
static enum ce_err
pending_bound(struct ce_db *db, struct ce_txn *txn, const char *user,
    struct ce_error *err)
{
	int64_t n, max = settings_int(db, txn, "max_pending_per_user");
	enum ce_err rc;

	if ((rc = request_count_waiting(txn, user, &n, err)) != CE_OK)
		return rc;
	if (n >= max)
		return ce_fail(err, CE_INVAL, "Pending requests: %lld already wait "
		    "for approval, the limit (max_pending_per_user in "
		    "certenroll.conf) is %lld.", (long long)n, (long long)max);
	return CE_OK;
}

/* Records a request that waits for approval; issues nothing.  The body's
 * declared fields are kept (without the password, which is sealed) so that
 * approval can validate and issue it exactly as sent. */
struct pending {
	struct ce_db			*db;
	const struct enroll_ctx		*ctx;
	const struct enroll_work	*w;
	struct request			 r;
};

/* The write of a pending request: bounded per requester, its password
 * sealed under its id. */
static enum ce_err
pending_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct pending *p = arg;
	const struct enroll_work *w = p->w;
	struct ce_buf sealed = { NULL, 0 };
	struct request *r = &p->r;
	char aad[64];
	enum ce_err rc;

	if ((rc = pending_bound(p->db, txn, p->ctx->user, err)) != CE_OK ||
	    (rc = request_new_id(txn, &r->id, err)) != CE_OK)
		return rc;
	snprintf(aad, sizeof(aad), "request:%lld", (long long)r->id);
	if ((rc = seal(db_key_dir(p->db), aad, (const unsigned char *)w->password,
	    strlen(w->password), &sealed, err)) != CE_OK)
		return rc;
	r->sealed_password = b64_encode(sealed.data, sealed.len);
	buf_free(&sealed);
	if (r->sealed_password == NULL)
		return ce_fault(err, CE_NOMEM, "pending record");
	rc = request_put(txn, r, err);
	free(r->sealed_password);	/* stored; no copy is kept */
	r->sealed_password = NULL;
	return rc;
}

static enum ce_err
record_pending(struct ce_db *db, const struct enroll_ctx *ctx,
    struct enroll_work *w, json_object **response, struct ce_error *err)
{
	struct pending p;
	struct request *r = &p.r;
	json_object *ci;
	char lock[320];
	enum ce_err rc;

	memset(&p, 0, sizeof(p));
	p.db = db;
	p.ctx = ctx;
	p.w = w;
	r->state = REQ_PENDING;
	r->submitted = time(NULL);
	r->pattern_id = w->pol.pattern_id;
	r->metadata = json_object_get(w->metadata);
	r->api_version = ctx->api_version;
	r->password_generated = w->password_generated;
	/* Only what the request table declares: an unknown field is not
	 * stored, however large. */
	if ((r->body = ctx->csr != NULL ? fields_declared(csr_fields,
	    csr_nfields, ctx->body) : fields_declared(enroll_fields,
	    enroll_nfields, ctx->body)) == NULL ||
	    (r->subject = x500_format(w->subject)) == NULL ||
	    (r->requester = strdup(ctx->user)) == NULL ||
	    (r->template_name = strdup(w->pol.template_name)) == NULL ||
	    (r->ca = strdup(w->pol.ca->name)) == NULL ||
	    (r->cn = strdup(w->cn)) == NULL ||
	    (r->format = strdup(ctx->csr != NULL ? "CSR" :
	    cert_format_name(ctx->format))) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "pending record");
		goto out;
	}
	drop_password(r->body);
	/* A user's pending requests are counted (max_pending_per_user): their
	 * writes take turns, as Deploy's do (deploy.c). */
	snprintf(lock, sizeof(lock), "pending/%s", ctx->user != NULL ?
	    ctx->user : "");
	if ((rc = db_write_as(db, lock, pending_fn, &p, err)) != CE_OK)
		goto out;
	log_audit(ctx->user, "request-pending", "request=%lld template=%s",
	    (long long)r->id, w->pol.template_name);
	ci = cert_info(NULL, 0, r->id, NULL, w, "PENDING",
	    "The request is waiting for approval.");
	*response = answer(ctx, ctx->csr != NULL ? csr_info(ci, 0, NULL) : ci,
	    w, NULL);
	if (*response == NULL)
		rc = ce_fault(err, CE_NOMEM, "answer");
out:
	request_clear(r);
	return rc;
}

enum ce_err
enroll_pfx(struct ce_db *db, const struct enroll_ctx *ctx,
    const struct enroll_req *req, json_object **response, struct ce_error *err)
{
	struct enroll_work w;
	enum ce_err rc;

	*response = NULL;
	if ((rc = enroll_validate(db, ctx, req, &w, err)) != CE_OK)
		return rc;
	if (policy_requires_approval(&w.pol))
		rc = record_pending(db, ctx, &w, response, err);
	else
		rc = issue_now(db, ctx, &w, response, err);
	enroll_work_clear(&w);
	return rc;
}

enum ce_err
enroll_csr(struct ce_db *db, const struct enroll_ctx *ctx,
    const struct enroll_req *req, json_object **response, struct ce_error *err)
{
	struct enroll_ctx c = *ctx;

	/* No version of the CSR call has stores: v2 is answered as v1. */
	c.api_version = 1;
	if (c.csr == NULL)
		return ce_fault(err, CE_SYSTEM, "enroll_csr without a CSR");
	return enroll_pfx(db, &c, req, response, err);
}
