/* log.c - stderr log lines with program name and request id. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "log.h"
#include "timeutil.h"

static char progname[64] = "certenroll";
static char reqid[64];

void
log_init(const char *name)
{
	snprintf(progname, sizeof(progname), "%s", name);
}

void
log_set_request_id(const char *id)
{
	snprintf(reqid, sizeof(reqid), "%s", id != NULL ? id : "");
}

const char *
log_request_id(void)
{
	return reqid;
}

static void
vlog(const char *level, const char *fmt, va_list ap)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s[%s] req=%s %s\n", progname, level,
	    reqid[0] ? reqid : "-", line);
	fflush(stderr);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("info", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warn", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error", fmt, ap);
	va_end(ap);
}

void
log_ssl(const char *fmt, ...)
{
	char buf[256];
	unsigned long e;
	va_list ap;

	va_start(ap, fmt);
	vlog("error", fmt, ap);
	va_end(ap);
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		fprintf(stderr, "%s[error]   openssl: %s\n", progname, buf);
	}
}

void
log_audit(const char *user, const char *action, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s[audit] req=%s user=%s action=%s %s\n", progname,
	    reqid, user != NULL ? user : "-", action, line);
	fflush(stderr);
}
