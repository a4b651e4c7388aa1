/*
 * treecache.c: stored hashes in stored-index order, in chunks of CHUNK
 * hashes that never move, so that a lookup needs no lock: it reads
 * `stored` (how far the cache goes, published with release ordering
 * after the chunks are written) and then the chunk.
 */
#include "treecache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/merkle.h"

#define CHUNK_BITS 16
#define CHUNK	   ((int64_t)1 << CHUNK_BITS)
_Static_assert(CHUNK *HASH_LEN == TREE_CACHE_CHUNK_BYTES, "chunk size");
/* Stored hashes of TREE_CACHE_MAX_LEAVES leaves: fewer than twice as
 * many. */
#define CHUNKS (2 * TREE_CACHE_MAX_LEAVES / CHUNK)

struct tree_cache {
	pthread_mutex_t grow;
	int64_t max_leaves;
	_Atomic int64_t stored; /* stored indexes below this are cached */
	_Atomic int64_t leaves;
	_Atomic int64_t chunks_used; /* allocated, written under grow */
	uint8_t (*chunk[CHUNKS])[HASH_LEN];
};

struct tree_cache *tree_cache_new(size_t max_bytes)
{
	struct tree_cache *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	pthread_mutex_init(&c->grow, NULL);
	/* A leaf stores fewer than two hashes; whole chunks are allocated. */
	int64_t hashes = (int64_t)(max_bytes / HASH_LEN) / CHUNK * CHUNK;
	c->max_leaves = hashes / 2 < TREE_CACHE_MAX_LEAVES
				? hashes / 2
				: TREE_CACHE_MAX_LEAVES;
	return c;
}

void tree_cache_free(struct tree_cache *c)
{
	if (c == NULL)
		return;
	int64_t used =
		atomic_load_explicit(&c->chunks_used, memory_order_relaxed);
	for (int64_t i = 0; i < used; i++)
		free(c->chunk[i]);
	pthread_mutex_destroy(&c->grow);
	free(c);
}

bool tree_cache_get(const struct tree_cache *c, int64_t index,
		    uint8_t out[HASH_LEN])
{
	if (index < 0 ||
	    index >= atomic_load_explicit(&c->stored, memory_order_acquire))
		return false;
	memcpy(out, c->chunk[index >> CHUNK_BITS][index & (CHUNK - 1)],
	       HASH_LEN);
	return true;
}

/* Reads the stored hashes of leaves [from, to) into the cache, a chunk
 * at a time; the caller holds c->grow. */
static enum status extend(struct tree_cache *c, int64_t from, int64_t to,
			  tree_cache_read_fn read, void *ctx, struct err *e)
{
	int64_t first = merkle_stored_count(from);
	int64_t end = merkle_stored_count(to);
	/* Room first, so that nothing fails half-way through. */
	int64_t used =
		atomic_load_explicit(&c->chunks_used, memory_order_relaxed);
	for (; used < (end + CHUNK - 1) / CHUNK; used++) {
		if ((c->chunk[used] = malloc(CHUNK * HASH_LEN)) == NULL)
			return err_set(e, ST_NOMEM, "out of memory");
		atomic_store_explicit(&c->chunks_used, used + 1,
				      memory_order_relaxed);
	}

	for (int64_t want = first; want < end;) {
		int64_t stop = (want / CHUNK + 1) * CHUNK;
		if (stop > end)
			stop = end;
		enum status r = read(
			ctx, want, (size_t)(stop - want),
			&c->chunk[want >> CHUNK_BITS][want & (CHUNK - 1)], e);
		if (r != ST_OK)
			return r;
		want = stop;
	}
	atomic_store_explicit(&c->leaves, to, memory_order_relaxed);
	atomic_store_explicit(&c->stored, end, memory_order_release);
	return ST_OK;
}

enum status tree_cache_extend(struct tree_cache *c, int64_t leaves, bool wait,
			      tree_cache_read_fn read, void *ctx, struct err *e)
{
	enum status r = ST_OK;
	if (leaves > c->max_leaves)
		leaves = c->max_leaves;
	if (leaves <= atomic_load_explicit(&c->leaves, memory_order_relaxed))
		return ST_OK;
	if (wait)
		pthread_mutex_lock(&c->grow);
	else if (pthread_mutex_trylock(&c->grow) != 0)
		return err_set(e, ST_BUSY, "another thread is extending it");
	int64_t have = atomic_load_explicit(&c->leaves, memory_order_relaxed);
	if (leaves > have)
		r = extend(c, have, leaves, read, ctx, e);
	pthread_mutex_unlock(&c->grow);
	return r;
}

int64_t tree_cache_leaves(const struct tree_cache *c)
{
	return atomic_load_explicit(&c->leaves, memory_order_relaxed);
}

size_t tree_cache_bytes(const struct tree_cache *c)
{
	int64_t used =
		atomic_load_explicit(&c->chunks_used, memory_order_relaxed);
	return sizeof *c + (size_t)used * TREE_CACHE_CHUNK_BYTES;
}
