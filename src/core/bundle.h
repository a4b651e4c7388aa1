/*
 * bundle.h: the venue bundle, DESIGN.md's bundle.json.
 *
 *   { "origin": "...", "vkey": "...", "checkpoint": "<signed note text>",
 *     "venue": "k7m2q9xa",
 *     "entries":   [ { "index": 17, "entry": "<text>", "proof": ["<b64>"] } ],
 *     "providers": [ { "index": 3,  "entry": "<text>", "proof": [...] } ],
 *     "policy":    [ { "index": 1,  "entry": "<text>", "proof": [...] } ] }
 *
 * Exactly these keys; entries, providers and policy (the log's
 * witness-policy entries below the checkpoint's size) sorted by index;
 * proofs are
 * inclusion proofs against the checkpoint, standard padded base64.
 * bundle_parse checks the form (keys, types, order, base64, sizes), not
 * the proofs or signatures: that is verify.h's work.
 */
#ifndef SANILOG_BUNDLE_H
#define SANILOG_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "buf.h"
#include "hash.h"
#include "merkle.h"

#define BUNDLE_MAX (64u << 20) /* largest bundle.json we read */

struct bundle_item {
	int64_t index;
	char *entry; /* owned, NUL-terminated */
	size_t entry_len;
	uint8_t (*proof)[HASH_LEN]; /* owned: proof_len hashes, or NULL */
	size_t proof_len;
};

struct bundle {
	char *origin;	  /* owned */
	char *vkey;	  /* owned */
	char *checkpoint; /* owned: the signed note */
	char venue[16];
	struct bundle_item *entries; /* owned array */
	size_t nentries;
	struct bundle_item *providers; /* owned array */
	size_t nproviders;
	struct bundle_item *policy; /* owned array: witness-policy entries */
	size_t npolicy;
};

/* The three lists of items of a bundle. */
enum bundle_list {
	BUNDLE_ENTRIES,
	BUNDLE_PROVIDERS,
	BUNDLE_POLICY,
};

/* An empty bundle for origin, vkey, checkpoint (copied); *out is new. */
enum status bundle_new(const char *origin, const char *vkey,
		       const char *checkpoint, const char *venue,
		       struct bundle **out);

/* Appends an item (the text and proof are copied) to the list (entries,
 * providers or policy).  Items must come in index order. */
enum status bundle_add(struct bundle *b, enum bundle_list list, int64_t index,
		       const char *entry, size_t len,
		       const uint8_t (*proof)[HASH_LEN], size_t proof_len);

/* Accepts NULL. */
void bundle_free(struct bundle *b);

/* Appends the bundle's JSON (indented, keys in DESIGN.md's order, ending in
 * LF) to out. */
enum status bundle_format(const struct bundle *b, struct buf *out);

/* Parses JSON strictly; *out is new.  e says what is wrong:
 * ST_UNSUPPORTED when the text is not a bundle at all (not JSON, not an
 * object, or none of the keys origin, vkey, checkpoint and venue),
 * ST_INVALID (or another status) when a bundle breaks a rule. */
enum status bundle_parse(const char *json, size_t len, struct bundle **out,
			 struct err *e);

#endif
