/* api_status.c - GET /Status/Endpoints (the endpoints served, from their
 * declarations; the Keyfactor Go client calls it at login), GET /health
 * (no login: the database and the signer; no versions, no secrets) and
 * GET /metrics (api_metrics.c: from this host, or with its claim). */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "ca.h"
#include "signer.h"

/* 200 {"Status":"OK","Database":"OK","Signer":"OK"}, or 503 with
 * "Unavailable" for what is down (the database: not readable or no CA;
 * the signer, when signer_socket names one: no answer to a ping; "None"
 * without one).  The same shape either way, for load balancers. */
static enum ce_err
health(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	struct ce_error e;
	const char *sock = signer_socket(), *signer = "None";
	int db_ok = ca_any(c->db) == 1, ok;

	ce_error_clear(&e);
	if (sock != NULL)
		signer = signer_ping(sock, &e) == CE_OK ? "OK" : "Unavailable";
	ok = db_ok && strcmp(signer, "Unavailable") != 0;
	if ((*resp = json_object_new_object()) == NULL ||
	    json_object_object_add(*resp, "Status",
	    json_object_new_string(ok ? "OK" : "Unavailable")) != 0 ||
	    json_object_object_add(*resp, "Database",
	    json_object_new_string(db_ok ? "OK" : "Unavailable")) != 0 ||
	    json_object_object_add(*resp, "Signer",
	    json_object_new_string(signer)) != 0)
		return ce_fault(err, CE_NOMEM, "health");
	if (!ok)
		c->status = 503;
	return CE_OK;
}

/* "GET /Certificates/{id}" for each listed endpoint and its first method. */
static enum ce_err
endpoints(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	const struct endpoint_group *const *g;
	char line[160];
	size_t i;

	(void)c;
	if ((*resp = json_object_new_array()) == NULL)
		return ce_fault(err, CE_NOMEM, "endpoints");
	for (g = api_groups; *g != NULL; g++)
		for (i = 0; i < (*g)->n; i++) {
			if ((*g)->eps[i].flags & EP_UNLISTED)
				continue;
			if (json_object_array_add(*resp, json_object_new_string(
			    endpoint_label(&(*g)->eps[i], line, sizeof(line))))
			    != 0)
				return ce_fault(err, CE_NOMEM, "endpoints");
		}
	return CE_OK;
}

static const struct endpoint eps[] = {
	{ "GET|HEAD", "/Status/Endpoints", NULL, EP_ANY_CLIENT, NULL,
	    endpoints },
	{ "GET|HEAD", "/health", NULL, EP_NO_LOGIN | EP_UNLISTED, NULL, health },
	{ "GET|HEAD", "/metrics", CLAIM_METRICS_READ,
	    EP_WEB_OPEN | EP_UNLISTED, NULL, api_metrics },
};
EP_GROUP(api_status, "status", eps);

const struct endpoint_group *const api_groups[] = {
	&api_enroll_pfx, &api_pfx_deploy, &api_pfx_replace, &api_renew,
	&api_certificates, &api_certificate_stores, &api_workflow, &api_status,
	&api_catalog, &api_enroll_csr, NULL,
};
