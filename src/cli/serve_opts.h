/*
 * serve_opts.h: the options that the commands which serve HTTP (serve,
 * witness serve) share.
 */
#ifndef SANILOG_SERVE_OPTS_H
#define SANILOG_SERVE_OPTS_H

#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "web/http.h"

/* The HTTP options of a server, as the command line gives them. */
struct cli_http {
	struct http_config cfg;
	char host[INET6_ADDRSTRLEN + 4]; /* the listening address, for a URL */
};

/* Long options of every server (codes 'l', 't', 'm', 'T', 'p', 'R', 'q',
 * 'X'): --listen, --threads, --max-connections, --timeout,
 * --max-per-address, --request-timeout, --no-access-log,
 * --trusted-proxy. */
#define CLI_HTTP_OPTIONS                                                       \
	{"listen", required_argument, NULL, 'l'},                              \
		{"threads", required_argument, NULL, 't'},                     \
		{"max-connections", required_argument, NULL, 'm'},             \
		{"timeout", required_argument, NULL, 'T'},                     \
		{"max-per-address", required_argument, NULL, 'p'},             \
		{"request-timeout", required_argument, NULL, 'R'},             \
		{"no-access-log", no_argument, NULL, 'q'},                     \
	{                                                                      \
		"trusted-proxy", required_argument, NULL, 'X'                  \
	}

/* The defaults: listen on listen ("ADDR:PORT"), a thread per CPU, 1024
 * connections, 32 from one address, 30 s idle, 20 s for a request, an
 * access log. */
void cli_http_init(struct cli_http *h, const char *listen);

/* Applies option ch (of CLI_HTTP_OPTIONS) with its argument: 1 when it
 * was one, 0 when it is not, -1 when its value is wrong (said on stderr,
 * after "cmd: "). */
int cli_http_option(struct cli_http *h, const char *cmd, int ch,
		    const char *arg);

/* Raises the limit on open files (ulimit -n) to what a server with
 * connections connections and threads request threads needs, as far as
 * the hard limit allows; says so on stderr when it cannot. */
void cli_files_for(unsigned connections, unsigned threads);

/* Parses "ADDR:PORT" ("[ADDR]:PORT" for IPv6) into cfg's address, and
 * the host as a URL names it into host. */
bool cli_parse_listen(const char *s, struct http_config *cfg, char *host,
		      size_t hostsize);

/* An http(s) URL without spaces or controls, at most 200 bytes, into out;
 * a trailing slash is dropped. */
bool cli_parse_base_url(const char *s, char *out, size_t outsize);

/* Blocks SIGINT and SIGTERM (into *stop) in this thread and every thread
 * started from here on, so that only cli_signals_wait takes them, and
 * ignores SIGPIPE. */
void cli_signals_block(sigset_t *stop);

/* Waits for a signal of *stop and returns it. */
int cli_signals_wait(const sigset_t *stop);

/* A decimal from lo to hi. */
bool cli_parse_count(const char *s, unsigned lo, unsigned hi, unsigned *out);

#endif
