/*
 * ratelimit.h: failed attempts per client address, with decay.
 *
 * Each address has a level that goes up by one per failure and drains
 * by one every `drain` seconds.  An address whose level has reached
 * `burst` is refused until it drains below it again.  The table has a
 * fixed number of slots (addresses hash into them; a newcomer takes over
 * a slot), so memory stays bounded whatever the traffic.  Thread-safe.
 */
#ifndef SANILOG_RATELIMIT_H
#define SANILOG_RATELIMIT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "base/status.h"

struct ratelimit;

/* *out is new (free with ratelimit_free).  burst >= 1, drain > 0. */
enum status ratelimit_new(unsigned burst, double drain, struct ratelimit **out);
void ratelimit_free(struct ratelimit *rl);

/* Whether addr is refused now; if so, *retry_after receives the seconds
 * until it is not (at least 1). */
bool ratelimit_blocked(struct ratelimit *rl, const struct sockaddr *addr,
		       unsigned *retry_after);

/* Counts a failure of addr. */
void ratelimit_fail(struct ratelimit *rl, const struct sockaddr *addr);

#endif
