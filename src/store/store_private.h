/*
 * store_private.h: what the files of the store share and nothing else
 * sees: the connection's state, the names of its prepared statements
 * (their SQL is the table in store.c) and the helpers that step them and
 * report errors.  store.c opens the database and holds the log's tables;
 * documents.c holds the documents, docindex.c the index that finds them
 * by their keys, hashes.c the stored hashes, venues.c the venues' chains
 * of entries and the cache of their heads, cosigs.c the witnesses'
 * cosignatures on the log's checkpoints.  The store's other modules
 * (the sequencer, the audit, the export, the read pool, the WAL backfill)
 * use only its public headers, as the layers above do.
 */
#ifndef SANILOG_STORE_PRIVATE_H
#define SANILOG_STORE_PRIVATE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "core/buf.h"
#include "core/entry.h"
#include "core/hash.h"
#include "store/keyset.h"
#include "store/store.h"
#include "store/treecache.h"

enum stmt {
	Q_META_GET,
	Q_META_SET,
	Q_META_DELETE,
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_LOG_SIZE,
	Q_HASH,
	Q_ENTRY,
	Q_VENUE_HEAD,
	Q_VENUE_PREV,
	Q_HEAD_SET,
	Q_IS_REVOKED,
	Q_PROVIDER_KEYS,
	Q_VENUE_IDS,
	Q_PROVIDER_INDEXES,
	Q_INSERT_ENTRY,
	Q_INSERT_HASH,
	Q_INSERT_DOC,
	Q_IDX_FIND,
	Q_IDX_GENS,
	Q_IDX_NEXT_GEN,
	Q_IDX_GEN_ADD,
	Q_IDX_CHUNK_ADD,
	Q_IDX_GEN_CHUNKS,
	Q_IDX_GEN_DROP,
	Q_IDX_CHUNKS_DROP,
	Q_DOC_KEYS_ALL,
	Q_DATA_VERSION,
	Q_DOC_META,
	Q_SCAN_DOCS,
	Q_SCAN_DOC_KEYS,
	Q_IDX_EMPTY_GENS,
	Q_SCAN_DOC_SHAS,
	Q_BEGIN_READ,
	Q_INSERT_CHECKPOINT,
	Q_CHECKPOINT,
	Q_CHECKPOINT_NEWEST,
	Q_CHECKPOINT_SIZES,
	Q_CHECKPOINT_FROM,
	Q_LAST_ENTRY,
	Q_TOKEN_SET,
	Q_TOKEN_GET,
	Q_TOKEN_VENUE,
	Q_SCAN_ENTRIES,
	Q_HASH_COUNT,
	Q_INDEX_COUNTS,
	Q_CUR_HASHES,
	Q_CUR_DOCS,
	Q_TOKEN_REPLACE,
	Q_LINK_ADD,
	Q_LINK_TAKE,
	Q_LINK_PURGE,
	Q_POLICY_NEWEST,
	Q_POLICY_INDEXES,
	Q_COSIG_PUT,
	Q_COSIGS,
	Q_COSIG_NEWEST_SIZE,
	Q__COUNT
};

/* Stored hashes never change once committed, so reads keep a small
 * direct-mapped cache of them (the upper levels of the tree are read by
 * every proof).  A rollback empties it: it may hold uncommitted hashes. */
#define HASH_CACHE_BITS	 15
#define HASH_CACHE_SLOTS (1 << HASH_CACHE_BITS)

struct hash_slot {
	int64_t id_plus_one; /* 0: empty */
	uint8_t hash[HASH_LEN];
};

/* Where store_hash_cursor_next is: in the run of Q_CUR_HASHES's row. */
struct hash_cursor {
	int64_t from;	    /* the first index asked for */
	int64_t first;	    /* the run's first index */
	int64_t n, at;	    /* hashes in the run, the next one */
	const uint8_t *run; /* the row's bytes (valid until the next step) */
};

/* The venues' heads as a writer last read or moved them: the sequencer
 * reads a venue's head to chain an entry to it and then appends, and the
 * next batch reads it again.  A cache of two ways a set, kept while
 * nothing else writes: store_begin empties it when data_version says
 * another connection has, or when the transaction before moved heads and
 * did not commit.  Made by the first write transaction of store_begin,
 * and used only in those. */
#define HEAD_CACHE_BITS 13
#define HEAD_CACHE_SETS (1 << HEAD_CACHE_BITS)

struct head_slot {
	char venue[VENUE_ID_LEN + 1]; /* "": empty */
	int64_t index, seq;	      /* seq -1: the venue has no entry yet */
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *q[Q__COUNT];
	struct hash_slot *cache;      /* HASH_CACHE_SLOTS */
	struct tree_cache *tree;      /* shared, borrowed; or NULL */
	struct head_slot (*heads)[2]; /* HEAD_CACHE_SETS; or NULL */
	int64_t heads_version;	      /* data_version they are of; -1: none */
	bool writing;		      /* in a transaction of store_begin */
	bool heads_moved; /* holds heads a transaction moved, not committed */
	/* With store_keep_doc_keys: every document key in the database (and
	 * perhaps some of transactions rolled back), as of data_version. */
	struct keyset *doc_keys;
	int64_t doc_keys_version;
	bool doc_keys_ready; /* brought up to date in this transaction */
	/* The (key, id) pairs of the documents this transaction stored, to
	 * be filed in the index by store_commit (store_index_flush). */
	struct buf pending;
	/* The hashes this transaction stored, from index hpend_first, to be
	 * written in runs by store_commit (store_hashes_flush). */
	struct buf hpend;
	int64_t hpend_first;
	struct hash_cursor hcur;
	int schema_found;   /* user_version when opened, before any migration */
	char *docs;	    /* the documents' folder (docfiles.h) */
	bool docs_unsynced; /* this transaction wrote files not yet synced */
};

/* Sets e (which may be NULL) to "what: " and the connection's error
 * (sqlite3_errmsg), and maps that error to a status. */
enum status store_fail(struct store *s, const char *what, struct err *e);
/* Prepares statement id from the table in store.c, unless it is already
 * (store_open prepares them all; a migration, which runs before, the
 * few it uses). */
enum status store_prepare(struct store *s, enum stmt id, struct err *e);
/* Statement id, reset and cleared for its next use (borrowed). */
sqlite3_stmt *store_stmt(struct store *s, enum stmt id);
/* Runs SQL text (statements without parameters); what names it in the
 * error. */
enum status store_exec_sql(struct store *s, const char *sql, const char *what,
			   struct err *e);
/* Runs a statement that returns no rows. */
enum status store_exec(struct store *s, sqlite3_stmt *st, const char *what,
		       struct err *e);
/* Steps a statement expected to give one row of two integers. */
enum status store_two_ints(struct store *s, sqlite3_stmt *st, int64_t *a,
			   int64_t *b, const char *what, struct err *e);
/* Steps a statement expected to give one integer row; ST_NOT_FOUND (with
 * what as the message) if it gives none. */
enum status store_one_int(struct store *s, sqlite3_stmt *st, int64_t *out,
			  const char *what, struct err *e);
/* Appends column col of the current row, as bytes, to out. */
enum status store_column_to_buf(sqlite3_stmt *st, int col, struct buf *out,
				struct err *e);

/* Within a write transaction that store_begin opened, the database at
 * data_version version: brings the document keys kept in memory up to
 * date (documents.c), and the venue heads (venues.c). */
void store_doc_keys_fresh(struct store *s, int64_t version);
void store_heads_fresh(struct store *s, int64_t version);

/* ---- the document index (docindex.c) ---- */

/* One entry of the index: the first 8 bytes of a document's SHA-256 and
 * its row id (big-endian), as stored, so that memcmp orders them by key
 * and then id. */
#define DOC_KEY_LEN 8
struct doc_pair {
	uint8_t b[DOC_KEY_LEN + 8];
};

/* Files the document stored at row id in the index that finds it by its
 * SHA-256 (store_insert_document calls it); within a transaction, whose
 * store_commit writes the index's rows. */
enum status store_index_document(struct store *s, const uint8_t sha[HASH_LEN],
				 int64_t id, struct err *e);

/* Calls try(s, id, ctx) for each document id the index files under the
 * first 8 bytes of sha (this transaction's new documents first, then
 * every generation, newest first), until it returns other than
 * ST_NOT_FOUND, and returns that; ST_NOT_FOUND if none did. */
typedef enum status (*store_try_id_fn)(struct store *s, int64_t id, void *ctx,
				       struct err *e);
enum status store_index_find(struct store *s, const uint8_t sha[HASH_LEN],
			     store_try_id_fn try_id, void *ctx, struct err *e);

/* Files the documents this transaction stored as a new generation, and
 * merges generations that have grown many (store_commit calls it). */
enum status store_index_flush(struct store *s, struct err *e);

/* Schema 3's step: the keys of schema 2's tables become the first
 * generation, and those tables go. */
enum status store_index_migrate(struct store *s, struct err *e);

/* Schema 8's step: every document's bytes go to a file of the folder
 * (synced), and then out of the database (documents.c). */
enum status store_docs_migrate(struct store *s, struct err *e);

/* ---- the stored hashes (hashes.c) ---- */

/* Writes the hashes this transaction stored, in runs (store_commit). */
enum status store_hashes_flush(struct store *s, struct err *e);
/* Schema 4's step: table hashes becomes runs, and goes. */
enum status store_hashes_migrate(struct store *s, struct err *e);

#endif
