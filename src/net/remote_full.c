/*
 * remote_full.c: rule 9, `sanilog verify URL --full`: the whole log read
 * through its tiles (C2SP tlog-tiles), its tree rebuilt from the entry
 * tiles against the checkpoint, every hash tile compared with that tree,
 * and the bundle checked for completeness against it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/progress.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/hash.h"
#include "core/rules.h"
#include "remote_private.h"

/* ---- rule 9: the whole log through the tiles ---- */

struct provider_rec {
	int64_t index;
	bool revoke;
	char *name; /* owned */
};

struct attested {
	int64_t index;
	char *provider; /* owned */
	/* The provider key in force (rules.c): its place in provs, or -1. */
	long key;
};

struct full {
	struct run *r;
	int64_t size;  /* entries to read: the checkpoint's tree size */
	int64_t next;  /* index of the next entry */
	size_t ntiles; /* entry tiles to read */
	size_t nall;   /* tiles to read, entries and hashes */
	struct tile_walk url_at, body_at; /* the tiles asked, and read */
	struct merkle_range mr;
	struct hash_check hc;
	size_t ent, prov; /* next bundle entry / provider to match */
	size_t pol;	  /* next bundle policy item to match */
	int64_t venue_entries;
	int64_t policies; /* witness-policy entries of the log */
	int64_t pmissing, pmissing_at[LIST_MAX]; /* left out of policy */
	int64_t missing, wrong;
	int64_t missing_at[LIST_MAX], wrong_at[LIST_MAX];
	struct provider_rec *provs;
	size_t nprovs, aprovs;
	struct attested *att;
	size_t natt, aatt;
	struct entry *en;    /* scratch */
	struct rules *rules; /* the provider entries so far */
	double start, shown;
	char bad[320]; /* why the tiles are not what the log should serve */
};

static enum status tile_url(void *ctx, size_t i, char *url, size_t size,
			    struct err *e)
{
	struct full *fu = ctx;
	remote_walk_to(&fu->url_at, i);
	return remote_tile_path_url(fu->r->u->base, &fu->url_at.t, url, size,
				    e);
}

static void note_at(int64_t *count, int64_t *at, int64_t index)
{
	if (*count < LIST_MAX)
		at[*count] = index;
	(*count)++;
}

/* Remembers what rule 9 needs of a provider entry or an attested
 * document of the venue. */
static enum status remember_entry(struct full *fu, int64_t index,
				  const char *text, size_t len, bool venue)
{
	struct entry *en = fu->en;
	if (entry_parse(text, len, en, NULL) != ST_OK)
		return ST_OK; /* not rule 9's business: it names entries */
	if (venue) {
		if (en->kind != ENTRY_DOCUMENT || en->attestation[0] == 0)
			return ST_OK;
		if (fu->natt == fu->aatt) {
			size_t na = fu->aatt ? 2 * fu->aatt : 16;
			void *p = realloc(fu->att, na * sizeof *fu->att);
			if (p == NULL)
				return ST_NOMEM;
			fu->att = p;
			fu->aatt = na;
		}
		struct rules_view v = rules_view(fu->rules);
		struct rules_verdict k;
		if (rules_key_in_force(&v, en->provider, &k, NULL) != ST_OK)
			return ST_NOMEM;
		struct attested *a = &fu->att[fu->natt];
		if ((a->provider = strdup(en->provider)) == NULL)
			return ST_NOMEM;
		a->index = index;
		a->key = k.n == 0 ? k.provider_tag : -1;
		fu->natt++;
		return ST_OK;
	}
	if (en->kind != ENTRY_PROVIDER_KEY && en->kind != ENTRY_PROVIDER_REVOKE)
		return ST_OK;
	if (fu->nprovs == fu->aprovs) {
		size_t na = fu->aprovs ? 2 * fu->aprovs : 16;
		void *p = realloc(fu->provs, na * sizeof *fu->provs);
		if (p == NULL)
			return ST_NOMEM;
		fu->provs = p;
		fu->aprovs = na;
	}
	struct provider_rec *p = &fu->provs[fu->nprovs];
	if ((p->name = strdup(en->name)) == NULL)
		return ST_NOMEM;
	p->index = index;
	p->revoke = en->kind == ENTRY_PROVIDER_REVOKE;
	fu->nprovs++;
	uint8_t leaf[HASH_LEN] = {0}; /* no chain to link for a provider */
	/* tagged with its place in fu->provs, which attestations find it by */
	return rules_add(fu->rules, en, index, leaf, (long)fu->nprovs - 1);
}

/* When the next of the bundle's items[0..n) (*next) is at index: moves
 * past it and answers whether it is the log's entry text[0..len), noting
 * it wrong when not; false when no item is at index. */
static bool same_item(struct full *fu, const struct bundle_item *items,
		      size_t n, size_t *next, int64_t index,
		      const uint8_t *text, size_t len)
{
	if (*next >= n || items[*next].index != index)
		return false;
	const struct bundle_item *it = &items[(*next)++];
	bool same = it->entry_len == len && memcmp(it->entry, text, len) == 0;
	if (!same)
		note_at(&fu->wrong, fu->wrong_at, index);
	return same;
}

/* One entry of the log, in order. */
static enum status full_entry(void *ctx, int64_t index, const uint8_t *text,
			      size_t len)
{
	struct full *fu = ctx;
	const struct bundle *b = fu->r->b;
	fu->next = index + 1;
	uint8_t leaf[HASH_LEN], stored[MERKLE_MAX_PROOF][HASH_LEN];
	size_t nstored = 0;
	merkle_leaf_hash(leaf, text, len);
	merkle_range_push(&fu->mr, leaf, stored, &nstored);
	hash_check_push(&fu->hc, index, (const uint8_t(*)[HASH_LEN])stored,
			nstored);

	/* The bundle's items at this index must be these bytes. */
	bool in_bundle = same_item(fu, b->entries, b->nentries, &fu->ent, index,
				   text, len);
	same_item(fu, b->providers, b->nproviders, &fu->prov, index, text, len);
	bool in_policy = same_item(fu, b->policy, b->npolicy, &fu->pol, index,
				   text, len);

	/* Cheap look at the first lines: most entries are other venues'. */
	if (len < ENTRY_HEAD_LEN + 15 ||
	    memcmp(text, ENTRY_HEAD, ENTRY_HEAD_LEN) != 0)
		return ST_OK;
	const char *rest = (const char *)text + ENTRY_HEAD_LEN;
	if (memcmp(rest, "venue ", 6) == 0) {
		if (memcmp(rest + 6, b->venue, VENUE_ID_LEN) != 0 ||
		    rest[6 + VENUE_ID_LEN] != '\n')
			return ST_OK;
		fu->venue_entries++;
		if (!in_bundle)
			note_at(&fu->missing, fu->missing_at, index);
		return remember_entry(fu, index, (const char *)text, len, true);
	}
	if (memcmp(rest, "kind provider-", 14) == 0)
		return remember_entry(fu, index, (const char *)text, len,
				      false);
	/* Rule 10's policy must hold every witness-policy entry. */
	if (memcmp(rest, "kind witness-policy\n", 20) == 0) {
		fu->policies++;
		if (!in_policy)
			note_at(&fu->pmissing, fu->pmissing_at, index);
	}
	return ST_OK; /* another venue's */
}

static void full_progress(struct full *fu, bool last)
{
	if (!fu->r->o->progress)
		return;
	double t = clock_mono_s();
	if (!last && t - fu->shown < 0.1)
		return;
	fu->shown = t;
	double rate = t > fu->start ? (double)fu->next / (t - fu->start) : 0;
	char unit[64];
	snprintf(unit, sizeof unit, "entries, %" PRId64 " hash tiles",
		 fu->hc.checked);
	progress_bar("full", fu->next, fu->size, unit, rate, last);
}

/* One tile of the walk: entries, or hashes that they made. */
static enum status tile_body(void *ctx, size_t i, const uint8_t *body,
			     size_t len, struct err *e)
{
	struct full *fu = ctx;
	enum status st =
		remote_walk_body(&fu->body_at, &fu->hc, i, body, len,
				 full_entry, fu, fu->bad, sizeof fu->bad, e);
	if (st == ST_OK)
		full_progress(fu, false);
	return st;
}

static bool has_provider(const struct bundle *b, int64_t index)
{
	size_t lo = 0, hi = b->nproviders;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->providers[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->nproviders && b->providers[lo].index == index;
}

/* A provider entry of the log, looked up by name then index. */
struct named_rec {
	const char *name;
	int64_t index;
	size_t pos; /* in fu->provs */
};

static int named_rec_cmp(const void *x, const void *y)
{
	const struct named_rec *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	if (c != 0)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* The first of recs[0..n) whose name is above name, or is name with an
 * index not below index. */
static size_t rec_bound(const struct named_rec *recs, size_t n,
			const char *name, int64_t index)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(recs[mid].name, name);
		if (c < 0 || (c == 0 && recs[mid].index < index))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The provider entries the venue's attestations depend on, which a bundle
 * must hold (export.c puts these and more in it: the key each revocation
 * ended, which rule 5 asks for): for each attested document the key of its
 * provider in force at it (rules.c's, found as the entries went by), and
 * every revocation of the keys of a provider with an entry before an
 * attested document.  Marks them in need[0..nprovs).  O(n log n) in the
 * provider entries and attestations.
 */
static enum status needed_providers(struct full *fu, bool *need)
{
	size_t n = fu->nprovs ? fu->nprovs : 1;
	struct named_rec *all = malloc(n * sizeof *all);
	bool *attested = calloc(n, sizeof *attested); /* by first of a name */
	size_t nall = 0;
	enum status st = ST_NOMEM;

	if (all == NULL || attested == NULL)
		goto out;
	for (size_t q = 0; q < fu->nprovs; q++)
		all[nall++] = (struct named_rec){fu->provs[q].name,
						 fu->provs[q].index, q};
	qsort(all, nall, sizeof *all, named_rec_cmp);
	for (size_t a = 0; a < fu->natt; a++) {
		const char *name = fu->att[a].provider;
		size_t first = rec_bound(all, nall, name, INT64_MIN);
		/* A provider with no entry before the document has none of
		 * its revocations needed. */
		if (first < nall && strcmp(all[first].name, name) == 0 &&
		    all[first].index < fu->att[a].index)
			attested[first] = true;
		if (fu->att[a].key >= 0)
			need[fu->att[a].key] = true;
	}
	for (size_t q = 0; q < fu->nprovs; q++) {
		if (!fu->provs[q].revoke)
			continue;
		size_t first =
			rec_bound(all, nall, fu->provs[q].name, INT64_MIN);
		if (attested[first])
			need[q] = true;
	}
	st = ST_OK;
out:
	free(all);
	free(attested);
	return st;
}

/* "12, 40, 97 and 3 more" into out. */
static void list_at(char *out, size_t size, const int64_t *at, int64_t count)
{
	size_t o = 0;
	out[0] = 0;
	for (int64_t i = 0; i < count && i < LIST_MAX && o < size; i++) {
		int w = snprintf(out + o, size - o, "%s%" PRId64,
				 i == 0 ? "" : ", ", at[i]);
		if (w < 0)
			return;
		o += (size_t)w;
	}
	if (count > LIST_MAX && o < size)
		snprintf(out + o, size - o, " and %" PRId64 " more",
			 count - LIST_MAX);
}

/* Rule 9: when n > 0, a failed check that the bundle leaves out n entries
 * (what says which), at[] the first of their indexes. */
static void left_out(struct run *r, int64_t n, const int64_t *at,
		     const char *what)
{
	char list[160];
	if (n == 0)
		return;
	list_at(list, sizeof list, at, n);
	verify_add_check(r->rep, 9, false, "completeness",
			 "the bundle leaves out %s: %s", what, list);
}

static void full_free(struct full *fu)
{
	for (size_t i = 0; i < fu->nprovs; i++)
		free(fu->provs[i].name);
	for (size_t i = 0; i < fu->natt; i++)
		free(fu->att[i].provider);
	free(fu->provs);
	free(fu->att);
	free(fu->en);
	rules_free(fu->rules);
	hash_check_free(&fu->hc);
}

enum status remote_tiles_read(struct verify_report *rep, enum status st,
			      int64_t size, const char *bad,
			      const struct err *e, bool *failed)
{
	*failed = false;
	if (!remote_answer_failed(st))
		return st;
	*failed = true;
	verify_add_check(rep, 9, false, "tiles",
			 "the log's tiles are not what a log of "
			 "%" PRId64 " entries serves: %s",
			 size, bad[0] ? bad : e->msg);
	return ST_OK;
}

bool remote_tree_matches(struct verify_report *rep,
			 const struct merkle_range *mr,
			 const struct checkpoint *cp)
{
	uint8_t root[HASH_LEN];
	char got[64], want[64];
	merkle_range_root(mr, root);
	if (mr->size == cp->size && memcmp(root, cp->root, HASH_LEN) == 0)
		return true;
	b64_encode(got, sizeof got, root, HASH_LEN, B64_STD);
	b64_encode(want, sizeof want, cp->root, HASH_LEN, B64_STD);
	verify_add_check(rep, 9, false, "tree",
			 "the %" PRId64 " entries served as tiles make a tree "
			 "with root %s, not the checkpoint's %s",
			 mr->size, got, want);
	return false;
}

enum status remote_check_full(struct run *r, struct err *e)
{
	const struct bundle *b = r->b;
	struct full fu;
	enum status st;
	bool *need = NULL;
	char list[160];

	memset(&fu, 0, sizeof fu);
	fu.r = r;
	fu.size = r->cp.size;
	fu.ntiles =
		(size_t)(fu.size / TILE_WIDTH) + (fu.size % TILE_WIDTH != 0);
	fu.nall = remote_tiles_count(fu.size);
	remote_walk_start(&fu.url_at, fu.size);
	remote_walk_start(&fu.body_at, fu.size);
	merkle_range_init(&fu.mr);
	fu.en = malloc(sizeof *fu.en);
	fu.rules = rules_new();
	if (hash_check_init(&fu.hc) != ST_OK || fu.en == NULL ||
	    fu.rules == NULL) {
		full_free(&fu);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	fu.start = clock_mono_s();
	st = fetch_get_many(r->f, fu.nall, TILE_CAP,
			    r->o->parallel > 0 ? r->o->parallel : 4, tile_url,
			    tile_body, &fu, e);
	r->res->full_seconds = clock_mono_s() - fu.start;
	r->res->full_entries = fu.next;
	r->res->full_entry_tiles = (int64_t)fu.ntiles;
	r->res->full_hash_tiles = fu.hc.checked;
	if (fu.next > 0 || st == ST_OK)
		full_progress(&fu, true);
	bool failed = false;
	st = remote_tiles_read(r->rep, st, fu.size, fu.bad, e, &failed);
	if (st != ST_OK || failed ||
	    !remote_tree_matches(r->rep, &fu.mr, &r->cp))
		goto out;
	verify_add_check(r->rep, 9, true, "tree",
			 "read all %" PRId64 " entries through %zu tiles in "
			 "%.2f s (%.0f entries/s); they make the checkpoint's "
			 "tree",
			 fu.size, fu.ntiles, r->res->full_seconds,
			 r->res->full_seconds > 0
				 ? (double)fu.size / r->res->full_seconds
				 : 0.0);
	remote_hash_tiles_checked(r->rep, &fu.hc, fu.size);

	/* Rule 9 proper: nothing of the venue left out. */
	need = calloc(fu.nprovs + 1, sizeof *need);
	if (need == NULL || needed_providers(&fu, need) != ST_OK) {
		st = err_set(e, ST_NOMEM, "out of memory");
		goto out;
	}
	int64_t nneed = 0, pmissing = 0, pmissing_at[LIST_MAX];
	for (size_t q = 0; q < fu.nprovs; q++) {
		if (!need[q])
			continue;
		nneed++;
		if (!has_provider(b, fu.provs[q].index))
			note_at(&pmissing, pmissing_at, fu.provs[q].index);
	}
	char what[96];
	snprintf(what, sizeof what,
		 "%" PRId64 " of the venue's %" PRId64 " entries in the log",
		 fu.missing, fu.venue_entries);
	left_out(r, fu.missing, fu.missing_at, what);
	snprintf(what, sizeof what,
		 "%" PRId64 " provider entr%s the venue's attestations depend "
		 "on",
		 pmissing, pmissing == 1 ? "y" : "ies");
	left_out(r, pmissing, pmissing_at, what);
	snprintf(what, sizeof what,
		 "%" PRId64 " of the log's %" PRId64 " witness-policy entries",
		 fu.pmissing, fu.policies);
	left_out(r, fu.pmissing, fu.pmissing_at, what);
	if (fu.wrong > 0 || fu.ent != b->nentries || fu.prov != b->nproviders ||
	    fu.pol != b->npolicy) {
		list_at(list, sizeof list, fu.wrong_at, fu.wrong);
		verify_add_check(r->rep, 9, false, "completeness",
				 "the bundle's entries at %s are not the "
				 "log's entries at those indexes",
				 fu.wrong > 0 ? list : "the end");
	}
	if (fu.missing == 0 && pmissing == 0 && fu.wrong == 0 &&
	    fu.pmissing == 0 && fu.ent == b->nentries &&
	    fu.prov == b->nproviders && fu.pol == b->npolicy) {
		char pols[64] = "";
		if (fu.policies > 0)
			snprintf(pols, sizeof pols,
				 ", and the log's %" PRId64
				 " witness-policy entr%s",
				 fu.policies, fu.policies == 1 ? "y" : "ies");
		verify_add_check(r->rep, 9, true, "completeness",
				 "the bundle holds all %" PRId64
				 " entries of venue %s in the log and the "
				 "%" PRId64 " provider entr%s its attestations "
				 "depend on%s",
				 fu.venue_entries, b->venue, nneed,
				 nneed == 1 ? "y" : "ies", pols);
	}
out:
	free(need);
	full_free(&fu);
	return st;
}
