/*
 * hash_tiles.c: fuzzes the log's hash tiles as `sanilog verify URL --full`
 * reads them (hash_check_tile of net/remote_private.h), in the order the
 * walk of rule 9 brings them.
 *
 * The log is one of LOG_SIZE entries, entry i the text "entry <i>": hash tiles
 * 0/000, 0/001, 0/002.p/44, 1/000.p/2.  The input's first byte picks one of
 * them (modulo their number) and the rest is its body; the others are served as
 * the tree's.  A body of another length than the tile's must be refused
 * (ST_CORRUPT, said); a body of its length is compared, and counted wrong
 * exactly when it is not the tree's hashes.
 */
#include <inttypes.h>

#include "core/merkle.h"
#include "lib/fuzz.h"
#include "net/remote_private.h"

#define LOG_SIZE   (2 * TILE_WIDTH + 44)
#define HASH_TILES 4

/* Leaf i: the hash of the entry "entry <i>". */
static void leaf_of(int64_t i, uint8_t out[HASH_LEN])
{
	char text[32];
	int len = snprintf(text, sizeof text, "entry %" PRId64, i);
	merkle_leaf_hash(out, text, (size_t)len);
}

/* The tree's hashes of tile t, as the log must serve them. */
static void tile_of(const struct tile *t, uint8_t *out)
{
	struct merkle_range mr;
	uint8_t leaf[HASH_LEN];
	int64_t span = t->level == 0 ? 1 : TILE_WIDTH;
	for (int k = 0; k < t->width; k++) {
		int64_t lo = (t->n * TILE_WIDTH + k) * span;
		merkle_range_init(&mr);
		for (int64_t i = lo; i < lo + span; i++) {
			leaf_of(i, leaf);
			merkle_range_push(&mr, leaf, NULL, NULL);
		}
		merkle_range_root(&mr, out + (size_t)k * HASH_LEN);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t want[TILE_WIDTH * HASH_LEN];
	uint8_t stored[MERKLE_MAX_PROOF][HASH_LEN], leaf[HASH_LEN];
	struct hash_check h;
	struct merkle_range mr;
	struct tile_walk w;
	struct err e = {.msg = ""};
	char bad[320] = "";
	size_t count;
	int64_t pushed = 0;
	int hashes = 0;
	if (size == 0)
		return 0;
	int pick = data[0] % HASH_TILES;
	const uint8_t *body = data + 1;
	size_t len = size - 1;

	fuzz_assert(hash_check_init(&h) == ST_OK);
	merkle_range_init(&mr);
	remote_walk_start(&w, LOG_SIZE);
	size_t n = remote_tiles_count(LOG_SIZE);
	for (size_t i = 0; i < n; i++) {
		remote_walk_to(&w, i);
		const struct tile *t = &w.t;
		if (t->entries) {
			for (int k = 0; k < t->width; k++, pushed++) {
				leaf_of(pushed, leaf);
				merkle_range_push(&mr, leaf, stored, &count);
				hash_check_push(
					&h, pushed,
					(const uint8_t(*)[HASH_LEN])stored,
					count);
			}
			continue;
		}
		size_t wlen = (size_t)t->width * HASH_LEN;
		tile_of(t, want);
		if (hashes++ != pick) {
			fuzz_assert(hash_check_tile(&h, t, want, wlen, bad,
						    sizeof bad, &e) == ST_OK);
			continue;
		}
		int64_t wrong = h.wrong;
		enum status st =
			hash_check_tile(&h, t, body, len, bad, sizeof bad, &e);
		if (len != wlen) {
			fuzz_assert(st == ST_CORRUPT);
			fuzz_assert(strncmp(bad, "hash tile tile/", 15) == 0);
			break;
		}
		fuzz_assert(st == ST_OK);
		fuzz_assert((h.wrong > wrong) ==
			    (memcmp(body, want, wlen) != 0));
	}
	fuzz_assert(hashes == HASH_TILES || hashes == pick + 1);
	hash_check_free(&h);
	return 0;
}
