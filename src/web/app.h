/*
 * app.h: the web service of `sanilog serve`: the HTTP server (http.h)
 * with sanilog's routes, read connections (store/pool.h), the one writer
 * (writer.h) and the limit on failed owner logins (ratelimit.h).
 *
 * Routes (the table web_routes in routes.c, which serves the read routes;
 * tiles in tiles.c, the owner API in api.c, the owner's pages in owner.c):
 *   GET  /                               home page (pages_index)
 *   GET  /v/?id=<code>                   the lookup form: 303 to /v/<id>
 *   GET  /v/<venue>[?before=<seq>]       venue page (pages_venue)
 *   GET  /v/<venue>/bundle.json          the venue's bundle
 *   GET  /v/<venue>/due.ics, /history.atom  its feeds (feeds.h)
 *   GET  /v/<venue>/poster.pdf, .svg, .png  its poster (?paper=, ?lang=)
 *   GET  /d/<sha256>                     a document
 *   GET  /checkpoint                     the newest checkpoint
 *   GET  /checkpoints/<n>, /checkpoint/<n>  a kept checkpoint
 *   GET  /proof/inclusion?index=&size=   inclusion proof
 *   GET  /proof/consistency?old=&new=    consistency proof
 *   GET  /tile/<L>/<N>[.p/<W>]           C2SP tlog-tiles hash tiles
 *   GET  /tile/entries/<N>[.p/<W>]       C2SP tlog-tiles entry bundles
 *   GET  /assets/<name>                  the pages' assets (pages_asset)
 *   GET  /healthz, /metrics              liveness, Prometheus text
 *   POST /api/v1/venues/<venue>/documents     owner upload (multipart)
 *   POST /api/v1/venues/<venue>/revocations   owner revocation
 *   GET  /owner[?before=<seq>]           the owner's dashboard (owner.h)
 *   GET  /owner/login, POST /owner/login its login form, and the login
 *   GET  /owner/revoke?seq=              a revocation's confirmation
 *   POST /owner/upload, /owner/revoke, /owner/venue, /owner/token,
 *        /owner/logout                   its forms
 *   GET  /owner/upload, /owner/venue, /owner/token   303 to /owner
 * The pages (and posters) are in the language of ?lang=en|it, else of
 * Accept-Language.
 */
#ifndef SANILOG_APP_H
#define SANILOG_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "store/backfill.h"
#include "store/pool.h"
#include "store/sequencer.h"
#include "store/store.h"
#include "web/cache.h"
#include "web/handler.h" /* for tiles.c, which has no other header */
#include "web/http.h"
#include "web/ratelimit.h"
#include "web/writer.h"

struct owner_sessions; /* owner.h */

struct web_options {
	struct http_config http;
	const char *db_path;  /* read connections open it */
	size_t doc_max;	      /* largest document accepted */
	size_t upload_memory; /* bytes all uploads may hold at once */
	unsigned auth_burst;  /* failed owner logins before 429 ... */
	double auth_drain;    /* ... each forgiven after this many seconds */
	const char *templates_dir; /* or NULL: pages_init's overrides */
	const char *assets_dir;	   /* or NULL */
	unsigned cache_ms;  /* pages and bundles are kept at most this long
			     * (0: not kept); a write through the server
			     * drops them at once */
	size_t proof_cache; /* bytes of stored hashes kept in memory for
			     * proofs (store/treecache.h), 0: none */
};

struct web_app {
	struct http_server *http;
	struct store_pool *pool;
	struct writer *writer;
	struct backfill *backfill; /* the WAL checkpoints beside the writer */
	struct cosigner *cosigner; /* the witnessing thread (cosigner.h) */
	struct ratelimit *auth_limit;
	struct owner_sessions *sessions; /* owners logged in (owner.h) */
	struct page_cache *cache;	 /* venue pages and bundles */
	bool pages_ready;		 /* pages_init done */
	/* ETags of the assets served so far (their bytes never change
	 * while the app runs), found by the address of their bytes */
	pthread_mutex_t tags_lock;
	struct {
		const void *data;
		char etag[36];
	} tags[64];
	size_t ntags;
	char *db_path;
	char *wal_path;
	atomic_uint_fast64_t files_seen;   /* fingerprint of the files ... */
	atomic_int_fast64_t files_seen_ms; /* ... taken then (monotonic) */
	atomic_uint_fast64_t tree_gen; /* web_generation the hash cache saw */
	size_t doc_max;
	size_t upload_memory;
	atomic_size_t upload_bytes; /* held by uploads in progress */
	atomic_uint_fast64_t uploads_logged, uploads_refused;
	atomic_uint_fast64_t revocations_logged, revocations_refused;
	atomic_uint_fast64_t auth_failures;
};

/*
 * Starts the service: the pages' templates and assets (pages_init, so at
 * most one app at a time), read connections to o->db_path, a writer
 * thread on seq (borrowed, with its store: both must outlive the app and
 * are used by the writer thread only), and the HTTP server.  *out is new.
 */
enum status web_app_start(const struct web_options *o, struct sequencer *seq,
			  struct web_app **out, struct err *e);

/* The port it listens on. */
unsigned web_app_port(const struct web_app *a);

/*
 * Stops gracefully: stops accepting, lets the requests in flight finish
 * (for at most grace_ms), commits and answers every queued write, then
 * closes every connection and frees the app.  Accepts NULL.
 */
void web_app_stop(struct web_app *a, unsigned grace_ms);

/* ---- shared by the route files (and handler.h) ---- */

/* routes.c: the routing table. */
extern const struct http_route web_routes[];
extern const size_t web_nroutes;

/* A number that changes whenever the log may have: after every commit
 * of the writer, and (seen within 50 ms) when another process wrote to
 * the database (the database's and its WAL's size and time change). */
uint64_t web_generation(struct web_app *a);

/* routes.c: the HTML page of an error on the page routes (pages_error in
 * the request's language). */
enum status web_html_error(const struct http_request *rq, unsigned code,
			   const char *detail, struct buf *out);

/* tiles.c: GET /tile/... (the capture is the rest of the path). */
void web_tile(struct http_request *rq, struct store *s);

#endif
