/*
 * certview.h - what the read endpoints answer: certificates as the API's
 * ModelsCertificateRetrievalResponse (GET /Certificates/{id}, GET
 * /Certificates?pq.queryString=...) and certificate stores as GOCLI's
 * GetCertificateStoreResponse (GET /CertificateStores[/{id}]).
 *
 * Each lookup opens one read transaction, builds the answer from the
 * records and the certificate itself, and ends the transaction before it
 * returns; *out is a new json-c value (caller puts).
 *
 * Choices made here where Keyfactor's sources are silent:
 *   KeyType      1 RSA, 2 DSA, 3 ECC, 4 DH, 5 Ed25519, 6 Ed448 (Keyfactor's
 *                numbering for the first four; 0 for any other key).
 *   KeySizeInBits  RSA modulus / EC field bits; Ed25519 256, Ed448 456.
 *   KeyUsage     the .NET X509KeyUsageFlags value (DigitalSignature 128 ...
 *                EncipherOnly 1, DecipherOnly 32768), which is also
 *                OpenSSL's KU_* mask; 0 without the extension.
 *   DetailedKeyUsage.HexCode  the first key usage byte in lower-case hex
 *                ("a0"), then " 80" when DecipherOnly is set, as Windows
 *                shows it.
 *   SigningAlgorithm  Windows' names ("sha256RSA", "sha256ECDSA", "Ed25519").
 *   ExtendedKeyUsages / SubjectAltNameElements  Id is the 1-based position
 *                in the certificate (there is no table of them to point at).
 *   CertState    1 Active, 2 Revoked (CertStateString "Active"/"Revoked").
 *   TemplateId   0 (templates have no numeric id here); CertificateKeyId,
 *                CARowIndex, RequesterId 0; CARecordId "".
 *   Locations    only with includeLocations, else []; LocationsCount always.
 *   Metadata     only with includeMetadata, else {}.
 *   Store Properties  a JSON text of a flat object whose values are all
 *                strings (older GOCLI versions panic on anything else);
 *                DisplayName "<ClientMachine> - <StorePath>".
 */
#ifndef CE_CERTVIEW_H
#define CE_CERTVIEW_H

#include <json-c/json.h>
#include <openssl/x509.h>
#include "error.h"
#include "query.h"

struct ce_db;
struct ce_txn;

struct certview_opts {
	int	locations;	/* includeLocations */
	int	metadata;	/* includeMetadata */
	int	revoked;	/* includeRevoked: listings show revoked ones */
};

/*
 * GET /Certificates/{id}: id is the path segment as sent.  CE_INVAL when it
 * is not a positive integer, CE_NOTFOUND when no certificate has it.
 */
enum ce_err	certview_get(struct ce_db *db, const char *id,
		    const struct certview_opts *opts, json_object **out,
		    struct ce_error *err);

/* The API object of certificate c, read in txn (CA, locations, stores).
 * CE_DB when the record is damaged. */
struct cert;
enum ce_err	certview_json(struct ce_txn *txn, const struct cert *c,
		    const struct certview_opts *opts, json_object **out,
		    struct ce_error *err);

#endif
