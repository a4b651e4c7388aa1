/*
 * test_rules.c: the log's rules (core/rules.c), each way an entry can break
 * one, against the log kept in memory.  The sequencer's view of its
 * database answers the same questions; tests/cli and tests/web reach it,
 * and tests/vectors the bundle verifier's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/attest.h"
#include "core/buf.h"
#include "core/merkle.h"
#include "core/rules.h"

#define V1 "k7m2q9xa"
#define V2 "p3x8vz2e"

struct log {
	struct rules *r;
	int64_t size;
	uint8_t leaf[64][HASH_LEN]; /* of each entry, by index */
};

static void log_init(struct log *l)
{
	memset(l, 0, sizeof *l);
	l->r = rules_new();
	assert_non_null(l->r);
}

static void entry_at(struct entry *en, enum entry_kind k, const char *venue,
		     const char *logged)
{
	memset(en, 0, sizeof *en);
	en->kind = k;
	snprintf(en->venue, sizeof en->venue, "%s", venue);
	snprintf(en->logged, sizeof en->logged, "%s", logged);
	en->interval_days = 30;
}

/* A venue entry: the next of its chain (prev the leaf of head). */
static void chained(struct log *l, struct entry *en, enum entry_kind k,
		    const char *venue, const char *logged)
{
	struct rules_view v = rules_view(l->r);
	struct rules_head h;

	entry_at(en, k, venue, logged);
	if (v.head(v.ctx, venue, &h, NULL) == ST_OK) {
		en->venue_seq = h.seq + 1;
		en->has_prev = true;
		memcpy(en->prev, h.leaf, HASH_LEN);
	}
}

/* The verdict on en as the next entry of the log. */
static struct rules_verdict check(struct log *l, const struct entry *en,
				  unsigned flags)
{
	struct rules_view v = rules_view(l->r);
	struct rules_verdict vd;

	assert_int_equal(rules_check(&v, en, l->size, flags, &vd, NULL), ST_OK);
	return vd;
}

/* Checks that en is accepted, and adds it. */
static void accept(struct log *l, const struct entry *en)
{
	struct rules_verdict vd = check(l, en, 0);

	if (vd.n > 0)
		fail_msg("refused: %s", vd.f[0].why);
	sha256(l->leaf[l->size], &l->size, sizeof l->size);
	assert_int_equal(
		rules_add(l->r, en, l->size, l->leaf[l->size], (long)l->size),
		ST_OK);
	l->size++;
}

/* Checks that en breaks exactly one rule, with code, and why says want. */
static void refused(struct log *l, const struct entry *en, enum rules_code code,
		    int rule, const char *want)
{
	struct rules_verdict vd = check(l, en, 0);

	assert_int_equal(vd.n, 1);
	assert_int_equal(vd.f[0].code, code);
	assert_int_equal(vd.f[0].rule, rule);
	if (strstr(vd.f[0].why, want) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", vd.f[0].why, want);
}

/* A log of V1's venue entry and a document. */
static void venue_and_document(struct log *l, struct entry *en)
{
	log_init(l);
	chained(l, en, ENTRY_VENUE, V1, "2026-01-01T10:00:00Z");
	accept(l, en);
	chained(l, en, ENTRY_DOCUMENT, V1, "2026-01-02T10:00:00Z");
	accept(l, en);
}

static void test_chain(void **state)
{
	struct log l;
	struct entry en;

	(void)state;
	venue_and_document(&l, &en);

	/* A venue not seen yet must start at venue-seq 0. */
	entry_at(&en, ENTRY_DOCUMENT, V2, "2026-01-02T10:00:00Z");
	en.venue_seq = 3;
	en.has_prev = true;
	refused(&l, &en, RULES_CHAIN_START, 3,
		"the chain does not start at venue-seq 0: its first entry "
		"is venue-seq 3");

	chained(&l, &en, ENTRY_DOCUMENT, V1, "2026-01-03T10:00:00Z");
	en.prev[0] ^= 1;
	refused(&l, &en, RULES_CHAIN_PREV, 3,
		"prev does not match the leaf hash of venue-seq 1");

	chained(&l, &en, ENTRY_DOCUMENT, V1, "2026-01-03T10:00:00Z");
	en.venue_seq = 1;
	refused(&l, &en, RULES_CHAIN_ORDER, 3,
		"comes after venue-seq 1 (duplicate or out of order)");

	chained(&l, &en, ENTRY_DOCUMENT, V1, "2026-01-03T10:00:00Z");
	en.venue_seq = 3;
	refused(&l, &en, RULES_CHAIN_GAP, 3,
		"venue-seq 2 is missing from the chain");
	en.venue_seq = 5;
	refused(&l, &en, RULES_CHAIN_GAP, 3,
		"venue-seq 2 to 4 are missing from the chain");

	/* Logged goes back along the log, whatever the venue. */
	entry_at(&en, ENTRY_VENUE, V2, "2026-01-01T09:59:59Z");
	refused(&l, &en, RULES_LOGGED_BACK, 3,
		"logged 2026-01-01T09:59:59Z is before entry 1's "
		"2026-01-02T10:00:00Z");
	entry_at(&en, ENTRY_VENUE, V2, "2026-01-02T10:00:00Z");
	accept(&l, &en);

	/* An entry can break a rule of each group. */
	chained(&l, &en, ENTRY_DOCUMENT, V1, "2026-01-01T00:00:00Z");
	en.venue_seq = 4;
	struct rules_verdict vd = check(&l, &en, 0);
	assert_int_equal(vd.n, 2);
	assert_int_equal(vd.f[0].code, RULES_LOGGED_BACK);
	assert_int_equal(vd.f[1].code, RULES_CHAIN_GAP);
	assert_int_equal(rules_venues(l.r), 2);
	rules_free(l.r);
}

/* A witness-policy entry sits between others: only its logged time ties
 * it to them, and it moves no venue's chain. */
static void test_witness_policy(void **state)
{
	struct log l;
	struct entry en, pol;
	struct rules_view v;
	struct rules_head h;

	(void)state;
	venue_and_document(&l, &en);
	entry_at(&pol, ENTRY_WITNESS_POLICY, "", "2026-01-02T10:00:00Z");
	pol.quorum = 1;
	pol.nwitnesses = 1;
	assert_true(entry_witness_set(
		&pol.witnesses[0],
		"witness.example/w1+e75f6532+"
		"BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4",
		"https://w1.example"));
	accept(&l, &pol);
	/* the same again, and the end of witnessing: no rule between them */
	accept(&l, &pol);
	pol.quorum = 0;
	pol.nwitnesses = 0;
	accept(&l, &pol);

	/* the venue's chain goes on from the document, as if none were
	 * there */
	v = rules_view(l.r);
	assert_int_equal(v.head(v.ctx, V1, &h, NULL), ST_OK);
	assert_int_equal(h.seq, 1);
	assert_int_equal(h.index, 1);
	assert_int_equal(rules_venues(l.r), 1);
	chained(&l, &en, ENTRY_DOCUMENT, V1, "2026-01-03T10:00:00Z");
	accept(&l, &en);

	/* its logged time may not go back, nor the next entry's before it */
	entry_at(&pol, ENTRY_WITNESS_POLICY, "", "2026-01-02T10:00:00Z");
	refused(&l, &pol, RULES_LOGGED_BACK, 3,
		"logged 2026-01-02T10:00:00Z is before entry 5's "
		"2026-01-03T10:00:00Z");
	entry_at(&pol, ENTRY_WITNESS_POLICY, "", "2026-01-04T10:00:00Z");
	accept(&l, &pol);
	chained(&l, &en, ENTRY_DOCUMENT, V1, "2026-01-03T10:00:00Z");
	refused(&l, &en, RULES_LOGGED_BACK, 3, "before entry 6's");
	rules_free(l.r);
}

static void test_revocations(void **state)
{
	struct log l;
	struct entry en;

	(void)state;
	venue_and_document(&l, &en);

	chained(&l, &en, ENTRY_REVOCATION, V1, "2026-01-03T10:00:00Z");
	en.revokes = 0;
	refused(&l, &en, RULES_REVOKE_KIND, 6,
		"revokes venue-seq 0, a kind venue entry, not a document");
	/* A bundle that leaves out venue-seq 1: the revocation names none. */
	struct log other;
	log_init(&other);
	struct entry first;
	chained(&other, &first, ENTRY_VENUE, V1, "2026-01-01T10:00:00Z");
	accept(&other, &first);
	en.revokes = 1;
	struct rules_verdict vd = check(&other, &en, 0);
	assert_int_equal(vd.n, 2); /* also the chain: venue-seq 1 missing */
	assert_int_equal(vd.f[0].code, RULES_CHAIN_GAP);
	assert_int_equal(vd.f[1].code, RULES_REVOKE_MISSING);
	assert_int_equal(vd.f[1].st, ST_NOT_FOUND);
	rules_free(other.r);

	accept(&l, &en);
	struct rules_view v = rules_view(l.r);
	struct rules_target t;
	assert_int_equal(v.target(v.ctx, V1, 1, &t, NULL), ST_OK);
	assert_true(t.revoked);
	assert_int_equal(t.kind, ENTRY_DOCUMENT);
	assert_int_equal(t.tag, 1);

	chained(&l, &en, ENTRY_REVOCATION, V1, "2026-01-04T10:00:00Z");
	en.revokes = 1;
	refused(&l, &en, RULES_REVOKE_TWICE, 6,
		"revokes venue-seq 1, which is already revoked");
	rules_free(l.r);
}

static struct note_signer *signer(const char *name, uint8_t fill)
{
	uint8_t seed[32];
	struct note_signer *s = NULL;

	memset(seed, fill, sizeof seed);
	assert_int_equal(note_signer_from_seed(name, seed, &s, NULL), ST_OK);
	return s;
}

static void provider_entry(struct entry *en, enum entry_kind k,
			   const struct note_signer *s, const char *name,
			   const char *display, const char *logged)
{
	struct note_verifier v;

	entry_at(en, k, "", logged);
	snprintf(en->name, sizeof en->name, "%s", name);
	if (k == ENTRY_PROVIDER_KEY) {
		note_signer_verifier(s, &v);
		note_verifier_format(&v, en->vkey, sizeof en->vkey);
		snprintf(en->display_name, sizeof en->display_name, "%s",
			 display);
	}
}

static void test_providers(void **state)
{
	struct note_signer *k1 = signer("cleanco.example", 1);
	struct note_signer *k2 = signer("cleanco.example", 2);
	struct log l;
	struct entry en;

	(void)state;
	log_init(&l);
	provider_entry(&en, ENTRY_PROVIDER_REVOKE, NULL, "cleanco.example",
		       NULL, "2026-01-01T10:00:00Z");
	refused(&l, &en, RULES_PROVIDER_NO_KEY, 5,
		"ends no key: no provider-key of cleanco.example is in force");

	provider_entry(&en, ENTRY_PROVIDER_KEY, k1, "cleanco.example",
		       "CleanCo", "2026-01-01T10:00:00Z");
	accept(&l, &en);
	refused(&l, &en, RULES_PROVIDER_REPEAT, 5,
		"provider cleanco.example: this key is already registered, "
		"with this display name (entry 0)");
	/* The same key under another display name, or another key. */
	snprintf(en.display_name, sizeof en.display_name, "CleanCo Srl");
	accept(&l, &en);
	provider_entry(&en, ENTRY_PROVIDER_KEY, k2, "cleanco.example",
		       "CleanCo Srl", "2026-01-01T10:00:00Z");
	accept(&l, &en);

	provider_entry(&en, ENTRY_PROVIDER_REVOKE, NULL, "cleanco.example",
		       NULL, "2026-01-02T10:00:00Z");
	accept(&l, &en);
	refused(&l, &en, RULES_PROVIDER_NO_KEY, 5, "ends no key");
	note_signer_free(k1);
	note_signer_free(k2);
	rules_free(l.r);
}

/* A sanitization of V1 at venue-seq 1, attested by s (NULL: none). */
static void attested_doc(struct log *l, struct entry *en,
			 const struct note_signer *s, const char *logged)
{
	struct attest_fields f;
	struct note_verifier v;
	struct buf note;

	chained(l, en, ENTRY_DOCUMENT, V1, logged);
	snprintf(en->type, sizeof en->type, "sanitization");
	snprintf(en->performed, sizeof en->performed, "2026-01-10");
	snprintf(en->provider, sizeof en->provider, "cleanco.example");
	sha256(en->doc_sha256, "doc", 3);
	rules_attest_fields(en, &f);
	buf_init(&note, 4096);
	assert_int_equal(attest_sign(s, &f, &note, NULL), ST_OK);
	note_signer_verifier(s, &v);
	assert_int_equal(attest_from_note(buf_str(&note), note.len, &f, &v,
					  en->attestation,
					  sizeof en->attestation, NULL),
			 ST_OK);
	buf_free(&note);
}

static void test_attestations(void **state)
{
	struct note_signer *k1 = signer("cleanco.example", 1);
	struct note_signer *k2 = signer("cleanco.example", 2);
	struct log l;
	struct entry en, key;
	struct rules_verdict vd;

	(void)state;
	log_init(&l);
	chained(&l, &en, ENTRY_VENUE, V1, "2026-01-01T10:00:00Z");
	accept(&l, &en);

	attested_doc(&l, &en, k1, "2026-01-11T09:00:00Z");
	refused(&l, &en, RULES_ATTEST_NO_KEY, 5,
		"no provider-key entry of that name and key hash before the "
		"document");

	provider_entry(&key, ENTRY_PROVIDER_KEY, k1, "cleanco.example",
		       "CleanCo", "2026-01-02T10:00:00Z");
	accept(&l, &key);
	accept(&l, &en);

	/* Deferred: all but the signature, and the key to check it with. */
	attested_doc(&l, &en, k1, "2026-01-12T09:00:00Z");
	snprintf(en.performed, sizeof en.performed, "2026-01-11");
	vd = check(&l, &en, RULES_DEFER_SIGNATURE);
	assert_int_equal(vd.n, 0);
	assert_true(vd.deferred);
	assert_int_equal(vd.provider_index, 1);
	assert_int_equal(vd.provider_tag, 1); /* as accept() tagged it */
	/* The fields changed since it was signed. */
	refused(&l, &en, RULES_ATTEST_SIGNATURE, 5,
		"attestation by cleanco.example+");
	struct attest_fields f;
	rules_attest_fields(&en, &f);
	rules_attestation_verify(en.attestation, &f, &vd.key, &vd);
	assert_int_equal(vd.n, 1);

	attested_doc(&l, &en, k2, "2026-01-12T09:00:00Z");
	refused(&l, &en, RULES_ATTEST_OTHER_KEY, 5,
		"the provider's key in force is cleanco.example+");

	provider_entry(&key, ENTRY_PROVIDER_REVOKE, NULL, "cleanco.example",
		       NULL, "2026-01-13T10:00:00Z");
	accept(&l, &key);
	attested_doc(&l, &en, k1, "2026-01-14T09:00:00Z");
	refused(&l, &en, RULES_ATTEST_REVOKED, 5,
		"the provider's key was revoked at index 3, before the "
		"document");
	struct rules_view v = rules_view(l.r);
	assert_int_equal(rules_key_in_force(&v, "cleanco.example", &vd, NULL),
			 ST_OK);
	assert_int_equal(vd.n, 1);
	assert_int_equal(vd.f[0].code, RULES_ATTEST_REVOKED);
	note_signer_free(k1);
	note_signer_free(k2);
	rules_free(l.r);
}

static void fresh_doc(struct entry *en, const char *performed,
		      const char *expires)
{
	entry_at(en, ENTRY_DOCUMENT, V1, "2026-02-01T00:00:00Z");
	snprintf(en->type, sizeof en->type, "sanitization");
	snprintf(en->performed, sizeof en->performed, "%s", performed);
	snprintf(en->expires, sizeof en->expires, "%s", expires);
}

static void test_freshness(void **state)
{
	struct entry venue, a, b, c, other;
	struct rules_fresh f;

	(void)state;
	entry_at(&venue, ENTRY_VENUE, V1, "2026-01-01T00:00:00Z");
	venue.interval_days = 20;
	fresh_doc(&a, "2026-01-10", "2026-01-25");
	fresh_doc(&b, "2026-01-10", "");
	fresh_doc(&c, "2026-01-20", "");
	fresh_doc(&other, "2026-01-30", "");
	snprintf(other.type, sizeof other.type, "protocol");

	rules_fresh_init(&f);
	rules_fresh_end(&f, "2026-02-01");
	assert_int_equal(f.latest, -1);
	assert_int_equal(f.interval_days, INTERVAL_DAYS_DEFAULT);

	rules_fresh_init(&f);
	rules_fresh_add(&f, &venue, 0, false, 0);
	rules_fresh_add(&f, &b, 1, false, 1);
	rules_fresh_add(&f, &a, 2, false, 2); /* a tie: the later index */
	rules_fresh_add(&f, &c, 3, true, 3);  /* revoked */
	rules_fresh_add(&f, &other, 4, false, 4);
	rules_fresh_end(&f, "2026-02-01");
	assert_int_equal(f.latest, 2);
	assert_int_equal(f.interval_days, 20);
	assert_int_equal(f.days_since, 22);
	assert_true(f.overdue);
	assert_true(f.expired);

	rules_fresh_end(&f, "2026-01-25"); /* expires that day: not yet */
	assert_false(f.overdue);
	assert_false(f.expired);
	assert_int_equal(rules_days_between("2026-01-25", "2026-03-01"), 35);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_witness_policy),
		cmocka_unit_test(test_revocations),
		cmocka_unit_test(test_providers),
		cmocka_unit_test(test_attestations),
		cmocka_unit_test(test_freshness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
