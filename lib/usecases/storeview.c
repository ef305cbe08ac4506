/*
 * storeview.c - the API object of a certificate store (GOCLI's
 * GetCertificateStoreResponse), one and paged (see certview.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "certview.h"
#include "jbuild.h"
#include "store.h"
#include "stores.h"
#include "storeview.h"

/* ---- certificate stores ------------------------------------------------ */

/* Properties as GOCLI reads it: the JSON text of a flat string map. */
static json_object *
properties_text(json_object *rec)
{
	json_object *props = NULL, *res = NULL;
	const char *s;
	struct jb p;

	jb_init(&p, json_object_new_object());
	if (json_object_object_get_ex(rec, "properties", &props) &&
	    json_object_is_type(props, json_type_object)) {
		json_object_object_foreach(props, k, v) {
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
display_name(json_object *rec)
{
	const char *m = jrec_str(rec, "client_machine");
	const char *p = jrec_str(rec, "store_path");
	json_object *res;
	char *s = NULL;

	if (asprintf(&s, "%s - %s", m != NULL ? m : "", p != NULL ? p : "") < 0)
		return NULL;
	res = json_object_new_string(s);
	free(s);
	return res;
}

enum ce_err
storeview_json(json_object *rec, json_object **out, struct ce_error *err)
{
	struct jb b;
	json_object *v;
	int type = store_type_id(rec);

	*out = NULL;
	if (jrec_str(rec, "id") == NULL || type < 0)
		return ce_fault(err, CE_DB, "store record %s is malformed",
		    jrec_str(rec, "id") != NULL ? jrec_str(rec, "id") :
		    "(no id)");
	jb_init(&b, json_object_new_object());
	jb_str(&b, "Id", jrec_str(rec, "id"));
	if (json_object_object_get_ex(rec, "container_id", &v) &&
	    json_object_is_type(v, json_type_int))
		jb_int(&b, "ContainerId", json_object_get_int64(v));
	else
		jb_null(&b, "ContainerId");
	jb_add(&b, "DisplayName", display_name(rec));
	jb_str(&b, "ClientMachine", jrec_str(rec, "client_machine"));
	jb_str(&b, "Storepath", jrec_str(rec, "store_path"));
	jb_null(&b, "CertStoreInventoryJobId");
	jb_int(&b, "CertStoreType", type);
	jb_bool(&b, "Approved", 1);
	jb_bool(&b, "CreateIfMissing", jrec_bool(rec, "create_if_missing"));
	jb_add(&b, "Properties", properties_text(rec));
	jb_null(&b, "AgentId");
	jb_bool(&b, "AgentAssigned", 1);
	jb_str(&b, "ContainerName", jrec_str(rec, "container_name"));
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
	json_object *rec = NULL;
	enum ce_err rc;

	*out = NULL;
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		goto out;
	/* CE_INVAL for a malformed GUID, CE_NOTFOUND naming it. */
	if ((rc = store_get(txn, guid, &rec, err)) != CE_OK)
		goto out;
	rc = storeview_json(rec, out, err);
out:
	db_abort(txn);
	json_object_put(rec);
	return rc;
}

/* A store listing being filled (the same paging as finder). */
struct lister {
	int64_t		 skip;
	int64_t		 left;
	json_object	*arr;
	enum ce_err	 rc;
	struct ce_error	*err;
};

static int
store_visit(const char *key, json_object *val, void *arg)
{
	struct lister *l = arg;
	json_object *view = NULL;

	(void)key;
	if (l->skip > 0) {
		l->skip--;
		return 0;
	}
	if ((l->rc = storeview_json(val, &view, l->err)) != CE_OK)
		return 1;
	if (json_object_array_add(l->arr, view) != 0) {
		json_object_put(view);
		l->rc = ce_fault(l->err, CE_NOMEM, "json array");
		return 1;
	}
	return --l->left <= 0;
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
	l.skip = query_offset(pg);
	l.left = pg->limit;
	l.err = err;
	if ((l.arr = json_object_new_array()) == NULL)
		return ce_fault(err, CE_NOMEM, "json array");
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK ||
	    (rc = db_foreach(txn, T_STORES, store_visit, &l, err)) != CE_OK)
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

