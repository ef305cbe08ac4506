/*
 * test_ca.c - ca: CAs as `certenroll ca create` makes them.  A root signs
 * itself, a subordinate is signed by its parent and carries its chain;
 * the key is sealed in ca/<id>.key, mode 0600, bound to its id, never
 * read through a symlink or when others may read it.  CAs are found by
 * full or logical name; each signs with the digest of its key type.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "ca.h"
#include "kit.h"
#include "pemutil.h"
#include "timeutil.h"
#include "x500.h"

#define ROOT	"host\\RootCA"
#define INTER	"host\\IssuingCA"
#define LEAF	"host2\\TeamCA"
#define DAY	86400

static struct ca *
find(struct kit *k, const char *name)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct ca *ca = NULL;

	E(db_begin(k->db, 0, &txn, &err));
	ce_error_clear(&err);
	if (ca_find(txn, name, &ca, &err) != CE_OK) {
		db_abort(txn);
		fail_msg("ca_find %s: %s", name, err.msg);
	}
	db_abort(txn);
	return ca;
}

/* Whether x holds extension nid, critical as asked. */
static int
has_ext(X509 *x, int nid, int critical)
{
	int pos = X509_get_ext_by_NID(x, nid, -1);

	return pos >= 0 &&
	    X509_EXTENSION_get_critical(X509_get_ext(x, pos)) == critical;
}

static void
test_create(void **state)
{
	struct kit *k = *state;
	struct key_spec spec;
	BASIC_CONSTRAINTS *bc;
	struct ca *root, *inter, *leaf;
	char path[128];
	unsigned char head[3];
	struct stat st;
	time_t nb, na, before = time(NULL), after;
	int fd;

	CHECK(kit_ca(k, ROOT, "ECC-P-256", 3650, NULL) == 1);
	after = time(NULL);
	CHECK(kit_ca(k, INTER, "ECC-P-384", 1000, ROOT) == 2);
	CHECK(kit_ca(k, LEAF, "Ed25519", 100, INTER) == 3);
	root = find(k, ROOT);
	inter = find(k, INTER);
	leaf = find(k, LEAF);
	CHECK(root->id == 1 && inter->id == 2 && leaf->id == 3);
	CHECK(strcmp(root->name, ROOT) == 0 && strcmp(leaf->name, LEAF) == 0);

	/* the root: itself, its subject from the logical name, valid for its
	 * days from an hour ago */
	CHECK(X509_verify(root->cert, X509_get0_pubkey(root->cert)) == 1);
	CHECK(X509_NAME_cmp(X509_get_subject_name(root->cert),
	    X509_get_issuer_name(root->cert)) == 0);
	CHECK(time_from_asn1(X509_get0_notBefore(root->cert), &nb) == 0 &&
	    time_from_asn1(X509_get0_notAfter(root->cert), &na) == 0);
	CHECK(nb >= before - 3600 && nb <= after - 3600 &&
	    na - nb == 3650L * DAY + 3600);
	CHECK(sk_X509_num(root->chain) == 0);
	/* CA extensions */
	CHECK(has_ext(root->cert, NID_basic_constraints, 1) &&
	    has_ext(root->cert, NID_key_usage, 1) &&
	    has_ext(root->cert, NID_subject_key_identifier, 0));
	CHECK((bc = X509_get_ext_d2i(root->cert, NID_basic_constraints, NULL,
	    NULL)) != NULL && bc->ca);
	BASIC_CONSTRAINTS_free(bc);
	CHECK(kit_key_usage(root->cert) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN |
	    KU_DIGITAL_SIGNATURE));

	/* subordinates: signed by the parent, the chain nearest first */
	CHECK(X509_verify(inter->cert, X509_get0_pubkey(root->cert)) == 1);
	CHECK(X509_verify(leaf->cert, X509_get0_pubkey(inter->cert)) == 1);
	CHECK(X509_verify(inter->cert, X509_get0_pubkey(inter->cert)) != 1);
	CHECK(X509_check_issued(root->cert, inter->cert) == X509_V_OK);
	CHECK(sk_X509_num(inter->chain) == 1 &&
	    X509_cmp(sk_X509_value(inter->chain, 0), root->cert) == 0);
	CHECK(sk_X509_num(leaf->chain) == 2 &&
	    X509_cmp(sk_X509_value(leaf->chain, 0), inter->cert) == 0 &&
	    X509_cmp(sk_X509_value(leaf->chain, 1), root->cert) == 0);
	/* each its own key type, and the digest that goes with it */
	CHECK(key_spec_of(X509_get0_pubkey(inter->cert), &spec) == CE_OK);
	CHECK(spec.type == KEY_ECC && spec.bits == 384);
	CHECK(ca_digest(root) == EVP_sha256() && ca_digest(inter) == EVP_sha384() &&
	    ca_digest(leaf) == NULL);

	/* the key: sealed, 0600, in a 0700 folder */
	snprintf(path, sizeof(path), "%s/ca", k->dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0700);
	snprintf(path, sizeof(path), "%s/ca/2.key", k->dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK((fd = open(path, O_RDONLY)) != -1 && read(fd, head, 3) == 3 &&
	    close(fd) == 0 && memcmp(head, "CE1", 3) == 0);
	ca_free(root);
	ca_free(inter);
	ca_free(leaf);
	ca_free(NULL);
}

/* How many CA key files the data folder holds. */
static int
key_files(struct kit *k)
{
	char path[128];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/ca", k->dir);
	CHECK((d = opendir(path)) != NULL);
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".key") != NULL)
			n++;
	closedir(d);
	return n;
}

static void
test_create_refused(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct key_spec spec;
	int64_t id = 0;

	E(key_spec_parse_word("ECC-P-256", &spec, &err));
	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	EFAIL(ca_create(k->db, ROOT, &spec, NULL, 10, NULL, &id, &err),
	    CE_CONFLICT, "CA 'host\\RootCA' already exists");
	EFAIL(ca_create(k->db, "RootCA", &spec, NULL, 10, NULL, &id, &err),
	    CE_INVAL, "CA name must be 'host\\LogicalName'");
	EFAIL(ca_create(k->db, INTER, &spec, "CN=\"unterminated", 10, NULL, &id,
	    &err), CE_INVAL, "Subject: ");
	EFAIL(ca_create(k->db, INTER, &spec, NULL, 10, "host\\NoSuchCA", &id,
	    &err), CE_INVAL, "'host\\NoSuchCA' is not a known certificate "
	    "authority");
	CHECK(id == 0 && kit_count(k, T_CAS) == 1);
	/* one key file each, whatever write ran and was rolled back */
	CHECK(key_files(k) == 1);
	/* a subject of one's own */
	E(ca_create(k->db, INTER, &spec, "CN=Issuing CA 1,O=Example,C=DE", 10,
	    ROOT, &id, &err));
	CHECK(id == 2);
	CHECK(key_files(k) == 2);
	{
		struct ca *ca = find(k, "issuingca");
		char *s = x500_format(X509_get_subject_name(ca->cert));

		CHECK(strcmp(s, "CN=Issuing CA 1, O=Example, C=DE") == 0);
		free(s);
		ca_free(ca);
	}
}

static void
test_find(void **state)
{
	static const char *const names[] = { ROOT, "RootCA", "rootca",
	    "HOST\\ROOTCA", "host\\\\RootCA" };
	static const char *const unknown[] = { "host", "Root", "host\\Root",
	    "other\\RootCA", "RootCA ", "" };
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct ca *ca;
	size_t i;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ca = find(k, names[i]);
		CHECK(ca->id == 1);
		ca_free(ca);
	}
	E(db_begin(k->db, 0, &txn, &err));
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		ca = NULL;
		EFAIL(ca_find(txn, unknown[i], &ca, &err), CE_INVAL,
		    "is not a known certificate authority.");
		CHECK(ca == NULL);
	}
	db_abort(txn);
}

static X509 *
tbs_of(struct ca *ca)
{
	struct ce_error err;
	X509_NAME *name = NULL;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = NULL;

	CHECK(key != NULL && (x = X509_new()) != NULL);
	E(x500_parse("CN=leaf.example.com", &name, &err));
	CHECK(X509_set_version(x, X509_VERSION_3) == 1 &&
	    X509_set_subject_name(x, name) == 1 &&
	    X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) == 1 &&
	    X509_set_pubkey(x, key) == 1 &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
	    X509_gmtime_adj(X509_getm_notAfter(x), DAY) != NULL);
	E(x509_set_random_serial(x, &err));
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	return x;
}

static void
test_sign_local(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ca *ca;
	X509 *x;
	int n;

	kit_ca(k, ROOT, "ECC-P-384", 3650, NULL);
	kit_ca(k, INTER, "Ed25519", 3650, ROOT);
	ca = find(k, ROOT);
	x = tbs_of(ca);
	E(ca_sign_local(k->db, ca, x, &err));
	CHECK(X509_verify(x, X509_get0_pubkey(ca->cert)) == 1);
	CHECK(X509_get_signature_nid(x) == NID_ecdsa_with_SHA384);
	X509_free(x);
	ca_free(ca);
	ca = find(k, INTER);
	x = tbs_of(ca);
	E(ca_sign_local(k->db, ca, x, &err));
	CHECK(X509_verify(x, X509_get0_pubkey(ca->cert)) == 1);
	CHECK(X509_get_signature_nid(x) == NID_ED25519);
	X509_free(x);
	ca_free(ca);
	/* the signer loads every key at start */
	{
		struct ce_txn *txn = NULL;

		E(db_begin(k->db, 0, &txn, &err));
		n = ca_preload_keys(k->db, txn, &err);
		db_abort(txn);
		CHECK(n == 2);
	}
}

/* A folder whose CA key file was changed by change(path, other key) before
 * any key was loaded: signing is refused and logged with says. */
static void
key_refused(void (*change)(const char *, const char *), const char *says)
{
	struct kit k;
	struct ce_error err;
	struct ca *ca;
	char path[128], other[128], *log;
	enum ce_err rc;
	X509 *x;

	kit_open(&k);
	kit_ca(&k, ROOT, "ECC-P-256", 3650, NULL);
	kit_ca(&k, INTER, "ECC-P-256", 3650, NULL);
	snprintf(path, sizeof(path), "%s/ca/1.key", k.dir);
	snprintf(other, sizeof(other), "%s/ca/2.key", k.dir);
	change(path, other);
	ca = find(&k, ROOT);
	x = tbs_of(ca);
	kit_log_begin();
	ce_error_clear(&err);
	rc = ca_sign_local(k.db, ca, x, &err);
	log = kit_log_end();
	if (rc == CE_OK || strstr(log, says) == NULL)
		fail_msg("signed (%s), logged '%s', wanted '%s'", ce_strerror(rc),
		    log, says);
	CHECK(strstr(err.msg, "An internal error occurred") != NULL);
	free(log);
	X509_free(x);
	ca_free(ca);
	kit_close(&k);
}

static void
readable(const char *path, const char *other)
{
	(void)other;
	CHECK(chmod(path, 0640) == 0);
}

static void
linked(const char *path, const char *other)
{
	CHECK(unlink(path) == 0 && symlink(other, path) == 0);
}

static void
swapped(const char *path, const char *other)
{
	CHECK(rename(other, path) == 0);	/* CA 2's key as CA 1's */
}

static void
removed(const char *path, const char *other)
{
	(void)other;
	CHECK(unlink(path) == 0);
}

static void
test_key_file(void **state)
{
	(void)state;
	key_refused(readable, "is readable by group or others");
	key_refused(linked, "Too many levels of symbolic links");
	key_refused(swapped, "sealed record 'ca:1' failed authentication");
	key_refused(removed, "No such file or directory");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_create),
		KIT_TEST(test_create_refused),
		KIT_TEST(test_find),
		KIT_TEST(test_sign_local),
		cmocka_unit_test(test_key_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
