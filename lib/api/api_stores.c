/* api_stores.c - GET /CertificateStores (paged with ReturnLimit and
 * PageReturned, bare, pq. or pagedQuery.), GET /CertificateStores/{id} (a
 * GUID) and its /Inventory: storeview.c; GET /OrchestratorJobs/JobHistory
 * (the management jobs, queried and paged): jobview.c. */
#include "api.h"
#include "auth.h"
#include "certview.h"
#include "http.h"
#include "jobview.h"
#include "query.h"
#include "storeview.h"

/* 200 the store; 400 malformed GUID; 404 unknown store. */
static enum ce_err
get(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return storeview_get(c->db, c->arg[0], resp, err);
}

/* 200 an array; 400 bad paging. */
static enum ce_err
list(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	struct paging pg;

	if (query_paging(http_query_lookup, c->r, &pg, err) != CE_OK)
		return err->code;
	return storeview_list(c->db, &pg, resp, err);
}

/* 200 the store's inventory; 400 malformed GUID; 404 unknown store. */
static enum ce_err
inventory(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	return storeview_inventory(c->db, c->arg[0], resp, err);
}

/* 200 an array; 400 bad query or paging. */
static enum ce_err
job_history(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	struct paging pg;
	struct query q;

	if (query_filter_in(&jobview_fields, http_query_lookup, c->r, &q,
	    err) != CE_OK ||
	    query_paging(http_query_lookup, c->r, &pg, err) != CE_OK)
		return err->code;
	return jobview_history(c->db, q.n > 0 ? &q : NULL, &pg, resp, err);
}

static const struct endpoint eps[] = {
	{ "GET|HEAD", "/CertificateStores/{id}/Inventory", CLAIM_STORE_READ, 0,
	    NULL, inventory },
	{ "GET|HEAD", "/OrchestratorJobs/JobHistory", CLAIM_STORE_READ, 0, NULL,
	    job_history },
	{ "GET|HEAD", "/CertificateStores/{id}", CLAIM_STORE_READ, 0, NULL, get },
	{ "GET|HEAD", "/CertificateStores", CLAIM_STORE_READ, 0, NULL, list },
};
EP_GROUP(api_certificate_stores, "certificate-stores", eps);
