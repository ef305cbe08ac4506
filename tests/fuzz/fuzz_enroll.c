/*
 * fuzz_enroll - POST /Enrollment/PFX bodies: the body as http.c parses it,
 * enroll_fields into struct enroll_req, then every check of
 * enroll_validate() that needs no database (check_options, check_names):
 * the subject and its CN, the SANs, v2 Stores, the key spec.
 */
#include <openssl/err.h>

#include "deploy.h"
#include "enroll.h"
#include "fuzz.h"
#include "keys.h"
#include "san.h"
#include "stores.h"
#include "x500.h"

/* The subject and SANs as check_names() reads them. */
static void
names(const struct enroll_req *req)
{
	struct ce_error err;
	X509_NAME *subject = NULL;
	GENERAL_NAMES *sans = NULL;
	char cn[X500_CN_BUFSZ];

	if (x500_parse(req->subject.set ? req->subject.v : "", &subject,
	    &err) == CE_OK) {
		FUZZ_CHECK(subject != NULL, "x500_parse CE_OK without a name");
		FUZZ_CHECK(x500_common_name(subject, cn, sizeof(cn)) == CE_OK,
		    "no room for the CN of '%s'",
		    req->subject.set ? req->subject.v : "");
	} else
		FUZZ_CHECK(subject == NULL, "x500_parse failed with a name");
	if (san_parse(req->sans.set ? req->sans.v : NULL, &sans, &err) == CE_OK)
		FUZZ_CHECK(sans != NULL, "san_parse CE_OK without a list");
	GENERAL_NAMES_free(sans);
	X509_NAME_free(subject);
}

/* The words and v2 Stores as check_options() reads them. */
static void
options(const struct enroll_req *req)
{
	struct ce_error err;
	struct deploy_plan plan;
	struct key_spec spec;
	size_t i;

	if (req->stores.set && deploy_plan_parse(req->stores.v, NULL, NULL, 0,
	    &plan, &err) == CE_OK) {
		FUZZ_CHECK(plan.n <= DEPLOY_MAX_TARGETS, "%zu targets", plan.n);
		for (i = 0; i < plan.n; i++)
			FUZZ_CHECK(guid_valid(plan.t[i].id), "target %zu", i);
	}
	if (key_spec_from_request(req->key_type.set ? req->key_type.v : NULL,
	    req->key_length.set, (long)req->key_length.v,
	    req->curve.set ? req->curve.v : NULL, &spec, &err) == CE_OK)
		FUZZ_CHECK(spec.type < KEY__MAX, "key type %d", (int)spec.type);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct enroll_req req;
	struct ce_error err;
	json_object *body;

	if ((body = fuzz_json_body(data, size)) == NULL)
		return 0;
	memset(&req, 0, sizeof(req));
	ce_error_clear(&err);
	if (fields_parse(enroll_fields, enroll_nfields, body, &req, &err) ==
	    CE_OK) {
		fuzz_fields_check(enroll_fields, enroll_nfields, body, &req);
		options(&req);
		names(&req);
	} else
		FUZZ_CHECK(err.code == CE_INVAL && err.msg[0] != '\0', "%d",
		    (int)err.code);
	json_object_put(body);
	ERR_clear_error();
	return 0;
}
