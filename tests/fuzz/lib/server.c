/*
 * server.c: sanilog's web service inside a harness (see server.h).
 */
#include "server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "cli/commands.h"
#include "core/hash.h"
#include "fuzz.h"
#include "web/app.h"

static struct {
	bool started;
	char dir[256];
	char db[300];
	struct store *store;
	struct note_signer *signer;
	struct sequencer *seq;
	struct web_app *app;
	unsigned port;
} srv;

/* Runs a command of the command line on the log, its output dropped. */
static void run(cli_cmd_fn fn, char **argv)
{
	int argc = 0;
	while (argv[argc] != NULL)
		argc++;
	struct cli c = {.db_path = srv.db, .prog = argv[0]};
	int saved = dup(1), null = open("/dev/null", O_WRONLY);
	fuzz_assert(saved >= 0 && null >= 0);
	fuzz_assert(fflush(stdout) == 0);
	dup2(null, 1);
	int rc = fn(&c, argc, argv);
	(void)fflush(stdout); /* into /dev/null */
	dup2(saved, 1);
	close(saved);
	close(null);
	if (rc != EXIT_GOOD) {
		fprintf(stderr, "fuzz: server: sanilog %s failed\n", argv[0]);
		abort();
	}
}

static void stop(void)
{
	web_app_stop(srv.app, 200);
	sequencer_free(srv.seq);
	note_signer_free(srv.signer);
	store_close(srv.store);
	/* The directory holds files only: the log, its key, the document. */
	DIR *d = opendir(srv.dir);
	for (struct dirent *de; d != NULL && (de = readdir(d)) != NULL;) {
		char path[600];
		snprintf(path, sizeof path, "%s/%s", srv.dir, de->d_name);
		if (de->d_name[0] != '.')
			unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(srv.dir);
}

static void set_token(void)
{
	struct store *s = NULL;
	struct err e;
	uint8_t hash[HASH_LEN];
	sha256(hash, FUZZ_TOKEN, strlen(FUZZ_TOKEN));
	fuzz_assert(store_open(srv.db, STORE_OPEN, &s, &e) == ST_OK);
	fuzz_assert(store_begin(s, NULL) == ST_OK);
	fuzz_assert(store_token_set(s, FUZZ_VENUE, hash, NULL) == ST_OK);
	fuzz_assert(store_commit(s, NULL) == ST_OK);
	store_close(s);
}

void fuzz_server_start(void)
{
	static const char pdf[] = "%PDF-1.4\n% a document of the fuzz log\n";
	char doc[320];
	if (srv.started)
		return;
	srv.started = true;
	fuzz_assert(sodium_init() >= 0);
	(void)signal(SIGPIPE, SIG_IGN); /* fails only for a bad signal */
	const char *tmp = getenv("TMPDIR");
	snprintf(srv.dir, sizeof srv.dir, "%s/sanilog-fuzz-XXXXXX",
		 tmp != NULL && tmp[0] != 0 ? tmp : "/tmp");
	fuzz_assert(mkdtemp(srv.dir) != NULL);
	snprintf(srv.db, sizeof srv.db, "%s/log.db", srv.dir);
	snprintf(doc, sizeof doc, "%s/doc.pdf", srv.dir);
	FILE *f = fopen(doc, "wb");
	fuzz_assert(f != NULL &&
		    fwrite(pdf, 1, sizeof pdf - 1, f) == sizeof pdf - 1);
	fuzz_assert(fclose(f) == 0);
	fuzz_assert(atexit(stop) == 0);

	run(cmd_init, (char *[]){"init", "--origin", "fuzz.sanilog.example",
				 "--base-url", "http://127.0.0.1", NULL});
	run(cmd_venue, (char *[]){"venue", "add", "--id", FUZZ_VENUE, "--name",
				  "Bar Fuzz", "--address", "Via Fuzz 1", NULL});
	run(cmd_cert, (char *[]){"cert", "add", "--venue", FUZZ_VENUE, "--file",
				 doc, "--type", "sanitization", "--title",
				 "Fuzz", "--performed", "2026-01-01", NULL});
	set_token();

	struct cli c = {.db_path = srv.db, .prog = "serve"};
	struct web_options o = {
		.http = {.threads = 1,
			 .max_connections = 64,
			 .timeout = 10,
			 .access_log = false},
		.db_path = srv.db,
		.doc_max = DOC_MAX_DEFAULT,
		.upload_memory = 64u << 20,
		.auth_burst = 1u << 30,
		.auth_drain = 0.001,
		.proof_cache = 1u << 20,
	};
	struct sockaddr_in *a = (struct sockaddr_in *)&o.http.addr;
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	o.http.addrlen = sizeof *a;
	struct err e = {.msg = ""};
	fuzz_assert(cli_open_log(&c, &srv.store, &srv.signer, &srv.seq) ==
		    ST_OK);
	fuzz_assert(store_keep_doc_keys(srv.store, NULL) == ST_OK);
	if (web_app_start(&o, srv.seq, &srv.app, &e) != ST_OK) {
		fprintf(stderr, "fuzz: server: %s\n", e.msg);
		abort();
	}
	srv.port = web_app_port(srv.app);
}

/* Sends req[0..len) and reads the answer (into out, when not NULL, up to
 * its cap; the rest dropped); aborts as fuzz_server_ask says. */
static void exchange(const void *req, size_t len, struct buf *out)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)srv.port)};
	struct timeval tv = {.tv_sec = 20};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Closed with a reset: thousands of connections a second would
	 * otherwise leave as many in TIME_WAIT and run out of ports. */
	struct linger reset = {.l_onoff = 1, .l_linger = 0};
	int fd = -1;
	for (int tries = 0; fd < 0; tries++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		fuzz_assert(fd >= 0);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
		if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
			break;
		if (tries == 50) {
			fprintf(stderr, "fuzz: server: connect: %s\n",
				strerror(errno));
			abort();
		}
		close(fd);
		fd = -1;
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}

	/* The service may answer, and close, before it read all of a body
	 * it refuses: a failed send is no failure. */
	const char *p = req;
	for (size_t off = 0; off < len;) {
		ssize_t w = send(fd, p + off, len - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}

	/* The status line, then the rest read and dropped. */
	char head[16], sink[16384];
	size_t got = 0;
	for (;;) {
		char *to = sink;
		size_t room = sizeof sink;
		if (got < sizeof head) {
			to = head + got;
			room = sizeof head - got;
		}
		ssize_t r = recv(fd, to, room, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			fprintf(stderr, "fuzz: server: no answer in 20 s\n");
			abort();
		}
		if (r <= 0)
			break;
		if (out != NULL)
			(void)buf_append(out, to, (size_t)r);
		got += (size_t)r;
	}
	close(fd);
	unsigned code = 0;
	if (got >= 12 && memcmp(head, "HTTP/1.", 7) == 0 && head[8] == ' ')
		code = (unsigned)(head[9] - '0') * 100 +
		       (unsigned)(head[10] - '0') * 10 +
		       (unsigned)(head[11] - '0');
	if (code < 200 || code == 500) {
		fprintf(stderr, "fuzz: server: answered %u\n", code);
		abort();
	}
}

void fuzz_server_ask(const void *req, size_t len)
{
	exchange(req, len, NULL);
}

/* The value after "name" (up to a quote, ';', CR or LF) in the answer;
 * aborts when there is none. */
static void value_after(const struct buf *b, const char *name, char *out,
			size_t size)
{
	const char *p = strstr(buf_str(b), name);
	fuzz_assert(p != NULL);
	p += strlen(name);
	size_t n = strcspn(p, "\";\r\n");
	fuzz_assert(n > 0 && n < size);
	memcpy(out, p, n);
	out[n] = 0;
}

void fuzz_server_session(char cookie[64], char csrf[64])
{
	struct buf b, req;
	char form[64];
	buf_init(&b, 1u << 20);
	buf_init(&req, 4096);
	static const char get[] = "GET /owner/login HTTP/1.1\r\nHost: fuzz\r\n"
				  "Connection: close\r\n\r\n";
	exchange(get, sizeof get - 1, &b);
	value_after(&b, "name=\"csrf\" value=\"", form, 64);
	char body[160];
	snprintf(body, sizeof body, "csrf=%s&token=%s", form, FUZZ_TOKEN);
	fuzz_assert(buf_printf(&req,
			       "POST /owner/login HTTP/1.1\r\nHost: fuzz\r\n"
			       "Connection: close\r\n"
			       "Cookie: sanilog_login=%s\r\n"
			       "Content-Type: application/x-www-form-urlencoded"
			       "\r\nContent-Length: %zu\r\n\r\n%s",
			       form, strlen(body), body) == ST_OK);
	buf_reset(&b);
	exchange(req.data, req.len, &b);
	value_after(&b, "Set-Cookie: sanilog_session=", cookie, 64);
	buf_reset(&req);
	fuzz_assert(buf_printf(&req,
			       "GET /owner HTTP/1.1\r\nHost: fuzz\r\n"
			       "Connection: close\r\n"
			       "Cookie: sanilog_session=%s\r\n\r\n",
			       cookie) == ST_OK);
	buf_reset(&b);
	exchange(req.data, req.len, &b);
	value_after(&b, "name=\"csrf\" value=\"", csrf, 64);
	buf_free(&b);
	buf_free(&req);
}
