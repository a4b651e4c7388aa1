/*
 * test_vectors.c: the C verifier on the shared verification vectors
 * (tests/vectors, DESIGN.md "Test vectors"; verify.js runs the same ones in
 * tests/web/test_vectors.sh).
 *
 * Each vector of tests/vectors/index.json is read as `sanilog verify
 * BUNDLE` reads it: bundle_parse (a refusal is rule 0 here), then
 * verify_bundle with the vector's expected key (or none), its today, and
 * its docs folder as --docs DIR gives it.  Every proof is checked, as the
 * CLI does, and the verdict compared with the vector's "expect"; then only
 * the newest entry's proof, as the page and the server page do, compared
 * with its "page" (or "expect").  A verdict matches when the rules of the
 * failed checks are exactly the expected ones and each expected failure's
 * detail is part of a failed check of its rule; where the vector states
 * it, the newest valid sanitization, the overdue and expired flags, the
 * date the next sanitization is due and whether the only sanitizations
 * were revoked must match too.  Every disagreement is printed, one line a
 * vector and mode, before the test fails.
 *
 * SANILOG_VECTORS names another folder of vectors (default tests/vectors,
 * from the top of the tree, where make runs the tests).
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
#include <jansson.h>
#include <sodium.h>

#include "core/bundle.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/verify.h"

#define PATH_MAX_LEN 4096

/* A verdict: the failed checks, and rule 7's outcome. */
struct verdict {
	struct verify_check *fails;
	size_t nfails;
	long latest; /* venue-seq of the newest valid sanitization, -1 */
	bool overdue;
	bool expired;
	char next_due[11]; /* "" with no latest */
	bool revoked_only; /* no latest, but a revoked sanitization */
	struct verify_policy_change change; /* rule 10 */
};

static const char *vectors_dir(void)
{
	const char *d = getenv("SANILOG_VECTORS");
	return d != NULL && d[0] ? d : "tests/vectors";
}

static void join(char *out, const char *a, const char *b)
{
	assert_true(snprintf(out, PATH_MAX_LEN, "%s/%s", a, b) < PATH_MAX_LEN);
}

/* Reads a whole file into out (capped at cap bytes); ST_NOT_FOUND when it
 * is not there, ST_TOO_LARGE when it is longer than cap. */
static enum status read_file(const char *path, size_t cap, struct buf *out,
			     struct err *e)
{
	FILE *f = fopen(path, "rb");
	uint8_t chunk[4096];
	size_t n;
	enum status st = ST_OK;

	if (f == NULL)
		return err_set(e, ST_NOT_FOUND, "no file %s", path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (out->len + n > cap) {
			st = err_set(e, ST_TOO_LARGE, "%s: too large", path);
			break;
		}
		if ((st = buf_append(out, chunk, n)) != ST_OK)
			break;
	}
	(void)fclose(f); /* read only: nothing to lose */
	return st;
}

/* Rule 4 as --docs DIR: the file of the folder named by the hex SHA-256. */
static enum status fetch_dir(void *ctx, const uint8_t sha[HASH_LEN],
			     struct buf *out, struct err *e)
{
	char hex[2 * HASH_LEN + 1], path[PATH_MAX_LEN];

	hex_encode(hex, sha, HASH_LEN);
	join(path, ctx, hex);
	return read_file(path, out->cap, out, e);
}

static void verdict_free(struct verdict *v)
{
	free(v->fails);
	memset(v, 0, sizeof *v);
}

/* Runs the vector (its folder vdir) in one mode into *out. */
static void run_vector(const char *vdir, json_t *vec, bool all_proofs,
		       struct verdict *out)
{
	char path[PATH_MAX_LEN], docs[PATH_MAX_LEN];
	const char *key = json_string_value(json_object_get(vec, "key"));
	const char *today = json_string_value(json_object_get(vec, "today"));
	const char *now = json_string_value(json_object_get(vec, "now"));
	struct verify_options o = {.all_proofs = all_proofs};
	struct note_verifier kv;
	struct verify_report rep;
	struct bundle *b = NULL;
	struct buf json;
	struct err e = {{0}};

	memset(out, 0, sizeof *out);
	out->latest = -1;
	join(path, vdir, "bundle.json");
	buf_init(&json, BUNDLE_MAX);
	assert_int_equal(read_file(path, BUNDLE_MAX, &json, &e), ST_OK);
	if (bundle_parse((const char *)json.data, json.len, &b, &e) != ST_OK) {
		out->fails = calloc(1, sizeof *out->fails);
		assert_non_null(out->fails);
		out->nfails = 1;
		snprintf(out->fails[0].name, sizeof out->fails[0].name,
			 "bundle");
		snprintf(out->fails[0].detail, sizeof out->fails[0].detail,
			 "%.300s", e.msg);
		buf_free(&json);
		return;
	}
	buf_free(&json);
	if (key != NULL) {
		assert_int_equal(note_verifier_parse(key, strlen(key), &kv, &e),
				 ST_OK);
		o.key = &kv;
	}
	assert_non_null(today);
	snprintf(o.today, sizeof o.today, "%s", today);
	/* Rule 10's clock, and the size seen before (a pin's). */
	assert_non_null(now);
	assert_true(entry_time_valid(now));
	o.now = entry_time_seconds(now);
	o.since = json_integer_value(json_object_get(vec, "since"));
	if (json_is_true(json_object_get(vec, "docs"))) {
		join(docs, vdir, "docs");
		o.fetch = fetch_dir;
		o.fetch_ctx = docs;
	}
	assert_int_equal(verify_bundle(b, &o, &rep, &e), ST_OK);
	out->fails = calloc(rep.nchecks + 1, sizeof *out->fails);
	assert_non_null(out->fails);
	for (size_t i = 0; i < rep.nchecks; i++)
		if (!rep.checks[i].ok)
			out->fails[out->nfails++] = rep.checks[i];
	if (rep.latest >= 0)
		out->latest = (long)rep.items[rep.latest].entry.venue_seq;
	out->change = rep.policy_change;
	out->overdue = rep.overdue;
	out->expired = rep.expired;
	snprintf(out->next_due, sizeof out->next_due, "%s", rep.next_due);
	for (size_t i = 0; i < rep.nitems && rep.latest < 0; i++) {
		const struct verify_item *it = &rep.items[i];
		out->revoked_only =
			out->revoked_only ||
			(it->entry.kind == ENTRY_DOCUMENT && it->revoked &&
			 strcmp(it->entry.type, "sanitization") == 0);
	}
	verify_report_free(&rep);
	bundle_free(b);
}

/* Rule 10's policy change against the expected one (absent or null:
 * none); writes why they differ into why, or returns true. */
static bool change_matches(const struct verify_policy_change *c, json_t *want,
			   char *why, size_t size)
{
	json_t *removed = json_object_get(want, "removed");

	if (want == NULL || json_is_null(want)) {
		if (c->changed)
			snprintf(why, size, "a policy change reported");
		return !c->changed;
	}
	if (!c->changed ||
	    c->since != json_integer_value(json_object_get(want, "since")) ||
	    c->quorum_before != json_integer_value(json_object_get(
					want, "quorum_before")) ||
	    c->quorum_now !=
		    json_integer_value(json_object_get(want, "quorum_now")) ||
	    (size_t)c->nremoved != json_array_size(removed)) {
		snprintf(why, size, "policy change: not the one expected");
		return false;
	}
	for (int i = 0; i < c->nremoved; i++)
		if (strcmp(c->removed[i], json_string_value(json_array_get(
						  removed, (size_t)i))) != 0) {
			snprintf(why, size, "policy change: removed %s",
				 c->removed[i]);
			return false;
		}
	return true;
}

/*
 * Compares got with the expectation want (fails, and rule 7 from fresh
 * when it has "latest"); writes why they differ into why, or returns true.
 */
static bool matches(const struct verdict *got, json_t *want, json_t *fresh,
		    char *why, size_t size)
{
	json_t *fails = json_object_get(want, "fails");
	bool rules_want[16] = {false}, rules_got[16] = {false};
	size_t i;
	json_t *f;

	json_array_foreach(fails, i, f)
	{
		int rule = (int)json_integer_value(json_object_get(f, "rule"));
		const char *d = json_string_value(json_object_get(f, "detail"));
		bool found = false;

		assert_true(rule >= 0 && rule < 16);
		rules_want[rule] = true;
		for (size_t k = 0; k < got->nfails && !found; k++)
			found = got->fails[k].rule == rule &&
				strstr(got->fails[k].detail, d) != NULL;
		if (!found) {
			snprintf(why, size,
				 "no failed check of rule %d says "
				 "\"%s\"",
				 rule, d);
			return false;
		}
	}
	for (size_t k = 0; k < got->nfails; k++) {
		int rule = got->fails[k].rule;
		if (rule >= 0 && rule < 16)
			rules_got[rule] = true;
		if (rule < 0 || rule >= 16 || !rules_want[rule]) {
			snprintf(why, size, "unexpected failure, rule %d: %s",
				 rule, got->fails[k].detail);
			return false;
		}
	}
	for (int r = 0; r < 16; r++)
		if (rules_want[r] && !rules_got[r]) {
			snprintf(why, size, "rule %d did not fail", r);
			return false;
		}
	if (fresh != NULL &&
	    !change_matches(&got->change,
			    json_object_get(fresh, "policy_change"), why, size))
		return false;
	if (fresh != NULL && json_object_get(fresh, "latest") != NULL) {
		json_t *l = json_object_get(fresh, "latest");
		long want_latest =
			json_is_null(l) ? -1 : (long)json_integer_value(l);
		bool od = json_is_true(json_object_get(fresh, "overdue"));
		bool ex = json_is_true(json_object_get(fresh, "expired"));
		const char *nd =
			json_string_value(json_object_get(fresh, "next_due"));
		bool ro = json_is_true(json_object_get(fresh, "revoked_only"));

		if (got->latest != want_latest || got->overdue != od ||
		    got->expired != ex) {
			snprintf(why, size,
				 "freshness: latest %ld overdue %d expired "
				 "%d, not %ld %d %d",
				 got->latest, got->overdue, got->expired,
				 want_latest, od, ex);
			return false;
		}
		if (strcmp(got->next_due, nd != NULL ? nd : "") != 0 ||
		    got->revoked_only != ro) {
			snprintf(why, size,
				 "next due \"%s\" revoked only %d, not \"%s\" "
				 "%d",
				 got->next_due, got->revoked_only,
				 nd != NULL ? nd : "", ro);
			return false;
		}
	}
	return true;
}

static void test_vectors(void **state)
{
	char path[PATH_MAX_LEN], vdir[PATH_MAX_LEN], why[512];
	json_error_t jerr;
	json_t *index, *vec;
	size_t i, bad = 0;

	(void)state;
	join(path, vectors_dir(), "index.json");
	index = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (index == NULL)
		fail_msg("%s: %s", path, jerr.text);
	assert_true(json_array_size(index) >= 80);
	json_array_foreach(index, i, vec)
	{
		const char *name =
			json_string_value(json_object_get(vec, "name"));
		json_t *expect = json_object_get(vec, "expect");
		json_t *page = json_object_get(vec, "page");

		assert_non_null(name);
		join(vdir, vectors_dir(), name);
		for (int mode = 0; mode < 2; mode++) {
			struct verdict v;
			json_t *want =
				mode == 1 && page != NULL ? page : expect;

			run_vector(vdir, vec, mode == 0, &v);
			if (!matches(&v, want, expect, why, sizeof why)) {
				bad++;
				print_message("DISAGREES %-40s %-11s %s\n",
					      name,
					      mode == 0 ? "every proof"
							: "newest proof",
					      why);
			}
			verdict_free(&v);
		}
	}
	print_message("%zu vectors, each verified twice: %zu disagreements "
		      "with the expected verdicts\n",
		      json_array_size(index), bad);
	json_decref(index);
	assert_int_equal(bad, 0);
}

/* ---- rule 10 beyond what a vector holds ---- */

/* The bundle of vector name; *out is new. */
static void load(const char *name, struct bundle **out)
{
	char vdir[PATH_MAX_LEN], path[PATH_MAX_LEN];
	struct buf json;
	struct err e;

	join(vdir, vectors_dir(), name);
	join(path, vdir, "bundle.json");
	buf_init(&json, BUNDLE_MAX);
	assert_int_equal(read_file(path, BUNDLE_MAX, &json, &e), ST_OK);
	assert_int_equal(
		bundle_parse((const char *)json.data, json.len, out, &e),
		ST_OK);
	buf_free(&json);
}

/* The witness of the vectors' seed 8 + i (gen.c's w<i+1>.witness.example),
 * as a policy names it. */
static void witness_key(int i, struct note_verifier *out)
{
	struct note_signer *s = NULL;
	struct note_verifier v;
	uint8_t seed[32];
	char name[32], text[NOTE_VKEY_MAX + 1];
	struct err e;

	memset(seed, 8 + i, sizeof seed);
	snprintf(name, sizeof name, "w%d.witness.example", i + 1);
	assert_int_equal(note_signer_from_seed(name, seed, &s, &e), ST_OK);
	note_signer_verifier(s, &v);
	note_signer_free(s);
	note_cosigner_format(&v, text, sizeof text);
	assert_int_equal(note_cosigner_parse(text, strlen(text), out, &e),
			 ST_OK);
}

/* verify_bundle of b with o; the detail of its rule 10 check named name
 * into detail, and whether it passed. */
static bool rule10(const struct bundle *b, struct verify_options *o,
		   const char *name, char *detail, size_t size,
		   struct verify_policy_change *change)
{
	struct verify_report rep;
	struct err e;
	bool ok = false, found = false;

	snprintf(o->today, sizeof o->today, "2026-02-10");
	assert_int_equal(verify_bundle(b, o, &rep, &e), ST_OK);
	for (size_t i = 0; i < rep.nchecks; i++)
		if (rep.checks[i].rule == 10 &&
		    strcmp(rep.checks[i].name, name) == 0) {
			found = true;
			ok = rep.checks[i].ok;
			snprintf(detail, size, "%s", rep.checks[i].detail);
		}
	if (change != NULL)
		*change = rep.policy_change;
	verify_report_free(&rep);
	assert_true(found);
	return ok;
}

/* The inspector's own policy; the ages of cosignatures; now from the day
 * alone; the size seen before and what it sees of a change. */
static void test_rule10_options(void **state)
{
	struct bundle *b = NULL;
	struct verify_policy p;
	struct verify_policy_change c;
	struct verify_options o;
	char d[320];
	int64_t now = entry_time_seconds("2026-02-10T12:00:00Z");

	(void)state;
	load("witness-valid", &b);
	memset(&o, 0, sizeof o);
	o.all_proofs = true;
	o.now = now;
	assert_true(rule10(b, &o, "witnesses", d, sizeof d, NULL));
	assert_string_equal(d, "countersigned by 2 of 3 witnesses: "
			       "w1.witness.example (5 min ago), "
			       "w2.witness.example (2 h ago)");

	/* w2 alone, of quorum 1; w3, who did not cosign */
	memset(&p, 0, sizeof p);
	witness_key(1, &p.witnesses[0]);
	p.nwitnesses = 1;
	p.quorum = 1;
	o.policy = &p;
	assert_true(rule10(b, &o, "witnesses", d, sizeof d, NULL));
	assert_string_equal(d, "countersigned by 1 of 1 witness: "
			       "w2.witness.example (2 h ago)");
	witness_key(2, &p.witnesses[0]);
	assert_false(rule10(b, &o, "witnesses", d, sizeof d, NULL));
	assert_string_equal(d, "countersigned by 0 of 1 witness (none), "
			       "fewer than the quorum of 1");

	/* days and seconds */
	o.policy = NULL;
	o.now = now + 2 * 86400;
	assert_true(rule10(b, &o, "witnesses", d, sizeof d, NULL));
	assert_non_null(strstr(d, "w1.witness.example (2 days ago), "
				  "w2.witness.example (2 days ago)"));
	o.now = now - 300 + 59;
	assert_true(rule10(b, &o, "witnesses", d, sizeof d, NULL));
	assert_non_null(strstr(d, "w1.witness.example (59 s ago)"));
	/* a now of 600 s after a cosignature's time is not before it */
	o.now = now - 300 - 600;
	assert_true(rule10(b, &o, "witnesses", d, sizeof d, NULL));
	o.now = now - 300 - 601;
	assert_false(rule10(b, &o, "cosignature", d, sizeof d, NULL));
	assert_string_equal(d, "the cosignature of w1.witness.example is "
			       "dated 2026-02-10T11:55:00Z, in the future");
	/* no now: the last second of today */
	o.now = 0;
	assert_true(rule10(b, &o, "witnesses", d, sizeof d, NULL));
	assert_non_null(strstr(d, "w1.witness.example (12 h ago)"));
	bundle_free(b);

	/* The change: seen before the second policy, at it, and none. */
	load("witness-policy-changed", &b);
	o.now = now;
	o.since = b->policy[1].index;
	assert_true(rule10(b, &o, "witnesses", d, sizeof d, &c));
	assert_true(c.changed);
	assert_int_equal(c.nremoved, 1);
	assert_string_equal(c.removed[0], "w3.witness.example");
	o.since = b->policy[1].index + 1;
	assert_true(rule10(b, &o, "witnesses", d, sizeof d, &c));
	assert_false(c.changed);
	o.since = b->policy[0].index; /* no policy then: nothing to lose */
	assert_true(rule10(b, &o, "witnesses", d, sizeof d, &c));
	assert_false(c.changed);
	o.since = 0;
	assert_true(rule10(b, &o, "witnesses", d, sizeof d, &c));
	assert_false(c.changed);
	bundle_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_rule10_options),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
