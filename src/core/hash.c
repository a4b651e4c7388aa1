/*
 * hash.c: SHA-256 through OpenSSL's libcrypto, or libsodium when libcrypto
 * has no memory.
 *
 * libcrypto's EVP interface costs what a digest costs only when its
 * fixed costs are paid once: the SHA2-256 method is fetched once per
 * process (EVP_MD_fetch looks it up in the provider's tables, under a
 * lock), and each thread keeps one EVP_MD_CTX for its one-shot hashes,
 * made on its first hash and freed when the thread ends (a pthread key's
 * destructor; the main thread's lasts until the process ends).  Both are
 * made by the first caller: the method under pthread_once, kept in a
 * static written once and read-only after; the context in the thread's
 * key.  An incremental hash has a context of its own, in struct sha256,
 * since it may be carried from one thread to another between its calls.
 *
 * libcrypto allocates: the context, and (OpenSSL 3.0) the SHA-256 state
 * within it at every EVP_DigestInit_ex2.  When an allocation fails, the
 * hash is computed by libsodium's crypto_hash_sha256 instead, which never
 * allocates, so that hashing never fails: a one-shot hash tries libcrypto
 * again at its next call; an incremental hash that could not start in
 * libcrypto runs in libsodium to its end; a process whose first hash could
 * not fetch the method hashes with libsodium from then on.  The error that
 * libcrypto queued on the thread is cleared, so that another user of
 * OpenSSL on the thread (libcurl) does not read it as its own.  Once
 * started, libcrypto's SHA-256 update and final do not fail (OpenSSL 3's
 * provider returns 1 from both; they check nothing but our use of the
 * context), so a failure of theirs is asserted as a bug.
 *
 * Some messages are secrets (venue owner tokens).  libcrypto wipes the
 * message tail it kept at EVP_DigestFinal_ex, and wipes its state when it
 * frees it; sha256_final and sha256_discard free the incremental hash's
 * context and wipe struct sha256, as libsodium's final wipes its state.
 */
#include <assert.h>
#include <pthread.h>
#include <stdbool.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "hash.h"

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;     /* written once by setup; NULL: no libcrypto */
static pthread_key_t ctx_key; /* each thread's one-shot EVP_MD_CTX */

static void free_thread_ctx(void *c)
{
	EVP_MD_CTX_free(c);
}

static void setup(void)
{
	if (pthread_key_create(&ctx_key, free_thread_ctx) == 0)
		sha256_md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
}

/* The SHA-256 method, or NULL when libcrypto could not give it. */
static const EVP_MD *method(void)
{
	pthread_once(&setup_once, setup);
	return sha256_md;
}

/* The calling thread's context for one-shot hashes, made on first use;
 * NULL when libcrypto is not there or has no memory for it. */
static EVP_MD_CTX *thread_ctx(void)
{
	EVP_MD_CTX *c;

	if (method() == NULL)
		return NULL;
	c = pthread_getspecific(ctx_key);
	if (c == NULL) {
		c = EVP_MD_CTX_new();
		if (c != NULL && pthread_setspecific(ctx_key, c) != 0) {
			EVP_MD_CTX_free(c);
			c = NULL;
		}
	}
	return c;
}

static bool evp_gather(EVP_MD_CTX *c, uint8_t out[HASH_LEN],
		       const struct sha256_piece *p, size_t n)
{
	if (!EVP_DigestInit_ex2(c, method(), NULL))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!EVP_DigestUpdate(c, p[i].data, p[i].len))
			return false;
	return EVP_DigestFinal_ex(c, out, NULL) == 1;
}

static void sodium_gather(uint8_t out[HASH_LEN], const struct sha256_piece *p,
			  size_t n)
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	for (size_t i = 0; i < n; i++)
		if (p[i].len > 0)
			crypto_hash_sha256_update(&st, p[i].data, p[i].len);
	crypto_hash_sha256_final(&st, out);
}

void sha256_gather(uint8_t out[HASH_LEN], const struct sha256_piece *p,
		   size_t n)
{
	EVP_MD_CTX *c = thread_ctx();

	if (c != NULL && evp_gather(c, out, p, n))
		return;
	ERR_clear_error();
	sodium_gather(out, p, n);
}

void sha256(uint8_t out[HASH_LEN], const void *data, size_t len)
{
	const struct sha256_piece whole = {data, len};

	sha256_gather(out, &whole, 1);
}

void sha256_init(struct sha256 *h)
{
	const EVP_MD *m = method();

	h->evp = m != NULL ? EVP_MD_CTX_new() : NULL;
	if (h->evp != NULL && EVP_DigestInit_ex2(h->evp, m, NULL))
		return;
	EVP_MD_CTX_free(h->evp);
	h->evp = NULL;
	ERR_clear_error();
	crypto_hash_sha256_init(&h->sodium);
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (h->evp != NULL) {
		int ok = EVP_DigestUpdate(h->evp, data, len);

		assert(ok == 1);
		(void)ok;
		return;
	}
	crypto_hash_sha256_update(&h->sodium, data, len);
}

void sha256_final(struct sha256 *h, uint8_t out[HASH_LEN])
{
	if (h->evp != NULL) {
		int ok = EVP_DigestFinal_ex(h->evp, out, NULL);

		assert(ok == 1);
		(void)ok;
	} else {
		crypto_hash_sha256_final(&h->sodium, out);
	}
	sha256_discard(h);
}

void sha256_discard(struct sha256 *h)
{
	EVP_MD_CTX_free(h->evp);
	sodium_memzero(h, sizeof *h);
}
