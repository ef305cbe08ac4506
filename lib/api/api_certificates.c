/* api_certificates.c - GET /Certificates/{id} and GET /Certificates (the
 * query language, paged): certview.c, query.c.  Query parameters:
 * includeLocations, includeMetadata (true/false/1/0); for the listing also
 * pq.queryString, ReturnLimit and PageReturned (bare, pq. or pagedQuery.). */
#include <string.h>

#include "api.h"
#include "auth.h"
#include "certfind.h"
#include "certview.h"
#include "http.h"
#include "query.h"

static enum ce_err
view_opts(struct ep_call *c, struct certview_opts *o, struct ce_error *err)
{
	memset(o, 0, sizeof(*o));
	if (query_bool(http_query_lookup, c->r, "includeLocations", &o->locations, err) ||
	    query_bool(http_query_lookup, c->r, "includeMetadata", &o->metadata, err))
		return err->code;
	return CE_OK;
}

/* 200 the certificate; 400 malformed id or flag; 404 unknown id. */
static enum ce_err
get(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	struct certview_opts o;

	if (view_opts(c, &o, err) != CE_OK)
		return err->code;
	return certview_get(c->db, c->arg[0], &o, resp, err);
}

/* 200 an array; 400 bad query, paging or flag. */
static enum ce_err
find(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	struct certview_opts o;
	struct paging pg;
	struct query q;

	if (view_opts(c, &o, err) != CE_OK ||
	    query_filter(http_query_lookup, c->r, &q, err) != CE_OK ||
	    query_paging(http_query_lookup, c->r, &pg, err) != CE_OK)
		return err->code;
	return certview_find(c->db, &q, &pg, &o, resp, err);
}

static const struct endpoint eps[] = {
	{ "GET|HEAD", "/Certificates/{id}", CLAIM_CERT_READ, 0, NULL, get },
	{ "GET|HEAD", "/Certificates", CLAIM_CERT_READ, 0, NULL, find },
};
EP_GROUP(api_certificates, "certificates", eps);
