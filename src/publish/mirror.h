/*
 * mirror.h: the published tree (publish.h) of a log read over HTTP, from
 * its live server or any published tree or mirror of it, verified before
 * it is written:
 *
 *   - the checkpoint's signature, under the log's key (given on the first
 *     run, then kept);
 *   - every entry tile from the size mirrored before, each entry parsed;
 *     the entries the mirror already holds must be the same bytes;
 *   - the tree rebuilt from the mirror's own state (a compact range) and
 *     the new entries must have the checkpoint's root, and every hash
 *     tile the log serves for it must be the rebuilt tree's, byte for byte;
 *   - every venue with a new entry: its bundle, verified as `sanilog verify`
 *     does (chain, attestations, revocations, witnesses) under the log's
 *     key, its checkpoint's tree the mirror's own tree at that size, and
 *     its entries the mirror's bytes;
 *   - every new document: fetched, its SHA-256, size and type its entry's;
 *   - every kept checkpoint a poster of a new entry's venue can pin (for
 *     each new entry of a venue, the smallest kept checkpoint holding it,
 *     asked at checkpoints/<size> from the entry's size up): its
 *     signature under the log's key, its size, and its root the mirror's
 *     own tree at that size.
 *
 * A log whose checkpoint is smaller than the one mirrored (a rollback), or
 * whose tree does not extend it (a fork, a changed entry), or that serves a
 * tile, bundle or kept checkpoint other than its tree's, is refused:
 * nothing the mirror
 * held is overwritten, what the run wrote is removed, and the evidence is
 * kept in DIR/.evidence/<time>/ (the checkpoint held, the one received,
 * the kept checkpoint refused, and what failed).  The state is
 * DIR/.sanilog-mirror (JSON).
 *
 * A venue whose bundle is of a newer checkpoint than the one mirrored (the
 * log grew meanwhile) is left for the next run.
 */
#ifndef SANILOG_MIRROR_H
#define SANILOG_MIRROR_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "core/note.h"
#include "publish/tree.h"

#define MIRROR_STATE ".sanilog-mirror"

struct mirror_options {
	const char *url;      /* the log's base URL, without a trailing '/' */
	const char *vkey;     /* the log's verifier key; NULL: the one kept */
	const char *today;    /* YYYY-MM-DD, the pages' date */
	const char *base_url; /* the mirror's public URL for its pages, or
				 NULL */
	bool progress;	      /* transfers' progress on stderr */
};

struct mirror_result {
	char origin[NOTE_NAME_MAX + 1];
	int64_t from, size;
	int64_t entry_tiles, hash_tiles, venues, documents, deferred;
	int64_t checkpoints; /* kept ones that posters pin, besides the
				checkpoint received */
	char evidence[256];  /* the evidence folder, when refused */
	struct tree_counts files;
};

/*
 * One run into dir.  ST_BAD_SIGNATURE when the log is refused (e says
 * why; res->evidence names the folder of the evidence); ST_INVALID for
 * a first run without a key; fetch and file errors as they come.
 */
enum status mirror_run(const char *dir, const struct mirror_options *o,
		       struct mirror_result *res, struct err *e);

/*
 * Whether the mirror in dir holds the log of origin at size with root:
 * ST_OK when its tree of size entries (a prefix of the tree it mirrored,
 * recomputed from its hash tiles) has that root; ST_NOT_FOUND when it has
 * not mirrored that many entries yet, *held saying how many it has;
 * ST_CONFLICT when its tree at that size has another root;
 * ST_UNSUPPORTED when dir mirrors another log.  Only reads dir.
 */
enum status mirror_holds(const char *dir, const char *origin, int64_t size,
			 const uint8_t root[32], int64_t *held, struct err *e);

/* The origin of the log the mirror in dir keeps (NOTE_NAME_MAX + 1
 * bytes).  ST_NOT_FOUND when dir holds no mirror yet. */
enum status mirror_origin(const char *dir, char *origin, struct err *e);

#endif
