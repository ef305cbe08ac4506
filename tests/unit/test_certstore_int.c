/*
 * test_certstore_int.c - certstore_int: what certstore.c checks for the
 * store types behind it.  A store folder that is missing, a file, or (not
 * as root) closed to us; a store file read whole within a limit, or
 * refused as missing, a folder, or too large; inventory items with their
 * thumbprint and an alias cut to size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "certstore_int.h"
#include "fileutil.h"
#include "kit.h"
#include "pemutil.h"
#include "testcert.h"

static void
test_dir_check(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	char path[128];

	E(certstore_dir_check(k->dir, 0, &err));
	E(certstore_dir_check(k->dir, 1, &err));
	snprintf(path, sizeof(path), "%s/none", k->dir);
	EFAIL(certstore_dir_check(path, 1, &err), CE_NOTFOUND, "does not exist");
	snprintf(path, sizeof(path), "%s/dek.key/sub", k->dir);
	EFAIL(certstore_dir_check(path, 0, &err), CE_NOTFOUND, "does not exist");
	snprintf(path, sizeof(path), "%s/dek.key", k->dir);
	EFAIL(certstore_dir_check(path, 0, &err), CE_INVAL, "is not a folder");
	if (geteuid() == 0)
		return;		/* access() grants root everything */
	snprintf(path, sizeof(path), "%s/ro", k->dir);
	CHECK(mkdir(path, 0500) == 0);
	E(certstore_dir_check(path, 0, &err));
	EFAIL(certstore_dir_check(path, 1, &err), CE_DENIED,
	    "no permission to write to store folder");
}

static void
test_read(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_buf out = { NULL, 0 };
	char path[128];

	snprintf(path, sizeof(path), "%s/store.p12", k->dir);
	E(file_write_atomic(path, "0123456789", 10, 0600, &err));
	E(certstore_read(path, 10, &out, &err));
	CHECK(out.len == 10 && memcmp(out.data, "0123456789", 10) == 0);
	buf_free(&out);
	EFAIL(certstore_read(path, 9, &out, &err), CE_INVAL,
	    "is larger than 9 bytes");
	CHECK(out.data == NULL && out.len == 0);
	E(file_write_atomic(path, "", 0, 0600, &err));
	E(certstore_read(path, 10, &out, &err));
	CHECK(out.len == 0);
	buf_free(&out);
	EFAIL(certstore_read(k->dir, 10, &out, &err), CE_INVAL, "is not a file");
	snprintf(path, sizeof(path), "%s/none.p12", k->dir);
	EFAIL(certstore_read(path, 10, &out, &err), CE_NOTFOUND,
	    "does not exist");
}

static void
test_items(void **state)
{
	struct tc_pki pki;
	struct ce_error err;
	struct certstore_item *items = NULL;
	char alias[200], tp[41];
	size_t n = 0;

	(void)state;
	tc_pki_new(&pki);
	E(certstore_items_add(&items, &n, "web", pki.leaf, 1, &err));
	memset(alias, 'a', sizeof(alias) - 1);
	alias[sizeof(alias) - 1] = '\0';
	E(certstore_items_add(&items, &n, alias, pki.inter, 0, &err));
	CHECK(n == 2);
	CHECK(x509_thumbprint(pki.leaf, tp, sizeof(tp)) == CE_OK);
	CHECK(strcmp(items[0].alias, "web") == 0 && items[0].has_key == 1 &&
	    strcmp(items[0].thumbprint, tp) == 0);
	CHECK(strlen(items[1].alias) == CERTSTORE_ALIAS_MAX &&
	    items[1].has_key == 0);
	free(items);
	tc_pki_free(&pki);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_dir_check),
		KIT_TEST(test_read),
		cmocka_unit_test(test_items),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
