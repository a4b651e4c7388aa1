/*
 * seen.h: the newest checkpoint seen per log origin (DESIGN.md rule 8).
 *
 * One file per origin, holding the signed checkpoint note as it was
 * received, in $XDG_CACHE_HOME/sanilog/ (when XDG_CACHE_HOME is an
 * absolute path) or else $HOME/.cache/sanilog/.  The file name is the
 * origin with every byte outside [A-Za-z0-9.-], and a leading '.', written
 * as "_xx" (lowercase hex), so that no origin names another path.
 *
 * `sanilog verify` reads the remembered checkpoint before it checks a log
 * and demands that the log be consistent with it; it remembers the log's
 * checkpoint only after a check that passed.
 */
#ifndef SANILOG_SEEN_H
#define SANILOG_SEEN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"
#include "core/buf.h"
#include "core/note.h"

#define SEEN_NOTE_MAX (1u << 16) /* largest remembered note we read */

/*
 * The file of origin into out (outsize bytes).  With make_dir, creates the
 * directory (mode 0700) and its parent when missing.  ST_NOT_FOUND when
 * neither XDG_CACHE_HOME nor HOME says where the cache is; ST_TOO_LARGE
 * when the path does not fit; ST_IO when the directory cannot be made.
 */
enum status seen_path(const char *origin, char *out, size_t outsize,
		      bool make_dir, struct err *e);

/*
 * Appends the remembered note of origin to out (out->cap is raised to
 * SEEN_NOTE_MAX).  ST_OK with nothing appended when nothing is remembered
 * (no cache directory, no file); ST_IO or ST_TOO_LARGE when the file is
 * there but cannot be read, and out is then unaltered.
 */
enum status seen_read(const char *origin, struct buf *out, struct err *e);

/*
 * Remembers note[0..len) for origin when it is a checkpoint signed by key
 * with origin key->name and either nothing is remembered or the remembered
 * one verifies with key and is smaller.  A checkpoint remembered under
 * another key is never replaced (the next check reports the key change).
 * The file is replaced atomically (temporary file, fsync, rename).
 * *written says whether the file was written (may be NULL).  Returns
 * ST_OK when nothing needed writing, else the failure with e.
 */
enum status seen_write(const char *origin, const char *note, size_t len,
		       const struct note_verifier *key, bool *written,
		       struct err *e);

#endif
