/*
 * hashes.c: the stored Merkle hashes (tlog's stored hash indexes), kept
 * in runs: a row of table hash_runs holds up to RUN_HASHES consecutive
 * hashes from index first.  A transaction's new hashes wait in memory
 * (store_read_hashes finds them there) and go in as runs at
 * store_commit: an append of a thousand entries writes about eight rows
 * of hashes instead of two thousand.  Outside a transaction they go in
 * at once.  Reads find the run that holds an index, the last whose first
 * is not above it; they keep what they read in a small cache of the
 * connection's, and read first from the shared tree cache when there is
 * one (treecache.h), which store_sync_tree_cache extends through the
 * cursor of the runs.
 */
#include "store_private.h"

#include "core/merkle.h"

#include <stdio.h>
#include <string.h>

/* A run fills a row of an 8 KiB page, the pages of files made before 16
 * KiB became the size of new ones (two runs fill one of those): 248
 * hashes are 7,936 bytes. */
#define RUN_HASHES 248

static struct hash_slot *cache_slot(struct store *s, int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ull;
	return &s->cache[h >> (64 - HASH_CACHE_BITS)];
}

static void cache_put(struct store *s, int64_t id, const uint8_t *hash)
{
	struct hash_slot *slot = cache_slot(s, id);
	memcpy(slot->hash, hash, HASH_LEN);
	slot->id_plus_one = id + 1;
}

/* The hashes waiting to be written. */
static size_t pending(const struct store *s)
{
	return s->hpend.len / HASH_LEN;
}

enum status store_hashes_flush(struct store *s, struct err *e)
{
	enum status r = ST_OK;
	size_t all = pending(s);
	for (size_t i = 0; i < all && r == ST_OK; i += RUN_HASHES) {
		size_t n = all - i < RUN_HASHES ? all - i : RUN_HASHES;
		sqlite3_stmt *st = store_stmt(s, Q_INSERT_HASH);
		sqlite3_bind_int64(st, 1, s->hpend_first + (int64_t)i);
		sqlite3_bind_blob(st, 2, s->hpend.data + i * HASH_LEN,
				  (int)(n * HASH_LEN), SQLITE_STATIC);
		r = store_exec(s, st, "insert hashes", e);
	}
	if (r == ST_OK)
		buf_reset(&s->hpend);
	return r;
}

enum status store_insert_hashes(struct store *s, int64_t first,
				const uint8_t (*hashes)[HASH_LEN], size_t count,
				struct err *e)
{
	enum status r;
	int64_t end = s->hpend_first + (int64_t)pending(s);
	/* Runs are of consecutive indexes: another start ends the run, and
	 * none is stored twice. */
	if (pending(s) > 0 && first < end)
		return err_set(e, ST_INVALID,
			       "stored hash %lld: stored already",
			       (long long)first);
	if (pending(s) > 0 && first != end &&
	    (r = store_hashes_flush(s, e)) != ST_OK)
		return r;
	if (pending(s) == 0)
		s->hpend_first = first;
	if ((r = buf_append(&s->hpend, hashes, count * HASH_LEN)) != ST_OK)
		return err_set(e, r, "hashes: out of memory");
	/* The next appends read them back; a rollback empties the cache,
	 * so it never outlives an uncommitted hash. */
	for (size_t i = 0; i < count; i++)
		cache_put(s, first + (int64_t)i, hashes[i]);
	return sqlite3_get_autocommit(s->db) ? store_hashes_flush(s, e) : ST_OK;
}

/* Reads stored hash id from the database (or this transaction's new
 * ones) into out, and keeps it in s's cache. */
static enum status read_one(struct store *s, int64_t id, uint8_t *out,
			    struct err *e)
{
	if (id >= s->hpend_first && id - s->hpend_first < (int64_t)pending(s)) {
		memcpy(out,
		       s->hpend.data + (size_t)(id - s->hpend_first) * HASH_LEN,
		       HASH_LEN);
		return ST_OK;
	}
	sqlite3_stmt *st = s->q[Q_HASH];
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "read hash", e);
	const char *why = NULL;
	if (rc == SQLITE_DONE) {
		why = "missing";
	} else {
		/* 0 <= first <= id (Q_HASH), so at is not negative. */
		uint64_t at =
			(uint64_t)id - (uint64_t)sqlite3_column_int64(st, 0);
		bool blob = sqlite3_column_type(st, 1) == SQLITE_BLOB;
		const uint8_t *run = sqlite3_column_blob(st, 1);
		uint64_t len = (uint64_t)sqlite3_column_bytes(st, 1);
		if (!blob || len % HASH_LEN != 0)
			why = "in a run that is not whole hashes";
		else if (at >= len / HASH_LEN)
			why = "missing";
		else
			memcpy(out, run + at * HASH_LEN, HASH_LEN);
	}
	sqlite3_reset(st);
	if (why != NULL)
		return err_set(e, ST_CORRUPT, "stored hash %lld is %s",
			       (long long)id, why);
	cache_put(s, id, out);
	return ST_OK;
}

/* Reads stored hashes indexes[miss[0..n)] into out. */
static enum status read_missing(struct store *s, const int64_t *indexes,
				const size_t *miss, size_t n,
				uint8_t (*out)[HASH_LEN], struct err *e)
{
	enum status r = ST_OK;
	/* One read transaction for all the reads, not one lock cycle per
	 * hash. */
	bool txn = n > 1 && sqlite3_get_autocommit(s->db);
	/* (A caller outside a transaction that reads more than
	 * MERKLE_MAX_PROOF hashes at once takes one per batch of them.) */
	if (txn && (r = store_exec(s, store_stmt(s, Q_BEGIN_READ), "begin",
				   e)) != ST_OK)
		return r;
	for (size_t m = 0; m < n && r == ST_OK; m++)
		r = read_one(s, indexes[miss[m]], out[miss[m]], e);
	if (txn)
		store_exec(s, store_stmt(s, Q_COMMIT), "commit", NULL);
	return r;
}

enum status store_read_hashes(struct store *s, const int64_t *indexes,
			      size_t count, uint8_t (*out)[HASH_LEN],
			      struct err *e)
{
	size_t miss[MERKLE_MAX_PROOF], nmiss = 0;
	enum status r;
	/* From memory first: the shared tree cache, then s's own. */
	for (size_t i = 0; i < count; i++) {
		if (s->tree != NULL &&
		    tree_cache_get(s->tree, indexes[i], out[i]))
			continue;
		struct hash_slot *slot = cache_slot(s, indexes[i]);
		if (slot->id_plus_one == indexes[i] + 1) {
			memcpy(out[i], slot->hash, HASH_LEN);
			continue;
		}
		miss[nmiss++] = i;
		if (nmiss == MERKLE_MAX_PROOF) {
			if ((r = read_missing(s, indexes, miss, nmiss, out,
					      e)) != ST_OK)
				return r;
			nmiss = 0;
		}
	}
	return nmiss > 0 ? read_missing(s, indexes, miss, nmiss, out, e)
			 : ST_OK;
}

enum status store_merkle_reader(void *ctx, const int64_t *indexes, size_t count,
				uint8_t (*out)[HASH_LEN])
{
	const struct store_reader *rd = ctx;
	return store_read_hashes(rd->s, indexes, count, out, rd->e);
}

enum status store_hash_count(struct store *s, int64_t *count, int64_t *broken,
			     struct err *e)
{
	return store_two_ints(s, store_stmt(s, Q_HASH_COUNT), count, broken,
			      "hash count", e);
}

void store_hash_cursor_open(struct store *s, int64_t from)
{
	sqlite3_stmt *st = store_stmt(s, Q_CUR_HASHES);
	sqlite3_bind_int64(st, 1, from);
	s->hcur = (struct hash_cursor){.from = from};
}

enum status store_hash_cursor_next(struct store *s, int64_t *id,
				   uint8_t hash[HASH_LEN], struct err *e)
{
	struct hash_cursor *c = &s->hcur;
	sqlite3_stmt *st = s->q[Q_CUR_HASHES];
	while (c->at >= c->n) {
		int rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			return ST_NOT_FOUND;
		if (rc != SQLITE_ROW)
			return store_fail(s, "scan hashes", e);
		bool blob = sqlite3_column_type(st, 1) == SQLITE_BLOB;
		c->run = sqlite3_column_blob(st, 1);
		int64_t len = sqlite3_column_bytes(st, 1);
		c->first = sqlite3_column_int64(st, 0);
		c->n = len / HASH_LEN;
		/* Runs from the one that holds from (first in 0..from) on. */
		c->at = c->first >= 0 && c->first < c->from ? c->from - c->first
							    : 0;
		if (c->first < 0) {
			c->n = 0; /* not a stored index */
			return err_set(e, ST_CORRUPT,
				       "a run of stored hashes starts "
				       "below 0");
		}
		if (!blob || len % HASH_LEN != 0) {
			c->n = 0; /* skipped, once reported */
			return err_set(e, ST_CORRUPT,
				       "a run of stored hashes is not "
				       "whole hashes");
		}
	}
	*id = c->first + c->at;
	memcpy(hash, c->run + c->at * HASH_LEN, HASH_LEN);
	c->at++;
	return ST_OK;
}

void store_hash_cursor_close(struct store *s)
{
	sqlite3_reset(s->q[Q_CUR_HASHES]);
	s->hcur = (struct hash_cursor){0};
}

/* tree_cache_extend's reader: the stored hashes through s's hash cursor,
 * opened at the first run asked for and kept open while the runs follow
 * one another. */
struct cache_reader {
	struct store *s;
	bool open;
	int64_t next; /* the index the open cursor gives next */
};

static enum status read_for_cache(void *ctx, int64_t first, size_t count,
				  uint8_t (*out)[HASH_LEN], struct err *e)
{
	struct cache_reader *cr = ctx;
	if (!cr->open || cr->next != first) {
		store_hash_cursor_open(cr->s, first);
		cr->open = true;
	}
	for (size_t i = 0; i < count; i++) {
		int64_t want = first + (int64_t)i, id = 0;
		enum status r = store_hash_cursor_next(cr->s, &id, out[i], e);
		if (r == ST_NOT_FOUND || (r == ST_OK && id != want))
			return err_set(e, ST_CORRUPT,
				       "stored hash %lld is missing",
				       (long long)want);
		if (r != ST_OK)
			return r;
	}
	cr->next = first + (int64_t)count;
	return ST_OK;
}

enum status store_extend_tree_cache(struct store *s, struct tree_cache *c,
				    int64_t leaves, bool wait, struct err *e)
{
	if (!store_readonly(s))
		return err_set(e, ST_INVALID,
			       "the hash cache reads read-only connections "
			       "only");
	struct cache_reader cr = {.s = s};
	enum status r =
		tree_cache_extend(c, leaves, wait, read_for_cache, &cr, e);
	if (cr.open)
		store_hash_cursor_close(s);
	return r;
}

enum status store_sync_tree_cache(struct store *s, struct tree_cache *c,
				  bool wait, struct err *e)
{
	int64_t size = 0;
	enum status r = store_log_size(s, &size, e);
	if (r != ST_OK)
		return r;
	return store_extend_tree_cache(s, c, size, wait, e);
}

enum status store_hashes_migrate(struct store *s, struct err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT id, hash FROM hashes ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "migrate", e);
	/* The statement runs are written with, before store_open prepares
	 * the others. */
	enum status r = store_prepare(s, Q_INSERT_HASH, e);
	int rc = SQLITE_DONE;
	while (r == ST_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		/* A hash that is not 32 bytes goes in as it is, a run of its
		 * own, for the audit to report as before. */
		if (sqlite3_column_type(st, 1) != SQLITE_BLOB ||
		    sqlite3_column_bytes(st, 1) != HASH_LEN) {
			if ((r = store_hashes_flush(s, e)) != ST_OK)
				break;
			sqlite3_stmt *ins = store_stmt(s, Q_INSERT_HASH);
			sqlite3_bind_int64(ins, 1, id);
			sqlite3_bind_value(ins, 2, sqlite3_column_value(st, 1));
			r = store_exec(s, ins, "migrate", e);
			continue;
		}
		r = store_insert_hashes(
			s, id,
			(const uint8_t(*)[HASH_LEN])sqlite3_column_blob(st, 1),
			1, e);
		if (r == ST_OK && pending(s) >= 64 * RUN_HASHES)
			r = store_hashes_flush(s, e);
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = store_fail(s, "migrate", e);
	sqlite3_finalize(st);
	if (r == ST_OK)
		r = store_hashes_flush(s, e);
	buf_reset(&s->hpend);
	memset(s->cache, 0, HASH_CACHE_SLOTS * sizeof *s->cache);
	if (r != ST_OK)
		return r;
	return store_exec_sql(s, "DROP TABLE hashes", "migrate", e);
}
