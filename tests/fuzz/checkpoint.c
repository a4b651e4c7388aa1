/*
 * checkpoint.c: fuzzes checkpoint_parse (a checkpoint body) and
 * checkpoint_open (a signed checkpoint as /checkpoint serves it) against
 * the test log's key.
 *
 * A body that parses starts with what checkpoint_format writes of it
 * (only extension lines may follow); a checkpoint that opens has the
 * key's name as its origin.
 */
#include "lib/fuzz.h"

static struct note_verifier log_key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init_log_key(&log_key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct checkpoint cp;
	struct err e;
	if (checkpoint_parse(text, size, &cp, &e) == ST_OK) {
		struct buf out;
		buf_init(&out, 1024);
		fuzz_assert(checkpoint_format(&cp, &out) == ST_OK);
		fuzz_assert(out.len <= size &&
			    memcmp(out.data, text, out.len) == 0);
		buf_free(&out);
	}
	if (checkpoint_open(text, size, &log_key, &cp, &e) == ST_OK)
		fuzz_assert(strcmp(cp.origin, log_key.name) == 0);
	return 0;
}
