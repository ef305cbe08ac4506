/*
 * test_x500.c - x500: subject strings to X509_NAME (entries, values,
 * multi-valued RDN sets), their error messages, commonName, formatting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "error.h"
#include "x500.h"

#define MAXENT	8

/* One expected entry: NID, value bytes (UTF-8), RDN set number. */
struct ent {
	int		 nid;
	const char	*val;
	int		 set;
};

static const struct {
	const char	*in;
	struct ent	 ents[MAXENT];	/* ends at val NULL */
	const char	*fmt;		/* x500_format() of the result */
} valid[] = {
	{ "CN=websrvr14.keyexample.com,OU=IT,O=\"Key Example, Inc.\","
	  "L=Independence,ST=OH,C=US",
	  { { NID_commonName, "websrvr14.keyexample.com", 0 },
	    { NID_organizationalUnitName, "IT", 1 },
	    { NID_organizationName, "Key Example, Inc.", 2 },
	    { NID_localityName, "Independence", 3 },
	    { NID_stateOrProvinceName, "OH", 4 },
	    { NID_countryName, "US", 5 } },
	  "CN=websrvr14.keyexample.com, OU=IT, O=Key Example\\, Inc., "
	  "L=Independence, ST=OH, C=US" },
	{ "", { { 0, NULL, 0 } }, "" },
	{ "   ", { { 0, NULL, 0 } }, "" },
	{ "CN=a", { { NID_commonName, "a", 0 } }, "CN=a" },
	{ "cn=a", { { NID_commonName, "a", 0 } }, "CN=a" },
	{ "  CN  =  a b  ,  O = x  ",
	  { { NID_commonName, "a b", 0 },
	    { NID_organizationName, "x", 1 } }, "CN=a b, O=x" },
	{ "\tCN=a\t,\tO=b\t",
	  { { NID_commonName, "a", 0 },
	    { NID_organizationName, "b", 1 } }, "CN=a, O=b" },
	{ "CN=a;O=b",
	  { { NID_commonName, "a", 0 },
	    { NID_organizationName, "b", 1 } }, "CN=a, O=b" },
	{ "CN=a+UID=b,O=c",
	  { { NID_commonName, "a", 0 }, { NID_userId, "b", 0 },
	    { NID_organizationName, "c", 1 } }, "CN=a + UID=b, O=c" },
	{ "CN=a + UID=b + E=c@d.example",
	  { { NID_commonName, "a", 0 }, { NID_userId, "b", 0 },
	    { NID_pkcs9_emailAddress, "c@d.example", 0 } },
	  "CN=a + UID=b + E=c@d.example" },
	{ "O=x,CN=a+UID=b,C=DE",
	  { { NID_organizationName, "x", 0 }, { NID_commonName, "a", 1 },
	    { NID_userId, "b", 1 }, { NID_countryName, "DE", 2 } },
	  "O=x, CN=a + UID=b, C=DE" },
	{ "CN=a\\,b", { { NID_commonName, "a,b", 0 } }, "CN=a\\,b" },
	{ "CN=\"a\\\"b\"", { { NID_commonName, "a\"b", 0 } },
	  "CN=a\\\"b" },
	{ "CN=\"a,b;c+d\"", { { NID_commonName, "a,b;c+d", 0 } },
	  "CN=a\\,b\\;c\\+d" },
	{ "CN=\"  padded  \"", { { NID_commonName, "  padded  ", 0 } },
	  "CN=\\  padded \\ " },
	{ "CN=\\ x\\ ", { { NID_commonName, " x ", 0 } }, "CN=\\ x\\ " },
	{ "CN=\\48\\69", { { NID_commonName, "Hi", 0 } }, "CN=Hi" },
	{ "CN=caf\\C3\\A9", { { NID_commonName, "caf\xc3\xa9", 0 } },
	  "CN=caf\xc3\xa9" },
	{ "CN=caf\xc3\xa9", { { NID_commonName, "caf\xc3\xa9", 0 } },
	  "CN=caf\xc3\xa9" },
	{ "CN=\xe6\x97\xa5\xe6\x9c\xac", { { NID_commonName,
	  "\xe6\x97\xa5\xe6\x9c\xac", 0 } }, "CN=\xe6\x97\xa5\xe6\x9c\xac" },
	{ "CN=\\#1", { { NID_commonName, "#1", 0 } }, "CN=\\#1" },
	{ "CN=#1", { { NID_commonName, "#1", 0 } }, "CN=\\#1" },
	{ "CN=a=b", { { NID_commonName, "a=b", 0 } }, "CN=a=b" },
	{ "CN=a\\\\b", { { NID_commonName, "a\\b", 0 } }, "CN=a\\\\b" },
	{ "CN=<x>", { { NID_commonName, "<x>", 0 } }, "CN=\\<x\\>" },
	{ "CN=\"\\41\"", { { NID_commonName, "A", 0 } }, "CN=A" },
	{ "CN=\"\\;\\+\"", { { NID_commonName, ";+", 0 } },
	  "CN=\\;\\+" },
	{ "S=OH", { { NID_stateOrProvinceName, "OH", 0 } }, "ST=OH" },
	{ "st=Ohio", { { NID_stateOrProvinceName, "Ohio", 0 } },
	  "ST=Ohio" },
	{ "EMAILADDRESS=a@b.example",
	  { { NID_pkcs9_emailAddress, "a@b.example", 0 } },
	  "E=a@b.example" },
	{ "e=a@b.example", { { NID_pkcs9_emailAddress, "a@b.example", 0 } },
	  "E=a@b.example" },
	{ "STREET=1 Main St,SERIALNUMBER=A-1234,DC=example,DC=com,"
	  "T=Engineer,G=Ann,SN=Smith",
	  { { NID_streetAddress, "1 Main St", 0 },
	    { NID_serialNumber, "A-1234", 1 },
	    { NID_domainComponent, "example", 2 },
	    { NID_domainComponent, "com", 3 },
	    { NID_title, "Engineer", 4 }, { NID_givenName, "Ann", 5 },
	    { NID_surname, "Smith", 6 } },
	  "STREET=1 Main St, SERIALNUMBER=A-1234, DC=example, DC=com, "
	  "T=Engineer, G=Ann, SN=Smith" },
	{ "2.5.4.3=a", { { NID_commonName, "a", 0 } }, "CN=a" },
	{ "1.2.3.4=x", { { NID_undef, "x", 0 } }, "1.2.3.4=x" },
	{ "1.3.6.1.4.1.311.60.2.1.3=US",
	  { { NID_jurisdictionCountryName, "US", 0 } },
	  "1.3.6.1.4.1.311.60.2.1.3=US" },
	{ "C=us", { { NID_countryName, "us", 0 } }, "C=us" },
	{ "CN=x,CN=y",
	  { { NID_commonName, "x", 0 }, { NID_commonName, "y", 1 } },
	  "CN=x, CN=y" },
	{ "CN=O'Brien (ops) / 50%", { { NID_commonName,
	  "O'Brien (ops) / 50%", 0 } }, "CN=O'Brien (ops) / 50%" },
};

static const struct {
	const char	*in;
	const char	*msg;
} invalid[] = {
	{ "CN=a,O=\"Key", "Subject: unterminated quote at position 8" },
	{ "CN=\"a\\\"", "Subject: unterminated quote at position 4" },
	{ "XX=a", "Subject: unknown attribute 'XX'" },
	{ "commonName=a", "Subject: unknown attribute 'commonName'" },
	{ "OID.2.5.4.3=a", "Subject: unknown attribute 'OID.2.5.4.3'" },
	{ "CN=a,EMAIL=b@c", "Subject: unknown attribute 'EMAIL'" },
	{ "CN=", "Subject: empty value for CN" },
	{ "cn=  ,O=a", "Subject: empty value for CN" },
	{ "CN=\"\"", "Subject: empty value for CN" },
	{ "CN=a,O=", "Subject: empty value for O" },
	{ "CN", "Subject: expected '=' after CN at position 3" },
	{ "CN a", "Subject: expected '=' after CN at position 4" },
	{ "=a", "Subject: missing attribute name at position 1" },
	{ "CN=a,,O=b", "Subject: missing attribute at position 6" },
	{ "CN=a,", "Subject: missing attribute at position 6" },
	{ "CN=a , ", "Subject: missing attribute at position 8" },
	{ ",CN=a", "Subject: missing attribute at position 1" },
	{ "CN=a+", "Subject: missing attribute at position 6" },
	{ "CN=a,@=b", "Subject: unexpected character at position 6" },
	{ "CN=a\\", "Subject: invalid escape at position 5" },
	{ "CN=a\\q", "Subject: invalid escape at position 5" },
	{ "CN=a\\4", "Subject: invalid escape at position 5" },
	{ "CN=a\\4g", "Subject: invalid escape at position 5" },
	{ "CN=\"a\\x\"", "Subject: invalid escape at position 6" },
	{ "CN=\"a\"b", "Subject: expected ',' or '+' at position 7" },
	{ "CN=\"a\" \"b\"", "Subject: expected ',' or '+' at position 8" },
	{ "CN=a\"b", "Subject: unexpected quote at position 5" },
	{ "C=USA", "Subject: C must be a two-letter country code" },
	{ "C=U1", "Subject: C must be a two-letter country code" },
	{ "C=U", "Subject: C must be a two-letter country code" },
	{ "2.5.4.6=USA",
	  "Subject: 2.5.4.6 must be a two-letter country code" },
	{ "CN=\\C3", "Subject: value for CN is not valid UTF-8" },
	{ "CN=\\C0\\AF", "Subject: value for CN is not valid UTF-8" },
	{ "CN=\\ED\\A0\\80", "Subject: value for CN is not valid UTF-8" },
	{ "CN=\\F4\\90\\80\\80", "Subject: value for CN is not valid UTF-8" },
	{ "O=\xff", "Subject: value for O is not valid UTF-8" },
	{ "CN=a\\0Ab", "Subject: value for CN contains a control character" },
	{ "CN=a\\00", "Subject: value for CN contains a control character" },
	{ "CN=a\\7F", "Subject: value for CN contains a control character" },
	{ "E=caf\\C3\\A9@x", "Subject: value for E must be ASCII" },
	{ "DC=ex\xc3\xa9", "Subject: value for DC must be ASCII" },
	{ "SERIALNUMBER=a_b", "Subject: value for SERIALNUMBER may only "
	  "contain letters, digits, spaces and ' ( ) + , - . / : = ?" },
	{ "1.2.=a", "Subject: invalid OID '1.2.'" },
	{ "1.02.3=a", "Subject: invalid OID '1.02.3'" },
	{ "3.1=a", "Subject: invalid OID '3.1'" },
	{ "1=a", "Subject: invalid OID '1'" },
	{ "1.2..3=a", "Subject: invalid OID '1.2..3'" },
	{ "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKL=a",
	  "Subject: unknown attribute 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF...'" },
};

/* Checks name against the expected entries; names the case when not. */
static void
check_entries(const char *in, const X509_NAME *name, const struct ent *want)
{
	const X509_NAME_ENTRY *ne;
	const ASN1_STRING *v;
	int i, n;

	for (n = 0; n < MAXENT && want[n].val != NULL; n++)
		continue;
	if (X509_NAME_entry_count(name) != n)
		fail_msg("'%s': %d entries, want %d", in,
		    X509_NAME_entry_count(name), n);
	for (i = 0; i < n; i++) {
		ne = X509_NAME_get_entry(name, i);
		v = X509_NAME_ENTRY_get_data(ne);
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne)) != want[i].nid)
			fail_msg("'%s' entry %d: nid %d, want %d", in, i,
			    OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne)),
			    want[i].nid);
		if ((size_t)ASN1_STRING_length(v) != strlen(want[i].val) ||
		    memcmp(ASN1_STRING_get0_data(v), want[i].val,
		    strlen(want[i].val)) != 0)
			fail_msg("'%s' entry %d: value '%.*s', want '%s'", in,
			    i, ASN1_STRING_length(v),
			    (const char *)ASN1_STRING_get0_data(v),
			    want[i].val);
		if (X509_NAME_ENTRY_set(ne) != want[i].set)
			fail_msg("'%s' entry %d: set %d, want %d", in, i,
			    X509_NAME_ENTRY_set(ne), want[i].set);
	}
}

static void
test_valid(void **state)
{
	struct ce_error err;
	X509_NAME *name, *back;
	char *fmt;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		ce_error_clear(&err);
		name = NULL;
		if (x500_parse(valid[i].in, &name, &err) != CE_OK)
			fail_msg("'%s' rejected: %s", valid[i].in, err.msg);
		assert_non_null(name);
		check_entries(valid[i].in, name, valid[i].ents);

		/* Formatted as the API shows it, and read back the same. */
		assert_non_null(fmt = x500_format(name));
		if (strcmp(fmt, valid[i].fmt) != 0)
			fail_msg("'%s' formats as '%s', want '%s'",
			    valid[i].in, fmt, valid[i].fmt);
		back = NULL;
		if (x500_parse(fmt, &back, &err) != CE_OK)
			fail_msg("'%s' does not parse back: %s", fmt, err.msg);
		check_entries(fmt, back, valid[i].ents);
		assert_int_equal(X509_NAME_cmp(name, back), 0);
		free(fmt);
		X509_NAME_free(back);
		X509_NAME_free(name);
	}
}

static void
test_invalid(void **state)
{
	struct ce_error err;
	X509_NAME *name;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		ce_error_clear(&err);
		name = (X509_NAME *)&name;	/* must become NULL */
		if (x500_parse(invalid[i].in, &name, &err) != CE_INVAL)
			fail_msg("'%s' accepted", invalid[i].in);
		assert_null(name);
		assert_int_equal(err.code, CE_INVAL);
		if (strcmp(err.msg, invalid[i].msg) != 0)
			fail_msg("'%s': message '%s', want '%s'",
			    invalid[i].in, err.msg, invalid[i].msg);
		/* err may be NULL. */
		assert_int_equal(x500_parse(invalid[i].in, &name, NULL),
		    CE_INVAL);
	}
}

/* Parses NAME=<n copies of unit>; returns the result code. */
static enum ce_err
parse_repeat(const char *attr, const char *unit, size_t n,
    struct ce_error *err)
{
	X509_NAME *name = NULL;
	enum ce_err rc;
	char *s;
	size_t i, len;

	len = strlen(attr) + 1 + n * strlen(unit) + 1;
	assert_non_null(s = malloc(len));
	snprintf(s, len, "%s=", attr);
	for (i = 0; i < n; i++)
		strcat(s, unit);
	rc = x500_parse(s, &name, err);
	X509_NAME_free(name);
	free(s);
	return rc;
}

/* Upper bounds, counted in characters, not bytes. */
static void
test_lengths(void **state)
{
	static const struct {
		const char	*attr;
		size_t		 max;
		const char	*label;
	} tab[] = {
		{ "CN", 64, "CN" }, { "O", 64, "O" }, { "OU", 64, "OU" },
		{ "L", 128, "L" }, { "ST", 128, "ST" }, { "S", 128, "ST" },
		{ "STREET", 128, "STREET" }, { "E", 128, "E" },
		{ "SERIALNUMBER", 64, "SERIALNUMBER" }, { "DC", 63, "DC" },
		{ "T", 64, "T" }, { "G", 64, "G" }, { "SN", 64, "SN" },
		{ "UID", 64, "UID" }, { "1.2.3.4", 64, "1.2.3.4" },
		{ "2.5.4.3", 64, "2.5.4.3" },
	};
	struct ce_error err;
	char want[CE_ERRMSG_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		assert_int_equal(parse_repeat(tab[i].attr, "a", tab[i].max,
		    &err), CE_OK);
		assert_int_equal(parse_repeat(tab[i].attr, "a",
		    tab[i].max + 1, &err), CE_INVAL);
		snprintf(want, sizeof(want), "Subject: value for %s is "
		    "longer than %zu characters", tab[i].label, tab[i].max);
		assert_string_equal(err.msg, want);
	}
	/* 64 two-byte characters are 64 characters. */
	assert_int_equal(parse_repeat("CN", "\xc3\xa9", 64, &err), CE_OK);
	assert_int_equal(parse_repeat("CN", "\xc3\xa9", 65, &err), CE_INVAL);
	/* Escaped characters count once. */
	assert_int_equal(parse_repeat("CN", "\\,", 64, &err), CE_OK);
}

/* The ASN.1 string types OpenSSL picks for MBSTRING_UTF8 input. */
static void
test_string_types(void **state)
{
	static const struct {
		const char	*in;
		int		 type;
	} tab[] = {
		{ "CN=a", V_ASN1_UTF8STRING },
		{ "O=a", V_ASN1_UTF8STRING },
		{ "C=US", V_ASN1_PRINTABLESTRING },
		{ "E=a@b", V_ASN1_IA5STRING },
		{ "DC=com", V_ASN1_IA5STRING },
		{ "SERIALNUMBER=12", V_ASN1_PRINTABLESTRING },
		{ "1.2.3.4=x", V_ASN1_UTF8STRING },
	};
	X509_NAME *name;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		assert_int_equal(x500_parse(tab[i].in, &name, NULL), CE_OK);
		assert_int_equal(ASN1_STRING_type(X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(name, 0))), tab[i].type);
		X509_NAME_free(name);
	}
}

static void
test_common_name(void **state)
{
	static const struct {
		const char	*in;
		const char	*cn;
	} tab[] = {
		{ "CN=a.example.com,O=x", "a.example.com" },
		{ "O=x,CN=b", "b" },
		{ "CN=first,CN=second", "first" },
		{ "UID=u+CN=multi", "multi" },
		{ "O=no cn", "" },
		{ "", "" },
		{ "CN=caf\xc3\xa9", "caf\xc3\xa9" },
		{ "2.5.4.3=oid", "oid" },
	};
	X509_NAME *name;
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		assert_int_equal(x500_parse(tab[i].in, &name, NULL), CE_OK);
		memset(buf, 'x', sizeof(buf));
		assert_int_equal(x500_common_name(name, buf, sizeof(buf)),
		    CE_OK);
		assert_string_equal(buf, tab[i].cn);
		X509_NAME_free(name);
	}

	/* Exactly fits, one short, no room at all. */
	assert_int_equal(x500_parse("CN=abcd", &name, NULL), CE_OK);
	assert_int_equal(x500_common_name(name, buf, 5), CE_OK);
	assert_string_equal(buf, "abcd");
	assert_int_equal(x500_common_name(name, buf, 4), CE_INVAL);
	assert_string_equal(buf, "");
	assert_int_equal(x500_common_name(name, buf, 0), CE_INVAL);
	X509_NAME_free(name);
	assert_int_equal(x500_common_name(NULL, buf, sizeof(buf)), CE_OK);
	assert_string_equal(buf, "");

	/* From a foreign certificate: BMPString converts, a NUL is refused. */
	assert_non_null(name = X509_NAME_new());
	assert_true(X509_NAME_add_entry_by_NID(name, NID_commonName,
	    V_ASN1_BMPSTRING, (const unsigned char *)"\0h\0\xe9", 4, -1, 0));
	assert_int_equal(x500_common_name(name, buf, sizeof(buf)), CE_OK);
	assert_string_equal(buf, "h\xc3\xa9");
	X509_NAME_free(name);
	assert_non_null(name = X509_NAME_new());
	assert_true(X509_NAME_add_entry_by_NID(name, NID_commonName,
	    V_ASN1_UTF8STRING, (const unsigned char *)"a\0b", 3, -1, 0));
	assert_int_equal(x500_common_name(name, buf, sizeof(buf)), CE_INVAL);
	assert_string_equal(buf, "");
	X509_NAME_free(name);
}

static void
test_format_other(void **state)
{
	X509_NAME *name;
	char *s;

	(void)state;
	/* A NULL or empty name is "". */
	assert_non_null(s = x500_format(NULL));
	assert_string_equal(s, "");
	free(s);
	/* Non-UTF8 string types come out as UTF-8; controls are escaped. */
	assert_non_null(name = X509_NAME_new());
	assert_true(X509_NAME_add_entry_by_NID(name, NID_commonName,
	    V_ASN1_BMPSTRING, (const unsigned char *)"\0h\0\xe9", 4, -1, 0));
	assert_true(X509_NAME_add_entry_by_NID(name, NID_organizationName,
	    V_ASN1_UTF8STRING, (const unsigned char *)"a\nb", 3, -1, 0));
	assert_non_null(s = x500_format(name));
	assert_string_equal(s, "CN=h\xc3\xa9, O=a\\0Ab");
	free(s);
	X509_NAME_free(name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_string_types),
		cmocka_unit_test(test_common_name),
		cmocka_unit_test(test_format_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
