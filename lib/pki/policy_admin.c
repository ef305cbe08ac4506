/* policy_admin.c - adding templates and enrollment patterns (admin tool). */
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>

#include "jbuild.h"
#include "keys.h"
#include "names.h"
#include "pemutil.h"
#include "policy.h"
#include "db.h"

static const char *key_usages[] = { "digitalSignature", "nonRepudiation",
    "keyEncipherment", "dataEncipherment", "keyAgreement", NULL };
static const char *eku_names[] = { "serverAuth", "clientAuth", "codeSigning",
    "emailProtection", "timeStamping", "OCSPSigning", "ipsecIKE",
    "msSmartcardLogin", NULL };
static const char *meta_types[] = { "string", "int", "bool", "date", "email",
    "choice", NULL };

static int
in_list(const char *w, const char **list)
{
	for (; *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

static int
is_oid(const char *w)
{
	ASN1_OBJECT *o = oid_parse_strict(w);
	int ok = o != NULL;

	ASN1_OBJECT_free(o);
	return ok;
}

/* Each element of rec[key] (if present) must be a string passing check. */
static enum ce_err
check_words(json_object *rec, const char *key,
    int (*check)(const char *, const void *), const void *arg,
    struct ce_error *err)
{
	json_object *arr;
	size_t i;

	if (!json_object_object_get_ex(rec, key, &arr) || arr == NULL)
		return CE_OK;
	if (!json_object_is_type(arr, json_type_array))
		return ce_fail(err, CE_INVAL, "%s: expected a list", key);
	for (i = 0; i < json_arr_len(arr); i++) {
		json_object *w = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(w, json_type_string) ||
		    !check(json_object_get_string(w), arg))
			return ce_fail(err, CE_INVAL, "%s: '%s' is not valid", key,
			    json_object_get_string(w));
	}
	return CE_OK;
}

static int
check_key_word(const char *w, const void *arg)
{
	struct key_spec s;

	(void)arg;
	return key_spec_parse_word(w, &s, NULL) == CE_OK;
}

static int
check_ku(const char *w, const void *arg)
{
	(void)arg;
	return in_list(w, key_usages);
}

static int
check_eku(const char *w, const void *arg)
{
	(void)arg;
	return in_list(w, eku_names) || is_oid(w);
}

static int
check_ca(const char *w, const void *txn)
{
	json_object *rec = NULL;
	int ok = db_get((struct ce_txn *)txn, T_CAS, w, &rec, NULL) == CE_OK;

	json_object_put(rec);
	return ok;
}

/* Stores a pattern record under a new id, in txn. */
static enum ce_err
put_pattern(struct ce_txn *txn, json_object *rec, int64_t *id,
    struct ce_error *err)
{
	char key[DB_IDKEY_MAX];
	uint64_t n;
	enum ce_err rc;

	if ((rc = db_next_id(txn, "pattern", &n, err)) != CE_OK)
		return rc;
	json_object_object_add(rec, "id", json_object_new_int64((int64_t)n));
	if (id != NULL)
		*id = (int64_t)n;
	return db_put(txn, T_PATTERNS, db_idkey(n, key), rec, err);
}

/* Profile extensions: known names, values in openssl's syntax (checked when
 * used: a bad value fails issuance with a logged fault). */
static enum ce_err
check_extensions(json_object *rec, struct ce_error *err)
{
	json_object *ext;

	if (!json_object_object_get_ex(rec, "extensions", &ext) || ext == NULL)
		return CE_OK;
	if (!json_object_is_type(ext, json_type_object))
		return ce_fail(err, CE_INVAL, "extensions: expected name=value pairs");
	json_object_object_foreach(ext, name, val) {
		if (OBJ_txt2nid(name) == NID_undef || !json_object_is_type(val,
		    json_type_string))
			return ce_fail(err, CE_INVAL, "extension '%s' is not known",
			    name);
	}
	return CE_OK;
}

/* An admin write on the template table: the record and its name. */
struct tmpl_write {
	json_object	*rec;
	const char	*name;		/* as given */
	const char	*lname;		/* the key: lower case */
	int64_t		*id;		/* template_add: its default pattern */
	json_object	*changes;	/* template_set */
};

static enum ce_err
template_add_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct tmpl_write *t = arg;
	json_object *pat = NULL, *old = NULL;
	char pname[160];
	enum ce_err rc;

	if ((rc = check_words(t->rec, "cas", check_ca, txn, err)) != CE_OK)
		return rc;
	if (db_get(txn, T_TEMPLATES, t->lname, &old, NULL) == CE_OK) {
		json_object_put(old);
		return ce_fail(err, CE_CONFLICT, "template '%s' already exists",
		    t->name);
	}
	snprintf(pname, sizeof(pname), "%s default", t->name);
	if ((pat = json_object_new_object()) == NULL)
		return ce_fault(err, CE_NOMEM, "json");
	json_object_object_add(pat, "name", json_object_new_string(pname));
	json_object_object_add(pat, "template", json_object_new_string(t->name));
	json_object_object_add(pat, "metadata", json_object_new_array());
	json_object_object_add(pat, "additional_fields", json_object_new_array());
	rc = put_pattern(txn, pat, t->id, err);
	json_object_put(pat);
	/* The template's id is its default pattern's (policy.h). */
	if (rc == CE_OK && json_object_object_add(t->rec, "id",
	    json_object_new_int64(*t->id)) != 0)
		rc = ce_fault(err, CE_NOMEM, "json");
	if (rc == CE_OK)
		rc = db_put(txn, T_TEMPLATES, t->lname, t->rec, err);
	return rc;
}

/* A subject regex that compiles (NULL: none). */
static enum ce_err
check_regex(const char *re, struct ce_error *err)
{
	regex_t rx;

	if (re == NULL)
		return CE_OK;
	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return ce_fail(err, CE_INVAL, "subject regex: '%.200s' does not "
		    "compile", re);
	regfree(&rx);
	return CE_OK;
}

/* "key_retention" a known word and "key_retention_days" a number of days
 * where the word needs one (none elsewhere); the word is stored as the
 * record's. */
static enum ce_err
check_retention(json_object *rec, struct ce_error *err)
{
	json_object *w = json_object_object_get(rec, "key_retention");
	json_object *d = json_object_object_get(rec, "key_retention_days");
	int r = KR_NONE;
	int64_t days = 0;

	if (w != NULL && (!json_object_is_type(w, json_type_string) ||
	    (r = key_retention_parse(json_object_get_string(w))) < 0))
		return ce_fail(err, CE_INVAL, "key retention: '%.40s' is none of "
		    "none, indefinite, after-expiration, from-issuance",
		    json_object_get_string(w));
	if (d != NULL && (!json_object_is_type(d, json_type_int) ||
	    (days = json_object_get_int64(d)) < 0 ||
	    days > KEY_RETENTION_DAYS_MAX))
		return ce_fail(err, CE_INVAL, "key retention days: '%.40s' is not "
		    "0 to %d", json_object_get_string(d), KEY_RETENTION_DAYS_MAX);
	if ((r == KR_AFTER_EXPIRATION || r == KR_FROM_ISSUANCE) && days == 0)
		return ce_fail(err, CE_INVAL, "key retention %s needs a number of "
		    "days (key retention days 1 to %d)", key_retention_word(r),
		    KEY_RETENTION_DAYS_MAX);
	if ((r == KR_NONE || r == KR_INDEFINITE) && days != 0)
		return ce_fail(err, CE_INVAL, "key retention days: only "
		    "after-expiration and from-issuance take a number of days");
	if (w != NULL && json_object_object_add(rec, "key_retention",
	    json_object_new_string(key_retention_word(r))) != 0)
		return ce_fault(err, CE_NOMEM, "json");
	return CE_OK;
}

/* The key of a template name into lname (template_key); CE_INVAL for
 * none or one too long. */
static enum ce_err
template_name_key(const char *name, char lname[TEMPLATE_KEY_MAX],
    struct ce_error *err)
{
	if (!template_key(name, lname))
		return ce_fail(err, CE_INVAL, "template name: required (1-127 chars)");
	return CE_OK;
}

enum ce_err
template_add(struct ce_db *db, json_object *rec, int64_t *pattern_id,
    struct ce_error *err)
{
	const char *name = jrec_str(rec, "name");
	const char *re = jrec_str(rec, "subject_regex");
	struct tmpl_write t;
	char lname[TEMPLATE_KEY_MAX];
	enum ce_err rc;

	if ((rc = template_name_key(name, lname, err)) != CE_OK)
		return rc;
	if ((rc = check_regex(re, err)) != CE_OK ||
	    (rc = check_words(rec, "keys", check_key_word, NULL, err)) != CE_OK ||
	    (rc = names_rules_validate(json_object_object_get(rec, "names"),
	    err)) != CE_OK ||
	    (rc = check_words(rec, "key_usage", check_ku, NULL, err)) != CE_OK ||
	    (rc = check_words(rec, "eku", check_eku, NULL, err)) != CE_OK ||
	    (rc = check_extensions(rec, err)) != CE_OK ||
	    (rc = check_retention(rec, err)) != CE_OK)
		return rc;
	t = (struct tmpl_write){ rec, name, lname, pattern_id, NULL };
	return db_write(db, template_add_fn, &t, err);
}

/* Metadata definitions: name, known type, options for choice. */
static enum ce_err
check_metadata_defs(json_object *rec, const char *key, struct ce_error *err)
{
	json_object *defs, *f;
	const char *type;
	size_t i;

	if (!json_object_object_get_ex(rec, key, &defs) || defs == NULL)
		return CE_OK;
	if (!json_object_is_type(defs, json_type_array))
		return ce_fail(err, CE_INVAL, "%s: expected a list", key);
	for (i = 0; i < json_arr_len(defs); i++) {
		f = json_object_array_get_idx(defs, i);
		if (jrec_str(f, "name") == NULL || *jrec_str(f, "name") == '\0')
			return ce_fail(err, CE_INVAL, "%s: a field without a name", key);
		type = jrec_str(f, "type");
		if (type != NULL && !in_list(type, meta_types))
			return ce_fail(err, CE_INVAL, "%s.%s: unknown type '%s' "
			    "(string, int, bool, date, email, choice)", key,
			    jrec_str(f, "name"), type);
	}
	return CE_OK;
}

static enum ce_err
pattern_add_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct tmpl_write *t = arg;
	json_object *tmpl = NULL, *rec = NULL;
	enum ce_err rc;

	if ((rc = db_get(txn, T_TEMPLATES, t->lname, &tmpl, err)) != CE_OK) {
		if (rc == CE_NOTFOUND)
			rc = ce_fail(err, CE_INVAL, "template '%s' does not exist",
			    t->name);
		return rc;
	}
	/* A copy gets the id and the template's own spelling: the caller's
	 * record is this write's input, read again if it runs again. */
	if (json_object_deep_copy(t->rec, &rec, NULL) != 0) {
		json_object_put(tmpl);
		return ce_fault(err, CE_NOMEM, "json_object_deep_copy");
	}
	json_object_object_add(rec, "template",
	    json_object_new_string(jrec_str(tmpl, "name")));
	json_object_put(tmpl);
	rc = put_pattern(txn, rec, t->id, err);
	json_object_put(rec);
	return rc;
}

enum ce_err
pattern_add(struct ce_db *db, json_object *rec, int64_t *id,
    struct ce_error *err)
{
	const char *name = jrec_str(rec, "template");
	struct tmpl_write t;
	char lname[TEMPLATE_KEY_MAX];
	enum ce_err rc;

	if (name == NULL || strlen(name) >= sizeof(lname))
		return ce_fail(err, CE_INVAL, "pattern: a template is required");
	if ((rc = template_name_key(name, lname, err)) != CE_OK ||
	    (rc = check_words(rec, "keys", check_key_word, NULL, err)) != CE_OK ||
	    (rc = names_rules_validate(json_object_object_get(rec, "names"),
	    err)) != CE_OK ||
	    (rc = check_metadata_defs(rec, "metadata", err)) != CE_OK ||
	    (rc = check_metadata_defs(rec, "additional_fields", err)) != CE_OK)
		return rc;
	t = (struct tmpl_write){ rec, name, lname, id, NULL };
	return db_write(db, pattern_add_fn, &t, err);
}

/*
 * Changes an existing template: changes holds "subject_regex" (a string; ""
 * removes it), "names" (an object replacing the template's whole "names"),
 * "key_retention" and "key_retention_days" (checked together with what the
 * template already has).  Requests already pending are held to the new
 * name policy when approved; a new retention applies to certificates
 * issued from then on.  CE_INVAL, CE_NOTFOUND or CE_DB.
 */
static enum ce_err
template_set_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct tmpl_write *t = arg;
	json_object *rec = NULL, *v;
	const char *re = jrec_str(t->changes, "subject_regex");
	enum ce_err rc;

	if ((rc = db_get(txn, T_TEMPLATES, t->lname, &rec, err)) != CE_OK) {
		if (rc == CE_NOTFOUND)
			rc = ce_fail(err, CE_NOTFOUND, "template '%s' does not exist",
			    t->name);
		return rc;
	}
	if (re != NULL && *re == '\0')
		json_object_object_del(rec, "subject_regex");
	else if (re != NULL)
		json_object_object_add(rec, "subject_regex",
		    json_object_new_string(re));
	if ((v = json_object_object_get(t->changes, "names")) != NULL)
		json_object_object_add(rec, "names", json_object_get(v));
	if ((v = json_object_object_get(t->changes, "key_retention")) != NULL) {
		json_object_object_add(rec, "key_retention", json_object_get(v));
		json_object_object_del(rec, "key_retention_days");
	}
	if ((v = json_object_object_get(t->changes, "key_retention_days")) != NULL)
		json_object_object_add(rec, "key_retention_days",
		    json_object_get(v));
	if ((rc = check_retention(rec, err)) == CE_OK)
		rc = db_put(txn, T_TEMPLATES, t->lname, rec, err);
	json_object_put(rec);
	return rc;
}

enum ce_err
template_set(struct ce_db *db, const char *name, json_object *changes,
    struct ce_error *err)
{
	const char *re = jrec_str(changes, "subject_regex");
	struct tmpl_write t;
	char lname[TEMPLATE_KEY_MAX];
	enum ce_err rc;

	if ((rc = template_name_key(name, lname, err)) != CE_OK)
		return rc;
	if ((re != NULL && *re != '\0' && (rc = check_regex(re, err)) != CE_OK) ||
	    (rc = names_rules_validate(json_object_object_get(changes, "names"),
	    err)) != CE_OK)
		return rc;
	t = (struct tmpl_write){ NULL, name, lname, NULL, changes };
	return db_write(db, template_set_fn, &t, err);
}

enum ce_err
template_dump(struct ce_txn *txn, db_visit cb, void *arg, struct ce_error *err)
{
	return db_foreach(txn, T_TEMPLATES, cb, arg, err);
}

enum ce_err
pattern_dump(struct ce_txn *txn, db_visit cb, void *arg, struct ce_error *err)
{
	return db_foreach(txn, T_PATTERNS, cb, arg, err);
}
