/*
 * pfx_deploy - POST /KeyfactorAPI/Enrollment/PFX/Deploy.
 * The work is in lib/deploy.c.
 */
#include <string.h>

#include "auth.h"
#include "deploy.h"
#include "http.h"

/* 200 {SuccessfulStores, FailedStores}; 400; 401/403; 404 unknown request. */
static void
handle(struct http_req *r)
{
	struct deploy_req req;
	struct ce_error err;
	struct ce_db *db;
	json_object *body, *resp = NULL;
	const char *user = http_user(r);

	ce_error_clear(&err);
	memset(&req, 0, sizeof(req));
	if (http_require_method(r, "POST", &err) ||
	    http_db(r, &db, &err) ||
	    auth_require(db, user, CLAIM_ENROLL_PFX, &err) ||
	    http_require_requested_with(r, &err) ||
	    http_json_body(r, 0, &body, &err) ||
	    fields_parse(deploy_fields, deploy_nfields, body, &req, &err) ||
	    deploy_pfx(db, user, &req, &resp, &err)) {
		http_send_error(r, &err);
		return;
	}
	http_send_json(r, 200, resp);
}

int
main(void)
{
	return http_run("pfx-deploy", handle);
}
