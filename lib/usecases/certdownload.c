/* certdownload.c - a certificate and its chain, no key (certdownload.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "ca.h"
#include "certdb.h"
#include "certdownload.h"
#include "db.h"
#include "pemutil.h"

/* Whether two DNs are the same text but for case and the blanks around
 * ',', '=' and '+' ("CN=a, O=b" is "cn=a,o=b"). */
static int
dn_same(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' && (a[1] == ' ' || a[1] == ',' || a[1] == '=' ||
		    a[1] == '+' || a[1] == '\0'))
			a++;
		while (*b == ' ' && (b[1] == ' ' || b[1] == ',' || b[1] == '=' ||
		    b[1] == '+' || b[1] == '\0'))
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		if (*a == ',' || *a == '=' || *a == '+') {
			a++, b++;
			while (*a == ' ')
				a++;
			while (*b == ' ')
				b++;
			continue;
		}
		a++, b++;
	}
}

/* The certificate of serial whose issuer is issuer_dn. */
static enum ce_err
by_serial(struct ce_txn *txn, const char *serial, const char *issuer_dn,
    int64_t *id, struct ce_error *err)
{
	struct cert c;
	char canon[80];
	enum ce_err rc;

	if (serial_canon(serial, canon, sizeof(canon)) != 0)
		return ce_fail(err, CE_INVAL, "SerialNumber: '%.64s' is not a "
		    "serial number in hex.", serial);
	if ((rc = cert_by_serial(txn, canon, id, err)) != CE_OK)
		return rc;
	if (*id > 0) {
		memset(&c, 0, sizeof(c));
		if ((rc = cert_get(txn, *id, &c, err)) != CE_OK)
			return rc;
		if (c.issuer == NULL || !dn_same(c.issuer, issuer_dn))
			*id = 0;
		cert_clear(&c);
	}
	if (*id == 0)
		return ce_fail(err, CE_NOTFOUND, "No certificate has serial "
		    "number %s from issuer '%.200s'.", canon, issuer_dn);
	return CE_OK;
}

enum ce_err
cert_identify(struct ce_txn *txn, const struct cert_ident *who, int64_t *id,
    struct ce_error *err)
{
	struct cert c;
	enum ce_err rc;

	*id = 0;
	if (who->id != 0) {
		if (who->id < 0)
			return ce_fail(err, CE_INVAL, "CertID: must be a positive "
			    "integer.");
		memset(&c, 0, sizeof(c));
		if ((rc = cert_get(txn, who->id, &c, err)) == CE_OK)
			*id = who->id;
		cert_clear(&c);
		return rc;
	}
	if (who->thumbprint != NULL && *who->thumbprint != '\0')
		return cert_by_thumbprint(txn, who->thumbprint, id, err);
	if (who->serial != NULL && *who->serial != '\0') {
		if (who->issuer_dn == NULL || *who->issuer_dn == '\0')
			return ce_fail(err, CE_INVAL, "IssuerDN: required with "
			    "SerialNumber.");
		return by_serial(txn, who->serial, who->issuer_dn, id, err);
	}
	return ce_fail(err, CE_INVAL, "CertID, Thumbprint, or SerialNumber "
	    "and IssuerDN: one is required to name the certificate.");
}

enum ce_err
download_format_parse(const char *hdr, enum download_format *out,
    struct ce_error *err)
{
	*out = DL_PEM;
	if (hdr == NULL || *hdr == '\0' || strcasecmp(hdr, "PEM") == 0)
		return CE_OK;
	if (strcasecmp(hdr, "DER") == 0)
		*out = DL_DER;
	else if (strcasecmp(hdr, "P7B") == 0)
		*out = DL_P7B;
	else
		return ce_fail(err, CE_INVAL, "x-certificateformat: '%.32s' is "
		    "not a download format (DER, PEM, P7B).", hdr);
	return CE_OK;
}

/* What the answer holds, for the certificate c. */
static enum ce_err
content(struct ce_txn *txn, const struct cert *c, enum download_format fmt,
    int include_chain, enum chain_order order, int subject_header,
    struct ce_buf *out, struct ce_error *err)
{
	struct ca *ca = NULL;
	STACK_OF(X509) *chain = NULL;
	X509 *leaf;
	enum ce_err rc;

	if ((leaf = cert_x509(c)) == NULL)
		return ce_fault(err, CE_DB, "certificate %lld: no DER",
		    (long long)c->id);
	if (fmt != DL_DER && include_chain) {
		if ((rc = ca_find(txn, c->ca, &ca, err)) != CE_OK)
			goto out;
		if ((chain = ca_chain(ca)) == NULL) {
			rc = ce_fault(err, CE_NOMEM, "chain");
			goto out;
		}
	}
	if (fmt == DL_DER)
		rc = b64_decode(c->der, out) == CE_OK ? CE_OK :
		    ce_fault(err, CE_DB, "certificate %lld: bad DER",
		    (long long)c->id);
	else if (fmt == DL_PEM)
		rc = pem_build_certs(leaf, chain, order, subject_header, out,
		    err);
	else
		rc = p7b_build(leaf, chain, order, out, err);
out:
	sk_X509_free(chain);	/* the CA's certificates */
	ca_free(ca);
	X509_free(leaf);
	return rc;
}

enum ce_err
cert_download(struct ce_db *db, const struct cert_ident *who,
    enum download_format fmt, int include_chain, enum chain_order order,
    int subject_header, json_object **resp, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct ce_buf bytes = { NULL, 0 };
	struct cert c;
	json_object *o = NULL;
	char *b64 = NULL;
	int64_t id;
	enum ce_err rc;

	*resp = NULL;
	memset(&c, 0, sizeof(c));
	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	if ((rc = cert_identify(txn, who, &id, err)) == CE_OK &&
	    (rc = cert_get(txn, id, &c, err)) == CE_OK)
		rc = content(txn, &c, fmt, include_chain, order,
		    subject_header, &bytes, err);
	db_abort(txn);
	if (rc == CE_OK && ((b64 = b64_encode(bytes.data, bytes.len)) == NULL ||
	    (o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "Content", json_object_new_string(b64)))) {
		json_object_put(o);
		rc = ce_fault(err, CE_NOMEM, "download answer");
	} else if (rc == CE_OK)
		*resp = o;
	free(b64);
	buf_free(&bytes);
	cert_clear(&c);
	return rc;
}
