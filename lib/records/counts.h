/*
 * counts.h - per-user counters kept beside the records they count, moved in
 * the same write transaction, so that a bound ("at most N of this user's")
 * reads one record instead of scanning a table.  {"n": count} under the
 * user's name.  A count that would drop below one is removed: records made
 * before counting began were never counted, and must not make it negative.
 */
#ifndef CE_COUNTS_H
#define CE_COUNTS_H

#include <stdint.h>

#include "error.h"
#include "db.h"

/* Adds delta to t[who] (nothing when who is NULL or empty). */
enum ce_err	count_add(struct ce_txn *txn, enum db_table t, const char *who,
		    int64_t delta, struct ce_error *err);
/* t[who], 0 when there is none. */
enum ce_err	count_get(struct ce_txn *txn, enum db_table t, const char *who,
		    int64_t *n, struct ce_error *err);

#endif
