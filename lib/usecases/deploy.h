/*
 * deploy.h - POST /Enrollment/PFX/Deploy and /Enrollment/PFX/Replace:
 * take the staging data of a STORE enrollment (or a renewal) and create one
 * management job per certificate store.
 */
#ifndef CE_DEPLOY_H
#define CE_DEPLOY_H

#include <stdint.h>
#include <time.h>
#include <json-c/json.h>
#include "error.h"
#include "fields.h"

struct ce_db;

struct deploy_req {
	struct opt_json	stores;		/* [{StoreId, Alias, Overwrite, Properties}] */
	struct opt_json	store_ids;	/* obsolete form: ["guid", ...] */
	struct opt_json	store_types;	/* ... with [{StoreTypeId, Alias, Overwrite}] */
	struct opt_int	certificate_id;
	struct opt_int	request_id;
	struct opt_str	password;
	struct opt_time	job_time;
};
extern const struct field	deploy_fields[];
extern const size_t		deploy_nfields;
extern const struct field_table	deploy_table;

struct replace_req {
	struct opt_int	existing_certificate_id;
	struct opt_int	certificate_id;
	struct opt_int	request_id;
	struct opt_str	password;
	struct opt_time	job_time;
};
extern const struct field	replace_fields[];
extern const size_t		replace_nfields;
extern const struct field_table	replace_table;

/* The stores a certificate is to be delivered to, from a request. */
#define DEPLOY_MAX_TARGETS 64
struct deploy_target {
	char	id[37];			/* normalised GUID */
	char	alias[129];
	int	has_alias;
	int	overwrite;
	int	renewal;		/* from InstallIntoExistingCertificateStores */
};
struct deploy_plan {
	struct deploy_target	t[DEPLOY_MAX_TARGETS];
	size_t			n;
};

/* Parses Stores (wins when non-empty) or StoreIds + StoreTypes (any may be
 * NULL); CE_INVAL naming the field; an empty plan is CE_INVAL only when
 * required. */
enum ce_err	deploy_plan_parse(json_object *stores, json_object *store_ids,
		    json_object *store_types, int required, struct deploy_plan *p,
		    struct ce_error *err);
/* 403 unless user holds some store schedule claim. */
enum ce_err	deploy_require_schedule(struct ce_db *db, const char *user,
		    struct ce_error *err);
/*
 * Inside a write transaction: checks each target (unknown store, no claim
 * for its container, alias taken without Overwrite -> *failed) and creates
 * a job for the others (-> *ok).  pfx/password is the key material; the
 * default alias is the thumbprint (p itself is left as it is).  kind is a
 * job_kind.  *ok and *failed are new arrays of store GUIDs (caller puts).
 */
struct ce_txn;
struct ce_buf;
enum ce_err	deploy_plan_schedule(struct ce_db *db, struct ce_txn *txn,
		    const char *user, const struct deploy_plan *p,
		    int64_t cert_id, const struct ce_buf *pfx,
		    const char *thumbprint, const char *password, int kind,
		    time_t due, json_object **ok, json_object **failed,
		    struct ce_error *err);

/*
 * Deploy: validates the request (400 naming the field), checks the staging
 * data (400: none, expired, another user's, wrong password), then per store:
 * unknown store, no schedule claim for its container, or an existing alias
 * without Overwrite put it in FailedStores; the others get a job, all in one
 * transaction.  403 when the user has no schedule claim at all.
 * *response = {"SuccessfulStores": [...], "FailedStores": [...]}.
 */
enum ce_err	deploy_pfx(struct ce_db *db, const char *user,
		    const struct deploy_req *req, json_object **response,
		    struct ce_error *err);

/*
 * Replace: finds every location of ExistingCertificateId and schedules a
 * replacement there under the same alias; the staging data is used up.
 */
enum ce_err	replace_pfx(struct ce_db *db, const char *user,
		    const struct replace_req *req, json_object **response,
		    struct ce_error *err);

#endif
