/*
 * renew - POST /KeyfactorAPI/Enrollment/Renew and
 *         GET /KeyfactorAPI/Enrollment/AvailableRenewal/Id/{id}
 *         GET /KeyfactorAPI/Enrollment/AvailableRenewal/Thumbprint/{thumbprint}
 * The work is in lib/renew.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "http.h"
#include "query.h"
#include "renew.h"

#define AVAIL_ID	"/Enrollment/AvailableRenewal/Id/"
#define AVAIL_TP	"/Enrollment/AvailableRenewal/Thumbprint/"

/* GET: 200 {AvailableRenewalType, Message}; 400 bad id; 404 unknown. */
static enum ce_err
available(struct http_req *r, struct ce_db *db, json_object **resp,
    struct ce_error *err)
{
	const char *p = http_path(r);
	int64_t id = 0;
	enum ce_err rc;

	if (http_require_method(r, "GET|HEAD", err))
		return err->code;
	if (strncasecmp(p, AVAIL_ID, strlen(AVAIL_ID)) == 0) {
		if ((rc = query_id(p + strlen(AVAIL_ID), "id", &id, err)) != CE_OK)
			return rc;
		return renew_available(db, id, NULL, resp, err);
	}
	if (strncasecmp(p, AVAIL_TP, strlen(AVAIL_TP)) == 0)
		return renew_available(db, 0, p + strlen(AVAIL_TP), resp, err);
	return ce_fail(err, CE_NOTFOUND, "No such endpoint.");
}

/* POST /Enrollment/Renew: 200 flat renewal answer; 400; 404. */
static enum ce_err
renew(struct http_req *r, struct ce_db *db, json_object **resp,
    struct ce_error *err)
{
	struct renew_req req;
	json_object *body;

	memset(&req, 0, sizeof(req));
	if (http_require_method(r, "POST", err) ||
	    http_json_body(r, 0, &body, err) ||
	    fields_parse(renew_fields, renew_nfields, body, &req, err))
		return err->code;
	return renew_certificate(db, http_user(r), &req, resp, err);
}

static void
handle(struct http_req *r)
{
	struct ce_error err;
	struct ce_db *db;
	json_object *resp = NULL;
	enum ce_err rc;

	ce_error_clear(&err);
	if (http_db(r, &db, &err) ||
	    auth_require(db, http_user(r), CLAIM_ENROLL_PFX, &err) ||
	    http_require_requested_with(r, &err)) {
		http_send_error(r, &err);
		return;
	}
	if (strcasecmp(http_path(r), "/Enrollment/Renew") == 0)
		rc = renew(r, db, &resp, &err);
	else
		rc = available(r, db, &resp, &err);
	if (rc != CE_OK)
		http_send_error(r, &err);
	else
		http_send_json(r, 200, resp);
}

int
main(void)
{
	return http_run("renew", handle);
}
