/*
 * test_signer_policy.c - signer_policy: what the signer checks on a
 * to-be-signed certificate, whatever its caller claims.  A TBS built as
 * issue.c builds it passes; forged ones are refused naming what is wrong:
 * a key of another size or type, a validity too long, too early, too late
 * or past the CA's, an extension changed, added or left out, an approval
 * missing, used, or for something else.  Last, signer_handle() on whole
 * requests: one serial signed once, SANs outside the name policy refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "b64.h"
#include "ca.h"
#include "issue.h"
#include "kit.h"
#include "lint.h"
#include "output.h"
#include "pemutil.h"
#include "policy.h"
#include "san.h"
#include "signer.h"
#include "signer_policy.h"
#include "signer_server.h"
#include "testcert.h"
#include "x500.h"

#define ROOT	"host\\RootCA"
#define SHORT	"host\\ShortCA"		/* valid for 30 days */
#define DAY	86400

#define WEB	"{\"name\":\"WebServer\",\"keys\":[\"RSA-2048\",\"ECC-P-256\"]," \
		"\"days\":90,\"key_usage\":[\"digitalSignature\"," \
		"\"keyEncipherment\"],\"eku\":[\"serverAuth\"]," \
		"\"names\":{\"dns_suffixes\":[\"example.com\"]}}"
#define EXT	"{\"name\":\"Commented\",\"keys\":[\"ECC-P-256\"]," \
		"\"extensions\":{\"nsComment\":\"issued here\"}}"
#define APPR	"{\"name\":\"Approved\",\"keys\":[\"ECC-P-256\"]," \
		"\"require_approval\":true}"

static void
world(struct kit *k)
{
	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_ca(k, SHORT, "ECC-P-256", 30, NULL);
	kit_template(k, WEB);
	kit_template(k, EXT);
	kit_template(k, APPR);
}

/* What the TBS is built from; tbs() fills what is left 0 as issue.c
 * would. */
struct tbs {
	const char	*subject;	/* "CN=www.example.com" */
	const char	*sans;		/* JSON; the CN as a DNS name */
	EVP_PKEY	*key;		/* a new ECC-P-256 key */
	time_t		 nb, na;	/* now - 60, nb + the template's days */
};

static X509 *
tbs(const struct policy *p, struct tbs t)
{
	struct ce_error err;
	struct key_spec spec;
	X509_NAME *name = NULL;
	GENERAL_NAMES *gns = NULL;
	json_object *sans;
	EVP_PKEY *own = NULL;
	time_t now = time(NULL);
	X509 *x;

	if (t.key == NULL) {
		E(key_spec_parse_word("ECC-P-256", &spec, &err));
		E(key_generate(&spec, &own, &err));
		t.key = own;
	}
	if (key_spec_of(t.key, &spec) != CE_OK)	/* a key no template allows */
		spec = (struct key_spec){ KEY_ED25519, 0, 0 };
	E(x500_parse(t.subject ? t.subject : "CN=www.example.com", &name, &err));
	sans = kit_json(t.sans ? t.sans : "{\"dns\":[\"www.example.com\"]}");
	E(san_parse(sans, &gns, &err));
	json_object_put(sans);
	CHECK((x = X509_new()) != NULL);
	CHECK(X509_set_version(x, X509_VERSION_3) == 1 &&
	    X509_set_subject_name(x, name) == 1 &&
	    X509_set_issuer_name(x, X509_get_subject_name(p->ca->cert)) == 1 &&
	    X509_set_pubkey(x, t.key) == 1);
	E(x509_set_random_serial(x, &err));
	if (t.nb == 0)
		t.nb = now - 60;
	if (t.na == 0)
		t.na = t.nb + (time_t)policy_validity_days(p) * DAY;
	CHECK(ASN1_TIME_set(X509_getm_notBefore(x), t.nb) != NULL &&
	    ASN1_TIME_set(X509_getm_notAfter(x), t.na) != NULL);
	E(issue_add_profile(x, p, &spec, &err));
	if (sk_GENERAL_NAME_num(gns) > 0)
		CHECK(X509_add1_ext_i2d(x, NID_subject_alt_name, gns,
		    X509_NAME_entry_count(name) == 0, X509V3_ADD_DEFAULT) == 1);
	E(policy_add_extensions(p, x, p->ca->cert, &err));
	GENERAL_NAMES_free(gns);
	X509_NAME_free(name);
	EVP_PKEY_free(own);
	return x;
}

/* The keys: another size, another type, one no template allows. */
static void
test_key(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct key_spec spec, want;
	struct policy p;
	EVP_PKEY *key;
	X509 *x;

	world(k);
	kit_policy(k, "WebServer", 0, ROOT, &p);
	x = tbs(&p, (struct tbs){ 0 });
	E(signer_check_key(&p, x, &spec, &err));
	E(key_spec_parse_word("ECC-P-256", &want, &err));
	CHECK(spec.type == want.type && spec.bits == want.bits &&
	    spec.nid == want.nid);
	X509_free(x);

	CHECK((key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384")) != NULL);
	x = tbs(&p, (struct tbs){ .key = key });
	EFAIL(signer_check_key(&p, x, &spec, &err), CE_INVAL,
	    "KeyType: ECC-P-384 is not allowed by template 'WebServer'; "
	    "allowed: RSA-2048, ECC-P-256.");
	X509_free(x);
	EVP_PKEY_free(key);
	/* RSA of a size the template does not list */
	CHECK((key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024)) != NULL);
	x = tbs(&p, (struct tbs){ .key = key });
	EFAIL(signer_check_key(&p, x, &spec, &err), CE_INVAL,
	    "KeyType: RSA-1024 is not allowed");
	X509_free(x);
	EVP_PKEY_free(key);
	CHECK((key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) != NULL);
	x = tbs(&p, (struct tbs){ .key = key });
	EFAIL(signer_check_key(&p, x, &spec, &err), CE_INVAL,
	    "KeyType: Ed25519 is not allowed");
	X509_free(x);
	EVP_PKEY_free(key);
	CHECK((key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519")) != NULL);
	x = tbs(&p, (struct tbs){ .key = key });
	EFAIL(signer_check_key(&p, x, &spec, &err), CE_INVAL,
	    "key: the public key is of a type no template allows");
	X509_free(x);
	EVP_PKEY_free(key);
	policy_clear(&p);
}

static void
test_validity(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct policy p;
	time_t now = time(NULL);
	X509 *x;
	size_t i;
	static const struct {
		time_t		 nb, span;	/* from now; 0: as issued */
		const char	*says;		/* NULL: accepted */
	} cases[] = {
		{ -60, 0, NULL },
		{ -60, 90 * DAY, NULL },
		{ 0, 90 * DAY + 300, NULL },		/* the skew */
		{ 0, 90 * DAY + 301, "validity: 90 days is longer than the 90 "
		  "days of template 'WebServer'" },
		{ 0, 91 * DAY, "validity: 91 days is longer than the 90 days" },
		{ 0, 3650 * DAY, "3650 days is longer" },
		{ 300, DAY, NULL },
		{ 301, DAY, "validity: notBefore is 301 s in the future "
		  "(at most 300)" },
		{ DAY, DAY, "in the future" },
		{ -300, DAY, NULL },
		{ -301, DAY, "validity: notBefore is 301 s in the past (at most "
		  "300)" },
		{ -400 * DAY, DAY, "in the past" },
		{ 0, -1, "validity: unusable notBefore or notAfter" },
		{ 0, -DAY, "unusable" },
	};

	world(k);
	kit_policy(k, "WebServer", 0, ROOT, &p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		x = tbs(&p, (struct tbs){ .nb = now + cases[i].nb,
		    .na = cases[i].span ? now + cases[i].nb + cases[i].span : 0 });
		ce_error_clear(&err);
		if (cases[i].says == NULL ?
		    signer_check_validity(&p, x, now, &err) != CE_OK :
		    signer_check_validity(&p, x, now, &err) != CE_INVAL ||
		    strstr(err.msg, cases[i].says) == NULL)
			fail_msg("case %zu: got '%s', wanted '%s'", i, err.msg,
			    cases[i].says ? cases[i].says : "accepted");
		X509_free(x);
	}
	policy_clear(&p);
	/* never past the CA's own notAfter, whatever the template allows */
	kit_policy(k, "WebServer", 0, SHORT, &p);
	x = tbs(&p, (struct tbs){ .nb = now, .na = now + 31 * DAY });
	EFAIL(signer_check_validity(&p, x, now, &err), CE_INVAL,
	    "validity: notAfter is past the notAfter of CA host\\ShortCA");
	X509_free(x);
	x = tbs(&p, (struct tbs){ .nb = now, .na = now + 29 * DAY });
	E(signer_check_validity(&p, x, now, &err));
	X509_free(x);
	policy_clear(&p);
}

/* Changes x's extension nid to value (openssl's syntax; NULL removes it),
 * issued by issuer. */
static void
set_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	struct ce_error err;
	int pos;

	while ((pos = X509_get_ext_by_NID(x, nid, -1)) >= 0)
		X509_EXTENSION_free(X509_delete_ext(x, pos));
	if (value != NULL)
		E(x509_add_ext(x, issuer, nid, value, &err));
}

static void
test_extensions(void **state)
{
	static const struct {
		int		 nid;
		const char	*value, *says;
	} forged[] = {
		{ NID_basic_constraints, "critical,CA:TRUE", "extension "
		  "basicConstraints (2.5.29.19): differs from what template "
		  "'WebServer' produces" },
		{ NID_basic_constraints, "CA:FALSE", "basicConstraints (2.5.29.19): "
		  "differs" },
		{ NID_basic_constraints, NULL, "extension basicConstraints "
		  "(2.5.29.19): missing, template 'WebServer' produces it" },
		{ NID_key_usage, "critical,digitalSignature,keyCertSign",
		  "keyUsage (2.5.29.15): differs" },
		{ NID_key_usage, "digitalSignature", "keyUsage (2.5.29.15): "
		  "differs" },
		{ NID_key_usage, NULL, "keyUsage (2.5.29.15): missing" },
		{ NID_ext_key_usage, "serverAuth,clientAuth", "extendedKeyUsage "
		  "(2.5.29.37): differs" },
		{ NID_ext_key_usage, "codeSigning", "extendedKeyUsage" },
		{ NID_ext_key_usage, NULL, "extendedKeyUsage (2.5.29.37): missing" },
		{ NID_subject_key_identifier, "00112233445566778899",
		  "subjectKeyIdentifier (2.5.29.14): differs" },
		{ NID_subject_key_identifier, NULL, "subjectKeyIdentifier "
		  "(2.5.29.14): missing" },
		{ NID_authority_key_identifier, NULL, "authorityKeyIdentifier "
		  "(2.5.29.35): missing" },
		{ NID_netscape_comment, "hello", "extension nsComment "
		  "(2.16.840.1.113730.1.13): template 'WebServer' does not "
		  "produce it" },
		{ NID_name_constraints, "critical,permitted;DNS:example.com",
		  "nameConstraints (2.5.29.30): template 'WebServer' does not "
		  "produce it" },
		{ NID_crl_distribution_points, "URI:http://crl.example.com/x.crl",
		  "crlDistributionPoints" },
	};
	struct kit *k = *state;
	struct ce_error err;
	struct key_spec spec;
	struct policy p, other;
	X509_EXTENSION *ext = NULL;
	ASN1_OBJECT *obj = NULL;
	ASN1_OCTET_STRING *null = NULL;
	X509 *x;
	size_t i;

	world(k);
	kit_policy(k, "WebServer", 0, ROOT, &p);
	E(key_spec_parse_word("ECC-P-256", &spec, &err));
	x = tbs(&p, (struct tbs){ 0 });
	E(signer_check_extensions(&p, &spec, x, &err));
	X509_free(x);
	for (i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		x = tbs(&p, (struct tbs){ 0 });
		set_ext(x, p.ca->cert, forged[i].nid, forged[i].value);
		EFAIL(signer_check_extensions(&p, &spec, x, &err), CE_INVAL,
		    forged[i].says);
		X509_free(x);
	}
	/* the key usage of another key type */
	x = tbs(&p, (struct tbs){ 0 });
	E(key_spec_parse_word("RSA-2048", &spec, &err));
	EFAIL(signer_check_extensions(&p, &spec, x, &err), CE_INVAL,
	    "keyUsage (2.5.29.15): differs");
	E(key_spec_parse_word("ECC-P-256", &spec, &err));
	X509_free(x);
	/* an extension no one knows */
	x = tbs(&p, (struct tbs){ 0 });
	CHECK((obj = OBJ_txt2obj("1.2.3.4.5", 1)) != NULL &&
	    (null = ASN1_OCTET_STRING_new()) != NULL &&
	    ASN1_OCTET_STRING_set(null, (const unsigned char *)"\x05\x00", 2) &&
	    (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, null)) != NULL);
	CHECK(X509_add_ext(x, ext, -1) == 1);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(null);
	ASN1_OBJECT_free(obj);
	EFAIL(signer_check_extensions(&p, &spec, x, &err), CE_INVAL,
	    "extension unknown extension (1.2.3.4.5): template 'WebServer' "
	    "does not produce it");
	X509_free(x);
	/* an AKI naming another CA */
	kit_policy(k, "WebServer", 0, SHORT, &other);
	x = tbs(&p, (struct tbs){ 0 });
	set_ext(x, other.ca->cert, NID_authority_key_identifier, "keyid:always");
	EFAIL(signer_check_extensions(&p, &spec, x, &err), CE_INVAL,
	    "authorityKeyIdentifier (2.5.29.35): differs");
	X509_free(x);
	policy_clear(&other);
	/* SANs are the name policy's business, not this check's */
	x = tbs(&p, (struct tbs){ .sans = "{\"dns\":[\"evil.test\"]}" });
	E(signer_check_extensions(&p, &spec, x, &err));
	X509_free(x);
	policy_clear(&p);

	/* the template's own extensions, exactly */
	kit_policy(k, "Commented", 0, ROOT, &p);
	x = tbs(&p, (struct tbs){ 0 });
	E(signer_check_extensions(&p, &spec, x, &err));
	set_ext(x, p.ca->cert, NID_netscape_comment, "issued elsewhere");
	EFAIL(signer_check_extensions(&p, &spec, x, &err), CE_INVAL,
	    "extension nsComment (2.16.840.1.113730.1.13): differs from what "
	    "template 'Commented' produces");
	set_ext(x, p.ca->cert, NID_netscape_comment, NULL);
	EFAIL(signer_check_extensions(&p, &spec, x, &err), CE_INVAL,
	    "nsComment (2.16.840.1.113730.1.13): missing, template "
	    "'Commented' produces it");
	X509_free(x);
	policy_clear(&p);
}

/* Stores a request record (JSON with %s for the subject and %lld for the
 * pattern) under id. */
static void
request(struct kit *k, int64_t id, const char *fmt, const char *subject,
    int64_t pattern)
{
	char key[DB_IDKEY_MAX], text[512];
	json_object *rec;

	snprintf(text, sizeof(text), fmt, subject, (long long)pattern);
	/* with its id, as request records hold it (and PostgreSQL's schema
	 * requires) */
	rec = kit_json(text);
	json_object_object_add(rec, "id", json_object_new_int64(id));
	kit_put(k, T_REQUESTS, db_idkey((uint64_t)id, key),
	    json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN));
	json_object_put(rec);
}

/* signer_check_approval in a write transaction, committed when it
 * passes. */
static enum ce_err
approval(struct kit *k, const struct policy *p, int64_t id, X509 *x,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	enum ce_err rc;

	if ((rc = db_begin(k->db, 1, &txn, err)) != CE_OK)
		return rc;
	if ((rc = signer_check_approval(txn, p, id, x, err)) != CE_OK) {
		db_abort(txn);
		return rc;
	}
	return db_commit(txn, err);
}

#define REQ(state, tmpl, ca) "{\"state\":\"" state "\",\"template\":\"" tmpl \
		"\",\"ca\":\"" ca "\",\"subject\":\"%s\",\"pattern_id\":%lld}"

static void
test_approval(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct policy p;
	json_object *rec = NULL;
	char *subj, serial[64], key[DB_IDKEY_MAX];
	X509 *x;

	world(k);
	/* no approval needed: nothing is read */
	kit_policy(k, "WebServer", 0, ROOT, &p);
	x = tbs(&p, (struct tbs){ 0 });
	E(approval(k, &p, 0, x, &err));
	E(approval(k, &p, 12345, x, &err));
	X509_free(x);
	policy_clear(&p);

	kit_policy(k, "Approved", 0, ROOT, &p);
	x = tbs(&p, (struct tbs){ 0 });
	CHECK((subj = x500_format(X509_get_subject_name(x))) != NULL);
	request(k, 1, REQ("APPROVING", "approved", "HOST\\\\ROOTCA"), subj,
	    p.pattern_id);
	request(k, 2, REQ("PENDING", "Approved", "host\\\\RootCA"), subj,
	    p.pattern_id);
	request(k, 3, REQ("APPROVING", "Approved", "host\\\\RootCA"),
	    "CN=other.example.com", p.pattern_id);
	request(k, 4, REQ("APPROVING", "WebServer", "host\\\\RootCA"), subj,
	    p.pattern_id);
	request(k, 5, REQ("APPROVING", "Approved", "host\\\\ShortCA"), subj,
	    p.pattern_id);
	request(k, 6, REQ("APPROVING", "Approved", "host\\\\RootCA"), subj,
	    p.pattern_id + 100);
	request(k, 7, REQ("ISSUED", "Approved", "host\\\\RootCA"), subj,
	    p.pattern_id);

	EFAIL(approval(k, &p, 0, x, &err), CE_INVAL, "approval: template "
	    "'Approved' requires approval and no approved request was named");
	EFAIL(approval(k, &p, -1, x, &err), CE_INVAL, "no approved request");
	EFAIL(approval(k, &p, 99, x, &err), CE_INVAL,
	    "approval: request 99 does not exist");
	EFAIL(approval(k, &p, 2, x, &err), CE_INVAL,
	    "approval: request 2 is PENDING, not being approved");
	EFAIL(approval(k, &p, 7, x, &err), CE_INVAL, "request 7 is ISSUED");
	EFAIL(approval(k, &p, 3, x, &err), CE_INVAL,
	    "approval: request 3 was approved for another subject");
	EFAIL(approval(k, &p, 4, x, &err), CE_INVAL,
	    "approval: request 4 is for template 'WebServer', not 'Approved'");
	EFAIL(approval(k, &p, 5, x, &err), CE_INVAL,
	    "approval: request 5 is for CA host\\ShortCA, not host\\RootCA");
	EFAIL(approval(k, &p, 6, x, &err), CE_INVAL,
	    "approval: request 6 is for enrollment pattern");

	/* the approved one, once: it is marked with the serial */
	E(approval(k, &p, 1, x, &err));
	CHECK(x509_serial_hex(x, serial, sizeof(serial)) == CE_OK);
	E(db_begin(k->db, 0, &txn, &err));
	E(db_get(txn, T_REQUESTS, db_idkey(1, key), &rec, &err));
	db_abort(txn);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec,
	    "signed_serial")), serial) == 0);
	json_object_put(rec);
	EFAIL(approval(k, &p, 1, x, &err), CE_INVAL,
	    "approval: request 1 was already signed (serial");
	/* a refusal marks nothing */
	E(db_begin(k->db, 0, &txn, &err));
	E(db_get(txn, T_REQUESTS, db_idkey(3, key), &rec, &err));
	db_abort(txn);
	CHECK(json_object_object_get(rec, "signed_serial") == NULL);
	json_object_put(rec);
	free(subj);
	X509_free(x);
	policy_clear(&p);
}

/* A signer request for x (signed with the lint's throwaway key first). */
static json_object *
sign_request(const struct policy *p, X509 *x, const char *tmpl)
{
	struct ce_error err;
	unsigned char *der = NULL;
	json_object *req;
	char *b64 = NULL;
	int n;

	E(lint_presign(x, p->ca, &err));
	CHECK((n = i2d_X509(x, &der)) > 0 &&
	    (b64 = b64_encode(der, (size_t)n)) != NULL);
	OPENSSL_free(der);
	CHECK((req = json_object_new_object()) != NULL);
	json_object_object_add(req, "ca", json_object_new_string(p->ca->name));
	json_object_object_add(req, "template", json_object_new_string(tmpl));
	json_object_object_add(req, "requester", json_object_new_string("alice"));
	json_object_object_add(req, "tbs", json_object_new_string(b64));
	free(b64);
	return req;
}

/* signer_handle's answer to req is a refusal holding says. */
static void
refused(struct kit *k, json_object *req, const char *says)
{
	json_object *ans = signer_handle(k->db, req), *v;

	CHECK(ans != NULL);
	if (json_object_get_boolean(json_object_object_get(ans, "ok")) ||
	    !json_object_object_get_ex(ans, "error", &v) ||
	    strstr(json_object_get_string(v), says) == NULL)
		fail_msg("answer %s, wanted a refusal saying '%s'",
		    json_object_to_json_string(ans), says);
	CHECK(!json_object_get_boolean(json_object_object_get(ans, "fault")));
	json_object_put(ans);
}

static void
test_handle(void **state)
{
	struct kit *k = *state;
	struct policy p;
	struct ce_buf der = { NULL, 0 };
	json_object *req, *ans;
	EVP_PKEY *key;
	X509 *x, *signed_x;
	char serial[64];

	world(k);
	kit_policy(k, "WebServer", 0, ROOT, &p);
	x = tbs(&p, (struct tbs){ 0 });
	req = sign_request(&p, x, "WebServer");
	ans = signer_handle(k->db, req);
	CHECK(json_object_get_boolean(json_object_object_get(ans, "ok")));
	CHECK(b64_decode(json_object_get_string(json_object_object_get(ans,
	    "cert")), &der) == CE_OK);
	CHECK((signed_x = der_to_x509(der.data, der.len)) != NULL);
	CHECK(X509_verify(signed_x, X509_get0_pubkey(p.ca->cert)) == 1);
	CHECK(X509_NAME_cmp(X509_get_subject_name(signed_x),
	    X509_get_subject_name(x)) == 0);
	buf_free(&der);
	json_object_put(ans);
	/* the same serial never again */
	CHECK(x509_serial_hex(x, serial, sizeof(serial)) == CE_OK);
	refused(k, req, "is already signed");
	refused(k, req, serial);
	json_object_put(req);
	X509_free(signed_x);
	X509_free(x);

	/* names outside the template's DNS suffixes, in a SAN or the CN */
	x = tbs(&p, (struct tbs){ .sans = "{\"dns\":[\"www.example.com\","
	    "\"www.evil.test\"]}" });
	req = sign_request(&p, x, "WebServer");
	refused(k, req, "SANs.dns: 'www.evil.test' is outside the DNS suffixes "
	    "of template 'WebServer'");
	json_object_put(req);
	X509_free(x);
	x = tbs(&p, (struct tbs){ .subject = "CN=www.evil.test",
	    .sans = "{\"dns\":[\"www.evil.test\"]}" });
	req = sign_request(&p, x, "WebServer");
	refused(k, req, "'www.evil.test' is outside the DNS suffixes");
	json_object_put(req);
	X509_free(x);
	/* a forged key size, a forged validity */
	CHECK((key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384")) != NULL);
	x = tbs(&p, (struct tbs){ .key = key });
	EVP_PKEY_free(key);
	req = sign_request(&p, x, "WebServer");
	refused(k, req, "KeyType: ECC-P-384 is not allowed");
	json_object_put(req);
	X509_free(x);
	x = tbs(&p, (struct tbs){ .na = time(NULL) + 365 * DAY });
	req = sign_request(&p, x, "WebServer");
	refused(k, req, "days is longer than the 90 days of template");
	/* the caller's word for the template does not change the policy */
	json_object_object_add(req, "template", json_object_new_string("Nope"));
	refused(k, req, "Template: 'Nope' is not a known template");
	json_object_object_add(req, "tbs", json_object_new_string("AAAA"));
	refused(k, req, "the certificate does not parse");
	json_object_object_del(req, "ca");
	refused(k, req, "malformed request");
	json_object_put(req);
	X509_free(x);
	policy_clear(&p);
}

/* ---- the client (signer.h) against a server thread ------------------ */

struct server {
	struct kit	*k;
	int		 lfd;
	int		 forge;		/* answer with another key's signature */
};

/* Serves one connection as certenroll-signer does (or forges). */
static void *
serve_one(void *arg)
{
	struct server *sv = arg;
	struct ce_error err;
	json_object *req = NULL, *ans;
	int fd;

	if ((fd = accept(sv->lfd, NULL, NULL)) == -1)
		return NULL;
	if (signer_recv(fd, &req, 5000, &err) == CE_OK) {
		ans = signer_handle(sv->k->db, req);
		if (sv->forge && json_object_get_boolean(json_object_object_get(
		    ans, "ok"))) {
			struct tc_pki other;
			unsigned char *der = NULL;
			char *b64;
			int n;

			/* a certificate of someone else's, validly signed */
			tc_pki_new(&other);
			n = i2d_X509(other.leaf, &der);
			b64 = b64_encode(der, (size_t)n);
			json_object_object_add(ans, "cert",
			    json_object_new_string(b64));
			free(b64);
			OPENSSL_free(der);
			tc_pki_free(&other);
		}
		(void)signer_send(fd, ans, 5000, &err);
		json_object_put(ans);
	}
	json_object_put(req);
	close(fd);
	return NULL;
}

static void
test_client(void **state)
{
	struct kit *k = *state;
	struct sign_req sr = { "WebServer", 0, 0, "alice" };
	struct sockaddr_un sun;
	struct server sv = { k, -1, 0 };
	struct ce_error err;
	struct policy p;
	pthread_t th;
	char path[100];
	X509 *x, *before;
	int forge;

	world(k);
	kit_policy(k, "WebServer", 0, ROOT, &p);
	snprintf(path, sizeof(path), "%s/signer.sock", k->dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	CHECK((sv.lfd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	CHECK(bind(sv.lfd, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
	    listen(sv.lfd, 4) == 0);
	for (forge = 0; forge <= 1; forge++) {
		sv.forge = forge;
		x = tbs(&p, (struct tbs){ 0 });
		E(lint_presign(x, p.ca, &err));
		CHECK((before = X509_dup(x)) != NULL);
		CHECK(pthread_create(&th, NULL, serve_one, &sv) == 0);
		if (!forge) {
			/* signed by the CA, the body we sent */
			E(signer_sign(path, p.ca->name, p.ca->cert, &sr, &x, &err));
			CHECK(X509_verify(x, X509_get0_pubkey(p.ca->cert)) == 1);
			CHECK(X509_NAME_cmp(X509_get_subject_name(x),
			    X509_get_subject_name(before)) == 0);
		} else {
			/* an answer that is not our certificate is refused, and
			 * ours stays as it was */
			EFAIL(signer_sign(path, p.ca->name, p.ca->cert, &sr, &x,
			    &err), CE_CRYPTO, "internal error");
			CHECK(X509_cmp(x, before) == 0);
		}
		pthread_join(th, NULL);
		X509_free(before);
		X509_free(x);
	}
	/* nobody listening: a fault, not a hang */
	close(sv.lfd);
	unlink(path);
	x = tbs(&p, (struct tbs){ 0 });
	E(lint_presign(x, p.ca, &err));
	EFAIL(signer_sign(path, p.ca->name, p.ca->cert, &sr, &x, &err),
	    CE_SYSTEM, "internal error");
	X509_free(x);
	policy_clear(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_key),
		KIT_TEST(test_validity),
		KIT_TEST(test_extensions),
		KIT_TEST(test_approval),
		KIT_TEST(test_handle),
		KIT_TEST(test_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
