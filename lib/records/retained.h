/*
 * retained.h - private keys kept for POST /Certificates/Recover: the key of
 * a certificate whose template retains keys (policy.h key_retention),
 * written with the certificate in its issuance transaction.
 *
 * Record (T_RETAINED, key db_idkey(cert id)): {"id","until" (epoch seconds;
 * 0 = kept for good),"blob"}: the key's PKCS#8 DER sealed with the DEK
 * (seal.h) with associated data "retained:<cert id>:<until>", so a blob
 * copied to another certificate's record, or given another time, does not
 * open.
 */
#ifndef CE_RETAINED_H
#define CE_RETAINED_H

#include <stdint.h>
#include <openssl/evp.h>

#include "error.h"

struct ce_db;
struct ce_txn;

/* Seals key and stores it for cert_id inside a write transaction. */
enum ce_err	retained_put(struct ce_db *db, struct ce_txn *txn,
		    int64_t cert_id, int64_t until, EVP_PKEY *key,
		    struct ce_error *err);

/* The kept key of cert_id (EVP_PKEY_free it); CE_NOKEY "No private key could
 * be found for the given certificate." when none is kept or its time is
 * past now; CE_CRYPTO when the blob does not open. */
enum ce_err	retained_get(struct ce_db *db, struct ce_txn *txn,
		    int64_t cert_id, int64_t now, EVP_PKEY **out,
		    struct ce_error *err);

/* Deletes cert_id's kept key inside a write transaction (certdb.h's
 * cert_forget_key); CE_NOTFOUND when none is kept. */
enum ce_err	retained_del(struct ce_txn *txn, int64_t cert_id,
		    struct ce_error *err);

/* Deletes kept keys whose time is past now; returns how many. */
enum ce_err	retained_purge(struct ce_db *db, int64_t now, int *purged,
		    struct ce_error *err);

#endif
