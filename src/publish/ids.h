/*
 * ids.h: a set of venue ids (the venues a run writes), and the file name
 * extension of a document's media type.
 */
#ifndef SANILOG_IDS_H
#define SANILOG_IDS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"

struct ids {
	char **v; /* owned strings */
	size_t n, a;
};

/* Adds id (copied); the same id twice in a row is kept once. */
enum status ids_add(struct ids *s, const char *id, struct err *e);
/* Sorts the ids and drops the repeated ones, for ids_has. */
void ids_sort(struct ids *s);
/* Whether the sorted set has id. */
bool ids_has(const struct ids *s, const char *id);
void ids_free(struct ids *s);

/* "pdf", "png" or "jpg" for a document's media type; NULL for another. */
const char *ids_doc_ext(const char *mime);

#endif
