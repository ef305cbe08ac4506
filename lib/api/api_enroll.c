/* api_enroll.c - POST /Enrollment/PFX (API versions 1 and 2): enroll.c. */
#include <string.h>

#include "api.h"
#include "auth.h"
#include "enroll.h"
#include "http.h"

/* 200 with the enrollment answer; 400 bad input (x-keyfactor-api-version,
 * x-CertificateFormat, the body); 403 store claims for v2 Stores. */
static enum ce_err
pfx(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	struct enroll_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.user = c->user;
	ctx.body = c->body;
	if (http_api_version(c->r, &ctx.api_version, err) != CE_OK ||
	    cert_format_parse(http_param(c->r, "HTTP_X_CERTIFICATEFORMAT"),
	    &ctx.format, err) != CE_OK)
		return err->code;
	return enroll_pfx(c->db, &ctx, c->req, resp, err);
}

static const struct endpoint eps[] = {
	{ "POST", "/Enrollment/PFX", CLAIM_ENROLL_PFX, EP_BODY, &enroll_table,
	    pfx },
};
EP_GROUP(api_enroll_pfx, "enroll-pfx", eps);
