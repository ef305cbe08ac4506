/* config.c - certenroll.conf (see config.h). */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fileutil.h"
#include "log.h"

#define CONF_DEFAULT	"/etc/certenroll/certenroll.conf"
#define CONF_MAX	64
#define CONF_SIZE_MAX	(64 * 1024)

static pthread_mutex_t conf_lock = PTHREAD_MUTEX_INITIALIZER;

/* The keys certenroll.conf(5) documents, each an .It Cm there
 * (tests/docs-check.sh fails when the two differ). */
static const char *known[] = { "data_dir", "staging_lifetime", "body_limit",
    "require_requested_with", "log", "client_cert_auth",
    "trusted_proxy_param", "max_requests", "key_pool", "signer_socket",
    "max_sans", "max_rdns", "max_pending_per_user", "max_queued_jobs_per_user",
    "max_job_delay_days", "key_dir", "database", "job_lease", "crl_dir", NULL };

static struct {
	int	loaded;
	int	failed;		/* a bad file: every load reports it again */
	char	why[CE_ERRMSG_MAX];
	int	n;
	char	key[CONF_MAX][64];
	char	val[CONF_MAX][512];
} conf;

void
config_reset(void)
{
	memset(&conf, 0, sizeof(conf));
	log_to_syslog(0);	/* no file: stderr, as before any load */
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
is_known(const char *k)
{
	int i;

	for (i = 0; known[i] != NULL; i++)
		if (strcmp(known[i], k) == 0)
			return 1;
	return 0;
}

static config_check checker;

void
config_set_check(config_check check)
{
	checker = check;
}

/* Parses one line into the table. */
static enum ce_err
parse_line(char *line, int lineno, struct ce_error *err)
{
	struct ce_error bad;
	char *eq, *k, *v;

	if ((eq = strchr(line, '#')) != NULL)
		*eq = '\0';
	line = trim(line);
	if (*line == '\0')
		return CE_OK;
	if ((eq = strchr(line, '=')) == NULL)
		return ce_fail(err, CE_INVAL, "certenroll.conf line %d: expected "
		    "'key = value'", lineno);
	*eq = '\0';
	k = trim(line);
	v = trim(eq + 1);
	if (!is_known(k))
		return ce_fail(err, CE_INVAL, "certenroll.conf line %d: unknown "
		    "key '%.63s'", lineno, k);
	if (strcmp(k, "log") == 0 && strcmp(v, "stderr") != 0 &&
	    strcmp(v, "syslog") != 0)
		return ce_fail(err, CE_INVAL, "certenroll.conf line %d: log is "
		    "stderr or syslog", lineno);
	/* A value overriding a setting is held to that setting's bounds. */
	if (checker != NULL && checker(k, v, &bad) != CE_OK)
		return ce_fail(err, CE_INVAL, "certenroll.conf line %d: %s",
		    lineno, bad.msg);
	if (strlen(v) >= sizeof(conf.val[0]) || conf.n == CONF_MAX)
		return ce_fail(err, CE_INVAL, "certenroll.conf line %d: value too "
		    "long", lineno);
	snprintf(conf.key[conf.n], sizeof(conf.key[0]), "%s", k);
	snprintf(conf.val[conf.n], sizeof(conf.val[0]), "%s", v);
	conf.n++;
	return CE_OK;
}

enum ce_err
config_parse(const char *text, struct ce_error *err)
{
	char *copy, *next;
	enum ce_err rc = CE_OK;
	int lineno = 0;

	if ((copy = strdup(text)) == NULL)
		return ce_fault(err, CE_NOMEM, "strdup");
	/* strsep, not strtok: empty lines count in the line numbers. */
	for (next = copy; next != NULL && rc == CE_OK; )
		rc = parse_line(strsep(&next, "\n"), ++lineno, err);
	free(copy);
	return rc;
}

static enum ce_err config_load_locked(const char *, struct ce_error *);

enum ce_err
config_load(const char *path, struct ce_error *err)
{
	enum ce_err rc;

	pthread_mutex_lock(&conf_lock);
	rc = config_load_locked(path, err);
	pthread_mutex_unlock(&conf_lock);
	return rc;
}

static enum ce_err
config_load_locked(const char *path, struct ce_error *err)
{
	unsigned char *text = NULL;
	size_t len;
	enum ce_err rc;

	if (conf.loaded)
		return conf.failed ? ce_fail(err, CE_SYSTEM, "%s", conf.why) : CE_OK;
	if (path == NULL && (path = getenv("CERTENROLL_CONF")) == NULL)
		path = CONF_DEFAULT;
	rc = file_read(path, CONF_SIZE_MAX, &text, &len, NULL);
	conf.loaded = 1;
	if (rc == CE_NOTFOUND)
		return CE_OK;
	if (rc != CE_OK)
		rc = ce_fail(err, CE_SYSTEM, "cannot read %s", path);
	else if (strlen((char *)text) != len)
		rc = ce_fail(err, CE_INVAL, "%s: contains a NUL byte", path);
	else
		rc = config_parse((char *)text, err);
	free(text);
	/* Where this process logs, from now on: whoever loads the file first
	 * thing logs every line where it says (a file that cannot be read
	 * leaves stderr, the only target known then). */
	if (rc == CE_OK)
		log_to_syslog(config_get("log") != NULL &&
		    strcmp(config_get("log"), "syslog") == 0);
	if (rc != CE_OK) {
		conf.failed = 1;
		snprintf(conf.why, sizeof(conf.why), "%s", err ? err->msg :
		    "bad configuration file");
		conf.n = 0;
		rc = ce_fault(err, CE_SYSTEM, "%s", conf.why);
	}
	return rc;
}

const char *
config_get(const char *key)
{
	int i;

	for (i = conf.n - 1; i >= 0; i--)
		if (strcmp(conf.key[i], key) == 0)
			return conf.val[i];
	return NULL;
}
