/*
 * tilereader.h: the stored hashes of a log's tree read from its hash
 * tiles over HTTP(S) (C2SP tlog-tiles; core/tile.h), as a merkle_reader,
 * so that a verifier computes a consistency proof itself where the log
 * serves no /proof/ (a published tree, a mirror).
 *
 * A stored hash of level l, number k, is the tree hash of 2^(l%8) hashes
 * of hash tile level l/8 (hashes k << (l%8) onwards): the reader fetches
 * that tile, of the width it has in the tree of `size` leaves, or, when
 * the log answers that partial tile with a 404 (a partial tile is
 * removed once its tile is full), the full tile, of which it takes the
 * first hashes.  A tile of any other length is refused.  Nothing read
 * is trusted: the caller verifies what it computes (a wrong tile makes a
 * proof that does not verify).
 *
 * The last tiles fetched are kept (TILE_READER_CACHE of them): a proof
 * reads at most two hashes per level.
 */
#ifndef SANILOG_TILEREADER_H
#define SANILOG_TILEREADER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "core/hash.h"
#include "core/tile.h"
#include "net/fetch.h"

#define TILE_READER_CACHE 8

struct tile_reader {
	struct fetch *f;  /* borrowed */
	const char *base; /* borrowed: the log's URL, without trailing '/' */
	int64_t size;	  /* the tree read */
	struct {
		struct tile t;			 /* width 0: empty slot */
		uint8_t h[TILE_WIDTH][HASH_LEN]; /* its hashes */
	} cache[TILE_READER_CACHE];
	size_t next;	 /* the slot to fill next */
	int64_t fetched; /* tiles fetched so far */
	struct err err;	 /* why the last read failed */
};

/* Sets r to read the tree of size leaves of the log at base through f
 * (both borrowed, used until the reader's last call). */
void tile_reader_init(struct tile_reader *r, struct fetch *f, const char *base,
		      int64_t size);

/*
 * The merkle_reader (core/merkle.h) of ctx, a struct tile_reader.
 * Returns ST_OK; a failure of fetch_get (ST_NOT_FOUND when the log has
 * no such tile, ST_IO, ...); ST_CORRUPT when a tile is not the hashes
 * its path names; ST_INVALID for an index outside the tree; with
 * r->err saying why, naming the tile.
 */
enum status tile_reader_read(void *ctx, const int64_t *indexes, size_t count,
			     uint8_t (*out)[HASH_LEN]);

#endif
