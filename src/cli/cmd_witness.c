/*
 * cmd_witness.c: `sanilog witness`: a transparency-log witness (C2SP
 * tlog-witness), for sanilog's logs and any log in the checkpoint format.
 *
 *   init --name NAME     a witness database and its cosigner key
 *   key                  its verifier key
 *   log add|list|remove  the logs it witnesses
 *   serve                POST /add-checkpoint (src/witness/wserver.h)
 *   evidence             refused requests that show a log misbehaved
 *
 * The database is --db, else $SANILOG_WITNESS_DB, else ./witness.db; the
 * secret key is the file "<db>.key" beside it, mode 0600.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "commands.h"
#include "publish/mirror.h"
#include "core/codec.h"
#include "serve_opts.h"
#include "witness/wdb.h"
#include "witness/wserver.h"

#define GRACE_MS 10000 /* for the requests in flight at SIGTERM */

static const char witness_usage[] =
	"usage: sanilog witness init --name NAME\n"
	"       sanilog witness key\n"
	"       sanilog witness log add VKEY\n"
	"       sanilog witness log list\n"
	"       sanilog witness log remove ORIGIN\n"
	"       sanilog witness serve [--listen ADDR:PORT] [--threads N]\n"
	"             [--max-connections N] [--max-per-address N] "
	"[--timeout S]\n"
	"             [--request-timeout S] [--trusted-proxy IP] "
	"[--no-access-log]\n"
	"             [--mirror DIR]...\n"
	"       sanilog witness evidence\n"
	"\n"
	"A witness countersigns the checkpoints of the logs it witnesses, "
	"each\n"
	"only if it is consistent with the newest one it countersigned for\n"
	"that log (C2SP tlog-witness and tlog-cosignature): no log can then\n"
	"show one history to some and another to others without the\n"
	"witnesses seeing it.\n"
	"\n"
	"init makes the witness database and its key (the file <db>.key,\n"
	"mode 0600) and prints the witness's verifier key, which logs name in\n"
	"their witness policy.  log add takes a log's verifier key (sanilog\n"
	"key prints a sanilog log's); its origin is the key's name.  serve\n"
	"answers POST /add-checkpoint on ADDR:PORT (default 127.0.0.1:8090),\n"
	"and GET /, /healthz and /metrics.  With --mirror DIR, a folder that\n"
	"`sanilog mirror` keeps, the witness countersigns a checkpoint of the\n"
	"log mirrored there only once the mirror holds its tree (mirrored and\n"
	"verified): before, it answers 503 and the log asks again; a tree\n"
	"other than the mirror's is refused (422).  evidence lists the\n"
	"requests that proved a log inconsistent (--json: with the\n"
	"checkpoints).\n"
	"\n"
	"Options: --db PATH (default $SANILOG_WITNESS_DB or ./witness.db),\n"
	"--json, --help.\n";

/* The witness's database path (see the top). */
static const char *db_path(const struct cli *c)
{
	if (c->db_given)
		return c->db_path;
	const char *env = getenv("SANILOG_WITNESS_DB");
	return env != NULL && env[0] != 0 ? env : "witness.db";
}

static enum status key_path(const struct cli *c, char *out, size_t outsize,
			    struct err *e)
{
	int n = snprintf(out, outsize, "%s.key", db_path(c));
	if (n < 0 || (size_t)n >= outsize)
		return err_set(e, ST_TOO_LARGE, "%s: path too long",
			       db_path(c));
	return ST_OK;
}

static int open_db(struct cli *c, bool readonly, struct wdb **out)
{
	struct err e = {.msg = ""};
	if (wdb_open(db_path(c), readonly, out, &e) != ST_OK)
		return cli_error("%s: %s", c->prog, e.msg);
	return EXIT_GOOD;
}

static int witness_init(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"name", required_argument, NULL, 'n'},
		{0}};
	const char *name = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		if (ch == 'n')
			name = optarg;
		else
			return cli_usage(witness_usage, ch != 'h');
	}
	if (optind != argc)
		return cli_usage_args(witness_usage, c->prog, argc, argv,
				      optind, 0);
	if (name == NULL)
		return cli_usage_why(witness_usage,
				     "witness init: missing --name (e.g. "
				     "--name witness.example/w1)");
	if (!note_name_valid(name, strlen(name)))
		return cli_error("witness init: --name: not a key name (no "
				 "spaces or '+', at most %d bytes)",
				 NOTE_NAME_MAX);
	char kpath[4096];
	struct err e = {.msg = ""};
	if (key_path(c, kpath, sizeof kpath, &e) != ST_OK)
		return cli_error("witness init: %s", e.msg);
	if (access(kpath, F_OK) == 0)
		return cli_error("witness init: %s exists already; a witness "
				 "keeps its key for good",
				 kpath);
	struct note_signer *signer = NULL;
	struct wdb *w = NULL;
	struct note_verifier v;
	char vkey[NOTE_VKEY_MAX + 1];
	int rc = EXIT_USAGE;
	if (note_signer_generate(name, &signer, &e) != ST_OK) {
		cli_error("witness init: %s", e.msg);
		goto done;
	}
	note_signer_verifier(signer, &v);
	note_cosigner_format(&v, vkey, sizeof vkey);
	if (wdb_create(db_path(c), name, vkey, &w, &e) != ST_OK) {
		cli_error("witness init: %s", e.msg);
		goto done;
	}
	if (cli_write_secret(kpath, signer, false, &e) != ST_OK) {
		cli_error("witness init: %s", e.msg);
		wdb_close(w);
		w = NULL;
		unlink(db_path(c));
		goto done;
	}
	if (c->json)
		rc = cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "name",
					      name, "vkey", vkey, "db",
					      db_path(c), "key", kpath));
	else {
		printf("%s\n", vkey);
		fprintf(stderr,
			"sanilog: witness %s: database %s, key %s (keep it "
			"secret)\n",
			name, db_path(c), kpath);
		rc = EXIT_GOOD;
	}
done:
	wdb_close(w);
	note_signer_free(signer);
	return rc;
}

static int witness_key(struct cli *c, int argc, char **argv)
{
	int rc = cli_parse_common(c, argc, argv, 0, witness_usage);
	if (rc >= 0)
		return rc;
	struct wdb *w = NULL;
	if (open_db(c, true, &w) != EXIT_GOOD)
		return EXIT_USAGE;
	char name[NOTE_NAME_MAX + 1], vkey[NOTE_VKEY_MAX + 1];
	struct err e = {.msg = ""};
	if (wdb_meta(w, "name", name, sizeof name, &e) != ST_OK ||
	    wdb_meta(w, "vkey", vkey, sizeof vkey, &e) != ST_OK)
		rc = cli_error("witness key: %s", e.msg);
	else if (c->json)
		rc = cli_print_json(
			json_pack("{s:s, s:s}", "name", name, "vkey", vkey));
	else {
		printf("%s\n", vkey);
		rc = EXIT_GOOD;
	}
	wdb_close(w);
	return rc;
}

/* A time for people: "-" when there is none. */
static void time_text(int64_t t, char out[CLOCK_TIME_LEN + 1])
{
	if (t <= 0 || !clock_format(t, out))
		snprintf(out, CLOCK_TIME_LEN + 1, "-");
}

static enum status list_one(void *ctx, const struct wdb_log *l)
{
	json_t *arr = ctx;
	char when[CLOCK_TIME_LEN + 1], root[64] = "";
	time_text(l->cosigned, when);
	if (l->has_root)
		b64_encode(root, sizeof root, l->root, HASH_LEN, B64_STD);
	if (arr == NULL) {
		printf("%s\t%lld\t%s\t%s\n", l->origin, (long long)l->size,
		       when, l->vkey);
		return ST_OK;
	}
	json_t *o =
		json_pack("{s:s, s:s, s:I, s:s?, s:s?}", "origin", l->origin,
			  "vkey", l->vkey, "size", (json_int_t)l->size, "root",
			  l->has_root ? root : NULL, "cosigned",
			  l->cosigned > 0 ? when : NULL);
	return o != NULL && json_array_append_new(arr, o) == 0 ? ST_OK
							       : ST_NOMEM;
}

static enum status walk_logs(struct wdb *w, json_t *arr, struct err *e)
{
	return wdb_logs(w, list_one, arr, e);
}

static enum status evidence_one(void *ctx, const struct wdb_evidence *ev);

static enum status walk_evidence(struct wdb *w, json_t *arr, struct err *e)
{
	return wdb_evidence(w, evidence_one, arr, e);
}

/* Prints the rows a walk of the database gives: a line each (tab
 * separated), or with --json one array. */
static int print_walk(struct cli *c, struct wdb *w,
		      enum status (*walk)(struct wdb *w, json_t *arr,
					  struct err *e))
{
	struct err e = {.msg = ""};
	json_t *arr = c->json ? json_array() : NULL;
	if (c->json && arr == NULL)
		return cli_error("%s: out of memory", c->prog);
	if (walk(w, arr, &e) != ST_OK) {
		json_decref(arr);
		return cli_error("%s: %s", c->prog, e.msg);
	}
	return c->json ? cli_print_json(arr) : EXIT_GOOD;
}

static int witness_log(struct cli *c, int argc, char **argv)
{
	if (cli_no_subcommand(argc, argv))
		return cli_usage_why(witness_usage,
				     "witness log: add, list or remove?");
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
		return cli_usage(witness_usage, false);
	bool add = strcmp(sub, "add") == 0, list = strcmp(sub, "list") == 0,
	     remove = strcmp(sub, "remove") == 0;
	if (!add && !list && !remove)
		return cli_usage_why(witness_usage,
				     "witness log %s: unknown subcommand "
				     "(add, list or remove)",
				     sub);
	static char prog[64];
	snprintf(prog, sizeof prog, "witness log %s", sub);
	c->prog = prog;
	argv[1] = prog; /* for the messages, as cmd_witness does */
	int rc = cli_parse_common(c, argc - 1, argv + 1, list ? 0 : 1,
				  witness_usage);
	if (rc >= 0)
		return rc;
	const char *arg = list ? "" : argv[optind + 1];
	struct wdb *w = NULL;
	if (open_db(c, list, &w) != EXIT_GOOD)
		return EXIT_USAGE;
	struct err e = {.msg = ""};
	rc = EXIT_GOOD;
	if (add) {
		struct note_verifier v;
		if (note_verifier_parse(arg, strlen(arg), &v, &e) != ST_OK)
			rc = cli_error("witness log add: %s: %s", arg, e.msg);
		else if (wdb_log_add(w, arg, (int64_t)time(NULL), &e) != ST_OK)
			rc = cli_error("witness log add: %s", e.msg);
		else if (c->json)
			rc = cli_print_json(json_pack("{s:s, s:s}", "origin",
						      v.name, "vkey", arg));
		else
			printf("witnessing %s\n", v.name);
	} else if (remove) {
		if (wdb_log_remove(w, arg, &e) != ST_OK)
			rc = cli_error("witness log remove: %s", e.msg);
		else if (c->json)
			rc = cli_print_json(json_pack("{s:s}", "removed", arg));
		else
			printf("no longer witnessing %s\n", arg);
	} else {
		rc = print_walk(c, w, walk_logs);
	}
	wdb_close(w);
	return rc;
}

static enum status evidence_one(void *ctx, const struct wdb_evidence *ev)
{
	json_t *arr = ctx;
	char when[CLOCK_TIME_LEN + 1];
	time_text(ev->received, when);
	if (arr == NULL) {
		printf("%lld\t%s\t%s\t%u\t%s\n", (long long)ev->id, when,
		       ev->origin, ev->status, ev->reason);
		return ST_OK;
	}
	json_t *o = json_pack("{s:I, s:s, s:s, s:i, s:s, s:s%, s:s%}", "id",
			      (json_int_t)ev->id, "received", when, "origin",
			      ev->origin, "status", (int)ev->status, "reason",
			      ev->reason, "held", ev->held, ev->held_len,
			      "request", ev->request, ev->request_len);
	return o != NULL && json_array_append_new(arr, o) == 0 ? ST_OK
							       : ST_NOMEM;
}

static int witness_evidence(struct cli *c, int argc, char **argv)
{
	int rc = cli_parse_common(c, argc, argv, 0, witness_usage);
	if (rc >= 0)
		return rc;
	struct wdb *w = NULL;
	if (open_db(c, true, &w) != EXIT_GOOD)
		return EXIT_USAGE;
	rc = print_walk(c, w, walk_evidence);
	wdb_close(w);
	return rc;
}

#define MIRRORS_MAX 16

struct mirrors {
	const char *dir[MIRRORS_MAX];
	size_t n;
};

/* witness_admit_fn of --mirror: a checkpoint of a mirrored log once its
 * mirror holds it. */
static enum status admit_mirrored(void *ctx, const struct checkpoint *cp,
				  struct err *e)
{
	const struct mirrors *m = ctx;
	for (size_t i = 0; i < m->n; i++) {
		int64_t held = 0;
		enum status st = mirror_holds(m->dir[i], cp->origin, cp->size,
					      cp->root, &held, e);
		if (st != ST_UNSUPPORTED) /* a mirror of this log */
			return st;
	}
	return ST_OK; /* a log no mirror keeps */
}

static int witness_serve(struct cli *c, int argc, char **argv)
{
	enum { OPT_MIRROR = 2000 };
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		CLI_HTTP_OPTIONS,
		{"mirror", required_argument, NULL, OPT_MIRROR},
		{0}};
	struct witness_options o = {.db_path = NULL};
	struct mirrors m = {.n = 0};
	struct cli_http h;
	int ch;
	cli_http_init(&h, "127.0.0.1:8090");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		if (ch == OPT_MIRROR) {
			char origin[NOTE_NAME_MAX + 1];
			struct err me = {.msg = ""};
			if (m.n == MIRRORS_MAX)
				return cli_error("witness serve: at most %d "
						 "--mirror",
						 MIRRORS_MAX);
			if (mirror_origin(optarg, origin, &me) != ST_OK)
				return cli_error("witness serve: --mirror %s: "
						 "%s",
						 optarg, me.msg);
			m.dir[m.n++] = optarg;
			continue;
		}
		int took = cli_http_option(&h, "witness serve", ch, optarg);
		if (took < 0)
			return EXIT_USAGE;
		if (took == 0)
			return cli_usage(witness_usage, ch != 'h');
	}
	if (optind != argc)
		return cli_usage_args(witness_usage, c->prog, argc, argv,
				      optind, 0);
	o.http = h.cfg;
	cli_files_for(o.http.max_connections, o.http.threads);

	sigset_t stop;
	cli_signals_block(&stop);

	char kpath[4096];
	struct err e = {.msg = ""};
	struct note_signer *signer = NULL;
	if (key_path(c, kpath, sizeof kpath, &e) != ST_OK ||
	    cli_load_signer(kpath, &signer, &e) != ST_OK)
		return cli_error("witness serve: %s", e.msg);
	o.db_path = db_path(c);
	o.signer = signer;
	if (m.n > 0) {
		o.admit = admit_mirrored;
		o.admit_ctx = &m;
	}
	struct witness_server *w = NULL;
	if (witness_server_start(&o, &w, &e) != ST_OK) {
		note_signer_free(signer);
		return cli_error("witness serve: %s", e.msg);
	}
	printf("sanilog: witness listening on http://%s:%u/\n", h.host,
	       witness_server_port(w));
	(void)fflush(stdout);
	int sig = cli_signals_wait(&stop);
	fprintf(stderr,
		"sanilog: witness serve: %s: answering the requests in "
		"flight, then stopping\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	witness_server_stop(w, GRACE_MS);
	note_signer_free(signer);
	return EXIT_GOOD;
}

int cmd_witness(struct cli *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		cli_cmd_fn fn;
	} subs[] = {
		{"init", witness_init},		{"key", witness_key},
		{"log", witness_log},		{"serve", witness_serve},
		{"evidence", witness_evidence},
	};
	if (cli_no_subcommand(argc, argv))
		return cli_usage_why(witness_usage,
				     "witness: init, key, log, serve or "
				     "evidence?");
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
		return cli_usage(witness_usage, false);
	const char *names[sizeof subs / sizeof subs[0]];
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(sub, subs[i].name) == 0) {
			static char prog[64];
			snprintf(prog, sizeof prog, "witness %s", sub);
			c->prog = prog;
			/* Messages (getopt's too) name "witness key", not
			 * "key". */
			argv[1] = prog;
			return subs[i].fn(c, argc - 1, argv + 1);
		}
		names[i] = subs[i].name;
	}
	const char *near =
		cli_nearest(sub, names, sizeof names / sizeof *names);
	if (near != NULL)
		return cli_usage_why(witness_usage,
				     "witness %s: unknown subcommand (did "
				     "you mean %s?)",
				     sub, near);
	return cli_usage_why(witness_usage, "witness %s: unknown subcommand",
			     sub);
}
