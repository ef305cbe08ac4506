/*
 * http.c - FastCGI / CGI request handling (see http.h).
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <pthread.h>
#include <sys/resource.h>

#include <fcgiapp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "activation.h"
#include "config.h"
#include "fileutil.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "settings.h"
#include "db.h"
#include "utf8.h"

#define API_PREFIX	"/KeyfactorAPI"
#define DEFAULT_DATA	"/var/lib/certenroll"

struct http_req {
	FCGX_Request	 fcgx;
	int		 cgi;		/* plain CGI: environ/stdin/stdout */
	int		 sent;
	int		 status;	/* the answer's, once sent */
	char		*path;
	char		*query;		/* raw query string copy */
	char		*qvals[16];	/* decoded query values, freed at finish */
	int		 nqvals;
	json_object	*body;
	char		 allow[64];	/* the Allow header of a 405 */
};

#define THREADS_DEFAULT	8
#define THREADS_MAX	64

static struct {
	int		 cgi;
	int		 cgi_done;
	int		 nthreads;
	struct ce_db	*db;		/* opened at start, never changed */
	long		 served;
	volatile sig_atomic_t stop;
	pthread_mutex_t	 lock;		/* served */
	pthread_mutex_t	 accept_lock;	/* one thread in accept() at a time */
	pthread_t	 threads[THREADS_MAX];
	volatile int	 in_accept[THREADS_MAX];
} proc = { .lock = PTHREAD_MUTEX_INITIALIZER,
    .accept_lock = PTHREAD_MUTEX_INITIALIZER };

/* SIGUSR1 only interrupts a thread's accept(); the handler does nothing. */
static void
on_wake(int sig)
{
	(void)sig;
}

void
http_init(const char *name)
{
	struct sigaction sa;
	struct rlimit nocore = { 0, 0 };
	struct ce_error err;
	int taken;

	log_init(name);
	/* certenroll.conf first, so that even this function's lines go where
	 * its "log" says; a bad file is reported by open_state. */
	config_set_check(settings_check);
	(void)config_load(NULL, NULL);
	/* A socket from systemd (LISTEN_FDS) becomes standard input, where
	 * libfcgi looks; one from inetd-style activation is there already. */
	ce_error_clear(&err);
	if (activation_take(&taken, &err) != CE_OK) {
		log_error("not starting: %s", err.msg);
		exit(1);
	}
	/* No core dumps: they would hold keys and passwords. */
	setrlimit(RLIMIT_CORE, &nocore);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		exit(1);
	}
	proc.cgi = FCGX_IsCGI();
}

/*
 * A web server or any peer of the socket may send parameters named like the
 * process's configuration; they are not the configuration (which the
 * process's environment fixed at start) and are said so once, not per
 * request.  Under plain CGI the environment is the web server's own.
 */
static void
ignored_params(struct http_req *r)
{
	static const char *const names[] = { "CERTENROLL_DATA", "CERTENROLL_CONF" };
	static int said;
	size_t i;

	if (r->cgi || __atomic_load_n(&said, __ATOMIC_RELAXED))
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (FCGX_GetParam(names[i], r->fcgx.envp) != NULL &&
		    !__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
			log_warn("ignoring the FastCGI parameter %s (and any like "
			    "it from now on): the data directory and "
			    "certenroll.conf are fixed when the program starts",
			    names[i]);
}

static void
new_request_id(void)
{
	unsigned char b[6];
	char id[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0, sizeof(b));
	snprintf(id, sizeof(id), "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5]);
	log_set_request_id(id);
}

static __thread int my_slot = -1;

/* One thread at a time waits in accept(); stop wakes it with SIGUSR1. */
static int
locked_accept(struct http_req *r)
{
	int rc;

	pthread_mutex_lock(&proc.accept_lock);
	if (proc.stop) {
		pthread_mutex_unlock(&proc.accept_lock);
		return -1;
	}
	if (my_slot >= 0)
		proc.in_accept[my_slot] = 1;
	rc = FCGX_Accept_r(&r->fcgx);
	if (my_slot >= 0)
		proc.in_accept[my_slot] = 0;
	pthread_mutex_unlock(&proc.accept_lock);
	return rc;
}

struct http_req *
http_accept(void)
{
	struct http_req *r;
	const char *rid;

	const char *max;
	int last = 0;

	if (proc.stop || (proc.cgi && proc.cgi_done))
		return NULL;
	/* Optional recycling: the process manager starts a fresh one. */
	pthread_mutex_lock(&proc.lock);
	if ((max = config_get("max_requests")) != NULL && atol(max) > 0 &&
	    ++proc.served >= atol(max))
		last = 1;
	pthread_mutex_unlock(&proc.lock);
	if (last && proc.served > atol(max)) {
		proc.stop = 1;
		kill(getpid(), SIGTERM);
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_error("calloc: out of memory");
		return NULL;
	}
	if (proc.cgi) {
		r->cgi = 1;
		proc.cgi_done = 1;
	} else {
		if (FCGX_InitRequest(&r->fcgx, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0 ||
		    locked_accept(r) < 0) {
			if (!proc.stop)
				log_error("FCGX_Accept_r failed");
			free(r);
			return NULL;
		}
	}
	ignored_params(r);
	/* A request id from the web server ties our lines to its access log. */
	if ((rid = http_param(r, "REQUEST_ID")) != NULL && *rid != '\0')
		log_set_request_id(rid);
	else
		new_request_id();
	return r;
}

/* Plain CGI: read what is left of the body before exiting, or the web
 * server's socket is reset and the answer lost (mod_cgid). */
static void
drain_stdin(void)
{
	char buf[4096];
	size_t total = 0;

	while (total < 64 * 1024 * 1024 && fread(buf, 1, sizeof(buf), stdin) > 0)
		total += sizeof(buf);
}

void
http_finish(struct http_req *r)
{
	if (r == NULL)
		return;
	if (!r->cgi)
		FCGX_Finish_r(&r->fcgx);
	else {
		fflush(stdout);
		drain_stdin();
	}
	json_object_put(r->body);
	free(r->path);
	free(r->query);
	while (r->nqvals > 0)
		free(r->qvals[--r->nqvals]);
	free(r);
	log_set_request_id(NULL);
}

const char *
http_param(struct http_req *r, const char *name)
{
	if (r->cgi)
		return getenv(name);
	return FCGX_GetParam(name, r->fcgx.envp);
}

const char *
http_query_lookup(void *r, const char *name)
{
	return http_query(r, name);
}

/*
 * The authenticated user: REMOTE_USER from the web server; else, when the
 * web server verified a TLS client certificate, its subject DN; else the
 * parameter in which the web server passes a trusted proxy's user (named by
 * trusted_proxy_param; a client's own header arrives as HTTP_* and never
 * counts).
 */
const char *
http_user(struct http_req *r)
{
	const char *u = http_param(r, "REMOTE_USER"), *v, *pp;

	if (u != NULL && *u != '\0')
		return u;
	v = config_get("client_cert_auth");
	if ((v == NULL || strcmp(v, "0") != 0) &&
	    (v = http_param(r, "SSL_CLIENT_VERIFY")) != NULL &&
	    strcmp(v, "SUCCESS") == 0 &&
	    (u = http_param(r, "SSL_CLIENT_S_DN")) != NULL && *u != '\0')
		return u;
	if ((pp = config_get("trusted_proxy_param")) != NULL &&
	    strncmp(pp, "HTTP_", 5) != 0 &&
	    (u = http_param(r, pp)) != NULL && *u != '\0')
		return u;
	return NULL;
}

/* Decodes %XX and '+' in place. */
static void
url_decode(char *s)
{
	char *o = s;
	unsigned int c;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2]) && sscanf(s + 1, "%2x", &c) == 1) {
			*o++ = (char)c;
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

const char *
http_path(struct http_req *r)
{
	const char *uri, *raw = NULL;
	size_t n, plen = strlen(API_PREFIX);

	if (r->path != NULL)
		return r->path;
	/* nginx's DOCUMENT_URI is decoded already: decoding it again would
	 * make "%2531" a "1".  REQUEST_URI is as the client sent it. */
	if ((uri = http_param(r, "DOCUMENT_URI")) == NULL &&
	    (raw = http_param(r, "REQUEST_URI")) == NULL &&
	    (uri = http_param(r, "SCRIPT_NAME")) == NULL)
		uri = "/";
	if (uri == NULL)
		uri = raw;
	n = strcspn(uri, "?");
	if ((r->path = strndup(uri, n)) == NULL)
		return "/";
	if (uri == raw)
		url_decode(r->path);
	if (strncasecmp(r->path, API_PREFIX, plen) == 0)
		memmove(r->path, r->path + plen, strlen(r->path + plen) + 1);
	n = strlen(r->path);
	if (n > 1 && r->path[n - 1] == '/')
		r->path[n - 1] = '\0';
	return r->path;
}

const char *
http_query(struct http_req *r, const char *name)
{
	const char *qs = http_param(r, "QUERY_STRING");
	char *copy, *tok, *save = NULL, *eq, *val;
	const char *found = NULL;

	if (qs == NULL || (copy = strdup(qs)) == NULL)
		return NULL;
	for (tok = strtok_r(copy, "&", &save); tok != NULL;
	    tok = strtok_r(NULL, "&", &save)) {
		if ((eq = strchr(tok, '=')) != NULL)
			*eq++ = '\0';
		url_decode(tok);
		if (strcasecmp(tok, name) == 0) {
			if (r->nqvals == 16 ||
			    (val = strdup(eq != NULL ? eq : "")) == NULL) {
				log_error("http_query: out of memory or too many lookups");
				break;
			}
			url_decode(val);
			r->qvals[r->nqvals++] = val;
			found = val;
			break;
		}
	}
	free(copy);
	return found;
}

/*
 * The process's configuration and database, fixed once at start: the
 * certenroll.conf of CERTENROLL_CONF, the data directory of its data_dir,
 * else CERTENROLL_DATA, else /var/lib/certenroll; a data directory that is
 * not this uid's own, or that others may write, is refused.
 */
static enum ce_err
open_state(struct ce_error *err)
{
	const char *dir, *keys;
	enum ce_err rc;

	config_set_check(settings_check);
	if ((rc = config_load(NULL, err)) != CE_OK)
		return rc;
	if ((dir = config_get("data_dir")) == NULL &&
	    (dir = getenv("CERTENROLL_DATA")) == NULL)
		dir = DEFAULT_DATA;
	if ((rc = datadir_check(dir, geteuid(), err)) != CE_OK ||
	    (rc = db_open_url(dir, config_get("database"), &proc.db, err)) !=
	    CE_OK)
		return rc;
	/* Counting is not worth refusing requests for: a program that cannot
	 * map the file serves uncounted (logged; its /metrics answers 500). */
	(void)metrics_open(dir, NULL);
	/* The key folder, when it is not the data directory, is held to the
	 * same rules: this uid's own, no one else may write it. */
	if ((keys = config_get("key_dir")) != NULL &&
	    ((rc = datadir_check(keys, geteuid(), err)) != CE_OK ||
	    (rc = db_set_key_dir(proc.db, keys, err)) != CE_OK))
		return rc;
	/* Threads share commits through one committer (db.h). */
	db_set_batching(proc.db, proc.nthreads > 1);
	return CE_OK;
}

enum ce_err
http_db(struct http_req *r, struct ce_db **out, struct ce_error *err)
{
	(void)r;
	if ((*out = proc.db) == NULL)
		return ce_fault(err, CE_SYSTEM, "no database (see the log at start)");
	return CE_OK;
}

enum ce_err
http_require_method(struct http_req *r, const char *methods,
    struct ce_error *err)
{
	const char *m = http_param(r, "REQUEST_METHOD");
	size_t n;
	const char *p;

	if (m == NULL)
		m = "";
	n = strlen(m);
	for (p = methods; n > 0 && *p != '\0'; p += strcspn(p, "|"), p += (*p == '|')) {
		if (strncmp(p, m, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return CE_OK;
	}
	return ce_fail(err, CE_METHOD, "The method '%s' is not allowed here; "
	    "use %s.", m, methods);
}

enum ce_err
http_require_requested_with(struct http_req *r, struct ce_error *err)
{
	const char *v = http_param(r, "HTTP_X_KEYFACTOR_REQUESTED_WITH");
	struct ce_db *db;
	enum ce_err rc;

	if (v != NULL && *v != '\0')
		return CE_OK;
	if ((rc = http_db(r, &db, err)) != CE_OK)
		return rc;
	if (settings_int(db, NULL, "require_requested_with") == 0)
		return CE_OK;
	return ce_fail(err, CE_INVAL, "The 'x-keyfactor-requested-with' header "
	    "is required (e.g. 'APIClient').");
}

enum ce_err
http_api_version(struct http_req *r, int *out, struct ce_error *err)
{
	const char *v = http_param(r, "HTTP_X_KEYFACTOR_API_VERSION");

	*out = 1;
	if (v == NULL || *v == '\0' || strcmp(v, "1") == 0 ||
	    strcmp(v, "1.0") == 0)
		return CE_OK;
	if (strcmp(v, "2") == 0 || strcmp(v, "2.0") == 0) {
		*out = 2;
		return CE_OK;
	}
	return ce_fail(err, CE_INVAL, "x-keyfactor-api-version: '%.32s' is not "
	    "a supported version (1, 2).", v);
}

/* Reads up to limit+1 bytes of body (with or without CONTENT_LENGTH). */
static enum ce_err
read_body(struct http_req *r, size_t limit, char **out, size_t *len,
    struct ce_error *err)
{
	const char *cl = http_param(r, "CONTENT_LENGTH");
	char *buf;
	size_t want, have = 0;
	long long n = -1;
	int got;

	*out = NULL;
	*len = 0;
	if (cl != NULL && *cl != '\0') {
		n = strtoll(cl, NULL, 10);
		if (n < 0)
			return ce_fail(err, CE_INVAL, "Invalid Content-Length.");
		if ((unsigned long long)n > limit)
			return ce_fail(err, CE_TOOBIG, "The request body is larger "
			    "than the limit of %zu bytes.", limit);
	}
	want = n >= 0 ? (size_t)n : limit + 1;
	if ((buf = malloc(want + 1)) == NULL)
		return ce_fault(err, CE_NOMEM, "malloc body");
	while (have < want) {
		if (r->cgi)
			got = (int)fread(buf + have, 1, want - have, stdin);
		else
			got = FCGX_GetStr(buf + have, (int)(want - have), r->fcgx.in);
		if (got <= 0)
			break;
		have += (size_t)got;
	}
	buf[have] = '\0';
	if (have > limit) {
		free(buf);
		return ce_fail(err, CE_TOOBIG, "The request body is larger than "
		    "the limit of %zu bytes.", limit);
	}
	*out = buf;
	*len = have;
	return CE_OK;
}

/* application/json, text/json, application/json-patch+json and other application/...+json types */
static int
json_content_type(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return 0;
	n = strcspn(ct, ";");
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	if ((n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	    (n == 9 && strncasecmp(ct, "text/json", 9) == 0))
		return 1;
	return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	    strncasecmp(ct + n - 5, "+json", 5) == 0;
}

enum ce_err
http_json_body(struct http_req *r, int allow_empty, json_object **out,
    struct ce_error *err)
{
	struct json_tokener *tok = NULL;
	struct ce_db *db;
	char *buf = NULL;
	size_t len, bad, limit = HTTP_BODY_LIMIT_DEFAULT;
	enum ce_err rc;
	json_object *obj;

	*out = NULL;
	if (http_db(r, &db, NULL) == CE_OK)
		limit = (size_t)settings_int(db, NULL, "body_limit");
	if ((rc = read_body(r, limit, &buf, &len, err)) != CE_OK)
		return rc;
	if (len == 0) {
		rc = allow_empty ? CE_OK : ce_fail(err, CE_INVAL,
		    "A JSON request body is required.");
		goto out;
	}
	if (!json_content_type(http_param(r, "CONTENT_TYPE"))) {
		rc = ce_fail(err, CE_MEDIA, "The request body must be sent as "
		    "'application/json'.");
		goto out;
	}
	/* A leading byte order mark is tolerated, as ASP.NET does. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		memmove(buf, buf + 3, len - 2);
		len -= 3;
	}
	if (!utf8_valid((const unsigned char *)buf, len, &bad)) {
		rc = ce_fail(err, CE_INVAL, "The request body is not valid UTF-8 "
		    "(at offset %zu).", bad);
		goto out;
	}
	if ((tok = json_tokener_new_ex(64)) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "json_tokener_new_ex");
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	/* Passing the terminating NUL tells json-c the text has ended, so a
	 * bare number or literal is complete. */
	obj = json_tokener_parse_ex(tok, buf, (int)len + 1);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) < len) {
		rc = ce_fail(err, CE_INVAL, "The request body is not valid JSON "
		    "(%s at offset %zu).",
		    json_tokener_error_desc(json_tokener_get_error(tok)),
		    json_tokener_get_parse_end(tok));
		json_object_put(obj);
		goto out;
	}
	r->body = obj;
	*out = obj;
	rc = (obj == NULL && !allow_empty) ? ce_fail(err, CE_INVAL,
	    "The request body must be a JSON object, not null.") : CE_OK;
out:
	if (tok != NULL)
		json_tokener_free(tok);
	if (buf != NULL)
		OPENSSL_cleanse(buf, len);	/* bodies carry passwords */
	free(buf);
	return rc;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 503: return "Service Unavailable";
	default:  return "Internal Server Error";
	}
}

static void
write_out(struct http_req *r, const char *s, size_t n)
{
	if (r->cgi)
		fwrite(s, 1, n, stdout);
	else
		FCGX_PutStr(s, (int)n, r->fcgx.out);
}

void
http_send_json(struct http_req *r, int status, json_object *body)
{
	char head[256];
	const char *s;
	size_t n = 0;
	int hn;

	if (r->sent) {
		json_object_put(body);
		return;
	}
	r->sent = 1;
	s = json_object_to_json_string_length(body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (s == NULL) {
		status = 500;
		s = "{\"ErrorCode\":\"0xA0110012\",\"Message\":\"out of memory\"}";
		n = strlen(s);
	}
	r->status = status;
	hn = snprintf(head, sizeof(head), "Status: %d %s\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n%s%s%s"
	    "Cache-Control: no-store\r\n\r\n", status, reason(status), n,
	    status == 405 && r->allow[0] ? "Allow: " : "",
	    status == 405 ? r->allow : "",
	    status == 405 && r->allow[0] ? "\r\n" : "");
	write_out(r, head, (size_t)hn);
	write_out(r, s, n);
	/* Answers may hold passwords and keys: wipe the serialised copy. */
	OPENSSL_cleanse((void *)s, n);
	json_object_put(body);
}

enum ce_err
http_raw_body(struct http_req *r, size_t limit, unsigned char **out,
    size_t *len, struct ce_error *err)
{
	return read_body(r, limit, (char **)out, len, err);
}

void
http_send_bytes(struct http_req *r, int status, const char *type,
    const char *headers, const void *body, size_t n)
{
	char head[1024];
	int hn;

	if (r->sent)
		return;
	r->sent = 1;
	hn = snprintf(head, sizeof(head), "Status: %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n%s\r\n", status,
	    reason(status), type, n, headers != NULL ? headers : "");
	if (hn <= 0 || hn >= (int)sizeof(head)) {
		hn = snprintf(head, sizeof(head), "Status: 500 %s\r\n"
		    "Content-Length: 0\r\n\r\n", reason(500));
		write_out(r, head, (size_t)hn);
		r->status = 500;
		return;
	}
	r->status = status;
	write_out(r, head, (size_t)hn);
	/* HEAD: what GET would answer, without the body. */
	if (http_param(r, "REQUEST_METHOD") == NULL ||
	    strcmp(http_param(r, "REQUEST_METHOD"), "HEAD") != 0)
		write_out(r, body, n);
}

int
http_status(const struct http_req *r)
{
	return r->sent ? r->status : 0;
}

void
http_set_allow(struct http_req *r, const char *methods)
{
	snprintf(r->allow, sizeof(r->allow), "%s", methods);
}

void
http_send_error(struct http_req *r, const struct ce_error *err)
{
	json_object *body;
	int status = ce_http_status(err->code);

	if (status == 200)
		status = 500;
	body = json_object_new_object();
	if (body != NULL) {
		json_object_object_add(body, "ErrorCode",
		    json_object_new_string(ce_error_code(err->code)));
		json_object_object_add(body, "Message",
		    json_object_new_string(err->msg[0] ? err->msg :
		    ce_strerror(err->code)));
	}
	if (status >= 400 && status < 500)
		log_info("%d %s: %s", status, http_path(r), err->msg);
	http_send_json(r, status, body);
}

struct worker {
	int	 slot;
	void	(*handle)(struct http_req *);
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct http_req *r;

	my_slot = w->slot;
	while ((r = http_accept()) != NULL) {
		w->handle(r);
		http_finish(r);
	}
	return NULL;
}

/* Threads: CERTENROLL_THREADS, else 8; plain CGI always 1. */
static int
thread_count(void)
{
	const char *v = getenv("CERTENROLL_THREADS");
	int n = v != NULL ? atoi(v) : THREADS_DEFAULT;

	return n < 1 ? 1 : n > THREADS_MAX ? THREADS_MAX : n;
}

int
http_run(const char *name, void (*handle)(struct http_req *))
{
	struct worker w[THREADS_MAX];
	struct ce_error err;
	struct http_req *r;
	sigset_t set;
	int i, sig, tries;

	http_init(name);
	proc.nthreads = proc.cgi ? 1 : thread_count();
	ce_error_clear(&err);
	if (open_state(&err) != CE_OK) {
		log_error("not starting: %s", err.msg);
		return 1;
	}
	if (proc.nthreads == 1) {
		/* One thread: SIGTERM stops accept() directly. */
		signal(SIGTERM, SIG_DFL);
		while ((r = http_accept()) != NULL) {
			handle(r);
			http_finish(r);
		}
		return 0;
	}
	/* SIGTERM and SIGINT are taken by this thread alone, with sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < proc.nthreads; i++) {
		w[i].slot = i;
		w[i].handle = handle;
		if (pthread_create(&proc.threads[i], NULL, worker_main, &w[i]) != 0) {
			log_error("pthread_create failed");
			exit(1);
		}
	}
	sigwait(&set, &sig);
	/* Finish the requests in flight; wake only threads in accept(). */
	proc.stop = 1;
	FCGX_ShutdownPending();
	for (tries = 0; tries < 600; tries++) {
		for (i = 0; i < proc.nthreads; i++)
			if (proc.threads[i] != 0 && proc.in_accept[i])
				pthread_kill(proc.threads[i], SIGUSR1);
		for (i = 0; i < proc.nthreads; i++)
			if (proc.threads[i] != 0 &&
			    pthread_tryjoin_np(proc.threads[i], NULL) == 0)
				proc.threads[i] = 0;
		for (i = 0; i < proc.nthreads && proc.threads[i] == 0; i++)
			;
		if (i == proc.nthreads)
			break;
		usleep(50000);
	}
	return 0;
}
