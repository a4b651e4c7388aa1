/*
 * tiles.c: fuzzes the log's entry tiles as `sanilog verify URL --full`
 * reads them: remote_verify, in this process, against a log served from
 * memory by sanilog's own HTTP layer (http.h) on 127.0.0.1.
 *
 * The input is the body served for /tile/entries/000.p/<W>.  The harness
 * reads it as a tile itself (each entry after its big-endian uint16
 * length, at most 255) and serves the log those entries make: a
 * checkpoint of W entries signed by a key of its own, the bundle of
 * venue k7m2q9xa holding every entry that names the venue and every
 * provider entry, with their inclusion proofs, and for the poster's pin
 * the checkpoint of W/2 entries and the consistency proof from it, and
 * its hash tile /tile/0/000.p/<W>, the leaves' hashes (kept checkpoints
 * at /checkpoint/<n> only: the verifier falls back to it).  An
 * input that is no tile is still served, as the tile of a log of one
 * entry; a bundle that cannot hold an entry it should (a NUL, not UTF-8)
 * is served empty.
 *
 * remote_verify must make its checks (ST_OK) whatever the tile holds;
 * when the input is a whole tile and the bundle holds what it should,
 * the tree is the checkpoint's, its hash tile the tree's, and the bundle
 * complete: rule 9 passes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>

#include "core/bundle.h"
#include "core/codec.h"
#include "core/merkle.h"
#include "lib/fuzz.h"
#include "net/remote.h"
#include "web/http.h"

#define ORIGIN	    "fuzz.sanilog.example"
#define VENUE	    "k7m2q9xa"
#define MAX_ENTRIES 255
#define VENUE_HEAD  ENTRY_HEAD "venue " VENUE "\n"
#define PROV_HEAD   ENTRY_HEAD "kind provider-"

/* What the server serves for the current input (set before each run,
 * read by the server's thread while remote_verify waits for it). */
static struct {
	pthread_mutex_t lock;
	const uint8_t *tile;
	size_t tile_len;
	struct buf bundle, old_cp, proof, hashes;
} log_served = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct note_signer *signer;
static struct note_verifier vkey;
static char vkey_text[NOTE_VKEY_MAX + 1];
static struct http_server *server;
static char base[64];

static void reply(struct http_request *rq, const void *body, size_t len,
		  const char *mime)
{
	pthread_mutex_lock(&log_served.lock);
	http_reply(rq, 200, mime, body, len);
	pthread_mutex_unlock(&log_served.lock);
}

static enum http_next r_bundle(struct http_request *rq)
{
	reply(rq, log_served.bundle.data, log_served.bundle.len,
	      "application/json");
	return HTTP_DONE;
}

static enum http_next r_checkpoint(struct http_request *rq)
{
	reply(rq, log_served.old_cp.data, log_served.old_cp.len, "text/plain");
	return HTTP_DONE;
}

static enum http_next r_proof(struct http_request *rq)
{
	reply(rq, log_served.proof.data, log_served.proof.len, "text/plain");
	return HTTP_DONE;
}

static enum http_next r_tile(struct http_request *rq)
{
	reply(rq, log_served.tile, log_served.tile_len,
	      "application/octet-stream");
	return HTTP_DONE;
}

static enum http_next r_hashes(struct http_request *rq)
{
	reply(rq, log_served.hashes.data, log_served.hashes.len,
	      "application/octet-stream");
	return HTTP_DONE;
}

static enum http_next r_missing(struct http_request *rq)
{
	http_reply_error(rq, ST_NOT_FOUND, 0, "no such document");
	return HTTP_DONE;
}

static const struct http_route routes[] = {
	{.pattern = "/v/{}/bundle.json",
	 .methods = HTTP_GET,
	 .handle = r_bundle},
	{.pattern = "/checkpoint/{}",
	 .methods = HTTP_GET,
	 .handle = r_checkpoint},
	{.pattern = "/proof/consistency",
	 .methods = HTTP_GET,
	 .handle = r_proof},
	{.pattern = "/tile/entries/{*}", .methods = HTTP_GET, .handle = r_tile},
	{.pattern = "/tile/0/{*}", .methods = HTTP_GET, .handle = r_hashes},
	{.pattern = "/d/{}", .methods = HTTP_GET, .handle = r_missing},
};

static void stop(void)
{
	http_server_free(server);
	note_signer_free(signer);
	buf_free(&log_served.bundle);
	buf_free(&log_served.old_cp);
	buf_free(&log_served.proof);
	buf_free(&log_served.hashes);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	uint8_t seed[32];
	struct err e;
	if (sodium_init() < 0)
		return -1;
	(void)signal(SIGPIPE, SIG_IGN); /* fails only for a bad signal */
	memset(seed, 7, sizeof seed);
	fuzz_assert(note_signer_from_seed(ORIGIN, seed, &signer, &e) == ST_OK);
	note_signer_verifier(signer, &vkey);
	note_verifier_format(&vkey, vkey_text, sizeof vkey_text);

	struct http_config cfg = {
		.threads = 1, .max_connections = 16, .timeout = 10};
	struct sockaddr_in *a = (struct sockaddr_in *)&cfg.addr;
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cfg.addrlen = sizeof *a;
	fuzz_assert(http_server_new(&cfg, routes,
				    sizeof routes / sizeof routes[0], NULL,
				    &server, &e) == ST_OK);
	snprintf(base, sizeof base, "http://127.0.0.1:%u",
		 http_server_port(server));
	buf_init(&log_served.bundle, BUNDLE_MAX);
	buf_init(&log_served.old_cp, 1 << 16);
	buf_init(&log_served.proof, 1 << 16);
	buf_init(&log_served.hashes, (size_t)MAX_ENTRIES * HASH_LEN);
	fuzz_assert(atexit(stop) == 0);
	return 0;
}

/* The tree's stored hashes, for the merkle.h reader. */
struct tree {
	uint8_t (*stored)[HASH_LEN];
	int64_t count;
};

static enum status read_stored(void *ctx, const int64_t *indexes, size_t count,
			       uint8_t (*out)[HASH_LEN])
{
	const struct tree *t = ctx;
	for (size_t i = 0; i < count; i++) {
		fuzz_assert(indexes[i] >= 0 && indexes[i] < t->count);
		memcpy(out[i], t->stored[indexes[i]], HASH_LEN);
	}
	return ST_OK;
}

/* Reads the input as a tile: the entries' offsets and lengths (at most
 * MAX_ENTRIES), and whether that was the whole input. */
static size_t walk(const uint8_t *data, size_t size, size_t *off, size_t *len,
		   bool *whole)
{
	size_t n = 0, at = 0;
	while (n < MAX_ENTRIES && size - at >= 2) {
		size_t l = (size_t)data[at] << 8 | data[at + 1];
		if (l == 0 || l > ENTRY_MAX || size - at - 2 < l)
			break;
		off[n] = at + 2;
		len[n] = l;
		n++;
		at += 2 + l;
	}
	*whole = n > 0 && at == size;
	return n;
}

static bool starts(const uint8_t *p, size_t len, const char *head)
{
	size_t h = strlen(head);
	return len >= h && memcmp(p, head, h) == 0;
}

/* Signs the checkpoint of the first n leaves into out. */
static void sign_at(struct tree *t, int64_t n, struct buf *out)
{
	struct checkpoint cp = {.origin = ORIGIN, .size = n};
	struct err e;
	fuzz_assert(merkle_tree_hash(n, read_stored, t, cp.root) == ST_OK);
	buf_reset(out);
	fuzz_assert(checkpoint_sign(signer, &cp, out, &e) == ST_OK);
}

/* The bundle of the log: every entry of the venue and every provider
 * entry when all is true, else none.  False when one of them cannot be
 * in a bundle (a NUL, or not UTF-8, which JSON cannot hold). */
static bool make_bundle(const uint8_t *data, size_t n, const size_t *off,
			const size_t *len, struct tree *t, int64_t leaves,
			bool all)
{
	struct buf cp;
	struct bundle *b = NULL;
	bool ok = true;
	buf_init(&cp, 1 << 16);
	sign_at(t, leaves, &cp);
	fuzz_assert(bundle_new(ORIGIN, vkey_text, buf_str(&cp), VENUE, &b) ==
		    ST_OK);
	for (size_t i = 0; i < n && all && ok; i++) {
		const uint8_t *p = data + off[i];
		bool venue = starts(p, len[i], VENUE_HEAD);
		if (!venue && !starts(p, len[i], PROV_HEAD))
			continue;
		if (memchr(p, 0, len[i]) != NULL) {
			ok = false;
			break;
		}
		uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
		size_t plen = 0;
		fuzz_assert(merkle_prove_inclusion((int64_t)i, leaves,
						   read_stored, t, proof,
						   &plen) == ST_OK);
		fuzz_assert(bundle_add(b, !venue, (int64_t)i, (const char *)p,
				       len[i],
				       (const uint8_t(*)[HASH_LEN])proof,
				       plen) == ST_OK);
	}
	buf_reset(&log_served.bundle);
	ok = ok && bundle_format(b, &log_served.bundle) == ST_OK;
	bundle_free(b);
	buf_free(&cp);
	return ok;
}

/* Makes the log the input's entries make; false when the bundle cannot
 * hold all the entries it should (then it holds none). */
static bool make_log(const uint8_t *data, size_t size, size_t n,
		     const size_t *off, const size_t *len, struct tree *t,
		     struct venue_url *u)
{
	int64_t leaves = n > 0 ? (int64_t)n : 1;
	struct merkle_range mr;
	uint8_t leaf[HASH_LEN], stored[MERKLE_MAX_PROOF][HASH_LEN];
	size_t got = 0;
	struct err e;
	merkle_range_init(&mr);
	t->count = 0;
	buf_reset(&log_served.hashes);
	for (int64_t i = 0; i < leaves; i++) {
		if (n > 0)
			merkle_leaf_hash(leaf, data + off[i], len[i]);
		else
			merkle_leaf_hash(leaf, data, size);
		fuzz_assert(buf_append(&log_served.hashes, leaf, HASH_LEN) ==
			    ST_OK);
		merkle_range_push(&mr, leaf, stored, &got);
		memcpy(t->stored[t->count], stored, got * HASH_LEN);
		t->count += (int64_t)got;
	}
	bool complete = make_bundle(data, n, off, len, t, leaves, true);
	if (!complete)
		fuzz_assert(make_bundle(data, n, off, len, t, leaves, false));

	/* The pin: the checkpoint of half the log, and the proof from it. */
	int64_t old = leaves / 2;
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t plen = 0;
	struct checkpoint ocp;
	sign_at(t, old, &log_served.old_cp);
	fuzz_assert(checkpoint_open(buf_str(&log_served.old_cp),
				    log_served.old_cp.len, &vkey, &ocp,
				    &e) == ST_OK);
	fuzz_assert(merkle_prove_consistency(old, leaves, read_stored, t, proof,
					     &plen) == ST_OK);
	buf_reset(&log_served.proof);
	for (size_t i = 0; i < plen; i++) {
		char b64[64];
		b64_encode(b64, sizeof b64, proof[i], HASH_LEN, B64_STD);
		fuzz_assert(buf_printf(&log_served.proof, "%s\n", b64) ==
			    ST_OK);
	}
	memset(u, 0, sizeof *u);
	snprintf(u->base, sizeof u->base, "%s", base);
	snprintf(u->host, sizeof u->host, "%s", base + 7);
	snprintf(u->venue, sizeof u->venue, "%s", VENUE);
	u->has_pin = old > 0;
	pin_make(vkey_text, strlen(vkey_text), old, ocp.root, &u->pin);
	return complete;
}

static bool check_ok(const struct verify_report *rep, int rule,
		     const char *name)
{
	bool seen = false;
	for (size_t i = 0; i < rep->nchecks; i++) {
		if (rep->checks[i].rule != rule ||
		    strcmp(rep->checks[i].name, name) != 0)
			continue;
		if (!rep->checks[i].ok) {
			fprintf(stderr, "check %d %s: %s\n", rule, name,
				rep->checks[i].detail);
			return false;
		}
		seen = true;
	}
	return seen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off[MAX_ENTRIES], len[MAX_ENTRIES];
	bool whole = false;
	if (size == 0 || size > (size_t)MAX_ENTRIES * (2 + ENTRY_MAX))
		return 0;
	size_t n = walk(data, size, off, len, &whole);
	struct tree t = {.stored = malloc(2 * (MAX_ENTRIES + 1) * HASH_LEN)};
	struct venue_url u;
	fuzz_assert(t.stored != NULL);
	pthread_mutex_lock(&log_served.lock);
	bool complete = make_log(data, size, n, off, len, &t, &u);
	log_served.tile = data;
	log_served.tile_len = size;
	pthread_mutex_unlock(&log_served.lock);

	struct fetch_options fo = {.connect_timeout_ms = 5000,
				   .timeout_ms = 20000,
				   .stall_s = 10,
				   .max_redirects = -1};
	struct remote_options o = {.key = &vkey,
				   .today = "2026-12-01",
				   .full = true,
				   .parallel = 1,
				   .fetch = &fo};
	struct remote_result res;
	struct err e = {.msg = ""};
	enum status st = remote_verify(&u, &o, &res, &e);
	if (st != ST_OK)
		fprintf(stderr, "remote_verify: %s: %s\n", status_str(st),
			e.msg);
	fuzz_assert(st == ST_OK);
	fuzz_assert(res.have_bundle);
	if (whole && complete) {
		fuzz_assert(check_ok(&res.rep, 9, "tree"));
		fuzz_assert(check_ok(&res.rep, 9, "hash tiles"));
		fuzz_assert(check_ok(&res.rep, 9, "completeness"));
		fuzz_assert(res.full_entries == (int64_t)n);
	}
	remote_result_free(&res);
	free(t.stored);
	return 0;
}
