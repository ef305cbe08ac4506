/*
 * signer_server.h - the signer's side of the protocol of signer.h: what
 * certenroll-signer(8) runs for each request.
 */
#ifndef CE_SIGNER_SERVER_H
#define CE_SIGNER_SERVER_H

#include <json-c/json.h>

struct ce_db;

/* Answers one request (the signer's policy check, lint, signature) into a
 * new answer object. */
json_object	*signer_handle(struct ce_db *db, json_object *req);

#endif
