/*
 * survey.c: every venue of a log verified over HTTP(S) (see survey.h).
 *
 * One run: the newest checkpoint (its size claimed), every entry through
 * the tiles in log order into rules.c (struct rules, the log kept in
 * memory) and into a summary per venue, the tree's root, and every hash
 * tile against the tree (as `verify URL --full`); then the key,
 * the checkpoint's signature and root, rule 8, and rule 7 per venue.
 * What the server answers wrongly is a failed check; only what keeps us
 * from asking stops the run.
 */
#include "base/clock.h"
#include "base/progress.h"
#include "survey.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bundle.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/merkle.h"
#include "core/rules.h"
#include "net/seen.h"

#include "remote_private.h"

/* A document of a venue, as rule 7 needs it. */
struct doc {
	int64_t index;
	int64_t seq;
	char type[32];
	char performed[11];
	char expires[11];
	bool revoked;
};

struct place {
	struct doc *docs;
	size_t ndocs, adocs;
};

struct survey {
	const struct venue_url *u;
	const struct survey_options *o;
	struct survey_result *res;
	struct verify_report *rep;
	int64_t size; /* the checkpoint's claimed tree size */
	struct tile_walk url_at, body_at; /* the tiles asked, and read */
	struct merkle_range mr;
	struct hash_check hc;
	struct rules *rules;
	struct entry *en; /* scratch */
	struct survey_venue *venues;
	struct place *places; /* beside venues */
	size_t nvenues, avenues;
	int64_t next; /* entries handled */
	int64_t bad_form, documents, attested, revocations, providers;
	int64_t fails[10]; /* entries found breaking rule 3, 5, 6 */
	double start, shown;
	char bad[320];
};

/* ---- the URL ---- */

enum status survey_parse_url(const char *url, struct venue_url *out,
			     bool *has_venue, struct err *e)
{
	size_t n = strnlen(url, PIN_URL_MAX + 1);
	*has_venue = false;
	if (pin_parse_venue_url(url, out, NULL) == ST_OK) {
		*has_venue = true;
		return ST_OK;
	}
	if (strpbrk(url, "?#") == NULL && n > 0 && n <= PIN_URL_MAX) {
		/* The log's base, without its final '/'s: checked as the base
		 * of a venue URL is. */
		char whole[PIN_URL_MAX + 1];
		while (n > 0 && url[n - 1] == '/')
			n--;
		if (n + 3 + VENUE_ID_LEN < sizeof whole) {
			memcpy(whole, url, n);
			whole[n] = 0;
			if (pin_parse_venue_url(whole, out, NULL) == ST_OK) {
				*has_venue = true;
				return ST_OK;
			}
			snprintf(whole + n, sizeof whole - n, "/v/%.*s",
				 VENUE_ID_LEN, "aaaaaaaa");
			if (pin_parse_venue_url(whole, out, NULL) == ST_OK) {
				out->venue[0] = 0;
				return ST_OK;
			}
		}
	}
	/* Say why as a venue URL would. */
	enum status r = pin_parse_venue_url(url, out, e);
	if (r == ST_OK)
		return err_set(e, ST_INVALID, "URL: not a log's URL");
	err_prefix(e, "not https://host[/prefix] nor a venue URL");
	return r;
}

/* ---- each entry ---- */

static const char *check_name(int rule)
{
	return rule == 5   ? "attestations"
	       : rule == 6 ? "revocations"
			   : "venue chain";
}

static enum status new_venue(struct survey *sv, const struct entry *en,
			     int64_t index, long *tag)
{
	if (sv->nvenues == sv->avenues) {
		size_t na = sv->avenues ? 2 * sv->avenues : 64;
		void *p = realloc(sv->venues, na * sizeof *sv->venues);
		if (p == NULL)
			return ST_NOMEM;
		sv->venues = p;
		p = realloc(sv->places, na * sizeof *sv->places);
		if (p == NULL)
			return ST_NOMEM;
		sv->places = p;
		sv->avenues = na;
	}
	struct survey_venue *v = &sv->venues[sv->nvenues];
	memset(v, 0, sizeof *v);
	memset(&sv->places[sv->nvenues], 0, sizeof *sv->places);
	memcpy(v->venue, en->venue, sizeof v->venue);
	v->index = index;
	*tag = (long)sv->nvenues++;
	return ST_OK;
}

/* What the venue's summary keeps of en, an entry of venue *v. */
static enum status keep(struct survey *sv, long tag, const struct entry *en,
			int64_t index)
{
	struct survey_venue *v = &sv->venues[tag];
	struct place *pl = &sv->places[tag];
	switch (en->kind) {
	case ENTRY_VENUE: {
		char *name = strdup(en->name), *address = strdup(en->address);
		if (name == NULL || address == NULL) {
			free(name);
			free(address);
			return ST_NOMEM;
		}
		free(v->name);
		free(v->address);
		v->name = name;
		v->address = address;
		v->interval_days = en->interval_days;
		return ST_OK;
	}
	case ENTRY_DOCUMENT: {
		if (pl->ndocs == pl->adocs) {
			size_t na = pl->adocs ? 2 * pl->adocs : 2;
			void *p = realloc(pl->docs, na * sizeof *pl->docs);
			if (p == NULL)
				return ST_NOMEM;
			pl->docs = p;
			pl->adocs = na;
		}
		struct doc *d = &pl->docs[pl->ndocs++];
		d->index = index;
		d->seq = en->venue_seq;
		memcpy(d->type, en->type, sizeof d->type);
		memcpy(d->performed, en->performed, sizeof d->performed);
		memcpy(d->expires, en->expires, sizeof d->expires);
		d->revoked = false;
		return ST_OK;
	}
	case ENTRY_REVOCATION:
		for (size_t i = 0; i < pl->ndocs; i++)
			if (pl->docs[i].seq == en->revokes)
				pl->docs[i].revoked = true;
		return ST_OK;
	default:
		return ST_OK;
	}
}

/* The venue summary an entry of a venue belongs to: its chain's first
 * entry's tag, or -1 when the chain has no first entry (rule 3 says so). */
static long venue_tag(struct survey *sv, const struct entry *en)
{
	struct rules_view v = rules_view(sv->rules);
	struct rules_target t;
	if (v.target(v.ctx, en->venue, 0, &t, NULL) != ST_OK)
		return -1;
	return t.tag;
}

static enum status survey_entry(void *ctx, int64_t index, const uint8_t *text,
				size_t len)
{
	struct survey *sv = ctx;
	struct entry *en = sv->en;
	uint8_t leaf[HASH_LEN];
	struct err pe;
	enum status st;
	uint8_t stored[MERKLE_MAX_PROOF][HASH_LEN];
	size_t nstored = 0;
	sv->next = index + 1;
	merkle_leaf_hash(leaf, text, len);
	merkle_range_push(&sv->mr, leaf, stored, &nstored);
	hash_check_push(&sv->hc, index, (const uint8_t(*)[HASH_LEN])stored,
			nstored);
	if (entry_parse((const char *)text, len, en, &pe) != ST_OK) {
		sv->bad_form++;
		verify_add_check(sv->rep, 3, false, "entry form",
				 "entry %" PRId64 " does not parse: %s", index,
				 pe.msg);
		return ST_OK;
	}
	struct rules_view v = rules_view(sv->rules);
	struct rules_verdict vd;
	struct rules_head h;
	if (rules_check(&v, en, index, 0, &vd, &pe) != ST_OK)
		return ST_NOMEM;
	for (int i = 0; i < vd.n; i++) {
		sv->fails[vd.f[i].rule % 10]++;
		verify_add_check(sv->rep, vd.f[i].rule, false,
				 check_name(vd.f[i].rule),
				 "entry %" PRId64 ": %s", index, vd.f[i].why);
	}
	long tag = -1;
	bool venue_entry = en->kind == ENTRY_VENUE ||
			   en->kind == ENTRY_DOCUMENT ||
			   en->kind == ENTRY_REVOCATION;
	if (venue_entry && en->venue_seq == 0 &&
	    v.head(v.ctx, en->venue, &h, NULL) == ST_NOT_FOUND) {
		if ((st = new_venue(sv, en, index, &tag)) != ST_OK)
			return st;
	} else if (venue_entry) {
		tag = venue_tag(sv, en);
	} else if (en->kind == ENTRY_PROVIDER_KEY ||
		   en->kind == ENTRY_PROVIDER_REVOKE) {
		sv->providers++;
	} /* a witness-policy entry: its logged time only (rules.c) */
	if (en->kind == ENTRY_DOCUMENT) {
		sv->documents++;
		if (en->attestation[0] != 0 && vd.n == 0)
			sv->attested++;
	}
	if (en->kind == ENTRY_REVOCATION)
		sv->revocations++;
	if ((st = rules_add(sv->rules, en, index, leaf, tag)) != ST_OK)
		return st;
	return tag >= 0 ? keep(sv, tag, en, index) : ST_OK;
}

static void progress(struct survey *sv, bool last)
{
	if (!sv->o->progress)
		return;
	double t = clock_mono_s();
	if (!last && t - sv->shown < 0.1)
		return;
	sv->shown = t;
	double rate = t > sv->start ? (double)sv->next / (t - sv->start) : 0;
	char unit[64];
	snprintf(unit, sizeof unit, "entries, %" PRId64 " hash tiles",
		 sv->hc.checked);
	progress_bar("log", sv->next, sv->size, unit, rate, last);
}

static enum status tile_url(void *ctx, size_t i, char *url, size_t size,
			    struct err *e)
{
	struct survey *sv = ctx;
	remote_walk_to(&sv->url_at, i);
	return remote_tile_path_url(sv->u->base, &sv->url_at.t, url, size, e);
}

static enum status tile_body(void *ctx, size_t i, const uint8_t *body,
			     size_t len, struct err *e)
{
	struct survey *sv = ctx;
	enum status st =
		remote_walk_body(&sv->body_at, &sv->hc, i, body, len,
				 survey_entry, sv, sv->bad, sizeof sv->bad, e);
	if (st == ST_OK)
		progress(sv, false);
	return st;
}

/* ---- rule 7 for each venue ---- */

static enum status freshness(struct survey *sv)
{
	size_t most = 0;
	for (size_t k = 0; k < sv->nvenues; k++)
		if (sv->places[k].ndocs > most)
			most = sv->places[k].ndocs;
	/* One venue's entries at a time: a kind venue one and its documents. */
	struct entry *ens = calloc(most + 1, sizeof *ens);
	if (ens == NULL)
		return ST_NOMEM;
	for (size_t k = 0; k < sv->nvenues; k++) {
		struct survey_venue *v = &sv->venues[k];
		const struct place *pl = &sv->places[k];
		struct rules_fresh f;
		rules_fresh_init(&f);
		ens[0].kind = ENTRY_VENUE;
		ens[0].interval_days = v->interval_days;
		rules_fresh_add(&f, &ens[0], v->index, false, -1);
		for (size_t i = 0; i < pl->ndocs; i++) {
			const struct doc *d = &pl->docs[i];
			struct entry *en = &ens[i + 1];
			en->kind = ENTRY_DOCUMENT;
			memcpy(en->type, d->type, sizeof en->type);
			memcpy(en->performed, d->performed,
			       sizeof en->performed);
			memcpy(en->expires, d->expires, sizeof en->expires);
			rules_fresh_add(&f, en, d->index, d->revoked, (long)i);
		}
		rules_fresh_end(&f, sv->o->today);
		v->has_latest = f.latest_entry != NULL;
		if (v->has_latest)
			memcpy(v->last, f.latest_entry->performed,
			       sizeof v->last);
		memcpy(v->next_due, f.next_due, sizeof v->next_due);
		v->overdue = f.overdue;
		v->expired = f.expired;
	}
	free(ens);
	return ST_OK;
}

/* ---- the key ---- */

/*
 * The log key: --key, else the one the bundle of a venue of the log
 * carries (the URL's, else the first); either must be the pin's when the
 * URL has one.  ST_OK with *key NULL when no key can be trusted (a failed
 * check says why); another status when the bundle could not be asked.
 */
static enum status choose_key(struct survey *sv, struct run *r,
			      struct note_verifier *bkey,
			      const struct note_verifier **key, struct err *e)
{
	const struct venue_url *u = sv->u;
	char text[NOTE_VKEY_MAX + 1], url[FETCH_URL_MAX];
	const char *venue = u->venue[0] ? u->venue : NULL;
	struct bundle *b = NULL;
	struct buf json;
	struct err fe = {{0}};
	enum status st = ST_OK;

	*key = NULL;
	if (sv->o->key != NULL) {
		note_verifier_format(sv->o->key, text, sizeof text);
		*key = sv->o->key;
		goto pin;
	}
	if (venue == NULL && sv->nvenues > 0)
		venue = sv->venues[0].venue;
	if (venue == NULL)
		return err_set(e, ST_NOT_FOUND,
			       "the log has no venue whose bundle carries its "
			       "key; give the key with --key");
	snprintf(url, sizeof url, "%s/v/%s/bundle.json", u->base, venue);
	buf_init(&json, BUNDLE_MAX);
	st = fetch_get(r->f, url, &json, &fe);
	if (remote_answer_failed(st)) {
		verify_add_check(sv->rep, 1, false, "log key",
				 "no bundle of venue %s to take the log key "
				 "from: %.200s",
				 venue, fe.msg);
		st = ST_OK;
	} else if (st != ST_OK) {
		*e = fe;
	} else if (bundle_parse(buf_str(&json), json.len, &b, &fe) != ST_OK ||
		   note_verifier_parse(b->vkey, strlen(b->vkey), bkey, &fe) !=
			   ST_OK) {
		verify_add_check(sv->rep, 1, false, "log key",
				 "what the log serves as the bundle of venue "
				 "%s carries no log key: %.200s",
				 venue, fe.msg);
	} else {
		snprintf(text, sizeof text, "%s", b->vkey);
		*key = bkey;
	}
	bundle_free(b);
	buf_free(&json);
	if (*key == NULL)
		return st;
pin:
	if (u->has_pin) {
		if (!pin_key_matches(&u->pin, text, strlen(text))) {
			verify_add_check(sv->rep, 1, false, "pin key",
					 "the log key %.200s is not the one "
					 "the poster pins",
					 text);
			*key = NULL;
			return ST_OK;
		}
		sv->res->pinned = true;
		verify_add_check(sv->rep, 1, true, "pin key",
				 "the log key %.200s is the one the poster "
				 "pins",
				 text);
	} else if (sv->o->key != NULL) {
		sv->res->pinned = true;
	} else {
		verify_add_check(sv->rep, 1, true, "log key",
				 "log key taken from the bundle of venue %s, "
				 "not pinned: %.200s",
				 venue, text);
	}
	return ST_OK;
}

/* ---- the run ---- */

static void survey_free(struct survey *sv)
{
	for (size_t i = 0; i < sv->nvenues; i++)
		free(sv->places[i].docs);
	free(sv->places);
	free(sv->en);
	rules_free(sv->rules);
	hash_check_free(&sv->hc);
}

/* The checks of a log whose every entry was read and its tree rebuilt. */
static void summary_checks(struct survey *sv, const struct checkpoint *cp)
{
	if (!remote_tree_matches(sv->rep, &sv->mr, cp))
		return;
	verify_add_check(sv->rep, 9, true, "tree",
			 "read all %" PRId64 " entries through the tiles in "
			 "%.2f s; they make the checkpoint's tree",
			 cp->size, sv->res->seconds);
	remote_hash_tiles_checked(sv->rep, &sv->hc, cp->size);
	if (sv->bad_form == 0 && sv->fails[3] == 0)
		verify_add_check(sv->rep, 3, true, "entries",
				 "all %" PRId64 " entries parse: %zu venue%s, "
				 "%" PRId64 " document%s, %" PRId64
				 " provider entr%s; every venue chain, from "
				 "its kind venue entry, unbroken, and logged "
				 "times never go back",
				 cp->size, sv->nvenues,
				 sv->nvenues == 1 ? "" : "s", sv->documents,
				 sv->documents == 1 ? "" : "s", sv->providers,
				 sv->providers == 1 ? "y" : "ies");
	if (sv->fails[5] == 0)
		verify_add_check(
			sv->rep, 5, true, "attestations",
			"%" PRId64 " attestation%s verif%s against provider "
			"keys logged, and not revoked, before the documents",
			sv->attested, sv->attested == 1 ? "" : "s",
			sv->attested == 1 ? "ies" : "y");
	if (sv->fails[6] == 0)
		verify_add_check(sv->rep, 6, true, "revocations",
				 "%" PRId64 " revocation%s, each of an earlier "
				 "document not yet revoked",
				 sv->revocations,
				 sv->revocations == 1 ? "" : "s");
}

enum status survey_run(const struct venue_url *u, bool has_venue,
		       const struct survey_options *o,
		       struct survey_result *res, struct err *e)
{
	struct survey sv;
	struct run r;
	struct remote_options ro = {.remember = o->remember};
	struct buf note;
	struct note_verifier bkey;
	const struct note_verifier *key = NULL;
	struct checkpoint cp;
	struct err fe = {{0}};
	enum status st;
	bool remember = false;
	char url[FETCH_URL_MAX];

	memset(res, 0, sizeof *res);
	res->rep.ok = true;
	res->rep.latest = -1;
	res->tree_size = -1;
	memset(&sv, 0, sizeof sv);
	memset(&r, 0, sizeof r);
	struct venue_url uu = *u;
	if (!has_venue)
		uu.venue[0] = 0;
	sv.u = &uu;
	sv.o = o;
	sv.res = res;
	sv.rep = &res->rep;
	r.u = &uu;
	r.o = &ro;
	r.rep = &res->rep;
	r.newest_claimed = -1;
	buf_init(&note, NOTE_CAP);
	merkle_range_init(&sv.mr);
	sv.en = malloc(sizeof *sv.en);
	sv.rules = rules_new();
	if (hash_check_init(&sv.hc) != ST_OK || sv.en == NULL ||
	    sv.rules == NULL) {
		st = err_set(e, ST_NOMEM, "out of memory");
		goto out;
	}
	struct fetch_options fo = {.progress = o->progress};
	if ((st = fetch_new(o->fetch != NULL ? o->fetch : &fo, &r.f, e)) !=
	    ST_OK)
		goto out;

	/* The newest checkpoint: its size as claimed, verified below. */
	snprintf(url, sizeof url, "%s/checkpoint", uu.base);
	st = fetch_get(r.f, url, &note, &fe);
	if (remote_answer_failed(st) ||
	    (st == ST_OK &&
	     (sv.size = remote_claimed_size(buf_str(&note))) < 0)) {
		verify_add_check(sv.rep, 1, false, "checkpoint",
				 "the log at %s gives no checkpoint: %.200s",
				 uu.host,
				 st == ST_OK ? "not a checkpoint" : fe.msg);
		st = ST_OK;
		goto out;
	}
	if (st != ST_OK) {
		*e = fe;
		goto out;
	}

	/* Every entry, in order. */
	sv.start = clock_mono_s();
	/* The size is the server's claim, not yet verified: no sum that
	 * could overflow on it. */
	remote_walk_start(&sv.url_at, sv.size);
	remote_walk_start(&sv.body_at, sv.size);
	st = fetch_get_many(r.f, remote_tiles_count(sv.size), TILE_CAP,
			    o->parallel > 0 ? o->parallel : 4, tile_url,
			    tile_body, &sv, e);
	res->seconds = clock_mono_s() - sv.start;
	if (sv.next > 0 || st == ST_OK)
		progress(&sv, true);
	bool failed = false;
	st = remote_tiles_read(sv.rep, st, sv.size, sv.bad, e, &failed);
	if (st != ST_OK || failed)
		goto out;

	/* The key, the checkpoint's signature, its tree. */
	if ((st = choose_key(&sv, &r, &bkey, &key, e)) != ST_OK || key == NULL)
		goto out;
	if (checkpoint_open(buf_str(&note), note.len, key, &cp, &fe) != ST_OK) {
		verify_add_check(sv.rep, 1, false, "checkpoint signature",
				 "the log's checkpoint does not verify with "
				 "the log key: %.200s",
				 fe.msg);
		goto out;
	}
	verify_add_check(sv.rep, 1, true, "checkpoint signature",
			 "checkpoint of origin %s, tree size %" PRId64
			 ", signed by %s",
			 cp.origin, cp.size, key->name);
	snprintf(res->origin, sizeof res->origin, "%s", cp.origin);
	res->tree_size = cp.size;
	summary_checks(&sv, &cp);

	/* Rule 8: the pin, the checkpoint seen before. */
	r.key = key;
	r.cp = cp;
	if (uu.has_pin && (st = remote_check_pin(&r, e)) != ST_OK)
		goto out;
	if (o->remember && (st = remote_check_seen(&r, &remember, e)) != ST_OK)
		goto out;

	/* Rule 7 for each venue. */
	if (sv.rep->ok && (st = freshness(&sv)) != ST_OK) {
		st = err_set(e, st, "out of memory");
		goto out;
	}
	if (sv.rep->ok && remember &&
	    seen_write(cp.origin, buf_str(&note), note.len, key,
		       &res->remembered, &fe) != ST_OK)
		snprintf(res->cache_warning, sizeof res->cache_warning, "%s",
			 fe.msg);
out:
	verify_report_sort(&res->rep);
	if (st != ST_OK)
		res->rep.ok = false;
	/* The venues go with a log that verified, and only then. */
	if (res->rep.ok) {
		res->venues = sv.venues;
		res->nvenues = sv.nvenues;
	} else {
		for (size_t i = 0; i < sv.nvenues; i++) {
			free(sv.venues[i].name);
			free(sv.venues[i].address);
		}
		free(sv.venues);
	}
	survey_free(&sv);
	fetch_free(r.f);
	buf_free(&note);
	return st;
}

void survey_result_free(struct survey_result *res)
{
	if (res == NULL)
		return;
	for (size_t i = 0; i < res->nvenues; i++) {
		free(res->venues[i].name);
		free(res->venues[i].address);
	}
	free(res->venues);
	verify_report_free(&res->rep);
	memset(res, 0, sizeof *res);
}
