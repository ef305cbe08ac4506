/*
 * certificate_stores - GET /KeyfactorAPI/CertificateStores (paged with
 * ReturnLimit and PageReturned, bare, pq. or pagedQuery.) and
 * GET /KeyfactorAPI/CertificateStores/{id} (a GUID).
 * The work is in lib/certview.c.
 */
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "certview.h"
#include "http.h"
#include "query.h"

#define BASE	"/CertificateStores"

/* http_query() as a query_lookup. */
static const char *
param(void *r, const char *name)
{
	return http_query(r, name);
}

/* {id} of /CertificateStores/{id}; "" for the listing; NULL otherwise. */
static const char *
path_id(struct http_req *r)
{
	const char *p = http_path(r);
	size_t n = strlen(BASE);

	if (strncasecmp(p, BASE, n) != 0)
		return NULL;
	if (p[n] == '\0')
		return "";
	return p[n] == '/' ? p + n + 1 : NULL;
}

/*
 * 200 with the store, or an array for the listing; 400 malformed GUID or
 * paging; 401 no user; 403 no CLAIM_STORE_READ; 404 unknown store;
 * 405 not GET/HEAD.
 */
static void
handle(struct http_req *r)
{
	struct paging pg;
	struct ce_error err;
	struct ce_db *db;
	json_object *resp = NULL;
	const char *id;
	enum ce_err rc;

	ce_error_clear(&err);
	if (http_require_method(r, "GET|HEAD", &err) ||
	    http_db(r, &db, &err) ||
	    auth_require(db, http_user(r), CLAIM_STORE_READ, &err) ||
	    http_require_requested_with(r, &err))
		goto fail;
	if ((id = path_id(r)) == NULL)
		rc = ce_fail(&err, CE_NOTFOUND, "No such endpoint.");
	else if (*id != '\0')
		rc = storeview_get(db, id, &resp, &err);
	else if ((rc = query_paging(param, r, &pg, &err)) == CE_OK)
		rc = storeview_list(db, &pg, &resp, &err);
	if (rc != CE_OK)
		goto fail;
	http_send_json(r, 200, resp);
	return;
fail:
	http_send_error(r, &err);
}

int
main(void)
{
	return http_run("certificate-stores", handle);
}
