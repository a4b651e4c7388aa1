/*
 * wdb.c: the witness's database (see wdb.h).
 *
 * Schema 1:
 *   meta(key, value)      name, vkey
 *   logs(origin, vkey, size, root, checkpoint, cosigned, added)
 *   evidence(id, origin, received, status, reason, held, request)
 */
#include "wdb.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"

static const char schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE TABLE logs(origin TEXT PRIMARY KEY, vkey TEXT NOT NULL,"
	" size INTEGER NOT NULL DEFAULT 0, root BLOB, checkpoint BLOB,"
	" cosigned INTEGER NOT NULL DEFAULT 0, added INTEGER NOT NULL);"
	"CREATE TABLE evidence(id INTEGER PRIMARY KEY, origin TEXT NOT NULL,"
	" received INTEGER NOT NULL, status INTEGER NOT NULL,"
	" reason TEXT NOT NULL, held BLOB NOT NULL, request BLOB NOT NULL);";

enum stmt {
	Q_META,
	Q_LOG_ADD,
	Q_LOG_REMOVE,
	Q_LOG_GET,
	Q_LOGS,
	Q_LOG_CHECKPOINT,
	Q_LOG_UPDATE,
	Q_EVIDENCE_ADD,
	Q_EVIDENCE,
	Q_BEGIN,
	Q_COMMIT,
	Q__COUNT
};

static const char *const sql[Q__COUNT] = {
	[Q_META] = "SELECT value FROM meta WHERE key = ?1",
	[Q_LOG_ADD] =
		"INSERT INTO logs(origin, vkey, added) VALUES(?1, ?2, ?3)",
	[Q_LOG_REMOVE] = "DELETE FROM logs WHERE origin = ?1",
	[Q_LOG_GET] = "SELECT origin, vkey, size, root, cosigned, added"
		      " FROM logs WHERE origin = ?1",
	[Q_LOGS] = "SELECT origin, vkey, size, root, cosigned, added"
		   " FROM logs ORDER BY origin",
	[Q_LOG_CHECKPOINT] = "SELECT checkpoint FROM logs WHERE origin = ?1",
	[Q_LOG_UPDATE] = "UPDATE logs SET size = ?2, root = ?3,"
			 " checkpoint = ?4, cosigned = ?5"
			 " WHERE origin = ?1 AND vkey = ?6",
	[Q_EVIDENCE_ADD] = "INSERT INTO evidence(origin, received, status,"
			   " reason, held, request)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_EVIDENCE] = "SELECT id, origin, received, status, reason, held,"
		       " request FROM evidence ORDER BY id",
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
};

struct wdb {
	sqlite3 *db;
	sqlite3_stmt *st[Q__COUNT];
};

static enum status fail(struct wdb *w, const char *what, struct err *e)
{
	int code = sqlite3_extended_errcode(w->db);
	enum status st = ST_IO;
	if ((code & 0xff) == SQLITE_FULL)
		st = ST_FULL;
	else if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
		st = ST_BUSY;
	else if ((code & 0xff) == SQLITE_NOMEM)
		st = ST_NOMEM;
	else if ((code & 0xff) == SQLITE_CORRUPT ||
		 (code & 0xff) == SQLITE_NOTADB)
		st = ST_CORRUPT;
	return err_set(e, st, "%s: %s", what, sqlite3_errmsg(w->db));
}

static enum status exec(struct wdb *w, const char *text, struct err *e)
{
	if (sqlite3_exec(w->db, text, NULL, NULL, NULL) != SQLITE_OK)
		return fail(w, "witness database", e);
	return ST_OK;
}

static enum status pragma_int(struct wdb *w, const char *text, int *out,
			      struct err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(w->db, text, -1, &st, NULL) != SQLITE_OK)
		return fail(w, text, e);
	enum status r = ST_OK;
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	else
		r = fail(w, text, e);
	sqlite3_finalize(st);
	return r;
}

void wdb_close(struct wdb *w)
{
	if (w == NULL)
		return;
	for (int i = 0; i < Q__COUNT; i++)
		sqlite3_finalize(w->st[i]);
	sqlite3_close(w->db);
	free(w);
}

/* Opens path with SQLite and checks or sets up what every connection
 * needs. */
static enum status open_file(const char *path, int flags, bool created,
			     struct wdb **out, struct err *e)
{
	struct wdb *w = calloc(1, sizeof *w);
	enum status r;
	if (w == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	if (sqlite3_open_v2(path, &w->db, flags | SQLITE_OPEN_NOFOLLOW, NULL) !=
	    SQLITE_OK) {
		r = fail(w, path, e);
		goto fail;
	}
	sqlite3_extended_result_codes(w->db, 1);
	sqlite3_busy_timeout(w->db, 5000);
	int app = 0, version = 0;
	if ((r = pragma_int(w, "PRAGMA application_id", &app, e)) != ST_OK ||
	    (r = pragma_int(w, "PRAGMA user_version", &version, e)) != ST_OK)
		goto fail;
	if (created) {
		char text[sizeof schema + 200];
		snprintf(text, sizeof text,
			 "PRAGMA journal_mode=WAL; BEGIN; %s"
			 " PRAGMA user_version = %d;"
			 " PRAGMA application_id = %d; COMMIT;",
			 schema, WDB_SCHEMA, WDB_APPLICATION_ID);
		if ((r = exec(w, text, e)) != ST_OK)
			goto fail;
	} else if (app != WDB_APPLICATION_ID) {
		r = err_set(e, ST_CORRUPT, "not a sanilog witness database");
		goto fail;
	} else if (version != WDB_SCHEMA) {
		r = err_set(e, ST_CORRUPT,
			    "witness database schema %d, this sanilog "
			    "knows %d",
			    version, WDB_SCHEMA);
		goto fail;
	}
	if ((r = exec(w, "PRAGMA synchronous=FULL;", e)) != ST_OK)
		goto fail;
	for (int i = 0; i < Q__COUNT; i++)
		if (sqlite3_prepare_v3(w->db, sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &w->st[i],
				       NULL) != SQLITE_OK) {
			r = fail(w, sql[i], e);
			goto fail;
		}
	*out = w;
	return ST_OK;
fail:
	wdb_close(w);
	return r;
}

static enum status meta_set(struct wdb *w, const char *key, const char *value,
			    struct err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(w->db,
			       "INSERT INTO meta(key, value) VALUES(?1, ?2)",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(w, "meta", e);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	enum status r =
		sqlite3_step(st) == SQLITE_DONE ? ST_OK : fail(w, "meta", e);
	sqlite3_finalize(st);
	return r;
}

enum status wdb_create(const char *path, const char *name, const char *vkey,
		       struct wdb **out, struct err *e)
{
	*out = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd < 0)
		return err_set(e, errno == EEXIST ? ST_CONFLICT : ST_IO,
			       "%s: %s", path, strerror(errno));
	close(fd);
	struct wdb *w = NULL;
	enum status r = open_file(path, SQLITE_OPEN_READWRITE, true, &w, e);
	if (r == ST_OK && ((r = meta_set(w, "name", name, e)) != ST_OK ||
			   (r = meta_set(w, "vkey", vkey, e)) != ST_OK)) {
		wdb_close(w);
		w = NULL;
	}
	if (r != ST_OK) {
		char side[4096];
		unlink(path);
		snprintf(side, sizeof side, "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", path);
		unlink(side);
		return r;
	}
	*out = w;
	return ST_OK;
}

enum status wdb_open(const char *path, bool readonly, struct wdb **out,
		     struct err *e)
{
	struct stat sb;
	*out = NULL;
	if (stat(path, &sb) != 0)
		return err_set(e, errno == ENOENT ? ST_NOT_FOUND : ST_IO,
			       "%s: %s%s", path, strerror(errno),
			       errno == ENOENT ? " (run sanilog witness init)"
					       : "");
	enum status r = open_file(
		path, readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
		false, out, e);
	if (r != ST_OK)
		err_prefix(e, "%s", path);
	return r;
}

/* Steps a statement that returns no row, and resets it. */
static enum status step_done(struct wdb *w, sqlite3_stmt *st, const char *what,
			     struct err *e)
{
	int rc = sqlite3_step(st);
	enum status r = rc == SQLITE_DONE ? ST_OK : fail(w, what, e);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

enum status wdb_meta(struct wdb *w, const char *key, char *out, size_t outsize,
		     struct err *e)
{
	sqlite3_stmt *st = w->st[Q_META];
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	enum status r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		if (v == NULL || n >= outsize)
			r = err_set(e, ST_CORRUPT, "meta %s: too long", key);
		else {
			memcpy(out, v, n + 1);
			r = ST_OK;
		}
	} else if (rc == SQLITE_DONE) {
		r = err_set(e, ST_CORRUPT, "meta %s: not set", key);
	} else {
		r = fail(w, "meta", e);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

enum status wdb_log_add(struct wdb *w, const char *vkey, int64_t now,
			struct err *e)
{
	struct note_verifier v;
	enum status r = note_verifier_parse(vkey, strlen(vkey), &v, e);
	if (r != ST_OK)
		return r;
	struct wdb_log have;
	if (wdb_log_get(w, v.name, &have, NULL) == ST_OK)
		return err_set(e, ST_CONFLICT,
			       "a log of origin %s is witnessed already "
			       "(key %s)",
			       v.name, have.vkey);
	char text[NOTE_VKEY_MAX + 1];
	note_verifier_format(&v, text, sizeof text);
	sqlite3_stmt *st = w->st[Q_LOG_ADD];
	sqlite3_bind_text(st, 1, v.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return step_done(w, st, "log add", e);
}

enum status wdb_log_remove(struct wdb *w, const char *origin, struct err *e)
{
	sqlite3_stmt *st = w->st[Q_LOG_REMOVE];
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	enum status r = step_done(w, st, "log remove", e);
	if (r == ST_OK && sqlite3_changes(w->db) == 0)
		r = err_set(e, ST_NOT_FOUND, "no log of origin %s", origin);
	return r;
}

/* Reads a row of Q_LOG_GET or Q_LOGS. */
static enum status read_log(sqlite3_stmt *st, struct wdb_log *out,
			    struct err *e)
{
	const char *origin = (const char *)sqlite3_column_text(st, 0);
	const char *vkey = (const char *)sqlite3_column_text(st, 1);
	memset(out, 0, sizeof *out);
	size_t olen = origin != NULL ? strlen(origin) : 0;
	size_t vlen = vkey != NULL ? strlen(vkey) : 0;
	if (origin == NULL || vkey == NULL || olen >= sizeof out->origin ||
	    vlen >= sizeof out->vkey)
		return err_set(e, ST_CORRUPT, "logs: a malformed row");
	memcpy(out->origin, origin, olen + 1);
	memcpy(out->vkey, vkey, vlen + 1);
	out->size = sqlite3_column_int64(st, 2);
	if (sqlite3_column_type(st, 3) == SQLITE_BLOB) {
		if (sqlite3_column_bytes(st, 3) != HASH_LEN)
			return err_set(e, ST_CORRUPT,
				       "logs %s: a root of %d "
				       "bytes",
				       origin, sqlite3_column_bytes(st, 3));
		memcpy(out->root, sqlite3_column_blob(st, 3), HASH_LEN);
		out->has_root = true;
	}
	out->cosigned = sqlite3_column_int64(st, 4);
	out->added = sqlite3_column_int64(st, 5);
	return ST_OK;
}

enum status wdb_log_get(struct wdb *w, const char *origin, struct wdb_log *out,
			struct err *e)
{
	sqlite3_stmt *st = w->st[Q_LOG_GET];
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	enum status r;
	if (rc == SQLITE_ROW)
		r = read_log(st, out, e);
	else if (rc == SQLITE_DONE)
		r = err_set(e, ST_NOT_FOUND, "no log of origin %s", origin);
	else
		r = fail(w, "logs", e);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

enum status wdb_logs(struct wdb *w,
		     enum status (*fn)(void *ctx, const struct wdb_log *l),
		     void *ctx, struct err *e)
{
	sqlite3_stmt *st = w->st[Q_LOGS];
	enum status r = ST_OK;
	int rc;
	while (r == ST_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct wdb_log l;
		if ((r = read_log(st, &l, e)) == ST_OK)
			r = fn(ctx, &l);
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = fail(w, "logs", e);
	sqlite3_reset(st);
	return r;
}

enum status wdb_log_checkpoint(struct wdb *w, const char *origin,
			       struct buf *out, struct err *e)
{
	sqlite3_stmt *st = w->st[Q_LOG_CHECKPOINT];
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW) {
		const void *p = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		if (p != NULL && n > 0 && buf_append(out, p, (size_t)n) != 0)
			r = err_set(e, ST_NOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		r = err_set(e, ST_NOT_FOUND, "no log of origin %s", origin);
	} else {
		r = fail(w, "logs", e);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

enum status wdb_begin(struct wdb *w, struct err *e)
{
	return step_done(w, w->st[Q_BEGIN], "begin", e);
}

enum status wdb_commit(struct wdb *w, struct err *e)
{
	return step_done(w, w->st[Q_COMMIT], "commit", e);
}

void wdb_rollback(struct wdb *w)
{
	if (!sqlite3_get_autocommit(w->db))
		sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
}

enum status wdb_log_update(struct wdb *w, const char *origin, const char *vkey,
			   int64_t size, const uint8_t root[HASH_LEN],
			   const char *note, size_t note_len, int64_t now,
			   struct err *e)
{
	sqlite3_stmt *st = w->st[Q_LOG_UPDATE];
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, vkey, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_blob(st, 3, root, HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 4, note, note_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	enum status r = step_done(w, st, "log update", e);
	if (r == ST_OK && sqlite3_changes(w->db) == 0)
		r = err_set(e, ST_NOT_FOUND, "no log of origin %s", origin);
	return r;
}

enum status wdb_evidence_add(struct wdb *w, const struct wdb_evidence *ev,
			     struct err *e)
{
	sqlite3_stmt *st = w->st[Q_EVIDENCE_ADD];
	sqlite3_bind_text(st, 1, ev->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ev->received);
	sqlite3_bind_int(st, 3, (int)ev->status);
	sqlite3_bind_text(st, 4, ev->reason, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 5, ev->held_len > 0 ? ev->held : "",
			    ev->held_len, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 6, ev->request, ev->request_len, SQLITE_STATIC);
	return step_done(w, st, "evidence", e);
}

enum status wdb_evidence(struct wdb *w,
			 enum status (*fn)(void *ctx,
					   const struct wdb_evidence *ev),
			 void *ctx, struct err *e)
{
	sqlite3_stmt *st = w->st[Q_EVIDENCE];
	enum status r = ST_OK;
	int rc;
	while (r == ST_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct wdb_evidence ev = {.id = sqlite3_column_int64(st, 0)};
		const char *origin = (const char *)sqlite3_column_text(st, 1);
		const char *reason = (const char *)sqlite3_column_text(st, 4);
		snprintf(ev.origin, sizeof ev.origin, "%s",
			 origin != NULL ? origin : "");
		snprintf(ev.reason, sizeof ev.reason, "%s",
			 reason != NULL ? reason : "");
		ev.received = sqlite3_column_int64(st, 2);
		ev.status = (unsigned)sqlite3_column_int(st, 3);
		ev.held = sqlite3_column_blob(st, 5);
		ev.held_len = (size_t)sqlite3_column_bytes(st, 5);
		ev.request = sqlite3_column_blob(st, 6);
		ev.request_len = (size_t)sqlite3_column_bytes(st, 6);
		if (ev.held == NULL)
			ev.held = "";
		if (ev.request == NULL)
			ev.request = "";
		r = fn(ctx, &ev);
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = fail(w, "evidence", e);
	sqlite3_reset(st);
	return r;
}
