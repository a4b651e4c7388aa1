/*
 * writer.c: the queue of write requests and the thread that commits them
 * in batches through the sequencer; before it, the threads that write
 * the uploads' documents to their files.
 */
#include "writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "store/docfiles.h"

/* A batch holds at most this many requests, and documents to write to
 * the database of at most BATCH_BYTES bytes (one request alone may
 * exceed it): a commit then writes about a megabyte to the WAL and syncs
 * it in a few milliseconds, so that a request waits little for the batch
 * before its own.  A document whose file the file threads wrote is not
 * counted: its entry adds a row, not its bytes, so that a batch of them
 * is bounded by BATCH_MAX only.  (Counted, they cost 1 MiB uploads from
 * 64 clients a commit each: 170 a second at best.) */
#define BATCH_MAX   512
#define BATCH_BYTES (1u << 20)
/* Jobs waiting at most; past it submissions are refused (ST_BUSY). */
#define QUEUE_MAX 4096
/* Threads writing documents' files: each sync waits for the disk, and
 * the file system commits the syncs that wait together at once, so that
 * many files written side by side take about the time of one.  (With
 * 100 KiB uploads from 64 clients: see tools/bench_web.sh.) */
#define FILE_THREADS 64

struct writer {
	struct sequencer *seq;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct writer_job *head, *tail;
	size_t queued;
	bool stopping;
	bool stopped;
	struct writer_stats stats;
	atomic_uint_fast64_t generation;
	struct seq_request *reqs; /* BATCH_MAX, the batch handed over */
	struct writer_job *jobs[BATCH_MAX];
	struct buf checkpoint;
	void (*between)(void *cls);
	void *between_cls;
	struct writer_task *tasks, *tasks_tail;
	void (*after)(void *cls);
	void *after_cls;
	/* Documents to write to their files before they queue above: the
	 * file threads take them (under lock, woken by file_wake). */
	char *docs; /* the documents' folder */
	pthread_t files[FILE_THREADS];
	int nfiles; /* file threads started */
	pthread_cond_t file_wake;
	struct writer_job *fhead, *ftail;
	bool drained; /* stopping, and the file threads are done */
};

/* Queues job for the writer thread (under lock). */
static void queue_job(struct writer *w, struct writer_job *job)
{
	job->next = NULL;
	if (w->tail != NULL)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	pthread_cond_signal(&w->wake);
}

/* A file thread: writes each queued document's file (synced), then hands
 * its job to the writer thread; a job whose file could not be written is
 * done here, with its error.  Ends when stopping and nothing is left. */
static void *files_main(void *arg)
{
	struct writer *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->fhead == NULL && !w->stopping)
			pthread_cond_wait(&w->file_wake, &w->lock);
		struct writer_job *job = w->fhead;
		if (job == NULL)
			break;
		w->fhead = job->next;
		if (w->fhead == NULL)
			w->ftail = NULL;
		pthread_mutex_unlock(&w->lock);
		struct seq_request *rq = &job->rq;
		enum status r = docfiles_put(w->docs, rq->doc_sha256, rq->doc,
					     rq->doc_len, &rq->err);
		pthread_mutex_lock(&w->lock);
		if (r == ST_OK) {
			rq->doc_stored = true;
			queue_job(w, job);
			continue;
		}
		/* Not logged; no room for its file is no room for the log. */
		w->queued--;
		if (r == ST_FULL)
			w->stats.disk_full = true;
		pthread_mutex_unlock(&w->lock);
		rq->status = r;
		err_prefix(&rq->err, r == ST_FULL
					     ? "not logged: the disk is full"
					     : "not logged: document file");
		job->done(job, job->cls);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Commits one batch of jobs and reports to each. */
static void run_batch(struct writer *w, size_t n)
{
	struct err e = {.msg = ""};
	for (size_t i = 0; i < n; i++)
		w->reqs[i] = w->jobs[i]->rq;
	buf_reset(&w->checkpoint);
	enum status r =
		sequencer_append(w->seq, w->reqs, n, &w->checkpoint, &e);
	size_t logged = 0;
	for (size_t i = 0; i < n; i++) {
		struct writer_job *job = w->jobs[i];
		job->rq = w->reqs[i];
		/* A batch that failed as a whole leaves its unchecked
		 * requests ST_INTERNAL: they failed with it. */
		if (r != ST_OK && (job->rq.status == ST_OK ||
				   job->rq.status == ST_INTERNAL)) {
			job->rq.status = sequencer_batch_status(r);
			memcpy(job->rq.err.msg, e.msg, sizeof e.msg);
		}
		if (job->rq.status == ST_OK) {
			logged++;
			buf_reset(&job->checkpoint);
			if (buf_append(&job->checkpoint, w->checkpoint.data,
				       w->checkpoint.len) != ST_OK) {
				/* logged all the same; the answer lacks
				 * only the checkpoint */
			}
		}
	}
	if (logged > 0)
		atomic_fetch_add(&w->generation, 1);
	pthread_mutex_lock(&w->lock);
	void (*after)(void *) = logged > 0 ? w->after : NULL;
	void *after_cls = w->after_cls;
	if (r == ST_FULL)
		w->stats.disk_full = true;
	else if (logged > 0)
		w->stats.disk_full = false;
	w->stats.batches++;
	w->stats.requests += n;
	w->stats.logged += logged;
	pthread_mutex_unlock(&w->lock);
	if (after != NULL)
		after(after_cls);
	for (size_t i = 0; i < n; i++)
		w->jobs[i]->done(w->jobs[i], w->jobs[i]->cls);
}

/* The bytes of job's document that its batch writes to the database:
 * none when its file is written already. */
static size_t db_bytes(const struct writer_job *job)
{
	return job->rq.doc_stored ? 0 : job->rq.doc_len;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->head == NULL && w->tasks == NULL && !w->drained)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->tasks != NULL) {
			struct writer_task *t = w->tasks;
			w->tasks = w->tasks_tail = NULL;
			pthread_mutex_unlock(&w->lock);
			struct store *st = sequencer_store(w->seq);
			for (struct writer_task *next; t != NULL; t = next) {
				next = t->next;
				t->fn(st, t->cls);
			}
			pthread_mutex_lock(&w->lock);
			continue;
		}
		if (w->head == NULL)
			break; /* drained, and nothing left */
		size_t n = 0, bytes = 0;
		while (w->head != NULL && n < BATCH_MAX &&
		       (n == 0 || bytes + db_bytes(w->head) <= BATCH_BYTES)) {
			struct writer_job *job = w->head;
			w->head = job->next;
			if (w->head == NULL)
				w->tail = NULL;
			job->next = NULL;
			bytes += db_bytes(job);
			w->jobs[n++] = job;
		}
		w->queued -= n;
		void (*between)(void *) = w->between;
		void *cls = w->between_cls;
		pthread_mutex_unlock(&w->lock);
		if (between != NULL)
			between(cls);
		run_batch(w, n);
		pthread_mutex_lock(&w->lock);
	}
	w->stopped = true;
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

enum status writer_new(struct sequencer *q, struct writer **out, struct err *e)
{
	struct writer *w = calloc(1, sizeof *w);
	*out = NULL;
	if (w == NULL ||
	    (w->reqs = calloc(BATCH_MAX, sizeof *w->reqs)) == NULL ||
	    (w->docs = strdup(store_docs_dir(sequencer_store(q)))) == NULL) {
		if (w != NULL)
			free(w->reqs);
		free(w);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	w->seq = q;
	atomic_init(&w->generation, 0);
	buf_init(&w->checkpoint, 1 << 16);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->file_wake, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		writer_free(w);
		return err_set(e, ST_IO, "cannot start the writer thread");
	}
	w->started = true;
	while (w->nfiles < FILE_THREADS &&
	       pthread_create(&w->files[w->nfiles], NULL, files_main, w) == 0)
		w->nfiles++;
	if (w->nfiles == 0) {
		writer_free(w);
		return err_set(e, ST_IO, "cannot start the file threads");
	}
	*out = w;
	return ST_OK;
}

enum status writer_submit(struct writer *w, struct writer_job *job)
{
	pthread_mutex_lock(&w->lock);
	if (w->stopping || w->queued >= QUEUE_MAX) {
		pthread_mutex_unlock(&w->lock);
		return ST_BUSY;
	}
	struct seq_request *rq = &job->rq;
	w->queued++;
	if (rq->doc != NULL && rq->doc_sha256 != NULL && !rq->doc_stored) {
		/* Its file first, on a file thread. */
		job->next = NULL;
		if (w->ftail != NULL)
			w->ftail->next = job;
		else
			w->fhead = job;
		w->ftail = job;
		pthread_cond_signal(&w->file_wake);
	} else {
		queue_job(w, job);
	}
	pthread_mutex_unlock(&w->lock);
	return ST_OK;
}

enum status writer_run(struct writer *w, struct writer_task *t)
{
	pthread_mutex_lock(&w->lock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->lock);
		return ST_BUSY;
	}
	t->next = NULL;
	if (w->tasks_tail != NULL)
		w->tasks_tail->next = t;
	else
		w->tasks = t;
	w->tasks_tail = t;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return ST_OK;
}

void writer_stop(struct writer *w)
{
	if (w == NULL || !w->started)
		return;
	pthread_mutex_lock(&w->lock);
	bool joined = w->stopping;
	w->stopping = true;
	pthread_cond_broadcast(&w->file_wake);
	pthread_mutex_unlock(&w->lock);
	if (joined)
		return;
	/* The file threads hand the writer what they have, then end. */
	for (int i = 0; i < w->nfiles; i++)
		pthread_join(w->files[i], NULL);
	pthread_mutex_lock(&w->lock);
	w->drained = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
}

void writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	writer_stop(w);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->file_wake);
	pthread_mutex_destroy(&w->lock);
	free(w->docs);
	buf_free(&w->checkpoint);
	free(w->reqs);
	free(w);
}

void writer_get_stats(struct writer *w, struct writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	out->queued = w->queued;
	pthread_mutex_unlock(&w->lock);
}

void writer_set_between(struct writer *w, void (*fn)(void *cls), void *cls)
{
	pthread_mutex_lock(&w->lock);
	w->between = fn;
	w->between_cls = cls;
	pthread_mutex_unlock(&w->lock);
}

uint64_t writer_generation(struct writer *w)
{
	return atomic_load(&w->generation);
}

void writer_set_after(struct writer *w, void (*fn)(void *cls), void *cls)
{
	pthread_mutex_lock(&w->lock);
	w->after = fn;
	w->after_cls = cls;
	pthread_mutex_unlock(&w->lock);
}
