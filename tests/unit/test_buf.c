/* test_buf.c - buf.h: a freed buffer is emptied (and may be freed again). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void
test_emptied(void **state)
{
	struct ce_buf b;

	(void)state;
	b.len = 16;
	assert_non_null(b.data = malloc(b.len));
	memset(b.data, 'k', b.len);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	buf_free(&b);		/* again: nothing */
	buf_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emptied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
