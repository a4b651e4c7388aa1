/*
 * pages_record.c: a venue's record as the venue page and the owner's
 * dashboard show it.  The venue's bundle is exported from the store and
 * verified by the C verifier (verify_bundle), and the page shows what it
 * concluded: the newest valid sanitization, overdue and expired, who did
 * it and whether the provider's signature verified, the history with
 * revoked documents marked, and, should the server's own check fail, a
 * warning naming the failed checks.  /assets/verify.js checks the same
 * bundle again in the browser.
 */
#include "pages_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/verify.h"
#include "store/export.h"

#define BASE_URL_MAX 512
#define FAILS_SHOWN  20 /* failed checks of the server's named on a page */

static const struct label venue_labels[] = {
	{"t_when", "When", "Quando"},
	{"t_by", "By", "Eseguita da"},
	{"t_valid", "Valid until", "Valida fino al"},
	{"t_interval", "Required", "Frequenza prevista"},
	{"t_doc", "Certificate", "Certificato"},
	{"t_server_fail", "Warning: this record failed the server's checks",
	 "Attenzione: questo registro non ha superato i controlli del "
	 "server"},
	{"t_verify", "Checked on your phone", "Verifica sul tuo telefono"},
	{"t_nojs",
	 "Not checked on this phone: the check needs JavaScript. The record "
	 "below is as the server shows it.",
	 "Non verificato su questo telefono: la verifica richiede JavaScript. "
	 "Il registro qui sotto è come lo mostra il server."},
	{"t_checks", "What was checked", "Cosa è stato verificato"},
	{"t_explain",
	 "Your phone checks the public log's signatures and hashes: that this "
	 "record is the one the log signed, that no entry was removed or "
	 "changed, and that the providers' signatures are genuine. \"Check "
	 "file\" compares a document's bytes with the record.",
	 "Il telefono controlla firme e hash del registro pubblico: che questo "
	 "sia il registro firmato, che nessuna voce sia stata tolta o "
	 "modificata e che le firme delle imprese siano autentiche. "
	 "\"Verifica file\" confronta i byte di un documento con il "
	 "registro."},
	{"t_history", "History", "Storico"},
	{"t_nodocs", "No documents yet.", "Ancora nessun documento."},
	{"t_older", "Older documents", "Documenti precedenti"},
	{"t_newest", "Newest documents", "Documenti più recenti"},
	{"t_signed", "signed", "firmato"},
	{"t_badsig", "signature does not verify", "firma non valida"},
	{"t_revoked", "Revoked:", "Revocato:"},
	{"t_open", "Open", "Apri"},
	{"t_log", "Public log", "Registro pubblico"},
	{"t_code", "venue code", "codice locale"},
	{"t_cli", "Inspectors can check it with",
	 "Gli ispettori possono verificarlo con"},
};

/* Sets the values of the top section: freshness and who did the work. */
static void set_state(struct render_obj *r, const struct verify_report *rep,
		      enum page_lang lang)
{
	char h[64], ago[64], when[64];

	if (rep->latest < 0) {
		render_set_text(r, "fresh", "none");
		render_set_text(r, "state_class", "none");
		render_set_text(r, "latest", "");
		render_set_text(r, "headline",
				W(lang, "No sanitization on record",
				  "Nessuna sanificazione registrata"));
		render_set_text(render_add_item(r, "lines"), "line",
				W(lang,
				  "This venue has not logged any sanitization "
				  "certificate yet.",
				  "Questo locale non ha ancora registrato "
				  "alcun certificato di sanificazione."));
		render_set_flag(r, "has_latest", false);
		return;
	}
	const struct verify_item *it = &rep->items[rep->latest];
	const struct entry *en = &it->entry;
	const char *fresh = rep->expired   ? "expired"
			    : rep->overdue ? "late"
					   : "ok";
	render_set_text(r, "fresh", fresh);
	render_set_text(r, "state_class", fresh);
	render_set_int(r, "latest", en->venue_seq);
	pages_human_ago(ago, sizeof ago, rep->days_since, en->performed, lang);
	if (rep->expired)
		render_set_text(r, "headline",
				W(lang, "Sanitization certificate expired",
				  "Certificato di sanificazione scaduto"));
	else if (rep->overdue)
		render_set_text(r, "headline",
				W(lang, "Sanitization overdue",
				  "Sanificazione in ritardo"));
	else
		render_set_textf(r, "headline",
				 W(lang, "Last sanitized %s",
				   "Ultima sanificazione: %s"),
				 ago);
	render_set_list(r, "lines");
	if (rep->overdue)
		render_set_textf(
			render_add_item(r, "lines"), "line",
			W(lang,
			  "The last sanitization was %" PRId64
			  " days ago; this venue should be sanitized every %d "
			  "days.",
			  "L'ultima sanificazione risale a %" PRId64
			  " giorni fa; questo locale dovrebbe essere "
			  "sanificato ogni %d giorni."),
			rep->days_since, rep->interval_days);
	if (rep->expired) {
		pages_human_date(h, sizeof h, en->expires, true, lang);
		render_set_textf(render_add_item(r, "lines"), "line",
				 W(lang,
				   "The certificate of the last sanitization "
				   "expired on %s.",
				   "Il certificato dell'ultima sanificazione è "
				   "scaduto il %s."),
				 h);
	}
	render_set_flag(r, "has_latest", true);
	render_set_text(r, "performed", en->performed);
	pages_human_date(when, sizeof when, en->performed, true, lang);
	render_set_text(r, "performed_h", when);
	render_set_text(r, "ago", ago);
	render_set_text(r, "expires", en->expires);
	pages_human_date(h, sizeof h, en->expires, true, lang);
	render_set_text(r, "expires_h", h);
	if (rep->interval_days == 1)
		render_set_text(r, "interval",
				W(lang, "every day", "ogni giorno"));
	else
		render_set_textf(r, "interval",
				 W(lang, "every %d days", "ogni %d giorni"),
				 rep->interval_days);
	render_set_text(r, "latest_title", en->title);
	if (it->attested) {
		render_set_text(r, "provider", it->provider_display);
		render_set_text(r, "sig_class", "sig");
		render_set_text(r, "sig_text",
				W(lang, "✓ signed the certificate",
				  "✓ ha firmato il certificato"));
	} else if (en->attestation[0] != 0) {
		render_set_text(r, "provider", en->provider);
		render_set_text(r, "sig_class", "bad");
		render_set_text(r, "sig_text",
				W(lang,
				  "✗ the provider's signature does not "
				  "verify",
				  "✗ la firma dell'impresa non è valida"));
	} else if (en->provider[0] != 0) {
		render_set_text(r, "provider", en->provider);
		render_set_text(r, "sig_class", "unsig");
		render_set_text(r, "sig_text",
				W(lang,
				  "(named by the venue; the provider did not "
				  "sign it)",
				  "(indicata dal locale; l'impresa non ha "
				  "firmato)"));
	} else {
		render_set_text(r, "provider", "");
		render_set_text(r, "sig_class", "unsig");
		render_set_text(
			r, "sig_text",
			W(lang, "provider not named", "impresa non indicata"));
	}
}

/* One document of the history. */
static void set_doc(struct render_obj *o, const struct verify_item *it,
		    enum page_lang lang)
{
	const struct entry *en = &it->entry;
	char h[64], hex[2 * HASH_LEN + 1];

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
}

/* The failed checks of rep: the first FAILS_SHOWN, then how many more. */
static void set_fails(struct render_obj *r, const struct verify_report *rep,
		      enum page_lang lang)
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
	if (n > FAILS_SHOWN) {
		struct render_obj *f = render_add_item(r, "fails");
		render_set_text(f, "check", W(lang, "and more", "e altri"));
		render_set_textf(f, "detail",
				 W(lang, "%zu other failed checks",
				   "%zu altri controlli non superati"),
				 n - FAILS_SHOWN);
	}
}

/*
 * Sets the list docs to the history the page before shows (pages.h's
 * PAGES_HISTORY), newest first, and the paging values: paged (a flag: the
 * page is not the whole history), pages_text, and the links older and
 * newest (each "" when the page has none).  The links are a query only,
 * so that they hold under any path the page is served at.
 */
static void set_history(struct render_obj *r, const struct verify_report *rep,
			int64_t before, enum page_lang lang)
{
	const struct verify_item *cur =
		rep->latest >= 0 ? &rep->items[rep->latest] : NULL;
	const char *code = pages_lang_code(lang);
	size_t ndocs = 0, shown = 0, run = 0;
	int64_t lowest = 0, below = before < 0 ? INT64_MAX : before;
	bool older = false, cur_shown = false;

	render_set_list(r, "docs");
	/* The current record's sanitization, newer than the page's run. */
	if (cur != NULL && cur->entry.venue_seq >= below) {
		set_doc(render_add_item(r, "docs"), cur, lang);
		shown++;
		cur_shown = true;
	}
	for (size_t i = rep->nitems; i-- > 0;) {
		const struct verify_item *it = &rep->items[i];
		if (it->entry.kind != ENTRY_DOCUMENT)
			continue;
		ndocs++;
		if (it->entry.venue_seq >= below)
			continue;
		if (run == PAGES_HISTORY) {
			older = true;
			continue;
		}
		set_doc(render_add_item(r, "docs"), it, lang);
		run++;
		shown++;
		lowest = it->entry.venue_seq;
		cur_shown = cur_shown || it == cur;
	}
	/* Or older than the run. */
	if (cur != NULL && !cur_shown) {
		set_doc(render_add_item(r, "docs"), cur, lang);
		shown++;
	}
	render_set_flag(r, "paged", older || before >= 0);
	render_set_textf(r, "pages_text",
			 W(lang, "Showing %zu of %zu documents.",
			   "Mostrati %zu documenti su %zu."),
			 shown, ndocs);
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

/*
 * Sets on r what the venue page and the owner's dashboard show of the
 * venue's record (pages_owner_record names the values) from b and its
 * verification rep, with the page before of the history.
 */
static void set_record(struct render_obj *r, const struct bundle *b,
		       const struct verify_report *rep, enum page_lang lang,
		       int64_t before)
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
	set_history(r, rep, before, lang);
}

enum status pages_venue_bundle(const struct bundle *b, const char *base_url,
			       enum page_lang lang, const char *today,
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
	set_record(r, b, &rep, lang, before);
	render_set_int(r, "size", rep.checkpoint.size);
	render_set_textf(r, "size_text",
			 W(lang, "%" PRId64 " entries", "%" PRId64 " voci"),
			 rep.checkpoint.size);
	render_set_text(r, "origin", b->origin);
	render_set_textf(r, "page_url", "%s/v/%s",
			 base_url != NULL ? base_url : "", b->venue);

	snprintf(title, sizeof title, "%s · %s",
		 rep.name[0] ? rep.name : b->venue,
		 W(lang, "sanitization record", "registro sanificazioni"));
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

enum status pages_venue(struct store *s, const char *venue, enum page_lang lang,
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

enum status pages_owner_record(struct store *s, const char *venue,
			       enum page_lang lang, const char *today,
			       int64_t before, struct render_obj *r,
			       struct err *e)
{
	struct bundle *b = NULL;
	struct verify_report rep;
	struct verify_options o;
	enum status st;

	memset(&rep, 0, sizeof rep);
	if (!entry_venue_id_valid(venue))
		return err_set(e, ST_NOT_FOUND, "venue %.16s: not found",
			       venue != NULL ? venue : "");
	if ((st = export_bundle(s, venue, -1, &b, e)) != ST_OK)
		return st;
	memset(&o, 0, sizeof o);
	snprintf(o.today, sizeof o.today, "%s", today != NULL ? today : "");
	if ((st = verify_bundle(b, &o, &rep, e)) != ST_OK)
		goto out;
	set_record(r, b, &rep, lang, before);
	st = ST_OK; /* a setter's failure shows at render_exec */
out:
	verify_report_free(&rep);
	bundle_free(b);
	return st;
}
