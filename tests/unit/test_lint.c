/*
 * test_lint.c - the pre-issuance lints (lint.h).  A certificate built the
 * way lib/pki/issue.c builds one passes lint_presign() and lint_certificate()
 * for an ECC P-256 and an RSA-2048 CA; then a table of variants, each broken
 * in one way, must each fail with CE_INVAL naming exactly the lint that
 * catches it.  Rows with a NULL lint are variants the profile allows; rows
 * marked .bug are lint.c's known misses (reported as skipped, see struct
 * lint_case).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "keys.h"
#include "lint.h"
#include "pemutil.h"
#include "x500.h"

#define DAY		86400L
#define CN		"www.example.com"
#define EE_SUBJECT	"CN=" CN ",O=Example"

/* A field set to OMIT leaves the extension (or the subject) out. */
static const char omit[] = "omit";
#define OMIT		omit

enum ca_kind { ON_BOTH, ON_EC, ON_RSA };
enum signer { PRESIGN, SIGN_OTHER_TYPE, SIGN_ED25519, SIGN_SHA384 };

/*
 * How a variant differs from the certificate issue.c builds.  Zero / NULL
 * fields are issue.c's choices; extension values are openssl config syntax.
 */
struct tbs {
	int		 version;	/* set after the signature: 1, 2 */
	int		 bare;		/* v1 without any extension */
	const char	*serial;	/* hex (BN_hex2bn); NULL: random */
	int		 validity;	/* use nb / na instead of issue.c's */
	long		 nb, na;	/* seconds from now */
	const char	*subject;	/* x500 string; NULL: EE_SUBJECT */
	const char	*issuer;	/* x500 string; NULL: the CA's subject */
	const char	*bc, *ku, *eku, *san;
	int		 no_ski;
	const char	*aki;		/* "other": keyid of the other CA */
	int		 dup;		/* NID added a second time, same value */
	const char	*aia;		/* authorityInfoAccess, when set */
	const char	*crldp;		/* crlDistributionPoints, when set */
	void		(*extra)(X509 *);
	enum signer	 signer;
	int		 any_eku;	/* lint without an expected EKU */
};

struct lint_case {
	const char	*name;
	const char	*lint;		/* NULL: must pass */
	enum ca_kind	 on;
	struct tbs	 t;
	/*
	 * A known lint.c bug: why the lint misses, and the lint that fires
	 * instead (NULL: the certificate passes).  The row checks that
	 * behaviour and is reported as skipped; once lint.c names the right
	 * lint it fails, asking for the mark to go.
	 */
	const char	*bug;
	const char	*instead;
};

/* The two issuers and the keys the subscribers use. */
struct fixture {
	EVP_PKEY	*key;		/* the CA's */
	EVP_PKEY	*leaf;		/* the subscriber's, same type */
	struct ca	 ca;
};

static struct fixture ec, rsa;
static EVP_PKEY *ed25519;
static STACK_OF(ASN1_OBJECT) *want_eku;	/* serverAuth, as a template lists */

static EVP_PKEY *
make_key(enum key_type type, int bits, int nid)
{
	struct key_spec spec = { type, bits, nid };
	struct ce_error err;
	EVP_PKEY *k = NULL;

	assert_int_equal(key_generate(&spec, &k, &err), CE_OK);
	assert_non_null(k);
	return k;
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	struct ce_error err;

	assert_int_equal(x509_add_ext(x, issuer, nid, value, &err), CE_OK);
}

/* A self-signed CA valid from yesterday for a year, with an SKI. */
static void
make_ca(struct fixture *f, const char *subject, EVP_PKEY *key, EVP_PKEY *leaf)
{
	struct ce_error err;
	X509_NAME *name = NULL;
	X509 *x = X509_new();

	assert_non_null(x);
	assert_int_equal(x500_parse(subject, &name, &err), CE_OK);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(x509_set_random_serial(x, &err), CE_OK);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -DAY));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 365 * DAY));
	assert_int_equal(X509_set_subject_name(x, name), 1);
	assert_int_equal(X509_set_issuer_name(x, name), 1);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
	add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	add_ext(x, x, NID_subject_key_identifier, "hash");
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	assert_non_null(X509_get0_subject_key_id(x));
	X509_NAME_free(name);

	f->key = key;
	f->leaf = leaf;
	f->ca.id = 1;
	snprintf(f->ca.name, sizeof(f->ca.name), "test\\%s", subject + 3);
	f->ca.cert = x;
	f->ca.chain = sk_X509_new_null();
	assert_non_null(f->ca.chain);
}

static int
setup(void **state)
{
	ASN1_OBJECT *o;

	(void)state;
	make_ca(&ec, "CN=Test EC CA", make_key(KEY_ECC, 256,
	    NID_X9_62_prime256v1), make_key(KEY_ECC, 256, NID_X9_62_prime256v1));
	make_ca(&rsa, "CN=Test RSA CA", make_key(KEY_RSA, 2048, 0),
	    make_key(KEY_RSA, 2048, 0));
	ed25519 = make_key(KEY_ED25519, 0, 0);
	want_eku = sk_ASN1_OBJECT_new_null();
	o = OBJ_nid2obj(NID_server_auth);
	assert_non_null(want_eku);
	assert_true(sk_ASN1_OBJECT_push(want_eku, OBJ_dup(o)) > 0);
	return 0;
}

static void
fixture_free(struct fixture *f)
{
	sk_X509_free(f->ca.chain);
	X509_free(f->ca.cert);
	EVP_PKEY_free(f->leaf);
	EVP_PKEY_free(f->key);
}

static int
teardown(void **state)
{
	(void)state;
	fixture_free(&ec);
	fixture_free(&rsa);
	EVP_PKEY_free(ed25519);
	sk_ASN1_OBJECT_pop_free(want_eku, ASN1_OBJECT_free);
	return 0;
}

static int
is_rsa(const struct fixture *f)
{
	return EVP_PKEY_get_base_id(f->leaf) == EVP_PKEY_RSA;
}

/* issue.c's set_validity(): a minute back, 90 days, clamped to the CA's. */
static void
set_validity(X509 *x, const struct tbs *t, const struct fixture *f)
{
	time_t now = time(NULL);
	const ASN1_TIME *ca_end = X509_get0_notAfter(f->ca.cert);
	ASN1_TIME *end;

	assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), 0,
	    t->validity ? t->nb : -60, &now));
	end = X509_time_adj_ex(X509_getm_notAfter(x), 0,
	    t->validity ? t->na : 90 * DAY, &now);
	assert_non_null(end);
	if (!t->validity && ASN1_TIME_compare(end, ca_end) > 0)
		assert_int_equal(X509_set1_notAfter(x, ca_end), 1);
}

static void
set_serial(X509 *x, const char *hex)
{
	struct ce_error err;
	BIGNUM *bn = NULL;

	if (hex == NULL) {
		assert_int_equal(x509_set_random_serial(x, &err), CE_OK);
		return;
	}
	assert_true(BN_hex2bn(&bn, hex) > 0);
	assert_non_null(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)));
	BN_free(bn);
}

static void
set_name(X509 *x, const char *s, int issuer)
{
	struct ce_error err;
	X509_NAME *name = NULL;

	assert_int_equal(x500_parse(s, &name, &err), CE_OK);
	assert_int_equal(issuer ? X509_set_issuer_name(x, name) :
	    X509_set_subject_name(x, name), 1);
	X509_NAME_free(name);
}

/* An extension from t's value v, or issue.c's default d; OMIT: none. */
static void
ext_or(X509 *x, const struct fixture *f, int nid, const char *v, const char *d)
{
	if (v != OMIT)
		add_ext(x, f->ca.cert, nid, v != NULL ? v : d);
}

/* The extensions, in issue.c's order: basicConstraints, the template's
 * usages, SKI, AKI, subjectAltName (critical for an empty subject). */
static void
add_extensions(X509 *x, const struct tbs *t, const struct fixture *f)
{
	const char *ku = is_rsa(f) ? "critical,digitalSignature,keyEncipherment" :
	    "critical,digitalSignature";
	const char *san = X509_NAME_entry_count(X509_get_subject_name(x)) == 0 ?
	    "critical,DNS:" CN : "DNS:" CN;
	const struct fixture *other = f == &ec ? &rsa : &ec;
	X509_EXTENSION *e;
	int i;

	ext_or(x, f, NID_basic_constraints, t->bc, "critical,CA:FALSE");
	ext_or(x, f, NID_key_usage, t->ku, ku);
	ext_or(x, f, NID_ext_key_usage, t->eku, "serverAuth");
	if (!t->no_ski)
		add_ext(x, f->ca.cert, NID_subject_key_identifier, "hash");
	if (t->aki != NULL && strcmp(t->aki, "other") == 0)
		add_ext(x, other->ca.cert, NID_authority_key_identifier,
		    "keyid:always");
	else
		ext_or(x, f, NID_authority_key_identifier, t->aki, "keyid:always");
	ext_or(x, f, NID_subject_alt_name, t->san, san);
	/* Extensions a template may add (policy_add_extensions). */
	if (t->aia != NULL)
		add_ext(x, f->ca.cert, NID_info_access, t->aia);
	if (t->crldp != NULL)
		add_ext(x, f->ca.cert, NID_crl_distribution_points, t->crldp);
	if (t->dup != 0) {
		i = X509_get_ext_by_NID(x, t->dup, -1);
		assert_true(i >= 0);
		e = X509_EXTENSION_dup(X509_get_ext(x, i));
		assert_non_null(e);
		assert_int_equal(X509_add_ext(x, e, -1), 1);
		X509_EXTENSION_free(e);
	}
}

/* The certificate issue.c would build for f's CA, changed as t says. */
static X509 *
build(const struct tbs *t, const struct fixture *f)
{
	X509 *x = X509_new();

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, t->bare ? X509_VERSION_1 :
	    X509_VERSION_3), 1);
	set_name(x, t->subject != NULL ? t->subject : EE_SUBJECT, 0);
	if (t->issuer != NULL)
		set_name(x, t->issuer, 1);
	else
		assert_int_equal(X509_set_issuer_name(x,
		    X509_get_subject_name(f->ca.cert)), 1);
	assert_int_equal(X509_set_pubkey(x, f->leaf), 1);
	set_serial(x, t->serial);
	set_validity(x, t, f);
	if (!t->bare)
		add_extensions(x, t, f);
	if (t->extra != NULL)
		t->extra(x);
	return x;
}

/* Signs x as t says: the throwaway presignature, or another key directly. */
static void
sign(X509 *x, const struct tbs *t, const struct fixture *f)
{
	struct ce_error err;

	switch (t->signer) {
	case PRESIGN:
		assert_int_equal(lint_presign(x, &f->ca, &err), CE_OK);
		break;
	case SIGN_OTHER_TYPE:
		assert_true(X509_sign(x, (f == &ec ? &rsa : &ec)->leaf,
		    EVP_sha256()) > 0);
		break;
	case SIGN_ED25519:
		assert_true(X509_sign(x, ed25519, NULL) > 0);
		break;
	case SIGN_SHA384:
		assert_true(X509_sign(x, f->leaf, EVP_sha384()) > 0);
		break;
	}
	/* X509_sign() makes a certificate with extensions v3. */
	if (t->version != 0)
		assert_int_equal(X509_set_version(x, t->version - 1), 1);
}

/* Builds, signs and lints; returns lint_certificate()'s code. */
static enum ce_err
lint(const struct tbs *t, const struct fixture *f, struct ce_error *err)
{
	X509 *x = build(t, f);
	enum ce_err rc;

	sign(x, t, f);
	memset(err, 0, sizeof(*err));
	rc = lint_certificate(x, &f->ca, t->any_eku ? NULL : want_eku, err);
	X509_free(x);
	ERR_clear_error();
	return rc;
}

/*
 * The good certificate, for both CAs: it passes the lints after the
 * throwaway signature and again after the CA's own (and verifies with it).
 */
static void
good(struct fixture *f)
{
	struct tbs t = { 0 };
	struct ce_error err;
	X509 *x = build(&t, f);
	BIGNUM *bn;

	assert_int_equal(lint_presign(x, &f->ca, &err), CE_OK);
	assert_int_equal(lint_certificate(x, &f->ca, want_eku, &err), CE_OK);
	assert_int_equal(lint_certificate(x, &f->ca, NULL, &err), CE_OK);
	assert_int_equal(X509_verify(x, X509_get0_pubkey(f->ca.cert)), 0);
	assert_true(X509_sign(x, f->key, ca_digest(&f->ca)) > 0);
	assert_int_equal(X509_verify(x, X509_get0_pubkey(f->ca.cert)), 1);
	assert_int_equal(lint_certificate(x, &f->ca, want_eku, &err), CE_OK);
	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	assert_non_null(bn);
	assert_int_equal(BN_num_bits(bn), 127);
	BN_free(bn);
	X509_free(x);
	ERR_clear_error();
}

static void
test_good_ec(void **state)
{
	(void)state;
	good(&ec);
}

static void
test_good_rsa(void **state)
{
	(void)state;
	good(&rsa);
}

/* ---- Probes for the extra hook. ---- */

/* A DNS SAN with a NUL inside: "www.example.com\0.evil.example". */
static void
san_with_nul(X509 *x)
{
	static const char v[] = CN "\0.evil.example";
	GENERAL_NAMES *names = GENERAL_NAMES_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

	assert_non_null(names);
	assert_non_null(gn);
	assert_non_null(ia5);
	assert_int_equal(ASN1_STRING_set(ia5, v, sizeof(v) - 1), 1);
	GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
	assert_true(sk_GENERAL_NAME_push(names, gn) > 0);
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0,
	    X509V3_ADD_REPLACE), 1);
	GENERAL_NAMES_free(names);
}

/* A non-critical nameConstraints whose value does not decode: OpenSSL then
 * marks the certificate's extensions invalid (EXFLAG_INVALID). */
static void
undecodable_ext(X509 *x)
{
	static const unsigned char junk[] = { 0x05, 0x00 };	/* NULL */
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e;

	assert_non_null(os);
	assert_int_equal(ASN1_OCTET_STRING_set(os, junk, sizeof(junk)), 1);
	e = X509_EXTENSION_create_by_NID(NULL, NID_name_constraints, 0, os);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
}

#define VALID(b, a)	.validity = 1, .nb = (b), .na = (a)
#define KU_EC		"critical,digitalSignature"
#define KU_RSA		"critical,digitalSignature,keyEncipherment"
#define AIA		"caIssuers;URI:http://ca.example.com/ca.crt"
#define CRLDP		"URI:http://ca.example.com/ca.crl"
#define NOBUG		NULL, NULL
/*
 * X509_get_ext_d2i() answers NULL for an extension present twice, and
 * OpenSSL's extension cache then marks the certificate invalid, so that
 * X509_get0_subject_key_id() answers NULL: an earlier lint sees the
 * extension (or the SKI) "missing" before lint_unique() runs.
 */
#define DUP_BUG(l)	"a lint that runs before lint_unique() reports the " \
			"duplicate as a missing extension", (l)

static const struct lint_case cases[] = {
	/* version-3 */
	{ "v1 without extensions", "version-3", ON_BOTH, { .bare = 1 }, NOBUG },
	{ "v1 with extensions", "version-3", ON_BOTH, { .version = 1 }, NOBUG },
	{ "v2", "version-3", ON_BOTH, { .version = 2 }, NOBUG },

	/* serial */
	{ "serial negative", "serial", ON_BOTH,
	    { .serial = "-4000000000000001" }, NOBUG },
	{ "serial zero", "serial", ON_BOTH, { .serial = "0" }, NOBUG },
	{ "serial 21 octets (2^160)", "serial", ON_BOTH,
	    { .serial = "010000000000000000000000000000000000000000" }, NOBUG },
	{ "serial 160 bits (21 octets DER)", "serial", ON_BOTH,
	    { .serial = "8000000000000000000000000000000000000000" }, NOBUG },
	{ "serial 63 bits", "serial", ON_BOTH,
	    { .serial = "7FFFFFFFFFFFFFFF" }, NOBUG },
	{ "serial 1", "serial", ON_BOTH, { .serial = "1" }, NOBUG },
	{ "serial 64 bits", NULL, ON_BOTH,
	    { .serial = "8000000000000000" }, NOBUG },
	{ "serial 159 bits (20 octets)", NULL, ON_BOTH,
	    { .serial = "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" }, NOBUG },

	/* validity */
	{ "notBefore after notAfter", "validity", ON_BOTH,
	    { VALID(2 * DAY, DAY) }, NOBUG },
	{ "notBefore = notAfter", "validity", ON_BOTH,
	    { VALID(DAY, DAY) }, NOBUG },
	{ "notAfter past the CA's", "validity", ON_BOTH,
	    { VALID(-60, 400 * DAY) }, NOBUG },
	{ "notBefore before the CA's", "validity", ON_BOTH,
	    { VALID(-2 * DAY, 30 * DAY) }, NOBUG },
	{ "validity up to the CA's notAfter", NULL, ON_BOTH,
	    { VALID(-60, 365 * DAY - 3600) }, NOBUG },

	/* subject-or-san */
	{ "empty subject, non-critical SAN", "subject-or-san", ON_BOTH,
	    { .subject = "", .san = "DNS:" CN }, NOBUG },
	{ "empty subject, no SAN", "subject-or-san", ON_BOTH,
	    { .subject = "", .san = OMIT }, NOBUG },
	{ "empty subject, critical SAN", NULL, ON_BOTH,
	    { .subject = "" }, NOBUG },

	/* cn-in-san */
	{ "CN not among the DNS SANs", "cn-in-san", ON_BOTH,
	    { .san = "DNS:other.example.com" }, NOBUG },
	{ "DNS CN, no SAN", "cn-in-san", ON_BOTH, { .san = OMIT }, NOBUG },
	{ "DNS CN, only an IP SAN", "cn-in-san", ON_BOTH,
	    { .san = "IP:192.0.2.1" }, NOBUG },
	{ "CN in SAN, other case", NULL, ON_BOTH,
	    { .san = "DNS:WWW.Example.COM" }, NOBUG },
	{ "CN not a DNS name, no SAN", NULL, ON_BOTH,
	    { .subject = "CN=Jane Doe", .san = OMIT }, NOBUG },
	{ "second CN not among the DNS SANs", "cn-in-san", ON_BOTH,
	    { .subject = "CN=" CN ",CN=evil.example.org" }, NOBUG },

	/* dns-names */
	{ "DNS SAN a..b", "dns-names", ON_BOTH,
	    { .san = "DNS:" CN ",DNS:a..b" }, NOBUG },
	{ "DNS SAN with a space", "dns-names", ON_BOTH,
	    { .san = "DNS:" CN ",DNS:bad name.example.com" }, NOBUG },
	{ "DNS SAN label ending in '-'", "dns-names", ON_BOTH,
	    { .san = "DNS:" CN ",DNS:bad-.example.com" }, NOBUG },
	{ "DNS SAN *.*.example.com", "dns-names", ON_BOTH,
	    { .san = "DNS:" CN ",DNS:*.*.example.com" }, NOBUG },
	{ "DNS SAN wildcard", NULL, ON_BOTH,
	    { .san = "DNS:" CN ",DNS:*.example.com" }, NOBUG },
	{ "DNS SAN with an embedded NUL", "dns-names", ON_BOTH,
	    { .san = OMIT, .extra = san_with_nul }, NOBUG },

	/* basic-constraints */
	{ "basicConstraints missing", "basic-constraints", ON_BOTH,
	    { .bc = OMIT }, NOBUG },
	{ "basicConstraints not critical", "basic-constraints", ON_BOTH,
	    { .bc = "CA:FALSE" }, NOBUG },
	{ "basicConstraints CA:TRUE", "basic-constraints", ON_BOTH,
	    { .bc = "critical,CA:TRUE" }, NOBUG },

	/* key-usage */
	{ "keyUsage missing", "key-usage", ON_BOTH, { .ku = OMIT }, NOBUG },
	{ "keyUsage not critical", "key-usage", ON_BOTH,
	    { .ku = "digitalSignature" }, NOBUG },
	{ "keyUsage keyCertSign", "key-usage", ON_BOTH,
	    { .ku = "critical,digitalSignature,keyCertSign" }, NOBUG },
	{ "keyUsage cRLSign", "key-usage", ON_BOTH,
	    { .ku = "critical,digitalSignature,cRLSign" }, NOBUG },
	{ "keyUsage keyEncipherment, EC key", "key-usage", ON_EC,
	    { .ku = KU_RSA }, NOBUG },
	{ "keyUsage dataEncipherment, EC key", "key-usage", ON_EC,
	    { .ku = "critical,digitalSignature,dataEncipherment" }, NOBUG },
	{ "keyUsage keyAgreement, RSA key", "key-usage", ON_RSA,
	    { .ku = "critical,digitalSignature,keyAgreement" }, NOBUG },
	{ "keyUsage keyAgreement, EC key", NULL, ON_EC,
	    { .ku = "critical,digitalSignature,keyAgreement" }, NOBUG },
	{ "keyCertSign beside an undecodable extension", "extensions-decode",
	    ON_BOTH, { .ku = "critical,digitalSignature,keyCertSign",
	    .extra = undecodable_ext }, NOBUG },

	/* eku */
	{ "EKU clientAuth, serverAuth expected", "eku", ON_BOTH,
	    { .eku = "clientAuth" }, NOBUG },
	{ "EKU serverAuth+clientAuth", "eku", ON_BOTH,
	    { .eku = "serverAuth,clientAuth" }, NOBUG },
	{ "EKU missing", "eku", ON_BOTH, { .eku = OMIT }, NOBUG },
	{ "EKU anything, none expected", NULL, ON_BOTH,
	    { .eku = "clientAuth", .any_eku = 1 }, NOBUG },

	/* ski, aki */
	{ "SKI missing", "ski", ON_BOTH, { .no_ski = 1 }, NOBUG },
	{ "AKI missing", "aki", ON_BOTH, { .aki = OMIT }, NOBUG },
	{ "AKI of another CA", "aki", ON_BOTH, { .aki = "other" }, NOBUG },

	/* signature-algorithm */
	{ "signed with the other key type", "signature-algorithm", ON_BOTH,
	    { .signer = SIGN_OTHER_TYPE }, NOBUG },
	{ "signed with Ed25519", "signature-algorithm", ON_BOTH,
	    { .signer = SIGN_ED25519 }, NOBUG },
	{ "same key type, SHA-384", NULL, ON_BOTH,
	    { .signer = SIGN_SHA384 }, NOBUG },

	/* unique-extensions */
	{ "authorityInfoAccess twice", "unique-extensions", ON_BOTH,
	    { .aia = AIA, .dup = NID_info_access }, NOBUG },
	{ "basicConstraints twice", "unique-extensions", ON_BOTH,
	    { .dup = NID_basic_constraints }, NOBUG },
	{ "keyUsage twice", "unique-extensions", ON_BOTH,
	    { .dup = NID_key_usage }, NOBUG },
	{ "EKU twice, serverAuth expected", "unique-extensions", ON_BOTH,
	    { .dup = NID_ext_key_usage }, NOBUG },
	{ "EKU twice, none expected", "unique-extensions", ON_BOTH,
	    { .dup = NID_ext_key_usage, .any_eku = 1 }, NOBUG },
	{ "subjectAltName twice, DNS CN", "unique-extensions", ON_BOTH,
	    { .dup = NID_subject_alt_name }, NOBUG },
	{ "subjectAltName twice", "unique-extensions", ON_BOTH,
	    { .subject = "CN=Jane Doe", .san = "email:jane@example.com",
	    .dup = NID_subject_alt_name }, NOBUG },
	{ "SKI twice", "unique-extensions", ON_BOTH,
	    { .dup = NID_subject_key_identifier }, NOBUG },
	{ "AKI twice", "unique-extensions", ON_BOTH,
	    { .dup = NID_authority_key_identifier }, NOBUG },
	{ "crlDistributionPoints twice", "unique-extensions", ON_BOTH,
	    { .crldp = CRLDP, .dup = NID_crl_distribution_points },
	    NOBUG },

	/* issuer-name */
	{ "issuer is not the CA", "issuer-name", ON_BOTH,
	    { .issuer = "CN=Someone Else CA" }, NOBUG },
	{ "issuer with an extra RDN", "issuer-name", ON_EC,
	    { .issuer = "CN=Test EC CA,O=Example" }, NOBUG },
	{ "issuer in another case", "issuer-name", ON_EC,
	    { .issuer = "CN=TEST EC CA" }, NOBUG },
};

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

struct run {
	const struct lint_case	*c;
	struct fixture		*f;
};

/* Whether lint_certificate() answered rc, err as "failed lint l". */
static int
named(enum ce_err rc, const struct ce_error *err, const char *l)
{
	char want[64];

	snprintf(want, sizeof(want), "'%s'", l);
	return rc == CE_INVAL && err->code == CE_INVAL &&
	    strstr(err->msg, "pre-issuance lint") != NULL &&
	    strstr(err->msg, want) != NULL;
}

static void
test_case(void **state)
{
	const struct run *r = *state;
	const struct lint_case *c = r->c;
	struct ce_error err;
	enum ce_err rc = lint(&c->t, r->f, &err);

	if (c->lint == NULL) {
		if (rc != CE_OK)
			print_message("want a pass, got: %s\n", err.msg);
		assert_int_equal(rc, CE_OK);
		return;
	}
	if (c->bug != NULL) {
		if (named(rc, &err, c->lint))
			fail_msg("lint '%s' trips now: drop the bug mark", c->lint);
		print_message("KNOWN BUG: '%s' missed (%s): %s\n", c->lint,
		    rc == CE_OK ? "certificate passes" : err.msg, c->bug);
		if (c->instead == NULL)
			assert_int_equal(rc, CE_OK);
		else
			assert_true(named(rc, &err, c->instead));
		skip();
	}
	if (!named(rc, &err, c->lint))
		print_message("want '%s', got %s\n", c->lint, rc == CE_OK ?
		    "a pass" : err.msg);
	assert_int_equal(rc, CE_INVAL);
	assert_true(named(rc, &err, c->lint));
}

int
main(void)
{
	struct CMUnitTest *tests;
	struct run *runs;
	char **names;
	size_t i, n = 2;
	int k, rc;

	tests = calloc(2 + 2 * NCASES, sizeof(*tests));
	runs = calloc(2 * NCASES, sizeof(*runs));
	names = calloc(2 * NCASES, sizeof(*names));
	if (tests == NULL || runs == NULL || names == NULL)
		return 1;
	tests[0] = (struct CMUnitTest)cmocka_unit_test(test_good_ec);
	tests[1] = (struct CMUnitTest)cmocka_unit_test(test_good_rsa);
	for (i = 0; i < NCASES; i++)
		for (k = 0; k < 2; k++) {
			if ((k == 0 && cases[i].on == ON_RSA) ||
			    (k == 1 && cases[i].on == ON_EC))
				continue;
			runs[n - 2].c = &cases[i];
			runs[n - 2].f = k == 0 ? &ec : &rsa;
			if (asprintf(&names[n - 2], "%s: %s", k == 0 ? "ec" :
			    "rsa", cases[i].name) < 0)
				return 1;
			tests[n].name = names[n - 2];
			tests[n].test_func = test_case;
			tests[n].initial_state = &runs[n - 2];
			n++;
		}
	rc = _cmocka_run_group_tests("lint", tests, n, setup, teardown);
	for (i = 0; i + 2 < n; i++)
		free(names[i]);
	free(names);
	free(runs);
	free(tests);
	return rc;
}
