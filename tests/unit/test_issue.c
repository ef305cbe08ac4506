/*
 * test_issue.c - issue: the one path to a subscriber certificate.  It is
 * signed by the policy's CA with the profile's extensions, valid from a
 * minute ago for the template's days but never past the CA, its CN added
 * as a DNS SAN when the template allows DNS names, its SANs critical when
 * the subject is empty; without a subject or SAN, or against the name
 * policy, nothing is signed.  With a signer socket configured, the signer
 * is asked instead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "ca.h"
#include "issue.h"
#include "kit.h"
#include "policy.h"
#include "san.h"
#include "timeutil.h"
#include "x500.h"

#define ROOT	"host\\RootCA"
#define SHORT	"host\\ShortCA"
#define DAY	86400

#define WEB	"{\"name\":\"WebServer\",\"keys\":[\"ECC-P-256\"],\"days\":30," \
		"\"key_usage\":[\"digitalSignature\",\"keyEncipherment\"]," \
		"\"eku\":[\"serverAuth\",\"clientAuth\"]}"
#define IPONLY	"{\"name\":\"IpOnly\",\"names\":{\"san_types\":[\"ip\"]}}"
#define SUFFIX	"{\"name\":\"Suffix\",\"names\":{\"dns_suffixes\":" \
		"[\"example.com\"]}}"

static void
world(struct kit *k)
{
	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_ca(k, SHORT, "ECC-P-256", 10, NULL);
	kit_template(k, WEB);
	kit_template(k, IPONLY);
	kit_template(k, SUFFIX);
}

/* Issues for subject and sans (JSON or NULL) under tmpl from ca; what
 * issue_certificate() answers, in *errp. */
static enum ce_err
issue(struct kit *k, const char *tmpl, const char *ca, const char *subject,
    const char *sans, X509 **out, struct ce_error *errp)
{
	struct ce_error err;
	struct policy p;
	struct issue_in in;
	struct key_spec spec;
	X509_NAME *name = NULL;
	GENERAL_NAMES *gns = NULL;
	json_object *j = sans ? kit_json(sans) : NULL;
	EVP_PKEY *key = NULL;
	enum ce_err rc;

	kit_policy(k, tmpl, 0, ca, &p);
	E(key_spec_parse_word("ECC-P-256", &spec, &err));
	E(key_generate(&spec, &key, &err));
	E(x500_parse(subject, &name, &err));
	E(san_parse(j, &gns, &err));
	memset(&in, 0, sizeof(in));
	in.policy = &p;
	in.subject = name;
	in.sans = gns;
	in.key = key;
	in.spec = &spec;
	in.requester = "alice";
	ce_error_clear(errp);
	rc = issue_certificate(k->db, &in, out, errp);
	if (rc == CE_OK)
		CHECK(X509_verify(*out, X509_get0_pubkey(p.ca->cert)) == 1 &&
		    X509_check_private_key(*out, key) == 1);
	GENERAL_NAMES_free(gns);
	X509_NAME_free(name);
	json_object_put(j);
	EVP_PKEY_free(key);
	policy_clear(&p);
	return rc;
}

/* The SANs of x as "type:value" words joined by ' ', and whether the
 * extension is critical. */
static void
sans_of(X509 *x, char *buf, size_t bufsz, int *critical)
{
	GENERAL_NAMES *gns = X509_get_ext_d2i(x, NID_subject_alt_name, critical,
	    NULL);
	char one[256];
	int i;

	buf[0] = '\0';
	for (i = 0; i < sk_GENERAL_NAME_num(gns); i++) {
		CHECK(san_describe(sk_GENERAL_NAME_value(gns, i), one,
		    sizeof(one)) >= 0);
		snprintf(buf + strlen(buf), bufsz - strlen(buf), "%s%s",
		    i ? " " : "", one);
	}
	GENERAL_NAMES_free(gns);
}

static void
test_profile(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ca *ca;
	struct ce_txn *txn = NULL;
	BASIC_CONSTRAINTS *bc;
	EXTENDED_KEY_USAGE *eku;
	AUTHORITY_KEYID *akid;
	const ASN1_OCTET_STRING *ca_skid;
	time_t nb, na, before, after;
	X509 *x = NULL;

	world(k);
	before = time(NULL);
	E(issue(k, "WebServer", ROOT, "CN=www.example.com,O=Example", NULL, &x,
	    &err));
	after = time(NULL);
	E(db_begin(k->db, 0, &txn, &err));
	E(ca_find(txn, ROOT, &ca, &err));
	db_abort(txn);
	CHECK(X509_get_version(x) == X509_VERSION_3);
	CHECK(X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(ca->cert)) == 0);
	/* from a minute ago for the template's 30 days */
	CHECK(time_from_asn1(X509_get0_notBefore(x), &nb) == 0 &&
	    time_from_asn1(X509_get0_notAfter(x), &na) == 0);
	CHECK(nb >= before - 60 && nb <= after - 60 && na - nb == 30 * DAY + 60);
	/* the profile */
	CHECK((bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL)) !=
	    NULL && !bc->ca);
	BASIC_CONSTRAINTS_free(bc);
	CHECK(kit_key_usage(x) == KU_DIGITAL_SIGNATURE);	/* an EC key */
	CHECK((eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL)) != NULL &&
	    sk_ASN1_OBJECT_num(eku) == 2);
	EXTENDED_KEY_USAGE_free(eku);
	CHECK(X509_get0_subject_key_id(x) != NULL);
	CHECK((akid = X509_get_ext_d2i(x, NID_authority_key_identifier, NULL,
	    NULL)) != NULL && (ca_skid = X509_get0_subject_key_id(ca->cert)) !=
	    NULL && ASN1_OCTET_STRING_cmp(akid->keyid, ca_skid) == 0);
	AUTHORITY_KEYID_free(akid);
	X509_free(x);
	ca_free(ca);
}

static void
test_validity_clamped(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	X509 *x = NULL;
	struct ca *ca;
	struct ce_txn *txn = NULL;

	world(k);
	E(issue(k, "WebServer", SHORT, "CN=www.example.com", NULL, &x, &err));
	E(db_begin(k->db, 0, &txn, &err));
	E(ca_find(txn, SHORT, &ca, &err));
	db_abort(txn);
	CHECK(ASN1_TIME_compare(X509_get0_notAfter(x),
	    X509_get0_notAfter(ca->cert)) == 0);
	ca_free(ca);
	X509_free(x);
}

static void
test_names(void **state)
{
	static const struct {
		const char	*tmpl, *subject, *sans;
		const char	*want;	/* the SANs as issued */
		int		 critical;
	} cases[] = {
		/* the CN as the first DNS name, when it is one */
		{ "WebServer", "CN=www.example.com", NULL, "www.example.com", 0 },
		{ "WebServer", "CN=www.example.com", "{\"dns\":[\"a.example.com\"]}",
		  "www.example.com a.example.com", 0 },
		{ "WebServer", "CN=www.example.com",
		  "{\"dns\":[\"a.example.com\",\"WWW.Example.com\"]}",
		  "a.example.com WWW.Example.com", 0 },
		{ "WebServer", "CN=Jane Doe", "{\"rfc822\":[\"jane@example.com\"]}",
		  "jane@example.com", 0 },
		{ "WebServer", "CN=localhost", "{\"ip4\":[\"10.0.0.1\"]}",
		  "10.0.0.1", 0 },
		/* no DNS names allowed: none added */
		{ "IpOnly", "CN=Device 7", "{\"ip\":[\"10.0.0.1\"]}",
		  "10.0.0.1", 0 },
		/* an empty subject: the SANs say who, critically */
		{ "WebServer", "", "{\"dns\":[\"only.example.com\"]}",
		  "only.example.com", 1 },
	};
	struct kit *k = *state;
	struct ce_error err;
	char got[512];
	int critical;
	size_t i;
	X509 *x;

	world(k);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		x = NULL;
		E(issue(k, cases[i].tmpl, NULL, cases[i].subject, cases[i].sans,
		    &x, &err));
		sans_of(x, got, sizeof(got), &critical);
		if (strcmp(got, cases[i].want) != 0 ||
		    critical != cases[i].critical)
			fail_msg("case %zu: SANs '%s' (critical %d), wanted '%s' "
			    "(%d)", i, got, critical, cases[i].want,
			    cases[i].critical);
		X509_free(x);
	}
}

static void
test_refused(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	X509 *sentinel = X509_new(), *x = sentinel;	/* comes back NULL */

	world(k);
	EFAIL(issue(k, "WebServer", NULL, "", NULL, &x, &err), CE_INVAL,
	    "Subject: a subject or at least one SAN is required.");
	CHECK(x == NULL);
	EFAIL(issue(k, "Suffix", NULL, "CN=www.evil.test", NULL, &x, &err),
	    CE_INVAL, "'www.evil.test' is outside the DNS suffixes of template "
	    "'Suffix'");
	EFAIL(issue(k, "Suffix", NULL, "CN=a.example.com",
	    "{\"dns\":[\"a.example.com.evil.test\"]}", &x, &err), CE_INVAL,
	    "SANs.dns: 'a.example.com.evil.test' is outside");
	EFAIL(issue(k, "IpOnly", NULL, "CN=x", "{\"dns\":[\"a.example.com\"]}",
	    &x, &err), CE_INVAL, "(allowed: ip)");
	/* ... and a CN that is a DNS name cannot be one of the SANs */
	EFAIL(issue(k, "IpOnly", NULL, "CN=www.example.com",
	    "{\"ip\":[\"10.0.0.1\"]}", &x, &err), CE_INVAL, "'cn-in-san'");
	CHECK(x == NULL);
	X509_free(sentinel);
}

/* With a signer configured, the key stays out of this process: a signer
 * that does not answer is a fault, not a local signature. */
static void
test_signer_configured(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	char sock[128];
	X509 *x = NULL;

	world(k);
	snprintf(sock, sizeof(sock), "%s/no-signer.sock", k->dir);
	CHECK(setenv("CERTENROLL_SIGNER", sock, 1) == 0);
	EFAIL(issue(k, "WebServer", NULL, "CN=www.example.com", NULL, &x, &err),
	    CE_SYSTEM, "An internal error occurred (system).");
	CHECK(x == NULL);
	CHECK(unsetenv("CERTENROLL_SIGNER") == 0);
	E(issue(k, "WebServer", NULL, "CN=www.example.com", NULL, &x, &err));
	X509_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_profile),
		KIT_TEST(test_validity_clamped),
		KIT_TEST(test_names),
		KIT_TEST(test_refused),
		KIT_TEST(test_signer_configured),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
