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
#include "serve_opts.h"
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
	"                     [--doc-keys MB]\n"
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
	"database).  --doc-keys: memory for the keys of the log's documents,\n"
	"so that a new one is known to be new without a database look-up\n"
	"(16 to 32 bytes a document; default 64 MB; past it, look-ups).\n"
	"SIGTERM or SIGINT stops it\n"
	"cleanly: the requests in flight are answered first.\n"
	"Options: --db PATH, --help.\n";

#define GRACE_MS 10000

/* A memory budget --name in MB, 0 to max, as bytes into *out; false,
 * having said why, for anything else. */
static bool parse_mb(const char *name, const char *arg, unsigned max,
		     size_t *out)
{
	unsigned mb = 0;
	if (!cli_parse_count(arg, 0, max, &mb)) {
		cli_error("serve: --%s: 0 to %u MB", name, max);
		return false;
	}
	*out = (size_t)mb << 20;
	return true;
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		CLI_HTTP_OPTIONS,
		{"base-url", required_argument, NULL, 'b'},
		{"templates", required_argument, NULL, 'P'},
		{"assets", required_argument, NULL, 'A'},
		{"proof-cache", required_argument, NULL, 'C'},
		{"doc-keys", required_argument, NULL, 'K'},
		{0}};
	struct web_options o = {
		.db_path = NULL,
		.doc_max = DOC_MAX_DEFAULT,
		.upload_memory = 512u << 20,
		.auth_burst = 10,
		.auth_drain = 6.0,
		.cache_ms = 10000,
		.proof_cache = (size_t)TREE_CACHE_DEFAULT_MB << 20,
	};
	struct cli_http h;
	char base_url[256] = "";
	size_t doc_keys = (size_t)DOC_KEYS_DEFAULT_MB << 20;
	int ch;
	cli_http_init(&h, "127.0.0.1:8080");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		int took = cli_http_option(&h, "serve", ch, optarg);
		if (took < 0)
			return EXIT_USAGE;
		if (took > 0)
			continue;
		switch (ch) {
		case 'b':
			if (!cli_parse_base_url(optarg, base_url,
						sizeof base_url))
				return cli_error("serve: --base-url: not an "
						 "http:// or https:// URL");
			break;
		case 'P':
			o.templates_dir = optarg;
			break;
		case 'A':
			o.assets_dir = optarg;
			break;
		case 'C':
			if (!parse_mb("proof-cache", optarg, TREE_CACHE_MAX_MB,
				      &o.proof_cache))
				return EXIT_USAGE;
			break;
		case 'K':
			if (!parse_mb("doc-keys", optarg, DOC_KEYS_MAX_MB,
				      &doc_keys))
				return EXIT_USAGE;
			break;
		case 'h':
			return cli_usage(serve_usage, false);
		default:
			return cli_usage(serve_usage, true);
		}
	}
	if (optind != argc)
		return cli_usage_args(serve_usage, "serve", argc, argv, optind,
				      0);
	o.http = h.cfg;
	o.db_path = c->db_path;
	cli_files_for(o.http.max_connections, o.http.threads);

	sigset_t stop;
	cli_signals_block(&stop);

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
	if (doc_keys > 0 &&
	    store_keep_doc_keys_within(s, doc_keys, &e) != ST_OK) {
		cli_error("serve: %s", e.msg);
		goto done;
	}
	if (web_app_start(&o, q, &app, &e) != ST_OK) {
		cli_error("serve: %s", e.msg);
		goto done;
	}
	printf("sanilog: listening on http://%s:%u/\n", h.host,
	       web_app_port(app));
	if (base_url[0] != 0)
		printf("sanilog: base URL %s\n", base_url);
	(void)fflush(stdout); /* serves on with no one to tell */

	int sig = cli_signals_wait(&stop);
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
