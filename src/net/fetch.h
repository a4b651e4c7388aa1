/*
 * fetch.h: HTTP(S) GET with libcurl, bounded in every way a remote server
 * could abuse: connect and total timeouts, a stall timeout, a size cap on
 * every body (checked against Content-Length before the body and on every
 * byte received, so an endless body without Content-Length is cut off at
 * the cap), a redirect limit, only http and https, never a redirect from
 * https to http, and TLS verification always on.
 *
 * A struct fetch keeps one connection alive between requests to the same
 * host (a verifier asks one server many things).  Not thread-safe: one
 * fetch per thread.
 */
#ifndef SANILOG_FETCH_H
#define SANILOG_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"
#include "core/buf.h"

#define FETCH_URL_MAX 4096 /* longest URL fetch_get takes */

struct fetch_options {
	long connect_timeout_ms; /* 0: 10 s */
	long timeout_ms;	 /* a whole transfer; 0: 300 s */
	long stall_s;		 /* abort a transfer that gets no byte for
				    this long; 0: 30 s */
	int max_redirects;	 /* 0: 5; negative: none followed */
	bool progress;		 /* a progress line on stderr for transfers
				    taking over a second (the caller decides,
				    e.g. isatty(2)) */
};

struct fetch; /* opaque */

/*
 * A new fetcher (o may be NULL for the defaults).  *out is new; free it
 * with fetch_free.  ST_NOMEM or ST_INTERNAL (libcurl cannot start) with e.
 */
enum status fetch_new(const struct fetch_options *o, struct fetch **out,
		      struct err *e);

/* Accepts NULL.  Closes the kept connections. */
void fetch_free(struct fetch *f);

/*
 * GETs url and appends the body of a 200 answer to out, at most the room
 * out->cap leaves (out->cap - out->len bytes).  Returns
 *   ST_OK         the whole body was appended;
 *   ST_NOT_FOUND  the server answered 404 or 410;
 *   ST_INVALID    the server refused the request with another 4xx
 *                 (429 aside), or url is not an http:// or https:// URL;
 *   ST_RATE_LIMITED  429;
 *   ST_TOO_LARGE  the body is longer than the room in out (the transfer
 *                 is aborted as soon as that is known);
 *   ST_IO         anything else: no such host, connection refused,
 *                 timeout, stalled, TLS failure, too many redirects, a
 *                 redirect to another scheme, a body shorter than its
 *                 Content-Length, another HTTP status (5xx, 3xx);
 *   ST_NOMEM.
 * e says what happened, naming the URL; for an HTTP status, with the
 * server's JSON error message (or first line of text), reduced to
 * printable ASCII.  On failure out is unaltered.
 */
enum status fetch_get(struct fetch *f, const char *url, struct buf *out,
		      struct err *e);

/* The URL of request i (NUL-terminated, at most urlsize bytes). */
typedef enum status (*fetch_url_fn)(void *ctx, size_t i, char *url,
				    size_t urlsize, struct err *e);

/* Request i's body (borrowed: valid during the call).  A status other
 * than ST_OK stops fetch_get_many, which returns it. */
typedef enum status (*fetch_body_fn)(void *ctx, size_t i, const uint8_t *body,
				     size_t len, struct err *e);

/*
 * GETs the n URLs that url(ctx, i, ...) gives, for i = 0 .. n-1, with up
 * to `parallel` transfers at once (1 to 16), and hands each body to
 * body(ctx, i, ...) in the order of i, so that a caller consumes them as
 * a stream.  Each body is capped at cap bytes; at most `parallel` bodies
 * are held at once.  Each request fails as fetch_get says; the first
 * failure (in the order of i) stops the whole run and is returned with e.
 */
enum status fetch_get_many(struct fetch *f, size_t n, size_t cap, int parallel,
			   fetch_url_fn url, fetch_body_fn body, void *ctx,
			   struct err *e);

#endif
