/* signer.c - the signer protocol and its client (the server side is
 * signer_server.c). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "b64.h"
#include "config.h"
#include "jbuild.h"
#include "log.h"
#include "metrics.h"
#include "output.h"
#include "pemutil.h"
#include "signer.h"


const char *
signer_socket(void)
{
	const char *s = config_get("signer_socket");

	if (s == NULL)
		s = getenv("CERTENROLL_SIGNER");
	return s != NULL && *s != '\0' ? s : NULL;
}

/* Milliseconds on the monotonic clock. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads or writes exactly n bytes before deadline (now_ms()): a peer that
 * trickles bytes gets no more time than one that sends nothing. */
static enum ce_err
io_all(int fd, void *buf, size_t n, int writing, int64_t deadline,
    struct ce_error *err)
{
	struct pollfd pfd = { fd, writing ? POLLOUT : POLLIN, 0 };
	unsigned char *p = buf;
	int64_t left;
	ssize_t k;

	while (n > 0) {
		if ((left = deadline - now_ms()) <= 0 ||
		    poll(&pfd, 1, (int)left) != 1)
			return ce_fault(err, CE_SYSTEM, "signer: timed out");
		k = writing ? write(fd, p, n) : read(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return ce_fault(err, CE_SYSTEM, "signer: connection %s",
			    k == 0 ? "closed" : strerror(errno));
		p += k;
		n -= (size_t)k;
	}
	return CE_OK;
}

enum ce_err
signer_send(int fd, json_object *msg, int timeout_ms, struct ce_error *err)
{
	int64_t deadline = now_ms() + timeout_ms;
	const char *s;
	size_t len;
	unsigned char hdr[4];
	enum ce_err rc;

	s = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN, &len);
	if (s == NULL || len > SIGNER_MSG_MAX)
		return ce_fault(err, CE_SYSTEM, "signer: message too large");
	hdr[0] = (unsigned char)(len >> 24);
	hdr[1] = (unsigned char)(len >> 16);
	hdr[2] = (unsigned char)(len >> 8);
	hdr[3] = (unsigned char)len;
	if ((rc = io_all(fd, hdr, 4, 1, deadline, err)) != CE_OK)
		return rc;
	return io_all(fd, (void *)s, len, 1, deadline, err);
}

enum ce_err
signer_recv(int fd, json_object **msg, int timeout_ms, struct ce_error *err)
{
	int64_t deadline = now_ms() + timeout_ms;
	unsigned char hdr[4];
	char *buf;
	uint32_t len;
	enum ce_err rc;

	*msg = NULL;
	if ((rc = io_all(fd, hdr, 4, 0, deadline, err)) != CE_OK)
		return rc;
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | hdr[3];
	if (len == 0 || len > SIGNER_MSG_MAX)
		return ce_fault(err, CE_SYSTEM, "signer: bad message length %u", len);
	if ((buf = malloc(len + 1)) == NULL)
		return ce_fault(err, CE_NOMEM, "malloc");
	if ((rc = io_all(fd, buf, len, 0, deadline, err)) == CE_OK) {
		buf[len] = '\0';
		if ((*msg = json_tokener_parse(buf)) == NULL ||
		    !json_object_is_type(*msg, json_type_object)) {
			json_object_put(*msg);
			*msg = NULL;
			rc = ce_fault(err, CE_SYSTEM, "signer: malformed message");
		}
	}
	free(buf);
	return rc;
}

/* Builds {"ca","template","pattern","approved_request","requester","tbs",
 * "request_id"}. */
static json_object *
request_msg(const char *ca_name, const struct sign_req *sr, X509 *cert)
{
	json_object *m;
	unsigned char *der = NULL;
	char *b64;
	int n;

	if ((n = i2d_X509(cert, &der)) <= 0)
		return NULL;
	b64 = b64_encode(der, (size_t)n);
	OPENSSL_free(der);
	if (b64 == NULL || (m = json_object_new_object()) == NULL) {
		free(b64);
		return NULL;
	}
	json_object_object_add(m, "ca", json_object_new_string(ca_name));
	json_object_object_add(m, "template", json_object_new_string(
	    sr->template ? sr->template : ""));
	if (sr->pattern_id > 0)
		json_object_object_add(m, "pattern",
		    json_object_new_int64(sr->pattern_id));
	if (sr->approved_request > 0)
		json_object_object_add(m, "approved_request",
		    json_object_new_int64(sr->approved_request));
	json_object_object_add(m, "requester", json_object_new_string(
	    sr->requester ? sr->requester : ""));
	json_object_object_add(m, "tbs", json_object_new_string(b64));
	json_object_object_add(m, "request_id", json_object_new_string(
	    log_request_id()));
	free(b64);
	return m;
}

/* DER of the to-be-signed part; caller frees with OPENSSL_free. */
static int
tbs_der(X509 *x, unsigned char **out)
{
	*out = NULL;
	return i2d_re_X509_tbs(x, out);
}

/* Accepts the signer's certificate only when it is our certificate body
 * with a valid signature of the CA; then it replaces *certp. */
static enum ce_err
take_signed(X509 *ca_cert, X509 **certp, const char *b64,
    struct ce_error *err)
{
	struct ce_buf der = { NULL, 0 };
	unsigned char *a = NULL, *b = NULL;
	X509 *got = NULL;
	int na, nb;
	enum ce_err rc = CE_CRYPTO;

	if (b64 == NULL || b64_decode(b64, &der) != CE_OK ||
	    (got = der_to_x509(der.data, der.len)) == NULL)
		goto out;
	na = tbs_der(got, &a);
	nb = tbs_der(*certp, &b);
	if (na <= 0 || na != nb || memcmp(a, b, (size_t)na) != 0 ||
	    X509_verify(got, X509_get0_pubkey(ca_cert)) != 1)
		goto out;
	X509_free(*certp);
	*certp = got;
	got = NULL;
	rc = CE_OK;
out:
	if (rc != CE_OK)
		rc = ce_fault(err, CE_CRYPTO, "signer: unusable answer");
	OPENSSL_free(a);
	OPENSSL_free(b);
	X509_free(got);
	buf_free(&der);
	return rc;
}

/* Records a round trip of op ("sign", "ocsp", "crl") that took ns. */
static void
round_trip(const char *op, uint64_t ns)
{
	static int cache[3];	/* series index + 1 of each op */
	char labels[32] = "";
	int i = strcmp(op, "ocsp") == 0 ? 1 : strcmp(op, "crl") == 0 ? 2 : 0;
	int s = __atomic_load_n(&cache[i], __ATOMIC_RELAXED) - 1;

	if (strcmp(op, "ping") == 0)	/* /health's, not the work's */
		return;
	if (s < 0 && metrics_label(labels, sizeof(labels), "op",
	    i == 1 ? "ocsp" : i == 2 ? "crl" : "sign") == 0 &&
	    (s = metrics_series("certenroll_signer_duration_seconds",
	    labels)) >= 0)
		__atomic_store_n(&cache[i], s + 1, __ATOMIC_RELAXED);
	metrics_observe(s, ns);
}

/*
 * One request to the signer and its answer, which said ok: a refusal is
 * CE_INVAL with the signer's reason (what refused names it), the
 * database being down CE_UNAVAIL, the signer's own failure a fault.
 */
static enum ce_err
signer_call(const char *sockpath, json_object *req, const char *what,
    json_object **out, struct ce_error *err)
{
	struct sockaddr_un sun;
	json_object *ans = NULL;
	uint64_t t0 = metrics_now_ns();
	enum ce_err rc;
	int fd = -1;

	*out = NULL;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sockpath) >= sizeof(sun.sun_path))
		return ce_fault(err, CE_SYSTEM, "signer socket path too long");
	strcpy(sun.sun_path, sockpath);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		rc = ce_fault(err, CE_SYSTEM, "signer %s: %s", sockpath,
		    strerror(errno));
		goto out;
	}
	if ((rc = signer_send(fd, req, SIGNER_CLIENT_MS, err)) != CE_OK ||
	    (rc = signer_recv(fd, &ans, SIGNER_CLIENT_MS, err)) != CE_OK)
		goto out;
	/* Answered, refusal or not: the time the signer took. */
	round_trip(jrec_str(req, "op") != NULL ? jrec_str(req, "op") : "sign",
	    metrics_now_ns() - t0);
	if (!json_object_get_boolean(json_object_object_get(ans, "ok"))) {
		/* The database's own message, as the programs give it. */
		if (json_object_get_boolean(json_object_object_get(ans,
		    "unavailable"))) {
			rc = ce_fail(err, CE_UNAVAIL, "%.300s",
			    jrec_str(ans, "error") ? jrec_str(ans, "error") :
			    ce_strerror(CE_UNAVAIL));
			goto out;
		}
		if (json_object_get_boolean(json_object_object_get(ans, "fault"))) {
			rc = ce_fault(err, CE_SYSTEM, "signer failed: %s",
			    jrec_str(ans, "error") ? jrec_str(ans, "error") : "?");
			goto out;
		}
		log_error("signer refused: %s", jrec_str(ans, "error") ?
		    jrec_str(ans, "error") : "?");
		rc = ce_fail(err, CE_INVAL, "The signer refused %s: %.300s",
		    what, jrec_str(ans, "error") ? jrec_str(ans, "error") :
		    "no reason");
		goto out;
	}
	*out = ans;
	ans = NULL;
out:
	if (fd != -1)
		close(fd);
	json_object_put(ans);
	return rc;
}

enum ce_err
signer_ping(const char *sockpath, struct ce_error *err)
{
	json_object *req = NULL, *ans = NULL;
	enum ce_err rc;

	if ((req = json_object_new_object()) == NULL ||
	    json_object_object_add(req, "op", json_object_new_string("ping")) !=
	    0) {
		json_object_put(req);
		return ce_fault(err, CE_NOMEM, "signer ping");
	}
	rc = signer_call(sockpath, req, "a ping", &ans, err);
	json_object_put(req);
	json_object_put(ans);
	return rc;
}

enum ce_err
signer_sign(const char *sockpath, const char *ca_name, X509 *ca_cert,
    const struct sign_req *sr, X509 **certp, struct ce_error *err)
{
	json_object *req, *ans = NULL;
	enum ce_err rc;

	if ((req = request_msg(ca_name, sr, *certp)) == NULL)
		return ce_fault(err, CE_NOMEM, "signer request");
	if ((rc = signer_call(sockpath, req, "the certificate", &ans, err)) ==
	    CE_OK)
		rc = take_signed(ca_cert, certp, jrec_str(ans, "cert"), err);
	json_object_put(req);
	json_object_put(ans);
	return rc;
}

enum ce_err
signer_ocsp(const char *sockpath, const char *req_b64, struct ce_buf *resp,
    int *max_age, struct ce_error *err)
{
	json_object *req = json_object_new_object(), *ans = NULL;
	enum ce_err rc;

	resp->data = NULL;
	resp->len = 0;
	*max_age = 0;
	if (req == NULL || json_object_object_add(req, "op",
	    json_object_new_string("ocsp")) != 0 ||
	    json_object_object_add(req, "request",
	    json_object_new_string(req_b64)) != 0) {
		json_object_put(req);
		return ce_fault(err, CE_NOMEM, "signer request");
	}
	if ((rc = signer_call(sockpath, req, "the OCSP request", &ans, err)) ==
	    CE_OK) {
		if (jrec_str(ans, "response") == NULL ||
		    b64_decode(jrec_str(ans, "response"), resp) != CE_OK)
			rc = ce_fault(err, CE_SYSTEM, "signer: unusable OCSP "
			    "answer");
		*max_age = (int)jrec_int(ans, "max_age");
	}
	json_object_put(req);
	json_object_put(ans);
	return rc;
}

enum ce_err
signer_crl(const char *sockpath, const char *ca_name, int full,
    int64_t *number, int *delta, struct ce_error *err)
{
	json_object *req = json_object_new_object(), *ans = NULL;
	enum ce_err rc;

	*number = 0;
	*delta = 0;
	if (req == NULL || json_object_object_add(req, "op",
	    json_object_new_string("crl")) != 0 ||
	    json_object_object_add(req, "ca", json_object_new_string(ca_name)) ||
	    json_object_object_add(req, "full", json_object_new_boolean(full)) ||
	    json_object_object_add(req, "request_id", json_object_new_string(
	    log_request_id())) != 0) {
		json_object_put(req);
		return ce_fault(err, CE_NOMEM, "signer request");
	}
	if ((rc = signer_call(sockpath, req, "the CRL", &ans, err)) == CE_OK &&
	    (*number = jrec_int(ans, "number")) <= 0)
		rc = ce_fault(err, CE_SYSTEM, "signer: unusable CRL answer");
	*delta = jrec_bool(ans, "delta");
	json_object_put(req);
	json_object_put(ans);
	return rc;
}

