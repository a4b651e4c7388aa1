/*
 * rules.h: the log's rules between entries, written once (DESIGN.md
 * "Verification rules" 3, 5, 6 and 7).
 *
 * entry_parse checks what one entry can check alone.  Whether an entry may
 * follow the entries before it in the log is decided here, and only here:
 *
 *   rule 3  a venue's chain: its first entry is venue-seq 0, each later one
 *           the next venue-seq with prev the leaf hash of the one before;
 *           logged never goes back along the log;
 *   rule 5  a provider-key does not repeat the key in force under the same
 *           display name; a provider-revoke ends a key in force; an
 *           attestation verifies against its provider's key in force;
 *   rule 6  a revocation names an earlier document of the venue's chain,
 *           not yet revoked;
 *   rule 7  freshness: the newest sanitization not revoked, overdue and
 *           expired (rules_fresh_*).
 *
 * A witness-policy entry replaces the policy before it whole: only its
 * logged time (rule 3) ties it to the entries before it.
 *
 * rules_check asks a view of the log before the entry what it needs.  The
 * log's writer (store/sequencer.c) gives a view of its database; the audit,
 * the bundle verifier and the full verifier feed the entries they read, in
 * log order, to a struct rules, which keeps what the rules need in memory
 * (O(venues + provider names + venue entries)) and is itself a view.
 */
#ifndef SANILOG_RULES_H
#define SANILOG_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "attest.h"
#include "entry.h"
#include "hash.h"
#include "note.h"
#include "base/status.h"

/* ---- what the rules ask of the log before an entry ---- */

/* The newest entry of the log. */
struct rules_last {
	int64_t index;
	char logged[21];
};

/* The newest entry of a venue's chain. */
struct rules_head {
	int64_t seq;
	int64_t index;
	uint8_t leaf[HASH_LEN];
};

/* A venue's entry at one venue-seq. */
struct rules_target {
	enum entry_kind kind;
	bool revoked;
	int64_t index;
	long tag; /* the caller's, given to rules_add; -1 for a database */
};

/* The newest provider entry of a name: a key, or a revocation that ended
 * every key before it. */
struct rules_provider {
	int64_t index;
	enum entry_kind kind; /* ENTRY_PROVIDER_KEY or ENTRY_PROVIDER_REVOKE */
	const char *vkey;     /* a key's; "" for a revocation */
	const char *display_name;
	/* The key parsed, or NULL when vkey is not a valid key. */
	const struct note_verifier *key;
	const char *key_error; /* why not, when key is NULL for a key */
	long tag; /* the caller's, given to rules_add; -1 for a database */
};

/*
 * A view answers for the log before the entry being checked.  Each returns
 * ST_OK, ST_NOT_FOUND when there is no such entry, or a failure to read
 * (then e says why).  Pointers in *out live until the next call.
 */
struct rules_view {
	void *ctx;
	enum status (*last)(void *ctx, struct rules_last *out, struct err *e);
	enum status (*head)(void *ctx, const char *venue,
			    struct rules_head *out, struct err *e);
	enum status (*target)(void *ctx, const char *venue, int64_t seq,
			      struct rules_target *out, struct err *e);
	enum status (*provider)(void *ctx, const char *name,
				struct rules_provider *out, struct err *e);
};

/* ---- the verdict ---- */

enum rules_code {
	RULES_OK,
	RULES_LOGGED_BACK,     /* 3: logged before the log's newest entry */
	RULES_CHAIN_START,     /* 3: a venue's first entry is not venue-seq 0 */
	RULES_CHAIN_ORDER,     /* 3: venue-seq not after the chain's newest */
	RULES_CHAIN_GAP,       /* 3: venue-seqs missing before it */
	RULES_CHAIN_PREV,      /* 3: prev is not the newest entry's leaf */
	RULES_REVOKE_MISSING,  /* 6: no such earlier entry in the chain */
	RULES_REVOKE_KIND,     /* 6: the entry it revokes is no document */
	RULES_REVOKE_TWICE,    /* 6: already revoked */
	RULES_PROVIDER_REPEAT, /* 5: the key in force again, same name */
	RULES_PROVIDER_NO_KEY, /* 5: a provider-revoke ends no key */
	RULES_ATTEST_FORM,     /* 5: the attestation value is malformed */
	RULES_ATTEST_NO_KEY,   /* 5: no key of its provider before it */
	RULES_ATTEST_REVOKED,  /* 5: its provider's keys were revoked */
	RULES_ATTEST_OTHER_KEY, /* 5: signed by another key than in force */
	RULES_ATTEST_BAD_KEY,	/* 5: the key in force is no valid key */
	RULES_ATTEST_SIGNATURE, /* 5: the signature does not verify */
};

/* One rule an entry breaks. */
struct rules_finding {
	enum rules_code code;
	int rule;	/* 3, 5 or 6 */
	enum status st; /* the status a writer refuses it with */
	char why[320];	/* what the rule found, naming no entry of its own */
};

/* An entry breaks at most one rule of each group: the logged time, the
 * chain, its kind's own. */
#define RULES_FINDINGS_MAX 3

struct rules_verdict {
	int n; /* findings; 0 when accepted */
	struct rules_finding f[RULES_FINDINGS_MAX];
	/* With RULES_DEFER_SIGNATURE, an attested document that passed all
	 * else: the key its attestation is to be verified with
	 * (rules_attestation_verify). */
	bool deferred;
	struct note_verifier key;
	/* The provider entry that decided an attestation (the key in force,
	 * or the revocation): its index, or -1, and its tag (as the view's
	 * provider gives it). */
	int64_t provider_index;
	long provider_tag;
};

/* rules_check leaves the attestation's signature to the caller: the audit
 * checks it with rules_attestation_verify on other threads; the writer has
 * just verified it, reading the provider's signed note under the key that
 * rules_key_in_force gave. */
#define RULES_DEFER_SIGNATURE 1u

/*
 * May en, parsed by entry_parse, be the entry at index, after the log that
 * v sees?  Returns ST_OK with the verdict in *out (out->n 0: accepted),
 * or a failure of the view to answer, with e.  Every rule is checked,
 * so that a verifier can report all an entry breaks.
 */
enum status rules_check(const struct rules_view *v, const struct entry *en,
			int64_t index, unsigned flags,
			struct rules_verdict *out, struct err *e);

/* The key of provider name in force, as an attestation is checked against
 * it: on ST_OK either out->n is 0 and out->key holds the key (and
 * out->provider_index its entry), or out's finding says why there is
 * none.  The writer uses it to read the signed note it is given. */
enum status rules_key_in_force(const struct rules_view *v, const char *name,
			       struct rules_verdict *out, struct err *e);

/* Rule 5's last step: a document's attestation value line, with the
 * document's fields f (rules_attest_fields), against key.  Adds a finding
 * to out when it does not verify. */
void rules_attestation_verify(const char *line, const struct attest_fields *f,
			      const struct note_verifier *key,
			      struct rules_verdict *out);

/* The attestation fields of document en, for attest_*. */
void rules_attest_fields(const struct entry *en, struct attest_fields *f);

/* ---- the log kept in memory ---- */

struct rules;

/* NULL when out of memory. */
struct rules *rules_new(void);

/* Accepts NULL. */
void rules_free(struct rules *r);

/* The view of what was added so far. */
struct rules_view rules_view(struct rules *r);

/*
 * Adds en, the entry at index with leaf hash leaf, to what the view sees:
 * after a check that accepted it, or (for a verifier that reports and goes
 * on) one that refused it.  A venue entry whose venue-seq is not after its
 * chain's newest moves nothing; a revocation marks the entry it names if
 * that is a document.  tag is kept with the entry and given back by the
 * view (target for a venue entry, provider for a provider entry), so
 * that a caller finds its own record of an entry without a search.
 * ST_NOMEM only.
 */
enum status rules_add(struct rules *r, const struct entry *en, int64_t index,
		      const uint8_t leaf[HASH_LEN], long tag);

/* Venues seen. */
size_t rules_venues(const struct rules *r);

/* Calls fn for each venue seen, with its chain's newest entry, until fn
 * returns other than ST_OK, which it returns. */
enum status rules_venue_each(const struct rules *r,
			     enum status (*fn)(void *ctx, const char *venue,
					       const struct rules_head *h),
			     void *ctx);

/* ---- rule 7: freshness ---- */

struct rules_fresh {
	/* From the newest kind venue entry. */
	int interval_days;
	const struct entry *venue;
	/* The newest sanitization not revoked (a tie goes to the later
	 * index): its tag, or -1. */
	long latest;
	int64_t latest_index;
	const struct entry *latest_entry;
	/* After rules_fresh_end. */
	int64_t days_since;
	bool overdue;
	bool expired;
	/* The next sanitization is due on this date (YYYY-MM-DD): the
	 * latest's performed date plus the interval, or its expiry if that
	 * comes sooner; "" with no latest. */
	char next_due[11];
};

void rules_fresh_init(struct rules_fresh *f);

/* One of the venue's entries, in log order, whether revoked or not; en must
 * live until rules_fresh_end. */
void rules_fresh_add(struct rules_fresh *f, const struct entry *en,
		     int64_t index, bool revoked, long tag);

/* Overdue and expired on today (YYYY-MM-DD). */
void rules_fresh_end(struct rules_fresh *f, const char *today);

/* Whole days from date a to date b (both YYYY-MM-DD, valid). */
int64_t rules_days_between(const char *a, const char *b);

#endif
