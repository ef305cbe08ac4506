/*
 * enroll_pfx - POST /KeyfactorAPI/Enrollment/PFX (API versions 1 and 2).
 * The work is in lib/enroll.c.
 */
#include <string.h>

#include "auth.h"
#include "enroll.h"
#include "http.h"

/* 200 with the enrollment answer; 400 bad input; 401/403; 405; 413; 415. */
static void
handle(struct http_req *r)
{
	struct enroll_req req;
	struct enroll_ctx ctx;
	struct ce_error err;
	struct ce_db *db;
	json_object *body, *resp = NULL;

	ce_error_clear(&err);
	memset(&req, 0, sizeof(req));
	memset(&ctx, 0, sizeof(ctx));
	ctx.user = http_user(r);
	if (http_require_method(r, "POST", &err) ||
	    http_db(r, &db, &err) ||
	    auth_require(db, ctx.user, CLAIM_ENROLL_PFX, &err) ||
	    http_require_requested_with(r, &err) ||
	    http_api_version(r, &ctx.api_version, &err) ||
	    cert_format_parse(http_param(r, "HTTP_X_CERTIFICATEFORMAT"),
	    &ctx.format, &err) ||
	    http_json_body(r, 0, &body, &err) ||
	    fields_parse(enroll_fields, enroll_nfields, body, &req, &err))
		goto fail;
	ctx.body = body;
	if (enroll_pfx(db, &ctx, &req, &resp, &err) != CE_OK)
		goto fail;
	http_send_json(r, 200, resp);
	return;
fail:
	http_send_error(r, &err);
}

int
main(void)
{
	return http_run("enroll-pfx", handle);
}
