/*
 * jbuild.h - building json-c objects field by field, and reading fields of
 * records: what the API's answer objects are made with.
 *
 * A failed allocation only sets the builder's bad flag, so that a builder
 * reads as a list of fields; jb_end() reports it once.
 */
#ifndef CE_JBUILD_H
#define CE_JBUILD_H

#include <stdint.h>
#include <json-c/json.h>

#include "error.h"

struct jb {
	json_object	*o;
	int		 bad;
};

void		 jb_init(struct jb *b, json_object *o);	/* o NULL: a failed allocation */
void		 jb_add(struct jb *b, const char *k, json_object *v); /* v owned */
void		 jb_null(struct jb *b, const char *k);
void		 jb_str(struct jb *b, const char *k, const char *s); /* NULL: null */
void		 jb_int(struct jb *b, const char *k, int64_t n);
void		 jb_bool(struct jb *b, const char *k, int v);
void		 jb_date(struct jb *b, const char *k, int64_t t); /* time_t */
void		 jb_take(struct jb *b, const char *k, struct jb *child);
/* The finished object into *out; CE_NOMEM when anything failed. */
enum ce_err	 jb_end(struct jb *b, json_object **out, struct ce_error *err);
/* Appends v (owned; NULL = failed allocation) to array a. */
void		 jb_arr_add(json_object *a, json_object *v, int *bad);
/* "" is shown as null: the API's nullable strings. */
const char	*jb_nonempty(const char *s);

/* A record's field: string (NULL), integer (0), boolean (0) when absent or
 * of another type. */
const char	*jrec_str(json_object *rec, const char *k);
int64_t		 jrec_int(json_object *rec, const char *k);
int		 jrec_bool(json_object *rec, const char *k);
/* A copy of a string field (caller frees), NULL when absent or not a
 * string (or out of memory); a new reference to an object field, or NULL. */
char		*jrec_strdup(json_object *rec, const char *k);
json_object	*jrec_obj(json_object *rec, const char *k);

#endif
