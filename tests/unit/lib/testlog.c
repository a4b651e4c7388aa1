/*
 * testlog.c: the log, the service, the HTTP client and the responder the
 * unit tests share (see testlog.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/hash.h"
#include "rm_rf.h"
#include "store/docfiles.h"
#include "testlog.h"
#include "web/app.h"

/* ---- the log ---- */

/* Sets *ss to 127.0.0.1, port 0. */
static socklen_t loopback(struct sockaddr_storage *ss)
{
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	memset(ss, 0, sizeof *ss);
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof *a;
}

void tl_open(struct testlog *t, const char *base_url)
{
	struct err e = {.msg = ""};
	uint8_t seed[32];
	memset(t, 0, sizeof *t);
	assert_true(sodium_init() >= 0);
	(void)signal(SIGPIPE, SIG_IGN); /* fails only for a bad signal */
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	const char *tmp = getenv("TMPDIR");
	snprintf(t->dir, sizeof t->dir, "%s/sanilog-unit.XXXXXX",
		 tmp != NULL && tmp[0] != 0 ? tmp : "/tmp");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->db, sizeof t->db, "%s/log.db", t->dir);
	setenv("SANILOG_NOW", TL_NOW, 1);
	memset(seed, 0x5a, sizeof seed);
	assert_int_equal(note_signer_from_seed(TL_ORIGIN, seed, &t->signer, &e),
			 ST_OK);
	note_signer_verifier(t->signer, &t->key);
	note_verifier_format(&t->key, t->vkey, sizeof t->vkey);
	assert_int_equal(store_open(t->db, STORE_CREATE, &t->s, &e), ST_OK);
	assert_int_equal(store_meta_set(t->s, "origin", TL_ORIGIN, NULL),
			 ST_OK);
	assert_int_equal(store_meta_set(t->s, "vkey", t->vkey, NULL), ST_OK);
	if (base_url != NULL)
		assert_int_equal(
			store_meta_set(t->s, "base_url", base_url, NULL),
			ST_OK);
	if (sequencer_new(t->s, t->signer, &t->q, &e) != ST_OK)
		fail_msg("sequencer: %s", e.msg);
	/* The empty log's checkpoint, as init keeps it. */
	assert_int_equal(sequencer_checkpoint(t->q, NULL, &e), ST_OK);
}

void tl_close(struct testlog *t)
{
	tl_stop(t);
	sequencer_free(t->q);
	store_close(t->s);
	note_signer_free(t->signer);
	t->q = NULL;
	t->s = NULL;
	t->signer = NULL;
	if (t->dir[0] != 0) {
		assert_int_equal(rm_rf(t->dir), 0);
		t->dir[0] = 0;
	}
}

void tl_venue_request(struct seq_request *rq, const char *venue,
		      const char *name, bool new_venue)
{
	memset(rq, 0, sizeof *rq);
	rq->entry.kind = ENTRY_VENUE;
	rq->new_venue = new_venue;
	snprintf(rq->entry.venue, sizeof rq->entry.venue, "%s", venue);
	snprintf(rq->entry.name, sizeof rq->entry.name, "%s", name);
	snprintf(rq->entry.address, sizeof rq->entry.address, "Via Roma 1");
	rq->entry.interval_days = 30;
}

void tl_document_request(struct seq_request *rq, const char *venue,
			 const char *title, const uint8_t *doc, size_t len)
{
	memset(rq, 0, sizeof *rq);
	rq->entry.kind = ENTRY_DOCUMENT;
	snprintf(rq->entry.venue, sizeof rq->entry.venue, "%s", venue);
	snprintf(rq->entry.type, sizeof rq->entry.type, "sanitization");
	snprintf(rq->entry.title, sizeof rq->entry.title, "%s", title);
	snprintf(rq->entry.performed, sizeof rq->entry.performed, "2026-11-20");
	snprintf(rq->entry.submitted_by, sizeof rq->entry.submitted_by,
		 "operator");
	rq->doc = doc;
	rq->doc_len = len;
}

void tl_revocation_request(struct seq_request *rq, const char *venue,
			   int64_t seq, const char *reason)
{
	memset(rq, 0, sizeof *rq);
	rq->entry.kind = ENTRY_REVOCATION;
	snprintf(rq->entry.venue, sizeof rq->entry.venue, "%s", venue);
	rq->entry.revokes = seq;
	snprintf(rq->entry.reason, sizeof rq->entry.reason, "%s", reason);
	snprintf(rq->entry.submitted_by, sizeof rq->entry.submitted_by,
		 "operator");
}

void tl_pdf(int n, uint8_t out[TL_PDF])
{
	memset(out, 0, TL_PDF);
	snprintf((char *)out, TL_PDF, "%%PDF-1.4 unit document %d", n);
}

void tl_append(struct testlog *t, struct seq_request *reqs, size_t n)
{
	struct err e = {.msg = ""};
	if (sequencer_append(t->q, reqs, n, NULL, &e) != ST_OK)
		fail_msg("append: %s", e.msg);
	for (size_t i = 0; i < n; i++)
		if (reqs[i].status != ST_OK)
			fail_msg("request %zu: %s: %s", i,
				 status_str(reqs[i].status), reqs[i].err.msg);
}

int64_t tl_add_venue(struct testlog *t, const char *venue, const char *name)
{
	struct seq_request rq;
	tl_venue_request(&rq, venue, name, true);
	tl_append(t, &rq, 1);
	return rq.index;
}

int64_t tl_add_document(struct testlog *t, const char *venue, int n)
{
	struct seq_request rq;
	uint8_t doc[TL_PDF];
	char title[32];
	tl_pdf(n, doc);
	snprintf(title, sizeof title, "Document %d", n);
	tl_document_request(&rq, venue, title, doc, sizeof doc);
	tl_append(t, &rq, 1);
	return rq.index;
}

void tl_append_to(struct testlog *t, const char *path, const char *venue, int n)
{
	struct store *s = NULL;
	struct sequencer *q = NULL;
	struct seq_request rq;
	uint8_t doc[TL_PDF];
	struct err e = {.msg = ""};
	assert_int_equal(
		store_open(path != NULL ? path : t->db, STORE_OPEN, &s, &e),
		ST_OK);
	assert_int_equal(sequencer_new(s, t->signer, &q, &e), ST_OK);
	tl_pdf(n, doc);
	tl_document_request(&rq, venue, "Appended", doc, TL_PDF);
	if (sequencer_append(q, &rq, 1, NULL, &e) != ST_OK ||
	    rq.status != ST_OK)
		fail_msg("append: %s%s", e.msg, rq.err.msg);
	sequencer_free(q);
	store_close(s);
}

void tl_set_token(struct testlog *t, const char *venue, const char *tok)
{
	struct store *s = NULL;
	struct err e = {.msg = ""};
	uint8_t hash[HASH_LEN];
	sha256(hash, tok, strlen(tok));
	/* A connection of its own: t->s may be the writer thread's. */
	assert_int_equal(store_open(t->db, STORE_OPEN, &s, &e), ST_OK);
	assert_int_equal(store_token_set(s, venue, hash, NULL), ST_OK);
	store_close(s);
}

int tl_exec(const struct testlog *t, const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	assert_int_equal(sqlite3_open(path != NULL ? path : t->db, &db),
			 SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg != NULL ? msg : "?");
	int n = sqlite3_changes(db);
	sqlite3_close(db);
	return n;
}

int64_t tl_query(const struct testlog *t, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	assert_int_equal(
		sqlite3_open_v2(t->db, &db, SQLITE_OPEN_READONLY, NULL),
		SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

void tl_copy_db(const struct testlog *t, const char *name, char *out)
{
	sqlite3 *from = NULL, *to = NULL;
	snprintf(out, PATH_MAX + 32, "%s/%s", t->dir, name);
	unlink(out);
	/* SQLite's backup: the database as a reader sees it, WAL and all. */
	assert_int_equal(
		sqlite3_open_v2(t->db, &from, SQLITE_OPEN_READONLY, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_open(out, &to), SQLITE_OK);
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	assert_non_null(b);
	assert_int_equal(sqlite3_backup_step(b, -1), SQLITE_DONE);
	assert_int_equal(sqlite3_backup_finish(b), SQLITE_OK);
	sqlite3_close(to);
	sqlite3_close(from);
	tl_copy_docs(t->db, out);
}

/* At most this many subfolders in a documents' folder (256 of them). */
#define TL_SUBS 512

/* Makes the folder to, and in it a hard link to each file of the folder
 * from; the names of from's subfolders go to subs[0..*nsubs) when subs
 * is not NULL. */
static void link_files(const char *from, const char *to, char (*subs)[256],
		       size_t *nsubs)
{
	DIR *d = opendir(from);
	struct dirent *de;
	assert_non_null(d);
	assert_int_equal(mkdir(to, 0700), 0);
	while ((de = readdir(d)) != NULL) {
		char a[PATH_MAX], b[PATH_MAX];
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		assert_true(snprintf(a, sizeof a, "%s/%s", from, de->d_name) <
			    (int)sizeof a);
		assert_true(snprintf(b, sizeof b, "%s/%s", to, de->d_name) <
			    (int)sizeof b);
		assert_int_equal(lstat(a, &sb), 0);
		if (S_ISREG(sb.st_mode)) {
			assert_int_equal(link(a, b), 0);
		} else if (S_ISDIR(sb.st_mode) && subs != NULL) {
			assert_true(*nsubs < TL_SUBS);
			snprintf(subs[(*nsubs)++], 256, "%s", de->d_name);
		}
	}
	closedir(d);
}

void tl_copy_docs(const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];
	assert_true(docfiles_dir(from, a, sizeof a));
	assert_true(docfiles_dir(to, b, sizeof b));
	assert_int_equal(rm_rf(b), 0);
	static char subs[TL_SUBS][256];
	size_t n = 0;
	link_files(a, b, subs, &n);
	for (size_t i = 0; i < n; i++) {
		char x[PATH_MAX + 256], y[PATH_MAX + 256];
		snprintf(x, sizeof x, "%s/%s", a, subs[i]);
		snprintf(y, sizeof y, "%s/%s", b, subs[i]);
		link_files(x, y, NULL, NULL);
	}
}

void tl_serve(struct testlog *t, const struct web_options *o)
{
	struct web_options w = {
		.http = {.threads = 2,
			 .max_connections = 64,
			 .timeout = 10,
			 .access_log = false},
		.doc_max = DOC_MAX_DEFAULT,
		.upload_memory = 64u << 20,
		.auth_burst = 1000,
		.auth_drain = 0.01,
	};
	struct err e = {.msg = ""};
	if (o != NULL)
		w = *o;
	w.http.addrlen = loopback(&w.http.addr);
	w.db_path = t->db;
	assert_int_equal(store_keep_doc_keys(t->s, NULL), ST_OK);
	if (web_app_start(&w, t->q, &t->app, &e) != ST_OK)
		fail_msg("serve: %s", e.msg);
	t->port = web_app_port(t->app);
	snprintf(t->url, sizeof t->url, "http://127.0.0.1:%u", t->port);
}

void tl_stop(struct testlog *t)
{
	web_app_stop(t->app, 2000);
	t->app = NULL;
}

struct http_server *tl_http_start(const struct http_config *cfg,
				  const struct http_route *routes, size_t n,
				  void *app, unsigned *port)
{
	struct http_config c = {.threads = 2,
				.max_connections = 64,
				.timeout = 10,
				.access_log = false};
	struct http_server *srv = NULL;
	struct err e = {.msg = ""};
	if (cfg != NULL)
		c = *cfg;
	c.addrlen = loopback(&c.addr);
	(void)signal(SIGPIPE, SIG_IGN); /* fails only for a bad signal */
	if (http_server_new(&c, routes, n, app, &srv, &e) != ST_OK)
		fail_msg("http server: %s", e.msg);
	*port = http_server_port(srv);
	return srv;
}

/* ---- HTTP ---- */

static size_t to_buf(char *p, size_t size, size_t n, void *ud)
{
	return buf_append(ud, p, size * n) == ST_OK ? size * n : 0;
}

void tl_http(const char *method, const char *url, const char *const *headers,
	     const void *body, size_t len, struct tl_reply *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	assert_non_null(c);
	memset(r, 0, sizeof *r);
	buf_init(&r->head, 1 << 20);
	buf_init(&r->body, 64u << 20);
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		h = curl_slist_append(h, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, to_buf);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->head);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		fail_msg("%s %s: %s", method, url, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
}

void tl_get(const char *url, struct tl_reply *r)
{
	tl_http("GET", url, NULL, NULL, 0, r);
}

void tl_reply_free(struct tl_reply *r)
{
	buf_free(&r->head);
	buf_free(&r->body);
}

long long tl_metric(const struct testlog *t, const char *name)
{
	struct tl_reply r;
	char url[128];
	snprintf(url, sizeof url, "%s/metrics", t->url);
	tl_get(url, &r);
	assert_int_equal(r.code, 200);
	char line[256];
	snprintf(line, sizeof line, "\n%s ", name);
	const char *p = strstr(buf_str(&r.body), line);
	if (p == NULL)
		fail_msg("no %s in the metrics", name);
	char *end = NULL;
	/* p is not NULL past fail_msg, which does not return (cmocka 1.1.5
	 * does not say so to the analyzer). */
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
	long long v = strtoll(p + strlen(line), &end, 10);
	assert_int_equal(*end, '\n');
	tl_reply_free(&r);
	return v;
}

/* Calls fn with the value of each header line named name; stops when it
 * returns true.  Returns how many it saw. */
static int each_header(const struct tl_reply *r, const char *name,
		       bool (*fn)(void *ctx, const char *v, size_t n),
		       void *ctx)
{
	const char *p = buf_str(&r->head);
	size_t nl = strlen(name);
	int count = 0;
	while (*p != 0) {
		size_t line = strcspn(p, "\r\n");
		if (line > nl && strncasecmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			count++;
			if (fn != NULL && fn(ctx, v, (size_t)(p + line - v)))
				break;
		}
		p += line;
		p += strspn(p, "\r\n");
	}
	return count;
}

struct copy_to {
	char *out;
	size_t size;
	const char *cookie; /* "name=" of a cookie, or NULL */
	bool found;
};

static bool copy_value(void *ctx, const char *v, size_t n)
{
	struct copy_to *c = ctx;
	if (c->cookie != NULL) {
		size_t cl = strlen(c->cookie);
		if (n < cl || strncmp(v, c->cookie, cl) != 0)
			return false;
		v += cl;
		n = strcspn(v, ";\r\n");
	}
	snprintf(c->out, c->size, "%.*s", (int)n, v);
	c->found = true;
	return true;
}

bool tl_header(const struct tl_reply *r, const char *name, char *out,
	       size_t size)
{
	struct copy_to c = {.out = out, .size = size};
	out[0] = 0;
	return each_header(r, name, copy_value, &c) > 0;
}

int tl_header_count(const struct tl_reply *r, const char *name)
{
	return each_header(r, name, NULL, NULL);
}

bool tl_cookie(const struct tl_reply *r, const char *name, char *out,
	       size_t size)
{
	char eq[64];
	snprintf(eq, sizeof eq, "%s=", name);
	struct copy_to c = {.out = out, .size = size, .cookie = eq};
	out[0] = 0;
	each_header(r, "Set-Cookie", copy_value, &c);
	return c.found;
}

unsigned tl_raw(unsigned port, const char *req, size_t len, struct buf *out)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	struct timeval tv = {.tv_sec = 10};
	struct buf got;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	tl_write(fd, req, len);
	buf_init(&got, 1 << 20);
	for (;;) {
		uint8_t *p = buf_reserve(&got, 4096);
		assert_non_null(p);
		ssize_t n = recv(fd, p, 4096, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got.len += (size_t)n;
		got.data[got.len] = 0;
	}
	close(fd);
	unsigned code = 0;
	const char *s = buf_str(&got);
	if (got.len >= 12 && strncmp(s, "HTTP/1.", 7) == 0)
		code = (unsigned)strtoul(s + 9, NULL, 10);
	if (out != NULL)
		*out = got;
	else
		buf_free(&got);
	return code;
}

void tl_multipart(struct buf *body, char *ctype, size_t ctsize,
		  const char *const *fields, const uint8_t *file, size_t len)
{
	static const char b[] = "unit-boundary-7MA4YWxkTrZu0gW";
	buf_init(body, 64u << 20);
	for (size_t i = 0; fields != NULL && fields[i] != NULL; i += 2)
		assert_int_equal(
			buf_printf(body,
				   "--%s\r\nContent-Disposition: form-data; "
				   "name=\"%s\"\r\n\r\n%s\r\n",
				   b, fields[i], fields[i + 1]),
			ST_OK);
	if (file != NULL) {
		assert_int_equal(
			buf_printf(body,
				   "--%s\r\nContent-Disposition: form-data; "
				   "name=\"file\"; filename=\"doc.pdf\"\r\n"
				   "Content-Type: application/octet-stream"
				   "\r\n\r\n",
				   b),
			ST_OK);
		assert_int_equal(buf_append(body, file, len), ST_OK);
		assert_int_equal(buf_append_str(body, "\r\n"), ST_OK);
	}
	assert_int_equal(buf_printf(body, "--%s--\r\n", b), ST_OK);
	snprintf(ctype, ctsize,
		 "Content-Type: multipart/form-data; boundary=%s", b);
}

/* ---- the responder ---- */

struct tl_responder {
	int fd;
	tl_respond_fn fn;
	void *ctx;
	atomic_bool stop;
	pthread_t thread;
};

void tl_write(int fd, const void *s, size_t len)
{
	const char *p = s;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void *responder_main(void *arg)
{
	struct tl_responder *r = arg;
	while (!atomic_load(&r->stop)) {
		struct pollfd p = {.fd = r->fd, .events = POLLIN};
		if (poll(&p, 1, 50) <= 0)
			continue;
		int c = accept(r->fd, NULL, NULL);
		if (c < 0)
			continue;
		struct timeval tv = {.tv_sec = 5};
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		char head[16384];
		size_t len = 0;
		while (len + 1 < sizeof head) {
			ssize_t n =
				recv(c, head + len, sizeof head - 1 - len, 0);
			if (n <= 0)
				break;
			len += (size_t)n;
			head[len] = 0;
			if (strstr(head, "\r\n\r\n") != NULL)
				break;
		}
		head[len] = 0;
		if (len > 0)
			r->fn(r->ctx, head, len, c);
		close(c);
	}
	return NULL;
}

struct tl_responder *tl_responder_start(tl_respond_fn fn, void *ctx,
					unsigned *port)
{
	struct tl_responder *r = calloc(1, sizeof *r);
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof a;
	int one = 1;
	assert_non_null(r);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->fn = fn;
	r->ctx = ctx;
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(r->fd >= 0);
	setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(r->fd, 64), 0);
	assert_int_equal(getsockname(r->fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	atomic_init(&r->stop, false);
	assert_int_equal(pthread_create(&r->thread, NULL, responder_main, r),
			 0);
	return r;
}

void tl_responder_stop(struct tl_responder *r)
{
	if (r == NULL)
		return;
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
	close(r->fd);
	free(r);
}
