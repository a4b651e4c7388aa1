/*
 * handler.c: what the route files share (handler.h).
 */
#include "handler.h"

#include "core/codec.h"
#include "web/app.h"

#include <stdatomic.h>
#include <stdio.h>

enum http_next web_with_store(struct http_request *rq, web_read_fn fn)
{
	struct web_app *a = http_app(rq);
	struct err e = {.msg = ""};
	struct store *s = store_pool_take(a->pool, &e);
	if (s == NULL) {
		web_reply_internal(rq, ST_BUSY, "database", e.msg);
		return HTTP_DONE;
	}
	enum status r = store_begin_read(s, &e);
	if (r != ST_OK) {
		web_reply_store_error(rq, r, &e);
		store_pool_give(a->pool, s, true);
		return HTTP_DONE;
	}
	/* The log has grown since the hash cache last looked: extend it
	 * (or leave it to a later request, if it cannot now). */
	uint64_t gen = web_generation(a);
	uint64_t seen = atomic_load(&a->tree_gen);
	if (seen != gen && store_pool_sync(a->pool, s))
		atomic_compare_exchange_strong(&a->tree_gen, &seen, gen);
	fn(rq, s);
	store_pool_give(a->pool, s, store_commit(s, NULL) != ST_OK);
	return HTTP_DONE;
}

/* What a client is told of a failure of the server. */
static const char *failure_text(enum status st)
{
	return st == ST_FULL ? "the server's disk is full, try again later"
			     : "internal error";
}

void web_reply_internal(struct http_request *rq, enum status st,
			const char *what, const char *detail)
{
	fprintf(stderr, "sanilog: serve: %s: %s\n", what, detail);
	if (st == ST_BUSY || st == ST_NOMEM)
		http_reply_error(rq, st, 1, "busy, try again");
	else if (st == ST_FULL)
		http_reply_error(rq, st, 0, "%s", failure_text(st));
	else
		http_reply_error(rq, ST_INTERNAL, 0, "%s", failure_text(st));
}

void web_reply_store_error(struct http_request *rq, enum status st,
			   const struct err *e)
{
	if (st == ST_BUSY)
		http_reply_error(rq, ST_BUSY, 1, "database busy, try again");
	else if (st == ST_NOT_FOUND)
		http_reply_error(rq, ST_NOT_FOUND, 0, "not found");
	else /* the details are for the operator, not the client */
		web_reply_internal(rq, st, "database",
				   e != NULL ? e->msg : status_str(st));
}

bool web_query_before(struct http_request *rq, int64_t *before)
{
	const char *v = http_query(rq, "before");
	*before = -1;
	if (v == NULL)
		return true;
	if (!dec_parse(v, before)) {
		http_reply_error(rq, ST_INVALID, 0,
				 "before: not a venue-seq (a whole number, "
				 "decimal, no sign or leading zero)");
		return false;
	}
	return true;
}

enum lang web_lang(const struct http_request *rq)
{
	return lang_negotiate(http_header(rq, "Accept-Language"),
			      http_query(rq, "lang"));
}
