/*
 * cosigs.c: the witnesses' cosignatures on the log's checkpoints (table
 * cosignatures, schema 7): per checkpoint size and witness, the line of
 * the newest time.  The statements are in store.c's table.
 */
#include "store_private.h"

#include <string.h>

#include "core/codec.h"

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

static enum status append_line(void *ctx, const char *witness, int64_t time,
			       const char *line, size_t len)
{
	(void)witness;
	(void)time;
	return buf_append(ctx, line, len);
}

enum status store_checkpoint_served(struct store *s, int64_t size,
				    struct buf *out, int64_t *got_size,
				    struct err *e)
{
	if (size < 0) {
		char text[24];
		int64_t v = 0;
		enum status r =
			store_meta_get(s, "witnessed", text, sizeof text, e);
		if (r == ST_OK && !dec_parse(text, &v))
			return err_set(e, ST_CORRUPT,
				       "meta witnessed: not a size: %s", text);
		if (r == ST_OK)
			size = v;
		else if (r != ST_NOT_FOUND)
			return r;
	}
	int64_t got = 0;
	size_t was = out->len;
	enum status r = store_checkpoint(s, size, out, &got, e);
	if (r == ST_OK)
		r = store_cosigs(s, got, append_line, out, e);
	if (r != ST_OK) {
		out->len = was;
		if (out->data != NULL)
			out->data[was] = 0;
		return r == ST_NOMEM ? err_set(e, r, "out of memory") : r;
	}
	if (got_size != NULL)
		*got_size = got;
	return ST_OK;
}
