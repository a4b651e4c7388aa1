/*
 * gzip.h: bytes compressed in the gzip format (RFC 1952) with zlib.
 */
#ifndef SANILOG_GZIP_H
#define SANILOG_GZIP_H

#include <stddef.h>
#include <stdint.h>

/* in[0..len) gzip-compressed at level (zlib's 1 to 9) into a new buffer
 * (free with free), its length in *out_len; NULL when memory ran out or
 * it would not be smaller.  The header carries no name and no time, so
 * the same bytes always compress the same. */
uint8_t *gzip_bytes(const uint8_t *in, size_t len, int level, size_t *out_len);

#endif
