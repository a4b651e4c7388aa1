/*
 * feeds.c: a venue's due date as an iCalendar object (RFC 5545) and its
 * history as an Atom feed (RFC 4287), from its verified bundle.
 *
 * Both write through a struct out, which keeps the first failure of an
 * append and lets every later one pass, so that a formatter checks once
 * at its end and gives the buffer back as it found it.  iCalendar lines
 * are made whole in a scratch buffer, then folded into the output;
 * Atom's values go through the pages' HTML escaping, which is XML's
 * (render_escape: & < > " ').
 */
#include "feeds.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/entry.h"
#include "core/hash.h"
#include "web/pages_private.h"

#define BASE_URL_MAX 512
#define TEXT_MAX     2048 /* a sentence made of words and values */

struct out {
	struct buf *b;
	size_t mark; /* its length before the formatter began */
	enum status st;
};

static void put(struct out *o, const char *s, size_t len)
{
	if (o->st == ST_OK)
		o->st = buf_append(o->b, s, len);
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* The formatter's result: on failure the buffer is cut back to its mark. */
static enum status finish(struct out *o)
{
	if (o->st != ST_OK) {
		o->b->len = o->mark;
		if (o->b->data != NULL)
			o->b->data[o->mark] = 0;
	}
	return o->st;
}

/* The newest logged time of the venue's entries, or NULL when it has
 * none (the report's items are in log order). */
static const char *newest_logged(const struct verify_report *rep)
{
	return rep->nitems > 0 ? rep->items[rep->nitems - 1].entry.logged
			       : NULL;
}

/* The venue's name as the pages show it. */
static const char *venue_name(const struct feeds_venue *v)
{
	return v->rep->name[0] ? v->rep->name : v->venue;
}

/* Appends sep and words to the text in text[0..size), if both fit whole
 * (a sentence is never cut, nor a UTF-8 sequence); sep only when text
 * is not empty. */
static void join(char *text, size_t size, const char *sep, const char *words)
{
	size_t n = strlen(text), ls = n > 0 ? strlen(sep) : 0;
	size_t lw = strlen(words);
	if (n + ls + lw >= size)
		return;
	memcpy(text + n, sep, ls);
	memcpy(text + n + ls, words, lw + 1);
}

/* A sentence more of a summary. */
static void say(char *text, size_t size, const char *words)
{
	join(text, size, " ", words);
}

/* ---- iCalendar ---- */

/*
 * Appends s as an iCalendar TEXT value (RFC 5545 3.3.11): backslash,
 * semicolon and comma escaped with a backslash, a newline as "\n"; other
 * control characters, which TEXT does not allow, are dropped.
 */
static void ics_text(struct out *o, const char *s)
{
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\\' || c == ';' || c == ',') {
			char esc[2] = {'\\', (char)c};
			put(o, esc, 2);
		} else if (c == '\n') {
			put(o, "\\n", 2);
		} else if ((c >= 0x20 && c != 0x7f) || c == '\t') {
			put(o, p, 1);
		}
	}
}

/*
 * Appends line[0..len) folded (RFC 5545 3.1): at most FEEDS_ICS_LINE
 * octets a line, each continuation starting with one space, never
 * splitting a UTF-8 sequence; every line ends in CRLF.
 */
static void ics_fold(struct out *o, const char *line, size_t len)
{
	size_t at = 0, room = FEEDS_ICS_LINE;
	do {
		size_t n = len - at;
		if (n > room) {
			n = room;
			/* Back to the start of the sequence the cut falls in.
			 */
			while (n > 0 &&
			       ((unsigned char)line[at + n] & 0xc0) == 0x80)
				n--;
			if (n == 0) /* not UTF-8: cut where it falls */
				n = room;
		}
		if (at > 0)
			put(o, " ", 1);
		put(o, line + at, n);
		put(o, "\r\n", 2);
		at += n;
		room = FEEDS_ICS_LINE - 1;
	} while (at < len);
}

/* One content line: name (with its parameters) and value, the value
 * escaped as TEXT when text is true, else written as it is. */
static void ics_line(struct out *o, struct buf *line, const char *name,
		     const char *value, bool text)
{
	struct out l = {line, 0, ST_OK};
	buf_reset(line);
	puts_(&l, name);
	put(&l, ":", 1);
	if (text)
		ics_text(&l, value);
	else
		puts_(&l, value);
	if (l.st != ST_OK) {
		if (o->st == ST_OK)
			o->st = l.st;
		return;
	}
	ics_fold(o, (const char *)line->data, line->len);
}

/* YYYYMMDD of a valid YYYY-MM-DD date, days later. */
static void ics_date(char out[9], const char *date, int64_t days)
{
	char d[11];
	entry_days_date(entry_date_days(date) + days, d);
	snprintf(out, 9, "%.4s%.2s%.2s", d, d + 5, d + 8);
}

/* YYYYMMDDTHHMMSSZ of a logged time YYYY-MM-DDTHH:MM:SSZ. */
static void ics_time(char out[17], const char *t)
{
	snprintf(out, 17, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", t, t + 5, t + 8, t + 11,
		 t + 14, t + 17);
}

static void ics_event(struct out *o, struct buf *line,
		      const struct feeds_venue *v, enum lang lang)
{
	const struct verify_report *rep = v->rep;
	const char *name = venue_name(v), *code = lang_code(lang);
	const char *logged = newest_logged(rep);
	char start[9], end[9], stamp[17], h[64], prop[32];
	char text[TEXT_MAX], more[TEXT_MAX], summary[TEXT_MAX];

	ics_date(start, rep->next_due, 0);
	ics_date(end, rep->next_due, 1);
	pages_human_date(h, sizeof h, rep->next_due, true, lang);
	wordf(summary, sizeof summary, lang, "feeds_due", "name", name,
	      WORDS_END);

	puts_(o, "BEGIN:VEVENT\r\n");
	snprintf(text, sizeof text, "sanilog-due-%s-%s@%s", v->venue, start,
		 v->origin);
	ics_line(o, line, "UID", text, true);
	ics_time(stamp, logged != NULL && entry_time_valid(logged)
				? logged
				: "1970-01-01T00:00:00Z");
	ics_line(o, line, "DTSTAMP", stamp, false);
	ics_line(o, line, "DTSTART;VALUE=DATE", start, false);
	ics_line(o, line, "DTEND;VALUE=DATE", end, false);
	snprintf(prop, sizeof prop, "SUMMARY;LANGUAGE=%s", code);
	ics_line(o, line, prop, summary, true);

	wordf(text, sizeof text, lang, "feeds_due_text", "name", name, "date",
	      h, WORDS_END);
	if (rep->latest >= 0) {
		char last[64];
		pages_human_date(last, sizeof last,
				 rep->items[rep->latest].entry.performed, true,
				 lang);
		wordf(more, sizeof more, lang, "feeds_due_last", "date", last,
		      WORDS_END);
		join(text, sizeof text, "\n", more);
	}
	char url[BASE_URL_MAX + 64];
	snprintf(url, sizeof url, "%s/v/%s?lang=%s", v->base_url, v->venue,
		 code);
	if (v->base_url[0] != 0) {
		wordf(more, sizeof more, lang, "feeds_due_link", "url", url,
		      WORDS_END);
		join(text, sizeof text, "\n", more);
	}
	snprintf(prop, sizeof prop, "DESCRIPTION;LANGUAGE=%s", code);
	ics_line(o, line, prop, text, true);
	if (rep->address[0] != 0)
		ics_line(o, line, "LOCATION", rep->address, true);
	if (v->base_url[0] != 0)
		ics_line(o, line, "URL", url, false);
	ics_line(o, line, "TRANSP", "TRANSPARENT", false);

	puts_(o, "BEGIN:VALARM\r\n");
	ics_line(o, line, "ACTION", "DISPLAY", false);
	snprintf(text, sizeof text, "-P%dD", FEEDS_ALARM_DAYS);
	ics_line(o, line, "TRIGGER", text, false);
	wordf(text, sizeof text, lang, "feeds_alarm", "name", name, "date", h,
	      WORDS_END);
	ics_line(o, line, "DESCRIPTION", text, true);
	puts_(o, "END:VALARM\r\n");
	puts_(o, "END:VEVENT\r\n");
}

enum status feeds_ics(const struct feeds_venue *v, enum lang lang,
		      struct buf *out)
{
	const struct verify_report *rep = v->rep;
	const char *name = venue_name(v);
	struct out o = {out, out->len, ST_OK};
	struct buf line;
	char text[TEXT_MAX];

	buf_init(&line, 4 * TEXT_MAX);
	puts_(&o, "BEGIN:VCALENDAR\r\n");
	ics_line(&o, &line, "VERSION", "2.0", false);
	ics_line(&o, &line, "PRODID", "-//sanilog//due date feed//EN", false);
	ics_line(&o, &line, "CALSCALE", "GREGORIAN", false);
	ics_line(&o, &line, "METHOD", "PUBLISH", false);
	wordf(text, sizeof text, lang, "feeds_cal_name", "name", name,
	      WORDS_END);
	ics_line(&o, &line, "X-WR-CALNAME", text, true);
	if (rep->ok)
		wordf(text, sizeof text, lang, "feeds_cal_desc", "name", name,
		      WORDS_END);
	else
		snprintf(text, sizeof text, "%s", word(lang, "server_fail"));
	ics_line(&o, &line, "X-WR-CALDESC", text, true);
	/* How often to look again: RFC 7986, and what Outlook reads. */
	ics_line(&o, &line, "REFRESH-INTERVAL;VALUE=DURATION", "PT12H", false);
	ics_line(&o, &line, "X-PUBLISHED-TTL", "PT12H", false);
	/* A record that failed the server's checks gives no date to rely
	 * on; one without a valid sanitization has none. */
	if (rep->ok && rep->latest >= 0 && entry_date_valid(rep->next_due))
		ics_event(&o, &line, v, lang);
	puts_(&o, "END:VCALENDAR\r\n");
	buf_free(&line);
	return finish(&o);
}

/* ---- Atom ---- */

static void xml(struct out *o, const char *s)
{
	if (o->st == ST_OK)
		o->st = render_escape(o->b, s, strlen(s));
}

/* <tag>escaped text</tag> and a newline. */
static void xml_el(struct out *o, const char *indent, const char *tag,
		   const char *text)
{
	puts_(o, indent);
	put(o, "<", 1);
	puts_(o, tag);
	put(o, ">", 1);
	xml(o, text);
	put(o, "</", 2);
	puts_(o, tag);
	put(o, ">\n", 2);
}

/* <link rel= type= href=/> and a newline. */
static void xml_link(struct out *o, const char *indent, const char *rel,
		     const char *type, const char *href)
{
	puts_(o, indent);
	puts_(o, "<link rel=\"");
	xml(o, rel);
	puts_(o, "\" type=\"");
	xml(o, type);
	puts_(o, "\" href=\"");
	xml(o, href);
	puts_(o, "\"/>\n");
}

/*
 * A stable id: urn:uuid of the first 16 bytes of SHA-256 of
 * "sanilog-feed" LF origin LF venue LF index (empty for the feed
 * itself), with the version (8) and variant bits of RFC 9562 set.
 */
static void atom_id(char out[46], const char *origin, const char *venue,
		    const char *index)
{
	static const char tag[] = "sanilog-feed\n";
	const struct sha256_piece p[] = {
		{tag, sizeof tag - 1},
		{origin, strlen(origin)},
		{"\n", 1},
		{venue, strlen(venue)},
		{"\n", 1},
		{index, strlen(index)},
	};
	uint8_t h[HASH_LEN];
	char x[33];
	sha256_gather(h, p, sizeof p / sizeof p[0]);
	h[6] = (uint8_t)(0x80 | (h[6] & 0x0f));
	h[8] = (uint8_t)(0x80 | (h[8] & 0x3f));
	hex_encode(x, h, 16);
	snprintf(out, 46, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", x, x + 8,
		 x + 12, x + 16, x + 20);
}

/* The item whose venue-seq is seq (items are in venue-seq order when the
 * chain is whole), or NULL. */
static const struct verify_item *item_by_seq(const struct verify_report *rep,
					     int64_t seq)
{
	size_t lo = 0, hi = rep->nitems;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t s = rep->items[mid].entry.venue_seq;
		if (s == seq)
			return &rep->items[mid];
		if (s < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void every(char *out, size_t size, int days, enum lang lang)
{
	char n[24];
	if (days == 1) {
		snprintf(out, size, "%s", word(lang, "every_day"));
		return;
	}
	snprintf(n, sizeof n, "%d", days);
	wordf(out, size, lang, "every_days", "n", n, WORDS_END);
}

/* The title and summary of a venue entry; prev is the venue entry before
 * it, or NULL for the first: only what changed is said. */
static void venue_words(const struct entry *en, const struct entry *prev,
			enum lang lang, char *title, char *sum, size_t size)
{
	char s[TEXT_MAX];
	bool all = prev == NULL;
	if (all)
		wordf(title, size, lang, "feeds_venue", "name", en->name,
		      WORDS_END);
	else
		snprintf(title, size, "%s", word(lang, "feeds_venue_change"));
	if (all || strcmp(en->name, prev->name) != 0) {
		wordf(s, sizeof s, lang, "feeds_venue_name", "name", en->name,
		      WORDS_END);
		say(sum, size, s);
	}
	if (all || strcmp(en->address, prev->address) != 0) {
		wordf(s, sizeof s, lang, "feeds_venue_address", "address",
		      en->address, WORDS_END);
		say(sum, size, s);
	}
	if (all || en->interval_days != prev->interval_days) {
		char ev[128];
		every(ev, sizeof ev, en->interval_days, lang);
		wordf(s, sizeof s, lang, "feeds_venue_interval", "every", ev,
		      WORDS_END);
		say(sum, size, s);
	}
}

static void doc_words(const struct verify_item *it, enum lang lang, char *title,
		      char *sum, size_t size)
{
	const struct entry *en = &it->entry;
	const char *provider =
		it->attested ? it->provider_display : en->provider;
	char s[TEXT_MAX], h[64];
	wordf(title, size, lang, "feeds_doc", "type",
	      pages_type_label(en->type, lang), "title", en->title, WORDS_END);
	pages_human_date(h, sizeof h, en->performed, true, lang);
	wordf(s, sizeof s, lang, "feeds_doc_performed", "date", h, WORDS_END);
	say(sum, size, s);
	if (en->expires[0] != 0) {
		pages_human_date(h, sizeof h, en->expires, true, lang);
		wordf(s, sizeof s, lang, "feeds_doc_valid", "date", h,
		      WORDS_END);
		say(sum, size, s);
	}
	if (provider[0] != 0) {
		wordf(s, sizeof s, lang, "feeds_doc_by", "provider", provider,
		      WORDS_END);
		say(sum, size, s);
		if (it->attested)
			say(sum, size, word(lang, "feeds_doc_signed"));
	}
	if (it->revoked) {
		wordf(s, sizeof s, lang, "feeds_doc_revoked", "reason",
		      it->revoke_reason, WORDS_END);
		say(sum, size, s);
	}
}

/* One <entry>; prev as for venue_words. */
static void atom_entry(struct out *o, const struct feeds_venue *v,
		       const struct verify_item *it, const struct entry *prev,
		       enum lang lang)
{
	const struct entry *en = &it->entry;
	const struct verify_item *doc = NULL;
	char title[TEXT_MAX], sum[TEXT_MAX] = "", id[46], n[24];
	char href[BASE_URL_MAX + 2 * HASH_LEN + 8];

	switch (en->kind) {
	case ENTRY_DOCUMENT:
		doc_words(it, lang, title, sum, sizeof sum);
		doc = it;
		break;
	case ENTRY_REVOCATION:
		doc = item_by_seq(v->rep, en->revokes);
		if (doc != NULL && doc->entry.kind != ENTRY_DOCUMENT)
			doc = NULL;
		snprintf(n, sizeof n, "#%" PRId64, en->revokes);
		wordf(title, sizeof title, lang, "feeds_revocation", "title",
		      doc != NULL ? doc->entry.title : n, WORDS_END);
		wordf(sum, sizeof sum, lang, "feeds_revocation_text", "reason",
		      en->reason, WORDS_END);
		break;
	default:
		venue_words(en, prev, lang, title, sum, sizeof sum);
		break;
	}
	snprintf(n, sizeof n, "%" PRId64, it->index);
	atom_id(id, v->origin, v->venue, n);
	puts_(o, "  <entry>\n");
	xml_el(o, "    ", "id", id);
	xml_el(o, "    ", "title", title);
	xml_el(o, "    ", "updated", en->logged);
	if (doc != NULL) {
		char hex[2 * HASH_LEN + 1];
		hex_encode(hex, doc->entry.doc_sha256, HASH_LEN);
		snprintf(href, sizeof href, "%s/d/%s", v->base_url, hex);
		xml_link(o, "    ", "alternate", doc->entry.doc_mime, href);
	} else {
		snprintf(href, sizeof href, "%s/v/%s?lang=%s", v->base_url,
			 v->venue, lang_code(lang));
		xml_link(o, "    ", "alternate", "text/html", href);
	}
	xml_el(o, "    ", "summary", sum);
	puts_(o, "  </entry>\n");
}

enum status feeds_atom(const struct feeds_venue *v, enum lang lang,
		       struct buf *out)
{
	const struct verify_report *rep = v->rep;
	const char *name = venue_name(v), *code = lang_code(lang);
	const char *updated = newest_logged(rep);
	struct out o = {out, out->len, ST_OK};
	/* The venue entry before each listed item (only venue entries use
	 * theirs). */
	const struct entry *prev[FEEDS_ATOM_MAX];
	const struct entry *last_venue = NULL;
	char text[TEXT_MAX], id[46], href[BASE_URL_MAX + 64];
	size_t first =
		rep->nitems > FEEDS_ATOM_MAX ? rep->nitems - FEEDS_ATOM_MAX : 0;

	for (size_t i = 0; i < rep->nitems; i++) {
		if (i >= first)
			prev[i - first] = last_venue;
		if (rep->items[i].entry.kind == ENTRY_VENUE)
			last_venue = &rep->items[i].entry;
	}

	puts_(&o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		  "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	puts_(&o, code);
	puts_(&o, "\">\n");
	atom_id(id, v->origin, v->venue, "");
	xml_el(&o, "  ", "id", id);
	wordf(text, sizeof text, lang, "feeds_title", "name", name, WORDS_END);
	xml_el(&o, "  ", "title", text);
	xml_el(&o, "  ", "subtitle",
	       word(lang, rep->ok ? "feeds_subtitle" : "server_fail"));
	xml_el(&o, "  ", "updated",
	       updated != NULL ? updated : "1970-01-01T00:00:00Z");
	snprintf(href, sizeof href, "%s/v/%s/history.atom?lang=%s", v->base_url,
		 v->venue, code);
	xml_link(&o, "  ", "self", FEEDS_ATOM_MIME, href);
	snprintf(href, sizeof href, "%s/v/%s?lang=%s", v->base_url, v->venue,
		 code);
	xml_link(&o, "  ", "alternate", "text/html", href);
	puts_(&o, "  <author>\n");
	xml_el(&o, "    ", "name", name);
	puts_(&o, "  </author>\n");
	xml_el(&o, "  ", "generator", "sanilog");
	for (size_t i = rep->nitems; i-- > first;)
		atom_entry(&o, v, &rep->items[i], prev[i - first], lang);
	puts_(&o, "</feed>\n");
	return finish(&o);
}

/* ---- from the store ---- */

/* Whether the stored base URL is an http(s) URL of printable ASCII with
 * nothing that would need escaping in a URL or a feed. */
static bool base_url_ok(const char *base)
{
	if (strncmp(base, "http://", 7) != 0 &&
	    strncmp(base, "https://", 8) != 0)
		return false;
	for (const char *p = base; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"<>\\#?", *p) != NULL)
			return false;
	return true;
}

/* The feed kind of the verified bundle b (rep) into out. */
static enum status feed_of(struct store *s, const struct bundle *b,
			   const struct verify_report *rep,
			   enum feeds_kind kind, enum lang lang,
			   struct buf *out, struct err *e)
{
	char base[BASE_URL_MAX];
	/* A stored base URL that is not one is no base URL to link to. */
	if (store_meta_get(s, "base_url", base, sizeof base, NULL) != ST_OK ||
	    !base_url_ok(base))
		base[0] = 0;
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = 0;
	struct feeds_venue v = {b->venue, b->origin, base, rep};
	enum status st = kind == FEEDS_ICS ? feeds_ics(&v, lang, out)
					   : feeds_atom(&v, lang, out);
	return st == ST_OK ? st : err_set(e, st, "feed too large");
}

enum status feeds_venue(struct store *s, const char *venue,
			enum feeds_kind kind, enum lang lang, const char *today,
			struct buf *out, struct err *e)
{
	struct bundle *b = NULL;
	struct verify_report rep;
	enum status st = pages_venue_verified(s, venue, today, &b, &rep, e);

	if (st == ST_OK)
		st = feed_of(s, b, &rep, kind, lang, out, e);
	verify_report_free(&rep);
	bundle_free(b);
	return st;
}
