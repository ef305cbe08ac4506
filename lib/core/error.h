/*
 * error.h - the one error vocabulary of libcertenroll.
 *
 * Every lib function that can fail returns an enum ce_err and, on failure,
 * fills a struct ce_error with a message meant for the API client (it names
 * the offending field).  Internal details (errno, OpenSSL's queue) go to the
 * log only, never into the message.  One table maps each code to its HTTP
 * status and the API's "ErrorCode" string.
 */
#ifndef CE_ERROR_H
#define CE_ERROR_H

#include <stdarg.h>

enum ce_err {
	CE_OK = 0,
	CE_INVAL,	/* bad input or business rule: 400 */
	CE_NOKEY,	/* no private key / staging data: 400 */
	CE_NOFORMAT,	/* missing x-CertificateFormat: 400 */
	CE_UNAUTH,	/* no authenticated user: 401 */
	CE_DENIED,	/* user lacks a claim: 403 */
	CE_NOTFOUND,	/* unknown id: 404 */
	CE_METHOD,	/* wrong HTTP method: 405 */
	CE_CONFLICT,	/* state does not allow it (already approved...): 400 */
	CE_TOOBIG,	/* body over the limit: 413 */
	CE_MEDIA,	/* body is not JSON: 415 */
	CE_CRYPTO,	/* OpenSSL failure: 500 */
	CE_DB,		/* database failure: 500 */
	CE_NOMEM,	/* allocation failure: 500 */
	CE_SYSTEM,	/* other system failure: 500 */
	CE_UNAVAIL,	/* the database cannot be reached: 503 */
	CE__MAX
};

#define CE_ERRMSG_MAX 512

struct ce_error {
	enum ce_err	code;
	char		msg[CE_ERRMSG_MAX];
};

/* Sets err (if not NULL) to code and a printf-style client message; returns code. */
enum ce_err	ce_fail(struct ce_error *err, enum ce_err code, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* Like ce_fail() for internal faults: logs detail (and OpenSSL's error queue)
 * to stderr, gives the client a generic message. */
enum ce_err	ce_fault(struct ce_error *err, enum ce_err code, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void		ce_error_clear(struct ce_error *err);

int		ce_http_status(enum ce_err code);	/* 200 for CE_OK */
const char	*ce_error_code(enum ce_err code);	/* "0xA011NNNN" */
const char	*ce_strerror(enum ce_err code);		/* short name, for logs */

#endif
