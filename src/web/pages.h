/*
 * pages.h: the HTML pages and static assets of the web service.
 *
 * Pages are rendered on the server (they read fine without JavaScript);
 * /assets/verify.js then checks the venue's bundle in the browser.  The
 * HTTP layer calls these and sends what they write; they do no I/O but
 * reading the store.  They are written in pages.c, pages_record.c,
 * pages_words.c and pages_assets.c (pages_private.h says which does what).
 */
#ifndef SANILOG_PAGES_H
#define SANILOG_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "base/words.h"
#include "core/buf.h"
#include "core/bundle.h"
#include "store/store.h"

/* The venue's page into out.  today is YYYY-MM-DD (UTC); before is the
 * page of the history (PAGES_HISTORY below), -1 for the newest.
 * ST_NOT_FOUND when the log has no such venue. */
enum status pages_venue(struct store *s, const char *venue, enum lang lang,
			const char *today, int64_t before, struct buf *out,
			struct err *e);

/* The home page: what the service is, and a venue lookup by id. */
enum status pages_index(enum lang lang, struct buf *out, struct err *e);

/* A static asset by its file name ("verify.js", "style.css"): its bytes
 * (borrowed, static) and media type.  NULL when there is no such asset. */
const unsigned char *pages_asset(const char *name, size_t *len,
				 const char **mime);

/* ---- Added declarations (the ones above are the original contract) ---- */

/*
 * The history a page shows, newest first, so that a venue of years of
 * records stays a page a phone can load (and the venue page and the
 * owner's dashboard stay within the renderer's RENDER_DATA_MAX): the
 * PAGES_HISTORY newest documents whose venue-seq is below before (every
 * one when before is negative: the newest page), and, wherever it is in
 * the history, the newest valid sanitization, which the current record
 * rests on.  A revocation shows on the document it revokes (verified
 * against the whole bundle), so a page needs no other entries.  When
 * older documents remain, the page links to "?before=<the lowest
 * venue-seq of those PAGES_HISTORY>&lang=<its language>" (id "older"); a
 * page other than the newest links to the newest (id "newest").
 * assets/verify.js verifies the whole bundle and checks that the page shows
 * exactly this choice of its documents (its PAGE_DOCS is this number).
 */
#define PAGES_HISTORY 50

/*
 * Notes on the calls above.  The language of a page is the one
 * lang_negotiate (base/words.h) chose.  pages_venue exports the bundle and
 * verifies it on every call (about 1-2 ms for 50 documents); its bytes depend
 * only on the venue's entries in the newest checkpoint (so on the log size),
 * lang, today, before and the stored base_url, so a server may cache them under
 * those.  When the server's own verification fails, the page says so at
 * the top, naming the first 20 failed checks and counting the others.
 */

/*
 * Optional, once at start, before any thread renders a page (it is the
 * one writer of this module's state; not thread-safe): loads and compiles
 * the templates, and the override assets.  templates_dir (or NULL) may
 * hold layout.html, venue.html, index.html, error.html: each one present
 * replaces the embedded one, the others stay embedded.  assets_dir (or
 * NULL): every file in it with a safe name (A-Z a-z 0-9 . _ -, not
 * starting with '.') and a known suffix (.js .css .svg .png .ico .woff2
 * .txt), at most 2 MiB each and 64 files, is served by pages_asset
 * instead of, or besides, the embedded ones.  A template that does not
 * compile fails here with e naming its file and line, and nothing changes.
 * Without pages_init, every page compiles its embedded template on each
 * call (a few microseconds).  Call pages_cleanup at exit.
 */
enum status pages_init(const char *templates_dir, const char *assets_dir,
		       struct err *e);
void pages_cleanup(void);

/*
 * The gzip-compressed bytes of the asset name (borrowed, static), when
 * the build embedded an up-to-date "assets/<name>.gz": its trailer's
 * CRC-32 and size must match the bytes pages_asset serves for name (so a
 * stale .gz, or an asset overridden by pages_init, gives NULL).  The
 * server may send them with "Content-Encoding: gzip" (and "Vary:
 * Accept-Encoding") to a client whose Accept-Encoding allows gzip.
 * Regenerate after editing an asset: gzip -9nkf assets/verify.js
 * assets/style.css (tests/web/test_browser.sh fails on a stale one).
 */
const unsigned char *pages_asset_gzip(const char *name, size_t *len);

/*
 * The venue page rendered from a bundle (pages_venue exports the bundle,
 * then calls this); base_url (or NULL) is printed in the inspector's
 * command line; before as for pages_venue.  Used by static publishing
 * and by tests.
 */
enum status pages_venue_bundle(const struct bundle *b, const char *base_url,
			       enum lang lang, const char *today,
			       int64_t before, struct buf *out, struct err *e);

/*
 * The home page's lookup form sends GET /v/?id=<what was typed>&lang=xx.
 * This gives the path to redirect to (303): "/v/<id>" (with "?lang=xx"
 * when query_lang is "en" or "it"), the id lowercased with spaces and
 * dashes dropped.  ST_INVALID when it is not a venue id.
 */
enum status pages_lookup_path(const char *id, const char *query_lang,
			      char *path, size_t size);

/*
 * An HTML error page for http_status (400, 404, 405, 413, 415, 429, 503;
 * anything else reads as 500) into out.  self (or NULL) is the request's
 * path, used for the language switch link only if it is a plain path; an
 * error on the owner's pages (/owner...) links back to the dashboard.
 * detail (or NULL) is what exactly was wrong, shown below the text.
 */
enum status pages_error(enum lang lang, int http_status, const char *self,
			const char *detail, struct buf *out, struct err *e);

/*
 * The owner's pages (owner.c).  pages_owner renders one of them with d
 * (borrowed; "lang" is set on it) inside the layout into out: the
 * dashboard (templates/owner.html), the sign-in form (owner_login.html),
 * the confirmation of a revocation (owner_revoke.html) or a new owner
 * token shown once (owner_token.html).  self (or NULL: the page's own
 * path) is the path and query the language switch links to.
 */
struct render_data;
struct render_obj;
enum pages_owner_page {
	PAGES_OWNER_LOGIN,
	PAGES_OWNER_DASHBOARD,
	PAGES_OWNER_REVOKE,
	PAGES_OWNER_TOKEN,
};
enum status pages_owner(enum pages_owner_page page, struct render_data *d,
			enum lang lang, const char *title, const char *self,
			struct buf *out, struct err *e);

/*
 * Sets on r the venue's record as the venue page shows it (the same
 * names as templates/venue.html: its labels, venue, name, address, the
 * state's values, server_fail, the list docs, newest first, of the page
 * before as for pages_venue, and the paging values paged, pages_text,
 * older and newest), from the venue's bundle b and its verification rep
 * (pages_venue_verified's, borrowed).  A setter's failure shows when r's
 * data is rendered.
 */
struct verify_report;
void pages_owner_record(const struct bundle *b, const struct verify_report *rep,
			enum lang lang, int64_t before, struct render_obj *r);

/* The values of a venue's settings as its newest venue entry gives them. */
struct pages_venue_values {
	char name[ENTRY_VALUE_MAX + 1];
	char address[ENTRY_VALUE_MAX + 1];
	int interval_days;
};

/*
 * Sets on r what the dashboard shows beside the record (pages_owner.c),
 * from the verification rep of venue's bundle (pages_venue_verified's,
 * borrowed): verdict ("fail", "expired", "late", "none" or "ok": a
 * customer's page's order of precedence) and the flag verdict_fail,
 * next_due (the words "Next sanitization due: <date>", "" when none or
 * when the record failed) and next_due_date (YYYY-MM-DD or ""), and the
 * poster links: papers (label), poster_langs (code, lname, cells: href,
 * plabel), poster_svg and poster_png; and the venue's values into *now.
 * r may be NULL (only *now is set).
 */
void pages_owner_state(const struct verify_report *rep, const char *venue,
		       enum lang lang, struct render_obj *r,
		       struct pages_venue_values *now);

/*
 * Sets on r the document of venue-seq seq for the confirmation of its
 * revocation: seq, title, type (its label), performed_h, expires_h ("" if
 * none) and provider.  ST_NOT_FOUND when the venue has no such document,
 * ST_CONFLICT when it is revoked already.
 */
enum status pages_owner_document(struct store *s, const char *venue,
				 int64_t seq, enum lang lang, const char *today,
				 struct render_obj *r, struct err *e);

/* Sets "t_<key>" to the words of each of keys[0..n) in lang (base/words.h).
 * Failures are kept in the data (render.h) and show at render_exec. */
void pages_set_labels(struct render_obj *o, const char *const *keys, size_t n,
		      enum lang lang);

/* The i-th document type (NULL past the last) and its label in lang,
 * for forms that offer them all. */
const char *pages_type_at(size_t i, enum lang lang, const char **label);

/*
 * The venue's bundle in the newest checkpoint (*b, new: bundle_free) and
 * its verification on today (YYYY-MM-DD) by the C verifier (*rep: free
 * it with verify_report_free, whatever the result): what the venue page,
 * the owner's dashboard and the feeds (feeds.h) show.  ST_NOT_FOUND when
 * the log has no such venue; store and verifier failures as they come.
 */
enum status pages_venue_verified(struct store *s, const char *venue,
				 const char *today, struct bundle **b,
				 struct verify_report *rep, struct err *e);

#endif
