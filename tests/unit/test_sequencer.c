/*
 * test_sequencer.c: the one writer of the log (store/sequencer.h), as
 * its header and DESIGN.md's rules say it behaves.
 *
 * Accepted: a batch of a venue and its documents gets consecutive
 * indexes, the venue-seq and prev of each entry chain it to the one
 * before (prev is that entry's leaf hash), the leaf hash given back is
 * that of the bytes stored, the document is stored by its SHA-256, and
 * the checkpoint given back is signed by the log key over the root of
 * the stored tree.  Refused, each with its status and a message: a venue
 * twice, an unknown venue, a venue id that is not one, an empty, foreign
 * or oversized document, a date after the log's today, an expiry before
 * the work, an unknown type, a revocation of nothing, of a venue entry or
 * of a revoked document, attestations without a provider, of an unknown
 * provider, by a key not in force or over other fields, provider entries
 * that revoke nothing or repeat the key in force.  A refused request
 * changes nothing and does not stop the others; a batch whose commit
 * fails writes nothing and says so on each request.  The log's time
 * never goes back, and a kept checkpoint can be signed as the log is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "core/attest.h"
#include "core/merkle.h"
#include "lib/testlog.h"

#define V1	 "k7m2q9xa"
#define V2	 "p3x8vz2e"
#define PROVIDER "clean.example"

static struct testlog t;

static int setup(void **state)
{
	(void)state;
	tl_open(&t, NULL);
	tl_add_venue(&t, V2, "Trattoria Due");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tl_close(&t);
	return 0;
}

static int64_t log_size(void)
{
	int64_t n = -1;
	assert_int_equal(store_log_size(t.s, &n, NULL), ST_OK);
	return n;
}

/* The leaf hash of the stored entry at index. */
static void stored_leaf(int64_t index, uint8_t leaf[HASH_LEN])
{
	struct buf b;
	buf_init(&b, ENTRY_MAX);
	assert_int_equal(store_entry(t.s, index, &b, NULL), ST_OK);
	merkle_leaf_hash(leaf, b.data, b.len);
	buf_free(&b);
}

/* The stored entry at index, parsed. */
static void stored_entry(int64_t index, struct entry *en)
{
	struct buf b;
	struct err e;
	buf_init(&b, ENTRY_MAX);
	assert_int_equal(store_entry(t.s, index, &b, NULL), ST_OK);
	assert_int_equal(entry_parse(buf_str(&b), b.len, en, &e), ST_OK);
	buf_free(&b);
}

static void test_accepted(void **state)
{
	(void)state;
	struct seq_request rq[3];
	uint8_t doc[2][TL_PDF], sha[HASH_LEN], leaf[HASH_LEN], root[HASH_LEN];
	struct buf cp, got;
	struct err e;
	int64_t size = log_size();

	tl_venue_request(&rq[0], V1, "Bar Uno", true);
	tl_pdf(1, doc[0]);
	tl_pdf(2, doc[1]);
	tl_document_request(&rq[1], V1, "Sanificazione", doc[0], TL_PDF);
	tl_document_request(&rq[2], V1, "Disinfezione", doc[1], TL_PDF);
	snprintf(rq[2].entry.expires, sizeof rq[2].entry.expires, "2027-11-20");
	buf_init(&cp, 1 << 16);
	assert_int_equal(sequencer_append(t.q, rq, 3, &cp, &e), ST_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rq[i].status, ST_OK);
		assert_int_equal(rq[i].index, size + i);
		assert_int_equal(rq[i].entry.venue_seq, i);
		assert_string_equal(rq[i].entry.logged, TL_NOW);
		stored_leaf(rq[i].index, leaf);
		assert_memory_equal(rq[i].leaf, leaf, HASH_LEN);
		struct entry en;
		stored_entry(rq[i].index, &en);
		assert_int_equal(en.venue_seq, i);
		assert_int_equal(en.has_prev, i > 0);
		if (i > 0)
			assert_memory_equal(en.prev, rq[i - 1].leaf, HASH_LEN);
	}
	assert_int_equal(log_size(), size + 3);
	int64_t head = 0, seq = 0;
	assert_int_equal(store_venue_head(t.s, V1, &head, &seq, NULL), ST_OK);
	assert_int_equal(head, size + 2);
	assert_int_equal(seq, 2);

	/* The document, by its SHA-256, on its doc line. */
	sha256(sha, doc[1], TL_PDF);
	assert_memory_equal(rq[2].entry.doc_sha256, sha, HASH_LEN);
	assert_int_equal(rq[2].entry.doc_size, TL_PDF);
	assert_string_equal(rq[2].entry.doc_mime, "application/pdf");
	char mime[32];
	buf_init(&got, 1024);
	assert_int_equal(store_document(t.s, sha, &got, mime, NULL), ST_OK);
	assert_memory_equal(got.data, doc[1], TL_PDF);
	buf_free(&got);

	/* The checkpoint: signed by the log key, over the stored tree. */
	struct checkpoint c;
	assert_int_equal(checkpoint_open(buf_str(&cp), cp.len, &t.key, &c, &e),
			 ST_OK);
	assert_int_equal(c.size, size + 3);
	assert_int_equal(merkle_tree_hash(c.size, store_merkle_reader,
					  &(struct store_reader){t.s, NULL},
					  root),
			 ST_OK);
	assert_memory_equal(c.root, root, HASH_LEN);
	int64_t kept = 0;
	buf_reset(&cp);
	assert_int_equal(store_checkpoint(t.s, -1, &cp, &kept, NULL), ST_OK);
	assert_int_equal(kept, size + 3);
	buf_free(&cp);
}

/* A provider key entry for key (name and display name from it). */
static void provider_key(struct seq_request *rq, const struct note_signer *key)
{
	struct note_verifier v;
	memset(rq, 0, sizeof *rq);
	rq->entry.kind = ENTRY_PROVIDER_KEY;
	note_signer_verifier(key, &v);
	snprintf(rq->entry.name, sizeof rq->entry.name, "%s", v.name);
	note_verifier_format(&v, rq->entry.vkey, sizeof rq->entry.vkey);
	snprintf(rq->entry.display_name, sizeof rq->entry.display_name,
		 "Clean Co");
}

static void provider_revoke(struct seq_request *rq, const char *name)
{
	memset(rq, 0, sizeof *rq);
	rq->entry.kind = ENTRY_PROVIDER_REVOKE;
	snprintf(rq->entry.name, sizeof rq->entry.name, "%s", name);
	snprintf(rq->entry.reason, sizeof rq->entry.reason, "rotated");
}

/* Signs the attestation of document request rq by key into att, over
 * rq's own fields. */
static void attest(struct seq_request *rq, const struct note_signer *key,
		   struct buf *att)
{
	struct err e;
	struct note_verifier v;
	struct attest_fields f = {
		.venue = rq->entry.venue,
		.type = rq->entry.type,
		.performed = rq->entry.performed,
		.expires = rq->entry.expires,
	};
	note_signer_verifier(key, &v);
	snprintf(rq->entry.provider, sizeof rq->entry.provider, "%s", v.name);
	sha256(f.doc, rq->doc, rq->doc_len);
	buf_reset(att);
	assert_int_equal(attest_sign(key, &f, att, &e), ST_OK);
	rq->attestation = buf_str(att);
	rq->attestation_len = att->len;
}

/* Appends bad (which must be refused with want) in a batch before a
 * good document of V2; the good one is logged right after the entries
 * before, and the bad one changed nothing. */
static void refused(const struct seq_request *bad, enum status want,
		    const char *what)
{
	struct seq_request rq[2];
	static int n = 1000;
	uint8_t doc[TL_PDF];
	struct err e;
	int64_t size = log_size(), cps = 0;
	int64_t *sizes = NULL;
	size_t ncp = 0;
	assert_int_equal(store_checkpoint_sizes(t.s, &sizes, &ncp, NULL),
			 ST_OK);
	cps = (int64_t)ncp;
	free(sizes);

	rq[0] = *bad;
	tl_pdf(n++, doc);
	tl_document_request(&rq[1], V2, "After a refused one", doc, TL_PDF);
	assert_int_equal(sequencer_append(t.q, rq, 2, NULL, &e), ST_OK);
	if (rq[0].status != want)
		fail_msg("%s: %s (%s), not %s", what, status_str(rq[0].status),
			 rq[0].err.msg, status_str(want));
	if (rq[0].err.msg[0] == 0)
		fail_msg("%s: refused without a message", what);
	assert_int_equal(rq[0].index, -1);
	assert_int_equal(rq[1].status, ST_OK);
	assert_int_equal(rq[1].index, size);
	assert_int_equal(log_size(), size + 1);
	assert_int_equal(store_checkpoint_sizes(t.s, &sizes, &ncp, NULL),
			 ST_OK);
	assert_int_equal((int64_t)ncp, cps + 1);
	free(sizes);
}

static void test_refused(void **state)
{
	(void)state;
	struct seq_request rq;
	uint8_t doc[TL_PDF], big[101];

	tl_venue_request(&rq, V2, "Again", true);
	refused(&rq, ST_CONFLICT, "a venue twice");
	tl_venue_request(&rq, "BADVENUE", "Bad", true);
	refused(&rq, ST_INVALID, "not a venue id");

	tl_pdf(1, doc);
	tl_document_request(&rq, "zzzzzzzz", "Nowhere", doc, TL_PDF);
	refused(&rq, ST_NOT_FOUND, "a document of an unknown venue");
	tl_document_request(&rq, V2, "Empty", NULL, 0);
	refused(&rq, ST_INVALID, "an empty document");
	tl_document_request(&rq, V2, "Text", (const uint8_t *)"plain text", 10);
	refused(&rq, ST_UNSUPPORTED, "a text file");
	memset(big, 0, sizeof big);
	memcpy(big, "%PDF-1.4", 8);
	sequencer_set_doc_max(t.q, 100);
	tl_document_request(&rq, V2, "Big", big, sizeof big);
	refused(&rq, ST_TOO_LARGE, "a document over the limit");
	sequencer_set_doc_max(t.q, DOC_MAX_DEFAULT);
	tl_document_request(&rq, V2, "Big", big, sizeof big);
	tl_append(&t, &rq, 1);

	tl_document_request(&rq, V2, "Tomorrow", doc, TL_PDF);
	snprintf(rq.entry.performed, sizeof rq.entry.performed, "2026-11-26");
	refused(&rq, ST_INVALID, "performed after the log's today");
	tl_document_request(&rq, V2, "Expired", doc, TL_PDF);
	snprintf(rq.entry.expires, sizeof rq.entry.expires, "2026-11-19");
	refused(&rq, ST_INVALID, "expires before performed");
	tl_document_request(&rq, V2, "Typeless", doc, TL_PDF);
	snprintf(rq.entry.type, sizeof rq.entry.type, "cleaning");
	refused(&rq, ST_INVALID, "an unknown type");
	tl_document_request(&rq, V2, "", doc, TL_PDF);
	refused(&rq, ST_INVALID, "an empty title");
}

static void test_revocations(void **state)
{
	(void)state;
	struct seq_request rq;
	int64_t seq = 0, head = 0;
	tl_add_document(&t, V2, 2000);
	assert_int_equal(store_venue_head(t.s, V2, &head, &seq, NULL), ST_OK);

	tl_revocation_request(&rq, V2, seq + 5, "no such");
	refused(&rq, ST_CONFLICT, "a revocation of a later entry");
	tl_revocation_request(&rq, V2, 0, "the venue");
	refused(&rq, ST_CONFLICT, "a revocation of the venue entry");
	tl_revocation_request(&rq, "zzzzzzzz", 1, "unknown venue");
	refused(&rq, ST_NOT_FOUND, "a revocation for an unknown venue");

	tl_revocation_request(&rq, V2, seq, "wrong file");
	tl_append(&t, &rq, 1);
	bool revoked = false;
	assert_int_equal(store_is_revoked(t.s, V2, seq, &revoked, NULL), ST_OK);
	assert_true(revoked);
	tl_revocation_request(&rq, V2, seq, "again");
	refused(&rq, ST_CONFLICT, "a revocation of a revoked document");
	/* A revocation entry is no document to revoke. */
	assert_int_equal(store_venue_head(t.s, V2, &head, &seq, NULL), ST_OK);
	tl_revocation_request(&rq, V2, seq - 1, "a revocation");
	refused(&rq, ST_CONFLICT, "a revocation of a revocation");
}

static void test_attestations(void **state)
{
	(void)state;
	struct note_signer *k1 = NULL, *k2 = NULL;
	struct seq_request rq[2];
	uint8_t doc[TL_PDF];
	struct buf att;
	struct err e;
	buf_init(&att, 4096);
	assert_int_equal(note_signer_generate(PROVIDER, &k1, &e), ST_OK);
	assert_int_equal(note_signer_generate(PROVIDER, &k2, &e), ST_OK);

	tl_pdf(3000, doc);
	tl_document_request(&rq[0], V2, "Attested", doc, TL_PDF);
	attest(&rq[0], k1, &att);
	refused(&rq[0], ST_NOT_FOUND, "an attestation of an unknown provider");
	provider_revoke(&rq[0], PROVIDER);
	refused(&rq[0], ST_NOT_FOUND, "a provider revocation of no key");

	provider_key(&rq[0], k1);
	tl_append(&t, rq, 1);
	provider_key(&rq[0], k1);
	refused(&rq[0], ST_CONFLICT, "the key in force again");

	tl_document_request(&rq[0], V2, "Attested", doc, TL_PDF);
	attest(&rq[0], k1, &att);
	rq[0].entry.provider[0] = 0;
	refused(&rq[0], ST_INVALID, "an attestation without a provider");
	tl_document_request(&rq[0], V2, "Attested", doc, TL_PDF);
	attest(&rq[0], k2, &att);
	refused(&rq[0], ST_BAD_SIGNATURE, "an attestation by another key");
	tl_document_request(&rq[0], V2, "Attested", doc, TL_PDF);
	attest(&rq[0], k1, &att);
	snprintf(rq[0].entry.performed, sizeof rq[0].entry.performed,
		 "2026-11-19");
	refused(&rq[0], ST_BAD_SIGNATURE, "an attestation of another date");

	/* The good one: the entry carries the attestation's line. */
	tl_document_request(&rq[0], V2, "Attested", doc, TL_PDF);
	attest(&rq[0], k1, &att);
	tl_append(&t, rq, 1);
	struct entry en;
	stored_entry(rq[0].index, &en);
	assert_string_equal(en.provider, PROVIDER);
	struct note_verifier v;
	note_signer_verifier(k1, &v);
	struct attest_fields f = {.venue = V2,
				  .type = en.type,
				  .performed = en.performed,
				  .expires = en.expires};
	memcpy(f.doc, en.doc_sha256, HASH_LEN);
	assert_int_equal(attest_verify_line(en.attestation, &f, &v, &e), ST_OK);

	/* Once the provider is revoked, none is taken. */
	provider_revoke(&rq[0], PROVIDER);
	tl_append(&t, rq, 1);
	tl_document_request(&rq[0], V2, "Attested", doc, TL_PDF);
	attest(&rq[0], k1, &att);
	refused(&rq[0], ST_NOT_FOUND, "an attestation after the revocation");

	buf_free(&att);
	note_signer_free(k1);
	note_signer_free(k2);
}

/* Good, refused, good in one batch: the refused one takes no index, and
 * the chain goes from the first to the third. */
static void test_mixed_batch(void **state)
{
	(void)state;
	struct seq_request rq[3];
	uint8_t doc[3][TL_PDF];
	struct err e;
	int64_t size = log_size();
	for (int i = 0; i < 3; i++) {
		tl_pdf(4000 + i, doc[i]);
		tl_document_request(&rq[i], V2, "Batch", doc[i], TL_PDF);
	}
	snprintf(rq[1].entry.type, sizeof rq[1].entry.type, "nonsense");
	assert_int_equal(sequencer_append(t.q, rq, 3, NULL, &e), ST_OK);
	assert_int_equal(rq[0].status, ST_OK);
	assert_int_equal(rq[1].status, ST_INVALID);
	assert_int_equal(rq[2].status, ST_OK);
	assert_int_equal(rq[0].index, size);
	assert_int_equal(rq[2].index, size + 1);
	assert_int_equal(rq[2].entry.venue_seq, rq[0].entry.venue_seq + 1);
	assert_memory_equal(rq[2].entry.prev, rq[0].leaf, HASH_LEN);

	/* Nothing to commit: no new checkpoint either. */
	int64_t *sizes = NULL;
	size_t before = 0, after = 0;
	assert_int_equal(store_checkpoint_sizes(t.s, &sizes, &before, NULL),
			 ST_OK);
	free(sizes);
	assert_int_equal(sequencer_append(t.q, rq + 1, 1, NULL, &e), ST_OK);
	assert_int_equal(rq[1].status, ST_INVALID);
	assert_int_equal(store_checkpoint_sizes(t.s, &sizes, &after, NULL),
			 ST_OK);
	free(sizes);
	assert_int_equal(after, before);
	assert_int_equal(log_size(), size + 2);
}

/* A batch the database refuses at the end writes nothing; every request
 * says why, with the batch's status; the next batch goes in. */
static void test_batch_fails(void **state)
{
	(void)state;
	struct seq_request rq[2];
	uint8_t doc[2][TL_PDF + 1];
	struct err e = {.msg = ""};
	int64_t size = log_size();
	tl_exec(&t, NULL,
		"CREATE TRIGGER unit_refuse BEFORE INSERT ON documents"
		" WHEN NEW.size = 65 BEGIN"
		" SELECT RAISE(ABORT, 'refused by the test'); END");
	for (int i = 0; i < 2; i++) {
		tl_pdf(5000 + i, doc[i]);
		doc[i][TL_PDF] = '\n';
		tl_document_request(&rq[i], V2, "Refused", doc[i], TL_PDF);
	}
	rq[1].doc_len = TL_PDF + 1;
	enum status r = sequencer_append(t.q, rq, 2, NULL, &e);
	assert_int_not_equal(r, ST_OK);
	assert_true(e.msg[0] != 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rq[i].status, sequencer_batch_status(r));
		assert_int_equal(rq[i].index, -1);
		assert_true(rq[i].err.msg[0] != 0);
	}
	assert_int_equal(log_size(), size);
	tl_exec(&t, NULL, "DROP TRIGGER unit_refuse");
	tl_append(&t, rq, 2);
	assert_int_equal(rq[0].index, size);

	assert_int_equal(sequencer_batch_status(ST_BUSY), ST_BUSY);
	assert_int_equal(sequencer_batch_status(ST_FULL), ST_FULL);
	assert_int_equal(sequencer_batch_status(ST_IO), ST_IO);
	assert_int_equal(sequencer_batch_status(ST_CONFLICT), ST_INTERNAL);
	assert_int_equal(sequencer_batch_status(ST_INVALID), ST_INTERNAL);
}

/* The log's clock: SANILOG_NOW, checked; an entry is never logged before
 * the one before it. */
static void test_clock(void **state)
{
	(void)state;
	char now[21];
	struct err e;
	struct seq_request rq;
	assert_int_equal(log_now(now, &e), ST_OK);
	assert_string_equal(now, TL_NOW);
	setenv("SANILOG_NOW", "2026-11-25 09:00:00", 1);
	assert_int_equal(log_now(now, &e), ST_INVALID);
	setenv("SANILOG_NOW", "2026-11-24T08:00:00Z", 1);
	tl_venue_request(&rq, V2, "Trattoria Due, renamed", false);
	tl_append(&t, &rq, 1);
	assert_string_equal(rq.entry.logged, TL_NOW);
	setenv("SANILOG_NOW", "2026-11-26T10:00:00Z", 1);
	tl_venue_request(&rq, V2, "Trattoria Due", false);
	tl_append(&t, &rq, 1);
	assert_string_equal(rq.entry.logged, "2026-11-26T10:00:00Z");
	setenv("SANILOG_NOW", TL_NOW, 1);
	char last[21];
	assert_int_equal(store_last_logged(t.s, last, NULL), ST_OK);
	assert_string_equal(last, "2026-11-26T10:00:00Z");
}

/* sequencer_checkpoint signs the log as it is; a signer of another
 * origin is refused. */
static void test_checkpoint(void **state)
{
	(void)state;
	struct buf cp;
	struct err e;
	struct checkpoint c;
	buf_init(&cp, 1 << 16);
	assert_int_equal(sequencer_checkpoint(t.q, &cp, &e), ST_OK);
	assert_int_equal(checkpoint_open(buf_str(&cp), cp.len, &t.key, &c, &e),
			 ST_OK);
	assert_int_equal(c.size, log_size());
	buf_free(&cp);

	struct note_signer *other = NULL;
	struct sequencer *q = NULL;
	assert_int_equal(note_signer_generate("other.example/log", &other, &e),
			 ST_OK);
	assert_int_equal(sequencer_new(t.s, other, &q, &e), ST_INVALID);
	assert_null(q);
	note_signer_free(other);
	/* The log's origin, but not its key. */
	assert_int_equal(note_signer_generate(TL_ORIGIN, &other, &e), ST_OK);
	assert_int_equal(sequencer_new(t.s, other, &q, &e), ST_INVALID);
	assert_null(q);
	note_signer_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_revocations),
		cmocka_unit_test(test_attestations),
		cmocka_unit_test(test_mixed_batch),
		cmocka_unit_test(test_batch_fails),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_checkpoint),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
