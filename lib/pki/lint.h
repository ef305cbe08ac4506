/*
 * lint.h - pre-issuance linting, as Let's Encrypt's Boulder does: the
 * to-be-signed certificate is first signed with a throwaway key of the
 * issuer's key type, and that certificate is checked against the profile.
 * Only a certificate that passes every lint gets the real signature.
 *
 * The lints (names as they appear in errors and logs):
 *   version-3            version is v3
 *   serial               positive, at most 20 octets, at least 64 bits
 *   validity             notBefore < notAfter, both inside the issuer's
 *   subject-or-san       an empty subject needs a critical subjectAltName
 *   cn-in-san            a CN that is a DNS name is also a DNS SAN
 *   dns-names            every DNS SAN is well-formed
 *   basic-constraints    present, critical, CA:FALSE
 *   key-usage            present, critical, consistent with the key type
 *                        (keyEncipherment/dataEncipherment only for RSA,
 *                        keyAgreement only for EC) and no CA usages
 *   eku                  as the template lists (when it lists any)
 *   ski                  subjectKeyIdentifier present
 *   aki                  authorityKeyIdentifier = issuer's SKI
 *   signature-algorithm  matches the issuer's key type
 *   unique-extensions    no extension appears twice
 *   issuer-name          issuer DN = the CA's subject DN, byte for byte
 *   extensions-decode    every extension decodes
 */
#ifndef CE_LINT_H
#define CE_LINT_H

#include <openssl/x509.h>
#include "error.h"

struct ca;

/* Checks cert (signed by a throwaway key, see lint_presign) against the
 * profile; eku_expected may be NULL.  CE_INVAL naming the failing lint. */
enum ce_err	lint_certificate(X509 *cert, const struct ca *ca,
		    STACK_OF(ASN1_OBJECT) *eku_expected, struct ce_error *err);

/* Signs cert with a throwaway key of the CA's key type (cached per process)
 * so that it can be linted as it will be. */
enum ce_err	lint_presign(X509 *cert, const struct ca *ca, struct ce_error *err);

#endif
