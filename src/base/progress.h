/*
 * progress.h: a progress bar on stderr, for a terminal.
 */
#ifndef SANILOG_PROGRESS_H
#define SANILOG_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* "label [####   ]  42% done/total unit  rate/s", redrawn in place
 * (a carriage return first), last ending the line. */
void progress_bar(const char *label, int64_t done, int64_t total,
		  const char *unit, double rate, bool last);

#endif
