/*
 * verify.c: DESIGN.md's verification rules 1 to 7 and 10 applied to a venue
 * bundle.
 *
 * The bundle's entries are parsed once into slots (one per bundle item, with
 * its leaf hash and the result of its inclusion proof, checked at most
 * once), then each rule runs over the slots and adds its checks: one failed
 * check per problem found, naming the entry by its log index and venue-seq,
 * and one passing check summing up a rule that found none.  Rules 3, 5 and
 * 6 between entries are rules.c's: the venue's entries and the provider
 * entries go through rules_check in index order; what stays here is the
 * bundle's own (its items, their proofs, and the words of the report).
 * Rule 4 fetches
 * documents and is the only step that can stop the run (a fetch that fails
 * for another reason than ST_NOT_FOUND), so it runs last; the checks are
 * then put in rule order.  Rule 10 reads the bundle's policy items and the
 * checkpoint's cosignature lines; it needs the checkpoint verified by rule
 * 1, as rule 2 does.
 *
 * Longer than 800 lines: every rule works on the run's slots (each item
 * parsed once, its proof checked at most once), which splitting the file
 * would put in a header that nothing else reads.
 */
#include "verify.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "base/clock.h"
#include "codec.h"
#include "hash.h"
#include "merkle.h"
#include "rules.h"
#include "witness.h"

#define WHERE_MAX 128
#define NRULES	  10

/* Rule 10: how far after the verifier's now a cosignature may be dated
 * (the witness's clock and ours differ a little). */
#define COSIG_SKEW 600

enum proof_state {
	PROOF_UNCHECKED,
	PROOF_OK,
	PROOF_BAD,
};

/*
 * One item of the bundle (of entries or of providers) as the rules see it.
 * A slot holds no parsed entry of its own, so that a bundle of junk costs
 * little memory an item: a venue entry's lives in rep->items (item), a
 * provider entry's in run.pents (pent).
 */
struct slot {
	const struct bundle_item *bi;
	const struct entry *en; /* parsed and kept; else NULL */
	long item;		/* index into rep->items, or -1 */
	long pent;		/* index into run.pents, or -1 */
	uint8_t leaf[HASH_LEN]; /* of the entry text, parsed or not */
	enum proof_state proof;
	bool policy_ok;	       /* a policy item that is a witness-policy */
	char where[WHERE_MAX]; /* "entry 17 (venue-seq 3)" */
};

/* The state of one verify_bundle call. */
struct run {
	const struct bundle *b;
	const struct verify_options *o;
	struct verify_report *rep;
	bool have_cp;	     /* rep->checkpoint is verified */
	struct slot *ent;    /* b->nentries */
	struct slot *prov;   /* b->nproviders */
	struct slot *pol;    /* b->npolicy */
	struct entry *pents; /* the parsed provider entries */
	size_t npents;
	int fails[NRULES + 1];
	enum status st; /* ST_NOMEM once a check could not be added */
};

static enum status add_checkv(struct verify_report *rep, int rule, bool ok,
			      const char *name, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

/* Whether a failed check of rule would be kept: one of the first
 * VERIFY_FAILS_SHOWN, or the first of its rule (so that a flood of one
 * rule's failures, say entries that do not parse, cannot hide another's,
 * such as a checkpoint that is not signed or a log that forked). */
static bool failure_shown(const struct verify_report *rep, int rule)
{
	if (rep->nfailed < VERIFY_FAILS_SHOWN)
		return true;
	for (size_t i = 0; i < rep->nchecks; i++)
		if (!rep->checks[i].ok && rep->checks[i].rule == rule)
			return false;
	return true;
}

static enum status add_checkv(struct verify_report *rep, int rule, bool ok,
			      const char *name, const char *fmt, va_list ap)
{
	struct verify_check *c;
	size_t n = rep->nchecks;

	if (!ok && !failure_shown(rep, rule)) {
		rep->ok = false;
		rep->omitted++;
		return ST_OK;
	}
	/* Capacity: 4, then the next power of two >= n; grow when full. */
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		size_t na = n ? n * 2 : 4;
		struct verify_check *p = realloc(rep->checks, na * sizeof *p);

		if (p == NULL)
			return ST_NOMEM;
		rep->checks = p;
	}
	c = &rep->checks[n];
	memset(c, 0, sizeof *c);
	c->rule = rule;
	c->ok = ok;
	snprintf(c->name, sizeof c->name, "%s", name);
	vsnprintf(c->detail, sizeof c->detail, fmt, ap);
	rep->nchecks = n + 1;
	if (!ok) {
		rep->ok = false;
		rep->nfailed++;
	}
	return ST_OK;
}

enum status verify_add_check(struct verify_report *rep, int rule, bool ok,
			     const char *name, const char *fmt, ...)
{
	va_list ap;
	enum status st;

	va_start(ap, fmt);
	st = add_checkv(rep, rule, ok, name, fmt, ap);
	va_end(ap);
	return st;
}

static void add(struct run *r, int rule, bool ok, const char *name,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Adds a check; a failure to add one is kept in r->st. */
static void add(struct run *r, int rule, bool ok, const char *name,
		const char *fmt, ...)
{
	va_list ap;
	enum status st;

	if (!ok) {
		r->rep->ok = false; /* even if the check cannot be added */
		if (rule >= 1 && rule <= NRULES)
			r->fails[rule]++;
	}
	if (r->st != ST_OK)
		return;
	va_start(ap, fmt);
	st = add_checkv(r->rep, rule, ok, name, fmt, ap);
	va_end(ap);
	if (st != ST_OK)
		r->st = st;
}

int64_t verify_days_between(const char *a, const char *b)
{
	return rules_days_between(a, b);
}

void verify_report_free(struct verify_report *rep)
{
	if (rep == NULL)
		return;
	free(rep->checks);
	free(rep->items);
	rep->checks = NULL;
	rep->nchecks = 0;
	rep->nfailed = 0;
	rep->omitted = 0;
	rep->items = NULL;
	rep->nitems = 0;
}

static bool venue_kind(enum entry_kind k)
{
	return k == ENTRY_VENUE || k == ENTRY_DOCUMENT || k == ENTRY_REVOCATION;
}

/* Does the slot hold a parsed entry of the bundle's venue? */
static bool ours(const struct slot *s)
{
	return s->item >= 0;
}

/* Grows *arr (of *n elements of size sz) to room for one more, doubling:
 * the capacity is the next power of two >= n. */
static bool grow(void *arr, size_t n, size_t sz)
{
	void **p = arr;

	if (n != 0 && (n & (n - 1)) != 0)
		return true;
	if (n > SIZE_MAX / 2 / sz)
		return false;
	void *q = realloc(*p, (n ? 2 * n : 1) * sz);
	if (q == NULL)
		return false;
	*p = q;
	return true;
}

/* The slot's inclusion proof against the verified checkpoint, checked
 * once.  Needs r->have_cp. */
static bool proof_ok(struct run *r, struct slot *s)
{
	const struct checkpoint *cp = &r->rep->checkpoint;

	if (!r->have_cp)
		return false;
	if (s->proof == PROOF_UNCHECKED)
		s->proof = merkle_verify_inclusion(
				   s->leaf, s->bi->index, cp->size,
				   (const uint8_t(*)[HASH_LEN])s->bi->proof,
				   s->bi->proof_len, cp->root) == ST_OK
				   ? PROOF_OK
				   : PROOF_BAD;
	return s->proof == PROOF_OK;
}

/* ---- parsing ---- */

/* Parses each entry into the next free item; only entries of the venue
 * keep theirs.  Out of memory stops the parse (r->st). */
static void parse_entries(struct run *r)
{
	const struct bundle *b = r->b;
	struct verify_report *rep = r->rep;

	for (size_t i = 0; i < b->nentries; i++) {
		struct slot *s = &r->ent[i];
		struct err e = {{0}};
		struct entry *en;

		s->bi = &b->entries[i];
		s->item = -1;
		s->pent = -1;
		merkle_leaf_hash(s->leaf, s->bi->entry, s->bi->entry_len);
		if (!grow(&rep->items, rep->nitems, sizeof *rep->items)) {
			r->st = ST_NOMEM;
			return;
		}
		en = &rep->items[rep->nitems].entry;
		if (entry_parse(s->bi->entry, s->bi->entry_len, en, &e) !=
		    ST_OK) {
			snprintf(s->where, sizeof s->where, "entry %" PRId64,
				 s->bi->index);
			add(r, 3, false, "entry form", "%s does not parse: %s",
			    s->where, e.msg);
			continue;
		}
		if (!venue_kind(en->kind)) {
			snprintf(s->where, sizeof s->where, "entry %" PRId64,
				 s->bi->index);
			add(r, 3, false, "entry kind",
			    "%s is kind %s, not an entry of a venue", s->where,
			    entry_kind_str(en->kind));
			continue;
		}
		snprintf(s->where, sizeof s->where,
			 "entry %" PRId64 " (venue-seq %" PRId64 ")",
			 s->bi->index, en->venue_seq);
		if (strcmp(en->venue, b->venue) != 0) {
			add(r, 3, false, "entry venue",
			    "%s is of venue %s, not of the bundle's venue %s",
			    s->where, en->venue, b->venue);
			continue;
		}
		struct verify_item *it = &rep->items[rep->nitems];
		it->index = s->bi->index;
		it->revoked = false;
		it->revoke_reason[0] = 0;
		it->attested = false;
		it->provider_display[0] = 0;
		s->item = (long)rep->nitems++;
	}
	/* The items stay where they are from here on. */
	for (size_t i = 0; i < b->nentries; i++)
		if (r->ent[i].item >= 0)
			r->ent[i].en = &rep->items[r->ent[i].item].entry;
}

static void parse_providers(struct run *r)
{
	const struct bundle *b = r->b;

	for (size_t i = 0; i < b->nproviders; i++) {
		struct slot *s = &r->prov[i];
		struct err e = {{0}};
		struct entry *en;

		s->bi = &b->providers[i];
		s->item = -1;
		s->pent = -1;
		merkle_leaf_hash(s->leaf, s->bi->entry, s->bi->entry_len);
		snprintf(s->where, sizeof s->where, "provider entry %" PRId64,
			 s->bi->index);
		if (i > 0 && s->bi->index <= b->providers[i - 1].index)
			add(r, 5, false, "provider entries",
			    "%s is not after provider entry %" PRId64
			    " (providers must be in index order)",
			    s->where, b->providers[i - 1].index);
		if (!grow(&r->pents, r->npents, sizeof *r->pents)) {
			r->st = ST_NOMEM;
			return;
		}
		en = &r->pents[r->npents];
		if (entry_parse(s->bi->entry, s->bi->entry_len, en, &e) !=
		    ST_OK) {
			add(r, 5, false, "provider entries",
			    "%s does not parse: %s", s->where, e.msg);
			continue;
		}
		if (en->kind != ENTRY_PROVIDER_KEY &&
		    en->kind != ENTRY_PROVIDER_REVOKE) {
			add(r, 5, false, "provider entries",
			    "%s is kind %s, not provider-key or "
			    "provider-revoke",
			    s->where, entry_kind_str(en->kind));
			continue;
		}
		s->pent = (long)r->npents++;
		snprintf(s->where, sizeof s->where,
			 "provider entry %" PRId64 " (%s %.40s)", s->bi->index,
			 entry_kind_str(en->kind), en->name);
	}
	for (size_t i = 0; i < b->nproviders; i++)
		if (r->prov[i].pent >= 0)
			r->prov[i].en = &r->pents[r->prov[i].pent];
}

/*
 * Parses each policy item: it must be a witness-policy entry (rule 10
 * "witness policy").  The parsed entries are not kept (a policy's
 * witnesses take 3.5 KB): the policy of an item is read again from its
 * text where one is needed, for the policy in force now and at since.
 */
static void parse_policy(struct run *r)
{
	const struct bundle *b = r->b;
	struct entry *en = malloc(sizeof *en);

	if (en == NULL) {
		r->st = ST_NOMEM;
		return;
	}
	for (size_t i = 0; i < b->npolicy; i++) {
		struct slot *s = &r->pol[i];
		struct err e = {{0}};

		s->bi = &b->policy[i];
		s->item = -1;
		s->pent = -1;
		merkle_leaf_hash(s->leaf, s->bi->entry, s->bi->entry_len);
		snprintf(s->where, sizeof s->where, "policy entry %" PRId64,
			 s->bi->index);
		if (entry_parse(s->bi->entry, s->bi->entry_len, en, &e) !=
		    ST_OK)
			add(r, 10, false, "witness policy",
			    "%s does not parse: %s", s->where, e.msg);
		else if (en->kind != ENTRY_WITNESS_POLICY)
			add(r, 10, false, "witness policy",
			    "%s is kind %s, not witness-policy", s->where,
			    entry_kind_str(en->kind));
		else
			s->policy_ok = true;
	}
	free(en);
}

/* The policy item in force before tree size `before`: the last one that
 * parsed with an index below it; NULL when there is none. */
static struct slot *policy_slot(const struct run *r, int64_t before)
{
	for (size_t i = r->b->npolicy; i-- > 0;)
		if (r->pol[i].policy_ok && r->pol[i].bi->index < before)
			return &r->pol[i];
	return NULL;
}

/* The witness policy of witness-policy entry en into out.  ST_INVALID,
 * with e, when a witness's key is not a witness's verifier key (which the
 * entry rules refuse). */
static enum status policy_from_entry(const struct entry *en,
				     struct verify_policy *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	out->quorum = en->quorum;
	for (int i = 0; i < en->nwitnesses && i < ENTRY_WITNESSES_MAX; i++) {
		const char *vkey = en->witnesses[i].text;

		if (note_cosigner_parse(vkey, strlen(vkey), &out->witnesses[i],
					e) != ST_OK)
			return err_set(e, ST_INVALID,
				       "witness %d: not a witness's key",
				       i + 1);
		out->nwitnesses = i + 1;
	}
	return ST_OK;
}

/* The policy of item s (which parsed) into out; false when out of
 * memory, or, which the entry rules make impossible, a key is none. */
static bool policy_of(struct run *r, const struct slot *s,
		      struct verify_policy *out)
{
	struct entry *en = malloc(sizeof *en);
	bool ok = en != NULL &&
		  entry_parse(s->bi->entry, s->bi->entry_len, en, NULL) ==
			  ST_OK &&
		  policy_from_entry(en, out, NULL) == ST_OK;

	if (en == NULL)
		r->st = ST_NOMEM;
	free(en);
	return ok;
}

/* ---- rule 1: the checkpoint and the log key ---- */

static void rule1(struct run *r)
{
	const struct bundle *b = r->b;
	struct verify_report *rep = r->rep;
	struct note_verifier key;
	struct err e = {{0}};
	bool have_key = false;

	if (r->o->key != NULL) {
		char text[NOTE_VKEY_MAX + 1];

		key = *r->o->key;
		have_key = true;
		note_verifier_format(&key, text, sizeof text);
		if (strcmp(b->vkey, text) != 0)
			add(r, 1, false, "log key",
			    "the bundle's vkey %.100s is not the expected log "
			    "key %.100s",
			    b->vkey, text);
	} else if (note_verifier_parse(b->vkey, strlen(b->vkey), &key, &e) ==
		   ST_OK) {
		have_key = true;
		add(r, 1, true, "log key",
		    "log key taken from the bundle, not pinned: %.200s",
		    b->vkey);
	} else {
		add(r, 1, false, "log key",
		    "the bundle's vkey is not a verifier key: %s", e.msg);
	}
	if (!have_key)
		return;
	if (checkpoint_open(b->checkpoint, strlen(b->checkpoint), &key,
			    &rep->checkpoint, &e) != ST_OK) {
		memset(&rep->checkpoint, 0, sizeof rep->checkpoint);
		add(r, 1, false, "checkpoint signature",
		    "the checkpoint is not signed by the log key "
		    "%.100s+%08" PRIx32 ": %s",
		    key.name, key.hash, e.msg);
		return;
	}
	r->have_cp = true;
	if (strcmp(b->origin, rep->checkpoint.origin) != 0)
		add(r, 1, false, "origin",
		    "the bundle's origin %.100s is not the checkpoint's %.100s",
		    b->origin, rep->checkpoint.origin);
	if (r->fails[1] == 0)
		add(r, 1, true, "checkpoint signature",
		    "checkpoint of origin %.100s, tree size %" PRId64
		    ", signed by %.100s+%08" PRIx32,
		    rep->checkpoint.origin, rep->checkpoint.size, key.name,
		    key.hash);
}

/* ---- rule 2: inclusion ---- */

/* Checks one slot's index and proof; false (with a failed check) if not. */
static bool include_one(struct run *r, struct slot *s)
{
	const struct checkpoint *cp = &r->rep->checkpoint;

	if (s->bi->index < 0 || s->bi->index >= cp->size) {
		add(r, 2, false, "inclusion",
		    "%s: index %" PRId64 " is not in the checkpoint's tree of "
		    "size %" PRId64,
		    s->where, s->bi->index, cp->size);
		return false;
	}
	if (!proof_ok(r, s)) {
		add(r, 2, false, "inclusion",
		    "%s: inclusion proof does not verify against the "
		    "checkpoint (tree size %" PRId64 ")",
		    s->where, cp->size);
		return false;
	}
	return true;
}

/* A failed check for each of slots[0..n) whose index is not in the
 * checkpoint's tree. */
static void indexes_in_tree(struct run *r, const struct slot *slots, size_t n)
{
	const struct checkpoint *cp = &r->rep->checkpoint;

	for (size_t i = 0; i < n; i++)
		if (slots[i].bi->index < 0 || slots[i].bi->index >= cp->size)
			add(r, 2, false, "inclusion",
			    "%s: index %" PRId64 " is not in the checkpoint's "
			    "tree of size %" PRId64,
			    slots[i].where, slots[i].bi->index, cp->size);
}

static void rule2(struct run *r)
{
	const struct bundle *b = r->b;
	const struct checkpoint *cp = &r->rep->checkpoint;
	struct slot *newest;

	if (!r->have_cp) {
		add(r, 2, false, "inclusion",
		    "not checked: the checkpoint did not verify");
		return;
	}
	if (b->nentries == 0) {
		add(r, 2, false, "inclusion", "the bundle holds no entry");
		return;
	}
	newest = &r->ent[b->nentries - 1];
	if (!r->o->all_proofs) {
		/* Every index must still lie in the tree. */
		indexes_in_tree(r, r->ent, b->nentries - 1);
		indexes_in_tree(r, r->prov, b->nproviders);
		indexes_in_tree(r, r->pol, b->npolicy);
		/* and the policy item in force, which rule 10 reads */
		struct slot *force = policy_slot(r, INT64_MAX);
		if (force != NULL && force->bi->index < cp->size)
			include_one(r, force);
		include_one(r, newest);
		if (r->fails[2] == 0)
			add(r, 2, true, "inclusion",
			    "%s, the newest, is included in the checkpoint of "
			    "tree size %" PRId64,
			    newest->where, cp->size);
		return;
	}
	for (size_t i = 0; i < b->nentries; i++)
		include_one(r, &r->ent[i]);
	for (size_t i = 0; i < b->nproviders; i++)
		include_one(r, &r->prov[i]);
	for (size_t i = 0; i < b->npolicy; i++)
		include_one(r, &r->pol[i]);
	if (r->fails[2] == 0 && b->npolicy == 0)
		add(r, 2, true, "inclusion",
		    "all %zu entr%s and %zu provider entr%s are included in "
		    "the checkpoint of tree size %" PRId64,
		    b->nentries, b->nentries == 1 ? "y" : "ies", b->nproviders,
		    b->nproviders == 1 ? "y" : "ies", cp->size);
	else if (r->fails[2] == 0)
		add(r, 2, true, "inclusion",
		    "all %zu entr%s, %zu provider entr%s and %zu "
		    "witness-policy "
		    "entr%s are included in the checkpoint of tree size "
		    "%" PRId64,
		    b->nentries, b->nentries == 1 ? "y" : "ies", b->nproviders,
		    b->nproviders == 1 ? "y" : "ies", b->npolicy,
		    b->npolicy == 1 ? "y" : "ies", cp->size);
}

/* ---- rule 4: documents ---- */

/* Fetches and checks one document.  Returns ST_OK when it could be
 * checked (passed or not), else the fetch's failure with e. */
static enum status fetch_one(struct run *r, struct slot *s, struct err *e)
{
	const struct entry *en = s->en;
	char hex[2 * HASH_LEN + 1];
	uint8_t got[HASH_LEN];
	struct buf data;
	struct err fe = {{0}};
	const char *mime;
	size_t cap;
	enum status st;

	hex_encode(hex, en->doc_sha256, HASH_LEN);
	/* One byte more than the doc line says, so that a longer document
	 * shows as one and no more is read. */
	cap = (uint64_t)en->doc_size < (uint64_t)SIZE_MAX
		      ? (size_t)en->doc_size + 1
		      : SIZE_MAX;
	buf_init(&data, cap);
	st = r->o->fetch(r->o->fetch_ctx, en->doc_sha256, &data, &fe);
	if (st == ST_NOT_FOUND) {
		add(r, 4, false, "documents", "%s: document %s not found%s%s",
		    s->where, hex, fe.msg[0] ? ": " : "", fe.msg);
		st = ST_OK;
		goto out;
	}
	/* Longer than the doc line says, by one byte (what the cap lets
	 * through) or more (the fetcher's ST_TOO_LARGE). */
	if (st == ST_TOO_LARGE ||
	    (st == ST_OK && (uint64_t)data.len > (uint64_t)en->doc_size)) {
		add(r, 4, false, "documents",
		    "%s: document %s is larger than the %" PRId64
		    " bytes of its doc line",
		    s->where, hex, en->doc_size);
		st = ST_OK;
		goto out;
	}
	if (st != ST_OK) {
		err_set(e, st, "%s: document %s: %s", s->where, hex, fe.msg);
		goto out;
	}
	sha256(got, data.data, data.len);
	if (memcmp(got, en->doc_sha256, HASH_LEN) != 0) {
		char ghex[2 * HASH_LEN + 1];
		hex_encode(ghex, got, HASH_LEN);
		add(r, 4, false, "documents",
		    "%s: document bytes hash to %s, not to the doc line's %s",
		    s->where, ghex, hex);
		goto out;
	}
	if ((uint64_t)data.len != (uint64_t)en->doc_size) {
		add(r, 4, false, "documents",
		    "%s: document %s is %zu bytes, not the doc line's %" PRId64,
		    s->where, hex, data.len, en->doc_size);
		goto out;
	}
	mime = entry_sniff_mime(data.data, data.len);
	if (mime == NULL || strcmp(mime, en->doc_mime) != 0)
		add(r, 4, false, "documents",
		    "%s: document %s is %s, not %s as its doc line says",
		    s->where, hex, mime ? mime : "not a PDF, PNG or JPEG",
		    en->doc_mime);
out:
	buf_free(&data);
	return st;
}

/* Rule 4 stops fetching after this many documents failed: a bundle of
 * documents that are nowhere costs a verifier as many requests, not one a
 * document. */
#define DOC_FAILS_MAX VERIFY_FAILS_SHOWN

static enum status rule4(struct run *r, struct err *e)
{
	size_t ndocs = 0, skipped = 0;
	enum status st;

	if (r->o->fetch == NULL)
		return ST_OK;
	for (size_t i = 0; i < r->b->nentries; i++) {
		struct slot *s = &r->ent[i];
		if (!ours(s) || s->en->kind != ENTRY_DOCUMENT)
			continue;
		if (r->fails[4] >= DOC_FAILS_MAX) {
			skipped++;
			continue;
		}
		ndocs++;
		st = fetch_one(r, s, e);
		if (st != ST_OK)
			return st;
	}
	if (skipped > 0)
		add(r, 4, false, "documents",
		    "%zu more document%s not fetched: %d failed already",
		    skipped, skipped == 1 ? "" : "s", DOC_FAILS_MAX);
	if (r->fails[4] == 0 && ndocs == 0)
		add(r, 4, true, "documents", "no documents to fetch");
	else if (r->fails[4] == 0)
		add(r, 4, true, "documents",
		    "%zu document%s fetched, each matching its doc line's "
		    "SHA-256, size and type",
		    ndocs, ndocs == 1 ? "" : "s");
	return ST_OK;
}

/* ---- rules 3, 5 and 6: the entries in log order, through rules.c ---- */

/* Is s's prev the leaf hash of p? */
static bool prev_is(const struct slot *s, const struct slot *p)
{
	return s->en->has_prev && memcmp(s->en->prev, p->leaf, HASH_LEN) == 0;
}

/* The key hash a verifier key's text names ("name+hash+key"), without the
 * point check that parsing it makes: the entry parser checked the text. */
static uint32_t vkey_text_hash(const char *vkey)
{
	const char *p = strchr(vkey, '+');
	uint32_t h = 0;

	for (int i = 0; p != NULL && i < 8; i++) {
		char c = p[1 + i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
					       : -1;
		if (d < 0)
			return 0;
		h = h << 4 | (uint32_t)d;
	}
	return h;
}

/* When no key of the attestation's provider is in force: whether the key
 * it names is in the bundle at all, logged after the document.  Only for a
 * failure the report keeps (a look at every provider entry). */
static void why_no_key(const struct run *r, const struct slot *s, char *why,
		       size_t size)
{
	char name[NOTE_NAME_MAX + 1];
	uint32_t hash = 0;

	if (attest_parse_line(s->en->attestation, name, &hash, NULL) != ST_OK)
		return;
	for (size_t i = 0; i < r->b->nproviders; i++) {
		const struct slot *p = &r->prov[i];

		if (p->en != NULL && p->en->kind == ENTRY_PROVIDER_KEY &&
		    strcmp(p->en->name, name) == 0 &&
		    vkey_text_hash(p->en->vkey) == hash) {
			snprintf(why, size,
				 "attestation by %.100s+%08" PRIx32
				 " does not verify: the key is logged at "
				 "index %" PRId64 ", not before the document",
				 name, hash, p->bi->index);
			return;
		}
	}
}

static const char *check_name(int rule, const struct slot *s)
{
	if (rule == 3)
		return "venue chain";
	if (rule == 6)
		return "revocations";
	return s->pent >= 0 ? "provider entries" : "attestations";
}

/*
 * Reports what rules.c found of the venue entry or provider entry s; p is
 * the bundle item before a venue entry (NULL for the first, or for a
 * provider entry).
 */
static void report(struct run *r, const struct slot *s, const struct slot *p,
		   const struct rules_finding *f)
{
	char why[sizeof f->why];

	/* A broken item right before (reported already) may be the entry
	 * that s follows: its bytes still are the leaf that prev names. */
	if ((f->code == RULES_CHAIN_START || f->code == RULES_CHAIN_GAP) &&
	    p != NULL && !ours(p)) {
		if (!prev_is(s, p))
			add(r, 3, false, "venue chain",
			    "%s: prev does not match the leaf hash of %s",
			    s->where, p->where);
		return;
	}
	snprintf(why, sizeof why, "%s", f->why);
	if (f->code == RULES_ATTEST_NO_KEY && failure_shown(r->rep, 5))
		why_no_key(r, s, why, sizeof why);
	add(r, f->rule, false, check_name(f->rule, s), "%s: %s", s->where, why);
}

/* Marks the item that the accepted revocation s names. */
static void mark_revoked(struct run *r, const struct slot *s,
			 const struct rules_view *v)
{
	struct rules_target t;
	struct verify_item *it;

	if (v->target(v->ctx, s->en->venue, s->en->revokes, &t, NULL) !=
		    ST_OK ||
	    t.tag < 0)
		return;
	it = &r->rep->items[t.tag];
	it->revoked = true;
	snprintf(it->revoke_reason, sizeof it->revoke_reason, "%s",
		 s->en->reason);
}

/* The attested document s, accepted by rule 5: its key's entry must be
 * included in the checkpoint too. */
static void attested(struct run *r, const struct slot *s,
		     const struct rules_verdict *vd)
{
	/* feed() tags a provider entry with its slot's place in r->prov */
	const struct slot *p =
		vd->provider_tag >= 0 ? &r->prov[vd->provider_tag] : NULL;
	struct verify_item *it = &r->rep->items[s->item];

	if (p == NULL || p->en == NULL)
		return; /* rules.c saw it: cannot be */
	if (!proof_ok(r, (struct slot *)p)) {
		char name[NOTE_NAME_MAX + 1];
		uint32_t hash = 0;

		attest_parse_line(s->en->attestation, name, &hash, NULL);
		add(r, 5, false, "attestations",
		    "%s: attestation by %.100s+%08" PRIx32
		    " does not verify: %s: inclusion proof %s",
		    s->where, name, hash, p->where,
		    r->have_cp ? "does not verify against the checkpoint"
			       : "not checked (no verified checkpoint)");
		return;
	}
	it->attested = true;
	snprintf(it->provider_display, sizeof it->provider_display, "%s",
		 p->en->display_name);
}

/* Checks one entry (p: the bundle item before a venue entry) and adds it
 * to what the rules have seen. */
static void feed(struct run *r, struct rules *rs, const struct slot *s,
		 const struct slot *p, size_t *natt, size_t *nrev)
{
	struct rules_view v = rules_view(rs);
	struct rules_verdict vd;
	bool rule5 = false, rule6 = false;

	if (rules_check(&v, s->en, s->bi->index, 0, &vd, NULL) != ST_OK) {
		r->st = ST_NOMEM; /* the memory view fails in no other way */
		return;
	}
	for (int i = 0; i < vd.n; i++) {
		rule5 |= vd.f[i].rule == 5;
		rule6 |= vd.f[i].rule == 6;
		report(r, s, p, &vd.f[i]);
	}
	if (s->item >= 0 && s->en->kind == ENTRY_DOCUMENT &&
	    s->en->attestation[0] != 0) {
		(*natt)++;
		if (!rule5)
			attested(r, s, &vd);
	}
	if (s->en->kind == ENTRY_REVOCATION) {
		(*nrev)++;
		if (!rule6)
			mark_revoked(r, s, &v);
	}
	/* The tag: a venue entry's item, a provider entry's slot in r->prov. */
	if (rules_add(rs, s->en, s->bi->index, s->leaf,
		      s->pent >= 0 ? (long)(s - r->prov) : s->item) != ST_OK)
		r->st = ST_NOMEM;
}

/* Rules 3, 5 and 6 over the venue's entries and the provider entries,
 * merged in index order. */
static void rules356(struct run *r)
{
	const struct bundle *b = r->b;
	struct rules *rs = rules_new();
	struct rules_view v;
	struct rules_head head;
	size_t natt = 0, nrev = 0, j = 0;

	if (rs == NULL) {
		r->st = ST_NOMEM;
		return;
	}
	if (b->nentries == 0)
		add(r, 3, false, "venue chain", "the bundle holds no entry");
	for (size_t i = 0; i <= b->nentries && r->st == ST_OK; i++) {
		const struct slot *s = i < b->nentries ? &r->ent[i] : NULL;
		const struct slot *p = i > 0 ? &r->ent[i - 1] : NULL;

		for (; j < b->nproviders &&
		       (s == NULL || r->prov[j].bi->index < s->bi->index);
		     j++)
			if (r->prov[j].en != NULL)
				feed(r, rs, &r->prov[j], NULL, &natt, &nrev);
		if (s == NULL)
			break;
		if (p != NULL && s->bi->index <= p->bi->index)
			add(r, 3, false, "venue chain",
			    "%s: index is not after %s's (entries out of log "
			    "order)",
			    s->where, p->where);
		if (ours(s))
			feed(r, rs, s, p, &natt, &nrev);
	}
	v = rules_view(rs);
	if (r->fails[3] == 0 && b->nentries > 0)
		add(r, 3, true, "venue chain",
		    "%zu entr%s, venue-seq 0 to %" PRId64
		    ", each prev the leaf hash of the entry before, starting "
		    "with kind venue",
		    b->nentries, b->nentries == 1 ? "y" : "ies",
		    v.head(v.ctx, b->venue, &head, NULL) == ST_OK ? head.seq
								  : -1);
	if (r->fails[5] == 0 && natt == 0)
		add(r, 5, true, "attestations",
		    "no document carries an attestation");
	else if (r->fails[5] == 0)
		add(r, 5, true, "attestations",
		    "%zu attestation%s verif%s against provider keys logged, "
		    "and not revoked, before the documents",
		    natt, natt == 1 ? "" : "s", natt == 1 ? "ies" : "y");
	if (r->fails[6] == 0 && nrev == 0)
		add(r, 6, true, "revocations", "no revocations");
	else if (r->fails[6] == 0)
		add(r, 6, true, "revocations",
		    "%zu revocation%s, each of an earlier document not yet "
		    "revoked",
		    nrev, nrev == 1 ? "" : "s");
	rules_free(rs);
}

/* ---- rule 7: freshness ---- */

static void rule7(struct run *r)
{
	struct verify_report *rep = r->rep;
	struct rules_fresh f;
	const struct verify_item *l;

	rules_fresh_init(&f);
	for (size_t i = 0; i < rep->nitems; i++)
		rules_fresh_add(&f, &rep->items[i].entry, rep->items[i].index,
				rep->items[i].revoked, (long)i);
	rules_fresh_end(&f, r->o->today);
	if (f.venue != NULL) {
		snprintf(rep->name, sizeof rep->name, "%s", f.venue->name);
		snprintf(rep->address, sizeof rep->address, "%s",
			 f.venue->address);
	}
	rep->interval_days = f.interval_days;
	rep->latest = f.latest;
	if (rep->latest < 0) {
		add(r, 7, true, "freshness",
		    "no valid sanitization: no document of type sanitization "
		    "that is not revoked");
		return;
	}
	l = &rep->items[rep->latest];
	rep->days_since = f.days_since;
	rep->overdue = f.overdue;
	rep->expired = f.expired;
	snprintf(rep->next_due, sizeof rep->next_due, "%s", f.next_due);
	add(r, 7, true, "freshness",
	    "newest sanitization: entry %" PRId64 " (venue-seq %" PRId64
	    "), performed %s, %" PRId64 " days before %s; %s (interval %d "
	    "days)%s%s%s",
	    l->index, l->entry.venue_seq, l->entry.performed, rep->days_since,
	    r->o->today, rep->overdue ? "OVERDUE" : "within the interval",
	    rep->interval_days, l->entry.expires[0] ? "; expires " : "",
	    l->entry.expires, rep->expired ? ": EXPIRED" : "");
}

/* ---- rule 10: witnesses ---- */

/* The verifier's now for rule 10: given, or the last second of today. */
static int64_t now_of(const struct run *r)
{
	return r->o->now != 0 ? r->o->now
			      : entry_date_days(r->o->today) * 86400 + 86399;
}

static bool same_witness(const struct note_verifier *a,
			 const struct note_verifier *b)
{
	return a->hash == b->hash && strcmp(a->name, b->name) == 0 &&
	       memcmp(a->pk, b->pk, sizeof a->pk) == 0;
}

/* What the log's policy lost between the tree size the verifier saw
 * before (o->since) and the checkpoint's: rep->policy_change. */
static void policy_change(struct run *r)
{
	struct verify_policy_change *c = &r->rep->policy_change;
	struct verify_policy was, now;
	const struct slot *sw = policy_slot(r, r->o->since);
	const struct slot *sn = policy_slot(r, INT64_MAX);

	if (r->o->since <= 0 || r->o->since >= r->rep->checkpoint.size ||
	    sw == NULL || sw == sn || !policy_of(r, sw, &was) ||
	    !policy_of(r, sn, &now))
		return;
	memset(c, 0, sizeof *c);
	for (int i = 0; i < was.nwitnesses; i++) {
		bool kept = false;

		for (int k = 0; k < now.nwitnesses && !kept; k++)
			kept = same_witness(&was.witnesses[i],
					    &now.witnesses[k]);
		if (!kept)
			snprintf(c->removed[c->nremoved++],
				 sizeof c->removed[0], "%s",
				 was.witnesses[i].name);
	}
	if (c->nremoved == 0 && now.quorum >= was.quorum)
		return;
	c->changed = true;
	c->since = r->o->since;
	c->quorum_before = was.quorum;
	c->quorum_now = now.quorum;
}

/* "N s", "N min", "N h" or "N days" of seconds (none below 0). */
static void age_text(int64_t secs, char *out, size_t size)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(out, size, "%" PRId64 " s", secs);
	else if (secs < 3600)
		snprintf(out, size, "%" PRId64 " min", secs / 60);
	else if (secs < 86400)
		snprintf(out, size, "%" PRId64 " h", secs / 3600);
	else
		snprintf(out, size, "%" PRId64 " day%s", secs / 86400,
			 secs / 86400 == 1 ? "" : "s");
}

/* What rule 10 found of the policy's witnesses: each one's newest valid
 * cosignature time, if any. */
struct cosigned {
	bool valid[ENTRY_WITNESSES_MAX];
	int64_t time[ENTRY_WITNESSES_MAX];
};

/*
 * One signature line line[0..len) (without its LF) of the checkpoint
 * note, whose body is body[0..blen): a line by a witness of p (its name
 * and key ID) must be its valid cosignature, not dated in the future.
 * Lines by other keys are ignored.
 */
static void cosig_one(struct run *r, const struct verify_policy *p,
		      const char *line, size_t len, const char *body,
		      size_t blen, struct cosigned *got)
{
	static const char dash[] = "\xe2\x80\x94 "; /* U+2014 and a space */
	const char *name = line + sizeof dash - 1, *sp;
	uint8_t *raw;
	size_t nlen, rawlen = 0, cap;
	uint64_t t = 0;
	int w = -1;

	if (len < sizeof dash - 1 || memcmp(line, dash, sizeof dash - 1) != 0)
		return;
	sp = memchr(name, ' ', len - (size_t)(name - line));
	if (sp == NULL)
		return;
	nlen = (size_t)(sp - name);
	cap = (len - (size_t)(sp + 1 - line)) / 4 * 3 + 3;
	if ((raw = malloc(cap)) == NULL) {
		r->st = ST_NOMEM;
		return;
	}
	if (b64_decode(raw, cap, &rawlen, sp + 1, len - (size_t)(sp + 1 - line),
		       B64_STD) != ST_OK ||
	    rawlen < 4)
		goto out;
	for (int i = 0; i < p->nwitnesses && w < 0; i++)
		if (strlen(p->witnesses[i].name) == nlen &&
		    memcmp(p->witnesses[i].name, name, nlen) == 0 &&
		    p->witnesses[i].hash ==
			    ((uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
			     (uint32_t)raw[2] << 8 | raw[3]))
			w = i;
	if (w < 0)
		goto out; /* another key's: the log's own is rule 1's */
	if (rawlen != COSIG_LEN || cosig_verify(&p->witnesses[w], body, blen,
						raw, &t, NULL) != ST_OK) {
		add(r, 10, false, "cosignature",
		    "the cosignature of %.100s does not verify",
		    p->witnesses[w].name);
		goto out;
	}
	if ((int64_t)t > now_of(r) + COSIG_SKEW) {
		char when[CLOCK_TIME_LEN + 1];

		if (!clock_format((int64_t)t, when))
			snprintf(when, sizeof when, "%" PRIu64, t);
		add(r, 10, false, "cosignature",
		    "the cosignature of %.100s is dated %s, in the future",
		    p->witnesses[w].name, when);
		goto out;
	}
	if (!got->valid[w] || (int64_t)t > got->time[w])
		got->time[w] = (int64_t)t;
	got->valid[w] = true;
out:
	free(raw);
}

/* Appends ", NAME" (the first without the comma), with " (AGE ago)" when
 * age is given, to list; what does not fit is cut. */
static void append_name(char *list, size_t size, int nth, const char *name,
			const char *age)
{
	size_t used = strlen(list);

	snprintf(list + used, size - used, "%s%.40s%s%s%s", nth ? ", " : "",
		 name, age ? " (" : "", age ? age : "", age ? " ago)" : "");
}

/* The checkpoint's cosignatures against policy p (quorum above 0). */
static void cosignatures(struct run *r, const struct verify_policy *p)
{
	const char *note = r->b->checkpoint;
	size_t len = strlen(note), split, pos;
	struct cosigned got;
	char names[224] = "", aged[224] = "", age[32];
	int n = 0;

	memset(&got, 0, sizeof got);
	/* Rule 1 opened the note: its signatures follow the last blank
	 * line, and its body is the text up to it, with the LF. */
	for (split = len; split >= 2; split--)
		if (note[split - 2] == '\n' && note[split - 1] == '\n')
			break;
	if (split < 2)
		return;
	for (pos = split; pos < len && r->st == ST_OK;) {
		const char *lf = memchr(note + pos, '\n', len - pos);
		size_t l = lf != NULL ? (size_t)(lf - note) - pos : len - pos;

		cosig_one(r, p, note + pos, l, note, split - 1, &got);
		pos += l + 1;
	}
	for (int i = 0; i < p->nwitnesses; i++) {
		if (!got.valid[i])
			continue;
		age_text(now_of(r) - got.time[i], age, sizeof age);
		append_name(names, sizeof names, n, p->witnesses[i].name, NULL);
		append_name(aged, sizeof aged, n, p->witnesses[i].name, age);
		n++;
	}
	if (n >= p->quorum)
		add(r, 10, true, "witnesses",
		    "countersigned by %d of %d witness%s: %s", n, p->nwitnesses,
		    p->nwitnesses == 1 ? "" : "es", aged);
	else
		add(r, 10, false, "witnesses",
		    "countersigned by %d of %d witness%s (%s), fewer than the "
		    "quorum of %d",
		    n, p->nwitnesses, p->nwitnesses == 1 ? "" : "es",
		    n ? names : "none", p->quorum);
}

static void rule10(struct run *r)
{
	struct verify_policy p;
	const struct slot *s = policy_slot(r, INT64_MAX);

	if (!r->have_cp)
		return; /* rule 1 failed: no checkpoint to read */
	policy_change(r);
	if (r->o->policy != NULL)
		p = *r->o->policy;
	else if (s == NULL) {
		add(r, 10, true, "witnesses",
		    "not witnessed: the log names no witnesses");
		return;
	} else if (!policy_of(r, s, &p)) {
		return;
	}
	if (p.quorum == 0 || p.nwitnesses == 0) {
		add(r, 10, true, "witnesses",
		    "not witnessed: witnessing ended at entry %" PRId64,
		    s != NULL ? s->bi->index : -1);
		return;
	}
	cosignatures(r, &p);
}

/* A rule's place in the order: rules 0 to nbins - 2, anything else last. */
static int bin_of(int rule, int nbins)
{
	return rule >= 0 && rule < nbins - 1 ? rule : nbins - 1;
}

void verify_report_sort(struct verify_report *rep)
{
	enum { NBINS = 16 }; /* rules 0 to 14; anything else last */
	size_t start[NBINS + 1] = {0};
	struct verify_check *in;

	if (rep->nchecks < 2)
		return;
	/* A copy to sort from: rep->checks keeps its capacity. */
	in = malloc(rep->nchecks * sizeof *in);
	if (in == NULL)
		return;
	memcpy(in, rep->checks, rep->nchecks * sizeof *in);
	for (size_t i = 0; i < rep->nchecks; i++)
		start[bin_of(in[i].rule, NBINS) + 1]++;
	for (int b = 1; b <= NBINS; b++)
		start[b] += start[b - 1];
	for (size_t i = 0; i < rep->nchecks; i++)
		rep->checks[start[bin_of(in[i].rule, NBINS)]++] = in[i];
	free(in);
}

enum status verify_bundle(const struct bundle *b,
			  const struct verify_options *o,
			  struct verify_report *rep, struct err *e)
{
	struct run r;
	enum status st = ST_OK;

	memset(rep, 0, sizeof *rep);
	rep->ok = true;
	rep->latest = -1;
	rep->interval_days = INTERVAL_DAYS_DEFAULT;
	memset(&r, 0, sizeof r);
	r.b = b;
	r.o = o;
	r.rep = rep;
	if (!entry_date_valid(o->today)) {
		rep->ok = false;
		return err_set(e, ST_INVALID,
			       "verify: today is not a date YYYY-MM-DD");
	}
	r.ent = calloc(b->nentries ? b->nentries : 1, sizeof *r.ent);
	r.prov = calloc(b->nproviders ? b->nproviders : 1, sizeof *r.prov);
	r.pol = calloc(b->npolicy ? b->npolicy : 1, sizeof *r.pol);
	if (r.ent == NULL || r.prov == NULL || r.pol == NULL) {
		st = err_set(e, ST_NOMEM, "verify: out of memory");
		goto out;
	}

	parse_entries(&r);
	parse_providers(&r);
	parse_policy(&r);
	if (r.st != ST_OK) {
		st = err_set(e, r.st, "verify: out of memory");
		goto out;
	}
	rule1(&r);
	rule2(&r);
	rules356(&r);
	rule7(&r);
	rule10(&r);
	if (r.st == ST_OK) {
		st = rule4(&r, e);
		if (st != ST_OK)
			goto out;
	}
	if (r.st != ST_OK) {
		st = err_set(e, r.st, "verify: out of memory");
		goto out;
	}
out:
	verify_report_sort(rep);
	if (st != ST_OK)
		rep->ok = false;
	free(r.ent);
	free(r.prov);
	free(r.pol);
	free(r.pents);
	return st;
}
