/* deploy.c - Deploy and Replace: staging data -> management jobs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>

#include "auth.h"
#include "certdb.h"
#include "certstore.h"
#include "deploy.h"
#include "jobs.h"
#include "settings.h"
#include "log.h"
#include "pemutil.h"
#include "staging.h"
#include "db.h"
#include "request.h"
#include "stores.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))
#define D(name, type, flags, m) { name, type, flags, offsetof(struct deploy_req, m) }
#define R(name, type, flags, m) { name, type, flags, offsetof(struct replace_req, m) }

const struct field deploy_fields[] = {
	D("Stores", F_ARRAY, 0, stores),
	D("StoreIds", F_ARRAY, 0, store_ids),
	D("StoreTypes", F_ARRAY, 0, store_types),
	D("CertificateId", F_INT, F_ID, certificate_id),
	D("RequestId", F_INT, F_ID, request_id),
	D("Password", F_STRING, F_REQUIRED, password),
	D("JobTime", F_TIME, 0, job_time),
};
const size_t deploy_nfields = sizeof(deploy_fields) / sizeof(deploy_fields[0]);
FIELD_TABLE(deploy_table, deploy_fields, struct deploy_req);

const struct field replace_fields[] = {
	R("ExistingCertificateId", F_INT, F_REQUIRED | F_ID,
	    existing_certificate_id),
	R("CertificateId", F_INT, F_ID, certificate_id),
	R("RequestId", F_INT, F_ID, request_id),
	R("Password", F_STRING, F_REQUIRED, password),
	R("JobTime", F_TIME, 0, job_time),
};
const size_t replace_nfields = sizeof(replace_fields) / sizeof(replace_fields[0]);
FIELD_TABLE(replace_table, replace_fields, struct replace_req);

#define MAX_TARGETS DEPLOY_MAX_TARGETS
#define target deploy_target

/* The staged certificate: its id, PKCS#12 and thumbprint. */
struct staged {
	int64_t		cert_id;
	struct ce_buf	pfx;
	char		thumbprint[41];
};

/* A revoked certificate goes to no store.  (An unknown one is left to the
 * staging lookup, which names it.) */
static enum ce_err
not_revoked(struct ce_txn *txn, int64_t id, struct ce_error *err)
{
	int revoked;
	enum ce_err rc = cert_is_revoked(txn, id, &revoked, err);

	if (rc == CE_NOTFOUND) {
		ce_error_clear(err);
		return CE_OK;
	}
	if (rc != CE_OK)
		return rc;
	return revoked ? ce_fail(err, CE_CONFLICT, "CertificateId: certificate "
	    "%lld is revoked; it is not deployed.", (long long)id) : CE_OK;
}

/* Resolves CertificateId / RequestId to a certificate id. */
static enum ce_err
resolve_cert(struct ce_txn *txn, int has_cert, int64_t cert_id, int has_req,
    int64_t req_id, int64_t *out, struct ce_error *err)
{
	enum ce_err rc;

	/* The field table (F_ID) took 0 as absent and refused negatives. */
	if (!has_cert && !has_req)
		return ce_fail(err, CE_INVAL, "CertificateId: CertificateId or "
		    "RequestId is required.");
	if (!has_req) {
		*out = cert_id;
		return not_revoked(txn, *out, err);
	}
	rc = request_cert_id(txn, req_id, out, err);
	if (rc == CE_NOTFOUND)
		return ce_fail(err, CE_NOTFOUND, "Request %lld was not found.",
		    (long long)req_id);
	if (rc != CE_OK)
		return rc;
	if (*out <= 0)
		return ce_fail(err, CE_INVAL, "RequestId: request %lld has not been "
		    "issued (it may be pending approval).", (long long)req_id);
	if (has_cert && cert_id != *out)
		return ce_fail(err, CE_INVAL, "CertificateId: certificate %lld is "
		    "not the certificate of request %lld.", (long long)cert_id,
		    (long long)req_id);
	return not_revoked(txn, *out, err);
}

/* Whether password opens the staged PKCS#12: its MAC, keyed by a PBKDF2
 * of the password (what a wrong one fails first). */
static enum ce_err
password_opens(const struct ce_buf *pfx, const char *password, int64_t cert_id,
    struct ce_error *err)
{
	PKCS12 *p12;
	enum ce_err rc = CE_OK;

	if ((p12 = der_to_p12(pfx->data, pfx->len)) == NULL)
		return ce_fault(err, CE_DB, "staged PKCS#12 of %lld",
		    (long long)cert_id);
	if (PKCS12_verify_mac(p12, password, -1) != 1) {
		ERR_clear_error();
		rc = ce_fail(err, CE_INVAL, "Password: does not match the password "
		    "given at enrollment.");
	}
	PKCS12_free(p12);
	return rc;
}

static void
pfx_digest(const struct ce_buf *pfx, unsigned char md[32])
{
	if (EVP_Digest(pfx->data, pfx->len, md, NULL, EVP_sha256(), NULL) != 1)
		memset(md, 0, 32);	/* matches no staged data: checked again */
}

/* A password already checked against the staged data whose digest this is
 * (password_first), outside the write. */
struct proof {
	int64_t		 cert_id;
	unsigned char	 digest[32];
	int		 valid;
};

/* Loads the staging data, checks that Password opens it (unless proof
 * says it was checked against these very bytes) and takes the
 * certificate's thumbprint from its record. */
static enum ce_err
load_staged(struct ce_db *db, struct ce_txn *txn, const char *user,
    int64_t cert_id, const char *password, const struct proof *pr,
    struct staged *st, struct ce_error *err)
{
	unsigned char md[32];
	struct cert c;
	enum ce_err rc;

	st->cert_id = cert_id;
	if ((rc = staging_get(db, txn, cert_id, user, &st->pfx, err)) != CE_OK)
		return rc;
	pfx_digest(&st->pfx, md);
	if ((pr == NULL || !pr->valid || pr->cert_id != cert_id ||
	    CRYPTO_memcmp(md, pr->digest, sizeof(md)) != 0) &&
	    (rc = password_opens(&st->pfx, password, cert_id, err)) != CE_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	if ((rc = cert_get(txn, cert_id, &c, err)) == CE_OK)
		snprintf(st->thumbprint, sizeof(st->thumbprint), "%s",
		    c.thumbprint != NULL ? c.thumbprint : "");
	cert_clear(&c);
	return rc;
}

/*
 * The password checked before the write, in a read transaction of its own:
 * the check (a PBKDF2 of 2048 rounds) then runs on the request's thread,
 * not on the one thread that commits every process's writes.  The write
 * checks again only if the staging data changed in between.  Whatever goes
 * wrong here is left to the write, which finds it again in its own order
 * (an unknown ExistingCertificateId before a wrong password).
 */
static void
password_first(struct ce_db *db, const char *user, int has_cert,
    int64_t cert_id, int has_req, int64_t req_id, const char *password,
    struct proof *pr)
{
	struct ce_txn *txn = NULL;
	struct ce_buf pfx = { NULL, 0 };
	struct ce_error scratch;
	enum ce_err rc;

	memset(pr, 0, sizeof(*pr));
	if (db_begin(db, 0, &txn, &scratch) != CE_OK)
		return;
	if ((rc = resolve_cert(txn, has_cert, cert_id, has_req, req_id,
	    &pr->cert_id, &scratch)) == CE_OK)
		rc = staging_get(db, txn, pr->cert_id, user, &pfx, &scratch);
	db_abort(txn);
	if (rc == CE_OK && password_opens(&pfx, password, pr->cert_id,
	    &scratch) == CE_OK) {
		pfx_digest(&pfx, pr->digest);
		pr->valid = 1;
	}
	if (pfx.data != NULL)
		OPENSSL_cleanse(pfx.data, pfx.len);
	buf_free(&pfx);
}

/* Reads Alias/Overwrite (+ StoreId) from one object of Stores/StoreTypes. */
static enum ce_err
read_target(json_object *o, const char *what, struct target *t,
    struct ce_error *err)
{
	json_object *v;
	enum ce_err rc;

	if (!json_object_is_type(o, json_type_object))
		return ce_fail(err, CE_INVAL, "%s: each element must be an object.",
		    what);
	if ((v = field_get(o, "Alias")) != NULL) {
		if (!json_object_is_type(v, json_type_string))
			return ce_fail(err, CE_INVAL, "%s.Alias: expected a string.", what);
		if (json_object_get_string_len(v) > 0) {
			if (!certstore_alias_valid(json_object_get_string(v)))
				return ce_fail(err, CE_INVAL, "%s.Alias: '%.64s' is not a "
				    "valid alias (letters, digits, '.', '_', '-').", what,
				    json_object_get_string(v));
			snprintf(t->alias, sizeof(t->alias), "%s",
			    json_object_get_string(v));
			t->has_alias = 1;
		}
	}
	if ((v = field_get(o, "Overwrite")) != NULL &&
	    (rc = field_bool(v, "Overwrite", &t->overwrite, err)) != CE_OK)
		return rc;
	return CE_OK;
}

/* Parses one store id into t->id. */
static enum ce_err
read_store_id(json_object *v, const char *what, struct target *t,
    struct ce_error *err)
{
	if (v == NULL || !json_object_is_type(v, json_type_string) ||
	    !guid_valid(json_object_get_string(v)))
		return ce_fail(err, CE_INVAL, "%s: '%.64s' is not a valid "
		    "certificate store id (a GUID).", what,
		    v ? json_object_get_string(v) : "");
	guid_normalize(json_object_get_string(v), t->id);
	return CE_OK;
}

/* Stores[] wins; "Stores": [] means absent (the Python SDK always sends
 * it), then StoreIds + StoreTypes. */
enum ce_err
deploy_plan_parse(json_object *stores, json_object *store_ids,
    json_object *types, int required, struct deploy_plan *p,
    struct ce_error *err)
{
	struct target *t = p->t;
	json_object *o;
	size_t i, cnt;
	enum ce_err rc;

	p->n = 0;
	if (stores != NULL && json_arr_len(stores) > 0) {
		cnt = json_arr_len(stores);
		if (cnt > MAX_TARGETS)
			return ce_fail(err, CE_INVAL, "Stores: at most %d stores.",
			    MAX_TARGETS);
		for (i = 0; i < cnt; i++) {
			o = json_object_array_get_idx(stores, i);
			memset(&t[i], 0, sizeof(t[i]));
			if ((rc = read_target(o, "Stores", &t[i], err)) != CE_OK)
				return rc;
			if ((rc = read_store_id(field_get(o, "StoreId") ?
			    field_get(o, "StoreId") : field_get(o,
			    "CertificateStoreId"), "Stores.StoreId", &t[i], err)) != CE_OK)
				return rc;
		}
		p->n = cnt;
		return CE_OK;
	}
	cnt = store_ids != NULL ? json_arr_len(store_ids) : 0;
	if (cnt == 0)
		return !required ? CE_OK : ce_fail(err, CE_INVAL, "Stores: at least "
		    "one certificate store is required (Stores, or StoreIds with "
		    "StoreTypes).");
	if (cnt > MAX_TARGETS)
		return ce_fail(err, CE_INVAL, "StoreIds: at most %d stores.",
		    MAX_TARGETS);
	for (i = 0; i < cnt; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		if ((rc = read_store_id(json_object_array_get_idx(store_ids, i),
		    "StoreIds", &t[i], err)) != CE_OK)
			return rc;
		/* The obsolete form gives alias and overwrite per store type;
		 * with one store type it applies to every store. */
		o = NULL;
		if (types != NULL && json_arr_len(types) > 0)
			o = json_object_array_get_idx(types,
			    i < json_arr_len(types) ? i : 0);
		if (o != NULL && (rc = read_target(o, "StoreTypes", &t[i], err)) != CE_OK)
			return rc;
	}
	p->n = cnt;
	return CE_OK;
}

/* The container whose claim schedules on store s (0: none). */
static int64_t
container_of(const struct store *s)
{
	return s->container_id > 0 ? s->container_id : 0;
}

/* Checks one target; 0 (with a logged reason) puts it in FailedStores. */
static int
target_ok(struct ce_db *db, struct ce_txn *txn, const char *user,
    struct target *t)
{
	struct store store;
	int ok = 0;

	if (store_get(txn, t->id, &store, NULL) != CE_OK)
		log_info("deploy: store %s does not exist", t->id);
	else if (!auth_can_schedule(db, txn, user, container_of(&store)))
		log_info("deploy: %s may not schedule jobs on store %s", user, t->id);
	else if (!t->overwrite && store_has_alias(&store, t->alias))
		log_info("deploy: alias %s exists in store %s (no Overwrite)",
		    t->alias, t->id);
	else
		ok = 1;
	store_clear(&store);
	return ok;
}

static enum ce_err jobs_bound(struct ce_db *, struct ce_txn *, const char *,
    size_t, time_t, struct ce_error *);

enum ce_err
deploy_plan_schedule(struct ce_db *db, struct ce_txn *txn, const char *user,
    const struct deploy_plan *p, int64_t cert_id, const struct ce_buf *pfx,
    const char *thumbprint, const char *password, int kind, time_t due,
    json_object **ok, json_object **bad, struct ce_error *err)
{
	struct job_new job;
	struct target t;
	enum ce_err rc;
	size_t i;

	*ok = json_object_new_array();
	*bad = json_object_new_array();
	if (*ok == NULL || *bad == NULL) {
		rc = ce_fault(err, CE_NOMEM, "json");
		goto fail;
	}
	if ((rc = jobs_bound(db, txn, user, p->n, due, err)) != CE_OK)
		goto fail;
	for (i = 0; i < p->n; i++) {
		/* A copy: the plan is the caller's input, read again when a
		 * write runs twice (db_write). */
		t = p->t[i];
		if (!t.has_alias)
			snprintf(t.alias, sizeof(t.alias), "%s", thumbprint);
		if (!target_ok(db, txn, user, &t)) {
			json_object_array_add(*bad,
			    json_object_new_string(t.id));
			continue;
		}
		memset(&job, 0, sizeof(job));
		job.store_id = t.id;
		job.kind = (enum job_kind)kind;
		job.cert_id = cert_id;
		job.alias = t.alias;
		job.overwrite = t.overwrite;
		job.due = due;
		job.requester = user;
		job.pfx = pfx;
		job.password = password;
		if ((rc = job_create(db, txn, &job, NULL, err)) != CE_OK)
			goto fail;
		json_object_array_add(*ok, json_object_new_string(t.id));
	}
	return CE_OK;
fail:
	json_object_put(*ok);
	json_object_put(*bad);
	*ok = *bad = NULL;
	return rc;
}

/* Creates the jobs and builds {SuccessfulStores, FailedStores}. */
static enum ce_err
schedule(struct ce_db *db, struct ce_txn *txn, const char *user,
    const struct deploy_plan *p, const struct staged *st, const char *password,
    int kind, time_t due, json_object **response, size_t *scheduled,
    struct ce_error *err)
{
	json_object *ok, *bad;
	enum ce_err rc;

	if ((rc = deploy_plan_schedule(db, txn, user, p, st->cert_id, &st->pfx,
	    st->thumbprint, password, kind, due, &ok, &bad, err)) != CE_OK)
		return rc;
	*scheduled = json_arr_len(ok);
	if ((*response = json_object_new_object()) == NULL) {
		json_object_put(ok);
		json_object_put(bad);
		return ce_fault(err, CE_NOMEM, "json");
	}
	ADD(*response, "SuccessfulStores", ok);
	ADD(*response, "FailedStores", bad);
	return CE_OK;
}

/* Common gates of both endpoints: any schedule claim at all. */
enum ce_err
deploy_require_schedule(struct ce_db *db, const char *user, struct ce_error *err)
{
	if (auth_any_schedule(db, user))
		return CE_OK;
	return ce_fail(err, CE_DENIED, "User '%s' does not have any of the "
	    "required permissions: %s (globally or for a store container)",
	    user ? user : "", CLAIM_STORE_SCHEDULE);
}

/* Each job keeps a sealed copy of the key until it runs: how far ahead one
 * may be scheduled, and how many one user may have waiting, are bounded
 * (max_job_delay_days, max_queued_jobs_per_user), read in the write
 * transaction that adds them. */
static enum ce_err
jobs_bound(struct ce_db *db, struct ce_txn *txn, const char *user, size_t adding,
    time_t due, struct ce_error *err)
{
	int64_t days = settings_int(db, txn, "max_job_delay_days");
	int64_t max = settings_int(db, txn, "max_queued_jobs_per_user");
	int64_t queued;
	enum ce_err rc;

	if (due > time(NULL) + days * 86400)
		return ce_fail(err, CE_INVAL, "JobTime: more than %lld days ahead, "
		    "the limit (max_job_delay_days in certenroll.conf).",
		    (long long)days);
	if ((rc = job_count_queued(txn, user, &queued, err)) != CE_OK)
		return rc;
	if (queued + (int64_t)adding > max)
		return ce_fail(err, CE_INVAL, "Stores: %lld queued jobs and %zu "
		    "more exceed the limit of %lld per user "
		    "(max_queued_jobs_per_user in certenroll.conf).",
		    (long long)queued, adding, (long long)max);
	return CE_OK;
}

static time_t
due_time(const struct opt_time *t)
{
	time_t now = time(NULL);

	return t->set && t->v > now ? t->v : now;
}

/* One Deploy or Replace: what its write reads and makes. */
struct call {
	struct ce_db			*db;
	const char			*user;
	const struct deploy_req		*deploy;	/* or: */
	const struct replace_req	*replace;
	struct deploy_plan		 plan;
	struct staged			 st;
	struct proof			 proof;		/* password_first's */
	int64_t				 cid;
	size_t				 scheduled;
	json_object			*response;
};

/* What a write makes, dropped before it runs (again: db_write may run it
 * twice). */
static void
call_reset(struct call *c)
{
	buf_free(&c->st.pfx);
	memset(&c->st, 0, sizeof(c->st));
	json_object_put(c->response);
	c->response = NULL;
	c->cid = 0;
	c->scheduled = 0;
}

/* Deploy's write (db_write: shared with concurrent requests' writes). */
static enum ce_err
deploy_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct call *c = arg;
	const struct deploy_req *req = c->deploy;
	enum ce_err rc;

	call_reset(c);
	if ((rc = resolve_cert(txn, req->certificate_id.set, req->certificate_id.v,
	    req->request_id.set, req->request_id.v, &c->cid, err)) != CE_OK ||
	    (rc = load_staged(c->db, txn, c->user, c->cid, req->password.v,
	    &c->proof, &c->st, err)) != CE_OK ||
	    (rc = schedule(c->db, txn, c->user, &c->plan, &c->st,
	    req->password.v, JOB_ADD, due_time(&req->job_time), &c->response,
	    &c->scheduled, err)) != CE_OK)
		return rc;
	return CE_OK;
}

/* Runs c's write; the answer or nothing.  A user's writes that add jobs
 * take turns (each reads and moves the user's count of queued jobs):
 * without that, concurrent ones would conflict and run again. */
static enum ce_err
run(struct call *c, db_write_fn fn, json_object **response,
    struct ce_error *err)
{
	char lock[320];
	enum ce_err rc;

	snprintf(lock, sizeof(lock), "jobs/%s", c->user != NULL ? c->user : "");
	rc = db_write_as(c->db, lock, fn, c, err);

	buf_free(&c->st.pfx);
	if (rc != CE_OK) {
		json_object_put(c->response);
		c->response = NULL;
		return rc;
	}
	*response = c->response;
	return CE_OK;
}

enum ce_err
deploy_pfx(struct ce_db *db, const char *user, const struct deploy_req *req,
    json_object **response, struct ce_error *err)
{
	struct call c;
	enum ce_err rc;

	*response = NULL;
	memset(&c, 0, sizeof(c));
	c.db = db;
	c.user = user;
	c.deploy = req;
	if ((rc = deploy_require_schedule(db, user, err)) != CE_OK ||
	    (rc = deploy_plan_parse(req->stores.set ? req->stores.v : NULL,
	    req->store_ids.set ? req->store_ids.v : NULL,
	    req->store_types.set ? req->store_types.v : NULL, 1, &c.plan,
	    err)) != CE_OK)
		return rc;
	password_first(db, user, req->certificate_id.set, req->certificate_id.v,
	    req->request_id.set, req->request_id.v, req->password.v, &c.proof);
	if ((rc = run(&c, deploy_fn, response, err)) != CE_OK)
		return rc;
	log_audit(user, "deploy", "cert=%lld stores=%zu scheduled=%zu",
	    (long long)c.cid, c.plan.n, c.scheduled);
	return CE_OK;
}

/* Targets of a replacement: every location of the existing certificate. */
static enum ce_err
replace_targets(struct ce_txn *txn, int64_t existing, struct deploy_plan *p,
    struct ce_error *err)
{
	struct target *t = p->t;
	size_t *n = &p->n;
	struct location *locs = NULL;
	struct cert old;
	enum ce_err rc;
	size_t i, nlocs = 0;

	*n = 0;
	rc = cert_get(txn, existing, &old, err);
	cert_clear(&old);
	if (rc != CE_OK) {
		if (rc == CE_NOTFOUND)
			rc = ce_fail(err, CE_NOTFOUND, "ExistingCertificateId: "
			    "certificate %lld was not found.", (long long)existing);
		return rc;
	}
	if ((rc = locations_get(txn, existing, &locs, &nlocs, err)) != CE_OK)
		return rc;
	for (i = 0; i < nlocs && *n < MAX_TARGETS; i++) {
		memset(&t[*n], 0, sizeof(t[*n]));
		snprintf(t[*n].id, sizeof(t[*n].id), "%s", locs[i].store_id);
		snprintf(t[*n].alias, sizeof(t[*n].alias), "%s", locs[i].alias);
		t[*n].has_alias = 1;
		t[*n].overwrite = 1;
		(*n)++;
	}
	locations_free(locs, nlocs);
	if (*n == 0)
		return ce_fail(err, CE_INVAL, "ExistingCertificateId: certificate "
		    "%lld is not in any certificate store.", (long long)existing);
	return CE_OK;
}

/* A Replace that could replace nothing the user may touch is refused (403,
 * naming the claim of the first location's container) before the staging
 * data is used up. */
static enum ce_err
replace_permitted(struct ce_db *db, struct ce_txn *txn, const char *user,
    const struct deploy_plan *p, struct ce_error *err)
{
	struct store store;
	int64_t container = -1, c;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (store_get(txn, p->t[i].id, &store, NULL) != CE_OK)
			continue;
		c = container_of(&store);
		store_clear(&store);
		if (auth_can_schedule(db, txn, user, c))
			return CE_OK;
		if (container < 0)
			container = c;
	}
	if (container > 0)
		return ce_fail(err, CE_DENIED, "Replace: the certificate's stores "
		    "are in containers you may not schedule jobs in; the claim "
		    "/certificate_stores/schedule/%lld/ (or "
		    "/certificate_stores/schedule/) is missing.",
		    (long long)container);
	return ce_fail(err, CE_DENIED, "Replace: you may not schedule jobs on "
	    "any of the certificate's stores; the claim "
	    "/certificate_stores/schedule/ is missing.");
}

/* Replace's write. */
static enum ce_err
replace_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct call *c = arg;
	const struct replace_req *req = c->replace;
	enum ce_err rc;

	call_reset(c);
	if ((rc = resolve_cert(txn, req->certificate_id.set, req->certificate_id.v,
	    req->request_id.set, req->request_id.v, &c->cid, err)) != CE_OK ||
	    (rc = replace_targets(txn, req->existing_certificate_id.v, &c->plan,
	    err)) != CE_OK ||
	    (rc = replace_permitted(c->db, txn, c->user, &c->plan, err)) != CE_OK ||
	    (rc = load_staged(c->db, txn, c->user, c->cid, req->password.v,
	    &c->proof, &c->st, err)) != CE_OK ||
	    (rc = schedule(c->db, txn, c->user, &c->plan, &c->st,
	    req->password.v, JOB_REPLACE, due_time(&req->job_time),
	    &c->response, &c->scheduled, err)) != CE_OK)
		return rc;
	/* Replace uses the staging data up. */
	return staging_del(txn, c->cid, err);
}

enum ce_err
replace_pfx(struct ce_db *db, const char *user, const struct replace_req *req,
    json_object **response, struct ce_error *err)
{
	struct call c;
	enum ce_err rc;

	*response = NULL;
	if (req->certificate_id.set && req->certificate_id.v != 0 &&
	    req->request_id.set && req->request_id.v != 0)
		return ce_fail(err, CE_INVAL, "CertificateId: give CertificateId or "
		    "RequestId, not both.");
	memset(&c, 0, sizeof(c));
	c.db = db;
	c.user = user;
	c.replace = req;
	if ((rc = deploy_require_schedule(db, user, err)) != CE_OK)
		return rc;
	password_first(db, user, req->certificate_id.set, req->certificate_id.v,
	    req->request_id.set, req->request_id.v, req->password.v, &c.proof);
	if ((rc = run(&c, replace_fn, response, err)) != CE_OK)
		return rc;
	log_audit(user, "replace", "cert=%lld existing=%lld stores=%zu",
	    (long long)c.cid, (long long)req->existing_certificate_id.v,
	    c.plan.n);
	return CE_OK;
}
