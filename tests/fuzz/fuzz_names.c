/*
 * fuzz_names - the signer's reading of a forged certificate's names: DER as
 * the signer's socket hands it over (d2i_X509), then names_check_cert()
 * against a regex template and a template with every kind of rule.  Each
 * answer is CE_OK or CE_INVAL with a message of one printable line (it goes
 * into the signer's log and the API's answer).
 */
#include <openssl/x509.h>

#include "fuzz.h"
#include "names.h"
#include "policy.h"

static const char *const templates[] = {
	"{\"name\":\"Restricted\","
	"\"subject_regex\":\"^[a-z0-9.-]+\\\\.example\\\\.com$\"}",
	"{\"name\":\"Rules\",\"names\":{\"san_types\":[\"dns\",\"ip\",\"email\","
	"\"uri\",\"upn\",\"othername\",\"dirname\",\"rid\"],"
	"\"dns_suffixes\":[\"example.com\"],\"dns_regex\":\"^[a-z*][a-z0-9.-]*$\","
	"\"wildcards\":true,\"ip_ranges\":[\"10.0.0.0/8\",\"2001:db8::/32\"]}}",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	struct policy pol;
	struct ce_error err;
	enum ce_err rc;
	X509 *x;
	size_t i, j;

	if ((x = d2i_X509(NULL, &p, (long)size)) == NULL)
		return 0;
	for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
		memset(&pol, 0, sizeof(pol));
		if ((pol.tmpl = json_tokener_parse(templates[i])) == NULL)
			abort();
		ce_error_clear(&err);
		rc = names_check_cert(&pol, x, &err);
		FUZZ_CHECK(rc == CE_OK || rc == CE_INVAL, "code %d: %s", rc,
		    err.msg);
		for (j = 0; rc != CE_OK && err.msg[j] != '\0'; j++)
			FUZZ_CHECK((unsigned char)err.msg[j] >= 0x20 &&
			    (unsigned char)err.msg[j] < 0x7f, "byte %zu of '%s'",
			    j, err.msg);
		FUZZ_CHECK(rc == CE_OK || err.msg[0] != '\0', "no message");
		json_object_put(pol.tmpl);
	}
	X509_free(x);
	return 0;
}
