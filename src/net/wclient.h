/*
 * wclient.h: a log's side of C2SP tlog-witness: add-checkpoint requests to
 * several witnesses at once, on one libcurl multi handle, each answered on
 * its own as it arrives.
 *
 * The multi handle keeps its connections open between requests
 * (keep-alive), so that a witness asked every few milliseconds is asked
 * on one connection.  Each request is bounded: WCLIENT_CONNECT_MS to
 * connect, the timeout given for the whole exchange, WCLIENT_BODY_MAX
 * bytes of answer, http and https only, no redirect, TLS verified.
 *
 * One thread drives a wclient (start, poll); any thread may wake it.
 */
#ifndef SANILOG_WCLIENT_H
#define SANILOG_WCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "core/buf.h"
#include "core/note.h"
#include "core/witness.h"

#define WCLIENT_CONNECT_MS 2000
#define WCLIENT_BODY_MAX   (64u << 10)
#define WCLIENT_URL_MAX	   512
#define WCLIENT_LINE_MAX   (NOTE_NAME_MAX + 120) /* a cosignature line */

/* One add-checkpoint request and its answer. */
struct wclient_call {
	/* in (borrowed until the call is done) */
	const char *url; /* the witness's prefix: "<url>/add-checkpoint" */
	const struct note_verifier *witness; /* its cosigner key */
	const char *body;		     /* the request body */
	size_t body_len;
	/* the checkpoint's text (without its signatures): what the
	 * cosignature must sign */
	const char *checkpoint;
	size_t checkpoint_len;
	long timeout_ms;
	void *cls; /* the caller's */

	/* out, when done:
	 *   ST_OK             200 with a valid cosignature of the witness's
	 *                     key: line, time
	 *   ST_CONFLICT       409: held is the size the witness holds
	 *   ST_BAD_SIGNATURE  200 without a valid cosignature of its key
	 *   ST_INVALID        another 4xx (http says which)
	 *   ST_IO             no answer: connection, timeout, a 5xx, a body
	 *                     too long or malformed
	 * err says what happened in words. */
	enum status st;
	unsigned http; /* the status code, 0 when none came */
	int64_t held;
	char line[WCLIENT_LINE_MAX + 1]; /* with its LF */
	uint64_t time;
	double seconds; /* from start to answer */
	struct err err;

	/* the wclient's */
	void *easy;
	struct buf answer;
	char full_url[WCLIENT_URL_MAX + 32];
	char ctype[64];
	int64_t started_ns;
};

struct wclient;

enum status wclient_new(struct wclient **out, struct err *e);

/* Accepts NULL.  Calls must not be under way (wclient_cancel). */
void wclient_free(struct wclient *c);

/* Starts call (its outs are reset).  ST_NOMEM, or ST_INVALID for a URL
 * that is not http(s) or too long (call is then done at once: its st and
 * err say so, and it is not reported by wclient_poll). */
enum status wclient_start(struct wclient *c, struct wclient_call *call);

/*
 * Runs the calls under way for up to timeout_ms, or until wclient_wakeup,
 * and hands each one that finished to done(call) (on this thread), after
 * which the wclient no longer touches it.  Returns the number under way.
 */
size_t wclient_poll(struct wclient *c, int timeout_ms,
		    void (*done)(struct wclient_call *call));

/* Drops a call under way (it is not reported).  Nothing when it is not
 * under way. */
void wclient_cancel(struct wclient *c, struct wclient_call *call);

/* Makes a wclient_poll under way (or the next one) return at once.  Any
 * thread. */
void wclient_wakeup(struct wclient *c);

/*
 * Reads a 200 answer's body: the cosignature line of witness on the
 * checkpoint text[0..len), into line (WCLIENT_LINE_MAX + 1 bytes, with
 * its LF) and *time.  Lines of other keys are ignored.  ST_BAD_SIGNATURE
 * when a line of its key does not verify or there is none; ST_INVALID for
 * a body that is not signature lines.  (wclient_poll uses it; so may a
 * test.)
 */
enum status wclient_cosignature(const struct note_verifier *witness,
				const char *text, size_t len, const char *body,
				size_t body_len, char *line, uint64_t *time,
				struct err *e);

#endif
