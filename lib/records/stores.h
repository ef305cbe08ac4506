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
#include "db.h"

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

/* A certificate store as its record holds it (store_clear frees). */
struct store_entry {
	char	*alias;
	char	 thumbprint[48];
	int	 has_key;
};

struct store {
	char			 id[GUID_LEN + 1];
	int64_t			 container_id;	/* -1: none */
	char			*container_name;
	char			*client_machine;
	char			*store_path;
	char			*store_type;	/* "PEM", "PKCS12" */
	json_object		*properties;	/* string map, or NULL */
	int			 create_if_missing;
	char			*password_sealed;
	struct store_entry	*inventory;
	size_t			 ninventory;
	int64_t			 inventoried;	/* time_t, 0: never */
};

/* Reads store guid: CE_INVAL for a malformed GUID, CE_NOTFOUND naming it. */
enum ce_err	store_get(struct ce_txn *txn, const char *guid, struct store *out,
		    struct ce_error *err);
/* Every store in GUID order, skipping skip, until cb returns non-zero or
 * limit were seen. */
typedef int	(*store_visit)(const struct store *s, void *arg);
enum ce_err	store_list(struct ce_txn *txn, int64_t skip, int64_t limit,
		    store_visit cb, void *arg, struct ce_error *err);
void		store_clear(struct store *s);
/* Whether the store's last inventory holds alias. */
int		store_has_alias(const struct store *s, const char *alias);

/* Every store record as stored, without its sealed password (the admin
 * command's listing). */
enum ce_err	store_dump(struct ce_txn *txn, db_visit cb, void *arg,
		    struct ce_error *err);
/* Fills a certstore for the agent; the store password is unsealed into
 * pwbuf (cleanse it after use). */
enum ce_err	store_open(struct ce_db *db, const struct store *s,
		    struct certstore *out, char *pwbuf, size_t pwbufsz,
		    struct ce_error *err);

/* Keyfactor's store type number of a store, or -1. */
int		store_type_id(const struct store *s);
/* Whether the store's type needs an entry password. */
int		store_needs_entry_password(const struct store *s);

/* Where a certificate is: a store and the alias there. */
struct location {
	char	 store_id[GUID_LEN + 1];
	char	*alias;
};

/* The locations of a certificate (*n 0 when none); locations_free. */
enum ce_err	locations_get(struct ce_txn *txn, int64_t cert_id,
		    struct location **out, size_t *n, struct ce_error *err);
void		locations_free(struct location *l, size_t n);

/*
 * Records an inventory of store guid: the store's "inventory" and the
 * locations of every certificate that entered or left it, in one write txn.
 */
enum ce_err	store_record_inventory(struct ce_db *db, const char *guid,
		    const struct certstore_item *items, size_t n,
		    struct ce_error *err);

#endif
