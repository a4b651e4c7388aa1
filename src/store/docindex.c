/*
 * docindex.c: the index that finds a document by the first 8 bytes of its
 * SHA-256 (its key), as pairs of (key, row id).
 *
 * The pairs are kept in generations (table doc_gens), each a run sorted
 * by key and cut into chunks of about CHUNK_PAIRS pairs (table
 * doc_chunks, one row a chunk, keyed by its first key).  A transaction's
 * new documents become one new generation when it commits; once FANOUT
 * generations are of one size class (level), they are merged into one,
 * up to level LEVEL_KEPT: generations of 2,097,152 pairs and more are
 * merged no further, so that the largest merge, however many documents
 * the log holds, is of eight generations under that size (about four
 * million pairs, 1.3 s on a test machine, when documents come a thousand
 * to a transaction); a look-up reads one more chunk for each of those
 * kept.
 * So an append writes its keys once, in a few rows at the end of the
 * table, and each key is rewritten only as often as its generation is
 * merged into a larger one (at most log8 of the documents: 6 times in a
 * million); a look-up reads one chunk in each generation, of which a log
 * of a million documents has at most 7 a level, a few dozen.
 *
 * A chunk never ends between two pairs of one key, so that the chunk
 * whose first key is the last not above a key holds all that key's
 * pairs.  The audit (store_scan_doc_keys) checks that every chunk and
 * generation keeps these rules.
 */
#include "store_private.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_PAIRS 256
/* A generation of n pairs is of level floor(log8(n)): under 8 pairs 0,
 * under 64 1, and so on. */
#define FANOUT 8
/* Generations of this level (8^7 = 2,097,152 pairs) and above stay as
 * they are. */
#define LEVEL_KEPT 7

static int64_t doc_pair_id(const struct doc_pair *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p->b[DOC_KEY_LEN + i];
	return (int64_t)v;
}

static void doc_pair_set(struct doc_pair *p, const uint8_t *key, int64_t id)
{
	memcpy(p->b, key, DOC_KEY_LEN);
	for (int i = 0; i < 8; i++)
		p->b[DOC_KEY_LEN + i] = (uint8_t)((uint64_t)id >> (56 - 8 * i));
}

static int pair_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct doc_pair));
}

static int level_of(int64_t pairs)
{
	int level = 0;
	for (; pairs >= FANOUT; pairs /= FANOUT)
		level++;
	return level;
}

/* The pairs a buffer holds, *n of them. */
static struct doc_pair *pairs_of(const struct buf *b, size_t *n)
{
	*n = b->len / sizeof(struct doc_pair);
	return (struct doc_pair *)b->data;
}

/* Sorts the pairs b holds. */
static void pairs_sort(struct buf *b)
{
	size_t n;
	struct doc_pair *v = pairs_of(b, &n);
	if (n > 1)
		qsort(v, n, sizeof *v, pair_cmp);
}

/* Appends the pair (key, id) to b. */
static enum status pairs_add(struct buf *b, const uint8_t *key, int64_t id,
			     struct err *e)
{
	struct doc_pair p;
	doc_pair_set(&p, key, id);
	enum status r = buf_append(b, &p, sizeof p);
	return r == ST_OK ? r : err_set(e, r, "document index: out of memory");
}

enum status store_index_document(struct store *s, const uint8_t sha[HASH_LEN],
				 int64_t id, struct err *e)
{
	return pairs_add(&s->pending, sha, id, e);
}

/* The pairs of one key in a chunk (len bytes of sorted pairs): calls
 * try_id for each, as store_index_find does. */
static enum status chunk_find(struct store *s, const uint8_t *chunk, size_t len,
			      const uint8_t *key, store_try_id_fn try_id,
			      void *ctx, struct err *e)
{
	const struct doc_pair *v = (const struct doc_pair *)chunk;
	size_t lo = 0, hi = len / sizeof *v;
	while (lo < hi) { /* the first pair whose key is not below key */
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(v[mid].b, key, DOC_KEY_LEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < len / sizeof *v && memcmp(v[lo].b, key, DOC_KEY_LEN) == 0;
	     lo++) {
		enum status r = try_id(s, doc_pair_id(&v[lo]), ctx, e);
		if (r != ST_NOT_FOUND)
			return r;
	}
	return ST_NOT_FOUND;
}

enum status store_index_find(struct store *s, const uint8_t sha[HASH_LEN],
			     store_try_id_fn try_id, void *ctx, struct err *e)
{
	enum status r;
	size_t npending;
	const struct doc_pair *pending = pairs_of(&s->pending, &npending);
	for (size_t i = 0; i < npending; i++)
		if (memcmp(pending[i].b, sha, DOC_KEY_LEN) == 0 &&
		    (r = try_id(s, doc_pair_id(&pending[i]), ctx, e)) !=
			    ST_NOT_FOUND)
			return r;
	sqlite3_stmt *st = store_stmt(s, Q_IDX_FIND);
	sqlite3_bind_blob(st, 1, sha, DOC_KEY_LEN, SQLITE_STATIC);
	int rc = SQLITE_DONE;
	r = ST_NOT_FOUND;
	while (r == ST_NOT_FOUND && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_BLOB)
			continue; /* no chunk there, or not one of pairs */
		const uint8_t *chunk = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		if (len % sizeof(struct doc_pair) == 0)
			r = chunk_find(s, chunk, len, sha, try_id, ctx, e);
	}
	if (r == ST_NOT_FOUND && rc != SQLITE_DONE)
		r = store_fail(s, "document index", e);
	sqlite3_reset(st);
	return r;
}

/* Writes the pairs b holds, sorted, as generation gen. */
static enum status write_gen(struct store *s, int64_t gen, const struct buf *b,
			     struct err *e)
{
	size_t n;
	const struct doc_pair *v = pairs_of(b, &n);
	sqlite3_stmt *st = store_stmt(s, Q_IDX_GEN_ADD);
	sqlite3_bind_int64(st, 1, gen);
	sqlite3_bind_int64(st, 2, (int64_t)n);
	enum status r = store_exec(s, st, "document index", e);
	for (size_t i = 0, j; r == ST_OK && i < n; i = j) {
		j = i + CHUNK_PAIRS < n ? i + CHUNK_PAIRS : n;
		while (j < n && memcmp(v[j].b, v[j - 1].b, DOC_KEY_LEN) == 0)
			j++; /* a key's pairs stay in one chunk */
		st = store_stmt(s, Q_IDX_CHUNK_ADD);
		sqlite3_bind_int64(st, 1, gen);
		sqlite3_bind_blob(st, 2, v[i].b, DOC_KEY_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, v[i].b, (int)((j - i) * sizeof *v),
				  SQLITE_STATIC);
		r = store_exec(s, st, "document index", e);
	}
	return r;
}

static enum status next_gen(struct store *s, int64_t *gen, struct err *e)
{
	int64_t top = 0;
	enum status r = store_one_int(s, store_stmt(s, Q_IDX_NEXT_GEN), &top,
				      "document index", e);
	if (r != ST_OK)
		return r;
	if (top < 0 || top >= INT64_C(1) << 62)
		return err_set(e, ST_CORRUPT,
			       "document index: generation numbers "
			       "out of range (verify --db)");
	*gen = top + 1;
	return ST_OK;
}

/* Appends generation gen's pairs to p. */
static enum status read_gen(struct store *s, int64_t gen, struct buf *p,
			    struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_IDX_GEN_CHUNKS);
	sqlite3_bind_int64(st, 1, gen);
	int rc = SQLITE_DONE;
	enum status r = ST_OK;
	while (r == ST_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* As a look-up would not take it, a merge does not. */
		bool blob = sqlite3_column_type(st, 0) == SQLITE_BLOB;
		const void *b = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		if (!blob || len % sizeof(struct doc_pair) != 0)
			r = err_set(e, ST_CORRUPT,
				    "document index: a chunk is not "
				    "whole pairs (verify --db)");
		else if ((r = buf_append(p, b, len)) != ST_OK)
			err_set(e, r, "document index: out of memory");
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = store_fail(s, "document index", e);
	sqlite3_reset(st);
	return r;
}

static enum status drop_gen(struct store *s, int64_t gen, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_IDX_CHUNKS_DROP);
	sqlite3_bind_int64(st, 1, gen);
	enum status r = store_exec(s, st, "document index", e);
	if (r != ST_OK)
		return r;
	st = store_stmt(s, Q_IDX_GEN_DROP);
	sqlite3_bind_int64(st, 1, gen);
	return store_exec(s, st, "document index", e);
}

/* The generations of the lowest level that has FANOUT of them, into
 * gens[0..*n); *n = 0 if no level has. */
static enum status full_level(struct store *s, int64_t gens[FANOUT], int *n,
			      struct err *e)
{
	/* Level 21 would hold more pairs than there are row ids. */
	enum { LEVELS = 22 };
	int count[LEVELS] = {0};
	int64_t first[LEVELS][FANOUT];
	sqlite3_stmt *st = store_stmt(s, Q_IDX_GENS);
	int rc, full = LEVELS;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int level = level_of(sqlite3_column_int64(st, 1));
		if (level >= LEVELS)
			level = LEVELS - 1;
		if (count[level] < FANOUT)
			first[level][count[level]] =
				sqlite3_column_int64(st, 0);
		count[level]++;
		if (level < full && level < LEVEL_KEPT &&
		    count[level] >= FANOUT)
			full = level;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "document index", e);
	*n = full < LEVELS ? FANOUT : 0;
	if (*n > 0)
		memcpy(gens, first[full], sizeof first[full]);
	return ST_OK;
}

/* Merges the generations of every level that has FANOUT of them. */
static enum status merge_full_levels(struct store *s, struct err *e)
{
	struct buf p;
	enum status r;
	buf_init(&p, SIZE_MAX / 2);
	for (;;) {
		int64_t gens[FANOUT], gen = 0;
		int n = 0;
		if ((r = full_level(s, gens, &n, e)) != ST_OK || n == 0)
			break;
		buf_reset(&p);
		for (int i = 0; i < n && r == ST_OK; i++)
			r = read_gen(s, gens[i], &p, e);
		if (r != ST_OK)
			break;
		pairs_sort(&p);
		if ((r = next_gen(s, &gen, e)) != ST_OK ||
		    (r = write_gen(s, gen, &p, e)) != ST_OK)
			break;
		for (int i = 0; i < n && r == ST_OK; i++)
			r = drop_gen(s, gens[i], e);
		if (r != ST_OK)
			break;
	}
	buf_free(&p);
	return r;
}

enum status store_index_flush(struct store *s, struct err *e)
{
	if (s->pending.len == 0)
		return ST_OK;
	pairs_sort(&s->pending);
	int64_t gen = 0;
	enum status r;
	if ((r = next_gen(s, &gen, e)) != ST_OK ||
	    (r = write_gen(s, gen, &s->pending, e)) != ST_OK)
		return r;
	buf_reset(&s->pending);
	return merge_full_levels(s, e);
}

/* The generation a scan is in: its pairs so far, against the count
 * doc_gens gives (-1: none, the generation is not listed). */
struct gen_scan {
	bool started, broken;
	int64_t gen, keys, pairs;
	uint8_t last[DOC_KEY_LEN]; /* of its last chunk */
};

/* Ends g: a listed generation whose chunks, all sound, hold other than
 * the pairs doc_gens counts breaks a rule of the index. */
static enum status gen_end(const struct gen_scan *g, store_blob_id_fn fn,
			   void *ctx)
{
	if (g->started && !g->broken && g->keys >= 0 && g->pairs != g->keys)
		return fn(ctx, NULL, 0, 0);
	return ST_OK;
}

enum status store_scan_doc_keys(struct store *s, store_blob_id_fn fn, void *ctx,
				struct err *e)
{
	int64_t empty = 0;
	enum status r = store_one_int(s, store_stmt(s, Q_IDX_EMPTY_GENS),
				      &empty, "scan document keys", e);
	for (int64_t i = 0; r == ST_OK && i < empty; i++)
		r = fn(ctx, NULL, 0, 0); /* a generation without chunks */
	sqlite3_stmt *st = store_stmt(s, Q_SCAN_DOC_KEYS);
	struct gen_scan g = {0};
	int rc = SQLITE_DONE;
	while (r == ST_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t gen = sqlite3_column_int64(st, 0);
		if (!g.started || gen != g.gen) {
			if ((r = gen_end(&g, fn, ctx)) != ST_OK)
				break;
			g = (struct gen_scan){.started = true, .gen = gen};
			g.keys = sqlite3_column_type(st, 4) == SQLITE_INTEGER
					 ? sqlite3_column_int64(st, 4)
					 : -1;
		}
		const uint8_t *first = sqlite3_column_blob(st, 1);
		const struct doc_pair *v = sqlite3_column_blob(st, 2);
		size_t len = (size_t)sqlite3_column_bytes(st, 2);
		size_t n = len / sizeof *v;
		/* What a look-up takes for granted of a chunk. */
		bool ok = sqlite3_column_int(st, 3) != 0 && first != NULL &&
			  sqlite3_column_bytes(st, 1) == DOC_KEY_LEN &&
			  v != NULL && n > 0 && len % sizeof *v == 0 &&
			  memcmp(first, v[0].b, DOC_KEY_LEN) == 0 &&
			  !(g.pairs > 0 &&
			    memcmp(g.last, first, DOC_KEY_LEN) >= 0);
		for (size_t i = 1; ok && i < n; i++)
			ok = pair_cmp(&v[i - 1], &v[i]) < 0;
		if (!ok) {
			g.broken = true;
			r = fn(ctx, NULL, 0, 0);
			continue;
		}
		for (size_t i = 0; i < n && r == ST_OK; i++)
			r = fn(ctx, v[i].b, DOC_KEY_LEN, doc_pair_id(&v[i]));
		g.pairs += (int64_t)n;
		memcpy(g.last, v[n - 1].b, DOC_KEY_LEN);
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = store_fail(s, "scan document keys", e);
	sqlite3_reset(st);
	return r == ST_OK ? gen_end(&g, fn, ctx) : r;
}

static enum status same_id(struct store *s, int64_t id, void *ctx,
			   struct err *e)
{
	(void)s;
	(void)e;
	return id == *(const int64_t *)ctx ? ST_OK : ST_NOT_FOUND;
}

enum status store_scan_unkeyed_documents(struct store *s, store_blob_id_fn fn,
					 void *ctx, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_SCAN_DOC_SHAS);
	int rc = SQLITE_DONE;
	enum status r = ST_OK;
	while (r == ST_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *sha = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		int64_t id = sqlite3_column_int64(st, 1);
		enum status found =
			sha != NULL && len == HASH_LEN
				? store_index_find(s, sha, same_id, &id, e)
				: ST_NOT_FOUND;
		if (found == ST_NOT_FOUND)
			r = fn(ctx, sha != NULL ? sha : (const uint8_t *)"",
			       len, id);
		else if (found != ST_OK)
			r = found;
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = store_fail(s, "unkeyed documents", e);
	sqlite3_reset(st);
	return r;
}

enum status store_index_migrate(struct store *s, struct err *e)
{
	sqlite3_stmt *st = NULL;
	struct buf p;
	enum status r = ST_OK;
	buf_init(&p, SIZE_MAX / 2);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT key, id FROM doc_keys UNION ALL"
			       " SELECT key, id FROM doc_keys_new",
			       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "migrate", e);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* A key no look-up could have used stays out, as before:
		 * the audit names its document. */
		if (sqlite3_column_type(st, 0) != SQLITE_BLOB ||
		    sqlite3_column_bytes(st, 0) != DOC_KEY_LEN ||
		    sqlite3_column_type(st, 1) != SQLITE_INTEGER)
			continue;
		if ((r = pairs_add(&p, sqlite3_column_blob(st, 0),
				   sqlite3_column_int64(st, 1), e)) != ST_OK)
			break;
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = store_fail(s, "migrate", e);
	sqlite3_finalize(st);
	/* The statements a generation is written with, before store_open
	 * prepares the others. */
	if (r == ST_OK && p.len > 0) {
		pairs_sort(&p);
		if ((r = store_prepare(s, Q_IDX_GEN_ADD, e)) == ST_OK &&
		    (r = store_prepare(s, Q_IDX_CHUNK_ADD, e)) == ST_OK)
			r = write_gen(s, 1, &p, e);
	}
	buf_free(&p);
	if (r != ST_OK)
		return r;
	return store_exec_sql(s,
			      "DROP TRIGGER documents_key; DROP TABLE doc_keys;"
			      " DROP TABLE doc_keys_new;",
			      "migrate", e);
}
