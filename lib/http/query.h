/*
 * query.h - the query parameters of the API's GET listings.
 *
 * pq.queryString is Keyfactor's query language; certenroll understands the
 * part clients use to look certificates up (GOCLI, terraform, scripts):
 *   Thumbprint -eq "AB01..."
 *   CertRequestId -eq 42
 *   IssuedCN -eq "web1.example.com" AND SerialNumber -eq "7F00..."
 * Terms are "Field -eq value" joined with AND; field names and operators
 * are matched case-insensitively; a value is either "quoted" (\" and \\
 * escape a quote and a backslash inside) or a bare word ending at white
 * space.  Fields: Id, CertRequestId (positive integers), Thumbprint,
 * IssuedCN, SerialNumber (text).  Other operators, OR, parentheses and
 * unknown fields are CE_INVAL with a message naming what is wrong, e.g.
 * "pq.queryString: unknown field 'Foo' at position 1".  An empty or
 * all-blank query has no terms and matches everything.
 *
 * Paging: ReturnLimit (default 50) and PageReturned (default 1, first page),
 * read under their bare names, with a "pq.", "pagedQuery.",
 * "certificateStoreQuery.", "sq." or "query." prefix (the names are looked
 * up in this order; the lookup itself is expected to be
 * case-insensitive, as http_query() is).  0 means "not set" (typed clients
 * send 0); negative or non-numeric values are CE_INVAL naming the parameter.
 */
#ifndef CE_QUERY_H
#define CE_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

enum query_field {
	QF_ID,
	QF_THUMBPRINT,
	QF_CERTREQUESTID,
	QF_ISSUEDCN,
	QF_SERIALNUMBER,
	QF__MAX
};

#define QUERY_TERMS_MAX		8
#define QUERY_VALUE_MAX		256	/* bytes, NUL excluded */
#define QUERY_LIMIT_DEFAULT	50
#define QUERY_PAGE_DEFAULT	1

struct query_term {
	enum query_field	 field;
	char			 text[QUERY_VALUE_MAX + 1]; /* as written */
	int64_t			 num;	/* of Id, CertRequestId */
};

struct query {
	size_t			 n;
	struct query_term	 terms[QUERY_TERMS_MAX];
};

struct paging {
	int64_t	limit;		/* ReturnLimit, >= 1 */
	int64_t	page;		/* PageReturned, >= 1 */
};

/* The API's spelling of a field ("CertRequestId"); NULL out of range. */
const char	*query_field_name(enum query_field f);

/* Parses a pq.queryString (NULL is the empty query) into out. */
enum ce_err	query_parse(const char *s, struct query *out,
		    struct ce_error *err);

/*
 * Looks a query parameter up by name (e.g. http_query() on the request).
 * The returned value need only stay valid until the next call of the
 * lookup: the functions below copy or parse it at once.
 */
typedef const char	*(*query_lookup)(void *arg, const char *name);

/* Reads ReturnLimit and PageReturned (see above) into out. */
enum ce_err	query_paging(query_lookup fn, void *arg, struct paging *out,
		    struct ce_error *err);
/* Reads QueryString (bare, pq., pagedQuery.) and parses it into out. */
enum ce_err	query_filter(query_lookup fn, void *arg, struct query *out,
		    struct ce_error *err);
/*
 * Reads a boolean parameter such as includeLocations: true/false/1/0 in any
 * case; absent or empty is false.  Anything else is CE_INVAL naming it.
 */
enum ce_err	query_bool(query_lookup fn, void *arg, const char *name,
		    int *out, struct ce_error *err);
/* query_bool of a listing's flag, read bare or with a paging prefix as
 * ReturnLimit is (e.g. includeRevoked, pq.includeRevoked). */
enum ce_err	query_paged_bool(query_lookup fn, void *arg, const char *name,
		    int *out, struct ce_error *err);

/*
 * Parses a path or query id: decimal digits only, 1..INT64_MAX.  name is
 * used in the message ("Id: 'abc' is not a positive integer.").
 */
enum ce_err	query_id(const char *s, const char *name, int64_t *out,
		    struct ce_error *err);

/* The zero-based index of the first item of the page (limit * (page - 1)),
 * saturated at INT64_MAX. */
int64_t		query_offset(const struct paging *pg);

#endif
