/*
 * certfacts.h - what the API's certificate object says that comes from the
 * certificate alone (key, subject parts, key usage, signature algorithm,
 * EKUs, SANs).  Certificate records keep it as "view" from their issuance
 * (certdb.c), so that reads need not parse the certificate.
 */
#ifndef CE_CERTFACTS_H
#define CE_CERTFACTS_H

#include <stdint.h>
#include <json-c/json.h>
#include <openssl/x509.h>

#include "jbuild.h"

/* Adds them to b in the answer's order; key_bits and curve (0, NULL: none)
 * fill in what the certificate does not say (an unknown group). */
void		 certfacts_add(struct jb *b, X509 *x, int64_t key_bits,
		    const char *curve);
/* Them as a new object, or NULL when out of memory. */
json_object	*certfacts_json(X509 *x);
/* The name Windows (and so Keyfactor) shows for an EKU (oid: its dotted
 * text), else OpenSSL's long name, else oid. */
const char	*certfacts_eku_name(const ASN1_OBJECT *obj, const char *oid);

#endif
