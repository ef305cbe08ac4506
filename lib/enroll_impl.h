/*
 * enroll_impl.h - lib-internal: the validated form of an enrollment, shared
 * by enroll.c (issue now), enroll_validate.c and the approval workflow.
 */
#ifndef CE_ENROLL_IMPL_H
#define CE_ENROLL_IMPL_H

#include <openssl/x509v3.h>
#include "enroll.h"
#include "keys.h"
#include "output.h"
#include "policy.h"

#define PASSWORD_MAX 256

struct enroll_work {
	struct policy	 pol;
	X509_NAME	*subject;
	GENERAL_NAMES	*sans;
	struct key_spec	 spec;
	char		 cn[256];
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
};

/* Validates everything about req that can be checked before issuing.
 * skip_approval_check is unused by the validation itself but documents the
 * approval path.  On success the caller calls enroll_work_clear(). */
enum ce_err	enroll_validate(struct ce_db *db, const struct enroll_ctx *ctx,
		    const struct enroll_req *req, struct enroll_work *w,
		    struct ce_error *err);
void		enroll_work_clear(struct enroll_work *w);

/* Generates a random password of n characters (letters and digits). */
enum ce_err	password_generate(char *buf, size_t n, struct ce_error *err);

#endif
