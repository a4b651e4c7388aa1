/*
 * test_tilereader.c: consistency proofs computed from hash tiles over HTTP
 * (net/tilereader.h), against a responder in the test that serves the
 * hash tiles of a tree of 2 * 65536 + 300 leaves hashed here.
 *
 * Served as a live log serves them (every partial width up to the
 * tree's), the proof from the tiles is merkle_prove_consistency's over
 * the stored hashes, for every pair of sizes among many, with level-0,
 * level-1 and level-2 partial tiles, and each tile is fetched once per
 * proof at most.  Served as a published tree keeps them (full tiles and
 * the partial ones of its size only), a proof whose partial tile is gone
 * reads the full tile instead; one whose tile is neither is not found.
 * A tile of another length is refused (ST_CORRUPT); a tile with a hash
 * changed makes a proof that does not verify.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/merkle.h"
#include "core/tile.h"
#include "lib/testlog.h"
#include "net/fetch.h"
#include "net/tilereader.h"

/* Level-2 tile 0 of width 2, level-1 tile 2 of width 1, level-0 tile
 * 513 of width 44. */
#define N (2 * 65536 + 300)

static uint8_t (*stored)[HASH_LEN]; /* the tree's stored hashes */
static unsigned port;
static struct tl_responder *resp;

/* What the responder serves: the tiles of the tree of served leaves;
 * with live, every partial width up to the tree's, else only the full
 * tiles and the partial ones at the tree's edge.  flip: a hash tile
 * served with a bit changed (level, n), cut: served one byte short. */
static struct {
	int64_t served;
	bool live;
	int flip_level;
	int64_t flip_n;
	bool cut;
	int64_t requests;
} srv;

static enum status mem_reader(void *ctx, const int64_t *indexes, size_t count,
			      uint8_t (*out)[HASH_LEN])
{
	(void)ctx;
	for (size_t i = 0; i < count; i++)
		memcpy(out[i], stored[indexes[i]], HASH_LEN);
	return ST_OK;
}

static void reply(int fd, const char *status, const uint8_t *body, size_t len)
{
	char head[256];
	snprintf(head, sizeof head,
		 "HTTP/1.1 %s\r\nConnection: close\r\nContent-Length: "
		 "%zu\r\n\r\n",
		 status, len);
	tl_write(fd, head, strlen(head));
	tl_write(fd, body, len);
}

static void respond(void *ctx, const char *head, size_t len, int fd)
{
	(void)ctx;
	(void)len;
	char path[512];
	struct tile t;
	static uint8_t body[TILE_WIDTH * HASH_LEN];
	srv.requests++;
	if (sscanf(head, "GET /log/tile/%500s ", path) != 1 ||
	    !tile_parse(path, &t) || t.entries) {
		reply(fd, "404 Not Found", (const uint8_t *)"no\n", 3);
		return;
	}
	int have = tile_width(t.level, t.n, srv.served);
	if (t.width > have ||
	    (!srv.live && t.width != have && t.width != TILE_WIDTH)) {
		reply(fd, "404 Not Found", (const uint8_t *)"no\n", 3);
		return;
	}
	for (int k = 0; k < t.width; k++)
		memcpy(body + (size_t)k * HASH_LEN,
		       stored[merkle_stored_index(8 * t.level,
						  t.n * TILE_WIDTH + k)],
		       HASH_LEN);
	size_t n = (size_t)t.width * HASH_LEN;
	if (t.level == srv.flip_level && t.n == srv.flip_n)
		body[0] ^= 1;
	reply(fd, "200 OK", body, srv.cut ? n - 1 : n);
}

static int setup(void **state)
{
	(void)state;
	struct merkle_range mr;
	uint8_t leaf[HASH_LEN], add[MERKLE_MAX_PROOF][HASH_LEN];
	size_t count = 0;
	stored = malloc((size_t)merkle_stored_count(N) * HASH_LEN);
	assert_non_null(stored);
	merkle_range_init(&mr);
	for (int64_t i = 0; i < N; i++) {
		char text[32];
		int len = snprintf(text, sizeof text, "entry %" PRId64, i);
		merkle_leaf_hash(leaf, text, (size_t)len);
		merkle_range_push(&mr, leaf, add, &count);
		memcpy(stored[merkle_stored_count(i)], add, count * HASH_LEN);
	}
	srv.flip_level = -1;
	resp = tl_responder_start(respond, NULL, &port);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tl_responder_stop(resp);
	free(stored);
	return 0;
}

/* The proof from old to size through the tiles, into proof, *len; the
 * reader's status, its tiles fetched into *fetched. */
static enum status tiled(int64_t old, int64_t size, uint8_t (*proof)[HASH_LEN],
			 size_t *len, int64_t *fetched, struct err *e)
{
	char base[64];
	struct fetch *f = NULL;
	struct tile_reader *r = malloc(sizeof *r);
	assert_non_null(r);
	snprintf(base, sizeof base, "http://127.0.0.1:%u/log", port);
	assert_int_equal(fetch_new(NULL, &f, e), ST_OK);
	tile_reader_init(r, f, base, size);
	enum status st = merkle_prove_consistency(old, size, tile_reader_read,
						  r, proof, len);
	*e = r->err;
	if (fetched != NULL)
		*fetched = r->fetched;
	free(r);
	fetch_free(f);
	return st;
}

static const int64_t sizes[] = {
	1,
	2,
	3,
	7,
	8,
	255,
	256,
	257,
	300,
	511,
	512,
	513,
	1000,
	65535,
	65536,
	65537,
	65536 + 777,
	2 * 65536,
	2 * 65536 + 1,
	N - 1,
	N,
};
#define NSIZES (sizeof sizes / sizeof sizes[0])

/* The proof from the tiles is the stored hashes' one. */
static void same_proof(int64_t old, int64_t size)
{
	uint8_t want[MERKLE_MAX_PROOF][HASH_LEN],
		got[MERKLE_MAX_PROOF][HASH_LEN];
	size_t wlen = 0, glen = 0;
	int64_t fetched = 0;
	struct err e = {{0}};
	assert_int_equal(merkle_prove_consistency(old, size, mem_reader, NULL,
						  want, &wlen),
			 ST_OK);
	enum status st = tiled(old, size, got, &glen, &fetched, &e);
	if (st != ST_OK)
		fail_msg("%" PRId64 " -> %" PRId64 ": %s", old, size, e.msg);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen * HASH_LEN);
	/* at most two tiles a level, each once */
	assert_true(fetched <= 2 * 3);
}

static void test_live(void **state)
{
	(void)state;
	srv.served = N;
	srv.live = true;
	for (size_t i = 0; i < NSIZES; i++)
		for (size_t j = i + 1; j < NSIZES; j++)
			same_proof(sizes[i], sizes[j]);
	/* and sizes on no boundary */
	for (int64_t old = 1; old < N; old = old * 3 + 17)
		for (int64_t size = old + 1; size <= N; size = size * 2 + 5)
			same_proof(old, size);
}

static void test_published(void **state)
{
	(void)state;
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t len = 0;
	struct err e;
	srv.served = N;
	srv.live = false;
	/* The tree's own size: its partial tiles. */
	for (size_t i = 0; i + 1 < NSIZES; i++)
		same_proof(sizes[i], N);
	/* An older size whose partial tiles are gone now that they are
	 * full: 65536 + 777 reads level-0 tile 259 and level-1 tile 1
	 * full. */
	same_proof(300, 65536 + 777);
	same_proof(65535, 65536 + 777);
	/* One whose partial tile is partial still, with another width: not
	 * found, no proof. */
	assert_int_equal(tiled(300, N - 1, proof, &len, NULL, &e),
			 ST_NOT_FOUND);
	assert_non_null(strstr(e.msg, "/log/tile/0/513"));
}

static void test_hostile(void **state)
{
	(void)state;
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	uint8_t old_root[HASH_LEN], root[HASH_LEN];
	size_t len = 0;
	struct err e;
	srv.served = N;
	srv.live = true;
	srv.cut = true;
	assert_int_equal(tiled(1000, N, proof, &len, NULL, &e), ST_CORRUPT);
	assert_non_null(strstr(e.msg, "not the"));
	srv.cut = false;
	assert_int_equal(merkle_tree_hash(1000, mem_reader, NULL, old_root),
			 ST_OK);
	assert_int_equal(merkle_tree_hash(N, mem_reader, NULL, root), ST_OK);
	assert_int_equal(tiled(1000, N, proof, &len, NULL, &e), ST_OK);
	assert_int_equal(
		merkle_verify_consistency(1000, N, old_root, root, proof, len),
		ST_OK);
	/* A hash of level-1 tile 0 changed: the proof does not verify. */
	srv.flip_level = 1;
	srv.flip_n = 0;
	assert_int_equal(tiled(1000, N, proof, &len, NULL, &e), ST_OK);
	assert_int_equal(
		merkle_verify_consistency(1000, N, old_root, root, proof, len),
		ST_BAD_SIGNATURE);
	srv.flip_level = -1;
	/* A size the tree does not have: its tiles are not found. */
	srv.served = 1000;
	assert_int_equal(tiled(300, N, proof, &len, NULL, &e), ST_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_published),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
