/*
 * catalog.h - what this service offers enrollment with, as the API shows
 * it: GET /Templates, /Templates/{id} (templates and their default
 * enrollment pattern, policy.h) and GET /CertificateAuthority (ca.h).
 */
#ifndef CE_CATALOG_H
#define CE_CATALOG_H

#include <json-c/json.h>

#include "error.h"
#include "query.h"

struct ce_db;

/* The page pg of the templates, in id order (an empty array past the end);
 * list items lack the detail fields of catalog_template. */
enum ce_err	catalog_templates(struct ce_db *db, const struct paging *pg,
		    json_object **out, struct ce_error *err);
/* Template id (policy.h: its default pattern's id); CE_NOTFOUND. */
enum ce_err	catalog_template(struct ce_db *db, int64_t id, json_object **out,
		    struct ce_error *err);
/* The page pg of the CAs, in name order. */
enum ce_err	catalog_cas(struct ce_db *db, const struct paging *pg,
		    json_object **out, struct ce_error *err);

#endif
