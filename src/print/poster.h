/*
 * poster.h: the printable poster of a venue (libqrencode + cairo).
 *
 * A poster is one portrait page, A4, A5, A6 (for a table stand) or US
 * Letter, as PDF, SVG or PNG, in one of the languages of the pages
 * (base/words.h; its words are lang/<code>.txt's "poster_" keys):
 *   - a heading saying what it is, in its language and in English
 *     ("Registro sanificazioni · Sanitization record"; once in English);
 *   - the venue's name, large, and its address;
 *   - the QR code of the venue URL with the pin of the log (core/pin.h):
 *     error correction level Q, a four-module quiet zone, drawn as vector
 *     squares in PDF and SVG and as whole pixels (an integer number of
 *     pixels a module, no antialiasing) in PNG;
 *   - the labelled venue id under the code ("Venue code: k7m2q9xa");
 *   - one line saying what the code shows;
 *   - one for people without a camera: "Go to <site> and enter code
 *     <venue>", where site is the server's public URL without its scheme,
 *     so that a sticker pasted over the code is also easy to notice.
 * Text is laid out by Pango (HarfBuzz shapes, FriBidi orders) in DejaVu
 * Sans (Debian's fonts-dejavu-core), and in whatever font fontconfig finds
 * for a script DejaVu lacks (README.md says which packages give which),
 * and is always kept inside its box on the page (poster_layout): a text is
 * shrunk to fit one line, else wrapped; a long name takes at most three
 * lines, the last ellipsized.  The PNG is 8-bit greyscale at
 * POSTER_PNG_DPI, written by libpng.
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
#include "base/words.h"
#include "core/buf.h"
#include "store/export.h" /* struct export_poster: plain data */

#define POSTER_PNG_DPI	200
#define POSTER_MAX	(16u << 20) /* the largest poster rendered, in bytes */
#define POSTER_TEXT_MAX 1024	    /* the longest text on a poster, in bytes */

enum poster_format { POSTER_PDF, POSTER_SVG, POSTER_PNG };
enum poster_paper { POSTER_A4, POSTER_A5, POSTER_A6, POSTER_LETTER };
/* Names as the command line and the web server spell them: "pdf", "svg",
 * "png"; "a4", "a5", "a6", "letter" (a language is base/words.h's
 * lang_parse).  parse returns false for any other text (out untouched). */
bool poster_format_parse(const char *s, enum poster_format *out);
bool poster_paper_parse(const char *s, enum poster_paper *out);
const char *poster_format_str(enum poster_format f);
const char *poster_paper_str(enum poster_paper p);

/* The media type of a format: "application/pdf", "image/svg+xml",
 * "image/png". */
const char *poster_format_mime(enum poster_format f);

/* Everything a poster shows, already worked out (all borrowed). */
struct poster_content {
	const char *url;     /* the QR code's text: venue URL and pin */
	const char *name;    /* the venue's name, UTF-8 */
	const char *address; /* its address, UTF-8; NULL or "": none shown */
	const char *site;    /* where to type the code: "host[/path]" */
	const char *venue;   /* the venue id, printed under the code */
};

/* A rectangle on the page, in points from its top left corner. */
struct poster_rect {
	double x, y, w, h;
};

/* The texts of a poster, in the order they are laid out. */
enum poster_text {
	POSTER_T_HEADING,
	POSTER_T_NAME,
	POSTER_T_ADDRESS,
	POSTER_T_CODE,
	POSTER_T_SCAN,
	POSTER_T_GO,
	POSTER_T__COUNT
};

/* Where everything on a poster falls. */
struct poster_layout {
	double w, h;	       /* the page, in points */
	struct poster_rect qr; /* the code's square, quiet zone included */
	struct poster_rect text[POSTER_T__COUNT];	  /* each text's ink and
							     logical extents; 0 x 0
							     when not drawn */
	char words[POSTER_T__COUNT][POSTER_TEXT_MAX * 2]; /* each text */
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
			  enum lang lang, struct buf *out, struct err *e);

/*
 * Lays out the poster poster_render would draw (the same checks, the
 * same fonts and sizes) into *out, without drawing it.  For tests and
 * tools that check that nothing leaves the page.
 */
enum status poster_layout(const struct poster_content *c,
			  enum poster_paper paper, enum lang lang,
			  struct poster_layout *out, struct err *e);

/*
 * The venue URL of the QR code of the poster of p (borrowed: what the
 * store's export read, export.h's export_poster): p->base_url followed by
 * "/v/<venue>#<pin>", the pin of p's key and checkpoint (pin.h), into url
 * (at least PIN_URL_MAX + 1 bytes), and that URL's host into host
 * (PIN_HOST_MAX + 1).  ST_INVALID when the URL does not read back as a
 * venue URL, ST_TOO_LARGE when it does not fit.
 */
enum status poster_url(const struct export_poster *p, char *url, size_t urlsize,
		       char *host, size_t hostsize, struct err *e);

/*
 * The whole job, for the command line and the web server, once the
 * caller has read p from the store (export_poster): the venue URL
 * (poster_url) and the poster of it, p's name, address and venue id, and
 * p's base URL without its scheme as the site (poster_render) into out.
 */
enum status poster_make(const struct export_poster *p,
			enum poster_format format, enum poster_paper paper,
			enum lang lang, struct buf *out, struct err *e);

#endif
