/*
 * witness_request.c: fuzzes witness_request_parse, the reader of a
 * tlog-witness add-checkpoint body, which any client may send.
 *
 * A body that parses is its old size line, its proof lines and an empty
 * line written again, then its checkpoint, which lies inside the input.
 */
#include "core/codec.h"
#include "core/witness.h"
#include "lib/fuzz.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct witness_request r;
	struct err e;
	char head[32 + WITNESS_PROOF_MAX * 46];
	if (witness_request_parse(body, size, &r, &e) != ST_OK)
		return 0;
	fuzz_assert(r.old >= 0 && r.nproof <= WITNESS_PROOF_MAX);
	fuzz_assert(r.old > 0 || r.nproof == 0);
	fuzz_assert(r.note > body && r.note_len > 0 &&
		    r.note + r.note_len == body + size);
	int n = snprintf(head, sizeof head, "old %lld\n", (long long)r.old);
	for (size_t i = 0; i < r.nproof; i++) {
		n += (int)b64_encode(head + n, sizeof head - (size_t)n,
				     r.proof[i], HASH_LEN, B64_STD);
		head[n++] = '\n';
	}
	head[n++] = '\n';
	fuzz_assert((size_t)n == (size_t)(r.note - body));
	fuzz_assert(memcmp(head, body, (size_t)n) == 0);
	return 0;
}
