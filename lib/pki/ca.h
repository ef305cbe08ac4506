/*
 * ca.h - certificate authorities: records in LMDB, keys in sealed files.
 *
 * A CA is named as the API names it, "host\\LogicalName"; requests may give
 * the full name or only the logical name (matched case-insensitively).
 * Its private key lives in <datadir>/ca/<id>.key (mode 0600, sealed with the
 * DEK) and is opened only by ca_sign() - the one function that signs, so
 * that moving signing behind the signer's socket changes nothing else.
 */
#ifndef CE_CA_H
#define CE_CA_H

#include <stdint.h>
#include <openssl/x509.h>
#include "error.h"
#include "db.h"
#include "keys.h"
#include <json-c/json.h>

struct ce_db;
struct ce_txn;
struct sign_req;

#define CA_URL_MAX	512

struct ca {
	int64_t		 id;
	char		 name[256];	/* host\Logical */
	X509		*cert;
	STACK_OF(X509)	*chain;		/* the CA's issuers, nearest first; may be empty */
	/* Where its certificates say its CRL and its OCSP responder are
	 * (their CRL distribution point and AIA): "" for none. */
	char		 crl_url[CA_URL_MAX];
	char		 ocsp_url[CA_URL_MAX];
};

/* Finds a CA by full or logical name; CE_INVAL naming it (a request's
 * CertificateAuthority) when none is.  Caller frees. */
enum ce_err	ca_find(struct ce_txn *txn, const char *name, struct ca **out,
		    struct ce_error *err);
/* Loads a CA from its stored record (for listings / any-CA selection). */
enum ce_err	ca_from_record(json_object *rec, struct ca **out, struct ce_error *err);
void		ca_free(struct ca *ca);		/* NULL ok */
/* The record id of CA name (*id 0 when name is NULL or no such CA). */
enum ce_err	ca_record_id(struct ce_txn *txn, const char *name, int64_t *id,
		    struct ce_error *err);
/* Calls cb with the id and name of every CA, in name order. */
enum ce_err	ca_list(struct ce_txn *txn,
		    void (*cb)(int64_t id, const char *name, void *arg), void *arg,
		    struct ce_error *err);
/* Whether tp (any case) is the thumbprint of one of our CA certificates. */
int		ca_has_thumbprint(struct ce_txn *txn, const char *tp);
/* Whether the database holds a CA: 1, 0, or -1 when it cannot be read
 * (what /health reports). */
int		ca_any(struct ce_db *db);

/*
 * Signs a linted subscriber certificate (its issuer, AKI... already set):
 * through the signer process when one is configured (signer_socket in
 * certenroll.conf, else the CERTENROLL_SIGNER environment variable), else
 * with the CA key in this process (the embedded default).  sr (template,
 * pattern, approved request, requester) goes to the signer's policy check
 * and log.  On success *certp is
 * a new object parsed from the signed DER (the linted one, with what it
 * cached of its throwaway signature, is freed).
 */
enum ce_err	ca_sign(struct ce_db *db, const struct ca *ca,
		    const struct sign_req *sr, X509 **certp, struct ce_error *err);
/* Signs with the CA key in this process: SHA-256 for RSA/ECDSA P-256
 * (SHA-384/512 for P-384/P-521), pure EdDSA for Ed*.  Used by the signer
 * itself and by the admin tool (CA creation). */
enum ce_err	ca_sign_local(struct ce_db *db, const struct ca *ca, X509 *cert,
		    struct ce_error *err);
/* A sealed key file <dir>/ca/<file> (0600; aad binds it to its use, as
 * "ca:<id>" does a CA's key): written atomically, read refusing a file
 * group or others may read and never through a symlink. */
enum ce_err	ca_key_write(const char *dir, const char *file, const char *aad,
		    EVP_PKEY *key, struct ce_error *err);
enum ce_err	ca_key_read(const char *dir, const char *file, const char *aad,
		    EVP_PKEY **out, struct ce_error *err);
/* Loads the CA key into this process (what signing here will use):
 * CE_SYSTEM or CE_CRYPTO when it cannot be. */
enum ce_err	ca_key_load(struct ce_db *db, const struct ca *ca,
		    struct ce_error *err);
/* Signs a CRL with the CA key in this process (the signer, or embedded). */
enum ce_err	ca_sign_crl_local(struct ce_db *db, const struct ca *ca,
		    X509_CRL *crl, struct ce_error *err);
/* Whether url may go into a certificate: http:// or https://, printable
 * ASCII without spaces, quotes, commas or backslashes, at most
 * CA_URL_MAX - 1 bytes ("" is none). */
int		ca_url_valid(const char *url);
/* Sets the CRL and OCSP URLs of CA name (admin tool); NULL leaves one as
 * it is, "" removes it.  CE_INVAL naming a bad URL, CE_NOTFOUND. */
enum ce_err	ca_set_urls(struct ce_db *db, const char *name,
		    const char *crl_url, const char *ocsp_url,
		    struct ce_error *err);
/* Loads every CA key into this process (the signer, at start); returns
 * how many, or -1. */
int		ca_preload_keys(struct ce_db *db, struct ce_txn *txn,
		    struct ce_error *err);
/* The digest ca_sign() uses for this CA's key (NULL for EdDSA). */
const EVP_MD	*ca_digest(const struct ca *ca);
/* The chain handed out with ca's certificates: ca's own certificate, then
 * its issuers up to the root.  The certificates are ca's (free the stack
 * alone, sk_X509_free); NULL without memory. */
STACK_OF(X509)	*ca_chain(const struct ca *ca);

/*
 * Creates a CA (admin tool): new key of spec, certificate with subject (an
 * X.500 string; default "CN=<logical name>"), valid for days; self-signed
 * when parent is NULL, else signed by the parent CA.  Returns its id.
 */
enum ce_err	ca_create(struct ce_db *db, const char *name,
		    const struct key_spec *spec, const char *subject, int days,
		    const char *parent, int64_t *id, struct ce_error *err);

#endif
