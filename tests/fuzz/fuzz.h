/*
 * fuzz.h - what every libFuzzer harness in tests/fuzz shares: the input as
 * a C string, request bodies parsed exactly as lib/http/http.c parses them,
 * stored records parsed as lib/records/db_lmdb.c reads them, and the check that
 * turns a broken invariant into a crash the fuzzer reports.
 * Each harness is one file, fuzz_<name>.c, with its seeds in
 * tests/fuzz/corpus/<name>/, past crashes in tests/fuzz/regressions/<name>/
 * and, where the input has a grammar, its words in tests/fuzz/dict/<name>.dict.
 */
#ifndef CE_FUZZ_H
#define CE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fields.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Not every harness uses every helper. */
#define FUZZ_FN	static __attribute__((unused))

/* A broken invariant: says which, then aborts so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz: %s:%d: check failed: %s: ",	\
		    __FILE__, __LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/* The input as a NUL-terminated string (caller frees); embedded NULs stay,
 * so C-string parsers see the prefix up to the first one. */
FUZZ_FN char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * A request body as http_json_body() in lib/http/http.c reads it: strict UTF-8
 * first, then json-c at depth 64 with JSON_TOKENER_STRICT and
 * JSON_TOKENER_VALIDATE_UTF8, the terminating NUL passed so a bare value is
 * complete, nothing after the value.  NULL when http.c would answer 400
 * (also for the body "null").  Caller puts.
 */
FUZZ_FN json_object *
fuzz_json_body(const uint8_t *data, size_t size)
{
	struct json_tokener *tok;
	json_object *obj;
	char *buf;
	size_t bad;

	if (size == 0 || size > INT32_MAX - 1 || !utf8_valid(data, size, &bad))
		return NULL;
	buf = fuzz_cstr(data, size);
	if ((tok = json_tokener_new_ex(64)) == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)size + 1);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) < size) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	free(buf);
	return obj;
}

/* A stored record as parse_record() in lib/records/db_lmdb.c reads it: json-c's
 * defaults over the bytes, and a JSON object or nothing.  Caller puts. */
FUZZ_FN json_object *
fuzz_json_record(const uint8_t *data, size_t size)
{
	struct json_tokener *tok;
	json_object *obj;

	if (size > INT32_MAX)
		return NULL;
	if ((tok = json_tokener_new()) == NULL)
		abort();
	obj = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	if (obj != NULL && !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
	return obj;
}

/*
 * Splits the input at its first n - 1 newlines into n strings (caller frees
 * parts[0]; the others point into it).  Missing parts are NULL, so a
 * harness can tell "absent" from "empty".
 */
FUZZ_FN void
fuzz_split(const uint8_t *data, size_t size, char **parts, size_t n)
{
	char *s, *nl;
	size_t i;

	s = fuzz_cstr(data, size);
	for (i = 0; i < n; i++)
		parts[i] = NULL;
	parts[0] = s;
	for (i = 1; i < n && (nl = strchr(parts[i - 1], '\n')) != NULL; i++) {
		*nl = '\0';
		parts[i] = nl + 1;
	}
}

/*
 * What fields_parse() promises about a struct it filled (CE_OK): required
 * fields are set; a set string is the body's own value, as long as json-c
 * says (no NUL inside) and not "" when F_NONEMPTY; a set JSON slot holds
 * the body's value of the declared type.
 */
FUZZ_FN void
fuzz_fields_check(const struct field *tab, size_t n, json_object *body,
    const void *out)
{
	const char *base = out;
	const struct opt_str *s;
	const struct opt_json *j;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct field *f = &tab[i];

		/* Every opt_* struct starts with its int 'set'. */
		if (!*(const int *)(base + f->off)) {
			FUZZ_CHECK(!(f->flags & F_REQUIRED), "%s", f->name);
			continue;
		}
		switch (f->type) {
		case F_STRING:
			s = (const struct opt_str *)(base + f->off);
			FUZZ_CHECK(s->v != NULL && s->v == json_object_get_string(
			    field_get(body, f->name)), "%s", f->name);
			FUZZ_CHECK(strlen(s->v) == (size_t)json_object_get_string_len(
			    field_get(body, f->name)), "%s", f->name);
			FUZZ_CHECK(!(f->flags & F_NONEMPTY) || s->v[0] != '\0',
			    "%s", f->name);
			break;
		case F_OBJECT:
		case F_STRMAP:
			j = (const struct opt_json *)(base + f->off);
			FUZZ_CHECK(json_object_is_type(j->v, json_type_object) &&
			    j->v == field_get(body, f->name), "%s", f->name);
			break;
		case F_ARRAY:
			j = (const struct opt_json *)(base + f->off);
			FUZZ_CHECK(json_object_is_type(j->v, json_type_array) &&
			    j->v == field_get(body, f->name), "%s", f->name);
			break;
		default:
			break;
		}
	}
}

#endif
