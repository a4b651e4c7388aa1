/*
 * fuzz.h: what the libFuzzer harnesses of tests/fuzz share.
 *
 * Each harness tests/fuzz/<name>.c defines LLVMFuzzerTestOneInput for one
 * parser of outside input and is linked with the library built by clang
 * with -fsanitize=fuzzer-no-link,address,undefined (`make fuzz`).  A
 * harness aborts (fuzz_assert) when a parser breaks its own contract, so
 * that libFuzzer keeps the input as a crash, not only on memory errors.
 *
 * The keys are the committed test keys of tests/cli/keys (public halves
 * only): the seeds grown from tests/cli's golden files are signed by them.
 */
#ifndef SANILOG_FUZZ_H
#define SANILOG_FUZZ_H

#include <stddef.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/note.h"

/* tests/cli/keys/log.vkey and provider.vkey. */
#define FUZZ_LOG_VKEY                                                          \
	"test.sanilog.example/log+3092f399+"                                   \
	"AeUeQ7WyBcAgKUYF8UH8C9TpOBhfPAxmH65hKwwQfP1M"
#define FUZZ_PROVIDER_VKEY                                                     \
	"cleanco.example+7fea4884+"                                            \
	"Ae2CbjFQGrhHQCGGU7xTTzCLMJceeqehTHn/p3dy7hyB"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Stops the run with a message when cond is false: a contract broken. */
#define fuzz_assert(cond)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: broken: %s\n", __FILE__,       \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

/* A NUL-terminated copy of data[0..size) (new: free it), or NULL when
 * memory runs out.  Parsers that take C strings see exactly the input up
 * to its first NUL. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s != NULL) {
		memcpy(s, data, size);
		s[size] = 0;
	}
	return s;
}

/* Parses a verifier key text that must be valid (a harness's own). */
static inline void fuzz_verifier(const char *text, struct note_verifier *out)
{
	struct err e;
	fuzz_assert(note_verifier_parse(text, strlen(text), out, &e) == ST_OK);
}

/* Initializes libsodium and parses FUZZ_LOG_VKEY into *out: a harness's
 * LLVMFuzzerInitialize for the parsers that check the log's signature. */
static inline int fuzz_init_log_key(struct note_verifier *out)
{
	if (sodium_init() < 0)
		return -1;
	fuzz_verifier(FUZZ_LOG_VKEY, out);
	return 0;
}

#endif
