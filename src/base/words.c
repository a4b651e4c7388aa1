/*
 * words.c: the catalogues of words (see words.h), read from the embedded
 * lang/<code>.txt once, on first use, and kept sorted by key.
 */
#include "words.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/embedded.h"

static const char *const codes[LANG__COUNT] = {"en", "it", "de", "fr", "es"};

struct word {
	const char *key, *text;
	int line;
};

struct catalogue {
	char path[16];	/* "lang/it.txt" */
	char *copy;	/* the file, split into keys and words in place */
	struct word *w; /* sorted by key */
	size_t n;
	char problem[160]; /* the first malformed line or duplicate key */
	bool found;
};

static struct catalogue cats[LANG__COUNT];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Atomic unsigned long missing;

/* ---- languages ---- */

const char *lang_code(enum lang l)
{
	return (unsigned)l < LANG__COUNT ? codes[l] : codes[LANG_EN];
}

bool lang_parse(const char *tag, size_t len, enum lang *out)
{
	size_t p = 0;
	while (p < len && tag[p] != '-' && tag[p] != '_')
		p++;
	if (p != 2)
		return false;
	for (int i = 0; i < LANG__COUNT; i++)
		if (strncasecmp(tag, codes[i], 2) == 0) {
			*out = (enum lang)i;
			return true;
		}
	return false;
}

/* A q value "0", "0.5", "1", "1.000" as thousandths; -1 if malformed. */
static int parse_q(const char *s, size_t n)
{
	int q = 0, scale = 1000;
	size_t i = 0;
	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	i = 1;
	if (i < n && s[i] == '.') {
		for (i++; i < n && scale > 1; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			scale /= 10;
			q += (s[i] - '0') * scale;
		}
	}
	if (i != n || q > 1000)
		return -1;
	return q;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

enum lang lang_negotiate(const char *accept_language, const char *query)
{
	enum lang best = LANG_EN, l;
	int best_q = 0;

	if (query != NULL && lang_parse(query, strlen(query), &l) &&
	    strlen(query) == 2)
		return l;
	if (accept_language == NULL)
		return LANG_EN;
	/* "it-IT,it;q=0.9,en;q=0.8" */
	for (const char *p = accept_language; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		const char *semi = memchr(p, ';', n);
		size_t tn = semi != NULL ? (size_t)(semi - p) : n;
		int q = 1000;

		while (tn > 0 && blank(*p)) {
			p++;
			n--;
			tn--;
		}
		while (tn > 0 && blank(p[tn - 1]))
			tn--;
		if (semi != NULL) {
			const char *qs = semi + 1;
			size_t qn = (size_t)(p + n - qs);
			while (qn > 0 && blank(*qs)) {
				qs++;
				qn--;
			}
			while (qn > 0 && blank(qs[qn - 1]))
				qn--;
			q = qn > 2 && qs[0] == 'q' && qs[1] == '='
				    ? parse_q(qs + 2, qn - 2)
				    : -1;
		}
		if (q > best_q && lang_parse(p, tn, &l)) {
			best = l;
			best_q = q;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return best;
}

/* ---- reading the catalogues ---- */

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct word *)a)->key,
		      ((const struct word *)b)->key);
}

static void problem(struct catalogue *c, int line, const char *what)
{
	if (c->problem[0] == 0)
		snprintf(c->problem, sizeof c->problem, "%s:%d: %s", c->path,
			 line, what);
}

/* Splits the catalogue's copy into its words, in place. */
static void parse(struct catalogue *c)
{
	size_t lines = 1, n = 0;
	int line = 0;

	for (const char *p = c->copy; *p; p++)
		lines += *p == '\n';
	c->w = calloc(lines, sizeof *c->w);
	if (c->w == NULL) {
		problem(c, 0, "out of memory");
		return;
	}
	for (char *p = c->copy; p != NULL && *p;) {
		char *eol = strchr(p, '\n'), *s = p;
		line++;
		if (eol != NULL)
			*eol = 0;
		p = eol != NULL ? eol + 1 : NULL;
		while (blank(*s))
			s++;
		if (*s == 0 || *s == '#')
			continue;
		char *k = s;
		while (key_char(*s))
			s++;
		size_t klen = (size_t)(s - k);
		while (blank(*s))
			s++;
		if (klen == 0 || klen > WORDS_KEY_MAX || *s != '=') {
			problem(c, line, "not \"key = words\"");
			continue;
		}
		k[klen] = 0;
		s++;
		while (blank(*s))
			s++;
		char *t = s + strlen(s);
		while (t > s && (blank(t[-1]) || t[-1] == '\r'))
			*--t = 0;
		if (*s == 0) {
			problem(c, line, "a key without words");
			continue;
		}
		c->w[n++] = (struct word){k, s, line};
	}
	c->n = n;
	qsort(c->w, n, sizeof *c->w, by_key);
	for (size_t i = 1; i < n; i++)
		if (strcmp(c->w[i - 1].key, c->w[i].key) == 0) {
			char what[80];
			snprintf(what, sizeof what, "%s given twice",
				 c->w[i].key);
			problem(c, c->w[i].line, what);
		}
}

static void load(void)
{
	for (int l = 0; l < LANG__COUNT; l++) {
		struct catalogue *c = &cats[l];
		snprintf(c->path, sizeof c->path, "lang/%s.txt", codes[l]);
		for (const struct embedded_file *f = embedded_files; f->name;
		     f++) {
			if (strcmp(f->name, c->path) != 0)
				continue;
			c->found = true;
			c->copy = malloc(f->len + 1);
			if (c->copy == NULL) {
				problem(c, 0, "out of memory");
				break;
			}
			memcpy(c->copy, f->data, f->len);
			c->copy[f->len] = 0;
			parse(c);
			break;
		}
	}
}

static const struct word *find(const struct catalogue *c, const char *key)
{
	struct word k = {key, NULL, 0};
	return c->n == 0 ? NULL : bsearch(&k, c->w, c->n, sizeof *c->w, by_key);
}

/* ---- words ---- */

const char *word(enum lang l, const char *key)
{
	const struct word *w = NULL;

	pthread_once(&once, load);
	if ((unsigned)l < LANG__COUNT)
		w = find(&cats[l], key);
	if (w == NULL)
		w = find(&cats[LANG_EN], key);
	if (w == NULL)
		missing++;
	return w != NULL ? w->text : key;
}

unsigned long words_missing(void)
{
	return missing;
}

/* Appends s[0..n) to out at *at (as snprintf: counting past size). */
static void put(char *out, size_t size, size_t *at, const char *s, size_t n)
{
	if (*at < size) {
		size_t room = size - *at - 1;
		memcpy(out + *at, s, n < room ? n : room);
	}
	*at += n;
}

static size_t vformat(char *out, size_t size, const char *text, va_list ap)
{
	size_t at = 0;

	for (const char *p = text; *p;) {
		const char *open = strchr(p, '{'), *close = NULL;
		if (open != NULL)
			close = strchr(open, '}');
		if (open == NULL || close == NULL) {
			put(out, size, &at, p, strlen(p));
			break;
		}
		put(out, size, &at, p, (size_t)(open - p));
		size_t nlen = (size_t)(close - open - 1);
		const char *value = NULL;
		va_list aq;
		va_copy(aq, ap);
		for (const char *name; (name = va_arg(aq, const char *));) {
			const char *v = va_arg(aq, const char *);
			if (strlen(name) == nlen &&
			    memcmp(name, open + 1, nlen) == 0) {
				value = v;
				break;
			}
		}
		va_end(aq);
		if (value != NULL)
			put(out, size, &at, value, strlen(value));
		else
			put(out, size, &at, open, nlen + 2);
		p = close + 1;
	}
	if (size > 0)
		out[at < size ? at : size - 1] = 0;
	return at;
}

size_t wordf(char *out, size_t size, enum lang l, const char *key, ...)
{
	va_list ap;
	va_start(ap, key);
	size_t n = vformat(out, size, word(l, key), ap);
	va_end(ap);
	return n;
}

/* The {n} value's form: "one" for 1 (and 0 in French), else "other". */
static const char *plural(enum lang l, long long n)
{
	return n == 1 || (l == LANG_FR && n == 0) ? "one" : "other";
}

size_t words_count(char *out, size_t size, enum lang l, const char *key,
		   long long n, ...)
{
	char k[WORDS_KEY_MAX + 8], num[24];
	va_list ap;

	snprintf(k, sizeof k, "%s_%s", key, plural(l, n));
	snprintf(num, sizeof num, "%lld", n);
	/* {n} first, then the caller's values. */
	char once_more[512];
	wordf(once_more, sizeof once_more, l, k, "n", num, WORDS_END);
	va_start(ap, n);
	size_t r = vformat(out, size, once_more, ap);
	va_end(ap);
	return r;
}

void words_each(enum lang l, const char *prefix,
		void (*fn)(void *ctx, const char *key, const char *text),
		void *ctx)
{
	size_t plen = strlen(prefix);

	pthread_once(&once, load);
	if ((unsigned)l >= LANG__COUNT)
		return;
	for (size_t i = 0; i < cats[l].n; i++)
		if (strncmp(cats[l].w[i].key, prefix, plen) == 0)
			fn(ctx, cats[l].w[i].key, cats[l].w[i].text);
}

/* ---- the check ---- */

/* The {names} of text, each followed by a space, in order of appearance;
 * false when a brace is not closed. */
static bool names_of(const char *text, char *out, size_t size)
{
	size_t at = 0;
	out[0] = 0;
	for (const char *p = text; (p = strchr(p, '{')) != NULL;) {
		const char *close = strchr(p, '}');
		if (close == NULL)
			return false;
		for (const char *q = p + 1; q < close; q++)
			if (!key_char(*q))
				return false;
		put(out, size, &at, p + 1, (size_t)(close - p - 1));
		put(out, size, &at, " ", 1);
		p = close + 1;
	}
	if (size > 0)
		out[at < size ? at : size - 1] = 0;
	return true;
}

/* Whether every space-ended name of x is one of y's. */
static bool subset(const char *x, const char *y)
{
	for (const char *p = x; *p;) {
		const char *sp = strchr(p, ' ');
		size_t n = (size_t)(sp - p);
		bool found = false;
		for (const char *q = y; *q && !found;) {
			const char *sq = strchr(q, ' ');
			found = (size_t)(sq - q) == n && memcmp(p, q, n) == 0;
			q = sq + 1;
		}
		if (!found)
			return false;
		p = sp + 1;
	}
	return true;
}

static bool same_names(const char *a, const char *b)
{
	return subset(a, b) && subset(b, a);
}

enum status words_check(struct err *e)
{
	const struct catalogue *en = &cats[LANG_EN];
	char na[256], nb[256];

	pthread_once(&once, load);
	for (int l = 0; l < LANG__COUNT; l++) {
		const struct catalogue *c = &cats[l];
		if (!c->found)
			return err_set(e, ST_INVALID, "%s: missing", c->path);
		if (c->problem[0] != 0)
			return err_set(e, ST_INVALID, "%s", c->problem);
		for (size_t i = 0; i < c->n; i++) {
			const struct word *w = &c->w[i];
			if (!names_of(w->text, nb, sizeof nb))
				return err_set(e, ST_INVALID,
					       "%s:%d: %s: a { without its } "
					       "or a bad name in braces",
					       c->path, w->line, w->key);
			const struct word *ew = find(en, w->key);
			if (ew == NULL)
				return err_set(
					e, ST_INVALID, "%s:%d: %s is not in %s",
					c->path, w->line, w->key, en->path);
			names_of(ew->text, na, sizeof na);
			if (!same_names(na, nb))
				return err_set(e, ST_INVALID,
					       "%s:%d: %s has {%s} where %s "
					       "has {%s}",
					       c->path, w->line, w->key, nb,
					       en->path, na);
		}
		for (size_t i = 0; i < en->n; i++)
			if (find(c, en->w[i].key) == NULL)
				return err_set(e, ST_INVALID,
					       "%s: no words for %s (%s:%d)",
					       c->path, en->w[i].key, en->path,
					       en->w[i].line);
	}
	return ST_OK;
}
