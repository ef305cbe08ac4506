/* revoked.c - a certificate's revocation and each CA's revoked list (see
 * revoked.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "jbuild.h"
#include "revoked.h"
#include "staging.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

int
revoke_reason_valid(int64_t code, int *unhold)
{
	*unhold = code == -1 || code == 7 || code == 8;
	return *unhold || (code >= 0 && code <= 6) || code == REVOKE_UNKNOWN;
}

int
revoke_reason_crl(int64_t code)
{
	return code >= 0 && code <= 6 ? (int)code : 0;
}

void
revoked_key(int64_t ca_id, const char *serial, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%020lld/%s", (long long)ca_id, serial);
}

/* The revoked list's entry of a certificate record. */
static enum ce_err
list_put(struct ce_txn *txn, const char *key, json_object *cert,
    json_object *rev, struct ce_error *err)
{
	json_object *e = json_object_new_object();
	enum ce_err rc;

	if (e == NULL)
		return ce_fault(err, CE_NOMEM, "revoked entry");
	ADD(e, "id", json_object_new_int64(jrec_int(cert, "id")));
	ADD(e, "serial", json_object_get(json_object_object_get(cert,
	    "serial")));
	ADD(e, "reason", json_object_new_int64(jrec_int(rev, "reason")));
	ADD(e, "date", json_object_new_int64(jrec_int(rev, "date")));
	rc = db_put(txn, T_REVOKED, key, e, err);
	json_object_put(e);
	return rc;
}

/* The key of serial's change under CA ca_id (revoked.h); 0 when it does
 * not fit (two serials must never share one). */
static int
change_key(int64_t ca_id, const char *serial, char *buf, size_t bufsz)
{
	char id[DB_IDKEY_MAX];
	int n = snprintf(buf, bufsz, "%s/log/%s", db_idkey((uint64_t)ca_id, id),
	    serial);

	return n > 0 && (size_t)n < bufsz;
}

/*
 * The CA's last CRL no longer lists what is revoked: marked so, in the
 * revocation's own write, the agent makes the next even when the
 * revocation's own CRL is not made (crl.h); and the change logged for the
 * next delta CRL (rev NULL: a hold taken off).  No CRL yet: nothing to
 * mark, the first lists everything.
 */
static enum ce_err
crl_changed(struct ce_txn *txn, int64_t ca_id, const char *serial,
    json_object *rev, struct ce_error *err)
{
	json_object *meta = NULL, *c = NULL;
	char key[DB_IDKEY_MAX], ckey[96];
	enum ce_err rc;

	rc = db_get(txn, T_CRLS, db_idkey((uint64_t)ca_id, key), &meta, err);
	if (rc == CE_NOTFOUND) {
		ce_error_clear(err);
		return CE_OK;
	}
	if (rc != CE_OK)
		return rc;
	if ((c = json_object_new_object()) == NULL) {
		json_object_put(meta);
		return ce_fault(err, CE_NOMEM, "CRL change");
	}
	ADD(c, "serial", json_object_new_string(serial));
	ADD(c, "since", json_object_new_int64(jrec_int(meta, "number")));
	if (rev != NULL) {
		ADD(c, "reason", json_object_new_int64(jrec_int(rev, "reason")));
		ADD(c, "date", json_object_new_int64(jrec_int(rev, "date")));
	} else {
		ADD(c, "removed", json_object_new_boolean(1));
		ADD(c, "date", json_object_new_int64(time(NULL)));
	}
	ADD(meta, "stale", json_object_new_boolean(1));
	if (!change_key(ca_id, serial, ckey, sizeof(ckey)))
		rc = ce_fault(err, CE_INVAL, "serial %.64s is too long", serial);
	else if ((rc = db_put(txn, T_CRLS, key, meta, err)) == CE_OK)
		rc = db_put(txn, T_CRLS, ckey, c, err);
	json_object_put(meta);
	json_object_put(c);
	return rc;
}

static json_object *
revocation_json(const struct revocation *r)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	ADD(o, "reason", json_object_new_int64(r->reason));
	ADD(o, "date", json_object_new_int64(r->date));
	ADD(o, "comment", r->comment != NULL ?
	    json_object_new_string(r->comment) : NULL);
	ADD(o, "by", r->by != NULL ? json_object_new_string(r->by) : NULL);
	ADD(o, "recorded", json_object_new_int64(time(NULL)));
	return o;
}

enum ce_err
cert_revoke(struct ce_txn *txn, int64_t id, int64_t ca_id,
    const struct revocation *r, int unhold, enum revoke_outcome *out,
    struct ce_error *err)
{
	json_object *cert = NULL, *old, *rev = NULL;
	const char *state, *serial;
	char key[DB_IDKEY_MAX], lkey[96];
	int revoked, held;
	enum ce_err rc;

	rc = db_get(txn, T_CERTS, db_idkey((uint64_t)id, key), &cert, err);
	if (rc == CE_NOTFOUND)
		return ce_fail(err, CE_NOTFOUND, "Certificate %lld was not found.",
		    (long long)id);
	if (rc != CE_OK)
		return rc;
	state = json_object_get_string(json_object_object_get(cert, "state"));
	serial = json_object_get_string(json_object_object_get(cert, "serial"));
	old = json_object_object_get(cert, "revocation");
	revoked = state != NULL && strcmp(state, "revoked") == 0;
	held = revoked && jrec_int(old, "reason") == REVOKE_HOLD;
	revoked_key(ca_id, serial != NULL ? serial : "", lkey, sizeof(lkey));
	if (unhold) {
		*out = held ? UNHELD : NOT_HELD;
		if (!held)
			goto out;
		ADD(cert, "state", json_object_new_string("active"));
		json_object_object_del(cert, "revocation");
		if ((rc = db_put(txn, T_CERTS, key, cert, err)) == CE_OK &&
		    (rc = db_del(txn, T_REVOKED, lkey, err)) == CE_NOTFOUND) {
			ce_error_clear(err);
			rc = CE_OK;
		}
		if (rc == CE_OK)
			rc = crl_changed(txn, ca_id, serial, NULL, err);
		goto out;
	}
	/* Once for good, a revocation stays as it was; a hold may become
	 * a revocation for good. */
	if (revoked && (!held || r->reason == REVOKE_HOLD)) {
		*out = REVOKED_ALREADY;
		goto out;
	}
	*out = REVOKED_NOW;
	if ((rev = revocation_json(r)) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "revocation");
		goto out;
	}
	ADD(cert, "state", json_object_new_string("revoked"));
	ADD(cert, "revocation", json_object_get(rev));
	if ((rc = db_put(txn, T_CERTS, key, cert, err)) == CE_OK)
		rc = list_put(txn, lkey, cert, rev, err);
	/* Its key, kept for a Deploy, goes: nothing delivers it now. */
	if (rc == CE_OK && (rc = staging_del(txn, id, err)) == CE_NOTFOUND) {
		ce_error_clear(err);
		rc = CE_OK;
	}
	if (rc == CE_OK)
		rc = crl_changed(txn, ca_id, serial, rev, err);
out:
	json_object_put(rev);
	json_object_put(cert);
	return rc;
}

struct listing {
	revoked_visit	 cb;
	void		*arg;
};

static int
list_cb(const char *key, json_object *rec, void *arg)
{
	struct listing *l = arg;
	struct revoked_entry e;

	(void)key;
	e.id = jrec_int(rec, "id");
	e.serial = json_object_get_string(json_object_object_get(rec, "serial"));
	e.reason = jrec_int(rec, "reason");
	e.date = (time_t)jrec_int(rec, "date");
	e.removed = jrec_bool(rec, "removed");
	e.since = jrec_int(rec, "since");
	if (e.removed)
		e.reason = REVOKE_HOLD;
	return e.serial != NULL ? l->cb(&e, l->arg) : 0;
}

enum ce_err
revoked_list(struct ce_txn *txn, int64_t ca_id, revoked_visit cb, void *arg,
    struct ce_error *err)
{
	struct listing l = { cb, arg };
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "%020lld/", (long long)ca_id);
	return db_foreach_prefix(txn, T_REVOKED, prefix, list_cb, &l, err);
}

enum ce_err
revoked_changes(struct ce_txn *txn, int64_t ca_id, revoked_visit cb,
    void *arg, struct ce_error *err)
{
	struct listing l = { cb, arg };
	char prefix[DB_IDKEY_MAX + 8];

	change_key(ca_id, "", prefix, sizeof(prefix));
	return db_foreach_prefix(txn, T_CRLS, prefix, list_cb, &l, err);
}

struct keys {
	json_object	*list;
	int64_t		 before;
	int		 nomem;
};

static int
key_cb(const char *key, json_object *rec, void *arg)
{
	struct keys *k = arg;
	json_object *s;

	if (jrec_int(rec, "since") >= k->before)
		return 0;
	if ((s = json_object_new_string(key)) == NULL ||
	    json_object_array_add(k->list, s) != 0) {
		json_object_put(s);
		k->nomem = 1;
		return 1;
	}
	return 0;
}

enum ce_err
revoked_changes_prune(struct ce_txn *txn, int64_t ca_id, int64_t before,
    struct ce_error *err)
{
	struct keys k = { json_object_new_array(), before, 0 };
	char prefix[DB_IDKEY_MAX + 8];
	enum ce_err rc;
	size_t i;

	if (k.list == NULL)
		return ce_fault(err, CE_NOMEM, "CRL changes");
	change_key(ca_id, "", prefix, sizeof(prefix));
	/* Collected first: no deletion under the walk's cursor. */
	rc = db_foreach_prefix(txn, T_CRLS, prefix, key_cb, &k, err);
	if (rc == CE_OK && k.nomem)
		rc = ce_fault(err, CE_NOMEM, "CRL changes");
	for (i = 0; rc == CE_OK && i < json_object_array_length(k.list); i++)
		rc = db_del(txn, T_CRLS, json_object_get_string(
		    json_object_array_get_idx(k.list, i)), err);
	json_object_put(k.list);
	return rc;
}
