/* lint.c - pre-issuance lints (see lint.h). */
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "keys.h"
#include "lint.h"
#include "log.h"
#include "san.h"
#include "x500.h"

static enum ce_err
fail(struct ce_error *err, const char *lint, const char *why)
{
	log_warn("pre-issuance lint '%s' failed: %s", lint, why);
	return ce_fail(err, CE_INVAL, "The certificate failed the pre-issuance "
	    "lint '%s': %s", lint, why);
}

/* Throwaway keys, one per issuer key type, made once per process. */
static EVP_PKEY *throwaway[KEY__MAX][3];
static pthread_mutex_t throwaway_lock = PTHREAD_MUTEX_INITIALIZER;

enum ce_err
lint_presign(X509 *cert, const struct ca *ca, struct ce_error *err)
{
	struct key_spec spec;
	EVP_PKEY **slot;
	int i;

	if (key_spec_of(X509_get0_pubkey(ca->cert), &spec) != CE_OK)
		return ce_fault(err, CE_CRYPTO, "CA key type");
	i = spec.type == KEY_ECC ? (spec.bits > 384 ? 2 : spec.bits > 256) : 0;
	if (spec.type == KEY_RSA)
		spec.bits = 2048;	/* the signature shape, not its strength */
	slot = &throwaway[spec.type][i];
	pthread_mutex_lock(&throwaway_lock);
	if (*slot == NULL && key_generate(&spec, slot, err) != CE_OK) {
		pthread_mutex_unlock(&throwaway_lock);
		return err != NULL ? err->code : CE_CRYPTO;
	}
	pthread_mutex_unlock(&throwaway_lock);
	if (X509_sign(cert, *slot, ca_digest(ca)) <= 0)
		return ce_fault(err, CE_CRYPTO, "throwaway signature");
	return CE_OK;
}

/* Whether two names have the same DER encoding. */
static int
same_der_name(const X509_NAME *a, const X509_NAME *b)
{
	unsigned char *da = NULL, *db = NULL;
	int na = i2d_X509_NAME(a, &da), nb = i2d_X509_NAME(b, &db), same;

	same = na > 0 && na == nb && memcmp(da, db, (size_t)na) == 0;
	OPENSSL_free(da);
	OPENSSL_free(db);
	return same;
}

static enum ce_err
lint_serial(X509 *cert, struct ce_error *err)
{
	const ASN1_INTEGER *s = X509_get0_serialNumber(cert);
	BIGNUM *bn = ASN1_INTEGER_to_BN(s, NULL);
	int bits = bn ? BN_num_bits(bn) : 0, neg = bn ? BN_is_negative(bn) : 1;

	BN_free(bn);
	if (neg || bits == 0)
		return fail(err, "serial", "the serial number is not positive");
	if (bits > 159)
		return fail(err, "serial", "the serial number is longer than 20 octets");
	if (bits < 64)
		return fail(err, "serial", "the serial number has fewer than 64 bits");
	return CE_OK;
}

static enum ce_err
lint_validity(X509 *cert, const struct ca *ca, struct ce_error *err)
{
	const ASN1_TIME *nb = X509_get0_notBefore(cert), *na = X509_get0_notAfter(cert);

	if (ASN1_TIME_compare(nb, na) >= 0)
		return fail(err, "validity", "notBefore is not before notAfter");
	if (ASN1_TIME_compare(nb, X509_get0_notBefore(ca->cert)) < 0 ||
	    ASN1_TIME_compare(na, X509_get0_notAfter(ca->cert)) > 0)
		return fail(err, "validity", "the validity is not inside the "
		    "issuer's");
	return CE_OK;
}

/* The UTF-8 text of the name entry at pos; -1 when it does not convert or
 * fit (such a CN is no DNS name). */
static int
cn_text(const X509_NAME *name, int pos, char *buf, size_t bufsz)
{
	unsigned char *u = NULL;
	int len;

	len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(name, pos)));
	if (len < 0 || (size_t)len >= bufsz || memchr(u, '\0', (size_t)len)) {
		OPENSSL_free(u);
		return -1;
	}
	memcpy(buf, u, (size_t)len);
	buf[len] = '\0';
	OPENSSL_free(u);
	return 0;
}

/* Subject/SAN consistency and DNS name syntax. */
static enum ce_err
lint_names(X509 *cert, struct ce_error *err)
{
	GENERAL_NAMES *sans;
	const GENERAL_NAME *gn;
	char cn[X500_CN_BUFSZ];
	int i, crit = -1, found = 0, n, pos;
	enum ce_err rc = CE_OK;

	sans = X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, NULL);
	n = sans ? sk_GENERAL_NAME_num(sans) : 0;
	if (X509_NAME_entry_count(X509_get_subject_name(cert)) == 0 &&
	    (n == 0 || crit != 1)) {
		rc = fail(err, "subject-or-san", "an empty subject needs a "
		    "critical subjectAltName");
		goto out;
	}
	for (i = 0; i < n; i++) {
		gn = sk_GENERAL_NAME_value(sans, i);
		if (gn->type != GEN_DNS)
			continue;
		if (strlen((const char *)ASN1_STRING_get0_data(gn->d.dNSName)) !=
		    (size_t)ASN1_STRING_length(gn->d.dNSName) ||
		    !san_dns_valid((const char *)ASN1_STRING_get0_data(gn->d.dNSName))) {
			rc = fail(err, "dns-names", "a DNS name is malformed");
			goto out;
		}
	}
	/* Every CN, not only the first, must be among the DNS SANs. */
	for (pos = X509_NAME_get_index_by_NID(X509_get_subject_name(cert),
	    NID_commonName, -1); pos >= 0; pos = X509_NAME_get_index_by_NID(
	    X509_get_subject_name(cert), NID_commonName, pos)) {
		if (cn_text(X509_get_subject_name(cert), pos, cn, sizeof(cn)) != 0 ||
		    strchr(cn, '.') == NULL || !san_dns_valid(cn))
			continue;
		for (found = 0, i = 0; i < n; i++) {
			gn = sk_GENERAL_NAME_value(sans, i);
			if (gn->type == GEN_DNS && strcasecmp((const char *)
			    ASN1_STRING_get0_data(gn->d.dNSName), cn) == 0)
				found = 1;
		}
		if (!found) {
			rc = fail(err, "cn-in-san", "a common name is a DNS name "
			    "that is not among the DNS SANs");
			goto out;
		}
	}
out:
	GENERAL_NAMES_free(sans);
	return rc;
}

static enum ce_err
lint_constraints(X509 *cert, struct ce_error *err)
{
	BASIC_CONSTRAINTS *bc;
	int crit = -1, ca;

	if ((bc = X509_get_ext_d2i(cert, NID_basic_constraints, &crit, NULL)) == NULL)
		return fail(err, "basic-constraints", "basicConstraints is missing");
	ca = bc->ca;
	BASIC_CONSTRAINTS_free(bc);
	if (crit != 1 || ca)
		return fail(err, "basic-constraints", "basicConstraints must be "
		    "critical and CA:FALSE");
	return CE_OK;
}

static enum ce_err
lint_key_usage(X509 *cert, struct ce_error *err)
{
	EVP_PKEY *pub = X509_get0_pubkey(cert);
	uint32_t ku = X509_get_key_usage(cert);
	int crit = -1, id = pub ? EVP_PKEY_get_base_id(pub) : 0;
	ASN1_BIT_STRING *bits;

	if ((bits = X509_get_ext_d2i(cert, NID_key_usage, &crit, NULL)) == NULL)
		return fail(err, "key-usage", "keyUsage is missing");
	ASN1_BIT_STRING_free(bits);
	if (crit != 1)
		return fail(err, "key-usage", "keyUsage must be critical");
	if (ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN))
		return fail(err, "key-usage", "an end-entity certificate may not "
		    "sign certificates or CRLs");
	if ((ku & (KU_KEY_ENCIPHERMENT | KU_DATA_ENCIPHERMENT)) && id != EVP_PKEY_RSA)
		return fail(err, "key-usage", "encipherment needs an RSA key");
	if ((ku & KU_KEY_AGREEMENT) && id != EVP_PKEY_EC)
		return fail(err, "key-usage", "key agreement needs an EC key");
	return CE_OK;
}

static enum ce_err
lint_eku(X509 *cert, STACK_OF(ASN1_OBJECT) *want, struct ce_error *err)
{
	EXTENDED_KEY_USAGE *eku;
	int i, j, ok = 1;

	if (want == NULL || sk_ASN1_OBJECT_num(want) == 0)
		return CE_OK;
	if ((eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL)) == NULL)
		return fail(err, "eku", "extendedKeyUsage is missing");
	if (sk_ASN1_OBJECT_num(eku) != sk_ASN1_OBJECT_num(want))
		ok = 0;
	for (i = 0; ok && i < sk_ASN1_OBJECT_num(want); i++) {
		for (j = 0; j < sk_ASN1_OBJECT_num(eku); j++)
			if (OBJ_cmp(sk_ASN1_OBJECT_value(want, i),
			    sk_ASN1_OBJECT_value(eku, j)) == 0)
				break;
		ok = j < sk_ASN1_OBJECT_num(eku);
	}
	EXTENDED_KEY_USAGE_free(eku);
	return ok ? CE_OK : fail(err, "eku", "extendedKeyUsage differs from the "
	    "template's");
}

static enum ce_err
lint_key_ids(X509 *cert, const struct ca *ca, struct ce_error *err)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(cert);
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(cert);
	const ASN1_OCTET_STRING *ca_ski = X509_get0_subject_key_id(ca->cert);

	if (ski == NULL)
		return fail(err, "ski", "subjectKeyIdentifier is missing");
	if (aki == NULL || ca_ski == NULL || ASN1_OCTET_STRING_cmp(aki, ca_ski) != 0)
		return fail(err, "aki", "authorityKeyIdentifier is not the "
		    "issuer's subjectKeyIdentifier");
	return CE_OK;
}

/* The signature algorithm's key type is the issuer's. */
static enum ce_err
lint_signature(X509 *cert, const struct ca *ca, struct ce_error *err)
{
	int mdnid = 0, pknid = 0;
	EVP_PKEY *pub = X509_get0_pubkey(ca->cert);

	if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &mdnid, &pknid) != 1 ||
	    pub == NULL)
		return fail(err, "signature-algorithm", "unknown signature algorithm");
	if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA ? pknid != NID_rsaEncryption :
	    EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC ? pknid != NID_X9_62_id_ecPublicKey :
	    pknid != EVP_PKEY_get_base_id(pub))
		return fail(err, "signature-algorithm", "the signature algorithm "
		    "does not match the issuer's key");
	return CE_OK;
}

static enum ce_err
lint_unique(X509 *cert, struct ce_error *err)
{
	int i, j, n = X509_get_ext_count(cert);

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (OBJ_cmp(X509_EXTENSION_get_object(X509_get_ext(cert, i)),
			    X509_EXTENSION_get_object(X509_get_ext(cert, j))) == 0)
				return fail(err, "unique-extensions", "an extension "
				    "appears twice");
	return CE_OK;
}

enum ce_err
lint_certificate(X509 *cert, const struct ca *ca,
    STACK_OF(ASN1_OBJECT) *eku_expected, struct ce_error *err)
{
	enum ce_err rc;

	if (X509_get_version(cert) != X509_VERSION_3)
		return fail(err, "version-3", "the certificate is not version 3");
	if (!same_der_name(X509_get_issuer_name(cert),
	    X509_get_subject_name(ca->cert)))
		return fail(err, "issuer-name", "the issuer is not byte for byte "
		    "the CA's subject");
	/* Duplicated or undecodable extensions first: OpenSSL reports such
	 * extensions as absent, which would blame the wrong lint. */
	if ((rc = lint_unique(cert, err)) != CE_OK)
		return rc;
	if (X509_get_extension_flags(cert) & EXFLAG_INVALID)
		return fail(err, "extensions-decode", "an extension does not decode");
	if ((rc = lint_serial(cert, err)) != CE_OK ||
	    (rc = lint_validity(cert, ca, err)) != CE_OK ||
	    (rc = lint_names(cert, err)) != CE_OK ||
	    (rc = lint_constraints(cert, err)) != CE_OK ||
	    (rc = lint_key_usage(cert, err)) != CE_OK ||
	    (rc = lint_eku(cert, eku_expected, err)) != CE_OK ||
	    (rc = lint_key_ids(cert, ca, err)) != CE_OK ||
	    (rc = lint_signature(cert, ca, err)) != CE_OK)
		return rc;
	return CE_OK;
}
