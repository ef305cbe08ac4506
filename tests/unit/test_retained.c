/*
 * test_retained.c - kept private keys (retained.h): a key sealed and read
 * back, none kept, a time that is past, a blob moved to another
 * certificate's record or given another time (it must not open), a record
 * that is not what it says, the purge that deletes exactly what is due,
 * and a key forgotten before its time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "certdb.h"
#include "db.h"
#include "kit.h"
#include "retained.h"

struct put {
	struct ce_db	*db;
	int64_t		 id, until;
	EVP_PKEY	*key;
};

static enum ce_err
put_fn(struct ce_txn *txn, void *arg, struct ce_error *err)
{
	struct put *p = arg;

	return retained_put(p->db, txn, p->id, p->until, p->key, err);
}

static void
put(struct kit *k, int64_t id, int64_t until, EVP_PKEY *key)
{
	struct put p = { k->db, id, until, key };
	struct ce_error err;

	E(db_write(k->db, put_fn, &p, &err));
}

/* Certificates 1..n (PostgreSQL's rows name a certificate that exists). */
static void
certs(struct kit *k, int n)
{
	int i;

	kit_ca(k, KIT_ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, KIT_WEB);
	for (i = 1; i <= n; i++)
		CHECK(kit_issue(k, "alice", FMT_PEM, KIT_BODY("kept.example")) == i);
}

static enum ce_err
get(struct kit *k, int64_t id, int64_t now, EVP_PKEY **out,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	enum ce_err rc;

	CHECK(db_begin(k->db, 0, &txn, err) == CE_OK);
	rc = retained_get(k->db, txn, id, now, out, err);
	db_abort(txn);
	return rc;
}

static void
test_kept(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *back;
	json_object *rec;
	char text[64];

	CHECK(key != NULL);
	certs(k, 9);
	put(k, 7, 0, key);
	put(k, 8, 1000, key);
	E(get(k, 7, 5000, &back, &err));
	CHECK(EVP_PKEY_eq(key, back) == 1);
	EVP_PKEY_free(back);
	E(get(k, 8, 999, &back, &err));
	CHECK(EVP_PKEY_eq(key, back) == 1);
	EVP_PKEY_free(back);
	/* its time is past: kept no longer, whether purged or not */
	EFAIL(get(k, 8, 1000, &back, &err), CE_NOKEY, "kept it until 1000");
	CHECK(back == NULL);
	EFAIL(get(k, 9, 0, &back, &err), CE_NOKEY,
	    "No private key could be found for the given certificate.");
	/* sealed at rest: no PEM, no DER of the key in the record */
	rec = kit_record_id(k, T_RETAINED, 7);
	CHECK(rec != NULL);
	snprintf(text, sizeof(text), "%.3s", kit_jstr(rec, "blob"));
	CHECK(strcmp(text, "Q0U") == 0);	/* "CE1", seal.h */
	CHECK(strstr(json_object_to_json_string(rec), "PRIVATE") == NULL);
	json_object_put(rec);
	EVP_PKEY_free(key);
}

/* A forger who can write the database moves certificate 1's kept key
 * under certificate 2 (whose own key is another): it does not open. */
static void
test_moved(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *b = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *back;
	json_object *rec;
	char key[DB_IDKEY_MAX], json[4096];

	certs(k, 3);
	put(k, 1, 0, a);
	put(k, 2, 0, b);
	rec = kit_record_id(k, T_RETAINED, 1);
	snprintf(json, sizeof(json), "{\"id\":2,\"until\":0,\"blob\":\"%s\"}",
	    kit_jstr(rec, "blob"));
	json_object_put(rec);
	kit_put(k, T_RETAINED, db_idkey(2, key), json);
	EFAIL(get(k, 2, 0, &back, &err), CE_CRYPTO, "");
	CHECK(back == NULL);
	/* a record that names another certificate than its key */
	rec = kit_record_id(k, T_RETAINED, 1);
	snprintf(json, sizeof(json), "{\"id\":3,\"until\":0,\"blob\":\"%s\"}",
	    kit_jstr(rec, "blob"));
	json_object_put(rec);
	if (!kit_on_postgresql()) {	/* there a CHECK refuses the row */
		kit_put(k, T_RETAINED, db_idkey(1, key), json);
		EFAIL(get(k, 1, 0, &back, &err), CE_DB, "");
	}
	/* a time moved on ("until" 0: kept for good) does not open either */
	put(k, 3, 1000, a);
	rec = kit_record_id(k, T_RETAINED, 3);
	snprintf(json, sizeof(json), "{\"id\":3,\"until\":0,\"blob\":\"%s\"}",
	    kit_jstr(rec, "blob"));
	json_object_put(rec);
	kit_put(k, T_RETAINED, db_idkey(3, key), json);
	EFAIL(get(k, 3, 5000, &back, &err), CE_CRYPTO, "");
	CHECK(back == NULL);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

/* cert forget-key: gone at once, its due entry too; twice is not found. */
static void
test_forget(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *back;

	certs(k, 2);
	put(k, 1, 99999999999LL, key);
	put(k, 2, 0, key);
	E(cert_forget_key(k->db, 1, &err));
	EFAIL(get(k, 1, 0, &back, &err), CE_NOKEY, "No private key");
	CHECK(kit_count(k, T_RETAINED) == 1 && kit_count(k, T_RETAINED_DUE) == 0);
	EFAIL(cert_forget_key(k->db, 1, &err), CE_NOTFOUND, "No key is kept for "
	    "certificate 1.");
	E(cert_forget_key(k->db, 2, &err));
	CHECK(kit_count(k, T_RETAINED) == 0);
	EVP_PKEY_free(key);
}

static void
test_purge(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *back;
	int64_t i;
	int n;

	/* 270 due at 100..369 (more than one purge round), one kept for
	 * good, one due later */
	certs(k, 272);
	for (i = 1; i <= 270; i++)
		put(k, i, 99 + i, key);
	put(k, 271, 0, key);
	put(k, 272, 5000, key);
	E(retained_purge(k->db, 260, &n, &err));
	CHECK(n == 161);			/* 100..260 */
	CHECK(kit_count(k, T_RETAINED) == 272 - 161);
	E(get(k, 162, 260, &back, &err));	/* due at 261: still there */
	EVP_PKEY_free(back);
	E(retained_purge(k->db, 4999, &n, &err));
	CHECK(n == 109);
	CHECK(kit_count(k, T_RETAINED) == 2);
	CHECK(kit_count(k, T_RETAINED_DUE) == 1);
	E(get(k, 271, 1 << 30, &back, &err));
	EVP_PKEY_free(back);
	E(get(k, 272, 4999, &back, &err));
	EVP_PKEY_free(back);
	E(retained_purge(k->db, 5000, &n, &err));
	CHECK(n == 1 && kit_count(k, T_RETAINED) == 1);
	EVP_PKEY_free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_kept),
		KIT_TEST(test_moved),
		KIT_TEST(test_purge),
		KIT_TEST(test_forget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
