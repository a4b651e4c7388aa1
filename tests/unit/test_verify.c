/*
 * test_verify.c: tests of the bundle verifier (src/core/verify.c).
 *
 * Each test builds a real log in memory: a log key from a fixed seed,
 * provider keys, entries written with entry_format (a venue chain with
 * documents, an attested one, a revocation, a later venue change, and
 * other venues' entries between them), the tree grown with
 * merkle_range_push, proofs from merkle_prove_inclusion and a checkpoint
 * signed with checkpoint_sign.  The valid bundle must pass every rule;
 * then a table of worlds built wrong and bundles tampered with must each
 * make the report fail, with a failed check of the right rule saying
 * where.  Freshness (overdue, expired, ties) is checked with fixed dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/attest.h"
#include "core/bundle.h"
#include "core/entry.h"
#include "core/merkle.h"
#include "core/note.h"
#include "core/verify.h"

#define VENUE	  "k7m2q9xa"
#define ORIGIN	  "log.example/sanilog"
#define TODAY	  "2026-02-10"
#define MAXLOG	  32
#define MAXSTORED 128
#define MAXDOCS	  8

/* Where a log entry goes in the bundle. */
enum place {
	NOWHERE,
	ENTRIES,
	PROVIDERS,
};

enum fetch_mode {
	FETCH_OK,
	FETCH_OTHER_BYTES, /* the right length, one byte changed */
	FETCH_LONGER,	   /* the bytes and more */
	FETCH_NOT_FOUND,
	FETCH_IO,
};

struct doc {
	uint8_t sha[HASH_LEN];
	uint8_t data[64];
	size_t len;
};

/* How a world is built wrong (all false/zero: the valid world). */
struct world_opts {
	bool key_after_doc;    /* cleanco's key logged after its attested doc */
	bool key_revoked;      /* cleanco's key revoked before the doc */
	bool key_replaced;     /* cleanco's new key logged before the doc,
				  which its old key attests */
	bool rogue_attests;    /* the doc attested by a key never logged */
	bool bad_sig;	       /* the attestation signed over other fields */
	bool wrong_prev;       /* venue-seq 2's prev is wrong */
	bool logged_backwards; /* venue-seq 2 logged before venue-seq 1 */
	bool wrong_mime;       /* venue-seq 2 is PDF bytes called image/png */
	bool lying_root;       /* the checkpoint signed over a wrong root */
	bool impostor_signs;   /* the checkpoint signed by another key */
	int64_t extra_revoke;  /* a revocation of this seq at the end */
	const char *tie_performed; /* a sanitization at the end */
};

struct world {
	struct note_signer *log;
	struct note_signer *impostor; /* same name as log, other key */
	struct note_signer *clean;    /* provider cleanco.example */
	struct note_signer *rogue;    /* provider rogue.example, not logged */
	struct note_signer *clean2;   /* cleanco.example's next key */
	struct merkle_range mr;
	uint8_t stored[MAXSTORED][HASH_LEN];
	size_t nstored;
	char *text[MAXLOG];
	size_t len[MAXLOG];
	enum place place[MAXLOG];
	int64_t n;
	int64_t seq;		/* next venue-seq of VENUE */
	uint8_t last[HASH_LEN]; /* leaf hash of VENUE's newest entry */
	int fillers;
	struct doc docs[MAXDOCS];
	size_t ndocs;
	enum fetch_mode fetch;
	size_t nfetch; /* documents asked of world_fetch */
	struct bundle *b;
};

static void seed_of(uint8_t seed[32], uint8_t v)
{
	memset(seed, v, 32);
}

static enum status world_read(void *ctx, const int64_t *indexes, size_t count,
			      uint8_t (*out)[HASH_LEN])
{
	struct world *w = ctx;

	for (size_t i = 0; i < count; i++) {
		assert_true(indexes[i] >= 0 && (size_t)indexes[i] < w->nstored);
		memcpy(out[i], w->stored[indexes[i]], HASH_LEN);
	}
	return ST_OK;
}

/* Appends an entry to the log; returns its index. */
static int64_t append(struct world *w, const struct entry *en, enum place p)
{
	struct buf text;
	struct err e;
	uint8_t leaf[HASH_LEN];
	uint8_t st[MERKLE_MAX_PROOF][HASH_LEN];
	size_t c = 0;
	enum status s;

	buf_init(&text, ENTRY_MAX);
	s = entry_format(en, &text, &e);
	if (s != ST_OK)
		fail_msg("entry_format: %s", e.msg);
	assert_true(w->n < MAXLOG);
	merkle_leaf_hash(leaf, text.data, text.len);
	merkle_range_push(&w->mr, leaf, st, &c);
	assert_true(w->nstored + c <= MAXSTORED);
	memcpy(w->stored[w->nstored], st, c * HASH_LEN);
	w->nstored += c;
	w->len[w->n] = text.len;
	w->text[w->n] = (char *)buf_steal(&text, &w->len[w->n]);
	w->place[w->n] = p;
	if (p == ENTRIES) {
		memcpy(w->last, leaf, HASH_LEN);
		w->seq++;
	}
	return w->n++;
}

/* The venue lines of VENUE's next entry. */
static void chain_lines(struct world *w, struct entry *en, enum entry_kind k,
			const char *logged)
{
	memset(en, 0, sizeof *en);
	en->kind = k;
	snprintf(en->venue, sizeof en->venue, "%s", VENUE);
	en->venue_seq = w->seq;
	en->has_prev = w->seq > 0;
	memcpy(en->prev, w->last, HASH_LEN);
	snprintf(en->logged, sizeof en->logged, "%s", logged);
}

/* Another venue's first entry, not in the bundle. */
static void filler(struct world *w, const char *logged)
{
	struct entry en;

	memset(&en, 0, sizeof en);
	en.kind = ENTRY_VENUE;
	assert_true(w->fillers < 8);
	memcpy(en.venue, "zzzzzzz2", VENUE_ID_LEN + 1);
	en.venue[VENUE_ID_LEN - 1] = (char)('2' + w->fillers++);
	snprintf(en.name, sizeof en.name, "Palestra %d", w->fillers);
	snprintf(en.address, sizeof en.address, "Via Po %d", w->fillers);
	en.interval_days = 30;
	snprintf(en.logged, sizeof en.logged, "%s", logged);
	append(w, &en, NOWHERE);
}

static void venue(struct world *w, const char *name, int interval,
		  const char *logged)
{
	struct entry en;

	chain_lines(w, &en, ENTRY_VENUE, logged);
	snprintf(en.name, sizeof en.name, "%s", name);
	snprintf(en.address, sizeof en.address, "Via Roma 1, 00185 Roma");
	en.interval_days = interval;
	append(w, &en, ENTRIES);
}

static void provider_key(struct world *w, const struct note_signer *s,
			 const char *display, const char *logged)
{
	struct entry en;
	struct note_verifier v;

	note_signer_verifier(s, &v);
	memset(&en, 0, sizeof en);
	en.kind = ENTRY_PROVIDER_KEY;
	snprintf(en.name, sizeof en.name, "%s", v.name);
	snprintf(en.display_name, sizeof en.display_name, "%s", display);
	note_verifier_format(&v, en.vkey, sizeof en.vkey);
	snprintf(en.logged, sizeof en.logged, "%s", logged);
	append(w, &en, PROVIDERS);
}

static void provider_revoke(struct world *w, const char *name,
			    const char *logged)
{
	struct entry en;

	memset(&en, 0, sizeof en);
	en.kind = ENTRY_PROVIDER_REVOKE;
	snprintf(en.name, sizeof en.name, "%s", name);
	snprintf(en.reason, sizeof en.reason, "key lost");
	snprintf(en.logged, sizeof en.logged, "%s", logged);
	append(w, &en, PROVIDERS);
}

struct docspec {
	const char *type;
	const char *performed;
	const char *expires;  /* "" for none */
	const char *mime;     /* declared */
	const char *bytes_as; /* the bytes' real type (NULL: mime) */
	const struct note_signer *signer; /* NULL: no attestation */
	bool bad_sig;
	const char *logged;
};

static void make_bytes(struct doc *d, const char *mime, size_t no)
{
	static const uint8_t png[] = {0x89, 'P',  'N',	'G',
				      0x0d, 0x0a, 0x1a, 0x0a};
	static const uint8_t jpeg[] = {0xff, 0xd8, 0xff, 0xe0};
	size_t n;

	if (strcmp(mime, "image/png") == 0) {
		memcpy(d->data, png, sizeof png);
		n = sizeof png;
	} else if (strcmp(mime, "image/jpeg") == 0) {
		memcpy(d->data, jpeg, sizeof jpeg);
		n = sizeof jpeg;
	} else {
		memcpy(d->data, "%PDF-1.7\n", 9);
		n = 9;
	}
	n += (size_t)snprintf((char *)d->data + n, sizeof d->data - n,
			      "document number %zu\n", no);
	d->len = n;
	sha256(d->sha, d->data, d->len);
}

static void document(struct world *w, const struct docspec *ds)
{
	struct entry en;
	struct doc *d;

	assert_true(w->ndocs < MAXDOCS);
	d = &w->docs[w->ndocs];
	make_bytes(d, ds->bytes_as ? ds->bytes_as : ds->mime, w->ndocs);
	w->ndocs++;
	chain_lines(w, &en, ENTRY_DOCUMENT, ds->logged);
	snprintf(en.type, sizeof en.type, "%s", ds->type);
	snprintf(en.title, sizeof en.title, "Sanificazione %s", ds->performed);
	snprintf(en.performed, sizeof en.performed, "%s", ds->performed);
	snprintf(en.expires, sizeof en.expires, "%s", ds->expires);
	memcpy(en.doc_sha256, d->sha, HASH_LEN);
	en.doc_size = (int64_t)d->len;
	snprintf(en.doc_mime, sizeof en.doc_mime, "%s", ds->mime);
	snprintf(en.submitted_by, sizeof en.submitted_by, "owner");
	if (ds->signer != NULL) {
		struct attest_fields f;
		struct note_verifier v;
		struct buf note;
		struct err e;
		char line[256];

		f.venue = VENUE;
		memcpy(f.doc, d->sha, HASH_LEN);
		f.type = ds->type;
		f.performed = ds->bad_sig ? "2026-01-09" : ds->performed;
		f.expires = ds->expires;
		note_signer_verifier(ds->signer, &v);
		buf_init(&note, 4096);
		assert_int_equal(attest_sign(ds->signer, &f, &note, &e), ST_OK);
		if (attest_from_note((const char *)note.data, note.len, &f, &v,
				     line, sizeof line, &e) != ST_OK)
			fail_msg("attest_from_note: %s", e.msg);
		buf_free(&note);
		snprintf(en.provider, sizeof en.provider, "%s", v.name);
		assert_true(strlen(line) < sizeof en.attestation);
		memcpy(en.attestation, line, strlen(line) + 1);
	}
	append(w, &en, ENTRIES);
}

static void revocation(struct world *w, int64_t revokes, const char *logged)
{
	struct entry en;

	chain_lines(w, &en, ENTRY_REVOCATION, logged);
	en.revokes = revokes;
	snprintf(en.reason, sizeof en.reason, "wrong file, seq %d",
		 (int)revokes);
	snprintf(en.submitted_by, sizeof en.submitted_by, "operator");
	append(w, &en, ENTRIES);
}

/* Signs the checkpoint of the whole log and makes the bundle. */
static void make_bundle(struct world *w, const struct world_opts *wo)
{
	struct checkpoint c;
	struct note_verifier v;
	struct buf cp;
	struct err e;
	char vkey[NOTE_VKEY_MAX + 1];
	uint8_t root[HASH_LEN];

	memset(&c, 0, sizeof c);
	snprintf(c.origin, sizeof c.origin, "%s", ORIGIN);
	c.size = w->n;
	merkle_range_root(&w->mr, c.root);
	assert_int_equal(merkle_tree_hash(w->n, world_read, w, root), ST_OK);
	assert_memory_equal(root, c.root, HASH_LEN);
	if (wo->lying_root)
		c.root[5] ^= 0x40;
	buf_init(&cp, 4096);
	assert_int_equal(
		checkpoint_sign(wo->impostor_signs ? w->impostor : w->log, &c,
				&cp, &e),
		ST_OK);
	note_signer_verifier(w->log, &v);
	note_verifier_format(&v, vkey, sizeof vkey);
	assert_int_equal(bundle_new(ORIGIN, vkey, buf_str(&cp), VENUE, &w->b),
			 ST_OK);
	buf_free(&cp);
	for (int64_t i = 0; i < w->n; i++) {
		uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
		size_t plen = 0;

		if (w->place[i] == NOWHERE)
			continue;
		assert_int_equal(merkle_prove_inclusion(i, w->n, world_read, w,
							proof, &plen),
				 ST_OK);
		assert_int_equal(bundle_add(w->b, w->place[i] == PROVIDERS, i,
					    w->text[i], w->len[i],
					    (const uint8_t(*)[HASH_LEN])proof,
					    plen),
				 ST_OK);
	}
}

/*
 * The valid world (log indexes):
 *   0 filler            1 provider-key cleanco   2 venue seq 0
 *   3 doc seq 1 (sanitization, attested, PDF)    4 filler
 *   5 doc seq 2 (protocol, PNG)                  6 doc seq 3 (sanitization,
 *   JPEG)  7 revocation seq 4 of seq 3  8 venue seq 5 (new name, 45 days)
 *   9 filler, then the options' extra entries.
 */
static void build(struct world *w, const struct world_opts *wo)
{
	uint8_t seed[32];
	struct err e;
	struct docspec d1 = {
		.type = "sanitization",
		.performed = "2026-01-10",
		.expires = "2026-07-10",
		.mime = "application/pdf",
		.logged = "2026-01-11T09:00:00Z",
	};
	struct docspec d2 = {
		.type = "protocol",
		.performed = "2026-01-05",
		.expires = "",
		.mime = "image/png",
		.logged = "2026-01-15T12:00:00Z",
	};
	struct docspec d3 = {
		.type = "sanitization",
		.performed = "2026-02-01",
		.expires = "",
		.mime = "image/jpeg",
		.logged = "2026-02-02T08:00:00Z",
	};

	memset(w, 0, sizeof *w);
	merkle_range_init(&w->mr);
	seed_of(seed, 1);
	assert_int_equal(note_signer_from_seed(ORIGIN, seed, &w->log, &e),
			 ST_OK);
	seed_of(seed, 2);
	assert_int_equal(note_signer_from_seed(ORIGIN, seed, &w->impostor, &e),
			 ST_OK);
	seed_of(seed, 3);
	assert_int_equal(
		note_signer_from_seed("cleanco.example", seed, &w->clean, &e),
		ST_OK);
	seed_of(seed, 4);
	assert_int_equal(
		note_signer_from_seed("rogue.example", seed, &w->rogue, &e),
		ST_OK);
	seed_of(seed, 5);
	assert_int_equal(
		note_signer_from_seed("cleanco.example", seed, &w->clean2, &e),
		ST_OK);

	filler(w, "2025-12-01T00:00:00Z");
	if (!wo->key_after_doc)
		provider_key(w, w->clean, "CleanCo S.r.l.",
			     "2025-12-02T00:00:00Z");
	venue(w, "Bar Roma", 30, "2026-01-01T10:00:00Z");
	if (wo->key_revoked)
		provider_revoke(w, "cleanco.example", "2026-01-02T00:00:00Z");
	if (wo->key_replaced)
		provider_key(w, w->clean2, "CleanCo S.r.l.",
			     "2026-01-02T00:00:00Z");
	d1.signer = wo->rogue_attests ? w->rogue : w->clean;
	d1.bad_sig = wo->bad_sig;
	document(w, &d1);
	if (wo->key_after_doc)
		provider_key(w, w->clean, "CleanCo S.r.l.",
			     "2026-01-12T00:00:00Z");
	filler(w, "2026-01-13T00:00:00Z");
	if (wo->logged_backwards)
		d2.logged = "2026-01-11T08:00:00Z";
	if (wo->wrong_mime)
		d2.bytes_as = "application/pdf";
	if (wo->wrong_prev)
		w->last[7] ^= 1; /* document() takes prev from w->last */
	document(w, &d2);
	document(w, &d3);
	revocation(w, 3, "2026-02-03T08:00:00Z");
	venue(w, "Bar Roma Nuovo", 45, "2026-02-04T08:00:00Z");
	filler(w, "2026-02-05T00:00:00Z");
	if (wo->extra_revoke > 0)
		revocation(w, wo->extra_revoke, "2026-02-06T00:00:00Z");
	if (wo->tie_performed != NULL) {
		struct docspec d4 = {
			.type = "sanitization",
			.performed = wo->tie_performed,
			.expires = "2026-03-01",
			.mime = "application/pdf",
			.logged = "2026-02-07T00:00:00Z",
		};
		document(w, &d4);
	}
	make_bundle(w, wo);
}

static void world_free(struct world *w)
{
	for (int64_t i = 0; i < w->n; i++)
		free(w->text[i]);
	bundle_free(w->b);
	note_signer_free(w->log);
	note_signer_free(w->impostor);
	note_signer_free(w->clean);
	note_signer_free(w->rogue);
	note_signer_free(w->clean2);
}

static enum status world_fetch(void *ctx, const uint8_t sha[HASH_LEN],
			       struct buf *out, struct err *e)
{
	struct world *w = ctx;

	w->nfetch++;
	for (size_t i = 0; i < w->ndocs; i++) {
		struct doc d = w->docs[i];
		if (memcmp(d.sha, sha, HASH_LEN) != 0)
			continue;
		switch (w->fetch) {
		case FETCH_OK:
			return buf_append(out, d.data, d.len);
		case FETCH_OTHER_BYTES:
			d.data[d.len - 2] ^= 0x20;
			return buf_append(out, d.data, d.len);
		case FETCH_LONGER:
			memcpy(d.data + d.len, "tail", 4);
			return buf_append(out, d.data, d.len + 4);
		case FETCH_NOT_FOUND:
			return err_set(e, ST_NOT_FOUND, "404 from the test");
		case FETCH_IO:
			return err_set(e, ST_IO, "connection reset");
		}
	}
	return err_set(e, ST_NOT_FOUND, "no such document in the test");
}

static void options(struct verify_options *o, struct world *w,
		    struct note_verifier *key)
{
	memset(o, 0, sizeof *o);
	note_signer_verifier(w->log, key);
	o->key = key;
	snprintf(o->today, sizeof o->today, "%s", TODAY);
	o->all_proofs = true;
	o->fetch = world_fetch;
	o->fetch_ctx = w;
}

static void print_report(const struct verify_report *rep)
{
	for (size_t i = 0; i < rep->nchecks; i++)
		print_message("  [%d] %s %s: %s\n", rep->checks[i].rule,
			      rep->checks[i].ok ? "ok  " : "FAIL",
			      rep->checks[i].name, rep->checks[i].detail);
}

/* Is there a check of this rule with this outcome whose detail holds
 * text? */
static bool has_check(const struct verify_report *rep, int rule, bool ok,
		      const char *text)
{
	for (size_t i = 0; i < rep->nchecks; i++)
		if (rep->checks[i].rule == rule && rep->checks[i].ok == ok &&
		    (text == NULL || strstr(rep->checks[i].detail, text)))
			return true;
	return false;
}

static void assert_sorted(const struct verify_report *rep)
{
	for (size_t i = 1; i < rep->nchecks; i++)
		assert_true(rep->checks[i - 1].rule <= rep->checks[i].rule);
}

/* ---- the valid bundle ---- */

static void check_valid_report(const struct verify_report *rep, bool fetched)
{
	if (!rep->ok)
		print_report(rep);
	assert_true(rep->ok);
	for (int rule = 1; rule <= 7; rule++)
		if (rule != 4 || fetched)
			assert_true(has_check(rep, rule, true, NULL));
	if (!fetched)
		assert_false(has_check(rep, 4, true, NULL));
	for (size_t i = 0; i < rep->nchecks; i++)
		assert_true(rep->checks[i].ok);
	assert_sorted(rep);
	assert_string_equal(rep->checkpoint.origin, ORIGIN);
	assert_int_equal(rep->checkpoint.size, 10);

	/* items: seq 0..5 at log indexes 2, 3, 5, 6, 7, 8 */
	assert_int_equal(rep->nitems, 6);
	static const int64_t idx[6] = {2, 3, 5, 6, 7, 8};
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(rep->items[i].index, idx[i]);
		assert_int_equal(rep->items[i].entry.venue_seq, (int64_t)i);
	}
	assert_true(rep->items[1].attested);
	assert_string_equal(rep->items[1].provider_display, "CleanCo S.r.l.");
	assert_false(rep->items[1].revoked);
	assert_false(rep->items[2].attested);
	assert_true(rep->items[3].revoked);
	assert_string_equal(rep->items[3].revoke_reason, "wrong file, seq 3");
	assert_false(rep->items[2].revoked);

	/* rule 7, from the newest venue entry */
	assert_string_equal(rep->name, "Bar Roma Nuovo");
	assert_string_equal(rep->address, "Via Roma 1, 00185 Roma");
	assert_int_equal(rep->interval_days, 45);
	assert_int_equal(rep->latest, 1);
	assert_int_equal(rep->days_since, 31);
	assert_false(rep->overdue);
	assert_false(rep->expired);
}

static void test_valid(void **state)
{
	struct world w;
	struct world_opts wo = {0};
	struct verify_options o;
	struct note_verifier key;
	struct verify_report rep;
	struct err e;

	(void)state;
	build(&w, &wo);
	options(&o, &w, &key);
	assert_int_equal(verify_bundle(w.b, &o, &rep, &e), ST_OK);
	check_valid_report(&rep, true);
	assert_true(
		has_check(&rep, 2, true, "all 6 entries and 1 provider entry"));
	assert_true(has_check(&rep, 4, true, "3 documents fetched"));
	assert_true(has_check(&rep, 5, true, "1 attestation verifies"));
	verify_report_free(&rep);

	/* Only the newest proof, no fetching. */
	o.all_proofs = false;
	o.fetch = NULL;
	assert_int_equal(verify_bundle(w.b, &o, &rep, &e), ST_OK);
	check_valid_report(&rep, false);
	assert_true(
		has_check(&rep, 2, true, "entry 8 (venue-seq 5), the newest"));
	verify_report_free(&rep);
	verify_report_free(&rep); /* twice is harmless */
	world_free(&w);
}

/* The bundle through its JSON form verifies the same. */
static void test_valid_json(void **state)
{
	struct world w;
	struct world_opts wo = {0};
	struct verify_options o;
	struct note_verifier key;
	struct verify_report rep;
	struct bundle *b2 = NULL;
	struct buf json;
	struct err e;

	(void)state;
	build(&w, &wo);
	options(&o, &w, &key);
	buf_init(&json, BUNDLE_MAX);
	assert_int_equal(bundle_format(w.b, &json), ST_OK);
	if (bundle_parse((const char *)json.data, json.len, &b2, &e) != ST_OK)
		fail_msg("bundle_parse: %s", e.msg);
	buf_free(&json);
	assert_int_equal(verify_bundle(b2, &o, &rep, &e), ST_OK);
	check_valid_report(&rep, true);
	verify_report_free(&rep);
	bundle_free(b2);
	world_free(&w);
}

/* No pinned key: the bundle's own vkey, and a check that says so. */
static void test_unpinned(void **state)
{
	struct world w;
	struct world_opts wo = {0};
	struct verify_options o;
	struct note_verifier key;
	struct verify_report rep;
	struct err e;

	(void)state;
	build(&w, &wo);
	options(&o, &w, &key);
	o.key = NULL;
	assert_int_equal(verify_bundle(w.b, &o, &rep, &e), ST_OK);
	check_valid_report(&rep, true);
	assert_true(has_check(&rep, 1, true,
			      "log key taken from the bundle, not pinned"));
	verify_report_free(&rep);

	/* An unpinned bundle whose vkey is no key at all. */
	free(w.b->vkey);
	w.b->vkey = strdup("not a key");
	assert_non_null(w.b->vkey);
	assert_int_equal(verify_bundle(w.b, &o, &rep, &e), ST_OK);
	assert_false(rep.ok);
	assert_true(has_check(&rep, 1, false, "not a verifier key"));
	assert_true(has_check(&rep, 2, false, "not checked"));
	/* the rest is still checked and reported */
	assert_int_equal(rep.nitems, 6);
	assert_true(has_check(&rep, 3, true, NULL));
	verify_report_free(&rep);
	world_free(&w);
}

/* A fetch that fails for another reason than ST_NOT_FOUND stops the
 * verification with its status. */
static void test_fetch_fails(void **state)
{
	struct world w;
	struct world_opts wo = {0};
	struct verify_options o;
	struct note_verifier key;
	struct verify_report rep;
	struct err e;

	(void)state;
	build(&w, &wo);
	options(&o, &w, &key);
	w.fetch = FETCH_IO;
	memset(&e, 0, sizeof e);
	assert_int_equal(verify_bundle(w.b, &o, &rep, &e), ST_IO);
	assert_non_null(strstr(e.msg, "connection reset"));
	assert_non_null(strstr(e.msg, "entry 3 (venue-seq 1)"));
	assert_false(rep.ok);
	/* the other rules were checked and reported */
	assert_int_equal(rep.nitems, 6);
	assert_true(has_check(&rep, 7, true, NULL));
	verify_report_free(&rep);
	world_free(&w);
}

static void test_bad_today(void **state)
{
	struct world w;
	struct world_opts wo = {0};
	struct verify_options o;
	struct note_verifier key;
	struct verify_report rep;
	struct err e;

	(void)state;
	build(&w, &wo);
	options(&o, &w, &key);
	snprintf(o.today, sizeof o.today, "2026-02-30");
	assert_int_equal(verify_bundle(w.b, &o, &rep, &e), ST_INVALID);
	assert_false(rep.ok);
	verify_report_free(&rep);
	world_free(&w);
}

/* ---- tampering ---- */

static void drop_entry(struct bundle *b, size_t i)
{
	free(b->entries[i].entry);
	free(b->entries[i].proof);
	memmove(&b->entries[i], &b->entries[i + 1],
		(b->nentries - i - 1) * sizeof b->entries[0]);
	b->nentries--;
}

static void replace(char **s, const char *with)
{
	free(*s);
	*s = strdup(with);
	assert_non_null(*s);
}

/* Changes one character of text, found after key. */
static void flip_after(char *text, const char *key)
{
	char *p = strstr(text, key);
	assert_non_null(p);
	p += strlen(key);
	*p = *p == 'a' ? 'b' : 'a';
}

static void t_cp_root(struct world *w)
{
	/* origin\nsize\nroot: change the root's first character */
	char *p = strchr(w->b->checkpoint, '\n');
	p = strchr(p + 1, '\n') + 1;
	*p = *p == 'A' ? 'B' : 'A';
}

static void t_vkey(struct world *w)
{
	struct note_verifier v;
	char text[NOTE_VKEY_MAX + 1];

	note_signer_verifier(w->impostor, &v);
	note_verifier_format(&v, text, sizeof text);
	replace(&w->b->vkey, text);
}

static void t_origin(struct world *w)
{
	replace(&w->b->origin, "other.example/log");
}

static void t_newest_text(struct world *w)
{
	flip_after(w->b->entries[w->b->nentries - 1].entry, "name Bar Rom");
}

static void t_middle_text(struct world *w)
{
	flip_after(w->b->entries[2].entry, "title Sanific");
}

static void t_unparsable(struct world *w)
{
	flip_after(w->b->entries[2].entry, "sanilog-entry v");
}

static void t_newest_proof(struct world *w)
{
	struct bundle_item *it = &w->b->entries[w->b->nentries - 1];
	it->proof[it->proof_len - 1][3] ^= 1;
}

static void t_middle_proof(struct world *w)
{
	w->b->entries[2].proof[0][0] ^= 0x80;
}

static void t_short_proof(struct world *w)
{
	w->b->entries[w->b->nentries - 1].proof_len--;
}

static void t_index(struct world *w)
{
	w->b->entries[w->b->nentries - 1].index = 1000;
}

static void t_drop_seq2(struct world *w)
{
	drop_entry(w->b, 2);
}

static void t_drop_seq0(struct world *w)
{
	drop_entry(w->b, 0);
}

static void t_swap(struct world *w)
{
	struct bundle_item t = w->b->entries[1];
	w->b->entries[1] = w->b->entries[2];
	w->b->entries[2] = t;
}

static void t_venue(struct world *w)
{
	snprintf(w->b->venue, sizeof w->b->venue, "zzzzzzz2");
}

static void t_drop_provider(struct world *w)
{
	free(w->b->providers[0].entry);
	free(w->b->providers[0].proof);
	w->b->nproviders = 0;
}

static void t_provider_proof(struct world *w)
{
	w->b->providers[0].proof[1][9] ^= 4;
}

struct tamper_case {
	const char *name;
	struct world_opts wo;
	void (*tamper)(struct world *w);
	enum fetch_mode fetch;
	bool other_key;	    /* verify with the impostor's key */
	bool few_proofs;    /* all_proofs false */
	int rule;	    /* a check of this rule must fail */
	const char *detail; /* in that check's detail */
};

static const struct tamper_case cases[] = {
	{"wrong log key",
	 {0},
	 NULL,
	 FETCH_OK,
	 true,
	 false,
	 1,
	 "not signed by the log key"},
	{"wrong log key: bundle vkey",
	 {0},
	 NULL,
	 FETCH_OK,
	 true,
	 false,
	 1,
	 "is not the expected log key"},
	{"checkpoint signed by another key",
	 {.impostor_signs = true},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 1,
	 "not signed by the log key"},
	{"tampered checkpoint root",
	 {0},
	 t_cp_root,
	 FETCH_OK,
	 false,
	 false,
	 1,
	 "not signed by the log key"},
	{"bundle vkey not the log key",
	 {0},
	 t_vkey,
	 FETCH_OK,
	 false,
	 false,
	 1,
	 "is not the expected log key"},
	{"bundle origin",
	 {0},
	 t_origin,
	 FETCH_OK,
	 false,
	 false,
	 1,
	 "origin other.example/log is not the checkpoint's"},
	{"checkpoint over a wrong root",
	 {.lying_root = true},
	 NULL,
	 FETCH_OK,
	 false,
	 true,
	 2,
	 "entry 8 (venue-seq 5): inclusion proof does not verify"},
	{"tampered newest entry",
	 {0},
	 t_newest_text,
	 FETCH_OK,
	 false,
	 true,
	 2,
	 "entry 8 (venue-seq 5): inclusion proof does not verify"},
	{"tampered middle entry, all proofs",
	 {0},
	 t_middle_text,
	 FETCH_OK,
	 false,
	 false,
	 2,
	 "entry 5 (venue-seq 2): inclusion proof does not verify"},
	{"tampered middle entry breaks the chain",
	 {0},
	 t_middle_text,
	 FETCH_OK,
	 false,
	 true,
	 3,
	 "entry 6 (venue-seq 3): prev does not match the leaf hash of "
	 "venue-seq 2"},
	{"wrong proof hash",
	 {0},
	 t_newest_proof,
	 FETCH_OK,
	 false,
	 true,
	 2,
	 "entry 8 (venue-seq 5): inclusion proof does not verify"},
	{"wrong proof hash, middle entry",
	 {0},
	 t_middle_proof,
	 FETCH_OK,
	 false,
	 false,
	 2,
	 "entry 5 (venue-seq 2): inclusion proof does not verify"},
	{"short proof",
	 {0},
	 t_short_proof,
	 FETCH_OK,
	 false,
	 true,
	 2,
	 "inclusion proof does not verify"},
	{"index beyond the checkpoint",
	 {0},
	 t_index,
	 FETCH_OK,
	 false,
	 true,
	 2,
	 "index 1000 is not in the checkpoint's tree of size 10"},
	{"missing entry in the chain",
	 {0},
	 t_drop_seq2,
	 FETCH_OK,
	 false,
	 false,
	 3,
	 "entry 6 (venue-seq 3): venue-seq 2 is missing"},
	{"chain without venue-seq 0",
	 {0},
	 t_drop_seq0,
	 FETCH_OK,
	 false,
	 false,
	 3,
	 "does not start at venue-seq 0"},
	{"wrong prev",
	 {.wrong_prev = true},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 3,
	 "entry 5 (venue-seq 2): prev does not match the leaf hash of "
	 "venue-seq 1"},
	{"logged backwards",
	 {.logged_backwards = true},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 3,
	 "logged 2026-01-11T08:00:00Z is before entry"},
	{"entries out of order",
	 {0},
	 t_swap,
	 FETCH_OK,
	 false,
	 false,
	 3,
	 "out of log order"},
	{"entries out of order: seq",
	 {0},
	 t_swap,
	 FETCH_OK,
	 false,
	 false,
	 3,
	 "entry 3 (venue-seq 1): comes after venue-seq 2"},
	{"entry that does not parse",
	 {0},
	 t_unparsable,
	 FETCH_OK,
	 false,
	 false,
	 3,
	 "entry 5 does not parse"},
	{"entry that does not parse: next prev",
	 {0},
	 t_unparsable,
	 FETCH_OK,
	 false,
	 false,
	 3,
	 "entry 6 (venue-seq 3): prev does not match the leaf hash of entry 5"},
	{"entries of another venue",
	 {0},
	 t_venue,
	 FETCH_OK,
	 false,
	 false,
	 3,
	 "not of the bundle's venue zzzzzzz2"},
	{"attestation by an unknown key",
	 {.rogue_attests = true},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 5,
	 "entry 3 (venue-seq 1): attestation by rogue.example+"},
	{"provider key left out of the bundle",
	 {0},
	 t_drop_provider,
	 FETCH_OK,
	 false,
	 false,
	 5,
	 "no provider-key entry of that name"},
	{"attestation by a revoked key",
	 {.key_revoked = true},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 5,
	 "was revoked at index 3, before the document"},
	{"attestation by a key replaced before the document",
	 {.key_replaced = true},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 5,
	 "the provider's key in force is cleanco.example+"},
	{"attestation by a later key",
	 {.key_after_doc = true},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 5,
	 "logged at index 3, not before the document"},
	{"bad attestation signature",
	 {.bad_sig = true},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 5,
	 "does not verify over the document's fields"},
	{"provider key with a bad proof",
	 {0},
	 t_provider_proof,
	 FETCH_OK,
	 false,
	 true,
	 5,
	 "provider entry 1 (provider-key cleanco.example): inclusion proof "
	 "does not verify"},
	{"revocation of a venue entry",
	 {.extra_revoke = 5},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 6,
	 "revokes venue-seq 5, a kind venue entry"},
	{"revocation of a revocation",
	 {.extra_revoke = 4},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 6,
	 "revokes venue-seq 4, a kind revocation entry"},
	{"revocation of a revoked document",
	 {.extra_revoke = 3},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 6,
	 "already revoked"},
	{"document bytes changed",
	 {0},
	 NULL,
	 FETCH_OTHER_BYTES,
	 false,
	 false,
	 4,
	 "entry 3 (venue-seq 1): document bytes hash to"},
	{"document longer",
	 {0},
	 NULL,
	 FETCH_LONGER,
	 false,
	 false,
	 4,
	 "is larger than the"},
	{"document not found",
	 {0},
	 NULL,
	 FETCH_NOT_FOUND,
	 false,
	 false,
	 4,
	 "not found: 404 from the test"},
	{"document of another type",
	 {.wrong_mime = true},
	 NULL,
	 FETCH_OK,
	 false,
	 false,
	 4,
	 "is application/pdf, not image/png"},
};

static void test_tampered(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tamper_case *c = &cases[i];
		struct world w;
		struct verify_options o;
		struct note_verifier key;
		struct verify_report rep;
		struct err e;
		enum status st;

		build(&w, &c->wo);
		if (c->tamper != NULL)
			c->tamper(&w);
		w.fetch = c->fetch;
		options(&o, &w, &key);
		if (c->other_key)
			note_signer_verifier(w.impostor, &key);
		o.all_proofs = !c->few_proofs;
		st = verify_bundle(w.b, &o, &rep, &e);
		if (st != ST_OK || rep.ok ||
		    !has_check(&rep, c->rule, false, c->detail)) {
			print_message("case \"%s\": status %s\n", c->name,
				      status_str(st));
			print_report(&rep);
			fail_msg("case \"%s\": no failed rule %d check with "
				 "\"%s\"",
				 c->name, c->rule, c->detail);
		}
		if (getenv("TEST_VERIFY_VERBOSE") != NULL) {
			print_message("case \"%s\":\n", c->name);
			print_report(&rep);
		}
		assert_sorted(&rep);
		/* Only the rules the tampering touches fail. */
		if (c->rule >= 4)
			for (int r = 1; r <= 3; r++)
				assert_false(has_check(&rep, r, false, NULL));
		/* Freshness is never a failure. */
		assert_false(has_check(&rep, 7, false, NULL));
		verify_report_free(&rep);
		world_free(&w);
	}
}

/* ---- freshness ---- */

static void test_freshness(void **state)
{
	static const struct {
		const char *today;
		int64_t days;
		bool overdue;
		bool expired;
	} t[] = {
		{"2026-01-10", 0, false, false},
		{"2026-02-24", 45, false, false},
		{"2026-02-25", 46, true, false},
		{"2026-07-10", 181, true, false},
		{"2026-07-11", 182, true, true},
		{"2025-12-31", -10, false, false},
	};
	struct world w;
	struct world_opts wo = {0};
	struct verify_options o;
	struct note_verifier key;
	struct verify_report rep;
	struct err e;

	(void)state;
	build(&w, &wo);
	options(&o, &w, &key);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(o.today, sizeof o.today, "%s", t[i].today);
		assert_int_equal(verify_bundle(w.b, &o, &rep, &e), ST_OK);
		assert_true(rep.ok);
		assert_int_equal(rep.latest, 1);
		assert_int_equal(rep.days_since, t[i].days);
		assert_int_equal(rep.overdue, t[i].overdue);
		assert_int_equal(rep.expired, t[i].expired);
		assert_true(has_check(&rep, 7, true,
				      t[i].overdue ? "OVERDUE"
						   : "within the interval"));
		assert_int_equal(has_check(&rep, 7, true, "EXPIRED"),
				 t[i].expired);
		verify_report_free(&rep);
	}
	world_free(&w);
}

/* The latest performed wins; a tie goes to the later index; revoked
 * documents never count. */
static void test_latest(void **state)
{
	static const struct {
		struct world_opts wo;
		long latest; /* into items */
		int64_t days;
	} t[] = {
		{{.tie_performed = "2026-01-10"}, 6, 31},
		{{.tie_performed = "2026-01-09"}, 1, 31},
		{{.tie_performed = "2026-01-11"}, 6, 30},
		{{.extra_revoke = 1}, -1, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct world w;
		struct verify_options o;
		struct note_verifier key;
		struct verify_report rep;
		struct err e;

		build(&w, &t[i].wo);
		options(&o, &w, &key);
		assert_int_equal(verify_bundle(w.b, &o, &rep, &e), ST_OK);
		if (!rep.ok)
			print_report(&rep);
		assert_true(rep.ok);
		assert_int_equal(rep.latest, t[i].latest);
		if (rep.latest >= 0) {
			assert_int_equal(rep.days_since, t[i].days);
			assert_false(rep.overdue);
		} else {
			assert_true(has_check(&rep, 7, true,
					      "no valid sanitization"));
			assert_true(rep.items[1].revoked);
		}
		verify_report_free(&rep);
		world_free(&w);
	}
}

static void test_days_between(void **state)
{
	(void)state;
	assert_int_equal(verify_days_between("2026-01-10", "2026-02-10"), 31);
	assert_int_equal(verify_days_between("2024-02-28", "2024-03-01"), 2);
	assert_int_equal(verify_days_between("2025-02-28", "2025-03-01"), 1);
	assert_int_equal(verify_days_between("2026-03-01", "2026-03-01"), 0);
	assert_int_equal(verify_days_between("2027-01-01", "2026-01-01"), -365);
	assert_int_equal(verify_days_between("1999-12-31", "2000-12-31"), 366);
}

static void test_add_check(void **state)
{
	struct verify_report rep;
	char longtext[600];

	(void)state;
	memset(&rep, 0, sizeof rep);
	rep.ok = true;
	for (int i = 0; i < 100; i++)
		assert_int_equal(verify_add_check(&rep, 1 + i % 7, true, "n",
						  "check %d", i),
				 ST_OK);
	assert_true(rep.ok);
	assert_int_equal(rep.nchecks, 100);
	assert_string_equal(rep.checks[99].detail, "check 99");
	memset(longtext, 'x', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = 0;
	assert_int_equal(
		verify_add_check(&rep, 3, false, longtext, "%s", longtext),
		ST_OK);
	assert_false(rep.ok);
	assert_int_equal(strlen(rep.checks[100].name),
			 sizeof rep.checks[100].name - 1);
	assert_int_equal(strlen(rep.checks[100].detail),
			 sizeof rep.checks[100].detail - 1);
	verify_report_free(&rep);
	assert_null(rep.checks);
	verify_report_free(NULL);
}

/* A bundle of junk after an honest one: the report keeps the first
 * VERIFY_FAILS_SHOWN failures and counts the rest, in rule order. */
static void test_report_bounded(void **state)
{
	struct world w;
	struct world_opts wo = {0};
	struct verify_options o;
	struct note_verifier key;
	struct verify_report rep;
	struct err e;
	const size_t junk = 3 * VERIFY_FAILS_SHOWN;

	(void)state;
	build(&w, &wo);
	for (size_t i = 0; i < junk; i++)
		assert_int_equal(bundle_add(w.b, false, 1000 + (int64_t)i, "x",
					    1, NULL, 0),
				 ST_OK);
	options(&o, &w, &key);
	assert_int_equal(verify_bundle(w.b, &o, &rep, &e), ST_OK);
	assert_false(rep.ok);
	/* The first hundred, and the first of a rule past them (rule 2's,
	 * after the entries that do not parse). */
	assert_int_equal(rep.nfailed, VERIFY_FAILS_SHOWN + 1);
	assert_true(has_check(&rep, 2, false, NULL));
	assert_true(has_check(&rep, 3, false, "does not parse"));
	/* Each junk entry fails to parse and is not included: two each. */
	assert_int_equal(rep.nfailed + rep.omitted, 2 * junk);
	assert_true(rep.nchecks <= VERIFY_FAILS_SHOWN + 7 + 7);
	assert_sorted(&rep);
	/* The honest part still reads as it did. */
	assert_int_equal(rep.nitems, 6);
	assert_true(has_check(&rep, 5, true, NULL));
	verify_report_free(&rep);

	/* A checkpoint that does not verify is said, however much junk
	 * comes before it in the report. */
	t_cp_root(&w);
	assert_int_equal(verify_bundle(w.b, &o, &rep, &e), ST_OK);
	assert_false(rep.ok);
	assert_true(rep.omitted > 0);
	assert_true(has_check(&rep, 1, false, "not signed by the log key"));
	verify_report_free(&rep);
	world_free(&w);
}

/* Documents that are nowhere: rule 4 asks for the first hundred that
 * fail, then says how many more it did not ask for. */
static void test_documents_bounded(void **state)
{
	struct world w;
	struct world_opts wo = {0};
	struct verify_options o;
	struct note_verifier key;
	struct verify_report rep;
	struct err e;
	const size_t more = 2 * VERIFY_FAILS_SHOWN;
	const struct bundle_item *doc;

	(void)state;
	build(&w, &wo);
	/* The venue's first document again and again (rule 3 fails, and
	 * rule 4 fetches each). */
	doc = &w.b->entries[1];
	assert_non_null(strstr(doc->entry, "kind document"));
	char *text = strdup(doc->entry);
	assert_non_null(text);
	for (size_t i = 0; i < more; i++)
		assert_int_equal(bundle_add(w.b, false, 1000 + (int64_t)i, text,
					    strlen(text), NULL, 0),
				 ST_OK);
	free(text);
	w.fetch = FETCH_NOT_FOUND;
	options(&o, &w, &key);
	assert_int_equal(verify_bundle(w.b, &o, &rep, &e), ST_OK);
	assert_false(rep.ok);
	assert_int_equal(w.nfetch, VERIFY_FAILS_SHOWN);
	/* (The check that says so is past the report's first hundred
	 * failures here, which rules 2 and 3 fill: it is counted.) */
	assert_true(rep.omitted > 0);
	verify_report_free(&rep);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_valid_json),
		cmocka_unit_test(test_unpinned),
		cmocka_unit_test(test_fetch_fails),
		cmocka_unit_test(test_bad_today),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_freshness),
		cmocka_unit_test(test_latest),
		cmocka_unit_test(test_days_between),
		cmocka_unit_test(test_add_check),
		cmocka_unit_test(test_report_bounded),
		cmocka_unit_test(test_documents_bounded),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
