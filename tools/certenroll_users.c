/* certenroll_users.c - roles with claims, users with roles. */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "certenroll.h"

/* Stores {"<field>": [values]} under name in table t. */
static int
put_list(struct cmdline *c, enum db_table t, const char *field,
    const char **vals, int n)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct ce_db *db = tool_db(c);
	json_object *rec = json_object_new_object(), *arr = json_object_new_array();
	int i, rc = 0;

	ce_error_clear(&err);
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(vals[i]));
	json_object_object_add(rec, field, arr);
	if (db_begin(db, 1, &txn, &err) != CE_OK ||
	    db_put(txn, t, c->args[1], rec, &err) != CE_OK ||
	    db_commit(txn, &err) != CE_OK)
		rc = tool_fail(&err);
	else
		txn = NULL;
	if (rc != 0)
		db_abort(txn);
	json_object_put(rec);
	db_close(db);
	return rc;
}

int
cmd_role(struct cmdline *c)
{
	static const char *const allowed[] = { "claim", NULL };
	const char *claims[32];
	int i, n;

	if (c->nargs != 2 || strcmp(c->args[0], "add") != 0 ||
	    opt_check(c, allowed) != 0) {
		fprintf(stderr, "usage: certenroll role add NAME --claim CLAIM...\n");
		return 2;
	}
	n = opt_all(c, "claim", claims, 32);
	for (i = 0; i < n; i++)
		if (!auth_claim_valid(claims[i])) {
			fprintf(stderr, "certenroll: '%s' is not a known claim\n",
			    claims[i]);
			return 1;
		}
	return put_list(c, T_ROLES, "claims", claims, n);
}

int
cmd_user(struct cmdline *c)
{
	static const char *const allowed[] = { "role", NULL };
	const char *roles[32];

	if (c->nargs != 2 || strcmp(c->args[0], "add") != 0 ||
	    opt_check(c, allowed) != 0) {
		fprintf(stderr, "usage: certenroll user add NAME --role ROLE...\n");
		return 2;
	}
	return put_list(c, T_USERS, "roles", roles, opt_all(c, "role", roles, 32));
}
