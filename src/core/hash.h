/*
 * hash.h: SHA-256, one-shot and incremental.
 *
 * The one place sanilog computes SHA-256, so that a faster implementation
 * (the CPU's SHA instructions) can stand in for libsodium's everywhere.
 */
#ifndef SANILOG_HASH_H
#define SANILOG_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define HASH_LEN 32

struct sha256 {
	crypto_hash_sha256_state st;
};

void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
void sha256_final(struct sha256 *h, uint8_t out[HASH_LEN]);

/* out = SHA-256(data[0..len)). */
void sha256(uint8_t out[HASH_LEN], const void *data, size_t len);

#endif
