/* api_catalog.c - GET /Templates, /Templates/{id} and GET
 * /CertificateAuthority (paged: PageReturned and ReturnLimit, bare or with
 * sq., pq. or query.): catalog.c. */
#include <stddef.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "catalog.h"
#include "http.h"
#include "query.h"

/* Queries are not answered yet: a client that sends one learns so,
 * rather than getting every template as if it matched. */
static enum ce_err
no_query(struct ep_call *c, struct ce_error *err)
{
	char used[64];
	const char *v = query_param(http_query_lookup, c->r, "QueryString",
	    used, sizeof(used));

	if (v != NULL && v[strspn(v, " \t")] != '\0')
		return ce_fail(err, CE_INVAL, "%s: templates and CAs are listed "
		    "whole here (paging only).", used);
	return CE_OK;
}

/* 200 the page of a listing; 400 bad paging or a query. */
static enum ce_err
page_of(struct ep_call *c, enum ce_err (*list)(struct ce_db *,
    const struct paging *, json_object **, struct ce_error *),
    json_object **resp, struct ce_error *err)
{
	struct paging pg;

	if (no_query(c, err) != CE_OK ||
	    query_paging(http_query_lookup, c->r, &pg, err) != CE_OK)
		return err->code;
	return list(c->db, &pg, resp, err);
}

static enum ce_err
templates(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return page_of(c, catalog_templates, resp, err);
}

/* 200 the template; 404 none with that id. */
static enum ce_err
template(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return catalog_template(c->db, c->id[0], resp, err);
}

static enum ce_err
cas(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return page_of(c, catalog_cas, resp, err);
}

static const struct endpoint eps[] = {
	{ "GET|HEAD", "/Templates/{id:int}", CLAIM_TEMPLATES_READ, 0, NULL,
	    template },
	{ "GET|HEAD", "/Templates", CLAIM_TEMPLATES_READ, 0, NULL, templates },
	{ "GET|HEAD", "/CertificateAuthority", CLAIM_CAS_READ, 0, NULL, cas },
};
EP_GROUP(api_catalog, "catalog", eps);
