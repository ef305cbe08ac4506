/*
 * revoke.c - POST /Certificates/Revoke (see revoke.h): the input checked
 * once, then every id in one write transaction, each with its own outcome.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ca.h"
#include "certdb.h"
#include "crl.h"
#include "db.h"
#include "fields.h"
#include "log.h"
#include "revoke.h"
#include "revoked.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

/* One Revoke being written: its input and, from the run that commits,
 * the ids done and the failures. */
struct revoking {
	const struct revoke_input *in;
	struct revocation	 r;
	int			 unhold;
	json_object		*done;		/* [id] */
	json_object		*failed;	/* [{"Id","Reason"}] */
	json_object		*cas;		/* [CA name]: CRLs to make */
	json_object		*changed;	/* [id]: revoked or off hold now */
	json_object		*failed_ids;	/* [id] of failed */
	char			 first_why[160]; /* the first failure's */
};

static int
listed(json_object *arr, int64_t id)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++)
		if (json_object_get_int64(json_object_array_get_idx(arr, i)) ==
		    id)
			return 1;
	return 0;
}

static int
named(json_object *arr, const char *name)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr,
		    i)), name) == 0)
			return 1;
	return 0;
}

static int
add_name(json_object *arr, const char *name)
{
	json_object *s = json_object_new_string(name);

	if (s == NULL || json_object_array_add(arr, s) != 0) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

static enum ce_err
fail_one(struct revoking *v, int64_t id, const char *why, struct ce_error *err)
{
	json_object *f = json_object_new_object();

	if (f == NULL || ADD(f, "Id", json_object_new_int64(id)) != 0 ||
	    ADD(f, "Reason", json_object_new_string(why)) != 0 ||
	    json_object_array_add(v->failed, f) != 0) {
		json_object_put(f);
		return ce_fault(err, CE_NOMEM, "revoke failure");
	}
	if (v->first_why[0] == '\0')
		snprintf(v->first_why, sizeof(v->first_why), "%s", why);
	if (json_object_array_add(v->failed_ids, json_object_new_int64(id)) != 0)
		return ce_fault(err, CE_NOMEM, "revoke failure");
	return CE_OK;
}

/* One id: revoked (or taken off hold), or a failure of its own. */
static enum ce_err
revoke_one(struct ce_txn *txn, struct revoking *v, int64_t id,
    struct ce_error *err)
{
	enum revoke_outcome out;
	struct ce_error e;
	struct cert c;
	int64_t ca_id;
	char why[160];
	enum ce_err rc;

	ce_error_clear(&e);
	if ((rc = cert_get(txn, id, &c, &e)) == CE_NOTFOUND)
		return fail_one(v, id, e.msg, err);
	if (rc != CE_OK) {
		*err = e;
		return rc;
	}
	rc = ca_record_id(txn, c.ca, &ca_id, err);
	if (rc == CE_OK)
		rc = cert_revoke(txn, id, ca_id, &v->r, v->unhold, &out, err);
	if (rc == CE_OK && (out == REVOKED_NOW || out == UNHELD) &&
	    json_object_array_add(v->changed, json_object_new_int64(id)) != 0)
		rc = ce_fault(err, CE_NOMEM, "revoked ids");
	if (rc == CE_OK && (out == REVOKED_NOW || out == UNHELD) &&
	    c.ca != NULL && !named(v->cas, c.ca) && add_name(v->cas, c.ca) != 0)
		rc = ce_fault(err, CE_NOMEM, "revoke CAs");
	cert_clear(&c);
	if (rc != CE_OK)
		return rc;
	if (out == NOT_HELD) {
		snprintf(why, sizeof(why), "Certificate %lld is not on hold.",
		    (long long)id);
		return fail_one(v, id, why, err);
	}
	if (json_object_array_add(v->done, json_object_new_int64(id)) != 0)
		return ce_fault(err, CE_NOMEM, "revoked ids");
	return CE_OK;
}

static enum ce_err
revoke_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct revoking *v = arg;
	json_object *ids = v->in->ids;
	int64_t id;
	size_t i;
	enum ce_err rc;

	/* A run after a conflict starts its lists afresh. */
	json_object_put(v->done);
	json_object_put(v->failed);
	json_object_put(v->cas);
	json_object_put(v->changed);
	json_object_put(v->failed_ids);
	v->done = json_object_new_array();
	v->failed = json_object_new_array();
	v->cas = json_object_new_array();
	v->changed = json_object_new_array();
	v->failed_ids = json_object_new_array();
	v->first_why[0] = '\0';
	if (v->done == NULL || v->failed == NULL || v->cas == NULL ||
	    v->changed == NULL || v->failed_ids == NULL)
		return ce_fault(err, CE_NOMEM, "revoke lists");
	for (i = 0; i < json_object_array_length(ids); i++) {
		if (field_int(json_object_array_get_idx(ids, i), "CertificateIds",
		    &id, err) != CE_OK)
			return err->code;
		if (listed(v->done, id) || listed(v->failed_ids, id))
			continue;	/* the same id twice: once */
		if ((rc = revoke_one(txn, v, id, err)) != CE_OK)
			return rc;
	}
	return CE_OK;
}

static enum ce_err
check_input(const struct revoke_input *in, int *unhold, struct ce_error *err)
{
	time_t now = time(NULL);

	if (field_ids(in->ids, "CertificateIds", REVOKE_MAX_IDS, err) != CE_OK)
		return err->code;
	if (!revoke_reason_valid(in->reason, unhold))
		return ce_fail(err, CE_INVAL, "Reason: %lld is not a revocation "
		    "reason (-1 to 8, 999).", (long long)in->reason);
	if (in->comment == NULL || in->comment[0] == '\0')
		return ce_fail(err, CE_INVAL, "Comment: a comment is required.");
	if (strlen(in->comment) > REVOKE_COMMENT_MAX)
		return ce_fail(err, CE_INVAL, "Comment: at most %d bytes.",
		    REVOKE_COMMENT_MAX);
	if (in->date > now + REVOKE_CLOCK_SKEW)
		return ce_fail(err, CE_INVAL, "EffectiveDate: a revocation "
		    "cannot take effect in the future.");
	return CE_OK;
}

/* The answer: 200 with what was done, or 400 when nothing was. */
static enum ce_err
answer(struct revoking *v, json_object **resp, int *status,
    struct ce_error *err)
{
	json_object *o = json_object_new_object();
	char msg[256];

	if (o == NULL)
		return ce_fault(err, CE_NOMEM, "revoke answer");
	if (json_object_array_length(v->done) == 0) {
		snprintf(msg, sizeof(msg), "No certificate was revoked: %s",
		    v->first_why[0] ? v->first_why : "?");
		*status = ce_http_status(CE_INVAL);
		ADD(o, "ErrorCode", json_object_new_string(
		    ce_error_code(CE_INVAL)));
		ADD(o, "Message", json_object_new_string(msg));
	} else {
		ADD(o, "RevokedIds", json_object_get(v->done));
		ADD(o, "SuspendedCerts", json_object_new_array());
	}
	ADD(o, "FailedOperations", json_object_get(v->failed));
	*resp = o;
	return CE_OK;
}

/* The CRLs of the CAs whose lists changed.  The revocation stands when
 * one cannot be made (the agent makes it on its next round). */
static void
publish(struct ce_db *db, json_object *cas)
{
	struct ce_error e;
	size_t i;

	const char *name;
	char q[300];

	for (i = 0; i < json_object_array_length(cas); i++) {
		ce_error_clear(&e);
		name = json_object_get_string(json_object_array_get_idx(cas, i));
		if (crl_publish(db, name, 0, &e) != CE_OK)
			log_error("revoke: the CRL of %s was not published (the "
			    "agent makes it): %s", log_value(name, q, sizeof(q)),
			    e.msg);
	}
}

enum ce_err
revoke_certificates(struct ce_db *db, const struct revoke_input *in,
    json_object **resp, int *status, struct ce_error *err)
{
	struct revoking v;
	size_t i;
	enum ce_err rc;

	*resp = NULL;
	memset(&v, 0, sizeof(v));
	v.in = in;
	if ((rc = check_input(in, &v.unhold, err)) != CE_OK)
		return rc;
	v.r.reason = in->reason;
	v.r.date = in->date != 0 ? in->date : time(NULL);
	v.r.comment = in->comment;
	v.r.by = in->user;
	if ((rc = db_write(db, revoke_fn, &v, err)) == CE_OK) {
		/* What changed (revoking again changes nothing). */
		for (i = 0; i < json_object_array_length(v.changed); i++)
			log_audit(in->user, v.unhold ? "unhold" : "revoke",
			    "cert=%lld reason=%lld", (long long)
			    json_object_get_int64(json_object_array_get_idx(
			    v.changed, i)), (long long)in->reason);
		publish(db, v.cas);
		rc = answer(&v, resp, status, err);
	}
	json_object_put(v.done);
	json_object_put(v.failed);
	json_object_put(v.cas);
	json_object_put(v.changed);
	json_object_put(v.failed_ids);
	return rc;
}
