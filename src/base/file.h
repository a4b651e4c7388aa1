/*
 * file.h: writing files so that a crash never leaves half of one.
 */
#ifndef SANILOG_FILE_H
#define SANILOG_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* Writes all of data to fd, retrying after EINTR.  False on error (errno
 * says why). */
bool file_write_all(int fd, const void *data, size_t len);

/*
 * Replaces path with data: a temporary file beside it is written, synced,
 * made mode 0644 and renamed over path.  On failure path is unaltered, the
 * temporary file is removed and e says why.
 */
enum status file_replace(const char *path, const void *data, size_t len,
			 struct err *e);

#endif
