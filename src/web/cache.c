/*
 * cache.c: a direct-mapped table of shared responses, a mutex a slot.
 */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slot {
	pthread_mutex_t lock;
	char key[CACHE_KEY_MAX];
	uint64_t gen;
	int64_t born_ms;
	struct http_shared *sh; /* NULL: empty */
};

struct page_cache {
	size_t n;
	int64_t ttl_ms;
	struct slot *slots;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct slot *slot_of(struct page_cache *c, const char *key)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const char *p = key; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	return &c->slots[h % c->n];
}

enum status page_cache_new(size_t slots, unsigned ttl_ms,
			   struct page_cache **out)
{
	struct page_cache *c = calloc(1, sizeof *c);
	*out = NULL;
	if (slots == 0)
		slots = 1;
	if (c == NULL || (c->slots = calloc(slots, sizeof *c->slots)) == NULL) {
		free(c);
		return ST_NOMEM;
	}
	c->n = slots;
	c->ttl_ms = ttl_ms;
	for (size_t i = 0; i < slots; i++)
		pthread_mutex_init(&c->slots[i].lock, NULL);
	*out = c;
	return ST_OK;
}

void page_cache_free(struct page_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		http_shared_free(c->slots[i].sh);
		pthread_mutex_destroy(&c->slots[i].lock);
	}
	free(c->slots);
	free(c);
}

bool page_cache_serve(struct page_cache *c, struct http_request *rq,
		      const char *key, uint64_t gen)
{
	struct slot *s = slot_of(c, key);
	bool sent = false;
	pthread_mutex_lock(&s->lock);
	if (s->sh != NULL && s->gen == gen && strcmp(s->key, key) == 0 &&
	    now_ms() - s->born_ms < c->ttl_ms)
		sent = http_reply_shared(rq, s->sh);
	pthread_mutex_unlock(&s->lock);
	return sent;
}

void page_cache_put(struct page_cache *c, struct http_request *rq,
		    const char *key, uint64_t gen)
{
	if (strlen(key) >= CACHE_KEY_MAX)
		return;
	if (http_reply_status(rq) != 200)
		return; /* errors are not kept */
	struct http_shared *sh = http_reply_share(rq);
	if (sh == NULL)
		return;
	struct slot *s = slot_of(c, key);
	pthread_mutex_lock(&s->lock);
	struct http_shared *old = s->sh;
	memcpy(s->key, key, strlen(key) + 1);
	s->gen = gen;
	s->born_ms = now_ms();
	s->sh = sh;
	pthread_mutex_unlock(&s->lock);
	http_shared_free(old);
}
