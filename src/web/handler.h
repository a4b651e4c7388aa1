/*
 * handler.h: what the route files of the web service (routes.c, tiles.c,
 * api.c, owner.c) share beside the app's state (app.h): a read handler's
 * pooled connection and read transaction, and the replies to failures of
 * the server and of the store, worded once for every route.
 */
#ifndef SANILOG_HANDLER_H
#define SANILOG_HANDLER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "base/words.h"
#include "store/store.h"
#include "web/http.h"

/* A read handler: runs with a pooled read connection in one read
 * transaction. */
typedef void (*web_read_fn)(struct http_request *rq, struct store *s);
enum http_next web_with_store(struct http_request *rq, web_read_fn fn);

/* Replies with a failure of the server itself: 503 when busy, out of
 * memory or the disk is full, else 500, whatever st says (a limit of the
 * server's own, such as ST_TOO_LARGE from a renderer, is no fault of the
 * request): the client learns no more; what and detail go to the server's
 * log. */
void web_reply_internal(struct http_request *rq, enum status st,
			const char *what, const char *detail);

/* Replies with a failure of a store call (503 when busy, out of memory or
 * the disk is full, 404 for ST_NOT_FOUND, else 500); e, if not NULL, has
 * the details for the server's log. */
void web_reply_store_error(struct http_request *rq, enum status st,
			   const struct err *e);

/* The page of a venue's history the request asks for (pages.h,
 * PAGES_HISTORY): ?before=<venue-seq>, a canonical decimal, in *before;
 * -1 when there is none.  False, with a 400 reply set, when it is not a
 * number. */
bool web_query_before(struct http_request *rq, int64_t *before);

/* The language of the page rq asks for: its "lang" query parameter when it
 * names one of ours, else its Accept-Language (base/words.h). */
enum lang web_lang(const struct http_request *rq);

#endif
