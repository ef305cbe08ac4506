/*
 * fuzz_record - stored records read back: the record text as db_get()
 * parses it (db_lmdb.c), then ca_from_record() (a CA record: id, name,
 * cert PEM, chain of PEMs) and cert_from_record() (a certificate record,
 * whose "der" is base64).  The certificate it yields then goes where the read
 * endpoints take it: key_spec_of(), time_from_asn1() on its validity,
 * x500_format() on its names and san_describe() on its SANs.
 */
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "certdb.h"
#include "fuzz.h"
#include "keys.h"
#include "san.h"
#include "timeutil.h"
#include "x500.h"

/* What certview and renewal read from a certificate. */
static void
view(X509 *x)
{
	GENERAL_NAMES *gens;
	struct key_spec spec;
	static char buf[65536];
	time_t t;
	EVP_PKEY *pk;
	int i;

	if ((pk = X509_get0_pubkey(x)) != NULL)
		(void)key_spec_of(pk, &spec);
	(void)time_from_asn1(X509_get0_notBefore(x), &t);
	(void)time_from_asn1(X509_get0_notAfter(x), &t);
	free(x500_format(X509_get_subject_name(x)));
	free(x500_format(X509_get_issuer_name(x)));
	(void)x500_common_name(X509_get_subject_name(x), buf, sizeof(buf));
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++)
		if (san_describe(sk_GENERAL_NAME_value(gens, i), buf,
		    sizeof(buf)) == -1)
			FUZZ_CHECK(buf[0] == '\0', "-1 with text '%s'", buf);
	GENERAL_NAMES_free(gens);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ce_error err;
	struct ca *ca = NULL;
	struct cert c;
	json_object *rec;
	X509 *x;
	int i;

	if ((rec = fuzz_json_record(data, size)) == NULL)
		return 0;
	ce_error_clear(&err);
	if (ca_from_record(rec, &ca, &err) == CE_OK) {
		FUZZ_CHECK(ca != NULL && ca->id > 0 && ca->cert != NULL &&
		    ca->chain != NULL, "CE_OK with an incomplete CA");
		FUZZ_CHECK(memchr(ca->name, '\0', sizeof(ca->name)) != NULL,
		    "name unterminated");
		view(ca->cert);
		for (i = 0; i < sk_X509_num(ca->chain); i++)
			view(sk_X509_value(ca->chain, i));
	} else
		FUZZ_CHECK(ca == NULL, "*out set on failure");
	ca_free(ca);
	cert_from_record(rec, &c);
	if ((x = cert_x509(&c)) != NULL)
		view(x);
	X509_free(x);
	cert_clear(&c);
	json_object_put(rec);
	ERR_clear_error();
	return 0;
}
