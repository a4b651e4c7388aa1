/*
 * cosigner.c: the witnessing thread (see cosigner.h).
 *
 * One thread owns the witnesses' state, a read-only store connection and
 * the wclient; the other threads only kick it or read its figures, under
 * its lock.  Answers are handed to the writer thread in batches (struct
 * keep): the cosignatures, then the mark of the newest witnessed size,
 * committed together.
 */
#include "cosigner.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/codec.h"
#include "core/entry.h"
#include "core/merkle.h"
#include "net/wclient.h"
#include "store/export.h"
#include "store/store.h"

#define HISTORY	    8	 /* sizes each witness cosigned last, for the quorum */
#define BACKOFF_S   0.5	 /* a failed witness is asked again after this, */
#define BACKOFF_MAX 60.0 /* doubling up to this */
#define STALE_S	    60	 /* served older than the newest this long: degraded */
#define MARK_NONE   (-2)
/* A witness is asked for a newer checkpoint at most this often: under a
 * stream of uploads a round covers the batches of its time, not one
 * each (make bench: a round per batch cost a third of the upload rate;
 * one every 20 ms, with a mark written each time, 15%), and the
 * witnesses commit 10 times a second, not 50, on a disk the log may
 * share. */
#define ROUND_S 0.1
/* Cosignatures that move no mark wait this long at most to be written
 * with the next ones (one transaction for several answers). */
#define KEEP_WAIT_S 0.5
/* A new mark (and the cosignatures with it) is written at most this
 * often: each is a transaction of the writer's, with its fsync, between
 * two upload batches.  With ROUND_S it bounds the lag from an upload's
 * commit to the witnessed checkpoint that includes it (make bench: p99
 * about 110 ms, the upload rate as without witnesses). */
#define MARK_EVERY_S 0.1

struct wit {
	struct note_verifier v;
	char vkey[NOTE_VKEY_MAX + 1];
	char url[ENTRY_WITNESS_MAX + 1];
	int64_t known; /* the size it holds, as far as the log knows; -1 */
	int64_t cosigned[HISTORY]; /* ring of sizes it cosigned, newest at
				      pos - 1; -1 when empty */
	int pos;
	double cosigned_at; /* monotonic seconds of its newest cosignature */
	double asked_at;    /* and of its newest request */
	bool busy;
	int64_t asked; /* the size of the request in flight */
	struct wclient_call call;
	struct buf body, text; /* the request, the checkpoint's text */
	double backoff, next_at;
	int conflicts; /* 409s in a row */
	/* figures */
	int64_t last_success; /* POSIX seconds */
	double latency;	      /* of its last answer */
	uint64_t failures;
	int failing; /* failures in a row */
	char error[sizeof(struct err)];
};

/* Cosignatures on their way to the writer. */
struct kept {
	int64_t size;
	char vkey[NOTE_VKEY_MAX + 1];
	int64_t time;
	char line[WCLIENT_LINE_MAX + 1];
};

struct cosigner {
	char *db_path;
	struct writer *writer;
	struct store *rs; /* the thread's, read only */
	struct wclient *wc;
	pthread_t thread;
	bool started;
	atomic_bool stopping;
	atomic_bool kicked;

	pthread_mutex_t lock; /* what follows, for other threads */
	int64_t log_size;     /* the newest checkpoint's */
	int64_t policy_index; /* -1: no policy */
	int quorum;
	size_t nwit;
	struct wit wit[ENTRY_WITNESSES_MAX];
	int64_t served;	     /* the newest witnessed size, -1 none */
	bool policy_wait;    /* a new policy, taken when no request is out */
	double behind_since; /* monotonic: served < log_size since, 0 */

	/* the writer's task and what it keeps */
	struct writer_task task;
	bool task_queued;  /* under lock */
	struct kept *keep; /* filling; the writer takes it whole */
	size_t nkeep, capkeep;
	double kept_since; /* monotonic: the oldest of keep */
	double marked_at;  /* monotonic: when a mark was last queued */
	/* witnessed size to write: -1 nothing, MARK_NONE the end of
	 * witnessing (the mark is removed) */
	int64_t mark;
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- on the writer thread ---- */

static void write_kept(struct store *s, void *cls)
{
	struct cosigner *c = cls;
	pthread_mutex_lock(&c->lock);
	struct kept *k = c->keep;
	size_t n = c->nkeep;
	int64_t mark = c->mark;
	c->keep = NULL;
	c->nkeep = c->capkeep = 0;
	c->mark = -1;
	c->task_queued = false;
	pthread_mutex_unlock(&c->lock);
	struct err e = {.msg = ""};
	enum status r = store_begin(s, &e);
	for (size_t i = 0; r == ST_OK && i < n; i++)
		r = store_cosig_put(s, k[i].size, k[i].vkey, k[i].time,
				    k[i].line, &e);
	if (r == ST_OK && mark >= 0) {
		char text[24];
		snprintf(text, sizeof text, "%lld", (long long)mark);
		r = store_meta_set(s, "witnessed", text, &e);
	} else if (r == ST_OK && mark == MARK_NONE) {
		r = store_meta_delete(s, "witnessed", &e);
	}
	if (r == ST_OK)
		r = store_commit(s, &e);
	if (r != ST_OK) {
		store_rollback(s);
		/* Marked again at the next answer. */
		pthread_mutex_lock(&c->lock);
		if (mark >= 0 && c->served == mark)
			c->served = -1;
		pthread_mutex_unlock(&c->lock);
		fprintf(stderr,
			"sanilog: serve: witnessing: %zu cosignatures not "
			"kept: %s\n",
			n, e.msg);
	}
	free(k);
}

/* Queues the writer's task if it is not queued (under c->lock). */
static void queue_task(struct cosigner *c)
{
	if (c->task_queued)
		return;
	c->task.fn = write_kept;
	c->task.cls = c;
	if (writer_run(c->writer, &c->task) == ST_OK)
		c->task_queued = true;
}

/* Adds a cosignature to keep (under c->lock). */
static void keep(struct cosigner *c, const struct wit *w, int64_t size)
{
	if (c->nkeep == c->capkeep) {
		size_t cap = c->capkeep ? 2 * c->capkeep : 16;
		struct kept *a = realloc(c->keep, cap * sizeof *a);
		if (a == NULL)
			return; /* lost; asked again in COSIGNER_REFRESH_S */
		c->keep = a;
		c->capkeep = cap;
	}
	if (c->nkeep == 0)
		c->kept_since = mono();
	struct kept *k = &c->keep[c->nkeep++];
	k->size = size;
	snprintf(k->vkey, sizeof k->vkey, "%s", w->vkey);
	k->time = (int64_t)w->call.time;
	snprintf(k->line, sizeof k->line, "%s", w->call.line);
	/* Written with the mark they move, or after KEEP_WAIT_S (run). */
}

/* ---- the policy ---- */

/* Reads the log's size and the policy in force at it (under c->lock:
 * the witnesses change only here). */
static void refresh(struct cosigner *c)
{
	struct err e = {.msg = ""};
	int64_t size = 0, index = -1;
	struct buf text;
	struct entry *en = NULL;
	buf_init(&text, ENTRY_MAX);
	if (store_begin_read(c->rs, &e) != ST_OK)
		goto fail;
	enum status r = store_log_size(c->rs, &size, &e);
	if (r == ST_OK) {
		r = store_policy_newest(c->rs, size, &index, &e);
		if (r == ST_NOT_FOUND) {
			index = -1;
			r = ST_OK;
		}
	}
	if (r == ST_OK && index >= 0 && index != c->policy_index) {
		en = malloc(sizeof *en);
		r = en == NULL ? ST_NOMEM
			       : store_entry(c->rs, index, &text, &e);
		if (r == ST_OK)
			r = entry_parse(buf_str(&text), text.len, en, &e);
	}
	store_commit(c->rs, NULL);
	if (r != ST_OK)
		goto fail;
	pthread_mutex_lock(&c->lock);
	c->log_size = size;
	bool busy = false;
	for (size_t i = 0; i < c->nwit; i++)
		busy = busy || c->wit[i].busy;
	/* The witnesses' calls point into c->wit: a new policy waits for
	 * them to be answered. */
	c->policy_wait = index != c->policy_index && busy;
	if (index != c->policy_index && !busy) {
		struct wit old[ENTRY_WITNESSES_MAX];
		size_t nold = c->nwit;
		memcpy(old, c->wit, nold * sizeof old[0]);
		c->policy_index = index;
		/* en: the entry at index, read above (NULL for none) */
		c->quorum = en != NULL ? en->quorum : 0;
		c->nwit = 0;
		for (int i = 0; en != NULL && i < en->nwitnesses; i++) {
			struct wit *w = &c->wit[c->nwit];
			const struct entry_witness *ew = &en->witnesses[i];
			memset(w, 0, sizeof *w);
			if (note_cosigner_parse(ew->text, strlen(ew->text),
						&w->v, NULL) != ST_OK)
				continue; /* the log refused such entries */
			snprintf(w->vkey, sizeof w->vkey, "%s", ew->text);
			snprintf(w->url, sizeof w->url, "%s",
				 ew->text + ew->url);
			w->known = -1;
			for (int h = 0; h < HISTORY; h++)
				w->cosigned[h] = -1;
			buf_init(&w->body, 1u << 16);
			buf_init(&w->text, 1u << 12);
			/* A witness of the policy before keeps what the log
			 * knew of it. */
			for (size_t j = 0; j < nold; j++)
				if (strcmp(old[j].vkey, w->vkey) == 0)
					w->known = old[j].known;
			c->nwit++;
		}
		for (size_t j = 0; j < nold; j++) {
			buf_free(&old[j].body);
			buf_free(&old[j].text);
		}
		c->served = -1;
		if (c->nwit == 0) { /* the end of witnessing */
			c->mark = MARK_NONE;
			queue_task(c);
		}
	}
	pthread_mutex_unlock(&c->lock);
	free(en);
	buf_free(&text);
	return;
fail:
	free(en);
	buf_free(&text);
	fprintf(stderr, "sanilog: serve: witnessing: %s\n", e.msg);
}

/* ---- asking a witness ---- */

static enum status build_request(struct cosigner *c, struct wit *w, int64_t old,
				 int64_t size, struct err *e)
{
	struct buf note;
	buf_init(&note, 1u << 16);
	buf_reset(&w->body);
	buf_reset(&w->text);
	enum status r = store_begin_read(c->rs, e);
	if (r != ST_OK)
		return r;
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t plen = 0;
	if (old > 0 && old < size) {
		struct store_reader rd = {.s = c->rs, .e = e};
		r = merkle_prove_consistency(old, size, store_merkle_reader,
					     &rd, proof, &plen);
	}
	if (r == ST_OK)
		r = store_checkpoint(c->rs, size, &note, NULL, e);
	store_commit(c->rs, NULL);
	r = r == ST_OK ? buf_printf(&w->body, "old %lld\n", (long long)old) : r;
	for (size_t i = 0; r == ST_OK && i < plen; i++) {
		char b64[64];
		b64_encode(b64, sizeof b64, proof[i], HASH_LEN, B64_STD);
		r = buf_printf(&w->body, "%s\n", b64);
	}
	size_t text_len = 0;
	if (r == ST_OK &&
	    (r = export_note_text_len(buf_str(&note), note.len, &text_len)) ==
		    ST_OK &&
	    (r = buf_append(&w->body, "\n", 1)) == ST_OK &&
	    (r = buf_append(&w->body, note.data, note.len)) == ST_OK)
		r = buf_append(&w->text, note.data, text_len);
	buf_free(&note);
	if (r != ST_OK && e->msg[0] == 0)
		err_set(e, r, "cannot make the request");
	return r;
}

static void fail(struct wit *w, double now, const char *why)
{
	w->failures++;
	w->failing++;
	w->backoff = w->backoff > 0 ? w->backoff * 2 : BACKOFF_S;
	if (w->backoff > BACKOFF_MAX)
		w->backoff = BACKOFF_MAX;
	w->next_at = now + w->backoff;
	snprintf(w->error, sizeof w->error, "%s", why);
}

static void ask(struct cosigner *c, struct wit *w, int64_t size, double now)
{
	int64_t old = w->known >= 0 ? w->known : 0;
	struct err e = {.msg = ""};
	if (old > size) {
		snprintf(e.msg, sizeof e.msg,
			 "the witness holds size %lld, above the log's %lld",
			 (long long)old, (long long)size);
		fail(w, now, e.msg);
		return;
	}
	if (build_request(c, w, old, size, &e) != ST_OK) {
		fail(w, now, e.msg);
		return;
	}
	w->call = (struct wclient_call){
		.url = w->url,
		.witness = &w->v,
		.body = buf_str(&w->body),
		.body_len = w->body.len,
		.checkpoint = buf_str(&w->text),
		.checkpoint_len = w->text.len,
		.timeout_ms = COSIGNER_TIMEOUT_MS,
		.cls = c,
	};
	w->asked = size;
	w->asked_at = now;
	if (wclient_start(c->wc, &w->call) != ST_OK) {
		fail(w, now, w->call.err.msg);
		return;
	}
	w->busy = true;
}

/* How many witnesses cosigned size (under c->lock). */
static int count_at(const struct cosigner *c, int64_t size)
{
	int n = 0;
	for (size_t i = 0; i < c->nwit; i++)
		for (int h = 0; h < HISTORY; h++)
			if (c->wit[i].cosigned[h] == size) {
				n++;
				break;
			}
	return n;
}

/* Moves the mark to the newest size the quorum cosigned (under lock). */
static void update_served(struct cosigner *c)
{
	int64_t best = c->served;
	for (size_t i = 0; i < c->nwit; i++)
		for (int h = 0; h < HISTORY; h++) {
			int64_t s = c->wit[i].cosigned[h];
			if (s > best && s > c->policy_index &&
			    count_at(c, s) >= c->quorum)
				best = s;
		}
	if (best > c->served) {
		c->served = best;
		c->mark = best;
		double now = mono();
		if (now - c->marked_at >= MARK_EVERY_S) {
			c->marked_at = now;
			queue_task(c);
		} /* else run's loop queues it when its time comes */
	}
}

static void answered(struct wclient_call *call)
{
	struct cosigner *c = call->cls;
	double now = mono();
	pthread_mutex_lock(&c->lock);
	struct wit *w = NULL;
	for (size_t i = 0; i < c->nwit && w == NULL; i++)
		if (&c->wit[i].call == call)
			w = &c->wit[i];
	if (w == NULL) { /* not possible: a policy changes between polls */
		pthread_mutex_unlock(&c->lock);
		return;
	}
	w->busy = false;
	w->latency = call->seconds;
	if (call->st == ST_OK) {
		w->known = w->asked;
		w->cosigned[w->pos] = w->asked;
		w->pos = (w->pos + 1) % HISTORY;
		w->cosigned_at = now;
		w->backoff = 0;
		w->failing = 0;
		w->conflicts = 0;
		w->last_success = (int64_t)time(NULL);
		w->error[0] = 0;
		keep(c, w, w->asked);
		update_served(c);
	} else if (call->st == ST_CONFLICT && call->held <= w->asked &&
		   w->conflicts < 3) {
		/* Ask again at once, from the size it holds. */
		w->known = call->held;
		w->conflicts++;
		w->next_at = now;
	} else {
		if (call->st == ST_CONFLICT)
			w->known = call->held;
		w->conflicts = 0;
		fail(w, now, call->err.msg);
		fprintf(stderr, "sanilog: serve: witness %s: %s\n", w->v.name,
			call->err.msg);
	}
	pthread_mutex_unlock(&c->lock);
}

static void *run(void *arg)
{
	struct cosigner *c = arg;
	double refreshed = 0;
	while (!atomic_load(&c->stopping)) {
		/* Kicked by the writer after each batch; and once a second
		 * for what another process appended (sanilog venue add, a
		 * new witness-policy). */
		if (atomic_exchange(&c->kicked, false) ||
		    mono() - refreshed >= 1.0) {
			refresh(c);
			refreshed = mono();
		}
		pthread_mutex_lock(&c->lock);
		bool again = c->policy_wait;
		for (size_t i = 0; again && i < c->nwit; i++)
			again = !c->wit[i].busy;
		pthread_mutex_unlock(&c->lock);
		if (again)
			refresh(c);
		double now = mono(), wait = 1.0;
		pthread_mutex_lock(&c->lock);
		int64_t size = c->log_size;
		for (size_t i = 0; i < c->nwit && size > 0; i++) {
			struct wit *w = &c->wit[i];
			if (w->busy)
				continue;
			double due = w->next_at;
			bool newer = true;
			for (int h = 0; h < HISTORY; h++)
				if (w->cosigned[h] == size)
					newer = false;
			if (!newer && w->cosigned_at + COSIGNER_REFRESH_S > due)
				due = w->cosigned_at + COSIGNER_REFRESH_S;
			if (newer && w->conflicts == 0 &&
			    w->asked_at + ROUND_S > due)
				due = w->asked_at + ROUND_S;
			if (due <= now)
				ask(c, w, size, now);
			else if (due - now < wait)
				wait = due - now;
		}
		if (c->mark >= 0 && !c->task_queued) {
			if (now - c->marked_at >= MARK_EVERY_S) {
				c->marked_at = now;
				queue_task(c);
			} else if (c->marked_at + MARK_EVERY_S - now < wait) {
				wait = c->marked_at + MARK_EVERY_S - now;
			}
		}
		if (c->nkeep > 0) {
			if (now - c->kept_since >= KEEP_WAIT_S)
				queue_task(c);
			else if (c->kept_since + KEEP_WAIT_S - now < wait)
				wait = c->kept_since + KEEP_WAIT_S - now;
		}
		if (c->served < c->log_size && c->nwit > 0) {
			if (c->behind_since == 0)
				c->behind_since = now;
		} else {
			c->behind_since = 0;
		}
		pthread_mutex_unlock(&c->lock);
		if (!atomic_load(&c->kicked))
			wclient_poll(c->wc, (int)(wait * 1000) + 1, answered);
	}
	return NULL;
}

/* ---- the others' ---- */

enum status cosigner_start(const char *db_path, struct writer *w,
			   struct cosigner **out, struct err *e)
{
	*out = NULL;
	struct cosigner *c = calloc(1, sizeof *c);
	if (c == NULL || (c->db_path = strdup(db_path)) == NULL) {
		free(c);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	c->writer = w;
	c->policy_index = -1;
	c->served = -1;
	c->mark = -1;
	pthread_mutex_init(&c->lock, NULL);
	atomic_store(&c->kicked, true);
	enum status r = store_open(db_path, STORE_READONLY, &c->rs, e);
	if (r == ST_OK)
		r = wclient_new(&c->wc, e);
	if (r == ST_OK) {
		/* What the log serves now, so that the mark only moves on. */
		char text[24];
		int64_t v = -1;
		if (store_meta_get(c->rs, "witnessed", text, sizeof text,
				   NULL) == ST_OK &&
		    dec_parse(text, &v))
			c->served = v;
	}
	if (r == ST_OK && pthread_create(&c->thread, NULL, run, c) != 0)
		r = err_set(e, ST_NOMEM, "cannot start the witnessing thread");
	if (r != ST_OK) {
		wclient_free(c->wc);
		store_close(c->rs);
		pthread_mutex_destroy(&c->lock);
		free(c->db_path);
		free(c);
		return r;
	}
	c->started = true;
	*out = c;
	return ST_OK;
}

void cosigner_kick(struct cosigner *c)
{
	if (c == NULL)
		return;
	atomic_store(&c->kicked, true);
	wclient_wakeup(c->wc);
}

void cosigner_stop(struct cosigner *c)
{
	if (c == NULL)
		return;
	atomic_store(&c->stopping, true);
	wclient_wakeup(c->wc);
	pthread_join(c->thread, NULL);
	/* The writer's task may still be queued: the writer stops (and
	 * runs it) before the cosigner is freed (web_app_stop). */
	for (size_t i = 0; i < c->nwit; i++)
		wclient_cancel(c->wc, &c->wit[i].call);
	wclient_free(c->wc);
	store_close(c->rs);
	for (size_t i = 0; i < c->nwit; i++) {
		buf_free(&c->wit[i].body);
		buf_free(&c->wit[i].text);
	}
	free(c->keep);
	pthread_mutex_destroy(&c->lock);
	free(c->db_path);
	free(c);
}

bool cosigner_degraded(struct cosigner *c, char *why, size_t whysize)
{
	if (c == NULL)
		return false;
	bool bad = false;
	double now = mono();
	pthread_mutex_lock(&c->lock);
	if (c->nwit > 0 && c->behind_since > 0 &&
	    now - c->behind_since > STALE_S) {
		snprintf(why, whysize,
			 "the newest checkpoint has not met the witness "
			 "quorum (%d) for %.0f s",
			 c->quorum, now - c->behind_since);
		bad = true;
	}
	for (size_t i = 0; !bad && i < c->nwit; i++)
		if (c->wit[i].failing >= 3) {
			snprintf(why, whysize, "witness %s failing: %s",
				 c->wit[i].v.name, c->wit[i].error);
			bad = true;
		}
	pthread_mutex_unlock(&c->lock);
	return bad;
}

/* A witness's name as a Prometheus label value: \\, \" escaped. */
static void label(char *out, size_t outsize, const char *name)
{
	size_t k = 0;
	for (const char *p = name; *p && k + 3 < outsize; p++) {
		if (*p == '\\' || *p == '"')
			out[k++] = '\\';
		out[k++] = *p;
	}
	out[k] = 0;
}

enum status cosigner_metrics(struct cosigner *c, struct buf *out)
{
	if (c == NULL)
		return ST_OK;
	pthread_mutex_lock(&c->lock);
	enum status r = buf_printf(
		out,
		"# HELP sanilog_witness_quorum Cosignatures the log's policy "
		"asks (0: not witnessed).\n"
		"# TYPE sanilog_witness_quorum gauge\n"
		"sanilog_witness_quorum %d\n"
		"# HELP sanilog_witnessed_size Size of the newest checkpoint "
		"that met the quorum.\n"
		"# TYPE sanilog_witnessed_size gauge\n"
		"sanilog_witnessed_size %lld\n"
		"# HELP sanilog_witness_last_success_seconds When each "
		"witness last cosigned (POSIX time).\n"
		"# TYPE sanilog_witness_last_success_seconds gauge\n"
		"# HELP sanilog_witness_latency_seconds Each witness's last "
		"answer time.\n"
		"# TYPE sanilog_witness_latency_seconds gauge\n"
		"# HELP sanilog_witness_failures_total Requests to each "
		"witness that failed.\n"
		"# TYPE sanilog_witness_failures_total counter\n"
		"# HELP sanilog_witness_cosigned_size The size each witness "
		"holds, as far as the log knows.\n"
		"# TYPE sanilog_witness_cosigned_size gauge\n",
		c->quorum, (long long)c->served);
	for (size_t i = 0; r == ST_OK && i < c->nwit; i++) {
		const struct wit *w = &c->wit[i];
		char n[2 * NOTE_NAME_MAX + 1];
		label(n, sizeof n, w->v.name);
		r = buf_printf(
			out,
			"sanilog_witness_last_success_seconds{witness=\"%s\"} "
			"%lld\n"
			"sanilog_witness_latency_seconds{witness=\"%s\"} %.6f\n"
			"sanilog_witness_failures_total{witness=\"%s\"} %llu\n"
			"sanilog_witness_cosigned_size{witness=\"%s\"} %lld\n",
			n, (long long)w->last_success, n, w->latency, n,
			(unsigned long long)w->failures, n,
			(long long)w->known);
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}
