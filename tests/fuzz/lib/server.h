/*
 * server.h: sanilog's web service inside a harness's own process, for
 * the harnesses that fuzz what only a live request reaches (request
 * targets and query strings, which libmicrohttpd parses before the
 * routes see them; multipart bodies, which api.c streams through
 * libmicrohttpd's post processor of a real connection).
 *
 * fuzz_server_start makes a log in a new temporary directory with the
 * commands `sanilog init`, `venue add` and `cert add` run in-process,
 * gives venue FUZZ_VENUE the owner token FUZZ_TOKEN, and starts the
 * service (web_app_start, as `sanilog serve` does) on 127.0.0.1 at a free
 * port, with one request thread, no access log, no page cache and no
 * limit on failed logins.  Everything is stopped and the directory
 * removed at exit.  Any failure to start aborts the run.
 */
#ifndef SANILOG_FUZZ_SERVER_H
#define SANILOG_FUZZ_SERVER_H

#include <stddef.h>

#define FUZZ_VENUE "k7m2q9xa"
#define FUZZ_TOKEN "slo_ZnV6ei1mdXp6LWZ1enotZnV6ei1mdXp6LWZ1enotZnU"

/* Starts the service once (later calls do nothing). */
void fuzz_server_start(void);

/*
 * Sends req[0..len) on a new connection to the service and reads the
 * answer until the service closes the connection (the request should
 * say "Connection: close").  Aborts unless an answer came within 20
 * seconds (a request the service hangs on) with a status that is not
 * 500 (a request the service could not handle).
 */
void fuzz_server_ask(const void *req, size_t len);

/* Signs in to the owner's pages of venue FUZZ_VENUE with FUZZ_TOKEN:
 * the session's cookie value and its CSRF token (43 characters each).
 * Aborts when it cannot. */
void fuzz_server_session(char cookie[64], char csrf[64]);

#endif
