/*
 * http_gzip.c: the gzip-compressed variant of a reply (base/gzip.h), for the
 * pages and the bundles, made once a reply and sent to the clients whose
 * Accept-Encoding takes gzip.
 */
#include "base/gzip.h"
#include "http_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bodies shorter than this go as they are (gzip would gain little). */
#define GZIP_MIN 256

/* Whether replies of type mime are gzipped for the clients that take it:
 * the pages and the bundles (text that compresses well); not what is
 * compressed already, binary, or always short. */
bool http_gzip_compressible(const char *mime)
{
	return strncmp(mime, "text/html", 9) == 0 ||
	       strncmp(mime, "application/json", 16) == 0;
}

void http_gzip_vary(struct MHD_Response *r)
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
 * http_gzip_compressible, or it cannot be made (then the reply goes as it is).
 * After secure(). */
void http_gzip_variant(struct http_request *rq, int level)
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

bool http_gzip_accepts(const char *ae)
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
