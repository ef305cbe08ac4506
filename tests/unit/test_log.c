/* test_log.c - log lines: what a client sends cannot make a second line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

static const struct {
	const char	*in;
	const char	*out;
} cases[] = {
	{ "", "" },
	{ "plain", "plain" },
	{ "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },	/* UTF-8 kept */
	{ "a\nb", "a\\nb" },
	{ "a\r\nenroll-pfx[audit] user=admin", "a\\r\\nenroll-pfx[audit] user=admin" },
	{ "tab\there", "tab\\there" },
	{ "\x1b[31mred", "\\x1b[31mred" },
	{ "bell\x07", "bell\\x07" },
	{ "del\x7f", "del\\x7f" },
	{ "back\\slash", "back\\slash" },
	{ "\x01\x1f", "\\x01\\x1f" },
};

static void
test_table(void **state)
{
	char out[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(log_escape(cases[i].in, out, sizeof(out)),
		    strlen(cases[i].out));
		assert_string_equal(out, cases[i].out);
		assert_null(strchr(out, '\n'));
	}
}

/* A short buffer cuts before an escape, never inside one. */
static void
test_cut_whole(void **state)
{
	char out[6];

	(void)state;
	assert_int_equal(log_escape("ab\x1b" "cd", out, sizeof(out)), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(log_escape("abc\nd", out, sizeof(out)), 5);
	assert_string_equal(out, "abc\\n");
	assert_int_equal(log_escape("x", out, 1), 0);
	assert_string_equal(out, "");
}

/* Through log_info to stderr: one line, whatever the message holds. */
static void
test_one_event_one_line(void **state)
{
	char buf[1024];
	FILE *f;
	int fd, saved;
	size_t n;

	(void)state;
	assert_non_null(f = tmpfile());
	fflush(stderr);
	saved = dup(2);
	fd = fileno(f);
	assert_int_not_equal(dup2(fd, 2), -1);
	log_init("test");
	log_info("Template '%s' unknown", "x\ntest[audit] req=- user=admin "
	    "action=sign");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "x\\ntest[audit]"));
	assert_ptr_equal(strchr(buf, '\n'), buf + n - 1);
}

/* A field value that would forge another field is quoted. */
static void
test_value_quoted(void **state)
{
	char buf[64], tiny[8];

	(void)state;
	assert_string_equal(log_value("alice", buf, sizeof(buf)), "alice");
	assert_string_equal(log_value("CN=x", buf, sizeof(buf)), "\"CN=x\"");
	assert_string_equal(log_value("bob action=approve", buf, sizeof(buf)),
	    "\"bob action=approve\"");
	assert_string_equal(log_value("a\"b\\", buf, sizeof(buf)),
	    "\"a\\\"b\\\\\"");
	assert_string_equal(log_value("", buf, sizeof(buf)), "\"\"");
	assert_string_equal(log_value(NULL, buf, sizeof(buf)), "\"\"");
	/* Cut, still closed: the quote always ends the value. */
	assert_string_equal(log_value("x y z w v", tiny, sizeof(tiny)),
	    "\"x y z\"");
	assert_string_equal(log_value("\"\"\"\"", tiny, sizeof(tiny)),
	    "\"\\\"\\\"\"");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_cut_whole),
		cmocka_unit_test(test_one_event_one_line),
		cmocka_unit_test(test_value_quoted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
