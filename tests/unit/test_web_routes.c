/*
 * test_web_routes.c: the public routes of `sanilog serve` (web/app.h,
 * routes.c, tiles.c, pages.c), on the web service started in the test's
 * process over a log made with the sequencer.
 *
 * The home page and the lookup form (303 to the venue, 400 for what is no
 * venue id), in the language asked; the venue page (404 for a venue the
 * log lacks, 400 for a bad page number); the bundle, which verifies with
 * the log key and marks the revoked document; documents by hash (their
 * ETag, 304, their sandbox policy); the newest and kept checkpoints;
 * inclusion and consistency proofs that verify against them, and every
 * malformed or out-of-range question refused; the entries' and hashes'
 * tiles, byte for byte; assets with their tags, gzip and 304; health and
 * metrics; posters in each format, whose PNG scans back to the venue's
 * URL with the log's pin; and HEAD.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/bundle.h"
#include "core/codec.h"
#include "core/merkle.h"
#include "core/verify.h"
#include "lib/testlog.h"
#include "net/remote.h"
#include "core/pin.h"
#include "print/scan.h"
#include "web/app.h"

#define V1   "k7m2q9xa"
#define V2   "p3x8vz2e"
#define BASE "http://posters.example"

/* Under `make asan`: fontconfig, which Pango starts for the posters,
 * keeps what it loaded until the process ends.  Not ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

static struct testlog t;
static int64_t size; /* entries in the log */
static uint8_t doc1_sha[HASH_LEN];

static int setup(void **state)
{
	(void)state;
	struct seq_request rq;
	uint8_t doc[TL_PDF];
	tl_open(&t, BASE);
	tl_add_venue(&t, V1, "Bar Uno");
	tl_add_document(&t, V1, 1);
	tl_add_venue(&t, V2, "Trattoria Due");
	tl_add_document(&t, V1, 2);
	tl_add_document(&t, V2, 3);
	tl_revocation_request(&rq, V1, 1, "wrong file");
	tl_append(&t, &rq, 1);
	size = rq.index + 1;
	tl_pdf(1, doc);
	sha256(doc1_sha, doc, TL_PDF);
	tl_serve(&t, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tl_close(&t);
	return 0;
}

/* GETs path with the header lines (NULL-terminated, or NULL). */
static void get(const char *path, const char *const *headers,
		struct tl_reply *r)
{
	char url[4096];
	snprintf(url, sizeof url, "%s%s", t.url, path);
	tl_http("GET", url, headers, NULL, 0, r);
}

/* GETs path: its status must be code; the header name (when not NULL)
 * must be value. */
static void expect(const char *path, long code, const char *name,
		   const char *value)
{
	struct tl_reply r;
	get(path, NULL, &r);
	if (r.code != code)
		fail_msg("GET %s: %ld, not %ld: %s", path, r.code, code,
			 buf_str(&r.body));
	if (name != NULL) {
		char v[512];
		if (!tl_header(&r, name, v, sizeof v))
			fail_msg("GET %s: no %s", path, name);
		if (strcmp(v, value) != 0)
			fail_msg("GET %s: %s: %s, not %s", path, name, v,
				 value);
	}
	tl_reply_free(&r);
}

static void expect_has(const struct tl_reply *r, const char *what)
{
	if (strstr(buf_str(&r->body), what) == NULL)
		fail_msg("no \"%s\" in the body", what);
}

static void test_pages(void **state)
{
	(void)state;
	struct tl_reply r;
	char v[256];
	const char *const it[] = {"Accept-Language: it-IT,it;q=0.9", NULL};

	get("/", NULL, &r);
	assert_int_equal(r.code, 200);
	assert_true(tl_header(&r, "Content-Type", v, sizeof v));
	assert_string_equal(v, "text/html; charset=utf-8");
	assert_true(tl_header(&r, "Vary", v, sizeof v));
	assert_non_null(strstr(v, "Accept-Language"));
	expect_has(&r, "lang=\"en\"");
	tl_reply_free(&r);
	get("/", it, &r);
	expect_has(&r, "lang=\"it\"");
	tl_reply_free(&r);
	get("/?lang=en", it, &r);
	expect_has(&r, "lang=\"en\"");
	tl_reply_free(&r);

	/* The lookup form. */
	expect("/v/?id=K7M2-Q9XA", 303, "Location", "/v/" V1);
	expect("/v/?id=k7m2q9xa&lang=it", 303, "Location", "/v/" V1 "?lang=it");
	get("/v/?id=not+a+venue", NULL, &r);
	assert_int_equal(r.code, 400);
	assert_true(tl_header(&r, "Content-Type", v, sizeof v));
	assert_string_equal(v, "text/html; charset=utf-8");
	tl_reply_free(&r);

	/* The venue page: the record, the documents, the revocation. */
	get("/v/" V1, NULL, &r);
	assert_int_equal(r.code, 200);
	expect_has(&r, "Bar Uno");
	expect_has(&r, "Document 1");
	expect_has(&r, "Document 2");
	expect_has(&r, "wrong file");
	assert_null(strstr(buf_str(&r.body), "Trattoria Due"));
	tl_reply_free(&r);
	get("/v/" V1 "?lang=it", NULL, &r);
	expect_has(&r, "lang=\"it\"");
	tl_reply_free(&r);
	expect("/v/" V1 "?before=1", 200, NULL, NULL);
	expect("/v/" V1 "?before=01", 400, NULL, NULL);
	expect("/v/" V1 "?before=x", 400, NULL, NULL);
	get("/v/zzzzzzzz", NULL, &r);
	assert_int_equal(r.code, 404);
	assert_true(tl_header(&r, "Content-Type", v, sizeof v));
	assert_string_equal(v, "text/html; charset=utf-8");
	tl_reply_free(&r);
	expect("/v/NOTAVENUE", 404, NULL, NULL);
	expect("/nowhere", 404, NULL, NULL);
}

static void test_bundle(void **state)
{
	(void)state;
	struct tl_reply r;
	struct bundle *b = NULL;
	struct verify_report rep;
	struct err e;
	struct verify_options o = {.key = &t.key, .all_proofs = true};
	char v[64];

	get("/v/" V1 "/bundle.json", NULL, &r);
	assert_int_equal(r.code, 200);
	assert_true(tl_header(&r, "Content-Type", v, sizeof v));
	assert_string_equal(v, "application/json");
	assert_true(tl_header(&r, "Access-Control-Allow-Origin", v, sizeof v));
	assert_string_equal(v, "*");
	assert_int_equal(bundle_parse(buf_str(&r.body), r.body.len, &b, &e),
			 ST_OK);
	assert_string_equal(b->venue, V1);
	assert_string_equal(b->origin, TL_ORIGIN);
	assert_int_equal(b->nentries, 4);
	snprintf(o.today, sizeof o.today, TL_TODAY);
	assert_int_equal(verify_bundle(b, &o, &rep, &e), ST_OK);
	assert_true(rep.ok);
	assert_int_equal(rep.checkpoint.size, size);
	assert_int_equal(rep.nitems, 4);
	assert_true(rep.items[1].revoked);
	assert_false(rep.items[2].revoked);
	assert_string_equal(rep.name, "Bar Uno");
	verify_report_free(&rep);
	bundle_free(b);
	tl_reply_free(&r);

	get("/v/zzzzzzzz/bundle.json", NULL, &r);
	assert_int_equal(r.code, 404);
	assert_non_null(strstr(buf_str(&r.body), "\"code\":\"not_found\""));
	tl_reply_free(&r);
	expect("/v/ZZ/bundle.json", 404, NULL, NULL);
	/* HEAD: the head, no body. */
	char url[256];
	snprintf(url, sizeof url, "%s/v/" V1 "/bundle.json", t.url);
	tl_http("HEAD", url, NULL, NULL, 0, &r);
	assert_int_equal(r.code, 200);
	assert_int_equal(r.body.len, 0);
	tl_reply_free(&r);
}

static void test_documents(void **state)
{
	(void)state;
	struct tl_reply r;
	char hex[2 * HASH_LEN + 1], path[128], etag[80], v[128], inm[128];
	uint8_t doc[TL_PDF];
	hex_encode(hex, doc1_sha, HASH_LEN);
	snprintf(path, sizeof path, "/d/%s", hex);
	get(path, NULL, &r);
	assert_int_equal(r.code, 200);
	tl_pdf(1, doc);
	assert_int_equal(r.body.len, TL_PDF);
	assert_memory_equal(r.body.data, doc, TL_PDF);
	assert_true(tl_header(&r, "Content-Type", v, sizeof v));
	assert_string_equal(v, "application/pdf");
	assert_true(tl_header(&r, "Content-Security-Policy", v, sizeof v));
	assert_string_equal(v, "sandbox");
	assert_true(tl_header(&r, "Cache-Control", v, sizeof v));
	assert_string_equal(v, HTTP_CACHE_IMMUTABLE);
	assert_true(tl_header(&r, "ETag", etag, sizeof etag));
	snprintf(v, sizeof v, "\"%s\"", hex);
	assert_string_equal(etag, v);
	tl_reply_free(&r);

	const char *const h[] = {inm, NULL};
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	get(path, h, &r);
	assert_int_equal(r.code, 304);
	assert_int_equal(r.body.len, 0);
	tl_reply_free(&r);

	/* Upper case, short, or no such document. */
	for (char *c = hex; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	snprintf(path, sizeof path, "/d/%s", hex);
	expect(path, 404, NULL, NULL);
	expect("/d/abcd", 404, NULL, NULL);
	memset(hex, '0', 2 * HASH_LEN);
	snprintf(path, sizeof path, "/d/%s", hex);
	expect(path, 404, NULL, NULL);
}

/* The kept checkpoint of n (the newest when n < 0) at dir ("checkpoints"
 * or the older "checkpoint"), opened. */
static void checkpoint_at(const char *dir, int64_t n, struct checkpoint *c)
{
	struct tl_reply r;
	struct err e;
	char path[64], v[128];
	if (n < 0)
		snprintf(path, sizeof path, "/checkpoint");
	else
		snprintf(path, sizeof path, "/%s/%lld", dir, (long long)n);
	get(path, NULL, &r);
	assert_int_equal(r.code, 200);
	if (checkpoint_open(buf_str(&r.body), r.body.len, &t.key, c, &e) !=
	    ST_OK)
		fail_msg("%s: %s", path, e.msg);
	assert_true(tl_header(&r, "Cache-Control", v, sizeof v));
	assert_string_equal(v, n < 0 ? HTTP_CACHE_NONE : HTTP_CACHE_IMMUTABLE);
	tl_reply_free(&r);
}

static void test_checkpoints(void **state)
{
	(void)state;
	struct checkpoint c, old;
	checkpoint_at(NULL, -1, &c);
	assert_int_equal(c.size, size);
	for (int64_t n = 0; n <= size; n++) {
		checkpoint_at("checkpoints", n, &c);
		assert_int_equal(c.size, n);
		/* The older path is the same checkpoint. */
		checkpoint_at("checkpoint", n, &old);
		assert_int_equal(old.size, n);
		assert_memory_equal(old.root, c.root, HASH_LEN);
	}
	static const char *const missing[] = {"/99", "/01", "/-1", "/", ""};
	char path[64];
	for (size_t i = 0; i < sizeof missing / sizeof *missing; i++) {
		snprintf(path, sizeof path, "/checkpoints%s", missing[i]);
		expect(path, 404, NULL, NULL);
		snprintf(path, sizeof path, "/checkpoint%s", missing[i]);
		if (missing[i][0] != 0)
			expect(path, 404, NULL, NULL);
	}
}

/* The proof at path, parsed; status code first. */
static void proof_at(const char *path, uint8_t (*proof)[HASH_LEN], size_t *len)
{
	struct tl_reply r;
	char why[128];
	get(path, NULL, &r);
	if (r.code != 200)
		fail_msg("%s: %ld: %s", path, r.code, buf_str(&r.body));
	if (!remote_parse_proof(&r.body, proof, len, why, sizeof why))
		fail_msg("%s: %s", path, why);
	tl_reply_free(&r);
}

static void test_proofs(void **state)
{
	(void)state;
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN], leaf[HASH_LEN];
	size_t len = 0;
	char path[128];
	struct checkpoint cn, co;
	struct err e;
	struct store *s = NULL;
	struct buf text;
	checkpoint_at("checkpoints", size, &cn);
	assert_int_equal(store_open(t.db, STORE_READONLY, &s, &e), ST_OK);
	buf_init(&text, ENTRY_MAX);
	for (int64_t i = 0; i < size; i++) {
		snprintf(path, sizeof path,
			 "/proof/inclusion?index=%lld&size=%lld", (long long)i,
			 (long long)size);
		proof_at(path, proof, &len);
		buf_reset(&text);
		assert_int_equal(store_entry(s, i, &text, NULL), ST_OK);
		merkle_leaf_hash(leaf, text.data, text.len);
		assert_int_equal(merkle_verify_inclusion(leaf, i, size, proof,
							 len, cn.root),
				 ST_OK);
		/* Not for another leaf. */
		leaf[0] ^= 1;
		assert_int_not_equal(merkle_verify_inclusion(leaf, i, size,
							     proof, len,
							     cn.root),
				     ST_OK);
	}
	buf_free(&text);
	store_close(s);
	for (int64_t old = 1; old <= size; old++) {
		checkpoint_at("checkpoints", old, &co);
		snprintf(path, sizeof path,
			 "/proof/consistency?old=%lld&new=%lld", (long long)old,
			 (long long)size);
		proof_at(path, proof, &len);
		assert_int_equal(merkle_verify_consistency(old, size, co.root,
							   cn.root, proof, len),
				 ST_OK);
	}
	static const char *const bad[] = {
		"/proof/inclusion?size=3",
		"/proof/inclusion?index=0",
		"/proof/inclusion?index=&size=3",
		"/proof/inclusion?index=0&size=0",
		"/proof/inclusion?index=3&size=3",
		"/proof/inclusion?index=0&size=99",
		"/proof/inclusion?index=01&size=3",
		"/proof/inclusion?index=-1&size=3",
		"/proof/inclusion?index=x&size=3",
		"/proof/consistency?old=1",
		"/proof/consistency?old=3&new=2",
		"/proof/consistency?old=1&new=99",
		"/proof/consistency?old=+1&new=2",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect(bad[i], 400, NULL, NULL);
}

static void test_tiles(void **state)
{
	(void)state;
	struct tl_reply r;
	struct store *s = NULL;
	struct err e;
	struct buf text, want;
	char path[64];
	assert_int_equal(store_open(t.db, STORE_READONLY, &s, &e), ST_OK);
	buf_init(&text, ENTRY_MAX);
	buf_init(&want, 1 << 20);
	for (int64_t i = 0; i < size; i++) {
		buf_reset(&text);
		assert_int_equal(store_entry(s, i, &text, NULL), ST_OK);
		uint8_t be[2] = {(uint8_t)(text.len >> 8), (uint8_t)text.len};
		buf_append(&want, be, 2);
		buf_append(&want, text.data, text.len);
	}
	snprintf(path, sizeof path, "/tile/entries/000.p/%lld",
		 (long long)size);
	get(path, NULL, &r);
	assert_int_equal(r.code, 200);
	assert_int_equal(r.body.len, want.len);
	assert_memory_equal(r.body.data, want.data, want.len);
	tl_reply_free(&r);

	/* Level 0: the leaf hashes. */
	snprintf(path, sizeof path, "/tile/0/000.p/%lld", (long long)size);
	get(path, NULL, &r);
	assert_int_equal(r.code, 200);
	assert_int_equal(r.body.len, (size_t)size * HASH_LEN);
	for (int64_t i = 0; i < size; i++) {
		uint8_t leaf[HASH_LEN];
		buf_reset(&text);
		assert_int_equal(store_entry(s, i, &text, NULL), ST_OK);
		merkle_leaf_hash(leaf, text.data, text.len);
		assert_memory_equal(r.body.data + i * HASH_LEN, leaf, HASH_LEN);
	}
	tl_reply_free(&r);
	buf_free(&text);
	buf_free(&want);
	store_close(s);

	/* Tiles the log does not have, or that are not canonical. */
	snprintf(path, sizeof path, "/tile/entries/000.p/%lld",
		 (long long)size + 1);
	expect(path, 404, NULL, NULL);
	expect("/tile/entries/000", 404, NULL, NULL);
	expect("/tile/entries/001.p/1", 404, NULL, NULL);
	expect("/tile/entries/000.p/0", 404, NULL, NULL);
	expect("/tile/entries/0.p/1", 404, NULL, NULL);
	expect("/tile/entries/x000/000.p/1", 404, NULL, NULL);
	expect("/tile/64/000.p/1", 404, NULL, NULL);
	expect("/tile/00/000.p/1", 404, NULL, NULL);
}

static void test_assets(void **state)
{
	(void)state;
	struct tl_reply r;
	char etag[80], zetag[80], v[128], inm[128];
	const char *const gz[] = {"Accept-Encoding: gzip", NULL};
	get("/assets/verify.js", NULL, &r);
	assert_int_equal(r.code, 200);
	assert_true(r.body.len > 1000);
	assert_true(tl_header(&r, "ETag", etag, sizeof etag));
	assert_true(tl_header(&r, "Cache-Control", v, sizeof v));
	assert_string_equal(v, "public, max-age=300");
	assert_false(tl_header(&r, "Content-Encoding", v, sizeof v));
	size_t plain = r.body.len;
	tl_reply_free(&r);
	get("/assets/verify.js", gz, &r);
	assert_int_equal(r.code, 200);
	assert_true(tl_header(&r, "Content-Encoding", v, sizeof v));
	assert_string_equal(v, "gzip");
	assert_true(r.body.len < plain);
	assert_true(tl_header(&r, "ETag", zetag, sizeof zetag));
	assert_string_not_equal(etag, zetag);
	tl_reply_free(&r);
	const char *const h[] = {inm, NULL};
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	get("/assets/verify.js", h, &r);
	assert_int_equal(r.code, 304);
	tl_reply_free(&r);
	expect("/assets/style.css", 200, "Content-Type",
	       "text/css; charset=utf-8");
	expect("/assets/nope.js", 404, NULL, NULL);
	expect("/assets/", 404, NULL, NULL);
}

static void test_health_and_metrics(void **state)
{
	(void)state;
	struct tl_reply r;
	char want[64];
	get("/healthz", NULL, &r);
	assert_int_equal(r.code, 200);
	assert_string_equal(buf_str(&r.body), "ok\n");
	tl_reply_free(&r);
	/* A request is counted when the server has finished it, which may
	 * be just after its client has the answer: ask again, for at most
	 * two seconds, until the count shows. */
	const char *counted = "sanilog_http_requests_total{route=\"healthz\","
			      "code=\"200\"} 1\n";
	for (int tries = 0;; tries++) {
		get("/metrics", NULL, &r);
		assert_int_equal(r.code, 200);
		if (strstr(buf_str(&r.body), counted) != NULL || tries == 200)
			break;
		tl_reply_free(&r);
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	}
	snprintf(want, sizeof want, "\nsanilog_log_size %lld\n",
		 (long long)size);
	expect_has(&r, want);
	expect_has(&r, counted);
	expect_has(&r, "sanilog_disk_full 0\n");
	tl_reply_free(&r);
}

static void test_posters(void **state)
{
	(void)state;
	struct tl_reply r;
	char v[64], path[PATH_MAX + 32], text[1024];
	struct venue_url u;
	struct checkpoint c;
	struct err e;
	get("/v/" V1 "/poster.png?paper=a6", NULL, &r);
	assert_int_equal(r.code, 200);
	assert_true(tl_header(&r, "Content-Type", v, sizeof v));
	assert_string_equal(v, "image/png");
	snprintf(path, sizeof path, "%s/poster.png", t.dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(r.body.data, 1, r.body.len, f), r.body.len);
	assert_int_equal(fclose(f), 0);
	tl_reply_free(&r);
	/* The code: the venue's URL under the stored base, with the pin of
	 * the log's newest checkpoint and key. */
	assert_int_equal(scan_image(path, text, sizeof text, &e), ST_OK);
	assert_int_equal(pin_parse_venue_url(text, &u, &e), ST_OK);
	assert_string_equal(u.base, BASE);
	assert_string_equal(u.venue, V1);
	assert_true(u.has_pin);
	checkpoint_at(NULL, -1, &c);
	assert_int_equal(u.pin.size, c.size);
	assert_true(pin_root_matches(&u.pin, c.root));
	assert_true(pin_key_matches(&u.pin, t.vkey, strlen(t.vkey)));

	expect("/v/" V1 "/poster.pdf?paper=a5", 200, "Content-Type",
	       "application/pdf");
	expect("/v/" V1 "/poster.svg?lang=it", 200, "Content-Type",
	       "image/svg+xml");
	expect("/v/" V1 "/poster.pdf?paper=b5", 400, NULL, NULL);
	expect("/v/zzzzzzzz/poster.pdf", 404, NULL, NULL);
	expect("/v/NOTAVENUE/poster.pdf", 404, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_checkpoints),
		cmocka_unit_test(test_proofs),
		cmocka_unit_test(test_tiles),
		cmocka_unit_test(test_assets),
		cmocka_unit_test(test_health_and_metrics),
		cmocka_unit_test(test_posters),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
