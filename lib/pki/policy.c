/* policy.c - what templates and enrollment patterns allow (see policy.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509v3.h>

#include "ca.h"
#include "fields.h"
#include "jbuild.h"
#include "pemutil.h"
#include "policy.h"
#include "db.h"
#include "timeutil.h"

void
policy_clear(struct policy *p)
{
	if (p == NULL)
		return;
	json_object_put(p->tmpl);
	json_object_put(p->pattern);
	ca_free(p->ca);
	memset(p, 0, sizeof(*p));
}

static json_object *
get(json_object *rec, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(rec, key, &v);
	return v;
}

int
template_key(const char *name, char key[TEMPLATE_KEY_MAX])
{
	size_t i;

	if (name == NULL || *name == '\0' || strlen(name) >= TEMPLATE_KEY_MAX)
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		key[i] = (char)tolower((unsigned char)name[i]);
	key[i] = '\0';
	return 1;
}

struct default_pattern {
	const char	*template;
	json_object	*found;
};

/* The first (lowest id) pattern of a template is its default. */
static int
default_pattern_cb(const char *key, json_object *rec, void *arg)
{
	struct default_pattern *dp = arg;
	const char *t = jrec_str(rec, "template");

	(void)key;
	if (t != NULL && strcasecmp(t, dp->template) == 0) {
		dp->found = json_object_get(rec);
		return 1;
	}
	return 0;
}

/* Loads pattern and template records into p. */
static enum ce_err
load_pattern(struct ce_txn *txn, const char *template, int has_pattern,
    int64_t pattern_id, struct policy *p, struct ce_error *err)
{
	struct default_pattern dp = { template, NULL };
	char key[DB_IDKEY_MAX], lname[TEMPLATE_KEY_MAX];
	const char *ptemplate;
	enum ce_err rc;

	if (has_pattern) {
		if (pattern_id <= 0 || (rc = db_get(txn, T_PATTERNS,
		    db_idkey((uint64_t)pattern_id, key), &p->pattern, err)) ==
		    CE_NOTFOUND)
			return ce_fail(err, CE_INVAL, "EnrollmentPatternId: %lld is "
			    "not a known enrollment pattern.", (long long)pattern_id);
		if (rc != CE_OK)
			return rc;
	} else if (template == NULL) {
		return ce_fail(err, CE_INVAL, "Template: either Template or "
		    "EnrollmentPatternId is required.");
	} else {
		if ((rc = db_foreach(txn, T_PATTERNS, default_pattern_cb, &dp,
		    err)) != CE_OK)
			return rc;
		if ((p->pattern = dp.found) == NULL)
			return ce_fail(err, CE_INVAL, "Template: '%s' is not a known "
			    "template with an enrollment pattern.", template);
	}
	ptemplate = jrec_str(p->pattern, "template");
	if (ptemplate == NULL)
		return ce_fault(err, CE_DB, "pattern without template");
	if (template != NULL && strcasecmp(template, ptemplate) != 0)
		return ce_fail(err, CE_INVAL, "Template: '%s' does not match the "
		    "template '%s' of enrollment pattern %lld.", template, ptemplate,
		    (long long)json_object_get_int64(get(p->pattern, "id")));
	if (!template_key(ptemplate, lname) ||
	    (rc = db_get(txn, T_TEMPLATES, lname, &p->tmpl, err)) == CE_NOTFOUND)
		return ce_fail(err, CE_INVAL, "Template: '%s' is not a known "
		    "template.", ptemplate);
	if (rc != CE_OK)
		return rc;
	p->template_name = jrec_str(p->tmpl, "name");
	p->pattern_id = json_object_get_int64(get(p->pattern, "id"));
	return CE_OK;
}

/* Whether the template lists the CA (or lists none: any CA serves it). */
static int
serves(json_object *tmpl, const char *caname)
{
	json_object *cas = get(tmpl, "cas");
	size_t i, n = json_arr_len(cas);

	if (!json_object_is_type(cas, json_type_array) || n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (strcasecmp(json_object_get_string(
		    json_object_array_get_idx(cas, i)), caname) == 0)
			return 1;
	return 0;
}

struct pick_ca {
	json_object	*tmpl;
	json_object	*found;
};

static int
pick_ca_cb(const char *key, json_object *rec, void *arg)
{
	struct pick_ca *pc = arg;

	if (serves(pc->tmpl, key)) {
		pc->found = json_object_get(rec);
		return 1;
	}
	return 0;
}

enum ce_err
policy_resolve(struct ce_txn *txn, const char *template, int has_pattern,
    int64_t pattern_id, const char *ca, struct policy *p, struct ce_error *err)
{
	struct pick_ca pc;
	enum ce_err rc;

	memset(p, 0, sizeof(*p));
	if ((rc = load_pattern(txn, template, has_pattern, pattern_id, p,
	    err)) != CE_OK)
		goto fail;
	if (ca != NULL) {
		if ((rc = ca_find(txn, ca, &p->ca, err)) != CE_OK)
			goto fail;
		if (!serves(p->tmpl, p->ca->name)) {
			rc = ce_fail(err, CE_INVAL, "CertificateAuthority: '%s' does "
			    "not issue template '%s'.", ca, p->template_name);
			goto fail;
		}
		return CE_OK;
	}
	pc.tmpl = p->tmpl;
	pc.found = NULL;
	if ((rc = db_foreach(txn, T_CAS, pick_ca_cb, &pc, err)) != CE_OK)
		goto fail;
	if (pc.found == NULL) {
		rc = ce_fail(err, CE_INVAL, "CertificateAuthority: no certificate "
		    "authority issues template '%s'.", p->template_name);
		goto fail;
	}
	rc = ca_from_record(pc.found, &p->ca, err);
	json_object_put(pc.found);
	if (rc == CE_OK)
		return CE_OK;
fail:
	policy_clear(p);
	return rc;
}

/* The allowed key words: the pattern's override or the template's. */
static json_object *
allowed_keys(const struct policy *p)
{
	json_object *k = get(p->pattern, "keys");

	if (json_object_is_type(k, json_type_array))
		return k;
	return get(p->tmpl, "keys");
}

enum ce_err
policy_check_key(const struct policy *p, const struct key_spec *spec,
    struct ce_error *err)
{
	json_object *keys = allowed_keys(p);
	struct key_spec allowed;
	char want[32], list[CE_ERRMSG_MAX / 2] = "";
	size_t i, n = json_arr_len(keys);

	key_spec_word(spec, want, sizeof(want));
	for (i = 0; i < n; i++) {
		const char *w = json_object_get_string(json_object_array_get_idx(keys, i));

		if (key_spec_parse_word(w, &allowed, NULL) == CE_OK &&
		    allowed.type == spec->type && allowed.bits == spec->bits &&
		    allowed.nid == spec->nid)
			return CE_OK;
		if (strlen(list) + strlen(w) + 3 < sizeof(list)) {
			if (i > 0)
				strcat(list, ", ");
			strcat(list, w);
		}
	}
	return ce_fail(err, CE_INVAL, "KeyType: %s is not allowed by template "
	    "'%s'; allowed: %s.", want, p->template_name, n ? list : "none");
}

int
policy_requires_approval(const struct policy *p)
{
	return json_object_get_boolean(get(p->pattern, "require_approval")) ||
	    json_object_get_boolean(get(p->tmpl, "require_approval"));
}

int
policy_validity_days(const struct policy *p)
{
	int d = json_object_get_int(get(p->tmpl, "days"));

	return d > 0 ? d : 365;
}

/* Checks one metadata value against its field's type. */
static enum ce_err
check_value(json_object *field, const char *name, const char *text,
    struct ce_error *err)
{
	const char *type = jrec_str(field, "type");
	json_object *opts;
	time_t t;
	size_t i;
	char *end;

	if (type == NULL || strcmp(type, "string") == 0)
		return CE_OK;
	if (strcmp(type, "int") == 0) {
		strtoll(text, &end, 10);
		if (*text == '\0' || *end != '\0')
			return ce_fail(err, CE_INVAL, "Metadata.%s: '%s' is not an "
			    "integer.", name, text);
	} else if (strcmp(type, "bool") == 0) {
		if (strcasecmp(text, "true") && strcasecmp(text, "false"))
			return ce_fail(err, CE_INVAL, "Metadata.%s: '%s' is not "
			    "true or false.", name, text);
	} else if (strcmp(type, "date") == 0) {
		return time_parse(text, name, &t, err);
	} else if (strcmp(type, "email") == 0) {
		if (strchr(text, '@') == NULL || strchr(text, '@') == text ||
		    strchr(strchr(text, '@') + 1, '.') == NULL)
			return ce_fail(err, CE_INVAL, "Metadata.%s: '%s' is not an "
			    "email address.", name, text);
	} else if (strcmp(type, "choice") == 0) {
		opts = get(field, "options");
		for (i = 0; i < json_arr_len(opts); i++)
			if (strcmp(json_object_get_string(
			    json_object_array_get_idx(opts, i)), text) == 0)
				return CE_OK;
		return ce_fail(err, CE_INVAL, "Metadata.%s: '%s' is not one of "
		    "the allowed values.", name, text);
	}
	return CE_OK;
}

/* Finds a field definition by name (case-insensitive). */
static json_object *
find_field(json_object *defs, const char *name)
{
	size_t i;

	for (i = 0; i < json_arr_len(defs); i++) {
		json_object *f = json_object_array_get_idx(defs, i);
		const char *n = jrec_str(f, "name");

		if (n != NULL && strcasecmp(n, name) == 0)
			return f;
	}
	return NULL;
}

/* Shared by Metadata and AdditionalEnrollmentFields: every given key must be
 * defined, every required one given; values become strings. */
static enum ce_err
check_fields(json_object *defs, const char *what, int typed, json_object *in,
    json_object **out, struct ce_error *err)
{
	json_object *res, *f;
	enum ce_err rc;
	size_t i;
	char *text;

	*out = NULL;
	if ((res = json_object_new_object()) == NULL)
		return ce_fault(err, CE_NOMEM, "json");
	if (in != NULL) {
		json_object_object_foreach(in, key, val) {
			if (val == NULL)
				continue;
			if ((f = find_field(defs, key)) == NULL) {
				json_object_put(res);
				return ce_fail(err, CE_INVAL, "%s.%s: is not a defined "
				    "field of this enrollment pattern.", what, key);
			}
			if ((text = field_scalar_text(val)) == NULL) {
				json_object_put(res);
				return ce_fault(err, CE_NOMEM, "strdup");
			}
			rc = typed ? check_value(f, jrec_str(f, "name"), text, err) : CE_OK;
			if (rc == CE_OK)
				json_object_object_add(res, jrec_str(f, "name"),
				    json_object_new_string(text));
			free(text);
			if (rc != CE_OK) {
				json_object_put(res);
				return rc;
			}
		}
	}
	for (i = 0; i < json_arr_len(defs); i++) {
		f = json_object_array_get_idx(defs, i);
		if (json_object_get_boolean(get(f, "required")) &&
		    !json_object_object_get_ex(res, jrec_str(f, "name"), NULL)) {
			json_object_put(res);
			return ce_fail(err, CE_INVAL, "%s.%s: is required.", what,
			    jrec_str(f, "name"));
		}
	}
	*out = res;
	return CE_OK;
}

enum ce_err
policy_metadata(const struct policy *p, json_object *in, json_object **out,
    struct ce_error *err)
{
	return check_fields(get(p->pattern, "metadata"), "Metadata", 1, in, out,
	    err);
}

enum ce_err
policy_additional_fields(const struct policy *p, json_object *in,
    json_object **out, struct ce_error *err)
{
	return check_fields(get(p->pattern, "additional_fields"),
	    "AdditionalEnrollmentFields", 0, in, out, err);
}

/* Joins a string array into buf with ','; skips words wrong for the key. */
static void
join_usage(json_object *arr, const struct key_spec *spec, char *buf, size_t n)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < json_arr_len(arr); i++) {
		const char *w = json_object_get_string(json_object_array_get_idx(arr, i));

		/* Encipherment needs RSA; key agreement needs ECDH. */
		if (spec != NULL && spec->type != KEY_RSA &&
		    (!strcmp(w, "keyEncipherment") || !strcmp(w, "dataEncipherment")))
			continue;
		if (spec != NULL && spec->type != KEY_ECC && !strcmp(w, "keyAgreement"))
			continue;
		if (strlen(buf) + strlen(w) + 2 >= n)
			break;
		if (buf[0] != '\0')
			strcat(buf, ",");
		strcat(buf, w);
	}
}

enum ce_err
policy_add_usage(const struct policy *p, const struct key_spec *spec, X509 *cert,
    X509 *issuer, struct ce_error *err)
{
	char ku[512], eku[1024], val[1100];
	enum ce_err rc;

	join_usage(get(p->tmpl, "key_usage"), spec, ku, sizeof(ku));
	if (ku[0] == '\0')
		snprintf(ku, sizeof(ku), "digitalSignature%s",
		    spec->type == KEY_RSA ? ",keyEncipherment" : "");
	snprintf(val, sizeof(val), "critical,%s", ku);
	if ((rc = x509_add_ext(cert, issuer, NID_key_usage, val, err)) != CE_OK)
		return rc;
	join_usage(get(p->tmpl, "eku"), NULL, eku, sizeof(eku));
	if (eku[0] == '\0')
		return CE_OK;
	return x509_add_ext(cert, issuer, NID_ext_key_usage, eku, err);
}

STACK_OF(ASN1_OBJECT) *
policy_eku_objects(const struct policy *p)
{
	STACK_OF(ASN1_OBJECT) *st;
	json_object *arr = get(p->tmpl, "eku");
	ASN1_OBJECT *o;
	size_t i;

	if (json_arr_len(arr) == 0 ||
	    (st = sk_ASN1_OBJECT_new_null()) == NULL)
		return NULL;
	for (i = 0; i < json_arr_len(arr); i++) {
		o = OBJ_txt2obj(json_object_get_string(json_object_array_get_idx(arr,
		    i)), 0);
		if (o == NULL || !sk_ASN1_OBJECT_push(st, o)) {
			ASN1_OBJECT_free(o);
			sk_ASN1_OBJECT_pop_free(st, ASN1_OBJECT_free);
			return NULL;
		}
	}
	return st;
}

enum ce_err
policy_add_extensions(const struct policy *p, X509 *cert, X509 *issuer,
    struct ce_error *err)
{
	json_object *ext = get(p->tmpl, "extensions");
	enum ce_err rc;
	int nid, pos;

	if (!json_object_is_type(ext, json_type_object))
		return CE_OK;
	json_object_object_foreach(ext, name, val) {
		if ((nid = OBJ_txt2nid(name)) == NID_undef)
			return ce_fault(err, CE_DB, "template extension %s", name);
		/* The template's profile wins over the defaults. */
		while ((pos = X509_get_ext_by_NID(cert, nid, -1)) >= 0)
			X509_EXTENSION_free(X509_delete_ext(cert, pos));
		if ((rc = x509_add_ext(cert, issuer, nid, json_object_get_string(val),
		    err)) != CE_OK)
			return rc;
	}
	return CE_OK;
}
