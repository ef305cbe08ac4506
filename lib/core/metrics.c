/* metrics.c - the shared counter file (metrics.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "log.h"
#include "metrics.h"

/* Changes whenever the layout below does: a file of another layout is
 * replaced, never read as this one. */
#define LAYOUT_ID	0x63656d6574720001ULL	/* "cemetr", version 1 */

enum { SLOT_FREE, SLOT_CLAIMED, SLOT_READY };

struct slot {
	uint64_t	 state;		/* SLOT_*, set atomically */
	char		 family[METRICS_FAMILY_MAX];
	char		 labels[METRICS_LABELS_MAX];
};

struct layout {
	uint64_t	 id;		/* LAYOUT_ID once set up */
	uint64_t	 pad[7];
	struct slot	 slots[METRICS_SERIES_MAX];
	uint64_t	 vals[METRICS_STRIPES][METRICS_SERIES_MAX][METRICS_NVALS];
};

const double metrics_bounds[METRICS_NBUCKETS - 1] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

static struct layout *map;
static __thread int stripe = -1;

int
metrics_on(void)
{
	return map != NULL;
}

/* Maps fd (a file of at least sizeof(struct layout)) and claims it for
 * this layout; NULL when it holds another one. */
static struct layout *
map_fd(int fd)
{
	struct layout *m;
	uint64_t old = 0;

	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return NULL;
	if (__atomic_compare_exchange_n(&m->id, &old, LAYOUT_ID, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) || old == LAYOUT_ID)
		return m;
	munmap(m, sizeof(*m));
	return NULL;
}

/* Whether every page of the file has its disk space: a sparse page first
 * written when the file system is full would kill the writer (SIGBUS) in
 * the middle of a request.  Without the space, nothing is counted. */
static int
backed(int fd)
{
	return posix_fallocate(fd, 0, (off_t)sizeof(struct layout)) == 0;
}

/* A new file of this layout renamed over path: processes still mapping
 * the old one count into it until they restart. */
static struct layout *
replace(const char *dir, const char *path)
{
	char tmp[PATH_MAX];
	struct layout *m = NULL;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, METRICS_FILE) >=
	    (int)sizeof(tmp) || (fd = mkstemp(tmp)) == -1)
		return NULL;
	if (ftruncate(fd, sizeof(*m)) == 0 && backed(fd) &&
	    (m = map_fd(fd)) != NULL && rename(tmp, path) != 0) {
		munmap(m, sizeof(*m));
		m = NULL;
	}
	if (m == NULL)
		unlink(tmp);
	close(fd);
	return m;
}

enum ce_err
metrics_open(const char *dir, struct ce_error *err)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (map != NULL)
		return CE_OK;
	if (snprintf(path, sizeof(path), "%s/%s", dir, METRICS_FILE) >=
	    (int)sizeof(path))
		return ce_fault(err, CE_SYSTEM, "metrics: path too long");
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		return ce_fault(err, CE_SYSTEM, "metrics: open %s: %s", path,
		    strerror(errno));
	/* Another uid's file (or a link) is not ours to count into. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		close(fd);
		return ce_fault(err, CE_SYSTEM, "metrics: %s is not a 0600 "
		    "file of uid %u", path, (unsigned)geteuid());
	}
	/* Growing is safe while others map it: the new part reads as 0. */
	if ((size_t)st.st_size < sizeof(*map) &&
	    ftruncate(fd, sizeof(*map)) != 0) {
		close(fd);
		return ce_fault(err, CE_SYSTEM, "metrics: ftruncate %s: %s",
		    path, strerror(errno));
	}
	if (!backed(fd)) {
		close(fd);
		return ce_fault(err, CE_SYSTEM, "metrics: no space for %s: "
		    "nothing is counted", path);
	}
	if ((map = map_fd(fd)) == NULL)
		map = replace(dir, path);
	close(fd);
	if (map == NULL)
		return ce_fault(err, CE_SYSTEM, "metrics: cannot map %s", path);
	return CE_OK;
}

void
metrics_close(void)
{
	if (map != NULL)
		munmap(map, sizeof(*map));
	map = NULL;
}

/* FNV-1a over family and labels: where a series' probe starts. */
static size_t
hash(const char *family, const char *labels)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *p;

	for (p = family; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	h = (h ^ '{') * 0x100000001b3ULL;
	for (p = labels; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	return (size_t)(h % METRICS_SERIES_MAX);
}

/* Waits (briefly) for a slot another process is filling in: READY, or
 * still CLAIMED by a process that died there (then skipped for good). */
static uint64_t
settled(struct slot *s)
{
	uint64_t st;
	int i;

	for (i = 0; i < 10000; i++) {
		if ((st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE)) !=
		    SLOT_CLAIMED)
			return st;
		sched_yield();
	}
	return SLOT_CLAIMED;
}

/* Says once per process that a series goes uncounted, and returns -1. */
static int
uncounted(const char *family, const char *why)
{
	static int said;

	if (!__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
		log_warn("metrics: %.64s is not counted: %s (and maybe others)",
		    family, why);
	return -1;
}

int
metrics_series(const char *family, const char *labels)
{
	size_t i, n, start;
	struct slot *s;
	uint64_t st;

	if (map == NULL)
		return -1;
	if (strlen(family) >= METRICS_FAMILY_MAX ||
	    strlen(labels) >= METRICS_LABELS_MAX)
		return uncounted(family, "its name or labels are too long");
	start = hash(family, labels);
	for (n = 0; n < METRICS_SERIES_MAX; n++) {
		i = (start + n) % METRICS_SERIES_MAX;
		s = &map->slots[i];
		st = SLOT_FREE;
		/* Open addressing: a series is at the first free slot of its
		 * probe, or before it. */
		if (__atomic_compare_exchange_n(&s->state, &st, SLOT_CLAIMED, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			snprintf(s->family, sizeof(s->family), "%s", family);
			snprintf(s->labels, sizeof(s->labels), "%s", labels);
			__atomic_store_n(&s->state, SLOT_READY,
			    __ATOMIC_RELEASE);
			return (int)i;
		}
		if (st == SLOT_CLAIMED)
			st = settled(s);
		if (st == SLOT_READY && strcmp(s->family, family) == 0 &&
		    strcmp(s->labels, labels) == 0)
			return (int)i;
	}
	return uncounted(family, "the metrics file's table is full");
}

/* This thread's stripe: threads and processes spread over the stripes
 * so that they seldom add to the same cache line. */
static int
my_stripe(void)
{
	if (stripe < 0)
		stripe = (int)((unsigned long)syscall(SYS_gettid) %
		    METRICS_STRIPES);
	return stripe;
}

void
metrics_add(int s, int i, uint64_t n)
{
	if (map == NULL || s < 0 || s >= METRICS_SERIES_MAX || i < 0 ||
	    i >= METRICS_NVALS)
		return;
	__atomic_fetch_add(&map->vals[my_stripe()][s][i], n, __ATOMIC_RELAXED);
}

void
metrics_observe(int s, uint64_t ns)
{
	int b;

	for (b = 0; b < METRICS_NBUCKETS - 1; b++)
		if ((double)ns <= metrics_bounds[b] * 1e9)
			break;
	metrics_add(s, b, 1);
	metrics_add(s, METRICS_SUM, ns);
}

uint64_t
metrics_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int
metrics_label(char *buf, size_t n, const char *name, const char *value)
{
	size_t len = strlen(buf), o;
	const char *p;

	o = len + (size_t)snprintf(buf + len, n - len, "%s%s=\"",
	    len ? "," : "", name);
	for (p = value; o < n && *p != '\0'; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" :
		    *p == '\n' ? "\\n" : NULL;

		if (esc != NULL && o + 2 < n) {
			memcpy(buf + o, esc, 2);
			o += 2;
		} else if (esc == NULL && o + 1 < n)
			buf[o++] = *p;
		else
			o = n;
	}
	if (o + 2 > n) {
		buf[len] = '\0';
		return -1;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return 0;
}

enum ce_err
metrics_foreach(metrics_visit cb, void *arg, struct ce_error *err)
{
	uint64_t sum[METRICS_NVALS];
	char family[METRICS_FAMILY_MAX], labels[METRICS_LABELS_MAX];
	int i, j, k;

	if (map == NULL)
		return ce_fail(err, CE_SYSTEM, "Metrics are off in this "
		    "process (see the log at start).");
	for (i = 0; i < METRICS_SERIES_MAX; i++) {
		if (__atomic_load_n(&map->slots[i].state, __ATOMIC_ACQUIRE) !=
		    SLOT_READY)
			continue;
		/* Copied: another process may share the map, never rewrites
		 * a READY slot, but a damaged file must not run off. */
		snprintf(family, sizeof(family), "%.*s",
		    (int)sizeof(family) - 1, map->slots[i].family);
		snprintf(labels, sizeof(labels), "%.*s",
		    (int)sizeof(labels) - 1, map->slots[i].labels);
		memset(sum, 0, sizeof(sum));
		for (k = 0; k < METRICS_STRIPES; k++)
			for (j = 0; j < METRICS_NVALS; j++)
				sum[j] += __atomic_load_n(&map->vals[k][i][j],
				    __ATOMIC_RELAXED);
		cb(family, labels, sum, arg);
	}
	return CE_OK;
}
