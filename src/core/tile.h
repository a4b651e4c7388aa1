/*
 * tile.h: the paths and widths of the log's tiles (C2SP tlog-tiles
 * v0.1.0; DESIGN.md "Tiles").
 *
 * Below "tile/", a tile's path is
 *
 *   <L>/<N>[.p/<W>]       hash tile N of level L: hash i (i < W) is the
 *                         stored hash of level 8L, number N*256+i
 *                         (merkle.h), the tree hash of leaves
 *                         [(N*256+i) * 256^L, (N*256+i+1) * 256^L);
 *   entries/<N>[.p/<W>]   entries N*256 .. N*256+W-1.
 *
 * <L> is 0..63 without leading zeros.  <N> is written in groups of three
 * digits, all but the last prefixed "x" and followed by '/' (1234067 is
 * x001/x234/067, 0 is 000), with no leading all-zero group.  A full tile
 * (W = TILE_WIDTH) has no ".p/<W>"; a partial one has W 1..255 without
 * leading zeros.  Each path has one form only: the parser refuses every
 * other spelling.
 *
 * The web serves tiles (web/tiles.c) and `verify URL --full` and
 * `sanilog mirror` read them, all with these.  Nothing here allocates.
 */
#ifndef SANILOG_TILE_H
#define SANILOG_TILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define TILE_WIDTH     256 /* hashes or entries in a full tile */
#define TILE_LEVEL_MAX 63
/* Longest <N>: 19 digits of INT64_MAX in 7 groups, 6 "x" and 6 '/'. */
#define TILE_INDEX_MAX 33
/* Longest path below "tile/": "entries/", <N>, ".p/255". */
#define TILE_PATH_MAX (8 + TILE_INDEX_MAX + 6)

struct tile {
	bool entries; /* entries/<N>, else a hash tile of level */
	int level;    /* 0..TILE_LEVEL_MAX; 0 for entries */
	int64_t n;    /* the tile's number N, >= 0 */
	int width;    /* W, 1..TILE_WIDTH; TILE_WIDTH: full */
};

/*
 * Parses path, a NUL-terminated path below "tile/" ("1/x001/234.p/7",
 * "entries/000").  True and *out filled when it is a tile path in its one
 * form; false otherwise (out is then unspecified).
 */
bool tile_parse(const char *path, struct tile *out);

/*
 * Writes t's path below "tile/" and a NUL into out.  Returns its length,
 * or 0 (and out is "" when size > 0) when it does not fit or t is not a
 * tile (level, n or width out of their ranges).
 */
size_t tile_format(const struct tile *t, char *out, size_t size);

/* Writes <N> for n (n >= 0) and a NUL into out: "x001/x234/067".
 * Returns its length, or 0 (out "" when size > 0) as tile_format. */
size_t tile_format_index(int64_t n, char *out, size_t size);

/*
 * The width of tile n of level in a tree of size leaves: TILE_WIDTH for a
 * full tile, 1..TILE_WIDTH-1 for the partial tile at the tree's edge, 0
 * when the tree has none of its hashes (or entries), or level or n is
 * out of range.  Entries tiles are those of level 0.
 */
int tile_width(int level, int64_t n, int64_t size);

/* The hashes of tile level `level` in a tree of size leaves: its
 * complete subtrees of 256^level leaves (size >> 8*level); 0 from level
 * 8 on, where no int64_t size reaches. */
int64_t tile_level_hashes(int level, int64_t size);

/* One entry of an entries tile: its index in the log and its bytes
 * (borrowed).  A status other than ST_OK stops tile_entries_each. */
typedef enum status (*tile_entry_fn)(void *ctx, int64_t index,
				     const uint8_t *text, size_t len);

/*
 * Splits entries tile i of a log of size entries, as a server sent it:
 * W entries (tile_width), each after its big-endian uint16 length (1 to
 * ENTRY_MAX), nothing else; hands each to fn in order.  ST_CORRUPT, with
 * bad (badsize bytes) and e saying why, when the tile is not that; fn's
 * own status (with e "out of memory" for ST_NOMEM, else "entry N").
 */
enum status tile_entries_each(int64_t i, int64_t size, const uint8_t *body,
			      size_t len, tile_entry_fn fn, void *ctx,
			      char *bad, size_t badsize, struct err *e);

#endif
