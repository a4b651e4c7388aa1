/*
 * hash.c: SHA-256 on the CPU's SHA extensions, or through libsodium.
 *
 * On x86-64 CPUs that have the SHA extensions (with SSSE3 and SSE4.1, which
 * every such CPU has, but we ask anyway) the compression function is
 * compress_accel() below, on _mm_sha256rnds2_epu32, _mm_sha256msg1_epu32
 * and _mm_sha256msg2_epu32, and this file does the buffering, padding and
 * length itself (FIPS 180-4, 5.1.1 and 6.2).  Only the functions marked
 * SHA_TARGET are compiled for those instructions; the rest of the file, and
 * of the build, keeps the project's flags, and no SHA_TARGET function runs
 * unless accel_available() said yes.  Elsewhere (other CPUs, other
 * architectures) every call goes to libsodium's crypto_hash_sha256.
 *
 * The choice is made on every sha256() and sha256_init() call, from the
 * CPU-feature words that libgcc (or compiler-rt) fills in once before main
 * runs: __builtin_cpu_supports is a load and a test, so there is no cache
 * and no global of ours.  (The exception is clang before 19, which lacks
 * the "sha" feature name: there accel_available() asks CPUID once and
 * keeps the answer in a function-local static.)  A streaming hash remembers its
 * choice in struct sha256, so one message never mixes implementations.
 *
 * Like libsodium's, sha256_final wipes the state and the one-shot path
 * wipes its copy of the message tail, since some inputs are secrets (venue
 * owner tokens).
 */
#include <string.h>

#include "hash.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define HAVE_ACCEL 1
#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))
#else
#define HAVE_ACCEL 0
#endif

#if HAVE_ACCEL && defined(__clang__) && __clang_major__ < 19
/*
 * Clang before 19 does not know __builtin_cpu_supports("sha"), so there we
 * ask CPUID ourselves.  CPUID is slow (and traps in a virtual machine), so
 * its answer is kept in a function-local static: the one mutable static in
 * this file, written at most once per thread with the same value; 0 means
 * not yet asked.
 */
#include <cpuid.h>
#include <stdatomic.h>

static bool accel_available(void)
{
	static atomic_int known; /* 0 unknown, 1 no, 2 yes */
	int k = atomic_load_explicit(&known, memory_order_relaxed);

	if (k == 0) {
		unsigned a, b, c, d;
		bool sse = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) &&
			   (c & bit_SSE4_1);
		bool sha = __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
			   (b & bit_SHA);

		k = sse && sha ? 2 : 1;
		atomic_store_explicit(&known, k, memory_order_relaxed);
	}
	return k == 2;
}
#else
static bool accel_available(void)
{
#if HAVE_ACCEL
	/* Needed only before constructors have run; cheap after. */
	__builtin_cpu_init();
	return __builtin_cpu_supports("sha") &&
	       __builtin_cpu_supports("sse4.1") &&
	       __builtin_cpu_supports("ssse3");
#else
	return false;
#endif
}
#endif

#if HAVE_ACCEL

/* FIPS 180-4, 5.3.3. */
static const uint32_t sha256_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* FIPS 180-4, 4.2.2; aligned for 16-byte loads, four rounds at a time. */
static _Alignas(16) const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* An unaligned 16-byte load (any pointer converts to const void *). */
SHA_TARGET static inline __m128i load128(const void *p)
{
	return _mm_loadu_si128(p);
}

/*
 * Four rounds, 4g .. 4g+3, whose message words are in m (word 4g in the
 * low lane).  SHA256RNDS2 does two rounds on the state split as ABEF and
 * CDGH (A in the high lane), taking W+K for its two rounds from the low
 * 64 bits of its third operand, and returns the new ABEF; after two rounds
 * the old ABEF is the new CDGH, so the two variables swap roles and swap
 * back within the four rounds.
 */
#define ROUNDS4(m, g)                                                          \
	do {                                                                   \
		__m128i wk_ = _mm_add_epi32((m), load128(&sha256_k[4 * (g)])); \
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk_);                 \
		wk_ = _mm_shuffle_epi32(wk_, 0x0e);                            \
		abef = _mm_sha256rnds2_epu32(abef, cdgh, wk_);                 \
	} while (0)

/*
 * The message schedule (FIPS 180-4, 6.2.2 step 1), four words at a time:
 * with a = W[t-16..t-13], b = W[t-12..], c = W[t-8..t-5], d = W[t-4..t-1],
 * a becomes W[t..t+3].  SHA256MSG1 adds sigma0 of the next word to each of
 * a's; W[t-7..t-4] is c and d shifted by one word; SHA256MSG2 adds sigma1
 * of the words two back, the first two from d and the last two from its own
 * results.
 */
#define SCHEDULE4(a, b, c, d)                                                  \
	do {                                                                   \
		(a) = _mm_add_epi32(_mm_sha256msg1_epu32((a), (b)),            \
				    _mm_alignr_epi8((d), (c), 4));             \
		(a) = _mm_sha256msg2_epu32((a), (d));                          \
	} while (0)

/* Hashes nblocks 64-byte blocks at p into st (H0..H7). */
SHA_TARGET static void compress_accel(uint32_t st[8], const uint8_t *p,
				      size_t nblocks)
{
	/* Reverses the bytes of each 32-bit lane: the message is big-endian. */
	const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5,
					   6, 7, 0, 1, 2, 3);
	__m128i t, abef, cdgh, abef0, cdgh0, m0, m1, m2, m3;

	/*
	 * H0..H7 = a..h into the ABEF and CDGH lanes.  Lanes are named high
	 * to low: after the loads t is dcba and cdgh is hgfe; then t is cdab,
	 * cdgh efgh, and the last two steps give abef and cdgh.
	 */
	t = load128(st);
	cdgh = load128(st + 4);
	t = _mm_shuffle_epi32(t, 0xb1);
	cdgh = _mm_shuffle_epi32(cdgh, 0x1b);
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xf0);

	for (; nblocks > 0; nblocks--, p += 64) {
		abef0 = abef;
		cdgh0 = cdgh;

		m0 = _mm_shuffle_epi8(load128(p), bswap);
		ROUNDS4(m0, 0);
		m1 = _mm_shuffle_epi8(load128(p + 16), bswap);
		ROUNDS4(m1, 1);
		m2 = _mm_shuffle_epi8(load128(p + 32), bswap);
		ROUNDS4(m2, 2);
		m3 = _mm_shuffle_epi8(load128(p + 48), bswap);
		ROUNDS4(m3, 3);

		SCHEDULE4(m0, m1, m2, m3);
		ROUNDS4(m0, 4);
		SCHEDULE4(m1, m2, m3, m0);
		ROUNDS4(m1, 5);
		SCHEDULE4(m2, m3, m0, m1);
		ROUNDS4(m2, 6);
		SCHEDULE4(m3, m0, m1, m2);
		ROUNDS4(m3, 7);
		SCHEDULE4(m0, m1, m2, m3);
		ROUNDS4(m0, 8);
		SCHEDULE4(m1, m2, m3, m0);
		ROUNDS4(m1, 9);
		SCHEDULE4(m2, m3, m0, m1);
		ROUNDS4(m2, 10);
		SCHEDULE4(m3, m0, m1, m2);
		ROUNDS4(m3, 11);
		SCHEDULE4(m0, m1, m2, m3);
		ROUNDS4(m0, 12);
		SCHEDULE4(m1, m2, m3, m0);
		ROUNDS4(m1, 13);
		SCHEDULE4(m2, m3, m0, m1);
		ROUNDS4(m2, 14);
		SCHEDULE4(m3, m0, m1, m2);
		ROUNDS4(m3, 15);

		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}

	/* Back to H0..H7: t is feba, cdgh dchg, then dcba and hgfe. */
	t = _mm_shuffle_epi32(abef, 0x1b);
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
	abef = _mm_blend_epi16(t, cdgh, 0xf0);
	cdgh = _mm_alignr_epi8(cdgh, t, 8);
	_mm_storeu_si128((void *)st, abef);
	_mm_storeu_si128((void *)(st + 4), cdgh);
}

/*
 * Pads the last len % 64 bytes of a len-byte message, tail[0..len % 64)
 * of the 128-byte buffer tail, and hashes them into st (FIPS 180-4,
 * 5.1.1: a 1 bit, zeros, and the length in bits as 64 bits big-endian, in
 * one block or two).
 */
static void pad_and_compress(uint32_t st[8], uint8_t tail[128], uint64_t len)
{
	size_t used = (size_t)(len % 64);
	size_t n = used < 56 ? 64 : 128;

	tail[used] = 0x80;
	memset(tail + used + 1, 0, n - 8 - (used + 1));
	put_be64(tail + n - 8, len << 3);
	compress_accel(st, tail, n / 64);
}

static void digest_out(uint8_t out[HASH_LEN], const uint32_t st[8])
{
	for (int i = 0; i < 8; i++)
		put_be32(out + 4 * i, st[i]);
}

static void oneshot_accel(uint8_t out[HASH_LEN], const uint8_t *p, size_t len)
{
	uint32_t st[8];
	uint8_t tail[128];
	size_t full = len / 64, rest = len % 64;

	memcpy(st, sha256_iv, sizeof st);
	if (full > 0)
		compress_accel(st, p, full);
	if (rest > 0)
		memcpy(tail, p + 64 * full, rest);
	pad_and_compress(st, tail, len);
	digest_out(out, st);
	sodium_memzero(tail, sizeof tail);
}

static void init_own(struct sha256 *h)
{
	h->accel = true;
	memcpy(h->u.own.state, sha256_iv, sizeof h->u.own.state);
	h->u.own.count = 0;
}

static void update_own(struct sha256 *h, const uint8_t *p, size_t len)
{
	size_t used = (size_t)(h->u.own.count % 64);

	h->u.own.count += len;
	if (used > 0) {
		size_t take = 64 - used;

		if (len < take) {
			memcpy(h->u.own.buf + used, p, len);
			return;
		}
		memcpy(h->u.own.buf + used, p, take);
		compress_accel(h->u.own.state, h->u.own.buf, 1);
		p += take;
		len -= take;
	}
	if (len >= 64) {
		compress_accel(h->u.own.state, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	if (len > 0)
		memcpy(h->u.own.buf, p, len);
}

static void final_own(struct sha256 *h, uint8_t out[HASH_LEN])
{
	uint8_t tail[128];
	size_t used = (size_t)(h->u.own.count % 64);

	memcpy(tail, h->u.own.buf, used);
	pad_and_compress(h->u.own.state, tail, h->u.own.count);
	digest_out(out, h->u.own.state);
	sodium_memzero(tail, sizeof tail);
}

#endif /* HAVE_ACCEL */

bool sha256_accel_available(void)
{
	return accel_available();
}

void sha256_init_portable(struct sha256 *h)
{
	h->accel = false;
	crypto_hash_sha256_init(&h->u.sodium);
}

void sha256_init_accel(struct sha256 *h)
{
#if HAVE_ACCEL
	if (accel_available()) {
		init_own(h);
		return;
	}
#endif
	sha256_init_portable(h);
}

void sha256_init(struct sha256 *h)
{
	sha256_init_accel(h);
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (len == 0)
		return;
#if HAVE_ACCEL
	if (h->accel) {
		update_own(h, data, len);
		return;
	}
#endif
	crypto_hash_sha256_update(&h->u.sodium, data, len);
}

void sha256_final(struct sha256 *h, uint8_t out[HASH_LEN])
{
#if HAVE_ACCEL
	if (h->accel) {
		final_own(h, out);
		sodium_memzero(h, sizeof *h);
		return;
	}
#endif
	crypto_hash_sha256_final(&h->u.sodium, out);
	sodium_memzero(h, sizeof *h);
}

void sha256_portable(uint8_t out[HASH_LEN], const void *data, size_t len)
{
	crypto_hash_sha256(out, data, len);
}

void sha256_accel(uint8_t out[HASH_LEN], const void *data, size_t len)
{
#if HAVE_ACCEL
	if (accel_available()) {
		oneshot_accel(out, data, len);
		return;
	}
#endif
	sha256_portable(out, data, len);
}

void sha256(uint8_t out[HASH_LEN], const void *data, size_t len)
{
	sha256_accel(out, data, len);
}
