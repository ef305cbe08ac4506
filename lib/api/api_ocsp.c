/*
 * api_ocsp.c - the OCSP responder (RFC 6960 with RFC 5019's HTTP profile),
 * outside the Keyfactor API: no login, DER in and out, answers from
 * ocsp.h.
 *   POST /ocsp            body: DER OCSPRequest (application/ocsp-request)
 *   GET  /ocsp/<base64>   the request base64-encoded, then URL-encoded
 * Every answer is 200 application/ocsp-response, whose own status says
 * what was wrong with a request (malformedRequest, unauthorized,
 * tryLater); a good or revoked answer may be cached for its max-age, one
 * to a nonce not at all.  Other methods: 405.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api.h"
#include "b64.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "ocsp.h"

/* Percent-decodes in place ('+' is a '+': it is a path, and base64). */
static void
pct_decode(char *s)
{
	char *o = s;
	unsigned int c;

	for (; *s != '\0'; s++) {
		if (*s == '%' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2]) && sscanf(s + 1, "%2x", &c) == 1) {
			*o++ = (char)c;
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

/* The GET request's DER: the path after /ocsp/ as the client sent it
 * (the web server's decoded path may have merged the slashes of base64). */
static int
get_request(struct http_req *r, struct ce_buf *der)
{
	const char *uri = http_param(r, "REQUEST_URI");
	const char *p;
	char *b64;
	size_t n;
	int ok;

	if (uri == NULL || strncasecmp(uri, "/ocsp/", 6) != 0)
		return 0;
	p = uri + 6;
	n = strcspn(p, "?");
	if (n == 0 || n > OCSP_REQUEST_MAX * 2 || (b64 = strndup(p, n)) == NULL)
		return 0;
	pct_decode(b64);
	ok = b64_decode(b64, der) == CE_OK;
	free(b64);
	return ok;
}

static void
send_answer(struct http_req *r, const unsigned char *resp, size_t len,
    int max_age)
{
	char headers[512], now_s[40], exp_s[40];
	time_t now = time(NULL), exp = now + max_age;
	struct tm tm;

	if (max_age > 0) {
		gmtime_r(&now, &tm);
		strftime(now_s, sizeof(now_s), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		gmtime_r(&exp, &tm);
		strftime(exp_s, sizeof(exp_s), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		snprintf(headers, sizeof(headers), "Cache-Control: max-age=%d, "
		    "public, no-transform, must-revalidate\r\nLast-Modified: %s"
		    "\r\nExpires: %s\r\n", max_age, now_s, exp_s);
	} else
		snprintf(headers, sizeof(headers), "Cache-Control: no-store\r\n");
	http_send_bytes(r, 200, "application/ocsp-response", headers, resp, len);
}

static void
handle(struct http_req *r)
{
	const char *method = http_param(r, "REQUEST_METHOD");
	struct ce_buf der = { NULL, 0 };
	struct ce_error err;
	struct ce_db *db = NULL;
	unsigned char *body = NULL, *resp = NULL;
	size_t len = 0, rlen = 0;
	int max_age = 0, get;

	ce_error_clear(&err);
	get = method != NULL && (strcmp(method, "GET") == 0 ||
	    strcmp(method, "HEAD") == 0);
	if (!get && (method == NULL || strcmp(method, "POST") != 0)) {
		http_set_allow(r, "GET, HEAD, POST");
		ce_fail(&err, CE_METHOD, "Use GET or POST.");
		http_send_error(r, &err);
		return;
	}
	if (http_db(r, &db, &err) != CE_OK) {
		http_send_error(r, &err);
		return;
	}
	/* What does not read as a request is answered as one that is
	 * malformed (an empty request does that). */
	if (get) {
		if (!get_request(r, &der))
			buf_free(&der);
	} else if (http_raw_body(r, OCSP_REQUEST_MAX, &body, &len, &err) == CE_OK) {
		der.data = body;
		der.len = len;
		body = NULL;
	}
	ce_error_clear(&err);
	if (ocsp_answer(db, der.data != NULL ? der.data : (const unsigned char *)"",
	    der.len, &resp, &rlen, &max_age, &err) != CE_OK) {
		http_send_error(r, &err);
		goto out;
	}
	send_answer(r, resp, rlen, max_age);
out:
	buf_free(&der);
	free(body);
	free(resp);
}

/* handle, counted as the runner counts its endpoints (endpoint.h). */
static void
counted(struct http_req *r)
{
	const char *m = http_param(r, "REQUEST_METHOD");
	uint64_t t0 = metrics_now_ns();

	handle(r);
	if (m == NULL)
		m = "";
	endpoint_count("ocsp", strcmp(m, "POST") == 0 ? "POST /ocsp" :
	    strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ?
	    "GET /ocsp/{request}" : "unmatched", r, t0);
}

int
ocsp_serve(void)
{
	return http_run("ocsp", counted);
}
