/*
 * certfacts.c - the part of the API's certificate object that comes from
 * the certificate alone: key, subject parts, key usage, signature, EKUs,
 * SANs (certfacts.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certfacts.h"
#include "san.h"

#define VALUE_MAX	1024	/* longest SAN, OU or e-mail shown */
#define OID_MAX		128

/*
 * Text of the first nid attribute of name as UTF-8 in buf; NULL when there
 * is none, or it does not fit, or holds a NUL.
 */
static const char *
name_text(const X509_NAME *name, int nid, char *buf, size_t bufsz)
{
	const X509_NAME_ENTRY *e;
	const ASN1_STRING *s;
	unsigned char *u = NULL;
	const char *res = NULL;
	int i, n;

	if ((i = X509_NAME_get_index_by_NID(name, nid, -1)) < 0 ||
	    (e = X509_NAME_get_entry(name, i)) == NULL ||
	    (s = X509_NAME_ENTRY_get_data(e)) == NULL ||
	    (n = ASN1_STRING_to_UTF8(&u, s)) < 0)
		return NULL;
	if ((size_t)n < bufsz && memchr(u, '\0', (size_t)n) == NULL) {
		memcpy(buf, u, (size_t)n);
		buf[n] = '\0';
		res = buf;
	}
	OPENSSL_free(u);
	return res;
}

/* Dotted text of an OID into buf; NULL when it does not fit. */
static const char *
oid_text(const ASN1_OBJECT *obj, char *buf, size_t bufsz)
{
	int n = OBJ_obj2txt(buf, (int)bufsz, obj, 1);

	return n > 0 && (size_t)n < bufsz ? buf : NULL;
}

/* ---- the key ----------------------------------------------------------- */

static const struct {
	int		 pkey_id;
	int		 api;		/* Keyfactor's KeyType number */
	const char	*name;
} key_types[] = {
	{ EVP_PKEY_RSA,		1, "RSA" },
	{ EVP_PKEY_RSA_PSS,	1, "RSA" },
	{ EVP_PKEY_DSA,		2, "DSA" },
	{ EVP_PKEY_EC,		3, "ECC" },
	{ EVP_PKEY_DH,		4, "DH" },
	{ EVP_PKEY_DHX,		4, "DH" },
	{ EVP_PKEY_ED25519,	5, "Ed25519" },
	{ EVP_PKEY_ED448,	6, "Ed448" },
};

/* The OID of an EC key's named curve into buf, or NULL. */
static const char *
curve_oid(EVP_PKEY *pk, char *buf, size_t bufsz)
{
	char name[80];
	const ASN1_OBJECT *obj;	/* OpenSSL's table entry: not freed */
	int nid;

	if (EVP_PKEY_get_group_name(pk, name, sizeof(name), NULL) != 1 ||
	    (nid = OBJ_txt2nid(name)) == NID_undef ||
	    (obj = OBJ_nid2obj(nid)) == NULL)
		return NULL;
	return oid_text(obj, buf, bufsz);
}

/* KeyType, KeyTypeString, KeySizeInBits, Curve from the public key. */
static void
add_key(struct jb *b, X509 *x, int64_t key_bits, const char *rec_curve)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	char oid[OID_MAX];
	const char *curve = NULL, *name = "Unknown";
	int id = pk != NULL ? EVP_PKEY_get_base_id(pk) : NID_undef, api = 0;
	int bits = pk != NULL ? EVP_PKEY_get_bits(pk) : 0;
	size_t i;

	for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		if (key_types[i].pkey_id == id) {
			api = key_types[i].api;
			name = key_types[i].name;
		}
	if (id == EVP_PKEY_ED25519)
		bits = 256;	/* EVP says 253, the group order's size */
	else if (id == EVP_PKEY_ED448)
		bits = 456;
	if (id == EVP_PKEY_EC &&
	    (curve = curve_oid(pk, oid, sizeof(oid))) == NULL)
		curve = rec_curve;
	jb_int(b, "KeySizeInBits", bits > 0 ? bits : key_bits);
	jb_int(b, "KeyType", api);
	jb_str(b, "KeyTypeString", name);
	jb_str(b, "Curve", curve);
}

/* ---- subject parts ----------------------------------------------------- */

static void
add_subject(struct jb *b, X509 *x)
{
	const X509_NAME *subj = X509_get_subject_name(x);
	char buf[VALUE_MAX];

	jb_str(b, "IssuedOU", name_text(subj, NID_organizationalUnitName, buf,
	    sizeof(buf)));
	jb_str(b, "IssuedEmail", name_text(subj, NID_pkcs9_emailAddress, buf,
	    sizeof(buf)));
}

/* ---- key usage, extended key usage, signature -------------------------- */

static const struct {
	const char	*name;
	uint32_t	 bit;
} ku_bits[] = {
	{ "CrlSign",		KU_CRL_SIGN },
	{ "DataEncipherment",	KU_DATA_ENCIPHERMENT },
	{ "DecipherOnly",	KU_DECIPHER_ONLY },
	{ "DigitalSignature",	KU_DIGITAL_SIGNATURE },
	{ "EncipherOnly",	KU_ENCIPHER_ONLY },
	{ "KeyAgreement",	KU_KEY_AGREEMENT },
	{ "KeyCertSign",	KU_KEY_CERT_SIGN },
	{ "KeyEncipherment",	KU_KEY_ENCIPHERMENT },
	{ "NonRepudiation",	KU_NON_REPUDIATION },
};

/* KeyUsage (the X509KeyUsageFlags number) and DetailedKeyUsage. */
static void
add_key_usage(struct jb *b, X509 *x)
{
	struct jb d;
	uint32_t ku = X509_get_key_usage(x);
	char hex[8];
	size_t i;

	if (ku == UINT32_MAX)		/* no keyUsage extension */
		ku = 0;
	ku &= 0xffff;
	jb_int(b, "KeyUsage", ku);
	jb_init(&d, json_object_new_object());
	for (i = 0; i < sizeof(ku_bits) / sizeof(ku_bits[0]); i++)
		jb_bool(&d, ku_bits[i].name, (ku & ku_bits[i].bit) != 0);
	if (ku > 0xff)
		snprintf(hex, sizeof(hex), "%02x %02x", ku & 0xff, ku >> 8);
	else
		snprintf(hex, sizeof(hex), "%02x", ku);
	jb_str(&d, "HexCode", hex);
	jb_take(b, "DetailedKeyUsage", &d);
}

/* The names Windows (and so Keyfactor) shows for common purposes. */
static const struct {
	const char	*oid;
	const char	*name;
} eku_names[] = {
	{ "1.3.6.1.5.5.7.3.1",		"Server Authentication" },
	{ "1.3.6.1.5.5.7.3.2",		"Client Authentication" },
	{ "1.3.6.1.5.5.7.3.3",		"Code Signing" },
	{ "1.3.6.1.5.5.7.3.4",		"Secure Email" },
	{ "1.3.6.1.5.5.7.3.5",		"IP security end system" },
	{ "1.3.6.1.5.5.7.3.6",	"IP security tunnel termination" },
	{ "1.3.6.1.5.5.7.3.7",		"IP security user" },
	{ "1.3.6.1.5.5.7.3.8",		"Time Stamping" },
	{ "1.3.6.1.5.5.7.3.9",		"OCSP Signing" },
	{ "1.3.6.1.4.1.311.20.2.2",	"Smart Card Logon" },
	{ "1.3.6.1.4.1.311.10.3.12",	"Document Signing" },
	{ "2.5.29.37.0",		"Any Purpose" },
};

const char *
certfacts_eku_name(const ASN1_OBJECT *obj, const char *oid)
{
	size_t i;
	int nid;

	for (i = 0; i < sizeof(eku_names) / sizeof(eku_names[0]); i++)
		if (strcmp(eku_names[i].oid, oid) == 0)
			return eku_names[i].name;
	if ((nid = OBJ_obj2nid(obj)) != NID_undef && OBJ_nid2ln(nid) != NULL)
		return OBJ_nid2ln(nid);
	return oid;
}

/* ExtendedKeyUsages: [{Id, Oid, DisplayName}] in the certificate's order. */
static void
add_eku(struct jb *b, X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	const ASN1_OBJECT *obj;
	json_object *arr = json_object_new_array();
	struct jb item;
	char oid[OID_MAX];
	int i, n = 0;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	for (i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++) {
		obj = sk_ASN1_OBJECT_value(eku, i);
		if (oid_text(obj, oid, sizeof(oid)) == NULL)
			continue;
		jb_init(&item, json_object_new_object());
		jb_int(&item, "Id", ++n);
		jb_str(&item, "Oid", oid);
		jb_str(&item, "DisplayName", certfacts_eku_name(obj, oid));
		if (item.bad) {
			json_object_put(item.o);
			b->bad = 1;
		} else
			jb_arr_add(arr, item.o, &b->bad);
	}
	EXTENDED_KEY_USAGE_free(eku);
	jb_add(b, "ExtendedKeyUsages", arr);
}

static const struct {
	int		 nid;
	const char	*name;
} sig_names[] = {
	{ NID_sha1WithRSAEncryption,	"sha1RSA" },
	{ NID_sha256WithRSAEncryption,	"sha256RSA" },
	{ NID_sha384WithRSAEncryption,	"sha384RSA" },
	{ NID_sha512WithRSAEncryption,	"sha512RSA" },
	{ NID_rsassaPss,		"RSASSA-PSS" },
	{ NID_ecdsa_with_SHA1,		"sha1ECDSA" },
	{ NID_ecdsa_with_SHA256,	"sha256ECDSA" },
	{ NID_ecdsa_with_SHA384,	"sha384ECDSA" },
	{ NID_ecdsa_with_SHA512,	"sha512ECDSA" },
	{ NID_ED25519,			"Ed25519" },
	{ NID_ED448,			"Ed448" },
};

/* SigningAlgorithm: Windows' name, else OpenSSL's long name or the OID. */
static void
add_signature(struct jb *b, X509 *x)
{
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	char oid[OID_MAX];
	const char *name = NULL;
	int nid = X509_get_signature_nid(x);
	size_t i;

	for (i = 0; i < sizeof(sig_names) / sizeof(sig_names[0]); i++)
		if (sig_names[i].nid == nid)
			name = sig_names[i].name;
	if (name == NULL && nid != NID_undef)
		name = OBJ_nid2ln(nid);
	if (name == NULL) {
		X509_get0_signature(NULL, &alg, x);
		if (alg != NULL)
			X509_ALGOR_get0(&obj, NULL, NULL, alg);
		if (obj != NULL)
			name = oid_text(obj, oid, sizeof(oid));
	}
	jb_str(b, "SigningAlgorithm", name);
}

/* ---- subject alternative names ----------------------------------------- */

/* SubjectAltNameElements: [{Id, Value, Type, ValueHash:null}]. */
static void
add_sans(struct jb *b, X509 *x)
{
	GENERAL_NAMES *gens;
	json_object *arr = json_object_new_array();
	struct jb item;
	char buf[VALUE_MAX];
	int i, type, n = 0;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		type = san_describe(sk_GENERAL_NAME_value(gens, i), buf,
		    sizeof(buf));
		if (type < 0)
			continue;
		jb_init(&item, json_object_new_object());
		jb_int(&item, "Id", ++n);
		jb_str(&item, "Value", buf);
		jb_int(&item, "Type", type);
		jb_null(&item, "ValueHash");
		if (item.bad) {
			json_object_put(item.o);
			b->bad = 1;
		} else
			jb_arr_add(arr, item.o, &b->bad);
	}
	GENERAL_NAMES_free(gens);
	jb_add(b, "SubjectAltNameElements", arr);
}

/* The fields that come from the certificate itself, in the answer's order;
 * key_bits and curve (0, NULL: none) fill in what the certificate does not
 * say. */
void
certfacts_add(struct jb *b, X509 *x, int64_t key_bits, const char *curve)
{
	add_key(b, x, key_bits, curve);
	add_subject(b, x);
	add_key_usage(b, x);
	add_signature(b, x);
	add_eku(b, x);
	add_sans(b, x);
}

json_object *
certfacts_json(X509 *x)
{
	struct ce_error err;
	json_object *o = NULL;
	struct jb b;

	jb_init(&b, json_object_new_object());
	certfacts_add(&b, x, 0, NULL);
	if (jb_end(&b, &o, &err) != CE_OK)
		return NULL;
	return o;
}

