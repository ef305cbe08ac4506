/* api_renew.c - POST /Enrollment/Renew and GET /Enrollment/AvailableRenewal/
 * {Id/{id},Thumbprint/{thumbprint}}: renew.c. */
#include "api.h"
#include "auth.h"
#include "renew.h"

/* 200 the flat renewal answer; 400; 404 unknown certificate. */
static enum ce_err
renew(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return renew_certificate(c->db, c->user, c->req, resp, err);
}

/* 200 {AvailableRenewalType, Message}; 400 bad id; 404 unknown. */
static enum ce_err
by_id(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return renew_available(c->db, c->id[0], NULL, resp, err);
}

static enum ce_err
by_thumbprint(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return renew_available(c->db, 0, c->arg[0], resp, err);
}

static const struct endpoint eps[] = {
	{ "POST", "/Enrollment/Renew", CLAIM_ENROLL_PFX, EP_BODY, &renew_table,
	    renew },
	{ "GET|HEAD", "/Enrollment/AvailableRenewal/Id/{id:int}",
	    CLAIM_ENROLL_PFX, 0, NULL, by_id },
	{ "GET|HEAD", "/Enrollment/AvailableRenewal/Thumbprint/{thumbprint}",
	    CLAIM_ENROLL_PFX, 0, NULL, by_thumbprint },
};
EP_GROUP(api_renew, "renew", eps);
