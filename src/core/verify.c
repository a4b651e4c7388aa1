/*
 * verify.c: DESIGN.md's verification rules 1 to 7 applied to a venue bundle.
 *
 * The bundle's entries are parsed once into slots (one per bundle item, with
 * its leaf hash and the result of its inclusion proof, checked at most
 * once), then each rule runs over the slots and adds its checks: one failed
 * check per problem found, naming the entry by its log index and venue-seq,
 * and one passing check summing up a rule that found none.  Rule 4 fetches
 * documents and is the only step that can stop the run (a fetch that fails
 * for another reason than ST_NOT_FOUND), so it runs last; the checks are
 * then put in rule order.
 */
#include "verify.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "codec.h"
#include "hash.h"
#include "merkle.h"

#define WHERE_MAX 128
#define NRULES	  7

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
	struct entry *pents; /* the parsed provider entries */
	size_t npents;
	struct named *by_name; /* the parsed provider entries, by name
				  then index (rule 5's look-ups) */
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
	return entry_date_days(b) - entry_date_days(a);
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

/* ---- rule 1: the checkpoint and the log key ---- */

static void rule1(struct run *r)
{
	const struct bundle *b = r->b;
	struct verify_report *rep = r->rep;
	struct note_verifier key;
	char text[NOTE_VKEY_MAX + 1];
	struct err e = {{0}};
	bool have_key = false;

	if (r->o->key != NULL) {
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
		for (size_t i = 0; i + 1 < b->nentries; i++)
			if (r->ent[i].bi->index < 0 ||
			    r->ent[i].bi->index >= cp->size)
				add(r, 2, false, "inclusion",
				    "%s: index %" PRId64 " is not in the "
				    "checkpoint's tree of size %" PRId64,
				    r->ent[i].where, r->ent[i].bi->index,
				    cp->size);
		for (size_t i = 0; i < b->nproviders; i++)
			if (r->prov[i].bi->index < 0 ||
			    r->prov[i].bi->index >= cp->size)
				add(r, 2, false, "inclusion",
				    "%s: index %" PRId64 " is not in the "
				    "checkpoint's tree of size %" PRId64,
				    r->prov[i].where, r->prov[i].bi->index,
				    cp->size);
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
	if (r->fails[2] == 0)
		add(r, 2, true, "inclusion",
		    "all %zu entr%s and %zu provider entr%s are included in "
		    "the checkpoint of tree size %" PRId64,
		    b->nentries, b->nentries == 1 ? "y" : "ies", b->nproviders,
		    b->nproviders == 1 ? "y" : "ies", cp->size);
}

/* ---- rule 3: the chain ---- */

/* Is s's prev the leaf hash of p? */
static bool prev_is(const struct slot *s, const struct slot *p)
{
	return s->en->has_prev && memcmp(s->en->prev, p->leaf, HASH_LEN) == 0;
}

/*
 * Checks the venue entry s against last, the newest entry of the chain
 * before it (NULL if none), and p, the bundle item right before it (NULL
 * for the first).  Returns whether s extends the chain (becomes last).
 */
static bool chain_link(struct run *r, const struct slot *s,
		       const struct slot *last, const struct slot *p)
{
	/* A broken item right before (reported already) may be the entry
	 * that s follows: its bytes still are the leaf that prev names. */
	bool broken_before = p != NULL && !ours(p);

	if (last == NULL) {
		if (s->en->venue_seq == 0) {
			if (s->en->kind != ENTRY_VENUE)
				add(r, 3, false, "venue chain",
				    "%s: the first entry is kind %s, not kind "
				    "venue",
				    s->where, entry_kind_str(s->en->kind));
		} else if (broken_before) {
			if (!prev_is(s, p))
				add(r, 3, false, "venue chain",
				    "%s: prev does not match the leaf hash of "
				    "%s",
				    s->where, p->where);
		} else {
			add(r, 3, false, "venue chain",
			    "the chain does not start at venue-seq 0: the "
			    "first entry is %s",
			    s->where);
		}
		return true;
	}
	if (s->en->venue_seq <= last->en->venue_seq) {
		add(r, 3, false, "venue chain",
		    "%s: comes after venue-seq %" PRId64
		    " (duplicate or out of order)",
		    s->where, last->en->venue_seq);
		return false;
	}
	if (strcmp(s->en->logged, last->en->logged) < 0)
		add(r, 3, false, "venue chain",
		    "%s: logged %s is before venue-seq %" PRId64 "'s %s",
		    s->where, s->en->logged, last->en->venue_seq,
		    last->en->logged);
	if (s->en->venue_seq == last->en->venue_seq + 1) {
		if (!prev_is(s, last))
			add(r, 3, false, "venue chain",
			    "%s: prev does not match the leaf hash of "
			    "venue-seq %" PRId64,
			    s->where, last->en->venue_seq);
	} else if (broken_before) {
		if (!prev_is(s, p))
			add(r, 3, false, "venue chain",
			    "%s: prev does not match the leaf hash of %s",
			    s->where, p->where);
	} else if (s->en->venue_seq == last->en->venue_seq + 2) {
		add(r, 3, false, "venue chain",
		    "%s: venue-seq %" PRId64 " is missing from the chain",
		    s->where, last->en->venue_seq + 1);
	} else {
		add(r, 3, false, "venue chain",
		    "%s: venue-seq %" PRId64 " to %" PRId64
		    " are missing from the chain",
		    s->where, last->en->venue_seq + 1, s->en->venue_seq - 1);
	}
	return true;
}

static void rule3(struct run *r)
{
	const struct bundle *b = r->b;
	const struct slot *last = NULL;

	if (b->nentries == 0) {
		add(r, 3, false, "venue chain", "the bundle holds no entry");
		return;
	}
	for (size_t i = 0; i < b->nentries; i++) {
		const struct slot *s = &r->ent[i];
		const struct slot *p = i > 0 ? &r->ent[i - 1] : NULL;

		if (p != NULL && s->bi->index <= p->bi->index)
			add(r, 3, false, "venue chain",
			    "%s: index is not after %s's (entries out of log "
			    "order)",
			    s->where, p->where);
		if (ours(s) && chain_link(r, s, last, p))
			last = s;
	}
	if (r->fails[3] == 0)
		add(r, 3, true, "venue chain",
		    "%zu entr%s, venue-seq 0 to %" PRId64
		    ", each prev the leaf hash of the entry before, starting "
		    "with kind venue",
		    b->nentries, b->nentries == 1 ? "y" : "ies",
		    last != NULL ? last->en->venue_seq : -1);
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

/* ---- rule 5: attestations ---- */

/* A parsed provider entry as rule 5 looks it up: by name, then index. */
struct named {
	const char *name;
	int64_t index;
	struct slot *slot;
	uint32_t hash; /* of a provider-key's vkey, as its text says */
	int key_state; /* its vkey: 0 not parsed yet, 1 a key, -1 not one */
	struct note_verifier key;
};

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

static int named_cmp(const void *x, const void *y)
{
	const struct named *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c != 0)
		return c;
	if (a->index != b->index)
		return a->index < b->index ? -1 : 1;
	return a->slot < b->slot ? -1 : a->slot > b->slot;
}

/* Fills r->by_name with the parsed provider entries, by name then index. */
static enum status index_providers(struct run *r)
{
	size_t n = 0;

	r->by_name = malloc((r->npents ? r->npents : 1) * sizeof *r->by_name);
	if (r->by_name == NULL)
		return ST_NOMEM;
	for (size_t i = 0; i < r->b->nproviders; i++) {
		struct slot *p = &r->prov[i];
		if (p->en != NULL)
			r->by_name[n++] = (struct named){
				.name = p->en->name,
				.index = p->bi->index,
				.slot = p,
				.hash = p->en->kind == ENTRY_PROVIDER_KEY
						? vkey_text_hash(p->en->vkey)
						: 0,
			};
	}
	qsort(r->by_name, n, sizeof *r->by_name, named_cmp);
	return ST_OK;
}

/* The first position in r->by_name whose name is above name, or is name
 * with an index not below index. */
static size_t lower_bound(const struct run *r, const char *name, int64_t index)
{
	size_t lo = 0, hi = r->npents;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->by_name[mid].name, name);

		if (c < 0 || (c == 0 && r->by_name[mid].index < index))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The provider entry of that name with the highest index below before, or
 * NULL: as in the log, it decides which key is in force (a key, or a
 * revocation that ended every key before it). */
static struct named *in_force(const struct run *r, const char *name,
			      int64_t before)
{
	size_t k = lower_bound(r, name, before);

	if (k == 0 || strcmp(r->by_name[k - 1].name, name) != 0)
		return NULL;
	return &r->by_name[k - 1];
}

/* The key of a provider-key entry, parsed once (its point check is the
 * cost: a key that attests many documents is parsed for the first). */
static const struct note_verifier *key_of(struct named *k, struct err *e)
{
	const char *vkey = k->slot->en->vkey;

	if (k->key_state == 0)
		k->key_state = note_verifier_parse(vkey, strlen(vkey), &k->key,
						   e) == ST_OK
				       ? 1
				       : -1;
	else if (k->key_state < 0)
		err_set(e, ST_INVALID, "not a verifier key");
	return k->key_state > 0 ? &k->key : NULL;
}

/* Says in why, when there is no key in force, whether the key named by the
 * attestation is in the bundle at all. */
static void why_no_key(const struct run *r, const char *name, uint32_t hash,
		       char *why, size_t size)
{
	for (size_t k = lower_bound(r, name, INT64_MIN); k < r->npents; k++) {
		const struct slot *p = r->by_name[k].slot;

		if (strcmp(r->by_name[k].name, name) != 0)
			break;
		if (p->en->kind == ENTRY_PROVIDER_KEY &&
		    r->by_name[k].hash == hash) {
			snprintf(why, size,
				 "the key is logged at index %" PRId64
				 ", not before the document",
				 p->bi->index);
			return;
		}
	}
	snprintf(why, size,
		 "no provider-key entry of that name and key hash in the "
		 "bundle before the document");
}

/* Checks the attested document s against the key in force for its
 * provider; on success marks its item, else adds a failed check. */
static void attest_one(struct run *r, struct slot *s)
{
	const struct entry *en = s->en;
	struct verify_item *it = &r->rep->items[s->item];
	struct attest_fields f;
	char name[NOTE_NAME_MAX + 1];
	char why[sizeof(struct err)];
	uint32_t hash = 0;
	struct err e = {{0}};
	const struct note_verifier *v;
	struct named *k;
	struct slot *p;

	if (attest_parse_line(en->attestation, name, &hash, &e) != ST_OK) {
		add(r, 5, false, "attestations", "%s: %s", s->where, e.msg);
		return;
	}
	f.venue = en->venue;
	memcpy(f.doc, en->doc_sha256, HASH_LEN);
	f.type = en->type;
	f.performed = en->performed;
	f.expires = en->expires;
	k = in_force(r, name, s->bi->index);
	p = k != NULL ? k->slot : NULL;
	if (p == NULL && !failure_shown(r->rep, 5)) {
		why[0] = 0; /* not kept: no need to say why */
	} else if (p == NULL) {
		why_no_key(r, name, hash, why, sizeof why);
	} else if (p->en->kind == ENTRY_PROVIDER_REVOKE) {
		snprintf(why, sizeof why,
			 "the provider's key was revoked at index %" PRId64
			 ", before the document",
			 p->bi->index);
	} else if (k->hash != hash) {
		snprintf(why, sizeof why,
			 "the provider's key in force is %s+%08" PRIx32
			 " (index %" PRId64 ")",
			 name, k->hash, p->bi->index);
	} else if ((v = key_of(k, &e)) == NULL) {
		snprintf(why, sizeof why, "%.128s: %.300s", p->where, e.msg);
	} else if (!proof_ok(r, p)) {
		snprintf(why, sizeof why, "%s: inclusion proof %s", p->where,
			 r->have_cp ? "does not verify against the checkpoint"
				    : "not checked (no verified checkpoint)");
	} else if (attest_verify_line(en->attestation, &f, v, &e) != ST_OK) {
		snprintf(why, sizeof why, "%s", e.msg);
	} else {
		it->attested = true;
		snprintf(it->provider_display, sizeof it->provider_display,
			 "%s", p->en->display_name);
		return;
	}
	add(r, 5, false, "attestations",
	    "%s: attestation by %.100s+%08" PRIx32 " does not verify: %s",
	    s->where, name, hash, why);
}

/* Each provider-revoke ends the key in force of its name, as the log writes
 * none without one: that key must be in the bundle before it. */
static void revokes_end_keys(struct run *r)
{
	for (size_t i = 0; i < r->b->nproviders; i++) {
		const struct slot *p = &r->prov[i];
		const struct named *k;

		if (p->en == NULL || p->en->kind != ENTRY_PROVIDER_REVOKE)
			continue;
		k = in_force(r, p->en->name, p->bi->index);
		if (k == NULL || k->slot->en->kind != ENTRY_PROVIDER_KEY)
			add(r, 5, false, "provider entries",
			    "%s ends no key: no provider-key of %.100s is in "
			    "force before it in the bundle",
			    p->where, p->en->name);
	}
}

static void rule5(struct run *r)
{
	size_t n = 0;

	if (index_providers(r) != ST_OK) {
		r->st = ST_NOMEM;
		return;
	}
	revokes_end_keys(r);
	for (size_t i = 0; i < r->b->nentries; i++) {
		struct slot *s = &r->ent[i];
		if (!ours(s) || s->en->kind != ENTRY_DOCUMENT ||
		    s->en->attestation[0] == 0)
			continue;
		n++;
		attest_one(r, s);
	}
	if (r->fails[5] == 0 && n == 0)
		add(r, 5, true, "attestations",
		    "no document carries an attestation");
	else if (r->fails[5] == 0)
		add(r, 5, true, "attestations",
		    "%zu attestation%s verif%s against provider keys logged, "
		    "and not revoked, before the documents",
		    n, n == 1 ? "" : "s", n == 1 ? "ies" : "y");
}

/* ---- rule 6: revocations ---- */

/* A venue item as rule 6 looks it up: by venue-seq, then position. */
struct seq_pos {
	int64_t seq;
	size_t pos;
};

static int seq_pos_cmp(const void *x, const void *y)
{
	const struct seq_pos *a = x, *b = y;

	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* The last item before position i with venue-seq seq, or NULL; ord holds
 * the items by venue-seq, then position. */
static struct verify_item *item_before(struct verify_report *rep,
				       const struct seq_pos *ord, int64_t seq,
				       size_t i)
{
	size_t lo = 0, hi = rep->nitems;

	/* The first in ord at or past (seq, i). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ord[mid].seq < seq ||
		    (ord[mid].seq == seq && ord[mid].pos < i))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || ord[lo - 1].seq != seq)
		return NULL;
	return &rep->items[ord[lo - 1].pos];
}

static void rule6(struct run *r)
{
	struct verify_report *rep = r->rep;
	size_t n = 0;
	struct seq_pos *ord =
		malloc((rep->nitems ? rep->nitems : 1) * sizeof *ord);

	if (ord == NULL) {
		r->st = ST_NOMEM;
		return;
	}
	for (size_t i = 0; i < rep->nitems; i++)
		ord[i] = (struct seq_pos){rep->items[i].entry.venue_seq, i};
	qsort(ord, rep->nitems, sizeof *ord, seq_pos_cmp);
	for (size_t i = 0; i < rep->nitems; i++) {
		const struct verify_item *rv = &rep->items[i];
		struct verify_item *t;
		char where[WHERE_MAX];

		if (rv->entry.kind != ENTRY_REVOCATION)
			continue;
		n++;
		snprintf(where, sizeof where,
			 "entry %" PRId64 " (venue-seq %" PRId64 ")", rv->index,
			 rv->entry.venue_seq);
		t = item_before(rep, ord, rv->entry.revokes, i);
		if (t == NULL) {
			add(r, 6, false, "revocations",
			    "%s: revokes venue-seq %" PRId64
			    ", which is not an earlier entry of the chain",
			    where, rv->entry.revokes);
			continue;
		}
		if (t->entry.kind != ENTRY_DOCUMENT) {
			add(r, 6, false, "revocations",
			    "%s: revokes venue-seq %" PRId64
			    ", a kind %s entry, not a document",
			    where, rv->entry.revokes,
			    entry_kind_str(t->entry.kind));
			continue;
		}
		if (t->revoked) {
			add(r, 6, false, "revocations",
			    "%s: revokes venue-seq %" PRId64
			    ", which is already revoked",
			    where, rv->entry.revokes);
			continue;
		}
		t->revoked = true;
		snprintf(t->revoke_reason, sizeof t->revoke_reason, "%s",
			 rv->entry.reason);
	}
	free(ord);
	if (r->fails[6] == 0 && n == 0)
		add(r, 6, true, "revocations", "no revocations");
	else if (r->fails[6] == 0)
		add(r, 6, true, "revocations",
		    "%zu revocation%s, each of an earlier document not yet "
		    "revoked",
		    n, n == 1 ? "" : "s");
}

/* ---- rule 7: freshness ---- */

static void rule7(struct run *r)
{
	struct verify_report *rep = r->rep;
	const struct verify_item *l;
	int64_t best = 0;

	rep->interval_days = INTERVAL_DAYS_DEFAULT;
	rep->latest = -1;
	for (size_t i = 0; i < rep->nitems; i++) {
		const struct entry *en = &rep->items[i].entry;
		int64_t d;

		if (en->kind == ENTRY_VENUE) {
			snprintf(rep->name, sizeof rep->name, "%s", en->name);
			snprintf(rep->address, sizeof rep->address, "%s",
				 en->address);
			rep->interval_days = en->interval_days;
		}
		if (en->kind != ENTRY_DOCUMENT ||
		    strcmp(en->type, "sanitization") != 0 ||
		    rep->items[i].revoked)
			continue;
		/* a tie goes to the later index */
		d = entry_date_days(en->performed);
		if (rep->latest < 0 || d > best ||
		    (d == best &&
		     rep->items[i].index > rep->items[rep->latest].index)) {
			rep->latest = (long)i;
			best = d;
		}
	}
	if (rep->latest < 0) {
		add(r, 7, true, "freshness",
		    "no valid sanitization: no document of type sanitization "
		    "that is not revoked");
		return;
	}
	l = &rep->items[rep->latest];
	rep->days_since = verify_days_between(l->entry.performed, r->o->today);
	rep->overdue = rep->days_since > rep->interval_days;
	rep->expired = l->entry.expires[0] != 0 &&
		       verify_days_between(l->entry.expires, r->o->today) > 0;
	add(r, 7, true, "freshness",
	    "newest sanitization: entry %" PRId64 " (venue-seq %" PRId64
	    "), performed %s, %" PRId64 " days before %s; %s (interval %d "
	    "days)%s%s%s",
	    l->index, l->entry.venue_seq, l->entry.performed, rep->days_since,
	    r->o->today, rep->overdue ? "OVERDUE" : "within the interval",
	    rep->interval_days, l->entry.expires[0] ? "; expires " : "",
	    l->entry.expires, rep->expired ? ": EXPIRED" : "");
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
	if (r.ent == NULL || r.prov == NULL) {
		st = err_set(e, ST_NOMEM, "verify: out of memory");
		goto out;
	}

	parse_entries(&r);
	parse_providers(&r);
	if (r.st != ST_OK) {
		st = err_set(e, r.st, "verify: out of memory");
		goto out;
	}
	rule1(&r);
	rule2(&r);
	rule3(&r);
	rule6(&r);
	rule5(&r);
	rule7(&r);
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
	free(r.pents);
	free(r.by_name);
	return st;
}
