/* log.c - log lines (stderr or syslog) with program name and request id. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <openssl/err.h>

#include "log.h"

static char progname[64] = "certenroll";
static __thread char reqid[64];	/* one request per thread */
static int use_syslog;

void
log_to_syslog(int on)
{
	if (on && !use_syslog)
		openlog(progname, LOG_PID, LOG_DAEMON);
	use_syslog = on;
}

int
log_on_syslog(void)
{
	return use_syslog;
}

size_t
log_escape(const char *in, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	size_t o = 0;

	if (n == 0)
		return 0;
	for (p = (const unsigned char *)in; *p != '\0'; p++) {
		char e = *p == '\n' ? 'n' : *p == '\r' ? 'r' : *p == '\t' ? 't' : 0;

		if (*p >= 0x20 && *p != 0x7f) {
			if (o + 1 >= n)
				break;
			out[o++] = (char)*p;
		} else if (e != 0) {
			if (o + 2 >= n)
				break;
			out[o++] = '\\';
			out[o++] = e;
		} else {
			if (o + 4 >= n)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
	return o;
}

const char *
log_value(const char *v, char *buf, size_t n)
{
	size_t o = 0;

	if (v != NULL && *v != '\0' && strpbrk(v, " \"=\\") == NULL)
		return v;
	if (n < 3) {
		if (n > 0)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (; v != NULL && *v != '\0'; v++) {
		int esc = *v == '"' || *v == '\\';

		if (o + 2 + esc >= n)
			break;
		if (esc)
			buf[o++] = '\\';
		buf[o++] = *v;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* Writes one finished line to the chosen target: whatever a client put in
 * it (a newline, an escape sequence) is escaped, so one event is one line
 * and no line can be forged. */
static void
emit(int prio, const char *line)
{
	char safe[4 * 2400];

	log_escape(line, safe, sizeof(safe));
	if (use_syslog)
		syslog(prio, "%s", safe);
	else {
		/* One call: stdio holds the stream's lock for it, so a line of
		 * one thread is never cut by another's. */
		fprintf(stderr, "%s\n", safe);
		fflush(stderr);
	}
}

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
vlog(int prio, const char *level, const char *fmt, va_list ap)
{
	char msg[2048], line[2300];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(line, sizeof(line), "%s[%s] req=%s %s", progname, level,
	    reqid[0] ? reqid : "-", msg);
	emit(prio, line);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, "info", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "warn", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, "error", fmt, ap);
	va_end(ap);
}

void
log_ssl(const char *fmt, ...)
{
	char buf[256];
	unsigned long e;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, "error", fmt, ap);
	va_end(ap);
	while ((e = ERR_get_error()) != 0) {
		char line[700];

		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(line, sizeof(line), "%s[error] req=%s   openssl: %s",
		    progname, reqid[0] ? reqid : "-", buf);
		emit(LOG_ERR, line);
	}
}

void
log_audit(const char *user, const char *action, const char *fmt, ...)
{
	char msg[1024], line[1400], who[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s[audit] req=%s user=%s action=%s %s",
	    progname, reqid[0] ? reqid : "-",
	    user != NULL ? log_value(user, who, sizeof(who)) : "-", action, msg);
	emit(LOG_NOTICE, line);
}
