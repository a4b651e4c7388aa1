/*
 * mirror.c: a verified copy of a log over HTTP (mirror.h).
 */
#include "mirror.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/clock.h"
#include "core/bundle.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/hash.h"
#include "core/merkle.h"
#include "core/tile.h"
#include "core/verify.h"
#include "net/fetch.h"
#include "publish/ids.h"
#include "publish/publish.h"
#include "web/feeds.h"
#include "web/pages.h"

#define STATE_MAX    (1u << 20)
#define TILE_BYTES   ((size_t)TILE_WIDTH * (2 + ENTRY_MAX))
#define HASHES_BYTES ((size_t)TILE_WIDTH * HASH_LEN)
#define NOTE_MAX     (64u << 10)
#define DOC_LIMIT    (64u << 20)

/* What the mirror holds (MIRROR_STATE). */
struct state {
	char origin[NOTE_NAME_MAX + 1];
	char vkey[NOTE_VKEY_MAX + 1];
	int64_t size, prev;
	struct merkle_range range; /* the tree of size entries */
	char **pending;		   /* venues left for a later run */
	size_t npending;
	bool pins; /* it holds the kept checkpoints its entries' posters
		      pin (false for a mirror made before it fetched them) */
};

/* A kept checkpoint of the log, fetched and verified, to be written. */
struct kept {
	int64_t size;
	char *note; /* its bytes, as served */
	size_t len;
};

struct run {
	const struct mirror_options *o;
	struct mirror_result *res;
	struct err *e;
	struct tree *t;
	struct fetch *f;
	struct note_verifier key;
	struct state st;
	struct checkpoint cp;
	struct buf note; /* the checkpoint received */
	struct merkle_range range;
	/* the hashes of the tile being filled at each level (of the tree of
	 * the entries read so far) */
	uint8_t (*level)[TILE_WIDTH][HASH_LEN];
	int levels[TILE_LEVEL_MAX + 1];
	struct entry *en;
	struct ids venues; /* venues with new entries (and pending ones) */
	struct buf pinned; /* the new entries of a venue (int64_t), ascending */
	struct kept *kept; /* the kept checkpoints their posters pin */
	size_t nkept;
	struct buf bad; /* a kept checkpoint refused, for the evidence */
	char why[512];	/* why the log is refused */
};

static enum status url_get(struct run *r, struct buf *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum status url_get(struct run *r, struct buf *out, const char *fmt, ...)
{
	char url[FETCH_URL_MAX];
	int n = snprintf(url, sizeof url, "%s/", r->o->url);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(url + n, sizeof url - (size_t)n, fmt, ap);
	va_end(ap);
	return fetch_get(r->f, url, out, r->e);
}

/* The log is refused: why, kept in r->why, is returned as
 * ST_BAD_SIGNATURE. */
static enum status refuse(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum status refuse(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	return err_set(r->e, ST_BAD_SIGNATURE, "%s", r->why);
}

/* ---- the state ---- */

static void state_free(struct state *s)
{
	for (size_t i = 0; i < s->npending; i++)
		free(s->pending[i]);
	free(s->pending);
	s->pending = NULL;
	s->npending = 0;
}

static enum status read_state(struct run *r)
{
	struct state *s = &r->st;
	merkle_range_init(&s->range);
	json_t *j = NULL;
	enum status st =
		tree_read_json(r->t, MIRROR_STATE, STATE_MAX, &j, r->e);
	if (st == ST_NOT_FOUND)
		return ST_OK;
	if (st != ST_OK)
		return st;
	const char *origin = json_string_value(json_object_get(j, "origin"));
	const char *vkey = json_string_value(json_object_get(j, "vkey"));
	json_t *size = json_object_get(j, "size"),
	       *prev = json_object_get(j, "prev");
	json_t *rng = json_object_get(j, "range"),
	       *pend = json_object_get(j, "pending"),
	       *pins = json_object_get(j, "pins");
	bool ok = origin != NULL && vkey != NULL && json_is_integer(size) &&
		  json_is_integer(prev) && json_is_array(rng) &&
		  json_is_array(pend) && strlen(origin) <= NOTE_NAME_MAX &&
		  strlen(vkey) <= NOTE_VKEY_MAX &&
		  json_integer_value(size) >= 0 &&
		  json_integer_value(prev) >= 0 && json_array_size(rng) <= 64 &&
		  (pins == NULL || json_is_boolean(pins));
	if (ok) {
		snprintf(s->origin, sizeof s->origin, "%s", origin);
		snprintf(s->vkey, sizeof s->vkey, "%s", vkey);
		s->size = json_integer_value(size);
		s->prev = json_integer_value(prev);
		s->pins = json_is_true(pins);
		s->range.size = s->size;
		s->range.depth = (int)json_array_size(rng);
		size_t i;
		json_t *v;
		json_array_foreach(rng, i, v)
		{
			const char *h = json_string_value(v);
			size_t got = 0;
			ok = ok && h != NULL &&
			     b64_decode(s->range.stack[i], HASH_LEN, &got, h,
					strlen(h), B64_STD) == ST_OK &&
			     got == HASH_LEN;
		}
		/* the stack holds one hash per bit of the size */
		ok = ok &&
		     s->range.depth ==
			     __builtin_popcountll((unsigned long long)s->size);
		s->pending =
			calloc(json_array_size(pend) + 1, sizeof *s->pending);
		ok = ok && s->pending != NULL;
		json_array_foreach(pend, i, v)
		{
			const char *id = json_string_value(v);
			if (!ok || id == NULL || !entry_venue_id_valid(id) ||
			    (s->pending[s->npending] = strdup(id)) == NULL) {
				ok = false;
				break;
			}
			s->npending++;
		}
	}
	json_decref(j);
	if (!ok)
		return err_set(r->e, ST_CORRUPT,
			       "%s: not what sanilog mirror writes",
			       MIRROR_STATE);
	return ST_OK;
}

static enum status write_state(struct run *r, char **pending, size_t n)
{
	json_t *rng = json_array(), *pend = json_array();
	for (int i = 0; i < r->range.depth; i++) {
		char b[HASH_LEN * 2];
		b64_encode(b, sizeof b, r->range.stack[i], HASH_LEN, B64_STD);
		json_array_append_new(rng, json_string(b));
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(pend, json_string(pending[i]));
	json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:b}", "origin",
			      r->cp.origin, "vkey", r->st.vkey, "size",
			      (json_int_t)r->cp.size, "prev",
			      (json_int_t)r->st.size, "range", rng, "pending",
			      pend, "pins", true);
	char *text = j == NULL ? NULL : json_dumps(j, JSON_PRESERVE_ORDER);
	json_decref(j);
	if (text == NULL)
		return err_set(r->e, ST_NOMEM, "out of memory");
	enum status st =
		tree_write_synced(r->t, MIRROR_STATE, text, strlen(text), r->e);
	free(text);
	return st;
}

/* ---- evidence ---- */

/* DIR/.evidence/<time>/: the checkpoint held, the one received, why. */
static void keep_evidence(struct run *r)
{
	char dir[96], path[128], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	if (strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) == 0)
		snprintf(stamp, sizeof stamp, "%lld", (long long)now);
	snprintf(dir, sizeof dir, ".evidence/%s-%" PRId64, stamp, r->cp.size);
	char *held = NULL;
	size_t len = 0;
	snprintf(path, sizeof path, "%s/held-checkpoint", dir);
	if (tree_read(r->t, "checkpoint", NOTE_MAX, &held, &len, NULL) == ST_OK)
		tree_write(r->t, path, held, len, false, NULL);
	free(held);
	snprintf(path, sizeof path, "%s/received-checkpoint", dir);
	tree_write(r->t, path, r->note.data, r->note.len, false, NULL);
	if (r->bad.len > 0) {
		snprintf(path, sizeof path, "%s/received-kept-checkpoint", dir);
		tree_write(r->t, path, r->bad.data, r->bad.len, false, NULL);
	}
	snprintf(path, sizeof path, "%s/why", dir);
	char why[600];
	int n = snprintf(why, sizeof why, "%s\n", r->why);
	tree_write(r->t, path, why, (size_t)n, false, NULL);
	snprintf(r->res->evidence, sizeof r->res->evidence, "%s", dir);
}

/* ---- the tree ---- */

static enum status tile_path(const struct tile *t, char *out, size_t size)
{
	memcpy(out, "tile/", 5);
	return tile_format(t, out + 5, size - 5) == 0 ? ST_INTERNAL : ST_OK;
}

/* Loads the partial tile of each level of the mirror's tree. */
static enum status load_levels(struct run *r)
{
	for (int l = 0; l <= TILE_LEVEL_MAX; l++) {
		int64_t count = tile_level_hashes(l, r->st.size);
		int w = (int)(count % TILE_WIDTH);
		r->levels[l] = w;
		if (count == 0)
			break;
		if (w == 0)
			continue;
		struct tile t = {
			.level = l, .n = count / TILE_WIDTH, .width = w};
		char path[8 + TILE_PATH_MAX], *data = NULL;
		size_t len = 0;
		tile_path(&t, path, sizeof path);
		enum status st =
			tree_read(r->t, path, HASHES_BYTES, &data, &len, r->e);
		if (st == ST_OK && len != (size_t)w * HASH_LEN)
			st = err_set(r->e, ST_CORRUPT, "%s: %zu bytes", path,
				     len);
		if (st == ST_OK)
			memcpy(r->level[l], data, len);
		free(data);
		if (st != ST_OK)
			return st;
	}
	return ST_OK;
}

/* The hash tile t the log serves must be the rebuilt one; it is written. */
static enum status hash_tile(struct run *r, int level, int64_t n, int width)
{
	struct tile t = {.level = level, .n = n, .width = width};
	char path[8 + TILE_PATH_MAX];
	struct buf got;
	tile_path(&t, path, sizeof path);
	buf_init(&got, HASHES_BYTES);
	enum status st = url_get(r, &got, "%s", path);
	if (st == ST_NOT_FOUND)
		st = refuse(r, "%s: the log does not serve it (404)", path);
	else if (st == ST_OK &&
		 (got.len != (size_t)width * HASH_LEN ||
		  memcmp(got.data, r->level[level], got.len) != 0))
		st = refuse(r, "%s: not the hashes of the log's tree", path);
	if (st == ST_OK)
		st = tree_write(r->t, path, got.data, got.len, true, r->e);
	buf_free(&got);
	if (st == ST_OK)
		r->res->hash_tiles++;
	return st;
}

/* Entry index is of a venue: the kept checkpoint its posters pin is to
 * be fetched (pinned_checkpoints); indexes come in ascending order. */
static enum status note_pinned(struct run *r, int64_t index)
{
	if (buf_append(&r->pinned, &index, sizeof index) != ST_OK)
		return err_set(r->e, ST_NOMEM, "out of memory");
	return ST_OK;
}

static enum status held_pin(void *ctx, int64_t index, const uint8_t *text,
			    size_t len)
{
	struct run *r = ctx;
	if (entry_parse((const char *)text, len, r->en, r->e) != ST_OK)
		return err_set(r->e, ST_CORRUPT, "entry %" PRId64 ": %s", index,
			       r->e->msg);
	return r->en->venue[0] != 0 ? note_pinned(r, index) : ST_OK;
}

/* A mirror made before it fetched the kept checkpoints that posters pin:
 * the entries of a venue it holds, read from its own entry tiles, are
 * noted too, once. */
static enum status held_pins(struct run *r)
{
	char bad[320];
	enum status st = ST_OK;
	for (int64_t n = 0; st == ST_OK && n * TILE_WIDTH < r->st.size; n++) {
		struct tile t = {.entries = true,
				 .n = n,
				 .width = tile_width(0, n, r->st.size)};
		char path[8 + TILE_PATH_MAX], *data = NULL;
		size_t len = 0;
		tile_path(&t, path, sizeof path);
		st = tree_read(r->t, path, TILE_BYTES, &data, &len, r->e);
		if (st == ST_OK)
			st = tile_entries_each(
				n, r->st.size, (const uint8_t *)data, len,
				held_pin, r, bad, sizeof bad, r->e);
		free(data);
		if (st != ST_OK && st != ST_NOMEM)
			err_prefix(r->e, "%s", path);
	}
	return st;
}

/* A new entry: parsed, pushed to the tree, its venue noted. */
static enum status new_entry(struct run *r, int64_t index, const uint8_t *p,
			     size_t len)
{
	uint8_t leaf[HASH_LEN], stored[MERKLE_MAX_PROOF][HASH_LEN];
	size_t count = 0;
	if (entry_parse((const char *)p, len, r->en, r->e) != ST_OK)
		return refuse(r, "entry %" PRId64 " does not parse: %s", index,
			      r->e->msg);
	merkle_leaf_hash(leaf, p, len);
	int64_t first = merkle_stored_count(r->range.size);
	merkle_range_push(&r->range, leaf, stored, &count);
	for (size_t i = 0; i < count; i++) {
		int level;
		int64_t n;
		merkle_split_stored_index(first + (int64_t)i, &level, &n);
		if (level % 8 != 0)
			continue;
		int l = level / 8;
		memcpy(r->level[l][n % TILE_WIDTH], stored[i], HASH_LEN);
		r->levels[l] = (int)(n % TILE_WIDTH) + 1;
		if (r->levels[l] == TILE_WIDTH) {
			enum status st =
				hash_tile(r, l, n / TILE_WIDTH, TILE_WIDTH);
			if (st != ST_OK)
				return st;
			r->levels[l] = 0;
		}
	}
	if (r->en->venue[0] == 0)
		return ST_OK;
	enum status st = ids_add(&r->venues, r->en->venue, r->e);
	return st == ST_OK ? note_pinned(r, index) : st;
}

/* Splitting an entry tile: the held part of the tile to compare. */
struct split {
	struct run *r;
	const struct buf *old; /* the mirror's partial tile */
	size_t at;	       /* where the next held entry starts in it */
};

static enum status split_entry(void *ctx, int64_t index, const uint8_t *text,
			       size_t len)
{
	struct split *sp = ctx;
	struct run *r = sp->r;
	if (index >= r->st.size)
		return new_entry(r, index, text, len);
	/* held: the same bytes at the same place */
	const uint8_t *o = sp->old->data + sp->at;
	if (sp->old->len < sp->at + 2 + len || o[0] != (uint8_t)(len >> 8) ||
	    o[1] != (uint8_t)len || memcmp(o + 2, text, len) != 0)
		return refuse(r,
			      "entry %" PRId64 " changed: the log's is not "
			      "what the mirror holds",
			      index);
	sp->at += 2 + len;
	return ST_OK;
}

/* Entry tile n of the checkpoint's tree: the entries the mirror holds
 * must be its bytes; the others are new. */
static enum status entry_tile(struct run *r, int64_t n, struct buf *body,
			      const struct buf *old)
{
	struct tile t = {
		.entries = true, .n = n, .width = tile_width(0, n, r->cp.size)};
	char path[8 + TILE_PATH_MAX], bad[320];
	struct split sp = {r, old, 0};
	tile_path(&t, path, sizeof path);
	buf_reset(body);
	enum status st = url_get(r, body, "%s", path);
	if (st == ST_NOT_FOUND)
		return refuse(r, "%s: the log does not serve it (404)", path);
	if (st != ST_OK)
		return st;
	st = tile_entries_each(n, r->cp.size, body->data, body->len,
			       split_entry, &sp, bad, sizeof bad, r->e);
	if (st == ST_CORRUPT)
		return refuse(r, "%s", bad);
	if (st == ST_BAD_SIGNATURE) /* refused by split_entry: r->why */
		return err_set(r->e, ST_BAD_SIGNATURE, "%s", r->why);
	if (st != ST_OK)
		return st;
	st = tree_write(r->t, path, body->data, body->len, true, r->e);
	if (st == ST_OK)
		r->res->entry_tiles++;
	return st;
}

static enum status extend(struct run *r)
{
	struct buf body, old;
	enum status st = ST_OK;
	buf_init(&body, TILE_BYTES);
	buf_init(&old, TILE_BYTES);
	r->range = r->st.range;
	int64_t first = r->st.size / TILE_WIDTH;
	int64_t last = (r->cp.size + TILE_WIDTH - 1) / TILE_WIDTH;
	if (r->st.size % TILE_WIDTH != 0) {
		/* the partial entries tile held */
		struct tile t = {.entries = true,
				 .n = first,
				 .width = (int)(r->st.size % TILE_WIDTH)};
		char path[8 + TILE_PATH_MAX], *data = NULL;
		size_t len = 0;
		tile_path(&t, path, sizeof path);
		st = tree_read(r->t, path, TILE_BYTES, &data, &len, r->e);
		if (st == ST_OK)
			st = buf_append(&old, data, len);
		free(data);
	}
	for (int64_t n = first;
	     st == ST_OK && r->cp.size > r->st.size && n < last; n++) {
		st = entry_tile(r, n, &body, &old);
		buf_reset(&old);
		if (r->o->progress && n % 16 == 0)
			fprintf(stderr,
				"\rmirror: %" PRId64 "/%" PRId64 " entries  ",
				n * TILE_WIDTH, r->cp.size);
	}
	if (r->o->progress)
		fputc('\n', stderr);
	buf_free(&body);
	buf_free(&old);
	/* the partial hash tiles at the edge */
	for (int l = 0; st == ST_OK && l <= TILE_LEVEL_MAX; l++) {
		int64_t count = tile_level_hashes(l, r->cp.size);
		if (count == 0)
			break;
		if (r->levels[l] > 0 && r->cp.size > r->st.size)
			st = hash_tile(r, l, count / TILE_WIDTH, r->levels[l]);
	}
	if (st != ST_OK)
		return st;
	uint8_t root[HASH_LEN];
	merkle_range_root(&r->range, root);
	if (r->range.size != r->cp.size ||
	    memcmp(root, r->cp.root, HASH_LEN) != 0)
		return refuse(r,
			      "the log's checkpoint of size %" PRId64
			      " is not the tree of the %" PRId64
			      " entries the mirror holds and the new ones "
			      "(a fork)",
			      r->cp.size, r->st.size);
	return ST_OK;
}

/* ---- reading the mirror's own tree (for a bundle's checkpoint) ---- */

static enum status read_hash(struct run *r, int level, int64_t n,
			     uint8_t out[HASH_LEN])
{
	int tl = level / 8, rest = level % 8;
	int64_t first = n << rest, count = (int64_t)1 << rest;
	int64_t tn = first / TILE_WIDTH;
	struct tile t = {
		.level = tl, .n = tn, .width = tile_width(tl, tn, r->cp.size)};
	char path[8 + TILE_PATH_MAX], *data = NULL;
	size_t len = 0;
	tile_path(&t, path, sizeof path);
	enum status st = tree_read(r->t, path, HASHES_BYTES, &data, &len, r->e);
	if (st != ST_OK)
		return st;
	int64_t at = first % TILE_WIDTH;
	if ((int64_t)len < (at + count) * HASH_LEN) {
		free(data);
		return err_set(r->e, ST_CORRUPT, "%s: too short", path);
	}
	uint8_t h[128][HASH_LEN];
	memcpy(h, data + at * HASH_LEN, (size_t)count * HASH_LEN);
	free(data);
	for (int64_t k = count; k > 1; k /= 2)
		for (int64_t i = 0; i < k / 2; i++)
			merkle_node_hash(h[i], h[2 * i], h[2 * i + 1]);
	memcpy(out, h[0], HASH_LEN);
	return ST_OK;
}

static enum status tree_reader(void *ctx, const int64_t *indexes, size_t count,
			       uint8_t (*out)[HASH_LEN])
{
	struct run *r = ctx;
	for (size_t i = 0; i < count; i++) {
		int level;
		int64_t n;
		merkle_split_stored_index(indexes[i], &level, &n);
		enum status st = read_hash(r, level, n, out[i]);
		if (st != ST_OK)
			return st;
	}
	return ST_OK;
}

/* ---- documents and venues ---- */

static const char *magic_mime(const uint8_t *d, size_t n)
{
	if (n >= 5 && memcmp(d, "%PDF-", 5) == 0)
		return "application/pdf";
	if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && memcmp(d, "\xff\xd8\xff", 3) == 0)
		return "image/jpeg";
	return NULL;
}

/* verify_bundle's rule 4: a document from the mirror, else from the log;
 * one fetched whose bytes hash to its name is written as d/<sha256>.<ext>
 * (named by its hash, it can be nothing else). */
static enum status fetch_doc(void *ctx, const uint8_t sha[HASH_LEN],
			     struct buf *out, struct err *e)
{
	struct run *r = ctx;
	char hex[2 * HASH_LEN + 1], path[2 * HASH_LEN + 16],
		name[2 * HASH_LEN + 8];
	static const char *const exts[] = {"pdf", "png", "jpg"};
	hex_encode(hex, sha, HASH_LEN);
	for (size_t i = 0; i < 3; i++) {
		char *data = NULL;
		size_t len = 0;
		snprintf(path, sizeof path, "d/%s.%s", hex, exts[i]);
		if (tree_read(r->t, path, DOC_LIMIT, &data, &len, NULL) !=
		    ST_OK)
			continue;
		enum status st = len > out->cap - out->len
					 ? ST_TOO_LARGE
					 : buf_append(out, data, len);
		free(data);
		return st;
	}
	size_t before = out->len;
	enum status st = url_get(r, out, "d/%s", hex);
	if (st != ST_OK) {
		if (e != r->e && e != NULL)
			snprintf(e->msg, sizeof e->msg, "%s", r->e->msg);
		return st;
	}
	uint8_t got[HASH_LEN];
	sha256(got, out->data + before, out->len - before);
	const char *mime = magic_mime(out->data + before, out->len - before);
	if (memcmp(got, sha, HASH_LEN) != 0 || mime == NULL)
		return ST_OK; /* verify_bundle says what is wrong */
	snprintf(name, sizeof name, "%s.%s", hex, ids_doc_ext(mime));
	snprintf(path, sizeof path, "d/%s", name);
	if ((st = tree_write(r->t, path, out->data + before, out->len - before,
			     true, e)) == ST_OK)
		r->res->documents++;
	char full[sizeof path];
	memcpy(full, path, sizeof full);
	snprintf(path, sizeof path, "d/%s", hex);
	return st == ST_OK ? tree_link(r->t, path, full, e) : st;
}

/* Whether the bundle's checkpoint is the mirror's tree at its size. */
static enum status same_tree(struct run *r, const struct checkpoint *bc)
{
	uint8_t root[HASH_LEN];
	if (bc->size == r->cp.size)
		return memcmp(bc->root, r->cp.root, HASH_LEN) == 0
			       ? ST_OK
			       : ST_CONFLICT;
	if (bc->size == 0)
		return ST_OK;
	enum status st = merkle_tree_hash(bc->size, tree_reader, r, root);
	if (st != ST_OK)
		return st;
	return memcmp(root, bc->root, HASH_LEN) == 0 ? ST_OK : ST_CONFLICT;
}

/* ---- the kept checkpoints posters pin ---- */

/* The log's kept checkpoint of size n, when it keeps one (*found): it
 * must be signed under the log's key, of size n, and its root the
 * mirror's own tree of n entries; it is held in r->kept, to be written. */
static enum status fetch_kept(struct run *r, int64_t n, struct buf *note,
			      bool *found)
{
	struct checkpoint c;
	*found = false;
	buf_reset(note);
	enum status st = url_get(r, note, "checkpoints/%" PRId64, n);
	if (st == ST_NOT_FOUND)
		return ST_OK;
	if (st != ST_OK)
		return st;
	*found = true;
	if (checkpoint_open((const char *)note->data, note->len, &r->key, &c,
			    r->e) != ST_OK)
		st = refuse(r,
			    "checkpoints/%" PRId64 ": does not verify under "
			    "%s: %s",
			    n, r->st.vkey, r->e->msg);
	else if (c.size != n)
		st = refuse(r,
			    "checkpoints/%" PRId64 ": a checkpoint of %" PRId64
			    " entries",
			    n, c.size);
	else if ((st = same_tree(r, &c)) == ST_CONFLICT)
		st = refuse(r,
			    "checkpoints/%" PRId64 ": not the log's tree at "
			    "that size (the mirror's tree of %" PRId64
			    " entries has another root)",
			    n, n);
	if (st == ST_BAD_SIGNATURE) {
		buf_reset(&r->bad);
		buf_append(&r->bad, note->data, note->len);
	}
	if (st != ST_OK)
		return st;
	struct kept *k = realloc(r->kept, (r->nkept + 1) * sizeof *k);
	if (k == NULL)
		return err_set(r->e, ST_NOMEM, "out of memory");
	r->kept = k;
	k = &r->kept[r->nkept];
	if ((k->note = malloc(note->len + 1)) == NULL)
		return err_set(r->e, ST_NOMEM, "out of memory");
	memcpy(k->note, note->data, note->len);
	k->len = note->len;
	k->size = n;
	r->nkept++;
	return ST_OK;
}

/* The kept checkpoints that posters of the new entries' venues pin: for
 * each new entry of a venue, the smallest kept checkpoint holding it
 * (export_poster's choice, DESIGN.md), found by asking the log for
 * checkpoints/<size> from the entry's size up (neither the server nor a
 * published tree lists them), up to the checkpoint received, which is
 * written anyway. */
static enum status pinned_checkpoints(struct run *r)
{
	struct buf note;
	enum status st = ST_OK;
	int64_t found_at = 0; /* it holds every entry below it */
	buf_init(&note, NOTE_MAX);
	const int64_t *pinned = (const int64_t *)(void *)r->pinned.data;
	size_t npinned = r->pinned.len / sizeof *pinned;
	for (size_t i = 0; st == ST_OK && i < npinned; i++) {
		bool found = pinned[i] < found_at;
		for (int64_t n = pinned[i] + 1; st == ST_OK && !found; n++) {
			if (n >= r->cp.size)
				found = true;
			else
				st = fetch_kept(r, n, &note, &found);
			found_at = n;
		}
	}
	buf_free(&note);
	return st;
}

/* An entry of the mirror's tree: its bytes into out. */
static enum status held_entry(struct run *r, int64_t index, struct buf *out)
{
	int64_t n = index / TILE_WIDTH;
	struct tile t = {
		.entries = true, .n = n, .width = tile_width(0, n, r->cp.size)};
	char path[8 + TILE_PATH_MAX], *data = NULL;
	size_t len = 0;
	tile_path(&t, path, sizeof path);
	enum status st = tree_read(r->t, path, TILE_BYTES, &data, &len, r->e);
	size_t at = 0;
	for (int64_t i = n * TILE_WIDTH; st == ST_OK && at + 2 <= len; i++) {
		size_t el =
			(size_t)(uint8_t)data[at] << 8 | (uint8_t)data[at + 1];
		at += 2;
		if (at + el > len)
			break;
		if (i == index) {
			st = buf_append(out, data + at, el);
			free(data);
			return st;
		}
		at += el;
	}
	free(data);
	return st != ST_OK
		       ? st
		       : err_set(r->e, ST_CORRUPT,
				 "entry %" PRId64 ": not in %s", index, path);
}

static enum status write_venue_files(struct run *r, const struct bundle *b,
				     const struct verify_report *rep,
				     const struct buf *json)
{
	char path[64];
	struct buf out;
	enum status st;
	const char *v = b->venue;
	enum lang first = lang_negotiate(NULL, NULL);
	const char *base = r->o->base_url != NULL ? r->o->base_url : "";
	snprintf(path, sizeof path, "v/%s/bundle.json", v);
	st = tree_write_gz(r->t, path, json->data, json->len, true, r->e);
	buf_init(&out, BUNDLE_MAX);
	snprintf(path, sizeof path, "v/%s/", v);
	if (st == ST_OK)
		st = publish_pages(r->t, path, b, base, r->o->today, &out,
				   r->e);
	struct feeds_venue fv = {v, b->origin, base, rep};
	buf_reset(&out);
	if (st == ST_OK && (st = feeds_ics(&fv, first, &out)) == ST_OK) {
		snprintf(path, sizeof path, "v/%s/due.ics", v);
		st = tree_write_gz(r->t, path, out.data, out.len, true, r->e);
	}
	buf_reset(&out);
	if (st == ST_OK && (st = feeds_atom(&fv, first, &out)) == ST_OK) {
		snprintf(path, sizeof path, "v/%s/history.atom", v);
		st = tree_write_gz(r->t, path, out.data, out.len, true, r->e);
	}
	/* the checkpoint the bundle and the venue's posters pin */
	snprintf(path, sizeof path, "checkpoints/%" PRId64,
		 rep->checkpoint.size);
	if (st == ST_OK)
		st = tree_write(r->t, path, b->checkpoint,
				strlen(b->checkpoint), true, r->e);
	buf_free(&out);
	return st;
}

static const char *first_failure(const struct verify_report *rep)
{
	for (size_t i = 0; i < rep->nchecks; i++)
		if (!rep->checks[i].ok)
			return rep->checks[i].detail;
	return "";
}

/* A venue's bundle from the log, verified, to be written. */
struct verified {
	struct buf json;
	struct bundle *b;
	struct verify_report rep;
};

static void verified_free(struct verified *x)
{
	verify_report_free(&x->rep);
	bundle_free(x->b);
	buf_free(&x->json);
	memset(x, 0, sizeof *x);
}

/* A venue with new entries: its bundle from the log, verified against the
 * mirror's tree, into *x.  *later when it is of a newer tree than the
 * mirror's (x is then empty). */
static enum status verify_venue(struct run *r, const char *v,
				struct verified *x, bool *later)
{
	struct buf held;
	struct verify_options vo = {
		.key = &r->key, .fetch = fetch_doc, .fetch_ctx = r};
	enum status st;
	*later = false;
	memset(x, 0, sizeof *x);
	snprintf(vo.today, sizeof vo.today, "%s", r->o->today);
	buf_init(&x->json, BUNDLE_MAX);
	buf_init(&held, ENTRY_MAX + 1);
	st = url_get(r, &x->json, "v/%s/bundle.json", v);
	if (st == ST_NOT_FOUND)
		st = refuse(r,
			    "venue %s: the log has entries of it but no "
			    "bundle (404)",
			    v);
	if (st == ST_OK && bundle_parse((const char *)x->json.data, x->json.len,
					&x->b, r->e) != ST_OK)
		st = refuse(r, "venue %s: its bundle does not parse: %s", v,
			    r->e->msg);
	if (st == ST_OK &&
	    (st = verify_bundle(x->b, &vo, &x->rep, r->e)) == ST_OK &&
	    !x->rep.ok)
		st = refuse(r, "venue %s: its bundle does not verify: %s", v,
			    first_failure(&x->rep));
	if (st == ST_OK && x->rep.checkpoint.size > r->cp.size) {
		*later = true;
		verified_free(x);
		buf_free(&held);
		return ST_OK;
	}
	if (st == ST_OK) {
		enum status same = same_tree(r, &x->rep.checkpoint);
		if (same == ST_CONFLICT)
			st = refuse(r,
				    "venue %s: its bundle's checkpoint of size "
				    "%" PRId64 " is not the log's tree at "
				    "that size",
				    v, x->rep.checkpoint.size);
		else
			st = same;
	}
	/* its entries are the mirror's, byte for byte */
	for (size_t i = 0; st == ST_OK && i < x->b->nentries; i++) {
		const struct bundle_item *it = &x->b->entries[i];
		buf_reset(&held);
		st = held_entry(r, it->index, &held);
		if (st == ST_OK &&
		    (held.len != it->entry_len ||
		     memcmp(held.data, it->entry, held.len) != 0))
			st = refuse(r,
				    "venue %s: entry %" PRId64 " of its bundle "
				    "is not the log's",
				    v, it->index);
	}
	buf_free(&held);
	if (st != ST_OK)
		verified_free(x);
	return st;
}

/* The venues with new entries.  A mirror that held a tree before writes
 * none until all verified, so that a log refused changes none of them. */
static enum status venues(struct run *r, char **later, size_t *nlater)
{
	bool hold = r->st.size > 0;
	struct verified *xs = calloc(r->venues.n + 1, sizeof *xs);
	size_t n = 0;
	enum status st =
		xs == NULL ? err_set(r->e, ST_NOMEM, "out of memory") : ST_OK;
	for (size_t i = 0; st == ST_OK && i < r->venues.n; i++) {
		bool defer = false;
		st = verify_venue(r, r->venues.v[i], &xs[n], &defer);
		if (st != ST_OK || defer) {
			if (defer)
				later[(*nlater)++] = r->venues.v[i];
			continue;
		}
		if (hold) {
			n++;
			continue;
		}
		st = write_venue_files(r, xs[n].b, &xs[n].rep, &xs[n].json);
		verified_free(&xs[n]);
		r->res->venues++;
	}
	for (size_t i = 0; i < n; i++) {
		if (st == ST_OK) {
			st = write_venue_files(r, xs[i].b, &xs[i].rep,
					       &xs[i].json);
			r->res->venues++;
		}
		verified_free(&xs[i]);
	}
	free(xs);
	return st;
}

/* ---- the run ---- */

static enum status fetch_checkpoint(struct run *r)
{
	enum status st = url_get(r, &r->note, "checkpoint");
	if (st != ST_OK)
		return st;
	if (checkpoint_open((const char *)r->note.data, r->note.len, &r->key,
			    &r->cp, r->e) != ST_OK)
		return refuse(r,
			      "the log's checkpoint does not verify under "
			      "%s: %s",
			      r->st.vkey, r->e->msg);
	return ST_OK;
}

static bool same_file(struct run *r, const char *path, const struct buf *b)
{
	char *now = NULL;
	size_t len = 0;
	bool same =
		tree_read(r->t, path, NOTE_MAX, &now, &len, NULL) == ST_OK &&
		len == b->len && memcmp(now, b->data, len) == 0;
	free(now);
	return same;
}

static enum status run_once(struct run *r)
{
	enum status st = read_state(r);
	if (st != ST_OK)
		return st;
	if (r->o->vkey != NULL && r->st.vkey[0] != 0 &&
	    strcmp(r->o->vkey, r->st.vkey) != 0)
		return err_set(r->e, ST_INVALID,
			       "the folder mirrors the log of key %s, not %s",
			       r->st.vkey, r->o->vkey);
	if (r->st.vkey[0] == 0) {
		if (r->o->vkey == NULL)
			return err_set(r->e, ST_INVALID,
				       "a new mirror needs the log's key: "
				       "--vkey (sanilog key, on the log's "
				       "server)");
		snprintf(r->st.vkey, sizeof r->st.vkey, "%s", r->o->vkey);
	}
	if (note_verifier_parse(r->st.vkey, strlen(r->st.vkey), &r->key,
				r->e) != ST_OK) {
		err_prefix(r->e, "--vkey");
		return ST_INVALID;
	}
	if ((st = fetch_checkpoint(r)) != ST_OK)
		return st;
	snprintf(r->res->origin, sizeof r->res->origin, "%s", r->cp.origin);
	r->res->from = r->st.size;
	r->res->size = r->cp.size;
	if (r->st.origin[0] != 0 && strcmp(r->st.origin, r->cp.origin) != 0)
		return refuse(r, "the log's origin is now %s, not %s",
			      r->cp.origin, r->st.origin);
	if (r->cp.size < r->st.size)
		return refuse(r,
			      "the log's checkpoint has %" PRId64
			      " entries, fewer than the %" PRId64
			      " mirrored (a rollback)",
			      r->cp.size, r->st.size);
	if (!r->st.pins && (st = held_pins(r)) != ST_OK)
		return st;
	if ((st = load_levels(r)) != ST_OK || (st = extend(r)) != ST_OK ||
	    (st = pinned_checkpoints(r)) != ST_OK)
		return st;
	for (size_t i = 0; st == ST_OK && i < r->st.npending; i++)
		st = ids_add(&r->venues, r->st.pending[i], r->e);
	ids_sort(&r->venues);
	/* the venues, then the checkpoint */
	char **later = calloc(r->venues.n + 1, sizeof *later);
	size_t nlater = 0;
	if (later == NULL)
		return err_set(r->e, ST_NOMEM, "out of memory");
	if (st == ST_OK)
		st = venues(r, later, &nlater);
	r->res->deferred = (int64_t)nlater;
	char path[40];
	for (size_t i = 0; st == ST_OK && i < r->nkept; i++) {
		snprintf(path, sizeof path, "checkpoints/%" PRId64,
			 r->kept[i].size);
		st = tree_write(r->t, path, r->kept[i].note, r->kept[i].len,
				true, r->e);
		r->res->checkpoints++;
	}
	snprintf(path, sizeof path, "checkpoints/%" PRId64, r->cp.size);
	if (st == ST_OK)
		st = tree_write(r->t, path, r->note.data, r->note.len, true,
				r->e);
	if (st == ST_OK)
		st = publish_site(r->t, r->e);
	if (st == ST_OK)
		st = tree_sync(r->t, r->e);
	if (st == ST_OK && !same_file(r, "checkpoint", &r->note))
		st = tree_write_synced(r->t, "checkpoint", r->note.data,
				       r->note.len, r->e);
	if (st == ST_OK)
		st = write_state(r, later, nlater);
	free(later);
	return st;
}

enum status mirror_run(const char *dir, const struct mirror_options *o,
		       struct mirror_result *res, struct err *e)
{
	struct run r = {.o = o, .res = res, .e = e};
	struct fetch_options fo = {.progress = o->progress};
	memset(res, 0, sizeof *res);
	enum status st = tree_open(dir, &r.t, e);
	if (st != ST_OK)
		return st;
	buf_init(&r.note, NOTE_MAX);
	buf_init(&r.bad, NOTE_MAX);
	buf_init(&r.pinned, SIZE_MAX / 2);
	r.level = calloc(TILE_LEVEL_MAX + 1, sizeof *r.level);
	r.en = malloc(sizeof *r.en);
	if (r.level == NULL || r.en == NULL)
		st = err_set(e, ST_NOMEM, "out of memory");
	if (st == ST_OK)
		st = fetch_new(&fo, &r.f, e);
	if (st == ST_OK)
		st = run_once(&r);
	if (st == ST_BAD_SIGNATURE)
		keep_evidence(&r);
	res->files = *tree_counts(r.t);
	ids_free(&r.venues);
	for (size_t i = 0; i < r.nkept; i++)
		free(r.kept[i].note);
	free(r.kept);
	buf_free(&r.pinned);
	buf_free(&r.bad);
	state_free(&r.st);
	fetch_free(r.f);
	free(r.level);
	free(r.en);
	buf_free(&r.note);
	tree_close(r.t);
	return st;
}

enum status mirror_holds(const char *dir, const char *origin, int64_t size,
			 const uint8_t root[HASH_LEN], int64_t *held,
			 struct err *e)
{
	struct run r = {.e = e};
	struct mirror_result res;
	uint8_t got[HASH_LEN];
	r.res = &res;
	*held = 0;
	enum status st = tree_open(dir, &r.t, e);
	if (st != ST_OK)
		return st;
	if ((st = read_state(&r)) == ST_OK) {
		*held = r.st.size;
		r.cp.size = r.st.size; /* the tiles are of this tree */
		if (strcmp(r.st.origin, origin) != 0)
			st = err_set(e, ST_UNSUPPORTED,
				     "the mirror keeps another log (%s)",
				     r.st.origin);
		else if (size > r.st.size)
			st = err_set(e, ST_NOT_FOUND,
				     "the mirror holds %" PRId64
				     " entries of %s",
				     r.st.size, r.st.origin);
		else if (size == r.st.size)
			merkle_range_root(&r.st.range, got);
		else if (size == 0)
			merkle_empty_root(got);
		else
			st = merkle_tree_hash(size, tree_reader, &r, got);
	}
	if (st == ST_OK && memcmp(got, root, HASH_LEN) != 0)
		st = err_set(e, ST_CONFLICT,
			     "the mirror holds another tree of %" PRId64
			     " entries",
			     size);
	state_free(&r.st);
	tree_close(r.t);
	return st;
}

enum status mirror_origin(const char *dir, char *origin, struct err *e)
{
	struct run r = {.e = e};
	struct stat sb;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, MIRROR_STATE);
	if (stat(path, &sb) != 0)
		return err_set(e, ST_NOT_FOUND,
			       "not a mirror yet (no %s): run sanilog mirror "
			       "URL %s first",
			       MIRROR_STATE, dir);
	enum status st = tree_open(dir, &r.t, e);
	if (st == ST_OK && (st = read_state(&r)) == ST_OK)
		snprintf(origin, NOTE_NAME_MAX + 1, "%s", r.st.origin);
	state_free(&r.st);
	tree_close(r.t);
	return st;
}
