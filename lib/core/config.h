/*
 * config.h - the configuration file, certenroll.conf: "key = value" lines,
 * '#' comments.  Its path is the CERTENROLL_CONF environment variable, else
 * /etc/certenroll/certenroll.conf (a FastCGI parameter of that name is
 * ignored: http.c); a missing file is an empty configuration.  The keys are
 * the known[] table in config.c, each documented in certenroll.conf(5); a
 * key of the LMDB settings given here overrides it (settings.c).
 */
#ifndef CE_CONFIG_H
#define CE_CONFIG_H

#include "error.h"

/* What a value must satisfy beyond "key = value" (the LMDB settings' own
 * bounds: settings_check), set by whoever loads the file: the file is
 * refused at load, naming the line, when a value fails it. */
typedef enum ce_err (*config_check)(const char *key, const char *value,
		    struct ce_error *err);
void		config_set_check(config_check check);
/* Loads the file once per process (path NULL = the default rules).
 * CE_INVAL naming the line for a malformed file.  Its "log" (stderr or
 * syslog) takes effect at once (log_to_syslog): a process loads the file
 * before it logs anything, so that every line of it goes there. */
enum ce_err	config_load(const char *path, struct ce_error *err);
/* The value of key, or NULL when not configured. */
const char	*config_get(const char *key);
/* Parses one "key = value" text (also used by the fuzz harness). */
enum ce_err	config_parse(const char *text, struct ce_error *err);
void		config_reset(void);

#endif
