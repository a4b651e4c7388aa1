/*
 * cmd_publish.c: `sanilog publish DIR`, the log as static files
 * (publish/publish.h), once or, with --watch, as it grows.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/progress.h"
#include "commands.h"
#include "publish/publish.h"
#include "serve_opts.h"

static const char publish_usage[] =
	"usage: sanilog publish DIR [--base-url URL] [--all] [--jobs N]\n"
	"                       [--watch [--interval SECONDS]]\n"
	"\n"
	"Writes the log into the folder DIR as static files that any web\n"
	"server, object store or CDN serves, laid out as the live server's\n"
	"URLs: the checkpoint (the newest witnessed one while the log is\n"
	"witnessed), every kept checkpoint at checkpoints/SIZE, the hash and\n"
	"entry tiles (C2SP tlog-tiles), each venue's page (in every "
	"language),\n"
	"bundle, feeds and posters, the documents, and the assets.  The page,\n"
	"`sanilog verify URL --full` and any tlog-tiles client read it as "
	"they\n"
	"read the server (README: the nginx configuration).\n"
	"\n"
	"A second run writes only what changed: the new tiles, the venues and\n"
	"documents of the new entries (every venue's pages on a new day), and\n"
	"says what it wrote.  Every file is written under a temporary name "
	"and\n"
	"renamed; the checkpoint is written last, once everything it rests on\n"
	"is on disk.  A folder of another log, or of a larger log than the\n"
	"database holds, is refused (exit 1) and left as it was.\n"
	"\n"
	"  --base-url URL   the public URL of the tree (default: the one of "
	"the\n"
	"                   last run into DIR, else the one given to init or\n"
	"                   serve); posters need one\n"
	"  --all            write every venue and its posters again\n"
	"  --jobs N         processes that write the venues (default: one a\n"
	"                   CPU; 1 to 64)\n"
	"  --watch          keep publishing as the log grows (until SIGINT or\n"
	"                   SIGTERM), checking every --interval seconds\n"
	"                   (default 2)\n"
	"Options: --db PATH, --json, --help.\n";

struct bar {
	bool on;
	double start, shown;
	const char *phase;
};

static void on_progress(void *ctx, const char *phase, int64_t done,
			int64_t total)
{
	struct bar *b = ctx;
	double t = clock_mono_s();
	if (b->phase != phase) { /* a new phase */
		b->phase = phase;
		b->start = t;
		b->shown = 0;
	}
	bool last = total >= 0 && done >= total;
	if (total <= 0 || (!last && t - b->shown < 0.1))
		return;
	b->shown = t;
	double rate = t > b->start ? (double)done / (t - b->start) : 0;
	progress_bar(phase, done, total, "", rate, last);
}

static void say(const struct cli *c, const struct publish_result *r,
		double secs)
{
	const struct tree_counts *f = &r->files;
	if (c->json) {
		json_t *j = json_pack(
			"{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			"s:I, s:I, s:I, s:b, s:f}",
			"origin", r->origin, "from", (json_int_t)r->from,
			"size", (json_int_t)r->size, "hash_tiles",
			(json_int_t)r->hash_tiles, "entry_tiles",
			(json_int_t)r->entry_tiles, "checkpoints",
			(json_int_t)r->checkpoints, "venues",
			(json_int_t)r->venues, "documents",
			(json_int_t)r->documents, "posters",
			(json_int_t)r->posters, "files_written",
			(json_int_t)f->written, "bytes_written",
			(json_int_t)f->bytes, "files_unchanged",
			(json_int_t)f->unchanged, "files_removed",
			(json_int_t)f->removed, "posters_skipped",
			r->no_posters, "seconds",
			(double)(int64_t)(secs * 1000) / 1000);
		if (j != NULL) {
			json_dumpf(j, stdout,
				   JSON_COMPACT | JSON_PRESERVE_ORDER);
			json_decref(j);
		}
		fputc('\n', stdout);
		(void)fflush(stdout);
		return;
	}
	if (r->from == r->size)
		printf("published %" PRId64 " entries (no new entry)", r->size);
	else
		printf("published %" PRId64 " entries (%" PRId64 " new)",
		       r->size, r->size - r->from);
	printf(": %" PRId64 " hash tiles, %" PRId64 " entry tiles, %" PRId64
	       " checkpoints, %" PRId64 " venues, %" PRId64
	       " documents, %" PRId64 " posters; %" PRId64
	       " files written (%.1f MB), %" PRId64 " unchanged, %" PRId64
	       " removed, in %.2f s\n",
	       r->hash_tiles, r->entry_tiles, r->checkpoints, r->venues,
	       r->documents, r->posters, f->written, (double)f->bytes / 1e6,
	       f->unchanged, f->removed, secs);
	if (r->no_posters)
		printf("no poster written: no base URL known (pass "
		       "--base-url https://your.host)\n");
	(void)fflush(stdout);
}

/* One run: its exit code, having said why it failed. */
static int publish_once(struct cli *c, const char *dir,
			struct publish_options *o, bool quiet_if_same)
{
	struct store *s = NULL;
	struct publish_result res;
	struct err e = {.msg = ""};
	char today[11];
	if (cli_open_store(c, STORE_READONLY, &s) != ST_OK)
		return EXIT_USAGE;
	cli_today(today);
	o->today = today;
	o->db_path = c->db_path;
	double t0 = clock_mono_s();
	enum status st = publish_run(s, dir, o, &res, &e);
	store_close(s);
	if (st != ST_OK)
		return cli_fail(st == ST_CONFLICT ? EXIT_NEGATIVE : EXIT_USAGE,
				"publish: %s: %s", dir, e.msg);
	if (!quiet_if_same || res.files.written > 0 || res.files.removed > 0)
		say(c, &res, clock_mono_s() - t0);
	return EXIT_GOOD;
}

struct watch {
	struct cli *c;
	const char *dir;
	struct publish_options *o;
};

static int watch_run(void *ctx, bool first)
{
	struct watch *w = ctx;
	int rc = publish_once(w->c, w->dir, w->o, !first);
	w->o->all = false;
	return rc;
}

int cmd_publish(struct cli *c, int argc, char **argv)
{
	static const struct option own[] = {
		{"all", no_argument, NULL, 0},
		{"jobs", required_argument, NULL, 0},
		{0, 0, 0, 0},
	};
	struct publish_options o = {0};
	struct cli_tree_options t = {.interval = 2, .own = own};
	int rc = cli_parse_tree(c, argc, argv, publish_usage, &t, 1);
	if (rc >= 0)
		return rc;
	o.all = t.own_arg[0] != NULL;
	o.base_url = t.base_url;
	/* a writer of venues a CPU, unless told */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	o.jobs = cpus > 0 ? (unsigned)cpus : 1;
	if (o.jobs > PUBLISH_JOBS_MAX)
		o.jobs = PUBLISH_JOBS_MAX;
	if (t.own_arg[1] != NULL &&
	    !cli_parse_count(t.own_arg[1], 1, PUBLISH_JOBS_MAX, &o.jobs))
		return cli_error("publish: --jobs: 1 to %d", PUBLISH_JOBS_MAX);
	const char *dir = argv[optind];
	struct bar bar = {.on = isatty(2) && !c->json};
	if (bar.on) {
		o.progress = on_progress;
		o.progress_ctx = &bar;
	}
	struct watch w = {c, dir, &o};
	if (!t.watch)
		return publish_once(c, dir, &o, false);
	/* A failure is said and tried again: the database may be busy, the
	 * disk full for a while. */
	return cli_watch(t.interval, watch_run, &w, -1);
}
