/*
 * cmd_serve.c: `sanilog serve`: the web service on the log's database.
 *
 * Opens the log for writing (the writer thread's: store, signer key,
 * sequencer), starts the web service (src/web/app.h), prints the URL it
 * listens on, and waits for SIGTERM or SIGINT; then it stops accepting,
 * lets the requests in flight finish, commits the queued writes, and
 * closes.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "commands.h"
#include "core/codec.h"
#include "store/treecache.h"
#include "web/app.h"

static const char serve_usage[] =
	"usage: sanilog serve [--listen ADDR:PORT] [--base-url URL] "
	"[--threads N]\n"
	"                     [--max-connections N] [--max-per-address N]\n"
	"                     [--timeout SECONDS] [--request-timeout SECONDS]\n"
	"                     [--templates DIR] [--assets DIR]\n"
	"                     [--trusted-proxy ADDR] [--proof-cache MB]\n"
	"                     [--no-access-log]\n"
	"                     [--db PATH]\n"
	"\n"
	"Serves the log: venue pages, bundles, documents, checkpoints,\n"
	"proofs and tlog-tiles, and the owner API for uploads.  Listens on\n"
	"127.0.0.1:8080 unless --listen says otherwise (port 0: a free one);\n"
	"prints the URL it listens on.  --base-url is the public URL of the\n"
	"service (kept in the database for pages and posters).  --threads:\n"
	"request threads (default: one per CPU).  --max-connections: open\n"
	"at once (default 1024); --max-per-address: from one client address\n"
	"(default 32, 0 for no limit; behind --trusted-proxy, requests under\n"
	"way at once for one client it names, 429 past it).  --timeout:\n"
	"seconds a connection may idle (default 30).  --request-timeout:\n"
	"seconds a request may take to arrive, its head from the connection's\n"
	"opening or its previous request, then as long again for its body\n"
	"and a second more a KiB (default 20); past it the connection is\n"
	"closed, however slowly its bytes come.  --templates and --assets\n"
	"name directories whose files replace the built-in templates\n"
	"(layout.html, venue.html, index.html, error.html) and assets.  An\n"
	"access-log line per request goes to stderr.  --trusted-proxy: the\n"
	"IP address of a reverse proxy in front; for its requests the\n"
	"client is the last address in X-Forwarded-For (access log, limits\n"
	"on failed logins).  --proof-cache: memory for the log's stored\n"
	"hashes, so that proofs and bundles need no database reads for them\n"
	"(about 64 bytes per entry, taken 2 MB at a time; default 256 MB, 0\n"
	"for none, at most 4096; a larger log reads the rest from the\n"
	"database).  SIGTERM or SIGINT stops it\n"
	"cleanly: the requests in flight are answered first.\n"
	"Options: --db PATH, --help.\n";

#define GRACE_MS 10000

/* Raises the limit on open files (ulimit -n) to what the server needs
 * with connections connections and threads request threads, as far as
 * the hard limit allows: a socket each, the database, its WAL and its
 * shared memory for each read connection (threads + 2) and the writer's
 * and the checkpoints', and a few more.  Says so on stderr when it
 * cannot: past it, the kernel refuses connections, and a new read
 * connection could not open the database. */
static void files_for(unsigned connections, unsigned threads)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)connections + 3 * ((rlim_t)threads + 4) + 32;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return;
	rlim_t soft = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need
			      ? need
			      : rl.rlim_max;
	if (soft > rl.rlim_cur) {
		rl.rlim_cur = soft;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < need)
		fprintf(stderr,
			"sanilog: serve: only %llu open files allowed (ulimit "
			"-n), fewer than --max-connections %u needs (%llu)\n",
			(unsigned long long)rl.rlim_cur, connections,
			(unsigned long long)need);
}

/* Parses "ADDR:PORT" ("[ADDR]:PORT" for IPv6) into cfg. */
static bool parse_listen(const char *s, struct http_config *cfg, char *host,
			 size_t hostsize)
{
	const char *colon = strrchr(s, ':');
	if (colon == NULL || colon == s)
		return false;
	int64_t port = 0;
	if (!dec_parse(colon + 1, &port) || port > 65535)
		return false;
	size_t n = (size_t)(colon - s);
	char addr[INET6_ADDRSTRLEN + 2];
	bool v6 = s[0] == '[';
	if (v6) {
		if (n < 3 || s[n - 1] != ']')
			return false;
		s++;
		n -= 2;
	}
	if (n >= sizeof addr)
		return false;
	memcpy(addr, s, n);
	addr[n] = 0;
	memset(&cfg->addr, 0, sizeof cfg->addr);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&cfg->addr;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1)
			return false;
		cfg->addrlen = sizeof *a;
		snprintf(host, hostsize, "[%s]", addr);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&cfg->addr;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &a->sin_addr) != 1)
			return false;
		cfg->addrlen = sizeof *a;
		snprintf(host, hostsize, "%s", addr);
	}
	return true;
}

/* An http(s) URL without spaces or controls, at most 200 bytes; a
 * trailing slash is dropped. */
static bool parse_base_url(const char *s, char *out, size_t outsize)
{
	size_t n = strlen(s);
	if (n > 200 || n >= outsize ||
	    (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	memcpy(out, s, n + 1);
	while (n > 8 && out[n - 1] == '/')
		out[--n] = 0;
	return n > 8;
}

static bool parse_count(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	int64_t v = 0;
	if (!dec_parse(s, &v) || v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"listen", required_argument, NULL, 'l'},
		{"base-url", required_argument, NULL, 'b'},
		{"threads", required_argument, NULL, 't'},
		{"max-connections", required_argument, NULL, 'm'},
		{"timeout", required_argument, NULL, 'T'},
		{"max-per-address", required_argument, NULL, 'p'},
		{"request-timeout", required_argument, NULL, 'R'},
		{"no-access-log", no_argument, NULL, 'q'},
		{"templates", required_argument, NULL, 'P'},
		{"assets", required_argument, NULL, 'A'},
		{"trusted-proxy", required_argument, NULL, 'X'},
		{"proof-cache", required_argument, NULL, 'C'},
		{0}};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct web_options o = {
		.http =
			{
				.threads = ncpu > 0 && ncpu < 64
						   ? (unsigned)ncpu
						   : 2,
				.max_connections = 1024,
				.max_per_address = 32,
				.timeout = 30,
				.request_timeout = 20,
				.access_log = true,
			},
		.db_path = NULL,
		.doc_max = DOC_MAX_DEFAULT,
		.upload_memory = 512u << 20,
		.auth_burst = 10,
		.auth_drain = 6.0,
		.cache_ms = 10000,
		.proof_cache = (size_t)TREE_CACHE_DEFAULT_MB << 20,
	};
	char host[INET6_ADDRSTRLEN + 4], base_url[256] = "";
	int ch;
	if (!parse_listen("127.0.0.1:8080", &o.http, host, sizeof host))
		return cli_error("serve: internal error");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 'l':
			if (!parse_listen(optarg, &o.http, host, sizeof host))
				return cli_error("serve: --listen: not "
						 "ADDR:PORT (e.g. "
						 "127.0.0.1:8080 or [::1]:80)");
			break;
		case 'b':
			if (!parse_base_url(optarg, base_url, sizeof base_url))
				return cli_error("serve: --base-url: not an "
						 "http:// or https:// URL");
			break;
		case 't':
			if (!parse_count(optarg, 1, 256, &o.http.threads))
				return cli_error("serve: --threads: 1 to 256");
			break;
		case 'm':
			if (!parse_count(optarg, 1, 100000,
					 &o.http.max_connections))
				return cli_error("serve: --max-connections: "
						 "1 to 100000");
			break;
		case 'T':
			if (!parse_count(optarg, 1, 3600, &o.http.timeout))
				return cli_error("serve: --timeout: 1 to 3600 "
						 "seconds");
			break;
		case 'p':
			if (!parse_count(optarg, 0, 100000,
					 &o.http.max_per_address))
				return cli_error("serve: --max-per-address: "
						 "0 to 100000");
			break;
		case 'R':
			if (!parse_count(optarg, 1, 3600,
					 &o.http.request_timeout))
				return cli_error("serve: --request-timeout: 1 "
						 "to 3600 seconds");
			break;
		case 'P':
			o.templates_dir = optarg;
			break;
		case 'A':
			o.assets_dir = optarg;
			break;
		case 'q':
			o.http.access_log = false;
			break;
		case 'X':
			if (!http_parse_ip(optarg, &o.http.proxy))
				return cli_error(
					"serve: --trusted-proxy: not an "
					"IP address (e.g. 127.0.0.1 "
					"or ::1)");
			o.http.has_proxy = true;
			break;
		case 'C': {
			unsigned mb = 0;
			if (!parse_count(optarg, 0, TREE_CACHE_MAX_MB, &mb))
				return cli_error("serve: --proof-cache: 0 to "
						 "4096 MB");
			o.proof_cache = (size_t)mb << 20;
			break;
		}
		case 'h':
			return cli_usage(serve_usage, false);
		default:
			return cli_usage(serve_usage, true);
		}
	}
	if (optind != argc)
		return cli_usage_args(serve_usage, "serve", argc, argv, optind,
				      0);
	o.db_path = c->db_path;
	files_for(o.http.max_connections, o.http.threads);

	/* Every thread started from here on inherits the mask: the signals
	 * are taken by sigwait below only. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	(void)signal(SIGPIPE, SIG_IGN); /* fails only for a bad signal */

	struct store *s = NULL;
	struct note_signer *signer = NULL;
	struct sequencer *q = NULL;
	struct web_app *app = NULL;
	struct err e = {.msg = ""};
	int rc = EXIT_USAGE;
	if (cli_open_log(c, &s, &signer, &q) != ST_OK)
		return EXIT_USAGE;
	/* Written only when it changes: a restart with the same URL writes
	 * nothing, and so starts on a full disk. */
	char stored[sizeof base_url];
	if (base_url[0] != 0 &&
	    (store_meta_get(s, "base_url", stored, sizeof stored, NULL) !=
		     ST_OK ||
	     strcmp(stored, base_url) != 0) &&
	    store_meta_set(s, "base_url", base_url, &e) != ST_OK) {
		cli_error("serve: base_url: %s", e.msg);
		goto done;
	}
	/* The writer appends batch after batch: it knows the documents'
	 * keys without asking the database. */
	if (store_keep_doc_keys(s, &e) != ST_OK) {
		cli_error("serve: %s", e.msg);
		goto done;
	}
	if (web_app_start(&o, q, &app, &e) != ST_OK) {
		cli_error("serve: %s", e.msg);
		goto done;
	}
	printf("sanilog: listening on http://%s:%u/\n", host,
	       web_app_port(app));
	if (base_url[0] != 0)
		printf("sanilog: base URL %s\n", base_url);
	(void)fflush(stdout); /* serves on with no one to tell */

	int sig = 0;
	while (sigwait(&stop, &sig) != 0)
		;
	fprintf(stderr,
		"sanilog: serve: %s: finishing the requests in "
		"flight, then stopping\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	web_app_stop(app, GRACE_MS);
	app = NULL;
	rc = EXIT_GOOD;
done:
	web_app_stop(app, 0);
	sequencer_free(q);
	note_signer_free(signer);
	store_close(s);
	return rc;
}
