/* workflow.c - approve, deny and list pending requests (see workflow.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "b64.h"
#include "certdb.h"
#include "enroll_impl.h"
#include "fields.h"
#include "log.h"
#include "request.h"
#include "seal.h"
#include "settings.h"
#include "db.h"
#include "timeutil.h"
#include "workflow.h"

/* Names shown of one request (the enrollment's own bound, max_sans, is
 * checked again when it is approved). */
#define WORKFLOW_SANS_SHOWN	1000

#define ADD(o, k, v) json_object_object_add((o), (k), (v))
#define MAX_IDS 1000

/* One item P of the Failures, Denials or Successes that
 * workflow_approve() and workflow_deny() answer (workflow.h). */
static json_object *
result_item(const struct request *req, int64_t id, const char *comment)
{
	json_object *p = json_object_new_object();
	const char *ca = req ? req->ca : NULL, *bs;
	char rid[32];

	if (p == NULL)
		return NULL;
	bs = ca ? strrchr(ca, '\\') : NULL;
	snprintf(rid, sizeof(rid), "%lld", (long long)id);
	ADD(p, "CARowId", json_object_new_int64(req ? req->cert_id : 0));
	ADD(p, "CARequestId", json_object_new_string(rid));
	ADD(p, "CAHost", ca && bs ? json_object_new_string_len(ca, (int)(bs - ca)) :
	    NULL);
	ADD(p, "CALogicalName", bs ? json_object_new_string(bs + 1) :
	    ca ? json_object_new_string(ca) : NULL);
	ADD(p, "KeyfactorRequestId", json_object_new_int64(id));
	ADD(p, "Comment", json_object_new_string(comment));
	return p;
}

static json_object *
result_new(json_object **fail, json_object **deny, json_object **ok)
{
	json_object *r = json_object_new_object();

	*fail = json_object_new_array();
	*deny = json_object_new_array();
	*ok = json_object_new_array();
	ADD(r, "Failures", *fail);
	ADD(r, "Denials", *deny);
	ADD(r, "Successes", *ok);
	return r;
}

static enum ce_err
load_request(struct ce_db *db, int64_t id, struct request *out,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	enum ce_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = request_get(txn, id, out, err);
	db_abort(txn);
	return rc;
}

/* Rebuilds the validated work of a pending request from its stored body,
 * with its sealed password. */
static enum ce_err
pending_work(struct ce_db *db, const struct request *req, const char *approver,
    struct enroll_ctx *ctx, struct enroll_work *w, struct ce_error *err)
{
	struct enroll_req er;
	struct ce_buf sealed = { NULL, 0 }, pw = { NULL, 0 };
	char aad[64];
	enum ce_err rc;

	memset(&er, 0, sizeof(er));
	ctx->user = req->requester;
	ctx->api_version = req->api_version;
	/* Approved keys are always staged: Deploy with RequestId delivers them,
	 * v2 Stores get their jobs now. */
	ctx->format = FMT_STORE;
	ctx->approving = 1;
	ctx->body = req->body;
	/* A CSR enrollment issues for the CSR's key, kept in its body. */
	if (req->format != NULL && strcmp(req->format, "CSR") == 0) {
		if ((rc = fields_parse(csr_fields, csr_nfields, ctx->body, &er,
		    err)) != CE_OK ||
		    (rc = csr_parse(er.csr.v, &ctx->csr, err)) != CE_OK)
			return rc;
	} else if ((rc = fields_parse(enroll_fields, enroll_nfields, ctx->body,
	    &er, err)) != CE_OK)
		return rc;
	if ((rc = enroll_validate(db, ctx, &er, w, err)) != CE_OK)
		return rc;
	snprintf(aad, sizeof(aad), "request:%lld", (long long)req->id);
	if (req->sealed_password == NULL ||
	    b64_decode(req->sealed_password, &sealed) != CE_OK)
		return ce_fault(err, CE_DB, "pending request without password");
	rc = unseal(db_key_dir(db), aad, sealed.data, sealed.len, &pw, err);
	buf_free(&sealed);
	if (rc != CE_OK)
		return rc;
	if (pw.len >= sizeof(w->password)) {
		buf_free(&pw);
		return ce_fault(err, CE_DB, "sealed password too long");
	}
	memcpy(w->password, pw.data, pw.len);
	w->password[pw.len] = '\0';
	buf_free(&pw);
	w->approver = approver;
	return CE_OK;
}

struct move {
	int64_t			 id;
	enum request_state	 from, to;
	const char		*who;
	char			*why;
	size_t			 whysz;
};

static enum ce_err
move_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct move *m = arg;
	struct request req;
	enum ce_err rc;

	/* not the reason of a run that was rolled back */
	if (m->why != NULL)
		m->why[0] = '\0';
	if ((rc = request_get(txn, m->id, &req, err)) != CE_OK)
		return rc;
	if (req.state != m->from) {
		if (m->why != NULL)
			snprintf(m->why, m->whysz, "Request %lld is %s, not pending.",
			    (long long)m->id, request_state_name(req.state));
		request_clear(&req);
		return ce_fail(err, CE_CONFLICT, "not in state %s",
		    request_state_name(m->from));
	}
	req.state = m->to;
	/* Back to pending, nothing issued: the next approval may be signed
	 * (the signer marks an approval it signed, signer_policy.h). */
	if (m->to == REQ_PENDING) {
		free(req.signed_serial);
		req.signed_serial = NULL;
	}
	if (m->who != NULL) {
		free(req.approving_by);
		if ((req.approving_by = strdup(m->who)) == NULL) {
			request_clear(&req);
			return ce_fault(err, CE_NOMEM, "request");
		}
	}
	rc = request_put(txn, &req, err);
	request_clear(&req);
	return rc;
}

/* Moves request id from state `from` to `to` in one write; 0 on success,
 * -1 (why filled) when it is not in state `from`. */
static int
transition(struct ce_db *db, int64_t id, enum request_state from,
    enum request_state to, const char *who, char *why, size_t whysz)
{
	struct move m = { id, from, to, who, why, whysz };
	struct ce_error e;

	ce_error_clear(&e);
	if (why != NULL)
		why[0] = '\0';
	if (db_write(db, move_fn, &m, &e) == CE_OK)
		return 0;
	if (why != NULL && why[0] == '\0')
		snprintf(why, whysz, "%s", e.msg);
	return -1;
}

/* Approves one id; returns which list it goes to (0 ok, 1 fail, 2 deny). */
static int
approve_one(struct ce_db *db, const char *approver, int64_t id, char *why,
    size_t whysz, struct request *req)
{
	struct enroll_ctx ctx;
	struct enroll_work w;
	struct issue_result res;
	struct ce_error e;
	char qbuf[300];

	ce_error_clear(&e);
	memset(&ctx, 0, sizeof(ctx));
	memset(&w, 0, sizeof(w));
	why[0] = '\0';
	if (load_request(db, id, req, &e) != CE_OK) {
		snprintf(why, whysz, "Request %lld was not found.", (long long)id);
		return 1;
	}
	if (req->state != REQ_PENDING) {
		snprintf(why, whysz, "Request %lld is %s, not pending.", (long long)id,
		    request_state_name(req->state));
		return 1;
	}
	if (req->requester != NULL && strcmp(req->requester, approver) == 0 &&
	    !settings_int(db, NULL, "allow_self_approval")) {
		snprintf(why, whysz, "%s may not approve their own request.", approver);
		return 2;
	}
	/* Claim it first, so that a concurrent approval or denial of the same
	 * request finds it no longer pending. */
	if (transition(db, id, REQ_PENDING, REQ_APPROVING, approver, why,
	    whysz) != 0)
		return 1;
	if (pending_work(db, req, approver, &ctx, &w, &e) != CE_OK ||
	    enroll_issue(db, &ctx, &w, id, &res, &e) != CE_OK) {
		snprintf(why, whysz, "Request %lld could not be issued: %.400s",
		    (long long)id, e.msg);
		enroll_work_clear(&w);
		X509_REQ_free(ctx.csr);
		/* Nothing was issued: it waits for approval again. */
		transition(db, id, REQ_APPROVING, REQ_PENDING, NULL, NULL, 0);
		return 1;
	}
	snprintf(why, whysz, "Issued certificate %lld.", (long long)res.cert_id);
	log_audit(approver, "approve", "request=%lld cert=%lld requester=%s",
	    (long long)id, (long long)res.cert_id, req->requester ?
	    log_value(req->requester, qbuf, sizeof(qbuf)) : "-");
	req->cert_id = res.cert_id;
	issue_result_clear(&res);
	enroll_work_clear(&w);
	X509_REQ_free(ctx.csr);
	return 0;
}

struct denial {
	int64_t		 id;
	const char	*who, *comment;
	struct request	*req;
	char		*why;
	size_t		 whysz;
};

static enum ce_err
deny_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct denial *d = arg;
	struct request *req = d->req;
	enum ce_err rc;

	/* What a rolled-back run read or said goes (db_write may run this
	 * twice). */
	d->why[0] = '\0';
	request_clear(req);
	if ((rc = request_get(txn, d->id, req, err)) != CE_OK) {
		snprintf(d->why, d->whysz, "Request %lld was not found.",
		    (long long)d->id);
		return rc;
	}
	if (req->state != REQ_PENDING) {
		snprintf(d->why, d->whysz, "Request %lld is %s, not pending.",
		    (long long)d->id, request_state_name(req->state));
		return ce_fail(err, CE_CONFLICT, "not pending");
	}
	req->state = REQ_DENIED;
	req->denied = time(NULL);
	free(req->sealed_password);
	req->sealed_password = NULL;
	free(req->denied_by);
	free(req->comment);
	req->denied_by = strdup(d->who);
	req->comment = strdup(d->comment ? d->comment : "");
	if (req->denied_by == NULL || req->comment == NULL)
		return ce_fault(err, CE_NOMEM, "request");
	return request_put(txn, req, err);
}

/* Marks one pending request denied, in a write of its own. */
static int
deny_one(struct ce_db *db, const char *who, const char *comment, int64_t id,
    char *why, size_t whysz, struct request *req)
{
	struct denial d = { id, who, comment, req, why, whysz };
	struct ce_error e;

	ce_error_clear(&e);
	why[0] = '\0';
	if (db_write(db, deny_fn, &d, &e) != CE_OK) {
		if (why[0] == '\0')
			snprintf(why, whysz, "%s", e.msg);
		return 1;
	}
	log_audit(who, "deny", "request=%lld", (long long)id);
	snprintf(why, whysz, "%s", comment ? comment : "");
	return 0;
}

/* Decides each id of ids (approving, or denying with comment) into the
 * answer's lists: Successes, Failures, Denials (where *_one puts it). */
static enum ce_err
decide(struct ce_db *db, const char *who, int approving, const char *comment,
    json_object *ids, json_object **response, struct ce_error *err)
{
	json_object *lists[3], *resp;
	struct request req;
	char why[CE_ERRMSG_MAX];
	enum ce_err rc;
	int64_t id;
	size_t i;
	int where;

	*response = NULL;
	if ((rc = field_ids(ids, "CertificateRequestIds", MAX_IDS, err)) != CE_OK)
		return rc;
	if ((resp = result_new(&lists[1], &lists[2], &lists[0])) == NULL)
		return ce_fault(err, CE_NOMEM, "json");
	for (i = 0; i < json_arr_len(ids); i++) {
		field_int(json_object_array_get_idx(ids, i), "id", &id, NULL);
		memset(&req, 0, sizeof(req));
		where = approving ?
		    approve_one(db, who, id, why, sizeof(why), &req) :
		    deny_one(db, who, comment, id, why, sizeof(why), &req);
		json_object_array_add(lists[where], result_item(req.id ? &req :
		    NULL, id, why));
		request_clear(&req);
	}
	*response = resp;
	return CE_OK;
}

enum ce_err
workflow_approve(struct ce_db *db, const char *approver, json_object *ids,
    json_object **response, struct ce_error *err)
{
	return decide(db, approver, 1, NULL, ids, response, err);
}

enum ce_err
workflow_deny(struct ce_db *db, const char *who, const char *comment,
    json_object *ids, json_object **response, struct ce_error *err)
{
	return decide(db, who, 0, comment, ids, response, err);
}

/* Request states as answers number them (workflow.h). */
static int
state_int(enum request_state s)
{
	switch (s) {
	case REQ_UNKNOWN:	return 0;
	case REQ_PENDING:	return 1;
	case REQ_ISSUED:	return 2;
	case REQ_DENIED:	return 3;
	default:		return 4;
	}
}

static const char *
state_string(int n)
{
	static const char *names[] = { "Unknown", "Pending", "Issued", "Denied",
	    "Failed" };

	return n >= 0 && n <= 4 ? names[n] : "Unknown";
}

static json_object *
str_or_null(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

/* The names a request asks for, as its enrollment would merge them (a
 * CSR's own and the request's SANs): what an approver decides on.  An
 * empty object when its body is not what it was (nothing to show). */
static json_object *
request_sans(const struct request *req)
{
	struct enroll_req er;
	struct ce_error scratch;
	X509_REQ *csr = NULL;
	json_object *sans = NULL;
	char *subject = NULL;

	memset(&er, 0, sizeof(er));
	if (req->body == NULL)
		return json_object_new_object();
	if (req->format != NULL && strcmp(req->format, "CSR") == 0) {
		if (fields_parse(csr_fields, csr_nfields, req->body, &er,
		    &scratch) == CE_OK && csr_parse(er.csr.v, &csr,
		    &scratch) == CE_OK)
			(void)csr_names(csr, er.sans.v, WORKFLOW_SANS_SHOWN,
			    &subject, &sans, &scratch);
		X509_REQ_free(csr);
		free(subject);
	} else if (fields_parse(enroll_fields, enroll_nfields, req->body, &er,
	    &scratch) == CE_OK && er.sans.v != NULL &&
	    json_object_deep_copy(er.sans.v, &sans, NULL) != 0)
		sans = NULL;
	return sans != NULL ? sans : json_object_new_object();
}

/* A request as GET /Workflow/Certificates/{id} and the Pending and Denied
 * lists show it. */
static json_object *
request_view(const struct request *req)
{
	json_object *o = json_object_new_object();
	char t[CE_TIME_BUFSZ], rid[32];
	int st = state_int(req->state);

	if (o == NULL)
		return NULL;
	snprintf(rid, sizeof(rid), "%lld", (long long)req->id);
	ADD(o, "Id", json_object_new_int64(req->id));
	ADD(o, "CARequestId", json_object_new_string(rid));
	ADD(o, "CommonName", str_or_null(req->cn));
	ADD(o, "DistinguishedName", str_or_null(req->subject));
	ADD(o, "SubmissionDate", json_object_new_string(
	    time_format((time_t)req->submitted, t)));
	ADD(o, "CertificateAuthority", str_or_null(req->ca));
	ADD(o, "Template", str_or_null(req->template_name));
	ADD(o, "Requester", str_or_null(req->requester));
	ADD(o, "State", json_object_new_int(st));
	ADD(o, "StateString", json_object_new_string(state_string(st)));
	ADD(o, "Metadata", req->metadata ? json_object_get(req->metadata) :
	    json_object_new_object());
	ADD(o, "SANs", request_sans(req));
	if (req->comment != NULL)
		ADD(o, "Comment", json_object_new_string(req->comment));
	if (req->cert_id > 0)
		ADD(o, "CertificateId", json_object_new_int64(req->cert_id));
	return o;
}

static int
list_cb(const struct request *req, void *arg)
{
	json_object_array_add(arg, request_view(req));
	return 0;
}

enum ce_err
workflow_list(struct ce_db *db, const char *state, int64_t limit, int64_t page,
    json_object **out, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	json_object *list;
	enum ce_err rc;

	*out = NULL;
	if ((list = json_object_new_array()) == NULL)
		return ce_fault(err, CE_NOMEM, "json");
	if ((rc = db_begin(db, 0, &txn, err)) == CE_OK)
		rc = request_list(txn, request_state_parse(state),
		    (page - 1) * limit, limit, list_cb, list, err);
	db_abort(txn);
	if (rc != CE_OK) {
		json_object_put(list);
		return rc;
	}
	*out = list;
	return CE_OK;
}

enum ce_err
workflow_get(struct ce_db *db, int64_t id, json_object **out,
    struct ce_error *err)
{
	struct request req;
	enum ce_err rc;

	*out = NULL;
	rc = load_request(db, id, &req, err);
	if (rc == CE_NOTFOUND)
		return ce_fail(err, CE_NOTFOUND, "Request %lld was not found.",
		    (long long)id);
	if (rc == CE_OK && (*out = request_view(&req)) == NULL)
		rc = ce_fault(err, CE_NOMEM, "json");
	request_clear(&req);
	return rc;
}

size_t
workflow_successes(json_object *response)
{
	json_object *ok;

	return json_object_object_get_ex(response, "Successes", &ok) ?
	    json_arr_len(ok) : 0;
}
