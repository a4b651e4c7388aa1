/*
 * http.h: sanilog's HTTP server on libmicrohttpd.
 *
 * What every request shares, whatever its route:
 *   - a routing table (struct http_route): a path pattern, the methods it
 *     takes, the largest body it accepts, and its callbacks; a path that
 *     no route matches is 404, a method a route does not take is 405 with
 *     Allow; HEAD is answered as GET (without the body);
 *   - one request context (struct http_request), made when the request
 *     line arrives (MHD_OPTION_URI_LOG_CALLBACK) and freed in exactly one
 *     place, the MHD_OPTION_NOTIFY_COMPLETED callback, together with the
 *     state a route hung on it (http_set_state);
 *   - the request's framing is checked before any routing, as RFC 9112
 *     asks of a server behind a proxy: a NUL in the target, a header name
 *     that is not a token (a space before its colon), HTTP/1.1 without
 *     one Host, Content-Length fields that differ, Transfer-Encoding with
 *     Content-Length or in HTTP/1.0, chunked twice: 400; a transfer
 *     coding other than chunked: 501; each answered at once, and the
 *     connection closed after;
 *   - the raw path is checked before any routing: over HTTP_URI_MAX bytes
 *     is 414, whatever the length; any byte outside [A-Za-z0-9._~-], a percent
 * escape, an empty segment (but a trailing slash), a "." or ".." segment
 * reaches no route (404), so that "..", "%2f" and the like never reach a
 * handler;
 *   - bodies are capped while they stream, with or without a
 *     Content-Length (413), and a route sees its body chunk by chunk;
 *   - slow clients are bounded (conns.h): connections at once from one
 *     address, and the time a request's head and body may take to
 *     arrive (http_config); /metrics counts the refused and the cut;
 *   - every response carries the security headers (one
 *     Content-Security-Policy: the strict HTTP_CSP, or the route's own when
 *     it set one; nosniff, Referrer-Policy no-referrer, X-Frame-Options
 *     DENY);
 *   - an HTML or JSON reply (text/html, application/json: the pages and
 *     the bundles) goes gzip-compressed, with Content-Encoding: gzip, to
 *     a client whose Accept-Encoding takes gzip, unless its route says
 *     no_gzip; every such reply carries Vary: Accept-Encoding (added to
 *     a Vary the route set);
 *   - one access-log line per request on stderr: client address, method,
 *     path (never the query, headers or cookies), status, bytes, time;
 *   - counters by route and status and a latency histogram, written in the
 *     Prometheus text format by http_metrics_format.
 *
 * Threads: libmicrohttpd's internal polling thread, or a pool of them; a
 * handler runs on one of those threads and must not block for long.  A
 * handler that waits for other work suspends the connection (http_suspend)
 * and is called again after http_resume, which any thread may call.
 */
#ifndef SANILOG_HTTP_H
#define SANILOG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/status.h"
#include "core/buf.h"

#define HTTP_URI_MAX 2048 /* longer request targets are answered 414 */
#define HTTP_HEAD_MAX                                                          \
	(16u << 10)	   /* larger request heads: 431 (a                     \
				      connection has 4 times that) */
#define HTTP_RETRY_FULL 60 /* Retry-After of a disk full, in seconds */
/* Bytes a second a request's body may come at, on average, once the
 * request's time (http_config.request_timeout) has passed. */
#define HTTP_BODY_RATE_MIN 1024
#define HTTP_PARAMS_MAX	   4 /* captures of one route pattern */

/* Methods a route takes (HEAD is taken wherever GET is). */
enum { HTTP_GET = 1u, HTTP_POST = 2u };

/* Cache-Control values. */
#define HTTP_CACHE_NONE	     "no-cache"
#define HTTP_CACHE_IMMUTABLE "public, max-age=31536000, immutable"

/* The Content-Security-Policy of every response whose route set none. */
#define HTTP_HEADER_CSP "Content-Security-Policy"
#define HTTP_CSP                                                               \
	"default-src 'none'; script-src 'self'; style-src 'self'; "            \
	"img-src 'self' data:; connect-src 'self'; frame-ancestors "           \
	"'none'; base-uri 'none'; form-action 'self'"

struct http_server;
struct http_request;
struct MHD_Response;

/* What a route's handle callback did. */
enum http_next {
	HTTP_DONE,	/* a reply is set (or the server answers 500) */
	HTTP_SUSPENDED, /* it called http_suspend; called again after resume */
};

struct http_route {
	/* "/v/{}/bundle.json": literal segments, "{}" for one segment, a
	 * final "{*}" for one or more.  Captures: http_param(rq, 0), ... */
	const char *pattern;
	const char *name; /* label in /metrics */
	unsigned methods; /* HTTP_GET and/or HTTP_POST */
	size_t body_max;  /* largest body in bytes (0: none) */
	bool html;	  /* errors as an HTML page (else JSON) */
	/* Its replies are never compressed: pages that carry a secret (a
	 * CSRF token, a session's data) beside text a third party may
	 * choose, which compression would let it guess (BREACH). */
	bool no_gzip;
	/* Optional: after the headers, before any body (e.g. checks the
	 * credentials, so that a refused body is never read).  Returns false
	 * after setting a reply. */
	bool (*start)(struct http_request *rq);
	/* Optional: a chunk of the body.  Returns false after setting a
	 * reply; the rest of the body is then discarded. */
	bool (*body)(struct http_request *rq, const char *data, size_t len);
	/* After the whole request: sets the reply, or suspends. */
	enum http_next (*handle)(struct http_request *rq);
};

struct http_config {
	struct sockaddr_storage addr; /* where to listen */
	socklen_t addrlen;
	unsigned threads;	  /* polling threads (1 or more) */
	unsigned max_connections; /* at once */
	unsigned timeout;	  /* seconds of idleness before a close */
	/* Connections at once from one client address (0: no limit); from
	 * the trusted proxy, requests under way at once for one client it
	 * names (429 past it), its own connections being counted only by
	 * max_connections. */
	unsigned max_per_address;
	/* Seconds a request may take to arrive (0: no limit): its head from
	 * the connection's opening or the end of its previous request, then
	 * as long again for its body, and a second more for every
	 * HTTP_BODY_RATE_MIN bytes of it; past that the connection is closed,
	 * however its bytes trickle. */
	unsigned request_timeout;
	bool access_log; /* a line per request on stderr */
	/* Optional: the address of a reverse proxy in front of the server.
	 * A request from it is taken to come from the address the proxy
	 * added last to X-Forwarded-For (for the access log and the rate
	 * limits); from any other address the header is ignored. */
	bool has_proxy;
	struct sockaddr_storage proxy; /* its port is not compared */
	/* Optional: the HTML page of an error on html routes (else a plain
	 * one is made), with the error's message (ASCII, to be escaped); it
	 * must not fail for want of anything but memory. */
	enum status (*html_error)(const struct http_request *rq, unsigned code,
				  const char *detail, struct buf *out);
};

/*
 * Starts serving routes[0..nroutes) (borrowed: they must outlive the
 * server; matched in order).  app is handed to the handlers (http_app).
 * *out is new (free with http_server_free); on failure e says why.
 */
enum status http_server_new(const struct http_config *cfg,
			    const struct http_route *routes, size_t nroutes,
			    void *app, struct http_server **out, struct err *e);

/* The port the server listens on (the real one when 0 was asked). */
unsigned http_server_port(const struct http_server *srv);

/* Stops accepting connections; requests in flight go on. */
void http_server_quiesce(struct http_server *srv);

/* Waits until no request is in flight or timeout_ms passed; returns the
 * number still in flight. */
unsigned http_server_wait_idle(struct http_server *srv, unsigned timeout_ms);

/* Closes every connection and frees the server.  No connection may be
 * suspended.  Accepts NULL. */
void http_server_free(struct http_server *srv);

/* Appends the server's counters (requests by route and status, latency
 * histogram, requests in flight) in the Prometheus text format. */
enum status http_metrics_format(struct http_server *srv, struct buf *out);

/* ---- a request, for the route callbacks (all borrowed) ---- */

void *http_app(const struct http_request *rq);
/* The request's path as it came (only checked to be safe, see above). */
const char *http_path(const struct http_request *rq);
/* Capture i of the route pattern (NUL-terminated), or NULL. */
const char *http_param(const struct http_request *rq, size_t i);
/* A query parameter, decoded, or NULL. */
const char *http_query(const struct http_request *rq, const char *name);
/* A request header, or NULL. */
const char *http_header(const struct http_request *rq, const char *name);
/* Whether the request's Accept-Encoding takes gzip (names it, without
 * q=0). */
bool http_accepts_gzip(const struct http_request *rq);
/* The client's address (never NULL; family AF_UNSPEC when unknown). */
const struct sockaddr *http_client(const struct http_request *rq);
/* Whether the request came through the trusted proxy over https: from
 * its address, with X-Forwarded-Proto https (its last value, of the last
 * such header line: the proxy's own). */
bool http_forwarded_https(const struct http_request *rq);
/* The route's own state: set once, freed by free_fn when the request is
 * done (however it ends). */
void http_set_state(struct http_request *rq, void *state,
		    void (*free_fn)(void *state));
void *http_state(const struct http_request *rq);
/* The libmicrohttpd connection (for MHD_create_post_processor). */
struct MHD_Connection *http_connection(const struct http_request *rq);

/* Suspends the request (from handle only): handle is called again after
 * http_resume.  Resume may be called from any thread, even before handle
 * returned. */
void http_suspend(struct http_request *rq);
void http_resume(struct http_request *rq);

/* ---- the reply: the first one set wins ---- */

/* A reply whose body is copied. */
void http_reply(struct http_request *rq, unsigned code, const char *mime,
		const void *body, size_t len);
/* A reply whose body is static (never freed). */
void http_reply_static(struct http_request *rq, unsigned code, const char *mime,
		       const void *body, size_t len);
/* A reply whose body is b's contents (steals them; b is left empty). */
void http_reply_buf(struct http_request *rq, unsigned code, const char *mime,
		    struct buf *b);
/* A reply whose body is the size bytes of the file open on fd (steals
 * fd: closed once the reply is sent, or at once when it cannot be set),
 * sent from the file (sendfile where it can), never compressed nor held
 * in memory: a document. */
void http_reply_fd(struct http_request *rq, unsigned code, const char *mime,
		   int fd, uint64_t size);
/* As http_reply_buf, for a body that holds a secret (a new owner
 * token): it is never compressed nor shared, and its bytes are wiped
 * (sodium_memzero) when libmicrohttpd frees the reply once it is sent,
 * or at once when the reply cannot be set (another one was). */
void http_reply_secret(struct http_request *rq, unsigned code, const char *mime,
		       struct buf *b);
/* An error reply with status_http(st): JSON {"error": {"code":
 * status_str(st), "message": ...}}, or an HTML page on html routes.
 * ST_BUSY and ST_RATE_LIMITED add Retry-After (retry_after seconds, 1
 * when 0), ST_FULL too (HTTP_RETRY_FULL when 0). */
void http_reply_error(struct http_request *rq, enum status st,
		      unsigned retry_after, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* As http_reply_error with an explicit code and code name. */
void http_reply_error_code(struct http_request *rq, unsigned code,
			   const char *name, unsigned retry_after,
			   const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Adds a header to the reply set (nothing when none is). */
void http_reply_header(struct http_request *rq, const char *name,
		       const char *value);
/* Whether a reply is set. */
bool http_replied(const struct http_request *rq);
/* The status of the reply set (0 when none). */
unsigned http_reply_status(const struct http_request *rq);

/*
 * Shared replies, for a cache of whole responses.  http_reply_share hands
 * the reply set on rq (with its security headers, and its gzip-compressed
 * variant when it is a reply that compresses) to the caller, which
 * owns the result (*new*, free with http_shared_free); rq's own reply is
 * queued before it is handed over, so the caller may free it at once.
 * NULL when no reply is set, it was shared or queued already, or it could
 * not be queued or memory ran out (the reply then goes out as usual).
 * Call it from a route's handler, on the thread libmicrohttpd called it
 * on, never after http_suspend: it queues the reply.  Headers added after
 * it are not sent.
 */
struct http_shared;
struct http_shared *http_reply_share(struct http_request *rq);
/* Sends sh as rq's reply at once, compressed when rq takes gzip and sh
 * has a compressed variant; the caller keeps sh and may free it as soon
 * as this returns.  False when rq already has a reply or sh cannot be
 * sent. */
bool http_reply_shared(struct http_request *rq, const struct http_shared *sh);
/* Drops what http_reply_share returned.  Accepts NULL. */
void http_shared_free(struct http_shared *sh);

/* Formats an address as text ("127.0.0.1", "::1") into out. */
void http_addr_str(const struct sockaddr *sa, char *out, size_t outsize);

/* Parses an IPv4 or IPv6 address (no port) into ss; false if it is
 * neither. */
bool http_parse_ip(const char *s, struct sockaddr_storage *ss);

#endif
