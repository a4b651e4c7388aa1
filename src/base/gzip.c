/*
 * gzip.c: gzip with zlib (gzip.h).
 */
#include "gzip.h"

#include <stdlib.h>
#include <string.h>
#define ZLIB_CONST /* next_in is const */
#include <zlib.h>

/* in[0..len) gzip-compressed at level (zlib's 1 to 9) into a new buffer
 * (free with free), or NULL when memory ran out or it would not be
 * smaller. */
uint8_t *gzip_bytes(const uint8_t *in, size_t len, int level, size_t *out_len)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	/* 15 + 16: a 32 KiB window, written with the gzip header. */
	if (len > UINT32_MAX || deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8,
					     Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t cap = deflateBound(&zs, (uLong)len);
	uint8_t *out = malloc(cap);
	zs.next_in = in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	int r = out != NULL ? deflate(&zs, Z_FINISH) : Z_MEM_ERROR;
	deflateEnd(&zs);
	if (r != Z_STREAM_END || zs.total_out >= len) {
		free(out);
		return NULL;
	}
	*out_len = zs.total_out;
	return out;
}
