/*
 * venues.c: each venue's chain of entries, linked back through
 * venue_prev from its head (table heads), and the cache of heads a
 * writer keeps (store_private.h): reading a venue's head and its entries,
 * and appending an entry to its chain.
 */
#include "store_private.h"

#include <stdlib.h>
#include <string.h>

/* Empties the cache of venue heads. */
static void heads_drop(struct store *s)
{
	if (s->heads != NULL)
		memset(s->heads, 0, HEAD_CACHE_SETS * sizeof *s->heads);
	s->heads_version = -1;
	s->heads_moved = false;
}

void store_heads_fresh(struct store *s, int64_t version)
{
	if (s->heads == NULL) /* without it, heads are read from the table */
		s->heads = calloc(HEAD_CACHE_SETS, sizeof *s->heads);
	/* Another connection wrote, or the transaction before moved heads
	 * and did not commit (rolled back, by store_rollback or by SQLite,
	 * or its commit failed). */
	if (version != s->heads_version || s->heads_moved) {
		heads_drop(s);
		s->heads_version = version;
	}
}

/* The set of venue's head in the cache, if the cache may be used; len is
 * strlen(venue). */
static struct head_slot *head_set(struct store *s, const char *venue,
				  size_t len)
{
	/* Not after SQLite has rolled a transaction back by itself. */
	if (s->heads == NULL || !s->writing || len == 0 || len > VENUE_ID_LEN ||
	    sqlite3_get_autocommit(s->db))
		return NULL;
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)venue[i]) * 0x100000001b3ull;
	return s->heads[(h * 0x9e3779b97f4a7c15ull) >> (64 - HEAD_CACHE_BITS)];
}

static struct head_slot *head_find(struct store *s, const char *venue)
{
	size_t len = strlen(venue);
	struct head_slot *set = head_set(s, venue, len);
	/* len + 1 is at most a slot's size: head_set. */
	for (int i = 0; set != NULL && i < 2; i++)
		if (memcmp(set[i].venue, venue, len + 1) == 0)
			return &set[i];
	return NULL;
}

/* Keeps venue's head in the first way of its set, the other venue there
 * before it in the second. */
static void head_put(struct store *s, const char *venue, int64_t index,
		     int64_t seq)
{
	size_t len = strlen(venue);
	struct head_slot *set = head_set(s, venue, len);
	if (set == NULL)
		return;
	if (memcmp(set[0].venue, venue, len + 1) != 0)
		set[1] = set[0];
	memcpy(set[0].venue, venue, len + 1);
	set[0].index = index;
	set[0].seq = seq;
}

enum status store_venue_head(struct store *s, const char *venue, int64_t *index,
			     int64_t *seq, struct err *e)
{
	const struct head_slot *h = head_find(s, venue);
	if (h != NULL && h->seq < 0)
		return err_set(e, ST_NOT_FOUND, "no such venue");
	if (h != NULL) {
		*index = h->index;
		*seq = h->seq;
		return ST_OK;
	}
	sqlite3_stmt *st = store_stmt(s, Q_VENUE_HEAD);
	sqlite3_bind_text(st, 1, venue, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW) {
		*index = sqlite3_column_int64(st, 0);
		*seq = sqlite3_column_int64(st, 1);
		/* A venue's entry number n is at index n or later. */
		if (*seq < 0 || *seq > *index)
			r = err_set(e, ST_CORRUPT,
				    "a venue's head row is malformed");
	} else if (rc == SQLITE_DONE) {
		r = err_set(e, ST_NOT_FOUND, "no such venue");
	} else {
		r = store_fail(s, "venue", e);
	}
	sqlite3_reset(st);
	if (r == ST_OK)
		head_put(s, venue, *index, *seq);
	else if (r == ST_NOT_FOUND)
		head_put(s, venue, -1, -1);
	return r;
}

/* One step back along a venue's chain: the entry before index, and
 * index's own number in the venue.  *prev is -1 at the venue's first. */
static enum status venue_prev(struct store *s, const char *venue, int64_t index,
			      int64_t *prev, int64_t *seq, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_VENUE_PREV);
	sqlite3_bind_int64(st, 1, index);
	sqlite3_bind_text(st, 2, venue, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW) {
		*prev = sqlite3_column_type(st, 0) == SQLITE_NULL
				? -1
				: sqlite3_column_int64(st, 0);
		*seq = sqlite3_column_int64(st, 1);
	} else if (rc == SQLITE_DONE) {
		r = err_set(e, ST_CORRUPT, "a venue's chain of rows is broken");
	} else {
		r = store_fail(s, "venue chain", e);
	}
	sqlite3_reset(st);
	return r;
}

/* Walks a venue's rows from entry index, its number seq, back to entry
 * number `until`, giving each index to fn (if not NULL), newest first.
 * Each step must go down by one, so a damaged link ends the walk with
 * ST_CORRUPT.  The walk starts from a head the caller read: rows before
 * it never change, whatever commits meanwhile. */
static enum status venue_walk(struct store *s, const char *venue, int64_t index,
			      int64_t seq, int64_t until, int64_t *last,
			      void (*fn)(void *, size_t, int64_t), void *ctx,
			      struct err *e)
{
	if (until > seq || until < 0)
		return err_set(e, ST_NOT_FOUND, "no such venue entry");
	for (int64_t want = seq;; want--) {
		int64_t prev = 0, got = 0;
		enum status r;
		if ((r = venue_prev(s, venue, index, &prev, &got, e)) != ST_OK)
			return r;
		if (got != want || (want > 0) != (prev >= 0) || prev >= index)
			return err_set(e, ST_CORRUPT,
				       "a venue's chain of rows is broken");
		if (fn != NULL)
			fn(ctx, (size_t)want, index);
		if (want == until)
			break;
		index = prev;
	}
	*last = index;
	return ST_OK;
}

enum status store_venue_entry(struct store *s, const char *venue, int64_t seq,
			      int64_t *index, struct err *e)
{
	int64_t head = 0, last = 0;
	enum status r = store_venue_head(s, venue, &head, &last, e);
	if (r != ST_OK)
		return r;
	return venue_walk(s, venue, head, last, seq, index, NULL, NULL, e);
}

/* The indexes a walk gives, newest first, in an array that grows with
 * the rows actually found (never sized from a stored number). */
struct index_list {
	int64_t *v;
	size_t n, alloc;
	bool nomem;
};

static void put_index(void *ctx, size_t seq, int64_t index)
{
	struct index_list *l = ctx;
	(void)seq;
	if (l->nomem)
		return;
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 64;
		int64_t *p = realloc(l->v, na * sizeof *p);
		if (p == NULL) {
			l->nomem = true;
			return;
		}
		l->v = p;
		l->alloc = na;
	}
	l->v[l->n++] = index;
}

enum status store_venue_indexes(struct store *s, const char *venue,
				int64_t **out, size_t *count, struct err *e)
{
	int64_t head = 0, seq = 0, first = 0;
	struct index_list l = {0};
	enum status r = store_venue_head(s, venue, &head, &seq, e);
	*out = NULL;
	*count = 0;
	if (r == ST_NOT_FOUND)
		return ST_OK;
	if (r != ST_OK)
		return r;
	r = venue_walk(s, venue, head, seq, 0, &first, put_index, &l, e);
	if (r == ST_OK && l.nomem)
		r = err_set(e, ST_NOMEM, "out of memory");
	if (r != ST_OK) {
		free(l.v);
		return r;
	}
	for (size_t i = 0; i < l.n / 2; i++) {
		int64_t t = l.v[i];
		l.v[i] = l.v[l.n - 1 - i];
		l.v[l.n - 1 - i] = t;
	}
	*out = l.v;
	*count = l.n;
	return ST_OK;
}

enum status store_venue_ids(struct store *s, char ***out, size_t *count,
			    struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_VENUE_IDS);
	char **v = NULL;
	size_t n = 0, alloc = 0;
	int rc;
	enum status r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 16;
			char **p = realloc(v, na * sizeof *v);
			if (p == NULL) {
				r = err_set(e, ST_NOMEM, "out of memory");
				goto fail;
			}
			v = p;
			alloc = na;
		}
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if ((v[n] = strdup(t != NULL ? t : "")) == NULL) {
			r = err_set(e, ST_NOMEM, "out of memory");
			goto fail;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		r = store_fail(s, "venues", e);
		goto fail;
	}
	sqlite3_reset(st);
	*out = v;
	*count = n;
	return ST_OK;
fail:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	sqlite3_reset(st);
	return r;
}

enum status store_insert_entry(struct store *s,
			       const struct store_entry_row *row, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_INSERT_ENTRY);
	sqlite3_bind_int64(st, 1, row->index);
	if (row->venue != NULL) {
		sqlite3_bind_text(st, 2, row->venue, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, row->venue_seq);
	}
	sqlite3_bind_int(st, 4, row->kind);
	if (row->revokes >= 0)
		sqlite3_bind_int64(st, 5, row->revokes);
	if (row->provider != NULL)
		sqlite3_bind_text(st, 6, row->provider, -1, SQLITE_STATIC);
	if (row->doc != NULL)
		sqlite3_bind_blob(st, 7, row->doc, HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, row->text, (int)row->len, SQLITE_STATIC);
	if (row->venue == NULL)
		return store_exec(s, st, "insert entry", e);

	/* A venue's entry extends its chain of rows by exactly one, from its
	 * venue's head, which then moves to it. */
	int64_t head = -1, seq = -1;
	enum status r = store_venue_head(s, row->venue, &head, &seq, e);
	if (r != ST_OK && r != ST_NOT_FOUND)
		return r;
	if (row->venue_seq != seq + 1 || (r == ST_OK && head >= row->index))
		return err_set(e, ST_CONFLICT,
			       "insert entry: out of its venue's order");
	if (r == ST_OK)
		sqlite3_bind_int64(st, 9, head);
	if ((r = store_exec(s, st, "insert entry", e)) != ST_OK)
		return r;
	sqlite3_stmt *hs = store_stmt(s, Q_HEAD_SET);
	sqlite3_bind_text(hs, 1, row->venue, -1, SQLITE_STATIC);
	sqlite3_bind_int64(hs, 2, row->index);
	sqlite3_bind_int64(hs, 3, row->venue_seq);
	if ((r = store_exec(s, hs, "venue head", e)) != ST_OK)
		return r;
	s->heads_moved = true;
	head_put(s, row->venue, row->index, row->venue_seq);
	return ST_OK;
}
