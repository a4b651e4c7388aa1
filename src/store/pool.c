/*
 * pool.c: a mutex-guarded stack of read-only store connections.
 */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/treecache.h"

struct store_pool {
	pthread_mutex_t lock;
	pthread_cond_t given;
	char *path;
	size_t max;
	size_t open; /* connections opened and not closed */
	size_t nfree;
	struct store **free;	 /* max slots; [0, nfree) are idle */
	struct tree_cache *tree; /* shared by the connections, or NULL */
	pthread_t loader;	 /* loads tree, when started */
	bool loading;
	atomic_bool stop;   /* the loader is to stop */
	atomic_bool loaded; /* the loader is done */
};

/* The loader extends the hash cache by this many leaves at a time, and
 * looks between two whether it is to stop. */
#define LOAD_STEP_LEAVES ((int64_t)1 << 18)

/* How much of the database a reader maps: proofs, tiles and pages look up
 * hashes and rows all over the file, and a map spares each a read call. */
#define READER_MAP_BYTES ((int64_t)1 << 30)

/* A read-only connection, as the pool's readers use them. */
static enum status open_reader(const struct store_pool *p, struct store **out,
			       struct err *e)
{
	enum status r = store_open(p->path, STORE_READONLY, out, e);
	if (r != ST_OK)
		return r;
	struct err why;
	if ((r = store_map(*out, READER_MAP_BYTES, &why)) != ST_OK) {
		err_set(e, r, "%s: %s", p->path, why.msg);
		store_close(*out);
		*out = NULL;
		return r;
	}
	store_use_tree_cache(*out, p->tree);
	return ST_OK;
}

/* The loader: brings the hash cache up to the log on a connection of its
 * own, a step at a time, while the pool's readers serve (they read from
 * the database what the cache does not hold yet).  A start so is not
 * delayed by a large log, nor a stop by the load. */
static void *load_tree(void *arg)
{
	struct store_pool *p = arg;
	struct store *s = NULL;
	struct err e;
	int64_t size = 0;
	enum status r = open_reader(p, &s, &e);
	if (r == ST_OK)
		r = store_log_size(s, &size, &e);
	for (int64_t at = tree_cache_leaves(p->tree);
	     r == ST_OK && at < size && !atomic_load(&p->stop);) {
		at = size - at > LOAD_STEP_LEAVES ? at + LOAD_STEP_LEAVES
						  : size;
		r = store_extend_tree_cache(s, p->tree, at, true, &e);
	}
	/* Proofs read the database for what it lacks, and report there
	 * whatever is wrong with it. */
	if (r != ST_OK)
		fprintf(stderr,
			"sanilog: serve: the hash cache for proofs holds "
			"%lld leaves: %s: %s\n",
			(long long)tree_cache_leaves(p->tree), p->path, e.msg);
	store_close(s);
	atomic_store(&p->loaded, true);
	return NULL;
}

enum status store_pool_new(const char *path, size_t max, size_t tree_bytes,
			   struct store_pool **out, struct err *e)
{
	struct store_pool *p = calloc(1, sizeof *p);
	*out = NULL;
	if (max == 0)
		max = 1;
	if (p != NULL && (p->path = strdup(path)) != NULL)
		/* The free list holds struct store pointers: the size of one
		 * is what it is meant to be. */
		// NOLINTNEXTLINE(bugprone-sizeof-expression)
		p->free = calloc(max, sizeof *p->free);
	if (p == NULL || p->path == NULL || p->free == NULL) {
		if (p != NULL)
			free(p->path);
		free(p);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	p->max = max;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->given, NULL);
	if (tree_bytes > 0 && (p->tree = tree_cache_new(tree_bytes)) == NULL) {
		store_pool_free(p);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	enum status r = open_reader(p, &p->free[0], e);
	if (r != ST_OK) {
		store_pool_free(p);
		return r;
	}
	p->open = 1;
	p->nfree = 1;
	atomic_init(&p->stop, false);
	atomic_init(&p->loaded, false);
	if (p->tree != NULL &&
	    pthread_create(&p->loader, NULL, load_tree, p) == 0)
		p->loading = true;
	else /* the readers extend the cache as they go */
		atomic_store(&p->loaded, true);
	*out = p;
	return ST_OK;
}

bool store_pool_sync(struct store_pool *p, struct store *s)
{
	struct err e;
	if (p->tree == NULL)
		return true;
	/* not while the loader is at it: a request would take over its
	 * steps between two, and wait for the rest of the load */
	if (!atomic_load(&p->loaded))
		return false;
	return store_sync_tree_cache(s, p->tree, false, &e) == ST_OK;
}

void store_pool_free(struct store_pool *p)
{
	if (p == NULL)
		return;
	if (p->loading) {
		atomic_store(&p->stop, true);
		pthread_join(p->loader, NULL);
	}
	for (size_t i = 0; i < p->nfree; i++)
		store_close(p->free[i]);
	pthread_cond_destroy(&p->given);
	pthread_mutex_destroy(&p->lock);
	tree_cache_free(p->tree);
	free(p->free);
	free(p->path);
	free(p);
}

struct store *store_pool_take(struct store_pool *p, struct err *e)
{
	struct store *s = NULL;
	pthread_mutex_lock(&p->lock);
	while (p->nfree == 0 && p->open >= p->max)
		pthread_cond_wait(&p->given, &p->lock);
	if (p->nfree > 0) {
		s = p->free[--p->nfree];
		pthread_mutex_unlock(&p->lock);
		return s;
	}
	p->open++; /* reserve the slot, open outside the lock */
	pthread_mutex_unlock(&p->lock);
	if (open_reader(p, &s, e) != ST_OK) {
		pthread_mutex_lock(&p->lock);
		p->open--;
		pthread_cond_signal(&p->given);
		pthread_mutex_unlock(&p->lock);
		return NULL;
	}
	return s;
}

void store_pool_give(struct store_pool *p, struct store *s, bool broken)
{
	if (s == NULL)
		return;
	if (broken)
		store_close(s);
	pthread_mutex_lock(&p->lock);
	if (broken)
		p->open--;
	else
		p->free[p->nfree++] = s;
	pthread_cond_signal(&p->given);
	pthread_mutex_unlock(&p->lock);
}

int64_t store_pool_tree_leaves(const struct store_pool *p)
{
	return p->tree != NULL ? tree_cache_leaves(p->tree) : 0;
}

size_t store_pool_tree_bytes(const struct store_pool *p)
{
	return p->tree != NULL ? tree_cache_bytes(p->tree) : 0;
}
