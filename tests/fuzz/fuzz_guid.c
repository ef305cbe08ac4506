/*
 * fuzz_guid - certificate store ids: guid_valid() against an oracle of its
 * own (36 characters, 8-4-4-4-12 hex digits in any case), and
 * guid_normalize() of a valid one: the same GUID in lower case.
 */
#include <ctype.h>

#include "fuzz.h"
#include "stores.h"

static int
oracle(const char *s)
{
	static const char form[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	if (strlen(s) != sizeof(form) - 1)
		return 0;
	for (i = 0; form[i] != '\0'; i++)
		if (form[i] == '-' ? s[i] != '-' :
		    strchr("0123456789abcdefABCDEF", s[i]) == NULL)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, norm[GUID_LEN + 1];
	size_t i;
	int ok;

	s = fuzz_cstr(data, size);
	ok = guid_valid(s);
	FUZZ_CHECK(ok == oracle(s), "'%s': guid_valid says %d", s, ok);
	if (ok) {
		memset(norm, 'X', sizeof(norm));
		guid_normalize(s, norm);
		FUZZ_CHECK(norm[GUID_LEN] == '\0', "'%s': unterminated", s);
		for (i = 0; i < GUID_LEN; i++)
			FUZZ_CHECK(norm[i] == tolower((unsigned char)s[i]),
			    "'%s' normalises as '%s'", s, norm);
		FUZZ_CHECK(guid_valid(norm), "'%s' normalises as '%s'", s, norm);
	}
	free(s);
	return 0;
}
