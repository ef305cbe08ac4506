/* query.c - pq.queryString, paging and flag parameters (see query.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "query.h"
#include "timeutil.h"

#define QS	"pq.queryString"	/* the parameter, in messages */
#define DAY	86400
#define SHOW(n)	((int)((n) > 64 ? 64 : (n)))	/* a word, in messages */

/* The certificates' fields (GET /Certificates). */
static const struct query_field_def cert_fields[QF__MAX] = {
	[QF_ID]			= { "Id", "CertID", QT_NUMBER, 1 },
	[QF_CERTREQUESTID]	= { "CertRequestId", NULL, QT_NUMBER, 1 },
	[QF_THUMBPRINT]		= { "Thumbprint", NULL, QT_TEXT, 0 },
	[QF_SERIALNUMBER]	= { "SerialNumber", NULL, QT_TEXT, 0 },
	[QF_ISSUEDCN]		= { "IssuedCN", "CN", QT_TEXT, 0 },
	[QF_ISSUEDDN]		= { "IssuedDN", NULL, QT_TEXT, 0 },
	[QF_ISSUERDN]		= { "IssuerDN", NULL, QT_TEXT, 0 },
	[QF_CERTSTATE]		= { "CertState", NULL, QT_NUMBER, 0 },
	[QF_NOTBEFORE]		= { "NotBefore", NULL, QT_DATE, 0 },
	[QF_NOTAFTER]		= { "NotAfter", "ExpirationDate", QT_DATE, 0 },
	[QF_IMPORTDATE]		= { "ImportDate", NULL, QT_DATE, 0 },
	[QF_TEMPLATENAME]	= { "TemplateName", "TemplateShortName", QT_TEXT, 0 },
	[QF_CA]			= { "CA", "CertificateAuthorityName", QT_TEXT, 0 },
	[QF_REQUESTERNAME]	= { "RequesterName", NULL, QT_TEXT, 0 },
	[QF_KEYTYPE]		= { "KeyType", NULL, QT_TEXT, 0 },
	[QF_KEYSIZE]		= { "KeySize", NULL, QT_NUMBER, 0 },
	[QF_METADATA]		= { "Metadata", NULL, QT_TEXT, 0 },
};

const struct query_vocab query_certificates = {
	cert_fields, QF__MAX, QF_METADATA
};

#define METADATA_PREFIX	"Metadata."

static const char *const op_names[QO__MAX] = {
	[QO_EQ]		 = "-eq",
	[QO_NE]		 = "-ne",
	[QO_LT]		 = "-lt",
	[QO_LE]		 = "-le",
	[QO_GT]		 = "-gt",
	[QO_GE]		 = "-ge",
	[QO_CONTAINS]	 = "-contains",
	[QO_NOTCONTAINS] = "-notcontains",
	[QO_STARTSWITH]	 = "-startswith",
	[QO_ENDSWITH]	 = "-endswith",
	[QO_ISNULL]	 = "-isnull",
	[QO_NOTNULL]	 = "-notnull",
};

/* The parameter name prefixes Keyfactor's clients use, in lookup order
 * (the Go client pages stores with certificateStoreQuery., the SDK's
 * templates and histories take sq. and query.). */
static const char *const prefixes[] = { "", "pq.", "pagedQuery.",
    "certificateStoreQuery.", "sq.", "query." };

/* ---- words ------------------------------------------------------------- */

enum tok_kind {
	TK_END,
	TK_OPEN,		/* ( */
	TK_CLOSE,		/* ) */
	TK_WORD,		/* bare */
	TK_QUOTED,
};

/* One word of the query: where it starts (1-based, for messages), its
 * bytes as written (p, len) and, unquoted, its text. */
struct token {
	enum tok_kind	 kind;
	size_t		 at;
	const char	*p;
	size_t		 len;
	char		 text[QUERY_VALUE_MAX + 1];
};

/* The query being read: s[pos] is the next byte. */
struct parser {
	const struct query_vocab *v;
	const char	*param;		/* as the request spelt it */
	const char	*s;
	size_t		 pos;
	struct query	*q;
	struct ce_error	*err;
	int		 depth;
	time_t		 today;		/* UTC midnight */
};

static enum ce_err qfail(struct parser *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* CE_INVAL with a message about the query: "pq.queryString: ...". */
static enum ce_err
qfail(struct parser *ps, const char *fmt, ...)
{
	char msg[CE_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ce_fail(ps->err, CE_INVAL, "%s: %s", ps->param, msg);
}

const char *
query_field_name(const struct query_vocab *v, int f)
{
	return f >= 0 && (size_t)f < v->n ? v->fields[f].name : NULL;
}

/* The field of t, in its vocabulary. */
#define FIELD(ps, t)	(&(ps)->v->fields[(t)->field])

static int
word_is(const struct token *t, const char *w)
{
	return t->kind == TK_WORD && strlen(w) == t->len &&
	    strncasecmp(t->p, w, t->len) == 0;
}

static int
is_break(char c)
{
	return c == '\0' || c == '(' || c == ')' || isspace((unsigned char)c);
}

/* Appends byte c at position at to the token's text. */
static enum ce_err
text_add(struct parser *ps, struct token *t, size_t *len, char c, size_t at)
{
	if ((unsigned char)c < 0x20 || c == 0x7f)
		return qfail(ps, "control character in the value at "
		    "position %zu.", at);
	if (*len >= QUERY_VALUE_MAX)
		return qfail(ps, "the value at position %zu is longer "
		    "than %d bytes.", t->at, QUERY_VALUE_MAX);
	t->text[(*len)++] = c;
	t->text[*len] = '\0';
	return CE_OK;
}

/* "quoted" text; \" and \\ are a quote and a backslash, other
 * backslashes stay. */
static enum ce_err
lex_quoted(struct parser *ps, struct token *t)
{
	const char *s = ps->s;
	size_t len = 0;
	enum ce_err rc;

	t->kind = TK_QUOTED;
	for (ps->pos++; s[ps->pos] != '"'; ps->pos++) {
		if (s[ps->pos] == '\0')
			return qfail(ps, "unterminated quote at position "
			    "%zu.", t->at);
		if (s[ps->pos] == '\\' && (s[ps->pos + 1] == '"' ||
		    s[ps->pos + 1] == '\\'))
			ps->pos++;
		if ((rc = text_add(ps, t, &len, s[ps->pos], ps->pos + 1)) !=
		    CE_OK)
			return rc;
	}
	ps->pos++;
	if (!is_break(s[ps->pos]))
		return qfail(ps, "expected a space after the closing quote "
		    "at position %zu.", ps->pos);
	return CE_OK;
}

/* A bare word: up to white space or a parenthesis; no quotes inside. */
static enum ce_err
lex_bare(struct parser *ps, struct token *t)
{
	size_t len = 0;
	enum ce_err rc;

	t->kind = TK_WORD;
	for (; !is_break(ps->s[ps->pos]); ps->pos++) {
		if (ps->s[ps->pos] == '"')
			return qfail(ps, "unexpected quote at position "
			    "%zu.", ps->pos + 1);
		if ((rc = text_add(ps, t, &len, ps->s[ps->pos], ps->pos + 1)) !=
		    CE_OK)
			return rc;
	}
	return CE_OK;
}

/* Reads the next word into t. */
static enum ce_err
lex(struct parser *ps, struct token *t)
{
	enum ce_err rc = CE_OK;
	char c;

	while (isspace((unsigned char)ps->s[ps->pos]))
		ps->pos++;
	c = ps->s[ps->pos];
	t->at = ps->pos + 1;
	t->p = ps->s + ps->pos;
	t->text[0] = '\0';
	if (c == '\0')
		t->kind = TK_END;
	else if (c == '(' || c == ')') {
		t->kind = c == '(' ? TK_OPEN : TK_CLOSE;
		ps->pos++;
	} else if (c == '"')
		rc = lex_quoted(ps, t);
	else
		rc = lex_bare(ps, t);
	t->len = (size_t)(ps->s + ps->pos - t->p);
	return rc;
}

/* The next word, left unread. */
static enum ce_err
peek(struct parser *ps, struct token *t)
{
	size_t pos = ps->pos;
	enum ce_err rc = lex(ps, t);

	ps->pos = pos;
	return rc;
}

/* ---- terms ------------------------------------------------------------- */

/* Field of a name or alias (any case), or -1; a metadata field's name
 * into term->name. */
static int
field_lookup(const struct query_vocab *v, const struct token *w,
    struct query_term *term)
{
	size_t pl = strlen(METADATA_PREFIX);
	size_t f;

	for (f = 0; f < v->n; f++)
		if ((int)f != v->metadata && (word_is(w, v->fields[f].name) ||
		    (v->fields[f].alias != NULL &&
		    word_is(w, v->fields[f].alias))))
			return (int)f;
	if (v->metadata >= 0 && w->kind == TK_WORD && w->len > pl &&
	    w->len - pl <= QUERY_NAME_MAX &&
	    strncasecmp(w->p, METADATA_PREFIX, pl) == 0) {
		snprintf(term->name, sizeof(term->name), "%.*s",
		    (int)(w->len - pl), w->p + pl);
		return v->metadata;
	}
	return -1;
}

/* "Id, CertRequestId, ..., Metadata.<name>" into buf. */
static const char *
known_fields(const struct query_vocab *v, char *buf, size_t n)
{
	size_t f, used = 0;

	buf[0] = '\0';
	for (f = 0; f < v->n && used < n; f++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s%s",
		    f > 0 ? ", " : "", v->fields[f].name,
		    (int)f == v->metadata ? ".<name>" : "");
	return buf;
}

/* Reads the field name of term t. */
static enum ce_err
read_field(struct parser *ps, struct query_term *t)
{
	char known[400];
	struct token w;
	enum ce_err rc;

	if ((rc = lex(ps, &w)) != CE_OK)
		return rc;
	if (w.kind == TK_END || w.kind == TK_CLOSE)
		return qfail(ps, "a term is missing at position %zu.",
		    w.at);
	if (word_is(&w, "AND") || word_is(&w, "OR"))
		return qfail(ps, "a term is missing before %.*s at "
		    "position %zu.", (int)w.len, w.p, w.at);
	if ((t->field = field_lookup(ps->v, &w, t)) < 0)
		return qfail(ps, "unknown field '%.*s' at position %zu "
		    "(known: %s).", SHOW(w.len), w.p, w.at,
		    known_fields(ps->v, known, sizeof(known)));
	return CE_OK;
}

/* Whether operator op applies to values of type vt. */
static int
op_applies(enum query_op op, enum query_type vt)
{
	if (vt == QT_BOOL)
		return op == QO_EQ || op == QO_NE || op == QO_ISNULL ||
		    op == QO_NOTNULL;
	return vt == QT_TEXT || op < QO_CONTAINS || op > QO_ENDSWITH;
}

static const char *
type_name(enum query_type vt)
{
	return vt == QT_DATE ? "date" : vt == QT_BOOL ? "boolean" : "number";
}

/* Reads the operator after the field of t. */
static enum ce_err
read_operator(struct parser *ps, struct query_term *t)
{
	const char *fname = FIELD(ps, t)->name;
	enum query_type vt = FIELD(ps, t)->type;
	struct token w;
	enum ce_err rc;
	int o;

	if ((rc = lex(ps, &w)) != CE_OK)
		return rc;
	if (w.kind == TK_END)
		return qfail(ps, "an operator is missing after '%s' (use "
		    "-eq).", fname);
	for (o = 0; o < QO__MAX && !word_is(&w, op_names[o]); o++)
		continue;
	if (o < QO__MAX && !op_applies((enum query_op)o, vt))
		return qfail(ps, "operator '%s' at position %zu does not "
		    "apply to %s, a %s.", op_names[o], w.at, fname,
		    type_name(vt));
	if (o < QO__MAX) {
		t->op = (enum query_op)o;
		return CE_OK;
	}
	if (w.kind == TK_WORD && w.p[0] == '-')
		return qfail(ps, "operator '%.*s' at position %zu is not "
		    "supported (-eq, -ne, -lt, -le, -gt, -ge, -contains, "
		    "-notcontains, -startswith, -endswith, -isnull, -notnull).",
		    SHOW(w.len), w.p, w.at);
	return qfail(ps, "expected an operator after '%s' at position "
	    "%zu, found '%.*s'.", fname, w.at, SHOW(w.len), w.p);
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

/* A number value: ids from 1, CertState a number Keyfactor's way. */
static enum ce_err
number_value(struct parser *ps, struct query_term *t, size_t at)
{
	const char *fname = FIELD(ps, t)->name;
	int64_t min = FIELD(ps, t)->min;

	t->span = 1;
	if (parse_uint(t->text, INT64_MAX, &t->num) == 0 && t->num >= min)
		return CE_OK;
	if (ps->v == &query_certificates && t->field == QF_CERTSTATE)
		return qfail(ps, "Invalid CertState value: %.64s. "
		    "(position %zu: CertState takes numbers, 1 active, 2 "
		    "revoked)", t->text, at);
	return qfail(ps, "%s: '%.64s' at position %zu is not a %s "
	    "integer.", fname, t->text, at, min ? "positive" : "non-negative");
}

/* %TODAY%, %TODAY+n%, %TODAY-n% (any case): 0 and *out, or -1. */
static int
parse_today(const char *s, time_t today, int64_t *out)
{
	char digits[8];
	int64_t n = 0;
	size_t len = strlen(s);
	int sign;

	if (len < 7 || strncasecmp(s, "%TODAY", 6) != 0 || s[len - 1] != '%')
		return -1;
	if (len == 7) {
		*out = today;
		return 0;
	}
	sign = s[6] == '+' ? 1 : s[6] == '-' ? -1 : 0;
	if (sign == 0 || len - 8 >= sizeof(digits))
		return -1;
	snprintf(digits, sizeof(digits), "%.*s", (int)(len - 8), s + 7);
	if (parse_uint(digits, QUERY_DAYS_MAX, &n) != 0)
		return -1;
	*out = (int64_t)today + sign * n * DAY;
	return 0;
}

/* A date value: a timestamp (one second) or a day (its 24 hours). */
static enum ce_err
date_value(struct parser *ps, struct query_term *t, size_t at)
{
	struct ce_error scratch;
	time_t v;

	t->span = DAY;
	if (parse_today(t->text, ps->today, &t->num) == 0)
		return CE_OK;
	if (time_parse(t->text, FIELD(ps, t)->name, &v, &scratch) ==
	    CE_OK) {
		t->num = (int64_t)v;
		if (strlen(t->text) != 10)	/* not YYYY-MM-DD */
			t->span = 1;
		return CE_OK;
	}
	return qfail(ps, "%s: '%.64s' at position %zu is not a date "
	    "(2022-09-01T00:00:00Z, 2022-09-01, %%TODAY%%, %%TODAY+n%% or "
	    "%%TODAY-n%%, n up to %d).", FIELD(ps, t)->name, t->text, at,
	    QUERY_DAYS_MAX);
}

/* A boolean value: true or false (1 or 0), any case, into num. */
static enum ce_err
bool_value(struct parser *ps, struct query_term *t, size_t at)
{
	t->span = 1;
	if (strcasecmp(t->text, "true") == 0 || strcmp(t->text, "1") == 0)
		t->num = 1;
	else if (strcasecmp(t->text, "false") == 0 || strcmp(t->text, "0") == 0)
		t->num = 0;
	else
		return qfail(ps, "%s: '%.64s' at position %zu is not a "
		    "boolean (true, false).", FIELD(ps, t)->name, t->text, at);
	return CE_OK;
}

/* Reads the value of term t (none after -isnull, -notnull); a bare NULL
 * after -eq or -ne makes the term a null test. */
static enum ce_err
read_value(struct parser *ps, struct query_term *t)
{
	struct token w;
	enum ce_err rc;

	t->span = 1;
	if (t->op == QO_ISNULL || t->op == QO_NOTNULL)
		return CE_OK;
	if ((rc = lex(ps, &w)) != CE_OK)
		return rc;
	if (w.kind == TK_END || w.kind == TK_OPEN || w.kind == TK_CLOSE)
		return qfail(ps, "a value is missing after '%s %s' at "
		    "position %zu.", FIELD(ps, t)->name, op_names[t->op],
		    w.at);
	memcpy(t->text, w.text, sizeof(t->text));
	if (word_is(&w, "NULL") && (t->op == QO_EQ || t->op == QO_NE)) {
		t->op = t->op == QO_EQ ? QO_ISNULL : QO_NOTNULL;
		return CE_OK;
	}
	switch (FIELD(ps, t)->type) {
	case QT_NUMBER:
		return number_value(ps, t, w.at);
	case QT_DATE:
		return date_value(ps, t, w.at);
	case QT_BOOL:
		return bool_value(ps, t, w.at);
	default:
		return CE_OK;
	}
}

/* ---- the expression ---------------------------------------------------- */

static enum ce_err	parse_or(struct parser *, size_t *);

/* A new node; the bound on terms bounds the nodes. */
static size_t
node_add(struct query *q, enum query_node_kind kind, size_t a, size_t b)
{
	struct query_node *n = &q->nodes[q->nodes_n];

	n->kind = kind;
	n->a = a;
	n->b = b;
	return q->nodes_n++;
}

/* term into a new node *node. */
static enum ce_err
parse_term(struct parser *ps, size_t *node)
{
	struct query *q = ps->q;
	struct query_term *t;
	enum ce_err rc;

	if (q->n == QUERY_TERMS_MAX)
		return qfail(ps, "more than %d terms at position %zu (the "
		    "limit).", QUERY_TERMS_MAX, ps->pos + 1);
	t = &q->terms[q->n];
	if ((rc = read_field(ps, t)) != CE_OK ||
	    (rc = read_operator(ps, t)) != CE_OK ||
	    (rc = read_value(ps, t)) != CE_OK)
		return rc;
	*node = node_add(q, QN_TERM, q->n++, 0);
	return CE_OK;
}

/* "(" or ")" | term */
static enum ce_err
parse_primary(struct parser *ps, size_t *node)
{
	struct token w;
	enum ce_err rc;

	if ((rc = peek(ps, &w)) != CE_OK)
		return rc;
	if (w.kind != TK_OPEN)
		return parse_term(ps, node);
	if (++ps->depth > QUERY_DEPTH_MAX)
		return qfail(ps, "parentheses nested deeper than %d at "
		    "position %zu (the limit).", QUERY_DEPTH_MAX, w.at);
	(void)lex(ps, &w);
	if ((rc = parse_or(ps, node)) != CE_OK || (rc = lex(ps, &w)) != CE_OK)
		return rc;
	if (w.kind != TK_CLOSE)
		return qfail(ps, "expected ')' at position %zu, found "
		    "'%.*s'.", w.at, SHOW(w.len), w.p);
	ps->depth--;
	return CE_OK;
}

/* primary { word primary }, word AND (into QN_AND) or OR, each side
 * parsed by sub. */
static enum ce_err
parse_chain(struct parser *ps, const char *word, enum query_node_kind kind,
    enum ce_err (*sub)(struct parser *, size_t *), size_t *node)
{
	struct token w;
	size_t right;
	enum ce_err rc;

	if ((rc = sub(ps, node)) != CE_OK)
		return rc;
	for (;;) {
		if ((rc = peek(ps, &w)) != CE_OK)
			return rc;
		if (!word_is(&w, word))
			return CE_OK;
		(void)lex(ps, &w);
		if ((rc = sub(ps, &right)) != CE_OK)
			return rc;
		*node = node_add(ps->q, kind, *node, right);
	}
}

static enum ce_err
parse_and(struct parser *ps, size_t *node)
{
	return parse_chain(ps, "AND", QN_AND, parse_primary, node);
}

static enum ce_err
parse_or(struct parser *ps, size_t *node)
{
	return parse_chain(ps, "OR", QN_OR, parse_and, node);
}

/* Marks the terms reached from node through ANDs only as required. */
static void
mark_required(struct query *q, size_t node)
{
	const struct query_node *n = &q->nodes[node];

	if (n->kind == QN_TERM)
		q->terms[n->a].required = 1;
	else if (n->kind == QN_AND) {
		mark_required(q, n->a);
		mark_required(q, n->b);
	}
}

/*
 * Parses the whole query.  out is emptied first and holds a partial
 * result on failure.
 */
enum ce_err
query_parse(const char *s, struct query *out, struct ce_error *err)
{
	return query_parse_in(&query_certificates, QS, s, out, err);
}

enum ce_err
query_parse_in(const struct query_vocab *v, const char *param, const char *s,
    struct query *out, struct ce_error *err)
{
	struct parser ps;
	struct token w;
	time_t now = time(NULL);
	enum ce_err rc;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.v = v;
	ps.param = param;
	ps.s = s != NULL ? s : "";
	ps.q = out;
	ps.err = err;
	ps.today = now - now % DAY;
	if ((rc = peek(&ps, &w)) != CE_OK || w.kind == TK_END)
		return rc;
	if ((rc = parse_or(&ps, &out->root)) != CE_OK ||
	    (rc = lex(&ps, &w)) != CE_OK)
		return rc;
	if (w.kind == TK_CLOSE)
		return qfail(&ps, "')' at position %zu has no '('.", w.at);
	if (w.kind != TK_END)
		return qfail(&ps, "expected AND or OR at position %zu, found "
		    "'%.*s'.", w.at, SHOW(w.len), w.p);
	mark_required(out, out->root);
	return CE_OK;
}

enum ce_err
query_bind_me(struct query *q, const char *me, struct ce_error *err)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (strcasecmp(q->terms[i].text, "%ME%") != 0 ||
		    q->terms[i].op == QO_ISNULL || q->terms[i].op == QO_NOTNULL)
			continue;
		if (me == NULL || strlen(me) > QUERY_VALUE_MAX)
			return ce_fail(err, CE_INVAL, QS ": %%ME%% stands for "
			    "the caller, whose name is not one a query can "
			    "hold.");
		snprintf(q->terms[i].text, sizeof(q->terms[i].text), "%s", me);
	}
	return CE_OK;
}

/* ---- evaluation -------------------------------------------------------- */

static int
eval_node(const struct query *q, size_t node, query_term_test test,
    void *arg)
{
	const struct query_node *n = &q->nodes[node];

	switch (n->kind) {
	case QN_TERM:
		return test(&q->terms[n->a], arg) != 0;
	case QN_AND:
		return eval_node(q, n->a, test, arg) &&
		    eval_node(q, n->b, test, arg);
	default:
		return eval_node(q, n->a, test, arg) ||
		    eval_node(q, n->b, test, arg);
	}
}

int
query_eval(const struct query *q, query_term_test test, void *arg)
{
	return q->n == 0 || eval_node(q, q->root, test, arg);
}

/* Whether needle occurs in hay, ASCII case aside. */
static int
contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

static int
ends_with(const char *s, const char *end)
{
	size_t ls = strlen(s), le = strlen(end);

	return ls >= le && strcasecmp(s + ls - le, end) == 0;
}

/* An order comparison's outcome, given how a compares to b (< 0, 0, > 0). */
static int
ordered(enum query_op op, int cmp)
{
	switch (op) {
	case QO_EQ:	return cmp == 0;
	case QO_NE:	return cmp != 0;
	case QO_LT:	return cmp < 0;
	case QO_LE:	return cmp <= 0;
	case QO_GT:	return cmp > 0;
	case QO_GE:	return cmp >= 0;
	default:	return 0;
	}
}

int
query_text_matches(const struct query_term *t, const char *s)
{
	int null = s == NULL || *s == '\0';

	if (null)
		s = "";
	switch (t->op) {
	case QO_ISNULL:		return null;
	case QO_NOTNULL:	return !null;
	case QO_CONTAINS:	return contains(s, t->text);
	case QO_NOTCONTAINS:	return !contains(s, t->text);
	case QO_STARTSWITH:
		return strncasecmp(s, t->text, strlen(t->text)) == 0;
	case QO_ENDSWITH:	return ends_with(s, t->text);
	default:		return ordered(t->op, strcasecmp(s, t->text));
	}
}

int
query_number_matches(const struct query_term *t, int64_t v, int present)
{
	int cmp;

	if (t->op == QO_ISNULL || t->op == QO_NOTNULL)
		return (t->op == QO_NOTNULL) == (present != 0);
	if (!present)
		return t->op == QO_NE;
	/* v against the values num .. num + span - 1 */
	cmp = v < t->num ? -1 : v - t->num < t->span ? 0 : 1;
	return ordered(t->op, cmp);
}

/* ---- parameters -------------------------------------------------------- */

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

/*
 * Looks name up bare, then with each prefix; copies the spelling found into
 * used (for messages).  Returns the value or NULL.
 */
const char *
query_param(query_lookup fn, void *arg, const char *name, char *used,
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

/* One paging number: absent, empty or 0 give def; else 1..max. */
static enum ce_err
paging_number(query_lookup fn, void *arg, const char *name, int64_t def,
    int64_t max, int64_t *out, struct ce_error *err)
{
	char used[64];
	const char *v;
	int64_t n;

	*out = def;
	if ((v = query_param(fn, arg, name, used, sizeof(used))) == NULL ||
	    *v == '\0')
		return CE_OK;
	if (parse_uint(v, INT32_MAX, &n) != 0 || n > max)
		return ce_fail(err, CE_INVAL, "%s: '%.32s' is not an integer "
		    "from 0 to %lld%s.", used, v, (long long)max,
		    max < INT32_MAX ? " (the most one page holds)" : "");
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
	    QUERY_LIMIT_MAX, &out->limit, err)) != CE_OK)
		return rc;
	return paging_number(fn, arg, "PageReturned", QUERY_PAGE_DEFAULT,
	    INT32_MAX, &out->page, err);
}

enum ce_err
query_filter(query_lookup fn, void *arg, struct query *out,
    struct ce_error *err)
{
	return query_filter_in(&query_certificates, fn, arg, out, err);
}

enum ce_err
query_filter_in(const struct query_vocab *v, query_lookup fn, void *arg,
    struct query *out, struct ce_error *err)
{
	char used[64];
	const char *s = query_param(fn, arg, "QueryString", used,
	    sizeof(used));

	/* Certificates' messages say pq.queryString, as they always did. */
	return query_parse_in(v, s == NULL || v == &query_certificates ? QS :
	    used, s, out, err);
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
	const char *v = query_param(fn, arg, name, used, sizeof(used));

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
