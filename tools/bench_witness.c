/*
 * bench_witness.c: the load generator of the witness benchmark (issue 16,
 * "Speed"; tools/bench_witness.sh drives it).  It plays the logs a
 * witness witnesses and measures how fast `sanilog witness serve`
 * cosigns their checkpoints.
 *
 *   bench_witness keys FIRST COUNT
 *       Prints the verifier keys of logs FIRST .. FIRST+COUNT-1, one a
 *       line, for `sanilog witness log add`.  Log i is the origin
 *       "bench.example/witness-log-<i>" with the Ed25519 key of the seed
 *       SHA-256("sanilog bench_witness log <i>"): the same keys every run.
 *
 *   bench_witness run URL WITNESS_VKEY FIRST COUNT SECONDS [--grow MAX]
 *                     [--prepared N]
 *       Logs FIRST .. FIRST+COUNT-1 submit to the witness at URL (its
 *       base, without the final slash) at once, for SECONDS (a decimal,
 *       e.g. 0.5), each in sequence: a request is sent when the log's
 *       previous one was answered.  Each log starts empty, as the witness
 *       must hold it (a log the witness has seen grow answers 409: use
 *       other logs), and is an in-memory Merkle tree: a request grows it
 *       by a random 1 to MAX leaves (default 1,000; merkle_leaf_hash of 12
 *       bytes naming the log and the leaf, pushed on a merkle_range),
 *       signs the new checkpoint (checkpoint_sign) and proves it
 *       consistent with the size last sent (merkle_prove_consistency,
 *       which reads only the old tree's range and the hashes stored
 *       since, all that a log keeps), in the add-checkpoint body of
 *       tlog-witness.
 *
 *       Live (the default), a log is two threads: one makes its next
 *       request while the other waits for the answer to the current one
 *       (a log makes its next checkpoint while its witnesses cosign the
 *       last), so that the figure of the sequential case is the
 *       witness's round trip and not the log's own work; but that work
 *       takes the machine's CPU from the witness.  With --prepared,
 *       every log first makes its next N requests (about 1 KiB each,
 *       all kept in memory), the logs at once, and only then does the
 *       clock start: a log is one thread that posts them in order, and
 *       the clock stops when SECONDS have passed or when a log has
 *       posted its N, whichever comes first (every log then stops;
 *       "ended" says which).  The requests are the same, with valid
 *       signatures and proofs: only the logs' work, which is theirs and
 *       not the witness's, is off the clock.
 *
 *       A sender posts with libcurl, one easy handle a log (keep-alive),
 *       and times each request.  Every answer must be 200; after the
 *       clock stops, every cosignature it carries is checked with
 *       cosig_verify against WITNESS_VKEY (the check is kept off the
 *       clock so that it takes no CPU from the witness).  Prints the
 *       requests answered a second, the latency's p50, p99 and maximum,
 *       the fewest and the most requests a log had answered, this
 *       process's CPU time over the timed run (its share of the
 *       machine, which the witness did not have), its peak resident
 *       memory, and, prepared, the requests made, their megabytes and
 *       the seconds it took to make them.  A smaller MAX makes the logs'
 *       own work smaller, and shows how much of the live figure it was.
 *
 *   bench_witness lag URL VENUE TOKEN SECONDS [--conns N] [--poll-ms MS]
 *       The witnessed log's side (tools/bench_witnessed.sh): how long an
 *       upload waits, after its commit, for the checkpoint the log serves
 *       to include it, and the upload rate meanwhile.  N threads (default
 *       64), each on a kept-alive libcurl connection, upload to
 *       `sanilog serve` at URL for SECONDS, each in sequence and at full
 *       speed: a multipart POST /api/v1/venues/VENUE/documents with the
 *       owner's TOKEN, a distinct PDF of 1 KiB each (its first line names
 *       the thread, the upload and the run), keeping for each 201 the
 *       time it arrived and the "index" it gives.  Meanwhile one more
 *       thread fetches /checkpoint every MS milliseconds (default 2; 0 as
 *       fast as it is answered), keeping each size above the one before
 *       with the time its answer arrived; after the load it goes on until
 *       a size above every acknowledged index is served (10 s at most).
 *       An upload's lag is the first poll that showed a size above its
 *       index less the time of its 201: the time between two polls'
 *       answers (the interval, the round trip, and the wait for a CPU)
 *       bounds its error (its p99 and maximum are printed).  Prints the
 *       uploads a second (201s over the load's wall time), their round
 *       trip's p50 and p99, and the lag's p50, p99 and maximum.  Every
 *       answer must be a 201 with an index, and every upload served in
 *       time.
 *
 *   bench_witness ed25519 [COUNT]
 *       The least work a request costs a witness, on one core: COUNT
 *       (default 20000) Ed25519 signatures and verifications of a
 *       checkpoint-sized message with libsodium, in pairs.  Prints the
 *       pairs a second.
 *
 *   bench_witness sync DIR [COUNT]
 *       The disk's synchronous write rate, the bound of a witness that
 *       commits one request at a time: COUNT (default 2000) writes of 4
 *       KiB appended to a new file in DIR, each followed by fdatasync (as
 *       dd oflag=dsync bs=4k does).  Prints the writes a second.
 *
 * Each command prints its figures on stdout as one line of "key value"
 * pairs ("result ... rate R"), as tools/bench.c does, and what went wrong
 * on stderr.  Nothing here fails on a time.  Exit status: 0 measured, 1 a
 * wrong answer (a status other than 200, a cosignature that does not
 * verify; for lag, other than 201, or an upload never served), 2 usage or
 * system error.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"
#include "core/buf.h"
#include "core/codec.h"
#include "core/hash.h"
#include "core/merkle.h"
#include "core/note.h"
#include "core/witness.h"

#define LOGS_MAX     256  /* logs in one run */
#define GROW_MAX     1000 /* leaves a request adds, at most, by default */
#define ANSWER_MAX   4096 /* bytes of an answer kept */
#define REQUEST_MAX  8192 /* an add-checkpoint body: 63 proof lines fit */
#define SHOW_MAX     5	  /* wrong answers printed, in all */
#define NAME_FMT     "bench.example/witness-log-%d"
#define TEXT_MAX     (NOTE_NAME_MAX + 80) /* a checkpoint's text */
#define PREPARED_MAX 1000000 /* requests a log makes before the clock */

static const char usage_text[] =
	"usage: bench_witness keys FIRST COUNT\n"
	"       bench_witness run URL WITNESS_VKEY FIRST COUNT SECONDS "
	"[--grow MAX]\n"
	"                          [--prepared N]\n"
	"       bench_witness lag URL VENUE TOKEN SECONDS [--conns N] "
	"[--poll-ms MS]\n"
	"       bench_witness ed25519 [COUNT]\n"
	"       bench_witness sync DIR [COUNT]\n";

static int usage(void)
{
	return bench_usage(usage_text);
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return rusage_seconds(&ru);
}

/* Room for element n of the array arr of *alloc elements of elem bytes:
 * arr, or the array moved to a place twice as large (4096 elements at
 * first, *alloc updated); NULL when out of memory, arr then unaltered. */
static void *room_for(void *arr, size_t n, size_t *alloc, size_t elem)
{
	if (n < *alloc)
		return arr;
	size_t a = *alloc > 0 ? *alloc * 2 : 4096;
	void *p = realloc(arr, a * elem);
	if (p != NULL)
		*alloc = a;
	return p;
}

/* Log i's signer (see the top).  *out is new. */
static enum status log_signer(int i, struct note_signer **out, struct err *e)
{
	char name[64], text[64];
	uint8_t seed[HASH_LEN];
	snprintf(name, sizeof name, NAME_FMT, i);
	int n = snprintf(text, sizeof text, "sanilog bench_witness log %d", i);
	sha256(seed, text, (size_t)n);
	enum status r = note_signer_from_seed(name, seed, out, e);
	sodium_memzero(seed, sizeof seed);
	return r;
}

static int cmd_keys(int argc, char **argv)
{
	int64_t first, count;
	if (argc != 3 || !parse_count(argv[1], 0, INT_MAX - LOGS_MAX, &first) ||
	    !parse_count(argv[2], 1, LOGS_MAX, &count))
		return usage();
	for (int64_t i = first; i < first + count; i++) {
		struct note_signer *s = NULL;
		struct note_verifier v;
		char vkey[NOTE_VKEY_MAX + 1];
		struct err e;
		if (log_signer((int)i, &s, &e) != ST_OK) {
			fprintf(stderr, "bench_witness: %s\n", e.msg);
			return 2;
		}
		note_signer_verifier(s, &v);
		note_verifier_format(&v, vkey, sizeof vkey);
		printf("%s\n", vkey);
		note_signer_free(s);
	}
	return 0;
}

/* ---- run: the logs ---- */

/* A request made: where its add-checkpoint body lies in a buffer, and
 * where in that buffer the checkpoint's text (what the cosignature
 * signs) is. */
struct made {
	size_t at, len, text_at, text_len;
};

/* What a request that was answered 200 leaves for the check after the
 * clock: the checkpoint's text, then its cosignature (COSIG_LEN bytes). */
struct kept {
	struct buf data; /* records: u16 text length, text, cosignature */
	size_t count;
};

struct blog {
	int index;
	const struct note_verifier *witness;
	double deadline;
	uint64_t grow_max; /* leaves a request adds, at most */
	struct note_signer *signer;
	uint64_t rng;

	/* The tree, the maker's: its compact range, and the stored hashes
	 * that a consistency proof from the size last sent reads.  Those
	 * are perfect subtrees either of the old tree, which are its
	 * range's roots, or of the leaves added since, which are all stored
	 * after the old tree's hashes (merkle_prove_consistency): the
	 * roots, at their stored indexes, and every hash stored since, from
	 * index win_base on.  A request's memory, whatever the tree's
	 * size. */
	struct merkle_range mr;
	int64_t front_index[64];
	uint8_t front[64][HASH_LEN];
	int nfront;
	uint8_t (*win)[HASH_LEN];
	size_t nwin, win_alloc;
	int64_t win_base;

	/* Live: between the maker and the sender, one request made ahead. */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct buf slot[2];
	struct made slot_made[2];
	int ready;  /* requests made and not yet sent: 0, 1 or 2 */
	int next;   /* the slot the sender takes next */
	bool stop;  /* the sender is done: the maker stops */
	int failed; /* the maker's failure (2) */
	pthread_t maker, sender;

	/* Prepared: the want requests of the run, made before the clock,
	 * their bodies back to back in bodies. */
	int64_t want; /* 0 when live */
	struct buf bodies;
	struct made *made;
	size_t nmade;
	atomic_bool *out_of_bodies; /* set by the first log to send all */

	/* The sender's. */
	CURL *curl;
	struct buf answer;
	double *lat; /* seconds, one per request answered */
	size_t nlat, lat_alloc;
	struct kept kept;
	int64_t requests;
	struct curl_slist *headers;
	atomic_int *shown; /* wrong answers printed, by every log */
	int rc;		   /* 0, 1 a wrong answer, 2 a failure */
	char err[300];
};

static enum status tree_read(void *ctx, const int64_t *indexes, size_t count,
			     uint8_t (*out)[HASH_LEN])
{
	struct blog *l = ctx;
	for (size_t i = 0; i < count; i++) {
		int64_t x = indexes[i];
		const uint8_t *h = NULL;
		if (x >= l->win_base && x - l->win_base < (int64_t)l->nwin)
			h = l->win[x - l->win_base];
		for (int f = 0; h == NULL && f < l->nfront; f++)
			if (l->front_index[f] == x)
				h = l->front[f];
		if (h == NULL)
			return ST_INVALID;
		memcpy(out[i], h, HASH_LEN);
	}
	return ST_OK;
}

/* Before a request grows the tree: keeps the range's roots at their
 * stored indexes, and forgets the hashes stored before. */
static void tree_mark(struct blog *l)
{
	uint64_t size = (uint64_t)l->mr.size, start = 0;
	l->nfront = 0;
	for (int level = 62; level >= 0; level--) {
		if (((size >> level) & 1) == 0)
			continue;
		l->front_index[l->nfront] =
			merkle_stored_index(level, (int64_t)(start >> level));
		memcpy(l->front[l->nfront], l->mr.stack[l->nfront], HASH_LEN);
		l->nfront++;
		start += UINT64_C(1) << level;
	}
	l->win_base = merkle_stored_count(l->mr.size);
	l->nwin = 0;
}

/* Keeps hash as the next stored hash. */
static enum status tree_store(struct blog *l, const uint8_t hash[HASH_LEN])
{
	void *p = room_for(l->win, l->nwin, &l->win_alloc, sizeof *l->win);
	if (p == NULL)
		return ST_NOMEM;
	l->win = p;
	memcpy(l->win[l->nwin++], hash, HASH_LEN);
	return ST_OK;
}

/* Grows l's tree by n leaves.  Leaf k's entry is 12 bytes: the log's
 * number and k, big-endian. */
static enum status tree_grow(struct blog *l, int64_t n)
{
	uint8_t hashes[MERKLE_MAX_PROOF][HASH_LEN], leaf[HASH_LEN];
	uint8_t entry[12];
	for (int i = 0; i < 4; i++)
		entry[i] = (uint8_t)((uint32_t)l->index >> (24 - 8 * i));
	for (int64_t k = 0; k < n; k++) {
		uint64_t x = (uint64_t)l->mr.size;
		for (int i = 11; i >= 4; i--, x >>= 8)
			entry[i] = (uint8_t)x;
		merkle_leaf_hash(leaf, entry, sizeof entry);
		size_t count = 0;
		merkle_range_push(&l->mr, leaf, hashes, &count);
		for (size_t i = 0; i < count; i++)
			if (tree_store(l, hashes[i]) != ST_OK)
				return ST_NOMEM;
	}
	return ST_OK;
}

/* Makes the next request, appended to out and described in *m: the tree
 * grown from size old, the new checkpoint signed, the proof from old.
 * On failure out may hold part of it. */
static enum status make_request(struct blog *l, struct buf *out, struct made *m,
				struct err *e)
{
	int64_t old = l->mr.size;
	int64_t grow = 1 + (int64_t)(rng_next(&l->rng) % l->grow_max);
	struct checkpoint cp = {.size = old + grow};
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t nproof = 0;
	enum status r;
	tree_mark(l);
	if ((r = tree_grow(l, grow)) != ST_OK)
		return err_set(e, r, "out of memory");
	merkle_range_root(&l->mr, cp.root);
	snprintf(cp.origin, sizeof cp.origin, NAME_FMT, l->index);
	if ((r = merkle_prove_consistency(old, cp.size, tree_read, l, proof,
					  &nproof)) != ST_OK)
		return err_set(e, r, "consistency proof %lld to %lld",
			       (long long)old, (long long)cp.size);
	m->at = out->len;
	if ((r = buf_printf(out, "old %lld\n", (long long)old)) != ST_OK)
		return err_set(e, r, "request too large");
	for (size_t i = 0; i < nproof; i++) {
		char line[64];
		size_t n = b64_encode(line, sizeof line, proof[i], HASH_LEN,
				      B64_STD);
		line[n++] = '\n';
		if ((r = buf_append(out, line, n)) != ST_OK)
			return err_set(e, r, "request too large");
	}
	if ((r = buf_append(out, "\n", 1)) != ST_OK)
		return err_set(e, r, "request too large");
	m->text_at = out->len;
	if ((r = checkpoint_sign(l->signer, &cp, out, e)) != ST_OK)
		return r;
	m->len = out->len - m->at;
	/* The text is the note up to its blank line. */
	const char *note = (const char *)out->data + m->text_at;
	const char *blank = strstr(note, "\n\n");
	if (blank == NULL || (size_t)(blank + 1 - note) > TEXT_MAX)
		return err_set(e, ST_INVALID, "a checkpoint without its text");
	m->text_len = (size_t)(blank + 1 - note);
	if (m->len > REQUEST_MAX)
		return err_set(e, ST_TOO_LARGE, "request too large");
	return ST_OK;
}

/* Live, the maker: keeps one request made ahead of the sender. */
static void *maker(void *arg)
{
	struct blog *l = arg;
	struct err e = {.msg = ""};
	pthread_mutex_lock(&l->mu);
	for (int slot = 0;; slot ^= 1) {
		while (l->ready == 2 && !l->stop)
			pthread_cond_wait(&l->cond, &l->mu);
		if (l->stop)
			break;
		pthread_mutex_unlock(&l->mu);
		buf_reset(&l->slot[slot]);
		enum status r = make_request(l, &l->slot[slot],
					     &l->slot_made[slot], &e);
		pthread_mutex_lock(&l->mu);
		if (r != ST_OK) {
			snprintf(l->err, sizeof l->err, "log %d: %s", l->index,
				 e.msg);
			l->failed = 2;
			pthread_cond_broadcast(&l->cond);
			break;
		}
		l->ready++;
		pthread_cond_broadcast(&l->cond);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

/* Prepared, before the clock: makes the l->want requests of the run
 * into l->bodies, then frees the tree's hashes. */
static void *preparer(void *arg)
{
	struct blog *l = arg;
	struct err e = {.msg = ""};
	if ((l->made = malloc((size_t)l->want * sizeof *l->made)) == NULL) {
		snprintf(l->err, sizeof l->err, "log %d: out of memory",
			 l->index);
		l->rc = 2;
		return NULL;
	}
	for (int64_t i = 0; i < l->want; i++) {
		if (make_request(l, &l->bodies, &l->made[i], &e) != ST_OK) {
			snprintf(l->err, sizeof l->err, "log %d: %s", l->index,
				 e.msg);
			l->rc = 2;
			break;
		}
		l->nmade++;
	}
	free(l->win);
	l->win = NULL;
	l->nwin = l->win_alloc = 0;
	return NULL;
}

static size_t on_answer(char *data, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;
	/* past ANSWER_MAX the answer is cut: it is wrong anyway */
	(void)buf_append(b, data, size * n);
	return size * n;
}

/* Keeps the cosignature of the answer in l->answer on text[0..len), the
 * checkpoint's, for the check after the clock: the first line of the
 * witness's name.  False when there is none. */
static bool keep_cosignature(struct blog *l, const char *text, size_t len)
{
	static const char dash[] = "\xe2\x80\x94 ";
	const char *s = buf_str(&l->answer), *end = s + l->answer.len;
	size_t nlen = strlen(l->witness->name);
	while (s < end) {
		const char *lf = memchr(s, '\n', (size_t)(end - s));
		if (lf == NULL)
			return false;
		const char *b64 = s + sizeof dash - 1 + nlen + 1;
		uint8_t sig[COSIG_LEN];
		size_t got = 0;
		if (b64 < lf && memcmp(s, dash, sizeof dash - 1) == 0 &&
		    memcmp(s + sizeof dash - 1, l->witness->name, nlen) == 0 &&
		    b64[-1] == ' ' &&
		    b64_decode(sig, sizeof sig, &got, b64, (size_t)(lf - b64),
			       B64_STD) == ST_OK &&
		    got == COSIG_LEN) {
			uint16_t n = (uint16_t)len;
			if (buf_append(&l->kept.data, &n, sizeof n) != ST_OK ||
			    buf_append(&l->kept.data, text, len) != ST_OK ||
			    buf_append(&l->kept.data, sig, sizeof sig) != ST_OK)
				return false;
			l->kept.count++;
			return true;
		}
		s = lf + 1;
	}
	return false;
}

/* A wrong answer: counted, and the first few printed. */
static void wrong(struct blog *l, const char *what, long code)
{
	l->rc = 1;
	if (atomic_fetch_add(l->shown, 1) < SHOW_MAX)
		fprintf(stderr,
			"bench_witness: log %d, request %lld: %s %ld: %.300s\n",
			l->index, (long long)l->requests + 1, what, code,
			buf_str(&l->answer));
}

/* Posts the request m of b; true when the witness cosigned it. */
static bool post(struct blog *l, const struct buf *b, const struct made *m)
{
	buf_reset(&l->answer);
	curl_easy_setopt(l->curl, CURLOPT_POSTFIELDS, b->data + m->at);
	curl_easy_setopt(l->curl, CURLOPT_POSTFIELDSIZE, (long)m->len);
	double t0 = now_seconds();
	CURLcode c = curl_easy_perform(l->curl);
	double t = now_seconds() - t0;
	if (c != CURLE_OK) {
		snprintf(l->err, sizeof l->err, "log %d: POST: %s", l->index,
			 curl_easy_strerror(c));
		l->rc = 2;
		return false;
	}
	long code = 0;
	curl_easy_getinfo(l->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		wrong(l, "status", code);
		return false;
	}
	if (!keep_cosignature(l, (const char *)b->data + m->text_at,
			      m->text_len)) {
		wrong(l, "no cosignature of the witness in the answer, status",
		      code);
		return false;
	}
	double *lat = room_for(l->lat, l->nlat, &l->lat_alloc, sizeof *lat);
	if (lat == NULL) {
		snprintf(l->err, sizeof l->err, "out of memory");
		l->rc = 2;
		return false;
	}
	l->lat = lat;
	l->lat[l->nlat++] = t;
	return true;
}

/* Live, the sender: posts the maker's requests until the deadline. */
static void *sender(void *arg)
{
	struct blog *l = arg;
	for (;;) {
		pthread_mutex_lock(&l->mu);
		while (l->ready == 0 && l->failed == 0)
			pthread_cond_wait(&l->cond, &l->mu);
		bool go = l->failed == 0 && now_seconds() < l->deadline;
		pthread_mutex_unlock(&l->mu);
		if (!go)
			break;
		if (!post(l, &l->slot[l->next], &l->slot_made[l->next]))
			break;
		l->requests++;
		pthread_mutex_lock(&l->mu);
		l->ready--;
		l->next ^= 1;
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->mu);
	}
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	if (l->failed != 0 && l->rc == 0)
		l->rc = l->failed;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

/* Prepared, the sender: posts the requests made before the clock, in
 * order, until the deadline or until a log has posted all of its own
 * (the first to do so stops every log). */
static void *sender_prepared(void *arg)
{
	struct blog *l = arg;
	for (size_t i = 0;; i++) {
		if (atomic_load(l->out_of_bodies) ||
		    now_seconds() >= l->deadline)
			break;
		if (i == l->nmade) {
			atomic_store(l->out_of_bodies, true);
			break;
		}
		if (!post(l, &l->bodies, &l->made[i]))
			break;
		l->requests++;
	}
	return NULL;
}

/* Prepared, still before the clock: room for what the sender keeps of
 * every request, so that it does not grow its arrays on the clock. */
static enum status reserve_kept(struct blog *l)
{
	size_t bytes = 0;
	for (size_t i = 0; i < l->nmade; i++)
		bytes += sizeof(uint16_t) + l->made[i].text_len + COSIG_LEN;
	if (l->nmade == 0)
		return ST_OK;
	if (buf_reserve(&l->kept.data, bytes) == NULL ||
	    (l->lat = malloc(l->nmade * sizeof *l->lat)) == NULL)
		return ST_NOMEM;
	l->lat_alloc = l->nmade;
	return ST_OK;
}

/* Checks every cosignature l kept; the number that did not verify. */
static int64_t check_kept(const struct blog *l)
{
	const uint8_t *p = l->kept.data.data;
	int64_t bad = 0;
	for (size_t i = 0; i < l->kept.count; i++) {
		uint16_t len;
		uint64_t t;
		memcpy(&len, p, sizeof len);
		const char *text = (const char *)p + sizeof len;
		const uint8_t *sig = p + sizeof len + len;
		if (cosig_verify(l->witness, text, len, sig, &t, NULL) != ST_OK)
			bad++;
		p = sig + COSIG_LEN;
	}
	return bad;
}

static enum status blog_init(struct blog *l, int index, const char *url,
			     const struct note_verifier *witness,
			     atomic_int *shown, struct err *e)
{
	char target[2048];
	memset(l, 0, sizeof *l);
	l->index = index;
	l->witness = witness;
	l->shown = shown;
	merkle_range_init(&l->mr);
	randombytes_buf(&l->rng, sizeof l->rng);
	l->rng |= 1;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cond, NULL);
	for (int i = 0; i < 2; i++)
		buf_init(&l->slot[i], REQUEST_MAX);
	buf_init(&l->bodies, SIZE_MAX / 2);
	buf_init(&l->answer, ANSWER_MAX);
	buf_init(&l->kept.data, SIZE_MAX / 2);
	enum status r = log_signer(index, &l->signer, e);
	if (r != ST_OK)
		return r;
	if (snprintf(target, sizeof target, "%s/add-checkpoint", url) >=
	    (int)sizeof target)
		return err_set(e, ST_INVALID, "URL too long");
	if ((l->curl = curl_easy_init()) == NULL)
		return err_set(e, ST_NOMEM, "curl_easy_init failed");
	/* No "Expect: 100-continue", which would cost a round trip for
	 * bodies over 1 KiB. */
	struct curl_slist *h = curl_slist_append(NULL, "Expect:");
	if (h == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	l->headers = h;
	if ((h = curl_slist_append(h, "Content-Type: text/plain")) == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	bool ok =
		curl_easy_setopt(l->curl, CURLOPT_URL, target) == CURLE_OK &&
		curl_easy_setopt(l->curl, CURLOPT_HTTPHEADER, h) == CURLE_OK &&
		curl_easy_setopt(l->curl, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
		curl_easy_setopt(l->curl, CURLOPT_TIMEOUT, 60L) == CURLE_OK &&
		curl_easy_setopt(l->curl, CURLOPT_WRITEFUNCTION, on_answer) ==
			CURLE_OK &&
		curl_easy_setopt(l->curl, CURLOPT_WRITEDATA, &l->answer) ==
			CURLE_OK;
	if (!ok)
		return err_set(e, ST_INVALID, "cannot set up libcurl");
	return ST_OK;
}

static void blog_free(struct blog *l)
{
	curl_easy_cleanup(l->curl);
	curl_slist_free_all(l->headers);
	note_signer_free(l->signer);
	free(l->win);
	free(l->lat);
	free(l->made);
	for (int i = 0; i < 2; i++)
		buf_free(&l->slot[i]);
	buf_free(&l->bodies);
	buf_free(&l->answer);
	buf_free(&l->kept.data);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cond);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Prepared: every log makes its requests at once, off the clock.
 * False, said on stderr, when one could not. */
static bool prepare(struct blog *logs, int64_t count)
{
	bool ok = true;
	for (int64_t i = 0; i < count; i++)
		pthread_create(&logs[i].maker, NULL, preparer, &logs[i]);
	for (int64_t i = 0; i < count; i++)
		pthread_join(logs[i].maker, NULL);
	for (int64_t i = 0; i < count; i++) {
		if (logs[i].rc == 0 && reserve_kept(&logs[i]) != ST_OK) {
			snprintf(logs[i].err, sizeof logs[i].err,
				 "out of memory");
			logs[i].rc = 2;
		}
		if (logs[i].rc != 0) {
			fprintf(stderr, "bench_witness: %s\n", logs[i].err);
			ok = false;
		}
	}
	return ok;
}

static double maxrss_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024; /* KiB on Linux */
}

static int cmd_run(int argc, char **argv)
{
	int64_t first, count;
	char *end = NULL;
	struct note_verifier wv;
	struct err e = {.msg = ""};
	int64_t grow_max = GROW_MAX, prepared = 0;
	if (argc < 6 || !parse_count(argv[3], 0, INT_MAX - LOGS_MAX, &first) ||
	    !parse_count(argv[4], 1, LOGS_MAX, &count))
		return usage();
	for (int i = 6; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage();
		if (strcmp(argv[i], "--grow") == 0) {
			if (!parse_count(argv[i + 1], 1, 1000000, &grow_max))
				return usage();
		} else if (strcmp(argv[i], "--prepared") == 0) {
			if (!parse_count(argv[i + 1], 1, PREPARED_MAX,
					 &prepared))
				return usage();
		} else {
			return usage();
		}
	}
	double seconds = strtod(argv[5], &end);
	if (end == argv[5] || *end != 0 || !(seconds > 0 && seconds <= 3600))
		return usage();
	if (note_cosigner_parse(argv[2], strlen(argv[2]), &wv, &e) != ST_OK) {
		fprintf(stderr, "bench_witness: %s: %s\n", argv[2], e.msg);
		return 2;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "bench_witness: cannot start libcurl\n");
		return 2;
	}
	struct blog *logs = calloc((size_t)count, sizeof *logs);
	atomic_int shown = 0;
	atomic_bool out_of_bodies = false;
	int rc = 2;
	int64_t n = 0;
	if (logs == NULL) {
		fprintf(stderr, "bench_witness: out of memory\n");
		goto done;
	}
	for (; n < count; n++) {
		if (blog_init(&logs[n], (int)(first + n), argv[1], &wv, &shown,
			      &e) != ST_OK) {
			fprintf(stderr, "bench_witness: log %lld: %s\n",
				(long long)first + n, e.msg);
			n++;
			goto done;
		}
		logs[n].grow_max = (uint64_t)grow_max;
		logs[n].want = prepared;
		logs[n].out_of_bodies = &out_of_bodies;
	}
	double p0 = now_seconds();
	if (prepared > 0 && !prepare(logs, count))
		goto done;
	double prepare_seconds = now_seconds() - p0;

	double cpu0 = cpu_seconds(), t0 = now_seconds();
	for (int64_t i = 0; i < count; i++) {
		logs[i].deadline = t0 + seconds;
		if (prepared > 0) {
			pthread_create(&logs[i].sender, NULL, sender_prepared,
				       &logs[i]);
			continue;
		}
		pthread_create(&logs[i].maker, NULL, maker, &logs[i]);
		pthread_create(&logs[i].sender, NULL, sender, &logs[i]);
	}
	for (int64_t i = 0; i < count; i++) {
		pthread_join(logs[i].sender, NULL);
		if (prepared == 0)
			pthread_join(logs[i].maker, NULL);
	}
	double wall = now_seconds() - t0, cpu = cpu_seconds() - cpu0;

	/* Off the clock: the figures and the cosignatures. */
	int64_t requests = 0, bad = 0, checked = 0;
	int64_t log_min = INT64_MAX, log_max = 0, made = 0;
	size_t nlat = 0, bytes = 0;
	rc = 0;
	for (int64_t i = 0; i < count; i++) {
		struct blog *l = &logs[i];
		requests += l->requests;
		if (l->requests < log_min)
			log_min = l->requests;
		if (l->requests > log_max)
			log_max = l->requests;
		nlat += l->nlat;
		bytes += l->bodies.len;
		made += (int64_t)l->nmade;
		if (l->rc > rc)
			rc = l->rc;
		if (l->rc == 2)
			fprintf(stderr, "bench_witness: %s\n", l->err);
		bad += check_kept(l);
		checked += (int64_t)l->kept.count;
	}
	double *lat = malloc((nlat > 0 ? nlat : 1) * sizeof *lat);
	if (lat == NULL) {
		fprintf(stderr, "bench_witness: out of memory\n");
		rc = 2;
		goto done;
	}
	nlat = 0;
	for (int64_t i = 0; i < count; i++) {
		memcpy(lat + nlat, logs[i].lat, logs[i].nlat * sizeof *lat);
		nlat += logs[i].nlat;
	}
	qsort(lat, nlat, sizeof *lat, cmp_double);
	double p50 = nlat > 0 ? lat[nlat / 2] : 0,
	       p99 = nlat > 0 ? lat[nlat * 99 / 100] : 0,
	       max = nlat > 0 ? lat[nlat - 1] : 0;
	free(lat);
	if (bad > 0) {
		fprintf(stderr,
			"bench_witness: %lld of %lld cosignatures do not "
			"verify\n",
			(long long)bad, (long long)checked);
		if (rc < 1)
			rc = 1;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	printf("result witness logs %lld seconds %.3f requests %lld rate %.0f "
	       "p50_ms %.3f p99_ms %.3f max_ms %.3f verified %lld bad %lld "
	       "cpu_seconds %.3f cpu_us_per_request %.0f cpu_share %.2f "
	       "mode %s ended %s prepared_requests %lld prepared_mb %.1f "
	       "prepare_seconds %.3f maxrss_mb %.0f log_min %lld log_max "
	       "%lld\n",
	       (long long)count, wall, (long long)requests,
	       wall > 0 ? (double)requests / wall : 0.0, p50 * 1e3, p99 * 1e3,
	       max * 1e3, (long long)checked, (long long)bad, cpu,
	       requests > 0 ? cpu / (double)requests * 1e6 : 0.0,
	       wall > 0 && ncpu > 0 ? cpu / (wall * (double)ncpu) : 0.0,
	       prepared > 0 ? "prepared" : "live",
	       atomic_load(&out_of_bodies) ? "bodies" : "seconds",
	       (long long)made, (double)bytes / (1024 * 1024),
	       prepared > 0 ? prepare_seconds : 0.0, maxrss_mb(),
	       (long long)log_min, (long long)log_max);
done:
	for (int64_t i = 0; i < n; i++)
		blog_free(&logs[i]);
	free(logs);
	curl_global_cleanup();
	return rc;
}

/* ---- lag: the witnessed log, from its uploads to its checkpoint ---- */

#define UPLOAD_BYTES 1024 /* each document, a PDF by its first bytes */
#define BOUNDARY     "sanilogbenchboundary"
#define CONNS_MAX    256
#define POLL_MS	     2 /* the poller asks this often, at most */
#define SETTLE_S                                                               \
	10.0	      /* after the load: the poller waits this long,           \
			 at most, for every upload to be served */
#define SIZE_CHARS 20 /* digits of an int64 */

/* An upload answered 201: when (monotonic seconds), its round trip and
 * its leaf index. */
struct acked {
	double at, rtt;
	int64_t index;
};

/* A poll of /checkpoint: when its answer arrived, its round trip, and the
 * size served (or the largest before it, so that sizes never fall). */
struct poll {
	double at, rtt;
	int64_t size;
};

struct uploader {
	int id;
	double deadline;
	CURL *curl;
	struct curl_slist *headers;
	struct buf body, answer;
	size_t doc_at; /* where the document's varying first line starts */
	uint32_t salt;
	struct acked *acked;
	size_t nacked, acked_alloc;
	int64_t other; /* answers other than 201 */
	atomic_int *shown;
	int rc; /* 0; 1 a wrong answer; 2 a failure */
	char err[300];
	pthread_t thread;
};

struct poller {
	CURL *curl;
	struct buf answer;
	double interval;
	/* Set by the main thread when the uploads are over: the poller
	 * stops once a served size is above stop_above, or at give_up. */
	atomic_llong stop_above;
	_Atomic double give_up;
	atomic_bool load_done;
	struct poll *polls;
	size_t npolls, polls_alloc;
	size_t sizes;  /* polls that showed a size above the one before */
	bool realtime; /* its thread runs SCHED_FIFO */
	int rc;
	char err[300];
	pthread_t thread;
};

/* The size in a checkpoint note: its second line, a canonical decimal.
 * False when the answer is not a checkpoint. */
static bool note_size(const char *note, size_t len, int64_t *out)
{
	const char *lf = memchr(note, '\n', len);
	if (lf == NULL || lf == note)
		return false;
	const char *s = lf + 1, *end = note + len;
	const char *lf2 = memchr(s, '\n', (size_t)(end - s));
	char digits[SIZE_CHARS + 1];
	size_t n = lf2 != NULL ? (size_t)(lf2 - s) : 0;
	if (n == 0 || n > SIZE_CHARS)
		return false;
	memcpy(digits, s, n);
	digits[n] = 0;
	return dec_parse(digits, out);
}

/* The "index" of a 201's JSON answer (api.c: {"index": N, ...}). */
static bool answer_index(const char *json, int64_t *out)
{
	const char *s = strstr(json, "\"index\"");
	if (s == NULL)
		return false;
	s += strlen("\"index\"");
	while (*s == ' ' || *s == ':')
		s++;
	size_t n = strspn(s, "0123456789");
	char digits[SIZE_CHARS + 1];
	if (n == 0 || n > SIZE_CHARS)
		return false;
	memcpy(digits, s, n);
	digits[n] = 0;
	return dec_parse(digits, out);
}

/* Writes the multipart body of an upload into u->body, once: the file
 * part (a 1 KiB PDF) and the fields; each upload then rewrites the
 * document's first line in place (upload_next). */
static enum status upload_body(struct uploader *u)
{
	static const char head[] =
		"--" BOUNDARY "\r\n"
		"Content-Disposition: form-data; name=\"file\"; "
		"filename=\"d.pdf\"\r\n"
		"Content-Type: application/pdf\r\n\r\n";
	static const char tail[] =
		"\r\n--" BOUNDARY "\r\n"
		"Content-Disposition: form-data; name=\"type\"\r\n\r\n"
		"other\r\n--" BOUNDARY "\r\n"
		"Content-Disposition: form-data; name=\"title\"\r\n\r\n"
		"Bench upload\r\n--" BOUNDARY "\r\n"
		"Content-Disposition: form-data; name=\"performed\"\r\n\r\n"
		"2026-01-01\r\n--" BOUNDARY "--\r\n";
	enum status r = buf_append(&u->body, head, sizeof head - 1);
	u->doc_at = u->body.len;
	uint8_t *doc = r == ST_OK ? buf_reserve(&u->body, UPLOAD_BYTES) : NULL;
	if (doc == NULL)
		return ST_NOMEM;
	memset(doc, 'x', UPLOAD_BYTES);
	memcpy(doc + UPLOAD_BYTES - 5, "%EOF\n", 5);
	u->body.len += UPLOAD_BYTES;
	return buf_append(&u->body, tail, sizeof tail - 1);
}

/* Makes the next document distinct: "%PDF-1.4" and a comment naming the
 * thread, the upload and the run's salt, in a first line of fixed
 * width. */
static void upload_next(struct uploader *u, uint64_t n)
{
	char first[64];
	int len = snprintf(first, sizeof first,
			   "%%PDF-1.4\n%% %08d %012llu %010u\n", u->id,
			   (unsigned long long)n, u->salt);
	memcpy(u->body.data + u->doc_at, first, (size_t)len);
}

static void upload_wrong(struct uploader *u, long code)
{
	u->other++;
	u->rc = 1;
	if (atomic_fetch_add(u->shown, 1) < SHOW_MAX)
		fprintf(stderr,
			"bench_witness: lag: upload: status %ld: %.300s\n",
			code, buf_str(&u->answer));
}

static void *uploader(void *arg)
{
	struct uploader *u = arg;
	for (uint64_t n = 0; now_seconds() < u->deadline; n++) {
		struct acked *a = room_for(u->acked, u->nacked, &u->acked_alloc,
					   sizeof *a);
		if (a == NULL) {
			snprintf(u->err, sizeof u->err, "out of memory");
			u->rc = 2;
			break;
		}
		u->acked = a;
		upload_next(u, n);
		buf_reset(&u->answer);
		double t0 = now_seconds();
		CURLcode c = curl_easy_perform(u->curl);
		double t = now_seconds();
		if (c != CURLE_OK) {
			snprintf(u->err, sizeof u->err, "upload: %s",
				 curl_easy_strerror(c));
			u->rc = 2;
			break;
		}
		long code = 0;
		int64_t index;
		curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code != 201 || !answer_index(buf_str(&u->answer), &index)) {
			upload_wrong(u, code);
			continue;
		}
		u->acked[u->nacked++] =
			(struct acked){.at = t, .rtt = t - t0, .index = index};
	}
	return NULL;
}

static void sleep_until(double t)
{
	double d = t - now_seconds();
	if (d <= 0)
		return;
	struct timespec ts = {.tv_sec = (time_t)d,
			      .tv_nsec = (long)((d - (double)(time_t)d) * 1e9)};
	nanosleep(&ts, NULL);
}

/* The poller: GET /checkpoint every interval (or as fast as it is
 * answered), keeping each size above the one before with the time its
 * answer arrived. */
static void *poller(void *arg)
{
	struct poller *p = arg;
	int64_t last = -1;
	/* Real-time, where allowed, so that the uploads' threads do not
	 * keep it from its interval. */
	struct sched_param sp = {.sched_priority = 1};
	p->realtime =
		pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
	for (;;) {
		double t0 = now_seconds();
		if (atomic_load(&p->load_done) &&
		    (last > atomic_load(&p->stop_above) ||
		     t0 >= atomic_load(&p->give_up)))
			break;
		buf_reset(&p->answer);
		CURLcode c = curl_easy_perform(p->curl);
		double t = now_seconds();
		long code = 0;
		int64_t size;
		curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &code);
		if (c != CURLE_OK || code != 200 ||
		    !note_size(buf_str(&p->answer), p->answer.len, &size)) {
			snprintf(p->err, sizeof p->err,
				 "GET /checkpoint: %s, status %ld: %.200s",
				 c != CURLE_OK ? curl_easy_strerror(c)
					       : "answered",
				 code, buf_str(&p->answer));
			p->rc = c != CURLE_OK ? 2 : 1;
			break;
		}
		struct poll *a = room_for(p->polls, p->npolls, &p->polls_alloc,
					  sizeof *a);
		if (a == NULL) {
			snprintf(p->err, sizeof p->err, "out of memory");
			p->rc = 2;
			break;
		}
		p->polls = a;
		if (size > last) {
			p->sizes++;
			last = size;
		}
		p->polls[p->npolls++] =
			(struct poll){.at = t, .rtt = t - t0, .size = last};
		sleep_until(t0 + p->interval);
	}
	/* Whatever stopped it, the main thread stops waiting. */
	atomic_store(&p->load_done, true);
	return NULL;
}

/* A libcurl handle for target, answers into answer; headers borrowed. */
static CURL *lag_curl(const char *target, struct buf *answer,
		      struct curl_slist *headers)
{
	CURL *c = curl_easy_init();
	if (c == NULL)
		return NULL;
	bool ok = curl_easy_setopt(c, CURLOPT_URL, target) == CURLE_OK &&
		  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
		  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L) == CURLE_OK &&
		  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_answer) ==
			  CURLE_OK &&
		  curl_easy_setopt(c, CURLOPT_WRITEDATA, answer) == CURLE_OK &&
		  (headers == NULL || curl_easy_setopt(c, CURLOPT_HTTPHEADER,
						       headers) == CURLE_OK);
	if (!ok) {
		curl_easy_cleanup(c);
		return NULL;
	}
	return c;
}

static enum status uploader_init(struct uploader *u, int id, const char *url,
				 const char *venue, const char *token,
				 atomic_int *shown, struct err *e)
{
	char target[2048], auth[512];
	memset(u, 0, sizeof *u);
	u->id = id;
	u->shown = shown;
	randombytes_buf(&u->salt, sizeof u->salt);
	buf_init(&u->body, 2 * UPLOAD_BYTES);
	buf_init(&u->answer, ANSWER_MAX);
	if (upload_body(u) != ST_OK)
		return err_set(e, ST_NOMEM, "out of memory");
	if (snprintf(target, sizeof target, "%s/api/v1/venues/%s/documents",
		     url, venue) >= (int)sizeof target ||
	    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token) >=
		    (int)sizeof auth)
		return err_set(e, ST_INVALID, "URL or token too long");
	/* No "Expect: 100-continue": a round trip for bodies over 1 KiB. */
	const char *lines[] = {
		"Expect:",
		"Content-Type: multipart/form-data; boundary=" BOUNDARY,
		auth,
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct curl_slist *h = curl_slist_append(u->headers, lines[i]);
		if (h == NULL)
			return err_set(e, ST_NOMEM, "out of memory");
		u->headers = h;
	}
	if ((u->curl = lag_curl(target, &u->answer, u->headers)) == NULL ||
	    curl_easy_setopt(u->curl, CURLOPT_POSTFIELDS, u->body.data) !=
		    CURLE_OK ||
	    curl_easy_setopt(u->curl, CURLOPT_POSTFIELDSIZE,
			     (long)u->body.len) != CURLE_OK)
		return err_set(e, ST_INVALID, "cannot set up libcurl");
	return ST_OK;
}

static void uploader_free(struct uploader *u)
{
	curl_easy_cleanup(u->curl);
	curl_slist_free_all(u->headers);
	buf_free(&u->body);
	buf_free(&u->answer);
	free(u->acked);
}

/* The first poll that showed a size above index: its entry in
 * polls[0..n) (sizes never falling), or NULL. */
static const struct poll *first_above(const struct poll *polls, size_t n,
				      int64_t index)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (polls[mid].size > index)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < n ? &polls[lo] : NULL;
}

/* The q-quantile of sorted v[0..n) (0 for none). */
static double quantile(const double *v, size_t n, int per100)
{
	if (n == 0)
		return 0;
	size_t i = n * (size_t)per100 / 100;
	return v[i < n ? i : n - 1];
}

static int cmd_lag(int argc, char **argv)
{
	int64_t conns = 64, poll_ms = POLL_MS;
	char *end = NULL;
	if (argc < 5)
		return usage();
	double seconds = strtod(argv[4], &end);
	if (end == argv[4] || *end != 0 || !(seconds > 0 && seconds <= 3600))
		return usage();
	for (int i = 5; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage();
		if (strcmp(argv[i], "--conns") == 0) {
			if (!parse_count(argv[i + 1], 1, CONNS_MAX, &conns))
				return usage();
		} else if (strcmp(argv[i], "--poll-ms") == 0) {
			if (!parse_count(argv[i + 1], 0, 1000, &poll_ms))
				return usage();
		} else {
			return usage();
		}
	}
	const char *url = argv[1], *venue = argv[2], *token = argv[3];
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "bench_witness: cannot start libcurl\n");
		return 2;
	}
	struct uploader *ups = calloc((size_t)conns, sizeof *ups);
	struct poller p = {.interval = (double)poll_ms / 1e3};
	atomic_int shown = 0;
	int rc = 2;
	int64_t n = 0;
	char target[2048];
	struct err e = {.msg = ""};
	double *lag = NULL, *lat = NULL, *gap = NULL;
	buf_init(&p.answer, ANSWER_MAX);
	atomic_store(&p.stop_above, INT64_MAX);
	atomic_store(&p.give_up, 0.0);
	if (ups == NULL) {
		fprintf(stderr, "bench_witness: out of memory\n");
		goto done;
	}
	if (snprintf(target, sizeof target, "%s/checkpoint", url) >=
		    (int)sizeof target ||
	    (p.curl = lag_curl(target, &p.answer, NULL)) == NULL) {
		fprintf(stderr, "bench_witness: lag: cannot set up libcurl\n");
		goto done;
	}
	for (; n < conns; n++)
		if (uploader_init(&ups[n], (int)n, url, venue, token, &shown,
				  &e) != ST_OK) {
			fprintf(stderr, "bench_witness: lag: %s\n", e.msg);
			n++;
			goto done;
		}

	/* The poller first, so that the size served before the load is
	 * known; then the uploads, for SECONDS; then the poller alone,
	 * until every acknowledged upload is served or SETTLE_S passed. */
	pthread_create(&p.thread, NULL, poller, &p);
	double cpu0 = cpu_seconds(), t0 = now_seconds();
	for (int64_t i = 0; i < conns; i++) {
		ups[i].deadline = t0 + seconds;
		pthread_create(&ups[i].thread, NULL, uploader, &ups[i]);
	}
	int64_t top = -1, uploads = 0;
	for (int64_t i = 0; i < conns; i++) {
		pthread_join(ups[i].thread, NULL);
		for (size_t k = 0; k < ups[i].nacked; k++)
			if (ups[i].acked[k].index > top)
				top = ups[i].acked[k].index;
		uploads += (int64_t)ups[i].nacked;
	}
	double wall = now_seconds() - t0, cpu = cpu_seconds() - cpu0;
	atomic_store(&p.stop_above, (long long)top);
	atomic_store(&p.give_up, now_seconds() + SETTLE_S);
	atomic_store(&p.load_done, true);
	pthread_join(p.thread, NULL);

	/* Off the clock: each upload's lag, the first poll that showed a
	 * size above its index less the time of its 201. */
	lag = malloc((size_t)(uploads > 0 ? uploads : 1) * sizeof *lag);
	lat = malloc((size_t)(uploads > 0 ? uploads : 1) * sizeof *lat);
	gap = malloc((p.npolls > 0 ? p.npolls : 1) * sizeof *gap);
	if (lag == NULL || lat == NULL || gap == NULL) {
		fprintf(stderr, "bench_witness: out of memory\n");
		goto done;
	}
	size_t nlag = 0, nlat = 0;
	int64_t other = 0, unserved = 0, early = 0;
	rc = p.rc;
	if (p.rc != 0)
		fprintf(stderr, "bench_witness: lag: %s\n", p.err);
	for (int64_t i = 0; i < conns; i++) {
		const struct uploader *u = &ups[i];
		if (u->rc > rc)
			rc = u->rc;
		if (u->rc == 2)
			fprintf(stderr, "bench_witness: lag: %s\n", u->err);
		other += u->other;
		for (size_t k = 0; k < u->nacked; k++) {
			lat[nlat++] = u->acked[k].rtt;
			const struct poll *s = first_above(p.polls, p.npolls,
							   u->acked[k].index);
			if (s == NULL) {
				unserved++;
				continue;
			}
			/* Served before its 201 arrived: no lag to see. */
			double d = s->at - u->acked[k].at;
			if (d < 0) {
				early++;
				d = 0;
			}
			lag[nlag++] = d;
		}
	}
	qsort(lag, nlag, sizeof *lag, cmp_double);
	qsort(lat, nlat, sizeof *lat, cmp_double);
	/* The time between two answers bounds the error of the lag: the
	 * size changed after the first read it and before the second. */
	double rtt_sum = 0;
	size_t ngap = 0;
	for (size_t i = 0; i < p.npolls; i++) {
		rtt_sum += p.polls[i].rtt;
		if (i > 0)
			gap[ngap++] = p.polls[i].at - p.polls[i - 1].at;
	}
	qsort(gap, ngap, sizeof *gap, cmp_double);
	if (unserved > 0) {
		fprintf(stderr,
			"bench_witness: lag: %lld of %lld uploads not served "
			"within %.0f s of the load's end\n",
			(long long)unserved, (long long)uploads, SETTLE_S);
		if (rc < 1)
			rc = 1;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	printf("result lag conns %lld seconds %.3f uploads %lld rate %.0f "
	       "other %lld upload_p50_ms %.3f upload_p99_ms %.3f "
	       "lag_p50_ms %.3f lag_p99_ms %.3f lag_max_ms %.3f "
	       "unserved %lld early %lld polls %zu poll_ms %lld "
	       "poll_rtt_ms %.3f poll_gap_p99_ms %.3f poll_gap_max_ms %.3f "
	       "poll_realtime %d sizes %zu cpu_seconds "
	       "%.3f cpu_share %.2f\n",
	       (long long)conns, wall, (long long)uploads,
	       wall > 0 ? (double)uploads / wall : 0.0, (long long)other,
	       quantile(lat, nlat, 50) * 1e3, quantile(lat, nlat, 99) * 1e3,
	       quantile(lag, nlag, 50) * 1e3, quantile(lag, nlag, 99) * 1e3,
	       nlag > 0 ? lag[nlag - 1] * 1e3 : 0.0, (long long)unserved,
	       (long long)early, p.npolls, (long long)poll_ms,
	       p.npolls > 0 ? rtt_sum / (double)p.npolls * 1e3 : 0.0,
	       quantile(gap, ngap, 99) * 1e3,
	       ngap > 0 ? gap[ngap - 1] * 1e3 : 0.0, p.realtime ? 1 : 0,
	       p.sizes, cpu,
	       wall > 0 && ncpu > 0 ? cpu / (wall * (double)ncpu) : 0.0);
done:
	free(lag);
	free(lat);
	free(gap);
	for (int64_t i = 0; i < n; i++)
		uploader_free(&ups[i]);
	free(ups);
	curl_easy_cleanup(p.curl);
	buf_free(&p.answer);
	free(p.polls);
	curl_global_cleanup();
	return rc;
}

/* ---- the references ---- */

static int cmd_ed25519(int argc, char **argv)
{
	int64_t count = 20000;
	if (argc > 2 ||
	    (argc == 2 && !parse_count(argv[1], 1, 100000000, &count)))
		return usage();
	/* A checkpoint's size: origin, size, root, and the time line. */
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	unsigned char sig[crypto_sign_BYTES], msg[120];
	randombytes_buf(msg, sizeof msg);
	crypto_sign_keypair(pk, sk);
	int64_t bad = 0;
	double t0 = now_seconds();
	for (int64_t i = 0; i < count; i++) {
		msg[0] = (unsigned char)i;
		crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
		if (crypto_sign_verify_detached(sig, msg, sizeof msg, pk) != 0)
			bad++;
	}
	double secs = now_seconds() - t0;
	sodium_memzero(sk, sizeof sk);
	printf("result ed25519 pairs %lld seconds %.3f rate %.0f bad %lld\n",
	       (long long)count, secs, secs > 0 ? (double)count / secs : 0.0,
	       (long long)bad);
	return bad == 0 ? 0 : 1;
}

static int cmd_sync(int argc, char **argv)
{
	int64_t count = 2000;
	char path[PATH_MAX];
	if (argc < 2 || argc > 3 ||
	    (argc == 3 && !parse_count(argv[2], 1, 10000000, &count)))
		return usage();
	if (snprintf(path, sizeof path, "%s/bench_witness.sync.XXXXXX",
		     argv[1]) >= (int)sizeof path)
		return usage();
	int fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, "bench_witness: %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	unlink(path);
	static uint8_t block[4096];
	randombytes_buf(block, sizeof block);
	int rc = 0;
	double t0 = now_seconds();
	for (int64_t i = 0; i < count; i++)
		if (write(fd, block, sizeof block) != (ssize_t)sizeof block ||
		    fdatasync(fd) != 0) {
			fprintf(stderr, "bench_witness: write: %s\n",
				strerror(errno));
			rc = 2;
			break;
		}
	double secs = now_seconds() - t0;
	close(fd);
	if (rc == 0)
		printf("result sync writes %lld bytes 4096 seconds %.3f "
		       "rate %.0f\n",
		       (long long)count, secs,
		       secs > 0 ? (double)count / secs : 0.0);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct bench_cmd cmds[] = {
		{"keys", cmd_keys},	  {"run", cmd_run},   {"lag", cmd_lag},
		{"ed25519", cmd_ed25519}, {"sync", cmd_sync},
	};
	return bench_main("bench_witness", argc, argv, cmds,
			  sizeof cmds / sizeof cmds[0], usage_text);
}
