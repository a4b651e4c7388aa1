/*
 * treecache.h: the log's stored hashes, in memory, shared by the threads
 * of one process.
 *
 * An inclusion proof reads one stored hash per level of the tree.  Read
 * from SQLite, each is a B-tree descent and a proof costs tens of
 * microseconds; a server that proves many leaves keeps the stored hashes
 * here instead (about 64 bytes per leaf of the log, loaded once and then
 * extended), and proves from memory.  Stored hashes never change once
 * committed, so the cache needs no invalidation: it only grows, up to a
 * budget; hashes past it are read from the database as before.
 *
 * A struct store given a cache (store_use_tree_cache) looks there first,
 * and store_sync_tree_cache (store.h) extends it from a connection: the
 * cache itself knows nothing of the store, it is given the hashes it
 * lacks by a reader.  Lookups take no lock and may run beside one
 * extension; extensions are serialised by a mutex.
 */
#ifndef SANILOG_TREECACHE_H
#define SANILOG_TREECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "core/hash.h"

/* The most leaves whose hashes a cache holds, whatever its budget (the
 * stored hashes of 2^26 leaves take 4 GiB). */
#define TREE_CACHE_MAX_LEAVES ((int64_t)1 << 26)
#define TREE_CACHE_MAX_MB     4096

/* Memory is taken in chunks of this many bytes (65,536 hashes): a budget
 * below it caches nothing. */
#define TREE_CACHE_CHUNK_BYTES ((size_t)2 << 20)

/* `sanilog serve`'s budget unless told (--proof-cache): the hashes of a
 * log of four million entries. */
#define TREE_CACHE_DEFAULT_MB 256

struct tree_cache;

/* An empty cache that will hold the stored hashes of as many leaves as
 * fit in max_bytes.  NULL when out of memory. */
struct tree_cache *tree_cache_new(size_t max_bytes);

/* No store may still use it.  Accepts NULL. */
void tree_cache_free(struct tree_cache *c);

/* Reads stored hashes first .. first+count-1, in order, into out; on
 * failure e says why. */
typedef enum status (*tree_cache_read_fn)(void *ctx, int64_t first,
					  size_t count,
					  uint8_t (*out)[HASH_LEN],
					  struct err *e);

/*
 * Extends the cache to the tree of `leaves` leaves, or as much of it as
 * its budget allows, reading only the stored hashes it lacks through
 * read(ctx, ...), in ascending runs that follow one another.  They must
 * be committed hashes: the cache keeps what it is given for good.  wait:
 * when another thread is extending the cache, wait for it and then
 * extend; otherwise return ST_BUSY at once.  On failure the cache keeps
 * what it had and e says why.
 */
enum status tree_cache_extend(struct tree_cache *c, int64_t leaves, bool wait,
			      tree_cache_read_fn read, void *ctx,
			      struct err *e);

/* Stored hash `index` into out when the cache holds it. */
bool tree_cache_get(const struct tree_cache *c, int64_t index,
		    uint8_t out[HASH_LEN]);

/* The leaves whose tree the cache holds, and the memory it uses. */
int64_t tree_cache_leaves(const struct tree_cache *c);
size_t tree_cache_bytes(const struct tree_cache *c);

#endif
