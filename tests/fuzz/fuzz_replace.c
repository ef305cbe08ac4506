/*
 * fuzz_replace - POST /Enrollment/PFX/Replace bodies: the body as http.c
 * parses it and replace_fields into struct replace_req (everything
 * replace_pfx() does next needs the database).
 */
#include "deploy.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replace_req req;
	struct ce_error err;
	json_object *body;

	if ((body = fuzz_json_body(data, size)) == NULL)
		return 0;
	memset(&req, 0, sizeof(req));
	ce_error_clear(&err);
	if (fields_parse(replace_fields, replace_nfields, body, &req, &err) ==
	    CE_OK)
		fuzz_fields_check(replace_fields, replace_nfields, body, &req);
	else
		FUZZ_CHECK(err.code == CE_INVAL && err.msg[0] != '\0', "%d",
		    (int)err.code);
	json_object_put(body);
	return 0;
}
