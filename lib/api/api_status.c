/* api_status.c - GET /Status/Endpoints (the endpoints served, from their
 * declarations; the Keyfactor Go client calls it at login) and GET /health
 * (no login: LMDB readable and a CA present; no versions, no secrets). */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "ca.h"

/* 200 {"Status":"OK"}, or 503 {"Status":"Unavailable"}: the body is the
 * same shape either way, for load balancers. */
static enum ce_err
health(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	int ok = ca_any(c->db) == 1;

	if ((*resp = json_object_new_object()) == NULL ||
	    json_object_object_add(*resp, "Status",
	    json_object_new_string(ok ? "OK" : "Unavailable")) != 0)
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
			const struct endpoint *ep = &(*g)->eps[i];
			const char *p;

			if (ep->flags & EP_UNLISTED)
				continue;
			snprintf(line, sizeof(line), "%.*s ",
			    (int)strcspn(ep->methods, "|"), ep->methods);
			/* "{id:int}" is listed as "{id}" */
			for (p = ep->path; *p != '\0'; p++) {
				size_t n = strlen(line);

				if (*p == ':')
					p += strcspn(p, "}") - 1;
				else if (n + 1 < sizeof(line)) {
					line[n] = *p;
					line[n + 1] = '\0';
				}
			}
			if (json_object_array_add(*resp,
			    json_object_new_string(line)) != 0)
				return ce_fault(err, CE_NOMEM, "endpoints");
		}
	return CE_OK;
}

static const struct endpoint eps[] = {
	{ "GET|HEAD", "/Status/Endpoints", NULL, EP_ANY_CLIENT, NULL,
	    endpoints },
	{ "GET|HEAD", "/health", NULL, EP_NO_LOGIN | EP_UNLISTED, NULL, health },
};
EP_GROUP(api_status, "status", eps);

const struct endpoint_group *const api_groups[] = {
	&api_enroll_pfx, &api_pfx_deploy, &api_pfx_replace, &api_renew,
	&api_certificates, &api_certificate_stores, &api_workflow, &api_status,
	&api_catalog, &api_enroll_csr, NULL,
};
