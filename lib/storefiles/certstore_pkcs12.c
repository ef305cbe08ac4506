/*
 * certstore_pkcs12.c - the PKCS12 store: one file holding any number of
 * entries, written in the layout of output_pkcs12.c (what .NET,
 * BouncyCastle and Keyfactor's Go parser expect):
 *
 *   AuthenticatedSafe
 *     [0] data:          a shrouded key bag per entry that has a key
 *                        (friendlyName = alias, localKeyId)
 *     [1] encryptedData: per entry, its leaf cert bag (friendlyName,
 *                        localKeyId when the entry has a key), then its
 *                        chain, issuer first (friendlyName only)
 *   MAC
 *
 * The localKeyId is the SHA-1 of the leaf; keys and certificates use
 * PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC and the MAC SHA-256, all with
 * 2048 iterations, as output_pkcs12.c does.
 *
 * A change reads every entry, edits the list and writes the whole file
 * again with file_write_atomic(): nothing is written before the old file
 * has been read and the new one built in full, so a failed change leaves
 * the file as it was.
 *
 * Files from other tools are read by grouping their bags: each key is an
 * entry; a certificate joins the entry whose localKeyId it shares (as the
 * leaf if it matches the key), else the entry of its friendlyName, else
 * starts an entry of its own when it has a friendlyName; a certificate
 * with neither attribute belongs to the chain of the entry before it (or,
 * if there is none, is an entry of its own).  An entry is called by its
 * friendlyName, or by its leaf's thumbprint when it has none (or one
 * longer than an alias).  Bags of other kinds are kept as they are.
 */
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>

#include "certstore_int.h"
#include "fileutil.h"
#include "log.h"
#include "pemutil.h"

#define P12_ITER	2048		/* PBE and MAC iterations */
#define NONE		SIZE_MAX	/* no entry index */

struct p12_entry {
	char			*name;	/* friendlyName; NULL when none */
	ASN1_OCTET_STRING	*keyid;	/* localKeyId as read; may be NULL */
	EVP_PKEY		*key;	/* NULL: certificate-only entry */
	X509			*leaf;	/* NULL: key-only entry */
	STACK_OF(X509)		*chain;	/* issuer first; may be NULL */
	int			 pos;	/* of its leaf (else key) in the file */
	char			 alias[CERTSTORE_ALIAS_MAX + 1];
};

struct p12_file {
	struct p12_entry	*v;
	size_t			 n;
	STACK_OF(PKCS12_SAFEBAG) *other;	/* kept verbatim; may be NULL */
};

static void
entry_clear(struct p12_entry *e)
{
	OPENSSL_free(e->name);
	ASN1_OCTET_STRING_free(e->keyid);
	EVP_PKEY_free(e->key);
	X509_free(e->leaf);
	sk_X509_pop_free(e->chain, X509_free);
	memset(e, 0, sizeof(*e));
}

static void
p12_file_free(struct p12_file *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		entry_clear(&f->v[i]);
	free(f->v);
	sk_PKCS12_SAFEBAG_pop_free(f->other, PKCS12_SAFEBAG_free);
	memset(f, 0, sizeof(*f));
}

/* Appends an empty entry; NULL when out of memory.  Invalidates others. */
static struct p12_entry *
entry_add(struct p12_file *f)
{
	struct p12_entry *v;

	if ((v = reallocarray(f->v, f->n + 1, sizeof(*v))) == NULL)
		return NULL;
	f->v = v;
	memset(&v[f->n], 0, sizeof(v[f->n]));
	return &v[f->n++];
}

/* Removes the entries called alias from index from on. */
static void
entry_drop(struct p12_file *f, const char *alias, size_t from)
{
	size_t i = from;

	while (i < f->n) {
		if (strcmp(f->v[i].alias, alias) != 0) {
			i++;
			continue;
		}
		entry_clear(&f->v[i]);
		memmove(&f->v[i], &f->v[i + 1], (f->n - i - 1) * sizeof(*f->v));
		f->n--;
	}
}

static size_t
find_alias(const struct p12_file *f, const char *alias)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].alias, alias) == 0)
			return i;
	return NONE;
}

/* The entry with a key, no leaf yet, and localKeyId keyid. */
static size_t
find_keyid(const struct p12_file *f, const ASN1_OCTET_STRING *keyid)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].key != NULL && f->v[i].leaf == NULL &&
		    f->v[i].keyid != NULL &&
		    ASN1_OCTET_STRING_cmp(f->v[i].keyid, keyid) == 0)
			return i;
	return NONE;
}

static size_t
find_name(const struct p12_file *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].name != NULL && strcmp(f->v[i].name, name) == 0)
			return i;
	return NONE;
}

/* A store file OpenSSL cannot make sense of: the log hears why. */
static enum ce_err
unreadable(const char *path, const char *call, struct ce_error *err)
{
	log_ssl("%s: %s failed", path, call);
	return ce_fail(err, CE_CRYPTO, "%s is not a readable PKCS#12 store",
	    path);
}

/* Reads a bag's friendlyName and localKeyId (each NULL when absent). */
static enum ce_err
bag_attrs_get(PKCS12_SAFEBAG *bag, char **name, ASN1_OCTET_STRING **keyid,
    struct ce_error *err)
{
	const ASN1_TYPE *t;

	*name = PKCS12_get_friendlyname(bag);
	*keyid = NULL;
	t = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
	if (t != NULL && t->type == V_ASN1_OCTET_STRING &&
	    (*keyid = ASN1_OCTET_STRING_dup(t->value.octet_string)) == NULL)
		return ce_fault(err, CE_NOMEM, "ASN1_OCTET_STRING_dup failed");
	return CE_OK;
}

/*
 * Makes an entry of a key bag (plain or shrouded).  pw is the password
 * that opened the MAC.  CE_CRYPTO for a key that does not open or is of
 * a type OpenSSL does not know.
 */
static enum ce_err
add_key_bag(struct p12_file *f, PKCS12_SAFEBAG *bag, int pos, const char *pw,
    const char *path, struct ce_error *err)
{
	PKCS8_PRIV_KEY_INFO *own = NULL;
	const PKCS8_PRIV_KEY_INFO *p8;
	struct p12_entry *e;
	enum ce_err rc;

	if (PKCS12_SAFEBAG_get_nid(bag) == NID_keyBag)
		p8 = PKCS12_SAFEBAG_get0_p8inf(bag);
	else
		p8 = own = PKCS8_decrypt(PKCS12_SAFEBAG_get0_pkcs8(bag), pw,
		    -1);
	if (p8 == NULL) {
		rc = unreadable(path, "PKCS8_decrypt", err);
		goto out;
	}
	if ((e = entry_add(f)) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "reallocarray failed");
		goto out;
	}
	e->pos = pos;
	if ((e->key = EVP_PKCS82PKEY(p8)) == NULL) {
		rc = unreadable(path, "EVP_PKCS82PKEY", err);
		goto out;
	}
	rc = bag_attrs_get(bag, &e->name, &e->keyid, err);
out:
	PKCS8_PRIV_KEY_INFO_free(own);
	return rc;
}

/* Appends x (owned) to the chain of entry e. */
static enum ce_err
chain_push(struct p12_entry *e, X509 *x, struct ce_error *err)
{
	if ((e->chain == NULL && (e->chain = sk_X509_new_null()) == NULL) ||
	    !sk_X509_push(e->chain, x)) {
		X509_free(x);
		return ce_fault(err, CE_NOMEM, "sk_X509_push failed");
	}
	return CE_OK;
}

/*
 * Finds the entry certificate x belongs to (see the top of this file);
 * *last is the entry that attribute-less certificates join.  Takes x,
 * *name and *keyid (it sets those it keeps to NULL).
 */
static enum ce_err
place_cert(struct p12_file *f, X509 *x, int pos, char **name,
    ASN1_OCTET_STRING **keyid, size_t *last, struct ce_error *err)
{
	struct p12_entry *e;
	size_t i = NONE;

	if (*keyid != NULL)
		i = find_keyid(f, *keyid);
	if (i == NONE && *name != NULL)
		i = find_name(f, *name);
	if (i == NONE && *name == NULL && *last != NONE)
		return chain_push(&f->v[*last], x, err);
	if (i == NONE) {
		if ((e = entry_add(f)) == NULL) {
			X509_free(x);
			return ce_fault(err, CE_NOMEM, "reallocarray failed");
		}
		e->leaf = x;
		e->pos = pos;
		e->keyid = *keyid;
		*keyid = NULL;
		if ((e->name = *name) != NULL)
			*last = f->n - 1;
		*name = NULL;
		return CE_OK;
	}
	e = &f->v[i];
	*last = i;
	if (e->name == NULL) {
		e->name = *name;
		*name = NULL;
	}
	if (e->leaf == NULL && e->key != NULL &&
	    X509_check_private_key(x, e->key) == 1) {
		e->leaf = x;
		e->pos = pos;
		return CE_OK;
	}
	ERR_clear_error();
	return chain_push(e, x, err);
}

/* Hands a certificate bag to place_cert(). */
static enum ce_err
add_cert_bag(struct p12_file *f, PKCS12_SAFEBAG *bag, int pos, size_t *last,
    const char *path, struct ce_error *err)
{
	ASN1_OCTET_STRING *keyid = NULL;
	char *name = NULL;
	X509 *x;
	enum ce_err rc;

	if ((x = PKCS12_SAFEBAG_get1_cert(bag)) == NULL)
		return unreadable(path, "PKCS12_SAFEBAG_get1_cert", err);
	if ((rc = bag_attrs_get(bag, &name, &keyid, err)) != CE_OK)
		X509_free(x);
	else
		rc = place_cert(f, x, pos, &name, &keyid, last, err);
	OPENSSL_free(name);
	ASN1_OCTET_STRING_free(keyid);
	return rc;
}

static int
is_key_bag(const PKCS12_SAFEBAG *bag)
{
	return PKCS12_SAFEBAG_get_nid(bag) == NID_keyBag ||
	    PKCS12_SAFEBAG_get_nid(bag) == NID_pkcs8ShroudedKeyBag;
}

static int
is_cert_bag(const PKCS12_SAFEBAG *bag)
{
	return PKCS12_SAFEBAG_get_nid(bag) == NID_certBag &&
	    PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate;
}

/* Moves a bag this store does not interpret into f->other. */
static enum ce_err
keep_bag(struct p12_file *f, STACK_OF(PKCS12_SAFEBAG) *all, int i,
    struct ce_error *err)
{
	if (f->other == NULL &&
	    (f->other = sk_PKCS12_SAFEBAG_new_null()) == NULL)
		return ce_fault(err, CE_NOMEM, "sk_PKCS12_SAFEBAG_new failed");
	if (!sk_PKCS12_SAFEBAG_push(f->other, sk_PKCS12_SAFEBAG_value(all, i)))
		return ce_fault(err, CE_NOMEM, "sk_PKCS12_SAFEBAG_push failed");
	sk_PKCS12_SAFEBAG_set(all, i, NULL);
	return CE_OK;
}

/* Names each entry: its friendlyName, else its leaf's thumbprint. */
static enum ce_err
name_entries(struct p12_file *f, struct ce_error *err)
{
	struct p12_entry *e;
	size_t i;

	for (i = 0; i < f->n; i++) {
		e = &f->v[i];
		if (e->name != NULL && strlen(e->name) <= CERTSTORE_ALIAS_MAX)
			snprintf(e->alias, sizeof(e->alias), "%s", e->name);
		else if (e->leaf != NULL && x509_thumbprint(e->leaf, e->alias,
		    sizeof(e->alias)) != CE_OK)
			return ce_fault(err, CE_CRYPTO,
			    "x509_thumbprint failed");
	}
	return CE_OK;
}

/*
 * Entries in the order of their leaves: the order in which they were put,
 * whether the file has its keys first (ours) or its certificates first
 * (PKCS12_create()).
 */
static int
entry_cmp(const void *a, const void *b)
{
	int pa = ((const struct p12_entry *)a)->pos;
	int pb = ((const struct p12_entry *)b)->pos;

	return (pa > pb) - (pa < pb);
}

/*
 * Groups all bags into entries: keys first, so that certificates find
 * them whatever the order of the safes.
 */
static enum ce_err
group_bags(struct p12_file *f, STACK_OF(PKCS12_SAFEBAG) *all,
    const char *pw, const char *path, struct ce_error *err)
{
	PKCS12_SAFEBAG *bag;
	size_t last = NONE;
	enum ce_err rc = CE_OK;
	int i;

	for (i = 0; rc == CE_OK && i < sk_PKCS12_SAFEBAG_num(all); i++)
		if (is_key_bag(bag = sk_PKCS12_SAFEBAG_value(all, i)))
			rc = add_key_bag(f, bag, i, pw, path, err);
	for (i = 0; rc == CE_OK && i < sk_PKCS12_SAFEBAG_num(all); i++) {
		bag = sk_PKCS12_SAFEBAG_value(all, i);
		if (is_cert_bag(bag))
			rc = add_cert_bag(f, bag, i, &last, path, err);
		else if (!is_key_bag(bag))
			rc = keep_bag(f, all, i, err);
	}
	if (rc != CE_OK)
		return rc;
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), entry_cmp);
	return name_entries(f, err);
}

/*
 * Checks the MAC with the store password (NULL is empty).  *pw gets the
 * password that opened it: an empty password may be encoded as none, so
 * that is tried too, as PKCS12_parse() does.
 */
static enum ce_err
p12_password(PKCS12 *p12, const char *password, const char *path,
    const char **pw, struct ce_error *err)
{
	*pw = password != NULL ? password : "";
	if (!PKCS12_mac_present(p12) || PKCS12_verify_mac(p12, *pw, -1))
		return CE_OK;
	if ((*pw)[0] == '\0' && PKCS12_verify_mac(p12, NULL, 0)) {
		*pw = NULL;
		return CE_OK;
	}
	ERR_clear_error();
	return ce_fail(err, CE_CRYPTO, "the store password does not open %s",
	    path);
}

/* Moves every bag of bags to the end of all. */
static enum ce_err
bags_move(STACK_OF(PKCS12_SAFEBAG) *bags, STACK_OF(PKCS12_SAFEBAG) *all,
    struct ce_error *err)
{
	PKCS12_SAFEBAG *bag;

	while ((bag = sk_PKCS12_SAFEBAG_shift(bags)) != NULL)
		if (!sk_PKCS12_SAFEBAG_push(all, bag)) {
			PKCS12_SAFEBAG_free(bag);
			return ce_fault(err, CE_NOMEM,
			    "sk_PKCS12_SAFEBAG_push failed");
		}
	return CE_OK;
}

/*
 * Opens every safe of p12 (plain or password-encrypted) and collects
 * their bags into all, in file order.
 */
static enum ce_err
p12_bags(PKCS12 *p12, const char *pw, const char *path,
    STACK_OF(PKCS12_SAFEBAG) *all, struct ce_error *err)
{
	STACK_OF(PKCS7) *safes = NULL;
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
	PKCS7 *p7;
	enum ce_err rc = CE_OK;
	int i, encrypted;

	if ((safes = PKCS12_unpack_authsafes(p12)) == NULL) {
		rc = unreadable(path, "PKCS12_unpack_authsafes", err);
		goto out;
	}
	for (i = 0; rc == CE_OK && i < sk_PKCS7_num(safes); i++) {
		p7 = sk_PKCS7_value(safes, i);
		encrypted = PKCS7_type_is_encrypted(p7);
		if (PKCS7_type_is_data(p7))
			bags = PKCS12_unpack_p7data(p7);
		else if (encrypted)
			bags = PKCS12_unpack_p7encdata(p7, pw, -1);
		else {
			rc = ce_fail(err, CE_CRYPTO, "%s holds a public-key "
			    "protected safe, which is not supported", path);
			goto out;
		}
		if (bags == NULL) {
			/* Without a MAC, a wrong password shows here. */
			log_ssl("%s: PKCS12_unpack_p7%s failed", path,
			    encrypted ? "encdata" : "data");
			rc = ce_fail(err, CE_CRYPTO, encrypted ?
			    "the store password does not open %s" :
			    "%s is not a readable PKCS#12 store", path);
			goto out;
		}
		rc = bags_move(bags, all, err);
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
		bags = NULL;
	}
out:
	sk_PKCS7_pop_free(safes, PKCS7_free);
	return rc;
}

/* Checks the folder that holds (or will hold) the store file. */
static enum ce_err
parent_check(const char *path, int writable, struct ce_error *err)
{
	char copy[PATH_MAX];

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return ce_fail(err, CE_INVAL, "store path %s is too long",
		    path);
	return certstore_dir_check(dirname(copy), writable, err);
}

/* Decodes the DER of a store file into f. */
static enum ce_err
p12_decode(const struct certstore *s, const struct ce_buf *der,
    struct p12_file *f, struct ce_error *err)
{
	STACK_OF(PKCS12_SAFEBAG) *all = NULL;
	const char *pw;
	PKCS12 *p12 = NULL;
	enum ce_err rc;

	if ((p12 = der_to_p12(der->data, der->len)) == NULL) {
		rc = unreadable(s->path, "d2i_PKCS12", err);
		goto out;
	}
	if ((all = sk_PKCS12_SAFEBAG_new_null()) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "sk_PKCS12_SAFEBAG_new failed");
		goto out;
	}
	if ((rc = p12_password(p12, s->password, s->path, &pw, err)) !=
	    CE_OK ||
	    (rc = p12_bags(p12, pw, s->path, all, err)) != CE_OK)
		goto out;
	rc = group_bags(f, all, pw, s->path, err);
out:
	sk_PKCS12_SAFEBAG_pop_free(all, PKCS12_SAFEBAG_free);
	PKCS12_free(p12);
	return rc;
}

/*
 * Reads the store into f (free with p12_file_free, also on failure).  A
 * missing file is an empty store when create_if_missing and its folder
 * exists; else CE_NOTFOUND.
 */
static enum ce_err
p12_load(const struct certstore *s, struct p12_file *f, struct ce_error *err)
{
	struct ce_buf der = { NULL, 0 };
	enum ce_err rc;

	rc = certstore_read(s->path, CERTSTORE_P12_MAX, &der, err);
	if (rc == CE_NOTFOUND) {
		if (s->create_if_missing)
			rc = parent_check(s->path, 0, err);
		else
			rc = ce_fail(err, CE_NOTFOUND,
			    "store file %s does not exist", s->path);
	} else if (rc == CE_OK)
		rc = p12_decode(s, &der, f, err);
	buf_free(&der);
	return rc;
}

/* Sets friendlyName (when given) and localKeyId (when idlen > 0). */
static enum ce_err
bag_attrs_set(PKCS12_SAFEBAG *bag, const char *name, unsigned char *id,
    int idlen, struct ce_error *err)
{
	if (name != NULL && name[0] != '\0' &&
	    !PKCS12_add_friendlyname_utf8(bag, name, -1))
		return ce_fault(err, CE_CRYPTO,
		    "PKCS12_add_friendlyname_utf8 failed");
	if (idlen > 0 && !PKCS12_add_localkeyid(bag, id, idlen))
		return ce_fault(err, CE_CRYPTO, "PKCS12_add_localkeyid failed");
	return CE_OK;
}

/*
 * Appends the bags of entry e: its key to *keybags, its leaf and chain to
 * *certbags.  Key and leaf share the SHA-1 of the leaf as localKeyId (a
 * key-only entry keeps the one it had).
 */
static enum ce_err
entry_bags(const struct p12_entry *e, const char *pw,
    STACK_OF(PKCS12_SAFEBAG) **keybags, STACK_OF(PKCS12_SAFEBAG) **certbags,
    struct ce_error *err)
{
	unsigned char digest[EVP_MAX_MD_SIZE], *id = NULL;
	unsigned int dlen = 0;
	PKCS12_SAFEBAG *bag;
	enum ce_err rc;
	int i, idlen = 0;

	if (e->leaf != NULL) {
		if (!X509_digest(e->leaf, EVP_sha1(), digest, &dlen))
			return ce_fault(err, CE_CRYPTO, "X509_digest failed");
		id = digest;
		idlen = (int)dlen;
	} else if (e->keyid != NULL) {
		/* PKCS12_add_localkeyid() only reads it. */
		id = (unsigned char *)ASN1_STRING_get0_data(e->keyid);
		idlen = ASN1_STRING_length(e->keyid);
	}
	if (e->key != NULL) {
		if ((bag = PKCS12_add_key(keybags, e->key, 0, P12_ITER,
		    NID_aes_256_cbc, pw)) == NULL)
			return ce_fault(err, CE_CRYPTO,
			    "PKCS12_add_key failed");
		if ((rc = bag_attrs_set(bag, e->name, id, idlen, err)) != CE_OK)
			return rc;
	}
	if (e->leaf != NULL &&
	    ((rc = p12_add_cert(certbags, e->leaf, &bag, err)) != CE_OK ||
	    (rc = bag_attrs_set(bag, e->name, id, e->key != NULL ? idlen : 0,
	    err)) != CE_OK))
		return rc;
	for (i = 0; e->chain != NULL && i < sk_X509_num(e->chain); i++)
		if ((rc = p12_add_cert(certbags, sk_X509_value(e->chain, i), &bag,
		    err)) != CE_OK ||
		    (rc = bag_attrs_set(bag, e->name, NULL, 0, err)) != CE_OK)
			return rc;
	return CE_OK;
}

/* Appends copies of the bags kept verbatim to *certbags. */
static enum ce_err
other_bags(STACK_OF(PKCS12_SAFEBAG) *other,
    STACK_OF(PKCS12_SAFEBAG) **certbags, struct ce_error *err)
{
	PKCS12_SAFEBAG *copy;
	int i;

	for (i = 0; other != NULL && i < sk_PKCS12_SAFEBAG_num(other); i++) {
		if ((copy = ASN1_item_dup(ASN1_ITEM_rptr(PKCS12_SAFEBAG),
		    sk_PKCS12_SAFEBAG_value(other, i))) == NULL)
			return ce_fault(err, CE_NOMEM, "ASN1_item_dup failed");
		if ((*certbags == NULL &&
		    (*certbags = sk_PKCS12_SAFEBAG_new_null()) == NULL) ||
		    !sk_PKCS12_SAFEBAG_push(*certbags, copy)) {
			PKCS12_SAFEBAG_free(copy);
			return ce_fault(err, CE_NOMEM,
			    "sk_PKCS12_SAFEBAG_push failed");
		}
	}
	return CE_OK;
}

/*
 * Builds the whole store file from f (layout at the top of this file)
 * and replaces the old one atomically, mode 0600.
 */
static enum ce_err
p12_save(const struct certstore *s, const struct p12_file *f,
    struct ce_error *err)
{
	STACK_OF(PKCS12_SAFEBAG) *keybags = NULL, *certbags = NULL;
	STACK_OF(PKCS7) *safes = NULL;
	PKCS12 *p12 = NULL;
	struct ce_buf der = { NULL, 0 };
	const char *pw = s->password != NULL ? s->password : "";
	enum ce_err rc = CE_OK;
	size_t i;

	for (i = 0; rc == CE_OK && i < f->n; i++)
		rc = entry_bags(&f->v[i], pw, &keybags, &certbags, err);
	if (rc != CE_OK || (rc = other_bags(f->other, &certbags, err)) != CE_OK)
		goto out;
	if ((safes = sk_PKCS7_new_null()) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "sk_PKCS7_new failed");
		goto out;
	}

	/* Key safe first, then the certificates: the order is the point. */
	if (keybags != NULL && !PKCS12_add_safe(&safes, keybags, -1, 0, NULL)) {
		rc = ce_fault(err, CE_CRYPTO, "PKCS12_add_safe(keys) failed");
		goto out;
	}
	if (certbags != NULL && !PKCS12_add_safe(&safes, certbags,
	    NID_aes_256_cbc, P12_ITER, pw)) {
		rc = ce_fault(err, CE_CRYPTO, "PKCS12_add_safe(certs) failed");
		goto out;
	}
	if ((p12 = PKCS12_add_safes(safes, 0)) == NULL) {
		rc = ce_fault(err, CE_CRYPTO, "PKCS12_add_safes failed");
		goto out;
	}
	if (!PKCS12_set_mac(p12, pw, -1, NULL, 0, P12_ITER, EVP_sha256())) {
		rc = ce_fault(err, CE_CRYPTO, "PKCS12_set_mac failed");
		goto out;
	}
	if ((rc = p12_to_der(p12, &der, err)) != CE_OK)
		goto out;
	rc = file_write_atomic(s->path, der.data, der.len, 0600, err);
out:
	sk_PKCS12_SAFEBAG_pop_free(keybags, PKCS12_SAFEBAG_free);
	sk_PKCS12_SAFEBAG_pop_free(certbags, PKCS12_SAFEBAG_free);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	buf_free(&der);
	return rc;
}

/* Fills the empty entry e with a new entry alias (references taken). */
static enum ce_err
entry_set(struct p12_entry *e, const char *alias, EVP_PKEY *key, X509 *cert,
    STACK_OF(X509) *chain, struct ce_error *err)
{
	snprintf(e->alias, sizeof(e->alias), "%s", alias);
	if ((e->name = OPENSSL_strdup(alias)) == NULL)
		return ce_fault(err, CE_NOMEM, "OPENSSL_strdup failed");
	if (chain != NULL && sk_X509_num(chain) > 0 &&
	    (e->chain = X509_chain_up_ref(chain)) == NULL)
		return ce_fault(err, CE_NOMEM, "X509_chain_up_ref failed");
	if (key != NULL && !EVP_PKEY_up_ref(key))
		return ce_fault(err, CE_CRYPTO, "EVP_PKEY_up_ref failed");
	e->key = key;
	if (!X509_up_ref(cert))
		return ce_fault(err, CE_CRYPTO, "X509_up_ref failed");
	e->leaf = cert;
	return CE_OK;
}

/*
 * Adds or replaces entry alias (arguments checked by certstore_put): the
 * replaced entry keeps its place, the others are written back as read.
 * Returns CE_OK, CE_NOTFOUND (no file and !create_if_missing, or no
 * folder), CE_CONFLICT, CE_CRYPTO (wrong password, unreadable file),
 * CE_DENIED, CE_INVAL, CE_NOMEM or CE_SYSTEM.
 */
enum ce_err
certstore_p12_put(const struct certstore *s, const char *alias,
    EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain, int overwrite,
    struct ce_error *err)
{
	struct p12_file f = { NULL, 0, NULL };
	struct p12_entry *e;
	size_t i;
	enum ce_err rc;

	if ((rc = p12_load(s, &f, err)) != CE_OK ||
	    (rc = parent_check(s->path, 1, err)) != CE_OK)
		goto out;
	if ((i = find_alias(&f, alias)) != NONE && !overwrite) {
		rc = ce_fail(err, CE_CONFLICT, "alias '%s' already exists",
		    alias);
		goto out;
	}
	if (i == NONE) {
		if ((e = entry_add(&f)) == NULL) {
			rc = ce_fault(err, CE_NOMEM, "reallocarray failed");
			goto out;
		}
		i = f.n - 1;
	} else
		entry_clear(e = &f.v[i]);
	if ((rc = entry_set(e, alias, key, cert, chain, err)) != CE_OK)
		goto out;
	entry_drop(&f, alias, i + 1);
	rc = p12_save(s, &f, err);
out:
	p12_file_free(&f);
	return rc;
}

/*
 * Removes every entry called alias and writes the store again.
 * CE_NOTFOUND when there is none (or no file); else as certstore_p12_put.
 */
enum ce_err
certstore_p12_remove(const struct certstore *s, const char *alias,
    struct ce_error *err)
{
	struct p12_file f = { NULL, 0, NULL };
	enum ce_err rc;

	if ((rc = p12_load(s, &f, err)) != CE_OK)
		goto out;
	if (find_alias(&f, alias) == NONE) {
		rc = ce_fail(err, CE_NOTFOUND, "alias '%s' does not exist in "
		    "%s", alias, s->path);
		goto out;
	}
	if ((rc = parent_check(s->path, 1, err)) != CE_OK)
		goto out;
	entry_drop(&f, alias, 0);
	rc = p12_save(s, &f, err);
out:
	p12_file_free(&f);
	return rc;
}

/*
 * Lists the entries that have a certificate, in file order, with the
 * thumbprint of the leaf.  Key-only entries are not listed (there is no
 * certificate to name).  A missing file with create_if_missing is empty.
 */
enum ce_err
certstore_p12_inventory(const struct certstore *s,
    struct certstore_item **items, size_t *n, struct ce_error *err)
{
	struct p12_file f = { NULL, 0, NULL };
	size_t i;
	enum ce_err rc;

	if ((rc = p12_load(s, &f, err)) != CE_OK)
		goto out;
	for (i = 0; rc == CE_OK && i < f.n; i++)
		if (f.v[i].leaf != NULL)
			rc = certstore_items_add(items, n, f.v[i].alias,
			    f.v[i].leaf, f.v[i].key != NULL, err);
out:
	if (rc != CE_OK) {
		free(*items);
		*items = NULL;
		*n = 0;
	}
	p12_file_free(&f);
	return rc;
}
