/*
 * x500.c - X.500 subject strings as the API sends them (RFC 4514 style)
 * to X509_NAME and back.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "log.h"
#include "pemutil.h"
#include "utf8.h"
#include "x500.h"

/* What a value may contain, beyond "non-empty UTF-8 without controls". */
enum charset {
	CS_UTF8,	/* DirectoryString, encoded as UTF8String */
	CS_PRINTABLE,	/* PrintableString */
	CS_IA5,		/* IA5String: ASCII */
	CS_COUNTRY,	/* two letters (ISO 3166) */
};

/*
 * The attribute names the API uses.  name is the one x500_format prints;
 * max is in characters, RFC 5280's upper bounds where it gives one.
 */
static const struct attr {
	const char	*name;
	const char	*alias;
	int		 nid;
	size_t		 max;
	enum charset	 cs;
} attrs[] = {
	{ "CN",		  NULL,	NID_commonName,		    64,  CS_UTF8 },
	{ "OU",		  NULL,	NID_organizationalUnitName, 64,  CS_UTF8 },
	{ "O",		  NULL,	NID_organizationName,	    64,  CS_UTF8 },
	{ "L",		  NULL,	NID_localityName,	    128, CS_UTF8 },
	{ "ST",		  "S",	NID_stateOrProvinceName,    128, CS_UTF8 },
	{ "C",		  NULL,	NID_countryName,	    2,   CS_COUNTRY },
	{ "E",  "EMAILADDRESS",	NID_pkcs9_emailAddress,	    128, CS_IA5 },
	{ "STREET",	  NULL,	NID_streetAddress,	    128, CS_UTF8 },
	{ "SERIALNUMBER", NULL,	NID_serialNumber,	    64,  CS_PRINTABLE },
	{ "DC",		  NULL,	NID_domainComponent,	    63,  CS_IA5 },
	{ "UID",	  NULL,	NID_userId,		    64,  CS_UTF8 },
	{ "T",		  NULL,	NID_title,		    64,  CS_UTF8 },
	{ "G",		  NULL,	NID_givenName,		    64,  CS_UTF8 },
	{ "SN",		  NULL,	NID_surname,		    64,  CS_UTF8 },
};

/* Limits for a dotted OID that is none of the above. */
static const struct attr attr_oid = { NULL, NULL, NID_undef, 64, CS_UTF8 };

/* Characters that may follow a backslash (besides two hex digits). */
#define ESCAPABLE	",+\"\\<>;=# "

/* How values are printed: RFC 4514 escapes, UTF-8 kept as UTF-8. */
#define VALUE_FLAGS	(ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)

/* One attribute type as parsed. */
struct atype {
	const struct attr *a;		/* limits; never NULL once parsed */
	ASN1_OBJECT	*obj;		/* what is added (may be static) */
	char		 label[64];	/* for messages: "CN" or the OID */
};

/* The parser's cursor over the whole input. */
struct scan {
	const char	*s;
	size_t		 pos;		/* next character */
	char		*val;		/* the current value, decoded */
	size_t		 len;
	struct ce_error	*err;
};

static const struct attr *
attr_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (strcasecmp(name, attrs[i].name) == 0 ||
		    (attrs[i].alias != NULL &&
		    strcasecmp(name, attrs[i].alias) == 0))
			return &attrs[i];
	return NULL;
}

static const struct attr *
attr_by_nid(int nid)
{
	size_t i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (attrs[i].nid == nid)
			return &attrs[i];
	return NULL;
}

static int
isalpha_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
isalnum_ascii(char c)
{
	return isalpha_ascii(c) || (c >= '0' && c <= '9');
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
printable(char c)
{
	return isalnum_ascii(c) || (c != '\0' && strchr(" '()+,-./:=?", c));
}

/*
 * Checks a decoded value against its attribute: non-empty, UTF-8, no
 * control characters, the length bound and the charset.
 * Returns CE_OK or CE_INVAL naming the attribute.
 */
static enum ce_err
check_value(const struct atype *t, const char *v, size_t len,
    struct ce_error *err)
{
	long nchars;
	size_t i;

	if (len == 0)
		return ce_fail(err, CE_INVAL, "Subject: empty value for %s",
		    t->label);
	if ((nchars = utf8_chars(v, len)) < 0)
		return ce_fail(err, CE_INVAL,
		    "Subject: value for %s is not valid UTF-8", t->label);
	for (i = 0; i < len; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return ce_fail(err, CE_INVAL, "Subject: value for %s "
			    "contains a control character", t->label);
		if (t->a->cs == CS_IA5 && (unsigned char)v[i] >= 0x80)
			return ce_fail(err, CE_INVAL,
			    "Subject: value for %s must be ASCII", t->label);
		if (t->a->cs == CS_PRINTABLE && !printable(v[i]))
			return ce_fail(err, CE_INVAL, "Subject: value for %s "
			    "may only contain letters, digits, spaces and "
			    "' ( ) + , - . / : = ?", t->label);
	}
	if (t->a->cs == CS_COUNTRY && (len != 2 ||
	    !isalpha_ascii(v[0]) || !isalpha_ascii(v[1])))
		return ce_fail(err, CE_INVAL,
		    "Subject: %s must be a two-letter country code", t->label);
	if ((size_t)nchars > t->a->max)
		return ce_fail(err, CE_INVAL, "Subject: value for %s is "
		    "longer than %zu characters", t->label, t->a->max);
	return CE_OK;
}

/*
 * Resolves an attribute name or dotted OID into t.  A dotted OID that is
 * one of ours (2.5.4.3) gets our limits.  Returns CE_OK, CE_INVAL, or
 * CE_CRYPTO when OpenSSL does not know its own NIDs.
 */
static enum ce_err
resolve_type(const char *word, struct atype *t, struct ce_error *err)
{
	const struct attr *a;

	snprintf(t->label, sizeof(t->label), "%s", word);
	if (word[0] >= '0' && word[0] <= '9') {
		if ((t->obj = oid_parse_strict(word)) == NULL)
			return ce_fail(err, CE_INVAL,
			    "Subject: invalid OID '%s'", word);
		a = attr_by_nid(OBJ_obj2nid(t->obj));
		t->a = a != NULL ? a : &attr_oid;
		return CE_OK;
	}
	if ((t->a = attr_by_name(word)) == NULL)
		return ce_fail(err, CE_INVAL,
		    "Subject: unknown attribute '%s'", word);
	snprintf(t->label, sizeof(t->label), "%s", t->a->name);
	if ((t->obj = OBJ_nid2obj(t->a->nid)) == NULL)
		return ce_fault(err, CE_CRYPTO, "OBJ_nid2obj(%s)", word);
	return CE_OK;
}

static void
atype_clear(struct atype *t)
{
	ASN1_OBJECT_free(t->obj);
	memset(t, 0, sizeof(*t));
}

static void
skip_ws(struct scan *sc)
{
	while (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t')
		sc->pos++;
}

static int
keychar(char c)
{
	return isalnum_ascii(c) || c == '-' || c == '.';
}

/*
 * Scans "name =" at the cursor into t.  Positions in messages count
 * bytes from 1.  Returns CE_OK, CE_INVAL or resolve_type()'s fault.
 */
static enum ce_err
scan_type(struct scan *sc, struct atype *t)
{
	char word[64];
	size_t start, n;
	char c;

	skip_ws(sc);
	start = sc->pos;
	while (keychar(sc->s[sc->pos]))
		sc->pos++;
	if ((n = sc->pos - start) == 0) {
		c = sc->s[start];
		if (c == '=')
			return ce_fail(sc->err, CE_INVAL, "Subject: missing "
			    "attribute name at position %zu", start + 1);
		if (c == '\0' || c == ',' || c == ';' || c == '+')
			return ce_fail(sc->err, CE_INVAL, "Subject: missing "
			    "attribute at position %zu", start + 1);
		return ce_fail(sc->err, CE_INVAL, "Subject: unexpected "
		    "character at position %zu", start + 1);
	}
	if (n >= sizeof(word))
		return ce_fail(sc->err, CE_INVAL,
		    "Subject: unknown attribute '%.32s...'", sc->s + start);
	memcpy(word, sc->s + start, n);
	word[n] = '\0';
	skip_ws(sc);
	if (sc->s[sc->pos] != '=')
		return ce_fail(sc->err, CE_INVAL, "Subject: expected '=' "
		    "after %s at position %zu", word, sc->pos + 1);
	sc->pos++;
	return resolve_type(word, t, sc->err);
}

/*
 * Decodes one backslash escape at the cursor (\XX or \ followed by one of
 * ESCAPABLE) into the value.  Returns CE_OK or CE_INVAL.
 */
static enum ce_err
scan_escape(struct scan *sc)
{
	const char *p = sc->s + sc->pos + 1;
	int hi, lo;

	if ((hi = hexval(p[0])) != -1 && (lo = hexval(p[1])) != -1) {
		sc->val[sc->len++] = (char)(hi << 4 | lo);
		sc->pos += 3;
		return CE_OK;
	}
	if (p[0] != '\0' && strchr(ESCAPABLE, p[0]) != NULL) {
		sc->val[sc->len++] = p[0];
		sc->pos += 2;
		return CE_OK;
	}
	return ce_fail(sc->err, CE_INVAL,
	    "Subject: invalid escape at position %zu", sc->pos + 1);
}

/*
 * Scans a quoted value: everything up to the closing quote is kept,
 * separators and spaces included; backslash escapes apply.
 */
static enum ce_err
scan_quoted(struct scan *sc)
{
	size_t open = sc->pos++;
	enum ce_err rc;
	char c;

	for (;;) {
		c = sc->s[sc->pos];
		if (c == '\0')
			return ce_fail(sc->err, CE_INVAL, "Subject: "
			    "unterminated quote at position %zu", open + 1);
		if (c == '"')
			break;
		if (c == '\\') {
			if ((rc = scan_escape(sc)) != CE_OK)
				return rc;
			continue;
		}
		sc->val[sc->len++] = c;
		sc->pos++;
	}
	sc->pos++;
	return CE_OK;
}

/*
 * Scans an unquoted value up to the next unescaped ',', ';', '+' or the
 * end.  Trailing spaces are dropped unless escaped; an unescaped quote
 * is an error.
 */
static enum ce_err
scan_plain(struct scan *sc)
{
	size_t keep = 0;
	enum ce_err rc;
	char c;

	while ((c = sc->s[sc->pos]) != '\0' &&
	    c != ',' && c != ';' && c != '+') {
		if (c == '\\') {
			if ((rc = scan_escape(sc)) != CE_OK)
				return rc;
			keep = sc->len;
			continue;
		}
		if (c == '"')
			return ce_fail(sc->err, CE_INVAL, "Subject: "
			    "unexpected quote at position %zu", sc->pos + 1);
		sc->val[sc->len++] = c;
		sc->pos++;
		if (c != ' ' && c != '\t')
			keep = sc->len;
	}
	sc->len = keep;
	return CE_OK;
}

/*
 * Scans one "name=value" into t and sc->val, and checks the value.
 * Returns CE_OK, CE_INVAL, or a fault from resolve_type().
 */
static enum ce_err
scan_attr(struct scan *sc, struct atype *t)
{
	enum ce_err rc;

	if ((rc = scan_type(sc, t)) != CE_OK)
		return rc;
	skip_ws(sc);
	sc->len = 0;
	if (sc->s[sc->pos] == '"')
		rc = scan_quoted(sc);
	else
		rc = scan_plain(sc);
	if (rc != CE_OK)
		return rc;
	return check_value(t, sc->val, sc->len, sc->err);
}

/*
 * Scans what follows a value: the end, or a separator and the start of
 * the next attribute.  *set becomes 0 for a new RDN (',' or ';') and -1
 * to join the previous one ('+'), as X509_NAME_add_entry wants.
 */
static enum ce_err
scan_separator(struct scan *sc, int *set)
{
	char c;

	skip_ws(sc);
	if ((c = sc->s[sc->pos]) == '\0')
		return CE_OK;
	if (c != ',' && c != ';' && c != '+')
		return ce_fail(sc->err, CE_INVAL, "Subject: expected ',' "
		    "or '+' at position %zu", sc->pos + 1);
	*set = c == '+' ? -1 : 0;
	sc->pos++;
	skip_ws(sc);
	if (sc->s[sc->pos] == '\0')
		return ce_fail(sc->err, CE_INVAL, "Subject: missing "
		    "attribute at position %zu", sc->pos + 1);
	return CE_OK;
}

/*
 * Parses s (see x500.h) into a new X509_NAME, entries in the order
 * written.  Returns CE_OK, CE_INVAL with a message for the client, or
 * CE_NOMEM / CE_CRYPTO (logged).
 */
enum ce_err
x500_parse(const char *s, X509_NAME **out, struct ce_error *err)
{
	X509_NAME *name = NULL;
	struct atype t;
	struct scan sc;
	enum ce_err rc;
	int set = 0;

	*out = NULL;
	memset(&t, 0, sizeof(t));
	memset(&sc, 0, sizeof(sc));
	sc.s = s != NULL ? s : "";
	sc.err = err;
	if ((sc.val = malloc(strlen(sc.s) + 1)) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "x500_parse: malloc");
		goto out;
	}
	if ((name = X509_NAME_new()) == NULL) {
		rc = ce_fault(err, CE_CRYPTO, "X509_NAME_new");
		goto out;
	}
	skip_ws(&sc);
	while (sc.s[sc.pos] != '\0') {
		if ((rc = scan_attr(&sc, &t)) != CE_OK)
			goto out;
		if (!X509_NAME_add_entry_by_OBJ(name, t.obj, MBSTRING_UTF8,
		    (unsigned char *)sc.val, (int)sc.len, -1, set)) {
			rc = ce_fault(err, CE_CRYPTO,
			    "X509_NAME_add_entry_by_OBJ(%s)", t.label);
			goto out;
		}
		atype_clear(&t);
		if ((rc = scan_separator(&sc, &set)) != CE_OK)
			goto out;
	}
	*out = name;
	name = NULL;
	rc = CE_OK;
out:
	atype_clear(&t);
	X509_NAME_free(name);
	free(sc.val);
	return rc;
}

/*
 * Copies the first commonName as UTF-8 into buf.  Returns CE_OK ("" when
 * there is none), or CE_INVAL when it does not fit, cannot be converted
 * or contains a NUL.
 */
enum ce_err
x500_common_name(const X509_NAME *name, char *buf, size_t bufsz)
{
	const X509_NAME_ENTRY *ne;
	unsigned char *utf8 = NULL;
	enum ce_err rc = CE_INVAL;
	int i, len;

	if (buf == NULL || bufsz == 0)
		return CE_INVAL;
	buf[0] = '\0';
	if (name == NULL ||
	    (i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0)
		return CE_OK;
	ne = X509_NAME_get_entry(name, i);
	if ((len = ASN1_STRING_to_UTF8(&utf8,
	    X509_NAME_ENTRY_get_data(ne))) < 0)
		goto out;
	if ((size_t)len >= bufsz || memchr(utf8, '\0', (size_t)len) != NULL)
		goto out;
	memcpy(buf, utf8, (size_t)len);
	buf[len] = '\0';
	rc = CE_OK;
out:
	OPENSSL_free(utf8);
	return rc;
}

/* Prints one "NAME=value" with our attribute names; returns 0 or -1. */
static int
print_entry(BIO *bio, const X509_NAME_ENTRY *ne)
{
	const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(ne);
	const struct attr *a;
	char oid[128];
	int n;

	if ((a = attr_by_nid(OBJ_obj2nid(obj))) != NULL) {
		if (BIO_puts(bio, a->name) <= 0)
			return -1;
	} else {
		n = OBJ_obj2txt(oid, sizeof(oid), obj, 1);
		if (n <= 0 || (size_t)n >= sizeof(oid) ||
		    BIO_puts(bio, oid) <= 0)
			return -1;
	}
	if (BIO_puts(bio, "=") <= 0 ||
	    ASN1_STRING_print_ex(bio, X509_NAME_ENTRY_get_data(ne),
	    VALUE_FLAGS) < 0)
		return -1;
	return 0;
}

/*
 * Formats name as "CN=a, O=b + UID=c": entries in order, ", " between
 * RDNs, " + " inside one, our attribute names (dotted OIDs for others)
 * so that x500_parse() reads it back.  Returns a string the caller frees
 * with free(), or NULL (logged) on failure.
 */
char *
x500_format(const X509_NAME *name)
{
	const X509_NAME_ENTRY *ne;
	BIO *bio = NULL;
	char *s = NULL, *p = NULL;
	long n;
	int i, set, prev = -1;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		ne = X509_NAME_get_entry(name, i);
		set = X509_NAME_ENTRY_set(ne);
		if (i > 0 && BIO_puts(bio, set == prev ? " + " : ", ") <= 0)
			goto out;
		prev = set;
		if (print_entry(bio, ne) == -1)
			goto out;
	}
	if ((n = BIO_get_mem_data(bio, &p)) < 0 ||
	    (s = malloc((size_t)n + 1)) == NULL)
		goto out;
	if (n > 0)
		memcpy(s, p, (size_t)n);
	s[n] = '\0';
out:
	if (s == NULL)
		log_ssl("x500_format failed");
	BIO_free(bio);
	return s;
}
