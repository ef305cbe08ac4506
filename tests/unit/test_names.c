/*
 * test_names.c - names: the name policy of templates and patterns.  CIDR
 * ranges, public-suffix wildcards, DNS suffixes, validation of the stored
 * rules, and names_check_cert() on certificates built from a subject and a
 * SANs object (every CN, every general name, template and pattern levels).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <openssl/x509v3.h>

#include "error.h"
#include "names.h"
#include "policy.h"
#include "san.h"
#include "x500.h"

static void
test_cidr(void **state)
{
	static const struct {
		const char	*s;
		int		 len, prefix;
	} good[] = {
		{ "10.0.0.0/8", 4, 8 }, { "192.0.2.0/24", 4, 24 },
		{ "192.0.2.7", 4, 32 }, { "0.0.0.0/0", 4, 0 },
		{ "2001:db8::/32", 16, 32 }, { "::1", 16, 128 },
		{ "fe80::/10", 16, 10 }, { "10.1.2.3/32", 4, 32 },
	};
	static const char *const bad[] = { "", "/8", "10.0.0.0/", "10.0.0.0/33",
	    "10.0.0/8", "10.0.0.1/8", "abc", "10.0.0.0/8x", "10.0.0.0/-1",
	    "2001:db8::/129", "2001:db8::1/32", "10.0.0.0/08", "10.0.0.0 /8",
	    "10.0.0.0/ 8", "::/+0" };
	unsigned char a[16];
	int len, pfx;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (names_cidr_parse(good[i].s, a, &len, &pfx) != 0)
			fail_msg("refused %s", good[i].s);
		assert_int_equal(len, good[i].len);
		assert_int_equal(pfx, good[i].prefix);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (names_cidr_parse(bad[i], a, &len, &pfx) == 0)
			fail_msg("accepted %s", bad[i]);
}

static void
test_in_range(void **state)
{
	static const struct {
		const char	*ip, *cidr;
		int		 in;
	} cases[] = {
		{ "10.0.0.1", "10.0.0.0/8", 1 }, { "10.255.255.255", "10.0.0.0/8", 1 },
		{ "11.0.0.1", "10.0.0.0/8", 0 }, { "192.0.2.129", "192.0.2.128/25", 1 },
		{ "192.0.2.127", "192.0.2.128/25", 0 }, { "192.0.2.7", "192.0.2.7", 1 },
		{ "192.0.2.8", "192.0.2.7", 0 }, { "8.8.8.8", "0.0.0.0/0", 1 },
		{ "2001:db8::1", "2001:db8::/32", 1 }, { "2001:db9::1", "2001:db8::/32", 0 },
		{ "10.0.0.1", "::/0", 0 },		/* families never mix */
		{ "::ffff:10.0.0.1", "10.0.0.0/8", 0 },
		{ "fe80::1", "fe80::/10", 1 }, { "febf::1", "fe80::/10", 1 },
		{ "fec0::1", "fe80::/10", 0 }, { "10.0.0.1", "garbage", 0 },
	};
	unsigned char ip[16];
	int len, pfx;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(names_cidr_parse(cases[i].ip, ip, &len, &pfx), 0);
		if (names_ip_in_range(ip, len, cases[i].cidr) != cases[i].in)
			fail_msg("%s in %s: expected %d", cases[i].ip, cases[i].cidr,
			    cases[i].in);
	}
}

static void
test_wildcard_public(void **state)
{
	static const struct {
		const char	*dns;
		int		 public;
	} cases[] = {
		{ "*.com", 1 }, { "*.co.uk", 1 }, { "*.uk", 1 }, { "*.github.io", 1 },
		{ "*.example", 1 },		/* an unknown TLD is a suffix (the "*" rule) */
		{ "*.example.com", 0 }, { "*.bank.example", 0 }, { "*.a.co.uk", 0 },
		{ "www.com", 0 }, { "com", 0 }, { "example.com", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (names_wildcard_public(cases[i].dns) != cases[i].public)
			fail_msg("%s: expected %d", cases[i].dns, cases[i].public);
}

static void
test_under_suffix(void **state)
{
	static const struct {
		const char	*dns, *suffix;
		int		 under;
	} cases[] = {
		{ "example.com", "example.com", 1 }, { "a.example.com", "example.com", 1 },
		{ "a.b.EXAMPLE.com", "example.com", 1 }, { "*.example.com", "example.com", 1 },
		{ "badexample.com", "example.com", 0 }, { "example.com.evil", "example.com", 0 },
		{ "com", "example.com", 0 }, { "a.example.com", "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (names_under_suffix(cases[i].dns, cases[i].suffix) !=
		    cases[i].under)
			fail_msg("%s under %s: expected %d", cases[i].dns,
			    cases[i].suffix, cases[i].under);
}

static void
test_validate(void **state)
{
	static const char *const good[] = { "{}",
	    "{\"san_types\":[\"dns\",\"ip\",\"email\",\"uri\",\"upn\",\"othername\","
	    "\"dirname\",\"rid\"]}",
	    "{\"dns_suffixes\":[\"example.com\",\"corp\"],\"wildcards\":false}",
	    "{\"dns_regex\":\"^[a-z]+\\\\.example\\\\.com$\"}",
	    "{\"ip_ranges\":[\"10.0.0.0/8\",\"2001:db8::/32\"]}" };
	static const struct {
		const char	*json, *says;
	} bad[] = {
		{ "[]", "names" },
		{ "{\"san_types\":[\"dns\",\"x400\"]}", "x400" },
		{ "{\"san_types\":\"dns\"}", "san_types" },
		{ "{\"dns_suffixes\":[\"*.example.com\"]}", "*.example.com" },
		{ "{\"dns_suffixes\":[\"bad host\"]}", "bad host" },
		{ "{\"dns_suffixes\":[\"example.com.\"]}", "example.com." },
		{ "{\"dns_regex\":\"([a-z\"}", "([a-z" },
		{ "{\"dns_regex\":5}", "dns_regex" },
		{ "{\"wildcards\":\"yes\"}", "wildcards" },
		{ "{\"ip_ranges\":[\"10.0.0.0/33\"]}", "10.0.0.0/33" },
		{ "{\"ip_ranges\":[\"10.0.0.1/8\"]}", "10.0.0.1/8" },
		{ "{\"ip_ranges\":[3]}", "ip_ranges" },
	};
	struct ce_error err;
	json_object *j;
	size_t i;

	(void)state;
	assert_int_equal(names_rules_validate(NULL, NULL), CE_OK);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_non_null(j = json_tokener_parse(good[i]));
		ce_error_clear(&err);
		if (names_rules_validate(j, &err) != CE_OK)
			fail_msg("refused %s: %s", good[i], err.msg);
		json_object_put(j);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_non_null(j = json_tokener_parse(bad[i].json));
		ce_error_clear(&err);
		if (names_rules_validate(j, &err) != CE_INVAL ||
		    strstr(err.msg, bad[i].says) == NULL)
			fail_msg("%s: got '%s'", bad[i].json, err.msg);
		json_object_put(j);
	}
}

/* A certificate with subject and the SANs object sans (JSON, may be NULL). */
static X509 *
cert_of(const char *subject, const char *sans)
{
	X509_NAME *name = NULL;
	GENERAL_NAMES *gns = NULL;
	json_object *j = sans ? json_tokener_parse(sans) : NULL;
	X509 *x = X509_new();

	assert_non_null(x);
	assert_int_equal(x500_parse(subject, &name, NULL), CE_OK);
	assert_int_equal(san_parse(j, &gns, NULL), CE_OK);
	assert_int_equal(X509_set_subject_name(x, name), 1);
	if (sk_GENERAL_NAME_num(gns) > 0)
		assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gns, 0,
		    X509V3_ADD_DEFAULT), 1);
	X509_NAME_free(name);
	GENERAL_NAMES_free(gns);
	json_object_put(j);
	return x;
}

#define WEB	"{\"name\":\"WebServer\"}"
#define RESTR	"{\"name\":\"Restricted\"," \
		"\"subject_regex\":\"^[a-z0-9.-]+\\\\.example\\\\.com$\"}"

static const struct {
	const char	*tmpl, *pattern, *subject, *sans;
	const char	*says;		/* NULL: allowed */
} checks[] = {
	/* Defaults keep what WebServer issued before. */
	{ WEB, NULL, "CN=www.example.com", "{\"dns\":[\"www.example.com\","
	  "\"*.example.com\"],\"ip4\":[\"192.0.2.10\"],\"ip6\":[\"2001:db8::1\"],"
	  "\"rfc822\":[\"a@example.com\"],\"uri\":[\"https://x.example/\"]}", NULL },
	{ WEB, NULL, "CN=Jane Doe,O=Example", NULL, NULL },
	{ WEB, NULL, "", "{\"dns\":[\"only-san.example.com\"]}", NULL },
	/* ... and refuse what is never right. */
	{ WEB, NULL, "CN=x.example.com", "{\"dns\":[\"*.com\"]}", "'*.com'" },
	{ WEB, NULL, "CN=x.example.com", "{\"dns\":[\"*.co.uk\"]}", "public suffix" },
	{ WEB, NULL, "CN=*.com", NULL, "'*.com'" },
	{ WEB, NULL, "CN=x.example.com", "{\"ip4\":[\"0.0.0.0\"]}", "'0.0.0.0'" },
	{ WEB, NULL, "CN=x.example.com", "{\"ip6\":[\"::\"]}", "unspecified" },
	{ WEB, NULL, "CN=x.example.com", "{\"ms_ntprincipalname\":[\"a@corp\"]}",
	  "SANs.ms_ntprincipalname: 'a@corp' is of SAN type upn" },
	{ WEB, NULL, "CN=x.example.com", "{\"directory\":[\"CN=x,O=y\"]}",
	  "SANs.directory" },
	{ WEB, NULL, "CN=x.example.com", "{\"registeredid\":[\"1.2.3.4\"]}",
	  "SANs.registeredid" },
	/* The subject regex: every CN, every DNS SAN; only DNS SANs by default. */
	{ RESTR, NULL, "CN=ok.example.com", "{\"dns\":[\"ok.example.com\","
	  "\"Www.Example.com\"]}", NULL },
	{ RESTR, NULL, "CN=ok.example.com", "{\"dns\":[\"www.evil.com\"]}",
	  "SANs.dns: 'www.evil.com' does not match the subject pattern" },
	{ RESTR, NULL, "CN=ok.example.com,CN=www.evil.com", NULL,
	  "'www.evil.com' does not match" },
	{ RESTR, NULL, "CN=www.evil.com,CN=ok.example.com", NULL, "www.evil.com" },
	{ RESTR, NULL, "CN=ok.example.com", "{\"uri\":[\"spiffe://ok.example.com/x\"]}",
	  "SANs.uri" },
	{ RESTR, NULL, "CN=ok.example.com", "{\"rfc822\":[\"a@ok.example.com\"]}",
	  "SANs.rfc822" },
	{ RESTR, NULL, "CN=ok.example.com", "{\"ip4\":[\"10.0.0.1\"]}", "(allowed: dns)" },
	{ RESTR, NULL, "CN=ok.example.com", "{\"dns\":[\"*.bank.example\"]}",
	  "*.bank.example" },
	/* Explicit rules. */
	{ "{\"name\":\"T\",\"names\":{\"dns_suffixes\":[\"example.com\"]}}", NULL,
	  "CN=a.b.example.com", "{\"dns\":[\"example.com\"]}", NULL },
	{ "{\"name\":\"T\",\"names\":{\"dns_suffixes\":[\"example.com\"]}}", NULL,
	  "CN=a.example.com", "{\"dns\":[\"badexample.com\"]}",
	  "'badexample.com' is outside the DNS suffixes of template 'T'" },
	{ "{\"name\":\"T\",\"names\":{\"dns_suffixes\":[\"example.com\"]}}", NULL,
	  "CN=a.other.org", NULL, "Subject: 'a.other.org' is outside" },
	{ "{\"name\":\"T\",\"names\":{\"dns_regex\":\"^[a-z]+\\\\.example\\\\.com$\"}}",
	  NULL, "CN=x", "{\"dns\":[\"a1.example.com\"]}", "DNS pattern" },
	{ "{\"name\":\"T\",\"names\":{\"wildcards\":false}}", NULL, "CN=x",
	  "{\"dns\":[\"*.example.com\"]}", "not allowed by template 'T'" },
	{ "{\"name\":\"T\",\"names\":{\"wildcards\":true}}", NULL, "CN=x",
	  "{\"dns\":[\"*.example.com\"]}", NULL },
	{ "{\"name\":\"T\",\"names\":{\"wildcards\":true}}", NULL, "CN=x",
	  "{\"dns\":[\"*.com\"]}", "public suffix" },
	{ "{\"name\":\"T\",\"names\":{\"ip_ranges\":[\"10.0.0.0/8\",\"2001:db8::/32\"]}}",
	  NULL, "CN=x", "{\"ip\":[\"10.9.9.9\",\"2001:db8::5\"]}", NULL },
	{ "{\"name\":\"T\",\"names\":{\"ip_ranges\":[\"10.0.0.0/8\"]}}", NULL, "CN=x",
	  "{\"ip4\":[\"192.0.2.1\"]}", "'192.0.2.1' is outside the IP ranges" },
	{ "{\"name\":\"T\",\"names\":{\"ip_ranges\":[\"0.0.0.0/0\"]}}", NULL, "CN=x",
	  "{\"ip4\":[\"0.0.0.0\"]}", "unspecified" },
	/* Rules without san_types: only the kinds they restrict. */
	{ "{\"name\":\"T\",\"names\":{\"dns_suffixes\":[\"example.com\"]}}", NULL,
	  "CN=a.example.com", "{\"rfc822\":[\"ceo@bank.example\"]}", "(allowed: dns)" },
	{ "{\"name\":\"T\",\"names\":{\"dns_regex\":\"^a\\\\.example\\\\.com$\"}}",
	  NULL, "CN=x", "{\"uri\":[\"spiffe://bank.example/x\"]}", "(allowed: dns)" },
	{ "{\"name\":\"T\",\"names\":{\"dns_suffixes\":[\"example.com\"]}}", NULL,
	  "CN=a.example.com", "{\"ip4\":[\"10.0.0.1\"]}", "(allowed: dns)" },
	{ "{\"name\":\"T\",\"names\":{\"ip_ranges\":[\"10.0.0.0/8\"]}}", NULL, "CN=x",
	  "{\"dns\":[\"a.example.com\"],\"ip4\":[\"10.1.2.3\"]}", NULL },
	{ "{\"name\":\"T\",\"names\":{\"ip_ranges\":[\"10.0.0.0/8\"]}}", NULL, "CN=x",
	  "{\"uri\":[\"urn:x:y\"]}", "(allowed: dns,ip)" },
	{ "{\"name\":\"T\",\"names\":{\"san_types\":[\"upn\",\"dns\"]}}", NULL, "CN=x",
	  "{\"ms_ntprincipalname\":[\"a@corp\"]}", NULL },
	{ "{\"name\":\"T\",\"names\":{\"san_types\":[\"upn\"]}}", NULL, "CN=x",
	  "{\"dns\":[\"a.example.com\"]}", "(allowed: upn)" },
	/* A pattern narrows its template; absent fields add nothing. */
	{ WEB, "{\"id\":7,\"names\":{\"dns_suffixes\":[\"corp.example\"]}}",
	  "CN=x", "{\"dns\":[\"a.example.com\"]}", "enrollment pattern 7" },
	{ WEB, "{\"id\":7,\"names\":{\"dns_suffixes\":[\"corp.example\"]}}",
	  "CN=x", "{\"dns\":[\"a.corp.example\"],\"uri\":[\"urn:x:y\"]}", NULL },
	{ WEB, "{\"id\":7,\"names\":{\"san_types\":[\"dns\",\"upn\"]}}",
	  "CN=x", "{\"ms_ntprincipalname\":[\"a@corp\"]}", "template 'WebServer'" },
	{ WEB, "{\"id\":7}", "CN=x", "{\"dns\":[\"*.example.com\"]}", NULL },
};

static void
test_check_cert(void **state)
{
	struct policy p;
	struct ce_error err;
	enum ce_err rc;
	X509 *x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		memset(&p, 0, sizeof(p));
		assert_non_null(p.tmpl = json_tokener_parse(checks[i].tmpl));
		p.pattern = checks[i].pattern ?
		    json_tokener_parse(checks[i].pattern) : NULL;
		x = cert_of(checks[i].subject, checks[i].sans);
		ce_error_clear(&err);
		rc = names_check_cert(&p, x, &err);
		if (checks[i].says == NULL && rc != CE_OK)
			fail_msg("case %zu refused: %s", i, err.msg);
		if (checks[i].says != NULL && (rc != CE_INVAL ||
		    strstr(err.msg, checks[i].says) == NULL))
			fail_msg("case %zu: got %d '%s', wanted '%s'", i, rc,
			    err.msg, checks[i].says);
		X509_free(x);
		json_object_put(p.tmpl);
		json_object_put(p.pattern);
	}
}

/* Forged encodings a signer may be sent: a DNS name with a NUL or a newline,
 * a second subjectAltName extension, an x400 name. */
static void
test_forged(void **state)
{
	static const char nul[] = "ok.example.com\0.evil.com";
	struct policy p;
	struct ce_error err;
	GENERAL_NAMES *gns;
	GENERAL_NAME *gn;
	ASN1_IA5STRING *ia5;
	X509 *x;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_non_null(p.tmpl = json_tokener_parse(RESTR));

	/* An embedded NUL. */
	x = cert_of("CN=ok.example.com", NULL);
	assert_non_null(gns = GENERAL_NAMES_new());
	assert_non_null(gn = GENERAL_NAME_new());
	assert_non_null(ia5 = ASN1_IA5STRING_new());
	assert_true(ASN1_STRING_set(ia5, nul, sizeof(nul) - 1));
	GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
	assert_true(sk_GENERAL_NAME_push(gns, gn));
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gns, 0,
	    X509V3_ADD_DEFAULT), 1);
	ce_error_clear(&err);
	assert_int_equal(names_check_cert(&p, x, &err), CE_INVAL);
	assert_non_null(strstr(err.msg, "SANs.dns"));

	/* A second subjectAltName extension. */
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gns, 0,
	    X509V3_ADD_APPEND), 1);
	ce_error_clear(&err);
	assert_int_equal(names_check_cert(&p, x, &err), CE_INVAL);
	assert_non_null(strstr(err.msg, "repeated"));
	GENERAL_NAMES_free(gns);
	X509_free(x);

	/* A newline in a CN is shown escaped: one message, one line. */
	x = cert_of("CN=ok.example.com", NULL);
	assert_true(X509_NAME_add_entry_by_NID(X509_get_subject_name(x),
	    NID_commonName, MBSTRING_UTF8, (unsigned char *)"a\nb", -1, -1, 0));
	ce_error_clear(&err);
	assert_int_equal(names_check_cert(&p, x, &err), CE_INVAL);
	assert_null(strchr(err.msg, '\n'));
	assert_non_null(strstr(err.msg, "a\\x0ab"));
	X509_free(x);
	json_object_put(p.tmpl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_in_range),
		cmocka_unit_test(test_wildcard_public),
		cmocka_unit_test(test_under_suffix),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_check_cert),
		cmocka_unit_test(test_forged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
