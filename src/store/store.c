/*
 * store.c: sanilog's SQLite database: schema, migrations, and every
 * statement, prepared once at open from the table below.
 *
 * Tables:
 *   meta(key, value)                  origin, vkey, base_url
 *   entries(idx, venue, venue_seq, kind, revokes, provider, doc, data,
 *           venue_prev)               venue_prev: the venue's entry before
 *   heads(venue, first, idx, seq)     each venue's first and newest entry
 *   hash_runs(first, hashes)          stored Merkle hashes, runs from
 *                                     tlog index first (hashes.c)
 *   documents(id, sha256, size, mime, data)
 *                                     data empty: the bytes are a file
 *                                     of the folder <db>.docs (docfiles.h)
 *   doc_gens(gen, keys), doc_chunks(gen, first, pairs)
 *                                     documents by their hash's first bytes
 *   checkpoints(size, note)           every signed checkpoint
 *   venues(id, token_sha256)          owner-token hashes
 *   login_links(hash, venue, expires) owners' one-time sign-in links
 *   cosignatures(size, witness, time, line)
 *                                     witnesses' cosignatures on the
 *                                     checkpoint of each size
 * Nothing rewrites or deletes a row of entries, hash runs or checkpoints.
 * The documents' functions are in documents.c, their index in docindex.c,
 * the stored hashes' in hashes.c, the venues' chains and heads in
 * venues.c, the cosignatures in cosigs.c; what the files share, the
 * connection's state and the helpers below, in store_private.h.
 *
 * Why this file is long: the schema, its migrations and the table of
 * every statement of the store (those of the files above too) stay
 * together, so that all the SQL of the database is read in one place.
 */
#include "store_private.h"

#include "core/codec.h"
#include "core/merkle.h"
#include "store/docfiles.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each migration brings user_version from its position to position + 1. */
static const char *const migrations[] = {
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE entries("
	" idx INTEGER PRIMARY KEY,"
	" venue TEXT, venue_seq INTEGER, kind INTEGER NOT NULL,"
	" revokes INTEGER, provider TEXT, doc BLOB,"
	" data BLOB NOT NULL);"
	"CREATE UNIQUE INDEX entries_venue ON entries(venue, venue_seq)"
	" WHERE venue IS NOT NULL;"
	"CREATE INDEX entries_provider ON entries(provider, idx)"
	" WHERE provider IS NOT NULL;"
	"CREATE INDEX entries_revokes ON entries(venue, revokes)"
	" WHERE revokes IS NOT NULL;"
	"CREATE TABLE hashes(id INTEGER PRIMARY KEY, hash BLOB NOT NULL);"
	/* Documents are stored in arrival order (a rowid table), so that an
	 * append writes at the end and an audit reads them in sequence; the
	 * covering index finds one by its hash. */
	"CREATE TABLE documents(id INTEGER PRIMARY KEY, sha256 BLOB NOT NULL,"
	" size INTEGER NOT NULL, mime TEXT NOT NULL, data BLOB NOT NULL);"
	"CREATE UNIQUE INDEX documents_sha ON documents(sha256, size, mime);"
	"CREATE TABLE checkpoints(size INTEGER PRIMARY KEY,"
	" note TEXT NOT NULL);"
	"CREATE TABLE venues(id TEXT PRIMARY KEY, token_sha256 BLOB NOT NULL);",

	/* 2: indexes that an append writes at few places.  A venue's entries
	 * link back through venue_prev from its row in heads, instead of an
	 * index on (venue, venue_seq) that an append to each venue writes a
	 * page of.  Documents are found by the first 8 bytes of their hash,
	 * in two tables: doc_keys_new takes every new document, and is
	 * merged into doc_keys in one sorted pass when it grows, so that an
	 * append writes a page of a small table rather than one page of a
	 * large index per document (schema 3 replaces both tables). */
	"ALTER TABLE entries ADD COLUMN venue_prev INTEGER;"
	"UPDATE entries SET venue_prev = (SELECT p.idx FROM entries p"
	" WHERE p.venue = entries.venue"
	" AND p.venue_seq = entries.venue_seq - 1) WHERE venue_seq > 0;"
	"CREATE TABLE heads(venue TEXT PRIMARY KEY, first INTEGER NOT NULL,"
	" idx INTEGER NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO heads(venue, first, idx, seq)"
	" SELECT f.venue, f.idx, h.idx, h.venue_seq FROM entries f"
	" JOIN entries h ON h.venue = f.venue AND h.venue_seq ="
	" (SELECT max(m.venue_seq) FROM entries m WHERE m.venue = f.venue)"
	" WHERE f.venue_seq = 0;"
	"DROP INDEX entries_venue;"
	"CREATE TABLE doc_keys(key BLOB NOT NULL, id INTEGER NOT NULL,"
	" PRIMARY KEY(key, id)) WITHOUT ROWID;"
	"CREATE TABLE doc_keys_new(key BLOB NOT NULL, id INTEGER NOT NULL,"
	" PRIMARY KEY(key, id)) WITHOUT ROWID;"
	"INSERT INTO doc_keys(key, id) SELECT substr(sha256, 1, 8), id"
	" FROM documents;"
	"DROP INDEX documents_sha;"
	"CREATE INDEX venues_token ON venues(token_sha256);"
	/* Every writer keeps those rows, or writes nothing: a venue entry
	 * must already be its venue's head, and a new document gets its key
	 * with it (until schemas 3 and 5 drop the triggers). */
	"CREATE TRIGGER entries_head BEFORE INSERT ON entries"
	" WHEN NEW.venue IS NOT NULL AND NOT EXISTS (SELECT 1 FROM heads"
	" WHERE venue = NEW.venue AND idx = NEW.idx AND seq = NEW.venue_seq)"
	" BEGIN SELECT RAISE(ABORT, 'a venue entry must first be its"
	" venue''s head (an older sanilog on an upgraded database?)'); END;"
	"CREATE TRIGGER documents_key AFTER INSERT ON documents BEGIN"
	" INSERT INTO doc_keys_new(key, id)"
	" VALUES (substr(NEW.sha256, 1, 8), NEW.id); END;",

	/* 3: the document keys in generations of sorted runs, cut into
	 * chunks of a few hundred (key, id) pairs a row (docindex.c): an
	 * append writes its keys as one new generation, a few rows at the
	 * end of the table, where a row a key in a table of random keys
	 * cost a page a key.  store_index_migrate moves the keys of the two
	 * tables of schema 2 into the first generation. */
	"CREATE TABLE doc_gens(gen INTEGER PRIMARY KEY, keys INTEGER NOT NULL);"
	"CREATE TABLE doc_chunks(gen INTEGER NOT NULL, first BLOB NOT NULL,"
	" pairs BLOB NOT NULL, PRIMARY KEY(gen, first));",

	/* 4: the stored hashes in runs of consecutive indexes, a row a run
	 * (hashes.c): an append writes a few rows of hashes, not two a
	 * leaf.  store_hashes_migrate moves table hashes into them. */
	("CREATE TABLE hash_runs(first INTEGER PRIMARY KEY,"
	 " hashes BLOB NOT NULL);"),

	/* 5: the sanilog that keeps the heads (schema 2 on) is the only one
	 * that can write since schema 4 took the older ones' tables away, so
	 * the database no longer reads a venue's head back before each of
	 * its entries, which cost about a tenth of an append. */
	"DROP TRIGGER entries_head;",

	/* 6: the owners' one-time sign-in links, by the SHA-256 of their
	 * secret (the secret itself is never stored), until they expire
	 * (Unix seconds) or are used. */
	"CREATE TABLE login_links(hash BLOB PRIMARY KEY,"
	" venue TEXT NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;",

	/* 7: witnesses.  The witness-policy entries (kind 5, enum
	 * entry_kind), found without a scan of the log; and the witnesses'
	 * cosignatures on the log's checkpoints, a line a checkpoint's size
	 * and witness (its verifier key, as the policy names it): the
	 * newest time of each. */
	"CREATE INDEX entries_policy ON entries(idx) WHERE kind = 5;"
	"CREATE TABLE cosignatures(size INTEGER NOT NULL,"
	" witness TEXT NOT NULL, time INTEGER NOT NULL, line TEXT NOT NULL,"
	" PRIMARY KEY(size, witness)) WITHOUT ROWID;",

	/* 8: the documents' bytes in files of the folder beside the
	 * database (docfiles.h), written once each, and no longer in the
	 * database: a row of documents keeps its key, size and type, and
	 * data an empty blob.  store_docs_migrate moves them out. */
	"",
};
_Static_assert(ENTRY_WITNESS_POLICY == 5, "the kind of entries_policy");
/* What a migration does beyond its SQL, after it, in its transaction. */
static enum status (*const migration_steps[])(struct store *, struct err *) = {
	NULL, NULL, store_index_migrate, store_hashes_migrate, NULL,
	NULL, NULL, store_docs_migrate,
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(sizeof migration_steps / sizeof migration_steps[0] ==
		       SCHEMA_VERSION,
	       "a step, or NULL, for every migration");

static const char *const stmt_sql[Q__COUNT] = {
	[Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[Q_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2)"
		       " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[Q_META_DELETE] = "DELETE FROM meta WHERE key = ?1",
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_LOG_SIZE] = "SELECT coalesce(max(idx) + 1, 0) FROM entries",
	/* The run that holds stored hash ?1, if any does. */
	[Q_HASH] = "SELECT first, hashes FROM hash_runs"
		   " WHERE first BETWEEN 0 AND ?1 ORDER BY first DESC LIMIT 1",
	[Q_ENTRY] = "SELECT data FROM entries WHERE idx = ?1",
	[Q_VENUE_HEAD] = "SELECT idx, seq FROM heads WHERE venue = ?1",
	[Q_VENUE_PREV] = "SELECT venue_prev, venue_seq FROM entries"
			 " WHERE idx = ?1 AND venue = ?2",
	[Q_HEAD_SET] = "INSERT INTO heads(venue, first, idx, seq)"
		       " VALUES (?1, ?2, ?2, ?3) ON CONFLICT(venue) DO UPDATE"
		       " SET idx = excluded.idx, seq = excluded.seq",
	[Q_IS_REVOKED] = "SELECT 1 FROM entries WHERE venue = ?1"
			 " AND revokes = ?2 LIMIT 1",
	/* kind 3 = provider-key, 4 = provider-revoke (enum entry_kind). */
	[Q_PROVIDER_KEYS] = "SELECT idx, kind FROM entries WHERE provider = ?1"
			    " AND idx < ?2 ORDER BY idx DESC LIMIT 1",
	[Q_VENUE_IDS] = "SELECT venue FROM heads ORDER BY first",
	/* "+idx": the order is not to be had by walking the whole table in
	 * idx order, but by sorting the few rows of entries_provider */
	[Q_PROVIDER_INDEXES] = "SELECT idx FROM entries WHERE provider IS NOT"
			       " NULL ORDER BY +idx",
	[Q_INSERT_ENTRY] = "INSERT INTO entries(idx, venue, venue_seq, kind,"
			   " revokes, provider, doc, data, venue_prev)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[Q_INSERT_HASH] =
		"INSERT INTO hash_runs(first, hashes) VALUES (?1, ?2)",
	/* The bytes are the folder's (docfiles.h): data is empty. */
	[Q_INSERT_DOC] = "INSERT INTO documents(sha256, mime, size, data)"
			 " VALUES (?1, ?2, ?3, X'')",
	[Q_DOC_META] = "SELECT mime, size FROM documents"
		       " WHERE id = ?1 AND sha256 = ?2",
	/* The document index (docindex.c).  Each generation's chunk that
	 * could hold the key ?1: the last whose first key is not above it. */
	[Q_IDX_FIND] = "SELECT (SELECT c.pairs FROM doc_chunks c"
		       " WHERE c.gen = g.gen AND c.first <= ?1"
		       " ORDER BY c.first DESC LIMIT 1)"
		       " FROM doc_gens g ORDER BY g.gen DESC",
	[Q_IDX_GENS] = "SELECT gen, keys FROM doc_gens ORDER BY gen",
	/* The highest generation of either table (chunks' numbers only,
	 * read through their index): the next is above both. */
	[Q_IDX_NEXT_GEN] =
		"SELECT max(coalesce((SELECT max(gen) FROM doc_gens),"
		" 0), coalesce((SELECT max(gen) FROM doc_chunks"
		" WHERE gen < 4611686018427387904), 0))",
	[Q_IDX_GEN_ADD] = "INSERT INTO doc_gens(gen, keys) VALUES (?1, ?2)",
	[Q_IDX_CHUNK_ADD] = "INSERT INTO doc_chunks(gen, first, pairs)"
			    " VALUES (?1, ?2, ?3)",
	[Q_IDX_GEN_CHUNKS] = "SELECT pairs FROM doc_chunks WHERE gen = ?1"
			     " ORDER BY first",
	[Q_IDX_GEN_DROP] = "DELETE FROM doc_gens WHERE gen = ?1",
	[Q_IDX_CHUNKS_DROP] = "DELETE FROM doc_chunks WHERE gen = ?1",
	[Q_DOC_KEYS_ALL] = "SELECT pairs FROM doc_chunks",
	[Q_DATA_VERSION] = "PRAGMA data_version",
	[Q_SCAN_DOCS] = "SELECT id, sha256, size, mime,"
			" typeof(sha256) = 'blob' FROM documents ORDER BY id",
	/* Every chunk, with what a look-up needs of it: a generation that
	 * doc_gens lists, a first key and pairs that are blobs. */
	[Q_SCAN_DOC_KEYS] =
		"SELECT c.gen, CASE WHEN typeof(c.first) = 'blob' THEN c.first"
		" END, CASE WHEN typeof(c.pairs) = 'blob' THEN c.pairs END,"
		" g.gen IS NOT NULL, g.keys FROM doc_chunks c"
		" LEFT JOIN doc_gens g ON g.gen = c.gen ORDER BY c.gen, "
		"c.first",
	[Q_IDX_EMPTY_GENS] =
		"SELECT count(*) FROM doc_gens g WHERE NOT EXISTS"
		" (SELECT 1 FROM doc_chunks c WHERE c.gen = g.gen)",
	[Q_SCAN_DOC_SHAS] = "SELECT CASE WHEN typeof(sha256) = 'blob' THEN"
			    " sha256 END, id FROM documents ORDER BY id",
	[Q_BEGIN_READ] = "BEGIN",
	[Q_INSERT_CHECKPOINT] = "INSERT OR IGNORE INTO checkpoints(size, note)"
				" VALUES (?1, ?2)",
	[Q_CHECKPOINT] = "SELECT size, note FROM checkpoints WHERE size = ?1",
	[Q_CHECKPOINT_NEWEST] = "SELECT size, note FROM checkpoints"
				" ORDER BY size DESC LIMIT 1",
	[Q_CHECKPOINT_SIZES] = "SELECT size FROM checkpoints ORDER BY size",
	[Q_CHECKPOINT_FROM] = "SELECT size FROM checkpoints WHERE size >= ?1"
			      " ORDER BY size LIMIT 1",
	[Q_LAST_ENTRY] = "SELECT data FROM entries ORDER BY idx DESC LIMIT 1",
	[Q_TOKEN_SET] = "INSERT INTO venues(id, token_sha256) VALUES (?1, ?2)"
			" ON CONFLICT(id) DO UPDATE SET"
			" token_sha256 = excluded.token_sha256",
	[Q_TOKEN_GET] = "SELECT token_sha256 FROM venues WHERE id = ?1",
	[Q_TOKEN_VENUE] = "SELECT id FROM venues WHERE token_sha256 = ?1"
			  " LIMIT 1",
	[Q_TOKEN_REPLACE] = "UPDATE venues SET token_sha256 = ?3"
			    " WHERE id = ?1 AND token_sha256 = ?2",
	[Q_LINK_ADD] = "INSERT INTO login_links(hash, venue, expires)"
		       " VALUES (?1, ?2, ?3)",
	[Q_LINK_TAKE] = "DELETE FROM login_links WHERE hash = ?1"
			" RETURNING venue, expires",
	[Q_LINK_PURGE] = "DELETE FROM login_links WHERE expires <= ?1",
	/* kind 5 = witness-policy, the condition of the index
	 * entries_policy. */
	[Q_POLICY_NEWEST] = "SELECT idx FROM entries WHERE kind = 5"
			    " AND idx < ?1 ORDER BY idx DESC LIMIT 1",
	[Q_POLICY_INDEXES] = "SELECT idx FROM entries WHERE kind = 5"
			     " ORDER BY idx",
	/* The cosignatures (cosigs.c).  A newer time replaces a line; an
	 * older or the same does not. */
	[Q_COSIG_PUT] = "INSERT INTO cosignatures(size, witness, time, line)"
			" VALUES (?1, ?2, ?3, ?4) ON CONFLICT(size, witness)"
			" DO UPDATE SET time = excluded.time,"
			" line = excluded.line WHERE excluded.time > time",
	[Q_COSIGS] = "SELECT witness, time, line FROM cosignatures"
		     " WHERE size = ?1 ORDER BY witness",
	[Q_COSIG_NEWEST_SIZE] = "SELECT size FROM cosignatures"
				" ORDER BY size DESC LIMIT 1",
	[Q_SCAN_ENTRIES] = "SELECT idx, data, venue, venue_seq, venue_prev"
			   " FROM entries"
			   " WHERE idx >= ?1"
			   " AND idx < ?2 ORDER BY idx",
	/* The hashes of the runs, and the runs that break their rules:
	 * each a blob of whole hashes, from where the one before ended (the
	 * first from 0). */
	[Q_HASH_COUNT] =
		"SELECT coalesce(sum(CASE WHEN typeof(hashes) = 'blob'"
		" THEN length(hashes) / 32 END), 0), count(*) FILTER (WHERE"
		" typeof(hashes) != 'blob' OR length(hashes) = 0"
		" OR length(hashes) % 32 != 0 OR first != prev_end)"
		" FROM (SELECT first, hashes, lag(first + length(hashes) / 32,"
		" 1, 0) OVER (ORDER BY first) AS prev_end FROM hash_runs)",
	[Q_INDEX_COUNTS] = "SELECT (SELECT count(*) FROM heads),"
			   " (SELECT coalesce(sum(length(c.pairs) / 16), 0)"
			   " FROM doc_chunks c JOIN doc_gens g ON g.gen = c.gen"
			   " WHERE typeof(c.pairs) = 'blob')",
	/* From the run that holds ?1 (or the first) on. */
	[Q_CUR_HASHES] = "SELECT first, hashes FROM hash_runs WHERE first >="
			 " coalesce((SELECT max(first) FROM hash_runs"
			 " WHERE first BETWEEN 0 AND ?1), 0) ORDER BY first",
	[Q_CUR_DOCS] = "SELECT sha256, size, mime FROM documents ORDER BY id",
};

bool store_readonly(const struct store *s)
{
	return sqlite3_db_readonly(s->db, "main") == 1;
}

void store_use_tree_cache(struct store *s, struct tree_cache *c)
{
	s->tree = c;
}

/* The status of an SQLite result code. */
static enum status status_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ST_BUSY;
	case SQLITE_NOMEM:
		return ST_NOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return ST_CORRUPT;
	case SQLITE_CONSTRAINT:
		return ST_CONFLICT;
	case SQLITE_FULL:
		return ST_FULL;
	default: /* SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY, ... */
		return ST_IO;
	}
}

enum status store_fail(struct store *s, const char *what, struct err *e)
{
	return err_set(e, status_of(sqlite3_extended_errcode(s->db)), "%s: %s",
		       what, sqlite3_errmsg(s->db));
}

enum status store_prepare(struct store *s, enum stmt id, struct err *e)
{
	if (s->q[id] == NULL &&
	    sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
			       SQLITE_PREPARE_PERSISTENT, &s->q[id],
			       NULL) != SQLITE_OK)
		return store_fail(s, "prepare", e);
	return ST_OK;
}

/* Resets and clears a statement for its next use. */
sqlite3_stmt *store_stmt(struct store *s, enum stmt id)
{
	sqlite3_stmt *st = s->q[id];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* Runs a statement that returns no rows. */
enum status store_exec(struct store *s, sqlite3_stmt *st, const char *what,
		       struct err *e)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		enum status r = store_fail(s, what, e);
		sqlite3_reset(st);
		return r;
	}
	sqlite3_reset(st);
	return ST_OK;
}

enum status store_exec_sql(struct store *s, const char *sql, const char *what,
			   struct err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		enum status r = store_fail(s, what, e);
		if (msg != NULL)
			err_set(e, r, "%s: %s", what, msg);
		sqlite3_free(msg);
		return r;
	}
	return ST_OK;
}

static enum status pragma_int(struct store *s, const char *sql, int *out,
			      struct err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, sql, e);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		enum status r = store_fail(s, sql, e);
		sqlite3_finalize(st);
		return r;
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return ST_OK;
}

static enum status migrate(struct store *s, bool created, struct err *e)
{
	int app = 0, version = 0;
	enum status r;
	if ((r = pragma_int(s, "PRAGMA application_id", &app, e)) != ST_OK ||
	    (r = pragma_int(s, "PRAGMA user_version", &version, e)) != ST_OK)
		return r;
	if (!created && app != STORE_APPLICATION_ID)
		return err_set(e, ST_CORRUPT, "not a sanilog database");
	if (version > SCHEMA_VERSION)
		return err_set(e, ST_CORRUPT,
			       "database schema is newer than this sanilog");
	s->schema_found = version;
	if (version == SCHEMA_VERSION)
		return ST_OK;
	if ((r = store_exec_sql(s, "BEGIN IMMEDIATE", "migrate", e)) != ST_OK)
		return r;
	/* Another process may have migrated it while this one waited. */
	if ((r = pragma_int(s, "PRAGMA user_version", &version, e)) != ST_OK)
		goto rollback;
	s->schema_found = version;
	for (int v = version; v < SCHEMA_VERSION; v++) {
		char sql[96];
		if ((r = store_exec_sql(s, migrations[v], "migrate", e)) !=
			    ST_OK ||
		    (migration_steps[v] != NULL &&
		     (r = migration_steps[v](s, e)) != ST_OK))
			goto rollback;
		snprintf(sql, sizeof sql,
			 "PRAGMA user_version = %d; PRAGMA application_id = %d",
			 v + 1, STORE_APPLICATION_ID);
		if ((r = store_exec_sql(s, sql, "migrate", e)) != ST_OK)
			goto rollback;
	}
	return store_exec_sql(s, "COMMIT", "migrate", e);
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

/* Puts the file in WAL mode, unless it is already (sanilog's files are
 * from init on): the change takes an exclusive lock, which two processes
 * opening the file at once would fight over. */
static enum status wal_mode(struct store *s, const char *path, struct err *e)
{
	sqlite3_stmt *st = NULL;
	bool wal = false;
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_fail(s, path, e);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);
		wal = m != NULL && strcmp(m, "wal") == 0;
	}
	sqlite3_finalize(st);
	return wal ? ST_OK
		   : store_exec_sql(s, "PRAGMA journal_mode=WAL", path, e);
}

static const char store_pragmas[] =
	"PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
	" PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=8192;";

/* Once per process, before SQLite is first used: no memory statistics,
 * which would take a global lock around every allocation SQLite makes
 * (3% of an append's instructions, by callgrind). */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum status store_open(const char *path, enum store_mode mode,
		       struct store **out, struct err *e)
{
	static pthread_once_t setup = PTHREAD_ONCE_INIT;
	pthread_once(&setup, sqlite_setup);
	struct store *s = NULL;
	struct err why = {.msg = ""}; /* said after the path */
	enum status r;
	int flags = SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX;
	*out = NULL;

	if (mode == STORE_CREATE) {
		/* Create the file ourselves so that an existing one is never
		 * taken over, and so that it is not world-readable. */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
			      0600);
		if (fd < 0)
			return err_set(e, errno == EEXIST ? ST_CONFLICT : ST_IO,
				       "%s: %s", path, strerror(errno));
		close(fd);
		flags |= SQLITE_OPEN_READWRITE;
	} else {
		struct stat sb;
		if (stat(path, &sb) != 0)
			return err_set(
				e, errno == ENOENT ? ST_NOT_FOUND : ST_IO,
				"%s: %s%s", path, strerror(errno),
				errno == ENOENT ? " (run sanilog init)" : "");
		flags |= mode == STORE_READONLY ? SQLITE_OPEN_READONLY
						: SQLITE_OPEN_READWRITE;
	}

	s = calloc(1, sizeof *s);
	if (s != NULL &&
	    (s->cache = calloc(HASH_CACHE_SLOTS, sizeof *s->cache)) == NULL) {
		free(s);
		s = NULL;
	}
	if (s == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	s->heads_version = -1;
	char docs[PATH_MAX];
	if (!docfiles_dir(path, docs, sizeof docs) ||
	    (s->docs = strdup(docs)) == NULL) {
		store_close(s);
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	}
	/* Bounded by a transaction's appends, not by a cap of their own. */
	buf_init(&s->pending, SIZE_MAX / 2);
	buf_init(&s->hpend, SIZE_MAX / 2);
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		r = store_fail(s, path, &why);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	if (mode == STORE_OPEN) {
		/* Read before anything writes: never convert a file that is
		 * not ours. */
		int app = 0;
		if ((r = pragma_int(s, "PRAGMA application_id", &app, &why)) !=
		    ST_OK)
			goto fail;
		if (app != STORE_APPLICATION_ID) {
			r = err_set(&why, ST_CORRUPT, "not a sanilog database");
			goto fail;
		}
	}
	/* 16 KiB pages for a new file: a log is mostly documents, of tens of
	 * kilobytes and more, which fill larger pages better, and a batch of
	 * appends writes half the WAL frames of 8 KiB pages, each a header
	 * and a write call, which the backfill thread copies with half the
	 * calls.  Measured against 8 KiB:
	 * 1000 appends a transaction 10% faster, uploads of 100 KiB 6%; one
	 * append a transaction, whose commit writes a few whole pages, 28%
	 * slower.  (An existing file keeps its size.) */
	if (mode == STORE_CREATE &&
	    ((r = store_exec_sql(s, "PRAGMA page_size=16384", path, &why)) !=
		     ST_OK ||
	     (r = docfiles_make(s->docs, &why)) != ST_OK))
		goto fail;
	if (mode != STORE_READONLY && (r = wal_mode(s, path, &why)) != ST_OK)
		goto fail;
	if ((r = store_exec_sql(s, store_pragmas, path, &why)) != ST_OK)
		goto fail;
	if (mode == STORE_READONLY) {
		int app = 0, version = 0;
		if ((r = pragma_int(s, "PRAGMA application_id", &app, &why)) !=
			    ST_OK ||
		    (r = pragma_int(s, "PRAGMA user_version", &version,
				    &why)) != ST_OK)
			goto fail;
		if (app != STORE_APPLICATION_ID) {
			r = err_set(&why, ST_CORRUPT, "not a sanilog database");
			goto fail;
		}
		s->schema_found = version;
		if (version > 0 && version < SCHEMA_VERSION) {
			/* Reading never changes the file: upgrading it is a
			 * write, done on purpose, with no older sanilog
			 * writing to it. */
			r = err_set(
				&why, ST_CORRUPT,
				"schema %d, older than this sanilog's (%d): "
				"upgrade it with `sanilog upgrade` (stop "
				"any server using it first), or upgrade a "
				"copy",
				version, SCHEMA_VERSION);
			goto fail;
		}
		if (version != SCHEMA_VERSION) {
			r = err_set(&why, ST_CORRUPT,
				    "database schema is newer than this "
				    "sanilog");
			goto fail;
		}
	} else if ((r = migrate(s, mode == STORE_CREATE, &why)) != ST_OK) {
		goto fail;
	}
	for (int i = 0; i < Q__COUNT; i++)
		if ((r = store_prepare(s, (enum stmt)i, &why)) != ST_OK)
			goto fail;
	*out = s;
	return ST_OK;
fail:
	err_set(e, r, "%s: %s", path, why.msg);
	store_close(s);
	if (mode == STORE_CREATE)
		unlink(path);
	return r;
}

void store_schema(const struct store *s, int *found, int *now)
{
	*found = s->schema_found;
	*now = SCHEMA_VERSION;
}

enum status store_map(struct store *s, int64_t bytes, struct err *e)
{
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA mmap_size=%lld", (long long)bytes);
	return store_exec_sql(s, sql, "mmap", e);
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < Q__COUNT; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s->cache);
	free(s->heads);
	keyset_free(s->doc_keys);
	buf_free(&s->pending);
	buf_free(&s->hpend);
	free(s->docs);
	free(s);
}

const char *store_docs_dir(const struct store *s)
{
	return s->docs;
}

enum status store_meta_get(struct store *s, const char *key, char *out,
			   size_t outsize, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_META_GET);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		if (n + 1 > outsize)
			r = err_set(e, ST_TOO_LARGE, "meta value too long");
		else {
			memcpy(out, v, n);
			out[n] = 0;
		}
	} else if (rc == SQLITE_DONE) {
		r = err_set(e, ST_NOT_FOUND, "no such setting");
	} else {
		r = store_fail(s, "meta", e);
	}
	sqlite3_reset(st);
	return r;
}

enum status store_meta_set(struct store *s, const char *key, const char *value,
			   struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_META_SET);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return store_exec(s, st, "meta", e);
}

enum status store_meta_delete(struct store *s, const char *key, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_META_DELETE);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	return store_exec(s, st, "meta", e);
}

enum status store_begin(struct store *s, struct err *e)
{
	s->doc_keys_ready = false;
	enum status r = store_exec(s, store_stmt(s, Q_BEGIN), "begin", e);
	if (r != ST_OK)
		return r;
	buf_reset(&s->pending);
	buf_reset(&s->hpend);
	/* What this connection keeps in memory holds while no other one
	 * has written. */
	sqlite3_stmt *st = store_stmt(s, Q_DATA_VERSION);
	int rc = sqlite3_step(st);
	int64_t version = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		r = store_fail(s, "begin", e);
		store_rollback(s);
		return r;
	}
	s->writing = true;
	store_heads_fresh(s, version);
	if (s->doc_keys != NULL)
		store_doc_keys_fresh(s, version);
	return ST_OK;
}

enum status store_begin_read(struct store *s, struct err *e)
{
	return store_exec(s, store_stmt(s, Q_BEGIN_READ), "begin", e);
}

enum status store_commit(struct store *s, struct err *e)
{
	/* The new documents' keys and the new hashes go in with them, or
	 * nothing does. */
	enum status r = store_index_flush(s, e);
	if (r == ST_OK)
		r = store_hashes_flush(s, e);
	/* The files of the documents it stored, before the rows that name
	 * them. */
	if (r == ST_OK && s->docs_unsynced &&
	    (r = docfiles_sync(s->docs, e)) == ST_OK)
		s->docs_unsynced = false;
	if (r != ST_OK)
		return r;
	s->doc_keys_ready = false;
	s->writing = false;
	if ((r = store_exec(s, store_stmt(s, Q_COMMIT), "commit", e)) == ST_OK)
		s->heads_moved = false;
	return r;
}

void store_rollback(struct store *s)
{
	s->writing = false; /* and the next store_begin drops moved heads */
	s->docs_unsynced = false; /* its files are orphans */
	s->doc_keys_ready = false;
	buf_reset(&s->pending);
	buf_reset(&s->hpend);
	if (!sqlite3_get_autocommit(s->db))
		store_exec(s, store_stmt(s, Q_ROLLBACK), "rollback", NULL);
	memset(s->cache, 0, HASH_CACHE_SLOTS * sizeof *s->cache);
}

enum status store_two_ints(struct store *s, sqlite3_stmt *st, int64_t *a,
			   int64_t *b, const char *what, struct err *e)
{
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW) {
		*a = sqlite3_column_int64(st, 0);
		*b = sqlite3_column_int64(st, 1);
	} else {
		r = store_fail(s, what, e);
	}
	sqlite3_reset(st);
	return r;
}

/* Steps a statement expected to give one integer row. */
enum status store_one_int(struct store *s, sqlite3_stmt *st, int64_t *out,
			  const char *what, struct err *e)
{
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		r = err_set(e, ST_NOT_FOUND, "%s", what);
	else
		r = store_fail(s, what, e);
	sqlite3_reset(st);
	return r;
}

enum status store_log_size(struct store *s, int64_t *size, struct err *e)
{
	return store_one_int(s, store_stmt(s, Q_LOG_SIZE), size, "log size", e);
}

/* Appends column col of the current row, as bytes, to out. */
enum status store_column_to_buf(sqlite3_stmt *st, int col, struct buf *out,
				struct err *e)
{
	const void *p = sqlite3_column_blob(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	enum status r = buf_append(out, p != NULL ? p : "", n);
	if (r != ST_OK)
		err_set(e, r, "value too large");
	return r;
}

enum status store_entry(struct store *s, int64_t index, struct buf *out,
			struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_ENTRY);
	sqlite3_bind_int64(st, 1, index);
	int rc = sqlite3_step(st);
	enum status r;
	if (rc == SQLITE_ROW)
		r = store_column_to_buf(st, 0, out, e);
	else if (rc == SQLITE_DONE)
		r = err_set(e, ST_NOT_FOUND, "no such entry");
	else
		r = store_fail(s, "entry", e);
	sqlite3_reset(st);
	return r;
}

/* Collects the first integer column of every row into a new array. */
static enum status int_rows(struct store *s, sqlite3_stmt *st, int64_t **out,
			    size_t *count, struct err *e)
{
	int64_t *v = NULL;
	size_t n = 0, alloc = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 16;
			int64_t *p = realloc(v, na * sizeof *v);
			if (p == NULL) {
				free(v);
				sqlite3_reset(st);
				return err_set(e, ST_NOMEM, "out of memory");
			}
			v = p;
			alloc = na;
		}
		v[n++] = sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE) {
		enum status r = store_fail(s, "read", e);
		free(v);
		sqlite3_reset(st);
		return r;
	}
	sqlite3_reset(st);
	*out = v;
	*count = n;
	return ST_OK;
}

enum status store_provider_indexes(struct store *s, int64_t **out,
				   size_t *count, struct err *e)
{
	return int_rows(s, store_stmt(s, Q_PROVIDER_INDEXES), out, count, e);
}

enum status store_policy_newest(struct store *s, int64_t before, int64_t *index,
				struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_POLICY_NEWEST);
	sqlite3_bind_int64(st, 1, before);
	return store_one_int(s, st, index, "no witness-policy entry", e);
}

enum status store_policy_indexes(struct store *s, int64_t **out, size_t *count,
				 struct err *e)
{
	return int_rows(s, store_stmt(s, Q_POLICY_INDEXES), out, count, e);
}

enum status store_is_revoked(struct store *s, const char *venue, int64_t seq,
			     bool *revoked, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_IS_REVOKED);
	sqlite3_bind_text(st, 1, venue, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		*revoked = rc == SQLITE_ROW;
	else
		r = store_fail(s, "revocation", e);
	sqlite3_reset(st);
	return r;
}

enum status store_provider_newest(struct store *s, const char *name,
				  int64_t before, int64_t *index, int *kind,
				  struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_PROVIDER_KEYS);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, before);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW) {
		*index = sqlite3_column_int64(st, 0);
		*kind = sqlite3_column_int(st, 1);
	} else if (rc == SQLITE_DONE) {
		r = err_set(e, ST_NOT_FOUND, "no such provider");
	} else {
		r = store_fail(s, "provider", e);
	}
	sqlite3_reset(st);
	return r;
}

enum status store_provider_key(struct store *s, const char *name,
			       int64_t before, int64_t *index, struct err *e)
{
	int kind = 0;
	enum status r = store_provider_newest(s, name, before, index, &kind, e);
	/* The newest provider entry of that name decides: a key, or a
	 * revocation that ended every key before it. */
	if (r == ST_OK && kind != ENTRY_PROVIDER_KEY)
		r = err_set(e, ST_NOT_FOUND, "provider key revoked");
	return r;
}

enum status store_insert_checkpoint(struct store *s, int64_t size,
				    const char *note, size_t len, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_INSERT_CHECKPOINT);
	sqlite3_bind_int64(st, 1, size);
	sqlite3_bind_text(st, 2, note, (int)len, SQLITE_STATIC);
	return store_exec(s, st, "insert checkpoint", e);
}

enum status store_checkpoint(struct store *s, int64_t size, struct buf *out,
			     int64_t *got_size, struct err *e)
{
	sqlite3_stmt *st;
	if (size >= 0) {
		st = store_stmt(s, Q_CHECKPOINT);
		sqlite3_bind_int64(st, 1, size);
	} else {
		st = store_stmt(s, Q_CHECKPOINT_NEWEST);
	}
	int rc = sqlite3_step(st);
	enum status r;
	if (rc == SQLITE_ROW) {
		if (got_size != NULL)
			*got_size = sqlite3_column_int64(st, 0);
		r = store_column_to_buf(st, 1, out, e);
	} else if (rc == SQLITE_DONE) {
		r = err_set(e, ST_NOT_FOUND, "no checkpoint of that size");
	} else {
		r = store_fail(s, "checkpoint", e);
	}
	sqlite3_reset(st);
	return r;
}

enum status store_checkpoint_sizes(struct store *s, int64_t **out,
				   size_t *count, struct err *e)
{
	return int_rows(s, store_stmt(s, Q_CHECKPOINT_SIZES), out, count, e);
}

enum status store_checkpoint_from(struct store *s, int64_t min, int64_t *size,
				  struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_CHECKPOINT_FROM);
	sqlite3_bind_int64(st, 1, min);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW)
		*size = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		r = err_set(e, ST_NOT_FOUND,
			    "no checkpoint of %lld entries "
			    "or more",
			    (long long)min);
	else
		r = store_fail(s, "checkpoint", e);
	sqlite3_reset(st);
	return r;
}

enum status store_last_logged(struct store *s, char *out, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_LAST_ENTRY);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	out[0] = 0;
	if (rc == SQLITE_ROW) {
		/* The logged line is the last line of every entry. */
		const char *d = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		static const char key[] = "\nlogged ";
		if (d != NULL && n >= 30 &&
		    memcmp(d + n - 29, key, sizeof key - 1) == 0) {
			memcpy(out, d + n - 21, 20);
			out[20] = 0;
		} else {
			r = err_set(e, ST_CORRUPT,
				    "newest entry has no logged line");
		}
	} else if (rc != SQLITE_DONE) {
		r = store_fail(s, "last entry", e);
	}
	sqlite3_reset(st);
	return r;
}

enum status store_token_set(struct store *s, const char *venue,
			    const uint8_t token_hash[HASH_LEN], struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_TOKEN_SET);
	sqlite3_bind_text(st, 1, venue, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, token_hash, HASH_LEN, SQLITE_STATIC);
	return store_exec(s, st, "token", e);
}

enum status store_token_get(struct store *s, const char *venue,
			    uint8_t token_hash[HASH_LEN], struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_TOKEN_GET);
	sqlite3_bind_text(st, 1, venue, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == HASH_LEN)
		memcpy(token_hash, sqlite3_column_blob(st, 0), HASH_LEN);
	else if (rc == SQLITE_ROW)
		r = err_set(e, ST_CORRUPT, "stored token hash is malformed");
	else if (rc == SQLITE_DONE)
		r = err_set(e, ST_NOT_FOUND, "venue has no owner token");
	else
		r = store_fail(s, "token", e);
	sqlite3_reset(st);
	return r;
}

enum status store_token_venue(struct store *s,
			      const uint8_t token_hash[HASH_LEN],
			      char venue[VENUE_ID_LEN + 1], struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_TOKEN_VENUE);
	sqlite3_bind_blob(st, 1, token_hash, HASH_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		snprintf(venue, VENUE_ID_LEN + 1, "%s", v != NULL ? v : "");
	} else if (rc == SQLITE_DONE) {
		r = err_set(e, ST_NOT_FOUND, "no venue has that token");
	} else {
		r = store_fail(s, "token", e);
	}
	sqlite3_reset(st);
	return r;
}

void store_secret_new(const char *prefix, char *out, size_t size,
		      uint8_t hash[HASH_LEN])
{
	uint8_t raw[32];
	size_t n = strlen(prefix);
	assert(size >= n + STORE_SECRET_B64 + 1);
	randombytes_buf(raw, sizeof raw);
	memcpy(out, prefix, n);
	b64_encode(out + n, size - n, raw, sizeof raw, B64_URL);
	sodium_memzero(raw, sizeof raw);
	sha256(hash, out, strlen(out));
}

enum status store_token_replace(struct store *s, const char *venue,
				const uint8_t old_hash[HASH_LEN],
				const uint8_t new_hash[HASH_LEN], struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_TOKEN_REPLACE);
	sqlite3_bind_text(st, 1, venue, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, old_hash, HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, new_hash, HASH_LEN, SQLITE_STATIC);
	enum status r = store_exec(s, st, "token", e);
	if (r != ST_OK || sqlite3_changes(s->db) == 1)
		return r;
	uint8_t now[HASH_LEN];
	r = store_token_get(s, venue, now, e);
	if (r != ST_OK)
		return r;
	return err_set(e, ST_CONFLICT, "the owner token was replaced already");
}

enum status store_login_link_add(struct store *s, const uint8_t hash[HASH_LEN],
				 const char *venue, int64_t expires,
				 int64_t now, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_LINK_PURGE);
	sqlite3_bind_int64(st, 1, now);
	enum status r = store_exec(s, st, "login link", e);
	if (r != ST_OK)
		return r;
	st = store_stmt(s, Q_LINK_ADD);
	sqlite3_bind_blob(st, 1, hash, HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, venue, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, expires);
	return store_exec(s, st, "login link", e);
}

enum status store_login_link_take(struct store *s, const uint8_t hash[HASH_LEN],
				  int64_t now, char venue[VENUE_ID_LEN + 1],
				  struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_LINK_TAKE);
	sqlite3_bind_blob(st, 1, hash, HASH_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	enum status r = ST_OK;
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		int64_t expires = sqlite3_column_int64(st, 1);
		snprintf(venue, VENUE_ID_LEN + 1, "%s", v != NULL ? v : "");
		if (expires <= now)
			r = err_set(e, ST_NOT_FOUND, "the link expired");
		/* Step to the end: the delete is done then. */
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
	} else if (rc == SQLITE_DONE) {
		r = err_set(e, ST_NOT_FOUND, "no such link (used already?)");
	}
	if (rc != SQLITE_DONE)
		r = store_fail(s, "login link", e);
	sqlite3_reset(st);
	if (r != ST_OK)
		venue[0] = 0;
	return r;
}

/* An integer column, or dflt when it is NULL. */
static int64_t column_or(sqlite3_stmt *st, int col, int64_t dflt)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL
		       ? dflt
		       : sqlite3_column_int64(st, col);
}

enum status store_scan_entries(struct store *s, int64_t from, int64_t to,
			       store_entry_fn fn, void *ctx, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, Q_SCAN_ENTRIES);
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	int rc;
	enum status r = ST_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = sqlite3_column_blob(st, 1);
		struct store_entry_cols cols = {
			.venue = (const char *)sqlite3_column_text(st, 2),
			.venue_seq = column_or(st, 3, -1),
			.venue_prev = column_or(st, 4, -1),
		};
		r = fn(ctx, sqlite3_column_int64(st, 0), d != NULL ? d : "",
		       (size_t)sqlite3_column_bytes(st, 1), &cols);
		if (r != ST_OK)
			break;
	}
	if (r == ST_OK && rc != SQLITE_DONE)
		r = store_fail(s, "scan entries", e);
	sqlite3_reset(st);
	return r;
}

enum status store_index_counts(struct store *s, int64_t *heads,
			       int64_t *doc_keys, struct err *e)
{
	return store_two_ints(s, store_stmt(s, Q_INDEX_COUNTS), heads, doc_keys,
			      "index counts", e);
}

enum status store_page_size(struct store *s, int64_t *bytes, struct err *e)
{
	int n = 0;
	enum status r = pragma_int(s, "PRAGMA page_size", &n, e);
	if (r == ST_OK)
		*bytes = n;
	return r;
}

enum status store_wal_checkpoint(struct store *s, int *frames, int *copied,
				 struct err *e)
{
	if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
				      frames, copied) != SQLITE_OK)
		return store_fail(s, "checkpoint", e);
	return ST_OK;
}
