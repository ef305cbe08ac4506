/* error.c - the table of errors: code -> HTTP status, ErrorCode, name. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "log.h"

static const struct {
	int		 status;
	const char	*code;
	const char	*name;
} errtab[CE__MAX] = {
	[CE_OK]		= { 200, "0xA0110000", "ok" },
	[CE_INVAL]	= { 400, "0xA0110001", "invalid" },
	[CE_NOKEY]	= { 400, "0xA0110002", "no private key" },
	[CE_NOFORMAT]	= { 400, "0xA0110007", "no format" },
	[CE_UNAUTH]	= { 401, "0xA0110003", "unauthenticated" },
	[CE_DENIED]	= { 403, "0xA0110004", "denied" },
	[CE_NOTFOUND]	= { 404, "0xA0110005", "not found" },
	[CE_METHOD]	= { 405, "0xA0110006", "method" },
	[CE_CONFLICT]	= { 400, "0xA0110008", "conflict" },
	[CE_TOOBIG]	= { 413, "0xA0110009", "too big" },
	[CE_MEDIA]	= { 415, "0xA011000A", "media type" },
	[CE_CRYPTO]	= { 500, "0xA0110010", "crypto" },
	[CE_DB]		= { 500, "0xA0110011", "database" },
	[CE_NOMEM]	= { 500, "0xA0110012", "memory" },
	[CE_SYSTEM]	= { 500, "0xA0110013", "system" },
	[CE_UNAVAIL]	= { 503, "0xA0110014", "unavailable" },
};

static int
valid(enum ce_err code)
{
	return (int)code >= 0 && code < CE__MAX;
}

int
ce_http_status(enum ce_err code)
{
	return valid(code) ? errtab[code].status : 500;
}

const char *
ce_error_code(enum ce_err code)
{
	return valid(code) ? errtab[code].code : errtab[CE_SYSTEM].code;
}

const char *
ce_strerror(enum ce_err code)
{
	return valid(code) ? errtab[code].name : "unknown";
}

void
ce_error_clear(struct ce_error *err)
{
	if (err != NULL) {
		err->code = CE_OK;
		err->msg[0] = '\0';
	}
}

enum ce_err
ce_fail(struct ce_error *err, enum ce_err code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

enum ce_err
ce_fault(struct ce_error *err, enum ce_err code, const char *fmt, ...)
{
	char detail[CE_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (code == CE_CRYPTO)
		log_ssl("%s", detail);
	else
		log_error("%s", detail);
	return ce_fail(err, code, "An internal error occurred (%s).",
	    ce_strerror(code));
}
