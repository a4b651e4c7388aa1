/*
 * wserver.c: the witness's HTTP server (see wserver.h).
 *
 * Threads: libmicrohttpd's, which parse, check and cosign; and one
 * committer, the only user of the read-write database connection.  Locks,
 * always taken in this order: the table's (rwlock), a log's (mu), the
 * queue's (qmu).  Lookups of a log missing from the table use a read
 * connection of their own (dbmu).
 */
#include "wserver.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "core/buf.h"
#include "core/merkle.h"
#include "core/witness.h"
#include "wdb.h"

#define NBUCKETS 1024 /* of the table of logs (chained) */

/* A log and the state the witness holds for it: the committed one, or
 * one a queued update will commit. */
struct wlog {
	struct note_verifier v;
	char vkey[NOTE_VKEY_MAX + 1];
	pthread_mutex_t mu;
	int64_t size;
	uint8_t root[HASH_LEN];
	bool has_root;
	int64_t cosigned;
	/* Changes each time the committer reads the state again after a
	 * failed commit: an update checked against an older gen is void. */
	uint64_t gen;
	bool removed; /* a commit found it gone from the database */
	struct wlog *next;
};

enum job_kind { JOB_COSIGN, JOB_EVIDENCE };

struct wreq;

/* An update or a piece of evidence, on its way to the database. */
struct wjob {
	enum job_kind kind;
	struct wlog *log;
	uint64_t gen;
	int64_t size;
	uint8_t root[HASH_LEN];
	int64_t now;
	struct wdb_evidence ev; /* JOB_EVIDENCE */
	unsigned code;		/* set by the committer: the reply's status */
	struct wreq *owner;
	struct wjob *next;
};

/* The requests answered, by outcome, for /metrics. */
enum outcome {
	O_COSIGNED,
	O_MALFORMED,
	O_FORBIDDEN,
	O_UNKNOWN,
	O_CONFLICT,
	O_INCONSISTENT,
	O_UNAVAILABLE,
	O__COUNT
};
static const char *const outcome_names[O__COUNT] = {
	"cosigned", "malformed",    "forbidden",   "unknown_log",
	"conflict", "inconsistent", "unavailable",
};

struct witness_server {
	const struct note_signer *signer;
	witness_admit_fn admit;
	void *admit_ctx;
	char name[NOTE_NAME_MAX + 1];
	char vkey[NOTE_VKEY_MAX + 1];
	struct http_server *http;

	pthread_rwlock_t table_lock;
	struct wlog *buckets[NBUCKETS];
	struct wlog *retired; /* replaced, kept for requests under way */
	size_t nlogs;

	pthread_mutex_t dbmu;
	struct wdb *rdb; /* lookups of logs not in the table */

	struct wdb *db; /* the committer's */
	pthread_t committer;
	bool committer_started;
	pthread_mutex_t qmu;
	pthread_cond_t qcond;
	struct wjob *head, *tail;
	bool stopping;
	/* Someone commits now: the committer, or a request that found
	 * nothing queued and commits its own update on its thread (see
	 * add_checkpoint).  The queue waits for it. */
	bool committing;

	atomic_bool healthy; /* the last commit went through */
	atomic_uint_fast64_t outcomes[O__COUNT];
	atomic_uint_fast64_t commits, committed, evidence;
	atomic_uint_fast64_t commit_ns;
};

/* ---- the table of logs ---- */

static size_t bucket_of(const char *origin)
{
	uint64_t h = 1469598103934665603ull;
	for (const unsigned char *p = (const unsigned char *)origin; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (size_t)(h % NBUCKETS);
}

static struct wlog *table_find(struct witness_server *w, const char *origin)
{
	struct wlog *l = w->buckets[bucket_of(origin)];
	while (l != NULL && strcmp(l->v.name, origin) != 0)
		l = l->next;
	return l;
}

/* Sets l's state to row's (under l->mu, or before l is shared). */
static void log_load(struct wlog *l, const struct wdb_log *row)
{
	l->size = row->size;
	memcpy(l->root, row->root, HASH_LEN);
	l->has_root = row->has_root;
	l->cosigned = row->cosigned;
	l->removed = false;
	l->gen++;
}

/* Makes a wlog of a database row.  NULL when out of memory or the row's
 * key does not parse. */
static struct wlog *log_new(const struct wdb_log *row)
{
	struct wlog *l = calloc(1, sizeof *l);
	if (l == NULL)
		return NULL;
	if (note_verifier_parse(row->vkey, strlen(row->vkey), &l->v, NULL) !=
	    ST_OK) {
		free(l);
		return NULL;
	}
	memcpy(l->vkey, row->vkey, sizeof l->vkey);
	pthread_mutex_init(&l->mu, NULL);
	log_load(l, row);
	return l;
}

static enum status load_one(void *ctx, const struct wdb_log *row)
{
	struct witness_server *w = ctx;
	struct wlog *l = log_new(row);
	if (l == NULL) {
		fprintf(stderr,
			"sanilog: witness: log %s: its key does not "
			"parse; skipped\n",
			row->origin);
		return ST_OK;
	}
	size_t b = bucket_of(l->v.name);
	l->next = w->buckets[b];
	w->buckets[b] = l;
	w->nlogs++;
	return ST_OK;
}

/*
 * Puts a new wlog of row in old's place in the table (under the table's
 * write lock): a log added again under another key.  Requests under way
 * may still read old's key, so old is kept, retired, until the server is
 * freed.  NULL when out of memory (old stays).
 */
static struct wlog *log_replace(struct witness_server *w, struct wlog *old,
				const struct wdb_log *row)
{
	struct wlog *l = log_new(row);
	if (l == NULL)
		return NULL;
	struct wlog **p = &w->buckets[bucket_of(old->v.name)];
	while (*p != old)
		p = &(*p)->next;
	l->next = old->next;
	*p = l;
	old->next = w->retired;
	w->retired = old;
	return l;
}

/*
 * The log of origin, or NULL when the witness does not witness it.  A
 * miss, or a log a commit found removed, is looked up in the database: a
 * log added (again) since is taken in.
 */
static struct wlog *find_log(struct witness_server *w, const char *origin)
{
	pthread_rwlock_rdlock(&w->table_lock);
	struct wlog *l = table_find(w, origin);
	pthread_rwlock_unlock(&w->table_lock);
	if (l != NULL) {
		pthread_mutex_lock(&l->mu);
		bool removed = l->removed;
		pthread_mutex_unlock(&l->mu);
		if (!removed)
			return l;
	}
	struct wdb_log row;
	pthread_mutex_lock(&w->dbmu);
	enum status r = wdb_log_get(w->rdb, origin, &row, NULL);
	pthread_mutex_unlock(&w->dbmu);
	if (r != ST_OK)
		return NULL;
	pthread_rwlock_wrlock(&w->table_lock);
	l = table_find(w, origin);
	if (l == NULL) {
		if ((l = log_new(&row)) != NULL) {
			size_t b = bucket_of(origin);
			l->next = w->buckets[b];
			w->buckets[b] = l;
			w->nlogs++;
		}
	} else {
		pthread_mutex_lock(&l->mu);
		bool same_key = strcmp(l->vkey, row.vkey) == 0;
		if (l->removed && same_key)
			log_load(l, &row);
		pthread_mutex_unlock(&l->mu);
		if (l->removed && !same_key)
			l = log_replace(w, l, &row);
	}
	pthread_rwlock_unlock(&w->table_lock);
	return l;
}

/* ---- the committer ---- */

static void count(struct witness_server *w, enum outcome o)
{
	atomic_fetch_add(&w->outcomes[o], 1);
}

/* Commits the jobs of one batch, in order, in one transaction. */
static enum status commit_jobs(struct witness_server *w, struct wjob *batch,
			       struct err *e)
{
	struct buf held;
	buf_init(&held, WITNESS_BODY_MAX);
	enum status r = wdb_begin(w->db, e);
	for (struct wjob *j = batch; r == ST_OK && j != NULL; j = j->next) {
		if (j->kind == JOB_EVIDENCE) {
			buf_reset(&held);
			r = wdb_log_checkpoint(w->db, j->ev.origin, &held, e);
			if (r == ST_NOT_FOUND)
				r = ST_OK; /* removed since: no checkpoint */
			j->ev.held = buf_str(&held);
			j->ev.held_len = held.len;
			if (r == ST_OK)
				r = wdb_evidence_add(w->db, &j->ev, e);
			continue;
		}
		/* gen also changes under the log's lock when a removed log
		 * is added again (find_log). */
		pthread_mutex_lock(&j->log->mu);
		bool is_void = j->gen != j->log->gen;
		pthread_mutex_unlock(&j->log->mu);
		if (is_void) {
			j->code = 503; /* checked against a state now void */
			continue;
		}
		r = wdb_log_update(w->db, j->log->v.name, j->log->vkey, j->size,
				   j->root, j->ev.request, j->ev.request_len,
				   j->now, e);
		if (r == ST_NOT_FOUND) {
			pthread_mutex_lock(&j->log->mu);
			j->log->removed = true;
			pthread_mutex_unlock(&j->log->mu);
			j->code = 404;
			r = ST_OK;
		} else if (r == ST_OK) {
			j->code = 200;
		}
	}
	buf_free(&held);
	if (r == ST_OK)
		r = wdb_commit(w->db, e);
	if (r != ST_OK)
		wdb_rollback(w->db);
	return r;
}

/* After a failed commit: every log's state as the database holds it. */
static void reload_all(struct witness_server *w)
{
	pthread_rwlock_rdlock(&w->table_lock);
	for (size_t b = 0; b < NBUCKETS; b++)
		for (struct wlog *l = w->buckets[b]; l != NULL; l = l->next) {
			struct wdb_log row;
			enum status r =
				wdb_log_get(w->db, l->v.name, &row, NULL);
			pthread_mutex_lock(&l->mu);
			if (r == ST_OK && strcmp(row.vkey, l->vkey) == 0) {
				log_load(l, &row);
			} else {
				/* Gone, or unreadable: void its updates
				 * and look it up afresh. */
				l->removed = true;
				l->gen++;
			}
			pthread_mutex_unlock(&l->mu);
		}
	pthread_rwlock_unlock(&w->table_lock);
}

static void job_done(struct wjob *j);

/* Commits a batch of jobs (the caller has the commit: w->committing) and
 * finishes each. */
static void commit_batch(struct witness_server *w, struct wjob *batch)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct err e = {.msg = ""};
	enum status r = commit_jobs(w, batch, &e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	atomic_fetch_add(&w->commit_ns,
			 (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000LL +
				    (t1.tv_nsec - t0.tv_nsec)));
	atomic_fetch_add(&w->commits, 1);
	atomic_store(&w->healthy, r == ST_OK);
	if (r != ST_OK) {
		fprintf(stderr,
			"sanilog: witness: a commit failed (%s); nothing of "
			"it was cosigned\n",
			e.msg);
		reload_all(w);
	}
	struct wjob *next;
	for (struct wjob *j = batch; j != NULL; j = next) {
		next = j->next;
		if (r != ST_OK && j->kind == JOB_COSIGN)
			j->code = 503;
		if (r == ST_OK && j->kind == JOB_EVIDENCE)
			atomic_fetch_add(&w->evidence, 1);
		if (j->code == 200)
			atomic_fetch_add(&w->committed, 1);
		job_done(j);
	}
}

/* Gives the commit back, and the queue to the committer. */
static void commit_release(struct witness_server *w)
{
	pthread_mutex_lock(&w->qmu);
	w->committing = false;
	pthread_cond_signal(&w->qcond);
	pthread_mutex_unlock(&w->qmu);
}

static void *committer(void *arg)
{
	struct witness_server *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->qmu);
		while ((w->head == NULL && !w->stopping) || w->committing)
			pthread_cond_wait(&w->qcond, &w->qmu);
		struct wjob *batch = w->head;
		w->head = w->tail = NULL;
		w->committing = batch != NULL;
		pthread_mutex_unlock(&w->qmu);
		if (batch == NULL)
			break; /* stopping, and nothing is queued */
		commit_batch(w, batch);
		commit_release(w);
	}
	return NULL;
}

/* Takes the commit for a request's own update when nothing is queued
 * and no one commits (add_checkpoint). */
static bool commit_reserve(struct witness_server *w)
{
	pthread_mutex_lock(&w->qmu);
	bool ok = !w->stopping && !w->committing && w->head == NULL;
	if (ok)
		w->committing = true;
	pthread_mutex_unlock(&w->qmu);
	return ok;
}

/* Queues j (under its log's lock, so that a log's updates reach the
 * database in the order they were checked).  False when the witness is
 * stopping.  A request that holds the commit (commit_reserve) and finds
 * the queue empty keeps j to commit it itself (*own): every update
 * checked before it is committed then, and every one checked after it
 * waits in the queue until it gives the commit back. */
static bool submit(struct witness_server *w, struct wjob *j, bool reserved,
		   bool *own)
{
	pthread_mutex_lock(&w->qmu);
	bool ok = !w->stopping;
	*own = ok && reserved && w->head == NULL;
	if (ok && !*own) {
		j->next = NULL;
		if (w->tail != NULL)
			w->tail->next = j;
		else
			w->head = j;
		w->tail = j;
		pthread_cond_signal(&w->qcond);
	}
	pthread_mutex_unlock(&w->qmu);
	return ok;
}

/* ---- add-checkpoint ---- */

struct wreq {
	struct witness_server *w;
	struct http_request *rq;
	struct buf body;
	struct wjob job;
	bool submitted;
	atomic_bool done;
	unsigned code; /* a refusal's status, or 200 */
	enum outcome outcome;
	struct buf reply; /* the cosignature line, or the refusal's text */
	int64_t held;	  /* a 409's size */
	size_t note_full; /* the checkpoint with its signatures */
	bool sign_failed; /* the cosignature could not be made */
	bool own;	  /* it commits its own update (add_checkpoint) */
};

static void wreq_free(void *p)
{
	struct wreq *q = p;
	buf_free(&q->body);
	buf_free(&q->reply);
	free(q);
}

static struct wreq *wreq_of(struct http_request *rq)
{
	struct wreq *q = http_state(rq);
	if (q != NULL)
		return q;
	if ((q = calloc(1, sizeof *q)) == NULL)
		return NULL;
	q->w = http_app(rq);
	q->rq = rq;
	buf_init(&q->body, WITNESS_BODY_MAX);
	buf_init(&q->reply, 4096);
	http_set_state(rq, q, wreq_free);
	return q;
}

static bool add_body(struct http_request *rq, const char *data, size_t len)
{
	struct wreq *q = wreq_of(rq);
	if (q == NULL || buf_append(&q->body, data, len) != ST_OK) {
		http_reply_error(rq, ST_NOMEM, 1, "out of memory");
		return false;
	}
	return true;
}

static void job_done(struct wjob *j)
{
	struct wreq *q = j->owner;
	atomic_store(&q->done, true);
	if (!q->own) /* else answered on its own thread, never suspended */
		http_resume(q->rq); /* q may be freed from here on */
}

/* Sets a refusal: its status, outcome and a line of text saying why. */
static void refuse(struct wreq *q, unsigned code, enum outcome o,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void refuse(struct wreq *q, unsigned code, enum outcome o,
		   const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	/* clang-tidy 14's analyzer takes ap for uninitialized here; it is
	 * not (va_start above). */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	q->code = code;
	q->outcome = o;
	buf_reset(&q->reply);
	if (buf_printf(&q->reply, "%s\n", msg) != ST_OK)
		buf_reset(&q->reply);
}

static void answer(struct wreq *q)
{
	struct http_request *rq = q->rq;
	if (q->submitted) {
		unsigned c = q->job.code;
		if (q->job.kind == JOB_COSIGN && c == 200 && q->sign_failed) {
			/* Recorded, but no line to send: the log asks again
			 * with the same sizes and gets it. */
			refuse(q, 500, O_UNAVAILABLE,
			       "internal error: no cosignature made");
		} else if (q->job.kind == JOB_COSIGN && c != 200) {
			if (c == 404)
				refuse(q, 404, O_UNKNOWN,
				       "unknown log: no longer witnessed");
			else
				refuse(q, 503, O_UNAVAILABLE,
				       "not cosigned: the witness could not "
				       "record it; try again");
		}
	}
	count(q->w, q->outcome);
	if (q->code == 409) {
		char text[32];
		int n = snprintf(text, sizeof text, "%lld\n",
				 (long long)q->held);
		http_reply(rq, 409, "text/x.tlog.size", text, (size_t)n);
	} else {
		http_reply_buf(rq, q->code, "text/plain; charset=utf-8",
			       &q->reply);
	}
	if (q->code == 503)
		http_reply_header(rq, "Retry-After", "1");
	http_reply_header(rq, "Cache-Control", "no-store");
}

/* Queues the evidence of a refusal that a valid log signature makes
 * proof of misbehaviour; the refusal is answered once it is kept. */
static bool keep_evidence(struct wreq *q, struct wlog *l)
{
	struct wjob *j = &q->job;
	j->kind = JOB_EVIDENCE;
	j->owner = q;
	j->log = l;
	j->ev.received = (int64_t)time(NULL);
	snprintf(j->ev.origin, sizeof j->ev.origin, "%s", l->v.name);
	j->ev.status = q->code;
	snprintf(j->ev.reason, sizeof j->ev.reason, "%.*s",
		 (int)(q->reply.len > 0 ? q->reply.len - 1 : 0),
		 buf_str(&q->reply));
	j->ev.request = (const char *)q->body.data;
	j->ev.request_len = q->body.len;
	q->submitted = true;
	bool own = false;
	return submit(q->w, j, false, &own);
}

/*
 * Checks the request against l's state and, when it passes, moves the
 * state and queues the update, all under l's lock.  Returns whether a job
 * was queued (the request then waits for the committer), or kept for the
 * request to commit itself (*own: it held the commit, reserved, and
 * nothing was queued).
 */
static bool check_and_update(struct wreq *q, struct wlog *l,
			     const struct witness_request *req,
			     const struct checkpoint *cp, bool reserved,
			     bool *own)
{
	bool queued = false, evidence = false;
	pthread_mutex_lock(&l->mu);
	if (l->removed) {
		refuse(q, 404, O_UNKNOWN, "unknown log: %s", cp->origin);
	} else if (req->old != l->size) {
		q->held = l->size;
		refuse(q, 409, O_CONFLICT,
		       "old size %lld: the witness holds size %lld",
		       (long long)req->old, (long long)l->size);
	} else if (req->old == cp->size) {
		if (l->has_root && memcmp(l->root, cp->root, HASH_LEN) != 0) {
			q->held = l->size;
			refuse(q, 409, O_CONFLICT,
			       "size %lld with another root than the one "
			       "the witness cosigned",
			       (long long)cp->size);
			evidence = true;
		} else if (req->nproof != 0) {
			refuse(q, 422, O_INCONSISTENT,
			       "a consistency proof from a size to itself "
			       "must be empty");
		}
	} else if (req->old > 0 &&
		   merkle_verify_consistency(req->old, cp->size, l->root,
					     cp->root, req->proof,
					     req->nproof) != ST_OK) {
		refuse(q, 422, O_INCONSISTENT,
		       "the consistency proof from size %lld to %lld does not "
		       "verify against the root the witness holds",
		       (long long)req->old, (long long)cp->size);
		evidence = true;
	}
	if (q->code == 0) {
		struct wjob *j = &q->job;
		j->kind = JOB_COSIGN;
		j->owner = q;
		j->log = l;
		j->gen = l->gen;
		j->size = cp->size;
		memcpy(j->root, cp->root, HASH_LEN);
		j->ev.request = req->note;
		j->ev.request_len = q->note_full;
		pthread_mutex_lock(&q->w->qmu);
		bool stopping = q->w->stopping;
		pthread_mutex_unlock(&q->w->qmu);
		if (stopping) {
			refuse(q, 503, O_UNAVAILABLE,
			       "the witness is stopping");
		} else {
			l->size = cp->size;
			memcpy(l->root, cp->root, HASH_LEN);
			l->has_root = true;
			l->cosigned = j->now;
			q->code = 200;
			q->outcome = O_COSIGNED;
			q->submitted = true;
			queued = submit(q->w, j, reserved, own);
		}
	}
	pthread_mutex_unlock(&l->mu);
	if (evidence)
		queued = keep_evidence(q, l);
	return queued;
}

/* Everything but the state: the body's form, the log, its signature, the
 * checkpoint, the sizes.  Fills req and cp; false after a refusal. */
static struct wlog *check_request(struct wreq *q, struct witness_request *req,
				  struct checkpoint *cp)
{
	struct err e = {.msg = ""};
	/* buf_str: an empty body has no data, and the parser is given a
	 * pointer all the same. */
	if (witness_request_parse(buf_str(&q->body), q->body.len, req, &e) !=
	    ST_OK) {
		refuse(q, 400, O_MALFORMED, "malformed request: %s", e.msg);
		return NULL;
	}
	const char *lf = memchr(req->note, '\n', req->note_len);
	size_t olen = lf != NULL ? (size_t)(lf - req->note) : 0;
	char origin[NOTE_NAME_MAX + 1];
	if (olen == 0 || olen > NOTE_NAME_MAX) {
		refuse(q, 400, O_MALFORMED,
		       "malformed checkpoint: no origin line");
		return NULL;
	}
	memcpy(origin, req->note, olen);
	origin[olen] = 0;
	if (strlen(origin) != olen) {
		refuse(q, 400, O_MALFORMED, "malformed checkpoint: a NUL");
		return NULL;
	}
	struct wlog *l = find_log(q->w, origin);
	if (l == NULL) {
		refuse(q, 404, O_UNKNOWN, "unknown log: %s", origin);
		return NULL;
	}
	size_t text_len = 0;
	enum status r =
		note_open(req->note, req->note_len, &l->v, 1, &text_len, &e);
	if (r == ST_BAD_SIGNATURE) {
		refuse(q, 403, O_FORBIDDEN,
		       "no valid signature of the log's key %s", l->vkey);
		return NULL;
	}
	if (r == ST_OK)
		r = checkpoint_parse(req->note, text_len, cp, &e);
	if (r != ST_OK) {
		refuse(q, 400, O_MALFORMED, "malformed checkpoint: %s", e.msg);
		return NULL;
	}
	if (req->old > cp->size) {
		refuse(q, 400, O_MALFORMED,
		       "old size %lld is above the checkpoint's size %lld",
		       (long long)req->old, (long long)cp->size);
		return NULL;
	}
	q->note_full = req->note_len;
	req->note_len = text_len; /* the body, for the cosignature */
	return l;
}

static enum http_next add_checkpoint(struct http_request *rq)
{
	struct wreq *q = wreq_of(rq);
	if (q == NULL) {
		http_reply_error(rq, ST_NOMEM, 1, "out of memory");
		return HTTP_DONE;
	}
	if (q->submitted) {
		answer(q); /* resumed by the committer */
		return HTTP_DONE;
	}
	struct witness_request req;
	struct checkpoint cp;
	struct wlog *l = check_request(q, &req, &cp);
	struct err ae = {.msg = ""};
	enum status admitted = l == NULL || q->w->admit == NULL
				       ? ST_OK
				       : q->w->admit(q->w->admit_ctx, &cp, &ae);
	if (admitted == ST_NOT_FOUND)
		refuse(q, 503, O_UNAVAILABLE, "not yet: %s", ae.msg);
	else if (admitted != ST_OK)
		refuse(q, 422, O_INCONSISTENT, "%s", ae.msg);
	if (l == NULL || admitted != ST_OK) {
		answer(q);
		return HTTP_DONE;
	}
	q->job.now = (int64_t)time(NULL);
	/* With nothing queued and no one committing, this request commits
	 * its own update on its own thread: neither the committer woken
	 * nor the request suspended (a request in sequence waits for its
	 * commit and nothing else).  Otherwise it is suspended first: the
	 * committer may resume it before this returns. */
	bool reserved = commit_reserve(q->w), own = false;
	if (!reserved)
		http_suspend(rq);
	bool queued = check_and_update(q, l, &req, &cp, reserved, &own);
	if (reserved && !own) {
		if (queued) /* after all: before the committer may take it */
			http_suspend(rq);
		commit_release(q->w);
	}
	if (!queued) {
		/* A refusal, or the witness is stopping (a refusal whose
		 * evidence it could not keep is still answered as what it
		 * is). */
		if (q->submitted && q->job.kind == JOB_COSIGN)
			refuse(q, 503, O_UNAVAILABLE,
			       "the witness is stopping");
		q->submitted = false;
		answer(q);
		if (reserved)
			return HTTP_DONE;
		http_resume(rq);
		return HTTP_SUSPENDED;
	}
	/* Cosigned after the check, so that the log's lock is held only
	 * for the check; while the committer commits, when queued.  The
	 * answer is made only after this returns, however early the
	 * committer resumes the request: libmicrohttpd runs a connection on
	 * one thread. */
	struct err e = {.msg = ""};
	if (q->job.kind == JOB_COSIGN &&
	    cosig_line(q->w->signer, req.note, req.note_len,
		       (uint64_t)q->job.now, &q->reply, &e) != ST_OK)
		q->sign_failed = true;
	if (!own)
		return HTTP_SUSPENDED;
	q->own = true;
	q->job.next = NULL;
	commit_batch(q->w, &q->job);
	commit_release(q->w);
	answer(q);
	return HTTP_DONE;
}

/* ---- what the witness says of itself ---- */

/* A time for people: "-" when there is none. */
static void time_text(int64_t t, char out[CLOCK_TIME_LEN + 1])
{
	if (t <= 0 || !clock_format(t, out))
		snprintf(out, CLOCK_TIME_LEN + 1, "-");
}

/* Calls fn on a copy of every log's state, by bucket. */
static enum status each_log(struct witness_server *w,
			    enum status (*fn)(void *ctx, const struct wlog *l),
			    void *ctx)
{
	enum status r = ST_OK;
	pthread_rwlock_rdlock(&w->table_lock);
	for (size_t b = 0; r == ST_OK && b < NBUCKETS; b++)
		for (struct wlog *l = w->buckets[b]; r == ST_OK && l != NULL;
		     l = l->next) {
			struct wlog copy;
			pthread_mutex_lock(&l->mu);
			copy = *l;
			pthread_mutex_unlock(&l->mu);
			if (!copy.removed)
				r = fn(ctx, &copy);
		}
	pthread_rwlock_unlock(&w->table_lock);
	return r;
}

static enum status info_line(void *ctx, const struct wlog *l)
{
	char when[CLOCK_TIME_LEN + 1];
	time_text(l->cosigned, when);
	return buf_printf(ctx, "log %s size %lld cosigned %s\n", l->vkey,
			  (long long)l->size, when);
}

static enum http_next info(struct http_request *rq)
{
	struct witness_server *w = http_app(rq);
	struct buf b;
	buf_init(&b, 64u << 20);
	enum status r = buf_printf(&b,
				   "sanilog witness %s\n"
				   "vkey %s\n"
				   "submit POST /add-checkpoint "
				   "(C2SP tlog-witness)\n",
				   w->name, w->vkey);
	if (r == ST_OK)
		r = each_log(w, info_line, &b);
	if (r == ST_OK)
		http_reply_buf(rq, 200, "text/plain; charset=utf-8", &b);
	else
		http_reply_error(rq, ST_NOMEM, 1, "out of memory");
	buf_free(&b);
	http_reply_header(rq, "Cache-Control", "no-cache");
	return HTTP_DONE;
}

static enum http_next healthz(struct http_request *rq)
{
	struct witness_server *w = http_app(rq);
	if (atomic_load(&w->healthy))
		http_reply_static(rq, 200, "text/plain", "ok\n", 3);
	else
		http_reply_static(rq, 503, "text/plain",
				  "failing: the witness's last commit "
				  "failed\n",
				  41);
	http_reply_header(rq, "Cache-Control", "no-store");
	return HTTP_DONE;
}

static enum http_next metrics(struct http_request *rq)
{
	struct witness_server *w = http_app(rq);
	struct buf b;
	buf_init(&b, 1u << 20);
	enum status r = http_metrics_format(w->http, &b);
	if (r == ST_OK)
		r = buf_printf(&b,
			       "# HELP sanilog_witness_add_checkpoint_total "
			       "add-checkpoint requests answered, by "
			       "outcome.\n"
			       "# TYPE sanilog_witness_add_checkpoint_total "
			       "counter\n");
	for (int o = 0; r == ST_OK && o < O__COUNT; o++)
		r = buf_printf(
			&b,
			"sanilog_witness_add_checkpoint_total"
			"{outcome=\"%s\"} %llu\n",
			outcome_names[o],
			(unsigned long long)atomic_load(&w->outcomes[o]));
	pthread_rwlock_rdlock(&w->table_lock);
	size_t nlogs = w->nlogs;
	pthread_rwlock_unlock(&w->table_lock);
	if (r == ST_OK)
		r = buf_printf(
			&b,
			"# HELP sanilog_witness_commits_total Transactions "
			"the witness committed (or tried to).\n"
			"# TYPE sanilog_witness_commits_total counter\n"
			"sanilog_witness_commits_total %llu\n"
			"# HELP sanilog_witness_commit_seconds_total Time "
			"spent in them.\n"
			"# TYPE sanilog_witness_commit_seconds_total counter\n"
			"sanilog_witness_commit_seconds_total %.6f\n"
			"# HELP sanilog_witness_cosigned_committed_total "
			"Cosignatures made durable.\n"
			"# TYPE sanilog_witness_cosigned_committed_total "
			"counter\n"
			"sanilog_witness_cosigned_committed_total %llu\n"
			"# HELP sanilog_witness_evidence_total Refusals kept "
			"as evidence of misbehaviour.\n"
			"# TYPE sanilog_witness_evidence_total counter\n"
			"sanilog_witness_evidence_total %llu\n"
			"# HELP sanilog_witness_logs Logs known to the "
			"witness in memory.\n"
			"# TYPE sanilog_witness_logs gauge\n"
			"sanilog_witness_logs %zu\n"
			"# HELP sanilog_witness_healthy 1 when the last "
			"commit went through.\n"
			"# TYPE sanilog_witness_healthy gauge\n"
			"sanilog_witness_healthy %d\n",
			(unsigned long long)atomic_load(&w->commits),
			(double)atomic_load(&w->commit_ns) / 1e9,
			(unsigned long long)atomic_load(&w->committed),
			(unsigned long long)atomic_load(&w->evidence), nlogs,
			atomic_load(&w->healthy) ? 1 : 0);
	if (r == ST_OK)
		http_reply_buf(rq, 200, "text/plain; version=0.0.4", &b);
	else
		http_reply_error(rq, ST_NOMEM, 1, "out of memory");
	buf_free(&b);
	http_reply_header(rq, "Cache-Control", "no-store");
	return HTTP_DONE;
}

static const struct http_route routes[] = {
	{.pattern = "/add-checkpoint",
	 .name = "add-checkpoint",
	 .methods = HTTP_POST,
	 .body_max = WITNESS_BODY_MAX,
	 .body = add_body,
	 .handle = add_checkpoint},
	{.pattern = "/", .name = "info", .methods = HTTP_GET, .handle = info},
	{.pattern = "/healthz",
	 .name = "healthz",
	 .methods = HTTP_GET,
	 .handle = healthz},
	{.pattern = "/metrics",
	 .name = "metrics",
	 .methods = HTTP_GET,
	 .handle = metrics},
};

/* ---- start and stop ---- */

static void logs_free(struct wlog *l)
{
	for (struct wlog *next; l != NULL; l = next) {
		next = l->next;
		pthread_mutex_destroy(&l->mu);
		free(l);
	}
}

static void server_free(struct witness_server *w)
{
	for (size_t b = 0; b < NBUCKETS; b++)
		logs_free(w->buckets[b]);
	logs_free(w->retired);
	wdb_close(w->db);
	wdb_close(w->rdb);
	pthread_rwlock_destroy(&w->table_lock);
	pthread_mutex_destroy(&w->dbmu);
	pthread_mutex_destroy(&w->qmu);
	pthread_cond_destroy(&w->qcond);
	free(w);
}

static void committer_stop(struct witness_server *w)
{
	if (!w->committer_started)
		return;
	pthread_mutex_lock(&w->qmu);
	w->stopping = true;
	pthread_cond_signal(&w->qcond);
	pthread_mutex_unlock(&w->qmu);
	pthread_join(w->committer, NULL);
	w->committer_started = false;
}

enum status witness_server_start(const struct witness_options *o,
				 struct witness_server **out, struct err *e)
{
	*out = NULL;
	struct witness_server *w = calloc(1, sizeof *w);
	if (w == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	w->signer = o->signer;
	w->admit = o->admit;
	w->admit_ctx = o->admit_ctx;
	pthread_rwlock_init(&w->table_lock, NULL);
	pthread_mutex_init(&w->dbmu, NULL);
	pthread_mutex_init(&w->qmu, NULL);
	pthread_cond_init(&w->qcond, NULL);
	atomic_store(&w->healthy, true);
	struct note_verifier me;
	note_signer_verifier(o->signer, &me);
	enum status r;
	if ((r = wdb_open(o->db_path, false, &w->db, e)) != ST_OK ||
	    (r = wdb_open(o->db_path, true, &w->rdb, e)) != ST_OK ||
	    (r = wdb_meta(w->db, "name", w->name, sizeof w->name, e)) !=
		    ST_OK ||
	    (r = wdb_meta(w->db, "vkey", w->vkey, sizeof w->vkey, e)) != ST_OK)
		goto fail;
	char mine[NOTE_VKEY_MAX + 1];
	note_cosigner_format(&me, mine, sizeof mine);
	if (strcmp(mine, w->vkey) != 0) {
		r = err_set(e, ST_FORBIDDEN,
			    "the key file is not this witness's: it is %s, "
			    "the database says %s",
			    mine, w->vkey);
		goto fail;
	}
	if ((r = wdb_logs(w->db, load_one, w, e)) != ST_OK)
		goto fail;
	if (pthread_create(&w->committer, NULL, committer, w) != 0) {
		r = err_set(e, ST_NOMEM, "cannot start the committer thread");
		goto fail;
	}
	w->committer_started = true;
	if ((r = http_server_new(&o->http, routes,
				 sizeof routes / sizeof routes[0], w, &w->http,
				 e)) != ST_OK)
		goto fail;
	*out = w;
	return ST_OK;
fail:
	committer_stop(w);
	server_free(w);
	return r;
}

unsigned witness_server_port(const struct witness_server *w)
{
	return http_server_port(w->http);
}

void witness_server_stop(struct witness_server *w, unsigned grace_ms)
{
	if (w == NULL)
		return;
	http_server_quiesce(w->http);
	http_server_wait_idle(w->http, grace_ms);
	/* What is queued is committed and answered; new requests get 503. */
	committer_stop(w);
	http_server_wait_idle(w->http, 1000);
	http_server_free(w->http);
	server_free(w);
}
