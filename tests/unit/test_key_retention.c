/*
 * test_key_retention.c - a template's key retention (key_retention.h):
 * the words and days checked where templates are added and changed, the
 * record's word and Keyfactor's, a record that says something else keeping
 * nothing, and until when each choice keeps a key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "jbuild.h"
#include "key_retention.h"
#include "kit.h"
#include "policy.h"

static void
test_template_words(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct template_view t;
	json_object *ch;
	int64_t id, na;
	int days;

	kit_ca(k, KIT_ROOT, "ECC-P-256", 3650, NULL);
#define BAD(json, says) do {						\
	json_object *r_ = kit_json(json);				\
	int64_t p_;							\
	EFAIL(template_add(k->db, r_, &p_, &err), CE_INVAL, says);	\
	json_object_put(r_);						\
} while (0)
	BAD("{\"name\":\"A\",\"key_retention\":\"forever\"}", "'forever' is "
	    "none of none, indefinite, after-expiration, from-issuance");
	BAD("{\"name\":\"A\",\"key_retention\":7}", "is none of");
	BAD("{\"name\":\"A\",\"key_retention\":\"after-expiration\"}",
	    "needs a number of days");
	BAD("{\"name\":\"A\",\"key_retention\":\"from_issuance\","
	    "\"key_retention_days\":36501}", "is not 0 to 36500");
	BAD("{\"name\":\"A\",\"key_retention\":\"indefinite\","
	    "\"key_retention_days\":3}", "only after-expiration and");
	BAD("{\"name\":\"A\",\"key_retention_days\":-1}", "is not 0 to");
	id = kit_template(k, "{\"name\":\"A\",\"key_retention\":"
	    "\"AfterExpiration\",\"key_retention_days\":30}");
	E(db_begin(k->db, 0, &txn, &err));
	E(template_by_id(txn, id, &t, &err));
	CHECK(t.key_retention == KR_AFTER_EXPIRATION && t.key_retention_days == 30);
	CHECK(strcmp(key_retention_name(t.key_retention), "AfterExpiration") == 0);
	CHECK(strcmp(jrec_str(t.rec, "key_retention"), "after_expiration") == 0);
	template_view_clear(&t);
	db_abort(txn);
	/* changed: the word alone drops the days it no longer takes */
	ch = kit_json("{\"key_retention\":\"none\"}");
	E(template_set(k->db, "a", ch, &err));
	json_object_put(ch);
	ch = kit_json("{\"key_retention\":\"from-issuance\"}");
	EFAIL(template_set(k->db, "a", ch, &err), CE_INVAL, "needs a number");
	json_object_put(ch);
	ch = kit_json("{\"key_retention\":\"from-issuance\","
	    "\"key_retention_days\":1}");
	E(template_set(k->db, "a", ch, &err));
	json_object_put(ch);
	E(db_begin(k->db, 0, &txn, &err));
	E(template_by_id(txn, id, &t, &err));
	CHECK(t.key_retention == KR_FROM_ISSUANCE && t.key_retention_days == 1);
	/* what a record says beyond the words keeps nothing */
	json_object_object_add(t.rec, "key_retention",
	    json_object_new_string("maybe"));
	CHECK(template_key_retention(t.rec, &days) == KR_NONE && days == 0);
	template_view_clear(&t);
	db_abort(txn);
	na = 1000000;
	CHECK(key_retention_until(KR_NONE, 0, 10, na) == -1);
	CHECK(key_retention_until(KR_INDEFINITE, 0, 10, na) == 0);
	CHECK(key_retention_until(KR_AFTER_EXPIRATION, 2, 10, na) ==
	    na + 2 * 86400);
	CHECK(key_retention_until(KR_FROM_ISSUANCE, 2, 10, na) == 10 + 2 * 86400);
	CHECK(key_retention_parse("FROM-ISSUANCE") == KR_FROM_ISSUANCE);
	CHECK(key_retention_parse(NULL) == -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_template_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
