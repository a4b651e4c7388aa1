/*
 * tilereader.c: stored hashes from hash tiles over HTTP (see
 * tilereader.h).
 */
#include "tilereader.h"

#include <inttypes.h>
#include <string.h>

#include "core/merkle.h"
#include "net/remote_private.h"

void tile_reader_init(struct tile_reader *r, struct fetch *f, const char *base,
		      int64_t size)
{
	memset(r, 0, sizeof *r);
	r->f = f;
	r->base = base;
	r->size = size;
}

/* GETs tile t into slot's hashes: ST_OK when its body is t->width
 * hashes; as fetch_get otherwise, or ST_CORRUPT. */
static enum status get_tile(struct tile_reader *r, const struct tile *t,
			    uint8_t (*h)[HASH_LEN])
{
	char url[FETCH_URL_MAX];
	struct buf body;
	enum status st =
		remote_tile_path_url(r->base, t, url, sizeof url, &r->err);
	if (st != ST_OK)
		return st;
	buf_init(&body, (size_t)TILE_WIDTH * HASH_LEN + 1);
	st = fetch_get(r->f, url, &body, &r->err);
	if (st == ST_OK && body.len != (size_t)t->width * HASH_LEN)
		st = err_set(&r->err, ST_CORRUPT,
			     "%s: %zu bytes, not the %d hashes of the tile",
			     url, body.len, t->width);
	if (st == ST_OK) {
		memcpy(h, body.data, body.len);
		r->fetched++;
	}
	buf_free(&body);
	return st;
}

/* The slot holding hashes [first, first + count) of hash tile n of
 * level, fetched when it is not kept. */
static enum status slot_for(struct tile_reader *r, int level, int64_t n,
			    int first, int count, size_t *slot)
{
	struct tile t = {.level = level, .n = n};
	t.width = tile_width(level, n, r->size);
	if (t.width < first + count)
		return err_set(&r->err, ST_INVALID,
			       "hash %d of tile %d/%" PRId64
			       " is not in the tree of size %" PRId64,
			       first + count - 1, level, n, r->size);
	for (size_t i = 0; i < TILE_READER_CACHE; i++) {
		const struct tile *c = &r->cache[i].t;
		if (c->width >= t.width && c->level == level && c->n == n) {
			*slot = i;
			return ST_OK;
		}
	}
	size_t i = r->next;
	r->cache[i].t.width = 0;
	enum status st = get_tile(r, &t, r->cache[i].h);
	if (st == ST_NOT_FOUND && t.width < TILE_WIDTH) {
		/* The partial tile is gone once its tile is full. */
		t.width = TILE_WIDTH;
		st = get_tile(r, &t, r->cache[i].h);
	}
	if (st != ST_OK)
		return st;
	r->cache[i].t = t;
	r->next = (i + 1) % TILE_READER_CACHE;
	*slot = i;
	return ST_OK;
}

/* Stored hash index: level l, number k, from the 2^(l%8) hashes of its
 * tile, hashed pairwise up. */
static enum status read_one(struct tile_reader *r, int64_t index,
			    uint8_t out[HASH_LEN])
{
	int l = 0;
	int64_t k = 0;
	size_t slot = 0;
	merkle_split_stored_index(index, &l, &k);
	if (l < 0 || l >= 8 * 8 || k < 0 || k > (INT64_MAX >> (l % 8)))
		return err_set(&r->err, ST_INVALID,
			       "stored hash %" PRId64 ": out of range", index);
	int sub = l % 8, span = 1 << sub;
	int64_t at = k << sub;
	int first = (int)(at % TILE_WIDTH);
	enum status st =
		slot_for(r, l / 8, at / TILE_WIDTH, first, span, &slot);
	if (st != ST_OK)
		return st;
	uint8_t h[TILE_WIDTH][HASH_LEN];
	memcpy(h, r->cache[slot].h[first], (size_t)span * HASH_LEN);
	for (; span > 1; span /= 2)
		for (int i = 0; i < span / 2; i++)
			merkle_node_hash(h[i], h[2 * i], h[2 * i + 1]);
	memcpy(out, h[0], HASH_LEN);
	return ST_OK;
}

enum status tile_reader_read(void *ctx, const int64_t *indexes, size_t count,
			     uint8_t (*out)[HASH_LEN])
{
	struct tile_reader *r = ctx;
	for (size_t i = 0; i < count; i++) {
		enum status st = read_one(r, indexes[i], out[i]);
		if (st != ST_OK)
			return st;
	}
	return ST_OK;
}
