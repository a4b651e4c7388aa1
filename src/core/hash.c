/*
 * hash.c: SHA-256 through libsodium.
 */
#include "hash.h"

void sha256_init(struct sha256 *h)
{
	crypto_hash_sha256_init(&h->st);
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	crypto_hash_sha256_update(&h->st, data, len);
}

void sha256_final(struct sha256 *h, uint8_t out[HASH_LEN])
{
	crypto_hash_sha256_final(&h->st, out);
}

void sha256(uint8_t out[HASH_LEN], const void *data, size_t len)
{
	crypto_hash_sha256(out, data, len);
}
