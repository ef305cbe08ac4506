/*
 * fileutil.h - files we write are written atomically: a temporary file in
 * the same folder, fchmod, write, fsync, rename, fsync of the folder.
 */
#ifndef CE_FILEUTIL_H
#define CE_FILEUTIL_H

#include <stddef.h>
#include <sys/types.h>
#include "error.h"

enum ce_err	file_write_atomic(const char *path, const void *data, size_t len,
		    mode_t mode, struct ce_error *err);
/* Reads a whole file (at most max bytes); *out malloc'd, NUL-terminated. */
enum ce_err	file_read(const char *path, size_t max, unsigned char **out,
		    size_t *len, struct ce_error *err);

/*
 * The data directory a service process is about to use: it, and its db/ and
 * ca/ folders where they exist, are real folders (not symlinks) owned by
 * owner (the process's own uid) and writable by no one else.  Anyone else
 * who could write there could plant an LMDB file or a key.  CE_SYSTEM with
 * the reason otherwise.
 */
enum ce_err	datadir_check(const char *dir, uid_t owner, struct ce_error *err);

#endif
