/*
 * log.h - log lines to stderr (the web server's error log) or, with
 * "log = syslog" in certenroll.conf (config_load), to syslog as daemon.*,
 * each carrying the program name and the current request id.  Never pass
 * passwords or keys.
 */
#ifndef CE_LOG_H
#define CE_LOG_H

#include <stddef.h>

void	log_init(const char *progname);
/* Copies in to out (n bytes with the NUL) with control characters escaped
 * (\n, \r, \t, else \xNN): what every log line goes through.  Returns
 * the length written; cut at a whole character or escape. */
size_t	log_escape(const char *in, char *out, size_t n);
/* v as one field value of a "key=value" line: itself when it is a plain
 * word, else in double quotes with " and \ escaped ("" for NULL or empty),
 * so that a user name like 'bob action=approve' cannot forge a field.  In
 * buf (n bytes; cut if longer). */
const char *log_value(const char *v, char *buf, size_t n);
/* Sends lines to syslog (LOG_DAEMON) instead of stderr; log_on_syslog()
 * says whether they go there. */
void	log_to_syslog(int on);
int	log_on_syslog(void);
void	log_set_request_id(const char *id);	/* NULL clears; copied */
const char *log_request_id(void);
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_error + OpenSSL's error queue (drained). */
void	log_ssl(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One audit line per issuance, deployment, approval...: who, what, ids. */
void	log_audit(const char *user, const char *action, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
