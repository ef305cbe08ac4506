/*
 * certenroll_db.c - the database itself: migrate PostgreSQL's schema,
 * digest the state, copy it from one backend to another.
 */
#include <stdio.h>
#include <string.h>

#include "certenroll.h"
#include "config.h"
#include "dbcopy.h"

/* "lmdb:DIR" or a postgresql:// URI, opened; NULL after a message. */
static struct ce_db *
open_spec(const char *spec, const char *datadir)
{
	struct ce_error err;
	struct ce_db *db = NULL;
	enum ce_err rc;

	ce_error_clear(&err);
	if (strncmp(spec, "lmdb:", 5) == 0 && spec[5] != '\0')
		rc = db_open_url(spec + 5, "lmdb", &db, &err);
	else if (db_is_postgresql(spec))
		rc = db_open_url(datadir, spec, &db, &err);
	else {
		fprintf(stderr, "certenroll: '%s': lmdb:DIR or a postgresql:// "
		    "URI\n", strncmp(spec, "postgres", 8) == 0 ? "(a URI)" : spec);
		return NULL;
	}
	if (rc != CE_OK) {
		tool_fail(&err);
		return NULL;
	}
	return db;
}

static int
print_digest(struct ce_db *db)
{
	struct db_table_digest d[DB_NTABLES];
	struct ce_error err;
	int t, i;

	ce_error_clear(&err);
	if (db_digest(db, d, &err) != CE_OK)
		return tool_fail(&err);
	for (t = 0; t < DB_NTABLES; t++) {
		printf("%s\t%llu\t", d[t].table, (unsigned long long)d[t].count);
		for (i = 0; i < 32; i++)
			printf("%02x", d[t].sha256[i]);
		printf("\n");
	}
	return 0;
}

static int
migrate(struct cmdline *c)
{
	struct ce_error err;
	struct ce_db *db = tool_db(c);
	int from, to, rc = 0;

	ce_error_clear(&err);
	if (db_migrate(db, &from, &to, &err) != CE_OK)
		rc = tool_fail(&err);
	else if (strcmp(db_backend(db), "lmdb") == 0)
		printf("LMDB needs no migration\n");
	else if (from == to)
		printf("schema version %d: up to date\n", to);
	else
		printf("schema version %d -> %d\n", from, to);
	db_close(db);
	return rc;
}

static int
copy(struct cmdline *c)
{
	const char *from = opt_get(c, "from"), *to = opt_get(c, "to");
	struct ce_db *src = NULL, *dst = NULL;
	struct ce_error err;
	uint64_t n = 0;
	int a, b, rc = 1;

	ce_error_clear(&err);
	if (from == NULL || to == NULL) {
		fprintf(stderr, "usage: certenroll db copy --from SPEC --to SPEC\n");
		return 2;
	}
	if ((src = open_spec(from, c->datadir)) == NULL ||
	    (dst = open_spec(to, c->datadir)) == NULL)
		goto out;
	if (db_migrate(dst, &a, &b, &err) != CE_OK ||
	    db_copy(src, dst, &n, &err) != CE_OK) {
		rc = tool_fail(&err);
		goto out;
	}
	printf("copied %llu records; every table's count and digest agree\n",
	    (unsigned long long)n);
	rc = print_digest(dst);
out:
	db_close(src);
	db_close(dst);
	return rc;
}

int
cmd_db(struct cmdline *c)
{
	static const char *const allowed[] = { "from", "to", "database", NULL };
	const char *spec;
	struct ce_db *db;
	int rc;

	if (c->nargs != 1 || opt_check(c, allowed) != 0)
		goto usage;
	if (strcmp(c->args[0], "migrate") == 0)
		return migrate(c);
	if (strcmp(c->args[0], "copy") == 0)
		return copy(c);
	if (strcmp(c->args[0], "digest") == 0) {
		if ((spec = opt_get(c, "database")) == NULL)
			db = tool_db(c);
		else if ((db = open_spec(spec, c->datadir)) == NULL)
			return 1;
		rc = print_digest(db);
		db_close(db);
		return rc;
	}
usage:
	fprintf(stderr, "usage: certenroll db migrate | db digest [--database "
	    "SPEC] | db copy --from SPEC --to SPEC\n"
	    "  SPEC: lmdb:DIR or postgresql://...\n");
	return 2;
}
