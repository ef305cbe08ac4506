/*
 * issue.h - building and signing an end-entity certificate.  This is the one
 * path to a signature for subscriber certificates: it builds the
 * to-be-signed certificate from the policy and hands it to ca_sign().
 */
#ifndef CE_ISSUE_H
#define CE_ISSUE_H

#include <stdint.h>
#include <openssl/x509v3.h>
#include "error.h"
#include "keys.h"

struct ce_db;
struct policy;

struct issue_in {
	const struct policy	*policy;	/* template + CA */
	const X509_NAME		*subject;	/* may be empty if sans set */
	const GENERAL_NAMES	*sans;		/* may be NULL or empty */
	EVP_PKEY		*key;		/* subscriber key (public part used) */
	const struct key_spec	*spec;
	const char		*requester;	/* for the signer's log */
	int64_t			 approved_request; /* the approved request this
						    issues, or 0 */
};

/* Adds the profile's extensions for a key of spec, all but the SANs and the
 * template's own (policy_add_extensions): basicConstraints CA:FALSE,
 * keyUsage and extendedKeyUsage (policy_add_usage), SKI and AKI.  The
 * signer builds the same to compare what it is asked to sign. */
enum ce_err	issue_add_profile(X509 *cert, const struct policy *p,
		    const struct key_spec *spec, struct ce_error *err);

/* Issues the certificate (caller frees *out).  CE_INVAL when neither subject
 * nor SANs name anybody. */
enum ce_err	issue_certificate(struct ce_db *db, const struct issue_in *in,
		    X509 **out, struct ce_error *err);

#endif
