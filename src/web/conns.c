/*
 * conns.c: the open connections, counted by client address, and the
 * thread that closes those whose request is late (see conns.h).
 *
 * Every connection is on one list, which the thread walks each tick;
 * those that count against an address are also on the chain of that
 * address's bucket, so that counting an address walks its bucket only.
 * One lock guards both; a deadline is an atomic of its own, moved
 * without the lock by the threads that serve the connection.
 */
#include "conns.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBUCKETS 4096 /* a power of two */

/* An address as bytes: the family's, then the IPv4 or IPv6 address. */
struct addr_key {
	uint8_t len;
	uint8_t b[1 + 16];
};

struct conn {
	struct conn *prev, *next;   /* every connection */
	struct conn *kprev, *knext; /* its bucket's chain, when keyed */
	bool keyed;		    /* counts against key */
	bool proxied;		    /* from the trusted proxy */
	bool reaped;		    /* shut down past its deadline */
	struct addr_key key;
	int fd;
	atomic_int_fast64_t deadline_ms;
};

struct conns {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* CLOCK_MONOTONIC */
	pthread_t thread;
	bool started, stopping;
	unsigned per_address, tick_ms;
	bool has_proxy;
	struct addr_key proxy;
	struct conn *all;
	struct conn *buckets[NBUCKETS];
	uint64_t refused, timed_out;
};

int64_t conns_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The key of an IPv4 or IPv6 address; an empty one for another. */
static struct addr_key key_of(const struct sockaddr *sa)
{
	struct addr_key k = {0};
	if (sa == NULL)
		return k;
	k.b[0] = (uint8_t)sa->sa_family;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)sa;
		memcpy(k.b + 1, &a->sin_addr, 4);
		k.len = 1 + 4;
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)sa;
		memcpy(k.b + 1, &a->sin6_addr, 16);
		k.len = 1 + 16;
	}
	return k;
}

static bool key_eq(const struct addr_key *a, const struct addr_key *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static size_t bucket_of(const struct addr_key *k)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < k->len; i++)
		h = (h ^ k->b[i]) * 1099511628211ull;
	return (size_t)(h & (NBUCKETS - 1));
}

bool conns_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	struct addr_key ka = key_of(a), kb = key_of(b);
	return ka.len > 0 && key_eq(&ka, &kb);
}

/* Connections that count against k, up to stop.  Under the lock. */
static unsigned count_locked(const struct conns *t, const struct addr_key *k,
			     unsigned stop)
{
	unsigned n = 0;
	for (const struct conn *c = t->buckets[bucket_of(k)];
	     c != NULL && n < stop; c = c->knext)
		if (key_eq(&c->key, k))
			n++;
	return n;
}

/* Makes c count against k.  Under the lock. */
static void key_link(struct conns *t, struct conn *c, const struct addr_key *k)
{
	struct conn **head = &t->buckets[bucket_of(k)];
	c->key = *k;
	c->keyed = true;
	c->kprev = NULL;
	c->knext = *head;
	if (*head != NULL)
		(*head)->kprev = c;
	*head = c;
}

/* Makes c count against no address.  Under the lock. */
static void key_unlink(struct conns *t, struct conn *c)
{
	if (!c->keyed)
		return;
	if (c->kprev != NULL)
		c->kprev->knext = c->knext;
	else
		t->buckets[bucket_of(&c->key)] = c->knext;
	if (c->knext != NULL)
		c->knext->kprev = c->kprev;
	c->kprev = c->knext = NULL;
	c->keyed = false;
}

/* Shuts down the connections past their deadline.  Under the lock: a
 * connection on the list has not had its socket closed yet
 * (conns_close comes first). */
static void reap_locked(struct conns *t, int64_t now)
{
	for (struct conn *c = t->all; c != NULL; c = c->next) {
		int64_t d = atomic_load(&c->deadline_ms);
		if (d == 0 || now < d || c->reaped)
			continue;
		c->reaped = true;
		t->timed_out++;
		shutdown(c->fd, SHUT_RDWR);
	}
}

static void *reaper_main(void *arg)
{
	struct conns *t = arg;
	pthread_mutex_lock(&t->lock);
	while (!t->stopping) {
		int64_t at = conns_now_ms() + t->tick_ms;
		struct timespec ts = {.tv_sec = at / 1000,
				      .tv_nsec = (long)(at % 1000) * 1000000};
		while (!t->stopping &&
		       pthread_cond_timedwait(&t->wake, &t->lock, &ts) !=
			       ETIMEDOUT)
			;
		if (!t->stopping)
			reap_locked(t, conns_now_ms());
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

enum status conns_new(unsigned per_address, unsigned tick_ms,
		      const struct sockaddr_storage *proxy, struct conns **out)
{
	pthread_condattr_t ca;
	struct conns *t = calloc(1, sizeof *t);
	*out = NULL;
	if (t == NULL)
		return ST_NOMEM;
	t->per_address = per_address;
	t->tick_ms = tick_ms > 0 ? tick_ms : 1;
	if (proxy != NULL) {
		t->has_proxy = true;
		t->proxy = key_of((const struct sockaddr *)proxy);
	}
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&t->thread, NULL, reaper_main, t) != 0) {
		conns_free(t);
		return ST_IO;
	}
	t->started = true;
	*out = t;
	return ST_OK;
}

void conns_free(struct conns *t)
{
	if (t == NULL)
		return;
	if (t->started) {
		pthread_mutex_lock(&t->lock);
		t->stopping = true;
		pthread_cond_signal(&t->wake);
		pthread_mutex_unlock(&t->lock);
		pthread_join(t->thread, NULL);
	}
	while (t->all != NULL)
		conns_close(t, t->all); /* none should be left */
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

bool conns_admit(struct conns *t, const struct sockaddr *addr)
{
	struct addr_key k = key_of(addr);
	if (t->per_address == 0 || (t->has_proxy && key_eq(&k, &t->proxy)))
		return true;
	pthread_mutex_lock(&t->lock);
	bool ok = count_locked(t, &k, t->per_address) < t->per_address;
	if (!ok)
		t->refused++;
	pthread_mutex_unlock(&t->lock);
	return ok;
}

struct conn *conns_open(struct conns *t, int fd, const struct sockaddr *addr,
			int64_t deadline_ms)
{
	struct conn *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	struct addr_key k = key_of(addr);
	c->fd = fd;
	c->proxied = t->has_proxy && key_eq(&k, &t->proxy);
	atomic_init(&c->deadline_ms, deadline_ms);
	pthread_mutex_lock(&t->lock);
	if (!c->proxied)
		key_link(t, c, &k);
	c->next = t->all;
	if (t->all != NULL)
		t->all->prev = c;
	t->all = c;
	pthread_mutex_unlock(&t->lock);
	return c;
}

void conns_close(struct conns *t, struct conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	key_unlink(t, c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		t->all = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&t->lock);
	free(c);
}

void conns_deadline(struct conn *c, int64_t deadline_ms)
{
	if (c != NULL)
		atomic_store(&c->deadline_ms, deadline_ms);
}

bool conns_forwarded(struct conns *t, struct conn *c,
		     const struct sockaddr_storage *client)
{
	if (c == NULL || !c->proxied)
		return true;
	struct addr_key k = key_of((const struct sockaddr *)client);
	bool ok = true;
	pthread_mutex_lock(&t->lock);
	key_unlink(t, c);
	if (t->per_address > 0 &&
	    count_locked(t, &k, t->per_address) >= t->per_address)
		ok = false;
	else
		key_link(t, c, &k);
	pthread_mutex_unlock(&t->lock);
	return ok;
}

void conns_forwarded_done(struct conns *t, struct conn *c)
{
	if (c == NULL || !c->proxied)
		return;
	pthread_mutex_lock(&t->lock);
	key_unlink(t, c);
	pthread_mutex_unlock(&t->lock);
}

void conns_stats(struct conns *t, uint64_t *refused, uint64_t *timed_out)
{
	pthread_mutex_lock(&t->lock);
	*refused = t->refused;
	*timed_out = t->timed_out;
	pthread_mutex_unlock(&t->lock);
}
