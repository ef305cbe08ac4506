/* auth.c - users, roles and claims (see auth.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "db.h"
#include "jbuild.h"

/* Calls match(claim) for every claim of every role of user; returns 1 as
 * soon as one matches, else 0.  *down (if given) is set when the answer is
 * 0 because the database was unavailable (CE_UNAVAIL, in err). */
static int
any_claim(struct ce_db *db, struct ce_txn *in, const char *user,
    int (*match)(const char *claim, const void *arg), const void *arg,
    int *down, struct ce_error *err)
{
	struct ce_txn *txn = in;
	json_object *u = NULL, *role = NULL, *roles, *claims;
	const char *name;
	size_t i, j;
	int found = 0, unavail = 0;
	enum ce_err r;

	/* In the caller's transaction when it holds one: what a write
	 * depends on is read in that write. */
	if (user == NULL)
		goto done;
	if (in == NULL && (r = db_begin(db, 0, &txn, err)) != CE_OK) {
		unavail = r == CE_UNAVAIL;
		goto done;
	}
	if ((r = db_get(txn, T_USERS, user, &u, err)) != CE_OK) {
		unavail = r == CE_UNAVAIL;
		goto out;
	}
	if (!json_object_object_get_ex(u, "roles", &roles))
		goto out;
	for (i = 0; !found && i < json_arr_len(roles); i++) {
		json_object_put(role);
		role = NULL;
		/* A null role name (a damaged record) is no key to look up. */
		if ((name = json_object_get_string(json_object_array_get_idx(roles,
		    i))) == NULL)
			continue;
		if ((r = db_get(txn, T_ROLES, name, &role, err)) != CE_OK) {
			if ((unavail = r == CE_UNAVAIL))
				break;
			continue;	/* a role that is not */
		}
		if (!json_object_object_get_ex(role, "claims", &claims))
			continue;
		for (j = 0; !found && j < json_arr_len(claims); j++)
			found = match(json_object_get_string(
			    json_object_array_get_idx(claims, j)), arg);
	}
out:
	json_object_put(role);
	json_object_put(u);
	if (in == NULL)
		db_abort(txn);
done:
	if (down != NULL)
		*down = unavail;
	return found;
}

static int
match_exact(const char *claim, const void *arg)
{
	return claim != NULL && strcmp(claim, arg) == 0;
}

static int
match_schedule_any(const char *claim, const void *arg)
{
	(void)arg;
	return claim != NULL && strncmp(claim, CLAIM_STORE_SCHEDULE,
	    strlen(CLAIM_STORE_SCHEDULE)) == 0;
}

/* Keyfactor's words for a claim, as its refusals name it. */
static const struct {
	const char	*claim, *words, *old;	/* old: stands for it too */
} known[] = {
	{ CLAIM_ENROLL_PFX, "Certificate Enrollment - Enroll PFX", NULL },
	{ CLAIM_ENROLL_CSR, "Certificate Enrollment - Enroll CSR", NULL },
	{ CLAIM_CERT_READ, "Certificates - Read", NULL },
	{ CLAIM_CERT_REVOKE, "Certificates - Revoke", NULL },
	{ CLAIM_PRIVATE_KEY_READ, "Certificates - Private Key Read", NULL },
	{ CLAIM_METADATA_READ, "Certificate Metadata Types - Read", NULL },
	{ CLAIM_STORE_SCHEDULE, "Certificate Stores - Schedule", NULL },
	{ CLAIM_STORE_READ, "Certificate Stores - Read", NULL },
	{ CLAIM_REQUESTS_MANAGE, "Certificate Requests - Manage", CLAIM_WORKFLOW },
	{ CLAIM_ALERTS_READ, "Alerts - Read", CLAIM_WORKFLOW },
	{ CLAIM_WORKFLOW, "Workflow Instances - Manage", NULL },
	{ CLAIM_TEMPLATES_READ, "Certificate Templates - Read", NULL },
	{ CLAIM_CAS_READ, "Certificate Authorities - Read", NULL },
	{ CLAIM_METRICS_READ, "Metrics - Read", NULL },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

static int
match_claim(const char *claim, const void *arg)
{
	size_t i;

	if (match_exact(claim, arg))
		return 1;
	for (i = 0; i < NKNOWN; i++)
		if (known[i].old != NULL && strcmp(known[i].claim, arg) == 0)
			return match_exact(claim, known[i].old);
	return 0;
}

static const char *
claim_words(const char *claim)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (strcmp(known[i].claim, claim) == 0)
			return known[i].words;
	return strncmp(claim, CLAIM_STORE_SCHEDULE, strlen(CLAIM_STORE_SCHEDULE))
	    == 0 ? "Certificate Stores - Schedule" : "a permission";
}

int
auth_has(struct ce_db *db, const char *user, const char *claim)
{
	return any_claim(db, NULL, user, match_claim, claim, NULL, NULL);
}

enum ce_err
auth_require(struct ce_db *db, const char *user, const char *claim,
    struct ce_error *err)
{
	int down;

	if (user == NULL)
		return ce_fail(err, CE_UNAUTH, "Access is denied due to invalid "
		    "credentials: no authenticated user.");
	if (any_claim(db, NULL, user, match_claim, claim, &down, err))
		return CE_OK;
	/* A database that is down is no denial (503, not 403); any other
	 * failure to read the user (a damaged record) denies. */
	if (down)
		return CE_UNAVAIL;
	return ce_fail(err, CE_DENIED, "User '%s' does not have any of the "
	    "required permissions: %s (%s)", user, claim_words(claim), claim);
}

int
auth_can_schedule(struct ce_db *db, struct ce_txn *txn, const char *user,
    int64_t container)
{
	char scoped[96];

	if (any_claim(db, txn, user, match_exact, CLAIM_STORE_SCHEDULE, NULL,
	    NULL))
		return 1;
	snprintf(scoped, sizeof(scoped), "%s%lld/", CLAIM_STORE_SCHEDULE,
	    (long long)container);
	return any_claim(db, txn, user, match_exact, scoped, NULL, NULL);
}

int
auth_any_schedule(struct ce_db *db, const char *user)
{
	return any_claim(db, NULL, user, match_schedule_any, NULL, NULL, NULL);
}

int
auth_claim_valid(const char *claim)
{
	const char *p;
	char *end;
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (strcmp(claim, known[i].claim) == 0)
			return 1;
	if (strncmp(claim, CLAIM_STORE_SCHEDULE, strlen(CLAIM_STORE_SCHEDULE)))
		return 0;
	/* The container as auth_can_schedule() writes it (%lld): any other
	 * spelling ("007/", past INT64_MAX) would never match. */
	p = claim + strlen(CLAIM_STORE_SCHEDULE);
	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '/'))
		return 0;
	errno = 0;
	(void)strtoll(p, &end, 10);
	return errno == 0 && strcmp(end, "/") == 0;
}

/* Writes {field: [vals...]} under name in table t. */
static enum ce_err
put_list(struct ce_db *db, enum db_table t, const char *name,
    const char *field, const char *const *vals, int n, struct ce_error *err)
{
	json_object *rec = json_object_new_object(), *arr = json_object_new_array();
	enum ce_err rc;
	int i;

	if (rec == NULL || arr == NULL) {
		json_object_put(rec);
		json_object_put(arr);
		return ce_fault(err, CE_NOMEM, "json");
	}
	for (i = 0; i < n; i++)
		if (json_object_array_add(arr, json_object_new_string(vals[i])) != 0) {
			json_object_put(rec);
			json_object_put(arr);
			return ce_fault(err, CE_NOMEM, "json");
		}
	json_object_object_add(rec, field, arr);
	rc = db_write_put(db, t, name, rec, err);
	json_object_put(rec);
	return rc;
}

enum ce_err
auth_role_set(struct ce_db *db, const char *name, const char *const *claims,
    int n, struct ce_error *err)
{
	return put_list(db, T_ROLES, name, "claims", claims, n, err);
}

struct user_set {
	const char		*name;
	const char *const	*roles;
	int			 n;
};

/* The user's roles replaced; its id kept, or the next one given. */
static enum ce_err
user_set_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct user_set *u = arg;
	json_object *rec = NULL, *arr = NULL, *old = NULL;
	uint64_t id = 0;
	enum ce_err rc;
	int i;

	rc = db_get(txn, T_USERS, u->name, &old, err);
	if (rc != CE_OK && rc != CE_NOTFOUND)
		return rc;
	if (old != NULL && jrec_int(old, "id") > 0)
		id = (uint64_t)jrec_int(old, "id");
	json_object_put(old);
	if (id == 0 && (rc = db_next_id(txn, "user", &id, err)) != CE_OK)
		return rc;
	if ((rec = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array()) == NULL ||
	    json_object_object_add(rec, "id", json_object_new_int64((int64_t)id)))
		goto nomem;
	for (i = 0; i < u->n; i++)
		if (json_object_array_add(arr, json_object_new_string(u->roles[i])))
			goto nomem;
	if (json_object_object_add(rec, "roles", arr) != 0)
		goto nomem;
	rc = db_put(txn, T_USERS, u->name, rec, err);
	json_object_put(rec);
	return rc;
nomem:
	json_object_put(arr);
	json_object_put(rec);
	return ce_fault(err, CE_NOMEM, "json");
}

enum ce_err
auth_user_set(struct ce_db *db, const char *name, const char *const *roles,
    int n, struct ce_error *err)
{
	struct user_set u = { name, roles, n };

	return db_write(db, user_set_fn, &u, err);
}

int64_t
auth_user_id(struct ce_txn *txn, const char *name)
{
	struct ce_error scratch;
	json_object *rec = NULL;
	int64_t id;

	if (name == NULL || db_get(txn, T_USERS, name, &rec, &scratch) != CE_OK)
		return 0;
	id = jrec_int(rec, "id");
	json_object_put(rec);
	return id > 0 ? id : 0;
}
