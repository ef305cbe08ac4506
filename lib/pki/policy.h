/*
 * policy.h - templates, enrollment patterns and what they allow.
 *
 * Template record (T_TEMPLATES, key = lower-case short name):
 *   {"name":"WebServer","id":N (its default pattern's, below),
 *    "keys":["RSA-2048","ECC-P-256",...],"days":365,
 *    "key_usage":["digitalSignature","keyEncipherment"],
 *    "eku":["serverAuth","1.3.6.1.5.5.7.3.2"],"subject_regex":"...",
 *    "require_approval":false,"cas":["host\\Logical",...],   (cas [] = any)
 *    "key_retention":"none","key_retention_days":0,  (below)
 *    "names":{...}}   (the name policy, see names.h; also in patterns)
 * Enrollment pattern record (T_PATTERNS, key = db_idkey(id)):
 *   {"id":1,"name":"WebServer default","template":"WebServer",
 *    "keys":null | [...] (override),"require_approval":false,
 *    "metadata":[{"name":"Owner","type":"string|int|bool|date|email|choice",
 *                 "required":true,"options":["a","b"]}],
 *    "additional_fields":[{"name":"Ticket","required":false}]}
 * Every template gets a default pattern when it is added.
 */
#ifndef CE_POLICY_H
#define CE_POLICY_H

#include <stdint.h>
#include <json-c/json.h>
#include <openssl/x509.h>
#include "error.h"
#include "db.h"
#include "keys.h"
#include "key_retention.h"

struct ce_db;
struct ce_txn;
struct ca;

struct policy {
	json_object	*tmpl;		/* template record (owned) */
	json_object	*pattern;	/* enrollment pattern record (owned) */
	struct ca	*ca;		/* the CA that will sign (owned) */
	const char	*template_name;	/* borrowed from tmpl */
	int64_t		 pattern_id;
};

/*
 * Resolves Template / EnrollmentPatternId / CertificateAuthority of a request:
 * the pattern wins, a Template that differs from the pattern's is CE_INVAL;
 * a Template alone uses its default (lowest id) pattern; the CA must serve the
 * template; without a CA the first CA that serves it is used.  Errors name
 * the field.  On success the caller calls policy_clear().
 */
enum ce_err	policy_resolve(struct ce_txn *txn, const char *template,
		    int has_pattern, int64_t pattern_id, const char *ca,
		    struct policy *out, struct ce_error *err);
void		policy_clear(struct policy *p);

/* CE_INVAL listing what is allowed when spec is not. */
enum ce_err	policy_check_key(const struct policy *p, const struct key_spec *spec,
		    struct ce_error *err);
int		policy_requires_approval(const struct policy *p);
int		policy_validity_days(const struct policy *p);
/* Validates Metadata (may be NULL) against the pattern's fields and returns
 * a new object of string values (caller puts). */
enum ce_err	policy_metadata(const struct policy *p, json_object *in,
		    json_object **out, struct ce_error *err);
/* Same for AdditionalEnrollmentFields. */
enum ce_err	policy_additional_fields(const struct policy *p, json_object *in,
		    json_object **out, struct ce_error *err);
/* Adds keyUsage and extendedKeyUsage for the template and the key type. */
enum ce_err	policy_add_usage(const struct policy *p, const struct key_spec *spec,
		    X509 *cert, X509 *issuer, struct ce_error *err);

/* The template's EKUs as objects (caller frees with
 * sk_ASN1_OBJECT_pop_free(..., ASN1_OBJECT_free)); NULL when none. */
STACK_OF(ASN1_OBJECT) *policy_eku_objects(const struct policy *p);
/* Adds the template's extra extensions ("extensions": {"name": "value"} in
 * openssl's config syntax), replacing any of the same type. */
enum ce_err	policy_add_extensions(const struct policy *p, X509 *cert,
		    X509 *issuer, struct ce_error *err);

/* Admin: validates and stores a template record (and its default pattern). */
enum ce_err	template_add(struct ce_db *db, json_object *rec, int64_t *pattern_id,
		    struct ce_error *err);
/* Admin: replaces a template's "subject_regex", "names", "key_retention"
 * and/or "key_retention_days" with those of changes (see policy_admin.c). */
enum ce_err	template_set(struct ce_db *db, const char *name,
		    json_object *changes, struct ce_error *err);
/* Admin: validates and stores a pattern record; assigns its id. */
enum ce_err	pattern_add(struct ce_db *db, json_object *rec, int64_t *id,
		    struct ce_error *err);

/* The key of template name in its table: the name in lower case, into key;
 * 0 when name is NULL, empty or longer than TEMPLATE_KEY_MAX - 1 bytes
 * (no template has such a name). */
#define TEMPLATE_KEY_MAX	128
int		template_key(const char *name, char key[TEMPLATE_KEY_MAX]);

/*
 * A template as the API shows it (GET /Templates, TemplateId): its id is
 * its default enrollment pattern's (the lowest one of the template), as
 * stable as the template; the metadata and fields are that pattern's.
 * Strings point into records the view holds until template_view_clear.
 */
#define TEMPLATE_WORDS_MAX	32

struct template_view {
	int64_t		 id;
	const char	*name;
	int64_t		 days;
	int		 require_approval;
	enum key_retention key_retention;
	int		 key_retention_days;
	const char	*subject_regex;		/* NULL: none */
	const char	*keys[TEMPLATE_WORDS_MAX];	/* "RSA-2048", ... */
	const char	*key_usage[TEMPLATE_WORDS_MAX];	/* "digitalSignature" */
	const char	*eku[TEMPLATE_WORDS_MAX];	/* "serverAuth", OIDs */
	size_t		 nkeys, nku, neku;
	struct {
		const char	*name, *type;	/* policy_metadata's types */
		int		 required;
	}		 meta[TEMPLATE_WORDS_MAX];
	struct {
		const char	*name;
		int		 required;
	}		 fields[TEMPLATE_WORDS_MAX];
	size_t		 nmeta, nfields;
	json_object	*rec, *pattern;		/* owned */
};
typedef int	(*template_visit)(const struct template_view *t, void *arg);

/* Every template, in id order; cb returns non-zero to stop. */
enum ce_err	template_each(struct ce_txn *txn, template_visit cb, void *arg,
		    struct ce_error *err);
/* Template id into *out (template_view_clear it); CE_NOTFOUND ("Template
 * N was not found.").  name: the same by name (any case). */
enum ce_err	template_by_id(struct ce_txn *txn, int64_t id,
		    struct template_view *out, struct ce_error *err);
/* The id of template name (0: no such template, or NULL). */
int64_t		template_id(struct ce_txn *txn, const char *name);
void		template_view_clear(struct template_view *t);

/*
 * The metadata fields enrollment patterns define (GET /MetadataFields):
 * each name once, with its first definition in pattern id order, the
 * fields sorted by name (ASCII case aside).  Strings point into records the
 * view holds until metadata_view_clear.
 */
#define METADATA_FIELDS_MAX	256

struct metadata_field {
	const char	*name;
	const char	*type;			/* policy_metadata's types */
	int		 required;
	const char	*options[TEMPLATE_WORDS_MAX];	/* type "choice" */
	size_t		 noptions;
};

struct metadata_view {
	struct metadata_field	 f[METADATA_FIELDS_MAX];
	size_t			 n;
	json_object		*patterns;	/* owned */
};

enum ce_err	metadata_field_list(struct ce_txn *txn, struct metadata_view *out,
		    struct ce_error *err);
void		metadata_view_clear(struct metadata_view *v);

/* Every template / enrollment pattern record as stored (the admin
 * command's listing). */
enum ce_err	template_dump(struct ce_txn *txn, db_visit cb, void *arg,
		    struct ce_error *err);
enum ce_err	pattern_dump(struct ce_txn *txn, db_visit cb, void *arg,
		    struct ce_error *err);

#endif
