/*
 * certificates - GET /KeyfactorAPI/Certificates/{id} and
 *                GET /KeyfactorAPI/Certificates?pq.queryString=...
 * Query parameters: includeLocations, includeMetadata (true/false/1/0);
 * for the listing also pq.queryString, ReturnLimit and PageReturned (bare,
 * pq. or pagedQuery.).  The work is in lib/certview.c and lib/query.c.
 */
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "certview.h"
#include "http.h"
#include "query.h"

#define BASE	"/Certificates"

/* http_query() as a query_lookup. */
static const char *
param(void *r, const char *name)
{
	return http_query(r, name);
}

/* {id} of /Certificates/{id}; "" for /Certificates; NULL for other paths. */
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
 * 200 with the certificate, or an array for a listing; 400 malformed id,
 * query or flag; 401 no user; 403 no CLAIM_CERT_READ; 404 unknown id;
 * 405 not GET/HEAD.
 */
static void
handle(struct http_req *r)
{
	struct certview_opts opts;
	struct paging pg;
	struct query q;
	struct ce_error err;
	struct ce_db *db;
	json_object *resp = NULL;
	const char *id;
	enum ce_err rc;

	ce_error_clear(&err);
	memset(&opts, 0, sizeof(opts));
	if (http_require_method(r, "GET|HEAD", &err) ||
	    http_db(r, &db, &err) ||
	    auth_require(db, http_user(r), CLAIM_CERT_READ, &err) ||
	    http_require_requested_with(r, &err) ||
	    query_bool(param, r, "includeLocations", &opts.locations, &err) ||
	    query_bool(param, r, "includeMetadata", &opts.metadata, &err))
		goto fail;
	if ((id = path_id(r)) == NULL)
		rc = ce_fail(&err, CE_NOTFOUND, "No such endpoint.");
	else if (*id != '\0')
		rc = certview_get(db, id, &opts, &resp, &err);
	else if ((rc = query_filter(param, r, &q, &err)) == CE_OK &&
	    (rc = query_paging(param, r, &pg, &err)) == CE_OK)
		rc = certview_find(db, &q, &pg, &opts, &resp, &err);
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
	return http_run("certificates", handle);
}
