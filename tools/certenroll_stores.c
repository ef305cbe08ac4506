/* certenroll_stores.c - certificate stores, jobs and the store agent. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "certdb.h"
#include "certenroll.h"
#include "crl.h"
#include "jobs.h"
#include "keypool.h"
#include "log.h"
#include "retained.h"
#include "staging.h"
#include "stores.h"

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* --property K=V pairs into an object. */
static json_object *
properties(const struct cmdline *c)
{
	const char *v[32];
	json_object *o = json_object_new_object();
	char *copy, *eq;
	int i, n = opt_all(c, "property", v, 32);

	for (i = 0; i < n; i++) {
		if ((copy = strdup(v[i])) == NULL)
			continue;
		if ((eq = strchr(copy, '=')) != NULL) {
			*eq = '\0';
			json_object_object_add(o, copy, json_object_new_string(eq + 1));
		}
		free(copy);
	}
	return o;
}

static int
store_add_cmd(struct cmdline *c)
{
	static const char *const allowed[] = { "type", "path", "container",
	    "container-name", "machine", "password", "create-if-missing",
	    "property", NULL };
	struct store_def def;
	struct ce_error err;
	struct ce_db *db;
	char guid[GUID_LEN + 1];
	int rc;

	ce_error_clear(&err);
	if (opt_check(c, allowed) || !opt_get(c, "type") || !opt_get(c, "path")) {
		fprintf(stderr, "usage: certenroll store add --type PEM|PKCS12 "
		    "--path PATH [--container N] [--container-name S] [--machine M]\n"
		    "       [--password PW] [--create-if-missing] [--property K=V]...\n");
		return 2;
	}
	memset(&def, 0, sizeof(def));
	def.store_type = opt_get(c, "type");
	def.store_path = opt_get(c, "path");
	def.container_id = opt_get(c, "container") ? atoll(opt_get(c, "container")) : 0;
	def.container_name = opt_get(c, "container-name");
	def.client_machine = opt_get(c, "machine");
	def.password = opt_get(c, "password");
	def.create_if_missing = opt_flag(c, "create-if-missing");
	def.properties = properties(c);
	db = tool_db(c);
	rc = store_add(db, &def, guid, &err);
	db_close(db);
	json_object_put(def.properties);
	if (rc != CE_OK)
		return tool_fail(&err);
	printf("%s\n", guid);
	return 0;
}

int
cmd_store(struct cmdline *c)
{
	if (c->nargs == 1 && strcmp(c->args[0], "add") == 0)
		return store_add_cmd(c);
	if (c->nargs == 1 && strcmp(c->args[0], "list") == 0)
		return list_records(c, store_dump);
	fprintf(stderr, "usage: certenroll store add|list ...\n");
	return 2;
}

int
cmd_job(struct cmdline *c)
{
	struct ce_error err;
	struct ce_db *db;
	char *end;
	long long id;

	if (c->nargs == 1 && strcmp(c->args[0], "list") == 0)
		return list_records(c, job_dump);
	if (c->nargs == 2 && strcmp(c->args[0], "cancel") == 0) {
		id = strtoll(c->args[1], &end, 10);
		if (*end != '\0' || end == c->args[1]) {
			fprintf(stderr, "certenroll: job cancel: '%s' is not a "
			    "job id\n", c->args[1]);
			return 2;
		}
		ce_error_clear(&err);
		db = tool_db(c);
		if (job_cancel(db, id, &err) != CE_OK) {
			db_close(db);
			return tool_fail(&err);
		}
		db_close(db);
		printf("job %lld cancelled\n", id);
		return 0;
	}
	fprintf(stderr, "usage: certenroll job list | job cancel ID\n");
	return 2;
}

/* One agent pass: purge expired staging data and kept keys, run due jobs, top up the
 * key pool (a few keys per pass, so jobs are never held up long), make
 * the CRLs that are due and write each CA's files (crl.h). */
static int
agent_pass(struct ce_db *db)
{
	struct ce_error err;
	int ran = 0, failed = 0, purged = 0, pooled = 0, forgotten = 0, bad = 0;

	/* Each step on its own: one that fails (logged) does not keep the
	 * others, CRLs above all, from being done. */
	ce_error_clear(&err);
	if (staging_purge(db, time(NULL), &purged, &err) != CE_OK)
		bad = tool_fail(&err);
	ce_error_clear(&err);
	if (retained_purge(db, (int64_t)time(NULL), &forgotten, &err) != CE_OK)
		bad = tool_fail(&err);
	ce_error_clear(&err);
	if (agent_run_due(db, time(NULL), &ran, &failed, &err) != CE_OK)
		bad = tool_fail(&err);
	ce_error_clear(&err);
	if (keypool_fill_configured(db, 8, &pooled, &err) != CE_OK)
		bad = tool_fail(&err);
	ce_error_clear(&err);
	if (crl_refresh_all(db, time(NULL), &err) != CE_OK)
		bad = tool_fail(&err);
	if (ran > 0 || purged > 0 || pooled > 0 || forgotten > 0)
		log_info("agent: %d job(s) run, %d failed, %d staging record(s) "
		    "purged, %d kept key(s) past their time deleted, %d key(s) "
		    "pooled", ran, failed, purged, forgotten, pooled);
	return bad;
}

/* keypool fill --spec W --size N | keypool status --spec W */
int
cmd_keypool(struct cmdline *c)
{
	static const char *const allowed[] = { "spec", "size", NULL };
	struct key_spec spec;
	struct ce_error err;
	struct ce_db *db;
	int n = 0, rc = 0;

	ce_error_clear(&err);
	if (c->nargs != 1 || opt_check(c, allowed) || opt_get(c, "spec") == NULL) {
		fprintf(stderr, "usage: certenroll keypool fill|status --spec W "
		    "[--size N]\n");
		return 2;
	}
	if (key_spec_parse_word(opt_get(c, "spec"), &spec, &err) != CE_OK)
		return tool_fail(&err);
	db = tool_db(c);
	if (strcmp(c->args[0], "fill") == 0)
		rc = keypool_fill(db, &spec, opt_get(c, "size") ?
		    atoi(opt_get(c, "size")) : 16, 1 << 20, &n, &err);
	else
		rc = keypool_count(db, &spec, &n, &err);
	db_close(db);
	if (rc != CE_OK)
		return tool_fail(&err);
	printf("%d\n", n);
	return 0;
}

int
cmd_agent(struct cmdline *c)
{
	static const char *const allowed[] = { "once", "interval", NULL };
	struct sigaction sa;
	struct ce_db *db;
	char lockpath[4096];
	int interval, rc = 0, lockfd;

	if (opt_check(c, allowed) != 0)
		return 2;
	interval = opt_get(c, "interval") ? atoi(opt_get(c, "interval")) : 5;
	if (interval < 1)
		interval = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	log_init("certenroll-agent");
	db = tool_db(c);
	tool_metrics(c);
	/* One agent at a time: two writers of one PKCS12 file could lose an
	 * update, so every agent takes the data directory's agent lock.
	 * Agents of other hosts sharing PostgreSQL take other jobs: a claim
	 * holds its job for a lease (jobs.h). */
	snprintf(lockpath, sizeof(lockpath), "%s/agent.lock", c->datadir);
	if ((lockfd = open(lockpath, O_RDWR | O_CREAT, 0600)) == -1 ||
	    flock(lockfd, LOCK_EX) == -1) {
		tool_error("cannot lock %s: %s", lockpath, strerror(errno));
		db_close(db);
		return 1;
	}
	do {
		if ((rc = agent_pass(db)) != 0 && opt_flag(c, "once"))
			break;
		if (opt_flag(c, "once"))
			break;
		sleep((unsigned)interval);
	} while (!stop);
	close(lockfd);
	db_close(db);
	return rc;
}
