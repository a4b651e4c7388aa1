/*
 * sequencer.h: the one writer of the log.
 *
 * sequencer_append takes a batch of requests, checks each against the log's
 * rules (core/rules.c: the venue chain, revocation targets, provider keys,
 * attestations; and here, document types and sizes), and commits the accepted
 * ones in one transaction with their documents, stored tree hashes and a newly
 * signed checkpoint.  Only after that commit does a request count as logged.
 *
 * The sequencer sets each entry's venue-seq, prev and logged; the caller
 * sets the kind and the kind's own fields.
 */
#ifndef SANILOG_SEQUENCER_H
#define SANILOG_SEQUENCER_H

#include <stddef.h>
#include <stdint.h>

#include "core/entry.h"
#include "core/note.h"
#include "store/store.h"

#define DOC_MAX_DEFAULT (10 * 1024 * 1024)

struct seq_request {
	/* in */
	struct entry entry; /* kind and its fields; see above */
	bool new_venue;	    /* kind venue: must be the venue's first */
	const uint8_t *doc; /* a document's bytes (kind document) */
	size_t doc_len;
	/* SHA-256 of doc[0..doc_len) when the caller has it (the server
	 * hashes uploads as they stream in), or NULL: the sequencer hashes
	 * doc itself.  The caller vouches for it: it is not checked. */
	const uint8_t *doc_sha256;
	/* The caller has written doc's file already (store/docfiles.h, by
	 * doc_sha256), so that the writer does not: the server's upload
	 * threads write their own, side by side. */
	bool doc_stored;
	const char *attestation; /* the provider's signed note, or NULL */
	size_t attestation_len;
	/* out */
	enum status status;	/* ST_OK if logged */
	struct err err;		/* why not */
	int64_t index;		/* its leaf index */
	uint8_t leaf[HASH_LEN]; /* its leaf hash */
};

struct sequencer;

/* A sequencer writing to s, signing with signer (both borrowed: they must
 * outlive it).  Reads the log's origin from s. */
enum status sequencer_new(struct store *s, const struct note_signer *signer,
			  struct sequencer **out, struct err *e);

/* Accepts NULL. */
void sequencer_free(struct sequencer *q);

/* The store q writes (for tasks that must share its connection). */
struct store *sequencer_store(struct sequencer *q);

/* The largest document accepted (default DOC_MAX_DEFAULT). */
void sequencer_set_doc_max(struct sequencer *q, size_t max);

/*
 * Appends reqs[0..n).  Each request gets its own status: one refused by a
 * rule changes nothing and does not stop the others.  Returns ST_OK when
 * the batch committed (or nothing was to commit); otherwise nothing of the
 * batch was written, every request's status says so, and e says why.
 * On ST_OK, *checkpoint (when not NULL) receives the new signed checkpoint.
 */
/* The status of the requests of a batch that failed as a whole with r:
 * r when the log was busy or failed, ST_INTERNAL for any other r (a rule
 * of the database refused what the sequencer had let through). */
enum status sequencer_batch_status(enum status r);

enum status sequencer_append(struct sequencer *q, struct seq_request *reqs,
			     size_t n, struct buf *checkpoint, struct err *e);

/* Signs and keeps a checkpoint of the log as it is (init uses this for the
 * empty log). */
enum status sequencer_checkpoint(struct sequencer *q, struct buf *checkpoint,
				 struct err *e);

#endif
