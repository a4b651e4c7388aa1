/*
 * keyset.c: open addressing with linear probing in a table of a power of
 * two slots, at most half full.  A slot holds its key plus one, so that 0
 * marks an empty slot; the key UINT64_MAX, which has no such form, is
 * kept in a flag of its own.
 */
#include "keyset.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MIN_SLOTS 1024

struct keyset {
	uint64_t *slot;
	size_t mask; /* slots - 1 */
	size_t max_bytes;
	size_t count;
	bool has_max; /* UINT64_MAX is in the set */
	uint8_t sipkey[crypto_shorthash_KEYBYTES];
};

static size_t place(const struct keyset *k, uint64_t key)
{
	uint8_t in[8], out[crypto_shorthash_BYTES];
	uint64_t h;
	memcpy(in, &key, sizeof in);
	crypto_shorthash(out, in, sizeof in, k->sipkey);
	memcpy(&h, out, sizeof h);
	return (size_t)h & k->mask;
}

struct keyset *keyset_new(size_t max_bytes)
{
	struct keyset *k = calloc(1, sizeof *k);
	if (k == NULL)
		return NULL;
	k->max_bytes = max_bytes;
	if ((k->slot = calloc(MIN_SLOTS, sizeof *k->slot)) == NULL) {
		free(k);
		return NULL;
	}
	k->mask = MIN_SLOTS - 1;
	crypto_shorthash_keygen(k->sipkey);
	return k;
}

void keyset_free(struct keyset *k)
{
	if (k == NULL)
		return;
	free(k->slot);
	free(k);
}

/* Puts stored (a key plus one) into a slot; the table has room. */
static void put(struct keyset *k, uint64_t stored)
{
	size_t i = place(k, stored - 1);
	while (k->slot[i] != 0) {
		if (k->slot[i] == stored)
			return;
		i = (i + 1) & k->mask;
	}
	k->slot[i] = stored;
	k->count++;
}

static enum status grow(struct keyset *k)
{
	if (k->mask + 1 > SIZE_MAX / 2 / sizeof *k->slot)
		return ST_NOMEM;
	size_t slots = (k->mask + 1) * 2;
	if (slots * sizeof *k->slot > k->max_bytes)
		return ST_TOO_LARGE;
	uint64_t *old = k->slot, *fresh = calloc(slots, sizeof *fresh);
	if (fresh == NULL)
		return ST_NOMEM;
	size_t old_slots = k->mask + 1;
	k->slot = fresh;
	k->mask = slots - 1;
	k->count = 0;
	for (size_t i = 0; i < old_slots; i++)
		if (old[i] != 0)
			put(k, old[i]);
	free(old);
	return ST_OK;
}

enum status keyset_add(struct keyset *k, uint64_t key)
{
	if (key == UINT64_MAX) {
		k->has_max = true;
		return ST_OK;
	}
	if ((k->count + 1) * 2 > k->mask + 1) {
		if (keyset_has(k, key)) /* nothing to add, at the bound too */
			return ST_OK;
		enum status r = grow(k);
		if (r != ST_OK)
			return r;
	}
	put(k, key + 1);
	return ST_OK;
}

bool keyset_has(const struct keyset *k, uint64_t key)
{
	if (key == UINT64_MAX)
		return k->has_max;
	for (size_t i = place(k, key);; i = (i + 1) & k->mask) {
		if (k->slot[i] == key + 1)
			return true;
		if (k->slot[i] == 0)
			return false;
	}
}

void keyset_clear(struct keyset *k)
{
	memset(k->slot, 0, (k->mask + 1) * sizeof *k->slot);
	k->count = 0;
	k->has_max = false;
}

size_t keyset_count(const struct keyset *k)
{
	return k->count + (k->has_max ? 1 : 0);
}

size_t keyset_bytes(const struct keyset *k)
{
	return (k->mask + 1) * sizeof *k->slot;
}
