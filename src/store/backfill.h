/*
 * backfill.h: the server's thread that copies the write-ahead log into
 * the database file while the writer goes on.
 *
 * In WAL mode every commit appends to the WAL; a checkpoint copies
 * ("backfills") it into the database file and syncs that file, and the
 * WAL starts over from its beginning only when a write transaction begins
 * with all of it copied.  Left to the writer's own connection (SQLite's
 * automatic checkpoint once the WAL holds 8192 pages), that copy runs
 * inside a commit and makes every upload waiting on that commit many
 * times slower than the others.
 *
 * This thread, on a connection of its own, runs a PASSIVE checkpoint
 * every interval: it takes no lock the writer or readers wait for, and an
 * idle WAL costs a look at its header.  Between two of its transactions
 * the writer calls backfill_between: once the WAL held drain_bytes of
 * pages at the thread's last pass (backfill_new), the writer waits there
 * for one more pass, which finds little left to copy, so that its next
 * transaction starts the WAL over before the automatic checkpoint would
 * run.
 */
#ifndef SANILOG_BACKFILL_H
#define SANILOG_BACKFILL_H

#include <stdint.h>

#include "base/status.h"

struct backfill;

/* How often the WAL is copied into the database file, and past how many
 * bytes of pages the writer waits for a last copy between two
 * transactions so that the WAL starts over: well before SQLite's
 * automatic checkpoint (8192 pages).  Often, so that each copy is small:
 * the sync that ends a copy shares the disk with the writer's commits,
 * and a copy of tens of megabytes held commits of large uploads up for a
 * tenth of a second.  Uploads of 100 KiB from 64 clients had a p99 of 78
 * to 87 ms with 16 MB, 94 to 107 ms with 32 MB (at the same rate), and
 * 123 to 140 ms with copies every 20 ms instead of 5. */
#define BACKFILL_MS	     5
#define BACKFILL_DRAIN_BYTES (16 << 20)

/* Opens path (borrowed for the call) read-write on a connection of the
 * thread's own, and starts the thread: a checkpoint every interval_ms (0
 * is taken as 1).  drain_bytes is counted in whole pages of the
 * database's page size (at least one): backfill_between waits once the
 * WAL held that many at the last pass.  *out is new (free with
 * backfill_free); on failure *out is NULL and e says why (the database
 * cannot be opened, or ST_IO: the thread cannot be started). */
enum status backfill_new(const char *path, unsigned interval_ms,
			 int64_t drain_bytes, struct backfill **out,
			 struct err *e);

/* On the writer's thread, between two of its transactions: returns at
 * once, or (the WAL being long) after a checkpoint that started after
 * this call, or after at most a second if none could run.  cls is the
 * struct backfill (the form of writer_set_between's hook). */
void backfill_between(void *cls);

/* Stops the thread and closes its connection.  Accepts NULL. */
void backfill_free(struct backfill *b);

#endif
