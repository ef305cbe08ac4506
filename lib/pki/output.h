/*
 * output.h - what /Enrollment/PFX hands back: PKCS#12, PEM text, ZIP.
 */
#ifndef CE_OUTPUT_H
#define CE_OUTPUT_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "buf.h"
#include "error.h"

enum chain_order {
	CHAIN_END_ENTITY_FIRST,
	CHAIN_ROOT_FIRST,
	CHAIN__MAX
};
/* ChainOrder as clients send it: EndEntityFirst (also NULL and ""), or
 * RootFirst, any case; CE_INVAL naming the field otherwise. */
enum ce_err	chain_order_parse(const char *v, enum chain_order *out,
		    struct ce_error *err);

/*
 * Builds a PKCS#12 in the layout .NET and BouncyCastle produce and that
 * Keyfactor's Go PKCS#12 parser requires: first a SafeContents holding one
 * shrouded key bag, then an encrypted SafeContents with the leaf certificate
 * bag and then each chain certificate (chain as given: issuer first, root
 * last).  Key bag and leaf bag share a localKeyId (SHA-1 of the leaf DER);
 * friendly (may be NULL) is set as friendlyName on both.  MAC SHA-256 with
 * 2048 iterations (SHA-1 when legacy).
 *   legacy = 0: key and certs with PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC.
 *   legacy = 1: key with PBE-SHA1-3DES, certs with PBE-SHA1-RC2-40 (needs
 *               OpenSSL's legacy provider, loaded on first use).
 * chain may be NULL.  out is DER.  A NULL password is the empty one.
 * Certificates' auxiliary alias/keyid (as PKCS12_parse leaves them) are not
 * copied into the bags.  The key must match the leaf (else CE_CRYPTO).
 */
enum ce_err	pfx_build(EVP_PKEY *key, X509 *leaf, STACK_OF(X509) *chain,
		    const char *friendly, const char *password, int legacy,
		    struct ce_buf *out, struct ce_error *err);

/*
 * Builds the PEM text: the private key first (encrypted PKCS#8,
 * AES-256-CBC, when password is non-empty; else unencrypted PKCS#8), then the
 * leaf certificate, then the chain (issuer ... root) if chain != NULL; with
 * CHAIN_ROOT_FIRST the certificates come root first and the leaf last (the
 * key stays first).  With subject_header, each certificate is preceded by a
 * line "subject=<DN>" (and "issuer=<DN>"), as openssl's -info output does
 * (its "oneline" name format, UTF-8 kept as UTF-8).  An empty chain is no
 * chain.  CE_INVAL for an order outside the enum.
 */
enum ce_err	pem_build(EVP_PKEY *key, X509 *leaf, STACK_OF(X509) *chain,
		    const char *password, enum chain_order order,
		    int subject_header, struct ce_buf *out, struct ce_error *err);

/*
 * Builds a ZIP archive (stored entries, CRC-32, no compression) holding
 * "<name>.crt" (leaf PEM), "<name>.key" (key PEM, encrypted PKCS#8 when
 * password non-empty) and, if chain != NULL, "<name>-chain.crt" (chain PEM,
 * issuer first).  name is a file-safe base name (e.g. the CN, sanitised by
 * the caller); CE_INVAL when it is empty, longer than 200 bytes, "." or
 * "..", or holds '/', '\\' or control characters.  An empty chain makes no
 * chain file.  The .key entry gets mode 0600, the others 0644.
 */
enum ce_err	zip_build(EVP_PKEY *key, X509 *leaf, STACK_OF(X509) *chain,
		    const char *password, const char *name,
		    struct ce_buf *out, struct ce_error *err);

/* A file-safe base name for cn (letters, digits, '.', '-'; '_' for the
 * rest; "certificate" for none), into buf of n bytes. */
void		output_file_name(const char *cn, char *buf, size_t n);

/* What /Certificates/Download hands back, no key: the certificates as PEM
 * text (pem_build's order and subject lines), or as a degenerate PKCS#7
 * SignedData (DER, "P7B"), certificates in the order asked for (OpenSSL
 * writes them as a SEQUENCE OF: kept as given, not sorted). */
enum ce_err	pem_build_certs(X509 *leaf, STACK_OF(X509) *chain,
		    enum chain_order order, int subject_header,
		    struct ce_buf *out, struct ce_error *err);
enum ce_err	p7b_build(X509 *leaf, STACK_OF(X509) *chain,
		    enum chain_order order, struct ce_buf *out,
		    struct ce_error *err);

#endif
