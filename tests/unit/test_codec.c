/*
 * test_codec.c: hex and base64 (core/codec.h).  Hex decoding is checked
 * on every pair of bytes and against hex_encode; base64 decoding is
 * checked against libsodium's decoder, which accepts exactly the
 * canonical forms: on every short string over an alphabet of edge
 * characters, and on mutations of real encodings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <sodium.h>

#include "core/codec.h"

/* libsodium's answer: ST_OK with the bytes, or ST_INVALID. */
static enum status reference(uint8_t *out, size_t outsize, size_t *outlen,
			     const char *text, size_t len, enum b64_variant v)
{
	const char *end = NULL;
	if (len == 0) {
		*outlen = 0;
		return ST_OK;
	}
	int variant = v == B64_STD ? sodium_base64_VARIANT_ORIGINAL
				   : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
	if (sodium_base642bin(out, outsize, text, len, NULL, outlen, &end,
			      variant) != 0 ||
	    end != text + len)
		return ST_INVALID;
	return ST_OK;
}

/* b64_decode and the reference agree on text, for a few output sizes. */
static void agree(const char *text, size_t len)
{
	const enum b64_variant vs[] = {B64_STD, B64_URL};
	for (size_t k = 0; k < 2; k++) {
		for (size_t outsize = 0; outsize <= 80; outsize += 1) {
			uint8_t a[96], b[96];
			size_t na = 0, nb = 0;
			enum status ra =
				b64_decode(a, outsize, &na, text, len, vs[k]);
			enum status rb =
				reference(b, outsize, &nb, text, len, vs[k]);
			if (ra != rb)
				fail_msg("\"%.*s\" (%s, room %zu): %s, "
					 "libsodium %s",
					 (int)len, text,
					 vs[k] == B64_STD ? "std" : "url",
					 outsize, status_str(ra),
					 status_str(rb));
			if (ra == ST_OK) {
				assert_int_equal(na, nb);
				assert_memory_equal(a, b, na);
			}
			if (outsize > len) /* more room changes nothing */
				break;
		}
	}
}

/* Every string of up to 5 characters over edge characters: both
 * alphabets' extra characters, padding, the letters whose low bits
 * matter in a last character, something outside, and NUL. */
static void test_b64_short_strings(void **state)
{
	(void)state;
	static const char alphabet[] = "AQgwB+/-_=x.";
	const size_t k = sizeof alphabet; /* with the NUL */
	char text[5];
	for (size_t len = 0; len <= 5; len++) {
		size_t total = 1;
		for (size_t i = 0; i < len; i++)
			total *= k;
		for (size_t n = 0; n < total; n++) {
			size_t x = n;
			for (size_t i = 0; i < len; i++, x /= k)
				text[i] = alphabet[x % k];
			agree(text, len);
		}
	}
}

/* Encodings of random bytes, whole and with one character changed,
 * dropped or added. */
static void test_b64_mutations(void **state)
{
	(void)state;
	static const char edge[] = "A=+/-_Qgx\n";
	for (int round = 0; round < 3000; round++) {
		uint8_t bin[64];
		char text[128];
		size_t n = randombytes_uniform(sizeof bin + 1);
		randombytes_buf(bin, n);
		enum b64_variant v = round % 2 ? B64_STD : B64_URL;
		size_t len = b64_encode(text, sizeof text, bin, n, v);
		assert_int_equal(len, b64_encoded_len(n, v));
		uint8_t back[64];
		size_t got = 0;
		assert_int_equal(
			b64_decode(back, sizeof back, &got, text, len, v),
			ST_OK);
		assert_int_equal(got, n);
		assert_memory_equal(back, bin, n);
		agree(text, len);
		if (len == 0)
			continue;
		size_t at = randombytes_uniform((uint32_t)len);
		char c = edge[randombytes_uniform(sizeof edge - 1)];
		switch (round % 3) {
		case 0: /* changed */
			text[at] = c;
			agree(text, len);
			break;
		case 1: /* dropped */
			memmove(text + at, text + at + 1, len - at - 1);
			agree(text, len - 1);
			break;
		default: /* added */
			memmove(text + at + 1, text + at, len - at);
			text[at] = c;
			agree(text, len + 1);
			break;
		}
	}
}

/* The RFC 4648 section 10 vectors, and what a canonical decoder refuses. */
static void test_b64_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum b64_variant v;
		const char *want; /* NULL: refused */
	} cases[] = {
		{"", B64_STD, ""},
		{"Zg==", B64_STD, "f"},
		{"Zm8=", B64_STD, "fo"},
		{"Zm9v", B64_STD, "foo"},
		{"Zm9vYg==", B64_STD, "foob"},
		{"Zm9vYmE=", B64_STD, "fooba"},
		{"Zm9vYmFy", B64_STD, "foobar"},
		{"Zg", B64_URL, "f"},
		{"Zm8", B64_URL, "fo"},
		{"Zm9vYmFy", B64_URL, "foobar"},
		{"Zg", B64_STD, NULL},	   /* padding missing */
		{"Zg=", B64_STD, NULL},	   /* padding short */
		{"Zg===", B64_STD, NULL},  /* padding long */
		{"Zh==", B64_STD, NULL},   /* bits past the byte */
		{"Zm9=", B64_STD, NULL},   /* bits past the bytes */
		{"Zg==", B64_URL, NULL},   /* padding in the URL form */
		{"Z", B64_URL, NULL},	   /* half a byte */
		{"Zm 9v", B64_STD, NULL},  /* a space */
		{"Zm9v\n", B64_STD, NULL}, /* a newline */
		{"+/+/", B64_URL, NULL},   /* the other alphabet */
		{"-_-_", B64_STD, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t out[16];
		size_t n = 0;
		enum status r = b64_decode(out, sizeof out, &n, cases[i].text,
					   strlen(cases[i].text), cases[i].v);
		if (cases[i].want == NULL) {
			if (r != ST_INVALID)
				fail_msg("\"%s\" was accepted", cases[i].text);
			continue;
		}
		assert_int_equal(r, ST_OK);
		assert_int_equal(n, strlen(cases[i].want));
		assert_memory_equal(out, cases[i].want, n);
	}
	uint8_t small[2];
	size_t n = 0;
	assert_int_equal(
		b64_decode(small, sizeof small, &n, "Zm9v", 4, B64_STD),
		ST_INVALID);
}

/* Every two-byte text: exactly the lowercase digits decode, to their
 * value. */
static void test_hex_pairs(void **state)
{
	(void)state;
	static const char digits[] = "0123456789abcdef";
	for (int a = 0; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			const char text[2] = {(char)a, (char)b};
			const char *ha = memchr(digits, a, 16);
			const char *hb = memchr(digits, b, 16);
			uint8_t out = 0;
			enum status r = hex_decode(&out, 1, text, 2);
			if (a == 0 || b == 0 || ha == NULL || hb == NULL) {
				if (r != ST_INVALID)
					fail_msg("%02x %02x was accepted", a,
						 b);
				continue;
			}
			assert_int_equal(r, ST_OK);
			assert_int_equal(out,
					 (ha - digits) << 4 | (hb - digits));
		}
	}
}

/* Hashes round-trip; one bad character anywhere, or a wrong length, is
 * refused. */
static void test_hex_hashes(void **state)
{
	(void)state;
	for (int round = 0; round < 2000; round++) {
		uint8_t bin[32], back[32];
		char text[65];
		randombytes_buf(bin, sizeof bin);
		hex_encode(text, bin, sizeof bin);
		assert_int_equal(hex_decode(back, 32, text, 64), ST_OK);
		assert_memory_equal(back, bin, 32);
		assert_int_equal(hex_decode(back, 32, text, 63), ST_INVALID);
		assert_int_equal(hex_decode(back, 31, text, 64), ST_INVALID);
		size_t at = randombytes_uniform(64);
		text[at] = "AFg/:`G\x00"[randombytes_uniform(8)];
		assert_int_equal(hex_decode(back, 32, text, 64), ST_INVALID);
	}
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_pairs),
		cmocka_unit_test(test_hex_hashes),
		cmocka_unit_test(test_b64_vectors),
		cmocka_unit_test(test_b64_short_strings),
		cmocka_unit_test(test_b64_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
