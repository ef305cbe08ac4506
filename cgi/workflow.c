/*
 * workflow - the approval workflow of pending certificate requests:
 *   POST /KeyfactorAPI/Workflow/Certificates/Approve   [id, ...]
 *   POST /KeyfactorAPI/Workflow/Certificates/Deny      {Comment, CertificateRequestIds}
 *   GET  /KeyfactorAPI/Workflow/Certificates/Pending   (paged)
 *   GET  /KeyfactorAPI/Workflow/Certificates/Denied    (paged)
 *   GET  /KeyfactorAPI/Workflow/Certificates/{id}
 * The work is in lib/workflow.c.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "fields.h"
#include "http.h"
#include "query.h"
#include "workflow.h"

#define BASE "/Workflow/Certificates/"

struct deny_req {
	struct opt_str	comment;
	struct opt_json	ids;
};

static const struct field deny_fields[] = {
	{ "Comment", F_STRING, 0, offsetof(struct deny_req, comment) },
	{ "CertificateRequestIds", F_ARRAY, F_REQUIRED,
	    offsetof(struct deny_req, ids) },
};

static const char *
lookup(void *arg, const char *name)
{
	return http_query(arg, name);
}

/* POST Approve / Deny: 200 {Failures, Denials, Successes}; 400 bad ids. */
static enum ce_err
decide(struct http_req *r, struct ce_db *db, int approve, json_object **resp,
    struct ce_error *err)
{
	struct deny_req dr;
	json_object *body;

	memset(&dr, 0, sizeof(dr));
	if (http_require_method(r, "POST", err) || http_json_body(r, 0, &body, err))
		return err->code;
	if (approve)
		return workflow_approve(db, http_user(r), body, resp, err);
	if (fields_parse(deny_fields, sizeof(deny_fields) / sizeof(deny_fields[0]),
	    body, &dr, err))
		return err->code;
	return workflow_deny(db, http_user(r), dr.comment.set ? dr.comment.v : "",
	    dr.ids.v, resp, err);
}

/* GET lists and one request: 200; 400 bad paging or id; 404 unknown id. */
static enum ce_err
show(struct http_req *r, struct ce_db *db, const char *rest, json_object **resp,
    struct ce_error *err)
{
	struct paging pg;
	int64_t id;

	if (http_require_method(r, "GET|HEAD", err))
		return err->code;
	if (strcasecmp(rest, "Pending") == 0 || strcasecmp(rest, "Denied") == 0) {
		if (query_paging(lookup, r, &pg, err) != CE_OK)
			return err->code;
		return workflow_list(db, strcasecmp(rest, "Pending") == 0 ?
		    "PENDING" : "DENIED", pg.limit, pg.page, resp, err);
	}
	if (strcasecmp(rest, "ExternalValidation") == 0) {
		*resp = json_object_new_array();	/* no external validation here */
		return CE_OK;
	}
	if (query_id(rest, "id", &id, err) != CE_OK)
		return err->code;
	return workflow_get(db, id, resp, err);
}

static void
handle(struct http_req *r)
{
	struct ce_error err;
	struct ce_db *db;
	json_object *resp = NULL;
	const char *p = http_path(r), *rest;
	enum ce_err rc;

	ce_error_clear(&err);
	if (http_db(r, &db, &err) ||
	    auth_require(db, http_user(r), CLAIM_WORKFLOW, &err) ||
	    http_require_requested_with(r, &err)) {
		http_send_error(r, &err);
		return;
	}
	rest = strncasecmp(p, BASE, strlen(BASE)) == 0 ? p + strlen(BASE) : "";
	if (strcasecmp(rest, "Approve") == 0 || strcasecmp(rest, "Deny") == 0)
		rc = decide(r, db, strcasecmp(rest, "Approve") == 0, &resp, &err);
	else
		rc = show(r, db, rest, &resp, &err);
	if (rc != CE_OK)
		http_send_error(r, &err);
	else
		http_send_json(r, 200, resp);
}

int
main(void)
{
	return http_run("workflow", handle);
}
