/*
 * pages_private.h: what the files of the pages (pages.h) share and
 * nothing else sees.  pages.c renders the frame of every page (the
 * layout) and the home, error and owner's pages; pages_record.c the
 * venue's record (its bundle exported and verified) as the venue page and
 * the owner's dashboard show it; pages_words.c the languages and the
 * words made from values; pages_assets.c loads the templates and the
 * assets and serves them.
 */
#ifndef SANILOG_PAGES_PRIVATE_H
#define SANILOG_PAGES_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "base/status.h"
#include "web/pages.h"
#include "web/render.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The templates (pages_assets.c names their files). */
enum tmpl {
	T_LAYOUT,
	T_VENUE,
	T_INDEX,
	T_ERROR,
	T_OWNER_LOGIN,
	T_OWNER,
	T_OWNER_REVOKE,
	T_OWNER_TOKEN,
	T__COUNT
};

/* ---- pages_assets.c ---- */

/* The compiled template t: the loaded one (borrowed), or one compiled now
 * from the embedded text into *owned (the caller frees it). */
enum status pages_tmpl(enum tmpl t, const struct render_tmpl **out,
		       struct render_tmpl **owned, struct err *e);

/* ---- pages.c ---- */

/*
 * Renders tmpl with d into a body, then the layout around it into out.
 * self is the page's path, with the query that chose what it shows (not
 * lang), for the language switch link.
 */
enum status pages_render(enum tmpl which, struct render_data *d, enum lang lang,
			 const char *title, const char *self, bool verify,
			 struct buf *out, struct err *e);

/* ---- pages_words.c ---- */

/* A document type's label in lang (the type itself when unknown). */
const char *pages_type_label(const char *type, enum lang lang);
/* "20 November 2026" (full) or "20 Nov 2026"; d itself when it is not a
 * date. */
void pages_human_date(char *out, size_t size, const char *d, bool full,
		      enum lang lang);
/* "today", "yesterday", "5 days ago"; for a date after today, "on <date>". */
void pages_human_ago(char *out, size_t size, int64_t days, const char *date,
		     enum lang lang);
/* "512 B", "1.5 kB", "12 MB" (a decimal comma in Italian). */
void pages_human_bytes(char *out, size_t size, int64_t n, enum lang lang);
/* "PDF", "PNG", "JPEG"; mime itself for any other. */
const char *pages_mime_label(const char *mime);

#endif
