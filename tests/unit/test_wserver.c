/*
 * test_wserver.c: the witness's HTTP server (witness/wserver.h), started
 * in the test on 127.0.0.1 at a free port over a witness database of its
 * own (witness/wdb.h) in a temporary directory, and driven with libcurl
 * with the checkpoints of real trees: every leaf, stored hash, root and
 * consistency proof made by core/merkle.h over trees held in memory, and
 * each checkpoint signed by its log's key (keys from fixed seeds).
 *
 * Cosigning: 200 with exactly one cosignature line of the witness's key
 * on the checkpoint, at a time near now; the state moves (read on a
 * connection of the test's own, and in GET /); the same size again is
 * cosigned again.  Every refusal with its exact status, leaving the state
 * as it was: 400 for each malformed body, 413 past WITNESS_BODY_MAX, 403,
 * 404, 409 (text/x.tlog.size, the held size) and 422.  Evidence: the 409
 * of the same size with another root and the 422 of a validly signed
 * checkpoint are kept, with the checkpoint held and the whole request; a
 * 400 or 403 is not.  Concurrency: threads submitting at once for one log
 * and for many logs, each from the size it believes: the stored size is
 * the largest any 200 answered, and no 200 cosigned a size below one that
 * an earlier 200 (answered before it was asked) cosigned.  A commit that
 * fails: 503, nothing cosigned, and the state read again from the
 * database.  A log added while the witness runs is witnessed, one removed
 * is refused with 404.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/codec.h"
#include "core/merkle.h"
#include "core/witness.h"
#include "lib/rm_rf.h"
#include "lib/testlog.h"
#include "witness/wdb.h"
#include "witness/wserver.h"

#define WNAME	  "witness.example/w1"
#define MAXLEAVES 600 /* leaves of each log's tree */
#define NMANY	  16  /* logs of the many-logs test */
#define NTHREADS  8   /* submitters at once */
#define DASH	  "\xe2\x80\x94"

/* ---- trees in memory ---- */

/* A log: its key, and a tree of MAXLEAVES leaves whose stored hashes
 * (merkle.h's layout) are all in memory. */
struct tlog {
	struct note_signer *s;
	char origin[64];
	char vkey[NOTE_VKEY_MAX + 1];
	uint8_t (*stored)[HASH_LEN];
	int64_t nstored;
};

static enum status tree_read(void *ctx, const int64_t *idx, size_t count,
			     uint8_t (*out)[HASH_LEN])
{
	const struct tlog *l = ctx;
	for (size_t i = 0; i < count; i++) {
		if (idx[i] < 0 || idx[i] >= l->nstored)
			return ST_INVALID;
		memcpy(out[i], l->stored[idx[i]], HASH_LEN);
	}
	return ST_OK;
}

/* A log named origin, its key from a seed of seed_byte, its leaves the
 * texts "<origin> leaf <i> <branch>": two logs of one key and another
 * branch are a fork. */
static void tlog_init(struct tlog *l, const char *origin, uint8_t seed_byte,
		      int branch)
{
	uint8_t seed[32];
	struct note_verifier v;
	memset(l, 0, sizeof *l);
	memset(seed, seed_byte, sizeof seed);
	snprintf(l->origin, sizeof l->origin, "%s", origin);
	assert_int_equal(note_signer_from_seed(origin, seed, &l->s, NULL),
			 ST_OK);
	note_signer_verifier(l->s, &v);
	note_verifier_format(&v, l->vkey, sizeof l->vkey);
	int64_t total = merkle_stored_count(MAXLEAVES);
	l->stored = calloc((size_t)total, HASH_LEN);
	assert_non_null(l->stored);
	for (int64_t i = 0; i < MAXLEAVES; i++) {
		char text[128];
		uint8_t leaf[HASH_LEN], add[MERKLE_MAX_PROOF][HASH_LEN];
		size_t n = 0;
		int len = snprintf(text, sizeof text, "%s leaf %lld %d", origin,
				   (long long)i, branch);
		merkle_leaf_hash(leaf, text, (size_t)len);
		assert_int_equal(
			merkle_append_hashes(i, leaf, tree_read, l, add, &n),
			ST_OK);
		assert_int_equal(l->nstored, merkle_stored_count(i));
		memcpy(l->stored[l->nstored], add, n * HASH_LEN);
		l->nstored += (int64_t)n;
	}
	assert_int_equal(l->nstored, total);
}

static void tlog_free(struct tlog *l)
{
	note_signer_free(l->s);
	free(l->stored);
	memset(l, 0, sizeof *l);
}

static void tlog_root(const struct tlog *l, int64_t size,
		      uint8_t root[HASH_LEN])
{
	assert_int_equal(merkle_tree_hash(size, tree_read, (void *)l, root),
			 ST_OK);
}

/* The checkpoint body of size into body (text), and its note signed by
 * the log's key into note; either may be NULL.  Thread-safe. */
static void tlog_checkpoint(const struct tlog *l, int64_t size,
			    struct buf *body, struct buf *note)
{
	struct checkpoint c = {.size = size};
	snprintf(c.origin, sizeof c.origin, "%s", l->origin);
	merkle_tree_hash(size, tree_read, (void *)l, c.root);
	if (body != NULL)
		checkpoint_format(&c, body);
	if (note != NULL)
		checkpoint_sign(l->s, &c, note, NULL);
}

/* An add-checkpoint body into out: "old <old>", the proof lines of
 * proof[0..n), the empty line and note[0..len). */
static void body_of(struct buf *out, int64_t old,
		    const uint8_t (*proof)[HASH_LEN], size_t n,
		    const void *note, size_t len)
{
	buf_printf(out, "old %lld\n", (long long)old);
	for (size_t i = 0; i < n; i++) {
		char b64[64];
		b64_encode(b64, sizeof b64, proof[i], HASH_LEN, B64_STD);
		buf_printf(out, "%s\n", b64);
	}
	buf_append(out, "\n", 1);
	buf_append(out, note, len);
}

/* The body of a request from old to size (old <= size) with the log's
 * true proof and signed checkpoint.  Thread-safe. */
static void request_of(const struct tlog *l, int64_t old, int64_t size,
		       struct buf *out)
{
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t n = 0;
	struct buf note;
	buf_init(&note, 1 << 16);
	merkle_prove_consistency(old, size, tree_read, (void *)l, proof, &n);
	tlog_checkpoint(l, size, NULL, &note);
	body_of(out, old, (const uint8_t(*)[HASH_LEN])proof, n, note.data,
		note.len);
	buf_free(&note);
}

/* ---- the witness under test ---- */

struct fx {
	char dir[PATH_MAX];
	char db[PATH_MAX + 16];
	struct note_signer *ws; /* the witness's key */
	struct note_verifier wv;
	char wvkey[NOTE_VKEY_MAX + 1];
	struct witness_server *srv;
	unsigned port;
	char url[96]; /* .../add-checkpoint */
	char base[64];
	struct tlog a, b; /* two logs the witness witnesses */
};

static void fx_start(struct fx *f)
{
	struct witness_options o = {.db_path = f->db, .signer = f->ws};
	struct sockaddr_in *sin = (struct sockaddr_in *)&o.http.addr;
	struct err e = {.msg = ""};
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	o.http.addrlen = sizeof *sin;
	o.http.threads = 4;
	o.http.max_connections = 256;
	o.http.timeout = 20;
	if (witness_server_start(&o, &f->srv, &e) != ST_OK)
		fail_msg("witness_server_start: %s", e.msg);
	f->port = witness_server_port(f->srv);
	snprintf(f->base, sizeof f->base, "http://127.0.0.1:%u", f->port);
	snprintf(f->url, sizeof f->url, "%s/add-checkpoint", f->base);
}

static void fx_stop(struct fx *f)
{
	witness_server_stop(f->srv, 5000);
	f->srv = NULL;
}

/* Adds the log whose verifier key is vkey, on a connection of the
 * test's own (the server may be running). */
static void fx_add(struct fx *f, const char *vkey)
{
	struct wdb *w = NULL;
	struct err e = {.msg = ""};
	assert_int_equal(wdb_open(f->db, false, &w, &e), ST_OK);
	if (wdb_log_add(w, vkey, (int64_t)time(NULL), &e) != ST_OK)
		fail_msg("wdb_log_add: %s", e.msg);
	wdb_close(w);
}

static void fx_remove(struct fx *f, const char *origin)
{
	struct wdb *w = NULL;
	assert_int_equal(wdb_open(f->db, false, &w, NULL), ST_OK);
	assert_int_equal(wdb_log_remove(w, origin, NULL), ST_OK);
	wdb_close(w);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct wdb *w = NULL;
	struct err e = {.msg = ""};
	uint8_t seed[32];
	assert_non_null(f);
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof f->dir, "%s/sanilog-wserver.XXXXXX",
		 tmp != NULL && tmp[0] != 0 ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/witness.db", f->dir);
	memset(seed, 0x77, sizeof seed);
	assert_int_equal(note_signer_from_seed(WNAME, seed, &f->ws, NULL),
			 ST_OK);
	note_signer_verifier(f->ws, &f->wv);
	note_cosigner_format(&f->wv, f->wvkey, sizeof f->wvkey);
	if (wdb_create(f->db, WNAME, f->wvkey, &w, &e) != ST_OK)
		fail_msg("wdb_create: %s", e.msg);
	wdb_close(w);
	tlog_init(&f->a, "a.example/log", 0xa1, 0);
	tlog_init(&f->b, "b.example/log", 0xb1, 0);
	fx_add(f, f->a.vkey);
	fx_add(f, f->b.vkey);
	fx_start(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	fx_stop(f);
	note_signer_free(f->ws);
	tlog_free(&f->a);
	tlog_free(&f->b);
	rm_rf(f->dir);
	free(f);
	return 0;
}

/* ---- requests ---- */

/* POSTs body[0..len) to the witness on the calling thread's handle c
 * (kept alive between requests); false, with why in err, when no answer
 * came.  Uses no cmocka assertion: threads call it. */
static bool post_on(CURL *c, const char *url, const void *body, size_t len,
		    struct tl_reply *r, char *err, size_t errsize)
{
	buf_reset(&r->head);
	buf_reset(&r->body);
	r->code = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		snprintf(err, errsize, "POST %s: %s", url,
			 curl_easy_strerror(rc));
		return false;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	return true;
}

static size_t to_buf(char *p, size_t size, size_t n, void *ud)
{
	return buf_append(ud, p, size * n) == ST_OK ? size * n : 0;
}

/* A curl handle of the calling thread, whose answers go into r (its
 * buffers new: tl_reply_free). */
static CURL *handle_new(struct tl_reply *r)
{
	CURL *c = curl_easy_init();
	if (c == NULL)
		return NULL;
	buf_init(&r->head, 1 << 16);
	buf_init(&r->body, 1 << 16);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, to_buf);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->head);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	return c;
}

/* POSTs body to the witness; *r is new (tl_reply_free). */
static void post(const struct fx *f, const struct buf *body, struct tl_reply *r)
{
	tl_http("POST", f->url, NULL, body->data, body->len, r);
}

/* POSTs body and checks its status; returns nothing (r freed). */
static void post_expect(const struct fx *f, const struct buf *body, long want,
			const char *what)
{
	struct tl_reply r;
	post(f, body, &r);
	if (r.code != want)
		fail_msg("%s: status %ld, want %ld (%s)", what, r.code, want,
			 buf_str(&r.body));
	tl_reply_free(&r);
}

/*
 * Checks that reply is exactly one cosignature line of the witness's key
 * on l's checkpoint body of size, and returns its time.  Thread-safe when
 * err is not NULL (then false on failure, with why in err); otherwise
 * fails the test.
 */
static bool cosig_check(const struct fx *f, const struct tlog *l, int64_t size,
			const struct buf *reply, uint64_t *timestamp, char *err,
			size_t errsize)
{
	char prefix[NOTE_NAME_MAX + 8], why[600] = "";
	uint8_t sig[COSIG_LEN + 3];
	size_t n = 0, plen;
	struct buf body;
	struct err e = {.msg = ""};
	const char *text = buf_str(reply);
	buf_init(&body, 1 << 16);
	tlog_checkpoint(l, size, &body, NULL);
	plen = (size_t)snprintf(prefix, sizeof prefix, DASH " %s ", WNAME);
	if (reply->len < plen + 2 || memcmp(text, prefix, plen) != 0 ||
	    text[reply->len - 1] != '\n' ||
	    memchr(text, '\n', reply->len - 1) != NULL)
		snprintf(why, sizeof why, "not one cosignature line: %.200s",
			 text);
	else if (b64_decode(sig, sizeof sig, &n, text + plen,
			    reply->len - 1 - plen, B64_STD) != ST_OK ||
		 n != COSIG_LEN)
		snprintf(why, sizeof why, "not base64 of %d bytes: %.200s",
			 COSIG_LEN, text);
	else if (cosig_verify(&f->wv, (const char *)body.data, body.len, sig,
			      timestamp, &e) != ST_OK)
		snprintf(why, sizeof why, "size %lld: %s", (long long)size,
			 e.msg);
	buf_free(&body);
	if (why[0] == 0)
		return true;
	if (err == NULL)
		fail_msg("%s", why);
	snprintf(err, errsize, "%s", why);
	return false;
}

/* Submits l from old to size with the true proof; wants 200 and a
 * cosignature timed now. */
static void cosign(const struct fx *f, const struct tlog *l, int64_t old,
		   int64_t size)
{
	struct buf body;
	struct tl_reply r;
	uint64_t t = 0;
	buf_init(&body, 1 << 20);
	request_of(l, old, size, &body);
	int64_t before = (int64_t)time(NULL);
	post(f, &body, &r);
	int64_t after = (int64_t)time(NULL);
	if (r.code != 200)
		fail_msg("%s %lld -> %lld: status %ld (%s)", l->origin,
			 (long long)old, (long long)size, r.code,
			 buf_str(&r.body));
	cosig_check(f, l, size, &r.body, &t, NULL, 0);
	assert_true((int64_t)t >= before && (int64_t)t <= after);
	char ctype[128];
	assert_true(tl_header(&r, "Content-Type", ctype, sizeof ctype));
	assert_non_null(strstr(ctype, "text/plain"));
	tl_reply_free(&r);
	buf_free(&body);
}

/* ---- what the witness holds ---- */

/* Everything the witness holds for a log, and the evidence it kept. */
struct snap {
	bool found;
	struct wdb_log log;
	struct buf checkpoint; /* the note it last cosigned */
	size_t nevidence;
	int64_t info_size; /* its size in GET /, -1 when not listed */
};

static enum status count_one(void *ctx, const struct wdb_evidence *ev)
{
	(void)ev;
	++*(size_t *)ctx;
	return ST_OK;
}

/* The size GET / shows for the log of vkey, -1 when it lists none. */
static int64_t info_size(const struct fx *f, const char *vkey)
{
	struct tl_reply r;
	char url[128], line[NOTE_VKEY_MAX + 16];
	int64_t size = -1;
	snprintf(url, sizeof url, "%s/", f->base);
	tl_get(url, &r);
	assert_int_equal(r.code, 200);
	snprintf(line, sizeof line, "\nlog %s size ", vkey);
	const char *p = strstr(buf_str(&r.body), line);
	if (p != NULL) {
		char *end = NULL;
		size = strtoll(p + strlen(line), &end, 10);
		assert_true(end != NULL && *end == ' ');
	}
	tl_reply_free(&r);
	return size;
}

/* What the witness holds for l, read on a connection of the test's own
 * and in GET /. */
static void snap_take(const struct fx *f, const struct tlog *l, struct snap *s)
{
	struct wdb *w = NULL;
	struct err e = {.msg = ""};
	memset(s, 0, sizeof *s);
	buf_init(&s->checkpoint, 1 << 20);
	if (wdb_open(f->db, true, &w, &e) != ST_OK)
		fail_msg("wdb_open: %s", e.msg);
	enum status r = wdb_log_get(w, l->origin, &s->log, NULL);
	assert_true(r == ST_OK || r == ST_NOT_FOUND);
	s->found = r == ST_OK;
	if (s->found)
		assert_int_equal(
			wdb_log_checkpoint(w, l->origin, &s->checkpoint, NULL),
			ST_OK);
	assert_int_equal(wdb_evidence(w, count_one, &s->nevidence, NULL),
			 ST_OK);
	wdb_close(w);
	s->info_size = info_size(f, l->vkey);
}

static void snap_free(struct snap *s)
{
	buf_free(&s->checkpoint);
}

/* Fails unless a and b are the same state. */
static void snap_same(const struct snap *a, const struct snap *b,
		      const char *what)
{
	if (a->found != b->found || a->log.size != b->log.size ||
	    a->log.has_root != b->log.has_root ||
	    memcmp(a->log.root, b->log.root, HASH_LEN) != 0 ||
	    a->log.cosigned != b->log.cosigned ||
	    a->checkpoint.len != b->checkpoint.len ||
	    (a->checkpoint.len > 0 &&
	     memcmp(a->checkpoint.data, b->checkpoint.data,
		    a->checkpoint.len) != 0) ||
	    a->info_size != b->info_size)
		fail_msg("%s: the witness's state moved (size %lld -> %lld, "
			 "shown %lld -> %lld)",
			 what, (long long)a->log.size, (long long)b->log.size,
			 (long long)a->info_size, (long long)b->info_size);
}

/* The held size of l, as stored and as shown, and its root is the
 * tree's. */
static void assert_holds(const struct fx *f, const struct tlog *l, int64_t size)
{
	struct snap s;
	uint8_t root[HASH_LEN];
	struct buf note;
	snap_take(f, l, &s);
	assert_true(s.found);
	assert_int_equal(s.log.size, size);
	assert_int_equal(s.info_size, size);
	assert_true(s.log.has_root);
	tlog_root(l, size, root);
	assert_memory_equal(s.log.root, root, HASH_LEN);
	/* The checkpoint held is the one submitted, signatures and all. */
	buf_init(&note, 1 << 16);
	tlog_checkpoint(l, size, NULL, &note);
	assert_int_equal(s.checkpoint.len, note.len);
	assert_memory_equal(s.checkpoint.data, note.data, note.len);
	buf_free(&note);
	snap_free(&s);
}

/* Sends body and wants status code with l's state unchanged and no new
 * evidence unless evidence is set (then exactly one more).  Returns the
 * reply (freed by the caller) in *out when out is not NULL. */
static void refused(const struct fx *f, const struct tlog *l,
		    const struct buf *body, long code, bool evidence,
		    const char *what, struct tl_reply *out)
{
	struct snap before, after;
	struct tl_reply r;
	snap_take(f, l, &before);
	post(f, body, &r);
	if (r.code != code)
		fail_msg("%s: status %ld, want %ld (%s)", what, r.code, code,
			 buf_str(&r.body));
	snap_take(f, l, &after);
	snap_same(&before, &after, what);
	if (after.nevidence != before.nevidence + (evidence ? 1 : 0))
		fail_msg("%s: %zu pieces of evidence, want %zu", what,
			 after.nevidence,
			 before.nevidence + (evidence ? 1 : 0));
	snap_free(&before);
	snap_free(&after);
	if (out != NULL)
		*out = r;
	else
		tl_reply_free(&r);
}

/* Wants a 409 answered as tlog-witness says: text/x.tlog.size, the held
 * size and a newline. */
static void assert_409(const struct tl_reply *r, int64_t held)
{
	char ctype[128], text[32];
	assert_int_equal(r->code, 409);
	assert_true(tl_header(r, "Content-Type", ctype, sizeof ctype));
	assert_string_equal(ctype, "text/x.tlog.size");
	snprintf(text, sizeof text, "%lld\n", (long long)held);
	assert_string_equal(buf_str(&r->body), text);
}

/* ---- cosigning ---- */

static void test_cosign(void **state)
{
	struct fx *f = *state;
	struct snap s;

	/* Nothing held yet: size 0, no root, shown as 0. */
	snap_take(f, &f->a, &s);
	assert_true(s.found);
	assert_int_equal(s.log.size, 0);
	assert_false(s.log.has_root);
	assert_int_equal(s.info_size, 0);
	assert_int_equal(s.checkpoint.len, 0);
	snap_free(&s);

	cosign(f, &f->a, 0, 5);
	assert_holds(f, &f->a, 5);
	cosign(f, &f->a, 5, 17);
	assert_holds(f, &f->a, 17);
	cosign(f, &f->a, 17, 18);
	cosign(f, &f->a, 18, 64);
	cosign(f, &f->a, 64, 65);
	assert_holds(f, &f->a, 65);

	/* The other log is untouched, then moves on its own. */
	assert_int_equal(info_size(f, f->b.vkey), 0);
	cosign(f, &f->b, 0, 1);
	assert_holds(f, &f->b, 1);
	assert_holds(f, &f->a, 65);

	/* The same size again (an empty proof) is cosigned again, at a
	 * later time. */
	snap_take(f, &f->a, &s);
	struct timespec pause = {.tv_sec = 1, .tv_nsec = 100000000};
	nanosleep(&pause, NULL);
	cosign(f, &f->a, 65, 65);
	struct snap s2;
	snap_take(f, &f->a, &s2);
	assert_int_equal(s2.log.size, 65);
	assert_true(s2.log.cosigned > s.log.cosigned);
	snap_free(&s);
	snap_free(&s2);

	/* What the witness says of itself. */
	struct tl_reply r;
	char url[128];
	snprintf(url, sizeof url, "%s/", f->base);
	tl_get(url, &r);
	assert_int_equal(r.code, 200);
	char want[NOTE_VKEY_MAX + NOTE_NAME_MAX + 64];
	snprintf(want, sizeof want, "sanilog witness %s\nvkey %s\n", WNAME,
		 f->wvkey);
	assert_memory_equal(buf_str(&r.body), want, strlen(want));
	tl_reply_free(&r);
	snprintf(url, sizeof url, "%s/healthz", f->base);
	tl_get(url, &r);
	assert_int_equal(r.code, 200);
	tl_reply_free(&r);

	/* Durable: the same state after a restart. */
	fx_stop(f);
	fx_start(f);
	assert_holds(f, &f->a, 65);
	assert_holds(f, &f->b, 1);
	cosign(f, &f->a, 65, 70);
}

/* A log whose first request is of the empty tree (size 0). */
static void test_cosign_empty(void **state)
{
	struct fx *f = *state;
	cosign(f, &f->a, 0, 0);
	assert_holds(f, &f->a, 0);
	cosign(f, &f->a, 0, 3);
	assert_holds(f, &f->a, 3);
}

/* ---- 400 ---- */

/* A note of text (a checkpoint's, well formed or not) signed by s. */
static void signed_note(const struct note_signer *s, const char *text,
			struct buf *out)
{
	struct err e = {.msg = ""};
	if (note_sign(s, text, strlen(text), out, &e) != ST_OK)
		fail_msg("note_sign: %s", e.msg);
}

static void test_malformed(void **state)
{
	struct fx *f = *state;
	struct tlog *l = &f->a;
	struct buf body, note, next, text;
	uint8_t proof[64][HASH_LEN];
	size_t n = 0;
	char root[64], line[256];

	cosign(f, l, 0, 5);
	buf_init(&body, 1 << 20);
	buf_init(&note, 1 << 16);
	buf_init(&next, 1 << 16);
	buf_init(&text, 1 << 16);
	tlog_checkpoint(l, 5, NULL, &note);
	tlog_checkpoint(l, 9, &text, &next);
	assert_int_equal(
		merkle_prove_consistency(5, 9, tree_read, l, proof, &n), ST_OK);
	uint8_t r9[HASH_LEN];
	tlog_root(l, 9, r9);
	b64_encode(root, sizeof root, r9, HASH_LEN, B64_STD);

	/* 64 proof lines (the true proof, then padding): one too many. */
	for (size_t i = n; i < 64; i++)
		memcpy(proof[i], proof[0], HASH_LEN);
	body_of(&body, 5, (const uint8_t(*)[HASH_LEN])proof, 64, next.data,
		next.len);
	refused(f, l, &body, 400, false, "64 proof lines", NULL);

	/* A proof line that is not the base64 of a hash, after a true
	 * one. */
	static const char *const bad_lines[] = {
		"!!!!PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDD=",
		"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw",	/* unpadded */
		"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkax=", /* not canon. */
		"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDp",	/* 30 bytes */
		"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=PlRN", /* 35 */
		"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw= ",
		"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\r",
		"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw==",
		"PlRNCrwHpqhGrupue0L7gxbjbMiKA9-_mvuZZDDpkaw=", /* base64url */
	};
	for (size_t i = 0; i < sizeof bad_lines / sizeof *bad_lines; i++) {
		char b64[64];
		b64_encode(b64, sizeof b64, proof[0], HASH_LEN, B64_STD);
		buf_reset(&body);
		buf_printf(&body, "old 5\n%s\n%s\n\n", b64, bad_lines[i]);
		buf_append(&body, next.data, next.len);
		snprintf(line, sizeof line, "bad proof line \"%s\"",
			 bad_lines[i]);
		refused(f, l, &body, 400, false, line, NULL);
	}

	/* Bodies of a bad form: a head, then the signed checkpoint or
	 * nothing. */
	static const struct {
		const char *head;
		bool note;
	} forms[] = {
		/* No empty line: the body ends in the proof, or at the old
		 * size; or nothing follows the empty line. */
		{"old 5\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n",
		 false},
		{"old 5\n", false},
		{"old 5", false},
		{"", false},
		{"old 5\n\n", false},
		{"\n", false},
		/* The note straight after the old size, without the empty
		 * line: its origin is taken for a proof line. */
		{"old 5\n", true},
		/* Old sizes that are not canonical decimals, or overflow
		 * int64; a first line that is not "old <size>". */
		{"old 9223372036854775808\n\n", true},
		{"old 18446744073709551621\n\n", true},
		{"old -1\n\n", true},
		{"old 05\n\n", true},
		{"old +5\n\n", true},
		{"old  5\n\n", true},
		{"old 5 \n\n", true},
		{"old 0x5\n\n", true},
		{"old \n\n", true},
		{"old 5\r\n\n", true},
		{"old \xd9\xa5\n\n", true}, /* an Arabic-Indic five */
		{"old5\n\n", true},
		{"new 5\n\n", true},
		{"OLD 5\n\n", true},
	};
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		buf_reset(&body);
		buf_append_str(&body, forms[i].head);
		if (forms[i].note)
			buf_append(&body, next.data, next.len);
		snprintf(line, sizeof line, "body \"%s\"%s", forms[i].head,
			 forms[i].note ? " and the checkpoint" : "");
		refused(f, l, &body, 400, false, line, NULL);
	}

	/* Checkpoints signed by the log's key that do not parse: a size
	 * that overflows or is not canonical, a root missing or not the
	 * canonical base64 of 32 bytes (NULL: the true root). */
	static const struct {
		const char *size, *root;
	} bad_cps[] = {
		{"9223372036854775808", NULL},
		{"18446744073709551625", NULL},
		{"07", NULL},
		{"seven", NULL},
		{"-9", NULL},
		{"9", ""},
		{"9", "AAAA"},
		{"9", "D/X1q2kq+wpa7V5qv30UVfD1wpKgN67Vvw8iGY6AK3Y"},
	};
	for (size_t i = 0; i < sizeof bad_cps / sizeof *bad_cps; i++) {
		struct buf bad;
		buf_init(&bad, 1 << 16);
		buf_reset(&text);
		buf_printf(&text, "%s\n%s\n", l->origin, bad_cps[i].size);
		if (bad_cps[i].root == NULL || bad_cps[i].root[0] != 0)
			buf_printf(&text, "%s\n",
				   bad_cps[i].root != NULL ? bad_cps[i].root
							   : root);
		signed_note(l->s, buf_str(&text), &bad);
		buf_reset(&body);
		body_of(&body, 5, (const uint8_t(*)[HASH_LEN])proof, n,
			bad.data, bad.len);
		snprintf(line, sizeof line, "checkpoint \"%s\"",
			 buf_str(&text));
		refused(f, l, &body, 400, false, line, NULL);
		buf_free(&bad);
	}

	/* The note has no signature line at all (a signed note has one or
	 * more: C2SP signed-note, as Go's note.Open): malformed. */
	buf_reset(&text);
	tlog_checkpoint(l, 9, &text, NULL);
	buf_reset(&body);
	body_of(&body, 5, (const uint8_t(*)[HASH_LEN])proof, n, text.data,
		text.len);
	buf_append(&body, "\n", 1);
	refused(f, l, &body, 400, false, "a note without signatures", NULL);

	/* No origin line, a NUL in it. */
	buf_reset(&body);
	buf_printf(&body, "old 5\n\n\n9\n%s\n", root);
	refused(f, l, &body, 400, false, "an empty origin", NULL);
	buf_reset(&body);
	buf_printf(&body, "old 5\n\n");
	buf_append(&body, l->origin, strlen(l->origin));
	buf_append(&body, "\0x", 2);
	buf_append(&body, next.data + strlen(l->origin),
		   next.len - strlen(l->origin));
	refused(f, l, &body, 400, false, "a NUL in the origin", NULL);

	/* An old size above the checkpoint's, even with the size held. */
	buf_reset(&body);
	body_of(&body, 6, NULL, 0, note.data, note.len);
	refused(f, l, &body, 400, false, "old 6 for size 5", NULL);
	buf_reset(&body);
	buf_reset(&text);
	tlog_checkpoint(l, 4, NULL, &text);
	body_of(&body, 5, NULL, 0, text.data, text.len);
	refused(f, l, &body, 400, false, "old 5 (held) for size 4", NULL);

	/* A proof given with old 0. */
	buf_reset(&body);
	body_of(&body, 0, (const uint8_t(*)[HASH_LEN])proof, 1, next.data,
		next.len);
	refused(f, l, &body, 400, false, "a proof from size 0", NULL);

	/* And the true request still goes through. */
	buf_reset(&body);
	body_of(&body, 5, (const uint8_t(*)[HASH_LEN])proof, n, next.data,
		next.len);
	post_expect(f, &body, 200, "the true request");
	assert_holds(f, l, 9);

	buf_free(&body);
	buf_free(&note);
	buf_free(&next);
	buf_free(&text);
}

/* ---- 413 ---- */

/* A request of l from size to size whose checkpoint carries extension
 * lines ('x', at most 1000 a line) that make the body exactly len bytes
 * long, into out. */
static void padded_request(const struct tlog *l, int64_t size, size_t len,
			   struct buf *out)
{
	struct buf text, note;
	buf_init(&text, 2 * WITNESS_BODY_MAX);
	buf_init(&note, 2 * WITNESS_BODY_MAX);
	tlog_checkpoint(l, size, &text, NULL);
	signed_note(l->s, buf_str(&text), &note);
	buf_reset(out);
	body_of(out, size, NULL, 0, note.data, note.len);
	/* What the old size line, the empty line and the signature add to
	 * the text does not depend on the text. */
	size_t overhead = out->len - text.len;
	assert_true(len >= out->len + 2);
	size_t left = len - out->len; /* extension bytes, LFs included */
	char x[1001];
	memset(x, 'x', sizeof x);
	while (left > 0) {
		size_t line = left; /* this line's bytes, its LF included */
		if (left > 2002)
			line = 1001;
		else if (left > 1001)
			line = left / 2;
		buf_append(&text, x, line - 1);
		buf_append(&text, "\n", 1);
		left -= line;
	}
	buf_reset(&note);
	signed_note(l->s, buf_str(&text), &note);
	buf_reset(out);
	body_of(out, size, NULL, 0, note.data, note.len);
	assert_int_equal(out->len, len);
	assert_int_equal(out->len, text.len + overhead);
	buf_free(&text);
	buf_free(&note);
}

static void test_too_large(void **state)
{
	struct fx *f = *state;
	struct tlog *l = &f->a;
	struct buf body;
	buf_init(&body, 2 * WITNESS_BODY_MAX);
	cosign(f, l, 0, 5);

	/* A checkpoint with extension lines: a body of WITNESS_BODY_MAX
	 * bytes is taken whole and cosigned; one byte more is 413. */
	padded_request(l, 5, WITNESS_BODY_MAX, &body);
	post_expect(f, &body, 200, "a body of WITNESS_BODY_MAX bytes");
	padded_request(l, 5, WITNESS_BODY_MAX + 1, &body);
	refused(f, l, &body, 413, false, "a body of WITNESS_BODY_MAX + 1",
		NULL);

	/* Far over: a megabyte of proof lines. */
	buf_free(&body);
	buf_init(&body, 2u << 20);
	while (body.len < (1u << 20))
		buf_append_str(
			&body,
			"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n");
	refused(f, l, &body, 413, false, "a body of a megabyte", NULL);
	buf_free(&body);
}

/* ---- 403, 404 ---- */

static void test_forbidden(void **state)
{
	struct fx *f = *state;
	struct tlog *l = &f->a, other;
	struct buf body, note, text;
	cosign(f, l, 0, 5);
	buf_init(&body, 1 << 20);
	buf_init(&note, 1 << 16);
	buf_init(&text, 1 << 16);

	/* Signed by another key of the same name (and the same tree). */
	tlog_init(&other, l->origin, 0x5e, 0);
	request_of(&other, 5, 9, &body);
	refused(f, l, &body, 403, false, "another key of the same name", NULL);

	/* The log's signature on another text: the root changed after
	 * signing. */
	tlog_checkpoint(l, 9, NULL, &note);
	char *nl = strchr(strchr((char *)note.data, '\n') + 1, '\n');
	nl[1] = nl[1] == 'A' ? 'B' : 'A';
	buf_reset(&body);
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t n = 0;
	merkle_prove_consistency(5, 9, tree_read, l, proof, &n);
	body_of(&body, 5, (const uint8_t(*)[HASH_LEN])proof, n, note.data,
		note.len);
	refused(f, l, &body, 403, false, "a signature that does not verify",
		NULL);

	/* No signature line of the log's key: only one of another name. */
	struct tlog stranger;
	tlog_init(&stranger, "stranger.example/log", 0x5f, 0);
	tlog_checkpoint(l, 9, &text, NULL);
	buf_reset(&note);
	signed_note(stranger.s, buf_str(&text), &note);
	buf_reset(&body);
	body_of(&body, 5, (const uint8_t(*)[HASH_LEN])proof, n, note.data,
		note.len);
	refused(f, l, &body, 403, false, "no signature of the log's key", NULL);

	/* Both of the above on one note: still none of the log's key. */
	struct buf two;
	buf_init(&two, 1 << 16);
	tlog_checkpoint(&other, 9, NULL, &two);
	buf_append(&two, strstr(buf_str(&note), DASH),
		   strlen(strstr(buf_str(&note), DASH)));
	buf_reset(&body);
	body_of(&body, 5, (const uint8_t(*)[HASH_LEN])proof, n, two.data,
		two.len);
	refused(f, l, &body, 403, false, "two signatures, none the log's",
		NULL);

	/* The log's own signature beside a stranger's is cosigned. */
	buf_reset(&two);
	tlog_checkpoint(l, 9, NULL, &two);
	buf_append(&two, strstr(buf_str(&note), DASH),
		   strlen(strstr(buf_str(&note), DASH)));
	buf_reset(&body);
	body_of(&body, 5, (const uint8_t(*)[HASH_LEN])proof, n, two.data,
		two.len);
	post_expect(f, &body, 200, "the log's signature and a stranger's");
	struct snap s;
	snap_take(f, l, &s);
	assert_int_equal(s.log.size, 9);
	snap_free(&s);

	/* 404: a log the witness does not witness, validly signed. */
	struct snap before, after;
	snap_take(f, &stranger, &before);
	assert_false(before.found);
	buf_reset(&body);
	request_of(&stranger, 0, 3, &body);
	struct tl_reply r;
	post(f, &body, &r);
	assert_int_equal(r.code, 404);
	tl_reply_free(&r);
	snap_take(f, &stranger, &after);
	assert_false(after.found);
	assert_int_equal(after.info_size, -1);
	assert_int_equal(after.nevidence, before.nevidence);
	snap_free(&before);
	snap_free(&after);

	tlog_free(&other);
	tlog_free(&stranger);
	buf_free(&two);
	buf_free(&body);
	buf_free(&note);
	buf_free(&text);
}

/* ---- 409, 422 and the evidence ---- */

/* The evidence the witness kept, oldest first. */
struct evlist {
	size_t n;
	struct {
		char origin[NOTE_NAME_MAX + 1];
		unsigned status;
		char reason[200];
		struct buf held, request;
	} ev[16];
};

static enum status ev_one(void *ctx, const struct wdb_evidence *ev)
{
	struct evlist *list = ctx;
	if (list->n == 16)
		return ST_TOO_LARGE;
	size_t i = list->n++;
	snprintf(list->ev[i].origin, sizeof list->ev[i].origin, "%s",
		 ev->origin);
	snprintf(list->ev[i].reason, sizeof list->ev[i].reason, "%s",
		 ev->reason);
	list->ev[i].status = ev->status;
	buf_init(&list->ev[i].held, 1 << 20);
	buf_init(&list->ev[i].request, 1 << 20);
	buf_append(&list->ev[i].held, ev->held, ev->held_len);
	buf_append(&list->ev[i].request, ev->request, ev->request_len);
	return ST_OK;
}

static void evidence_read(const struct fx *f, struct evlist *list)
{
	struct wdb *w = NULL;
	memset(list, 0, sizeof *list);
	assert_int_equal(wdb_open(f->db, true, &w, NULL), ST_OK);
	assert_int_equal(wdb_evidence(w, ev_one, list, NULL), ST_OK);
	wdb_close(w);
}

static void evidence_free(struct evlist *list)
{
	for (size_t i = 0; i < list->n; i++) {
		buf_free(&list->ev[i].held);
		buf_free(&list->ev[i].request);
	}
}

/* Evidence number i is of l, answered status, holding held and request
 * byte for byte. */
static void assert_evidence(const struct evlist *list, size_t i,
			    const struct tlog *l, unsigned status,
			    const struct buf *held, const struct buf *request)
{
	assert_true(i < list->n);
	assert_string_equal(list->ev[i].origin, l->origin);
	assert_int_equal(list->ev[i].status, status);
	assert_true(list->ev[i].reason[0] != 0);
	assert_int_equal(list->ev[i].held.len, held->len);
	assert_memory_equal(list->ev[i].held.data, held->data, held->len);
	assert_int_equal(list->ev[i].request.len, request->len);
	assert_memory_equal(list->ev[i].request.data, request->data,
			    request->len);
}

static void test_conflict(void **state)
{
	struct fx *f = *state;
	struct tlog *l = &f->a, fork;
	struct buf body, held, body2;
	struct tl_reply r;
	cosign(f, l, 0, 10);
	buf_init(&body, 1 << 20);
	buf_init(&body2, 1 << 20);
	buf_init(&held, 1 << 16);
	tlog_checkpoint(l, 10, NULL, &held);

	/* Old sizes that are not the one held: 409 with the held size,
	 * and no evidence (the client is only behind, or ahead). */
	static const int64_t olds[][2] = {
		{0, 12},  {3, 12}, {9, 12}, {11, 12},
		{12, 12}, {0, 10}, {5, 10}, {0, 0},
	};
	for (size_t i = 0; i < sizeof olds / sizeof *olds; i++) {
		char what[64];
		buf_reset(&body);
		request_of(l, olds[i][0], olds[i][1], &body);
		snprintf(what, sizeof what, "old %lld for size %lld",
			 (long long)olds[i][0], (long long)olds[i][1]);
		refused(f, l, &body, 409, false, what, &r);
		assert_409(&r, 10);
		tl_reply_free(&r);
	}

	/* The same size with another root, signed by the log: a fork.
	 * 409, and the evidence holds both checkpoints. */
	tlog_init(&fork, l->origin, 0xa1, 1); /* the same key */
	buf_reset(&body);
	request_of(&fork, 10, 10, &body);
	refused(f, l, &body, 409, true, "size 10 with another root", &r);
	assert_409(&r, 10);
	tl_reply_free(&r);

	/* The fork grown past the held size with a proof from the held
	 * size: its proof cannot verify against the held root.  422, and
	 * evidence too. */
	request_of(&fork, 10, 15, &body2);
	refused(f, l, &body2, 422, true, "the fork's proof", NULL);

	struct evlist list;
	evidence_read(f, &list);
	assert_int_equal(list.n, 2);
	assert_evidence(&list, 0, l, 409, &held, &body);
	assert_evidence(&list, 1, l, 422, &held, &body2);
	evidence_free(&list);

	/* The metrics count each outcome. */
	char url[128];
	snprintf(url, sizeof url, "%s/metrics", f->base);
	tl_get(url, &r);
	assert_int_equal(r.code, 200);
	assert_non_null(strstr(buf_str(&r.body),
			       "sanilog_witness_add_checkpoint_total"
			       "{outcome=\"conflict\"} 9\n"));
	assert_non_null(strstr(buf_str(&r.body),
			       "sanilog_witness_add_checkpoint_total"
			       "{outcome=\"inconsistent\"} 1\n"));
	assert_non_null(strstr(buf_str(&r.body),
			       "sanilog_witness_add_checkpoint_total"
			       "{outcome=\"cosigned\"} 1\n"));
	assert_non_null(
		strstr(buf_str(&r.body), "sanilog_witness_evidence_total 2\n"));
	tl_reply_free(&r);

	/* The witness still cosigns the log's own branch. */
	cosign(f, l, 10, 15);
	assert_holds(f, l, 15);

	tlog_free(&fork);
	buf_free(&body);
	buf_free(&body2);
	buf_free(&held);
}

static void test_inconsistent(void **state)
{
	struct fx *f = *state;
	struct tlog *l = &f->a;
	struct buf body, held, note;
	uint8_t proof[WITNESS_PROOF_MAX][HASH_LEN];
	size_t n = 0;
	cosign(f, l, 0, 13);
	buf_init(&body, 1 << 20);
	buf_init(&held, 1 << 16);
	buf_init(&note, 1 << 16);
	tlog_checkpoint(l, 13, NULL, &held);
	tlog_checkpoint(l, 40, NULL, &note);
	assert_int_equal(
		merkle_prove_consistency(13, 40, tree_read, l, proof, &n),
		ST_OK);
	assert_true(n >= 2);
	size_t nev = 0;

	/* Each hash of the true proof changed in turn; a hash missing, one
	 * too many; the proof of other sizes. */
	for (size_t i = 0; i < n; i++) {
		uint8_t bad[WITNESS_PROOF_MAX][HASH_LEN];
		memcpy(bad, proof, n * HASH_LEN);
		bad[i][i % HASH_LEN] ^= 0x01;
		buf_reset(&body);
		body_of(&body, 13, (const uint8_t(*)[HASH_LEN])bad, n,
			note.data, note.len);
		refused(f, l, &body, 422, true, "a hash of the proof changed",
			NULL);
		nev++;
	}
	buf_reset(&body);
	body_of(&body, 13, (const uint8_t(*)[HASH_LEN])proof, n - 1, note.data,
		note.len);
	refused(f, l, &body, 422, true, "a hash missing", NULL);
	nev++;
	memcpy(proof[n], proof[0], HASH_LEN);
	buf_reset(&body);
	body_of(&body, 13, (const uint8_t(*)[HASH_LEN])proof, n + 1, note.data,
		note.len);
	refused(f, l, &body, 422, true, "a hash too many", NULL);
	nev++;
	/* 63 lines (as many as a body may hold) parse, and do not verify. */
	for (size_t i = n; i < WITNESS_PROOF_MAX; i++)
		memcpy(proof[i], proof[0], HASH_LEN);
	buf_reset(&body);
	body_of(&body, 13, (const uint8_t(*)[HASH_LEN])proof, WITNESS_PROOF_MAX,
		note.data, note.len);
	refused(f, l, &body, 422, true, "63 proof lines", NULL);
	nev++;
	/* The proof from 12 to 40 given as from 13. */
	uint8_t p12[MERKLE_MAX_PROOF][HASH_LEN];
	size_t n12 = 0;
	merkle_prove_consistency(12, 40, tree_read, l, p12, &n12);
	buf_reset(&body);
	body_of(&body, 13, (const uint8_t(*)[HASH_LEN])p12, n12, note.data,
		note.len);
	refused(f, l, &body, 422, true, "the proof of other sizes", NULL);
	nev++;
	/* No proof at all. */
	buf_reset(&body);
	body_of(&body, 13, NULL, 0, note.data, note.len);
	refused(f, l, &body, 422, true, "no proof", NULL);
	nev++;

	/* The held size again with a proof: it must be empty (422), but
	 * the tree is the one held: no evidence. */
	buf_reset(&body);
	body_of(&body, 13, (const uint8_t(*)[HASH_LEN])proof, 1, held.data,
		held.len);
	refused(f, l, &body, 422, false, "a proof from a size to itself", NULL);

	/* Every piece of evidence holds the checkpoint held. */
	struct evlist list;
	evidence_read(f, &list);
	assert_int_equal(list.n, nev);
	for (size_t i = 0; i < list.n; i++) {
		assert_int_equal(list.ev[i].status, 422);
		assert_int_equal(list.ev[i].held.len, held.len);
		assert_memory_equal(list.ev[i].held.data, held.data, held.len);
	}
	/* The last is the no-proof request, whole. */
	buf_reset(&body);
	body_of(&body, 13, NULL, 0, note.data, note.len);
	assert_evidence(&list, nev - 1, l, 422, &held, &body);
	evidence_free(&list);

	/* The true proof is cosigned. */
	cosign(f, l, 13, 40);
	assert_holds(f, l, 40);

	buf_free(&body);
	buf_free(&held);
	buf_free(&note);
}

/* ---- concurrency ---- */

/* A 200 one submitter saw: for which log, what size, and when it asked
 * and when the answer came (CLOCK_MONOTONIC, ns). */
struct seen {
	int log;
	int64_t size;
	int64_t asked, answered;
};

struct submitter {
	const struct fx *f;
	const struct tlog *logs;
	int nlogs;
	int rounds;
	uint64_t seed;
	pthread_barrier_t *start;
	struct seen *seen; /* room for rounds */
	size_t nseen;
	int conflicts, stale_sent;
	char err[700]; /* the first thing that went wrong, or "" */
};

/* xorshift64: the submitters' random choices, each thread its own
 * sequence from its seed (not 0). */
static uint32_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 32);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Submits rounds requests, each for a log picked at random from the size
 * this thread believes the witness holds (the size of its last 200, or
 * the one a 409 gave), to that plus 0 to 3; one in 8 is sent from a size
 * below the belief, which must be refused.  Records every 200. */
static void *submitter_run(void *arg)
{
	struct submitter *s = arg;
	int64_t belief[NMANY] = {0};
	struct tl_reply r;
	struct buf body;
	CURL *c = handle_new(&r);
	if (c == NULL) {
		snprintf(s->err, sizeof s->err, "curl_easy_init failed");
		return NULL;
	}
	buf_init(&body, 1 << 20);
	pthread_barrier_wait(s->start);
	for (int i = 0; i < s->rounds && s->err[0] == 0; i++) {
		int k = (int)(next_rand(&s->seed) % (unsigned)s->nlogs);
		const struct tlog *l = &s->logs[k];
		int64_t old = belief[k];
		bool stale = old > 0 && next_rand(&s->seed) % 8 == 0;
		if (stale) {
			old -= 1 +
			       (int64_t)(next_rand(&s->seed) % (unsigned)old);
			s->stale_sent++;
		}
		int64_t size = belief[k] + (int64_t)(next_rand(&s->seed) % 4);
		if (size >= MAXLEAVES)
			size = MAXLEAVES - 1;
		buf_reset(&body);
		request_of(l, old, size, &body);
		int64_t asked = now_ns();
		if (!post_on(c, s->f->url, body.data, body.len, &r, s->err,
			     sizeof s->err))
			break;
		int64_t answered = now_ns();
		if (r.code == 200 && !stale) {
			uint64_t t = 0;
			if (!cosig_check(s->f, l, size, &r.body, &t, s->err,
					 sizeof s->err))
				break;
			s->seen[s->nseen++] = (struct seen){
				.log = k,
				.size = size,
				.asked = asked,
				.answered = answered,
			};
			belief[k] = size;
		} else if (r.code == 409) {
			char *end = NULL;
			long long held = strtoll(buf_str(&r.body), &end, 10);
			if (end == NULL || *end != '\n' || held < belief[k]) {
				snprintf(s->err, sizeof s->err,
					 "409 \"%s\": not a size at least "
					 "%lld",
					 buf_str(&r.body),
					 (long long)belief[k]);
				break;
			}
			s->conflicts++;
			belief[k] = held;
		} else {
			snprintf(s->err, sizeof s->err,
				 "%s %lld -> %lld%s: status %ld (%s)",
				 l->origin, (long long)old, (long long)size,
				 stale ? " (stale)" : "", r.code,
				 buf_str(&r.body));
		}
	}
	buf_free(&body);
	tl_reply_free(&r);
	curl_easy_cleanup(c);
	return NULL;
}

/* Runs NTHREADS submitters over logs[0..nlogs) at once, then checks
 * each log: no 200 cosigned a size below one an earlier 200 did (one
 * answered before it was asked), and the witness holds the largest size
 * any 200 answered, in its database and in GET /, also after a
 * restart. */
static void run_submitters(struct fx *f, const struct tlog *logs, int nlogs,
			   int rounds)
{
	struct submitter s[NTHREADS];
	pthread_t th[NTHREADS];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		s[i] = (struct submitter){
			.f = f,
			.logs = logs,
			.nlogs = nlogs,
			.rounds = rounds,
			.seed = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1),
			.start = &start,
			.seen = calloc((size_t)rounds, sizeof(struct seen)),
		};
		assert_non_null(s[i].seen);
		assert_int_equal(
			pthread_create(&th[i], NULL, submitter_run, &s[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);

	int64_t largest[NMANY] = {0};
	size_t total = 0, cosigned = 0;
	int conflicts = 0, stale = 0;
	for (int i = 0; i < NTHREADS; i++) {
		if (s[i].err[0] != 0)
			fail_msg("submitter %d: %s", i, s[i].err);
		total += s[i].nseen;
		conflicts += s[i].conflicts;
		stale += s[i].stale_sent;
	}
	struct seen *all = calloc(total, sizeof *all);
	assert_non_null(all);
	for (int i = 0; i < NTHREADS; i++) {
		memcpy(all + cosigned, s[i].seen,
		       s[i].nseen * sizeof(struct seen));
		cosigned += s[i].nseen;
		free(s[i].seen);
	}
	for (size_t i = 0; i < total; i++) {
		if (all[i].size > largest[all[i].log])
			largest[all[i].log] = all[i].size;
		for (size_t j = 0; j < total; j++)
			if (all[j].log == all[i].log &&
			    all[j].asked > all[i].answered &&
			    all[j].size < all[i].size)
				fail_msg("%s: size %lld cosigned after size "
					 "%lld was",
					 logs[all[i].log].origin,
					 (long long)all[j].size,
					 (long long)all[i].size);
	}
	free(all);
	/* Every stale request was refused (409), and the submitters did
	 * get in each other's way. */
	assert_true(stale > 0);
	assert_true(conflicts >= stale);
	assert_true(total > 0);
	print_message("%zu cosigned, %d conflicts (%d sent stale) over %d "
		      "logs\n",
		      total, conflicts, stale, nlogs);
	for (int k = 0; k < nlogs; k++)
		if (largest[k] > 0)
			assert_holds(f, &logs[k], largest[k]);
	fx_stop(f);
	fx_start(f);
	for (int k = 0; k < nlogs; k++)
		if (largest[k] > 0)
			assert_holds(f, &logs[k], largest[k]);
}

static void test_concurrent_one_log(void **state)
{
	struct fx *f = *state;
	run_submitters(f, &f->a, 1, 40);
}

static void test_concurrent_many_logs(void **state)
{
	struct fx *f = *state;
	struct tlog *logs = calloc(NMANY, sizeof *logs);
	assert_non_null(logs);
	for (int i = 0; i < NMANY; i++) {
		char origin[64];
		snprintf(origin, sizeof origin, "log%02d.example/log", i);
		tlog_init(&logs[i], origin, (uint8_t)(0x10 + i), 0);
		fx_add(f, logs[i].vkey); /* while the witness runs */
	}
	run_submitters(f, logs, NMANY, 60);
	for (int i = 0; i < NMANY; i++)
		tlog_free(&logs[i]);
	free(logs);
}

/* ---- a commit that fails ---- */

/* Runs sql on the witness database through a connection of the test's
 * own. */
static void fx_sql(const struct fx *f, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static long healthz(const struct fx *f)
{
	struct tl_reply r;
	char url[128];
	snprintf(url, sizeof url, "%s/healthz", f->base);
	tl_get(url, &r);
	long code = r.code;
	tl_reply_free(&r);
	return code;
}

/* The database refuses the witness's update (a trigger aborts it): the
 * request is answered 503, nothing is cosigned, and the witness holds what
 * the database holds, so that the same request goes through (200, not
 * 409) once the database takes it again. */
static void test_commit_fails(void **state)
{
	struct fx *f = *state;
	struct buf body;
	struct tl_reply r;
	char retry[16];
	buf_init(&body, 1 << 20);
	cosign(f, &f->a, 0, 5);
	assert_int_equal(healthz(f), 200);

	fx_sql(f, "CREATE TRIGGER refuse BEFORE UPDATE ON logs BEGIN"
		  " SELECT RAISE(ABORT, 'the disk is on fire'); END;");
	request_of(&f->a, 5, 8, &body);
	for (int i = 0; i < 2; i++) {
		post(f, &body, &r);
		assert_int_equal(r.code, 503);
		assert_true(tl_header(&r, "Retry-After", retry, sizeof retry));
		assert_null(strstr(buf_str(&r.body), DASH));
		tl_reply_free(&r);
		assert_int_equal(healthz(f), 503);
		assert_holds(f, &f->a, 5);
	}
	/* The other log's update fails alike, and its state is kept. */
	buf_reset(&body);
	request_of(&f->b, 0, 2, &body);
	post_expect(f, &body, 503, "b while commits fail");
	assert_int_equal(info_size(f, f->b.vkey), 0);

	fx_sql(f, "DROP TRIGGER refuse;");
	cosign(f, &f->a, 5, 8);
	assert_holds(f, &f->a, 8);
	assert_int_equal(healthz(f), 200);
	cosign(f, &f->b, 0, 2);
	assert_holds(f, &f->b, 2);
	buf_free(&body);
}

/* ---- logs added and removed while the witness runs ---- */

static void test_add_remove_live(void **state)
{
	struct fx *f = *state;
	struct tlog c;
	struct buf body;
	buf_init(&body, 1 << 20);
	tlog_init(&c, "c.example/log", 0xc1, 0);
	cosign(f, &f->a, 0, 7);

	/* Unknown, then added on another connection: witnessed at once. */
	request_of(&c, 0, 4, &body);
	post_expect(f, &body, 404, "c before it is added");
	fx_add(f, c.vkey);
	cosign(f, &c, 0, 4);
	cosign(f, &c, 4, 9);
	assert_holds(f, &c, 9);

	/* Removed: refused from its next request on, and no longer shown. */
	fx_remove(f, f->a.origin);
	buf_reset(&body);
	request_of(&f->a, 7, 8, &body);
	post_expect(f, &body, 404, "a once removed");
	buf_reset(&body);
	request_of(&f->a, 7, 9, &body);
	post_expect(f, &body, 404, "a once removed, again");
	buf_reset(&body);
	request_of(&f->a, 0, 9, &body);
	post_expect(f, &body, 404, "a once removed, from 0");
	assert_int_equal(info_size(f, f->a.vkey), -1);

	/* The others go on. */
	cosign(f, &c, 9, 10);
	cosign(f, &f->b, 0, 2);

	/* Added again: witnessed afresh, from nothing. */
	fx_add(f, f->a.vkey);
	buf_reset(&body);
	request_of(&f->a, 7, 9, &body);
	struct tl_reply r;
	post(f, &body, &r);
	assert_409(&r, 0);
	tl_reply_free(&r);
	cosign(f, &f->a, 0, 3);
	assert_holds(f, &f->a, 3);

	/* And after a restart, as the database says. */
	fx_stop(f);
	fx_start(f);
	assert_holds(f, &f->a, 3);
	assert_holds(f, &c, 10);
	assert_holds(f, &f->b, 2);

	tlog_free(&c);
	buf_free(&body);
}

int main(void)
{
	assert_int_equal(sodium_init() >= 0, 1);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cosign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cosign_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_too_large, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_forbidden, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inconsistent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_one_log, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_many_logs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_remove_live, setup,
						teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
