/*
 * certdb.h - certificate records: written once at issuance, read as
 * struct cert.
 *
 * Certificate record (T_CERTS, key db_idkey(id)):
 *   {"id","request_id","thumbprint","serial","subject","cn","issuer",
 *    "der" (base64),"not_before","not_after","import_date" (epoch seconds),
 *    "template","pattern_id","ca","requester","metadata":{..},
 *    "key_type","key_bits","curve","friendly_name","renewal_of",
 *    "has_private_key" (a key is kept: retained.h),"key_until" (until when,
 *    0 for good),"state" ("active"|"revoked"),
 *    "revocation" (when revoked: revoked.h)}
 * Indexes: T_BY_THUMB (thumbprint) and T_BY_SERIAL (serial) -> {"id"}.
 * An issuance also writes its request (request.h), staging data
 * (staging.h) and kept key (retained.h), in the same transaction.
 */
#ifndef CE_CERTDB_H
#define CE_CERTDB_H

#include <stdint.h>
#include <time.h>
#include <json-c/json.h>
#include <openssl/x509.h>
#include "error.h"
#include "db.h"
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
	EVP_PKEY		*retain_key;	/* keep for Recover, or NULL */
	int64_t			 retain_until;	/* 0: for good */
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

/* A certificate as its record holds it (strings and objects owned;
 * cert_clear frees). */
enum cert_state {
	CERT_ACTIVE,
	CERT_REVOKED,
};

struct cert {
	int64_t		 id;
	int64_t		 request_id;
	char		*thumbprint;	/* SHA-1 of the DER, upper-case hex */
	char		*serial;	/* upper-case hex */
	char		*subject;	/* x500_format */
	char		*cn;
	char		*issuer;
	char		*der;		/* base64 (the API's ContentBytes) */
	json_object	*facts;		/* certfacts_json at issuance, or NULL */
	int64_t		 not_before, not_after, import_date;	/* time_t */
	char		*template_name;
	int64_t		 pattern_id;
	char		*ca;
	char		*requester;
	json_object	*metadata;	/* string map, or NULL */
	char		*key_type;
	int64_t		 key_bits;
	char		*curve;		/* OID text, or NULL */
	char		*friendly_name;
	int64_t		 renewal_of;	/* 0: none */
	int		 has_private_key;	/* kept (retained.h) ... */
	int64_t		 key_until;		/* ... until then (0: for good) */
	enum cert_state	 state;
	/* When revoked (revoked.h): Keyfactor's reason, effective date,
	 * comment. */
	int64_t		 rev_reason;
	int64_t		 rev_date;
	char		*rev_comment;
};

/* Deletes the key kept for certificate id (retained.h) now, and its record
 * says so: the admin command's `cert forget-key`, for a key that must not
 * be recovered any more.  CE_NOTFOUND when none is kept. */
enum ce_err	cert_forget_key(struct ce_db *db, int64_t id,
		    struct ce_error *err);

/* A text fact recorded at issuance (certfacts.h: "SigningAlgorithm", ...),
 * borrowed from c; NULL when it has none. */
const char	*cert_fact(const struct cert *c, const char *name);

/* Certificate id into *out; CE_NOTFOUND ("Certificate N was not found."). */
enum ce_err	cert_get(struct ce_txn *txn, int64_t id, struct cert *out,
		    struct ce_error *err);
/* Whether certificate id is revoked, into *revoked; CE_NOTFOUND ("...was
 * not found.") when there is none. */
enum ce_err	cert_is_revoked(struct ce_txn *txn, int64_t id, int *revoked,
		    struct ce_error *err);
/* The id of the certificate with thumbprint tp (any case): CE_INVAL for
 * text that is no thumbprint, CE_NOTFOUND naming it. */
enum ce_err	cert_by_thumbprint(struct ce_txn *txn, const char *tp,
		    int64_t *id, struct ce_error *err);
/* The id of the certificate with serial (upper-case hex, no leading
 * zeros): 0 when there is none. */
enum ce_err	cert_by_serial(struct ce_txn *txn, const char *serial,
		    int64_t *id, struct ce_error *err);
/* Every certificate in id order until cb returns non-zero; c is valid for
 * the call. */
typedef int	(*cert_visit)(const struct cert *c, void *arg);
/* cert_scan of the certificates whose CN is cn, ASCII case aside: through
 * an index on PostgreSQL. */
enum ce_err	cert_scan_cn(struct ce_txn *txn, const char *cn, cert_visit cb,
		    void *arg, struct ce_error *err);
enum ce_err	cert_scan(struct ce_txn *txn, cert_visit cb, void *arg,
		    struct ce_error *err);
/* Every certificate record as stored (the admin command's listing). */
enum ce_err	cert_dump(struct ce_txn *txn, db_visit cb, void *arg,
		    struct ce_error *err);
/* What cert_get does with the stored JSON (any JSON: the fuzz harness). */
void		 cert_from_record(json_object *rec, struct cert *out);
/* The X509 of c (caller frees) or NULL. */
X509		*cert_x509(const struct cert *c);
void		 cert_clear(struct cert *c);

#endif
