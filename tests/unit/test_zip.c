/*
 * test_zip.c - zip_build(): the archive is read back structure by structure
 * (end record, central directory, local headers), CRCs recomputed with a
 * plain bitwise CRC-32, and the entries' contents checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "output.h"
#include "testcert.h"

#define PASS	"zip-pass"

struct entry {
	char		 name[256];
	const unsigned char *data;
	uint32_t	 len;
	uint16_t	 flags, time, date;
	uint32_t	 mode;
};

static struct tc_pki pki;

static int
setup(void **state)
{
	(void)state;
	tc_pki_new(&pki);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tc_pki_free(&pki);
	return 0;
}

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* CRC-32 bit by bit, independent of the table in lib/pki/output_zip.c. */
static uint32_t
crc_bitwise(const unsigned char *p, size_t len)
{
	uint32_t c = 0xffffffff;
	int k;

	while (len-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & (0u - (c & 1)));
	}
	return ~c;
}

/*
 * Reads the archive the way unzip does: end record, then each central
 * directory header and the local header it points at.  Fills e[] and
 * returns the number of entries.
 */
static size_t
read_zip(const unsigned char *z, size_t len, struct entry *e, size_t max)
{
	const unsigned char *end, *c, *l;
	uint32_t cd_size, cd_off, off, crc, csize, usize;
	uint16_t n, namelen, i;

	assert_true(len >= 22);
	end = z + len - 22;
	assert_int_equal(get32(end), 0x06054b50);
	assert_int_equal(get16(end + 4), 0);
	assert_int_equal(get16(end + 6), 0);
	n = get16(end + 8);
	assert_int_equal(get16(end + 10), n);
	assert_true(n <= max);
	cd_size = get32(end + 12);
	cd_off = get32(end + 16);
	assert_int_equal(get16(end + 20), 0);
	assert_int_equal((size_t)cd_off + cd_size, len - 22);

	c = z + cd_off;
	off = 0;
	for (i = 0; i < n; i++) {
		assert_int_equal(get32(c), 0x02014b50);
		assert_int_equal(get16(c + 4) >> 8, 3);		/* Unix */
		assert_true(get16(c + 6) <= 20);
		e[i].flags = get16(c + 8);
		assert_int_equal(get16(c + 10), 0);		/* stored */
		e[i].time = get16(c + 12);
		e[i].date = get16(c + 14);
		crc = get32(c + 16);
		csize = get32(c + 20);
		usize = get32(c + 24);
		assert_int_equal(csize, usize);
		namelen = get16(c + 28);
		assert_int_equal(get16(c + 30), 0);
		assert_int_equal(get16(c + 32), 0);
		e[i].mode = get32(c + 38) >> 16;
		/* Entries are laid out back to back in directory order. */
		assert_int_equal(get32(c + 42), off);
		assert_true(namelen < sizeof(e[i].name));
		memcpy(e[i].name, c + 46, namelen);
		e[i].name[namelen] = '\0';
		c += 46 + namelen;

		l = z + off;
		assert_int_equal(get32(l), 0x04034b50);
		assert_int_equal(get16(l + 4), get16(c - 46 - namelen + 6));
		assert_int_equal(get16(l + 6), e[i].flags);
		assert_int_equal(get16(l + 8), 0);
		assert_int_equal(get16(l + 10), e[i].time);
		assert_int_equal(get16(l + 12), e[i].date);
		assert_int_equal(get32(l + 14), crc);
		assert_int_equal(get32(l + 18), csize);
		assert_int_equal(get32(l + 22), usize);
		assert_int_equal(get16(l + 26), namelen);
		assert_int_equal(get16(l + 28), 0);
		assert_memory_equal(l + 30, e[i].name, namelen);
		e[i].data = l + 30 + namelen;
		e[i].len = usize;
		assert_int_equal(crc_bitwise(e[i].data, usize), crc);
		off += 30 + namelen + usize;
	}
	assert_int_equal(c - z, (long)cd_off + cd_size);
	assert_int_equal(off, cd_off);
	return n;
}

static void
assert_data(const struct entry *e, const char *want)
{
	assert_int_equal(e->len, strlen(want));
	assert_memory_equal(e->data, want, e->len);
}

static void
assert_key(const struct entry *e, const char *password)
{
	const char *begin = password != NULL ?
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----" :
	    "-----BEGIN PRIVATE KEY-----";
	EVP_PKEY *key;
	BIO *b;

	assert_memory_equal(e->data, begin, strlen(begin));
	b = BIO_new_mem_buf(e->data, (int)e->len);
	assert_non_null(b);
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)password);
	assert_non_null(key);
	assert_int_equal(EVP_PKEY_eq(key, pki.leaf_key), 1);
	EVP_PKEY_free(key);
	BIO_free(b);
}

/* The DOS time stamp is now, give or take a minute. */
static void
assert_now(const struct entry *e)
{
	struct tm tm;
	time_t now = time(NULL), then;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (e->date >> 9) + 80;
	tm.tm_mon = ((e->date >> 5) & 0xf) - 1;
	tm.tm_mday = e->date & 0x1f;
	tm.tm_hour = e->time >> 11;
	tm.tm_min = (e->time >> 5) & 0x3f;
	tm.tm_sec = (e->time & 0x1f) * 2;
	tm.tm_isdst = -1;
	then = mktime(&tm);
	assert_true(then > now - 60 && then <= now + 2);
}

static void
test_with_chain(void **state)
{
	struct ce_buf out;
	struct ce_error err;
	struct entry e[4];
	char *leaf = tc_cert_pem(pki.leaf), *inter = tc_cert_pem(pki.inter);
	char *root = tc_cert_pem(pki.root), *chain;

	(void)state;
	assert_int_equal(zip_build(pki.leaf_key, pki.leaf, pki.chain, PASS,
	    "www.example.com", &out, &err), CE_OK);
	assert_int_equal(read_zip(out.data, out.len, e, 4), 3);
	assert_string_equal(e[0].name, "www.example.com.crt");
	assert_string_equal(e[1].name, "www.example.com.key");
	assert_string_equal(e[2].name, "www.example.com-chain.crt");
	assert_data(&e[0], leaf);
	assert_key(&e[1], PASS);
	chain = calloc(1, strlen(inter) + strlen(root) + 1);
	assert_non_null(chain);
	strcat(strcat(chain, inter), root);
	assert_data(&e[2], chain);
	assert_int_equal(e[0].mode, 0100644);
	assert_int_equal(e[1].mode, 0100600);
	assert_int_equal(e[2].mode, 0100644);
	assert_int_equal(e[0].flags, 0);
	assert_now(&e[0]);
	buf_free(&out);
	free(chain);
	free(root);
	free(inter);
	free(leaf);
}

static void
test_no_chain(void **state)
{
	STACK_OF(X509) *empty = sk_X509_new_null();
	struct ce_buf out;
	struct ce_error err;
	struct entry e[4];

	(void)state;
	assert_non_null(empty);
	assert_int_equal(zip_build(pki.leaf_key, pki.leaf, NULL, NULL, "w",
	    &out, &err), CE_OK);
	assert_int_equal(read_zip(out.data, out.len, e, 4), 2);
	assert_string_equal(e[0].name, "w.crt");
	assert_string_equal(e[1].name, "w.key");
	assert_key(&e[1], NULL);
	buf_free(&out);
	/* An empty chain makes no chain file; "" is no password. */
	assert_int_equal(zip_build(pki.leaf_key, pki.leaf, empty, "", "w",
	    &out, &err), CE_OK);
	assert_int_equal(read_zip(out.data, out.len, e, 4), 2);
	assert_key(&e[1], NULL);
	buf_free(&out);
	sk_X509_free(empty);
}

/* Non-ASCII names are flagged UTF-8 (general purpose bit 11). */
static void
test_utf8_name(void **state)
{
	struct ce_buf out;
	struct ce_error err;
	struct entry e[4];

	(void)state;
	assert_int_equal(zip_build(pki.leaf_key, pki.leaf, pki.chain, PASS,
	    "B\xc3\xbc" "cher", &out, &err), CE_OK);
	assert_int_equal(read_zip(out.data, out.len, e, 4), 3);
	assert_string_equal(e[0].name, "B\xc3\xbc" "cher.crt");
	assert_int_equal(e[0].flags, 0x0800);
	assert_int_equal(e[2].flags, 0x0800);
	buf_free(&out);
}

static void
test_bad_names(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "../x", "a/b", "/etc", "a\\b", "a\nb", "\t",
		"a\x7f",
	};
	char long_name[202];
	struct ce_buf out;
	struct ce_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ce_error_clear(&err);
		assert_int_equal(zip_build(pki.leaf_key, pki.leaf, NULL, NULL,
		    bad[i], &out, &err), CE_INVAL);
		assert_null(out.data);
		assert_int_equal(err.code, CE_INVAL);
	}
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(zip_build(pki.leaf_key, pki.leaf, NULL, NULL,
	    long_name, &out, &err), CE_INVAL);
	long_name[200] = '\0';
	assert_int_equal(zip_build(pki.leaf_key, pki.leaf, NULL, NULL,
	    long_name, &out, &err), CE_OK);
	buf_free(&out);
	/* Dots inside a name are fine. */
	assert_int_equal(zip_build(pki.leaf_key, pki.leaf, NULL, NULL,
	    "a..b", &out, &err), CE_OK);
	buf_free(&out);
	assert_int_equal(zip_build(pki.leaf_key, pki.leaf, NULL, NULL, NULL,
	    &out, NULL), CE_SYSTEM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_with_chain),
		cmocka_unit_test(test_no_chain),
		cmocka_unit_test(test_utf8_name),
		cmocka_unit_test(test_bad_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
