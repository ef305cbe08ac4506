/* settings.c - application settings with defaults (see settings.h). */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jobs.h"
#include "settings.h"
#include "db.h"

#define STR(x)	STR_(x)
#define STR_(x)	#x

enum kind { S_INT, S_STR, S_REGEX };

static const struct {
	const char	*name;
	enum kind	 kind;
	const char	*def;
	int64_t		 min, max;
} known[] = {
	{ "password_length",		S_INT,   "12",      0, 1024 },
	{ "require_friendly_name",	S_INT,   "0",       0, 1 },
	{ "cn_regex",			S_REGEX, ".+",      0, 0 },
	{ "staging_lifetime",		S_INT,   "300",     1, 86400 * 30 },
	{ "require_requested_with",	S_INT,   "1",       0, 1 },
	{ "body_limit",			S_INT,   "1048576", 1024, 64 * 1024 * 1024 },
	{ "allow_self_approval",	S_INT,   "0",       0, 1 },
	/* Bounds on what one user can make certenroll keep (issue #12). */
	{ "max_sans",			S_INT,   "100",     1, 10000 },
	{ "max_rdns",			S_INT,   "32",      1, 1000 },
	{ "max_pending_per_user",	S_INT,   "100",     0, 1000000 },
	{ "max_queued_jobs_per_user",	S_INT,   "1000",    0, 1000000 },
	{ "max_job_delay_days",		S_INT,   "366",     0, 36600 },
	/* How long a store agent's claim holds a job (jobs.h). */
	{ "job_lease",			S_INT,   STR(JOB_LEASE), 1, 86400 },
	/* A CRL's validity (nextUpdate - thisUpdate) and how old one gets
	 * before the agent makes the next (crl.h). */
	{ "crl_validity",		S_INT,   "604800",  3600, 86400 * 366 },
	{ "crl_refresh",		S_INT,   "86400",   60, 86400 * 366 },
	/* From how many entries a CA's full CRL has a revocation publish a
	 * delta CRL instead of a new full one (0: never), and a delta's
	 * validity (the agent makes the next at half of it). */
	{ "crl_delta_min",		S_INT,   "10000",   0, 1000000000 },
	{ "crl_delta_validity",		S_INT,   "86400",   300, 86400 * 366 },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

static int
find(const char *name)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (strcmp(known[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *
settings_name(int i)
{
	return i >= 0 && (size_t)i < NKNOWN ? known[i].name : NULL;
}

char *
settings_str(struct ce_db *db, struct ce_txn *txn, const char *name, char *buf,
    size_t bufsz)
{
	struct ce_txn *own = NULL;
	json_object *rec = NULL, *v;
	int i = find(name);

	snprintf(buf, bufsz, "%s", i >= 0 ? known[i].def : "");
	/* The configuration file wins over the LMDB settings. */
	if (config_get(name) != NULL) {
		snprintf(buf, bufsz, "%s", config_get(name));
		return buf;
	}
	if (txn == NULL) {
		if (db_begin(db, 0, &own, NULL) != CE_OK)
			return buf;	/* defaults; the fault is logged */
		txn = own;
	}
	if (db_get(txn, T_SETTINGS, name, &rec, NULL) == CE_OK &&
	    json_object_object_get_ex(rec, "value", &v))
		snprintf(buf, bufsz, "%s", json_object_get_string(v));
	json_object_put(rec);
	db_abort(own);
	return buf;
}

int64_t
settings_int(struct ce_db *db, struct ce_txn *txn, const char *name)
{
	char buf[64];

	return strtoll(settings_str(db, txn, name, buf, sizeof(buf)), NULL, 10);
}

static enum ce_err
validate(int i, const char *value, struct ce_error *err)
{
	regex_t re;
	char *end;
	long long v;

	switch (known[i].kind) {
	case S_INT:
		errno = 0;
		v = strtoll(value, &end, 10);
		if (errno || end == value || *end != '\0' ||
		    v < known[i].min || v > known[i].max)
			return ce_fail(err, CE_INVAL, "%s: expected an integer "
			    "from %lld to %lld", known[i].name,
			    (long long)known[i].min, (long long)known[i].max);
		return CE_OK;
	case S_REGEX:
		if (regcomp(&re, value, REG_EXTENDED | REG_NOSUB) != 0)
			return ce_fail(err, CE_INVAL, "%s: not a valid regular "
			    "expression", known[i].name);
		regfree(&re);
		return CE_OK;
	default:
		return CE_OK;
	}
}

enum ce_err
settings_check(const char *name, const char *value, struct ce_error *err)
{
	int i = find(name);

	return i < 0 ? CE_OK : validate(i, value, err);
}

enum ce_err
settings_set(struct ce_db *db, const char *name, const char *value,
    struct ce_error *err)
{
	json_object *rec = NULL;
	enum ce_err rc;
	int i;

	if ((i = find(name)) < 0)
		return ce_fail(err, CE_INVAL, "unknown setting '%s'", name);
	if ((rc = validate(i, value, err)) != CE_OK)
		return rc;
	if ((rec = json_object_new_object()) == NULL ||
	    json_object_object_add(rec, "value", json_object_new_string(value)))
		return ce_fault(err, CE_NOMEM, "json");
	rc = db_write_put(db, T_SETTINGS, name, rec, err);
	json_object_put(rec);
	return rc;
}
