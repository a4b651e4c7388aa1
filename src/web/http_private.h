/*
 * http_private.h: what the files of the HTTP server (http.h) share and
 * nothing else sees: the server's and a request's state, and the
 * functions one file calls in another.  http.c runs the life of a request
 * (libmicrohttpd's callbacks) and starts and stops the server;
 * http_request.c checks and routes a request's path and answers what a
 * route asks of its request; http_reply.c sets, secures, queues and
 * shares the replies; http_gzip.c compresses them; http_metrics.c counts
 * them and writes /metrics.
 */
#ifndef SANILOG_HTTP_PRIVATE_H
#define SANILOG_HTTP_PRIVATE_H

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "web/conns.h"
#include "web/http.h"

#define ARRAY_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Status codes counted one by one in /metrics, and "other"; upper bounds
 * of the latency histogram (both tables are http_metrics.c's). */
#define HTTP_NCODES   21
#define HTTP_NBUCKETS 14

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
	/* (nroutes + 1) rows of HTTP_NCODES; the last row: no route */
	atomic_uint_fast64_t *counts;
	atomic_uint_fast64_t buckets[HTTP_NBUCKETS + 1]; /* the last: +Inf */
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

/* ---- http_request.c ---- */

/* A path we route: "/" or "/seg/seg" with safe characters, no empty
 * segment but a last one (a trailing slash), no "." or ".." segment.
 * Percent escapes are refused outright: no route needs one. */
bool http_path_ok(const char *p);
/* Finds the route of rq's path and method; sets the reply for 404 and
 * 405.  Returns the route or NULL. */
const struct http_route *http_route_find(struct http_request *rq);
/* A request from the trusted proxy: the client is the address the proxy
 * put last in X-Forwarded-For (the ones before it, the client could have
 * written itself).  Left as it is if there is none or it is not an IP
 * address. */
void http_forwarded_client(struct http_request *rq);

/* ---- http_reply.c ---- */

/* Replaces every byte of s that is not printable ASCII with '?'. */
void http_ascii_only(char *s);
/* Sends the reply with the security headers. */
enum MHD_Result http_reply_queue(struct http_request *rq);
/* Answers 414 by writing it to the socket, and closes the connection
 * (returns MHD_NO); http_reply.c says why. */
enum MHD_Result http_reply_too_long(struct http_request *rq);

/* ---- http_gzip.c ---- */

/* Whether replies of type mime are gzipped for the clients that take it. */
bool http_gzip_compressible(const char *mime);
/* Adds Accept-Encoding to r's Vary header (one header, whatever the
 * route put there). */
void http_gzip_vary(struct MHD_Response *r);
/* Makes rq->zresponse, the reply gzipped at level (zlib's), when it can
 * (http_gzip.c says when). */
void http_gzip_variant(struct http_request *rq, int level);
/* Whether an Accept-Encoding header allows gzip (and does not say
 * "gzip;q=0"). */
bool http_gzip_accepts(const char *ae);

/* ---- http_metrics.c ---- */

/* Counts rq, answered in us microseconds, by route and status and in the
 * latency histogram. */
void http_metrics_count(struct http_server *srv, const struct http_request *rq,
			int64_t us);

#endif
