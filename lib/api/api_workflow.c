/* api_workflow.c - the approval workflow of pending requests: workflow.c.
 *   POST /Workflow/Certificates/Approve   [id, ...]
 *   POST /Workflow/Certificates/Deny      {Comment, CertificateRequestIds}
 *   GET  /Workflow/Certificates/Pending, .../Denied   (paged)
 *   GET  /Workflow/Certificates/ExternalValidation    (always empty here)
 *   GET  /Workflow/Certificates/{id}
 */
#include <stddef.h>

#include "api.h"
#include "auth.h"
#include "http.h"
#include "query.h"
#include "workflow.h"

struct deny_req {
	struct opt_str	comment;
	struct opt_json	ids;
};

static const struct field deny_fields[] = {
	{ "Comment", F_STRING, 0, offsetof(struct deny_req, comment) },
	{ "CertificateRequestIds", F_ARRAY, F_REQUIRED,
	    offsetof(struct deny_req, ids) },
};
static FIELD_TABLE(deny_table, deny_fields, struct deny_req);

/* 200 {Failures, Denials, Successes}; 400 bad ids. */
static enum ce_err
approve(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return workflow_approve(c->db, c->user, c->body, resp, err);
}

static enum ce_err
deny(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	const struct deny_req *d = c->req;

	return workflow_deny(c->db, c->user, d->comment.set ? d->comment.v : "",
	    d->ids.v, resp, err);
}

/* 200 a page of the list; 400 bad paging. */
static enum ce_err
list(struct ep_call *c, const char *state, json_object **resp,
    struct ce_error *err)
{
	struct paging pg;

	if (query_paging(http_query_lookup, c->r, &pg, err) != CE_OK)
		return err->code;
	return workflow_list(c->db, state, pg.limit, pg.page, resp, err);
}

static enum ce_err
pending(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return list(c, "PENDING", resp, err);
}

static enum ce_err
denied(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return list(c, "DENIED", resp, err);
}

static enum ce_err
external(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	(void)c;
	if ((*resp = json_object_new_array()) == NULL)
		return ce_fault(err, CE_NOMEM, "list");
	return CE_OK;
}

/* 200 the request; 400 bad id; 404 unknown id. */
static enum ce_err
get(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return workflow_get(c->db, c->id[0], resp, err);
}

#define WF	"/Workflow/Certificates"

static const struct endpoint eps[] = {
	{ "POST", WF "/Approve", CLAIM_REQUESTS_MANAGE, EP_BODY, NULL, approve },
	{ "POST", WF "/Deny", CLAIM_REQUESTS_MANAGE, EP_BODY, &deny_table, deny },
	{ "GET|HEAD", WF "/Pending", CLAIM_ALERTS_READ, 0, NULL, pending },
	{ "GET|HEAD", WF "/Denied", CLAIM_ALERTS_READ, 0, NULL, denied },
	{ "GET|HEAD", WF "/ExternalValidation", CLAIM_ALERTS_READ, 0, NULL,
	    external },
	{ "GET|HEAD", WF "/{id:int}", CLAIM_ALERTS_READ, 0, NULL, get },
};
EP_GROUP(api_workflow, "workflow", eps);
