/*
 * test_ocsp.c - ocsp.h below the web server: an OpenSSL-built request
 * answered good, then revoked (time and reason) once the revocation
 * commits, unknown for a serial the CA never issued; the answer signed by
 * the CA's delegated responder (OCSPSigning, noCheck, issued by the CA,
 * its key sealed in a 0600 file beside the CA's), the nonce copied; bad
 * requests answered with the protocol's status.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "certdb.h"
#include "kit.h"
#include "ocsp.h"
#include "pemutil.h"
#include "revoke.h"

#define ROOT	KIT_ROOT
#define WEB	KIT_WEB
#define BODY	KIT_BODY

static X509 *
ca_x509(struct kit *k)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct ca *ca = NULL;
	X509 *x;

	E(db_begin(k->db, 0, &txn, &err));
	E(ca_find(txn, ROOT, &ca, &err));
	db_abort(txn);
	x = X509_dup(ca->cert);
	ca_free(ca);
	return x;
}

/* Asks about x (issued by issuer), with a nonce when given: the answer. */
static OCSP_RESPONSE *
ask(struct kit *k, X509 *x, X509 *issuer, const unsigned char *nonce,
    int *max_age)
{
	struct ce_error err;
	OCSP_REQUEST *rq = OCSP_REQUEST_new();
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, x, issuer);
	OCSP_RESPONSE *r;
	unsigned char *der = NULL, *resp = NULL;
	const unsigned char *p;
	size_t rlen;
	int n;

	CHECK(rq != NULL && id != NULL && OCSP_request_add0_id(rq, id) != NULL);
	if (nonce != NULL)
		CHECK(OCSP_request_add1_nonce(rq, (unsigned char *)nonce, 16) == 1);
	CHECK((n = i2d_OCSP_REQUEST(rq, &der)) > 0);
	E(ocsp_answer_local(k->db, der, (size_t)n, time(NULL), &resp, &rlen,
	    max_age, &err));
	p = resp;
	r = d2i_OCSP_RESPONSE(NULL, &p, (long)rlen);
	CHECK(r != NULL);
	OPENSSL_free(der);
	free(resp);
	OCSP_REQUEST_free(rq);
	return r;
}

/* The status of the one certificate in r, checked signed by a responder
 * of issuer; *reason the revocation reason. */
static int
status_of(OCSP_RESPONSE *r, X509 *x, X509 *issuer, int *reason)
{
	OCSP_BASICRESP *bs = OCSP_response_get1_basic(r);
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, x, issuer);
	const STACK_OF(X509) *certs;
	X509 *signer;
	STACK_OF(X509) *trust = sk_X509_new_null();
	X509_STORE *store = X509_STORE_new();
	ASN1_GENERALIZEDTIME *rev = NULL, *tu = NULL, *nu = NULL;
	int status = -1;

	CHECK(OCSP_response_status(r) == OCSP_RESPONSE_STATUS_SUCCESSFUL);
	CHECK(bs != NULL && id != NULL);
	certs = OCSP_resp_get0_certs(bs);
	CHECK(sk_X509_num(certs) == 1);
	signer = sk_X509_value(certs, 0);
	CHECK(X509_verify(signer, X509_get0_pubkey(issuer)) == 1);
	CHECK(X509_get_extended_key_usage(signer) == XKU_OCSP_SIGN);
	CHECK(X509_get_ext_by_NID(signer, NID_id_pkix_OCSP_noCheck, -1) >= 0);
	CHECK(OCSP_basic_verify(bs, NULL, NULL, OCSP_NOVERIFY) == 1);
	CHECK(X509_STORE_add_cert(store, issuer) == 1);
	CHECK(OCSP_basic_verify(bs, NULL, store, 0) == 1);
	CHECK(OCSP_resp_find_status(bs, id, &status, reason, &rev, &tu, &nu) == 1);
	CHECK(OCSP_check_validity(tu, nu, 60, -1) == 1);
	sk_X509_free(trust);
	X509_STORE_free(store);
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
	return status;
}

static void
test_good_revoked_unknown(void **state)
{
	struct kit *k = *state;
	X509 *issuer, *x, *stranger;
	json_object *rec;
	OCSP_RESPONSE *r;
	OCSP_BASICRESP *bs;
	char path[160];
	struct stat st;
	unsigned char nonce[16];
	int max_age, reason;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	kit_issue(k, "alice", FMT_PEM, BODY("a.example.com"));
	issuer = ca_x509(k);
	rec = kit_record_id(k, T_CERTS, 1);
	x = kit_cert_x509(rec);
	json_object_put(rec);
	CHECK(x != NULL);
	r = ask(k, x, issuer, NULL, &max_age);
	CHECK(status_of(r, x, issuer, &reason) == V_OCSP_CERTSTATUS_GOOD);
	CHECK(max_age > 0);
	OCSP_RESPONSE_free(r);
	/* the responder's key: sealed, the owner's alone */
	snprintf(path, sizeof(path), "%s/ca/1.ocsp.key", k->dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 077) == 0);
	/* revoked from the commit on; the nonce comes back, no caching */
	kit_revoke(k, "[1]", 1);
	CHECK(RAND_bytes(nonce, sizeof(nonce)) == 1);
	r = ask(k, x, issuer, nonce, &max_age);
	CHECK(status_of(r, x, issuer, &reason) == V_OCSP_CERTSTATUS_REVOKED);
	CHECK(reason == OCSP_REVOKED_STATUS_KEYCOMPROMISE && max_age == 0);
	bs = OCSP_response_get1_basic(r);
	CHECK(OCSP_BASICRESP_get_ext_by_NID(bs, NID_id_pkix_OCSP_Nonce, -1) >= 0);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(r);
	/* a serial this CA never issued */
	stranger = X509_dup(x);
	CHECK(x509_set_random_serial(stranger, NULL) == CE_OK);
	r = ask(k, stranger, issuer, NULL, &max_age);
	CHECK(status_of(r, stranger, issuer, &reason) ==
	    V_OCSP_CERTSTATUS_UNKNOWN);
	OCSP_RESPONSE_free(r);
	X509_free(stranger);
	X509_free(x);
	X509_free(issuer);
}

static void
test_bad_requests(void **state)
{
	static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	struct kit *k = *state;
	struct ce_error err;
	unsigned char *resp = NULL;
	const unsigned char *p;
	OCSP_RESPONSE *r;
	size_t rlen;
	int max_age;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	E(ocsp_answer_local(k->db, junk, sizeof(junk), time(NULL), &resp, &rlen,
	    &max_age, &err));
	p = resp;
	CHECK((r = d2i_OCSP_RESPONSE(NULL, &p, (long)rlen)) != NULL);
	CHECK(OCSP_response_status(r) == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	CHECK(max_age == 0);
	OCSP_RESPONSE_free(r);
	free(resp);
	E(ocsp_answer_local(k->db, junk, 0, time(NULL), &resp, &rlen, &max_age,
	    &err));
	p = resp;
	CHECK((r = d2i_OCSP_RESPONSE(NULL, &p, (long)rlen)) != NULL);
	CHECK(OCSP_response_status(r) == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	OCSP_RESPONSE_free(r);
	free(resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_good_revoked_unknown),
		KIT_TEST(test_bad_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
