/*
 * pages_record.c: a venue's record as the venue page and the owner's
 * dashboard show it.  The venue's bundle is exported from the store and
 * verified by the C verifier (verify_bundle), and the page shows what it
 * concluded: the newest valid sanitization, overdue and expired, the date
 * the next one is due, who did it and whether the provider's signature
 * verified, the history with revoked documents marked (and, on the venue
 * page, the changes of the venue's details), and, should the server's own
 * check fail, a warning naming the failed checks.  /assets/verify.js
 * checks the same bundle again in the browser, and the documents' files,
 * and gives the page's verdict, in the words the page hands it.
 */
#include "pages_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/codec.h"
#include "core/verify.h"
#include "store/export.h"

#define BASE_URL_MAX 512
#define FAILS_SHOWN  20 /* failed checks of the server's named on a page */

static const char *const venue_labels[] = {
	"when",
	"by",
	"valid",
	"interval",
	"doc",
	"server_fail",
	"verify",
	"nojs",
	"checks",
	"explain",
	"history",
	"nodocs",
	"older",
	"newest",
	"signed",
	"badsig",
	"revoked",
	"open",
	"log",
	"code",
	"cli",
	"card_next_due",
	"checks_dev",
	"venue_change_h",
	"js_ok",
	"js_ok_pin",
	"feeds_link_calendar",
	"feeds_link_atom",
};

/* The interval's words: "every day", "every 30 days". */
static void interval_words(char *out, size_t size, int days, enum lang lang)
{
	char n[24];

	if (days == 1) {
		snprintf(out, size, "%s", word(lang, "every_day"));
		return;
	}
	snprintf(n, sizeof n, "%d", days);
	wordf(out, size, lang, "every_days", "n", n, WORDS_END);
}

/* Whether rep holds a document of type sanitization that is revoked: with
 * no valid one (rep->latest < 0), the venue's certificate was revoked,
 * rather than never logged. */
static bool sanitization_revoked(const struct verify_report *rep)
{
	for (size_t i = 0; i < rep->nitems; i++) {
		const struct entry *en = &rep->items[i].entry;
		if (en->kind == ENTRY_DOCUMENT && rep->items[i].revoked &&
		    strcmp(en->type, "sanitization") == 0)
			return true;
	}
	return false;
}

/* Sets the values of the top section: the verdict as the server reckons
 * it (freshness: current, overdue, expired or none; fresh, its older
 * spelling ok, late, expired, none, which owner.html's state_class and
 * verify.js read), the date the next sanitization is due, and who did the
 * work. */
static void set_state(struct render_obj *r, const struct verify_report *rep,
		      enum lang lang)
{
	char h[64], ago[64], when[64], line[512];

	render_set_text(r, "next_due", rep->next_due);
	pages_human_date(h, sizeof h, rep->next_due, true, lang);
	render_set_text(r, "next_due_h", h);
	if (rep->latest < 0) {
		render_set_text(r, "fresh", "none");
		render_set_text(r, "freshness", "none");
		render_set_text(r, "state_class", "none");
		render_set_text(r, "latest", "");
		render_set_text(r, "headline", word(lang, "state_none_h"));
		render_set_text(render_add_item(r, "lines"), "line",
				word(lang, sanitization_revoked(rep)
						   ? "state_revoked"
						   : "state_none"));
		render_set_flag(r, "has_latest", false);
		return;
	}
	const struct verify_item *it = &rep->items[rep->latest];
	const struct entry *en = &it->entry;
	const char *fresh = rep->expired   ? "expired"
			    : rep->overdue ? "late"
					   : "ok";
	render_set_text(r, "fresh", fresh);
	render_set_text(r, "freshness",
			rep->expired   ? "expired"
			: rep->overdue ? "overdue"
				       : "current");
	render_set_text(r, "state_class", fresh);
	render_set_int(r, "latest", en->venue_seq);
	pages_human_ago(ago, sizeof ago, rep->days_since, en->performed, lang);
	if (rep->expired)
		render_set_text(r, "headline", word(lang, "state_expired_h"));
	else if (rep->overdue)
		render_set_text(r, "headline", word(lang, "state_overdue_h"));
	else {
		wordf(line, sizeof line, lang, "state_current_h", "ago", ago,
		      WORDS_END);
		render_set_text(r, "headline", line);
	}
	render_set_list(r, "lines");
	if (rep->overdue) {
		char days[24], interval[24];
		snprintf(days, sizeof days, "%" PRId64, rep->days_since);
		snprintf(interval, sizeof interval, "%d", rep->interval_days);
		wordf(line, sizeof line, lang, "state_overdue", "days", days,
		      "interval", interval, WORDS_END);
		render_set_text(render_add_item(r, "lines"), "line", line);
	}
	if (rep->expired) {
		pages_human_date(h, sizeof h, en->expires, true, lang);
		wordf(line, sizeof line, lang, "state_expired", "date", h,
		      WORDS_END);
		render_set_text(render_add_item(r, "lines"), "line", line);
	}
	render_set_flag(r, "has_latest", true);
	render_set_text(r, "performed", en->performed);
	pages_human_date(when, sizeof when, en->performed, true, lang);
	render_set_text(r, "performed_h", when);
	render_set_text(r, "ago", ago);
	render_set_text(r, "expires", en->expires);
	pages_human_date(h, sizeof h, en->expires, true, lang);
	render_set_text(r, "expires_h", h);
	interval_words(line, sizeof line, rep->interval_days, lang);
	render_set_text(r, "interval", line);
	render_set_text(r, "latest_title", en->title);
	if (it->attested) {
		render_set_text(r, "provider", it->provider_display);
		render_set_text(r, "sig_class", "sig");
		render_set_text(r, "sig_text", word(lang, "sig_ok"));
	} else if (en->attestation[0] != 0) {
		render_set_text(r, "provider", en->provider);
		render_set_text(r, "sig_class", "bad");
		render_set_text(r, "sig_text", word(lang, "sig_bad"));
	} else if (en->provider[0] != 0) {
		render_set_text(r, "provider", en->provider);
		render_set_text(r, "sig_class", "unsig");
		render_set_text(r, "sig_text", word(lang, "sig_none"));
	} else {
		render_set_text(r, "provider", "");
		render_set_text(r, "sig_class", "unsig");
		render_set_text(r, "sig_text", word(lang, "provider_none"));
	}
}

/* One document of the history. */
static void set_doc(struct render_obj *o, const struct verify_item *it,
		    enum lang lang)
{
	const struct entry *en = &it->entry;
	char h[64], hex[2 * HASH_LEN + 1];

	render_set_flag(o, "change", false);
	render_set_int(o, "seq", en->venue_seq);
	render_set_text(o, "title", en->title);
	render_set_text(o, "type", pages_type_label(en->type, lang));
	pages_human_date(h, sizeof h, en->performed, false, lang);
	render_set_text(o, "performed_h", h);
	pages_human_date(h, sizeof h, en->expires, false, lang);
	render_set_text(o, "expires_h", en->expires[0] ? h : "");
	render_set_text(o, "provider",
			it->attested ? it->provider_display : en->provider);
	render_set_flag(o, "signed", it->attested);
	render_set_flag(o, "badsig", !it->attested && en->attestation[0]);
	render_set_flag(o, "revoked", it->revoked);
	render_set_text(o, "reason", it->revoke_reason);
	hex_encode(hex, en->doc_sha256, HASH_LEN);
	render_set_text(o, "sha", hex);
	render_set_text(o, "fmt", pages_mime_label(en->doc_mime));
	pages_human_bytes(h, sizeof h, en->doc_size, lang);
	render_set_text(o, "bytes", h);
	render_set_int(o, "size", en->doc_size);
}

/* The failed checks of rep: the first FAILS_SHOWN, then how many more,
 * counting those the report did not keep (rep->omitted). */
static void set_fails(struct render_obj *r, const struct verify_report *rep,
		      enum lang lang)
{
	size_t n = 0;

	render_set_list(r, "fails");
	for (size_t i = 0; i < rep->nchecks; i++) {
		if (rep->checks[i].ok || n++ >= FAILS_SHOWN)
			continue;
		struct render_obj *f = render_add_item(r, "fails");
		render_set_text(f, "check", rep->checks[i].name);
		render_set_text(f, "detail", rep->checks[i].detail);
	}
	/* Those past FAILS_SHOWN, and those the report did not keep. */
	size_t more_n = (n > FAILS_SHOWN ? n - FAILS_SHOWN : 0) + rep->omitted;
	if (more_n > 0) {
		struct render_obj *f = render_add_item(r, "fails");
		char more[24], line[128];
		snprintf(more, sizeof more, "%zu", more_n);
		wordf(line, sizeof line, lang, "fails_more_n", "n", more,
		      WORDS_END);
		render_set_text(f, "check", word(lang, "fails_more"));
		render_set_text(f, "detail", line);
	}
}

/* One change of the venue's details (a kind venue entry after the first):
 * what it changed from the venue entry before, prev (all it says when it
 * changed nothing). */
static void set_change(struct render_obj *o, const struct entry *en,
		       const struct entry *prev, enum lang lang)
{
	char line[ENTRY_VALUE_MAX + 128], iv[64], day[11];
	bool all = prev == NULL || (strcmp(prev->name, en->name) == 0 &&
				    strcmp(prev->address, en->address) == 0 &&
				    prev->interval_days == en->interval_days);

	render_set_flag(o, "change", true);
	render_set_int(o, "seq", en->venue_seq);
	snprintf(day, sizeof day, "%.10s", en->logged); /* its date */
	pages_human_date(iv, sizeof iv, day, false, lang);
	render_set_text(o, "logged_h", iv);
	render_set_list(o, "changes");
	if (all || strcmp(prev->name, en->name) != 0) {
		wordf(line, sizeof line, lang, "venue_change_name", "name",
		      en->name, WORDS_END);
		render_set_text(render_add_item(o, "changes"), "line", line);
	}
	if (all || strcmp(prev->address, en->address) != 0) {
		wordf(line, sizeof line, lang, "venue_change_address",
		      "address", en->address, WORDS_END);
		render_set_text(render_add_item(o, "changes"), "line", line);
	}
	if (all || prev->interval_days != en->interval_days) {
		interval_words(iv, sizeof iv, en->interval_days, lang);
		wordf(line, sizeof line, lang, "venue_change_interval",
		      "interval", iv, WORDS_END);
		render_set_text(render_add_item(o, "changes"), "line", line);
	}
}

/* The kind venue entry before items[i], or NULL. */
static const struct entry *venue_before(const struct verify_report *rep,
					size_t i)
{
	while (i-- > 0)
		if (rep->items[i].entry.kind == ENTRY_VENUE)
			return &rep->items[i].entry;
	return NULL;
}

/*
 * Sets the list docs to the history the page before shows (pages.h's
 * PAGES_HISTORY), newest first, and the paging values: paged (a flag: the
 * page is not the whole history), pages_text, and the links older and
 * newest (each "" when the page has none).  The links are a query only,
 * so that they hold under any path the page is served at.  The changes of
 * the venue's details (kind venue entries after the first) below before
 * are among them when changes is set, those newer than the oldest document of
 * the page's run or, on the page of the oldest documents, all; an item of docs
 * is a change when its flag change is set.
 */
static void set_history(struct render_obj *r, const struct verify_report *rep,
			int64_t before, bool changes, enum lang lang)
{
	const struct verify_item *cur =
		rep->latest >= 0 ? &rep->items[rep->latest] : NULL;
	const char *code = lang_code(lang);
	size_t ndocs = 0, shown = 0, run = 0;
	int64_t lowest = -1, below = before < 0 ? INT64_MAX : before;
	bool older = false, cur_shown = false;

	/* The run: the PAGES_HISTORY newest documents below before. */
	for (size_t i = rep->nitems; i-- > 0;) {
		const struct entry *en = &rep->items[i].entry;
		if (en->kind != ENTRY_DOCUMENT)
			continue;
		ndocs++;
		if (en->venue_seq >= below)
			continue;
		if (run == PAGES_HISTORY)
			older = true;
		else {
			run++;
			lowest = en->venue_seq;
		}
	}
	render_set_list(r, "docs");
	/* The current record's sanitization, newer than the page's run. */
	if (cur != NULL && cur->entry.venue_seq >= below) {
		set_doc(render_add_item(r, "docs"), cur, lang);
		shown++;
		cur_shown = true;
	}
	for (size_t i = rep->nitems; i-- > 0;) {
		const struct verify_item *it = &rep->items[i];
		int64_t seq = it->entry.venue_seq;
		if (seq >= below)
			continue;
		if (changes && it->entry.kind == ENTRY_VENUE && seq > 0 &&
		    (!older || seq > lowest))
			set_change(render_add_item(r, "docs"), &it->entry,
				   venue_before(rep, i), lang);
		if (it->entry.kind != ENTRY_DOCUMENT || seq < lowest)
			continue;
		set_doc(render_add_item(r, "docs"), it, lang);
		shown++;
		cur_shown = cur_shown || it == cur;
	}
	/* Or older than the run. */
	if (cur != NULL && !cur_shown) {
		set_doc(render_add_item(r, "docs"), cur, lang);
		shown++;
	}
	render_set_flag(r, "paged", older || before >= 0);
	char n1[24], n2[24], line[128];
	snprintf(n1, sizeof n1, "%zu", shown);
	snprintf(n2, sizeof n2, "%zu", ndocs);
	wordf(line, sizeof line, lang, "showing", "shown", n1, "total", n2,
	      WORDS_END);
	render_set_text(r, "pages_text", line);
	if (older)
		render_set_textf(r, "older", "?before=%" PRId64 "&lang=%s",
				 lowest, code);
	else
		render_set_text(r, "older", "");
	if (before >= 0)
		render_set_textf(r, "newest", "?lang=%s", code);
	else
		render_set_text(r, "newest", "");
}

/* words_each's callback: adds a key and its words to a JSON object. */
static void add_word(void *ctx, const char *key, const char *text)
{
	json_object_set_new((json_t *)ctx, key, json_string(text));
}

/*
 * Sets words to the words verify.js shows, in lang, as a JSON object from
 * key to words (the keys of the catalogue's section "the checks on the
 * phone", js_*, and the state_* headlines and lines), for main's
 * data-words: verify.js reads them there, the page's own language without
 * a request more.  On failure words is "{}" and verify.js shows the keys.
 */
static void set_words(struct render_obj *r, enum lang lang)
{
	json_t *o = json_object();
	char *s = NULL;

	if (o != NULL) {
		words_each(lang, "js_", add_word, o);
		words_each(lang, "state_", add_word, o);
		s = json_dumps(o, JSON_COMPACT);
	}
	render_set_text(r, "words", s != NULL ? s : "{}");
	free(s);
	json_decref(o);
}

/*
 * Sets on r what the venue page and the owner's dashboard show of the
 * venue's record (pages_owner_record names the values) from b and its
 * verification rep, with the page before of the history, and the changes
 * of the venue's details among its items when changes is set.
 */
static void set_record(struct render_obj *r, const struct bundle *b,
		       const struct verify_report *rep, enum lang lang,
		       int64_t before, bool changes)
{
	pages_set_labels(r, venue_labels, ARRAY_LEN(venue_labels), lang);
	render_set_text(r, "venue", b->venue);
	/* A bundle whose venue entries all failed has no name to show. */
	render_set_text(r, "name", rep->name[0] ? rep->name : b->venue);
	render_set_text(r, "address", rep->address);
	set_state(r, rep, lang);
	render_set_flag(r, "server_fail", !rep->ok);
	/* A record that failed the checks: its state is not to be relied
	 * on, so it is not shown in the colours of a good or bad state. */
	if (!rep->ok)
		render_set_text(r, "state_class", "unverified");
	set_fails(r, rep, lang);
	set_history(r, rep, before, changes, lang);
}

enum status pages_venue_bundle(const struct bundle *b, const char *base_url,
			       enum lang lang, const char *today,
			       int64_t before, struct buf *out, struct err *e)
{
	struct verify_report rep;
	struct verify_options o;
	struct render_data *d = NULL;
	char title[ENTRY_VALUE_MAX + 64], self[64];
	enum status st;

	memset(&o, 0, sizeof o);
	snprintf(o.today, sizeof o.today, "%s", today != NULL ? today : "");
	if ((st = verify_bundle(b, &o, &rep, e)) != ST_OK)
		goto out;
	if ((d = render_data_new()) == NULL) {
		st = err_set(e, ST_NOMEM, "out of memory");
		goto out;
	}
	struct render_obj *r = render_root(d);
	set_record(r, b, &rep, lang, before, true);
	set_words(r, lang);
	render_set_int(r, "size", rep.checkpoint.size);
	char n[24];
	snprintf(n, sizeof n, "%" PRId64, rep.checkpoint.size);
	wordf(title, sizeof title, lang, "entries", "n", n, WORDS_END);
	render_set_text(r, "size_text", title);
	render_set_text(r, "origin", b->origin);
	render_set_textf(r, "page_url", "%s/v/%s",
			 base_url != NULL ? base_url : "", b->venue);

	wordf(title, sizeof title, lang, "title_venue", "name",
	      rep.name[0] ? rep.name : b->venue, WORDS_END);
	if (before >= 0)
		snprintf(self, sizeof self, "/v/%s?before=%" PRId64, b->venue,
			 before);
	else
		snprintf(self, sizeof self, "/v/%s", b->venue);
	st = pages_render(T_VENUE, d, lang, title, self, true, out, e);
out:
	render_data_free(d);
	verify_report_free(&rep);
	return st;
}

enum status pages_venue(struct store *s, const char *venue, enum lang lang,
			const char *today, int64_t before, struct buf *out,
			struct err *e)
{
	struct bundle *b = NULL;
	char base[BASE_URL_MAX];
	enum status st;

	if (!entry_venue_id_valid(venue))
		return err_set(e, ST_NOT_FOUND, "venue %.16s: not found",
			       venue != NULL ? venue : "");
	if ((st = export_bundle(s, venue, -1, &b, e)) != ST_OK)
		return st;
	if (store_meta_get(s, "base_url", base, sizeof base, NULL) != ST_OK)
		base[0] = 0;
	/* No trailing slash: page_url adds "/v/..." */
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = 0;
	st = pages_venue_bundle(b, base, lang, today, before, out, e);
	bundle_free(b);
	return st;
}

void pages_owner_record(const struct bundle *b, const struct verify_report *rep,
			enum lang lang, int64_t before, struct render_obj *r)
{
	/* The dashboard's history, as the venue page's: the documents, each
	 * with its revoke form (templates/owner.html), and the changes of
	 * the venue's details. */
	set_record(r, b, rep, lang, before, true);
}

enum status pages_venue_verified(struct store *s, const char *venue,
				 const char *today, struct bundle **b,
				 struct verify_report *rep, struct err *e)
{
	struct verify_options o;
	enum status st;

	*b = NULL;
	memset(rep, 0, sizeof *rep);
	if (!entry_venue_id_valid(venue))
		return err_set(e, ST_NOT_FOUND, "venue %.16s: not found",
			       venue != NULL ? venue : "");
	if ((st = export_bundle(s, venue, -1, b, e)) != ST_OK)
		return st;
	memset(&o, 0, sizeof o);
	snprintf(o.today, sizeof o.today, "%s", today != NULL ? today : "");
	return verify_bundle(*b, &o, rep, e);
}
