/*
 * test_san.c - san: the API's SANs object to GENERAL_NAMES (types, values,
 * order, duplicates), its error messages, DNS names, san_describe().
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
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "error.h"
#include "san.h"

#define MAXSAN	6

/* One expected general name: GEN_* type, Keyfactor type, text. */
struct want {
	int		 gen;
	int		 kf;
	const char	*text;
};

static const struct {
	const char	*json;
	struct want	 names[MAXSAN];	/* ends at text NULL */
} valid[] = {
	{ "null", { { 0, 0, NULL } } },
	{ "{}", { { 0, 0, NULL } } },
	{ "{\"dns\":[\"a.example.com\"]}",
	  { { GEN_DNS, 2, "a.example.com" } } },
	{ "{\"DNS\":[\"a.example.com\",\"*.b.example.com\"]}",
	  { { GEN_DNS, 2, "a.example.com" },
	    { GEN_DNS, 2, "*.b.example.com" } } },
	{ "{\"Dns\":\"single.example\"}",
	  { { GEN_DNS, 2, "single.example" } } },
	{ "{\"dns\":[\"a.example.com.\"]}",
	  { { GEN_DNS, 2, "a.example.com" } } },
	{ "{\"dns\":[\"A.example.com\",\"a.EXAMPLE.com\",\"a.example.com.\"]}",
	  { { GEN_DNS, 2, "A.example.com" } } },
	{ "{\"dns\":[\"xn--bcher-kva.example\",\"1.example\",\"a-b.example\","
	  "\"localhost\"]}",
	  { { GEN_DNS, 2, "xn--bcher-kva.example" },
	    { GEN_DNS, 2, "1.example" }, { GEN_DNS, 2, "a-b.example" },
	    { GEN_DNS, 2, "localhost" } } },
	{ "{\"ip4\":[\"10.0.0.1\",\"192.168.1.254\",\"0.0.0.0\"]}",
	  { { GEN_IPADD, 7, "10.0.0.1" }, { GEN_IPADD, 7, "192.168.1.254" },
	    { GEN_IPADD, 7, "0.0.0.0" } } },
	{ "{\"ip6\":[\"2001:db8::1\",\"::ffff:10.0.0.1\",\"::1\"]}",
	  { { GEN_IPADD, 7, "2001:db8::1" },
	    { GEN_IPADD, 7, "::ffff:10.0.0.1" }, { GEN_IPADD, 7, "::1" } } },
	{ "{\"ip\":[\"10.0.0.1\",\"2001:DB8:0:0:0:0:0:1\"]}",
	  { { GEN_IPADD, 7, "10.0.0.1" }, { GEN_IPADD, 7, "2001:db8::1" } } },
	{ "{\"ip4\":[\"10.0.0.1\"],\"ip\":[\"10.0.0.1\"],"
	  "\"ip6\":[\"2001:db8::1\"],\"IP\":\"2001:db8:0::1\"}",
	  { { GEN_IPADD, 7, "10.0.0.1" }, { GEN_IPADD, 7, "2001:db8::1" } } },
	{ "{\"uri\":[\"https://a.example/x?y=1\","
	  "\"urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6\","
	  "\"spiffe://trust.example/ns/x\"]}",
	  { { GEN_URI, 6, "https://a.example/x?y=1" },
	    { GEN_URI, 6, "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6" },
	    { GEN_URI, 6, "spiffe://trust.example/ns/x" } } },
	{ "{\"rfc822\":[\"ann@example.com\","
	  "\"first.last+tag@sub.example.org\",\"o'hara@x.example\"]}",
	  { { GEN_EMAIL, 1, "ann@example.com" },
	    { GEN_EMAIL, 1, "first.last+tag@sub.example.org" },
	    { GEN_EMAIL, 1, "o'hara@x.example" } } },
	{ "{\"ms_ntprincipalname\":[\"ann@corp.example\"]}",
	  { { GEN_OTHERNAME, 100, "ann@corp.example" } } },
	{ "{\"MS_NTPrincipalName\":\"j\\u00fcrgen@CORP\"}",
	  { { GEN_OTHERNAME, 100, "j\xc3\xbcrgen@CORP" } } },
	{ "{\"registeredid\":[\"1.2.3.4\",\"2.5.29.17\"]}",
	  { { GEN_RID, 8, "1.2.3.4" }, { GEN_RID, 8, "2.5.29.17" } } },
	{ "{\"directory\":[\"CN=x,O=y\",\"cn=x, o=y\",\"CN=a+UID=b\"]}",
	  { { GEN_DIRNAME, 4, "CN=x, O=y" },
	    { GEN_DIRNAME, 4, "CN=a + UID=b" } } },
	{ "{\"dns\":null,\"ip4\":[],\"x400\":null,\"ediparty\":[],"
	  "\"other\":null,\"ms_ntdsreplication\":[],\"unheard_of\":null}",
	  { { 0, 0, NULL } } },
	{ "{\"dns\":[\"a.example\"],\"ip4\":[\"10.0.0.1\"],"
	  "\"uri\":[\"https://a.example/\"],\"rfc822\":\"a@a.example\","
	  "\"ms_ntprincipalname\":\"a@a.example\"}",
	  { { GEN_DNS, 2, "a.example" }, { GEN_IPADD, 7, "10.0.0.1" },
	    { GEN_URI, 6, "https://a.example/" },
	    { GEN_EMAIL, 1, "a@a.example" },
	    { GEN_OTHERNAME, 100, "a@a.example" } } },
};

static const struct {
	const char	*json;
	const char	*msg;
} invalid[] = {
	{ "[]", "SANs: must be an object" },
	{ "\"dns\"", "SANs: must be an object" },
	{ "{\"dns\":[\"a..example\"]}",
	  "SANs.dns: 'a..example' is not a valid DNS name" },
	{ "{\"dns\":[\"-a.example\"]}",
	  "SANs.dns: '-a.example' is not a valid DNS name" },
	{ "{\"dns\":[\"a-.example\"]}",
	  "SANs.dns: 'a-.example' is not a valid DNS name" },
	{ "{\"dns\":[\"a_b.example\"]}",
	  "SANs.dns: 'a_b.example' is not a valid DNS name" },
	{ "{\"dns\":[\"*\"]}", "SANs.dns: '*' is not a valid DNS name" },
	{ "{\"dns\":[\"*.\"]}", "SANs.dns: '*.' is not a valid DNS name" },
	{ "{\"dns\":[\"a.*.example\"]}",
	  "SANs.dns: 'a.*.example' is not a valid DNS name" },
	{ "{\"dns\":[\"*a.example\"]}",
	  "SANs.dns: '*a.example' is not a valid DNS name" },
	{ "{\"dns\":[\"\"]}", "SANs.dns: '' is not a valid DNS name" },
	{ "{\"dns\":[\".\"]}", "SANs.dns: '.' is not a valid DNS name" },
	{ "{\"dns\":[\"a.example..\"]}",
	  "SANs.dns: 'a.example..' is not a valid DNS name" },
	{ "{\"dns\":[\"b\\u00fccher.example\"]}",
	  "SANs.dns: 'b\xc3\xbc" "cher.example' is not a valid DNS name" },
	{ "{\"DNS\":[\"a example\"]}",
	  "SANs.DNS: 'a example' is not a valid DNS name" },
	{ "{\"ip4\":[\"300.1.1.1\"]}",
	  "SANs.ip4: '300.1.1.1' is not an IPv4 address" },
	{ "{\"ip4\":[\"10.0.0\"]}",
	  "SANs.ip4: '10.0.0' is not an IPv4 address" },
	{ "{\"ip4\":[\"010.0.0.1\"]}",
	  "SANs.ip4: '010.0.0.1' is not an IPv4 address" },
	{ "{\"ip4\":[\" 10.0.0.1\"]}",
	  "SANs.ip4: ' 10.0.0.1' is not an IPv4 address" },
	{ "{\"ip4\":[\"2001:db8::1\"]}",
	  "SANs.ip4: '2001:db8::1' is not an IPv4 address" },
	{ "{\"ip6\":[\"10.0.0.1\"]}",
	  "SANs.ip6: '10.0.0.1' is not an IPv6 address" },
	{ "{\"ip6\":[\"fe80::1%eth0\"]}",
	  "SANs.ip6: 'fe80::1%eth0' is not an IPv6 address" },
	{ "{\"ip6\":[\"[::1]\"]}",
	  "SANs.ip6: '[::1]' is not an IPv6 address" },
	{ "{\"ip\":[\"example.com\"]}",
	  "SANs.ip: 'example.com' is not an IP address" },
	{ "{\"uri\":[\"no-scheme\"]}", "SANs.uri: 'no-scheme' is not a URI" },
	{ "{\"uri\":[\"https://a b\"]}",
	  "SANs.uri: 'https://a b' is not a URI" },
	{ "{\"uri\":[\"https:\"]}", "SANs.uri: 'https:' is not a URI" },
	{ "{\"uri\":[\":x\"]}", "SANs.uri: ':x' is not a URI" },
	{ "{\"uri\":[\"1http://x\"]}", "SANs.uri: '1http://x' is not a URI" },
	{ "{\"uri\":[\"https://b\\u00fccher.example/\"]}",
	  "SANs.uri: 'https://b\xc3\xbc" "cher.example/' is not a URI" },
	{ "{\"rfc822\":[\"no-at.example\"]}",
	  "SANs.rfc822: 'no-at.example' is not an email address" },
	{ "{\"rfc822\":[\"a@b@c.example\"]}",
	  "SANs.rfc822: 'a@b@c.example' is not an email address" },
	{ "{\"rfc822\":[\".a@example.com\"]}",
	  "SANs.rfc822: '.a@example.com' is not an email address" },
	{ "{\"rfc822\":[\"a..b@example.com\"]}",
	  "SANs.rfc822: 'a..b@example.com' is not an email address" },
	{ "{\"rfc822\":[\"a@*.example.com\"]}",
	  "SANs.rfc822: 'a@*.example.com' is not an email address" },
	{ "{\"rfc822\":[\"a b@example.com\"]}",
	  "SANs.rfc822: 'a b@example.com' is not an email address" },
	{ "{\"rfc822\":[\"a@\"]}",
	  "SANs.rfc822: 'a@' is not an email address" },
	{ "{\"rfc822\":[\"a@example.com.\"]}",
	  "SANs.rfc822: 'a@example.com.' is not an email address" },
	{ "{\"ms_ntprincipalname\":[\"noat\"]}",
	  "SANs.ms_ntprincipalname: 'noat' is not a user principal name" },
	{ "{\"ms_ntprincipalname\":[\"@corp\"]}",
	  "SANs.ms_ntprincipalname: '@corp' is not a user principal name" },
	{ "{\"ms_ntprincipalname\":[\"a\\tb@corp\"]}",
	  "SANs.ms_ntprincipalname: 'a\tb@corp' is not a user principal "
	  "name" },
	{ "{\"registeredid\":[\"1.2.a\"]}",
	  "SANs.registeredid: '1.2.a' is not an OID" },
	{ "{\"registeredid\":[\"3.1\"]}",
	  "SANs.registeredid: '3.1' is not an OID" },
	{ "{\"registeredid\":[\"1.02\"]}",
	  "SANs.registeredid: '1.02' is not an OID" },
	{ "{\"registeredid\":[\"commonName\"]}",
	  "SANs.registeredid: 'commonName' is not an OID" },
	{ "{\"directory\":[\"CN=\\\"x\"]}",
	  "SANs.directory: 'CN=\"x' is not a valid X.500 name "
	  "(unterminated quote at position 4)" },
	{ "{\"directory\":[\"\"]}",
	  "SANs.directory: '' is not a valid X.500 name" },
	{ "{\"x400\":[\"x\"]}", "SANs.x400: not supported" },
	{ "{\"Other\":[\"x\"]}", "SANs.Other: not supported" },
	{ "{\"ediparty\":\"x\"}", "SANs.ediparty: not supported" },
	{ "{\"ms_ntdsreplication\":[\"x\"]}",
	  "SANs.ms_ntdsreplication: not supported" },
	{ "{\"email\":[\"a@b.example\"]}", "SANs.email: unknown SAN type" },
	{ "{\"upn\":\"a@b\"}", "SANs.upn: unknown SAN type" },
	{ "{\"dns\":[1]}", "SANs.dns[0]: must be a string" },
	{ "{\"dns\":[\"a.example\",null]}", "SANs.dns[1]: must be a string" },
	{ "{\"dns\":[[\"a.example\"]]}", "SANs.dns[0]: must be a string" },
	{ "{\"dns\":{\"a\":1}}", "SANs.dns: must be an array of strings" },
	{ "{\"dns\":true}", "SANs.dns: must be an array of strings" },
	{ "{\"dns\":[\"a\\u0000b.example\"]}",
	  "SANs.dns: value contains a NUL character" },
	{ "{\"ip4\":[\"10.0.0.1\"],\"dns\":[\"bad..name\"]}",
	  "SANs.dns: 'bad..name' is not a valid DNS name" },
};

static json_object *
parse_json(const char *text)
{
	json_object *j;

	j = json_tokener_parse(text);
	if (j == NULL && strcmp(text, "null") != 0)
		fail_msg("test JSON does not parse: %s", text);
	return j;
}

/* Checks names against want: count, GEN_ type, Keyfactor type, text. */
static void
check_names(const char *in, GENERAL_NAMES *names, const struct want *want)
{
	GENERAL_NAME *gn;
	char buf[256];
	int i, n, kf;

	for (n = 0; n < MAXSAN && want[n].text != NULL; n++)
		continue;
	if (sk_GENERAL_NAME_num(names) != n)
		fail_msg("%s: %d names, want %d", in,
		    sk_GENERAL_NAME_num(names), n);
	for (i = 0; i < n; i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type != want[i].gen)
			fail_msg("%s name %d: GEN type %d, want %d", in, i,
			    gn->type, want[i].gen);
		kf = san_describe(gn, buf, sizeof(buf));
		if (kf != want[i].kf || strcmp(buf, want[i].text) != 0)
			fail_msg("%s name %d: %d '%s', want %d '%s'", in, i,
			    kf, buf, want[i].kf, want[i].text);
	}
}

/* DER out and back: what a certificate carries describes the same. */
static void
check_der(const char *in, GENERAL_NAMES *names, const struct want *want)
{
	GENERAL_NAMES *back;
	unsigned char *der = NULL;
	const unsigned char *p;
	int len;

	assert_true((len = i2d_GENERAL_NAMES(names, &der)) > 0);
	p = der;
	assert_non_null(back = d2i_GENERAL_NAMES(NULL, &p, len));
	check_names(in, back, want);
	GENERAL_NAMES_free(back);
	OPENSSL_free(der);
}

static void
test_valid(void **state)
{
	struct ce_error err;
	GENERAL_NAMES *names;
	json_object *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		j = parse_json(valid[i].json);
		ce_error_clear(&err);
		names = NULL;
		if (san_parse(j, &names, &err) != CE_OK)
			fail_msg("%s rejected: %s", valid[i].json, err.msg);
		assert_non_null(names);
		check_names(valid[i].json, names, valid[i].names);
		if (sk_GENERAL_NAME_num(names) > 0)
			check_der(valid[i].json, names, valid[i].names);
		GENERAL_NAMES_free(names);
		json_object_put(j);
	}
	/* A NULL object is an empty list too. */
	assert_int_equal(san_parse(NULL, &names, NULL), CE_OK);
	assert_int_equal(sk_GENERAL_NAME_num(names), 0);
	GENERAL_NAMES_free(names);
}

static void
test_invalid(void **state)
{
	struct ce_error err;
	GENERAL_NAMES *names;
	json_object *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		j = parse_json(invalid[i].json);
		ce_error_clear(&err);
		names = (GENERAL_NAMES *)&names;	/* must become NULL */
		if (san_parse(j, &names, &err) != CE_INVAL)
			fail_msg("%s accepted", invalid[i].json);
		assert_null(names);
		assert_int_equal(err.code, CE_INVAL);
		if (strcmp(err.msg, invalid[i].msg) != 0)
			fail_msg("%s: message '%s', want '%s'",
			    invalid[i].json, err.msg, invalid[i].msg);
		assert_int_equal(san_parse(j, &names, NULL), CE_INVAL);
		json_object_put(j);
	}
}

/* Fills buf with labels of lab characters joined by dots, total chars. */
static void
make_name(char *buf, size_t total, size_t lab)
{
	size_t i;

	for (i = 0; i < total; i++)
		buf[i] = (i + 1) % (lab + 1) == 0 ? '.' : 'a';
	buf[total] = '\0';
}

static void
test_dns_valid(void **state)
{
	static const struct {
		const char	*name;
		int		 ok;
	} tab[] = {
		{ "a.example.com", 1 }, { "A.EXAMPLE.COM", 1 },
		{ "*.example.com", 1 }, { "a.example.com.", 1 },
		{ "localhost", 1 }, { "1.2.3.4", 1 }, { "a-b-c.example", 1 },
		{ "x", 1 }, { "*.x", 1 },
		{ NULL, 0 }, { "", 0 }, { ".", 0 }, { "*", 0 }, { "*.", 0 },
		{ "a..b", 0 }, { ".a", 0 }, { "a.example.com..", 0 },
		{ "-a", 0 }, { "a-", 0 }, { "a.-b", 0 }, { "a_b", 0 },
		{ "a b", 0 }, { "a.*.b", 0 }, { "*.*.b", 0 }, { "a*.b", 0 },
		{ "b\xc3\xbc" "cher.example", 0 }, { "a/b", 0 },
	};
	char buf[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (san_dns_valid(tab[i].name) != tab[i].ok)
			fail_msg("san_dns_valid('%s') != %d",
			    tab[i].name ? tab[i].name : "(null)", tab[i].ok);

	/* Label 63 yes, 64 no. */
	make_name(buf, 63, 63);
	assert_int_equal(san_dns_valid(buf), 1);
	make_name(buf, 64, 64);
	assert_int_equal(san_dns_valid(buf), 0);
	/* 253 characters yes (254 with the trailing dot), 254 no. */
	make_name(buf, 253, 50);
	assert_int_equal(san_dns_valid(buf), 1);
	strcat(buf, ".");
	assert_int_equal(san_dns_valid(buf), 1);
	make_name(buf, 254, 50);
	buf[253] = 'a';
	assert_int_equal(san_dns_valid(buf), 0);
}

/* The UPN's DER is the otherName Microsoft's CAs write. */
static void
test_upn_der(void **state)
{
	static const unsigned char want[] = {
		0xa0, 0x20,				/* [0] otherName */
		0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37,
		0x14, 0x02, 0x03,		/* 1.3.6.1.4.1.311.20.2.3 */
		0xa0, 0x12,				/* [0] EXPLICIT */
		0x0c, 0x10,				/* UTF8String */
		'a', 'n', 'n', '@', 'c', 'o', 'r', 'p',
		'.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	};
	GENERAL_NAMES *names;
	unsigned char *der = NULL;
	json_object *j;
	int len;

	(void)state;
	j = parse_json("{\"ms_ntprincipalname\":[\"ann@corp.example\"]}");
	assert_int_equal(san_parse(j, &names, NULL), CE_OK);
	len = i2d_GENERAL_NAME(sk_GENERAL_NAME_value(names, 0), &der);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(der, want, sizeof(want));
	OPENSSL_free(der);
	GENERAL_NAMES_free(names);
	json_object_put(j);
}

static void
test_describe(void **state)
{
	GENERAL_NAME *gn;
	ASN1_OCTET_STRING *os;
	ASN1_IA5STRING *s;
	ASN1_TYPE *v;
	ASN1_UTF8STRING *u;
	char buf[16];

	(void)state;
	assert_int_equal(san_describe(NULL, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");

	/* A DNS name that fits exactly, and one byte too long. */
	assert_non_null(gn = GENERAL_NAME_new());
	assert_non_null(s = ASN1_IA5STRING_new());
	assert_true(ASN1_STRING_set(s, "abc.example", -1));
	GENERAL_NAME_set0_value(gn, GEN_DNS, s);
	assert_int_equal(san_describe(gn, buf, 12), 2);
	assert_string_equal(buf, "abc.example");
	assert_int_equal(san_describe(gn, buf, 11), -1);
	assert_string_equal(buf, "");
	assert_int_equal(san_describe(gn, buf, 0), -1);
	GENERAL_NAME_free(gn);

	/* An iPAddress of neither 4 nor 16 bytes (a name constraint). */
	assert_non_null(gn = GENERAL_NAME_new());
	assert_non_null(os = ASN1_OCTET_STRING_new());
	assert_true(ASN1_OCTET_STRING_set(os,
	    (const unsigned char *)"\x0a\0\0\0\xff\0\0\0", 8));
	GENERAL_NAME_set0_value(gn, GEN_IPADD, os);
	assert_int_equal(san_describe(gn, buf, sizeof(buf)), -1);
	GENERAL_NAME_free(gn);

	/* An otherName that is not a UPN: type 0 with its string. */
	assert_non_null(gn = GENERAL_NAME_new());
	assert_non_null(v = ASN1_TYPE_new());
	assert_non_null(u = ASN1_UTF8STRING_new());
	assert_true(ASN1_STRING_set(u, "xyz", -1));
	ASN1_TYPE_set(v, V_ASN1_UTF8STRING, u);
	assert_true(GENERAL_NAME_set0_othername(gn,
	    OBJ_txt2obj("1.2.3.4", 1), v));
	assert_int_equal(san_describe(gn, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "xyz");
	GENERAL_NAME_free(gn);

	/* A UPN written as another string type is still a UPN. */
	assert_non_null(gn = GENERAL_NAME_new());
	assert_non_null(v = ASN1_TYPE_new());
	assert_non_null(s = ASN1_IA5STRING_new());
	assert_true(ASN1_STRING_set(s, "u@d", -1));
	ASN1_TYPE_set(v, V_ASN1_IA5STRING, s);
	assert_true(GENERAL_NAME_set0_othername(gn,
	    OBJ_nid2obj(NID_ms_upn), v));
	assert_int_equal(san_describe(gn, buf, sizeof(buf)), 100);
	assert_string_equal(buf, "u@d");
	GENERAL_NAME_free(gn);

	/* An otherName holding no string cannot be shown. */
	assert_non_null(gn = GENERAL_NAME_new());
	assert_non_null(v = ASN1_TYPE_new());
	assert_true(ASN1_TYPE_set1(v, V_ASN1_NULL, NULL));
	assert_true(GENERAL_NAME_set0_othername(gn,
	    OBJ_txt2obj("1.2.3.4", 1), v));
	assert_int_equal(san_describe(gn, buf, sizeof(buf)), -1);
	GENERAL_NAME_free(gn);

	/* A registeredID too long for buf. */
	assert_non_null(gn = GENERAL_NAME_new());
	GENERAL_NAME_set0_value(gn, GEN_RID,
	    OBJ_txt2obj("1.3.6.1.4.1.311.20.2.3", 1));
	assert_int_equal(san_describe(gn, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	GENERAL_NAME_free(gn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_dns_valid),
		cmocka_unit_test(test_upn_der),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
