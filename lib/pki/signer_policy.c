/* signer_policy.c - the signer's own policy checks (see signer_policy.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/x509v3.h>

#include "ca.h"
#include "issue.h"
#include "pemutil.h"
#include "policy.h"
#include "request.h"
#include "signer_policy.h"
#include "db.h"
#include "x500.h"

#define EXT_NAME_MAX	160

enum ce_err
signer_check_key(const struct policy *p, X509 *cert, struct key_spec *spec,
    struct ce_error *err)
{
	EVP_PKEY *pub = X509_get0_pubkey(cert);

	if (pub == NULL || key_spec_of(pub, spec) != CE_OK)
		return ce_fail(err, CE_INVAL, "key: the public key is of a type "
		    "no template allows");
	return policy_check_key(p, spec, err);
}

/* An ASN1_TIME as epoch seconds; -1 when it does not convert. */
static time_t
epoch(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return (time_t)-1;
	return timegm(&tm);
}

enum ce_err
signer_check_validity(const struct policy *p, X509 *cert, time_t now,
    struct ce_error *err)
{
	time_t nb = epoch(X509_get0_notBefore(cert));
	time_t na = epoch(X509_get0_notAfter(cert));
	time_t ca_na = epoch(X509_get0_notAfter(p->ca->cert));
	long long days = policy_validity_days(p);

	if (nb == (time_t)-1 || na == (time_t)-1 || ca_na == (time_t)-1 ||
	    na <= nb)
		return ce_fail(err, CE_INVAL, "validity: unusable notBefore or "
		    "notAfter");
	if (nb > now + SIGNER_SKEW_SECONDS)
		return ce_fail(err, CE_INVAL, "validity: notBefore is %lld s in "
		    "the future (at most %d)", (long long)(nb - now),
		    SIGNER_SKEW_SECONDS);
	if (nb < now - SIGNER_SKEW_SECONDS)
		return ce_fail(err, CE_INVAL, "validity: notBefore is %lld s in "
		    "the past (at most %d)", (long long)(now - nb),
		    SIGNER_SKEW_SECONDS);
	if ((long long)(na - nb) > days * 86400 + SIGNER_SKEW_SECONDS)
		return ce_fail(err, CE_INVAL, "validity: %lld days is longer than "
		    "the %lld days of template '%s'", (long long)(na - nb) / 86400,
		    days, p->template_name);
	if (na > ca_na)
		return ce_fail(err, CE_INVAL, "validity: notAfter is past the "
		    "notAfter of CA %s", p->ca->name);
	return CE_OK;
}

/* "shortName (1.2.3)" or "(1.2.3)" for an unknown OID. */
static void
ext_name(const X509_EXTENSION *ext, char *buf, size_t bufsz)
{
	const ASN1_OBJECT *obj = X509_EXTENSION_get_object((X509_EXTENSION *)ext);
	int nid = OBJ_obj2nid(obj);
	char oid[80];

	if (OBJ_obj2txt(oid, sizeof(oid), obj, 1) <= 0)
		snprintf(oid, sizeof(oid), "?");
	snprintf(buf, bufsz, "%s (%s)", nid != NID_undef ? OBJ_nid2sn(nid) :
	    "unknown extension", oid);
}

/* Whether two extensions are the same, criticality and value, in DER. */
static int
same_ext(X509_EXTENSION *a, X509_EXTENSION *b)
{
	unsigned char *da = NULL, *db = NULL;
	int na = i2d_X509_EXTENSION(a, &da), nb = i2d_X509_EXTENSION(b, &db);
	int same = na > 0 && na == nb && memcmp(da, db, (size_t)na) == 0;

	OPENSSL_free(da);
	OPENSSL_free(db);
	return same;
}

/* What the template makes for this key, with cert's public key (for the
 * SKI): a certificate that holds only the profile's extensions. */
static enum ce_err
reference(const struct policy *p, const struct key_spec *spec, X509 *cert,
    X509 **out, struct ce_error *err)
{
	X509 *ref;
	enum ce_err rc;

	*out = NULL;
	if ((ref = X509_new()) == NULL)
		return ce_fault(err, CE_NOMEM, "X509_new");
	if (X509_set_pubkey(ref, X509_get0_pubkey(cert)) != 1) {
		X509_free(ref);
		return ce_fault(err, CE_CRYPTO, "X509_set_pubkey");
	}
	if ((rc = issue_add_profile(ref, p, spec, err)) != CE_OK ||
	    (rc = policy_add_extensions(p, ref, p->ca->cert, err)) != CE_OK) {
		X509_free(ref);
		return rc;
	}
	*out = ref;
	return CE_OK;
}

enum ce_err
signer_check_extensions(const struct policy *p, const struct key_spec *spec,
    X509 *cert, struct ce_error *err)
{
	X509_EXTENSION *ext, *want;
	X509 *ref = NULL;
	char name[EXT_NAME_MAX];
	enum ce_err rc;
	int i, pos;

	if ((rc = reference(p, spec, cert, &ref, err)) != CE_OK)
		return rc;
	for (i = 0; i < X509_get_ext_count(cert); i++) {
		ext = X509_get_ext(cert, i);
		pos = X509_get_ext_by_OBJ(ref, X509_EXTENSION_get_object(ext), -1);
		ext_name(ext, name, sizeof(name));
		/* The names: the name policy's check, not this one. */
		if (pos < 0 && OBJ_obj2nid(X509_EXTENSION_get_object(ext)) ==
		    NID_subject_alt_name)
			continue;
		if (pos < 0) {
			rc = ce_fail(err, CE_INVAL, "extension %s: template '%s' "
			    "does not produce it", name, p->template_name);
			goto out;
		}
		if (!same_ext(ext, X509_get_ext(ref, pos))) {
			rc = ce_fail(err, CE_INVAL, "extension %s: differs from what "
			    "template '%s' produces", name, p->template_name);
			goto out;
		}
	}
	for (i = 0; i < X509_get_ext_count(ref); i++) {
		want = X509_get_ext(ref, i);
		if (X509_get_ext_by_OBJ(cert, X509_EXTENSION_get_object(want),
		    -1) < 0) {
			ext_name(want, name, sizeof(name));
			rc = ce_fail(err, CE_INVAL, "extension %s: missing, template "
			    "'%s' produces it", name, p->template_name);
			goto out;
		}
	}
	rc = CE_OK;
out:
	X509_free(ref);
	return rc;
}

/* Whether the approved request r is the one cert is for: CE_INVAL with
 * the difference otherwise. */
static enum ce_err
approval_matches(const struct request *r, const struct policy *p,
    const char *subject, struct ce_error *err)
{
	if (r->template_name == NULL ||
	    strcasecmp(r->template_name, p->template_name) != 0)
		return ce_fail(err, CE_INVAL, "approval: request %lld is for "
		    "template '%s', not '%s'", (long long)r->id,
		    r->template_name ? r->template_name : "-", p->template_name);
	if (r->pattern_id != p->pattern_id)
		return ce_fail(err, CE_INVAL, "approval: request %lld is for "
		    "enrollment pattern %lld, not %lld", (long long)r->id,
		    (long long)r->pattern_id, (long long)p->pattern_id);
	if (r->ca == NULL || strcasecmp(r->ca, p->ca->name) != 0)
		return ce_fail(err, CE_INVAL, "approval: request %lld is for CA "
		    "%s, not %s", (long long)r->id, r->ca ? r->ca : "-",
		    p->ca->name);
	if (r->subject == NULL || strcmp(r->subject, subject) != 0)
		return ce_fail(err, CE_INVAL, "approval: request %lld was approved "
		    "for another subject", (long long)r->id);
	if (r->signed_serial != NULL)
		return ce_fail(err, CE_INVAL, "approval: request %lld was already "
		    "signed (serial %s)", (long long)r->id, r->signed_serial);
	if (r->state != REQ_APPROVING)
		return ce_fail(err, CE_INVAL, "approval: request %lld is %s, not "
		    "being approved", (long long)r->id,
		    request_state_name(r->state));
	return CE_OK;
}

enum ce_err
signer_check_approval(struct ce_txn *txn, const struct policy *p,
    int64_t id, X509 *cert, struct ce_error *err)
{
	struct request r;
	char serial[64], *subj = NULL;
	enum ce_err rc;

	if (!policy_requires_approval(p))
		return CE_OK;
	if (id <= 0)
		return ce_fail(err, CE_INVAL, "approval: template '%s' requires "
		    "approval and no approved request was named", p->template_name);
	rc = request_get(txn, id, &r, err);
	if (rc == CE_NOTFOUND)
		return ce_fail(err, CE_INVAL, "approval: request %lld does not "
		    "exist", (long long)id);
	if (rc != CE_OK)
		return rc;
	if ((subj = x500_format(X509_get_subject_name(cert))) == NULL ||
	    x509_serial_hex(cert, serial, sizeof(serial)) != CE_OK) {
		rc = ce_fault(err, CE_NOMEM, "approval check");
		goto out;
	}
	if ((rc = approval_matches(&r, p, subj, err)) != CE_OK)
		goto out;
	/* One approval, one certificate. */
	if ((r.signed_serial = strdup(serial)) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "approval check");
		goto out;
	}
	rc = request_put(txn, &r, err);
out:
	free(subj);
	request_clear(&r);
	return rc;
}
