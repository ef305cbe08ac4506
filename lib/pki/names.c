/* names.c - the name policy of templates and patterns (see names.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>
#include <openssl/x509v3.h>

#include "jbuild.h"
#include "names.h"
#include "policy.h"
#include "san.h"

enum name_type {
	NT_DNS,
	NT_IP,
	NT_EMAIL,
	NT_URI,
	NT_UPN,
	NT_OTHERNAME,
	NT_DIRNAME,
	NT_RID,
	NT__MAX
};

/* The admin's words and the API's SANs keys, by type. */
static const char *const type_words[NT__MAX] = { "dns", "ip", "email", "uri",
    "upn", "othername", "dirname", "rid" };
static const char *const type_fields[NT__MAX] = { "SANs.dns", "SANs.ip",
    "SANs.rfc822", "SANs.uri", "SANs.ms_ntprincipalname", "SANs.other",
    "SANs.directory", "SANs.registeredid" };

#define TYPES_ALL	((1u << NT__MAX) - 1)
#define TYPES_DEFAULT	(1u << NT_DNS | 1u << NT_IP | 1u << NT_EMAIL | 1u << NT_URI)
#define SHOW_MAX	160

/* One level of rules: the template's or the pattern's. */
struct rules {
	char		 who[160];	/* "template 'X'", for messages */
	json_object	*names;		/* the "names" object, or NULL */
	const char	*subject_regex;	/* template only; NULL when none */
	unsigned	 types;		/* allowed NT_* bits */
	int		 wildcards;
	int		 is_template;
};

static json_object *
get(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, k, &v))
		return NULL;
	return v;
}

static size_t
arr_len(json_object *a)
{
	return json_object_is_type(a, json_type_array) ?
	    json_object_array_length(a) : 0;
}

static const char *
arr_str(json_object *a, size_t i)
{
	return json_object_get_string(json_object_array_get_idx(a, i));
}

/* The NT_* number of a type word, or -1. */
static int
type_word(const char *w)
{
	int i;

	for (i = 0; i < NT__MAX; i++)
		if (w != NULL && strcmp(w, type_words[i]) == 0)
			return i;
	return -1;
}

/* The NT_* type of a general name, or -1 (x400, EDI party: never allowed). */
static int
type_of(const GENERAL_NAME *gn)
{
	switch (gn->type) {
	case GEN_DNS:
		return NT_DNS;
	case GEN_IPADD:
		return NT_IP;
	case GEN_EMAIL:
		return NT_EMAIL;
	case GEN_URI:
		return NT_URI;
	case GEN_OTHERNAME:
		return OBJ_obj2nid(gn->d.otherName->type_id) == NID_ms_upn ?
		    NT_UPN : NT_OTHERNAME;
	case GEN_DIRNAME:
		return NT_DIRNAME;
	case GEN_RID:
		return NT_RID;
	default:
		return -1;
	}
}

/* Copies s (len bytes) for a message: printable ASCII as is, anything else
 * as \xNN, cut at SHOW_MAX with "...".  A forged name cannot forge a line. */
static void
show(const char *s, size_t len, char *buf, size_t bufsz)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 8 < bufsz && o < SHOW_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, bufsz - o, "\\x%02x", c);
	}
	if (i < len && o + 4 < bufsz)
		o += (size_t)snprintf(buf + o, bufsz - o, "...");
	buf[o] = '\0';
}

static void
lower(const char *in, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

/* 1 match, 0 no match, -1 does not compile. */
static int
regex_match(const char *re, const char *text)
{
	regex_t rx;
	int m;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	m = regexec(&rx, text, 0, NULL, 0) == 0;
	regfree(&rx);
	return m;
}

/* Loads one level's rules from a template or pattern record. */
static void
rules_load(json_object *rec, int is_template, struct rules *r)
{
	json_object *types, *wc;
	const char *re;
	size_t i;
	int t;

	memset(r, 0, sizeof(*r));
	r->is_template = is_template;
	r->names = get(rec, "names");
	if (!json_object_is_type(r->names, json_type_object))
		r->names = NULL;
	re = is_template ? jrec_str(rec, "subject_regex") : NULL;
	r->subject_regex = re != NULL && *re != '\0' ? re : NULL;
	if (is_template)
		snprintf(r->who, sizeof(r->who), "template '%s'",
		    jrec_str(rec, "name") ? jrec_str(rec, "name") : "?");
	else
		snprintf(r->who, sizeof(r->who), "enrollment pattern %lld",
		    (long long)json_object_get_int64(get(rec, "id")));
	types = get(r->names, "san_types");
	if (json_object_is_type(types, json_type_array)) {
		for (i = 0; i < arr_len(types); i++)
			if ((t = type_word(arr_str(types, i))) >= 0)
				r->types |= 1u << t;
	} else if (is_template && (r->subject_regex != NULL ||
	    get(r->names, "dns_suffixes") != NULL ||
	    get(r->names, "dns_regex") != NULL ||
	    get(r->names, "ip_ranges") != NULL)) {
		/* A template that restricts names allows, unless it says
		 * otherwise, only the kinds its rules restrict: a DNS suffix
		 * must not leave e-mail addresses or URIs open. */
		r->types = 1u << NT_DNS;
		if (get(r->names, "ip_ranges") != NULL)
			r->types |= 1u << NT_IP;
	} else if (is_template)
		r->types = TYPES_DEFAULT;
	else
		r->types = TYPES_ALL;
	wc = get(r->names, "wildcards");
	r->wildcards = json_object_is_type(wc, json_type_boolean) ?
	    json_object_get_boolean(wc) : 1;
}

/* The levels of p: the template's, then the pattern's when it has rules. */
static int
rules_of(const struct policy *p, struct rules lv[2])
{
	rules_load(p->tmpl, 1, &lv[0]);
	if (p->pattern == NULL)
		return 1;
	rules_load(p->pattern, 0, &lv[1]);
	return lv[1].names != NULL ? 2 : 1;
}

static void
type_list(unsigned types, char *buf, size_t n)
{
	int i;

	buf[0] = '\0';
	for (i = 0; i < NT__MAX; i++)
		if (types & 1u << i) {
			if (buf[0] != '\0')
				strncat(buf, ",", n - strlen(buf) - 1);
			strncat(buf, type_words[i], n - strlen(buf) - 1);
		}
	if (buf[0] == '\0')
		snprintf(buf, n, "none");
}

int
names_under_suffix(const char *dns, const char *suffix)
{
	size_t n = strlen(dns), s = strlen(suffix);

	if (s == 0)
		return 0;
	if (n == s)
		return strcasecmp(dns, suffix) == 0;
	return n > s && dns[n - s - 1] == '.' && strcasecmp(dns + n - s,
	    suffix) == 0;
}

static const psl_ctx_t *psl;
static pthread_once_t psl_once = PTHREAD_ONCE_INIT;

/* libpsl's built-in list, or the system's file when it has none built in. */
static void
psl_init(void)
{
	if ((psl = psl_builtin()) == NULL)
		psl = psl_latest(NULL);
}

int
names_wildcard_public(const char *dns)
{
	pthread_once(&psl_once, psl_init);
	if (strncmp(dns, "*.", 2) != 0)
		return 0;
	if (psl == NULL)
		return 1;	/* no list: refuse every wildcard */
	return psl_is_public_suffix(psl, dns + 2);
}

/* The DNS rules of one level for a lower-case DNS name; field and shown
 * name for the message. */
static enum ce_err
check_dns_rules(const struct rules *r, const char *dns, const char *field,
    const char *shown, struct ce_error *err)
{
	json_object *suf = get(r->names, "dns_suffixes");
	const char *re = jrec_str(r->names, "dns_regex");
	size_t i;
	int m;

	if (strncmp(dns, "*.", 2) == 0) {
		if (r->is_template && names_wildcard_public(dns))
			return ce_fail(err, CE_INVAL, "%s: the wildcard '%s' is "
			    "directly under a public suffix.", field, shown);
		if (!r->wildcards)
			return ce_fail(err, CE_INVAL, "%s: the wildcard '%s' is not "
			    "allowed by %s.", field, shown, r->who);
	}
	if (arr_len(suf) > 0) {
		for (i = 0; i < arr_len(suf); i++)
			if (names_under_suffix(dns, arr_str(suf, i)))
				break;
		if (i == arr_len(suf))
			return ce_fail(err, CE_INVAL, "%s: '%s' is outside the DNS "
			    "suffixes of %s.", field, shown, r->who);
	}
	if (re != NULL && *re != '\0') {
		if ((m = regex_match(re, dns)) == -1)
			return ce_fault(err, CE_DB, "%s: dns_regex does not "
			    "compile", r->who);
		if (!m)
			return ce_fail(err, CE_INVAL, "%s: '%s' does not match the "
			    "DNS pattern '%s' of %s.", field, shown, re, r->who);
	}
	return CE_OK;
}

/* A DNS name of a SAN (or a DNS-like CN): syntax, the subject regex, then
 * the DNS rules. */
static enum ce_err
check_dns(const struct rules *r, const char *name, const char *field,
    struct ce_error *err)
{
	char dns[256], shown[SHOW_MAX + 16];
	int m;

	show(name, strlen(name), shown, sizeof(shown));
	if (strlen(name) >= sizeof(dns) || !san_dns_valid(name) ||
	    name[strlen(name) - 1] == '.')
		return ce_fail(err, CE_INVAL, "%s: '%s' is not a valid DNS name.",
		    field, shown);
	lower(name, dns, sizeof(dns));
	if (r->subject_regex != NULL) {
		if ((m = regex_match(r->subject_regex, dns)) == -1)
			return ce_fault(err, CE_DB, "%s: subject_regex does not "
			    "compile", r->who);
		if (!m)
			return ce_fail(err, CE_INVAL, "%s: '%s' does not match the "
			    "subject pattern '%s' of %s.", field, shown,
			    r->subject_regex, r->who);
	}
	return check_dns_rules(r, dns, field, shown, err);
}

/* An iPAddress: 4 or 16 bytes, not unspecified, inside the ranges. */
static enum ce_err
check_ip(const struct rules *r, const ASN1_OCTET_STRING *os,
    struct ce_error *err)
{
	static const unsigned char zero[16];
	json_object *ranges = get(r->names, "ip_ranges");
	char text[INET6_ADDRSTRLEN];
	size_t i;

	if (os == NULL || (os->length != 4 && os->length != 16) ||
	    inet_ntop(os->length == 4 ? AF_INET : AF_INET6, os->data, text,
	    sizeof(text)) == NULL)
		return ce_fail(err, CE_INVAL, "SANs.ip: an IP address of neither "
		    "4 nor 16 bytes.");
	if (memcmp(os->data, zero, (size_t)os->length) == 0)
		return ce_fail(err, CE_INVAL, "SANs.ip: '%s' is the unspecified "
		    "address.", text);
	if (arr_len(ranges) == 0)
		return CE_OK;
	for (i = 0; i < arr_len(ranges); i++)
		if (names_ip_in_range(os->data, os->length, arr_str(ranges, i)))
			return CE_OK;
	return ce_fail(err, CE_INVAL, "SANs.ip: '%s' is outside the IP ranges of "
	    "%s.", text, r->who);
}

/* One general name against one level. */
static enum ce_err
check_gn(const struct rules *r, const GENERAL_NAME *gn, struct ce_error *err)
{
	char text[512], shown[SHOW_MAX + 16], list[128];
	const ASN1_STRING *s;
	int t = type_of(gn);

	if (t < 0)
		return ce_fail(err, CE_INVAL, "SANs: x400 and EDI party names are "
		    "not allowed.");
	if (san_describe(gn, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "(unprintable)");
	show(text, strlen(text), shown, sizeof(shown));
	if (!(r->types & 1u << t)) {
		type_list(r->types, list, sizeof(list));
		return ce_fail(err, CE_INVAL, "%s: '%s' is of SAN type %s, which "
		    "%s does not allow (allowed: %s).", type_fields[t], shown,
		    type_words[t], r->who, list);
	}
	if (t == NT_IP)
		return check_ip(r, gn->d.iPAddress, err);
	if (t != NT_DNS)
		return CE_OK;
	s = gn->d.dNSName;
	if (s == NULL || memchr(ASN1_STRING_get0_data(s), '\0',
	    (size_t)ASN1_STRING_length(s)) != NULL || ASN1_STRING_length(s) >= 256)
		return ce_fail(err, CE_INVAL, "SANs.dns: '%s' is not a valid DNS "
		    "name.", shown);
	memcpy(text, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
	text[ASN1_STRING_length(s)] = '\0';
	return check_dns(r, text, "SANs.dns", err);
}

/* Every CN of subject against one level: the subject regex as written, and
 * the DNS rules when the CN is a DNS name. */
static enum ce_err
check_cns(const struct rules *r, const X509_NAME *subject, struct ce_error *err)
{
	const X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	char shown[SHOW_MAX + 16];
	enum ce_err rc = CE_OK;
	int i = -1, len, m;

	while (subject != NULL && (i = X509_NAME_get_index_by_NID(subject,
	    NID_commonName, i)) >= 0) {
		e = X509_NAME_get_entry(subject, i);
		if ((len = ASN1_STRING_to_UTF8(&utf8,
		    X509_NAME_ENTRY_get_data(e))) < 0 ||
		    memchr(utf8, '\0', (size_t)len) != NULL) {
			rc = ce_fail(err, CE_INVAL, "Subject: a common name that is "
			    "not a string.");
			goto out;
		}
		show((const char *)utf8, (size_t)len, shown, sizeof(shown));
		if (r->subject_regex != NULL) {
			if ((m = regex_match(r->subject_regex,
			    (const char *)utf8)) == -1) {
				rc = ce_fault(err, CE_DB, "%s: subject_regex does "
				    "not compile", r->who);
				goto out;
			}
			if (!m) {
				rc = ce_fail(err, CE_INVAL, "Subject: the common name "
				    "'%s' does not match the template's pattern "
				    "'%s'.", shown, r->subject_regex);
				goto out;
			}
		}
		if (strchr((const char *)utf8, '.') != NULL &&
		    san_dns_valid((const char *)utf8) &&
		    (rc = check_dns(r, (const char *)utf8, "Subject", err)) != CE_OK)
			goto out;
		OPENSSL_free(utf8);
		utf8 = NULL;
	}
out:
	OPENSSL_free(utf8);
	return rc;
}

enum ce_err
names_check(const struct policy *p, const X509_NAME *subject,
    const GENERAL_NAMES *sans, struct ce_error *err)
{
	struct rules lv[2];
	enum ce_err rc;
	int n = rules_of(p, lv), k, i;

	for (k = 0; k < n; k++) {
		if ((rc = check_cns(&lv[k], subject, err)) != CE_OK)
			return rc;
		for (i = 0; sans != NULL && i < sk_GENERAL_NAME_num(sans); i++)
			if ((rc = check_gn(&lv[k], sk_GENERAL_NAME_value(sans, i),
			    err)) != CE_OK)
				return rc;
	}
	return CE_OK;
}

enum ce_err
names_check_cert(const struct policy *p, X509 *cert, struct ce_error *err)
{
	GENERAL_NAMES *sans;
	enum ce_err rc;
	int crit = -1;

	sans = X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, NULL);
	if (sans == NULL && crit != -1)
		return ce_fail(err, CE_INVAL, "SANs: the subjectAltName extension "
		    "is repeated or does not decode.");
	rc = names_check(p, X509_get_subject_name(cert), sans, err);
	GENERAL_NAMES_free(sans);
	return rc;
}

int
names_type_allowed(const struct policy *p, int gen)
{
	GENERAL_NAME gn;
	struct rules lv[2];
	int n = rules_of(p, lv), k, t;

	memset(&gn, 0, sizeof(gn));
	gn.type = gen;
	if (gen == GEN_OTHERNAME || (t = type_of(&gn)) < 0)
		return 0;
	for (k = 0; k < n; k++)
		if (!(lv[k].types & 1u << t))
			return 0;
	return 1;
}

int
names_cidr_parse(const char *s, unsigned char addr[16], int *len, int *prefix)
{
	char host[INET6_ADDRSTRLEN + 1], *end;
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	long pfx;
	int i;

	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, addr) == 1)
		*len = 4;
	else if (inet_pton(AF_INET6, host, addr) == 1)
		*len = 16;
	else
		return -1;
	pfx = *len * 8;
	if (slash != NULL) {
		if (!isdigit((unsigned char)slash[1]))
			return -1;
		pfx = strtol(slash + 1, &end, 10);
		if (*end != '\0' || pfx > *len * 8 || (slash[1] == '0' &&
		    slash[2] != '\0'))
			return -1;
	}
	*prefix = (int)pfx;
	/* No host bits past the prefix: "10.0.0.1/8" is a typo, not a range. */
	for (i = *prefix; i < *len * 8; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return -1;
	return 0;
}

int
names_ip_in_range(const unsigned char *ip, int len, const char *cidr)
{
	unsigned char net[16];
	int nlen, pfx, full, rest;

	if (cidr == NULL || names_cidr_parse(cidr, net, &nlen, &pfx) != 0 ||
	    nlen != len)
		return 0;
	full = pfx / 8;
	rest = pfx % 8;
	if (memcmp(ip, net, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((ip[full] ^ net[full]) & (0xff << (8 - rest)) &
	    0xff) == 0;
}

/* Each element of names[key] must be a string passing ok(). */
static enum ce_err
validate_list(json_object *names, const char *key, int (*ok)(const char *),
    const char *what, struct ce_error *err)
{
	json_object *a = get(names, key);
	size_t i;

	if (a == NULL)
		return CE_OK;
	if (!json_object_is_type(a, json_type_array))
		return ce_fail(err, CE_INVAL, "%s: expected a list.", key);
	for (i = 0; i < arr_len(a); i++) {
		json_object *v = json_object_array_get_idx(a, i);

		if (!json_object_is_type(v, json_type_string) ||
		    !ok(json_object_get_string(v)))
			return ce_fail(err, CE_INVAL, "%s: '%.200s' is not %s.", key,
			    json_object_get_string(v), what);
	}
	return CE_OK;
}

static int
ok_type(const char *w)
{
	return type_word(w) >= 0;
}

static int
ok_suffix(const char *w)
{
	return san_dns_valid(w) && w[0] != '*' && w[strlen(w) - 1] != '.';
}

static int
ok_cidr(const char *w)
{
	unsigned char a[16];
	int len, pfx;

	return names_cidr_parse(w, a, &len, &pfx) == 0;
}

enum ce_err
names_rules_validate(json_object *names, struct ce_error *err)
{
	json_object *wc;
	const char *re;
	enum ce_err rc;
	regex_t rx;

	if (names == NULL)
		return CE_OK;
	if (!json_object_is_type(names, json_type_object))
		return ce_fail(err, CE_INVAL, "names: expected an object.");
	if ((rc = validate_list(names, "san_types", ok_type, "a SAN type (dns, "
	    "ip, email, uri, upn, othername, dirname, rid)", err)) != CE_OK ||
	    (rc = validate_list(names, "dns_suffixes", ok_suffix, "a DNS suffix "
	    "(a DNS name without wildcard)", err)) != CE_OK ||
	    (rc = validate_list(names, "ip_ranges", ok_cidr, "a CIDR range "
	    "(address/prefix, no host bits set)", err)) != CE_OK)
		return rc;
	wc = get(names, "wildcards");
	if (wc != NULL && !json_object_is_type(wc, json_type_boolean))
		return ce_fail(err, CE_INVAL, "wildcards: expected true or false.");
	if (get(names, "dns_regex") != NULL) {
		if ((re = jrec_str(names, "dns_regex")) == NULL ||
		    regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
			return ce_fail(err, CE_INVAL, "dns_regex: '%.200s' does not "
			    "compile as an extended regular expression.",
			    re ? re : "?");
		regfree(&rx);
	}
	return CE_OK;
}
