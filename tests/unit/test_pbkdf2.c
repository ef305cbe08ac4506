/* test_pbkdf2.c - pbkdf2_sha256 gives RFC 7914's PBKDF2-HMAC-SHA256
 * vectors and the same bytes as OpenSSL's PKCS5_PBKDF2_HMAC for passwords
 * shorter than, as long as and longer than a SHA-256 block. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "pbkdf2.h"

static void
test_rfc7914(void **state)
{
	/* RFC 7914 section 11: PBKDF2-HMAC-SHA256, dkLen 64 */
	static const unsigned char v1[64] = {
		0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91,
		0xc2, 0x25, 0x44, 0xb6, 0x05, 0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde,
		0x04, 0x65, 0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc, 0x49,
		0xca, 0x9c, 0xcc, 0xf1, 0x79, 0xb6, 0x45, 0x99, 0x16, 0x64, 0xb3,
		0x9d, 0x77, 0xef, 0x31, 0x7c, 0x71, 0xb8, 0x45, 0xb1, 0xe3, 0x0b,
		0xd5, 0x09, 0x11, 0x20, 0x41, 0xd3, 0xa1, 0x97, 0x83,
	};
	static const unsigned char v2[64] = {
		0x4d, 0xdc, 0xd8, 0xf6, 0x0b, 0x98, 0xbe, 0x21, 0x83, 0x0c, 0xee,
		0x5e, 0xf2, 0x27, 0x01, 0xf9, 0x64, 0x1a, 0x44, 0x18, 0xd0, 0x4c,
		0x04, 0x14, 0xae, 0xff, 0x08, 0x87, 0x6b, 0x34, 0xab, 0x56, 0xa1,
		0xd4, 0x25, 0xa1, 0x22, 0x58, 0x33, 0x54, 0x9a, 0xdb, 0x84, 0x1b,
		0x51, 0xc9, 0xb3, 0x17, 0x6a, 0x27, 0x2b, 0xde, 0xbb, 0xa1, 0xd0,
		0x78, 0x47, 0x8f, 0x62, 0xb3, 0x97, 0xf3, 0x3c, 0x8d,
	};
	unsigned char out[64];

	(void)state;
	assert_int_equal(pbkdf2_sha256("passwd", 6, "salt", 4, 1, out, 64), 1);
	assert_memory_equal(out, v1, 64);
	assert_int_equal(pbkdf2_sha256("Password", 8, "NaCl", 4, 80000, out,
	    64), 1);
	assert_memory_equal(out, v2, 64);
}

static void
test_same_as_openssl(void **state)
{
	static const size_t passlens[] = { 0, 1, 11, 63, 64, 65, 200 };
	static const size_t outlens[] = { 1, 20, 32, 33, 64, 100 };
	static const unsigned int iters[] = { 1, 2, 2048 };
	unsigned char pass[200], salt[16], a[100], b[100];
	size_t i, j, k;

	(void)state;
	for (i = 0; i < sizeof(pass); i++)
		pass[i] = (unsigned char)(i * 7 + 1);
	memcpy(salt, "0123456789abcdef", sizeof(salt));
	for (i = 0; i < sizeof(passlens) / sizeof(passlens[0]); i++)
		for (j = 0; j < sizeof(outlens) / sizeof(outlens[0]); j++)
			for (k = 0; k < sizeof(iters) / sizeof(iters[0]); k++) {
				assert_int_equal(pbkdf2_sha256(pass, passlens[i],
				    salt, sizeof(salt), iters[k], a, outlens[j]), 1);
				assert_int_equal(PKCS5_PBKDF2_HMAC((char *)pass,
				    (int)passlens[i], salt, sizeof(salt),
				    (int)iters[k], EVP_sha256(), (int)outlens[j],
				    b), 1);
				assert_memory_equal(a, b, outlens[j]);
			}
}

static void
test_zero_iterations(void **state)
{
	unsigned char out[32];

	(void)state;
	assert_int_equal(pbkdf2_sha256("p", 1, "s", 1, 0, out, 32), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7914),
		cmocka_unit_test(test_same_as_openssl),
		cmocka_unit_test(test_zero_iterations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
