/*
 * ids.c: a set of venue ids (ids.h).
 */
#include "ids.h"

#include <stdlib.h>
#include <string.h>

enum status ids_add(struct ids *s, const char *id, struct err *e)
{
	/* A venue's entries come in runs: the last one is the likeliest. */
	if (s->n > 0 && strcmp(s->v[s->n - 1], id) == 0)
		return ST_OK;
	if (s->n == s->a) {
		size_t a = s->a == 0 ? 64 : 2 * s->a;
		char **p = realloc(s->v, a * sizeof *p);
		if (p == NULL)
			return err_set(e, ST_NOMEM, "out of memory");
		s->v = p;
		s->a = a;
	}
	if ((s->v[s->n] = strdup(id)) == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	s->n++;
	return ST_OK;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ids_sort(struct ids *s)
{
	size_t k = 0;
	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof *s->v, cmp);
	for (size_t i = 1; i < s->n; i++) {
		if (strcmp(s->v[i], s->v[k]) == 0)
			free(s->v[i]);
		else
			s->v[++k] = s->v[i];
	}
	s->n = k + 1;
}

bool ids_has(const struct ids *s, const char *id)
{
	return s->n > 0 && bsearch(&id, s->v, s->n, sizeof *s->v, cmp) != NULL;
}

void ids_free(struct ids *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

const char *ids_doc_ext(const char *mime)
{
	if (strcmp(mime, "application/pdf") == 0)
		return "pdf";
	if (strcmp(mime, "image/png") == 0)
		return "png";
	return strcmp(mime, "image/jpeg") == 0 ? "jpg" : NULL;
}
