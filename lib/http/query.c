/* query.c - pq.queryString, paging and flag parameters (see query.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "query.h"

#define QS	"pq.queryString"	/* the parameter, in messages */

static const char *const field_names[QF__MAX] = {
	[QF_ID]			= "Id",
	[QF_THUMBPRINT]		= "Thumbprint",
	[QF_CERTREQUESTID]	= "CertRequestId",
	[QF_ISSUEDCN]		= "IssuedCN",
	[QF_SERIALNUMBER]	= "SerialNumber",
};

/* The parameter name prefixes Keyfactor's clients use, in lookup order
 * (the Go client pages stores with certificateStoreQuery., the SDK's
 * templates and histories take sq. and query.). */
static const char *const prefixes[] = { "", "pq.", "pagedQuery.",
    "certificateStoreQuery.", "sq.", "query." };

/* The query being read: s[pos] is the next byte; positions shown 1-based. */
struct lexer {
	const char	*s;
	size_t		 pos;
};

static enum ce_err qfail(struct ce_error *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* CE_INVAL with a message about the query: "pq.queryString: ...". */
static enum ce_err
qfail(struct ce_error *err, const char *fmt, ...)
{
	char msg[CE_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ce_fail(err, CE_INVAL, QS ": %s", msg);
}

const char *
query_field_name(enum query_field f)
{
	return (int)f >= 0 && f < QF__MAX ? field_names[f] : NULL;
}

/* Field of a name (any case), or QF__MAX. */
static enum query_field
field_lookup(const char *name, size_t len)
{
	int f;

	for (f = 0; f < QF__MAX; f++)
		if (strlen(field_names[f]) == len &&
		    strncasecmp(field_names[f], name, len) == 0)
			return (enum query_field)f;
	return QF__MAX;
}

/*
 * Decimal digits to an integer in 0..max; returns 0, or -1 when s is empty,
 * holds anything but digits, or is out of range.
 */
static int
parse_uint(const char *s, int64_t max, int64_t *out)
{
	int64_t v = 0;
	int d;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		d = *s - '0';
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

enum ce_err
query_id(const char *s, const char *name, int64_t *out, struct ce_error *err)
{
	int64_t v;

	if (parse_uint(s, INT64_MAX, &v) != 0 || v == 0)
		return ce_fail(err, CE_INVAL, "%s: '%.64s' is not a positive "
		    "integer.", name, s != NULL ? s : "");
	*out = v;
	return CE_OK;
}

static void
skip_space(struct lexer *lx)
{
	while (lx->s[lx->pos] != '\0' && isspace((unsigned char)lx->s[lx->pos]))
		lx->pos++;
}

/* Length of the run of non-space bytes at the current position. */
static size_t
word_len(const struct lexer *lx)
{
	size_t n = 0;

	while (lx->s[lx->pos + n] != '\0' &&
	    !isspace((unsigned char)lx->s[lx->pos + n]))
		n++;
	return n;
}

/* Reads a field name.  Errors: nothing there, '(' or an unknown name. */
static enum ce_err
read_field(struct lexer *lx, enum query_field *out, struct ce_error *err)
{
	size_t n = word_len(lx), at = lx->pos + 1;

	if (n == 0)
		return qfail(err, "a field name is missing at position %zu.",
		    at);
	if (lx->s[lx->pos] == '(' || lx->s[lx->pos] == ')')
		return qfail(err, "parentheses are not supported (position "
		    "%zu).", at);
	if ((*out = field_lookup(lx->s + lx->pos, n)) == QF__MAX)
		return qfail(err, "unknown field '%.*s' at position %zu "
		    "(known: Id, Thumbprint, CertRequestId, IssuedCN, "
		    "SerialNumber).", (int)(n > 64 ? 64 : n), lx->s + lx->pos,
		    at);
	lx->pos += n;
	return CE_OK;
}

/* Reads the operator after field f: only -eq. */
static enum ce_err
read_operator(struct lexer *lx, enum query_field f, struct ce_error *err)
{
	size_t n, at;

	skip_space(lx);
	n = word_len(lx);
	at = lx->pos + 1;
	if (n == 0)
		return qfail(err, "an operator is missing after '%s' (use "
		    "-eq).", field_names[f]);
	if (n == 3 && strncasecmp(lx->s + lx->pos, "-eq", 3) == 0) {
		lx->pos += n;
		return CE_OK;
	}
	if (lx->s[lx->pos] == '-')
		return qfail(err, "operator '%.*s' at position %zu is not "
		    "supported (only -eq).", (int)(n > 16 ? 16 : n),
		    lx->s + lx->pos, at);
	return qfail(err, "expected an operator after '%s' at position %zu, "
	    "found '%.*s'.", field_names[f], at, (int)(n > 32 ? 32 : n),
	    lx->s + lx->pos);
}

/* Appends byte c to the value; fails when the value gets too long. */
static enum ce_err
value_add(struct query_term *t, size_t *len, char c, size_t at,
    struct ce_error *err)
{
	if ((unsigned char)c < 0x20 || c == 0x7f)
		return qfail(err, "control character in the value at position "
		    "%zu.", at);
	if (*len >= QUERY_VALUE_MAX)
		return qfail(err, "the value at position %zu is longer than %d "
		    "bytes.", at, QUERY_VALUE_MAX);
	t->text[(*len)++] = c;
	t->text[*len] = '\0';
	return CE_OK;
}

/* Reads "quoted" text; \" and \\ are a quote and a backslash. */
static enum ce_err
read_quoted(struct lexer *lx, struct query_term *t, struct ce_error *err)
{
	size_t len = 0, start = lx->pos + 1;
	const char *s = lx->s;
	enum ce_err rc;

	t->text[0] = '\0';
	for (lx->pos++; s[lx->pos] != '"'; lx->pos++) {
		if (s[lx->pos] == '\0')
			return qfail(err, "unterminated quote at position %zu.",
			    start);
		if (s[lx->pos] == '\\' && (s[lx->pos + 1] == '"' ||
		    s[lx->pos + 1] == '\\'))
			lx->pos++;
		rc = value_add(t, &len, s[lx->pos], lx->pos + 1, err);
		if (rc != CE_OK)
			return rc;
	}
	lx->pos++;
	if (s[lx->pos] != '\0' && !isspace((unsigned char)s[lx->pos]))
		return qfail(err, "expected a space after the closing quote at "
		    "position %zu.", lx->pos);
	return CE_OK;
}

/* Reads a bare word; a quote inside one is an error. */
static enum ce_err
read_bare(struct lexer *lx, struct query_term *t, struct ce_error *err)
{
	size_t len = 0, n = word_len(lx), i;
	enum ce_err rc;

	t->text[0] = '\0';
	for (i = 0; i < n; i++, lx->pos++) {
		if (lx->s[lx->pos] == '"')
			return qfail(err, "unexpected quote at position %zu.",
			    lx->pos + 1);
		if ((rc = value_add(t, &len, lx->s[lx->pos], lx->pos + 1,
		    err)) != CE_OK)
			return rc;
	}
	return CE_OK;
}

/* Reads the value of term t and checks it fits the field. */
static enum ce_err
read_value(struct lexer *lx, struct query_term *t, struct ce_error *err)
{
	size_t at;
	enum ce_err rc;

	skip_space(lx);
	at = lx->pos + 1;
	if (lx->s[lx->pos] == '\0')
		return qfail(err, "a value is missing after '%s -eq'.",
		    field_names[t->field]);
	rc = lx->s[lx->pos] == '"' ? read_quoted(lx, t, err) :
	    read_bare(lx, t, err);
	if (rc != CE_OK)
		return rc;
	t->num = 0;
	if ((t->field == QF_ID || t->field == QF_CERTREQUESTID) &&
	    (parse_uint(t->text, INT64_MAX, &t->num) != 0 || t->num == 0))
		return qfail(err, "%s: '%.64s' at position %zu is not a "
		    "positive integer.", field_names[t->field], t->text, at);
	return CE_OK;
}

/*
 * After a term: the end, or AND and another term.  Returns CE_OK with *more
 * set when a term follows.
 */
static enum ce_err
read_joiner(struct lexer *lx, int *more, struct ce_error *err)
{
	size_t n, at;

	*more = 0;
	skip_space(lx);
	if (lx->s[lx->pos] == '\0')
		return CE_OK;
	n = word_len(lx);
	at = lx->pos + 1;
	if (n == 2 && strncasecmp(lx->s + lx->pos, "OR", 2) == 0)
		return qfail(err, "OR at position %zu is not supported (only "
		    "AND).", at);
	if (n != 3 || strncasecmp(lx->s + lx->pos, "AND", 3) != 0)
		return qfail(err, "expected AND at position %zu, found '%.*s'.",
		    at, (int)(n > 32 ? 32 : n), lx->s + lx->pos);
	lx->pos += n;
	skip_space(lx);
	if (lx->s[lx->pos] == '\0')
		return qfail(err, "a term is missing after AND at position "
		    "%zu.", at);
	*more = 1;
	return CE_OK;
}

/*
 * Parses the whole query: term (AND term)*.  out is emptied first and holds
 * a partial result on failure.
 */
enum ce_err
query_parse(const char *s, struct query *out, struct ce_error *err)
{
	struct lexer lx;
	struct query_term *t;
	enum ce_err rc;
	int more = 1;

	memset(out, 0, sizeof(*out));
	lx.s = s != NULL ? s : "";
	lx.pos = 0;
	skip_space(&lx);
	if (lx.s[lx.pos] == '\0')
		return CE_OK;
	while (more) {
		if (out->n == QUERY_TERMS_MAX)
			return qfail(err, "more than %d terms.",
			    QUERY_TERMS_MAX);
		t = &out->terms[out->n];
		if ((rc = read_field(&lx, &t->field, err)) != CE_OK ||
		    (rc = read_operator(&lx, t->field, err)) != CE_OK ||
		    (rc = read_value(&lx, t, err)) != CE_OK)
			return rc;
		out->n++;
		if ((rc = read_joiner(&lx, &more, err)) != CE_OK)
			return rc;
	}
	return CE_OK;
}

/*
 * Looks name up bare, then with each prefix; copies the spelling found into
 * used (for messages).  Returns the value or NULL.
 */
static const char *
lookup_prefixed(query_lookup fn, void *arg, const char *name, char *used,
    size_t usedsz)
{
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		snprintf(used, usedsz, "%s%s", prefixes[i], name);
		if ((v = fn(arg, used)) != NULL)
			return v;
	}
	snprintf(used, usedsz, "%s", name);
	return NULL;
}

/* One paging number: absent, empty or 0 give def; else 1..INT32_MAX. */
static enum ce_err
paging_number(query_lookup fn, void *arg, const char *name, int64_t def,
    int64_t *out, struct ce_error *err)
{
	char used[64];
	const char *v;
	int64_t n;

	*out = def;
	if ((v = lookup_prefixed(fn, arg, name, used, sizeof(used))) == NULL ||
	    *v == '\0')
		return CE_OK;
	if (parse_uint(v, INT32_MAX, &n) != 0)
		return ce_fail(err, CE_INVAL, "%s: '%.32s' is not an integer "
		    "from 0 to %d.", used, v, INT32_MAX);
	if (n > 0)
		*out = n;
	return CE_OK;
}

enum ce_err
query_paging(query_lookup fn, void *arg, struct paging *out,
    struct ce_error *err)
{
	enum ce_err rc;

	if ((rc = paging_number(fn, arg, "ReturnLimit", QUERY_LIMIT_DEFAULT,
	    &out->limit, err)) != CE_OK)
		return rc;
	return paging_number(fn, arg, "PageReturned", QUERY_PAGE_DEFAULT,
	    &out->page, err);
}

enum ce_err
query_filter(query_lookup fn, void *arg, struct query *out,
    struct ce_error *err)
{
	char used[64];

	return query_parse(lookup_prefixed(fn, arg, "QueryString", used,
	    sizeof(used)), out, err);
}

/* A boolean value v of parameter name (as spelt). */
static enum ce_err
parse_bool(const char *v, const char *name, int *out, struct ce_error *err)
{
	*out = 0;
	if (v == NULL || *v == '\0' || strcasecmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0)
		return CE_OK;
	if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0) {
		*out = 1;
		return CE_OK;
	}
	return ce_fail(err, CE_INVAL, "%s: '%.32s' is not a boolean (true, "
	    "false, 1, 0).", name, v);
}

enum ce_err
query_bool(query_lookup fn, void *arg, const char *name, int *out,
    struct ce_error *err)
{
	return parse_bool(fn(arg, name), name, out, err);
}

enum ce_err
query_paged_bool(query_lookup fn, void *arg, const char *name, int *out,
    struct ce_error *err)
{
	char used[64];
	const char *v = lookup_prefixed(fn, arg, name, used, sizeof(used));

	return parse_bool(v, used, out, err);
}

int64_t
query_offset(const struct paging *pg)
{
	if (pg->page <= 1 || pg->limit <= 0)
		return 0;
	if (pg->page - 1 > INT64_MAX / pg->limit)
		return INT64_MAX;
	return pg->limit * (pg->page - 1);
}
