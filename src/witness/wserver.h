/*
 * wserver.h: a transparency-log witness on HTTP (C2SP tlog-witness).
 *
 *   POST /add-checkpoint  the request body of witness.h; answered
 *       200  the cosignature line (text/plain), once the new state is
 *            durable
 *       400  a malformed body or checkpoint, or an old size above the
 *            checkpoint's
 *       403  no signature of the log's key verifies
 *       404  a log the witness does not witness
 *       409  text/x.tlog.size "<size>\n": the old size is not the size the
 *            witness holds, or it is and the root differs
 *       413  a body over WITNESS_BODY_MAX
 *       422  the consistency proof does not verify
 *   GET /          who the witness is: name, verifier key, and per log
 *                  its verifier key and the size it holds (text/plain)
 *   GET /healthz   "ok", or 503 when the database cannot be written
 *   GET /metrics   Prometheus text
 *
 * Check and update are one step: the witness keeps each log's state in
 * memory, and a request is checked against it and moves it under the
 * log's lock, so that no two requests can roll each other back.  The
 * new states go to the database through one committer thread, which
 * commits every update queued at once in one transaction (group commit)
 * and answers those requests only after the commit: a cosignature is
 * never sent for a state that a crash could lose.  Should a commit fail,
 * every request checked against a state it held fails (503), and the
 * states are read again from the database.  A 409 for the same size with
 * another root, and a 422, when the checkpoint's log signature verified,
 * are kept as evidence (wdb.h) before they are answered.
 *
 * A log added to the database while the witness runs is found at its
 * first request; one removed is refused from its next commit on.
 */
#ifndef SANILOG_WSERVER_H
#define SANILOG_WSERVER_H

#include "base/status.h"
#include "core/note.h"
#include "web/http.h"

#define WITNESS_BODY_MAX (64u << 10) /* largest add-checkpoint body */

/*
 * Called, when set, for each checkpoint that passed every check but those
 * against the witness's state, before them, on the request's thread (so
 * from several threads at once): ST_OK to go on; ST_NOT_FOUND to answer
 * 503 (not yet: the log will ask again); another status to answer 422;
 * e says why.  `witness serve --mirror` admits only what a mirror holds.
 */
typedef enum status (*witness_admit_fn)(void *ctx, const struct checkpoint *cp,
					struct err *e);

struct witness_options {
	const char *db_path;		  /* the witness database */
	const struct note_signer *signer; /* its cosigner key (borrowed) */
	struct http_config http;
	witness_admit_fn admit; /* or NULL */
	void *admit_ctx;
};

struct witness_server;

/* Opens the database, reads the logs and starts serving.  *out is new
 * (stop with witness_server_stop). */
enum status witness_server_start(const struct witness_options *o,
				 struct witness_server **out, struct err *e);

unsigned witness_server_port(const struct witness_server *w);

/* Stops accepting, answers what is in flight (waiting up to grace_ms),
 * and frees w.  Accepts NULL. */
void witness_server_stop(struct witness_server *w, unsigned grace_ms);

#endif
