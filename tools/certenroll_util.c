/* certenroll_util.c - command line helpers of the admin tool. */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certenroll.h"
#include "config.h"
#include "log.h"
#include "metrics.h"

const char *
opt_get(const struct cmdline *c, const char *name)
{
	int i;

	for (i = 0; i < c->nopts; i++)
		if (strcmp(c->opt[i], name) == 0)
			return c->val[i];
	return NULL;
}

int
opt_flag(const struct cmdline *c, const char *name)
{
	int i;

	for (i = 0; i < c->nopts; i++)
		if (strcmp(c->opt[i], name) == 0)
			return 1;
	return 0;
}

int
opt_all(const struct cmdline *c, const char *name, const char **out, int max)
{
	int i, n = 0;

	for (i = 0; i < c->nopts && n < max; i++)
		if (strcmp(c->opt[i], name) == 0 && c->val[i] != NULL)
			out[n++] = c->val[i];
	return n;
}

int
opt_check(const struct cmdline *c, const char *const *allowed)
{
	const char *const *a;
	int i;

	for (i = 0; i < c->nopts; i++) {
		for (a = allowed; *a != NULL; a++)
			if (strcmp(c->opt[i], *a) == 0)
				break;
		if (*a == NULL) {
			fprintf(stderr, "certenroll: unknown option --%s\n", c->opt[i]);
			return -1;
		}
	}
	return 0;
}

/* Root opening a data directory that another user owns opens the LMDB
 * files with that user's rights: a symlink the owner swapped in after the
 * check (db_lmdb.c) cannot aim root's writes at a file of root's. */
static int
as_owner(const char *datadir, int on)
{
	static int switched;
	struct stat st;

	if (!on) {
		if (switched && (seteuid(0) == -1 || setegid(0) == -1))
			return -1;
		switched = 0;
		return 0;
	}
	if (geteuid() != 0 || stat(datadir, &st) == -1 || st.st_uid == 0)
		return 0;
	if (setegid(st.st_gid) == -1 || seteuid(st.st_uid) == -1)
		return -1;
	switched = 1;
	return 0;
}

/* as_owner, or exit saying why. */
static void
owner_or_exit(const char *datadir, int on)
{
	if (as_owner(datadir, on) == -1) {
		if (on)
			tool_error("cannot act as the owner of %s: %s", datadir,
			    strerror(errno));
		else
			tool_error("cannot become root again: %s",
			    strerror(errno));
		exit(1);
	}
}

struct ce_db *
tool_db(const struct cmdline *c)
{
	struct ce_error err;
	struct ce_db *db;
	enum ce_err rc;

	ce_error_clear(&err);
	owner_or_exit(c->datadir, 1);
	rc = db_open_url(c->datadir, config_get("database"), &db, &err);
	owner_or_exit(c->datadir, 0);
	if (rc == CE_OK)
		rc = db_set_key_dir(db, config_get("key_dir"), &err);
	if (rc != CE_OK) {
		tool_error("cannot open %s: %s", c->datadir, err.msg);
		exit(1);
	}
	return db;
}

/* On stderr, the command's answer to whoever ran it; with "log = syslog"
 * in syslog too, where the agent's and the service's lines are. */
void
tool_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "certenroll: %s\n", msg);
	if (log_on_syslog())
		log_error("%s", msg);
}

/* Maps the metrics file as the data directory's owner. */
void
tool_metrics(const struct cmdline *c)
{
	owner_or_exit(c->datadir, 1);
	/* Not worth stopping for: logged, and nothing is counted. */
	(void)metrics_open(c->datadir, NULL);
	owner_or_exit(c->datadir, 0);
}

int
tool_fail(const struct ce_error *err)
{
	tool_error("%s", err->msg[0] ? err->msg : ce_strerror(err->code));
	return 1;
}

json_object *
csv_array(const char *csv)
{
	json_object *arr = json_object_new_array();
	char *copy, *tok, *save = NULL;

	if (arr == NULL || csv == NULL || (copy = strdup(csv)) == NULL)
		return arr;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		if (*tok != '\0')
			json_object_array_add(arr, json_object_new_string(tok));
	free(copy);
	return arr;
}
