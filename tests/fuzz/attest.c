/*
 * attest.c: fuzzes a provider's attestation both ways it arrives: as the
 * signed note a venue owner uploads (attest_from_note) and as the value
 * of an entry's attestation line (attest_parse_line, attest_verify_line),
 * against the fields of tests/cli's attested document and the test
 * provider's key.
 *
 * A note that is accepted gives a line that parses and verifies.
 */
#include <sodium.h>

#include "core/attest.h"
#include "core/codec.h"
#include "lib/fuzz.h"

static struct note_verifier provider;
static struct attest_fields fields = {
	.venue = "k7m2q9xa",
	.type = "sanitization",
	.performed = "2026-11-20",
	.expires = "2027-05-20",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const char doc[] = "79a412c51218c66ca1a84f684c7ae1cb15883835017"
				  "c34fd720e328875b2d2ad";
	if (sodium_init() < 0)
		return -1;
	fuzz_verifier(FUZZ_PROVIDER_VKEY, &provider);
	fuzz_assert(hex_decode(fields.doc, HASH_LEN, doc, strlen(doc)) ==
		    ST_OK);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	char line[256];
	if (attest_from_note((const char *)data, size, &fields, &provider, line,
			     sizeof line, &e) == ST_OK) {
		char name[NOTE_NAME_MAX + 1];
		uint32_t hash = 0;
		fuzz_assert(attest_parse_line(line, name, &hash, &e) == ST_OK);
		fuzz_assert(hash == provider.hash);
		fuzz_assert(attest_verify_line(line, &fields, &provider, &e) ==
			    ST_OK);
	}

	char *s = fuzz_cstr(data, size);
	if (s == NULL)
		return 0;
	char name[NOTE_NAME_MAX + 1];
	uint32_t hash = 0;
	if (attest_parse_line(s, name, &hash, &e) == ST_OK)
		fuzz_assert(strlen(name) <= NOTE_NAME_MAX);
	(void)attest_verify_line(s, &fields, &provider, &e);
	free(s);
	return 0;
}
