/*
 * progress.c: a progress bar on stderr (progress.h).
 */
#include "progress.h"

#include <inttypes.h>
#include <stdio.h>

void progress_bar(const char *label, int64_t done, int64_t total,
		  const char *unit, double rate, bool last)
{
	int pct = total > 0 ? (int)(done * 100 / total) : 100;
	int bar = pct / 4;
	fprintf(stderr,
		"\r%-5s [%.*s%*s] %3d%% %" PRId64 "/%" PRId64 " %s  %.0f/s  ",
		label, bar, "#########################", 25 - bar, "", pct,
		done, total, unit, rate);
	if (last)
		fputc('\n', stderr);
}
