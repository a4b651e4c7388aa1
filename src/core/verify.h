/*
 * verify.h: DESIGN.md's verification rules applied to a venue bundle.
 *
 *   1. the checkpoint is signed by the expected log key, origin matches;
 *   2. the newest entry (every entry with all_proofs) is included in it;
 *   3. the venue chain is unbroken from a kind venue entry at venue-seq 0;
 *   4. each document's bytes hash to its doc line (when a fetcher is given);
 *   5. each attestation verifies against its provider's key in force at
 *      the entry, with the provider entries' own proofs, and each
 *      provider-revoke ends a key in force;
 *   6. revoked documents are marked revoked (never dropped);
 *   7. freshness: the newest valid sanitization, overdue and expired.
 * Each rule gives one or more checks in the report; a failed check names
 * what failed and where.  Overdue and expired are not failures.
 */
#ifndef SANILOG_VERIFY_H
#define SANILOG_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "bundle.h"
#include "entry.h"
#include "note.h"

struct verify_check {
	int rule; /* 1..7 as above */
	bool ok;
	char name[64];	  /* e.g. "checkpoint signature" */
	char detail[320]; /* what was checked, or why it failed */
};

/* One of the venue's entries as the report shows it. */
struct verify_item {
	int64_t index;
	struct entry entry;
	bool revoked; /* a later revocation names it */
	char revoke_reason[ENTRY_VALUE_MAX + 1];
	bool attested; /* its attestation verified */
	char provider_display[ENTRY_VALUE_MAX + 1]; /* of the attesting key */
};

/* A report keeps the first this many failed checks, and counts the rest:
 * a hostile bundle cannot make it grow with its size. */
#define VERIFY_FAILS_SHOWN 100

struct verify_report {
	bool ok;		     /* every check passed */
	struct verify_check *checks; /* owned */
	size_t nchecks;
	size_t nfailed; /* failed checks in checks */
	size_t omitted; /* failed checks past VERIFY_FAILS_SHOWN, not kept */
	struct verify_item *items; /* owned: the venue's entries in order */
	size_t nitems;
	struct checkpoint checkpoint; /* the bundle's, once parsed */
	/* From the newest kind venue entry. */
	char name[ENTRY_VALUE_MAX + 1];
	char address[ENTRY_VALUE_MAX + 1];
	int interval_days;
	/* Rule 7: index into items of the newest valid sanitization, or -1. */
	long latest;
	int64_t days_since; /* today - performed of latest */
	bool overdue;
	bool expired;
	char next_due[11]; /* YYYY-MM-DD (rules.h, rules_fresh); "" with no
			      latest */
};

/* Fetches a document's bytes by SHA-256 into out.  ST_NOT_FOUND when the
 * document is not there (a verification failure); anything else is a
 * failure to check, except ST_TOO_LARGE: out is capped at one byte more
 * than the doc line's size, so a fetcher that cannot append the bytes
 * answers ST_TOO_LARGE, a failed check (the document is too long). */
typedef enum status (*verify_fetch_fn)(void *ctx, const uint8_t sha[HASH_LEN],
				       struct buf *out, struct err *e);

struct verify_options {
	const struct note_verifier *key; /* expected log key; NULL: the
					    bundle's own vkey (then a check
					    says the key was not pinned) */
	char today[11];			 /* YYYY-MM-DD for rule 7 */
	bool all_proofs;		 /* rule 2 for every entry */
	verify_fetch_fn fetch;		 /* NULL: rule 4 not checked */
	void *fetch_ctx;
};

/*
 * Verifies b.  Returns ST_OK when the checks could be made (rep->ok says
 * whether all passed); another status when they could not (a fetch that
 * failed for another reason than ST_NOT_FOUND, out of memory), with e.
 * rep is filled either way; free it with verify_report_free.
 */
enum status verify_bundle(const struct bundle *b,
			  const struct verify_options *o,
			  struct verify_report *rep, struct err *e);

void verify_report_free(struct verify_report *rep);

/* Adds a check to rep (rep->ok becomes false if !ok).  A failed check past
 * the first VERIFY_FAILS_SHOWN is counted in rep->omitted instead. */
enum status verify_add_check(struct verify_report *rep, int rule, bool ok,
			     const char *name, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Puts rep's checks in rule order, keeping their order within a rule;
 * O(n).  Leaves them as they are when out of memory. */
void verify_report_sort(struct verify_report *rep);

/* Whole days from date a to date b (both YYYY-MM-DD, valid). */
int64_t verify_days_between(const char *a, const char *b);

#endif
