/* recover.c - a certificate with its kept private key (recover.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "b64.h"
#include "ca.h"
#include "certdb.h"
#include "db.h"
#include "log.h"
#include "recover.h"
#include "retained.h"
#include "settings.h"

#define RECOVER_PASSWORD_MAX	256

enum ce_err
recover_format_parse(const char *hdr, enum recover_format *out,
    struct ce_error *err)
{
	*out = RECOVER_PFX;
	if (hdr == NULL || *hdr == '\0')
		return ce_fail(err, CE_NOFORMAT, "You must supply a certificate "
		    "format in the 'X-CertificateFormat' header of the request.");
	if (strcasecmp(hdr, "PFX") == 0)
		return CE_OK;
	if (strcasecmp(hdr, "PEM") == 0)
		*out = RECOVER_PEM;
	else if (strcasecmp(hdr, "ZIP") == 0)
		*out = RECOVER_ZIP;
	else
		return ce_fail(err, CE_INVAL, "x-certificateformat: '%.32s' is "
		    "not a recovery format (PFX, PEM, ZIP).", hdr);
	return CE_OK;
}

/* The key travels encrypted under the caller's password: one is required,
 * as long as an enrollment's must be. */
static enum ce_err
check_password(struct ce_db *db, const char *pw, struct ce_error *err)
{
	int64_t min = settings_int(db, NULL, "password_length");
	size_t len = pw != NULL ? strlen(pw) : 0;

	if (len == 0)
		return ce_fail(err, CE_INVAL, "Password: required, to protect "
		    "the recovered private key.");
	if ((int64_t)len < min)
		return ce_fail(err, CE_INVAL, "Password: must be at least %lld "
		    "characters long.", (long long)min);
	if (len >= RECOVER_PASSWORD_MAX)
		return ce_fail(err, CE_INVAL, "Password: must be at most %d "
		    "characters long.", RECOVER_PASSWORD_MAX - 1);
	return CE_OK;
}

/* The kept key, the certificate and (include_chain) its chain, read in one
 * transaction. */
static enum ce_err
gather(struct ce_db *db, const struct recover_input *in, struct cert *c,
    EVP_PKEY **key, STACK_OF(X509) **chain, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct ca *ca = NULL;
	STACK_OF(X509) *borrowed = NULL;
	int64_t id;
	enum ce_err rc;

	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	if ((rc = cert_identify(txn, &in->who, &id, err)) != CE_OK ||
	    (rc = cert_get(txn, id, c, err)) != CE_OK ||
	    (rc = retained_get(db, txn, id, (int64_t)time(NULL), key,
	    err)) != CE_OK)
		goto out;
	if (in->include_chain) {
		if ((rc = ca_find(txn, c->ca, &ca, err)) != CE_OK)
			goto out;
		/* ca_chain lends the CA's certificates: ours to outlive it. */
		if ((borrowed = ca_chain(ca)) == NULL ||
		    (*chain = X509_chain_up_ref(borrowed)) == NULL)
			rc = ce_fault(err, CE_NOMEM, "chain");
		sk_X509_free(borrowed);
	}
out:
	ca_free(ca);
	db_abort(txn);
	return rc;
}

enum ce_err
cert_recover(struct ce_db *db, const struct recover_input *in,
    json_object **resp, struct ce_error *err)
{
	static const char *const ext[] = { "pfx", "pem", "zip" };
	struct ce_buf out = { NULL, 0 };
	STACK_OF(X509) *chain = NULL;
	EVP_PKEY *key = NULL;
	X509 *leaf = NULL;
	struct cert c;
	json_object *o = NULL;
	char name[128], file[140], *b64 = NULL;
	enum ce_err rc;

	*resp = NULL;
	memset(&c, 0, sizeof(c));
	if ((rc = check_password(db, in->password, err)) != CE_OK)
		goto out;
	if ((rc = gather(db, in, &c, &key, &chain, err)) != CE_OK) {
		/* who asked for a key that is not there, and which */
		log_audit(in->user, "recover-refused", "cert=%lld why=%s",
		    (long long)(c.id > 0 ? c.id : in->who.id), ce_strerror(rc));
		goto out;
	}
	if ((leaf = cert_x509(&c)) == NULL) {
		rc = ce_fault(err, CE_DB, "certificate %lld: no DER",
		    (long long)c.id);
		goto out;
	}
	output_file_name(c.cn, name, sizeof(name));
	switch (in->format) {
	case RECOVER_PEM:
		rc = pem_build(key, leaf, chain, in->password, in->order,
		    in->subject_header, &out, err);
		break;
	case RECOVER_ZIP:
		rc = zip_build(key, leaf, chain, in->password, name, &out, err);
		break;
	default:
		rc = pfx_build(key, leaf, chain, c.friendly_name, in->password,
		    in->legacy, &out, err);
		break;
	}
	if (rc != CE_OK)
		goto out;
	snprintf(file, sizeof(file), "%s.%s", name, ext[in->format]);
	if ((b64 = b64_encode(out.data, out.len)) == NULL ||
	    (o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "PFX", json_object_new_string(b64)) ||
	    json_object_object_add(o, "FileName", json_object_new_string(file))) {
		json_object_put(o);
		rc = ce_fault(err, CE_NOMEM, "recovery answer");
		goto out;
	}
	log_audit(in->user, "recover", "cert=%lld format=%s chain=%d",
	    (long long)c.id, ext[in->format], in->include_chain);
	*resp = o;
out:
	if (b64 != NULL)
		OPENSSL_clear_free(b64, strlen(b64));
	if (out.data != NULL)
		OPENSSL_cleanse(out.data, out.len);
	buf_free(&out);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	EVP_PKEY_free(key);
	cert_clear(&c);
	return rc;
}
