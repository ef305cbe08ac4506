/*
 * certfind.h - GET /Certificates?pq.queryString=...: the query language
 * answered through an index when a required term allows, else by a scan.
 */
#ifndef CE_CERTFIND_H
#define CE_CERTFIND_H

#include <json-c/json.h>

#include "certview.h"
#include "error.h"
#include "query.h"

/*
 * GET /Certificates: the certificates satisfying q (query.h), in id
 * order, the page pg of them (an empty array past the end).  When the
 * query requires (under ANDs only) an -eq on Id, Thumbprint,
 * CertRequestId or SerialNumber, that record alone is read through its
 * index; an IssuedCN -eq walks the certificates of that CN; anything else
 * scans in id order and stops once the page is full.  Comparisons ignore
 * ASCII case; serial numbers also ignore leading zeros; Metadata.<name>
 * reads the certificate's metadata field of that name (any case).
 */
enum ce_err	certview_find(struct ce_db *db, const struct query *q,
		    const struct paging *pg, const struct certview_opts *opts,
		    json_object **out, struct ce_error *err);

#endif
