/* api_deploy.c - POST /Enrollment/PFX/Deploy and /Enrollment/PFX/Replace:
 * deploy.c. */
#include "api.h"
#include "auth.h"
#include "deploy.h"

/* 200 {SuccessfulStores, FailedStores}; 400; 403 no schedule claim; 404
 * unknown certificate or request. */
static enum ce_err
deploy(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return deploy_pfx(c->db, c->user, c->req, resp, err);
}

static enum ce_err
replace(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return replace_pfx(c->db, c->user, c->req, resp, err);
}

static const struct endpoint deploy_eps[] = {
	{ "POST", "/Enrollment/PFX/Deploy", CLAIM_ENROLL_PFX, EP_BODY,
	    &deploy_table, deploy },
};
static const struct endpoint replace_eps[] = {
	{ "POST", "/Enrollment/PFX/Replace", CLAIM_ENROLL_PFX, EP_BODY,
	    &replace_table, replace },
};
EP_GROUP(api_pfx_deploy, "pfx-deploy", deploy_eps);
EP_GROUP(api_pfx_replace, "pfx-replace", replace_eps);
