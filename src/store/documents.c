/*
 * documents.c: the documents, stored once each by their SHA-256 and found
 * by its first 8 bytes (tables documents, doc_keys and doc_keys_new), and
 * the set of those keys a writer may keep in memory (keyset.h).
 */
#include "store_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t doc_key(const uint8_t *sha)
{
	uint64_t k;
	memcpy(&k, sha, sizeof k);
	return k;
}

static void drop_doc_keys(struct store *s)
{
	keyset_free(s->doc_keys);
	s->doc_keys = NULL;
}

/* Within a write transaction: reloads s->doc_keys if another connection
 * has written since it was loaded.  Whatever fails, the set is dropped
 * and documents are looked up in the database as without it. */
void store_doc_keys_fresh(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, Q_DATA_VERSION);
	int rc = sqlite3_step(st);
	int64_t version = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		drop_doc_keys(s);
		return;
	}
	if (version == s->doc_keys_version) {
		s->doc_keys_ready = true;
		return;
	}
	keyset_clear(s->doc_keys);
	st = store_stmt(s, Q_DOC_KEYS_ALL);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *key = sqlite3_column_blob(st, 0);
		if (sqlite3_column_bytes(st, 0) != (int)sizeof(uint64_t) ||
		    keyset_add(s->doc_keys, doc_key(key)) != ST_OK)
			break;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		drop_doc_keys(s);
		return;
	}
	s->doc_keys_version = version;
	s->doc_keys_ready = true;
}

enum status store_keep_doc_keys(struct store *s)
{
	if (s->doc_keys != NULL)
		return ST_OK;
	if ((s->doc_keys = keyset_new()) == NULL)
		return store_fail_msg(s, ST_NOMEM,
				      "document keys: out of memory");
	s->doc_keys_version = -1; /* data_version is never negative */
	return ST_OK;
}

size_t store_doc_keys_bytes(const struct store *s)
{
	return s->doc_keys != NULL ? keyset_bytes(s->doc_keys) : 0;
}

enum status store_insert_document(struct store *s, const uint8_t sha[HASH_LEN],
				  const char *mime, const uint8_t *data,
				  size_t len)
{
	if (len > INT32_MAX)
		return store_fail_msg(s, ST_TOO_LARGE, "document too large");
	/* Most documents are new: no key of theirs is stored yet, which the
	 * set of keys in memory tells without the database, once brought up
	 * to date in this transaction (store_begin). */
	sqlite3_stmt *st = store_stmt(s, Q_DOC_KEY_USED);
	int rc = SQLITE_DONE;
	bool known_new = s->doc_keys != NULL && s->doc_keys_ready &&
			 !sqlite3_get_autocommit(s->db) &&
			 !keyset_has(s->doc_keys, doc_key(sha));
	if (!known_new) {
		sqlite3_bind_blob(st, 1, sha, HASH_LEN, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "document key");
	enum status r;
	if (rc == SQLITE_ROW) {
		int64_t size = 0;
		char have[32];
		r = store_document_meta(s, sha, &size, have);
		if (r == ST_OK)
			return ST_OK;
		if (r != ST_NOT_FOUND)
			return r;
	}
	st = store_stmt(s, Q_INSERT_DOC);
	sqlite3_bind_blob(st, 1, sha, HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, mime, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)len);
	sqlite3_bind_blob(st, 4, data, (int)len, SQLITE_STATIC);
	/* Its key goes into doc_keys_new by trigger (documents_key). */
	if ((r = store_exec(s, st, "insert document")) != ST_OK)
		return r;
	if (s->doc_keys != NULL &&
	    keyset_add(s->doc_keys, doc_key(sha)) != ST_OK)
		drop_doc_keys(s);
	return ST_OK;
}

bool store_doc_keys_merge_due(int64_t fresh, int64_t all)
{
	/* Each append writes about fresh / 250 pages of doc_keys_new; a
	 * merge writes every page of doc_keys, about all / 250, once.
	 * Merging when fresh reaches the square root of 1024 * all keeps
	 * the two costs even, per append of a thousand documents. */
	return fresh >= 4096 &&
	       (double)fresh * (double)fresh >= 1024.0 * (double)all;
}

enum status store_merge_doc_keys(struct store *s)
{
	int64_t fresh = 0, all = 0;
	enum status r;
	if ((r = store_one_int(s, store_stmt(s, Q_DOC_NEW_COUNT), &fresh,
			       "doc keys")) != ST_OK ||
	    (r = store_one_int(s, store_stmt(s, Q_DOC_COUNT), &all,
			       "documents")) != ST_OK)
		return r;
	if (!store_doc_keys_merge_due(fresh, all))
		return ST_OK;
	if ((r = store_exec(s, store_stmt(s, Q_DOC_MERGE), "merge doc keys")) !=
	    ST_OK)
		return r;
	return store_exec(s, store_stmt(s, Q_DOC_NEW_CLEAR), "merge doc keys");
}

/* A document by its SHA-256: its type and size, and with out its bytes
 * (query Q_DOC) or without (Q_DOC_META). */
static enum status find_document(struct store *s, const uint8_t sha[HASH_LEN],
				 struct buf *out, int64_t *size, char *mime)
{
	sqlite3_stmt *st = store_stmt(s, out != NULL ? Q_DOC : Q_DOC_META);
	sqlite3_bind_blob(st, 1, sha, HASH_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);
		snprintf(mime, 32, "%s", m != NULL ? m : "");
		*size = sqlite3_column_int64(st, 1);
		if (out != NULL)
			r = store_column_to_buf(s, st, 2, out);
	} else if (rc == SQLITE_DONE) {
		r = store_fail_msg(s, ST_NOT_FOUND, "no such document");
	} else {
		r = store_fail(s, "document");
	}
	sqlite3_reset(st);
	return r;
}

enum status store_document(struct store *s, const uint8_t sha[HASH_LEN],
			   struct buf *out, char *mime)
{
	int64_t size = 0;
	return find_document(s, sha, out, &size, mime);
}

enum status store_document_meta(struct store *s, const uint8_t sha[HASH_LEN],
				int64_t *size, char *mime)
{
	return find_document(s, sha, NULL, size, mime);
}

enum status store_scan_documents(struct store *s, store_doc_fn fn, void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, Q_SCAN_DOCS);
	int rc;
	enum status r = ST_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 3);
		const uint8_t *d = sqlite3_column_blob(st, 4);
		if (sqlite3_column_bytes(st, 1) != HASH_LEN) {
			r = store_fail_msg(s, ST_CORRUPT,
					   "document key is not 32 bytes");
			break;
		}
		r = fn(ctx, sqlite3_column_int64(st, 0),
		       sqlite3_column_blob(st, 1),
		       sqlite3_column_int(st, 5) != 0,
		       sqlite3_column_int64(st, 2), m != NULL ? m : "",
		       d != NULL ? d : (const uint8_t *)"",
		       (size_t)sqlite3_column_bytes(st, 4));
		if (r != ST_OK)
			break;
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = store_fail(s, "scan documents");
	sqlite3_reset(st);
	return r;
}

/* Steps st, calling fn with column 0 as bytes and column 1 as an id. */
static enum status scan_blob_ids(struct store *s, sqlite3_stmt *st,
				 store_blob_id_fn fn, void *ctx,
				 const char *what)
{
	int rc;
	enum status r = ST_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *b = sqlite3_column_blob(st, 0);
		r = fn(ctx, b != NULL ? b : (const uint8_t *)"",
		       (size_t)sqlite3_column_bytes(st, 0),
		       sqlite3_column_int64(st, 1));
		if (r != ST_OK)
			break;
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = store_fail(s, what);
	sqlite3_reset(st);
	return r;
}

enum status store_scan_doc_keys(struct store *s, store_blob_id_fn fn, void *ctx)
{
	return scan_blob_ids(s, store_stmt(s, Q_SCAN_DOC_KEYS), fn, ctx,
			     "scan document keys");
}

enum status store_scan_unkeyed_documents(struct store *s, store_blob_id_fn fn,
					 void *ctx)
{
	return scan_blob_ids(s, store_stmt(s, Q_UNKEYED_DOCS), fn, ctx,
			     "unkeyed documents");
}

enum status store_doc_cursor_open(struct store *s)
{
	store_stmt(s, Q_CUR_DOCS);
	return ST_OK;
}

enum status store_doc_cursor_next(struct store *s, uint8_t sha[HASH_LEN],
				  int64_t *size, char *mime)
{
	sqlite3_stmt *st = s->q[Q_CUR_DOCS];
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return ST_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_fail(s, "scan documents");
	if (sqlite3_column_bytes(st, 0) != HASH_LEN)
		return store_fail_msg(s, ST_CORRUPT,
				      "document key is not 32 bytes");
	const char *m = (const char *)sqlite3_column_text(st, 2);
	memcpy(sha, sqlite3_column_blob(st, 0), HASH_LEN);
	*size = sqlite3_column_int64(st, 1);
	snprintf(mime, 32, "%s", m != NULL ? m : "");
	return ST_OK;
}
