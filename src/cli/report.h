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

/* Each check with ✓ or ✗ and its detail. */
void report_print_checks(FILE *f, const struct verify_report *rep);

/* The report as JSON (new reference), with its checks and validity when
 * checks is true. */
json_t *report_json(const char *venue, const struct verify_report *rep,
		    bool checks);

/* Only the checks and the validity: {"checks": [...], "valid": bool} (new
 * reference; NULL when out of memory). */
json_t *report_checks_json(const struct verify_report *rep);

#endif
