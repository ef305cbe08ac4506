/*
 * test_keypool.c - keypool: pre-generated keys in LMDB, sealed under
 * their record names.  Filled up to a target, taken once each and of the
 * spec asked for, a fresh key when the pool has none, a record moved to
 * another name refused; the key_pool configuration read as documented.
 * ECC and Ed25519 keys only: RSA generation would slow the valgrind run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "keypool.h"
#include "kit.h"

static struct key_spec
spec_of(const char *word)
{
	struct ce_error err;
	struct key_spec s;

	E(key_spec_parse_word(word, &s, &err));
	return s;
}

static int
pooled_keys(struct kit *k, const char *word)
{
	struct key_spec s = spec_of(word);
	struct ce_error err;
	int n = -1;

	E(keypool_count(k->db, &s, &n, &err));
	return n;
}

/* Takes a key of word; *pooled says whence.  The key is of that spec. */
static EVP_PKEY *
take(struct kit *k, const char *word, int *pooled)
{
	struct key_spec s = spec_of(word), got;
	struct ce_error err;
	EVP_PKEY *key = NULL;

	E(keypool_take(k->db, &s, &key, pooled, &err));
	CHECK(key != NULL);
	CHECK(key_spec_of(key, &got) == CE_OK && got.type == s.type &&
	    got.bits == s.bits && got.nid == s.nid);
	return key;
}

static void
test_fill_take(void **state)
{
	struct kit *k = *state;
	struct key_spec p256 = spec_of("ECC-P-256");
	struct ce_error err;
	EVP_PKEY *keys[4], *fresh;
	int added, pooled, i, j;

	/* an empty pool: a fresh key, the pool untouched */
	fresh = take(k, "ECC-P-256", &pooled);
	CHECK(pooled == 0 && pooled_keys(k, "ECC-P-256") == 0);
	EVP_PKEY_free(fresh);

	E(keypool_fill(k->db, &p256, 3, 10, &added, &err));
	CHECK(added == 3 && pooled_keys(k, "ECC-P-256") == 3);
	E(keypool_fill(k->db, &p256, 3, 10, &added, &err));
	CHECK(added == 0 && pooled_keys(k, "ECC-P-256") == 3);
	/* at most max_new a call */
	E(keypool_fill(k->db, &p256, 10, 1, &added, &err));
	CHECK(added == 1 && pooled_keys(k, "ECC-P-256") == 4);
	E(keypool_fill(k->db, &p256, 2, 10, &added, &err));
	CHECK(added == 0 && pooled_keys(k, "ECC-P-256") == 4);

	/* each pooled key once, then fresh ones again */
	for (i = 0; i < 4; i++) {
		keys[i] = take(k, "ECC-P-256", &pooled);
		CHECK(pooled == 1 && pooled_keys(k, "ECC-P-256") == 3 - i);
		for (j = 0; j < i; j++)
			CHECK(EVP_PKEY_eq(keys[i], keys[j]) != 1);
	}
	fresh = take(k, "ECC-P-256", NULL);
	for (j = 0; j < 4; j++) {
		CHECK(EVP_PKEY_eq(fresh, keys[j]) != 1);
		EVP_PKEY_free(keys[j]);
	}
	EVP_PKEY_free(fresh);
	EVP_PKEY_free(take(k, "ECC-P-256", &pooled));
	CHECK(pooled == 0);
}

/* Pools of different specs do not mix. */
static void
test_specs(void **state)
{
	struct kit *k = *state;
	struct key_spec p384 = spec_of("ECC-P-384"), ed = spec_of("Ed25519");
	struct ce_error err;
	EVP_PKEY *key;
	int added, pooled;

	E(keypool_fill(k->db, &p384, 2, 10, &added, &err));
	E(keypool_fill(k->db, &ed, 1, 10, &added, &err));
	CHECK(pooled_keys(k, "ECC-P-384") == 2 && pooled_keys(k, "Ed25519") == 1);
	CHECK(pooled_keys(k, "ECC-P-256") == 0 && pooled_keys(k, "Ed448") == 0);
	key = take(k, "ECC-P-256", &pooled);
	CHECK(pooled == 0);
	EVP_PKEY_free(key);
	key = take(k, "Ed25519", &pooled);
	CHECK(pooled == 1);
	EVP_PKEY_free(key);
	key = take(k, "Ed448", &pooled);
	CHECK(pooled == 0);
	EVP_PKEY_free(key);
	CHECK(pooled_keys(k, "ECC-P-384") == 2 && pooled_keys(k, "Ed25519") == 0);
}

struct first {
	char		 key[96];
	unsigned char	*val;
	size_t		 len;
};

static int
first_cb(const char *key, const unsigned char *val, size_t len, void *arg)
{
	struct first *f = arg;

	snprintf(f->key, sizeof(f->key), "%s", key);
	CHECK((f->val = malloc(len)) != NULL);
	memcpy(f->val, val, len);
	f->len = len;
	return 1;
}

/* Sealed under its own name: a record moved to another name does not
 * unseal, and is used up all the same (never tried twice). */
static void
test_moved(void **state)
{
	struct kit *k = *state;
	struct key_spec p256 = spec_of("ECC-P-256");
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct first f;
	EVP_PKEY *key = NULL;
	int added, pooled = -1;

	E(keypool_fill(k->db, &p256, 1, 1, &added, &err));
	memset(&f, 0, sizeof(f));
	E(db_begin(k->db, 1, &txn, &err));
	E(db_foreach_raw(txn, T_KEYPOOL, first_cb, &f, &err));
	CHECK(strncmp(f.key, "ECC-P-256/", 10) == 0);
	CHECK(f.len > 3 && memcmp(f.val, "CE1", 3) == 0);
	E(db_del(txn, T_KEYPOOL, f.key, &err));
	E(db_put_raw(txn, T_KEYPOOL, "ECC-P-256/0", f.val, f.len, &err));
	E(db_commit(txn, &err));
	free(f.val);
	EFAIL(keypool_take(k->db, &p256, &key, &pooled, &err), CE_CRYPTO,
	    "internal error");
	CHECK(key == NULL && pooled == 0);
	CHECK(pooled_keys(k, "ECC-P-256") == 0);
}

static void
test_configured(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	int added;

	/* no key_pool: nothing */
	E(keypool_fill_configured(k->db, 8, &added, &err));
	CHECK(added == 0);
	kit_config("key_pool = ECC-P-256:2, Ed25519:1,ECC-P-384:0");
	E(keypool_fill_configured(k->db, 8, &added, &err));
	CHECK(added == 3);
	CHECK(pooled_keys(k, "ECC-P-256") == 2 && pooled_keys(k, "Ed25519") == 1 &&
	    pooled_keys(k, "ECC-P-384") == 0);
	E(keypool_fill_configured(k->db, 8, &added, &err));
	CHECK(added == 0);
	/* max_new holds across the pools of one pass: 2 + 1 of 2 */
	kit_config("key_pool = Ed25519:3,ECC-P-256:4");
	E(keypool_fill_configured(k->db, 3, &added, &err));
	CHECK(added == 3 && pooled_keys(k, "Ed25519") == 3 &&
	    pooled_keys(k, "ECC-P-256") == 3);
	/* a spec that is none */
	kit_config("key_pool = RSA-1000:1");
	EFAIL(keypool_fill_configured(k->db, 8, &added, &err), CE_INVAL,
	    "RSA-1000");
	CHECK(added == 0);
}

struct level {
	char	spec[16];
	int	have, target;
};

static void
level_cb(const char *spec, int have, int target, void *arg)
{
	struct level *l = arg;

	while (l->spec[0] != '\0')
		l++;
	snprintf(l->spec, sizeof(l->spec), "%s", spec);
	l->have = have;
	l->target = target;
}

/* Each pool of key_pool with its level and size, in the setting's order,
 * as /metrics shows them. */
static void
test_levels(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct level l[4];
	struct key_spec p256 = spec_of("ECC-P-256");
	int added;

	memset(l, 0, sizeof(l));
	E(keypool_levels(k->db, level_cb, l, &err));
	CHECK(l[0].spec[0] == '\0');
	kit_config("key_pool = ECC-P-256:2, Ed25519:1,P-384:0");
	E(keypool_fill(k->db, &p256, 1, 8, &added, &err));
	E(keypool_levels(k->db, level_cb, l, &err));
	CHECK(strcmp(l[0].spec, "ECC-P-256") == 0 && l[0].have == 1 &&
	    l[0].target == 2);
	CHECK(strcmp(l[1].spec, "Ed25519") == 0 && l[1].have == 0 &&
	    l[1].target == 1);
	CHECK(strcmp(l[2].spec, "ECC-P-384") == 0 && l[2].target == 0);
	CHECK(l[3].spec[0] == '\0');
	kit_config("key_pool = RSA-1000:1");
	EFAIL(keypool_levels(k->db, level_cb, l, &err), CE_INVAL, "RSA-1000");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_fill_take),
		KIT_TEST(test_specs),
		KIT_TEST(test_moved),
		KIT_TEST(test_configured),
		KIT_TEST(test_levels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
