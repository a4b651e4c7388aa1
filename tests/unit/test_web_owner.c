/*
 * test_web_owner.c: the venue owner's pages of `sanilog serve` (owner.h)
 * on the web service started in the test's process, over a log whose
 * stored base URL is https (so cookies are Secure).
 *
 * The dashboard without a session sends to the login form; the form sets
 * its CSRF cookie (HttpOnly, SameSite=Strict, Secure, Path=/owner/login)
 * and carries the same token; a login without that cookie, or with
 * another token, is 403, with an unknown owner token 401 and the form
 * again; the right one opens a session (its cookie, Path=/owner) and
 * sends to the dashboard, which shows the venue's record and the
 * session's own CSRF token, is never cached nor compressed.  Uploads and
 * revocations from the dashboard's forms are logged and answered with a
 * 303 back to it, and refused (403) without the session's CSRF token or
 * without a session.  A session ends when the venue's token is replaced,
 * and at logout (its cookie cleared), which also needs the token.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testlog.h"
#include "web/owner.h"
#include "web/pages.h"

#define V1	"k7m2q9xa"
#define V2	"p3x8vz2e"
#define TOKEN1	"slo_ownerOWNERowner-owner_ownerOWNERowner-owner"
#define TOKEN2	"slo_otherOTHERother-other_otherOTHERother-other"
#define ROTATED "slo_newNEWnew-new_newNEWnew-new_newNEWnew-new_n"

static struct testlog t;

/* pages_owner, wrapped (the Makefile's WRAP_test_web_owner): while
 * fail_pages is set, no owner page can be made. */
static bool fail_pages;

enum status __real_pages_owner(enum pages_owner_page page,
			       struct render_data *d, enum lang lang,
			       const char *title, const char *self,
			       struct buf *out, struct err *e);
enum status __wrap_pages_owner(enum pages_owner_page page,
			       struct render_data *d, enum lang lang,
			       const char *title, const char *self,
			       struct buf *out, struct err *e);
enum status __wrap_pages_owner(enum pages_owner_page page,
			       struct render_data *d, enum lang lang,
			       const char *title, const char *self,
			       struct buf *out, struct err *e)
{
	if (fail_pages) {
		err_setf(e, "no page (the test's)");
		return ST_INTERNAL;
	}
	return __real_pages_owner(page, d, lang, title, self, out, e);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(strlen(TOKEN1), 47);
	assert_int_equal(strlen(TOKEN2), 47);
	assert_int_equal(strlen(ROTATED), 47);
	tl_open(&t, "https://posters.example");
	tl_add_venue(&t, V1, "Bar Uno");
	tl_add_document(&t, V1, 1);
	tl_add_venue(&t, V2, "Trattoria Due");
	tl_set_token(&t, V1, TOKEN1);
	tl_set_token(&t, V2, TOKEN2);
	tl_serve(&t, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tl_close(&t);
	return 0;
}

/* method path with the header lines (NULL-terminated, or NULL) and the
 * body (or NULL). */
static void ask(const char *method, const char *path,
		const char *const *headers, const char *body, size_t len,
		struct tl_reply *r)
{
	char url[256];
	snprintf(url, sizeof url, "%s%s", t.url, path);
	tl_http(method, url, headers, body, len, r);
}

static void expect_redirect(const struct tl_reply *r, const char *to)
{
	char v[256];
	if (r->code != 303)
		fail_msg("%ld, not 303: %s", r->code, buf_str(&r->body));
	assert_true(tl_header(r, "Location", v, sizeof v));
	assert_string_equal(v, to);
}

/* The value of the first hidden csrf field of a page. */
static void page_csrf(const struct tl_reply *r, char out[64])
{
	static const char field[] = "name=\"csrf\" value=\"";
	const char *p = strstr(buf_str(&r->body), field);
	assert_non_null(p);
	p += sizeof field - 1;
	size_t n = strcspn(p, "\"");
	assert_int_equal(n, 43);
	memcpy(out, p, n);
	out[n] = 0;
}

/* The Set-Cookie line of r for name. */
static void cookie_line(const struct tl_reply *r, const char *name, char *out,
			size_t size)
{
	const char *p = buf_str(&r->head);
	char want[64];
	snprintf(want, sizeof want, "Set-Cookie: %s=", name);
	p = strstr(p, want);
	assert_non_null(p);
	snprintf(out, size, "%.*s", (int)strcspn(p, "\r\n"), p);
}

/* Logs in with tok: the session's cookie value into session. */
static void login(const char *tok, char session[64])
{
	struct tl_reply r;
	char csrf[64], cookie[64], body[256], hc[128], line[512];
	ask("GET", "/owner/login", NULL, NULL, 0, &r);
	assert_int_equal(r.code, 200);
	page_csrf(&r, csrf);
	assert_true(tl_cookie(&r, "sanilog_login", cookie, sizeof cookie));
	assert_string_equal(cookie, csrf);
	tl_reply_free(&r);

	const char *const h[] = {
		hc, "Content-Type: application/x-www-form-urlencoded", NULL};
	snprintf(hc, sizeof hc, "Cookie: sanilog_login=%s", csrf);
	/* With spaces around it, as a token is often pasted. */
	snprintf(body, sizeof body, "csrf=%s&token=+++%s++", csrf, tok);
	ask("POST", "/owner/login", h, body, strlen(body), &r);
	expect_redirect(&r, "/owner");
	assert_true(tl_cookie(&r, "sanilog_session", session, 64));
	assert_int_equal(strlen(session), 43);
	cookie_line(&r, "sanilog_session", line, sizeof line);
	assert_non_null(strstr(line, "; Path=/owner;"));
	assert_non_null(strstr(line, "; HttpOnly"));
	assert_non_null(strstr(line, "; SameSite=Strict"));
	assert_non_null(strstr(line, "; Secure"));
	/* The form's cookie is cleared. */
	assert_true(tl_cookie(&r, "sanilog_login", cookie, sizeof cookie));
	assert_string_equal(cookie, "");
	tl_reply_free(&r);
}

/* GET /owner with the session: the reply (200 or what it is). */
static void dashboard(const char *session, struct tl_reply *r)
{
	char hc[128];
	const char *const h[] = {hc, "Accept-Encoding: gzip", NULL};
	snprintf(hc, sizeof hc, "Cookie: sanilog_session=%s", session);
	ask("GET", "/owner", h, NULL, 0, r);
}

static void test_login(void **state)
{
	(void)state;
	struct tl_reply r;
	char csrf[64], cookie[64], line[512], hc[128], body[256], v[128];

	ask("GET", "/owner", NULL, NULL, 0, &r);
	expect_redirect(&r, "/owner/login");
	tl_reply_free(&r);

	ask("GET", "/owner/login", NULL, NULL, 0, &r);
	assert_int_equal(r.code, 200);
	page_csrf(&r, csrf);
	cookie_line(&r, "sanilog_login", line, sizeof line);
	assert_non_null(strstr(line, "; Path=/owner/login;"));
	assert_non_null(strstr(line, "; HttpOnly"));
	assert_non_null(strstr(line, "; SameSite=Strict"));
	assert_non_null(strstr(line, "; Secure"));
	assert_true(tl_header(&r, "Cache-Control", v, sizeof v));
	assert_string_equal(v, "no-store");
	tl_reply_free(&r);

	/* Without the form's cookie, or with another token in it: 403. */
	const char *const plain[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL};
	snprintf(body, sizeof body, "csrf=%s&token=%s", csrf, TOKEN1);
	ask("POST", "/owner/login", plain, body, strlen(body), &r);
	assert_int_equal(r.code, 403);
	assert_false(tl_cookie(&r, "sanilog_session", cookie, sizeof cookie));
	tl_reply_free(&r);
	const char *const h[] = {
		hc, "Content-Type: application/x-www-form-urlencoded", NULL};
	snprintf(hc, sizeof hc,
		 "Cookie: "
		 "sanilog_login=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	ask("POST", "/owner/login", h, body, strlen(body), &r);
	assert_int_equal(r.code, 403);
	tl_reply_free(&r);

	/* The right form, an unknown token: 401, the form again. */
	snprintf(hc, sizeof hc, "Cookie: sanilog_login=%s", csrf);
	snprintf(body, sizeof body, "csrf=%s&token=%s", csrf,
		 "slo_unknownUNKNOWNunknown-unknownUNKNOWNunknown");
	ask("POST", "/owner/login", h, body, strlen(body), &r);
	assert_int_equal(r.code, 401);
	assert_non_null(strstr(buf_str(&r.body), "role=\"alert\""));
	assert_false(tl_cookie(&r, "sanilog_session", cookie, sizeof cookie));
	tl_reply_free(&r);

	/* The right token: a session, and its dashboard. */
	char session[64], scsrf[64];
	login(TOKEN1, session);
	dashboard(session, &r);
	assert_int_equal(r.code, 200);
	assert_non_null(strstr(buf_str(&r.body), "Bar Uno"));
	assert_non_null(strstr(buf_str(&r.body), "Document 1"));
	assert_null(strstr(buf_str(&r.body), "Trattoria Due"));
	page_csrf(&r, scsrf);
	assert_string_not_equal(scsrf, csrf);
	assert_true(tl_header(&r, "Cache-Control", v, sizeof v));
	assert_string_equal(v, "no-store");
	assert_true(tl_header(&r, "Vary", v, sizeof v));
	assert_non_null(strstr(v, "Cookie"));
	assert_false(tl_header(&r, "Content-Encoding", v, sizeof v));
	tl_reply_free(&r);
	/* A logged-in owner at the form goes to the dashboard. */
	snprintf(hc, sizeof hc, "Cookie: sanilog_session=%s", session);
	ask("GET", "/owner/login", h, NULL, 0, &r);
	expect_redirect(&r, "/owner");
	tl_reply_free(&r);
}

/* POSTs a form of the dashboard to path with the session's cookie. */
static void post_form(const char *path, const char *session, const char *ctype,
		      const struct buf *body, struct tl_reply *r)
{
	char hc[128];
	const char *const h[] = {hc, ctype, NULL};
	snprintf(hc, sizeof hc, "Cookie: sanilog_session=%s", session);
	ask("POST", path, h, (const char *)body->data, body->len, r);
}

/* Signs in with tok: the session's cookie value and its dashboard's CSRF
 * token. */
static void sign_in(const char *tok, char session[64], char csrf[64])
{
	struct tl_reply r;
	login(tok, session);
	dashboard(session, &r);
	assert_int_equal(r.code, 200);
	page_csrf(&r, csrf);
	tl_reply_free(&r);
}

static void test_forms(void **state)
{
	(void)state;
	struct tl_reply r;
	struct buf body;
	char session[64], csrf[64], ctype[128];
	uint8_t doc[TL_PDF];
	int64_t size = tl_query(&t, "SELECT count(*) FROM entries");
	login(TOKEN1, session);
	dashboard(session, &r);
	page_csrf(&r, csrf);
	tl_reply_free(&r);

	/* An upload: logged, and back to the dashboard. */
	tl_pdf(20, doc);
	const char *fields[] = {"csrf",		csrf,	      "type",
				"sanitization", "title",      "From the form",
				"performed",	"2026-11-21", NULL};
	tl_multipart(&body, ctype, sizeof ctype, fields, doc, TL_PDF);
	post_form("/owner/upload", session, ctype, &body, &r);
	expect_redirect(&r, "/owner?done=upload");
	tl_reply_free(&r);
	buf_free(&body);
	assert_int_equal(tl_query(&t, "SELECT count(*) FROM entries"),
			 size + 1);
	assert_int_equal(
		tl_query(&t, "SELECT count(*) FROM entries WHERE venue = '" V1
			     "' AND CAST(data AS TEXT) LIKE '%submitted-by "
			     "owner%' AND CAST(data AS TEXT) LIKE '%From the "
			     "form%'"),
		1);

	/* Without the session's token, with another, without a session:
	 * refused before the writer, so not among the uploads counted. */
	const char *up_refused = "sanilog_uploads_total{result=\"refused\"}";
	long long refused = tl_metric(&t, up_refused);
	fields[1] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	tl_multipart(&body, ctype, sizeof ctype, fields, doc, TL_PDF);
	post_form("/owner/upload", session, ctype, &body, &r);
	assert_int_equal(r.code, 403);
	tl_reply_free(&r);
	buf_free(&body);
	tl_multipart(&body, ctype, sizeof ctype, fields + 2, doc, TL_PDF);
	post_form("/owner/upload", session, ctype, &body, &r);
	assert_int_equal(r.code, 403);
	tl_reply_free(&r);
	post_form("/owner/upload", "none", ctype, &body, &r);
	assert_int_equal(r.code, 403);
	tl_reply_free(&r);
	buf_free(&body);
	assert_int_equal(tl_query(&t, "SELECT count(*) FROM entries"),
			 size + 1);
	assert_int_equal(tl_metric(&t, up_refused), refused);

	/* A revocation of the new document: first its confirmation page,
	 * which logs nothing (nor counts among the revocations), then the
	 * confirmed form. */
	const char *rv_refused =
		"sanilog_revocations_total{result=\"refused\"}";
	refused = tl_metric(&t, rv_refused);
	char hc[128];
	const char *const hs[] = {hc, NULL};
	snprintf(hc, sizeof hc, "Cookie: sanilog_session=%s", session);
	ask("GET", "/owner/revoke?seq=2", hs, NULL, 0, &r);
	assert_int_equal(r.code, 200);
	assert_non_null(strstr(buf_str(&r.body), "From the form"));
	assert_non_null(strstr(buf_str(&r.body), "name=\"confirm\""));
	assert_non_null(strstr(buf_str(&r.body), "public history"));
	tl_reply_free(&r);
	buf_init(&body, 4096);
	buf_printf(&body, "seq=2&reason=uploaded+twice&csrf=%s", csrf);
	post_form("/owner/revoke", session,
		  "Content-Type: application/x-www-form-urlencoded", &body, &r);
	assert_int_equal(r.code, 200);
	assert_non_null(strstr(buf_str(&r.body), "value=\"uploaded twice\""));
	tl_reply_free(&r);
	assert_int_equal(tl_query(&t, "SELECT count(*) FROM entries WHERE "
				      "venue = '" V1 "' AND revokes = 2"),
			 0);
	/* Confirmed, without the session's CSRF token: 403, not counted. */
	struct buf bad;
	buf_init(&bad, 4096);
	buf_printf(&bad,
		   "seq=2&reason=r&confirm=yes&csrf=AAAAAAAAAAAAAAAAAAAAAA"
		   "AAAAAAAAAAAAAAAAAAAAA");
	post_form("/owner/revoke", session,
		  "Content-Type: application/x-www-form-urlencoded", &bad, &r);
	assert_int_equal(r.code, 403);
	tl_reply_free(&r);
	buf_free(&bad);
	assert_int_equal(tl_metric(&t, rv_refused), refused);
	buf_printf(&body, "&confirm=yes");
	post_form("/owner/revoke", session,
		  "Content-Type: application/x-www-form-urlencoded", &body, &r);
	expect_redirect(&r, "/owner?done=revoke");
	tl_reply_free(&r);
	buf_free(&body);
	assert_int_equal(tl_query(&t, "SELECT count(*) FROM entries WHERE "
				      "venue = '" V1 "' AND revokes = 2"),
			 1);
	/* Revoked already: the API refuses it, and the page says so. */
	buf_init(&body, 4096);
	buf_printf(&body, "seq=2&reason=again&confirm=yes&csrf=%s", csrf);
	post_form("/owner/revoke", session,
		  "Content-Type: application/x-www-form-urlencoded", &body, &r);
	assert_int_equal(r.code, 409);
	assert_non_null(strstr(buf_str(&r.body), "already revoked"));
	tl_reply_free(&r);
	buf_free(&body);
	ask("GET", "/owner/revoke?seq=2", hs, NULL, 0, &r);
	assert_int_equal(r.code, 409);
	tl_reply_free(&r);
	ask("GET", "/owner/revoke?seq=2", NULL, NULL, 0, &r);
	expect_redirect(&r, "/owner/login");
	tl_reply_free(&r);
	dashboard(session, &r);
	assert_int_equal(r.code, 200);
	assert_non_null(strstr(buf_str(&r.body), "uploaded twice"));
	tl_reply_free(&r);
}

static void test_session_end(void **state)
{
	(void)state;
	struct tl_reply r;
	struct buf body;
	char s1[64], s2[64], csrf[64], cookie[64];

	/* Replacing the token ends the sessions opened with the old one. */
	login(TOKEN1, s1);
	login(TOKEN2, s2);
	tl_set_token(&t, V1, ROTATED);
	dashboard(s1, &r);
	expect_redirect(&r, "/owner/login");
	tl_reply_free(&r);
	dashboard(s2, &r);
	assert_int_equal(r.code, 200);
	assert_non_null(strstr(buf_str(&r.body), "Trattoria Due"));
	page_csrf(&r, csrf);
	tl_reply_free(&r);

	/* Logout needs the token; then the session is gone. */
	buf_init(&body, 4096);
	buf_printf(&body, "csrf=%s",
		   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	post_form("/owner/logout", s2,
		  "Content-Type: application/x-www-form-urlencoded", &body, &r);
	assert_int_equal(r.code, 403);
	tl_reply_free(&r);
	buf_reset(&body);
	buf_printf(&body, "csrf=%s", csrf);
	post_form("/owner/logout", s2,
		  "Content-Type: application/x-www-form-urlencoded", &body, &r);
	expect_redirect(&r, "/owner/login");
	assert_true(tl_cookie(&r, "sanilog_session", cookie, sizeof cookie));
	assert_string_equal(cookie, "");
	tl_reply_free(&r);
	buf_free(&body);
	dashboard(s2, &r);
	expect_redirect(&r, "/owner/login");
	tl_reply_free(&r);

	/* The new token opens a session. */
	login(ROTATED, s1);
	dashboard(s1, &r);
	assert_int_equal(r.code, 200);
	tl_reply_free(&r);
}

/* A refused upload is shown again with what was typed, the error beside
 * its field, and the status of the API's refusal; nothing is logged. */
static void test_form_errors(void **state)
{
	(void)state;
	struct tl_reply r;
	struct buf body;
	char session[64], csrf[64], ctype[128];
	uint8_t doc[TL_PDF];
	int64_t size = tl_query(&t, "SELECT count(*) FROM entries");
	tl_set_token(&t, V1, TOKEN1);
	sign_in(TOKEN1, session, csrf);

	tl_pdf(21, doc);
	const char *fields[] = {"csrf",		csrf,	      "type",
				"water",	"title",      "",
				"performed",	"2026-11-20", "provider",
				"Acqua <Pura>", NULL};
	tl_multipart(&body, ctype, sizeof ctype, fields, doc, TL_PDF);
	post_form("/owner/upload", session, ctype, &body, &r);
	buf_free(&body);
	assert_int_equal(r.code, 400);
	const char *p = buf_str(&r.body);
	assert_non_null(strstr(p, "<p class=\"err\" id=\"title-err\">Fill in "
				  "this field.</p>"));
	assert_non_null(strstr(p, "aria-invalid=\"true\" "
				  "aria-describedby=\"title-err\""));
	assert_non_null(strstr(p, "value=\"2026-11-20\""));
	assert_non_null(strstr(p, "value=\"Acqua &lt;Pura&gt;\""));
	assert_non_null(strstr(p, "<option value=\"water\" selected>"));
	assert_non_null(strstr(p, "Choose the file again"));
	assert_non_null(strstr(p, "<a href=\"#title\">"));
	tl_reply_free(&r);

	/* A date after today, in Italian. */
	fields[5] = "Titolo";
	fields[7] = "2027-01-01";
	tl_multipart(&body, ctype, sizeof ctype, fields, doc, TL_PDF);
	char hc[128];
	const char *const h[] = {hc, ctype, "Accept-Language: it", NULL};
	snprintf(hc, sizeof hc, "Cookie: sanilog_session=%s", session);
	ask("POST", "/owner/upload", h, (const char *)body.data, body.len, &r);
	buf_free(&body);
	assert_int_equal(r.code, 400);
	assert_non_null(strstr(buf_str(&r.body),
			       "id=\"performed-err\">Questa data è successiva "
			       "a oggi (" TL_TODAY ")"));
	assert_non_null(strstr(buf_str(&r.body), "value=\"Titolo\""));
	tl_reply_free(&r);
	assert_int_equal(tl_query(&t, "SELECT count(*) FROM entries"), size);
}

/* The venue form of session with name (urlencoded) and the address and
 * interval that test_venue_form set. */
static void post_venue(const char *session, const char *csrf, const char *name,
		       struct tl_reply *r)
{
	struct buf body;
	buf_init(&body, 4096);
	buf_printf(&body,
		   "csrf=%s&name=%s&address=Via+Nuova+3&interval_days=14", csrf,
		   name);
	post_form("/owner/venue", session,
		  "Content-Type: application/x-www-form-urlencoded", &body, r);
	buf_free(&body);
}

/* The venue's details from the dashboard: a venue entry, through the
 * writer; the same details again log nothing; a bad interval is shown
 * beside its field. */
static void test_venue_form(void **state)
{
	(void)state;
	struct tl_reply r;
	struct buf body;
	char session[64], csrf[64];
	const char *form = "Content-Type: application/x-www-form-urlencoded";
	login(TOKEN2, session);
	dashboard(session, &r);
	page_csrf(&r, csrf);
	assert_non_null(strstr(buf_str(&r.body),
			       "id=\"name\" name=\"name\" type=\"text\" "
			       "maxlength=\"200\" required "
			       "autocomplete=\"organization\" "
			       "value=\"Trattoria Due\""));
	tl_reply_free(&r);
	int64_t size = tl_query(&t, "SELECT count(*) FROM entries");

	buf_init(&body, 4096);
	buf_printf(&body,
		   "csrf=%s&name=Trattoria+Tre&address=Via+Nuova+3"
		   "&interval_days=14",
		   csrf);
	post_form("/owner/venue", session, form, &body, &r);
	expect_redirect(&r, "/owner?done=venue");
	tl_reply_free(&r);
	assert_int_equal(tl_query(&t, "SELECT count(*) FROM entries"),
			 size + 1);
	dashboard(session, &r);
	assert_non_null(strstr(buf_str(&r.body), "Trattoria Tre"));
	assert_non_null(strstr(buf_str(&r.body), "value=\"14\""));
	tl_reply_free(&r);

	/* The same again: nothing to log. */
	post_form("/owner/venue", session, form, &body, &r);
	expect_redirect(&r, "/owner?done=same");
	tl_reply_free(&r);
	assert_int_equal(tl_query(&t, "SELECT count(*) FROM entries"),
			 size + 1);

	buf_reset(&body);
	buf_printf(&body,
		   "csrf=%s&name=Trattoria+Tre&address=Via+Nuova+3"
		   "&interval_days=0",
		   csrf);
	post_form("/owner/venue", session, form, &body, &r);
	assert_int_equal(r.code, 400);
	assert_non_null(strstr(buf_str(&r.body),
			       "id=\"interval-err\">Give a whole number of "
			       "days from 1 to 3650."));
	assert_non_null(strstr(buf_str(&r.body), "value=\"0\""));
	tl_reply_free(&r);
	/* A name of the most bytes, then the same with one more: refused
	 * for its length, not taken for the same details. */
	char name[ENTRY_VALUE_MAX + 2];
	memset(name, 'n', ENTRY_VALUE_MAX);
	name[ENTRY_VALUE_MAX] = 0;
	post_venue(session, csrf, name, &r);
	expect_redirect(&r, "/owner?done=venue");
	tl_reply_free(&r);
	name[ENTRY_VALUE_MAX] = 'n';
	name[ENTRY_VALUE_MAX + 1] = 0;
	post_venue(session, csrf, name, &r);
	assert_int_equal(r.code, 400);
	assert_non_null(strstr(buf_str(&r.body), "id=\"name-err\""));
	tl_reply_free(&r);
	assert_int_equal(tl_query(&t, "SELECT count(*) FROM entries"),
			 size + 2);
	post_venue(session, csrf, "Trattoria+Tre", &r);
	expect_redirect(&r, "/owner?done=venue");
	tl_reply_free(&r);

	/* Without the session's CSRF token: 403, nothing logged. */
	buf_reset(&body);
	buf_printf(&body, "csrf=%s&name=X&address=Y&interval_days=3",
		   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	post_form("/owner/venue", session, form, &body, &r);
	assert_int_equal(r.code, 403);
	tl_reply_free(&r);
	buf_free(&body);
	assert_int_equal(tl_query(&t, "SELECT count(*) FROM entries"),
			 size + 3);
}

/* The value of "<p class=\"token\" id=\"token\">" on a page. */
static void page_token(const struct tl_reply *r, char out[64])
{
	static const char at[] = "id=\"token\">";
	const char *p = strstr(buf_str(&r->body), at);
	assert_non_null(p);
	p += sizeof at - 1;
	size_t n = strcspn(p, "<");
	assert_int_equal(n, STORE_TOKEN_LEN);
	memcpy(out, p, n);
	out[n] = 0;
}

/* A new token from the dashboard: shown once; the old one stops working
 * (its other sessions end), the session that made it goes on. */
static void test_token_rotate(void **state)
{
	(void)state;
	struct tl_reply r;
	struct buf body;
	char s1[64], s2[64], csrf[64], tok[64], again[64];
	const char *form = "Content-Type: application/x-www-form-urlencoded";
	tl_set_token(&t, V1, TOKEN1);
	sign_in(TOKEN1, s1, csrf);
	login(TOKEN1, s2);
	buf_init(&body, 4096);
	buf_printf(&body, "csrf=%s",
		   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	post_form("/owner/token", s1, form, &body, &r);
	assert_int_equal(r.code, 403);
	tl_reply_free(&r);
	/* Without a session: refused before the body is read. */
	post_form("/owner/token", "none", form, &body, &r);
	assert_int_equal(r.code, 403);
	assert_non_null(strstr(buf_str(&r.body), "not signed in"));
	tl_reply_free(&r);
	buf_reset(&body);
	buf_printf(&body, "csrf=%s", csrf);
	post_form("/owner/token", s1, form, &body, &r);
	assert_int_equal(r.code, 200);
	page_token(&r, tok);
	assert_string_not_equal(tok, TOKEN1);
	assert_true(tl_header(&r, "Cache-Control", again, sizeof again));
	assert_string_equal(again, "no-store");
	tl_reply_free(&r);
	dashboard(s1, &r);
	assert_int_equal(r.code, 200);
	tl_reply_free(&r);
	dashboard(s2, &r);
	expect_redirect(&r, "/owner/login");
	tl_reply_free(&r);
	login(tok, s2);
	/* The old session's form again: its token is no longer the one. */
	post_form("/owner/token", s1, form, &body, &r);
	assert_int_equal(r.code, 200);
	page_token(&r, again);
	assert_string_not_equal(again, tok);
	tl_reply_free(&r);
	buf_free(&body);
	tl_set_token(&t, V1, TOKEN1);
}

/* A new token whose page cannot be made: 500, and nothing changes (the
 * old token and its sessions go on). */
static void test_token_page_fails(void **state)
{
	(void)state;
	struct tl_reply r;
	struct buf body;
	char s1[64], s2[64], csrf[64];
	const char *form = "Content-Type: application/x-www-form-urlencoded";
	tl_set_token(&t, V1, TOKEN1);
	sign_in(TOKEN1, s1, csrf);
	buf_init(&body, 4096);
	buf_printf(&body, "csrf=%s", csrf);
	fail_pages = true;
	post_form("/owner/token", s1, form, &body, &r);
	fail_pages = false;
	assert_int_equal(r.code, 500);
	assert_null(strstr(buf_str(&r.body), "slo_"));
	tl_reply_free(&r);
	buf_free(&body);
	dashboard(s1, &r);
	assert_int_equal(r.code, 200);
	tl_reply_free(&r);
	login(TOKEN1, s2);
}

/* A one-time sign-in link: its page offers a button; its POST opens a
 * session once; used or expired, it is refused (401). */
static void test_login_link(void **state)
{
	(void)state;
	struct tl_reply r;
	char secret[64], csrf[64], cookie[64], hc[160], body[256];
	uint8_t hash[HASH_LEN];
	struct err e;
	store_secret_new("", secret, sizeof secret, hash);
	/* TL_NOW is 2026-11-25T09:00:00Z: 1795597200. */
	assert_int_equal(store_login_link_add(t.s, hash, V2, 1795597200 + 60,
					      1795597200, &e),
			 ST_OK);
	char path[128];
	snprintf(path, sizeof path, "/owner/login?link=%s", secret);
	ask("GET", path, NULL, NULL, 0, &r);
	assert_int_equal(r.code, 200);
	page_csrf(&r, csrf);
	char field[96];
	snprintf(field, sizeof field, "name=\"link\" value=\"%s\"", secret);
	assert_non_null(strstr(buf_str(&r.body), field));
	assert_true(tl_header(&r, "Referrer-Policy", cookie, sizeof cookie));
	assert_string_equal(cookie, "no-referrer");
	tl_reply_free(&r);
	const char *const h[] = {
		hc, "Content-Type: application/x-www-form-urlencoded", NULL};
	snprintf(hc, sizeof hc, "Cookie: sanilog_login=%s", csrf);
	snprintf(body, sizeof body, "csrf=%s&link=%s", csrf, secret);
	ask("POST", "/owner/login", h, body, strlen(body), &r);
	expect_redirect(&r, "/owner");
	assert_true(tl_cookie(&r, "sanilog_session", cookie, sizeof cookie));
	tl_reply_free(&r);
	dashboard(cookie, &r);
	assert_int_equal(r.code, 200);
	assert_non_null(strstr(buf_str(&r.body), "Trattoria"));
	tl_reply_free(&r);
	/* Used up. */
	ask("POST", "/owner/login", h, body, strlen(body), &r);
	assert_int_equal(r.code, 401);
	assert_non_null(strstr(buf_str(&r.body), "used already"));
	assert_false(tl_cookie(&r, "sanilog_session", cookie, sizeof cookie));
	tl_reply_free(&r);
	/* Expired. */
	store_secret_new("", secret, sizeof secret, hash);
	assert_int_equal(
		store_login_link_add(t.s, hash, V2, 1795597200, 1795590000, &e),
		ST_OK);
	snprintf(body, sizeof body, "csrf=%s&link=%s", csrf, secret);
	ask("POST", "/owner/login", h, body, strlen(body), &r);
	assert_int_equal(r.code, 401);
	tl_reply_free(&r);
	assert_int_equal(tl_query(&t, "SELECT count(*) FROM login_links"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_session_end),
		cmocka_unit_test(test_form_errors),
		cmocka_unit_test(test_venue_form),
		cmocka_unit_test(test_token_rotate),
		cmocka_unit_test(test_token_page_fails),
		cmocka_unit_test(test_login_link),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
