/*
 * docfiles.c: the documents' folder (docfiles.h): a file a document, by
 * its SHA-256, written to a temporary name, renamed, then synced with its
 * folder, or many of them synced at once (Linux's syncfs).
 */
#include "store/docfiles.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/file.h"
#include "core/codec.h"

bool docfiles_dir(const char *db_path, char *out, size_t size)
{
	int n = snprintf(out, size, "%s.docs", db_path);
	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			out[0] = 0;
		return false;
	}
	return true;
}

/* The path of sha's file in dir into out (PATH_MAX bytes), and with sub
 * its subfolder's (PATH_MAX bytes). */
static enum status file_path(const char *dir, const uint8_t sha[HASH_LEN],
			     char *out, char *sub, struct err *e)
{
	char hex[2 * HASH_LEN + 1];
	hex_encode(hex, sha, HASH_LEN);
	int n = snprintf(out, PATH_MAX, "%s/%.2s/%s", dir, hex, hex);
	if (n < 0 || n >= PATH_MAX)
		return err_set(e, ST_TOO_LARGE, "%s: path too long", dir);
	if (sub != NULL)
		snprintf(sub, PATH_MAX, "%s/%.2s", dir, hex);
	return ST_OK;
}

static enum status sys_fail(const char *what, struct err *e)
{
	int no = errno;
	return err_set(e, no == ENOSPC || no == EDQUOT ? ST_FULL : ST_IO,
		       "%s: %s", what, strerror(no));
}

/* fsyncs the folder path, or with fs its whole file system (syncfs). */
static enum status sync_dir_or_fs(const char *path, bool fs, struct err *e)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sys_fail(path, e);
	/* syncfs(2), by its number: glibc declares it for _GNU_SOURCE. */
	long rc = fs ? syscall(SYS_syncfs, fd) : fsync(fd);
	enum status r = rc == 0 ? ST_OK : sys_fail(path, e);
	close(fd);
	return r;
}

static enum status sync_dir(const char *path, struct err *e)
{
	return sync_dir_or_fs(path, false, e);
}

/* The folder that holds path (its text up to the last slash, or "."). */
static void parent_of(const char *path, char *out)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(out, PATH_MAX, ".");
	else if (slash == path)
		snprintf(out, PATH_MAX, "/");
	else
		snprintf(out, PATH_MAX, "%.*s", (int)(slash - path), path);
}

/* Makes the folder path if missing, and then syncs its parent. */
static enum status make_dir(const char *path, struct err *e)
{
	if (mkdir(path, 0700) != 0)
		return errno == EEXIST ? ST_OK : sys_fail(path, e);
	char parent[PATH_MAX];
	parent_of(path, parent);
	return sync_dir(parent, e);
}

enum status docfiles_make(const char *dir, struct err *e)
{
	return make_dir(dir, e);
}

/* The file at path opened (read-only, *fd) when it holds the len bytes
 * of SHA-256 sha; else -1. */
static int open_holding(const char *path, const uint8_t sha[HASH_LEN],
			size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	bool same = false;
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (uint64_t)sb.st_size == (uint64_t)len) {
		struct sha256 h;
		uint8_t b[65536], got[HASH_LEN];
		ssize_t n;
		sha256_init(&h);
		while ((n = read(fd, b, sizeof b)) > 0)
			sha256_update(&h, b, (size_t)n);
		sha256_final(&h, got);
		same = n == 0 && memcmp(got, sha, HASH_LEN) == 0;
	}
	if (!same) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Writes and names the file of the len bytes of data, of SHA-256 sha,
 * without syncing: *fd is open on it, also when it was there whole
 * already, and sub (PATH_MAX bytes) its subfolder's path.  On failure
 * *fd is -1. */
static enum status begin(const char *dir, const uint8_t sha[HASH_LEN],
			 const void *data, size_t len, char *sub, int *out,
			 struct err *e)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	*out = -1;
	enum status r = file_path(dir, sha, path, sub, e);
	if (r != ST_OK)
		return r;
	/* Already there, whole: written once, kept, new to gc's eyes, and
	 * synced all the same (its writer may be syncing it still, or may
	 * have failed to).  A file that a crash cut short, which no entry
	 * names, is written again. */
	int fd = open_holding(path, sha, len);
	if (fd >= 0) {
		if (futimens(fd, NULL) != 0) {
			r = sys_fail(path, e);
			close(fd);
			return r;
		}
		*out = fd;
		return ST_OK;
	}
	int n = snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", sub);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return err_set(e, ST_TOO_LARGE, "%s: path too long", dir);
	fd = mkstemp(tmp);
	if (fd < 0 && errno == ENOENT) {
		if ((r = make_dir(dir, e)) != ST_OK ||
		    (r = make_dir(sub, e)) != ST_OK)
			return r;
		/* A failed mkstemp may have changed the template. */
		memcpy(tmp + n - 6, "XXXXXX", 6);
		fd = mkstemp(tmp);
	}
	if (fd < 0)
		return sys_fail(sub, e);
	/* Renamed before it is synced: the sync of the file then makes its
	 * name durable too (on ext4 one journal commit, where a sync before
	 * the rename and one of the folder after take two), and the sync of
	 * the folder after is what POSIX asks for it. */
	if (!file_write_all(fd, data, len) || rename(tmp, path) != 0) {
		r = sys_fail(tmp, e);
		close(fd);
		unlink(tmp);
		return r;
	}
	*out = fd;
	return ST_OK;
}

/* Syncs the bytes of the file open on fd (fdatasync), then closes it,
 * also on failure. */
static enum status finish(int fd, struct err *e)
{
	enum status r = ST_OK;
	if (fdatasync(fd) != 0)
		r = sys_fail("document file", e);
	else
		/* Its pages, now clean, are given back: a document is read
		 * seldom after it is written, and pages reused at once cost
		 * less than new ones (on a virtual machine that returns the
		 * free ones to its host, much less: 28% of the server's time
		 * in 100 KiB uploads went to copying into new pages). */
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (close(fd) != 0 && r == ST_OK)
		r = sys_fail("document file", e);
	return r;
}

/* docfiles_put, or with sync false docfiles_write. */
static enum status put(const char *dir, const uint8_t sha[HASH_LEN],
		       const void *data, size_t len, bool sync, struct err *e)
{
	char sub[PATH_MAX];
	int fd = -1;
	enum status r = begin(dir, sha, data, len, sub, &fd, e);
	if (r != ST_OK)
		return r;
	if (!sync)
		return close(fd) == 0 ? ST_OK : sys_fail(sub, e);
	if ((r = finish(fd, e)) != ST_OK)
		return r;
	return sync_dir(sub, e);
}

enum status docfiles_put(const char *dir, const uint8_t sha[HASH_LEN],
			 const void *data, size_t len, struct err *e)
{
	return put(dir, sha, data, len, true, e);
}

enum status docfiles_write(const char *dir, const uint8_t sha[HASH_LEN],
			   const void *data, size_t len, struct err *e)
{
	return put(dir, sha, data, len, false, e);
}

enum status docfiles_sync(const char *dir, struct err *e)
{
	return sync_dir_or_fs(dir, true, e);
}

enum status docfiles_open(const char *dir, const uint8_t sha[HASH_LEN], int *fd,
			  int64_t *size, struct err *e)
{
	char path[PATH_MAX];
	enum status r = file_path(dir, sha, path, NULL, e);
	if (r != ST_OK)
		return r;
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0)
		return errno == ENOENT
			       ? err_set(e, ST_NOT_FOUND,
					 "%s: the document's file is missing",
					 path)
			       : sys_fail(path, e);
	struct stat sb;
	if (fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		r = S_ISREG(sb.st_mode)
			    ? sys_fail(path, e)
			    : err_set(e, ST_CORRUPT, "%s: not a file", path);
		close(*fd);
		*fd = -1;
		return r;
	}
	*size = (int64_t)sb.st_size;
	return ST_OK;
}

enum status docfiles_read(const char *dir, const uint8_t sha[HASH_LEN],
			  struct buf *out, struct err *e)
{
	int fd = -1;
	int64_t size = 0;
	enum status r = docfiles_open(dir, sha, &fd, &size, e);
	if (r != ST_OK)
		return r;
	uint8_t *p = (uint64_t)size <= SIZE_MAX - 1
			     ? buf_reserve(out, (size_t)size + 1)
			     : NULL;
	if (p == NULL) {
		close(fd);
		return err_set(e, ST_TOO_LARGE, "document: %lld bytes",
			       (long long)size);
	}
	size_t got = 0;
	while (got < (size_t)size) {
		ssize_t n = read(fd, p + got, (size_t)size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = sys_fail("document", e);
			break;
		}
		if (n == 0) {
			r = err_set(e, ST_CORRUPT,
				    "document: its file shrank while read");
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (r == ST_OK) {
		out->len += got;
		p[got] = 0;
	}
	return r;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == 0;
}

/* What a folder's entry is handed to: its name, path and lstat. */
typedef enum status (*entry_fn)(void *ctx, const char *name, const char *path,
				const struct stat *sb, struct err *e);

/* Calls fn for each entry of the folder dir but "." and "..", until it
 * returns other than ST_OK.  Entries gone meanwhile are skipped. */
static enum status each_entry(const char *dir, entry_fn fn, void *ctx,
			      struct err *e)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return sys_fail(dir, e);
	enum status r = ST_OK;
	struct dirent *de;
	errno = 0;
	while (r == ST_OK && (de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		int n = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof path)
			continue;
		if (lstat(path, &sb) == 0)
			r = fn(ctx, de->d_name, path, &sb, e);
		else if (errno != ENOENT)
			r = sys_fail(path, e);
		errno = 0;
	}
	if (r == ST_OK && errno != 0)
		r = sys_fail(dir, e);
	closedir(d);
	return r;
}

/* What the scan calls back, and the subfolder it is in ("": none). */
struct scan {
	docfiles_fn fn;
	void *ctx;
	const char *sub;
};

/* A file of a subfolder: named, when its name is a SHA-256 that begins
 * with the subfolder's. */
static enum status on_sub_entry(void *ctx, const char *name, const char *path,
				const struct stat *sb, struct err *e)
{
	const struct scan *sc = ctx;
	uint8_t sha[HASH_LEN];
	(void)e;
	bool named = is_hex(name, 2 * HASH_LEN) &&
		     memcmp(name, sc->sub, 2) == 0 &&
		     hex_decode(sha, HASH_LEN, name, 2 * HASH_LEN) == ST_OK;
	return sc->fn(sc->ctx, path, named ? sha : NULL, sb);
}

/* An entry of the folder: a subfolder is scanned, anything else given
 * as not named. */
static enum status on_top_entry(void *ctx, const char *name, const char *path,
				const struct stat *sb, struct err *e)
{
	const struct scan *sc = ctx;
	if (!S_ISDIR(sb->st_mode) || !is_hex(name, 2))
		return sc->fn(sc->ctx, path, NULL, sb);
	struct scan sub = {sc->fn, sc->ctx, name};
	return each_entry(path, on_sub_entry, &sub, e);
}

enum status docfiles_scan(const char *dir, docfiles_fn fn, void *ctx,
			  struct err *e)
{
	struct stat sb;
	if (lstat(dir, &sb) != 0 && errno == ENOENT)
		return ST_OK;
	struct scan sc = {fn, ctx, ""};
	return each_entry(dir, on_top_entry, &sc, e);
}
