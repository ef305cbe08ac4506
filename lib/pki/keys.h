/*
 * keys.h - subscriber key specifications and key generation.
 *
 * A key spec comes from the request's KeyType, KeyLength and Curve:
 *   RSA: KeyLength 2048/3072/4096/8192 (default 2048 when absent)
 *   ECC: Curve as OID (1.2.840.10045.3.1.7, 1.3.132.0.34, 1.3.132.0.35) or
 *        name (P-256, prime256v1, secp256r1, P-384, secp384r1, P-521,
 *        secp521r1), or else KeyLength 256/384/521; default P-256
 *   Ed25519, Ed448: no length or curve.
 * KeyType words are matched case-insensitively ("EC" and "ECDSA" mean ECC).
 * Whether a spec is *allowed* is the template's and pattern's business
 * (policy_check_key in policy.h; the signer checks again).
 */
#ifndef CE_KEYS_H
#define CE_KEYS_H

#include <openssl/bn.h>
#include <openssl/evp.h>
#include "error.h"

enum key_type {
	KEY_RSA,
	KEY_ECC,
	KEY_ED25519,
	KEY_ED448,
	KEY__MAX
};

struct key_spec {
	enum key_type	type;
	int		bits;	/* RSA modulus bits; ECC field bits (256/384/521); 0 for Ed* */
	int		nid;	/* ECC curve NID (NID_X9_62_prime256v1...); 0 otherwise */
};

/* API names: "RSA", "ECC", "Ed25519", "Ed448"; NULL for a value out of range. */
const char	*key_type_name(enum key_type t);

/* Builds a spec from the request fields.  keytype NULL means RSA (the API's
 * default).  has_length says whether KeyLength was sent.  Errors are CE_INVAL
 * naming the field: "KeyLength: 1000 is not a valid RSA key size".
 * Default for RSA without KeyLength is 2048; ECC without Curve/KeyLength P-256.
 * An empty keytype or curve counts as absent, and so does KeyLength 0 (typed
 * clients send 0 when unset).  Curve with a non-ECC type, a KeyLength with
 * Ed25519/Ed448, and a KeyLength that contradicts Curve are rejected. */
enum ce_err	key_spec_from_request(const char *keytype, int has_length,
		    long length, const char *curve, struct key_spec *out,
		    struct ce_error *err);

/* Parses a policy word like "RSA-2048", "ECC-P-256", "P-384", "Ed25519"
 * (used by the admin tool and templates).  Returns CE_OK or CE_INVAL. */
enum ce_err	key_spec_parse_word(const char *word, struct key_spec *out,
		    struct ce_error *err);

/* Writes the canonical policy word ("RSA-2048", "ECC-P-256", "Ed25519") into
 * buf; returns buf. */
char		*key_spec_word(const struct key_spec *spec, char *buf, size_t bufsz);

/* Describes an existing public key as a spec (for renewal and lookups).  RSA
 * keeps its real size, even one outside the allowed sizes; other key types
 * and unsupported curves give CE_INVAL. */
enum ce_err	key_spec_of(EVP_PKEY *pkey, struct key_spec *out);

/* Curve name as the API shows it ("P-256"), or NULL if not ECC. */
const char	*key_curve_name(int nid);
/* Curve OID string as Keyfactor uses it ("1.2.840.10045.3.1.7"), or NULL. */
const char	*key_curve_oid(int nid);

/* Generates a new key pair (caller frees with EVP_PKEY_free). */
enum ce_err	key_generate(const struct key_spec *spec, EVP_PKEY **out,
		    struct ce_error *err);

#endif
