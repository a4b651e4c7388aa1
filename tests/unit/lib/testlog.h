/*
 * testlog.h: what the unit tests of the writer, the audit, the web
 * service and the remote verifier share, all through the public headers:
 *
 *   - a log in a new temporary directory (mkdtemp), made with the store
 *     and the sequencer (store/store.h, store/sequencer.h), signed by a
 *     key made from a fixed seed, its clock pinned by SANILOG_NOW;
 *   - raw SQL on its database through a connection of the test's own, to
 *     alter what the log wrote;
 *   - the web service (web/app.h) on that log in the test's process, on
 *     127.0.0.1 at a free port, as `sanilog serve` starts it;
 *   - HTTP requests with libcurl, and raw requests on a socket for what
 *     libcurl would not send;
 *   - a tiny HTTP responder, whose answers the test writes itself.
 *
 * Every function fails the running cmocka test when it cannot do what it
 * says (so a test reads as the steps it takes).
 */
#ifndef SANILOG_TESTLOG_H
#define SANILOG_TESTLOG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/note.h"
#include "store/sequencer.h"
#include "store/store.h"

struct http_config;
struct http_route;
struct http_server;
struct web_options;

#define TL_ORIGIN "unit.sanilog.example/log"
#define TL_NOW	  "2026-11-25T09:00:00Z" /* the log's clock (SANILOG_NOW) */
#define TL_TODAY  "2026-11-25"
#define TL_PDF	  64 /* bytes of the documents tl_pdf makes */

struct testlog {
	char dir[PATH_MAX];	/* the temporary directory */
	char db[PATH_MAX + 16]; /* dir/log.db */
	struct note_signer *signer;
	struct note_verifier key; /* the log key */
	char vkey[NOTE_VKEY_MAX + 1];
	struct store *s; /* the writer's connection */
	struct sequencer *q;
	struct web_app *app; /* once served */
	unsigned port;
	char url[64]; /* "http://127.0.0.1:<port>" once served */
};

/* A new log in a new temporary directory: origin TL_ORIGIN, its key and,
 * when base_url is not NULL, the base URL in the database's metadata. */
void tl_open(struct testlog *t, const char *base_url);

/* Stops the service if it runs, closes the log and removes the
 * directory with everything in it. */
void tl_close(struct testlog *t);

/* Requests, zeroed first; the caller may change any field after. */
void tl_venue_request(struct seq_request *rq, const char *venue,
		      const char *name, bool new_venue);
void tl_document_request(struct seq_request *rq, const char *venue,
			 const char *title, const uint8_t *doc, size_t len);
void tl_revocation_request(struct seq_request *rq, const char *venue,
			   int64_t seq, const char *reason);

/* The bytes of document n: a PDF by its magic, different for each n. */
void tl_pdf(int n, uint8_t out[TL_PDF]);

/* Appends reqs[0..n) through t->q; each must be logged. */
void tl_append(struct testlog *t, struct seq_request *reqs, size_t n);

/* A new venue; document n of venue; each returns the entry's index. */
int64_t tl_add_venue(struct testlog *t, const char *venue, const char *name);
int64_t tl_add_document(struct testlog *t, const char *venue, int n);

/* Appends document n of venue to the database at path (the log's when
 * NULL) through a connection and a sequencer of its own, signed with the
 * log's key: for a log served or copied. */
void tl_append_to(struct testlog *t, const char *path, const char *venue,
		  int n);

/* Gives venue the owner token tok ("slo_" and 43 base64url characters). */
void tl_set_token(struct testlog *t, const char *venue, const char *tok);

/* Runs sql on path (the log's database when NULL) through a connection
 * of the test's own; returns the rows it changed. */
int tl_exec(const struct testlog *t, const char *path, const char *sql);

/* The first column of the first row of sql on the log's database (-1
 * when there is no row). */
int64_t tl_query(const struct testlog *t, const char *sql);

/* Copies the log's database (and its WAL) to dir/name; its path into out
 * (PATH_MAX + 32 bytes). */
void tl_copy_db(const struct testlog *t, const char *name, char *out);

/* Copies the documents' folder of the database at from (from.docs, of
 * subfolders of files: store/docfiles.h) to that of the database at to,
 * its files hard links to those of from (a test that changes one makes
 * it a file of its own first).  tl_copy_db does it for its copy. */
void tl_copy_docs(const char *from, const char *to);

/* Serves the log in-process (web_app_start) on 127.0.0.1, port 0.
 * o (or NULL) gives the options; its address and database are set
 * here.  The defaults: two threads, no access log, no page cache, a
 * generous limit on failed logins.  t->s and t->q then belong to the
 * writer thread until tl_stop. */
void tl_serve(struct testlog *t, const struct web_options *o);
void tl_stop(struct testlog *t);

/* An HTTP server (web/http.h) of routes[0..n), handing app to them, on
 * 127.0.0.1 at a free port (into *port).  cfg (or NULL) gives the
 * configuration, its address set here; the defaults: two threads, no
 * access log, a 10 s timeout.  Free it with http_server_free. */
struct http_server *tl_http_start(const struct http_config *cfg,
				  const struct http_route *routes, size_t n,
				  void *app, unsigned *port);

/* ---- HTTP ---- */

struct tl_reply {
	long code;
	struct buf head; /* the header lines as they came */
	struct buf body;
};

/* Sends method (GET, HEAD, POST, ...) to url with the header lines
 * headers (NULL-terminated, or NULL) and, when body is not NULL, that
 * body; redirects are not followed.  *r is new: free with
 * tl_reply_free. */
void tl_http(const char *method, const char *url, const char *const *headers,
	     const void *body, size_t len, struct tl_reply *r);
void tl_get(const char *url, struct tl_reply *r);
void tl_reply_free(struct tl_reply *r);

/* The value of metric line name (with its labels, as
 * `sanilog_uploads_total{result="logged"}`) in t's /metrics; the test
 * fails when there is none. */
long long tl_metric(const struct testlog *t, const char *name);

/* The value of the first header name of r (any case), into out; false
 * when there is none. */
bool tl_header(const struct tl_reply *r, const char *name, char *out,
	       size_t size);

/* How many header lines of r are named name (any case). */
int tl_header_count(const struct tl_reply *r, const char *name);

/* The value of the cookie name that r sets (Set-Cookie), into out; false
 * when it sets none. */
bool tl_cookie(const struct tl_reply *r, const char *name, char *out,
	       size_t size);

/* Sends req[0..len) on a new connection to 127.0.0.1:port and reads the
 * answer until the server closes the connection (the request should say
 * "Connection: close"), at most 10 s; returns its status code (0 when
 * none came) and the whole answer in out when not NULL (new). */
unsigned tl_raw(unsigned port, const char *req, size_t len, struct buf *out);

/*
 * A multipart/form-data body into body (new): fields are name and value
 * pairs, NULL-terminated; then, when file is not NULL, a part "file"
 * (filename "doc.pdf") of file[0..len).  ctype receives the
 * Content-Type header line to send it with.
 */
void tl_multipart(struct buf *body, char *ctype, size_t ctsize,
		  const char *const *fields, const uint8_t *file, size_t len);

/* ---- a tiny HTTP responder ---- */

/* Answers one request: head[0..len) is its head (request line and
 * header lines), fd the connection, closed after the call. */
typedef void (*tl_respond_fn)(void *ctx, const char *head, size_t len, int fd);

struct tl_responder;

/* Listens on 127.0.0.1 at a free port (into *port) and answers each
 * connection, one at a time, with fn on a thread of its own. */
struct tl_responder *tl_responder_start(tl_respond_fn fn, void *ctx,
					unsigned *port);
void tl_responder_stop(struct tl_responder *r);

/* Writes s[0..len) to fd whole (errors ignored: the client may have
 * gone). */
void tl_write(int fd, const void *s, size_t len);

#endif
