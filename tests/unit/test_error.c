/*
 * test_error.c - error: the one table from code to HTTP status and the
 * API's ErrorCode (README "Errors"), client messages from ce_fail, and
 * ce_fault keeping internal details out of them.
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

/* README's table of errors. */
static const struct {
	enum ce_err	 code;
	int		 status;
	const char	*error_code, *name;
} table[] = {
	{ CE_OK,	200, "0xA0110000", "ok" },
	{ CE_INVAL,	400, "0xA0110001", "invalid" },
	{ CE_NOKEY,	400, "0xA0110002", "no private key" },
	{ CE_NOFORMAT,	400, "0xA0110007", "no format" },
	{ CE_UNAUTH,	401, "0xA0110003", "unauthenticated" },
	{ CE_DENIED,	403, "0xA0110004", "denied" },
	{ CE_NOTFOUND,	404, "0xA0110005", "not found" },
	{ CE_METHOD,	405, "0xA0110006", "method" },
	{ CE_CONFLICT,	400, "0xA0110008", "conflict" },
	{ CE_TOOBIG,	413, "0xA0110009", "too big" },
	{ CE_MEDIA,	415, "0xA011000A", "media type" },
	{ CE_CRYPTO,	500, "0xA0110010", "crypto" },
	{ CE_DB,	500, "0xA0110011", "database" },
	{ CE_NOMEM,	500, "0xA0110012", "memory" },
	{ CE_SYSTEM,	500, "0xA0110013", "system" },
	{ CE_UNAVAIL,	503, "0xA0110014", "unavailable" },
};

static void
test_table(void **state)
{
	size_t i, j;

	(void)state;
	CHECK(sizeof(table) / sizeof(table[0]) == CE__MAX);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		CHECK(table[i].code == (enum ce_err)i);
		if (ce_http_status(table[i].code) != table[i].status ||
		    strcmp(ce_error_code(table[i].code), table[i].error_code) ||
		    strcmp(ce_strerror(table[i].code), table[i].name))
			fail_msg("%s: %d %s %s", table[i].name,
			    ce_http_status(table[i].code),
			    ce_error_code(table[i].code),
			    ce_strerror(table[i].code));
		for (j = 0; j < i; j++)
			CHECK(strcmp(table[i].error_code, table[j].error_code));
	}
	/* outside the enum: an internal fault, never a crash */
	CHECK(ce_http_status(CE__MAX) == 500 && ce_http_status((enum ce_err)-1)
	    == 500 && ce_http_status((enum ce_err)1000) == 500);
	CHECK(strcmp(ce_error_code(CE__MAX), "0xA0110013") == 0);
	CHECK(strcmp(ce_error_code((enum ce_err)-1), "0xA0110013") == 0);
	CHECK(strcmp(ce_strerror(CE__MAX), "unknown") == 0);
}

static void
test_fail(void **state)
{
	struct ce_error err;
	char long_name[2 * CE_ERRMSG_MAX];

	(void)state;
	ce_error_clear(&err);
	CHECK(err.code == CE_OK && err.msg[0] == '\0');
	CHECK(ce_fail(&err, CE_INVAL, "%s: '%s' at position %d", "Subject",
	    "CN=\"x", 4) == CE_INVAL);
	CHECK(err.code == CE_INVAL);
	CHECK(strcmp(err.msg, "Subject: 'CN=\"x' at position 4") == 0);
	/* a longer message is cut, still terminated */
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CHECK(ce_fail(&err, CE_INVAL, "%s", long_name) == CE_INVAL);
	CHECK(strlen(err.msg) == CE_ERRMSG_MAX - 1);
	/* no error to fill: the code all the same */
	CHECK(ce_fail(NULL, CE_DENIED, "x") == CE_DENIED);
	CHECK(ce_fault(NULL, CE_DB, "mdb_get: %s", "MDB_CORRUPTED") == CE_DB);
	ce_error_clear(NULL);
	ce_error_clear(&err);
	CHECK(err.code == CE_OK && err.msg[0] == '\0');
}

/* The client hears that something failed inside, and of which kind; the
 * detail goes to the log only. */
static void
test_fault(void **state)
{
	static const struct {
		enum ce_err	 code;
		const char	*msg;
	} cases[] = {
		{ CE_DB, "An internal error occurred (database)." },
		{ CE_CRYPTO, "An internal error occurred (crypto)." },
		{ CE_NOMEM, "An internal error occurred (memory)." },
		{ CE_SYSTEM, "An internal error occurred (system)." },
	};
	struct ce_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ce_error_clear(&err);
		CHECK(ce_fault(&err, cases[i].code, "open %s: %s",
		    "/var/lib/certenroll/ca/1.key", "Permission denied") ==
		    cases[i].code);
		CHECK(err.code == cases[i].code);
		CHECK(strcmp(err.msg, cases[i].msg) == 0);
		CHECK(strstr(err.msg, "1.key") == NULL);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_fail),
		cmocka_unit_test(test_fault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
