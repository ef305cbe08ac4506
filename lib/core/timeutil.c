/*
 * timeutil.c - the API's timestamps: the forms clients send (RFC 3339,
 * the PowerShell US form, a bare date) in, RFC 3339 UTC out.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/asn1.h>

#include "timeutil.h"

/* A timestamp as written, before it becomes a time_t. */
struct stamp {
	int	year, mon, day;
	int	hour, min, sec;
	int	off;		/* zone offset east of UTC, in seconds */
};

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Reads exactly n digits at *p into *v and advances *p.
 * Returns 0, or -1 (nothing consumed) when a digit is missing.
 */
static int
digits(const char **p, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (!isdig((*p)[i]))
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

/*
 * Reads one or two digits at *p (the US form's month, day and hour).
 * Returns 0, or -1 when there are none or more than two.
 */
static int
digits12(const char **p, int *v)
{
	if (isdig((*p)[0]) && isdig((*p)[1]))
		return isdig((*p)[2]) ? -1 : digits(p, 2, v);
	return digits(p, 1, v);
}

/* Consumes the character c at *p; returns 0, or -1 when another is there. */
static int
expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

/*
 * Parses what follows the seconds of an RFC 3339 time: an optional
 * fraction of 1..9 digits (ignored), then nothing (UTC), 'Z', or an
 * offset +HH:MM, +HHMM or +HH (either sign).  Returns 0 or -1.
 */
static int
parse_zone(const char *p, struct stamp *st)
{
	int n, sign, hh, mm = 0;

	if (*p == '.') {
		for (p++, n = 0; isdig(*p); p++, n++)
			continue;
		if (n < 1 || n > 9)
			return -1;
	}
	if (*p == '\0')
		return 0;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &hh) == -1)
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &mm) == -1)
			return -1;
	} else if (*p != '\0' && digits(&p, 2, &mm) == -1)
		return -1;
	if (*p != '\0' || hh > 23 || mm > 59)
		return -1;
	st->off = sign * (hh * 3600 + mm * 60);
	return 0;
}

/*
 * Parses "YYYY-MM-DD" alone or followed by 'T' (or 't', or a space),
 * "HH:MM:SS" and parse_zone()'s tail.  Returns 0 or -1; ranges are
 * checked later.
 */
static int
parse_iso(const char *p, struct stamp *st)
{
	if (digits(&p, 4, &st->year) == -1 || expect(&p, '-') == -1 ||
	    digits(&p, 2, &st->mon) == -1 || expect(&p, '-') == -1 ||
	    digits(&p, 2, &st->day) == -1)
		return -1;
	if (*p == '\0')
		return 0;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &st->hour) == -1 || expect(&p, ':') == -1 ||
	    digits(&p, 2, &st->min) == -1 || expect(&p, ':') == -1 ||
	    digits(&p, 2, &st->sec) == -1)
		return -1;
	return parse_zone(p, st);
}

/*
 * Parses the US form PowerShell sends: "M/D/YYYY H:MM:SS" with an
 * optional " AM" or " PM" (any case; the hour is then 1..12).  Always UTC.
 * Returns 0 or -1.
 */
static int
parse_us(const char *p, struct stamp *st)
{
	int pm;

	if (digits12(&p, &st->mon) == -1 || expect(&p, '/') == -1 ||
	    digits12(&p, &st->day) == -1 || expect(&p, '/') == -1 ||
	    digits(&p, 4, &st->year) == -1 || expect(&p, ' ') == -1 ||
	    digits12(&p, &st->hour) == -1 || expect(&p, ':') == -1 ||
	    digits(&p, 2, &st->min) == -1 || expect(&p, ':') == -1 ||
	    digits(&p, 2, &st->sec) == -1)
		return -1;
	if (*p == '\0')
		return 0;
	if (strcasecmp(p, " AM") != 0 && strcasecmp(p, " PM") != 0)
		return -1;
	if (st->hour < 1 || st->hour > 12)
		return -1;
	pm = p[1] == 'P' || p[1] == 'p';
	st->hour = st->hour % 12 + (pm ? 12 : 0);
	return 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Returns 1 when every field of st is in range, 0 otherwise. */
static int
stamp_valid(const struct stamp *st)
{
	static const int mdays[12] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int dim;

	if (st->year < 1970 || st->year > 9999 ||
	    st->mon < 1 || st->mon > 12)
		return 0;
	dim = mdays[st->mon - 1] + (st->mon == 2 && leap(st->year));
	return st->day >= 1 && st->day <= dim &&
	    st->hour >= 0 && st->hour <= 23 &&
	    st->min >= 0 && st->min <= 59 &&
	    st->sec >= 0 && st->sec <= 60;
}

/*
 * Converts a valid stamp to seconds since the epoch.  A leap second (:60)
 * becomes the first second of the next minute.  Returns 0, or -1 when
 * time_t cannot hold it.
 */
static int
stamp_time(const struct stamp *st, time_t *out)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = st->year - 1900;
	tm.tm_mon = st->mon - 1;
	tm.tm_mday = st->day;
	tm.tm_hour = st->hour;
	tm.tm_min = st->min;
	tm.tm_sec = st->sec;
	errno = 0;
	if ((t = timegm(&tm)) == (time_t)-1 && errno != 0)
		return -1;
	*out = t - st->off;
	return 0;
}

/*
 * Parses s in any of the forms of timeutil.h into *out (set only on
 * success).  Returns CE_OK, or CE_INVAL naming field and quoting s.
 */
enum ce_err
time_parse(const char *s, const char *field, time_t *out,
    struct ce_error *err)
{
	struct stamp st;
	time_t t;
	int rc;

	if (field == NULL)
		field = "Time";
	if (s == NULL)
		return ce_fail(err, CE_INVAL, "%s: missing date-time", field);
	memset(&st, 0, sizeof(st));
	if (strchr(s, '/') != NULL)
		rc = parse_us(s, &st);
	else
		rc = parse_iso(s, &st);
	if (rc == -1 || !stamp_valid(&st) || stamp_time(&st, &t) == -1)
		return ce_fail(err, CE_INVAL,
		    "%s: '%.64s' is not a valid date-time", field, s);
	*out = t;
	return CE_OK;
}

/*
 * Writes t as "YYYY-MM-DDTHH:MM:SSZ" into buf (CE_TIME_BUFSZ bytes).
 * A time gmtime cannot represent gives "".  Returns buf.
 */
char *
time_format(time_t t, char *buf)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, CE_TIME_BUFSZ, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
	return buf;
}

/*
 * Converts a (UTCTime or GeneralizedTime) ASN1_TIME to time_t.
 * Returns 0, or -1 when a is NULL, malformed, or out of time_t's range.
 */
int
time_from_asn1(const ASN1_TIME *a, time_t *out)
{
	struct tm tm;
	time_t t;

	/* ASN1_TIME_to_tm(NULL, ...) would give the current time. */
	if (a == NULL || out == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm(a, &tm) != 1)
		return -1;
	errno = 0;
	if ((t = timegm(&tm)) == (time_t)-1 && errno != 0)
		return -1;
	*out = t;
	return 0;
}
