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

/* Runs every job due at now (one at a time); reports how many ran and how
 * many failed.  Each job's result is committed before the next starts.  The
 * caller holds the agent lock (one agent per data directory), so a job found
 * "running" was interrupted and is run again. */
enum ce_err	agent_run_due(struct ce_db *db, time_t now, int *ran, int *failed,
		    struct ce_error *err);

#endif
