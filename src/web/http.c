/*
 * http.c: the HTTP layer of `sanilog serve` on libmicrohttpd (see http.h).
 *
 * The life of a request:
 *   0. on_accept refuses a connection from an address with as many open
 *      as it may; on_connection files each one in the table of conns.h,
 *      with the deadline of its request's head (then of its body, from
 *      on_request's first call, none from its last call to on_completed,
 *      and the next request's head from there);
 *   1. on_uri (MHD_OPTION_URI_LOG_CALLBACK) sees the raw request target,
 *      makes the request context, checks the target's length and path;
 *   2. on_request, first call (headers in): 414 written by hand
 *      (reply_too_long), the framing (check_framing: 400, 501, the
 *      connection closed after), routing, 404/405, the Content-Length
 *      cap, the route's start callback;
 *   3. on_request with body chunks: counted against the route's cap and
 *      handed to the route's body callback; once a reply is set, the rest
 *      is discarded;
 *   4. on_request, last call: the route's handle callback sets the reply
 *      (or suspends and comes back here after a resume); the reply goes out
 *      with the security headers, a page or a bundle gzipped to a client
 *      that takes gzip (a second response with the same headers, made
 *      once);
 *   5. on_completed (MHD_OPTION_NOTIFY_COMPLETED): the access-log line,
 *      the counters, and the one place the context and its state are freed.
 * A reply set before the request is complete goes out at once only when a
 * body follows (libmicrohttpd then discards the body and closes the
 * connection); otherwise it waits for the last call, keeping the
 * connection alive.
 */
#include "http.h"

#include "head.h"
#include "conns.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* A body is discarded up to this many bytes past a refusal; beyond it the
 * connection is closed without an answer. */
#define DISCARD_MAX (64u << 20)

#define ARRAY_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* How often the connections past their deadline are closed, in ms. */
#define REAP_TICK_MS 250

/* Bodies shorter than this go as they are (gzip would gain little). */
#define GZIP_MIN 256

/* Status codes counted one by one in /metrics; others count as "other". */
static const unsigned metric_codes[] = {200, 201, 204, 206, 301, 302, 303,
					304, 400, 401, 403, 404, 405, 409,
					413, 414, 415, 429, 500, 503};
#define NCODES (sizeof metric_codes / sizeof metric_codes[0] + 1)

/* Upper bounds of the latency histogram, in microseconds. */
static const uint64_t latency_le_us[] = {
	250,   500,    1000,   2500,   5000,	10000,	 25000,
	50000, 100000, 250000, 500000, 1000000, 2500000, 5000000};
#define NBUCKETS (sizeof latency_le_us / sizeof latency_le_us[0])

struct http_server {
	struct MHD_Daemon *daemon;
	const struct http_route *routes;
	size_t nroutes;
	void *app;
	unsigned port;
	bool access_log;
	bool has_proxy;
	struct sockaddr_storage proxy; /* see http_config */
	struct conns *conns;	       /* the connections open */
	int64_t request_ms;	       /* http_config.request_timeout, or 0 */
	enum status (*html_error)(const struct http_request *rq, unsigned code,
				  const char *detail, struct buf *out);
	atomic_uint in_flight;
	/* (nroutes + 1) rows of NCODES; the last row: no route */
	atomic_uint_fast64_t *counts;
	atomic_uint_fast64_t buckets[NBUCKETS + 1]; /* the last: +Inf */
	atomic_uint_fast64_t latency_sum_us;
};

enum phase { PHASE_NEW, PHASE_BODY, PHASE_DONE };

struct http_request {
	struct http_server *srv;
	struct MHD_Connection *conn;
	const struct http_route *route; /* NULL: none matched */
	enum phase phase;
	unsigned method; /* HTTP_GET, HTTP_POST, or 0 */
	char method_str[12];
	bool too_long;
	bool bad_path;
	bool close; /* the reply goes at once; the connection closes after it */
	bool has_body;
	uint64_t body_len;
	struct MHD_Response *response;
	unsigned code;
	uint64_t resp_len;
	bool queued;
	bool secured;	    /* the security headers are on the response */
	bool shared;	    /* the responses are not the request's to destroy */
	bool gzip_ok;	    /* the client takes gzip */
	bool via_proxy;	    /* from the trusted proxy */
	bool counted;	    /* counted against its forwarded client (conns.h) */
	struct conn *slot;  /* its connection's, or NULL */
	int64_t body_t0_ms; /* when its head was in */
	/* A reply that may be compressed: its body (owned by response) and
	 * its compressed variant, once made. */
	const uint8_t *zbody;
	size_t zbody_len;
	struct MHD_Response *zresponse;
	uint64_t zlen;
	void *state;
	void (*state_free)(void *state);
	struct timespec t0;
	struct sockaddr_storage client;
	const char *target; /* the raw target on_uri saw (libmicrohttpd's) */
	size_t target_len;  /* its strlen then */
	const char *params[HTTP_PARAMS_MAX];
	char *path;    /* the raw path, without the query (in mem) */
	char *scratch; /* captures, NUL-terminated (in mem) */
	char mem[];    /* room for both */
};

/* ---- paths and routes ---- */

static bool path_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '~' ||
	       c == '-' || c == '/';
}

/* A path we route: "/" or "/seg/seg" with safe characters, no empty
 * segment but a last one (a trailing slash), no "." or ".." segment.
 * Percent escapes are refused outright: no route needs one. */
static bool path_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	if (p[1] == 0)
		return true;
	const char *seg = p + 1;
	for (const char *c = p + 1;; c++) {
		if (*c == '/' || *c == 0) {
			size_t n = (size_t)(c - seg);
			if ((n == 0 && *c != 0) || (n == 1 && seg[0] == '.') ||
			    (n == 2 && seg[0] == '.' && seg[1] == '.'))
				return false;
			if (*c == 0)
				return true;
			seg = c + 1;
		} else if (!path_char_ok(*c)) {
			return false;
		}
	}
}

/* Matches path against pattern; on a match writes the captures' offsets
 * and lengths (in path) and their number. */
static bool route_match(const char *pat, const char *path, size_t *off,
			size_t *len, size_t *n)
{
	const char *start = path;
	*n = 0;
	for (;;) {
		if (*pat == 0 && *path == 0)
			return true;
		if (*pat != '/' || *path != '/')
			return false;
		pat++;
		path++;
		const char *pe = strchr(pat, '/'), *qe = strchr(path, '/');
		if (pe == NULL)
			pe = pat + strlen(pat);
		if (qe == NULL)
			qe = path + strlen(path);
		size_t pl = (size_t)(pe - pat), ql = (size_t)(qe - path);
		if (pl == 3 && memcmp(pat, "{*}", 3) == 0) {
			if (*n >= HTTP_PARAMS_MAX || *path == 0)
				return false;
			off[*n] = (size_t)(path - start);
			len[*n] = strlen(path);
			(*n)++;
			return true;
		}
		if (pl == 2 && memcmp(pat, "{}", 2) == 0) {
			if (*n >= HTTP_PARAMS_MAX || ql == 0)
				return false;
			off[*n] = (size_t)(path - start);
			len[*n] = ql;
			(*n)++;
		} else if (pl != ql || memcmp(pat, path, pl) != 0) {
			return false;
		}
		pat = pe;
		path = qe;
	}
}

/* Finds the route of rq's path and method; sets the reply for 404 and
 * 405.  Returns the route or NULL. */
static const struct http_route *route_find(struct http_request *rq)
{
	struct http_server *srv = rq->srv;
	unsigned allowed = 0;
	for (size_t i = 0; i < srv->nroutes; i++) {
		const struct http_route *r = &srv->routes[i];
		size_t off[HTTP_PARAMS_MAX], len[HTTP_PARAMS_MAX], n = 0;
		if (!route_match(r->pattern, rq->path, off, len, &n))
			continue;
		if ((r->methods & rq->method) == 0) {
			allowed |= r->methods;
			continue;
		}
		size_t at = 0;
		for (size_t k = 0; k < n; k++) {
			memcpy(rq->scratch + at, rq->path + off[k], len[k]);
			rq->scratch[at + len[k]] = 0;
			rq->params[k] = rq->scratch + at;
			at += len[k] + 1;
		}
		return r;
	}
	if (allowed == 0) {
		http_reply_error(rq, ST_NOT_FOUND, 0, "no such path");
		return NULL;
	}
	char allow[32];
	snprintf(allow, sizeof allow, "%s%s%s",
		 (allowed & HTTP_GET) ? "GET, HEAD" : "",
		 (allowed & HTTP_GET) && (allowed & HTTP_POST) ? ", " : "",
		 (allowed & HTTP_POST) ? "POST" : "");
	http_reply_error_code(rq, 405, "method_not_allowed", 0,
			      "method not allowed here (allowed: %s)", allow);
	http_reply_header(rq, MHD_HTTP_HEADER_ALLOW, allow);
	return NULL;
}

/* ---- replies ---- */

/* Whether replies of type mime are gzipped for the clients that take it:
 * the pages and the bundles (text that compresses well); not what is
 * compressed already, binary, or always short. */
static bool compressible(const char *mime)
{
	return strncmp(mime, "text/html", 9) == 0 ||
	       strncmp(mime, "application/json", 16) == 0;
}

/* Sets resp as the reply.  body: its bytes when they live as long as
 * resp does (so the reply can be compressed later), else NULL. */
static void reply_set(struct http_request *rq, unsigned code, const char *mime,
		      struct MHD_Response *resp, const void *body, size_t len)
{
	if (resp == NULL) {
		/* Out of memory: no reply; the last call answers 500 or the
		 * connection is closed. */
		return;
	}
	rq->response = resp;
	rq->code = code;
	rq->resp_len = len;
	if (mime != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					mime);
	if (body != NULL && mime != NULL && compressible(mime) &&
	    (rq->route == NULL || !rq->route->no_gzip)) {
		rq->zbody = body;
		rq->zbody_len = len;
	}
}

void http_reply(struct http_request *rq, unsigned code, const char *mime,
		const void *body, size_t len)
{
	if (rq->response != NULL)
		return;
	reply_set(rq, code, mime,
		  MHD_create_response_from_buffer(len, (void *)body,
						  MHD_RESPMEM_MUST_COPY),
		  NULL, len);
}

void http_reply_static(struct http_request *rq, unsigned code, const char *mime,
		       const void *body, size_t len)
{
	if (rq->response != NULL)
		return;
	reply_set(rq, code, mime,
		  MHD_create_response_from_buffer(len, (void *)body,
						  MHD_RESPMEM_PERSISTENT),
		  body, len);
}

void http_reply_buf(struct http_request *rq, unsigned code, const char *mime,
		    struct buf *b)
{
	if (rq->response != NULL) {
		buf_free(b);
		return;
	}
	if (b->len == 0) {
		buf_free(b);
		http_reply_static(rq, code, mime, "", 0);
		return;
	}
	size_t len = 0;
	uint8_t *data = buf_steal(b, &len);
	struct MHD_Response *resp =
		MHD_create_response_from_buffer_with_free_callback(len, data,
								   free);
	if (resp == NULL)
		free(data);
	reply_set(rq, code, mime, resp, data, len);
}

void http_reply_header(struct http_request *rq, const char *name,
		       const char *value)
{
	if (rq->shared)
		return; /* queued, and others' to send too */
	if (rq->response != NULL)
		MHD_add_response_header(rq->response, name, value);
	if (rq->zresponse != NULL)
		MHD_add_response_header(rq->zresponse, name, value);
}

bool http_replied(const struct http_request *rq)
{
	return rq->response != NULL;
}

unsigned http_reply_status(const struct http_request *rq)
{
	return rq->response != NULL ? rq->code : 0;
}

/* Copies printable ASCII of s into out; anything else becomes '?'. */
static void ascii_only(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static bool wants_html(const struct http_request *rq)
{
	if (rq->route != NULL)
		return rq->route->html;
	const char *accept = http_header(rq, MHD_HTTP_HEADER_ACCEPT);
	return accept != NULL && strstr(accept, "text/html") != NULL;
}

static void reply_error_v(struct http_request *rq, unsigned code,
			  const char *name, unsigned retry_after,
			  const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static void reply_error_v(struct http_request *rq, unsigned code,
			  const char *name, unsigned retry_after,
			  const char *fmt, va_list ap)
{
	if (rq->response != NULL)
		return;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	ascii_only(msg);
	if (wants_html(rq) && rq->srv->html_error != NULL) {
		struct buf b;
		buf_init(&b, 1u << 20);
		if (rq->srv->html_error(rq, code, msg, &b) == ST_OK)
			http_reply_buf(rq, code, "text/html; charset=utf-8",
				       &b);
		buf_free(&b);
	}
	if (rq->response != NULL) {
		/* the page made by the hook */
	} else if (wants_html(rq)) {
		struct buf b;
		buf_init(&b, 4096);
		buf_printf(&b,
			   "<!doctype html>\n<html lang=\"en\"><head><meta "
			   "charset=\"utf-8\"><meta name=\"viewport\" "
			   "content=\"width=device-width, initial-scale=1\">"
			   "<title>%u</title></head><body><main><h1>%u</h1>"
			   "<p>",
			   code, code);
		for (const char *c = msg; *c; c++) {
			switch (*c) {
			case '<':
				buf_append_str(&b, "&lt;");
				break;
			case '>':
				buf_append_str(&b, "&gt;");
				break;
			case '&':
				buf_append_str(&b, "&amp;");
				break;
			case '"':
				buf_append_str(&b, "&quot;");
				break;
			case '\'':
				buf_append_str(&b, "&#39;");
				break;
			default:
				buf_append(&b, c, 1);
			}
		}
		buf_append_str(&b, "</p><p><a href=\"/\">sanilog</a></p>"
				   "</main></body></html>\n");
		http_reply_buf(rq, code, "text/html; charset=utf-8", &b);
	} else {
		json_t *j = json_pack("{s:{s:s, s:s}}", "error", "code", name,
				      "message", msg);
		char *text = j != NULL ? json_dumps(j, JSON_PRESERVE_ORDER |
							       JSON_COMPACT)
				       : NULL;
		json_decref(j);
		if (text != NULL) {
			struct buf b;
			buf_init(&b, strlen(text) + 1);
			if (buf_append_str(&b, text) == ST_OK &&
			    buf_append(&b, "\n", 1) == ST_OK)
				http_reply_buf(rq, code, "application/json",
					       &b);
			buf_free(&b);
			free(text);
		}
	}
	if (rq->response == NULL)
		return;
	http_reply_header(rq, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (retry_after > 0 || code == 429 || code == 503) {
		char ra[16];
		snprintf(ra, sizeof ra, "%u",
			 retry_after > 0 ? retry_after : 1);
		http_reply_header(rq, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
}

void http_reply_error(struct http_request *rq, enum status st,
		      unsigned retry_after, const char *fmt, ...)
{
	va_list ap;
	if (st == ST_FULL && retry_after == 0)
		retry_after = HTTP_RETRY_FULL;
	va_start(ap, fmt);
	reply_error_v(rq, (unsigned)status_http(st), status_str(st),
		      retry_after, fmt, ap);
	va_end(ap);
}

void http_reply_error_code(struct http_request *rq, unsigned code,
			   const char *name, unsigned retry_after,
			   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	reply_error_v(rq, code, name, retry_after, fmt, ap);
	va_end(ap);
}

/* Adds Accept-Encoding to r's Vary header (one header, whatever the
 * route put there). */
static void vary_encoding(struct MHD_Response *r)
{
	const char *v = MHD_get_response_header(r, MHD_HTTP_HEADER_VARY);
	char both[256];
	if (v == NULL) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY,
					"Accept-Encoding");
		return;
	}
	if (strstr(v, "Accept-Encoding") != NULL)
		return;
	int n = snprintf(both, sizeof both, "%s, Accept-Encoding", v);
	if (n < 0 || (size_t)n >= sizeof both)
		return; /* a Vary that long is our bug; leave it be */
	MHD_del_response_header(r, MHD_HTTP_HEADER_VARY, v);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, both);
}

/* The security headers of every reply beside its Content-Security-Policy
 * (secure, reply_too_long). */
static const struct {
	const char *name, *value;
} security_headers[] = {
	{MHD_HTTP_HEADER_X_CONTENT_TYPE_OPTIONS, "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{MHD_HTTP_HEADER_X_FRAME_OPTIONS, "DENY"},
};

/* The security headers, and Vary on compressible replies, once all the
 * route's headers are in.  A route's own Content-Security-Policy (a
 * document's sandbox) stands alone: a second policy would be enforced
 * beside it, not instead. */
static void secure(struct http_request *rq)
{
	struct MHD_Response *r = rq->response;
	if (rq->secured)
		return;
	rq->secured = true;
	if (MHD_get_response_header(r, HTTP_HEADER_CSP) == NULL)
		MHD_add_response_header(r, HTTP_HEADER_CSP, HTTP_CSP);
	for (size_t i = 0; i < ARRAY_COUNT(security_headers); i++)
		MHD_add_response_header(r, security_headers[i].name,
					security_headers[i].value);
	if (rq->zbody != NULL)
		vary_encoding(r);
}

/* in[0..len) gzip-compressed at level (zlib's 1 to 9) into a new buffer
 * (free with free), or NULL when memory ran out or it would not be
 * smaller. */
static uint8_t *gzip_bytes(const uint8_t *in, size_t len, int level,
			   size_t *out_len)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	/* 15 + 16: a 32 KiB window, written with the gzip header. */
	if (len > UINT32_MAX || deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8,
					     Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t cap = deflateBound(&zs, (uLong)len);
	uint8_t *out = malloc(cap);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	int r = out != NULL ? deflate(&zs, Z_FINISH) : Z_MEM_ERROR;
	deflateEnd(&zs);
	if (r != Z_STREAM_END || zs.total_out >= len) {
		free(out);
		return NULL;
	}
	*out_len = zs.total_out;
	return out;
}

static enum MHD_Result copy_header(void *cls, enum MHD_ValueKind kind,
				   const char *key, const char *value)
{
	struct MHD_Response **to = cls;
	if (kind == MHD_HEADER_KIND &&
	    MHD_add_response_header(*to, key, value) != MHD_YES) {
		MHD_destroy_response(*to);
		*to = NULL;
		return MHD_NO;
	}
	return MHD_YES;
}

/* Makes rq->zresponse, the reply gzipped at level with the same headers
 * and Content-Encoding: gzip, unless it exists, the reply is not
 * compressible, or it cannot be made (then the reply goes as it is).
 * After secure(). */
static void gzip_variant(struct http_request *rq, int level)
{
	size_t zlen = 0;
	uint8_t *z = NULL;
	if (rq->zresponse != NULL || rq->zbody == NULL ||
	    rq->zbody_len < GZIP_MIN ||
	    (z = gzip_bytes(rq->zbody, rq->zbody_len, level, &zlen)) == NULL)
		return;
	struct MHD_Response *zr =
		MHD_create_response_from_buffer_with_free_callback(zlen, z,
								   free);
	if (zr == NULL) {
		free(z);
		return;
	}
	MHD_get_response_headers(rq->response, copy_header, &zr);
	if (zr != NULL &&
	    MHD_add_response_header(zr, MHD_HTTP_HEADER_CONTENT_ENCODING,
				    "gzip") != MHD_YES) {
		MHD_destroy_response(zr);
		zr = NULL;
	}
	rq->zresponse = zr;
	rq->zlen = zlen;
}

/* Sends the reply with the security headers. */
static enum MHD_Result reply_queue(struct http_request *rq)
{
	if (rq->queued)
		return MHD_YES; /* a shared reply, sent by http_reply_shared */
	if (rq->response == NULL)
		http_reply_error(rq, ST_INTERNAL, 0, "no reply");
	if (rq->response == NULL)
		return MHD_NO;
	secure(rq);
	struct MHD_Response *r = rq->response;
	if (rq->gzip_ok) {
		gzip_variant(rq, Z_DEFAULT_COMPRESSION);
		if (rq->zresponse != NULL) {
			r = rq->zresponse;
			rq->resp_len = rq->zlen;
		}
	}
	enum MHD_Result ok = MHD_queue_response(rq->conn, rq->code, r);
	rq->queued = ok == MHD_YES;
	return ok;
}

struct http_shared {
	unsigned code;
	struct MHD_Response *r, *z; /* z: gzipped, or NULL */
	uint64_t len, zlen;
};

struct http_shared *http_reply_share(struct http_request *rq)
{
	if (rq->response == NULL || rq->shared || rq->queued)
		return NULL;
	struct http_shared *sh = calloc(1, sizeof *sh);
	if (sh == NULL)
		return NULL;
	secure(rq);
	/* Made once for every later client, so at the best level. */
	gzip_variant(rq, Z_BEST_COMPRESSION);
	/* The request's own reply is queued now, while the response is still
	 * only its own: once shared, another thread may replace it in the
	 * cache and destroy it, and in libmicrohttpd only a queued response
	 * holds a reference that keeps it alive. */
	bool z = rq->gzip_ok && rq->zresponse != NULL;
	if (MHD_queue_response(rq->conn, rq->code,
			       z ? rq->zresponse : rq->response) != MHD_YES) {
		free(sh);
		return NULL;
	}
	sh->code = rq->code;
	sh->r = rq->response;
	sh->len = rq->resp_len; /* the plain body's, before it says the sent */
	sh->z = rq->zresponse;
	sh->zlen = rq->zlen;
	rq->queued = true;
	if (z)
		rq->resp_len = rq->zlen;
	rq->shared = true;
	return sh;
}

bool http_reply_shared(struct http_request *rq, const struct http_shared *sh)
{
	if (rq->response != NULL || rq->queued)
		return false;
	bool z = rq->gzip_ok && sh->z != NULL;
	if (MHD_queue_response(rq->conn, sh->code, z ? sh->z : sh->r) !=
	    MHD_YES)
		return false;
	rq->queued = true;
	rq->code = sh->code;
	rq->resp_len = z ? sh->zlen : sh->len;
	return true;
}

void http_shared_free(struct http_shared *sh)
{
	if (sh == NULL)
		return;
	MHD_destroy_response(sh->r);
	if (sh->z != NULL)
		MHD_destroy_response(sh->z);
	free(sh);
}

/* ---- request accessors ---- */

void *http_app(const struct http_request *rq)
{
	return rq->srv->app;
}

const char *http_path(const struct http_request *rq)
{
	return rq->path;
}

const char *http_param(const struct http_request *rq, size_t i)
{
	return i < HTTP_PARAMS_MAX ? rq->params[i] : NULL;
}

const char *http_query(const struct http_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *http_header(const struct http_request *rq, const char *name)
{
	if (rq->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

bool http_accepts_gzip(const struct http_request *rq)
{
	return rq->gzip_ok;
}

const struct sockaddr *http_client(const struct http_request *rq)
{
	return (const struct sockaddr *)&rq->client;
}

void http_set_state(struct http_request *rq, void *state,
		    void (*free_fn)(void *state))
{
	rq->state = state;
	rq->state_free = free_fn;
}

void *http_state(const struct http_request *rq)
{
	return rq->state;
}

struct MHD_Connection *http_connection(const struct http_request *rq)
{
	return rq->conn;
}

void http_suspend(struct http_request *rq)
{
	MHD_suspend_connection(rq->conn);
}

void http_resume(struct http_request *rq)
{
	MHD_resume_connection(rq->conn);
}

void http_addr_str(const struct sockaddr *sa, char *out, size_t outsize)
{
	const void *a = NULL;
	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a == NULL ||
	    inet_ntop(sa->sa_family, a, out, (socklen_t)outsize) == NULL)
		snprintf(out, outsize, "-");
}

bool http_parse_ip(const char *s, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)(void *)ss;
	if (inet_pton(AF_INET, s, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

/* A request from the trusted proxy: the client is the address the proxy
 * put last in X-Forwarded-For (the ones before it, the client could have
 * written itself).  Left as it is if there is none or it is not an IP
 * address. */
static void forwarded_client(struct http_request *rq)
{
	const char *xff = http_header(rq, "X-Forwarded-For");
	if (xff == NULL)
		return;
	const char *last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	char ip[INET6_ADDRSTRLEN];
	size_t n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof ip || last[n + strspn(last + n, " \t")] != 0)
		return;
	memcpy(ip, last, n);
	ip[n] = 0;
	struct sockaddr_storage ss;
	if (http_parse_ip(ip, &ss))
		rq->client = ss;
}

/* Keeps the value of the last X-Forwarded-Proto header line. */
static enum MHD_Result last_proto(void *cls, enum MHD_ValueKind kind,
				  const char *key, const char *value)
{
	(void)kind;
	if (key != NULL && strcasecmp(key, "X-Forwarded-Proto") == 0)
		*(const char **)cls = value;
	return MHD_YES;
}

bool http_forwarded_https(const struct http_request *rq)
{
	const char *p = NULL;
	if (rq->via_proxy)
		MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, last_proto,
					  &p);
	if (p == NULL)
		return false;
	/* The proxy's own value is the last one. */
	const char *last = strrchr(p, ',');
	last = last != NULL ? last + 1 : p;
	last += strspn(last, " \t");
	size_t n = strcspn(last, " \t");
	return n == 5 && strncasecmp(last, "https", 5) == 0 &&
	       last[n + strspn(last + n, " \t")] == 0;
}

/* ---- the callbacks ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *srv = cls;
	size_t n = strnlen(uri, HTTP_URI_MAX + 1);
	const char *q = memchr(uri, '?', n);
	size_t plen = q != NULL ? (size_t)(q - uri) : n;
	if (plen > HTTP_URI_MAX)
		plen = HTTP_URI_MAX;
	struct http_request *rq = calloc(1, sizeof *rq + 2 * (plen + 1));
	if (rq == NULL)
		return NULL;
	rq->path = rq->mem;
	rq->scratch = rq->mem + plen + 1;
	rq->too_long = n > HTTP_URI_MAX;
	rq->target = uri;
	rq->target_len = n > HTTP_URI_MAX ? n + strlen(uri + n) : n;
	rq->srv = srv;
	rq->conn = conn;
	clock_gettime(CLOCK_MONOTONIC, &rq->t0);
	snprintf(rq->method_str, sizeof rq->method_str, "-");
	atomic_fetch_add(&srv->in_flight, 1);

	const union MHD_ConnectionInfo *sc = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	rq->slot = sc != NULL ? sc->socket_context : NULL;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL) {
		size_t alen = ci->client_addr->sa_family == AF_INET6
				      ? sizeof(struct sockaddr_in6)
				      : sizeof(struct sockaddr_in);
		memcpy(&rq->client, ci->client_addr, alen);
	}
	memcpy(rq->path, uri, plen);
	rq->path[plen] = 0;
	rq->bad_path = !path_ok(rq->path);
	return rq;
}

/* The body's announced length, if any. */
static bool content_length(struct http_request *rq, uint64_t *len)
{
	const char *cl = http_header(rq, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl == NULL)
		return false;
	uint64_t v = 0;
	for (const char *c = cl; *c; c++) {
		if (*c < '0' || *c > '9' || v > UINT64_MAX / 10 - 1)
			return false;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	*len = v;
	return true;
}

/* Whether an Accept-Encoding header allows gzip (and does not say
 * "gzip;q=0"). */
static bool accepts_gzip(const char *ae)
{
	for (const char *p = ae; p != NULL && (p = strstr(p, "gzip")) != NULL;
	     p += 4) {
		bool start = p == ae || p[-1] == ' ' || p[-1] == ',';
		const char *q = p + 4;
		while (*q == ' ')
			q++;
		if (!start || (*q != 0 && *q != ',' && *q != ';'))
			continue;
		if (*q != ';')
			return true;
		q++;
		while (*q == ' ')
			q++;
		if (strncmp(q, "q=", 2) != 0)
			return true;
		for (q += 2; *q == '0' || *q == '.'; q++)
			;
		return *q >= '1' && *q <= '9';
	}
	return false;
}

/*
 * Refuses, as RFC 9112 asks, a request whose head would let its framing
 * be read two ways (by a proxy in front and by this server): sets the
 * reply and rq->close.  In order: a NUL byte in the request target (400;
 * libmicrohttpd would cut the path there), a field name that is not a
 * token, such as one with a space before its colon (400), no Host in
 * HTTP/1.1 or two Host fields (400), Content-Length fields that differ
 * (400), Transfer-Encoding with Content-Length or in HTTP/1.0 (400), a
 * transfer coding other than chunked (501), chunked twice (400).  And
 * a head that takes more than HTTP_HEAD_MAX of the connection's memory,
 * counting what libmicrohttpd keeps of each field, cookie and argument
 * (431): the memory is four times that, so that the reply's head always
 * finds room (a head of many cookies left none, and the connection closed
 * without an answer).  url and version are on_request's.
 */
static void check_framing(struct http_request *rq, const char *url,
			  const char *version)
{
	struct http_framing f;
	bool http10 = strcmp(version, MHD_HTTP_VERSION_1_0) == 0;
	/* libmicrohttpd 0.9.75 parses the request line in place: the
	 * target, a NUL where the space after it was, the version.  A
	 * version further on than the target's strlen says there is a NUL
	 * byte in the target. */
	uintptr_t t = (uintptr_t)rq->target, v = (uintptr_t)version;
	bool nul = url == rq->target && v > t && v - t - 1 != rq->target_len;
	const char *why = NULL;
	unsigned code = 400;
	http_framing_read(rq->conn, rq->target_len, &f);
	if (f.head > HTTP_HEAD_MAX) {
		http_reply_error_code(rq, 431, "header_too_large", 0,
				      "request head over %u bytes "
				      "(counting %u a field, cookie and "
				      "argument)",
				      HTTP_HEAD_MAX, HTTP_HEAD_RECORD);
		rq->close = true;
		return;
	}
	if (nul)
		why = "request target: a NUL byte";
	else if (f.bad_name)
		why = "a header field name with a space or a character not "
		      "allowed there";
	else if (f.hosts > 1 || (f.hosts == 0 && !http10))
		why = "Host: needed, once";
	else if (f.lengths_differ)
		why = "Content-Length: given twice, differently";
	else if (f.coded && (f.length != NULL || http10))
		why = "Transfer-Encoding: not with Content-Length, nor in "
		      "HTTP/1.0";
	else if (f.other_coding)
		code = 501;
	else if (f.coded && f.chunked != 1)
		why = "Transfer-Encoding: chunked, once";
	if (code == 501)
		http_reply_error_code(rq, 501, "not_implemented", 0,
				      "Transfer-Encoding: only chunked is "
				      "implemented");
	else if (why != NULL)
		http_reply_error(rq, ST_INVALID, 0, "%s", why);
	else
		return;
	rq->close = true;
}

/*
 * Answers 414 by writing it to the socket here, and closes the
 * connection (returns MHD_NO).  libmicrohttpd keeps a request's head and
 * then makes its reply's head in one block of memory a connection
 * (MHD_OPTION_CONNECTION_MEMORY_LIMIT): a target just short of filling it
 * leaves no room for the reply, and the connection would close without
 * one; this reply needs none of it.  Nothing of the request has been
 * answered yet, and nothing is sent after it.  On HEAD, the head only.
 */
static enum MHD_Result reply_too_long(struct http_request *rq)
{
	char body[160], date[64];
	struct buf b;
	time_t now = time(NULL);
	struct tm tm;
	int blen = snprintf(body, sizeof body,
			    "{\"error\":{\"code\":\"uri_too_long\","
			    "\"message\":\"request target over %d bytes\"}}\n",
			    HTTP_URI_MAX);
	bool head = strcmp(rq->method_str, MHD_HTTP_METHOD_HEAD) == 0;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		return MHD_NO;
	buf_init(&b, 4096);
	enum status r = buf_printf(&b,
				   "HTTP/1.1 414 URI Too Long\r\n"
				   "Date: %s\r\nConnection: close\r\n"
				   "Content-Type: application/json\r\n"
				   "Content-Length: %d\r\n"
				   "Cache-Control: no-store\r\n%s: %s\r\n",
				   date, blen, HTTP_HEADER_CSP, HTTP_CSP);
	for (size_t i = 0; r == ST_OK && i < ARRAY_COUNT(security_headers); i++)
		r = buf_printf(&b, "%s: %s\r\n", security_headers[i].name,
			       security_headers[i].value);
	if (r == ST_OK)
		r = buf_append(&b, "\r\n", 2);
	if (r == ST_OK && !head)
		r = buf_append(&b, body, (size_t)blen);
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		rq->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (r == ST_OK && ci != NULL &&
	    send(ci->connect_fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT) ==
		    (ssize_t)b.len) {
		rq->queued = true;
		rq->code = 414;
		rq->resp_len = head ? 0 : (uint64_t)blen;
	}
	buf_free(&b);
	/* libmicrohttpd closes the connection (and logs that the
	 * application did). */
	return MHD_NO;
}

/* The first call: headers are in. */
static void request_begin(struct http_request *rq, const char *url,
			  const char *method, const char *version)
{
	snprintf(rq->method_str, sizeof rq->method_str, "%s", method);
	ascii_only(rq->method_str);
	rq->gzip_ok =
		accepts_gzip(http_header(rq, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	if (strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0)
		rq->method = HTTP_GET;
	else if (strcmp(method, MHD_HTTP_METHOD_POST) == 0)
		rq->method = HTTP_POST;

	uint64_t cl = 0;
	bool has_cl = content_length(rq, &cl);
	rq->has_body =
		(has_cl && cl > 0) ||
		http_header(rq, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;

	if (rq->too_long)
		return; /* reply_too_long */
	check_framing(rq, url, version);
	if (rq->response != NULL)
		return;
	if (rq->via_proxy) {
		if (!conns_forwarded(rq->srv->conns, rq->slot, &rq->client)) {
			http_reply_error(rq, ST_RATE_LIMITED, 1,
					 "too many requests at once from "
					 "this address");
			return;
		}
		rq->counted = true;
	}
	if (rq->bad_path) {
		http_reply_error(rq, ST_NOT_FOUND, 0, "no such path");
		return;
	}
	rq->route = route_find(rq);
	if (rq->route == NULL)
		return;
	if (has_cl && cl > rq->route->body_max) {
		http_reply_error(rq, ST_TOO_LARGE, 0,
				 "body of %llu bytes; at most %zu here",
				 (unsigned long long)cl, rq->route->body_max);
		return;
	}
	if (rq->route->start != NULL && !rq->route->start(rq) &&
	    rq->response == NULL)
		http_reply_error(rq, ST_INTERNAL, 0, "refused");
}

/* The deadline of rq's body: the request's time after its head, and a
 * second more for every HTTP_BODY_RATE_MIN bytes come. */
static void body_deadline(struct http_request *rq)
{
	if (rq->srv->request_ms > 0)
		conns_deadline(rq->slot, rq->body_t0_ms + rq->srv->request_ms +
						 (int64_t)(rq->body_len * 1000 /
							   HTTP_BODY_RATE_MIN));
}

/* The deadline of the next request's head on a connection: the
 * request's time from now. */
static int64_t head_deadline(const struct http_server *srv)
{
	return srv->request_ms > 0 ? conns_now_ms() + srv->request_ms : 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	struct http_request *rq = *con_cls;
	if (rq == NULL)
		return MHD_NO; /* no memory for a context: close */
	rq->conn = conn;

	if (rq->phase == PHASE_NEW) {
		rq->phase = PHASE_BODY;
		if (rq->srv->has_proxy &&
		    conns_same_host((const struct sockaddr *)&rq->client,
				    (const struct sockaddr *)&rq->srv->proxy)) {
			rq->via_proxy = true;
			forwarded_client(rq);
		}
		request_begin(rq, url, method, version);
		if (rq->too_long)
			return reply_too_long(rq);
		if (rq->response != NULL && (rq->has_body || rq->close)) {
			conns_deadline(rq->slot, 0); /* answered */
			return reply_queue(rq);	     /* the body is not read */
		}
		rq->body_t0_ms = conns_now_ms();
		body_deadline(rq);
		return MHD_YES;
	}

	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		rq->body_len += n;
		body_deadline(rq);
		if (rq->response != NULL)
			return rq->body_len > DISCARD_MAX ? MHD_NO : MHD_YES;
		if (rq->route == NULL || rq->body_len > rq->route->body_max) {
			http_reply_error(rq, ST_TOO_LARGE, 0,
					 "body over %zu bytes",
					 rq->route != NULL ? rq->route->body_max
							   : (size_t)0);
			return MHD_YES;
		}
		if (rq->route->body != NULL &&
		    !rq->route->body(rq, upload_data, n) &&
		    rq->response == NULL)
			http_reply_error(rq, ST_INVALID, 0, "malformed body");
		return MHD_YES;
	}

	rq->phase = PHASE_DONE;
	conns_deadline(rq->slot, 0); /* in, and being answered */
	if (rq->response == NULL && rq->route != NULL &&
	    rq->route->handle(rq) == HTTP_SUSPENDED)
		return MHD_YES;
	return reply_queue(rq);
}

static void access_log(const struct http_request *rq, uint64_t us)
{
	char addr[INET6_ADDRSTRLEN + 1], path[200], line[400];
	size_t k = 0;
	http_addr_str((const struct sockaddr *)&rq->client, addr, sizeof addr);
	/* The path only: never the query, a header or a cookie. */
	for (const char *c = rq->path; *c && k + 5 < sizeof path; c++) {
		unsigned char ch = (unsigned char)*c;
		if (ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\')
			k += (size_t)snprintf(path + k, sizeof path - k,
					      "\\x%02x", ch);
		else
			path[k++] = (char)ch;
	}
	path[k] = 0;
	int n = snprintf(line, sizeof line,
			 "%s \"%s %s%s\" %u %llu %llu.%03llums\n", addr,
			 rq->method_str, path, rq->too_long ? "..." : "",
			 rq->queued ? rq->code : 0u,
			 (unsigned long long)(rq->queued ? rq->resp_len : 0),
			 (unsigned long long)(us / 1000),
			 (unsigned long long)(us % 1000));
	if (n > 0) {
		size_t len =
			(size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
		if (write(STDERR_FILENO, line, len) < 0) {
			/* nowhere to report it */
		}
	}
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	struct http_server *srv = cls;
	struct http_request *rq = *con_cls;
	if (rq == NULL)
		return;
	*con_cls = NULL;
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int64_t us = (int64_t)(t1.tv_sec - rq->t0.tv_sec) * 1000000 +
		     (t1.tv_nsec - rq->t0.tv_nsec) / 1000;
	if (us < 0)
		us = 0;
	if (rq->queued) {
		size_t row = rq->route != NULL
				     ? (size_t)(rq->route - srv->routes)
				     : srv->nroutes;
		size_t col = NCODES - 1;
		for (size_t i = 0; i + 1 < NCODES; i++)
			if (metric_codes[i] == rq->code)
				col = i;
		atomic_fetch_add(&srv->counts[row * NCODES + col], 1);
		size_t b = 0;
		while (b < NBUCKETS && (uint64_t)us > latency_le_us[b])
			b++;
		atomic_fetch_add(&srv->buckets[b], 1);
		atomic_fetch_add(&srv->latency_sum_us, (uint64_t)us);
	}
	if (srv->access_log)
		access_log(rq, (uint64_t)us);
	if (rq->counted)
		conns_forwarded_done(srv->conns, rq->slot);
	conns_deadline(rq->slot, head_deadline(srv));
	if (rq->state_free != NULL)
		rq->state_free(rq->state);
	if (rq->response != NULL && !rq->shared)
		MHD_destroy_response(rq->response);
	if (rq->zresponse != NULL && !rq->shared)
		MHD_destroy_response(rq->zresponse);
	free(rq);
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512], line[560];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = 0;
	int k = snprintf(line, sizeof line, "sanilog: http: %s\n", msg);
	if (k > 0 &&
	    write(STDERR_FILENO, line,
		  (size_t)k < sizeof line ? (size_t)k : sizeof line - 1) < 0) {
		/* nowhere to report it */
	}
}

/* A new connection, before libmicrohttpd takes it: refused when its
 * address has as many open as it may. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr,
				 socklen_t addrlen)
{
	struct http_server *srv = cls;
	(void)addrlen;
	return conns_admit(srv->conns, addr) ? MHD_YES : MHD_NO;
}

/* A connection opened (its head is due within the request's time) or
 * closed (before its socket is). */
static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *srv = cls;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		conns_close(srv->conns, *socket_context);
		*socket_context = NULL;
		return;
	}
	const union MHD_ConnectionInfo *fd = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *ca = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	*socket_context =
		fd == NULL ? NULL
			   : conns_open(srv->conns, fd->connect_fd,
					ca != NULL ? ca->client_addr : NULL,
					head_deadline(srv));
}

/* ---- the server ---- */

enum status http_server_new(const struct http_config *cfg,
			    const struct http_route *routes, size_t nroutes,
			    void *app, struct http_server **out, struct err *e)
{
	struct http_server *srv = calloc(1, sizeof *srv);
	*out = NULL;
	if (srv == NULL ||
	    (srv->counts = calloc((nroutes + 1) * NCODES,
				  sizeof *srv->counts)) == NULL) {
		free(srv);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	srv->routes = routes;
	srv->nroutes = nroutes;
	srv->app = app;
	srv->access_log = cfg->access_log;
	srv->has_proxy = cfg->has_proxy;
	srv->proxy = cfg->proxy;
	srv->html_error = cfg->html_error;
	srv->request_ms = (int64_t)cfg->request_timeout * 1000;
	atomic_init(&srv->in_flight, 0);
	if (conns_new(cfg->max_per_address, REAP_TICK_MS,
		      cfg->has_proxy ? &cfg->proxy : NULL,
		      &srv->conns) != ST_OK) {
		free(srv->counts);
		free(srv);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (cfg->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* A pool of one thread is no pool: libmicrohttpd warns about it. */
	struct MHD_OptionItem pool[] = {
		{cfg->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE
				  : MHD_OPTION_END,
		 (intptr_t)cfg->threads, NULL},
		{MHD_OPTION_END, 0, NULL},
	};
	srv->daemon = MHD_start_daemon(
		flags, 0, on_accept, srv, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&cfg->addr,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(4 * HTTP_HEAD_MAX),
		MHD_OPTION_ARRAY, pool, MHD_OPTION_END);
	if (srv->daemon == NULL) {
		conns_free(srv->conns);
		free(srv->counts);
		free(srv);
		return err_set(e, ST_IO,
			       "cannot listen there (address in use, or not "
			       "an address of this machine?)");
	}
	const union MHD_DaemonInfo *di =
		MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di != NULL ? di->port : 0;
	*out = srv;
	return ST_OK;
}

unsigned http_server_port(const struct http_server *srv)
{
	return srv->port;
}

void http_server_quiesce(struct http_server *srv)
{
	MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

unsigned http_server_wait_idle(struct http_server *srv, unsigned timeout_ms)
{
	for (unsigned waited = 0;; waited += 10) {
		unsigned n = atomic_load(&srv->in_flight);
		if (n == 0 || waited >= timeout_ms)
			return n;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

void http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	MHD_stop_daemon(srv->daemon);
	conns_free(srv->conns);
	free(srv->counts);
	free(srv);
}

/* The name of a row of the counts: a route's, or "none" for the last. */
static const char *route_name(const struct http_server *srv, size_t row)
{
	return row < srv->nroutes ? srv->routes[row].name : "none";
}

enum status http_metrics_format(struct http_server *srv, struct buf *out)
{
	enum status r = buf_append_str(
		out,
		"# HELP sanilog_http_requests_total HTTP requests answered, "
		"by route and status.\n"
		"# TYPE sanilog_http_requests_total counter\n");
	/* Routes of one name (a poster's formats) make one series. */
	for (size_t row = 0; row <= srv->nroutes && r == ST_OK; row++) {
		const char *name = route_name(srv, row);
		bool first = true;
		for (size_t k = 0; k < row && first; k++)
			first = strcmp(route_name(srv, k), name) != 0;
		for (size_t col = 0; first && col < NCODES && r == ST_OK;
		     col++) {
			uint64_t v = 0;
			for (size_t k = row; k <= srv->nroutes; k++)
				if (strcmp(route_name(srv, k), name) == 0)
					v += atomic_load(
						&srv->counts[k * NCODES + col]);
			if (v == 0)
				continue;
			char code[8];
			if (col + 1 < NCODES)
				snprintf(code, sizeof code, "%u",
					 metric_codes[col]);
			else
				snprintf(code, sizeof code, "other");
			r = buf_printf(
				out,
				"sanilog_http_requests_total{route=\"%s\","
				"code=\"%s\"} %llu\n",
				name, code, (unsigned long long)v);
		}
	}
	if (r == ST_OK)
		r = buf_append_str(
			out, "# HELP sanilog_http_request_duration_seconds "
			     "Time from request line to response sent.\n"
			     "# TYPE sanilog_http_request_duration_seconds "
			     "histogram\n");
	uint64_t cum = 0;
	for (size_t b = 0; b <= NBUCKETS && r == ST_OK; b++) {
		cum += atomic_load(&srv->buckets[b]);
		char le[24];
		if (b < NBUCKETS)
			snprintf(le, sizeof le, "%g",
				 (double)latency_le_us[b] / 1e6);
		else
			snprintf(le, sizeof le, "+Inf");
		r = buf_printf(out,
			       "sanilog_http_request_duration_seconds_bucket"
			       "{le=\"%s\"} %llu\n",
			       le, (unsigned long long)cum);
	}
	if (r == ST_OK)
		r = buf_printf(
			out,
			"sanilog_http_request_duration_seconds_sum %.6f\n"
			"sanilog_http_request_duration_seconds_count %llu\n"
			"# HELP sanilog_http_requests_in_flight Requests being "
			"handled.\n"
			"# TYPE sanilog_http_requests_in_flight gauge\n"
			"sanilog_http_requests_in_flight %u\n",
			(double)atomic_load(&srv->latency_sum_us) / 1e6,
			(unsigned long long)cum, atomic_load(&srv->in_flight));
	uint64_t refused = 0, timed_out = 0;
	conns_stats(srv->conns, &refused, &timed_out);
	if (r == ST_OK)
		r = buf_printf(
			out,
			"# HELP sanilog_http_connections_refused_total "
			"Connections refused: their address had as many open "
			"as it may.\n"
			"# TYPE sanilog_http_connections_refused_total "
			"counter\n"
			"sanilog_http_connections_refused_total %llu\n"
			"# HELP sanilog_http_connections_timed_out_total "
			"Connections closed: a request did not arrive in its "
			"time.\n"
			"# TYPE sanilog_http_connections_timed_out_total "
			"counter\n"
			"sanilog_http_connections_timed_out_total %llu\n",
			(unsigned long long)refused,
			(unsigned long long)timed_out);
	return r;
}
