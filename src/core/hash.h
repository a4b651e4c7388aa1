/*
 * hash.h: SHA-256 (FIPS 180-4), one-shot, in pieces and incremental.
 *
 * The one place sanilog computes SHA-256.  The digests come from OpenSSL's
 * libcrypto (its EVP interface, which runs on the CPU's SHA extensions
 * where it has them); when libcrypto cannot start a hash for want of
 * memory, from libsodium's crypto_hash_sha256 instead.  Both give the same
 * digests, so which one ran is invisible to callers except in speed.  No
 * call here fails or prints.
 */
#ifndef SANILOG_HASH_H
#define SANILOG_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>
#include <sodium.h>

#define HASH_LEN 32

/* out = SHA-256(data[0..len)); data may be NULL when len is 0. */
void sha256(uint8_t out[HASH_LEN], const void *data, size_t len);

/* One piece of a message: len bytes at data (NULL when len is 0). */
struct sha256_piece {
	const void *data;
	size_t len;
};

/* out = SHA-256 of the n pieces p[0..n) one after the other, as sha256()
 * of their concatenation would give it, without copying them together. */
void sha256_gather(uint8_t out[HASH_LEN], const struct sha256_piece *p,
		   size_t n);

/*
 * An incremental hash, for a message that arrives in parts (an upload).
 * Started by sha256_init, it holds memory until sha256_final or
 * sha256_discard, and is not to be copied (the copy would share that
 * memory).  It may go from one thread to another between calls.  Its
 * contents are private to hash.c.
 */
struct sha256 {
	EVP_MD_CTX *evp; /* owned; NULL when the hash runs in sodium */
	crypto_hash_sha256_state sodium;
};

/* Starts a hash of the empty message in *h. */
void sha256_init(struct sha256 *h);

/* Appends data[0..len) to the message hashed by *h (data may be NULL when
 * len is 0). */
void sha256_update(struct sha256 *h, const void *data, size_t len);

/* Writes the digest of the message to out, then frees and wipes *h as
 * sha256_discard does. */
void sha256_final(struct sha256 *h, uint8_t out[HASH_LEN]);

/* Frees and wipes *h without a digest (an upload given up), leaving it all
 * zeros.  *h may be started, finished already, or all zeros; it must be
 * started again before it is used again. */
void sha256_discard(struct sha256 *h);

#endif
