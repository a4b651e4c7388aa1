/*
 * test_poster.c: posters rendered from names in any script (print/poster.h).
 *
 * Each name (Arabic, Hebrew, Chinese with Japanese and Korean, a long Latin
 * name of the longest a venue may have, and one with no space at all) is
 * rendered in every format and paper.  The PNG must be one that libpng
 * reads back (its simplified API checks every chunk's CRC): 8-bit grey,
 * of the paper's size at POSTER_PNG_DPI, with ink in the name's box, white
 * margins, and a QR code that zbar decodes to the URL given; so must the
 * PNG of every paper in every language.  The PDF and the SVG must begin as
 * they should.  The layout of every paper and language, with short,
 * long, unbroken and right-to-left names and addresses and the longest
 * site: every text inside the page's margins, none over another or over
 * the code's square (quiet zone included), the heading in the poster's
 * language and in English (once in English), the venue code and the site
 * in the lines that name them.  Invalid UTF-8 and a buffer too small are
 * refused, the buffer left as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <png.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "print/poster.h"
#include "print/scan.h"

#define URL                                                                    \
	"https://posters.example.org/v/k7m2q9xa#k=jdAgo97-EkRhwJsmOwywVA"      \
	"&n=17&r=AAECAwQFBgcICQoLDA0ODw"

/*
 * Under `make asan`: fontconfig, which Pango starts, keeps what it loaded
 * until the process ends (Pango's font map of the thread holds it, the
 * same for one poster or a thousand).  Not ours: LeakSanitizer, which
 * calls this hook where it runs, is told to skip it.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

static const char *const names[] = {
	"\xd9\x85\xd8\xb7\xd8\xb9\xd9\x85 \xd8\xa7\xd9\x84\xd8\xb4\xd8\xa7"
	"\xd9\x85 \xd9\x84\xd9\x84\xd9\x85\xd8\xa3\xd9\x83\xd9\x88\xd9\x84"
	"\xd8\xa7\xd8\xaa \xd8\xa7\xd9\x84\xd8\xb4\xd8\xb1\xd9\x82\xd9\x8a"
	"\xd8\xa9", /* مطعم الشام للمأكولات الشرقية */
	"\xd7\x9e\xd7\xa1\xd7\xa2\xd7\x93\xd7\xaa \xd7\x94\xd7\x99\xd7\x9d "
	"\xd7\x94\xd7\xaa\xd7\x99\xd7\x9b\xd7\x95\xd7\x9f (\xd7\xaa\xd7\x9c "
	"\xd7\x90\xd7\x91\xd7\x99\xd7\x91) 2024", /* מסעדת הים התיכון (תל אביב)
						   */
	"\xe5\x8c\x97\xe4\xba\xac\xe7\x83\xa4\xe9\xb8\xad\xe5\xba\x97 "
	"\xe5\xaf\xbf\xe5\x8f\xb8\xe3\x81\x95\xe3\x81\x8f\xe3\x82\x89 "
	"\xec\x84\x9c\xec\x9a\xb8\xec\x8b\x9d\xeb\x8b\xb9", /* 北京烤鸭店
							       寿司さくら
							       서울식당 */
	"Palestra Comunale Polivalente San Francesco d'Assisi, Centro "
	"Sportivo Ricreativo e Culturale per la Terza Eta, Sezione Nuoto, "
	"Ginnastica Correttiva e Riabilitazione Motoria, Via dei Mille 1",
	"Supercalifragilisticexpialidociousvenuenamewithoutanyspacesatall"
	"whichgoesonandonandonuntilitcannotfitinanywidthatall",
};

static struct poster_content content_of(const char *name)
{
	return (struct poster_content){.url = URL,
				       .name = name,
				       .address = "Via Roma 1, 00184 Roma",
				       .site = "posters.example.org",
				       .venue = "k7m2q9xa"};
}

/* The PNG in b read back by libpng as 8-bit grey; *w, *h its size. */
static uint8_t *png_read(const struct buf *b, int *w, int *h)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_memory(&img, b->data, b->len));
	assert_int_equal(
		img.format & (PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA),
		0);
	img.format = PNG_FORMAT_GRAY;
	uint8_t *px = malloc(PNG_IMAGE_SIZE(img));
	assert_non_null(px);
	assert_true(png_image_finish_read(&img, NULL, px, 0, NULL));
	*w = (int)img.width;
	*h = (int)img.height;
	return px;
}

/* Dark pixels (below mid-grey) in the rectangle [x0, x1) x [y0, y1). */
static long ink(const uint8_t *px, int w, int x0, int y0, int x1, int y1)
{
	long n = 0;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			n += px[(size_t)y * w + x] < 128;
	return n;
}

/* The QR code of the PNG in b, as zbar reads it from a file. */
static void expect_scan(const struct buf *b)
{
	char path[] = "/tmp/test_poster.XXXXXX", text[1024];
	int fd = mkstemp(path);
	struct err e;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->data, b->len), (ssize_t)b->len);
	close(fd);
	enum status r = scan_image(path, text, sizeof text, &e);
	unlink(path);
	assert_int_equal(r, ST_OK);
	assert_string_equal(text, URL);
}

/* Each paper's PNG, in pixels at POSTER_PNG_DPI. */
static const int png_size[][2] = {
	{1654, 2339}, {1166, 1654}, {827, 1166}, {1700, 2200}};

/* Renders c's PNG on paper p in lang, checks its size and margins and
 * that it scans; returns its pixels (*w x *h, to free). */
static uint8_t *png_checked(const struct poster_content *c, int p,
			    enum lang lang, int *w, int *h)
{
	struct buf b;
	struct err e;
	buf_init(&b, POSTER_MAX);
	enum status r = poster_render(c, POSTER_PNG, p, lang, &b, &e);
	if (r != ST_OK)
		fail_msg("paper %d, %s: %s", p, lang_code(lang), e.msg);
	uint8_t *px = png_read(&b, w, h);
	assert_int_equal(*w, png_size[p][0]);
	assert_int_equal(*h, png_size[p][1]);
	/* Nothing on the outer 5% (sides) or 3% (top and bottom). */
	assert_int_equal(ink(px, *w, 0, 0, *w * 5 / 100, *h), 0);
	assert_int_equal(ink(px, *w, *w - *w * 5 / 100, 0, *w, *h), 0);
	assert_int_equal(ink(px, *w, 0, 0, *w, *h * 3 / 100), 0);
	assert_int_equal(ink(px, *w, 0, *h - *h * 3 / 100, *w, *h), 0);
	expect_scan(&b);
	buf_free(&b);
	return px;
}

static void test_png_scripts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct poster_content c = content_of(names[i]);
		for (int p = POSTER_A4; p <= POSTER_LETTER; p++) {
			int w, h;
			uint8_t *px = png_checked(&c, p, LANG_EN, &w, &h);
			/* The name's box, 0.095H to 0.195H inside the
			 * margins, holds ink: at least 0.5% of its pixels. */
			long box = (long)(w * 84 / 100) * (h * 10 / 100);
			long n = ink(px, w, w * 8 / 100, h * 95 / 1000,
				     w * 92 / 100, h * 195 / 1000);
			if (n * 200 < box)
				fail_msg("name %zu, paper %d: %ld dark pixels "
					 "of %ld",
					 i, p, n, box);
			free(px);
		}
	}
}

/* Every paper in every language: the PNG scans, its margins are white. */
static void test_png_papers_languages(void **state)
{
	(void)state;
	struct poster_content c = content_of("Caff\xc3\xa8 Citt\xc3\xa0");
	for (int p = POSTER_A4; p <= POSTER_LETTER; p++)
		for (int l = 0; l < LANG__COUNT; l++) {
			int w, h;
			free(png_checked(&c, p, (enum lang)l, &w, &h));
		}
}

/* Whether a and b, both drawn, share any point. */
static bool overlap(const struct poster_rect *a, const struct poster_rect *b)
{
	if (a->w <= 0 || b->w <= 0)
		return false;
	return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h &&
	       b->y < a->y + a->h;
}

static void test_layout_inside(void **state)
{
	(void)state;
	/* The heading's words in each language; then " · " and English's. */
	static const char *const heading[] = {
		"Sanitization record", "Registro sanificazioni",
		"Hygienenachweis", "Registre d'assainissement",
		"Registro de higienizaci\xc3\xb3n"};
	/* The longest site a base URL gives (PIN_BASE_MAX less "https://"),
	 * and names and addresses of every kind. */
	static char site[PIN_BASE_MAX - 7];
	memset(site, 'h', sizeof site - 1);
	memcpy(site + sizeof site - 13, ".example.org", 13);
	struct poster_layout *lay = malloc(sizeof *lay);
	assert_non_null(lay);
	size_t n = sizeof names / sizeof names[0];
	for (size_t i = 0; i <= n; i++) {
		struct poster_content c = content_of(i < n ? names[i] : "Bar");
		if (i > 0)
			c.address = names[(i + 1) % n];
		if (i == n) {
			c.address = NULL;
			c.site = site;
		}
		for (int p = POSTER_A4; p <= POSTER_LETTER; p++) {
			for (int l = 0; l < LANG__COUNT; l++) {
				struct err e;
				assert_int_equal(
					poster_layout(&c, p, l, lay, &e),
					ST_OK);
				double W = lay->w, H = lay->h;
				assert_true(lay->qr.x >= 0.05 * W &&
					    lay->qr.x + lay->qr.w <= 0.95 * W);
				for (int t = 0; t < POSTER_T__COUNT; t++) {
					const struct poster_rect *r =
						&lay->text[t];
					bool shown = t != POSTER_T_ADDRESS ||
						     c.address != NULL;
					assert_int_equal(r->w > 0, shown);
					if (!shown)
						continue;
					if (r->x < 0.05 * W ||
					    r->x + r->w > 0.95 * W ||
					    r->y < 0.03 * H ||
					    r->y + r->h > 0.97 * H)
						fail_msg("name %zu, paper %d, "
							 "%s: text %d at "
							 "%.1f,%.1f %.1fx%.1f "
							 "on %.0fx%.0f",
							 i, p, lang_code(l), t,
							 r->x, r->y, r->w, r->h,
							 W, H);
					if (overlap(r, &lay->qr))
						fail_msg("name %zu, paper %d, "
							 "%s: text %d over "
							 "the code",
							 i, p, lang_code(l), t);
					for (int u = 0; u < t; u++)
						if (overlap(r, &lay->text[u]))
							fail_msg("name %zu, "
								 "paper %d, "
								 "%s: texts "
								 "%d and %d",
								 i, p,
								 lang_code(l),
								 u, t);
				}
				char want[128];
				snprintf(want, sizeof want, "%s%s%s",
					 heading[l],
					 l == LANG_EN ? "" : " \xc2\xb7 ",
					 l == LANG_EN ? "" : heading[LANG_EN]);
				assert_string_equal(
					lay->words[POSTER_T_HEADING], want);
				assert_non_null(strstr(
					lay->words[POSTER_T_CODE], "k7m2q9xa"));
				assert_non_null(strstr(lay->words[POSTER_T_GO],
						       "k7m2q9xa"));
				assert_non_null(strstr(lay->words[POSTER_T_GO],
						       c.site));
				assert_string_equal(lay->words[POSTER_T_NAME],
						    c.name);
			}
		}
	}
	free(lay);
}

static void test_vector_scripts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct poster_content c = content_of(names[i]);
		for (int f = POSTER_PDF; f <= POSTER_SVG; f++) {
			struct buf b;
			struct err e;
			buf_init(&b, POSTER_MAX);
			assert_int_equal(poster_render(&c, f, POSTER_A5,
						       LANG_IT, &b, &e),
					 ST_OK);
			const char *magic = f == POSTER_PDF ? "%PDF-" : "<?xml";
			assert_true(b.len > 1000);
			assert_memory_equal(b.data, magic, strlen(magic));
			buf_free(&b);
		}
	}
}

static void test_refused(void **state)
{
	struct buf b;
	struct err e;
	(void)state;
	buf_init(&b, POSTER_MAX);
	assert_int_equal(buf_append_str(&b, "kept"), ST_OK);
	/* Invalid UTF-8: a truncated sequence, a surrogate, an overlong. */
	static const char *const bad[] = {"Caff\xc3", "\xed\xa0\x80",
					  "\xc0\xaf"};
	for (size_t i = 0; i < 3; i++) {
		struct poster_content c = content_of(bad[i]);
		assert_int_equal(poster_render(&c, POSTER_PNG, POSTER_A6,
					       LANG_EN, &b, &e),
				 ST_INVALID);
		c = content_of("Bar");
		c.site = bad[i];
		assert_int_equal(poster_render(&c, POSTER_PDF, POSTER_A6,
					       LANG_EN, &b, &e),
				 ST_INVALID);
		c = content_of("Bar");
		c.address = bad[i];
		assert_int_equal(poster_render(&c, POSTER_PDF, POSTER_A6,
					       LANG_EN, &b, &e),
				 ST_INVALID);
	}
	/* A buffer that cannot take the poster. */
	struct poster_content c = content_of("Bar");
	b.cap = b.len + 100;
	for (int f = POSTER_PDF; f <= POSTER_PNG; f++)
		assert_int_equal(
			poster_render(&c, f, POSTER_A6, LANG_EN, &b, &e),
			ST_TOO_LARGE);
	assert_int_equal(b.len, 4);
	assert_string_equal(buf_str(&b), "kept");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png_scripts),
		cmocka_unit_test(test_png_papers_languages),
		cmocka_unit_test(test_layout_inside),
		cmocka_unit_test(test_vector_scripts),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
