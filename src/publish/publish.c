/*
 * publish.c: the log as static files (publish.h).
 */
#include "publish.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/embedded.h"
#include "core/bundle.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/tile.h"
#include "core/verify.h"
#include "print/poster.h"
#include "publish/ids.h"
#include "store/export.h"
#include "web/feeds.h"
#include "web/pages.h"

#define STATE_MAX (64u << 10)

/* What the tree held before this run (PUBLISH_STATE). */
struct state {
	char origin[NOTE_NAME_MAX + 1];	    /* "" for a new tree */
	int64_t size;			    /* entries published */
	int64_t prev;			    /* and at the run before */
	char date[11];			    /* the pages' date */
	char base[EXPORT_BASE_URL_MAX + 1]; /* the base URL it was given */
};

struct run {
	struct store *s;
	struct tree *t;
	const struct publish_options *o;
	struct publish_result *res;
	struct err *e;
	struct state old;
	int64_t size; /* the checkpoint's */
	char base[EXPORT_BASE_URL_MAX +
		  1];	    /* the public URL, no trailing '/'; "" */
	struct buf note;    /* the served checkpoint */
	struct entry *en;   /* scratch */
	struct ids touched; /* the venues of the new entries, sorted */
	char **all;	    /* every venue, when all are written again */
	size_t nall;
};

static void progress(struct run *r, const char *phase, int64_t done,
		     int64_t total)
{
	if (r->o->progress != NULL)
		r->o->progress(r->o->progress_ctx, phase, done, total);
}

/* ---- the state file ---- */

static enum status read_state(struct run *r)
{
	memset(&r->old, 0, sizeof r->old);
	json_t *j = NULL;
	enum status st =
		tree_read_json(r->t, PUBLISH_STATE, STATE_MAX, &j, r->e);
	if (st == ST_NOT_FOUND)
		return ST_OK;
	if (st != ST_OK)
		return st;
	const char *origin = json_string_value(json_object_get(j, "origin"));
	const char *date = json_string_value(json_object_get(j, "date"));
	const char *base = json_string_value(json_object_get(j, "base_url"));
	json_t *size = json_object_get(j, "size"),
	       *prev = json_object_get(j, "prev");
	if (origin == NULL || date == NULL || !json_is_integer(size) ||
	    !json_is_integer(prev) || strlen(origin) > NOTE_NAME_MAX ||
	    strlen(date) != 10 || json_integer_value(size) < 0 ||
	    json_integer_value(prev) < 0 ||
	    json_integer_value(prev) > json_integer_value(size)) {
		json_decref(j);
		return err_set(r->e, ST_CORRUPT,
			       "%s: not what sanilog publish writes",
			       PUBLISH_STATE);
	}
	snprintf(r->old.origin, sizeof r->old.origin, "%s", origin);
	snprintf(r->old.date, sizeof r->old.date, "%s", date);
	if (base != NULL && strlen(base) < sizeof r->old.base)
		snprintf(r->old.base, sizeof r->old.base, "%s", base);
	r->old.size = json_integer_value(size);
	r->old.prev = json_integer_value(prev);
	json_decref(j);
	return ST_OK;
}

static enum status write_state(struct run *r)
{
	json_t *j = json_pack("{s:s, s:I, s:I, s:s, s:s}", "origin",
			      r->res->origin, "size", (json_int_t)r->size,
			      "prev", (json_int_t)r->old.size, "date",
			      r->o->today, "base_url", r->base);
	char *text = j == NULL ? NULL : json_dumps(j, JSON_PRESERVE_ORDER);
	json_decref(j);
	if (text == NULL)
		return err_set(r->e, ST_NOMEM, "out of memory");
	enum status st = tree_write_synced(r->t, PUBLISH_STATE, text,
					   strlen(text), r->e);
	free(text);
	return st;
}

/* ---- tiles ---- */

/* Writes tile t unless the tree has it: full tiles never change, and a
 * partial one of a width is the same whenever it is written. */
static enum status write_tile(struct run *r, const struct tile *t,
			      struct buf *out)
{
	char path[5 + TILE_PATH_MAX + 1];
	memcpy(path, "tile/", 5);
	if (tile_format(t, path + 5, sizeof path - 5) == 0)
		return err_set(r->e, ST_INTERNAL, "tile path");
	if (tree_exists(r->t, path))
		return ST_OK;
	buf_reset(out);
	enum status st = export_tile(r->s, t, r->size, out, r->e);
	if (st == ST_OK)
		st = tree_write(r->t, path, out->data, out->len, false, r->e);
	if (st == ST_OK && t->entries)
		r->res->entry_tiles++;
	else if (st == ST_OK)
		r->res->hash_tiles++;
	return st;
}

/* The tiles of level (entries when entries) from the tree of r->old.size
 * entries to r->size's: the new full ones and the partial one at the
 * edge.  Counts them into *total when total is not NULL (and writes
 * nothing). */
static enum status level_tiles(struct run *r, int level, bool entries,
			       int64_t *done, int64_t *total, struct buf *out)
{
	int64_t nodes = tile_level_hashes(level, r->size);
	int64_t first = tile_level_hashes(level, r->old.size) / TILE_WIDTH;
	int64_t last = nodes / TILE_WIDTH; /* the partial one, if any */
	for (int64_t n = first; n <= last; n++) {
		struct tile t = {.entries = entries, .level = level, .n = n};
		t.width = tile_width(level, n, r->size);
		if (t.width == 0)
			break;
		if (total != NULL) {
			(*total)++;
			continue;
		}
		enum status st = write_tile(r, &t, out);
		if (st != ST_OK)
			return st;
		if (++*done % 64 == 0)
			progress(r, "tiles", *done, -1);
	}
	return ST_OK;
}

static int levels(int64_t size)
{
	int n = 0;
	while (n <= TILE_LEVEL_MAX && tile_level_hashes(n, size) > 0)
		n++;
	return n;
}

static enum status write_tiles(struct run *r)
{
	struct buf out;
	int64_t done = 0, total = 0;
	enum status st = ST_OK;
	int top = levels(r->size);
	for (int pass = 0; pass < 2 && st == ST_OK; pass++) {
		int64_t *count = pass == 0 ? &total : NULL;
		buf_init(&out, (size_t)TILE_WIDTH * (2 + ENTRY_MAX));
		for (int l = 0; l < top && st == ST_OK; l++)
			st = level_tiles(r, l, false, &done, count, &out);
		if (st == ST_OK && r->size > 0)
			st = level_tiles(r, 0, true, &done, count, &out);
		buf_free(&out);
		if (pass == 0)
			progress(r, "tiles", 0, total);
	}
	if (st == ST_OK)
		progress(r, "tiles", total, total);
	return st;
}

/* After the checkpoint: the partial tiles of every tile that was full
 * already when the run before this one wrote its checkpoint (a reader
 * of that checkpoint or an older one may still ask for a partial tile
 * until the next). */
static enum status remove_partials(struct run *r)
{
	char path[5 + TILE_PATH_MAX + 3];
	memcpy(path, "tile/", 5);
	for (int pass = 0; pass < 2; pass++) {
		bool entries = pass == 1;
		int top = entries ? 1 : levels(r->old.size);
		for (int l = 0; l < top; l++) {
			int64_t from =
				tile_level_hashes(l, r->old.prev) / TILE_WIDTH;
			int64_t to =
				tile_level_hashes(l, r->old.size) / TILE_WIDTH;
			for (int64_t n = from; n < to; n++) {
				struct tile t = {.entries = entries,
						 .level = l,
						 .n = n,
						 .width = TILE_WIDTH};
				size_t k = tile_format(&t, path + 5,
						       sizeof path - 7);
				memcpy(path + 5 + k, ".p", 3);
				enum status st =
					tree_remove_dir(r->t, path, r->e);
				if (st != ST_OK)
					return st;
			}
		}
	}
	return ST_OK;
}

/* ---- checkpoints ---- */

static enum status write_checkpoints(struct run *r)
{
	int64_t *sizes = NULL;
	size_t n = 0;
	enum status st = store_checkpoint_sizes(r->s, &sizes, &n, r->e);
	struct buf note;
	buf_init(&note, 64u << 10);
	for (size_t i = 0; st == ST_OK && i < n; i++) {
		char path[40];
		int64_t got = 0;
		/* Those the last run wrote stay; its newest may have
		 * gained cosignatures since. */
		if (sizes[i] < r->old.size || sizes[i] > r->size)
			continue;
		snprintf(path, sizeof path, "checkpoints/%" PRId64, sizes[i]);
		buf_reset(&note);
		st = store_checkpoint_served(r->s, sizes[i], &note, &got, r->e);
		int64_t before = tree_counts(r->t)->written;
		if (st == ST_OK)
			st = tree_write(r->t, path, note.data, note.len, true,
					r->e);
		if (st == ST_OK && tree_counts(r->t)->written > before)
			r->res->checkpoints++;
	}
	buf_free(&note);
	free(sizes);
	return st;
}

/* ---- the new entries: their venues and documents ---- */

/* A copy of the stored document as path. */
static enum status copy_document(struct run *r, const uint8_t sha[HASH_LEN],
				 const char *path)
{
	struct buf doc;
	char got[32];
	int64_t size = 0;
	enum status st = store_document_meta(r->s, sha, &size, got, r->e);
	buf_init(&doc, (size_t)size + 1);
	if (st == ST_OK)
		st = store_document(r->s, sha, &doc, got, r->e);
	if (st == ST_OK)
		st = tree_write(r->t, path, doc.data, doc.len, false, r->e);
	buf_free(&doc);
	return st;
}

/* d/<sha256>.<ext>, unless the tree has it, and d/<sha256> linked to it. */
static enum status write_document(struct run *r, const uint8_t sha[HASH_LEN],
				  const char *mime)
{
	char hex[2 * HASH_LEN + 1], path[2 * HASH_LEN + 16],
		name[2 * HASH_LEN + 8];
	const char *ext = ids_doc_ext(mime);
	if (ext == NULL)
		return err_set(r->e, ST_CORRUPT, "a document of type %s", mime);
	hex_encode(hex, sha, HASH_LEN);
	snprintf(name, sizeof name, "%s.%s", hex, ext);
	snprintf(path, sizeof path, "d/%s", name);
	char full[sizeof path];
	memcpy(full, path, sizeof full);
	enum status st = ST_OK;
	if (!tree_exists(r->t, path)) {
		/* a second name of the store's file, else a copy */
		char src[4096];
		snprintf(src, sizeof src, "%s/%.2s/%s", store_docs_dir(r->s),
			 hex, hex);
		st = tree_link_from(r->t, path, src, r->e);
		if (st == ST_UNSUPPORTED || st == ST_IO)
			st = copy_document(r, sha, path);
		if (st == ST_OK)
			r->res->documents++;
	}
	snprintf(path, sizeof path, "d/%s", hex);
	return st == ST_OK ? tree_link(r->t, path, full, r->e) : st;
}

static enum status scan_entry(void *ctx, int64_t index, const char *text,
			      size_t len, const struct store_entry_cols *cols)
{
	struct run *r = ctx;
	enum status st;
	if (cols->venue != NULL && index >= r->old.size &&
	    (st = ids_add(&r->touched, cols->venue, r->e)) != ST_OK)
		return st;
	/* Only documents (of the venue kinds) name a document. */
	if (cols->venue == NULL)
		return ST_OK;
	if (entry_parse(text, len, r->en, r->e) != ST_OK) {
		err_prefix(r->e, "entry %" PRId64, index);
		return ST_CORRUPT;
	}
	if (r->en->kind != ENTRY_DOCUMENT)
		return ST_OK;
	if ((st = write_document(r, r->en->doc_sha256, r->en->doc_mime)) !=
	    ST_OK)
		return st;
	if ((index - r->old.size) % 256 == 0)
		progress(r, "entries", index - r->old.size,
			 r->size - r->old.size);
	return ST_OK;
}

static enum status scan_entries(struct run *r, int64_t from)
{
	progress(r, "entries", 0, r->size - from);
	enum status st =
		store_scan_entries(r->s, from, r->size, scan_entry, r, r->e);
	if (st == ST_OK)
		progress(r, "entries", r->size - from, r->size - from);
	return st;
}

/* ---- venues ---- */

/* A page, bundle or feed, with its gzip twin. */
static enum status write_buf(struct run *r, const char *path,
			     const struct buf *b)
{
	return tree_write_gz(r->t, path, b->data, b->len, true, r->e);
}

static enum status venue_posters(struct run *r, const char *venue,
				 struct buf *out)
{
	static const enum poster_format formats[] = {POSTER_PDF, POSTER_SVG,
						     POSTER_PNG};
	struct export_poster p;
	enum status st =
		export_poster_at(r->s, venue, r->base, r->size, &p, r->e);
	for (size_t i = 0; st == ST_OK && i < 3; i++) {
		char path[64];
		buf_reset(out);
		snprintf(path, sizeof path, "v/%s/poster.%s", venue,
			 poster_format_str(formats[i]));
		st = poster_make(&p, formats[i], POSTER_A4, LANG_EN, out, r->e);
		/* PDF and PNG are compressed already; SVG is text */
		if (st == ST_OK && formats[i] == POSTER_SVG)
			st = write_buf(r, path, out);
		else if (st == ST_OK)
			st = tree_write(r->t, path, out->data, out->len, true,
					r->e);
	}
	if (st == ST_OK)
		r->res->posters++;
	return st;
}

/* The bundle the tree has at path, as published.  ST_NOT_FOUND when it
 * has none. */
static enum status tree_bundle(struct run *r, const char *path,
			       struct bundle **b)
{
	char *json = NULL;
	size_t len = 0;
	enum status st = tree_read(r->t, path, BUNDLE_MAX, &json, &len, r->e);
	if (st == ST_OK && (st = bundle_parse(json, len, b, r->e)) != ST_OK) {
		err_prefix(r->e, "%s (published before)", path);
		st = ST_CORRUPT;
	}
	free(json);
	return st;
}

static enum status write_venue(struct run *r, const char *venue, bool posters,
			       struct buf *out)
{
	char path[64];
	struct bundle *b = NULL;
	struct verify_report rep;
	struct verify_options vo;
	memset(&rep, 0, sizeof rep);
	memset(&vo, 0, sizeof vo);
	snprintf(vo.today, sizeof vo.today, "%s", r->o->today);

	enum status st;
	snprintf(path, sizeof path, "v/%s/bundle.json", venue);
	if (!posters && (st = tree_bundle(r, path, &b)) != ST_NOT_FOUND) {
		/* A venue without new entries keeps the bundle its posters
		 * pin; its pages are made again for the new day. */
		if (st != ST_OK)
			return st;
	} else {
		st = export_bundle(r->s, venue, r->size, &b, r->e);
		if (st == ST_NOT_FOUND) /* its first entry is past the
					   checkpoint */
			return ST_OK;
		buf_reset(out);
		if (st == ST_OK && (st = bundle_format(b, out)) != ST_OK)
			err_set(r->e, st, "venue %s: bundle too large", venue);
		if (st == ST_OK)
			st = write_buf(r, path, out);
	}
	enum lang first = lang_negotiate(NULL, NULL);
	snprintf(path, sizeof path, "v/%s/", venue);
	if (st == ST_OK)
		st = publish_pages(r->t, path, b, r->base, r->o->today, out,
				   r->e);
	if (st == ST_OK)
		st = verify_bundle(b, &vo, &rep, r->e);
	struct feeds_venue fv = {venue, b != NULL ? b->origin : "", r->base,
				 &rep};
	if (st == ST_OK) {
		buf_reset(out);
		snprintf(path, sizeof path, "v/%s/due.ics", venue);
		if ((st = feeds_ics(&fv, first, out)) == ST_OK)
			st = write_buf(r, path, out);
	}
	if (st == ST_OK) {
		buf_reset(out);
		snprintf(path, sizeof path, "v/%s/history.atom", venue);
		if ((st = feeds_atom(&fv, first, out)) == ST_OK)
			st = write_buf(r, path, out);
	}
	verify_report_free(&rep);
	bundle_free(b);
	if (st == ST_OK && posters && !r->res->no_posters)
		st = venue_posters(r, venue, out);
	if (st == ST_OK)
		r->res->venues++;
	else
		err_prefix(r->e, "venue %s", venue);
	return st;
}

/* What a writer of venues does: its share of them, and how it ended. */
struct share {
	int32_t status; /* enum status */
	int64_t venues, posters;
	struct tree_counts files;
	char msg[sizeof(((struct err *)0)->msg)];
};

/* The progress of venues written by several processes: a child writes a
 * byte to wfd after each venue; this process reads them from rfd. */
struct ticks {
	int wfd, rfd;
	size_t done; /* venues written, as far as this process knows */
};

/* Counts the children's ticks that rfd holds (all of them, to the end,
 * when it blocks), showing them on the progress bar. */
static void drain(struct run *r, struct ticks *tk, size_t n)
{
	char b[256];
	ssize_t got;
	progress(r, "venues", (int64_t)tk->done, (int64_t)n);
	while ((got = read(tk->rfd, b, sizeof b)) > 0 ||
	       (got < 0 && errno == EINTR)) {
		tk->done += got > 0 ? (size_t)got : 0;
		progress(r, "venues", (int64_t)tk->done, (int64_t)n);
	}
}

/* After a venue: the tick of a child, or the progress bar. */
static void tick(struct run *r, struct ticks *tk, size_t i, size_t n)
{
	if (tk == NULL) {
		progress(r, "venues", (int64_t)i + 1, (int64_t)n);
		return;
	}
	if (tk->wfd >= 0) {
		if (write(tk->wfd, "", 1) < 0) {
			/* the bar only: the writing goes on */
		}
		return;
	}
	tk->done++;
	drain(r, tk, n);
}

/* The venues list[k], list[k + jobs], ... of list[0..n). */
static enum status write_share(struct run *r, bool fresh, char **list, size_t n,
			       size_t k, size_t jobs, struct ticks *tk)
{
	struct buf out;
	enum status st = ST_OK;
	buf_init(&out, POSTER_MAX > BUNDLE_MAX ? POSTER_MAX : BUNDLE_MAX);
	for (size_t i = k; st == ST_OK && i < n; i += jobs) {
		/* A venue of the new entries gets new posters; on a new day
		 * the others' pages change, not their posters. */
		bool posters = fresh || ids_has(&r->touched, list[i]);
		st = write_venue(r, list[i], posters, &out);
		tick(r, tk, i, n);
	}
	buf_free(&out);
	return st;
}

/* A child that writes share k: with a connection of its own (one must
 * not cross a fork), it sends back its struct share on fd and ends. */
static void share_child(struct run *r, bool fresh, char **list, size_t n,
			size_t k, size_t jobs, int wfd, int fd)
{
	struct ticks tk = {.wfd = wfd, .rfd = -1};
	struct share sh;
	struct err e = {.msg = ""};
	struct store *s = NULL;
	memset(&sh, 0, sizeof sh);
	struct run child = *r;
	struct publish_result res = *r->res;
	child.e = &e;
	child.res = &res;
	res.venues = res.posters = 0;
	tree_reset_counts(r->t);
	enum status st = store_open(r->o->db_path, STORE_READONLY, &s, &e);
	if (st == ST_OK && (st = store_begin_read(s, &e)) == ST_OK) {
		child.s = s;
		st = write_share(&child, fresh, list, n, k, jobs, &tk);
	}
	sh.status = (int32_t)st;
	sh.venues = res.venues;
	sh.posters = res.posters;
	sh.files = *tree_counts(r->t);
	snprintf(sh.msg, sizeof sh.msg, "%s", e.msg);
	bool sent = write(fd, &sh, sizeof sh) == (ssize_t)sizeof sh;
	_exit(st == ST_OK && sent ? 0 : 1);
}

/* Waits for the children pids[0..n), reading their shares from fds and
 * the ticks of the venues they write as the progress bar's; the first
 * failure is the run's. */
static enum status share_wait(struct run *r, const pid_t *pids, const int *fds,
			      size_t nkids, struct ticks *tk, size_t n,
			      enum status st)
{
	int flags = fcntl(tk->rfd, F_GETFL);
	if (flags >= 0)
		(void)fcntl(tk->rfd, F_SETFL, flags & ~O_NONBLOCK);
	drain(r, tk, n);
	for (size_t i = 0; i < nkids; i++) {
		struct share sh;
		int wst = 0;
		bool whole = read(fds[i], &sh, sizeof sh) == sizeof sh;
		close(fds[i]);
		while (waitpid(pids[i], &wst, 0) < 0 && errno == EINTR)
			;
		if (!whole && st == ST_OK)
			st = err_set(r->e, ST_INTERNAL,
				     "a writer of venues ended before its "
				     "end (status %d)",
				     wst);
		if (!whole)
			continue;
		r->res->venues += sh.venues;
		r->res->posters += sh.posters;
		tree_add_counts(r->t, &sh.files);
		if (sh.status != ST_OK && st == ST_OK)
			st = err_set(r->e, (enum status)sh.status, "%s",
				     sh.msg);
	}
	return st;
}

/* The venues of the run, on o->jobs processes when there are enough of
 * them to share and the database's path is known. */
static enum status write_venues(struct run *r, bool fresh)
{
	char **list = r->all != NULL ? r->all : r->touched.v;
	size_t n = r->all != NULL ? r->nall : r->touched.n;
	size_t jobs = r->o->jobs > 1 && r->o->db_path != NULL ? r->o->jobs : 1;
	if (jobs > PUBLISH_JOBS_MAX)
		jobs = PUBLISH_JOBS_MAX;
	if (jobs > n / 4) /* a few venues each, at least */
		jobs = n / 4 > 0 ? n / 4 : 1;
	progress(r, "venues", 0, (int64_t)n);
	if (jobs == 1)
		return write_share(r, fresh, list, n, 0, 1, NULL);
	pid_t pids[PUBLISH_JOBS_MAX];
	int fds[PUBLISH_JOBS_MAX], ticks[2];
	size_t nkids = 0;
	if (pipe(ticks) != 0)
		return err_set(r->e, ST_IO, "pipe: %s", strerror(errno));
	int flags = fcntl(ticks[0], F_GETFL);
	if (flags < 0 || fcntl(ticks[0], F_SETFL, flags | O_NONBLOCK) != 0) {
		close(ticks[0]);
		close(ticks[1]);
		return err_set(r->e, ST_IO, "pipe: %s", strerror(errno));
	}
	/* Nothing buffered may be written twice, by a child too. */
	(void)fflush(NULL);
	for (size_t k = 1; k < jobs; k++) {
		int fd[2];
		if (pipe(fd) != 0)
			break;
		pid_t pid = fork();
		if (pid == 0) {
			close(ticks[0]);
			close(fd[0]);
			share_child(r, fresh, list, n, k, jobs, ticks[1],
				    fd[1]);
		}
		close(fd[1]);
		if (pid < 0) {
			close(fd[0]);
			break;
		}
		pids[nkids] = pid;
		fds[nkids++] = fd[0];
	}
	close(ticks[1]);
	/* This process writes share 0, and those of children not made:
	 * share 0, then nkids + 1, ... */
	struct ticks tk = {.wfd = -1, .rfd = ticks[0]};
	enum status st = ST_OK;
	for (size_t k = 0; st == ST_OK && k < jobs;
	     k = k == 0 ? nkids + 1 : k + 1)
		st = write_share(r, fresh, list, n, k, jobs, &tk);
	st = share_wait(r, pids, fds, nkids, &tk, n, st);
	close(ticks[0]);
	return st;
}

/* ---- the home page and the assets ---- */

enum status publish_pages(struct tree *t, const char *dir,
			  const struct bundle *b, const char *base,
			  const char *today, struct buf *out, struct err *e)
{
	char path[80], first[80];
	enum status st = ST_OK;
	enum lang dflt = lang_negotiate(NULL, NULL);
	for (int l = 0; st == ST_OK && l < LANG__COUNT; l++) {
		buf_reset(out);
		st = b != NULL ? pages_venue_bundle(b, base, (enum lang)l,
						    today, -1, out, e)
			       : pages_index((enum lang)l, out, e);
		snprintf(path, sizeof path, "%sindex.%s.html", dir,
			 lang_code((enum lang)l));
		if (st == ST_OK)
			st = tree_write_gz(t, path, out->data, out->len, true,
					   e);
	}
	/* index.html, and its gzip twin: the default language's, as
	 * second names of its files */
	for (int gz = 0; st == ST_OK && gz < 2; gz++) {
		const char *z = gz ? ".gz" : "";
		snprintf(first, sizeof first, "%sindex.%s.html%s", dir,
			 lang_code(dflt), z);
		snprintf(path, sizeof path, "%sindex.html%s", dir, z);
		if (gz == 0 || tree_exists(t, first))
			st = tree_link(t, path, first, e);
	}
	return st;
}

enum status publish_site(struct tree *t, struct err *e)
{
	struct buf out;
	enum status st = ST_OK;
	buf_init(&out, 1u << 20);
	st = publish_pages(t, "", NULL, NULL, NULL, &out, e);
	buf_free(&out);
	for (const struct embedded_file *f = embedded_files;
	     st == ST_OK && f->name != NULL; f++) {
		const char *name = f->name + 7, *mime;
		size_t len = 0;
		if (strncmp(f->name, "assets/", 7) != 0)
			continue;
		char path[96];
		const unsigned char *data = NULL;
		size_t n = strlen(name);
		/* The gzip twin of an asset, for a server's gzip_static,
		 * only while it is the asset's. */
		if (n > 3 && strcmp(name + n - 3, ".gz") == 0) {
			char plain[80];
			snprintf(plain, sizeof plain, "%.*s", (int)(n - 3),
				 name);
			data = pages_asset_gzip(plain, &len);
		} else {
			data = pages_asset(name, &len, &mime);
		}
		if (data == NULL)
			continue;
		snprintf(path, sizeof path, "assets/%s", name);
		st = tree_write(t, path, data, len, true, e);
		if (st == ST_OK && strcmp(name, "favicon.ico") == 0)
			st = tree_write(t, "favicon.ico", data, len, true, e);
	}
	return st;
}

/* ---- the run ---- */

static enum status start(struct run *r)
{
	struct checkpoint cp;
	size_t tlen = 0;
	enum status st;
	if ((st = read_state(r)) != ST_OK)
		return st;
	if ((st = store_checkpoint_served(r->s, -1, &r->note, &r->size,
					  r->e)) != ST_OK) {
		err_prefix(r->e, "the log's checkpoint");
		return st;
	}
	if (export_note_text_len(buf_str(&r->note), r->note.len, &tlen) !=
		    ST_OK ||
	    checkpoint_parse(buf_str(&r->note), tlen, &cp, r->e) != ST_OK)
		return err_set(r->e, ST_CORRUPT,
			       "the log's checkpoint does not parse");
	snprintf(r->res->origin, sizeof r->res->origin, "%s", cp.origin);
	if (r->old.origin[0] != 0 && strcmp(r->old.origin, cp.origin) != 0)
		return err_set(r->e, ST_CONFLICT,
			       "the folder holds the log \"%s\", not this "
			       "log (\"%s\"): publish into another folder",
			       r->old.origin, cp.origin);
	if (r->size < r->old.size)
		return err_set(r->e, ST_CONFLICT,
			       "the folder holds %" PRId64
			       " entries of this log, the database only "
			       "%" PRId64 ": is it an older copy? Nothing "
			       "was written",
			       r->old.size, r->size);
	r->res->from = r->old.size;
	r->res->size = r->size;
	/* The URL given, else the one given to the last run, else the
	 * log's own. */
	if (r->o->base_url != NULL)
		snprintf(r->base, sizeof r->base, "%s", r->o->base_url);
	else if (r->old.base[0] != 0)
		snprintf(r->base, sizeof r->base, "%s", r->old.base);
	else if (store_meta_get(r->s, "base_url", r->base, sizeof r->base,
				NULL) != ST_OK)
		r->base[0] = 0;
	size_t n = strlen(r->base);
	while (n > 0 && r->base[n - 1] == '/')
		r->base[--n] = 0;
	r->res->no_posters = r->base[0] == 0;
	return ST_OK;
}

static enum status run(struct run *r)
{
	enum status st = start(r);
	if (st != ST_OK)
		return st;
	bool fresh = r->old.size == 0 || r->o->all;
	bool new_day = strcmp(r->old.date, r->o->today) != 0;
	if ((fresh || new_day) &&
	    (st = store_venue_ids(r->s, &r->all, &r->nall, r->e)) != ST_OK)
		return st;
	if ((st = write_tiles(r)) != ST_OK ||
	    (st = write_checkpoints(r)) != ST_OK ||
	    (st = scan_entries(r, fresh ? 0 : r->old.size)) != ST_OK)
		return st;
	ids_sort(&r->touched);
	if ((st = write_venues(r, fresh)) != ST_OK ||
	    (st = publish_site(r->t, r->e)) != ST_OK)
		return st;
	/* Everything the checkpoint rests on is on disk before it. */
	if ((st = tree_sync(r->t, r->e)) != ST_OK)
		return st;
	char *now = NULL;
	size_t len = 0;
	bool same = tree_read(r->t, "checkpoint", 64u << 10, &now, &len,
			      NULL) == ST_OK &&
		    len == r->note.len && memcmp(now, r->note.data, len) == 0;
	free(now);
	if (!same && (st = tree_write_synced(r->t, "checkpoint", r->note.data,
					     r->note.len, r->e)) != ST_OK)
		return st;
	if ((r->old.size != r->size || new_day || r->o->all ||
	     strcmp(r->old.base, r->base) != 0) &&
	    (st = write_state(r)) != ST_OK)
		return st;
	return remove_partials(r);
}

enum status publish_run(struct store *s, const char *dir,
			const struct publish_options *o,
			struct publish_result *res, struct err *e)
{
	struct run r = {.s = s, .o = o, .res = res, .e = e};
	memset(res, 0, sizeof *res);
	enum status st = tree_open(dir, &r.t, e);
	if (st != ST_OK)
		return st;
	buf_init(&r.note, 64u << 10);
	if ((r.en = malloc(sizeof *r.en)) == NULL)
		st = err_set(e, ST_NOMEM, "out of memory");
	if (st == ST_OK)
		st = run(&r);
	res->files = *tree_counts(r.t);
	ids_free(&r.touched);
	for (size_t i = 0; i < r.nall; i++)
		free(r.all[i]);
	free(r.all);
	free(r.en);
	buf_free(&r.note);
	tree_close(r.t);
	return st;
}
