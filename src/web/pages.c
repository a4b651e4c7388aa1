/*
 * pages.c: the venue page, the home page and the assets.
 */
#include "pages.h"

#include <stdio.h>
#include <string.h>

#include "core/verify.h"
#include "store/export.h"
#include "web/embedded.h"

enum page_lang pages_lang(const char *accept_language, const char *query_lang)
{
	if (query_lang != NULL)
		return strcmp(query_lang, "it") == 0 ? LANG_IT : LANG_EN;
	if (accept_language != NULL &&
	    strncmp(accept_language, "it", 2) == 0)
		return LANG_IT;
	return LANG_EN;
}

/* Appends text with &, <, >, " and ' escaped. */
static enum status put_text(struct buf *out, const char *s)
{
	enum status r = ST_OK;
	for (; *s && r == ST_OK; s++) {
		switch (*s) {
		case '&': r = buf_append_str(out, "&amp;"); break;
		case '<': r = buf_append_str(out, "&lt;"); break;
		case '>': r = buf_append_str(out, "&gt;"); break;
		case '"': r = buf_append_str(out, "&quot;"); break;
		case '\'': r = buf_append_str(out, "&#39;"); break;
		default: r = buf_append(out, s, 1);
		}
	}
	return r;
}

enum status pages_venue(struct store *s, const char *venue, enum page_lang lang,
			const char *today, struct buf *out, struct err *e)
{
	struct bundle *b = NULL;
	struct verify_report rep;
	struct verify_options o = {0};
	enum status r;
	memset(&rep, 0, sizeof rep);
	if ((r = export_bundle(s, venue, -1, &b, e)) != ST_OK)
		return r;
	snprintf(o.today, sizeof o.today, "%s", today);
	if ((r = verify_bundle(b, &o, &rep, e)) != ST_OK)
		goto done;
	bool it = lang == LANG_IT;
	buf_printf(out,
		   "<!doctype html>\n<html lang=\"%s\"><head><meta "
		   "charset=\"utf-8\"><meta name=\"viewport\" "
		   "content=\"width=device-width, initial-scale=1\">"
		   "<title>",
		   it ? "it" : "en");
	put_text(out, rep.name);
	buf_append_str(out, "</title></head><body><main><h1>");
	put_text(out, rep.name);
	buf_append_str(out, "</h1><p>");
	put_text(out, rep.address);
	buf_append_str(out, "</p><p>");
	if (rep.latest < 0) {
		buf_append_str(out, it ? "Nessuna sanificazione registrata."
				       : "No sanitization logged.");
	} else {
		const struct entry *en = &rep.items[rep.latest].entry;
		buf_append_str(out, it ? "Ultima sanificazione: "
				       : "Last sanitized: ");
		put_text(out, en->performed);
		if (rep.overdue)
			buf_append_str(out, it ? " (in ritardo)" : " (overdue)");
		if (rep.expired)
			buf_append_str(out, it ? " (scaduta)" : " (expired)");
	}
	buf_append_str(out, "</p><ol>");
	for (size_t i = 0; i < rep.nitems; i++) {
		const struct verify_item *itm = &rep.items[i];
		if (itm->entry.kind != ENTRY_DOCUMENT)
			continue;
		buf_append_str(out, "<li>");
		put_text(out, itm->entry.performed);
		buf_append_str(out, " ");
		put_text(out, itm->entry.title);
		if (itm->revoked)
			buf_append_str(out, it ? " (revocato)" : " (revoked)");
		buf_append_str(out, "</li>");
	}
	r = buf_append_str(out, "</ol></main></body></html>\n");
done:
	verify_report_free(&rep);
	bundle_free(b);
	return r;
}

enum status pages_index(enum page_lang lang, struct buf *out, struct err *e)
{
	(void)e;
	return buf_append_str(
		out, lang == LANG_IT
			     ? "<!doctype html>\n<html lang=\"it\"><head><meta "
			       "charset=\"utf-8\"><title>sanilog</title></head>"
			       "<body><h1>sanilog</h1></body></html>\n"
			     : "<!doctype html>\n<html lang=\"en\"><head><meta "
			       "charset=\"utf-8\"><title>sanilog</title></head>"
			       "<body><h1>sanilog</h1></body></html>\n");
}

const unsigned char *pages_asset(const char *name, size_t *len,
				 const char **mime)
{
	static const struct {
		const char *suffix, *mime;
	} types[] = {
		{".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
	};
	char path[128];
	if (strchr(name, '/') != NULL ||
	    snprintf(path, sizeof path, "assets/%s", name) >= (int)sizeof path)
		return NULL;
	for (const struct embedded_file *f = embedded_files; f->name; f++) {
		if (strcmp(f->name, path) != 0)
			continue;
		size_t n = strlen(name);
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
			size_t k = strlen(types[i].suffix);
			if (n > k && strcmp(name + n - k, types[i].suffix) == 0) {
				*len = f->len;
				*mime = types[i].mime;
				return f->data;
			}
		}
	}
	return NULL;
}
