/*
 * pages_words.c: the languages of the pages (Accept-Language and ?lang=)
 * and the words they make from values, in English and Italian: document
 * types, dates, ages, sizes and media types.
 */
#include "pages_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/entry.h"

/* ---- languages ---- */

const char *pages_lang_code(enum page_lang lang)
{
	return lang == LANG_IT ? "it" : "en";
}

/* The language of a tag ("it", "it-IT", "en-GB"); -1 if neither. */
static int tag_lang(const char *s, size_t n)
{
	size_t p = 0;
	while (p < n && s[p] != '-' && s[p] != '_')
		p++;
	if (p == 2 && strncasecmp(s, "it", 2) == 0)
		return LANG_IT;
	if (p == 2 && strncasecmp(s, "en", 2) == 0)
		return LANG_EN;
	return -1;
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

enum page_lang pages_lang(const char *accept_language, const char *query_lang)
{
	int best = -1, best_q = 0;

	if (query_lang != NULL) {
		if (strcasecmp(query_lang, "it") == 0)
			return LANG_IT;
		if (strcasecmp(query_lang, "en") == 0)
			return LANG_EN;
	}
	if (accept_language == NULL)
		return LANG_EN;
	/* "it-IT,it;q=0.9,en;q=0.8": the listed language with the highest
	 * q wins, the first one on a tie. */
	for (const char *p = accept_language; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		const char *semi = memchr(p, ';', n);
		size_t tn = semi != NULL ? (size_t)(semi - p) : n;
		int q = 1000;

		while (tn > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
			tn--;
		}
		while (tn > 0 && (p[tn - 1] == ' ' || p[tn - 1] == '\t'))
			tn--;
		if (semi != NULL) {
			const char *qs = semi + 1;
			size_t qn = (size_t)(p + n - qs);
			while (qn > 0 && *qs == ' ') {
				qs++;
				qn--;
			}
			while (qn > 0 && qs[qn - 1] == ' ')
				qn--;
			q = qn > 2 && qs[0] == 'q' && qs[1] == '='
				    ? parse_q(qs + 2, qn - 2)
				    : -1;
		}
		int l = tag_lang(p, tn);
		if (l >= 0 && q > 0 && q > best_q) {
			best = l;
			best_q = q;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return best == LANG_IT ? LANG_IT : LANG_EN;
}

/* ---- words ---- */

static const struct {
	const char *type, *en, *it;
} type_labels[] = {
	{"sanitization", "Sanitization", "Sanificazione"},
	{"disinfection", "Disinfection", "Disinfezione"},
	{"pest-control", "Pest control", "Disinfestazione"},
	{"hvac", "Air systems (HVAC)", "Impianti aeraulici"},
	{"water", "Water system", "Impianto idrico"},
	{"protocol", "Protocol", "Protocollo"},
	{"form", "Form", "Modulo"},
	{"other", "Other", "Altro"},
};

/* Month names: [0] English, [1] Italian. */
static const char *const months[2][12] = {
	{"January", "February", "March", "April", "May", "June", "July",
	 "August", "September", "October", "November", "December"},
	{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
	 "agosto", "settembre", "ottobre", "novembre", "dicembre"},
};

/* Failures are kept in the data (render.h) and show at render_exec. */
void pages_set_labels(struct render_obj *o, const struct label *l, size_t n,
		      enum page_lang lang)
{
	for (size_t i = 0; i < n; i++)
		render_set_text(o, l[i].key, W(lang, l[i].en, l[i].it));
}

const char *pages_type_at(size_t i, enum page_lang lang, const char **label)
{
	if (i >= ARRAY_LEN(type_labels))
		return NULL;
	*label = W(lang, type_labels[i].en, type_labels[i].it);
	return type_labels[i].type;
}

const char *pages_type_label(const char *type, enum page_lang lang)
{
	for (size_t i = 0; i < ARRAY_LEN(type_labels); i++)
		if (strcmp(type_labels[i].type, type) == 0)
			return W(lang, type_labels[i].en, type_labels[i].it);
	return type;
}

/* "20 November 2026" (long) or "20 Nov 2026"; "" for "". */
void pages_human_date(char *out, size_t size, const char *d, bool full,
		      enum page_lang lang)
{
	if (!entry_date_valid(d)) {
		snprintf(out, size, "%s", d);
		return;
	}
	int m = (d[5] - '0') * 10 + (d[6] - '0');
	int day = (d[8] - '0') * 10 + (d[9] - '0');
	const char *name = months[lang == LANG_IT][m - 1];
	snprintf(out, size, "%d %.*s %.4s", day, full ? 20 : 3, name, d);
}

/* "today", "yesterday", "5 days ago"; for a date after today, "on <date>". */
void pages_human_ago(char *out, size_t size, int64_t days, const char *date,
		     enum page_lang lang)
{
	char h[40];
	if (days == 0) {
		snprintf(out, size, "%s", W(lang, "today", "oggi"));
	} else if (days == 1) {
		snprintf(out, size, "%s", W(lang, "yesterday", "ieri"));
	} else if (days > 1) {
		snprintf(out, size,
			 W(lang, "%" PRId64 " days ago",
			   "%" PRId64 " giorni fa"),
			 days);
	} else {
		pages_human_date(h, sizeof h, date, true, lang);
		snprintf(out, size, W(lang, "on %s", "il %s"), h);
	}
}

void pages_human_bytes(char *out, size_t size, int64_t n, enum page_lang lang)
{
	if (n < 1024) {
		snprintf(out, size, "%" PRId64 " B", n);
		return;
	}
	double v = (double)n / 1024.0;
	const char *unit = "kB";
	if (v >= 1024.0) {
		v /= 1024.0;
		unit = "MB";
	}
	if (v < 10.0)
		snprintf(out, size, "%.1f %s", v, unit);
	else
		snprintf(out, size, "%.0f %s", v, unit);
	if (lang == LANG_IT) {
		char *dot = strchr(out, '.');
		if (dot != NULL)
			*dot = ',';
	}
}

const char *pages_mime_label(const char *mime)
{
	if (strcmp(mime, "application/pdf") == 0)
		return "PDF";
	if (strcmp(mime, "image/png") == 0)
		return "PNG";
	if (strcmp(mime, "image/jpeg") == 0)
		return "JPEG";
	return mime;
}
