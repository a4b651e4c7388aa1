/*
 * pages.c: the frame of every page (templates/layout.html), the home
 * page, the lookup of its form, error pages and the frame of the owner's
 * pages.
 *
 * Pages are rendered from templates/ by render.h, which escapes every value;
 * the only markup inserted unescaped is a page body that a template of ours
 * rendered, placed into templates/layout.html.  Words come from tables, in
 * English and Italian (here, pages_record.c's and pages_words.c's);
 * templates hold the structure.
 *
 * The venue page and the owner's record are pages_record.c's; templates
 * and assets, embedded or loaded by pages_init, pages_assets.c's.
 */
#include "pages_private.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define BODY_MAX (4u << 20) /* a rendered page body */

/* ---- the frame (pages_private.h) ---- */

enum status pages_render(enum tmpl which, struct render_data *d, enum lang lang,
			 const char *title, const char *self, bool verify,
			 struct buf *out, struct err *e)
{
	const struct render_tmpl *t = NULL, *lt = NULL;
	struct render_tmpl *own = NULL, *lown = NULL;
	struct render_data *ld = NULL;
	struct buf body;
	enum status st;

	buf_init(&body, BODY_MAX);
	if ((st = pages_tmpl(which, &t, &own, e)) != ST_OK ||
	    (st = pages_tmpl(T_LAYOUT, &lt, &lown, e)) != ST_OK)
		goto out;
	render_set_text(render_root(d), "lang", lang_code(lang));
	if ((st = render_exec(t, d, &body, e)) != ST_OK)
		goto out;
	if ((ld = render_data_new()) == NULL) {
		st = err_set(e, ST_NOMEM, "out of memory");
		goto out;
	}
	struct render_obj *r = render_root(ld);
	render_set_text(r, "lang", lang_code(lang));
	render_set_text(r, "title", title);
	render_set_text(r, "description",
			word(lang, which == T_VENUE	    ? "meta_venue"
				   : which >= T_OWNER_LOGIN ? "meta_owner"
							    : "meta_home"));
	render_set_text(r, "brand", "sanilog");
	render_set_list(r, "langs");
	for (int l = 0; l < LANG__COUNT; l++) {
		if ((enum lang)l == lang)
			continue;
		struct render_obj *o = render_add_item(r, "langs");
		const char *q = strchr(self, '?');
		render_set_textf(o, "href", "%s%slang=%s", q != NULL ? q : "?",
				 q != NULL ? "&" : "", lang_code((enum lang)l));
		render_set_text(o, "code", lang_code((enum lang)l));
		render_set_text(o, "name", word((enum lang)l, "lang_name"));
	}
	render_set_flag(r, "verify", verify);
	render_set_flag(r, "feeds", which == T_VENUE);
	if (which == T_VENUE) {
		/* The venue's feeds, for readers that look in the head. */
		render_set_textf(r, "path", "%.*s", (int)strcspn(self, "?"),
				 self);
		render_set_text(r, "t_feeds_link_atom",
				word(lang, "feeds_link_atom"));
		render_set_text(r, "t_feeds_link_calendar",
				word(lang, "feeds_link_calendar"));
	}
	render_set_markup(r, "content", (const char *)body.data, body.len);
	st = render_exec(lt, ld, out, e);
out:
	render_data_free(ld);
	render_tmpl_free(own);
	render_tmpl_free(lown);
	buf_free(&body);
	return st;
}

/* ---- the home page and its lookup form ---- */

static const char *const index_labels[] = {
	"h1", "what", "how", "label", "hint", "go", "trust_h", "trust",
};

enum status pages_index(enum lang lang, struct buf *out, struct err *e)
{
	struct render_data *d = render_data_new();
	enum status st;

	if (d == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	pages_set_labels(render_root(d), index_labels, ARRAY_LEN(index_labels),
			 lang);
	st = pages_render(T_INDEX, d, lang, word(lang, "title_home"), "/",
			  false, out, e);
	render_data_free(d);
	return st;
}

enum status pages_lookup_path(const char *id, const char *query_lang,
			      char *path, size_t size)
{
	char v[VENUE_ID_LEN + 1];
	size_t n = 0;

	if (id == NULL)
		return ST_INVALID;
	/* What a person types from a poster: any case, spaces or dashes. */
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (n == VENUE_ID_LEN)
			return ST_INVALID;
		v[n++] = c;
	}
	v[n] = 0;
	if (!entry_venue_id_valid(v))
		return ST_INVALID;
	const char *l = NULL;
	enum lang ql;
	if (query_lang != NULL && strlen(query_lang) == 2 &&
	    lang_parse(query_lang, 2, &ql))
		l = lang_code(ql);
	int w = snprintf(path, size, "/v/%s%s%s", v, l ? "?lang=" : "",
			 l ? l : "");
	return w > 0 && (size_t)w < size ? ST_OK : ST_TOO_LARGE;
}

/* ---- error pages ---- */

static const char *const error_labels[] = {"home", "detail", "dashboard"};

enum status pages_error(enum lang lang, int http_status, const char *self,
			const char *detail, struct buf *out, struct err *e)
{
	/* The statuses with words of their own; any other is a 500. */
	static const int codes[] = {400, 401, 403, 404, 405, 409,
				    413, 415, 429, 501, 503};
	int code = 500;
	char key[24], hkey[24];
	struct render_data *d;
	enum status st;

	for (size_t i = 0; i < ARRAY_LEN(codes); i++)
		if (codes[i] == http_status)
			code = http_status;
	snprintf(key, sizeof key, "error_%d", code);
	snprintf(hkey, sizeof hkey, "error_%d_h", code);
	if ((d = render_data_new()) == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	struct render_obj *r = render_root(d);
	pages_set_labels(r, error_labels, ARRAY_LEN(error_labels), lang);
	render_set_int(r, "code", http_status);
	render_set_text(r, "heading", word(lang, hkey));
	render_set_text(r, "text", word(lang, key));
	render_set_flag(r, "has_detail", detail != NULL && detail[0] != 0);
	render_set_text(r, "detail", detail != NULL ? detail : "");
	render_set_flag(r, "owner",
			self != NULL && strncmp(self, "/owner", 6) == 0);
	/* self comes from the request: only a plain path is echoed. */
	char path[256] = "/";
	if (self != NULL && self[0] == '/' && strlen(self) < sizeof path &&
	    strspn(self, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789/._-") == strlen(self))
		snprintf(path, sizeof path, "%s", self);
	st = pages_render(T_ERROR, d, lang, word(lang, hkey), path, false, out,
			  e);
	render_data_free(d);
	return st;
}

/* ---- the owner's pages (owner.c) ---- */

enum status pages_owner(enum pages_owner_page page, struct render_data *d,
			enum lang lang, const char *title, const char *self,
			struct buf *out, struct err *e)
{
	static const struct {
		enum tmpl t;
		const char *self;
	} pages[] = {
		[PAGES_OWNER_LOGIN] = {T_OWNER_LOGIN, "/owner/login"},
		[PAGES_OWNER_DASHBOARD] = {T_OWNER, "/owner"},
		[PAGES_OWNER_REVOKE] = {T_OWNER_REVOKE, "/owner"},
		[PAGES_OWNER_TOKEN] = {T_OWNER_TOKEN, "/owner"},
	};
	return pages_render(pages[page].t, d, lang, title,
			    self != NULL ? self : pages[page].self, false, out,
			    e);
}
