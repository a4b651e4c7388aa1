/*
 * poster.c: a venue's poster as PDF, SVG or PNG (see poster.h).
 *
 * The page is laid out in points, top to bottom, in bands whose heights
 * are fractions of the page's height (one set of proportions serves A4,
 * A5 and A6, all of ratio sqrt 2, and Letter, shorter for its width):
 * the heading and a rule under it, the name, the address, the QR code
 * (as wide as 0.76 of the page, less where the page is too short for
 * that and the texts under it), then the venue code, the line saying what
 * the code shows, and the line for people without a camera.  Every text
 * is laid out by Pango on the page's cairo surface (HarfBuzz shapes it,
 * FriBidi orders right-to-left runs, fontconfig finds a font for the
 * scripts DejaVu Sans lacks) and fitted into its band, inside the page's
 * margins: the largest size at which it takes one line, else a few lines
 * broken between words, else broken anywhere, else ellipsized (see
 * struct box).  So no text ever leaves its box, whatever its length or
 * script (poster_layout reports the boxes, test_poster checks them).
 * Glyph positions are not hinted, so that the PDF, the SVG and the PNG
 * break their lines alike.
 *
 * The PNG is drawn into an 8-bit alpha surface with inverted sense (paper
 * is alpha 1, ink clears it), a third of the bytes of RGB to compress,
 * with the QR modules as whole pixels drawn without antialiasing; libpng
 * writes that plane as an 8-bit greyscale PNG, with a filter and a zlib
 * strategy chosen for flat areas (png_encode).
 */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <png.h>
#include <qrencode.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/entry.h"
#include "core/note.h"
#include "core/pin.h"
#include "core/utf8.h"
#include "print/poster.h"
#include "store/export.h"

#define FONT_SANS "DejaVu Sans"
#define FONT_BOLD "DejaVu Sans Bold"
#define FONT_MONO "DejaVu Sans Mono"
#define QUIET	  4 /* modules of white around the code */

/*
 * The PNG's row filter and zlib level, beside the Z_RLE strategy: libpng
 * and zlib writing an A4 poster (1654 x 2339 pixels, one short name), in
 * process, the best of 15 runs:
 *   Up, Z_RLE (level 1 or 9 alike)        7.4 ms  42 KB
 *   None, Z_RLE                           6.2 ms  65 KB
 *   Sub, Z_RLE                            9.4 ms  84 KB
 *   Up, default strategy, level 1        12.0 ms  52 KB
 *   all five, adaptive, level 6          29.9 ms  29 KB (libpng's and
 *                                                 cairo's defaults)
 * None is the fastest: with Pango's layout the whole PNG command is close
 * to the 50 ms a poster may take, and Up's third fewer bytes cost 1.2 ms.
 */
#define POSTER_PNG_LEVEL   1
#define POSTER_PNG_FILTERS PNG_FILTER_NONE

/* ---- names ---- */

static const char *const format_names[] = {"pdf", "svg", "png"};
static const char *const paper_names[] = {"a4", "a5", "a6", "letter"};

static int find_name(const char *const *names, int n, const char *s)
{
	for (int i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

bool poster_format_parse(const char *s, enum poster_format *out)
{
	int i = find_name(format_names, 3, s);
	if (i >= 0)
		*out = (enum poster_format)i;
	return i >= 0;
}

bool poster_paper_parse(const char *s, enum poster_paper *out)
{
	int i = find_name(paper_names, 4, s);
	if (i >= 0)
		*out = (enum poster_paper)i;
	return i >= 0;
}

const char *poster_format_str(enum poster_format f)
{
	return (unsigned)f < 3 ? format_names[f] : "?";
}

const char *poster_paper_str(enum poster_paper p)
{
	return (unsigned)p < 4 ? paper_names[p] : "?";
}

const char *poster_format_mime(enum poster_format f)
{
	switch (f) {
	case POSTER_PDF:
		return "application/pdf";
	case POSTER_SVG:
		return "image/svg+xml";
	case POSTER_PNG:
		return "image/png";
	}
	return "application/octet-stream";
}

/* ---- text, laid out by Pango ---- */

/*
 * How a text is fitted into its box (all in points), in this order of
 * preference: one line at the largest size up to size_max, if that is at
 * least size_one; else up to `lines` lines broken between words, at the
 * largest of a series of sizes 7% apart down to size_min; else up to
 * `lines` lines broken anywhere Pango may (between graphemes, with a
 * hyphen), down to size_floor; else `lines` lines at size_floor, the last
 * one ellipsized.  A fitted text never leaves its box.
 */
struct box {
	double w, h;
	double size_max, size_one, size_min, size_floor;
	int lines;
};

/* The extents of layout l, ink and logical together, in Pango units. */
static PangoRectangle layout_box(PangoLayout *l)
{
	PangoRectangle ink, log;
	pango_layout_get_extents(l, &ink, &log);
	if (ink.width == 0 || ink.height == 0)
		return log;
	int x0 = ink.x < log.x ? ink.x : log.x;
	int y0 = ink.y < log.y ? ink.y : log.y;
	int x1 = ink.x + ink.width > log.x + log.width ? ink.x + ink.width
						       : log.x + log.width;
	int y1 = ink.y + ink.height > log.y + log.height ? ink.y + ink.height
							 : log.y + log.height;
	return (PangoRectangle){x0, y0, x1 - x0, y1 - y0};
}

static void set_size(PangoLayout *l, PangoFontDescription *font, double size)
{
	pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
	pango_layout_set_font_description(l, font);
}

/* Sets l at `size`, wrapped by `wrap` to b's width; whether it fits the
 * box in at most `lines` lines. */
static bool try_size(PangoLayout *l, PangoFontDescription *font,
		     const struct box *b, double size, PangoWrapMode wrap,
		     int lines)
{
	set_size(l, font, size);
	pango_layout_set_wrap(l, wrap);
	if (pango_layout_get_line_count(l) > lines)
		return false;
	PangoRectangle r = layout_box(l);
	return r.x >= 0 && r.x + r.width <= b->w * PANGO_SCALE &&
	       r.height <= b->h * PANGO_SCALE;
}

/*
 * Each size tried costs a font of that size (a fontconfig match and a
 * HarfBuzz font), so the sizes are worked out from the text's extent on
 * one line at size_max, which scales with the size (glyph positions are
 * not hinted): the size at which it just fills the box's width, and the
 * largest at which `lines` lines could hold it (10% to spare for the
 * spaces a break removes).  A name that fits one line is set by two
 * layouts.
 */
static void fit(PangoLayout *l, PangoFontDescription *font, const struct box *b)
{
	pango_layout_set_width(l, -1);
	set_size(l, font, b->size_max);
	PangoRectangle r = layout_box(l);
	double w1 = (double)r.width / PANGO_SCALE,
	       h1 = (double)r.height / PANGO_SCALE;
	if (w1 <= 0 || h1 <= 0)
		return; /* nothing to set */
	pango_layout_set_width(l, (int)(b->w * PANGO_SCALE));
	pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
	double one = b->size_max * fmin(1, fmin(b->w / w1, b->h / h1)) * 0.995;
	if (one >= b->size_one && try_size(l, font, b, one, PANGO_WRAP_WORD, 1))
		return;
	double top = b->size_max * fmin(1, 1.1 * fmin(b->lines * b->w / w1,
						      b->h / (b->lines * h1)));
	/* Sizes down from top by 7% a step: top * 0.93^k. */
	for (int k = 0; top * pow(0.93, k) >= b->size_min; k++)
		if (try_size(l, font, b, top * pow(0.93, k), PANGO_WRAP_WORD,
			     b->lines))
			return;
	for (int k = 0; top * pow(0.93, k) >= b->size_floor; k++)
		if (try_size(l, font, b, top * pow(0.93, k),
			     PANGO_WRAP_WORD_CHAR, b->lines))
			return;
	pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	pango_layout_set_height(l, -b->lines);
	try_size(l, font, b, b->size_floor, PANGO_WRAP_WORD_CHAR, b->lines);
}

/*
 * Sets text in family (a Pango font description such as "DejaVu Sans
 * Bold"), with attrs (or NULL) over parts of it, fitted to box b, and
 * draws it centred on (cx, cy).  Where its ink and logical extents fall
 * on the page goes into *at.
 */
static void draw_text(cairo_t *cr, PangoContext *ctx, const char *text,
		      PangoAttrList *attrs, const char *family,
		      const struct box *b, double cx, double cy,
		      struct poster_rect *at)
{
	PangoLayout *l = pango_layout_new(ctx);
	PangoFontDescription *font = pango_font_description_from_string(family);
	pango_layout_set_text(l, text, -1);
	if (attrs != NULL)
		pango_layout_set_attributes(l, attrs);
	fit(l, font, b);
	PangoRectangle r = layout_box(l);
	double x = cx - b->w / 2,
	       y = cy - ((double)r.y + r.height / 2.0) / PANGO_SCALE;
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, l);
	*at = (struct poster_rect){
		x + (double)r.x / PANGO_SCALE, y + (double)r.y / PANGO_SCALE,
		(double)r.width / PANGO_SCALE, (double)r.height / PANGO_SCALE};
	pango_font_description_free(font);
	g_object_unref(l);
}

/* ---- the texts ---- */

/* Adds attribute a over bytes [start, end) of a text to list. */
static void attr_over(PangoAttrList *list, PangoAttribute *a, size_t start,
		      size_t end)
{
	a->start_index = (guint)start;
	a->end_index = (guint)end;
	pango_attr_list_insert(list, a);
}

/*
 * The heading into out: the poster's words for what it is, in bold, then
 * " · " and the English words when the poster is not in English.
 */
static bool heading_text(char *out, size_t size, enum lang lang,
			 PangoAttrList *attrs)
{
	const char *own = word(lang, "poster_heading");
	int n = lang == LANG_EN ? snprintf(out, size, "%s", own)
				: snprintf(out, size, "%s \xc2\xb7 %s", own,
					   word(LANG_EN, "poster_heading"));
	attr_over(attrs, pango_attr_weight_new(PANGO_WEIGHT_BOLD), 0,
		  strlen(own));
	return n >= 0 && (size_t)n < size;
}

/*
 * The words of key in lang into out, with {host} replaced by site, in
 * bold, and {code} by venue, in bold monospace (attributes into attrs).
 * The values are put in after the words are looked up, so that the
 * attributes cover exactly them.  False when out is too small.
 */
static bool words_with_code(char *out, size_t size, enum lang lang,
			    const char *key, const char *site,
			    const char *venue, PangoAttrList *attrs)
{
	char tmp[POSTER_TEXT_MAX];
	size_t n = wordf(tmp, sizeof tmp, lang, key, "host", "\x01", "code",
			 "\x02", WORDS_END);
	if (n >= sizeof tmp)
		return false;
	size_t len = 0;
	for (const char *p = tmp; *p != 0; p++) {
		const char *v = *p == 1 ? site : *p == 2 ? venue : NULL;
		size_t vl = v != NULL ? strlen(v) : 1;
		if (len + vl >= size)
			return false;
		memcpy(out + len, v != NULL ? v : p, vl);
		if (v != NULL) {
			attr_over(attrs,
				  pango_attr_weight_new(PANGO_WEIGHT_BOLD), len,
				  len + vl);
			if (*p == 2)
				attr_over(attrs,
					  pango_attr_family_new(FONT_MONO), len,
					  len + vl);
		}
		len += vl;
	}
	out[len] = 0;
	return true;
}

/* ---- the page ---- */

static const double paper_pt[][2] = {
	{595.276, 841.890}, /* A4: 210 x 297 mm */
	{419.528, 595.276}, /* A5: 148 x 210 mm */
	{297.638, 419.528}, /* A6: 105 x 148 mm */
	{612.000, 792.000}, /* US Letter: 8.5 x 11 in */
};

/* Paints the QR code: side (points) at (x, y).  In pixel mode the page is
 * in pixels at `scale` per point and every module is a whole number of
 * pixels, drawn without antialiasing. */
static void draw_qr(cairo_t *cr, const QRcode *qr, double x, double y,
		    double side, bool pixels, double scale)
{
	int total = qr->width + 2 * QUIET;
	double m = side / total;
	cairo_save(cr);
	if (pixels) {
		cairo_identity_matrix(cr);
		double px = floor(side * scale / total);
		if (px < 1)
			px = 1;
		double cx = (x + side / 2) * scale, cy = (y + side / 2) * scale;
		x = round(cx - px * total / 2);
		y = round(cy - px * total / 2);
		m = px;
		cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
	}
	for (int r = 0; r < qr->width; r++) {
		const unsigned char *row = qr->data + (size_t)r * qr->width;
		for (int c = 0; c < qr->width;) {
			if (!(row[c] & 1)) {
				c++;
				continue;
			}
			int s = c;
			while (c < qr->width && (row[c] & 1))
				c++;
			cairo_rectangle(cr, x + (s + QUIET) * m,
					y + (r + QUIET) * m, (c - s) * m, m);
		}
	}
	cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
	cairo_fill(cr);
	cairo_restore(cr);
}

/* ---- PNG, written by libpng ---- */

struct png_sink {
	struct buf *b;
	enum status st;
	const char *why; /* libpng's message on its error */
};

static void png_put(png_structp png, png_bytep data, size_t len)
{
	struct png_sink *s = png_get_io_ptr(png);
	if ((s->st = buf_append(s->b, data, len)) != ST_OK)
		png_error(png, status_str(s->st));
}

static void png_flush_none(png_structp png)
{
	(void)png;
}

static void png_fail(png_structp png, png_const_charp msg)
{
	struct png_sink *s = png_get_error_ptr(png);
	s->why = msg;
	png_longjmp(png, 1);
}

static void png_warn_none(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* libpng's part of png_encode: false when libpng failed (sink says why).
 * Kept apart so that no variable of png_encode lives across setjmp. */
static bool png_rows(png_structp png, png_infop info, const uint8_t *px, int w,
		     int h, int stride, int dpi)
{
	if (setjmp(png_jmpbuf(png)))
		return false;
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
		     PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_uint_32 ppm = (png_uint_32)(dpi / 0.0254 + 0.5);
	png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, POSTER_PNG_FILTERS);
	png_set_compression_level(png, POSTER_PNG_LEVEL);
	png_set_compression_strategy(png, Z_RLE);
	png_write_info(png, info);
	for (int y = 0; y < h; y++)
		png_write_row(png, px + (size_t)y * (size_t)stride);
	png_write_end(png, info);
	return true;
}

/*
 * Appends the w x h grey plane px (rows `stride` bytes apart) to out as an
 * 8-bit greyscale PNG of dpi pixels an inch (pHYs, so that it prints at its
 * size).  A poster is flat grey in long runs, so the rows are filtered
 * and deflated as POSTER_PNG_FILTERS and POSTER_PNG_LEVEL say, with zlib's
 * Z_RLE strategy, which looks for runs only.  On failure out may hold part
 * of the PNG (poster_render writes into a buffer of its own).
 */
static enum status png_encode(const uint8_t *px, int w, int h, int stride,
			      int dpi, struct buf *out, struct err *e)
{
	struct png_sink sink = {out, ST_OK, "out of memory"};
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink,
						  png_fail, png_warn_none);
	png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
	if (info == NULL) {
		png_destroy_write_struct(&png, NULL);
		return err_set(e, ST_NOMEM, "poster: PNG: out of memory");
	}
	png_set_write_fn(png, &sink, png_put, png_flush_none);
	bool ok = png_rows(png, info, px, w, h, stride, dpi);
	png_destroy_write_struct(&png, &info);
	if (!ok)
		return err_set(e, sink.st != ST_OK ? sink.st : ST_INTERNAL,
			       "poster: PNG: %s", sink.why);
	return ST_OK;
}

static cairo_status_t write_buf(void *closure, const unsigned char *data,
				unsigned int len)
{
	return buf_append(closure, data, len) == ST_OK
		       ? CAIRO_STATUS_SUCCESS
		       : CAIRO_STATUS_WRITE_ERROR;
}

/*
 * The bands of the page, as fractions of its height H (the code's side,
 * and the sizes of the texts, as fractions of its width W).  From the
 * top: 3.5% blank; the heading; a rule; the name, up to three lines; the
 * address, up to two; the code; and under it the venue code, the line
 * saying what the code shows and the one for people without a camera,
 * ending 3.5% above the bottom.  The code is 0.76 W wide where the page
 * is tall enough (the sqrt 2 papers), else as wide as the height left.
 */
#define TOP	  0.035 /* the heading's band begins */
#define HEADING_H 0.045
#define RULE_Y	  0.088
#define NAME_Y	  0.095
#define NAME_H	  0.100
#define ADDRESS_Y 0.200
#define ADDRESS_H 0.040
#define QR_Y	  0.245
#define QR_W	  0.76	/* of W, at most */
#define GAP	  0.005 /* between the bands under the code */
#define CODE_H	  0.035
#define SCAN_Y	  (CODE_H + GAP) /* under the code */
#define SCAN_H	  0.060
#define GO_Y	  (SCAN_Y + SCAN_H + GAP)
#define GO_H	  0.065
#define BOTTOM	  0.965 /* the last band ends */
#define MARGIN	  0.08	/* of W, each side */

/*
 * Each text's band: its font, its top (a fraction of H from the top of
 * the page, or from the bottom of the code), its height (of H), its sizes
 * (of W: largest, least on one line, least wrapped, floor; struct box)
 * and its most lines.
 */
static const struct band {
	const char *family;
	bool under_code;
	double y, h;
	int lines;
	double size[4];
} bands[POSTER_T__COUNT] = {
	/* POSTER_T_HEADING, POSTER_T_NAME, POSTER_T_ADDRESS: */
	{FONT_SANS, false, TOP, HEADING_H, 2, {.040, .030, .025, .020}},
	{FONT_BOLD, false, NAME_Y, NAME_H, 3, {.085, .060, .035, .030}},
	{FONT_SANS, false, ADDRESS_Y, ADDRESS_H, 2, {.035, .028, .022, .018}},
	/* POSTER_T_CODE, POSTER_T_SCAN, POSTER_T_GO: */
	{FONT_SANS, true, 0, CODE_H, 1, {.040, .030, .020, .012}},
	{FONT_SANS, true, SCAN_Y, SCAN_H, 2, {.042, .032, .025, .020}},
	{FONT_SANS, true, GO_Y, GO_H, 3, {.036, .030, .024, .015}},
};

/*
 * Lays out and draws the page on cr, whose user space is in points, and
 * says where each part of it fell in *lay (whose words it fills).
 * ST_INVALID when a text does not fit its buffer (never within the limits
 * poster_render checks).
 */
static enum status draw_page(cairo_t *cr, const struct poster_content *c,
			     const QRcode *qr, double W, double H,
			     enum lang lang, bool pixels, double scale,
			     struct poster_layout *lay, struct err *e)
{
	double margin = MARGIN * W, tw = W - 2 * margin;
	char(*t)[sizeof lay->words[0]] = lay->words;
	PangoAttrList *attrs[POSTER_T__COUNT];
	for (int i = 0; i < POSTER_T__COUNT; i++)
		attrs[i] = pango_attr_list_new();
	memset(lay->text, 0, sizeof lay->text);
	lay->w = W;
	lay->h = H;
	bool fits =
		heading_text(t[POSTER_T_HEADING], sizeof t[0], lang,
			     attrs[POSTER_T_HEADING]) &&
		snprintf(t[POSTER_T_NAME], sizeof t[0], "%s", c->name) <
			(int)sizeof t[0] &&
		snprintf(t[POSTER_T_ADDRESS], sizeof t[0], "%s",
			 c->address != NULL ? c->address : "") <
			(int)sizeof t[0] &&
		words_with_code(t[POSTER_T_CODE], sizeof t[0], lang,
				"poster_code", c->site, c->venue,
				attrs[POSTER_T_CODE]) &&
		snprintf(t[POSTER_T_SCAN], sizeof t[0], "%s",
			 word(lang, "poster_scan")) < (int)sizeof t[0] &&
		words_with_code(t[POSTER_T_GO], sizeof t[0], lang, "poster_go",
				c->site, c->venue, attrs[POSTER_T_GO]);
	if (!fits) {
		for (int i = 0; i < POSTER_T__COUNT; i++)
			pango_attr_list_unref(attrs[i]);
		return err_set(e, ST_INVALID, "poster: a text is too long");
	}

	PangoContext *ctx = pango_cairo_create_context(cr);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(ctx, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_round_glyph_positions(ctx, FALSE);
	pango_context_set_language(ctx,
				   pango_language_from_string(lang_code(lang)));

	/* Paper: white (in pixel mode, alpha 1 on the inverted surface). */
	cairo_set_source_rgba(cr, 1, 1, 1, 1);
	cairo_paint(cr);
	if (pixels)
		cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
	cairo_set_source_rgb(cr, 0, 0, 0);

	/* The code's side, and the top of the bands under it. */
	double side = fmin(QR_W * W, (BOTTOM - QR_Y - GO_Y - GO_H - GAP) * H);
	double below = QR_Y * H + side + GAP * H;
	for (int i = 0; i < POSTER_T__COUNT; i++) {
		const struct band *d = &bands[i];
		struct box b = {tw,
				d->h * H,
				d->size[0] * W,
				d->size[1] * W,
				d->size[2] * W,
				d->size[3] * W,
				d->lines};
		double top = d->under_code ? below + d->y * H : d->y * H;
		if (t[i][0] != 0)
			draw_text(cr, ctx, t[i], attrs[i], d->family, &b, W / 2,
				  top + b.h / 2, &lay->text[i]);
	}

	/* A thin rule under the heading. */
	cairo_set_line_width(cr, 0.003 * W);
	cairo_move_to(cr, margin, RULE_Y * H);
	cairo_line_to(cr, W - margin, RULE_Y * H);
	cairo_stroke(cr);

	/* The code, centred. */
	lay->qr = (struct poster_rect){(W - side) / 2, QR_Y * H, side, side};
	if (qr != NULL)
		draw_qr(cr, qr, lay->qr.x, lay->qr.y, side, pixels, scale);

	for (int i = 0; i < POSTER_T__COUNT; i++)
		pango_attr_list_unref(attrs[i]);
	g_object_unref(ctx);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		return err_set(e, ST_INTERNAL, "poster: cairo: %s",
			       cairo_status_to_string(cairo_status(cr)));
	return ST_OK;
}

/* poster_render's checks of what it is given, and the QR code of c's
 * URL into *qr (new). */
static enum status check_content(const struct poster_content *c,
				 enum poster_paper paper, enum lang lang,
				 QRcode **qr, struct err *e)
{
	if ((unsigned)paper > POSTER_LETTER || (unsigned)lang >= LANG__COUNT)
		return err_set(e, ST_INVALID,
			       "poster: unknown paper or language");
	if (c->url == NULL || c->name == NULL || c->site == NULL ||
	    c->venue == NULL || strlen(c->url) > PIN_URL_MAX)
		return err_set(e, ST_INVALID, "poster: missing or long text");
	const char *texts[] = {c->name, c->address != NULL ? c->address : "",
			       c->site, c->venue};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (strlen(texts[i]) > POSTER_TEXT_MAX ||
		    !utf8_valid(texts[i], strlen(texts[i])))
			return err_set(e, ST_INVALID,
				       "poster: a text is not valid UTF-8 of "
				       "at most %d bytes",
				       POSTER_TEXT_MAX);
	*qr = QRcode_encodeString(c->url, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);
	if (*qr == NULL)
		return err_set(e, ST_INVALID,
			       "poster: the URL does not fit a QR code");
	return ST_OK;
}

enum status poster_layout(const struct poster_content *c,
			  enum poster_paper paper, enum lang lang,
			  struct poster_layout *out, struct err *e)
{
	QRcode *qr = NULL;
	enum status r = check_content(c, paper, lang, &qr, e);
	if (r != ST_OK)
		return r;
	double W = paper_pt[paper][0], H = paper_pt[paper][1];
	cairo_rectangle_t page = {0, 0, W, H};
	cairo_surface_t *sf =
		cairo_recording_surface_create(CAIRO_CONTENT_ALPHA, &page);
	cairo_t *cr = cairo_create(sf);
	r = draw_page(cr, c, qr, W, H, lang, false, 1, out, e);
	cairo_destroy(cr);
	cairo_surface_destroy(sf);
	QRcode_free(qr);
	return r;
}

enum status poster_render(const struct poster_content *c,
			  enum poster_format format, enum poster_paper paper,
			  enum lang lang, struct buf *out, struct err *e)
{
	if ((unsigned)format > POSTER_PNG)
		return err_set(e, ST_INVALID, "poster: unknown format");
	QRcode *qr = NULL;
	enum status r = check_content(c, paper, lang, &qr, e);
	if (r != ST_OK)
		return r;
	struct poster_layout *lay = malloc(sizeof *lay);
	if (lay == NULL) {
		QRcode_free(qr);
		return err_set(e, ST_NOMEM, "poster: out of memory");
	}
	double W = paper_pt[paper][0], H = paper_pt[paper][1];
	double scale = POSTER_PNG_DPI / 72.0;
	struct buf tmp;
	buf_init(&tmp, out->cap > out->len ? out->cap - out->len : 0);
	cairo_surface_t *sf;
	switch (format) {
	case POSTER_PDF:
		sf = cairo_pdf_surface_create_for_stream(write_buf, &tmp, W, H);
		cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE,
					       c->name);
		cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR,
					       "sanilog");
		break;
	case POSTER_SVG:
		sf = cairo_svg_surface_create_for_stream(write_buf, &tmp, W, H);
		cairo_svg_surface_set_document_unit(sf, CAIRO_SVG_UNIT_PT);
		break;
	default:
		sf = cairo_image_surface_create(CAIRO_FORMAT_A8,
						(int)ceil(W * scale),
						(int)ceil(H * scale));
		break;
	}
	cairo_t *cr = cairo_create(sf);
	if (format == POSTER_PNG)
		cairo_scale(cr, scale, scale);
	r = draw_page(cr, c, qr, W, H, lang, format == POSTER_PNG, scale, lay,
		      e);
	cairo_destroy(cr);
	QRcode_free(qr);
	free(lay);
	if (r == ST_OK && format == POSTER_PNG) {
		cairo_surface_flush(sf);
		r = png_encode(cairo_image_surface_get_data(sf),
			       cairo_image_surface_get_width(sf),
			       cairo_image_surface_get_height(sf),
			       cairo_image_surface_get_stride(sf),
			       POSTER_PNG_DPI, &tmp, e);
	}
	cairo_surface_finish(sf);
	cairo_status_t cs = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	if (r == ST_OK && cs != CAIRO_STATUS_SUCCESS)
		r = err_set(e,
			    cs == CAIRO_STATUS_WRITE_ERROR ? ST_TOO_LARGE
							   : ST_INTERNAL,
			    "poster: %s: %s", poster_format_str(format),
			    cairo_status_to_string(cs));
	if (r == ST_OK && (r = buf_append(out, tmp.data, tmp.len)) != ST_OK)
		err_set(e, r, "poster: %s", status_str(r));
	buf_free(&tmp);
	return r;
}

/* ---- from the export's data ---- */

/* The poster's texts are the export's (export.h). */

enum status poster_url(const struct export_poster *p, char *url, size_t urlsize,
		       char *host, size_t hostsize, struct err *e)
{
	struct pin pin;
	struct venue_url *vu = NULL;
	enum status r;

	pin_make(p->vkey, strlen(p->vkey), p->size, p->root, &pin);
	if ((r = pin_venue_url(p->base_url, p->venue, &pin, url, urlsize, e)) !=
	    ST_OK)
		goto done;
	/* Read it back as a scanner will: the host, and a self-check. */
	if ((vu = malloc(sizeof *vu)) == NULL) {
		r = err_set(e, ST_NOMEM, "out of memory");
		goto done;
	}
	if ((r = pin_parse_venue_url(url, vu, e)) != ST_OK) {
		err_prefix(e, "base URL %s", p->base_url);
		goto done;
	}
	if (strlen(vu->host) >= hostsize) {
		r = err_set(e, ST_TOO_LARGE, "host: too long");
		goto done;
	}
	memcpy(host, vu->host, strlen(vu->host) + 1);
done:
	free(vu);
	return r;
}

enum status poster_make(const struct export_poster *p,
			enum poster_format format, enum poster_paper paper,
			enum lang lang, struct buf *out, struct err *e)
{
	char url[PIN_URL_MAX + 1], host[PIN_HOST_MAX + 1];
	enum status r = poster_url(p, url, sizeof url, host, sizeof host, e);
	if (r != ST_OK)
		return r;
	/* The base URL as export_poster checked it: a scheme, no trailing
	 * slash. */
	const char *site = strstr(p->base_url, "://");
	struct poster_content c = {.url = url,
				   .name = p->name,
				   .address = p->address,
				   .site = site != NULL ? site + 3
							: p->base_url,
				   .venue = p->venue};
	return poster_render(&c, format, paper, lang, out, e);
}
