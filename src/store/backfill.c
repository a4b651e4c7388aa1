/*
 * backfill.c: a thread that runs PASSIVE WAL checkpoints on its own
 * connection, at a fixed interval and when the writer asks for one (see
 * backfill.h for why).
 */
#include "backfill.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store/store.h"

/* The longest backfill_between waits, in milliseconds. */
#define BETWEEN_WAIT_MS 1000

struct backfill {
	struct store *store;
	unsigned interval_ms;
	int drain_frames;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;   /* to the thread (CLOCK_MONOTONIC) */
	pthread_cond_t passed; /* from the thread, after each pass */
	bool stopping;
	bool asked;	 /* backfill_between wants a pass now */
	bool running;	 /* a pass is under way */
	uint64_t passes; /* passes finished */
	int frames;	 /* frames in the WAL at the last pass */
	bool reported;	 /* a failure was logged: the next ones are not */
};

/* ts = now (CLOCK_MONOTONIC) + ms. */
static void deadline(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	ts->tv_sec += ms / 1000 + ts->tv_nsec / 1000000000;
	ts->tv_nsec %= 1000000000;
}

static void *backfill_main(void *arg)
{
	struct backfill *b = arg;
	struct timespec at;
	pthread_mutex_lock(&b->lock);
	while (!b->stopping) {
		/* Once the WAL is long, the next pass is the writer's
		 * (backfill_between), so that none is under way when it
		 * asks and it waits for one pass only. */
		deadline(&at, b->interval_ms);
		while (!b->stopping && !b->asked &&
		       (b->frames >= b->drain_frames
				? pthread_cond_wait(&b->wake, &b->lock) == 0
				: pthread_cond_timedwait(&b->wake, &b->lock,
							 &at) != ETIMEDOUT))
			;
		if (b->stopping)
			break;
		b->asked = false;
		b->running = true;
		pthread_mutex_unlock(&b->lock);
		int frames = 0, copied = 0;
		struct err e;
		enum status r =
			store_wal_checkpoint(b->store, &frames, &copied, &e);
		if (r != ST_OK && r != ST_BUSY && !b->reported) {
			/* The writer's own checkpoints go on regardless. */
			fprintf(stderr, "sanilog: serve: %s\n", e.msg);
			b->reported = true;
		}
		pthread_mutex_lock(&b->lock);
		if (r == ST_OK)
			b->frames = frames;
		b->running = false;
		b->passes++;
		pthread_cond_broadcast(&b->passed);
	}
	pthread_cond_broadcast(&b->passed);
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

enum status backfill_new(const char *path, unsigned interval_ms,
			 int64_t drain_bytes, struct backfill **out,
			 struct err *e)
{
	*out = NULL;
	struct backfill *b = calloc(1, sizeof *b);
	if (b == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	int64_t page = 0;
	enum status r = store_open(path, STORE_OPEN, &b->store, e);
	if (r == ST_OK)
		r = store_page_size(b->store, &page, e);
	if (r != ST_OK) {
		store_close(b->store);
		free(b);
		return r;
	}
	b->interval_ms = interval_ms > 0 ? interval_ms : 1;
	b->drain_frames = page > 0 && drain_bytes / page > 0
				  ? (int)(drain_bytes / page)
				  : 1;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b->wake, &ca);
	pthread_cond_init(&b->passed, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&b->lock, NULL);
	if (pthread_create(&b->thread, NULL, backfill_main, b) != 0) {
		pthread_cond_destroy(&b->wake);
		pthread_cond_destroy(&b->passed);
		pthread_mutex_destroy(&b->lock);
		store_close(b->store);
		free(b);
		return err_set(e, ST_IO, "cannot start the checkpoint thread");
	}
	*out = b;
	return ST_OK;
}

void backfill_between(void *cls)
{
	struct backfill *b = cls;
	struct timespec at;
	pthread_mutex_lock(&b->lock);
	if (b->frames >= b->drain_frames && !b->stopping) {
		/* A pass under way may have started before the last commit:
		 * wait for the one after it. */
		uint64_t want = b->passes + (b->running ? 2 : 1);
		b->asked = true;
		pthread_cond_signal(&b->wake);
		deadline(&at, BETWEEN_WAIT_MS);
		while (b->passes < want && !b->stopping &&
		       pthread_cond_timedwait(&b->passed, &b->lock, &at) !=
			       ETIMEDOUT)
			;
		/* Until the next pass says otherwise, the WAL starts over;
		 * the thread goes back to its interval. */
		b->frames = 0;
		pthread_cond_signal(&b->wake);
	}
	pthread_mutex_unlock(&b->lock);
}

void backfill_free(struct backfill *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	b->stopping = true;
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	pthread_cond_destroy(&b->wake);
	pthread_cond_destroy(&b->passed);
	pthread_mutex_destroy(&b->lock);
	store_close(b->store);
	free(b);
}
