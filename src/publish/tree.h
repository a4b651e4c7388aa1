/*
 * tree.h: a published tree (DESIGN.md "Static publishing"), the folder a
 * static web server serves, written so that a reader never sees half of
 * a file: every file is written under a temporary name beside its place
 * and renamed there.  Paths are relative to the tree's root, made by the
 * caller from fixed parts (no "..", no leading '/'); folders on the way
 * are made as needed.  Files are 0644, folders 0755.
 *
 * Durability is the caller's: tree_sync flushes everything written so far
 * (syncfs), before the file that makes it visible (the checkpoint) is
 * written and synced with tree_write_synced.
 */
#ifndef SANILOG_TREE_H
#define SANILOG_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/status.h"

struct tree;

/* What a tree's writes did, since it was opened. */
struct tree_counts {
	int64_t written;   /* files written (new or changed) */
	int64_t bytes;	   /* and their bytes */
	int64_t unchanged; /* files left as they were: the same bytes */
	int64_t removed;   /* files and folders removed */
};

/* Opens (making it, and its parents, when missing) the tree at dir. */
enum status tree_open(const char *dir, struct tree **out, struct err *e);
void tree_close(struct tree *t);

const struct tree_counts *tree_counts(const struct tree *t);
/* Counts from zero again; adds n (another process's writes) to them. */
void tree_reset_counts(struct tree *t);
void tree_add_counts(struct tree *t, const struct tree_counts *n);

/* Whether path exists in the tree (as anything). */
bool tree_exists(struct tree *t, const char *path);

/*
 * Writes data as path: a temporary file beside it, renamed over it.
 * When keep_same and path already holds exactly these bytes, nothing is
 * written (counted unchanged).  On failure path is as it was.
 */
enum status tree_write(struct tree *t, const char *path, const void *data,
		       size_t len, bool keep_same, struct err *e);

/*
 * As tree_write, and path.gz beside it: the same bytes gzip-compressed,
 * for a server that sends them as they are to clients taking gzip
 * (nginx's gzip_static), when that is smaller; else no path.gz.
 */
enum status tree_write_gz(struct tree *t, const char *path, const void *data,
			  size_t len, bool keep_same, struct err *e);

/* As tree_write, but the file is synced before its rename and its folder
 * after: for the file written last. */
enum status tree_write_synced(struct tree *t, const char *path,
			      const void *data, size_t len, struct err *e);

/* Makes path a second name (a hard link) of the file target of the tree,
 * replacing what is there atomically; nothing when it already is. */
enum status tree_link(struct tree *t, const char *path, const char *target,
		      struct err *e);

/*
 * Makes path a second name (a hard link) of the file src (a path outside
 * the tree, on the same file system), readable by all (0644, which the
 * file then has under both names).  ST_UNSUPPORTED when it cannot be
 * linked (another file system, another owner): the caller copies it.
 */
enum status tree_link_from(struct tree *t, const char *path, const char *src,
			   struct err *e);

/* Reads path into a new buffer (*data, NUL-terminated, free()) of at most
 * max bytes.  ST_NOT_FOUND when there is no such file. */
enum status tree_read(struct tree *t, const char *path, size_t max, char **data,
		      size_t *len, struct err *e);

/* Reads path, a JSON file of at most max bytes, into *out (new: json_decref;
 * NULL when it is not JSON).  ST_NOT_FOUND when there is no such file. */
enum status tree_read_json(struct tree *t, const char *path, size_t max,
			   json_t **out, struct err *e);

/* Removes the folder path and the files in it (nothing if missing); one
 * holding a folder is not removed (an error). */
enum status tree_remove_dir(struct tree *t, const char *path, struct err *e);

/* Flushes every file written to the tree's file system to disk. */
enum status tree_sync(struct tree *t, struct err *e);

#endif
