/*
 * fuzz_san - the request's SANs object: the body as http.c parses it, then
 * san_parse() on it (as fields_parse() hands it over: an object or null).
 * Every name it accepts must encode as DER (it goes into a certificate)
 * and be describable by san_describe() (the API shows it back); a
 * directory name's description must parse again as a subject.
 */
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "fuzz.h"
#include "san.h"
#include "x500.h"

static void
check_names(GENERAL_NAMES *gens)
{
	struct ce_error err;
	const GENERAL_NAME *gn;
	X509_NAME *dn;
	unsigned char *d = NULL;
	static char buf[65536];
	int i, type;

	FUZZ_CHECK(i2d_GENERAL_NAMES(gens, &d) > 0 ||
	    sk_GENERAL_NAME_num(gens) == 0, "i2d_GENERAL_NAMES");
	OPENSSL_free(d);
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		gn = sk_GENERAL_NAME_value(gens, i);
		type = san_describe(gn, buf, sizeof(buf));
		FUZZ_CHECK(type >= 0 && buf[0] != '\0',
		    "name %d (GEN type %d) cannot be described", i, gn->type);
		if (gn->type == GEN_DIRNAME) {
			dn = NULL;
			FUZZ_CHECK(x500_parse(buf, &dn, &err) == CE_OK,
			    "directory name '%s' does not parse again: %s", buf,
			    err.msg);
			X509_NAME_free(dn);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ce_error err;
	GENERAL_NAMES *gens = NULL;
	json_object *sans;

	sans = fuzz_json_body(data, size);
	if (sans != NULL && !json_object_is_type(sans, json_type_object))
		goto out;
	ce_error_clear(&err);
	if (san_parse(sans, &gens, &err) == CE_OK) {
		FUZZ_CHECK(gens != NULL, "CE_OK without a list");
		check_names(gens);
	} else
		FUZZ_CHECK(err.code != CE_OK && err.msg[0] != '\0', "no message");
out:
	GENERAL_NAMES_free(gens);
	json_object_put(sans);
	ERR_clear_error();
	return 0;
}
