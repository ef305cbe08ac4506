/* key_retention.c - how long a template keeps the keys it made (policy.h). */
#include <string.h>
#include <strings.h>

#include "jbuild.h"
#include "key_retention.h"

static const struct {
	const char	*word;		/* the record's */
	const char	*name;		/* Keyfactor's */
} kr[KR__MAX] = {
	[KR_NONE]		= { "none", "None" },
	[KR_INDEFINITE]		= { "indefinite", "Indefinite" },
	[KR_AFTER_EXPIRATION]	= { "after_expiration", "AfterExpiration" },
	[KR_FROM_ISSUANCE]	= { "from_issuance", "FromIssuance" },
};

const char *
key_retention_name(enum key_retention r)
{
	return (int)r >= 0 && r < KR__MAX ? kr[r].name : "None";
}

const char *
key_retention_word(enum key_retention r)
{
	return (int)r >= 0 && r < KR__MAX ? kr[r].word : "none";
}

int
key_retention_parse(const char *word)
{
	char w[32];
	size_t i;
	int r;

	if (word == NULL || strlen(word) >= sizeof(w))
		return -1;
	for (i = 0; word[i] != '\0'; i++)
		w[i] = word[i] == '-' ? '_' : word[i];
	w[i] = '\0';
	for (r = 0; r < KR__MAX; r++)
		if (strcasecmp(w, kr[r].word) == 0 ||
		    strcasecmp(w, kr[r].name) == 0)
			return r;
	return -1;
}

enum key_retention
template_key_retention(json_object *tmpl, int *days)
{
	int r = key_retention_parse(jrec_str(tmpl, "key_retention"));
	int64_t d = jrec_int(tmpl, "key_retention_days");

	/* An unknown word keeps nothing: keeping keys is what must be asked
	 * for. */
	if (r < 0)
		r = KR_NONE;
	*days = (r == KR_AFTER_EXPIRATION || r == KR_FROM_ISSUANCE) &&
	    d > 0 && d <= KEY_RETENTION_DAYS_MAX ? (int)d : 0;
	return (enum key_retention)r;
}

int64_t
key_retention_until(enum key_retention r, int days, int64_t issued,
    int64_t not_after)
{
	switch (r) {
	case KR_INDEFINITE:
		return 0;
	case KR_AFTER_EXPIRATION:
		return not_after + (int64_t)days * 86400;
	case KR_FROM_ISSUANCE:
		return issued + (int64_t)days * 86400;
	default:
		return -1;
	}
}
