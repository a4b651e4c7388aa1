/*
 * owner_form.c: fuzzes the owner's forms as the live service takes them
 * (lib/server.h), signed in: the body streams through api.c's handlers
 * for a form (web_api_begin_form), whose fields longer than their limit
 * are kept in part and the form refused, and owner.c shows the page
 * again with what was sent, or logs the document, revocation or venue
 * entry.
 *
 * The input's first byte picks the form: 'R' POST /owner/revoke, 'V'
 * POST /owner/venue, any other POST /owner/upload; then a line, the
 * request's Content-Type (a multipart boundary, or
 * application/x-www-form-urlencoded); the rest is the body, in which
 * every "@CSRF@" is replaced by the session's CSRF token (so that the
 * fuzzer reaches past the token's check), sent with the session's cookie
 * and its exact Content-Length.
 *
 * Every form must be answered, and never by a 500.
 */
#include <inttypes.h>

#include "core/buf.h"
#include "lib/fuzz.h"
#include "lib/server.h"

static char cookie[64], csrf[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_server_start();
	fuzz_server_session(cookie, csrf);
	return 0;
}

/* Appends in[0..n) to b with every "@CSRF@" replaced by the token. */
static enum status with_csrf(struct buf *b, const char *in, size_t n)
{
	static const char mark[] = "@CSRF@";
	const size_t m = sizeof mark - 1;
	size_t from = 0;
	enum status r = ST_OK;
	for (size_t i = 0; r == ST_OK && i + m <= n; i++) {
		if (memcmp(in + i, mark, m) != 0)
			continue;
		if ((r = buf_append(b, in + from, i - from)) == ST_OK)
			r = buf_append_str(b, csrf);
		from = i + m;
		i += m - 1;
	}
	return r == ST_OK ? buf_append(b, in + from, n - from) : r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *path = "/owner/upload";
	if (size > 0 && (in[0] == 'R' || in[0] == 'V')) {
		path = in[0] == 'R' ? "/owner/revoke" : "/owner/venue";
		in++;
		size--;
	}
	const char *nl = memchr(in, '\n', size);
	if (nl == NULL || memchr(in, '\r', (size_t)(nl - in)) != NULL ||
	    memchr(in, 0, (size_t)(nl - in)) != NULL)
		return 0;

	struct buf body, req;
	buf_init(&body, 2 * size + 64);
	buf_init(&req, 2 * size + 640);
	if (with_csrf(&body, nl + 1, size - (size_t)(nl + 1 - in)) != ST_OK ||
	    buf_printf(&req,
		       "POST %s HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n"
		       "Cookie: sanilog_session=%s\r\n"
		       "Content-Length: %zu\r\nContent-Type: %.*s\r\n\r\n",
		       path, cookie, body.len, (int)(nl - in), in) != ST_OK ||
	    buf_append(&req, body.data, body.len) != ST_OK)
		goto out;
	fuzz_server_ask(req.data, req.len);
out:
	buf_free(&body);
	buf_free(&req);
	return 0;
}
