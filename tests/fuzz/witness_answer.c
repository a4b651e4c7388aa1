/*
 * witness_answer.c: fuzzes wclient_cosignature, the reader of a witness's
 * 200 answer (its cosignature lines), which the log takes from the
 * network.
 *
 * The witness is the key of seed 00 01 .. 1f named witness.example/w1, the
 * checkpoint the specification's example (as in test_witness.c).  A
 * cosignature that is found is a whole line of the answer, of that
 * witness, and verifies.
 */
#include "core/codec.h"
#include "core/witness.h"
#include "lib/fuzz.h"
#include "net/wclient.h"

#include <string.h>

#define VKEY                                                                   \
	"witness.example/w1+e75f6532+"                                         \
	"BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
#define BODY                                                                   \
	"example.com/behind-the-sofa\n20852163\n"                              \
	"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct note_verifier v;
	static bool ready;
	struct err e;
	if (!ready) {
		fuzz_assert(note_cosigner_parse(VKEY, strlen(VKEY), &v, &e) ==
			    ST_OK);
		ready = true;
	}
	char line[WCLIENT_LINE_MAX + 1];
	uint64_t t = 0;
	if (wclient_cosignature(&v, BODY, strlen(BODY), (const char *)data,
				size, line, &t, &e) != ST_OK)
		return 0;
	size_t n = strlen(line);
	fuzz_assert(n > 0 && line[n - 1] == '\n');
	bool whole = false; /* a line of the answer, from its start */
	for (size_t i = 0; !whole && i + n <= size; i++)
		whole = (i == 0 || data[i - 1] == '\n') &&
			memcmp(data + i, line, n) == 0;
	fuzz_assert(whole);
	fuzz_assert(strncmp(line, "\xe2\x80\x94 witness.example/w1 ", 23) == 0);
	fuzz_assert(t <= INT64_MAX);
	return 0;
}
