/* ocsp.c - OCSP answers from the database, signed by each CA's delegated
 * responder (see ocsp.h). */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "ca.h"
#include "certdb.h"
#include "db.h"
#include "fileutil.h"
#include "jbuild.h"
#include "keys.h"
#include "log.h"
#include "ocsp.h"
#include "pemutil.h"
#include "revoked.h"
#include "serials.h"
#include "signer.h"

/* Seconds a relying party's cache may keep a good or revoked answer: well
 * inside nextUpdate, short enough that a revocation is soon seen. */
#define OCSP_MAX_AGE	60

/* ---- the delegated responder -------------------------------------------- */

struct delegate {
	int64_t		 ca_id;
	char		 dir[PATH_MAX];
	X509		*cert;
	EVP_PKEY	*key;
	time_t		 failed;	/* the last making failed then */
};

/* After a responder could not be made: how long before trying again
 * (each try reserves a serial; answers are tryLater meanwhile). */
#define DELEGATE_BACKOFF	60

#define DELEGATES_MAX	64
static struct delegate delegates[DELEGATES_MAX];
static int ndelegates;
static pthread_mutex_t delegate_lock = PTHREAD_MUTEX_INITIALIZER;

static void
file_names(int64_t ca_id, char *key, char *crt, size_t sz, char *aad,
    size_t aadsz)
{
	snprintf(key, sz, "%lld.ocsp.key", (long long)ca_id);
	snprintf(crt, sz, "%lld.ocsp.crt", (long long)ca_id);
	snprintf(aad, aadsz, "ocsp:%lld", (long long)ca_id);
}

/* Whether cert is a responder of ca we may still use at now: valid, and
 * not due for renewal (OCSP_DELEGATE_RENEW days before its end, or before
 * the CA's end, which no responder outlives: one made then would end no
 * later). */
static int
usable(X509 *cert, EVP_PKEY *key, const struct ca *ca, time_t now)
{
	time_t renew = now + (time_t)OCSP_DELEGATE_RENEW * 86400;
	const ASN1_TIME *end = X509_get0_notAfter(cert);

	if (X509_check_private_key(cert, key) != 1 ||
	    X509_verify(cert, X509_get0_pubkey(ca->cert)) != 1 ||
	    X509_cmp_time(X509_get0_notBefore(cert), &now) > 0 ||
	    X509_cmp_time(end, &now) <= 0)
		return 0;
	return X509_cmp_time(end, &renew) > 0 ||
	    ASN1_TIME_compare(end, X509_get0_notAfter(ca->cert)) >= 0;
}

/* The responder in dir's files, if there is a usable one. */
static void
delegate_read(const char *dir, const struct ca *ca, time_t now, X509 **cert,
    EVP_PKEY **key)
{
	struct ce_error e;
	char kf[64], cf[64], aad[64], path[PATH_MAX];
	unsigned char *pem = NULL;
	size_t n;
	BIO *b;

	*cert = NULL;
	*key = NULL;
	file_names(ca->id, kf, cf, sizeof(kf), aad, sizeof(aad));
	snprintf(path, sizeof(path), "%s/ca/%s", dir, cf);
	ce_error_clear(&e);
	if (file_read(path, 64 * 1024, &pem, &n, &e) != CE_OK)
		return;
	if ((b = BIO_new_mem_buf(pem, (int)n)) != NULL)
		*cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	free(pem);
	if (*cert == NULL || ca_key_read(dir, kf, aad, key, &e) != CE_OK ||
	    !usable(*cert, *key, ca, now)) {
		X509_free(*cert);
		EVP_PKEY_free(*key);
		*cert = NULL;
		*key = NULL;
	}
}

static enum ce_err
reserve_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	void **a = arg;

	return serial_reserve(txn, a[0], a[1], "ocsp-responder", err);
}

/* The responder's certificate for key, signed by ca. */
static enum ce_err
delegate_cert(struct ce_db *db, const struct ca *ca, EVP_PKEY *key,
    time_t now, X509 **out, struct ce_error *err)
{
	X509 *x = X509_new();
	X509_NAME *subj = X509_NAME_new();
	char name[64];
	void *arg[2];
	enum ce_err rc = CE_CRYPTO;

	*out = NULL;
	/* A name of its own (commonName is at most 64 characters, whatever
	 * the CA's is); the issuer field says whose it is. */
	snprintf(name, sizeof(name), "OCSP responder %lld", (long long)ca->id);
	/* The CA key is here, before a serial is reserved for it to sign. */
	if ((rc = ca_key_load(db, ca, err)) != CE_OK)
		goto out;
	rc = CE_CRYPTO;
	if (x == NULL || subj == NULL || X509_set_version(x, 2) != 1 ||
	    x509_set_random_serial(x, err) != CE_OK ||
	    X509_NAME_add_entry_by_NID(subj, NID_commonName, MBSTRING_UTF8,
	    (unsigned char *)name, -1, -1, 0) != 1 ||
	    X509_set_subject_name(x, subj) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1 ||
	    X509_set_pubkey(x, key) != 1 ||
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, -60, &now) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), OCSP_DELEGATE_DAYS, 0,
	    &now) == NULL)
		goto out;
	if (ASN1_TIME_compare(X509_get0_notAfter(x),
	    X509_get0_notAfter(ca->cert)) > 0 &&
	    X509_set1_notAfter(x, X509_get0_notAfter(ca->cert)) != 1)
		goto out;
	if ((rc = x509_add_ext(x, ca->cert, NID_basic_constraints,
	    "critical,CA:FALSE", err)) != CE_OK ||
	    (rc = x509_add_ext(x, ca->cert, NID_key_usage,
	    "critical,digitalSignature", err)) != CE_OK ||
	    (rc = x509_add_ext(x, ca->cert, NID_ext_key_usage, "OCSPSigning",
	    err)) != CE_OK ||
	    (rc = x509_add_ext(x, ca->cert, NID_id_pkix_OCSP_noCheck, "ignored",
	    err)) != CE_OK ||
	    (rc = x509_add_ext(x, ca->cert, NID_subject_key_identifier, "hash",
	    err)) != CE_OK ||
	    (rc = x509_add_ext(x, ca->cert, NID_authority_key_identifier,
	    "keyid:always", err)) != CE_OK)
		goto out;
	/* Its serial is the CA's like any other: reserved, never again. */
	arg[0] = x;
	arg[1] = (void *)ca->name;
	if ((rc = db_write(db, reserve_fn, arg, err)) != CE_OK ||
	    (rc = ca_sign_local(db, ca, x, err)) != CE_OK)
		goto out;
	*out = x;
	x = NULL;
out:
	if (rc == CE_CRYPTO && err->msg[0] == '\0')
		rc = ce_fault(err, CE_CRYPTO, "OCSP responder certificate");
	X509_NAME_free(subj);
	X509_free(x);
	return rc;
}

/* A new responder for ca: key, certificate, both files. */
static enum ce_err
delegate_make(struct ce_db *db, const struct ca *ca, time_t now, X509 **cert,
    EVP_PKEY **key, struct ce_error *err)
{
	const struct key_spec spec = { KEY_ECC, 256, NID_X9_62_prime256v1 };
	char kf[64], cf[64], aad[64], path[PATH_MAX], *pem = NULL;
	enum ce_err rc;

	*cert = NULL;
	file_names(ca->id, kf, cf, sizeof(kf), aad, sizeof(aad));
	if ((rc = key_generate(&spec, key, err)) != CE_OK ||
	    (rc = delegate_cert(db, ca, *key, now, cert, err)) != CE_OK ||
	    (rc = ca_key_write(db_key_dir(db), kf, aad, *key, err)) != CE_OK)
		goto out;
	if ((pem = x509_to_pem(*cert)) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "PEM");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/ca/%s", db_key_dir(db), cf);
	rc = file_write_atomic(path, pem, strlen(pem), 0644, err);
	if (rc == CE_OK)
		log_info("OCSP responder of %s made, valid %d days", ca->name,
		    OCSP_DELEGATE_DAYS);
out:
	free(pem);
	if (rc != CE_OK) {
		X509_free(*cert);
		EVP_PKEY_free(*key);
		*cert = NULL;
		*key = NULL;
	}
	return rc;
}

/* ca's responder: references of the caller's own (it frees them), as
 * another thread may replace the cached one meanwhile. */
static enum ce_err
delegate(struct ce_db *db, const struct ca *ca, time_t now, X509 **cert,
    EVP_PKEY **key, struct ce_error *err)
{
	const char *dir = db_key_dir(db);
	struct delegate *d = NULL;
	enum ce_err rc = CE_OK;
	int i;

	pthread_mutex_lock(&delegate_lock);
	for (i = 0; i < ndelegates; i++)
		if (delegates[i].ca_id == ca->id &&
		    strcmp(delegates[i].dir, dir) == 0)
			d = &delegates[i];
	if (d != NULL && !usable(d->cert, d->key, ca, now)) {
		X509_free(d->cert);
		EVP_PKEY_free(d->key);
		d->cert = NULL;
		d->key = NULL;
	}
	if (d == NULL && ndelegates == DELEGATES_MAX)
		rc = ce_fault(err, CE_SYSTEM, "too many OCSP responders");
	else if (d == NULL) {
		d = &delegates[ndelegates++];
		memset(d, 0, sizeof(*d));
		d->ca_id = ca->id;
		snprintf(d->dir, sizeof(d->dir), "%s", dir);
	}
	if (rc == CE_OK && d->cert == NULL)
		delegate_read(dir, ca, now, &d->cert, &d->key);
	if (rc == CE_OK && d->cert == NULL && d->failed != 0 &&
	    now < d->failed + DELEGATE_BACKOFF)
		rc = ce_fail(err, CE_UNAVAIL, "the OCSP responder of %s could not "
		    "be made; trying again shortly", ca->name);
	else if (rc == CE_OK && d->cert == NULL &&
	    (rc = delegate_make(db, ca, now, &d->cert, &d->key, err)) != CE_OK)
		d->failed = now;
	if (rc == CE_OK) {
		d->failed = 0;
		if (X509_up_ref(d->cert) != 1 || EVP_PKEY_up_ref(d->key) != 1)
			rc = ce_fault(err, CE_CRYPTO, "up_ref");
		else {
			*cert = d->cert;
			*key = d->key;
		}
	}
	pthread_mutex_unlock(&delegate_lock);
	return rc;
}

/* ---- answers ------------------------------------------------------------- */

/* The DER OCSPResponse of status and the signed part bs (NULL: none),
 * malloc'd into *resp. */
static enum ce_err
encode(int status, OCSP_BASICRESP *bs, unsigned char **resp, size_t *rlen,
    struct ce_error *err)
{
	OCSP_RESPONSE *r = OCSP_response_create(status, bs);
	unsigned char *der = NULL;
	enum ce_err rc = CE_OK;
	int n;

	if (r == NULL || (n = i2d_OCSP_RESPONSE(r, &der)) <= 0)
		rc = ce_fault(err, CE_CRYPTO, "OCSP response");
	else if ((*resp = malloc((size_t)n)) == NULL)
		rc = ce_fault(err, CE_NOMEM, "OCSP response");
	else {
		memcpy(*resp, der, (size_t)n);
		*rlen = (size_t)n;
	}
	OCSP_RESPONSE_free(r);
	OPENSSL_free(der);
	return rc;
}

/* An answer of status alone (no signed part): what went wrong. */
static enum ce_err
status_only(int status, unsigned char **resp, size_t *rlen,
    struct ce_error *err)
{
	return encode(status, NULL, resp, rlen, err);
}

#define CAS_MAX	256

struct cas {
	struct ce_txn	*txn;
	struct ca	*list[CAS_MAX];
	int		 n;
	enum ce_err	 rc;		/* the first CA that could not be read */
	struct ce_error	 err;
};

static void
ca_cb(int64_t id, const char *name, void *arg)
{
	struct cas *c = arg;
	enum ce_err rc;

	(void)id;
	if (c->rc != CE_OK)
		return;
	if (c->n == CAS_MAX)
		c->rc = ce_fault(&c->err, CE_SYSTEM, "more than %d CAs", CAS_MAX);
	else if ((rc = ca_find(c->txn, name, &c->list[c->n], &c->err)) != CE_OK)
		c->rc = rc;
	else
		c->n++;
}

/* The CA cid names (its issuer hashes, in cid's own hash), or NULL. */
static struct ca *
issuer_of(const struct cas *c, OCSP_CERTID *cid)
{
	ASN1_OBJECT *md_obj = NULL;
	ASN1_INTEGER *serial = NULL;
	const EVP_MD *md;
	OCSP_CERTID *mine;
	int i, same;

	if (OCSP_id_get0_info(NULL, &md_obj, NULL, &serial, cid) != 1 ||
	    (md = EVP_get_digestbyobj(md_obj)) == NULL)
		return NULL;
	for (i = 0; i < c->n; i++) {
		mine = OCSP_cert_id_new(md, X509_get_subject_name(c->list[i]->cert),
		    X509_get0_pubkey_bitstr(c->list[i]->cert), serial);
		same = mine != NULL && OCSP_id_issuer_cmp(mine, cid) == 0;
		OCSP_CERTID_free(mine);
		if (same)
			return c->list[i];
	}
	return NULL;
}

/* The status of the certificate of ca with serial, into bs. */
static enum ce_err
add_status(struct ce_txn *txn, const struct ca *ca, OCSP_BASICRESP *bs,
    OCSP_CERTID *cid, ASN1_TIME *now, ASN1_TIME *next, struct ce_error *err)
{
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *rt = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	struct cert c;
	int64_t id = 0;
	int status = V_OCSP_CERTSTATUS_UNKNOWN, reason = -1;
	enum ce_err rc = CE_OK;

	memset(&c, 0, sizeof(c));
	if (OCSP_id_get0_info(NULL, NULL, NULL, &serial, cid) != 1 ||
	    (bn = ASN1_INTEGER_to_BN(serial, NULL)) == NULL ||
	    (hex = BN_bn2hex(bn)) == NULL) {
		rc = ce_fault(err, CE_CRYPTO, "OCSP serial");
		goto out;
	}
	/* A serial of another CA's, none, or one longer than any (RFC 5280:
	 * 20 octets): unknown. */
	if (hex[0] != '-' && strlen(hex) <= 42 &&
	    (rc = cert_by_serial(txn, hex, &id, err)) == CE_OK &&
	    id > 0 && (rc = cert_get(txn, id, &c, err)) == CE_OK &&
	    c.ca != NULL && strcmp(c.ca, ca->name) == 0) {
		status = V_OCSP_CERTSTATUS_GOOD;
		if (c.state == CERT_REVOKED) {
			status = V_OCSP_CERTSTATUS_REVOKED;
			reason = revoke_reason_crl(c.rev_reason);
			if (reason == 0)
				reason = -1;	/* unspecified: none, as on CRLs */
			rt = ASN1_TIME_set(NULL, (time_t)c.rev_date);
		}
	}
	if (rc == CE_NOTFOUND) {
		ce_error_clear(err);
		rc = CE_OK;
	}
	if (rc != CE_OK)
		goto out;
	if ((status == V_OCSP_CERTSTATUS_REVOKED && rt == NULL) ||
	    OCSP_basic_add1_status(bs, cid, status, reason, rt, now, next) ==
	    NULL)
		rc = ce_fault(err, CE_CRYPTO, "OCSP status");
out:
	cert_clear(&c);
	ASN1_TIME_free(rt);
	OPENSSL_free(hex);
	BN_free(bn);
	return rc;
}

/* A nonce of 1 to 32 octets (RFC 8954), or none. */
static int
nonce_ok(OCSP_REQUEST *rq)
{
	int i = OCSP_REQUEST_get_ext_by_NID(rq, NID_id_pkix_OCSP_Nonce, -1);
	ASN1_OCTET_STRING *v;
	const unsigned char *p;
	ASN1_OCTET_STRING *inner;
	int ok;

	if (i < 0)
		return 1;
	v = X509_EXTENSION_get_data(OCSP_REQUEST_get_ext(rq, i));
	p = ASN1_STRING_get0_data(v);
	/* The value is an OCTET STRING inside the extension's. */
	inner = d2i_ASN1_OCTET_STRING(NULL, &p, ASN1_STRING_length(v));
	ok = inner != NULL && ASN1_STRING_length(inner) >= 1 &&
	    ASN1_STRING_length(inner) <= 32;
	ASN1_OCTET_STRING_free(inner);
	return ok;
}

/* The signed answer of a request rq that parsed; *status what else to
 * say when there is none (0: the answer is in *out). */
static enum ce_err
answer(struct ce_db *db, OCSP_REQUEST *rq, time_t now, OCSP_BASICRESP **out,
    int *status, int *nonce, struct ce_error *err)
{
	struct cas c;
	struct ca *ca = NULL;
	OCSP_BASICRESP *bs = NULL;
	/* A minute back, for relying parties whose clocks are behind. */
	ASN1_TIME *tu = ASN1_TIME_set(NULL, now - 60);
	ASN1_TIME *nu = ASN1_TIME_set(NULL, now + OCSP_VALIDITY);
	X509 *dcert = NULL;
	EVP_PKEY *dkey = NULL;
	int i, n = OCSP_request_onereq_count(rq);
	enum ce_err rc = CE_OK;

	*out = NULL;
	*status = 0;
	*nonce = OCSP_REQUEST_get_ext_by_NID(rq, NID_id_pkix_OCSP_Nonce, -1) >= 0;
	memset(&c, 0, sizeof(c));
	if (n < 1 || n > OCSP_MAX_CERTS || !nonce_ok(rq)) {
		*status = OCSP_RESPONSE_STATUS_MALFORMEDREQUEST;
		goto out;
	}
	if ((rc = db_begin(db, 0, &c.txn, err)) != CE_OK ||
	    (rc = ca_list(c.txn, ca_cb, &c, err)) != CE_OK)
		goto out;
	if ((rc = c.rc) != CE_OK) {
		*err = c.err;
		goto out;
	}
	/* One CA's responder signs: every certificate asked about is its. */
	for (i = 0; i < n; i++) {
		struct ca *this = issuer_of(&c, OCSP_onereq_get0_id(
		    OCSP_request_onereq_get0(rq, i)));

		if (this == NULL || (ca != NULL && this != ca)) {
			*status = OCSP_RESPONSE_STATUS_UNAUTHORIZED;
			goto out;
		}
		ca = this;
	}
	if (tu == NULL || nu == NULL || (bs = OCSP_BASICRESP_new()) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "OCSP");
		goto out;
	}
	for (i = 0; i < n && rc == CE_OK; i++)
		rc = add_status(c.txn, ca, bs, OCSP_onereq_get0_id(
		    OCSP_request_onereq_get0(rq, i)), tu, nu, err);
	db_abort(c.txn);
	c.txn = NULL;
	if (rc != CE_OK)
		goto out;
	/* An expired CA vouches for nothing, and no responder of its is
	 * valid. */
	if (X509_cmp_time(X509_get0_notAfter(ca->cert), &now) <= 0) {
		*status = OCSP_RESPONSE_STATUS_UNAUTHORIZED;
		goto out;
	}
	if ((rc = delegate(db, ca, now, &dcert, &dkey, err)) != CE_OK)
		goto out;
	rc = OCSP_copy_nonce(bs, rq) <= 0 ||
	    OCSP_basic_sign(bs, dcert, dkey, EVP_sha256(), NULL,
	    OCSP_RESPID_KEY) != 1 ? ce_fault(err, CE_CRYPTO, "signing the OCSP "
	    "answer") : CE_OK;
	X509_free(dcert);
	EVP_PKEY_free(dkey);
	if (rc != CE_OK)
		goto out;
	*out = bs;
	bs = NULL;
out:
	db_abort(c.txn);
	for (i = 0; i < c.n; i++)
		ca_free(c.list[i]);
	OCSP_BASICRESP_free(bs);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	return rc;
}

enum ce_err
ocsp_answer_local(struct ce_db *db, const unsigned char *req, size_t len,
    time_t now, unsigned char **resp, size_t *rlen, int *max_age,
    struct ce_error *err)
{
	const unsigned char *p = req;
	OCSP_REQUEST *rq = NULL;
	OCSP_BASICRESP *bs = NULL;
	struct ce_error e;
	int status = 0, nonce = 0;
	enum ce_err rc;

	*resp = NULL;
	*rlen = 0;
	*max_age = 0;
	ce_error_clear(&e);
	if (len == 0 || len > OCSP_REQUEST_MAX ||
	    (rq = d2i_OCSP_REQUEST(NULL, &p, (long)len)) == NULL ||
	    p != req + len) {
		OCSP_REQUEST_free(rq);
		return status_only(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, resp,
		    rlen, err);
	}
	rc = answer(db, rq, now, &bs, &status, &nonce, &e);
	OCSP_REQUEST_free(rq);
	if (rc != CE_OK)
		status = rc == CE_UNAVAIL ? OCSP_RESPONSE_STATUS_TRYLATER :
		    OCSP_RESPONSE_STATUS_INTERNALERROR;
	if (status != 0)
		return status_only(status, resp, rlen, err);
	rc = encode(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs, resp, rlen, err);
	/* An answer to a nonce is the asker's alone. */
	if (rc == CE_OK)
		*max_age = nonce ? 0 : OCSP_MAX_AGE;
	OCSP_BASICRESP_free(bs);
	return rc;
}

enum ce_err
ocsp_answer(struct ce_db *db, const unsigned char *req, size_t len,
    unsigned char **resp, size_t *rlen, int *max_age, struct ce_error *err)
{
	const char *sock = signer_socket();
	struct ce_buf der = { NULL, 0 };
	char *b64;
	enum ce_err rc;

	if (sock == NULL)
		return ocsp_answer_local(db, req, len, time(NULL), resp, rlen,
		    max_age, err);
	*resp = NULL;
	*rlen = 0;
	if (len > OCSP_REQUEST_MAX)
		return status_only(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, resp,
		    rlen, err);
	if ((b64 = b64_encode(req, len)) == NULL)
		return ce_fault(err, CE_NOMEM, "OCSP request");
	rc = signer_ocsp(sock, b64, &der, max_age, err);
	free(b64);
	/* Whatever went wrong, the client gets an answer it can read. */
	if (rc != CE_OK) {
		log_error("OCSP: %s", err->msg);
		ce_error_clear(err);
		return status_only(rc == CE_UNAVAIL || rc == CE_SYSTEM ?
		    OCSP_RESPONSE_STATUS_TRYLATER :
		    OCSP_RESPONSE_STATUS_INTERNALERROR, resp, rlen, err);
	}
	*resp = der.data;
	*rlen = der.len;
	return CE_OK;
}
