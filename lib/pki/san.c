/*
 * san.c - the API's SANs object to GENERAL_NAMES, and general names back
 * to the API's SubjectAltNameElements.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "san.h"
#include "pemutil.h"
#include "utf8.h"
#include "x500.h"
#include "db.h"

/* Keyfactor's SubjectAltNameElements type numbers. */
enum {
	SAN_OTHER = 0,
	SAN_RFC822 = 1,
	SAN_DNS = 2,
	SAN_DIRECTORY = 4,
	SAN_URI = 6,
	SAN_IP = 7,
	SAN_RID = 8,
	SAN_UPN = 100,
};

/* Builds one general name from a value of one key; messages name key. */
typedef enum ce_err (*san_build)(const char *key, const char *v,
    GENERAL_NAME **gn, struct ce_error *err);

static enum ce_err	build_dns(const char *, const char *, GENERAL_NAME **,
			    struct ce_error *);
static enum ce_err	build_ip4(const char *, const char *, GENERAL_NAME **,
			    struct ce_error *);
static enum ce_err	build_ip6(const char *, const char *, GENERAL_NAME **,
			    struct ce_error *);
static enum ce_err	build_ip(const char *, const char *, GENERAL_NAME **,
			    struct ce_error *);
static enum ce_err	build_uri(const char *, const char *, GENERAL_NAME **,
			    struct ce_error *);
static enum ce_err	build_email(const char *, const char *,
			    GENERAL_NAME **, struct ce_error *);
static enum ce_err	build_upn(const char *, const char *, GENERAL_NAME **,
			    struct ce_error *);
static enum ce_err	build_rid(const char *, const char *, GENERAL_NAME **,
			    struct ce_error *);
static enum ce_err	build_dirname(const char *, const char *,
			    GENERAL_NAME **, struct ce_error *);

/* The keys of the API's SANs object; build NULL: known, not supported. */
static const struct santype {
	const char	*key;
	san_build	 build;
} santypes[] = {
	{ "dns",		build_dns },
	{ "ip4",		build_ip4 },
	{ "ip6",		build_ip6 },
	{ "ip",			build_ip },
	{ "uri",		build_uri },
	{ "rfc822",		build_email },
	{ "ms_ntprincipalname",	build_upn },
	{ "registeredid",	build_rid },
	{ "directory",		build_dirname },
	{ "other",		NULL },
	{ "x400",		NULL },
	{ "ediparty",		NULL },
	{ "ms_ntdsreplication",	NULL },
};

static const struct santype *
santype_find(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(santypes) / sizeof(santypes[0]); i++)
		if (strcasecmp(key, santypes[i].key) == 0)
			return &santypes[i];
	return NULL;
}

static enum ce_err
bad(struct ce_error *err, const char *key, const char *v, const char *what)
{
	return ce_fail(err, CE_INVAL, "SANs.%s: '%.100s' is not %s",
	    key, v, what);
}

static int
isalnum_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * Validates a DNS name: LDH labels of 1..63, no label starting or ending
 * with '-', at most 253 characters without the optional trailing dot, an
 * optional leading "*." wildcard.  Returns 1 if valid, 0 if not.
 */
int
san_dns_valid(const char *name)
{
	size_t len, i, lab = 0;
	char c;

	if (name == NULL)
		return 0;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len > 253)
		return 0;
	if (len > 2 && name[0] == '*' && name[1] == '.') {
		name += 2;
		len -= 2;
	}
	if (len == 0)
		return 0;
	for (i = 0; i <= len; i++) {
		c = i < len ? name[i] : '.';
		if (c == '.') {
			if (lab == 0 || lab > 63 ||
			    name[i - lab] == '-' || name[i - 1] == '-')
				return 0;
			lab = 0;
		} else if (isalnum_ascii(c) || c == '-')
			lab++;
		else
			return 0;
	}
	return 1;
}

/*
 * Makes a general name of an IA5String kind (dNSName, rfc822Name, URI)
 * from v[0..len).  Returns CE_OK or CE_CRYPTO (logged).
 */
static enum ce_err
gn_ia5(int type, const char *v, size_t len, GENERAL_NAME **gn,
    struct ce_error *err)
{
	ASN1_IA5STRING *str = NULL;
	enum ce_err rc = CE_CRYPTO;

	if ((*gn = GENERAL_NAME_new()) == NULL ||
	    (str = ASN1_IA5STRING_new()) == NULL ||
	    !ASN1_STRING_set(str, v, (int)len)) {
		rc = ce_fault(err, CE_CRYPTO, "gn_ia5: out of memory");
		goto out;
	}
	GENERAL_NAME_set0_value(*gn, type, str);
	str = NULL;
	rc = CE_OK;
out:
	ASN1_IA5STRING_free(str);
	if (rc != CE_OK) {
		GENERAL_NAME_free(*gn);
		*gn = NULL;
	}
	return rc;
}

/* dns: a valid DNS name, stored without its trailing dot. */
static enum ce_err
build_dns(const char *key, const char *v, GENERAL_NAME **gn,
    struct ce_error *err)
{
	size_t len = strlen(v);

	if (!san_dns_valid(v))
		return bad(err, key, v, "a valid DNS name");
	if (v[len - 1] == '.')
		len--;
	return gn_ia5(GEN_DNS, v, len, gn, err);
}

/*
 * Makes an iPAddress from v, trying IPv4 (dotted quad) if v4 and IPv6 if
 * v6.  Returns CE_OK, CE_INVAL saying "is not <what>", or CE_CRYPTO.
 */
static enum ce_err
ip_name(const char *key, const char *v, int v4, int v6, const char *what,
    GENERAL_NAME **gn, struct ce_error *err)
{
	ASN1_OCTET_STRING *os = NULL;
	unsigned char addr[16];
	enum ce_err rc = CE_CRYPTO;
	int len;

	if (v4 && inet_pton(AF_INET, v, addr) == 1)
		len = 4;
	else if (v6 && inet_pton(AF_INET6, v, addr) == 1)
		len = 16;
	else
		return bad(err, key, v, what);
	if ((*gn = GENERAL_NAME_new()) == NULL ||
	    (os = ASN1_OCTET_STRING_new()) == NULL ||
	    !ASN1_OCTET_STRING_set(os, addr, len)) {
		rc = ce_fault(err, CE_CRYPTO, "ip_name: out of memory");
		goto out;
	}
	GENERAL_NAME_set0_value(*gn, GEN_IPADD, os);
	os = NULL;
	rc = CE_OK;
out:
	ASN1_OCTET_STRING_free(os);
	if (rc != CE_OK) {
		GENERAL_NAME_free(*gn);
		*gn = NULL;
	}
	return rc;
}

static enum ce_err
build_ip4(const char *key, const char *v, GENERAL_NAME **gn,
    struct ce_error *err)
{
	return ip_name(key, v, 1, 0, "an IPv4 address", gn, err);
}

static enum ce_err
build_ip6(const char *key, const char *v, GENERAL_NAME **gn,
    struct ce_error *err)
{
	return ip_name(key, v, 0, 1, "an IPv6 address", gn, err);
}

static enum ce_err
build_ip(const char *key, const char *v, GENERAL_NAME **gn,
    struct ce_error *err)
{
	return ip_name(key, v, 1, 1, "an IP address", gn, err);
}

/*
 * A URI: "scheme:" (a letter, then letters, digits, '+', '-', '.') and a
 * non-empty rest of printable ASCII without spaces (IA5String).
 */
static int
uri_valid(const char *v)
{
	size_t i;

	if (!isalnum_ascii(v[0]) || (v[0] >= '0' && v[0] <= '9'))
		return 0;
	for (i = 1; v[i] != ':'; i++)
		if (!isalnum_ascii(v[i]) &&
		    v[i] != '+' && v[i] != '-' && v[i] != '.')
			return 0;
	if (v[++i] == '\0')
		return 0;
	for (; v[i] != '\0'; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
			return 0;
	return 1;
}

static enum ce_err
build_uri(const char *key, const char *v, GENERAL_NAME **gn,
    struct ce_error *err)
{
	if (!uri_valid(v))
		return bad(err, key, v, "a URI");
	return gn_ia5(GEN_URI, v, strlen(v), gn, err);
}

/*
 * An email address: local@domain, local of 1..64 RFC 5322 atext
 * characters and single dots (not first or last), domain a DNS name
 * without wildcard or trailing dot.  Returns 1 if valid.
 */
static int
email_valid(const char *v)
{
	const char *at = strchr(v, '@');
	size_t i, len;

	if (at == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	len = (size_t)(at - v);
	if (len == 0 || len > 64 || v[0] == '.' || v[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (v[i] == '.' && v[i + 1] == '.')
			return 0;
		if (!isalnum_ascii(v[i]) &&
		    strchr(".!#$%&'*+/=?^_`{|}~-", v[i]) == NULL)
			return 0;
	}
	at++;
	if (at[0] == '\0' || at[0] == '*' || at[strlen(at) - 1] == '.')
		return 0;
	return san_dns_valid(at);
}

static enum ce_err
build_email(const char *key, const char *v, GENERAL_NAME **gn,
    struct ce_error *err)
{
	if (!email_valid(v))
		return bad(err, key, v, "an email address");
	return gn_ia5(GEN_EMAIL, v, strlen(v), gn, err);
}

/* A UPN: user@suffix, both non-empty, UTF-8 without control characters. */
static int
upn_valid(const char *v)
{
	const char *at = strrchr(v, '@');
	size_t i, len = strlen(v);

	if (at == NULL || at == v || at[1] == '\0' || utf8_chars(v, len) < 0)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * ms_ntprincipalname: an otherName of type-id 1.3.6.1.4.1.311.20.2.3
 * (msUPN) holding a UTF8String, as Microsoft's CAs write it.
 */
static enum ce_err
build_upn(const char *key, const char *v, GENERAL_NAME **gn,
    struct ce_error *err)
{
	ASN1_UTF8STRING *str = NULL;
	ASN1_TYPE *val = NULL;
	ASN1_OBJECT *oid;
	enum ce_err rc = CE_CRYPTO;

	if (!upn_valid(v))
		return bad(err, key, v, "a user principal name");
	if ((*gn = GENERAL_NAME_new()) == NULL ||
	    (val = ASN1_TYPE_new()) == NULL ||
	    (str = ASN1_UTF8STRING_new()) == NULL ||
	    !ASN1_STRING_set(str, v, -1)) {
		rc = ce_fault(err, CE_CRYPTO, "build_upn: out of memory");
		goto out;
	}
	ASN1_TYPE_set(val, V_ASN1_UTF8STRING, str);
	str = NULL;
	if ((oid = OBJ_nid2obj(NID_ms_upn)) == NULL ||
	    !GENERAL_NAME_set0_othername(*gn, oid, val)) {
		rc = ce_fault(err, CE_CRYPTO, "GENERAL_NAME_set0_othername");
		goto out;
	}
	val = NULL;
	rc = CE_OK;
out:
	ASN1_UTF8STRING_free(str);
	ASN1_TYPE_free(val);
	if (rc != CE_OK) {
		GENERAL_NAME_free(*gn);
		*gn = NULL;
	}
	return rc;
}

/* registeredid: a dotted OID. */
static enum ce_err
build_rid(const char *key, const char *v, GENERAL_NAME **gn,
    struct ce_error *err)
{
	ASN1_OBJECT *obj;

	if ((obj = oid_parse_strict(v)) == NULL)
		return bad(err, key, v, "an OID");
	if ((*gn = GENERAL_NAME_new()) == NULL) {
		ASN1_OBJECT_free(obj);
		return ce_fault(err, CE_CRYPTO, "GENERAL_NAME_new");
	}
	GENERAL_NAME_set0_value(*gn, GEN_RID, obj);
	return CE_OK;
}

/*
 * directory: an X.500 name in the subject syntax, not empty.  Its parse
 * error is passed on without the "Subject: " of x500_parse().
 */
static enum ce_err
build_dirname(const char *key, const char *v, GENERAL_NAME **gn,
    struct ce_error *err)
{
	static const char prefix[] = "Subject: ";
	struct ce_error xerr;
	X509_NAME *name = NULL;
	const char *why;
	enum ce_err rc;

	ce_error_clear(&xerr);
	if ((rc = x500_parse(v, &name, &xerr)) == CE_INVAL) {
		why = xerr.msg;
		if (strncmp(why, prefix, sizeof(prefix) - 1) == 0)
			why += sizeof(prefix) - 1;
		rc = ce_fail(err, CE_INVAL, "SANs.%s: '%.100s' is not a "
		    "valid X.500 name (%s)", key, v, why);
		goto out;
	} else if (rc != CE_OK) {
		rc = ce_fail(err, rc, "%s", xerr.msg);
		goto out;
	}
	if (X509_NAME_entry_count(name) == 0) {
		rc = bad(err, key, v, "a valid X.500 name");
		goto out;
	}
	if ((*gn = GENERAL_NAME_new()) == NULL) {
		rc = ce_fault(err, CE_CRYPTO, "GENERAL_NAME_new");
		goto out;
	}
	GENERAL_NAME_set0_value(*gn, GEN_DIRNAME, name);
	name = NULL;
out:
	X509_NAME_free(name);
	return rc;
}

/*
 * Returns 1 when names already holds gn: DNS names compare without
 * regard to case, everything else as GENERAL_NAME_cmp() says.
 */
static int
san_dup(const GENERAL_NAMES *names, GENERAL_NAME *gn)
{
	GENERAL_NAME *o;
	int i;

	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		o = sk_GENERAL_NAME_value(names, i);
		if (o->type == GEN_DNS && gn->type == GEN_DNS) {
			if (o->d.dNSName->length == gn->d.dNSName->length &&
			    strncasecmp((char *)o->d.dNSName->data,
			    (char *)gn->d.dNSName->data,
			    (size_t)gn->d.dNSName->length) == 0)
				return 1;
		} else if (GENERAL_NAME_cmp(o, gn) == 0)
			return 1;
	}
	return 0;
}

/* Adds one string value of key to names unless it is already there. */
static enum ce_err
add_value(GENERAL_NAMES *names, const struct santype *t, const char *key,
    json_object *jv, struct ce_error *err)
{
	const char *v = json_object_get_string(jv);
	GENERAL_NAME *gn = NULL;
	enum ce_err rc;

	if (strlen(v) != (size_t)json_object_get_string_len(jv)) {
		rc = ce_fail(err, CE_INVAL,
		    "SANs.%s: value contains a NUL character", key);
		goto out;
	}
	if ((rc = t->build(key, v, &gn, err)) != CE_OK || san_dup(names, gn))
		goto out;
	if (sk_GENERAL_NAME_push(names, gn) <= 0) {
		rc = ce_fault(err, CE_NOMEM, "sk_GENERAL_NAME_push");
		goto out;
	}
	gn = NULL;
out:
	GENERAL_NAME_free(gn);
	return rc;
}

/* Returns 1 when jv carries no value: null or an empty array. */
static int
json_empty(json_object *jv)
{
	return jv == NULL || json_object_is_type(jv, json_type_null) ||
	    (json_object_is_type(jv, json_type_array) &&
	    json_arr_len(jv) == 0);
}

/*
 * Adds the values of one key of the SANs object.  A key we do not know or
 * do not support is an error only when it carries a value: SDKs send
 * every key of their model, empty.
 */
static enum ce_err
parse_key(GENERAL_NAMES *names, const char *key, json_object *jv,
    struct ce_error *err)
{
	const struct santype *t = santype_find(key);
	json_object *elem;
	enum ce_err rc;
	size_t i, n;

	if (json_empty(jv))
		return CE_OK;
	if (t == NULL)
		return ce_fail(err, CE_INVAL,
		    "SANs.%.64s: unknown SAN type", key);
	if (t->build == NULL)
		return ce_fail(err, CE_INVAL, "SANs.%s: not supported", key);
	if (json_object_is_type(jv, json_type_string))
		return add_value(names, t, key, jv, err);
	if (!json_object_is_type(jv, json_type_array))
		return ce_fail(err, CE_INVAL,
		    "SANs.%s: must be an array of strings", key);
	n = json_arr_len(jv);
	for (i = 0; i < n; i++) {
		elem = json_object_array_get_idx(jv, i);
		if (!json_object_is_type(elem, json_type_string))
			return ce_fail(err, CE_INVAL,
			    "SANs.%s[%zu]: must be a string", key, i);
		if ((rc = add_value(names, t, key, elem, err)) != CE_OK)
			return rc;
	}
	return CE_OK;
}

/* Adds the values of every key of the SANs object, in the object's order. */
static enum ce_err
parse_object(GENERAL_NAMES *names, json_object *sans, struct ce_error *err)
{
	struct json_object_iterator it, end;
	enum ce_err rc;

	it = json_object_iter_begin(sans);
	end = json_object_iter_end(sans);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		rc = parse_key(names, json_object_iter_peek_name(&it),
		    json_object_iter_peek_value(&it), err);
		if (rc != CE_OK)
			return rc;
	}
	return CE_OK;
}

/*
 * Parses the SANs object into a new GENERAL_NAMES, in the order of the
 * object's keys and of each array.  Returns CE_OK, CE_INVAL naming the
 * key and value, or CE_NOMEM / CE_CRYPTO (logged).
 */
enum ce_err
san_parse(json_object *sans, GENERAL_NAMES **out, struct ce_error *err)
{
	GENERAL_NAMES *names = NULL;
	enum ce_err rc;

	*out = NULL;
	if ((names = GENERAL_NAMES_new()) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "GENERAL_NAMES_new");
		goto out;
	}
	if (sans != NULL && !json_object_is_type(sans, json_type_null)) {
		if (!json_object_is_type(sans, json_type_object)) {
			rc = ce_fail(err, CE_INVAL, "SANs: must be an object");
			goto out;
		}
		if ((rc = parse_object(names, sans, err)) != CE_OK)
			goto out;
	}
	*out = names;
	names = NULL;
	rc = CE_OK;
out:
	GENERAL_NAMES_free(names);
	return rc;
}

/*
 * Copies an ASN.1 string into buf as UTF-8.  Returns 0, or -1 when it
 * cannot be converted, holds a NUL, or does not fit.
 */
static int
copy_utf8(const ASN1_STRING *str, char *buf, size_t bufsz)
{
	unsigned char *utf8 = NULL;
	int len, rc = -1;

	if (str == NULL || (len = ASN1_STRING_to_UTF8(&utf8, str)) < 0)
		goto out;
	if ((size_t)len >= bufsz || memchr(utf8, '\0', (size_t)len) != NULL)
		goto out;
	memcpy(buf, utf8, (size_t)len);
	buf[len] = '\0';
	rc = 0;
out:
	OPENSSL_free(utf8);
	return rc;
}

/* An iPAddress of 4 or 16 bytes in its textual form; 0 or -1. */
static int
describe_ip(const ASN1_OCTET_STRING *os, char *buf, size_t bufsz)
{
	int af;

	if (os->length == 4)
		af = AF_INET;
	else if (os->length == 16)
		af = AF_INET6;
	else
		return -1;
	if (bufsz > INT_MAX)
		bufsz = INT_MAX;
	if (inet_ntop(af, os->data, buf, (socklen_t)bufsz) == NULL)
		return -1;
	return 0;
}

/* A registeredID as a dotted OID; 0 or -1. */
static int
describe_rid(const ASN1_OBJECT *obj, char *buf, size_t bufsz)
{
	int n;

	if (bufsz > INT_MAX)
		bufsz = INT_MAX;
	n = OBJ_obj2txt(buf, (int)bufsz, obj, 1);
	return n > 0 && (size_t)n < bufsz ? 0 : -1;
}

/* A directory name as x500_format() writes it; 0 or -1. */
static int
describe_dirname(const X509_NAME *name, char *buf, size_t bufsz)
{
	char *s;
	int rc = -1;

	if ((s = x500_format(name)) == NULL)
		goto out;
	if (strlen(s) >= bufsz)
		goto out;
	memcpy(buf, s, strlen(s) + 1);
	rc = 0;
out:
	free(s);
	return rc;
}

/*
 * An otherName: a UPN is SAN_UPN; any other holding a string is SAN_OTHER
 * with that string.  Returns the type, or -1.
 */
static int
describe_other(const OTHERNAME *on, char *buf, size_t bufsz)
{
	const ASN1_TYPE *v = on->value;

	if (v == NULL)
		return -1;
	switch (v->type) {
	case V_ASN1_UTF8STRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_VISIBLESTRING:
	case V_ASN1_BMPSTRING:
	case V_ASN1_UNIVERSALSTRING:
		break;
	default:
		return -1;
	}
	if (copy_utf8(v->value.asn1_string, buf, bufsz) == -1)
		return -1;
	return OBJ_obj2nid(on->type_id) == NID_ms_upn ? SAN_UPN : SAN_OTHER;
}

/*
 * Writes the text of gn into buf and returns its Keyfactor type number,
 * or -1 (buf "") when it has no text form here or does not fit.
 */
int
san_describe(const GENERAL_NAME *gn, char *buf, size_t bufsz)
{
	int type = -1;

	if (buf == NULL || bufsz == 0)
		return -1;
	buf[0] = '\0';
	if (gn == NULL)
		return -1;
	switch (gn->type) {
	case GEN_OTHERNAME:
		type = describe_other(gn->d.otherName, buf, bufsz);
		break;
	case GEN_EMAIL:
		if (copy_utf8(gn->d.rfc822Name, buf, bufsz) == 0)
			type = SAN_RFC822;
		break;
	case GEN_DNS:
		if (copy_utf8(gn->d.dNSName, buf, bufsz) == 0)
			type = SAN_DNS;
		break;
	case GEN_DIRNAME:
		if (describe_dirname(gn->d.directoryName, buf, bufsz) == 0)
			type = SAN_DIRECTORY;
		break;
	case GEN_URI:
		if (copy_utf8(gn->d.uniformResourceIdentifier, buf,
		    bufsz) == 0)
			type = SAN_URI;
		break;
	case GEN_IPADD:
		if (describe_ip(gn->d.iPAddress, buf, bufsz) == 0)
			type = SAN_IP;
		break;
	case GEN_RID:
		if (describe_rid(gn->d.registeredID, buf, bufsz) == 0)
			type = SAN_RID;
		break;
	default:
		break;
	}
	if (type == -1)
		buf[0] = '\0';
	return type;
}
