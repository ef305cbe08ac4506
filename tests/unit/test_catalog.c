/*
 * test_catalog.c - GET /Templates, /Templates/{id}, /CertificateAuthority
 * below the program (catalog.h, policy.h's template views): each template
 * with its id (its default pattern's, which certificates then show as
 * TemplateId), key type and size as strings, usage as .NET's flags, EKUs
 * with their OIDs, the key policy and metadata in the detail view; pages;
 * CAs by logical name and host; unknown ids are 404s.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "catalog.h"
#include "certview.h"
#include "kit.h"

#define RSA	"{\"name\":\"Rsa\",\"keys\":[\"RSA-3072\",\"RSA-2048\"]," \
		"\"key_usage\":[\"digitalSignature\",\"keyEncipherment\"]," \
		"\"eku\":[\"clientAuth\"],\"require_approval\":true}"

#define str	kit_jstr
#define num	kit_jint

static void
test_templates(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct paging pg = { 50, 1 };
	json_object *list = NULL, *one = NULL, *t, *pol, *v;
	int64_t web, rsa;

	kit_ca(k, KIT_ROOT, "ECC-P-256", 3650, NULL);
	web = kit_template(k, KIT_WEB);
	rsa = kit_template(k, RSA);
	kit_pattern(k, "{\"name\":\"Rsa owned\",\"template\":\"Rsa\","
	    "\"metadata\":[{\"name\":\"Owner\",\"type\":\"email\","
	    "\"required\":true}],\"additional_fields\":[]}");
	CHECK(web > 0 && rsa > web);
	E(catalog_templates(k->db, NULL, &pg, &list, &err));
	CHECK(json_object_array_length(list) == 2);
	t = json_object_array_get_idx(list, 0);
	CHECK(num(t, "Id") == web && strcmp(str(t, "CommonName"), "WebServer") == 0);
	/* strings, as the Go client decodes them */
	CHECK(json_object_is_type(json_object_object_get(t, "KeySize"),
	    json_type_string));
	CHECK(strcmp(str(t, "KeyType"), "ECC") == 0 &&
	    strcmp(str(t, "KeySize"), "256") == 0);
	CHECK(strcmp(str(t, "KeyRetention"), "None") == 0);
	CHECK(num(t, "KeyUsage") == 128);	/* DigitalSignature */
	v = json_object_array_get_idx(json_object_object_get(t,
	    "ExtendedKeyUsages"), 0);
	CHECK(strcmp(str(v, "Oid"), "1.3.6.1.5.5.7.3.1") == 0);
	CHECK(json_object_object_get(t, "TemplatePolicy") == NULL);
	json_object_put(list);
	/* the detail: the key policy, the default pattern's metadata */
	E(catalog_template(k->db, rsa, &one, &err));
	CHECK(strcmp(str(one, "KeyType"), "RSA") == 0 &&
	    strcmp(str(one, "KeySize"), "3072") == 0);
	CHECK(num(one, "KeyUsage") == 128 + 32);
	CHECK(json_object_get_boolean(json_object_object_get(one,
	    "RequiresApproval")));
	pol = json_object_object_get(one, "TemplatePolicy");
	CHECK(num(pol, "TemplateId") == rsa);
	v = json_object_object_get(pol, "RSAValidKeySizes");
	CHECK(json_object_array_length(v) == 2 &&
	    json_object_get_int(json_object_array_get_idx(v, 1)) == 2048);
	CHECK(json_object_array_length(json_object_object_get(pol,
	    "ECCValidCurves")) == 0);
	CHECK(json_object_array_length(json_object_object_get(one,
	    "MetadataFields")) == 0);	/* the default pattern has none */
	CHECK(json_object_is_type(json_object_object_get(one, "Curve"),
	    json_type_null));
	json_object_put(one);
	E(catalog_template(k->db, web, &one, &err));
	v = json_object_object_get(json_object_object_get(one,
	    "TemplatePolicy"), "ECCValidCurves");
	CHECK(strcmp(json_object_get_string(json_object_array_get_idx(v, 0)),
	    "1.2.840.10045.3.1.7") == 0);
	CHECK(strcmp(str(one, "Curve"), "1.2.840.10045.3.1.7") == 0);
	json_object_put(one);
	EFAIL(catalog_template(k->db, 999, &one, &err), CE_NOTFOUND, "999");
	/* pages */
	pg = (struct paging){ 1, 2 };
	E(catalog_templates(k->db, NULL, &pg, &list, &err));
	CHECK(json_object_array_length(list) == 1 &&
	    num(json_object_array_get_idx(list, 0), "Id") == rsa);
	json_object_put(list);
	pg = (struct paging){ 1, 3 };
	E(catalog_templates(k->db, NULL, &pg, &list, &err));
	CHECK(json_object_array_length(list) == 0);
	json_object_put(list);
}

static void
test_certificates_name_their_template(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct certview_opts o;
	json_object *c = NULL;
	int64_t web;

	kit_ca(k, KIT_ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, RSA);
	web = kit_template(k, KIT_WEB);
	kit_user(k, "zed", "");
	kit_user(k, "alice", "");	/* user 2 */
	CHECK(kit_issue(k, "alice", FMT_PEM, KIT_BODY("t.example.com")) == 1);
	CHECK(kit_issue(k, "ghost", FMT_PEM, KIT_BODY("g.example.com")) == 2);
	memset(&o, 0, sizeof(o));
	E(certview_get(k->db, "1", &o, &c, &err));
	CHECK(num(c, "TemplateId") == web);
	CHECK(num(c, "RequesterId") == 2 &&
	    strcmp(str(c, "RequesterName"), "alice") == 0);
	json_object_put(c);
	/* a requester no longer (or never) a user */
	E(certview_get(k->db, "2", &o, &c, &err));
	CHECK(num(c, "RequesterId") == 0);
	json_object_put(c);
}

static void
test_cas(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct paging pg = { 50, 1 };
	json_object *list = NULL, *ca;
	int64_t root;

	root = kit_ca(k, KIT_ROOT, "ECC-P-256", 3650, NULL);
	kit_ca(k, "host\\IssuingCA", "ECC-P-256", 365, KIT_ROOT);
	E(catalog_cas(k->db, NULL, &pg, &list, &err));
	CHECK(json_object_array_length(list) == 2);
	ca = json_object_array_get_idx(list, 1);	/* name order */
	CHECK(num(ca, "Id") == root);
	CHECK(strcmp(str(ca, "LogicalName"), "RootCA") == 0 &&
	    strcmp(str(ca, "HostName"), "host") == 0);
	/* Properties is a JSON text */
	CHECK(json_object_is_type(json_object_object_get(ca, "Properties"),
	    json_type_string));
	json_object_put(list);
	pg = (struct paging){ 1, 2 };
	E(catalog_cas(k->db, NULL, &pg, &list, &err));
	CHECK(json_object_array_length(list) == 1);
	json_object_put(list);
}

/* The templates (ids, in order) that query s finds, as "1,3". */
static const char *
found(struct kit *k, const struct query_vocab *v, const char *s, char *buf,
    size_t n)
{
	struct ce_error err;
	struct paging pg = { 50, 1 };
	struct query q;
	json_object *list = NULL;
	size_t i, used = 0;

	E(query_parse_in(v, "QueryString", s, &q, &err));
	if (v == &catalog_template_fields)
		E(catalog_templates(k->db, &q, &pg, &list, &err));
	else
		E(catalog_cas(k->db, &q, &pg, &list, &err));
	buf[0] = '\0';
	for (i = 0; i < json_object_array_length(list); i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%lld",
		    i ? "," : "", (long long)num(json_object_array_get_idx(list,
		    i), "Id"));
	json_object_put(list);
	return buf;
}

static void
test_queries(void **state)
{
	struct kit *k = *state;
	const struct query_vocab *t = &catalog_template_fields;
	struct ce_error err;
	struct query q;
	char b[256];
	int64_t rsa, web, kept;

	kit_ca(k, KIT_ROOT, "ECC-P-256", 3650, NULL);
	kit_ca(k, "other\\IssuingCA", "ECC-P-256", 365, KIT_ROOT);
	rsa = kit_template(k, RSA);
	web = kit_template(k, KIT_WEB);
	kept = kit_template(k, "{\"name\":\"Kept\",\"key_retention\":"
	    "\"indefinite\",\"require_approval\":true}");
	CHECK(rsa == 1 && web == 2 && kept == 3);
	CHECK(strcmp(found(k, t, "ShortName -eq \"webserver\"", b, sizeof(b)),
	    "2") == 0);
	CHECK(strcmp(found(k, t, "CommonName -startswith \"Rsa\" OR Id -eq 3",
	    b, sizeof(b)), "1,3") == 0);
	/* KF-SCRIPTS: the templates a CSR may enroll with */
	CHECK(strcmp(found(k, t, "AllowedEnrollmentType -eq \"2\"", b,
	    sizeof(b)), "1,2,3") == 0);
	CHECK(strcmp(found(k, t, "AllowedEnrollmentType -eq 4", b, sizeof(b)),
	    "") == 0);
	CHECK(strcmp(found(k, t, "HasPrivateKeyRetention -eq true", b,
	    sizeof(b)), "3") == 0);
	CHECK(strcmp(found(k, t, "KeyRetention -ne \"None\" AND "
	    "RequiresApproval -eq true", b, sizeof(b)), "3") == 0);
	CHECK(strcmp(found(k, t, "IsDefaultTemplate -eq false AND "
	    "ForestRoot -isnull", b, sizeof(b)), "1,2,3") == 0);
	CHECK(strcmp(found(k, &catalog_ca_fields, "HostName -eq \"other\"", b,
	    sizeof(b)), "2") == 0);
	CHECK(strcmp(found(k, &catalog_ca_fields, "LogicalName -contains "
	    "\"root\"", b, sizeof(b)), "1") == 0);
	/* refused, naming the parameter as sent and the fields there are */
	EFAIL(query_parse_in(t, "sq.queryString", "IssuedCN -eq \"x\"", &q,
	    &err), CE_INVAL, "sq.queryString: unknown field 'IssuedCN' at "
	    "position 1 (known: Id, ShortName,");
	EFAIL(query_parse_in(t, "QueryString", "HasPrivateKeyRetention -eq "
	    "maybe", &q, &err), CE_INVAL, "is not a boolean");
	EFAIL(query_parse_in(t, "QueryString", "RequiresApproval -contains 1",
	    &q, &err), CE_INVAL, "does not apply to RequiresApproval, a "
	    "boolean");
}

static void
test_metadata_fields(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct paging pg = { 50, 1 };
	struct query q;
	json_object *list = NULL, *f;

	kit_ca(k, KIT_ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, KIT_WEB);
	E(catalog_metadata_fields(k->db, NULL, &pg, &list, &err));
	CHECK(json_object_array_length(list) == 0);	/* none defined */
	json_object_put(list);
	kit_pattern(k, "{\"name\":\"a\",\"template\":\"WebServer\","
	    "\"metadata\":[{\"name\":\"zone\",\"type\":\"choice\","
	    "\"options\":[\"dmz\",\"lan\"],\"required\":true},"
	    "{\"name\":\"Owner\",\"type\":\"email\"}]}");
	/* the same name again (other case, other type): the first one wins */
	kit_pattern(k, "{\"name\":\"b\",\"template\":\"WebServer\","
	    "\"metadata\":[{\"name\":\"OWNER\",\"type\":\"int\"},"
	    "{\"name\":\"Cost\",\"type\":\"int\"}]}");
	E(catalog_metadata_fields(k->db, NULL, &pg, &list, &err));
	CHECK(json_object_array_length(list) == 3);
	f = json_object_array_get_idx(list, 0);
	CHECK(strcmp(str(f, "Name"), "Cost") == 0 && num(f, "Id") == 1 &&
	    num(f, "DataType") == 2 && num(f, "Enrollment") == 0);
	f = json_object_array_get_idx(list, 1);
	CHECK(strcmp(str(f, "Name"), "Owner") == 0 && num(f, "DataType") == 7);
	f = json_object_array_get_idx(list, 2);
	CHECK(strcmp(str(f, "Name"), "zone") == 0 && num(f, "Id") == 3 &&
	    num(f, "DataType") == 5 && num(f, "Enrollment") == 1 &&
	    strcmp(str(f, "Options"), "dmz,lan") == 0);
	json_object_put(list);
	E(query_parse_in(&catalog_metadata_fields_vocab, "pq.queryString",
	    "DataType -eq 2 OR Name -startswith \"z\"", &q, &err));
	pg = (struct paging){ 1, 2 };
	E(catalog_metadata_fields(k->db, &q, &pg, &list, &err));
	CHECK(json_object_array_length(list) == 1);
	CHECK(strcmp(str(json_object_array_get_idx(list, 0), "Name"), "zone") == 0);
	json_object_put(list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_templates),
		KIT_TEST(test_certificates_name_their_template),
		KIT_TEST(test_cas),
		KIT_TEST(test_queries),
		KIT_TEST(test_metadata_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
