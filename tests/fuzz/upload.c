/*
 * upload.c: fuzzes the owner's uploads as the live service takes them
 * (lib/server.h): the body streams through api.c's handlers, which feed
 * it to libmicrohttpd's post processor of the connection and check the
 * fields, and a document that passes goes to the writer and into the
 * log.
 *
 * The input's first line is the request's Content-Type (a multipart
 * boundary, or application/x-www-form-urlencoded), the rest its body,
 * sent with the venue's owner token and its exact Content-Length.  An
 * input whose first byte is 'R' goes to /revocations (the byte dropped),
 * any other to /documents.
 *
 * Every upload must be answered, and never by a 500.
 */
#include <inttypes.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	bool revoke = size > 0 && in[0] == 'R';
	if (revoke) {
		in++;
		size--;
	}
	const char *nl = memchr(in, '\n', size);
	if (nl == NULL || memchr(in, '\r', (size_t)(nl - in)) != NULL ||
	    memchr(in, 0, (size_t)(nl - in)) != NULL)
		return 0;
	size_t body = size - (size_t)(nl + 1 - in);

	struct buf req;
	buf_init(&req, size + 512);
	if (buf_printf(&req,
		       "POST /api/v1/venues/" FUZZ_VENUE "/%s HTTP/1.1\r\n"
		       "Host: fuzz\r\nConnection: close\r\n"
		       "Authorization: Bearer " FUZZ_TOKEN "\r\n"
		       "Content-Length: %zu\r\nContent-Type: %.*s\r\n\r\n",
		       revoke ? "revocations" : "documents", body,
		       (int)(nl - in), in) != ST_OK ||
	    buf_append(&req, nl + 1, body) != ST_OK)
		goto out;
	fuzz_server_ask(req.data, req.len);
out:
	buf_free(&req);
	return 0;
}
