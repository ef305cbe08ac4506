/*
 * certdb.h - certificate and request records.
 *
 * Certificate record (T_CERTS, key db_idkey(id)):
 *   {"id","request_id","thumbprint","serial","subject","cn","issuer",
 *    "der" (base64),"not_before","not_after","import_date" (epoch seconds),
 *    "template","pattern_id","ca","requester","metadata":{..},
 *    "key_type","key_bits","curve","friendly_name","renewal_of",
 *    "has_private_key","state" ("active"|"revoked")}
 * Request record (T_REQUESTS, key db_idkey(id)):
 *   {"id","state" ("ISSUED"|"PENDING"|"DENIED"|"FAILED"),"cert_id",
 *    "requester","submitted","template","pattern_id","ca","subject",
 *    "message", ... workflow fields}
 * Staging (T_STAGING, key db_idkey(cert id)): {"owner","expires",
 *    "request_id","blob" (base64 of the PKCS#12 sealed with the DEK,
 *    associated data "staging:<cert id>:<owner>")}
 */
#ifndef CE_CERTDB_H
#define CE_CERTDB_H

#include <stdint.h>
#include <time.h>
#include <json-c/json.h>
#include <openssl/x509.h>
#include "error.h"
#include "keys.h"
#include "output.h"

struct ce_db;
struct ce_txn;

struct issued {
	X509			*cert;
	const char		*requester;
	const char		*template;
	int64_t			 pattern_id;
	const char		*ca;
	json_object		*metadata;	/* string map, may be NULL */
	const char		*friendly_name;	/* may be NULL */
	const struct key_spec	*spec;
	int64_t			 renewal_of;	/* 0 = none */
	int64_t			 request_id;	/* existing request (approval) or 0 */
	const char		*approver;	/* who approved it, or NULL */
	const struct ce_buf	*staged_pfx;	/* keep for Deploy, or NULL */
	time_t			 staging_expires;
	/* Called inside the commit's write transaction (v2 store jobs). */
	enum ce_err		(*in_txn)(struct ce_db *, struct ce_txn *,
				    int64_t cert_id, void *arg, struct ce_error *);
	void			*in_txn_arg;
};

/*
 * Records an issued certificate, its request (new, or request_id updated to
 * ISSUED) and its staging data in one durable write transaction.  Returns
 * the new ids.
 */
enum ce_err	certdb_commit_issued(struct ce_db *db, const struct issued *in,
		    int64_t *cert_id, int64_t *request_id, struct ce_error *err);

/* Reads a certificate record by id; CE_NOTFOUND when unknown. */
enum ce_err	certdb_get(struct ce_txn *txn, int64_t id, json_object **out,
		    struct ce_error *err);
/* Looks a certificate id up by thumbprint (any case); CE_NOTFOUND. */
enum ce_err	certdb_find_thumbprint(struct ce_txn *txn, const char *tp,
		    int64_t *id, struct ce_error *err);
/* The X509 of a record (caller frees) or NULL. */
X509		*certdb_x509(json_object *rec);

#endif
