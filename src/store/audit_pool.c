/*
 * audit_pool.c: the audit's attestations, verified on worker threads
 * (audit_pool.h).
 */
#include "audit_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rules.h"

static void job_run(struct attest_pool *p, const struct attest_job *j)
{
	struct attest_fields f = {
		.venue = j->venue,
		.type = j->type,
		.performed = j->performed,
		.expires = j->expires,
	};
	struct rules_verdict v = {0};
	memcpy(f.doc, j->doc, HASH_LEN);
	rules_attestation_verify(j->line, &f, &j->key, &v);
	if (v.n == 0)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->nfails++ < AUDIT_POOL_FAILS)
		snprintf(p->fails[p->nfails - 1], sizeof p->fails[0],
			 "entry %lld: %.280s", (long long)j->index, v.f[0].why);
	pthread_mutex_unlock(&p->mu);
}

/* Jobs a worker takes at once. */
#define POOL_TAKE 8

static void *pool_worker(void *arg)
{
	struct attest_pool *p = arg;
	struct attest_job jobs[POOL_TAKE]; /* about 3 KB */
	size_t n;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->count == 0 && !p->closing)
			pthread_cond_wait(&p->has_work, &p->mu);
		for (n = 0; n < POOL_TAKE && p->count > 0; n++) {
			jobs[n] = p->ring[p->head];
			p->head = (p->head + 1) % POOL_RING;
			p->count--;
		}
		/* Wake the producer only when there is room for many jobs:
		 * one wake-up per job costs more than the job's signature. */
		if (n > 0 && p->count <= POOL_RING / 2)
			pthread_cond_signal(&p->has_room);
		pthread_mutex_unlock(&p->mu);
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++)
			job_run(p, &jobs[i]);
	}
	return NULL;
}

/* Starts n workers (0: jobs run on the caller's thread). */
enum status audit_pool_start(struct attest_pool *p, int n)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->has_work, NULL);
	pthread_cond_init(&p->has_room, NULL);
	if (n <= 0)
		return ST_OK;
	p->ring = malloc(POOL_RING * sizeof *p->ring);
	if (p->ring == NULL)
		return ST_NOMEM;
	for (int i = 0; i < n && i < POOL_MAX_THREADS; i++) {
		if (pthread_create(&p->tid[i], NULL, pool_worker, p) != 0)
			break;
		p->nthreads++;
	}
	return ST_OK;
}

void audit_pool_push(struct attest_pool *p, const struct attest_job *j)
{
	if (p->nthreads == 0) {
		job_run(p, j);
		return;
	}
	pthread_mutex_lock(&p->mu);
	while (p->count == POOL_RING)
		pthread_cond_wait(&p->has_room, &p->mu);
	p->ring[(p->head + p->count) % POOL_RING] = *j;
	p->count++;
	pthread_cond_signal(&p->has_work);
	pthread_mutex_unlock(&p->mu);
}

/* Waits for every job and stops the workers. */
void audit_pool_finish(struct attest_pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->closing = true;
	pthread_cond_broadcast(&p->has_work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->tid[i], NULL);
	p->nthreads = 0;
	free(p->ring);
	p->ring = NULL;
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->has_work);
	pthread_cond_destroy(&p->has_room);
}
