/*
 * ratelimit.c: a leaky bucket per address in a direct-mapped table.
 */
#include "ratelimit.h"

#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 4096

struct slot {
	uint8_t key[17]; /* family byte, then up to 16 address bytes */
	double level;
	double at; /* seconds (monotonic) when level was computed */
};

struct ratelimit {
	pthread_mutex_t lock;
	unsigned burst;
	double drain;
	struct slot slots[SLOTS];
};

enum status ratelimit_new(unsigned burst, double drain, struct ratelimit **out)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);
	*out = NULL;
	if (rl == NULL)
		return ST_NOMEM;
	rl->burst = burst > 0 ? burst : 1;
	rl->drain = drain > 0 ? drain : 1;
	pthread_mutex_init(&rl->lock, NULL);
	*out = rl;
	return ST_OK;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The address's key (IPv4-mapped IPv6 counts as IPv4). */
static void addr_key(const struct sockaddr *sa, uint8_t key[17])
{
	memset(key, 0, 17);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		key[0] = 4;
		memcpy(key + 1, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		const uint8_t *a = in6->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
						   0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(a, mapped, 12) == 0) {
			key[0] = 4;
			memcpy(key + 1, a + 12, 4);
		} else {
			key[0] = 6;
			/* One slot per /64: a host owns a whole /64. */
			memcpy(key + 1, a, 8);
		}
	}
}

/* The slot of key with its level drained to now (a fresh slot if the
 * key is not there).  Called with the lock held. */
static struct slot *find(struct ratelimit *rl, const uint8_t key[17],
			 double now)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (int i = 0; i < 17; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	struct slot *s = &rl->slots[h % SLOTS];
	if (memcmp(s->key, key, 17) != 0) {
		memcpy(s->key, key, 17);
		s->level = 0;
		s->at = now;
	}
	s->level -= (now - s->at) / rl->drain;
	if (s->level < 0)
		s->level = 0;
	s->at = now;
	return s;
}

bool ratelimit_blocked(struct ratelimit *rl, const struct sockaddr *addr,
		       unsigned *retry_after)
{
	uint8_t key[17];
	addr_key(addr, key);
	pthread_mutex_lock(&rl->lock);
	struct slot *s = find(rl, key, now_s());
	bool blocked = s->level > (double)rl->burst - 1;
	if (blocked) {
		double wait = (s->level - ((double)rl->burst - 1)) * rl->drain;
		*retry_after = (unsigned)ceil(wait);
		if (*retry_after < 1)
			*retry_after = 1;
	}
	pthread_mutex_unlock(&rl->lock);
	return blocked;
}

void ratelimit_fail(struct ratelimit *rl, const struct sockaddr *addr)
{
	uint8_t key[17];
	addr_key(addr, key);
	pthread_mutex_lock(&rl->lock);
	struct slot *s = find(rl, key, now_s());
	s->level += 1;
	pthread_mutex_unlock(&rl->lock);
}
