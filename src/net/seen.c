/*
 * seen.c: the checkpoint cache of rule 8, one file per origin.
 */
#include "seen.h"

#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static enum status cache_dir(char *out, size_t outsize, struct err *e)
{
	const char *base = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;
	if (base != NULL && base[0] == '/')
		n = snprintf(out, outsize, "%s/sanilog", base);
	else if (home != NULL && home[0] != 0)
		n = snprintf(out, outsize, "%s/.cache/sanilog", home);
	else
		return err_set(e, ST_NOT_FOUND,
			       "no cache directory: neither XDG_CACHE_HOME "
			       "nor HOME is set");
	if (n < 0 || (size_t)n >= outsize)
		return err_set(e, ST_TOO_LARGE,
			       "cache directory: path too long");
	return ST_OK;
}

enum status seen_path(const char *origin, char *out, size_t outsize,
		      bool make_dir, struct err *e)
{
	char dir[PATH_MAX];
	enum status r = cache_dir(dir, sizeof dir, e);
	if (r != ST_OK)
		return r;
	if (make_dir) {
		char parent[PATH_MAX];
		memcpy(parent, dir, sizeof parent);
		char *slash = strrchr(parent, '/');
		if (slash != NULL && slash != parent) {
			*slash = 0;
			(void)mkdir(parent, 0700);
		}
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return err_set(e, ST_IO, "%s: %s", dir,
				       strerror(errno));
	}
	char name[3 * NOTE_NAME_MAX + 1];
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)origin;
	     *p && n + 4 < sizeof name; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') ||
			     (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '-' ||
			     (*p == '.' && p != (const unsigned char *)origin);
		if (plain)
			name[n++] = (char)*p;
		else
			n += (size_t)snprintf(name + n, sizeof name - n,
					      "_%02x", *p);
	}
	name[n] = 0;
	if (n == 0)
		return err_set(e, ST_INVALID, "cache: empty origin");
	int w = snprintf(out, outsize, "%s/%s", dir, name);
	if (w < 0 || (size_t)w >= outsize)
		return err_set(e, ST_TOO_LARGE, "cache: path too long");
	return ST_OK;
}

enum status seen_read(const char *origin, struct buf *out, struct err *e)
{
	char path[PATH_MAX];
	struct err pe;
	if (seen_path(origin, path, sizeof path, false, &pe) != ST_OK)
		return ST_OK; /* nowhere to remember: nothing remembered */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return ST_OK;
		return err_set(e, ST_IO, "%s: %s", path, strerror(errno));
	}
	size_t start = out->len;
	enum status r = ST_OK;
	out->cap = SEEN_NOTE_MAX;
	for (;;) {
		char chunk[4096];
		ssize_t got = read(fd, chunk, sizeof chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = err_set(e, ST_IO, "%s: %s", path, strerror(errno));
			break;
		}
		if (got == 0)
			break;
		if ((r = buf_append(out, chunk, (size_t)got)) != ST_OK) {
			err_set(e, r, "%s: larger than %u bytes", path,
				SEEN_NOTE_MAX);
			break;
		}
	}
	close(fd);
	if (r != ST_OK) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = 0;
	}
	return r;
}

enum status seen_write(const char *origin, const char *note, size_t len,
		       const struct note_verifier *key, bool *written,
		       struct err *e)
{
	struct checkpoint now, was;
	struct buf old;
	enum status r;
	char path[PATH_MAX];
	if (written != NULL)
		*written = false;
	if (checkpoint_open(note, len, key, &now, e) != ST_OK ||
	    strcmp(now.origin, origin) != 0)
		return ST_OK; /* not the log's checkpoint: never remembered */
	buf_init(&old, SEEN_NOTE_MAX);
	r = seen_read(origin, &old, e);
	bool newer = r == ST_OK;
	if (newer && old.len > 0)
		newer = checkpoint_open(buf_str(&old), old.len, key, &was,
					NULL) == ST_OK &&
			now.size > was.size;
	buf_free(&old);
	if (!newer)
		return r;
	if ((r = seen_path(origin, path, sizeof path, true, e)) != ST_OK)
		return r;
	if ((r = file_replace(path, note, len, e)) != ST_OK)
		return r;
	if (written != NULL)
		*written = true;
	return ST_OK;
}
