/*
 * render.c: the template renderer of the web pages (see render.h).
 *
 * A template is compiled once into a flat array of operations: text runs
 * (pointing into the template's own copy), value insertions, and sections
 * that know the operation after their end.  Rendering walks that array,
 * recursing into sections, with a stack of the list items being rendered
 * for name lookups.  Escaping is the default and the only path for text:
 * there is no template syntax for raw output, so a template cannot turn
 * a value into markup; only C code calling render_set_markup can.
 *
 * A render_data keeps everything (objects, values, copies of strings) in
 * one arena of chained blocks, freed at once; objects hold their values
 * in a singly linked list (pages have a few dozen names per object).
 */
#include "render.h"

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 8192

/* ---- compiled templates ---- */

enum op_kind {
	OP_TEXT,
	OP_VALUE,
	OP_SECTION,
	OP_INVERTED,
};

struct op {
	enum op_kind kind;
	const char *s; /* text, or the name */
	size_t len;
	size_t end;    /* sections: index of the first op after the body */
	unsigned line; /* where the tag is, for messages */
};

struct render_tmpl {
	char name[96];
	char *text; /* owned copy */
	struct op *ops;
	size_t nops;
};

/* ---- values ---- */

enum value_kind {
	V_TEXT,
	V_MARKUP,
	V_FLAG,
	V_LIST,
};

struct value {
	struct value *next;
	const char *key;
	enum value_kind kind;
	const char *s; /* text, markup */
	size_t len;
	bool flag;
	struct render_obj *first, *last; /* list items */
	size_t count;
};

struct render_obj {
	struct render_data *d;
	struct value *values;
	struct render_obj *next; /* the next item of the list holding it */
};

struct block {
	struct block *next;
	size_t used, size;
	max_align_t data[]; /* size bytes */
};

struct render_data {
	struct block *blocks;
	size_t total; /* bytes allocated in blocks */
	enum status st;
	struct render_obj root;
};

/* ---- names ---- */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool name_valid(const char *s, size_t len)
{
	if (len == 0 || len > RENDER_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

/* ---- compiling ---- */

void render_tmpl_free(struct render_tmpl *t)
{
	if (t == NULL)
		return;
	free(t->text);
	free(t->ops);
	free(t);
}

static enum status push_op(struct render_tmpl *t, size_t *alloc,
			   enum op_kind kind, const char *s, size_t len,
			   unsigned line)
{
	if (t->nops == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 32;
		struct op *p = realloc(t->ops, na * sizeof *p);
		if (p == NULL)
			return ST_NOMEM;
		t->ops = p;
		*alloc = na;
	}
	t->ops[t->nops].kind = kind;
	t->ops[t->nops].s = s;
	t->ops[t->nops].len = len;
	t->ops[t->nops].end = 0;
	t->ops[t->nops].line = line;
	t->nops++;
	return ST_OK;
}

static unsigned count_lines(const char *s, size_t len)
{
	unsigned n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

/* Parses the whole template text into t->ops. */
static enum status parse(struct render_tmpl *t, struct err *e)
{
	const char *text = t->text;
	size_t len = strlen(text);
	size_t pos = 0, alloc = 0;
	size_t open[RENDER_DEPTH_MAX];
	size_t depth = 0;
	unsigned line = 1;
	enum status st;

	while (pos < len) {
		const char *tag = strstr(text + pos, "{{");
		size_t tpos = tag != NULL ? (size_t)(tag - text) : len;
		if (tpos > pos) {
			st = push_op(t, &alloc, OP_TEXT, text + pos, tpos - pos,
				     line);
			if (st != ST_OK)
				goto nomem;
			line += count_lines(text + pos, tpos - pos);
		}
		if (tag == NULL)
			break;
		const char *body = tag + 2;
		const char *close = strstr(body, "}}");
		if (close == NULL)
			return err_set(e, ST_INVALID,
				       "%s:%u: \"{{\" without \"}}\"", t->name,
				       line);
		size_t blen = (size_t)(close - body);
		pos = (size_t)(close - text) + 2;
		char sigil = (char)(blen > 0 ? body[0] : 0);
		if (sigil == '!') {
			line += count_lines(body, blen);
			continue;
		}
		if (sigil == '{')
			return err_set(e, ST_INVALID,
				       "%s:%u: \"{{{\" is not a template tag "
				       "(values are always escaped)",
				       t->name, line);
		const char *name = body;
		size_t nlen = blen;
		if (sigil == '#' || sigil == '^' || sigil == '/') {
			name++;
			nlen--;
		}
		if (!name_valid(name, nlen))
			return err_set(e, ST_INVALID,
				       "%s:%u: \"{{%.*s}}\" is not a tag (want "
				       "{{name}}, {{#name}}, {{^name}}, "
				       "{{/name}} or {{!comment}}; names are "
				       "1 to %d of a-z A-Z 0-9 _ -)",
				       t->name, line,
				       blen > 40 ? 40 : (int)blen, body,
				       RENDER_NAME_MAX);
		if (sigil == '/') {
			if (depth == 0)
				return err_set(e, ST_INVALID,
					       "%s:%u: {{/%.*s}} closes no "
					       "section",
					       t->name, line, (int)nlen, name);
			struct op *o = &t->ops[open[depth - 1]];
			if (o->len != nlen || memcmp(o->s, name, nlen) != 0)
				return err_set(e, ST_INVALID,
					       "%s:%u: {{/%.*s}} closes "
					       "{{%c%.*s}} of line %u",
					       t->name, line, (int)nlen, name,
					       o->kind == OP_SECTION ? '#'
								     : '^',
					       (int)o->len, o->s, o->line);
			o->end = t->nops;
			depth--;
			continue;
		}
		enum op_kind k = sigil == '#'	? OP_SECTION
				 : sigil == '^' ? OP_INVERTED
						: OP_VALUE;
		if (k != OP_VALUE && depth == RENDER_DEPTH_MAX)
			return err_set(e, ST_INVALID,
				       "%s:%u: sections nested deeper than %d",
				       t->name, line, RENDER_DEPTH_MAX);
		st = push_op(t, &alloc, k, name, nlen, line);
		if (st != ST_OK)
			goto nomem;
		if (k != OP_VALUE)
			open[depth++] = t->nops - 1;
	}
	if (depth > 0) {
		const struct op *o = &t->ops[open[depth - 1]];
		return err_set(e, ST_INVALID,
			       "%s:%u: {{%c%.*s}} is never closed", t->name,
			       o->line, o->kind == OP_SECTION ? '#' : '^',
			       (int)o->len, o->s);
	}
	return ST_OK;
nomem:
	return err_set(e, ST_NOMEM, "%s: out of memory", t->name);
}

enum status render_compile(const char *name, const char *text, size_t len,
			   struct render_tmpl **out, struct err *e)
{
	struct render_tmpl *t;
	enum status st;

	*out = NULL;
	if (len > RENDER_TEMPLATE_MAX)
		return err_set(e, ST_TOO_LARGE,
			       "%s: template of %zu bytes, more than %u", name,
			       len, RENDER_TEMPLATE_MAX);
	if (memchr(text, 0, len) != NULL)
		return err_set(
			e, ST_INVALID, "%s:%u: NUL byte in template", name,
			1 + count_lines(text, (size_t)((const char *)memchr(
							       text, 0, len) -
						       text)));
	t = calloc(1, sizeof *t);
	if (t == NULL || (t->text = malloc(len + 1)) == NULL) {
		free(t);
		return err_set(e, ST_NOMEM, "%s: out of memory", name);
	}
	snprintf(t->name, sizeof t->name, "%s", name);
	memcpy(t->text, text, len);
	t->text[len] = 0;
	st = parse(t, e);
	if (st != ST_OK) {
		render_tmpl_free(t);
		return st;
	}
	*out = t;
	return ST_OK;
}

/* ---- data ---- */

struct render_data *render_data_new(void)
{
	struct render_data *d = calloc(1, sizeof *d);
	if (d != NULL)
		d->root.d = d;
	return d;
}

void render_data_free(struct render_data *d)
{
	if (d == NULL)
		return;
	for (struct block *b = d->blocks, *n; b != NULL; b = n) {
		n = b->next;
		free(b);
	}
	free(d);
}

struct render_obj *render_root(struct render_data *d)
{
	return d != NULL ? &d->root : NULL;
}

enum status render_data_status(const struct render_data *d)
{
	return d != NULL ? d->st : ST_NOMEM;
}

static enum status fail(struct render_data *d, enum status st)
{
	if (d->st == ST_OK)
		d->st = st;
	return st;
}

/* n bytes, aligned, from d's arena; NULL (with d->st set) on failure. */
static void *arena_alloc(struct render_data *d, size_t n)
{
	struct block *b = d->blocks;
	size_t a = sizeof(max_align_t);

	n = (n + a - 1) / a * a;
	if (b == NULL || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		if (size > RENDER_DATA_MAX ||
		    d->total > RENDER_DATA_MAX - size) {
			fail(d, ST_TOO_LARGE);
			return NULL;
		}
		b = malloc(sizeof *b + size);
		if (b == NULL) {
			fail(d, ST_NOMEM);
			return NULL;
		}
		b->next = d->blocks;
		b->used = 0;
		b->size = size;
		d->blocks = b;
		d->total += size;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

static const char *arena_strdup(struct render_data *d, const char *s,
				size_t len)
{
	char *p = arena_alloc(d, len + 1);
	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = 0;
	}
	return p;
}

/* The value key of o (found or added, reset to kind), or NULL. */
static struct value *slot(struct render_obj *o, const char *key,
			  enum value_kind kind)
{
	struct render_data *d = o->d;
	struct value *v;
	size_t klen = strlen(key);

	if (!name_valid(key, klen)) {
		fail(d, ST_INTERNAL);
		return NULL;
	}
	for (v = o->values; v != NULL; v = v->next)
		if (strcmp(v->key, key) == 0)
			break;
	if (v == NULL) {
		v = arena_alloc(d, sizeof *v);
		if (v == NULL)
			return NULL;
		memset(v, 0, sizeof *v);
		v->key = arena_strdup(d, key, klen);
		if (v->key == NULL)
			return NULL;
		v->next = o->values;
		o->values = v;
	} else if (kind == V_LIST && v->kind == V_LIST) {
		return v; /* keep its items */
	}
	v->kind = kind;
	v->s = NULL;
	v->len = 0;
	v->flag = false;
	v->first = v->last = NULL;
	v->count = 0;
	return v;
}

static enum status set_string(struct render_obj *o, const char *key,
			      enum value_kind kind, const char *s, size_t len)
{
	if (o == NULL)
		return ST_NOMEM;
	if (s == NULL)
		return fail(o->d, ST_INTERNAL);
	const char *copy = arena_strdup(o->d, s, len);
	if (copy == NULL)
		return o->d->st;
	struct value *v = slot(o, key, kind);
	if (v == NULL)
		return o->d->st;
	v->s = copy;
	v->len = len;
	return ST_OK;
}

enum status render_set_text(struct render_obj *o, const char *key,
			    const char *value)
{
	return set_string(o, key, V_TEXT, value,
			  value != NULL ? strlen(value) : 0);
}

enum status render_set_textf(struct render_obj *o, const char *key,
			     const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	if (o == NULL)
		return ST_NOMEM;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return fail(o->d, ST_INTERNAL);
	if ((size_t)n < sizeof small)
		return set_string(o, key, V_TEXT, small, (size_t)n);
	char *big = arena_alloc(o->d, (size_t)n + 1);
	if (big == NULL)
		return o->d->st;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	struct value *v = slot(o, key, V_TEXT);
	if (v == NULL)
		return o->d->st;
	v->s = big;
	v->len = (size_t)n;
	return ST_OK;
}

enum status render_set_int(struct render_obj *o, const char *key, long long v)
{
	return render_set_textf(o, key, "%lld", v);
}

enum status render_set_markup(struct render_obj *o, const char *key,
			      const char *html, size_t len)
{
	return set_string(o, key, V_MARKUP, html, len);
}

enum status render_set_flag(struct render_obj *o, const char *key, bool on)
{
	if (o == NULL)
		return ST_NOMEM;
	struct value *v = slot(o, key, V_FLAG);
	if (v == NULL)
		return o->d->st;
	v->flag = on;
	return ST_OK;
}

enum status render_set_list(struct render_obj *o, const char *key)
{
	if (o == NULL)
		return ST_NOMEM;
	return slot(o, key, V_LIST) != NULL ? ST_OK : o->d->st;
}

struct render_obj *render_add_item(struct render_obj *o, const char *key)
{
	if (o == NULL)
		return NULL;
	struct value *v = NULL;
	for (struct value *w = o->values; w != NULL; w = w->next)
		if (strcmp(w->key, key) == 0)
			v = w;
	if (v != NULL && v->kind != V_LIST) {
		fail(o->d, ST_INTERNAL);
		return NULL;
	}
	if (v == NULL && (v = slot(o, key, V_LIST)) == NULL)
		return NULL;
	struct render_obj *item = arena_alloc(o->d, sizeof *item);
	if (item == NULL)
		return NULL;
	item->d = o->d;
	item->values = NULL;
	item->next = NULL;
	if (v->last != NULL)
		v->last->next = item;
	else
		v->first = item;
	v->last = item;
	v->count++;
	return item;
}

/* ---- escaping ---- */

enum status render_escape(struct buf *out, const char *s, size_t len)
{
	size_t mark = out->len;
	size_t i = 0;
	enum status st = ST_OK;

	while (i < len && st == ST_OK) {
		size_t plain = i; /* the end of the run needing no escape */
		while (plain < len && s[plain] != '&' && s[plain] != '<' &&
		       s[plain] != '>' && s[plain] != '"' && s[plain] != '\'')
			plain++;
		if (plain > i)
			st = buf_append(out, s + i, plain - i);
		if (st != ST_OK || plain == len)
			break;
		switch (s[plain]) {
		case '&':
			st = buf_append(out, "&amp;", 5);
			break;
		case '<':
			st = buf_append(out, "&lt;", 4);
			break;
		case '>':
			st = buf_append(out, "&gt;", 4);
			break;
		case '"':
			st = buf_append(out, "&quot;", 6);
			break;
		default:
			st = buf_append(out, "&#39;", 5);
			break;
		}
		i = plain + 1;
	}
	if (st != ST_OK) {
		out->len = mark;
		if (out->data != NULL)
			out->data[mark] = 0;
	}
	return st;
}

/* ---- rendering ---- */

struct scope {
	const struct render_obj *obj;
	const struct scope *up;
};

struct exec {
	const struct render_tmpl *t;
	struct buf *out;
	struct err *e;
};

static const struct value *lookup(const struct scope *sc, const char *name,
				  size_t len)
{
	for (; sc != NULL; sc = sc->up)
		for (const struct value *v = sc->obj->values; v != NULL;
		     v = v->next)
			if (strncmp(v->key, name, len) == 0 && v->key[len] == 0)
				return v;
	return NULL;
}

static bool truthy(const struct value *v)
{
	switch (v->kind) {
	case V_TEXT:
	case V_MARKUP:
		return v->len > 0;
	case V_FLAG:
		return v->flag;
	case V_LIST:
		return v->count > 0;
	}
	return false;
}

static enum status out_fail(struct exec *x, enum status st)
{
	return err_set(x->e, st, "%s: output: %s", x->t->name, status_str(st));
}

/* Recursive for sections: render_compile refuses templates whose sections
 * nest deeper than RENDER_DEPTH_MAX. */
// NOLINTNEXTLINE(misc-no-recursion)
static enum status run(struct exec *x, size_t from, size_t to,
		       const struct scope *sc)
{
	const struct op *ops = x->t->ops;
	enum status st;

	for (size_t i = from; i < to; i++) {
		const struct op *o = &ops[i];
		const struct value *v;

		if (o->kind == OP_TEXT) {
			st = buf_append(x->out, o->s, o->len);
			if (st != ST_OK)
				return out_fail(x, st);
			continue;
		}
		v = lookup(sc, o->s, o->len);
		if (v == NULL)
			return err_set(x->e, ST_INVALID,
				       "%s:%u: no value named \"%.*s\"",
				       x->t->name, o->line, (int)o->len, o->s);
		if (o->kind == OP_VALUE) {
			if (v->kind == V_TEXT)
				st = render_escape(x->out, v->s, v->len);
			else if (v->kind == V_MARKUP)
				st = buf_append(x->out, v->s, v->len);
			else
				return err_set(
					x->e, ST_INVALID,
					"%s:%u: {{%.*s}} is a %s, not "
					"a text",
					x->t->name, o->line, (int)o->len, o->s,
					v->kind == V_FLAG ? "flag" : "list");
			if (st != ST_OK)
				return out_fail(x, st);
			continue;
		}
		bool on = truthy(v);
		if (o->kind == OP_INVERTED) {
			if (!on && (st = run(x, i + 1, o->end, sc)) != ST_OK)
				return st;
		} else if (v->kind == V_LIST) {
			for (const struct render_obj *it = v->first; it != NULL;
			     it = it->next) {
				struct scope inner = {it, sc};
				st = run(x, i + 1, o->end, &inner);
				if (st != ST_OK)
					return st;
			}
		} else if (on && (st = run(x, i + 1, o->end, sc)) != ST_OK) {
			return st;
		}
		i = o->end - 1; /* the loop's i++ goes to end */
	}
	return ST_OK;
}

enum status render_exec(const struct render_tmpl *t,
			const struct render_data *d, struct buf *out,
			struct err *e)
{
	size_t mark = out->len;
	struct scope root;
	struct exec x = {t, out, e};
	enum status st;

	if (d == NULL)
		return err_set(e, ST_NOMEM, "%s: no data", t->name);
	if (d->st != ST_OK)
		return err_set(e, d->st, "%s: setting values: %s", t->name,
			       status_str(d->st));
	root.obj = &d->root;
	root.up = NULL;
	st = run(&x, 0, t->nops, &root);
	if (st != ST_OK) {
		out->len = mark;
		if (out->data != NULL)
			out->data[mark] = 0;
	}
	return st;
}
