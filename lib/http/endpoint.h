/*
 * endpoint.h - endpoints declared once, run by one runner (kcgi's model of
 * keys and pages).
 *
 * An endpoint is a declaration: the methods, a path pattern, the claim, the
 * body's field table and one work function.  A program serves a group of
 * them (endpoint_serve); for each request the runner does
 *
 *   match the path (404 when no endpoint of the group declares it)
 *   → the method (405 with Allow when none of the path's endpoints takes it)
 *   → the login and the claim (401, 403) → x-keyfactor-requested-with
 *   → the path parameters (400) → the JSON body and its field table (400,
 *   413, 415) → work → the answer (200 and the work's JSON, or the error
 *   body) → free → the request counted by endpoint and status, and its
 *   latency (metrics.h: a few atomic adds).
 *
 * Path patterns are matched case-insensitively, segment by segment, after
 * /KeyfactorAPI (http_path): a literal segment matches itself, "{name}" any
 * one segment, "{name:int}" a positive id (query_id's rules).  Endpoints of
 * a group are tried in their order, so literals go before a parameter in
 * the same place ("Pending" before "{id:int}").  /Status/Endpoints lists
 * every group's declarations (api.h).
 */
#ifndef CE_ENDPOINT_H
#define CE_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "error.h"
#include "fields.h"

struct ce_db;
struct http_req;

#define EP_MAX_ARGS	2

/* flags */
#define EP_NO_LOGIN	0x01	/* anyone (/health); implies EP_ANY_CLIENT */
#define EP_ANY_CLIENT	0x02	/* no x-keyfactor-requested-with needed */
#define EP_BODY		0x04	/* a JSON body is required (http_json_body) */
#define EP_UNLISTED	0x08	/* not in /Status/Endpoints (e.g. /health) */
#define EP_WEB_OPEN	0x10	/* no login where the web server passes
				 * CERTENROLL_METRICS_OPEN=1 (the addresses
				 * it lets in: this host's by default); the
				 * claim else */

struct ep_call {
	struct http_req	*r;
	struct ce_db	*db;
	const char	*user;		/* NULL only for EP_NO_LOGIN */
	json_object	*body;		/* with EP_BODY; owned by the request */
	void		*req;		/* the body parsed by the field table */
	const char	*arg[EP_MAX_ARGS];	/* path parameters, in order */
	int64_t		 id[EP_MAX_ARGS];	/* their value, for {name:int} */
	int		 status;	/* the answer's status, if not 200 */
	/* An answer that is not JSON: work leaves *resp NULL and sets
	 * these (text malloc'd, freed by the runner). */
	const char	*text_type;
	char		*text;
	size_t		 text_len;
};

struct endpoint {
	const char	*methods;	/* "POST", "GET|HEAD" */
	const char	*path;		/* "/Certificates/{id:int}" */
	const char	*claim;		/* required claim; NULL: any login */
	unsigned	 flags;
	const struct field_table *body;	/* the body's fields, or NULL */
	enum ce_err	(*work)(struct ep_call *c, json_object **resp,
			    struct ce_error *err);
};

struct endpoint_group {
	const char		*program;	/* name in logs */
	const struct endpoint	*eps;
	size_t			 n;
};

#define EP_GROUP(var, prog, table) \
	const struct endpoint_group var = { prog, table, \
	    sizeof(table) / sizeof((table)[0]) }

/* The whole life of a program serving g (http_run). */
int	endpoint_serve(const struct endpoint_group *g);
/* One request (what endpoint_serve runs); exposed for tests. */
void	endpoint_handle(const struct endpoint_group *g, struct http_req *r);
/* "GET /Certificates/{id}": ep's first method and path as
 * /Status/Endpoints lists it and /metrics labels it; returns buf. */
char	*endpoint_label(const struct endpoint *ep, char *buf, size_t n);
/* Counts r's answer (sent) as one of program's endpoint (a label as
 * endpoint_label makes it) with its latency since t0 (metrics_now_ns):
 * what the runner does for its endpoints, for a program outside it. */
void	endpoint_count(const char *program, const char *endpoint,
	    struct http_req *r, uint64_t t0);
/* Whether path matches pattern; fills c->arg (not typed). */
int	endpoint_match(const char *pattern, const char *path,
	    struct ep_call *c);

#endif
