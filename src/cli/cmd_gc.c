/*
 * cmd_gc.c: sanilog gc: removes the files of the documents' folder that
 * no document of the database names (DESIGN.md "Documents"): an upload
 * that failed, or that a crash cut short after its file was written and
 * before its entry was committed.  Files younger than a grace period are
 * kept, so that an upload in flight never loses its file.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/codec.h"
#include "store/docfiles.h"
#include "store/store.h"

#define GC_GRACE_DEFAULT 3600

static const char gc_usage[] =
	"usage: sanilog gc [--db PATH] [--grace SECONDS] [--dry-run] [--json]\n"
	"\n"
	"Removes the orphans of the documents' folder (PATH.docs): files\n"
	"that no document of the database names, left by uploads refused or\n"
	"cut short by a crash after their file was written.  Only files\n"
	"last changed more than --grace seconds ago (default 3600) go, so\n"
	"that an upload in flight keeps its file.  --dry-run lists what it\n"
	"would remove and removes nothing.  Prints each file removed and\n"
	"the count and bytes.  The database is only read.\n";

struct gc {
	struct store *s;
	int64_t grace; /* --grace */
	time_t before; /* files changed before this go */
	bool dry_run;
	bool json;
	json_t *removed; /* with --json: their paths */
	int64_t count, bytes, kept;
	struct err e;
};

static enum status on_file(void *ctx, const char *path, const uint8_t *sha,
			   const struct stat *sb)
{
	struct gc *g = ctx;
	int64_t size = 0;
	char mime[32];
	enum status r = ST_NOT_FOUND;
	if (S_ISDIR(sb->st_mode))
		return ST_OK; /* not the folder's: never removed */
	if (sha != NULL && (r = store_document_meta(g->s, sha, &size, mime,
						    &g->e)) != ST_NOT_FOUND)
		return r; /* named (ST_OK), or the database failed */
	if (sb->st_mtime > g->before) {
		g->kept++;
		return ST_OK;
	}
	if (!g->dry_run && unlink(path) != 0)
		return err_set(&g->e, ST_IO, "%s: %s", path, strerror(errno));
	g->count++;
	g->bytes += (int64_t)sb->st_size;
	if (g->removed != NULL)
		json_array_append_new(g->removed, json_string(path));
	else if (!g->json)
		printf("%s %s\n", g->dry_run ? "would remove" : "removed",
		       path);
	return ST_OK;
}

static int gc_option(void *ctx, int i, const char *arg)
{
	struct gc *g = ctx;
	if (i == 1) {
		g->dry_run = true;
		return -1;
	}
	/* --grace: required_argument, arg is set */
	if (arg == NULL || !dec_parse(arg, &g->grace) ||
	    g->grace > INT64_C(100) * 365 * 86400)
		return cli_usage_why(gc_usage,
				     "gc: --grace: seconds, 0 to 3153600000");
	return -1;
}

int cmd_gc(struct cli *c, int argc, char **argv)
{
	static const struct option own[] = {
		{"grace", required_argument, NULL, 0},
		{"dry-run", no_argument, NULL, 0},
		{0, 0, 0, 0},
	};
	struct gc g = {.grace = GC_GRACE_DEFAULT, .e = {.msg = ""}};
	int rc = cli_parse_own(c, argc, argv, gc_usage, own, gc_option, &g, 0);
	if (rc >= 0)
		return rc;
	if (cli_open_store(c, STORE_READONLY, &g.s) != ST_OK)
		return EXIT_USAGE;
	g.json = c->json;
	g.before = time(NULL) - (time_t)g.grace;
	if (c->json && (g.removed = json_array()) == NULL) {
		store_close(g.s);
		return cli_error("gc: out of memory");
	}
	enum status r = docfiles_scan(store_docs_dir(g.s), on_file, &g, &g.e);
	const char *dir = store_docs_dir(g.s);
	rc = EXIT_GOOD;
	if (r != ST_OK) {
		json_decref(g.removed);
		rc = cli_error("gc: %s", g.e.msg);
	} else if (c->json) {
		rc = cli_print_json(json_pack(
			"{s:s, s:b, s:I, s:o, s:I, s:I, s:I}", "folder", dir,
			"dry_run", g.dry_run, "grace", (json_int_t)g.grace,
			"removed", g.removed, "count", (json_int_t)g.count,
			"bytes", (json_int_t)g.bytes, "kept_recent",
			(json_int_t)g.kept));
	} else {
		printf("%s: %s %lld orphans (%lld bytes); %lld newer than "
		       "%lld s kept\n",
		       dir, g.dry_run ? "would remove" : "removed",
		       (long long)g.count, (long long)g.bytes,
		       (long long)g.kept, (long long)g.grace);
	}
	store_close(g.s);
	return rc;
}
