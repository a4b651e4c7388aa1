/*
 * bundle.c: fuzzes bundle_parse, the reader of bundle.json as `sanilog
 * verify BUNDLE` and the remote verifier take it.
 *
 * A bundle that parses formats to JSON that parses again and formats to
 * the same bytes.
 */
#include <sodium.h>

#include "core/bundle.h"
#include "lib/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle *b = NULL, *again = NULL;
	struct err e;
	struct buf one, two;
	if (bundle_parse((const char *)data, size, &b, &e) != ST_OK)
		return 0;
	buf_init(&one, BUNDLE_MAX);
	buf_init(&two, BUNDLE_MAX);
	fuzz_assert(bundle_format(b, &one) == ST_OK);
	fuzz_assert(bundle_parse(buf_str(&one), one.len, &again, &e) == ST_OK);
	fuzz_assert(bundle_format(again, &two) == ST_OK);
	fuzz_assert(one.len == two.len &&
		    memcmp(one.data, two.data, one.len) == 0);
	buf_free(&one);
	buf_free(&two);
	bundle_free(again);
	bundle_free(b);
	return 0;
}
