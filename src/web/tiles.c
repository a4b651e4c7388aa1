/*
 * tiles.c: the C2SP tlog-tiles v0.1.0 read paths of the log, /tile/<path>
 * with the paths of core/tile.h:
 *
 *   /tile/<L>/<N>[.p/<W>]     the W hashes of tile N at level L (W = 256
 *                             for a full tile), 32 bytes each;
 *   /tile/entries/<N>[.p/<W>] entries N*256 .. N*256+W-1, each prefixed
 *                             by its length as a big-endian uint16.
 *
 * A tile is served when every hash (or entry) in it exists in the log;
 * full tiles never change and are cached for a year.
 */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/merkle.h"
#include "core/tile.h"

#define CACHE_PARTIAL "public, max-age=60"

struct bundle_ctx {
	struct buf *out;
	enum status r;
};

static enum status add_entry(void *ctx, int64_t index, const char *text,
			     size_t len, const struct store_entry_cols *cols)
{
	(void)index;
	(void)cols;
	struct bundle_ctx *b = ctx;
	uint8_t pre[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	if (len > 0xffff)
		return b->r = ST_CORRUPT;
	if ((b->r = buf_append(b->out, pre, 2)) != ST_OK ||
	    (b->r = buf_append(b->out, text, len)) != ST_OK)
		return b->r;
	return ST_OK;
}

void web_tile(struct http_request *rq, struct store *s)
{
	struct tile t;
	struct err e = {.msg = ""};
	int64_t size = 0;
	if (!tile_parse(http_param(rq, 0), &t)) {
		http_reply_error(rq, ST_NOT_FOUND, 0, "not a tile path");
		return;
	}
	enum status r = store_log_size(s, &size, &e);
	if (r != ST_OK) {
		web_reply_store_error(rq, r, &e);
		return;
	}
	/* Served when the log has every hash (or entry) of it, whether or not
	 * a wider one exists. */
	if (t.width > tile_width(t.level, t.n, size)) {
		http_reply_error(rq, ST_NOT_FOUND, 0,
				 "no such tile in a log of %lld entries",
				 (long long)size);
		return;
	}
	int shift = 8 * t.level;
	int64_t first = t.n * TILE_WIDTH;
	struct buf out;
	if (t.entries) {
		buf_init(&out, (size_t)t.width * (2 + ENTRY_MAX));
		struct bundle_ctx b = {.out = &out, .r = ST_OK};
		r = store_scan_entries(s, first, first + t.width, add_entry, &b,
				       &e);
		if (r == ST_OK)
			r = b.r;
	} else {
		int64_t ids[TILE_WIDTH];
		buf_init(&out, (size_t)t.width * HASH_LEN);
		uint8_t *h = buf_reserve(&out, (size_t)t.width * HASH_LEN);
		for (int i = 0; i < t.width; i++)
			ids[i] = merkle_stored_index(shift, first + i);
		r = h == NULL ? ST_NOMEM
			      : store_read_hashes(s, ids, (size_t)t.width,
						  (uint8_t(*)[HASH_LEN])h, &e);
		if (r == ST_OK) {
			out.len = (size_t)t.width * HASH_LEN;
			out.data[out.len] = 0;
		}
	}
	if (r != ST_OK) {
		buf_free(&out);
		web_reply_store_error(rq, r, &e);
		return;
	}
	http_reply_buf(rq, 200, "application/octet-stream", &out);
	http_reply_header(rq, MHD_HTTP_HEADER_CACHE_CONTROL,
			  t.width < TILE_WIDTH ? CACHE_PARTIAL
					       : HTTP_CACHE_IMMUTABLE);
	http_reply_header(rq, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
}
