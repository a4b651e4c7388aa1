/*
 * http_request.c: fuzzes request targets and query strings as the live
 * service takes them: libmicrohttpd's request line and query parsing,
 * then http.c's path check and routing, and the routes' own parsing of
 * their captures and parameters (tile paths, proof sizes, ?id=, ?lang=,
 * ?paper=), on a log of one venue (lib/server.h).
 *
 * The input's first line is the target of a GET; each further line
 * "Name: value" is a request header (Accept-Language, Accept-Encoding,
 * If-None-Match, Cookie, ...), except those that frame the request
 * (Content-Length, Transfer-Encoding, Connection, Expect), which would
 * make the service wait for a body or keep the connection, and a line
 * that starts with a space (it would continue the header before it).  A CR, a
 * NUL or a target of a poster (whose rendering takes long and parses nothing
 * more) is not sent.
 *
 * Every request must be answered, and never by a 500.
 */
#include <strings.h>

#include "core/buf.h"
#include "lib/fuzz.h"
#include "lib/server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_server_start();
	return 0;
}

static bool framing(const char *line, size_t n)
{
	static const char *const names[] = {
		"content-length", "transfer-encoding", "connection", "expect"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t k = strlen(names[i]);
		if (n >= k && strncasecmp(line, names[i], k) == 0)
			return true;
	}
	return false;
}

static bool has_poster(const char *t, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i++)
		if (memcmp(t + i, "/poster.", 8) == 0)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	if (size == 0 || memchr(in, '\r', size) != NULL ||
	    memchr(in, 0, size) != NULL)
		return 0;
	const char *nl = memchr(in, '\n', size);
	size_t tlen = nl != NULL ? (size_t)(nl - in) : size;
	if (tlen == 0 || has_poster(in, tlen))
		return 0;

	struct buf req;
	buf_init(&req, size + 256);
	if (buf_append_str(&req, "GET ") != ST_OK ||
	    buf_append(&req, in, tlen) != ST_OK ||
	    buf_append_str(&req, " HTTP/1.1\r\n") != ST_OK)
		goto out;
	for (const char *p = nl; p != NULL && p < in + size;) {
		p++;
		const char *end = memchr(p, '\n', (size_t)(in + size - p));
		size_t n = end != NULL ? (size_t)(end - p)
				       : (size_t)(in + size - p);
		if (n > 0 && p[0] != ' ' && p[0] != '\t' &&
		    memchr(p, ':', n) != NULL && !framing(p, n) &&
		    (buf_append(&req, p, n) != ST_OK ||
		     buf_append_str(&req, "\r\n") != ST_OK))
			goto out;
		p = end;
	}
	if (buf_append_str(&req, "Host: fuzz\r\nConnection: close\r\n\r\n") !=
	    ST_OK)
		goto out;
	fuzz_server_ask(req.data, req.len);
out:
	buf_free(&req);
	return 0;
}
