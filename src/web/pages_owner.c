/*
 * pages_owner.c: what the owner's dashboard shows beside the venue's
 * record (pages_record.c sets that): the verdict and the next due date as
 * a customer's page states them, the venue's values for its settings
 * form, the links to the posters, and one document for the confirmation
 * of its revocation.  They show the venue's bundle in the newest
 * checkpoint as pages_venue_verified (pages_record.c) verifies it, as
 * the venue page does.
 */
#include "pages_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/verify.h"

/* The papers of the posters (print/poster.h), and their labels' keys. */
static const struct {
	const char *code, *key;
} papers[] = {
	{"a4", "own_a4"},
	{"a5", "own_a5"},
	{"a6", "own_a6"},
	{"letter", "own_letter"},
};

/* The venue's verification on today into rep (free it with
 * verify_report_free, also after a failure). */
static enum status venue_report(struct store *s, const char *venue,
				const char *today, struct verify_report *rep,
				struct err *e)
{
	struct bundle *b = NULL;
	enum status st = pages_venue_verified(s, venue, today, &b, rep, e);
	bundle_free(b);
	return st;
}

/* The poster links: a row per language, a PDF per paper; and, in lang,
 * the other formats of an A4. */
static void set_posters(struct render_obj *r, const char *venue, enum lang lang)
{
	render_set_list(r, "papers");
	for (size_t p = 0; p < ARRAY_LEN(papers); p++)
		render_set_text(render_add_item(r, "papers"), "label",
				word(lang, papers[p].key));
	render_set_list(r, "poster_langs");
	for (int l = 0; l < LANG__COUNT; l++) {
		const char *code = lang_code((enum lang)l);
		struct render_obj *o = render_add_item(r, "poster_langs");
		render_set_text(o, "code", code);
		render_set_text(o, "lname", word((enum lang)l, "lang_name"));
		render_set_list(o, "cells");
		for (size_t p = 0; p < ARRAY_LEN(papers); p++) {
			struct render_obj *c = render_add_item(o, "cells");
			render_set_textf(c, "href",
					 "/v/%s/poster.pdf?paper=%s&lang=%s",
					 venue, papers[p].code, code);
			render_set_textf(c, "plabel", "PDF %s, %s",
					 word(lang, papers[p].key),
					 word((enum lang)l, "lang_name"));
		}
	}
	render_set_textf(r, "poster_svg", "/v/%s/poster.svg?paper=a4&lang=%s",
			 venue, lang_code(lang));
	render_set_textf(r, "poster_png", "/v/%s/poster.png?paper=a4&lang=%s",
			 venue, lang_code(lang));
}

void pages_owner_state(const struct verify_report *rep, const char *venue,
		       enum lang lang, struct render_obj *r,
		       struct pages_venue_values *now)
{
	char line[256];

	snprintf(now->name, sizeof now->name, "%s", rep->name);
	snprintf(now->address, sizeof now->address, "%s", rep->address);
	now->interval_days = rep->interval_days;
	if (r == NULL)
		return;
	/* The order of a customer's page: failed, expired, overdue, none,
	 * current. */
	const char *v = !rep->ok	  ? "fail"
			: rep->latest < 0 ? "none"
			: rep->expired	  ? "expired"
			: rep->overdue	  ? "late"
					  : "ok";
	render_set_text(r, "verdict", v);
	render_set_flag(r, "verdict_fail", !rep->ok);
	line[0] = 0;
	if (rep->ok && rep->next_due[0] != 0) {
		char h[64];
		pages_human_date(h, sizeof h, rep->next_due, true, lang);
		wordf(line, sizeof line, lang, "own_next_due", "date", h,
		      WORDS_END);
	}
	render_set_text(r, "next_due", line);
	render_set_text(r, "next_due_date", rep->next_due);
	set_posters(r, venue, lang);
}

enum status pages_owner_document(struct store *s, const char *venue,
				 int64_t seq, enum lang lang, const char *today,
				 struct render_obj *r, struct err *e)
{
	struct verify_report rep;
	enum status st = venue_report(s, venue, today, &rep, e);
	const struct verify_item *it = NULL;
	char h[64];

	if (st != ST_OK)
		goto out;
	for (size_t i = 0; i < rep.nitems; i++)
		if (rep.items[i].entry.kind == ENTRY_DOCUMENT &&
		    rep.items[i].entry.venue_seq == seq)
			it = &rep.items[i];
	if (it == NULL) {
		st = err_set(e, ST_NOT_FOUND, "no document %" PRId64, seq);
		goto out;
	}
	if (it->revoked) {
		st = err_set(e, ST_CONFLICT, "document %" PRId64 " is revoked",
			     seq);
		goto out;
	}
	const struct entry *en = &it->entry;
	render_set_int(r, "seq", en->venue_seq);
	render_set_text(r, "title", en->title);
	render_set_text(r, "type", pages_type_label(en->type, lang));
	pages_human_date(h, sizeof h, en->performed, true, lang);
	render_set_text(r, "performed_h", h);
	pages_human_date(h, sizeof h, en->expires, true, lang);
	render_set_text(r, "expires_h", en->expires[0] != 0 ? h : "");
	render_set_text(r, "provider",
			it->attested ? it->provider_display : en->provider);
out:
	verify_report_free(&rep);
	return st;
}
