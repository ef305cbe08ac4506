/*
 * test_certview.c - certview: what GET /Certificates and
 * /CertificateStores answer, below the program.  A certificate's fields
 * as certview.h chooses them (key, usages, signature, EKUs, SANs, state),
 * the same answer from the view kept at issuance as from the certificate
 * itself, locations and metadata only when asked for, lookups by query
 * (every field and operator, OR, parentheses) and page, and stores shown without their password.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "certfind.h"
#include "certview.h"
#include "storeview.h"
#include "kit.h"
#include "query.h"
#include "stores.h"

#define ROOT	"host\\RootCA"
#define WEB	"{\"name\":\"WebServer\",\"keys\":[\"ECC-P-256\"],\"key_usage\":" \
		"[\"digitalSignature\",\"keyEncipherment\"],\"eku\":" \
		"[\"serverAuth\",\"clientAuth\"]}"
#define BODY(cn) "{\"Subject\":\"CN=" cn ",OU=Web,O=Example\",\"Template\":" \
		"\"WebServer\",\"KeyType\":\"ECC\",\"SANs\":{\"dns\":" \
		"[\"alt.example.com\"]},\"Timestamp\":\"2026-01-01T00:00:00Z\"}"

static const struct certview_opts none = { 0, 0, 0 }, all = { 1, 1, 0 };

static void
world(struct kit *k)
{
	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	kit_issue(k, "alice", FMT_PEM, BODY("www.example.com"));
	kit_issue(k, "bob", FMT_PEM, BODY("two.example.com"));
}

static json_object *
view(struct kit *k, const char *id, const struct certview_opts *opts)
{
	struct ce_error err;
	json_object *out = NULL;

	E(certview_get(k->db, id, opts, &out, &err));
	return out;
}

#define s	kit_jstr
#define n	kit_jint

static void
test_fields(void **state)
{
	struct kit *k = *state;
	json_object *o, *a, *rec;

	world(k);
	o = view(k, "1", &none);
	rec = kit_record_id(k, T_CERTS, 1);
	CHECK(n(o, "Id") == 1 && n(o, "CertRequestId") == 1);
	CHECK(strcmp(s(o, "Thumbprint"), s(rec, "thumbprint")) == 0);
	CHECK(strcmp(s(o, "ContentBytes"), s(rec, "der")) == 0);
	CHECK(strcmp(s(o, "IssuedCN"), "www.example.com") == 0);
	CHECK(strcmp(s(o, "IssuedOU"), "Web") == 0);
	CHECK(strcmp(s(o, "IssuerDN"), "CN=RootCA") == 0);
	CHECK(n(o, "KeyType") == 3 && strcmp(s(o, "KeyTypeString"), "ECC") == 0);
	CHECK(n(o, "KeySizeInBits") == 256);
	CHECK(strcmp(s(o, "Curve"), "1.2.840.10045.3.1.7") == 0);
	/* an EC key: digitalSignature only, whatever the template lists */
	CHECK(n(o, "KeyUsage") == 128);
	CHECK(strcmp(s(json_object_object_get(o, "DetailedKeyUsage"), "HexCode"),
	    "80") == 0);
	CHECK(strcmp(s(o, "SigningAlgorithm"), "sha256ECDSA") == 0);
	a = json_object_object_get(o, "ExtendedKeyUsages");
	CHECK(json_arr_len(a) == 2 &&
	    n(json_object_array_get_idx(a, 0), "Id") == 1 &&
	    strcmp(s(json_object_array_get_idx(a, 0), "Oid"),
	    "1.3.6.1.5.5.7.3.1") == 0 &&
	    strcmp(s(json_object_array_get_idx(a, 1), "Oid"),
	    "1.3.6.1.5.5.7.3.2") == 0);
	a = json_object_object_get(o, "SubjectAltNameElements");
	CHECK(json_arr_len(a) == 2 &&
	    strcmp(s(json_object_array_get_idx(a, 0), "Value"),
	    "www.example.com") == 0 &&
	    n(json_object_array_get_idx(a, 1), "Type") == 2 &&
	    n(json_object_array_get_idx(a, 1), "Id") == 2);
	CHECK(n(o, "CertState") == 1 &&
	    strcmp(s(o, "CertStateString"), "Active") == 0);
	CHECK(strcmp(s(o, "RequesterName"), "alice") == 0 &&
	    strcmp(s(o, "TemplateName"), "WebServer") == 0 &&
	    strcmp(s(o, "CertificateAuthorityName"), ROOT) == 0);
	CHECK(json_arr_len(json_object_object_get(o, "Locations")) == 0);
	CHECK(json_object_object_length(json_object_object_get(o,
	    "Metadata")) == 0);
	json_object_put(rec);
	json_object_put(o);
}

/* The view kept at issuance answers as the certificate itself would. */
static void
test_view_kept(void **state)
{
	struct kit *k = *state;
	json_object *kept, *parsed, *rec;

	world(k);
	kept = view(k, "1", &all);
	rec = kit_record_id(k, T_CERTS, 1);
	json_object_object_del(rec, "view");
	kit_put(k, T_CERTS, "00000000000000000001",
	    json_object_to_json_string(rec));
	json_object_put(rec);
	parsed = view(k, "1", &all);
	if (!json_object_equal(kept, parsed))
		fail_msg("kept %s\nparsed %s", json_object_to_json_string(kept),
		    json_object_to_json_string(parsed));
	json_object_put(kept);
	json_object_put(parsed);
}

static void
test_options(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct certstore_item item;
	char guid[GUID_LEN + 1];
	json_object *o, *rec, *loc;

	world(k);
	kit_store(k, "PEM", 3, NULL, guid);
	rec = kit_record_id(k, T_CERTS, 1);
	memset(&item, 0, sizeof(item));
	snprintf(item.alias, sizeof(item.alias), "web");
	snprintf(item.thumbprint, sizeof(item.thumbprint), "%s",
	    s(rec, "thumbprint"));
	E(store_record_inventory(k->db, guid, &item, 1, &err));
	json_object_object_add(rec, "metadata", kit_json("{\"Owner\":\"x\"}"));
	kit_put(k, T_CERTS, "00000000000000000001",
	    json_object_to_json_string(rec));
	json_object_put(rec);

	o = view(k, "1", &none);
	CHECK(json_arr_len(json_object_object_get(o, "Locations")) == 0);
	CHECK(json_object_object_length(json_object_object_get(o,
	    "Metadata")) == 0);
	json_object_put(o);
	o = view(k, "1", &all);
	CHECK(json_arr_len(json_object_object_get(o, "Locations")) == 1);
	loc = json_object_array_get_idx(json_object_object_get(o, "Locations"), 0);
	CHECK(strcmp(s(loc, "Alias"), "web") == 0 &&
	    strcmp(s(loc, "CertStoreId"), guid) == 0);
	CHECK(strcmp(s(json_object_object_get(o, "Metadata"), "Owner"), "x") == 0);
	json_object_put(o);
}

/* certview_find for the query text q, page page of limit, with opts: the
 * ids found, joined by ' '. */
static void
found_with(struct kit *k, const char *q, int64_t limit, int64_t page,
    const struct certview_opts *opts, char *buf, size_t bufsz)
{
	struct ce_error err;
	struct query query;
	struct paging pg = { limit, page };
	json_object *out = NULL;
	size_t i;

	E(query_parse(q, &query, &err));
	E(certview_find(k->db, &query, &pg, opts, &out, &err));
	buf[0] = '\0';
	for (i = 0; i < json_arr_len(out); i++)
		snprintf(buf + strlen(buf), bufsz - strlen(buf), "%s%lld",
		    i ? " " : "", (long long)n(json_object_array_get_idx(out, i),
		    "Id"));
	json_object_put(out);
}

/* found_with, revoked certificates left out. */
static void
found(struct kit *k, const char *q, int64_t limit, int64_t page, char *buf,
    size_t bufsz)
{
	found_with(k, q, limit, page, &none, buf, bufsz);
}

/* Fails unless found_with gives want. */
static void
expect(struct kit *k, const char *q, int64_t limit, int64_t page,
    const struct certview_opts *opts, const char *want)
{
	char got[256];

	found_with(k, q, limit, page, opts, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("'%s' (page %lld of %lld) found '%s', not '%s'", q,
		    (long long)page, (long long)limit, got, want);
}

static void
test_find(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	json_object *rec, *out = NULL;
	char q[200], got[64];

	world(k);
	found(k, "", 50, 1, got, sizeof(got));
	CHECK(strcmp(got, "1 2") == 0);
	found(k, "", 1, 2, got, sizeof(got));
	CHECK(strcmp(got, "2") == 0);
	found(k, "", 1, 3, got, sizeof(got));
	CHECK(strcmp(got, "") == 0);
	found(k, "IssuedCN -eq \"TWO.example.com\"", 50, 1, got, sizeof(got));
	CHECK(strcmp(got, "2") == 0);
	found(k, "CertRequestId -eq 1", 50, 1, got, sizeof(got));
	CHECK(strcmp(got, "1") == 0);
	rec = kit_record_id(k, T_CERTS, 2);
	snprintf(q, sizeof(q), "Thumbprint -eq \"%s\" AND SerialNumber -eq 000%s",
	    s(rec, "thumbprint"), s(rec, "serial"));
	found(k, q, 50, 1, got, sizeof(got));
	CHECK(strcmp(got, "2") == 0);
	snprintf(q, sizeof(q), "Thumbprint -eq \"%s\" AND IssuedCN -eq "
	    "www.example.com", s(rec, "thumbprint"));
	found(k, q, 50, 1, got, sizeof(got));
	CHECK(strcmp(got, "") == 0);
	json_object_put(rec);
	EFAIL(certview_get(k->db, "abc", &none, &out, &err), CE_INVAL,
	    "Id: 'abc' is not a positive integer.");
	EFAIL(certview_get(k->db, "0", &none, &out, &err), CE_INVAL, "Id: '0'");
	EFAIL(certview_get(k->db, "99", &none, &out, &err), CE_NOTFOUND,
	    "Certificate 99 was not found.");
	CHECK(out == NULL);
}

/* Queries beyond -eq: every field, OR and parentheses (no index may
 * answer for a term under an OR), paging a scan, metadata, CertState. */
static const struct {
	const char	*q;
	const char	*want;
} language[] = {
	{ "IssuedCN -contains EXAMPLE", "1 2" },
	{ "CN -notcontains two", "1" },
	{ "CN -eq www.example.com OR CN -eq two.example.com", "1 2" },
	{ "Id -eq 1 OR Id -eq 2", "1 2" },
	{ "CertID -eq \"2\"", "2" },
	{ "CertID -ne 1", "2" },
	{ "Id -ge 2", "2" },
	{ "(CN -eq \"www.example.com\")AND Id -eq 1", "1" },
	{ "(CN -eq \"www.example.com\")AND Id -eq 2", "" },
	{ "(Id -eq 1 OR Id -eq 2) AND RequesterName -eq BOB", "2" },
	{ "Id -eq 1 OR Id -eq 2 AND RequesterName -eq alice", "1" },
	{ "CertRequestId -eq 1 OR CN -endswith two.example.com", "1 2" },
	{ "IssuedDN -startswith \"CN=two\"", "2" },
	{ "IssuerDN -eq \"CN=RootCA\"", "1 2" },
	{ "CA -eq \"host\\\\RootCA\"", "1 2" },
	{ "CertificateAuthorityName -eq other", "" },
	{ "TemplateShortName -eq webserver AND KeyType -eq ecc", "1 2" },
	/* Keyfactor's numbers: 3 ECC, 1 RSA */
	{ "KeyType -eq 3 AND KeyType -ne 1", "1 2" },
	{ "KeyType -eq \"1\" OR KeyType -eq RSA", "" },
	{ "KeySize -eq 256 AND KeySize -lt 257", "1 2" },
	{ "KeySize -gt 256", "" },
	{ "NotAfter -gt %TODAY% AND NotBefore -lt %TODAY+2%", "1 2" },
	{ "ExpirationDate -lt %TODAY%", "" },
	{ "ImportDate -ge %TODAY-1% AND ImportDate -notnull", "1 2" },
	{ "NotAfter -gt \"2026-01-01T00:00:00Z\" AND NotAfter -lt 9999-01-01",
	    "1 2" },
	{ "CN -isnull OR CN -eq NULL", "" },
	{ "Metadata.owner -eq X", "1" },
	{ "Metadata.Owner -isnull", "2" },
	{ "CertState -eq 1", "1 2" },
	{ "CertState -eq 2", "" },
};

static void
test_find_language(void **state)
{
	struct kit *k = *state;
	static const struct certview_opts revoked = { 0, 0, 1 };
	json_object *rec;
	char q[200];
	size_t i;

	world(k);
	rec = kit_record_id(k, T_CERTS, 1);
	json_object_object_add(rec, "metadata", kit_json("{\"Owner\":\"x\"}"));
	kit_put(k, T_CERTS, "00000000000000000001",
	    json_object_to_json_string(rec));
	json_object_put(rec);
	for (i = 0; i < sizeof(language) / sizeof(language[0]); i++)
		expect(k, language[i].q, 50, 1, &none, language[i].want);
	/* a scan pages as the indexes do */
	expect(k, "IssuedCN -contains example", 1, 2, &none, "2");
	expect(k, "IssuedCN -contains example", 1, 3, &none, "");
	/* a serial under an OR, leading zeros aside */
	rec = kit_record_id(k, T_CERTS, 2);
	snprintf(q, sizeof(q), "Id -eq 1 OR SerialNumber -eq 00%s",
	    s(rec, "serial"));
	expect(k, q, 50, 1, &none, "1 2");
	/* revoked: CertState 2, listed only with includeRevoked */
	json_object_object_add(rec, "state", json_object_new_string("revoked"));
	kit_put(k, T_CERTS, "00000000000000000002",
	    json_object_to_json_string(rec));
	json_object_put(rec);
	expect(k, "CertState -eq 2", 50, 1, &none, "");
	expect(k, "CertState -eq 2", 50, 1, &revoked, "2");
	expect(k, "CertState -ne 2", 50, 1, &revoked, "1");
}

/* Many certificates of one CN: found through the CN (an index on
 * PostgreSQL) page by page, more than one walk's page of them, A-Z folded
 * and nothing else. */
static void
test_find_by_cn(void **state)
{
	struct kit *k = *state;
	json_object *rec;
	char key[DB_IDKEY_MAX], tp[48], serial[16], got[2048], *last;
	int i;

	world(k);
	for (i = 100; i < 400; i++) {
		rec = kit_record_id(k, T_CERTS, 2);
		snprintf(tp, sizeof(tp), "%040d", i);
		snprintf(serial, sizeof(serial), "C1%06d", i);
		json_object_object_add(rec, "id", json_object_new_int(i));
		json_object_object_add(rec, "thumbprint",
		    json_object_new_string(tp));
		json_object_object_add(rec, "serial",
		    json_object_new_string(serial));
		json_object_object_add(rec, "cn", json_object_new_string(
		    i % 2 ? "Shared.Example.COM" : "shared.example.com"));
		kit_put(k, T_CERTS, db_idkey((uint64_t)i, key),
		    json_object_to_json_string(rec));
		json_object_put(rec);
	}
	found(k, "IssuedCN -eq \"SHARED.example.com\"", 200, 2, got,
	    sizeof(got));
	last = strrchr(got, ' ');
	CHECK(strncmp(got, "300 301 ", 8) == 0 && last != NULL &&
	    strcmp(last, " 399") == 0);
	found(k, "IssuedCN -eq \"shared.example.co\"", 50, 1, got, sizeof(got));
	CHECK(strcmp(got, "") == 0);
	/* only ASCII letters fold: \u00c9 is not \u00e9 */
	rec = kit_record_id(k, T_CERTS, 2);
	json_object_object_add(rec, "cn", json_object_new_string("\xc3\x89t\xc3\xa9"));
	kit_put(k, T_CERTS, db_idkey(2, key), json_object_to_json_string(rec));
	json_object_put(rec);
	found(k, "IssuedCN -eq \"\xc3\x89t\xc3\xa9\"", 50, 1, got, sizeof(got));
	CHECK(strcmp(got, "2") == 0);
	found(k, "IssuedCN -eq \"\xc3\xa9T\xc3\xa9\"", 50, 1, got, sizeof(got));
	CHECK(strcmp(got, "") == 0);
	/* a certificate without a CN: "" is null, -eq "" finds it (the CN
	 * index, which holds none, is not asked) */
	rec = kit_record_id(k, T_CERTS, 2);
	json_object_object_del(rec, "cn");
	kit_put(k, T_CERTS, db_idkey(2, key), json_object_to_json_string(rec));
	json_object_put(rec);
	found(k, "IssuedCN -eq \"\"", 50, 1, got, sizeof(got));
	CHECK(strcmp(got, "2") == 0);
	found(k, "IssuedCN -isnull", 50, 1, got, sizeof(got));
	CHECK(strcmp(got, "2") == 0);
}

static void
test_stores(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct paging pg = { 50, 1 };
	char guid[GUID_LEN + 1], other[GUID_LEN + 1];
	json_object *o = NULL;

	kit_store(k, "PKCS12", 4, "store-secret", guid);
	kit_store(k, "PEM", 5, NULL, other);
	E(storeview_get(k->db, guid, &o, &err));
	CHECK(strcmp(s(o, "Id"), guid) == 0 && n(o, "ContainerId") == 4);
	CHECK(strstr(json_object_to_json_string(o), "store-secret") == NULL);
	CHECK(json_object_is_type(json_object_object_get(o, "Properties"),
	    json_type_string));
	json_object_put(o);
	E(storeview_list(k->db, &pg, &o, &err));
	CHECK(json_arr_len(o) == 2);
	json_object_put(o);
	pg.limit = 1;
	pg.page = 2;
	E(storeview_list(k->db, &pg, &o, &err));
	CHECK(json_arr_len(o) == 1 && strcmp(s(json_object_array_get_idx(o, 0),
	    "Id"), strcmp(guid, other) < 0 ? other : guid) == 0);
	json_object_put(o);
	EFAIL(storeview_get(k->db, "nope", &o, &err), CE_INVAL, "GUID");
	EFAIL(storeview_get(k->db, "00000000-0000-0000-0000-000000000000", &o,
	    &err), CE_NOTFOUND, "was not found");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_fields),
		KIT_TEST(test_view_kept),
		KIT_TEST(test_options),
		KIT_TEST(test_find),
		KIT_TEST(test_find_language),
		KIT_TEST(test_find_by_cn),
		KIT_TEST(test_stores),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
