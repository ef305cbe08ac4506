/* test_endpoint.c - path patterns of the endpoint declarations
 * (endpoint.h) and the declarations themselves (api.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "api.h"

static void
test_match(void **state)
{
	struct ep_call c;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_true(endpoint_match("/Enrollment/PFX", "/Enrollment/PFX", &c));
	assert_true(endpoint_match("/Enrollment/PFX", "/enrollment/pfx", &c));
	assert_null(c.arg[0]);
	assert_false(endpoint_match("/Enrollment/PFX", "/Enrollment/PFX/Deploy",
	    &c));
	assert_false(endpoint_match("/Enrollment/PFX/Deploy", "/Enrollment/PFX",
	    &c));
	assert_false(endpoint_match("/Enrollment/PFX", "/Enrollment/PFXX", &c));
	assert_true(endpoint_match("/Certificates/{id}", "/Certificates/12", &c));
	assert_string_equal(c.arg[0], "12");
	/* A parameter is one whole, non-empty segment. */
	assert_false(endpoint_match("/Certificates/{id}", "/Certificates", &c));
	assert_null(c.arg[0]);
	assert_false(endpoint_match("/Certificates/{id}", "/Certificates/", &c));
	assert_false(endpoint_match("/Certificates/{id}", "/Certificates/1/2",
	    &c));
	assert_null(c.arg[0]);
	assert_true(endpoint_match("/A/{x}/B/{y:int}", "/a/one/b/2", &c));
	assert_int_equal(strncmp(c.arg[0], "one/", 4), 0);
	assert_string_equal(c.arg[1], "2");
	assert_false(endpoint_match("/A", "A", &c));
	assert_false(endpoint_match("/A", "", &c));
}

/* The label /Status/Endpoints lists and /metrics counts by: the first
 * method and the path, "{name:int}" as "{name}". */
static void
test_label(void **state)
{
	const struct endpoint a = { "GET|HEAD", "/Certificates/{id:int}",
	    NULL, 0, NULL, NULL };
	const struct endpoint b = { "POST", "/A/{x}/B/{y:int}/C", NULL, 0,
	    NULL, NULL };
	char buf[160], small[8];

	(void)state;
	assert_string_equal(endpoint_label(&a, buf, sizeof(buf)),
	    "GET /Certificates/{id}");
	assert_string_equal(endpoint_label(&b, buf, sizeof(buf)),
	    "POST /A/{x}/B/{y}/C");
	/* cut, never overrun */
	assert_string_equal(endpoint_label(&a, small, sizeof(small)),
	    "GET /Ce");
}

/* Every declaration: a method list, a path from the root, a work
 * function; a claim unless the endpoint says it needs no login; a pattern
 * whose literal form no earlier endpoint of its group already takes. */
static void
test_declarations(void **state)
{
	const struct endpoint_group *const *g;
	size_t i, j, n = 0;

	(void)state;
	for (g = api_groups; *g != NULL; g++) {
		assert_non_null((*g)->program);
		assert_true((*g)->n > 0);
		for (i = 0; i < (*g)->n; i++) {
			const struct endpoint *ep = &(*g)->eps[i];

			n++;
			assert_non_null(ep->work);
			assert_true(ep->methods[0] >= 'A' && ep->methods[0] <= 'Z');
			assert_int_equal(ep->path[0], '/');
			if (ep->claim == NULL)
				assert_string_equal((*g)->program, "status");
			for (j = 0; j < i; j++)
				if (strcmp((*g)->eps[j].path, ep->path) == 0)
					assert_string_not_equal((*g)->eps[j].methods,
					    ep->methods);
		}
	}
	assert_true(n >= 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_declarations),
		cmocka_unit_test(test_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
