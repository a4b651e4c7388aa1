/*
 * test_words.c: the catalogues of words (base/words.h): every shipped
 * language is complete, lookups fall back to English, values fill their
 * {names}, counts take their grammatical form, and the language of a
 * request is the one it asks for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/words.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void test_catalogues_complete(void **state)
{
	struct err e = {.msg = ""};
	(void)state;
	if (words_check(&e) != ST_OK)
		fail_msg("%s", e.msg);
	for (int l = 0; l < LANG__COUNT; l++) {
		enum lang p;
		assert_true(lang_parse(lang_code((enum lang)l), 2, &p));
		assert_int_equal(p, l);
		/* Each language names itself in its own words. */
		assert_string_not_equal(word((enum lang)l, "lang_name"),
					"lang_name");
		if (l != LANG_EN)
			assert_string_not_equal(word((enum lang)l, "lang_name"),
						word(LANG_EN, "lang_name"));
	}
}

static void test_lookup(void **state)
{
	(void)state;
	unsigned long before = words_missing();
	assert_string_equal(word(LANG_EN, "today"), "today");
	assert_string_equal(word(LANG_IT, "today"), "oggi");
	/* Out of range: English. */
	assert_string_equal(word((enum lang)99, "today"), "today");
	assert_int_equal(words_missing(), before);
	/* A key nobody has: the key itself, and counted. */
	assert_string_equal(word(LANG_IT, "no_such_key_x"), "no_such_key_x");
	assert_int_equal(words_missing(), before + 1);
}

static void test_format(void **state)
{
	char out[128];
	(void)state;
	assert_int_equal(wordf(out, sizeof out, LANG_EN, "title_venue", "name",
			       "Bar Roma", WORDS_END),
			 strlen("Bar Roma · sanitization record"));
	assert_string_equal(out, "Bar Roma · sanitization record");
	/* A {name} without a value stays; truncation as snprintf. */
	wordf(out, sizeof out, LANG_EN, "title_venue", WORDS_END);
	assert_string_equal(out, "{name} · sanitization record");
	size_t n = wordf(out, 5, LANG_EN, "title_venue", "name", "Bar Roma",
			 WORDS_END);
	assert_int_equal(n, strlen("Bar Roma · sanitization record"));
	assert_string_equal(out, "Bar ");
	/* Several values, in the order the language puts them. */
	wordf(out, sizeof out, LANG_IT, "showing", "shown", "3", "total", "9",
	      WORDS_END);
	assert_string_equal(out, "Mostrati 3 documenti su 9.");
}

static void test_count(void **state)
{
	char out[64];
	(void)state;
	words_count(out, sizeof out, LANG_EN, "days_ago", 1, WORDS_END);
	assert_string_equal(out, "1 day ago");
	words_count(out, sizeof out, LANG_EN, "days_ago", 5, WORDS_END);
	assert_string_equal(out, "5 days ago");
	words_count(out, sizeof out, LANG_EN, "days_ago", 0, WORDS_END);
	assert_string_equal(out, "0 days ago");
	words_count(out, sizeof out, LANG_IT, "days_ago", 2, WORDS_END);
	assert_string_equal(out, "2 giorni fa");
	/* French counts 0 as one, English as other. */
	char want[64];
	words_count(out, sizeof out, LANG_FR, "days_ago", 0, WORDS_END);
	wordf(want, sizeof want, LANG_FR, "days_ago_one", "n", "0", WORDS_END);
	assert_string_equal(out, want);
	words_count(out, sizeof out, LANG_FR, "days_ago", 2, WORDS_END);
	wordf(want, sizeof want, LANG_FR, "days_ago_other", "n", "2",
	      WORDS_END);
	assert_string_equal(out, want);
}

static void collect(void *ctx, const char *key, const char *text)
{
	size_t *n = ctx;
	(void)text;
	assert_memory_equal(key, "error_", 6);
	(*n)++;
}

static void test_each(void **state)
{
	size_t n = 0;
	(void)state;
	words_each(LANG_DE, "error_", collect, &n);
	assert_true(n >= 24); /* a heading and a text per status */
}

static void test_negotiate(void **state)
{
	(void)state;
	static const struct {
		const char *header, *query;
		enum lang want;
	} cases[] = {
		{NULL, NULL, LANG_EN},
		{"", NULL, LANG_EN},
		{"it", NULL, LANG_IT},
		{"it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7", NULL, LANG_IT},
		{"en-US,en;q=0.9,it;q=0.8", NULL, LANG_EN},
		{"de-DE,de;q=0.9,it;q=0.8,en;q=0.5", NULL, LANG_DE},
		{"fr, en;q=0.2, it;q=0.3", NULL, LANG_FR},
		{"es-419,es;q=0.9", NULL, LANG_ES},
		{"nl-NL,nl;q=0.9,fr;q=0.4,de;q=0.5", NULL, LANG_DE},
		{"pt-BR, ja", NULL, LANG_EN},
		{"it;q=0, en;q=0.1", NULL, LANG_EN},
		{"IT-it", NULL, LANG_IT},
		{"item", NULL, LANG_EN},
		{"it;q=bogus,en;q=0.5", NULL, LANG_EN},
		{"*", NULL, LANG_EN},
		{"it", "en", LANG_EN},
		{"en", "it", LANG_IT},
		{"en", "es", LANG_ES},
		{"it", "xx", LANG_IT},
		{"it", "de-DE", LANG_IT}, /* a query names a code, no more */
		{NULL, "IT", LANG_IT},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (lang_negotiate(cases[i].header, cases[i].query) !=
		    cases[i].want)
			fail_msg("case %zu: \"%s\" \"%s\"", i,
				 cases[i].header ? cases[i].header : "(null)",
				 cases[i].query ? cases[i].query : "(null)");
	assert_string_equal(lang_code(LANG_IT), "it");
	assert_string_equal(lang_code(LANG_ES), "es");
	enum lang l = LANG_IT;
	assert_false(lang_parse("english", 7, &l));
	assert_false(lang_parse("x", 1, &l));
	assert_int_equal(l, LANG_IT);
	assert_true(lang_parse("fr_CA", 5, &l));
	assert_int_equal(l, LANG_FR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogues_complete),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_each),
		cmocka_unit_test(test_negotiate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
