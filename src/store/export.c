/*
 * export.c: assembles a venue bundle from the store, with inclusion proofs
 * against a kept checkpoint; and reads what a venue's poster is made from.
 */
#include "export.h"

#include <stdlib.h>
#include <string.h>

#include "core/attest.h"
#include "core/entry.h"
#include "core/merkle.h"
#include "core/note.h"

enum status export_note_text_len(const char *note, size_t len, size_t *text_len)
{
	/* The signatures follow the last blank line. */
	for (size_t i = len; i >= 2; i--) {
		if (note[i - 1] == '\n' && note[i - 2] == '\n') {
			*text_len = i - 1;
			return ST_OK;
		}
	}
	return ST_CORRUPT;
}

/* Parses the note of a kept checkpoint into cp: ST_CORRUPT, with e
 * prefixed by what, when it is not a checkpoint. */
static enum status parse_kept(const struct buf *note, struct checkpoint *cp,
			      const char *what, struct err *e)
{
	size_t tlen = 0;
	if (export_note_text_len(buf_str(note), note->len, &tlen) != ST_OK ||
	    checkpoint_parse(buf_str(note), tlen, cp, e) != ST_OK) {
		err_prefix(e, "%s", what);
		return ST_CORRUPT;
	}
	return ST_OK;
}

/* Adds entry index to the bundle with its proof against size. */
static enum status add_item(struct store *s, struct bundle *b,
			    enum bundle_list list, int64_t index, int64_t size,
			    struct buf *text, struct err *e)
{
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t plen = 0;
	struct store_reader rd = {s, e};
	enum status r;
	buf_reset(text);
	if ((r = store_entry(s, index, text, e)) != ST_OK ||
	    (r = merkle_prove_inclusion(index, size, store_merkle_reader, &rd,
					proof, &plen)) != ST_OK) {
		err_prefix(e, "entry %lld", (long long)index);
		return r;
	}
	r = bundle_add(b, list, index, buf_str(text), text->len,
		       (const uint8_t(*)[HASH_LEN])proof, plen);
	if (r != ST_OK)
		return err_set(e, r, "out of memory");
	return ST_OK;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts v[0..*n) and drops repeats (freeing them with free_one, if any). */
static void sort_unique(void *v, size_t *n, size_t size,
			int (*cmp)(const void *, const void *),
			void (*free_one)(void *))
{
	char *p = v;
	size_t k = 0;
	qsort(v, *n, size, cmp);
	for (size_t i = 0; i < *n; i++) {
		if (k > 0 && cmp(p + (k - 1) * size, p + i * size) == 0) {
			if (free_one != NULL)
				free_one(p + i * size);
			continue;
		}
		if (k != i)
			memcpy(p + k * size, p + i * size, size);
		k++;
	}
	*n = k;
}

static void free_str(void *p)
{
	free(*(char **)p);
}

/*
 * Collects the provider entries the venue's attestations depend on: for
 * each attested document the key in force for its provider, and every
 * revocation of those providers' keys (below size) with the key each
 * ended, so that a verifier sees them.  *out is new: the log indexes,
 * sorted, each once.
 */
static enum status provider_deps(struct store *s, struct bundle *b,
				 int64_t size, int64_t **out, size_t *count,
				 struct err *e)
{
	int64_t *all = NULL, *deps = NULL;
	char **names = NULL; /* of the attested documents' providers */
	size_t nall = 0, n = 0, nnames = 0;
	struct buf text;
	struct entry *en = malloc(sizeof *en);
	enum status r = ST_OK;
	buf_init(&text, ENTRY_MAX);
	*out = NULL;
	*count = 0;
	if (en == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	if ((r = store_provider_indexes(s, &all, &nall, e)) != ST_OK)
		goto done;
	/* At most a key per document, every provider entry, and a key per
	 * revocation. */
	deps = calloc(b->nentries + 2 * nall + 1, sizeof *deps);
	names = calloc(b->nentries + 1, sizeof *names);
	if (deps == NULL || names == NULL) {
		r = err_set(e, ST_NOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < b->nentries; i++) {
		struct bundle_item *it = &b->entries[i];
		if (entry_parse(it->entry, it->entry_len, en, NULL) != ST_OK ||
		    en->kind != ENTRY_DOCUMENT || en->attestation[0] == 0)
			continue;
		int64_t kidx = 0;
		if (store_provider_key(s, en->provider, it->index, &kidx,
				       NULL) == ST_OK)
			deps[n++] = kidx;
		if ((names[nnames] = strdup(en->provider)) == NULL) {
			r = err_set(e, ST_NOMEM, "out of memory");
			goto done;
		}
		nnames++;
	}
	sort_unique(names, &nnames, sizeof *names, cmp_str, free_str);
	for (size_t i = 0; i < nall && nnames > 0; i++) {
		if (all[i] >= size)
			break;
		buf_reset(&text);
		if ((r = store_entry(s, all[i], &text, e)) != ST_OK)
			goto done;
		const char *name = en->name;
		int64_t kidx = 0;
		if (entry_parse(buf_str(&text), text.len, en, NULL) != ST_OK ||
		    en->kind != ENTRY_PROVIDER_REVOKE ||
		    !bsearch(&name, names, nnames, sizeof *names, cmp_str))
			continue;
		deps[n++] = all[i];
		/* and the key it ended, which rule 5 looks for */
		if (store_provider_key(s, en->name, all[i], &kidx, NULL) ==
		    ST_OK)
			deps[n++] = kidx;
	}
	sort_unique(deps, &n, sizeof *deps, cmp_i64, NULL);
	*out = deps;
	*count = n;
	deps = NULL;
done:
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(deps);
	free(all);
	free(en);
	buf_free(&text);
	return r;
}

enum status export_bundle(struct store *s, const char *venue, int64_t size,
			  struct bundle **out, struct err *e)
{
	struct buf note, text;
	struct bundle *b = NULL;
	int64_t *idx = NULL, *deps = NULL, *pol = NULL;
	size_t nidx = 0, ndeps = 0, npol = 0;
	char origin[NOTE_NAME_MAX + 1], vkey[NOTE_VKEY_MAX + 1];
	struct checkpoint cp;
	enum status r;
	buf_init(&note, 1 << 16);
	buf_init(&text, ENTRY_MAX);
	*out = NULL;

	if ((r = store_meta_get(s, "origin", origin, sizeof origin, e)) !=
		    ST_OK ||
	    (r = store_meta_get(s, "vkey", vkey, sizeof vkey, e)) != ST_OK ||
	    (r = store_checkpoint_served(s, size, &note, NULL, e)) != ST_OK)
		goto done;
	if ((r = parse_kept(&note, &cp, "stored checkpoint", e)) != ST_OK)
		goto done;
	if ((r = store_venue_indexes(s, venue, &idx, &nidx, e)) != ST_OK)
		goto done;
	while (nidx > 0 && idx[nidx - 1] >= cp.size)
		nidx--;
	if (nidx == 0) {
		r = err_set(e, ST_NOT_FOUND, "venue %s: not found", venue);
		goto done;
	}
	if ((r = bundle_new(origin, vkey, buf_str(&note), venue, &b)) !=
	    ST_OK) {
		err_set(e, r, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < nidx; i++)
		if ((r = add_item(s, b, BUNDLE_ENTRIES, idx[i], cp.size, &text,
				  e)) != ST_OK)
			goto done;
	if ((r = provider_deps(s, b, cp.size, &deps, &ndeps, e)) != ST_OK)
		goto done;
	for (size_t i = 0; i < ndeps; i++)
		if ((r = add_item(s, b, BUNDLE_PROVIDERS, deps[i], cp.size,
				  &text, e)) != ST_OK)
			goto done;
	/* Every witness-policy entry the checkpoint includes (rule 10). */
	if ((r = store_policy_indexes(s, &pol, &npol, e)) != ST_OK)
		goto done;
	for (size_t i = 0; i < npol && pol[i] < cp.size; i++)
		if ((r = add_item(s, b, BUNDLE_POLICY, pol[i], cp.size, &text,
				  e)) != ST_OK)
			goto done;
	*out = b;
	b = NULL;
done:
	bundle_free(b);
	free(idx);
	free(deps);
	free(pol);
	buf_free(&note);
	buf_free(&text);
	return r;
}

/* ---- what a poster is made from ---- */

/* The base URL checked and without trailing slashes into out. */
static enum status take_base(const char *s, char *out, size_t outsize,
			     struct err *e)
{
	size_t n = strlen(s);
	if (n > EXPORT_BASE_URL_MAX || n >= outsize ||
	    (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0))
		return err_set(e, ST_INVALID,
			       "base URL %.64s: not an http(s) URL of at most "
			       "%d bytes",
			       s, EXPORT_BASE_URL_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] >= 0x7f || s[i] == '#' || s[i] == '?')
			return err_set(e, ST_INVALID,
				       "base URL: a space, control, non-ASCII, "
				       "'#' or '?' character");
	memcpy(out, s, n + 1);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = 0;
	return ST_OK;
}

/* The name and address of the venue's newest venue entry below size. */
static enum status venue_name(struct store *s, const char *venue, int64_t size,
			      struct export_poster *out, struct err *e)
{
	int64_t *idx = NULL;
	size_t count = 0;
	struct entry *en = malloc(sizeof *en);
	struct buf text;
	enum status r;
	buf_init(&text, ENTRY_MAX + 1);
	if (en == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	if ((r = store_venue_indexes(s, venue, &idx, &count, e)) != ST_OK) {
		err_prefix(e, "venue %s", venue);
		goto done;
	}
	r = err_set(e, ST_NOT_FOUND, "venue %s: not found in the log", venue);
	for (size_t i = count; i-- > 0;) {
		if (idx[i] >= size)
			continue;
		buf_reset(&text);
		if ((r = store_entry(s, idx[i], &text, e)) != ST_OK) {
			err_prefix(e, "entry %lld", (long long)idx[i]);
			break;
		}
		if ((r = entry_parse(buf_str(&text), text.len, en, e)) !=
		    ST_OK) {
			err_prefix(e, "entry %lld", (long long)idx[i]);
			r = ST_CORRUPT;
			break;
		}
		if (en->kind != ENTRY_VENUE)
			continue;
		if (strlen(en->name) >= sizeof out->name ||
		    strlen(en->address) >= sizeof out->address) {
			r = err_set(e, ST_TOO_LARGE, "venue name: too long");
			break;
		}
		memcpy(out->name, en->name, strlen(en->name) + 1);
		memcpy(out->address, en->address, strlen(en->address) + 1);
		r = ST_OK;
		break;
	}
done:
	free(idx);
	free(en);
	buf_free(&text);
	return r;
}

/* The size of the checkpoint a poster of venue pins: the smallest kept
 * one holding the venue's newest entry in the newest served checkpoint. */
static enum status poster_size(struct store *s, const char *venue,
			       int64_t *size, struct err *e)
{
	int64_t *idx = NULL, served = 0, newest = -1;
	size_t count = 0;
	struct buf note;
	buf_init(&note, 64 << 10);
	enum status r = store_checkpoint_served(s, -1, &note, &served, e);
	buf_free(&note);
	if (r != ST_OK) {
		err_prefix(e, "checkpoint");
		return r;
	}
	if ((r = store_venue_indexes(s, venue, &idx, &count, e)) != ST_OK) {
		err_prefix(e, "venue %s", venue);
		return r;
	}
	for (size_t i = count; i-- > 0 && newest < 0;)
		if (idx[i] < served)
			newest = idx[i];
	free(idx);
	if (newest < 0)
		return err_set(e, ST_NOT_FOUND,
			       "venue %s: not found in the log", venue);
	if ((r = store_checkpoint_from(s, newest + 1, size, e)) != ST_OK)
		err_prefix(e, "checkpoint");
	return r;
}

enum status export_poster(struct store *s, const char *venue,
			  const char *base_url, struct export_poster *out,
			  struct err *e)
{
	int64_t size = 0;
	enum status r;
	memset(out, 0, sizeof *out);
	if (!entry_venue_id_valid(venue))
		return err_set(e, ST_NOT_FOUND, "venue %.16s: not a venue id",
			       venue);
	if ((r = poster_size(s, venue, &size, e)) != ST_OK)
		return r;
	return export_poster_at(s, venue, base_url, size, out, e);
}

enum status export_poster_at(struct store *s, const char *venue,
			     const char *base_url, int64_t at,
			     struct export_poster *out, struct err *e)
{
	char base[EXPORT_BASE_URL_MAX + 1];
	struct buf note;
	struct checkpoint cp;
	enum status r;

	memset(out, 0, sizeof *out);
	if (!entry_venue_id_valid(venue))
		return err_set(e, ST_NOT_FOUND, "venue %.16s: not a venue id",
			       venue);
	memcpy(out->venue, venue, VENUE_ID_LEN + 1);
	if (base_url == NULL) {
		r = store_meta_get(s, "base_url", base, sizeof base, e);
		if (r == ST_NOT_FOUND)
			return err_set(e, ST_INVALID,
				       "no base URL: pass --base-url "
				       "https://your.host (or set it with "
				       "init or serve --base-url)");
		if (r != ST_OK) {
			err_prefix(e, "base_url");
			return r;
		}
		base_url = base;
	}
	if ((r = take_base(base_url, out->base_url, sizeof out->base_url, e)) !=
	    ST_OK)
		return r;
	if ((r = store_meta_get(s, "vkey", out->vkey, sizeof out->vkey, e)) !=
	    ST_OK) {
		err_prefix(e, "vkey");
		return r == ST_NOT_FOUND ? ST_CORRUPT : r;
	}

	buf_init(&note, 64 << 10);
	int64_t size = 0;
	if ((r = store_checkpoint_served(s, at, &note, &size, e)) != ST_OK) {
		err_prefix(e, "checkpoint");
		goto done;
	}
	if ((r = parse_kept(&note, &cp, "the newest checkpoint", e)) != ST_OK)
		goto done;
	if (cp.size != size) {
		r = err_set(e, ST_CORRUPT,
			    "the checkpoint kept as size %lld says %lld",
			    (long long)size, (long long)cp.size);
		goto done;
	}
	if ((r = venue_name(s, venue, cp.size, out, e)) != ST_OK)
		goto done;
	out->size = cp.size;
	memcpy(out->root, cp.root, HASH_LEN);
done:
	buf_free(&note);
	return r;
}

/* ---- tiles ---- */

struct tile_ctx {
	struct buf *out;
	enum status r;
};

static enum status add_tile_entry(void *ctx, int64_t index, const char *text,
				  size_t len,
				  const struct store_entry_cols *cols)
{
	(void)index;
	(void)cols;
	struct tile_ctx *b = ctx;
	uint8_t pre[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	if (len > 0xffff)
		return b->r = ST_CORRUPT;
	if ((b->r = buf_append(b->out, pre, 2)) != ST_OK ||
	    (b->r = buf_append(b->out, text, len)) != ST_OK)
		return b->r;
	return ST_OK;
}

enum status export_tile(struct store *s, const struct tile *t, int64_t size,
			struct buf *out, struct err *e)
{
	/* There when the log has every hash (or entry) of it, whether or
	 * not a wider one exists. */
	if (t->width > tile_width(t->level, t->n, size))
		return err_set(e, ST_NOT_FOUND,
			       "no such tile in a log of %lld entries",
			       (long long)size);
	int64_t first = t->n * TILE_WIDTH;
	if (t->entries) {
		struct tile_ctx b = {.out = out, .r = ST_OK};
		enum status r = store_scan_entries(s, first, first + t->width,
						   add_tile_entry, &b, e);
		return r != ST_OK ? r : b.r;
	}
	int64_t ids[TILE_WIDTH];
	uint8_t *h = buf_reserve(out, (size_t)t->width * HASH_LEN);
	if (h == NULL)
		return err_set(e, ST_NOMEM, "tile: out of memory");
	for (int i = 0; i < t->width; i++)
		ids[i] = merkle_stored_index(8 * t->level, first + i);
	enum status r = store_read_hashes(s, ids, (size_t)t->width,
					  (uint8_t(*)[HASH_LEN])h, e);
	if (r == ST_OK) {
		out->len += (size_t)t->width * HASH_LEN;
		out->data[out->len] = 0;
	}
	return r;
}
