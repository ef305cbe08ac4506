/* certenroll_policy.c - templates, enrollment patterns and settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certdb.h"
#include "certenroll.h"
#include "log.h"
#include "policy.h"
#include "request.h"
#include "settings.h"
#include "workflow.h"
#include "db.h"

/* The name policy options as a "names" object (caller puts): --san-types
 * W,W  --dns-suffix S (repeatable)  --dns-regex RE  --wildcards or
 * --no-wildcards  --ip-ranges CIDR,CIDR.  NULL in *out when none is given;
 * -1 when both wildcard switches are. */
static int
names_options(struct cmdline *c, json_object **out)
{
	const char *suf[32];
	json_object *o, *arr;
	int i, n;

	*out = NULL;
	if (opt_flag(c, "wildcards") && opt_flag(c, "no-wildcards")) {
		fprintf(stderr, "certenroll: --wildcards and --no-wildcards "
		    "exclude each other\n");
		return -1;
	}
	if (!opt_get(c, "san-types") && !opt_get(c, "dns-suffix") &&
	    !opt_get(c, "dns-regex") && !opt_get(c, "ip-ranges") &&
	    !opt_flag(c, "wildcards") && !opt_flag(c, "no-wildcards"))
		return 0;
	o = json_object_new_object();
	if (opt_get(c, "san-types") != NULL)
		json_object_object_add(o, "san_types",
		    csv_array(opt_get(c, "san-types")));
	if ((n = opt_all(c, "dns-suffix", suf, 32)) > 0) {
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr, json_object_new_string(suf[i]));
		json_object_object_add(o, "dns_suffixes", arr);
	}
	if (opt_get(c, "dns-regex") != NULL)
		json_object_object_add(o, "dns_regex",
		    json_object_new_string(opt_get(c, "dns-regex")));
	if (opt_flag(c, "wildcards") || opt_flag(c, "no-wildcards"))
		json_object_object_add(o, "wildcards",
		    json_object_new_boolean(opt_flag(c, "wildcards")));
	if (opt_get(c, "ip-ranges") != NULL)
		json_object_object_add(o, "ip_ranges",
		    csv_array(opt_get(c, "ip-ranges")));
	*out = o;
	return 0;
}

/* --key-retention WORD [--key-retention-days N] into rec (template_add and
 * template_set check the words). */
static int
retention_options(struct cmdline *c, json_object *rec)
{
	const char *w = opt_get(c, "key-retention");
	const char *d = opt_get(c, "key-retention-days");
	char *end;
	long n;

	if (w != NULL)
		json_object_object_add(rec, "key_retention",
		    json_object_new_string(w));
	if (d != NULL) {
		n = strtol(d, &end, 10);
		if (*d == '\0' || *end != '\0' || n < 0 || n > 1000000) {
			fprintf(stderr, "certenroll: --key-retention-days: '%s' "
			    "is not a number of days\n", d);
			return -1;
		}
		json_object_object_add(rec, "key_retention_days",
		    json_object_new_int64(n));
	}
	return 0;
}

static int
template_add_cmd(struct cmdline *c)
{
	static const char *const allowed[] = { "keys", "days", "key-usage", "eku",
	    "subject-regex", "require-approval", "ca", "extension", "san-types",
	    "dns-suffix", "dns-regex", "wildcards", "no-wildcards", "ip-ranges",
	    "key-retention", "key-retention-days", NULL };
	const char *cas[16], *exts[16];
	json_object *extobj, *names;
	char *copy, *eq;
	json_object *rec, *arr;
	struct ce_error err;
	struct ce_db *db;
	int64_t pid;
	int i, n, rc;

	ce_error_clear(&err);
	if (c->nargs != 2 || opt_check(c, allowed) != 0) {
		fprintf(stderr, "usage: certenroll template add NAME [options]\n");
		return 2;
	}
	if (names_options(c, &names) != 0)
		return 2;
	rec = json_object_new_object();
	if (names != NULL)
		json_object_object_add(rec, "names", names);
	json_object_object_add(rec, "name", json_object_new_string(c->args[1]));
	json_object_object_add(rec, "keys", csv_array(opt_get(c, "keys") ?
	    opt_get(c, "keys") : "RSA-2048,RSA-3072,RSA-4096,ECC-P-256,ECC-P-384,"
	    "ECC-P-521,Ed25519,Ed448"));
	json_object_object_add(rec, "days", json_object_new_int(opt_get(c, "days") ?
	    atoi(opt_get(c, "days")) : 365));
	json_object_object_add(rec, "key_usage", csv_array(opt_get(c, "key-usage") ?
	    opt_get(c, "key-usage") : "digitalSignature,keyEncipherment"));
	json_object_object_add(rec, "eku", csv_array(opt_get(c, "eku") ?
	    opt_get(c, "eku") : "serverAuth,clientAuth"));
	if (opt_get(c, "subject-regex") != NULL)
		json_object_object_add(rec, "subject_regex",
		    json_object_new_string(opt_get(c, "subject-regex")));
	json_object_object_add(rec, "require_approval",
	    json_object_new_boolean(opt_flag(c, "require-approval")));
	arr = json_object_new_array();
	n = opt_all(c, "ca", cas, 16);
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(cas[i]));
	json_object_object_add(rec, "cas", arr);
	/* --extension NAME=VALUE: a profile extension in openssl's syntax. */
	extobj = json_object_new_object();
	n = opt_all(c, "extension", exts, 16);
	for (i = 0; i < n; i++) {
		if ((copy = strdup(exts[i])) == NULL)
			continue;
		if ((eq = strchr(copy, '=')) != NULL) {
			*eq = '\0';
			json_object_object_add(extobj, copy,
			    json_object_new_string(eq + 1));
		}
		free(copy);
	}
	json_object_object_add(rec, "extensions", extobj);
	if (retention_options(c, rec) != 0) {
		json_object_put(rec);
		return 2;
	}
	db = tool_db(c);
	rc = template_add(db, rec, &pid, &err);
	db_close(db);
	json_object_put(rec);
	if (rc != CE_OK)
		return tool_fail(&err);
	printf("added template %s with default enrollment pattern %lld\n",
	    c->args[1], (long long)pid);
	return 0;
}

/* NAME:TYPE[:required][:opt|opt] -> {"name","type","required","options"} */
static json_object *
metadata_def(const char *spec, int typed)
{
	json_object *o = json_object_new_object();
	char *copy = strdup(spec), *tok, *save = NULL;
	int i = 0;

	for (tok = strtok_r(copy, ":", &save); tok != NULL;
	    tok = strtok_r(NULL, ":", &save), i++) {
		if (i == 0)
			json_object_object_add(o, "name", json_object_new_string(tok));
		else if (i == 1 && typed && strcmp(tok, "required") != 0)
			json_object_object_add(o, "type", json_object_new_string(tok));
		else if (strcmp(tok, "required") == 0)
			json_object_object_add(o, "required", json_object_new_boolean(1));
		else {
			json_object *opts = json_object_new_array();
			char *o2, *s2 = NULL;

			for (o2 = strtok_r(tok, "|", &s2); o2 != NULL;
			    o2 = strtok_r(NULL, "|", &s2))
				json_object_array_add(opts, json_object_new_string(o2));
			json_object_object_add(o, "options", opts);
		}
	}
	free(copy);
	return o;
}

static int
pattern_add_cmd(struct cmdline *c)
{
	static const char *const allowed[] = { "template", "name", "keys",
	    "require-approval", "metadata", "field", "san-types", "dns-suffix",
	    "dns-regex", "wildcards", "no-wildcards", "ip-ranges", NULL };
	const char *defs[32];
	json_object *rec, *arr, *names;
	struct ce_error err;
	struct ce_db *db;
	int64_t id;
	int i, n, rc;

	ce_error_clear(&err);
	if (opt_check(c, allowed) != 0 || opt_get(c, "template") == NULL) {
		fprintf(stderr, "usage: certenroll pattern add --template NAME "
		    "[options]\n");
		return 2;
	}
	if (names_options(c, &names) != 0)
		return 2;
	rec = json_object_new_object();
	if (names != NULL)
		json_object_object_add(rec, "names", names);
	json_object_object_add(rec, "template",
	    json_object_new_string(opt_get(c, "template")));
	json_object_object_add(rec, "name", json_object_new_string(
	    opt_get(c, "name") ? opt_get(c, "name") : opt_get(c, "template")));
	if (opt_get(c, "keys") != NULL)
		json_object_object_add(rec, "keys", csv_array(opt_get(c, "keys")));
	json_object_object_add(rec, "require_approval",
	    json_object_new_boolean(opt_flag(c, "require-approval")));
	arr = json_object_new_array();
	n = opt_all(c, "metadata", defs, 32);
	for (i = 0; i < n; i++)
		json_object_array_add(arr, metadata_def(defs[i], 1));
	json_object_object_add(rec, "metadata", arr);
	arr = json_object_new_array();
	n = opt_all(c, "field", defs, 32);
	for (i = 0; i < n; i++)
		json_object_array_add(arr, metadata_def(defs[i], 0));
	json_object_object_add(rec, "additional_fields", arr);
	db = tool_db(c);
	rc = pattern_add(db, rec, &id, &err);
	db_close(db);
	json_object_put(rec);
	if (rc != CE_OK)
		return tool_fail(&err);
	printf("added enrollment pattern %lld\n", (long long)id);
	return 0;
}

static int
print_record(const char *key, json_object *rec, void *arg)
{
	(void)arg;
	printf("%s\t%s\n", key, json_object_to_json_string_ext(rec,
	    JSON_C_TO_STRING_PLAIN));
	return 0;
}

/* Lists records as "key<TAB>json" lines: those a record module's dump
 * gives (without the secrets it leaves out). */
int
list_records(struct cmdline *c, dump_fn dump)
{
	struct ce_error err;
	struct ce_txn *txn;
	struct ce_db *db = tool_db(c);
	enum ce_err rc;
	int ret = 0;

	ce_error_clear(&err);
	if ((rc = db_begin(db, 0, &txn, &err)) == CE_OK)
		rc = dump(txn, print_record, NULL, &err);
	if (rc != CE_OK)
		ret = tool_fail(&err);
	db_abort(txn);
	db_close(db);
	return ret;
}

/* template set NAME [--subject-regex RE] [--key-retention WORD
 * [--key-retention-days N]] [name policy options]: replaces the template's
 * subject regex, its key retention and, when any name option is given, its
 * whole name policy. */
static int
template_set_cmd(struct cmdline *c)
{
	static const char *const allowed[] = { "subject-regex", "san-types",
	    "dns-suffix", "dns-regex", "wildcards", "no-wildcards", "ip-ranges",
	    "key-retention", "key-retention-days", NULL };
	json_object *changes, *names;
	struct ce_error err;
	struct ce_db *db;
	int rc;

	ce_error_clear(&err);
	if (c->nargs != 2 || opt_check(c, allowed) != 0) {
		fprintf(stderr, "usage: certenroll template set NAME "
		    "[--subject-regex RE] [--key-retention WORD "
		    "[--key-retention-days N]] [name policy options]\n");
		return 2;
	}
	if (names_options(c, &names) != 0)
		return 2;
	changes = json_object_new_object();
	if (retention_options(c, changes) != 0) {
		json_object_put(names);
		json_object_put(changes);
		return 2;
	}
	if (names != NULL)
		json_object_object_add(changes, "names", names);
	if (opt_get(c, "subject-regex") != NULL || opt_flag(c, "subject-regex"))
		json_object_object_add(changes, "subject_regex",
		    json_object_new_string(opt_get(c, "subject-regex") ?
		    opt_get(c, "subject-regex") : ""));
	db = tool_db(c);
	rc = template_set(db, c->args[1], changes, &err);
	db_close(db);
	json_object_put(changes);
	if (rc != CE_OK)
		return tool_fail(&err);
	printf("updated template %s\n", c->args[1]);
	return 0;
}

int
cmd_template(struct cmdline *c)
{
	if (c->nargs >= 1 && strcmp(c->args[0], "add") == 0)
		return template_add_cmd(c);
	if (c->nargs >= 1 && strcmp(c->args[0], "set") == 0)
		return template_set_cmd(c);
	if (c->nargs == 1 && strcmp(c->args[0], "list") == 0)
		return list_records(c, template_dump);
	fprintf(stderr, "usage: certenroll template add|set|list ...\n");
	return 2;
}

int
cmd_pattern(struct cmdline *c)
{
	if (c->nargs >= 1 && strcmp(c->args[0], "add") == 0)
		return pattern_add_cmd(c);
	if (c->nargs == 1 && strcmp(c->args[0], "list") == 0)
		return list_records(c, pattern_dump);
	fprintf(stderr, "usage: certenroll pattern add|list ...\n");
	return 2;
}

int
cmd_setting(struct cmdline *c)
{
	struct ce_error err;
	struct ce_db *db;
	char buf[512];
	const char *name;
	int i, rc = 0;

	ce_error_clear(&err);
	if (c->nargs == 3 && strcmp(c->args[0], "set") == 0) {
		db = tool_db(c);
		if (settings_set(db, c->args[1], c->args[2], &err) != CE_OK)
			rc = tool_fail(&err);
		db_close(db);
		return rc;
	}
	if (c->nargs == 1 && strcmp(c->args[0], "list") == 0) {
		db = tool_db(c);
		for (i = 0; (name = settings_name(i)) != NULL; i++)
			printf("%s = %s\n", name,
			    settings_str(db, NULL, name, buf, sizeof(buf)));
		db_close(db);
		return 0;
	}
	fprintf(stderr, "usage: certenroll setting set NAME VALUE | setting list\n");
	return 2;
}

/* cert forget-key ID: the kept key of certificate ID deleted, so that it
 * can never be recovered (a compromise, a policy that kept too much). */
static int
forget_key_cmd(struct cmdline *c)
{
	struct ce_error err;
	struct ce_db *db;
	char *end;
	long long id = strtoll(c->args[1], &end, 10);
	int rc;

	ce_error_clear(&err);
	if (*c->args[1] == '\0' || *end != '\0' || id <= 0) {
		fprintf(stderr, "usage: certenroll cert forget-key ID\n");
		return 2;
	}
	db = tool_db(c);
	rc = cert_forget_key(db, (int64_t)id, &err);
	db_close(db);
	if (rc != CE_OK)
		return tool_fail(&err);
	log_audit("certenroll-admin", "forget-key", "cert=%lld", id);
	printf("deleted the kept key of certificate %lld\n", id);
	return 0;
}

int
cmd_cert(struct cmdline *c)
{
	if (c->nargs == 1 && strcmp(c->args[0], "list") == 0)
		return list_records(c, cert_dump);
	if (c->nargs == 2 && strcmp(c->args[0], "forget-key") == 0)
		return forget_key_cmd(c);
	fprintf(stderr, "usage: certenroll cert list | cert forget-key ID\n");
	return 2;
}

/* request approve|deny ID... [--as USER] [--comment TEXT] */
static int
request_decide(struct cmdline *c, int approve)
{
	static const char *const allowed[] = { "as", "comment", NULL };
	struct ce_error err;
	struct ce_db *db;
	json_object *ids = json_object_new_array(), *resp = NULL;
	const char *who = opt_get(c, "as") ? opt_get(c, "as") : "certenroll-admin";
	int i, rc;

	ce_error_clear(&err);
	if (c->nargs < 2 || opt_check(c, allowed) != 0) {
		fprintf(stderr, "usage: certenroll request approve|deny ID... "
		    "[--as USER] [--comment TEXT]\n");
		json_object_put(ids);
		return 2;
	}
	for (i = 1; i < c->nargs; i++)
		json_object_array_add(ids, json_object_new_int64(atoll(c->args[i])));
	db = tool_db(c);
	rc = approve ? workflow_approve(db, who, ids, &resp, &err) :
	    workflow_deny(db, who, opt_get(c, "comment"), ids, &resp, &err);
	db_close(db);
	json_object_put(ids);
	if (rc != CE_OK)
		return tool_fail(&err);
	printf("%s\n", json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN));
	rc = workflow_successes(resp) == (size_t)(c->nargs - 1) ? 0 : 1;
	json_object_put(resp);
	return rc;
}

int
cmd_request(struct cmdline *c)
{
	if (c->nargs == 1 && strcmp(c->args[0], "list") == 0)
		return list_records(c, request_dump);
	if (c->nargs >= 1 && strcmp(c->args[0], "approve") == 0)
		return request_decide(c, 1);
	if (c->nargs >= 1 && strcmp(c->args[0], "deny") == 0)
		return request_decide(c, 0);
	fprintf(stderr, "usage: certenroll request list | approve|deny ID...\n");
	return 2;
}
