/*
 * export.h: a venue's bundle (DESIGN.md bundle.json) from the store, and
 * what a venue's poster is made from (print/poster.h), as plain data.
 */
#ifndef SANILOG_EXPORT_H
#define SANILOG_EXPORT_H

#include <stdint.h>

#include "base/status.h"
#include "core/bundle.h"
#include "base/status.h"
#include "core/entry.h"
#include "core/hash.h"
#include "core/note.h"
#include "core/pin.h"
#include "core/tile.h"
#include "store/store.h"

/*
 * Builds the bundle of venue against the kept checkpoint of size `size`
 * (the newest when size < 0): the venue's entries included in it, the
 * provider entries its attestations depend on (the attesting keys, any
 * provider-revoke of those names and the key each ended), and the log's
 * witness-policy entries included in it (rule 10), each with its
 * inclusion proof.  The checkpoint is the one served (with the
 * witnesses' cosignatures while the log is witnessed).
 * *out is new.  ST_NOT_FOUND if the venue has no entry in that tree.
 */
enum status export_bundle(struct store *s, const char *venue, int64_t size,
			  struct bundle **out, struct err *e);

/* Splits a signed note: the length of its text (through the LF before the
 * blank line).  ST_CORRUPT when there is no blank line. */
enum status export_note_text_len(const char *note, size_t len,
				 size_t *text_len);

/* The longest base URL of a poster: the pin's. */
#define EXPORT_BASE_URL_MAX PIN_BASE_MAX

/* What a venue's poster shows, as the store holds it. */
struct export_poster {
	char venue[VENUE_ID_LEN + 1];
	/* the venue's name, of its newest venue entry in the checkpoint */
	char name[ENTRY_VALUE_MAX + 1];
	char address[ENTRY_VALUE_MAX + 1]; /* and its address */
	/* http:// or https://, without trailing slashes */
	char base_url[EXPORT_BASE_URL_MAX + 1];
	char vkey[NOTE_VKEY_MAX + 2]; /* the log's verifier key (meta "vkey") */
	int64_t size;		      /* the pinned checkpoint's size */
	uint8_t root[HASH_LEN];	      /* and root hash */
};

/*
 * Reads what venue's poster shows into *out: base_url, or when it is NULL
 * the stored meta "base_url", checked (an http(s) URL of at most
 * EXPORT_BASE_URL_MAX bytes of printable ASCII without '#' or '?'); the
 * log's key; the checkpoint the poster pins, and the venue's name and
 * address in it.  The pin is the smallest kept checkpoint holding the
 * venue's newest entry in the newest served checkpoint: every poster of
 * the venue pins it until the venue's next entry, and every bundle of the
 * venue made since is of a tree at least that large.
 * ST_NOT_FOUND when venue is no venue id or has no entry in that
 * checkpoint; ST_INVALID when no base URL is known (e says to pass
 * --base-url) or it is not one; ST_CORRUPT when the key or the checkpoint
 * is missing or malformed; store errors as they come.  The store is only
 * read.  On failure *out is unspecified.
 */
enum status export_poster(struct store *s, const char *venue,
			  const char *base_url, struct export_poster *out,
			  struct err *e);

/* As export_poster, pinning the kept checkpoint of size at (the newest
 * served when at < 0).  ST_NOT_FOUND when none of that size is kept. */
enum status export_poster_at(struct store *s, const char *venue,
			     const char *base_url, int64_t at,
			     struct export_poster *out, struct err *e);

/*
 * The bytes of tile t (core/tile.h) of the log's tree at size entries
 * into out (whose cap must allow t->width * (2 + ENTRY_MAX) bytes for an
 * entries tile, t->width * HASH_LEN for a hash tile): a hash tile's
 * hashes back to back, an entries tile's entries each prefixed by its
 * length as a big-endian uint16 (C2SP tlog-tiles).  ST_NOT_FOUND when
 * the tree of size lacks some hash (or entry) of it.
 */
enum status export_tile(struct store *s, const struct tile *t, int64_t size,
			struct buf *out, struct err *e);

#endif
