/*
 * note.c: fuzzes the signed-note parsers: note_open against the test log
 * and provider keys (a checkpoint, an attestation), and the key texts a
 * user hands over (note_verifier_parse, note_cosigner_parse for a
 * witness's, note_signer_parse).
 *
 * A note that opens has a text that is a prefix of it ending in LF; a
 * verifier key that parses formats back to the same text.
 */
#include <sodium.h>

#include "lib/fuzz.h"

static struct note_verifier known[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		return -1;
	fuzz_verifier(FUZZ_LOG_VKEY, &known[0]);
	fuzz_verifier(FUZZ_PROVIDER_VKEY, &known[1]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *msg = (const char *)data;
	struct err e;
	size_t text_len = 0;
	if (note_open(msg, size, known, 2, &text_len, &e) == ST_OK)
		fuzz_assert(text_len > 0 && text_len < size &&
			    msg[text_len - 1] == '\n');

	struct note_verifier v;
	if (note_verifier_parse(msg, size, &v, &e) == ST_OK) {
		char text[NOTE_VKEY_MAX + 1];
		note_verifier_format(&v, text, sizeof text);
		size_t n = strlen(text);
		fuzz_assert(n == size || (n + 1 == size && msg[n] == '\n'));
		fuzz_assert(memcmp(text, msg, n) == 0);
	}

	if (note_cosigner_parse(msg, size, &v, &e) == ST_OK) {
		char text[NOTE_VKEY_MAX + 1];
		note_cosigner_format(&v, text, sizeof text);
		size_t n = strlen(text);
		fuzz_assert(n == size || (n + 1 == size && msg[n] == '\n'));
		fuzz_assert(memcmp(text, msg, n) == 0);
	}

	struct note_signer *s = NULL;
	if (note_signer_parse(msg, size, &s, &e) == ST_OK) {
		struct note_verifier sv;
		note_signer_verifier(s, &sv);
		fuzz_assert(note_name_valid(sv.name, strlen(sv.name)));
	}
	note_signer_free(s);
	return 0;
}
