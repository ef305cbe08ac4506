/*
 * http.h - one request/response under FastCGI or plain CGI.
 *
 * A program's main() calls http_init() once, then loops on http_accept()
 * and finishes each request with http_send_json() or http_send_error().
 * Under a FastCGI process manager libfcgi gives the requests; started as a
 * plain CGI program (no FastCGI listen socket) exactly one request is read
 * from the environment and stdin.
 *
 * The configuration and the data directory are the process's own, fixed at
 * start (http_run): CERTENROLL_CONF, the data_dir it names or else
 * CERTENROLL_DATA (default /var/lib/certenroll), from the environment only;
 * FastCGI parameters of those names are ignored.  The LMDB environment is
 * opened then, after any fork, once per process.
 */
#ifndef CE_HTTP_H
#define CE_HTTP_H

#include <stddef.h>
#include <json-c/json.h>
#include "error.h"

struct ce_db;
struct http_req;

#define HTTP_BODY_LIMIT_DEFAULT	(1024 * 1024)

/* Per-process set-up; name is the program name used in logs. */
void		http_init(const char *name);

/*
 * The whole life of a program: set-up, then CERTENROLL_THREADS threads (8
 * by default; 1 under plain CGI) each accepting requests and calling
 * handle(r) for each; their writes share durable commits (db.h).
 * SIGTERM lets the requests in flight finish, then returns 0.
 */
int		http_run(const char *name, void (*handle)(struct http_req *));

/* Waits for the next request; returns NULL when the program should exit. */
struct http_req	*http_accept(void);
/* Ends the request (after a send) and frees it. */
void		http_finish(struct http_req *r);

/* CGI/FastCGI parameter (e.g. "REQUEST_METHOD", "HTTP_X_CERTIFICATEFORMAT");
 * NULL when absent.  Borrowed until http_finish(). */
const char	*http_param(struct http_req *r, const char *name);
/* The request path without query and without the /KeyfactorAPI prefix, with
 * a trailing slash removed, e.g. "/Enrollment/PFX". */
const char	*http_path(struct http_req *r);
/* Value of a query parameter (matched case-insensitively, URL-decoded);
 * NULL when absent.  Borrowed until http_finish(). */
const char	*http_query(struct http_req *r, const char *name);
/* http_query() as a query_lookup (query.h): r is the request. */
const char	*http_query_lookup(void *r, const char *name);

/* The authenticated user (REMOTE_USER) or NULL. */
const char	*http_user(struct http_req *r);
/* The process's database, opened at start. */
enum ce_err	 http_db(struct http_req *r, struct ce_db **out, struct ce_error *err);

/* Gates: method must be one of a '|'-separated list ("POST", "GET|HEAD"). */
enum ce_err	 http_require_method(struct http_req *r, const char *methods,
		    struct ce_error *err);
/* The x-keyfactor-requested-with header, unless switched off by the
 * require_requested_with setting. */
enum ce_err	 http_require_requested_with(struct http_req *r, struct ce_error *err);
/* x-keyfactor-api-version: 1, 1.0, 2, 2.0; absent = 1. */
enum ce_err	 http_api_version(struct http_req *r, int *out, struct ce_error *err);

/* Reads and parses the JSON body (content type checked, size limited).
 * A missing/empty body gives a NULL *out when allow_empty, else CE_INVAL.
 * *out is owned by the request (freed by http_finish). */
enum ce_err	 http_json_body(struct http_req *r, int allow_empty,
		    json_object **out, struct ce_error *err);

/* The body as sent, of any type, at most limit bytes (CE_TOOBIG past it);
 * *out malloc'd and NUL-terminated (caller frees). */
enum ce_err	 http_raw_body(struct http_req *r, size_t limit,
		    unsigned char **out, size_t *len, struct ce_error *err);
/* Sends status and a body of content type type; headers: more header
 * lines, each ending in CRLF (or NULL). */
void		 http_send_bytes(struct http_req *r, int status, const char *type,
		    const char *headers, const void *body, size_t n);
/* Sends status + JSON body (application/json; charset=utf-8); takes
 * ownership of body. */
void		 http_send_json(struct http_req *r, int status, json_object *body);
/* The status of the answer sent, 0 before one is. */
int		 http_status(const struct http_req *r);
/* The Allow header a 405 answer carries ("GET, HEAD"); copied. */
void		 http_set_allow(struct http_req *r, const char *methods);
/* Sends the API's error body for err; 5xx are already logged by ce_fault. */
void		 http_send_error(struct http_req *r, const struct ce_error *err);

#endif
