/*
 * names.h - the name policy of templates and enrollment patterns: which
 * names a certificate may carry.  One check, names_check(), serves every
 * path that leads to a signature (enrollment, approval, renewal, the
 * signer's own reading of a to-be-signed certificate).
 *
 * A template (and an enrollment pattern) may hold a "names" object:
 *   {"san_types":["dns","ip","email","uri"],	   allowed SAN types
 *    "dns_suffixes":["example.com"],		   DNS names under one of these
 *    "dns_regex":"^[a-z0-9-]+\\.example\\.com$",  DNS names matching this
 *    "wildcards":true,				   "*.x" DNS names allowed
 *    "ip_ranges":["10.0.0.0/8","2001:db8::/32"]}  IP addresses inside one
 * Type words: dns, ip, email (rfc822), uri, upn (otherName UPN), othername
 * (any other otherName), dirname, rid (registeredID); x400 and EDI party
 * names are never allowed.
 *
 * Defaults (a field absent): san_types dns, ip, email, uri; for a template
 * that restricts names (subject_regex, dns_suffixes, dns_regex, ip_ranges)
 * only the kinds it restricts: dns, and ip with ip_ranges (its rules are its
 * statement of the names it issues; they hold no e-mail or URI).  Wildcards allowed;
 * suffixes, dns_regex and ip_ranges unrestricted.  Always, whatever the
 * template says: a wildcard directly under a public suffix ("*.com",
 * "*.co.uk", by libpsl's built-in list) and the unspecified addresses
 * 0.0.0.0 and :: are refused.
 *
 * The template's subject_regex applies to every CN of the subject and every
 * DNS SAN.  A CN that is a DNS name (valid LDH with a dot) is held to the DNS
 * rules too, since clients may match it.  A pattern's "names" narrows the
 * template's: a name must pass both; a field the pattern leaves out adds no
 * restriction.
 */
#ifndef CE_NAMES_H
#define CE_NAMES_H

#include <json-c/json.h>
#include <openssl/x509v3.h>
#include "error.h"

struct policy;

/*
 * Checks every CN of subject (may be NULL) and every general name of sans
 * (may be NULL) against p's template and pattern.  CE_INVAL naming the field,
 * the name and the rule, e.g. "SANs.dns: 'www.evil.com' does not match the
 * subject pattern '...' of template 'Restricted'."  CE_DB when a stored rule
 * is unusable.
 */
enum ce_err	names_check(const struct policy *p, const X509_NAME *subject,
		    const GENERAL_NAMES *sans, struct ce_error *err);

/* names_check() on a certificate's subject and subjectAltName extension;
 * a repeated or undecodable subjectAltName extension is CE_INVAL. */
enum ce_err	names_check_cert(const struct policy *p, X509 *cert,
		    struct ce_error *err);

/* Whether p allows SANs of the GEN_* type gen (issue.c adds the CN as a DNS
 * SAN only where DNS SANs are allowed). */
int		names_type_allowed(const struct policy *p, int gen);

/* Admin: validates a "names" object (NULL is fine): known type words, DNS
 * suffixes without wildcards, a regex that compiles, a boolean, CIDR ranges.
 * CE_INVAL naming the field and the value. */
enum ce_err	names_rules_validate(json_object *names, struct ce_error *err);

/* Pure helpers, exposed for the unit tests. */
/* Parses "addr/prefix" (or a bare address: a host range) into addr (4 or 16
 * bytes, *len) and *prefix; refuses host bits past the prefix.  0 or -1. */
int		names_cidr_parse(const char *s, unsigned char addr[16], int *len,
		    int *prefix);
/* Whether ip (len 4 or 16) lies in the range text cidr. */
int		names_ip_in_range(const unsigned char *ip, int len, const char *cidr);
/* Whether the lower-case DNS name is a wildcard directly under a public
 * suffix ("*.com", "*.co.uk"); 1 also when no public suffix list loads. */
int		names_wildcard_public(const char *dns);
/* Whether the lower-case DNS name is suffix or lies under it. */
int		names_under_suffix(const char *dns, const char *suffix);

#endif
