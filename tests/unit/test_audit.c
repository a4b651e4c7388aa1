/*
 * test_audit.c: the operator's audit of a database (store/audit.h).
 *
 * A log written by the sequencer (two venues, documents, a provider key
 * and an attestation, a revocation) passes every check, counted right,
 * whether documents and attestations are checked on threads of their own
 * or not, with its progress reported up to the whole log.  Copies of it
 * altered with raw SQL statements fail, each with a failed check of the
 * rule that names what broke (a document's bytes or row, an entry's
 * text, its attestation, its form, its chain, a stored hash, a kept
 * checkpoint, the last entry) and where.  Rule 8: a checkpoint seen
 * before, which the log still holds, passes; a larger one is a rollback;
 * one of the same size with another root is a fork; one signed by
 * another key is a key change; and another log key fails every
 * checkpoint's signature.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/attest.h"
#include "core/codec.h"
#include "lib/testlog.h"
#include "store/audit.h"
#include "store/docfiles.h"

#define V1 "k7m2q9xa"
#define V2 "p3x8vz2e"

static struct testlog t;
static int64_t doc_idx[4]; /* the documents' entries */
static uint8_t doc_sha[4][HASH_LEN];
static int64_t attested_idx, revoke_idx;

static int setup(void **state)
{
	(void)state;
	struct seq_request rq;
	struct note_signer *k = NULL;
	struct note_verifier v;
	struct err e;
	struct buf att;
	uint8_t seed[32], doc[TL_PDF];

	tl_open(&t, NULL);
	tl_add_venue(&t, V1, "Bar Uno");
	tl_add_venue(&t, V2, "Trattoria Due");
	memset(seed, 3, sizeof seed);
	assert_int_equal(note_signer_from_seed("clean.example", seed, &k, &e),
			 ST_OK);
	note_signer_verifier(k, &v);
	memset(&rq, 0, sizeof rq);
	rq.entry.kind = ENTRY_PROVIDER_KEY;
	snprintf(rq.entry.name, sizeof rq.entry.name, "%s", v.name);
	note_verifier_format(&v, rq.entry.vkey, sizeof rq.entry.vkey);
	snprintf(rq.entry.display_name, sizeof rq.entry.display_name,
		 "Clean Co");
	tl_append(&t, &rq, 1);

	/* Document 0, attested. */
	tl_pdf(0, doc);
	tl_document_request(&rq, V1, "Attested", doc, TL_PDF);
	snprintf(rq.entry.provider, sizeof rq.entry.provider, "%s", v.name);
	struct attest_fields f = {.venue = V1,
				  .type = "sanitization",
				  .performed = "2026-11-20",
				  .expires = ""};
	sha256(f.doc, doc, TL_PDF);
	buf_init(&att, 4096);
	assert_int_equal(attest_sign(k, &f, &att, &e), ST_OK);
	rq.attestation = buf_str(&att);
	rq.attestation_len = att.len;
	tl_append(&t, &rq, 1);
	attested_idx = doc_idx[0] = rq.index;
	buf_free(&att);
	note_signer_free(k);

	doc_idx[1] = tl_add_document(&t, V1, 1);
	doc_idx[2] = tl_add_document(&t, V2, 2);
	tl_revocation_request(&rq, V1, 2, "wrong file");
	tl_append(&t, &rq, 1);
	revoke_idx = rq.index;
	doc_idx[3] = tl_add_document(&t, V1, 3);
	for (int i = 0; i < 4; i++) {
		tl_pdf(i, doc);
		sha256(doc_sha[i], doc, TL_PDF);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tl_close(&t);
	return 0;
}

struct progress {
	int calls;
	int64_t done, total;
};

static void on_progress(void *ctx, int64_t done, int64_t total)
{
	struct progress *p = ctx;
	assert_true(done <= total);
	assert_true(done >= p->done);
	p->calls++;
	p->done = done;
	p->total = total;
}

/* Audits the database at path with key (the log's when NULL) and seen
 * (or NULL); the report into *rep (free it), the result into *res. */
static void audit_path(const char *path, const struct note_verifier *key,
		       const char *seen, bool threads,
		       struct verify_report *rep, struct audit_result *res)
{
	struct store *s = NULL, *docs = NULL;
	struct err e = {.msg = ""};
	struct progress p = {0};
	struct audit_options o = {
		.key = key != NULL ? key : &t.key,
		.seen = seen,
		.seen_len = seen != NULL ? strlen(seen) : 0,
		.progress = on_progress,
		.progress_ctx = &p,
		.threads = threads ? 2 : 0,
	};
	assert_int_equal(store_open(path, STORE_READONLY, &s, &e), ST_OK);
	if (threads) {
		assert_int_equal(store_open(path, STORE_READONLY, &docs, &e),
				 ST_OK);
		o.docs = docs;
	}
	memset(rep, 0, sizeof *rep);
	memset(res, 0, sizeof *res);
	if (audit_store(s, &o, rep, res, &e) != ST_OK)
		fail_msg("audit: %s", e.msg);
	assert_true(p.calls > 0);
	assert_int_equal(p.done, p.total);
	store_close(docs);
	store_close(s);
}

/* The report's failed check of rule and name whose detail holds what
 * (or any detail when NULL); with only, no check of another rule
 * failed. */
static void expect_failed(const struct verify_report *rep, int rule,
			  const char *name, const char *what, bool only)
{
	bool found = false;
	assert_false(rep->ok);
	for (size_t i = 0; i < rep->nchecks; i++) {
		const struct verify_check *c = &rep->checks[i];
		if (c->ok)
			continue;
		if (c->rule == rule && strcmp(c->name, name) == 0 &&
		    (what == NULL || strstr(c->detail, what) != NULL))
			found = true;
		else if (only && c->rule != rule)
			fail_msg("rule %d %s failed too: %s", c->rule, c->name,
				 c->detail);
	}
	if (found)
		return;
	for (size_t i = 0; i < rep->nchecks; i++)
		print_message("  %s rule %d %s: %s\n",
			      rep->checks[i].ok ? "ok" : "FAILED",
			      rep->checks[i].rule, rep->checks[i].name,
			      rep->checks[i].detail);
	fail_msg("no failed check of rule %d %s naming \"%s\"", rule, name,
		 what != NULL ? what : "");
}

static void test_clean(void **state)
{
	(void)state;
	struct verify_report rep;
	struct audit_result res;
	int64_t size = tl_query(&t, "SELECT count(*) FROM entries");
	for (int threads = 0; threads < 2; threads++) {
		audit_path(t.db, NULL, NULL, threads, &rep, &res);
		for (size_t i = 0; i < rep.nchecks; i++)
			if (!rep.checks[i].ok)
				fail_msg("rule %d %s: %s", rep.checks[i].rule,
					 rep.checks[i].name,
					 rep.checks[i].detail);
		assert_true(rep.ok);
		/* Rules 1 to 6 each said what they checked. */
		for (int rule = 1; rule <= 6; rule++) {
			bool said = false;
			for (size_t i = 0; i < rep.nchecks; i++)
				said |= rep.checks[i].rule == rule;
			if (!said)
				fail_msg("no check of rule %d", rule);
		}
		assert_int_equal(res.entries, size);
		assert_int_equal(res.venues, 2);
		assert_int_equal(res.documents, 4);
		assert_int_equal(res.attestations, 1);
		/* One kept checkpoint a batch, and the empty log's. */
		assert_int_equal(res.checkpoints, size + 1);
		assert_int_equal(res.newest.size, size);
		assert_string_equal(res.newest.origin, TL_ORIGIN);
		verify_report_free(&rep);
	}
}

/* SQL that replaces text in entry idx. */
static void entry_sql(char *sql, size_t size, int64_t idx, const char *from,
		      const char *to)
{
	snprintf(sql, size,
		 "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), "
		 "'%s', '%s') AS BLOB) WHERE idx = %lld",
		 from, to, (long long)idx);
}

/* In the documents' folder of the database at db: how is "/cut HEX" (the
 * file of that document's last byte changed) or "/rm HEX" (the file
 * removed). */
static void doc_file_tamper(const char *db, const char *how)
{
	char dir[PATH_MAX], path[PATH_MAX + 80];
	const char *hex = strchr(how, ' ') + 1;
	assert_true(docfiles_dir(db, dir, sizeof dir));
	snprintf(path, sizeof path, "%s/%.2s/%s", dir, hex, hex);
	struct buf b;
	buf_init(&b, 1 << 24);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t *p = buf_reserve(&b, 1 << 20);
	assert_non_null(p);
	b.len = fread(p, 1, 1 << 20, f);
	assert_int_equal(fclose(f), 0);
	/* A hard link of the log's own file (tl_copy_docs): a new file. */
	assert_int_equal(unlink(path), 0);
	if (strncmp(how, "/rm ", 4) != 0) {
		assert_true(b.len > 0);
		b.data[b.len - 1] = 'X';
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
		assert_int_equal(fclose(f), 0);
	}
	buf_free(&b);
}

/* The audit of a copy of the log changed by sql (or by doc_file_tamper,
 * when it starts with a slash) fails rule and name, naming what. */
static void tampered(const char *sql, int rule, const char *name,
		     const char *what, bool only)
{
	char copy[PATH_MAX + 32];
	struct verify_report rep;
	struct audit_result res;
	tl_copy_db(&t, "tampered.db", copy);
	if (sql[0] == '/')
		doc_file_tamper(copy, sql);
	else if (tl_exec(&t, copy, sql) < 1)
		fail_msg("changed nothing: %s", sql);
	audit_path(copy, NULL, NULL, false, &rep, &res);
	expect_failed(&rep, rule, name, what, only);
	verify_report_free(&rep);
	/* With the documents and attestations on threads: the same. */
	audit_path(copy, NULL, NULL, true, &rep, &res);
	expect_failed(&rep, rule, name, what, only);
	verify_report_free(&rep);
	unlink(copy);
}

static void test_tampered(void **state)
{
	(void)state;
	char sql[512], hex[2 * HASH_LEN + 1], what[64];

	/* A byte of document 2's file: named by its hash. */
	hex_encode(hex, doc_sha[2], HASH_LEN);
	snprintf(sql, sizeof sql, "/cut %s", hex);
	snprintf(what, sizeof what, "%.16s", hex);
	tampered(sql, 4, "document", what, true);

	/* Document 1's file gone: named by its hash, as missing. */
	hex_encode(hex, doc_sha[1], HASH_LEN);
	snprintf(sql, sizeof sql, "/rm %s", hex);
	snprintf(what, sizeof what, "%.16s", hex);
	tampered(sql, 4, "document", what, true);

	/* Document 3's row deleted: named by its entry. */
	hex_encode(hex, doc_sha[3], HASH_LEN);
	snprintf(sql, sizeof sql, "DELETE FROM documents WHERE sha256 = x'%s'",
		 hex);
	snprintf(what, sizeof what, "entry %lld", (long long)doc_idx[3]);
	tampered(sql, 4, "document", what, false);

	/* A venue's name: its leaf is no longer the stored one. */
	entry_sql(sql, sizeof sql, 0, "name Bar Uno", "name Bar Une");
	tampered(sql, 2, "tree", "entry 0", false);

	/* The attested document's date: its attestation no longer holds. */
	entry_sql(sql, sizeof sql, attested_idx, "performed 2026-11-20",
		  "performed 2026-11-19");
	tampered(sql, 5, "attestation", NULL, false);

	/* An entry that no longer parses (a space after a value). */
	entry_sql(sql, sizeof sql, doc_idx[1], "title Document 1",
		  "title Document 1 ");
	snprintf(what, sizeof what, "entry %lld", (long long)doc_idx[1]);
	tampered(sql, 3, "entry", what, false);

	/* An entry filed under another venue-seq than its text says. */
	snprintf(sql, sizeof sql,
		 "UPDATE entries SET venue_seq = 99 WHERE idx = %lld",
		 (long long)doc_idx[3]);
	tampered(sql, 3, "chain", NULL, false);

	/* A stored hash: the first run's first hash zeroed. */
	tampered("UPDATE hash_runs SET hashes = CAST(zeroblob(32) || "
		 "substr(hashes, 33) AS BLOB) WHERE first = 0",
		 2, "tree", "stored hash", true);

	/* The newest checkpoint's signature: one character of it. */
	tampered("UPDATE checkpoints SET note = replace(note, "
		 "'\n\xe2\x80\x94 " TL_ORIGIN " ', '\n\xe2\x80\x94 " TL_ORIGIN
		 " A')"
		 " WHERE size = (SELECT max(size) FROM checkpoints)",
		 1, "checkpoint signature", NULL, false);

	/* The last entry's row gone: the newest checkpoint counts more. */
	tampered("DELETE FROM entries WHERE idx = (SELECT max(idx) FROM "
		 "entries)",
		 1, "checkpoint", NULL, false);
}

/* The newest checkpoint kept in the database at path. */
static void newest_note(const char *path, struct buf *out)
{
	struct store *s = NULL;
	struct err e;
	assert_int_equal(store_open(path, STORE_READONLY, &s, &e), ST_OK);
	buf_init(out, 1 << 16);
	assert_int_equal(store_checkpoint(s, -1, out, NULL, NULL), ST_OK);
	store_close(s);
}

static void test_seen(void **state)
{
	(void)state;
	char old[PATH_MAX + 32], fork[PATH_MAX + 32];
	struct buf seen, grown;
	struct verify_report rep;
	struct audit_result res;

	tl_copy_db(&t, "old.db", old);
	tl_copy_db(&t, "fork.db", fork);
	newest_note(old, &seen);

	/* The log itself holds what was seen, and after it grew too. */
	audit_path(old, NULL, buf_str(&seen), false, &rep, &res);
	assert_true(rep.ok);
	verify_report_free(&rep);
	tl_append_to(&t, NULL, V2, 6000);
	audit_path(t.db, NULL, buf_str(&seen), false, &rep, &res);
	assert_true(rep.ok);
	verify_report_free(&rep);

	/* A copy from before it grew: a rollback. */
	newest_note(t.db, &grown);
	audit_path(old, NULL, buf_str(&grown), false, &rep, &res);
	expect_failed(&rep, 8, "rollback", NULL, true);
	verify_report_free(&rep);

	/* A copy that grew otherwise: a fork at the size seen. */
	tl_append_to(&t, fork, V2, 6001);
	audit_path(fork, NULL, buf_str(&grown), false, &rep, &res);
	expect_failed(&rep, 8, "rollback or fork", NULL, true);
	verify_report_free(&rep);

	/* A checkpoint seen under another key. */
	struct note_signer *other = NULL;
	struct err e;
	struct checkpoint c = {.origin = TL_ORIGIN, .size = 1};
	struct buf note;
	buf_init(&note, 1 << 16);
	assert_int_equal(note_signer_generate(TL_ORIGIN, &other, &e), ST_OK);
	assert_int_equal(checkpoint_sign(other, &c, &note, &e), ST_OK);
	audit_path(old, NULL, buf_str(&note), false, &rep, &res);
	expect_failed(&rep, 8, "log key changed", NULL, true);
	verify_report_free(&rep);

	/* Another log key: no kept checkpoint is signed by it. */
	struct note_verifier v;
	note_signer_verifier(other, &v);
	audit_path(old, &v, NULL, false, &rep, &res);
	expect_failed(&rep, 1, "checkpoint signature", "size", false);
	verify_report_free(&rep);

	note_signer_free(other);
	buf_free(&note);
	buf_free(&seen);
	buf_free(&grown);
	unlink(old);
	unlink(fork);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_seen),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
