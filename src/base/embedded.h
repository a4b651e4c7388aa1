/*
 * embedded.h: the files of templates/, assets/ and lang/, built into the binary
 * (tools/embed.c generates the table at build time).
 */
#ifndef SANILOG_EMBEDDED_H
#define SANILOG_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;	   /* e.g. "assets/verify.js" */
	const unsigned char *data; /* NUL-terminated, not counted in len */
	size_t len;
};

/* Ends with an entry whose name is NULL. */
extern const struct embedded_file embedded_files[];

#endif
