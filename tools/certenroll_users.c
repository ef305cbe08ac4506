/* certenroll_users.c - roles with claims, users with roles. */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "certenroll.h"

/* Sets the role or user c->args[1] (set: auth_role_set, auth_user_set). */
static int
put_list(struct cmdline *c, enum ce_err (*set)(struct ce_db *, const char *,
    const char *const *, int, struct ce_error *), const char **vals, int n)
{
	struct ce_error err;
	struct ce_db *db = tool_db(c);
	int rc = 0;

	ce_error_clear(&err);
	if (set(db, c->args[1], vals, n, &err) != CE_OK)
		rc = tool_fail(&err);
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
	return put_list(c, auth_role_set, claims, n);
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
	return put_list(c, auth_user_set, roles, opt_all(c, "role", roles, 32));
}
