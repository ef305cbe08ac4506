/*
 * test_settings.c - settings: the defaults settings.h and certenroll.conf(5)
 * document, values set and read back (in the caller's transaction or a
 * new one), each integer's bounds both ways, unknown names and bad
 * regular expressions refused, a refused value changing nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kit.h"
#include "settings.h"

static const struct {
	const char	*name, *def;
	int64_t		 min, max;	/* min > max: not an integer */
} known[] = {
	{ "password_length",		"12",      0, 1024 },
	{ "require_friendly_name",	"0",       0, 1 },
	{ "cn_regex",			".+",      1, 0 },
	{ "staging_lifetime",		"300",     1, 2592000 },
	{ "require_requested_with",	"1",       0, 1 },
	{ "body_limit",			"1048576", 1024, 67108864 },
	{ "allow_self_approval",	"0",       0, 1 },
	{ "max_sans",			"100",     1, 10000 },
	{ "max_rdns",			"32",      1, 1000 },
	{ "max_pending_per_user",	"100",     0, 1000000 },
	{ "max_queued_jobs_per_user",	"1000",    0, 1000000 },
	{ "max_job_delay_days",		"366",     0, 36600 },
	{ "job_lease",			"300",     1, 86400 },
	{ "crl_validity",		"604800",  3600, 86400 * 366 },
	{ "crl_refresh",		"86400",   60, 86400 * 366 },
	{ "crl_delta_min",		"10000",   0, 1000000000 },
	{ "crl_delta_validity",		"86400",   300, 86400 * 366 },
};
#define NKNOWN	(sizeof(known) / sizeof(known[0]))

static void
test_defaults(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	char buf[64];
	size_t i;
	int n;

	for (n = 0; settings_name(n) != NULL; n++)
		;
	CHECK((size_t)n == NKNOWN);
	CHECK(settings_name(-1) == NULL);
	E(db_begin(k->db, 0, &txn, &err));
	for (i = 0; i < NKNOWN; i++) {
		if (strcmp(settings_name((int)i), known[i].name) != 0)
			fail_msg("setting %zu is %s, not %s", i,
			    settings_name((int)i), known[i].name);
		if (strcmp(settings_str(k->db, NULL, known[i].name, buf,
		    sizeof(buf)), known[i].def) != 0 ||
		    strcmp(settings_str(k->db, txn, known[i].name, buf,
		    sizeof(buf)), known[i].def) != 0)
			fail_msg("%s: default '%s', not '%s'", known[i].name, buf,
			    known[i].def);
		if (known[i].min <= known[i].max &&
		    settings_int(k->db, NULL, known[i].name) !=
		    strtoll(known[i].def, NULL, 10))
			fail_msg("%s: default as an integer", known[i].name);
	}
	db_abort(txn);
	/* not a setting: "" and 0 */
	CHECK(strcmp(settings_str(k->db, NULL, "bogus", buf, sizeof(buf)),
	    "") == 0);
	CHECK(settings_int(k->db, NULL, "bogus") == 0);
	/* a short buffer is cut, not overrun */
	CHECK(strcmp(settings_str(k->db, NULL, "body_limit", buf, 4), "104") == 0);
}

/* Every integer setting takes its bounds and refuses one past each. */
static void
test_bounds(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	char v[32], says[128];
	size_t i;

	for (i = 0; i < NKNOWN; i++) {
		if (known[i].min > known[i].max)
			continue;
		snprintf(says, sizeof(says), "%s: expected an integer from %lld "
		    "to %lld", known[i].name, (long long)known[i].min,
		    (long long)known[i].max);
		snprintf(v, sizeof(v), "%lld", (long long)known[i].min);
		E(settings_set(k->db, known[i].name, v, &err));
		CHECK(settings_int(k->db, NULL, known[i].name) == known[i].min);
		snprintf(v, sizeof(v), "%lld", (long long)known[i].max);
		E(settings_set(k->db, known[i].name, v, &err));
		CHECK(settings_int(k->db, NULL, known[i].name) == known[i].max);
		snprintf(v, sizeof(v), "%lld", (long long)known[i].min - 1);
		EFAIL(settings_set(k->db, known[i].name, v, &err), CE_INVAL, says);
		snprintf(v, sizeof(v), "%lld", (long long)known[i].max + 1);
		EFAIL(settings_set(k->db, known[i].name, v, &err), CE_INVAL, says);
		/* the refused values changed nothing */
		CHECK(settings_int(k->db, NULL, known[i].name) == known[i].max);
	}
}

static void
test_refused(void **state)
{
	static const char *const not_int[] = { "", "12abc", "0x10", "1e3",
	    "12.0", "twelve", "99999999999999999999", "-99999999999999999999",
	    "12 ", "1 2" };
	static const char *const not_regex[] = { "([a-z", "a{2,1}", "*a",
	    "[[:nope:]]" };
	struct kit *k = *state;
	struct ce_error err;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(not_int) / sizeof(not_int[0]); i++)
		EFAIL(settings_set(k->db, "password_length", not_int[i], &err),
		    CE_INVAL, "password_length: expected an integer");
	CHECK(settings_int(k->db, NULL, "password_length") == 12);
	for (i = 0; i < sizeof(not_regex) / sizeof(not_regex[0]); i++)
		EFAIL(settings_set(k->db, "cn_regex", not_regex[i], &err),
		    CE_INVAL, "cn_regex: not a valid regular expression");
	CHECK(strcmp(settings_str(k->db, NULL, "cn_regex", buf, sizeof(buf)),
	    ".+") == 0);
	/* names are exact */
	EFAIL(settings_set(k->db, "password_lenght", "12", &err), CE_INVAL,
	    "unknown setting 'password_lenght'");
	EFAIL(settings_set(k->db, "Password_Length", "12", &err), CE_INVAL,
	    "unknown setting 'Password_Length'");
	EFAIL(settings_set(k->db, "", "12", &err), CE_INVAL, "unknown setting");
	/* certenroll.conf's own keys are no settings */
	EFAIL(settings_set(k->db, "data_dir", "/tmp", &err), CE_INVAL,
	    "unknown setting 'data_dir'");
}

/* A value set is read in later transactions, and in the caller's. */
static void
test_set(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	char buf[64];

	kit_setting(k, "password_length", "16");
	kit_setting(k, "cn_regex", "^[a-z.]+$");
	kit_setting(k, "allow_self_approval", "1");
	E(db_begin(k->db, 0, &txn, &err));
	CHECK(settings_int(k->db, txn, "password_length") == 16);
	CHECK(strcmp(settings_str(k->db, txn, "cn_regex", buf, sizeof(buf)),
	    "^[a-z.]+$") == 0);
	db_abort(txn);
	CHECK(settings_int(k->db, NULL, "allow_self_approval") == 1);
	/* set again: the new value */
	kit_setting(k, "password_length", "8");
	CHECK(settings_int(k->db, NULL, "password_length") == 8);
	/* the others kept their defaults */
	CHECK(settings_int(k->db, NULL, "max_sans") == 100);
}

/* What certenroll.conf may say for a setting: what setting set takes. */
static void
test_check(void **state)
{
	struct ce_error err;

	(void)state;
	E(settings_check("body_limit", "1024", &err));
	EFAIL(settings_check("body_limit", "1023", &err), CE_INVAL,
	    "body_limit: expected an integer from 1024");
	EFAIL(settings_check("cn_regex", "(", &err), CE_INVAL, "cn_regex");
	/* not a setting: nothing to check here */
	E(settings_check("log", "syslog", &err));
	E(settings_check("bogus", "", &err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_defaults),
		KIT_TEST(test_bounds),
		KIT_TEST(test_refused),
		KIT_TEST(test_set),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
