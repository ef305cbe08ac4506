/* issue.c - build and sign an end-entity certificate (see issue.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/x509v3.h>

#include "ca.h"
#include "issue.h"
#include "lint.h"
#include "names.h"
#include "san.h"
#include "signer.h"
#include "x500.h"
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

enum ce_err
issue_add_profile(X509 *cert, const struct policy *p,
    const struct key_spec *spec, struct ce_error *err)
{
	enum ce_err rc;

	char v[CA_URL_MAX + 16];

	if ((rc = x509_add_ext(cert, p->ca->cert, NID_basic_constraints,
	    "critical,CA:FALSE", err)) != CE_OK ||
	    (rc = policy_add_usage(p, spec, cert, p->ca->cert, err)) != CE_OK ||
	    (rc = x509_add_ext(cert, p->ca->cert, NID_subject_key_identifier,
	    "hash", err)) != CE_OK ||
	    (rc = x509_add_ext(cert, p->ca->cert, NID_authority_key_identifier,
	    "keyid:always", err)) != CE_OK)
		return rc;
	/* Where a relying party finds out about revocation (the CA's URLs,
	 * checked by ca_url_valid when set). */
	if (p->ca->crl_url[0] != '\0') {
		snprintf(v, sizeof(v), "URI:%s", p->ca->crl_url);
		if ((rc = x509_add_ext(cert, p->ca->cert,
		    NID_crl_distribution_points, v, err)) != CE_OK)
			return rc;
	}
	if (p->ca->ocsp_url[0] != '\0') {
		snprintf(v, sizeof(v), "OCSP;URI:%s", p->ca->ocsp_url);
		if ((rc = x509_add_ext(cert, p->ca->cert, NID_info_access, v,
		    err)) != CE_OK)
			return rc;
	}
	return CE_OK;
}

/* Whether names holds DNS name dns (any case). */
static int
has_dns(const GENERAL_NAMES *names, const char *dns)
{
	const GENERAL_NAME *gn;
	int i;

	for (i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type == GEN_DNS && strcasecmp((const char *)
		    ASN1_STRING_get0_data(gn->d.dNSName), dns) == 0)
			return 1;
	}
	return 0;
}

/*
 * The SANs: those asked for, plus the common name as a DNS name when it is
 * one, is missing and the template allows DNS SANs (clients match DNS SANs
 * only).  Critical when the subject is empty (RFC 5280 4.2.1.6).
 */
static enum ce_err
add_sans(X509 *cert, const struct issue_in *in, struct ce_error *err)
{
	GENERAL_NAMES *names = NULL;
	GENERAL_NAME *gn = NULL;
	ASN1_IA5STRING *ia5 = NULL;
	int crit = X509_NAME_entry_count(in->subject) == 0, i;
	enum ce_err rc = CE_OK;
	char cn[X500_CN_BUFSZ];

	if ((names = GENERAL_NAMES_new()) == NULL)
		return ce_fault(err, CE_NOMEM, "GENERAL_NAMES");
	for (i = 0; in->sans != NULL && i < sk_GENERAL_NAME_num(in->sans); i++)
		if ((gn = GENERAL_NAME_dup(sk_GENERAL_NAME_value(in->sans, i))) == NULL ||
		    !sk_GENERAL_NAME_push(names, gn)) {
			rc = ce_fault(err, CE_NOMEM, "GENERAL_NAME_dup");
			goto out;
		}
	gn = NULL;
	if (x500_common_name(in->subject, cn, sizeof(cn)) == CE_OK &&
	    strchr(cn, '.') != NULL && san_dns_valid(cn) && !has_dns(names, cn) &&
	    names_type_allowed(in->policy, GEN_DNS)) {
		if ((gn = GENERAL_NAME_new()) == NULL ||
		    (ia5 = ASN1_IA5STRING_new()) == NULL ||
		    !ASN1_STRING_set(ia5, cn, -1)) {
			rc = ce_fault(err, CE_NOMEM, "GENERAL_NAME");
			goto out;
		}
		GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
		ia5 = NULL;
		if (!sk_GENERAL_NAME_insert(names, gn, 0)) {
			rc = ce_fault(err, CE_NOMEM, "sk_GENERAL_NAME_insert");
			goto out;
		}
		gn = NULL;
	}
	if (sk_GENERAL_NAME_num(names) > 0 && X509_add1_ext_i2d(cert,
	    NID_subject_alt_name, names, crit, X509V3_ADD_REPLACE) != 1)
		rc = ce_fault(err, CE_CRYPTO, "adding subjectAltName");
out:
	ASN1_IA5STRING_free(ia5);
	GENERAL_NAME_free(gn);
	GENERAL_NAMES_free(names);
	return rc;
}

/* Boulder's order: sign with a throwaway key, lint, only then really sign.
 * The name policy is checked here, on the certificate as built, so that
 * every path to a signature (enrollment, approval, renewal) passes it. */
static enum ce_err
lint_then_sign(struct ce_db *db, const struct issue_in *in, X509 **certp,
    struct ce_error *err)
{
	STACK_OF(ASN1_OBJECT) *eku = policy_eku_objects(in->policy);
	struct sign_req sr = { in->policy->template_name,
	    in->policy->pattern_id, in->approved_request, in->requester };
	enum ce_err rc;

	if ((rc = names_check_cert(in->policy, *certp, err)) == CE_OK &&
	    (rc = lint_presign(*certp, in->policy->ca, err)) == CE_OK &&
	    (rc = lint_certificate(*certp, in->policy->ca, eku, err)) == CE_OK)
		rc = ca_sign(db, in->policy->ca, &sr, certp, err);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return rc;
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
	    (rc = issue_add_profile(cert, p, in->spec, err)) != CE_OK ||
	    (rc = add_sans(cert, in, err)) != CE_OK ||
	    (rc = policy_add_extensions(p, cert, p->ca->cert, err)) != CE_OK)
		goto out;
	if ((rc = lint_then_sign(db, in, &cert, err)) != CE_OK)
		goto out;
	*out = cert;
	cert = NULL;
out:
	X509_free(cert);
	return rc;
}
