/* api_metrics.c - GET /metrics (the status group, api_status.c): the
 * Prometheus text exposition format (version 0.0.4) of what this host's
 * programs counted (metrics.h), then gauges read from the database at
 * scrape time (a few bounded reads: the pending requests' index, the job
 * queue, the key pools). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "jobs.h"
#include "keypool.h"
#include "metrics.h"
#include "request.h"

/* The counted families, in the order they are shown. */
static const struct family {
	const char	*name;
	const char	*type;
	const char	*help;
} families[] = {
	{ "certenroll_http_requests_total", "counter",
	    "Requests answered, by program, endpoint and status." },
	{ "certenroll_http_request_duration_seconds", "histogram",
	    "Time from a request's routing to its answer." },
	{ "certenroll_certificates_issued_total", "counter",
	    "Certificates issued through this host, by CA, template and "
	    "key type." },
	{ "certenroll_signer_duration_seconds", "histogram",
	    "Round trips to the signer, by operation." },
	{ "certenroll_db_commit_duration_seconds", "histogram",
	    "Durable database commits, by backend." },
	{ "certenroll_jobs_failed_total", "counter",
	    "Management jobs this host's agent ended as failed." },
};

/* The answer being built; fail set once anything did not fit. */
struct text {
	char	*p;
	size_t	 len, cap;
	int	 fail;
};

static void __attribute__((format(printf, 2, 3)))
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *np;

	for (;;) {
		if (t->fail)
			return;
		va_start(ap, fmt);
		n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->fail = 1;
			return;
		}
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		if ((np = realloc(t->p, t->cap * 2 + (size_t)n)) == NULL) {
			t->fail = 1;
			return;
		}
		t->p = np;
		t->cap = t->cap * 2 + (size_t)n;
	}
}

/* "{labels}" or "{labels,extra}"; "" when both are empty. */
static void
put_labels(struct text *t, const char *labels, const char *extra)
{
	if (*labels == '\0' && *extra == '\0')
		return;
	put(t, "{%s%s%s}", labels, *labels && *extra ? "," : "", extra);
}

struct render {
	struct text		*t;
	const struct family	*f;
};

/* The lines of one series, when it is of the family being shown. */
static void
series_cb(const char *family, const char *labels,
    const uint64_t vals[METRICS_NVALS], void *arg)
{
	struct render *r = arg;
	char le[32];
	uint64_t cum = 0;
	int b;

	if (strcmp(family, r->f->name) != 0)
		return;
	if (strcmp(r->f->type, "counter") == 0) {
		put(r->t, "%s", family);
		put_labels(r->t, labels, "");
		put(r->t, " %llu\n", (unsigned long long)vals[0]);
		return;
	}
	for (b = 0; b < METRICS_NBUCKETS; b++) {
		cum += vals[b];
		if (b < METRICS_NBUCKETS - 1)
			snprintf(le, sizeof(le), "le=\"%g\"", metrics_bounds[b]);
		else
			snprintf(le, sizeof(le), "le=\"+Inf\"");
		put(r->t, "%s_bucket", family);
		put_labels(r->t, labels, le);
		put(r->t, " %llu\n", (unsigned long long)cum);
	}
	put(r->t, "%s_sum", family);
	put_labels(r->t, labels, "");
	put(r->t, " %.9f\n", (double)vals[METRICS_SUM] / 1e9);
	put(r->t, "%s_count", family);
	put_labels(r->t, labels, "");
	put(r->t, " %llu\n", (unsigned long long)cum);
}

static void
put_gauge(struct text *t, const char *name, const char *help, int64_t v)
{
	put(t, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name, help, name,
	    name, (long long)v);
}

struct levels {
	struct text	*t;
	int		 target;	/* the targets, not the levels */
};

static void
level_cb(const char *spec, int have, int target, void *arg)
{
	struct levels *l = arg;
	char labels[64] = "";

	if (metrics_label(labels, sizeof(labels), "spec", spec) != 0)
		return;
	put(l->t, "certenroll_keypool_%s{%s} %d\n", l->target ? "target" :
	    "keys", labels, l->target ? target : have);
}

/* What the database holds now, for the whole installation (every host
 * sharing it shows the same). */
static enum ce_err
gauges(struct ce_db *db, struct text *t, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct levels l = { t, 0 };
	int64_t pending = 0, jobs = 0;
	enum ce_err rc;

	if ((rc = db_begin(db, 0, &txn, err)) != CE_OK)
		return rc;
	if ((rc = request_count_state(txn, REQ_PENDING, &pending, err)) ==
	    CE_OK)
		rc = job_count_unfinished(txn, &jobs, err);
	db_abort(txn);
	if (rc != CE_OK)
		return rc;
	put_gauge(t, "certenroll_requests_pending",
	    "Requests awaiting approval.", pending);
	put_gauge(t, "certenroll_jobs_unfinished", "Management jobs queued: "
	    "scheduled, running or to be retried.", jobs);
	put(t, "# HELP certenroll_keypool_keys Keys in the pool, by spec.\n"
	    "# TYPE certenroll_keypool_keys gauge\n");
	if ((rc = keypool_levels(db, level_cb, &l, err)) != CE_OK)
		return rc;
	l.target = 1;
	put(t, "# HELP certenroll_keypool_target The pool's configured size "
	    "(key_pool).\n# TYPE certenroll_keypool_target gauge\n");
	return keypool_levels(db, level_cb, &l, err);
}

enum ce_err
api_metrics(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	struct text t = { NULL, 0, 4096, 0 };
	struct render r = { &t, NULL };
	enum ce_err rc = CE_OK;
	size_t i;

	*resp = NULL;
	if ((t.p = malloc(t.cap)) == NULL)
		return ce_fault(err, CE_NOMEM, "metrics");
	t.p[0] = '\0';
	for (i = 0; i < sizeof(families) / sizeof(families[0]) && rc == CE_OK;
	    i++) {
		r.f = &families[i];
		put(&t, "# HELP %s %s\n# TYPE %s %s\n", r.f->name, r.f->help,
		    r.f->name, r.f->type);
		rc = metrics_foreach(series_cb, &r, err);
	}
	if (rc == CE_OK)
		rc = gauges(c->db, &t, err);
	if (rc == CE_OK && t.fail)
		rc = ce_fault(err, CE_NOMEM, "metrics");
	if (rc != CE_OK) {
		free(t.p);
		return rc;
	}
	c->text = t.p;
	c->text_len = t.len;
	c->text_type = "text/plain; version=0.0.4; charset=utf-8";
	return CE_OK;
}
