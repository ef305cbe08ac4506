/* api_enroll.c - POST /Enrollment/PFX (API versions 1 and 2) and POST
 * /Enrollment/CSR: enroll.c, enroll_csr.c. */
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

/* 200 with the enrollment answer; 400 bad input (x-CertificateFormat PEM
 * or DER, the body, the CSR). */
static enum ce_err
csr(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	const struct enroll_req *req = c->req;
	struct enroll_ctx ctx;
	enum ce_err rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.user = c->user;
	ctx.body = c->body;
	ctx.format = FMT_PEM;
	if (http_api_version(c->r, &ctx.api_version, err) != CE_OK ||
	    csr_format_parse(http_param(c->r, "HTTP_X_CERTIFICATEFORMAT"),
	    &ctx.csr_der, err) != CE_OK ||
	    csr_parse(req->csr.v, &ctx.csr, err) != CE_OK)
		return err->code;
	rc = enroll_csr(c->db, &ctx, req, resp, err);
	X509_REQ_free(ctx.csr);
	return rc;
}

static const struct endpoint csr_eps[] = {
	{ "POST", "/Enrollment/CSR", CLAIM_ENROLL_CSR, EP_BODY, &csr_table,
	    csr },
};
EP_GROUP(api_enroll_csr, "enroll-csr", csr_eps);
