/*
 * signer.h - the signer: the one process that opens the CA private keys.
 *
 * Enrollment programs send it a linted to-be-signed certificate over a unix
 * socket and get the signed certificate or a refusal back.  The protocol is
 * one request per connection, each message a 4-byte big-endian length and
 * that many bytes of JSON (at most 64 KiB, within SIGNER_SERVER_MS):
 *   request   {"ca": "host\\Logical", "template": "WebServer",
 *              "pattern": 5 (optional: the enrollment pattern),
 *              "approved_request": 12 (when the policy requires approval),
 *              "requester": "alice", "tbs": "<base64 DER, throwaway-signed>"}
 *   answer    {"ok": true, "cert": "<base64 DER>"} or
 *             {"ok": false, "error": "<why>"}
 * The signer reads the policy from its own state and enforces it whatever
 * the caller sends (lib/pki/signer_policy.h): lint, key, validity, extensions,
 * approval (the request must be in approval and is used up), and a serial
 * never issued or signed before (reserved before signing, lib/records/serials.h).
 * It signs and logs serial, subject, requester, or logs the refusal
 * (signer_server.h).
 */
#ifndef CE_SIGNER_H
#define CE_SIGNER_H

#include <stdint.h>
#include <openssl/x509.h>
#include <json-c/json.h>
#include "error.h"


#define SIGNER_MSG_MAX	(64 * 1024)
#define SIGNER_SERVER_MS 5000	/* the signer's deadline for a whole message */
#define SIGNER_CLIENT_MS 15000	/* a client's, for the signer's answer */

/* What a signature is for, beside the certificate (the signer checks it
 * against its own state). */
struct sign_req {
	const char	*template;
	int64_t		 pattern_id;	   /* enrollment pattern, 0 = default */
	int64_t		 approved_request; /* the approved request, or 0 */
	const char	*requester;	   /* for the signer's log */
};

/* The configured socket path, or NULL for in-process signing. */
const char	*signer_socket(void);

/* Client: has the signer sign *certp with the key of CA ca_name (whose
 * certificate is ca_cert); on success *certp is replaced by the signed
 * certificate (checked: same body, a valid signature of ca_cert's key). */
enum ce_err	signer_sign(const char *sockpath, const char *ca_name,
		    X509 *ca_cert, const struct sign_req *sr, X509 **certp,
		    struct ce_error *err);

/* Client: whether the signer at sockpath answers ({"op": "ping"}). */
enum ce_err	signer_ping(const char *sockpath, struct ce_error *err);

/* Client: has the signer make, sign and record CA ca_name's next CRL from
 * its own reading of the revoked list (crl.h; a full one when full is
 * set); *number is the new CRL's number, whose record the caller reads
 * from the database, *delta says it made a delta CRL alone.  Request
 * {"op": "crl", "ca": ..., "full": bool}, answer {"ok": true, "number": n,
 * "delta": bool}. */
enum ce_err	signer_crl(const char *sockpath, const char *ca_name, int full,
		    int64_t *number, int *delta, struct ce_error *err);

/* Client: has the signer answer a DER OCSP request (base64), from its own
 * reading of the database and signed by the CA's responder (ocsp.h).
 * Request {"op": "ocsp", "request": ...}, answer {"ok": true, "response":
 * base64 DER, "max_age": seconds}; resp->data is malloc'd. */
struct ce_buf;
enum ce_err	signer_ocsp(const char *sockpath, const char *req_b64,
		    struct ce_buf *resp, int *max_age, struct ce_error *err);

/* Framing, shared by both sides: the whole message within timeout_ms;
 * CE_SYSTEM on I/O errors and timeouts. */
enum ce_err	signer_send(int fd, json_object *msg, int timeout_ms,
		    struct ce_error *err);
enum ce_err	signer_recv(int fd, json_object **msg, int timeout_ms,
		    struct ce_error *err);


#endif
