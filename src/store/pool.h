/*
 * pool.h: read-only connections to the database for the server's
 * handlers, one per thread at a time.
 *
 * A struct store is used by one thread at a time and keeps its own cache
 * of stored hashes, so the handlers never share one: each takes a
 * connection from the pool for the length of one handler call and gives
 * it back.  Connections are opened when first needed, up to a maximum;
 * past it, a taker waits for one to be given back.
 */
#ifndef SANILOG_POOL_H
#define SANILOG_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"
#include "store/store.h"

struct store_pool;

/* A pool of at most max read-only connections to path (copied).  Opens
 * one at once, so that a database that cannot be read is reported here.
 * With tree_bytes > 0 the connections share a cache of the log's stored
 * hashes of at most that size (store/treecache.h), which a thread of the
 * pool's loads meanwhile (the readers find in the database what it does
 * not hold yet; store_pool_sync extends it after); when it cannot be
 * loaded, a line on stderr says why.  *out is new (free with
 * store_pool_free, which stops the load). */
enum status store_pool_new(const char *path, size_t max, size_t tree_bytes,
			   struct store_pool **out, struct err *e);

/* Brings the shared hash cache up to the log that s (one of the pool's,
 * in its read transaction) sees.  False when it could not (another thread
 * was extending it, or the database failed): the caller tries again
 * later. */
bool store_pool_sync(struct store_pool *p, struct store *s);

/* Every connection must have been given back.  Accepts NULL. */
void store_pool_free(struct store_pool *p);

/* A connection for the calling thread (borrowed until store_pool_give).
 * NULL when none can be opened; e says why. */
struct store *store_pool_take(struct store_pool *p, struct err *e);

/* Gives s back.  broken: s failed in a way that may last (it is closed,
 * and a new one opened when needed).  Accepts NULL. */
void store_pool_give(struct store_pool *p, struct store *s, bool broken);

/* The hash cache's leaves and memory (0 without one). */
int64_t store_pool_tree_leaves(const struct store_pool *p);
size_t store_pool_tree_bytes(const struct store_pool *p);

#endif
