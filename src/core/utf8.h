/*
 * utf8.h: the project's one UTF-8 decoder.
 *
 * Well-formed UTF-8 is that of Unicode's table 3-7 (RFC 3629): no overlong
 * forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no
 * truncated sequence.  Entries (entry.h), signed notes (note.h) and the
 * texts of posters are checked by this one decoder, so that they agree on
 * what is UTF-8; the rules built on it (forbidden code points, Go's names)
 * stay in their modules.
 */
#ifndef SANILOG_UTF8_H
#define SANILOG_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the one sequence that starts s[0..len), len >= 1, into *cp.
 * Returns its length in bytes (1 to 4), or 0 when it is not well-formed,
 * and then *cp is untouched.  Bytes past the sequence are not read.
 */
size_t utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);

/* Whether s[0..len) is well-formed UTF-8 throughout (len 0 is). */
bool utf8_valid(const char *s, size_t len);

#endif
