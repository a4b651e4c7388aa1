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

static bool leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool clock_date_valid(const char *d, size_t len)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};
	if (len != CLOCK_DATE_LEN || d[4] != '-' || d[7] != '-')
		return false;
	for (size_t i = 0; i < CLOCK_DATE_LEN; i++)
		if (i != 4 && i != 7 && !is_digit(d[i]))
			return false;
	int y = digits2(d) * 100 + digits2(d + 2);
	int m = digits2(d + 5);
	int day = digits2(d + 8);
	if (m < 1 || m > 12 || day < 1)
		return false;
	int max = mdays[m - 1] + (m == 2 && leap_year(y));
	return day <= max;
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
	if (!clock_format((int64_t)time(NULL), out))
		return err_set(e, ST_INTERNAL, "clock: cannot format time");
	return ST_OK;
}

bool clock_format(int64_t seconds, char *out)
{
	time_t t = (time_t)seconds;
	struct tm tm;
	return seconds >= 0 && gmtime_r(&t, &tm) != NULL &&
	       strftime(out, CLOCK_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) ==
		       CLOCK_TIME_LEN;
}

double clock_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
