/*
 * status.h: the one status enum of sanilog, its names and its HTTP codes.
 *
 * Every fallible function returns an enum status.  A caller that needs to
 * say more than the status carries a struct err, which holds the last error
 * message of the call that failed (as sqlite3_errmsg does for a handle).
 */
#ifndef SANILOG_STATUS_H
#define SANILOG_STATUS_H

#include <stddef.h>

enum status {
	ST_OK = 0,
	ST_INVALID,	  /* malformed input: a field, a date, a format */
	ST_NOT_FOUND,	  /* unknown venue, entry, document, checkpoint */
	ST_CONFLICT,	  /* breaks a log rule: chain, order, revocation */
	ST_TOO_LARGE,	  /* over a size limit */
	ST_UNSUPPORTED,	  /* a document that is not PDF, PNG or JPEG */
	ST_UNAUTHORIZED,  /* no credentials */
	ST_FORBIDDEN,	  /* credentials for something else */
	ST_RATE_LIMITED,  /* too many attempts */
	ST_BUSY,	  /* the database is locked past its timeout */
	ST_IO,		  /* a file or the database could not be read/written */
	ST_FULL,	  /* no room left on the disk to write the database */
	ST_NOMEM,	  /* out of memory */
	ST_CORRUPT,	  /* stored data is not what sanilog wrote */
	ST_BAD_SIGNATURE, /* a signature or proof does not verify */
	ST_INTERNAL,	  /* a bug */
	ST__COUNT
};

/* Short lowercase name of a status, e.g. "invalid".  Never NULL. */
const char *status_str(enum status st);

/* The HTTP status code that answers a request failing with st. */
int status_http(enum status st);

/* The last error message of a call; msg is always NUL-terminated. */
struct err {
	char msg[512];
};

/* Sets e's message (printf format).  e may be NULL. */
void err_setf(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* st itself: err_set's value, which a statement may drop. */
static inline enum status err_status(enum status st)
{
	return st;
}

/*
 * err_set(e, st, fmt, ...) sets e's message (printf format) and is st, so
 * that a function can `return err_set(e, ST_INVALID, "title: too long");`.
 * e may be NULL.  A macro, so that clang's analyzer (make lint), which does
 * not look into a function of another file, sees an error path return the
 * status it names.
 */
#define err_set(e, st, ...) (err_setf((e), __VA_ARGS__), err_status(st))

/* Prefixes e's message with "prefix: ", keeping the rest.  e may be NULL. */
void err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
