/*
 * render.h: a small HTML template renderer that escapes by default.
 *
 * A template is text with tags between double braces:
 *
 *   {{name}}              the value of name; text is HTML-escaped
 *                         (& < > " ' become entities), markup (set only by
 *                         render_set_markup, the one trusted-markup call)
 *                         is copied as it is
 *   {{#name}} ... {{/name}}
 *                         a section: rendered once per item of a list (the
 *                         item's values then come first in lookups), once
 *                         if name is a true flag or a non-empty text or
 *                         markup, not at all otherwise
 *   {{^name}} ... {{/name}}
 *                         an inverted section: rendered once when the
 *                         section above would not be, else not at all
 *   {{!anything}}         a comment (no "}}" inside)
 *
 * Names are 1 to RENDER_NAME_MAX characters of a-z, A-Z, 0-9, '_' and '-'.
 * Anything else inside braces is refused when the template is compiled,
 * with the file and line: an unterminated tag, "{{{" (there is no unescaped
 * form in a template: only C code decides what is markup), an unknown
 * sigil, a bad name, a section closed by another name or never closed,
 * sections nested deeper than RENDER_DEPTH_MAX, a NUL byte, a template over
 * RENDER_TEMPLATE_MAX bytes.  A lone "{" or "}" is text.
 *
 * Values live in a render_data: a root object of named values (text,
 * markup, flag, or list of objects).  A name is looked up in the innermost
 * list item being rendered, then outward up to the root.  A name found
 * nowhere is an error at render time (never silently empty), as is
 * {{name}} of a flag or a list.  Escaping makes a value safe in element
 * content and in double- or single-quoted attribute values; templates must
 * quote every attribute that holds a value.
 */
#ifndef SANILOG_RENDER_H
#define SANILOG_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"
#include "core/buf.h"

#define RENDER_NAME_MAX	    32
#define RENDER_DEPTH_MAX    16
#define RENDER_TEMPLATE_MAX (256u << 10)
#define RENDER_DATA_MAX	    (8u << 20) /* bytes of values in one data */

struct render_tmpl; /* a compiled template; immutable, shareable by threads */
struct render_data; /* the values of one rendering */
struct render_obj;  /* an object of named values inside a render_data */

/*
 * Compiles text[0..len) (copied) into *out (new; free with
 * render_tmpl_free).  name (e.g. "templates/venue.html") prefixes error
 * messages.  ST_INVALID or ST_TOO_LARGE with e naming the line on a bad
 * template; *out is NULL then.
 */
enum status render_compile(const char *name, const char *text, size_t len,
			   struct render_tmpl **out, struct err *e);

/* Accepts NULL. */
void render_tmpl_free(struct render_tmpl *t);

/* A new, empty data; NULL when out of memory. */
struct render_data *render_data_new(void);

/* Frees the data and every object and value in it.  Accepts NULL. */
void render_data_free(struct render_data *d);

/* The root object (borrowed: lives as long as d).  NULL if d is NULL. */
struct render_obj *render_root(struct render_data *d);

/*
 * Setters.  key must be a valid name; the value is copied.  Setting a key
 * the object already holds replaces its value.  o may be NULL (the result
 * of a failed render_add_item): the call then does nothing and returns
 * ST_NOMEM.  The first failure of any setter is kept in the data and
 * returned again by render_exec, so callers may set many values and check
 * once.
 */
enum status render_set_text(struct render_obj *o, const char *key,
			    const char *value);
enum status render_set_textf(struct render_obj *o, const char *key,
			     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum status render_set_int(struct render_obj *o, const char *key, long long v);
enum status render_set_flag(struct render_obj *o, const char *key, bool on);

/* Trusted markup: html is copied to the output without escaping.  Only
 * for HTML that sanilog itself produced (e.g. a rendered template). */
enum status render_set_markup(struct render_obj *o, const char *key,
			      const char *html, size_t len);

/* Makes key an empty list (or keeps it if it is one already). */
enum status render_set_list(struct render_obj *o, const char *key);

/*
 * Appends a new, empty object to the list key (which is created if
 * absent) and returns it (borrowed: lives as long as the data).  NULL on
 * failure (out of memory, or key holds something other than a list),
 * with the failure kept in the data.
 */
struct render_obj *render_add_item(struct render_obj *o, const char *key);

/* The first failure of a setter on d, or ST_OK. */
enum status render_data_status(const struct render_data *d);

/*
 * Renders t with d, appending to out.  On failure (a setter failed, a
 * name not found, out full) out is unaltered and e says why.
 */
enum status render_exec(const struct render_tmpl *t,
			const struct render_data *d, struct buf *out,
			struct err *e);

/* Appends s[0..len) to out, HTML-escaped.  On failure out is unaltered. */
enum status render_escape(struct buf *out, const char *s, size_t len);

#endif
