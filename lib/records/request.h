/*
 * request.h - certificate requests, the records (db.h beneath): one per
 * enrollment, issued at once or waiting for approval.
 *
 * A request is PENDING (waiting for approval), APPROVING (claimed by one
 * approver, being issued), ISSUED or DENIED.  This module owns the request
 * table, its index by state (what the workflow lists read, so that a list
 * of pending requests does not read every issued one) and each requester's
 * count of requests awaiting a decision (counts.h), all moved by
 * request_put in the caller's write transaction.
 */
#ifndef CE_REQUEST_H
#define CE_REQUEST_H

#include <stdint.h>
#include <json-c/json.h>

#include "error.h"
#include "db.h"

enum request_state {
	REQ_UNKNOWN,
	REQ_PENDING,
	REQ_APPROVING,
	REQ_ISSUED,
	REQ_DENIED,
};

struct request {
	int64_t			 id;
	enum request_state	 state;
	char			*requester;
	int64_t			 submitted;	/* time_t */
	char			*template_name;
	int64_t			 pattern_id;
	char			*ca;
	char			*subject;	/* the DN, x500_format */
	char			*cn;
	json_object		*metadata;	/* owned reference or NULL */
	/* What approval needs to issue it as sent (pending requests): */
	int			 api_version;
	char			*format;
	int			 password_generated;
	char			*sealed_password;	/* base64 of seal.h's */
	json_object		*body;		/* its declared fields; owned */
	/* The outcome: */
	int64_t			 cert_id;	/* 0 until issued */
	int64_t			 issued;
	char			*approving_by;	/* who claimed it */
	char			*approved_by;
	int64_t			 approved;
	char			*denied_by;
	int64_t			 denied;
	char			*comment;
	char			*signed_serial;	/* the signer's mark, signer_policy.h */
};

/* "PENDING", "APPROVING", "ISSUED", "DENIED" (and back; REQ_UNKNOWN for
 * anything else). */
const char		*request_state_name(enum request_state s);
enum request_state	 request_state_parse(const char *s);

/* A new request id (within a write transaction). */
enum ce_err	request_new_id(struct ce_txn *txn, int64_t *id,
		    struct ce_error *err);
/* Request id into *out (zeroed first; request_clear frees). CE_NOTFOUND
 * when there is none. */
enum ce_err	request_get(struct ce_txn *txn, int64_t id, struct request *out,
		    struct ce_error *err);
/* Writes r (a new one, or a change of one read in the same transaction),
 * moving its index entry and its requester's count with its state. */
enum ce_err	request_put(struct ce_txn *txn, const struct request *r,
		    struct ce_error *err);
/* The certificate request id was issued as: *cert_id, 0 when not (yet)
 * issued.  CE_NOTFOUND when there is no such request. */
enum ce_err	request_cert_id(struct ce_txn *txn, int64_t id, int64_t *cert_id,
		    struct ce_error *err);
/* Requests in state, by id, skipping skip: cb(r, arg) for each until it
 * returns non-zero or limit were seen.  r is valid for the call. */
typedef int	(*request_visit)(const struct request *r, void *arg);
enum ce_err	request_list(struct ce_txn *txn, enum request_state state,
		    int64_t skip, int64_t limit, request_visit cb, void *arg,
		    struct ce_error *err);
/* How many requests are in state (its index entries; a scan before the
 * index is complete): what /metrics shows of PENDING. */
enum ce_err	request_count_state(struct ce_txn *txn,
		    enum request_state state, int64_t *n, struct ce_error *err);
/* How many of user's requests await a decision (PENDING, APPROVING). */
enum ce_err	request_count_waiting(struct ce_txn *txn, const char *user,
		    int64_t *n, struct ce_error *err);
/* Every request as its stored JSON (the admin command's listing). */
enum ce_err	request_dump(struct ce_txn *txn, db_visit cb, void *arg,
		    struct ce_error *err);
void		request_clear(struct request *r);

#endif
