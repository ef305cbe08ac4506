/*
 * enroll_validate.c - every check of an /Enrollment/PFX or /Enrollment/CSR
 * request that can be made before a key is generated or the CSR's is
 * certified: application settings, subject, SANs, key spec (the CSR's
 * key), template / enrollment pattern / CA, metadata.  Nothing is written.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "certdb.h"
#include "enroll_impl.h"
#include "names.h"
#include "san.h"
#include "settings.h"
#include "db.h"
#include "stores.h"
#include "x500.h"

void
enroll_work_clear(struct enroll_work *w)
{
	if (w == NULL)
		return;
	policy_clear(&w->pol);
	EVP_PKEY_free(w->csr_key);
	X509_NAME_free(w->subject);
	GENERAL_NAMES_free(w->sans);
	json_object_put(w->metadata);
	json_object_put(w->additional);
	OPENSSL_cleanse(w->password, sizeof(w->password));
	memset(w, 0, sizeof(*w));
}

enum ce_err
password_generate(char *buf, size_t n, struct ce_error *err)
{
	static const char set[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
	unsigned char r;
	size_t i = 0;

	while (i < n) {
		if (RAND_bytes(&r, 1) != 1)
			return ce_fault(err, CE_CRYPTO, "RAND_bytes");
		if (r < 256 - 256 % (sizeof(set) - 1))	/* no modulo bias */
			buf[i++] = set[r % (sizeof(set) - 1)];
	}
	buf[n] = '\0';
	return CE_OK;
}

/* Password given (length checked) or generated. */
static enum ce_err
check_password(struct ce_db *db, const struct enroll_req *req,
    struct enroll_work *w, struct ce_error *err)
{
	int64_t min = settings_int(db, NULL, "password_length");
	size_t len;

	if (!req->password.set || req->password.v[0] == '\0') {
		w->password_generated = 1;
		return password_generate(w->password,
		    (size_t)(min > 12 ? (min < 128 ? min : 128) : 12), err);
	}
	len = strlen(req->password.v);
	if ((int64_t)len < min)
		return ce_fail(err, CE_INVAL, "Password: must be at least %lld "
		    "characters long.", (long long)min);
	if (len >= sizeof(w->password))
		return ce_fail(err, CE_INVAL, "Password: must be at most %zu "
		    "characters long.", sizeof(w->password) - 1);
	memcpy(w->password, req->password.v, len + 1);
	return CE_OK;
}

/* Bounds on the names of one request: the configured limits. */
static enum ce_err
check_counts(struct ce_db *db, const struct enroll_work *w,
    struct ce_error *err)
{
	int64_t max_sans = settings_int(db, NULL, "max_sans");
	int64_t max_rdns = settings_int(db, NULL, "max_rdns");
	int n;

	if ((n = X509_NAME_entry_count(w->subject)) > max_rdns)
		return ce_fail(err, CE_INVAL, "Subject: %d attributes exceed the "
		    "limit of %lld (max_rdns in certenroll.conf).", n,
		    (long long)max_rdns);
	if (w->sans != NULL && (n = sk_GENERAL_NAME_num(w->sans)) > max_sans)
		return ce_fail(err, CE_INVAL, "SANs: %d names exceed the limit "
		    "of %lld (max_sans in certenroll.conf).", n,
		    (long long)max_sans);
	return CE_OK;
}

/* The application's CN regex holds for every CN of the subject, not only
 * the first: a second CN is as much a name as the first. */
static enum ce_err
cn_regex_every(regex_t *rx, const char *re, const X509_NAME *subject,
    struct ce_error *err)
{
	unsigned char *utf8;
	int i = -1, n, match;

	while ((i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0) {
		n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(subject, i)));
		if (n < 0)
			return ce_fail(err, CE_INVAL, "Subject: a common name "
			    "does not decode.");
		match = (size_t)n == strlen((char *)utf8) &&
		    regexec(rx, (char *)utf8, 0, NULL, 0) == 0;
		if (!match)
			ce_fail(err, CE_INVAL, "Subject: the common name '%.64s' "
			    "does not match the required pattern '%s'.",
			    (char *)utf8, re);
		OPENSSL_free(utf8);
		if (!match)
			return CE_INVAL;
	}
	return CE_OK;
}

/* The first CN, and the application's CN regex on every CN. */
static enum ce_err
check_subject(struct ce_db *db, struct enroll_work *w, struct ce_error *err)
{
	char re[512];
	regex_t rx;
	enum ce_err rc = CE_OK;

	if (x500_common_name(w->subject, w->cn, sizeof(w->cn)) != CE_OK)
		return ce_fail(err, CE_INVAL, "Subject: the common name is too long.");
	settings_str(db, NULL, "cn_regex", re, sizeof(re));
	if (re[0] != '\0' && regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) == 0) {
		/* The first CN ("" when there is none), then every other. */
		if (regexec(&rx, w->cn, 0, NULL, 0) != 0)
			rc = ce_fail(err, CE_INVAL, "Subject: the common name "
			    "'%s' does not match the required pattern '%s'.",
			    w->cn, re);
		else
			rc = cn_regex_every(&rx, re, w->subject, err);
		regfree(&rx);
	}
	return rc;
}

/* Subject, the application's CN regex, and the SANs: the request's, or
 * for a CSR its own (csr_names). */
static enum ce_err
check_names(struct ce_db *db, const struct enroll_ctx *ctx,
    const struct enroll_req *req, struct enroll_work *w, struct ce_error *err)
{
	json_object *sans = req->sans.set ? req->sans.v : NULL, *merged = NULL;
	char *subject = NULL;
	enum ce_err rc;

	if (ctx->csr != NULL) {
		if ((rc = csr_names(ctx->csr, sans, (size_t)settings_int(db,
		    NULL, "max_sans"), &subject, &merged, err)) != CE_OK)
			return rc;
		sans = merged;
	}
	rc = x500_parse(subject != NULL ? subject : req->subject.set ?
	    req->subject.v : "", &w->subject, err);
	free(subject);
	if (rc == CE_OK)
		rc = check_subject(db, w, err);
	if (rc == CE_OK)
		rc = san_parse(sans, &w->sans, err);
	json_object_put(merged);
	if (rc != CE_OK)
		return rc;
	return check_counts(db, w, err);
}

/* A CSR's key: what the template's key policy then checks. */
static enum ce_err
csr_key(X509_REQ *csr, struct enroll_work *w, struct ce_error *err)
{
	EVP_PKEY *key = X509_REQ_get0_pubkey(csr);

	EVP_PKEY_CTX *pc;
	char enc[32] = "";
	int ok;

	if (key == NULL || key_spec_of(key, &w->spec) != CE_OK)
		return ce_fail(err, CE_INVAL, "CSR: its key is not one certenroll "
		    "issues for (RSA, ECC P-256, P-384, P-521, Ed25519, "
		    "Ed448).");
	/* A curve named, not spelt out (RFC 5480), and a key that is one. */
	if (w->spec.type == KEY_ECC && (EVP_PKEY_get_utf8_string_param(key,
	    OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof(enc), NULL) != 1 ||
	    strcmp(enc, OSSL_PKEY_EC_ENCODING_GROUP) != 0)) {
		ERR_clear_error();
		return ce_fail(err, CE_INVAL, "CSR: its EC key must name its "
		    "curve, not spell out its parameters.");
	}
	if ((pc = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL)
		return ce_fault(err, CE_NOMEM, "EVP_PKEY_CTX");
	ok = EVP_PKEY_public_check(pc) == 1;
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	if (!ok)
		return ce_fail(err, CE_INVAL, "CSR: its public key fails "
		    "OpenSSL's checks.");
	if (EVP_PKEY_up_ref(key) != 1)
		return ce_fault(err, CE_CRYPTO, "EVP_PKEY_up_ref");
	w->csr_key = key;
	return CE_OK;
}

/* Words and switches that do not need the database. */
static enum ce_err
check_options(const struct enroll_ctx *ctx, const struct enroll_req *req,
    struct enroll_work *w, struct ce_error *err)
{
	enum ce_err rc;

	if ((rc = chain_order_parse(req->chain_order.set ?
	    req->chain_order.v : NULL, &w->order, err)) != CE_OK)
		return rc;
	w->include_chain = req->include_chain.set ? req->include_chain.v : 1;
	w->include_header = req->include_subject_header.set ?
	    req->include_subject_header.v : 1;
	w->legacy = req->use_legacy_encryption.set && req->use_legacy_encryption.v;
	/* RenewalCertificateId 0 means absent (Keyfactor's own clients send
	 * 0): the field table's F_ID. */
	w->renewal_of = req->renewal_certificate_id.set ?
	    req->renewal_certificate_id.v : 0;
	if (req->alternative_key_type.set)
		return ce_fail(err, CE_INVAL, "AlternativeKeyType: '%.32s' is not "
		    "supported.", req->alternative_key_type.v);
	if (req->job_time.set) {
		/* A request approved later keeps its (now past) JobTime: the
		 * job then runs at once. */
		if (ctx->api_version == 2 && !ctx->approving &&
		    req->job_time.v < time(NULL) - 60)
			return ce_fail(err, CE_INVAL, "JobTime: dates in the past are "
			    "not allowed.");
		w->job_time = req->job_time.v;
	}
	/* v2 delivers to Stores; v1 has no such field. */
	if (ctx->api_version == 2 && req->stores.set &&
	    (rc = deploy_plan_parse(req->stores.v, NULL, NULL, 0, &w->plan,
	    err)) != CE_OK)
		return rc;
	if (ctx->csr != NULL)
		return csr_key(ctx->csr, w, err);
	if ((rc = key_spec_from_request(req->key_type.set ? req->key_type.v : NULL,
	    req->key_length.set, (long)req->key_length.v,
	    req->curve.set ? req->curve.v : NULL, &w->spec, err)) != CE_OK)
		return rc;
	return CE_OK;
}

/* Template / pattern / CA and what they allow; the renewed certificate. */
static enum ce_err
check_policy(struct ce_db *db, const struct enroll_req *req,
    struct enroll_work *w, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct cert old;
	enum ce_err rc;

	memset(&old, 0, sizeof(old));
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = policy_resolve(txn, req->template.set ? req->template.v : NULL,
	    req->enrollment_pattern_id.set, req->enrollment_pattern_id.v,
	    req->certificate_authority.set ? req->certificate_authority.v : NULL,
	    &w->pol, err);
	if (rc == CE_OK && w->renewal_of > 0 &&
	    (rc = cert_get(txn, w->renewal_of, &old, err)) == CE_NOTFOUND)
		rc = ce_fail(err, CE_INVAL, "RenewalCertificateId: certificate "
		    "%lld does not exist.", (long long)w->renewal_of);
	cert_clear(&old);
	db_abort(txn);
	if (rc != CE_OK)
		return rc;
	if ((rc = policy_check_key(&w->pol, &w->spec, err)) != CE_OK ||
	    (rc = names_check(&w->pol, w->subject, w->sans, err)) != CE_OK ||
	    (rc = policy_metadata(&w->pol, req->metadata.set ? req->metadata.v :
	    NULL, &w->metadata, err)) != CE_OK)
		return rc;
	return policy_additional_fields(&w->pol,
	    req->additional_enrollment_fields.set ?
	    req->additional_enrollment_fields.v : NULL, &w->additional, err);
}

/* Adds every location of the renewed certificate to the plan (same alias,
 * overwrite), skipping stores already named in Stores. */
static enum ce_err
add_existing_stores(struct ce_db *db, struct enroll_work *w,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct deploy_target *t;
	struct location *locs = NULL;
	size_t i, j, n = 0;
	enum ce_err rc;

	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = locations_get(txn, w->renewal_of, &locs, &n, err);
	db_abort(txn);
	if (rc != CE_OK)
		return rc;
	for (i = 0; i < n && w->plan.n < DEPLOY_MAX_TARGETS; i++) {
		t = &w->plan.t[w->plan.n];
		memset(t, 0, sizeof(*t));
		snprintf(t->id, sizeof(t->id), "%s", locs[i].store_id);
		snprintf(t->alias, sizeof(t->alias), "%s", locs[i].alias);
		t->has_alias = t->overwrite = t->renewal = 1;
		for (j = 0; j < w->plan.n; j++)
			if (strcmp(w->plan.t[j].id, t->id) == 0)
				break;
		if (j == w->plan.n)
			w->plan.n++;
	}
	locations_free(locs, n);
	return CE_OK;
}

enum ce_err
enroll_validate(struct ce_db *db, const struct enroll_ctx *ctx,
    const struct enroll_req *req, struct enroll_work *w, struct ce_error *err)
{
	enum ce_err rc;

	memset(w, 0, sizeof(*w));
	if (ctx->csr == NULL && settings_int(db, NULL, "require_friendly_name") &&
	    !req->custom_friendly_name.set) {
		rc = ce_fail(err, CE_INVAL, "CustomFriendlyName: is required.");
		goto fail;
	}
	w->friendly_name = req->custom_friendly_name.set ?
	    req->custom_friendly_name.v : NULL;
	if (ctx->csr != NULL && req->private_key.set) {
		rc = ce_fail(err, CE_INVAL, "PrivateKey: certenroll keeps no "
		    "private key sent to it.");
		goto fail;
	}
	if ((rc = check_options(ctx, req, w, err)) != CE_OK ||
	    (rc = check_names(db, ctx, req, w, err)) != CE_OK ||
	    (ctx->csr == NULL && (rc = check_password(db, req, w, err)) !=
	    CE_OK) ||
	    (rc = check_policy(db, req, w, err)) != CE_OK)
		goto fail;
	if (w->plan.n > 0 && (rc = deploy_require_schedule(db, ctx->user,
	    err)) != CE_OK)
		goto fail;
	/* v2 renewals go into the renewed certificate's stores unless
	 * InstallIntoExistingCertificateStores is false (the default is true). */
	if (ctx->api_version == 2 && w->renewal_of > 0 &&
	    (!req->install_into_existing.set || req->install_into_existing.v) &&
	    (rc = add_existing_stores(db, w, err)) != CE_OK)
		goto fail;
	return CE_OK;
fail:
	enroll_work_clear(w);
	return rc;
}
