/*
 * test_head.c: the syntax of a request's head (web/head.h).
 *
 * Media types: a multipart body's boundary, names in any case, its value
 * as given, malformed ones refused, and a caller's room too small; every
 * character RFC 9110 allows in a token, and each it does not, in the type, the
 * subtype, a parameter's name and its value; quoted strings with escapes,
 * controls and their end; whitespace and empty parameters; the caller's room,
 * to the byte.  The framing: a route of a server started in the test
 * (web/http.h) reads its request's header fields with http_framing_read and
 * tells what it found: the Host fields, the first Content-Length and whether
 * another differs, the transfer codings, and the memory the head takes
 * (HTTP_HEAD_RECORD for each field, cookie and query argument, and their bytes,
 * and the target).  The server then refuses, before any route, every head whose
 * framing could be read two ways (RFC 9112), as http.h lists them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testlog.h"
#include "web/head.h"
#include "web/http.h"

struct media_case {
	const char *in;
	bool ok;
	const char *type, *value;
};

/* Parses each case's input for the parameter param and checks the
 * outcome, the type and the value. */
static void check_media(const struct media_case *v, size_t n, const char *param)
{
	for (size_t i = 0; i < n; i++) {
		char type[96], value[71];
		bool ok = http_media_type(v[i].in, type, sizeof type, param,
					  value, sizeof value);
		if (ok != v[i].ok)
			fail_msg("\"%s\": %s", v[i].in,
				 ok ? "taken" : "refused");
		if (!ok)
			continue;
		assert_string_equal(type, v[i].type);
		assert_string_equal(value, v[i].value);
	}
}

/* Multipart form data's boundary, names in any case, its value as
 * given. */
static void test_media_type(void **state)
{
	(void)state;
	static const struct media_case v[] = {
		{"multipart/form-data; boundary=abc", true,
		 "multipart/form-data", "abc"},
		{"MULTIPART/FORM-DATA; BOUNDARY=AbC", true,
		 "multipart/form-data", "AbC"},
		{"Multipart/Form-Data;charset=utf-8; Boundary=\"a b\" ; x=y",
		 true, "multipart/form-data", "a b"},
		{"multipart/form-data; xboundary=1; boundary=z", true,
		 "multipart/form-data", "z"},
		{"multipart/form-data; boundary=\"q\\\"t\"", true,
		 "multipart/form-data", "q\"t"},
		{" text/plain ;; ", true, "text/plain", ""},
		{"application/x-www-form-urlencoded", true,
		 "application/x-www-form-urlencoded", ""},
		{"multipart/form-data; boundary=a; boundary=b", false, NULL,
		 NULL},
		{"multipart/form-data; boundary=", false, NULL, NULL},
		{"multipart/form-data; boundary=\"open", false, NULL, NULL},
		{"multipart/form-data; boundary=a b", false, NULL, NULL},
		{"multipart/form-data boundary=a", false, NULL, NULL},
		{"multipart", false, NULL, NULL},
		{"/form-data", false, NULL, NULL},
		{"multipart/", false, NULL, NULL},
		{"multi part/form-data", false, NULL, NULL},
		{"", false, NULL, NULL},
		{"multipart/form-data; =a", false, NULL, NULL},
		{"multipart/form-data; boundary=\"a\x01\"", false, NULL, NULL},
	};
	check_media(v, sizeof v / sizeof v[0], "boundary");
	/* Too long for the caller's room: refused, not cut. */
	char small[8], b[4];
	assert_false(http_media_type("multipart/form-data", small, sizeof small,
				     "boundary", b, sizeof b));
	assert_false(http_media_type("a/b; boundary=abcd", small, sizeof small,
				     "boundary", b, sizeof b));
	assert_true(http_media_type("a/b; boundary=abc", small, sizeof small,
				    "boundary", b, sizeof b));
	assert_string_equal(b, "abc");
}

/* Tokens: every character RFC 9110 allows, and others. */
static void test_media_tokens(void **state)
{
	(void)state;
	static const struct media_case v[] = {
		/* Every token character, in the type and the subtype. */
		{"A!#$%&'*+-.^_`|~9/Z!#$%&'*+-.^_`|~0", true,
		 "a!#$%&'*+-.^_`|~9/z!#$%&'*+-.^_`|~0", ""},
		{"text/plain;p=a!#$%&'*+-.^_`|~9", true, "text/plain",
		 "a!#$%&'*+-.^_`|~9"},
		{"text/plain;P=x", true, "text/plain", "x"},
		{"\t text/plain \t; \tp=x \t", true, "text/plain", "x"},
		{"text/plain;;;p=x;;", true, "text/plain", "x"},
		{"text/plain; q=1; p=\"\"", true, "text/plain", ""},
		{"text/plain; p=\"a;b=c, d\"", true, "text/plain", "a;b=c, d"},
		{"text/plain; p=\"\\a\\\\\"", true, "text/plain", "a\\"},
		{"text/plain; p=\"\xc3\xa8\"", true, "text/plain", "\xc3\xa8"},
		{"text/plain; x=\"q\"; p=y", true, "text/plain", "y"},
		/* Not tokens. */
		{"te(x)t/plain", false, NULL, NULL},
		{"text/pla@in", false, NULL, NULL},
		{"text/plain; p@=x", false, NULL, NULL},
		{"text/plain; p=x@y", false, NULL, NULL},
		{"text/plain; p=x y", false, NULL, NULL},
		{"text\x01/plain", false, NULL, NULL},
		{"text/pl\xc3\xa8in", false, NULL, NULL},
		{"text / plain", false, NULL, NULL},
		{"text/plain p=x", false, NULL, NULL},
		{"text/plain; p", false, NULL, NULL},
		{"text/plain; p x=1", false, NULL, NULL},
		/* Quoted strings: a control, DEL, an escape at the end. */
		{"text/plain; p=\"a\tb\"", false, NULL, NULL},
		{"text/plain; p=\"a\x7f\"", false, NULL, NULL},
		{"text/plain; p=\"a\\", false, NULL, NULL},
		{"text/plain; x=\"unterminated", false, NULL, NULL},
		{"text/plain; p=\"x\"y", false, NULL, NULL},
		/* The parameter twice, in another case. */
		{"text/plain; p=1; P=2", false, NULL, NULL},
	};
	check_media(v, sizeof v / sizeof v[0], "p");

	/* The room, to the byte: "a/b" needs 4, "xyz" 4. */
	char t4[4], t3[3], v4[4], v3[3];
	assert_true(http_media_type("a/b; p=xyz", t4, sizeof t4, "p", v4,
				    sizeof v4));
	assert_string_equal(t4, "a/b");
	assert_string_equal(v4, "xyz");
	assert_false(http_media_type("a/b", t3, sizeof t3, "p", v4, sizeof v4));
	assert_false(http_media_type("a/b; p=xyz", t4, sizeof t4, "p", v3,
				     sizeof v3));
	/* Another parameter's length does not count against the room. */
	assert_true(http_media_type("a/b; q=longer-than-four", t4, sizeof t4,
				    "p", v3, sizeof v3));
	assert_string_equal(v3, "");
	/* A value of 300 bytes: too long, however much room is given. */
	char big[400], room[400];
	snprintf(big, sizeof big, "a/b; p=%0300d", 0);
	assert_false(
		http_media_type(big, t4, sizeof t4, "p", room, sizeof room));
}

/* ---- the framing, through a server ---- */

static enum http_next framing(struct http_request *rq)
{
	struct http_framing f;
	struct buf b;
	const char *target = http_header(rq, "X-Target");
	size_t tlen = target != NULL ? strlen(target) : 0;
	http_framing_read(http_connection(rq), tlen, &f);
	buf_init(&b, 1024);
	buf_printf(&b,
		   "hosts=%u length=%s differ=%d coded=%d chunked=%u "
		   "other=%d bad=%d head=%zu\n",
		   f.hosts, f.length != NULL ? f.length : "-", f.lengths_differ,
		   f.coded, f.chunked, f.other_coding, f.bad_name, f.head);
	http_reply_buf(rq, 200, "text/plain", &b);
	return HTTP_DONE;
}

static const struct http_route routes[] = {
	{.pattern = "/f",
	 .name = "framing",
	 .methods = HTTP_GET | HTTP_POST,
	 .body_max = 1024,
	 .handle = framing},
};

static struct http_server *srv;
static unsigned port;

static int setup(void **state)
{
	(void)state;
	srv = tl_http_start(NULL, routes, 1, NULL, &port);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	http_server_free(srv);
	return 0;
}

/* Sends req (its "\n" written as CRLF) and returns the status; the
 * body's line into line when not NULL. */
static unsigned ask(const char *req, char *line, size_t size)
{
	struct buf raw, crlf;
	buf_init(&crlf, 1 << 20);
	for (const char *p = req; *p; p++)
		assert_int_equal(*p == '\n' ? buf_append(&crlf, "\r\n", 2)
					    : buf_append(&crlf, p, 1),
				 ST_OK);
	unsigned code = tl_raw(port, (const char *)crlf.data, crlf.len, &raw);
	const char *body = strstr(buf_str(&raw), "\r\n\r\n");
	if (line != NULL)
		snprintf(line, size, "%s", body != NULL ? body + 4 : "");
	buf_free(&raw);
	buf_free(&crlf);
	return code;
}

/* What a request of these header lines (and body) says of itself. */
static void expect_read(const char *head_lines, const char *body,
			const char *want)
{
	char req[8192], line[512];
	snprintf(req, sizeof req, "%s /f HTTP/1.1\nX-Target: /f\n%s%s\n%s",
		 body != NULL ? "POST" : "GET", head_lines,
		 "Connection: close\n", body != NULL ? body : "");
	unsigned code = ask(req, line, sizeof line);
	if (code != 200)
		fail_msg("%s: %u", head_lines, code);
	line[strcspn(line, "\n")] = 0;
	if (strcmp(line, want) != 0)
		fail_msg("%s: \"%s\", not \"%s\"", head_lines, line, want);
}

/* HTTP_HEAD_RECORD and the bytes of a field name: value. */
#define REC(k, v) (HTTP_HEAD_RECORD + sizeof(k) - 1 + sizeof(v) - 1)

static void test_framing_read(void **state)
{
	(void)state;
	char want[256];
	/* The target, the fields: Host, X-Target and Connection. */
	size_t base = 2 + REC("Host", "x") + REC("X-Target", "/f") +
		      REC("Connection", "close");
	snprintf(want, sizeof want,
		 "hosts=1 length=- differ=0 coded=0 chunked=0 other=0 "
		 "bad=0 head=%zu",
		 base);
	expect_read("Host: x\n", NULL, want);

	/* Cookies count once as a field and once each. */
	snprintf(want, sizeof want,
		 "hosts=1 length=- differ=0 coded=0 chunked=0 other=0 "
		 "bad=0 head=%zu",
		 base + REC("Cookie", "a=1; bb=22") + REC("a", "1") +
			 REC("bb", "22"));
	expect_read("Host: x\nCookie: a=1; bb=22\n", NULL, want);

	/* The same length twice is one length. */
	snprintf(want, sizeof want,
		 "hosts=1 length=3 differ=0 coded=0 chunked=0 other=0 "
		 "bad=0 head=%zu",
		 base + 2 * REC("Content-Length", "3"));
	expect_read("Host: x\nContent-Length: 3\nContent-Length: 3\n", "abc",
		    want);

	/* Chunked. */
	snprintf(want, sizeof want,
		 "hosts=1 length=- differ=0 coded=1 chunked=1 other=0 "
		 "bad=0 head=%zu",
		 base + REC("Transfer-Encoding", "chunked"));
	expect_read("Host: x\nTransfer-Encoding: chunked\n", "3\nabc\n0\n\n",
		    want);
}

/* Query arguments count like fields (a route of its own: the target is
 * longer). */
static void test_framing_query(void **state)
{
	(void)state;
	char line[512], want[256];
	size_t head = sizeof "/f?x=1&yy=22" - 1 + REC("Host", "x") +
		      REC("X-Target", "/f?x=1&yy=22") +
		      REC("Connection", "close") + REC("x", "1") +
		      REC("yy", "22");
	assert_int_equal(ask("GET /f?x=1&yy=22 HTTP/1.1\nHost: x\n"
			     "X-Target: /f?x=1&yy=22\nConnection: close\n\n",
			     line, sizeof line),
			 200);
	line[strcspn(line, "\n")] = 0;
	snprintf(want, sizeof want,
		 "hosts=1 length=- differ=0 coded=0 chunked=0 other=0 "
		 "bad=0 head=%zu",
		 head);
	assert_string_equal(line, want);
}

/* Heads the server refuses before any route, and the code. */
static void test_framing_refused(void **state)
{
	(void)state;
	static const struct {
		const char *req;
		unsigned code;
	} v[] = {
		{"GET /f HTTP/1.1\nConnection: close\n\n", 400},
		{"GET /f HTTP/1.1\nHost: a\nHost: b\nConnection: close\n\n",
		 400},
		{"POST /f HTTP/1.1\nHost: x\nContent-Length: 3\n"
		 "Content-Length: 4\nConnection: close\n\nabcd",
		 400},
		{"POST /f HTTP/1.1\nHost: x\nContent-Length: 3\n"
		 "Transfer-Encoding: chunked\nConnection: close\n\n"
		 "3\nabc\n0\n\n",
		 400},
		{"POST /f HTTP/1.0\nTransfer-Encoding: chunked\n"
		 "Connection: close\n\n3\nabc\n0\n\n",
		 400},
		{"POST /f HTTP/1.1\nHost: x\nTransfer-Encoding: chunked, "
		 "chunked\nConnection: close\n\n",
		 400},
		{"POST /f HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n"
		 "Transfer-Encoding: chunked\nConnection: close\n\n",
		 400},
		{"POST /f HTTP/1.1\nHost: x\nTransfer-Encoding: gzip, chunked\n"
		 "Connection: close\n\n",
		 501},
		{"POST /f HTTP/1.1\nHost: x\nTransfer-Encoding : chunked\n"
		 "Connection: close\n\n3\nabc\n0\n\n",
		 400},
		{"GET /f HTTP/1.1\nHost: x\nX@Bad: 1\nConnection: close\n\n",
		 400},
		/* What is allowed: HTTP/1.0 without Host. */
		{"GET /f HTTP/1.0\nConnection: close\n\n", 200},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		unsigned code = ask(v[i].req, NULL, 0);
		if (code != v[i].code)
			fail_msg("%s: %u, not %u", v[i].req, code, v[i].code);
	}

	/* A NUL byte in the target. */
	static const char nul[] = "GET /f\0x HTTP/1.1\r\nHost: x\r\n"
				  "Connection: close\r\n\r\n";
	assert_int_equal(tl_raw(port, nul, sizeof nul - 1, NULL), 400);

	/* A head of many small cookies: each costs HTTP_HEAD_RECORD. */
	struct buf req;
	buf_init(&req, 1 << 20);
	buf_append_str(&req, "GET /f HTTP/1.1\r\nHost: x\r\nCookie: c=1");
	for (size_t n = 0; n * HTTP_HEAD_RECORD < HTTP_HEAD_MAX; n++)
		buf_append_str(&req, "; c=1");
	buf_append_str(&req, "\r\nConnection: close\r\n\r\n");
	assert_true(req.len < HTTP_HEAD_MAX / 2);
	assert_int_equal(tl_raw(port, (const char *)req.data, req.len, NULL),
			 431);
	buf_free(&req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_media_type),
		cmocka_unit_test(test_media_tokens),
		cmocka_unit_test(test_framing_read),
		cmocka_unit_test(test_framing_query),
		cmocka_unit_test(test_framing_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
