/*
 * writer.h: the server's one writer: a thread that owns the read-write
 * store and the sequencer, and commits the requests that arrive together
 * in one transaction.
 *
 * A handler fills a struct writer_job and submits it; the writer thread
 * takes every job queued (up to a batch's limits), hands them to
 * sequencer_append in one call, and only after that call returned (the
 * batch committed, or failed as a whole) fills in each job's results and
 * calls its done callback.  After done, the writer never touches the job
 * again.
 *
 * A job with a document (rq.doc and rq.doc_sha256 set, rq.doc_stored
 * not) goes first to one of the file threads, many side by side, which
 * writes the document's file and syncs it (store/docfiles.h) before the
 * job is queued for the writer thread, so that its entry never commits
 * without its file and the writer thread syncs only its transactions.
 * When the file cannot be written, done is called on the file thread,
 * with the job's status and err saying why.
 */
#ifndef SANILOG_WRITER_H
#define SANILOG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "core/buf.h"
#include "store/sequencer.h"

struct writer_job {
	/* in: the request (its doc and attestation bytes are borrowed until
	 * done is called); out: its status, err, index, leaf, entry */
	struct seq_request rq;
	/* out: the signed checkpoint of the batch (on success) */
	struct buf checkpoint;
	/* called on the writer thread when the results are in (on a file
	 * thread when the document's file could not be written) */
	void (*done)(struct writer_job *job, void *cls);
	void *cls;
	struct writer_job *next; /* the writer's */
};

/* Statistics for /metrics. */
struct writer_stats {
	uint64_t batches;  /* sequencer_append calls */
	uint64_t requests; /* requests handed to them */
	uint64_t logged;   /* requests logged */
	uint64_t queued;   /* requests waiting now */
	/* The last batch that wrote or tried to failed for want of disk
	 * space (ST_FULL); the next that commits clears it. */
	bool disk_full;
};

struct writer;

/* Starts the writer thread on q (borrowed, with the store it writes:
 * both must outlive the writer; no other thread may use them meanwhile).
 * *out is new (free with writer_free). */
enum status writer_new(struct sequencer *q, struct writer **out, struct err *e);

/* Queues a job.  ST_BUSY when the queue is full or the writer is
 * stopping: the job is then not queued and done is never called. */
enum status writer_submit(struct writer *w, struct writer_job *job);

/* Refuses new jobs, finishes every queued one, and stops the thread.
 * Accepts NULL; a second call does nothing. */
void writer_stop(struct writer *w);

/* Stops the writer (if still running) and frees it.  Accepts NULL. */
void writer_free(struct writer *w);

void writer_get_stats(struct writer *w, struct writer_stats *out);

/* Has fn(cls) called on the writer thread before each batch, between two
 * transactions (fn NULL: nothing is called); the server's WAL checkpoints
 * use it (store/backfill.h).  cls is borrowed: it must outlive the thread. */
void writer_set_between(struct writer *w, void (*fn)(void *cls), void *cls);

/*
 * A task for the writer thread that is no append: fn(s, cls) runs on the
 * writer thread with the store the writer writes (its own transactions,
 * between two batches), so that no other connection writes to the
 * database and its caches hold (store.h).  The witnessing thread keeps
 * the cosignatures it gets this way.  ST_BUSY when the writer is
 * stopping (fn is then never called).  The task is the caller's until fn
 * returned; the writer never touches it after.
 */
struct writer_task {
	void (*fn)(struct store *s, void *cls);
	void *cls;
	struct writer_task *next; /* the writer's */
};
enum status writer_run(struct writer *w, struct writer_task *t);

/* Has fn(cls) called on the writer thread after each batch that logged
 * an entry (fn NULL: nothing is called): the witnessing thread learns of
 * each new checkpoint so.  cls must outlive the thread. */
void writer_set_after(struct writer *w, void (*fn)(void *cls), void *cls);

/* How many batches committed so far: changes after every commit (read
 * without a lock, for caches of what the log shows). */
uint64_t writer_generation(struct writer *w);

#endif
