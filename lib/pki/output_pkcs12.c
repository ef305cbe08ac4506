/*
 * output_pkcs12.c - the PKCS#12 of /Enrollment/PFX, in the layout .NET and
 * BouncyCastle write and Keyfactor's Go parser insists on:
 *
 *   AuthenticatedSafe
 *     [0] data:          one shrouded key bag   (friendlyName, localKeyId)
 *     [1] encryptedData: leaf cert bag          (friendlyName, localKeyId)
 *                        chain cert bags, issuer first, no attributes
 *   MAC
 *
 * PKCS12_create() puts the certificates first, so the safes are assembled
 * here one by one.
 */
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

#include "output_int.h"
#include "pemutil.h"

struct pfx_algs {
	int		  key_nid;	/* shrouded key bag */
	int		  cert_nid;	/* encrypted certificate safe */
	const EVP_MD	*(*mac_md)(void);
};

/* A cipher NID makes OpenSSL use PBES2 with PBKDF2-HMAC-SHA256. */
static const struct pfx_algs modern = {
	NID_aes_256_cbc, NID_aes_256_cbc, EVP_sha256
};
static const struct pfx_algs legacy_algs = {
	NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
	NID_pbe_WithSHA1And40BitRC2_CBC, EVP_sha1
};

static CRYPTO_ONCE legacy_once = CRYPTO_ONCE_STATIC_INIT;
/* Held for the life of the process, never unloaded. */
static OSSL_PROVIDER *legacy_prov, *default_prov;

/*
 * RC2 lives in OpenSSL's legacy provider.  Loading a provider explicitly
 * stops the default one from being loaded implicitly, so both are loaded.
 */
static void
legacy_load(void)
{
	if ((legacy_prov = OSSL_PROVIDER_load(NULL, "legacy")) == NULL)
		return;
	if ((default_prov = OSSL_PROVIDER_load(NULL, "default")) == NULL) {
		OSSL_PROVIDER_unload(legacy_prov);
		legacy_prov = NULL;
	}
}

static enum ce_err
legacy_init(struct ce_error *err)
{
	if (!CRYPTO_THREAD_run_once(&legacy_once, legacy_load) ||
	    legacy_prov == NULL)
		return ce_fault(err, CE_CRYPTO, "OSSL_PROVIDER_load(legacy, "
		    "default) failed");
	return CE_OK;
}

/* Sets friendlyName (when given) and localKeyId on a bag. */
static enum ce_err
bag_attrs(PKCS12_SAFEBAG *bag, const char *friendly, unsigned char *keyid,
    unsigned int keyidlen, struct ce_error *err)
{
	if (friendly != NULL && friendly[0] != '\0' &&
	    !PKCS12_add_friendlyname_utf8(bag, friendly, -1))
		return ce_fault(err, CE_CRYPTO,
		    "PKCS12_add_friendlyname_utf8 failed");
	if (!PKCS12_add_localkeyid(bag, keyid, (int)keyidlen))
		return ce_fault(err, CE_CRYPTO, "PKCS12_add_localkeyid failed");
	return CE_OK;
}

/*
 * Appends the unencrypted data safe holding the one shrouded key bag.
 */
static enum ce_err
safe_key(STACK_OF(PKCS7) **safes, EVP_PKEY *key, const char *friendly,
    unsigned char *keyid, unsigned int keyidlen, const char *password,
    const struct pfx_algs *alg, struct ce_error *err)
{
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
	PKCS12_SAFEBAG *bag = NULL;
	X509_SIG *sig = NULL;
	enum ce_err rc;

	if (alg->key_nid == NID_aes_256_cbc) {
		/* PBES2 as OpenSSL would make it, with output_pkcs8.c's fast KDF */
		if ((rc = pkcs8_encrypt(key, password, &sig, err)) != CE_OK)
			goto out;
		if ((bags = sk_PKCS12_SAFEBAG_new_null()) == NULL ||
		    (bag = PKCS12_SAFEBAG_create0_pkcs8(sig)) == NULL) {
			rc = ce_fault(err, CE_CRYPTO, "key bag");
			goto out;
		}
		sig = NULL;
		if (!sk_PKCS12_SAFEBAG_push(bags, bag)) {
			PKCS12_SAFEBAG_free(bag);
			rc = ce_fault(err, CE_NOMEM, "key bag");
			goto out;
		}
	} else if ((bag = PKCS12_add_key(&bags, key, 0, PFX_ITER, alg->key_nid,
	    password)) == NULL) {
		rc = ce_fault(err, CE_CRYPTO, "PKCS12_add_key failed");
		goto out;
	}
	if ((rc = bag_attrs(bag, friendly, keyid, keyidlen, err)) != CE_OK)
		goto out;
	if (!PKCS12_add_safe(safes, bags, -1, 0, NULL)) {
		rc = ce_fault(err, CE_CRYPTO, "PKCS12_add_safe(key) failed");
		goto out;
	}
	rc = CE_OK;
out:
	X509_SIG_free(sig);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	return rc;
}

/*
 * Appends the encrypted safe: the leaf (with the key's attributes), then
 * the chain as given.
 */
static enum ce_err
safe_certs(STACK_OF(PKCS7) **safes, X509 *leaf, STACK_OF(X509) *chain,
    const char *friendly, unsigned char *keyid, unsigned int keyidlen,
    const char *password, const struct pfx_algs *alg, struct ce_error *err)
{
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
	PKCS12_SAFEBAG *bag = NULL;
	enum ce_err rc;
	int i;

	if ((rc = p12_add_cert(&bags, leaf, &bag, err)) != CE_OK ||
	    (rc = bag_attrs(bag, friendly, keyid, keyidlen, err)) != CE_OK)
		goto out;
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		if ((rc = p12_add_cert(&bags, sk_X509_value(chain, i), NULL,
		    err)) != CE_OK)
			goto out;
	if (!PKCS12_add_safe(safes, bags, alg->cert_nid, PFX_ITER,
	    password)) {
		rc = ce_fault(err, CE_CRYPTO, "PKCS12_add_safe(certs) failed");
		goto out;
	}
	rc = CE_OK;
out:
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	return rc;
}

/*
 * Builds the PKCS#12 (see the top of this file and output.h) into out
 * (caller frees with buf_free).  A NULL password is taken as empty.
 * Returns CE_OK, or CE_CRYPTO / CE_NOMEM / CE_SYSTEM for faults (a key
 * that does not match the leaf is one).
 */
enum ce_err
pfx_build(EVP_PKEY *key, X509 *leaf, STACK_OF(X509) *chain,
    const char *friendly, const char *password, int legacy,
    struct ce_buf *out, struct ce_error *err)
{
	const struct pfx_algs *alg = legacy ? &legacy_algs : &modern;
	STACK_OF(PKCS7) *safes = NULL;
	PKCS12 *p12 = NULL;
	unsigned char keyid[EVP_MAX_MD_SIZE];
	unsigned int keyidlen = 0;
	enum ce_err rc;

	out->data = NULL;
	out->len = 0;
	if (password == NULL)
		password = "";
	if (key == NULL || leaf == NULL) {
		rc = ce_fault(err, CE_SYSTEM, "pfx_build: no key or leaf");
		goto out;
	}
	if (X509_check_private_key(leaf, key) != 1) {
		rc = ce_fault(err, CE_CRYPTO, "pfx_build: key does not match "
		    "the certificate");
		goto out;
	}
	if (legacy && (rc = legacy_init(err)) != CE_OK)
		goto out;
	if (!X509_digest(leaf, EVP_sha1(), keyid, &keyidlen)) {
		rc = ce_fault(err, CE_CRYPTO, "X509_digest failed");
		goto out;
	}

	/* Key safe first, then the certificates: the order is the point. */
	if ((rc = safe_key(&safes, key, friendly, keyid, keyidlen, password,
	    alg, err)) != CE_OK ||
	    (rc = safe_certs(&safes, leaf, chain, friendly, keyid, keyidlen,
	    password, alg, err)) != CE_OK)
		goto out;
	if ((p12 = PKCS12_add_safes(safes, 0)) == NULL) {
		rc = ce_fault(err, CE_CRYPTO, "PKCS12_add_safes failed");
		goto out;
	}
	if (!PKCS12_set_mac(p12, password, -1, NULL, 0, PFX_ITER,
	    alg->mac_md())) {
		rc = ce_fault(err, CE_CRYPTO, "PKCS12_set_mac failed");
		goto out;
	}
	rc = p12_to_der(p12, out, err);
out:
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	return rc;
}
