/*
 * poster.c: a venue's poster as PDF, SVG or PNG (see poster.h).
 *
 * The page is laid out in points on A4, A5 or A6 (all of ratio sqrt 2, so
 * one set of proportions serves the three): the name at the top, the QR
 * code in the middle, the venue id, the line of instructions and the host
 * below.  Every text is fitted into its box: it is wrapped at spaces and
 * shrunk, then, when a single word is still too wide, wrapped anywhere, and
 * at last shrunk on one line until it fits.  So no text ever leaves its box,
 * whatever its length or script.
 *
 * cairo's toy font API neither shapes nor reorders text, so this file does
 * the little that posters need for right-to-left names: a reduced form of
 * the Unicode bidirectional algorithm (paragraph direction from the first
 * strong character, numbers and neutrals resolved as rules W7, N1, N2 and
 * I1-I2 say, lines reversed as rule L2, brackets mirrored) and Arabic
 * contextual forms through the presentation forms that DejaVu Sans has.
 * Names cannot hold bidi controls (entry.h forbids them), so there are no
 * explicit embeddings to honour.
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
#include <stddef.h>
#include <qrencode.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/entry.h"
#include "core/note.h"
#include "print/pin.h"
#include "print/poster.h"
#include "store/export.h"

#define FONT_SANS "DejaVu Sans"
#define FONT_MONO "DejaVu Sans Mono"
#define TEXT_MAX  1024 /* bytes of a text on the poster */
#define LINES_MAX 6
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
 * Up costs 1 ms more than None for a third less to serve.
 */
#define POSTER_PNG_LEVEL   1
#define POSTER_PNG_FILTERS PNG_FILTER_UP

/* ---- names ---- */

static const char *const format_names[] = {"pdf", "svg", "png"};
static const char *const paper_names[] = {"a4", "a5", "a6"};
static const char *const lang_names[] = {"en", "it"};

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
	int i = find_name(paper_names, 3, s);
	if (i >= 0)
		*out = (enum poster_paper)i;
	return i >= 0;
}

bool poster_lang_parse(const char *s, enum poster_lang *out)
{
	int i = find_name(lang_names, 2, s);
	if (i >= 0)
		*out = (enum poster_lang)i;
	return i >= 0;
}

const char *poster_format_str(enum poster_format f)
{
	return (unsigned)f < 3 ? format_names[f] : "?";
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

/* ---- UTF-8 ---- */

/* Decodes valid UTF-8 (no overlongs, surrogates or values past U+10FFFF)
 * into cps; returns the count, or -1 when invalid or longer than max. */
static long utf8_decode(const char *s, uint32_t *cps, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p != 0) {
		uint32_t c = *p, min;
		int more;
		if (c < 0x80) {
			more = 0, min = 0;
		} else if ((c & 0xe0) == 0xc0) {
			c &= 0x1f, more = 1, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			c &= 0x0f, more = 2, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			c &= 0x07, more = 3, min = 0x10000;
		} else {
			return -1;
		}
		p++;
		for (int i = 0; i < more; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return -1;
			c = c << 6 | (*p & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
		    n == max)
			return -1;
		cps[n++] = c;
	}
	return (long)n;
}

/* Appends the UTF-8 of c to out (at least 5 bytes free). */
static size_t utf8_put(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* ---- Arabic contextual forms ---- */

enum join { J_NONE, J_RIGHT, J_DUAL, J_CAUSING, J_TRANSPARENT };

/* U+0621..U+064A: the isolated presentation form (Arabic Presentation
 * Forms-B) and the joining type; the final, initial and medial forms
 * follow the isolated one in that block. */
static const struct {
	uint16_t isol;
	uint8_t join;
} arabic[] = {
	{0xfe80, J_NONE},  {0xfe81, J_RIGHT}, {0xfe83, J_RIGHT},
	{0xfe85, J_RIGHT}, {0xfe87, J_RIGHT}, {0xfe89, J_DUAL},
	{0xfe8d, J_RIGHT}, {0xfe8f, J_DUAL},  {0xfe93, J_RIGHT},
	{0xfe95, J_DUAL},  {0xfe99, J_DUAL},  {0xfe9d, J_DUAL},
	{0xfea1, J_DUAL},  {0xfea5, J_DUAL},  {0xfea9, J_RIGHT},
	{0xfeab, J_RIGHT}, {0xfead, J_RIGHT}, {0xfeaf, J_RIGHT},
	{0xfeb1, J_DUAL},  {0xfeb5, J_DUAL},  {0xfeb9, J_DUAL},
	{0xfebd, J_DUAL},  {0xfec1, J_DUAL},  {0xfec5, J_DUAL},
	{0xfec9, J_DUAL},  {0xfecd, J_DUAL},  {0, J_NONE}, /* 063b */
	{0, J_NONE},	   {0, J_NONE},	      {0, J_NONE},
	{0, J_NONE},	   {0, J_CAUSING}, /* 0640 tatweel */
	{0xfed1, J_DUAL},  {0xfed5, J_DUAL},  {0xfed9, J_DUAL},
	{0xfedd, J_DUAL},  {0xfee1, J_DUAL},  {0xfee5, J_DUAL},
	{0xfee9, J_DUAL},  {0xfeed, J_RIGHT}, {0xfeef, J_RIGHT},
	{0xfef1, J_DUAL},
};

static enum join join_type(uint32_t c)
{
	if (c >= 0x0621 && c <= 0x064a)
		return (enum join)arabic[c - 0x0621].join;
	if ((c >= 0x064b && c <= 0x065f) || c == 0x0670 ||
	    (c >= 0x0300 && c <= 0x036f))
		return J_TRANSPARENT;
	return J_NONE;
}

/* Replaces Arabic letters in cps[0..n) by their contextual forms (and
 * lam-alef by its ligature); returns the new count (never more). */
static size_t arabic_shape(uint32_t *cps, size_t n)
{
	size_t o = 0;
	enum join last = J_NONE; /* the previous non-transparent letter's */
	for (size_t i = 0; i < n; i++) {
		uint32_t c = cps[i];
		enum join t = join_type(c);
		if (t != J_RIGHT && t != J_DUAL) {
			cps[o++] = c;
			if (t != J_TRANSPARENT)
				last = t;
			continue;
		}
		/* The next letter, skipping transparent marks. */
		enum join next = J_NONE;
		size_t nx = i + 1;
		while (nx < n && join_type(cps[nx]) == J_TRANSPARENT)
			nx++;
		if (nx < n)
			next = join_type(cps[nx]);
		bool jp = last == J_DUAL || last == J_CAUSING;
		bool jn = t == J_DUAL && (next == J_RIGHT || next == J_DUAL ||
					  next == J_CAUSING);
		last = t;
		/* Lam followed by an alef: one ligature glyph, which joins
		 * only to the right. */
		if (c == 0x0644 && nx == i + 1 && nx < n) {
			uint32_t lig = cps[nx] == 0x0622   ? 0xfef5
				       : cps[nx] == 0x0623 ? 0xfef7
				       : cps[nx] == 0x0625 ? 0xfef9
				       : cps[nx] == 0x0627 ? 0xfefb
							   : 0;
			if (lig != 0) {
				cps[o++] = lig + (jp ? 1 : 0);
				last = J_RIGHT;
				i++;
				continue;
			}
		}
		uint32_t isol = arabic[c - 0x0621].isol;
		cps[o++] = jp && jn ? isol + 3
			   : jp	    ? isol + 1
			   : jn	    ? isol + 2
				    : isol;
	}
	return o;
}

/* ---- bidi, reduced ---- */

enum bidi { B_L, B_R, B_EN, B_AN, B_N, B_NSM };

static bool is_mark(uint32_t c)
{
	return (c >= 0x0300 && c <= 0x036f) || (c >= 0x0591 && c <= 0x05bd) ||
	       c == 0x05bf || c == 0x05c1 || c == 0x05c2 || c == 0x05c4 ||
	       c == 0x05c5 || c == 0x05c7 || (c >= 0x0610 && c <= 0x061a) ||
	       (c >= 0x064b && c <= 0x065f) || c == 0x0670 ||
	       (c >= 0x06d6 && c <= 0x06ed) || (c >= 0xfe20 && c <= 0xfe2f);
}

static enum bidi bidi_class(uint32_t c)
{
	if (is_mark(c))
		return B_NSM;
	if (c >= '0' && c <= '9')
		return B_EN;
	if ((c >= 0x0660 && c <= 0x0669) || (c >= 0x066b && c <= 0x066c))
		return B_AN;
	if (c >= 0x06f0 && c <= 0x06f9)
		return B_EN;
	if ((c >= 0x0590 && c <= 0x08ff) || (c >= 0xfb1d && c <= 0xfdff) ||
	    (c >= 0xfe70 && c <= 0xfefe) || (c >= 0x10800 && c <= 0x10fff) ||
	    (c >= 0x1e800 && c <= 0x1efff))
		return B_R;
	if (c < 0x80)
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ? B_L
									: B_N;
	if ((c >= 0x00a0 && c <= 0x00bf && c != 0x00aa && c != 0x00b5 &&
	     c != 0x00ba) ||
	    c == 0x00d7 || c == 0x00f7 || (c >= 0x2000 && c <= 0x206f) ||
	    (c >= 0x20a0 && c <= 0x20cf) ||
	    (c >= 0x2100 && c <= 0x2bff && !(c >= 0x2160 && c <= 0x2188)) ||
	    (c >= 0x3000 && c <= 0x3003) || (c >= 0xfe10 && c <= 0xfe6f) ||
	    (c >= 0xff01 && c <= 0xff20))
		return B_N;
	return B_L;
}

static uint32_t mirror(uint32_t c)
{
	static const uint32_t pairs[][2] = {
		{'(', ')'},	  {'[', ']'},	    {'{', '}'},
		{'<', '>'},	  {0xab, 0xbb},	    {0x2039, 0x203a},
		{0x2045, 0x2046}, {0x2264, 0x2265},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		if (c == pairs[i][0])
			return pairs[i][1];
		if (c == pairs[i][1])
			return pairs[i][0];
	}
	return c;
}

/* The paragraph's direction: 1 when its first strong character is
 * right-to-left, else 0. */
static int para_level(const uint32_t *cps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum bidi b = bidi_class(cps[i]);
		if (b == B_L)
			return 0;
		if (b == B_R || b == B_AN)
			return 1;
	}
	return 0;
}

/* Writes cps[0..n) in visual order, as UTF-8 with a NUL, into out (at
 * least 4n+1 bytes): levels by rules W1 (marks), W7, N1, N2, I1, I2;
 * reversal by L2 on clusters (a base and its marks stay in order); mirrored
 * brackets at odd levels. */
static void bidi_visual(const uint32_t *cps, size_t n, int para, char *out)
{
	uint8_t lev[TEXT_MAX];
	enum bidi cls[TEXT_MAX];
	size_t idx[TEXT_MAX];
	enum bidi strong = para ? B_R : B_L;
	for (size_t i = 0; i < n; i++) {
		enum bidi b = bidi_class(cps[i]);
		if (b == B_NSM)
			b = i > 0 ? cls[i - 1] : B_N; /* W1 */
		if (b == B_L || b == B_R)
			strong = b;
		else if (b == B_EN && strong == B_L)
			b = B_L; /* W7 */
		cls[i] = b;
	}
	/* N1, N2: a run of neutrals between two strong types of one
	 * direction (numbers count as R) takes it; else the paragraph's. */
	for (size_t i = 0; i < n;) {
		if (cls[i] != B_N) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && cls[j] == B_N)
			j++;
		enum bidi before = i == 0	       ? (para ? B_R : B_L)
				   : cls[i - 1] == B_L ? B_L
						       : B_R;
		enum bidi after = j == n	  ? (para ? B_R : B_L)
				  : cls[j] == B_L ? B_L
						  : B_R;
		enum bidi d = before == after ? before : (para ? B_R : B_L);
		for (size_t k = i; k < j; k++)
			cls[k] = d;
		i = j;
	}
	uint8_t maxlev = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t l;
		if (para == 0)
			l = cls[i] == B_L ? 0 : cls[i] == B_R ? 1 : 2;
		else
			l = cls[i] == B_R ? 1 : 2;
		lev[i] = l;
		idx[i] = i;
		if (l > maxlev)
			maxlev = l;
	}
	/* L2: from the highest level down to 1, reverse every run at that
	 * level or above. */
	for (uint8_t l = maxlev; l >= 1; l--) {
		for (size_t i = 0; i < n;) {
			if (lev[idx[i]] < l) {
				i++;
				continue;
			}
			size_t j = i;
			while (j < n && lev[idx[j]] >= l)
				j++;
			for (size_t a = i, b = j - 1; a < b; a++, b--) {
				size_t t = idx[a];
				idx[a] = idx[b];
				idx[b] = t;
			}
			i = j;
		}
	}
	/* Put marks back after their base: within a reversed run a mark now
	 * stands before its base. */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && is_mark(cps[idx[j]]) && (lev[idx[j]] & 1))
			j++;
		if (j > i && j < n && (lev[idx[j]] & 1)) {
			/* idx[i..j) are marks of idx[j]: rotate the base first
			 */
			size_t base = idx[j];
			memmove(&idx[i + 1], &idx[i], (j - i) * sizeof idx[0]);
			idx[i] = base;
			/* the marks were reversed too: put them back in order
			 */
			for (size_t a = i + 1, b = j; a < b; a++, b--) {
				size_t t = idx[a];
				idx[a] = idx[b];
				idx[b] = t;
			}
			i = j + 1;
		} else {
			i = j > i ? j : i + 1;
		}
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = cps[idx[i]];
		o += utf8_put(out + o, (lev[idx[i]] & 1) ? mirror(c) : c);
	}
	out[o] = 0;
}

/* ---- fitting text into a box ---- */

struct text {
	uint32_t cps[TEXT_MAX]; /* logical order, shaped */
	size_t n;
	int para;
	const char *family;
	cairo_font_weight_t weight;
};

struct fitted {
	char scratch[4 * TEXT_MAX + 1]; /* a line being measured */
	double size;
	int nlines;
	char lines[LINES_MAX][4 * TEXT_MAX + 1]; /* visual order, UTF-8 */
};

static enum status text_init(struct text *t, const char *utf8,
			     const char *family, cairo_font_weight_t weight,
			     struct err *e)
{
	long n = utf8_decode(utf8, t->cps, TEXT_MAX);
	if (n < 0)
		return err_set(
			e, ST_INVALID,
			"poster: a text is not valid UTF-8 of at most %d "
			"characters",
			TEXT_MAX);
	t->n = arabic_shape(t->cps, (size_t)n);
	t->para = para_level(t->cps, t->n);
	t->family = family;
	t->weight = weight;
	return ST_OK;
}

static void set_font(cairo_t *cr, const struct text *t, double size)
{
	cairo_select_font_face(cr, t->family, CAIRO_FONT_SLANT_NORMAL,
			       t->weight);
	cairo_set_font_size(cr, size);
}

/* Ink-aware width of the visual line (the larger of advance and ink). */
static double line_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t x;
	cairo_text_extents(cr, s, &x);
	double left = x.x_bearing < 0 ? x.x_bearing : 0;
	double right = x.x_advance > x.x_bearing + x.width
			       ? x.x_advance
			       : x.x_bearing + x.width;
	return right - left;
}

/* The visual line of cps[s..e) without leading and trailing spaces. */
static double line_of(cairo_t *cr, const struct text *t, size_t s, size_t e,
		      char *out)
{
	while (s < e && t->cps[s] == ' ')
		s++;
	while (e > s && t->cps[e - 1] == ' ')
		e--;
	bidi_visual(t->cps + s, e - s, t->para, out);
	return line_width(cr, out);
}

/* Whether a line may end before cps[i] (i in 1..n-1): after a space in
 * word mode; between clusters (not before a mark) in character mode. */
static bool can_break(const struct text *t, size_t i, bool anywhere)
{
	if (i == 0 || i >= t->n)
		return i >= t->n;
	if (anywhere)
		return !is_mark(t->cps[i]);
	return t->cps[i - 1] == ' ' && t->cps[i] != ' ';
}

/* Greedy wrap at font size `size`; false when a piece between two break
 * opportunities is wider than maxw or more than max_lines are needed. */
static bool wrap(cairo_t *cr, const struct text *t, double size, double maxw,
		 int max_lines, bool anywhere, struct fitted *f)
{
	set_font(cr, t, size);
	f->size = size;
	f->nlines = 0;
	size_t s = 0;
	while (s < t->n) {
		while (s < t->n && t->cps[s] == ' ')
			s++;
		if (s == t->n)
			break;
		if (f->nlines == max_lines)
			return false;
		size_t best = 0;
		for (size_t e = s + 1; e <= t->n; e++) {
			if (!can_break(t, e, anywhere))
				continue;
			if (line_of(cr, t, s, e, f->scratch) > maxw)
				break;
			best = e;
		}
		if (best == 0)
			return false;
		line_of(cr, t, s, best, f->lines[f->nlines++]);
		s = best;
	}
	return true;
}

/*
 * Fits t into a box maxw by maxh, trying in turn: the largest size from
 * size_max down to size_min that wraps at spaces into at most max_lines;
 * then at spaces into up to LINES_MAX lines, down to 0.6 size_min; then
 * anywhere, down to size_min / 3; at last one line shrunk to the width.
 * Returns false when it had to come to that last resort.
 */
static bool fit(cairo_t *cr, const struct text *t, double maxw, double maxh,
		double size_max, double size_min, int max_lines,
		struct fitted *f)
{
	for (int pass = 0; pass < 3; pass++) {
		double lo = pass == 0	? size_min
			    : pass == 1 ? size_min * 0.6
					: size_min / 3;
		int lines = pass == 0 ? max_lines : LINES_MAX;
		for (double size = size_max; size >= lo; size *= 0.93) {
			if (!wrap(cr, t, size, maxw, lines, pass == 2, f))
				continue;
			if (f->nlines * size * 1.25 <= maxh)
				return true;
		}
	}
	/* One line whatever it takes. */
	double size = size_min;
	set_font(cr, t, size);
	double w = line_of(cr, t, 0, t->n, f->lines[0]);
	if (w > maxw)
		size *= maxw / w * 0.999;
	if (size * 1.25 > maxh)
		size = maxh / 1.25;
	f->size = size;
	f->nlines = t->n > 0 ? 1 : 0;
	return false;
}

/* As fit, but one line is tried first, down to size_one. */
static void fit_one_first(cairo_t *cr, const struct text *t, double maxw,
			  double maxh, double size_max, double size_one,
			  double size_min, int max_lines, struct fitted *f)
{
	for (double size = size_max; size >= size_one; size *= 0.95)
		if (wrap(cr, t, size, maxw, 1, false, f) && size * 1.25 <= maxh)
			return;
	fit(cr, t, maxw, maxh, size_max, size_min, max_lines, f);
}

/* Draws the fitted lines centred on cx, the block centred on cy. */
static void draw_fitted(cairo_t *cr, const struct text *t,
			const struct fitted *f, double cx, double cy)
{
	set_font(cr, t, f->size);
	cairo_font_extents_t fe;
	cairo_font_extents(cr, &fe);
	double lh = f->size * 1.25;
	double top = cy - lh * f->nlines / 2;
	for (int i = 0; i < f->nlines; i++) {
		cairo_text_extents_t x;
		cairo_text_extents(cr, f->lines[i], &x);
		double left = x.x_bearing < 0 ? x.x_bearing : 0;
		double w = line_width(cr, f->lines[i]);
		/* baseline: the line box centred on the font's ascent+descent
		 */
		double base = top + lh * i +
			      (lh - (fe.ascent + fe.descent)) / 2 + fe.ascent;
		cairo_move_to(cr, cx - w / 2 - left, base);
		cairo_show_text(cr, f->lines[i]);
	}
}

/* ---- the page ---- */

static const double paper_pt[][2] = {
	{595.276, 841.890}, /* A4: 210 x 297 mm */
	{419.528, 595.276}, /* A5: 148 x 210 mm */
	{297.638, 419.528}, /* A6: 105 x 148 mm */
};

static const char *const instructions[] = {
	"Scan to see when this place was last sanitized",
	"Inquadra per vedere quando questo locale \xc3\xa8 stato sanificato",
};

/* Work areas too large for the stack. */
struct layout {
	struct text name, line, host, id;
	struct fitted fname, fline, fhost, fid;
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

/* Lays out and draws the page on cr, whose user space is in points. */
static enum status draw_page(cairo_t *cr, const struct poster_content *c,
			     const QRcode *qr, double W, double H,
			     enum poster_lang lang, bool pixels, double scale,
			     struct err *e)
{
	struct layout *L = malloc(sizeof *L);
	enum status r;
	if (L == NULL)
		return err_set(e, ST_NOMEM, "poster: out of memory");
	if ((r = text_init(&L->name, c->name, FONT_SANS, CAIRO_FONT_WEIGHT_BOLD,
			   e)) != ST_OK ||
	    (r = text_init(&L->line, instructions[lang], FONT_SANS,
			   CAIRO_FONT_WEIGHT_NORMAL, e)) != ST_OK ||
	    (r = text_init(&L->host, c->host, FONT_SANS, CAIRO_FONT_WEIGHT_BOLD,
			   e)) != ST_OK ||
	    (r = text_init(&L->id, c->venue, FONT_MONO,
			   CAIRO_FONT_WEIGHT_NORMAL, e)) != ST_OK) {
		free(L);
		return r;
	}
	double margin = 0.08 * W, tw = W - 2 * margin;

	/* Paper: white (in pixel mode, alpha 1 on the inverted surface). */
	cairo_set_source_rgba(cr, 1, 1, 1, 1);
	cairo_paint(cr);
	if (pixels)
		cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
	cairo_set_source_rgb(cr, 0, 0, 0);

	/* The name: 0.05H .. 0.21H. */
	fit(cr, &L->name, tw, 0.16 * H, 0.09 * W, 0.04 * W, 3, &L->fname);
	draw_fitted(cr, &L->name, &L->fname, W / 2, 0.13 * H);

	/* A thin rule under it. */
	cairo_set_line_width(cr, 0.004 * W);
	cairo_move_to(cr, margin, 0.225 * H);
	cairo_line_to(cr, W - margin, 0.225 * H);
	cairo_stroke(cr);

	/* The code: 0.24H, 0.76W square, centred. */
	double side = 0.76 * W;
	draw_qr(cr, qr, (W - side) / 2, 0.24 * H, side, pixels, scale);
	double below = 0.24 * H + side; /* about 0.777H */

	/* The venue id just under the code's quiet zone. */
	fit(cr, &L->id, tw, 0.035 * H, 0.04 * W, 0.02 * W, 1, &L->fid);
	draw_fitted(cr, &L->id, &L->fid, W / 2, below + 0.005 * H);

	/* What the code shows: 0.80H .. 0.88H. */
	fit_one_first(cr, &L->line, tw, 0.075 * H, 0.045 * W, 0.034 * W,
		      0.025 * W, 2, &L->fline);
	draw_fitted(cr, &L->line, &L->fline, W / 2, 0.8425 * H);

	/* The host: 0.89H .. 0.95H. */
	fit_one_first(cr, &L->host, tw, 0.055 * H, 0.055 * W, 0.02 * W,
		      0.02 * W, 2, &L->fhost);
	draw_fitted(cr, &L->host, &L->fhost, W / 2, 0.92 * H);

	free(L);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		return err_set(e, ST_INTERNAL, "poster: cairo: %s",
			       cairo_status_to_string(cairo_status(cr)));
	return ST_OK;
}

enum status poster_render(const struct poster_content *c,
			  enum poster_format format, enum poster_paper paper,
			  enum poster_lang lang, struct buf *out, struct err *e)
{
	if ((unsigned)format > POSTER_PNG || (unsigned)paper > POSTER_A6 ||
	    (unsigned)lang > POSTER_IT)
		return err_set(e, ST_INVALID,
			       "poster: unknown format, paper "
			       "or language");
	if (c->url == NULL || c->name == NULL || c->host == NULL ||
	    c->venue == NULL || strlen(c->url) > PIN_URL_MAX)
		return err_set(e, ST_INVALID, "poster: missing or long text");
	QRcode *qr = QRcode_encodeString(c->url, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);
	if (qr == NULL)
		return err_set(e, ST_INVALID,
			       "poster: the URL does not fit a QR code");
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
	enum status r = draw_page(cr, c, qr, W, H, lang, format == POSTER_PNG,
				  scale, e);
	cairo_destroy(cr);
	QRcode_free(qr);
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

/* ---- from the store ---- */

/* The base URL checked and without trailing slashes into out. */
static enum status take_base(const char *s, char *out, size_t outsize,
			     struct err *e)
{
	size_t n = strlen(s);
	if (n > PIN_BASE_MAX || n >= outsize ||
	    (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0))
		return err_set(e, ST_INVALID,
			       "base URL %.64s: not an http(s) URL of at most "
			       "%d bytes",
			       s, PIN_BASE_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] >= 0x7f || s[i] == '#' || s[i] == '?')
			return err_set(e, ST_INVALID,
				       "base URL: a space, control, non-ASCII, "
				       "'#' or '?' character");
	memcpy(out, s, n + 1);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = 0;
	return ST_OK;
}

/* The name of the venue's newest kind venue entry below size. */
static enum status venue_name(struct store *s, const char *venue, int64_t size,
			      char *name, size_t namesize, struct err *e)
{
	int64_t *idx = NULL;
	size_t count = 0;
	struct entry *en = malloc(sizeof *en);
	struct buf text;
	enum status r;
	buf_init(&text, ENTRY_MAX + 1);
	if (en == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	if ((r = store_venue_indexes(s, venue, &idx, &count)) != ST_OK) {
		err_set(e, r, "venue %s: %s", venue, store_errmsg(s));
		goto done;
	}
	r = err_set(e, ST_NOT_FOUND, "venue %s: not found in the log", venue);
	for (size_t i = count; i-- > 0;) {
		if (idx[i] >= size)
			continue;
		buf_reset(&text);
		if ((r = store_entry(s, idx[i], &text)) != ST_OK) {
			err_set(e, r, "entry %lld: %s", (long long)idx[i],
				store_errmsg(s));
			break;
		}
		if ((r = entry_parse(buf_str(&text), text.len, en, e)) !=
		    ST_OK) {
			err_prefix(e, "entry %lld", (long long)idx[i]);
			r = ST_CORRUPT;
			break;
		}
		if (en->kind != ENTRY_VENUE)
			continue;
		if (strlen(en->name) >= namesize) {
			r = err_set(e, ST_TOO_LARGE, "venue name: too long");
			break;
		}
		memcpy(name, en->name, strlen(en->name) + 1);
		r = ST_OK;
		break;
	}
done:
	free(idx);
	free(en);
	buf_free(&text);
	return r;
}

enum status poster_content_load(struct store *s, const char *venue,
				const char *base_url, char *url, size_t urlsize,
				char *name, size_t namesize, char *host,
				size_t hostsize, struct err *e)
{
	char base[PIN_BASE_MAX + 1], vkey[NOTE_VKEY_MAX + 2];
	struct buf note;
	struct checkpoint cp;
	struct pin pin;
	struct venue_url *vu = NULL;
	size_t tlen = 0;
	enum status r;

	if (!entry_venue_id_valid(venue))
		return err_set(e, ST_NOT_FOUND, "venue %.16s: not a venue id",
			       venue);
	if (base_url == NULL) {
		r = store_meta_get(s, "base_url", base, sizeof base);
		if (r == ST_NOT_FOUND)
			return err_set(e, ST_INVALID,
				       "no base URL: pass --base-url "
				       "https://your.host (or set it with "
				       "init or serve --base-url)");
		if (r != ST_OK)
			return err_set(e, r, "base_url: %s", store_errmsg(s));
		base_url = base;
	}
	if ((r = take_base(base_url, base, sizeof base, e)) != ST_OK)
		return r;
	if ((r = store_meta_get(s, "vkey", vkey, sizeof vkey)) != ST_OK)
		return err_set(e, r == ST_NOT_FOUND ? ST_CORRUPT : r,
			       "vkey: %s", store_errmsg(s));

	buf_init(&note, 64 << 10);
	int64_t size = 0;
	if ((r = store_checkpoint(s, -1, &note, &size)) != ST_OK) {
		err_set(e, r, "checkpoint: %s", store_errmsg(s));
		goto done;
	}
	if ((r = export_note_text_len(buf_str(&note), note.len, &tlen)) !=
		    ST_OK ||
	    (r = checkpoint_parse(buf_str(&note), tlen, &cp, e)) != ST_OK) {
		err_prefix(e, "the newest checkpoint");
		r = ST_CORRUPT;
		goto done;
	}
	if (cp.size != size) {
		r = err_set(e, ST_CORRUPT,
			    "the checkpoint kept as size %lld says %lld",
			    (long long)size, (long long)cp.size);
		goto done;
	}
	if ((r = venue_name(s, venue, cp.size, name, namesize, e)) != ST_OK)
		goto done;
	pin_make(vkey, strlen(vkey), cp.size, cp.root, &pin);
	if ((r = pin_venue_url(base, venue, &pin, url, urlsize, e)) != ST_OK)
		goto done;
	/* Read it back as a scanner will: the host, and a self-check. */
	if ((vu = malloc(sizeof *vu)) == NULL) {
		r = err_set(e, ST_NOMEM, "out of memory");
		goto done;
	}
	if ((r = pin_parse_venue_url(url, vu, e)) != ST_OK) {
		err_prefix(e, "base URL %s", base);
		goto done;
	}
	if (strlen(vu->host) >= hostsize) {
		r = err_set(e, ST_TOO_LARGE, "host: too long");
		goto done;
	}
	memcpy(host, vu->host, strlen(vu->host) + 1);
done:
	free(vu);
	buf_free(&note);
	return r;
}

enum status poster_make(struct store *s, const char *venue,
			enum poster_format format, enum poster_paper paper,
			enum poster_lang lang, const char *base_url,
			struct buf *out, struct err *e)
{
	char url[PIN_URL_MAX + 1], name[ENTRY_VALUE_MAX + 1],
		host[PIN_HOST_MAX + 1];
	enum status r =
		poster_content_load(s, venue, base_url, url, sizeof url, name,
				    sizeof name, host, sizeof host, e);
	if (r != ST_OK)
		return r;
	struct poster_content c = {
		.url = url, .name = name, .host = host, .venue = venue};
	return poster_render(&c, format, paper, lang, out, e);
}
