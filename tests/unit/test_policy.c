/*
 * test_policy.c - policy: templates and enrollment patterns as the admin
 * command adds them, and what they allow.  Resolving Template / pattern /
 * CA (the pattern wins, names without case, the CA must serve the
 * template), keys, approval and validity, Metadata and additional fields
 * by type, the usages and extensions put into a certificate, and what
 * template_add, pattern_add and template_set refuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "ca.h"
#include "kit.h"
#include "pemutil.h"
#include "policy.h"

#define ROOT	"host\\RootCA"
#define OTHER	"host\\OtherCA"

#define WEB	"{\"name\":\"WebServer\",\"keys\":[\"RSA-2048\",\"ECC-P-256\"]," \
		"\"days\":90,\"key_usage\":[\"digitalSignature\"," \
		"\"keyEncipherment\"],\"eku\":[\"serverAuth\"],\"cas\":[]}"
#define RESTR	"{\"name\":\"Restricted\",\"keys\":[\"ECC-P-256\"],\"days\":0," \
		"\"require_approval\":true,\"cas\":[\"" "host\\\\OtherCA" "\"]}"
#define META	"{\"template\":\"webserver\",\"name\":\"Web with metadata\"," \
		"\"keys\":[\"ECC-P-384\"],\"require_approval\":true," \
		"\"metadata\":[{\"name\":\"Owner\",\"type\":\"email\"," \
		"\"required\":true},{\"name\":\"Tier\",\"type\":\"choice\"," \
		"\"options\":[\"gold\",\"silver\"]},{\"name\":\"Count\"," \
		"\"type\":\"int\"},{\"name\":\"Flag\",\"type\":\"bool\"}," \
		"{\"name\":\"Due\",\"type\":\"date\"},{\"name\":\"Note\"}]," \
		"\"additional_fields\":[{\"name\":\"Ticket\",\"required\":true}," \
		"{\"name\":\"Free\"}]}"

struct ids {
	int64_t	web, restr, meta;	/* pattern ids */
};

/* Two CAs, WebServer (any CA) with a second pattern, Restricted (OTHER
 * only, approval). */
static struct ids
world(struct kit *k)
{
	struct ids ids;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_ca(k, OTHER, "ECC-P-256", 3650, NULL);
	ids.web = kit_template(k, WEB);
	ids.restr = kit_template(k, RESTR);
	ids.meta = kit_pattern(k, META);
	return ids;
}

/* policy_resolve in a read transaction of its own. */
static enum ce_err
resolve(struct kit *k, const char *tmpl, int has_pattern, int64_t pattern,
    const char *ca, struct policy *p, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	enum ce_err rc;

	if ((rc = db_begin(k->db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = policy_resolve(txn, tmpl, has_pattern, pattern, ca, p, err);
	db_abort(txn);
	return rc;
}

static void
test_resolve(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct policy p;
	struct ids ids;

	/* a template and no CA yet */
	kit_template(k, "{\"name\":\"Lonely\"}");
	EFAIL(resolve(k, "Lonely", 0, 0, NULL, &p, &err), CE_INVAL,
	    "CertificateAuthority: no certificate authority issues template "
	    "'Lonely'.");
	CHECK(p.tmpl == NULL && p.pattern == NULL && p.ca == NULL);
	ids = world(k);
	CHECK(ids.restr > ids.web && ids.meta > ids.restr);

	/* a template: its default pattern, a CA that serves it */
	E(resolve(k, "webSERVER", 0, 0, NULL, &p, &err));
	CHECK(strcmp(p.template_name, "WebServer") == 0 && p.pattern_id == ids.web);
	CHECK(p.ca != NULL && (strcmp(p.ca->name, ROOT) == 0 ||
	    strcmp(p.ca->name, OTHER) == 0));
	policy_clear(&p);
	/* the pattern wins, and names its template */
	E(resolve(k, NULL, 1, ids.meta, ROOT, &p, &err));
	CHECK(strcmp(p.template_name, "WebServer") == 0 &&
	    p.pattern_id == ids.meta && strcmp(p.ca->name, ROOT) == 0);
	policy_clear(&p);
	E(resolve(k, "WebServer", 1, ids.meta, NULL, &p, &err));
	policy_clear(&p);
	EFAIL(resolve(k, "Restricted", 1, ids.meta, NULL, &p, &err), CE_INVAL,
	    "Template: 'Restricted' does not match the template 'WebServer' of "
	    "enrollment pattern");
	CHECK(p.tmpl == NULL && p.pattern == NULL);
	/* the CA by its full or logical name, any case, escaped or not */
	E(resolve(k, "WebServer", 0, 0, "rootca", &p, &err));
	CHECK(strcmp(p.ca->name, ROOT) == 0);
	policy_clear(&p);
	E(resolve(k, "WebServer", 0, 0, "HOST\\\\ROOTCA", &p, &err));
	CHECK(strcmp(p.ca->name, ROOT) == 0);
	policy_clear(&p);
	/* a template that names its CAs */
	E(resolve(k, "Restricted", 0, 0, NULL, &p, &err));
	CHECK(strcmp(p.ca->name, OTHER) == 0);
	policy_clear(&p);
	EFAIL(resolve(k, "Restricted", 0, 0, ROOT, &p, &err), CE_INVAL,
	    "CertificateAuthority: 'host\\RootCA' does not issue template "
	    "'Restricted'.");
	CHECK(p.ca == NULL);
	EFAIL(resolve(k, "WebServer", 0, 0, "host\\NoSuchCA", &p, &err), CE_INVAL,
	    "CertificateAuthority: 'host\\NoSuchCA' is not a known certificate "
	    "authority.");
	EFAIL(resolve(k, "WebServer", 0, 0, "host", &p, &err), CE_INVAL,
	    "'host' is not a known");

	EFAIL(resolve(k, NULL, 0, 0, NULL, &p, &err), CE_INVAL,
	    "Template: either Template or EnrollmentPatternId is required.");
	EFAIL(resolve(k, "Nope", 0, 0, NULL, &p, &err), CE_INVAL,
	    "Template: 'Nope' is not a known template with an enrollment pattern.");
	EFAIL(resolve(k, NULL, 1, 99, NULL, &p, &err), CE_INVAL,
	    "EnrollmentPatternId: 99 is not a known enrollment pattern.");
	EFAIL(resolve(k, "WebServer", 1, 0, NULL, &p, &err), CE_INVAL,
	    "EnrollmentPatternId: 0 is not");
	EFAIL(resolve(k, NULL, 1, -1, NULL, &p, &err), CE_INVAL,
	    "EnrollmentPatternId: -1 is not");
}

static void
test_keys(void **state)
{
	static const struct {
		int		 meta;		/* the pattern with its own keys */
		const char	*word;
		const char	*says;		/* NULL: allowed */
	} cases[] = {
		{ 0, "RSA-2048", NULL }, { 0, "ECC-P-256", NULL },
		{ 0, "RSA-3072", "KeyType: RSA-3072 is not allowed by template "
		  "'WebServer'; allowed: RSA-2048, ECC-P-256." },
		{ 0, "ECC-P-384", "KeyType: ECC-P-384 is not allowed" },
		{ 0, "Ed25519", "Ed25519 is not allowed" },
		{ 1, "ECC-P-384", NULL },
		{ 1, "ECC-P-256", "allowed: ECC-P-384." },
		{ 1, "RSA-2048", "allowed: ECC-P-384." },
	};
	struct kit *k = *state;
	struct ce_error err;
	struct key_spec spec;
	struct policy p;
	struct ids ids = world(k);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kit_policy(k, "WebServer", cases[i].meta ? ids.meta : 0, NULL, &p);
		E(key_spec_parse_word(cases[i].word, &spec, &err));
		if (cases[i].says == NULL)
			E(policy_check_key(&p, &spec, &err));
		else
			EFAIL(policy_check_key(&p, &spec, &err), CE_INVAL,
			    cases[i].says);
		policy_clear(&p);
	}
	/* a template that lists no key allows none */
	kit_template(k, "{\"name\":\"NoKeys\",\"keys\":[]}");
	kit_policy(k, "NoKeys", 0, NULL, &p);
	E(key_spec_parse_word("ECC-P-256", &spec, &err));
	EFAIL(policy_check_key(&p, &spec, &err), CE_INVAL, "allowed: none.");
	policy_clear(&p);
}

static void
test_approval_days(void **state)
{
	struct kit *k = *state;
	struct policy p;
	struct ids ids = world(k);

	kit_policy(k, "WebServer", 0, NULL, &p);
	CHECK(!policy_requires_approval(&p) && policy_validity_days(&p) == 90);
	policy_clear(&p);
	/* the pattern asks for approval, its template does not */
	kit_policy(k, "WebServer", ids.meta, NULL, &p);
	CHECK(policy_requires_approval(&p) && policy_validity_days(&p) == 90);
	policy_clear(&p);
	/* days 0, absent or negative: a year */
	kit_policy(k, "Restricted", 0, NULL, &p);
	CHECK(policy_requires_approval(&p) && policy_validity_days(&p) == 365);
	policy_clear(&p);
	kit_template(k, "{\"name\":\"Plain\"}");
	kit_template(k, "{\"name\":\"Negative\",\"days\":-5}");
	kit_policy(k, "Plain", 0, NULL, &p);
	CHECK(!policy_requires_approval(&p) && policy_validity_days(&p) == 365);
	policy_clear(&p);
	kit_policy(k, "Negative", 0, NULL, &p);
	CHECK(policy_validity_days(&p) == 365);
	policy_clear(&p);
}

/* Metadata given (JSON), and what comes out (JSON) or the refusal. */
static const struct {
	const char	*in, *out, *says;
} metadata[] = {
	{ "{\"owner\":\"a@b.example\"}", "{\"Owner\":\"a@b.example\"}", NULL },
	{ "{\"OWNER\":\"a@b.example\",\"tier\":\"gold\",\"Count\":5,"
	  "\"flag\":\"TRUE\",\"Due\":\"2026-01-01\",\"note\":\"x y\"}",
	  "{\"Owner\":\"a@b.example\",\"Tier\":\"gold\",\"Count\":\"5\","
	  "\"Flag\":\"TRUE\",\"Due\":\"2026-01-01\",\"Note\":\"x y\"}", NULL },
	{ "{\"Owner\":\"a@b.example\",\"Count\":\"-12\",\"Flag\":false,"
	  "\"Tier\":null,\"Note\":7}",
	  "{\"Owner\":\"a@b.example\",\"Count\":\"-12\",\"Flag\":\"false\","
	  "\"Note\":\"7\"}", NULL },
	{ "{}", NULL, "Metadata.Owner: is required." },
	{ "{\"Owner\":null}", NULL, "Metadata.Owner: is required." },
	{ "{\"Owner\":\"nobody\"}", NULL,
	  "Metadata.Owner: 'nobody' is not an email address." },
	{ "{\"Owner\":\"@b.example\"}", NULL, "not an email address" },
	{ "{\"Owner\":\"a@example\"}", NULL, "not an email address" },
	{ "{\"Owner\":\"a@b.example\",\"Tier\":\"bronze\"}", NULL,
	  "Metadata.Tier: 'bronze' is not one of the allowed values." },
	{ "{\"Owner\":\"a@b.example\",\"Tier\":\"Gold\"}", NULL,
	  "'Gold' is not one of" },
	{ "{\"Owner\":\"a@b.example\",\"Count\":\"5x\"}", NULL,
	  "Metadata.Count: '5x' is not an integer." },
	{ "{\"Owner\":\"a@b.example\",\"Count\":\"\"}", NULL,
	  "Metadata.Count: '' is not an integer." },
	{ "{\"Owner\":\"a@b.example\",\"Count\":1.5}", NULL,
	  "'1.5' is not an integer" },
	{ "{\"Owner\":\"a@b.example\",\"Flag\":\"yes\"}", NULL,
	  "Metadata.Flag: 'yes' is not true or false." },
	{ "{\"Owner\":\"a@b.example\",\"Flag\":1}", NULL, "not true or false" },
	{ "{\"Owner\":\"a@b.example\",\"Due\":\"tomorrow\"}", NULL, "Due" },
	{ "{\"Owner\":\"a@b.example\",\"Cost\":\"5\"}", NULL,
	  "Metadata.Cost: is not a defined field of this enrollment pattern." },
};

static void
test_metadata(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct policy p;
	struct ids ids = world(k);
	json_object *in, *out, *want;
	enum ce_err rc;
	size_t i;

	kit_policy(k, NULL, ids.meta, NULL, &p);
	for (i = 0; i < sizeof(metadata) / sizeof(metadata[0]); i++) {
		in = kit_json(metadata[i].in);
		out = NULL;
		ce_error_clear(&err);
		rc = policy_metadata(&p, in, &out, &err);
		if (metadata[i].says == NULL) {
			if (rc != CE_OK)
				fail_msg("%s: %s", metadata[i].in, err.msg);
			want = kit_json(metadata[i].out);
			if (!json_object_equal(out, want))
				fail_msg("%s: gave %s", metadata[i].in,
				    json_object_to_json_string(out));
			json_object_put(want);
		} else if (rc != CE_INVAL || out != NULL ||
		    strstr(err.msg, metadata[i].says) == NULL)
			fail_msg("%s: got '%s', wanted '%s'", metadata[i].in,
			    err.msg, metadata[i].says);
		json_object_put(out);
		json_object_put(in);
	}
	/* no Metadata at all: the required field is missing */
	EFAIL(policy_metadata(&p, NULL, &out, &err), CE_INVAL,
	    "Metadata.Owner: is required.");
	policy_clear(&p);
	/* a pattern without fields takes none */
	kit_policy(k, "WebServer", 0, NULL, &p);
	in = kit_json("{\"Owner\":\"a@b.example\"}");
	EFAIL(policy_metadata(&p, in, &out, &err), CE_INVAL,
	    "Metadata.Owner: is not a defined field");
	json_object_put(in);
	E(policy_metadata(&p, NULL, &out, &err));
	CHECK(json_object_object_length(out) == 0);
	json_object_put(out);
	policy_clear(&p);
}

static void
test_additional_fields(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct policy p;
	struct ids ids = world(k);
	json_object *in, *out = NULL, *want;

	kit_policy(k, NULL, ids.meta, NULL, &p);
	/* untyped: any scalar, as text */
	in = kit_json("{\"ticket\":12345,\"FREE\":true}");
	E(policy_additional_fields(&p, in, &out, &err));
	want = kit_json("{\"Ticket\":\"12345\",\"Free\":\"true\"}");
	CHECK(json_object_equal(out, want));
	json_object_put(want);
	json_object_put(out);
	json_object_put(in);
	in = kit_json("{\"Free\":\"x\"}");
	EFAIL(policy_additional_fields(&p, in, &out, &err), CE_INVAL,
	    "AdditionalEnrollmentFields.Ticket: is required.");
	json_object_put(in);
	in = kit_json("{\"Ticket\":\"1\",\"Owner\":\"a@b.example\"}");
	EFAIL(policy_additional_fields(&p, in, &out, &err), CE_INVAL,
	    "AdditionalEnrollmentFields.Owner: is not a defined field");
	json_object_put(in);
	CHECK(out == NULL);
	policy_clear(&p);
}

/* A certificate with a key of word, for the usage checks. */
static X509 *
cert_for(const char *word, struct key_spec *spec)
{
	struct ce_error err;
	EVP_PKEY *key = NULL;
	X509 *x;

	E(key_spec_parse_word(word, spec, &err));
	E(key_generate(spec, &key, &err));
	CHECK((x = X509_new()) != NULL && X509_set_pubkey(x, key) == 1);
	EVP_PKEY_free(key);
	return x;
}

/* Whether x's extendedKeyUsage is serverAuth alone. */
static int
eku_server_only(X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	int ok;

	CHECK((eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL)) != NULL);
	ok = sk_ASN1_OBJECT_num(eku) == 1 &&
	    OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)) == NID_server_auth;
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

static void
test_usage(void **state)
{
	static const struct {
		const char	*name, *tmpl, *key;
		uint32_t	 ku;
		int		 has_eku;
	} cases[] = {
		{ "WebServer", WEB, "ECC-P-256", KU_DIGITAL_SIGNATURE, 1 },
		{ "WebServer", NULL, "Ed25519", KU_DIGITAL_SIGNATURE, 1 },
		/* encipherment needs RSA, key agreement EC */
		{ "T1", "{\"name\":\"T1\",\"key_usage\":[\"digitalSignature\","
		  "\"keyAgreement\",\"dataEncipherment\"],\"eku\":[]}",
		  "ECC-P-256", KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT, 0 },
		/* nothing left: digitalSignature */
		{ "T2", "{\"name\":\"T2\",\"key_usage\":[\"keyAgreement\"]}",
		  "Ed25519", KU_DIGITAL_SIGNATURE, 0 },
		{ "T3", "{\"name\":\"T3\",\"key_usage\":[\"nonRepudiation\"]}",
		  "ECC-P-384", KU_NON_REPUDIATION, 0 },
		{ "T4", "{\"name\":\"T4\"}", "ECC-P-256", KU_DIGITAL_SIGNATURE, 0 },
	};
	struct kit *k = *state;
	struct ce_error err;
	struct key_spec spec;
	struct policy p;
	X509_EXTENSION *ext;
	X509 *x;
	size_t i;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].tmpl != NULL)
			kit_template(k, cases[i].tmpl);
		kit_policy(k, cases[i].name, 0, NULL, &p);
		x = cert_for(cases[i].key, &spec);
		E(policy_add_usage(&p, &spec, x, p.ca->cert, &err));
		if (kit_key_usage(x) != cases[i].ku)
			fail_msg("case %zu: key usage %x, wanted %x", i,
			    kit_key_usage(x), cases[i].ku);
		CHECK((ext = X509_get_ext(x, X509_get_ext_by_NID(x,
		    NID_key_usage, -1))) != NULL &&
		    X509_EXTENSION_get_critical(ext) == 1);
		CHECK((X509_get_ext_by_NID(x, NID_ext_key_usage, -1) >= 0) ==
		    cases[i].has_eku);
		if (cases[i].has_eku)
			CHECK(eku_server_only(x));
		X509_free(x);
		policy_clear(&p);
	}
}

static void
test_extensions(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct key_spec spec;
	struct policy p;
	STACK_OF(ASN1_OBJECT) *eku;
	X509_EXTENSION *ext;
	X509 *x;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, "{\"name\":\"Ext\",\"eku\":[\"serverAuth\","
	    "\"1.3.6.1.5.5.7.3.2\"],\"extensions\":{\"basicConstraints\":"
	    "\"critical,CA:FALSE,pathlen:0\",\"nsComment\":\"made here\"}}");
	kit_policy(k, "Ext", 0, NULL, &p);
	x = cert_for("ECC-P-256", &spec);
	E(x509_add_ext(x, p.ca->cert, NID_basic_constraints, "CA:FALSE", &err));
	E(policy_add_extensions(&p, x, p.ca->cert, &err));
	/* the template's replaces the profile's: one basicConstraints */
	CHECK(X509_get_ext_count(x) == 2);
	CHECK((ext = X509_get_ext(x, X509_get_ext_by_NID(x,
	    NID_basic_constraints, -1))) != NULL &&
	    X509_EXTENSION_get_critical(ext) == 1);
	CHECK(X509_get_ext_by_NID(x, NID_basic_constraints,
	    X509_get_ext_by_NID(x, NID_basic_constraints, -1)) < 0);
	CHECK(X509_get_ext_by_NID(x, NID_netscape_comment, -1) >= 0);
	X509_free(x);
	CHECK((eku = policy_eku_objects(&p)) != NULL &&
	    sk_ASN1_OBJECT_num(eku) == 2 &&
	    OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)) == NID_server_auth &&
	    OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 1)) == NID_client_auth);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	policy_clear(&p);
	kit_template(k, "{\"name\":\"NoEku\",\"eku\":[]}");
	kit_policy(k, "NoEku", 0, NULL, &p);
	CHECK(policy_eku_objects(&p) == NULL);
	policy_clear(&p);
}

/* Template records the admin command sends, and template_add's answer. */
static const struct {
	const char	*rec, *says;
} bad_templates[] = {
	{ "{}", "template name: required (1-127 chars)" },
	{ "{\"name\":\"\"}", "template name: required" },
	{ "{\"name\":5}", "template name: required" },
	{ "{\"name\":\"T\",\"subject_regex\":\"([a-z\"}",
	  "subject regex: '([a-z' does not compile" },
	{ "{\"name\":\"T\",\"keys\":[\"RSA-1000\"]}", "keys: 'RSA-1000' is not "
	  "valid" },
	{ "{\"name\":\"T\",\"keys\":[\"ECC-P-256\",5]}", "keys: '5' is not valid" },
	{ "{\"name\":\"T\",\"keys\":\"RSA-2048\"}", "keys: expected a list" },
	/* no CA usage, no misspelt one */
	{ "{\"name\":\"T\",\"key_usage\":[\"keyCertSign\"]}",
	  "key_usage: 'keyCertSign' is not valid" },
	{ "{\"name\":\"T\",\"key_usage\":[\"cRLSign\"]}", "'cRLSign'" },
	{ "{\"name\":\"T\",\"key_usage\":[\"digitalsignature\"]}",
	  "'digitalsignature'" },
	{ "{\"name\":\"T\",\"eku\":[\"serverauth\"]}", "eku: 'serverauth' is "
	  "not valid" },
	{ "{\"name\":\"T\",\"eku\":[\"1.3.6.1.5.5.7.3.01\"]}",
	  "eku: '1.3.6.1.5.5.7.3.01' is not valid" },
	{ "{\"name\":\"T\",\"cas\":[\"host\\\\NoSuchCA\"]}",
	  "cas: 'host\\NoSuchCA' is not valid" },
	{ "{\"name\":\"T\",\"extensions\":{\"noSuchExtension\":\"x\"}}",
	  "extension 'noSuchExtension' is not known" },
	{ "{\"name\":\"T\",\"extensions\":{\"nsComment\":5}}",
	  "extension 'nsComment' is not known" },
	{ "{\"name\":\"T\",\"extensions\":[\"nsComment\"]}",
	  "extensions: expected name=value pairs" },
	{ "{\"name\":\"T\",\"names\":{\"san_types\":[\"x400\"]}}", "x400" },
	{ "{\"name\":\"webserver\"}", "template 'webserver' already exists" },
	{ "{\"name\":\"WEBSERVER\",\"keys\":[\"ECC-P-256\"]}",
	  "template 'WEBSERVER' already exists" },
};

static void
test_template_add(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec, *pat = NULL;
	char key[DB_IDKEY_MAX], name[200];
	int64_t id;
	size_t i;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	id = kit_template(k, WEB);
	/* stored under its lower-case name, with a default pattern */
	E(db_begin(k->db, 0, &txn, &err));
	E(db_get(txn, T_TEMPLATES, "webserver", &rec, &err));
	json_object_put(rec);
	E(db_get(txn, T_PATTERNS, db_idkey((uint64_t)id, key), &pat, &err));
	db_abort(txn);
	rec = kit_json("{\"name\":\"WebServer default\",\"template\":"
	    "\"WebServer\",\"metadata\":[],\"additional_fields\":[],\"id\":1}");
	CHECK(json_object_equal(pat, rec));
	json_object_put(rec);
	json_object_put(pat);

	for (i = 0; i < sizeof(bad_templates) / sizeof(bad_templates[0]); i++) {
		rec = kit_json(bad_templates[i].rec);
		ce_error_clear(&err);
		if (template_add(k->db, rec, &id, &err) == CE_OK ||
		    strstr(err.msg, bad_templates[i].says) == NULL)
			fail_msg("%s: got '%s', wanted '%s'", bad_templates[i].rec,
			    err.msg, bad_templates[i].says);
		json_object_put(rec);
	}
	/* nothing of the refused ones was kept */
	CHECK(kit_count(k, T_TEMPLATES) == 1 && kit_count(k, T_PATTERNS) == 1);
	/* 127 characters fit, 128 do not */
	memset(name, 'n', sizeof(name));
	rec = json_object_new_object();
	json_object_object_add(rec, "name", json_object_new_string_len(name, 127));
	E(template_add(k->db, rec, &id, &err));
	json_object_object_add(rec, "name", json_object_new_string_len(name, 128));
	EFAIL(template_add(k->db, rec, &id, &err), CE_INVAL, "1-127 chars");
	json_object_put(rec);
}

static void
test_pattern_add(void **state)
{
	static const struct {
		const char	*rec, *says;
	} bad[] = {
		{ "{}", "pattern: a template is required" },
		{ "{\"template\":\"Nope\"}", "template 'Nope' does not exist" },
		{ "{\"template\":\"WebServer\",\"keys\":[\"DSA-1024\"]}",
		  "keys: 'DSA-1024' is not valid" },
		{ "{\"template\":\"WebServer\",\"metadata\":[{\"name\":\"Owner\","
		  "\"type\":\"float\"}]}", "metadata.Owner: unknown type 'float'" },
		{ "{\"template\":\"WebServer\",\"metadata\":[{\"type\":\"int\"}]}",
		  "metadata: a field without a name" },
		{ "{\"template\":\"WebServer\",\"additional_fields\":[{\"name\":"
		  "\"\"}]}", "additional_fields: a field without a name" },
		{ "{\"template\":\"WebServer\",\"metadata\":{}}",
		  "metadata: expected a list" },
		{ "{\"template\":\"WebServer\",\"names\":{\"dns_suffixes\":"
		  "[\"*.example.com\"]}}", "*.example.com" },
	};
	struct kit *k = *state;
	struct ce_error err;
	struct policy p;
	json_object *rec;
	int64_t web, id;
	size_t i;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	web = kit_template(k, WEB);
	id = kit_pattern(k, "{\"template\":\"WEBSERVER\",\"name\":\"Mine\"}");
	CHECK(id > web);
	/* the template's own spelling is stored */
	kit_policy(k, NULL, id, NULL, &p);
	CHECK(strcmp(json_object_get_string(json_object_object_get(p.pattern,
	    "template")), "WebServer") == 0);
	policy_clear(&p);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rec = kit_json(bad[i].rec);
		EFAIL(pattern_add(k->db, rec, &id, &err), CE_INVAL, bad[i].says);
		json_object_put(rec);
	}
	/* the default is still the lowest id */
	kit_policy(k, "WebServer", 0, NULL, &p);
	CHECK(p.pattern_id == web);
	policy_clear(&p);
}

static void
test_set_names(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct policy p;
	json_object *ch;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	ch = kit_json("{\"subject_regex\":\"^[a-z]+$\",\"names\":{"
	    "\"dns_suffixes\":[\"example.com\"]}}");
	E(template_set(k->db, "webserver", ch, &err));
	json_object_put(ch);
	kit_policy(k, "WebServer", 0, NULL, &p);
	CHECK(strcmp(json_object_get_string(json_object_object_get(p.tmpl,
	    "subject_regex")), "^[a-z]+$") == 0);
	CHECK(json_object_object_get(p.tmpl, "names") != NULL);
	/* the rest of the template stays */
	CHECK(policy_validity_days(&p) == 90);
	policy_clear(&p);
	/* "" removes the regex; no names keeps them */
	ch = kit_json("{\"subject_regex\":\"\"}");
	E(template_set(k->db, "WebServer", ch, &err));
	json_object_put(ch);
	kit_policy(k, "WebServer", 0, NULL, &p);
	CHECK(json_object_object_get(p.tmpl, "subject_regex") == NULL);
	CHECK(json_object_object_get(p.tmpl, "names") != NULL);
	policy_clear(&p);

	ch = kit_json("{\"subject_regex\":\"(\"}");
	EFAIL(template_set(k->db, "WebServer", ch, &err), CE_INVAL,
	    "subject regex: '(' does not compile");
	json_object_put(ch);
	ch = kit_json("{\"names\":{\"ip_ranges\":[\"10.0.0.1/8\"]}}");
	EFAIL(template_set(k->db, "WebServer", ch, &err), CE_INVAL,
	    "10.0.0.1/8");
	EFAIL(template_set(k->db, "Nope", ch, &err), CE_INVAL,
	    "10.0.0.1/8");
	json_object_put(ch);
	ch = kit_json("{}");
	EFAIL(template_set(k->db, "Nope", ch, &err), CE_NOTFOUND,
	    "template 'Nope' does not exist");
	EFAIL(template_set(k->db, "", ch, &err), CE_INVAL,
	    "template name: required");
	json_object_put(ch);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_resolve),
		KIT_TEST(test_keys),
		KIT_TEST(test_approval_days),
		KIT_TEST(test_metadata),
		KIT_TEST(test_additional_fields),
		KIT_TEST(test_usage),
		KIT_TEST(test_extensions),
		KIT_TEST(test_template_add),
		KIT_TEST(test_pattern_add),
		KIT_TEST(test_set_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
