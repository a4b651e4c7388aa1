/*
 * test_http_server.c: what every request shares, whatever its route
 * (web/http.h), on servers started in the test with routes of its own.
 *
 * Routing: literal segments, one-segment and rest-of-path captures, 404
 * for no route, 405 with Allow for a method the route does not take,
 * HEAD as GET without the body; paths with a percent escape, a "." or
 * ".." segment, an empty segment or a byte outside the safe set reach no
 * route; targets over HTTP_URI_MAX are 414, at it they are not.  Bodies:
 * chunk by chunk to the route, capped with and without Content-Length
 * (413), refused before they are read by a route's start callback, and
 * the route's state freed once each.  Replies: the error's JSON (code,
 * message in printable ASCII, no-store, Retry-After), its HTML page
 * (escaped; the server's html_error hook first), 500 for a route that set
 * none, the security headers on every one (and a route's own policy
 * alone), gzip for a client that takes it (Vary added to the route's),
 * never for a no_gzip route; shared replies sent again, compressed or
 * not; a handler suspended and resumed from another thread.  The
 * request's accessors: path, captures, decoded query, headers, gzip, the
 * client address, and behind a trusted proxy the client it names and
 * whether it came over https.  Counters in the metrics; an address's
 * text and parse; a quiesced server takes no more connections.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/codec.h"
#include "lib/testlog.h"
#include "web/http.h"

static atomic_int states_made, states_freed;

static enum http_next text_reply(struct http_request *rq, const char *text)
{
	http_reply(rq, 200, "text/plain", text, strlen(text));
	return HTTP_DONE;
}

static enum http_next h_root(struct http_request *rq)
{
	return text_reply(rq, "root\n");
}

/* Every capture, one a line. */
static enum http_next h_params(struct http_request *rq)
{
	struct buf b;
	buf_init(&b, 4096);
	for (size_t i = 0; http_param(rq, i) != NULL; i++)
		buf_printf(&b, "%s\n", http_param(rq, i));
	http_reply_buf(rq, 200, "text/plain", &b);
	return HTTP_DONE;
}

/* What the request says of itself. */
static enum http_next h_info(struct http_request *rq)
{
	char addr[64];
	struct buf b;
	const char *q = http_query(rq, "q"), *h = http_header(rq, "X-H");
	http_addr_str(http_client(rq), addr, sizeof addr);
	buf_init(&b, 4096);
	buf_printf(&b, "path=%s q=%s h=%s gzip=%d client=%s https=%d\n",
		   http_path(rq), q != NULL ? q : "-", h != NULL ? h : "-",
		   http_accepts_gzip(rq), addr, http_forwarded_https(rq));
	http_reply_buf(rq, 200, "text/plain", &b);
	return HTTP_DONE;
}

static void state_free(void *p)
{
	buf_free(p);
	free(p);
	atomic_fetch_add(&states_freed, 1);
}

static bool post_start(struct http_request *rq)
{
	struct buf *b = malloc(sizeof *b);
	assert_non_null(b);
	buf_init(b, 1 << 20);
	atomic_fetch_add(&states_made, 1);
	http_set_state(rq, b, state_free);
	if (http_header(rq, "X-Refuse") != NULL) {
		http_reply_error(rq, ST_FORBIDDEN, 0, "refused at the start");
		return false;
	}
	return true;
}

static bool post_body(struct http_request *rq, const char *data, size_t len)
{
	return buf_append(http_state(rq), data, len) == ST_OK;
}

static enum http_next h_post(struct http_request *rq)
{
	struct buf *b = http_state(rq);
	http_reply(rq, 200, "text/plain", buf_str(b), b->len);
	return HTTP_DONE;
}

static enum http_next h_error_busy(struct http_request *rq)
{
	http_reply_error(rq, ST_BUSY, 0, "busy \x01 \xc3\xa8 <now>");
	return HTTP_DONE;
}

static enum http_next h_error_full(struct http_request *rq)
{
	http_reply_error(rq, ST_FULL, 0, "full");
	return HTTP_DONE;
}

static enum http_next h_error_rate(struct http_request *rq)
{
	http_reply_error(rq, ST_RATE_LIMITED, 7, "slow down");
	return HTTP_DONE;
}

static enum http_next h_error_code(struct http_request *rq)
{
	http_reply_error_code(rq, 418, "teapot", 0, "short and stout");
	return HTTP_DONE;
}

static enum http_next h_html_error(struct http_request *rq)
{
	/* The hook below makes the page of a 404 only. */
	http_reply_error(rq,
			 strcmp(http_path(rq), "/html/404") == 0 ? ST_NOT_FOUND
								 : ST_INVALID,
			 0, "a <b>bad</b> & \"odd\" thing");
	return HTTP_DONE;
}

static enum status html_error(const struct http_request *rq, unsigned code,
			      const char *detail, struct buf *out)
{
	(void)rq;
	if (code != 404)
		return ST_NOMEM;
	return buf_printf(out, "<p>hook %u: %zu bytes of detail</p>", code,
			  strlen(detail));
}

static enum http_next h_none(struct http_request *rq)
{
	(void)rq;
	return HTTP_DONE;
}

/* A page that compresses: a JSON array of a thousand numbers. */
static void big_json(struct buf *b)
{
	buf_init(b, 1 << 20);
	buf_append_str(b, "[");
	for (int i = 0; i < 1000; i++)
		buf_printf(b, "%s%d", i ? "," : "", i);
	buf_append_str(b, "]\n");
}

static enum http_next h_big(struct http_request *rq)
{
	struct buf b;
	big_json(&b);
	http_reply_buf(rq, 200, "application/json", &b);
	if (http_query(rq, "vary") != NULL)
		http_reply_header(rq, "Vary", "Accept-Language");
	return HTTP_DONE;
}

static enum http_next h_csp(struct http_request *rq)
{
	http_reply(rq, 200, "text/plain", "own policy\n", 11);
	http_reply_header(rq, HTTP_HEADER_CSP, "sandbox");
	return HTTP_DONE;
}

/* Suspended once, resumed by another thread a little later. */
static void *resume_later(void *arg)
{
	nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	http_resume(arg);
	return NULL;
}

static enum http_next h_suspend(struct http_request *rq)
{
	if (http_state(rq) != NULL)
		return text_reply(rq, "resumed\n");
	http_set_state(rq, rq, NULL);
	pthread_t th;
	http_suspend(rq);
	assert_int_equal(pthread_create(&th, NULL, resume_later, rq), 0);
	pthread_detach(th);
	return HTTP_SUSPENDED;
}

/* /share makes the reply the later /shared requests send. */
static pthread_mutex_t share_lock = PTHREAD_MUTEX_INITIALIZER;
static struct http_shared *shared;

static enum http_next h_share(struct http_request *rq)
{
	struct buf b;
	big_json(&b);
	http_reply_buf(rq, 200, "application/json", &b);
	http_reply_header(rq, "X-Made", "once");
	struct http_shared *sh = http_reply_share(rq);
	assert_non_null(sh);
	/* Shared already: no second time. */
	assert_null(http_reply_share(rq));
	pthread_mutex_lock(&share_lock);
	http_shared_free(shared);
	shared = sh;
	pthread_mutex_unlock(&share_lock);
	return HTTP_DONE;
}

static enum http_next h_shared(struct http_request *rq)
{
	pthread_mutex_lock(&share_lock);
	bool ok = shared != NULL && http_reply_shared(rq, shared);
	/* rq has a reply now: a second one is refused. */
	bool again = shared != NULL && http_reply_shared(rq, shared);
	pthread_mutex_unlock(&share_lock);
	if (!ok || again)
		http_reply_error(rq, ST_INTERNAL, 0, "not shared");
	return HTTP_DONE;
}

static const struct http_route routes[] = {
	{.pattern = "/", .name = "root", .methods = HTTP_GET, .handle = h_root},
	{.pattern = "/a/{}",
	 .name = "one",
	 .methods = HTTP_GET,
	 .handle = h_params},
	{.pattern = "/a/{}/b/{}",
	 .name = "two",
	 .methods = HTTP_GET,
	 .handle = h_params},
	{.pattern = "/rest/{*}",
	 .name = "rest",
	 .methods = HTTP_GET,
	 .handle = h_params},
	{.pattern = "/info",
	 .name = "info",
	 .methods = HTTP_GET,
	 .handle = h_info},
	{.pattern = "/post",
	 .name = "post",
	 .methods = HTTP_POST,
	 .body_max = 16,
	 .start = post_start,
	 .body = post_body,
	 .handle = h_post},
	{.pattern = "/busy",
	 .name = "busy",
	 .methods = HTTP_GET,
	 .handle = h_error_busy},
	{.pattern = "/full",
	 .name = "full",
	 .methods = HTTP_GET,
	 .handle = h_error_full},
	{.pattern = "/rate",
	 .name = "rate",
	 .methods = HTTP_GET,
	 .handle = h_error_rate},
	{.pattern = "/teapot",
	 .name = "teapot",
	 .methods = HTTP_GET,
	 .handle = h_error_code},
	{.pattern = "/html/{}",
	 .name = "html",
	 .methods = HTTP_GET,
	 .html = true,
	 .handle = h_html_error},
	{.pattern = "/none",
	 .name = "none",
	 .methods = HTTP_GET,
	 .handle = h_none},
	{.pattern = "/big",
	 .name = "big",
	 .methods = HTTP_GET,
	 .handle = h_big},
	{.pattern = "/big-plain",
	 .name = "big_plain",
	 .methods = HTTP_GET,
	 .no_gzip = true,
	 .handle = h_big},
	{.pattern = "/csp",
	 .name = "csp",
	 .methods = HTTP_GET,
	 .handle = h_csp},
	{.pattern = "/suspend",
	 .name = "suspend",
	 .methods = HTTP_GET,
	 .handle = h_suspend},
	{.pattern = "/share",
	 .name = "share",
	 .methods = HTTP_GET,
	 .handle = h_share},
	{.pattern = "/shared",
	 .name = "shared",
	 .methods = HTTP_GET,
	 .handle = h_shared},
	{.pattern = "/both",
	 .name = "both_get",
	 .methods = HTTP_GET,
	 .handle = h_root},
	{.pattern = "/both",
	 .name = "both_post",
	 .methods = HTTP_POST,
	 .handle = h_root},
};

static struct http_server *srv;
static unsigned port;
static char base[64];

static int setup(void **state)
{
	(void)state;
	struct http_config c = {.threads = 2,
				.max_connections = 64,
				.timeout = 10,
				.html_error = html_error};
	srv = tl_http_start(&c, routes, sizeof routes / sizeof routes[0], NULL,
			    &port);
	snprintf(base, sizeof base, "http://127.0.0.1:%u", port);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	http_server_free(srv);
	http_shared_free(shared);
	return 0;
}

/* GETs path (with the header lines, NULL-terminated, or NULL). */
static void get(const char *path, const char *const *headers,
		struct tl_reply *r)
{
	char url[4096];
	snprintf(url, sizeof url, "%s%s", base, path);
	tl_http("GET", url, headers, NULL, 0, r);
}

static void expect_get(const char *path, long code, const char *body)
{
	struct tl_reply r;
	get(path, NULL, &r);
	if (r.code != code)
		fail_msg("GET %s: %ld, not %ld", path, r.code, code);
	if (body != NULL && strcmp(buf_str(&r.body), body) != 0)
		fail_msg("GET %s: \"%s\", not \"%s\"", path, buf_str(&r.body),
			 body);
	tl_reply_free(&r);
}

/* The raw request "METHOD target HTTP/1.1" with Host and close. */
static unsigned raw(const char *method, const char *target)
{
	struct buf req;
	buf_init(&req, 1 << 20);
	buf_printf(&req,
		   "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		   method, target);
	unsigned code = tl_raw(port, (const char *)req.data, req.len, NULL);
	buf_free(&req);
	return code;
}

static void test_routing(void **state)
{
	(void)state;
	struct tl_reply r;
	char v[256];
	expect_get("/", 200, "root\n");
	expect_get("/a/x1", 200, "x1\n");
	expect_get("/a/x-1.b_c~", 200, "x-1.b_c~\n");
	expect_get("/a/x/b/y", 200, "x\ny\n");
	expect_get("/rest/one", 200, "one\n");
	expect_get("/rest/one/two/three", 200, "one/two/three\n");
	expect_get("/rest", 404, NULL);
	expect_get("/a", 404, NULL);
	expect_get("/a/x/b", 404, NULL);
	expect_get("/nowhere", 404, NULL);

	/* The error of no route, in JSON. */
	get("/nowhere", NULL, &r);
	assert_true(tl_header(&r, "Content-Type", v, sizeof v));
	assert_string_equal(v, "application/json");
	assert_non_null(strstr(buf_str(&r.body), "\"code\":\"not_found\""));
	tl_reply_free(&r);

	/* 405, with what is allowed. */
	tl_http("POST", base, NULL, "x", 1, &r);
	assert_int_equal(r.code, 405);
	assert_true(tl_header(&r, "Allow", v, sizeof v));
	assert_string_equal(v, "GET, HEAD");
	tl_reply_free(&r);
	get("/post", NULL, &r);
	assert_int_equal(r.code, 405);
	assert_true(tl_header(&r, "Allow", v, sizeof v));
	assert_string_equal(v, "POST");
	tl_reply_free(&r);
	char url[128];
	snprintf(url, sizeof url, "%s/both", base);
	tl_http("PUT", url, NULL, "x", 1, &r);
	assert_int_equal(r.code, 405);
	assert_true(tl_header(&r, "Allow", v, sizeof v));
	assert_string_equal(v, "GET, HEAD, POST");
	tl_reply_free(&r);
	tl_http("POST", url, NULL, "", 0, &r);
	assert_int_equal(r.code, 200);
	tl_reply_free(&r);

	/* HEAD as GET, without the body. */
	snprintf(url, sizeof url, "%s/a/x1", base);
	tl_http("HEAD", url, NULL, NULL, 0, &r);
	assert_int_equal(r.code, 200);
	assert_int_equal(r.body.len, 0);
	assert_true(tl_header(&r, "Content-Length", v, sizeof v));
	assert_string_equal(v, "3");
	tl_reply_free(&r);

	/* Paths that reach no route (sent raw: curl would tidy them). */
	static const char *const bad[] = {
		"/a/%78",      "/a/..",	      "/a/.",	  "/a/../a/x", "//a/x",
		"/a//x",       "/rest/a//b",  "/a/x%2fy", "/a/x y",    "/a/x\"",
		"/a/\xc3\xa8", "/rest/.x/..", "/a/x@y",	  "a/x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		unsigned code = raw("GET", bad[i]);
		if (code != 404 && code != 400)
			fail_msg("%s: %u", bad[i], code);
		if (strcmp(bad[i], "a/x") != 0 && code != 404)
			fail_msg("%s: %u, not 404", bad[i], code);
	}
	assert_int_equal(raw("GET", "/rest/.x/a.b"), 200);

	/* The longest target routes; one byte more is 414, however long. */
	char target[HTTP_URI_MAX + 2];
	memset(target, 'a', sizeof target);
	memcpy(target, "/a/", 3);
	target[HTTP_URI_MAX] = 0;
	assert_int_equal(raw("GET", target), 200);
	target[HTTP_URI_MAX] = 'a';
	target[HTTP_URI_MAX + 1] = 0;
	assert_int_equal(raw("GET", target), 414);
	memcpy(target + HTTP_URI_MAX - 3, "?q=", 3);
	assert_int_equal(raw("GET", target), 414);
	assert_int_equal(raw("HEAD", target), 414);
}

/* Waits (up to 2 s) until every state made was freed. */
static void states_settle(void)
{
	for (int i = 0;
	     i < 200 && atomic_load(&states_freed) != atomic_load(&states_made);
	     i++)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	assert_int_equal(atomic_load(&states_freed), atomic_load(&states_made));
}

static void test_bodies(void **state)
{
	(void)state;
	struct tl_reply r;
	char url[128];
	const char *const refuse[] = {"X-Refuse: yes", NULL};
	snprintf(url, sizeof url, "%s/post", base);

	tl_http("POST", url, NULL, "0123456789abcdef", 16, &r);
	assert_int_equal(r.code, 200);
	assert_string_equal(buf_str(&r.body), "0123456789abcdef");
	tl_reply_free(&r);
	/* Announced too long: refused before the body. */
	tl_http("POST", url, NULL, "0123456789abcdefg", 17, &r);
	assert_int_equal(r.code, 413);
	tl_reply_free(&r);
	/* The route's start callback refuses: its reply. */
	tl_http("POST", url, refuse, "abc", 3, &r);
	assert_int_equal(r.code, 403);
	assert_non_null(strstr(buf_str(&r.body), "refused at the start"));
	tl_reply_free(&r);

	/* Chunked: whole, and too long without a Content-Length. */
	static const char ok[] =
		"POST /post HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
		"\r\nConnection: close\r\n\r\n5\r\nhello\r\n3\r\n, w\r\n0\r\n"
		"\r\n";
	struct buf out;
	assert_int_equal(tl_raw(port, ok, sizeof ok - 1, &out), 200);
	assert_non_null(strstr(buf_str(&out), "\r\n\r\nhello, w"));
	buf_free(&out);
	static const char big[] =
		"POST /post HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
		"\r\nConnection: close\r\n\r\n10\r\n0123456789abcdef\r\n1\r\n"
		"g\r\n0\r\n\r\n";
	assert_int_equal(tl_raw(port, big, sizeof big - 1, NULL), 413);
	/* Each state was freed, once. */
	states_settle();
	assert_true(atomic_load(&states_made) >= 4);
}

/* The security headers of r, and its one policy. */
static void expect_secure(const struct tl_reply *r, const char *csp)
{
	char v[512];
	assert_int_equal(tl_header_count(r, HTTP_HEADER_CSP), 1);
	assert_true(tl_header(r, HTTP_HEADER_CSP, v, sizeof v));
	assert_string_equal(v, csp);
	assert_true(tl_header(r, "X-Content-Type-Options", v, sizeof v));
	assert_string_equal(v, "nosniff");
	assert_true(tl_header(r, "Referrer-Policy", v, sizeof v));
	assert_string_equal(v, "no-referrer");
	assert_true(tl_header(r, "X-Frame-Options", v, sizeof v));
	assert_string_equal(v, "DENY");
}

static void test_errors(void **state)
{
	(void)state;
	struct tl_reply r;
	char v[256];

	get("/busy", NULL, &r);
	assert_int_equal(r.code, 503);
	assert_string_equal(buf_str(&r.body),
			    "{\"error\":{\"code\":\"busy\",\"message\":"
			    "\"busy ? ?? <now>\"}}\n");
	assert_true(tl_header(&r, "Retry-After", v, sizeof v));
	assert_string_equal(v, "1");
	assert_true(tl_header(&r, "Cache-Control", v, sizeof v));
	assert_string_equal(v, "no-store");
	expect_secure(&r, HTTP_CSP);
	tl_reply_free(&r);

	get("/full", NULL, &r);
	assert_int_equal(r.code, 503);
	assert_true(tl_header(&r, "Retry-After", v, sizeof v));
	int64_t secs = -1;
	assert_true(dec_parse(v, &secs));
	assert_int_equal(secs, HTTP_RETRY_FULL);
	tl_reply_free(&r);
	get("/rate", NULL, &r);
	assert_int_equal(r.code, 429);
	assert_true(tl_header(&r, "Retry-After", v, sizeof v));
	assert_string_equal(v, "7");
	tl_reply_free(&r);
	get("/teapot", NULL, &r);
	assert_int_equal(r.code, 418);
	assert_string_equal(buf_str(&r.body),
			    "{\"error\":{\"code\":\"teapot\",\"message\":"
			    "\"short and stout\"}}\n");
	assert_false(tl_header(&r, "Retry-After", v, sizeof v));
	tl_reply_free(&r);

	/* An html route: the hook's page, or a plain one, escaped. */
	get("/html/404", NULL, &r);
	assert_int_equal(r.code, 404);
	assert_non_null(strstr(buf_str(&r.body), "<p>hook 404: 26 bytes"));
	assert_true(tl_header(&r, "Content-Type", v, sizeof v));
	assert_string_equal(v, "text/html; charset=utf-8");
	tl_reply_free(&r);
	get("/html/400", NULL, &r);
	assert_int_equal(r.code, 400);
	assert_non_null(strstr(buf_str(&r.body),
			       "a &lt;b&gt;bad&lt;/b&gt; &amp; &quot;odd&quot; "
			       "thing"));
	assert_null(strstr(buf_str(&r.body), "<b>"));
	tl_reply_free(&r);
	/* No route, but a client that asks for HTML: the hook's. */
	const char *const html[] = {"Accept: text/html", NULL};
	get("/nowhere", html, &r);
	assert_int_equal(r.code, 404);
	assert_non_null(strstr(buf_str(&r.body), "hook 404"));
	tl_reply_free(&r);

	/* A route that set no reply: 500. */
	get("/none", NULL, &r);
	assert_int_equal(r.code, 500);
	expect_secure(&r, HTTP_CSP);
	tl_reply_free(&r);

	/* The security headers on 405 and 414, and a route's own policy
	 * alone. */
	tl_http("POST", base, NULL, "x", 1, &r);
	expect_secure(&r, HTTP_CSP);
	tl_reply_free(&r);
	get("/csp", NULL, &r);
	expect_secure(&r, "sandbox");
	tl_reply_free(&r);
	char target[HTTP_URI_MAX + 8];
	memset(target, 'a', sizeof target);
	target[0] = '/';
	target[sizeof target - 1] = 0;
	struct buf req, out;
	buf_init(&req, 1 << 20);
	buf_printf(&req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", target);
	assert_int_equal(tl_raw(port, (const char *)req.data, req.len, &out),
			 414);
	assert_non_null(strstr(buf_str(&out), "X-Frame-Options: DENY"));
	assert_non_null(strstr(buf_str(&out), "Content-Security-Policy: "
					      "default-src 'none'"));
	buf_free(&req);
	buf_free(&out);
}

/* The gzip member in b inflated into out (new). */
static void gunzip(const struct buf *b, struct buf *out)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	buf_init(out, 1 << 20);
	uint8_t *p = buf_reserve(out, 1 << 19);
	assert_non_null(p);
	assert_int_equal(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
	zs.next_in = b->data;
	zs.avail_in = (uInt)b->len;
	zs.next_out = p;
	zs.avail_out = 1 << 19;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	out->len = zs.total_out;
	out->data[out->len] = 0;
	inflateEnd(&zs);
}

/* GET path with Accept-Encoding ae (or none): whether the reply came
 * gzipped, checked to be the page; its Vary into vary. */
static bool gzipped(const char *path, const char *ae, char *vary, size_t size)
{
	struct tl_reply r;
	struct buf want, plain;
	char h[128], v[64];
	const char *const headers[] = {h, NULL};
	snprintf(h, sizeof h, "Accept-Encoding: %s", ae != NULL ? ae : "");
	get(path, ae != NULL ? headers : NULL, &r);
	assert_int_equal(r.code, 200);
	big_json(&want);
	bool z = tl_header(&r, "Content-Encoding", v, sizeof v);
	if (z) {
		assert_string_equal(v, "gzip");
		assert_true(r.body.len < want.len);
		gunzip(&r.body, &plain);
		assert_string_equal(buf_str(&plain), buf_str(&want));
		buf_free(&plain);
	} else {
		assert_string_equal(buf_str(&r.body), buf_str(&want));
	}
	assert_int_equal(tl_header_count(&r, "Vary"), vary != NULL);
	if (vary != NULL)
		tl_header(&r, "Vary", vary, size);
	buf_free(&want);
	tl_reply_free(&r);
	return z;
}

static void test_gzip(void **state)
{
	(void)state;
	char vary[128];
	assert_true(gzipped("/big", "gzip", vary, sizeof vary));
	assert_string_equal(vary, "Accept-Encoding");
	assert_true(gzipped("/big", "deflate, gzip;q=0.5", vary, sizeof vary));
	assert_true(gzipped("/big", "br , gzip", vary, sizeof vary));
	assert_false(gzipped("/big", NULL, vary, sizeof vary));
	assert_string_equal(vary, "Accept-Encoding");
	assert_false(gzipped("/big", "gzip;q=0", vary, sizeof vary));
	assert_false(gzipped("/big", "gzip; q=0.000", vary, sizeof vary));
	assert_false(gzipped("/big", "x-gzip", vary, sizeof vary));
	assert_false(gzipped("/big", "gzipped", vary, sizeof vary));
	assert_false(gzipped("/big", "identity", vary, sizeof vary));
	/* Added to the route's own Vary. */
	assert_true(gzipped("/big?vary=1", "gzip", vary, sizeof vary));
	assert_string_equal(vary, "Accept-Language, Accept-Encoding");
	/* Never for a no_gzip route, nor text that is not a page. */
	assert_false(gzipped("/big-plain", "gzip", NULL, 0));
	struct tl_reply r;
	char v[64];
	const char *const ae[] = {"Accept-Encoding: gzip", NULL};
	get("/", ae, &r);
	assert_false(tl_header(&r, "Content-Encoding", v, sizeof v));
	assert_false(tl_header(&r, "Vary", v, sizeof v));
	tl_reply_free(&r);
}

static void test_suspend_and_share(void **state)
{
	(void)state;
	expect_get("/suspend", 200, "resumed\n");
	/* Nothing shared yet: the route's error. */
	expect_get("/shared", 500, NULL);
	struct tl_reply r;
	char v[64];
	get("/share", NULL, &r);
	assert_int_equal(r.code, 200);
	tl_reply_free(&r);
	for (int z = 0; z < 2; z++) {
		const char *const ae[] = {"Accept-Encoding: gzip", NULL};
		get("/shared", z ? ae : NULL, &r);
		assert_int_equal(r.code, 200);
		assert_true(tl_header(&r, "X-Made", v, sizeof v));
		expect_secure(&r, HTTP_CSP);
		assert_int_equal(tl_header(&r, "Content-Encoding", v, sizeof v),
				 z);
		struct buf want, plain;
		big_json(&want);
		if (z) {
			gunzip(&r.body, &plain);
			assert_string_equal(buf_str(&plain), buf_str(&want));
			buf_free(&plain);
		} else {
			assert_string_equal(buf_str(&r.body), buf_str(&want));
		}
		buf_free(&want);
		tl_reply_free(&r);
	}
}

static void test_accessors(void **state)
{
	(void)state;
	struct tl_reply r;
	const char *const h[] = {"X-H: hello", "Accept-Encoding: gzip",
				 "X-Forwarded-For: 198.51.100.7",
				 "X-Forwarded-Proto: https", NULL};
	get("/info?q=a%20b%26c&x=1", h, &r);
	assert_string_equal(buf_str(&r.body),
			    "path=/info q=a b&c h=hello gzip=1 "
			    "client=127.0.0.1 https=0\n");
	tl_reply_free(&r);

	/* Behind a trusted proxy (this address): the client it names last,
	 * and https when its own X-Forwarded-Proto says so. */
	struct http_config c = {.threads = 1,
				.max_connections = 16,
				.timeout = 10,
				.has_proxy = true};
	assert_true(http_parse_ip("127.0.0.1", &c.proxy));
	unsigned pport = 0;
	struct http_server *p = tl_http_start(&c, routes, 5, NULL, &pport);
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%u/info", pport);
	static const struct {
		const char *xff, *proto, *client;
		int https;
	} v[] = {
		{"198.51.100.7, 203.0.113.9", "http, https", "203.0.113.9", 1},
		{"2001:db8::1", "https, http", "2001:db8::1", 0},
		{"not-an-address", "HTTPS", "127.0.0.1", 1},
		{"203.0.113.9 198.51.100.7", "https x", "127.0.0.1", 0},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char xff[128], proto[128], want[256];
		const char *const ph[] = {xff, proto, NULL};
		snprintf(xff, sizeof xff, "X-Forwarded-For: %s", v[i].xff);
		snprintf(proto, sizeof proto, "X-Forwarded-Proto: %s",
			 v[i].proto);
		tl_http("GET", url, ph, NULL, 0, &r);
		snprintf(want, sizeof want,
			 "path=/info q=- h=- gzip=0 client=%s https=%d\n",
			 v[i].client, v[i].https);
		assert_string_equal(buf_str(&r.body), want);
		tl_reply_free(&r);
	}
	http_server_free(p);
}

static void test_metrics(void **state)
{
	(void)state;
	struct buf m;
	expect_get("/a/counted", 200, NULL);
	expect_get("/a/counted", 200, NULL);
	expect_get("/nowhere/counted", 404, NULL);
	buf_init(&m, 1 << 20);
	/* Counted once the reply is sent: wait for it. */
	for (int i = 0; i < 200; i++) {
		buf_reset(&m);
		assert_int_equal(http_metrics_format(srv, &m), ST_OK);
		if (strstr(buf_str(&m), "{route=\"one\",code=\"200\"}") != NULL)
			break;
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	}
	const char *s = buf_str(&m);
	assert_non_null(
		strstr(s, "# TYPE sanilog_http_requests_total counter"));
	assert_non_null(strstr(s, "sanilog_http_requests_total{route=\"none\","
				  "code=\"404\"}"));
	const char *one = strstr(s, "{route=\"one\",code=\"200\"} ");
	assert_non_null(one);
	char *end = NULL;
	long count =
		strtol(one + strlen("{route=\"one\",code=\"200\"} "), &end, 10);
	assert_int_equal(*end, '\n');
	assert_true(count >= 2);
	assert_non_null(strstr(s, "sanilog_http_request_duration_seconds_bucket"
				  "{le=\"+Inf\"}"));
	assert_non_null(strstr(s, "sanilog_http_requests_in_flight "));
	buf_free(&m);
}

static void test_addresses(void **state)
{
	(void)state;
	struct sockaddr_storage ss;
	char out[64];
	static const char *const good[] = {"127.0.0.1", "::1", "2001:db8::7",
					   "0.0.0.0"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_true(http_parse_ip(good[i], &ss));
		http_addr_str((struct sockaddr *)&ss, out, sizeof out);
		assert_string_equal(out, good[i]);
	}
	static const char *const bad[] = {"",	   "localhost", "1.2.3.4:80",
					  "[::1]", "1.2.3",	" 1.2.3.4"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(http_parse_ip(bad[i], &ss));
	memset(&ss, 0, sizeof ss);
	http_addr_str((struct sockaddr *)&ss, out, sizeof out);
	assert_string_equal(out, "-");
}

/* A quiesced server takes no more connections; it is idle. */
static void test_quiesce(void **state)
{
	(void)state;
	unsigned qport = 0;
	struct http_server *q = tl_http_start(NULL, routes, 1, NULL, &qport);
	static const char req[] =
		"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	assert_int_equal(tl_raw(qport, req, sizeof req - 1, NULL), 200);
	http_server_quiesce(q);
	assert_int_equal(http_server_wait_idle(q, 1000), 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)qport)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_not_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	close(fd);
	http_server_free(q);
	http_server_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_suspend_and_share),
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_quiesce),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
