/*
 * x500.h - X.500 subject strings as the API sends them:
 *   CN=websrvr14.keyexample.com,OU=IT,O="Key Example, Inc.",L=Independence,ST=OH,C=US
 * RFC 4514 style: attributes separated by ',' (or ';'), values may be quoted
 * ("...", with \" inside) or use backslash escapes (\, \+ \" \\ \< \> \; \=
 * \# and \XX hex pairs), '+' joins multi-valued RDNs, whitespace around
 * separators is ignored.  Attribute names are matched case-insensitively:
 * CN, OU, O, L, ST (or S), C, E (or EMAILADDRESS), STREET, SERIALNUMBER, DC,
 * UID, T (title), G (givenName), SN (surname), or a dotted OID.
 * C must be two letters.  Values must be non-empty UTF-8 of at most 64
 * (CN, O, OU, L, ST, T...) or 128 (E) characters as RFC 5280 upper bounds say.
 * Precisely: L, ST and STREET 128 (RFC 5280's ub-locality-name and
 * ub-state-name), E 128, DC 63, everything else (dotted OIDs too) 64.
 * No control characters; E and DC ASCII; SERIALNUMBER PrintableString.
 * A value may not contain an unescaped '"'; a leading '#' is literal.
 */
#ifndef CE_X500_H
#define CE_X500_H

#include <openssl/x509.h>
#include "error.h"

/* Parses s into a new X509_NAME in the order written (caller frees with
 * X509_NAME_free).  An empty string gives an empty name.  On failure returns
 * CE_INVAL with a message like "Subject: unterminated quote at position 12".
 * Positions count bytes from 1.  NULL s is taken as "".  *out is NULL on
 * failure; CE_NOMEM / CE_CRYPTO are logged. */
enum ce_err	x500_parse(const char *s, X509_NAME **out, struct ce_error *err);

/* Room for the longest CN: 64 characters of up to 4 UTF-8 bytes + NUL. */
#define X500_CN_BUFSZ	(64 * 4 + 1)

/* Copies the (first) commonName of name into buf as UTF-8; "" when none.
 * Returns CE_OK, or CE_INVAL when it does not fit (or cannot be converted,
 * or holds a NUL); buf is "" then. */
enum ce_err	x500_common_name(const X509_NAME *name, char *buf, size_t bufsz);

/* Formats name the way the API shows DNs ("CN=a, O=b" RFC 2253 order as
 * written, with ", " separators, escaping as RFC 4514).  Caller frees.
 * " + " joins the values of a multi-valued RDN; attribute names are the
 * ones above (first spelling), others dotted OIDs, so x500_parse() reads
 * the result back.  Free with free(); NULL (logged) on failure. */
char		*x500_format(const X509_NAME *name);

#endif
