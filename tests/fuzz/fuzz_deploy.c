/*
 * fuzz_deploy - POST /Enrollment/PFX/Deploy bodies: the body as http.c
 * parses it, deploy_fields into struct deploy_req, then the store list as
 * deploy_pfx() reads it with deploy_plan_parse() (Stores, or the obsolete
 * StoreIds + StoreTypes).
 */
#include <ctype.h>

#include <openssl/err.h>

#include "deploy.h"
#include "fuzz.h"
#include "stores.h"

/* What a parsed plan promises: 1..64 targets, lower-case GUIDs, aliases
 * only when has_alias. */
static void
check_plan(const struct deploy_plan *p)
{
	size_t i, k;

	FUZZ_CHECK(p->n >= 1 && p->n <= DEPLOY_MAX_TARGETS, "%zu targets", p->n);
	for (i = 0; i < p->n; i++) {
		FUZZ_CHECK(guid_valid(p->t[i].id), "target %zu '%s'", i, p->t[i].id);
		for (k = 0; p->t[i].id[k] != '\0'; k++)
			FUZZ_CHECK(!isupper((unsigned char)p->t[i].id[k]),
			    "target %zu '%s' not normalised", i, p->t[i].id);
		FUZZ_CHECK(p->t[i].has_alias || p->t[i].alias[0] == '\0',
		    "target %zu alias without has_alias", i);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct deploy_req req;
	struct deploy_plan plan;
	struct ce_error err;
	json_object *body;

	if ((body = fuzz_json_body(data, size)) == NULL)
		return 0;
	memset(&req, 0, sizeof(req));
	ce_error_clear(&err);
	if (fields_parse(deploy_fields, deploy_nfields, body, &req, &err) ==
	    CE_OK) {
		fuzz_fields_check(deploy_fields, deploy_nfields, body, &req);
		memset(&plan, 0, sizeof(plan));
		if (deploy_plan_parse(req.stores.set ? req.stores.v : NULL,
		    req.store_ids.set ? req.store_ids.v : NULL,
		    req.store_types.set ? req.store_types.v : NULL, 1, &plan,
		    &err) == CE_OK)
			check_plan(&plan);
	} else
		FUZZ_CHECK(err.code == CE_INVAL && err.msg[0] != '\0', "%d",
		    (int)err.code);
	json_object_put(body);
	ERR_clear_error();
	return 0;
}
