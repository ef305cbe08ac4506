/*
 * catalog.c - templates and CAs as Keyfactor's models have them (see
 * catalog.h; the fields: shared/api/MORE-ENDPOINTS.md section 6).  What
 * certenroll has no notion of (forests, tenants, scans, thresholds) is
 * there with its empty value, so typed clients decode every object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/objects.h>

#include "ca.h"
#include "catalog.h"
#include "certfacts.h"
#include "db.h"
#include "jbuild.h"
#include "keys.h"
#include "policy.h"

#define ENROLL_TYPES	3	/* PFX | CSR, AllowedEnrollmentTypes */

/* .NET's X509KeyUsageFlags, which KeyUsage holds. */
static const struct {
	const char	*word;
	int		 bit;
} usage_bits[] = {
	{ "encipherOnly", 1 }, { "cRLSign", 2 }, { "keyCertSign", 4 },
	{ "keyAgreement", 8 }, { "dataEncipherment", 16 },
	{ "keyEncipherment", 32 }, { "nonRepudiation", 64 },
	{ "digitalSignature", 128 }, { "decipherOnly", 32768 },
};

static int64_t
key_usage(const struct template_view *t)
{
	int64_t v = 0;
	size_t i, j;

	for (i = 0; i < t->nku; i++)
		for (j = 0; j < sizeof(usage_bits) / sizeof(usage_bits[0]); j++)
			if (strcmp(t->key_usage[i], usage_bits[j].word) == 0)
				v |= usage_bits[j].bit;
	return v;
}

/* [{Id, Oid, DisplayName}] of the template's EKUs. */
static json_object *
ekus(const struct template_view *t, int *bad)
{
	json_object *a = json_object_new_array();
	struct jb e;
	ASN1_OBJECT *o;
	char oid[128];
	size_t i;

	for (i = 0; a != NULL && i < t->neku; i++) {
		oid[0] = '\0';
		if ((o = OBJ_txt2obj(t->eku[i], 0)) != NULL)
			OBJ_obj2txt(oid, sizeof(oid), o, 1);
		jb_init(&e, json_object_new_object());
		jb_int(&e, "Id", (int64_t)i + 1);
		jb_str(&e, "Oid", oid[0] ? oid : t->eku[i]);
		jb_str(&e, "DisplayName", oid[0] ? certfacts_eku_name(o, oid) :
		    t->eku[i]);
		ASN1_OBJECT_free(o);
		jb_arr_add(a, e.bad ? NULL : e.o, bad);
		if (e.bad)
			json_object_put(e.o);
	}
	if (a == NULL)
		*bad = 1;
	return a;
}

/* The template's first key: KeyType, KeySize (strings, as the Go client
 * decodes them) and Curve (its OID, ECC only). */
static void
first_key(struct jb *b, const struct template_view *t, int detail)
{
	struct key_spec spec;
	struct ce_error err;
	char bits[16], oid[64] = "";

	if (t->nkeys == 0 || key_spec_parse_word(t->keys[0], &spec, &err) !=
	    CE_OK) {
		jb_str(b, "KeyType", "RSA");
		jb_str(b, "KeySize", "2048");
		if (detail)
			jb_null(b, "Curve");
		return;
	}
	snprintf(bits, sizeof(bits), "%d", spec.bits);
	jb_str(b, "KeyType", key_type_name(spec.type));
	jb_str(b, "KeySize", spec.bits > 0 ? bits : "0");
	if (detail) {
		if (spec.type == KEY_ECC && spec.nid != 0)
			OBJ_obj2txt(oid, sizeof(oid), OBJ_nid2obj(spec.nid), 1);
		jb_str(b, "Curve", jb_nonempty(oid));
	}
}

/* TemplatePolicy: the key sizes and curves the template allows. */
static json_object *
key_policy(const struct template_view *t)
{
	json_object *rsa = json_object_new_array(), *ecc = json_object_new_array();
	struct key_spec spec;
	struct ce_error err;
	struct jb p;
	char oid[64];
	size_t i;
	int bad = rsa == NULL || ecc == NULL;

	for (i = 0; !bad && i < t->nkeys; i++) {
		if (key_spec_parse_word(t->keys[i], &spec, &err) != CE_OK)
			continue;
		if (spec.type == KEY_RSA)
			jb_arr_add(rsa, json_object_new_int(spec.bits), &bad);
		else if (spec.type == KEY_ECC && spec.nid != 0 &&
		    OBJ_obj2txt(oid, sizeof(oid), OBJ_nid2obj(spec.nid), 1) > 0)
			jb_arr_add(ecc, json_object_new_string(oid), &bad);
	}
	jb_init(&p, json_object_new_object());
	jb_int(&p, "TemplateId", t->id);
	jb_add(&p, "RSAValidKeySizes", rsa);
	jb_add(&p, "ECCValidCurves", ecc);
	/* A CSR's key is not checked against earlier certificates'. */
	jb_bool(&p, "AllowKeyReuse", 1);
	jb_bool(&p, "AllowWildcards", 0);
	jb_bool(&p, "RFCEnforcement", 1);
	if (bad || p.bad) {
		json_object_put(p.o);
		return NULL;
	}
	return p.o;
}

/* The id GET /MetadataFields gives the field called name: its place in
 * the sorted list, from 1 (0: not there). */
static int64_t
metadata_id(const struct metadata_view *mv, const char *name)
{
	size_t i;

	for (i = 0; mv != NULL && i < mv->n; i++)
		if (strcasecmp(mv->f[i].name, name) == 0)
			return (int64_t)i + 1;
	return 0;
}

/* MetadataFields of the default pattern: Enrollment 1 required, 0 not. */
static json_object *
metadata_fields(const struct template_view *t, const struct metadata_view *mv,
    int *bad)
{
	json_object *a = json_object_new_array();
	struct jb m;
	size_t i;

	for (i = 0; a != NULL && i < t->nmeta; i++) {
		jb_init(&m, json_object_new_object());
		jb_int(&m, "Id", (int64_t)i + 1);
		jb_int(&m, "MetadataId", metadata_id(mv, t->meta[i].name));
		jb_str(&m, "Name", t->meta[i].name);
		jb_str(&m, "DefaultValue", "");
		jb_str(&m, "Validation", "");
		jb_int(&m, "Enrollment", t->meta[i].required ? 1 : 0);
		jb_str(&m, "Message", "");
		jb_arr_add(a, m.o, bad);
		*bad |= m.bad;
	}
	if (a == NULL)
		*bad = 1;
	return a;
}

/* EnrollmentFields: the pattern's additional fields (text). */
static json_object *
enrollment_fields(const struct template_view *t, int *bad)
{
	json_object *a = json_object_new_array();
	struct jb f;
	size_t i;

	for (i = 0; a != NULL && i < t->nfields; i++) {
		jb_init(&f, json_object_new_object());
		jb_int(&f, "Id", (int64_t)i + 1);
		jb_str(&f, "Name", t->fields[i].name);
		jb_add(&f, "Options", json_object_new_array());
		jb_int(&f, "DataType", 1);	/* string */
		jb_arr_add(a, f.o, bad);
		*bad |= f.bad;
	}
	if (a == NULL)
		*bad = 1;
	return a;
}

/* TemplateRegexes: the subject regex, as a rule on the whole subject. */
static json_object *
regexes(const struct template_view *t, int *bad)
{
	json_object *a = json_object_new_array();
	struct jb r;

	if (a != NULL && t->subject_regex != NULL) {
		jb_init(&r, json_object_new_object());
		jb_int(&r, "TemplateId", t->id);
		jb_str(&r, "SubjectPart", "Subject");
		jb_str(&r, "Regex", t->subject_regex);
		jb_str(&r, "Error", "The subject does not match the template's "
		    "subject regex.");
		jb_arr_add(a, r.o, bad);
		*bad |= r.bad;
	}
	if (a == NULL)
		*bad = 1;
	return a;
}

/* A template's object; detail (mv not NULL) adds what only /Templates/{id}
 * shows. */
static json_object *
template_json(const struct template_view *t, const struct metadata_view *mv)
{
	int detail = mv != NULL;
	struct jb b;
	int bad = 0;

	jb_init(&b, json_object_new_object());
	jb_int(&b, "Id", t->id);
	jb_str(&b, "CommonName", t->name);
	jb_str(&b, "TemplateName", t->name);
	jb_null(&b, "Oid");
	first_key(&b, t, detail);
	jb_str(&b, "ForestRoot", "");
	jb_str(&b, "ConfigurationTenant", "");
	jb_str(&b, "FriendlyName", t->name);
	jb_str(&b, "DisplayName", t->name);
	/* A string (the Go client's type): terraform calls Recover unless it
	 * is "None". */
	jb_str(&b, "KeyRetention", key_retention_name(t->key_retention));
	jb_int(&b, "KeyRetentionDays", t->key_retention_days);
	jb_bool(&b, "KeyArchival", 0);
	jb_add(&b, "EnrollmentFields", enrollment_fields(t, &bad));
	/* A bit set: 1 PFX, 2 CSR; every template takes both. */
	jb_int(&b, "AllowedEnrollmentTypes", ENROLL_TYPES);
	jb_add(&b, "TemplateRegexes", regexes(t, &bad));
	jb_bool(&b, "UseAllowedRequesters", 0);
	jb_add(&b, "AllowedRequesters", json_object_new_array());
	jb_bool(&b, "RequiresApproval", t->require_approval);
	jb_int(&b, "KeyUsage", key_usage(t));
	jb_add(&b, "ExtendedKeyUsages", ekus(t, &bad));
	jb_int(&b, "ValidityDays", t->days);
	if (detail) {
		jb_add(&b, "MetadataFields", metadata_fields(t, mv, &bad));
		jb_add(&b, "TemplateDefaults", json_object_new_array());
		jb_add(&b, "TemplatePolicy", key_policy(t));
		jb_bool(&b, "RFCEnforcement", 1);
	}
	if (bad || b.bad) {
		json_object_put(b.o);
		return NULL;
	}
	return b.o;
}

/* ---- the query languages ------------------------------------------------ */

enum tfield {
	TF_ID, TF_SHORTNAME, TF_DISPLAYNAME, TF_FRIENDLYNAME, TF_FORESTROOT,
	TF_TENANT, TF_ENROLLTYPE, TF_RETAINS, TF_ISDEFAULT, TF_APPROVAL,
	TF_KEYRETENTION, TF__MAX
};

static const struct query_field_def tfields[TF__MAX] = {
	[TF_ID]		 = { "Id", NULL, QT_NUMBER, 1 },
	[TF_SHORTNAME]	 = { "ShortName", "CommonName", QT_TEXT, 0 },
	[TF_DISPLAYNAME] = { "DisplayName", "TemplateName", QT_TEXT, 0 },
	[TF_FRIENDLYNAME] = { "FriendlyName", NULL, QT_TEXT, 0 },
	[TF_FORESTROOT]	 = { "ForestRoot", NULL, QT_TEXT, 0 },
	[TF_TENANT]	 = { "ConfigurationTenant", NULL, QT_TEXT, 0 },
	[TF_ENROLLTYPE]	 = { "AllowedEnrollmentType", "AllowedEnrollmentTypes",
	    QT_NUMBER, 0 },
	[TF_RETAINS]	 = { "HasPrivateKeyRetention", NULL, QT_BOOL, 0 },
	[TF_ISDEFAULT]	 = { "IsDefaultTemplate", NULL, QT_BOOL, 0 },
	[TF_APPROVAL]	 = { "RequiresApproval", NULL, QT_BOOL, 0 },
	[TF_KEYRETENTION] = { "KeyRetention", NULL, QT_TEXT, 0 },
};
const struct query_vocab catalog_template_fields = { tfields, TF__MAX, -1 };

static int
template_term(const struct query_term *qt, void *arg)
{
	const struct template_view *t = arg;
	switch ((enum tfield)qt->field) {
	case TF_ID:
		return query_number_matches(qt, t->id, 1);
	case TF_SHORTNAME:
	case TF_DISPLAYNAME:
	case TF_FRIENDLYNAME:
		return query_text_matches(qt, t->name);
	case TF_FORESTROOT:
	case TF_TENANT:
		return query_text_matches(qt, "");
	case TF_ENROLLTYPE:
		/* -eq N: allows each type N names (all do); -ne N: not so */
		if (qt->op == QO_EQ || qt->op == QO_NE)
			return (qt->num != 0 && (qt->num & ~ENROLL_TYPES) ==
			    0) == (qt->op == QO_EQ);
		return query_number_matches(qt, ENROLL_TYPES, 1);
	case TF_RETAINS:
		return query_number_matches(qt, t->key_retention != KR_NONE, 1);
	case TF_ISDEFAULT:
		return query_number_matches(qt, 0, 1);
	case TF_APPROVAL:
		return query_number_matches(qt, t->require_approval, 1);
	case TF_KEYRETENTION:
		return query_text_matches(qt, key_retention_name(t->key_retention));
	default:
		return 0;
	}
}

enum cafield { CF_ID, CF_LOGICALNAME, CF_HOSTNAME, CF_FORESTROOT, CF_TENANT,
	CF__MAX };

static const struct query_field_def cfields[CF__MAX] = {
	[CF_ID]		 = { "Id", NULL, QT_NUMBER, 1 },
	[CF_LOGICALNAME] = { "LogicalName", NULL, QT_TEXT, 0 },
	[CF_HOSTNAME]	 = { "HostName", NULL, QT_TEXT, 0 },
	[CF_FORESTROOT]	 = { "ForestRoot", NULL, QT_TEXT, 0 },
	[CF_TENANT]	 = { "ConfigurationTenant", NULL, QT_TEXT, 0 },
};
const struct query_vocab catalog_ca_fields = { cfields, CF__MAX, -1 };

/* A CA as its queries see it: "host\\Logical" split. */
struct ca_names {
	int64_t		 id;
	char		 host[256];
	const char	*logical;
};

static void
ca_names(int64_t id, const char *name, struct ca_names *n)
{
	const char *bs = strchr(name, '\\');

	n->id = id;
	snprintf(n->host, sizeof(n->host), "%.*s", bs != NULL ?
	    (int)(bs - name) : 0, name);
	n->logical = bs != NULL ? bs + 1 : name;
}

static int
ca_term(const struct query_term *qt, void *arg)
{
	const struct ca_names *n = arg;

	switch ((enum cafield)qt->field) {
	case CF_ID:
		return query_number_matches(qt, n->id, 1);
	case CF_LOGICALNAME:
		return query_text_matches(qt, n->logical);
	case CF_HOSTNAME:
		return query_text_matches(qt, n->host);
	case CF_FORESTROOT:
	case CF_TENANT:
		return query_text_matches(qt, "");
	default:
		return 0;
	}
}

/* ---- the lists ---------------------------------------------------------- */

struct paging_list {
	const struct query	*q;	/* NULL: all */
	json_object		*arr;
	int64_t			 skip, limit;
	int			 bad;
};

static int
template_cb(const struct template_view *t, void *arg)
{
	struct paging_list *l = arg;

	if (l->q != NULL && !query_eval(l->q, template_term, (void *)t))
		return 0;
	if (l->skip > 0) {
		l->skip--;
		return 0;
	}
	jb_arr_add(l->arr, template_json(t, NULL), &l->bad);
	return l->bad || (int64_t)json_object_array_length(l->arr) >= l->limit;
}

/* Runs fill in a read transaction into a new array; *out it. */
static enum ce_err
page(struct ce_db *db, const struct query *q, const struct paging *pg,
    json_object **out, enum ce_err (*fill)(struct ce_txn *,
    struct paging_list *, struct ce_error *), struct ce_error *err)
{
	struct paging_list l = { q, json_object_new_array(), query_offset(pg),
	    pg->limit, 0 };
	struct ce_txn *txn = NULL;
	enum ce_err rc;

	*out = NULL;
	if (l.arr == NULL)
		return ce_fault(err, CE_NOMEM, "json array");
	if ((rc = db_begin(db, 0, &txn, err)) == CE_OK) {
		rc = fill(txn, &l, err);
		db_abort(txn);
	}
	if (rc == CE_OK && l.bad)
		rc = ce_fault(err, CE_NOMEM, "json array");
	if (rc == CE_OK)
		*out = l.arr;
	else
		json_object_put(l.arr);
	return rc;
}

static enum ce_err
fill_templates(struct ce_txn *txn, struct paging_list *l, struct ce_error *err)
{
	return template_each(txn, template_cb, l, err);
}

enum ce_err
catalog_templates(struct ce_db *db, const struct query *q,
    const struct paging *pg, json_object **out, struct ce_error *err)
{
	return page(db, q, pg, out, fill_templates, err);
}

enum ce_err
catalog_template(struct ce_db *db, int64_t id, json_object **out,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct template_view t;
	struct metadata_view *mv;
	enum ce_err rc;

	*out = NULL;
	if ((mv = calloc(1, sizeof(*mv))) == NULL)
		return ce_fault(err, CE_NOMEM, "metadata fields");
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK) {
		free(mv);
		return rc;
	}
	if ((rc = template_by_id(txn, id, &t, err)) == CE_OK &&
	    (rc = metadata_field_list(txn, mv, err)) != CE_OK)
		template_view_clear(&t);
	db_abort(txn);
	if (rc == CE_OK) {
		if ((*out = template_json(&t, mv)) == NULL)
			rc = ce_fault(err, CE_NOMEM, "template");
		template_view_clear(&t);
		metadata_view_clear(mv);
	}
	free(mv);
	return rc;
}

/* A CA's object: its names, and every setting Keyfactor's model has. */
static json_object *
ca_json(const struct ca_names *n)
{
	struct jb b, pw;

	jb_init(&pw, json_object_new_object());
	jb_null(&pw, "SecretValue");
	jb_add(&pw, "Parameters", json_object_new_object());
	jb_null(&pw, "Provider");
	jb_init(&b, json_object_new_object());
	jb_int(&b, "Id", n->id);
	jb_str(&b, "LogicalName", n->logical);
	jb_str(&b, "HostName", n->host);
	jb_bool(&b, "Delegate", 0);
	jb_bool(&b, "DelegateEnrollment", 0);
	jb_str(&b, "ForestRoot", "");
	jb_str(&b, "ConfigurationTenant", "");
	jb_bool(&b, "Remote", 0);
	jb_null(&b, "Agent");
	jb_bool(&b, "Standalone", 1);
	jb_bool(&b, "MonitorThresholds", 0);
	jb_int(&b, "IssuanceMax", 0);
	jb_int(&b, "IssuanceMin", 0);
	jb_int(&b, "DenialMax", 0);
	jb_int(&b, "FailureMax", 0);
	jb_bool(&b, "RFCEnforcement", 1);
	jb_str(&b, "Properties", "{}");	/* a JSON text, as Keyfactor's */
	jb_int(&b, "AllowedEnrollmentTypes", ENROLL_TYPES);
	jb_int(&b, "KeyRetention", 0);
	jb_int(&b, "KeyRetentionDays", 0);
	jb_bool(&b, "ExplicitCredentials", 0);
	jb_bool(&b, "SubscriberTerms", 0);
	jb_str(&b, "ExplicitUser", "");
	jb_take(&b, "ExplicitPassword", &pw);
	jb_bool(&b, "UseAllowedRequesters", 0);
	jb_add(&b, "AllowedRequesters", json_object_new_array());
	jb_null(&b, "FullScan");
	jb_null(&b, "IncrementalScan");
	jb_null(&b, "ThresholdCheck");
	jb_int(&b, "CAType", 0);
	jb_null(&b, "AuthCertificate");
	jb_bool(&b, "EnforceUniqueDN", 0);
	jb_null(&b, "LastScan");
	if (b.bad) {
		json_object_put(b.o);
		return NULL;
	}
	return b.o;
}

static void
ca_cb(int64_t id, const char *name, void *arg)
{
	struct paging_list *l = arg;
	struct ca_names n;

	ca_names(id, name, &n);
	if (l->q != NULL && !query_eval(l->q, ca_term, &n))
		return;
	if (l->skip > 0) {
		l->skip--;
		return;
	}
	if ((int64_t)json_object_array_length(l->arr) < l->limit)
		jb_arr_add(l->arr, ca_json(&n), &l->bad);
}

static enum ce_err
fill_cas(struct ce_txn *txn, struct paging_list *l, struct ce_error *err)
{
	return ca_list(txn, ca_cb, l, err);
}

enum ce_err
catalog_cas(struct ce_db *db, const struct query *q, const struct paging *pg,
    json_object **out, struct ce_error *err)
{
	return page(db, q, pg, out, fill_cas, err);
}

/* ---- metadata fields ------------------------------------------------------ */

enum mfield { MF_ID, MF_NAME, MF_DATATYPE, MF__MAX };

static const struct query_field_def mfields[MF__MAX] = {
	[MF_ID]		= { "Id", NULL, QT_NUMBER, 1 },
	[MF_NAME]	= { "Name", NULL, QT_TEXT, 0 },
	[MF_DATATYPE]	= { "DataType", NULL, QT_NUMBER, 0 },
};
const struct query_vocab catalog_metadata_fields_vocab = { mfields, MF__MAX,
	-1 };

/* Keyfactor's DataType of policy_metadata's types: 1 String, 2 Integer,
 * 3 Date, 4 Boolean, 5 Multiple Choice, 7 Email. */
static int64_t
data_type(const char *type)
{
	static const struct { const char *type; int64_t n; } t[] = {
		{ "int", 2 }, { "date", 3 }, { "bool", 4 }, { "choice", 5 },
		{ "email", 7 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(type, t[i].type) == 0)
			return t[i].n;
	return 1;
}

struct mf_row {
	int64_t				 id;
	const struct metadata_field	*f;
};

static int
metadata_term(const struct query_term *qt, void *arg)
{
	const struct mf_row *r = arg;

	switch ((enum mfield)qt->field) {
	case MF_ID:
		return query_number_matches(qt, r->id, 1);
	case MF_NAME:
		return query_text_matches(qt, r->f->name);
	case MF_DATATYPE:
		return query_number_matches(qt, data_type(r->f->type), 1);
	default:
		return 0;
	}
}

static json_object *
metadata_json(const struct mf_row *r)
{
	char options[1024];
	size_t i, used = 0;
	struct jb b;

	options[0] = '\0';
	for (i = 0; i < r->f->noptions && used < sizeof(options); i++)
		used += (size_t)snprintf(options + used, sizeof(options) - used,
		    "%s%s", i ? "," : "", r->f->options[i]);
	jb_init(&b, json_object_new_object());
	jb_int(&b, "Id", r->id);
	jb_str(&b, "Name", r->f->name);
	jb_str(&b, "Description", r->f->name);
	jb_int(&b, "DataType", data_type(r->f->type));
	jb_str(&b, "Hint", "");
	jb_str(&b, "Validation", "");
	/* 0 optional, 1 required: as the first pattern defining it says */
	jb_int(&b, "Enrollment", r->f->required ? 1 : 0);
	jb_str(&b, "Message", "");
	jb_str(&b, "Options", options);
	jb_str(&b, "DefaultValue", "");
	jb_bool(&b, "AllowAPI", 1);
	jb_bool(&b, "ExplicitUpdate", 0);
	jb_int(&b, "DisplayOrder", r->id);
	if (b.bad) {
		json_object_put(b.o);
		return NULL;
	}
	return b.o;
}

enum ce_err
catalog_metadata_fields(struct ce_db *db, const struct query *q,
    const struct paging *pg, json_object **out, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct metadata_view *mv;
	json_object *arr;
	struct mf_row r;
	int64_t skip = query_offset(pg);
	enum ce_err rc;
	size_t i;
	int bad = 0;

	*out = NULL;
	if ((mv = calloc(1, sizeof(*mv))) == NULL)
		return ce_fault(err, CE_NOMEM, "metadata fields");
	if ((rc = db_begin(db, 0, &txn, err)) == CE_OK) {
		rc = metadata_field_list(txn, mv, err);
		db_abort(txn);
	}
	if (rc != CE_OK) {
		free(mv);
		return rc;
	}
	arr = json_object_new_array();
	for (i = 0; arr != NULL && !bad && i < mv->n &&
	    (int64_t)json_object_array_length(arr) < pg->limit; i++) {
		r = (struct mf_row){ (int64_t)i + 1, &mv->f[i] };
		if (q != NULL && !query_eval(q, metadata_term, &r))
			continue;
		if (skip > 0) {
			skip--;
			continue;
		}
		jb_arr_add(arr, metadata_json(&r), &bad);
	}
	metadata_view_clear(mv);
	free(mv);
	if (arr == NULL || bad) {
		json_object_put(arr);
		return ce_fault(err, CE_NOMEM, "metadata fields");
	}
	*out = arr;
	return CE_OK;
}
