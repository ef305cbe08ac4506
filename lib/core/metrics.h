/*
 * metrics.h - counters and latency histograms that survive restarts and
 * add up across processes (GET /metrics, lib/api/api_metrics.c).
 *
 * The counts live in one file, DATA/metrics, that every program maps
 * shared (metrics_open).  A series is a family name and its labels
 * ("certenroll_http_requests_total", "program=\"status\",code=\"200\""),
 * registered once in the file's table and known by its index from then
 * on: every process that names the same series gets the same index.  Its
 * values are kept METRICS_STRIPES times over; a thread adds to its own
 * stripe (chosen once per thread) with a relaxed atomic add, so counting
 * takes no lock and no system call, and a scrape sums the stripes.
 * Nothing is ever subtracted: a process that dies or is recycled leaves
 * its counts in the file for the next scrape, so a counter only grows for
 * as long as the file lives (a new layout, after an upgrade, starts a new
 * file: Prometheus sees a counter reset).
 *
 * A histogram's values are its buckets, not cumulative (count i: the
 * observations above bound i-1 and at most bound i, the last one above
 * every bound), then the sum of what was observed in nanoseconds.
 *
 * Without metrics_open (the admin command, unit tests) every call is a
 * no-op and metrics_series returns -1.
 */
#ifndef CE_METRICS_H
#define CE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define METRICS_FILE		"metrics"
#define METRICS_SERIES_MAX	1024	/* series in the file */
#define METRICS_STRIPES		8
#define METRICS_NVALS		16	/* values of a series */
#define METRICS_FAMILY_MAX	64	/* with its NUL */
#define METRICS_LABELS_MAX	192
#define METRICS_NBUCKETS	14	/* 13 bounds and +Inf */
#define METRICS_SUM		METRICS_NBUCKETS	/* a histogram's sum, ns */

/* The upper bounds of a histogram's first METRICS_NBUCKETS - 1 buckets,
 * in seconds ("le" of the exposition format). */
extern const double metrics_bounds[METRICS_NBUCKETS - 1];

/* Maps dir/metrics (0600, this uid's own; created, or made anew when it
 * holds another layout).  Once per process, after fork.  CE_SYSTEM when
 * it cannot (logged; counting stays off). */
enum ce_err	metrics_open(const char *dir, struct ce_error *err);
void		metrics_close(void);
int		metrics_on(void);

/* The index of the series family{labels}, registered if it is new: the
 * same index in every process.  labels is the text between the braces,
 * escaped (metrics_label); -1 when counting is off, the names are too
 * long or the table is full (logged once per process). */
int		metrics_series(const char *family, const char *labels);
/* Adds n to value i of series s (s < 0: nothing). */
void		metrics_add(int s, int i, uint64_t n);
/* One observation of ns nanoseconds into histogram series s. */
void		metrics_observe(int s, uint64_t ns);
/* Nanoseconds on the monotonic clock (no system call: the vDSO). */
uint64_t	metrics_now_ns(void);

/* Appends name="value" (with a leading comma unless buf is empty) to the
 * label text buf, value escaped as the exposition format wants (\\, \",
 * \n).  Returns 0, or -1 when it does not fit (buf unchanged). */
int		metrics_label(char *buf, size_t n, const char *name,
		    const char *value);

/* Calls cb for each registered series, in table order, with its
 * values summed over the stripes. */
typedef void	(*metrics_visit)(const char *family, const char *labels,
		    const uint64_t vals[METRICS_NVALS], void *arg);
enum ce_err	metrics_foreach(metrics_visit cb, void *arg,
		    struct ce_error *err);

#endif
