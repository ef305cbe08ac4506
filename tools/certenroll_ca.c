/* certenroll_ca.c - init, CAs and the web server's TLS certificate. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/pem.h>

#include "ca.h"
#include "certenroll.h"
#include "crl.h"
#include "fileutil.h"
#include "issue.h"
#include "keys.h"
#include "output.h"
#include "pemutil.h"
#include "policy.h"
#include "san.h"
#include "seal.h"
#include "x500.h"

int
cmd_init(struct cmdline *c)
{
	struct ce_error err;
	struct ce_db *db;
	int from, to;

	ce_error_clear(&err);
	if (mkdir(c->datadir, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "certenroll: mkdir %s: %s\n", c->datadir,
		    strerror(errno));
		return 1;
	}
	db = tool_db(c);
	/* On PostgreSQL the schema too (LMDB needs none): one command sets
	 * an installation up. */
	if (db_migrate(db, &from, &to, &err) != CE_OK) {
		db_close(db);
		return tool_fail(&err);
	}
	/* key_dir (certenroll.conf), else the data directory itself. */
	if ((mkdir(db_key_dir(db), 0700) == -1 && errno != EEXIST) ||
	    seal_key_create(db_key_dir(db), &err) != CE_OK) {
		if (err.msg[0] == '\0')
			fprintf(stderr, "certenroll: mkdir %s: %s\n",
			    db_key_dir(db), strerror(errno));
		db_close(db);
		return err.msg[0] ? tool_fail(&err) : 1;
	}
	db_close(db);
	printf("initialised %s\n", c->datadir);
	return 0;
}

static int
ca_create_cmd(struct cmdline *c)
{
	static const char *const allowed[] = { "key", "subject", "days",
	    "parent", NULL };
	struct ce_error err;
	struct key_spec spec;
	struct ce_db *db;
	const char *days = opt_get(c, "days");
	int64_t id;
	int rc;

	ce_error_clear(&err);
	if (c->nargs != 2 || opt_check(c, allowed) != 0) {
		fprintf(stderr, "usage: certenroll ca create 'host\\Logical' "
		    "[--key SPEC] [--subject DN] [--days N] [--parent NAME]\n");
		return 2;
	}
	if (key_spec_parse_word(opt_get(c, "key") ? opt_get(c, "key") :
	    "ECC-P-256", &spec, &err) != CE_OK)
		return tool_fail(&err);
	db = tool_db(c);
	rc = ca_create(db, c->args[1], &spec, opt_get(c, "subject"),
	    days ? atoi(days) : 3650, opt_get(c, "parent"), &id, &err);
	db_close(db);
	if (rc != CE_OK)
		return tool_fail(&err);
	printf("created CA %lld %s\n", (long long)id, c->args[1]);
	return 0;
}

static void
print_ca(int64_t id, const char *name, void *arg)
{
	(void)arg;
	printf("%lld\t%s\n", (long long)id, name);
}

static int
ca_list_or_show(struct cmdline *c, int show)
{
	struct ce_error err;
	struct ce_txn *txn;
	struct ca *ca = NULL;
	struct ce_db *db = tool_db(c);
	char *pem;
	int rc = 0;

	ce_error_clear(&err);
	if (db_begin(db, 0, &txn, &err) != CE_OK)
		return tool_fail(&err);
	if (!show) {
		if (ca_list(txn, print_ca, NULL, &err) != CE_OK)
			rc = tool_fail(&err);
	} else if (ca_find(txn, c->args[1], &ca, &err) != CE_OK) {
		rc = tool_fail(&err);
	} else if ((pem = x509_to_pem(ca->cert)) != NULL) {
		fputs(pem, stdout);
		free(pem);
	}
	ca_free(ca);
	db_abort(txn);
	db_close(db);
	return rc;
}

/* ca set NAME [--crl-url URL] [--ocsp-url URL] */
static int
ca_set_cmd(struct cmdline *c)
{
	static const char *const allowed[] = { "crl-url", "ocsp-url", NULL };
	struct ce_error err;
	struct ce_db *db;
	int rc;

	ce_error_clear(&err);
	if (c->nargs != 2 || opt_check(c, allowed) != 0) {
		fprintf(stderr, "usage: certenroll ca set NAME [--crl-url URL] "
		    "[--ocsp-url URL]\n");
		return 2;
	}
	db = tool_db(c);
	rc = ca_set_urls(db, c->args[1], opt_get(c, "crl-url"),
	    opt_get(c, "ocsp-url"), &err);
	db_close(db);
	return rc != CE_OK ? tool_fail(&err) : 0;
}

struct urls {
	struct ce_db	*db;
	struct ce_txn	*txn;
	const char	*base;
	int		 ocsp;
	int		 if_missing;
	struct ce_error	*err;
	enum ce_err	 rc;
};

static void
urls_cb(int64_t id, const char *name, void *arg)
{
	struct urls *u = arg;
	char crl[CA_URL_MAX], ocsp[CA_URL_MAX];

	struct ca *ca = NULL;
	int has;

	if (u->rc != CE_OK)
		return;
	/* --if-missing: a CA whose URLs are set keeps them (the hosts of one
	 * installation agree on them; a change would refuse enrollments in
	 * flight, whose certificates the signer checks against them). */
	if (u->if_missing) {
		if ((u->rc = ca_find(u->txn, name, &ca, u->err)) != CE_OK)
			return;
		has = ca->crl_url[0] != '\0' || ca->ocsp_url[0] != '\0';
		ca_free(ca);
		if (has)
			return;
	}
	if (snprintf(crl, sizeof(crl), "%s/crl/%lld.crl", u->base,
	    (long long)id) >= (int)sizeof(crl) ||
	    snprintf(ocsp, sizeof(ocsp), "%s/ocsp", u->base) >=
	    (int)sizeof(ocsp)) {
		u->rc = ce_fail(u->err, CE_INVAL, "--base: too long");
		return;
	}
	if ((u->rc = ca_set_urls(u->db, name, crl, u->ocsp ? ocsp : NULL,
	    u->err)) == CE_OK)
		printf("%s\t%s\t%s\n", name, crl, u->ocsp ? ocsp : "-");
}

/* ca urls --base URL [--ocsp]: every CA's URLs under one web server's, as
 * the shipped configurations serve them (/crl/<id>.crl, /ocsp). */
static int
ca_urls_cmd(struct cmdline *c)
{
	static const char *const allowed[] = { "base", "ocsp", "if-missing",
	    NULL };
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct urls u;
	struct ce_db *db;
	const char *base = opt_get(c, "base");

	ce_error_clear(&err);
	if (c->nargs != 1 || opt_check(c, allowed) != 0 || base == NULL) {
		fprintf(stderr, "usage: certenroll ca urls --base URL [--ocsp] "
		    "[--if-missing]\n");
		return 2;
	}
	db = tool_db(c);
	u = (struct urls){ db, NULL, base, opt_flag(c, "ocsp"),
	    opt_flag(c, "if-missing"), &err, CE_OK };
	if ((u.rc = db_begin(db, 0, &txn, &err)) == CE_OK) {
		u.txn = txn;
		/* The list first: each set is a write of its own. */
		u.rc = ca_list(txn, urls_cb, &u, &err);
		db_abort(txn);
	}
	db_close(db);
	return u.rc != CE_OK ? tool_fail(&err) : 0;
}

int
cmd_ca(struct cmdline *c)
{
	if (c->nargs >= 1 && strcmp(c->args[0], "create") == 0)
		return ca_create_cmd(c);
	if (c->nargs >= 1 && strcmp(c->args[0], "set") == 0)
		return ca_set_cmd(c);
	if (c->nargs >= 1 && strcmp(c->args[0], "urls") == 0)
		return ca_urls_cmd(c);
	if (c->nargs == 1 && strcmp(c->args[0], "list") == 0)
		return ca_list_or_show(c, 0);
	if (c->nargs == 2 && strcmp(c->args[0], "show") == 0)
		return ca_list_or_show(c, 1);
	fprintf(stderr, "usage: certenroll ca create|set|urls|list|show ...\n");
	return 2;
}

/* crl publish [NAME]: a new CRL of one CA, or of each, into crl_dir. */
int
cmd_crl(struct cmdline *c)
{
	struct ce_error err;
	struct ce_db *db;
	enum ce_err rc;

	ce_error_clear(&err);
	if (c->nargs < 1 || c->nargs > 2 || strcmp(c->args[0], "publish") != 0) {
		fprintf(stderr, "usage: certenroll crl publish [NAME]\n");
		return 2;
	}
	db = tool_db(c);
	/* With no name, every CA: a refresh whose "due" is now. */
	rc = c->nargs == 2 ? crl_publish(db, c->args[1], 1, &err) :
	    crl_refresh_all(db, INT64_MAX / 2, &err);
	db_close(db);
	return rc != CE_OK ? tool_fail(&err) : 0;
}

/* SANs for the TLS certificate, as the API's SANs object. */
static json_object *
tls_sans(const struct cmdline *c)
{
	const char *v[16];
	json_object *o = json_object_new_object(), *a;
	int i, n;

	a = json_object_new_array();
	n = opt_all(c, "dns", v, 16);
	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	json_object_object_add(o, "dns", a);
	a = json_object_new_array();
	n = opt_all(c, "ip", v, 16);
	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	json_object_object_add(o, "ip", a);
	return o;
}

/* Writes a PEM key (0600) and certificate + chain. */
static enum ce_err
write_tls_files(const char *certf, const char *keyf, X509 *cert,
    const struct ca *ca, EVP_PKEY *key, struct ce_error *err)
{
	struct ce_buf kb = { NULL, 0 }, cb = { NULL, 0 };
	enum ce_err rc;

	if ((rc = pem_build(key, cert, NULL, NULL, CHAIN_END_ENTITY_FIRST, 0, &kb,
	    err)) != CE_OK)
		return rc;
	/* pem_build puts the key first; the certificate file wants no key. */
	if ((rc = file_write_atomic(keyf, kb.data, kb.len, 0600, err)) == CE_OK) {
		char *leaf = x509_to_pem(cert), *issuer = x509_to_pem(ca->cert);
		size_t n1 = leaf ? strlen(leaf) : 0, n2 = issuer ? strlen(issuer) : 0;

		if ((cb.data = malloc(n1 + n2 + 1)) == NULL || !leaf || !issuer)
			rc = ce_fault(err, CE_NOMEM, "tls files");
		else {
			memcpy(cb.data, leaf, n1);
			memcpy(cb.data + n1, issuer, n2);
			rc = file_write_atomic(certf, cb.data, n1 + n2, 0644, err);
		}
		free(leaf);
		free(issuer);
		free(cb.data);
	}
	buf_free(&kb);
	return rc;
}

int
cmd_tls_cert(struct cmdline *c)
{
	static const char *const allowed[] = { "ca", "cn", "dns", "ip", "cert",
	    "key", NULL };
	struct key_spec spec = { KEY_ECC, 256, NID_X9_62_prime256v1 };
	struct policy pol;
	struct issue_in in;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct ce_db *db;
	X509_NAME *subj = NULL;
	GENERAL_NAMES *sans = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	json_object *sanobj = NULL;
	char dn[300];
	int rc = 1;

	ce_error_clear(&err);
	memset(&pol, 0, sizeof(pol));
	if (opt_check(c, allowed) || !opt_get(c, "ca") || !opt_get(c, "cn") ||
	    !opt_get(c, "cert") || !opt_get(c, "key")) {
		fprintf(stderr, "usage: certenroll tls-cert --ca NAME --cn CN "
		    "[--dns N]... [--ip A]... --cert FILE --key FILE\n");
		return 2;
	}
	db = tool_db(c);
	snprintf(dn, sizeof(dn), "CN=%s", opt_get(c, "cn"));
	pol.tmpl = json_tokener_parse("{\"name\":\"tls-server\",\"days\":365,"
	    "\"key_usage\":[\"digitalSignature\"],\"eku\":[\"serverAuth\"]}");
	pol.template_name = "tls-server";
	sanobj = tls_sans(c);
	if (db_begin(db, 0, &txn, &err) || ca_find(txn, opt_get(c, "ca"),
	    &pol.ca, &err) || x500_parse(dn, &subj, &err) ||
	    san_parse(sanobj, &sans, &err) || key_generate(&spec, &key, &err))
		goto out;
	memset(&in, 0, sizeof(in));
	in.policy = &pol;
	in.subject = subj;
	in.sans = sans;
	in.key = key;
	in.spec = &spec;
	in.requester = "certenroll-admin";
	if (issue_certificate(db, &in, &cert, &err) ||
	    write_tls_files(opt_get(c, "cert"), opt_get(c, "key"), cert, pol.ca,
	    key, &err))
		goto out;
	rc = 0;
out:
	if (rc != 0)
		tool_fail(&err);
	db_abort(txn);
	policy_clear(&pol);
	json_object_put(sanobj);
	X509_NAME_free(subj);
	GENERAL_NAMES_free(sans);
	EVP_PKEY_free(key);
	X509_free(cert);
	db_close(db);
	return rc;
}
