/*
 * pool.c: a mutex-guarded stack of read-only store connections.
 */
#include "pool.h"

#include <pthread.h>
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
};

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
	struct err ce;
	if (p->tree != NULL &&
	    store_sync_tree_cache(p->free[0], p->tree, true, &ce) != ST_OK) {
		/* Proofs read the database as before, and report there
		 * whatever is wrong with it. */
		fprintf(stderr,
			"sanilog: serve: no hash cache for proofs: %s: %s\n",
			path, ce.msg);
		store_use_tree_cache(p->free[0], NULL);
		tree_cache_free(p->tree);
		p->tree = NULL;
	}
	*out = p;
	return ST_OK;
}

bool store_pool_sync(struct store_pool *p, struct store *s)
{
	struct err e;
	return p->tree == NULL ||
	       store_sync_tree_cache(s, p->tree, false, &e) == ST_OK;
}

void store_pool_free(struct store_pool *p)
{
	if (p == NULL)
		return;
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
