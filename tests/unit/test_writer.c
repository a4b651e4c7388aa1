/*
 * test_writer.c: the server's writer (web/writer.h) batches what is
 * queued while it is busy into one transaction: uploads whose documents
 * are in their files already count no bytes against a batch's limit (a
 * megabyte of documents to write to the database), so that four of
 * 600 KiB go in one batch, not one each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testlog.h"
#include "store/docfiles.h"
#include "web/writer.h"

#define V1    "k7m2q9xa"
#define NJOBS 4
#define DOC   (600u << 10)

static struct testlog t;

static int setup(void **state)
{
	(void)state;
	tl_open(&t, NULL);
	tl_add_venue(&t, V1, "Bar Uno");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tl_close(&t);
	return 0;
}

/* A gate the writer thread waits at (a task), and the jobs done. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open;
	int done;
};

static void wait_gate(struct store *s, void *cls)
{
	struct gate *g = cls;
	(void)s;
	pthread_mutex_lock(&g->lock);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void job_done(struct writer_job *job, void *cls)
{
	struct gate *g = cls;
	(void)job;
	pthread_mutex_lock(&g->lock);
	g->done++;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static void test_stored_documents_batch(void **state)
{
	(void)state;
	struct gate g = {.open = false, .done = 0};
	struct writer *w = NULL;
	struct writer_task task = {.fn = wait_gate, .cls = &g};
	struct writer_job jobs[NJOBS];
	uint8_t *docs[NJOBS], sha[NJOBS][HASH_LEN];
	struct writer_stats st;
	pthread_mutex_init(&g.lock, NULL);
	pthread_cond_init(&g.cond, NULL);
	assert_int_equal(writer_new(t.q, &w, NULL), ST_OK);
	/* The writer thread held at the gate: the jobs queue meanwhile. */
	assert_int_equal(writer_run(w, &task), ST_OK);
	for (int i = 0; i < NJOBS; i++) {
		uint8_t pdf[TL_PDF];
		docs[i] = calloc(1, DOC);
		assert_non_null(docs[i]);
		tl_pdf(i, pdf);
		memcpy(docs[i], pdf, TL_PDF);
		sha256(sha[i], docs[i], DOC);
		/* Its file written and synced, as the file threads do. */
		assert_int_equal(docfiles_put(store_docs_dir(t.s), sha[i],
					      docs[i], DOC, NULL),
				 ST_OK);
		memset(&jobs[i], 0, sizeof jobs[i]);
		tl_document_request(&jobs[i].rq, V1, "Sanificazione", docs[i],
				    DOC);
		jobs[i].rq.doc_sha256 = sha[i];
		jobs[i].rq.doc_stored = true;
		buf_init(&jobs[i].checkpoint, 1 << 16);
		jobs[i].done = job_done;
		jobs[i].cls = &g;
		assert_int_equal(writer_submit(w, &jobs[i]), ST_OK);
	}
	pthread_mutex_lock(&g.lock);
	g.open = true;
	pthread_cond_broadcast(&g.cond);
	while (g.done < NJOBS)
		pthread_cond_wait(&g.cond, &g.lock);
	pthread_mutex_unlock(&g.lock);

	writer_get_stats(w, &st);
	assert_int_equal(st.requests, NJOBS);
	assert_int_equal(st.logged, NJOBS);
	assert_int_equal(st.batches, 1);
	for (int i = 0; i < NJOBS; i++) {
		assert_int_equal(jobs[i].rq.status, ST_OK);
		assert_int_equal(jobs[i].rq.entry.doc_size, DOC);
		buf_free(&jobs[i].checkpoint);
		free(docs[i]);
	}
	writer_free(w);
	pthread_cond_destroy(&g.cond);
	pthread_mutex_destroy(&g.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stored_documents_batch),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
