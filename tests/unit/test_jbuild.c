/* test_jbuild.c - jbuild.h: fields in the order added, nulls for NULL and
 * dates as the API writes them, record fields of the wrong type read as absent. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "jbuild.h"

static void
test_build(void **state)
{
	struct ce_error err;
	struct jb b, child;
	json_object *o = NULL;
	int bad = 0;

	(void)state;
	ce_error_clear(&err);
	jb_init(&b, json_object_new_object());
	jb_str(&b, "S", "x");
	jb_str(&b, "Null", NULL);
	jb_int(&b, "N", 42);
	jb_bool(&b, "B", 1);
	jb_date(&b, "Epoch", 0);
	jb_date(&b, "Date", 86400);
	jb_null(&b, "Z");
	jb_init(&child, json_object_new_object());
	jb_int(&child, "C", 1);
	jb_take(&b, "Child", &child);
	jb_str(&b, "Empty", jb_nonempty(""));
	assert_int_equal(jb_end(&b, &o, &err), CE_OK);
	assert_string_equal(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "{\"S\":\"x\",\"Null\":null,\"N\":42,"
	    "\"B\":true,\"Epoch\":\"1970-01-01T00:00:00Z\",\"Date\":\"1970-01-02T00:00:00Z\","
	    "\"Z\":null,\"Child\":{\"C\":1},\"Empty\":null}");
	jb_arr_add(NULL, json_object_new_int(1), &bad);	/* no array: bad */
	assert_int_equal(bad, 1);
	json_object_put(o);
	/* a failed allocation makes the whole object fail, once */
	jb_init(&b, json_object_new_object());
	jb_add(&b, "Lost", NULL);
	assert_int_equal(jb_end(&b, &o, &err), CE_NOMEM);
	assert_null(o);
}

static void
test_read(void **state)
{
	json_object *r = json_tokener_parse("{\"s\":\"v\",\"i\":7,\"b\":true,"
	    "\"si\":\"7\",\"is\":7}");

	(void)state;
	assert_string_equal(jrec_str(r, "s"), "v");
	assert_null(jrec_str(r, "is"));
	assert_null(jrec_str(r, "none"));
	assert_int_equal(jrec_int(r, "i"), 7);
	assert_int_equal(jrec_int(r, "si"), 0);
	assert_true(jrec_bool(r, "b"));
	assert_false(jrec_bool(r, "i"));
	assert_null(jrec_str(NULL, "s"));
	json_object_put(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
