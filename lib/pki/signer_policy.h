/*
 * signer_policy.h - the signer's own reading of the policy: what it checks
 * on a to-be-signed certificate, whatever the caller that sent it claims.
 *
 * Each check returns CE_OK or CE_INVAL with a reason that names what is
 * wrong (the key, the validity, the extension by name and OID, the
 * approval); the signer refuses with that reason.  They read the policy
 * resolved from the signer's own LMDB (policy_resolve), never the request.
 */
#ifndef CE_SIGNER_POLICY_H
#define CE_SIGNER_POLICY_H

#include <stdint.h>
#include <time.h>
#include <openssl/x509.h>
#include "error.h"
#include "keys.h"

struct ce_txn;
struct policy;

/* Clock skew the validity check allows (notBefore back-dated or ahead). */
#define SIGNER_SKEW_SECONDS	300

/* The public key is one the template (or the pattern) allows; *spec is set
 * to it for the checks that depend on the key type. */
enum ce_err	signer_check_key(const struct policy *p, X509 *cert,
		    struct key_spec *spec, struct ce_error *err);

/* notBefore within SIGNER_SKEW_SECONDS of now, a span of at most the
 * template's days (plus the skew), notAfter not past the CA's. */
enum ce_err	signer_check_validity(const struct policy *p, X509 *cert,
		    time_t now, struct ce_error *err);

/* Every extension is one the template produces for a key of spec, byte for
 * byte (basicConstraints, keyUsage, extendedKeyUsage, SKI, AKI and the
 * template's "extensions"), except subjectAltName, whose names are the name
 * policy's business; and each of those is present. */
enum ce_err	signer_check_extensions(const struct policy *p,
		    const struct key_spec *spec, X509 *cert, struct ce_error *err);

/*
 * In the write transaction txn: when the policy requires approval, request
 * approved_request must exist, be in approval (APPROVING), be for the same
 * template, pattern, CA and subject, and not have been signed before; it is
 * then marked signed (serial, key) so that it cannot serve a second
 * certificate.  Without required approval: CE_OK, nothing read.
 */
enum ce_err	signer_check_approval(struct ce_txn *txn, const struct policy *p,
		    int64_t approved_request, X509 *cert, struct ce_error *err);

#endif
