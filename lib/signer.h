/*
 * signer.h - the signer: the one process that opens the CA private keys.
 *
 * Enrollment programs send it a linted to-be-signed certificate over a unix
 * socket and get the signed certificate or a refusal back.  The protocol is
 * one request per connection, each message a 4-byte big-endian length and
 * that many bytes of JSON (at most 64 KiB):
 *   request   {"ca": "host\\Logical", "template": "WebServer",
 *              "requester": "alice", "tbs": "<base64 DER, throwaway-signed>"}
 *   answer    {"ok": true, "cert": "<base64 DER>"} or
 *             {"ok": false, "error": "<why>"}
 * The signer checks that it serves the CA and the template, lints the
 * certificate again, signs and logs serial, subject, requester.
 */
#ifndef CE_SIGNER_H
#define CE_SIGNER_H

#include <openssl/x509.h>
#include <json-c/json.h>
#include "error.h"

struct ca;
struct ce_db;

#define SIGNER_MSG_MAX	(64 * 1024)

/* The configured socket path, or NULL for in-process signing. */
const char	*signer_socket(void);

/* Client: has the signer sign *certp; on success *certp is replaced by the
 * signed certificate (checked: same body, valid CA signature). */
enum ce_err	signer_sign(const char *sockpath, const struct ca *ca,
		    const char *template, const char *requester, X509 **certp,
		    struct ce_error *err);

/* Framing, shared by both sides: CE_SYSTEM on I/O errors. */
enum ce_err	signer_send(int fd, json_object *msg, struct ce_error *err);
enum ce_err	signer_recv(int fd, json_object **msg, struct ce_error *err);

/* Server: answers one request (the signer's policy check, lint, signature)
 * into a new answer object. */
json_object	*signer_handle(struct ce_db *db, json_object *req);

#endif
