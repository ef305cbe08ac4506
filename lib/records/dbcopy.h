/*
 * dbcopy.h - one installation's whole state: digested table by table, and
 * copied from one database to another (LMDB to PostgreSQL when a host
 * becomes many, or back).
 */
#ifndef CE_DBCOPY_H
#define CE_DBCOPY_H

#include <stdint.h>
#include "db.h"

#define DB_NTABLES	T__MAX

struct db_table_digest {
	const char	*table;		/* db_table_name() */
	uint64_t	 count;		/* records */
	unsigned char	 sha256[32];	/* of every key and value, in key order */
};

/* Digests every table in one read transaction (one snapshot). */
enum ce_err	db_digest(struct ce_db *db, struct db_table_digest out[DB_NTABLES],
		    struct ce_error *err);

/*
 * Copies every record of src into dst, which must hold no records yet
 * (PostgreSQL's schema is migrated first), from one snapshot of src; then
 * digests both and fails, naming the first table that differs, unless every
 * count and digest agrees.  Sealed values are copied as they are: dst's
 * hosts need the same key files (dek.key, ca/).  *copied: records copied.
 * The programs using src are stopped first: the check compares src as it
 * is after the copy.
 */
enum ce_err	db_copy(struct ce_db *src, struct ce_db *dst, uint64_t *copied,
		    struct ce_error *err);

#endif
