/*
 * jobview.h - GET /OrchestratorJobs/JobHistory: the management jobs the
 * store agent runs (jobs.h), as Keyfactor's JobHistoryResponse, with the
 * query language over their fields.
 *
 * Each job is one history item: JobHistoryId (the job's id), JobId (a GUID
 * made of it), JobType "Management", Status 1 scheduled (or waiting to be
 * tried again), 2 running, 3 completed; Result 0 unknown (not completed),
 * 1 success, 2 warning (cancelled), 3 failure; Message the last error;
 * OperationStart and OperationEnd; the store's ClientMachine and StorePath.
 * Beside them what certenroll knows: CertStoreId, CertificateId, Alias,
 * Attempts, Requester, StatusString (jobs.h's word).
 */
#ifndef CE_JOBVIEW_H
#define CE_JOBVIEW_H

#include <json-c/json.h>

#include "error.h"
#include "query.h"

struct ce_db;

/* JobHistoryId/Id, CertificateId, Result, Status (numbers), CertStoreId,
 * ClientMachine, StorePath, JobType, Requester, Alias (text),
 * OperationStart, OperationEnd (dates). */
extern const struct query_vocab jobview_fields;

/* The page pg of the jobs q matches (NULL: all), in id order. */
enum ce_err	jobview_history(struct ce_db *db, const struct query *q,
		    const struct paging *pg, json_object **out,
		    struct ce_error *err);

#endif
