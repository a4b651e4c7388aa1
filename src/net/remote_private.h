/*
 * remote_private.h: what the parts of one remote verification share:
 * remote.c (the run: bundle, key, rules 1 to 8) and remote_full.c (rule
 * 9, the whole log through the tiles).
 */
#ifndef SANILOG_REMOTE_PRIVATE_H
#define SANILOG_REMOTE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bundle.h"
#include "core/merkle.h"
#include "core/tile.h"
#include "net/fetch.h"
#include "remote.h"

#define NOTE_CAP  (1u << 16) /* a signed checkpoint */
#define PROOF_CAP ((MERKLE_MAX_PROOF + 1) * 48)
#define TILE_CAP  ((size_t)TILE_WIDTH * (2 + ENTRY_MAX))
#define LIST_MAX  5 /* indexes named in a failed check */

/* The state of one remote_verify call. */
struct run {
	const struct venue_url *u;
	const struct remote_options *o;
	struct remote_result *res;
	struct verify_report *rep;
	struct fetch *f;
	const struct bundle *b;
	const struct note_verifier *key; /* the key the checkpoint verified
					    with */
	struct checkpoint cp;		 /* the bundle's, verified */
	/* When the bundle was older than the pin or the checkpoint seen
	 * before: the size of the log's newest checkpoint as it claimed it
	 * when asked (-1: it gave none), before the bundle was asked for
	 * again. */
	bool asked_again;
	int64_t newest_claimed;
	char url[FETCH_URL_MAX];
};

/* Seconds on a monotonic clock. */
double remote_now_s(void);

/* A failure of the server's answer that is a negative result rather than
 * a failure to ask: it becomes a failed check. */
bool remote_answer_failed(enum status st);

/* Rule 9: reads the whole log of r->cp through its entry tiles, checks
 * that its entries make the checkpoint's tree, and that r->b holds every
 * entry of its venue and the provider entries its attestations depend on.
 * What the log serves wrongly is a failed check; a failure to ask (or out
 * of memory) is returned, with e. */
enum status remote_check_full(struct run *r, struct err *e);

#endif
