/* fileutil.c - atomic file writes (see fileutil.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileutil.h"

static enum ce_err
write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return CE_SYSTEM;
		}
		p += n;
		len -= (size_t)n;
	}
	return CE_OK;
}

/* fsync the folder holding path so the rename itself is durable. */
static void
sync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd;

	snprintf(copy, sizeof(copy), "%s", path);
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY)) != -1) {
		fsync(fd);
		close(fd);
	}
}

enum ce_err
file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
    struct ce_error *err)
{
	char tmp[PATH_MAX];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp))
		return ce_fail(err, CE_SYSTEM, "path too long: %s", path);
	if ((fd = mkstemp(tmp)) == -1)
		return ce_fail(err, CE_SYSTEM, "cannot create a file beside %s: %s",
		    path, strerror(errno));
	if (fchmod(fd, mode) == -1 || write_all(fd, data, len) != CE_OK ||
	    fsync(fd) == -1) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return ce_fail(err, CE_SYSTEM, "cannot write %s: %s", path,
		    strerror(e));
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		int e = errno;
		unlink(tmp);
		return ce_fail(err, CE_SYSTEM, "cannot replace %s: %s", path,
		    strerror(e));
	}
	sync_dir(path);
	return CE_OK;
}

enum ce_err
file_read(const char *path, size_t max, unsigned char **out, size_t *len,
    struct ce_error *err)
{
	unsigned char *buf;
	size_t have = 0;
	ssize_t n;
	int fd;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY)) == -1)
		return ce_fail(err, errno == ENOENT ? CE_NOTFOUND : CE_SYSTEM,
		    "cannot open %s: %s", path, strerror(errno));
	if ((buf = malloc(max + 1)) == NULL) {
		close(fd);
		return ce_fault(err, CE_NOMEM, "malloc");
	}
	while (have < max && (n = read(fd, buf + have, max - have)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			/* Not what the file holds: an error, not a short file. */
			int e = errno;

			close(fd);
			free(buf);
			return ce_fail(err, CE_SYSTEM, "cannot read %s: %s", path,
			    strerror(e));
		}
		have += (size_t)n;
	}
	close(fd);
	buf[have] = '\0';
	*out = buf;
	*len = have;
	return CE_OK;
}

/* A folder of the data directory: itself (no symlink), owned by owner,
 * writable by no one else.  A missing optional one is fine. */
static enum ce_err
check_dir(const char *path, uid_t owner, int optional, struct ce_error *err)
{
	struct stat st;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT && optional)
			return CE_OK;
		return ce_fault(err, CE_SYSTEM, "data directory %s: %s", path,
		    strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return ce_fault(err, CE_SYSTEM, "data directory %s is not a "
		    "folder (a symlink is refused)", path);
	if (st.st_uid != owner)
		return ce_fault(err, CE_SYSTEM, "data directory %s belongs to uid "
		    "%u, not to this service's uid %u: refusing it", path,
		    (unsigned)st.st_uid, (unsigned)owner);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return ce_fault(err, CE_SYSTEM, "data directory %s is writable by "
		    "group or others: refusing it (chmod 700)", path);
	return CE_OK;
}

enum ce_err
datadir_check(const char *dir, uid_t owner, struct ce_error *err)
{
	static const char *const sub[] = { "db", "ca" };
	char path[PATH_MAX];
	enum ce_err rc;
	size_t i;

	if ((rc = check_dir(dir, owner, 0, err)) != CE_OK)
		return rc;
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, sub[i]) >=
		    (int)sizeof(path))
			return ce_fault(err, CE_SYSTEM, "data directory path too long");
		if ((rc = check_dir(path, owner, 1, err)) != CE_OK)
			return rc;
	}
	return CE_OK;
}
