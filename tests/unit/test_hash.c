/*
 * test_hash.c: tests of SHA-256 (src/core/hash.c).
 *
 * Both implementations, the SHA-extension one and the libsodium one, are
 * checked by name (sha256_accel / sha256_portable and their init
 * functions) as well as through the ordinary API: the FIPS 180-4 example
 * vectors (NIST's "", "abc", the 448- and 896-bit messages and one million
 * 'a'), then every length 0..1100 at every misalignment mod 16 with random
 * split points for the streaming API, and multi-megabyte messages, each
 * against libsodium's crypto_hash_sha256 called directly.  The random
 * bytes come from a fixed seed, so a failure repeats.  On a CPU without
 * the SHA extensions the accel functions fall back to libsodium and
 * test_accel_present says it was skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/codec.h"
#include "core/hash.h"

#define MAX_LEN 1100 /* every length 0..MAX_LEN */
#define ALIGNS	16   /* at every offset 0..ALIGNS-1 from an aligned buffer */

/* The two ways to start a streaming hash, and the default. */
typedef void (*init_fn)(struct sha256 *);
static const init_fn inits[] = {sha256_init, sha256_init_accel,
				sha256_init_portable};

/* The one-shot functions. */
typedef void (*oneshot_fn)(uint8_t *, const void *, size_t);
static const oneshot_fn oneshots[] = {sha256, sha256_accel, sha256_portable};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* splitmix64: a small fixed-seed generator, so failures repeat. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static void rng_fill(uint64_t *s, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next(s);
}

static size_t rng_below(uint64_t *s, size_t n)
{
	return n == 0 ? 0 : (size_t)(rng_next(s) % n);
}

static void hex_to_bytes(uint8_t out[HASH_LEN], const char *hex)
{
	assert_int_equal(strlen(hex), 2 * HASH_LEN);
	assert_int_equal(hex_decode(out, HASH_LEN, hex, strlen(hex)), ST_OK);
}

static void reference(uint8_t out[HASH_LEN], const uint8_t *p, size_t len)
{
	assert_int_equal(crypto_hash_sha256(out, p, len), 0);
}

/*
 * Checks every one-shot function, and every init function with the
 * message fed whole, byte by byte (short messages only) and in nsplit
 * random pieces (some of them empty), against want.
 */
static void check_all(const uint8_t want[HASH_LEN], const uint8_t *p,
		      size_t len, uint64_t *rng, int nsplit)
{
	uint8_t got[HASH_LEN];
	struct sha256 h;

	for (size_t i = 0; i < NELEM(oneshots); i++) {
		memset(got, 0xaa, sizeof got);
		oneshots[i](got, p, len);
		assert_memory_equal(got, want, HASH_LEN);
	}
	for (size_t i = 0; i < NELEM(inits); i++) {
		inits[i](&h);
		sha256_update(&h, p, len);
		sha256_final(&h, got);
		assert_memory_equal(got, want, HASH_LEN);

		if (len <= 300) {
			inits[i](&h);
			for (size_t k = 0; k < len; k++)
				sha256_update(&h, p + k, 1);
			sha256_final(&h, got);
			assert_memory_equal(got, want, HASH_LEN);
		}

		/* Random cut points, sorted by taking them in order. */
		inits[i](&h);
		size_t at = 0;
		for (int k = 0; k < nsplit; k++) {
			size_t n = rng_below(rng, len - at + 1);

			if (rng_below(rng, 4) == 0)
				n = 0;
			sha256_update(&h, p + at, n);
			at += n;
		}
		sha256_update(&h, p + at, len - at);
		sha256_final(&h, got);
		assert_memory_equal(got, want, HASH_LEN);
	}
}

static void test_accel_present(void **state)
{
	(void)state;
	if (!sha256_accel_available()) {
		print_message("no SHA extensions here: sha256_accel is "
			      "libsodium\n");
		skip();
	}
}

/* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf"). */
static void test_nist_vectors(void **state)
{
	static const struct {
		const char *msg;
		size_t bits;
		const char *hex;
	} v[] = {
		{"", 0,
		 "e3b0c44298fc1c149afbf4c8996fb924"
		 "27ae41e4649b934ca495991b7852b855"},
		{"abc", 24,
		 "ba7816bf8f01cfea414140de5dae2223"
		 "b00361a396177a9cb410ff61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijk"
		 "ijkljklmklmnlmnomnopnopq",
		 448,
		 "248d6a61d20638b8e5c026930c3e6039"
		 "a33ce45964ff2167f6ecedd419db06c1"},
		{"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		 "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		 896,
		 "cf5b16a778af8380036ce59e7b049237"
		 "0b249b11e8f07a51afac45037afee9d1"},
	};
	static const char million_hex[] = "cdc76e5c9914fb9281a1c7e284d73e67"
					  "f1809a48a497200e046d39ccc7112cd0";
	uint8_t want[HASH_LEN];
	uint64_t rng = 1;
	uint8_t *a;
	(void)state;

	for (size_t i = 0; i < NELEM(v); i++) {
		assert_int_equal(strlen(v[i].msg) * 8, v[i].bits);
		hex_to_bytes(want, v[i].hex);
		check_all(want, (const uint8_t *)v[i].msg, strlen(v[i].msg),
			  &rng, 3);
	}

	a = malloc(1000000);
	assert_non_null(a);
	memset(a, 'a', 1000000);
	hex_to_bytes(want, million_hex);
	check_all(want, a, 1000000, &rng, 20);
	free(a);
}

/*
 * Every length 0..MAX_LEN (every padding case: tails of 0..63 bytes, the
 * one-block/two-block boundary at 55/56, many full blocks), starting at
 * every offset 0..ALIGNS-1 from a 16-byte boundary, with random splits.
 */
static void test_every_length(void **state)
{
	uint8_t *buf = malloc(MAX_LEN + ALIGNS + 16);
	uint8_t want[HASH_LEN];
	uint64_t rng = 0x5a4e494c4f47u;
	(void)state;

	assert_non_null(buf);
	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (size_t off = 0; off < ALIGNS; off++) {
			uint8_t *p = buf + off;

			rng_fill(&rng, p, len);
			reference(want, p, len);
			check_all(want, p, len, &rng, (int)rng_below(&rng, 6));
		}
	}
	free(buf);
}

/* Multi-megabyte messages, fed in one piece and in random-sized pieces. */
static void test_large(void **state)
{
	static const size_t lens[] = {
		(size_t)1 << 20,
		((size_t)3 << 20) + 17,
		((size_t)8 << 20) - 1,
	};
	uint64_t rng = 42;
	(void)state;

	for (size_t i = 0; i < NELEM(lens); i++) {
		uint8_t want[HASH_LEN], got[HASH_LEN];
		uint8_t *p = malloc(lens[i] + 1);

		assert_non_null(p);
		rng_fill(&rng, p, lens[i] + 1);
		reference(want, p + 1, lens[i]);
		check_all(want, p + 1, lens[i], &rng, 50);

		/* Pieces of up to 200 KB, as a streaming reader gives them. */
		for (size_t k = 0; k < NELEM(inits); k++) {
			struct sha256 h;
			size_t at = 0;

			inits[k](&h);
			while (at < lens[i]) {
				size_t n = 1 + rng_below(&rng, 200000);

				if (n > lens[i] - at)
					n = lens[i] - at;
				sha256_update(&h, p + 1 + at, n);
				at += n;
			}
			sha256_final(&h, got);
			assert_memory_equal(got, want, HASH_LEN);
		}
		free(p);
	}
}

/* NULL with length 0; reuse after final; the two paths agree mid-stream. */
static void test_edges(void **state)
{
	uint8_t want[HASH_LEN], got[HASH_LEN];
	struct sha256 h;
	(void)state;

	reference(want, (const uint8_t *)"", 0);
	for (size_t i = 0; i < NELEM(oneshots); i++) {
		oneshots[i](got, NULL, 0);
		assert_memory_equal(got, want, HASH_LEN);
	}
	for (size_t i = 0; i < NELEM(inits); i++) {
		inits[i](&h);
		sha256_update(&h, NULL, 0);
		sha256_final(&h, got);
		assert_memory_equal(got, want, HASH_LEN);

		/* The same struct, started again after final. */
		inits[i](&h);
		sha256_update(&h, "abc", 3);
		sha256_final(&h, got);
		reference(want, (const uint8_t *)"abc", 3);
		assert_memory_equal(got, want, HASH_LEN);
		reference(want, (const uint8_t *)"", 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accel_present),
		cmocka_unit_test(test_nist_vectors),
		cmocka_unit_test(test_every_length),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
