/*
 * export.h: a venue's bundle (DESIGN.md bundle.json) from the store.
 */
#ifndef SANILOG_EXPORT_H
#define SANILOG_EXPORT_H

#include <stdint.h>

#include "base/status.h"
#include "core/bundle.h"
#include "store/store.h"

/*
 * Builds the bundle of venue against the kept checkpoint of size `size`
 * (the newest when size < 0): the venue's entries included in it, the
 * provider entries its attestations depend on (the attesting keys, any
 * provider-revoke of those names and the key each ended), each with its
 * inclusion proof.
 * *out is new.  ST_NOT_FOUND if the venue has no entry in that tree.
 */
enum status export_bundle(struct store *s, const char *venue, int64_t size,
			  struct bundle **out, struct err *e);

/* Splits a signed note: the length of its text (through the LF before the
 * blank line).  ST_CORRUPT when there is no blank line. */
enum status export_note_text_len(const char *note, size_t len,
				 size_t *text_len);

#endif
