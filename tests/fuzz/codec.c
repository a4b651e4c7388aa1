/*
 * codec.c: fuzzes the strict decoders every parser builds on: base64 of
 * both variants, lowercase hex, canonical decimals.
 *
 * What decodes encodes back to exactly the input (only canonical forms
 * are accepted).
 */
#include <inttypes.h>

#include "core/codec.h"
#include "lib/fuzz.h"

#define MAX 1024

static void b64_round(const char *text, size_t len, enum b64_variant v)
{
	uint8_t bytes[MAX];
	char again[2 * MAX];
	size_t n = 0;
	if (b64_decode(bytes, sizeof bytes, &n, text, len, v) != ST_OK)
		return;
	fuzz_assert(n <= sizeof bytes && b64_encoded_len(n, v) == len);
	size_t w = b64_encode(again, sizeof again, bytes, n, v);
	fuzz_assert(w == len && memcmp(again, text, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	if (size > MAX)
		return 0;
	b64_round(text, size, B64_STD);
	b64_round(text, size, B64_URL);

	uint8_t bytes[MAX / 2];
	if (size % 2 == 0 && hex_decode(bytes, size / 2, text, size) == ST_OK) {
		char hex[MAX + 1];
		hex_encode(hex, bytes, size / 2);
		fuzz_assert(memcmp(hex, text, size) == 0);
	}

	char *s = fuzz_cstr(data, size);
	int64_t v = -1;
	if (s != NULL && dec_parse(s, &v)) {
		char dec[32];
		fuzz_assert(v >= 0);
		snprintf(dec, sizeof dec, "%" PRId64, v);
		fuzz_assert(strcmp(dec, s) == 0);
	}
	free(s);
	return 0;
}
