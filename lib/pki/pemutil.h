/*
 * pemutil.h - small conversions between X509 objects and the texts the API
 * and the records use.
 */
#ifndef CE_PEMUTIL_H
#define CE_PEMUTIL_H

#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "buf.h"
#include "error.h"

/* Parses one PEM certificate; NULL on failure. Caller frees. */
X509		*pem_to_x509(const char *pem);
/* PEM text of cert; malloc'd, caller frees; NULL on failure. */
char		*x509_to_pem(X509 *cert);
/* DER -> X509 and back; der_out malloc'd (caller frees). */
X509		*der_to_x509(const unsigned char *der, size_t len);
/* Upper-case hex SHA-1 of the DER (the API's Thumbprint); buf >= 41. */
enum ce_err	x509_thumbprint(X509 *cert, char *buf, size_t bufsz);
/* Upper-case hex serial number; buf >= 41 (20 octets). */
enum ce_err	x509_serial_hex(X509 *cert, char *buf, size_t bufsz);
/* A serial number as the index files it: upper-case hex without leading
 * zeros, padded to whole octets ("0A12"), as BN_bn2hex writes it, from
 * any case and leading zeros; -1 for text that is not hex or too long. */
int		serial_canon(const char *s, char *buf, size_t bufsz);
/* Sets a random positive serial with 127 random bits (16 octets). */
enum ce_err	x509_set_random_serial(X509 *cert, struct ce_error *err);
/* Adds an extension given in openssl's config syntax, with issuer/subject
 * set for SKI/AKI ("hash", "keyid:always"). */
enum ce_err	x509_add_ext(X509 *cert, X509 *issuer, int nid, const char *value,
		    struct ce_error *err);
/* Parses a dotted OID strictly: only the canonical numeric form ("2.5.4.3",
 * no names, no leading zeros) is accepted; NULL otherwise (OpenSSL's error
 * queue left as it was).  Caller frees with ASN1_OBJECT_free. */
ASN1_OBJECT	*oid_parse_strict(const char *s);
/* The DER of p12 into out (buf_free): what every PKCS#12 we write goes
 * through.  CE_CRYPTO or CE_NOMEM. */
enum ce_err	p12_to_der(PKCS12 *p12, struct ce_buf *out, struct ce_error *err);
/* Appends a cert bag for x to *bags; *bagp (if not NULL) gets it.
 * PKCS12_add_cert() copies an alias or key id from the X509's auxiliary
 * data (PKCS12_parse() leaves them there) into the bag; a copy without that
 * data is used instead, so bags carry only the attributes the caller sets. */
enum ce_err	p12_add_cert(STACK_OF(PKCS12_SAFEBAG) **bags, X509 *x,
		    PKCS12_SAFEBAG **bagp, struct ce_error *err);
/* A PKCS#12 from DER (caller PKCS12_free), NULL when it does not parse. */
PKCS12		*der_to_p12(const unsigned char *der, size_t len);
/* Whether s is 40 hex digits (a thumbprint), case-insensitively. */
int		thumbprint_valid(const char *s);

#endif
