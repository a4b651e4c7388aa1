/*
 * test_hash.c: tests of SHA-256 (src/core/hash.c).
 *
 * Both ways hash.c computes a digest are checked: libcrypto, and the
 * libsodium fallback it takes when libcrypto cannot allocate.  OpenSSL's
 * allocations go through this file's functions (CRYPTO_set_mem_functions,
 * before anything else), which count them per thread and refuse every one
 * on a thread that says so.  The digest tests run twice: on the main
 * thread (libcrypto), then on a thread that refuses (libsodium); the last
 * test of each run checks that the run went the way it says.  test_paths
 * checks each entry point's way on fresh threads, by those counts and by
 * the hashes libsodium started (its crypto_hash_sha256_init, which hash.c
 * calls, is defined in this file too, and counts and calls libsodium's).
 *
 * The digest tests: the FIPS 180-4 example vectors (NIST's "", "abc", the
 * 448- and 896-bit messages and one million 'a'), then every length
 * 0..1100 at every misalignment mod 16, and multi-megabyte messages, each
 * through sha256, sha256_gather (in random pieces) and the incremental
 * API (whole, byte by byte, in random splits), against libsodium's
 * crypto_hash_sha256 called directly; NULL and empty inputs, a struct
 * used again after final, and sha256_discard.  The random bytes come
 * from a fixed seed, so a failure repeats.
 */
/* glibc's feature-test macro, for RTLD_NEXT: reserved, and meant to be. */
// NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "core/codec.h"
#include "core/hash.h"

#define MAX_LEN	   1100 /* every length 0..MAX_LEN */
#define ALIGNS	   16	/* at every offset 0..ALIGNS-1 from an aligned buffer */
#define MAX_PIECES 8	/* sha256_gather's pieces in check_all */

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

/*
 * OpenSSL's allocator: malloc, or a refusal on a thread that set refuse.
 * What libcrypto's digest code asks for (crypto/evp/digest.c's contexts,
 * providers/implementations/digests/'s states, by the file OpenSSL names)
 * is counted per thread, given and refused.
 */
static _Thread_local bool refuse;
static _Thread_local unsigned long digest_allocs, digest_refusals;

static bool counted(const char *file)
{
	bool digest = file != NULL && strstr(file, "digest") != NULL;

	if (digest && refuse)
		digest_refusals++;
	else if (digest)
		digest_allocs++;
	return !refuse;
}

static void *ossl_malloc(size_t n, const char *file, int line)
{
	(void)line;
	return counted(file) ? malloc(n) : NULL;
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
	(void)line;
	return counted(file) ? realloc(p, n) : NULL;
}

static void ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

/*
 * libsodium's crypto_hash_sha256_init, where hash.c's fallback starts,
 * counted per thread: defined here, it is the one that hash.c (linked into
 * this program) calls, and it calls libsodium's, which main finds.
 */
static int (*sodium_sha256_init)(crypto_hash_sha256_state *);
static _Thread_local unsigned long sodium_starts;

int crypto_hash_sha256_init(crypto_hash_sha256_state *state)
{
	sodium_starts++;
	return sodium_sha256_init(state);
}

static void reference(uint8_t out[HASH_LEN], const uint8_t *p, size_t len)
{
	assert_int_equal(crypto_hash_sha256(out, p, len), 0);
}

/*
 * Checks sha256; sha256_gather with the message in up to MAX_PIECES
 * random pieces (some of them empty, an empty one sometimes NULL); and the
 * incremental API with the message fed whole, byte by byte (short
 * messages only) and in nsplit random pieces (some of them empty), against
 * want.
 */
static void check_all(const uint8_t want[HASH_LEN], const uint8_t *p,
		      size_t len, uint64_t *rng, int nsplit)
{
	struct sha256_piece pieces[MAX_PIECES];
	uint8_t got[HASH_LEN];
	struct sha256 h;
	size_t n, at;

	memset(got, 0xaa, sizeof got);
	sha256(got, p, len);
	assert_memory_equal(got, want, HASH_LEN);

	n = 1 + rng_below(rng, MAX_PIECES);
	at = 0;
	for (size_t k = 0; k < n; k++) {
		size_t take =
			k + 1 < n ? rng_below(rng, len - at + 1) : len - at;

		pieces[k].data = take == 0 && rng_below(rng, 2) ? NULL : p + at;
		pieces[k].len = take;
		at += take;
	}
	memset(got, 0xaa, sizeof got);
	sha256_gather(got, pieces, n);
	assert_memory_equal(got, want, HASH_LEN);

	sha256_init(&h);
	sha256_update(&h, p, len);
	sha256_final(&h, got);
	assert_memory_equal(got, want, HASH_LEN);

	if (len <= 300) {
		sha256_init(&h);
		for (size_t k = 0; k < len; k++)
			sha256_update(&h, p + k, 1);
		sha256_final(&h, got);
		assert_memory_equal(got, want, HASH_LEN);
	}

	/* Random cut points, sorted by taking them in order. */
	sha256_init(&h);
	at = 0;
	for (int k = 0; k < nsplit; k++) {
		size_t take = rng_below(rng, len - at + 1);

		if (rng_below(rng, 4) == 0)
			take = 0;
		sha256_update(&h, p + at, take);
		at += take;
	}
	sha256_update(&h, p + at, len - at);
	sha256_final(&h, got);
	assert_memory_equal(got, want, HASH_LEN);
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
		struct sha256 h;
		size_t at = 0;

		assert_non_null(p);
		rng_fill(&rng, p, lens[i] + 1);
		reference(want, p + 1, lens[i]);
		check_all(want, p + 1, lens[i], &rng, 50);

		/* Pieces of up to 200 KB, as a streaming reader gives them. */
		sha256_init(&h);
		while (at < lens[i]) {
			size_t n = 1 + rng_below(&rng, 200000);

			if (n > lens[i] - at)
				n = lens[i] - at;
			sha256_update(&h, p + 1 + at, n);
			at += n;
		}
		sha256_final(&h, got);
		assert_memory_equal(got, want, HASH_LEN);
		free(p);
	}
}

/* NULL with length 0; no pieces; reuse after final; a hash discarded. */
static void test_edges(void **state)
{
	static const struct sha256_piece nothing[] = {{NULL, 0}, {"", 0}};
	static const struct sha256_piece abc[] = {
		{"", 0}, {"a", 1}, {NULL, 0}, {"bc", 2}, {NULL, 0}};
	uint8_t empty[HASH_LEN], want[HASH_LEN], got[HASH_LEN];
	struct sha256 h;
	(void)state;

	reference(empty, (const uint8_t *)"", 0);
	reference(want, (const uint8_t *)"abc", 3);

	sha256(got, NULL, 0);
	assert_memory_equal(got, empty, HASH_LEN);
	sha256_gather(got, NULL, 0);
	assert_memory_equal(got, empty, HASH_LEN);
	sha256_gather(got, nothing, NELEM(nothing));
	assert_memory_equal(got, empty, HASH_LEN);
	sha256_gather(got, abc, NELEM(abc));
	assert_memory_equal(got, want, HASH_LEN);

	sha256_init(&h);
	sha256_update(&h, NULL, 0);
	sha256_final(&h, got);
	assert_memory_equal(got, empty, HASH_LEN);

	/* The same struct, started again after final. */
	sha256_init(&h);
	sha256_update(&h, "abc", 3);
	sha256_final(&h, got);
	assert_memory_equal(got, want, HASH_LEN);

	/* Discarded: when all zeros, when started, twice, and after final;
	 * then started again. */
	memset(&h, 0, sizeof h);
	sha256_discard(&h);
	sha256_init(&h);
	sha256_update(&h, "ab", 2);
	sha256_discard(&h);
	assert_null(h.evp);
	sha256_discard(&h);
	sha256_init(&h);
	sha256_update(&h, "abc", 3);
	sha256_final(&h, got);
	sha256_discard(&h);
	assert_memory_equal(got, want, HASH_LEN);
	sha256_init(&h);
	sha256_update(&h, "a", 1);
	sha256_update(&h, "bc", 2);
	sha256_final(&h, got);
	assert_memory_equal(got, want, HASH_LEN);
}

/* Last of the digest tests: they went the way this thread says.  Refused,
 * libcrypto was asked and gave nothing, so every digest was libsodium's;
 * else libcrypto's digest code had memory. */
static void test_way(void **state)
{
	(void)state;
	if (refuse)
		assert_true(digest_refusals > 0);
	else
		assert_true(digest_allocs > 0);
}

static const struct CMUnitTest digest_tests[] = {
	cmocka_unit_test(test_nist_vectors),
	cmocka_unit_test(test_every_length),
	cmocka_unit_test(test_large),
	cmocka_unit_test(test_edges),
	cmocka_unit_test(test_way),
};

/* What one entry point did on a fresh thread: its digest of "abc"; what
 * the thread's digest code asked for (given, or refused on a thread that
 * refuses) after its first call and after its last; the hashes libsodium
 * started. */
struct way {
	bool refuse;
	bool incremental;
	int calls;
	uint8_t got[HASH_LEN];
	unsigned long asked[2];
	unsigned long sodium;
};

static void *way_thread(void *arg)
{
	struct way *w = arg;

	refuse = w->refuse;
	for (int i = 0; i < w->calls; i++) {
		if (w->incremental) {
			struct sha256 h;

			sha256_init(&h);
			sha256_update(&h, "abc", 3);
			sha256_final(&h, w->got);
		} else {
			sha256(w->got, "abc", 3);
		}
		if (i == 0 || i == w->calls - 1)
			w->asked[i > 0] =
				refuse ? digest_refusals : digest_allocs;
	}
	w->sodium = sodium_starts;
	return NULL;
}

/* Runs w on a fresh thread: libsodium made every digest when refused,
 * none else; the calls after the first asked for at least least, and at
 * most most, allocations. */
static void check_way(struct way *w, unsigned long least, unsigned long most)
{
	uint8_t want[HASH_LEN];
	pthread_t t;

	reference(want, (const uint8_t *)"abc", 3);
	assert_int_equal(pthread_create(&t, NULL, way_thread, w), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_memory_equal(w->got, want, HASH_LEN);
	assert_int_equal(w->sodium, w->refuse ? w->calls : 0);
	assert_true(w->asked[0] > 0);
	assert_in_range(w->asked[1] - w->asked[0], least, most);
}

/*
 * Each entry point's way, ten calls on a fresh thread.  sha256 makes the
 * thread's context at its first call and keeps it (OpenSSL 3.0 allocates
 * the SHA-256 state within it again at every start, later versions keep
 * that too: so at most one allocation a call after the first); refused,
 * it asks again at every call and gives libsodium's digest.  An
 * incremental hash has a context of its own; refused, it runs in
 * libsodium.
 */
static void test_paths(void **state)
{
	(void)state;
	for (int inc = 0; inc < 2; inc++) {
		struct way plain = {.incremental = inc, .calls = 10};
		struct way refused = {
			.refuse = true, .incremental = inc, .calls = 10};

		check_way(&plain, inc ? 9 : 0, inc ? ULONG_MAX : 9);
		check_way(&refused, 9, ULONG_MAX);
	}
}

/* The digest tests on a thread whose OpenSSL allocations are refused. */
static void *refusing_run(void *failed)
{
	refuse = true;
	*(int *)failed = cmocka_run_group_tests_name("libsodium fallback",
						     digest_tests, NULL, NULL);
	return NULL;
}

int main(void)
{
	const struct CMUnitTest paths[] = {
		cmocka_unit_test(test_paths),
	};
	void *real = dlsym(RTLD_NEXT, "crypto_hash_sha256_init");
	pthread_t t;
	int failed, refused_failed = 1;

	/* Before any allocation of OpenSSL's, or it keeps its own. */
	if (!CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free)) {
		fprintf(stderr, "test_hash: CRYPTO_set_mem_functions refused: "
				"OpenSSL allocated before main\n");
		return 1;
	}
	if (real == NULL) {
		fprintf(stderr, "test_hash: no crypto_hash_sha256_init in "
				"libsodium\n");
		return 1;
	}
	memcpy(&sodium_sha256_init, &real, sizeof real);
	failed = cmocka_run_group_tests_name("libcrypto", digest_tests, NULL,
					     NULL);
	failed += cmocka_run_group_tests_name("paths", paths, NULL, NULL);
	if (pthread_create(&t, NULL, refusing_run, &refused_failed) != 0 ||
	    pthread_join(t, NULL) != 0) {
		fprintf(stderr, "test_hash: no thread for the fallback\n");
		return 1;
	}
	return failed + refused_failed;
}
