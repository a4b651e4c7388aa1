/*
 * audit.c: the full audit of a sanilog database, streaming the entries in
 * index order with O(venues + providers) memory.
 */
#include "audit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attest.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/merkle.h"
#include "core/rules.h"
#include "store/audit_pool.h"
#include "store/docfiles.h"
#include "store/export.h"

/* Failures listed per kind; the rest are counted. */
#define MAX_REPORTED AUDIT_POOL_FAILS

enum fail_kind { F_TREE, F_CHAIN, F_DOC, F_ATTEST, F_REVOKE, F_ENTRY, F__N };

static const struct {
	int rule;
	const char *name;
} fail_info[F__N] = {
	[F_TREE] = {2, "tree"},		[F_CHAIN] = {3, "chain"},
	[F_DOC] = {4, "document"},	[F_ATTEST] = {5, "attestation"},
	[F_REVOKE] = {6, "revocation"}, [F_ENTRY] = {3, "entry"},
};

struct audit {
	struct store *s;
	const struct audit_options *o;
	struct verify_report *rep;
	struct audit_result *res;
	struct err *e;
	enum status fatal; /* a failure to audit, not a finding */

	struct merkle_range range;
	int64_t next;	     /* the index expected next */
	struct rules *rules; /* the log's rules, over the entries so far */
	int64_t doc_keys;    /* pairs of the document index */
	int64_t failures[F__N];

	/* checkpoints to compare as the tree grows */
	int64_t *cp_sizes;
	size_t ncp, cp_next;
	uint8_t (*cp_roots)[HASH_LEN];
	bool *cp_valid; /* its signature verified: its root is worth comparing
			 */
	int64_t seen_size;
	uint8_t seen_root[HASH_LEN];
	bool seen_checked;

	/* Look-ahead rows of the sequential cursors over stored hashes and
	 * documents, which the entries meet in the same order. */
	bool hash_have;
	int64_t hash_id;
	uint8_t hash_val[HASH_LEN];
	bool doc_have;
	uint8_t doc_sha[HASH_LEN];
	int64_t doc_size;
	char doc_mime[32];

	struct attest_pool *pool; /* verifies attestations */
	struct attest_job *job;	  /* scratch for the next job */

	struct entry en;
};

static void finding(struct audit *a, enum fail_kind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void finding(struct audit *a, enum fail_kind k, const char *fmt, ...)
{
	if (a->failures[k]++ >= MAX_REPORTED)
		return;
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	verify_add_check(a->rep, fail_info[k].rule, false, fail_info[k].name,
			 "%s", msg);
}

static void next_doc(struct audit *a)
{
	enum status r = store_doc_cursor_next(a->s, a->doc_sha, &a->doc_size,
					      a->doc_mime, a->e);
	a->doc_have = r == ST_OK;
	if (r != ST_OK && r != ST_NOT_FOUND)
		a->fatal = r;
}

static void next_hash(struct audit *a)
{
	enum status r =
		store_hash_cursor_next(a->s, &a->hash_id, a->hash_val, a->e);
	a->hash_have = r == ST_OK;
	if (r == ST_CORRUPT) {
		/* A malformed run: skip it; the count of broken runs
		 * reports it. */
		a->hash_have = true;
		a->hash_id = -1;
	} else if (r != ST_OK && r != ST_NOT_FOUND) {
		a->fatal = r;
	}
}

/* The entry's doc line names a stored document of that size and type;
 * the documents' bytes themselves are checked by scan_documents. */
static void check_document(struct audit *a, int64_t index)
{
	const struct entry *en = &a->en;
	char mime[32];
	int64_t size = 0;
	enum status r;
	if (a->doc_have && memcmp(a->doc_sha, en->doc_sha256, HASH_LEN) == 0) {
		/* A document's first entry meets it in storage order. */
		size = a->doc_size;
		memcpy(mime, a->doc_mime, sizeof mime);
		next_doc(a);
		r = ST_OK;
	} else {
		r = store_document_meta(a->s, en->doc_sha256, &size, mime,
					a->e);
	}
	if (r == ST_NOT_FOUND) {
		finding(a, F_DOC, "entry %lld: document is missing",
			(long long)index);
		return;
	}
	if (r != ST_OK) {
		a->fatal = r;
		return;
	}
	if (size != en->doc_size || strcmp(mime, en->doc_mime) != 0)
		finding(a, F_DOC,
			"entry %lld: the stored document's size or type "
			"differs from its doc line",
			(long long)index);
	a->res->documents++;
}

/* ---- documents: every stored document's bytes against its key ---- */

/* Each document must be found by exactly one pair of the document index:
 * (the first 8 bytes of its SHA-256, its row id).  Rather than look each
 * one up, the scan adds up a keyed hash of those pairs over the documents
 * and over the index: the same sums and counts show the same pairs
 * (a different set matching both has a chance of 2^-128 under a key
 * drawn for this audit).  Only when they differ are the documents looked
 * up one by one, to name those that no look-up finds. */
struct pair_sum {
	uint64_t lane[2];
	int64_t count;
};

struct doc_scan {
	struct store *s;
	enum status status; /* of the scan itself */
	struct err err;	    /* and why it failed */
	int64_t count;
	int64_t unkeyed; /* documents a look-up in the index misses */
	int64_t nfails;
	char fails[MAX_REPORTED][200];
	uint8_t pair_key[crypto_shorthash_siphashx24_KEYBYTES];
	struct pair_sum docs, keys;
	int64_t odd_docs;  /* documents whose hash no look-up matches */
	int64_t odd_index; /* chunks and generations breaking the index's
			      rules (store_scan_doc_keys) */
	int64_t orphans;   /* files of the folder no document row names */
};

static void pair_add(struct pair_sum *sum, const uint8_t key[8], int64_t id,
		     const uint8_t *pair_key)
{
	uint8_t in[16], out[crypto_shorthash_siphashx24_BYTES];
	uint64_t lane;
	memcpy(in, key, 8);
	for (int i = 0; i < 8; i++)
		in[8 + i] = (uint8_t)((uint64_t)id >> (8 * i));
	crypto_shorthash_siphashx24(out, in, sizeof in, pair_key);
	for (int k = 0; k < 2; k++) {
		memcpy(&lane, out + 8 * k, 8);
		sum->lane[k] += lane;
	}
	sum->count++;
}

static void doc_fail(struct doc_scan *d, const uint8_t *sha, size_t len,
		     const char *why)
{
	char hex[2 * HASH_LEN + 1];
	if (d->nfails++ >= MAX_REPORTED)
		return;
	hex_encode(hex, sha, len < HASH_LEN ? len : HASH_LEN);
	snprintf(d->fails[d->nfails - 1], sizeof d->fails[0],
		 "document %.16s…: %s", hex, why);
}

static enum status on_document(void *ctx, int64_t id,
			       const uint8_t sha[HASH_LEN], bool sha_blob,
			       int64_t size, const char *mime,
			       const uint8_t *data, size_t len)
{
	struct doc_scan *d = ctx;
	uint8_t got[HASH_LEN];
	const char *sniffed = NULL;
	if (data != NULL) {
		sha256(got, data, len);
		sniffed = entry_sniff_mime(data, len);
	}
	if (data == NULL)
		doc_fail(d, sha, HASH_LEN,
			 "its file is missing from the documents' folder");
	else if (memcmp(got, sha, HASH_LEN) != 0)
		doc_fail(d, sha, HASH_LEN,
			 "its file's bytes do not hash to its name, its "
			 "SHA-256");
	else if ((int64_t)len != size || sniffed == NULL ||
		 strcmp(sniffed, mime) != 0)
		doc_fail(d, sha, HASH_LEN,
			 "its recorded size or type differs from its bytes");
	if (sha_blob)
		pair_add(&d->docs, sha, id, d->pair_key);
	else
		d->odd_docs++; /* no look-up finds it */
	d->count++;
	return ST_OK;
}

static enum status on_doc_key(void *ctx, const uint8_t *key, size_t len,
			      int64_t id)
{
	struct doc_scan *d = ctx;
	if (len == 8)
		pair_add(&d->keys, key, id, d->pair_key);
	else
		d->odd_index++;
	return ST_OK;
}

static enum status on_unkeyed(void *ctx, const uint8_t *sha, size_t len,
			      int64_t id)
{
	struct doc_scan *d = ctx;
	(void)id;
	d->unkeyed++;
	doc_fail(d, sha, len,
		 "the document index does not find it (by its hash's first "
		 "bytes)");
	return ST_OK;
}

/* A file of the documents' folder: an orphan unless a document row names
 * it (a temporary file or another name never is). */
static enum status on_file(void *ctx, const char *path, const uint8_t *sha,
			   const struct stat *sb)
{
	struct doc_scan *d = ctx;
	int64_t size = 0;
	char mime[32];
	(void)path;
	(void)sb;
	enum status r = sha != NULL ? store_document_meta(d->s, sha, &size,
							  mime, &d->err)
				    : ST_NOT_FOUND;
	if (r == ST_NOT_FOUND)
		d->orphans++;
	return r == ST_NOT_FOUND ? ST_OK : r;
}

/* Scans on a connection already in a read transaction. */
static void scan_documents_in_txn(struct doc_scan *d)
{
	randombytes_buf(d->pair_key, sizeof d->pair_key);
	d->status = store_scan_documents(d->s, on_document, d, &d->err);
	if (d->status == ST_OK)
		d->status = store_scan_doc_keys(d->s, on_doc_key, d, &d->err);
	if (d->status == ST_OK && (d->odd_docs != 0 || d->odd_index != 0 ||
				   d->keys.count != d->docs.count ||
				   d->keys.lane[0] != d->docs.lane[0] ||
				   d->keys.lane[1] != d->docs.lane[1]))
		d->status = store_scan_unkeyed_documents(d->s, on_unkeyed, d,
							 &d->err);
	if (d->status == ST_OK)
		d->status = docfiles_scan(store_docs_dir(d->s), on_file, d,
					  &d->err);
}

/* Thread body: scans on a connection of its own. */
static void *scan_documents(void *arg)
{
	struct doc_scan *d = arg;
	d->status = store_begin_read(d->s, &d->err);
	if (d->status != ST_OK)
		return NULL;
	scan_documents_in_txn(d);
	store_commit(d->s, NULL);
	return NULL;
}

/* The attestation's signature, against the key in force that rules.c
 * found, is verified by the pool. */
static void push_attestation(struct audit *a, int64_t index,
			     const struct note_verifier *key)
{
	const struct entry *en = &a->en;
	struct attest_job *j = a->job;
	j->index = index;
	j->key = *key;
	memcpy(j->venue, en->venue, sizeof j->venue);
	memcpy(j->doc, en->doc_sha256, HASH_LEN);
	memcpy(j->type, en->type, sizeof j->type);
	memcpy(j->performed, en->performed, sizeof j->performed);
	memcpy(j->expires, en->expires, sizeof j->expires);
	memcpy(j->line, en->attestation, sizeof j->line);
	audit_pool_push(a->pool, j);
	a->res->attestations++;
}

static enum fail_kind fail_of_rule(int rule)
{
	return rule == 5 ? F_ATTEST : rule == 6 ? F_REVOKE : F_CHAIN;
}

/* The columns the store files a venue entry under, and its link back to
 * the venue's entry before, which venue pages and bundles follow. */
static void check_filed(struct audit *a, int64_t index,
			const struct store_entry_cols *cols)
{
	const struct entry *en = &a->en;
	struct rules_view v = rules_view(a->rules);
	struct rules_head h;
	if (cols->venue == NULL || strcmp(cols->venue, en->venue) != 0 ||
	    cols->venue_seq != en->venue_seq)
		finding(a, F_CHAIN,
			"entry %lld: the database files it under venue %s "
			"venue-seq %lld, not as its text says",
			(long long)index, cols->venue ? cols->venue : "(none)",
			(long long)cols->venue_seq);
	int64_t last =
		v.head(v.ctx, en->venue, &h, NULL) == ST_OK ? h.index : -1;
	if (cols->venue_prev != last)
		finding(a, F_CHAIN,
			"entry %lld: venue %s: the database links it back to "
			"entry %lld, not %lld",
			(long long)index, en->venue,
			(long long)cols->venue_prev, (long long)last);
}

/* The log's rules (rules.c) for one entry, and what the database keeps
 * beside it. */
static void check_entry(struct audit *a, int64_t index,
			const uint8_t leaf[HASH_LEN],
			const struct store_entry_cols *cols)
{
	struct entry *en = &a->en;
	struct rules_view v = rules_view(a->rules);
	struct rules_verdict vd;
	if (rules_check(&v, en, index, RULES_DEFER_SIGNATURE, &vd, NULL) !=
	    ST_OK) {
		a->fatal = err_set(a->e, ST_INTERNAL, "rules: no verdict");
		return;
	}
	for (int i = 0; i < vd.n; i++)
		finding(a, fail_of_rule(vd.f[i].rule), "entry %lld: %s",
			(long long)index, vd.f[i].why);
	if (entry_kind_global(en->kind)) {
		if (cols->venue != NULL)
			finding(a, F_CHAIN,
				"entry %lld: the database files a %s entry "
				"under venue %s",
				(long long)index, entry_kind_str(en->kind),
				cols->venue);
	} else {
		check_filed(a, index, cols);
	}
	if (en->kind == ENTRY_DOCUMENT) {
		check_document(a, index);
		if (vd.deferred)
			push_attestation(a, index, &vd.key);
	}
	if (rules_add(a->rules, en, index, leaf, -1) != ST_OK)
		a->fatal = err_set(a->e, ST_NOMEM, "out of memory");
}

/* Compares the hashes tlog stores for this append with the stored ones,
 * which the hash cursor gives in the same order. */
static void check_stored(struct audit *a, int64_t index,
			 uint8_t (*want)[HASH_LEN], size_t n)
{
	int64_t first = merkle_stored_count(index);
	for (size_t i = 0; i < n; i++) {
		int64_t id = first + (int64_t)i;
		while (a->hash_have && a->hash_id < id && a->fatal == ST_OK)
			next_hash(a);
		int level;
		int64_t k;
		merkle_split_stored_index(id, &level, &k);
		if (!a->hash_have || a->hash_id != id) {
			finding(a, F_TREE,
				"entry %lld: stored hash %lld (level %d, "
				"number %lld) is missing or malformed",
				(long long)index, (long long)id, level,
				(long long)k);
			continue;
		}
		if (memcmp(a->hash_val, want[i], HASH_LEN) != 0)
			finding(a, F_TREE,
				"entry %lld: stored hash %lld (level %d, "
				"number %lld) differs from the recomputed one",
				(long long)index, (long long)id, level,
				(long long)k);
		next_hash(a);
	}
}

/* After the tree reached a size, compare the roots pinned at that size. */
static void at_size(struct audit *a)
{
	int64_t size = a->range.size;
	uint8_t root[HASH_LEN];
	bool have = false;
	while (a->cp_next < a->ncp && a->cp_sizes[a->cp_next] == size) {
		if (!have) {
			merkle_range_root(&a->range, root);
			have = true;
		}
		if (a->cp_valid[a->cp_next] &&
		    memcmp(root, a->cp_roots[a->cp_next], HASH_LEN) != 0)
			finding(a, F_TREE,
				"checkpoint of size %lld: root differs from "
				"the tree of the entries",
				(long long)size);
		a->cp_next++;
	}
	if (a->seen_size == size) {
		if (!have)
			merkle_range_root(&a->range, root);
		if (memcmp(root, a->seen_root, HASH_LEN) != 0)
			verify_add_check(a->rep, 8, false, "rollback or fork",
					 "the checkpoint of size %lld seen "
					 "before has another root: this log "
					 "rewrote its history",
					 (long long)size);
		a->seen_checked = true;
	}
}

static enum status on_entry(void *ctx, int64_t index, const char *text,
			    size_t len, const struct store_entry_cols *cols)
{
	struct audit *a = ctx;
	uint8_t leaf[HASH_LEN];
	uint8_t stored[MERKLE_MAX_PROOF][HASH_LEN];
	size_t nstored = 0;
	if (index != a->next) {
		finding(a, F_TREE, "entries %lld to %lld are missing",
			(long long)a->next, (long long)index - 1);
		return ST_CORRUPT; /* the tree cannot be rebuilt past a gap */
	}
	merkle_leaf_hash(leaf, text, len);
	merkle_range_push(&a->range, leaf, stored, &nstored);
	check_stored(a, index, stored, nstored);
	struct err e;
	if (entry_parse(text, len, &a->en, &e) != ST_OK)
		finding(a, F_ENTRY, "entry %lld: %s", (long long)index, e.msg);
	else
		check_entry(a, index, leaf, cols);
	a->next++;
	at_size(a);
	if (a->o->progress != NULL && (a->next & 0x3fff) == 0)
		a->o->progress(a->o->progress_ctx, a->next, a->res->entries);
	return a->fatal;
}

/* A venue's head in the database is its newest entry. */
static enum status check_head(void *ctx, const char *venue,
			      const struct rules_head *h)
{
	struct audit *a = ctx;
	int64_t idx = 0, seq = 0;
	enum status r = store_venue_head(a->s, venue, &idx, &seq, a->e);
	if (r != ST_OK && r != ST_NOT_FOUND && r != ST_CORRUPT)
		return r;
	if (r != ST_OK || idx != h->index || seq != h->seq)
		finding(a, F_CHAIN,
			"venue %s: the database's head is not its newest "
			"entry %lld",
			venue, (long long)h->index);
	return ST_OK;
}

/* The rows that find a venue's entries agree with the log: each venue's
 * head is its newest entry.  Venue pages and bundles are built by
 * following them.  (The document keys are checked with the documents.) */
static enum status check_links(struct audit *a)
{
	int64_t heads = 0;
	enum status r = store_index_counts(a->s, &heads, &a->doc_keys, a->e);
	if (r != ST_OK)
		return r;
	if (heads != (int64_t)rules_venues(a->rules))
		finding(a, F_CHAIN,
			"the database has %lld venue heads for %zu "
			"venues",
			(long long)heads, rules_venues(a->rules));
	return rules_venue_each(a->rules, check_head, a);
}

/* Loads, checks and remembers every kept checkpoint. */
static enum status load_checkpoints(struct audit *a, int64_t log_size)
{
	int64_t *sizes = NULL;
	size_t n = 0;
	struct buf note;
	enum status r = store_checkpoint_sizes(a->s, &sizes, &n, a->e);
	if (r != ST_OK)
		return r;
	a->cp_sizes = sizes;
	a->ncp = n;
	a->cp_roots = calloc(n + 1, HASH_LEN);
	a->cp_valid = calloc(n + 1, sizeof *a->cp_valid);
	if (a->cp_roots == NULL || a->cp_valid == NULL)
		return err_set(a->e, ST_NOMEM, "out of memory");
	buf_init(&note, 1 << 16);
	int64_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		struct checkpoint cp;
		struct err e;
		buf_reset(&note);
		if ((r = store_checkpoint(a->s, sizes[i], &note, NULL, a->e)) !=
		    ST_OK)
			goto done;
		if (checkpoint_open(buf_str(&note), note.len, a->o->key, &cp,
				    &e) != ST_OK) {
			if (bad++ < MAX_REPORTED)
				verify_add_check(a->rep, 1, false,
						 "checkpoint signature",
						 "checkpoint of size %lld: %s",
						 (long long)sizes[i], e.msg);
			continue;
		}
		if (cp.size != sizes[i] || cp.size > log_size) {
			if (bad++ < MAX_REPORTED)
				verify_add_check(
					a->rep, 1, false, "checkpoint",
					"checkpoint of size %lld: says size "
					"%lld, the log has %lld entries",
					(long long)sizes[i], (long long)cp.size,
					(long long)log_size);
			continue;
		}
		memcpy(a->cp_roots[i], cp.root, HASH_LEN);
		a->cp_valid[i] = true;
		a->res->newest = cp;
	}
	if (n == 0)
		verify_add_check(a->rep, 1, false, "checkpoint signature",
				 "the log keeps no checkpoint");
	else if (bad == 0)
		verify_add_check(a->rep, 1, true, "checkpoint signature",
				 "%zu kept checkpoints signed by %s", n,
				 a->o->key->name);
	a->res->checkpoints = (int64_t)n;
	r = ST_OK;
done:
	buf_free(&note);
	return r;
}

/* Rule 8: the newest checkpoint seen before must still be in this log. */
static void check_seen(struct audit *a)
{
	struct checkpoint cp;
	struct err e;
	a->seen_size = -1;
	if (a->o->seen == NULL)
		return;
	if (checkpoint_open(a->o->seen, a->o->seen_len, a->o->key, &cp, &e) !=
	    ST_OK) {
		verify_add_check(a->rep, 8, false, "log key changed",
				 "the checkpoint remembered for this origin "
				 "does not verify with this log's key: %s",
				 e.msg);
		return;
	}
	if (cp.size > a->res->newest.size) {
		verify_add_check(a->rep, 8, false, "rollback",
				 "a checkpoint of size %lld was seen before; "
				 "this log's newest is size %lld: the log went "
				 "back",
				 (long long)cp.size,
				 (long long)a->res->newest.size);
		return;
	}
	a->seen_size = cp.size;
	memcpy(a->seen_root, cp.root, HASH_LEN);
}

/* Adds n findings of kind k, of which the first recorded[] are known. */
static void merge_findings(struct audit *a, enum fail_kind k, int64_t n,
			   const char *msgs, size_t stride)
{
	for (int64_t i = 0; i < n; i++) {
		if (i < MAX_REPORTED)
			finding(a, k, "%s", msgs + (size_t)i * stride);
		else
			a->failures[k]++;
	}
}

enum status audit_store(struct store *s, const struct audit_options *o,
			struct verify_report *rep, struct audit_result *res,
			struct err *e)
{
	struct audit *a = calloc(1, sizeof *a);
	struct attest_pool *pool = calloc(1, sizeof *pool);
	struct attest_job *job = calloc(1, sizeof *job);
	struct doc_scan *docs = calloc(1, sizeof *docs);
	struct rules *rules = rules_new();
	pthread_t doc_thread;
	bool doc_thread_running = false, pool_running = false, in_txn = false;
	int64_t size = 0, nhashes = 0, broken_runs = 0;
	enum status r;
	memset(rep, 0, sizeof *rep);
	memset(res, 0, sizeof *res);
	rep->ok = true;
	rep->latest = -1;
	if (a == NULL || pool == NULL || job == NULL || docs == NULL ||
	    rules == NULL) {
		free(a);
		free(pool);
		free(job);
		free(docs);
		rules_free(rules);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	a->s = s;
	a->o = o;
	a->rep = rep;
	a->res = res;
	a->e = e;
	a->pool = pool;
	a->job = job;
	a->rules = rules;
	merkle_range_init(&a->range);

	/* One snapshot for the whole audit, and no lock cycle per read. */
	if ((r = store_begin_read(s, e)) != ST_OK)
		goto done;
	in_txn = true;
	store_hash_cursor_open(s, 0);
	next_hash(a);
	store_doc_cursor_open(s);
	next_doc(a);
	if ((r = audit_pool_start(pool, o->threads)) != ST_OK) {
		err_set(e, r, "out of memory");
		goto done;
	}
	pool_running = true;
	docs->s = o->docs;
	if (docs->s != NULL &&
	    pthread_create(&doc_thread, NULL, scan_documents, docs) == 0)
		doc_thread_running = true;

	if ((r = store_log_size(s, &size, e)) != ST_OK)
		goto done;
	res->entries = size;
	if ((r = load_checkpoints(a, size)) != ST_OK)
		goto done;
	check_seen(a);
	at_size(a); /* checkpoints of the empty tree */
	r = store_scan_entries(s, 0, size, on_entry, a, e);
	if (a->fatal != ST_OK) {
		r = a->fatal;
		goto done;
	}
	if (r != ST_OK && r != ST_CORRUPT)
		goto done;
	if (r == ST_OK && a->next != size)
		finding(a, F_TREE, "entries %lld to %lld are missing",
			(long long)a->next, (long long)size - 1);
	if ((r = check_links(a)) != ST_OK)
		goto done;
	if ((r = store_hash_count(s, &nhashes, &broken_runs, e)) != ST_OK)
		goto done;
	if (nhashes != merkle_stored_count(size))
		finding(a, F_TREE,
			"%lld stored hashes; a tree of %lld entries has %lld",
			(long long)nhashes, (long long)size,
			(long long)merkle_stored_count(size));
	if (broken_runs > 0)
		finding(a, F_TREE,
			"runs of stored hashes that are not whole hashes "
			"from where the run before ended: %lld",
			(long long)broken_runs);

	/* The documents' bytes, and the attestations' signatures. */
	if (!doc_thread_running) {
		docs->s = s;
		scan_documents_in_txn(docs);
	} else {
		pthread_join(doc_thread, NULL);
		doc_thread_running = false;
	}
	if (docs->status != ST_OK) {
		r = err_set(e, docs->status, "documents: %s", docs->err.msg);
		goto done;
	}
	merge_findings(a, F_DOC, docs->nfails, docs->fails[0],
		       sizeof docs->fails[0]);
	/* Each document has its key; any other key finds nothing. */
	if (docs->odd_index > 0)
		finding(a, F_DOC,
			"the document index has %lld chunks or generations "
			"that break its rules",
			(long long)docs->odd_index);
	if (a->doc_keys != docs->count - docs->unkeyed)
		finding(a, F_DOC,
			"the database has %lld document keys for %lld "
			"documents with one",
			(long long)a->doc_keys,
			(long long)(docs->count - docs->unkeyed));
	/* Not a fault: an upload in flight, or one a crash cut short. */
	if (docs->orphans > 0)
		verify_add_check(rep, 4, true, "orphan files",
				 "%lld files in %s that no document names "
				 "(orphans: sanilog gc removes them)",
				 (long long)docs->orphans, store_docs_dir(s));
	res->orphans = docs->orphans;
	audit_pool_finish(pool);
	pool_running = false;
	merge_findings(a, F_ATTEST, pool->nfails, pool->fails[0],
		       sizeof pool->fails[0]);

	if (a->seen_size >= 0 && !a->seen_checked)
		verify_add_check(rep, 8, false, "rollback or fork",
				 "the checkpoint of size %lld seen before "
				 "could not be found in this log",
				 (long long)a->seen_size);
	else if (o->seen != NULL && a->seen_size >= 0)
		verify_add_check(rep, 8, true, "consistency",
				 "contains the checkpoint of size %lld seen "
				 "before",
				 (long long)a->seen_size);
	res->venues = (int64_t)rules_venues(a->rules);
	for (int k = 0; k < F__N; k++) {
		if (a->failures[k] > MAX_REPORTED)
			verify_add_check(
				rep, fail_info[k].rule, false,
				fail_info[k].name,
				"%lld more failures of this kind",
				(long long)(a->failures[k] - MAX_REPORTED));
	}
	if (a->failures[F_TREE] == 0)
		verify_add_check(rep, 2, true, "tree",
				 "%lld entries rebuild every stored hash and "
				 "every kept checkpoint's root",
				 (long long)size);
	if (a->failures[F_CHAIN] == 0 && a->failures[F_ENTRY] == 0)
		verify_add_check(rep, 3, true, "chains",
				 "%zu venues, every entry well-formed and "
				 "chained",
				 rules_venues(a->rules));
	if (a->failures[F_DOC] == 0)
		verify_add_check(rep, 4, true, "documents",
				 "%lld documents hash to their entries",
				 (long long)res->documents);
	if (a->failures[F_ATTEST] == 0)
		verify_add_check(rep, 5, true, "attestations",
				 "%lld attestations verify",
				 (long long)res->attestations);
	if (a->failures[F_REVOKE] == 0)
		verify_add_check(rep, 6, true, "revocations",
				 "every revocation names an earlier document");
	r = ST_OK;
done:
	if (doc_thread_running)
		pthread_join(doc_thread, NULL);
	if (pool_running)
		audit_pool_finish(pool);
	if (in_txn)
		store_commit(s, NULL);
	if (o->progress != NULL)
		o->progress(o->progress_ctx, a->next, size);
	rules_free(a->rules);
	free(a->cp_sizes);
	free(a->cp_roots);
	free(a->cp_valid);

	free(a);
	free(pool);
	free(job);
	free(docs);
	return r;
}
