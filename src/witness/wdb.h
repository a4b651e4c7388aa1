/*
 * wdb.h: a witness's database, the only code of the witness that touches
 * SQLite.
 *
 * One SQLite file (application_id "SANW", WAL, synchronous=FULL, mode
 * 0600) holds the witness's name and verifier key, the logs it witnesses
 * (each known by its verifier key, the origin being the key's name) with
 * the newest checkpoint it cosigned for each, and the evidence of
 * misbehaviour it was shown.  It never holds the witness's secret key.
 *
 * A struct wdb is one connection, used by one thread at a time.  Every
 * fallible function takes, last, a struct err *e (or NULL).
 */
#ifndef SANILOG_WDB_H
#define SANILOG_WDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "core/hash.h"
#include "core/note.h"

#define WDB_APPLICATION_ID 0x53414e57 /* "SANW" */
#define WDB_SCHEMA	   1

struct wdb;

/* A log the witness witnesses, and what it holds for it. */
struct wdb_log {
	char origin[NOTE_NAME_MAX + 1];
	char vkey[NOTE_VKEY_MAX + 1];
	int64_t size; /* of the newest checkpoint cosigned; 0 when none */
	uint8_t root[HASH_LEN]; /* its root (all zero when none) */
	bool has_root;		/* a checkpoint was cosigned */
	int64_t cosigned; /* POSIX time of the last cosignature, 0: none */
	int64_t added;	  /* POSIX time it was added */
};

/* A refused request that shows the log misbehaved. */
struct wdb_evidence {
	int64_t id;
	char origin[NOTE_NAME_MAX + 1];
	int64_t received; /* POSIX time */
	unsigned status;  /* the HTTP status it was answered */
	char reason[200];
	const char *held; /* the checkpoint the witness held then (or "") */
	size_t held_len;
	const char *request; /* the whole add-checkpoint body */
	size_t request_len;
};

/* Makes a new witness database at path (refused when the file exists:
 * ST_CONFLICT) holding name and the witness's verifier key text. */
enum status wdb_create(const char *path, const char *name, const char *vkey,
		       struct wdb **out, struct err *e);

/* Opens an existing witness database (ST_NOT_FOUND when there is none,
 * ST_CORRUPT for a file that is not one). */
enum status wdb_open(const char *path, bool readonly, struct wdb **out,
		     struct err *e);

/* Accepts NULL. */
void wdb_close(struct wdb *w);

/* "name" or "vkey" into out (NUL-terminated). */
enum status wdb_meta(struct wdb *w, const char *key, char *out, size_t outsize,
		     struct err *e);

/* Adds a log by its verifier key text (parsed: a signed-note Ed25519
 * key).  ST_CONFLICT when a log of that origin is there already. */
enum status wdb_log_add(struct wdb *w, const char *vkey, int64_t now,
			struct err *e);

/* Removes the log of origin, and what the witness held for it (not its
 * evidence).  ST_NOT_FOUND when there is none. */
enum status wdb_log_remove(struct wdb *w, const char *origin, struct err *e);

/* The log of origin.  ST_NOT_FOUND when there is none. */
enum status wdb_log_get(struct wdb *w, const char *origin, struct wdb_log *out,
			struct err *e);

/* Calls fn for every log, by origin.  A failure of fn stops the walk and is
 * returned. */
enum status wdb_logs(struct wdb *w,
		     enum status (*fn)(void *ctx, const struct wdb_log *l),
		     void *ctx, struct err *e);

/* The newest checkpoint note cosigned for origin, appended to out (empty
 * when none). */
enum status wdb_log_checkpoint(struct wdb *w, const char *origin,
			       struct buf *out, struct err *e);

/* Transactions (BEGIN IMMEDIATE ... COMMIT). */
enum status wdb_begin(struct wdb *w, struct err *e);
enum status wdb_commit(struct wdb *w, struct err *e);
void wdb_rollback(struct wdb *w);

/* Records that the witness cosigned note (size, root) for origin, known
 * by vkey, at time now.  ST_NOT_FOUND when the log is no longer there
 * with that key. */
enum status wdb_log_update(struct wdb *w, const char *origin, const char *vkey,
			   int64_t size, const uint8_t root[HASH_LEN],
			   const char *note, size_t note_len, int64_t now,
			   struct err *e);

/* Keeps ev (its id is set by the database). */
enum status wdb_evidence_add(struct wdb *w, const struct wdb_evidence *ev,
			     struct err *e);

/* Calls fn for each piece of evidence, oldest first. */
enum status wdb_evidence(struct wdb *w,
			 enum status (*fn)(void *ctx,
					   const struct wdb_evidence *ev),
			 void *ctx, struct err *e);

#endif
