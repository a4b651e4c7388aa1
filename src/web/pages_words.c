/*
 * pages_words.c: the words the pages make from values, in the page's
 * language (base/words.h): document types, dates, ages, sizes and media
 * types.
 */
#include "pages_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/entry.h"

/* ---- words ---- */

/* The document types, in the order forms offer them. */
static const char *const types[] = {
	"sanitization", "disinfection", "pest-control", "hvac",
	"water",	"protocol",	"form",		"other",
};

/* Failures are kept in the data (render.h) and show at render_exec. */
void pages_set_labels(struct render_obj *o, const char *const *keys, size_t n,
		      enum lang lang)
{
	char name[RENDER_NAME_MAX + 1];
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "t_%s", keys[i]);
		render_set_text(o, name, word(lang, keys[i]));
	}
}

/* The catalogue's key of a document type: "type_pest_control". */
static const char *type_key(const char *type, char *key, size_t size)
{
	snprintf(key, size, "type_%s", type);
	for (char *p = key; *p; p++)
		if (*p == '-')
			*p = '_';
	return key;
}

const char *pages_type_at(size_t i, enum lang lang, const char **label)
{
	char key[WORDS_KEY_MAX + 1];
	if (i >= ARRAY_LEN(types))
		return NULL;
	*label = word(lang, type_key(types[i], key, sizeof key));
	return types[i];
}

const char *pages_type_label(const char *type, enum lang lang)
{
	char key[WORDS_KEY_MAX + 1];
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		if (strcmp(types[i], type) == 0)
			return word(lang, type_key(type, key, sizeof key));
	return type;
}

/* "20 November 2026" (long) or "20 Nov 2026"; "" for "". */
void pages_human_date(char *out, size_t size, const char *d, bool full,
		      enum lang lang)
{
	if (!entry_date_valid(d)) {
		snprintf(out, size, "%s", d);
		return;
	}
	int m = (d[5] - '0') * 10 + (d[6] - '0');
	char key[16], day[8], year[8];
	snprintf(key, sizeof key, "%s_%d", full ? "month" : "mon", m);
	snprintf(day, sizeof day, "%d", (d[8] - '0') * 10 + (d[9] - '0'));
	snprintf(year, sizeof year, "%.4s", d);
	wordf(out, size, lang, "date_long", "day", day, "month",
	      word(lang, key), "year", year, WORDS_END);
}

/* "today", "yesterday", "5 days ago"; for a date after today, "on <date>". */
void pages_human_ago(char *out, size_t size, int64_t days, const char *date,
		     enum lang lang)
{
	char h[40];
	if (days == 0) {
		snprintf(out, size, "%s", word(lang, "today"));
	} else if (days == 1) {
		snprintf(out, size, "%s", word(lang, "yesterday"));
	} else if (days > 1) {
		words_count(out, size, lang, "days_ago", (long long)days,
			    WORDS_END);
	} else {
		pages_human_date(h, sizeof h, date, true, lang);
		wordf(out, size, lang, "on_date", "date", h, WORDS_END);
	}
}

void pages_human_bytes(char *out, size_t size, int64_t n, enum lang lang)
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
	char *dot = strchr(out, '.');
	if (dot != NULL)
		*dot = word(lang, "decimal_point")[0];
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
