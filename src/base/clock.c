/*
 * clock.c: the log's clock and the checks of its text forms (see
 * clock.h).
 */
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int digits2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The calendar's work is the C library's: d (of the form, unchecked) at
 * midnight UTC, and whether it names a real day (timegm carries a day
 * past its month's end, or a month past 12, into the next). */
static time_t date_time(const char *d, bool *real)
{
	struct tm tm = {
		.tm_year = digits2(d) * 100 + digits2(d + 2) - 1900,
		.tm_mon = digits2(d + 5) - 1,
		.tm_mday = digits2(d + 8),
	};
	struct tm back;
	time_t t = timegm(&tm);

	*real = gmtime_r(&t, &back) != NULL &&
		back.tm_year == digits2(d) * 100 + digits2(d + 2) - 1900 &&
		back.tm_mon == digits2(d + 5) - 1 &&
		back.tm_mday == digits2(d + 8);
	return t;
}

bool clock_date_valid(const char *d, size_t len)
{
	bool real = false;

	if (len != CLOCK_DATE_LEN || d[4] != '-' || d[7] != '-')
		return false;
	for (size_t i = 0; i < CLOCK_DATE_LEN; i++)
		if (i != 4 && i != 7 && !is_digit(d[i]))
			return false;
	/* Month 00 or day 00 would be carried back into the month or year
	 * before. */
	if (digits2(d + 5) == 0 || digits2(d + 8) == 0)
		return false;
	date_time(d, &real);
	return real;
}

int64_t clock_date_days(const char *d)
{
	bool real;

	return (int64_t)date_time(d, &real) / 86400;
}

bool clock_time_valid(const char *t, size_t len)
{
	if (len != CLOCK_TIME_LEN || !clock_date_valid(t, CLOCK_DATE_LEN) ||
	    t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z')
		return false;
	for (size_t i = 11; i < 19; i += 3)
		if (!is_digit(t[i]) || !is_digit(t[i + 1]))
			return false;
	return digits2(t + 11) <= 23 && digits2(t + 14) <= 59 &&
	       digits2(t + 17) <= 59;
}

enum status log_now(char *out, struct err *e)
{
	const char *fixed = getenv("SANILOG_NOW");
	if (fixed != NULL && fixed[0] != 0) {
		if (!clock_time_valid(fixed,
				      strnlen(fixed, CLOCK_TIME_LEN + 1)))
			return err_set(e, ST_INVALID,
				       "SANILOG_NOW: not YYYY-MM-DDTHH:MM:SSZ");
		snprintf(out, CLOCK_TIME_LEN + 1, "%s", fixed);
		return ST_OK;
	}
	time_t t = time(NULL);
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, CLOCK_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) !=
		    CLOCK_TIME_LEN)
		return err_set(e, ST_INTERNAL, "clock: cannot format time");
	return ST_OK;
}
