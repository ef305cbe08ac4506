/* crl.c - each CA's CRL: made from the revoked list, signed, recorded,
 * published (see crl.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "ca.h"
#include "config.h"
#include "crl.h"
#include "db.h"
#include "fileutil.h"
#include "jbuild.h"
#include "log.h"
#include "revoked.h"
#include "settings.h"
#include "signer.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

/* ---- making one -------------------------------------------------------- */

struct making {
	X509_CRL	*crl;
	size_t		 n;
	enum ce_err	 rc;
	struct ce_error	*err;
};

/* One revoked certificate: serial, date, reason (none for unspecified,
 * RFC 5280 5.3.1). */
static int
add_entry(const struct revoked_entry *e, void *arg)
{
	struct making *m = arg;
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_INTEGER *sn = NULL;
	ASN1_TIME *t = ASN1_TIME_set(NULL, e->date);
	ASN1_ENUMERATED *why = NULL;
	BIGNUM *bn = NULL;
	int reason = revoke_reason_crl(e->reason), ok;

	/* The whole serial, hex digits only (no sign, nothing after). */
	ok = r != NULL && t != NULL && e->serial[0] != '-' &&
	    BN_hex2bn(&bn, e->serial) == (int)strlen(e->serial) &&
	    (sn = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
	    X509_REVOKED_set_serialNumber(r, sn) == 1 &&
	    X509_REVOKED_set_revocationDate(r, t) == 1;
	if (ok && reason != 0)
		ok = (why = ASN1_ENUMERATED_new()) != NULL &&
		    ASN1_ENUMERATED_set(why, reason) == 1 &&
		    X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, why, 0, 0) == 1;
	if (ok && X509_CRL_add0_revoked(m->crl, r) == 1)
		r = NULL;
	else
		ok = 0;
	ASN1_ENUMERATED_free(why);
	ASN1_INTEGER_free(sn);
	ASN1_TIME_free(t);
	BN_free(bn);
	X509_REVOKED_free(r);
	if (!ok) {
		m->rc = ce_fault(m->err, CE_CRYPTO, "CRL entry %s", e->serial);
		return 1;
	}
	m->n++;
	return 0;
}

/* The CRL's own fields and extensions: v2, issuer, dates, number, AKI. */
static enum ce_err
crl_head(X509_CRL *crl, const struct ca *ca, int64_t number, time_t now,
    time_t next, struct ce_error *err)
{
	ASN1_TIME *tu = ASN1_TIME_set(NULL, now), *nu = ASN1_TIME_set(NULL, next);
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509_EXTENSION *aki = NULL;
	X509V3_CTX ctx;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, ca->cert, NULL, NULL, crl, 0);
	ok = tu != NULL && nu != NULL && num != NULL &&
	    X509_CRL_set_version(crl, X509_CRL_VERSION_2) == 1 &&
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) == 1 &&
	    X509_CRL_set1_lastUpdate(crl, tu) == 1 &&
	    X509_CRL_set1_nextUpdate(crl, nu) == 1 &&
	    ASN1_INTEGER_set_int64(num, number) == 1 &&
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1 &&
	    (aki = X509V3_EXT_conf_nid(NULL, &ctx,
	    NID_authority_key_identifier, "keyid:always")) != NULL &&
	    X509_CRL_add_ext(crl, aki, -1) == 1;
	X509_EXTENSION_free(aki);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	return ok ? CE_OK : ce_fault(err, CE_CRYPTO, "CRL of %s", ca->name);
}

/* The keys of a CA's CRL records: what it is, and its DER. */
static char *
der_key(int64_t ca_id, char *buf, size_t bufsz)
{
	char id[DB_IDKEY_MAX];

	snprintf(buf, bufsz, "%s/der", db_idkey((uint64_t)ca_id, id));
	return buf;
}

/* Records crl (numbered number) as CA ca_id's last: the small record that
 * says what it is (a revocation marks it stale) and the DER beside it. */
static enum ce_err
crl_record(struct ce_txn *txn, int64_t ca_id, const X509_CRL *crl,
    int64_t number, time_t now, time_t next, size_t n, struct ce_error *err)
{
	unsigned char *der = NULL;
	json_object *meta = json_object_new_object(), *body = NULL;
	char key[DB_IDKEY_MAX], dkey[DB_IDKEY_MAX + 8], *b64 = NULL;
	enum ce_err rc;
	int len;

	if ((len = i2d_X509_CRL(crl, &der)) <= 0 ||
	    (b64 = b64_encode(der, (size_t)len)) == NULL || meta == NULL ||
	    (body = json_object_new_object()) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "CRL record");
		goto out;
	}
	ADD(meta, "number", json_object_new_int64(number));
	ADD(meta, "this_update", json_object_new_int64(now));
	ADD(meta, "next_update", json_object_new_int64(next));
	ADD(meta, "entries", json_object_new_int64((int64_t)n));
	ADD(body, "der", json_object_new_string(b64));
	if ((rc = db_put(txn, T_CRLS, db_idkey((uint64_t)ca_id, key), meta,
	    err)) == CE_OK)
		rc = db_put(txn, T_CRLS, der_key(ca_id, dkey, sizeof(dkey)), body,
		    err);
out:
	OPENSSL_free(der);
	free(b64);
	json_object_put(meta);
	json_object_put(body);
	return rc;
}

struct issuing {
	struct ce_db		*db;
	const struct ca		*ca;
	time_t			 now;
	X509_CRL		*crl;		/* of the run that commits */
};

/* In one write: the next number, the revoked list as it is, the record. */
static enum ce_err
issue_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct issuing *is = arg;
	struct making m = { NULL, 0, CE_OK, err };
	json_object *last = NULL;
	char key[DB_IDKEY_MAX];
	int64_t number;
	time_t next;
	enum ce_err rc;

	X509_CRL_free(is->crl);
	is->crl = NULL;
	next = is->now + settings_int(is->db, txn, "crl_validity");
	rc = db_get(txn, T_CRLS, db_idkey((uint64_t)is->ca->id, key), &last, err);
	if (rc != CE_OK && rc != CE_NOTFOUND)
		return rc;
	ce_error_clear(err);
	number = jrec_int(last, "number") + 1;
	json_object_put(last);
	if ((m.crl = X509_CRL_new()) == NULL)
		return ce_fault(err, CE_NOMEM, "X509_CRL_new");
	if ((rc = crl_head(m.crl, is->ca, number, is->now, next, err)) != CE_OK ||
	    (rc = revoked_list(txn, is->ca->id, add_entry, &m, err)) != CE_OK ||
	    (rc = m.rc) != CE_OK)
		goto out;
	if (X509_CRL_sort(m.crl) != 1) {
		rc = ce_fault(err, CE_CRYPTO, "X509_CRL_sort");
		goto out;
	}
	if ((rc = ca_sign_crl_local(is->db, is->ca, m.crl, err)) != CE_OK)
		goto out;
	if ((rc = crl_record(txn, is->ca->id, m.crl, number, is->now, next,
	    m.n, err)) == CE_OK) {
		is->crl = m.crl;
		m.crl = NULL;
	}
out:
	X509_CRL_free(m.crl);
	return rc;
}

enum ce_err
crl_issue_local(struct ce_db *db, const struct ca *ca, time_t now,
    X509_CRL **out, struct ce_error *err)
{
	struct issuing is = { db, ca, now, NULL };
	enum ce_err rc;

	*out = NULL;
	if ((rc = db_write(db, issue_fn, &is, err)) != CE_OK) {
		X509_CRL_free(is.crl);
		return rc;
	}
	*out = is.crl;
	return CE_OK;
}

/* ---- reading, checking, publishing -------------------------------------- */

int
crl_entries(X509_CRL *crl)
{
	int n = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));

	return n > 0 ? n : 0;
}

/* CA ca's last CRL as recorded, and its record *rec (CE_NOTFOUND: none
 * yet); both the caller's. */
static enum ce_err
crl_last(struct ce_txn *txn, const struct ca *ca, X509_CRL **out,
    json_object **rec, struct ce_error *err)
{
	struct ce_buf der = { NULL, 0 };
	const unsigned char *p;
	json_object *body = NULL;
	char key[DB_IDKEY_MAX], dkey[DB_IDKEY_MAX + 8];
	enum ce_err rc;

	*out = NULL;
	*rec = NULL;
	rc = db_get(txn, T_CRLS, db_idkey((uint64_t)ca->id, key), rec, err);
	if (rc != CE_OK)
		return rc;
	rc = db_get(txn, T_CRLS, der_key(ca->id, dkey, sizeof(dkey)), &body, err);
	if (rc == CE_OK && (jrec_str(body, "der") == NULL ||
	    b64_decode(jrec_str(body, "der"), &der) != CE_OK ||
	    (p = der.data, *out = d2i_X509_CRL(NULL, &p, (long)der.len)) == NULL))
		rc = ce_fault(err, CE_DB, "CRL record of %s", ca->name);
	else if (rc == CE_NOTFOUND)
		rc = ce_fault(err, CE_DB, "CRL of %s: no DER", ca->name);
	buf_free(&der);
	json_object_put(body);
	if (rc != CE_OK) {
		json_object_put(*rec);
		*rec = NULL;
	}
	return rc;
}

/* A CRL a reader may trust: signed by the CA's key, its issuer. */
static enum ce_err
crl_check(X509_CRL *crl, const struct ca *ca, struct ce_error *err)
{
	if (X509_CRL_verify(crl, X509_get0_pubkey(ca->cert)) != 1 ||
	    X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(ca->cert)) != 0)
		return ce_fault(err, CE_CRYPTO, "the CRL of %s is not signed by "
		    "its key", ca->name);
	return CE_OK;
}

static enum ce_err
find_ca(struct ce_db *db, const char *name, struct ca **ca,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	enum ce_err rc;

	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = ca_find(txn, name, ca, err);
	db_abort(txn);
	return rc;
}

/* Through the signer: it records the CRL, this process reads it back. */
static enum ce_err
issue_by_signer(struct ce_db *db, const char *sock, const struct ca *ca,
    X509_CRL **out, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	json_object *rec = NULL;
	int64_t number;
	enum ce_err rc;

	if ((rc = signer_crl(sock, ca->name, &number, err)) != CE_OK ||
	    (rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = crl_last(txn, ca, out, &rec, err);
	db_abort(txn);
	/* Another host's newer one is as good. */
	if (rc == CE_OK && jrec_int(rec, "number") < number)
		rc = ce_fault(err, CE_DB, "CRL %lld of %s is not recorded",
		    (long long)number, ca->name);
	json_object_put(rec);
	return rc;
}

/* ca's next CRL (crl_issue of a CA already read). */
static enum ce_err
issue_for(struct ce_db *db, const struct ca *ca, X509_CRL **out,
    struct ce_error *err)
{
	const char *sock = signer_socket();
	enum ce_err rc;

	rc = sock != NULL ? issue_by_signer(db, sock, ca, out, err) :
	    crl_issue_local(db, ca, time(NULL), out, err);
	if (rc == CE_OK && (rc = crl_check(*out, ca, err)) != CE_OK) {
		X509_CRL_free(*out);
		*out = NULL;
	}
	return rc;
}

enum ce_err
crl_issue(struct ce_db *db, const char *ca_name, X509_CRL **out,
    struct ce_error *err)
{
	struct ca *ca = NULL;
	enum ce_err rc;

	*out = NULL;
	if ((rc = find_ca(db, ca_name, &ca, err)) != CE_OK)
		return rc;
	rc = issue_for(db, ca, out, err);
	ca_free(ca);
	return rc;
}

/*
 * What the file at path holds, read as a regular file only (the folder is
 * the service user's, and the admin command writes there as root: no
 * symlink followed, no FIFO waited on).  NULL when there is none.
 */
static unsigned char *
read_plain(const char *path, size_t max, size_t *len)
{
	struct stat st;
	unsigned char *p = NULL;
	ssize_t k;
	size_t n = 0;
	int fd;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (size_t)st.st_size > max || (p = malloc((size_t)st.st_size + 1)) ==
	    NULL) {
		close(fd);
		return NULL;
	}
	while (n < (size_t)st.st_size && (k = read(fd, p + n,
	    (size_t)st.st_size - n)) > 0)
		n += (size_t)k;
	close(fd);
	*len = n;
	return p;
}

/* The number of the CRL in DER file path; 0 when there is none. */
static int64_t
file_number(const char *path, size_t max)
{
	const unsigned char *q;
	unsigned char *p;
	X509_CRL *crl;
	ASN1_INTEGER *num = NULL;
	int64_t n = 0;
	size_t len;

	if ((p = read_plain(path, max, &len)) == NULL)
		return 0;
	q = p;
	if ((crl = d2i_X509_CRL(NULL, &q, (long)len)) != NULL &&
	    (num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL)) !=
	    NULL && ASN1_INTEGER_get_int64(&n, num) != 1)
		n = 0;
	ASN1_INTEGER_free(num);
	X509_CRL_free(crl);
	free(p);
	return n;
}

/* Whether the file at path holds exactly len bytes p. */
static int
same_file(const char *path, const void *p, size_t len)
{
	unsigned char *have;
	size_t n;
	int same;

	have = read_plain(path, len, &n);
	same = have != NULL && n == len && memcmp(have, p, len) == 0;
	free(have);
	return same;
}

/*
 * Writes <dir>/<id>.crl (DER) and .crl.pem where they are not this CRL
 * already, and never over a newer one (a concurrent revocation's, another
 * host's); nothing without crl_dir.  The lock keeps two writers of one
 * CA's files from crossing.
 */
static enum ce_err
write_files(int64_t ca_id, X509_CRL *crl, struct ce_error *err)
{
	const char *dir = config_get("crl_dir");
	unsigned char *der = NULL;
	char path[4096], pempath[4110], lock[4110], *pem = NULL;
	BIO *b = NULL;
	ASN1_INTEGER *num = NULL;
	int64_t number = 0;
	long plen;
	int n, fd = -1;
	enum ce_err rc = CE_OK;

	if (dir == NULL || *dir == '\0')
		return CE_OK;
	if (snprintf(path, sizeof(path), "%s/%lld.crl", dir, (long long)ca_id) >=
	    (int)sizeof(path))
		return ce_fault(err, CE_SYSTEM, "crl_dir is too long");
	snprintf(pempath, sizeof(pempath), "%s.pem", path);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	if ((num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL)) ==
	    NULL || ASN1_INTEGER_get_int64(&number, num) != 1) {
		ASN1_INTEGER_free(num);
		return ce_fault(err, CE_CRYPTO, "CRL number");
	}
	ASN1_INTEGER_free(num);
	/* Read-only (it may be root's, made by the admin command), no
	 * symlink, no FIFO to wait on. */
	if ((fd = open(lock, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0644)) == -1 || flock(fd, LOCK_EX) != 0) {
		rc = ce_fault(err, CE_SYSTEM, "%s: %s", lock, strerror(errno));
		goto out;
	}
	if ((n = i2d_X509_CRL(crl, &der)) <= 0 ||
	    (b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509_CRL(b, crl) != 1 ||
	    (plen = BIO_get_mem_data(b, &pem)) <= 0) {
		rc = ce_fault(err, CE_CRYPTO, "encoding the CRL");
		goto out;
	}
	if (file_number(path, (size_t)n * 2 + (1 << 20)) > number)
		goto out;	/* a newer one is there */
	/* The agent's every round: no write where nothing changed. */
	if (!same_file(path, der, (size_t)n) &&
	    (rc = file_write_atomic(path, der, (size_t)n, 0644, err)) != CE_OK)
		goto out;
	if (!same_file(pempath, pem, (size_t)plen))
		rc = file_write_atomic(pempath, pem, (size_t)plen, 0644, err);
out:
	if (fd != -1)
		close(fd);	/* the lock goes with it */
	OPENSSL_free(der);
	BIO_free(b);
	return rc;
}

/* crl_publish of a CA already read. */
static enum ce_err
publish_for(struct ce_db *db, const struct ca *ca, struct ce_error *err)
{
	char q[300];
	X509_CRL *crl = NULL;
	enum ce_err rc;

	if ((rc = issue_for(db, ca, &crl, err)) == CE_OK &&
	    (rc = write_files(ca->id, crl, err)) == CE_OK)
		log_info("CRL of %s published (%d entries)", log_value(ca->name,
		    q, sizeof(q)), crl_entries(crl));
	X509_CRL_free(crl);
	return rc;
}

enum ce_err
crl_publish(struct ce_db *db, const char *ca_name, struct ce_error *err)
{
	struct ca *ca = NULL;
	enum ce_err rc;

	if ((rc = find_ca(db, ca_name, &ca, err)) != CE_OK)
		return rc;
	rc = publish_for(db, ca, err);
	ca_free(ca);
	return rc;
}

/* ---- the agent's round --------------------------------------------------- */

struct round {
	struct ce_db	*db;
	time_t		 now;
	int64_t		 refresh;
	json_object	*names;		/* every CA's */
};

static void
name_cb(int64_t id, const char *name, void *arg)
{
	struct round *r = arg;
	json_object *s = json_object_new_string(name);

	(void)id;
	if (s == NULL || json_object_array_add(r->names, s) != 0)
		json_object_put(s);	/* that CA waits for the next round */
}

/* One CA: a new CRL when there is none, it is stale (a revocation whose
 * own CRL failed) or due, else the recorded one's files. */
static enum ce_err
refresh_one(struct round *r, const char *name, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct ca *ca = NULL;
	json_object *rec = NULL;
	X509_CRL *crl = NULL;
	enum ce_err rc;

	if ((rc = db_begin(r->db, 0, &txn, err)) != CE_OK)
		return rc;
	if ((rc = ca_find(txn, name, &ca, err)) == CE_OK)
		rc = crl_last(txn, ca, &crl, &rec, err);
	db_abort(txn);
	/* (CE_NOTFOUND is crl_last's: the CA was read.) */
	if (rc == CE_NOTFOUND || (rc == CE_OK && (jrec_bool(rec, "stale") ||
	    jrec_int(rec, "this_update") + r->refresh <= r->now))) {
		ce_error_clear(err);
		rc = publish_for(r->db, ca, err);
	} else if (rc == CE_OK && (rc = crl_check(crl, ca, err)) == CE_OK)
		rc = write_files(ca->id, crl, err);
	json_object_put(rec);
	X509_CRL_free(crl);
	ca_free(ca);
	return rc;
}

enum ce_err
crl_refresh_all(struct ce_db *db, time_t now, struct ce_error *err)
{
	struct round r = { db, now, 0, json_object_new_array() };
	struct ce_txn *txn = NULL;
	struct ce_error one;
	const char *name;
	char q[300];
	enum ce_err rc, first = CE_OK;
	size_t i;

	if (r.names == NULL)
		return ce_fault(err, CE_NOMEM, "CRL round");
	if ((rc = db_begin(db, 0, &txn, err)) == CE_OK) {
		/* Made again well before the last one's nextUpdate. */
		r.refresh = settings_int(db, txn, "crl_refresh");
		if (r.refresh > settings_int(db, txn, "crl_validity") / 2)
			r.refresh = settings_int(db, txn, "crl_validity") / 2;
		rc = ca_list(txn, name_cb, &r, err);
		db_abort(txn);
	}
	/* One CA's trouble holds no other's CRL back: each is tried, the
	 * first failure reported. */
	for (i = 0; rc == CE_OK && i < json_object_array_length(r.names); i++) {
		name = json_object_get_string(json_object_array_get_idx(r.names,
		    i));
		ce_error_clear(&one);
		if (refresh_one(&r, name, &one) == CE_OK)
			continue;
		log_error("CRL of %s: %s", log_value(name, q, sizeof(q)),
		    one.msg);
		if (first == CE_OK) {
			first = one.code;
			*err = one;
		}
	}
	json_object_put(r.names);
	return rc != CE_OK ? rc : first;
}
