/*
 * test_query.c - pq.queryString parsing, paging and flag parameters.
 * Tables of valid queries with the terms they give, invalid queries with a
 * piece of their message, and query-parameter sets for paging.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "error.h"
#include "query.h"

#define TP	"0123456789ABCDEF0123456789ABCDEF01234567"

struct want_term {
	enum query_field	 field;
	const char		*text;
	int64_t			 num;
};

static const struct {
	const char		*in;
	size_t			 n;
	struct want_term	 t[3];
} valid[] = {
	{ "", 0, { { 0 } } },
	{ "   ", 0, { { 0 } } },
	{ "Thumbprint -eq \"" TP "\"", 1, { { QF_THUMBPRINT, TP, 0 } } },
	{ "Thumbprint -eq " TP, 1, { { QF_THUMBPRINT, TP, 0 } } },
	{ "thumbprint -EQ \"" TP "\"", 1, { { QF_THUMBPRINT, TP, 0 } } },
	{ "THUMBPRINT -Eq " TP "  ", 1, { { QF_THUMBPRINT, TP, 0 } } },
	{ "  Thumbprint\t-eq\t\"ab\"", 1, { { QF_THUMBPRINT, "ab", 0 } } },
	{ "CertRequestId -eq 42", 1, { { QF_CERTREQUESTID, "42", 42 } } },
	{ "CertRequestId -eq \"42\"", 1, { { QF_CERTREQUESTID, "42", 42 } } },
	{ "certrequestid -eq 007", 1, { { QF_CERTREQUESTID, "007", 7 } } },
	{ "Id -eq 9223372036854775807", 1,
	    { { QF_ID, "9223372036854775807", INT64_MAX } } },
	{ "id -eq 1", 1, { { QF_ID, "1", 1 } } },
	{ "IssuedCN -eq \"web1.example.com\"", 1,
	    { { QF_ISSUEDCN, "web1.example.com", 0 } } },
	{ "IssuedCN -eq web1.example.com", 1,
	    { { QF_ISSUEDCN, "web1.example.com", 0 } } },
	{ "IssuedCN -eq \"Key Example, Inc. web\"", 1,
	    { { QF_ISSUEDCN, "Key Example, Inc. web", 0 } } },
	{ "IssuedCN -eq \"\"", 1, { { QF_ISSUEDCN, "", 0 } } },
	{ "IssuedCN -eq \"say \\\"hi\\\"\"", 1,
	    { { QF_ISSUEDCN, "say \"hi\"", 0 } } },
	{ "IssuedCN -eq \"back\\\\slash\"", 1,
	    { { QF_ISSUEDCN, "back\\slash", 0 } } },
	{ "IssuedCN -eq \"a\\b\"", 1, { { QF_ISSUEDCN, "a\\b", 0 } } },
	{ "IssuedCN -eq \"caf\xc3\xa9\"", 1, { { QF_ISSUEDCN, "caf\xc3\xa9", 0 } } },
	{ "SerialNumber -eq \"7F0A\"", 1, { { QF_SERIALNUMBER, "7F0A", 0 } } },
	{ "IssuedCN -eq \"a\" AND Thumbprint -eq " TP, 2,
	    { { QF_ISSUEDCN, "a", 0 }, { QF_THUMBPRINT, TP, 0 } } },
	{ "IssuedCN -eq a and CertRequestId -eq 3 And Id -eq 4", 3,
	    { { QF_ISSUEDCN, "a", 0 }, { QF_CERTREQUESTID, "3", 3 },
	      { QF_ID, "4", 4 } } },
	{ "IssuedCN -eq \"x AND y\"", 1, { { QF_ISSUEDCN, "x AND y", 0 } } },
};

static const struct {
	const char	*in;
	const char	*msg;	/* a piece of the message */
} invalid[] = {
	{ "Foo -eq 1", "pq.queryString: unknown field 'Foo'" },
	{ "IssuedDN -eq \"CN=a\"", "unknown field 'IssuedDN'" },
	{ "Thumbprint", "operator is missing after 'Thumbprint'" },
	{ "Thumbprint   ", "operator is missing" },
	{ "Thumbprint -eq", "value is missing after 'Thumbprint -eq'" },
	{ "Thumbprint -eq   ", "value is missing" },
	{ "Thumbprint -ne \"AB\"", "operator '-ne' at position 12 is not supported" },
	{ "IssuedCN -contains web", "operator '-contains'" },
	{ "Thumbprint = AB", "expected an operator after 'Thumbprint'" },
	{ "Thumbprint -eq \"AB", "unterminated quote at position 16" },
	{ "IssuedCN -eq \"a\\\"", "unterminated quote" },
	{ "IssuedCN -eq \"a\"b", "expected a space after the closing quote" },
	{ "IssuedCN -eq a\"b", "unexpected quote at position 15" },
	{ "IssuedCN -eq \"a\tb\"", "control character" },
	{ "CertRequestId -eq abc", "CertRequestId: 'abc' at position 19 is not a "
	    "positive integer" },
	{ "CertRequestId -eq 0", "is not a positive integer" },
	{ "CertRequestId -eq -1", "is not a positive integer" },
	{ "CertRequestId -eq 1.5", "is not a positive integer" },
	{ "Id -eq 9223372036854775808", "is not a positive integer" },
	{ "Id -eq \"\"", "is not a positive integer" },
	{ "Id -eq 1 OR Id -eq 2", "OR at position 10 is not supported" },
	{ "Id -eq 1 XOR Id -eq 2", "expected AND at position 10, found 'XOR'" },
	{ "Id -eq 1 Id -eq 2", "expected AND" },
	{ "Id -eq 1 AND", "term is missing after AND" },
	{ "Id -eq 1 AND  ", "term is missing after AND" },
	{ "(Id -eq 1)", "parentheses are not supported" },
	{ "Id -eq 1 AND Id -eq 2 AND Id -eq 3 AND Id -eq 4 AND Id -eq 5 AND "
	    "Id -eq 6 AND Id -eq 7 AND Id -eq 8 AND Id -eq 9", "more than 8 terms" },
	{ "AND Id -eq 1", "unknown field 'AND'" },
	{ "-eq 1", "unknown field '-eq'" },
};

static void
test_valid(void **state)
{
	struct ce_error err;
	struct query q;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		ce_error_clear(&err);
		if (query_parse(valid[i].in, &q, &err) != CE_OK)
			fail_msg("'%s': %s", valid[i].in, err.msg);
		assert_int_equal(q.n, valid[i].n);
		for (j = 0; j < q.n; j++) {
			assert_int_equal(q.terms[j].field, valid[i].t[j].field);
			assert_string_equal(q.terms[j].text, valid[i].t[j].text);
			assert_true(q.terms[j].num == valid[i].t[j].num);
		}
	}
}

static void
test_invalid(void **state)
{
	struct ce_error err;
	struct query q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		ce_error_clear(&err);
		if (query_parse(invalid[i].in, &q, &err) != CE_INVAL)
			fail_msg("'%s' was accepted", invalid[i].in);
		if (strstr(err.msg, invalid[i].msg) == NULL)
			fail_msg("'%s': message '%s' lacks '%s'", invalid[i].in,
			    err.msg, invalid[i].msg);
		assert_non_null(strstr(err.msg, "pq.queryString: "));
	}
}

static void
test_null_and_limits(void **state)
{
	struct ce_error err;
	struct query q;
	char buf[QUERY_VALUE_MAX + 32];

	(void)state;
	assert_int_equal(query_parse(NULL, &q, &err), CE_OK);
	assert_int_equal(q.n, 0);
	/* A value of exactly QUERY_VALUE_MAX bytes fits, one more does not. */
	snprintf(buf, sizeof(buf), "IssuedCN -eq %0*d", QUERY_VALUE_MAX, 0);
	assert_int_equal(query_parse(buf, &q, &err), CE_OK);
	assert_int_equal(strlen(q.terms[0].text), QUERY_VALUE_MAX);
	snprintf(buf, sizeof(buf), "IssuedCN -eq %0*d", QUERY_VALUE_MAX + 1, 0);
	assert_int_equal(query_parse(buf, &q, &err), CE_INVAL);
	assert_non_null(strstr(err.msg, "longer than 256 bytes"));
	assert_string_equal(query_field_name(QF_CERTREQUESTID), "CertRequestId");
	assert_null(query_field_name(QF__MAX));
}

/* A query string as a NULL-terminated list of name, value pairs. */
static const char *
fake_lookup(void *arg, const char *name)
{
	const char *const *p;

	for (p = arg; p[0] != NULL; p += 2)
		if (strcasecmp(p[0], name) == 0)
			return p[1];
	return NULL;
}

static const struct {
	const char	*params[7];
	int64_t		 limit, page;
} paging_ok[] = {
	{ { NULL }, 50, 1 },
	{ { "ReturnLimit", "10", NULL }, 10, 1 },
	{ { "returnlimit", "10", "pagereturned", "3", NULL }, 10, 3 },
	{ { "pq.returnLimit", "7", "pq.pageReturned", "2", NULL }, 7, 2 },
	{ { "pagedQuery.returnLimit", "1000", NULL }, 1000, 1 },
	{ { "PAGEDQUERY.RETURNLIMIT", "5", "PagedQuery.PageReturned", "4", NULL },
	    5, 4 },
	{ { "ReturnLimit", "0", "PageReturned", "0", NULL }, 50, 1 },
	{ { "ReturnLimit", "", NULL }, 50, 1 },
	/* The bare name wins over the prefixed ones. */
	{ { "pq.ReturnLimit", "9", "ReturnLimit", "3", NULL }, 3, 1 },
	{ { "ReturnLimit", "2147483647", NULL }, 2147483647, 1 },
};

static const struct {
	const char	*params[5];
	const char	*msg;
} paging_bad[] = {
	{ { "ReturnLimit", "abc", NULL }, "ReturnLimit: 'abc' is not an integer" },
	{ { "ReturnLimit", "-1", NULL }, "ReturnLimit: '-1'" },
	{ { "pq.PageReturned", "1e3", NULL }, "pq.PageReturned: '1e3'" },
	{ { "pagedQuery.returnLimit", "2147483648", NULL },
	    "pagedQuery.ReturnLimit: '2147483648'" },
	{ { "PageReturned", " 2", NULL }, "PageReturned: ' 2'" },
};

static void
test_paging(void **state)
{
	struct ce_error err;
	struct paging pg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paging_ok) / sizeof(paging_ok[0]); i++) {
		if (query_paging(fake_lookup, (void *)paging_ok[i].params, &pg,
		    &err) != CE_OK)
			fail_msg("paging case %zu: %s", i, err.msg);
		assert_true(pg.limit == paging_ok[i].limit);
		assert_true(pg.page == paging_ok[i].page);
	}
	for (i = 0; i < sizeof(paging_bad) / sizeof(paging_bad[0]); i++) {
		ce_error_clear(&err);
		assert_int_equal(query_paging(fake_lookup,
		    (void *)paging_bad[i].params, &pg, &err), CE_INVAL);
		if (strstr(err.msg, paging_bad[i].msg) == NULL)
			fail_msg("paging bad %zu: '%s' lacks '%s'", i, err.msg,
			    paging_bad[i].msg);
	}
}

static void
test_offset(void **state)
{
	struct paging pg;

	(void)state;
	pg.limit = 50, pg.page = 1;
	assert_true(query_offset(&pg) == 0);
	pg.limit = 10, pg.page = 3;
	assert_true(query_offset(&pg) == 20);
	pg.limit = INT32_MAX, pg.page = INT32_MAX;
	assert_true(query_offset(&pg) == (int64_t)INT32_MAX * (INT32_MAX - 1));
	pg.limit = INT64_MAX, pg.page = 3;
	assert_true(query_offset(&pg) == INT64_MAX);
}

static void
test_filter_prefixes(void **state)
{
	const char *const p1[] = { "pq.queryString", "Id -eq 5", NULL };
	const char *const p2[] = { "PAGEDQUERY.QUERYSTRING", "Id -eq 6", NULL };
	const char *const p3[] = { "QueryString", "Id -eq 7", NULL };
	const char *const p4[] = { "pq.queryString", "Nope -eq 1", NULL };
	const char *const p5[] = { NULL };
	struct ce_error err;
	struct query q;

	(void)state;
	assert_int_equal(query_filter(fake_lookup, (void *)p1, &q, &err), CE_OK);
	assert_true(q.n == 1 && q.terms[0].num == 5);
	assert_int_equal(query_filter(fake_lookup, (void *)p2, &q, &err), CE_OK);
	assert_true(q.n == 1 && q.terms[0].num == 6);
	assert_int_equal(query_filter(fake_lookup, (void *)p3, &q, &err), CE_OK);
	assert_true(q.n == 1 && q.terms[0].num == 7);
	assert_int_equal(query_filter(fake_lookup, (void *)p4, &q, &err), CE_INVAL);
	assert_non_null(strstr(err.msg, "unknown field 'Nope'"));
	assert_int_equal(query_filter(fake_lookup, (void *)p5, &q, &err), CE_OK);
	assert_int_equal(q.n, 0);
}

static const struct {
	const char	*value;		/* NULL: absent */
	int		 rc, want;
} bools[] = {
	{ NULL, CE_OK, 0 },
	{ "", CE_OK, 0 },
	{ "true", CE_OK, 1 },
	{ "TRUE", CE_OK, 1 },
	{ "True", CE_OK, 1 },
	{ "1", CE_OK, 1 },
	{ "false", CE_OK, 0 },
	{ "False", CE_OK, 0 },
	{ "0", CE_OK, 0 },
	{ "yes", CE_INVAL, 0 },
	{ "2", CE_INVAL, 0 },
	{ "true ", CE_INVAL, 0 },
	{ "on", CE_INVAL, 0 },
};

static void
test_bool(void **state)
{
	const char *params[3] = { "includeLocations", NULL, NULL };
	const char *none[1] = { NULL };
	struct ce_error err;
	size_t i;
	int v;

	(void)state;
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		params[1] = bools[i].value;
		ce_error_clear(&err);
		v = -1;
		assert_int_equal(query_bool(fake_lookup, bools[i].value != NULL ?
		    (void *)params : (void *)none, "IncludeLocations", &v, &err),
		    bools[i].rc);
		assert_int_equal(v, bools[i].want);
		if (bools[i].rc != CE_OK)
			assert_non_null(strstr(err.msg, "is not a boolean"));
	}
}

static const struct {
	const char	*in;
	int64_t		 want;	/* 0: invalid */
} ids[] = {
	{ "1", 1 },
	{ "42", 42 },
	{ "0042", 42 },
	{ "9223372036854775807", INT64_MAX },
	{ "0", 0 },
	{ "", 0 },
	{ "abc", 0 },
	{ "-1", 0 },
	{ "+1", 0 },
	{ " 1", 0 },
	{ "1 ", 0 },
	{ "1.0", 0 },
	{ "0x10", 0 },
	{ "9223372036854775808", 0 },
	{ "99999999999999999999999", 0 },
};

static void
test_id(void **state)
{
	struct ce_error err;
	int64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		ce_error_clear(&err);
		if (ids[i].want > 0) {
			assert_int_equal(query_id(ids[i].in, "Id", &v, &err), CE_OK);
			assert_true(v == ids[i].want);
		} else {
			assert_int_equal(query_id(ids[i].in, "Id", &v, &err),
			    CE_INVAL);
			assert_non_null(strstr(err.msg, "is not a positive integer"));
			assert_non_null(strstr(err.msg, "Id: '"));
		}
	}
	assert_int_equal(query_id(NULL, "Id", &v, &err), CE_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_null_and_limits),
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_filter_prefixes),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
