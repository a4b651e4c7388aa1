/*
 * codec.c: hex and base64, canonical forms only (libsodium does the work).
 */
#include "codec.h"

#include <sodium.h>
#include <string.h>

static int sodium_variant(enum b64_variant v)
{
	return v == B64_STD ? sodium_base64_VARIANT_ORIGINAL
			    : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

size_t b64_encoded_len(size_t n, enum b64_variant v)
{
	return sodium_base64_encoded_len(n, sodium_variant(v)) - 1;
}

size_t b64_encode(char *out, size_t outsize, const uint8_t *in, size_t n,
		  enum b64_variant v)
{
	if (outsize < b64_encoded_len(n, v) + 1) {
		if (outsize > 0)
			out[0] = 0;
		return 0;
	}
	sodium_bin2base64(out, outsize, in, n, sodium_variant(v));
	return strlen(out);
}

enum status b64_decode(uint8_t *out, size_t outsize, size_t *outlen,
		       const char *text, size_t textlen, enum b64_variant v)
{
	const char *end = NULL;
	size_t len = 0;
	if (textlen == 0) {
		*outlen = 0;
		return ST_OK;
	}
	/* libsodium stops at the first byte outside the alphabet; requiring
	 * it to consume everything rejects embedded junk and NULs. */
	if (sodium_base642bin(out, outsize, text, textlen, NULL, &len, &end,
			      sodium_variant(v)) != 0 ||
	    end != text + textlen)
		return ST_INVALID;
	*outlen = len;
	return ST_OK;
}

void hex_encode(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

enum status hex_decode(uint8_t *out, size_t n, const char *text, size_t textlen)
{
	if (textlen != 2 * n)
		return ST_INVALID;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(text[2 * i]);
		int lo = hex_digit(text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return ST_INVALID;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return ST_OK;
}

bool dec_parse(const char *s, int64_t *out)
{
	if (s == NULL || s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1]))
		return false;
	int64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - (*p - '0')) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return true;
}
