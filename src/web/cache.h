/*
 * cache.h: whole responses kept for reuse (the venue pages and bundles,
 * which take a render each but change only when the log does).
 *
 * An entry is found by a text key and is fresh while the caller's
 * generation number is the one it was made at and it is younger than the
 * cache's time to live (which bounds how long a change made by another
 * process, such as the CLI, goes unseen).  An entry keeps its
 * gzip-compressed variant too (http_reply_share), so a hit costs no
 * compression whatever the client takes.  Slots are direct-mapped by
 * the key's hash; a newcomer replaces what was there.  Thread-safe.
 */
#ifndef SANILOG_CACHE_H
#define SANILOG_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "web/http.h"

#define CACHE_KEY_MAX 64

struct page_cache;

/* A cache of `slots` entries living ttl_ms each.  *out is new. */
enum status page_cache_new(size_t slots, unsigned ttl_ms,
			   struct page_cache **out);

/* Frees every entry.  No request may be sending one (stop the server
 * first).  Accepts NULL. */
void page_cache_free(struct page_cache *c);

/* Sends the entry for key as rq's reply if there is a fresh one (made at
 * generation gen); true when it did. */
bool page_cache_serve(struct page_cache *c, struct http_request *rq,
		      const char *key, uint64_t gen);

/* Keeps the reply set on rq (http_reply_share) under key, made at
 * generation gen.  Nothing unless rq's reply is a 200 not yet shared. */
void page_cache_put(struct page_cache *c, struct http_request *rq,
		    const char *key, uint64_t gen);

#endif
