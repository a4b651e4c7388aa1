/*
 * test_print.c: a venue's poster made from the log (print/poster.h,
 * beyond test_poster.c's rendering of names) and read back by the
 * scanner (print/scan.h).
 *
 * The names of formats, papers and languages, both ways, and the media
 * types.  The poster's text from a log made with the sequencer: the
 * venue URL under the base URL given (or the stored one; none is an
 * error naming --base-url; a base that is no http(s) URL, or has a space,
 * '#' or '?', is refused), carrying the pin of the newest checkpoint and
 * the log key, the host, and the venue's newest name; a venue the log
 * lacks is not found; the venue's address.  poster_make's PNG scans back to
 * exactly that URL, in each paper and language; its PDF and SVG are what
 * they say; the languages differ.
 * poster_render refuses a URL no QR code holds, a text over the limit
 * and an unknown format, leaving the output as it was.  The scanner: no
 * code in a blank PNG (not found), a code longer than the room (too
 * large), a text file, a truncated PNG, a JPEG that is not one or of
 * impossible size, a directory (invalid) and a missing file (an error).
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

#include "lib/testlog.h"
#include "core/pin.h"
#include "store/export.h"
#include "print/poster.h"
#include "print/scan.h"

#define V1 "k7m2q9xa"

/* Under `make asan`: fontconfig, which Pango starts, keeps what it
 * loaded until the process ends.  Not ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

static struct testlog t;

static int setup(void **state)
{
	(void)state;
	struct seq_request rq;
	tl_open(&t, NULL);
	tl_add_venue(&t, V1, "Bar Uno");
	tl_add_document(&t, V1, 1);
	tl_venue_request(&rq, V1, "Bar Uno e Due", false);
	tl_append(&t, &rq, 1);
	tl_add_document(&t, V1, 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tl_close(&t);
	return 0;
}

static void test_names(void **state)
{
	(void)state;
	static const char *const formats[] = {"pdf", "svg", "png"};
	static const char *const mimes[] = {"application/pdf", "image/svg+xml",
					    "image/png"};
	static const char *const papers[] = {"a4", "a5", "a6", "letter"};
	for (int i = 0; i < 4; i++) {
		enum poster_paper p = POSTER_A4;
		assert_true(poster_paper_parse(papers[i], &p));
		assert_int_equal(p, POSTER_A4 + i);
		assert_string_equal(poster_paper_str(p), papers[i]);
	}
	for (int i = 0; i < 3; i++) {
		enum poster_format f = POSTER_PNG;
		assert_true(poster_format_parse(formats[i], &f));
		assert_int_equal(f, POSTER_PDF + i);
		assert_string_equal(poster_format_str(f), formats[i]);
		assert_string_equal(poster_format_mime(f), mimes[i]);
	}
	static const char *const bad[] = {
		"", "PDF", "a3", "A4", "png ", "pngx", "Letter", "us", "lette"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum poster_format f = POSTER_SVG;
		enum poster_paper p = POSTER_A5;
		assert_false(poster_format_parse(bad[i], &f));
		assert_false(poster_paper_parse(bad[i], &p));
		assert_int_equal(f, POSTER_SVG);
		assert_int_equal(p, POSTER_A5);
	}
}

/* The log's newest checkpoint. */
static void newest(struct checkpoint *c)
{
	struct buf note;
	struct err e;
	buf_init(&note, 1 << 16);
	assert_int_equal(store_checkpoint(t.s, -1, &note, NULL, NULL), ST_OK);
	assert_int_equal(
		checkpoint_open(buf_str(&note), note.len, &t.key, c, &e),
		ST_OK);
	buf_free(&note);
}

/* What the poster of venue shows, read from the store as the CLI and the
 * server read it: its URL, name and host, and its address (or NULL). */
static enum status load_all(const char *venue, const char *base, char *url,
			    char *name, char *host, char *address,
			    struct err *e)
{
	struct export_poster p;
	enum status r = export_poster(t.s, venue, base, &p, e);
	if (r != ST_OK)
		return r;
	snprintf(name, ENTRY_VALUE_MAX + 1, "%s", p.name);
	if (address != NULL)
		snprintf(address, ENTRY_VALUE_MAX + 1, "%s", p.address);
	return poster_url(&p, url, PIN_URL_MAX + 1, host, PIN_HOST_MAX + 1, e);
}

static enum status load(const char *venue, const char *base, char *url,
			char *name, char *host, struct err *e)
{
	return load_all(venue, base, url, name, host, NULL, e);
}

/* The poster of venue, from the store. */
static enum status make(const char *venue, enum poster_format format,
			enum poster_paper paper, enum lang lang,
			const char *base, struct buf *out, struct err *e)
{
	struct export_poster p;
	enum status r = export_poster(t.s, venue, base, &p, e);
	if (r != ST_OK)
		return r;
	return poster_make(&p, format, paper, lang, out, e);
}

static void test_content(void **state)
{
	(void)state;
	char url[PIN_URL_MAX + 1], name[ENTRY_VALUE_MAX + 1],
		host[PIN_HOST_MAX + 1];
	struct err e;
	struct venue_url u;
	struct checkpoint c;

	/* No base URL anywhere: the error says where to give one. */
	assert_int_equal(load(V1, NULL, url, name, host, &e), ST_INVALID);
	assert_non_null(strstr(e.msg, "--base-url"));

	assert_int_equal(load(V1, "https://Host.example:8443/pre/fix//", url,
			      name, host, &e),
			 ST_OK);
	assert_string_equal(name, "Bar Uno e Due");
	assert_string_equal(host, "Host.example:8443");
	char address[ENTRY_VALUE_MAX + 1];
	assert_int_equal(load_all(V1, "https://Host.example:8443/pre/fix//",
				  url, name, host, address, &e),
			 ST_OK);
	assert_string_equal(address, "Via Roma 1");
	assert_int_equal(
		strncmp(url, "https://Host.example:8443/pre/fix/v/" V1 "#k=",
			strlen("https://Host.example:8443/pre/fix/v/" V1
			       "#k=")),
		0);
	assert_int_equal(pin_parse_venue_url(url, &u, &e), ST_OK);
	assert_string_equal(u.base, "https://Host.example:8443/pre/fix");
	assert_true(u.has_pin);
	newest(&c);
	assert_int_equal(u.pin.size, c.size);
	assert_true(pin_root_matches(&u.pin, c.root));
	assert_true(pin_key_matches(&u.pin, t.vkey, strlen(t.vkey)));

	/* The stored base URL when none is given. */
	assert_int_equal(
		store_meta_set(t.s, "base_url", "http://stored.example", NULL),
		ST_OK);
	assert_int_equal(load(V1, NULL, url, name, host, &e), ST_OK);
	assert_string_equal(host, "stored.example");
	assert_int_equal(strncmp(url, "http://stored.example/v/" V1 "#",
				 strlen("http://stored.example/v/" V1 "#")),
			 0);

	static const char *const bad[] = {
		"ftp://host.example",	   "host.example",
		"https://a b.example",	   "https://host.example/#x",
		"https://host.example/?x", "https://h\xc3\xa8.example"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (load(V1, bad[i], url, name, host, &e) != ST_INVALID)
			fail_msg("base %s taken", bad[i]);
	assert_int_equal(load("zzzzzzzz", NULL, url, name, host, &e),
			 ST_NOT_FOUND);
	assert_int_equal(load("BADVENUE", NULL, url, name, host, &e),
			 ST_NOT_FOUND);
}

/* Writes b to dir/name; the path into path. */
static void write_file(const char *name, const void *data, size_t len,
		       char *path)
{
	snprintf(path, PATH_MAX + 32, "%s/%s", t.dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_make_and_scan(void **state)
{
	(void)state;
	char url[PIN_URL_MAX + 1], name[ENTRY_VALUE_MAX + 1],
		host[PIN_HOST_MAX + 1], path[PATH_MAX + 32],
		text[PIN_URL_MAX + 1];
	struct err e;
	struct buf b;
	assert_int_equal(
		load(V1, "https://posters.example", url, name, host, &e),
		ST_OK);
	for (int p = POSTER_A4; p <= POSTER_LETTER; p++) {
		buf_init(&b, POSTER_MAX);
		assert_int_equal(make(V1, POSTER_PNG, p, (enum lang)(p + 1),
				      "https://posters.example", &b, &e),
				 ST_OK);
		write_file("poster.png", b.data, b.len, path);
		assert_int_equal(scan_image(path, text, sizeof text, &e),
				 ST_OK);
		assert_string_equal(text, url);
		/* Too little room for the code's text. */
		assert_int_equal(scan_image(path, text, 10, &e), ST_TOO_LARGE);
		assert_int_equal(scan_image(path, text, strlen(url), &e),
				 ST_TOO_LARGE);
		assert_int_equal(scan_image(path, text, strlen(url) + 1, &e),
				 ST_OK);
		if (p == POSTER_A6) {
			/* A truncated PNG. */
			write_file("cut.png", b.data, b.len / 2, path);
			assert_int_equal(
				scan_image(path, text, sizeof text, &e),
				ST_INVALID);
		}
		buf_free(&b);
	}

	struct buf en, it;
	buf_init(&en, POSTER_MAX);
	buf_init(&it, POSTER_MAX);
	assert_int_equal(
		make(V1, POSTER_PDF, POSTER_A5, LANG_EN, NULL, &en, &e), ST_OK);
	assert_int_equal(
		make(V1, POSTER_PDF, POSTER_A5, LANG_IT, NULL, &it, &e), ST_OK);
	assert_memory_equal(en.data, "%PDF-", 5);
	assert_true(en.len != it.len || memcmp(en.data, it.data, en.len) != 0);
	buf_reset(&en);
	assert_int_equal(
		make(V1, POSTER_SVG, POSTER_A4, LANG_EN, NULL, &en, &e), ST_OK);
	assert_non_null(strstr(buf_str(&en), "<svg"));
	assert_int_equal(
		make("zzzzzzzz", POSTER_SVG, POSTER_A4, LANG_EN, NULL, &en, &e),
		ST_NOT_FOUND);
	buf_free(&en);
	buf_free(&it);
}

static void test_render_refused(void **state)
{
	(void)state;
	struct buf b;
	struct err e;
	char long_url[PIN_URL_MAX + 1], long_text[POSTER_TEXT_MAX + 2];
	/* Within PIN_URL_MAX, beyond what a QR code of level Q holds. */
	memset(long_url, 'a', sizeof long_url);
	memcpy(long_url, "https://x.example/", 18);
	long_url[PIN_URL_MAX] = 0;
	memset(long_text, 'n', sizeof long_text);
	long_text[POSTER_TEXT_MAX + 1] = 0;
	struct poster_content ok = {.url = "https://x.example/v/" V1,
				    .name = "Bar",
				    .site = "x.example",
				    .venue = V1};
	struct poster_content c = ok;
	buf_init(&b, POSTER_MAX);
	buf_append_str(&b, "kept");
	c.url = long_url;
	assert_int_equal(
		poster_render(&c, POSTER_PNG, POSTER_A6, LANG_EN, &b, &e),
		ST_INVALID);
	assert_non_null(strstr(e.msg, "QR"));
	c = ok;
	c.name = long_text;
	assert_int_equal(
		poster_render(&c, POSTER_PDF, POSTER_A6, LANG_EN, &b, &e),
		ST_INVALID);
	c = ok;
	c.venue = NULL;
	assert_int_equal(
		poster_render(&c, POSTER_PDF, POSTER_A6, LANG_EN, &b, &e),
		ST_INVALID);
	assert_int_equal(poster_render(&ok, (enum poster_format)7, POSTER_A6,
				       LANG_EN, &b, &e),
			 ST_INVALID);
	assert_int_equal(poster_render(&ok, POSTER_PDF, (enum poster_paper)4,
				       LANG_EN, &b, &e),
			 ST_INVALID);
	assert_int_equal(poster_render(&ok, POSTER_PDF, POSTER_A4,
				       (enum lang)LANG__COUNT, &b, &e),
			 ST_INVALID);
	assert_int_equal(b.len, 4);
	assert_string_equal(buf_str(&b), "kept");
	/* A name of exactly the limit is taken. */
	long_text[POSTER_TEXT_MAX] = 0;
	c = ok;
	c.name = long_text;
	assert_int_equal(
		poster_render(&c, POSTER_SVG, POSTER_A6, LANG_EN, &b, &e),
		ST_OK);
	buf_free(&b);
}

static void test_scan_refused(void **state)
{
	(void)state;
	char path[PATH_MAX + 32], text[256];
	struct err e;

	/* A blank PNG: no code. */
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = 800;
	img.height = 800;
	img.format = PNG_FORMAT_GRAY;
	uint8_t *px = malloc(800 * 800);
	assert_non_null(px);
	memset(px, 0xff, 800 * 800);
	snprintf(path, sizeof path, "%s/blank.png", t.dir);
	assert_true(png_image_write_to_file(&img, path, 0, px, 0, NULL));
	free(px);
	assert_int_equal(scan_image(path, text, sizeof text, &e), ST_NOT_FOUND);

	write_file("text.png", "not an image at all\n", 20, path);
	assert_int_equal(scan_image(path, text, sizeof text, &e), ST_INVALID);
	static const uint8_t not_jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10,
					   'J',	 'F',  'I',  'F',  0x00, 0x01};
	write_file("bad.jpg", not_jpeg, sizeof not_jpeg, path);
	assert_int_equal(scan_image(path, text, sizeof text, &e), ST_INVALID);
	/* A JPEG whose frame says 65535 x 65535 pixels. */
	static const uint8_t huge[] = {0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b,
				       0x08, 0xff, 0xff, 0xff, 0xff, 0x01,
				       0x01, 0x11, 0x00, 0xff, 0xd9};
	write_file("huge.jpg", huge, sizeof huge, path);
	assert_int_equal(scan_image(path, text, sizeof text, &e), ST_INVALID);
	write_file("empty.png", "", 0, path);
	assert_int_equal(scan_image(path, text, sizeof text, &e), ST_INVALID);
	assert_int_equal(scan_image(t.dir, text, sizeof text, &e), ST_INVALID);
	snprintf(path, sizeof path, "%s/missing.png", t.dir);
	enum status r = scan_image(path, text, sizeof text, &e);
	assert_int_not_equal(r, ST_OK);
	assert_int_not_equal(r, ST_NOT_FOUND);
	assert_true(e.msg[0] != 0);
}

/* The kept checkpoint of size (checked against the log key). */
static void kept(int64_t size, struct checkpoint *c)
{
	struct buf note;
	struct err e;
	buf_init(&note, 1 << 16);
	assert_int_equal(store_checkpoint(t.s, size, &note, NULL, NULL), ST_OK);
	assert_int_equal(
		checkpoint_open(buf_str(&note), note.len, &t.key, c, &e),
		ST_OK);
	assert_int_equal(c->size, size);
	buf_free(&note);
}

/* The smallest kept size above index, from every kept size. */
static int64_t smallest_above(int64_t index)
{
	int64_t *sizes = NULL, got = -1;
	size_t n = 0;
	assert_int_equal(store_checkpoint_sizes(t.s, &sizes, &n, NULL), ST_OK);
	for (size_t i = 0; i < n && got < 0; i++)
		if (sizes[i] > index)
			got = sizes[i];
	free(sizes);
	return got;
}

/* Venue's poster pins the checkpoint of size, root and all. */
static void pins(const char *venue, int64_t size)
{
	struct export_poster p;
	struct checkpoint c;
	struct err e;
	assert_int_equal(export_poster(t.s, venue, "https://h.example", &p, &e),
			 ST_OK);
	kept(size, &c);
	assert_int_equal(p.size, size);
	assert_memory_equal(p.root, c.root, HASH_LEN);
}

/* A poster pins the smallest kept checkpoint holding its venue's newest
 * entry: the same after other venues' entries, a newer one after the
 * venue's own. */
static void test_pin_per_venue(void **state)
{
	(void)state;
	struct checkpoint c;
	struct export_poster p;
	struct err e;
	int64_t v1 = tl_add_document(&t, V1, 3);
	int64_t v1_pin = smallest_above(v1);
	tl_add_venue(&t, "p3x8vz2e", "Trattoria Due");
	int64_t v2 = tl_add_document(&t, "p3x8vz2e", 1);
	tl_add_venue(&t, "abcdefgh", "Tre");
	newest(&c);
	assert_true(v1_pin == v1 + 1 && v1_pin < c.size);
	pins(V1, v1_pin);
	pins("p3x8vz2e", smallest_above(v2));
	assert_true(smallest_above(v2) < c.size);
	pins("abcdefgh", c.size);
	/* The pin given (publish's) is kept. */
	assert_int_equal(
		export_poster_at(t.s, V1, "https://h.example", c.size, &p, &e),
		ST_OK);
	assert_int_equal(p.size, c.size);
	/* The venue's new entry: the newest. */
	int64_t again = tl_add_document(&t, V1, 4);
	newest(&c);
	assert_int_equal(c.size, again + 1);
	pins(V1, c.size);
	pins("p3x8vz2e", smallest_above(v2));
	/* A venue without entries has no poster. */
	assert_int_equal(
		export_poster(t.s, "zzzzzzzz", "https://h.example", &p, &e),
		ST_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_make_and_scan),
		cmocka_unit_test(test_render_refused),
		cmocka_unit_test(test_scan_refused),
		cmocka_unit_test(test_pin_per_venue),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
