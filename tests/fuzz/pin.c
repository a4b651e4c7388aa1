/*
 * pin.c: fuzzes pin_parse, the reader of a poster's pin (the fragment
 * "k=..&n=..&r=.." of the URL in its QR code).
 *
 * A pin that parses formats to a fragment that parses to the same pin.
 */
#include "core/pin.h"
#include "lib/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pin p, again;
	struct err e;
	char text[PIN_TEXT_MAX + 1];
	if (pin_parse((const char *)data, size, &p, &e) != ST_OK)
		return 0;
	size_t n = pin_format(&p, text, sizeof text);
	fuzz_assert(n > 0 && n == strlen(text));
	fuzz_assert(pin_parse(text, n, &again, &e) == ST_OK);
	fuzz_assert(memcmp(&p, &again, sizeof p) == 0);
	return 0;
}
