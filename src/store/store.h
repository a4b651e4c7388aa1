/*
 * store.h: the only code that touches SQLite.
 *
 * One struct store is one connection to a sanilog database, used by one
 * thread at a time (threads that read side by side open their own).  The
 * database holds the log (entries, stored Merkle hashes, every signed
 * checkpoint and the witnesses' cosignatures on them), the documents by
 * SHA-256, and the venues' owner-token hashes.  It never holds the log's
 * signer key.
 *
 * Opening checks that the file is sanilog's (application_id) and brings an
 * older schema up to date (versioned migrations, user_version).  The
 * connection runs in WAL mode with synchronous=FULL and foreign keys on.
 * Every statement is prepared once at open from one table.
 *
 * Every function that can fail returns a status and takes, last, a
 * struct err *e (or NULL) that says why it failed; on success e may hold
 * any message.  A failure of a callback (fn) is returned as it is, with e
 * untouched.  A write outside store_begin/store_commit runs in its own
 * transaction.
 */
#ifndef SANILOG_STORE_H
#define SANILOG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "core/buf.h"
#include "core/entry.h"
#include "core/hash.h"

#define STORE_APPLICATION_ID 0x53414e4c /* "SANL" */

struct store;

enum store_mode {
	STORE_OPEN,	/* an existing database, read and write */
	STORE_READONLY, /* an existing database, read only */
	STORE_CREATE,	/* a new database; fails if the file exists */
};

/* Opens path.  *out is new (free with store_close) on ST_OK; on failure e
 * says why and *out is NULL. */
enum status store_open(const char *path, enum store_mode mode,
		       struct store **out, struct err *e);

/* Accepts NULL. */
void store_close(struct store *s);

/* The schema version the file had when opened (0 for a new one) and the
 * one it has now: a read-write open brings an older schema up to date
 * (a read-only open refuses it, and never changes the file). */
void store_schema(const struct store *s, int *found, int *now);

/* Reads the first `bytes` of the database through a memory map instead of
 * read calls (PRAGMA mmap_size): for long-lived readers that look rows up
 * at random, such as the server's.  Mapped pages count in the process's
 * RSS once touched, so a full audit does not use it. */
enum status store_map(struct store *s, int64_t bytes, struct err *e);

/* Whether s was opened STORE_READONLY. */
bool store_readonly(const struct store *s);

/* Makes s look up stored hashes in c (treecache.h) before the database;
 * c must outlive s's use of it.  NULL stops it. */
struct tree_cache;
void store_use_tree_cache(struct store *s, struct tree_cache *c);

/*
 * Extends c to the log that s sees now (in s's read transaction, if one
 * is open), reading only the stored hashes it lacks.  s must be a
 * read-only connection (STORE_READONLY): a writer's hashes could still be
 * rolled back, and the cache keeps what it is given for good.  wait: when
 * another thread is extending the cache, wait for it and then extend;
 * otherwise return ST_BUSY at once.  ST_OK: the cache holds the log s
 * sees, or as much of it as its budget allows.  On failure the cache
 * keeps what it had and e says why.
 */
enum status store_sync_tree_cache(struct store *s, struct tree_cache *c,
				  bool wait, struct err *e);
/* The same, to the tree of `leaves` leaves (at most the log's size), so
 * that a large cache can be loaded a step at a time. */
enum status store_extend_tree_cache(struct store *s, struct tree_cache *c,
				    int64_t leaves, bool wait, struct err *e);

/* Metadata: "origin", "vkey", "base_url".  get: ST_NOT_FOUND if unset;
 * out is NUL-terminated, ST_TOO_LARGE if it does not fit. */
enum status store_meta_get(struct store *s, const char *key, char *out,
			   size_t outsize, struct err *e);
enum status store_meta_set(struct store *s, const char *key, const char *value,
			   struct err *e);
/* Removes a setting (nothing when it is not set). */
enum status store_meta_delete(struct store *s, const char *key, struct err *e);

/* Transactions: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK. */
enum status store_begin(struct store *s, struct err *e);
/* A read transaction (BEGIN): every read until store_commit sees one
 * snapshot and takes no further locks. */
enum status store_begin_read(struct store *s, struct err *e);
enum status store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);

/* ---- the log ---- */

/* Number of entries in the log. */
enum status store_log_size(struct store *s, int64_t *size, struct err *e);

/* Reads the stored hashes at indexes[0..count) into out. */
enum status store_read_hashes(struct store *s, const int64_t *indexes,
			      size_t count, uint8_t (*out)[HASH_LEN],
			      struct err *e);

/* What store_merkle_reader reads through: s's stored hashes, and the err
 * (or NULL) that says why a read failed. */
struct store_reader {
	struct store *s;
	struct err *e;
};
/* A merkle_reader (core/merkle.h) over the stored hashes: ctx is a struct
 * store_reader. */
enum status store_merkle_reader(void *ctx, const int64_t *indexes, size_t count,
				uint8_t (*out)[HASH_LEN]);

/* Appends the entry's exact bytes to out.  ST_NOT_FOUND past the end. */
enum status store_entry(struct store *s, int64_t index, struct buf *out,
			struct err *e);

/* Newest entry of a venue: its index and venue-seq.  ST_NOT_FOUND if the
 * venue has none. */
enum status store_venue_head(struct store *s, const char *venue, int64_t *index,
			     int64_t *seq, struct err *e);

/* Index of a venue's entry number seq.  ST_NOT_FOUND if none. */
enum status store_venue_entry(struct store *s, const char *venue, int64_t seq,
			      int64_t *index, struct err *e);

/* Indexes of all of a venue's entries, in order (free *out with free()). */
enum status store_venue_indexes(struct store *s, const char *venue,
				int64_t **out, size_t *count, struct err *e);

/* Whether a venue's entry seq has been revoked. */
enum status store_is_revoked(struct store *s, const char *venue, int64_t seq,
			     bool *revoked, struct err *e);

/* The newest provider entry of name (kind provider-key or provider-revoke,
 * as enum entry_kind) with index below `before`.  ST_NOT_FOUND if none. */
enum status store_provider_newest(struct store *s, const char *name,
				  int64_t before, int64_t *index, int *kind,
				  struct err *e);

/* The newest provider-key entry of name with index below `before` that no
 * provider-revoke below `before` ended: its index.  ST_NOT_FOUND if none. */
enum status store_provider_key(struct store *s, const char *name,
			       int64_t before, int64_t *index, struct err *e);

/* Distinct venue ids in order of their first entry (free with free(),
 * each string and the array). */
enum status store_venue_ids(struct store *s, char ***out, size_t *count,
			    struct err *e);

/* Indexes of all provider-key and provider-revoke entries, in order. */
enum status store_provider_indexes(struct store *s, int64_t **out,
				   size_t *count, struct err *e);

/* ---- the witness policy and the cosignatures (DESIGN.md "Witnesses") ---- */

/* The newest witness-policy entry with index below `before`: its index.
 * ST_NOT_FOUND if none (the log was not witnessed then). */
enum status store_policy_newest(struct store *s, int64_t before, int64_t *index,
				struct err *e);

/* Indexes of all witness-policy entries, in order (free *out with
 * free()). */
enum status store_policy_indexes(struct store *s, int64_t **out, size_t *count,
				 struct err *e);

/*
 * Keeps the cosignature of a witness on the log's checkpoint of size:
 * witness is its verifier key text, as the policy names it; time its
 * cosignature's timestamp (POSIX seconds); line the whole note signature
 * line, with its LF.  Per size and witness the line of the newest time is
 * kept: an older or the same time changes nothing, and is ST_OK.
 * ST_INVALID (nothing kept) for a negative size or time, an empty
 * witness, or a line that is empty, does not end in LF or holds another.
 */
enum status store_cosig_put(struct store *s, int64_t size, const char *witness,
			    int64_t time, const char *line, struct err *e);

/* A cosignature as store_cosigs gives it: witness and line (len bytes,
 * with its LF, NUL-terminated) are borrowed for the call. */
typedef enum status (*store_cosig_fn)(void *ctx, const char *witness,
				      int64_t time, const char *line,
				      size_t len);

/* Calls fn for each cosignature kept on the checkpoint of size, in the
 * bytewise order of their witnesses, until fn returns other than ST_OK,
 * which it returns; ST_OK when there are none.  fn must not call
 * store_cosigs on s. */
enum status store_cosigs(struct store *s, int64_t size, store_cosig_fn fn,
			 void *ctx, struct err *e);

/*
 * The checkpoint the log serves, as store_checkpoint but with every
 * cosignature kept for it appended as signature lines (in the order of
 * store_cosigs); with size < 0, the newest witnessed one (the meta
 * "witnessed", set while the log is witnessed: web/cosigner.h), else the
 * newest.
 */
enum status store_checkpoint_served(struct store *s, int64_t size,
				    struct buf *out, int64_t *got_size,
				    struct err *e);

/* The largest size of a checkpoint with any cosignature.  ST_NOT_FOUND if
 * there is none. */
enum status store_cosig_newest_size(struct store *s, int64_t *size,
				    struct err *e);

/* Fields the store keeps beside an entry's bytes to find it again. */
struct store_entry_row {
	int64_t index;
	const char *text; /* the entry's exact bytes */
	size_t len;
	const char *venue;    /* NULL for global entries */
	int64_t venue_seq;    /* -1 for global entries */
	int kind;	      /* enum entry_kind */
	int64_t revokes;      /* -1 unless a revocation */
	const char *provider; /* provider name for provider entries, or NULL */
	const uint8_t *doc;   /* document SHA-256, or NULL */
};

enum status store_insert_entry(struct store *s, const struct store_entry_row *r,
			       struct err *e);

/* Stores hashes[0..count) at stored indexes first, first+1, ... */
enum status store_insert_hashes(struct store *s, int64_t first,
				const uint8_t (*hashes)[HASH_LEN], size_t count,
				struct err *e);

/* Keeps the keys of the stored documents in memory, so that
 * store_insert_document need not look a new document's key up in the
 * database: for a connection that appends many batches (serve's writer).
 * The set is brought up to date by each store_begin (reloaded whenever
 * another connection has written) and used only within the transaction
 * that began there.  The set takes 16 to 32 bytes a document.  If it
 * cannot be kept up (out of memory), the store goes back to the
 * database, as without it.  ST_NOMEM if it could not even start. */
enum status store_keep_doc_keys(struct store *s, struct err *e);
/* The same with the set's memory bounded: once the keys would take more
 * than max_bytes, the set is let go for good and new documents are looked
 * up in the database (a few dozen microseconds each). */
enum status store_keep_doc_keys_within(struct store *s, size_t max_bytes,
				       struct err *e);
/* `sanilog serve`'s bound unless told (--doc-keys): 2 to 4 million
 * documents; and the largest it takes. */
#define DOC_KEYS_DEFAULT_MB 64
#define DOC_KEYS_MAX_MB	    65536
/* The memory that set takes, 0 without it. */
size_t store_doc_keys_bytes(const struct store *s);

/* The folder of the documents' files (store/docfiles.h): the database's
 * path and ".docs".  Borrowed: valid until store_close. */
const char *store_docs_dir(const struct store *s);

/* Stores a document (nothing if that SHA-256 is already stored): its
 * file first (docfiles_write), then its row, of len bytes and type mime;
 * the commit syncs the files of its transaction (docfiles_sync) before
 * the rows that name them.  With data NULL the caller has written and
 * synced the file already (docfiles_put) and only the row is added. */
enum status store_insert_document(struct store *s, const uint8_t sha[HASH_LEN],
				  const char *mime, const uint8_t *data,
				  size_t len, struct err *e);

/* A document's bytes (read from its file) appended to out, its media
 * type into mime (32 bytes).  ST_NOT_FOUND when the database has no such
 * document; ST_CORRUPT when its file is missing or of another size. */
enum status store_document(struct store *s, const uint8_t sha[HASH_LEN],
			   struct buf *out, char *mime, struct err *e);

/* As store_document, but opens the document's file instead: *fd (the
 * caller closes it; -1 on failure) holds *size bytes. */
enum status store_document_open(struct store *s, const uint8_t sha[HASH_LEN],
				int *fd, int64_t *size, char *mime,
				struct err *e);

/* A document's size and media type (32 bytes), without its bytes. */
enum status store_document_meta(struct store *s, const uint8_t sha[HASH_LEN],
				int64_t *size, char *mime, struct err *e);

/* Calls fn for every stored document in the order they were stored, with
 * its row id, key (and whether it is stored as a blob, as every look-up
 * by hash needs), recorded size and type, and the bytes of its file
 * (borrowed for the call), data NULL when the file is missing. */
typedef enum status (*store_doc_fn)(void *ctx, int64_t id,
				    const uint8_t sha[HASH_LEN], bool sha_blob,
				    int64_t size, const char *mime,
				    const uint8_t *data, size_t len);
enum status store_scan_documents(struct store *s, store_doc_fn fn, void *ctx,
				 struct err *e);

/* A blob (borrowed for the call, len bytes) and a row id. */
typedef enum status (*store_blob_id_fn)(void *ctx, const uint8_t *blob,
					size_t len, int64_t id);

/* Calls fn for every pair of the document index, in no set order, with
 * its key (the first 8 bytes of a document's SHA-256) and the document's
 * row id; and once with no bytes for each chunk that breaks a rule the
 * index's look-ups and merges rely on (its generation not listed in
 * doc_gens, values that are not blobs, no pairs or not whole ones, pairs
 * out of order, a first key not its first pair's, keys not above the
 * chunk's before), whose pairs it does not pass, and for each generation
 * with no chunks or other than the pairs it counts. */
enum status store_scan_doc_keys(struct store *s, store_blob_id_fn fn, void *ctx,
				struct err *e);

/* Calls fn, in the order they were stored, with the SHA-256 and row id of
 * every document that a look-up in the index does not find (none, in a
 * sound database): a slow look-up of each document, for naming what a
 * cheaper check found wrong. */
enum status store_scan_unkeyed_documents(struct store *s, store_blob_id_fn fn,
					 void *ctx, struct err *e);

/* Keeps a signed checkpoint of the given size. */
enum status store_insert_checkpoint(struct store *s, int64_t size,
				    const char *note, size_t len,
				    struct err *e);

/* The kept checkpoint of size (or the newest when size < 0) into out;
 * *got_size receives its size.  ST_NOT_FOUND if none. */
enum status store_checkpoint(struct store *s, int64_t size, struct buf *out,
			     int64_t *got_size, struct err *e);

/* Sizes of all kept checkpoints, ascending (free with free()). */
enum status store_checkpoint_sizes(struct store *s, int64_t **out,
				   size_t *count, struct err *e);

/* The size of the smallest kept checkpoint of at least min entries into
 * *size.  ST_NOT_FOUND if none. */
enum status store_checkpoint_from(struct store *s, int64_t min, int64_t *size,
				  struct err *e);

/* The logged time of the newest entry into out (21 bytes), "" if none. */
enum status store_last_logged(struct store *s, char *out, struct err *e);

/* ---- venues' owner tokens ---- */

/* Sets (or replaces) the SHA-256 of a venue's owner token. */
enum status store_token_set(struct store *s, const char *venue,
			    const uint8_t token_hash[HASH_LEN], struct err *e);

/* The stored token hash.  ST_NOT_FOUND if the venue has none. */
enum status store_token_get(struct store *s, const char *venue,
			    uint8_t token_hash[HASH_LEN], struct err *e);

/* The venue whose owner token hashes to token_hash.  ST_NOT_FOUND if
 * none. */
enum status store_token_venue(struct store *s,
			      const uint8_t token_hash[HASH_LEN],
			      char venue[VENUE_ID_LEN + 1], struct err *e);

/* An owner token is "slo_" and 43 characters of base64url (32 random
 * bytes); a sign-in link's secret is the 43 characters alone. */
#define STORE_TOKEN_PREFIX "slo_"
#define STORE_SECRET_B64   43
#define STORE_TOKEN_LEN	   (4 + STORE_SECRET_B64)

/* A new secret, prefix (e.g. STORE_TOKEN_PREFIX, or "") and 32 random
 * bytes in base64url, into out (at least strlen(prefix) + 44 bytes), and
 * the SHA-256 of that text, which is what the store keeps.  The caller
 * wipes out once it has shown it. */
void store_secret_new(const char *prefix, char *out, size_t size,
		      uint8_t hash[HASH_LEN]);

/* Replaces the venue's owner token hash old_hash with new_hash, only if
 * old_hash is the one stored (so that of two rotations at once, one
 * wins): ST_CONFLICT when it is not, ST_NOT_FOUND when the venue has no
 * token; nothing changes then. */
enum status store_token_replace(struct store *s, const char *venue,
				const uint8_t old_hash[HASH_LEN],
				const uint8_t new_hash[HASH_LEN],
				struct err *e);

/*
 * One-time sign-in links of venue owners (DESIGN.md "Owner pages,
 * sessions").  store_login_link_add keeps one: the SHA-256 of its secret
 * (never the secret), its venue and when it expires (Unix seconds);
 * links expired at now are dropped first.  store_login_link_take uses
 * one up: deletes the link of that hash and gives its venue, or
 * ST_NOT_FOUND (venue "") when there is none or it expired at now (it is
 * deleted all the same).  Times come from the caller (the log's clock).
 */
enum status store_login_link_add(struct store *s, const uint8_t hash[HASH_LEN],
				 const char *venue, int64_t expires,
				 int64_t now, struct err *e);
enum status store_login_link_take(struct store *s, const uint8_t hash[HASH_LEN],
				  int64_t now, char venue[VENUE_ID_LEN + 1],
				  struct err *e);

/* ---- audit access: a sequential cursor over entries and hashes ---- */

/* Rows of the tables that find entries and documents: venue heads, and
 * the pairs of the document index in the generations it lists, for an
 * audit to compare. */
enum status store_index_counts(struct store *s, int64_t *heads,
			       int64_t *doc_keys, struct err *e);

/* The columns the store files an entry under, beside its bytes. */
struct store_entry_cols {
	const char *venue;  /* NULL for none (borrowed for the call) */
	int64_t venue_seq;  /* -1 for none */
	int64_t venue_prev; /* the venue's entry before, -1 for none */
};

/* Calls fn for each entry with index in [from, to), in order, with the
 * entry's bytes and columns (borrowed for the call).  fn returns ST_OK to
 * go on. */
typedef enum status (*store_entry_fn)(void *ctx, int64_t index,
				      const char *text, size_t len,
				      const struct store_entry_cols *cols);
enum status store_scan_entries(struct store *s, int64_t from, int64_t to,
			       store_entry_fn fn, void *ctx, struct err *e);

/*
 * Sequential cursors, for an audit that walks the log in order.  Each
 * kind is one cursor per connection: open restarts it; next gives the
 * following stored hash or document, or ST_NOT_FOUND past the last.
 */
void store_hash_cursor_open(struct store *s, int64_t from);
enum status store_hash_cursor_next(struct store *s, int64_t *id,
				   uint8_t hash[HASH_LEN], struct err *e);
/* Ends the scan before its last row (and its hold on a snapshot). */
void store_hash_cursor_close(struct store *s);
/* Documents in the order they were stored: key, size and type only. */
void store_doc_cursor_open(struct store *s);
enum status store_doc_cursor_next(struct store *s, uint8_t sha[HASH_LEN],
				  int64_t *size, char *mime, struct err *e);

/* The stored hashes in runs of whole hashes, and the runs that break
 * the rules reads rely on (a blob of whole hashes, starting where the one
 * before ended, the first at 0). */
enum status store_hash_count(struct store *s, int64_t *count, int64_t *broken,
			     struct err *e);

/* ---- the write-ahead log ---- */

/* The size of the file's pages, in bytes. */
enum status store_page_size(struct store *s, int64_t *bytes, struct err *e);

/* Copies what it can of the WAL into the database file without waiting
 * for, or holding up, the writer or readers (a PASSIVE checkpoint).  On
 * ST_OK, *frames receives the frames in the WAL and *copied how many of
 * them are in the database file now.  ST_BUSY when another checkpoint is
 * running. */
enum status store_wal_checkpoint(struct store *s, int *frames, int *copied,
				 struct err *e);

#endif
