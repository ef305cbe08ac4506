/*
 * db_pg_schema.c - PostgreSQL's migrations (lib/records/pg/NNN_name.sql), built
 * into the programs so that `certenroll db migrate` needs no file beside
 * them.  A migration is never edited once released: a change is a new one.
 */
#include "db_int.h"

/* The .sql files as NUL-terminated strings in .rodata. */
#define EMBED(sym, file)						\
	__asm__(".section .rodata\n"					\
	    ".balign 16\n"						\
	    ".hidden " #sym "\n"					\
	    ".globl " #sym "\n"						\
	    #sym ":\n"							\
	    ".incbin \"" file "\"\n"					\
	    ".byte 0\n"							\
	    ".previous\n");						\
	extern const char sym[]

EMBED(db_pg_sql_001, "lib/records/pg/001_schema.sql");
EMBED(db_pg_sql_002, "lib/records/pg/002_cn_lookup.sql");
EMBED(db_pg_sql_003, "lib/records/pg/003_revocation.sql");
EMBED(db_pg_sql_004, "lib/records/pg/004_delta_crls.sql");
EMBED(db_pg_sql_005, "lib/records/pg/005_retained_keys.sql");
EMBED(db_pg_sql_006, "lib/records/pg/006_user_ids.sql");

const struct db_pg_migration db_pg_migrations[] = {
	{ 1, "schema", db_pg_sql_001 },
	{ 2, "cn_lookup", db_pg_sql_002 },
	{ 3, "revocation", db_pg_sql_003 },
	{ 4, "delta_crls", db_pg_sql_004 },
	{ 5, "retained_keys", db_pg_sql_005 },
	{ 6, "user_ids", db_pg_sql_006 },
};
const int db_pg_nmigrations = sizeof(db_pg_migrations) /
    sizeof(db_pg_migrations[0]);
