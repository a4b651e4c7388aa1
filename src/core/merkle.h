/*
 * merkle.h: the RFC 9162 (section 2.1) Merkle tree over SHA-256, its proofs,
 * and the stored-hash layout of Go's golang.org/x/mod/sumdb/tlog.
 *
 * Leaf hash = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || l || r),
 * the root of the empty tree is SHA-256("").
 *
 * Storage: every complete subtree's hash is stored once, at a "stored hash
 * index" (tlog's StoredHashIndex): the hashes of a tree of n leaves occupy
 * indexes 0 .. merkle_stored_count(n)-1, and appending leaf n adds the hashes
 * at merkle_stored_count(n) .. merkle_stored_count(n+1)-1 (one, plus one per
 * subtree it completes: amortised two).  Level-L hash number k covers leaves
 * [k*2^L, (k+1)*2^L).
 *
 * Hashes are read through a caller-supplied reader so that this module does
 * no I/O; a proof or a tree hash reads O(log n) stored hashes.
 *
 * Sizes and indexes are int64_t; every function checks its arguments
 * (0 <= index < size, 0 <= old <= new, ...) and answers ST_INVALID otherwise.
 * Functions that read stored hashes take trees of up to 2^62 leaves (so that
 * every stored index fits in int64_t).
 */
#ifndef SANILOG_MERKLE_H
#define SANILOG_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "hash.h"

/* Longest proof for any tree size up to 2^63. */
#define MERKLE_MAX_PROOF 64

void merkle_leaf_hash(uint8_t out[HASH_LEN], const void *entry, size_t len);
/* out may be left or right. */
void merkle_node_hash(uint8_t out[HASH_LEN], const uint8_t left[HASH_LEN],
		      const uint8_t right[HASH_LEN]);
void merkle_empty_root(uint8_t out[HASH_LEN]);

/* tlog's StoredHashIndex(level, n): where level-`level` hash number n is
 * stored.  level in 0..62.  -1 when level or n is out of range (the hash
 * must belong to a tree of at most 2^62 leaves). */
int64_t merkle_stored_index(int level, int64_t n);

/* Inverse of merkle_stored_index.  A negative index gives -1, -1. */
void merkle_split_stored_index(int64_t index, int *level, int64_t *n);

/* Number of stored hashes of a tree of n leaves (tlog's StoredHashCount).
 * -1 when n < 0 or n > 2^62. */
int64_t merkle_stored_count(int64_t n);

/*
 * Reads count stored hashes at indexes[0..count) into out[0..count).
 * Returns ST_OK, or the failure, which the caller passes on.  Indexes are
 * always below merkle_stored_count(size) of the tree being read.  Each
 * function below calls the reader at most once, with count <= 128.
 */
typedef enum status (*merkle_reader)(void *ctx, const int64_t *indexes,
				     size_t count, uint8_t (*out)[HASH_LEN]);

/*
 * The hashes to store when appending leaf number n (0-based: the tree grows
 * from n to n+1 leaves) whose leaf hash is `leaf`.  Writes them to out (room
 * for MERKLE_MAX_PROOF) in stored-index order, starting at index
 * merkle_stored_count(n); *count receives how many.  Reads the complete
 * subtrees to the left through r.
 */
enum status merkle_append_hashes(int64_t n, const uint8_t leaf[HASH_LEN],
				 merkle_reader r, void *ctx,
				 uint8_t (*out)[HASH_LEN], size_t *count);

/* Root hash of the first n leaves, from the stored hashes. */
enum status merkle_tree_hash(int64_t n, merkle_reader r, void *ctx,
			     uint8_t out[HASH_LEN]);

/* RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves:
 * hashes from the leaf's sibling up, into proof (MERKLE_MAX_PROOF), *len. */
enum status merkle_prove_inclusion(int64_t index, int64_t size, merkle_reader r,
				   void *ctx, uint8_t (*proof)[HASH_LEN],
				   size_t *len);

/* RFC 9162 consistency proof from tree size old to size new (old <= new).
 * Empty when old == 0 or old == new. */
enum status merkle_prove_consistency(int64_t old, int64_t new_size,
				     merkle_reader r, void *ctx,
				     uint8_t (*proof)[HASH_LEN], size_t *len);

/* RFC 9162 section 2.1.3.2.  ST_OK if the proof shows `leaf` at `index` in
 * the tree of `size` leaves with root `root`, else ST_BAD_SIGNATURE (or
 * ST_INVALID for impossible arguments).  proof holds len hashes of HASH_LEN
 * bytes back to back, e.g. a uint8_t [][HASH_LEN] array (const void * so
 * that such an array passes without a cast in C17). */
enum status merkle_verify_inclusion(const uint8_t leaf[HASH_LEN], int64_t index,
				    int64_t size, const void *proof, size_t len,
				    const uint8_t root[HASH_LEN]);

/* RFC 9162 section 2.1.4.2.  ST_OK if the proof shows the tree of size old
 * with root old_root is a prefix of the tree of size new with new_root.
 * old == new requires an empty proof and equal roots; old == 0 an empty
 * proof.  ST_BAD_SIGNATURE when it does not verify.  proof is laid out as
 * for merkle_verify_inclusion. */
enum status merkle_verify_consistency(int64_t old, int64_t new_size,
				      const uint8_t old_root[HASH_LEN],
				      const uint8_t new_root[HASH_LEN],
				      const void *proof, size_t len);

/*
 * A compact range: the roots of the perfect subtrees of the leaves pushed so
 * far (at most 64).  Lets an audit rebuild a tree of any size in O(log n)
 * memory, and yields the stored hashes as it goes.
 */
struct merkle_range {
	int64_t size;
	int depth;		     /* entries used in stack */
	uint8_t stack[64][HASH_LEN]; /* stack[0] is the largest, leftmost */
};

void merkle_range_init(struct merkle_range *mr);

/* Appends the next leaf hash (leaf number mr->size).  Writes the hashes
 * that tlog would store for this append (as merkle_append_hashes) into
 * stored (room for MERKLE_MAX_PROOF) and their number into *count, when
 * stored is not NULL. */
void merkle_range_push(struct merkle_range *mr, const uint8_t leaf[HASH_LEN],
		       uint8_t (*stored)[HASH_LEN], size_t *count);

/* Root of the leaves pushed so far (the empty root when none). */
void merkle_range_root(const struct merkle_range *mr, uint8_t out[HASH_LEN]);

#endif
