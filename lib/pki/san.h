/*
 * san.h - the API's SANs object: {"dns":["a.example"],"ip4":["10.0.0.1"],...}
 * Keys are matched case-insensitively: dns, ip4, ip6, ip, uri, rfc822,
 * ms_ntprincipalname (UPN as otherName 1.3.6.1.4.1.311.20.2.3, UTF8String),
 * registeredid (dotted OID), directory (an X.500 string, see x500.h).
 * Other keys of the API (other, x400, ediparty, ms_ntdsreplication) are
 * rejected with "not supported".  Each value must be an array of strings
 * (a single string is accepted as a one-element array, as ASP.NET does);
 * null or an empty array adds nothing.
 * Validation: dns = LDH labels 1..63, total <= 253, optional leading "*."
 * wildcard, no empty label, trailing dot removed; ip4 = dotted quad only;
 * ip6 = inet_pton AF_INET6; ip = either; uri = has "scheme:" and no spaces;
 * rfc822 = local@domain with a valid domain; duplicates are dropped.
 * Precisely: a key we do not know, or do not support, is an error only when
 * it carries a value (SDKs send every key of their model, null or []).
 * DNS names are compared without case when dropping duplicates.
 * rfc822 local part: RFC 5322 atext and dots, 1..64; the domain has no
 * wildcard and no trailing dot.  ms_ntprincipalname: "user@suffix", UTF-8,
 * no control characters.  uri: ASCII only (IA5String).
 */
#ifndef CE_SAN_H
#define CE_SAN_H

#include <json-c/json.h>
#include <openssl/x509v3.h>
#include "error.h"

/* Parses the SANs object (may be NULL or json null: gives an empty list) into
 * a new GENERAL_NAMES (caller frees with GENERAL_NAMES_free).  On failure
 * CE_INVAL naming the key and value, e.g. "SANs.ip4: '300.1.1.1' is not an
 * IPv4 address". */
enum ce_err	san_parse(json_object *sans, GENERAL_NAMES **out, struct ce_error *err);

/* Validates one DNS name (as san_parse does).  Returns 1 if valid. */
int		san_dns_valid(const char *name);

/* Describes one general name for the API's SubjectAltNameElements:
 * writes its value text into buf and returns the Keyfactor SAN type number
 * (0 other, 1 rfc822, 2 dns, 4 directory, 6 uri, 7 ip, 8 registeredid,
 * 100 ms_ntprincipalname, as Keyfactor's terraform provider's
 * mapSanIDToName numbers them), or -1 when it cannot be shown.
 * ip is inet_ntop's text, directory x500_format()'s; 0 is an otherName
 * holding a string.  buf is "" when -1 (also when it does not fit). */
int		san_describe(const GENERAL_NAME *gn, char *buf, size_t bufsz);

#endif
