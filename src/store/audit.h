/*
 * audit.h: the operator's full audit of a database.
 *
 * Recomputes the whole tree from the entries and compares every stored
 * hash; checks every kept checkpoint's signature, origin and root (so all
 * kept checkpoints are consistent with one another and with the entries);
 * parses every entry and checks every venue chain, every document's file
 * (there, and hashing to its name),
 * every revocation and every attestation against the provider keys logged
 * before it; and, given the newest checkpoint seen before, checks that the
 * log still contains it (a log that went back or forked fails).
 * Memory stays bounded by the number of venues and providers, not entries.
 */
#ifndef SANILOG_AUDIT_H
#define SANILOG_AUDIT_H

#include <stdint.h>

#include "core/note.h"
#include "core/verify.h"
#include "store/store.h"

/* Called now and then with how many entries are done of how many. */
typedef void (*audit_progress_fn)(void *ctx, int64_t done, int64_t total);

struct audit_options {
	const struct note_verifier *key; /* the log key */
	const char *seen;		 /* newest signed checkpoint seen
					    before (rule 8), or NULL */
	size_t seen_len;
	audit_progress_fn progress; /* or NULL */
	void *progress_ctx;
	struct store *docs; /* a second connection to the same database:
			       documents are then checked on a thread of
			       their own; NULL checks them after the entries */
	int threads;	    /* threads verifying attestations (0: none,
			       the auditing thread verifies them) */
};

struct audit_result {
	int64_t entries;
	int64_t checkpoints;
	int64_t documents;
	int64_t attestations;
	int64_t venues;
	int64_t orphans;	  /* files of the documents' folder no document
				     names (reported, not a failure) */
	struct checkpoint newest; /* the newest kept checkpoint */
};

/*
 * Audits s.  Returns ST_OK when the audit ran (rep->ok says whether the log
 * is valid; rep->checks say what was checked and what failed, and where);
 * another status when it could not run (e.g. the database is unreadable),
 * with e.  Free rep with verify_report_free.
 */
enum status audit_store(struct store *s, const struct audit_options *o,
			struct verify_report *rep, struct audit_result *res,
			struct err *e);

#endif
