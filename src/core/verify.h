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
 *   7. freshness: the newest valid sanitization, overdue and expired;
 *  10. witnesses: the checkpoint's cosignatures by the witnesses of the
 *      policy in force (the inspector's, else the bundle's newest
 *      witness-policy item) meet its quorum, and what the log's policy
 *      lost since the size the verifier saw before.
 * (Rules 8 and 9 need more than the bundle: cmd_verify.c, net/remote.h.)
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
	int rule; /* 1..10 as above */
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

/* A witness policy (rule 10): the witnesses' verifier keys (key hash:
 * the key ID of their cosignatures) in the policy's order, and how many
 * must cosign.  Quorum 0, no witness: witnessing ended. */
struct verify_policy {
	int quorum;
	int nwitnesses;
	struct note_verifier witnesses[ENTRY_WITNESSES_MAX];
};

/* Rule 10: what the log's witness policy lost since the tree size the
 * verifier saw before (DESIGN.md "Rule 10: witnesses"): witnesses the
 * policy in force at that size had and the one in force now lacks, and a
 * lower quorum.  Reported, never a failure. */
struct verify_policy_change {
	bool changed; /* the rest is set only when true */
	int64_t since;
	int quorum_before;
	int quorum_now;
	int nremoved;
	char removed[ENTRY_WITNESSES_MAX][NOTE_NAME_MAX + 1];
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
	struct verify_policy_change policy_change; /* rule 10 */
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
	/* Rule 10.  policy: the inspector's own (--witness, --quorum, at
	 * least one witness and a quorum from 1 to their number); NULL: the
	 * bundle's newest policy item.  now: the verifier's time, POSIX
	 * seconds (cosignature ages, and those dated more than 600 s after
	 * it fail); 0: the last second of today.  since: the tree size the
	 * verifier saw before (a pin's, a remembered checkpoint's), whose
	 * policy in force is compared with the newest; 0: none. */
	const struct verify_policy *policy;
	int64_t now;
	int64_t since;
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
