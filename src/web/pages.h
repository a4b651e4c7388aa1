/*
 * pages.h: the HTML pages and static assets of the web service.
 *
 * Pages are rendered on the server (they read fine without JavaScript);
 * /assets/verify.js then checks the venue's bundle in the browser.  The
 * HTTP layer calls these and sends what they write; they do no I/O but
 * reading the store.
 */
#ifndef SANILOG_PAGES_H
#define SANILOG_PAGES_H

#include <stddef.h>

#include "core/buf.h"
#include "core/status.h"
#include "store/store.h"

/* Languages of the pages. */
enum page_lang { LANG_EN, LANG_IT };

/* The language an Accept-Language header (or NULL) asks for; a "lang"
 * query parameter (or NULL) overrides it. */
enum page_lang pages_lang(const char *accept_language, const char *query_lang);

/* The venue's page into out.  today is YYYY-MM-DD (UTC).  ST_NOT_FOUND
 * when the log has no such venue. */
enum status pages_venue(struct store *s, const char *venue, enum page_lang lang,
			const char *today, struct buf *out, struct err *e);

/* The home page: what the service is, and a venue lookup by id. */
enum status pages_index(enum page_lang lang, struct buf *out, struct err *e);

/* A static asset by its file name ("verify.js", "style.css"): its bytes
 * (borrowed, static) and media type.  NULL when there is no such asset. */
const unsigned char *pages_asset(const char *name, size_t *len,
				 const char **mime);

#endif
