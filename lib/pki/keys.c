/*
 * keys.c - subscriber key specifications (from the request's KeyType,
 * KeyLength and Curve, or from a policy word) and key generation.
 *
 * Everything the API accepts is in three tables below: key type words, RSA
 * sizes and curves.  A word that is not in a table is rejected, naming the
 * field and what is accepted; nothing is guessed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>

#include "keys.h"
#include "rsa_fast.h"

#define RSA_SIZES	"2048, 3072, 4096, 8192"
#define ECC_SIZES	"256, 384, 521"
#define CURVE_LIST	"1.2.840.10045.3.1.7 P-256, 1.3.132.0.34 P-384, " \
			"1.3.132.0.35 P-521"
#define TYPE_LIST	"RSA, ECC, Ed25519, Ed448"
#define WORD_LIST	"RSA-2048, RSA-3072, RSA-4096, RSA-8192, ECC-P-256, " \
			"ECC-P-384, ECC-P-521, Ed25519, Ed448"

static const char *const type_names[KEY__MAX] = {
	[KEY_RSA]	= "RSA",
	[KEY_ECC]	= "ECC",
	[KEY_ED25519]	= "Ed25519",
	[KEY_ED448]	= "Ed448",
};

/* KeyType words as clients send them; matched case-insensitively. */
static const struct {
	const char	*word;
	enum key_type	 type;
} type_words[] = {
	{ "RSA",	KEY_RSA },
	{ "ECC",	KEY_ECC },
	{ "EC",		KEY_ECC },
	{ "ECDSA",	KEY_ECC },
	{ "Ed25519",	KEY_ED25519 },
	{ "Ed448",	KEY_ED448 },
};

/* OpenSSL's algorithm names for generation and key_spec_of(). */
static const char *const ossl_names[KEY__MAX] = {
	[KEY_RSA]	= "RSA",
	[KEY_ECC]	= "EC",
	[KEY_ED25519]	= "ED25519",
	[KEY_ED448]	= "ED448",
};

static const int rsa_sizes[] = { 2048, 3072, 4096, 8192 };

#define CURVE_ALIASES	3

/* The supported curves: API name, Keyfactor's OID and other names in use. */
static const struct curve {
	int		 nid;
	int		 bits;
	const char	*name;
	const char	*oid;
	const char	*alias[CURVE_ALIASES];
} curves[] = {
	{ NID_X9_62_prime256v1, 256, "P-256", "1.2.840.10045.3.1.7",
	    { "prime256v1", "secp256r1", NULL } },
	{ NID_secp384r1, 384, "P-384", "1.3.132.0.34",
	    { "secp384r1", NULL, NULL } },
	{ NID_secp521r1, 521, "P-521", "1.3.132.0.35",
	    { "secp521r1", NULL, NULL } },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const char *
key_type_name(enum key_type t)
{
	if ((int)t < 0 || t >= KEY__MAX)
		return NULL;
	return type_names[t];
}

static const struct curve *
curve_by_nid(int nid)
{
	size_t i;

	for (i = 0; i < NELEM(curves); i++)
		if (curves[i].nid == nid)
			return &curves[i];
	return NULL;
}

static const struct curve *
curve_by_bits(long bits)
{
	size_t i;

	for (i = 0; i < NELEM(curves); i++)
		if (curves[i].bits == bits)
			return &curves[i];
	return NULL;
}

/* Finds a curve by OID, API name or alias (names case-insensitively). */
static const struct curve *
curve_by_word(const char *s)
{
	size_t i, j;

	for (i = 0; i < NELEM(curves); i++) {
		if (strcmp(s, curves[i].oid) == 0 ||
		    strcasecmp(s, curves[i].name) == 0)
			return &curves[i];
		for (j = 0; j < CURVE_ALIASES; j++)
			if (curves[i].alias[j] != NULL &&
			    strcasecmp(s, curves[i].alias[j]) == 0)
				return &curves[i];
	}
	return NULL;
}

const char *
key_curve_name(int nid)
{
	const struct curve *c = curve_by_nid(nid);

	return c != NULL ? c->name : NULL;
}

const char *
key_curve_oid(int nid)
{
	const struct curve *c = curve_by_nid(nid);

	return c != NULL ? c->oid : NULL;
}

static int
rsa_size_ok(long bits)
{
	size_t i;

	for (i = 0; i < NELEM(rsa_sizes); i++)
		if (rsa_sizes[i] == bits)
			return 1;
	return 0;
}

/* Maps a KeyType word; returns 0 when it names no supported type. */
static int
type_by_word(const char *s, enum key_type *out)
{
	size_t i;

	for (i = 0; i < NELEM(type_words); i++)
		if (strcasecmp(s, type_words[i].word) == 0) {
			*out = type_words[i].type;
			return 1;
		}
	return 0;
}

static void
spec_set(struct key_spec *out, enum key_type t, int bits, int nid)
{
	out->type = t;
	out->bits = bits;
	out->nid = nid;
}

static int
present(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static enum ce_err
spec_rsa(int has_length, long length, struct key_spec *out,
    struct ce_error *err)
{
	if (!has_length)
		length = 2048;
	if (!rsa_size_ok(length))
		return ce_fail(err, CE_INVAL, "KeyLength: %ld is not a valid "
		    "RSA key size (" RSA_SIZES ")", length);
	spec_set(out, KEY_RSA, (int)length, 0);
	return CE_OK;
}

/*
 * ECC: the curve comes from Curve, else from KeyLength, else P-256.  When
 * both are sent they must agree.
 */
static enum ce_err
spec_ecc(int has_length, long length, const char *curve,
    struct key_spec *out, struct ce_error *err)
{
	const struct curve *c;

	if (present(curve)) {
		if ((c = curve_by_word(curve)) == NULL)
			return ce_fail(err, CE_INVAL, "Curve: '%.64s' is not a "
			    "supported curve (" CURVE_LIST ")", curve);
		if (has_length && length != c->bits)
			return ce_fail(err, CE_INVAL, "KeyLength: %ld does not "
			    "match Curve %s (%d bits)", length, c->name,
			    c->bits);
	} else if (has_length) {
		if ((c = curve_by_bits(length)) == NULL)
			return ce_fail(err, CE_INVAL, "KeyLength: %ld is not a "
			    "valid ECC key size (" ECC_SIZES ")", length);
	} else
		c = curve_by_nid(NID_X9_62_prime256v1);
	spec_set(out, KEY_ECC, c->bits, c->nid);
	return CE_OK;
}

/*
 * Builds a spec from KeyType, KeyLength and Curve.  Absent, null and empty
 * strings are the same; KeyLength 0 counts as absent, since typed clients
 * send 0 for a length they did not set.  Curve with a type other than ECC,
 * or a length with Ed25519/Ed448, is rejected rather than ignored.
 */
enum ce_err
key_spec_from_request(const char *keytype, int has_length, long length,
    const char *curve, struct key_spec *out, struct ce_error *err)
{
	enum key_type t = KEY_RSA;

	if (has_length && length == 0)
		has_length = 0;
	if (present(keytype) && !type_by_word(keytype, &t))
		return ce_fail(err, CE_INVAL, "KeyType: '%.64s' is not "
		    "supported (" TYPE_LIST ")", keytype);
	if (t == KEY_ECC)
		return spec_ecc(has_length, length, curve, out, err);
	if (present(curve))
		return ce_fail(err, CE_INVAL, "Curve: only applies to KeyType "
		    "ECC, not %s", type_names[t]);
	if (t == KEY_RSA)
		return spec_rsa(has_length, length, out, err);
	if (has_length)
		return ce_fail(err, CE_INVAL, "KeyLength: does not apply to "
		    "KeyType %s", type_names[t]);
	spec_set(out, t, 0, 0);
	return CE_OK;
}

/* Parses a plain decimal number (no sign, no spaces); -1 when it is not. */
static long
parse_size(const char *s)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return v;
}

/* Parses what follows "ECC-": a curve name or OID, or a size in bits. */
static int
word_ecc(const char *s, struct key_spec *out)
{
	const struct curve *c;

	if ((c = curve_by_word(s)) == NULL &&
	    (c = curve_by_bits(parse_size(s))) == NULL)
		return 0;
	spec_set(out, KEY_ECC, c->bits, c->nid);
	return 1;
}

/*
 * Policy words: "RSA-<bits>", "ECC-<curve or bits>" (also "EC-", "ECDSA-"),
 * a bare curve ("P-384", "secp384r1", its OID), "Ed25519", "Ed448"; all
 * case-insensitive.
 */
enum ce_err
key_spec_parse_word(const char *word, struct key_spec *out,
    struct ce_error *err)
{
	static const char *const ecc_prefix[] = { "ECC-", "ECDSA-", "EC-" };
	const struct curve *c;
	size_t i, n;
	long bits;

	if (word == NULL)
		word = "";
	if (strncasecmp(word, "RSA-", 4) == 0) {
		bits = parse_size(word + 4);
		if (rsa_size_ok(bits)) {
			spec_set(out, KEY_RSA, (int)bits, 0);
			return CE_OK;
		}
		goto bad;
	}
	for (i = 0; i < NELEM(ecc_prefix); i++) {
		n = strlen(ecc_prefix[i]);
		if (strncasecmp(word, ecc_prefix[i], n) == 0) {
			if (word_ecc(word + n, out))
				return CE_OK;
			goto bad;
		}
	}
	if ((c = curve_by_word(word)) != NULL) {
		spec_set(out, KEY_ECC, c->bits, c->nid);
		return CE_OK;
	}
	for (i = KEY_ED25519; i <= KEY_ED448; i++)
		if (strcasecmp(word, type_names[i]) == 0) {
			spec_set(out, (enum key_type)i, 0, 0);
			return CE_OK;
		}
bad:
	return ce_fail(err, CE_INVAL, "'%.64s' is not a key spec (" WORD_LIST
	    ")", word);
}

char *
key_spec_word(const struct key_spec *spec, char *buf, size_t bufsz)
{
	const char *curve;

	if (bufsz == 0)
		return buf;
	switch (spec->type) {
	case KEY_RSA:
		snprintf(buf, bufsz, "RSA-%d", spec->bits);
		break;
	case KEY_ECC:
		curve = key_curve_name(spec->nid);
		snprintf(buf, bufsz, "ECC-%s", curve != NULL ? curve : "?");
		break;
	case KEY_ED25519:
	case KEY_ED448:
		snprintf(buf, bufsz, "%s", type_names[spec->type]);
		break;
	default:
		snprintf(buf, bufsz, "unknown");
		break;
	}
	return buf;
}

/* Names the curve of an EC key, or 0 when it is not one we support. */
static int
ec_nid_of(EVP_PKEY *pkey)
{
	const struct curve *c;
	char group[80];
	size_t len;

	if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &len) != 1)
		return 0;
	if ((c = curve_by_word(group)) == NULL)
		return 0;
	return c->nid;
}

/*
 * Describes pkey.  RSA keys keep their real size (a renewal may meet a
 * 1024-bit key; whether it is allowed is the template's business).
 * Returns CE_INVAL for other key types and for curves we do not support.
 */
enum ce_err
key_spec_of(EVP_PKEY *pkey, struct key_spec *out)
{
	int bits, nid;

	if (pkey == NULL)
		return CE_INVAL;
	if (EVP_PKEY_is_a(pkey, ossl_names[KEY_RSA])) {
		if ((bits = EVP_PKEY_get_bits(pkey)) <= 0)
			return CE_INVAL;
		spec_set(out, KEY_RSA, bits, 0);
	} else if (EVP_PKEY_is_a(pkey, ossl_names[KEY_ECC])) {
		if ((nid = ec_nid_of(pkey)) == 0)
			return CE_INVAL;
		spec_set(out, KEY_ECC, curve_by_nid(nid)->bits, nid);
	} else if (EVP_PKEY_is_a(pkey, ossl_names[KEY_ED25519]))
		spec_set(out, KEY_ED25519, 0, 0);
	else if (EVP_PKEY_is_a(pkey, ossl_names[KEY_ED448]))
		spec_set(out, KEY_ED448, 0, 0);
	else
		return CE_INVAL;
	return CE_OK;
}

/* Sets the RSA size and e = 65537 on a keygen context. */
static enum ce_err
keygen_rsa(EVP_PKEY_CTX *ctx, int bits, struct ce_error *err)
{
	BIGNUM *e = NULL;
	enum ce_err rc = CE_CRYPTO;

	if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) <= 0) {
		ce_fault(err, rc, "EVP_PKEY_CTX_set_rsa_keygen_bits failed");
		goto out;
	}
	if ((e = BN_new()) == NULL || !BN_set_word(e, RSA_F4)) {
		ce_fault(err, rc, "BN_set_word failed");
		goto out;
	}
	if (EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) <= 0) {
		ce_fault(err, rc, "EVP_PKEY_CTX_set1_rsa_keygen_pubexp failed");
		goto out;
	}
	rc = CE_OK;
out:
	BN_free(e);
	return rc;
}

/* Checks that spec is one this module could have produced. */
static int
spec_valid(const struct key_spec *spec)
{
	switch (spec->type) {
	case KEY_RSA:
		return rsa_size_ok(spec->bits);
	case KEY_ECC:
		return curve_by_nid(spec->nid) != NULL;
	case KEY_ED25519:
	case KEY_ED448:
		return 1;
	default:
		return 0;
	}
}

/*
 * An EC key made by the EC_KEY functions.  OpenSSL 3.0 encodes such a
 * "legacy" key into a certificate (X509_set_pubkey) and into PKCS#8 with
 * its own code, ~7 us, where a provider key goes through the encoder and
 * decoder framework, ~240 us; the key and every later operation are the
 * same (signatures run in the provider either way).
 */
static enum ce_err
ec_generate(int nid, EVP_PKEY **out, struct ce_error *err)
{
	EC_KEY *ec = EC_KEY_new_by_curve_name(nid);
	EVP_PKEY *pkey = NULL;

	if (ec == NULL || EC_KEY_generate_key(ec) != 1 ||
	    (pkey = EVP_PKEY_new()) == NULL || EVP_PKEY_assign_EC_KEY(pkey, ec) != 1) {
		EVP_PKEY_free(pkey);
		EC_KEY_free(ec);
		return ce_fault(err, CE_CRYPTO, "EC key generation (%s) failed",
		    OBJ_nid2sn(nid));
	}
	*out = pkey;
	return CE_OK;
}

/*
 * Generates a key pair for spec with OpenSSL's default generators.
 * Returns CE_OK and *out (caller frees), CE_INVAL for a spec outside the
 * tables, CE_CRYPTO when OpenSSL fails.
 */
enum ce_err
key_generate(const struct key_spec *spec, EVP_PKEY **out,
    struct ce_error *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	enum ce_err rc = CE_CRYPTO;

	*out = NULL;
	if (!spec_valid(spec)) {
		rc = ce_fail(err, CE_INVAL, "unsupported key specification");
		goto out;
	}
	if (spec->type == KEY_RSA && spec->bits >= 2048)
		return rsa_fast_generate(spec->bits, out, err);
	if (spec->type == KEY_ECC)
		return ec_generate(spec->nid, out, err);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, ossl_names[spec->type], NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0) {
		ce_fault(err, rc, "EVP_PKEY_keygen_init(%s) failed",
		    ossl_names[spec->type]);
		goto out;
	}
	if (spec->type == KEY_RSA &&
	    keygen_rsa(ctx, spec->bits, err) != CE_OK)
		goto out;
	if (spec->type == KEY_ECC && EVP_PKEY_CTX_set_group_name(ctx,
	    OBJ_nid2sn(spec->nid)) <= 0) {
		ce_fault(err, rc, "EVP_PKEY_CTX_set_group_name failed");
		goto out;
	}
	if (EVP_PKEY_generate(ctx, &pkey) <= 0) {
		ce_fault(err, rc, "EVP_PKEY_generate(%s) failed",
		    ossl_names[spec->type]);
		goto out;
	}
	*out = pkey;
	pkey = NULL;
	rc = CE_OK;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}
