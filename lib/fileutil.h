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

#endif
