/*
 * test_time.c - timeutil: the timestamp forms clients send, and what we
 * emit.  Tables of valid inputs with their unix times, invalid inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/asn1.h>

#include "error.h"
#include "timeutil.h"

/* 2026-11-25T19:57:29Z, the API docs' example, and the day's midnight. */
#define T0	((time_t)1795636649)
#define DAY0	(T0 - (19 * 3600 + 57 * 60 + 29))

static const struct {
	const char	*in;
	time_t		 want;
} valid[] = {
	{ "2026-11-25T19:57:29Z",		T0 },
	{ "2026-11-25T19:57:29z",		T0 },
	{ "2026-11-25t19:57:29Z",		T0 },
	{ "2026-11-25 19:57:29Z",		T0 },
	{ "2026-11-25T19:57:29",		T0 },	/* no zone: UTC */
	{ "2026-11-25 19:57:29",		T0 },
	{ "2026-11-25T19:57:29.5Z",		T0 },
	{ "2026-11-25T19:57:29.123456789Z",	T0 },	/* 9 digits */
	{ "2026-11-25T19:57:29.0000000",	T0 },	/* .NET's 7 */
	{ "2026-11-25T20:57:29+01:00",		T0 },
	{ "2026-11-25T20:57:29+0100",		T0 },
	{ "2026-11-25T14:57:29-05",		T0 },
	{ "2026-11-25T14:27:29-05:30",		T0 },
	{ "2026-11-26T01:27:29.999+05:30",	T0 },
	{ "2026-11-25T19:57:29-00:00",		T0 },
	{ "2026-11-25T19:57:29+00",		T0 },
	{ "2026-11-26T19:56:29+23:59",		T0 },
	{ "11/25/2026 19:57:29",		T0 },	/* PowerShell */
	{ "11/25/2026 7:57:29 PM",		T0 },
	{ "11/25/2026 07:57:29 pm",		T0 },
	{ "11/25/2026 7:57:29 AM",		T0 - 12 * 3600 },
	{ "11/25/2026 12:00:00 AM",		DAY0 },
	{ "11/25/2026 12:00:00 PM",		DAY0 + 12 * 3600 },
	{ "11/25/2026 0:00:00",			DAY0 },
	{ "2026-11-25",				DAY0 },
	{ "2026-11-26",				DAY0 + 86400 },
	{ "1/2/2026 3:04:05",			1767323045 },
	{ "01/02/2026 03:04:05",		1767323045 },
	{ "2026-01-02T03:04:05Z",		1767323045 },
	{ "1970-01-01T00:00:00Z",		0 },
	{ "1970-01-01",				0 },
	{ "1970-01-01T00:30:00+01:00",		-1800 },
	{ "2000-02-29T12:00:00Z",		951825600 },	/* 400y leap */
	{ "2024-02-29",				1709164800 },
	{ "2038-01-19T03:14:08Z",		2147483648 },	/* 2^31 */
	{ "9999-12-31T23:59:59Z",		253402300799 },
	{ "2016-12-31T23:59:60Z",		1483228800 },	/* leap s */
};

static const char *const invalid[] = {
	"",
	" 2026-11-25T19:57:29Z",
	"2026-11-25T19:57:29Z ",
	"2026-13-01",
	"2026-00-10",
	"2026-02-29",			/* not a leap year */
	"2100-02-29",			/* century, not a leap year */
	"2026-04-31",
	"2026-11-00",
	"2026-11-25T24:00:00Z",
	"2026-11-25T23:60:00Z",
	"2026-11-25T23:59:61Z",
	"1969-12-31T23:59:59Z",
	"10000-01-01T00:00:00Z",
	"2026-11-25T19:57Z",		/* seconds are required */
	"2026-11-25T19:57:29.Z",
	"2026-11-25T19:57:29.1234567890Z",	/* 10 digits */
	"2026-11-25T19:57:29,5Z",
	"2026-11-25T19:57:29+24:00",
	"2026-11-25T19:57:29+01:60",
	"2026-11-25T19:57:29+1",
	"2026-11-25T19:57:29+01:0",
	"2026-11-25T19:57:29+01:",
	"2026-11-25T19:57:29+01:00:00",
	"2026-11-25T19:57:29+01:00Z",
	"2026-11-25T19:57:29ZZ",
	"2026-11-25T19:57:29 UTC",
	"2026-11-25X19:57:29Z",
	"2026-11-25T",
	"26-11-25",
	"2026-1-25",
	"2026/11/25",
	"+2026-11-25",
	"13/25/2026 19:57:29",
	"11/31/2026 1:00:00",
	"0/25/2026 1:00:00",
	"011/25/2026 1:00:00",
	"11/25/2026 13:00:00 PM",
	"11/25/2026 0:00:00 AM",
	"11/25/2026 24:00:00",
	"11/25/2026 19:57",
	"11/25/26 19:57:29",
	"11/25/2026",
	"11/25/2026T19:57:29",
	"11/25/2026 19:57:29 XM",
	"11/25/2026 7:57:29PM",
	"11/25/2026 7:57:29 PM ",
	"tomorrow",
	"\xef\xbc\x92" "026-11-25",	/* fullwidth digit */
};

static void
test_valid(void **state)
{
	struct ce_error err;
	time_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		ce_error_clear(&err);
		t = 42;
		if (time_parse(valid[i].in, "Timestamp", &t, &err) != CE_OK)
			fail_msg("'%s' rejected: %s", valid[i].in, err.msg);
		if (t != valid[i].want)
			fail_msg("'%s' gave %lld, want %lld", valid[i].in,
			    (long long)t, (long long)valid[i].want);
	}
}

static void
test_invalid(void **state)
{
	struct ce_error err;
	char want[CE_ERRMSG_MAX];
	time_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		ce_error_clear(&err);
		t = 42;
		if (time_parse(invalid[i], "Timestamp", &t, &err) != CE_INVAL)
			fail_msg("'%s' accepted as %lld", invalid[i],
			    (long long)t);
		snprintf(want, sizeof(want),
		    "Timestamp: '%s' is not a valid date-time", invalid[i]);
		assert_string_equal(err.msg, want);
		assert_int_equal(err.code, CE_INVAL);
		assert_int_equal(t, 42);	/* untouched */
	}
}

static void
test_messages(void **state)
{
	struct ce_error err;
	char longin[200];
	time_t t;

	(void)state;
	assert_int_equal(time_parse(NULL, "JobTime", &t, &err), CE_INVAL);
	assert_string_equal(err.msg, "JobTime: missing date-time");
	assert_int_equal(time_parse("x", NULL, &t, &err), CE_INVAL);
	assert_string_equal(err.msg, "Time: 'x' is not a valid date-time");
	/* The value is cut in the message. */
	memset(longin, 'a', sizeof(longin) - 1);
	longin[sizeof(longin) - 1] = '\0';
	assert_int_equal(time_parse(longin, "T", &t, &err), CE_INVAL);
	assert_int_equal(strlen(err.msg), strlen("T: '' is not a valid "
	    "date-time") + 64);
	/* err may be NULL. */
	assert_int_equal(time_parse("nope", "T", &t, NULL), CE_INVAL);
}

static void
test_format(void **state)
{
	static const struct {
		time_t		 t;
		const char	*want;
	} tab[] = {
		{ 0,			"1970-01-01T00:00:00Z" },
		{ T0,			"2026-11-25T19:57:29Z" },
		{ DAY0,			"2026-11-25T00:00:00Z" },
		{ 951825600,		"2000-02-29T12:00:00Z" },
		{ 2147483648,		"2038-01-19T03:14:08Z" },
		{ 253402300799,		"9999-12-31T23:59:59Z" },
		{ -1,			"1969-12-31T23:59:59Z" },
	};
	char buf[CE_TIME_BUFSZ];
	time_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		assert_string_equal(time_format(tab[i].t, buf), tab[i].want);
	assert_ptr_equal(time_format(0, buf), buf);
	/* What we emit, we read back: every 97 minutes over ten years. */
	for (t = T0; t < T0 + 10 * 366 * 86400LL; t += 97 * 60 + 13) {
		time_t back = 0;

		assert_int_equal(time_parse(time_format(t, buf), "T", &back,
		    NULL), CE_OK);
		assert_int_equal(back, t);
	}
	/* Out of gmtime's range: "". */
	assert_string_equal(time_format((time_t)INT64_MAX, buf), "");
}

/* Builds an ASN1_TIME of the given type holding raw text s. */
static ASN1_TIME *
asn1_raw(int type, const char *s)
{
	ASN1_TIME *a;

	assert_non_null(a = ASN1_STRING_type_new(type));
	assert_int_equal(ASN1_STRING_set(a, s, -1), 1);
	return a;
}

static void
test_asn1(void **state)
{
	static const struct {
		int		 type;
		const char	*s;
		time_t		 want;	/* -2: must fail */
	} tab[] = {
		{ V_ASN1_UTCTIME,		"261125195729Z",	T0 },
		{ V_ASN1_GENERALIZEDTIME,	"20261125195729Z",	T0 },
		{ V_ASN1_UTCTIME,		"700101000000Z",	0 },
		{ V_ASN1_UTCTIME,		"500101000000Z",
		    -631152000 },	/* UTCTime 50..99 is 19xx */
		{ V_ASN1_UTCTIME,		"491231235959Z",
		    2524607999 },	/* 00..49 is 20xx */
		{ V_ASN1_GENERALIZEDTIME,	"99991231235959Z",
		    253402300799 },
		{ V_ASN1_UTCTIME,		"garbage",		-2 },
		{ V_ASN1_UTCTIME,		"261325195729Z",	-2 },
		{ V_ASN1_GENERALIZEDTIME,	"2026112519572Z",	-2 },
		{ V_ASN1_GENERALIZEDTIME,	"",			-2 },
	};
	ASN1_TIME *a;
	time_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		a = asn1_raw(tab[i].type, tab[i].s);
		t = 42;
		if (tab[i].want == -2) {
			if (time_from_asn1(a, &t) != -1)
				fail_msg("'%s' accepted", tab[i].s);
			assert_int_equal(t, 42);
		} else {
			if (time_from_asn1(a, &t) != 0)
				fail_msg("'%s' rejected", tab[i].s);
			assert_int_equal(t, tab[i].want);
		}
		ASN1_TIME_free(a);
	}
	/* NULL is an error, not "now" as ASN1_TIME_to_tm() would have it. */
	assert_int_equal(time_from_asn1(NULL, &t), -1);
	/* ASN1_TIME_set() and back. */
	assert_non_null(a = ASN1_TIME_set(NULL, T0));
	assert_int_equal(time_from_asn1(a, &t), 0);
	assert_int_equal(t, T0);
	ASN1_TIME_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_asn1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
