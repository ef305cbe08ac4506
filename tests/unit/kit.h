/*
 * kit.h - the unit tests' kit below nginx: a data folder initialised as
 * `certenroll init` does it (dek.key, then the LMDB environment), removed
 * at teardown, and the lib calls the admin command makes for a CA, a
 * template, an enrollment pattern, a role, a user and a setting.
 *
 * Test code only: include after <cmocka.h>.  Each kit_* helper fails the
 * running test (cmocka) when its lib call fails, so a test reads as the
 * script of what it sets up.  Tests get a fresh folder each
 * (cmocka_unit_test_setup_teardown(fn, kit_setup, kit_teardown)): none
 * depends on another or on the order they run in.
 */
#ifndef CE_TEST_KIT_H
#define CE_TEST_KIT_H

#include <stdint.h>
#include <string.h>
#include <json-c/json.h>
#include <openssl/x509.h>

#include "enroll.h"
#include "error.h"
#include "db.h"

struct policy;

struct kit {
	char		 dir[64];	/* the data folder, /tmp/ce-unit.XXXXXX */
	struct ce_db	*db;		/* open on dir */
	char		 schema[64];	/* on PostgreSQL: the test's own */
};

/*
 * E(expr): expr, a lib call returning enum ce_err, must return CE_OK.  It
 * reports into `err`, a struct ce_error in the caller's scope (cleared
 * first), whose message the failure prints.  EFAIL(expr, code, says): the
 * call must fail with code and a message holding the text says.
 * CHECK(cond): cond must hold; the failure prints it.  Each fails the
 * test through kit_fail(), which the compiler knows does not return.
 */
/* The world most PKI tests start from: a root CA, an ECC template, and
 * an enrollment body of a CN (kit_ca, kit_template, kit_issue). */
#define KIT_ROOT	"host\\RootCA"
#define KIT_WEB	"{\"name\":\"WebServer\",\"keys\":[\"ECC-P-256\"]," \
		"\"key_usage\":[\"digitalSignature\"],\"eku\":[\"serverAuth\"]}"
#define KIT_BODY(cn) "{\"Subject\":\"CN=" cn "\",\"Template\":" \
		"\"WebServer\",\"KeyType\":\"ECC\",\"Timestamp\":" \
		"\"2026-01-01T00:00:00Z\"}"

#define E(expr) do {							\
	enum ce_err e_rc_;						\
									\
	ce_error_clear(&err);						\
	if ((e_rc_ = (expr)) != CE_OK)					\
		kit_fail(__FILE__, __LINE__, "%s: %s: %s", #expr,	\
		    ce_strerror(e_rc_), err.msg);			\
} while (0)

#define EFAIL(expr, code, says) do {					\
	enum ce_err e_rc_;						\
									\
	ce_error_clear(&err);						\
	e_rc_ = (expr);							\
	if (e_rc_ != (code) || strstr(err.msg, (says)) == NULL)		\
		kit_fail(__FILE__, __LINE__, "%s: got %s '%s', wanted "	\
		    "%s '%s'", #expr, ce_strerror(e_rc_), err.msg,	\
		    ce_strerror(code), (says));				\
} while (0)

#define CHECK(cond) do {						\
	if (!(cond))							\
		kit_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);	\
} while (0)

/* Prints the message and fails the running cmocka test (at file:line). */
void		kit_fail(const char *file, int line, const char *fmt, ...)
		    __attribute__((noreturn, format(printf, 3, 4)));

/* cmocka setup and teardown: *state becomes a struct kit * on a new
 * folder; teardown closes it, removes the folder and forgets the
 * configuration (config_reset). */
int		kit_setup(void **state);
int		kit_teardown(void **state);
/* A test on a folder of its own, in main()'s table. */
#define KIT_TEST(fn)	cmocka_unit_test_setup_teardown(fn, kit_setup, \
			    kit_teardown)
/* Whether the tests run on PostgreSQL (CERTENROLL_TEST_DATABASE). */
int		kit_on_postgresql(void);
/* On PostgreSQL: the URI of the test's own schema (the backend's view). */
void		kit_schema_url(const struct kit *k, char *buf, size_t bufsz);
/* Runs sql, one or more commands, on a connection of its own to conninfo;
 * fails the test if it fails. */
void		kit_pg_exec(const char *conninfo, const char *sql);
/* CERTENROLL_RETRY_DRILL=1 (make unit-drill): db_set_retry_drill on db, so
 * that every db_write runs its function twice, as a conflict would.  The
 * kit does it for its own database; a test opening one calls it. */
void		kit_drill(struct ce_db *db);
/* The same without cmocka's state, for a second folder in one test. */
void		kit_open(struct kit *k);
void		kit_close(struct kit *k);

/* What the lib logs (stderr) from kit_log_begin() on, given back by
 * kit_log_end() (caller frees): the detail ce_fault() keeps from the
 * client's message. */
void		kit_log_begin(void);
char		*kit_log_end(void);

/* The text parsed as JSON (a new object: caller puts); fails on bad JSON. */
json_object	*kit_json(const char *text);
/* Field key of object o, which must be there: as text, as an integer. */
const char	*kit_jstr(json_object *o, const char *key);
int64_t		 kit_jint(json_object *o, const char *key);
/* certenroll.conf text in effect from now on (config_reset, config_parse). */
void		kit_config(const char *text);

/* `certenroll ca create NAME --key KEY --days DAYS [--parent PARENT]`:
 * the new CA's id. */
int64_t		kit_ca(struct kit *k, const char *name, const char *key,
		    int days, const char *parent);
/* `certenroll template add`, the record given as JSON text: the id of the
 * template's default enrollment pattern. */
int64_t		kit_template(struct kit *k, const char *json);
/* `certenroll pattern add`, the record as JSON text: its id. */
int64_t		kit_pattern(struct kit *k, const char *json);
/* `certenroll role add ROLE --claim ...` and `user add USER --role ...`,
 * the lists comma-separated (as the admin command stores them). */
void		kit_role(struct kit *k, const char *role, const char *claims);
void		kit_user(struct kit *k, const char *user, const char *roles);
/* `certenroll store add --type TYPE --path DIR/<n> --container C
 * [--password PW]`, the folder made in the data folder: its GUID into
 * guid (37 bytes). */
void		kit_store(struct kit *k, const char *type, int64_t container,
		    const char *password, char *guid);
/* `certenroll setting set NAME VALUE`. */
void		kit_setting(struct kit *k, const char *name, const char *value);
/* policy_resolve in a read transaction (pattern 0: the template's
 * default; ca NULL: the first that serves it); policy_clear(p) after. */
void		kit_policy(struct kit *k, const char *tmpl, int64_t pattern,
		    const char *ca, struct policy *p);

/* Records in a transaction of their own: how many t holds; t[key] (or
 * the record of id) as a new object (caller puts), NULL when there is
 * none; the record json put under key and committed. */
size_t		kit_count(struct kit *k, enum db_table t);
json_object	*kit_record(struct kit *k, enum db_table t, const char *key);
json_object	*kit_record_id(struct kit *k, enum db_table t, int64_t id);
/* The certificate of a stored certificate record (caller frees) or NULL. */
X509		*kit_cert_x509(json_object *rec);
void		kit_put(struct kit *k, enum db_table t, const char *key,
		    const char *json);

/* POST /Enrollment/PFX below the program: body parsed with the
 * endpoint's field table, then enroll_pfx() for user (API version 1);
 * the answer in *resp (caller puts). */
enum ce_err	kit_enroll(struct kit *k, const char *user, enum cert_format fmt,
		    const char *body, json_object **resp, struct ce_error *err);
/* kit_enroll() that must issue: the new certificate's id. */
int64_t		kit_issue(struct kit *k, const char *user, enum cert_format fmt,
		    const char *body);

/* POST /Enrollment/PFX/Deploy of cert (a STORE enrollment of user's,
 * its password password) to store as alias: a job due at once, which it
 * must schedule. */
void		kit_deploy(struct kit *k, const char *user, int64_t cert,
		    const char *password, const char *store, const char *alias);

/* POST /Certificates/Revoke of ids (a JSON array) with reason, as user
 * "revoker": it must revoke (or take off hold) at least one. */
void		kit_revoke(struct kit *k, const char *ids, int64_t reason);

/* The keyUsage bits of x as OpenSSL's KU_* flags, read from the extension
 * itself (X509_get_key_usage wants a signed certificate); fails the test
 * when x has none. */
uint32_t	kit_key_usage(X509 *x);

#endif
