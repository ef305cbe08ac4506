/*
 * storeview.c - the API object of a certificate store (GOCLI's
 * GetCertificateStoreResponse), one and paged (see certview.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "certdb.h"
#include "certview.h"
#include "jbuild.h"
#include "db.h"
#include "stores.h"
#include "storeview.h"

/* ---- certificate stores ------------------------------------------------ */

/* Properties as GOCLI reads it: the JSON text of a flat string map. */
static json_object *
properties_text(const struct store *st)
{
	json_object *res = NULL;
	const char *s;
	struct jb p;

	jb_init(&p, json_object_new_object());
	if (st->properties != NULL) {
		json_object_object_foreach(st->properties, k, v) {
			if (v != NULL)
				jb_str(&p, k, json_object_get_string(v));
		}
	}
	if (!p.bad && (s = json_object_to_json_string_ext(p.o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) != NULL)
		res = json_object_new_string(s);
	json_object_put(p.o);
	return res;
}

/* DisplayName: "<ClientMachine> - <StorePath>". */
static json_object *
display_name(const struct store *st)
{
	json_object *res;
	char *s = NULL;

	if (asprintf(&s, "%s - %s", st->client_machine ? st->client_machine :
	    "", st->store_path ? st->store_path : "") < 0)
		return NULL;
	res = json_object_new_string(s);
	free(s);
	return res;
}

enum ce_err
storeview_json(const struct store *st, json_object **out, struct ce_error *err)
{
	struct jb b;
	int type = store_type_id(st);

	*out = NULL;
	if (st->id[0] == '\0' || type < 0)
		return ce_fault(err, CE_DB, "store record %s is malformed",
		    st->id[0] ? st->id : "(no id)");
	jb_init(&b, json_object_new_object());
	jb_str(&b, "Id", st->id);
	if (st->container_id >= 0)
		jb_int(&b, "ContainerId", st->container_id);
	else
		jb_null(&b, "ContainerId");
	jb_add(&b, "DisplayName", display_name(st));
	jb_str(&b, "ClientMachine", st->client_machine);
	jb_str(&b, "Storepath", st->store_path);
	jb_null(&b, "CertStoreInventoryJobId");
	jb_int(&b, "CertStoreType", type);
	jb_bool(&b, "Approved", 1);
	jb_bool(&b, "CreateIfMissing", st->create_if_missing);
	jb_add(&b, "Properties", properties_text(st));
	jb_null(&b, "AgentId");
	jb_bool(&b, "AgentAssigned", 1);
	jb_str(&b, "ContainerName", st->container_name);
	jb_add(&b, "InventorySchedule", json_object_new_object());
	jb_add(&b, "ReenrollmentStatus", json_object_new_object());
	jb_bool(&b, "SetNewPasswordAllowed", 0);
	jb_add(&b, "Password", json_object_new_object());
	return jb_end(&b, out, err);
}

enum ce_err
storeview_get(struct ce_db *db, const char *guid, json_object **out,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct store st;
	enum ce_err rc;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		goto out;
	/* CE_INVAL for a malformed GUID, CE_NOTFOUND naming it. */
	if ((rc = store_get(txn, guid, &st, err)) != CE_OK)
		goto out;
	rc = storeview_json(&st, out, err);
out:
	db_abort(txn);
	store_clear(&st);
	return rc;
}

/* A store listing being filled. */
struct lister {
	json_object	*arr;
	enum ce_err	 rc;
	struct ce_error	*err;
};

static int
list_visit(const struct store *st, void *arg)
{
	struct lister *l = arg;
	json_object *view = NULL;

	if ((l->rc = storeview_json(st, &view, l->err)) != CE_OK)
		return 1;
	if (json_object_array_add(l->arr, view) != 0) {
		json_object_put(view);
		l->rc = ce_fault(l->err, CE_NOMEM, "json array");
		return 1;
	}
	return 0;
}

enum ce_err
storeview_list(struct ce_db *db, const struct paging *pg, json_object **out,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct lister l;
	enum ce_err rc;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.err = err;
	if ((l.arr = json_object_new_array()) == NULL)
		return ce_fault(err, CE_NOMEM, "json array");
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK ||
	    (rc = store_list(txn, query_offset(pg), pg->limit, list_visit, &l,
	    err)) != CE_OK)
		goto out;
	rc = l.rc;
out:
	db_abort(txn);
	if (rc == CE_OK)
		*out = l.arr;
	else
		json_object_put(l.arr);
	return rc;
}

/* ---- inventories ------------------------------------------------------- */

/* One certificate of an inventory item, as its record shows it. */
static json_object *
inventory_cert(struct ce_txn *txn, const struct store_entry *e, int64_t item)
{
	struct ce_error scratch;
	struct cert c;
	int64_t id = 0;
	struct jb b;

	memset(&c, 0, sizeof(c));
	if (cert_by_thumbprint(txn, e->thumbprint, &id, &scratch) != CE_OK ||
	    cert_get(txn, id, &c, &scratch) != CE_OK)
		id = 0;
	jb_init(&b, json_object_new_object());
	jb_int(&b, "Id", id);
	jb_str(&b, "IssuedDN", c.subject);
	jb_str(&b, "SerialNumber", c.serial);
	if (id > 0) {
		jb_date(&b, "NotBefore", c.not_before);
		jb_date(&b, "NotAfter", c.not_after);
	} else {
		jb_null(&b, "NotBefore");
		jb_null(&b, "NotAfter");
	}
	jb_str(&b, "SigningAlgorithm", cert_fact(&c, "SigningAlgorithm"));
	jb_str(&b, "IssuerDN", c.issuer);
	jb_str(&b, "Thumbprint", e->thumbprint);
	jb_int(&b, "CertStoreInventoryItemId", item);
	jb_int(&b, "CertState", id == 0 ? 0 : c.state == CERT_REVOKED ? 2 : 1);
	jb_add(&b, "Metadata", c.metadata != NULL ? json_object_get(c.metadata) :
	    json_object_new_object());
	cert_clear(&c);
	if (b.bad) {
		json_object_put(b.o);
		return NULL;
	}
	return b.o;
}

enum ce_err
storeview_inventory(struct ce_db *db, const char *guid, json_object **out,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	json_object *arr = NULL, *certs;
	struct store st;
	struct jb b;
	enum ce_err rc;
	size_t i;
	int bad = 0;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	if ((rc = store_get(txn, guid, &st, err)) != CE_OK)
		goto out;
	if ((arr = json_object_new_array()) == NULL)
		bad = 1;
	for (i = 0; !bad && i < st.ninventory; i++) {
		certs = json_object_new_array();
		jb_arr_add(certs, inventory_cert(txn, &st.inventory[i],
		    (int64_t)i + 1), &bad);
		jb_init(&b, json_object_new_object());
		jb_str(&b, "Name", st.inventory[i].alias);
		jb_int(&b, "CertStoreInventoryItemId", (int64_t)i + 1);
		jb_add(&b, "Certificates", certs);
		jb_add(&b, "Parameters", json_object_new_object());
		bad |= b.bad;
		jb_arr_add(arr, b.o, &bad);
	}
	if (bad)
		rc = ce_fault(err, CE_NOMEM, "inventory");
out:
	db_abort(txn);
	store_clear(&st);
	if (rc == CE_OK)
		*out = arr;
	else
		json_object_put(arr);
	return rc;
}
