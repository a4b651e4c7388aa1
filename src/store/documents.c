/*
 * documents.c: the documents, stored once each by their SHA-256 and found
 * by its first 8 bytes, their key, through the index (docindex.c), and
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
void store_doc_keys_fresh(struct store *s, int64_t version)
{
	if (version == s->doc_keys_version) {
		s->doc_keys_ready = true;
		return;
	}
	keyset_clear(s->doc_keys);
	sqlite3_stmt *st = store_stmt(s, Q_DOC_KEYS_ALL);
	bool ok = true;
	int rc = SQLITE_DONE;
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct doc_pair *v = sqlite3_column_blob(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0) / sizeof *v;
		for (size_t i = 0; ok && i < n; i++)
			ok = keyset_add(s->doc_keys, doc_key(v[i].b)) == ST_OK;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		drop_doc_keys(s);
		return;
	}
	s->doc_keys_version = version;
	s->doc_keys_ready = true;
}

enum status store_keep_doc_keys(struct store *s, struct err *e)
{
	if (s->doc_keys != NULL)
		return ST_OK;
	if ((s->doc_keys = keyset_new()) == NULL)
		return err_set(e, ST_NOMEM, "document keys: out of memory");
	s->doc_keys_version = -1; /* data_version is never negative */
	return ST_OK;
}

size_t store_doc_keys_bytes(const struct store *s)
{
	return s->doc_keys != NULL ? keyset_bytes(s->doc_keys) : 0;
}

enum status store_insert_document(struct store *s, const uint8_t sha[HASH_LEN],
				  const char *mime, const uint8_t *data,
				  size_t len, struct err *e)
{
	if (len > INT32_MAX)
		return err_set(e, ST_TOO_LARGE, "document too large");
	/* Outside a transaction, the document and its key go in one. */
	bool own = sqlite3_get_autocommit(s->db);
	enum status r;
	if (own && (r = store_begin(s, e)) != ST_OK)
		return r;
	/* Most documents are new: no key of theirs is stored yet, which the
	 * set of keys in memory tells without the database, once brought up
	 * to date in this transaction (store_begin). */
	bool known_new = s->doc_keys != NULL && s->doc_keys_ready &&
			 !keyset_has(s->doc_keys, doc_key(sha));
	int64_t size = 0;
	char have[32];
	r = known_new ? ST_NOT_FOUND
		      : store_document_meta(s, sha, &size, have, e);
	if (r == ST_NOT_FOUND) {
		sqlite3_stmt *st = store_stmt(s, Q_INSERT_DOC);
		sqlite3_bind_blob(st, 1, sha, HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, mime, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)len);
		sqlite3_bind_blob(st, 4, data, (int)len, SQLITE_STATIC);
		if ((r = store_exec(s, st, "insert document", e)) == ST_OK)
			r = store_index_document(
				s, sha, sqlite3_last_insert_rowid(s->db), e);
		if (r == ST_OK && s->doc_keys != NULL &&
		    keyset_add(s->doc_keys, doc_key(sha)) != ST_OK)
			drop_doc_keys(s);
	}
	if (own) {
		if (r == ST_OK)
			r = store_commit(s, e);
		if (r != ST_OK)
			store_rollback(s);
	}
	return r;
}

struct find {
	const uint8_t *sha;
	struct buf *out; /* NULL: the type and size only */
	int64_t *size;
	char *mime;
};

/* The document of row id, if its SHA-256 is f->sha: its type and size,
 * and with f->out its bytes (query Q_DOC) or without (Q_DOC_META). */
static enum status try_document(struct store *s, int64_t id, void *ctx,
				struct err *e)
{
	struct find *f = ctx;
	sqlite3_stmt *st = store_stmt(s, f->out != NULL ? Q_DOC : Q_DOC_META);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, f->sha, HASH_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);
		snprintf(f->mime, 32, "%s", m != NULL ? m : "");
		*f->size = sqlite3_column_int64(st, 1);
		if (f->out != NULL)
			r = store_column_to_buf(st, 2, f->out, e);
	} else if (rc == SQLITE_DONE) {
		r = ST_NOT_FOUND;
	} else {
		r = store_fail(s, "document", e);
	}
	sqlite3_reset(st);
	return r;
}

/* A document by its SHA-256, through the index. */
static enum status find_document(struct store *s, const uint8_t sha[HASH_LEN],
				 struct buf *out, int64_t *size, char *mime,
				 struct err *e)
{
	struct find f = {sha, out, size, mime};
	enum status r = store_index_find(s, sha, try_document, &f, e);
	if (r == ST_NOT_FOUND)
		return err_set(e, ST_NOT_FOUND, "no such document");
	return r;
}

enum status store_document(struct store *s, const uint8_t sha[HASH_LEN],
			   struct buf *out, char *mime, struct err *e)
{
	int64_t size = 0;
	return find_document(s, sha, out, &size, mime, e);
}

enum status store_document_meta(struct store *s, const uint8_t sha[HASH_LEN],
				int64_t *size, char *mime, struct err *e)
{
	return find_document(s, sha, NULL, size, mime, e);
}

enum status store_scan_documents(struct store *s, store_doc_fn fn, void *ctx,
				 struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_SCAN_DOCS);
	int rc;
	enum status r = ST_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 3);
		const uint8_t *d = sqlite3_column_blob(st, 4);
		if (sqlite3_column_bytes(st, 1) != HASH_LEN) {
			r = err_set(e, ST_CORRUPT,
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
		r = store_fail(s, "scan documents", e);
	sqlite3_reset(st);
	return r;
}

void store_doc_cursor_open(struct store *s)
{
	store_stmt(s, Q_CUR_DOCS);
}

enum status store_doc_cursor_next(struct store *s, uint8_t sha[HASH_LEN],
				  int64_t *size, char *mime, struct err *e)
{
	sqlite3_stmt *st = s->q[Q_CUR_DOCS];
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return ST_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_fail(s, "scan documents", e);
	if (sqlite3_column_bytes(st, 0) != HASH_LEN)
		return err_set(e, ST_CORRUPT, "document key is not 32 bytes");
	const char *m = (const char *)sqlite3_column_text(st, 2);
	memcpy(sha, sqlite3_column_blob(st, 0), HASH_LEN);
	*size = sqlite3_column_int64(st, 1);
	snprintf(mime, 32, "%s", m != NULL ? m : "");
	return ST_OK;
}
