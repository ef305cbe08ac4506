/*
 * agent.h - the store agent: runs the management jobs that are due against
 * the real stores, records each result, then takes an inventory of the
 * store so that the certificates' locations follow what is there.
 */
#ifndef CE_AGENT_H
#define CE_AGENT_H

#include <time.h>

#include "error.h"

struct ce_db;

/* Runs every job due at now (one at a time; the pass's clock moves on from
 * now as it runs); reports how many ran and how many failed.  Each job's
 * result is committed before the next starts.  Each job is claimed for a
 * lease of job_lease seconds (settings.h): agents on several hosts sharing
 * one PostgreSQL take different jobs, and a job found "running" past its
 * lease (its agent died) is run again.  A run whose job was taken over
 * meanwhile is logged, its outcome not recorded.  The caller holds the
 * agent lock (one agent per data directory: two writers of one store file
 * could lose an update). */
enum ce_err	agent_run_due(struct ce_db *db, time_t now, int *ran, int *failed,
		    struct ce_error *err);

#endif
