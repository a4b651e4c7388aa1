/*
 * survey.h: every venue of a log, verified over HTTP(S) from its tiles:
 * the inspector's `sanilog report URL` (DESIGN.md "Reports", "The
 * district report").
 *
 * From https://host[/prefix] (or a venue URL of the log, whose pin, if
 * any, is checked) it fetches
 *   /checkpoint                   the log's newest signed checkpoint;
 *   /tile/entries/<N>[.p/<W>]     every entry up to its tree size (4
 *                                 transfers at once, handled in order),
 *                                 each parsed (rule 3's form) and put
 *                                 through rules_check in log order (the
 *                                 chains and logged times of rule 3, the
 *                                 attestations and provider keys of rule
 *                                 5, each signature verified, the
 *                                 revocations of rule 6), the leaves
 *                                 rebuilding the tree in O(log n) memory
 *                                 to compare its root with the
 *                                 checkpoint's (rule 9 "tree");
 *   /tile/<L>/<N>[.p/<W>]         every hash tile of that tree, read
 *                                 beside the entries and compared with
 *                                 the rebuilt tree as remote.h's full
 *                                 does (rule 9 "hash tiles");
 *   /v/<venue>/bundle.json        only without a key given: the log key
 *                                 the bundle carries (of the URL's venue,
 *                                 else the log's first), checked against
 *                                 the pin when the URL has one;
 *   /checkpoints/<n> (or /checkpoint/<n>), /proof/consistency
 *                                 rule 8: the pin and the checkpoint seen
 *                                 before, as remote.h does them.
 * Then rule 7 for each venue (rules_fresh): the newest valid sanitization,
 * the next due date, overdue and expired, on today.  Documents' bytes
 * (rule 4) are not fetched: `verify URL` of a venue does that.
 *
 * Memory: O(venues + documents) for the venues' summaries and the rules'
 * record, O(log n) for the tree; the tiles stream.
 */
#ifndef SANILOG_SURVEY_H
#define SANILOG_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/note.h"
#include "core/pin.h"
#include "core/verify.h"
#include "net/fetch.h"

/* One venue as the log has it on the survey's day. */
struct survey_venue {
	char venue[VENUE_ID_LEN + 1];
	int64_t index; /* of its first entry */
	char *name;    /* owned: the newest kind venue entry's */
	char *address; /* owned */
	int interval_days;
	bool has_latest;   /* a valid (not revoked) sanitization on record */
	char last[11];	   /* its performed date, YYYY-MM-DD; "" without */
	char next_due[11]; /* rules_fresh's; "" without */
	bool overdue;
	bool expired;
};

struct survey_options {
	const struct note_verifier *key;   /* --key, or NULL: the bundle's */
	char today[11];			   /* YYYY-MM-DD for rule 7 */
	bool remember;			   /* rule 8: the checkpoint cache, and
					      remember the checkpoint when every
					      check passed */
	bool progress;			   /* a progress bar on stderr */
	int parallel;			   /* tile transfers at once; 0: 4 */
	const struct fetch_options *fetch; /* NULL: fetch.h's defaults */
};

struct survey_result {
	struct verify_report rep;    /* the checks; owned */
	struct survey_venue *venues; /* owned; in the order of their
					first entries; only when rep.ok */
	size_t nvenues;
	char origin[NOTE_NAME_MAX + 1]; /* the checkpoint's, once verified */
	int64_t tree_size;		/* entries read; -1 before */
	double seconds;			/* reading the tiles */
	bool pinned;			/* the key was --key or the URL's pin */
	bool remembered;		/* the checkpoint cache was written */
	char cache_warning[512];	/* why it could not be, or "" */
};

/*
 * Takes apart the URL of a log: "https://host[/prefix][/]", or a venue
 * URL of it (pin_parse_venue_url; *has_venue then true).  ST_INVALID with
 * e when it is neither.
 */
enum status survey_parse_url(const char *url, struct venue_url *out,
			     bool *has_venue, struct err *e);

/*
 * Surveys the log at u (u->venue used only when has_venue).  Returns ST_OK
 * when the checks could be made: res->rep.ok says whether every one
 * passed, and only then res->venues holds the venues.  Another status
 * when they could not (network, a server error, out of memory, a log with
 * no venue to take its key from and no key given), with e.  res must be
 * freed either way.  Nothing is written but the checkpoint cache, and
 * that only when every check passed.
 */
enum status survey_run(const struct venue_url *u, bool has_venue,
		       const struct survey_options *o,
		       struct survey_result *res, struct err *e);

/* Accepts a result never filled (all zero). */
void survey_result_free(struct survey_result *res);

#endif
