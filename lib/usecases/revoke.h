/*
 * revoke.h - POST /Certificates/Revoke: certificates revoked, held or
 * taken off hold, each id on its own (revoked.h keeps the state).
 */
#ifndef CE_REVOKE_H
#define CE_REVOKE_H

#include <stdint.h>
#include <time.h>
#include <json-c/json.h>
#include "error.h"

struct ce_db;

#define REVOKE_MAX_IDS		1000
/* How far ahead of this host's clock an EffectiveDate may be. */
#define REVOKE_CLOCK_SKEW	300
/* Bytes of a Comment (it is kept with every certificate revoked). */
#define REVOKE_COMMENT_MAX	1024

struct revoke_input {
	json_object	*ids;		/* CertificateIds, as sent */
	int64_t		 reason;	/* Keyfactor's code (revoked.h) */
	const char	*comment;	/* required, non-empty */
	time_t		 date;		/* EffectiveDate; 0: now */
	const char	*user;
};

/*
 * Revokes in one write transaction.  200 {"RevokedIds": [...],
 * "SuspendedCerts": [], "FailedOperations": [{"Id", "Reason"}]} when some
 * id succeeded (revoking twice counts: it is harmless); when none did,
 * *status is 400 and *resp the API's error body with FailedOperations.
 * CE_INVAL for a bad reason, date or id list (nothing changes).
 */
enum ce_err	revoke_certificates(struct ce_db *db,
		    const struct revoke_input *in, json_object **resp,
		    int *status, struct ce_error *err);

#endif
