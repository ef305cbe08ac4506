/* endpoint.c - the one runner of declared endpoints (endpoint.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "endpoint.h"
#include "http.h"
#include "metrics.h"
#include "query.h"

#define CACHED_EPS	32	/* endpoints of the served group whose series */
#define CACHED_CODES	10	/* ... for these statuses are remembered */

static const struct endpoint_group *served;
static const int cached_codes[CACHED_CODES] = {
	200, 400, 401, 403, 404, 405, 413, 415, 500, 503,
};
/* Series index + 1 (0: not registered yet) of each endpoint of the served
 * group, the last row for requests no endpoint took (404, 405): its
 * latency histogram, then its count per cached status. */
static int cache[CACHED_EPS + 1][1 + CACHED_CODES];

/* Whether the segment [s, s+n) of a path equals the literal [p, p+m). */
static int
seg_eq(const char *s, size_t n, const char *p, size_t m)
{
	return n == m && strncasecmp(s, p, n) == 0;
}

int
endpoint_match(const char *pattern, const char *path, struct ep_call *c)
{
	int nargs = 0;

	if (c != NULL)
		memset(c->arg, 0, sizeof(c->arg));
	while (*pattern == '/' && *path == '/') {
		size_t m, n;

		pattern++, path++;
		m = strcspn(pattern, "/");
		n = strcspn(path, "/");
		if (*pattern == '{') {
			if (n == 0 || nargs >= EP_MAX_ARGS)
				break;
			if (c != NULL)
				c->arg[nargs] = path;
			nargs++;
		} else if (!seg_eq(path, n, pattern, m))
			break;
		pattern += m, path += n;
	}
	if (*pattern == '\0' && *path == '\0')
		return 1;
	if (c != NULL)
		memset(c->arg, 0, sizeof(c->arg));
	return 0;
}

/* The name and type of the i-th "{name[:type]}" of pattern. */
static int
param_spec(const char *pattern, int i, char *name, size_t nsz, int *is_int)
{
	const char *p = pattern, *end;
	size_t n;

	while ((p = strchr(p, '{')) != NULL && i-- > 0)
		p++;
	if (p == NULL || (end = strchr(p, '}')) == NULL)
		return -1;
	n = strcspn(p + 1, ":}");
	snprintf(name, nsz, "%.*s", (int)n, p + 1);
	*is_int = strncmp(p + 1 + n, ":int}", 5) == 0;
	return 0;
}

/* The path parameters as segments of their own (copied: arg[i] pointed
 * into the path) and typed; 400 naming the parameter when one is bad. */
static enum ce_err
typed_args(const struct endpoint *ep, struct ep_call *c, char seg[][256],
    struct ce_error *err)
{
	char name[32];
	int i, is_int;

	for (i = 0; i < EP_MAX_ARGS && c->arg[i] != NULL; i++) {
		size_t n = strcspn(c->arg[i], "/");

		if (n >= 256)
			return ce_fail(err, CE_INVAL, "The path is too long.");
		memcpy(seg[i], c->arg[i], n);
		seg[i][n] = '\0';
		c->arg[i] = seg[i];
		if (param_spec(ep->path, i, name, sizeof(name), &is_int) == 0 &&
		    is_int && query_id(seg[i], name, &c->id[i], err) != CE_OK)
			return err->code;
	}
	return CE_OK;
}

/* Whether the ", "-separated list holds the token [t, t+m). */
static int
has_token(const char *list, const char *t, size_t m)
{
	const char *p;

	for (p = list; *p != '\0'; p += strcspn(p, ","), p += strspn(p, ", "))
		if (strcspn(p, ",") == m && strncmp(p, t, m) == 0)
			return 1;
	return 0;
}

/* "GET|HEAD" added to the Allow list in buf as "GET, HEAD", once each. */
static void
allow_add(char *buf, size_t n, const char *methods)
{
	const char *p;

	for (p = methods; *p != '\0'; p += strcspn(p, "|"), p += (*p == '|')) {
		size_t len = strlen(buf), m = strcspn(p, "|");

		if (!has_token(buf, p, m))
			snprintf(buf + len, n - len, "%s%.*s", len ? ", " : "",
			    (int)m, p);
	}
}

/* Whether every "{name:int}" of pattern has digits alone in c's path: a
 * path whose word stands where a number goes ("/Certificates/Recover") is
 * not that pattern's for a method it does not declare (404, not 405;
 * a declared method answers 400 naming the number). */
static int
ints_are_digits(const char *pattern, const struct ep_call *c)
{
	char name[32];
	int i, is_int;
	size_t n;

	for (i = 0; i < EP_MAX_ARGS && c->arg[i] != NULL; i++) {
		n = strcspn(c->arg[i], "/");
		if (param_spec(pattern, i, name, sizeof(name), &is_int) == 0 &&
		    is_int && strspn(c->arg[i], "0123456789") < n)
			return 0;
	}
	return 1;
}

/* The endpoint of g for this path and method: NULL with 404 or 405.  The
 * first pattern that matches the path is the path's ("Approve" before
 * "{id:int}"); its method picks among the endpoints declaring it.  A
 * method no endpoint of the pattern declares is a 405 where the path is
 * the pattern's, a 404 where a word stands for its number. */
static const struct endpoint *
route(const struct endpoint_group *g, struct http_req *r, struct ep_call *c,
    struct ce_error *err)
{
	struct ce_error merr;
	const char *pattern = NULL;
	char allow[64] = "";
	size_t i;

	ce_error_clear(&merr);
	for (i = 0; i < g->n && pattern == NULL; i++)
		if (endpoint_match(g->eps[i].path, http_path(r), c))
			pattern = g->eps[i].path;
	if (pattern == NULL) {
		ce_fail(err, CE_NOTFOUND, "No such endpoint.");
		return NULL;
	}
	for (i = 0; i < g->n; i++) {
		if (strcmp(g->eps[i].path, pattern) != 0)
			continue;
		if (http_require_method(r, g->eps[i].methods, &merr) == CE_OK)
			return &g->eps[i];
		allow_add(allow, sizeof(allow), g->eps[i].methods);
	}
	if (!ints_are_digits(pattern, c)) {
		ce_fail(err, CE_NOTFOUND, "No such endpoint.");
		return NULL;
	}
	http_set_allow(r, allow);
	ce_fail(err, CE_METHOD, "The method '%s' is not allowed here; use %s.",
	    http_param(r, "REQUEST_METHOD") ? http_param(r, "REQUEST_METHOD") :
	    "", allow);
	return NULL;
}

char *
endpoint_label(const struct endpoint *ep, char *buf, size_t n)
{
	const char *p;
	size_t len;

	snprintf(buf, n, "%.*s ", (int)strcspn(ep->methods, "|"), ep->methods);
	/* "{id:int}" is labelled "{id}" */
	for (p = ep->path; *p != '\0'; p++) {
		if (*p == ':')
			p += strcspn(p, "}") - 1;
		else if ((len = strlen(buf)) + 1 < n) {
			buf[len] = *p;
			buf[len + 1] = '\0';
		}
	}
	return buf;
}

/* The series family{program, endpoint[, code]}, through *slot (an entry
 * of cache, or NULL) once it is registered. */
static int
series(const char *family, const char *program, const char *endpoint,
    int code, int *slot)
{
	char labels[METRICS_LABELS_MAX] = "", num[16];
	int s;

	if (slot != NULL && (s = __atomic_load_n(slot, __ATOMIC_RELAXED)) > 0)
		return s - 1;
	snprintf(num, sizeof(num), "%d", code);
	if (metrics_label(labels, sizeof(labels), "program", program) != 0 ||
	    metrics_label(labels, sizeof(labels), "endpoint", endpoint) != 0 ||
	    (code != 0 && metrics_label(labels, sizeof(labels), "code",
	    num) != 0))
		return -1;
	if ((s = metrics_series(family, labels)) >= 0 && slot != NULL)
		__atomic_store_n(slot, s + 1, __ATOMIC_RELAXED);
	return s;
}

/* Counts the answer of r by its status, and its latency since t0, through
 * row (a row of cache, or NULL). */
static void
count_row(const char *program, const char *endpoint, struct http_req *r,
    uint64_t t0, int *row)
{
	int code = http_status(r), i;

	if (!metrics_on())
		return;
	for (i = 0; i < CACHED_CODES && cached_codes[i] != code; i++)
		;
	metrics_add(series("certenroll_http_requests_total", program,
	    endpoint, code, row != NULL && i < CACHED_CODES ? &row[1 + i] :
	    NULL), 0, 1);
	metrics_observe(series("certenroll_http_request_duration_seconds",
	    program, endpoint, 0, row != NULL ? &row[0] : NULL),
	    metrics_now_ns() - t0);
}

void
endpoint_count(const char *program, const char *endpoint, struct http_req *r,
    uint64_t t0)
{
	count_row(program, endpoint, r, t0, NULL);
}

/* Counts the request (ep NULL: routed nowhere). */
static void
count(const struct endpoint_group *g, const struct endpoint *ep,
    struct http_req *r, uint64_t t0)
{
	char name[160];
	int *row = NULL;
	size_t i;

	if (!metrics_on())
		return;
	if (g == served) {
		i = ep == NULL ? CACHED_EPS : (size_t)(ep - g->eps);
		if (ep == NULL || i < CACHED_EPS)
			row = cache[i];
	}
	count_row(g->program, ep != NULL ? endpoint_label(ep, name,
	    sizeof(name)) : "unmatched", r, t0, row);
}

/* The login and claim ep needs: none for EP_NO_LOGIN, none for
 * EP_WEB_OPEN where the web server says the client's address may (a
 * parameter no request header can set, as REMOTE_USER), else its claim
 * (or any login, when it names none). */
static enum ce_err
login(const struct endpoint *ep, struct ep_call *c, struct ce_error *err)
{
	const char *open = http_param(c->r, "CERTENROLL_METRICS_OPEN");

	if (ep->flags & EP_NO_LOGIN)
		return CE_OK;
	if ((ep->flags & EP_WEB_OPEN) && open != NULL &&
	    strcmp(open, "1") == 0)
		return CE_OK;
	if (ep->claim != NULL)
		return auth_require(c->db, c->user, ep->claim, err);
	if (c->user == NULL)
		return ce_fail(err, CE_UNAUTH, "Access is denied due to invalid "
		    "credentials: no authenticated user.");
	return CE_OK;
}

void
endpoint_handle(const struct endpoint_group *g, struct http_req *r)
{
	uint64_t t0 = metrics_now_ns();	/* the latency counted */
	const struct endpoint *ep;
	struct ep_call c;
	struct ce_error err;
	json_object *resp = NULL;
	char seg[EP_MAX_ARGS][256];
	enum ce_err rc;

	ce_error_clear(&err);
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.user = http_user(r);
	if ((ep = route(g, r, &c, &err)) == NULL ||
	    http_db(r, &c.db, &err) != CE_OK || login(ep, &c, &err) != CE_OK)
		goto fail;
	if (!(ep->flags & (EP_NO_LOGIN | EP_ANY_CLIENT | EP_WEB_OPEN)) &&
	    http_require_requested_with(r, &err) != CE_OK)
		goto fail;
	if (typed_args(ep, &c, seg, &err) != CE_OK)
		goto fail;
	if ((ep->flags & EP_BODY) &&
	    http_json_body(r, 0, &c.body, &err) != CE_OK)
		goto fail;
	if (ep->body != NULL) {
		if ((c.req = calloc(1, ep->body->size)) == NULL) {
			ce_fault(&err, CE_NOMEM, "request");
			goto fail;
		}
		if (fields_parse(ep->body->f, ep->body->n, c.body, c.req,
		    &err) != CE_OK)
			goto fail;
	}
	if ((rc = ep->work(&c, &resp, &err)) != CE_OK)
		goto fail;
	free(c.req);
	if (c.text != NULL)
		http_send_bytes(r, c.status ? c.status : 200, c.text_type,
		    "Cache-Control: no-store\r\n", c.text, c.text_len);
	else
		http_send_json(r, c.status ? c.status : 200, resp);
	free(c.text);
	count(g, ep, r, t0);
	return;
fail:
	free(c.req);
	free(c.text);
	json_object_put(resp);
	http_send_error(r, &err);
	count(g, ep, r, t0);
}

static void
handle(struct http_req *r)
{
	endpoint_handle(served, r);
}

int
endpoint_serve(const struct endpoint_group *g)
{
	served = g;
	return http_run(g->program, handle);
}
