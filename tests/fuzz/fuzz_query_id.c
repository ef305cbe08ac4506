/*
 * fuzz_query_id - path and query ids (GET /Certificates/{id},
 * /Enrollment/AvailableRenewal/Id/{id}): query_id() against an oracle of
 * its own: decimal digits only, 1..INT64_MAX, the same value.
 */
#include "fuzz.h"
#include "query.h"

/* 1 and *out when s is a valid id, else 0. */
static int
oracle(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' ||
		    __builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, *s - '0', &v))
			return 0;
	}
	*out = v;
	return v >= 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ce_error err;
	int64_t got = -1, want = -1;
	char *s;
	int ok;

	s = fuzz_cstr(data, size);
	ce_error_clear(&err);
	ok = query_id(s, "Id", &got, &err) == CE_OK;
	FUZZ_CHECK(ok == oracle(s, &want), "'%s': query_id says %s", s,
	    ok ? "valid" : "invalid");
	FUZZ_CHECK(!ok || got == want, "'%s': %lld, not %lld", s,
	    (long long)got, (long long)want);
	FUZZ_CHECK(ok || (err.code == CE_INVAL && err.msg[0] != '\0'),
	    "no message");
	free(s);
	return 0;
}
