/*
 * test_serials.c - serials: what the signer reserves before it signs.  A
 * serial is reserved once, across CAs; one issued (the by-serial index)
 * or reserved before is CE_CONFLICT naming it; a reservation lives and
 * dies with its transaction.
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

#include <openssl/bn.h>

#include "kit.h"
#include "serials.h"
#include "x500.h"

/* A bare certificate with serial hex and subject. */
static X509 *
cert(const char *hex, const char *subject)
{
	struct ce_error err;
	X509_NAME *name = NULL;
	BIGNUM *bn = NULL;
	X509 *x;

	CHECK((x = X509_new()) != NULL);
	CHECK(BN_hex2bn(&bn, hex) > 0);
	CHECK(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL);
	BN_free(bn);
	E(x500_parse(subject, &name, &err));
	CHECK(X509_set_subject_name(x, name) == 1);
	X509_NAME_free(name);
	return x;
}

/* serial_reserve in a write transaction of its own, committed when it
 * succeeds. */
static enum ce_err
reserve(struct kit *k, X509 *x, const char *ca, const char *requester,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	enum ce_err rc;

	if ((rc = db_begin(k->db, 1, &txn, err)) != CE_OK)
		return rc;
	if ((rc = serial_reserve(txn, x, ca, requester, err)) != CE_OK) {
		db_abort(txn);
		return rc;
	}
	return db_commit(txn, err);
}

static void
test_once(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec = NULL, *v;
	X509 *a = cert("4A3B2C1D0E0F", "CN=a.example.com,O=Example");
	X509 *b = cert("4a3b2c1d0e10", "CN=a.example.com,O=Example");
	time_t before = time(NULL);

	E(reserve(k, a, "host\\CA1", "alice", &err));
	/* the record, under the upper-case hex the index uses */
	E(db_begin(k->db, 0, &txn, &err));
	E(db_get(txn, T_SERIALS, "4A3B2C1D0E0F", &rec, &err));
	db_abort(txn);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec, "ca")),
	    "host\\CA1") == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec,
	    "subject")), "CN=a.example.com, O=Example") == 0);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec,
	    "requester")), "alice") == 0);
	CHECK(json_object_object_get_ex(rec, "reserved", &v) &&
	    json_object_get_int64(v) >= before &&
	    json_object_get_int64(v) <= time(NULL));
	json_object_put(rec);

	/* never again, whoever asks, for whichever CA */
	EFAIL(reserve(k, a, "host\\CA1", "alice", &err), CE_CONFLICT,
	    "serial 4A3B2C1D0E0F is already signed");
	EFAIL(reserve(k, a, "host\\CA2", NULL, &err), CE_CONFLICT,
	    "4A3B2C1D0E0F");
	/* the next serial is another */
	E(reserve(k, b, "host\\CA1", NULL, &err));
	E(db_begin(k->db, 0, &txn, &err));
	E(db_get(txn, T_SERIALS, "4A3B2C1D0E10", &rec, &err));
	db_abort(txn);
	CHECK(json_object_object_get_ex(rec, "requester", &v) && v == NULL);
	json_object_put(rec);
	X509_free(a);
	X509_free(b);
}

/* A serial the by-serial index holds was issued: refused too. */
static void
test_issued(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	X509 *x = cert("7FEEDBEEF0", "CN=b.example.com");
	char key[DB_IDKEY_MAX];

	kit_put(k, T_CERTS, db_idkey(1, key), "{\"id\":1,\"thumbprint\":"
	    "\"AB\",\"serial\":\"7FEEDBEEF0\",\"issuer\":\"CN=CA1\","
	    "\"not_after\":1}");
	kit_put(k, T_BY_SERIAL, "7FEEDBEEF0", "{\"id\":1}");
	EFAIL(reserve(k, x, "host\\CA1", "bob", &err), CE_CONFLICT,
	    "serial 7FEEDBEEF0 is already issued");
	X509_free(x);
}

/* Not committed, not reserved: the signer's refusals reserve nothing. */
static void
test_transaction(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	X509 *x = cert("1234567890ABCDEF", "CN=c.example.com");

	E(db_begin(k->db, 1, &txn, &err));
	E(serial_reserve(txn, x, "host\\CA1", "carol", &err));
	/* its own transaction sees it */
	EFAIL(serial_reserve(txn, x, "host\\CA1", "carol", &err), CE_CONFLICT,
	    "already signed");
	db_abort(txn);
	E(reserve(k, x, "host\\CA1", "carol", &err));
	X509_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_once),
		KIT_TEST(test_issued),
		KIT_TEST(test_transaction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
