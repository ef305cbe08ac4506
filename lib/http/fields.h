/*
 * fields.h - request bodies declared once as a table, validated in one place.
 *
 * Each endpoint lists the JSON fields it accepts: name, type, required or not,
 * and where in its typed struct the value goes.  fields_parse() walks the
 * body with the table: names match case-insensitively (as ASP.NET does),
 * unknown names are ignored, null means absent, and as ASP.NET allows an
 * integer or boolean may arrive as a string ("123", "true").  A wrong type
 * or a missing required field fails with CE_INVAL naming the field.
 * Strings and JSON values are borrowed from the body: they live as long as
 * the parsed body does.
 */
#ifndef CE_FIELDS_H
#define CE_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <json-c/json.h>
#include "error.h"

enum field_type {
	F_STRING,	/* struct opt_str */
	F_INT,		/* struct opt_int (64-bit, overflow-checked) */
	F_BOOL,		/* struct opt_bool */
	F_TIME,		/* struct opt_time (timeutil.h formats) */
	F_OBJECT,	/* struct opt_json holding a JSON object */
	F_ARRAY,	/* struct opt_json holding a JSON array */
	F_STRMAP,	/* struct opt_json: object whose values are scalars */
	F__MAX
};

#define F_REQUIRED	0x01
#define F_NONEMPTY	0x02	/* strings: "" counts as absent */
/* Integers: a record id, as the API's are (32-bit, positive).  0 counts as
 * absent (the default of an int in Keyfactor's clients); a negative or
 * larger value is refused naming the field. */
#define F_ID		0x04
#define FIELD_ID_MAX	2147483647

struct field {
	const char	*name;
	enum field_type	 type;
	unsigned	 flags;
	size_t		 off;	/* offsetof() the opt_* member */
};

struct opt_str	{ int set; const char *v; };
struct opt_int	{ int set; int64_t v; };
struct opt_bool	{ int set; int v; };
struct opt_time	{ int set; time_t v; };
struct opt_json	{ int set; json_object *v; };

/* A table with the struct it fills: what an endpoint declares (endpoint.h). */
struct field_table {
	const struct field	*f;
	size_t			 n;
	size_t			 size;	/* sizeof the struct */
};

#define FIELD_TABLE(var, tab, type) \
	const struct field_table var = { tab, sizeof(tab) / sizeof((tab)[0]), \
	    sizeof(type) }

/* Fills out (which the caller has zero-initialised) from obj per the table. */
enum ce_err	fields_parse(const struct field *tab, size_t n, json_object *obj,
		    void *out, struct ce_error *err);

/* Leniency helpers, also used for nested objects (stores, SAN lists). */
enum ce_err	field_int(json_object *v, const char *name, int64_t *out,
		    struct ce_error *err);
enum ce_err	field_bool(json_object *v, const char *name, int *out,
		    struct ce_error *err);
/* A list of record ids: a non-empty array of at most max positive
 * integers (as field_int reads them); CE_INVAL naming field otherwise,
 * e.g. "CertificateIds: element 2 is not a positive integer id." */
enum ce_err	field_ids(json_object *ids, const char *field, size_t max,
		    struct ce_error *err);
/* Looks a key up case-insensitively; returns NULL when absent or null. */
json_object	*field_get(json_object *obj, const char *name);
/* A new object holding only obj's members that tab declares (values
 * shared by reference): what is kept of a request.  NULL on no memory. */
json_object	*fields_declared(const struct field *tab, size_t n, json_object *obj);
/* Scalar to text for metadata values: a new malloc'd string or NULL. */
char		*field_scalar_text(json_object *v);

#endif
