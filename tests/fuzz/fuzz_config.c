/*
 * fuzz_config - certenroll.conf: config_parse() on the text (as
 * config_load() hands it over: no NUL inside), config_reset() between runs.
 * A file it accepts gives every known key a value that is trimmed, has no
 * comment or line break left in it and fits its slot.
 */
#include <ctype.h>

#include "config.h"
#include "settings.h"
#include "fuzz.h"

static const char *const keys[] = { "data_dir", "staging_lifetime",
    "body_limit", "require_requested_with", "log", "client_cert_auth",
    "trusted_proxy_param", "max_requests" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ce_error err;
	const char *v;
	size_t i, len;
	char *s;

	if (memchr(data, '\0', size) != NULL)
		return 0;
	s = fuzz_cstr(data, size);
	config_reset();
	config_set_check(settings_check);	/* as the programs load it */
	ce_error_clear(&err);
	if (config_parse(s, &err) == CE_OK) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if ((v = config_get(keys[i])) == NULL)
				continue;
			len = strlen(v);
			FUZZ_CHECK(len < 512, "%s: %zu bytes", keys[i], len);
			FUZZ_CHECK(strpbrk(v, "#\n") == NULL, "%s = '%s'", keys[i], v);
			FUZZ_CHECK(len == 0 || (!isspace((unsigned char)v[0]) &&
			    !isspace((unsigned char)v[len - 1])), "%s = '%s'",
			    keys[i], v);
		}
	} else
		FUZZ_CHECK(err.code == CE_INVAL && strstr(err.msg, "line") != NULL,
		    "message '%s'", err.msg);
	FUZZ_CHECK(config_get("no_such_key") == NULL, "unknown key has a value");
	config_reset();
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		FUZZ_CHECK(config_get(keys[i]) == NULL, "%s after reset", keys[i]);
	free(s);
	return 0;
}
