/*
 * test_b64.c - b64_encode()/b64_decode(): RFC 4648 vectors, strictness of
 * the decoder (padding, alphabet, no whitespace), round trips across the
 * encoder's and decoder's chunk boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "b64.h"
#include "output.h"

static const struct {
	const char	*raw;
	const char	*b64;
} vectors[] = {
	{ "",		"" },
	{ "f",		"Zg==" },
	{ "fo",		"Zm8=" },
	{ "foo",	"Zm9v" },
	{ "foob",	"Zm9vYg==" },
	{ "fooba",	"Zm9vYmE=" },
	{ "foobar",	"Zm9vYmFy" },
	{ "\xfb\xff",	"+/8=" },
	{ "\x00\x00\x00", "AAAA" },
};

static const char *const bad[] = {
	"Z", "Zg", "Zg=", "Zm9", "Z===", "====", "=Zg=", "Zg=A", "Zm=v",
	"Zg==Zg==", " Zg==", "Zg== ", "Zm9v\n", "Zm9\nv", "Zm9v\r\n",
	"Zm9-", "Zm9_", "Zm9v!", "Zm9v====", "Zm\tv", "YQ==YQ==", "A===",
	"Zm9vYg=", "Zm9vYmE",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
test_vectors(void **state)
{
	struct ce_buf out;
	size_t i, len;
	char *s;

	(void)state;
	for (i = 0; i < NELEM(vectors); i++) {
		len = i == NELEM(vectors) - 1 ? 3 : strlen(vectors[i].raw);
		s = b64_encode((const unsigned char *)vectors[i].raw, len);
		assert_non_null(s);
		assert_string_equal(s, vectors[i].b64);
		free(s);
		assert_int_equal(b64_decode(vectors[i].b64, &out), CE_OK);
		assert_non_null(out.data);
		assert_int_equal(out.len, len);
		assert_memory_equal(out.data, vectors[i].raw, len);
		buf_free(&out);
		assert_null(out.data);
		assert_int_equal(out.len, 0);
	}
}

static void
test_bad(void **state)
{
	struct ce_buf out;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		out.data = (unsigned char *)&out;
		out.len = 99;
		if (b64_decode(bad[i], &out) != CE_INVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_null(out.data);
		assert_int_equal(out.len, 0);
	}
}

/* Sizes around the 12288-byte encode and 16384-char decode chunks. */
static void
test_round_trip(void **state)
{
	static const size_t sizes[] = {
		0, 1, 2, 3, 4, 5, 255, 256, 257, 12287, 12288, 12289, 12290,
		24576, 100000, 1000001,
	};
	struct ce_buf out;
	unsigned char *raw;
	size_t i, j;
	char *s;

	(void)state;
	raw = malloc(1000001);
	assert_non_null(raw);
	for (j = 0; j < 1000001; j++)
		raw[j] = (unsigned char)(j * 7 + (j >> 8));
	for (i = 0; i < NELEM(sizes); i++) {
		s = b64_encode(raw, sizes[i]);
		assert_non_null(s);
		assert_int_equal(strlen(s), (sizes[i] + 2) / 3 * 4);
		assert_null(strchr(s, '\n'));
		assert_int_equal(b64_decode(s, &out), CE_OK);
		assert_int_equal(out.len, sizes[i]);
		assert_memory_equal(out.data, raw, sizes[i]);
		buf_free(&out);
		free(s);
	}
	free(raw);
	buf_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
