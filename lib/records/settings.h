/*
 * settings.h - application settings kept in LMDB (set with
 * `certenroll setting set NAME VALUE`).  Known names and defaults:
 *   password_length          12   minimum PFX password length
 *   require_friendly_name    0    CustomFriendlyName required
 *   cn_regex                 .+   common name regular expression (POSIX ERE)
 *   staging_lifetime         300  seconds staging data is kept
 *   require_requested_with   1    x-keyfactor-requested-with required
 *   body_limit               1048576 request body limit in bytes
 *   allow_self_approval      0    a requester may approve their own request
 *   job_lease                300  seconds a store agent's claim holds a job
 */
#ifndef CE_SETTINGS_H
#define CE_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct ce_db;
struct ce_txn;

/* Reads an integer setting in txn (or in a new read txn when txn is NULL). */
int64_t		settings_int(struct ce_db *db, struct ce_txn *txn, const char *name);
/* Copies a string setting into buf; returns buf. */
char		*settings_str(struct ce_db *db, struct ce_txn *txn, const char *name,
		    char *buf, size_t bufsz);
/* Validates and stores a setting (admin tool). CE_INVAL for unknown names or
 * bad values. */
enum ce_err	settings_set(struct ce_db *db, const char *name, const char *value,
		    struct ce_error *err);
/* CE_OK when settings_set() would take value for name, or when name is no
 * setting (certenroll.conf's other keys); CE_INVAL naming it otherwise. */
enum ce_err	settings_check(const char *name, const char *value,
		    struct ce_error *err);
/* Name of the i-th known setting or NULL past the end (for listings). */
const char	*settings_name(int i);

#endif
