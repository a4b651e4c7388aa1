/*
 * test_render.c: the template renderer (src/web/render.c) and the pages
 * built on it (src/web/pages.c).
 *
 * Escaping of & < > " ' and of script in values, markup only through
 * render_set_markup; sections over lists, flags and texts, inverted
 * sections, lookups from an item out to the root; missing names and wrong
 * kinds refused with the line, the output left as it was; a table of
 * hostile templates, each refused when compiled for its own reason; the
 * embedded templates; then the pages: language choice, the lookup path,
 * assets by exact name, override directories, and a venue page rendered
 * from a hostile bundle (script in the name, title and reason), which must
 * come out escaped and marked as failing the server's checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bundle.h"
#include "core/codec.h"
#include "core/merkle.h"
#include "base/embedded.h"
#include "web/pages.h"
#include "web/render.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Renders text with d into a fresh buffer; returns the status, the output
 * in *out (caller frees) and the message in e. */
static enum status render_str(const char *text, struct render_data *d,
			      char **out, struct err *e)
{
	struct render_tmpl *t = NULL;
	struct buf b;
	enum status st;

	buf_init(&b, 1 << 20);
	*out = NULL;
	st = render_compile("t.html", text, strlen(text), &t, e);
	if (st == ST_OK)
		st = render_exec(t, d, &b, e);
	render_tmpl_free(t);
	if (st == ST_OK) {
		buf_append(&b, "", 0);
		*out = (char *)buf_steal(&b, NULL);
	}
	buf_free(&b);
	return st;
}

/* Renders and checks the output equals want. */
static void expect(const char *text, struct render_data *d, const char *want)
{
	struct err e = {{0}};
	char *got = NULL;
	enum status st = render_str(text, d, &got, &e);
	if (st != ST_OK)
		fail_msg("\"%s\": %s: %s", text, status_str(st), e.msg);
	assert_string_equal(got, want);
	free(got);
}

/* Rendering fails with st and a message containing what. */
static void expect_fail(const char *text, struct render_data *d,
			enum status want, const char *what)
{
	struct err e = {{0}};
	char *got = NULL;
	enum status st = render_str(text, d, &got, &e);
	if (st != want)
		fail_msg("\"%s\": %s, want %s (%s)", text, status_str(st),
			 status_str(want), e.msg);
	if (strstr(e.msg, what) == NULL)
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, e.msg,
			 what);
	free(got);
}

static void test_escape(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1024);
	assert_int_equal(render_escape(&b, "<>&\"'", 5), ST_OK);
	assert_string_equal(buf_str(&b), "&lt;&gt;&amp;&quot;&#39;");
	buf_reset(&b);
	assert_int_equal(render_escape(&b, "plain text é", 13), ST_OK);
	assert_string_equal(buf_str(&b), "plain text é");
	buf_reset(&b);
	/* Embedded NULs are data too (len is the length). */
	assert_int_equal(render_escape(&b, "a<\0>", 4), ST_OK);
	assert_int_equal(b.len, 10);
	buf_free(&b);

	/* A full buffer: refused, left as it was. */
	buf_init(&b, 8);
	assert_int_equal(buf_append_str(&b, "keep"), ST_OK);
	assert_int_equal(render_escape(&b, "<<", 2), ST_TOO_LARGE);
	assert_string_equal(buf_str(&b), "keep");
	buf_free(&b);
}

static void test_values_escaped(void **state)
{
	(void)state;
	struct render_data *d = render_data_new();
	struct render_obj *r = render_root(d);
	assert_non_null(d);
	render_set_text(r, "name", "<script>alert(\"x\")</script> & 'Bar'");
	render_set_text(r, "title", "\"><img src=x onerror=alert(1)>");
	render_set_markup(r, "html", "<b>bold</b>", 11);
	render_set_int(r, "n", -42);
	render_set_textf(r, "f", "%s=%d", "<a>", 7);
	expect("<h1>{{name}}</h1>", d,
	       "<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
	       "&#39;Bar&#39;</h1>");
	expect("<a title=\"{{title}}\" data-x='{{title}}'>", d,
	       "<a title=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\" "
	       "data-x='&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'>");
	expect("{{html}}|{{n}}|{{f}}", d, "<b>bold</b>|-42|&lt;a&gt;=7");
	/* Replacing a value. */
	render_set_text(r, "n", "7");
	expect("{{n}}", d, "7");
	/* A long formatted value (past the small stack buffer). */
	char big[2000];
	memset(big, '<', sizeof big - 1);
	big[sizeof big - 1] = 0;
	render_set_textf(r, "big", "%s", big);
	struct err e = {{0}};
	char *got = NULL;
	assert_int_equal(render_str("{{big}}", d, &got, &e), ST_OK);
	/* got is set past the assertion, which does not return on failure
	 * (cmocka 1.1.5 does not say so to the analyzer). */
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
	assert_int_equal(strlen(got), 4 * (sizeof big - 1));
	assert_null(strchr(got, '<'));
	free(got);
	render_data_free(d);
}

static void test_sections(void **state)
{
	(void)state;
	struct render_data *d = render_data_new();
	struct render_obj *r = render_root(d);
	render_set_text(r, "site", "S");
	render_set_flag(r, "yes", true);
	render_set_flag(r, "no", false);
	render_set_text(r, "empty", "");
	render_set_text(r, "full", "x<");
	render_set_list(r, "none");
	for (int i = 1; i <= 3; i++) {
		struct render_obj *it = render_add_item(r, "items");
		render_set_int(it, "i", i);
		render_set_flag(it, "odd", i % 2);
		if (i == 2) {
			render_set_text(render_add_item(it, "sub"), "v", "a");
			render_set_text(render_add_item(it, "sub"), "v", "<b>");
		} else {
			render_set_list(it, "sub");
		}
	}
	expect("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{^no}}!N{{/no}}{{^yes}}!Y{{/"
	       "yes}}",
	       d, "Y!N");
	expect("[{{#empty}}E{{/empty}}{{^empty}}e{{/empty}}{{#full}}{{full}}{{/"
	       "full}}]",
	       d, "[ex&lt;]");
	expect("{{#none}}x{{/none}}{{^none}}no items{{/none}}", d, "no items");
	expect("{{#items}}<{{i}}{{#odd}}o{{/"
	       "odd}}{{site}}{{#sub}}({{v}}{{i}}){{/sub}}>{{/items}}",
	       d, "<1oS><2S(a2)(&lt;b&gt;2)><3oS>");
	expect("{{^items}}x{{/items}}{{!a comment {{with braces}}y", d, "y");
	expect("a { b } c }} {x} {{!}}", d, "a { b } c }} {x} ");
	/* An item's value hides the root's of the same name. */
	struct render_obj *it = render_add_item(r, "shadow");
	render_set_text(it, "site", "inner");
	expect("{{#shadow}}{{site}}{{/shadow}}{{site}}", d, "innerS");
	render_data_free(d);
}

static void test_render_errors(void **state)
{
	(void)state;
	struct render_data *d = render_data_new();
	struct render_obj *r = render_root(d);
	render_set_text(r, "a", "A");
	render_set_flag(r, "f", true);
	render_add_item(r, "l");
	expect_fail("x\n\n{{missing}}", d, ST_INVALID,
		    "t.html:3: no value named \"missing\"");
	expect_fail("{{#missing}}x{{/missing}}", d, ST_INVALID, "missing");
	expect_fail("{{#l}}{{nope}}{{/l}}", d, ST_INVALID, "nope");
	expect_fail("{{f}}", d, ST_INVALID, "is a flag");
	expect_fail("{{l}}", d, ST_INVALID, "is a list");

	/* On failure the output is left as it was. */
	struct render_tmpl *t = NULL;
	struct err e = {{0}};
	struct buf b;
	const char *text = "{{a}}{{a}}{{missing}}";
	buf_init(&b, 1024);
	buf_append_str(&b, "before");
	assert_int_equal(render_compile("t", text, strlen(text), &t, &e),
			 ST_OK);
	assert_int_equal(render_exec(t, d, &b, &e), ST_INVALID);
	assert_string_equal(buf_str(&b), "before");
	/* A full output: ST_TOO_LARGE, left as it was. */
	struct buf small;
	buf_init(&small, 3);
	const char *t2 = "{{a}}{{a}}{{a}}{{a}}";
	struct render_tmpl *tt = NULL;
	assert_int_equal(render_compile("t", t2, strlen(t2), &tt, &e), ST_OK);
	assert_int_equal(render_exec(tt, d, &small, &e), ST_TOO_LARGE);
	assert_int_equal(small.len, 0);
	render_tmpl_free(tt);
	render_tmpl_free(t);
	buf_free(&b);
	buf_free(&small);
	render_data_free(d);

	/* A setter's failure is kept and returned by render_exec. */
	d = render_data_new();
	r = render_root(d);
	render_set_text(r, "a", "A");
	assert_null(render_add_item(r, "a")); /* a is not a list */
	assert_int_not_equal(render_data_status(d), ST_OK);
	expect_fail("{{a}}", d, ST_INTERNAL, "setting values");
	render_data_free(d);
	d = render_data_new();
	r = render_root(d);
	assert_int_not_equal(render_set_text(r, "bad name", "x"), ST_OK);
	assert_int_not_equal(render_set_text(r, "a", NULL), ST_OK);
	expect_fail("x", d, ST_INTERNAL, "setting values");
	render_data_free(d);
	/* NULL objects are refused, not dereferenced. */
	assert_int_equal(render_set_text(NULL, "a", "x"), ST_NOMEM);
	assert_int_equal(render_set_flag(NULL, "a", true), ST_NOMEM);
	assert_null(render_add_item(NULL, "a"));
	assert_null(render_root(NULL));
	render_data_free(NULL);
	render_tmpl_free(NULL);
}

static void test_hostile_templates(void **state)
{
	(void)state;
	static const struct {
		const char *text, *why;
	} cases[] = {
		{"abc {{", "t.html:1: \"{{\" without \"}}\""},
		{"a\nb\n{{name", "t.html:3:"},
		{"{{{name}}}", "not a template tag"},
		{"{{ name }}", "is not a tag"},
		{"{{}}", "is not a tag"},
		{"{{#}}{{/}}", "is not a tag"},
		{"{{&name}}", "is not a tag"},
		{"{{>partial}}", "is not a tag"},
		{"{{=<% %>=}}", "is not a tag"},
		{"{{na.me}}", "is not a tag"},
		{"{{name\n}}", "is not a tag"},
		{"{{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}}", "is not a tag"},
		{"{{#a}}", "{{#a}} is never closed"},
		{"{{^a}}x", "{{^a}} is never closed"},
		{"x\n{{/a}}", "t.html:2: {{/a}} closes no section"},
		{"{{#a}}{{#b}}{{/a}}{{/b}}", "{{/a}} closes {{#b}} of line 1"},
		{"{{#a}}\n{{/b}}", "t.html:2: {{/b}} closes {{#a}}"},
		{"{{!comment", "without"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct render_tmpl *t = (struct render_tmpl *)1;
		struct err e = {{0}};
		enum status st = render_compile("t.html", cases[i].text,
						strlen(cases[i].text), &t, &e);
		if (st != ST_INVALID)
			fail_msg("case %zu \"%s\": %s", i, cases[i].text,
				 status_str(st));
		assert_null(t);
		if (strstr(e.msg, cases[i].why) == NULL)
			fail_msg("case %zu \"%s\": \"%s\" lacks \"%s\"", i,
				 cases[i].text, e.msg, cases[i].why);
	}

	/* Nesting: 16 deep compiles, 17 does not. */
	char deep[2 * 17 * 6 + 1];
	for (int n = 16; n <= 17; n++) {
		size_t len = 0;
		for (int i = 0; i < 2 * n; i++, len += 6)
			memcpy(deep + len, i < n ? "{{#a}}" : "{{/a}}", 6);
		deep[len] = 0;
		struct render_tmpl *t = NULL;
		struct err e = {{0}};
		enum status st =
			render_compile("t.html", deep, strlen(deep), &t, &e);
		assert_int_equal(st, n == 16 ? ST_OK : ST_INVALID);
		if (n == 17)
			assert_non_null(strstr(e.msg, "nested deeper"));
		render_tmpl_free(t);
	}

	/* A NUL byte, and a template too large. */
	struct render_tmpl *t = NULL;
	struct err e = {{0}};
	assert_int_equal(render_compile("t.html", "ab\n\0cd", 6, &t, &e),
			 ST_INVALID);
	assert_non_null(strstr(e.msg, "t.html:2: NUL byte"));
	size_t big = RENDER_TEMPLATE_MAX + 1;
	char *huge = malloc(big);
	assert_non_null(huge);
	memset(huge, 'x', big);
	assert_int_equal(render_compile("t.html", huge, big, &t, &e),
			 ST_TOO_LARGE);
	assert_null(t);
	/* Many tags: fine. */
	for (size_t i = 0; i + 5 <= 100000; i += 5)
		memcpy(huge + i, "{{a}}", 5);
	assert_int_equal(render_compile("t.html", huge, 100000, &t, &e), ST_OK);
	struct render_data *d = render_data_new();
	render_set_text(render_root(d), "a", "&");
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(render_exec(t, d, &b, &e), ST_OK);
	assert_int_equal(b.len, 100000);
	buf_free(&b);
	render_data_free(d);
	render_tmpl_free(t);
	free(huge);
}

static void test_embedded_templates(void **state)
{
	(void)state;
	size_t n = 0;
	for (const struct embedded_file *f = embedded_files; f->name; f++) {
		if (strncmp(f->name, "templates/", 10) != 0)
			continue;
		struct render_tmpl *t = NULL;
		struct err e = {{0}};
		if (render_compile(f->name, (const char *)f->data, f->len, &t,
				   &e) != ST_OK)
			fail_msg("%s", e.msg);
		render_tmpl_free(t);
		n++;
	}
	assert_true(n >= 4);
	struct err e = {{0}};
	assert_int_equal(pages_init(NULL, NULL, &e), ST_OK);
	pages_cleanup();
}

static void test_lookup_path(void **state)
{
	(void)state;
	char p[64];
	assert_int_equal(pages_lookup_path("k7m2q9xa", NULL, p, sizeof p),
			 ST_OK);
	assert_string_equal(p, "/v/k7m2q9xa");
	assert_int_equal(pages_lookup_path(" K7M2-Q9XA ", "it", p, sizeof p),
			 ST_OK);
	assert_string_equal(p, "/v/k7m2q9xa?lang=it");
	assert_int_equal(pages_lookup_path("k7m2q9xa", "<x>", p, sizeof p),
			 ST_OK);
	assert_string_equal(p, "/v/k7m2q9xa");
	static const char *const bad[] = {
		NULL,	    "",		 "k7m2q9x",   "k7m2q9xaa",   "k7m2q9x1",
		"k7m2q9xl", "../../etc", "k7m2%2f9x", "k7m2q9x\xc3",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_int_equal(pages_lookup_path(bad[i], NULL, p, sizeof p),
				 ST_INVALID);
	assert_int_equal(pages_lookup_path("k7m2q9xa", NULL, p, 8),
			 ST_TOO_LARGE);
}

static void test_assets(void **state)
{
	(void)state;
	size_t len = 0;
	const char *mime = NULL;
	const unsigned char *p = pages_asset("verify.js", &len, &mime);
	assert_non_null(p);
	assert_true(len > 1000);
	assert_string_equal(mime, "text/javascript; charset=utf-8");
	assert_non_null(pages_asset("style.css", &len, &mime));
	assert_string_equal(mime, "text/css; charset=utf-8");
	static const char *const bad[] = {
		"",	      "nope.js",     "../assets/verify.js",
		"/verify.js", "verify.js/",  ".hidden.js",
		"verify",     "verify.js\n", "VERIFY.JS",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_null(pages_asset(bad[i], &len, &mime));
	assert_null(pages_asset(NULL, &len, &mime));

	/* The precompressed copies: gzip members of exactly those bytes. */
	static const char *const zipped[] = {"verify.js", "style.css"};
	for (size_t i = 0; i < ARRAY_LEN(zipped); i++) {
		size_t zlen = 0;
		assert_non_null(pages_asset(zipped[i], &len, &mime));
		const unsigned char *z = pages_asset_gzip(zipped[i], &zlen);
		if (z == NULL)
			fail_msg("assets/%s.gz is missing or stale: gzip -9nkf "
				 "assets/%s",
				 zipped[i], zipped[i]);
		assert_true(zlen < len);
		assert_int_equal(z[0], 0x1f);
		assert_int_equal(z[1], 0x8b);
		assert_int_equal(z[zlen - 4] | z[zlen - 3] << 8, len & 0xffff);
	}
	size_t zlen = 0;
	assert_null(pages_asset_gzip("nope.js", &zlen));
	assert_null(pages_asset_gzip("../verify.js", &zlen));
	assert_null(pages_asset_gzip(NULL, &zlen));
}

/* A temporary directory with the given files. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void remove_dir(const char *dir, const char *const *names, size_t n)
{
	char path[512];
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void test_overrides(void **state)
{
	(void)state;
	char tdir[] = "/tmp/sanilog-render-XXXXXX";
	char adir[] = "/tmp/sanilog-assets-XXXXXX";
	struct err e = {{0}};
	struct buf b;
	size_t len = 0;
	const char *mime = NULL;

	assert_non_null(mkdtemp(tdir));
	assert_non_null(mkdtemp(adir));
	/* A broken template: refused, naming the file and line. */
	write_file(tdir, "index.html", "<main>\n{{#open}}\n</main>\n");
	assert_int_equal(pages_init(tdir, NULL, &e), ST_INVALID);
	assert_non_null(strstr(e.msg, "index.html:2"));
	/* A good one replaces the embedded one; the others stay. */
	write_file(tdir, "index.html",
		   "<main><h1 class=custom>{{t_h1}}</h1></main>\n");
	write_file(adir, "style.css", "body{color:red}");
	write_file(adir, "logo.svg", "<svg/>");
	write_file(adir, "notes.exe", "x");
	assert_int_equal(pages_init(tdir, adir, &e), ST_OK);
	buf_init(&b, 1 << 20);
	assert_int_equal(pages_index(LANG_IT, &b, &e), ST_OK);
	assert_non_null(strstr(buf_str(&b), "<h1 class=custom>"));
	assert_non_null(strstr(buf_str(&b), "<html lang=\"it\">"));
	buf_reset(&b);
	assert_int_equal(pages_error(LANG_EN, 404, "/v/x", NULL, &b, &e),
			 ST_OK);
	assert_non_null(strstr(buf_str(&b), "Not found"));
	const unsigned char *p = pages_asset("style.css", &len, &mime);
	assert_non_null(p);
	assert_int_equal(len, 15);
	assert_memory_equal(p, "body{color:red}", 15);
	assert_non_null(pages_asset("logo.svg", &len, &mime));
	assert_string_equal(mime, "image/svg+xml");
	assert_null(pages_asset("notes.exe", &len, &mime));
	assert_non_null(pages_asset("verify.js", &len, &mime)); /* embedded */
	/* The .gz of an overridden asset is not that of the override. */
	size_t zlen = 0;
	assert_null(pages_asset_gzip("style.css", &zlen));
	assert_non_null(pages_asset_gzip("verify.js", &zlen));
	pages_cleanup();
	/* Back to the embedded ones. */
	assert_int_equal(pages_asset("style.css", &len, &mime) != NULL, 1);
	assert_true(len != 15);
	buf_free(&b);
	static const char *const tn[] = {"index.html"};
	static const char *const an[] = {"style.css", "logo.svg", "notes.exe"};
	remove_dir(tdir, tn, 1);
	remove_dir(adir, an, 3);
	/* A directory that is not there. */
	assert_int_equal(pages_init(NULL, "/nonexistent/sanilog", &e), ST_IO);
}

static void test_index_error_pages(void **state)
{
	(void)state;
	struct err e = {{0}};
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(pages_index(LANG_EN, &b, &e), ST_OK);
	const char *s = buf_str(&b);
	assert_non_null(strstr(s, "<html lang=\"en\">"));
	assert_non_null(strstr(s, "action=\"/v/\""));
	assert_non_null(strstr(s, "<label for=\"id\">"));
	assert_non_null(strstr(s, "<a href=\"?lang=it\" lang=\"it\">"));
	assert_null(strstr(s, "style=")); /* CSP: no inline style */
	assert_null(strstr(s, "<script>"));
	buf_reset(&b);
	/* The request's path is echoed only when plain. */
	assert_int_equal(
		pages_error(LANG_IT, 404, "/v/\"><script>", NULL, &b, &e),
		ST_OK);
	s = buf_str(&b);
	assert_non_null(strstr(s, "Non trovato"));
	assert_null(strstr(s, "<script>"));
	assert_non_null(strstr(s, "<a href=\"?lang=en\" lang=\"en\">"));
	buf_reset(&b);
	assert_int_equal(pages_error(LANG_EN, 999, NULL, NULL, &b, &e), ST_OK);
	assert_non_null(strstr(buf_str(&b), "Something went wrong"));
	assert_null(strstr(buf_str(&b), "Details"));
	assert_null(strstr(buf_str(&b), "href=\"/owner"));
	buf_reset(&b);
	/* What exactly was wrong, escaped; on the owner's pages, the way
	 * back to the dashboard. */
	assert_int_equal(pages_error(LANG_EN, 400, "/owner/revoke",
				     "reason: <missing>", &b, &e),
			 ST_OK);
	s = buf_str(&b);
	assert_non_null(strstr(s, "Details: reason: &lt;missing&gt;"));
	assert_non_null(strstr(s, "href=\"/owner?lang=en\""));
	assert_non_null(strstr(s, "Back to your dashboard"));
	buf_free(&b);
}

/* Every HTTP status the server answers with (the status table's, and 405
 * from the routing) has its own heading in each language, not the
 * fallback of 500. */
static void test_error_page_texts(void **state)
{
	(void)state;
	struct err e = {{0}};
	struct buf b;
	int codes[ST__COUNT + 1];
	size_t n = 0;
	for (int st = ST_OK + 1; st < ST__COUNT; st++)
		codes[n++] = status_http((enum status)st);
	codes[n++] = 405;
	buf_init(&b, 1 << 20);
	for (size_t i = 0; i < n; i++) {
		if (codes[i] == 500)
			continue;
		buf_reset(&b);
		assert_int_equal(
			pages_error(LANG_EN, codes[i], "/", NULL, &b, &e),
			ST_OK);
		if (strstr(buf_str(&b), "Something went wrong") != NULL)
			fail_msg("no English text for %d", codes[i]);
		buf_reset(&b);
		assert_int_equal(
			pages_error(LANG_IT, codes[i], "/", NULL, &b, &e),
			ST_OK);
		if (strstr(buf_str(&b), "Qualcosa è andato storto") != NULL)
			fail_msg("no Italian text for %d", codes[i]);
	}
	buf_free(&b);
}

/* Every page in every language, and no word asked for that no catalogue
 * has (here or in the tests before, which render venue pages). */
static void test_every_language(void **state)
{
	(void)state;
	struct err e = {{0}};
	struct buf b;
	static const int codes[] = {400, 401, 403, 404, 405, 409,
				    413, 415, 429, 500, 501, 503};
	buf_init(&b, 1 << 20);
	for (int l = 0; l < LANG__COUNT; l++) {
		char want[16];
		snprintf(want, sizeof want, "lang=\"%s\"", lang_code(l));
		buf_reset(&b);
		assert_int_equal(pages_index((enum lang)l, &b, &e), ST_OK);
		assert_non_null(strstr(buf_str(&b), want));
		/* The switch offers every other language. */
		for (int o = 0; o < LANG__COUNT; o++) {
			char link[32];
			snprintf(link, sizeof link, "href=\"?lang=%s\"",
				 lang_code(o));
			if ((strstr(buf_str(&b), link) != NULL) != (o != l))
				fail_msg("%s: link to %s", lang_code(l),
					 lang_code(o));
		}
		for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
			buf_reset(&b);
			assert_int_equal(pages_error((enum lang)l, codes[i],
						     "/", NULL, &b, &e),
					 ST_OK);
		}
	}
	buf_free(&b);
	assert_int_equal(words_missing(), 0);
}

/* Appends an entry to the bundle, chaining prev; returns its leaf. */
static void add_entry(struct bundle *b, int64_t index, const char *text,
		      uint8_t leaf[HASH_LEN])
{
	assert_int_equal(
		bundle_add(b, false, index, text, strlen(text), NULL, 0),
		ST_OK);
	merkle_leaf_hash(leaf, text, strlen(text));
}

/* The doc line of a document of 10 bytes whose SHA-256 is all zeros. */
#define DOC_ZERO                                                               \
	"doc 0000000000000000000000000000000000000000000000000000000000000000" \
	" 10 application/pdf\n"

/* Appends venue k7m2q9xa's entry of venue-seq index, whose lines after
 * prev are body, chained to the entry of leaf; leaf becomes its own. */
static void add_next(struct bundle *b, int64_t index, const char *body,
		     uint8_t leaf[HASH_LEN])
{
	char hex[2 * HASH_LEN + 1], text[2048];

	hex_encode(hex, leaf, HASH_LEN);
	snprintf(text, sizeof text,
		 "sanilog-entry v1\nvenue k7m2q9xa\nvenue-seq %lld\nprev "
		 "%s\n%s",
		 (long long)index, hex, body);
	add_entry(b, index, text, leaf);
}

static void test_hostile_venue_page(void **state)
{
	(void)state;
	struct bundle *b = NULL;
	uint8_t leaf[HASH_LEN];
	struct err e = {{0}};
	struct buf out;

	assert_int_equal(bundle_new("log.example/<b>", "not a key",
				    "no checkpoint", "k7m2q9xa", &b),
			 ST_OK);
	add_entry(b, 0,
		  "sanilog-entry v1\nvenue k7m2q9xa\nvenue-seq 0\nprev -\n"
		  "kind venue\nname <script>alert(\"name\")</script> & 'Bar'\n"
		  "address Via <i>Roma</i> 1\ninterval-days 30\n"
		  "logged 2026-11-25T12:00:00Z\n",
		  leaf);
	add_next(b, 1,
		 "kind document\ntype sanitization\n"
		 "title <img src=x onerror=alert(1)>\nperformed 2026-11-20\n"
		 "provider \"><script>alert(2)</script>\n" DOC_ZERO
		 "submitted-by owner\nlogged 2026-11-25T12:00:00Z\n",
		 leaf);
	add_next(b, 2,
		 "kind revocation\nrevokes 1\n"
		 "reason </li></ul><script>alert(3)</script>\n"
		 "submitted-by owner\nlogged 2026-11-25T12:00:00Z\n",
		 leaf);

	buf_init(&out, 1 << 20);
	assert_int_equal(pages_venue_bundle(b, "https://x.example", LANG_EN,
					    "2026-11-25", -1, &out, &e),
			 ST_OK);
	const char *s = buf_str(&out);
	assert_null(strstr(s, "<script>alert"));
	assert_null(strstr(s, "<img"));
	assert_null(strstr(s, "<i>"));
	assert_null(strstr(s, "<b>"));
	assert_null(strstr(s, "style="));
	assert_non_null(strstr(s, "&lt;script&gt;alert(&quot;name&quot;)"
				  "&lt;/script&gt; &amp; &#39;Bar&#39;"));
	assert_non_null(strstr(s, "&lt;img src=x onerror=alert(1)&gt;"));
	assert_non_null(strstr(s, "&lt;/li&gt;&lt;/ul&gt;&lt;script&gt;"));
	/* The only scripts: verify.js, from /assets. */
	assert_non_null(strstr(s, "<script src=\"/assets/verify.js\" defer>"
				  "</script>"));
	const char *p = s;
	int scripts = 0;
	while ((p = strstr(p, "<script")) != NULL) {
		scripts++;
		p++;
	}
	assert_int_equal(scripts, 1);
	/* The checkpoint is not signed: the server's own check fails, and
	 * the page says so; the revoked document is shown, marked. */
	assert_non_null(strstr(s, "class=\"alarm\""));
	assert_non_null(strstr(s, "<li id=\"s1\" class=\"rv\">"));
	assert_non_null(strstr(s, "data-venue=\"k7m2q9xa\""));
	assert_non_null(strstr(s, "id=\"verify-status\" data-state=\"nojs\""));
	/* No valid sanitization, as its only one was revoked: said so, not
	 * "not logged"; the server's check failed: the card is red from the
	 * start; verify.js's words, escaped as any value. */
	static const char *const verdict[] = {
		"No sanitization on record",
		"certificate was revoked, and no valid one",
		"data-freshness=\"none\"",
		"<section id=\"state\" class=\"state\" data-verdict=\"failed\"",
		"data-words=\"{&quot;js_",
	};
	for (size_t i = 0; i < ARRAY_LEN(verdict); i++)
		if (strstr(s, verdict[i]) == NULL)
			fail_msg("no %s", verdict[i]);
	assert_null(strstr(s, "<p>This venue has not logged any"));
	assert_non_null(
		strstr(s, "sanilog verify https://x.example/v/k7m2q9xa"));
	buf_reset(&out);
	assert_int_equal(pages_venue_bundle(b, NULL, LANG_IT, "2026-11-25", -1,
					    &out, &e),
			 ST_OK);
	assert_non_null(strstr(buf_str(&out), "<html lang=\"it\">"));
	assert_non_null(strstr(buf_str(&out), "Revocato:"));
	/* A bad date for today is refused. */
	buf_reset(&out);
	assert_int_not_equal(pages_venue_bundle(b, NULL, LANG_EN, "2026-13-01",
						-1, &out, &e),
			     ST_OK);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	bundle_free(b);
}

/*
 * The card: a current, then overdue, then expired sanitization by
 * today's date, the date the next one is due (the interval of the newest
 * venue entry, or the expiry when sooner), and the venue's change of
 * interval in the history.
 */
static void test_venue_verdict(void **state)
{
	(void)state;
	struct bundle *b = NULL;
	uint8_t leaf[HASH_LEN];
	struct err e = {{0}};
	struct buf out;
	static const struct {
		const char *today, *freshness;
	} days[] = {
		{"2026-11-25", "current"},
		{"2026-12-01", "overdue"},
		{"2026-12-11", "expired"},
	};

	assert_int_equal(bundle_new("log.example", "not a key", "no checkpoint",
				    "k7m2q9xa", &b),
			 ST_OK);
	add_entry(b, 0,
		  "sanilog-entry v1\nvenue k7m2q9xa\nvenue-seq 0\nprev -\n"
		  "kind venue\nname Bar\naddress Via Roma 1\n"
		  "interval-days 30\nlogged 2026-11-01T12:00:00Z\n",
		  leaf);
	add_next(b, 1,
		 "kind document\ntype sanitization\ntitle Ozono\n"
		 "performed 2026-11-20\nexpires 2026-12-10\n" DOC_ZERO
		 "submitted-by owner\nlogged 2026-11-21T12:00:00Z\n",
		 leaf);
	add_next(b, 2,
		 "kind venue\nname Bar\naddress Via Roma 1\n"
		 "interval-days 10\nlogged 2026-11-22T12:00:00Z\n",
		 leaf);

	buf_init(&out, 1 << 20);
	for (size_t i = 0; i < ARRAY_LEN(days); i++) {
		char want[64];
		buf_reset(&out);
		assert_int_equal(pages_venue_bundle(b, NULL, LANG_EN,
						    days[i].today, -1, &out,
						    &e),
				 ST_OK);
		const char *s = buf_str(&out);
		snprintf(want, sizeof want, "data-freshness=\"%s\"",
			 days[i].freshness);
		if (strstr(s, want) == NULL)
			fail_msg("%s: no %s", days[i].today, want);
		/* 2026-11-20 + 10 days, before the expiry. */
		assert_non_null(strstr(s, "data-next=\"2026-11-30\""));
		assert_non_null(strstr(s, "<dt>Next sanitization due</dt><dd>"
					  "<time datetime=\"2026-11-30\">30 "
					  "November 2026</time>"));
		/* The change of interval, and only it. */
		assert_non_null(strstr(s, "<li id=\"s2\" class=\"vc\"><h3>"
					  "Venue details changed</h3>"));
		assert_non_null(strstr(
			s, "<p>Sanitization required every 10 days</p>"));
		assert_null(strstr(s, "<p>Name: Bar</p>"));
	}
	buf_reset(&out);
	assert_int_equal(pages_venue_bundle(b, NULL, LANG_DE, "2026-11-25", -1,
					    &out, &e),
			 ST_OK);
	assert_non_null(strstr(buf_str(&out), "Nächste Hygienereinigung"));
	assert_non_null(strstr(buf_str(&out), "Angaben zum Betrieb geändert"));
	buf_free(&out);
	bundle_free(b);
}

/*
 * A bundle of 130 entries that do not parse, under a key that is none:
 * 132 failed checks, of which the report keeps 100 and counts the others;
 * the page names 20 and counts the 112 others, those the report did not
 * keep included.
 */
static void test_venue_fails_counted(void **state)
{
	(void)state;
	struct bundle *b = NULL;
	uint8_t leaf[HASH_LEN];
	struct err e = {{0}};
	struct buf out;

	assert_int_equal(bundle_new("log.example", "not a key", "no checkpoint",
				    "k7m2q9xa", &b),
			 ST_OK);
	for (int i = 0; i < 130; i++)
		add_entry(b, i, "not an entry\n", leaf);
	buf_init(&out, 1 << 20);
	assert_int_equal(pages_venue_bundle(b, NULL, LANG_EN, "2026-11-25", -1,
					    &out, &e),
			 ST_OK);
	assert_non_null(
		strstr(buf_str(&out), "and more: 112 other failed checks"));
	buf_free(&out);
	bundle_free(b);
}

/* How many times needle occurs in hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/*
 * A venue of 4,500 documents (the first one its only sanitization) is
 * shown a page at a time (pages.h, PAGES_HISTORY): the newest page holds
 * the 50 newest and the sanitization the record rests on, and links to
 * the older ones; the page ?before=N the 50 below N; the oldest no older
 * link.  Every page stays small (the whole history was over the
 * renderer's RENDER_DATA_MAX: ST_TOO_LARGE), and of the server's failed
 * checks (the checkpoint is not signed, every 100th prev is wrong) 20
 * are named and the others counted.
 */
static void test_paged_venue_page(void **state)
{
	(void)state;
	struct bundle *b = NULL;
	uint8_t leaf[HASH_LEN];
	char hex[2 * HASH_LEN + 1], text[2048];
	struct err e = {{0}};
	struct buf out;
	const int ndocs = 4500;

	assert_int_equal(bundle_new("log.example", "not a key", "no checkpoint",
				    "k7m2q9xa", &b),
			 ST_OK);
	add_entry(b, 0,
		  "sanilog-entry v1\nvenue k7m2q9xa\nvenue-seq 0\nprev -\n"
		  "kind venue\nname Bar\naddress Via Roma 1\n"
		  "interval-days 30\nlogged 2026-11-25T12:00:00Z\n",
		  leaf);
	for (int i = 1; i <= ndocs; i++) {
		if (i % 100 == 0)
			memset(leaf, 0, sizeof leaf);
		hex_encode(hex, leaf, HASH_LEN);
		snprintf(text, sizeof text,
			 "sanilog-entry v1\nvenue k7m2q9xa\nvenue-seq %d\n"
			 "prev %s\nkind document\ntype %s\n"
			 "title Document %d\nperformed 2026-11-20\n"
			 "doc %064d 10 application/pdf\nsubmitted-by owner\n"
			 "logged 2026-11-25T12:00:00Z\n",
			 i, hex, i == 1 ? "sanitization" : "protocol", i, i);
		add_entry(b, i, text, leaf);
	}

	buf_init(&out, 16u << 20);
	assert_int_equal(pages_venue_bundle(b, NULL, LANG_EN, "2026-11-25", -1,
					    &out, &e),
			 ST_OK);
	const char *s = buf_str(&out);
	assert_true(out.len < (64u << 10));
	assert_int_equal(count(s, "<li id=\"s"), PAGES_HISTORY + 1);
	assert_non_null(strstr(s, "<li id=\"s4500\">"));
	assert_non_null(strstr(s, "<li id=\"s4451\">"));
	assert_null(strstr(s, "<li id=\"s4450\">"));
	assert_non_null(strstr(s, "<li id=\"s1\">"));
	assert_non_null(strstr(s, "data-latest=\"1\""));
	assert_non_null(strstr(s, "Showing 51 of 4500 documents."));
	assert_non_null(strstr(
		s, "<a id=\"older\" href=\"?before=4451&amp;lang=en\">"));
	assert_null(strstr(s, "id=\"newest\""));
	assert_int_equal(count(s, "<li>"), 21);
	assert_non_null(strstr(s, "<li>and more: "));

	buf_reset(&out);
	assert_int_equal(pages_venue_bundle(b, NULL, LANG_IT, "2026-11-25",
					    4451, &out, &e),
			 ST_OK);
	s = buf_str(&out);
	assert_int_equal(count(s, "<li id=\"s"), PAGES_HISTORY + 1);
	assert_non_null(strstr(s, "<li id=\"s4450\">"));
	assert_non_null(strstr(s, "<li id=\"s4401\">"));
	assert_null(strstr(s, "<li id=\"s4451\">"));
	assert_non_null(strstr(
		s, "<a id=\"older\" href=\"?before=4401&amp;lang=it\">"));
	assert_non_null(strstr(s, "<a id=\"newest\" href=\"?lang=it\">"));
	/* The language switch keeps the page. */
	assert_non_null(strstr(s, "href=\"?before=4451&amp;lang=en\""));

	/* The oldest page: the sanitization once, no older link. */
	buf_reset(&out);
	assert_int_equal(pages_venue_bundle(b, NULL, LANG_EN, "2026-11-25", 40,
					    &out, &e),
			 ST_OK);
	s = buf_str(&out);
	assert_int_equal(count(s, "<li id=\"s"), 39);
	assert_int_equal(count(s, "<li id=\"s1\">"), 1);
	assert_null(strstr(s, "id=\"older\""));
	assert_non_null(strstr(s, "id=\"newest\""));
	buf_free(&out);
	bundle_free(b);
}

/* Whatever a test left loaded (a failed assertion skips its cleanup). */
static int unload(void **state)
{
	(void)state;
	pages_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_values_escaped),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_hostile_templates),
		cmocka_unit_test_teardown(test_embedded_templates, unload),
		cmocka_unit_test(test_lookup_path),
		cmocka_unit_test(test_assets),
		cmocka_unit_test_teardown(test_overrides, unload),
		cmocka_unit_test(test_index_error_pages),
		cmocka_unit_test(test_error_page_texts),
		cmocka_unit_test(test_hostile_venue_page),
		cmocka_unit_test(test_venue_verdict),
		cmocka_unit_test(test_venue_fails_counted),
		cmocka_unit_test(test_paged_venue_page),
		cmocka_unit_test(test_every_language),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
