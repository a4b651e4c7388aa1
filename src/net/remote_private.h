/*
 * remote_private.h: what the parts of one remote verification share:
 * remote.c (the run: bundle, key, rules 1 to 8) and remote_full.c (rule
 * 9, the whole log through the tiles).
 */
#ifndef SANILOG_REMOTE_PRIVATE_H
#define SANILOG_REMOTE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bundle.h"
#include "core/merkle.h"
#include "core/tile.h"
#include "net/fetch.h"
#include "remote.h"

#define NOTE_CAP  (1u << 16) /* a signed checkpoint */
#define PROOF_CAP ((MERKLE_MAX_PROOF + 1) * 48)
#define TILE_CAP  ((size_t)TILE_WIDTH * (2 + ENTRY_MAX))
#define LIST_MAX  5 /* indexes named in a failed check */

/* The state of one remote_verify call. */
struct run {
	const struct venue_url *u;
	const struct remote_options *o;
	struct remote_result *res;
	struct verify_report *rep;
	struct fetch *f;
	const struct bundle *b;
	const struct note_verifier *key; /* the key the checkpoint verified
					    with */
	struct checkpoint cp;		 /* the bundle's, verified */
	/* When the bundle was older than the pin or the checkpoint seen
	 * before: the size of the log's newest checkpoint as it claimed it
	 * when asked (-1: it gave none), before the bundle was asked for
	 * again. */
	bool asked_again;
	int64_t newest_claimed;
	/* The last consistency proof verified was computed from the log's
	 * hash tiles (the log serves no /proof/). */
	bool proof_from_tiles;
	char url[FETCH_URL_MAX];
};

/* A failure of the server's answer that is a negative result rather than
 * a failure to ask: it becomes a failed check. */
bool remote_answer_failed(enum status st);

/* The tree size a signed checkpoint note claims, unverified; -1 if it
 * is none. */
int64_t remote_claimed_size(const char *note);

/* The URL of tile t at base. */
enum status remote_tile_path_url(const char *base, const struct tile *t,
				 char *url, size_t urlsize, struct err *e);

/* ---- the tiles of rule 9 (remote_tiles.c) ---- */

/* Levels of hash tiles a log can have: level 8 would need 2^64 leaves. */
#define HASH_TILE_LEVELS 8

/*
 * Every tile C2SP tlog-tiles defines for a log of size entries, in the
 * order rule 9 reads them: entry tile i, then each hash tile whose last
 * hash the leaves of tile i complete, by level: the level-0 tile of the
 * same leaves, the level-L tile i >> 8L when i is the last of its 256^L
 * entry tiles, and, after the log's last entry tile, the partial tiles at
 * the right edge.  So each hash tile comes after every entry it hashes.
 */
struct tile_walk {
	int64_t size;  /* the log's entries */
	size_t seq;    /* t's place in the order, from 0 */
	int64_t entry; /* the entry tile t comes with */
	struct tile t; /* the tile at seq */
};

/* How many tiles, entries and hashes, a log of size entries serves. */
size_t remote_tiles_count(int64_t size);

/* Sets w to the first tile of a log of size entries (entries/000). */
void remote_walk_start(struct tile_walk *w, int64_t size);

/* Moves w to place seq, forward (or again from the start when seq is
 * behind).  seq must be below remote_tiles_count(w->size). */
void remote_walk_to(struct tile_walk *w, size_t seq);

/*
 * The hash tiles a log serves against the tree rebuilt from its entries:
 * for each level, the hashes of the tile being filled, pushed as the
 * leaves go by; each hash tile is compared once the walk's order brings
 * it, byte for byte.
 */
struct hash_check {
	uint8_t (*built)[TILE_WIDTH][HASH_LEN]; /* [HASH_TILE_LEVELS], owned */
	int64_t checked;			/* hash tiles compared */
	int64_t partial;			/* of them, partial */
	int top;	       /* highest level compared, or -1 */
	int64_t wrong;	       /* hash tiles with a hash not the tree's */
	char first_wrong[160]; /* names the first of them */
};

/* ST_NOMEM, or ST_OK and h ready; free with hash_check_free. */
enum status hash_check_init(struct hash_check *h);
void hash_check_free(struct hash_check *h);

/* Leaf index's stored hashes, as merkle_range_push gives them. */
void hash_check_push(struct hash_check *h, int64_t index,
		     const uint8_t (*stored)[HASH_LEN], size_t count);

/*
 * Hash tile t (a tile of the walk, level < HASH_TILE_LEVELS), whose every
 * hash the pushed leaves made, as the log served it: ST_CORRUPT, with bad
 * (and e) saying why, when it is not t->width hashes long; else ST_OK,
 * the tile counted, and counted wrong (the first named in first_wrong)
 * when a hash is not the rebuilt tree's.
 */
enum status hash_check_tile(struct hash_check *h, const struct tile *t,
			    const uint8_t *body, size_t len, char *bad,
			    size_t badsize, struct err *e);

/* Rule 9 "hash tiles" in rep, once the entries made the checkpoint's tree
 * of size entries: what h found. */
void remote_hash_tiles_checked(struct verify_report *rep,
			       const struct hash_check *h, int64_t size);

/* One entry of a tile (core/tile.h tile_entries_each). */
typedef tile_entry_fn remote_entry_fn;

/* Tile i of walk w, as the log served it: an entry tile split by
 * tile_entries_each (each entry to fn), a hash tile compared by
 * hash_check_tile; their status. */
enum status remote_walk_body(struct tile_walk *w, struct hash_check *h,
			     size_t i, const uint8_t *body, size_t len,
			     remote_entry_fn fn, void *ctx, char *bad,
			     size_t badsize, struct err *e);

/* After fetch_get_many read the tiles of a log of size entries: when the
 * log served them wrongly (bad, or e, says how), a failed rule 9 "tiles"
 * check in rep, *failed set and ST_OK; else st as it was. */
enum status remote_tiles_read(struct verify_report *rep, enum status st,
			      int64_t size, const char *bad,
			      const struct err *e, bool *failed);

/* Rule 9 "tree": whether the leaves pushed to mr make cp's tree (same
 * size, same root); a failed check in rep when not. */
bool remote_tree_matches(struct verify_report *rep,
			 const struct merkle_range *mr,
			 const struct checkpoint *cp);

/* Rule 8 for r->cp, verified under r->key: the poster's pin of r->u
 * (check_pin), and the checkpoint seen before (check_seen: *remember says
 * whether r->cp may be remembered).  What the log answers wrongly is a
 * failed check; a failure to ask is returned with e. */
enum status remote_check_pin(struct run *r, struct err *e);
enum status remote_check_seen(struct run *r, bool *remember, struct err *e);

/* Rule 9: reads the whole log of r->cp through its entry tiles, checks
 * that its entries make the checkpoint's tree and that every hash tile
 * the log serves holds that tree's hashes, and that r->b holds every
 * entry of its venue and the provider entries its attestations depend on.
 * What the log serves wrongly is a failed check; a failure to ask (or out
 * of memory) is returned, with e. */
enum status remote_check_full(struct run *r, struct err *e);

#endif
