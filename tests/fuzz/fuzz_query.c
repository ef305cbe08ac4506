/*
 * fuzz_query - the GET listings' query parameters.  The input is read two
 * ways: whole, as a pq.queryString for query_parse(); and as a decoded
 * query string "name=value&name=value" served to query_paging(),
 * query_filter() and query_bool() through a case-insensitive lookup, as
 * http_query() serves them.  Accepted queries and pages must keep the
 * promises of query.h (a tree that uses each term once, in order);
 * query_offset() is checked against a saturating multiplication of its own.
 */
#include <strings.h>

#include "fuzz.h"
#include "query.h"

#define PARAMS_MAX 16

struct params {
	size_t		 n;
	const char	*name[PARAMS_MAX];
	const char	*value[PARAMS_MAX];
};

static const char *
lookup(void *arg, const char *name)
{
	const struct params *p = arg;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcasecmp(p->name[i], name) == 0)
			return p->value[i];
	return NULL;
}

/* Splits s in place at '&' and the first '=' of each pair. */
static void
split_params(char *s, struct params *p)
{
	char *pair, *eq, *save = NULL;

	p->n = 0;
	for (pair = strtok_r(s, "&", &save); pair != NULL && p->n < PARAMS_MAX;
	    pair = strtok_r(NULL, "&", &save)) {
		if ((eq = strchr(pair, '=')) != NULL)
			*eq++ = '\0';
		p->name[p->n] = pair;
		p->value[p->n++] = eq != NULL ? eq : "";
	}
}

/* Whether the tree below node uses each term once, in order: *next is
 * the next term expected. */
static int
tree_ok(const struct query *q, size_t node, size_t *next, int depth)
{
	const struct query_node *n;

	if (node >= q->nodes_n || depth > (int)q->nodes_n)
		return 0;
	n = &q->nodes[node];
	if (n->kind == QN_TERM)
		return n->a == (*next)++;
	return (n->kind == QN_AND || n->kind == QN_OR) &&
	    tree_ok(q, n->a, next, depth + 1) && tree_ok(q, n->b, next,
	    depth + 1);
}

static void
check_query(const struct query *q, const char *s)
{
	size_t i, next = 0;

	FUZZ_CHECK(q->n <= QUERY_TERMS_MAX, "'%s': %zu terms", s, q->n);
	FUZZ_CHECK(q->n == 0 || (q->nodes_n == 2 * q->n - 1 &&
	    tree_ok(q, q->root, &next, 0) && next == q->n), "'%s': tree", s);
	for (i = 0; i < q->n; i++) {
		const struct query_term *t = &q->terms[i];

		FUZZ_CHECK((int)t->field >= 0 && t->field < QF__MAX &&
		    query_field_name(&query_certificates, t->field) != NULL,
		    "'%s': term %zu field %d",
		    s, i, (int)t->field);
		FUZZ_CHECK((int)t->op >= 0 && t->op < QO__MAX, "'%s': term %zu "
		    "op %d", s, i, (int)t->op);
		FUZZ_CHECK(memchr(t->text, '\0', sizeof(t->text)) != NULL,
		    "'%s': term %zu text unterminated", s, i);
		FUZZ_CHECK(t->span == 1 || t->span == 86400, "'%s': term %zu "
		    "span %lld", s, i, (long long)t->span);
		if ((t->field == QF_ID || t->field == QF_CERTREQUESTID) &&
		    t->op != QO_ISNULL && t->op != QO_NOTNULL)
			FUZZ_CHECK(t->num >= 1, "'%s': term %zu id %lld", s, i,
			    (long long)t->num);
	}
}

static void
check_paging(const struct paging *pg)
{
	int64_t want;

	FUZZ_CHECK(pg->limit >= 1 && pg->limit <= INT32_MAX, "limit %lld",
	    (long long)pg->limit);
	FUZZ_CHECK(pg->page >= 1 && pg->page <= INT32_MAX, "page %lld",
	    (long long)pg->page);
	if (__builtin_mul_overflow(pg->limit, pg->page - 1, &want))
		want = INT64_MAX;
	FUZZ_CHECK(query_offset(pg) == want, "offset %lld, not %lld",
	    (long long)query_offset(pg), (long long)want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ce_error err;
	struct query q;
	struct paging pg;
	struct params p;
	char *s;
	int b;

	s = fuzz_cstr(data, size);
	memset(&q, 0, sizeof(q));
	ce_error_clear(&err);
	if (query_parse(s, &q, &err) == CE_OK)
		check_query(&q, s);
	else
		FUZZ_CHECK(err.code == CE_INVAL && err.msg[0] != '\0', "no message");
	split_params(s, &p);
	memset(&q, 0, sizeof(q));
	if (query_filter(lookup, &p, &q, &err) == CE_OK)
		check_query(&q, "(QueryString parameter)");
	memset(&pg, 0, sizeof(pg));
	if (query_paging(lookup, &p, &pg, &err) == CE_OK)
		check_paging(&pg);
	b = -1;
	if (query_bool(lookup, &p, "includeLocations", &b, &err) == CE_OK)
		FUZZ_CHECK(b == 0 || b == 1, "bool %d", b);
	free(s);
	return 0;
}
