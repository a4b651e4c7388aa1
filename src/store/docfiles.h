/*
 * docfiles.h: the documents' folder, beside the database (DESIGN.md
 * "Documents"): each document is a file named by the lowercase hex of its
 * SHA-256, in a subfolder named by that name's first two characters:
 *
 *   <db>.docs/ab/ab12...ef    (64 hex digits)
 *
 * A file is written once: to a temporary name (".tmp-" and random
 * letters) in its subfolder, renamed to its name, fdatasync'd and the
 * subfolder fsync'd; only then may an entry that names it be committed.
 * So a crash leaves at worst a file no entry names (an orphan, which
 * `sanilog gc` removes; it may be cut short, and is then written again
 * by the next upload of that document), never an entry without its
 * whole file.  The database keeps each document's size and type; the
 * folder its bytes.
 *
 * These functions touch files only, never the database: the server's
 * upload threads call them, in parallel, before they hand an upload to
 * the writer.
 */
#ifndef SANILOG_DOCFILES_H
#define SANILOG_DOCFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "base/status.h"
#include "core/buf.h"
#include "core/hash.h"

/* The folder of the database at db_path: db_path and ".docs", into out
 * (size bytes).  False (out "") when it does not fit. */
bool docfiles_dir(const char *db_path, char *out, size_t size);

/* Makes the folder dir if it is missing (mode 0700), and fsyncs the
 * folder that holds it when it made it. */
enum status docfiles_make(const char *dir, struct err *e);

/*
 * Writes len bytes of data as the document of SHA-256 sha (which the
 * caller vouches for: it is not checked) in the folder dir, durably, as
 * above; the folder and subfolder are made if missing.  When the file is
 * there already and holds those bytes (len of them, hashing to sha),
 * nothing is written: its time is set to now, so that a gc running
 * meanwhile takes it for new, and it is synced with its subfolder all
 * the same (the upload that wrote it may be syncing it still, or may
 * have failed to).  Once synced, the file's pages are dropped from the
 * page cache (a document is read seldom after it is written).  On
 * failure the file may be there unsynced (and a temporary one left
 * behind): orphans for gc, never named by an entry.
 */
enum status docfiles_put(const char *dir, const uint8_t sha[HASH_LEN],
			 const void *data, size_t len, struct err *e);

/* As docfiles_put, without syncing: for many files written one after
 * the other, which one docfiles_sync then makes durable at once (the
 * store's own writes: store_commit does so before it commits). */
enum status docfiles_write(const char *dir, const uint8_t sha[HASH_LEN],
			   const void *data, size_t len, struct err *e);

/* Makes every file written to dir so far durable, and their names: the
 * whole file system that holds dir is synced (syncfs), one commit of its
 * journal for any number of files. */
enum status docfiles_sync(const char *dir, struct err *e);

/* Opens the document file of sha for reading: *fd (close it) and its
 * size.  ST_NOT_FOUND when there is no such file. */
enum status docfiles_open(const char *dir, const uint8_t sha[HASH_LEN], int *fd,
			  int64_t *size, struct err *e);

/* Appends the bytes of the document file of sha to out (as
 * docfiles_open). */
enum status docfiles_read(const char *dir, const uint8_t sha[HASH_LEN],
			  struct buf *out, struct err *e);

/* A file of the folder, as docfiles_scan gives it: path (borrowed for the
 * call) to open or unlink; sha its name's SHA-256, or NULL when the name
 * is not one (a temporary file, or anything else); sb its lstat. */
typedef enum status (*docfiles_fn)(void *ctx, const char *path,
				   const uint8_t *sha, const struct stat *sb);

/* Calls fn for every file in the folder's subfolders (of two lowercase
 * hex digits), and for anything else in the folder that is not such a
 * subfolder (sha NULL), until fn returns other than ST_OK, which it
 * returns.  ST_OK, and no call, when there is no folder. */
enum status docfiles_scan(const char *dir, docfiles_fn fn, void *ctx,
			  struct err *e);

#endif
