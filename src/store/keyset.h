/*
 * keyset.h: a set of 64-bit keys in memory.
 *
 * The store keeps the keys of the log's documents (the first 8 bytes of
 * each one's SHA-256) here, so that appending a new document need not
 * look its key up in the database (store_keep_doc_keys).  Keys are
 * placed by a keyed hash (SipHash, with a key drawn when the set is
 * made), so that documents chosen to share a slot cannot slow it down.
 * Nothing is ever removed but by keyset_clear.
 */
#ifndef SANILOG_KEYSET_H
#define SANILOG_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

struct keyset;

/* A new, empty set whose table never takes more than max_bytes (SIZE_MAX:
 * no bound; the first 8 KiB are taken whatever the bound); NULL when out
 * of memory.  Free with keyset_free. */
struct keyset *keyset_new(size_t max_bytes);
void keyset_free(struct keyset *k);

/* Adds key.  ST_NOMEM when the set could not grow, ST_TOO_LARGE when it
 * would grow past its bound: it is then unaltered and still usable. */
enum status keyset_add(struct keyset *k, uint64_t key);
bool keyset_has(const struct keyset *k, uint64_t key);
/* Removes every key; keeps the memory. */
void keyset_clear(struct keyset *k);
size_t keyset_count(const struct keyset *k);
/* Bytes the set's table takes. */
size_t keyset_bytes(const struct keyset *k);

#endif
