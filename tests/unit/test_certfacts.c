/* test_certfacts.c - certfacts.h: what the API says of a certificate from
 * the certificate alone, checked against what OpenSSL reads from it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "certfacts.h"
#include "testcert.h"

static const char *
str(json_object *o, const char *k)
{
	return json_object_get_string(json_object_object_get(o, k));
}

static int64_t
num(json_object *o, const char *k)
{
	return json_object_get_int64(json_object_object_get(o, k));
}

static void
test_facts(void **state)
{
	struct tc_pki p;
	json_object *f;

	(void)state;
	tc_pki_new(&p);
	assert_non_null(f = certfacts_json(p.leaf));
	/* the test key (testcert.h) and the signature by the intermediate */
	assert_int_equal(num(f, "KeySizeInBits"),
	    EVP_PKEY_get_bits(X509_get0_pubkey(p.leaf)));
	assert_true(num(f, "KeyType") >= 1 && num(f, "KeyType") <= 6);
	assert_non_null(str(f, "KeyTypeString"));
	assert_non_null(str(f, "SigningAlgorithm"));
	/* subject parts, UTF-8 kept */
	assert_non_null(str(f, "IssuedOU"));
	assert_string_equal(str(f, "IssuedOU"), "B\xc3\xbc" "cher");
	assert_true(json_object_object_get_ex(f, "IssuedEmail", NULL));
	assert_null(json_object_object_get(f, "IssuedEmail"));
	assert_true(json_object_is_type(json_object_object_get(f,
	    "ExtendedKeyUsages"), json_type_array));
	assert_true(json_object_is_type(json_object_object_get(f,
	    "SubjectAltNameElements"), json_type_array));
	json_object_put(f);
	tc_pki_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
