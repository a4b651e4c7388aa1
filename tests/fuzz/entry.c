/*
 * entry.c: fuzzes entry_parse, the parser of every log entry a verifier
 * reads (bundles, tiles, the database).
 *
 * An entry that parses must format back to exactly its own bytes:
 * entry.h fixes one form per entry, so a parser that accepts a second
 * spelling of the same entry breaks the log's leaf hashes.
 */
#include <sodium.h>

#include "core/entry.h"
#include "lib/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct entry en;
	struct err e;
	struct buf out;
	if (entry_parse((const char *)data, size, &en, &e) != ST_OK)
		return 0;
	buf_init(&out, ENTRY_MAX);
	fuzz_assert(entry_format(&en, &out, &e) == ST_OK);
	fuzz_assert(out.len == size && memcmp(out.data, data, size) == 0);
	buf_free(&out);
	return 0;
}
