/*
 * test_metrics.c - the shared counter file: a series has one index in
 * every process, counts from processes that exited stay and add up, a
 * histogram's observations land in the right bucket, label values are
 * escaped, and a file of another layout, mode or kind is not counted into.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "metrics.h"
#include "kit.h"

/* Sum of what foreach shows for family{labels}: value i. */
struct find {
	const char	*family, *labels;
	uint64_t	 vals[METRICS_NVALS];
	int		 seen;
};

static void
find_cb(const char *family, const char *labels,
    const uint64_t vals[METRICS_NVALS], void *arg)
{
	struct find *f = arg;

	if (strcmp(family, f->family) == 0 && strcmp(labels, f->labels) == 0) {
		memcpy(f->vals, vals, sizeof(f->vals));
		f->seen++;
	}
}

static struct find
find(const char *family, const char *labels)
{
	struct ce_error err;
	struct find f;

	memset(&f, 0, sizeof(f));
	f.family = family;
	f.labels = labels;
	E(metrics_foreach(find_cb, &f, &err));
	return f;
}

static int
setup(void **state)
{
	struct ce_error err;
	char *dir = strdup("/tmp/ce-metrics.XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL)
		return -1;
	*state = dir;
	E(metrics_open(dir, &err));
	return 0;
}

static int
teardown(void **state)
{
	char path[128];

	metrics_close();
	snprintf(path, sizeof(path), "%s/%s", (char *)*state, METRICS_FILE);
	unlink(path);
	rmdir(*state);
	free(*state);
	return 0;
}

static void
test_counts_of_exited_processes_add_up(void **state)
{
	int s, i, status;
	pid_t pid;

	(void)state;
	s = metrics_series("t_total", "a=\"1\"");
	CHECK(s >= 0);
	CHECK(metrics_series("t_total", "a=\"1\"") == s);
	CHECK(metrics_series("t_total", "a=\"2\"") != s);
	metrics_add(s, 0, 5);
	/* Four processes, each of its own threads' stripes, then gone. */
	for (i = 0; i < 4; i++) {
		if ((pid = fork()) == 0) {
			int j, me = metrics_series("t_total", "a=\"1\"");

			for (j = 0; j < 1000; j++)
				metrics_add(me, 0, 1);
			_exit(me == s ? 0 : 1);
		}
		CHECK(pid > 0);
	}
	for (i = 0; i < 4; i++) {
		CHECK(wait(&status) > 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK(find("t_total", "a=\"1\"").seen == 1);
	CHECK(find("t_total", "a=\"1\"").vals[0] == 4005);
	CHECK(find("t_total", "a=\"2\"").vals[0] == 0);
}

static void
test_a_new_process_finds_the_counts(void **state)
{
	struct ce_error err;
	int s = metrics_series("t_total", "");

	metrics_add(s, 0, 7);
	metrics_close();
	CHECK(!metrics_on());
	CHECK(metrics_series("t_total", "") == -1);
	metrics_add(s, 0, 1000);	/* off: nothing */
	E(metrics_open(*state, &err));
	CHECK(metrics_series("t_total", "") == s);
	CHECK(find("t_total", "").vals[0] == 7);
}

static void
test_histogram_buckets(void **state)
{
	int s = metrics_series("t_seconds", "");
	struct find f;

	(void)state;
	metrics_observe(s, 500000);		/* 0.5 ms: le 0.001 */
	metrics_observe(s, 1000000);		/* 1 ms: le 0.001 (at most) */
	metrics_observe(s, 1000001);		/* le 0.0025 */
	metrics_observe(s, 3000000000ULL);	/* 3 s: le 5 */
	metrics_observe(s, 60000000000ULL);	/* a minute: +Inf */
	f = find("t_seconds", "");
	CHECK(f.vals[0] == 2);
	CHECK(f.vals[1] == 1);
	CHECK(metrics_bounds[11] == 5 && f.vals[11] == 1);
	CHECK(f.vals[METRICS_NBUCKETS - 1] == 1);
	CHECK(f.vals[METRICS_SUM] == 500000 + 1000000 + 1000001 +
	    3000000000ULL + 60000000000ULL);
}

static void
test_labels_are_escaped(void **state)
{
	char buf[64] = "";

	(void)state;
	CHECK(metrics_label(buf, sizeof(buf), "ca", "host\\Issuing") == 0);
	CHECK(strcmp(buf, "ca=\"host\\\\Issuing\"") == 0);
	CHECK(metrics_label(buf, sizeof(buf), "t", "a\"b\nc") == 0);
	CHECK(strcmp(buf, "ca=\"host\\\\Issuing\",t=\"a\\\"b\\nc\"") == 0);
	/* What does not fit leaves the text as it was. */
	CHECK(metrics_label(buf, sizeof(buf), "long",
	    "0123456789012345678901234567890123456789") == -1);
	CHECK(strcmp(buf, "ca=\"host\\\\Issuing\",t=\"a\\\"b\\nc\"") == 0);
}

static void
test_names_too_long_or_table_full(void **state)
{
	char fam[METRICS_FAMILY_MAX + 1], labels[32];
	int i, n = 0;

	(void)state;
	memset(fam, 'f', sizeof(fam) - 1);
	fam[sizeof(fam) - 1] = '\0';
	CHECK(metrics_series(fam, "") == -1);
	for (i = 0; i < METRICS_SERIES_MAX + 10; i++) {
		snprintf(labels, sizeof(labels), "i=\"%d\"", i);
		n += metrics_series("t_total", labels) >= 0;
	}
	CHECK(n == METRICS_SERIES_MAX);
	metrics_add(-1, 0, 1);		/* a series not had: nothing */
	CHECK(metrics_series("t_total", "i=\"0\"") >= 0);
}

static void
test_another_layout_is_replaced(void **state)
{
	struct ce_error err;
	char path[128];
	uint64_t other = 0x1234;
	int fd, s;

	metrics_add(metrics_series("t_total", ""), 0, 3);
	metrics_close();
	snprintf(path, sizeof(path), "%s/%s", (char *)*state, METRICS_FILE);
	CHECK((fd = open(path, O_WRONLY)) >= 0);
	CHECK(pwrite(fd, &other, sizeof(other), 0) == sizeof(other));
	close(fd);
	E(metrics_open(*state, &err));
	s = metrics_series("t_total", "");
	CHECK(s >= 0);
	CHECK(find("t_total", "").vals[0] == 0);
}

static void
test_loose_mode_or_a_link_is_refused(void **state)
{
	struct ce_error err;
	char path[128], link[128];

	metrics_close();
	snprintf(path, sizeof(path), "%s/%s", (char *)*state, METRICS_FILE);
	CHECK(chmod(path, 0644) == 0);
	EFAIL(metrics_open(*state, &err), CE_SYSTEM, "internal error");
	CHECK(!metrics_on());
	CHECK(chmod(path, 0600) == 0);
	snprintf(link, sizeof(link), "%s/target", (char *)*state);
	CHECK(rename(path, link) == 0);
	CHECK(symlink(link, path) == 0);
	EFAIL(metrics_open(*state, &err), CE_SYSTEM, "internal error");
	CHECK(unlink(path) == 0 && unlink(link) == 0);
	E(metrics_open(*state, &err));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_counts_of_exited_processes_add_up),
		T(test_a_new_process_finds_the_counts),
		T(test_histogram_buckets),
		T(test_labels_are_escaped),
		T(test_names_too_long_or_table_full),
		T(test_another_layout_is_replaced),
		T(test_loose_mode_or_a_link_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
