/*
 * test_stores.c - stores: certificate store records and the locations of
 * certificates.  GUIDs checked and lower-cased, what store_add refuses,
 * the store password sealed and opened for the agent, and inventories
 * moving certificates' locations in and out of a store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "certdb.h"
#include "kit.h"
#include "stores.h"

#define ROOT	"host\\RootCA"
#define WEB	"{\"name\":\"WebServer\",\"keys\":[\"ECC-P-256\"]}"
#define BODY(cn) "{\"Subject\":\"CN=" cn "\",\"Template\":\"WebServer\"," \
		"\"KeyType\":\"ECC\",\"Timestamp\":\"2026-01-01T00:00:00Z\"}"

static void
test_guid(void **state)
{
	static const char *const good[] = {
	    "0123abcd-4567-89ef-0123-456789abcdef",
	    "0123ABCD-4567-89EF-0123-456789ABCDEF",
	    "00000000-0000-0000-0000-000000000000" };
	static const char *const bad[] = { "",
	    "0123abcd-4567-89ef-0123-456789abcde",
	    "0123abcd-4567-89ef-0123-456789abcdef0",
	    "0123abcd4567-89ef-0123-456789abcdef-",
	    "{0123abcd-4567-89ef-0123-456789abcdef}",
	    "0123abcd-4567-89ef-0123-456789abcdeg",
	    "0123abcd 4567 89ef 0123 456789abcdef",
	    "0123abcd-4567-89ef-0123_456789abcdef" };
	char buf[GUID_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(guid_valid(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (guid_valid(bad[i]))
			fail_msg("accepted '%s'", bad[i]);
	CHECK(!guid_valid(NULL));
	guid_normalize(good[1], buf);
	CHECK(strcmp(buf, good[0]) == 0);
}

static void
test_add(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct store_def def;
	struct certstore cs;
	struct store st;
	json_object *rec;
	char guid[GUID_LEN + 1], upper[GUID_LEN + 1], pw[64];
	size_t i;

	kit_store(k, "PKCS12", 7, "store-secret", guid);
	CHECK(guid_valid(guid));
	for (i = 0; i <= GUID_LEN; i++)
		upper[i] = (char)(guid[i] >= 'a' && guid[i] <= 'f' ? guid[i] - 32 :
		    guid[i]);
	E(db_begin(k->db, 0, &txn, &err));
	E(store_get(txn, upper, &st, &err));
	db_abort(txn);
	CHECK(strcmp(st.id, guid) == 0);
	CHECK(st.container_id == 7);
	CHECK(strcmp(st.store_type, "PKCS12") == 0);
	CHECK(st.password_sealed != NULL && st.ninventory == 0);
	/* the password sealed under the store's id, opened for the agent */
	rec = kit_record(k, T_STORES, guid);
	CHECK(strstr(json_object_to_json_string(rec), "store-secret") == NULL);
	json_object_put(rec);
	E(store_open(k->db, &st, &cs, pw, sizeof(pw), &err));
	CHECK(cs.password == pw && strcmp(pw, "store-secret") == 0);
	CHECK(cs.type == CERTSTORE_PKCS12);
	/* moved to another store id, it does not open */
	snprintf(st.id, sizeof(st.id), "00000000-0000-0000-0000-000000000000");
	EFAIL(store_open(k->db, &st, &cs, pw, sizeof(pw), &err), CE_CRYPTO,
	    "internal error");
	CHECK(pw[0] == '\0');
	store_clear(&st);

	E(db_begin(k->db, 0, &txn, &err));
	EFAIL(store_get(txn, "00000000-0000-0000-0000-000000000000", &st, &err),
	    CE_NOTFOUND, "Certificate store 00000000-0000-0000-0000-000000000000 "
	    "was not found.");
	EFAIL(store_get(txn, "store1", &st, &err), CE_INVAL,
	    "'store1' is not a valid certificate store id (a GUID).");
	db_abort(txn);

	memset(&def, 0, sizeof(def));
	def.store_path = k->dir;
	def.store_type = "JKS";
	EFAIL(store_add(k->db, &def, guid, &err), CE_INVAL,
	    "store type 'JKS' is not supported (PEM, PKCS12)");
	def.store_type = "PEM";
	def.store_path = "relative/path";
	EFAIL(store_add(k->db, &def, guid, &err), CE_INVAL,
	    "store path must be absolute");
	def.store_path = k->dir;
	def.container_id = -1;
	EFAIL(store_add(k->db, &def, guid, &err), CE_INVAL,
	    "container id must be >= 0");
	def.container_id = 0;
	def.store_type = "PKCS12";
	EFAIL(store_add(k->db, &def, guid, &err), CE_INVAL,
	    "a PKCS12 store needs a store password");
	CHECK(kit_count(k, T_STORES) == 1);
}

/* A certificate issued for a STORE enrollment: its id and thumbprint. */
static int64_t
issued(struct kit *k, const char *body, char *tp)
{
	int64_t id = kit_issue(k, "alice", FMT_STORE, body);
	json_object *rec = kit_record_id(k, T_CERTS, id);

	snprintf(tp, 41, "%s", json_object_get_string(json_object_object_get(rec,
	    "thumbprint")));
	json_object_put(rec);
	return id;
}

/* An inventory item: alias holding the certificate of thumbprint tp. */
static void
item(struct certstore_item *it, const char *alias, const char *tp)
{
	memset(it, 0, sizeof(*it));
	snprintf(it->alias, sizeof(it->alias), "%s", alias);
	snprintf(it->thumbprint, sizeof(it->thumbprint), "%s", tp);
}

/* The locations of cert as "alias@n" words, n the index of its store in
 * guids. */
static void
where(struct kit *k, int64_t cert, char guids[][GUID_LEN + 1], size_t nguids,
    char *buf, size_t bufsz)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct location *locs = NULL;
	size_t i, j, n = 0;

	E(db_begin(k->db, 0, &txn, &err));
	E(locations_get(txn, cert, &locs, &n, &err));
	db_abort(txn);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		for (j = 0; j < nguids && strcmp(guids[j], locs[i].store_id) != 0;
		    j++)
			;
		snprintf(buf + strlen(buf), bufsz - strlen(buf), "%s%s@%zu",
		    i ? " " : "", locs[i].alias, j);
	}
	locations_free(locs, n);
}

static void
test_inventory(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct certstore_item items[3];
	char guids[2][GUID_LEN + 1], tp1[41], tp2[41], got[256];
	json_object *rec;
	int64_t c1, c2;
	size_t i;

	kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	kit_store(k, "PEM", 1, NULL, guids[0]);
	kit_store(k, "PEM", 2, NULL, guids[1]);
	c1 = issued(k, BODY("one.example.com"), tp1);
	c2 = issued(k, BODY("two.example.com"), tp2);
	where(k, c1, guids, 2, got, sizeof(got));
	CHECK(strcmp(got, "") == 0);

	/* store 0 holds c1 twice and something we did not issue */
	item(&items[0], "web", tp1);
	item(&items[1], "web-old", tp1);
	item(&items[2], "theirs", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	E(store_record_inventory(k->db, guids[0], items, 3, &err));
	where(k, c1, guids, 2, got, sizeof(got));
	CHECK(strcmp(got, "web@0 web-old@0") == 0);
	rec = kit_record(k, T_STORES, guids[0]);
	CHECK(json_arr_len(json_object_object_get(rec, "inventory")) == 3);
	CHECK(json_object_get_int64(json_object_object_get(rec,
	    "inventoried")) > 0);
	json_object_put(rec);

	/* store 1 holds c1 (lower-case thumbprint) and c2 */
	for (i = 0; i < 40; i++)
		items[0].thumbprint[i] = (char)(tp1[i] >= 'A' ? tp1[i] + 32 :
		    tp1[i]);
	item(&items[1], "api", tp2);
	E(store_record_inventory(k->db, guids[1], items, 2, &err));
	where(k, c1, guids, 2, got, sizeof(got));
	CHECK(strcmp(got, "web@0 web-old@0 web@1") == 0);
	where(k, c2, guids, 2, got, sizeof(got));
	CHECK(strcmp(got, "api@1") == 0);

	/* c1 leaves store 0: only its store-1 location stays */
	item(&items[0], "api", tp2);
	E(store_record_inventory(k->db, guids[0], items, 1, &err));
	where(k, c1, guids, 2, got, sizeof(got));
	CHECK(strcmp(got, "web@1") == 0);
	where(k, c2, guids, 2, got, sizeof(got));
	CHECK(strcmp(got, "api@1 api@0") == 0);
	/* an empty store: nothing there */
	E(store_record_inventory(k->db, guids[1], items, 0, &err));
	where(k, c1, guids, 2, got, sizeof(got));
	CHECK(strcmp(got, "") == 0);
	EFAIL(store_record_inventory(k->db, "00000000-0000-0000-0000-000000000000",
	    items, 0, &err), CE_NOTFOUND, "was not found");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guid),
		KIT_TEST(test_add),
		KIT_TEST(test_inventory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
