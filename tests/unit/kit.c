/* kit.c - the unit tests' data folder and admin helpers (see kit.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/x509v3.h>
#include <libpq-fe.h>

#include "auth.h"
#include "ca.h"
#include "config.h"
#include "deploy.h"
#include "certdb.h"
#include "kit.h"
#include "keys.h"
#include "policy.h"
#include "revoke.h"
#include "seal.h"
#include "settings.h"
#include "stores.h"

static FILE *log_file;		/* kit_log_begin() */
static int log_saved = -1;

void
kit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_error("ERROR: ");
	vprint_error(fmt, ap);
	print_error("\n");
	va_end(ap);
	_fail(file, line);
	abort();	/* not reached: _fail() leaves the test */
}

/*
 * CERTENROLL_TEST_DATABASE=postgresql://...: the tests run on PostgreSQL,
 * each in a fresh schema of that database (its search_path), migrated as
 * `certenroll db migrate` does; dropped at kit_close.
 */
void
kit_schema_url(const struct kit *k, char *buf, size_t bufsz)
{
	const char *base = getenv("CERTENROLL_TEST_DATABASE");

	snprintf(buf, bufsz, "%s%soptions=-csearch_path%%3D%s", base,
	    strchr(base, '?') != NULL ? "&" : "?", k->schema);
}

void
kit_pg_exec(const char *conninfo, const char *sql)
{
	PGconn *c;
	PGresult *res;

	if ((c = PQconnectdb(conninfo)) == NULL ||
	    PQstatus(c) != CONNECTION_OK)
		fail_msg("connect: %s", PQerrorMessage(c));
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
}

static void
kit_open_db(struct kit *k)
{
	const char *base = getenv("CERTENROLL_TEST_DATABASE");
	static unsigned int n;
	struct ce_error err;
	char sql[256], url[1024];
	int from, to;

	if (base == NULL || *base == '\0') {
		E(db_open(k->dir, &k->db, &err));
		kit_drill(k->db);
		return;
	}
	snprintf(k->schema, sizeof(k->schema), "unit_%d_%u", (int)getpid(), n++);
	snprintf(sql, sizeof(sql), "SET client_min_messages = warning; DROP "
	    "SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", k->schema,
	    k->schema);
	kit_pg_exec(base, sql);
	kit_schema_url(k, url, sizeof(url));
	E(db_open_url(k->dir, url, &k->db, &err));
	E(db_migrate(k->db, &from, &to, &err));
	kit_drill(k->db);
}

void
kit_drill(struct ce_db *db)
{
	const char *on = getenv("CERTENROLL_RETRY_DRILL");

	if (on != NULL && strcmp(on, "1") == 0)
		db_set_retry_drill(db, 1);
}

int
kit_on_postgresql(void)
{
	return db_is_postgresql(getenv("CERTENROLL_TEST_DATABASE"));
}

static void
kit_drop_schema(struct kit *k)
{
	const char *base = getenv("CERTENROLL_TEST_DATABASE");
	char sql[256];

	if (k->schema[0] == '\0' || base == NULL ||
	    getenv("KEEP_TEST_DIRS") != NULL)
		return;
	snprintf(sql, sizeof(sql), "SET client_min_messages = warning; "
	    "DROP SCHEMA IF EXISTS %s CASCADE", k->schema);
	kit_pg_exec(base, sql);
	k->schema[0] = '\0';
}

void
kit_open(struct kit *k)
{
	struct ce_error err;

	memset(k, 0, sizeof(*k));
	/* Nothing from the environment reaches the lib: no signer socket,
	 * no configuration file but what a test gives (kit_config). */
	unsetenv("CERTENROLL_SIGNER");
	unsetenv("CERTENROLL_CONF");
	config_reset();
	config_set_check(settings_check);	/* as the programs load it */
	snprintf(k->dir, sizeof(k->dir), "/tmp/ce-unit.XXXXXX");
	if (mkdtemp(k->dir) == NULL)
		fail_msg("mkdtemp %s", k->dir);
	/* What `certenroll init` does: the DEK, then the environment. */
	E(seal_key_create(k->dir, &err));
	kit_open_db(k);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == -1 ? -1 : 0;
}

void
kit_close(struct kit *k)
{
	if (log_file != NULL)		/* a test failed while capturing */
		free(kit_log_end());
	db_close(k->db);
	k->db = NULL;
	kit_drop_schema(k);
	config_reset();
	if (k->dir[0] != '\0' && nftw(k->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		fail_msg("cannot remove %s", k->dir);
	k->dir[0] = '\0';
}

int
kit_setup(void **state)
{
	struct kit *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return -1;
	kit_open(k);
	*state = k;
	return 0;
}

int
kit_teardown(void **state)
{
	struct kit *k = *state;

	kit_close(k);
	free(k);
	return 0;
}

void
kit_log_begin(void)
{
	CHECK(log_file == NULL && (log_file = tmpfile()) != NULL);
	fflush(stderr);
	CHECK((log_saved = dup(STDERR_FILENO)) != -1);
	CHECK(dup2(fileno(log_file), STDERR_FILENO) != -1);
}

char *
kit_log_end(void)
{
	char *text = NULL;
	long n;

	CHECK(log_file != NULL);
	fflush(stderr);
	CHECK(dup2(log_saved, STDERR_FILENO) != -1 && close(log_saved) == 0);
	log_saved = -1;
	CHECK((n = ftell(log_file)) >= 0 && (text = calloc(1, n + 1)) != NULL);
	rewind(log_file);
	CHECK(fread(text, 1, n, log_file) == (size_t)n);
	fclose(log_file);
	log_file = NULL;
	/* shown again, where the test's own output goes */
	fputs(text, stderr);
	return text;
}

const char *
kit_jstr(json_object *o, const char *key)
{
	json_object *v;

	CHECK(json_object_object_get_ex(o, key, &v));
	return json_object_get_string(v);
}

int64_t
kit_jint(json_object *o, const char *key)
{
	json_object *v;

	CHECK(json_object_object_get_ex(o, key, &v));
	return json_object_get_int64(v);
}

json_object *
kit_json(const char *text)
{
	json_object *j;

	if ((j = json_tokener_parse(text)) == NULL)
		fail_msg("not JSON: %s", text);
	return j;
}

void
kit_config(const char *text)
{
	struct ce_error err;

	config_reset();
	E(config_parse(text, &err));
}

int64_t
kit_ca(struct kit *k, const char *name, const char *key, int days,
    const char *parent)
{
	struct ce_error err;
	struct key_spec spec;
	int64_t id = 0;

	E(key_spec_parse_word(key, &spec, &err));
	E(ca_create(k->db, name, &spec, NULL, days, parent, &id, &err));
	return id;
}

/* template_add or pattern_add of the record json: the id it gives. */
static int64_t
admin_add(struct kit *k, const char *json, enum ce_err (*add)(struct ce_db *,
    json_object *, int64_t *, struct ce_error *))
{
	struct ce_error err;
	json_object *rec = kit_json(json);
	int64_t id = 0;

	E(add(k->db, rec, &id, &err));
	json_object_put(rec);
	return id;
}

int64_t
kit_template(struct kit *k, const char *json)
{
	return admin_add(k, json, template_add);
}

int64_t
kit_pattern(struct kit *k, const char *json)
{
	return admin_add(k, json, pattern_add);
}

/* Stores {field: [the words of csv]} under name, as the admin command's
 * put_list does. */
static void
put_list(struct kit *k, enum db_table t, const char *name, const char *field,
    const char *csv)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec = json_object_new_object(), *arr = json_object_new_array();
	char *copy = NULL, *w, *save = NULL;

	CHECK(rec != NULL && arr != NULL && (copy = strdup(csv)) != NULL);
	for (w = strtok_r(copy, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save))
		json_object_array_add(arr, json_object_new_string(w));
	free(copy);
	json_object_object_add(rec, field, arr);
	E(db_begin(k->db, 1, &txn, &err));
	E(db_put(txn, t, name, rec, &err));
	E(db_commit(txn, &err));
	json_object_put(rec);
}

/* The admin command refuses a claim auth_claim_valid() does not know. */
void
kit_role(struct kit *k, const char *role, const char *claims)
{
	char *copy = NULL, *w, *save = NULL;

	CHECK((copy = strdup(claims)) != NULL);
	for (w = strtok_r(copy, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save))
		if (!auth_claim_valid(w))
			fail_msg("'%s' is not a known claim", w);
	free(copy);
	put_list(k, T_ROLES, role, "claims", claims);
}

/* As the admin command sets users: auth_user_set (which gives ids). */
void
kit_user(struct kit *k, const char *user, const char *roles)
{
	struct ce_error err;
	const char *words[32];
	char *copy = strdup(roles), *w, *save = NULL;
	int n = 0;

	CHECK(copy != NULL);
	for (w = strtok_r(copy, ",", &save); w != NULL && n < 32;
	    w = strtok_r(NULL, ",", &save))
		words[n++] = w;
	E(auth_user_set(k->db, user, words, n, &err));
	free(copy);
}

void
kit_store(struct kit *k, const char *type, int64_t container,
    const char *password, char *guid)
{
	static int n;
	struct ce_error err;
	struct store_def def;
	char path[128];

	snprintf(path, sizeof(path), "%s/store%d", k->dir, ++n);
	CHECK(mkdir(path, 0700) == 0);
	memset(&def, 0, sizeof(def));
	def.container_id = container;
	def.store_path = path;
	def.store_type = type;
	def.password = password;
	E(store_add(k->db, &def, guid, &err));
}

void
kit_setting(struct kit *k, const char *name, const char *value)
{
	struct ce_error err;

	E(settings_set(k->db, name, value, &err));
}

void
kit_policy(struct kit *k, const char *tmpl, int64_t pattern, const char *ca,
    struct policy *p)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;

	E(db_begin(k->db, 0, &txn, &err));
	ce_error_clear(&err);
	if (policy_resolve(txn, tmpl, pattern > 0, pattern, ca, p, &err) !=
	    CE_OK) {
		db_abort(txn);
		fail_msg("policy_resolve %s: %s", tmpl ? tmpl : "-", err.msg);
	}
	db_abort(txn);
}

size_t
kit_count(struct kit *k, enum db_table t)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	size_t n = 0;

	E(db_begin(k->db, 0, &txn, &err));
	E(db_count(txn, t, &n, &err));
	db_abort(txn);
	return n;
}

json_object *
kit_record(struct kit *k, enum db_table t, const char *key)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec = NULL;
	enum ce_err rc;

	E(db_begin(k->db, 0, &txn, &err));
	rc = db_get(txn, t, key, &rec, &err);
	db_abort(txn);
	if (rc != CE_OK && rc != CE_NOTFOUND)
		fail_msg("db_get %s: %s", key, err.msg);
	return rec;
}

json_object *
kit_record_id(struct kit *k, enum db_table t, int64_t id)
{
	char key[DB_IDKEY_MAX];

	return kit_record(k, t, db_idkey((uint64_t)id, key));
}

void
kit_put(struct kit *k, enum db_table t, const char *key, const char *json)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec = kit_json(json);

	E(db_begin(k->db, 1, &txn, &err));
	E(db_put(txn, t, key, rec, &err));
	E(db_commit(txn, &err));
	json_object_put(rec);
}

enum ce_err
kit_enroll(struct kit *k, const char *user, enum cert_format fmt,
    const char *body, json_object **resp, struct ce_error *err)
{
	struct enroll_req req;
	struct enroll_ctx ctx = { user, 1, fmt, NULL, 0, NULL, 0 };
	enum ce_err rc;

	*resp = NULL;
	ctx.body = kit_json(body);
	memset(&req, 0, sizeof(req));
	ce_error_clear(err);
	if ((rc = fields_parse(enroll_fields, enroll_nfields, ctx.body, &req,
	    err)) == CE_OK)
		rc = enroll_pfx(k->db, &ctx, &req, resp, err);
	json_object_put(ctx.body);
	return rc;
}

int64_t
kit_issue(struct kit *k, const char *user, enum cert_format fmt,
    const char *body)
{
	struct ce_error err;
	json_object *resp = NULL, *ci, *v;
	int64_t id;

	E(kit_enroll(k, user, fmt, body, &resp, &err));
	CHECK(json_object_object_get_ex(resp, "CertificateInformation", &ci) &&
	    json_object_object_get_ex(ci, "KeyfactorId", &v));
	if ((id = json_object_get_int64(v)) <= 0)
		fail_msg("not issued: %s", json_object_to_json_string(resp));
	json_object_put(resp);
	return id;
}

void
kit_revoke(struct kit *k, const char *ids, int64_t reason)
{
	struct ce_error err;
	struct revoke_input in = { NULL, reason, "kit", 0, "revoker" };
	json_object *resp = NULL;
	int status = 200;

	in.ids = kit_json(ids);
	E(revoke_certificates(k->db, &in, &resp, &status, &err));
	if (status != 200)
		fail_msg("not revoked: %s", json_object_to_json_string(resp));
	json_object_put(resp);
	json_object_put(in.ids);
}

uint32_t
kit_key_usage(X509 *x)
{
	ASN1_BIT_STRING *bits;
	uint32_t ku = 0;
	int i;

	CHECK((bits = X509_get_ext_d2i(x, NID_key_usage, NULL, NULL)) != NULL);
	for (i = 0; i < 8; i++)
		if (ASN1_BIT_STRING_get_bit(bits, i))
			ku |= 0x80 >> i;
	ASN1_BIT_STRING_free(bits);
	return ku;
}

X509 *
kit_cert_x509(json_object *rec)
{
	struct cert c;
	X509 *x;

	cert_from_record(rec, &c);
	x = cert_x509(&c);
	cert_clear(&c);
	return x;
}

void
kit_deploy(struct kit *k, const char *user, int64_t cert, const char *password,
    const char *store, const char *alias)
{
	struct deploy_req req;
	struct ce_error err;
	json_object *body, *resp = NULL;
	char text[512];

	snprintf(text, sizeof(text), "{\"CertificateId\":%lld,\"Password\":"
	    "\"%s\",\"Stores\":[{\"StoreId\":\"%s\",\"Alias\":\"%s\"}]}",
	    (long long)cert, password, store, alias);
	body = kit_json(text);
	memset(&req, 0, sizeof(req));
	E(fields_parse(deploy_fields, deploy_nfields, body, &req, &err));
	E(deploy_pfx(k->db, user, &req, &resp, &err));
	CHECK(json_object_array_length(json_object_object_get(resp,
	    "SuccessfulStores")) == 1);
	json_object_put(resp);
	json_object_put(body);
}
