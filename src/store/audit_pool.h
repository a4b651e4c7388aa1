/*
 * audit_pool.h: the audit's attestations, verified on worker threads.
 *
 * The audit walks the log on one thread and finds, through rules.c, the
 * provider key each attestation is to be verified with; the Ed25519
 * verifications, the costliest part of an audit, run on the pool's
 * threads.  Private to store/.
 */
#ifndef SANILOG_AUDIT_POOL_H
#define SANILOG_AUDIT_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/entry.h"
#include "core/note.h"

/* Failures kept word for word; the rest are counted in nfails. */
#define AUDIT_POOL_FAILS 20

#define POOL_RING	 4096
#define POOL_MAX_THREADS 16

struct attest_job {
	int64_t index;
	struct note_verifier key;
	char venue[VENUE_ID_LEN + 1];
	uint8_t doc[HASH_LEN];
	char type[32];
	char performed[11];
	char expires[11];
	char line[ENTRY_VALUE_MAX + 1];
};

struct attest_pool {
	pthread_mutex_t mu;
	pthread_cond_t has_work, has_room;
	struct attest_job *ring;
	size_t head, count;
	bool closing;
	pthread_t tid[POOL_MAX_THREADS];
	int nthreads;
	int64_t nfails;
	char fails[AUDIT_POOL_FAILS][320]; /* the first failures */
};

/* Starts n workers (0: jobs run on the caller's thread). */
enum status audit_pool_start(struct attest_pool *p, int n);

/* Queues a copy of j, waiting while the queue is full. */
void audit_pool_push(struct attest_pool *p, const struct attest_job *j);

/* Waits for every job and stops the workers. */
void audit_pool_finish(struct attest_pool *p);

#endif
