/* ca_create.c - creating a root or subordinate CA (admin tool; see ca.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "ca.h"
#include "fileutil.h"
#include "log.h"
#include "pemutil.h"
#include "seal.h"
#include "db.h"
#include "x500.h"

/* Builds the CA certificate body: subject, validity, CA extensions. */
static enum ce_err
build_ca_cert(X509 *cert, X509_NAME *subject, EVP_PKEY *key, X509 *issuer,
    int days, struct ce_error *err)
{
	enum ce_err rc;

	if (X509_set_version(cert, X509_VERSION_3) != 1 ||
	    X509_set_subject_name(cert, subject) != 1 ||
	    X509_set_issuer_name(cert, issuer != NULL ?
	    X509_get_subject_name(issuer) : subject) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(cert), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400) == NULL ||
	    X509_set_pubkey(cert, key) != 1)
		return ce_fault(err, CE_CRYPTO, "building CA certificate");
	if ((rc = x509_set_random_serial(cert, err)) != CE_OK ||
	    (rc = x509_add_ext(cert, issuer != NULL ? issuer : cert,
	    NID_basic_constraints, "critical,CA:TRUE", err)) != CE_OK ||
	    (rc = x509_add_ext(cert, issuer != NULL ? issuer : cert,
	    NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature",
	    err)) != CE_OK ||
	    (rc = x509_add_ext(cert, issuer != NULL ? issuer : cert,
	    NID_subject_key_identifier, "hash", err)) != CE_OK)
		return rc;
	return x509_add_ext(cert, issuer != NULL ? issuer : cert,
	    NID_authority_key_identifier, "keyid:always", err);
}

/* Writes the sealed private key file <dir>/ca/<id>.key. */
static enum ce_err
write_key(const char *dir, int64_t id, EVP_PKEY *key, struct ce_error *err)
{
	char file[32], aad[64];

	snprintf(file, sizeof(file), "%lld.key", (long long)id);
	snprintf(aad, sizeof(aad), "ca:%lld", (long long)id);
	return ca_key_write(dir, file, aad, key, err);
}

/* The record stored under the CA's name. */
static json_object *
ca_record(int64_t id, const char *name, X509 *cert, const struct ca *parent)
{
	json_object *rec, *chain;
	char *pem;
	int i;

	if ((rec = json_object_new_object()) == NULL ||
	    (chain = json_object_new_array()) == NULL) {
		json_object_put(rec);
		return NULL;
	}
	json_object_object_add(rec, "id", json_object_new_int64(id));
	json_object_object_add(rec, "name", json_object_new_string(name));
	pem = x509_to_pem(cert);
	json_object_object_add(rec, "cert", pem ? json_object_new_string(pem) : NULL);
	free(pem);
	if (parent != NULL) {
		json_object_object_add(rec, "parent",
		    json_object_new_string(parent->name));
		pem = x509_to_pem(parent->cert);
		json_object_array_add(chain, json_object_new_string(pem ? pem : ""));
		free(pem);
		for (i = 0; i < sk_X509_num(parent->chain); i++) {
			pem = x509_to_pem(sk_X509_value(parent->chain, i));
			json_object_array_add(chain,
			    json_object_new_string(pem ? pem : ""));
			free(pem);
		}
	}
	json_object_object_add(rec, "chain", chain);
	json_object_object_add(rec, "created", json_object_new_int64(time(NULL)));
	return rec;
}

struct create {
	struct ce_db		*db;
	const char		*name;
	X509_NAME		*subj;
	EVP_PKEY		*key;		/* the CA's, made once */
	int			 days;
	const char		*parent_name;
	int64_t			*id;
	int64_t			 keyfile;	/* id of the key file written */
};

/* Removes the key file a run wrote for a CA it did not store. */
static void
drop_keyfile(struct create *c)
{
	char path[PATH_MAX];

	if (c->keyfile <= 0)
		return;
	snprintf(path, sizeof(path), "%s/ca/%lld.key", db_key_dir(c->db),
	    (long long)c->keyfile);
	if (unlink(path) == -1 && errno != ENOENT)
		log_error("unlink %s: %s", path, strerror(errno));
	c->keyfile = 0;
}

/* The CA's write: its number, certificate, key file and record.  The key
 * file is written before the commit; one a rolled-back run left is
 * removed before the write runs again (db_write). */
static enum ce_err
create_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct create *c = arg;
	struct ce_db *db = c->db;
	const char *name = c->name;
	struct ca *parent = NULL, probe;
	json_object *rec = NULL, *existing = NULL;
	X509 *cert = NULL;
	uint64_t n;
	enum ce_err rc;

	drop_keyfile(c);
	if (db_get(txn, T_CAS, name, &existing, NULL) == CE_OK) {
		rc = ce_fail(err, CE_CONFLICT, "CA '%s' already exists", name);
		goto out;
	}
	if (c->parent_name != NULL && (rc = ca_find(txn, c->parent_name, &parent,
	    err)) != CE_OK)
		goto out;
	if ((rc = db_next_id(txn, "ca", &n, err)) != CE_OK)
		goto out;
	if ((cert = X509_new()) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "X509_new");
		goto out;
	}
	if ((rc = build_ca_cert(cert, c->subj, c->key, parent ? parent->cert :
	    NULL, c->days, err)) != CE_OK)
		goto out;
	if (parent != NULL)
		rc = ca_sign_local(db, parent, cert, err);
	else {
		memset(&probe, 0, sizeof(probe));
		probe.cert = cert;
		rc = X509_sign(cert, c->key, ca_digest(&probe)) > 0 ? CE_OK :
		    ce_fault(err, CE_CRYPTO, "X509_sign (self-signed)");
	}
	if (rc != CE_OK || (rc = write_key(db_key_dir(db), (int64_t)n, c->key,
	    err)) != CE_OK)
		goto out;
	c->keyfile = (int64_t)n;
	if ((rec = ca_record((int64_t)n, name, cert, parent)) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "json");
		goto out;
	}
	if ((rc = db_put(txn, T_CAS, name, rec, err)) == CE_OK && c->id != NULL)
		*c->id = (int64_t)n;
out:
	if (rc != CE_OK)
		drop_keyfile(c);	/* this run is rolled back */
	json_object_put(rec);
	json_object_put(existing);
	X509_free(cert);
	ca_free(parent);
	return rc;
}

enum ce_err
ca_create(struct ce_db *db, const char *name, const struct key_spec *spec,
    const char *subject, int days, const char *parent_name, int64_t *id,
    struct ce_error *err)
{
	struct create c = { db, name, NULL, NULL, days, parent_name, id, 0 };
	char dn[300];
	enum ce_err rc;

	if (strchr(name, '\\') == NULL)
		return ce_fail(err, CE_INVAL, "CA name must be "
		    "'host\\LogicalName'");
	if (subject == NULL) {
		snprintf(dn, sizeof(dn), "CN=%s", strrchr(name, '\\') + 1);
		subject = dn;
	}
	/* Made once, outside the write, which may run more than once. */
	if ((rc = x500_parse(subject, &c.subj, err)) == CE_OK &&
	    (rc = key_generate(spec, &c.key, err)) == CE_OK)
		rc = db_write(db, create_fn, &c, err);
	EVP_PKEY_free(c.key);
	X509_NAME_free(c.subj);
	return rc;
}
