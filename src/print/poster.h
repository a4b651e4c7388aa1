/*
 * poster.h: the printable poster of a venue (libqrencode + cairo).
 *
 * A poster is one page, A4, A5 or A6 portrait, as PDF, SVG or PNG:
 *   - the venue's name, large, shrunk or wrapped to fit the page;
 *   - the QR code of the venue URL with the pin of the log (core/pin.h):
 *     error correction level Q, a four-module quiet zone, drawn as vector
 *     squares in PDF and SVG and as whole pixels (an integer number of
 *     pixels a module, no antialiasing) in PNG;
 *   - the venue id under the code (people type it on the home page);
 *   - one line saying what the code shows, in English or Italian;
 *   - the host of the URL in plain text, so that a sticker pasted over the
 *     code is easy to notice.
 * Text is laid out by Pango (HarfBuzz shapes, FriBidi orders) in DejaVu
 * Sans (Debian's fonts-dejavu-core), and in whatever font fontconfig finds
 * for a script DejaVu lacks (README.md says which packages give which),
 * and is always kept inside the page's margins: a text is shrunk to fit
 * one line, else wrapped; a long name takes at most three lines, the last
 * ellipsized.  The PNG is 8-bit greyscale at POSTER_PNG_DPI, written by
 * libpng.
 *
 * Pango keeps one font map a thread (fonts loaded, shaping caches), so a
 * thread's second poster is much cheaper than its first; posters may be
 * rendered by several threads at once.
 *
 * Nothing here prints or exits; every function returns a status and says
 * why in e on failure, and writes its output only on success.
 */
#ifndef SANILOG_POSTER_H
#define SANILOG_POSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"
#include "core/buf.h"
#include "store/store.h"

#define POSTER_PNG_DPI	200
#define POSTER_MAX	(16u << 20) /* the largest poster rendered, in bytes */
#define POSTER_TEXT_MAX 1024	    /* the longest text on a poster, in bytes */

enum poster_format { POSTER_PDF, POSTER_SVG, POSTER_PNG };
enum poster_paper { POSTER_A4, POSTER_A5, POSTER_A6 };
enum poster_lang { POSTER_EN, POSTER_IT };

/* Names as the command line and the web server spell them: "pdf", "svg",
 * "png"; "a4", "a5", "a6"; "en", "it".  parse returns false for any other
 * text (out untouched). */
bool poster_format_parse(const char *s, enum poster_format *out);
bool poster_paper_parse(const char *s, enum poster_paper *out);
bool poster_lang_parse(const char *s, enum poster_lang *out);
const char *poster_format_str(enum poster_format f);

/* The media type of a format: "application/pdf", "image/svg+xml",
 * "image/png". */
const char *poster_format_mime(enum poster_format f);

/* Everything a poster shows, already worked out (all borrowed). */
struct poster_content {
	const char *url;   /* the QR code's text: venue URL and pin */
	const char *name;  /* the venue's name, UTF-8 */
	const char *host;  /* the host, printed in plain text */
	const char *venue; /* the venue id, printed under the code */
};

/*
 * Renders a poster of content c into out (appended; out's cap must allow
 * it, POSTER_MAX is always enough).  ST_INVALID when a text is not valid
 * UTF-8 (utf8.h) of at most POSTER_TEXT_MAX bytes or the URL does not fit a QR
 * code; ST_NOMEM, ST_TOO_LARGE or ST_INTERNAL (a cairo error) otherwise.  On
 * failure out is unaltered.
 */
enum status poster_render(const struct poster_content *c,
			  enum poster_format format, enum poster_paper paper,
			  enum poster_lang lang, struct buf *out,
			  struct err *e);

/*
 * Works out a venue's poster text from the store: the newest kept
 * checkpoint gives the pin's size and root, meta "vkey" its key; the
 * venue URL is base_url (or, when base_url is NULL, meta "base_url")
 * followed by "/v/<venue>#<pin>".  url receives the QR code's text (at
 * least PIN_URL_MAX + 1 bytes), name the newest venue name
 * (ENTRY_VALUE_MAX + 1 bytes), host the URL's host (PIN_HOST_MAX + 1).
 * ST_NOT_FOUND when the venue has no entry in that checkpoint; ST_INVALID
 * when no base URL is known (e says to pass --base-url) or it is not an
 * http(s) URL; store errors as they come.
 */
enum status poster_content_load(struct store *s, const char *venue,
				const char *base_url, char *url, size_t urlsize,
				char *name, size_t namesize, char *host,
				size_t hostsize, struct err *e);

/*
 * The whole job, for the command line and the web server: loads the
 * venue's content (poster_content_load) and renders it (poster_render)
 * into out.  base_url may be NULL (the store's).  The store is only read.
 */
enum status poster_make(struct store *s, const char *venue,
			enum poster_format format, enum poster_paper paper,
			enum poster_lang lang, const char *base_url,
			struct buf *out, struct err *e);

#endif
