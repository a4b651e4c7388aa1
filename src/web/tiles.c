/*
 * tiles.c: the C2SP tlog-tiles v0.1.0 read paths of the log.
 *
 *   /tile/<L>/<N>[.p/<W>]     the hashes of tile N at level L: hash i
 *                             (i < W, W = 256 for a full tile) is the
 *                             Merkle tree hash of leaves
 *                             [(N*256+i) * 256^L, (N*256+i+1) * 256^L),
 *                             which is the stored hash of level 8L,
 *                             number N*256+i (merkle.h);
 *   /tile/entries/<N>[.p/<W>] entries N*256 .. N*256+W-1, each prefixed
 *                             by its length as a big-endian uint16.
 * <L> is 0..63 without leading zeros; <N> is written in groups of three
 * digits, all but the last prefixed "x" (1234067 is x001/x234/067), with
 * no leading all-zero group; <W> is 1..255 without leading zeros.  A tile
 * is served when every hash (or entry) in it exists in the log; full
 * tiles never change and are cached for a year.
 */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/merkle.h"

#define TILE_WIDTH    256
#define CACHE_PARTIAL "public, max-age=60"

struct tile {
	bool entries;
	int level;
	int64_t n;
	int width;
	bool partial;
};

static bool digit3(const char *p, int *out)
{
	for (int i = 0; i < 3; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	*out = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	return true;
}

/* Parses the path after "/tile/".  False when it is not a tile path in
 * its one canonical form. */
static bool tile_parse(const char *p, struct tile *t)
{
	memset(t, 0, sizeof *t);
	if (strncmp(p, "entries/", 8) == 0) {
		t->entries = true;
		p += 8;
	} else {
		if (p[0] < '0' || p[0] > '9' || (p[0] == '0' && p[1] != '/'))
			return false;
		int l = 0;
		for (; *p >= '0' && *p <= '9'; p++) {
			l = l * 10 + (*p - '0');
			if (l > 63)
				return false;
		}
		if (*p++ != '/')
			return false;
		t->level = l;
	}
	int64_t n = 0;
	for (bool first = true;; first = false) {
		int d = 0;
		bool more = p[0] == 'x';
		if (more)
			p++;
		if (!digit3(p, &d) || n > (INT64_MAX - d) / 1000)
			return false;
		if (more && first && d == 0)
			return false; /* x000/...: not canonical */
		n = n * 1000 + d;
		p += 3;
		if (!more)
			break;
		if (*p++ != '/')
			return false;
	}
	t->n = n;
	t->width = TILE_WIDTH;
	if (*p == 0)
		return true;
	if (strncmp(p, ".p/", 3) != 0)
		return false;
	p += 3;
	if (p[0] < '1' || p[0] > '9')
		return false;
	int w = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		w = w * 10 + (*p - '0');
		if (w >= TILE_WIDTH)
			return false;
	}
	if (*p != 0)
		return false;
	t->width = w;
	t->partial = true;
	return true;
}

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
	int64_t size = 0;
	if (!tile_parse(http_param(rq, 0), &t)) {
		http_reply_error(rq, ST_NOT_FOUND, 0, "not a tile path");
		return;
	}
	enum status r = store_log_size(s, &size);
	if (r != ST_OK) {
		web_reply_store_error(rq, r, s);
		return;
	}
	/* The tile's last hash covers leaves up to (N*256+W) * 256^L. */
	int shift = 8 * t.level;
	if (shift > 62 || t.n > (INT64_MAX - t.width) / TILE_WIDTH ||
	    t.n * TILE_WIDTH + t.width > (size >> shift)) {
		http_reply_error(rq, ST_NOT_FOUND, 0,
				 "no such tile in a log of %lld entries",
				 (long long)size);
		return;
	}
	int64_t first = t.n * TILE_WIDTH;
	struct buf out;
	if (t.entries) {
		buf_init(&out, (size_t)t.width * (2 + 4096));
		struct bundle_ctx b = {.out = &out, .r = ST_OK};
		r = store_scan_entries(s, first, first + t.width, add_entry,
				       &b);
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
						  (uint8_t(*)[HASH_LEN])h);
		if (r == ST_OK) {
			out.len = (size_t)t.width * HASH_LEN;
			out.data[out.len] = 0;
		}
	}
	if (r != ST_OK) {
		buf_free(&out);
		web_reply_store_error(rq, r, s);
		return;
	}
	http_reply_buf(rq, 200, "application/octet-stream", &out);
	http_reply_header(rq, MHD_HTTP_HEADER_CACHE_CONTROL,
			  t.partial ? CACHE_PARTIAL : HTTP_CACHE_IMMUTABLE);
	http_reply_header(rq, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
}
