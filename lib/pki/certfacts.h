/*
 * certfacts.h - what the API's certificate object says that comes from the
 * certificate alone (key, subject parts, key usage, signature algorithm,
 * EKUs, SANs).  Certificate records keep it as "view" from their issuance
 * (certdb.c), so that reads need not parse the certificate.
 */
#ifndef CE_CERTFACTS_H
#define CE_CERTFACTS_H

#include <json-c/json.h>
#include <openssl/x509.h>

#include "jbuild.h"

/* Adds them to b in the answer's order; rec (may be NULL) fills in what the
 * certificate does not say (key bits, curve of an unknown group). */
void		 certfacts_add(struct jb *b, X509 *x, json_object *rec);
/* Them as a new object, or NULL when out of memory. */
json_object	*certfacts_json(X509 *x);

#endif
