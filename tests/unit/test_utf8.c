/* test_utf8.c - strict UTF-8 validation: valid and invalid tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "utf8.h"

struct tcase {
	const char	*bytes;
	size_t		 len;
	int		 valid;
	size_t		 bad;
};

#define T(s, v, b) { s, sizeof(s) - 1, v, b }

static const struct tcase cases[] = {
	T("", 1, 0),
	T("plain ascii", 1, 0),
	T("caf\xc3\xa9", 1, 0),				/* é */
	T("\xe2\x82\xac", 1, 0),			/* € */
	T("\xf0\x9f\x94\x92", 1, 0),			/* U+1F512 */
	T("\xf4\x8f\xbf\xbf", 1, 0),			/* U+10FFFF */
	T("\xed\x9f\xbf", 1, 0),			/* U+D7FF */
	T("\xee\x80\x80", 1, 0),			/* U+E000 */
	T("\xc2\x80", 1, 0),				/* U+0080 */
	T("\xe0\xa0\x80", 1, 0),			/* U+0800 */
	T("\xf0\x90\x80\x80", 1, 0),			/* U+10000 */
	T("\xff", 0, 0),
	T("a\xfe", 0, 1),
	T("\xc0\xaf", 0, 0),				/* overlong '/' */
	T("\xc1\xbf", 0, 0),
	T("\xe0\x80\xaf", 0, 0),			/* overlong */
	T("\xf0\x80\x80\xaf", 0, 0),			/* overlong */
	T("\xed\xa0\x80", 0, 0),			/* surrogate D800 */
	T("\xed\xbf\xbf", 0, 0),			/* surrogate DFFF */
	T("\xf4\x90\x80\x80", 0, 0),			/* > U+10FFFF */
	T("\xf5\x80\x80\x80", 0, 0),
	T("ab\x80", 0, 2),				/* lone continuation */
	T("\xc3", 0, 0),				/* truncated */
	T("\xe2\x82", 0, 0),				/* truncated */
	T("ok\xe2\x28\xa1", 0, 2),			/* bad continuation */
	T("\xf0\x9f\x94", 0, 0),			/* truncated 4-byte */
};

static void
test_table(void **state)
{
	size_t i, bad;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad = 12345;
		assert_int_equal(utf8_valid((const unsigned char *)cases[i].bytes,
		    cases[i].len, &bad), cases[i].valid);
		if (!cases[i].valid)
			assert_int_equal(bad, cases[i].bad);
	}
}

/* Characters, as the length bounds of names count them. */
static void
test_chars(void **state)
{
	(void)state;
	assert_int_equal(utf8_chars("", 0), 0);
	assert_int_equal(utf8_chars("abc", 3), 3);
	assert_int_equal(utf8_chars("\xc3\xa9t\xc3\xa9", 5), 3);	/* été */
	assert_int_equal(utf8_chars("\xf0\x9f\x94\x92", 4), 1);	/* one emoji */
	assert_int_equal(utf8_chars("\xf0\x9f\x94", 3), -1);	/* cut */
	assert_int_equal(utf8_chars("\xc0\xaf", 2), -1);		/* overlong */
	assert_int_equal(utf8_chars("\xed\xa0\x80", 3), -1);	/* surrogate */
	assert_int_equal(utf8_chars("\xf4\x90\x80\x80", 4), -1);	/* > U+10FFFF */
	assert_int_equal(utf8_chars("a\x80", 2), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_chars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
