/* issue.c - build and sign an end-entity certificate (see issue.h). */
#include <time.h>

#include <openssl/x509v3.h>

#include "ca.h"
#include "issue.h"
#include "pemutil.h"
#include "policy.h"

/* Validity: from now (back-dated a minute for clock skew) for the template's
 * days, never past the issuing CA's own notAfter. */
static enum ce_err
set_validity(X509 *cert, const struct policy *p, struct ce_error *err)
{
	const ASN1_TIME *ca_end = X509_get0_notAfter(p->ca->cert);
	ASN1_TIME *end;
	time_t now = time(NULL);

	if (X509_time_adj_ex(X509_getm_notBefore(cert), 0, -60, &now) == NULL ||
	    (end = X509_time_adj_ex(X509_getm_notAfter(cert),
	    policy_validity_days(p), 0, &now)) == NULL)
		return ce_fault(err, CE_CRYPTO, "setting validity");
	if (ASN1_TIME_compare(end, ca_end) > 0 &&
	    X509_set1_notAfter(cert, ca_end) != 1)
		return ce_fault(err, CE_CRYPTO, "clamping validity");
	return CE_OK;
}

/* SANs are critical when the subject is empty (RFC 5280 4.2.1.6). */
static enum ce_err
add_sans(X509 *cert, const struct issue_in *in, struct ce_error *err)
{
	int crit = X509_NAME_entry_count(in->subject) == 0;

	if (in->sans == NULL || sk_GENERAL_NAME_num(in->sans) == 0)
		return CE_OK;
	if (X509_add1_ext_i2d(cert, NID_subject_alt_name, (void *)in->sans, crit,
	    X509V3_ADD_REPLACE) != 1)
		return ce_fault(err, CE_CRYPTO, "adding subjectAltName");
	return CE_OK;
}

enum ce_err
issue_certificate(struct ce_db *db, const struct issue_in *in, X509 **out,
    struct ce_error *err)
{
	const struct policy *p = in->policy;
	X509 *cert = NULL;
	enum ce_err rc;

	*out = NULL;
	if (X509_NAME_entry_count(in->subject) == 0 &&
	    (in->sans == NULL || sk_GENERAL_NAME_num(in->sans) == 0))
		return ce_fail(err, CE_INVAL, "Subject: a subject or at least one "
		    "SAN is required.");
	if ((cert = X509_new()) == NULL)
		return ce_fault(err, CE_NOMEM, "X509_new");
	if (X509_set_version(cert, X509_VERSION_3) != 1 ||
	    X509_set_subject_name(cert, in->subject) != 1 ||
	    X509_set_issuer_name(cert, X509_get_subject_name(p->ca->cert)) != 1 ||
	    X509_set_pubkey(cert, in->key) != 1) {
		rc = ce_fault(err, CE_CRYPTO, "building certificate");
		goto out;
	}
	if ((rc = x509_set_random_serial(cert, err)) != CE_OK ||
	    (rc = set_validity(cert, p, err)) != CE_OK ||
	    (rc = x509_add_ext(cert, p->ca->cert, NID_basic_constraints,
	    "critical,CA:FALSE", err)) != CE_OK ||
	    (rc = policy_add_usage(p, in->spec, cert, p->ca->cert, err)) != CE_OK ||
	    (rc = x509_add_ext(cert, p->ca->cert, NID_subject_key_identifier,
	    "hash", err)) != CE_OK ||
	    (rc = x509_add_ext(cert, p->ca->cert, NID_authority_key_identifier,
	    "keyid:always", err)) != CE_OK ||
	    (rc = add_sans(cert, in, err)) != CE_OK)
		goto out;
	if ((rc = ca_sign(db, p->ca, cert, err)) != CE_OK)
		goto out;
	*out = cert;
	cert = NULL;
out:
	X509_free(cert);
	return rc;
}
