/*
 * test_certstore.c - certstore.h against real folders and files, each test
 * in its own mkdtemp folder: PEM and PKCS12 put / inventory / overwrite /
 * conflict / remove, key encryption, the PKCS#12 layout, files written by
 * other tools, failed puts leaving the store byte for byte as it was, and
 * the alias rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "certstore.h"
#include "fileutil.h"
#include "output.h"
#include "pemutil.h"
#include "testcert.h"

#define STOREPW		"st0re Pässword"
#define ENTRYPW		"entry s3cret"

static struct tc_pki pki;		/* "web": leaf_key/leaf + inter, root */
static EVP_PKEY *key2, *key3;
static X509 *leaf2, *leaf3;		/* issued by pki.inter */
static char dir[64];			/* this test's folder */

/* ---- fixtures and helpers ---- */

static int
group_setup(void **state)
{
	(void)state;
	tc_pki_new(&pki);
	key2 = tc_key();
	key3 = tc_key();
	leaf2 = tc_cert(tc_name(NULL, NULL, NULL, "api.example.com"), key2,
	    pki.inter, pki.inter_key, 0, 4);
	leaf3 = tc_cert(tc_name(NULL, NULL, NULL, "new.example.com"), key3,
	    pki.inter, pki.inter_key, 0, 5);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	X509_free(leaf3);
	X509_free(leaf2);
	EVP_PKEY_free(key3);
	EVP_PKEY_free(key2);
	tc_pki_free(&pki);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_certstore.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static int
teardown(void **state)
{
	(void)state;
	chmod(dir, 0700);
	return nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* dir/name in a static buffer (one at a time). */
static const char *
in_dir(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static struct certstore
pem_store(int encrypt_keys)
{
	struct certstore s = { CERTSTORE_PEM, dir, NULL, encrypt_keys, 0 };

	return s;
}

/* A PKCS12 store at dir/store.pfx; path must outlive the store. */
static struct certstore
p12_store(const char *path, const char *password, int create)
{
	struct certstore s = { CERTSTORE_PKCS12, path, password, 0, create };

	return s;
}

/* The whole file; caller frees. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *data;
	struct ce_error err;

	assert_int_equal(file_read(path, 1 << 20, &data, len, &err), CE_OK);
	return data;
}

static void
assert_file_is(const char *path, const unsigned char *data, size_t len)
{
	unsigned char *now;
	size_t nlen;

	now = slurp(path, &nlen);
	assert_int_equal(nlen, len);
	assert_memory_equal(now, data, len);
	free(now);
}

static int
file_mode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Entries in dir, "." and ".." not counted (no temp files left over). */
static int
dir_count(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
assert_thumb(const struct certstore_item *it, X509 *x)
{
	char tp[41];

	assert_int_equal(x509_thumbprint(x, tp, sizeof(tp)), CE_OK);
	assert_string_equal(it->thumbprint, tp);
}

static void
put_ok(const struct certstore *s, const char *alias, EVP_PKEY *key, X509 *x,
    STACK_OF(X509) *chain, const char *pw, int overwrite)
{
	struct ce_error err;

	ce_error_clear(&err);
	if (certstore_put(s, alias, key, x, chain, pw, overwrite, &err) !=
	    CE_OK)
		fail_msg("put %s: %s", alias, err.msg);
}

/* Inventory that must succeed with n items. */
static struct certstore_item *
inv(const struct certstore *s, size_t want)
{
	struct certstore_item *items = NULL;
	struct ce_error err;
	size_t n = 99;

	if (certstore_inventory(s, &items, &n, &err) != CE_OK)
		fail_msg("inventory: %s", err.msg);
	assert_int_equal(n, want);
	return items;
}

/* The private key in a PEM file, decrypted with pw (NULL: none). */
static EVP_PKEY *
read_key(const char *path, const char *pw)
{
	unsigned char *data;
	size_t len;
	BIO *b;
	EVP_PKEY *k;

	data = slurp(path, &len);
	b = BIO_new_mem_buf(data, (int)len);
	assert_non_null(b);
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)(pw ? pw : ""));
	ERR_clear_error();
	BIO_free(b);
	free(data);
	return k;
}

/* ---- types and aliases ---- */

static void
test_type_names(void **state)
{
	(void)state;
	assert_string_equal(certstore_type_name(CERTSTORE_PEM), "PEM");
	assert_string_equal(certstore_type_name(CERTSTORE_PKCS12), "PKCS12");
	assert_string_equal(certstore_type_name(CERTSTORE__MAX), "unknown");
	assert_int_equal(certstore_type_parse("PEM"), CERTSTORE_PEM);
	assert_int_equal(certstore_type_parse("pem"), CERTSTORE_PEM);
	assert_int_equal(certstore_type_parse("Pkcs12"), CERTSTORE_PKCS12);
	assert_int_equal(certstore_type_parse("PFX"), -1);
	assert_int_equal(certstore_type_parse("PKCS"), -1);
	assert_int_equal(certstore_type_parse(""), -1);
	assert_int_equal(certstore_type_parse(NULL), -1);
	assert_int_equal(certstore_type_id(CERTSTORE_PEM), 2);
	assert_int_equal(certstore_type_id(CERTSTORE_PKCS12), 5);
	assert_int_equal(certstore_type_id(CERTSTORE__MAX), -1);
}

static void
test_alias_table(void **state)
{
	char long128[129], long129[130];
	const struct {
		const char	*alias;
		int		 valid;
	} t[] = {
		{ "a", 1 },
		{ "web", 1 },
		{ "web-1.example_com", 1 },
		{ "A.b-C_9", 1 },
		{ "x..y", 1 },
		{ "trailing.", 1 },
		{ "-dash", 1 },
		{ "_under", 1 },
		{ "0123456789", 1 },
		{ long128, 1 },
		{ "", 0 },
		{ ".", 0 },
		{ "..", 0 },
		{ ".hidden", 0 },
		{ "a/b", 0 },
		{ "../x", 0 },
		{ "/abs", 0 },
		{ "a\\b", 0 },
		{ "a b", 0 },
		{ "a:b", 0 },
		{ "a*", 0 },
		{ "caf\xc3\xa9", 0 },
		{ "tab\t", 0 },
		{ "nl\n", 0 },
		{ long129, 0 },
		{ NULL, 0 },
	};
	size_t i;

	(void)state;
	memset(long128, 'a', 128);
	long128[128] = '\0';
	memset(long129, 'b', 129);
	long129[129] = '\0';
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (certstore_alias_valid(t[i].alias) != t[i].valid)
			fail_msg("alias #%zu \"%.20s\": want %d", i,
			    t[i].alias ? t[i].alias : "(null)", t[i].valid);
}

static void
test_needs_entry_password(void **state)
{
	struct certstore pem = pem_store(1), pemplain = pem_store(0);
	struct certstore p12 = p12_store("x.pfx", NULL, 0);

	(void)state;
	assert_int_equal(certstore_needs_entry_password(&pem), 1);
	assert_int_equal(certstore_needs_entry_password(&pemplain), 0);
	p12.encrypt_keys = 1;
	assert_int_equal(certstore_needs_entry_password(&p12), 0);
	assert_int_equal(certstore_needs_entry_password(NULL), 0);
}

/* Argument checks common to both types; nothing is written. */
static void
test_put_checks(void **state)
{
	struct certstore pem = pem_store(0), bad = pem_store(0);
	struct certstore p12 = p12_store(in_dir("store.pfx"), STOREPW, 1);
	struct ce_error err;

	(void)state;
	assert_int_equal(certstore_put(&pem, "../x", pki.leaf_key, pki.leaf,
	    NULL, NULL, 0, &err), CE_INVAL);
	assert_non_null(strstr(err.msg, "Alias"));
	assert_int_equal(certstore_put(&p12, "a/b", pki.leaf_key, pki.leaf,
	    NULL, NULL, 0, &err), CE_INVAL);
	assert_int_equal(certstore_put(&pem, "web", key2, pki.leaf, NULL, NULL,
	    0, &err), CE_INVAL);
	assert_string_equal(err.msg,
	    "the private key does not match the certificate");
	assert_int_equal(certstore_put(&p12, "web", key2, pki.leaf, NULL, NULL,
	    0, &err), CE_INVAL);
	assert_int_equal(certstore_put(&pem, "web", pki.leaf_key, NULL, NULL,
	    NULL, 0, &err), CE_INVAL);
	bad.type = CERTSTORE__MAX;
	assert_int_equal(certstore_put(&bad, "web", pki.leaf_key, pki.leaf,
	    NULL, NULL, 0, &err), CE_INVAL);
	bad.type = CERTSTORE_PEM;
	bad.path = "";
	assert_int_equal(certstore_put(&bad, "web", pki.leaf_key, pki.leaf,
	    NULL, NULL, 0, &err), CE_INVAL);
	assert_int_equal(certstore_remove(&pem, "..", &err), CE_INVAL);
	assert_int_equal(dir_count(), 0);
}

/* ---- PEM ---- */

static void
test_pem_put_inventory(void **state)
{
	struct certstore s = pem_store(0);
	struct certstore_item *items;
	X509 *want[] = { pki.leaf, pki.inter, pki.root }, *x;
	unsigned char *data;
	size_t len, i;
	EVP_PKEY *k;
	BIO *b;

	(void)state;
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	put_ok(&s, "api", key2, leaf2, NULL, NULL, 0);
	assert_int_equal(dir_count(), 4);
	assert_int_equal(file_mode(in_dir("web.key")), 0600);
	assert_int_equal(file_mode(in_dir("web.crt")), 0644);

	/* web.crt: leaf, then the chain as given. */
	data = slurp(in_dir("web.crt"), &len);
	b = BIO_new_mem_buf(data, (int)len);
	assert_non_null(b);
	for (i = 0; i < 3; i++) {
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		assert_non_null(x);
		assert_int_equal(X509_cmp(x, want[i]), 0);
		X509_free(x);
	}
	assert_null(PEM_read_bio_X509(b, NULL, NULL, NULL));
	ERR_clear_error();
	BIO_free(b);
	free(data);

	k = read_key(in_dir("web.key"), NULL);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, pki.leaf_key), 1);
	EVP_PKEY_free(k);

	items = inv(&s, 2);			/* sorted by alias */
	assert_string_equal(items[0].alias, "api");
	assert_thumb(&items[0], leaf2);
	assert_int_equal(items[0].has_key, 1);
	assert_string_equal(items[1].alias, "web");
	assert_thumb(&items[1], pki.leaf);
	assert_int_equal(items[1].has_key, 1);
	free(items);
}

static void
test_pem_conflict_unchanged(void **state)
{
	struct certstore s = pem_store(0);
	unsigned char *crt, *key;
	size_t crtlen, keylen;
	struct ce_error err;

	(void)state;
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	crt = slurp(in_dir("web.crt"), &crtlen);
	key = slurp(in_dir("web.key"), &keylen);
	assert_int_equal(certstore_put(&s, "web", key2, leaf2, NULL, NULL, 0,
	    &err), CE_CONFLICT);
	assert_string_equal(err.msg, "alias 'web' already exists");
	assert_file_is(in_dir("web.crt"), crt, crtlen);
	assert_file_is(in_dir("web.key"), key, keylen);
	assert_int_equal(dir_count(), 2);
	free(crt);
	free(key);
}

static void
test_pem_overwrite(void **state)
{
	struct certstore s = pem_store(0);
	struct certstore_item *items;
	EVP_PKEY *k;

	(void)state;
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	put_ok(&s, "web", key3, leaf3, NULL, NULL, 1);
	items = inv(&s, 1);
	assert_string_equal(items[0].alias, "web");
	assert_thumb(&items[0], leaf3);
	free(items);
	k = read_key(in_dir("web.key"), NULL);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, key3), 1);
	EVP_PKEY_free(k);
	assert_int_equal(dir_count(), 2);

	/* Replaced by an entry without a key: the old key goes. */
	put_ok(&s, "web", NULL, pki.root, NULL, NULL, 1);
	assert_false(exists(in_dir("web.key")));
	items = inv(&s, 1);
	assert_thumb(&items[0], pki.root);
	assert_int_equal(items[0].has_key, 0);
	free(items);
}

static void
test_pem_remove(void **state)
{
	struct certstore s = pem_store(0);
	struct certstore_item *items;
	struct ce_error err;

	(void)state;
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	put_ok(&s, "api", key2, leaf2, NULL, NULL, 0);
	assert_int_equal(certstore_remove(&s, "web", &err), CE_OK);
	assert_false(exists(in_dir("web.crt")));
	assert_false(exists(in_dir("web.key")));
	items = inv(&s, 1);
	assert_string_equal(items[0].alias, "api");
	free(items);
	assert_int_equal(certstore_remove(&s, "web", &err), CE_NOTFOUND);
	assert_non_null(strstr(err.msg, "'web' does not exist"));
	assert_int_equal(certstore_remove(&s, "api", &err), CE_OK);
	free(inv(&s, 0));
	assert_int_equal(dir_count(), 0);
}

/* EncryptKeys: the key opens with the entry password and nothing else. */
static void
test_pem_encrypted_key(void **state)
{
	struct certstore s = pem_store(1);
	struct certstore_item *items;
	struct ce_error err;
	unsigned char *data;
	size_t len;
	EVP_PKEY *k;

	(void)state;
	assert_int_equal(certstore_put(&s, "web", pki.leaf_key, pki.leaf,
	    NULL, NULL, 0, &err), CE_INVAL);
	assert_string_equal(err.msg,
	    "an entry password is required for this store");
	assert_int_equal(certstore_put(&s, "web", pki.leaf_key, pki.leaf,
	    NULL, "", 0, &err), CE_INVAL);
	assert_int_equal(dir_count(), 0);

	put_ok(&s, "web", pki.leaf_key, pki.leaf, NULL, ENTRYPW, 0);
	data = slurp(in_dir("web.key"), &len);
	assert_non_null(strstr((char *)data,
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
	free(data);
	assert_null(read_key(in_dir("web.key"), "wrong"));
	assert_null(read_key(in_dir("web.key"), NULL));
	k = read_key(in_dir("web.key"), ENTRYPW);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, pki.leaf_key), 1);
	EVP_PKEY_free(k);

	/* A certificate without a key needs no password. */
	put_ok(&s, "ca", NULL, pki.root, NULL, NULL, 0);
	items = inv(&s, 2);
	assert_string_equal(items[0].alias, "ca");
	assert_int_equal(items[0].has_key, 0);
	assert_int_equal(items[1].has_key, 1);
	free(items);
}

static void
test_pem_plain_key(void **state)
{
	struct certstore s = pem_store(0);
	unsigned char *data;
	size_t len;
	EVP_PKEY *k;

	(void)state;
	put_ok(&s, "web", pki.leaf_key, pki.leaf, NULL, NULL, 0);
	data = slurp(in_dir("web.key"), &len);
	assert_non_null(strstr((char *)data, "-----BEGIN PRIVATE KEY-----"));
	free(data);
	k = read_key(in_dir("web.key"), NULL);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, pki.leaf_key), 1);
	EVP_PKEY_free(k);

	/* Not required, but a given password is used. */
	put_ok(&s, "api", key2, leaf2, NULL, ENTRYPW, 0);
	assert_null(read_key(in_dir("api.key"), NULL));
	k = read_key(in_dir("api.key"), ENTRYPW);
	assert_non_null(k);
	EVP_PKEY_free(k);
}

static void
test_pem_missing_folder(void **state)
{
	struct certstore s = pem_store(0);
	struct certstore_item *items = NULL;
	struct ce_error err;
	size_t n;

	(void)state;
	s.path = in_dir("nope");
	assert_int_equal(certstore_put(&s, "web", pki.leaf_key, pki.leaf, NULL,
	    NULL, 0, &err), CE_NOTFOUND);
	assert_non_null(strstr(err.msg, "does not exist"));
	assert_int_equal(certstore_inventory(&s, &items, &n, &err),
	    CE_NOTFOUND);
	assert_null(items);
	assert_int_equal(n, 0);
	assert_int_equal(certstore_remove(&s, "web", &err), CE_NOTFOUND);
	assert_int_equal(dir_count(), 0);

	/* A file where the folder should be. */
	assert_int_equal(file_write_atomic(in_dir("file"), "x", 1, 0644, &err),
	    CE_OK);
	s.path = in_dir("file");
	assert_int_equal(certstore_put(&s, "web", pki.leaf_key, pki.leaf, NULL,
	    NULL, 0, &err), CE_INVAL);
}

/* Temp files, hidden files, junk and folders are not entries. */
static void
test_pem_inventory_skips(void **state)
{
	struct certstore s = pem_store(0);
	struct certstore_item *items;
	struct ce_error err;
	char *pem = tc_cert_pem(leaf2);
	const char *junk = "not a certificate\n";

	(void)state;
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	assert_int_equal(file_write_atomic(in_dir("nokey.crt"), pem,
	    strlen(pem), 0644, &err), CE_OK);
	assert_int_equal(file_write_atomic(in_dir("web.crt.tmpAb12Cd"), pem,
	    strlen(pem), 0644, &err), CE_OK);
	assert_int_equal(file_write_atomic(in_dir(".hidden.crt"), pem,
	    strlen(pem), 0644, &err), CE_OK);
	assert_int_equal(file_write_atomic(in_dir("junk.crt"), junk,
	    strlen(junk), 0644, &err), CE_OK);
	assert_int_equal(file_write_atomic(in_dir("empty.crt"), "", 0, 0644,
	    &err), CE_OK);
	assert_int_equal(file_write_atomic(in_dir(".crt"), pem, strlen(pem),
	    0644, &err), CE_OK);
	assert_int_equal(file_write_atomic(in_dir("orphan.key"), junk,
	    strlen(junk), 0600, &err), CE_OK);
	assert_int_equal(mkdir(in_dir("folder.crt"), 0755), 0);
	free(pem);

	items = inv(&s, 2);
	assert_string_equal(items[0].alias, "nokey");
	assert_thumb(&items[0], leaf2);
	assert_int_equal(items[0].has_key, 0);
	assert_string_equal(items[1].alias, "web");
	assert_int_equal(items[1].has_key, 1);
	free(items);
}

/* A folder we may not write to: CE_DENIED for both types, nothing written. */
static void
test_denied(void **state)
{
	char path[256];
	struct certstore s = pem_store(0), p;
	struct ce_error err;
	unsigned char *before;
	size_t len;

	(void)state;
	if (geteuid() == 0)
		skip();		/* root writes anywhere */
	snprintf(path, sizeof(path), "%s", in_dir("store.pfx"));
	p = p12_store(path, STOREPW, 1);
	put_ok(&p, "web", pki.leaf_key, pki.leaf, NULL, NULL, 0);
	before = slurp(path, &len);
	assert_int_equal(chmod(dir, 0555), 0);
	assert_int_equal(certstore_put(&s, "web", pki.leaf_key, pki.leaf, NULL,
	    NULL, 0, &err), CE_DENIED);
	assert_int_equal(certstore_put(&p, "api", key2, leaf2, NULL, NULL, 0,
	    &err), CE_DENIED);
	assert_int_equal(certstore_remove(&p, "web", &err), CE_DENIED);
	free(inv(&p, 1));
	assert_file_is(path, before, len);
	assert_int_equal(dir_count(), 1);
	free(before);
}

/* ---- PKCS12 ---- */

static void
check_p12_entry(PKCS12 *p12, const char *pw, EVP_PKEY *wkey, X509 *wleaf)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;

	assert_int_equal(PKCS12_parse(p12, pw, &key, &cert, &ca), 1);
	assert_int_equal(EVP_PKEY_eq(key, wkey), 1);
	assert_int_equal(X509_cmp(cert, wleaf), 0);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
}

static PKCS12 *
p12_read(const char *path)
{
	const unsigned char *p;
	unsigned char *data;
	size_t len;
	PKCS12 *p12;

	data = slurp(path, &len);
	p = data;
	p12 = d2i_PKCS12(NULL, &p, (long)len);
	assert_non_null(p12);
	free(data);
	return p12;
}

/* Checks friendlyName and (want_id: SHA-1 of x) localKeyId of a bag. */
static void
check_bag(PKCS12_SAFEBAG *bag, const char *name, X509 *x, int want_id)
{
	const ASN1_TYPE *id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	char *fn = PKCS12_get_friendlyname(bag);

	assert_non_null(fn);
	assert_string_equal(fn, name);
	OPENSSL_free(fn);
	if (!want_id) {
		assert_null(id);
		return;
	}
	assert_non_null(id);
	assert_int_equal(X509_digest(x, EVP_sha1(), md, &mdlen), 1);
	assert_int_equal(ASN1_STRING_length(id->value.octet_string), 20);
	assert_memory_equal(ASN1_STRING_get0_data(id->value.octet_string), md,
	    20);
}

/*
 * The layout of a store holding web (leaf + inter, root) and api (leaf2):
 * SHA-256 MAC; [0] data with the two shrouded keys; [1] encrypted
 * (PBES2) with web's leaf, inter, root, then api's leaf.
 */
static void
check_layout(PKCS12 *p12, const char *pw)
{
	STACK_OF(PKCS7) *safes;
	STACK_OF(PKCS12_SAFEBAG) *bags;
	const X509_ALGOR *macalg, *alg;
	const ASN1_INTEGER *iter;
	const ASN1_OBJECT *obj;
	X509 *certs[] = { pki.leaf, pki.inter, pki.root, leaf2 }, *x;
	const char *names[] = { "web", "web", "web", "api" };
	PKCS7 *p7;
	int i;

	PKCS12_get0_mac(NULL, &macalg, NULL, &iter, p12);
	X509_ALGOR_get0(&obj, NULL, NULL, macalg);
	assert_int_equal(OBJ_obj2nid(obj), NID_sha256);
	assert_int_equal(ASN1_INTEGER_get(iter), 2048);
	assert_int_equal(PKCS12_verify_mac(p12, pw, -1), 1);

	safes = PKCS12_unpack_authsafes(p12);
	assert_non_null(safes);
	assert_int_equal(sk_PKCS7_num(safes), 2);

	p7 = sk_PKCS7_value(safes, 0);
	assert_int_equal(OBJ_obj2nid(p7->type), NID_pkcs7_data);
	bags = PKCS12_unpack_p7data(p7);
	assert_non_null(bags);
	assert_int_equal(sk_PKCS12_SAFEBAG_num(bags), 2);
	for (i = 0; i < 2; i++) {
		PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);

		assert_int_equal(PKCS12_SAFEBAG_get_nid(bag),
		    NID_pkcs8ShroudedKeyBag);
		X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, NULL);
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
		assert_int_equal(OBJ_obj2nid(obj), NID_pbes2);
		check_bag(bag, i == 0 ? "web" : "api",
		    i == 0 ? pki.leaf : leaf2, 1);
	}
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);

	p7 = sk_PKCS7_value(safes, 1);
	assert_int_equal(OBJ_obj2nid(p7->type), NID_pkcs7_encrypted);
	X509_ALGOR_get0(&obj, NULL, NULL,
	    p7->d.encrypted->enc_data->algorithm);
	assert_int_equal(OBJ_obj2nid(obj), NID_pbes2);
	bags = PKCS12_unpack_p7encdata(p7, pw, -1);
	assert_non_null(bags);
	assert_int_equal(sk_PKCS12_SAFEBAG_num(bags), 4);
	for (i = 0; i < 4; i++) {
		PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);

		x = PKCS12_SAFEBAG_get1_cert(bag);
		assert_non_null(x);
		assert_int_equal(X509_cmp(x, certs[i]), 0);
		X509_free(x);
		check_bag(bag, names[i], certs[i], i == 0 || i == 3);
	}
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	sk_PKCS7_pop_free(safes, PKCS7_free);
}

static void
test_p12_two_aliases(void **state)
{
	char path[256];
	struct certstore s;
	struct certstore_item *items;
	PKCS12 *p12;

	(void)state;
	snprintf(path, sizeof(path), "%s", in_dir("store.pfx"));
	s = p12_store(path, STOREPW, 1);
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	put_ok(&s, "api", key2, leaf2, NULL, NULL, 0);
	assert_int_equal(file_mode(path), 0600);
	assert_int_equal(dir_count(), 1);

	items = inv(&s, 2);			/* file order */
	assert_string_equal(items[0].alias, "web");
	assert_thumb(&items[0], pki.leaf);
	assert_int_equal(items[0].has_key, 1);
	assert_string_equal(items[1].alias, "api");
	assert_thumb(&items[1], leaf2);
	assert_int_equal(items[1].has_key, 1);
	free(items);

	p12 = p12_read(path);
	check_layout(p12, STOREPW);
	check_p12_entry(p12, STOREPW, pki.leaf_key, pki.leaf);
	PKCS12_free(p12);
}

static void
test_p12_replace_keeps_other(void **state)
{
	char path[256];
	struct certstore s;
	struct certstore_item *items;
	PKCS12 *p12;

	(void)state;
	snprintf(path, sizeof(path), "%s", in_dir("store.p12"));
	s = p12_store(path, STOREPW, 1);
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	put_ok(&s, "api", key2, leaf2, NULL, NULL, 0);
	put_ok(&s, "web", key3, leaf3, NULL, NULL, 1);

	items = inv(&s, 2);			/* web keeps its place */
	assert_string_equal(items[0].alias, "web");
	assert_thumb(&items[0], leaf3);
	assert_string_equal(items[1].alias, "api");
	assert_thumb(&items[1], leaf2);
	free(items);
	p12 = p12_read(path);
	check_p12_entry(p12, STOREPW, key3, leaf3);
	PKCS12_free(p12);

	/* Putting the original back gives the original layout. */
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 1);
	p12 = p12_read(path);
	check_layout(p12, STOREPW);
	PKCS12_free(p12);
}

static void
test_p12_conflict_unchanged(void **state)
{
	char path[256];
	struct certstore s;
	struct ce_error err;
	unsigned char *before;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s", in_dir("store.pfx"));
	s = p12_store(path, STOREPW, 1);
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	before = slurp(path, &len);
	assert_int_equal(certstore_put(&s, "web", key2, leaf2, NULL, NULL, 0,
	    &err), CE_CONFLICT);
	assert_string_equal(err.msg, "alias 'web' already exists");
	assert_file_is(path, before, len);
	assert_int_equal(dir_count(), 1);
	free(before);
}

static void
test_p12_wrong_password_unchanged(void **state)
{
	char path[256];
	struct certstore s, wrong;
	struct certstore_item *items = NULL;
	struct ce_error err;
	unsigned char *before;
	size_t len, n;

	(void)state;
	snprintf(path, sizeof(path), "%s", in_dir("store.pfx"));
	s = p12_store(path, STOREPW, 1);
	wrong = p12_store(path, "not the password", 1);
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	before = slurp(path, &len);

	assert_int_equal(certstore_put(&wrong, "api", key2, leaf2, NULL, NULL,
	    0, &err), CE_CRYPTO);
	assert_non_null(strstr(err.msg, "the store password does not open"));
	assert_int_equal(certstore_put(&wrong, "web", key2, leaf2, NULL, NULL,
	    1, &err), CE_CRYPTO);
	assert_int_equal(certstore_remove(&wrong, "web", &err), CE_CRYPTO);
	assert_int_equal(certstore_inventory(&wrong, &items, &n, &err),
	    CE_CRYPTO);
	assert_null(items);
	wrong.password = NULL;
	assert_int_equal(certstore_put(&wrong, "api", key2, leaf2, NULL, NULL,
	    0, &err), CE_CRYPTO);
	assert_file_is(path, before, len);
	assert_int_equal(dir_count(), 1);
	free(before);
}

static void
test_p12_missing_file(void **state)
{
	char path[256], nodir[256];
	struct certstore s;
	struct certstore_item *items = NULL;
	struct ce_error err;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s", in_dir("store.pfx"));
	snprintf(nodir, sizeof(nodir), "%s", in_dir("nope/store.pfx"));

	s = p12_store(path, STOREPW, 0);
	assert_int_equal(certstore_inventory(&s, &items, &n, &err),
	    CE_NOTFOUND);
	assert_non_null(strstr(err.msg, "does not exist"));
	assert_int_equal(certstore_put(&s, "web", pki.leaf_key, pki.leaf,
	    NULL, NULL, 0, &err), CE_NOTFOUND);
	assert_int_equal(certstore_remove(&s, "web", &err), CE_NOTFOUND);
	assert_int_equal(dir_count(), 0);

	s.create_if_missing = 1;
	free(inv(&s, 0));
	assert_int_equal(certstore_remove(&s, "web", &err), CE_NOTFOUND);
	assert_int_equal(dir_count(), 0);
	put_ok(&s, "web", pki.leaf_key, pki.leaf, NULL, NULL, 0);
	assert_true(exists(path));
	free(inv(&s, 1));

	/* Creating needs the folder. */
	s.path = nodir;
	assert_int_equal(certstore_put(&s, "web", pki.leaf_key, pki.leaf,
	    NULL, NULL, 0, &err), CE_NOTFOUND);
	assert_int_equal(certstore_inventory(&s, &items, &n, &err),
	    CE_NOTFOUND);
	assert_int_equal(dir_count(), 1);
}

static void
test_p12_remove(void **state)
{
	char path[256];
	struct certstore s;
	struct certstore_item *items;
	struct ce_error err;
	PKCS12 *p12;

	(void)state;
	snprintf(path, sizeof(path), "%s", in_dir("store.pfx"));
	s = p12_store(path, STOREPW, 1);
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	put_ok(&s, "api", key2, leaf2, NULL, NULL, 0);
	assert_int_equal(certstore_remove(&s, "web", &err), CE_OK);
	items = inv(&s, 1);
	assert_string_equal(items[0].alias, "api");
	assert_thumb(&items[0], leaf2);
	free(items);
	assert_int_equal(certstore_remove(&s, "web", &err), CE_NOTFOUND);
	assert_non_null(strstr(err.msg, "'web' does not exist"));

	/* The last entry goes: an empty store remains, still a PKCS#12. */
	assert_int_equal(certstore_remove(&s, "api", &err), CE_OK);
	free(inv(&s, 0));
	p12 = p12_read(path);
	assert_int_equal(PKCS12_verify_mac(p12, STOREPW, -1), 1);
	PKCS12_free(p12);
	put_ok(&s, "api", key2, leaf2, NULL, NULL, 0);
	free(inv(&s, 1));
}

/* Certificate-only entries (a trusted CA): listed with has_key 0. */
static void
test_p12_cert_only(void **state)
{
	char path[256];
	struct certstore s;
	struct certstore_item *items;
	PKCS12 *p12;

	(void)state;
	snprintf(path, sizeof(path), "%s", in_dir("store.pfx"));
	s = p12_store(path, STOREPW, 1);
	put_ok(&s, "root", NULL, pki.root, NULL, NULL, 0);
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	items = inv(&s, 2);
	assert_string_equal(items[0].alias, "root");
	assert_thumb(&items[0], pki.root);
	assert_int_equal(items[0].has_key, 0);
	assert_string_equal(items[1].alias, "web");
	assert_thumb(&items[1], pki.leaf);
	assert_int_equal(items[1].has_key, 1);
	free(items);
	p12 = p12_read(path);
	check_p12_entry(p12, STOREPW, pki.leaf_key, pki.leaf);
	PKCS12_free(p12);
}

/* A NULL store password is the empty one, as in pfx_build(). */
static void
test_p12_empty_password(void **state)
{
	char path[256];
	struct certstore s;
	struct certstore_item *items;
	PKCS12 *p12;

	(void)state;
	snprintf(path, sizeof(path), "%s", in_dir("store.pfx"));
	s = p12_store(path, NULL, 1);
	put_ok(&s, "web", pki.leaf_key, pki.leaf, pki.chain, NULL, 0);
	s.password = "";
	put_ok(&s, "api", key2, leaf2, NULL, NULL, 0);
	items = inv(&s, 2);
	assert_thumb(&items[1], leaf2);
	free(items);
	p12 = p12_read(path);
	check_p12_entry(p12, "", pki.leaf_key, pki.leaf);
	PKCS12_free(p12);
}

/* Writes the DER of p12 to path. */
static void
write_p12(const char *path, PKCS12 *p12)
{
	unsigned char *der = NULL;
	struct ce_error err;
	int len;

	len = i2d_PKCS12(p12, &der);
	assert_true(len > 0);
	assert_int_equal(file_write_atomic(path, der, (size_t)len, 0600, &err),
	    CE_OK);
	OPENSSL_free(der);
}

/*
 * Files from elsewhere: pfx_build() (chain without attributes) and
 * PKCS12_create() (certificates first, chain without attributes, and
 * once without a friendlyName).  Their entries are found, and kept whole
 * when the store is written again.
 */
static void
test_p12_foreign(void **state)
{
	char path[256], tp[41];
	struct certstore s;
	struct certstore_item *items;
	struct ce_buf out = { NULL, 0 };
	struct ce_error err;
	STACK_OF(X509) *ca = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	PKCS12 *p12;

	(void)state;
	snprintf(path, sizeof(path), "%s", in_dir("store.pfx"));
	s = p12_store(path, STOREPW, 0);

	/* Ours, from /Enrollment/PFX. */
	assert_int_equal(pfx_build(pki.leaf_key, pki.leaf, pki.chain, "web",
	    STOREPW, 0, &out, &err), CE_OK);
	assert_int_equal(file_write_atomic(path, out.data, out.len, 0600,
	    &err), CE_OK);
	buf_free(&out);
	items = inv(&s, 1);
	assert_string_equal(items[0].alias, "web");
	assert_thumb(&items[0], pki.leaf);
	assert_int_equal(items[0].has_key, 1);
	free(items);
	put_ok(&s, "api", key2, leaf2, NULL, NULL, 0);
	p12 = p12_read(path);
	check_layout(p12, STOREPW);	/* web's chain came along */
	PKCS12_free(p12);

	/* OpenSSL's own order, with and without a name. */
	p12 = PKCS12_create(STOREPW, "srv", key3, leaf3, pki.chain, 0, 0, 0,
	    0, 0);
	assert_non_null(p12);
	write_p12(path, p12);
	PKCS12_free(p12);
	items = inv(&s, 1);
	assert_string_equal(items[0].alias, "srv");
	assert_thumb(&items[0], leaf3);
	assert_int_equal(items[0].has_key, 1);
	free(items);
	put_ok(&s, "api", key2, leaf2, NULL, NULL, 0);
	p12 = p12_read(path);
	assert_int_equal(PKCS12_parse(p12, STOREPW, &key, &cert, &ca), 1);
	assert_int_equal(EVP_PKEY_eq(key, key3), 1);
	assert_int_equal(X509_cmp(cert, leaf3), 0);
	/* The other certificates: srv's chain, then api's leaf. */
	assert_int_equal(sk_X509_num(ca), 3);
	assert_int_equal(X509_cmp(sk_X509_value(ca, 0), pki.inter), 0);
	assert_int_equal(X509_cmp(sk_X509_value(ca, 1), pki.root), 0);
	assert_int_equal(X509_cmp(sk_X509_value(ca, 2), leaf2), 0);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	PKCS12_free(p12);

	p12 = PKCS12_create(STOREPW, NULL, key3, leaf3, NULL, 0, 0, 0, 0, 0);
	assert_non_null(p12);
	write_p12(path, p12);
	PKCS12_free(p12);
	items = inv(&s, 1);
	assert_int_equal(x509_thumbprint(leaf3, tp, sizeof(tp)), CE_OK);
	assert_string_equal(items[0].alias, tp);
	assert_int_equal(items[0].has_key, 1);
	free(items);
	put_ok(&s, "api", key2, leaf2, NULL, NULL, 0);
	items = inv(&s, 2);
	assert_string_equal(items[0].alias, tp);
	assert_int_equal(items[0].has_key, 1);
	free(items);
}

/* Not PKCS#12 at all: CE_CRYPTO, and the file is left alone. */
static void
test_p12_garbage(void **state)
{
	char path[256];
	struct certstore s;
	struct ce_error err;
	const char junk[] = "this is not DER";

	(void)state;
	snprintf(path, sizeof(path), "%s", in_dir("store.pfx"));
	s = p12_store(path, STOREPW, 1);
	assert_int_equal(file_write_atomic(path, junk, sizeof(junk), 0600,
	    &err), CE_OK);
	assert_int_equal(certstore_put(&s, "web", pki.leaf_key, pki.leaf, NULL,
	    NULL, 1, &err), CE_CRYPTO);
	assert_non_null(strstr(err.msg, "not a readable PKCS#12"));
	assert_file_is(path, (const unsigned char *)junk, sizeof(junk));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_alias_table),
		cmocka_unit_test(test_needs_entry_password),
		cmocka_unit_test_setup_teardown(test_put_checks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pem_put_inventory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pem_conflict_unchanged,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pem_overwrite, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pem_remove, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pem_encrypted_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pem_plain_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pem_missing_folder, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pem_inventory_skips, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_denied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_p12_two_aliases, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_p12_replace_keeps_other,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_p12_conflict_unchanged,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_p12_wrong_password_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_p12_missing_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_p12_remove, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_p12_cert_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_p12_empty_password, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_p12_foreign, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_p12_garbage, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
