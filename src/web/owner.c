/*
 * owner.c: the venue owner's web pages: login with the owner token, an
 * in-memory session table, CSRF tokens, and the dashboard.  Uploads and
 * revocations go through the API's path in api.c (web_api_begin_form).
 * See owner.h for the routes and the rules.
 */
#include "owner.h"

#include <inttypes.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/hash.h"
#include "web/api.h"
#include "web/app.h"
#include "web/handler.h"
#include "web/pages.h"
#include "web/render.h"

#define MIME_HTML      "text/html; charset=utf-8"
#define COOKIE_SESSION "sanilog_session"
#define COOKIE_LOGIN   "sanilog_login"
#define RAND_LEN       32
#define B64_LEN	       43 /* base64url of RAND_LEN bytes */
#define TOKEN_PREFIX   "slo_"
#define TOKEN_LEN      (4 + B64_LEN)
#define BASE_URL_MAX   512
#define LOGIN_TTL      3600 /* seconds the login form's CSRF cookie lives */

/* ---- the session table ---- */

struct session {
	bool used;
	uint8_t id_hash[HASH_LEN]; /* SHA-256 of the cookie value */
	char venue[VENUE_ID_LEN + 1];
	char csrf[B64_LEN + 1];
	uint8_t token_hash[HASH_LEN]; /* of the owner token it was opened with
				       */
	int64_t expires;	      /* monotonic seconds */
};

struct owner_sessions {
	pthread_mutex_t lock;
	struct session s[OWNER_SESSIONS_MAX];
};

enum status owner_sessions_new(struct owner_sessions **out)
{
	struct owner_sessions *t = calloc(1, sizeof *t);
	*out = NULL;
	if (t == NULL)
		return ST_NOMEM;
	pthread_mutex_init(&t->lock, NULL);
	*out = t;
	return ST_OK;
}

void owner_sessions_free(struct owner_sessions *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	sodium_memzero(t->s, sizeof t->s);
	free(t);
}

/* The session table of the request's server. */
static struct owner_sessions *sessions_of(struct http_request *rq)
{
	struct web_app *a = http_app(rq);
	return a->sessions;
}

static int64_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static void random_b64(char out[B64_LEN + 1])
{
	uint8_t r[RAND_LEN];
	randombytes_buf(r, sizeof r);
	b64_encode(out, B64_LEN + 1, r, sizeof r, B64_URL);
	sodium_memzero(r, sizeof r);
}

/* Whether s[0..n) has the form of a base64url value of RAND_LEN bytes. */
static bool b64_form(const char *s, size_t n)
{
	if (s == NULL || n != B64_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* The slot a new session of venue takes: the venue's own live session
 * nearest its expiry once the venue holds its share, else a free or
 * expired slot, else the live session nearest its expiry.  Under
 * t->lock. */
static size_t session_slot(const struct owner_sessions *t, const char *venue,
			   int64_t now)
{
	size_t any = 0, own = 0, nown = 0, free_slot = OWNER_SESSIONS_MAX;
	for (size_t i = 0; i < OWNER_SESSIONS_MAX; i++) {
		const struct session *s = &t->s[i];
		if (!s->used || s->expires <= now) {
			if (free_slot == OWNER_SESSIONS_MAX)
				free_slot = i;
			continue;
		}
		if (s->expires < t->s[any].expires || !t->s[any].used)
			any = i;
		if (strcmp(s->venue, venue) == 0 &&
		    (nown++ == 0 || s->expires < t->s[own].expires))
			own = i;
	}
	if (nown >= OWNER_SESSIONS_PER_VENUE)
		return own;
	return free_slot < OWNER_SESSIONS_MAX ? free_slot : any;
}

/* A new session for venue, opened with the owner token of that SHA-256:
 * its cookie value into id. */
static void session_new(struct owner_sessions *t, const char *venue,
			const uint8_t token_hash[HASH_LEN],
			char id[B64_LEN + 1])
{
	struct session n = {.used = true};
	random_b64(id);
	sha256(n.id_hash, id, B64_LEN);
	snprintf(n.venue, sizeof n.venue, "%s", venue);
	random_b64(n.csrf);
	memcpy(n.token_hash, token_hash, HASH_LEN);
	int64_t now = now_s();
	n.expires = now + OWNER_SESSION_TTL;
	pthread_mutex_lock(&t->lock);
	t->s[session_slot(t, venue, now)] = n;
	pthread_mutex_unlock(&t->lock);
	sodium_memzero(&n, sizeof n);
}

/* The SHA-256 of the request's session cookie into h; false when it has
 * none of the right form. */
static bool session_cookie_hash(struct http_request *rq, uint8_t h[HASH_LEN])
{
	const char *id = MHD_lookup_connection_value(
		http_connection(rq), MHD_COOKIE_KIND, COOKIE_SESSION);
	if (id == NULL || !b64_form(id, strlen(id)))
		return false;
	sha256(h, id, B64_LEN);
	return true;
}

/* The live session of the request's cookie: its index, venue, CSRF token
 * and (unless token_hash is NULL) the hash of the token it was opened
 * with into the outputs; -1 when there is none. */
static long session_lookup(struct http_request *rq,
			   char venue[VENUE_ID_LEN + 1], char csrf[B64_LEN + 1],
			   uint8_t token_hash[HASH_LEN])
{
	uint8_t h[HASH_LEN];
	if (!session_cookie_hash(rq, h))
		return -1;
	long found = -1;
	int64_t now = now_s();
	struct owner_sessions *t = sessions_of(rq);
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < OWNER_SESSIONS_MAX; i++) {
		struct session *s = &t->s[i];
		if (s->used && s->expires > now &&
		    sodium_memcmp(s->id_hash, h, HASH_LEN) == 0)
			found = (long)i;
	}
	if (found >= 0) {
		memcpy(venue, t->s[found].venue, VENUE_ID_LEN + 1);
		memcpy(csrf, t->s[found].csrf, B64_LEN + 1);
		if (token_hash != NULL)
			memcpy(token_hash, t->s[found].token_hash, HASH_LEN);
	}
	pthread_mutex_unlock(&t->lock);
	return found;
}

/* Ends the request's session, found at slot i, unless the slot has been
 * given to another session since (the lock was let go in between). */
static void session_end(struct http_request *rq, long i)
{
	uint8_t h[HASH_LEN];
	struct owner_sessions *t = sessions_of(rq);
	if (!session_cookie_hash(rq, h))
		return;
	pthread_mutex_lock(&t->lock);
	if (t->s[i].used && sodium_memcmp(t->s[i].id_hash, h, HASH_LEN) == 0)
		sodium_memzero(&t->s[i], sizeof t->s[i]);
	pthread_mutex_unlock(&t->lock);
}

/* The live session of the request's cookie, as session_lookup, if its
 * venue's owner token is still the one it was opened with (read on s, or
 * on a pooled connection when s is NULL); a session whose token was
 * replaced ends.  -1 when there is none, or (with *r set, and e saying
 * why) when the token could not be read. */
static long session_find(struct http_request *rq, struct store *s,
			 char venue[VENUE_ID_LEN + 1], char csrf[B64_LEN + 1],
			 enum status *r, struct err *e)
{
	uint8_t opened[HASH_LEN], now[HASH_LEN];
	*r = ST_OK;
	long i = session_lookup(rq, venue, csrf, opened);
	if (i < 0)
		return -1;
	struct web_app *a = http_app(rq);
	struct store *own = NULL;
	if (s == NULL) {
		if ((own = store_pool_take(a->pool, e)) == NULL) {
			*r = ST_BUSY;
			return -1;
		}
		if ((*r = store_begin_read(own, e)) != ST_OK) {
			store_pool_give(a->pool, own, true);
			return -1;
		}
	}
	*r = store_token_get(s != NULL ? s : own, venue, now, e);
	if (own != NULL)
		store_pool_give(a->pool, own, store_commit(own, NULL) != ST_OK);
	bool same = *r == ST_OK && sodium_memcmp(opened, now, HASH_LEN) == 0;
	if (*r == ST_NOT_FOUND)
		*r = ST_OK;
	if (*r != ST_OK)
		return -1;
	if (!same) {
		session_end(rq, i);
		return -1;
	}
	return i;
}

/* Whether given[0..len) is the token want (constant time). */
static bool csrf_ok(const char *want, const char *given, size_t len)
{
	return given != NULL && len == B64_LEN && b64_form(want, B64_LEN) &&
	       sodium_memcmp(want, given, B64_LEN) == 0;
}

/* ---- small helpers ---- */

static void redirect(struct http_request *rq, const char *to)
{
	http_reply_static(rq, 303, NULL, "", 0);
	http_reply_header(rq, MHD_HTTP_HEADER_LOCATION, to);
	http_reply_header(rq, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

static void private_page(struct http_request *rq)
{
	http_reply_header(rq, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	http_reply_header(rq, MHD_HTTP_HEADER_VARY, "Accept-Language, Cookie");
}

/* Whether cookies get Secure: the stored base URL is https, or the
 * request came over https through the trusted proxy. */
static bool secure_cookies(struct http_request *rq, struct store *s)
{
	char base[BASE_URL_MAX];
	return http_forwarded_https(rq) ||
	       (s != NULL &&
		store_meta_get(s, "base_url", base, sizeof base, NULL) ==
			ST_OK &&
		strncmp(base, "https://", 8) == 0);
}

static void set_cookie(struct http_request *rq, const char *name,
		       const char *value, const char *path, long max_age,
		       bool secure)
{
	char c[256];
	snprintf(c, sizeof c,
		 "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
		 name, value, path, max_age, secure ? "; Secure" : "");
	http_reply_header(rq, MHD_HTTP_HEADER_SET_COOKIE, c);
}

static const char *const owner_labels[] = {
	"login_h",     "login_intro", "token",	    "signin",	"failed",
	"dash_h",      "public",      "posters",    "upload_h", "file",
	"type",	       "title",	      "performed",  "expires",	"provider",
	"attestation", "upload",      "revoke_h",   "reason",	"revoke",
	"logout",      "logged",      "revoked_ok",
};

static void set_owner_labels(struct render_obj *r, enum lang lang)
{
	pages_set_labels(r, owner_labels,
			 sizeof owner_labels / sizeof owner_labels[0], lang);
}

/* ---- the login page ---- */

/* The login page; with new_cookie (0: none), the form's CSRF cookie, Secure
 * when new_cookie is 2. */
static void login_page(struct http_request *rq, unsigned code, const char *csrf,
		       bool failed, int new_cookie)
{
	enum lang lang = web_lang(rq);
	struct render_data *d = render_data_new();
	struct err e = {.msg = ""};
	struct buf out;
	buf_init(&out, 1 << 20);
	struct render_obj *r = render_root(d);
	set_owner_labels(r, lang);
	render_set_text(r, "csrf", csrf);
	render_set_flag(r, "failed", failed);
	enum status st = d == NULL ? ST_NOMEM
				   : pages_owner(false, d, lang,
						 word(lang, "title_login"),
						 NULL, &out, &e);
	render_data_free(d);
	if (st != ST_OK) {
		buf_free(&out);
		web_reply_internal(rq, st, "login page", e.msg);
		return;
	}
	http_reply_buf(rq, code, MIME_HTML, &out);
	buf_free(&out);
	private_page(rq);
	if (new_cookie)
		set_cookie(rq, COOKIE_LOGIN, csrf, "/owner/login", LOGIN_TTL,
			   new_cookie == 2);
}

static void login_form_read(struct http_request *rq, struct store *s)
{
	char venue[VENUE_ID_LEN + 1], csrf[B64_LEN + 1];
	enum status r = ST_OK;
	if (session_find(rq, s, venue, csrf, &r, NULL) >= 0) {
		redirect(rq, "/owner");
		return;
	}
	random_b64(csrf);
	login_page(rq, 200, csrf, false, secure_cookies(rq, s) ? 2 : 1);
}

enum http_next owner_login_form(struct http_request *rq)
{
	return web_with_store(rq, login_form_read);
}

/* ---- small urlencoded forms (login, logout) ---- */

struct form_req {
	struct buf body;
};

static void form_free(void *p)
{
	struct form_req *f = p;
	if (f == NULL)
		return;
	if (f->body.data != NULL)
		sodium_memzero(f->body.data, f->body.len);
	buf_free(&f->body);
	free(f);
}

bool owner_start_form(struct http_request *rq)
{
	struct web_app *a = http_app(rq);
	unsigned wait = 0;
	if (strcmp(http_path(rq), "/owner/login") == 0 &&
	    ratelimit_blocked(a->auth_limit, http_client(rq), &wait)) {
		http_reply_error(rq, ST_RATE_LIMITED, wait,
				 "too many failed attempts from this address; "
				 "try again in %u s",
				 wait);
		return false;
	}
	struct form_req *f = calloc(1, sizeof *f);
	if (f == NULL) {
		http_reply_error(rq, ST_NOMEM, 1, "out of memory");
		return false;
	}
	buf_init(&f->body, OWNER_FORM_MAX);
	http_set_state(rq, f, form_free);
	return true;
}

bool owner_body_form(struct http_request *rq, const char *data, size_t len)
{
	struct form_req *f = http_state(rq);
	if (buf_append(&f->body, data, len) != ST_OK) {
		http_reply_error(rq, ST_TOO_LARGE, 0, "form: too large");
		return false;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value of field name in an urlencoded body, decoded into out (at
 * most outsize - 1 bytes).  False when absent, malformed or too long. */
static bool form_value(const struct form_req *f, const char *name, char *out,
		       size_t outsize)
{
	const char *p = f->body.data != NULL ? (const char *)f->body.data : "";
	const char *end = p + f->body.len;
	size_t nl = strlen(name);
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *e = amp != NULL ? amp : end;
		if ((size_t)(e - p) > nl && memcmp(p, name, nl) == 0 &&
		    p[nl] == '=') {
			size_t k = 0;
			for (const char *q = p + nl + 1; q < e; q++) {
				char c = *q;
				if (c == '+')
					c = ' ';
				else if (c == '%') {
					int h = q + 2 < e ? hexval(q[1]) : -1;
					int l = q + 2 < e ? hexval(q[2]) : -1;
					if (h < 0 || l < 0)
						return false;
					c = (char)(h * 16 + l);
					q += 2;
				}
				if (c == 0 || k + 1 >= outsize)
					return false;
				out[k++] = c;
			}
			out[k] = 0;
			return true;
		}
		p = e + 1;
	}
	return false;
}

/* Which venue's owner token tok is, found by the SHA-256 of the token
 * (into have) through the index on the stored token hashes; false when
 * none. */
static bool token_venue(struct store *s, const char *tok,
			char venue[VENUE_ID_LEN + 1], uint8_t have[HASH_LEN],
			enum status *r, struct err *e)
{
	sha256(have, tok, strlen(tok));
	*r = store_token_venue(s, have, venue, e);
	if (*r == ST_NOT_FOUND) {
		*r = ST_OK;
		return false;
	}
	return *r == ST_OK;
}

static bool token_form(const char *t)
{
	return strlen(t) == TOKEN_LEN &&
	       strncmp(t, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0 &&
	       b64_form(t + 4, B64_LEN);
}

static void login_read(struct http_request *rq, struct store *s)
{
	struct web_app *a = http_app(rq);
	struct form_req *f = http_state(rq);
	/* Room for a pasted token's spaces, up to 16 on either side. */
	char csrf[B64_LEN + 2], tok[TOKEN_LEN + 33], venue[VENUE_ID_LEN + 1];
	uint8_t hash[HASH_LEN];
	const char *want = MHD_lookup_connection_value(
		http_connection(rq), MHD_COOKIE_KIND, COOKIE_LOGIN);
	if (!form_value(f, "csrf", csrf, sizeof csrf) || want == NULL ||
	    strlen(want) != B64_LEN || !csrf_ok(want, csrf, strlen(csrf))) {
		http_reply_error(rq, ST_FORBIDDEN, 0,
				 "the form's CSRF token is missing or wrong");
		return;
	}
	enum status r = ST_OK;
	struct err e;
	bool ok = form_value(f, "token", tok, sizeof tok);
	if (ok) {
		/* Pasted tokens may carry spaces around them. */
		char *t = tok;
		while (*t == ' ')
			t++;
		size_t n = strlen(t);
		while (n > 0 && t[n - 1] == ' ')
			t[--n] = 0;
		memmove(tok, t, n + 1);
		ok = token_form(tok) &&
		     token_venue(s, tok, venue, hash, &r, &e);
	}
	sodium_memzero(tok, sizeof tok);
	if (r != ST_OK) {
		web_reply_store_error(rq, r, &e);
		return;
	}
	if (!ok) {
		ratelimit_fail(a->auth_limit, http_client(rq));
		atomic_fetch_add(&a->auth_failures, 1);
		login_page(rq, 401, want, true, 0);
		return;
	}
	char id[B64_LEN + 1];
	session_new(sessions_of(rq), venue, hash, id);
	sodium_memzero(hash, sizeof hash);
	redirect(rq, "/owner");
	set_cookie(rq, COOKIE_SESSION, id, "/owner", OWNER_SESSION_TTL,
		   secure_cookies(rq, s));
	set_cookie(rq, COOKIE_LOGIN, "", "/owner/login", 0,
		   secure_cookies(rq, s));
	sodium_memzero(id, sizeof id);
}

enum http_next owner_login(struct http_request *rq)
{
	return web_with_store(rq, login_read);
}

enum http_next owner_logout(struct http_request *rq)
{
	struct form_req *f = http_state(rq);
	char venue[VENUE_ID_LEN + 1], want[B64_LEN + 1], csrf[B64_LEN + 2];
	long i = session_lookup(rq, venue, want, NULL);
	if (i < 0) {
		redirect(rq, "/owner/login");
		return HTTP_DONE;
	}
	if (!form_value(f, "csrf", csrf, sizeof csrf) ||
	    !csrf_ok(want, csrf, strlen(csrf))) {
		http_reply_error(rq, ST_FORBIDDEN, 0,
				 "the form's CSRF token is missing or wrong");
		return HTTP_DONE;
	}
	session_end(rq, i);
	redirect(rq, "/owner/login");
	set_cookie(rq, COOKIE_SESSION, "", "/owner", 0,
		   secure_cookies(rq, NULL));
	return HTTP_DONE;
}

/* ---- the dashboard ---- */

static void dashboard_read(struct http_request *rq, struct store *s)
{
	char venue[VENUE_ID_LEN + 1], csrf[B64_LEN + 1], now[21], today[11];
	enum status sr = ST_OK;
	struct err e = {.msg = ""};
	if (session_find(rq, s, venue, csrf, &sr, &e) < 0) {
		if (sr != ST_OK)
			web_reply_store_error(rq, sr, &e);
		else
			redirect(rq, "/owner/login");
		return;
	}
	enum lang lang = web_lang(rq);
	int64_t before;
	if (!web_query_before(rq, &before))
		return;
	if (log_now(now, &e) != ST_OK) {
		web_reply_internal(rq, ST_INTERNAL, "clock", e.msg);
		return;
	}
	memcpy(today, now, 10);
	today[10] = 0;
	struct render_data *d = render_data_new();
	if (d == NULL) {
		http_reply_error(rq, ST_NOMEM, 1, "out of memory");
		return;
	}
	struct render_obj *r = render_root(d);
	enum status st =
		pages_owner_record(s, venue, lang, today, before, r, &e);
	if (st != ST_OK) {
		render_data_free(d);
		web_reply_internal(rq, st, "dashboard", e.msg);
		return;
	}
	set_owner_labels(r, lang);
	render_set_text(r, "csrf", csrf);
	render_set_text(r, "today", today);
	const char *done = http_query(rq, "done");
	render_set_flag(r, "done_upload",
			done != NULL && strcmp(done, "upload") == 0);
	render_set_flag(r, "done_revoke",
			done != NULL && strcmp(done, "revoke") == 0);
	render_set_list(r, "types");
	const char *type, *label;
	for (size_t i = 0; (type = pages_type_at(i, lang, &label)) != NULL;
	     i++) {
		struct render_obj *t = render_add_item(r, "types");
		render_set_text(t, "value", type);
		render_set_text(t, "label", label);
	}
	char self[48] = "/owner";
	if (before >= 0)
		snprintf(self, sizeof self, "/owner?before=%" PRId64, before);
	struct buf out;
	buf_init(&out, 16u << 20);
	st = pages_owner(true, d, lang, word(lang, "title_dashboard"), self,
			 &out, &e);
	render_data_free(d);
	if (st != ST_OK) {
		buf_free(&out);
		web_reply_internal(rq, st, "dashboard", e.msg);
		return;
	}
	http_reply_buf(rq, 200, MIME_HTML, &out);
	buf_free(&out);
	private_page(rq);
}

enum http_next owner_dashboard(struct http_request *rq)
{
	return web_with_store(rq, dashboard_read);
}

/* ---- uploads and revocations, through api.c ---- */

static bool form_check(struct http_request *rq, const char *venue,
		       const char *csrf, size_t len)
{
	char v[VENUE_ID_LEN + 1], want[B64_LEN + 1];
	enum status r = ST_OK;
	long i = session_find(rq, NULL, v, want, &r, NULL);
	if (r != ST_OK) {
		web_reply_store_error(rq, r, NULL);
		return false;
	}
	if (i < 0 || strcmp(v, venue) != 0 || !csrf_ok(want, csrf, len)) {
		http_reply_error(rq, ST_FORBIDDEN, 0,
				 "the form's CSRF token is missing or wrong");
		return false;
	}
	return true;
}

static void upload_answer(struct http_request *rq, enum status st,
			  int64_t index, const char *msg)
{
	(void)index;
	if (st == ST_OK) {
		redirect(rq, "/owner?done=upload");
		return;
	}
	http_reply_error(rq, st, st == ST_BUSY ? 2 : 0, "%s", msg);
}

static void revoke_answer(struct http_request *rq, enum status st,
			  int64_t index, const char *msg)
{
	(void)index;
	if (st == ST_OK) {
		redirect(rq, "/owner?done=revoke");
		return;
	}
	http_reply_error(rq, st, st == ST_BUSY ? 2 : 0, "%s", msg);
}

static const struct web_api_form upload_form = {form_check, upload_answer};
static const struct web_api_form revoke_form = {form_check, revoke_answer};

static bool start_owner_form(struct http_request *rq, bool document)
{
	char venue[VENUE_ID_LEN + 1], csrf[B64_LEN + 1];
	/* The token is checked again with the whole form (form_check). */
	if (session_lookup(rq, venue, csrf, NULL) < 0) {
		http_reply_error(rq, ST_FORBIDDEN, 0,
				 "not signed in (or the session expired)");
		return false;
	}
	return web_api_begin_form(rq, document, venue,
				  document ? &upload_form : &revoke_form);
}

bool owner_start_upload(struct http_request *rq)
{
	return start_owner_form(rq, true);
}

bool owner_start_revoke(struct http_request *rq)
{
	return start_owner_form(rq, false);
}
