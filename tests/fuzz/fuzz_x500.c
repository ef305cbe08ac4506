/*
 * fuzz_x500 - X.500 subject strings (the request's Subject, SANs'
 * directory names): x500_parse(), and for every name it accepts the round
 * trip through x500_format(): the text must parse again into the same DER,
 * and format the same way again.  x500_common_name() must find room in
 * X500_CN_BUFSZ bytes (what its callers give it) for any CN the parser lets
 * through: 64 characters of up to 4 bytes each.
 */
#include <openssl/err.h>
#include <openssl/x509.h>

#include "fuzz.h"
#include "x500.h"

/* DER of a name (caller frees with OPENSSL_free). */
static int
der(const X509_NAME *name, unsigned char **out)
{
	int n;

	*out = NULL;
	n = i2d_X509_NAME(name, out);
	FUZZ_CHECK(n > 0, "i2d_X509_NAME of a parsed name");
	return n;
}

static void
round_trip(const char *s, X509_NAME *name)
{
	struct ce_error err;
	X509_NAME *again = NULL;
	unsigned char *d1, *d2;
	char cn[X500_CN_BUFSZ], *f1, *f2;
	int n1, n2;

	FUZZ_CHECK(x500_common_name(name, cn, sizeof(cn)) == CE_OK,
	    "CN of '%s'", s);
	f1 = x500_format(name);
	FUZZ_CHECK(f1 != NULL, "x500_format of '%s'", s);
	ce_error_clear(&err);
	FUZZ_CHECK(x500_parse(f1, &again, &err) == CE_OK,
	    "'%s' formats as '%s', which does not parse: %s", s, f1, err.msg);
	n1 = der(name, &d1);
	n2 = der(again, &d2);
	FUZZ_CHECK(n1 == n2 && memcmp(d1, d2, (size_t)n1) == 0,
	    "'%s' formats as '%s', which parses into another name", s, f1);
	f2 = x500_format(again);
	FUZZ_CHECK(f2 != NULL && strcmp(f1, f2) == 0,
	    "'%s' formats as '%s', then as '%s'", s, f1, f2 ? f2 : "(null)");
	free(f2);
	OPENSSL_free(d2);
	OPENSSL_free(d1);
	X509_NAME_free(again);
	free(f1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ce_error err;
	X509_NAME *name = (X509_NAME *)1;
	char *s;

	s = fuzz_cstr(data, size);
	ce_error_clear(&err);
	if (x500_parse(s, &name, &err) == CE_OK) {
		FUZZ_CHECK(name != NULL, "CE_OK without a name");
		round_trip(s, name);
	} else {
		FUZZ_CHECK(name == NULL, "*out not NULL on failure");
		FUZZ_CHECK(err.code != CE_OK && err.msg[0] != '\0', "no message");
	}
	X509_NAME_free(name);
	free(s);
	ERR_clear_error();
	return 0;
}
