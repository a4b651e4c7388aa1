/*
 * status.c: names and HTTP codes of the status enum, and error messages.
 */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int http;
} status_table[ST__COUNT] = {
	[ST_OK] = {"ok", 200},
	[ST_INVALID] = {"invalid", 400},
	[ST_NOT_FOUND] = {"not_found", 404},
	[ST_CONFLICT] = {"conflict", 409},
	[ST_TOO_LARGE] = {"too_large", 413},
	[ST_UNSUPPORTED] = {"unsupported_media_type", 415},
	[ST_UNAUTHORIZED] = {"unauthorized", 401},
	[ST_FORBIDDEN] = {"forbidden", 403},
	[ST_RATE_LIMITED] = {"rate_limited", 429},
	[ST_BUSY] = {"busy", 503},
	[ST_IO] = {"io_error", 500},
	[ST_FULL] = {"disk_full", 503},
	[ST_NOMEM] = {"out_of_memory", 503},
	[ST_CORRUPT] = {"corrupt", 500},
	[ST_BAD_SIGNATURE] = {"bad_signature", 400},
	[ST_INTERNAL] = {"internal", 500},
};

const char *status_str(enum status st)
{
	if ((unsigned)st >= ST__COUNT)
		return "unknown";
	return status_table[st].name;
}

int status_http(enum status st)
{
	if ((unsigned)st >= ST__COUNT)
		return 500;
	return status_table[st].http;
}

void err_setf(struct err *e, const char *fmt, ...)
{
	if (e != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
	}
}

void err_prefix(struct err *e, const char *fmt, ...)
{
	if (e == NULL)
		return;
	char head[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	size_t hl = strlen(head);
	size_t room = sizeof e->msg - 1 - hl - 2; /* for the old message */
	size_t ol = strnlen(e->msg, sizeof e->msg - 1);
	if (ol > room)
		ol = room;
	memmove(e->msg + hl + 2, e->msg, ol);
	memcpy(e->msg, head, hl);
	memcpy(e->msg + hl, ": ", 2);
	e->msg[hl + 2 + ol] = 0;
}
