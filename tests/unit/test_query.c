/*
 * test_query.c - pq.queryString parsing, paging and flag parameters.
 * Tables of valid queries with the tree they give (precedence,
 * parentheses, aliases, every operator), invalid queries with a piece of
 * their message, the values numbers and dates stand for, what each
 * operator says of a text or number, and query-parameter sets for paging.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "error.h"
#include "query.h"

#define TP	"0123456789ABCDEF0123456789ABCDEF01234567"

/* The parsed query as text: terms "Field op [value]" ('!' when the query
 * requires it), "(a AND b)", "(a OR b)"; "" for the empty query. */
static const char *const ops[QO__MAX] = { "-eq", "-ne", "-lt", "-le", "-gt",
    "-ge", "-contains", "-notcontains", "-startswith", "-endswith", "-isnull",
    "-notnull" };

static void
render_node(const struct query *q, size_t node, char *buf, size_t sz)
{
	const struct query_node *n = &q->nodes[node];
	const struct query_term *t;
	size_t l = strlen(buf);

	if (n->kind == QN_TERM) {
		t = &q->terms[n->a];
		snprintf(buf + l, sz - l, "%s%s%s %s", query_field_name(&query_certificates, t->field),
		    t->field == QF_METADATA ? "." : "", t->field == QF_METADATA ?
		    t->name : "", ops[t->op]);
		l = strlen(buf);
		if (t->op != QO_ISNULL && t->op != QO_NOTNULL)
			snprintf(buf + l, sz - l, " [%s]", t->text);
		l = strlen(buf);
		snprintf(buf + l, sz - l, "%s", t->required ? "!" : "");
		return;
	}
	snprintf(buf + l, sz - l, "(");
	render_node(q, n->a, buf, sz);
	l = strlen(buf);
	snprintf(buf + l, sz - l, " %s ", n->kind == QN_AND ? "AND" : "OR");
	render_node(q, n->b, buf, sz);
	l = strlen(buf);
	snprintf(buf + l, sz - l, ")");
}

static void
render(const struct query *q, char *buf, size_t sz)
{
	buf[0] = '\0';
	if (q->n > 0)
		render_node(q, q->root, buf, sz);
}

static const struct {
	const char	*in;
	const char	*want;
} valid[] = {
	{ "", "" },
	{ "   ", "" },
	/* names and operators in any case, quoted or bare values */
	{ "Thumbprint -eq \"" TP "\"", "Thumbprint -eq [" TP "]!" },
	{ "Thumbprint -eq " TP, "Thumbprint -eq [" TP "]!" },
	{ "thumbprint -EQ \"" TP "\"", "Thumbprint -eq [" TP "]!" },
	{ "THUMBPRINT -Eq " TP "  ", "Thumbprint -eq [" TP "]!" },
	{ "  Thumbprint\t-eq\t\"ab\"", "Thumbprint -eq [ab]!" },
	{ "CertRequestId -eq 42", "CertRequestId -eq [42]!" },
	{ "CertRequestId -eq \"42\"", "CertRequestId -eq [42]!" },
	{ "certrequestid -eq 007", "CertRequestId -eq [007]!" },
	{ "Id -eq 9223372036854775807", "Id -eq [9223372036854775807]!" },
	{ "IssuedCN -eq \"Key Example, Inc. web\"",
	    "IssuedCN -eq [Key Example, Inc. web]!" },
	{ "IssuedCN -eq \"\"", "IssuedCN -eq []!" },
	{ "IssuedCN -eq \"say \\\"hi\\\"\"", "IssuedCN -eq [say \"hi\"]!" },
	{ "IssuedCN -eq \"back\\\\slash\"", "IssuedCN -eq [back\\slash]!" },
	{ "IssuedCN -eq \"a\\b\"", "IssuedCN -eq [a\\b]!" },
	{ "IssuedCN -eq \"caf\xc3\xa9\"", "IssuedCN -eq [caf\xc3\xa9]!" },
	{ "IssuedCN -eq \"x AND y\"", "IssuedCN -eq [x AND y]!" },
	{ "IssuedCN -eq \"(x)\"", "IssuedCN -eq [(x)]!" },
	/* aliases */
	{ "CertID -eq \"5\"", "Id -eq [5]!" },
	{ "cn -eq a", "IssuedCN -eq [a]!" },
	{ "ExpirationDate -lt 2030-01-01", "NotAfter -lt [2030-01-01]!" },
	{ "TemplateShortName -eq Web", "TemplateName -eq [Web]!" },
	{ "CertificateAuthorityName -eq \"h\\\\CA\"", "CA -eq [h\\CA]!" },
	{ "metadata.Owner -contains ops", "Metadata.Owner -contains [ops]!" },
	/* every operator */
	{ "IssuedDN -ne x", "IssuedDN -ne [x]!" },
	{ "IssuerDN -lt x", "IssuerDN -lt [x]!" },
	{ "KeySize -le 2048", "KeySize -le [2048]!" },
	{ "KeySize -gt 0", "KeySize -gt [0]!" },
	{ "Id -ge 3", "Id -ge [3]!" },
	{ "IssuedCN -CONTAINS web", "IssuedCN -contains [web]!" },
	{ "IssuedCN -notcontains web", "IssuedCN -notcontains [web]!" },
	{ "RequesterName -startswith al", "RequesterName -startswith [al]!" },
	{ "KeyType -endswith CC", "KeyType -endswith [CC]!" },
	{ "IssuedCN -isnull", "IssuedCN -isnull!" },
	{ "NotBefore -notnull", "NotBefore -notnull!" },
	{ "IssuedCN -eq NULL", "IssuedCN -isnull!" },
	{ "CertRequestId -ne null", "CertRequestId -notnull!" },
	{ "IssuedCN -eq \"NULL\"", "IssuedCN -eq [NULL]!" },
	{ "CertState -eq \"2\"", "CertState -eq [2]!" },
	/* AND over OR, parentheses, the Go client's ")AND" */
	{ "IssuedCN -eq \"a\" AND Thumbprint -eq " TP,
	    "(IssuedCN -eq [a]! AND Thumbprint -eq [" TP "]!)" },
	{ "IssuedCN -eq a and CertRequestId -eq 3 And Id -eq 4",
	    "((IssuedCN -eq [a]! AND CertRequestId -eq [3]!) AND Id -eq [4]!)" },
	{ "Id -eq 1 OR Id -eq 2 AND CN -eq x",
	    "(Id -eq [1] OR (Id -eq [2] AND IssuedCN -eq [x]))" },
	{ "Id -eq 1 AND Id -eq 2 or CN -eq x",
	    "((Id -eq [1] AND Id -eq [2]) OR IssuedCN -eq [x])" },
	{ "(Id -eq 1 OR Id -eq 2) AND CN -eq x",
	    "((Id -eq [1] OR Id -eq [2]) AND IssuedCN -eq [x]!)" },
	{ "(IssuedCN -eq \"x\")AND Id -eq 5",
	    "(IssuedCN -eq [x]! AND Id -eq [5]!)" },
	{ "(IssuedCN -eq x)AND(Id -eq 5)", "(IssuedCN -eq [x]! AND Id -eq [5]!)" },
	{ "((((Id -eq 1))))", "Id -eq [1]!" },
	{ "Id -eq 1 AND (Id -eq 2 OR (Id -eq 3 AND Id -eq 4))",
	    "(Id -eq [1]! AND (Id -eq [2] OR (Id -eq [3] AND Id -eq [4])))" },
	{ "IssuedCN -isnull OR(IssuedCN -eq x)",
	    "(IssuedCN -isnull OR IssuedCN -eq [x])" },
};

static const struct {
	const char	*in;
	const char	*msg;	/* a piece of the message */
} invalid[] = {
	{ "Foo -eq 1", "pq.queryString: unknown field 'Foo' at position 1" },
	{ "Metadata. -eq 1", "unknown field 'Metadata.'" },
	{ "Thumbprint", "operator is missing after 'Thumbprint'" },
	{ "Thumbprint   ", "operator is missing" },
	{ "Thumbprint -eq", "value is missing after 'Thumbprint -eq'" },
	{ "Thumbprint -eq   ", "value is missing" },
	{ "(Thumbprint -ne)", "value is missing after 'Thumbprint -ne' at "
	    "position 16" },
	{ "Thumbprint -like \"AB\"", "operator '-like' at position 12 is not "
	    "supported" },
	{ "Id -contains 1", "operator '-contains' at position 4 does not apply "
	    "to Id, a number" },
	{ "NotAfter -startswith 2", "does not apply to NotAfter, a date" },
	{ "Thumbprint = AB", "expected an operator after 'Thumbprint' at "
	    "position 12, found '='" },
	{ "Thumbprint -eq \"AB", "unterminated quote at position 16" },
	{ "IssuedCN -eq \"a\\\"", "unterminated quote" },
	{ "IssuedCN -eq \"a\"b", "expected a space after the closing quote" },
	{ "IssuedCN -eq a\"b", "unexpected quote at position 15" },
	{ "IssuedCN -eq \"a\tb\"", "control character in the value at position "
	    "16" },
	{ "CertRequestId -eq abc", "CertRequestId: 'abc' at position 19 is not a "
	    "positive integer" },
	{ "CertRequestId -eq 0", "is not a positive integer" },
	{ "CertRequestId -eq -1", "is not a positive integer" },
	{ "CertRequestId -eq 1.5", "is not a positive integer" },
	{ "Id -eq 9223372036854775808", "is not a positive integer" },
	{ "Id -eq \"\"", "is not a positive integer" },
	{ "KeySize -gt big", "KeySize: 'big' at position 13 is not a "
	    "non-negative integer" },
	{ "CertState -eq \"Revoked\"", "pq.queryString: Invalid CertState value: "
	    "Revoked. (position 15" },
	{ "CertState -eq active", "Invalid CertState value: active." },
	{ "NotAfter -gt tomorrow", "NotAfter: 'tomorrow' at position 14 is not "
	    "a date" },
	{ "NotAfter -gt 2022-13-01", "is not a date" },
	{ "NotAfter -gt %TODAY", "is not a date" },
	{ "NotAfter -gt %TODAY+%", "is not a date" },
	{ "NotAfter -gt %TODAY*3%", "is not a date" },
	{ "NotAfter -gt %TODAY+36501%", "n up to 36500" },
	{ "ImportDate -lt %TODAY+1x%", "is not a date" },
	{ "Id -eq 1 XOR Id -eq 2", "expected AND or OR at position 10, found "
	    "'XOR'" },
	{ "Id -eq 1 Id -eq 2", "expected AND or OR at position 10" },
	{ "IssuedCN -isnull x", "expected AND or OR at position 18, found 'x'" },
	{ "Id -eq 1 AND", "a term is missing at position 13" },
	{ "Id -eq 1 OR  ", "a term is missing at position 14" },
	{ "Id -eq 1 AND OR Id -eq 2", "a term is missing before OR at position "
	    "14" },
	{ "AND Id -eq 1", "a term is missing before AND at position 1" },
	{ "-eq 1", "unknown field '-eq'" },
	{ "()", "a term is missing at position 2" },
	{ "(Id -eq 1", "expected ')' at position 10, found ''" },
	{ "(Id -eq 1 Id", "expected ')' at position 11, found 'Id'" },
	{ "Id -eq 1)", "')' at position 9 has no '('" },
	{ "Id -eq (1)", "value is missing after 'Id -eq' at position 8" },
	{ "(((((((((Id -eq 1)))))))))", "parentheses nested deeper than 8 at "
	    "position 9 (the limit)" },
};

/* The query in (valid), in storage of this function's. */
static const struct query *
parsed(const char *in)
{
	static struct query q;
	struct ce_error err;

	ce_error_clear(&err);
	if (query_parse(in, &q, &err) != CE_OK)
		fail_msg("'%s': %s", in, err.msg);
	return &q;
}

static void
test_valid(void **state)
{
	char got[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		render(parsed(valid[i].in), got, sizeof(got));
		if (strcmp(got, valid[i].want) != 0)
			fail_msg("'%s' gave '%s', not '%s'", valid[i].in, got,
			    valid[i].want);
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

/* Numbers and dates: the range of values a term stands for. */
static void
test_values(void **state)
{
	const struct query *q;
	time_t now = time(NULL), today = now - now % 86400;
	static const struct {
		const char	*in;
		int64_t		 num, span;	/* num -1: today + span */
	} cases[] = {
		{ "Id -eq 007", 7, 1 },
		{ "CertState -eq \"2\"", 2, 1 },
		{ "NotAfter -gt \"2022-09-01T00:00:00Z\"", 1661990400, 1 },
		{ "NotAfter -gt 2022-09-01t12:00:01z", 1662033601, 1 },
		{ "NotAfter -gt \"2022-09-01\"", 1661990400, 86400 },
		{ "ImportDate -eq %TODAY%", 0, 86400 },
		{ "ImportDate -eq %today+7%", 7, 86400 },
		{ "ImportDate -eq %TODAY-30%", -30, 86400 },
		{ "ImportDate -eq %TODAY+36500%", 36500, 86400 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		q = parsed(cases[i].in);
		assert_true(q->terms[0].span == cases[i].span);
		if (strchr(cases[i].in, '%') == NULL)
			assert_true(q->terms[0].num == cases[i].num);
		else if (q->terms[0].num != today + cases[i].num * 86400 &&
		    time(NULL) - time(NULL) % 86400 == today)
			fail_msg("'%s': %lld", cases[i].in,
			    (long long)q->terms[0].num);
	}
}

/* What a term says of a record's text: query, text, the answer. */
static const struct {
	const char	*q, *s;
	int		 want;
} text_cases[] = {
	{ "CN -eq WEB.example.com", "web.EXAMPLE.com", 1 },
	{ "CN -eq web", "web.example.com", 0 },
	{ "CN -ne web", "web.example.com", 1 },
	{ "CN -contains EXAMPLE", "web.example.com", 1 },
	{ "CN -contains exampel", "web.example.com", 0 },
	{ "CN -notcontains exampel", "web.example.com", 1 },
	{ "CN -startswith WEB.", "web.example.com", 1 },
	{ "CN -startswith example", "web.example.com", 0 },
	{ "CN -endswith .COM", "web.example.com", 1 },
	{ "CN -endswith web.example.com.x", "example.com", 0 },
	{ "CN -lt b", "A", 1 },
	{ "CN -gt b", "A", 0 },
	{ "CN -le a", "A", 1 },
	{ "CN -ge a", "A", 1 },
	{ "CN -isnull", NULL, 1 },
	{ "CN -isnull", "", 1 },
	{ "CN -isnull", "x", 0 },
	{ "CN -ne NULL", "x", 1 },
	{ "CN -notnull", NULL, 0 },
	{ "CN -eq \"\"", NULL, 1 },
	{ "CN -eq \"NULL\"", NULL, 0 },
};

/* ... of a number or date: query, value, present, the answer (now: a
 * value relative to the time of the test). */
static const struct {
	const char	*q;
	int64_t		 v;
	int		 present, now, want;
} number_cases[] = {
	{ "Id -eq 5", 5, 1, 0, 1 },
	{ "Id -eq 5", 6, 1, 0, 0 },
	{ "Id -ne 5", 6, 1, 0, 1 },
	{ "Id -lt 5", 4, 1, 0, 1 },
	{ "Id -lt 5", 5, 1, 0, 0 },
	{ "Id -le 5", 5, 1, 0, 1 },
	{ "Id -le 5", 6, 1, 0, 0 },
	{ "Id -gt 5", 6, 1, 0, 1 },
	{ "Id -gt 5", 5, 1, 0, 0 },
	{ "Id -ge 5", 5, 1, 0, 1 },
	{ "Id -ge 5", 4, 1, 0, 0 },
	{ "Id -eq 9223372036854775807", INT64_MAX, 1, 0, 1 },
	{ "KeySize -isnull", 0, 0, 0, 1 },
	{ "KeySize -notnull", 0, 0, 0, 0 },
	{ "KeySize -eq 0", 0, 0, 0, 0 },
	{ "KeySize -ne 256", 0, 0, 0, 1 },
	{ "NotAfter -eq 2022-09-01", 1661990400 + 86399, 1, 0, 1 },
	{ "NotAfter -eq 2022-09-01", 1661990400 + 86400, 1, 0, 0 },
	{ "NotAfter -lt 2022-09-01", 1661990399, 1, 0, 1 },
	{ "NotAfter -lt 2022-09-01", 1661990400, 1, 0, 0 },
	{ "NotAfter -le 2022-09-01", 1661990400 + 86399, 1, 0, 1 },
	{ "NotAfter -gt 2022-09-01", 1661990400 + 86399, 1, 0, 0 },
	{ "NotAfter -gt 2022-09-01", 1661990400 + 86400, 1, 0, 1 },
	{ "NotAfter -eq \"2022-09-01T00:00:00Z\"", 1661990401, 1, 0, 0 },
	{ "NotAfter -gt \"2022-09-01T00:00:00Z\"", 1661990401, 1, 0, 1 },
	{ "NotAfter -gt %TODAY%", 86400, 1, 1, 1 },
	{ "NotAfter -gt %TODAY%", -86400, 1, 1, 0 },
};

static void
test_matches(void **state)
{
	const struct query *q;
	size_t i;
	int64_t v;

	(void)state;
	for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		q = parsed(text_cases[i].q);
		if (query_text_matches(&q->terms[0], text_cases[i].s) !=
		    text_cases[i].want)
			fail_msg("'%s' of '%s' is not %d", text_cases[i].q,
			    text_cases[i].s ? text_cases[i].s : "(null)",
			    text_cases[i].want);
	}
	for (i = 0; i < sizeof(number_cases) / sizeof(number_cases[0]); i++) {
		q = parsed(number_cases[i].q);
		v = number_cases[i].v + (number_cases[i].now ? time(NULL) : 0);
		if (query_number_matches(&q->terms[0], v,
		    number_cases[i].present) != number_cases[i].want)
			fail_msg("'%s' of %lld is not %d", number_cases[i].q,
			    (long long)v, number_cases[i].want);
	}
}

/* One answer per term, by index: the record under test. */
static int
by_index(const struct query_term *t, void *arg)
{
	const char *truth = arg;

	return truth[t->num - 1] == '1';
}

static void
test_eval(void **state)
{
	struct ce_error err;
	struct query q;

	(void)state;
	/* terms Id -eq N stand for the Nth character of the record */
	assert_int_equal(query_parse("Id -eq 1 OR Id -eq 2 AND Id -eq 3", &q,
	    &err), CE_OK);
	assert_true(query_eval(&q, by_index, "100"));
	assert_false(query_eval(&q, by_index, "010"));
	assert_true(query_eval(&q, by_index, "011"));
	assert_int_equal(query_parse("(Id -eq 1 OR Id -eq 2) AND Id -eq 3", &q,
	    &err), CE_OK);
	assert_false(query_eval(&q, by_index, "100"));
	assert_true(query_eval(&q, by_index, "101"));
	assert_true(query_eval(&q, by_index, "011"));
	assert_int_equal(query_parse("", &q, &err), CE_OK);
	assert_true(query_eval(&q, by_index, ""));
}

static void
test_null_and_limits(void **state)
{
	struct ce_error err;
	struct query q;
	char buf[QUERY_VALUE_MAX + 32], buf2[QUERY_TERMS_MAX * 16 + 32];
	int i;

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
	/* QUERY_TERMS_MAX terms fit, one more does not */
	buf2[0] = '\0';
	for (i = 0; i < QUERY_TERMS_MAX; i++)
		snprintf(buf2 + strlen(buf2), sizeof(buf2) - strlen(buf2),
		    "%sId -eq %d", i ? " AND " : "", i + 1);
	assert_int_equal(query_parse(buf2, &q, &err), CE_OK);
	assert_int_equal(q.n, QUERY_TERMS_MAX);
	snprintf(buf2 + strlen(buf2), sizeof(buf2) - strlen(buf2), " OR Id -eq 1");
	assert_int_equal(query_parse(buf2, &q, &err), CE_INVAL);
	assert_non_null(strstr(err.msg, "more than 32 terms at position"));
	assert_string_equal(query_field_name(&query_certificates, QF_CERTREQUESTID), "CertRequestId");
	assert_null(query_field_name(&query_certificates, QF__MAX));
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
	{ { "ReturnLimit", "5000", "PageReturned", "2147483647", NULL }, 5000,
	    2147483647 },
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
	/* a page is built in memory: 5000 at most */
	{ { "sq.ReturnLimit", "5001", NULL }, "sq.ReturnLimit: '5001' is not an "
	    "integer from 0 to 5000 (the most one page holds)." },
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
	assert_true(q.n == 1 && q.terms[0].num == 5 &&
	    q.terms[0].field == QF_ID && q.terms[0].op == QO_EQ);
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

static void
test_me(void **state)
{
	struct ce_error err;
	struct query q;
	char longname[QUERY_VALUE_MAX + 2];

	(void)state;
	assert_int_equal(query_parse("RequesterName -eq %me% OR "
	    "(IssuedCN -eq \"%ME%\" AND RequesterName -isnull)", &q, &err), CE_OK);
	assert_int_equal(query_bind_me(&q, "alice", &err), CE_OK);
	assert_string_equal(q.terms[0].text, "alice");
	assert_string_equal(q.terms[1].text, "alice");
	assert_int_equal(query_parse("RequesterName -eq %ME%", &q, &err), CE_OK);
	assert_int_equal(query_bind_me(&q, NULL, &err), CE_INVAL);
	assert_non_null(strstr(err.msg, "%ME% stands for the caller"));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(query_bind_me(&q, longname, &err), CE_INVAL);
	/* no %ME%: nothing to bind, no caller needed */
	assert_int_equal(query_parse("RequesterName -eq bob", &q, &err), CE_OK);
	assert_int_equal(query_bind_me(&q, NULL, &err), CE_OK);
	assert_string_equal(q.terms[0].text, "bob");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_me),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_null_and_limits),
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_filter_prefixes),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
