/*
 * cosigs.c: the witnesses' cosignatures on the log's checkpoints (table
 * cosignatures, schema 7): per checkpoint size and witness, the line of
 * the newest time.  The statements are in store.c's table.
 */
#include "store_private.h"

#include <string.h>

enum status store_cosig_put(struct store *s, int64_t size, const char *witness,
			    int64_t time, const char *line, struct err *e)
{
	size_t len = strlen(line);

	if (size < 0 || time < 0)
		return err_set(e, ST_INVALID,
			       "cosignature: negative size or time");
	if (witness[0] == 0)
		return err_set(e, ST_INVALID, "cosignature: no witness");
	if (len == 0 || line[len - 1] != '\n' ||
	    memchr(line, '\n', len - 1) != NULL)
		return err_set(e, ST_INVALID,
			       "cosignature: not one line ending in LF");
	sqlite3_stmt *st = store_stmt(s, Q_COSIG_PUT);
	sqlite3_bind_int64(st, 1, size);
	sqlite3_bind_text(st, 2, witness, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, time);
	sqlite3_bind_text(st, 4, line, (int)len, SQLITE_STATIC);
	return store_exec(s, st, "cosignature", e);
}

enum status store_cosigs(struct store *s, int64_t size, store_cosig_fn fn,
			 void *ctx, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_COSIGS);
	enum status r = ST_OK;
	int rc = SQLITE_DONE;

	sqlite3_bind_int64(st, 1, size);
	while (r == ST_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *w = (const char *)sqlite3_column_text(st, 0);
		int64_t time = sqlite3_column_int64(st, 1);
		const char *line = (const char *)sqlite3_column_text(st, 2);
		size_t len = (size_t)sqlite3_column_bytes(st, 2);
		if (w == NULL || line == NULL) {
			r = err_set(e, ST_NOMEM, "cosignatures: out of memory");
			break;
		}
		r = fn(ctx, w, time, line, len);
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = store_fail(s, "cosignatures", e);
	sqlite3_reset(st);
	return r;
}

enum status store_cosig_newest_size(struct store *s, int64_t *size,
				    struct err *e)
{
	return store_one_int(s, store_stmt(s, Q_COSIG_NEWEST_SIZE), size,
			     "no cosignature", e);
}
