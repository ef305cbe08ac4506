/*
 * query.h - the query parameters of the API's GET listings.
 *
 * pq.queryString is Keyfactor's query language for certificates:
 *   query   := (blank) | or
 *   or      := and { OR and }
 *   and     := primary { AND primary }        AND binds tighter than OR
 *   primary := "(" or ")" | term
 *   term    := Field op value | Field -isnull | Field -notnull
 * for example
 *   CertRequestId -eq 42
 *   (IssuedCN -eq "x")AND Id -eq 5              the Go client's form
 *   IssuedCN -contains "web" OR (CertState -eq 2 AND NotAfter -lt %TODAY+30%)
 * Words split at white space and at parentheses.  Field names, operators,
 * AND, OR and NULL match in any case.  A value is "quoted" (\" and \\ are
 * a quote and a backslash inside) or a bare word.
 *
 * Fields (aliases after '/'), by type:
 *   numbers  Id/CertID, CertRequestId (1..), KeySize, CertState (numbers
 *            only: 1 active, 2 revoked; a word is "Invalid CertState
 *            value: Revoked.")
 *   dates    NotBefore, NotAfter/ExpirationDate, ImportDate:
 *            "2022-09-01T00:00:00Z", a day "2022-09-01", or %TODAY%,
 *            %TODAY+n%, %TODAY-n% (n days from today's UTC midnight, n up
 *            to QUERY_DAYS_MAX); a day stands for its 24 hours (-eq is
 *            within it, -lt before it, -gt after it)
 *   text     Thumbprint, SerialNumber, IssuedCN/CN, IssuedDN, IssuerDN,
 *            TemplateName/TemplateShortName, CA/CertificateAuthorityName,
 *            RequesterName, KeyType (RSA, ECC, Ed25519, Ed448, or
 *            Keyfactor's numbers 1, 3, 5, 6), and Metadata.<name> (a
 *            metadata field by its name); a text value %ME% is the caller
 *            (query_bind_me)
 * Operators: -eq -ne (all), -lt -le -gt -ge (numbers, dates and text),
 * -contains -notcontains -startswith -endswith (text), -isnull -notnull
 * (no value; "-eq NULL" and "-ne NULL" with a bare NULL say the same).
 * What a comparison means for a record (text ignores ASCII case, an empty
 * text is null) is query_text_matches and query_number_matches.
 *
 * Errors are CE_INVAL with a message "pq.queryString: ..." naming the
 * problem and its 1-based position, e.g. "pq.queryString: unknown field
 * 'Foo' at position 1."  Bounds: QUERY_TERMS_MAX terms, parentheses
 * QUERY_DEPTH_MAX deep, values of QUERY_VALUE_MAX bytes.  An empty or
 * all-blank query has no terms and matches everything.
 *
 * Paging: ReturnLimit (default 50) and PageReturned (default 1, first page),
 * read under their bare names, with a "pq.", "pagedQuery.",
 * "certificateStoreQuery.", "sq." or "query." prefix (the names are looked
 * up in this order; the lookup itself is expected to be
 * case-insensitive, as http_query() is).  0 means "not set" (typed clients
 * send 0); negative or non-numeric values, and a ReturnLimit above
 * QUERY_LIMIT_MAX (a page is built in memory), are CE_INVAL naming the
 * parameter.
 */
#ifndef CE_QUERY_H
#define CE_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

enum query_field {
	QF_ID,
	QF_CERTREQUESTID,
	QF_THUMBPRINT,
	QF_SERIALNUMBER,
	QF_ISSUEDCN,
	QF_ISSUEDDN,
	QF_ISSUERDN,
	QF_CERTSTATE,
	QF_NOTBEFORE,
	QF_NOTAFTER,
	QF_IMPORTDATE,
	QF_TEMPLATENAME,
	QF_CA,
	QF_REQUESTERNAME,
	QF_KEYTYPE,
	QF_KEYSIZE,
	QF_METADATA,		/* Metadata.<name> */
	QF__MAX
};

enum query_op {
	QO_EQ,
	QO_NE,
	QO_LT,
	QO_LE,
	QO_GT,
	QO_GE,
	QO_CONTAINS,
	QO_NOTCONTAINS,
	QO_STARTSWITH,
	QO_ENDSWITH,
	QO_ISNULL,		/* also -eq NULL */
	QO_NOTNULL,		/* also -ne NULL */
	QO__MAX
};

#define QUERY_TERMS_MAX		32
#define QUERY_DEPTH_MAX		8	/* parentheses inside parentheses */
#define QUERY_VALUE_MAX		256	/* bytes, NUL excluded */
#define QUERY_NAME_MAX		64	/* a metadata field's name */
#define QUERY_DAYS_MAX		36500	/* n of %TODAY+n% */
#define QUERY_LIMIT_DEFAULT	50
#define QUERY_LIMIT_MAX		5000	/* ReturnLimit: KF-SCRIPTS ask for 5000 */
#define QUERY_PAGE_DEFAULT	1

/*
 * A listing's vocabulary: its fields, their names and types.  Certificates
 * have query_certificates (the fields above, QF_ indexes); the catalog
 * declares the templates' and CAs' (catalog.h).
 */
enum query_type {
	QT_TEXT,
	QT_NUMBER,
	QT_DATE,
	QT_BOOL,		/* true/false (1/0); -eq and -ne only */
};

struct query_field_def {
	const char	*name;
	const char	*alias;		/* NULL: none */
	enum query_type	 type;
	int64_t		 min;		/* numbers: the least value */
};

struct query_vocab {
	const struct query_field_def	*fields;
	size_t				 n;
	int				 metadata;	/* the field of
							 * Metadata.<name>, -1 */
};
extern const struct query_vocab query_certificates;

struct query_term {
	int			 field;		/* in the query's vocabulary */
	enum query_op		 op;
	char			 name[QUERY_NAME_MAX + 1]; /* QF_METADATA */
	char			 text[QUERY_VALUE_MAX + 1]; /* as written */
	/* Numbers and dates: the values from num to num + span - 1 (span 1,
	 * or 86400 seconds for a day); dates in seconds since the epoch. */
	int64_t			 num;
	int64_t			 span;
	/* The query holds only if this term does (it sits under ANDs only):
	 * an index may answer for it. */
	int			 required;
};

/* The expression: a tree over terms[], its nodes in nodes[]. */
enum query_node_kind {
	QN_TERM,		/* a: the term's index */
	QN_AND,			/* a, b: the operands' node indexes */
	QN_OR,
};

struct query_node {
	enum query_node_kind	 kind;
	size_t			 a, b;
};

struct query {
	size_t			 n;	/* terms; 0: matches everything */
	struct query_term	 terms[QUERY_TERMS_MAX];
	size_t			 nodes_n;
	struct query_node	 nodes[2 * QUERY_TERMS_MAX];
	size_t			 root;	/* when n > 0 */
};

struct paging {
	int64_t	limit;		/* ReturnLimit, >= 1 */
	int64_t	page;		/* PageReturned, >= 1 */
};

/* The API's spelling of a field ("CertRequestId"); NULL out of range. */
const char	*query_field_name(const struct query_vocab *v, int f);

/* Parses a pq.queryString (NULL is the empty query) into out; dates
 * relative to today are fixed at the time of the call. */
enum ce_err	query_parse(const char *s, struct query *out,
		    struct ce_error *err);
/* %ME% (any case) as a text value stands for the caller: each such value
 * of q becomes me (e.g. RequesterName -eq %ME%).  CE_INVAL when q holds one
 * and me is NULL or longer than a value may be. */
enum ce_err	query_bind_me(struct query *q, const char *me,
		    struct ce_error *err);
/* The same in another vocabulary; param names the parameter in messages. */
enum ce_err	query_parse_in(const struct query_vocab *v, const char *param,
		    const char *s, struct query *out, struct ce_error *err);

/* Whether a record satisfies the term t (1) or not (0). */
typedef int	(*query_term_test)(const struct query_term *t, void *arg);
/* Whether a record satisfies q, asking test about its terms (not
 * necessarily all of them: AND and OR stop once the answer is known). */
int		query_eval(const struct query *q, query_term_test test,
		    void *arg);
/* Whether text s (NULL or "" is null) satisfies t, ASCII case aside;
 * -lt ... -ge order it as strcasecmp does. */
int		query_text_matches(const struct query_term *t, const char *s);
/* Whether number or date v (present 0: null) satisfies t; a -contains
 * family operator is never true here (query_parse refuses it). */
int		query_number_matches(const struct query_term *t, int64_t v,
		    int present);

/*
 * Looks a query parameter up by name (e.g. http_query() on the request).
 * The returned value need only stay valid until the next call of the
 * lookup: the functions below copy or parse it at once.
 */
typedef const char	*(*query_lookup)(void *arg, const char *name);

/* Reads ReturnLimit and PageReturned (see above) into out. */
enum ce_err	query_paging(query_lookup fn, void *arg, struct paging *out,
		    struct ce_error *err);
/* The value of parameter name, bare or with a paging prefix (the first
 * found, in the order above); the spelling found into used (usedsz bytes,
 * for messages; name itself when there is none).  NULL when absent. */
const char	*query_param(query_lookup fn, void *arg, const char *name,
		    char *used, size_t usedsz);
/* Reads QueryString (bare or with a paging prefix) and parses it into out;
 * query_filter_in in vocabulary v (its messages name the parameter as the
 * request spelt it). */
enum ce_err	query_filter(query_lookup fn, void *arg, struct query *out,
		    struct ce_error *err);
enum ce_err	query_filter_in(const struct query_vocab *v, query_lookup fn,
		    void *arg, struct query *out, struct ce_error *err);
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
