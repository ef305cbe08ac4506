/*
 * fuzz_time - the API's timestamps (Timestamp, JobTime): time_parse(), and
 * for every time it accepts the round trip through time_format(): the
 * RFC 3339 text must parse again to the same second.  The input's first
 * 8 bytes as a time_t go through time_format() too.  For inputs of the
 * plain form YYYY-MM-DDTHH:MM:SSZ an independent calendar (days from the
 * civil date) says whether it is valid and which second it is.
 */
#include <ctype.h>

#include "fuzz.h"
#include "timeutil.h"

#define YEAR_MAX_T	253402300799LL	/* 9999-12-31T23:59:59Z */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
month_days(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : md[m - 1];
}

static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* 1 and *out for a valid YYYY-MM-DDTHH:MM:SSZ, 0 for an invalid one, -1
 * when s is not of that form at all. */
static int
oracle(const char *s, time_t *out)
{
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	int y, mo, d, h, mi, sec, i;

	if (strlen(s) != sizeof(form) - 1)
		return -1;
	for (i = 0; form[i] != '\0'; i++)
		if (form[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != form[i])
			return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h > 23 || mi > 59 || sec > 60)
		return 0;
	*out = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + sec);
	return 1;
}

/* time_format(t) must parse back to t whenever t is in the API's range. */
static void
format_back(time_t t, const char *from)
{
	struct ce_error err;
	char buf[CE_TIME_BUFSZ], again[CE_TIME_BUFSZ];
	time_t back = 0;
	int ok;

	time_format(t, buf);
	ce_error_clear(&err);
	ok = time_parse(buf, "Timestamp", &back, &err) == CE_OK;
	if (t >= 0 && t <= YEAR_MAX_T)
		FUZZ_CHECK(ok, "'%s' (%lld) formats as '%s', which does not "
		    "parse: %s", from, (long long)t, buf, err.msg);
	if (ok) {
		FUZZ_CHECK(back == t, "'%s' (%lld) formats as '%s', which "
		    "parses as %lld", from, (long long)t, buf, (long long)back);
		FUZZ_CHECK(strcmp(time_format(back, again), buf) == 0,
		    "'%s' formats as '%s' then '%s'", from, buf, again);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ce_error err;
	time_t t = 0, want = 0;
	int64_t raw;
	char *s;
	int o;

	s = fuzz_cstr(data, size);
	ce_error_clear(&err);
	o = oracle(s, &want);
	if (time_parse(s, "Timestamp", &t, &err) == CE_OK) {
		FUZZ_CHECK(o != 0, "'%s' is not a valid date-time but parses "
		    "as %lld", s, (long long)t);
		FUZZ_CHECK(o == -1 || t == want, "'%s' parses as %lld, not %lld",
		    s, (long long)t, (long long)want);
		format_back(t, s);
	} else {
		FUZZ_CHECK(o != 1, "'%s' is a valid date-time but fails: %s",
		    s, err.msg);
		FUZZ_CHECK(err.code == CE_INVAL && err.msg[0] != '\0',
		    "no message");
	}
	if (size >= sizeof(raw)) {
		memcpy(&raw, data, sizeof(raw));
		if ((time_t)raw == raw)
			format_back((time_t)raw, "(raw time_t)");
	}
	free(s);
	return 0;
}
