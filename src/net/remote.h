/*
 * remote.h: verifying a venue from its URL over HTTP(S): the inspector's
 * `sanilog verify URL` (DESIGN.md "Verification rules", "The poster's QR
 * code", rules 8 and 9).
 *
 * From https://host[/prefix]/v/<venue>[#k=..&n=..&r=..] it fetches
 *   /v/<venue>/bundle.json        and applies rules 1 to 7 (verify.h) with
 *                                 every inclusion proof;
 *   /d/<sha256>                   each document, capped at its doc line's
 *                                 size + 1 (rule 4);
 *   /checkpoints/<n> (on a 404, the older /checkpoint/<n>),
 *   /proof/consistency?old=n&new=<size>
 *                                 for the poster's pin: the log key must
 *                                 hash to k, the kept checkpoint of size n
 *                                 must be signed and its root start with r,
 *                                 and the served tree must extend it (a
 *                                 served tree smaller than n: rollback);
 *   /proof/consistency?old=<seen>&new=<size>
 *                                 rule 8: from the newest checkpoint seen
 *                                 before for the log's origin (seen.h);
 *   /tile/entries/<N>[.p/<W>]     with `full`, rule 9: every entry of the
 *   /tile/<L>/<N>[.p/<W>]         log up to the bundle's checkpoint, and
 *                                 every hash tile of that tree, all
 *                                 levels, full and partial (4 transfers
 *                                 at once, in order), rebuilding the tree
 *                                 in O(log n) memory (and the tile being
 *                                 filled of each level) to compare its
 *                                 root with the checkpoint's and each
 *                                 hash tile with its hashes, byte for
 *                                 byte, and checking that the
 *                                 bundle holds every entry of the venue
 *                                 and every provider entry its
 *                                 attestations depend on.
 * Which key: --key when given (the pin, if any, must match it too), else
 * the bundle's own key when the pin names it (the poster pins the key),
 * else the bundle's own key, reported as not pinned.
 *
 * Checks the rules add to the report: rule 1 "bundle" (what the log
 * served is a venue bundle of the URL's venue), rule 1 "pin key", rule 8
 * "pin", "seen checkpoint" (and "rollback", "fork", "log key changed"),
 * rule 9 "tiles", "tree", "hash tiles", "completeness".
 */
#ifndef SANILOG_REMOTE_H
#define SANILOG_REMOTE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/note.h"
#include "core/pin.h"
#include "core/verify.h"
#include "net/fetch.h"

struct remote_options {
	const struct note_verifier *key; /* --key: the expected log key, or
					    NULL */
	char today[11];			 /* YYYY-MM-DD for rule 7 */
	bool full;			 /* rule 9: read the whole log */
	bool remember;			 /* rule 8: compare with the checkpoint
					    cache, and remember the log's
					    checkpoint when every check
					    passed */
	bool progress;			 /* progress lines on stderr */
	int parallel;			 /* tile transfers at once; 0: 4 */
	const struct fetch_options *fetch; /* NULL: fetch.h's defaults */
	/* Rule 10 (verify.h): the inspector's witness policy, or NULL for
	 * the bundle's; the verifier's now (POSIX seconds, 0: the end of
	 * today).  The size seen before, whose policy the newest is compared
	 * with, is the pin's, else the remembered checkpoint's. */
	const struct verify_policy *policy;
	int64_t now;
};

struct remote_result {
	struct verify_report rep; /* owned; free with remote_result_free */
	bool have_bundle;	  /* the bundle parsed: rep has the venue */
	bool remembered;	  /* the checkpoint cache was written */
	char cache_warning[512];  /* why it could not be, or "" */
	char origin[NOTE_NAME_MAX + 1]; /* the bundle's, when parsed */
	int64_t tree_size;		/* the bundle's checkpoint's, when it
					   verified; else -1 */
	/* With full: how the read went. */
	int64_t full_entries;
	int64_t full_entry_tiles; /* entry tiles to read */
	int64_t full_hash_tiles;  /* hash tiles read and compared */
	double full_seconds;
};

/*
 * Verifies the venue at u.  Returns ST_OK when the checks could be made:
 * res->rep.ok says whether every one passed (a log that answers with
 * something that is not a bundle of the venue gives a failed rule 1
 * "bundle" check, not an error).  ST_NOT_FOUND, with e, when the log
 * answers 404 or 410 for the venue's bundle: it has no such venue (a
 * bundle asked for again, a record older than one seen, that is then
 * missing is a failed check).  Any other status means
 * the checks could not be made (network, timeouts, a server error, out
 * of memory, a checkpoint cache that cannot be read), with e; res is then
 * filled as far as it got and must still be freed.  Nothing is written
 * but the checkpoint cache, and that only when every check passed (a
 * cache that cannot be written leaves res->cache_warning, not a failure).
 */
enum status remote_verify(const struct venue_url *u,
			  const struct remote_options *o,
			  struct remote_result *res, struct err *e);

void remote_result_free(struct remote_result *res);

/* Parses a proof as /proof/... serves it: one standard base64 hash per
 * line, each ending in LF, at most MERKLE_MAX_PROOF.  Writes the hashes
 * into proof (MERKLE_MAX_PROOF of them) and their number into *len; false
 * when text is not one, with why (a NUL-terminated reason, whysize > 0).
 * Exported for tests/fuzz. */
bool remote_parse_proof(const struct buf *text, uint8_t (*proof)[HASH_LEN],
			size_t *len, char *why, size_t whysize);

#endif
