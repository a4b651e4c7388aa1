/*
 * test_feeds.c: the venue's feeds (web/feeds.h) from reports made by
 * hand, without a server.  The calendar: CRLF everywhere, no line over
 * 75 octets and none cut inside a UTF-8 sequence (multibyte names at
 * every offset of the fold), TEXT values escaped, the all-day event on
 * the due date and none without a sanitization on record or when the
 * record failed its checks, words in the language asked.  The Atom feed:
 * every value XML-escaped (a venue named <script>&"'), one entry per
 * record newest first, at most FEEDS_ATOM_MAX, stable urn:uuid ids, the
 * revoked document linked from its revocation.  Both: a buffer too small
 * is left as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "web/feeds.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define VENUE  "abcd2345"
#define ORIGIN "feeds.test/log"
#define BASE   "https://feeds.test"

/* A venue's report: a venue entry (seq 0), then a sanitization (seq 1)
 * unless bare; items[] is the caller's, of at least 3. */
static void report(struct verify_report *rep, struct verify_item *items,
		   const char *name, bool bare)
{
	memset(rep, 0, sizeof *rep);
	memset(items, 0, 3 * sizeof *items);
	struct entry *v = &items[0].entry;
	v->kind = ENTRY_VENUE;
	snprintf(v->venue, sizeof v->venue, VENUE);
	snprintf(v->name, sizeof v->name, "%s", name);
	snprintf(v->address, sizeof v->address, "Via Roma 1, Milano; \\ 2");
	v->interval_days = 30;
	snprintf(v->logged, sizeof v->logged, "2026-11-01T09:00:00Z");
	items[0].index = 4;
	rep->items = items;
	rep->nitems = 1;
	rep->ok = true;
	rep->latest = -1;
	snprintf(rep->name, sizeof rep->name, "%s", name);
	snprintf(rep->address, sizeof rep->address, "%s", v->address);
	rep->interval_days = 30;
	if (bare)
		return;
	struct entry *d = &items[1].entry;
	d->kind = ENTRY_DOCUMENT;
	snprintf(d->venue, sizeof d->venue, VENUE);
	d->venue_seq = 1;
	snprintf(d->type, sizeof d->type, "sanitization");
	snprintf(d->title, sizeof d->title, "Quarterly <b>clean</b> & co");
	snprintf(d->performed, sizeof d->performed, "2026-12-16");
	snprintf(d->doc_mime, sizeof d->doc_mime, "application/pdf");
	memset(d->doc_sha256, 0xab, HASH_LEN);
	snprintf(d->logged, sizeof d->logged, "2026-12-17T10:11:12Z");
	items[1].index = 9;
	rep->nitems = 2;
	rep->latest = 1;
	snprintf(rep->next_due, sizeof rep->next_due, "2027-01-15");
}

static char *ics(const struct verify_report *rep, enum lang lang,
		 const char *base)
{
	struct feeds_venue v = {VENUE, ORIGIN, base, rep};
	struct buf out;
	buf_init(&out, 1 << 20);
	assert_int_equal(feeds_ics(&v, lang, &out), ST_OK);
	return (char *)buf_steal(&out, NULL);
}

static char *atom(const struct verify_report *rep, enum lang lang)
{
	struct feeds_venue v = {VENUE, ORIGIN, BASE, rep};
	struct buf out;
	buf_init(&out, 4 << 20);
	assert_int_equal(feeds_atom(&v, lang, &out), ST_OK);
	return (char *)buf_steal(&out, NULL);
}

/*
 * Checks the physical form of an iCalendar text (every line ends in
 * CRLF, none is empty or over 75 octets, each is whole UTF-8, BEGIN and
 * END nest, one VCALENDAR) and returns it unfolded (new), its lines
 * ending in LF only.
 */
static char *ics_check(const char *t)
{
	size_t n = strlen(t), depth = 0;
	char *u = malloc(n + 1), stack[8][32];
	size_t ul = 0;
	const char *p = t;
	assert_non_null(u);
	while (*p) {
		const char *crlf = strstr(p, "\r\n");
		size_t len = crlf != NULL ? (size_t)(crlf - p) : strlen(p);
		if (crlf == NULL)
			fail_msg("a line without CRLF: %.40s", p);
		if (memchr(p, '\n', len) != NULL || memchr(p, '\r', len))
			fail_msg("a bare CR or LF: %.*s", (int)len, p);
		if (len == 0 || len > FEEDS_ICS_LINE)
			fail_msg("a line of %zu octets: %.*s", len, (int)len,
				 p);
		if (!utf8_valid(p, len))
			fail_msg("a line cut inside UTF-8: %.*s", (int)len, p);
		if (p[0] == ' ') { /* a continuation */
			assert_true(ul > 0);
			ul--; /* the LF of the line it continues */
			memcpy(u + ul, p + 1, len - 1);
			ul += len - 1;
		} else {
			memcpy(u + ul, p, len);
			ul += len;
		}
		u[ul++] = '\n';
		p = crlf != NULL ? crlf + 2 : p + len;
	}
	u[ul] = 0;
	/* BEGIN and END nest. */
	for (char *l = u; *l; l = strchr(l, '\n') + 1) {
		size_t len = (size_t)(strchr(l, '\n') - l);
		if (strncmp(l, "BEGIN:", 6) == 0) {
			assert_true(depth < ARRAY_LEN(stack));
			snprintf(stack[depth++], sizeof stack[0], "%.*s",
				 (int)(len - 6), l + 6);
		} else if (strncmp(l, "END:", 4) == 0) {
			assert_true(depth > 0);
			depth--;
			assert_int_equal(strlen(stack[depth]), len - 4);
			assert_memory_equal(stack[depth], l + 4, len - 4);
		}
		if (depth == 0)
			assert_string_equal(l + len + 1, "");
	}
	assert_int_equal(depth, 0);
	assert_memory_equal(u, "BEGIN:VCALENDAR\n", 16);
	return u;
}

/* Whether the unfolded calendar u has the whole line l. */
static bool has_line(const char *u, const char *l)
{
	size_t n = strlen(l);
	for (const char *p = u; (p = strstr(p, l)) != NULL; p++)
		if ((p == u || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

static void test_ics_event(void **state)
{
	struct verify_report rep;
	struct verify_item items[3];
	(void)state;
	report(&rep, items, "Caffè Roma", false);
	char *t = ics(&rep, LANG_EN, BASE);
	char *u = ics_check(t);
	static const char *const want[] = {
		"VERSION:2.0",
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
		"X-WR-CALNAME:Caffè Roma: next sanitization",
		"BEGIN:VEVENT",
		"UID:sanilog-due-abcd2345-20270115@feeds.test/log",
		"DTSTAMP:20261217T101112Z",
		"DTSTART;VALUE=DATE:20270115",
		"DTEND;VALUE=DATE:20270116",
		"SUMMARY;LANGUAGE=en:Sanitization due: Caffè Roma",
		"LOCATION:Via Roma 1\\, Milano\\; \\\\ 2",
		"URL:https://feeds.test/v/abcd2345?lang=en",
		"TRIGGER:-P3D",
		"END:VALARM",
		"END:VEVENT",
		"END:VCALENDAR",
	};
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		if (!has_line(u, want[i]))
			fail_msg("no line %s in\n%s", want[i], u);
	assert_true(strstr(u, "PRODID:") != NULL);
	/* The description's sentences, a newline apart, escaped. */
	assert_non_null(strstr(u, "DESCRIPTION;LANGUAGE=en:The next "
				  "sanitization of Caffè Roma is due on 15 "
				  "January 2027.\\nIt was last sanitized"));
	assert_non_null(strstr(u, "\\nIts public record: " BASE "/v/" VENUE));
	/* The same record, the same bytes. */
	char *again = ics(&rep, LANG_EN, BASE);
	assert_string_equal(t, again);
	free(again);
	free(u);
	free(t);

	/* Without a base URL: no URL, no link, still an event. */
	t = ics(&rep, LANG_EN, "");
	u = ics_check(t);
	assert_null(strstr(u, "URL:"));
	assert_null(strstr(u, "Its public record"));
	assert_int_equal(count(u, "BEGIN:VEVENT"), 1);
	free(u);
	free(t);

	/* In Italian. */
	t = ics(&rep, LANG_IT, BASE);
	u = ics_check(t);
	assert_true(has_line(u, "SUMMARY;LANGUAGE=it:Sanificazione prevista: "
				"Caffè Roma"));
	assert_non_null(strstr(u, "15 gennaio 2027"));
	free(u);
	free(t);
}

/* TEXT escaping: backslash, semicolon, comma, newline; controls dropped. */
static void test_ics_escape(void **state)
{
	struct verify_report rep;
	struct verify_item items[3];
	(void)state;
	report(&rep, items, "a\\b;c,d\ne\rf\x01g:h", false);
	char *t = ics(&rep, LANG_EN, BASE);
	char *u = ics_check(t);
	assert_true(has_line(u, "SUMMARY;LANGUAGE=en:Sanitization due: "
				"a\\\\b\\;c\\,d\\nefg:h"));
	free(u);
	free(t);
}

/* Folding: names of multibyte characters starting at every offset, so
 * that every fold falls at every place of a 2, 3 and 4 byte sequence. */
static void test_ics_fold(void **state)
{
	static const char *const chars[] = {"é", "€", "😀", "日本"};
	(void)state;
	for (size_t c = 0; c < ARRAY_LEN(chars); c++) {
		for (size_t k = 0; k < 80; k++) {
			struct verify_report rep;
			struct verify_item items[3];
			char name[ENTRY_VALUE_MAX + 1];
			size_t n = 0;
			memset(name, 'x', k);
			n = k;
			while (n + strlen(chars[c]) < 190) {
				memcpy(name + n, chars[c], strlen(chars[c]));
				n += strlen(chars[c]);
			}
			name[n] = 0;
			report(&rep, items, name, false);
			char *t = ics(&rep, LANG_DE, BASE);
			char *u = ics_check(t);
			char want[512];
			snprintf(want, sizeof want,
				 "SUMMARY;LANGUAGE=de:Hygienereinigung fällig: "
				 "%s",
				 name);
			if (!has_line(u, want))
				fail_msg("k %zu: unfolded wrong:\n%s", k, u);
			free(u);
			free(t);
		}
	}
}

/* No sanitization on record, or a record that failed: no event. */
static void test_ics_no_event(void **state)
{
	struct verify_report rep;
	struct verify_item items[3];
	(void)state;
	report(&rep, items, "Bar", true);
	char *t = ics(&rep, LANG_FR, BASE);
	char *u = ics_check(t);
	assert_null(strstr(u, "VEVENT"));
	assert_true(has_line(u, "X-WR-CALNAME:Bar : prochain assainissement"));
	assert_true(has_line(u, "METHOD:PUBLISH"));
	free(u);
	free(t);

	report(&rep, items, "Bar", false);
	rep.ok = false;
	t = ics(&rep, LANG_EN, BASE);
	u = ics_check(t);
	assert_null(strstr(u, "VEVENT"));
	assert_non_null(strstr(u, "X-WR-CALDESC:Warning"));
	free(u);
	free(t);
}

/* The text between "<tag>" and "</tag>" after p, or NULL. */
static char *element(const char *p, const char *tag, const char **end)
{
	char open[32], close[32];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *a = strstr(p, open), *b;
	if (a == NULL || (b = strstr(a, close)) == NULL)
		return NULL;
	a += strlen(open);
	if (end != NULL)
		*end = b + strlen(close);
	char *s = malloc((size_t)(b - a) + 1);
	assert_non_null(s);
	memcpy(s, a, (size_t)(b - a));
	s[b - a] = 0;
	return s;
}

/* A urn:uuid of version 8, variant 10. */
static bool is_uuid8(const char *id)
{
	static const char hex[] = "0123456789abcdef";
	if (strlen(id) != 45 || strncmp(id, "urn:uuid:", 9) != 0)
		return false;
	const char *u = id + 9;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? u[i] != '-' : strchr(hex, u[i]) == NULL)
			return false;
	}
	return u[14] == '8' && strchr("89ab", u[19]) != NULL;
}

static void test_atom_escape(void **state)
{
	struct verify_report rep;
	struct verify_item items[3];
	(void)state;
	report(&rep, items, "<script>&\"'", false);
	char *t = atom(&rep, LANG_EN);
	/* Nothing of the names or titles is markup. */
	assert_null(strstr(t, "<script>"));
	assert_null(strstr(t, "<b>"));
	assert_non_null(strstr(t, "<title>&lt;script&gt;&amp;&quot;&#39;: "
				  "sanitization record</title>"));
	assert_non_null(
		strstr(t, "<name>&lt;script&gt;&amp;&quot;&#39;</name>"));
	assert_non_null(strstr(t, "Quarterly &lt;b&gt;clean&lt;/b&gt; &amp; "
				  "co</title>"));
	/* Every & starts an entity, every < a tag we wrote. */
	for (const char *p = t; (p = strchr(p, '&')) != NULL; p++)
		assert_true(strncmp(p, "&lt;", 4) == 0 ||
			    strncmp(p, "&gt;", 4) == 0 ||
			    strncmp(p, "&amp;", 5) == 0 ||
			    strncmp(p, "&quot;", 6) == 0 ||
			    strncmp(p, "&#39;", 5) == 0);
	assert_memory_equal(t, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
			    39);
	assert_non_null(strstr(t, "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
				  "xml:lang=\"en\">"));
	assert_non_null(strstr(t, "<link rel=\"self\" type=\"application/"
				  "atom+xml\" href=\"" BASE "/v/" VENUE
				  "/history.atom?lang=en\"/>"));
	assert_non_null(strstr(t, "<link rel=\"alternate\" type=\"text/html\" "
				  "href=\"" BASE "/v/" VENUE "?lang=en\"/>"));
	/* The feed's updated is its newest record's logged time. */
	char *up = element(t, "updated", NULL);
	assert_string_equal(up, "2026-12-17T10:11:12Z");
	free(up);
	free(t);
}

static void test_atom_entries(void **state)
{
	struct verify_report rep;
	struct verify_item items[4];
	(void)state;
	report(&rep, items, "Bar", false);
	/* A revocation of the document (seq 1). */
	struct entry *r = &items[2].entry;
	r->kind = ENTRY_REVOCATION;
	r->venue_seq = 2;
	r->revokes = 1;
	snprintf(r->reason, sizeof r->reason, "wrong file");
	snprintf(r->logged, sizeof r->logged, "2026-12-18T08:00:00Z");
	items[2].index = 12;
	items[1].revoked = true;
	snprintf(items[1].revoke_reason, sizeof items[1].revoke_reason,
		 "wrong file");
	/* A change of the venue's interval. */
	memset(&items[3], 0, sizeof items[3]);
	items[3].entry = items[0].entry;
	items[3].entry.venue_seq = 3;
	items[3].entry.interval_days = 14;
	snprintf(items[3].entry.logged, sizeof items[3].entry.logged,
		 "2026-12-19T08:00:00Z");
	items[3].index = 20;
	rep.nitems = 4;

	char *t = atom(&rep, LANG_EN);
	assert_int_equal(count(t, "<entry>"), 4);
	assert_int_equal(count(t, "</entry>"), 4);
	/* Newest first, each as it is. */
	static const char *const titles[] = {
		"Venue details changed",
		"Revoked: Quarterly &lt;b&gt;clean&lt;/b&gt; &amp; co",
		"Sanitization: Quarterly &lt;b&gt;clean&lt;/b&gt; &amp; co",
		"Venue registered: Bar",
	};
	static const char *const updated[] = {
		"2026-12-19T08:00:00Z",
		"2026-12-18T08:00:00Z",
		"2026-12-17T10:11:12Z",
		"2026-11-01T09:00:00Z",
	};
	char hex[2 * HASH_LEN + 1], doc[160];
	memset(hex, 'a', sizeof hex - 1);
	for (size_t i = 0; i < sizeof hex - 1; i += 2)
		hex[i + 1] = 'b';
	hex[sizeof hex - 1] = 0;
	snprintf(doc, sizeof doc,
		 "<link rel=\"alternate\" type=\"application/pdf\" "
		 "href=\"" BASE "/d/%s\"/>",
		 hex);
	const char *p = strstr(t, "<entry>"), *end = NULL;
	char *ids[4];
	for (size_t i = 0; i < 4; i++) {
		char *e = element(p, "entry", &end);
		char *title = element(e, "title", NULL);
		char *up = element(e, "updated", NULL);
		ids[i] = element(e, "id", NULL);
		assert_string_equal(title, titles[i]);
		assert_string_equal(up, updated[i]);
		assert_true(is_uuid8(ids[i]));
		/* The document and its revocation link to its bytes. */
		assert_int_equal(strstr(e, doc) != NULL, i == 1 || i == 2);
		char *sum = element(e, "summary", NULL);
		assert_non_null(sum);
		free(sum);
		free(title);
		free(up);
		free(e);
		p = end;
	}
	for (size_t i = 0; i < 4; i++)
		for (size_t j = i + 1; j < 4; j++)
			assert_string_not_equal(ids[i], ids[j]);
	/* Only what changed is said of a change; all of a registration. */
	assert_non_null(strstr(t, "<summary>Sanitization required every 14 "
				  "days.</summary>"));
	assert_non_null(strstr(t, "<summary>Name: Bar. Address: Via Roma 1, "
				  "Milano; \\ 2. Sanitization required every "
				  "30 days.</summary>"));
	assert_non_null(strstr(t, "Revoked later: wrong file</summary>"));
	assert_non_null(strstr(t, "<summary>Reason: wrong file</summary>"));
	/* The same records give the same ids. */
	char *again = atom(&rep, LANG_EN);
	assert_non_null(strstr(again, ids[0]));
	assert_string_equal(t, again);
	free(again);
	for (size_t i = 0; i < 4; i++)
		free(ids[i]);
	free(t);
}

/* A long history: the FEEDS_ATOM_MAX newest records, newest first. */
static void test_atom_cap(void **state)
{
	size_t n = FEEDS_ATOM_MAX + 50;
	struct verify_item *items = calloc(n, sizeof *items);
	struct verify_report rep;
	(void)state;
	assert_non_null(items);
	report(&rep, items, "Bar", false);
	for (size_t i = 2; i < n; i++) {
		items[i] = items[1];
		items[i].entry.venue_seq = (int64_t)i;
		items[i].index = (int64_t)(100 + i);
		snprintf(items[i].entry.title, sizeof items[i].entry.title,
			 "doc %zu", i);
	}
	rep.nitems = n;
	char *t = atom(&rep, LANG_ES);
	assert_int_equal(count(t, "<entry>"), FEEDS_ATOM_MAX);
	char *first = element(strstr(t, "<entry>"), "title", NULL);
	char want[64];
	snprintf(want, sizeof want, "Higienización: doc %zu", n - 1);
	assert_string_equal(first, want);
	snprintf(want, sizeof want, "doc %zu</title>", n - FEEDS_ATOM_MAX);
	assert_non_null(strstr(t, want));
	snprintf(want, sizeof want, "doc %zu</title>", n - FEEDS_ATOM_MAX - 1);
	assert_null(strstr(t, want));
	free(first);
	free(t);
	free(items);
}

/* A buffer too small is left as it was. */
static void test_too_large(void **state)
{
	struct verify_report rep;
	struct verify_item items[3];
	struct feeds_venue v = {VENUE, ORIGIN, BASE, &rep};
	(void)state;
	report(&rep, items, "Bar", false);
	for (size_t cap = 10; cap < 400; cap += 97) {
		struct buf out;
		buf_init(&out, cap);
		assert_int_equal(buf_append_str(&out, "kept"), ST_OK);
		assert_int_equal(feeds_ics(&v, LANG_EN, &out), ST_TOO_LARGE);
		assert_string_equal(buf_str(&out), "kept");
		assert_int_equal(feeds_atom(&v, LANG_EN, &out), ST_TOO_LARGE);
		assert_string_equal(buf_str(&out), "kept");
		buf_free(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ics_event),
		cmocka_unit_test(test_ics_escape),
		cmocka_unit_test(test_ics_fold),
		cmocka_unit_test(test_ics_no_event),
		cmocka_unit_test(test_atom_escape),
		cmocka_unit_test(test_atom_entries),
		cmocka_unit_test(test_atom_cap),
		cmocka_unit_test(test_too_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
