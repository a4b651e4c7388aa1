/*
 * clock.h: the log's clock, and the text forms of the dates and times it
 * writes (DESIGN.md "Conventions").
 *
 * A date is YYYY-MM-DD, a real proleptic Gregorian date of the years 0000
 * to 9999; a time is exactly YYYY-MM-DDTHH:MM:SSZ, in UTC, hours 00-23,
 * minutes and seconds 00-59 (no leap second).  Entries carry both
 * (core/entry.h reads them with these checks); the clock writes times.
 *
 * Nothing here allocates; log_now reads the environment and the system
 * clock, nothing else.
 */
#ifndef SANILOG_CLOCK_H
#define SANILOG_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define CLOCK_DATE_LEN 10 /* "YYYY-MM-DD" */
#define CLOCK_TIME_LEN 20 /* "YYYY-MM-DDTHH:MM:SSZ" */

/* Whether d[0..len) is a date of the form above (a real date). */
bool clock_date_valid(const char *d, size_t len);

/* Whether t[0..len) is a time of the form above (a real date and time). */
bool clock_time_valid(const char *t, size_t len);

/*
 * The log's clock: now in UTC, or $SANILOG_NOW when set (tests pin it),
 * written as YYYY-MM-DDTHH:MM:SSZ and a NUL into out (CLOCK_TIME_LEN + 1
 * = 21 bytes).  ST_INVALID when $SANILOG_NOW is set but not such a time,
 * ST_INTERNAL when the system's time cannot be written; e says which.
 */
enum status log_now(char *out, struct err *e);

/* POSIX time seconds written as above, and a NUL, into out (21 bytes).
 * False (out unspecified) for a negative time or a year past 9999. */
bool clock_format(int64_t seconds, char *out);

/* Seconds on the monotonic clock, for measuring how long something took. */
double clock_mono_s(void);

#endif
