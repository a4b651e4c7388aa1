/*
 * cmd_mirror.c: `sanilog mirror URL DIR`, a verified copy of a log as a
 * published tree (publish/mirror.h), once or, with --watch, as it grows.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "commands.h"
#include "net/fetch.h"
#include "publish/mirror.h"

static const char mirror_usage[] =
	"usage: sanilog mirror URL DIR [--vkey VKEY] [--base-url URL]\n"
	"                      [--watch [--interval SECONDS]]\n"
	"\n"
	"Copies the log served at URL (its live server, or a published tree\n"
	"or mirror of it) into the folder DIR, laid out as `sanilog publish`\n"
	"lays it out, for a static web server (README: the nginx\n"
	"configuration).  Nothing is written before it is verified: the\n"
	"checkpoint's signature under the log's key; every new entry; the "
	"tree\n"
	"rebuilt from what the mirror held and the new entries, which must\n"
	"have the checkpoint's root, and every hash tile the log serves, "
	"which\n"
	"must be that tree's; each venue's bundle with its chain, "
	"attestations\n"
	"and witnesses, against the mirror's own tree; each document's hash;\n"
	"each kept checkpoint that a poster of the log can pin, against the\n"
	"mirror's own tree.  Later runs read only the new entries.\n"
	"\n"
	"A log that rolled back, forked or changed an entry, or serves a "
	"tile,\n"
	"bundle or kept checkpoint that is not its tree's, is refused: exit "
	"1,\n"
	"the mirror left as it was, and the evidence (the checkpoint held, "
	"the\n"
	"one received, what failed) kept in DIR/.evidence/.\n"
	"\n"
	"  --vkey VKEY      the log's verifier key (`sanilog key` on its\n"
	"                   server); needed on the first run, then kept\n"
	"  --base-url URL   the mirror's own public URL, for its pages\n"
	"  --watch          keep mirroring (until SIGINT or SIGTERM), every\n"
	"                   --interval seconds (default 10); a refusal ends "
	"it\n"
	"Options: --json, --help.\n";

static void say(const struct cli *c, const char *url,
		const struct mirror_result *r, double secs)
{
	if (c->json) {
		json_t *j = json_pack(
			"{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			"s:I, s:f}",
			"url", url, "origin", r->origin, "from",
			(json_int_t)r->from, "size", (json_int_t)r->size,
			"entry_tiles", (json_int_t)r->entry_tiles, "hash_tiles",
			(json_int_t)r->hash_tiles, "venues",
			(json_int_t)r->venues, "documents",
			(json_int_t)r->documents, "checkpoints",
			(json_int_t)r->checkpoints, "deferred",
			(json_int_t)r->deferred, "files_written",
			(json_int_t)r->files.written, "seconds",
			(double)(int64_t)(secs * 1000) / 1000);
		if (j != NULL) {
			json_dumpf(j, stdout,
				   JSON_COMPACT | JSON_PRESERVE_ORDER);
			json_decref(j);
		}
		fputc('\n', stdout);
	} else {
		printf("mirrored %" PRId64 " entries of %s (%" PRId64
		       " new): %" PRId64 " entry tiles, %" PRId64
		       " hash tiles, %" PRId64 " venues, %" PRId64
		       " documents, %" PRId64 " kept checkpoints; %" PRId64
		       " files written, in %.2f s\n",
		       r->size, r->origin, r->size - r->from, r->entry_tiles,
		       r->hash_tiles, r->venues, r->documents, r->checkpoints,
		       r->files.written, secs);
		if (r->deferred > 0)
			printf("%" PRId64 " venues have a newer record than "
			       "this checkpoint: left for the next run\n",
			       r->deferred);
	}
	(void)fflush(stdout);
}

/* One run: its exit code, having said why it failed. */
static int mirror_once(struct cli *c, const char *dir,
		       const struct mirror_options *o, bool quiet_if_same)
{
	struct mirror_result res;
	struct err e = {.msg = ""};
	double t0 = clock_mono_s();
	enum status st = mirror_run(dir, o, &res, &e);
	if (st == ST_BAD_SIGNATURE)
		return cli_fail(EXIT_NEGATIVE,
				"mirror: REFUSED: %s; nothing of the mirror "
				"was changed; the evidence is in %s/%s",
				e.msg, dir, res.evidence);
	if (st != ST_OK)
		return cli_fail(EXIT_USAGE, "mirror: %s", e.msg);
	if (!quiet_if_same || res.size != res.from || res.venues > 0)
		say(c, o->url, &res, clock_mono_s() - t0);
	return EXIT_GOOD;
}

struct watch {
	struct cli *c;
	const char *dir;
	struct mirror_options *o;
	char *today;
};

static int watch_run(void *ctx, bool first)
{
	struct watch *w = ctx;
	cli_today(w->today);
	return mirror_once(w->c, w->dir, w->o, !first);
}

int cmd_mirror(struct cli *c, int argc, char **argv)
{
	static const struct option own[] = {
		{"vkey", required_argument, NULL, 0},
		{0, 0, 0, 0},
	};
	struct mirror_options o = {0};
	struct cli_tree_options t = {.interval = 10, .own = own};
	char today[11], url[FETCH_URL_MAX];
	int rc = cli_parse_tree(c, argc, argv, mirror_usage, &t, 2);
	if (rc >= 0)
		return rc;
	o.vkey = t.own_arg[0];
	o.base_url = t.base_url;
	size_t n = strlen(argv[optind]);
	while (n > 0 && argv[optind][n - 1] == '/')
		n--;
	if ((strncmp(argv[optind], "http://", 7) != 0 &&
	     strncmp(argv[optind], "https://", 8) != 0) ||
	    n + 200 > sizeof url)
		return cli_usage_why(mirror_usage,
				     "URL: an http:// or https:// URL, not %s",
				     argv[optind]);
	snprintf(url, sizeof url, "%.*s", (int)n, argv[optind]);
	o.url = url;
	o.progress = isatty(2) && !c->json;
	const char *dir = argv[optind + 1];
	cli_today(today);
	o.today = today;
	struct watch w = {c, dir, &o, today};
	if (!t.watch)
		return mirror_once(c, dir, &o, false);
	/* a refused log is not mirrored on */
	return cli_watch(t.interval, watch_run, &w, EXIT_NEGATIVE);
}
