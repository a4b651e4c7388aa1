/*
 * remote_tiles.c: the tiles rule 9 reads, in the order it reads them, and
 * the check of the log's hash tiles against the tree its entries rebuild
 * (see remote_private.h).
 *
 * Rule 9 reads every tile C2SP tlog-tiles defines for the checkpoint's
 * tree, entries and hashes, as one stream: entry tile i, then the hash
 * tiles whose last hash the leaves of tile i complete.  So when a hash
 * tile arrives, the tree rebuilt so far holds every hash of it, and only
 * the tile being filled of each level is kept: HASH_TILE_LEVELS * 256
 * hashes, whatever the size of the log.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remote_private.h"

/* How many tiles of level (entries: level 0) a log of size entries has. */
static int64_t tiles_at(int level, int64_t size)
{
	int64_t hashes = size >> (8 * level);
	return hashes / TILE_WIDTH + (hashes % TILE_WIDTH != 0);
}

size_t remote_tiles_count(int64_t size)
{
	int64_t n = tiles_at(0, size); /* the entry tiles */
	for (int level = 0; level < HASH_TILE_LEVELS; level++)
		n += tiles_at(level, size);
	return (size_t)n;
}

void remote_walk_start(struct tile_walk *w, int64_t size)
{
	memset(w, 0, sizeof *w);
	w->size = size;
	w->t.entries = true;
	w->t.width = tile_width(0, 0, size);
}

/* Moves w to the next tile of the order. */
static void walk_next(struct tile_walk *w)
{
	int64_t i = w->entry, last = tiles_at(0, w->size) - 1;
	int from = w->t.entries ? 0 : w->t.level + 1;
	w->seq++;
	for (int level = from; level < HASH_TILE_LEVELS; level++) {
		/* Level L's tile number i >> 8L spans entry tiles
		 * [n * 256^L, (n + 1) * 256^L): complete after its last one,
		 * or after the log's last (a partial tile). */
		int64_t span = (int64_t)1 << (8 * level);
		int64_t n = i >> (8 * level);
		int width = tile_width(level, n, w->size);
		if (width == 0 || ((i + 1) % span != 0 && i != last))
			continue;
		w->t = (struct tile){.level = level, .n = n, .width = width};
		return;
	}
	w->entry = i + 1;
	w->t = (struct tile){.entries = true,
			     .n = i + 1,
			     .width = tile_width(0, i + 1, w->size)};
}

void remote_walk_to(struct tile_walk *w, size_t seq)
{
	if (seq < w->seq)
		remote_walk_start(w, w->size);
	while (w->seq < seq)
		walk_next(w);
}

enum status remote_tile_path_url(const char *base, const struct tile *t,
				 char *url, size_t urlsize, struct err *e)
{
	char path[TILE_PATH_MAX + 1];
	if (tile_format(t, path, sizeof path) == 0)
		return err_set(e, ST_INTERNAL, "tile %" PRId64 ": not a tile",
			       t->n);
	int w = snprintf(url, urlsize, "%s/tile/%s", base, path);
	if (w < 0 || (size_t)w >= urlsize)
		return err_set(e, ST_INVALID, "URL too long");
	return ST_OK;
}

/* ---- the hash tiles against the rebuilt tree ---- */

enum status hash_check_init(struct hash_check *h)
{
	memset(h, 0, sizeof *h);
	h->top = -1;
	h->built = calloc(HASH_TILE_LEVELS, sizeof *h->built);
	return h->built == NULL ? ST_NOMEM : ST_OK;
}

void hash_check_free(struct hash_check *h)
{
	free(h->built);
	h->built = NULL;
}

void hash_check_push(struct hash_check *h, int64_t index,
		     const uint8_t (*stored)[HASH_LEN], size_t count)
{
	/* stored[j] is the level-j hash number index >> j; hash tiles hold
	 * the levels 8L. */
	for (size_t j = 0; j < count; j += 8) {
		int64_t k = index >> j;
		memcpy(h->built[j / 8][k % TILE_WIDTH], stored[j], HASH_LEN);
	}
}

enum status hash_check_tile(struct hash_check *h, const struct tile *t,
			    const uint8_t *body, size_t len, char *bad,
			    size_t badsize, struct err *e)
{
	char path[TILE_PATH_MAX + 1];
	size_t want = (size_t)t->width * HASH_LEN;
	tile_format(t, path, sizeof path);
	if (len != want) {
		snprintf(bad, badsize,
			 "hash tile tile/%s: %zu bytes, not the %zu of its "
			 "%d hash%s",
			 path, len, want, t->width, t->width == 1 ? "" : "es");
		return err_set(e, ST_CORRUPT, "%s", bad);
	}
	h->checked++;
	if (t->width < TILE_WIDTH)
		h->partial++;
	if (t->level > h->top)
		h->top = t->level;
	for (int i = 0; i < t->width; i++) {
		if (memcmp(body + (size_t)i * HASH_LEN, h->built[t->level][i],
			   HASH_LEN) == 0)
			continue;
		if (h->wrong++ == 0)
			snprintf(h->first_wrong, sizeof h->first_wrong,
				 "hash tile tile/%s: hash %d is not the "
				 "log's",
				 path, i);
		break;
	}
	return ST_OK;
}

void remote_hash_tiles_checked(struct verify_report *rep,
			       const struct hash_check *h, int64_t size)
{
	if (h->wrong > 0) {
		verify_add_check(rep, 9, false, "hash tiles",
				 "%s (hash tiles not the tree's: %" PRId64
				 " of %" PRId64 ", for %" PRId64 " entries)",
				 h->first_wrong, h->wrong, h->checked, size);
		return;
	}
	if (h->checked == 0) {
		verify_add_check(rep, 9, true, "hash tiles",
				 "0 checked: the log is empty");
		return;
	}
	verify_add_check(rep, 9, true, "hash tiles",
			 "%" PRId64 " checked, levels 0 to %d (%" PRId64
			 " partial): every hash the log serves is its tree's",
			 h->checked, h->top, h->partial);
}

enum status remote_walk_body(struct tile_walk *w, struct hash_check *h,
			     size_t i, const uint8_t *body, size_t len,
			     remote_entry_fn fn, void *ctx, char *bad,
			     size_t badsize, struct err *e)
{
	remote_walk_to(w, i);
	if (w->t.entries)
		return tile_entries_each(w->t.n, w->size, body, len, fn, ctx,
					 bad, badsize, e);
	return hash_check_tile(h, &w->t, body, len, bad, badsize, e);
}
