/* jbuild.c - building and reading json-c objects (jbuild.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jbuild.h"
#include "timeutil.h"

/*
 * An object being filled.  A failed allocation only sets bad, so that a
 * builder reads as a list of fields; jb_end() reports it once.
 */

void
jb_init(struct jb *b, json_object *o)
{
	b->o = o;
	b->bad = o == NULL;
}

/* Adds v (owned; NULL means its allocation failed) under k. */
void
jb_add(struct jb *b, const char *k, json_object *v)
{
	if (v == NULL || b->o == NULL ||
	    json_object_object_add(b->o, k, v) != 0) {
		json_object_put(v);
		b->bad = 1;
	}
}

void
jb_null(struct jb *b, const char *k)
{
	if (b->o == NULL || json_object_object_add(b->o, k, NULL) != 0)
		b->bad = 1;
}

/* A string, or null when s is NULL. */
void
jb_str(struct jb *b, const char *k, const char *s)
{
	if (s == NULL)
		jb_null(b, k);
	else
		jb_add(b, k, json_object_new_string(s));
}

void
jb_int(struct jb *b, const char *k, int64_t n)
{
	jb_add(b, k, json_object_new_int64(n));
}

void
jb_bool(struct jb *b, const char *k, int v)
{
	jb_add(b, k, json_object_new_boolean(v != 0));
}

/* RFC 3339 with Z; null for a time gmtime cannot show. */
void
jb_date(struct jb *b, const char *k, int64_t t)
{
	char buf[CE_TIME_BUFSZ];

	time_format((time_t)t, buf);
	jb_str(b, k, buf[0] != '\0' ? buf : NULL);
}

/* Moves the finished child object under k. */
void
jb_take(struct jb *b, const char *k, struct jb *child)
{
	if (child->bad) {
		json_object_put(child->o);
		b->bad = 1;
	} else
		jb_add(b, k, child->o);
	child->o = NULL;
}

/* Hands the object out, or frees it and reports the allocation failure. */
enum ce_err
jb_end(struct jb *b, json_object **out, struct ce_error *err)
{
	*out = NULL;
	if (b->bad) {
		json_object_put(b->o);
		b->o = NULL;
		return ce_fault(err, CE_NOMEM, "building the answer");
	}
	*out = b->o;
	b->o = NULL;
	return CE_OK;
}

/* Appends v (owned; NULL = failed allocation) to array a. */
void
jb_arr_add(json_object *a, json_object *v, int *bad)
{
	if (v == NULL || a == NULL || json_object_array_add(a, v) != 0) {
		json_object_put(v);
		*bad = 1;
	}
}

const char *
jrec_str(json_object *rec, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(rec, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int64_t
jrec_int(json_object *rec, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(rec, k, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v);
}

int
jrec_bool(json_object *rec, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(rec, k, &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
}

/* "" is shown as null: the API's nullable strings. */
const char *
jb_nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

char *
jrec_strdup(json_object *rec, const char *k)
{
	const char *v = jrec_str(rec, k);

	return v != NULL ? strdup(v) : NULL;
}

json_object *
jrec_obj(json_object *rec, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(rec, k, &v) &&
	    json_object_is_type(v, json_type_object) ? json_object_get(v) : NULL;
}
