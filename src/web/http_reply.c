/*
 * http_reply.c: the reply of a request (http.h): set once (the first one
 * set wins), errors as JSON or an HTML page, the security headers, queued
 * (gzipped for a client that takes it, http_gzip.c), and shared by a
 * cache of whole responses; and the 414 that is written to the socket by
 * hand.
 */
#include "http_private.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

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
	if (body != NULL && mime != NULL && http_gzip_compressible(mime) &&
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
	if (resp == NULL) {
		free(data);
		return; /* out of memory: as reply_set says */
	}
	reply_set(rq, code, mime, resp, data, len);
}

void http_reply_fd(struct http_request *rq, unsigned code, const char *mime,
		   int fd, uint64_t size)
{
	struct MHD_Response *resp =
		rq->response == NULL ? MHD_create_response_from_fd64(size, fd)
				     : NULL;
	if (resp == NULL) {
		close(fd);
		return; /* another reply, or out of memory: as reply_set */
	}
	/* No body for reply_set: it is not in memory to compress. */
	reply_set(rq, code, mime, resp, NULL, size);
}

/* The body of a secret reply, for the free callback to wipe. */
struct secret_body {
	uint8_t *data;
	size_t len;
};

static void secret_free(void *cls)
{
	struct secret_body *s = cls;
	sodium_memzero(s->data, s->len);
	free(s->data);
	free(s);
}

void http_reply_secret(struct http_request *rq, unsigned code, const char *mime,
		       struct buf *b)
{
	struct secret_body *s = NULL;
	if (rq->response != NULL || b->len == 0 ||
	    (s = malloc(sizeof *s)) == NULL) {
		if (b->data != NULL)
			sodium_memzero(b->data, b->len);
		bool empty = b->len == 0;
		buf_free(b);
		if (empty)
			http_reply_static(rq, code, mime, "", 0);
		return; /* else out of memory: as reply_set says */
	}
	s->data = buf_steal(b, &s->len);
	struct MHD_Response *resp =
		MHD_create_response_from_buffer_with_free_callback_cls(
			s->len, s->data, secret_free, s);
	if (resp == NULL) {
		secret_free(s);
		return;
	}
	/* No body for reply_set: it is never compressed. */
	reply_set(rq, code, mime, resp, NULL, s->len);
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

void http_ascii_only(char *s)
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
	http_ascii_only(msg);
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

/* The security headers of every reply beside its Content-Security-Policy
 * (secure, http_reply_too_long). */
static const struct {
	const char *name, *value;
} security_headers[] = {
	{MHD_HTTP_HEADER_X_CONTENT_TYPE_OPTIONS, "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{MHD_HTTP_HEADER_X_FRAME_OPTIONS, "DENY"},
};

/* The security headers, and Vary on http_gzip_compressible replies, once all
 * the route's headers are in.  A route's own Content-Security-Policy (a
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
		http_gzip_vary(r);
}

enum MHD_Result http_reply_queue(struct http_request *rq)
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
		http_gzip_variant(rq, Z_DEFAULT_COMPRESSION);
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
	http_gzip_variant(rq, Z_BEST_COMPRESSION);
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

/*
 * Answers 414 by writing it to the socket here, and closes the
 * connection (returns MHD_NO).  libmicrohttpd keeps a request's head and
 * then makes its reply's head in one block of memory a connection
 * (MHD_OPTION_CONNECTION_MEMORY_LIMIT): a target just short of filling it
 * leaves no room for the reply, and the connection would close without
 * one; this reply needs none of it.  Nothing of the request has been
 * answered yet, and nothing is sent after it.  On HEAD, the head only.
 */
enum MHD_Result http_reply_too_long(struct http_request *rq)
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
