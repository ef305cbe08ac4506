/*
 * revoked.h - revocation: a certificate's state and the list of each CA's
 * revoked serials that its CRL and OCSP answers are made from.
 *
 * Certificate record (certdb.h) when revoked: "state": "revoked" and
 *   "revocation": {"reason" (Keyfactor's code), "date" (effective, epoch
 *   seconds), "comment", "by" (user), "recorded" (when it was written)}.
 * Revoked list (T_REVOKED, key "<CA record id, 20 digits>/<serial hex>"):
 *   {"id", "serial", "reason", "date"}: one entry per revoked certificate,
 *   walked by prefix for one CA's CRL.  A hold taken off removes the entry.
 * Changes since a CA's full CRLs (T_CRLS, key "<CA id>/log/<serial hex>"):
 *   {"serial", "reason", "date", "since"} for a revocation, {"serial",
 *   "removed": true, "date" (when), "since"} for a hold taken off; the last
 *   change of each serial, written with it while the CA has a CRL, "since"
 *   the number of the full CRL then the last (the change is not on it).
 *   What a delta CRL lists (crl.h); pruned as full CRLs expire.
 *
 * The date is Keyfactor's EffectiveDate (now when not given), the CRL's
 * revocationDate, as Keyfactor's CAs (AD CS) record it; no invalidityDate
 * is claimed, the API taking no compromise date.
 *
 * Reasons are Keyfactor's codes, which are RFC 5280's CRLReason for 0-6:
 * 0 unspecified, 1 keyCompromise, 2 cACompromise, 3 affiliationChanged,
 * 4 superseded, 5 cessationOfOperation, 6 certificateHold, and 999
 * "unknown" (unspecified on a CRL); -1, 7 and 8 take a hold off.
 */
#ifndef CE_REVOKED_H
#define CE_REVOKED_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "error.h"

struct ce_txn;

#define REVOKE_HOLD		6
#define REVOKE_UNKNOWN		999

/* Whether code is a reason Revoke accepts; *unhold says it takes a hold
 * off (-1, 7, 8). */
int		revoke_reason_valid(int64_t code, int *unhold);
/* RFC 5280's CRLReason for a Keyfactor code (999: 0). */
int		revoke_reason_crl(int64_t code);

struct revocation {
	int64_t		 reason;	/* 0-6 or 999 */
	time_t		 date;		/* effective */
	const char	*comment;
	const char	*by;
};

/* What cert_revoke did. */
enum revoke_outcome {
	REVOKED_NOW,		/* was active (or held, now for good) */
	REVOKED_ALREADY,	/* nothing changed: revoking twice is harmless */
	UNHELD,			/* a hold taken off: active again */
	NOT_HELD,		/* unhold of a certificate not on hold: refused */
};

/*
 * Revokes certificate id, issued by the CA whose record id is ca_id, in a
 * write transaction; unhold takes a hold off instead (r->reason unused).
 * CE_NOTFOUND ("Certificate N was not found.") for an unknown id.
 */
enum ce_err	cert_revoke(struct ce_txn *txn, int64_t id, int64_t ca_id,
		    const struct revocation *r, int unhold,
		    enum revoke_outcome *out, struct ce_error *err);

/* The revoked list's key of serial under CA ca_id. */
void		revoked_key(int64_t ca_id, const char *serial, char *buf,
		    size_t bufsz);

/* One entry of a CA's revoked list, for its visitor. */
struct revoked_entry {
	int64_t		 id;
	const char	*serial;	/* upper-case hex */
	int64_t		 reason;	/* Keyfactor's code */
	time_t		 date;
	int		 removed;	/* a hold taken off (changes only) */
	int64_t		 since;		/* changes only: see above */
};
typedef int	(*revoked_visit)(const struct revoked_entry *e, void *arg);
/* Every revoked certificate of CA ca_id, in serial order (as text). */
enum ce_err	revoked_list(struct ce_txn *txn, int64_t ca_id, revoked_visit cb,
		    void *arg, struct ce_error *err);

/* Every change of CA ca_id's list since its last full CRL, in serial
 * order; removed ones have reason REVOKE_HOLD. */
enum ce_err	revoked_changes(struct ce_txn *txn, int64_t ca_id,
		    revoked_visit cb, void *arg, struct ce_error *err);
/* Forgets those since a full CRL older than number before (every full
 * CRL a relying party may still hold lists them). */
enum ce_err	revoked_changes_prune(struct ce_txn *txn, int64_t ca_id,
		    int64_t before, struct ce_error *err);

#endif
