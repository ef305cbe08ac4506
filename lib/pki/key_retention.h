/*
 * key_retention.h - whether the private key of a certificate whose key
 * certenroll made is kept (sealed: retained.h) for POST
 * /Certificates/Recover, and until when: a template's "key_retention" and
 * "key_retention_days" (policy.h).  Keyfactor's choices: None (the
 * default), Indefinite, AfterExpiration (key_retention_days after the
 * certificate expires), FromIssuance (key_retention_days after it was
 * issued).
 */
#ifndef CE_KEY_RETENTION_H
#define CE_KEY_RETENTION_H

#include <stdint.h>
#include <json-c/json.h>

enum key_retention {
	KR_NONE,
	KR_INDEFINITE,
	KR_AFTER_EXPIRATION,
	KR_FROM_ISSUANCE,
	KR__MAX
};
#define KEY_RETENTION_DAYS_MAX	36500
/* A template record's retention and its days (0 unless one needs them). */
enum key_retention template_key_retention(json_object *tmpl, int *days);
/* Keyfactor's word for r: "None", "Indefinite", ... */
const char	*key_retention_name(enum key_retention r);
/* The record's word for r ("none", "indefinite", "after_expiration",
 * "from_issuance"); key_retention_parse also takes Keyfactor's words and
 * '-' for '_', any case; -1 for none of them. */
const char	*key_retention_word(enum key_retention r);
int		 key_retention_parse(const char *word);
/* When a key kept under r for a certificate issued at issued and expiring at
 * not_after is deleted: 0 never, -1 not kept at all. */
int64_t		 key_retention_until(enum key_retention r, int days,
		    int64_t issued, int64_t not_after);

#endif
