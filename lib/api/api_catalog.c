/* api_catalog.c - GET /Templates, /Templates/{id}, GET /MetadataFields and
 * GET /CertificateAuthority (QueryString, PageReturned and ReturnLimit, bare or
 * with sq., pq. or query.): catalog.c. */
#include <stddef.h>

#include "api.h"
#include "auth.h"
#include "catalog.h"
#include "http.h"
#include "query.h"

/* 200 the page of a listing; 400 bad paging or query. */
static enum ce_err
page_of(struct ep_call *c, const struct query_vocab *v,
    enum ce_err (*list)(struct ce_db *, const struct query *,
    const struct paging *, json_object **, struct ce_error *),
    json_object **resp, struct ce_error *err)
{
	struct paging pg;
	struct query q;

	if (query_filter_in(v, http_query_lookup, c->r, &q, err) != CE_OK ||
	    query_paging(http_query_lookup, c->r, &pg, err) != CE_OK)
		return err->code;
	return list(c->db, q.n > 0 ? &q : NULL, &pg, resp, err);
}

static enum ce_err
templates(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return page_of(c, &catalog_template_fields, catalog_templates, resp,
	    err);
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
	return page_of(c, &catalog_ca_fields, catalog_cas, resp, err);
}

static enum ce_err
metadata(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return page_of(c, &catalog_metadata_fields_vocab,
	    catalog_metadata_fields, resp, err);
}

static const struct endpoint eps[] = {
	{ "GET|HEAD", "/Templates/{id:int}", CLAIM_TEMPLATES_READ, 0, NULL,
	    template },
	{ "GET|HEAD", "/Templates", CLAIM_TEMPLATES_READ, 0, NULL, templates },
	{ "GET|HEAD", "/CertificateAuthority", CLAIM_CAS_READ, 0, NULL, cas },
	{ "GET|HEAD", "/MetadataFields", CLAIM_METADATA_READ, 0, NULL,
	    metadata },
};
EP_GROUP(api_catalog, "catalog", eps);
