/*
 * test_staging.c - staging data (certdb.h: staging_put, staging_get,
 * staging_purge): the key of a STORE enrollment, kept for a while for its
 * owner's Deploy.  Its owner gets it back; another user, no user, a past
 * expiry or no record is CE_NOKEY saying which; a record moved to another
 * certificate or given another owner does not open; purging removes what
 * is past and only that.
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

#include "certdb.h"
#include "kit.h"
#include "staging.h"

#define PFX	"\x30\x82\x01\x00 a PKCS#12, as far as staging knows"

/* Stages PFX for certificates first..last, owner, expiring at expires,
 * in one transaction. */
static void
stage_many(struct kit *k, int64_t first, int64_t last, const char *owner,
    time_t expires)
{
	struct ce_buf pfx = { (unsigned char *)PFX, sizeof(PFX) - 1 };
	struct ce_error err;
	struct ce_txn *txn = NULL;
	int64_t id;

	E(db_begin(k->db, 1, &txn, &err));
	for (id = first; id <= last; id++)
		E(staging_put(k->db, txn, id, id + 100, owner, expires, &pfx,
		    &err));
	E(db_commit(txn, &err));
}

static void
stage(struct kit *k, int64_t cert_id, const char *owner, time_t expires)
{
	stage_many(k, cert_id, cert_id, owner, expires);
}

/* staging_get in a read transaction of its own. */
static enum ce_err
get(struct kit *k, int64_t cert_id, const char *user, struct ce_buf *out,
    struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	enum ce_err rc;

	if ((rc = db_begin(k->db, 0, &txn, err)) != CE_OK)
		return rc;
	rc = staging_get(k->db, txn, cert_id, user, out, err);
	db_abort(txn);
	return rc;
}

static void
test_owner(void **state)
{
	struct kit *k = *state;
	struct ce_buf out = { NULL, 0 };
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec = NULL;
	char key[DB_IDKEY_MAX];

	stage(k, 7, "alice", time(NULL) + 300);
	E(get(k, 7, "alice", &out, &err));
	CHECK(out.len == sizeof(PFX) - 1 && memcmp(out.data, PFX, out.len) == 0);
	buf_free(&out);
	/* read again: staging_get does not use it up (Deploy's commit does) */
	E(get(k, 7, "alice", &out, &err));
	buf_free(&out);
	/* the record: owner, expiry, request, and no plaintext */
	E(db_begin(k->db, 0, &txn, &err));
	E(db_get(txn, T_STAGING, db_idkey(7, key), &rec, &err));
	db_abort(txn);
	CHECK(strcmp(json_object_get_string(json_object_object_get(rec,
	    "owner")), "alice") == 0);
	CHECK(json_object_get_int64(json_object_object_get(rec,
	    "request_id")) == 107);
	CHECK(strstr(json_object_to_json_string(rec), "PKCS#12") == NULL);
	json_object_put(rec);

	EFAIL(get(k, 7, "bob", &out, &err), CE_NOKEY,
	    "The staging data of certificate 7 belongs to another user.");
	EFAIL(get(k, 7, "Alice", &out, &err), CE_NOKEY, "another user");
	EFAIL(get(k, 7, NULL, &out, &err), CE_NOKEY, "another user");
	CHECK(out.data == NULL && out.len == 0);
	EFAIL(get(k, 8, "alice", &out, &err), CE_NOKEY,
	    "No private key could be found for certificate 8");
	EFAIL(get(k, 0, "alice", &out, &err), CE_NOKEY, "certificate 0");
}

static void
test_expired(void **state)
{
	struct kit *k = *state;
	struct ce_buf out = { NULL, 0 };
	struct ce_error err;

	stage(k, 3, "alice", time(NULL) - 1);
	EFAIL(get(k, 3, "alice", &out, &err), CE_NOKEY,
	    "The staging data of certificate 3 has expired; enroll again.");
	/* whose it is comes first: bob learns nothing about its expiry */
	EFAIL(get(k, 3, "bob", &out, &err), CE_NOKEY, "another user");
	CHECK(out.data == NULL);
}

/* Copies cert `from`'s staging record to cert `to`, with owner if not
 * NULL: what someone who can write the database might try. */
static void
forge(struct kit *k, int64_t from, int64_t to, const char *owner)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *rec = NULL;
	char key[DB_IDKEY_MAX];

	E(db_begin(k->db, 1, &txn, &err));
	E(db_get(txn, T_STAGING, db_idkey((uint64_t)from, key), &rec, &err));
	if (owner != NULL)
		json_object_object_add(rec, "owner", json_object_new_string(owner));
	E(db_put(txn, T_STAGING, db_idkey((uint64_t)to, key), rec, &err));
	E(db_commit(txn, &err));
	json_object_put(rec);
}

/* The owner and the certificate are sealed with the key, not only
 * written beside it. */
static void
test_bound(void **state)
{
	struct kit *k = *state;
	struct ce_buf out = { NULL, 0 };
	struct ce_error err;

	stage(k, 1, "alice", time(NULL) + 300);
	forge(k, 1, 2, NULL);
	EFAIL(get(k, 2, "alice", &out, &err), CE_CRYPTO, "internal error");
	forge(k, 1, 1, "mallory");
	EFAIL(get(k, 1, "mallory", &out, &err), CE_CRYPTO, "internal error");
	CHECK(out.data == NULL);
}

static void
test_purge(void **state)
{
	struct kit *k = *state;
	struct ce_buf out = { NULL, 0 };
	struct ce_error err;
	time_t now = time(NULL);
	int purged, total;

	E(staging_purge(k->db, now, &purged, &err));
	CHECK(purged == 0);
	stage(k, 1, "alice", now - 10);
	stage(k, 2, "bob", now + 300);
	stage(k, 3, "carol", now - 1);
	stage(k, 4, "dave", now);	/* not past yet */
	E(staging_purge(k->db, now, &purged, &err));
	CHECK(purged == 2);
	CHECK(kit_count(k, T_STAGING) == 2);
	E(get(k, 2, "bob", &out, &err));
	buf_free(&out);
	EFAIL(get(k, 1, "alice", &out, &err), CE_NOKEY, "No private key");
	E(staging_purge(k->db, now, &purged, &err));
	CHECK(purged == 0);
	/* later, the rest */
	E(staging_purge(k->db, now + 301, &purged, &err));
	CHECK(purged == 2 && kit_count(k, T_STAGING) == 0);

	/* many at once: each pass takes a share, passes take them all */
	stage_many(k, 1, 300, "alice", now - 1);
	stage(k, 1000, "alice", now + 300);
	total = 0;
	do {
		E(staging_purge(k->db, now, &purged, &err));
		total += purged;
	} while (purged > 0);
	CHECK(total == 300 && kit_count(k, T_STAGING) == 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_owner),
		KIT_TEST(test_expired),
		KIT_TEST(test_bound),
		KIT_TEST(test_purge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
