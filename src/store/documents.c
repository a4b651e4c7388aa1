/*
 * documents.c: the documents, stored once each by their SHA-256 and found
 * by its first 8 bytes, their key, through the index (docindex.c), and
 * the set of those keys a writer may keep in memory (keyset.h).  A
 * document's row holds its key, size and type; its bytes are a file of
 * the folder beside the database (docfiles.h), written and synced before
 * the row is committed.
 */
#include "store_private.h"

#include "store/docfiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	return store_keep_doc_keys_within(s, SIZE_MAX, e);
}

enum status store_keep_doc_keys_within(struct store *s, size_t max_bytes,
				       struct err *e)
{
	if (s->doc_keys != NULL)
		return ST_OK;
	if ((s->doc_keys = keyset_new(max_bytes)) == NULL)
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
		/* The file first (unless the caller wrote it), synced by
		 * store_commit before the row commits: a row never names a
		 * document without its file. */
		r = data != NULL ? docfiles_write(s->docs, sha, data, len, e)
				 : ST_OK;
		s->docs_unsynced |= data != NULL;
		sqlite3_stmt *st = store_stmt(s, Q_INSERT_DOC);
		sqlite3_bind_blob(st, 1, sha, HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, mime, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)len);
		if (r == ST_OK)
			r = store_exec(s, st, "insert document", e);
		if (r == ST_OK)
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
	int64_t *size;
	char *mime;
};

/* The type and size of the document of row id, if its SHA-256 is
 * f->sha. */
static enum status try_document(struct store *s, int64_t id, void *ctx,
				struct err *e)
{
	struct find *f = ctx;
	sqlite3_stmt *st = store_stmt(s, Q_DOC_META);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, f->sha, HASH_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);
		snprintf(f->mime, 32, "%s", m != NULL ? m : "");
		*f->size = sqlite3_column_int64(st, 1);
	} else if (rc == SQLITE_DONE) {
		r = ST_NOT_FOUND;
	} else {
		r = store_fail(s, "document", e);
	}
	sqlite3_reset(st);
	return r;
}

enum status store_document_meta(struct store *s, const uint8_t sha[HASH_LEN],
				int64_t *size, char *mime, struct err *e)
{
	struct find f = {sha, size, mime};
	enum status r = store_index_find(s, sha, try_document, &f, e);
	if (r == ST_NOT_FOUND)
		return err_set(e, ST_NOT_FOUND, "no such document");
	return r;
}

/* The file of a document the database has, of its recorded size: a
 * missing or other file is ST_CORRUPT (verify --db names it). */
static enum status file_of(int64_t want, int64_t got, enum status r,
			   struct err *e)
{
	if (r == ST_NOT_FOUND)
		return err_set(e, ST_CORRUPT,
			       "document: its file is missing (verify --db)");
	if (r == ST_OK && got != want)
		return err_set(e, ST_CORRUPT,
			       "document: its file is %lld bytes, not %lld "
			       "(verify --db)",
			       (long long)got, (long long)want);
	return r;
}

enum status store_document(struct store *s, const uint8_t sha[HASH_LEN],
			   struct buf *out, char *mime, struct err *e)
{
	int64_t size = 0;
	enum status r = store_document_meta(s, sha, &size, mime, e);
	if (r != ST_OK)
		return r;
	size_t had = out->len;
	r = docfiles_read(s->docs, sha, out, e);
	r = file_of(size, (int64_t)(out->len - had), r, e);
	if (r != ST_OK)
		out->len = had;
	return r;
}

enum status store_document_open(struct store *s, const uint8_t sha[HASH_LEN],
				int *fd, int64_t *size, char *mime,
				struct err *e)
{
	int64_t got = 0;
	*fd = -1;
	enum status r = store_document_meta(s, sha, size, mime, e);
	if (r != ST_OK)
		return r;
	r = file_of(*size, got, docfiles_open(s->docs, sha, fd, &got, e), e);
	if (r != ST_OK && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return r;
}

enum status store_scan_documents(struct store *s, store_doc_fn fn, void *ctx,
				 struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_SCAN_DOCS);
	int rc;
	enum status r = ST_OK;
	struct buf data;
	buf_init(&data, SIZE_MAX / 2);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 3);
		if (sqlite3_column_bytes(st, 1) != HASH_LEN) {
			r = err_set(e, ST_CORRUPT,
				    "document key is not 32 bytes");
			break;
		}
		const uint8_t *sha = sqlite3_column_blob(st, 1);
		buf_reset(&data);
		r = docfiles_read(s->docs, sha, &data, e);
		if (r != ST_OK && r != ST_NOT_FOUND)
			break;
		r = fn(ctx, sqlite3_column_int64(st, 0), sha,
		       sqlite3_column_int(st, 4) != 0,
		       sqlite3_column_int64(st, 2), m != NULL ? m : "",
		       r == ST_OK ? data.data : NULL, data.len);
		if (r != ST_OK)
			break;
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = store_fail(s, "scan documents", e);
	sqlite3_reset(st);
	buf_free(&data);
	return r;
}

enum status store_docs_migrate(struct store *s, struct err *e)
{
	sqlite3_stmt *st = NULL;
	enum status r = ST_OK;
	if ((r = docfiles_make(s->docs, e)) != ST_OK)
		return r;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT sha256, data FROM documents"
			       " WHERE length(data) > 0 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "migrate", e);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* A key no look-up could use keeps its bytes in the
		 * database, for the audit to name it. */
		if (sqlite3_column_type(st, 0) != SQLITE_BLOB ||
		    sqlite3_column_bytes(st, 0) != HASH_LEN)
			continue;
		const uint8_t *sha = sqlite3_column_blob(st, 0);
		const void *d = sqlite3_column_blob(st, 1);
		size_t n = (size_t)sqlite3_column_bytes(st, 1);
		if ((r = docfiles_write(s->docs, sha, d, n, e)) != ST_OK)
			break;
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = store_fail(s, "migrate", e);
	sqlite3_finalize(st);
	if (r == ST_OK)
		r = docfiles_sync(s->docs, e);
	if (r != ST_OK)
		return r;
	/* Every file is synced: the bytes leave the database. */
	return store_exec_sql(s,
			      "UPDATE documents SET data = X''"
			      " WHERE length(data) > 0"
			      " AND typeof(sha256) = 'blob'"
			      " AND length(sha256) = 32",
			      "migrate", e);
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
