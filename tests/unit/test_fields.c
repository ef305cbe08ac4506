/*
 * test_fields.c - fields: the table-driven request body parser and its
 * lenient rules.  Names match without case, unknown names are ignored, null
 * is absent, an integer or a boolean may come as a string; a wrong type or
 * a missing required field is CE_INVAL naming the field as the table spells
 * it.  Tables of bodies for each rule, both ways.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fields.h"
#include "kit.h"

struct body {
	struct opt_str	subject;
	struct opt_str	password;
	struct opt_int	length;
	struct opt_bool	legacy;
	struct opt_time	stamp;
	struct opt_json	sans;
	struct opt_json	stores;
	struct opt_json	metadata;
	struct opt_str	ticket;
};

static const struct field tab[] = {
	{ "Subject", F_STRING, F_REQUIRED, offsetof(struct body, subject) },
	{ "Password", F_STRING, F_NONEMPTY, offsetof(struct body, password) },
	{ "KeyLength", F_INT, 0, offsetof(struct body, length) },
	{ "UseLegacyEncryption", F_BOOL, 0, offsetof(struct body, legacy) },
	{ "Timestamp", F_TIME, 0, offsetof(struct body, stamp) },
	{ "SANs", F_OBJECT, 0, offsetof(struct body, sans) },
	{ "Stores", F_ARRAY, 0, offsetof(struct body, stores) },
	{ "Metadata", F_STRMAP, 0, offsetof(struct body, metadata) },
};
#define NTAB	(sizeof(tab) / sizeof(tab[0]))

/* One required field that "" does not satisfy. */
static const struct field req_tab[] = {
	{ "Ticket", F_STRING, F_REQUIRED | F_NONEMPTY,
	  offsetof(struct body, ticket) },
	{ "Timestamp", F_TIME, F_REQUIRED, offsetof(struct body, stamp) },
};

/* Parses text with t into b (zeroed); the body object stays in *obj. */
static enum ce_err
parse(const struct field *t, size_t n, const char *text, json_object **obj,
    struct body *b, struct ce_error *err)
{
	memset(b, 0, sizeof(*b));
	ce_error_clear(err);
	*obj = kit_json(text);
	return fields_parse(t, n, *obj, b, err);
}

static void
test_names(void **state)
{
	static const char *const bodies[] = {
		"{\"Subject\":\"CN=a\"}", "{\"subject\":\"CN=a\"}",
		"{\"SUBJECT\":\"CN=a\"}", "{\"sUbJeCt\":\"CN=a\"}",
		/* unknown names are ignored, whatever their type */
		"{\"Subject\":\"CN=a\",\"Bogus\":[1,{}],\"Subjects\":5,"
		"\"Subjec\":true,\"Sub ject\":null}",
		/* a null first spelling does not hide a later one */
		"{\"subject\":null,\"SUBJECT\":\"CN=a\"}",
	};
	struct ce_error err;
	struct body b;
	json_object *o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		if (parse(tab, NTAB, bodies[i], &o, &b, &err) != CE_OK)
			fail_msg("%s: %s", bodies[i], err.msg);
		CHECK(b.subject.set && strcmp(b.subject.v, "CN=a") == 0);
		/* nothing else was filled */
		CHECK(!b.password.set && !b.length.set && !b.legacy.set &&
		    !b.stamp.set && !b.sans.set && !b.stores.set &&
		    !b.metadata.set);
		json_object_put(o);
	}
	CHECK(field_get(NULL, "a") == NULL);
	o = kit_json("[\"Subject\"]");
	CHECK(field_get(o, "Subject") == NULL);
	json_object_put(o);
}

/* A value as JSON text, and what it reads as. */
struct scalar {
	const char	*v;
	int64_t		 want;
};

static int64_t
length_of(const struct body *b, int *set)
{
	*set = b->length.set;
	return b->length.v;
}

static int64_t
legacy_of(const struct body *b, int *set)
{
	*set = b->legacy.set;
	return b->legacy.v;
}

/* Bodies {"Subject":"", name: v}: each good value read (by get) as its
 * want, each bad one refused with the message says. */
static void
lenient(const char *name, const struct scalar *good, size_t ngood,
    const char *const *bad, size_t nbad, const char *says,
    int64_t (*get)(const struct body *, int *))
{
	struct ce_error err;
	struct body b;
	json_object *o;
	char text[128];
	int64_t v;
	size_t i;
	int set;

	for (i = 0; i < ngood; i++) {
		snprintf(text, sizeof(text), "{\"Subject\":\"\",\"%s\":%s}", name,
		    good[i].v);
		if (parse(tab, NTAB, text, &o, &b, &err) != CE_OK)
			fail_msg("refused %s: %s", good[i].v, err.msg);
		if ((v = get(&b, &set)) != good[i].want || !set)
			fail_msg("%s: got %lld", good[i].v, (long long)v);
		json_object_put(o);
	}
	for (i = 0; i < nbad; i++) {
		snprintf(text, sizeof(text), "{\"Subject\":\"\",\"%s\":%s}", name,
		    bad[i]);
		if (parse(tab, NTAB, text, &o, &b, &err) != CE_INVAL ||
		    strcmp(err.msg, says) != 0)
			fail_msg("%s: got '%s'", bad[i], err.msg);
		get(&b, &set);
		CHECK(!set);
		json_object_put(o);
	}
}

static void
test_int(void **state)
{
	static const struct scalar good[] = {
		{ "2048", 2048 }, { "-5", -5 }, { "0", 0 }, { "\"2048\"", 2048 },
		{ "\" 2048 \"", 2048 }, { "\"+7\"", 7 }, { "\"-7\"", -7 },
		{ "\"-0\"", 0 }, { "2048.0", 2048 }, { "1e3", 1000 },
		{ "-1e15", -1000000000000000LL },
		{ "9223372036854775806", INT64_MAX - 1 },
		{ "\"-9223372036854775808\"", INT64_MIN },
	};
	static const char *const bad[] = {
		"2048.5", "0.1", "\"2048x\"", "\"\"", "\"   \"", "\"0x10\"",
		"\"20 48\"", "\"1e3\"", "\"2048.0\"", "\"+\"", "\"- 5\"",
		"\"\\t5\"", "\"5\\t\"", "\"\\n5\"", "\"5\\n\"",
		"true", "false", "[]", "[5]", "{}",
		"9223372036854775808", "-9223372036854775809",
		"99999999999999999999", "18446744073709551615", "1e300",
		"-1e300", "9e15", "\"99999999999999999999\"",
	};

	(void)state;
	lenient("keylength", good, sizeof(good) / sizeof(good[0]), bad,
	    sizeof(bad) / sizeof(bad[0]), "KeyLength: expected an integer",
	    length_of);
}

static void
test_bool(void **state)
{
	static const struct scalar good[] = {
		{ "true", 1 }, { "false", 0 }, { "\"true\"", 1 }, { "\"TRUE\"", 1 },
		{ "\"True\"", 1 }, { "\"false\"", 0 }, { "\"FaLsE\"", 0 },
		{ "\"1\"", 1 }, { "\"0\"", 0 }, { "1", 1 }, { "0", 0 },
	};
	static const char *const bad[] = {
		"2", "-1", "1.0", "\"yes\"", "\"no\"", "\"\"", "\" true\"",
		"\"t\"", "\"01\"", "[]", "{}", "[true]",
	};

	(void)state;
	lenient("uselegacyencryption", good, sizeof(good) / sizeof(good[0]), bad,
	    sizeof(bad) / sizeof(bad[0]), "UseLegacyEncryption: expected a boolean",
	    legacy_of);
}

/* Bodies that fail, and the message (the field as the table names it). */
static const struct {
	const char	*body, *says;
} refused[] = {
	{ "[]", "The request body must be a JSON object." },
	{ "\"Subject\"", "The request body must be a JSON object." },
	{ "5", "The request body must be a JSON object." },
	/* required: absent, null, or only under another name */
	{ "{}", "Subject: is required" },
	{ "{\"Subject\":null}", "Subject: is required" },
	{ "{\"Subjects\":\"CN=a\"}", "Subject: is required" },
	/* wrong types, whatever the spelling of the name */
	{ "{\"subject\":5}", "Subject: expected a string" },
	{ "{\"Subject\":true}", "Subject: expected a string" },
	{ "{\"Subject\":[\"CN=a\"]}", "Subject: expected a string" },
	{ "{\"Subject\":{}}", "Subject: expected a string" },
	{ "{\"Subject\":\"CN=a\\u0000b\"}", "Subject: contains a NUL character" },
	{ "{\"Subject\":\"\",\"password\":7}", "Password: expected a string" },
	{ "{\"Subject\":\"\",\"TIMESTAMP\":5}",
	  "Timestamp: expected a date-time string" },
	{ "{\"Subject\":\"\",\"Timestamp\":\"yesterday\"}", "Timestamp" },
	{ "{\"Subject\":\"\",\"Timestamp\":\"2026-02-30\"}", "Timestamp" },
	{ "{\"Subject\":\"\",\"sans\":[]}", "SANs: expected an object" },
	{ "{\"Subject\":\"\",\"SANs\":\"a.example\"}", "SANs: expected an object" },
	{ "{\"Subject\":\"\",\"stores\":{}}", "Stores: expected an array" },
	{ "{\"Subject\":\"\",\"Stores\":\"x\"}", "Stores: expected an array" },
	{ "{\"Subject\":\"\",\"metadata\":[]}", "Metadata: expected an object" },
	{ "{\"Subject\":\"\",\"Metadata\":{\"Owner\":{}}}",
	  "Metadata.Owner: expected a string value" },
	{ "{\"Subject\":\"\",\"Metadata\":{\"a\":\"x\",\"Tags\":[\"x\"]}}",
	  "Metadata.Tags: expected a string value" },
};

static void
test_refused(void **state)
{
	struct ce_error err;
	struct body b;
	json_object *o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (parse(tab, NTAB, refused[i].body, &o, &b, &err) != CE_INVAL ||
		    strstr(err.msg, refused[i].says) == NULL)
			fail_msg("%s: got '%s', wanted '%s'", refused[i].body,
			    err.msg, refused[i].says);
		json_object_put(o);
	}
	memset(&b, 0, sizeof(b));
	EFAIL(fields_parse(tab, NTAB, NULL, &b, &err), CE_INVAL, "JSON object");
}

/* Values that arrive: nulls are absent, "" is a value but for F_NONEMPTY
 * and for a time that is not required; objects and arrays are borrowed. */
static void
test_values(void **state)
{
	struct ce_error err;
	struct body b;
	json_object *o;

	(void)state;
	E(parse(tab, NTAB, "{\"Subject\":\"\",\"Password\":\"\",\"Timestamp\":"
	    "\"\",\"KeyLength\":null,\"UseLegacyEncryption\":null,\"SANs\":null,"
	    "\"Stores\":null,\"Metadata\":null}", &o, &b, &err));
	CHECK(b.subject.set && strcmp(b.subject.v, "") == 0);
	CHECK(!b.password.set && !b.stamp.set && !b.length.set &&
	    !b.legacy.set && !b.sans.set && !b.stores.set && !b.metadata.set);
	json_object_put(o);

	E(parse(tab, NTAB, "{\"SUBJECT\":\"CN=x\",\"password\":\"pw\","
	    "\"timestamp\":\"2026-11-25T19:57:29Z\",\"sans\":{\"dns\":[\"a\"]},"
	    "\"stores\":[{\"StoreId\":\"x\"}],\"metadata\":{\"a\":\"x\",\"b\":5,"
	    "\"c\":true,\"d\":null,\"e\":1.5}}", &o, &b, &err));
	CHECK(b.password.set && strcmp(b.password.v, "pw") == 0);
	CHECK(b.stamp.set && b.stamp.v == 1795636649);
	CHECK(b.sans.set && b.sans.v == json_object_object_get(o, "sans"));
	CHECK(b.stores.set && json_object_array_length(b.stores.v) == 1);
	CHECK(b.metadata.set && b.metadata.v == json_object_object_get(o,
	    "metadata"));
	json_object_put(o);

	/* required: "" does not fill F_NONEMPTY, nor a time */
	EFAIL(parse(req_tab, 2, "{\"Ticket\":\"\",\"Timestamp\":\"2026-01-01\"}",
	    &o, &b, &err), CE_INVAL, "Ticket: is required");
	json_object_put(o);
	EFAIL(parse(req_tab, 2, "{\"Ticket\":\"T-1\",\"Timestamp\":\"\"}", &o,
	    &b, &err), CE_INVAL, "Timestamp");
	CHECK(!b.stamp.set);
	json_object_put(o);
	E(parse(req_tab, 2, "{\"ticket\":\"T-1\",\"timestamp\":\"2026-01-01\"}",
	    &o, &b, &err));
	CHECK(b.ticket.set && b.stamp.set);
	json_object_put(o);
}

/* What is kept of a request: the declared members only, as sent. */
static void
test_declared(void **state)
{
	json_object *o, *d, *v;

	(void)state;
	o = kit_json("{\"subject\":\"CN=a\",\"Junk\":\"x\",\"SANS\":{},"
	    "\"Password\":null,\"KeyLengths\":5}");
	CHECK((d = fields_declared(tab, NTAB, o)) != NULL);
	CHECK(json_object_object_length(d) == 3);
	CHECK(json_object_object_get_ex(d, "subject", &v) &&
	    v == json_object_object_get(o, "subject"));
	CHECK(json_object_object_get_ex(d, "SANS", NULL));
	CHECK(json_object_object_get_ex(d, "Password", &v) && v == NULL);
	CHECK(!json_object_object_get_ex(d, "Junk", NULL));
	CHECK(!json_object_object_get_ex(d, "KeyLengths", NULL));
	json_object_put(o);
	/* the values are shared: the copy outlives the body */
	CHECK(strcmp(json_object_get_string(json_object_object_get(d,
	    "subject")), "CN=a") == 0);
	json_object_put(d);
	o = kit_json("[1]");
	CHECK((d = fields_declared(tab, NTAB, o)) != NULL);
	CHECK(json_object_object_length(d) == 0);
	json_object_put(d);
	json_object_put(o);
}

static void
test_scalar_text(void **state)
{
	static const struct {
		const char	*json, *want;	/* want NULL: not a scalar */
	} cases[] = {
		{ "\"Owner\"", "Owner" }, { "5", "5" }, { "-5", "-5" },
		{ "true", "true" }, { "false", "false" }, { "1.5", "1.5" },
		{ "\"\"", "" }, { "[]", NULL }, { "{}", NULL },
	};
	json_object *o;
	char *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = kit_json(cases[i].json);
		s = field_scalar_text(o);
		if (cases[i].want == NULL ? s != NULL :
		    s == NULL || strcmp(s, cases[i].want) != 0)
			fail_msg("%s: got %s", cases[i].json, s ? s : "NULL");
		free(s);
		json_object_put(o);
	}
	CHECK(field_scalar_text(NULL) == NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_declared),
		cmocka_unit_test(test_scalar_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
