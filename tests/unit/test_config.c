/*
 * test_config.c - config: certenroll.conf.  "key = value" lines trimmed,
 * '#' comments, the last of a repeated key wins; an unknown key, a line
 * without '=', a value too long, and a value the setting it overrides
 * would refuse all fail naming the line.  config_load: a missing file is
 * empty, a bad one is reported at every load, the file is read once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "fileutil.h"
#include "kit.h"
#include "log.h"
#include "settings.h"

static void
test_parse(void **state)
{
	static const struct {
		const char	*key, *want;	/* want NULL: not set */
	} want[] = {
		{ "data_dir", "/var/lib/certenroll x" },
		{ "log", "syslog" },
		{ "body_limit", "4096" },	/* the last one wins */
		{ "client_cert_auth", "" },
		{ "trusted_proxy_param", "X_USER" },
		{ "max_requests", NULL },
		{ "key_pool", "RSA-2048:64,ECC-P-256:0" },
		{ "signer_socket", "/run/s=ock" },
		{ "bogus", NULL },
	};
	size_t i;

	(void)state;
	kit_config("# certenroll.conf\n"
	    "\n"
	    "   data_dir   =   /var/lib/certenroll x   \n"
	    "log=syslog# no space needed\n"
	    "body_limit = 2048\r\n"
	    "\t\n"
	    "body_limit = 4096\n"
	    "client_cert_auth =\n"
	    "trusted_proxy_param = X_USER # the proxy's\n"
	    "#max_requests = 5\n"
	    "key_pool = RSA-2048:64,ECC-P-256:0\n"
	    "signer_socket = /run/s=ock");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *v = config_get(want[i].key);

		if (want[i].want == NULL ? v != NULL :
		    v == NULL || strcmp(v, want[i].want) != 0)
			fail_msg("%s: got '%s'", want[i].key, v ? v : "(unset)");
	}
	config_reset();
	CHECK(config_get("log") == NULL && config_get("data_dir") == NULL);
}

/* Refused files, and the message: the line is counted as written, blank
 * lines and comments too. */
static const struct {
	const char	*text, *says;
} refused[] = {
	{ "bogus = 1", "certenroll.conf line 1: unknown key 'bogus'" },
	{ "log = syslog\n\n# a comment\n\nBody_Limit = 2048",
	  "certenroll.conf line 5: unknown key 'Body_Limit'" },
	{ "log = syslog\nlog syslog", "certenroll.conf line 2: expected "
	  "'key = value'" },
	{ "\n\n\nmax_requests", "certenroll.conf line 4: expected" },
	{ "= syslog", "certenroll.conf line 1: unknown key ''" },
	{ "# log = syslog\nlogs = syslog", "line 2: unknown key 'logs'" },
	{ "data_dir x = /tmp", "unknown key 'data_dir x'" },
	/* values a setting would refuse (`certenroll setting set`) */
	{ "body_limit = 1M", "certenroll.conf line 1: body_limit: expected an "
	  "integer from 1024 to 67108864" },
	{ "\nbody_limit = 5", "certenroll.conf line 2: body_limit" },
	{ "body_limit = ", "body_limit: expected an integer" },
	{ "require_requested_with = yes", "require_requested_with: expected "
	  "an integer from 0 to 1" },
	{ "require_requested_with = 2", "require_requested_with" },
	{ "staging_lifetime = 0", "staging_lifetime: expected an integer "
	  "from 1 to 2592000" },
	{ "staging_lifetime = 5m", "staging_lifetime" },
	{ "max_sans = 10001", "max_sans: expected an integer from 1 to 10000" },
	{ "max_rdns = 0", "max_rdns" },
	{ "max_pending_per_user = -1", "max_pending_per_user" },
	{ "max_queued_jobs_per_user = lots", "max_queued_jobs_per_user" },
	{ "max_job_delay_days = 36601", "max_job_delay_days" },
	{ "job_lease = 0", "job_lease: expected an integer from 1 to 86400" },
	{ "job_lease = 5m", "job_lease" },
	/* A misspelt target would log nowhere anyone looks. */
	{ "log = syslg", "line 1: log is stderr or syslog" },
	{ "log = SYSLOG", "log is stderr or syslog" },
	{ "log =", "log is stderr or syslog" },
};

static void
test_refused(void **state)
{
	struct ce_error err;
	char big[700];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		config_reset();
		ce_error_clear(&err);
		if (config_parse(refused[i].text, &err) != CE_INVAL ||
		    strstr(err.msg, refused[i].says) == NULL)
			fail_msg("'%s': got '%s', wanted '%s'", refused[i].text,
			    err.msg, refused[i].says);
	}
	/* a value of 511 bytes fits, 512 does not */
	snprintf(big, sizeof(big), "data_dir = %0511d", 0);
	kit_config(big);
	CHECK(strlen(config_get("data_dir")) == 511);
	config_reset();
	snprintf(big, sizeof(big), "log = stderr\ndata_dir = %0512d", 0);
	EFAIL(config_parse(big, &err), CE_INVAL,
	    "certenroll.conf line 2: value too long");
	config_reset();
}

/* Values inside the settings' bounds, and the settings they override. */
static void
test_overrides(void **state)
{
	struct kit *k = *state;

	kit_setting(k, "body_limit", "8192");
	kit_setting(k, "staging_lifetime", "600");
	CHECK(settings_int(k->db, NULL, "body_limit") == 8192);
	kit_config("body_limit = 1024\nrequire_requested_with = 0\n"
	    "max_sans = 10000\nmax_pending_per_user = 0\n"
	    "staging_lifetime = 2592000\nmax_job_delay_days = 0\n"
	    "job_lease = 5");
	CHECK(settings_int(k->db, NULL, "body_limit") == 1024);
	CHECK(settings_int(k->db, NULL, "require_requested_with") == 0);
	CHECK(settings_int(k->db, NULL, "max_sans") == 10000);
	CHECK(settings_int(k->db, NULL, "max_pending_per_user") == 0);
	CHECK(settings_int(k->db, NULL, "staging_lifetime") == 2592000);
	CHECK(settings_int(k->db, NULL, "max_job_delay_days") == 0);
	CHECK(settings_int(k->db, NULL, "job_lease") == 5);
	/* not in the file: the LMDB setting, then the default */
	config_reset();
	CHECK(settings_int(k->db, NULL, "body_limit") == 8192);
	CHECK(settings_int(k->db, NULL, "max_sans") == 100);
}

static void
write_conf(struct kit *k, const char *name, const char *text, size_t len,
    char *path, size_t pathsz)
{
	struct ce_error err;

	snprintf(path, pathsz, "%s/%s", k->dir, name);
	E(file_write_atomic(path, text, len, 0600, &err));
}

static void
test_load(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	char good[128], bad[128], nul[128], missing[128];

	write_conf(k, "good.conf", "log = syslog\n", 13, good, sizeof(good));
	write_conf(k, "bad.conf", "log = syslog\nlogg = x\n", 22, bad,
	    sizeof(bad));
	write_conf(k, "nul.conf", "log = syslog\0data_dir = /x\n", 27, nul,
	    sizeof(nul));
	snprintf(missing, sizeof(missing), "%s/none.conf", k->dir);

	/* missing: an empty configuration */
	E(config_load(missing, &err));
	CHECK(config_get("log") == NULL);
	config_reset();

	/* read once: a second load, even of another file, changes nothing */
	E(config_load(good, &err));
	CHECK(strcmp(config_get("log"), "syslog") == 0);
	E(config_load(bad, &err));
	CHECK(strcmp(config_get("log"), "syslog") == 0);
	/* its "log" holds from the load on (log.h), until a reset */
	CHECK(log_on_syslog());
	config_reset();
	CHECK(!log_on_syslog());

	/* the environment names the file when the caller does not */
	CHECK(setenv("CERTENROLL_CONF", good, 1) == 0);
	E(config_load(NULL, &err));
	CHECK(unsetenv("CERTENROLL_CONF") == 0);
	CHECK(strcmp(config_get("log"), "syslog") == 0);
	config_reset();

	/* a bad file: refused with its line at every load, nothing kept */
	EFAIL(config_load(bad, &err), CE_SYSTEM, "An internal error occurred");
	CHECK(config_get("log") == NULL);
	EFAIL(config_load(good, &err), CE_SYSTEM, "line 2: unknown key 'logg'");
	CHECK(config_get("log") == NULL);
	CHECK(!log_on_syslog());	/* nothing known: stderr */
	config_reset();

	/* a NUL byte: refused, and again at the next load */
	EFAIL(config_load(nul, &err), CE_SYSTEM, "An internal error occurred");
	CHECK(config_get("log") == NULL);
	EFAIL(config_load(good, &err), CE_SYSTEM, "contains a NUL byte");
	CHECK(config_get("log") == NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		KIT_TEST(test_overrides),
		KIT_TEST(test_load),
	};

	config_set_check(settings_check);	/* as the programs load it */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
