/*
 * api.h - the Keyfactor API served, as endpoint groups (endpoint.h): one
 * group per FastCGI program in cgi/, declared in lib/api_<group>.c with the
 * work function of each endpoint, which calls one use-case module.
 */
#ifndef CE_API_H
#define CE_API_H

#include "endpoint.h"

extern const struct endpoint_group api_enroll_pfx;	/* api_enroll.c */
extern const struct endpoint_group api_enroll_csr;	/* api_enroll.c */
extern const struct endpoint_group api_pfx_deploy;	/* api_deploy.c */
extern const struct endpoint_group api_pfx_replace;	/* api_deploy.c */
extern const struct endpoint_group api_renew;		/* api_renew.c */
extern const struct endpoint_group api_certificates;	/* api_certificates.c */
extern const struct endpoint_group api_certificate_stores; /* api_stores.c */
extern const struct endpoint_group api_workflow;	/* api_workflow.c */
extern const struct endpoint_group api_status;		/* api_status.c */
extern const struct endpoint_group api_catalog;		/* api_catalog.c */

/* GET /metrics, of the status group (api_metrics.c): the Prometheus
 * text format, as c->text. */
enum ce_err	api_metrics(struct ep_call *c, json_object **resp,
		    struct ce_error *err);

/* The OCSP responder (api_ocsp.c): DER in and out, no login, outside the
 * Keyfactor API, so not an endpoint group. */
int	ocsp_serve(void);

/* Every group, NULL-terminated: what /Status/Endpoints lists. */
extern const struct endpoint_group *const api_groups[];

#endif
