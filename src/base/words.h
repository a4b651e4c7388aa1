/*
 * words.h: the words sanilog shows people, in every language it speaks.
 *
 * Each language has one catalogue, lang/<code>.txt (built into the
 * binary), that a translator edits:
 *
 *   # a comment
 *   key = the words, with {name} where a value goes
 *
 * A key is 1 to WORDS_KEY_MAX characters of a-z, 0-9 and '_'; the words
 * run to the end of the line, spaces around them trimmed.  English
 * (lang/en.txt) defines the keys; every other catalogue must give each
 * of them, with the same {names}, and no other (words_check, run by make
 * check).  A key ending in "_one" or "_other" is one form of a count
 * (words_count).
 */
#ifndef SANILOG_WORDS_H
#define SANILOG_WORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"

#define WORDS_KEY_MAX 40

/* The languages, in the order the language switch lists them. */
enum lang { LANG_EN, LANG_IT, LANG_DE, LANG_FR, LANG_ES, LANG__COUNT };

/* "en", "it", "de", "fr", "es". */
const char *lang_code(enum lang l);

/* The language of a tag: "it", "IT", "it-IT", "it_CH"; false for any
 * other (out untouched). */
bool lang_parse(const char *tag, size_t len, enum lang *out);

/*
 * The language an Accept-Language header (or NULL) asks for: the listed
 * language we speak with the highest q (the first on a tie), English when
 * none.  A "lang" query parameter (or NULL) that names one overrides it.
 */
enum lang lang_negotiate(const char *accept_language, const char *query);

/* The words of key in l (borrowed, static): l's own, English's when l's
 * catalogue lacks the key, the key itself when no catalogue has it (a
 * defect make check finds: words_missing counts these). */
const char *word(enum lang l, const char *key);

/* How many times word was asked for a key that no catalogue has. */
unsigned long words_missing(void);

/*
 * The words of key in l with each {name} replaced by its value, given as
 * name, value pairs ending with WORDS_END; a {name} without a value stays as
 * it is.  Writes at most size bytes, NUL included, into out, and returns
 * the length the whole text would have (as snprintf).
 */
/* The end of wordf's pairs: a null pointer of the pairs' own type, as a
 * variadic function needs (a bare NULL may be an int). */
#define WORDS_END ((const char *)NULL)

size_t wordf(char *out, size_t size, enum lang l, const char *key, ...)
	__attribute__((sentinel));

/* key_one or key_other, chosen by n in l's grammar, with {n} replaced by
 * n and then as wordf. */
size_t words_count(char *out, size_t size, enum lang l, const char *key,
		   long long n, ...) __attribute__((sentinel));

/* Calls fn with each key of l's catalogue that starts with prefix, and
 * its words, in the order of the keys. */
void words_each(enum lang l, const char *prefix,
		void (*fn)(void *ctx, const char *key, const char *text),
		void *ctx);

/*
 * Checks every catalogue: well formed, no key twice, every English key
 * and no other, the same {names} as English.  ST_INVALID with e naming
 * the first problem (file and line).
 */
enum status words_check(struct err *e);

#endif
