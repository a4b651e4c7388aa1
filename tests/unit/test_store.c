/*
 * test_store.c: the store's ways of finding rows again (store/store.h)
 * after many appends through the sequencer: each venue's chain of rows,
 * its head, and documents by their hash, their keys in the index's
 * generations, merged or not; the refusals that keep those rows in
 * order; the shared cache of stored hashes (store/treecache.h);
 * documents stored once with their keys kept in memory; the venues' heads
 * a writer keeps in memory; attestations checked against the provider's
 * key of the moment, and the provider entries a venue's bundle holds; the
 * witness-policy entries found again, and the witnesses' cosignatures
 * kept, the newest of each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/attest.h"
#include "core/hash.h"
#include "core/merkle.h"
#include "core/verify.h"
#include "lib/testlog.h"
#include "store/audit.h"
#include "store/export.h"
#include "store/sequencer.h"
#include "store/store.h"
#include "store/treecache.h"
#include "lib/rm_rf.h"

#define ORIGIN "test.example/log"
#define VENUES 7
#define DOCS   6000 /* 12 batches: 8 generations merged, 4 not */
#define BATCH  500  /* as test_documents_by_hash counts */

struct fixture {
	char dir[PATH_MAX];
	char path[PATH_MAX + 16];
	struct note_signer *signer;
	struct store *s;
	struct sequencer *q;
};

static void venue_name(int v, char out[VENUE_ID_LEN + 1])
{
	snprintf(out, VENUE_ID_LEN + 1, "venueaa%c", VENUE_ALPHABET[v]);
}

/* The bytes of document d: a PDF by its magic, different for each d. */
static void doc_bytes(int d, uint8_t out[64])
{
	memset(out, 0, 64);
	snprintf((char *)out, 64, "%%PDF-1.4 document %d", d);
}

/* The SQLite value of a one-number query on the fixture's database. */
static int64_t count(const struct fixture *f, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n = -1;
	assert_int_equal(
		sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* Appends reqs[0..n) and checks that each was logged. */
static void append(struct fixture *f, struct seq_request *reqs, size_t n)
{
	struct err e;
	assert_int_equal(sequencer_append(f->q, reqs, n, NULL, &e), ST_OK);
	for (size_t i = 0; i < n; i++) {
		if (reqs[i].status != ST_OK)
			fail_msg("request %zu: %s", i, reqs[i].err.msg);
	}
}

static void document_request(struct seq_request *rq, int d, uint8_t *doc)
{
	memset(rq, 0, sizeof *rq);
	doc_bytes(d, doc);
	rq->entry.kind = ENTRY_DOCUMENT;
	venue_name(d % VENUES, rq->entry.venue);
	snprintf(rq->entry.type, sizeof rq->entry.type, "sanitization");
	snprintf(rq->entry.title, sizeof rq->entry.title, "Document %d", d);
	snprintf(rq->entry.performed, sizeof rq->entry.performed, "2026-01-15");
	snprintf(rq->entry.submitted_by, sizeof rq->entry.submitted_by,
		 "operator");
	rq->doc = doc;
	rq->doc_len = 64;
}

/* A log of VENUES venues and DOCS documents spread over them. */
static int setup(void **state)
{
	static struct fixture f;
	struct err e;
	uint8_t seed[32];
	static struct seq_request reqs[BATCH];
	static uint8_t docs[BATCH][64];

	if (sodium_init() < 0)
		return -1;
	memset(&f, 0, sizeof f);
	snprintf(f.dir, sizeof f.dir, "%s/sanilog-store.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(f.dir) == NULL)
		return -1;
	snprintf(f.path, sizeof f.path, "%s/log.db", f.dir);
	memset(seed, 7, sizeof seed);
	char vkey[NOTE_VKEY_MAX + 1];
	struct note_verifier v;
	if (note_signer_from_seed(ORIGIN, seed, &f.signer, &e) != ST_OK ||
	    store_open(f.path, STORE_CREATE, &f.s, &e) != ST_OK)
		return -1;
	note_signer_verifier(f.signer, &v);
	note_verifier_format(&v, vkey, sizeof vkey);
	if (store_meta_set(f.s, "origin", ORIGIN, NULL) != ST_OK ||
	    store_meta_set(f.s, "vkey", vkey, NULL) != ST_OK ||
	    sequencer_new(f.s, f.signer, &f.q, &e) != ST_OK)
		return -1;
	setenv("SANILOG_NOW", "2026-11-25T09:00:00Z", 1);

	for (int i = 0; i < VENUES; i++) {
		struct seq_request *rq = &reqs[i];
		memset(rq, 0, sizeof *rq);
		rq->entry.kind = ENTRY_VENUE;
		rq->new_venue = true;
		venue_name(i, rq->entry.venue);
		snprintf(rq->entry.name, sizeof rq->entry.name, "Venue %d", i);
		snprintf(rq->entry.address, sizeof rq->entry.address,
			 "Street %d", i);
		rq->entry.interval_days = 30;
	}
	append(&f, reqs, VENUES);
	for (int d = 0; d < DOCS; d += BATCH) {
		for (int i = 0; i < BATCH; i++)
			document_request(&reqs[i], d + i, docs[i]);
		append(&f, reqs, BATCH);
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	sequencer_free(f->q);
	store_close(f->s);
	note_signer_free(f->signer);
	return rm_rf(f->dir);
}

/* The rows of documents with SHA-256 sha. */
static int64_t doc_rows(const struct fixture *f, const uint8_t sha[HASH_LEN])
{
	char hex[2 * HASH_LEN + 1], sql[160 + 2 * HASH_LEN];
	for (int i = 0; i < HASH_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM documents WHERE sha256 = x'%s'", hex);
	return count(f, sql);
}

static void insert_doc(struct store *s, int d, bool commit)
{
	uint8_t doc[64], sha[HASH_LEN];
	doc_bytes(d, doc);
	sha256(sha, doc, sizeof doc);
	assert_int_equal(store_begin(s, NULL), ST_OK);
	assert_int_equal(store_insert_document(s, sha, "application/pdf", doc,
					       sizeof doc, NULL),
			 ST_OK);
	if (commit)
		assert_int_equal(store_commit(s, NULL), ST_OK);
	else
		store_rollback(s);
}

/* A new database has 16 KiB pages, and its WAL. */
static void test_new_file(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(count(f, "PRAGMA page_size"), 16384);
	assert_int_equal(count(f, "SELECT journal_mode = 'wal'"
				  " FROM pragma_journal_mode"),
			 1);
}

/* Keys were merged, and every document is found by its hash, whichever
 * generation holds its key. */
static void test_documents_by_hash(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(count(f, "SELECT count(*) FROM doc_gens"), 5);
	assert_int_equal(count(f, "SELECT count(*) FROM doc_gens"
				  " WHERE keys = 8 * 500"),
			 1);
	assert_int_equal(count(f, "SELECT sum(keys) FROM doc_gens"), DOCS);
	assert_int_equal(count(f, "SELECT sum(length(pairs)) / 16"
				  " FROM doc_chunks"),
			 DOCS);
	/* Chunks of at most 256 pairs, none left of merged generations. */
	assert_int_equal(count(f, "SELECT max(length(pairs)) FROM doc_chunks"),
			 256 * 16);
	assert_int_equal(count(f, "SELECT count(*) FROM doc_chunks WHERE gen"
				  " NOT IN (SELECT gen FROM doc_gens)"),
			 0);
	assert_int_equal(count(f, "SELECT count(*) FROM documents"), DOCS);

	struct buf out;
	buf_init(&out, 1024);
	for (int d = 0; d < DOCS; d++) {
		uint8_t doc[64], sha[HASH_LEN];
		char mime[32];
		int64_t size = 0;
		doc_bytes(d, doc);
		sha256(sha, doc, sizeof doc);
		assert_int_equal(
			store_document_meta(f->s, sha, &size, mime, NULL),
			ST_OK);
		assert_int_equal(size, 64);
		assert_string_equal(mime, "application/pdf");
		buf_reset(&out);
		assert_int_equal(store_document(f->s, sha, &out, mime, NULL),
				 ST_OK);
		assert_memory_equal(out.data, doc, sizeof doc);
	}
	uint8_t none[HASH_LEN];
	char mime[32];
	int64_t size = 0;
	memset(none, 0xab, sizeof none);
	assert_int_equal(store_document_meta(f->s, none, &size, mime, NULL),
			 ST_NOT_FOUND);
	buf_free(&out);
}

/* A document stored again is kept once, whichever generation has its
 * key, and so is one given twice in one transaction. */
static void test_document_once(void **state)
{
	struct fixture *f = *state;
	struct seq_request rq[4];
	uint8_t doc[4][64];
	document_request(&rq[0], 12, doc[0]);	    /* key merged */
	document_request(&rq[1], DOCS - 1, doc[1]); /* the newest generation */
	document_request(&rq[2], -7, doc[2]);	    /* new, ... */
	document_request(&rq[3], -7, doc[3]);	    /* ... and again */
	append(f, rq, 4);
	uint8_t sha[HASH_LEN];
	sha256(sha, doc[2], sizeof doc[2]);
	assert_int_equal(doc_rows(f, sha), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM documents"), DOCS + 1);
	assert_int_equal(count(f, "SELECT count(*) FROM entries"),
			 VENUES + DOCS + 4);
}

/* Two documents whose hashes share their first 8 bytes: both are kept,
 * each found by its own hash. */
static void test_shared_key(void **state)
{
	struct fixture *f = *state;
	uint8_t sha[2][HASH_LEN], doc[2][64];
	struct buf out;
	buf_init(&out, 1024);
	for (int i = 0; i < 2; i++) {
		doc_bytes(100000 + i, doc[i]);
		memset(sha[i], 0x5a, HASH_LEN);
		sha[i][HASH_LEN - 1] = (uint8_t)i; /* differ past the key */
	}
	assert_int_equal(store_begin(f->s, NULL), ST_OK);
	for (int i = 0; i < 2; i++)
		assert_int_equal(
			store_insert_document(f->s, sha[i], "application/pdf",
					      doc[i], sizeof doc[i], NULL),
			ST_OK);
	for (int i = 0; i < 2; i++) {
		char mime[32];
		buf_reset(&out);
		assert_int_equal(store_document(f->s, sha[i], &out, mime, NULL),
				 ST_OK);
		assert_memory_equal(out.data, doc[i], sizeof doc[i]);
	}
	store_rollback(f->s);
	buf_free(&out);
}

/* Each venue's chain of rows gives its entries in order. */
static void test_venue_chains(void **state)
{
	struct fixture *f = *state;
	int64_t total = 0;
	for (int v = 0; v < VENUES; v++) {
		char id[VENUE_ID_LEN + 1];
		int64_t *idx = NULL, head = 0, seq = 0, at = 0;
		size_t n = 0;
		venue_name(v, id);
		assert_int_equal(store_venue_indexes(f->s, id, &idx, &n, NULL),
				 ST_OK);
		assert_int_equal(store_venue_head(f->s, id, &head, &seq, NULL),
				 ST_OK);
		assert_int_equal((int64_t)n, seq + 1);
		assert_int_equal(idx[n - 1], head);
		assert_int_equal(idx[0], v); /* the venue entries came first */
		for (size_t i = 1; i < n; i++)
			assert_true(idx[i] > idx[i - 1]);
		assert_int_equal(store_venue_entry(f->s, id, 3, &at, NULL),
				 ST_OK);
		assert_int_equal(at, idx[3]);
		assert_int_equal(
			store_venue_entry(f->s, id, seq + 1, &at, NULL),
			ST_NOT_FOUND);
		total += (int64_t)n;
		free(idx);
	}
	assert_int_equal(total, count(f, "SELECT count(*) FROM entries"));

	char **ids = NULL;
	size_t n = 0;
	assert_int_equal(store_venue_ids(f->s, &ids, &n, NULL), ST_OK);
	assert_int_equal(n, VENUES);
	for (size_t i = 0; i < n; i++) {
		char id[VENUE_ID_LEN + 1];
		venue_name((int)i, id);
		assert_string_equal(ids[i], id);
		free(ids[i]);
	}
	free(ids);

	int64_t *idx = (int64_t *)1;
	assert_int_equal(store_venue_indexes(f->s, "nosuchvn", &idx, &n, NULL),
			 ST_OK);
	assert_int_equal(n, 0);
}

/* The store refuses a venue row that does not extend its chain by one,
 * whatever the caller says. */
static void test_venue_order_refused(void **state)
{
	struct fixture *f = *state;
	int64_t size = 0, head = 0, seq = 0;
	assert_int_equal(store_begin(f->s, NULL), ST_OK);
	assert_int_equal(store_log_size(f->s, &size, NULL), ST_OK);
	assert_int_equal(store_venue_head(f->s, "venueaab", &head, &seq, NULL),
			 ST_OK);
	/* The head's own number again, a gap, and a second venue entry. */
	const int64_t bad_seq[] = {seq, seq + 2, 0};
	for (size_t i = 0; i < sizeof bad_seq / sizeof bad_seq[0]; i++) {
		struct store_entry_row row = {
			.index = size,
			.text = "x",
			.len = 1,
			.venue = "venueaab",
			.venue_seq = bad_seq[i],
			.kind = ENTRY_DOCUMENT,
			.revokes = -1,
		};
		assert_int_equal(store_insert_entry(f->s, &row, NULL),
				 ST_CONFLICT);
	}
	/* The next number, at an index not after the head's. */
	struct store_entry_row back = {
		.index = head,
		.text = "x",
		.len = 1,
		.venue = "venueaab",
		.venue_seq = seq + 1,
		.kind = ENTRY_DOCUMENT,
		.revokes = -1,
	};
	assert_int_equal(store_insert_entry(f->s, &back, NULL), ST_CONFLICT);
	struct store_entry_row fresh = {
		.index = size,
		.text = "x",
		.len = 1,
		.venue = "venuezzz",
		.venue_seq = 1,
		.kind = ENTRY_DOCUMENT,
		.revokes = -1,
	};
	assert_int_equal(store_insert_entry(f->s, &fresh, NULL), ST_CONFLICT);
	store_rollback(f->s);
	assert_int_equal(store_venue_head(f->s, "venueaab", &head, &seq, NULL),
			 ST_OK);
	assert_int_equal(store_venue_head(f->s, "venuezzz", &head, &seq, NULL),
			 ST_NOT_FOUND);
}

/* Every stored hash of a log of `size` leaves: the cache's (through c
 * directly and through s, which uses it) equal the database's (through
 * f->s, which has no cache); nothing past them is in the cache. */
static void check_cached(struct fixture *f, struct tree_cache *c,
			 struct store *s, int64_t size)
{
	int64_t end = merkle_stored_count(size);
	for (int64_t id = 0; id < end; id++) {
		uint8_t want[1][HASH_LEN], got[1][HASH_LEN], mem[HASH_LEN];
		assert_int_equal(store_read_hashes(f->s, &id, 1, want, NULL),
				 ST_OK);
		assert_int_equal(store_read_hashes(s, &id, 1, got, NULL),
				 ST_OK);
		assert_memory_equal(got[0], want[0], HASH_LEN);
		assert_true(tree_cache_get(c, id, mem));
		assert_memory_equal(mem, want[0], HASH_LEN);
	}
	uint8_t mem[HASH_LEN];
	assert_false(tree_cache_get(c, end, mem));
	assert_false(tree_cache_get(c, -1, mem));
}

/* Proofs through s equal those through f->s, for every step-th leaf of
 * the tree of `size` leaves and for consistency with a spread of older
 * sizes. */
static void check_proofs(struct fixture *f, struct store *s, int64_t size,
			 int64_t step)
{
	uint8_t a[MERKLE_MAX_PROOF][HASH_LEN], b[MERKLE_MAX_PROOF][HASH_LEN];
	size_t na = 0, nb = 0;
	struct store_reader rf = {f->s, NULL}, rs = {s, NULL};
	for (int64_t i = 0; i < size; i += step) {
		assert_int_equal(merkle_prove_inclusion(i, size,
							store_merkle_reader,
							&rf, a, &na),
				 ST_OK);
		assert_int_equal(merkle_prove_inclusion(i, size,
							store_merkle_reader,
							&rs, b, &nb),
				 ST_OK);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, na * HASH_LEN);
	}
	for (int64_t old = 1; old < size; old += 97 * step) {
		assert_int_equal(merkle_prove_consistency(old, size,
							  store_merkle_reader,
							  &rf, a, &na),
				 ST_OK);
		assert_int_equal(merkle_prove_consistency(old, size,
							  store_merkle_reader,
							  &rs, b, &nb),
				 ST_OK);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, na * HASH_LEN);
	}
}

/* The cache loads a log's stored hashes, grows with it, and gives the
 * same hashes and proofs as the database. */
static void test_tree_cache(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct store *r = NULL;
	int64_t size = 0;
	uint8_t mem[HASH_LEN];
	struct tree_cache *c = tree_cache_new((size_t)64 << 20);
	assert_non_null(c);
	assert_false(tree_cache_get(c, 0, mem));
	assert_int_equal(tree_cache_leaves(c), 0);

	assert_int_equal(store_open(f->path, STORE_READONLY, &r, &e), ST_OK);
	store_use_tree_cache(r, c);
	assert_int_equal(store_log_size(f->s, &size, NULL), ST_OK);
	assert_int_equal(store_sync_tree_cache(r, c, true, &e), ST_OK);
	assert_int_equal(tree_cache_leaves(c), size);
	assert_true(tree_cache_bytes(c) >=
		    (size_t)merkle_stored_count(size) * HASH_LEN);
	check_cached(f, c, r, size);
	check_proofs(f, r, size, 1);

	/* The log grows; the cache follows, reading only what is new. */
	struct seq_request reqs[50];
	uint8_t docs[50][64];
	for (int i = 0; i < 50; i++)
		document_request(&reqs[i], 200000 + i, docs[i]);
	append(f, reqs, 50);
	assert_int_equal(store_sync_tree_cache(r, c, true, &e), ST_OK);
	assert_int_equal(tree_cache_leaves(c), size + 50);
	check_cached(f, c, r, size + 50);
	check_proofs(f, r, size + 50, 1);
	/* Nothing new: nothing to do, and a sync that does not wait. */
	assert_int_equal(store_sync_tree_cache(r, c, false, &e), ST_OK);
	assert_int_equal(tree_cache_leaves(c), size + 50);

	store_use_tree_cache(r, NULL);
	store_close(r);
	tree_cache_free(c);
}

/* A budget too small for one chunk of hashes caches nothing, and proofs
 * come from the database as before. */
static void test_tree_cache_budget(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct store *r = NULL;
	int64_t size = 0;
	uint8_t mem[HASH_LEN];
	struct tree_cache *c = tree_cache_new(4096);
	assert_non_null(c);
	assert_int_equal(store_open(f->path, STORE_READONLY, &r, &e), ST_OK);
	store_use_tree_cache(r, c);
	assert_int_equal(store_sync_tree_cache(r, c, true, &e), ST_OK);
	assert_int_equal(tree_cache_leaves(c), 0);
	assert_false(tree_cache_get(c, 0, mem));
	assert_int_equal(store_log_size(r, &size, NULL), ST_OK);
	check_proofs(f, r, size, 1);
	store_close(r);
	tree_cache_free(c);
}

/* Only a read-only connection may fill the cache: a writer's hashes could
 * still be rolled back. */
static void test_tree_cache_readers_only(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct tree_cache *c = tree_cache_new((size_t)64 << 20);
	assert_non_null(c);
	assert_int_equal(store_sync_tree_cache(f->s, c, true, &e), ST_INVALID);
	assert_int_equal(tree_cache_leaves(c), 0);
	tree_cache_free(c);
}

struct cache_reader {
	const char *path;
	struct tree_cache *c;
	int64_t lookups, wrong;
	int status;
	pthread_t tid;
};

/* Looks hashes up in the cache at random while it grows, and compares
 * each found with the database's. */
static void *read_while_growing(void *arg)
{
	struct cache_reader *cr = arg;
	struct store *s = NULL;
	struct err e;
	cr->status = store_open(cr->path, STORE_READONLY, &s, &e);
	for (int i = 0; cr->status == ST_OK && i < 20000; i++) {
		int64_t leaves = tree_cache_leaves(cr->c);
		int64_t end = merkle_stored_count(leaves);
		if (end == 0)
			continue;
		int64_t id = (int64_t)randombytes_uniform((uint32_t)end);
		uint8_t mem[HASH_LEN], db[1][HASH_LEN];
		if (!tree_cache_get(cr->c, id, mem))
			continue;
		cr->lookups++;
		cr->status = store_read_hashes(s, &id, 1, db, NULL);
		if (memcmp(mem, db[0], HASH_LEN) != 0)
			cr->wrong++;
	}
	store_close(s);
	return NULL;
}

/* A log whose hashes fill more than two chunks of the cache, grown while
 * two threads look hashes up: every hash found is the database's, and
 * the proofs too. */
static void test_tree_cache_grows_under_readers(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct store *r = NULL;
	struct tree_cache *c = tree_cache_new((size_t)64 << 20);
	assert_non_null(c);
	assert_int_equal(store_open(f->path, STORE_READONLY, &r, &e), ST_OK);
	store_use_tree_cache(r, c);
	assert_int_equal(store_sync_tree_cache(r, c, true, &e), ST_OK);

	struct cache_reader cr[2];
	for (int t = 0; t < 2; t++) {
		cr[t] = (struct cache_reader){.path = f->path, .c = c};
		assert_int_equal(pthread_create(&cr[t].tid, NULL,
						read_while_growing, &cr[t]),
				 0);
	}
	/* Three chunks of 65,536 stored hashes: a log of 66,000 leaves
	 * stores about 132,000. */
	static struct seq_request reqs[BATCH];
	static uint8_t docs[BATCH][64];
	int64_t size = 0;
	for (int d = 300000; size < 66000; d += BATCH) {
		for (int i = 0; i < BATCH; i++)
			document_request(&reqs[i], d + i, docs[i]);
		append(f, reqs, BATCH);
		assert_int_equal(store_sync_tree_cache(r, c, true, &e), ST_OK);
		assert_int_equal(store_log_size(f->s, &size, NULL), ST_OK);
		assert_int_equal(tree_cache_leaves(c), size);
	}
	for (int t = 0; t < 2; t++) {
		pthread_join(cr[t].tid, NULL);
		assert_int_equal(cr[t].status, ST_OK);
		assert_int_equal(cr[t].wrong, 0);
		assert_true(cr[t].lookups > 0);
	}
	assert_true(tree_cache_bytes(c) >= 3 * TREE_CACHE_CHUNK_BYTES);
	check_cached(f, c, r, size);
	check_proofs(f, r, size, 97);
	store_close(r);
	tree_cache_free(c);
}

/* copy = a copy of the fixture's database, as file name in its
 * directory, made anew. */
static void copy_db(const struct fixture *f, const char *name,
		    char copy[PATH_MAX + 32])
{
	char sql[PATH_MAX + 64];
	sqlite3 *db = NULL;
	snprintf(copy, PATH_MAX + 32, "%s/%s", f->dir, name);
	snprintf(sql, sizeof sql, "VACUUM INTO '%s'", copy);
	unlink(copy);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	tl_copy_docs(f->path, copy);
}

/* A reader of made-up stored hashes (hash i holds i in its first bytes)
 * that records the runs it is asked for and fails at index fail_at. */
struct fake_reader {
	int64_t next; /* the first index of the next run, if they follow */
	int calls;
	int64_t fail_at;
};

static enum status fake_read(void *ctx, int64_t first, size_t count,
			     uint8_t (*out)[HASH_LEN], struct err *e)
{
	struct fake_reader *fr = ctx;
	fr->calls++;
	if (first != fr->next || count == 0 ||
	    first / (int64_t)(TREE_CACHE_CHUNK_BYTES / HASH_LEN) !=
		    (first + (int64_t)count - 1) /
			    (int64_t)(TREE_CACHE_CHUNK_BYTES / HASH_LEN))
		fail_msg("run %lld+%zu: not the next run within one chunk",
			 (long long)first, count);
	for (size_t i = 0; i < count; i++) {
		int64_t id = first + (int64_t)i;
		if (id == fr->fail_at)
			return err_set(e, ST_CORRUPT, "hash %lld",
				       (long long)id);
		memset(out[i], 0, HASH_LEN);
		memcpy(out[i], &id, sizeof id);
	}
	fr->next = first + (int64_t)count;
	return ST_OK;
}

/* The cache alone, filled by a reader that is no store: runs in order, a
 * chunk at most each; a failed read keeps what the cache had. */
static void test_tree_cache_reader(void **state)
{
	(void)state;
	struct err e;
	uint8_t mem[HASH_LEN];
	int64_t id;
	struct tree_cache *c = tree_cache_new((size_t)64 << 20);
	assert_non_null(c);
	struct fake_reader fr = {.fail_at = -1};
	assert_int_equal(tree_cache_extend(c, 1000, true, fake_read, &fr, &e),
			 ST_OK);
	assert_int_equal(tree_cache_leaves(c), 1000);
	assert_int_equal(fr.next, merkle_stored_count(1000));

	/* Past a chunk: three runs, the first finishing the first chunk. */
	int64_t leaves = 70000, end = merkle_stored_count(leaves);
	fr.calls = 0;
	assert_int_equal(
		tree_cache_extend(c, leaves, false, fake_read, &fr, &e), ST_OK);
	assert_int_equal(fr.calls, 3);
	assert_int_equal(fr.next, end);
	for (id = 0; id < end; id++) {
		assert_true(tree_cache_get(c, id, mem));
		assert_memory_equal(mem, &id, sizeof id);
	}
	assert_false(tree_cache_get(c, end, mem));

	/* Nothing to read: the reader is not called. */
	fr.calls = 0;
	assert_int_equal(tree_cache_extend(c, leaves, true, fake_read, &fr, &e),
			 ST_OK);
	assert_int_equal(fr.calls, 0);

	/* A failure half-way keeps the cache as it was. */
	fr.fail_at = end + 10;
	assert_int_equal(
		tree_cache_extend(c, leaves + 100, true, fake_read, &fr, &e),
		ST_CORRUPT);
	assert_int_equal(tree_cache_leaves(c), leaves);
	assert_false(tree_cache_get(c, end, mem));
	tree_cache_free(c);
}

/* A stored hash missing from the database: loading fails, and the cache
 * keeps nothing of the half-read tree. */
static void test_tree_cache_missing_hash(void **state)
{
	struct fixture *f = *state;
	char copy[PATH_MAX + 32];
	sqlite3 *db = NULL;
	copy_db(f, "holed.db", copy);
	assert_int_equal(sqlite3_open(copy, &db), SQLITE_OK);
	/* The run that holds hash 1000 cut in two around it. */
	assert_int_equal(
		sqlite3_exec(db,
			     "INSERT INTO hash_runs(first, hashes) SELECT 1001,"
			     " substr(hashes, (1001 - first) * 32 + 1)"
			     " FROM hash_runs WHERE first = (SELECT max(first)"
			     " FROM hash_runs WHERE first <= 1000)"
			     " AND length(hashes) > (1001 - first) * 32;"
			     "UPDATE hash_runs SET hashes = substr(hashes, 1,"
			     " (1000 - first) * 32) WHERE first = (SELECT"
			     " max(first) FROM hash_runs WHERE first <= 1000);"
			     "DELETE FROM hash_runs WHERE length(hashes) = 0",
			     NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);

	struct err e;
	struct store *r = NULL;
	uint8_t mem[HASH_LEN];
	struct tree_cache *c = tree_cache_new((size_t)64 << 20);
	assert_non_null(c);
	assert_int_equal(store_open(copy, STORE_READONLY, &r, &e), ST_OK);
	assert_int_equal(store_sync_tree_cache(r, c, true, &e), ST_CORRUPT);
	assert_non_null(strstr(e.msg, "stored hash 1000 is missing"));
	assert_int_equal(tree_cache_leaves(c), 0);
	assert_false(tree_cache_get(c, 0, mem));
	store_close(r);
	tree_cache_free(c);
}

/* With the documents' keys kept in memory, a document is still stored
 * once: one already in the database when the keys are loaded (its key
 * merged or not), one that another connection stores afterwards, and
 * one whose first insert was rolled back. */
static void test_doc_keys_kept(void **state)
{
	struct fixture *f = *state;
	struct err e;
	assert_int_equal(store_doc_keys_bytes(f->s), 0);
	assert_int_equal(store_keep_doc_keys(f->s, NULL), ST_OK);
	int64_t docs = count(f, "SELECT count(*) FROM documents");

	struct seq_request rq[2];
	uint8_t doc[2][64], sha[HASH_LEN];
	document_request(&rq[0], 15, doc[0]);	    /* key merged */
	document_request(&rq[1], DOCS - 2, doc[1]); /* key not merged */
	append(f, rq, 2);
	assert_true(store_doc_keys_bytes(f->s) >= 2 * DOCS * sizeof(uint64_t));
	assert_int_equal(count(f, "SELECT count(*) FROM documents"), docs);

	struct store *other = NULL;
	assert_int_equal(store_open(f->path, STORE_OPEN, &other, &e), ST_OK);
	insert_doc(other, -1, true);
	store_close(other);
	insert_doc(f->s, -1, true);
	doc_bytes(-1, doc[0]);
	sha256(sha, doc[0], 64);
	assert_int_equal(doc_rows(f, sha), 1);

	insert_doc(f->s, -2, false);
	doc_bytes(-2, doc[0]);
	sha256(sha, doc[0], 64);
	assert_int_equal(doc_rows(f, sha), 0);
	insert_doc(f->s, -2, true);
	insert_doc(f->s, -2, true);
	assert_int_equal(doc_rows(f, sha), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM documents"), docs + 2);
}

#define PROVIDER "clean.example"

/* A provider-key entry for key, or with key NULL, the revocation of
 * PROVIDER. */
static void provider_entry(struct seq_request *rq, enum entry_kind kind,
			   const struct note_signer *key)
{
	memset(rq, 0, sizeof *rq);
	rq->entry.kind = kind;
	snprintf(rq->entry.name, sizeof rq->entry.name, "%s", PROVIDER);
	if (kind == ENTRY_PROVIDER_REVOKE) {
		snprintf(rq->entry.reason, sizeof rq->entry.reason, "rotated");
		return;
	}
	struct note_verifier v;
	note_signer_verifier(key, &v);
	snprintf(rq->entry.name, sizeof rq->entry.name, "%s", v.name);
	note_verifier_format(&v, rq->entry.vkey, sizeof rq->entry.vkey);
	snprintf(rq->entry.display_name, sizeof rq->entry.display_name,
		 "Clean Co");
}

/* Attests the document request rq (its bytes doc) by key into att. */
static void attest_request(struct seq_request *rq, const uint8_t *doc,
			   const struct note_signer *key, struct buf *att)
{
	struct err e;
	struct note_verifier v;
	note_signer_verifier(key, &v);
	snprintf(rq->entry.provider, sizeof rq->entry.provider, "%s", v.name);
	struct attest_fields f = {
		.venue = rq->entry.venue,
		.type = rq->entry.type,
		.performed = rq->entry.performed,
		.expires = rq->entry.expires,
	};
	sha256(f.doc, doc, 64);
	buf_reset(att);
	if (attest_sign(key, &f, att, &e) != ST_OK)
		fail_msg("attest: %s", e.msg);
	rq->attestation = buf_str(att);
	rq->attestation_len = att->len;
}

/* Document d, attested by key into att. */
static void attested_request(struct seq_request *rq, int d, uint8_t *doc,
			     const struct note_signer *key, struct buf *att)
{
	document_request(rq, d, doc);
	attest_request(rq, doc, key, att);
}

/* One sequencer, batch after batch: an attestation is checked against
 * the provider's key of the moment, not against the key it checked the
 * previous one with, whether the key changed between batches or within
 * one; none is accepted once the provider is revoked. */
static void test_attestation_keys(void **state)
{
	struct fixture *f = *state;
	struct note_signer *k1 = NULL, *k2 = NULL;
	struct err e;
	struct seq_request rq[3];
	uint8_t doc[3][64];
	struct buf att[3];
	for (int i = 0; i < 3; i++)
		buf_init(&att[i], 4096);
	assert_int_equal(note_signer_generate(PROVIDER, &k1, &e), ST_OK);
	assert_int_equal(note_signer_generate(PROVIDER, &k2, &e), ST_OK);

	provider_entry(&rq[0], ENTRY_PROVIDER_KEY, k1);
	attested_request(&rq[1], 900000, doc[1], k1, &att[1]);
	append(f, rq, 2);
	attested_request(&rq[0], 900001, doc[0], k1, &att[0]);
	append(f, rq, 1);

	/* The key replaced between batches. */
	provider_entry(&rq[0], ENTRY_PROVIDER_KEY, k2);
	append(f, rq, 1);
	attested_request(&rq[0], 900002, doc[0], k1, &att[0]);
	attested_request(&rq[1], 900003, doc[1], k2, &att[1]);
	assert_int_equal(sequencer_append(f->q, rq, 2, NULL, &e), ST_OK);
	assert_int_not_equal(rq[0].status, ST_OK);
	assert_int_equal(rq[1].status, ST_OK);

	/* Replaced within a batch, back to the first key. */
	attested_request(&rq[0], 900004, doc[0], k2, &att[0]);
	provider_entry(&rq[1], ENTRY_PROVIDER_KEY, k1);
	attested_request(&rq[2], 900005, doc[2], k2, &att[2]);
	assert_int_equal(sequencer_append(f->q, rq, 3, NULL, &e), ST_OK);
	assert_int_equal(rq[0].status, ST_OK);
	assert_int_equal(rq[1].status, ST_OK);
	assert_int_not_equal(rq[2].status, ST_OK);

	provider_entry(&rq[0], ENTRY_PROVIDER_REVOKE, NULL);
	attested_request(&rq[1], 900006, doc[1], k1, &att[1]);
	assert_int_equal(sequencer_append(f->q, rq, 2, NULL, &e), ST_OK);
	assert_int_equal(rq[0].status, ST_OK);
	assert_int_equal(rq[1].status, ST_NOT_FOUND);

	for (int i = 0; i < 3; i++)
		buf_free(&att[i]);
	note_signer_free(k1);
	note_signer_free(k2);
}

/* A venue's bundle holds, for each revocation of an attesting provider's
 * keys, the key that revocation ended, which rule 5 looks for: K1, its
 * revocation, K2 and a document K2 attests give all three, and a bundle
 * that verifies. */
static void test_export_ended_key(void **state)
{
	struct fixture *f = *state;
	struct note_signer *k1 = NULL, *k2 = NULL;
	struct seq_request rq[4];
	struct bundle *b = NULL;
	struct note_verifier key;
	struct verify_options o = {.key = &key, .all_proofs = true};
	struct verify_report rep;
	uint8_t doc[64];
	struct buf att;
	struct err e;

	buf_init(&att, 4096);
	assert_int_equal(note_signer_generate("ended.example", &k1, &e), ST_OK);
	assert_int_equal(note_signer_generate("ended.example", &k2, &e), ST_OK);
	memset(&rq[0], 0, sizeof rq[0]);
	rq[0].entry.kind = ENTRY_VENUE;
	rq[0].new_venue = true;
	snprintf(rq[0].entry.venue, sizeof rq[0].entry.venue, "vended22");
	snprintf(rq[0].entry.name, sizeof rq[0].entry.name, "Bar Ended");
	snprintf(rq[0].entry.address, sizeof rq[0].entry.address, "Via Po");
	rq[0].entry.interval_days = 30;
	provider_entry(&rq[1], ENTRY_PROVIDER_KEY, k1);
	provider_entry(&rq[2], ENTRY_PROVIDER_REVOKE, NULL);
	snprintf(rq[2].entry.name, sizeof rq[2].entry.name, "ended.example");
	provider_entry(&rq[3], ENTRY_PROVIDER_KEY, k2);
	append(f, rq, 4);
	document_request(&rq[0], 920000, doc);
	snprintf(rq[0].entry.venue, sizeof rq[0].entry.venue, "vended22");
	attest_request(&rq[0], doc, k2, &att);
	append(f, rq, 1);

	assert_int_equal(export_bundle(f->s, "vended22", -1, &b, &e), ST_OK);
	assert_int_equal(b->nproviders, 3);
	assert_int_equal(b->providers[0].index, rq[0].index - 3);
	assert_int_equal(b->providers[1].index, rq[0].index - 2);
	assert_int_equal(b->providers[2].index, rq[0].index - 1);
	note_signer_verifier(f->signer, &key);
	snprintf(o.today, sizeof o.today, "2026-11-25");
	assert_int_equal(verify_bundle(b, &o, &rep, &e), ST_OK);
	for (size_t i = 0; i < rep.nchecks; i++)
		if (!rep.checks[i].ok)
			fail_msg("rule %d %s: %s", rep.checks[i].rule,
				 rep.checks[i].name, rep.checks[i].detail);
	assert_true(rep.ok);
	assert_true(rep.items[1].attested);
	verify_report_free(&rep);
	bundle_free(b);
	buf_free(&att);
	note_signer_free(k1);
	note_signer_free(k2);
}

/* Runs SQL on the fixture's database through a connection of its own. */
static void exec_sql(const struct fixture *f, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* A batch that fails after checking an attestation with a key it logged
 * itself takes that key entry back; the next batch logs another key at
 * the same index, and its attestations are checked against that one. */
static void test_attestation_key_rolled_back(void **state)
{
	struct fixture *f = *state;
	struct note_signer *k1 = NULL, *k2 = NULL;
	struct err e;
	struct seq_request rq[3];
	uint8_t doc[3][65];
	struct buf att[2];
	for (int i = 0; i < 2; i++)
		buf_init(&att[i], 4096);
	assert_int_equal(note_signer_generate("spare.example", &k1, &e), ST_OK);
	assert_int_equal(note_signer_generate("spare.example", &k2, &e), ST_OK);
	/* Documents of 65 bytes cannot be stored: the batch fails. */
	exec_sql(f, "CREATE TRIGGER test_refuse BEFORE INSERT ON documents"
		    " WHEN NEW.size = 65 BEGIN"
		    " SELECT RAISE(ABORT, 'refused by the test'); END");
	int64_t size = count(f, "SELECT count(*) FROM entries");
	provider_entry(&rq[0], ENTRY_PROVIDER_KEY, k1);
	attested_request(&rq[1], 900100, doc[1], k1, &att[0]);
	document_request(&rq[2], 900101, doc[2]);
	doc[2][64] = '\n';
	rq[2].doc_len = 65;
	assert_int_not_equal(sequencer_append(f->q, rq, 3, NULL, &e), ST_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM entries"), size);
	exec_sql(f, "DROP TRIGGER test_refuse");

	provider_entry(&rq[0], ENTRY_PROVIDER_KEY, k2);
	attested_request(&rq[1], 900102, doc[1], k2, &att[1]);
	append(f, rq, 2);
	assert_int_equal(rq[0].index, size);

	for (int i = 0; i < 2; i++)
		buf_free(&att[i]);
	note_signer_free(k1);
	note_signer_free(k2);
}

/* A venue's head as the table has it, through a connection of its own. */
static int64_t table_seq(const struct fixture *f, const char *venue)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT seq FROM heads WHERE venue = '%s'",
		 venue);
	return count(f, sql);
}

/* The writer keeps the venues' heads it read or moved in memory; they
 * hold while no other connection writes and its transactions commit: an
 * append after another connection's, and one after a batch that failed
 * once its first entry had moved the head, each chain to the head of the
 * table. */
static void test_heads_cached(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct seq_request rq[2];
	uint8_t doc[2][65];
	char venue[VENUE_ID_LEN + 1];
	venue_name(2, venue);
	/* Documents of 65 bytes cannot be stored: a batch with one fails.
	 * (Made first: a change by another connection empties the cache.) */
	exec_sql(f, "CREATE TRIGGER test_refuse BEFORE INSERT ON documents"
		    " WHEN NEW.size = 65 BEGIN"
		    " SELECT RAISE(ABORT, 'refused by the test'); END");

	document_request(&rq[0], 910000, doc[0]);
	venue_name(2, rq[0].entry.venue);
	append(f, rq, 1);
	int64_t seq = table_seq(f, venue);
	assert_int_equal(rq[0].entry.venue_seq, seq);

	struct store *os = NULL;
	struct sequencer *oq = NULL;
	assert_int_equal(store_open(f->path, STORE_OPEN, &os, &e), ST_OK);
	assert_int_equal(sequencer_new(os, f->signer, &oq, &e), ST_OK);
	for (int i = 0; i < 2; i++) {
		document_request(&rq[i], 910001 + i, doc[i]);
		venue_name(2, rq[i].entry.venue);
	}
	assert_int_equal(sequencer_append(oq, rq, 2, NULL, &e), ST_OK);
	assert_int_equal(rq[1].status, ST_OK);
	sequencer_free(oq);
	store_close(os);
	assert_int_equal(table_seq(f, venue), seq + 2);

	document_request(&rq[0], 910003, doc[0]);
	venue_name(2, rq[0].entry.venue);
	append(f, rq, 1);
	assert_int_equal(rq[0].entry.venue_seq, seq + 3);

	for (int i = 0; i < 2; i++) {
		document_request(&rq[i], 910004 + i, doc[i]);
		venue_name(2, rq[i].entry.venue);
	}
	doc[1][64] = '\n';
	rq[1].doc_len = 65;
	assert_int_not_equal(sequencer_append(f->q, rq, 2, NULL, &e), ST_OK);
	assert_int_equal(table_seq(f, venue), seq + 3);
	document_request(&rq[0], 910006, doc[0]);
	venue_name(2, rq[0].entry.venue);
	append(f, rq, 1);
	assert_int_equal(rq[0].entry.venue_seq, seq + 4);
	assert_int_equal(table_seq(f, venue), seq + 4);
	exec_sql(f, "DROP TRIGGER test_refuse");
}

/* Generations of one level are merged once there are 8 of them: many
 * transactions of one document each leave fewer than 8 small ones. */
static void test_generations_merged(void **state)
{
	struct fixture *f = *state;
	int64_t gens = count(f, "SELECT count(*) FROM doc_gens");
	for (int d = 0; d < 20; d++)
		insert_doc(f->s, 200000 + d, true);
	assert_true(count(f, "SELECT count(*) FROM doc_gens") <= gens + 7);
	assert_int_equal(count(f, "SELECT sum(keys) FROM doc_gens"),
			 count(f, "SELECT count(*) FROM documents"));
	for (int d = 0; d < 20; d++) {
		uint8_t doc[64], sha[HASH_LEN];
		char mime[32];
		int64_t size = 0;
		doc_bytes(200000 + d, doc);
		sha256(sha, doc, sizeof doc);
		assert_int_equal(
			store_document_meta(f->s, sha, &size, mime, NULL),
			ST_OK);
	}
}

/* The audit of a copy of the fixture's database, after sql (if any) ran
 * on the copy: whether it found the log valid. */
static bool audit_copy(const struct fixture *f, const char *sql)
{
	char copy[PATH_MAX + 32];
	sqlite3 *db = NULL;
	copy_db(f, "copy.db", copy);
	assert_int_equal(sqlite3_open(copy, &db), SQLITE_OK);
	if (sql != NULL) {
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
				 SQLITE_OK);
		assert_true(sqlite3_changes(db) > 0);
	}
	sqlite3_close(db);

	struct store *s = NULL;
	struct err e;
	struct note_verifier v;
	struct verify_report rep = {0};
	struct audit_result res;
	note_signer_verifier(f->signer, &v);
	struct audit_options o = {.key = &v};
	assert_int_equal(store_open(copy, STORE_OPEN, &s, &e), ST_OK);
	assert_int_equal(audit_store(s, &o, &rep, &res, &e), ST_OK);
	bool ok = rep.ok;
	verify_report_free(&rep);
	store_close(s);
	unlink(copy);
	return ok;
}

/* In a chunk of the largest generation, its first two pairs swapped:
 * the first key is no longer the lowest, a look-up of it goes to the
 * chunk before, and the audit, which finds the chunk out of order, looks
 * every document up and names it.  The untouched copy is valid. */
static void test_audit_chunk_order(void **state)
{
	struct fixture *f = *state;
	assert_true(audit_copy(f, NULL));
	assert_false(audit_copy(
		f, "UPDATE doc_chunks SET first = substr(pairs, 17, 8),"
		   " pairs = CAST(substr(pairs, 17, 16) || substr(pairs, 1, 16)"
		   " || substr(pairs, 33) AS BLOB)"
		   " WHERE rowid = (SELECT rowid FROM doc_chunks WHERE gen ="
		   " (SELECT gen FROM doc_gens ORDER BY keys DESC LIMIT 1)"
		   " ORDER BY first LIMIT 1 OFFSET 3)"));
}

/* Stored hashes given outside a transaction go in at once; in one, a
 * hash given twice is refused.  (On a copy: hashes past the log's end.) */
static void test_hashes_outside_and_twice(void **state)
{
	struct fixture *f = *state;
	char copy[PATH_MAX + 32];
	copy_db(f, "hashes.db", copy);

	struct store *s = NULL;
	struct err e;
	int64_t n = 0, broken = 0;
	uint8_t got[HASH_LEN], hm[2][HASH_LEN];
	memset(hm, 0x11, sizeof hm);
	const uint8_t(*h)[HASH_LEN] = (const uint8_t(*)[HASH_LEN])hm;
	assert_int_equal(store_open(copy, STORE_OPEN, &s, &e), ST_OK);
	assert_int_equal(store_hash_count(s, &n, &broken, NULL), ST_OK);
	assert_int_equal(broken, 0);
	assert_int_equal(store_insert_hashes(s, n, h, 2, NULL), ST_OK);
	store_close(s);
	assert_int_equal(store_open(copy, STORE_OPEN, &s, &e), ST_OK);
	int64_t id = n + 1;
	assert_int_equal(store_read_hashes(s, &id, 1, &got, NULL), ST_OK);
	assert_memory_equal(got, hm[1], HASH_LEN);
	assert_int_equal(store_begin(s, NULL), ST_OK);
	assert_int_equal(store_insert_hashes(s, n + 2, h, 2, NULL), ST_OK);
	assert_int_equal(store_insert_hashes(s, n + 3, h, 1, NULL), ST_INVALID);
	store_rollback(s);
	assert_int_equal(store_hash_count(s, &id, &broken, NULL), ST_OK);
	assert_int_equal(id, n + 2);
	store_close(s);
	unlink(copy);
}

/* A store keeping the documents' keys but outside a transaction it began
 * (where the keys were not brought up to date) still finds a stored
 * document, and stores it no second time. */
static void test_doc_keys_outside_begin(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct err e;
	uint8_t doc[64], sha[HASH_LEN];
	doc_bytes(5, doc);
	sha256(sha, doc, sizeof doc);
	assert_int_equal(doc_rows(f, sha), 1);
	assert_int_equal(store_open(f->path, STORE_OPEN, &s, &e), ST_OK);
	assert_int_equal(store_keep_doc_keys(s, NULL), ST_OK);
	assert_int_equal(store_insert_document(s, sha, "application/pdf", doc,
					       sizeof doc, NULL),
			 ST_OK);
	assert_int_equal(doc_rows(f, sha), 1);
	store_close(s);
}

/* A key set bounded below the log's documents is let go at its first
 * load: the store looks documents up in the database instead, still
 * storing a known one no second time and a new one once. */
static void test_doc_keys_bounded(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct err e;
	uint8_t doc[64], sha[HASH_LEN], fresh[64], fresh_sha[HASH_LEN];
	doc_bytes(5, doc);
	sha256(sha, doc, sizeof doc);
	doc_bytes(DOCS + 77, fresh);
	sha256(fresh_sha, fresh, sizeof fresh);
	assert_int_equal(store_open(f->path, STORE_OPEN, &s, &e), ST_OK);
	/* 2,048 keys at most, and the log holds DOCS */
	assert_int_equal(store_keep_doc_keys_within(s, 32 << 10, &e), ST_OK);
	assert_int_equal(store_begin(s, &e), ST_OK);
	assert_int_equal(store_doc_keys_bytes(s), 0);
	assert_int_equal(store_insert_document(s, sha, "application/pdf", doc,
					       sizeof doc, &e),
			 ST_OK);
	assert_int_equal(store_insert_document(s, fresh_sha, "application/pdf",
					       fresh, sizeof fresh, &e),
			 ST_OK);
	assert_int_equal(store_commit(s, &e), ST_OK);
	assert_int_equal(doc_rows(f, sha), 1);
	assert_int_equal(doc_rows(f, fresh_sha), 1);
	store_close(s);
	/* unbounded, the same log's keys are kept */
	assert_int_equal(store_open(f->path, STORE_OPEN, &s, &e), ST_OK);
	assert_int_equal(store_keep_doc_keys_within(s, SIZE_MAX, &e), ST_OK);
	assert_int_equal(store_begin(s, &e), ST_OK);
	assert_true(store_doc_keys_bytes(s) >= 2 * DOCS * sizeof(uint64_t));
	assert_int_equal(store_commit(s, &e), ST_OK);
	store_close(s);
}

/* Checks that a store call failed with st and said why in e: its
 * message begins with want. */
static void said(enum status got, const struct err *e, enum status st,
		 const char *want)
{
	if (got != st || strncmp(e->msg, want, strlen(want)) != 0)
		fail_msg("%s (%s), not %s (%s...)", status_str(got), e->msg,
			 status_str(st), want);
}

/* A failing call says why in the err it is given (the store's own
 * words, and SQLite's through store_fail), a merkle reader through the
 * err of its store_reader; NULL takes no message. */
static void test_errors_say_why(void **state)
{
	struct fixture *f = *state;
	struct err e = {.msg = ""};
	struct buf b;
	char small[2], venue[VENUE_ID_LEN + 1];
	int64_t size = 0, index = 0, seq = 0;
	uint8_t h[1][HASH_LEN], token[HASH_LEN] = {0};
	buf_init(&b, 1 << 16);

	assert_int_equal(store_log_size(f->s, &size, &e), ST_OK);
	said(store_entry(f->s, size, &b, &e), &e, ST_NOT_FOUND,
	     "no such entry");
	said(store_meta_get(f->s, "nosuch", small, sizeof small, &e), &e,
	     ST_NOT_FOUND, "no such setting");
	said(store_meta_get(f->s, "origin", small, sizeof small, &e), &e,
	     ST_TOO_LARGE, "meta value too long");
	said(store_venue_head(f->s, "nosuchvn", &index, &seq, &e), &e,
	     ST_NOT_FOUND, "no such venue");
	said(store_checkpoint(f->s, size + 1, &b, NULL, &e), &e, ST_NOT_FOUND,
	     "no checkpoint of that size");
	said(store_token_venue(f->s, token, venue, &e), &e, ST_NOT_FOUND,
	     "no venue has that token");
	assert_int_equal(store_begin_read(f->s, &e), ST_OK);
	said(store_begin_read(f->s, &e), &e, ST_IO,
	     "begin: cannot start a transaction within a transaction");
	assert_int_equal(store_commit(f->s, &e), ST_OK);

	int64_t id = merkle_stored_count(size);
	char want[64];
	snprintf(want, sizeof want, "stored hash %lld is missing",
		 (long long)id);
	said(store_read_hashes(f->s, &id, 1, h, &e), &e, ST_CORRUPT, want);
	e.msg[0] = 0;
	struct store_reader rd = {f->s, &e};
	said(store_merkle_reader(&rd, &id, 1, h), &e, ST_CORRUPT, want);
	rd.e = NULL;
	assert_int_equal(store_merkle_reader(&rd, &id, 1, h), ST_CORRUPT);
	assert_int_equal(store_entry(f->s, size, &b, NULL), ST_NOT_FOUND);
	buf_free(&b);
}

/* Owner tokens are replaced only from the one stored; a sign-in link is
 * kept by its hash alone, used once, and not after it expired. */
static void test_owner_credentials(void **state)
{
	struct fixture *f = *state;
	struct err e = {.msg = ""};
	char tok[STORE_TOKEN_LEN + 1], tok2[STORE_TOKEN_LEN + 1];
	char link[STORE_SECRET_B64 + 1], venue[VENUE_ID_LEN + 1];
	uint8_t h1[HASH_LEN], h2[HASH_LEN], h3[HASH_LEN], got[HASH_LEN];
	store_secret_new(STORE_TOKEN_PREFIX, tok, sizeof tok, h1);
	store_secret_new(STORE_TOKEN_PREFIX, tok2, sizeof tok2, h2);
	assert_int_equal(strlen(tok), STORE_TOKEN_LEN);
	assert_int_equal(strncmp(tok, "slo_", 4), 0);
	assert_string_not_equal(tok, tok2);
	sha256(got, tok, strlen(tok));
	assert_memory_equal(got, h1, HASH_LEN);

	assert_int_equal(store_token_set(f->s, "owner001", h1, &e), ST_OK);
	said(store_token_replace(f->s, "owner001", h2, h3, &e), &e, ST_CONFLICT,
	     "the owner token was replaced already");
	said(store_token_replace(f->s, "owner002", h1, h2, &e), &e,
	     ST_NOT_FOUND, "venue has no owner token");
	assert_int_equal(store_token_replace(f->s, "owner001", h1, h2, &e),
			 ST_OK);
	assert_int_equal(store_token_get(f->s, "owner001", got, &e), ST_OK);
	assert_memory_equal(got, h2, HASH_LEN);
	said(store_token_replace(f->s, "owner001", h1, h3, &e), &e, ST_CONFLICT,
	     "the owner token was replaced already");

	store_secret_new("", link, sizeof link, h3);
	assert_int_equal(strlen(link), STORE_SECRET_B64);
	assert_int_equal(
		store_login_link_add(f->s, h3, "owner001", 1000, 900, &e),
		ST_OK);
	/* The secret is nowhere in the database. */
	char sql[160];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM login_links WHERE CAST(hash AS TEXT)"
		 " LIKE '%%%.20s%%'",
		 link);
	assert_int_equal(count(f, sql), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM login_links"), 1);
	assert_int_equal(store_login_link_take(f->s, h3, 999, venue, &e),
			 ST_OK);
	assert_string_equal(venue, "owner001");
	said(store_login_link_take(f->s, h3, 999, venue, &e), &e, ST_NOT_FOUND,
	     "no such link (used already?)");
	assert_string_equal(venue, "");
	/* Expired: refused, and gone all the same. */
	assert_int_equal(
		store_login_link_add(f->s, h3, "owner001", 1000, 900, &e),
		ST_OK);
	said(store_login_link_take(f->s, h3, 1000, venue, &e), &e, ST_NOT_FOUND,
	     "the link expired");
	assert_int_equal(count(f, "SELECT count(*) FROM login_links"), 0);
	/* Adding one drops those expired. */
	assert_int_equal(
		store_login_link_add(f->s, h1, "owner001", 1000, 900, &e),
		ST_OK);
	assert_int_equal(
		store_login_link_add(f->s, h2, "owner001", 3000, 2000, &e),
		ST_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM login_links"), 1);
	/* The same secret twice is refused: nothing changes. */
	assert_int_not_equal(
		store_login_link_add(f->s, h2, "owner002", 3000, 2000, &e),
		ST_OK);
	assert_int_equal(store_login_link_take(f->s, h2, 2001, venue, &e),
			 ST_OK);
	assert_string_equal(venue, "owner001");
}

/* Witnesses' keys (test_entry.c's). */
#define WKEY1                                                                  \
	"witness.example/w1+e75f6532+BAOhB7/"                                  \
	"zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
#define WKEY2 "w2.example+331354d4+BCVDuS/xCVURR2rcg2nbbdyTNmWhGXjdoUBO4QZsqVWd"

/* A witness-policy of quorum q and witnesses vkeys[0..n). */
static void policy_request(struct seq_request *rq, int q,
			   const char *const *vkeys, int n)
{
	memset(rq, 0, sizeof *rq);
	rq->entry.kind = ENTRY_WITNESS_POLICY;
	rq->entry.quorum = q;
	rq->entry.nwitnesses = n;
	for (int i = 0; i < n; i++)
		assert_true(entry_witness_set(&rq->entry.witnesses[i], vkeys[i],
					      "https://witness.example"));
}

/* Witness-policy entries between others, logged global (no venue, no
 * provider) and found by their index, the newest before an index and
 * all in order; one the entry's rules refuse logs nothing; the audit
 * takes them, and names one that the database files under a venue. */
static void test_witness_policy(void **state)
{
	struct fixture *f = *state;
	static const char *const two[] = {WKEY1, WKEY2};
	struct seq_request rq[4];
	uint8_t doc[64];
	int64_t size = 0, got = -1, *all = NULL;
	size_t n = 0;
	struct err e;

	assert_int_equal(store_log_size(f->s, &size, &e), ST_OK);
	assert_int_equal(store_policy_newest(f->s, size, &got, &e),
			 ST_NOT_FOUND);
	assert_int_equal(store_policy_indexes(f->s, &all, &n, &e), ST_OK);
	assert_int_equal(n, 0);
	free(all);

	policy_request(&rq[0], 2, two, 2);
	document_request(&rq[1], 930000, doc);
	policy_request(&rq[2], 0, NULL, 0);
	policy_request(&rq[3], 1, two + 1, 1);
	append(f, rq, 4);
	assert_int_equal(rq[0].index, size);
	assert_int_equal(rq[3].index, size + 3);

	assert_int_equal(store_policy_indexes(f->s, &all, &n, &e), ST_OK);
	assert_int_equal(n, 3);
	assert_int_equal(all[0], size);
	assert_int_equal(all[1], size + 2);
	assert_int_equal(all[2], size + 3);
	free(all);
	assert_int_equal(store_policy_newest(f->s, size, &got, &e),
			 ST_NOT_FOUND);
	assert_int_equal(store_policy_newest(f->s, size + 1, &got, &e), ST_OK);
	assert_int_equal(got, size);
	assert_int_equal(store_policy_newest(f->s, size + 2, &got, &e), ST_OK);
	assert_int_equal(got, size);
	assert_int_equal(store_policy_newest(f->s, size + 3, &got, &e), ST_OK);
	assert_int_equal(got, size + 2);
	assert_int_equal(store_policy_newest(f->s, INT64_MAX, &got, &e), ST_OK);
	assert_int_equal(got, size + 3);
	assert_int_equal(count(f, "SELECT count(*) FROM entries WHERE kind = 5"
				  " AND venue IS NULL AND venue_seq IS NULL"
				  " AND provider IS NULL AND revokes IS NULL"
				  " AND doc IS NULL"),
			 3);
	/* the newest is found through the index, not a scan of the log */
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "EXPLAIN QUERY PLAN SELECT idx FROM"
					    " entries WHERE kind = 5 AND idx <"
					    " 99 ORDER BY idx DESC LIMIT 1",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_non_null(strstr((const char *)sqlite3_column_text(st, 3),
			       "entries_policy"));
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* quorum above the witnesses: refused, nothing logged */
	policy_request(&rq[0], 2, two, 1);
	assert_int_equal(sequencer_append(f->q, rq, 1, NULL, &e), ST_OK);
	assert_int_equal(rq[0].status, ST_INVALID);
	assert_non_null(strstr(rq[0].err.msg, "quorum: 2 is more than"));
	assert_int_equal(store_log_size(f->s, &got, &e), ST_OK);
	assert_int_equal(got, size + 4);

	assert_true(audit_copy(f, NULL));
	assert_false(audit_copy(f, "UPDATE entries SET venue = 'venueaaa'"
				   " WHERE kind = 5"));
}

/* Per checkpoint size and witness, the line of the newest time; listed in
 * the witnesses' order; what is no line refused. */
static enum status collect(void *ctx, const char *witness, int64_t time,
			   const char *line, size_t len)
{
	struct buf *b = ctx;
	char head[400];
	assert_int_equal(strlen(line), len);
	snprintf(head, sizeof head, "%s %lld ", witness, (long long)time);
	if (buf_append_str(b, head) != ST_OK ||
	    buf_append(b, line, len) != ST_OK)
		return ST_NOMEM;
	return strcmp(witness, "stop") == 0 ? ST_CONFLICT : ST_OK;
}

/* Keeps a cosignature; it must be taken. */
static void put(struct fixture *f, int64_t size, const char *witness,
		int64_t time, const char *line)
{
	struct err e;
	if (store_cosig_put(f->s, size, witness, time, line, &e) != ST_OK)
		fail_msg("cosignature: %s", e.msg);
}

static void test_cosignatures(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	struct err e;
	int64_t size = -1;

	buf_init(&b, 4096);
	assert_int_equal(store_cosig_newest_size(f->s, &size, &e),
			 ST_NOT_FOUND);
	assert_int_equal(store_cosig_put(f->s, 10, WKEY2, 100,
					 "\xe2\x80\x94 w2 AAAA\n", &e),
			 ST_OK);
	put(f, 10, WKEY1, 50, "— w1 BBBB\n");
	/* older and the same time: kept as it was */
	put(f, 10, WKEY2, 99, "— w2 OLD\n");
	put(f, 10, WKEY2, 100, "— w2 SAME\n");
	put(f, 12, WKEY1, 60, "— w1 CCCC\n");
	assert_int_equal(store_cosigs(f->s, 10, collect, &b, &e), ST_OK);
	assert_string_equal(buf_str(&b),
			    WKEY2 " 100 — w2 AAAA\n" WKEY1 " 50 — w1 BBBB\n");
	/* newer: replaces it */
	buf_reset(&b);
	put(f, 10, WKEY2, 101, "— w2 NEW\n");
	assert_int_equal(store_cosigs(f->s, 10, collect, &b, &e), ST_OK);
	assert_string_equal(buf_str(&b),
			    WKEY2 " 101 — w2 NEW\n" WKEY1 " 50 — w1 BBBB\n");
	buf_reset(&b);
	assert_int_equal(store_cosigs(f->s, 11, collect, &b, &e), ST_OK);
	assert_int_equal(b.len, 0);
	assert_int_equal(store_cosig_newest_size(f->s, &size, &e), ST_OK);
	assert_int_equal(size, 12);

	/* fn's failure stops the list and is returned */
	put(f, 12, "stop", 1, "— s X\n");
	put(f, 12, "zzz", 1, "— z X\n");
	buf_reset(&b);
	assert_int_equal(store_cosigs(f->s, 12, collect, &b, &e), ST_CONFLICT);
	assert_null(strstr(buf_str(&b), "zzz"));

	/* refused, nothing kept */
	int64_t rows = count(f, "SELECT count(*) FROM cosignatures");
	said(store_cosig_put(f->s, -1, WKEY1, 1, "— w1 X\n", &e), &e,
	     ST_INVALID, "cosignature: negative");
	said(store_cosig_put(f->s, 13, WKEY1, -1, "— w1 X\n", &e), &e,
	     ST_INVALID, "cosignature: negative");
	said(store_cosig_put(f->s, 13, "", 1, "— w1 X\n", &e), &e, ST_INVALID,
	     "cosignature: no witness");
	said(store_cosig_put(f->s, 13, WKEY1, 1, "", &e), &e, ST_INVALID,
	     "cosignature: not one line");
	said(store_cosig_put(f->s, 13, WKEY1, 1, "— w1 X", &e), &e, ST_INVALID,
	     "cosignature: not one line");
	said(store_cosig_put(f->s, 13, WKEY1, 1, "— w1 X\n— w1 Y\n", &e), &e,
	     ST_INVALID, "cosignature: not one line");
	assert_int_equal(count(f, "SELECT count(*) FROM cosignatures"), rows);
	assert_int_equal(store_cosig_newest_size(f->s, &size, &e), ST_OK);
	assert_int_equal(size, 12);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_file),
		cmocka_unit_test(test_documents_by_hash),
		cmocka_unit_test(test_document_once),
		cmocka_unit_test(test_shared_key),
		cmocka_unit_test(test_venue_chains),
		cmocka_unit_test(test_venue_order_refused),
		cmocka_unit_test(test_tree_cache),
		cmocka_unit_test(test_tree_cache_budget),
		cmocka_unit_test(test_tree_cache_readers_only),
		cmocka_unit_test(test_tree_cache_grows_under_readers),
		cmocka_unit_test(test_tree_cache_reader),
		cmocka_unit_test(test_tree_cache_missing_hash),
		cmocka_unit_test(test_doc_keys_kept),
		cmocka_unit_test(test_attestation_keys),
		cmocka_unit_test(test_attestation_key_rolled_back),
		cmocka_unit_test(test_export_ended_key),
		cmocka_unit_test(test_doc_keys_outside_begin),
		cmocka_unit_test(test_doc_keys_bounded),
		cmocka_unit_test(test_heads_cached),
		cmocka_unit_test(test_generations_merged),
		cmocka_unit_test(test_audit_chunk_order),
		cmocka_unit_test(test_hashes_outside_and_twice),
		cmocka_unit_test(test_errors_say_why),
		cmocka_unit_test(test_owner_credentials),
		cmocka_unit_test(test_witness_policy),
		cmocka_unit_test(test_cosignatures),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
