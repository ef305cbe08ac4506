/* endpoint.c - the one runner of declared endpoints (endpoint.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "endpoint.h"
#include "http.h"
#include "query.h"

static const struct endpoint_group *served;

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

void
endpoint_handle(const struct endpoint_group *g, struct http_req *r)
{
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
	    http_db(r, &c.db, &err) != CE_OK)
		goto fail;
	if (!(ep->flags & EP_NO_LOGIN) && (ep->claim != NULL ?
	    auth_require(c.db, c.user, ep->claim, &err) : c.user == NULL ?
	    ce_fail(&err, CE_UNAUTH, "Access is denied due to invalid "
	    "credentials: no authenticated user.") : CE_OK) != CE_OK)
		goto fail;
	if (!(ep->flags & (EP_NO_LOGIN | EP_ANY_CLIENT)) &&
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
	http_send_json(r, c.status ? c.status : 200, resp);
	return;
fail:
	free(c.req);
	json_object_put(resp);
	http_send_error(r, &err);
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
