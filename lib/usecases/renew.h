/*
 * renew.h - POST /Enrollment/Renew (one-click renewal) and
 * GET /Enrollment/AvailableRenewal/{Id|Thumbprint}/...
 */
#ifndef CE_RENEW_H
#define CE_RENEW_H

#include <json-c/json.h>
#include "error.h"
#include "fields.h"

struct ce_db;

struct renew_req {
	struct opt_int	certificate_id;
	struct opt_str	thumbprint;
	struct opt_str	certificate_authority;
	struct opt_str	template;
	struct opt_time	timestamp;
};
extern const struct field	renew_fields[];
extern const size_t		renew_nfields;
extern const struct field_table	renew_table;

enum renewal_type {
	RENEWAL_NONE = 0,
	RENEWAL_SEEDED_PFX = 1,
	RENEWAL_ONE_CLICK = 2
};

/*
 * Renews: a new key of the old certificate's type and size, its subject and
 * SANs, from the given or the original CA and template; staged for Deploy or
 * Replace like a STORE enrollment.  Answers the flat renewal response.
 * 400: both or neither of CertificateId/Thumbprint, revoked or CA
 * certificate, CertificateAuthority/Template missing when one-click is not
 * available, policy refusals; 404 unknown certificate.
 */
enum ce_err	renew_certificate(struct ce_db *db, const char *user,
		    const struct renew_req *req, json_object **response,
		    struct ce_error *err);

/* {"AvailableRenewalType": n, "Message": ...} for a certificate id, or for a
 * thumbprint when tp != NULL. 404 unknown, 400 malformed. */
enum ce_err	renew_available(struct ce_db *db, int64_t id, const char *tp,
		    json_object **response, struct ce_error *err);

#endif
