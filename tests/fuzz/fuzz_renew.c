/*
 * fuzz_renew - POST /Enrollment/Renew bodies: the body as http.c parses it
 * and renew_fields into struct renew_req (renew_certificate() needs the
 * database from there on).
 */
#include "fuzz.h"
#include "renew.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct renew_req req;
	struct ce_error err;
	json_object *body;

	if ((body = fuzz_json_body(data, size)) == NULL)
		return 0;
	memset(&req, 0, sizeof(req));
	ce_error_clear(&err);
	if (fields_parse(renew_fields, renew_nfields, body, &req, &err) == CE_OK)
		fuzz_fields_check(renew_fields, renew_nfields, body, &req);
	else
		FUZZ_CHECK(err.code == CE_INVAL && err.msg[0] != '\0', "%d",
		    (int)err.code);
	json_object_put(body);
	return 0;
}
