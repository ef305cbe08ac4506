/*
 * test_enroll_impl.c - enroll_impl: the lib-internal half of enrollment
 * that enroll_pfx(), approval and renewal share.  Generated passwords
 * (length, alphabet without look-alikes, every letter used, no two the
 * same) and enroll_validate() filling and clearing the validated work.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "enroll_impl.h"
#include "kit.h"

#define ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

static void
test_password(void **state)
{
	struct ce_error err;
	char pw[64][PASSWORD_MAX], seen[256];
	size_t i, j, n;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 64; i++) {
		n = 1 + i * 2;
		E(password_generate(pw[i], n, &err));
		CHECK(strlen(pw[i]) == n);
		for (j = 0; j < n; j++) {
			if (strchr(ALPHABET, pw[i][j]) == NULL)
				fail_msg("'%c' in %s", pw[i][j], pw[i]);
			seen[(unsigned char)pw[i][j]] = 1;
		}
		for (j = 0; j < i; j++)
			CHECK(i < 8 || strncmp(pw[i], pw[j], 16) != 0);
	}
	/* 4000 characters: each of the 57 comes up */
	for (i = 0; i < strlen(ALPHABET); i++)
		if (!seen[(unsigned char)ALPHABET[i]])
			fail_msg("'%c' never generated", ALPHABET[i]);
	E(password_generate(pw[0], 0, &err));
	CHECK(pw[0][0] == '\0');
}

/* What enroll_validate() resolves, and enroll_work_clear() forgets. */
static void
test_validate(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct enroll_req req;
	struct enroll_ctx ctx = { "alice", 1, FMT_PEM, NULL, 0 };
	struct enroll_work w;
	json_object *body;

	kit_ca(k, "host\\RootCA", "ECC-P-256", 3650, NULL);
	kit_template(k, "{\"name\":\"WebServer\",\"keys\":[\"ECC-P-384\"]}");
	body = kit_json("{\"Subject\":\"CN=www.example.com\",\"Template\":"
	    "\"webserver\",\"KeyType\":\"ECC\",\"KeyLength\":384,"
	    "\"ChainOrder\":\"RootFirst\",\"IncludeChain\":true,"
	    "\"Timestamp\":\"2026-01-01T00:00:00Z\",\"Password\":\"long enough pw\"}");
	memset(&req, 0, sizeof(req));
	E(fields_parse(enroll_fields, enroll_nfields, body, &req, &err));
	ctx.body = body;
	E(enroll_validate(k->db, &ctx, &req, &w, &err));
	CHECK(strcmp(w.pol.template_name, "WebServer") == 0);
	CHECK(w.spec.type == KEY_ECC && w.spec.bits == 384);
	CHECK(strcmp(w.cn, "www.example.com") == 0);
	CHECK(strcmp(w.password, "long enough pw") == 0 && !w.password_generated);
	CHECK(w.order == CHAIN_ROOT_FIRST && w.include_chain);
	enroll_work_clear(&w);
	CHECK(w.subject == NULL && w.pol.tmpl == NULL && w.password[0] == '\0');
	/* a refusal leaves nothing to clear */
	json_object_object_add(body, "KeyLength", json_object_new_int(256));
	memset(&req, 0, sizeof(req));
	E(fields_parse(enroll_fields, enroll_nfields, body, &req, &err));
	EFAIL(enroll_validate(k->db, &ctx, &req, &w, &err), CE_INVAL,
	    "KeyType: ECC-P-256 is not allowed");
	CHECK(w.subject == NULL && w.pol.tmpl == NULL);
	json_object_put(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password),
		KIT_TEST(test_validate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
