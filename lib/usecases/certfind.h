/*
 * certfind.h - GET /Certificates?pq.queryString=...: the query language
 * answered through an index when a term allows, else by a scan.
 */
#ifndef CE_CERTFIND_H
#define CE_CERTFIND_H

#include <json-c/json.h>

#include "certview.h"
#include "error.h"
#include "query.h"

/*
 * GET /Certificates: the certificates matching every term of q, in id
 * order, the page pg of them (an empty array past the end).  Id,
 * Thumbprint, CertRequestId and SerialNumber use the records and indexes;
 * IssuedCN alone scans.  Comparisons ignore ASCII case; serial numbers also
 * ignore leading zeros.
 */
enum ce_err	certview_find(struct ce_db *db, const struct query *q,
		    const struct paging *pg, const struct certview_opts *opts,
		    json_object **out, struct ce_error *err);

#endif
