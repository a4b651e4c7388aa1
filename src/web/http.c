/*
 * http.c: the HTTP layer of `sanilog serve` on libmicrohttpd (see http.h):
 * the server, and libmicrohttpd's callbacks that take a request through
 * its life.  The request's routing and accessors, its replies, their
 * compression and the counters are in the files http_private.h names.
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
 *      (http_reply_too_long), the framing (check_framing: 400, 501, the
 *      connection closed after), routing (http_route_find), 404/405, the
 *      Content-Length cap, the route's start callback;
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
#include "http_private.h"

#include "head.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A body is discarded up to this many bytes past a refusal; beyond it the
 * connection is closed without an answer. */
#define DISCARD_MAX (64u << 20)

/* How often the connections past their deadline are closed, in ms. */
#define REAP_TICK_MS 250

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
	rq->bad_path = !http_path_ok(rq->path);
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

/* The first call: headers are in. */
static void request_begin(struct http_request *rq, const char *url,
			  const char *method, const char *version)
{
	snprintf(rq->method_str, sizeof rq->method_str, "%s", method);
	http_ascii_only(rq->method_str);
	rq->gzip_ok = http_gzip_accepts(
		http_header(rq, MHD_HTTP_HEADER_ACCEPT_ENCODING));
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
		return; /* http_reply_too_long */
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
	rq->route = http_route_find(rq);
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
			http_forwarded_client(rq);
		}
		request_begin(rq, url, method, version);
		if (rq->too_long)
			return http_reply_too_long(rq);
		if (rq->response != NULL && (rq->has_body || rq->close)) {
			conns_deadline(rq->slot, 0); /* answered */
			return http_reply_queue(rq); /* the body is not read */
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
	return http_reply_queue(rq);
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
	if (rq->queued)
		http_metrics_count(srv, rq, us);
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
	    (srv->counts = calloc((nroutes + 1) * HTTP_NCODES,
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
