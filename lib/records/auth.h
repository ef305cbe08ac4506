/*
 * auth.h - who may do what.  The web server authenticates and hands the user
 * over (REMOTE_USER); users map to roles, roles hold claims:
 *   /certificates/enrollment/pfx/           enroll, deploy, replace, renew
 *   /certificates/enrollment/csr/           enroll with a CSR
 *   /certificates/collections/read/         read certificates
 *   /certificate_stores/schedule/           schedule jobs on any store
 *   /certificate_stores/schedule/<N>/       ... on stores of container N
 *   /certificate_stores/read/               read certificate stores
 *   /certificates/collections/revoke/       revoke certificates
 *   /certificates/requests/manage/          approve and deny requests
 *   /monitoring/alerts/read/                list pending and denied ones
 *   /workflow/instances/manage/             (certenroll before 0.8) both
 *                                           of the last two
 *   /certificate_templates/read/            read templates
 *   /certificate_authorities/read/          read CAs
 *   /monitoring/metrics/read/               GET /metrics from elsewhere
 *                                           than the host (certenroll's)
 * The names are Keyfactor Command's (11 and later) but the last; a refusal names the
 * claim missing as Keyfactor words it ("Alerts - Read"), which clients
 * such as terraform's provider look for.
 */
#ifndef CE_AUTH_H
#define CE_AUTH_H

#include <stdint.h>
#include "error.h"

struct ce_db;
struct ce_txn;

#define CLAIM_ENROLL_PFX	"/certificates/enrollment/pfx/"
#define CLAIM_ENROLL_CSR	"/certificates/enrollment/csr/"
#define CLAIM_CERT_READ		"/certificates/collections/read/"
#define CLAIM_CERT_REVOKE	"/certificates/collections/revoke/"
#define CLAIM_PRIVATE_KEY_READ	"/certificates/collections/private_key/read/"
#define CLAIM_METADATA_READ	"/metadata/types/read/"
#define CLAIM_STORE_SCHEDULE	"/certificate_stores/schedule/"
#define CLAIM_STORE_READ	"/certificate_stores/read/"
#define CLAIM_REQUESTS_MANAGE	"/certificates/requests/manage/"
#define CLAIM_ALERTS_READ	"/monitoring/alerts/read/"
#define CLAIM_WORKFLOW		"/workflow/instances/manage/"
#define CLAIM_TEMPLATES_READ	"/certificate_templates/read/"
#define CLAIM_CAS_READ		"/certificate_authorities/read/"
#define CLAIM_METRICS_READ	"/monitoring/metrics/read/"

/* CE_OK when user holds claim (or the old claim standing for it);
 * CE_UNAUTH when user is NULL; CE_DENIED naming the claim otherwise. */
enum ce_err	auth_require(struct ce_db *db, const char *user, const char *claim,
		    struct ce_error *err);
/* 1 when user holds claim, 0 otherwise (also on faults, which are logged). */
int		auth_has(struct ce_db *db, const char *user, const char *claim);
/* 1 when user may schedule jobs on stores of the container (globally or
 * through /certificate_stores/schedule/<container>/); read in txn, the
 * write that schedules them (NULL: a transaction of its own). */
int		auth_can_schedule(struct ce_db *db, struct ce_txn *txn,
		    const char *user, int64_t container);
/* 1 when user holds the global or any container-scoped schedule claim. */
int		auth_any_schedule(struct ce_db *db, const char *user);

/* Admin: (re)defines role name with its claims, user name with its
 * roles, in one write each. */
enum ce_err	auth_role_set(struct ce_db *db, const char *name,
		    const char *const *claims, int n, struct ce_error *err);
enum ce_err	auth_user_set(struct ce_db *db, const char *name,
		    const char *const *roles, int n, struct ce_error *err);
/* A user's id (RequesterId): given once, at the user's first set, kept
 * when its roles change; 0 for a name that is no user (or one set before
 * users had ids, until it is set again). */
int64_t		auth_user_id(struct ce_txn *txn, const char *name);

/* Whether a claim text is well-formed (admin tool). */
int		auth_claim_valid(const char *claim);

#endif
