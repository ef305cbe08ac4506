/*
 * certview.c - the API objects of certificates and certificate stores, and
 * the lookups behind the read endpoints (see certview.h).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certdb.h"
#include "certstore.h"
#include "certview.h"
#include "pemutil.h"
#include "request.h"
#include "san.h"
#include "store.h"
#include "stores.h"
#include "timeutil.h"

#define VALUE_MAX	1024	/* longest SAN, OU or e-mail shown */
#define OID_MAX		128

/*
 * An object being filled.  A failed allocation only sets bad, so that a
 * builder reads as a list of fields; jb_end() reports it once.
 */
struct jb {
	json_object	*o;
	int		 bad;
};

static void
jb_init(struct jb *b, json_object *o)
{
	b->o = o;
	b->bad = o == NULL;
}

/* Adds v (owned; NULL means its allocation failed) under k. */
static void
jb_add(struct jb *b, const char *k, json_object *v)
{
	if (v == NULL || b->o == NULL ||
	    json_object_object_add(b->o, k, v) != 0) {
		json_object_put(v);
		b->bad = 1;
	}
}

static void
jb_null(struct jb *b, const char *k)
{
	if (b->o == NULL || json_object_object_add(b->o, k, NULL) != 0)
		b->bad = 1;
}

/* A string, or null when s is NULL. */
static void
jb_str(struct jb *b, const char *k, const char *s)
{
	if (s == NULL)
		jb_null(b, k);
	else
		jb_add(b, k, json_object_new_string(s));
}

static void
jb_int(struct jb *b, const char *k, int64_t n)
{
	jb_add(b, k, json_object_new_int64(n));
}

static void
jb_bool(struct jb *b, const char *k, int v)
{
	jb_add(b, k, json_object_new_boolean(v != 0));
}

/* RFC 3339 with Z; null for a time gmtime cannot show. */
static void
jb_date(struct jb *b, const char *k, int64_t t)
{
	char buf[CE_TIME_BUFSZ];

	time_format((time_t)t, buf);
	jb_str(b, k, buf[0] != '\0' ? buf : NULL);
}

/* Moves the finished child object under k. */
static void
jb_take(struct jb *b, const char *k, struct jb *child)
{
	if (child->bad) {
		json_object_put(child->o);
		b->bad = 1;
	} else
		jb_add(b, k, child->o);
	child->o = NULL;
}

/* Hands the object out, or frees it and reports the allocation failure. */
static enum ce_err
jb_end(struct jb *b, json_object **out, struct ce_error *err)
{
	*out = NULL;
	if (b->bad) {
		json_object_put(b->o);
		b->o = NULL;
		return ce_fault(err, CE_NOMEM, "building the answer");
	}
	*out = b->o;
	b->o = NULL;
	return CE_OK;
}

/* Appends v (owned; NULL = failed allocation) to array a. */
static void
arr_add(json_object *a, json_object *v, int *bad)
{
	if (v == NULL || a == NULL || json_object_array_add(a, v) != 0) {
		json_object_put(v);
		*bad = 1;
	}
}

static const char *
rec_str(json_object *rec, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(rec, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int64_t
rec_int(json_object *rec, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(rec, k, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v);
}

static int
rec_bool(json_object *rec, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(rec, k, &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
}

/* "" is shown as null: the API's nullable strings. */
static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

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

/* ---- the certificate's identity and state ------------------------------ */

/* Id, names, dates, state: all from the record. */
static void
add_identity(struct jb *b, json_object *rec)
{
	int revoked = rec_str(rec, "state") != NULL &&
	    strcmp(rec_str(rec, "state"), "revoked") == 0;

	jb_int(b, "Id", rec_int(rec, "id"));
	jb_str(b, "Thumbprint", rec_str(rec, "thumbprint"));
	jb_str(b, "SerialNumber", rec_str(rec, "serial"));
	jb_str(b, "IssuedDN", nonempty(rec_str(rec, "subject")));
	jb_str(b, "IssuedCN", nonempty(rec_str(rec, "cn")));
	jb_date(b, "ImportDate", rec_int(rec, "import_date"));
	jb_date(b, "NotBefore", rec_int(rec, "not_before"));
	jb_date(b, "NotAfter", rec_int(rec, "not_after"));
	jb_str(b, "IssuerDN", nonempty(rec_str(rec, "issuer")));
	jb_null(b, "PrincipalId");
	jb_int(b, "TemplateId", 0);
	jb_int(b, "CertState", revoked ? 2 : 1);
	jb_str(b, "CertStateString", revoked ? "Revoked" : "Active");
	jb_null(b, "RevocationEffDate");
	jb_null(b, "RevocationReason");
	jb_null(b, "RevocationComment");
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
add_key(struct jb *b, X509 *x, json_object *rec)
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
		curve = rec_str(rec, "curve");
	jb_int(b, "KeySizeInBits", bits > 0 ? bits : rec_int(rec, "key_bits"));
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

static const char *
eku_display(const ASN1_OBJECT *obj, const char *oid)
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
		jb_str(&item, "DisplayName", eku_display(obj, oid));
		if (item.bad) {
			json_object_put(item.o);
			b->bad = 1;
		} else
			arr_add(arr, item.o, &b->bad);
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
			arr_add(arr, item.o, &b->bad);
	}
	GENERAL_NAMES_free(gens);
	jb_add(b, "SubjectAltNameElements", arr);
}

/* ---- where it came from ------------------------------------------------ */

/* The CA's record id (0 when the CA is no longer known). */
static enum ce_err
ca_id(struct ce_txn *txn, const char *name, int64_t *id, struct ce_error *err)
{
	json_object *ca = NULL;
	enum ce_err rc;

	*id = 0;
	if (name == NULL)
		return CE_OK;
	rc = db_get(txn, T_CAS, name, &ca, err);
	if (rc == CE_NOTFOUND) {
		ce_error_clear(err);
		return CE_OK;
	}
	if (rc == CE_OK)
		*id = rec_int(ca, "id");
	json_object_put(ca);
	return rc;
}

/* CA, template, requester, request, key archive and the certificate bytes. */
static enum ce_err
add_origin(struct ce_txn *txn, struct jb *b, json_object *rec,
    struct ce_error *err)
{
	int64_t caid;
	enum ce_err rc;
	int key = rec_bool(rec, "has_private_key");

	if ((rc = ca_id(txn, rec_str(rec, "ca"), &caid, err)) != CE_OK)
		return rc;
	jb_int(b, "CertificateAuthorityId", caid);
	jb_str(b, "CertificateAuthorityName", rec_str(rec, "ca"));
	jb_str(b, "TemplateName", rec_str(rec, "template"));
	jb_int(b, "RequesterId", 0);
	jb_str(b, "RequesterName", rec_str(rec, "requester"));
	jb_int(b, "CertRequestId", rec_int(rec, "request_id"));
	jb_null(b, "PrincipalName");
	jb_bool(b, "ArchivedKey", 0);
	jb_bool(b, "HasPrivateKey", key);
	jb_bool(b, "KeyRecoverable", key);
	jb_str(b, "ContentBytes", rec_str(rec, "der"));
	jb_add(b, "CRLDistributionPoints", json_object_new_array());
	jb_add(b, "SSLLocations", json_object_new_array());
	jb_int(b, "CertificateKeyId", 0);
	jb_int(b, "CARowIndex", 0);
	jb_str(b, "CARecordId", "");
	return CE_OK;
}

/* ---- locations and metadata -------------------------------------------- */

/* Keyfactor's store type number of a store record, or -1. */
static int
store_type_id(json_object *store)
{
	const char *t = rec_str(store, "store_type");
	int type = t != NULL ? certstore_type_parse(t) : -1;

	return type >= 0 ? certstore_type_id((enum certstore_type)type) : -1;
}

/* Counts one more location of store type name in counts [{Type,Count}]. */
static void
count_type(json_object *counts, const char *name, int *bad)
{
	json_object *e, *v;
	struct jb item;
	size_t i;

	for (i = 0; i < json_arr_len(counts); i++) {
		e = json_object_array_get_idx(counts, i);
		if (json_object_object_get_ex(e, "Count", &v) &&
		    rec_str(e, "Type") != NULL &&
		    strcmp(rec_str(e, "Type"), name) == 0) {
			if (json_object_int_inc(v, 1) != 1)
				*bad = 1;
			return;
		}
	}
	jb_init(&item, json_object_new_object());
	jb_str(&item, "Type", name);
	jb_int(&item, "Count", 1);
	if (item.bad) {
		json_object_put(item.o);
		*bad = 1;
	} else
		arr_add(counts, item.o, bad);
}

/* One Locations[] item: location loc in store. */
static json_object *
location_item(json_object *loc, json_object *store)
{
	struct jb item;

	jb_init(&item, json_object_new_object());
	jb_str(&item, "StoreMachine", rec_str(store, "client_machine"));
	jb_str(&item, "StorePath", rec_str(store, "store_path"));
	jb_int(&item, "StoreType", store_type_id(store));
	jb_str(&item, "Alias", rec_str(loc, "alias"));
	jb_int(&item, "ChainLevel", 0);
	jb_str(&item, "CertStoreId", rec_str(store, "id"));
	if (item.bad) {
		json_object_put(item.o);
		return NULL;
	}
	return item.o;
}

/*
 * LocationsCount (always) and Locations (with includeLocations) from the
 * certificate's locations; a location whose store was removed is left out.
 */
static enum ce_err
add_locations(struct ce_txn *txn, struct jb *b, int64_t cert_id,
    const struct certview_opts *opts, struct ce_error *err)
{
	json_object *locs = NULL, *store = NULL, *loc, *counts, *list;
	const char *sid;
	struct ce_error scratch;
	enum ce_err rc;
	size_t i;

	counts = json_object_new_array();
	list = json_object_new_array();
	if ((rc = locations_get(txn, cert_id, &locs, err)) != CE_OK)
		goto out;
	for (i = 0; i < json_arr_len(locs); i++) {
		loc = json_object_array_get_idx(locs, i);
		if ((sid = rec_str(loc, "store_id")) == NULL)
			continue;
		ce_error_clear(&scratch);
		rc = store_get(txn, sid, &store, &scratch);
		if (rc == CE_NOTFOUND || rc == CE_INVAL)
			continue;
		if (rc != CE_OK) {
			*err = scratch;
			goto out;
		}
		count_type(counts, rec_str(store, "store_type") != NULL ?
		    rec_str(store, "store_type") : "", &b->bad);
		if (opts->locations)
			arr_add(list, location_item(loc, store), &b->bad);
		json_object_put(store);
		store = NULL;
	}
	rc = CE_OK;
out:
	if (rc == CE_OK) {
		jb_add(b, "LocationsCount", counts);
		jb_add(b, "Locations", list);
	} else {
		json_object_put(counts);
		json_object_put(list);
	}
	json_object_put(store);
	json_object_put(locs);
	return rc;
}

/* Metadata: the record's string map with includeMetadata, else {}. */
static void
add_metadata(struct jb *b, json_object *rec, const struct certview_opts *opts)
{
	json_object *md = NULL;
	struct jb m;

	jb_init(&m, json_object_new_object());
	if (opts->metadata && json_object_object_get_ex(rec, "metadata", &md) &&
	    json_object_is_type(md, json_type_object)) {
		json_object_object_foreach(md, k, v) {
			if (v != NULL)
				jb_str(&m, k, json_object_get_string(v));
		}
	}
	jb_take(b, "Metadata", &m);
}

/* The fields that come from the certificate itself, in the answer's order;
 * rec (may be NULL) fills in what the certificate does not say. */
static void
add_cert_facts(struct jb *b, X509 *x, json_object *rec)
{
	add_key(b, x, rec);
	add_subject(b, x);
	add_key_usage(b, x);
	add_signature(b, x);
	add_eku(b, x);
	add_sans(b, x);
}

json_object *
certview_facts(X509 *x)
{
	struct ce_error err;
	json_object *o = NULL;
	struct jb b;

	jb_init(&b, json_object_new_object());
	add_cert_facts(&b, x, NULL);
	if (jb_end(&b, &o, &err) != CE_OK)
		return NULL;
	return o;
}

/*
 * Builds the ModelsCertificateRetrievalResponse of rec: identity from the
 * record, key and extensions from the record's view of the certificate
 * (certview_facts, stored at issuance; parsing the certificate costs more
 * than the rest of a GET together), locations and the CA's id from txn.
 */
enum ce_err
certview_json(struct ce_txn *txn, json_object *rec,
    const struct certview_opts *opts, json_object **out, struct ce_error *err)
{
	struct jb b;
	json_object *facts;
	X509 *x = NULL;
	enum ce_err rc;

	*out = NULL;
	jb_init(&b, NULL);
	if (!json_object_object_get_ex(rec, "view", &facts) ||
	    !json_object_is_type(facts, json_type_object)) {
		facts = NULL;	/* a record from before views: parse */
		if ((x = certdb_x509(rec)) == NULL) {
			rc = ce_fault(err, CE_DB, "certificate record %lld "
			    "holds no readable certificate",
			    (long long)rec_int(rec, "id"));
			goto out;
		}
	}
	jb_init(&b, json_object_new_object());
	add_identity(&b, rec);
	if (facts != NULL) {
		json_object_object_foreach(facts, k, v) {
			if (v == NULL)
				jb_null(&b, k);
			else
				jb_add(&b, k, json_object_get(v));
		}
	} else
		add_cert_facts(&b, x, rec);
	if ((rc = add_origin(txn, &b, rec, err)) != CE_OK ||
	    (rc = add_locations(txn, &b, rec_int(rec, "id"), opts,
	    err)) != CE_OK)
		goto out;
	add_metadata(&b, rec, opts);
	rc = jb_end(&b, out, err);
out:
	json_object_put(b.o);
	X509_free(x);
	return rc;
}

/*
 * Reads certificate id (path text) and builds its view: CE_INVAL for a
 * malformed id, CE_NOTFOUND naming it.
 */
enum ce_err
certview_get(struct ce_db *db, const char *id,
    const struct certview_opts *opts, json_object **out, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	json_object *rec = NULL;
	int64_t n;
	enum ce_err rc;

	*out = NULL;
	if ((rc = query_id(id, "Id", &n, err)) != CE_OK ||
	    (rc = db_begin(db, 0, &txn, err)) != CE_OK)
		goto out;
	if ((rc = certdb_get(txn, n, &rec, err)) != CE_OK)
		goto out;
	rc = certview_json(txn, rec, opts, out, err);
out:
	db_abort(txn);
	json_object_put(rec);
	return rc;
}

/* ---- queries ----------------------------------------------------------- */

/*
 * A serial number as the index files it: upper-case hex without leading
 * zeros, padded to whole octets ("0A12"), as BN_bn2hex writes it.  Returns
 * -1 for text that is not hex or too long.
 */
static int
serial_canon(const char *s, char *buf, size_t bufsz)
{
	size_t n, i, o = 0;

	if (s == NULL)
		return -1;
	while (*s == '0')
		s++;
	n = strlen(s);
	if (n + 3 > bufsz)
		return -1;
	if (n == 0 || n % 2 == 1)
		buf[o++] = '0';
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		buf[o++] = (char)toupper((unsigned char)s[i]);
	}
	if (n == 0)
		o = 1;		/* zero is "0" */
	buf[o] = '\0';
	return 0;
}

/* Whether record rec satisfies term t. */
static int
term_matches(const struct query_term *t, json_object *rec)
{
	char a[80], b[80];
	const char *s;

	switch (t->field) {
	case QF_ID:
		return rec_int(rec, "id") == t->num;
	case QF_CERTREQUESTID:
		return rec_int(rec, "request_id") == t->num;
	case QF_THUMBPRINT:
		s = rec_str(rec, "thumbprint");
		return s != NULL && strcasecmp(s, t->text) == 0;
	case QF_ISSUEDCN:
		s = rec_str(rec, "cn");
		return strcasecmp(s != NULL ? s : "", t->text) == 0;
	case QF_SERIALNUMBER:
		return serial_canon(rec_str(rec, "serial"), a,
		    sizeof(a)) == 0 && serial_canon(t->text, b,
		    sizeof(b)) == 0 && strcmp(a, b) == 0;
	default:
		return 0;
	}
}

static int
query_matches(const struct query *q, json_object *rec)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (!term_matches(&q->terms[i], rec))
			return 0;
	return 1;
}

/* A query being answered: the page still to skip and to fill. */
struct finder {
	struct ce_txn			*txn;
	const struct query		*q;
	const struct certview_opts	*opts;
	int64_t				 skip;
	int64_t				 left;
	json_object			*arr;
	enum ce_err			 rc;
	struct ce_error			*err;
};

/*
 * Takes a matching record: counts it off while the page has not begun,
 * else adds its view.  Returns 1 when the page is full or on failure.
 */
static int
finder_take(struct finder *f, json_object *rec)
{
	json_object *view = NULL;

	if (f->skip > 0) {
		f->skip--;
		return 0;
	}
	f->rc = certview_json(f->txn, rec, f->opts, &view, f->err);
	if (f->rc != CE_OK)
		return 1;
	if (json_object_array_add(f->arr, view) != 0) {
		json_object_put(view);
		f->rc = ce_fault(f->err, CE_NOMEM, "json array");
		return 1;
	}
	return --f->left <= 0;
}

static int
scan_visit(const char *key, json_object *val, void *arg)
{
	struct finder *f = arg;

	(void)key;
	return query_matches(f->q, val) ? finder_take(f, val) : 0;
}

/* Reads {"id": n} of an index; 0 when absent. */
static enum ce_err
lookup_id(struct ce_txn *txn, enum db_table t, const char *key,
    const char *field, int64_t *id, struct ce_error *err)
{
	json_object *rec = NULL;
	enum ce_err rc;

	*id = 0;
	rc = db_get(txn, t, key, &rec, err);
	if (rc == CE_NOTFOUND) {
		ce_error_clear(err);
		return CE_OK;
	}
	if (rc == CE_OK)
		*id = rec_int(rec, field);
	json_object_put(rec);
	return rc;
}

/*
 * The one certificate an indexed term can point at: *indexed is 0 when no
 * term is indexed (the caller scans), else *id is the candidate (0: none).
 */
static enum ce_err
candidate(struct ce_txn *txn, const struct query *q, int *indexed,
    int64_t *id, struct ce_error *err)
{
	const struct query_term *t;
	char serial[80];
	enum ce_err rc;
	size_t i;

	*indexed = 1;
	*id = 0;
	for (i = 0; i < q->n; i++) {
		t = &q->terms[i];
		switch (t->field) {
		case QF_ID:
			*id = t->num;
			return CE_OK;
		case QF_THUMBPRINT:
			/* Text that is no thumbprint matches nothing. */
			if (!thumbprint_valid(t->text))
				return CE_OK;
			rc = certdb_find_thumbprint(txn, t->text, id, err);
			if (rc == CE_NOTFOUND) {
				ce_error_clear(err);
				*id = 0;
				rc = CE_OK;
			}
			return rc;
		case QF_CERTREQUESTID:
			rc = request_cert_id(txn, t->num, id, err);
			if (rc == CE_NOTFOUND) {
				ce_error_clear(err);
				rc = CE_OK;
			}
			return rc;
		case QF_SERIALNUMBER:
			if (serial_canon(t->text, serial, sizeof(serial)) != 0)
				return CE_OK;
			return lookup_id(txn, T_BY_SERIAL, serial, "id", id,
			    err);
		default:
			break;
		}
	}
	*indexed = 0;
	return CE_OK;
}

/* Answers f's query in f->txn: through an index when a term allows. */
static enum ce_err
find_in(struct finder *f)
{
	json_object *rec = NULL;
	int64_t id;
	int indexed;
	enum ce_err rc;

	if ((rc = candidate(f->txn, f->q, &indexed, &id, f->err)) != CE_OK)
		return rc;
	if (!indexed) {
		if ((rc = db_foreach(f->txn, T_CERTS, scan_visit, f,
		    f->err)) != CE_OK)
			return rc;
		return f->rc;
	}
	if (id <= 0)
		return CE_OK;
	rc = certdb_get(f->txn, id, &rec, f->err);
	if (rc == CE_NOTFOUND) {
		ce_error_clear(f->err);
		return CE_OK;
	}
	if (rc == CE_OK && query_matches(f->q, rec))
		(void)finder_take(f, rec);
	json_object_put(rec);
	return rc != CE_OK ? rc : f->rc;
}

enum ce_err
certview_find(struct ce_db *db, const struct query *q, const struct paging *pg,
    const struct certview_opts *opts, json_object **out, struct ce_error *err)
{
	struct finder f;
	enum ce_err rc;

	*out = NULL;
	memset(&f, 0, sizeof(f));
	f.q = q;
	f.opts = opts;
	f.skip = query_offset(pg);
	f.left = pg->limit;
	f.err = err;
	f.rc = CE_OK;
	if ((f.arr = json_object_new_array()) == NULL)
		return ce_fault(err, CE_NOMEM, "json array");
	if ((rc = db_begin(db, 0, &f.txn, err)) != CE_OK)
		goto out;
	rc = find_in(&f);
out:
	db_abort(f.txn);
	if (rc == CE_OK)
		*out = f.arr;
	else
		json_object_put(f.arr);
	return rc;
}

/* ---- certificate stores ------------------------------------------------ */

/* Properties as GOCLI reads it: the JSON text of a flat string map. */
static json_object *
properties_text(json_object *rec)
{
	json_object *props = NULL, *res = NULL;
	const char *s;
	struct jb p;

	jb_init(&p, json_object_new_object());
	if (json_object_object_get_ex(rec, "properties", &props) &&
	    json_object_is_type(props, json_type_object)) {
		json_object_object_foreach(props, k, v) {
			if (v != NULL)
				jb_str(&p, k, json_object_get_string(v));
		}
	}
	if (!p.bad && (s = json_object_to_json_string_ext(p.o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) != NULL)
		res = json_object_new_string(s);
	json_object_put(p.o);
	return res;
}

/* DisplayName: "<ClientMachine> - <StorePath>". */
static json_object *
display_name(json_object *rec)
{
	const char *m = rec_str(rec, "client_machine");
	const char *p = rec_str(rec, "store_path");
	json_object *res;
	char *s = NULL;

	if (asprintf(&s, "%s - %s", m != NULL ? m : "", p != NULL ? p : "") < 0)
		return NULL;
	res = json_object_new_string(s);
	free(s);
	return res;
}

enum ce_err
storeview_json(json_object *rec, json_object **out, struct ce_error *err)
{
	struct jb b;
	json_object *v;
	int type = store_type_id(rec);

	*out = NULL;
	if (rec_str(rec, "id") == NULL || type < 0)
		return ce_fault(err, CE_DB, "store record %s is malformed",
		    rec_str(rec, "id") != NULL ? rec_str(rec, "id") :
		    "(no id)");
	jb_init(&b, json_object_new_object());
	jb_str(&b, "Id", rec_str(rec, "id"));
	if (json_object_object_get_ex(rec, "container_id", &v) &&
	    json_object_is_type(v, json_type_int))
		jb_int(&b, "ContainerId", json_object_get_int64(v));
	else
		jb_null(&b, "ContainerId");
	jb_add(&b, "DisplayName", display_name(rec));
	jb_str(&b, "ClientMachine", rec_str(rec, "client_machine"));
	jb_str(&b, "Storepath", rec_str(rec, "store_path"));
	jb_null(&b, "CertStoreInventoryJobId");
	jb_int(&b, "CertStoreType", type);
	jb_bool(&b, "Approved", 1);
	jb_bool(&b, "CreateIfMissing", rec_bool(rec, "create_if_missing"));
	jb_add(&b, "Properties", properties_text(rec));
	jb_null(&b, "AgentId");
	jb_bool(&b, "AgentAssigned", 1);
	jb_str(&b, "ContainerName", rec_str(rec, "container_name"));
	jb_add(&b, "InventorySchedule", json_object_new_object());
	jb_add(&b, "ReenrollmentStatus", json_object_new_object());
	jb_bool(&b, "SetNewPasswordAllowed", 0);
	jb_add(&b, "Password", json_object_new_object());
	return jb_end(&b, out, err);
}

enum ce_err
storeview_get(struct ce_db *db, const char *guid, json_object **out,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	json_object *rec = NULL;
	enum ce_err rc;

	*out = NULL;
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		goto out;
	/* CE_INVAL for a malformed GUID, CE_NOTFOUND naming it. */
	if ((rc = store_get(txn, guid, &rec, err)) != CE_OK)
		goto out;
	rc = storeview_json(rec, out, err);
out:
	db_abort(txn);
	json_object_put(rec);
	return rc;
}

/* A store listing being filled (the same paging as finder). */
struct lister {
	int64_t		 skip;
	int64_t		 left;
	json_object	*arr;
	enum ce_err	 rc;
	struct ce_error	*err;
};

static int
store_visit(const char *key, json_object *val, void *arg)
{
	struct lister *l = arg;
	json_object *view = NULL;

	(void)key;
	if (l->skip > 0) {
		l->skip--;
		return 0;
	}
	if ((l->rc = storeview_json(val, &view, l->err)) != CE_OK)
		return 1;
	if (json_object_array_add(l->arr, view) != 0) {
		json_object_put(view);
		l->rc = ce_fault(l->err, CE_NOMEM, "json array");
		return 1;
	}
	return --l->left <= 0;
}

enum ce_err
storeview_list(struct ce_db *db, const struct paging *pg, json_object **out,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct lister l;
	enum ce_err rc;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.skip = query_offset(pg);
	l.left = pg->limit;
	l.err = err;
	if ((l.arr = json_object_new_array()) == NULL)
		return ce_fault(err, CE_NOMEM, "json array");
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK ||
	    (rc = db_foreach(txn, T_STORES, store_visit, &l, err)) != CE_OK)
		goto out;
	rc = l.rc;
out:
	db_abort(txn);
	if (rc == CE_OK)
		*out = l.arr;
	else
		json_object_put(l.arr);
	return rc;
}
