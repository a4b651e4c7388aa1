/*
 * merkle.c: the RFC 9162 (section 2.1) Merkle tree over SHA-256, its
 * inclusion and consistency proofs, and the stored-hash layout of Go's
 * golang.org/x/mod/sumdb/tlog.
 *
 * Layout.  Appending leaf i stores its leaf hash, then the hash of every
 * perfect subtree that leaf completes, lowest level first.  Leaf i thus
 * starts at index count(i) = 2i - popcount(i), and the level-L hash number
 * k, completed by leaf i = (k+1)*2^L - 1, sits at count(i) + L.  These
 * closed forms give tlog's StoredHashIndex and StoredHashCount without
 * loops.  Indexes fit in int64_t for trees of up to 2^62 leaves,
 * the limit of every function here that touches stored hashes.
 *
 * Proofs.  Every hash a proof carries is the root of a leaf range [a, b)
 * where a is a multiple of the largest power of two not above b - a, so the
 * range splits, largest first, into perfect subtrees that are all stored.
 * A proof is first planned: the list of stored indexes it needs, and for
 * each proof element the span of that list it folds.  One reader call then
 * fetches them all, and the elements are folded right to left (an
 * incomplete right-edge subtree is node(s1, node(s2, ... sN)) of its perfect
 * parts).  Nothing is allocated; a plan lives on the stack.
 *
 * Verification follows the RFC 9162 algorithms (2.1.3.2, 2.1.4.2) step by
 * step, on unsigned copies of the sizes so that no shift is undefined.
 */
#include "merkle.h"

#include <assert.h>
#include <string.h>

/* Largest tree whose stored hashes have int64_t indexes. */
#define STORED_MAX_SIZE ((int64_t)1 << 62)

/*
 * Most stored hashes one plan reads: up to 63 perfect siblings, plus the
 * parts (at most 62) of the one incomplete right-edge sibling a proof can
 * hold.  A tree hash reads at most 62.
 */
#define PLAN_MAX_READS 128

/* One hash of a proof: the span of plan.index[] it folds. */
struct plan_elem {
	uint16_t first;
	uint16_t count;
};

/* What a proof or tree hash needs from storage. */
struct plan {
	int64_t index[PLAN_MAX_READS]; /* stored indexes, in reading order */
	size_t nindex;
	struct plan_elem elem[MERKLE_MAX_PROOF];
	size_t nelem;
	uint8_t hash[PLAN_MAX_READS][HASH_LEN]; /* what the reader returned */
};

static int popcount64(uint64_t x)
{
	return __builtin_popcountll(x);
}

/* Floor of log2(x), x > 0. */
static int log2_floor(uint64_t x)
{
	assert(x > 0);
	return 63 - __builtin_clzll(x);
}

void merkle_leaf_hash(uint8_t out[HASH_LEN], const void *entry, size_t len)
{
	static const uint8_t prefix = 0x00;
	const struct sha256_piece in[] = {{&prefix, 1}, {entry, len}};

	sha256_gather(out, in, 2);
}

/* out may alias left or right: both are copied before out is written. */
void merkle_node_hash(uint8_t out[HASH_LEN], const uint8_t left[HASH_LEN],
		      const uint8_t right[HASH_LEN])
{
	uint8_t in[1 + 2 * HASH_LEN];

	in[0] = 0x01;
	memcpy(in + 1, left, HASH_LEN);
	memcpy(in + 1 + HASH_LEN, right, HASH_LEN);
	sha256(out, in, sizeof in);
}

void merkle_empty_root(uint8_t out[HASH_LEN])
{
	sha256(out, "", 0);
}

/* count(n) for 0 <= n <= 2^62, where it is at most 2^63 - 1. */
static int64_t stored_count(uint64_t n)
{
	return (int64_t)(2 * n - (uint64_t)popcount64(n));
}

int64_t merkle_stored_index(int level, int64_t n)
{
	if (level < 0 || level > 62 || n < 0)
		return -1;
	if (n >= (STORED_MAX_SIZE >> level))
		return -1;
	/* The leaf that completes it stores levels 0, 1, ... from count(leaf)
	 * on. */
	return stored_count(((uint64_t)(n + 1) << level) - 1) + level;
}

void merkle_split_stored_index(int64_t index, int *level, int64_t *n)
{
	if (index < 0) {
		*level = -1;
		*n = -1;
		return;
	}
	/* The leaf i whose append stored index: count(i) <= index <
	 * count(i+1).  count(i) lies in [2i - 63, 2i], so i is at most 32
	 * above index / 2, where count(index / 2) <= index. */
	uint64_t i = (uint64_t)index / 2;
	while (2 * (i + 1) - (uint64_t)popcount64(i + 1) <= (uint64_t)index)
		i++;
	*level = (int)(index - stored_count(i));
	*n = (int64_t)(i >> *level);
}

int64_t merkle_stored_count(int64_t n)
{
	if (n < 0 || n > STORED_MAX_SIZE)
		return -1;
	return stored_count((uint64_t)n);
}

/*
 * Adds to p one element, the root of leaves [a, b): the perfect subtrees
 * that make it up, largest first.  a must be a multiple of the largest
 * power of two not above b - a, as every range of a proof is.
 */
static void plan_range(struct plan *p, uint64_t a, uint64_t b)
{
	assert(a < b && p->nelem < MERKLE_MAX_PROOF);
	p->elem[p->nelem].first = (uint16_t)p->nindex;
	while (a < b) {
		int level = log2_floor(b - a);
		assert((a & (((uint64_t)1 << level) - 1)) == 0);
		assert(p->nindex < PLAN_MAX_READS);
		p->index[p->nindex++] =
			merkle_stored_index(level, (int64_t)(a >> level));
		a += (uint64_t)1 << level;
	}
	p->elem[p->nelem].count =
		(uint16_t)(p->nindex - p->elem[p->nelem].first);
	p->nelem++;
}

/* Reads every hash p needs, in one call. */
static enum status plan_read(struct plan *p, merkle_reader r, void *ctx)
{
	if (p->nindex == 0)
		return ST_OK;
	return r(ctx, p->index, p->nindex, p->hash);
}

/* Folds element e of p, after plan_read, into out. */
static void plan_fold(struct plan *p, size_t e, uint8_t out[HASH_LEN])
{
	size_t first = p->elem[e].first;
	size_t j = first + p->elem[e].count - 1;

	memcpy(out, p->hash[j], HASH_LEN);
	while (j-- > first)
		merkle_node_hash(out, p->hash[j], out);
}

enum status merkle_append_hashes(int64_t n, const uint8_t leaf[HASH_LEN],
				 merkle_reader r, void *ctx,
				 uint8_t (*out)[HASH_LEN], size_t *count)
{
	int64_t index[MERKLE_MAX_PROOF];
	uint8_t left[MERKLE_MAX_PROOF][HASH_LEN];
	int done, l;

	if (n < 0 || n >= STORED_MAX_SIZE)
		return ST_INVALID;
	/* Leaf n completes one subtree per trailing one bit of n; the left
	 * half of each is the stored level-l hash (n >> l) - 1. */
	done = __builtin_ctzll(~(uint64_t)n);
	for (l = 0; l < done; l++)
		index[l] = merkle_stored_index(l, (n >> l) - 1);
	if (done > 0) {
		enum status st = r(ctx, index, (size_t)done, left);
		if (st != ST_OK)
			return st;
	}
	memcpy(out[0], leaf, HASH_LEN);
	for (l = 0; l < done; l++)
		merkle_node_hash(out[l + 1], left[l], out[l]);
	*count = (size_t)done + 1;
	return ST_OK;
}

enum status merkle_tree_hash(int64_t n, merkle_reader r, void *ctx,
			     uint8_t out[HASH_LEN])
{
	struct plan p;
	enum status st;

	if (n < 0 || n > STORED_MAX_SIZE)
		return ST_INVALID;
	if (n == 0) {
		merkle_empty_root(out);
		return ST_OK;
	}
	p.nindex = 0;
	p.nelem = 0;
	plan_range(&p, 0, (uint64_t)n);
	st = plan_read(&p, r, ctx);
	if (st != ST_OK)
		return st;
	plan_fold(&p, 0, out);
	return ST_OK;
}

/* Writes the folded elements of p, in order, to proof and *len. */
static enum status plan_finish(struct plan *p, merkle_reader r, void *ctx,
			       uint8_t (*proof)[HASH_LEN], size_t *len)
{
	enum status st = plan_read(p, r, ctx);
	if (st != ST_OK)
		return st;
	for (size_t e = 0; e < p->nelem; e++)
		plan_fold(p, e, proof[e]);
	*len = p->nelem;
	return ST_OK;
}

enum status merkle_prove_inclusion(int64_t index, int64_t size, merkle_reader r,
				   void *ctx, uint8_t (*proof)[HASH_LEN],
				   size_t *len)
{
	struct plan p;
	uint64_t fn, sn, end;
	int l;

	if (index < 0 || index >= size || size > STORED_MAX_SIZE)
		return ST_INVALID;
	p.nindex = 0;
	p.nelem = 0;
	/* Walk up from the leaf: at level l the path is at node fn of a level
	 * whose last node is sn.  An odd fn has a perfect left sibling; an
	 * even fn below sn a right sibling, cut short by the tree's end. */
	fn = (uint64_t)index;
	sn = (uint64_t)size - 1;
	for (l = 0; sn > 0; l++, fn >>= 1, sn >>= 1) {
		if (fn & 1) {
			plan_range(&p, (fn - 1) << l, fn << l);
		} else if (fn < sn) {
			end = (fn + 2) << l;
			if (end > (uint64_t)size)
				end = (uint64_t)size;
			plan_range(&p, (fn + 1) << l, end);
		}
	}
	return plan_finish(&p, r, ctx, proof, len);
}

enum status merkle_prove_consistency(int64_t old, int64_t new_size,
				     merkle_reader r, void *ctx,
				     uint8_t (*proof)[HASH_LEN], size_t *len)
{
	struct plan p;
	uint64_t off, m, n;
	bool whole; /* RFC 9162's b: the old tree is the whole subtree */

	if (old < 0 || old > new_size || new_size > STORED_MAX_SIZE)
		return ST_INVALID;
	p.nindex = 0;
	p.nelem = 0;
	if (old == 0 || old == new_size)
		return plan_finish(&p, r, ctx, proof, len);
	/* SUBPROOF(m, D[off:off+n], whole) of RFC 9162 2.1.4.1, unrolled
	 * top-down.  Each level's hash follows the deeper ones in the proof,
	 * so elements are planned top-down and reversed at the end. */
	off = 0;
	m = (uint64_t)old;
	n = (uint64_t)new_size;
	whole = true;
	while (m != n) {
		uint64_t k = (uint64_t)1 << log2_floor(n - 1);
		if (m <= k) {
			plan_range(&p, off + k, off + n);
			n = k;
		} else {
			plan_range(&p, off, off + k);
			off += k;
			m -= k;
			n -= k;
			whole = false;
		}
	}
	if (!whole)
		plan_range(&p, off, off + m);
	for (size_t i = 0, j = p.nelem - 1; i < j; i++, j--) {
		struct plan_elem t = p.elem[i];
		p.elem[i] = p.elem[j];
		p.elem[j] = t;
	}
	return plan_finish(&p, r, ctx, proof, len);
}

enum status merkle_verify_inclusion(const uint8_t leaf[HASH_LEN], int64_t index,
				    int64_t size, const void *proof, size_t len,
				    const uint8_t root[HASH_LEN])
{
	const uint8_t *p = proof;
	uint8_t h[HASH_LEN];
	uint64_t fn, sn;

	if (index < 0 || index >= size || (proof == NULL && len > 0))
		return ST_INVALID;
	if (len > MERKLE_MAX_PROOF)
		return ST_BAD_SIGNATURE;
	fn = (uint64_t)index;
	sn = (uint64_t)size - 1;
	memcpy(h, leaf, HASH_LEN);
	for (size_t i = 0; i < len; i++) {
		if (sn == 0)
			return ST_BAD_SIGNATURE;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(h, p + i * HASH_LEN, h);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(h, h, p + i * HASH_LEN);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || memcmp(h, root, HASH_LEN) != 0)
		return ST_BAD_SIGNATURE;
	return ST_OK;
}

enum status merkle_verify_consistency(int64_t old, int64_t new_size,
				      const uint8_t old_root[HASH_LEN],
				      const uint8_t new_root[HASH_LEN],
				      const void *proof, size_t len)
{
	const uint8_t *p = proof;
	uint8_t fr[HASH_LEN], sr[HASH_LEN];
	uint64_t fn, sn;
	size_t i;

	if (old < 0 || old > new_size || (proof == NULL && len > 0))
		return ST_INVALID;
	if (old == new_size) {
		if (len != 0 || memcmp(old_root, new_root, HASH_LEN) != 0)
			return ST_BAD_SIGNATURE;
		return ST_OK;
	}
	if (old == 0)
		return len == 0 ? ST_OK : ST_BAD_SIGNATURE;
	if (len == 0 || len > MERKLE_MAX_PROOF)
		return ST_BAD_SIGNATURE;
	/* When old is a power of two its root is the proof's implicit first
	 * element (RFC 9162 step 2): start from it and consume all of proof;
	 * otherwise start from proof[0]. */
	if ((old & (old - 1)) == 0) {
		memcpy(fr, old_root, HASH_LEN);
		i = 0;
	} else {
		memcpy(fr, p, HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, HASH_LEN);
	fn = (uint64_t)old - 1;
	sn = (uint64_t)new_size - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < len; i++) {
		if (sn == 0)
			return ST_BAD_SIGNATURE;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(fr, p + i * HASH_LEN, fr);
			merkle_node_hash(sr, p + i * HASH_LEN, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, sr, p + i * HASH_LEN);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || memcmp(fr, old_root, HASH_LEN) != 0 ||
	    memcmp(sr, new_root, HASH_LEN) != 0)
		return ST_BAD_SIGNATURE;
	return ST_OK;
}

void merkle_range_init(struct merkle_range *mr)
{
	mr->size = 0;
	mr->depth = 0;
}

void merkle_range_push(struct merkle_range *mr, const uint8_t leaf[HASH_LEN],
		       uint8_t (*stored)[HASH_LEN], size_t *count)
{
	size_t c = 1;

	assert(mr->size >= 0 && mr->size < INT64_MAX);
	assert(mr->depth == popcount64((uint64_t)mr->size));
	memcpy(mr->stack[mr->depth++], leaf, HASH_LEN);
	if (stored != NULL)
		memcpy(stored[0], leaf, HASH_LEN);
	/* Each trailing one bit of the old size is a subtree this leaf
	 * completes: merge the top two roots, as tlog stores them. */
	for (uint64_t s = (uint64_t)mr->size; s & 1; s >>= 1) {
		uint8_t *top = mr->stack[mr->depth - 2];
		merkle_node_hash(top, top, mr->stack[mr->depth - 1]);
		mr->depth--;
		if (stored != NULL)
			memcpy(stored[c], top, HASH_LEN);
		c++;
	}
	mr->size++;
	if (count != NULL)
		*count = c;
}

void merkle_range_root(const struct merkle_range *mr, uint8_t out[HASH_LEN])
{
	int i;

	if (mr->depth == 0) {
		merkle_empty_root(out);
		return;
	}
	i = mr->depth - 1;
	memcpy(out, mr->stack[i], HASH_LEN);
	while (i-- > 0)
		merkle_node_hash(out, mr->stack[i], out);
}
