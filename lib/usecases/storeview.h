/*
 * storeview.h - certificate stores as GOCLI's GetCertificateStoreResponse
 * (GET /CertificateStores[/{id}]); see certview.h for the choices made.
 */
#ifndef CE_STOREVIEW_H
#define CE_STOREVIEW_H

#include <json-c/json.h>

#include "error.h"
#include "query.h"

/* GET /CertificateStores/{id}: CE_INVAL for a malformed GUID, CE_NOTFOUND. */
enum ce_err	storeview_get(struct ce_db *db, const char *guid,
		    json_object **out, struct ce_error *err);

/* GET /CertificateStores: the page pg of all stores, in GUID order. */
enum ce_err	storeview_list(struct ce_db *db, const struct paging *pg,
		    json_object **out, struct ce_error *err);

/*
 * GET /CertificateStores/{id}/Inventory: the store's last inventory (the
 * agent's, after each job) as Keyfactor's CertificateStoreInventory, one
 * item per alias: {Name, CertStoreInventoryItemId, Parameters {},
 * Certificates [{Id, IssuedDN, SerialNumber, NotBefore, NotAfter,
 * SigningAlgorithm, IssuerDN, Thumbprint, CertStoreInventoryItemId,
 * CertState, Metadata}]} -- a certificate certenroll did not issue shows
 * its Thumbprint with Id 0.  CE_INVAL for a malformed GUID, CE_NOTFOUND.
 */
enum ce_err	storeview_inventory(struct ce_db *db, const char *guid,
		    json_object **out, struct ce_error *err);

/* The API object of store st (never its password). */
struct store;
enum ce_err	storeview_json(const struct store *st, json_object **out,
		    struct ce_error *err);

#endif
