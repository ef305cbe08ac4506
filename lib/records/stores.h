/*
 * stores.h - certificate store records, their locations, and store admin.
 *
 * Store record (T_STORES, key = lower-case GUID):
 *   {"id":"<guid>","container_id":7,"container_name":"Web servers"|null,
 *    "client_machine":"web01.example.com","store_path":"/srv/certs",
 *    "store_type":"PEM"|"PKCS12","properties":{"EncryptKeys":"true",...},
 *    "create_if_missing":false,
 *    "password_sealed":"<base64 sealed store password, aad store:<guid>>"|null,
 *    "inventory":[{"alias":"web","thumbprint":"AB..","has_key":true}],
 *    "inventoried":<epoch>|null}
 * Locations (T_LOCATIONS, key = db_idkey(cert id)):
 *   {"locations":[{"store_id":"<guid>","alias":"web"}]}
 * The store agent's inventory after each job is the truth for locations.
 */
#ifndef CE_STORES_H
#define CE_STORES_H

#include <stdint.h>
#include <json-c/json.h>
#include "certstore.h"
#include "error.h"

struct ce_db;
struct ce_txn;

#define GUID_LEN 36

/* 1 when s is a GUID (8-4-4-4-12 hex digits, any case). */
int		guid_valid(const char *s);
/* Lower-cases a valid GUID into buf (GUID_LEN + 1). */
void		guid_normalize(const char *s, char *buf);

struct store_def {
	int64_t		 container_id;
	const char	*container_name;	/* may be NULL */
	const char	*client_machine;
	const char	*store_path;
	const char	*store_type;		/* "PEM" or "PKCS12" */
	const char	*password;		/* store password; may be NULL */
	int		 create_if_missing;
	json_object	*properties;		/* may be NULL; borrowed */
};

/* Admin: validates and adds a store; writes its new GUID into guid. */
enum ce_err	store_add(struct ce_db *db, const struct store_def *def,
		    char guid[GUID_LEN + 1], struct ce_error *err);

/* Reads a store record: CE_INVAL for a malformed GUID, CE_NOTFOUND naming it. */
enum ce_err	store_get(struct ce_txn *txn, const char *guid, json_object **out,
		    struct ce_error *err);

/* Fills a certstore for the agent from a record; the store password is
 * unsealed into pwbuf (cleanse it after use). */
enum ce_err	store_open(struct ce_db *db, json_object *rec, struct certstore *out,
		    char *pwbuf, size_t pwbufsz, struct ce_error *err);

/* Keyfactor's store type number of a store record, or -1. */
int		store_type_id(json_object *store);
/* Whether the record's type needs an entry password. */
int		store_needs_entry_password(json_object *rec);

/* Reads the locations of a certificate (an empty list when none). */
enum ce_err	locations_get(struct ce_txn *txn, int64_t cert_id, json_object **out,
		    struct ce_error *err);

/*
 * Records an inventory of store guid: the store's "inventory" and the
 * locations of every certificate that entered or left it, in one write txn.
 */
enum ce_err	store_record_inventory(struct ce_db *db, const char *guid,
		    const struct certstore_item *items, size_t n,
		    struct ce_error *err);

#endif
