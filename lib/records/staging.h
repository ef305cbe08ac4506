/*
 * staging.h - staging data: the sealed PKCS#12 of a STORE or renewal
 * enrollment, kept for its owner's Deploy or Replace for staging_lifetime
 * seconds (T_STAGING, key db_idkey(cert id): {"owner","expires",
 * "request_id","blob"}, the blob sealed with associated data
 * "staging:<cert id>:<owner>").
 */
#ifndef CE_STAGING_H
#define CE_STAGING_H

#include <stdint.h>
#include <time.h>

#include "error.h"
#include "output.h"
#include "db.h"

/* Reads and unseals staging data for cert_id owned by user; CE_NOKEY with a
 * message saying whether it expired, belongs to someone else, or never
 * existed. out is the PKCS#12 DER (buf_free). */
enum ce_err	staging_get(struct ce_db *db, struct ce_txn *txn, int64_t cert_id,
		    const char *user, struct ce_buf *out, struct ce_error *err);

/* Seals and stores staging data inside a write txn. */
enum ce_err	staging_put(struct ce_db *db, struct ce_txn *txn, int64_t cert_id,
		    int64_t request_id, const char *owner, time_t expires,
		    const struct ce_buf *pfx, struct ce_error *err);

/* Removes cert_id's staging data (used up by a Replace); CE_NOTFOUND. */
enum ce_err	staging_del(struct ce_txn *txn, int64_t cert_id,
		    struct ce_error *err);
/* Removes staging data whose time is past; returns how many. */
enum ce_err	staging_purge(struct ce_db *db, time_t now, int *purged,
		    struct ce_error *err);

#endif
