/*
 * test_http.c - http.h under plain CGI (the request is the environment):
 * the path as the API names it (prefix and trailing slash gone, decoded
 * once), query parameters by any case, decoded, the user, the gates, and
 * the answer a 405 sends.  Each request runs in a child of its own: a CGI
 * process serves one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "http.h"

/* Runs check(r) on a CGI request made of env ("NAME=value" pairs, NULL
 * ended) in a child; its stdout into out.  The child's exit status. */
static int
cgi(const char *const *env, int (*check)(struct http_req *), char *out,
    size_t outsz)
{
	char path[] = "/tmp/test_http.XXXXXX";
	struct http_req *r;
	FILE *f;
	pid_t pid;
	int fd, st, rc;
	size_t n;

	if ((fd = mkstemp(path)) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		clearenv();
		for (; *env != NULL; env++)
			putenv((char *)*env);
		if (dup2(fd, 1) == -1 || freopen("/dev/null", "r", stdin) == NULL)
			_exit(99);
		config_reset();
		http_init("test-http");
		if ((r = http_accept()) == NULL)
			_exit(98);
		rc = check(r);
		http_finish(r);
		fflush(stdout);
		_exit(rc);
	}
	waitpid(pid, &st, 0);
	f = fdopen(fd, "r");
	rewind(f);
	n = fread(out, 1, outsz - 1, f);
	out[n] = '\0';
	fclose(f);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
path_is_certificate_1(struct http_req *r)
{
	return strcmp(http_path(r), "/Certificates/1") == 0 ? 0 : 1;
}

static int
decoded_once(struct http_req *r)
{
	/* REQUEST_URI is as sent: "%2531" is "%31", not "1" */
	return strcmp(http_path(r), "/Certificates/%31") == 0 ? 0 : 1;
}

static int
query_any_case(struct http_req *r)
{
	const char *q = http_query(r, "pq.queryString");

	if (q == NULL || strcmp(q, "IssuedCN -eq \"a b\"") != 0)
		return 1;
	if (http_query(r, "includelocations") == NULL ||
	    strcmp(http_query(r, "INCLUDELOCATIONS"), "true") != 0)
		return 2;
	return http_query(r, "absent") == NULL ? 0 : 3;
}

static int
user_and_gates(struct http_req *r)
{
	struct ce_error err;
	int v;

	ce_error_clear(&err);
	if (http_user(r) == NULL || strcmp(http_user(r), "alice") != 0)
		return 1;
	if (http_require_method(r, "GET|HEAD", &err) != CE_OK ||
	    http_require_method(r, "POST", &err) != CE_METHOD)
		return 2;
	if (http_api_version(r, &v, &err) != CE_OK || v != 2)
		return 3;
	return 0;
}

static int
no_user(struct http_req *r)
{
	/* a client's own X-Remote-User header is no login */
	return http_user(r) == NULL ? 0 : 1;
}

static int
answer_405(struct http_req *r)
{
	struct ce_error err;

	ce_error_clear(&err);
	ce_fail(&err, CE_METHOD, "The method 'PUT' is not allowed here.");
	http_set_allow(r, "GET, HEAD");
	http_send_error(r, &err);
	return 0;
}

static void
test_requests(void **state)
{
	static const char *const plain[] = { "GATEWAY_INTERFACE=CGI/1.1",
	    "REQUEST_METHOD=GET",
	    "REQUEST_URI=/KeyfactorAPI/Certificates/1/?x=1", NULL };
	static const char *const lower[] = { "GATEWAY_INTERFACE=CGI/1.1",
	    "REQUEST_METHOD=GET", "REQUEST_URI=/keyfactorapi/Certificates/1",
	    NULL };
	static const char *const twice[] = { "GATEWAY_INTERFACE=CGI/1.1",
	    "REQUEST_METHOD=GET", "REQUEST_URI=/KeyfactorAPI/Certificates/%2531",
	    NULL };
	static const char *const query[] = { "GATEWAY_INTERFACE=CGI/1.1",
	    "REQUEST_METHOD=GET", "REQUEST_URI=/KeyfactorAPI/Certificates",
	    "QUERY_STRING=PQ.QUERYSTRING=IssuedCN%20-eq%20%22a+b%22&"
	    "IncludeLocations=true", NULL };
	static const char *const user[] = { "GATEWAY_INTERFACE=CGI/1.1",
	    "REQUEST_METHOD=GET", "REQUEST_URI=/KeyfactorAPI/Status/Endpoints",
	    "REMOTE_USER=alice", "HTTP_X_KEYFACTOR_API_VERSION=2.0", NULL };
	static const char *const forged[] = { "GATEWAY_INTERFACE=CGI/1.1",
	    "REQUEST_METHOD=GET", "REQUEST_URI=/KeyfactorAPI/Status/Endpoints",
	    "HTTP_X_REMOTE_USER=admin", NULL };
	static const char *const put[] = { "GATEWAY_INTERFACE=CGI/1.1",
	    "REQUEST_METHOD=PUT", "REQUEST_URI=/KeyfactorAPI/Certificates/1",
	    NULL };
	char out[4096];

	(void)state;
	assert_int_equal(cgi(plain, path_is_certificate_1, out, sizeof(out)), 0);
	assert_int_equal(cgi(lower, path_is_certificate_1, out, sizeof(out)), 0);
	assert_int_equal(cgi(twice, decoded_once, out, sizeof(out)), 0);
	assert_int_equal(cgi(query, query_any_case, out, sizeof(out)), 0);
	assert_int_equal(cgi(user, user_and_gates, out, sizeof(out)), 0);
	assert_int_equal(cgi(forged, no_user, out, sizeof(out)), 0);
	assert_int_equal(cgi(put, answer_405, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Status: 405 Method Not Allowed\r\n"));
	assert_non_null(strstr(out, "Allow: GET, HEAD\r\n"));
	assert_non_null(strstr(out, "Content-Type: application/json; "
	    "charset=utf-8\r\n"));
	assert_non_null(strstr(out, "\"ErrorCode\":\"0xA0110006\""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
