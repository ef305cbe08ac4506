/*
 * test_fileutil.c - fileutil: atomic writes (mode as asked whatever the
 * umask, a file replaced whole, a symlink replaced and not written
 * through, nothing left behind), whole-file reads, and datadir_check's
 * refusals: another owner, a folder others may write, a symlink, for the
 * data folder and for its db/ and ca/.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fileutil.h"
#include "kit.h"

#define PATHSZ	256

/* Number of entries of folder dir, . and .. aside. */
static int
entries(const char *dir)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	CHECK((d = opendir(dir)) != NULL);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* The whole content of path, NUL-terminated (caller frees). */
static char *
content(const char *path)
{
	struct ce_error err;
	unsigned char *data = NULL;
	size_t len;

	E(file_read(path, 1 << 16, &data, &len, &err));
	CHECK(strlen((char *)data) == len);
	return (char *)data;
}

static void
test_write(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	char dir[PATHSZ / 2], path[PATHSZ], *s;
	struct stat st;
	mode_t old;

	snprintf(dir, sizeof(dir), "%s/out", k->dir);
	CHECK(mkdir(dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	/* the mode asked for, whatever the umask says */
	old = umask(0077);
	E(file_write_atomic(path, "first\n", 6, 0644, &err));
	umask(old);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644);
	CHECK(strcmp(s = content(path), "first\n") == 0);
	free(s);
	/* replaced whole, the new mode too */
	E(file_write_atomic(path, "second, longer\n", 15, 0600, &err));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(strcmp(s = content(path), "second, longer\n") == 0);
	free(s);
	E(file_write_atomic(path, "", 0, 0600, &err));
	CHECK(stat(path, &st) == 0 && st.st_size == 0);
	/* no temporary file left beside it */
	CHECK(entries(dir) == 1);
	/* a folder that is not there */
	snprintf(path, sizeof(path), "%s/none/cert.pem", k->dir);
	EFAIL(file_write_atomic(path, "x", 1, 0600, &err), CE_SYSTEM,
	    "cannot create a file beside");
	CHECK(entries(dir) == 1);
}

/* A symlink at the path is replaced by the file: whatever it pointed to
 * is left alone. */
static void
test_write_symlink(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	char target[PATHSZ], link[PATHSZ], *s;
	struct stat st;

	snprintf(target, sizeof(target), "%s/precious", k->dir);
	snprintf(link, sizeof(link), "%s/cert.pem", k->dir);
	E(file_write_atomic(target, "precious\n", 9, 0600, &err));
	CHECK(symlink(target, link) == 0);
	E(file_write_atomic(link, "cert\n", 5, 0644, &err));
	CHECK(lstat(link, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(strcmp(s = content(link), "cert\n") == 0);
	free(s);
	CHECK(strcmp(s = content(target), "precious\n") == 0);
	free(s);
}

static void
test_read(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	unsigned char *data = NULL;
	char path[PATHSZ];
	size_t len;

	snprintf(path, sizeof(path), "%s/f", k->dir);
	E(file_write_atomic(path, "0123456789", 10, 0600, &err));
	E(file_read(path, 10, &data, &len, &err));
	CHECK(len == 10 && memcmp(data, "0123456789", 11) == 0);
	free(data);
	/* at most max bytes */
	E(file_read(path, 4, &data, &len, &err));
	CHECK(len == 4 && strcmp((char *)data, "0123") == 0);
	free(data);
	/* binary content comes whole, NULs and all */
	E(file_write_atomic(path, "a\0b", 3, 0600, &err));
	E(file_read(path, 100, &data, &len, &err));
	CHECK(len == 3 && memcmp(data, "a\0b", 4) == 0);
	free(data);
	snprintf(path, sizeof(path), "%s/none", k->dir);
	EFAIL(file_read(path, 10, &data, &len, &err), CE_NOTFOUND,
	    "cannot open");
	CHECK(data == NULL && len == 0);
	/* a folder opens, but does not read: an error, not an empty file */
	EFAIL(file_read(k->dir, 10, &data, &len, &err), CE_SYSTEM,
	    "cannot read");
	CHECK(data == NULL && len == 0);
}

/* datadir_check(dir, owner) is refused with the generic message, and
 * logs the reason holding says. */
static void
refused(const char *dir, uid_t owner, const char *says)
{
	struct ce_error err;
	enum ce_err rc;
	char *log;

	ce_error_clear(&err);
	kit_log_begin();
	rc = datadir_check(dir, owner, &err);
	log = kit_log_end();
	if (rc != CE_SYSTEM || strstr(log, says) == NULL)
		fail_msg("%s for uid %u: %s, logged '%s', wanted '%s'", dir,
		    (unsigned)owner, ce_strerror(rc), log, says);
	CHECK(strcmp(err.msg, "An internal error occurred (system).") == 0);
	free(log);
}

/* The kit's folder (or its sub) with mode: accepted when says is NULL,
 * else refused saying so. */
static void
with_mode(struct kit *k, const char *sub, mode_t mode, const char *says)
{
	struct ce_error err;
	char path[PATHSZ];

	snprintf(path, sizeof(path), "%s%s%s", k->dir, sub ? "/" : "",
	    sub ? sub : "");
	CHECK(chmod(path, mode) == 0);
	if (says == NULL)
		E(datadir_check(k->dir, geteuid(), &err));
	else
		refused(k->dir, geteuid(), says);
	CHECK(chmod(path, 0700) == 0);
}

/* LMDB's db/ folder, also where the data is on PostgreSQL (a folder an
 * older installation left): datadir_check judges it either way. */
static void
db_folder(struct kit *k)
{
	char db[PATHSZ];

	snprintf(db, sizeof(db), "%s/db", k->dir);
	CHECK(mkdir(db, 0700) == 0 || errno == EEXIST);
}

#define WRITABLE	"is writable by group or others: refusing it"
#define SYMLINK		"is not a folder (a symlink is refused)"

static void
test_datadir_modes(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	char ca[PATHSZ];

	snprintf(ca, sizeof(ca), "%s/ca", k->dir);
	db_folder(k);
	/* as `certenroll init` leaves it: no ca/ yet */
	E(datadir_check(k->dir, geteuid(), &err));
	CHECK(mkdir(ca, 0700) == 0);
	E(datadir_check(k->dir, geteuid(), &err));
	/* readable by others is fine, writable is not */
	with_mode(k, NULL, 0755, NULL);
	with_mode(k, NULL, 0770, WRITABLE);
	with_mode(k, NULL, 0720, WRITABLE);
	with_mode(k, NULL, 0702, WRITABLE);
	with_mode(k, NULL, 01777, WRITABLE);
	with_mode(k, "db", 0750, NULL);
	with_mode(k, "db", 0770, "/db is writable");
	with_mode(k, "db", 0707, "/db is writable");
	with_mode(k, "ca", 0755, NULL);
	with_mode(k, "ca", 0730, "/ca is writable");
	with_mode(k, "ca", 0703, "/ca is writable");
}

static void
test_datadir_owner(void **state)
{
	struct kit *k = *state;
	char ca[PATHSZ], says[64];
	uid_t me = geteuid();

	snprintf(says, sizeof(says), "belongs to uid %u, not to this service's "
	    "uid %u", (unsigned)me, (unsigned)me + 1);
	refused(k->dir, me + 1, says);
	if (me != 0)
		return;		/* only root can give ca/ to someone else */
	snprintf(ca, sizeof(ca), "%s/ca", k->dir);
	CHECK(mkdir(ca, 0700) == 0 && chown(ca, 65534, 65534) == 0);
	refused(k->dir, me, "/ca belongs to uid 65534, not to this service's "
	    "uid 0");
	/* and the other user's view: the folder is not theirs */
	refused(k->dir, 65534, "belongs to uid 0, not to this service's uid "
	    "65534");
}

static void
test_datadir_symlink(void **state)
{
	struct kit *k = *state, k2;
	struct ce_error err;
	char link[PATHSZ], sub[PATHSZ], file[PATHSZ];

	kit_open(&k2);
	db_folder(&k2);
	/* the data folder itself */
	snprintf(link, sizeof(link), "%s/data", k->dir);
	CHECK(symlink(k2.dir, link) == 0);
	E(datadir_check(k2.dir, geteuid(), &err));
	refused(link, geteuid(), SYMLINK);
	/* its ca/ and db/ */
	snprintf(sub, sizeof(sub), "%s/ca", k->dir);
	CHECK(symlink(k2.dir, sub) == 0);
	refused(k->dir, geteuid(), "/ca " SYMLINK);
	CHECK(unlink(sub) == 0);
	E(datadir_check(k->dir, geteuid(), &err));
	snprintf(sub, sizeof(sub), "%s/db", k2.dir);
	snprintf(file, sizeof(file), "%s/db.real", k2.dir);
	CHECK(rename(sub, file) == 0 && symlink(file, sub) == 0);
	refused(k2.dir, geteuid(), "/db " SYMLINK);
	/* a file where a folder belongs, and nothing at all */
	snprintf(sub, sizeof(sub), "%s/ca", k->dir);
	E(file_write_atomic(sub, "", 0, 0600, &err));
	refused(k->dir, geteuid(), "/ca is not a folder");
	snprintf(sub, sizeof(sub), "%s/none", k->dir);
	refused(sub, geteuid(), "No such file or directory");
	kit_close(&k2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_write),
		KIT_TEST(test_write_symlink),
		KIT_TEST(test_read),
		KIT_TEST(test_datadir_modes),
		KIT_TEST(test_datadir_owner),
		KIT_TEST(test_datadir_symlink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
