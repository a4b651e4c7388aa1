/*
 * utf8.c: well-formed UTF-8 (see utf8.h).
 *
 * The second byte of a sequence carries every rule of table 3-7 besides
 * "a continuation byte": its range depends on the lead byte (E0 excludes
 * the overlongs below U+0800, ED the surrogates, F0 the overlongs below
 * U+10000, F4 what lies above U+10FFFF), so one range check on it and the
 * continuation check on the others decide, with no code point compared.
 */
#include "utf8.h"

size_t utf8_decode(const uint8_t *s, size_t len, uint32_t *cp)
{
	uint8_t lead = s[0], lo = 0x80, hi = 0xbf;
	size_t n;
	uint32_t v;

	if (lead < 0x80) {
		*cp = lead;
		return 1;
	}
	if (lead >= 0xc2 && lead <= 0xdf) {
		n = 2;
		v = lead & 0x1fu;
	} else if (lead >= 0xe0 && lead <= 0xef) {
		n = 3;
		v = lead & 0x0fu;
		lo = lead == 0xe0 ? 0xa0 : lo;
		hi = lead == 0xed ? 0x9f : hi;
	} else if (lead >= 0xf0 && lead <= 0xf4) {
		n = 4;
		v = lead & 0x07u;
		lo = lead == 0xf0 ? 0x90 : lo;
		hi = lead == 0xf4 ? 0x8f : hi;
	} else {
		return 0; /* a continuation byte, C0, C1 or F5..FF */
	}
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (i > 1 && (s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	*cp = v;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		size_t n = utf8_decode(p + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}
