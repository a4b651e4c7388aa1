/*
 * test_merkle.c: tests of the Merkle tree module (src/core/merkle.c).
 *
 * The published RFC 6962 vectors (certificate-transparency's
 * merkle_tree_test: eight leaves, their roots, inclusion and consistency
 * proofs); tlog's stored-hash indexes against known Go values and against
 * a simulation of appends; an in-memory store built with
 * merkle_append_hashes and checked against merkle_range_push; every proof
 * of every tree up to 130 leaves against a naive RFC 9162 implementation,
 * then tampered with; hostile arguments; failing readers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/codec.h"
#include "core/merkle.h"

/* Leaves in the test store; all of its trees up to EXHAUSTIVE leaves have
 * every proof checked against the naive implementation. */
#define NLEAVES	   1100
#define EXHAUSTIVE 130
#define HOSTILE	   70

#define STORED_MAX ((int64_t)1 << 62)

/* An in-memory store of hashes behind a merkle_reader. */
struct store {
	uint8_t (*h)[HASH_LEN];
	int64_t n;
	int64_t limit;	  /* reads must stay below this */
	int calls;	  /* reader calls so far */
	size_t reads;	  /* hashes read so far */
	enum status fail; /* answered instead of reading, unless ST_OK */
};

struct fixture {
	uint8_t (*leaf)[HASH_LEN]; /* leaf hashes */
	uint8_t (*root)[HASH_LEN]; /* root[n]: merkle_range root of n leaves */
	uint8_t (*memo)[HASH_LEN]; /* MTH(D[a:b]) at a * (EXHAUSTIVE+1) + b */
	struct store st;
};

/* The eight leaves of certificate-transparency's merkle_tree_test. */
static const char *const ct_leaves[8] = {
	"",
	"00",
	"10",
	"2021",
	"3031",
	"40414243",
	"5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

/* Their roots, for sizes 1..8. */
static const char *const ct_roots[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static const char ct_empty_root[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/* Published inclusion proofs (index 0-based) and consistency proofs. */
/* clang-format off */
static const struct {
	int64_t a, b; /* index and size, or old and new */
	size_t len;
	const char *proof[3];
} ct_inclusion[] = {
	{0, 1, 0, {NULL}},
	{0, 2, 1, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"}},
	{1, 2, 1, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"}},
	{2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
	{1, 5, 3,
	 {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{0, 8, 3,
	 {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{5, 8, 3,
	 {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
}, ct_consistency[] = {
	{1, 1, 0, {NULL}},
	{1, 8, 3,
	 {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{6, 8, 3,
	 {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{2, 5, 2,
	 {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};
/* clang-format on */

static size_t unhex(uint8_t *out, size_t max, const char *hex)
{
	size_t n = strlen(hex) / 2;
	assert_true(n <= max && strlen(hex) % 2 == 0);
	assert_int_equal(hex_decode(out, n, hex, strlen(hex)), ST_OK);
	return n;
}

static void unhex32(uint8_t out[HASH_LEN], const char *hex)
{
	assert_int_equal(unhex(out, HASH_LEN, hex), HASH_LEN);
}

static enum status store_read(void *ctx, const int64_t *indexes, size_t count,
			      uint8_t (*out)[HASH_LEN])
{
	struct store *s = ctx;

	s->calls++;
	s->reads += count;
	assert_true(count > 0 && count <= 128);
	if (s->fail != ST_OK)
		return s->fail;
	for (size_t i = 0; i < count; i++) {
		assert_true(indexes[i] >= 0);
		assert_true(indexes[i] < s->limit && indexes[i] < s->n);
		memcpy(out[i], s->h[indexes[i]], HASH_LEN);
	}
	return ST_OK;
}

/* Leaf data: the CT leaves first, then bytes that name the leaf. */
static void leaf_hash_of(int64_t i, uint8_t out[HASH_LEN])
{
	uint8_t d[16];
	size_t len;

	if (i < 8) {
		len = unhex(d, sizeof d, ct_leaves[i]);
	} else {
		d[0] = 0xee;
		for (int j = 0; j < 8; j++)
			d[1 + j] = (uint8_t)((uint64_t)i >> (8 * j));
		len = 9;
	}
	merkle_leaf_hash(out, d, len);
}

/* Largest power of two below n, n >= 2. */
static int64_t split_point(int64_t n)
{
	int64_t k = 1;
	while (k * 2 < n)
		k *= 2;
	return k;
}

/* The naive_ functions recurse as RFC 9162 defines them: that is what
 * the iterative code is checked against.  Their depth is log2 of a test
 * tree's size. */

/* MTH(D[a:b]) straight from the recursive definition of RFC 9162 2.1.1. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void naive_mth(const struct fixture *f, int64_t a, int64_t b,
		      uint8_t out[HASH_LEN])
{
	uint8_t l[HASH_LEN], r[HASH_LEN];
	int64_t k;

	if (b - a == 1) {
		memcpy(out, f->leaf[a], HASH_LEN);
		return;
	}
	k = split_point(b - a);
	naive_mth(f, a, a + k, l);
	naive_mth(f, a + k, b, r);
	merkle_node_hash(out, l, r);
}

static const uint8_t *memo(const struct fixture *f, int64_t a, int64_t b)
{
	assert_true(0 <= a && a < b && b <= EXHAUSTIVE);
	return f->memo[a * (EXHAUSTIVE + 1) + b];
}

/* PATH(m, D[a:b]) of RFC 9162 2.1.3.1, appended to out. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void naive_path(const struct fixture *f, int64_t m, int64_t a, int64_t b,
		       uint8_t (*out)[HASH_LEN], size_t *len)
{
	int64_t k;

	if (b - a == 1)
		return;
	k = split_point(b - a);
	if (m < k) {
		naive_path(f, m, a, a + k, out, len);
		memcpy(out[(*len)++], memo(f, a + k, b), HASH_LEN);
	} else {
		naive_path(f, m - k, a + k, b, out, len);
		memcpy(out[(*len)++], memo(f, a, a + k), HASH_LEN);
	}
}

/* SUBPROOF(m, D[a:b], whole) of RFC 9162 2.1.4.1, appended to out. */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void naive_subproof(const struct fixture *f, int64_t m, int64_t a,
			   int64_t b, bool whole, uint8_t (*out)[HASH_LEN],
			   size_t *len)
{
	int64_t k;

	if (m == b - a) {
		if (!whole)
			memcpy(out[(*len)++], memo(f, a, b), HASH_LEN);
		return;
	}
	k = split_point(b - a);
	if (m <= k) {
		naive_subproof(f, m, a, a + k, whole, out, len);
		memcpy(out[(*len)++], memo(f, a + k, b), HASH_LEN);
	} else {
		naive_subproof(f, m - k, a + k, b, false, out, len);
		memcpy(out[(*len)++], memo(f, a, a + k), HASH_LEN);
	}
}

static void fixture_free(struct fixture *f)
{
	if (f != NULL) {
		free(f->leaf);
		free(f->root);
		free(f->memo);
		free(f->st.h);
		free(f);
	}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	uint8_t out[MERKLE_MAX_PROOF][HASH_LEN],
		out2[MERKLE_MAX_PROOF][HASH_LEN];
	struct merkle_range mr;
	size_t c, c2;

	if (f == NULL)
		return -1;
	f->leaf = calloc(NLEAVES, HASH_LEN);
	f->root = calloc(NLEAVES + 1, HASH_LEN);
	f->memo = calloc((EXHAUSTIVE + 1) * (EXHAUSTIVE + 1), HASH_LEN);
	f->st.h = calloc((size_t)merkle_stored_count(NLEAVES), HASH_LEN);
	if (!f->leaf || !f->root || !f->memo || !f->st.h) {
		fixture_free(f);
		return -1;
	}
	for (int64_t i = 0; i < NLEAVES; i++)
		leaf_hash_of(i, f->leaf[i]);

	/* MTH of every range of the first EXHAUSTIVE leaves, by length. */
	for (int64_t len = 1; len <= EXHAUSTIVE; len++) {
		for (int64_t a = 0; a + len <= EXHAUSTIVE; a++) {
			uint8_t *m = f->memo[a * (EXHAUSTIVE + 1) + a + len];
			if (len == 1) {
				memcpy(m, f->leaf[a], HASH_LEN);
				continue;
			}
			int64_t k = split_point(len);
			merkle_node_hash(m, memo(f, a, a + k),
					 memo(f, a + k, a + len));
		}
	}

	/* The store, appended leaf by leaf; a compact range alongside must
	 * give the same stored hashes. */
	merkle_range_init(&mr);
	merkle_range_root(&mr, f->root[0]);
	for (int64_t i = 0; i < NLEAVES; i++) {
		assert_int_equal(f->st.n, merkle_stored_count(i));
		f->st.limit = merkle_stored_count(i);
		assert_int_equal(merkle_append_hashes(i, f->leaf[i], store_read,
						      &f->st, out, &c),
				 ST_OK);
		merkle_range_push(&mr, f->leaf[i], out2, &c2);
		assert_int_equal(c, c2);
		assert_int_equal((int64_t)c, merkle_stored_count(i + 1) -
						     merkle_stored_count(i));
		assert_memory_equal(out, out2, c * HASH_LEN);
		memcpy(f->st.h[f->st.n], out, c * HASH_LEN);
		f->st.n += (int64_t)c;
		assert_int_equal(mr.size, i + 1);
		merkle_range_root(&mr, f->root[i + 1]);
	}
	f->st.limit = f->st.n;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_free(*state);
	return 0;
}

static void test_hashes(void **state)
{
	uint8_t h[HASH_LEN], want[HASH_LEN];
	struct merkle_range mr;

	(void)state;
	merkle_empty_root(h);
	unhex32(want, ct_empty_root);
	assert_memory_equal(h, want, HASH_LEN);
	merkle_range_init(&mr);
	merkle_range_root(&mr, h);
	assert_memory_equal(h, want, HASH_LEN);

	/* The leaf hash of "" is the root of the one-leaf tree; NULL is
	 * fine for no bytes. */
	merkle_leaf_hash(h, NULL, 0);
	unhex32(want, ct_roots[0]);
	assert_memory_equal(h, want, HASH_LEN);
	merkle_leaf_hash(h, "\x00", 1);
	unhex32(want, ct_inclusion[1].proof[0]);
	assert_memory_equal(h, want, HASH_LEN);

	/* node(l, r) in place, either side. */
	uint8_t l[HASH_LEN], r[HASH_LEN], x[HASH_LEN];
	merkle_leaf_hash(l, NULL, 0);
	merkle_leaf_hash(r, "\x00", 1);
	merkle_node_hash(want, l, r);
	unhex32(x, ct_roots[1]);
	assert_memory_equal(want, x, HASH_LEN);
	memcpy(x, l, HASH_LEN);
	merkle_node_hash(x, x, r);
	assert_memory_equal(x, want, HASH_LEN);
	memcpy(x, r, HASH_LEN);
	merkle_node_hash(x, l, x);
	assert_memory_equal(x, want, HASH_LEN);
}

static void test_ct_roots(void **state)
{
	struct fixture *f = *state;
	uint8_t h[HASH_LEN], want[HASH_LEN];

	assert_int_equal(merkle_tree_hash(0, store_read, &f->st, h), ST_OK);
	unhex32(want, ct_empty_root);
	assert_memory_equal(h, want, HASH_LEN);
	for (int64_t n = 1; n <= 8; n++) {
		unhex32(want, ct_roots[n - 1]);
		assert_int_equal(merkle_tree_hash(n, store_read, &f->st, h),
				 ST_OK);
		assert_memory_equal(h, want, HASH_LEN);
		assert_memory_equal(f->root[n], want, HASH_LEN);
	}
}

static void test_ct_inclusion(void **state)
{
	struct fixture *f = *state;
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN], want[3][HASH_LEN];
	uint8_t root[HASH_LEN];
	size_t len;

	for (size_t t = 0; t < sizeof ct_inclusion / sizeof *ct_inclusion;
	     t++) {
		int64_t i = ct_inclusion[t].a, n = ct_inclusion[t].b;
		for (size_t j = 0; j < ct_inclusion[t].len; j++)
			unhex32(want[j], ct_inclusion[t].proof[j]);
		unhex32(root, ct_roots[n - 1]);
		assert_int_equal(merkle_prove_inclusion(i, n, store_read,
							&f->st, proof, &len),
				 ST_OK);
		assert_int_equal(len, ct_inclusion[t].len);
		assert_memory_equal(proof, want, len * HASH_LEN);
		assert_int_equal(merkle_verify_inclusion(f->leaf[i], i, n, want,
							 len, root),
				 ST_OK);
		/* certificate-transparency's own mutations. */
		assert_int_not_equal(merkle_verify_inclusion(f->leaf[i], i,
							     n * 2, want, len,
							     root),
				     ST_OK);
		assert_int_not_equal(merkle_verify_inclusion(f->leaf[i], i,
							     n / 2, want, len,
							     root),
				     ST_OK);
		if (i > 0)
			assert_int_equal(merkle_verify_inclusion(f->leaf[i],
								 i - 1, n, want,
								 len, root),
					 ST_BAD_SIGNATURE);
		assert_int_not_equal(merkle_verify_inclusion(f->leaf[i], i + 1,
							     n, want, len,
							     root),
				     ST_OK);
	}
}

static void test_ct_consistency(void **state)
{
	struct fixture *f = *state;
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN], want[3][HASH_LEN];
	uint8_t r1[HASH_LEN], r2[HASH_LEN];
	size_t len;

	for (size_t t = 0; t < sizeof ct_consistency / sizeof *ct_consistency;
	     t++) {
		int64_t m = ct_consistency[t].a, n = ct_consistency[t].b;
		for (size_t j = 0; j < ct_consistency[t].len; j++)
			unhex32(want[j], ct_consistency[t].proof[j]);
		unhex32(r1, ct_roots[m - 1]);
		unhex32(r2, ct_roots[n - 1]);
		assert_int_equal(merkle_prove_consistency(m, n, store_read,
							  &f->st, proof, &len),
				 ST_OK);
		assert_int_equal(len, ct_consistency[t].len);
		assert_memory_equal(proof, want, len * HASH_LEN);
		assert_int_equal(
			merkle_verify_consistency(m, n, r1, r2, want, len),
			ST_OK);
		if (len == 0)
			continue;
		assert_int_not_equal(
			merkle_verify_consistency(m, n * 2, r1, r2, want, len),
			ST_OK);
		assert_int_not_equal(
			merkle_verify_consistency(m, n / 2, r1, r2, want, len),
			ST_OK);
		assert_int_equal(
			merkle_verify_consistency(m, n, r2, r1, want, len),
			ST_BAD_SIGNATURE);
		assert_int_equal(
			merkle_verify_consistency(m, n, r1, r2, want, 0),
			ST_BAD_SIGNATURE);
	}
}

/* Go's StoredHashIndex(0, n), n = 0..7, and StoredHashCount(0..8). */
static void test_stored_go_values(void **state)
{
	static const int64_t index0[8] = {0, 1, 3, 4, 7, 8, 10, 11};
	static const int64_t count[9] = {0, 1, 3, 4, 7, 8, 10, 11, 15};
	static const struct {
		int level;
		int64_t n, index;
	} more[] = {
		{1, 0, 2},  {2, 0, 6},	{1, 1, 5},  {1, 2, 9},
		{3, 0, 14}, {2, 1, 13}, {0, 8, 15},
	};

	(void)state;
	for (int64_t n = 0; n < 8; n++)
		assert_int_equal(merkle_stored_index(0, n), index0[n]);
	for (int64_t n = 0; n <= 8; n++)
		assert_int_equal(merkle_stored_count(n), count[n]);
	for (size_t t = 0; t < sizeof more / sizeof *more; t++) {
		int level;
		int64_t n;
		assert_int_equal(merkle_stored_index(more[t].level, more[t].n),
				 more[t].index);
		merkle_split_stored_index(more[t].index, &level, &n);
		assert_int_equal(level, more[t].level);
		assert_int_equal(n, more[t].n);
	}
}

/* The layout as a simulation of appends: leaf i stores (0, i), then
 * (l, i >> l) for each level its arrival completes. */
static void test_stored_layout(void **state)
{
	int64_t pos = 0;

	(void)state;
	for (int64_t i = 0; i < 4096; i++) {
		assert_int_equal(merkle_stored_count(i), pos);
		for (int l = 0; l == 0 || ((i + 1) & ((1LL << l) - 1)) == 0;
		     l++) {
			int level;
			int64_t n;
			assert_int_equal(merkle_stored_index(l, i >> l), pos);
			merkle_split_stored_index(pos, &level, &n);
			assert_int_equal(level, l);
			assert_int_equal(n, i >> l);
			pos++;
		}
	}
	assert_int_equal(merkle_stored_count(4096), pos);
}

static void test_stored_edges(void **state)
{
	static const struct {
		int level;
		int64_t n, index;
	} idx[] = {
		{-1, 0, -1},
		{63, 0, -1},
		{0, -1, -1},
		{0, INT64_MIN, -1},
		{62, 0, INT64_MAX - 1},
		{62, 1, -1},
		{61, 1, INT64_MAX - 1 - 1},
		{0, STORED_MAX - 1, INT64_MAX - 63},
		{0, STORED_MAX, -1},
		{0, INT64_MAX, -1},
		{40, INT64_MAX >> 40, -1},
	};
	static const struct {
		int64_t n, count;
	} cnt[] = {
		{-1, -1},
		{INT64_MIN, -1},
		{STORED_MAX, INT64_MAX},
		{STORED_MAX - 1, INT64_MAX - 63},
		{STORED_MAX + 1, -1},
		{INT64_MAX, -1},
	};
	int level;
	int64_t n;

	(void)state;
	for (size_t t = 0; t < sizeof idx / sizeof *idx; t++) {
		assert_int_equal(merkle_stored_index(idx[t].level, idx[t].n),
				 idx[t].index);
		if (idx[t].index < 0)
			continue;
		merkle_split_stored_index(idx[t].index, &level, &n);
		assert_int_equal(level, idx[t].level);
		assert_int_equal(n, idx[t].n);
	}
	for (size_t t = 0; t < sizeof cnt / sizeof *cnt; t++)
		assert_int_equal(merkle_stored_count(cnt[t].n), cnt[t].count);
	merkle_split_stored_index(-5, &level, &n);
	assert_int_equal(level, -1);
	assert_int_equal(n, -1);
	merkle_split_stored_index(INT64_MAX, &level, &n);
	assert_int_equal(level, 0);
	assert_int_equal(n, STORED_MAX);
	/* Split then index is the identity around the top of the range. */
	for (int64_t i = INT64_MAX - 200; i < INT64_MAX; i++) {
		merkle_split_stored_index(i, &level, &n);
		assert_int_equal(merkle_stored_index(level, n), i);
	}
}

/* Every stored hash is the MTH of the leaves its (level, n) names. */
static void test_store_contents(void **state)
{
	struct fixture *f = *state;
	int64_t limit = merkle_stored_count(EXHAUSTIVE);

	for (int64_t i = 0; i < limit; i++) {
		int level;
		int64_t n;
		merkle_split_stored_index(i, &level, &n);
		assert_memory_equal(f->st.h[i],
				    memo(f, n << level, (n + 1) << level),
				    HASH_LEN);
	}
}

static void flip(uint8_t *h)
{
	h[7] ^= 0x20;
}

/* Number of bits of n. */
static size_t bit_length(int64_t n)
{
	size_t b = 0;
	for (; n > 0; n >>= 1)
		b++;
	return b;
}

/* What check_inclusion and check_consistency do beyond prove and verify. */
enum {
	CHECK_NAIVE = 1,   /* compare with the naive proof */
	CHECK_HOSTILE = 2, /* every tampered variant must fail */
};

/* Proves leaf i in the tree of n leaves and verifies the proof against
 * root, and what `checks` asks for. */
static void check_inclusion(struct fixture *f, int64_t i, int64_t n,
			    const uint8_t root[HASH_LEN], int checks)
{
	uint8_t proof[MERKLE_MAX_PROOF + 1][HASH_LEN];
	uint8_t leaf[HASH_LEN];
	size_t len;
	int calls = f->st.calls;
	size_t reads = f->st.reads;

	f->st.limit = merkle_stored_count(n);
	assert_int_equal(
		merkle_prove_inclusion(i, n, store_read, &f->st, proof, &len),
		ST_OK);
	assert_int_equal(f->st.calls - calls, len > 0 ? 1 : 0);
	assert_true(f->st.reads - reads <= 2 * bit_length(n));
	if (checks & CHECK_NAIVE) {
		uint8_t want[MERKLE_MAX_PROOF][HASH_LEN];
		size_t wlen = 0;
		naive_path(f, i, 0, n, want, &wlen);
		assert_int_equal(len, wlen);
		assert_memory_equal(proof, want, len * HASH_LEN);
	}
	assert_int_equal(
		merkle_verify_inclusion(f->leaf[i], i, n, proof, len, root),
		ST_OK);
	if (!(checks & CHECK_HOSTILE))
		return;

	/* Tampered: each hash, the leaf, the root. */
	for (size_t j = 0; j < len; j++) {
		flip(proof[j]);
		assert_int_equal(merkle_verify_inclusion(f->leaf[i], i, n,
							 proof, len, root),
				 ST_BAD_SIGNATURE);
		flip(proof[j]);
	}
	memcpy(leaf, f->leaf[i], HASH_LEN);
	flip(leaf);
	assert_int_equal(merkle_verify_inclusion(leaf, i, n, proof, len, root),
			 ST_BAD_SIGNATURE);
	assert_int_equal(
		merkle_verify_inclusion(f->leaf[i], i, n, proof, len, leaf),
		ST_BAD_SIGNATURE);
	/* Too short, too long. */
	if (len > 0)
		assert_int_equal(merkle_verify_inclusion(f->leaf[i], i, n,
							 proof, len - 1, root),
				 ST_BAD_SIGNATURE);
	memcpy(proof[len], root, HASH_LEN);
	assert_int_equal(
		merkle_verify_inclusion(f->leaf[i], i, n, proof, len + 1, root),
		ST_BAD_SIGNATURE);
	/* Wrong index. */
	if (i > 0)
		assert_int_equal(merkle_verify_inclusion(f->leaf[i], i - 1, n,
							 proof, len, root),
				 ST_BAD_SIGNATURE);
	if (i + 1 < n)
		assert_int_equal(merkle_verify_inclusion(f->leaf[i], i + 1, n,
							 proof, len, root),
				 ST_BAD_SIGNATURE);
	if ((i ^ 2) < n)
		assert_int_equal(merkle_verify_inclusion(f->leaf[i], i ^ 2, n,
							 proof, len, root),
				 ST_BAD_SIGNATURE);
	assert_int_equal(
		merkle_verify_inclusion(f->leaf[i], n, n, proof, len, root),
		ST_INVALID);
}

/* As check_inclusion, for the consistency of sizes m and n. */
static void check_consistency(struct fixture *f, int64_t m, int64_t n,
			      const uint8_t r1[HASH_LEN],
			      const uint8_t r2[HASH_LEN], int checks)
{
	uint8_t proof[MERKLE_MAX_PROOF + 1][HASH_LEN];
	uint8_t bad[HASH_LEN];
	size_t len;
	int calls = f->st.calls;
	size_t reads = f->st.reads;

	f->st.limit = merkle_stored_count(n);
	assert_int_equal(
		merkle_prove_consistency(m, n, store_read, &f->st, proof, &len),
		ST_OK);
	assert_int_equal(f->st.calls - calls, len > 0 ? 1 : 0);
	assert_true(f->st.reads - reads <= 2 * bit_length(n));
	if (checks & CHECK_NAIVE) {
		uint8_t want[MERKLE_MAX_PROOF][HASH_LEN];
		size_t wlen = 0;
		if (m > 0 && m < n)
			naive_subproof(f, m, 0, n, true, want, &wlen);
		assert_int_equal(len, wlen);
		assert_memory_equal(proof, want, len * HASH_LEN);
	}
	if (m == 0 || m == n)
		assert_int_equal(len, 0);
	assert_int_equal(merkle_verify_consistency(m, n, r1, r2, proof, len),
			 ST_OK);
	if (len == 0 || !(checks & CHECK_HOSTILE))
		return;

	for (size_t j = 0; j < len; j++) {
		flip(proof[j]);
		assert_int_equal(
			merkle_verify_consistency(m, n, r1, r2, proof, len),
			ST_BAD_SIGNATURE);
		flip(proof[j]);
	}
	memcpy(bad, r1, HASH_LEN);
	flip(bad);
	assert_int_equal(merkle_verify_consistency(m, n, bad, r2, proof, len),
			 ST_BAD_SIGNATURE);
	memcpy(bad, r2, HASH_LEN);
	flip(bad);
	assert_int_equal(merkle_verify_consistency(m, n, r1, bad, proof, len),
			 ST_BAD_SIGNATURE);
	assert_int_equal(merkle_verify_consistency(m, n, r2, r1, proof, len),
			 ST_BAD_SIGNATURE);
	assert_int_equal(
		merkle_verify_consistency(m, n, r1, r2, proof, len - 1),
		ST_BAD_SIGNATURE);
	memcpy(proof[len], r2, HASH_LEN);
	assert_int_equal(
		merkle_verify_consistency(m, n, r1, r2, proof, len + 1),
		ST_BAD_SIGNATURE);
	if (m > 1)
		assert_int_equal(
			merkle_verify_consistency(m - 1, n, r1, r2, proof, len),
			ST_BAD_SIGNATURE);
	if (m + 1 < n)
		assert_int_equal(
			merkle_verify_consistency(m + 1, n, r1, r2, proof, len),
			ST_BAD_SIGNATURE);
	assert_int_equal(
		merkle_verify_consistency(n + 1, n, r1, r2, proof, len),
		ST_INVALID);
}

/* Every tree up to EXHAUSTIVE leaves: its hash, every inclusion proof and
 * every consistency proof, against the naive implementation; tampered
 * proofs of the trees up to HOSTILE leaves (more only slow valgrind). */
static void test_exhaustive(void **state)
{
	struct fixture *f = *state;
	uint8_t h[HASH_LEN], want[HASH_LEN];

	for (int64_t n = 1; n <= EXHAUSTIVE; n++) {
		int checks = CHECK_NAIVE | (n <= HOSTILE ? CHECK_HOSTILE : 0);
		f->st.limit = merkle_stored_count(n);
		naive_mth(f, 0, n, want);
		assert_memory_equal(memo(f, 0, n), want, HASH_LEN);
		assert_memory_equal(f->root[n], want, HASH_LEN);
		assert_int_equal(merkle_tree_hash(n, store_read, &f->st, h),
				 ST_OK);
		assert_memory_equal(h, want, HASH_LEN);
		for (int64_t i = 0; i < n; i++)
			check_inclusion(f, i, n, want, checks);
		for (int64_t m = 0; m <= n; m++)
			check_consistency(f, m, n, f->root[m], want, checks);
	}
}

/* Larger trees around powers of two, against the compact-range roots. */
static void test_larger(void **state)
{
	static const int64_t sizes[] = {255, 256,  257,	 511,  512,
					513, 1023, 1024, 1025, NLEAVES};
	struct fixture *f = *state;
	uint8_t h[HASH_LEN];

	for (int64_t n = 0; n <= NLEAVES; n++) {
		f->st.limit = merkle_stored_count(n);
		assert_int_equal(merkle_tree_hash(n, store_read, &f->st, h),
				 ST_OK);
		assert_memory_equal(h, f->root[n], HASH_LEN);
	}
	for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
		int64_t n = sizes[t];
		for (int64_t i = 0; i < n; i++)
			check_inclusion(f, i, n, f->root[n], 0);
		for (int64_t m = 0; m <= n; m++)
			check_consistency(f, m, n, f->root[m], f->root[n], 0);
	}
}

static void test_bad_arguments(void **state)
{
	static const struct {
		int64_t a, b;
	} bad_incl[] =
		{
			{0, 0},		{-1, 5},	{5, 5},
			{6, 5},		{0, -1},	{-1, -1},
			{INT64_MIN, 1}, {0, INT64_MIN}, {INT64_MAX, INT64_MAX},
		},
	  bad_cons[] = {
		  {-1, 5},  {6, 5},	    {1, 0},	    {0, -1},
		  {-1, -1}, {INT64_MIN, 0}, {INT64_MAX, 0},
	  };
	struct fixture *f = *state;
	uint8_t proof[MERKLE_MAX_PROOF + 1][HASH_LEN];
	uint8_t h[HASH_LEN], e[HASH_LEN];
	size_t len;
	int calls = f->st.calls;

	memset(proof, 0x55, sizeof proof);
	merkle_empty_root(e);
	f->st.limit = f->st.n;
	for (size_t t = 0; t < sizeof bad_incl / sizeof *bad_incl; t++) {
		int64_t i = bad_incl[t].a, n = bad_incl[t].b;
		assert_int_equal(merkle_prove_inclusion(i, n, store_read,
							&f->st, proof, &len),
				 ST_INVALID);
		for (size_t l = 0; l <= 3; l++)
			assert_int_equal(merkle_verify_inclusion(
						 f->leaf[0], i, n, proof, l, e),
					 ST_INVALID);
	}
	for (size_t t = 0; t < sizeof bad_cons / sizeof *bad_cons; t++) {
		int64_t m = bad_cons[t].a, n = bad_cons[t].b;
		assert_int_equal(merkle_prove_consistency(m, n, store_read,
							  &f->st, proof, &len),
				 ST_INVALID);
		for (size_t l = 0; l <= 3; l++)
			assert_int_equal(
				merkle_verify_consistency(m, n, e, e, proof, l),
				ST_INVALID);
	}
	/* Past the 2^62 leaves of stored hashes. */
	assert_int_equal(merkle_prove_inclusion(0, STORED_MAX + 1, store_read,
						&f->st, proof, &len),
			 ST_INVALID);
	assert_int_equal(merkle_prove_consistency(1, STORED_MAX + 1, store_read,
						  &f->st, proof, &len),
			 ST_INVALID);
	assert_int_equal(merkle_tree_hash(-1, store_read, &f->st, h),
			 ST_INVALID);
	assert_int_equal(
		merkle_tree_hash(STORED_MAX + 1, store_read, &f->st, h),
		ST_INVALID);
	assert_int_equal(
		merkle_append_hashes(-1, e, store_read, &f->st, proof, &len),
		ST_INVALID);
	assert_int_equal(merkle_append_hashes(STORED_MAX, e, store_read, &f->st,
					      proof, &len),
			 ST_INVALID);
	assert_int_equal(f->st.calls, calls);

	/* A NULL proof: fine when empty, never read. */
	assert_int_equal(
		merkle_verify_inclusion(f->leaf[0], 0, 1, NULL, 0, f->leaf[0]),
		ST_OK);
	assert_int_equal(
		merkle_verify_inclusion(f->leaf[0], 0, 2, NULL, 0, f->root[2]),
		ST_BAD_SIGNATURE);
	assert_int_equal(merkle_verify_consistency(3, 5, f->root[3], f->root[5],
						   NULL, 0),
			 ST_BAD_SIGNATURE);
	assert_int_equal(merkle_verify_consistency(4, 5, f->root[4], f->root[5],
						   NULL, 0),
			 ST_BAD_SIGNATURE);
	assert_int_equal(
		merkle_verify_consistency(0, 5, e, f->root[5], NULL, 0), ST_OK);
	assert_int_equal(merkle_verify_consistency(5, 5, f->root[5], f->root[5],
						   NULL, 0),
			 ST_OK);
	assert_int_equal(
		merkle_prove_inclusion(0, 1, store_read, &f->st, NULL, &len),
		ST_OK);
	assert_int_equal(len, 0);
	/* A NULL proof with hashes in it. */
	assert_int_equal(merkle_verify_inclusion(f->leaf[0], 0, 2, NULL, 1, e),
			 ST_INVALID);
	assert_int_equal(merkle_verify_consistency(1, 2, e, e, NULL, 1),
			 ST_INVALID);

	/* Longer than any proof can be. */
	assert_int_equal(merkle_verify_inclusion(f->leaf[0], 0, INT64_MAX,
						 proof, MERKLE_MAX_PROOF + 1,
						 e),
			 ST_BAD_SIGNATURE);
	assert_int_equal(merkle_verify_consistency(1, INT64_MAX, e, e, proof,
						   MERKLE_MAX_PROOF + 1),
			 ST_BAD_SIGNATURE);
}

/* The edge cases of consistency that need no proof. */
static void test_consistency_trivial(void **state)
{
	struct fixture *f = *state;
	uint8_t p[1][HASH_LEN];
	uint8_t e[HASH_LEN];
	size_t len = 99;

	merkle_empty_root(e);
	memcpy(p[0], e, HASH_LEN);
	f->st.limit = f->st.n;
	assert_int_equal(
		merkle_prove_consistency(0, 0, store_read, &f->st, p, &len),
		ST_OK);
	assert_int_equal(len, 0);
	assert_int_equal(merkle_verify_consistency(0, 0, e, e, p, 0), ST_OK);
	assert_int_equal(merkle_verify_consistency(0, 0, e, f->root[1], p, 0),
			 ST_BAD_SIGNATURE);
	assert_int_equal(merkle_verify_consistency(0, 0, e, e, p, 1),
			 ST_BAD_SIGNATURE);
	assert_int_equal(merkle_verify_consistency(0, 1, e, f->root[1], p, 0),
			 ST_OK);
	assert_int_equal(merkle_verify_consistency(0, 1, e, f->root[1], p, 1),
			 ST_BAD_SIGNATURE);
	assert_int_equal(
		merkle_verify_consistency(1, 1, f->root[1], f->root[1], p, 0),
		ST_OK);
	assert_int_equal(
		merkle_verify_consistency(1, 1, f->root[1], f->root[1], p, 1),
		ST_BAD_SIGNATURE);
	assert_int_equal(
		merkle_verify_consistency(1, 1, f->root[1], f->root[2], p, 0),
		ST_BAD_SIGNATURE);
	assert_int_equal(
		merkle_verify_consistency(1, 2, f->root[1], f->root[2], p, 0),
		ST_BAD_SIGNATURE);
}

/* Junk proofs for huge trees fail cleanly (no shift or sign trouble). */
static void test_huge_verify(void **state)
{
	static const struct {
		int64_t a, b;
	} sz[] = {
		{INT64_MAX - 1, INT64_MAX},
		{0, INT64_MAX},
		{1, INT64_MAX},
		{STORED_MAX + 3, INT64_MAX},
		{STORED_MAX, STORED_MAX + 1},
		{STORED_MAX - 1, STORED_MAX},
	};
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	uint8_t h[HASH_LEN];

	(void)state;
	memset(proof, 0x11, sizeof proof);
	memset(h, 0x22, sizeof h);
	for (size_t t = 0; t < sizeof sz / sizeof *sz; t++) {
		for (size_t len = 0; len <= MERKLE_MAX_PROOF; len++) {
			assert_int_equal(merkle_verify_inclusion(h, sz[t].a,
								 sz[t].b, proof,
								 len, h),
					 ST_BAD_SIGNATURE);
			/* From the empty tree, only the empty proof. */
			assert_int_equal(
				merkle_verify_consistency(sz[t].a, sz[t].b, h,
							  h, proof, len),
				sz[t].a == 0 && len == 0 ? ST_OK
							 : ST_BAD_SIGNATURE);
		}
	}
}

/* A reader for trees of up to 2^62 leaves: hash i is i, spelled out. */
struct fake {
	int64_t limit;
	size_t max_count;
};

static enum status fake_read(void *ctx, const int64_t *indexes, size_t count,
			     uint8_t (*out)[HASH_LEN])
{
	struct fake *fk = ctx;

	assert_true(count > 0 && count <= 128);
	if (count > fk->max_count)
		fk->max_count = count;
	for (size_t i = 0; i < count; i++) {
		assert_true(indexes[i] >= 0 && indexes[i] < fk->limit);
		memset(out[i], 0, HASH_LEN);
		memcpy(out[i], &indexes[i], sizeof indexes[i]);
	}
	return ST_OK;
}

static void test_huge_prove(void **state)
{
	static const struct {
		int64_t a, b;
		size_t incl_len;
	} sz[] = {
		{0, STORED_MAX, 62},
		{STORED_MAX - 1, STORED_MAX, 62},
		{0, STORED_MAX - 1, 62},
		{STORED_MAX - 2, STORED_MAX - 1, 61},
		{12345, STORED_MAX - 1, 62},
		{(int64_t)1 << 61, STORED_MAX, 62},
		{3, ((int64_t)1 << 61) + 1, 62},
	};
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN], h[HASH_LEN];
	struct fake fk = {0, 0};
	size_t len;

	(void)state;
	for (size_t t = 0; t < sizeof sz / sizeof *sz; t++) {
		fk.limit = merkle_stored_count(sz[t].b);
		assert_int_equal(merkle_prove_inclusion(sz[t].a, sz[t].b,
							fake_read, &fk, proof,
							&len),
				 ST_OK);
		assert_int_equal(len, sz[t].incl_len);
		assert_int_equal(merkle_prove_consistency(
					 sz[t].a > 0 ? sz[t].a : 1, sz[t].b,
					 fake_read, &fk, proof, &len),
				 ST_OK);
		assert_true(len >= 1 && len <= MERKLE_MAX_PROOF);
		assert_int_equal(merkle_tree_hash(sz[t].b, fake_read, &fk, h),
				 ST_OK);
	}
	/* The widest read: an incomplete right edge of 61 parts. */
	assert_true(fk.max_count >= 120 && fk.max_count <= 128);

	fk.limit = merkle_stored_count(STORED_MAX - 1);
	assert_int_equal(merkle_append_hashes(STORED_MAX - 1, h, fake_read, &fk,
					      proof, &len),
			 ST_OK);
	assert_int_equal(len, 63);
	assert_int_equal(merkle_stored_count(STORED_MAX - 1) + (int64_t)len,
			 merkle_stored_count(STORED_MAX));
}

/* A reader that fails: its status comes back, outputs stay untouched. */
static void test_reader_fails(void **state)
{
	static const enum status fails[] = {ST_IO, ST_BUSY, ST_CORRUPT};
	struct fixture *f = *state;
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN], h[HASH_LEN];
	uint8_t untouched[MERKLE_MAX_PROOF][HASH_LEN];
	size_t len;

	memset(untouched, 0xa5, sizeof untouched);
	f->st.limit = f->st.n;
	for (size_t t = 0; t < sizeof fails / sizeof *fails; t++) {
		f->st.fail = fails[t];
		memcpy(proof, untouched, sizeof proof);
		memcpy(h, untouched, sizeof h);
		len = 777;
		assert_int_equal(merkle_tree_hash(5, store_read, &f->st, h),
				 fails[t]);
		assert_memory_equal(h, untouched, sizeof h);
		assert_int_equal(merkle_prove_inclusion(1, 5, store_read,
							&f->st, proof, &len),
				 fails[t]);
		assert_int_equal(merkle_prove_consistency(3, 7, store_read,
							  &f->st, proof, &len),
				 fails[t]);
		assert_int_equal(merkle_append_hashes(3, f->leaf[3], store_read,
						      &f->st, proof, &len),
				 fails[t]);
		assert_int_equal(len, 777);
		assert_memory_equal(proof, untouched, sizeof proof);

		/* Nothing to read: the reader is not called. */
		int calls = f->st.calls;
		assert_int_equal(merkle_tree_hash(0, store_read, &f->st, h),
				 ST_OK);
		assert_int_equal(merkle_prove_inclusion(0, 1, store_read,
							&f->st, proof, &len),
				 ST_OK);
		assert_int_equal(len, 0);
		assert_int_equal(merkle_prove_consistency(4, 4, store_read,
							  &f->st, proof, &len),
				 ST_OK);
		assert_int_equal(merkle_append_hashes(4, f->leaf[4], store_read,
						      &f->st, proof, &len),
				 ST_OK);
		assert_int_equal(len, 1);
		assert_int_equal(f->st.calls, calls);
	}
	f->st.fail = ST_OK;
}

/* merkle_range_push with no room for stored hashes. */
static void test_range_no_stored(void **state)
{
	struct fixture *f = *state;
	struct merkle_range mr;
	uint8_t h[HASH_LEN];
	size_t c = 0;

	merkle_range_init(&mr);
	for (int64_t i = 0; i < 100; i++) {
		merkle_range_push(&mr, f->leaf[i], NULL, i % 2 ? &c : NULL);
		merkle_range_root(&mr, h);
		assert_memory_equal(h, f->root[i + 1], HASH_LEN);
	}
	assert_int_equal(c, 3); /* leaf 99 completes levels 1 and 2 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashes),
		cmocka_unit_test(test_ct_roots),
		cmocka_unit_test(test_ct_inclusion),
		cmocka_unit_test(test_ct_consistency),
		cmocka_unit_test(test_stored_go_values),
		cmocka_unit_test(test_stored_layout),
		cmocka_unit_test(test_stored_edges),
		cmocka_unit_test(test_store_contents),
		cmocka_unit_test(test_exhaustive),
		cmocka_unit_test(test_larger),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_consistency_trivial),
		cmocka_unit_test(test_huge_verify),
		cmocka_unit_test(test_huge_prove),
		cmocka_unit_test(test_reader_fails),
		cmocka_unit_test(test_range_no_stored),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
