/*
 * enroll_csr.c - POST /Enrollment/CSR: the CSR read and checked, its names
 * handed to the PFX path's validation, and the answer Keyfactor's clients
 * read (enroll.h).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "enroll_impl.h"
#include "pemutil.h"
#include "x500.h"

#define ADD(obj, k, v) json_object_object_add((obj), (k), (v))
#define CSR_MAX	(64 * 1024)

enum ce_err
csr_format_parse(const char *hdr, int *der, struct ce_error *err)
{
	*der = 0;
	if (hdr == NULL || *hdr == '\0')
		return ce_fail(err, CE_NOFORMAT, "You must supply a certificate "
		    "format in the 'X-CertificateFormat' header of the request.");
	if (strcasecmp(hdr, "DER") == 0)
		*der = 1;
	else if (strcasecmp(hdr, "PEM") != 0)
		return ce_fail(err, CE_INVAL, "x-CertificateFormat: '%.32s' is "
		    "not a format of a CSR enrollment (PEM, DER).", hdr);
	return CE_OK;
}

enum ce_err
csr_parse(const char *text, X509_REQ **out, struct ce_error *err)
{
	struct ce_buf der = { NULL, 0 };
	const unsigned char *p;
	X509_REQ *req = NULL;
	EVP_PKEY *key;
	BIO *b;

	*out = NULL;
	if (text == NULL || strlen(text) > CSR_MAX)
		return ce_fail(err, CE_INVAL, "CSR: required, at most %d bytes.",
		    CSR_MAX);
	if (strstr(text, "-----BEGIN") != NULL) {
		if ((b = BIO_new_mem_buf(text, -1)) == NULL)
			return ce_fault(err, CE_NOMEM, "BIO");
		req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
		BIO_free(b);
	} else if (b64_decode(text, &der) == CE_OK) {
		p = der.data;
		req = d2i_X509_REQ(NULL, &p, (long)der.len);
		if (req != NULL && p != der.data + der.len) {
			X509_REQ_free(req);	/* bytes after it */
			req = NULL;
		}
	}
	buf_free(&der);
	ERR_clear_error();
	if (req == NULL)
		return ce_fail(err, CE_INVAL, "CSR: not a PKCS#10 certificate "
		    "request (PEM, or base64 DER).");
	/* Proof that the requester holds the key. */
	if ((key = X509_REQ_get0_pubkey(req)) == NULL ||
	    X509_REQ_verify(req, key) != 1) {
		ERR_clear_error();
		X509_REQ_free(req);
		return ce_fail(err, CE_INVAL, "CSR: its signature does not verify "
		    "with its own key.");
	}
	*out = req;
	return CE_OK;
}

/* Adds value to the array under key of sans (made when missing), unless it
 * is there already (any case). */
static int
add_san(json_object *sans, const char *key, const char *value)
{
	json_object *a = NULL;
	size_t i;

	const char *have;

	/* (A request's object, not a record: found by walking it.) */
	json_object_object_foreach(sans, k, v)
		if (strcmp(k, key) == 0)
			a = v;
	/* One name given as a string becomes a list holding it. */
	if (a != NULL && json_object_is_type(a, json_type_string)) {
		have = json_object_get_string(a);
		if (strcasecmp(have, value) == 0)
			return 1;
		a = json_object_new_array();
		if (a == NULL || json_object_array_add(a,
		    json_object_new_string(have)) != 0 ||
		    json_object_object_add(sans, key, a) != 0)
			return 0;
	}
	if (a == NULL) {
		if ((a = json_object_new_array()) == NULL ||
		    json_object_object_add(sans, key, a) != 0)
			return 0;
	}
	if (!json_object_is_type(a, json_type_array))
		return 1;	/* san_parse names the bad field */
	for (i = 0; i < json_object_array_length(a); i++)
		if ((have = json_object_get_string(json_object_array_get_idx(a,
		    i))) != NULL && strcasecmp(have, value) == 0)
			return 1;	/* (a null: san_parse refuses it) */
	return json_object_array_add(a, json_object_new_string(value)) == 0;
}

/* One of the CSR's SANs into sans. */
static enum ce_err
csr_san(const GENERAL_NAME *gn, json_object *sans, struct ce_error *err)
{
	const unsigned char *d;
	char text[INET6_ADDRSTRLEN], *s;
	int len, ok;

	switch (gn->type) {
	case GEN_DNS:
	case GEN_URI:
		d = ASN1_STRING_get0_data(gn->d.ia5);
		len = ASN1_STRING_length(gn->d.ia5);
		if (len <= 0 || memchr(d, '\0', (size_t)len) != NULL ||
		    (s = strndup((const char *)d, (size_t)len)) == NULL)
			return ce_fail(err, CE_INVAL, "CSR: a subjectAltName is "
			    "empty or holds a NUL.");
		ok = add_san(sans, gn->type == GEN_DNS ? "dns" : "uri", s);
		free(s);
		break;
	case GEN_IPADD:
		d = ASN1_STRING_get0_data(gn->d.ip);
		len = ASN1_STRING_length(gn->d.ip);
		if ((len != 4 && len != 16) || inet_ntop(len == 4 ? AF_INET :
		    AF_INET6, d, text, sizeof(text)) == NULL)
			return ce_fail(err, CE_INVAL, "CSR: an IP address SAN is "
			    "neither IPv4 nor IPv6.");
		ok = add_san(sans, len == 4 ? "ip4" : "ip6", text);
		break;
	default:
		return ce_fail(err, CE_INVAL, "CSR: subjectAltNames other than "
		    "DNS names, IP addresses and URIs are not issued.");
	}
	return ok ? CE_OK : ce_fault(err, CE_NOMEM, "SANs");
}

/* How many names the request's SANs object lists. */
static size_t
request_names(json_object *sans)
{
	size_t n = 0;

	json_object_object_foreach(sans, k, v) {
		(void)k;
		n += json_object_is_type(v, json_type_array) ?
		    json_object_array_length(v) : 1;
	}
	return n;
}

enum ce_err
csr_names(X509_REQ *csr, json_object *req_sans, size_t max_sans,
    char **subject, json_object **sans, struct ce_error *err)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(csr);
	GENERAL_NAMES *gns = NULL;
	enum ce_err rc = CE_OK;
	int i, crit = -1;

	*subject = NULL;
	*sans = NULL;
	if (req_sans == NULL)
		*sans = json_object_new_object();
	else if (json_object_deep_copy(req_sans, sans, NULL) != 0)
		*sans = NULL;
	if (*sans == NULL) {
		rc = ce_fault(err, CE_NOMEM, "CSR names");
		goto out;
	}
	if ((*subject = x500_format(X509_REQ_get_subject_name(csr))) == NULL) {
		rc = ce_fail(err, CE_INVAL, "CSR: its subject cannot be read as "
		    "a DN.");
		goto out;
	}
	/* An extension request that does not decode hides its names. */
	if (exts == NULL && (X509_REQ_get_attr_by_NID(csr,
	    NID_ext_req, -1) >= 0 || X509_REQ_get_attr_by_NID(csr,
	    NID_ms_ext_req, -1) >= 0)) {
		rc = ce_fail(err, CE_INVAL, "CSR: its extension request does "
		    "not decode.");
		goto out;
	}
	gns = X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL);
	if (gns == NULL && crit != -1) {
		rc = ce_fail(err, CE_INVAL, "CSR: its subjectAltName extension "
		    "does not decode.");
		goto out;
	}
	/* Bounded before any merging (max_sans). */
	if ((size_t)(gns != NULL ? sk_GENERAL_NAME_num(gns) : 0) +
	    request_names(*sans) > max_sans) {
		rc = ce_fail(err, CE_INVAL, "SANs: the CSR's and the request's "
		    "names exceed the limit of %zu (max_sans in "
		    "certenroll.conf).", max_sans);
		goto out;
	}
	for (i = 0; rc == CE_OK && i < sk_GENERAL_NAME_num(gns); i++)
		rc = csr_san(sk_GENERAL_NAME_value(gns, i), *sans, err);
out:
	GENERAL_NAMES_free(gns);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	if (rc != CE_OK) {
		free(*subject);
		*subject = NULL;
		json_object_put(*sans);
		*sans = NULL;
	}
	return rc;
}
