/* fields.c - the table-driven request body parser (see fields.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fields.h"
#include "timeutil.h"

json_object *
field_get(json_object *obj, const char *name)
{
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	json_object_object_foreach(obj, key, val) {
		if (strcasecmp(key, name) == 0 && val != NULL)
			return val;
	}
	return NULL;
}

/* Parses a decimal integer string strictly (optional sign, digits only). */
static int
parse_int_text(const char *s, int64_t *out)
{
	char *end;
	long long v;

	while (*s == ' ')
		s++;
	/* Spaces only, on either side: strtoll would skip tabs and newlines
	 * before the number (and only there). */
	if (*s != '+' && *s != '-' && (*s < '0' || *s > '9'))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	while (*end == ' ')
		end++;
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

enum ce_err
field_ids(json_object *ids, const char *field, size_t max,
    struct ce_error *err)
{
	int64_t v;
	size_t i, n;

	if (!json_object_is_type(ids, json_type_array) ||
	    (n = json_object_array_length(ids)) == 0)
		return ce_fail(err, CE_INVAL, "%s: expected a non-empty array of "
		    "ids.", field);
	if (n > max)
		return ce_fail(err, CE_INVAL, "%s: at most %zu ids.", field, max);
	for (i = 0; i < n; i++)
		if (field_int(json_object_array_get_idx(ids, i), field, &v,
		    err) != CE_OK || v <= 0 || v > FIELD_ID_MAX)
			return ce_fail(err, CE_INVAL, "%s: element %zu is not a "
			    "positive integer id.", field, i);
	return CE_OK;
}

enum ce_err
field_int(json_object *v, const char *name, int64_t *out, struct ce_error *err)
{
	double d;

	switch (json_object_get_type(v)) {
	case json_type_int:
		/* json-c saturates out-of-range numbers; reject those. */
		errno = 0;
		*out = json_object_get_int64(v);
		if (errno == 0 && *out != INT64_MAX && *out != INT64_MIN)
			return CE_OK;
		break;
	case json_type_double:
		d = json_object_get_double(v);
		/* Range first: converting an out-of-range double is undefined. */
		if (d > -9e15 && d < 9e15 && d == (double)(int64_t)d) {
			*out = (int64_t)d;
			return CE_OK;
		}
		break;
	case json_type_string:
		if (parse_int_text(json_object_get_string(v), out) == 0)
			return CE_OK;
		break;
	default:
		break;
	}
	return ce_fail(err, CE_INVAL, "%s: expected an integer", name);
}

enum ce_err
field_bool(json_object *v, const char *name, int *out, struct ce_error *err)
{
	const char *s;

	switch (json_object_get_type(v)) {
	case json_type_boolean:
		*out = json_object_get_boolean(v);
		return CE_OK;
	case json_type_string:
		s = json_object_get_string(v);
		if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0) {
			*out = 1;
			return CE_OK;
		}
		if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0) {
			*out = 0;
			return CE_OK;
		}
		break;
	case json_type_int:
		if (json_object_get_int64(v) == 0 || json_object_get_int64(v) == 1) {
			*out = (int)json_object_get_int64(v);
			return CE_OK;
		}
		break;
	default:
		break;
	}
	return ce_fail(err, CE_INVAL, "%s: expected a boolean", name);
}

char *
field_scalar_text(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		return strdup(json_object_get_string(v));
	default:
		return NULL;
	}
}

/* Checks that every value of a string map is a scalar (or null). */
static enum ce_err
check_strmap(json_object *v, const char *name, struct ce_error *err)
{
	json_object_object_foreach(v, key, val) {
		switch (json_object_get_type(val)) {
		case json_type_string:
		case json_type_int:
		case json_type_double:
		case json_type_boolean:
		case json_type_null:
			break;
		default:
			return ce_fail(err, CE_INVAL,
			    "%s.%s: expected a string value", name, key);
		}
	}
	return CE_OK;
}

/* Stores one present, non-null value into its slot. */
static enum ce_err
fill(const struct field *f, json_object *v, char *base, struct ce_error *err)
{
	struct opt_str *s;
	struct opt_int *i;
	struct opt_bool *b;
	struct opt_time *t;
	struct opt_json *j;
	enum ce_err rc;

	switch (f->type) {
	case F_STRING:
		s = (struct opt_str *)(base + f->off);
		if (!json_object_is_type(v, json_type_string))
			return ce_fail(err, CE_INVAL, "%s: expected a string", f->name);
		if ((f->flags & F_NONEMPTY) && json_object_get_string_len(v) == 0)
			return CE_OK;
		s->v = json_object_get_string(v);
		if (strlen(s->v) != (size_t)json_object_get_string_len(v))
			return ce_fail(err, CE_INVAL, "%s: contains a NUL character",
			    f->name);
		s->set = 1;
		return CE_OK;
	case F_INT:
		i = (struct opt_int *)(base + f->off);
		if ((rc = field_int(v, f->name, &i->v, err)) != CE_OK)
			return rc;
		if (f->flags & F_ID) {
			if (i->v < 0 || i->v > FIELD_ID_MAX)
				return ce_fail(err, CE_INVAL, "%s: an id from 1 to "
				    "%d (0 for none), not %lld.", f->name,
				    FIELD_ID_MAX, (long long)i->v);
			if (i->v == 0)
				return CE_OK;	/* absent */
		}
		i->set = 1;
		return CE_OK;
	case F_BOOL:
		b = (struct opt_bool *)(base + f->off);
		if ((rc = field_bool(v, f->name, &b->v, err)) == CE_OK)
			b->set = 1;
		return rc;
	case F_TIME:
		t = (struct opt_time *)(base + f->off);
		if (!json_object_is_type(v, json_type_string))
			return ce_fail(err, CE_INVAL, "%s: expected a date-time string",
			    f->name);
		if (json_object_get_string_len(v) == 0 && !(f->flags & F_REQUIRED))
			return CE_OK;	/* "" = not given, as the docs allow */
		rc = time_parse(json_object_get_string(v), f->name, &t->v, err);
		if (rc == CE_OK)
			t->set = 1;
		return rc;
	case F_OBJECT:
	case F_STRMAP:
		j = (struct opt_json *)(base + f->off);
		if (!json_object_is_type(v, json_type_object))
			return ce_fail(err, CE_INVAL, "%s: expected an object", f->name);
		if (f->type == F_STRMAP &&
		    (rc = check_strmap(v, f->name, err)) != CE_OK)
			return rc;
		j->v = v;
		j->set = 1;
		return CE_OK;
	case F_ARRAY:
		j = (struct opt_json *)(base + f->off);
		if (!json_object_is_type(v, json_type_array))
			return ce_fail(err, CE_INVAL, "%s: expected an array", f->name);
		j->v = v;
		j->set = 1;
		return CE_OK;
	default:
		return ce_fail(err, CE_INVAL, "%s: unsupported field type", f->name);
	}
}

/* Whether slot f was filled. */
static int
is_set(const struct field *f, const char *base)
{
	/* Every opt_* struct starts with its int 'set'. */
	return *(const int *)(base + f->off);
}

enum ce_err
fields_parse(const struct field *tab, size_t n, json_object *obj, void *out,
    struct ce_error *err)
{
	char *base = out;
	json_object *v;
	enum ce_err rc;
	size_t i;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return ce_fail(err, CE_INVAL, "The request body must be a JSON object.");
	for (i = 0; i < n; i++) {
		if ((v = field_get(obj, tab[i].name)) != NULL &&
		    (rc = fill(&tab[i], v, base, err)) != CE_OK)
			return rc;
		if ((tab[i].flags & F_REQUIRED) && !is_set(&tab[i], base))
			return ce_fail(err, CE_INVAL, "%s: is required", tab[i].name);
	}
	return CE_OK;
}

json_object *
fields_declared(const struct field *tab, size_t n, json_object *obj)
{
	json_object *out;
	size_t i;

	if ((out = json_object_new_object()) == NULL ||
	    !json_object_is_type(obj, json_type_object))
		return out;
	json_object_object_foreach(obj, k, v) {
		for (i = 0; i < n && strcasecmp(tab[i].name, k) != 0; i++)
			;
		if (i < n && json_object_object_add(out, k,
		    json_object_get(v)) != 0) {
			json_object_put(v);
			json_object_put(out);
			return NULL;
		}
	}
	return out;
}
