/*
 * test_web_api.c: the owner API of `sanilog serve` (api.c, routes listed
 * in web/app.h) on the web service started in the test's process, behind
 * a trusted proxy (this address) so that each test's requests come from
 * client addresses of their own (X-Forwarded-For, text only).
 *
 * Credentials, checked before any of the body: none or another scheme
 * (401 with WWW-Authenticate), a token of the wrong form or unknown
 * (401), another venue's (403), a venue the log lacks (404); each counted
 * against the client, which past its burst gets 429 with Retry-After
 * even with the right token.  An upload is answered 201 once logged: its
 * index, its leaf hash and a checkpoint signed by the log key that
 * includes it, the entry submitted by the owner with the file's hash, the
 * file served back.  Each bad field is refused with its status and a
 * message naming it, and logs nothing; a body of another type is 415, a
 * file over the limit 413.  Revocations, urlencoded: logged once, refused
 * again, and refused for a bad or missing field.  The metrics count all
 * of it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
#include "core/merkle.h"
#include "lib/testlog.h"
#include "web/app.h"

#define V1	"k7m2q9xa"
#define V2	"p3x8vz2e"
#define TOKEN1	"slo_unitUNITunit-unit_unitUNITunit-unit_unitUNI"
#define TOKEN2	"slo_twoTWOtwo2-two_twoTWOtwo2-two_twoTWOtwo2two"
#define OTHER	"slo_noneNONEnone-none_noneNONEnone-none_noneNON"
#define DOC_MAX 4096

static struct testlog t;
static int client = 1; /* the last byte of the next client's address */

static int setup(void **state)
{
	(void)state;
	struct web_options o = {
		.http = {.threads = 2,
			 .max_connections = 64,
			 .timeout = 10,
			 .has_proxy = true},
		.doc_max = DOC_MAX,
		.upload_memory = 1u << 20,
		.auth_burst = 3,
		.auth_drain = 600,
	};
	tl_open(&t, NULL);
	tl_add_venue(&t, V1, "Bar Uno");
	tl_add_venue(&t, V2, "Trattoria Due");
	tl_add_document(&t, V1, 1);
	tl_set_token(&t, V1, TOKEN1);
	tl_set_token(&t, V2, TOKEN2);
	assert_true(http_parse_ip("127.0.0.1", &o.http.proxy));
	tl_serve(&t, &o);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tl_close(&t);
	return 0;
}

/* POSTs body (of Content-Type line ctype) to the API's path of venue,
 * from client address 192.0.2.<from>, with the Authorization line auth
 * (or none). */
static void post(const char *venue, const char *what, int from,
		 const char *auth, const char *ctype, const struct buf *body,
		 struct tl_reply *r)
{
	char url[256], xff[64];
	const char *h[4] = {xff, ctype, NULL, NULL};
	snprintf(url, sizeof url, "%s/api/v1/venues/%s/%s", t.url, venue, what);
	snprintf(xff, sizeof xff, "X-Forwarded-For: 192.0.2.%d", from);
	h[2] = auth;
	tl_http("POST", url, h, body != NULL ? body->data : (const void *)"",
		body != NULL ? body->len : 0, r);
}

/* An upload of file[0..len) with the fields (name, value pairs,
 * NULL-terminated), as owner of V1 from a new address. */
static void upload(const char *const *fields, const uint8_t *file, size_t len,
		   struct tl_reply *r)
{
	struct buf body;
	char ctype[128];
	tl_multipart(&body, ctype, sizeof ctype, fields, file, len);
	post(V1, "documents", client++, "Authorization: Bearer " TOKEN1, ctype,
	     &body, r);
	buf_free(&body);
}

/* r's status is code and its error message holds what. */
static void expect_error(const struct tl_reply *r, long code, const char *what)
{
	if (r->code != code || strstr(buf_str(&r->body), what) == NULL)
		fail_msg("%ld %s, not %ld naming \"%s\"", r->code,
			 buf_str(&r->body), code, what);
}

static int64_t log_size(void)
{
	return tl_query(&t, "SELECT count(*) FROM entries");
}

/* The value of metric line name (with its labels) in /metrics. */
static long long metric(const char *name)
{
	return tl_metric(&t, name);
}

static void test_credentials(void **state)
{
	(void)state;
	struct tl_reply r;
	struct buf body;
	char ctype[128], v[128];
	static const char *const fields[] = {"type", "sanitization", NULL};
	long long failures = metric("sanilog_auth_failures_total");
	tl_multipart(&body, ctype, sizeof ctype, fields, NULL, 0);

	post(V1, "documents", client++, NULL, ctype, &body, &r);
	expect_error(&r, 401, "Authorization: Bearer");
	assert_true(tl_header(&r, "WWW-Authenticate", v, sizeof v));
	assert_string_equal(v, "Bearer realm=\"sanilog\"");
	tl_reply_free(&r);
	post(V1, "documents", client++, "Authorization: Basic " TOKEN1, ctype,
	     &body, &r);
	expect_error(&r, 401, "Authorization: Bearer");
	tl_reply_free(&r);
	post(V1, "documents", client++, "Authorization: Bearer slo_short",
	     ctype, &body, &r);
	expect_error(&r, 401, "not valid");
	tl_reply_free(&r);
	post(V1, "documents", client++, "Authorization: Bearer " TOKEN1 "x",
	     ctype, &body, &r);
	expect_error(&r, 401, "not valid");
	tl_reply_free(&r);
	post(V1, "documents", client++, "Authorization: Bearer " OTHER, ctype,
	     &body, &r);
	expect_error(&r, 401, "owner token not valid");
	tl_reply_free(&r);
	post(V1, "revocations", client++, "Authorization: Bearer " TOKEN2,
	     ctype, &body, &r);
	expect_error(&r, 403, "another venue");
	tl_reply_free(&r);
	post("zzzzzzzz", "documents", client++, "Authorization: Bearer " TOKEN1,
	     ctype, &body, &r);
	expect_error(&r, 404, "venue: not found");
	tl_reply_free(&r);
	post("NOTAVENUE", "documents", client++,
	     "Authorization: Bearer " TOKEN1, ctype, &body, &r);
	expect_error(&r, 404, "not found");
	tl_reply_free(&r);
	assert_int_equal(metric("sanilog_auth_failures_total"), failures + 8);

	/* One client's failures: past the burst, even the right token
	 * waits; another client is not held up. */
	for (int i = 0; i < 3; i++) {
		post(V1, "documents", 200, "Authorization: Bearer " OTHER,
		     ctype, &body, &r);
		assert_int_equal(r.code, 401);
		tl_reply_free(&r);
	}
	post(V1, "documents", 200, "Authorization: Bearer " TOKEN1, ctype,
	     &body, &r);
	expect_error(&r, 429, "too many failed attempts");
	assert_true(tl_header(&r, "Retry-After", v, sizeof v));
	int64_t secs = 0;
	assert_true(dec_parse(v, &secs) && secs > 0);
	tl_reply_free(&r);
	post(V1, "documents", client++, "Authorization: Bearer " TOKEN1, ctype,
	     &body, &r);
	expect_error(&r, 400, "file: missing");
	tl_reply_free(&r);
	buf_free(&body);
}

static void test_upload(void **state)
{
	(void)state;
	struct tl_reply r;
	uint8_t doc[TL_PDF], sha[HASH_LEN], leaf[HASH_LEN];
	static const char *const fields[] = {
		"type",	     "disinfection", "title",	"Disinfezione",
		"performed", "2026-11-24",   "expires", "2027-11-24",
		"provider",  "Clean Co",     NULL};
	int64_t size = log_size();
	long long logged = metric("sanilog_uploads_total{result=\"logged\"}");
	tl_pdf(7, doc);
	sha256(sha, doc, TL_PDF);
	upload(fields, doc, TL_PDF, &r);
	if (r.code != 201)
		fail_msg("%ld: %s", r.code, buf_str(&r.body));

	json_error_t je;
	json_t *j = json_loads(buf_str(&r.body), 0, &je);
	assert_non_null(j);
	int64_t index = json_integer_value(json_object_get(j, "index"));
	const char *lhex = json_string_value(json_object_get(j, "leaf"));
	const char *cp = json_string_value(json_object_get(j, "checkpoint"));
	assert_int_equal(index, size);
	assert_non_null(lhex);
	assert_non_null(cp);
	struct checkpoint c;
	struct err e;
	assert_int_equal(checkpoint_open(cp, strlen(cp), &t.key, &c, &e),
			 ST_OK);
	assert_int_equal(c.size, size + 1);

	/* The entry as logged: the owner's, of that file. */
	struct store *s = NULL;
	struct buf text;
	struct entry en;
	char hex[2 * HASH_LEN + 1];
	buf_init(&text, ENTRY_MAX);
	assert_int_equal(store_open(t.db, STORE_READONLY, &s, &e), ST_OK);
	assert_int_equal(store_entry(s, index, &text, NULL), ST_OK);
	store_close(s);
	merkle_leaf_hash(leaf, text.data, text.len);
	hex_encode(hex, leaf, HASH_LEN);
	assert_string_equal(lhex, hex);
	assert_int_equal(entry_parse(buf_str(&text), text.len, &en, &e), ST_OK);
	assert_string_equal(en.venue, V1);
	assert_string_equal(en.submitted_by, "owner");
	assert_string_equal(en.type, "disinfection");
	assert_string_equal(en.title, "Disinfezione");
	assert_string_equal(en.expires, "2027-11-24");
	assert_string_equal(en.provider, "Clean Co");
	assert_memory_equal(en.doc_sha256, sha, HASH_LEN);
	buf_free(&text);
	json_decref(j);
	tl_reply_free(&r);

	/* Served back by its hash. */
	char url[256];
	hex_encode(hex, sha, HASH_LEN);
	snprintf(url, sizeof url, "%s/d/%s", t.url, hex);
	tl_get(url, &r);
	assert_int_equal(r.code, 200);
	assert_memory_equal(r.body.data, doc, TL_PDF);
	tl_reply_free(&r);
	assert_int_equal(metric("sanilog_uploads_total{result=\"logged\"}"),
			 logged + 1);
}

static void test_upload_refused(void **state)
{
	(void)state;
	struct tl_reply r;
	uint8_t doc[TL_PDF], big[DOC_MAX + 1];
	int64_t size = log_size();
	long long refused = metric("sanilog_uploads_total{result=\"refused\"}");
	tl_pdf(8, doc);
	memset(big, 'x', sizeof big);
	memcpy(big, "%PDF-1.4", 8);
	static const struct {
		const char *fields[16];
		bool file;
		long code;
		const char *what;
	} v[] = {
		{{"type", "sanitization", "title", "T", "performed",
		  "2026-11-20", NULL},
		 false,
		 400,
		 "file: missing"},
		{{"title", "T", "performed", "2026-11-20", NULL},
		 true,
		 400,
		 "type: missing"},
		{{"type", "cleaning", "title", "T", "performed", "2026-11-20",
		  NULL},
		 true,
		 400,
		 "type: must be"},
		{{"type", "sanitization", "performed", "2026-11-20", NULL},
		 true,
		 400,
		 "title: missing"},
		{{"type", "sanitization", "title", " T", "performed",
		  "2026-11-20", NULL},
		 true,
		 400,
		 "title"},
		{{"type", "sanitization", "title", "T", NULL},
		 true,
		 400,
		 "performed: missing"},
		{{"type", "sanitization", "title", "T", "performed",
		  "2026-02-30", NULL},
		 true,
		 400,
		 "performed: not a date"},
		{{"type", "sanitization", "title", "T", "performed",
		  "2026-11-26", NULL},
		 true,
		 400,
		 "performed: after today"},
		{{"type", "sanitization", "title", "T", "performed",
		  "2026-11-20", "expires", "2026-11-19", NULL},
		 true,
		 400,
		 "expires: before performed"},
		{{"type", "sanitization", "title", "T", "performed",
		  "2026-11-20", "color", "red", NULL},
		 true,
		 400,
		 "color: unknown field"},
		{{"type", "sanitization", "title", "T", "title", "U",
		  "performed", "2026-11-20", NULL},
		 true,
		 400,
		 "title: given twice"},
		{{"type", "sanitization", "title", "T", "performed",
		  "2026-11-20", "attestation", "x", NULL},
		 true,
		 400,
		 "provider: needed with an attestation"},
		{{"type", "sanitization", "title", "T", "performed",
		  "2026-11-20", "provider", "nobody.example", "attestation",
		  "x", NULL},
		 true,
		 400,
		 "provider nobody.example"},
		{{"type", "sanitization", "title", "T", "performed",
		  "2026-11-20", "seq", "1", NULL},
		 true,
		 400,
		 "seq: unknown field"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		upload(v[i].fields, v[i].file ? doc : NULL, TL_PDF, &r);
		expect_error(&r, v[i].code, v[i].what);
		tl_reply_free(&r);
	}
	static const char *const good[] = {"type", "sanitization", "title",
					   "T",	   "performed",	   "2026-11-20",
					   NULL};
	/* Not a PDF, PNG or JPEG; over the limit. */
	upload(good, (const uint8_t *)"plain text, not a document", 26, &r);
	expect_error(&r, 415, "file: not a PDF, PNG or JPEG");
	tl_reply_free(&r);
	upload(good, big, sizeof big, &r);
	expect_error(&r, 413, "file: larger than");
	tl_reply_free(&r);

	/* A body of another type. */
	struct buf body;
	char ctype[128];
	tl_multipart(&body, ctype, sizeof ctype, good, doc, TL_PDF);
	post(V1, "documents", client++, "Authorization: Bearer " TOKEN1,
	     "Content-Type: text/plain", &body, &r);
	expect_error(&r, 415, "Content-Type");
	tl_reply_free(&r);
	post(V1, "documents", client++, "Authorization: Bearer " TOKEN1,
	     "Content-Type: multipart/form-data", &body, &r);
	expect_error(&r, 415, "Content-Type");
	tl_reply_free(&r);
	buf_free(&body);

	assert_int_equal(log_size(), size);
	/* Counted: at least those refused once the body was in (11 of the
	 * table's, and the text file). */
	assert_true(metric("sanilog_uploads_total{result=\"refused\"}") >=
		    refused + 12);
}

/* A revocation of V1's seq with reason (urlencoded body). */
static void revoke(const char *form, struct tl_reply *r)
{
	struct buf body;
	buf_init(&body, 4096);
	buf_append_str(&body, form);
	post(V1, "revocations", client++, "Authorization: bearer  " TOKEN1 " ",
	     "Content-Type: application/x-www-form-urlencoded", &body, r);
	buf_free(&body);
}

static void test_revocations(void **state)
{
	(void)state;
	struct tl_reply r;
	int64_t size = log_size();
	revoke("seq=1&reason=wrong+file%21", &r);
	if (r.code != 201)
		fail_msg("%ld: %s", r.code, buf_str(&r.body));
	tl_reply_free(&r);
	assert_int_equal(log_size(), size + 1);
	assert_int_equal(tl_query(&t, "SELECT count(*) FROM entries WHERE "
				      "revokes = 1 AND venue = '" V1 "'"),
			 1);

	revoke("seq=1&reason=again", &r);
	expect_error(&r, 400, "already revoked");
	tl_reply_free(&r);
	revoke("seq=0&reason=the+venue", &r);
	expect_error(&r, 400,
		     "revokes venue-seq 0, a kind venue entry, not a document");
	tl_reply_free(&r);
	revoke("seq=x&reason=r", &r);
	expect_error(&r, 400, "seq: not a whole number");
	tl_reply_free(&r);
	revoke("reason=r", &r);
	expect_error(&r, 400, "seq: missing");
	tl_reply_free(&r);
	revoke("seq=2", &r);
	expect_error(&r, 400, "reason: missing");
	tl_reply_free(&r);
	revoke("seq=2&reason=r&title=t", &r);
	expect_error(&r, 400, "title: unknown field");
	tl_reply_free(&r);
	assert_int_equal(log_size(), size + 1);
	assert_int_equal(metric("sanilog_revocations_total{result=\"logged\"}"),
			 1);
	assert_true(metric("sanilog_revocations_total{result=\"refused\"}") >=
		    5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_upload),
		cmocka_unit_test(test_upload_refused),
		cmocka_unit_test(test_revocations),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
