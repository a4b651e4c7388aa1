/*
 * report.h: how the command line shows a venue and a verification report,
 * to people and (--json) to scripts.
 */
#ifndef SANILOG_REPORT_H
#define SANILOG_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/verify.h"

/* The venue, its latest sanitization (overdue/expired), and its history. */
void report_print_venue(FILE *f, const char *venue,
			const struct verify_report *rep, bool history);

/* A venue's state on the report's day, in the order a verdict takes
 * them: expired before overdue before none (no sanitization on record)
 * before current. */
enum report_state {
	REPORT_CURRENT,
	REPORT_OVERDUE,
	REPORT_EXPIRED,
	REPORT_NONE,
};

/* The state of a verified venue (rule 7's latest, overdue, expired). */
enum report_state report_state_of(const struct verify_report *rep);

/* "current", "overdue", "expired" or "none", as JSON and CSV give it. */
const char *report_state_str(enum report_state s);

/* The venue's whole history, oldest first, one line an entry: its log
 * index, its date (a document's performed date, else the day logged), its
 * type, title, provider and whether the provider signed it, and whether
 * it was revoked. */
void report_print_history(FILE *f, const struct verify_report *rep);

/* Each check with ✓ or ✗ and its detail; under a failed check that names
 * a document by its log index ("entry 17"), a line naming it by its title
 * too.  Ends with "valid" or "INVALID". */
void report_print_checks(FILE *f, const struct verify_report *rep);

/* For --require-current, the last line of a valid report: "current: ..."
 * or "NOT CURRENT: ...", saying why. */
void report_print_current(FILE *f, const struct verify_report *rep);

/* The report as JSON (new reference), with its checks and validity when
 * checks is true. */
json_t *report_json(const char *venue, const struct verify_report *rep,
		    bool checks);

/* Only the checks and the validity: {"checks": [...], "valid": bool} (new
 * reference; NULL when out of memory). */
json_t *report_checks_json(const struct verify_report *rep);

#endif
