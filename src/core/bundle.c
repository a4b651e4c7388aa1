/*
 * bundle.c: the venue bundle as JSON (jansson), written and read strictly.
 */
#include "bundle.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "entry.h"

enum status bundle_new(const char *origin, const char *vkey,
		       const char *checkpoint, const char *venue,
		       struct bundle **out)
{
	struct bundle *b = calloc(1, sizeof *b);
	if (b == NULL)
		return ST_NOMEM;
	b->origin = strdup(origin);
	b->vkey = strdup(vkey);
	b->checkpoint = strdup(checkpoint);
	if (b->origin == NULL || b->vkey == NULL || b->checkpoint == NULL ||
	    strlen(venue) >= sizeof b->venue) {
		bundle_free(b);
		return ST_NOMEM;
	}
	memcpy(b->venue, venue, strlen(venue) + 1);
	*out = b;
	return ST_OK;
}

enum status bundle_add(struct bundle *b, enum bundle_list list, int64_t index,
		       const char *entry, size_t len,
		       const uint8_t (*proof)[HASH_LEN], size_t proof_len)
{
	struct bundle_item **arr = list == BUNDLE_POLICY      ? &b->policy
				   : list == BUNDLE_PROVIDERS ? &b->providers
							      : &b->entries;
	size_t *n = list == BUNDLE_POLICY      ? &b->npolicy
		    : list == BUNDLE_PROVIDERS ? &b->nproviders
					       : &b->nentries;
	if (proof_len > MERKLE_MAX_PROOF)
		return ST_INVALID;
	/* Grow by doubling: capacity is the next power of two >= n. */
	if ((*n & (*n - 1)) == 0) {
		size_t na = *n ? *n * 2 : 1;
		struct bundle_item *p = realloc(*arr, na * sizeof *p);
		if (p == NULL)
			return ST_NOMEM;
		*arr = p;
	}
	struct bundle_item *it = &(*arr)[*n];
	memset(it, 0, sizeof *it);
	it->index = index;
	it->entry = malloc(len + 1);
	if (proof_len > 0)
		it->proof = malloc(proof_len * sizeof *it->proof);
	if (it->entry == NULL || (proof_len > 0 && it->proof == NULL)) {
		free(it->entry);
		free(it->proof);
		return ST_NOMEM;
	}
	memcpy(it->entry, entry, len);
	it->entry[len] = 0;
	it->entry_len = len;
	if (proof_len > 0)
		memcpy(it->proof, proof, proof_len * sizeof *it->proof);
	it->proof_len = proof_len;
	(*n)++;
	return ST_OK;
}

void bundle_free(struct bundle *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nentries; i++) {
		free(b->entries[i].entry);
		free(b->entries[i].proof);
	}
	for (size_t i = 0; i < b->nproviders; i++) {
		free(b->providers[i].entry);
		free(b->providers[i].proof);
	}
	for (size_t i = 0; i < b->npolicy; i++) {
		free(b->policy[i].entry);
		free(b->policy[i].proof);
	}
	free(b->entries);
	free(b->providers);
	free(b->policy);
	free(b->origin);
	free(b->vkey);
	free(b->checkpoint);
	free(b);
}

static json_t *items_json(const struct bundle_item *items, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr != NULL && i < n; i++) {
		json_t *proof = json_array();
		for (size_t k = 0; proof != NULL && k < items[i].proof_len;
		     k++) {
			char b64[64];
			b64_encode(b64, sizeof b64, items[i].proof[k], HASH_LEN,
				   B64_STD);
			json_array_append_new(proof, json_string(b64));
		}
		json_t *o = json_pack("{s:I, s:s%, s:o}", "index",
				      (json_int_t)items[i].index, "entry",
				      items[i].entry, items[i].entry_len,
				      "proof", proof);
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

enum status bundle_format(const struct bundle *b, struct buf *out)
{
	json_t *ents = items_json(b->entries, b->nentries);
	json_t *provs = items_json(b->providers, b->nproviders);
	json_t *pol = items_json(b->policy, b->npolicy);
	json_t *root = NULL;
	if (ents != NULL && provs != NULL && pol != NULL)
		root = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
				 "origin", b->origin, "vkey", b->vkey,
				 "checkpoint", b->checkpoint, "venue", b->venue,
				 "entries", ents, "providers", provs, "policy",
				 pol);
	else {
		json_decref(ents);
		json_decref(provs);
		json_decref(pol);
	}
	if (root == NULL)
		return ST_NOMEM;
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		return ST_NOMEM;
	enum status r = buf_append_str(out, text);
	if (r == ST_OK)
		r = buf_append(out, "\n", 1);
	free(text);
	return r;
}

/* A string member of exactly type string; NULL otherwise. */
static const char *member_str(json_t *o, const char *key, size_t *len)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		return NULL;
	if (len != NULL)
		*len = json_string_length(v);
	return json_string_value(v);
}

static enum status parse_items(struct bundle *b, enum bundle_list list,
			       json_t *arr, const char *what, struct err *e)
{
	if (!json_is_array(arr))
		return err_set(e, ST_INVALID, "%s: not an array", what);
	int64_t last = -1;
	size_t i;
	json_t *it;
	json_array_foreach(arr, i, it)
	{
		if (!json_is_object(it) || json_object_size(it) != 3)
			return err_set(e, ST_INVALID,
				       "%s[%zu]: needs exactly index, entry, "
				       "proof",
				       what, i);
		json_t *jidx = json_object_get(it, "index");
		json_t *jproof = json_object_get(it, "proof");
		size_t len = 0;
		const char *text = member_str(it, "entry", &len);
		if (!json_is_integer(jidx) || json_integer_value(jidx) < 0)
			return err_set(e, ST_INVALID,
				       "%s[%zu].index: not a non-negative "
				       "integer",
				       what, i);
		int64_t index = (int64_t)json_integer_value(jidx);
		if (index <= last)
			return err_set(e, ST_INVALID,
				       "%s[%zu]: not sorted by index", what, i);
		last = index;
		if (text == NULL || len > ENTRY_MAX || strlen(text) != len)
			return err_set(e, ST_INVALID,
				       "%s[%zu].entry: not an entry string",
				       what, i);
		if (!json_is_array(jproof) ||
		    json_array_size(jproof) > MERKLE_MAX_PROOF)
			return err_set(e, ST_INVALID,
				       "%s[%zu].proof: not an array of at most "
				       "%d hashes",
				       what, i, MERKLE_MAX_PROOF);
		uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
		size_t k;
		json_t *h;
		json_array_foreach(jproof, k, h)
		{
			size_t got = 0;
			if (!json_is_string(h) ||
			    b64_decode(proof[k], HASH_LEN, &got,
				       json_string_value(h),
				       json_string_length(h),
				       B64_STD) != ST_OK ||
			    got != HASH_LEN)
				return err_set(e, ST_INVALID,
					       "%s[%zu].proof[%zu]: not a "
					       "base64 SHA-256 hash",
					       what, i, k);
		}
		enum status r = bundle_add(b, list, index, text, len,
					   (const uint8_t(*)[HASH_LEN])proof,
					   json_array_size(jproof));
		if (r != ST_OK)
			return err_set(e, r, "%s: out of memory", what);
	}
	return ST_OK;
}

enum status bundle_parse(const char *json, size_t len, struct bundle **out,
			 struct err *e)
{
	static const char *const keys[] = {"origin", "vkey",	"checkpoint",
					   "venue",  "entries", "providers",
					   "policy"};
	json_error_t jerr;
	struct bundle *b = NULL;
	enum status r;
	*out = NULL;
	if (len > BUNDLE_MAX)
		return err_set(e, ST_TOO_LARGE, "bundle: over %u bytes",
			       BUNDLE_MAX);
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return err_set(e, ST_UNSUPPORTED,
			       "not a bundle: not JSON (line %d: %s)",
			       jerr.line, jerr.text);
	if (!json_is_object(root)) {
		r = err_set(e, ST_UNSUPPORTED,
			    "not a bundle: not a JSON object");
		goto done;
	}
	/* JSON with none of a bundle's own keys is some other file. */
	if (json_object_get(root, "origin") == NULL &&
	    json_object_get(root, "vkey") == NULL &&
	    json_object_get(root, "checkpoint") == NULL &&
	    json_object_get(root, "venue") == NULL) {
		r = err_set(e, ST_UNSUPPORTED,
			    "not a bundle: no origin, vkey, checkpoint or "
			    "venue");
		goto done;
	}
	const char *k;
	json_t *v;
	json_object_foreach(root, k, v)
	{
		bool known = false;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			known = known || strcmp(k, keys[i]) == 0;
		if (!known) {
			r = err_set(e, ST_INVALID,
				    "bundle: unknown key \"%.64s\"", k);
			goto done;
		}
	}
	const char *origin = member_str(root, "origin", NULL);
	const char *vkey = member_str(root, "vkey", NULL);
	const char *cp = member_str(root, "checkpoint", NULL);
	const char *venue = member_str(root, "venue", NULL);
	if (origin == NULL || vkey == NULL || cp == NULL || venue == NULL) {
		r = err_set(
			e, ST_INVALID,
			"bundle: origin, vkey, checkpoint and venue must be "
			"strings");
		goto done;
	}
	if (!entry_venue_id_valid(venue)) {
		r = err_set(e, ST_INVALID, "bundle: venue: not a venue id");
		goto done;
	}
	if ((r = bundle_new(origin, vkey, cp, venue, &b)) != ST_OK) {
		err_set(e, r, "bundle: out of memory");
		goto done;
	}
	if ((r = parse_items(b, BUNDLE_ENTRIES,
			     json_object_get(root, "entries"), "entries", e)) !=
		    ST_OK ||
	    (r = parse_items(b, BUNDLE_PROVIDERS,
			     json_object_get(root, "providers"), "providers",
			     e)) != ST_OK ||
	    (r = parse_items(b, BUNDLE_POLICY, json_object_get(root, "policy"),
			     "policy", e)) != ST_OK)
		goto done;
	*out = b;
	b = NULL;
	r = ST_OK;
done:
	bundle_free(b);
	json_decref(root);
	return r;
}
