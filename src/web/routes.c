/*
 * routes.c: the routing table of `sanilog serve` and its read routes:
 * pages, bundles, feeds, documents, checkpoints, proofs, assets, health
 * and metrics.  Tiles are in tiles.c, the owner API in api.c.
 *
 * Caching: what never changes (documents, kept checkpoints, proofs
 * between fixed sizes, full tiles) is immutable for a year; the newest
 * checkpoint, bundles and pages are revalidated on every use.
 */
#include <inttypes.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "core/bundle.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/merkle.h"
#include "print/poster.h"
#include "store/export.h"
#include "web/api.h"
#include "web/cosigner.h"
#include "web/feeds.h"
#include "web/handler.h"
#include "web/owner.h"
#include "web/pages.h"

#define MIME_HTML   "text/html; charset=utf-8"
#define MIME_TEXT   "text/plain; charset=utf-8"
#define MIME_JSON   "application/json"
#define CACHE_ASSET "public, max-age=300"

/* Public log data may be read by verifiers on other origins. */
static void cors(struct http_request *rq)
{
	http_reply_header(rq, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
}

static void cache(struct http_request *rq, const char *policy)
{
	http_reply_header(rq, MHD_HTTP_HEADER_CACHE_CONTROL, policy);
}

/* Whether the client already holds the version tagged etag. */
static bool not_modified(const struct http_request *rq, const char *etag)
{
	const char *inm = http_header(rq, MHD_HTTP_HEADER_IF_NONE_MATCH);
	return inm != NULL && (strcmp(inm, etag) == 0 || strcmp(inm, "*") == 0);
}

/* ---- pages ---- */

enum status web_html_error(const struct http_request *rq, unsigned code,
			   const char *detail, struct buf *out)
{
	struct err e;
	return pages_error(web_lang(rq), (int)code, http_path(rq), detail, out,
			   &e);
}

static void index_page(struct http_request *rq, struct store *s)
{
	(void)s;
	struct buf out;
	struct err e = {.msg = ""};
	buf_init(&out, 1 << 20);
	enum status r = pages_index(web_lang(rq), &out, &e);
	if (r != ST_OK) {
		buf_free(&out);
		web_reply_internal(rq, r, "home page", e.msg);
		return;
	}
	http_reply_buf(rq, 200, MIME_HTML, &out);
	cache(rq, HTTP_CACHE_NONE);
	http_reply_header(rq, MHD_HTTP_HEADER_VARY, "Accept-Language");
}

static enum http_next r_index(struct http_request *rq)
{
	/* The home page reads nothing from the store. */
	index_page(rq, NULL);
	return HTTP_DONE;
}

/* The venue page of a venue the log does not have: the 404 page. */
static void venue_not_found(struct http_request *rq)
{
	http_reply_error(rq, ST_NOT_FOUND, 0, "no venue with that code");
}

static void venue_page(struct http_request *rq, struct store *s)
{
	const char *venue = http_param(rq, 0);
	enum lang lang = web_lang(rq);
	int64_t before;
	if (!entry_venue_id_valid(venue)) {
		venue_not_found(rq);
		return;
	}
	if (!web_query_before(rq, &before))
		return;
	char now[21], today[11];
	struct err e = {.msg = ""};
	if (log_now(now, &e) != ST_OK) {
		web_reply_internal(rq, ST_INTERNAL, "clock", e.msg);
		return;
	}
	memcpy(today, now, 10);
	today[10] = 0;
	struct buf out;
	buf_init(&out, 16u << 20);
	enum status r = pages_venue(s, venue, lang, today, before, &out, &e);
	if (r == ST_NOT_FOUND) {
		buf_free(&out);
		venue_not_found(rq);
		return;
	}
	if (r != ST_OK) {
		/* A limit of the renderer's too is the server's failure. */
		char what[32];
		buf_free(&out);
		snprintf(what, sizeof what, "venue %s", venue);
		web_reply_internal(rq, r, what, e.msg);
		return;
	}
	http_reply_buf(rq, 200, MIME_HTML, &out);
	cache(rq, HTTP_CACHE_NONE);
	http_reply_header(rq, MHD_HTTP_HEADER_VARY, "Accept-Language");
}

/* The home page's lookup form: GET /v/?id=<what was typed>[&lang=xx]
 * redirects (303) to /v/<id> (pages_lookup_path reads the code as a
 * person types it from a poster). */
static enum http_next r_lookup(struct http_request *rq)
{
	char where[64];
	if (pages_lookup_path(http_query(rq, "id"), http_query(rq, "lang"),
			      where, sizeof where) != ST_OK) {
		http_reply_error(rq, ST_INVALID, 0,
				 "not a venue code: 8 letters and digits, as "
				 "on the poster");
		return HTTP_DONE;
	}
	http_reply_static(rq, 303, NULL, "", 0);
	http_reply_header(rq, MHD_HTTP_HEADER_LOCATION, where);
	cache(rq, HTTP_CACHE_NONE);
	return HTTP_DONE;
}

/* Sends the kept copy of what key names, or makes it with fn and keeps
 * it (a 200 only).  The generation is read before the store, so a copy
 * is never newer than its generation says. */
static enum http_next cached(struct http_request *rq, const char *key,
			     web_read_fn fn)
{
	struct web_app *a = http_app(rq);
	uint64_t gen = web_generation(a);
	if (page_cache_serve(a->cache, rq, key, gen))
		return HTTP_DONE;
	web_with_store(rq, fn);
	page_cache_put(a->cache, rq, key, gen);
	return HTTP_DONE;
}

static enum http_next r_venue(struct http_request *rq)
{
	const char *venue = http_param(rq, 0);
	char now[21], key[CACHE_KEY_MAX];
	int64_t before;
	if (!entry_venue_id_valid(venue) || log_now(now, NULL) != ST_OK)
		return web_with_store(rq, venue_page);
	if (!web_query_before(rq, &before))
		return HTTP_DONE;
	snprintf(key, sizeof key, "v/%s/%s/%.10s/%" PRId64, venue,
		 lang_code(web_lang(rq)), now, before);
	return cached(rq, key, venue_page);
}

/* ---- bundles, documents, checkpoints ---- */

static void bundle(struct http_request *rq, struct store *s)
{
	const char *venue = http_param(rq, 0);
	if (!entry_venue_id_valid(venue)) {
		http_reply_error(rq, ST_NOT_FOUND, 0, "venue: not found");
		return;
	}
	struct bundle *b = NULL;
	struct buf out;
	struct err e = {.msg = ""};
	buf_init(&out, BUNDLE_MAX);
	enum status r = export_bundle(s, venue, -1, &b, &e);
	if (r == ST_OK && (r = bundle_format(b, &out)) != ST_OK)
		snprintf(e.msg, sizeof e.msg, "bundle too large");
	bundle_free(b);
	if (r == ST_NOT_FOUND) {
		http_reply_error(rq, r, 0, "venue %s: not found", venue);
	} else if (r != ST_OK) {
		char what[32];
		snprintf(what, sizeof what, "bundle %s", venue);
		web_reply_internal(rq, r, what, e.msg);
	} else {
		http_reply_buf(rq, 200, MIME_JSON, &out);
		cache(rq, HTTP_CACHE_NONE);
		cors(rq);
	}
	buf_free(&out);
}

static enum http_next r_bundle(struct http_request *rq)
{
	const char *venue = http_param(rq, 0);
	char key[CACHE_KEY_MAX];
	if (!entry_venue_id_valid(venue))
		return web_with_store(rq, bundle);
	snprintf(key, sizeof key, "b/%s", venue);
	return cached(rq, key, bundle);
}

/* ---- feeds (feeds.h) ---- */

/* The venue's feed kind in the request's language.  Its ETag is the
 * start of the SHA-256 of its bytes; a matching If-None-Match is 304. */
static void feed(struct http_request *rq, struct store *s, enum feeds_kind kind)
{
	const char *venue = http_param(rq, 0);
	char now[21], today[11], hex[2 * HASH_LEN + 1], etag[40];
	uint8_t sha[HASH_LEN];
	struct err e = {.msg = ""};
	struct buf out;

	if (!entry_venue_id_valid(venue)) {
		http_reply_error(rq, ST_NOT_FOUND, 0, "venue: not found");
		return;
	}
	if (log_now(now, &e) != ST_OK) {
		web_reply_internal(rq, ST_INTERNAL, "clock", e.msg);
		return;
	}
	snprintf(today, sizeof today, "%.10s", now);
	buf_init(&out, 16u << 20);
	enum status r =
		feeds_venue(s, venue, kind, web_lang(rq), today, &out, &e);
	if (r != ST_OK) {
		/* 404, or the server's failure (a feed too large too) */
		buf_free(&out);
		web_reply_store_error(rq, r, &e);
		return;
	}
	sha256(sha, out.data, out.len);
	hex_encode(hex, sha, HASH_LEN);
	snprintf(etag, sizeof etag, "\"%.32s\"", hex);
	if (not_modified(rq, etag)) {
		buf_free(&out);
		http_reply_static(rq, 304, NULL, "", 0);
	} else {
		http_reply_buf(rq, 200,
			       kind == FEEDS_ICS ? FEEDS_ICS_MIME
						 : FEEDS_ATOM_MIME,
			       &out);
	}
	http_reply_header(rq, MHD_HTTP_HEADER_ETAG, etag);
	cache(rq, HTTP_CACHE_NONE);
	http_reply_header(rq, MHD_HTTP_HEADER_VARY, "Accept-Language");
	cors(rq);
}

static void feed_ics(struct http_request *rq, struct store *s)
{
	feed(rq, s, FEEDS_ICS);
}

static void feed_atom(struct http_request *rq, struct store *s)
{
	feed(rq, s, FEEDS_ATOM);
}

/* Kept as the bundle is, by venue, kind and language; a conditional
 * request is answered from a fresh rendering, whose tag it compares. */
static enum http_next feed_route(struct http_request *rq, const char *kind,
				 web_read_fn fn)
{
	const char *venue = http_param(rq, 0);
	char key[CACHE_KEY_MAX];
	if (!entry_venue_id_valid(venue) ||
	    http_header(rq, MHD_HTTP_HEADER_IF_NONE_MATCH) != NULL)
		return web_with_store(rq, fn);
	snprintf(key, sizeof key, "f/%s/%s/%s", venue, kind,
		 lang_code(web_lang(rq)));
	return cached(rq, key, fn);
}

static enum http_next r_due_ics(struct http_request *rq)
{
	return feed_route(rq, "ics", feed_ics);
}

static enum http_next r_history_atom(struct http_request *rq)
{
	return feed_route(rq, "atom", feed_atom);
}

/* ---- posters ---- */

/* The venue's poster in format f; ?paper=a4|a5|a6|letter, language as the
 * pages' (?lang=, Accept-Language).  The QR code pins the newest checkpoint. */
static void poster(struct http_request *rq, struct store *s,
		   enum poster_format f)
{
	const char *venue = http_param(rq, 0);
	const char *paper_arg = http_query(rq, "paper");
	enum poster_paper paper = POSTER_A4;
	if (!entry_venue_id_valid(venue)) {
		http_reply_error(rq, ST_NOT_FOUND, 0, "venue: not found");
		return;
	}
	if (paper_arg != NULL && !poster_paper_parse(paper_arg, &paper)) {
		http_reply_error(rq, ST_INVALID, 0,
				 "paper: a4, a5, a6 or letter");
		return;
	}
	enum lang lang = web_lang(rq);
	struct buf out;
	struct err e = {.msg = ""};
	buf_init(&out, 64u << 20);
	struct export_poster p;
	enum status r = export_poster(s, venue, NULL, &p, &e);
	if (r == ST_OK)
		r = poster_make(&p, f, paper, lang, &out, &e);
	if (r == ST_NOT_FOUND) {
		http_reply_error(rq, r, 0, "venue %s: not found", venue);
	} else if (r == ST_INVALID) {
		/* The server has no base URL to print: the operator's to set.
		 */
		http_reply_error(rq, r, 0, "cannot make this poster: %s",
				 e.msg);
	} else if (r != ST_OK) {
		char what[64];
		snprintf(what, sizeof what, "poster %s", venue);
		web_reply_internal(rq, r, what, e.msg);
	} else {
		http_reply_buf(rq, 200, poster_format_mime(f), &out);
		cache(rq, HTTP_CACHE_NONE);
	}
	buf_free(&out);
}

static void poster_pdf(struct http_request *rq, struct store *s)
{
	poster(rq, s, POSTER_PDF);
}

static void poster_svg(struct http_request *rq, struct store *s)
{
	poster(rq, s, POSTER_SVG);
}

static void poster_png(struct http_request *rq, struct store *s)
{
	poster(rq, s, POSTER_PNG);
}

static enum http_next r_poster_pdf(struct http_request *rq)
{
	return web_with_store(rq, poster_pdf);
}

static enum http_next r_poster_svg(struct http_request *rq)
{
	return web_with_store(rq, poster_svg);
}

static enum http_next r_poster_png(struct http_request *rq)
{
	return web_with_store(rq, poster_png);
}

static void document(struct http_request *rq, struct store *s)
{
	const char *hex = http_param(rq, 0);
	uint8_t sha[HASH_LEN];
	if (strlen(hex) != 2 * HASH_LEN ||
	    hex_decode(sha, HASH_LEN, hex, strlen(hex)) != ST_OK) {
		http_reply_error(rq, ST_NOT_FOUND, 0,
				 "document: not a lowercase hex SHA-256");
		return;
	}
	char etag[2 * HASH_LEN + 3], mime[32];
	snprintf(etag, sizeof etag, "\"%s\"", hex);
	int64_t size = 0;
	struct err e;
	enum status r = store_document_meta(s, sha, &size, mime, &e);
	if (r == ST_OK && not_modified(rq, etag)) {
		http_reply_static(rq, 304, NULL, "", 0);
	} else if (r == ST_OK) {
		int fd = -1;
		r = store_document_open(s, sha, &fd, &size, mime, &e);
		if (r != ST_OK) {
			web_reply_store_error(rq, r, &e);
			return;
		}
		/* Sent from its file, as it is read. */
		http_reply_fd(rq, 200, mime, fd, (uint64_t)size);
		/* Shown as the file it is, never as a page of this site:
		 * its one policy (http.h). */
		http_reply_header(rq, HTTP_HEADER_CSP, "sandbox");
		http_reply_header(rq, "Content-Disposition", "inline");
	} else {
		web_reply_store_error(rq, r, &e);
		return;
	}
	http_reply_header(rq, MHD_HTTP_HEADER_ETAG, etag);
	cache(rq, HTTP_CACHE_IMMUTABLE);
}

static enum http_next r_document(struct http_request *rq)
{
	return web_with_store(rq, document);
}

static void checkpoint(struct http_request *rq, struct store *s)
{
	const char *arg = http_param(rq, 0);
	int64_t size = -1, got = 0;
	if (arg != NULL && !dec_parse(arg, &size)) {
		http_reply_error(rq, ST_NOT_FOUND, 0,
				 "checkpoint: not a tree size");
		return;
	}
	struct buf note;
	struct err e;
	buf_init(&note, 1 << 16);
	enum status r = store_checkpoint_served(s, size, &note, &got, &e);
	if (r == ST_NOT_FOUND && size >= 0) {
		buf_free(&note);
		http_reply_error(rq, r, 0, "no kept checkpoint of size %lld",
				 (long long)size);
		return;
	}
	if (r != ST_OK) {
		buf_free(&note);
		web_reply_store_error(rq, r, &e);
		return;
	}
	http_reply_buf(rq, 200, MIME_TEXT, &note);
	cache(rq, size >= 0 ? HTTP_CACHE_IMMUTABLE : HTTP_CACHE_NONE);
	cors(rq);
}

static enum http_next r_checkpoint(struct http_request *rq)
{
	return web_with_store(rq, checkpoint);
}

/* ---- proofs ---- */

/* A required query parameter, a canonical decimal. */
static bool query_int(struct http_request *rq, const char *name, int64_t *out)
{
	const char *v = http_query(rq, name);
	if (v == NULL || v[0] == 0) {
		http_reply_error(rq, ST_INVALID, 0, "%s: missing", name);
		return false;
	}
	if (!dec_parse(v, out)) {
		http_reply_error(rq, ST_INVALID, 0,
				 "%s: not a whole number (decimal, no sign "
				 "or leading zero)",
				 name);
		return false;
	}
	return true;
}

static void reply_proof(struct http_request *rq, const struct err *e,
			enum status r, const uint8_t (*proof)[HASH_LEN],
			size_t n)
{
	if (r != ST_OK) {
		web_reply_store_error(rq, r, e);
		return;
	}
	struct buf out;
	buf_init(&out, (MERKLE_MAX_PROOF + 1) * 48);
	for (size_t i = 0; i < n; i++) {
		char b64[64];
		b64_encode(b64, sizeof b64, proof[i], HASH_LEN, B64_STD);
		buf_printf(&out, "%s\n", b64);
	}
	http_reply_buf(rq, 200, MIME_TEXT, &out);
	/* A proof between two fixed sizes never changes. */
	cache(rq, HTTP_CACHE_IMMUTABLE);
	cors(rq);
}

static void inclusion(struct http_request *rq, struct store *s)
{
	int64_t index = 0, size = 0, log_size = 0;
	struct err e = {.msg = ""};
	if (!query_int(rq, "index", &index) || !query_int(rq, "size", &size))
		return;
	enum status r = store_log_size(s, &log_size, &e);
	if (r != ST_OK) {
		web_reply_store_error(rq, r, &e);
		return;
	}
	if (size < 1 || size > log_size) {
		http_reply_error(rq, ST_INVALID, 0,
				 "size: out of range (1 to the log size, %lld)",
				 (long long)log_size);
		return;
	}
	if (index >= size) {
		http_reply_error(rq, ST_INVALID, 0,
				 "index: out of range (below size %lld)",
				 (long long)size);
		return;
	}
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t n = 0;
	r = merkle_prove_inclusion(index, size, store_merkle_reader,
				   &(struct store_reader){s, &e}, proof, &n);
	reply_proof(rq, &e, r, (const uint8_t(*)[HASH_LEN])proof, n);
}

static enum http_next r_inclusion(struct http_request *rq)
{
	return web_with_store(rq, inclusion);
}

static void consistency(struct http_request *rq, struct store *s)
{
	int64_t old = 0, new_size = 0, log_size = 0;
	struct err e = {.msg = ""};
	if (!query_int(rq, "old", &old) || !query_int(rq, "new", &new_size))
		return;
	enum status r = store_log_size(s, &log_size, &e);
	if (r != ST_OK) {
		web_reply_store_error(rq, r, &e);
		return;
	}
	if (new_size > log_size) {
		http_reply_error(rq, ST_INVALID, 0,
				 "new: out of range (at most the log size, "
				 "%lld)",
				 (long long)log_size);
		return;
	}
	if (old > new_size) {
		http_reply_error(rq, ST_INVALID, 0,
				 "old: out of range (at most new, %lld)",
				 (long long)new_size);
		return;
	}
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t n = 0;
	r = merkle_prove_consistency(old, new_size, store_merkle_reader,
				     &(struct store_reader){s, &e}, proof, &n);
	reply_proof(rq, &e, r, (const uint8_t(*)[HASH_LEN])proof, n);
}

static enum http_next r_consistency(struct http_request *rq)
{
	return web_with_store(rq, consistency);
}

static enum http_next r_tile(struct http_request *rq)
{
	return web_with_store(rq, web_tile);
}

/* ---- assets, health, metrics ---- */

/* The tag of an asset's bytes: the start of their SHA-256 in hex,
 * computed once per asset. */
static void asset_tag(struct web_app *a, const unsigned char *data, size_t len,
		      char tag[36])
{
	pthread_mutex_lock(&a->tags_lock);
	for (size_t i = 0; i < a->ntags; i++) {
		if (a->tags[i].data == data) {
			memcpy(tag, a->tags[i].etag, 36);
			pthread_mutex_unlock(&a->tags_lock);
			return;
		}
	}
	pthread_mutex_unlock(&a->tags_lock);
	uint8_t sha[HASH_LEN];
	char hex[2 * HASH_LEN + 1];
	sha256(sha, data, len);
	hex_encode(hex, sha, HASH_LEN);
	snprintf(tag, 36, "%.32s", hex);
	pthread_mutex_lock(&a->tags_lock);
	if (a->ntags < sizeof a->tags / sizeof a->tags[0]) {
		a->tags[a->ntags].data = data;
		memcpy(a->tags[a->ntags].etag, tag, 36);
		a->ntags++;
	}
	pthread_mutex_unlock(&a->tags_lock);
}

/* Replies with the asset name (pages_asset), gzipped when the client
 * takes it and a precompressed copy exists, cached for a year. */
static enum http_next serve_asset(struct http_request *rq, const char *name)
{
	size_t len = 0, zlen = 0;
	const char *mime = NULL;
	const unsigned char *data = pages_asset(name, &len, &mime);
	if (data == NULL) {
		http_reply_error(rq, ST_NOT_FOUND, 0, "no such asset");
		return HTTP_DONE;
	}
	const unsigned char *z = NULL;
	if (http_accepts_gzip(rq))
		z = pages_asset_gzip(name, &zlen);
	char tag[36], etag[48];
	asset_tag(http_app(rq), data, len, tag);
	/* The compressed bytes are another representation: another tag. */
	snprintf(etag, sizeof etag, "\"%s%s\"", tag, z != NULL ? "-gz" : "");
	if (not_modified(rq, etag))
		http_reply_static(rq, 304, NULL, "", 0);
	else if (z != NULL)
		http_reply_static(rq, 200, mime, z, zlen);
	else
		http_reply_static(rq, 200, mime, data, len);
	if (z != NULL && http_reply_status(rq) == 200)
		http_reply_header(rq, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	http_reply_header(rq, MHD_HTTP_HEADER_ETAG, etag);
	http_reply_header(rq, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	cache(rq, CACHE_ASSET);
	return HTTP_DONE;
}

static enum http_next r_asset(struct http_request *rq)
{
	return serve_asset(rq, http_param(rq, 0));
}

/* Browsers ask for /favicon.ico on every site; it is assets/favicon.ico. */
static enum http_next r_favicon(struct http_request *rq)
{
	return serve_asset(rq, "favicon.ico");
}

/* 200 while the log can be read, the reads being served whatever else
 * fails: "ok", or "degraded: ..." while uploads fail for want of disk
 * space (a load balancer that looks at the status keeps sending the
 * reads; an operator, or a check of the body, sees why uploads fail). */
static void healthz(struct http_request *rq, struct store *s)
{
	struct writer_stats ws;
	int64_t size = 0;
	struct err e;
	enum status r = store_log_size(s, &size, &e);
	if (r != ST_OK) {
		web_reply_store_error(rq, r, &e);
		return;
	}
	static const char ok[] = "ok\n",
			  full[] = "degraded: disk full, uploads are refused "
				   "(503) until one can be written\n";
	struct web_app *a = http_app(rq);
	char why[300];
	writer_get_stats(a->writer, &ws);
	if (ws.disk_full) {
		http_reply_static(rq, 200, MIME_TEXT, full, sizeof full - 1);
	} else if (cosigner_degraded(a->cosigner, why, sizeof why)) {
		/* Uploads go on; what is served is older than the log. */
		char line[340];
		int n = snprintf(line, sizeof line, "degraded: %s\n", why);
		http_reply(rq, 200, MIME_TEXT, line,
			   n > 0 && (size_t)n < sizeof line ? (size_t)n
							    : sizeof line - 1);
	} else {
		http_reply_static(rq, 200, MIME_TEXT, ok, sizeof ok - 1);
	}
	cache(rq, "no-store");
}

static enum http_next r_healthz(struct http_request *rq)
{
	return web_with_store(rq, healthz);
}

static void metrics(struct http_request *rq, struct store *s)
{
	struct web_app *a = http_app(rq);
	struct writer_stats ws;
	int64_t size = -1;
	if (store_log_size(s, &size, NULL) != ST_OK)
		size = -1;
	writer_get_stats(a->writer, &ws);
	struct buf out;
	buf_init(&out, 1 << 20);
	enum status r = http_metrics_format(a->http, &out);
	if (r == ST_OK)
		r = buf_printf(
			&out,
			"# HELP sanilog_log_size Entries in the log.\n"
			"# TYPE sanilog_log_size gauge\n"
			"sanilog_log_size %lld\n"
			"# HELP sanilog_uploads_total Documents uploaded whose "
			"body was taken under accepted credentials, by "
			"result.\n"
			"# TYPE sanilog_uploads_total counter\n"
			"sanilog_uploads_total{result=\"logged\"} %llu\n"
			"sanilog_uploads_total{result=\"refused\"} %llu\n"
			"# HELP sanilog_revocations_total Revocations whose "
			"body was taken under accepted credentials, by "
			"result.\n"
			"# TYPE sanilog_revocations_total counter\n"
			"sanilog_revocations_total{result=\"logged\"} %llu\n"
			"sanilog_revocations_total{result=\"refused\"} %llu\n"
			"# HELP sanilog_auth_failures_total Refused owner "
			"credentials.\n"
			"# TYPE sanilog_auth_failures_total counter\n"
			"sanilog_auth_failures_total %llu\n"
			"# HELP sanilog_write_batches_total Transactions of "
			"the "
			"writer.\n"
			"# TYPE sanilog_write_batches_total counter\n"
			"sanilog_write_batches_total %llu\n"
			"# HELP sanilog_write_requests_total Write requests "
			"handed to the writer.\n"
			"# TYPE sanilog_write_requests_total counter\n"
			"sanilog_write_requests_total %llu\n"
			"# HELP sanilog_write_queue Write requests waiting.\n"
			"# TYPE sanilog_write_queue gauge\n"
			"sanilog_write_queue %llu\n"
			"# HELP sanilog_disk_full 1 while writes of the log "
			"fail for want of disk space.\n"
			"# TYPE sanilog_disk_full gauge\n"
			"sanilog_disk_full %d\n"
			"# HELP sanilog_proof_cache_leaves Leaves of the log "
			"whose stored hashes the proof cache holds.\n"
			"# TYPE sanilog_proof_cache_leaves gauge\n"
			"sanilog_proof_cache_leaves %lld\n"
			"# HELP sanilog_proof_cache_bytes Memory the proof "
			"cache takes (serve --proof-cache bounds it).\n"
			"# TYPE sanilog_proof_cache_bytes gauge\n"
			"sanilog_proof_cache_bytes %zu\n",
			(long long)size,
			(unsigned long long)atomic_load(&a->uploads_logged),
			(unsigned long long)atomic_load(&a->uploads_refused),
			(unsigned long long)atomic_load(&a->revocations_logged),
			(unsigned long long)atomic_load(
				&a->revocations_refused),
			(unsigned long long)atomic_load(&a->auth_failures),
			(unsigned long long)ws.batches,
			(unsigned long long)ws.requests,
			(unsigned long long)ws.queued, ws.disk_full ? 1 : 0,
			(long long)store_pool_tree_leaves(a->pool),
			store_pool_tree_bytes(a->pool));
	if (r == ST_OK)
		r = cosigner_metrics(a->cosigner, &out);
	if (r != ST_OK) {
		buf_free(&out);
		web_reply_internal(rq, r, "metrics", status_str(r));
		return;
	}
	http_reply_buf(rq, 200, "text/plain; version=0.0.4; charset=utf-8",
		       &out);
	cache(rq, "no-store");
}

static enum http_next r_metrics(struct http_request *rq)
{
	return web_with_store(rq, metrics);
}

/* ---- the table ---- */

#define API_BODY_MAX(doc) ((doc) + (256u << 10))

const struct http_route web_routes[] = {
	{.pattern = "/",
	 .name = "index",
	 .methods = HTTP_GET,
	 .html = true,
	 .handle = r_index},
	{.pattern = "/favicon.ico",
	 .name = "favicon",
	 .methods = HTTP_GET,
	 .handle = r_favicon},
	{.pattern = "/v/",
	 .name = "lookup",
	 .methods = HTTP_GET,
	 .html = true,
	 .handle = r_lookup},
	{.pattern = "/v/{}",
	 .name = "venue",
	 .methods = HTTP_GET,
	 .html = true,
	 .handle = r_venue},
	{.pattern = "/v/{}/bundle.json",
	 .name = "bundle",
	 .methods = HTTP_GET,
	 .handle = r_bundle},
	{.pattern = "/v/{}/due.ics",
	 .name = "due_ics",
	 .methods = HTTP_GET,
	 .handle = r_due_ics},
	{.pattern = "/v/{}/history.atom",
	 .name = "history_atom",
	 .methods = HTTP_GET,
	 .handle = r_history_atom},
	{.pattern = "/v/{}/poster.pdf",
	 .name = "poster",
	 .methods = HTTP_GET,
	 .handle = r_poster_pdf},
	{.pattern = "/v/{}/poster.svg",
	 .name = "poster",
	 .methods = HTTP_GET,
	 .handle = r_poster_svg},
	{.pattern = "/v/{}/poster.png",
	 .name = "poster",
	 .methods = HTTP_GET,
	 .handle = r_poster_png},
	{.pattern = "/d/{}",
	 .name = "document",
	 .methods = HTTP_GET,
	 .handle = r_document},
	{.pattern = "/checkpoint",
	 .name = "checkpoint",
	 .methods = HTTP_GET,
	 .handle = r_checkpoint},
	{.pattern = "/checkpoints/{}",
	 .name = "checkpoint_size",
	 .methods = HTTP_GET,
	 .handle = r_checkpoint},
	/* The older path of kept checkpoints, for verifiers that ask it. */
	{.pattern = "/checkpoint/{}",
	 .name = "checkpoint_size",
	 .methods = HTTP_GET,
	 .handle = r_checkpoint},
	{.pattern = "/proof/inclusion",
	 .name = "proof_inclusion",
	 .methods = HTTP_GET,
	 .handle = r_inclusion},
	{.pattern = "/proof/consistency",
	 .name = "proof_consistency",
	 .methods = HTTP_GET,
	 .handle = r_consistency},
	{.pattern = "/tile/{*}",
	 .name = "tile",
	 .methods = HTTP_GET,
	 .handle = r_tile},
	{.pattern = "/assets/{}",
	 .name = "asset",
	 .methods = HTTP_GET,
	 .handle = r_asset},
	{.pattern = "/healthz",
	 .name = "healthz",
	 .methods = HTTP_GET,
	 .handle = r_healthz},
	{.pattern = "/metrics",
	 .name = "metrics",
	 .methods = HTTP_GET,
	 .handle = r_metrics},
	{.pattern = "/api/v1/venues/{}/documents",
	 .name = "api_documents",
	 .methods = HTTP_POST,
	 .body_max = API_BODY_MAX(DOC_MAX_DEFAULT),
	 .start = web_api_start_documents,
	 .body = web_api_body,
	 .handle = web_api_documents},
	{.pattern = "/api/v1/venues/{}/revocations",
	 .name = "api_revocations",
	 .methods = HTTP_POST,
	 .body_max = 64u << 10,
	 .start = web_api_start_revocations,
	 .body = web_api_body,
	 .handle = web_api_revocations},
	{.pattern = "/owner",
	 .name = "owner",
	 .methods = HTTP_GET,
	 .html = true,
	 .no_gzip = true,
	 .handle = owner_dashboard},
	{.pattern = "/owner/login",
	 .name = "owner_login",
	 .methods = HTTP_GET,
	 .html = true,
	 .no_gzip = true,
	 .handle = owner_login_form},
	{.pattern = "/owner/login",
	 .name = "owner_login_post",
	 .methods = HTTP_POST,
	 .body_max = OWNER_FORM_MAX,
	 .html = true,
	 .no_gzip = true,
	 .start = owner_start_form,
	 .body = owner_body_form,
	 .handle = owner_login},
	{.pattern = "/owner/logout",
	 .name = "owner_logout",
	 .methods = HTTP_POST,
	 .body_max = OWNER_FORM_MAX,
	 .html = true,
	 .no_gzip = true,
	 .start = owner_start_form,
	 .body = owner_body_form,
	 .handle = owner_logout},
	{.pattern = "/owner/upload",
	 .name = "owner_upload",
	 .methods = HTTP_POST,
	 .body_max = OWNER_UPLOAD_MAX,
	 .html = true,
	 .no_gzip = true,
	 .start = owner_start_upload,
	 .body = web_api_body,
	 .handle = web_api_form_handle},
	{.pattern = "/owner/revoke",
	 .name = "owner_revoke",
	 .methods = HTTP_POST,
	 .body_max = 64u << 10,
	 .html = true,
	 .no_gzip = true,
	 .start = owner_start_revoke,
	 .body = web_api_body,
	 .handle = web_api_form_handle},
	{.pattern = "/owner/revoke",
	 .name = "owner_revoke_form",
	 .methods = HTTP_GET,
	 .html = true,
	 .no_gzip = true,
	 .handle = owner_revoke_form},
	{.pattern = "/owner/venue",
	 .name = "owner_venue",
	 .methods = HTTP_POST,
	 .body_max = 64u << 10,
	 .html = true,
	 .no_gzip = true,
	 .start = owner_start_venue,
	 .body = web_api_body,
	 .handle = web_api_form_handle},
	{.pattern = "/owner/token",
	 .name = "owner_token",
	 .methods = HTTP_POST,
	 .body_max = OWNER_FORM_MAX,
	 .html = true,
	 .no_gzip = true,
	 .start = owner_start_token,
	 .body = owner_body_form,
	 .handle = owner_token},
	{.pattern = "/owner/upload",
	 .name = "owner_back",
	 .methods = HTTP_GET,
	 .html = true,
	 .handle = owner_back},
	{.pattern = "/owner/venue",
	 .name = "owner_back",
	 .methods = HTTP_GET,
	 .html = true,
	 .handle = owner_back},
	{.pattern = "/owner/token",
	 .name = "owner_back",
	 .methods = HTTP_GET,
	 .html = true,
	 .handle = owner_back},
};

const size_t web_nroutes = sizeof web_routes / sizeof web_routes[0];
