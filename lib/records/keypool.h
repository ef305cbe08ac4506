/*
 * keypool.h - a pool of pre-generated subscriber keys, so that a burst of
 * RSA enrollments after idle time does not wait for key generation.
 *
 * Keys live in LMDB (T_KEYPOOL, key "<spec word>/<sequence>"), each sealed
 * with the DEK and its own record name as associated data.  A key is taken
 * (deleted, durably) before it is used, so it is never used twice and never
 * shared between requests; a request that fails after taking one discards
 * it.  Sizes come from certenroll.conf: key_pool = RSA-2048:64,ECC-P-256:0.
 */
#ifndef CE_KEYPOOL_H
#define CE_KEYPOOL_H

#include <openssl/evp.h>
#include "error.h"
#include "keys.h"

struct ce_db;

/* A key of spec from the pool, or a freshly generated one when the pool
 * has none.  *pooled tells which (may be NULL). */
enum ce_err	keypool_take(struct ce_db *db, const struct key_spec *spec,
		    EVP_PKEY **out, int *pooled, struct ce_error *err);

/* Generates keys until the pool holds `target` keys of spec (or `max_new`
 * were made); returns how many were added. */
enum ce_err	keypool_fill(struct ce_db *db, const struct key_spec *spec,
		    int target, int max_new, int *added, struct ce_error *err);

/* Fills every pool named in the key_pool setting. */
enum ce_err	keypool_fill_configured(struct ce_db *db, int max_new, int *added,
		    struct ce_error *err);

/* cb(spec word, keys pooled, target) for each pool named in the key_pool
 * setting. */
typedef void	(*keypool_level_visit)(const char *spec, int have, int target,
		    void *arg);
enum ce_err	keypool_levels(struct ce_db *db, keypool_level_visit cb,
		    void *arg, struct ce_error *err);

/* Number of pooled keys of spec. */
enum ce_err	keypool_count(struct ce_db *db, const struct key_spec *spec,
		    int *n, struct ce_error *err);

#endif
