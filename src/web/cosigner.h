/*
 * cosigner.h: the server's witnessing thread: it has each new checkpoint
 * countersigned by the witnesses of the log's policy (C2SP tlog-witness),
 * keeps their cosignatures, and marks the newest checkpoint that meets
 * the policy's quorum as the one the log serves (store.h: the meta
 * "witnessed").
 *
 * The policy in force is the newest witness-policy entry the newest
 * checkpoint includes.  Each witness is asked on its own, all at once,
 * on kept-alive connections (net/wclient.h): for the newest checkpoint,
 * with a consistency proof from the size it last cosigned (learned from
 * its 409 when not known), again and again as the log grows; with no new
 * entry, for the same checkpoint every COSIGNER_REFRESH_S, so that the
 * cosignatures' times say the view is current.  A witness that fails is
 * asked again after a back-off (half a second, doubling to a minute).
 *
 * The cosignatures and the mark are written by the writer thread
 * (writer_run), in one transaction per round of answers: the database
 * has one writer.  A witness that is down never stops an upload; the log
 * then serves the newest checkpoint that did meet the quorum.
 */
#ifndef SANILOG_COSIGNER_H
#define SANILOG_COSIGNER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "core/buf.h"
#include "writer.h"

#define COSIGNER_REFRESH_S  300	 /* same-size cosignatures, at least */
#define COSIGNER_TIMEOUT_MS 5000 /* one request to a witness */

struct cosigner;

/* Starts the thread on the database at db_path (it reads through a
 * connection of its own) and the writer w (borrowed: it must outlive the
 * cosigner). */
enum status cosigner_start(const char *db_path, struct writer *w,
			   struct cosigner **out, struct err *e);

/* A new checkpoint was committed: look again now.  Any thread. */
void cosigner_kick(struct cosigner *c);

/* Stops the thread (what is in flight is dropped) and frees c.  Accepts
 * NULL. */
void cosigner_stop(struct cosigner *c);

/* Whether the log is witnessed and serves a checkpoint older than its
 * newest for longer than a minute, or a witness has failed three times
 * in a row: /healthz says degraded.  why gets a line for people. */
bool cosigner_degraded(struct cosigner *c, char *why, size_t whysize);

/* Appends the Prometheus lines of each witness (last success, latency,
 * failures, size cosigned) and of the quorum. */
enum status cosigner_metrics(struct cosigner *c, struct buf *out);

#endif
