/*
 * test_remote.c: the remote verifier (net/remote.h) against the web
 * service started in the test's process, and its fetches (net/fetch.h)
 * against a tiny responder in the test whose answers misbehave on
 * purpose.  The checkpoint cache lives in the test's temporary directory
 * (XDG_CACHE_HOME).
 *
 * A venue verifies from its poster's URL: every check passes, the pin is
 * the log's, the checkpoint is remembered once, found again, and then
 * extended as the log grows; with full, the whole log is read through
 * its tiles; with --key, only the log's key passes.  A pin of another
 * key, another root or a larger tree fails its check (pin key, fork,
 * rollback); a venue the log lacks is not found (ST_NOT_FOUND); a log
 * rolled back under the cache fails rule 8 and is not remembered.  A
 * server whose bundle is no bundle fails the bundle check; one that
 * answers 500 stops the run.  Fetches: each status as fetch.h lists it,
 * the server's message in e, redirects followed up to the limit and
 * never to another scheme, a body over the room cut off with or without
 * a length, a short or stalled body, only http and https, the output
 * unaltered on failure; many fetches handed over in order, the first
 * failure stopping them.  Proofs as /proof/ serves them, parsed.  The
 * tiles of rule 9 in their order, every tile of each size once, each
 * hash tile after its last leaf; hash tiles compared with the tree
 * rebuilt, as served, changed or cut.
 * The survey of the whole log (net/survey.h): every venue, its state on
 * the day, every check passing; another key fails and gives no venue; a
 * log's URL and a venue URL of it read, anything else refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/codec.h"
#include "lib/testlog.h"
#include "net/fetch.h"
#include "net/remote.h"
#include "net/remote_private.h"
#include "net/seen.h"
#include "net/survey.h"
#include "core/pin.h"
#include "store/export.h"
#include "print/poster.h"

#define V1 "k7m2q9xa"
#define V2 "p3x8vz2e"

static struct testlog t;
static struct tl_responder *resp;
static unsigned rport;

/* ---- the responder's answers, by the request's path ---- */

static void answer(int fd, const char *status, const char *headers,
		   const char *body)
{
	char head[1024];
	snprintf(head, sizeof head,
		 "HTTP/1.1 %s\r\nConnection: close\r\n%sContent-Length: "
		 "%zu\r\n\r\n",
		 status, headers, strlen(body));
	tl_write(fd, head, strlen(head));
	tl_write(fd, body, strlen(body));
}

static void respond(void *ctx, const char *head, size_t len, int fd)
{
	(void)ctx;
	(void)len;
	char path[512], loc[600];
	if (sscanf(head, "GET %511s ", path) != 1)
		return;
	if (strncmp(path, "/ok/", 4) == 0) {
		answer(fd, "200 OK", "", path + 4);
	} else if (strncmp(path, "/code/", 6) == 0) {
		char status[32];
		snprintf(status, sizeof status, "%.3s X", path + 6);
		answer(fd, status, "", "first line\nsecond line\n");
	} else if (strcmp(path, "/json500") == 0) {
		answer(fd, "500 Internal Server Error",
		       "Content-Type: application/json\r\n",
		       "{\"error\":{\"code\":\"internal\",\"message\":"
		       "\"boom\\u0007 here\"}}");
	} else if (strncmp(path, "/redirect/", 10) == 0) {
		int k = (int)strtol(path + 10, NULL, 10);
		if (k == 0)
			snprintf(loc, sizeof loc, "Location: /ok/arrived\r\n");
		else
			snprintf(loc, sizeof loc, "Location: /redirect/%d\r\n",
				 k - 1);
		answer(fd, "302 Found", loc, "");
	} else if (strcmp(path, "/ftp") == 0) {
		answer(fd, "302 Found", "Location: ftp://127.0.0.1/x\r\n", "");
	} else if (strcmp(path, "/long") == 0) {
		static const char h[] = "HTTP/1.1 200 OK\r\nConnection: close"
					"\r\nContent-Length: 100000\r\n\r\n";
		tl_write(fd, h, sizeof h - 1);
		tl_write(fd, "0123456789", 10);
	} else if (strcmp(path, "/endless") == 0) {
		static const char h[] =
			"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
		char chunk[4096];
		memset(chunk, 'e', sizeof chunk);
		tl_write(fd, h, sizeof h - 1);
		for (int i = 0; i < 64; i++)
			tl_write(fd, chunk, sizeof chunk);
	} else if (strcmp(path, "/short") == 0) {
		static const char h[] = "HTTP/1.1 200 OK\r\nConnection: close"
					"\r\nContent-Length: 100\r\n\r\n0123";
		tl_write(fd, h, sizeof h - 1);
	} else if (strcmp(path, "/stall") == 0) {
		static const char h[] = "HTTP/1.1 200 OK\r\nConnection: close"
					"\r\nContent-Length: 100\r\n\r\n0123";
		tl_write(fd, h, sizeof h - 1);
		sleep(2);
	} else if (strncmp(path, "/v/", 3) == 0 &&
		   strstr(path, "/bundle.json") != NULL) {
		/* A log whose bundles are no bundles, or fail. */
		if (strncmp(path, "/v/" V1, 11) == 0)
			answer(fd, "200 OK", "", "{\"not\": \"a bundle\"}");
		else
			answer(fd, "500 Internal Server Error", "", "down\n");
	} else {
		answer(fd, "404 Not Found", "", "no such thing\n");
	}
}

static int setup(void **state)
{
	(void)state;
	char cache[PATH_MAX + 16];
	struct seq_request rq;
	tl_open(&t, NULL);
	tl_add_venue(&t, V1, "Bar Uno");
	tl_add_document(&t, V1, 1);
	tl_add_venue(&t, V2, "Trattoria Due");
	/* A witness policy among the venues' entries: the verifiers of the
	 * whole log take it, and count it as no provider entry. */
	memset(&rq, 0, sizeof rq);
	rq.entry.kind = ENTRY_WITNESS_POLICY;
	rq.entry.quorum = 1;
	rq.entry.nwitnesses = 1;
	entry_witness_set(&rq.entry.witnesses[0],
			  "witness.example/w1+e75f6532+"
			  "BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4",
			  "https://w1.example");
	tl_append(&t, &rq, 1);
	tl_add_document(&t, V1, 2);
	tl_revocation_request(&rq, V1, 1, "wrong file");
	tl_append(&t, &rq, 1);
	/* and the end of witnessing: no witness cosigns this log's
	 * checkpoints, which rule 10 then asks of none */
	memset(&rq, 0, sizeof rq);
	rq.entry.kind = ENTRY_WITNESS_POLICY;
	tl_append(&t, &rq, 1);
	snprintf(cache, sizeof cache, "%s/cache", t.dir);
	setenv("XDG_CACHE_HOME", cache, 1);
	tl_serve(&t, NULL);
	resp = tl_responder_start(respond, NULL, &rport);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tl_responder_stop(resp);
	tl_close(&t);
	return 0;
}

/* The poster's URL of venue at the served log, with the log's pin. */
static void venue_poster_url(const char *venue, char url[PIN_URL_MAX + 1])
{
	struct store *s = NULL;
	struct export_poster p;
	struct err e;
	char host[PIN_HOST_MAX + 1];
	assert_int_equal(store_open(t.db, STORE_READONLY, &s, &e), ST_OK);
	if (export_poster(s, venue, t.url, &p, &e) != ST_OK ||
	    poster_url(&p, url, PIN_URL_MAX + 1, host, sizeof host, &e) !=
		    ST_OK)
		fail_msg("poster: %s", e.msg);
	store_close(s);
}

/* Verifies the venue at url; the status. */
static enum status verify(const char *url, const struct note_verifier *key,
			  bool full, bool remember, struct remote_result *res)
{
	struct venue_url u;
	struct err e = {.msg = ""};
	struct fetch_options fo = {.timeout_ms = 20000};
	struct remote_options o = {
		.key = key, .full = full, .remember = remember, .fetch = &fo};
	snprintf(o.today, sizeof o.today, TL_TODAY);
	assert_int_equal(pin_parse_venue_url(url, &u, &e), ST_OK);
	memset(res, 0, sizeof *res);
	return remote_verify(&u, &o, res, &e);
}

/* The check of rule and name in rep: -1 missing, 0 failed, 1 passed. */
static int check(const struct verify_report *rep, int rule, const char *name,
		 const char *what)
{
	int got = -1;
	for (size_t i = 0; i < rep->nchecks; i++) {
		const struct verify_check *c = &rep->checks[i];
		if (c->rule == rule && strcmp(c->name, name) == 0 &&
		    (what == NULL || strstr(c->detail, what) != NULL))
			got = c->ok && got != 0 ? 1 : 0;
	}
	return got;
}

static void show(const struct verify_report *rep)
{
	for (size_t i = 0; i < rep->nchecks; i++)
		print_message("  %s rule %d %s: %s\n",
			      rep->checks[i].ok ? "ok" : "FAILED",
			      rep->checks[i].rule, rep->checks[i].name,
			      rep->checks[i].detail);
}

static void want_check_what(const struct verify_report *rep, int rule,
			    const char *name, const char *what, int want)
{
	if (check(rep, rule, name, what) != want) {
		show(rep);
		fail_msg("rule %d %s (%s): not %s", rule, name,
			 what != NULL ? what : "", want ? "passed" : "failed");
	}
}

static void want_check(const struct remote_result *res, int rule,
		       const char *name, const char *what, int want)
{
	want_check_what(&res->rep, rule, name, what, want);
}

static void want_check_rep(const struct verify_report *rep, int rule,
			   const char *name, int want)
{
	want_check_what(rep, rule, name, NULL, want);
}

static int64_t log_size(void)
{
	return tl_query(&t, "SELECT count(*) FROM entries");
}

static void test_verified(void **state)
{
	(void)state;
	char url[PIN_URL_MAX + 1];
	struct remote_result res;
	struct buf seen;
	struct err e;
	venue_poster_url(V1, url);

	assert_int_equal(verify(url, NULL, false, true, &res), ST_OK);
	if (!res.rep.ok)
		show(&res.rep);
	assert_true(res.rep.ok);
	assert_true(res.have_bundle);
	assert_true(res.remembered);
	assert_string_equal(res.origin, TL_ORIGIN);
	assert_int_equal(res.tree_size, log_size());
	assert_int_equal(res.rep.nitems, 4);
	assert_true(res.rep.items[1].revoked);
	want_check(&res, 1, "pin key", NULL, 1);
	want_check(&res, 8, "pin", NULL, 1);
	want_check(&res, 8, "seen checkpoint", "no checkpoint", 1);
	remote_result_free(&res);
	buf_init(&seen, SEEN_NOTE_MAX);
	assert_int_equal(seen_read(TL_ORIGIN, &seen, &e), ST_OK);
	assert_true(seen.len > 0);
	buf_free(&seen);

	/* Found again; then extended by a log that grew. */
	assert_int_equal(verify(url, NULL, false, true, &res), ST_OK);
	assert_true(res.rep.ok);
	want_check(&res, 8, "seen checkpoint", "is this one", 1);
	remote_result_free(&res);

	/* With the log's key given; with another. */
	assert_int_equal(verify(url, &t.key, false, false, &res), ST_OK);
	assert_true(res.rep.ok);
	remote_result_free(&res);
	struct note_signer *other = NULL;
	struct note_verifier ov;
	assert_int_equal(note_signer_generate(TL_ORIGIN, &other, &e), ST_OK);
	note_signer_verifier(other, &ov);
	assert_int_equal(verify(url, &ov, false, false, &res), ST_OK);
	assert_false(res.rep.ok);
	want_check(&res, 1, "pin key", NULL, 0);
	remote_result_free(&res);
	note_signer_free(other);

	/* The whole log, through its tiles. */
	assert_int_equal(verify(url, NULL, true, false, &res), ST_OK);
	if (!res.rep.ok)
		show(&res.rep);
	assert_true(res.rep.ok);
	assert_int_equal(res.full_entries, log_size());
	assert_int_equal(res.full_entry_tiles, 1);
	assert_int_equal(res.full_hash_tiles, 1); /* 0/000.p/<size> */
	want_check(&res, 9, "tree", NULL, 1);
	want_check(&res, 9, "hash tiles", "1 checked", 1);
	want_check(&res, 9, "completeness", NULL, 1);
	remote_result_free(&res);
}

static void test_survey(void **state)
{
	(void)state;
	struct venue_url u;
	struct survey_result res;
	struct err e = {.msg = ""};
	struct fetch_options fo = {.timeout_ms = 20000};
	struct survey_options o = {.fetch = &fo};
	bool has_venue = true;
	snprintf(o.today, sizeof o.today, TL_TODAY);
	assert_int_equal(survey_parse_url(t.url, &u, &has_venue, &e), ST_OK);
	assert_false(has_venue);

	if (survey_run(&u, false, &o, &res, &e) != ST_OK)
		fail_msg("survey: %s", e.msg);
	if (!res.rep.ok)
		show(&res.rep);
	assert_true(res.rep.ok);
	assert_int_equal(res.tree_size, log_size());
	assert_string_equal(res.origin, TL_ORIGIN);
	assert_false(res.pinned);
	assert_int_equal(res.nvenues, 2);
	/* V1: its first document revoked, the second current. */
	assert_string_equal(res.venues[0].venue, V1);
	assert_string_equal(res.venues[0].name, "Bar Uno");
	assert_true(res.venues[0].has_latest);
	assert_string_equal(res.venues[0].last, "2026-11-20");
	assert_string_equal(res.venues[0].next_due, "2026-12-20");
	assert_false(res.venues[0].overdue || res.venues[0].expired);
	/* V2: nothing on record. */
	assert_string_equal(res.venues[1].venue, V2);
	assert_false(res.venues[1].has_latest);
	assert_string_equal(res.venues[1].next_due, "");
	want_check_rep(&res.rep, 9, "tree", 1);
	want_check_rep(&res.rep, 9, "hash tiles", 1);
	want_check_rep(&res.rep, 6, "revocations", 1);
	want_check_what(&res.rep, 3, "entries", "0 provider entries", 1);
	survey_result_free(&res);

	/* A month on, V1 is overdue. */
	snprintf(o.today, sizeof o.today, "2026-12-25");
	assert_int_equal(survey_run(&u, false, &o, &res, &e), ST_OK);
	assert_true(res.rep.ok && res.venues[0].overdue);
	survey_result_free(&res);

	/* Another key: no venue. */
	struct note_signer *other = NULL;
	struct note_verifier ov;
	assert_int_equal(note_signer_generate(TL_ORIGIN, &other, &e), ST_OK);
	note_signer_verifier(other, &ov);
	o.key = &ov;
	assert_int_equal(survey_run(&u, false, &o, &res, &e), ST_OK);
	assert_false(res.rep.ok);
	assert_int_equal(res.nvenues, 0);
	assert_null(res.venues);
	want_check_rep(&res.rep, 1, "checkpoint signature", 0);
	survey_result_free(&res);
	note_signer_free(other);
	o.key = &t.key;
	assert_int_equal(survey_run(&u, false, &o, &res, &e), ST_OK);
	assert_true(res.rep.ok && res.pinned);
	survey_result_free(&res);

	/* URLs. */
	static const struct {
		const char *url, *base;
		bool venue;
	} ok[] = {
		{"https://example.org", "https://example.org", false},
		{"https://example.org/", "https://example.org", false},
		{"http://h:8080/log//", "http://h:8080/log", false},
		{"https://h/v/k7m2q9xa", "https://h", true},
		{"https://h/p/v/k7m2q9xa//", "https://h/p", true},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		if (survey_parse_url(ok[i].url, &u, &has_venue, &e) != ST_OK)
			fail_msg("%s: %s", ok[i].url, e.msg);
		assert_string_equal(u.base, ok[i].base);
		assert_int_equal(has_venue, ok[i].venue);
	}
	static const char *const bad[] = {
		"htp://example.org", "example.org",
		"https://",	     "https:/h",
		"https://h?x=1",     "https://h#k=1",
		"https://user@h",    "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(survey_parse_url(bad[i], &u, &has_venue, &e),
				 ST_INVALID);
}

/* url with the pin of (vkey, size, root). */
static void pinned(const char *vkey, int64_t size, const uint8_t root[32],
		   char url[PIN_URL_MAX + 1])
{
	struct pin p;
	struct err e;
	pin_make(vkey, strlen(vkey), size, root, &p);
	assert_int_equal(pin_venue_url(t.url, V1, &p, url, PIN_URL_MAX + 1, &e),
			 ST_OK);
}

static void test_bad_pins(void **state)
{
	(void)state;
	char url[PIN_URL_MAX + 1];
	struct remote_result res;
	struct venue_url u;
	struct err e;
	uint8_t root[HASH_LEN];
	venue_poster_url(V1, url);
	assert_int_equal(pin_parse_venue_url(url, &u, &e), ST_OK);
	memset(root, 0, sizeof root);
	memcpy(root, u.pin.root, PIN_HASH_LEN);

	/* Another key. */
	struct note_signer *other = NULL;
	struct note_verifier ov;
	char ovkey[NOTE_VKEY_MAX + 1];
	assert_int_equal(note_signer_generate(TL_ORIGIN, &other, &e), ST_OK);
	note_signer_verifier(other, &ov);
	note_verifier_format(&ov, ovkey, sizeof ovkey);
	note_signer_free(other);
	pinned(ovkey, u.pin.size, root, url);
	assert_int_equal(verify(url, NULL, false, false, &res), ST_OK);
	assert_false(res.rep.ok);
	want_check(&res, 1, "pin key", NULL, 0);
	remote_result_free(&res);

	/* Another root of a kept size: a fork. */
	root[0] ^= 0xff;
	pinned(t.vkey, u.pin.size, root, url);
	assert_int_equal(verify(url, NULL, false, false, &res), ST_OK);
	assert_false(res.rep.ok);
	want_check(&res, 8, "fork", NULL, 0);
	remote_result_free(&res);

	/* A tree larger than the log's: a rollback. */
	pinned(t.vkey, log_size() + 5, root, url);
	assert_int_equal(verify(url, NULL, false, false, &res), ST_OK);
	assert_false(res.rep.ok);
	want_check(&res, 8, "rollback", NULL, 0);
	remote_result_free(&res);

	/* A smaller kept tree, pinned right: passes. */
	struct store *s = NULL;
	struct buf note;
	struct checkpoint c;
	buf_init(&note, 1 << 16);
	assert_int_equal(store_open(t.db, STORE_READONLY, &s, &e), ST_OK);
	assert_int_equal(store_checkpoint(s, 2, &note, NULL, NULL), ST_OK);
	store_close(s);
	assert_int_equal(
		checkpoint_open(buf_str(&note), note.len, &t.key, &c, &e),
		ST_OK);
	buf_free(&note);
	pinned(t.vkey, 2, c.root, url);
	assert_int_equal(verify(url, NULL, false, false, &res), ST_OK);
	if (!res.rep.ok)
		show(&res.rep);
	assert_true(res.rep.ok);
	want_check(&res, 8, "pin", "tree size 2", 1);
	remote_result_free(&res);

	/* A venue the log lacks: not found, no check made. */
	char none[256];
	snprintf(none, sizeof none, "%s/v/zzzzzzzz", t.url);
	assert_int_equal(verify(none, NULL, false, false, &res), ST_NOT_FOUND);
	assert_false(res.rep.ok);
	assert_false(res.have_bundle);
	remote_result_free(&res);
}

/* Serves the database at copy in place of the log's own. */
static void serve_copy(const char *copy)
{
	char path[PATH_MAX + 32];
	struct err e;
	tl_stop(&t);
	sequencer_free(t.q);
	store_close(t.s);
	snprintf(path, sizeof path, "%s-wal", t.db);
	unlink(path);
	snprintf(path, sizeof path, "%s-shm", t.db);
	unlink(path);
	assert_int_equal(rename(copy, t.db), 0);
	assert_int_equal(store_open(t.db, STORE_OPEN, &t.s, &e), ST_OK);
	assert_int_equal(sequencer_new(t.s, t.signer, &t.q, &e), ST_OK);
	tl_serve(&t, NULL);
}

/* Runs last: it serves the log from an older copy, which then grows
 * otherwise. */
static void test_grown_and_rolled_back(void **state)
{
	(void)state;
	char url[PIN_URL_MAX + 1], old[PATH_MAX + 32];
	struct remote_result res;
	struct buf before, after;
	struct err e;
	venue_poster_url(V1, url);
	tl_copy_db(&t, "old.db", old);
	assert_int_equal(verify(url, NULL, false, true, &res), ST_OK);
	assert_true(res.rep.ok);
	remote_result_free(&res);

	tl_append_to(&t, NULL, V2, 9000);
	tl_append_to(&t, NULL, V2, 9001);
	assert_int_equal(verify(url, NULL, false, true, &res), ST_OK);
	if (!res.rep.ok)
		show(&res.rep);
	assert_true(res.rep.ok);
	want_check(&res, 8, "seen checkpoint", "extends", 1);
	assert_true(res.remembered);
	remote_result_free(&res);
	buf_init(&before, SEEN_NOTE_MAX);
	assert_int_equal(seen_read(TL_ORIGIN, &before, &e), ST_OK);

	/* The log goes back: rule 8 fails, the cache stays. */
	serve_copy(old);
	snprintf(url, sizeof url, "%s/v/" V1, t.url);
	assert_int_equal(verify(url, NULL, false, true, &res), ST_OK);
	assert_false(res.rep.ok);
	assert_false(res.remembered);
	want_check(&res, 8, "rollback", NULL, 0);
	remote_result_free(&res);
	buf_init(&after, SEEN_NOTE_MAX);
	assert_int_equal(seen_read(TL_ORIGIN, &after, &e), ST_OK);
	assert_string_equal(buf_str(&after), buf_str(&before));

	/* It grows again, otherwise: at the size seen, another root. */
	tl_append_to(&t, NULL, V2, 9500);
	tl_append_to(&t, NULL, V2, 9501);
	assert_int_equal(verify(url, NULL, false, true, &res), ST_OK);
	assert_false(res.rep.ok);
	assert_false(res.remembered);
	want_check(&res, 8, "fork", NULL, 0);
	remote_result_free(&res);
	buf_reset(&after);
	assert_int_equal(seen_read(TL_ORIGIN, &after, &e), ST_OK);
	assert_string_equal(buf_str(&after), buf_str(&before));
	buf_free(&before);
	buf_free(&after);
}

static void test_hostile_log(void **state)
{
	(void)state;
	char url[256];
	struct remote_result res;
	snprintf(url, sizeof url, "http://127.0.0.1:%u/v/" V1, rport);
	assert_int_equal(verify(url, NULL, false, true, &res), ST_OK);
	assert_false(res.rep.ok);
	assert_false(res.have_bundle);
	assert_false(res.remembered);
	want_check(&res, 1, "bundle", NULL, 0);
	remote_result_free(&res);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/v/" V2, rport);
	assert_int_not_equal(verify(url, NULL, false, true, &res), ST_OK);
	assert_false(res.rep.ok);
	remote_result_free(&res);
}

/* ---- fetches ---- */

/* GETs path of the responder into a buffer of room bytes holding
 * "kept"; the status, and the message in e. */
static enum status get(const struct fetch_options *o, const char *path,
		       size_t room, struct buf *out, struct err *e)
{
	struct fetch *f = NULL;
	char url[FETCH_URL_MAX];
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", rport, path);
	assert_int_equal(fetch_new(o, &f, e), ST_OK);
	buf_init(out, 4 + room);
	buf_append_str(out, "kept");
	enum status r = fetch_get(f, url, out, e);
	fetch_free(f);
	if (r != ST_OK) {
		assert_int_equal(out->len, 4);
		assert_string_equal(buf_str(out), "kept");
	}
	return r;
}

static void expect_get(const char *path, enum status want, const char *msg)
{
	struct buf out;
	struct err e = {.msg = ""};
	enum status r = get(NULL, path, 1 << 20, &out, &e);
	if (r != want)
		fail_msg("%s: %s (%s), not %s", path, status_str(r), e.msg,
			 status_str(want));
	if (msg != NULL && strstr(e.msg, msg) == NULL)
		fail_msg("%s: \"%s\" does not say \"%s\"", path, e.msg, msg);
	buf_free(&out);
}

static void test_fetch(void **state)
{
	(void)state;
	struct buf out;
	struct err e;
	char port[16];
	snprintf(port, sizeof port, ":%u/", rport);

	assert_int_equal(get(NULL, "/ok/hello", 5, &out, &e), ST_OK);
	assert_string_equal(buf_str(&out), "kepthello");
	buf_free(&out);
	assert_int_equal(get(NULL, "/ok/hello", 4, &out, &e), ST_TOO_LARGE);
	buf_free(&out);

	expect_get("/code/404", ST_NOT_FOUND, port);
	expect_get("/code/410", ST_NOT_FOUND, NULL);
	expect_get("/code/403", ST_INVALID, "first line");
	expect_get("/code/400", ST_INVALID, NULL);
	expect_get("/code/429", ST_RATE_LIMITED, NULL);
	expect_get("/code/503", ST_IO, NULL);
	expect_get("/code/304", ST_IO, NULL);
	expect_get("/json500", ST_IO, "boom? here");
	expect_get("/redirect/2", ST_OK, NULL);
	expect_get("/redirect/9", ST_IO, NULL);
	expect_get("/ftp", ST_IO, NULL);
	/* A length over the room; a body short of its length. */
	assert_int_equal(get(NULL, "/long", 1000, &out, &e), ST_TOO_LARGE);
	buf_free(&out);
	expect_get("/long", ST_IO, NULL);
	expect_get("/short", ST_IO, NULL);

	/* Endless, without a length: cut at the room. */
	assert_int_equal(get(NULL, "/endless", 1000, &out, &e), ST_TOO_LARGE);
	buf_free(&out);
	assert_int_equal(get(NULL, "/endless", 1 << 20, &out, &e), ST_OK);
	assert_int_equal(out.len, 4 + 64 * 4096);
	buf_free(&out);

	/* Redirects: none followed, or two. */
	struct fetch_options none = {.max_redirects = -1};
	assert_int_equal(get(&none, "/redirect/0", 100, &out, &e), ST_IO);
	buf_free(&out);
	struct fetch_options two = {.max_redirects = 2};
	assert_int_equal(get(&two, "/redirect/1", 100, &out, &e), ST_OK);
	assert_string_equal(buf_str(&out), "keptarrived");
	buf_free(&out);
	assert_int_equal(get(&two, "/redirect/2", 100, &out, &e), ST_IO);
	buf_free(&out);

	/* A stalled body: given up after stall_s. */
	struct fetch_options stall = {.stall_s = 1};
	assert_int_equal(get(&stall, "/stall", 1000, &out, &e), ST_IO);
	buf_free(&out);

	/* Only http and https; a port nobody listens on. */
	struct fetch *f = NULL;
	assert_int_equal(fetch_new(NULL, &f, &e), ST_OK);
	buf_init(&out, 100);
	static const char *const bad[] = {"ftp://127.0.0.1/x",
					  "file:///etc/passwd", "127.0.0.1/x",
					  "gopher://127.0.0.1/"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(fetch_get(f, bad[i], &out, &e), ST_INVALID);
	struct tl_responder *gone = NULL;
	unsigned gport = 0;
	gone = tl_responder_start(respond, NULL, &gport);
	tl_responder_stop(gone);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%u/ok/x", gport);
	assert_int_equal(fetch_get(f, url, &out, &e), ST_IO);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	fetch_free(f);
	fetch_free(NULL);
}

struct many {
	size_t fail_at; /* the URL that is not there, or past the end */
	size_t stop_at; /* the body that stops the run, or past the end */
	size_t got;
};

static enum status many_url(void *ctx, size_t i, char *url, size_t size,
			    struct err *e)
{
	struct many *m = ctx;
	(void)e;
	if (i == m->fail_at)
		snprintf(url, size, "http://127.0.0.1:%u/code/404", rport);
	else
		snprintf(url, size, "http://127.0.0.1:%u/ok/body-%zu", rport,
			 i);
	return ST_OK;
}

static enum status many_body(void *ctx, size_t i, const uint8_t *body,
			     size_t len, struct err *e)
{
	struct many *m = ctx;
	char want[32];
	snprintf(want, sizeof want, "body-%zu", i);
	assert_int_equal(i, m->got);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(body, want, len);
	m->got++;
	if (i == m->stop_at)
		return err_set(e, ST_CONFLICT, "stopped at %zu", i);
	return ST_OK;
}

static void test_fetch_many(void **state)
{
	(void)state;
	struct fetch *f = NULL;
	struct err e;
	assert_int_equal(fetch_new(NULL, &f, &e), ST_OK);
	struct many m = {.fail_at = 99, .stop_at = 99};
	assert_int_equal(
		fetch_get_many(f, 24, 64, 4, many_url, many_body, &m, &e),
		ST_OK);
	assert_int_equal(m.got, 24);
	m = (struct many){.fail_at = 7, .stop_at = 99};
	assert_int_equal(
		fetch_get_many(f, 24, 64, 3, many_url, many_body, &m, &e),
		ST_NOT_FOUND);
	assert_int_equal(m.got, 7);
	m = (struct many){.fail_at = 99, .stop_at = 5};
	assert_int_equal(
		fetch_get_many(f, 24, 64, 1, many_url, many_body, &m, &e),
		ST_CONFLICT);
	assert_int_equal(m.got, 6);
	assert_non_null(strstr(e.msg, "stopped at 5"));
	m = (struct many){.fail_at = 99, .stop_at = 99};
	assert_int_equal(
		fetch_get_many(f, 12, 6, 2, many_url, many_body, &m, &e),
		ST_TOO_LARGE);
	assert_int_equal(m.got, 10);
	fetch_free(f);
}

static void test_parse_proof(void **state)
{
	(void)state;
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t len = 99;
	char why[128], line[64];
	struct buf b;
	uint8_t h[HASH_LEN];
	buf_init(&b, 1 << 20);
	assert_true(remote_parse_proof(&b, proof, &len, why, sizeof why));
	assert_int_equal(len, 0);
	for (int i = 0; i < MERKLE_MAX_PROOF; i++) {
		memset(h, i, sizeof h);
		b64_encode(line, sizeof line, h, HASH_LEN, B64_STD);
		buf_printf(&b, "%s\n", line);
	}
	assert_true(remote_parse_proof(&b, proof, &len, why, sizeof why));
	assert_int_equal(len, MERKLE_MAX_PROOF);
	memset(h, 7, sizeof h);
	assert_memory_equal(proof[7], h, HASH_LEN);
	buf_printf(&b, "%s\n", line);
	assert_false(remote_parse_proof(&b, proof, &len, why, sizeof why));
	static const char *const bad[] = {
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n",
		"\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf_reset(&b);
		buf_append_str(&b, bad[i]);
		if (remote_parse_proof(&b, proof, &len, why, sizeof why))
			fail_msg("taken: %s", bad[i]);
		assert_true(why[0] != 0);
	}
	buf_free(&b);
}

/* ---- the tiles of rule 9, and the hash tiles against the tree ---- */

/* How many tiles of level a log of size entries has, counted as tlog-tiles
 * says: the level's hashes (size / 256^L) by 256, the last one partial. */
static int64_t level_tiles(int level, int64_t size)
{
	int64_t hashes = size;
	for (int i = 0; i < level; i++)
		hashes /= TILE_WIDTH;
	return (hashes + TILE_WIDTH - 1) / TILE_WIDTH;
}

static void test_tile_walk(void **state)
{
	(void)state;
	static const int64_t sizes[] = {
		0,
		1,
		255,
		256,
		257,
		529,
		65535,
		65536,
		65537,
		65536 + 256,
		65792 + 17,
		16777216,
		16777216 + 300,
		16777216 * 3 + 65537,
	};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		int64_t size = sizes[k], entry = -1;
		int64_t seen[HASH_TILE_LEVELS] = {0};
		size_t n = remote_tiles_count(size), total = 0;
		struct tile_walk w;
		remote_walk_start(&w, size);
		for (size_t i = 0; i < n; i++) {
			remote_walk_to(&w, i);
			assert_int_equal(w.seq, i);
			const struct tile *tl = &w.t;
			if (tl->entries) {
				/* Entry tiles in order, each with its width. */
				assert_int_equal(tl->n, ++entry);
				assert_int_equal(tl->width,
						 tile_width(0, tl->n, size));
				continue;
			}
			assert_true(tl->level >= 0 &&
				    tl->level < HASH_TILE_LEVELS);
			/* Each level's tiles once, in order, with their
			 * width, with the entry tile of their last leaf (the
			 * log's last for a partial one). */
			assert_int_equal(tl->n, seen[tl->level]++);
			assert_int_equal(tl->width,
					 tile_width(tl->level, tl->n, size));
			assert_true(tl->width > 0);
			int64_t span = 1, last_leaf;
			for (int l = 0; l < tl->level; l++)
				span *= TILE_WIDTH;
			last_leaf = (tl->n * TILE_WIDTH + tl->width) * span - 1;
			if (tl->width == TILE_WIDTH)
				assert_int_equal(entry, last_leaf / TILE_WIDTH);
			else /* at the right edge: after the last entries */
				assert_int_equal(entry,
						 level_tiles(0, size) - 1);
			total++;
		}
		assert_int_equal(entry + 1, level_tiles(0, size));
		for (int l = 0; l < HASH_TILE_LEVELS; l++)
			assert_int_equal(seen[l], level_tiles(l, size));
		assert_int_equal(total + (size_t)(entry + 1), n);
		/* Back again, from the start. */
		if (n > 2) {
			remote_walk_to(&w, 1);
			assert_true(!w.t.entries && w.t.level == 0 &&
				    w.t.n == 0);
		}
	}
}

/* RFC 9162's MTH of leaves[lo, lo + n), n a power of two: each level's
 * pairs hashed, level by level. */
static void subtree(const uint8_t (*leaves)[HASH_LEN], int64_t lo, int64_t n,
		    uint8_t out[HASH_LEN])
{
	uint8_t(*level)[HASH_LEN] = malloc((size_t)n * sizeof *level);
	assert_non_null(level);
	assert_true(n > 0 && (n & (n - 1)) == 0);
	memcpy(level, leaves[lo], (size_t)n * HASH_LEN);
	for (; n > 1; n /= 2)
		for (int64_t i = 0; i < n / 2; i++)
			merkle_node_hash(level[i], level[2 * i],
					 level[2 * i + 1]);
	memcpy(out, level[0], HASH_LEN);
	free(level);
}

/* The hash tiles of a log of N entries, each checked as served, changed
 * and cut short, against the tree hashed here apart; tiles of npartial
 * of them partial, top their highest level. */
static void hash_check_log(int64_t N, int64_t ntiles, int64_t npartial, int top)
{
	uint8_t(*leaves)[HASH_LEN] = malloc((size_t)N * sizeof *leaves);
	uint8_t stored[MERKLE_MAX_PROOF][HASH_LEN], body[TILE_WIDTH * HASH_LEN];
	char bad[320];
	struct hash_check h;
	struct merkle_range mr;
	struct tile_walk w;
	struct err e;
	size_t count;
	int64_t pushed = 0;
	assert_non_null(leaves);
	for (int64_t i = 0; i < N; i++) {
		char text[32];
		int len = snprintf(text, sizeof text, "entry %" PRId64, i);
		merkle_leaf_hash(leaves[i], text, (size_t)len);
	}
	assert_int_equal(hash_check_init(&h), ST_OK);
	merkle_range_init(&mr);
	remote_walk_start(&w, N);
	size_t n = remote_tiles_count(N);
	assert_int_equal(n, (N + TILE_WIDTH - 1) / TILE_WIDTH + ntiles);
	for (size_t i = 0; i < n; i++) {
		remote_walk_to(&w, i);
		const struct tile *tl = &w.t;
		if (tl->entries) {
			for (int k = 0; k < tl->width; k++, pushed++) {
				merkle_range_push(&mr, leaves[pushed], stored,
						  &count);
				hash_check_push(
					&h, pushed,
					(const uint8_t(*)[HASH_LEN])stored,
					count);
			}
			continue;
		}
		/* The tile as the log serves it, hashed here apart. */
		int64_t span = 1;
		for (int l = 0; l < tl->level; l++)
			span *= TILE_WIDTH;
		for (int k = 0; k < tl->width; k++) {
			int64_t lo = (tl->n * TILE_WIDTH + k) * span;
			subtree((const uint8_t(*)[HASH_LEN])leaves, lo, span,
				body + (size_t)k * HASH_LEN);
		}
		size_t len = (size_t)tl->width * HASH_LEN;
		/* Cut short, or one byte too long: not the tile. */
		assert_int_equal(hash_check_tile(&h, tl, body, len - 1, bad,
						 sizeof bad, &e),
				 ST_CORRUPT);
		assert_non_null(strstr(bad, "hash tile tile/"));
		assert_int_equal(hash_check_tile(&h, tl, body, len + 1, bad,
						 sizeof bad, &e),
				 ST_CORRUPT);
		/* One bit of its last hash changed; then as served. */
		int64_t wrong = h.wrong;
		body[len - 1] ^= 1;
		assert_int_equal(
			hash_check_tile(&h, tl, body, len, bad, sizeof bad, &e),
			ST_OK);
		assert_int_equal(h.wrong, wrong + 1);
		body[len - 1] ^= 1;
		assert_int_equal(
			hash_check_tile(&h, tl, body, len, bad, sizeof bad, &e),
			ST_OK);
		assert_int_equal(h.wrong, wrong + 1);
	}
	assert_int_equal(pushed, N);
	assert_int_equal(h.checked, 2 * ntiles);
	assert_int_equal(h.partial, 2 * npartial);
	assert_int_equal(h.top, top);
	assert_int_equal(h.wrong, ntiles);
	assert_string_equal(h.first_wrong,
			    "hash tile tile/0/000: hash 255 is not the log's");
	hash_check_free(&h);
	free(leaves);
}

static void test_hash_check(void **state)
{
	(void)state;
	/* Two full entry tiles and 17 entries: hash tiles 0/000, 0/001,
	 * 0/002.p/17 and 1/000.p/2. */
	hash_check_log(2 * TILE_WIDTH + 17, 4, 2, 1);
	/* 257 entry tiles and 44 entries: 257 level-0 tiles and 0/257.p/44,
	 * 1/000 and 1/001.p/1, and 2/000.p/1 (the root of the first 65536
	 * leaves). */
	hash_check_log(257 * TILE_WIDTH + 44, 258 + 2 + 1, 3, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verified),
		cmocka_unit_test(test_survey),
		cmocka_unit_test(test_bad_pins),
		cmocka_unit_test(test_hostile_log),
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_fetch_many),
		cmocka_unit_test(test_parse_proof),
		cmocka_unit_test(test_grown_and_rolled_back),
		cmocka_unit_test(test_tile_walk),
		cmocka_unit_test(test_hash_check),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
