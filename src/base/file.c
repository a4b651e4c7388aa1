/*
 * file.c: whole-file writes by temporary file and rename.
 */
#include "file.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool file_write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

enum status file_replace(const char *path, const void *data, size_t len,
			 struct err *e)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int)sizeof tmp)
		return err_set(e, ST_INVALID, "%s: path too long", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return err_set(e, ST_IO, "%s: %s", path, strerror(errno));
	if (!file_write_all(fd, data, len) || fsync(fd) != 0 ||
	    fchmod(fd, 0644) != 0) {
		int saved = errno;
		close(fd);
		unlink(tmp);
		return err_set(e, ST_IO, "%s: %s", path, strerror(saved));
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		int saved = errno;
		unlink(tmp);
		return err_set(e, ST_IO, "%s: %s", path, strerror(saved));
	}
	return ST_OK;
}
