/*
 * rules.c: the log's rules between entries (rules.h), and the log kept in
 * memory that the audit and the verifiers feed them.
 */
#include "rules.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the verdict ---- */

static void find(struct rules_verdict *out, enum rules_code code, int rule,
		 enum status st, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void find(struct rules_verdict *out, enum rules_code code, int rule,
		 enum status st, const char *fmt, ...)
{
	struct rules_finding *f;
	va_list ap;

	if (out->n >= RULES_FINDINGS_MAX)
		return;
	f = &out->f[out->n++];
	f->code = code;
	f->rule = rule;
	f->st = st;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof f->why, fmt, ap);
	va_end(ap);
}

static void verdict_init(struct rules_verdict *out)
{
	out->n = 0;
	out->deferred = false;
	out->provider_index = -1;
	out->provider_tag = -1;
}

/* A view's answer: found, not found, or a failure to pass on. */
static bool failed(enum status r)
{
	return r != ST_OK && r != ST_NOT_FOUND;
}

/* ---- rule 3: logged time and the chain ---- */

static enum status check_logged(const struct rules_view *v,
				const struct entry *en,
				struct rules_verdict *out, struct err *e)
{
	struct rules_last last;
	enum status r = v->last(v->ctx, &last, e);

	if (r == ST_OK && strcmp(en->logged, last.logged) < 0)
		find(out, RULES_LOGGED_BACK, 3, ST_CONFLICT,
		     "logged %s is before entry %" PRId64 "'s %s", en->logged,
		     last.index, last.logged);
	return failed(r) ? r : ST_OK;
}

/* entry_parse has made venue-seq 0 a kind venue entry without prev, and
 * every later one an entry with a prev. */
static enum status check_chain(const struct rules_view *v,
			       const struct entry *en,
			       struct rules_verdict *out, struct err *e)
{
	struct rules_head h;
	enum status r = v->head(v->ctx, en->venue, &h, e);

	if (failed(r))
		return r;
	if (r == ST_NOT_FOUND) {
		if (en->venue_seq != 0)
			find(out, RULES_CHAIN_START, 3, ST_NOT_FOUND,
			     "the chain does not start at venue-seq 0: its "
			     "first entry is venue-seq %" PRId64,
			     en->venue_seq);
		return ST_OK;
	}
	if (en->venue_seq <= h.seq)
		find(out, RULES_CHAIN_ORDER, 3, ST_CONFLICT,
		     "comes after venue-seq %" PRId64
		     " (duplicate or out of order)",
		     h.seq);
	else if (en->venue_seq == h.seq + 1 &&
		 memcmp(en->prev, h.leaf, HASH_LEN) != 0)
		find(out, RULES_CHAIN_PREV, 3, ST_CONFLICT,
		     "prev does not match the leaf hash of venue-seq %" PRId64,
		     h.seq);
	else if (en->venue_seq == h.seq + 2)
		find(out, RULES_CHAIN_GAP, 3, ST_CONFLICT,
		     "venue-seq %" PRId64 " is missing from the chain",
		     h.seq + 1);
	else if (en->venue_seq > h.seq + 2)
		find(out, RULES_CHAIN_GAP, 3, ST_CONFLICT,
		     "venue-seq %" PRId64 " to %" PRId64
		     " are missing from the chain",
		     h.seq + 1, en->venue_seq - 1);
	return ST_OK;
}

/* ---- rule 6: revocations ---- */

static enum status check_revocation(const struct rules_view *v,
				    const struct entry *en,
				    struct rules_verdict *out, struct err *e)
{
	struct rules_target t;
	enum status r;

	/* Not yet in the chain: a conflict with it (entry_parse refuses it
	 * too, once the writer has set venue-seq). */
	if (en->revokes >= en->venue_seq) {
		find(out, RULES_REVOKE_MISSING, 6, ST_CONFLICT,
		     "revokes venue-seq %" PRId64
		     ", no such earlier entry of the chain",
		     en->revokes);
		return ST_OK;
	}
	if (failed(r = v->target(v->ctx, en->venue, en->revokes, &t, e)))
		return r;
	if (r == ST_NOT_FOUND)
		find(out, RULES_REVOKE_MISSING, 6, ST_NOT_FOUND,
		     "revokes venue-seq %" PRId64
		     ", no such earlier entry of the chain",
		     en->revokes);
	else if (t.kind != ENTRY_DOCUMENT)
		find(out, RULES_REVOKE_KIND, 6, ST_CONFLICT,
		     "revokes venue-seq %" PRId64
		     ", a kind %s entry, not a document",
		     en->revokes, entry_kind_str(t.kind));
	else if (t.revoked)
		find(out, RULES_REVOKE_TWICE, 6, ST_CONFLICT,
		     "revokes venue-seq %" PRId64 ", which is already revoked",
		     en->revokes);
	return ST_OK;
}

/* ---- rule 5: providers and attestations ---- */

static enum status check_provider(const struct rules_view *v,
				  const struct entry *en,
				  struct rules_verdict *out, struct err *e)
{
	struct rules_provider p;
	enum status r = v->provider(v->ctx, en->name, &p, e);

	if (failed(r))
		return r;
	if (en->kind == ENTRY_PROVIDER_REVOKE) {
		if (r == ST_NOT_FOUND || p.kind != ENTRY_PROVIDER_KEY)
			find(out, RULES_PROVIDER_NO_KEY, 5, ST_NOT_FOUND,
			     "ends no key: no provider-key of %.100s is in "
			     "force before it",
			     en->name);
		return ST_OK;
	}
	/* The key in force again, under the same display name, would only
	 * repeat its entry. */
	if (r == ST_OK && p.kind == ENTRY_PROVIDER_KEY &&
	    strcmp(p.vkey, en->vkey) == 0 &&
	    strcmp(p.display_name, en->display_name) == 0)
		find(out, RULES_PROVIDER_REPEAT, 5, ST_CONFLICT,
		     "provider %.100s: this key is already registered, with "
		     "this display name (entry %" PRId64 ")",
		     en->name, p.index);
	return ST_OK;
}

enum status rules_key_in_force(const struct rules_view *v, const char *name,
			       struct rules_verdict *out, struct err *e)
{
	struct rules_provider p;
	enum status r;

	verdict_init(out);
	r = v->provider(v->ctx, name, &p, e);
	if (failed(r))
		return r;
	if (r == ST_NOT_FOUND) {
		find(out, RULES_ATTEST_NO_KEY, 5, ST_NOT_FOUND,
		     "no provider-key entry of that name and key hash before "
		     "the document");
		return ST_OK;
	}
	out->provider_index = p.index;
	out->provider_tag = p.tag;
	if (p.kind == ENTRY_PROVIDER_REVOKE)
		find(out, RULES_ATTEST_REVOKED, 5, ST_NOT_FOUND,
		     "the provider's key was revoked at index %" PRId64
		     ", before the document",
		     p.index);
	else if (p.key == NULL)
		find(out, RULES_ATTEST_BAD_KEY, 5, ST_CORRUPT,
		     "provider entry %" PRId64 ": %.200s", p.index,
		     p.key_error != NULL ? p.key_error : "not a verifier key");
	else
		out->key = *p.key;
	return ST_OK;
}

void rules_attest_fields(const struct entry *en, struct attest_fields *f)
{
	f->venue = en->venue;
	memcpy(f->doc, en->doc_sha256, HASH_LEN);
	f->type = en->type;
	f->performed = en->performed;
	f->expires = en->expires;
}

/* "cleanco.example+1a2b3c4d", as an attestation line names its key. */
static void key_id(const char *line, char *out, size_t size)
{
	char name[NOTE_NAME_MAX + 1];
	uint32_t hash = 0;

	if (attest_parse_line(line, name, &hash, NULL) != ST_OK)
		snprintf(out, size, "an unreadable key");
	else
		snprintf(out, size, "%.100s+%08" PRIx32, name, hash);
}

void rules_attestation_verify(const char *line, const struct attest_fields *f,
			      const struct note_verifier *key,
			      struct rules_verdict *out)
{
	struct err e = {{0}};
	char id[128];

	if (attest_verify_line(line, f, key, &e) == ST_OK)
		return;
	key_id(line, id, sizeof id);
	find(out, RULES_ATTEST_SIGNATURE, 5, ST_BAD_SIGNATURE,
	     "attestation by %s does not verify: %.200s", id, e.msg);
}

static enum status check_attestation(const struct rules_view *v,
				     const struct entry *en, unsigned flags,
				     struct rules_verdict *out, struct err *e)
{
	char name[NOTE_NAME_MAX + 1], id[128];
	uint32_t hash = 0;
	struct err pe = {{0}};
	struct rules_verdict k;
	enum status r;

	if (attest_parse_line(en->attestation, name, &hash, &pe) != ST_OK) {
		find(out, RULES_ATTEST_FORM, 5, ST_INVALID, "attestation: %s",
		     pe.msg);
		return ST_OK;
	}
	if ((r = rules_key_in_force(v, name, &k, e)) != ST_OK)
		return r;
	key_id(en->attestation, id, sizeof id);
	out->provider_index = k.provider_index;
	out->provider_tag = k.provider_tag;
	if (k.n > 0) {
		find(out, k.f[0].code, 5, k.f[0].st,
		     "attestation by %s does not verify: %s", id, k.f[0].why);
		return ST_OK;
	}
	if (k.key.hash != hash) {
		find(out, RULES_ATTEST_OTHER_KEY, 5, ST_BAD_SIGNATURE,
		     "attestation by %s does not verify: the provider's key "
		     "in force is %.100s+%08" PRIx32 " (index %" PRId64 ")",
		     id, name, k.key.hash, k.provider_index);
		return ST_OK;
	}
	if (flags & RULES_DEFER_SIGNATURE) {
		out->deferred = true;
		out->key = k.key;
		return ST_OK;
	}
	struct attest_fields f;
	rules_attest_fields(en, &f);
	rules_attestation_verify(en->attestation, &f, &k.key, out);
	return ST_OK;
}

enum status rules_check(const struct rules_view *v, const struct entry *en,
			int64_t index, unsigned flags,
			struct rules_verdict *out, struct err *e)
{
	enum status r;

	(void)index;
	verdict_init(out);
	if ((r = check_logged(v, en, out, e)) != ST_OK)
		return r;
	switch (en->kind) {
	case ENTRY_VENUE:
		return check_chain(v, en, out, e);
	case ENTRY_DOCUMENT:
		if ((r = check_chain(v, en, out, e)) != ST_OK ||
		    en->attestation[0] == 0)
			return r;
		return check_attestation(v, en, flags, out, e);
	case ENTRY_REVOCATION:
		if ((r = check_chain(v, en, out, e)) != ST_OK)
			return r;
		return check_revocation(v, en, out, e);
	case ENTRY_PROVIDER_KEY:
	case ENTRY_PROVIDER_REVOKE:
		return check_provider(v, en, out, e);
	case ENTRY_WITNESS_POLICY:
		/* It replaces the policy before it whole: no rule but the
		 * logged time ties it to other entries. */
		return ST_OK;
	}
	return err_set(e, ST_INTERNAL, "entry of no kind");
}

/* ---- the log kept in memory ---- */

/* A venue's entry that extended its chain. */
struct seq_rec {
	int64_t seq;
	int64_t index;
	long tag;
	enum entry_kind kind;
	bool revoked;
};

struct venue_rec {
	char id[VENUE_ID_LEN + 1]; /* "" for a free slot */
	struct rules_head head;
	struct seq_rec *at; /* by venue-seq, increasing */
	size_t nat, aat;
};

struct provider_rec {
	char *name; /* NULL for a free slot */
	int64_t index;
	enum entry_kind kind;
	char *vkey, *display_name;
	long tag;
	bool key_ok;
	struct note_verifier key;
	char key_error[160];
};

struct rules {
	bool have_last;
	struct rules_last last;
	struct venue_rec *venues; /* open addressing, a power of two */
	size_t nvenues, avenues;
	struct provider_rec *providers;
	size_t nproviders, aproviders;
};

static uint64_t fnv(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h;
}

struct rules *rules_new(void)
{
	return calloc(1, sizeof(struct rules));
}

void rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->avenues; i++)
		free(r->venues[i].at);
	for (size_t i = 0; i < r->aproviders; i++) {
		free(r->providers[i].name);
		free(r->providers[i].vkey);
		free(r->providers[i].display_name);
	}
	free(r->venues);
	free(r->providers);
	free(r);
}

size_t rules_venues(const struct rules *r)
{
	return r->nvenues;
}

enum status rules_venue_each(const struct rules *r,
			     enum status (*fn)(void *ctx, const char *venue,
					       const struct rules_head *h),
			     void *ctx)
{
	for (size_t i = 0; i < r->avenues; i++) {
		enum status st;

		if (r->venues[i].id[0] != 0 &&
		    (st = fn(ctx, r->venues[i].id, &r->venues[i].head)) !=
			    ST_OK)
			return st;
	}
	return ST_OK;
}

/* The slot of venue id: its record, or the free slot it would take. */
static struct venue_rec *venue_slot(struct venue_rec *tab, size_t cap,
				    const char *id)
{
	size_t j = fnv(id, VENUE_ID_LEN) & (cap - 1);

	while (tab[j].id[0] != 0 && memcmp(tab[j].id, id, VENUE_ID_LEN) != 0)
		j = (j + 1) & (cap - 1);
	return &tab[j];
}

static struct venue_rec *venue_find(const struct rules *r, const char *id)
{
	struct venue_rec *v;

	if (r->avenues == 0)
		return NULL;
	v = venue_slot(r->venues, r->avenues, id);
	return v->id[0] != 0 ? v : NULL;
}

/* The record of venue id, made (with no entry) when new; NULL on ENOMEM. */
static struct venue_rec *venue_get(struct rules *r, const char *id)
{
	struct venue_rec *v;

	if (2 * (r->nvenues + 1) > r->avenues) {
		size_t na = r->avenues ? 2 * r->avenues : 16;
		struct venue_rec *t = calloc(na, sizeof *t);

		if (t == NULL)
			return NULL;
		for (size_t i = 0; i < r->avenues; i++)
			if (r->venues[i].id[0] != 0)
				*venue_slot(t, na, r->venues[i].id) =
					r->venues[i];
		free(r->venues);
		r->venues = t;
		r->avenues = na;
	}
	v = venue_slot(r->venues, r->avenues, id);
	if (v->id[0] == 0) {
		memcpy(v->id, id, VENUE_ID_LEN);
		v->id[VENUE_ID_LEN] = 0;
		v->head.seq = -1;
		r->nvenues++;
	}
	return v;
}

/* The record of venue-seq seq: direct in an unbroken chain, else found by
 * bisection. */
static struct seq_rec *seq_find(const struct venue_rec *v, int64_t seq)
{
	size_t lo = 0, hi = v->nat;

	if (seq < 0)
		return NULL;
	if ((uint64_t)seq < v->nat && v->at[seq].seq == seq)
		return &v->at[seq];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->at[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->nat && v->at[lo].seq == seq ? &v->at[lo] : NULL;
}

static struct provider_rec *provider_slot(struct provider_rec *tab, size_t cap,
					  const char *name)
{
	size_t j = fnv(name, strlen(name)) & (cap - 1);

	while (tab[j].name != NULL && strcmp(tab[j].name, name) != 0)
		j = (j + 1) & (cap - 1);
	return &tab[j];
}

static struct provider_rec *provider_get(struct rules *r, const char *name)
{
	struct provider_rec *p;

	if (2 * (r->nproviders + 1) > r->aproviders) {
		size_t na = r->aproviders ? 2 * r->aproviders : 16;
		struct provider_rec *t = calloc(na, sizeof *t);

		if (t == NULL)
			return NULL;
		for (size_t i = 0; i < r->aproviders; i++)
			if (r->providers[i].name != NULL)
				*provider_slot(t, na, r->providers[i].name) =
					r->providers[i];
		free(r->providers);
		r->providers = t;
		r->aproviders = na;
	}
	p = provider_slot(r->providers, r->aproviders, name);
	if (p->name == NULL) {
		if ((p->name = strdup(name)) == NULL)
			return NULL;
		r->nproviders++;
	}
	return p;
}

static enum status add_venue_entry(struct rules *r, const struct entry *en,
				   int64_t index, const uint8_t leaf[HASH_LEN],
				   long tag)
{
	struct venue_rec *v = venue_get(r, en->venue);
	struct seq_rec *t;

	if (v == NULL)
		return ST_NOMEM;
	if (en->venue_seq <= v->head.seq)
		return ST_OK;
	v->head.seq = en->venue_seq;
	v->head.index = index;
	memcpy(v->head.leaf, leaf, HASH_LEN);
	if (v->nat == v->aat) {
		size_t na = v->aat ? 2 * v->aat : 4;
		struct seq_rec *p = realloc(v->at, na * sizeof *p);

		if (p == NULL)
			return ST_NOMEM;
		v->at = p;
		v->aat = na;
	}
	v->at[v->nat++] = (struct seq_rec){
		.seq = en->venue_seq,
		.index = index,
		.tag = tag,
		.kind = en->kind,
	};
	if (en->kind == ENTRY_REVOCATION &&
	    (t = seq_find(v, en->revokes)) != NULL && t->kind == ENTRY_DOCUMENT)
		t->revoked = true;
	return ST_OK;
}

static enum status add_provider_entry(struct rules *r, const struct entry *en,
				      int64_t index, long tag)
{
	struct provider_rec *p = provider_get(r, en->name);
	bool key = en->kind == ENTRY_PROVIDER_KEY;
	struct err e = {{0}};
	char *vkey, *display;

	if (p == NULL)
		return ST_NOMEM;
	vkey = strdup(key ? en->vkey : "");
	display = strdup(key ? en->display_name : "");
	if (vkey == NULL || display == NULL) {
		free(vkey);
		free(display);
		return ST_NOMEM;
	}
	free(p->vkey);
	free(p->display_name);
	p->vkey = vkey;
	p->display_name = display;
	p->index = index;
	p->tag = tag;
	p->kind = en->kind;
	p->key_ok = key && note_verifier_parse(en->vkey, strlen(en->vkey),
					       &p->key, &e) == ST_OK;
	snprintf(p->key_error, sizeof p->key_error, "%.150s", e.msg);
	return ST_OK;
}

enum status rules_add(struct rules *r, const struct entry *en, int64_t index,
		      const uint8_t leaf[HASH_LEN], long tag)
{
	if (!r->have_last || index > r->last.index) {
		r->have_last = true;
		r->last.index = index;
		memcpy(r->last.logged, en->logged, sizeof r->last.logged);
	}
	if (en->kind == ENTRY_PROVIDER_KEY || en->kind == ENTRY_PROVIDER_REVOKE)
		return add_provider_entry(r, en, index, tag);
	if (en->kind == ENTRY_WITNESS_POLICY)
		return ST_OK; /* its logged time only, above */
	return add_venue_entry(r, en, index, leaf, tag);
}

static enum status mem_last(void *ctx, struct rules_last *out, struct err *e)
{
	const struct rules *r = ctx;

	(void)e;
	if (!r->have_last)
		return ST_NOT_FOUND;
	*out = r->last;
	return ST_OK;
}

static enum status mem_head(void *ctx, const char *venue,
			    struct rules_head *out, struct err *e)
{
	const struct venue_rec *v = venue_find(ctx, venue);

	(void)e;
	if (v == NULL || v->head.seq < 0)
		return ST_NOT_FOUND;
	*out = v->head;
	return ST_OK;
}

static enum status mem_target(void *ctx, const char *venue, int64_t seq,
			      struct rules_target *out, struct err *e)
{
	const struct venue_rec *v = venue_find(ctx, venue);
	const struct seq_rec *t = v != NULL ? seq_find(v, seq) : NULL;

	(void)e;
	if (t == NULL)
		return ST_NOT_FOUND;
	*out = (struct rules_target){t->kind, t->revoked, t->index, t->tag};
	return ST_OK;
}

static enum status mem_provider(void *ctx, const char *name,
				struct rules_provider *out, struct err *e)
{
	struct rules *r = ctx;
	const struct provider_rec *p;

	(void)e;
	if (r->aproviders == 0)
		return ST_NOT_FOUND;
	p = provider_slot(r->providers, r->aproviders, name);
	if (p->name == NULL)
		return ST_NOT_FOUND;
	*out = (struct rules_provider){
		.index = p->index,
		.kind = p->kind,
		.vkey = p->vkey,
		.display_name = p->display_name,
		.key = p->key_ok ? &p->key : NULL,
		.key_error = p->key_error,
		.tag = p->tag,
	};
	return ST_OK;
}

struct rules_view rules_view(struct rules *r)
{
	return (struct rules_view){r, mem_last, mem_head, mem_target,
				   mem_provider};
}

/* ---- rule 7: freshness ---- */

int64_t rules_days_between(const char *a, const char *b)
{
	return entry_date_days(b) - entry_date_days(a);
}

void rules_fresh_init(struct rules_fresh *f)
{
	memset(f, 0, sizeof *f);
	f->interval_days = INTERVAL_DAYS_DEFAULT;
	f->latest = -1;
}

void rules_fresh_add(struct rules_fresh *f, const struct entry *en,
		     int64_t index, bool revoked, long tag)
{
	int64_t d;

	if (en->kind == ENTRY_VENUE) {
		f->venue = en;
		f->interval_days = en->interval_days;
	}
	if (en->kind != ENTRY_DOCUMENT ||
	    strcmp(en->type, "sanitization") != 0 || revoked)
		return;
	/* a tie goes to the later index */
	d = entry_date_days(en->performed);
	if (f->latest_entry == NULL ||
	    d > entry_date_days(f->latest_entry->performed) ||
	    (d == entry_date_days(f->latest_entry->performed) &&
	     index > f->latest_index)) {
		f->latest = tag;
		f->latest_index = index;
		f->latest_entry = en;
	}
}

void rules_fresh_end(struct rules_fresh *f, const char *today)
{
	const struct entry *l = f->latest_entry;

	if (l == NULL)
		return;
	f->days_since = rules_days_between(l->performed, today);
	f->overdue = f->days_since > f->interval_days;
	f->expired =
		l->expires[0] != 0 && rules_days_between(l->expires, today) > 0;
	int64_t due = entry_date_days(l->performed) + f->interval_days;
	if (l->expires[0] != 0 && entry_date_days(l->expires) < due)
		due = entry_date_days(l->expires);
	entry_days_date(due, f->next_due);
}
