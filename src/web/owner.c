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
#include "core/verify.h"
#include "store/store.h"
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
#define TOKEN_PREFIX   STORE_TOKEN_PREFIX
#define TOKEN_LEN      STORE_TOKEN_LEN
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

/* Ties the request's session, at slot i, to the token of that hash
 * (after the owner replaced it), unless the slot went to another
 * session meanwhile. */
static void session_rekey(struct http_request *rq, long i,
			  const uint8_t token_hash[HASH_LEN])
{
	uint8_t h[HASH_LEN];
	struct owner_sessions *t = sessions_of(rq);
	if (!session_cookie_hash(rq, h))
		return;
	pthread_mutex_lock(&t->lock);
	if (t->s[i].used && sodium_memcmp(t->s[i].id_hash, h, HASH_LEN) == 0)
		memcpy(t->s[i].token_hash, token_hash, HASH_LEN);
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
	"login_h",
	"login_intro",
	"token",
	"signin",
	"failed",
	"dash_h",
	"public",
	"upload_h",
	"file",
	"type",
	"title",
	"performed",
	"expires",
	"provider",
	"attestation",
	"upload",
	"reason",
	"logout",
	"own_where_h",
	"own_where",
	"own_token_hint",
	"own_link_h",
	"own_link_intro",
	"own_link_go",
	"own_link_bad",
	"own_verdict_h",
	"own_fail_h",
	"own_fail",
	"own_posters_h",
	"own_posters_intro",
	"own_poster_lang",
	"own_poster_image",
	"own_form_err",
	"own_file_again",
	"own_revoke_link",
	"own_revoke_h",
	"own_revoke_what",
	"own_revoke_keep",
	"own_reason_hint",
	"own_revoke_confirm",
	"own_cancel",
	"own_venue_h",
	"own_venue_intro",
	"own_venue_err",
	"own_name",
	"own_address",
	"own_interval",
	"own_interval_hint",
	"own_venue_save",
	"own_token_h",
	"own_token_intro",
	"own_token_go",
	"own_token_new_h",
	"own_token_new",
	"own_token_back",
};

static void set_owner_labels(struct render_obj *r, enum lang lang)
{
	pages_set_labels(r, owner_labels,
			 sizeof owner_labels / sizeof owner_labels[0], lang);
}

#define PAGE_MAX (16u << 20)
/* What the page of a new token takes, and more. */
#define TOKEN_PAGE_ROOM (16u << 10)

/* Renders page with d (freed here) into out (empty, started by the
 * caller; wiped and freed on failure); false after a reply (500). */
static bool render_page(struct http_request *rq, enum pages_owner_page page,
			struct render_data *d, enum lang lang,
			const char *title, const char *self, struct buf *out)
{
	struct err e = {.msg = ""};
	enum status st =
		d == NULL ? ST_NOMEM
			  : pages_owner(page, d, lang, title, self, out, &e);
	render_data_free(d);
	if (st != ST_OK) {
		if (out->data != NULL)
			sodium_memzero(out->data, out->len);
		buf_free(out);
		web_reply_internal(rq, st, "owner page", e.msg);
		return false;
	}
	return true;
}

/* Renders page with d (freed here) and replies with it (code). */
static void reply_page(struct http_request *rq, unsigned code,
		       enum pages_owner_page page, struct render_data *d,
		       enum lang lang, const char *title, const char *self)
{
	struct buf out;
	buf_init(&out, PAGE_MAX);
	if (!render_page(rq, page, d, lang, title, self, &out))
		return;
	http_reply_buf(rq, code, MIME_HTML, &out);
	buf_free(&out);
	private_page(rq);
}

/* A read handler with a context: fn runs with a pooled read connection
 * in one read transaction, as web_with_store's do. */
typedef void (*read_fn)(struct http_request *rq, struct store *s,
			const void *ctx);

static void with_read(struct http_request *rq, read_fn fn, const void *ctx)
{
	struct web_app *a = http_app(rq);
	struct err e = {.msg = ""};
	struct store *s = store_pool_take(a->pool, &e);
	if (s == NULL) {
		web_reply_internal(rq, ST_BUSY, "database", e.msg);
		return;
	}
	enum status r = store_begin_read(s, &e);
	if (r != ST_OK) {
		web_reply_store_error(rq, r, &e);
		store_pool_give(a->pool, s, true);
		return;
	}
	fn(rq, s, ctx);
	store_pool_give(a->pool, s, store_commit(s, NULL) != ST_OK);
}

/* Today (UTC, the log's clock) into today; false after a reply. */
static bool today_of(struct http_request *rq, char today[11])
{
	char now[21];
	struct err e = {.msg = ""};
	if (log_now(now, &e) != ST_OK) {
		web_reply_internal(rq, ST_INTERNAL, "clock", e.msg);
		return false;
	}
	memcpy(today, now, 10);
	today[10] = 0;
	return true;
}

/* The log's clock in Unix seconds; false when it cannot be read. */
static bool unix_now(int64_t *out)
{
	char now[21];
	if (log_now(now, NULL) != ST_OK)
		return false;
	*out = entry_time_seconds(now);
	return true;
}

/*
 * A size as the owner reads it: "512 B", "840 kB", "10.5 MB" (1 kB =
 * 1,024 B; one decimal, none when it is .0; the language's decimal
 * point).  up: rounded up (a file over a limit never reads as the
 * limit), else down (a limit never reads as more than it is).
 */
static void human_size(char *out, size_t size, uint64_t n, bool up,
		       enum lang lang)
{
	if (n < 1024) {
		snprintf(out, size, "%llu B", (unsigned long long)n);
		return;
	}
	uint64_t unit = n < (1u << 20) ? 1024 : 1u << 20;
	uint64_t tenths = (n * 10 + (up ? unit - 1 : 0)) / unit;
	const char *name = unit == 1024 ? "kB" : "MB";
	if (tenths % 10 == 0)
		snprintf(out, size, "%llu %s",
			 (unsigned long long)(tenths / 10), name);
	else
		snprintf(out, size, "%llu%s%llu %s",
			 (unsigned long long)(tenths / 10),
			 word(lang, "decimal_point"),
			 (unsigned long long)(tenths % 10), name);
}

/* The words for what r says was wrong, into out. */
static void problem_words(struct http_request *rq,
			  const struct web_api_result *r, enum lang lang,
			  char *out, size_t size)
{
	struct web_app *a = http_app(rq);
	char x[64], y[64];
	switch (r->problem) {
	case WEB_API_MISSING:
		snprintf(out, size, "%s", word(lang, "own_err_missing"));
		return;
	case WEB_API_TOO_LARGE:
		human_size(x, sizeof x, web_api_form_file_size(rq), true, lang);
		human_size(y, sizeof y, a->doc_max, false, lang);
		wordf(out, size, lang, "own_err_too_large", "size", x, "limit",
		      y, WORDS_END);
		return;
	case WEB_API_TOO_LONG:
		snprintf(out, size, "%s", word(lang, "own_err_too_long"));
		return;
	case WEB_API_NOT_DOCUMENT:
		snprintf(out, size, "%s", word(lang, "own_err_not_document"));
		return;
	case WEB_API_NOT_DATE:
		snprintf(out, size, "%s", word(lang, "own_err_not_date"));
		return;
	case WEB_API_AFTER_TODAY:
		if (!today_of(rq, x))
			x[0] = 0;
		wordf(out, size, lang, "own_err_after_today", "today", x,
		      WORDS_END);
		return;
	case WEB_API_BEFORE_PERFORMED:
		snprintf(out, size, "%s", word(lang, "own_err_before"));
		return;
	case WEB_API_NOT_INTERVAL:
		snprintf(x, sizeof x, "%d", INTERVAL_DAYS_MAX);
		wordf(out, size, lang, "own_err_interval", "max", x, WORDS_END);
		return;
	case WEB_API_LOGGED:
	case WEB_API_OTHER:
		break;
	}
	if (status_http(r->status) >= 500)
		snprintf(out, size, "%s", word(lang, "own_err_busy"));
	else
		wordf(out, size, lang, "own_err_other", "detail", r->msg,
		      WORDS_END);
}

/* A value sent in a form, to be shown again: at most ENTRY_VALUE_MAX
 * bytes, cut at a character's start (a field over its limit keeps its
 * first bytes). */
static void form_again(struct render_obj *r, const char *key,
		       struct http_request *rq, const char *field)
{
	char v[ENTRY_VALUE_MAX + 1];
	snprintf(v, sizeof v, "%s", web_api_form_value(rq, field));
	size_t n = strlen(v);
	/* Drop a character the cut left incomplete. */
	size_t k = n;
	while (k > 0 && ((unsigned char)v[k - 1] & 0xc0) == 0x80)
		k--;
	if (k > 0 && (unsigned char)v[k - 1] >= 0xc0) {
		unsigned char c = (unsigned char)v[k - 1];
		size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (n - (k - 1) < want)
			v[k - 1] = 0;
	}
	render_set_text(r, key, v);
}

/* ---- the login page ---- */

/* The login page; with new_cookie (0: none), the form's CSRF cookie, Secure
 * when new_cookie is 2.  link: "" or a sign-in link's secret (of the right
 * form) to offer its button; link_bad: say that a link was not valid. */
static void login_page(struct http_request *rq, unsigned code, const char *csrf,
		       bool failed, int new_cookie, const char *link,
		       bool link_bad)
{
	enum lang lang = web_lang(rq);
	struct render_data *d = render_data_new();
	struct render_obj *r = render_root(d);
	set_owner_labels(r, lang);
	render_set_text(r, "csrf", csrf);
	render_set_flag(r, "failed", failed);
	render_set_text(r, "link", link);
	render_set_flag(r, "link_bad", link_bad);
	reply_page(rq, code, PAGES_OWNER_LOGIN, d, lang,
		   word(lang, "title_login"), NULL);
	if (http_reply_status(rq) == code && new_cookie)
		set_cookie(rq, COOKIE_LOGIN, csrf, "/owner/login", LOGIN_TTL,
			   new_cookie == 2);
	/* The link's secret is in this page: never sent on from it. */
	http_reply_header(rq, "Referrer-Policy", "no-referrer");
}

static void login_form_read(struct http_request *rq, struct store *s)
{
	char venue[VENUE_ID_LEN + 1], csrf[B64_LEN + 1];
	enum status r = ST_OK;
	const char *link = http_query(rq, "link");
	bool has_link = link != NULL && b64_form(link, strlen(link));
	if (link == NULL && session_find(rq, s, venue, csrf, &r, NULL) >= 0) {
		redirect(rq, "/owner");
		return;
	}
	random_b64(csrf);
	login_page(rq, 200, csrf, false, secure_cookies(rq, s) ? 2 : 1,
		   has_link ? link : "", link != NULL && !has_link);
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

/* Opens a session of venue, opened with the token of that hash, and
 * sends to the dashboard with its cookie. */
static void signed_in(struct http_request *rq, struct store *s,
		      const char *venue, const uint8_t hash[HASH_LEN])
{
	char id[B64_LEN + 1];
	session_new(sessions_of(rq), venue, hash, id);
	redirect(rq, "/owner");
	set_cookie(rq, COOKIE_SESSION, id, "/owner", OWNER_SESSION_TTL,
		   secure_cookies(rq, s));
	set_cookie(rq, COOKIE_LOGIN, "", "/owner/login", 0,
		   secure_cookies(rq, s));
	sodium_memzero(id, sizeof id);
}

/* A read-write connection of the request's server, for the owner's few
 * writes outside the log (a token, a sign-in link): NULL after a reply. */
static struct store *open_write(struct http_request *rq)
{
	struct web_app *a = http_app(rq);
	struct store *w = NULL;
	struct err e = {.msg = ""};
	enum status r = store_open(a->db_path, STORE_OPEN, &w, &e);
	if (r != ST_OK) {
		web_reply_internal(rq, r, "database", e.msg);
		return NULL;
	}
	return w;
}

/* Signs in with a one-time link's secret: the link is used up whether
 * or not it is still valid; the session is tied to the venue's token as
 * it is now, so that a rotation ends it as it ends the others.  A link
 * that is not valid counts as a failed login. */
static void link_login(struct http_request *rq, struct store *s,
		       const char *csrf, const char *link)
{
	struct web_app *a = http_app(rq);
	uint8_t token[HASH_LEN];
	char venue[VENUE_ID_LEN + 1] = "";
	int64_t now = 0;
	struct err e = {.msg = ""};
	enum status r = ST_NOT_FOUND;
	if (b64_form(link, strlen(link)) && unix_now(&now)) {
		uint8_t h[HASH_LEN];
		struct store *w = open_write(rq);
		if (w == NULL)
			return;
		sha256(h, link, B64_LEN);
		r = store_login_link_take(w, h, now, venue, &e);
		store_close(w);
	}
	if (r == ST_OK)
		r = store_token_get(s, venue, token, &e);
	if (r != ST_OK && r != ST_NOT_FOUND) {
		web_reply_store_error(rq, r, &e);
		return;
	}
	if (r == ST_NOT_FOUND) {
		ratelimit_fail(a->auth_limit, http_client(rq));
		atomic_fetch_add(&a->auth_failures, 1);
		login_page(rq, 401, csrf, false, 0, "", true);
		return;
	}
	signed_in(rq, s, venue, token);
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
	char link[B64_LEN + 2];
	if (form_value(f, "link", link, sizeof link)) {
		link_login(rq, s, want, link);
		sodium_memzero(link, sizeof link);
		return;
	}
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
		login_page(rq, 401, want, true, 0, "", false);
		return;
	}
	signed_in(rq, s, venue, hash);
	sodium_memzero(hash, sizeof hash);
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

/* The session of a page: its venue and CSRF token; false after a reply
 * (to the login form, or 403 when the page answers a form). */
static bool page_session(struct http_request *rq, struct store *s,
			 char venue[VENUE_ID_LEN + 1], char csrf[B64_LEN + 1],
			 bool form)
{
	enum status sr = ST_OK;
	struct err e = {.msg = ""};
	if (session_find(rq, s, venue, csrf, &sr, &e) >= 0)
		return true;
	if (sr != ST_OK)
		web_reply_store_error(rq, sr, &e);
	else if (form)
		http_reply_error(rq, ST_FORBIDDEN, 0,
				 "not signed in (or the session expired)");
	else
		redirect(rq, "/owner/login");
	return false;
}

/* A form of the dashboard shown again with what was wrong with it: the
 * upload (values from the form's request) or the venue's details. */
struct redo {
	bool upload;
	const struct web_api_result *r;
};

static const char *const upload_fields[] = {
	"file",	   "type",     "title",	      "performed",
	"expires", "provider", "attestation",
};
static const char *const venue_fields[] = {"name", "address", "interval_days"};

/* Sets "e_<name>" of each of names[0..n): msg for field (NULL: none),
 * "" for the others. */
static void set_errors(struct render_obj *r, const char *const *names, size_t n,
		       const char *field, const char *msg)
{
	for (size_t i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof key, "e_%s", names[i]);
		render_set_text(r, key,
				field != NULL && strcmp(field, names[i]) == 0
					? msg
					: "");
	}
}

/* Sets the values of the upload form and of the venue form, and their
 * errors: those of redo (or none), else the venue's values now. */
static void set_forms(struct http_request *rq, struct render_obj *r,
		      enum lang lang, const struct pages_venue_values *now,
		      const struct redo *redo)
{
	const struct web_api_result *res = redo != NULL ? redo->r : NULL;
	char msg[512] = "";
	const char *field = res != NULL ? res->field : NULL;
	bool up = redo != NULL && redo->upload, set = redo != NULL && !up;

	if (res != NULL)
		problem_words(rq, res, lang, msg, sizeof msg);
	render_set_text(r, "up_err", up ? msg : "");
	render_set_text(r, "set_err", set ? msg : "");
	/* The summary links to the field, or to the form's first one. */
	render_set_text(r, "err_field",
			field != NULL ? field
			: up	      ? "file"
				      : "name");
	set_errors(r, upload_fields,
		   sizeof upload_fields / sizeof *upload_fields,
		   up ? field : NULL, msg);
	set_errors(r, venue_fields, sizeof venue_fields / sizeof *venue_fields,
		   set ? field : NULL, msg);
	static const char *const kept[][2] = {
		{"u_title", "title"},
		{"u_performed", "performed"},
		{"u_expires", "expires"},
		{"u_provider", "provider"},
	};
	for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
		if (up)
			form_again(r, kept[i][0], rq, kept[i][1]);
		else
			render_set_text(r, kept[i][0], "");
	const char *sent_type = up ? web_api_form_value(rq, "type") : "";
	render_set_list(r, "types");
	const char *type, *label;
	for (size_t i = 0; (type = pages_type_at(i, lang, &label)) != NULL;
	     i++) {
		struct render_obj *t = render_add_item(r, "types");
		render_set_text(t, "value", type);
		render_set_text(t, "label", label);
		render_set_flag(t, "sel", strcmp(type, sent_type) == 0);
	}
	if (set) {
		form_again(r, "s_name", rq, "name");
		form_again(r, "s_address", rq, "address");
		form_again(r, "s_interval", rq, "interval_days");
	} else {
		render_set_text(r, "s_name", now->name);
		render_set_text(r, "s_address", now->address);
		render_set_textf(r, "s_interval", "%d", now->interval_days);
	}
}

static void dashboard(struct http_request *rq, struct store *s, const void *ctx)
{
	const struct redo *redo = ctx;
	char venue[VENUE_ID_LEN + 1], csrf[B64_LEN + 1], today[11];
	struct err e = {.msg = ""};
	if (!page_session(rq, s, venue, csrf, redo != NULL))
		return;
	enum lang lang = web_lang(rq);
	int64_t before = -1;
	if ((redo == NULL && !web_query_before(rq, &before)) ||
	    !today_of(rq, today))
		return;
	struct render_data *d = render_data_new();
	if (d == NULL) {
		http_reply_error(rq, ST_NOMEM, 1, "out of memory");
		return;
	}
	struct render_obj *r = render_root(d);
	struct pages_venue_values now = {.interval_days = 0};
	/* The venue's bundle, verified once for the record and the
	 * state beside it. */
	struct bundle *b = NULL;
	struct verify_report rep;
	enum status st = pages_venue_verified(s, venue, today, &b, &rep, &e);
	if (st == ST_OK) {
		pages_owner_record(b, &rep, lang, before, r);
		pages_owner_state(&rep, venue, lang, r, &now);
	}
	verify_report_free(&rep);
	bundle_free(b);
	if (st != ST_OK) {
		render_data_free(d);
		web_reply_internal(rq, st, "dashboard", e.msg);
		return;
	}
	set_owner_labels(r, lang);
	render_set_text(r, "csrf", csrf);
	render_set_text(r, "today", today);
	const char *done = redo == NULL ? http_query(rq, "done") : NULL;
	const char *notice = done == NULL		   ? ""
			     : strcmp(done, "upload") == 0 ? "logged"
			     : strcmp(done, "revoke") == 0 ? "revoked_ok"
			     : strcmp(done, "venue") == 0  ? "own_venue_ok"
			     : strcmp(done, "same") == 0   ? "own_venue_same"
							   : "";
	render_set_text(r, "notice", notice[0] ? word(lang, notice) : "");
	set_forms(rq, r, lang, &now, redo);
	char self[48] = "/owner";
	if (before >= 0)
		snprintf(self, sizeof self, "/owner?before=%" PRId64, before);
	char title[256];
	if (redo != NULL)
		wordf(title, sizeof title, lang, "own_title_error", "title",
		      word(lang, "title_dashboard"), WORDS_END);
	unsigned code =
		redo != NULL ? (unsigned)status_http(redo->r->status) : 200;
	reply_page(rq, code, PAGES_OWNER_DASHBOARD, d, lang,
		   redo != NULL ? title : word(lang, "title_dashboard"), self);
}

static void dashboard_read(struct http_request *rq, struct store *s)
{
	dashboard(rq, s, NULL);
}

enum http_next owner_dashboard(struct http_request *rq)
{
	return web_with_store(rq, dashboard_read);
}

/* ---- uploads, revocations and the venue's details, through api.c ---- */

/* Whether the form of rq carries the CSRF token of a live session of
 * venue; false after a reply (403). */
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

/* A dashboard form's answer: to the dashboard once logged, else the
 * dashboard with the form shown again. */
static void dashboard_answer(struct http_request *rq,
			     const struct web_api_result *r, bool upload)
{
	if (r->status == ST_OK) {
		redirect(rq,
			 upload ? "/owner?done=upload" : "/owner?done=venue");
		return;
	}
	struct redo redo = {.upload = upload, .r = r};
	with_read(rq, dashboard, &redo);
}

static void upload_answer(struct http_request *rq,
			  const struct web_api_result *r)
{
	dashboard_answer(rq, r, true);
}

static void venue_answer(struct http_request *rq,
			 const struct web_api_result *r)
{
	dashboard_answer(rq, r, false);
}

/* The confirmation of a revocation: the document of seq with the reason
 * as typed; err ("" or NULL: none) says why nothing was logged, and
 * e_reason what is wrong with the reason. */
struct confirm {
	bool form; /* it answers a form (not GET /owner/revoke) */
	unsigned code;
	int64_t seq;
	const char *reason, *err, *e_reason;
};

static void confirm_page(struct http_request *rq, struct store *s,
			 const void *ctx)
{
	const struct confirm *c = ctx;
	char venue[VENUE_ID_LEN + 1], csrf[B64_LEN + 1], today[11];
	struct err e = {.msg = ""};
	if (!page_session(rq, s, venue, csrf, c->form))
		return;
	if (!today_of(rq, today))
		return;
	enum lang lang = web_lang(rq);
	struct render_data *d = render_data_new();
	struct render_obj *r = render_root(d);
	enum status st = d == NULL ? ST_NOMEM
				   : pages_owner_document(s, venue, c->seq,
							  lang, today, r, &e);
	if (st == ST_NOT_FOUND || st == ST_CONFLICT) {
		render_data_free(d);
		http_reply_error(rq, st, 0, "%s",
				 word(lang, "own_revoke_gone"));
		return;
	}
	if (st != ST_OK) {
		render_data_free(d);
		web_reply_internal(rq, st, "revocation", e.msg);
		return;
	}
	set_owner_labels(r, lang);
	render_set_text(r, "csrf", csrf);
	render_set_text(r, "reason", c->reason != NULL ? c->reason : "");
	render_set_text(r, "err", c->err != NULL ? c->err : "");
	render_set_text(r, "e_reason", c->e_reason != NULL ? c->e_reason : "");
	char self[64];
	snprintf(self, sizeof self, "/owner/revoke?seq=%" PRId64, c->seq);
	reply_page(rq, c->code, PAGES_OWNER_REVOKE, d, lang,
		   word(lang, "own_title_revoke"), self);
}

static void revoke_form_read(struct http_request *rq, struct store *s)
{
	const char *seq = http_query(rq, "seq");
	struct confirm c = {.code = 200};
	if (seq == NULL || !dec_parse(seq, &c.seq)) {
		http_reply_error(rq, ST_INVALID, 0,
				 "seq: the venue-seq of a document");
		return;
	}
	confirm_page(rq, s, &c);
}

enum http_next owner_revoke_form(struct http_request *rq)
{
	return web_with_store(rq, revoke_form_read);
}

/* The seq the revocation form sent; false (after a 400) when it is not
 * one. */
static bool form_seq(struct http_request *rq, int64_t *seq)
{
	if (!dec_parse(web_api_form_value(rq, "seq"), seq)) {
		http_reply_error(rq, ST_INVALID, 0,
				 "seq: the venue-seq of a document");
		return false;
	}
	return true;
}

/* Only a confirmed revocation is logged: a form without confirm=yes is
 * shown its confirmation page. */
static bool revoke_check(struct http_request *rq, const char *venue,
			 const char *csrf, size_t len)
{
	if (!form_check(rq, venue, csrf, len))
		return false;
	if (strcmp(web_api_form_value(rq, "confirm"), "yes") == 0)
		return true;
	struct confirm c = {.form = true, .code = 200};
	if (!form_seq(rq, &c.seq))
		return false;
	c.reason = web_api_form_value(rq, "reason");
	with_read(rq, confirm_page, &c);
	return false;
}

static void revoke_answer(struct http_request *rq,
			  const struct web_api_result *r)
{
	if (r->status == ST_OK) {
		redirect(rq, "/owner?done=revoke");
		return;
	}
	enum lang lang = web_lang(rq);
	char msg[512];
	problem_words(rq, r, lang, msg, sizeof msg);
	struct confirm c = {.form = true,
			    .code = (unsigned)status_http(r->status)};
	bool reason = r->field != NULL && strcmp(r->field, "reason") == 0;
	if (!form_seq(rq, &c.seq))
		return;
	char typed[ENTRY_VALUE_MAX + 1];
	snprintf(typed, sizeof typed, "%s", web_api_form_value(rq, "reason"));
	c.reason = typed;
	c.err = word(lang, "own_form_err");
	c.e_reason = reason ? msg : NULL;
	if (!reason)
		c.err = msg;
	with_read(rq, confirm_page, &c);
}

/* A venue form that changes nothing is not logged: the dashboard says
 * so. */
static void venue_same(struct http_request *rq, struct store *s,
		       const void *ctx)
{
	char venue[VENUE_ID_LEN + 1], csrf[B64_LEN + 1], today[11];
	bool *same = (bool *)ctx;
	enum status sr = ST_OK;
	struct err e = {.msg = ""};
	struct pages_venue_values now = {.interval_days = 0};
	struct bundle *b = NULL;
	struct verify_report rep;
	if (session_find(rq, s, venue, csrf, &sr, &e) < 0 ||
	    !today_of(rq, today))
		return; /* the form goes on, and fails or not on its own */
	enum status st = pages_venue_verified(s, venue, today, &b, &rep, &e);
	if (st == ST_OK)
		pages_owner_state(&rep, venue, LANG_EN, NULL, &now);
	verify_report_free(&rep);
	bundle_free(b);
	if (st != ST_OK)
		return; /* as above */
	char days[16];
	snprintf(days, sizeof days, "%d", now.interval_days);
	*same = strcmp(web_api_form_value(rq, "name"), now.name) == 0 &&
		strcmp(web_api_form_value(rq, "address"), now.address) == 0 &&
		strcmp(web_api_form_value(rq, "interval_days"), days) == 0;
}

static bool venue_check(struct http_request *rq, const char *venue,
			const char *csrf, size_t len)
{
	if (!form_check(rq, venue, csrf, len))
		return false;
	/* A field cut at its limit may equal the value it would change:
	 * such a form goes on, to be refused for its length. */
	if (web_api_form_cut(rq))
		return true;
	bool same = false;
	with_read(rq, venue_same, &same);
	if (http_reply_status(rq) != 0)
		return false;
	if (same) {
		redirect(rq, "/owner?done=same");
		return false;
	}
	return true;
}

static const struct web_api_form upload_form = {form_check, upload_answer};
static const struct web_api_form revoke_form = {revoke_check, revoke_answer};
static const struct web_api_form venue_form = {venue_check, venue_answer};

/* Before a form's body is read: whether rq has a live session (its
 * venue into venue); false after a 403.  The session is checked again,
 * with the form's CSRF token, once the body is in. */
static bool session_first(struct http_request *rq, char venue[VENUE_ID_LEN + 1])
{
	char csrf[B64_LEN + 1];
	if (session_lookup(rq, venue, csrf, NULL) < 0) {
		http_reply_error(rq, ST_FORBIDDEN, 0,
				 "not signed in (or the session expired)");
		return false;
	}
	return true;
}

static bool start_owner_form(struct http_request *rq, enum web_api_kind kind,
			     const struct web_api_form *form)
{
	char venue[VENUE_ID_LEN + 1];
	return session_first(rq, venue) &&
	       web_api_begin_form(rq, kind, venue, form);
}

bool owner_start_upload(struct http_request *rq)
{
	return start_owner_form(rq, WEB_API_DOCUMENT, &upload_form);
}

bool owner_start_revoke(struct http_request *rq)
{
	return start_owner_form(rq, WEB_API_REVOCATION, &revoke_form);
}

bool owner_start_venue(struct http_request *rq)
{
	return start_owner_form(rq, WEB_API_VENUE, &venue_form);
}

/* ---- a new owner token ---- */

static void token_rotate(struct http_request *rq, struct store *s)
{
	(void)s;
	struct form_req *f = http_state(rq);
	char venue[VENUE_ID_LEN + 1], want[B64_LEN + 1], csrf[B64_LEN + 2];
	uint8_t old[HASH_LEN], hash[HASH_LEN];
	enum status r = ST_OK;
	struct err e = {.msg = ""};
	long i = session_find(rq, NULL, venue, want, &r, &e);
	if (r != ST_OK) {
		web_reply_store_error(rq, r, &e);
		return;
	}
	if (i < 0 || session_lookup(rq, venue, want, old) != i ||
	    !form_value(f, "csrf", csrf, sizeof csrf) ||
	    !csrf_ok(want, csrf, strlen(csrf))) {
		http_reply_error(rq, ST_FORBIDDEN, 0,
				 "the form's CSRF token is missing or wrong");
		return;
	}
	/* The page with the new token is made before the token replaces
	 * the old one: an owner who is not shown it keeps the old one. */
	char token[STORE_TOKEN_LEN + 1];
	store_secret_new(STORE_TOKEN_PREFIX, token, sizeof token, hash);
	enum lang lang = web_lang(rq);
	struct render_data *d = render_data_new();
	if (d != NULL) {
		struct render_obj *o = render_root(d);
		set_owner_labels(o, lang);
		render_set_text(o, "token", token);
	}
	/* Made in one block (no copies left behind as it grows). */
	struct buf page;
	buf_init(&page, PAGE_MAX);
	(void)buf_reserve(&page, TOKEN_PAGE_ROOM);
	bool made = render_page(rq, PAGES_OWNER_TOKEN, d, lang,
				word(lang, "own_title_token"), "/owner", &page);
	sodium_memzero(token, sizeof token);
	struct store *w = made ? open_write(rq) : NULL;
	if (w != NULL) {
		r = store_token_replace(w, venue, old, hash, &e);
		store_close(w);
		if (r == ST_CONFLICT) {
			/* Replaced meanwhile: this session is of the old
			 * one. */
			session_end(rq, i);
			http_reply_error(rq, ST_FORBIDDEN, 0,
					 "the owner token was replaced "
					 "meanwhile");
		} else if (r != ST_OK) {
			web_reply_store_error(rq, r, &e);
		} else {
			/* This session goes on with the new token; every
			 * other one of the old token ends at its next
			 * request. */
			session_rekey(rq, i, hash);
			http_reply_secret(rq, 200, MIME_HTML, &page);
			private_page(rq);
		}
	}
	if (made) {
		/* Still here unless it was handed over. */
		if (page.data != NULL)
			sodium_memzero(page.data, page.len);
		buf_free(&page);
	}
	sodium_memzero(hash, sizeof hash);
}

bool owner_start_token(struct http_request *rq)
{
	char venue[VENUE_ID_LEN + 1];
	return session_first(rq, venue) && owner_start_form(rq);
}

enum http_next owner_token(struct http_request *rq)
{
	token_rotate(rq, NULL);
	return HTTP_DONE;
}

/* ---- the addresses of the forms, asked for with GET ---- */

enum http_next owner_back(struct http_request *rq)
{
	/* A refused form's page links to its other languages at its own
	 * address: they are the dashboard's. */
	const char *q = http_query(rq, "lang");
	enum lang l;
	char to[32] = "/owner";
	if (q != NULL && strlen(q) == 2 && lang_parse(q, 2, &l))
		snprintf(to, sizeof to, "/owner?lang=%s", lang_code(l));
	redirect(rq, to);
	return HTTP_DONE;
}
