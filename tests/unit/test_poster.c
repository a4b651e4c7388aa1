/*
 * test_poster.c: posters rendered from names in any script (print/poster.h).
 *
 * Each name (Arabic, Hebrew, Chinese with Japanese and Korean, a long Latin
 * name of the longest a venue may have, and one with no space at all) is
 * rendered in every format and paper.  The PNG must be one that libpng
 * reads back (its simplified API checks every chunk's CRC): 8-bit grey,
 * of the paper's size at POSTER_PNG_DPI, with ink in the name's box, white
 * margins, and a QR code that zbar decodes to the URL given.  The PDF and
 * the SVG must begin as they should.  Invalid UTF-8 and a buffer too
 * small are refused, the buffer left as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <png.h>
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
				       .host = "posters.example.org",
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

static void test_png_scripts(void **state)
{
	static const int size[][2] = {{1654, 2339}, {1166, 1654}, {827, 1166}};
	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct poster_content c = content_of(names[i]);
		for (int p = POSTER_A4; p <= POSTER_A6; p++) {
			struct buf b;
			struct err e;
			int w, h;
			buf_init(&b, POSTER_MAX);
			assert_int_equal(poster_render(&c, POSTER_PNG, p,
						       LANG_EN, &b, &e),
					 ST_OK);
			uint8_t *px = png_read(&b, &w, &h);
			assert_int_equal(w, size[p][0]);
			assert_int_equal(h, size[p][1]);
			/* The name's box, 0.05H to 0.21H inside the margins,
			 * holds ink: at least 0.5% of its pixels. */
			long box = (long)(w * 84 / 100) * (h * 16 / 100);
			long n = ink(px, w, w * 8 / 100, h * 5 / 100,
				     w * 92 / 100, h * 21 / 100);
			if (n * 200 < box)
				fail_msg("name %zu, paper %d: %ld dark pixels "
					 "of %ld",
					 i, p, n, box);
			/* Nothing on the outer 5% (sides) or 3% (top and
			 * bottom). */
			assert_int_equal(ink(px, w, 0, 0, w * 5 / 100, h), 0);
			assert_int_equal(ink(px, w, w - w * 5 / 100, 0, w, h),
					 0);
			assert_int_equal(ink(px, w, 0, 0, w, h * 3 / 100), 0);
			assert_int_equal(ink(px, w, 0, h - h * 3 / 100, w, h),
					 0);
			free(px);
			expect_scan(&b);
			buf_free(&b);
		}
	}
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
		c.host = bad[i];
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
		cmocka_unit_test(test_vector_scripts),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
