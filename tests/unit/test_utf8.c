/*
 * test_utf8.c: the project's UTF-8 decoder (core/utf8.h).
 *
 * A table of the edges of Unicode's table 3-7 (each lead byte's first and
 * last second byte, overlongs, surrogates, past U+10FFFF, truncation);
 * every code point encoded by the plain arithmetic of RFC 3629 and decoded
 * back; and every string of one to three bytes, which must be accepted
 * exactly when it starts with the encoding of a code point.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

/* RFC 3629's encoding of a scalar value into b; returns its length. */
static size_t encode(uint32_t c, uint8_t b[4])
{
	if (c < 0x80) {
		b[0] = (uint8_t)c;
		return 1;
	}
	if (c < 0x800) {
		b[0] = (uint8_t)(0xc0 | c >> 6);
		b[1] = (uint8_t)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		b[0] = (uint8_t)(0xe0 | c >> 12);
		b[1] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		b[2] = (uint8_t)(0x80 | (c & 0x3f));
		return 3;
	}
	b[0] = (uint8_t)(0xf0 | c >> 18);
	b[1] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
	b[2] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
	b[3] = (uint8_t)(0x80 | (c & 0x3f));
	return 4;
}

static void test_vectors(void **state)
{
	static const struct {
		const char *s;
		size_t len, want; /* bytes given; length decoded, 0 = bad */
		uint32_t cp;
	} v[] = {
		{"A", 1, 1, 'A'},
		{"\x7f", 1, 1, 0x7f},
		{"\x80", 1, 0, 0}, /* a continuation byte */
		{"\xbf\x80", 2, 0, 0},
		{"\xc0\x80", 2, 0, 0}, /* overlong NUL */
		{"\xc1\xbf", 2, 0, 0}, /* overlong U+007F */
		{"\xc2\x80", 2, 2, 0x80},
		{"\xc2", 1, 0, 0},     /* truncated */
		{"\xc2\x41", 2, 0, 0}, /* not a continuation */
		{"\xdf\xbf", 2, 2, 0x7ff},
		{"\xe0\x9f\xbf", 3, 0, 0}, /* overlong U+07FF */
		{"\xe0\xa0\x80", 3, 3, 0x800},
		{"\xe2\x82\xac", 3, 3, 0x20ac},
		{"\xe2\x82", 2, 0, 0}, /* truncated */
		{"\xe2\x82\xc0", 3, 0, 0},
		{"\xed\x9f\xbf", 3, 3, 0xd7ff},
		{"\xed\xa0\x80", 3, 0, 0}, /* U+D800 */
		{"\xed\xbf\xbf", 3, 0, 0}, /* U+DFFF */
		{"\xee\x80\x80", 3, 3, 0xe000},
		{"\xef\xbf\xbf", 3, 3, 0xffff},
		{"\xf0\x8f\xbf\xbf", 4, 0, 0}, /* overlong U+FFFF */
		{"\xf0\x90\x80\x80", 4, 4, 0x10000},
		{"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
		{"\xf0\x9f\x98", 3, 0, 0}, /* truncated */
		{"\xf0\x9f\x98\x41", 4, 0, 0},
		{"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
		{"\xf4\x90\x80\x80", 4, 0, 0}, /* U+110000 */
		{"\xf5\x80\x80\x80", 4, 0, 0},
		{"\xff", 1, 0, 0},
		{"A\x80", 2, 1, 'A'}, /* only the first sequence is read */
	};
	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uint32_t cp = 0xdeadbeef;
		size_t n = utf8_decode((const uint8_t *)v[i].s, v[i].len, &cp);
		assert_int_equal(n, v[i].want);
		assert_int_equal(cp, n > 0 ? v[i].cp : 0xdeadbeef);
		assert_int_equal(utf8_valid(v[i].s, v[i].len),
				 v[i].want == v[i].len);
	}
	assert_true(utf8_valid("", 0));
	const char *mixed = "Caff\xc3\xa8 \xd7\x90 \xe4\xb8\xad";
	assert_true(utf8_valid(mixed, strlen(mixed)));
	assert_false(utf8_valid(mixed, strlen(mixed) - 1));
}

static void test_every_code_point(void **state)
{
	(void)state;
	for (uint32_t c = 0; c <= 0x10ffff; c++) {
		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		uint8_t b[4];
		uint32_t got = 0;
		size_t n = encode(c, b);
		assert_int_equal(utf8_decode(b, n, &got), n);
		assert_int_equal(got, c);
		assert_int_equal(utf8_decode(b, n - 1 + (n == 1), &got),
				 n == 1 ? 1 : 0);
	}
}

static void test_every_short_string(void **state)
{
	/* Which strings of 1 to 3 bytes are encodings, by their bytes
	 * padded with zeros to three (an encoding of fewer than three bytes
	 * marks all the strings it starts). */
	uint8_t *enc = calloc(1u << 24, 1);
	(void)state;
	assert_non_null(enc);
	for (uint32_t c = 0; c < 0x10000; c++) {
		uint8_t b[4];
		size_t n = encode(c, b);
		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		uint32_t key = (uint32_t)b[0] << 16 |
			       (n > 1 ? (uint32_t)b[1] << 8 : 0) |
			       (n > 2 ? b[2] : 0);
		uint32_t span = n == 1 ? 1u << 16 : n == 2 ? 1u << 8 : 1;
		memset(enc + key, (int)n, span);
	}
	for (uint32_t x = 0; x < 1u << 24; x++) {
		uint8_t b[3] = {(uint8_t)(x >> 16), (uint8_t)(x >> 8),
				(uint8_t)x};
		uint32_t cp;
		size_t n = utf8_decode(b, 3, &cp);
		if (n != enc[x])
			fail_msg("%02x %02x %02x: %zu, want %u", b[0], b[1],
				 b[2], n, enc[x]);
	}
	free(enc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_every_code_point),
		cmocka_unit_test(test_every_short_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
