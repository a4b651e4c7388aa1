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
#include "core/tile.h"
#include "store/export.h"

#define CACHE_PARTIAL "public, max-age=60"

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
	struct buf out;
	buf_init(&out, (size_t)t.width * (2 + ENTRY_MAX));
	r = export_tile(s, &t, size, &out, &e);
	if (r == ST_NOT_FOUND) {
		buf_free(&out);
		http_reply_error(rq, ST_NOT_FOUND, 0,
				 "no such tile in a log of %lld entries",
				 (long long)size);
		return;
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
