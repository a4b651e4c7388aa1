/*
 * hash.h: SHA-256 (FIPS 180-4), one-shot and incremental.
 *
 * The one place sanilog computes SHA-256.  On x86-64 CPUs with the SHA
 * extensions the compression function runs on those instructions; on other
 * CPUs and other architectures every call goes to libsodium.  Both give the
 * same digests; which one runs is chosen at run time and is invisible to
 * callers except in speed.  No call here fails, allocates or prints.
 */
#ifndef SANILOG_HASH_H
#define SANILOG_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define HASH_LEN 32

/* An incremental hash.  Its contents are private to hash.c. */
struct sha256 {
	bool accel; /* true: u.own on the SHA extensions; false: u.sodium */
	union {
		crypto_hash_sha256_state sodium;
		struct {
			uint32_t state[8]; /* H0..H7 */
			uint64_t count;	   /* bytes hashed so far */
			uint8_t buf[64];   /* count % 64 bytes not yet hashed */
		} own;
	} u;
};

/* Starts a hash of the empty message in *h. */
void sha256_init(struct sha256 *h);

/* Appends data[0..len) to the message hashed by *h (data may be NULL when
 * len is 0). */
void sha256_update(struct sha256 *h, const void *data, size_t len);

/* Writes the digest of the message to out and wipes *h, which must be
 * initialised again before it is used again. */
void sha256_final(struct sha256 *h, uint8_t out[HASH_LEN]);

/* out = SHA-256(data[0..len)); data may be NULL when len is 0. */
void sha256(uint8_t out[HASH_LEN], const void *data, size_t len);

/*
 * For tests and benchmarks only: each implementation by name, so that both
 * can be checked and timed on one machine.  Production code calls the
 * functions above.
 *
 * sha256_accel_available() tells whether this build and CPU can run the
 * SHA-extension code.  sha256_accel() and sha256_init_accel() use it when
 * it is available and fall back to libsodium otherwise (never a fault);
 * sha256_portable() and sha256_init_portable() always use libsodium.
 * A hash started by either init function continues with sha256_update and
 * sha256_final in the same implementation.
 */
bool sha256_accel_available(void);
void sha256_portable(uint8_t out[HASH_LEN], const void *data, size_t len);
void sha256_accel(uint8_t out[HASH_LEN], const void *data, size_t len);
void sha256_init_portable(struct sha256 *h);
void sha256_init_accel(struct sha256 *h);

#endif
