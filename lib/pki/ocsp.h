/*
 * ocsp.h - OCSP answers (RFC 6960, the RFC 5019 profile) from the
 * database as it is: a certificate revoked is "revoked" from the commit on.
 *
 * An answer is made for one CA: every certificate a request asks about
 * must be one of its (the CertID's issuer name and key hashes), else the
 * answer is "unauthorized"; a request that does not parse, or asks about
 * none or more than OCSP_MAX_CERTS, "malformedRequest"; the database being
 * down "tryLater".  Each certificate is good, revoked (time and reason) or
 * unknown (no certificate of that CA has the serial), with thisUpdate now
 * and nextUpdate OCSP_VALIDITY later; a nonce is copied back.
 *
 * Answers are signed by the CA's delegated responder (id-kp-OCSPSigning,
 * id-pkix-ocsp-nocheck, OCSP_DELEGATE_DAYS days, never past the CA), whose
 * certificate goes with each answer; its key is made and kept sealed
 * beside the CA's key, in key_dir/ca/<CA id>.ocsp.key and .ocsp.crt, by
 * whoever signs - the signer where one runs (it reads the status from the
 * database itself: a caller of the signer cannot have it sign a status of
 * its own making; whoever can write the database can, as it can revoke),
 * else this process - and made anew OCSP_DELEGATE_RENEW days before it
 * ends.  Each host has its own.  A nonce longer than 32 octets (RFC 8954)
 * is a malformed request; an expired CA's certificates are unauthorized.
 */
#ifndef CE_OCSP_H
#define CE_OCSP_H

#include <stddef.h>
#include <time.h>
#include "error.h"

struct ce_db;

#define OCSP_MAX_CERTS		16
#define OCSP_VALIDITY		3600
#define OCSP_DELEGATE_DAYS	30
#define OCSP_DELEGATE_RENEW	7
#define OCSP_REQUEST_MAX	8192	/* bytes of a request */

/* Answers the DER request req: *resp (malloc'd DER OCSPResponse, caller
 * frees) is always an answer to send, its status saying what went wrong;
 * *max_age the seconds it may be cached (0: not at all).  An error return
 * is this process failing to answer at all. */
enum ce_err	ocsp_answer_local(struct ce_db *db, const unsigned char *req,
		    size_t len, time_t now, unsigned char **resp, size_t *rlen,
		    int *max_age, struct ce_error *err);

/* ocsp_answer_local through the signer when one is configured. */
enum ce_err	ocsp_answer(struct ce_db *db, const unsigned char *req,
		    size_t len, unsigned char **resp, size_t *rlen,
		    int *max_age, struct ce_error *err);

#endif
