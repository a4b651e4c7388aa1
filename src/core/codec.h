/*
 * codec.h: hex and base64 text forms of bytes, decoded strictly.
 *
 * Decoders accept only the canonical form: lowercase hex; base64 with the
 * exact padding of its variant and zero unused bits.  Anything else is
 * ST_INVALID, and the output is then unspecified.
 */
#ifndef SANILOG_CODEC_H
#define SANILOG_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

enum b64_variant {
	B64_STD, /* RFC 4648 section 4, padded */
	B64_URL, /* RFC 4648 section 5, no padding */
};

/* Characters (without NUL) that encoding n bytes takes. */
size_t b64_encoded_len(size_t n, enum b64_variant v);

/* Writes the encoding of in[0..n) and a NUL into out (outsize bytes, at least
 * b64_encoded_len(n)+1).  Returns the length written, without the NUL. */
size_t b64_encode(char *out, size_t outsize, const uint8_t *in, size_t n,
		  enum b64_variant v);

/* Decodes exactly textlen characters into out (at most outsize bytes);
 * stores the decoded length in *outlen.  ST_INVALID if not canonical or if
 * it does not fit. */
enum status b64_decode(uint8_t *out, size_t outsize, size_t *outlen,
		       const char *text, size_t textlen, enum b64_variant v);

/* Lowercase hex of n bytes plus NUL into out (2n+1 bytes). */
void hex_encode(char *out, const uint8_t *in, size_t n);

/* Decodes exactly 2n lowercase hex digits into n bytes. */
enum status hex_decode(uint8_t *out, size_t n, const char *text,
		       size_t textlen);

/* Parses a canonical decimal: digits only, no sign, no leading zero (but
 * "0"), at most INT64_MAX.  False for anything else, *out unchanged. */
bool dec_parse(const char *s, int64_t *out);

#endif
