/*
 * workflow.h - requests that wait for approval: approve (which issues them
 * and, for v2 requests with Stores, schedules their delivery), deny, list.
 *
 * Request states as integers in answers: 1 Pending, 2 Issued, 3 Denied,
 * 4 Failed (StateString "Pending", "Issued", "Denied", "Failed").
 */
#ifndef CE_WORKFLOW_H
#define CE_WORKFLOW_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "error.h"

struct ce_db;

/*
 * Approves each request id of the JSON array ids.  Per id the answer lists
 * it in Successes (issued), Failures (unknown, not pending, could not be
 * issued) or Denials (the approver may not approve it: their own request).
 * *response = {"Failures":[P],"Denials":[P],"Successes":[P]}.
 * 400 when ids is not a non-empty array of integers.
 */
enum ce_err	workflow_approve(struct ce_db *db, const char *approver,
		    json_object *ids, json_object **response, struct ce_error *err);

/* How many ids an approve or deny answer lists in Successes. */
size_t		workflow_successes(json_object *response);

/* Denies each pending request of ids with comment; same answer shape. */
enum ce_err	workflow_deny(struct ce_db *db, const char *who,
		    const char *comment, json_object *ids, json_object **response,
		    struct ce_error *err);

/* Lists requests in state ("PENDING" or "DENIED"), page (1-based) of
 * limit, as an array of the objects workflow_get() answers. */
enum ce_err	workflow_list(struct ce_db *db, const char *state, int64_t limit,
		    int64_t page, json_object **out, struct ce_error *err);

/* One request's details; 404 when unknown. */
enum ce_err	workflow_get(struct ce_db *db, int64_t id, json_object **out,
		    struct ce_error *err);

#endif
