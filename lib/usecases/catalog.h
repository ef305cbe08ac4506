/*
 * catalog.h - what this service offers enrollment with, as the API shows
 * it: GET /Templates, /Templates/{id} (templates and their default
 * enrollment pattern, policy.h), GET /CertificateAuthority (ca.h) and GET
 * /MetadataFields (the patterns' metadata fields).
 */
#ifndef CE_CATALOG_H
#define CE_CATALOG_H

#include <json-c/json.h>

#include "error.h"
#include "query.h"

struct ce_db;

/*
 * The query languages of the lists (query.h): templates by Keyfactor's
 * template fields (AllowedEnrollmentType, ConfigurationTenant,
 * DisplayName, ForestRoot, FriendlyName, HasPrivateKeyRetention,
 * IsDefaultTemplate, ShortName/CommonName/TemplateName, and Id,
 * RequiresApproval, KeyRetention), CAs by Id, LogicalName, HostName,
 * ForestRoot, ConfigurationTenant.  AllowedEnrollmentType is a bit set (1
 * PFX, 2 CSR): -eq N holds for a template that allows each enrollment type
 * N names (every template here allows both), so a script asking for "2"
 * finds the templates it can enroll CSRs with.
 */
extern const struct query_vocab catalog_template_fields;
extern const struct query_vocab catalog_ca_fields;
/* GET /MetadataFields' fields: Id, Name, DataType. */
extern const struct query_vocab catalog_metadata_fields_vocab;

/* The page pg of the templates q matches (NULL: all), in id order (an
 * empty array past the end); list items lack the detail fields of
 * catalog_template. */
enum ce_err	catalog_templates(struct ce_db *db, const struct query *q,
		    const struct paging *pg, json_object **out,
		    struct ce_error *err);
/* Template id (policy.h: its default pattern's id); CE_NOTFOUND. */
enum ce_err	catalog_template(struct ce_db *db, int64_t id, json_object **out,
		    struct ce_error *err);
/* The page pg of the CAs q matches (NULL: all), in name order. */
enum ce_err	catalog_cas(struct ce_db *db, const struct query *q,
		    const struct paging *pg, json_object **out,
		    struct ce_error *err);

/* The page pg of the metadata fields q matches (NULL: all) as Keyfactor's
 * MetadataFieldTypeModel: every field the enrollment patterns define, by
 * name (its Id is its place in that order, so a field defined later moves
 * those after it), DataType 1 String, 2 Integer, 3 Date, 4 Boolean,
 * 5 Multiple Choice (Options "a,b"), 7 Email; Enrollment 1 where the
 * first pattern defining it requires it. */
enum ce_err	catalog_metadata_fields(struct ce_db *db, const struct query *q,
		    const struct paging *pg, json_object **out,
		    struct ce_error *err);

#endif
