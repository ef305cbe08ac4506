/*
 * test_seal.c - seal: private data at rest under the data folder's DEK.
 * A round trip gives the plaintext back; another record name (the
 * associated data), any changed byte, a shorter or longer blob, another
 * folder's key all fail; a key file that is a symlink, short, or readable
 * by others is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "kit.h"
#include "seal.h"

#define AAD	"staging:7:alice"
#define PT	"-----BEGIN PRIVATE KEY-----\nnot really\n"
#define HDR	(3 + 12)	/* "CE1", nonce */
#define TAG	16

/* The generic message the client gets: no detail of the failure. */
#define FAULT	"An internal error occurred (crypto)."

static void
sealed(struct kit *k, const char *aad, const char *pt, size_t len,
    struct ce_buf *out)
{
	struct ce_error err;

	E(seal(k->dir, aad, (const unsigned char *)pt, len, out, &err));
}

static void
test_round_trip(void **state)
{
	struct kit *k = *state;
	struct ce_buf a = { NULL, 0 }, b = { NULL, 0 }, pt = { NULL, 0 };
	struct ce_error err;

	sealed(k, AAD, PT, strlen(PT), &a);
	CHECK(a.len == HDR + strlen(PT) + TAG);
	CHECK(memcmp(a.data, "CE1", 3) == 0);
	/* the ciphertext is not the plaintext */
	CHECK(memmem(a.data, a.len, "PRIVATE KEY", 11) == NULL);
	E(unseal(k->dir, AAD, a.data, a.len, &pt, &err));
	CHECK(pt.len == strlen(PT) && memcmp(pt.data, PT, pt.len) == 0);
	CHECK(pt.data[pt.len] == '\0');
	buf_free(&pt);
	/* a fresh nonce each time: the same plaintext seals differently */
	sealed(k, AAD, PT, strlen(PT), &b);
	CHECK(b.len == a.len && memcmp(a.data + 3, b.data + 3, 12) != 0 &&
	    memcmp(a.data + HDR, b.data + HDR, a.len - HDR) != 0);
	buf_free(&a);
	buf_free(&b);
	/* nothing is something too */
	sealed(k, AAD, "", 0, &a);
	CHECK(a.len == HDR + TAG);
	E(unseal(k->dir, AAD, a.data, a.len, &pt, &err));
	CHECK(pt.len == 0 && pt.data != NULL && pt.data[0] == '\0');
	buf_free(&pt);
	buf_free(&a);
}

/* Bound to its record: another name, or a name that only starts the same,
 * does not open it. */
static void
test_wrong_aad(void **state)
{
	static const char *const others[] = { "staging:7:bob", "staging:70:alice",
	    "staging:7:alice ", "staging:7:alicf", "staging:7:", "Staging:7:alice",
	    "" };
	struct kit *k = *state;
	struct ce_buf a = { NULL, 0 }, pt = { NULL, 0 };
	struct ce_error err;
	size_t i;

	sealed(k, AAD, PT, strlen(PT), &a);
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		EFAIL(unseal(k->dir, others[i], a.data, a.len, &pt, &err),
		    CE_CRYPTO, FAULT);
		CHECK(pt.data == NULL && pt.len == 0);
	}
	buf_free(&a);
}

/* Every bit of magic, nonce, ciphertext and tag counts. */
static void
test_tampered(void **state)
{
	struct kit *k = *state;
	struct ce_buf a = { NULL, 0 }, pt = { NULL, 0 };
	struct ce_error err;
	size_t i;
	int bit;

	sealed(k, AAD, PT, strlen(PT), &a);
	for (i = 0; i < a.len; i++)
		for (bit = 0; bit < 8; bit += 7) {
			a.data[i] ^= (unsigned char)(1 << bit);
			ce_error_clear(&err);
			if (unseal(k->dir, AAD, a.data, a.len, &pt, &err) !=
			    CE_CRYPTO || pt.data != NULL)
				fail_msg("byte %zu bit %d changed: opened", i, bit);
			CHECK(strcmp(err.msg, FAULT) == 0);
			a.data[i] ^= (unsigned char)(1 << bit);
		}
	/* restored, it opens */
	E(unseal(k->dir, AAD, a.data, a.len, &pt, &err));
	buf_free(&pt);
	buf_free(&a);
}

/* Any shorter blob (down to nothing) and a longer one fail. */
static void
test_truncated(void **state)
{
	struct kit *k = *state;
	struct ce_buf a = { NULL, 0 }, pt = { NULL, 0 };
	struct ce_error err;
	unsigned char *longer;
	size_t n;

	sealed(k, AAD, PT, strlen(PT), &a);
	for (n = 0; n < a.len; n++) {
		ce_error_clear(&err);
		if (unseal(k->dir, AAD, a.data, n, &pt, &err) != CE_CRYPTO ||
		    pt.data != NULL)
			fail_msg("cut to %zu of %zu bytes: opened", n, a.len);
	}
	CHECK((longer = malloc(a.len + 1)) != NULL);
	memcpy(longer, a.data, a.len);
	longer[a.len] = 0;
	EFAIL(unseal(k->dir, AAD, longer, a.len + 1, &pt, &err), CE_CRYPTO,
	    FAULT);
	free(longer);
	buf_free(&a);
}

/* Each folder has its own key; the key file is made once. */
static void
test_other_folder(void **state)
{
	struct kit *k = *state, k2;
	struct ce_buf a = { NULL, 0 }, pt = { NULL, 0 };
	struct ce_error err;
	unsigned char before[32], after[32];
	char path[128];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/dek.key", k->dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 &&
	    st.st_size == 32);
	CHECK((fd = open(path, O_RDONLY)) != -1 &&
	    read(fd, before, 32) == 32 && close(fd) == 0);
	E(seal_key_create(k->dir, &err));
	CHECK((fd = open(path, O_RDONLY)) != -1 &&
	    read(fd, after, 32) == 32 && close(fd) == 0);
	CHECK(memcmp(before, after, 32) == 0);

	kit_open(&k2);
	sealed(k, AAD, PT, strlen(PT), &a);
	EFAIL(unseal(k2.dir, AAD, a.data, a.len, &pt, &err), CE_CRYPTO, FAULT);
	/* and back: the first folder's key again */
	E(unseal(k->dir, AAD, a.data, a.len, &pt, &err));
	buf_free(&pt);
	buf_free(&a);
	kit_close(&k2);
}

/* A folder whose key file is as set by change(): sealing fails. */
static void
refused_key(void (*change)(const char *path, const char *other))
{
	struct kit k1, k2;
	struct ce_buf a = { NULL, 0 };
	struct ce_error err;
	char path[128], other[128];

	kit_open(&k1);
	kit_open(&k2);
	snprintf(path, sizeof(path), "%s/dek.key", k2.dir);
	snprintf(other, sizeof(other), "%s/dek.key", k1.dir);
	change(path, other);
	EFAIL(seal(k2.dir, AAD, (const unsigned char *)PT, strlen(PT), &a,
	    &err), CE_SYSTEM, "An internal error occurred (system).");
	CHECK(a.data == NULL);
	kit_close(&k2);
	kit_close(&k1);
}

static void
group_readable(const char *path, const char *other)
{
	(void)other;
	CHECK(chmod(path, 0640) == 0);
}

static void
other_writable(const char *path, const char *other)
{
	(void)other;
	CHECK(chmod(path, 0602) == 0);
}

static void
symlinked(const char *path, const char *other)
{
	CHECK(unlink(path) == 0 && symlink(other, path) == 0);
}

static void
short_key(const char *path, const char *other)
{
	(void)other;
	CHECK(truncate(path, 16) == 0);
}

static void
missing(const char *path, const char *other)
{
	(void)other;
	CHECK(unlink(path) == 0);
}

static void
test_key_file(void **state)
{
	(void)state;
	refused_key(group_readable);
	refused_key(other_writable);
	refused_key(symlinked);
	refused_key(short_key);
	refused_key(missing);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_round_trip),
		KIT_TEST(test_wrong_aad),
		KIT_TEST(test_tampered),
		KIT_TEST(test_truncated),
		KIT_TEST(test_other_folder),
		cmocka_unit_test(test_key_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
