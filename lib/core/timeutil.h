/*
 * timeutil.h - the API's timestamps.
 * Accepted: RFC 3339 with 0..9 fractional digits and 'Z' or an offset
 * (+HH:MM, +HHMM, -HH), a 'T' or ' ' between date and time; a time without
 * zone is taken as UTC; the US form "11/25/2026 19:57:29" (M/D/YYYY
 * H:MM:SS, optional " AM"/" PM") that PowerShell sends; a bare date
 * "2026-11-25" (midnight UTC).  Fields are range-checked (month 1-12,
 * day valid for the month incl. leap years, hour 0-23, minute 0-59,
 * second 0-60), years 1970..9999.
 * Emitted: always RFC 3339 UTC with 'Z', no fraction: 2026-11-25T19:57:29Z.
 */
#ifndef CE_TIMEUTIL_H
#define CE_TIMEUTIL_H

#include <time.h>
#include "error.h"

#define CE_TIME_BUFSZ 32

/* Parses s into seconds since the epoch (UTC).  field names the request field
 * for the error message ("Timestamp: '...' is not a valid date-time").
 * Strict: no surrounding spaces; 'T'/'Z' in either case; a leap second
 * (:60) is the next minute's first second.  *out is set only on CE_OK. */
enum ce_err	time_parse(const char *s, const char *field, time_t *out,
		    struct ce_error *err);

/* Writes t as RFC 3339 UTC ("...Z") into buf (CE_TIME_BUFSZ bytes); returns buf.
 * buf is "" for a t that gmtime cannot represent. */
char		*time_format(time_t t, char *buf);

/* Converts an ASN1_TIME to time_t; returns 0 on success, -1 on failure. */
#include <openssl/asn1.h>
int		time_from_asn1(const ASN1_TIME *a, time_t *out);

#endif
