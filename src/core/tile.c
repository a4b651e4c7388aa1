/*
 * tile.c: tile paths written and parsed, and tile widths (see tile.h).
 *
 * The parser reads paths from requests, that is from anyone: it reads
 * only as far as the NUL, bounds every number before it grows, and keeps
 * one spelling of each tile.
 */
#include "tile.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "entry.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool digit3(const char *p, int *out)
{
	for (int i = 0; i < 3; i++)
		if (!is_digit(p[i]))
			return false;
	*out = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	return true;
}

/* A decimal without leading zeros (a lone "0" when zero_ok), at most max;
 * *p moves past it.  False when there is none or it is greater. */
static bool number(const char **p, bool zero_ok, int max, int *out)
{
	const char *s = *p;
	if (!is_digit(s[0]) || (s[0] == '0' && (!zero_ok || is_digit(s[1]))))
		return false;
	int v = 0;
	for (; is_digit(*s); s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	*p = s;
	return true;
}

bool tile_parse(const char *p, struct tile *t)
{
	memset(t, 0, sizeof *t);
	if (strncmp(p, "entries/", 8) == 0) {
		t->entries = true;
		p += 8;
	} else if (!number(&p, true, TILE_LEVEL_MAX, &t->level) ||
		   *p++ != '/') {
		return false;
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
			return false; /* x000/...: not the one form */
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
	if (!number(&p, false, TILE_WIDTH - 1, &t->width) || *p != 0)
		return false;
	return true;
}

size_t tile_format_index(int64_t n, char *out, size_t size)
{
	char d[24], all[24];
	if (size > 0)
		out[0] = 0;
	if (n < 0)
		return 0;
	int len = snprintf(d, sizeof d, "%" PRId64, n);
	int pad = (3 - len % 3) % 3;
	memset(all, '0', (size_t)pad);
	memcpy(all + pad, d, (size_t)len + 1);
	size_t o = 0;
	for (int i = 0; i < len + pad; i += 3) {
		bool last = i + 3 == len + pad;
		int w = snprintf(out + o, size - o, "%s%.3s%s", last ? "" : "x",
				 all + i, last ? "" : "/");
		if (w < 0 || (size_t)w >= size - o) {
			out[0] = 0;
			return 0;
		}
		o += (size_t)w;
	}
	return o;
}

size_t tile_format(const struct tile *t, char *out, size_t size)
{
	char index[TILE_INDEX_MAX + 1];
	if (size > 0)
		out[0] = 0;
	if (t->level < 0 || t->level > TILE_LEVEL_MAX ||
	    (t->entries && t->level != 0) || t->width < 1 ||
	    t->width > TILE_WIDTH ||
	    tile_format_index(t->n, index, sizeof index) == 0)
		return 0;
	char head[8];
	if (t->entries)
		snprintf(head, sizeof head, "entries");
	else
		snprintf(head, sizeof head, "%d", t->level);
	int w = t->width == TILE_WIDTH
			? snprintf(out, size, "%s/%s", head, index)
			: snprintf(out, size, "%s/%s.p/%d", head, index,
				   t->width);
	if (w < 0 || (size_t)w >= size) {
		if (size > 0)
			out[0] = 0;
		return 0;
	}
	return (size_t)w;
}

int tile_width(int level, int64_t n, int64_t size)
{
	/* Level L's stored hashes are those of the tree's first size >> 8L
	 * leaves, taken 256^L at a time; past level 7 there are none. */
	if (level < 0 || level > 7 || n < 0 || size < 0)
		return 0;
	int64_t hashes = size >> (8 * level);
	if (n > hashes / TILE_WIDTH)
		return 0;
	int64_t w = hashes - n * TILE_WIDTH;
	return w > TILE_WIDTH ? TILE_WIDTH : (int)w;
}

enum status tile_entries_each(int64_t i, int64_t size, const uint8_t *body,
			      size_t len, tile_entry_fn fn, void *ctx,
			      char *bad, size_t badsize, struct err *e)
{
	int64_t first = i * TILE_WIDTH;
	int64_t width = tile_width(0, i, size);
	size_t off = 0;
	char path[TILE_INDEX_MAX + 1];
	enum status st;
	tile_format_index(i, path, sizeof path);
	for (int64_t k = 0; k < width; k++) {
		size_t n;
		if (len - off < 2)
			goto short_tile;
		n = (size_t)body[off] << 8 | body[off + 1];
		off += 2;
		if (n == 0 || n > ENTRY_MAX) {
			snprintf(bad, badsize,
				 "tile entries/%s: entry %" PRId64
				 " has a length of %zu bytes (1 to %d)",
				 path, first + k, n, ENTRY_MAX);
			return err_set(e, ST_CORRUPT, "%s", bad);
		}
		if (len - off < n)
			goto short_tile;
		if ((st = fn(ctx, first + k, body + off, n)) != ST_OK)
			return st == ST_NOMEM ? err_set(e, st, "out of memory")
					      : err_set(e, st, "entry %" PRId64,
							first + k);
		off += n;
	}
	if (off != len) {
		snprintf(bad, badsize,
			 "tile entries/%s: %zu bytes after its %" PRId64
			 " entries",
			 path, len - off, width);
		return err_set(e, ST_CORRUPT, "%s", bad);
	}
	return ST_OK;
short_tile:
	snprintf(bad, badsize,
		 "tile entries/%s: ends before its %" PRId64 " entries", path,
		 width);
	return err_set(e, ST_CORRUPT, "%s", bad);
}

int64_t tile_level_hashes(int level, int64_t size)
{
	return level < 0 || level >= 8 || size < 0 ? 0 : size >> (8 * level);
}
