/* policy_view.c - templates as the API shows them (see policy.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "jbuild.h"
#include "policy.h"

/* The words of array field k of rec into out (at most max). */
static size_t
words(json_object *rec, const char *k, const char **out, size_t max)
{
	json_object *a = json_object_object_get(rec, k);
	const char *w;
	size_t i, n = 0;

	for (i = 0; i < json_arr_len(a) && n < max; i++)
		if ((w = json_object_get_string(json_object_array_get_idx(a,
		    i))) != NULL)
			out[n++] = w;
	return n;
}

/* The pattern's metadata and fields into t. */
static void
pattern_parts(struct template_view *t)
{
	json_object *a, *f;
	size_t i;

	a = json_object_object_get(t->pattern, "metadata");
	for (i = 0; i < json_arr_len(a) && t->nmeta < TEMPLATE_WORDS_MAX; i++) {
		f = json_object_array_get_idx(a, i);
		if (jrec_str(f, "name") == NULL)
			continue;
		t->meta[t->nmeta].name = jrec_str(f, "name");
		t->meta[t->nmeta].type = jrec_str(f, "type") != NULL ?
		    jrec_str(f, "type") : "string";
		t->meta[t->nmeta++].required = jrec_bool(f, "required");
	}
	a = json_object_object_get(t->pattern, "additional_fields");
	for (i = 0; i < json_arr_len(a) && t->nfields < TEMPLATE_WORDS_MAX;
	    i++) {
		f = json_object_array_get_idx(a, i);
		if (jrec_str(f, "name") == NULL)
			continue;
		t->fields[t->nfields].name = jrec_str(f, "name");
		t->fields[t->nfields++].required = jrec_bool(f, "required");
	}
}

/* Fills t from a template record and its default pattern (both taken). */
static void
view_of(json_object *rec, json_object *pattern, struct template_view *t)
{
	memset(t, 0, sizeof(*t));
	t->rec = rec;
	t->pattern = pattern;
	t->id = jrec_int(pattern, "id");
	t->name = jrec_str(rec, "name");
	t->days = jrec_int(rec, "days");
	t->require_approval = jrec_bool(rec, "require_approval") ||
	    jrec_bool(pattern, "require_approval");
	t->subject_regex = jrec_str(rec, "subject_regex");
	t->key_retention = template_key_retention(rec, &t->key_retention_days);
	t->nkeys = words(json_object_object_get(pattern, "keys") != NULL &&
	    json_arr_len(json_object_object_get(pattern, "keys")) > 0 ?
	    pattern : rec, "keys", t->keys, TEMPLATE_WORDS_MAX);
	t->nku = words(rec, "key_usage", t->key_usage, TEMPLATE_WORDS_MAX);
	t->neku = words(rec, "eku", t->eku, TEMPLATE_WORDS_MAX);
	pattern_parts(t);
}

void
template_view_clear(struct template_view *t)
{
	json_object_put(t->rec);
	json_object_put(t->pattern);
	memset(t, 0, sizeof(*t));
}

/* Each template's default pattern: the first of it in id order. */
struct defaults {
	json_object	*first;		/* template lower name -> pattern */
	int		 nomem;
};

static int
default_cb(const char *key, json_object *rec, void *arg)
{
	struct defaults *d = arg;
	char lname[TEMPLATE_KEY_MAX];

	(void)key;
	if (!template_key(jrec_str(rec, "template"), lname))
		return 0;
	if (json_object_object_get(d->first, lname) == NULL &&
	    json_object_object_add(d->first, lname, json_object_get(rec)) != 0)
		d->nomem = 1;
	return d->nomem;
}

static enum ce_err
defaults(struct ce_txn *txn, struct defaults *d, struct ce_error *err)
{
	enum ce_err rc;

	d->nomem = 0;
	if ((d->first = json_object_new_object()) == NULL)
		return ce_fault(err, CE_NOMEM, "templates");
	rc = db_foreach(txn, T_PATTERNS, default_cb, d, err);
	if (rc == CE_OK && d->nomem)
		rc = ce_fault(err, CE_NOMEM, "templates");
	if (rc != CE_OK) {
		json_object_put(d->first);
		d->first = NULL;
	}
	return rc;
}

struct listing {
	struct defaults	 d;
	json_object	*rows;		/* [template record, pattern], by id */
	int		 nomem;
};

static int
row_cb(const char *key, json_object *rec, void *arg)
{
	struct listing *l = arg;
	json_object *pat = json_object_object_get(l->d.first, key), *row;

	/* A template without a pattern cannot be enrolled with: not shown. */
	if (pat == NULL)
		return 0;
	if ((row = json_object_new_array()) == NULL ||
	    json_object_array_add(row, json_object_get(rec)) != 0 ||
	    json_object_array_add(row, json_object_get(pat)) != 0 ||
	    json_object_array_add(l->rows, row) != 0) {
		json_object_put(row);
		l->nomem = 1;
	}
	return l->nomem;
}

static int
by_id(const void *a, const void *b)
{
	int64_t x = jrec_int(json_object_array_get_idx(*(json_object *const *)a,
	    1), "id");
	int64_t y = jrec_int(json_object_array_get_idx(*(json_object *const *)b,
	    1), "id");

	return x < y ? -1 : x > y;
}

enum ce_err
template_each(struct ce_txn *txn, template_visit cb, void *arg,
    struct ce_error *err)
{
	struct listing l;
	struct template_view t;
	json_object *row;
	size_t i;
	enum ce_err rc;
	int stop = 0;

	memset(&l, 0, sizeof(l));
	if ((rc = defaults(txn, &l.d, err)) != CE_OK)
		return rc;
	if ((l.rows = json_object_new_array()) == NULL)
		rc = ce_fault(err, CE_NOMEM, "templates");
	else if ((rc = db_foreach(txn, T_TEMPLATES, row_cb, &l, err)) == CE_OK &&
	    l.nomem)
		rc = ce_fault(err, CE_NOMEM, "templates");
	if (rc == CE_OK)
		json_object_array_sort(l.rows, by_id);
	for (i = 0; rc == CE_OK && !stop && i < json_arr_len(l.rows); i++) {
		row = json_object_array_get_idx(l.rows, i);
		view_of(json_object_get(json_object_array_get_idx(row, 0)),
		    json_object_get(json_object_array_get_idx(row, 1)), &t);
		stop = cb(&t, arg);
		template_view_clear(&t);
	}
	json_object_put(l.rows);
	json_object_put(l.d.first);
	return rc;
}

struct finding {
	int64_t			 id;
	const char		*name;
	struct template_view	*out;
	int			 found;
};

static int
find_cb(const struct template_view *t, void *arg)
{
	struct finding *f = arg;

	if ((f->name != NULL && t->name != NULL &&
	    strcasecmp(t->name, f->name) == 0) ||
	    (f->name == NULL && t->id == f->id)) {
		f->found = 1;
		if (f->out != NULL)
			view_of(json_object_get(t->rec),
			    json_object_get(t->pattern), f->out);
		else
			f->id = t->id;
		return 1;
	}
	return 0;
}

enum ce_err
template_by_id(struct ce_txn *txn, int64_t id, struct template_view *out,
    struct ce_error *err)
{
	struct finding f = { id, NULL, out, 0 };
	enum ce_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = template_each(txn, find_cb, &f, err)) != CE_OK)
		return rc;
	if (!f.found)
		return ce_fail(err, CE_NOTFOUND, "Template %lld was not found.",
		    (long long)id);
	return CE_OK;
}

int64_t
template_id(struct ce_txn *txn, const char *name)
{
	struct finding f = { 0, name, NULL, 0 };
	struct ce_error err;
	json_object *rec = NULL;
	char lname[TEMPLATE_KEY_MAX];
	int64_t id;

	if (!template_key(name, lname))
		return 0;
	/* Recorded since the template was added; older ones are looked up. */
	if (db_get(txn, T_TEMPLATES, lname, &rec, &err) != CE_OK)
		return 0;
	id = jrec_int(rec, "id");
	json_object_put(rec);
	if (id > 0)
		return id;
	if (template_each(txn, find_cb, &f, &err) != CE_OK || !f.found)
		return 0;
	return f.id;
}

/* ---- metadata fields ---------------------------------------------------- */

static int
pattern_cb(const char *key, json_object *rec, void *arg)
{
	(void)key;
	return json_object_array_add(arg, json_object_get(rec)) != 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcasecmp(((const struct metadata_field *)a)->name,
	    ((const struct metadata_field *)b)->name);
}

/* Adds the definition f unless its name is there already. */
static void
field_add(struct metadata_view *v, json_object *f)
{
	struct metadata_field *m;
	const char *name = jrec_str(f, "name");
	size_t i;

	if (name == NULL || v->n == METADATA_FIELDS_MAX)
		return;
	for (i = 0; i < v->n; i++)
		if (strcasecmp(v->f[i].name, name) == 0)
			return;
	m = &v->f[v->n++];
	m->name = name;
	m->type = jrec_str(f, "type") != NULL ? jrec_str(f, "type") : "string";
	m->required = jrec_bool(f, "required");
	m->noptions = words(f, "options", m->options, TEMPLATE_WORDS_MAX);
}

enum ce_err
metadata_field_list(struct ce_txn *txn, struct metadata_view *out,
    struct ce_error *err)
{
	json_object *defs;
	size_t i, j;
	enum ce_err rc;

	memset(out, 0, sizeof(*out));
	if ((out->patterns = json_object_new_array()) == NULL)
		return ce_fault(err, CE_NOMEM, "patterns");
	/* db_foreach walks the keys, db_idkey's digits: id order */
	if ((rc = db_foreach(txn, T_PATTERNS, pattern_cb, out->patterns,
	    err)) != CE_OK) {
		metadata_view_clear(out);
		return rc;
	}
	for (i = 0; i < json_arr_len(out->patterns); i++) {
		defs = json_object_object_get(json_object_array_get_idx(
		    out->patterns, i), "metadata");
		for (j = 0; j < json_arr_len(defs); j++)
			field_add(out, json_object_array_get_idx(defs, j));
	}
	qsort(out->f, out->n, sizeof(out->f[0]), by_name);
	return CE_OK;
}

void
metadata_view_clear(struct metadata_view *v)
{
	json_object_put(v->patterns);
	memset(v, 0, sizeof(*v));
}
