/*
 * bench.c: the measuring half of `make bench` (tools/bench.sh drives it).
 *
 *   bench make-log DB N [--attest] [--backfill] [--batch B] [--venues V]
 *                  [--origin NAME] [--docs K] [--window W] [--grow]
 *       Creates a new log at DB (key at DB.key, mode 0600, as `sanilog
 *       init` does) holding N entries in all: V venue entries first
 *       (new_venue), with --attest one provider-key entry, then documents
 *       (document number d a 1 KiB PDF: "%PDF-" and bytes drawn from the
 *       seed d; with --docs K, the document d mod K, so that the log holds
 *       K distinct documents however long it grows) spread over
 *       the venues round-robin, B requests per sequencer_append (one
 *       transaction and one signed checkpoint each; default 1000).  With
 *       --attest every document names the provider and carries its
 *       attestation (attest_sign), checked by the sequencer.  Prints the
 *       documents' append rate; the clock runs only around
 *       sequencer_append, not while the bench makes documents or signs
 *       attestations.  With --backfill a thread copies the WAL into the
 *       database file beside the appends, and the clock also runs while
 *       the appender waits for it between transactions, as `sanilog
 *       serve`'s writer does (store/backfill.h).  --window W prints a
 *       line "window size S rate R" after each W documents: the rate of
 *       those W, the log's size S at their end.  --grow appends to the log
 *       at DB that an earlier make-log (without --attest) made, until it
 *       holds N entries, going on with its document numbers: over its
 *       venues, or with --venues V over V new venues that it appends
 *       first (so that the venues the log held keep their entries).
 *
 *   bench rows DB N [--batch B] [--venues V]
 *       The floor under make-log's appends: a new database of sanilog's
 *       schema (store_open) takes, by the store's own inserts and without
 *       the sequencer's checks, formatting, hashing or signing, the rows
 *       an append writes: V venue entries, then N - V documents
 *       round-robin, each its entry (384 bytes of text, store_insert_entry,
 *       which moves its venue's head), its stored hashes (as many as the
 *       tree stores for that leaf, zeros: store_insert_hashes) and its
 *       1 KiB document (store_insert_document, which files its key), B to
 *       a transaction with a checkpoint (store_insert_checkpoint); the
 *       hashes and keys are written in runs at store_commit, as an
 *       append's are.  Prints the documents' rate, timed as make-log's is.
 *
 *   bench docs DB N [--batch B] [--window W]
 *       The documents' rows alone, as they grow: a new database of
 *       sanilog's schema takes document rows
 *       (store_insert_document, no bytes: no file is written) until it
 *       holds N, B to a transaction (default 1000), with the key set a
 *       writer keeps.  After each W documents (default 1,000,000) a line:
 *       their rate and slowest commit (the index's merges), the time a
 *       writer takes to load the key set and its bytes, and a look-up
 *       of a random document in the database (without the key set).
 *
 *   bench proofs DB [COUNT [THREADS [nocache]]]
 *       Opens DB read-only, memory-mapped and with the stored hashes
 *       loaded into a hash cache of serve's default budget (none with
 *       "nocache"), as the server's readers are (store/pool.c; the load is
 *       timed apart), and
 *       makes COUNT (default 100000) inclusion proofs of random leaves
 *       with merkle_prove_inclusion through store_merkle_reader on THREADS
 *       threads (default 1), timed; then checks a sample of them with
 *       merkle_verify_inclusion against the tree's root, which must equal
 *       the newest signed checkpoint's root, from leaf hashes recomputed
 *       from the entries' bytes.
 *
 *   bench sigs [COUNT] [THREADS]
 *       Verifies COUNT (default 100000) Ed25519 signatures of 200-byte
 *       messages with libsodium on THREADS threads (default 1): this
 *       machine's ceiling for an audit whose every document is attested.
 *
 *   bench run CMD [ARG...]
 *       Runs CMD, waits for it and prints its wall time, peak RSS (from
 *       wait4's rusage) and exit status; CMD's own stdout and stderr pass
 *       through.
 *
 * Each command prints its figures on stdout as one line of "key value"
 * pairs that bench.sh reads ("result ... seconds S rate R"), and its
 * progress on stderr.  A benchmark measures and prints: nothing here fails
 * on a time.  Exit status: 0 measured, 1 a result was wrong (a proof that
 * does not verify, a request the log refused), 2 usage or system error.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"
#include "cli/cli.h"
#include "core/attest.h"
#include "core/buf.h"
#include "core/entry.h"
#include "core/hash.h"
#include "core/merkle.h"
#include "core/note.h"
#include "store/backfill.h"
#include "store/sequencer.h"
#include "store/store.h"
#include "store/treecache.h"

#define DOC_LEN	      1024
#define PROVIDER_NAME "bench-provider"
#define SAMPLE_MAX    10000 /* proofs verified after the timed run */

static const char usage_text[] =
	"usage: bench make-log DB N [--attest] [--backfill] [--batch B] "
	"[--venues V] "
	"[--origin NAME] [--docs K] [--window W] [--grow]\n"
	"       bench rows DB N [--batch B] [--venues V]\n"
	"       bench docs DB N [--batch B] [--window W]\n"
	"       bench proofs DB [COUNT [THREADS [nocache]]]\n"
	"       bench sigs [COUNT [THREADS]]\n"
	"       bench run CMD [ARG...]\n";

static int usage(void)
{
	return bench_usage(usage_text);
}

/* Venue number i as an 8-character id of VENUE_ALPHABET (distinct for
 * distinct i < 32^8). */
static void venue_id(int64_t i, char id[VENUE_ID_LEN + 1])
{
	static const char alphabet[] = VENUE_ALPHABET;
	for (int k = VENUE_ID_LEN - 1; k >= 0; k--) {
		id[k] = alphabet[i % 32];
		i /= 32;
	}
	id[VENUE_ID_LEN] = 0;
}

/* Writes the signer's key text and LF to path, created 0600, never over an
 * existing file. */
static enum status write_key(const char *path, const struct note_signer *s,
			     struct err *e)
{
	struct buf b;
	enum status r;
	int fd = -1;
	buf_init(&b, 1024);
	if ((r = note_signer_format(s, &b)) != ST_OK ||
	    (r = buf_append(&b, "\n", 1)) != ST_OK) {
		err_set(e, r, "cannot format the key");
		goto done;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		r = err_set(e, ST_IO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (write(fd, b.data, b.len) != (ssize_t)b.len || fsync(fd) != 0) {
		r = err_set(e, ST_IO, "%s: %s", path, strerror(errno));
		unlink(path);
		goto done;
	}
	r = ST_OK;
done:
	if (fd >= 0)
		close(fd);
	if (b.data != NULL)
		sodium_memzero(b.data, b.alloc);
	buf_free(&b);
	return r;
}

/* A new database at path as `sanilog init` makes it: origin and vkey in
 * the metadata, the signer key at path.key, the empty log's checkpoint. */
static enum status init_log(const char *path, const char *origin,
			    struct store **out, struct note_signer **signer,
			    struct sequencer **seq, struct err *e)
{
	char keypath[PATH_MAX], vkey[NOTE_VKEY_MAX + 1];
	struct note_verifier v;
	enum status r;
	*out = NULL;
	*signer = NULL;
	*seq = NULL;
	if (snprintf(keypath, sizeof keypath, "%s.key", path) >=
	    (int)sizeof keypath)
		return err_set(e, ST_INVALID, "%s: path too long", path);
	if ((r = note_signer_generate(origin, signer, e)) != ST_OK)
		return r;
	if ((r = store_open(path, STORE_CREATE, out, e)) != ST_OK)
		return r;
	note_signer_verifier(*signer, &v);
	note_verifier_format(&v, vkey, sizeof vkey);
	if ((r = store_meta_set(*out, "origin", v.name, e)) != ST_OK ||
	    (r = store_meta_set(*out, "vkey", vkey, e)) != ST_OK)
		return r;
	if ((r = write_key(keypath, *signer, e)) != ST_OK)
		return r;
	/* as serve's writer does */
	if ((r = store_keep_doc_keys(*out, e)) != ST_OK)
		return r;
	if ((r = sequencer_new(*out, *signer, seq, e)) != ST_OK)
		return r;
	return sequencer_checkpoint(*seq, NULL, e);
}

/* Document number d, a 1 KiB PDF by its first bytes: "%PDF-" and bytes
 * drawn from a seed that is d, so that the same d makes the same document
 * (in every log) and distinct ones make distinct documents. */
static void new_pdf(int64_t d, uint8_t doc[DOC_LEN])
{
	unsigned char seed[randombytes_SEEDBYTES] = {0};
	for (size_t i = 0; i < 8; i++)
		seed[i] = (unsigned char)((uint64_t)d >> (8 * i));
	memcpy(doc, "%PDF-", 5);
	randombytes_buf_deterministic(doc + 5, DOC_LEN - 5, seed);
}

/* Appends reqs[0..n), timed into *elapsed; 1 if the log refused one. */
static int append_timed(struct sequencer *q, struct seq_request *reqs, size_t n,
			struct backfill *bf, double *elapsed)
{
	struct err e;
	double t0 = now_seconds();
	enum status r = sequencer_append(q, reqs, n, NULL, &e);
	if (bf != NULL) /* as serve's writer does between transactions */
		backfill_between(bf);
	*elapsed += now_seconds() - t0;
	if (r != ST_OK) {
		fprintf(stderr, "bench: append: %s\n", e.msg);
		return 2;
	}
	for (size_t i = 0; i < n; i++)
		if (reqs[i].status != ST_OK) {
			fprintf(stderr, "bench: request %zu refused: %s\n", i,
				reqs[i].err.msg);
			return 1;
		}
	return 0;
}

struct make_opts {
	const char *db;
	const char *origin;
	int64_t n;     /* entries in all */
	int64_t batch; /* requests per transaction */
	int64_t venues;
	int64_t docs;	/* distinct documents, taken in turn; 0: all distinct */
	int64_t window; /* documents per "window" line; 0: none */
	bool attest;
	bool backfill; /* copy the WAL on a thread beside, as serve does */
	bool grow;     /* an existing log made by make-log, grown to n */
	bool venues_given;
};

/* The log at path that an earlier make-log (without --attest) made, to
 * grow: its store, signer (path.key) and sequencer, its size and its
 * number of venues. */
static enum status open_log(const char *path, struct store **out,
			    struct note_signer **signer, struct sequencer **seq,
			    int64_t *size, int64_t *venues, struct err *e)
{
	char keypath[PATH_MAX];
	char **ids = NULL;
	size_t nids = 0;
	enum status r;
	*out = NULL;
	*signer = NULL;
	*seq = NULL;
	if (snprintf(keypath, sizeof keypath, "%s.key", path) >=
	    (int)sizeof keypath)
		return err_set(e, ST_INVALID, "%s: path too long", path);
	if ((r = cli_load_signer(keypath, signer, e)) != ST_OK ||
	    (r = store_open(path, STORE_OPEN, out, e)) != ST_OK ||
	    (r = store_log_size(*out, size, e)) != ST_OK ||
	    (r = store_venue_ids(*out, &ids, &nids, e)) != ST_OK)
		return r;
	for (size_t i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	*venues = (int64_t)nids;
	if (nids == 0)
		return err_set(e, ST_INVALID, "%s: no venues to grow", path);
	if ((r = store_keep_doc_keys(*out, e)) != ST_OK)
		return r;
	return sequencer_new(*out, *signer, seq, e);
}

static int make_log(const struct make_opts *o)
{
	struct store *s = NULL;
	struct note_signer *signer = NULL, *provider = NULL;
	struct sequencer *q = NULL;
	struct backfill *bf = NULL;
	struct seq_request *reqs = NULL;
	struct buf *atts = NULL;
	uint8_t *docs = NULL;
	struct err e;
	int rc = 2;
	size_t batch = (size_t)o->batch;
	int64_t venues = o->venues, setup_entries, ndocs, size0 = 0;
	double t_setup = 0, t_docs = 0, wall0 = now_seconds();

	if (o->grow) {
		if (open_log(o->db, &s, &signer, &q, &size0, &venues, &e) !=
		    ST_OK) {
			fprintf(stderr, "bench: make-log: %s\n", e.msg);
			goto done;
		}
		if (o->n <= size0) {
			fprintf(stderr,
				"bench: make-log: %s holds %lld entries "
				"already\n",
				o->db, (long long)size0);
			goto done;
		}
	}
	if (!o->grow && venues > o->n - (o->attest ? 1 : 0) - 1)
		venues = o->n - (o->attest ? 1 : 0) - 1;
	if (venues < 1) {
		fprintf(stderr, "bench: make-log: N too small\n");
		return 2;
	}
	/* Grown with --venues V, the log gets V new venues first, which take
	 * the new documents: the venues it held keep theirs. */
	int64_t venue0 = 0, held = o->grow ? venues : 0;
	if (o->grow && o->venues_given) {
		venue0 = held;
		venues = o->venues;
	}
	setup_entries = o->grow ? venue0 > 0 ? venues : 0
				: venues + (o->attest ? 1 : 0);
	ndocs = o->n - size0 - setup_entries;
	if (ndocs < 1) {
		fprintf(stderr, "bench: make-log: N too small\n");
		goto done;
	}
	/* document numbers go on from those the log holds */
	int64_t doc0 = o->grow ? size0 - held : 0;

	reqs = calloc(batch, sizeof *reqs);
	docs = malloc(batch * DOC_LEN);
	atts = calloc(batch, sizeof *atts);
	if (reqs == NULL || docs == NULL || atts == NULL) {
		fprintf(stderr, "bench: out of memory\n");
		goto done;
	}
	for (size_t i = 0; i < batch; i++)
		buf_init(&atts[i], 8192);

	if ((!o->grow &&
	     init_log(o->db, o->origin, &s, &signer, &q, &e) != ST_OK) ||
	    (o->backfill &&
	     backfill_new(o->db, BACKFILL_MS, BACKFILL_DRAIN_BYTES, &bf, &e) !=
		     ST_OK)) {
		fprintf(stderr, "bench: make-log: %s\n", e.msg);
		goto done;
	}

	/* The venues, and the provider's key, in batches. */
	for (int64_t v = venue0; v < venue0 + setup_entries;) {
		size_t n = 0;
		for (; n < batch && v < venue0 + setup_entries; n++, v++) {
			struct seq_request *rq = &reqs[n];
			memset(rq, 0, sizeof *rq);
			struct entry *en = &rq->entry;
			if (v == venue0 + venues) {
				char pvkey[NOTE_VKEY_MAX + 1];
				struct note_verifier pv;
				if (note_signer_generate(PROVIDER_NAME,
							 &provider,
							 &e) != ST_OK) {
					fprintf(stderr, "bench: %s\n", e.msg);
					goto done;
				}
				note_signer_verifier(provider, &pv);
				note_verifier_format(&pv, pvkey, sizeof pvkey);
				en->kind = ENTRY_PROVIDER_KEY;
				snprintf(en->name, sizeof en->name, "%s",
					 PROVIDER_NAME);
				snprintf(en->display_name,
					 sizeof en->display_name,
					 "Bench Sanitization Ltd");
				snprintf(en->vkey, sizeof en->vkey, "%s",
					 pvkey);
				continue;
			}
			en->kind = ENTRY_VENUE;
			rq->new_venue = true;
			venue_id(v, en->venue);
			snprintf(en->name, sizeof en->name, "Bench venue %lld",
				 (long long)v);
			snprintf(en->address, sizeof en->address,
				 "%lld Benchmark Street, Testville",
				 (long long)v + 1);
			en->interval_days = INTERVAL_DAYS_DEFAULT;
		}
		if ((rc = append_timed(q, reqs, n, bf, &t_setup)) != 0)
			goto done;
		rc = 2;
	}

	/* The documents. */
	int64_t next_report = ndocs / 10, window_end = o->window;
	double window_t0 = 0, last_window = 0;
	for (int64_t d = 0; d < ndocs;) {
		size_t n = 0;
		for (; n < batch && d < ndocs; n++, d++) {
			struct seq_request *rq = &reqs[n];
			uint8_t *doc = docs + n * DOC_LEN;
			int64_t number = doc0 + d;
			memset(rq, 0, sizeof *rq);
			new_pdf(o->docs > 0 ? number % o->docs : number, doc);
			struct entry *en = &rq->entry;
			en->kind = ENTRY_DOCUMENT;
			venue_id(venue0 + number % venues, en->venue);
			snprintf(en->type, sizeof en->type, "sanitization");
			snprintf(en->title, sizeof en->title,
				 "Bench certificate %lld", (long long)number);
			snprintf(en->performed, sizeof en->performed,
				 "2024-01-15");
			snprintf(en->expires, sizeof en->expires, "2025-01-15");
			snprintf(en->submitted_by, sizeof en->submitted_by,
				 "operator");
			rq->doc = doc;
			rq->doc_len = DOC_LEN;
			if (!o->attest)
				continue;
			struct attest_fields f = {
				.venue = en->venue,
				.type = en->type,
				.performed = en->performed,
				.expires = en->expires,
			};
			sha256(f.doc, doc, DOC_LEN);
			buf_reset(&atts[n]);
			if (attest_sign(provider, &f, &atts[n], &e) != ST_OK) {
				fprintf(stderr, "bench: attest: %s\n", e.msg);
				goto done;
			}
			snprintf(en->provider, sizeof en->provider, "%s",
				 PROVIDER_NAME);
			rq->attestation = buf_str(&atts[n]);
			rq->attestation_len = atts[n].len;
		}
		if ((rc = append_timed(q, reqs, n, bf, &t_docs)) != 0)
			goto done;
		rc = 2;
		if (window_end > 0 && d >= window_end) {
			/* the rate of the last window, and the log's size at
			 * its end */
			last_window = (double)o->window / (t_docs - window_t0);
			printf("window size %lld rate %.0f\n",
			       (long long)size0 + setup_entries + d,
			       last_window);
			(void)fflush(stdout);
			window_t0 = t_docs;
			window_end += o->window;
		}
		if (next_report > 0 && d >= next_report && d < ndocs) {
			fprintf(stderr,
				"bench: %s: %lld/%lld documents, %.0f/s\n",
				o->db, (long long)d, (long long)ndocs,
				(double)d / t_docs);
			next_report += ndocs / 10;
		}
	}

	double wall = now_seconds() - wall0;
	int64_t size = 0;
	if (store_log_size(s, &size, NULL) != ST_OK || size != o->n) {
		fprintf(stderr, "bench: log size %lld, expected %lld\n",
			(long long)size, (long long)o->n);
		rc = 1;
		goto done;
	}
	printf("result make-log entries %lld venues %lld documents %lld "
	       "batch %zu attest %d setup_seconds %.3f seconds %.3f "
	       "rate %.0f wall_seconds %.3f last_window_rate %.0f "
	       "doc_keys_bytes %zu\n",
	       (long long)o->n, (long long)venues, (long long)ndocs, batch,
	       o->attest ? 1 : 0, t_setup, t_docs,
	       t_docs > 0 ? (double)ndocs / t_docs : 0.0, wall, last_window,
	       store_doc_keys_bytes(s));
	rc = 0;
done:
	if (atts != NULL)
		for (size_t i = 0; i < batch; i++)
			buf_free(&atts[i]);
	free(atts);
	free(docs);
	free(reqs);
	backfill_free(bf);
	sequencer_free(q);
	note_signer_free(provider);
	note_signer_free(signer);
	store_close(s);
	return rc;
}

static int cmd_make_log(int argc, char **argv)
{
	struct make_opts o = {.batch = 1000, .venues = 1000};
	char origin[NOTE_NAME_MAX + 1];
	if (argc < 3)
		return usage();
	o.db = argv[1];
	if (!parse_count(argv[2], 2, INT64_C(1) << 40, &o.n))
		return usage();
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--attest") == 0)
			o.attest = true;
		else if (strcmp(argv[i], "--backfill") == 0)
			o.backfill = true;
		else if (strcmp(argv[i], "--grow") == 0)
			o.grow = true;
		else if (strcmp(argv[i], "--docs") == 0 && i + 1 < argc) {
			if (!parse_count(argv[++i], 1, INT64_C(1) << 40,
					 &o.docs))
				return usage();
		} else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) {
			if (!parse_count(argv[++i], 1, INT64_C(1) << 40,
					 &o.window))
				return usage();
		} else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
			if (!parse_count(argv[++i], 1, 1000000, &o.batch))
				return usage();
		} else if (strcmp(argv[i], "--venues") == 0 && i + 1 < argc) {
			if (!parse_count(argv[++i], 1, 100000000, &o.venues))
				return usage();
			o.venues_given = true;
		} else if (strcmp(argv[i], "--origin") == 0 && i + 1 < argc)
			o.origin = argv[++i];
		else
			return usage();
	}
	if (o.grow && (o.attest || o.origin != NULL))
		return usage(); /* the log has its origin, and no provider */
	if (o.origin == NULL) {
		snprintf(origin, sizeof origin, "bench.example/sanilog-%ld",
			 (long)getpid());
		o.origin = origin;
	}
	return make_log(&o);
}

/* ---- docs: the documents' index and key set as documents grow ---- */

/* Document number d's SHA-256 as the store knows it (no bytes are
 * written: the rows only). */
static void doc_sha(int64_t d, uint8_t sha[HASH_LEN])
{
	uint8_t n[8];
	for (size_t i = 0; i < 8; i++)
		n[i] = (uint8_t)((uint64_t)d >> (8 * i));
	sha256(sha, n, sizeof n);
}

/* COUNT look-ups of random documents of the first n, timed: seconds. */
static double doc_lookups(struct store *s, int64_t n, int64_t count)
{
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15);
	uint8_t sha[HASH_LEN];
	char mime[32];
	int64_t size;
	double t0 = now_seconds();
	for (int64_t i = 0; i < count; i++) {
		doc_sha((int64_t)(rng_next(&x) % (uint64_t)n), sha);
		if (store_document_meta(s, sha, &size, mime, NULL) != ST_OK)
			return -1;
	}
	return now_seconds() - t0;
}

/* The key set loaded from the database, as a writer's first transaction
 * loads it: seconds, and its bytes into *bytes. */
static double doc_keys_load(const char *path, size_t *bytes)
{
	struct store *s = NULL;
	struct err e;
	double t0 = now_seconds(), t = -1;
	if (store_open(path, STORE_OPEN, &s, &e) == ST_OK &&
	    store_keep_doc_keys(s, &e) == ST_OK &&
	    store_begin(s, &e) == ST_OK) {
		t = now_seconds() - t0;
		*bytes = store_doc_keys_bytes(s);
		store_commit(s, NULL);
	}
	store_close(s);
	return t;
}

static int cmd_docs(int argc, char **argv)
{
	int64_t n = 0, batch = 1000, window = 1000000;
	if (argc < 3 || !parse_count(argv[2], 1, INT64_C(1) << 36, &n))
		return usage();
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
			if (!parse_count(argv[++i], 1, 1000000, &batch))
				return usage();
		} else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) {
			if (!parse_count(argv[++i], 1, INT64_C(1) << 36,
					 &window))
				return usage();
		} else
			return usage();
	}
	struct store *s = NULL;
	struct err e;
	uint8_t sha[HASH_LEN];
	if (store_open(argv[1], STORE_CREATE, &s, &e) != ST_OK) {
		fprintf(stderr, "bench: docs: %s\n", e.msg);
		return 2;
	}
	if (store_keep_doc_keys(s, &e) != ST_OK) {
		fprintf(stderr, "bench: docs: %s\n", e.msg);
		store_close(s);
		return 2;
	}
	double t_win = 0, worst = 0;
	int64_t win_end = window;
	int rc = 0;
	for (int64_t d = 0; d < n && rc == 0;) {
		double t0 = now_seconds();
		if (store_begin(s, &e) != ST_OK)
			rc = 2;
		for (int64_t k = 0; rc == 0 && k < batch && d < n; k++, d++) {
			doc_sha(d, sha);
			if (store_insert_document(s, sha, "application/pdf",
						  NULL, DOC_LEN, &e) != ST_OK)
				rc = 2;
		}
		if (rc == 0 && store_commit(s, &e) != ST_OK)
			rc = 2;
		double t = now_seconds() - t0;
		t_win += t;
		worst = t > worst ? t : worst;
		if (rc == 0 && (d >= win_end || d == n)) {
			int64_t w = d - (win_end - window);
			size_t bytes = 0;
			double load = doc_keys_load(argv[1], &bytes);
			double look = doc_lookups(s, d, 100000);
			printf("result docs documents %lld rate %.0f "
			       "worst_commit_ms %.1f keys_load_seconds %.3f "
			       "keys_bytes %zu lookup_us %.2f\n",
			       (long long)d, (double)w / t_win, worst * 1e3,
			       load, bytes, look * 1e6 / 100000);
			(void)fflush(stdout);
			t_win = 0;
			worst = 0;
			win_end += window;
		}
	}
	if (rc != 0)
		fprintf(stderr, "bench: docs: %s\n", e.msg);
	store_close(s);
	return rc;
}

/* ---- rows: the same rows by the store's own inserts ---- */

struct rows {
	struct store *s;
	int64_t batch, venues, n;
	int64_t hash_id; /* the next stored hash's id */
};

/* Entry i (venue i % venues, its seq-th entry), with doc when not NULL. */
static int rows_entry(struct rows *r, int64_t i, const uint8_t *doc,
		      struct err *e)
{
	static const char text[384] = ENTRY_HEAD;
	char venue[VENUE_ID_LEN + 1];
	int64_t v = i % r->venues, seq = i / r->venues;
	venue_id(v, venue);
	struct store_entry_row row = {
		.index = i,
		.text = text,
		.len = sizeof text,
		.venue = venue,
		.venue_seq = seq,
		.kind = doc != NULL ? ENTRY_DOCUMENT : ENTRY_VENUE,
		.revokes = -1,
		.doc = doc != NULL ? doc + 5 : NULL,
	};
	/* The tree stores 1 + (trailing ones of i) hashes for leaf i,
	 * which the store writes in runs at commit. */
	static const uint8_t hashes[64][HASH_LEN];
	size_t k = 1 + (size_t)__builtin_ctzll(~(uint64_t)i);
	if (store_insert_entry(r->s, &row, e) != ST_OK ||
	    store_insert_hashes(r->s, r->hash_id, hashes, k, e) != ST_OK)
		return 1;
	r->hash_id += (int64_t)k;
	return doc != NULL &&
	       store_insert_document(r->s, doc + 5, "application/pdf", doc,
				     DOC_LEN, e) != ST_OK;
}

/* One transaction of entries [first, end): docs holds their documents
 * (DOC_LEN each) from index r->venues on. */
static int rows_batch(struct rows *r, int64_t first, int64_t end,
		      const uint8_t *docs)
{
	static const char note[] = "bench.example/rows\n0\nAAAA\n\n— sig\n";
	struct err e;
	if (store_begin(r->s, &e) != ST_OK) {
		fprintf(stderr, "bench: rows: %s\n", e.msg);
		return 1;
	}
	for (int64_t i = first; i < end; i++)
		if (rows_entry(r, i,
			       i < r->venues ? NULL
					     : docs + (i - first) * DOC_LEN,
			       &e))
			goto fail;
	/* with the documents' index and the stored hashes */
	if (store_insert_checkpoint(r->s, end, note, sizeof note - 1, &e) ==
		    ST_OK &&
	    store_commit(r->s, &e) == ST_OK)
		return 0;
fail:
	fprintf(stderr, "bench: rows: %s\n", e.msg);
	store_rollback(r->s);
	return 1;
}

static int cmd_rows(int argc, char **argv)
{
	struct rows r = {.batch = 1000, .venues = 1000};
	if (argc < 3 || !parse_count(argv[2], 2, INT64_C(1) << 40, &r.n))
		return usage();
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
			if (!parse_count(argv[++i], 1, 1000000, &r.batch))
				return usage();
		} else if (strcmp(argv[i], "--venues") == 0 && i + 1 < argc) {
			if (!parse_count(argv[++i], 1, 100000000, &r.venues))
				return usage();
		} else {
			return usage();
		}
	}
	if (r.venues >= r.n)
		r.venues = r.n - 1;
	/* The schema and settings of a new database, as sanilog makes it;
	 * the documents' keys kept in memory, as make-log's (and serve's
	 * writer's) are. */
	struct err e;
	if (store_open(argv[1], STORE_CREATE, &r.s, &e) != ST_OK) {
		fprintf(stderr, "bench: %s: %s\n", argv[1], e.msg);
		return 2;
	}
	uint8_t *docs = malloc((size_t)r.batch * DOC_LEN);
	int rc =
		docs == NULL || store_keep_doc_keys(r.s, NULL) != ST_OK ? 2 : 0;
	double t_docs = 0;
	int64_t ndocs = 0;
	for (int64_t first = 0; rc == 0 && first < r.n; first += r.batch) {
		int64_t end = first + r.batch < r.n ? first + r.batch : r.n;
		for (int64_t i = first; i < end; i++) {
			new_pdf(i, docs + (i - first) * DOC_LEN);
		}
		double t0 = now_seconds();
		if (rows_batch(&r, first, end, docs) != 0)
			rc = 2;
		/* As make-log: the batches of documents only. */
		if (first >= r.venues) {
			t_docs += now_seconds() - t0;
			ndocs += end - first;
		}
	}
	store_close(r.s);
	free(docs);
	if (rc != 0)
		return rc;
	printf("result rows entries %lld documents %lld batch %lld seconds "
	       "%.3f rate %.0f\n",
	       (long long)r.n, (long long)ndocs, (long long)r.batch, t_docs,
	       t_docs > 0 ? (double)ndocs / t_docs : 0.0);
	return 0;
}

#define PROVERS_MAX 16

struct prover {
	const char *path;
	struct tree_cache *tree;
	int64_t size;
	const int64_t *idx; /* the leaves to prove: [first, first + count) */
	int64_t first, count;
	int64_t step; /* keeps the proofs of every step-th leaf ... */
	uint8_t (*proofs)[MERKLE_MAX_PROOF][HASH_LEN]; /* ... at i / step */
	size_t *lens;
	enum status status;
	pthread_t tid;
};

static void *prove_share(void *arg)
{
	struct prover *p = arg;
	struct store *s = NULL;
	struct err e;
	uint8_t scratch[MERKLE_MAX_PROOF][HASH_LEN];
	size_t len = 0;
	p->status = store_open(p->path, STORE_READONLY, &s, &e);
	if (p->status ==
	    ST_OK) { /* as the server's readers do (store/pool.c) */
		p->status = store_map(s, (int64_t)1 << 30, NULL);
		store_use_tree_cache(s, p->tree);
	}
	for (int64_t i = p->first;
	     p->status == ST_OK && i < p->first + p->count; i++) {
		uint8_t(*out)[HASH_LEN] = scratch; /* dropped, unless kept */
		size_t *out_len = &len;
		if (i % p->step == 0) {
			out = p->proofs[i / p->step];
			out_len = &p->lens[i / p->step];
		}
		p->status = merkle_prove_inclusion(
			p->idx[i], p->size, store_merkle_reader,
			&(struct store_reader){s, NULL}, out, out_len);
	}
	store_close(s);
	return NULL;
}

static int cmd_proofs(int argc, char **argv)
{
	struct store *s = NULL;
	struct err e;
	int64_t count = 100000, size = 0;
	int64_t *idx = NULL;
	struct tree_cache *tree = NULL;
	uint8_t(*proofs)[MERKLE_MAX_PROOF][HASH_LEN] = NULL;
	size_t *lens = NULL;
	struct buf note, text;
	int rc = 2;
	enum status r;

	int64_t threads = 1;
	bool nocache = argc == 5 && strcmp(argv[4], "nocache") == 0;
	if (argc < 2 || argc > 5 || (argc == 5 && !nocache) ||
	    (argc >= 3 && !parse_count(argv[2], 1, 100000000, &count)) ||
	    (argc >= 4 && !parse_count(argv[3], 1, PROVERS_MAX, &threads)))
		return usage();
	buf_init(&note, 1 << 16);
	buf_init(&text, ENTRY_MAX);
	if (store_open(argv[1], STORE_READONLY, &s, &e) != ST_OK) {
		fprintf(stderr, "bench: proofs: %s\n", e.msg);
		goto done;
	}

	/* The root, from the stored hashes and from the signed checkpoint. */
	char vkey[NOTE_VKEY_MAX + 1];
	struct note_verifier v;
	struct checkpoint cp;
	uint8_t root[HASH_LEN];
	if (store_log_size(s, &size, &e) != ST_OK ||
	    store_meta_get(s, "vkey", vkey, sizeof vkey, &e) != ST_OK ||
	    store_checkpoint(s, -1, &note, NULL, &e) != ST_OK) {
		fprintf(stderr, "bench: proofs: %s\n", e.msg);
		goto done;
	}
	if (size < 1) {
		fprintf(stderr, "bench: proofs: the log is empty\n");
		goto done;
	}
	if (note_verifier_parse(vkey, strlen(vkey), &v, &e) != ST_OK ||
	    checkpoint_open(buf_str(&note), note.len, &v, &cp, &e) != ST_OK ||
	    merkle_tree_hash(size, store_merkle_reader,
			     &(struct store_reader){s, &e}, root) != ST_OK) {
		fprintf(stderr, "bench: proofs: checkpoint: %s\n", e.msg);
		rc = 1;
		goto done;
	}
	if (cp.size != size || memcmp(cp.root, root, HASH_LEN) != 0) {
		fprintf(stderr, "bench: proofs: the tree's root is not the "
				"checkpoint's\n");
		rc = 1;
		goto done;
	}

	/* The stored hashes, loaded once as `sanilog serve` does at start
	 * (store/pool.c), and timed apart; "nocache" proves from the database
	 * alone. */
	double tl = now_seconds();
	size_t budget = nocache ? 0 : (size_t)TREE_CACHE_DEFAULT_MB << 20;
	if ((tree = tree_cache_new(budget)) == NULL) {
		fprintf(stderr, "bench: out of memory\n");
		goto done;
	}
	if (store_sync_tree_cache(s, tree, true, &e) != ST_OK) {
		fprintf(stderr, "bench: proofs: hash cache: %s\n", e.msg);
		goto done;
	}
	double load_secs = now_seconds() - tl;

	/* Every step-th proof is kept, to be checked after the clock. */
	int64_t step = count > SAMPLE_MAX ? count / SAMPLE_MAX : 1;
	int64_t kept = (count + step - 1) / step;
	idx = malloc((size_t)count * sizeof *idx);
	proofs = calloc((size_t)kept, sizeof *proofs);
	lens = calloc((size_t)kept, sizeof *lens);
	if (idx == NULL || proofs == NULL || lens == NULL) {
		fprintf(stderr, "bench: out of memory\n");
		goto done;
	}
	uint64_t x = 0;
	randombytes_buf(&x, sizeof x);
	x |= 1;
	for (int64_t i = 0; i < count; i++)
		idx[i] = (int64_t)(rng_next(&x) % (uint64_t)size);

	/* Each thread proves its share on a connection of its own, as the
	 * server's readers do. */
	struct prover pv[PROVERS_MAX];
	double t0 = now_seconds();
	for (int t = 0; t < threads; t++) {
		pv[t] = (struct prover){
			.path = argv[1],
			.tree = tree,
			.size = size,
			.idx = idx,
			.first = count * t / threads,
			.count =
				count * (t + 1) / threads - count * t / threads,
			.step = step,
			.proofs = proofs,
			.lens = lens,
		};
		pthread_create(&pv[t].tid, NULL, prove_share, &pv[t]);
	}
	r = ST_OK;
	for (int t = 0; t < threads; t++) {
		pthread_join(pv[t].tid, NULL);
		if (pv[t].status != ST_OK)
			r = pv[t].status;
	}
	double secs = now_seconds() - t0;
	if (r != ST_OK) {
		fprintf(stderr, "bench: proofs: %s\n", status_str(r));
		rc = 1;
		goto done;
	}

	/* Check an evenly spread sample, with leaf hashes recomputed from
	 * the entries' bytes. */
	int64_t checked = 0, bad = 0;
	for (int64_t i = 0; i < count; i += step) {
		uint8_t leaf[HASH_LEN];
		buf_reset(&text);
		if (store_entry(s, idx[i], &text, &e) != ST_OK) {
			fprintf(stderr, "bench: entry %lld: %s\n",
				(long long)idx[i], e.msg);
			goto done;
		}
		merkle_leaf_hash(leaf, text.data, text.len);
		if (merkle_verify_inclusion(leaf, idx[i], size,
					    proofs[i / step], lens[i / step],
					    root) != ST_OK)
			bad++;
		checked++;
	}
	printf("result proofs size %lld count %lld threads %lld seconds %.3f "
	       "rate %.0f verified %lld bad %lld cache_mb %.0f "
	       "cache_seconds %.3f\n",
	       (long long)size, (long long)count, (long long)threads, secs,
	       secs > 0 ? (double)count / secs : 0.0, (long long)checked,
	       (long long)bad, (double)tree_cache_bytes(tree) / 1048576.0,
	       load_secs);
	rc = bad == 0 ? 0 : 1;
	if (bad != 0)
		fprintf(stderr, "bench: %lld of %lld proofs do not verify\n",
			(long long)bad, (long long)checked);
done:
	free(idx);
	free(proofs);
	free(lens);
	buf_free(&note);
	buf_free(&text);
	store_close(s);
	tree_cache_free(tree);
	return rc;
}

struct verifier_share {
	int64_t count;
	int64_t bad;
	pthread_t tid;
};

/* Verifies one signature count times, as an audit verifies attestations. */
static void *verify_share(void *arg)
{
	struct verifier_share *v = arg;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	unsigned char sig[crypto_sign_BYTES], msg[200];
	randombytes_buf(msg, sizeof msg);
	crypto_sign_keypair(pk, sk);
	crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
	for (int64_t i = 0; i < v->count; i++)
		if (crypto_sign_verify_detached(sig, msg, sizeof msg, pk) != 0)
			v->bad++;
	return NULL;
}

static int cmd_sigs(int argc, char **argv)
{
	int64_t count = 100000, threads = 1;
	if (argc > 3 ||
	    (argc >= 2 && !parse_count(argv[1], 1, 100000000, &count)) ||
	    (argc == 3 && !parse_count(argv[2], 1, PROVERS_MAX, &threads)))
		return usage();
	struct verifier_share vs[PROVERS_MAX];
	double t0 = now_seconds();
	for (int64_t t = 0; t < threads; t++) {
		vs[t] = (struct verifier_share){
			.count =
				count * (t + 1) / threads - count * t / threads,
		};
		pthread_create(&vs[t].tid, NULL, verify_share, &vs[t]);
	}
	int64_t bad = 0;
	for (int64_t t = 0; t < threads; t++) {
		pthread_join(vs[t].tid, NULL);
		bad += vs[t].bad;
	}
	double secs = now_seconds() - t0;
	printf("result sigs count %lld threads %lld seconds %.3f rate %.0f "
	       "bad %lld\n",
	       (long long)count, (long long)threads, secs,
	       secs > 0 ? (double)count / secs : 0.0, (long long)bad);
	return bad == 0 ? 0 : 1;
}

static int cmd_run(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	(void)fflush(NULL); /* or the child would print them again */
	double t0 = now_seconds();
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "bench: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	int status = 0;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "bench: wait: %s\n", strerror(errno));
			return 2;
		}
	}
	double secs = now_seconds() - t0;
	int code = WIFEXITED(status) ? WEXITSTATUS(status)
				     : 128 + WTERMSIG(status);
	double cpu = rusage_seconds(&ru);
	printf("result run seconds %.3f cpu_seconds %.3f maxrss_kb %ld "
	       "exit %d\n",
	       secs, cpu, ru.ru_maxrss, code);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct bench_cmd cmds[] = {
		{"make-log", cmd_make_log}, {"rows", cmd_rows},
		{"proofs", cmd_proofs},	    {"sigs", cmd_sigs},
		{"run", cmd_run},	    {"docs", cmd_docs},
	};
	return bench_main("bench", argc, argv, cmds,
			  sizeof cmds / sizeof cmds[0], usage_text);
}
