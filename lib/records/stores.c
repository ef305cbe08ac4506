/* stores.c - certificate store records and locations (see stores.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "b64.h"
#include "certdb.h"
#include "jbuild.h"
#include "output.h"
#include "seal.h"
#include "db.h"
#include "stores.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

int
guid_valid(const char *s)
{
	static const int dash[] = { 8, 13, 18, 23 };
	size_t i, d = 0;

	if (s == NULL || strlen(s) != GUID_LEN)
		return 0;
	for (i = 0; i < GUID_LEN; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (s[i] != '-')
				return 0;
			d++;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

void
guid_normalize(const char *s, char *buf)
{
	size_t i;

	for (i = 0; i < GUID_LEN; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[GUID_LEN] = '\0';
}

/* A random (version 4) GUID. */
static enum ce_err
guid_new(char buf[GUID_LEN + 1], struct ce_error *err)
{
	unsigned char r[16];

	if (RAND_bytes(r, sizeof(r)) != 1)
		return ce_fault(err, CE_CRYPTO, "RAND_bytes");
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	snprintf(buf, GUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5], r[6],
	    r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
	return CE_OK;
}

static json_object *
props_or_empty(json_object *p)
{
	return p != NULL ? json_object_get(p) : json_object_new_object();
}

/* Seals the store password into the record. */
static enum ce_err
seal_password(struct ce_db *db, const char *guid, const char *pw,
    json_object *rec, struct ce_error *err)
{
	struct ce_buf sealed = { NULL, 0 };
	char aad[64], *b64;
	enum ce_err rc;

	if (pw == NULL) {
		ADD(rec, "password_sealed", NULL);
		return CE_OK;
	}
	snprintf(aad, sizeof(aad), "store:%s", guid);
	if ((rc = seal(db_key_dir(db), aad, (const unsigned char *)pw, strlen(pw),
	    &sealed, err)) != CE_OK)
		return rc;
	b64 = b64_encode(sealed.data, sealed.len);
	buf_free(&sealed);
	if (b64 == NULL)
		return ce_fault(err, CE_NOMEM, "base64");
	ADD(rec, "password_sealed", json_object_new_string(b64));
	free(b64);
	return CE_OK;
}

enum ce_err
store_add(struct ce_db *db, const struct store_def *def, char guid[GUID_LEN + 1],
    struct ce_error *err)
{
	json_object *rec = NULL;
	enum ce_err rc;
	int type;

	if ((type = certstore_type_parse(def->store_type)) < 0)
		return ce_fail(err, CE_INVAL, "store type '%s' is not supported "
		    "(PEM, PKCS12)", def->store_type ? def->store_type : "");
	if (def->store_path == NULL || def->store_path[0] != '/')
		return ce_fail(err, CE_INVAL, "store path must be absolute");
	if (def->container_id < 0)
		return ce_fail(err, CE_INVAL, "container id must be >= 0");
	if (type == CERTSTORE_PKCS12 && (def->password == NULL || !*def->password))
		return ce_fail(err, CE_INVAL, "a PKCS12 store needs a store password");
	if ((rc = guid_new(guid, err)) != CE_OK)
		return rc;
	if ((rec = json_object_new_object()) == NULL)
		return ce_fault(err, CE_NOMEM, "json");
	ADD(rec, "id", json_object_new_string(guid));
	ADD(rec, "container_id", json_object_new_int64(def->container_id));
	ADD(rec, "container_name", def->container_name ?
	    json_object_new_string(def->container_name) : NULL);
	ADD(rec, "client_machine", json_object_new_string(def->client_machine ?
	    def->client_machine : "localhost"));
	ADD(rec, "store_path", json_object_new_string(def->store_path));
	ADD(rec, "store_type", json_object_new_string(
	    certstore_type_name((enum certstore_type)type)));
	ADD(rec, "properties", props_or_empty(def->properties));
	ADD(rec, "create_if_missing", json_object_new_boolean(def->create_if_missing));
	ADD(rec, "inventory", json_object_new_array());
	ADD(rec, "inventoried", NULL);
	if ((rc = seal_password(db, guid, def->password, rec, err)) == CE_OK)
		rc = db_write_put(db, T_STORES, guid, rec, err);
	json_object_put(rec);
	return rc;
}

/* out from the stored JSON. */
static enum ce_err
store_from(json_object *rec, struct store *out, struct ce_error *err)
{
	json_object *v, *inv;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", jrec_str(rec, "id") ?
	    jrec_str(rec, "id") : "");
	out->container_id = json_object_object_get_ex(rec, "container_id", &v) &&
	    json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
	out->container_name = jrec_strdup(rec, "container_name");
	out->client_machine = jrec_strdup(rec, "client_machine");
	out->store_path = jrec_strdup(rec, "store_path");
	out->store_type = jrec_strdup(rec, "store_type");
	if (json_object_object_get_ex(rec, "properties", &v) &&
	    json_object_is_type(v, json_type_object))
		out->properties = json_object_get(v);
	out->create_if_missing = json_object_object_get_ex(rec,
	    "create_if_missing", &v) && json_object_get_boolean(v);
	out->password_sealed = jrec_strdup(rec, "password_sealed");
	out->inventoried = json_object_object_get_ex(rec, "inventoried", &v) &&
	    json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
	inv = json_object_object_get(rec, "inventory");
	if ((n = json_arr_len(inv)) > 0 &&
	    (out->inventory = calloc(n, sizeof(*out->inventory))) == NULL) {
		store_clear(out);
		return ce_fault(err, CE_NOMEM, "store");
	}
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(inv, i);
		struct store_entry *se = &out->inventory[out->ninventory];

		if (jrec_str(e, "alias") == NULL)
			continue;
		if ((se->alias = strdup(jrec_str(e, "alias"))) == NULL) {
			store_clear(out);
			return ce_fault(err, CE_NOMEM, "store");
		}
		snprintf(se->thumbprint, sizeof(se->thumbprint), "%s",
		    jrec_str(e, "thumbprint") ? jrec_str(e, "thumbprint") : "");
		se->has_key = json_object_object_get_ex(e, "has_key", &v) &&
		    json_object_get_boolean(v);
		out->ninventory++;
	}
	return CE_OK;
}

void
store_clear(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->container_name);
	free(s->client_machine);
	free(s->store_path);
	free(s->store_type);
	json_object_put(s->properties);
	free(s->password_sealed);
	for (i = 0; i < s->ninventory; i++)
		free(s->inventory[i].alias);
	free(s->inventory);
	memset(s, 0, sizeof(*s));
}

/* The stored record of store guid (CE_INVAL, CE_NOTFOUND as store_get). */
static enum ce_err
store_json(struct ce_txn *txn, const char *guid, json_object **out,
    struct ce_error *err)
{
	char key[GUID_LEN + 1];
	enum ce_err rc;

	*out = NULL;
	if (!guid_valid(guid))
		return ce_fail(err, CE_INVAL, "'%.64s' is not a valid certificate "
		    "store id (a GUID).", guid ? guid : "");
	guid_normalize(guid, key);
	rc = db_get(txn, T_STORES, key, out, err);
	if (rc == CE_NOTFOUND)
		return ce_fail(err, CE_NOTFOUND, "Certificate store %s was not "
		    "found.", key);
	return rc;
}

enum ce_err
store_get(struct ce_txn *txn, const char *guid, struct store *out,
    struct ce_error *err)
{
	json_object *rec = NULL;
	enum ce_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_json(txn, guid, &rec, err)) == CE_OK)
		rc = store_from(rec, out, err);
	json_object_put(rec);
	return rc;
}

struct listing {
	int64_t		 skip, left;
	store_visit	 cb;
	void		*arg;
	struct ce_error	*err;
	enum ce_err	 rc;
};

static int
list_cb(const char *key, json_object *rec, void *arg)
{
	struct listing *l = arg;
	struct store s;
	int stop;

	(void)key;
	if (l->skip > 0) {
		l->skip--;
		return 0;
	}
	if ((l->rc = store_from(rec, &s, l->err)) != CE_OK)
		return 1;
	stop = l->cb(&s, l->arg);
	store_clear(&s);
	return stop || --l->left <= 0;
}

enum ce_err
store_list(struct ce_txn *txn, int64_t skip, int64_t limit, store_visit cb,
    void *arg, struct ce_error *err)
{
	struct listing l = { skip, limit, cb, arg, err, CE_OK };
	enum ce_err rc;

	if (limit <= 0)
		return CE_OK;
	rc = db_foreach(txn, T_STORES, list_cb, &l, err);
	return rc != CE_OK ? rc : l.rc;
}

int
store_has_alias(const struct store *s, const char *alias)
{
	size_t i;

	for (i = 0; alias != NULL && i < s->ninventory; i++)
		if (strcmp(s->inventory[i].alias, alias) == 0)
			return 1;
	return 0;
}

int
store_needs_entry_password(const struct store *st)
{
	struct certstore s;
	json_object *v;

	memset(&s, 0, sizeof(s));
	s.type = (enum certstore_type)certstore_type_parse(st->store_type ?
	    st->store_type : "");
	s.encrypt_keys = 1;
	if (st->properties != NULL &&
	    (v = json_object_object_get(st->properties, "EncryptKeys")) != NULL)
		s.encrypt_keys = strcasecmp(json_object_get_string(v), "false") != 0;
	return certstore_needs_entry_password(&s);
}

enum ce_err
store_open(struct ce_db *db, const struct store *st, struct certstore *out,
    char *pwbuf, size_t pwbufsz, struct ce_error *err)
{
	struct ce_buf sealed = { NULL, 0 }, pw = { NULL, 0 };
	char aad[64];
	enum ce_err rc;
	int type;

	memset(out, 0, sizeof(*out));
	pwbuf[0] = '\0';
	if ((type = certstore_type_parse(st->store_type ? st->store_type :
	    "")) < 0 || st->id[0] == '\0' || (out->path = st->store_path) == NULL)
		return ce_fault(err, CE_DB, "store record is malformed");
	out->type = (enum certstore_type)type;
	out->encrypt_keys = store_needs_entry_password(st);
	out->create_if_missing = st->create_if_missing;
	if (st->password_sealed == NULL)
		return CE_OK;
	snprintf(aad, sizeof(aad), "store:%s", st->id);
	if ((rc = b64_decode(st->password_sealed, &sealed)) != CE_OK)
		return ce_fault(err, CE_DB, "store password is malformed");
	rc = unseal(db_key_dir(db), aad, sealed.data, sealed.len, &pw, err);
	buf_free(&sealed);
	if (rc != CE_OK)
		return rc;
	if (pw.len >= pwbufsz) {
		buf_free(&pw);
		return ce_fault(err, CE_DB, "store password too long");
	}
	memcpy(pwbuf, pw.data, pw.len);
	pwbuf[pw.len] = '\0';
	buf_free(&pw);
	out->password = pwbuf;
	return CE_OK;
}

/* The stored list of cert_id's locations (a new reference; an empty array
 * when there are none). */
static enum ce_err
locations_json(struct ce_txn *txn, int64_t cert_id, json_object **out,
    struct ce_error *err)
{
	json_object *rec = NULL, *arr;
	char key[DB_IDKEY_MAX];
	enum ce_err rc;

	*out = NULL;
	rc = db_get(txn, T_LOCATIONS, db_idkey((uint64_t)cert_id, key), &rec, err);
	if (rc == CE_NOTFOUND) {
		*out = json_object_new_array();
		return *out ? CE_OK : ce_fault(err, CE_NOMEM, "json");
	}
	if (rc != CE_OK)
		return rc;
	if (json_object_object_get_ex(rec, "locations", &arr))
		*out = json_object_get(arr);
	else
		*out = json_object_new_array();
	json_object_put(rec);
	return CE_OK;
}

enum ce_err
locations_get(struct ce_txn *txn, int64_t cert_id, struct location **out,
    size_t *n, struct ce_error *err)
{
	json_object *arr = NULL;
	size_t i, len;
	enum ce_err rc;

	*out = NULL;
	*n = 0;
	if ((rc = locations_json(txn, cert_id, &arr, err)) != CE_OK)
		return rc;
	if ((len = json_arr_len(arr)) > 0 &&
	    (*out = calloc(len, sizeof(**out))) == NULL) {
		json_object_put(arr);
		return ce_fault(err, CE_NOMEM, "locations");
	}
	for (i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct location *l = &(*out)[*n];

		if (jrec_str(e, "store_id") == NULL || jrec_str(e, "alias") == NULL)
			continue;
		snprintf(l->store_id, sizeof(l->store_id), "%s",
		    jrec_str(e, "store_id"));
		if ((l->alias = strdup(jrec_str(e, "alias"))) == NULL) {
			locations_free(*out, *n);
			*out = NULL;
			*n = 0;
			json_object_put(arr);
			return ce_fault(err, CE_NOMEM, "locations");
		}
		(*n)++;
	}
	json_object_put(arr);
	return CE_OK;
}

void
locations_free(struct location *l, size_t n)
{
	size_t i;

	for (i = 0; l != NULL && i < n; i++)
		free(l[i].alias);
	free(l);
}

/* Rewrites the locations of cert_id: drops entries of store guid, then
 * adds one per alias in items whose thumbprint is this certificate's. */
static enum ce_err
relocate(struct ce_txn *txn, int64_t cert_id, const char *guid,
    const char *thumbprint, const struct certstore_item *items, size_t n,
    struct ce_error *err)
{
	json_object *old = NULL, *fresh = NULL, *rec = NULL, *e;
	char key[DB_IDKEY_MAX];
	enum ce_err rc;
	size_t i;

	if ((rc = locations_json(txn, cert_id, &old, err)) != CE_OK)
		return rc;
	if ((fresh = json_object_new_array()) == NULL ||
	    (rec = json_object_new_object()) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "json");
		goto out;
	}
	for (i = 0; i < json_arr_len(old); i++) {
		e = json_object_array_get_idx(old, i);
		if (strcmp(jrec_str(e, "store_id") ? jrec_str(e, "store_id") : "", guid))
			json_object_array_add(fresh, json_object_get(e));
	}
	for (i = 0; i < n; i++) {
		if (strcasecmp(items[i].thumbprint, thumbprint) != 0)
			continue;
		e = json_object_new_object();
		ADD(e, "store_id", json_object_new_string(guid));
		ADD(e, "alias", json_object_new_string(items[i].alias));
		json_object_array_add(fresh, e);
	}
	ADD(rec, "locations", fresh);
	fresh = NULL;
	rc = db_put(txn, T_LOCATIONS, db_idkey((uint64_t)cert_id, key), rec, err);
out:
	json_object_put(old);
	json_object_put(fresh);
	json_object_put(rec);
	return rc;
}

/* Certificate id of a thumbprint we issued, or 0. */
static int64_t
cert_of(struct ce_txn *txn, const char *tp)
{
	int64_t id = 0;

	if (cert_by_thumbprint(txn, tp, &id, NULL) != CE_OK)
		return 0;
	return id;
}

/* Collects the thumbprints in a JSON inventory and a new item list. */
static int
seen(const char **list, size_t n, const char *tp)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(list[i], tp) == 0)
			return 1;
	return 0;
}

struct inventory {
	const char			*guid;
	const struct certstore_item	*items;
	size_t				 n;
};

static enum ce_err
inventory_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct inventory *iv = arg;
	const struct certstore_item *items = iv->items;
	size_t n = iv->n;
	json_object *rec = NULL, *old, *inv = NULL, *e;
	const char **tps = NULL;
	size_t i, ntp = 0, nold;
	int64_t cid;
	enum ce_err rc;

	if ((rc = store_json(txn, iv->guid, &rec, err)) != CE_OK)
		goto out;
	old = json_object_object_get(rec, "inventory");
	nold = json_arr_len(old);
	if ((tps = calloc(n + nold + 1, sizeof(*tps))) == NULL ||
	    (inv = json_object_new_array()) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "inventory");
		goto out;
	}
	/* Every certificate that was or is in the store gets its locations
	 * recomputed for this store. */
	for (i = 0; i < nold; i++) {
		const char *tp = jrec_str(json_object_array_get_idx(old, i), "thumbprint");
		if (tp != NULL && !seen(tps, ntp, tp))
			tps[ntp++] = tp;
	}
	for (i = 0; i < n; i++) {
		if (!seen(tps, ntp, items[i].thumbprint))
			tps[ntp++] = items[i].thumbprint;
		e = json_object_new_object();
		ADD(e, "alias", json_object_new_string(items[i].alias));
		ADD(e, "thumbprint", json_object_new_string(items[i].thumbprint));
		ADD(e, "has_key", json_object_new_boolean(items[i].has_key));
		json_object_array_add(inv, e);
	}
	for (i = 0; i < ntp; i++)
		if ((cid = cert_of(txn, tps[i])) > 0 && (rc = relocate(txn, cid,
		    jrec_str(rec, "id"), tps[i], items, n, err)) != CE_OK)
			goto out;
	ADD(rec, "inventory", inv);
	inv = NULL;
	ADD(rec, "inventoried", json_object_new_int64(time(NULL)));
	rc = db_put(txn, T_STORES, jrec_str(rec, "id"), rec, err);
out:
	free(tps);
	json_object_put(inv);
	json_object_put(rec);
	return rc;
}

enum ce_err
store_record_inventory(struct ce_db *db, const char *guid,
    const struct certstore_item *items, size_t n, struct ce_error *err)
{
	struct inventory iv = { guid, items, n };

	return db_write(db, inventory_fn, &iv, err);
}

/* Keyfactor's store type number of a store, or -1. */
int
store_type_id(const struct store *s)
{
	int type = s->store_type != NULL ? certstore_type_parse(s->store_type) :
	    -1;

	return type >= 0 ? certstore_type_id((enum certstore_type)type) : -1;
}

enum ce_err
store_dump(struct ce_txn *txn, db_visit cb, void *arg, struct ce_error *err)
{
	return db_foreach_omit(txn, T_STORES, "password_sealed", cb, arg, err);
}
