/*
 * tree.c: writing a published tree (tree.h) through a descriptor of its
 * root, with openat and renameat, so that every path stays below it.
 */
/* syncfs */
#define _GNU_SOURCE // NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/gzip.h"

struct tree {
	int dirfd;
	char *root; /* for messages */
	struct tree_counts n;
	atomic_uint_fast64_t tmp; /* numbers the temporary names */
};

enum status tree_open(const char *dir, struct tree **out, struct err *e)
{
	char path[PATH_MAX];
	*out = NULL;
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
		return err_set(e, ST_INVALID, "%s: path too long", dir);
	/* mkdir -p */
	for (char *p = path + 1; *p != 0; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return err_set(e, ST_IO, "%s: %s", path,
				       strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return err_set(e, ST_IO, "%s: %s", path, strerror(errno));
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, ST_IO, "%s: %s", path, strerror(errno));
	struct tree *t = calloc(1, sizeof *t);
	if (t == NULL || (t->root = strdup(dir)) == NULL) {
		free(t);
		close(fd);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	t->dirfd = fd;
	*out = t;
	return ST_OK;
}

void tree_close(struct tree *t)
{
	if (t == NULL)
		return;
	close(t->dirfd);
	free(t->root);
	free(t);
}

const struct tree_counts *tree_counts(const struct tree *t)
{
	return &t->n;
}

void tree_reset_counts(struct tree *t)
{
	memset(&t->n, 0, sizeof t->n);
}

void tree_add_counts(struct tree *t, const struct tree_counts *n)
{
	t->n.written += n->written;
	t->n.bytes += n->bytes;
	t->n.unchanged += n->unchanged;
	t->n.removed += n->removed;
}

bool tree_exists(struct tree *t, const char *path)
{
	struct stat st;
	return fstatat(t->dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static enum status io_fail(struct tree *t, const char *path, struct err *e)
{
	return err_set(e, errno == ENOSPC ? ST_FULL : ST_IO, "%s/%s: %s",
		       t->root, path, strerror(errno));
}

/* Makes the folders on the way to path. */
static enum status make_parents(struct tree *t, const char *path, struct err *e)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return err_set(e, ST_INVALID, "%s: path too long", path);
	char *slash = strrchr(p, '/');
	if (slash == NULL)
		return ST_OK;
	*slash = 0;
	struct stat st;
	if (fstatat(t->dirfd, p, &st, 0) == 0 && S_ISDIR(st.st_mode))
		return ST_OK;
	for (char *q = p; *q != 0; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		if (mkdirat(t->dirfd, p, 0755) != 0 && errno != EEXIST)
			return io_fail(t, p, e);
		*q = '/';
	}
	if (mkdirat(t->dirfd, p, 0755) != 0 && errno != EEXIST)
		return io_fail(t, p, e);
	return ST_OK;
}

/* The temporary name of path: ".<name>.tmp<N>" beside it. */
static void tmp_name(struct tree *t, const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	int dir = slash == NULL ? 0 : (int)(slash - path + 1);
	unsigned long long n = atomic_fetch_add(&t->tmp, 1);
	snprintf(out, size, "%.*s.%s.tmp%ld-%llu", dir, path, path + dir,
		 (long)getpid(), n);
}

static bool same_bytes(struct tree *t, const char *path, const void *data,
		       size_t len)
{
	int fd = openat(t->dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	struct stat st;
	bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (size_t)st.st_size == len;
	char chunk[65536];
	for (size_t at = 0; same && at < len;) {
		ssize_t got = read(fd, chunk, sizeof chunk);
		if (got <= 0 ||
		    memcmp(chunk, (const char *)data + at, (size_t)got) != 0)
			same = false;
		else
			at += (size_t)got;
	}
	close(fd);
	return same;
}

static enum status write_file(struct tree *t, const char *path,
			      const void *data, size_t len, bool keep_same,
			      bool synced, struct err *e)
{
	char tmp[PATH_MAX];
	enum status r;
	if (keep_same && same_bytes(t, path, data, len)) {
		t->n.unchanged++;
		return ST_OK;
	}
	if ((r = make_parents(t, path, e)) != ST_OK)
		return r;
	tmp_name(t, path, tmp, sizeof tmp);
	int fd = openat(t->dirfd, tmp,
			O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			0644);
	if (fd < 0)
		return io_fail(t, tmp, e);
	bool ok = file_write_all(fd, data, len) && fchmod(fd, 0644) == 0 &&
		  (!synced || fdatasync(fd) == 0);
	if (close(fd) != 0)
		ok = false;
	if (!ok || renameat(t->dirfd, tmp, t->dirfd, path) != 0) {
		r = io_fail(t, path, e);
		unlinkat(t->dirfd, tmp, 0);
		return r;
	}
	if (synced) {
		char dir[PATH_MAX];
		const char *slash = strrchr(path, '/');
		snprintf(dir, sizeof dir, "%.*s",
			 slash == NULL ? 1 : (int)(slash - path),
			 slash == NULL ? "." : path);
		int dfd = openat(t->dirfd, dir, O_RDONLY | O_DIRECTORY);
		if (dfd < 0 || fsync(dfd) != 0) {
			r = io_fail(t, dir, e);
			if (dfd >= 0)
				close(dfd);
			return r;
		}
		close(dfd);
	}
	t->n.written++;
	t->n.bytes += (int64_t)len;
	return ST_OK;
}

enum status tree_write(struct tree *t, const char *path, const void *data,
		       size_t len, bool keep_same, struct err *e)
{
	return write_file(t, path, data, len, keep_same, false, e);
}

enum status tree_write_gz(struct tree *t, const char *path, const void *data,
			  size_t len, bool keep_same, struct err *e)
{
	char gz[PATH_MAX];
	int64_t before = t->n.written;
	if (snprintf(gz, sizeof gz, "%s.gz", path) >= (int)sizeof gz)
		return err_set(e, ST_INVALID, "%s: path too long", path);
	enum status st = write_file(t, path, data, len, keep_same, false, e);
	if (st != ST_OK || (t->n.written == before && tree_exists(t, gz)))
		return st; /* the same bytes, and their twin */
	size_t zlen = 0;
	uint8_t *z = gzip_bytes(data, len, 6, &zlen);
	if (z == NULL) {
		if (unlinkat(t->dirfd, gz, 0) == 0)
			t->n.removed++;
		return ST_OK;
	}
	st = write_file(t, gz, z, zlen, false, false, e);
	free(z);
	return st;
}

enum status tree_write_synced(struct tree *t, const char *path,
			      const void *data, size_t len, struct err *e)
{
	return write_file(t, path, data, len, false, true, e);
}

enum status tree_link(struct tree *t, const char *path, const char *target,
		      struct err *e)
{
	char tmp[PATH_MAX];
	struct stat a, b;
	enum status r;
	if (fstatat(t->dirfd, target, &a, AT_SYMLINK_NOFOLLOW) != 0)
		return io_fail(t, target, e);
	if (fstatat(t->dirfd, path, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		t->n.unchanged++;
		return ST_OK;
	}
	if ((r = make_parents(t, path, e)) != ST_OK)
		return r;
	tmp_name(t, path, tmp, sizeof tmp);
	if (linkat(t->dirfd, target, t->dirfd, tmp, 0) != 0)
		return io_fail(t, tmp, e);
	if (renameat(t->dirfd, tmp, t->dirfd, path) != 0) {
		r = io_fail(t, path, e);
		unlinkat(t->dirfd, tmp, 0);
		return r;
	}
	t->n.written++;
	return ST_OK;
}

enum status tree_link_from(struct tree *t, const char *path, const char *src,
			   struct err *e)
{
	char tmp[PATH_MAX];
	enum status r;
	if ((r = make_parents(t, path, e)) != ST_OK)
		return r;
	tmp_name(t, path, tmp, sizeof tmp);
	if (linkat(AT_FDCWD, src, t->dirfd, tmp, 0) != 0)
		return errno == EXDEV || errno == EPERM || errno == EMLINK
			       ? err_set(e, ST_UNSUPPORTED, "%s: %s", src,
					 strerror(errno))
			       : io_fail(t, tmp, e);
	if (fchmodat(t->dirfd, tmp, 0644, 0) != 0) {
		unlinkat(t->dirfd, tmp, 0);
		return err_set(e, ST_UNSUPPORTED, "%s: %s", src,
			       strerror(errno));
	}
	if (renameat(t->dirfd, tmp, t->dirfd, path) != 0) {
		r = io_fail(t, path, e);
		unlinkat(t->dirfd, tmp, 0);
		return r;
	}
	t->n.written++;
	return ST_OK;
}

enum status tree_read(struct tree *t, const char *path, size_t max, char **data,
		      size_t *len, struct err *e)
{
	*data = NULL;
	*len = 0;
	int fd = openat(t->dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return err_set(e, ST_NOT_FOUND, "%s/%s: no such file", t->root,
			       path);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		enum status r = io_fail(t, path, e);
		if (fd >= 0)
			close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return err_set(e, ST_CORRUPT,
			       "%s/%s: not a file of at most %zu bytes",
			       t->root, path, max);
	}
	char *p = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (p != NULL && got < (size_t)st.st_size) {
		ssize_t k = read(fd, p + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (p == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	if (got != (size_t)st.st_size) {
		free(p);
		return err_set(e, ST_IO, "%s/%s: short read", t->root, path);
	}
	p[got] = 0;
	*data = p;
	*len = got;
	return ST_OK;
}

enum status tree_read_json(struct tree *t, const char *path, size_t max,
			   json_t **out, struct err *e)
{
	char *data = NULL;
	size_t len = 0;
	json_error_t je;
	*out = NULL;
	enum status st = tree_read(t, path, max, &data, &len, e);
	if (st == ST_OK)
		*out = json_loadb(data, len, 0, &je);
	free(data);
	return st;
}

/* Removes the files in the open folder fd (a folder of files: a partial
 * tile's widths), then fd is closed. */
static enum status empty_dir(struct tree *t, int fd, const char *path,
			     struct err *e)
{
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return io_fail(t, path, e);
	}
	enum status r = ST_OK;
	struct dirent *de;
	while (r == ST_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) != 0)
			r = io_fail(t, path, e);
		else
			t->n.removed++;
	}
	closedir(d);
	return r;
}

enum status tree_remove_dir(struct tree *t, const char *path, struct err *e)
{
	int fd = openat(t->dirfd, path,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? ST_OK : io_fail(t, path, e);
	enum status r = empty_dir(t, fd, path, e);
	if (r != ST_OK)
		return r;
	if (unlinkat(t->dirfd, path, AT_REMOVEDIR) != 0)
		return io_fail(t, path, e);
	t->n.removed++;
	return ST_OK;
}

enum status tree_sync(struct tree *t, struct err *e)
{
	if (syncfs(t->dirfd) != 0)
		return err_set(e, ST_IO, "%s: sync: %s", t->root,
			       strerror(errno));
	return ST_OK;
}
