/*
 * publish.h: the log as static files (DESIGN.md "Static publishing"),
 * laid out as the live server's URLs, for any web server, object store
 * or CDN to serve:
 *
 *   checkpoint                  the served checkpoint (newest witnessed
 *                               while the log is witnessed), written last
 *   checkpoints/<size>          every kept checkpoint up to it
 *   tile/<L>/<N>[.p/<W>]        hash tiles (C2SP tlog-tiles)
 *   tile/entries/<N>[.p/<W>]    entry bundles
 *   v/<venue>/index.html        the venue page (index.<lang>.html in each
 *                               language), bundle.json, due.ics,
 *                               history.atom, poster.{pdf,svg,png}
 *   d/<sha256>.<pdf|png|jpg>    documents, and d/<sha256> a hard link to it
 *   index.html, favicon.ico, assets/...
 *   .sanilog-publish            what was published: origin, size, date
 *
 * A run writes what changed since the last one into the same folder: the
 * tiles the log grew by (full tiles, once; the partial tiles at the
 * edge), the checkpoints kept since, the documents and venues of the new
 * entries (every venue on a new day, as the pages' verdicts follow the
 * date), and assets that differ.  Everything is written under temporary
 * names and renamed, synced, and then the checkpoint: a reader never sees
 * a checkpoint whose tiles are missing.  The partial tiles of a tile that
 * was already full at the run before are removed after the checkpoint.
 */
#ifndef SANILOG_PUBLISH_H
#define SANILOG_PUBLISH_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "core/buf.h"
#include "core/bundle.h"
#include "core/note.h"
#include "publish/tree.h"
#include "store/store.h"

/* The file, in the tree, that says what it holds. */
#define PUBLISH_STATE ".sanilog-publish"
/* The most processes that write venues (publish_options.jobs). */
#define PUBLISH_JOBS_MAX 64

/* Called as a run goes: phase ("tiles", "venues", ...), done of total. */
typedef void (*publish_progress_fn)(void *ctx, const char *phase, int64_t done,
				    int64_t total);

struct publish_options {
	const char *base_url; /* the public URL; NULL: the stored one */
	const char *today;    /* YYYY-MM-DD: the pages' date */
	bool all;	      /* every venue and document again */
	/* Venues are written by this many processes (1 to PUBLISH_JOBS_MAX;
	 * 0 as 1), each with a connection of its own to db_path (none
	 * without it). */
	unsigned jobs;
	const char *db_path;
	publish_progress_fn progress; /* or NULL */
	void *progress_ctx;
};

struct publish_result {
	char origin[NOTE_NAME_MAX + 1];
	int64_t from, size; /* entries published before, and now */
	int64_t hash_tiles, entry_tiles, checkpoints, venues, documents,
		posters;
	bool no_posters; /* no base URL known: no poster written */
	struct tree_counts files;
};

/*
 * Publishes the log of s (opened read-only is enough) into the folder
 * dir (made when missing).  ST_CONFLICT when dir holds another log's tree
 * or a larger one than the log (a restored, older database): nothing is
 * written then.  *res says what was written.
 */
enum status publish_run(struct store *s, const char *dir,
			const struct publish_options *o,
			struct publish_result *res, struct err *e);

/*
 * The pages of dir ("v/<venue>/", or "" for the home page): the venue
 * page of b (rendered as pages_venue_bundle does, with base and today),
 * or the home page when b is NULL, in each language as
 * dir/index.<lang>.html with its gzip twin, and dir/index.html (and .gz)
 * a second name of the default language's.  out is scratch.
 */
enum status publish_pages(struct tree *t, const char *dir,
			  const struct bundle *b, const char *base,
			  const char *today, struct buf *out, struct err *e);

/* The home page (index.html, index.<lang>.html), favicon.ico and the
 * assets (with their gzip twins), each written when it differs. */
enum status publish_site(struct tree *t, struct err *e);

#endif
