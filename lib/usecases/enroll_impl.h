/*
 * enroll_impl.h - lib-internal: the validated form of an enrollment, shared
 * by enroll.c (issue now), enroll_validate.c and the approval workflow.
 */
#ifndef CE_ENROLL_IMPL_H
#define CE_ENROLL_IMPL_H

#include <openssl/x509v3.h>
#include "deploy.h"
#include "enroll.h"
#include "keys.h"
#include "x500.h"
#include "output.h"
#include "policy.h"

#define PASSWORD_MAX 256

struct enroll_work {
	struct policy	 pol;
	X509_NAME	*subject;
	GENERAL_NAMES	*sans;
	struct key_spec	 spec;
	char		 cn[X500_CN_BUFSZ];
	char		 password[PASSWORD_MAX];
	int		 password_generated;
	enum chain_order order;
	int		 include_chain;
	int		 include_header;
	int		 legacy;
	json_object	*metadata;	/* normalised string map */
	json_object	*additional;	/* normalised string map */
	const char	*friendly_name;
	int64_t		 renewal_of;
	time_t		 job_time;	/* 0 = now */
	struct deploy_plan plan;	/* v2 Stores */
	const char	*approver;	/* set when issuing an approved request */
	EVP_PKEY	*csr_key;	/* /Enrollment/CSR: the CSR's (public) key */
};

/* A CSR enrollment's names as the PFX path takes them: the CSR's subject
 * as text (*subject, free()), and the request's SANs with the CSR's
 * added (*sans, a new object; DNS, IP and URI names, other types are
 * CE_INVAL; more than max_sans in all too), so that both go through one
 * validation. */
enum ce_err	csr_names(X509_REQ *csr, json_object *req_sans,
		    size_t max_sans, char **subject, json_object **sans,
		    struct ce_error *err);

/* Validates everything about req that can be checked before issuing;
 * writes nothing.  Whether the policy requires approval is the caller's
 * question (policy_requires_approval(&w->pol)): the workflow validates an
 * approved request again, ctx->approving set, against the template as it is
 * then.  On success the caller calls enroll_work_clear(); on failure w
 * holds nothing. */
enum ce_err	enroll_validate(struct ce_db *db, const struct enroll_ctx *ctx,
		    const struct enroll_req *req, struct enroll_work *w,
		    struct ce_error *err);
void		enroll_work_clear(struct enroll_work *w);

/* The outcome of enroll_issue(). */
struct issue_result {
	int64_t		 cert_id;
	int64_t		 request_id;
	X509		*cert;
	char		*blob;		/* base64 package, NULL when staged */
	json_object	*certs;		/* CSR: the certificate, then the chain */
	json_object	*stores_ok;	/* v2: GUIDs of scheduled stores */
	json_object	*stores_bad;	/* v2: GUIDs that could not take it */
};
void		issue_result_clear(struct issue_result *res);

/* Generates the key, issues, packages as ctx->format asks and commits (one
 * transaction with the staging data and any v2 store jobs).  request_id is
 * an existing (approved) request or 0 for a new one. */
enum ce_err	enroll_issue(struct ce_db *db, const struct enroll_ctx *ctx,
		    struct enroll_work *w, int64_t request_id,
		    struct issue_result *res, struct ce_error *err);

/* Generates a random password of n characters (letters and digits). */
enum ce_err	password_generate(char *buf, size_t n, struct ce_error *err);

#endif
