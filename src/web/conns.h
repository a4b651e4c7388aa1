/*
 * conns.h: the server's open connections, for the limits libmicrohttpd
 * does not keep: connections at once from one client address, and the
 * time a request may take to arrive, however slowly its bytes come.
 *
 * The HTTP layer (http.c) tells the table of every connection opened and
 * closed (MHD_OPTION_NOTIFY_CONNECTION), asks it before accepting one
 * (the accept policy callback), and moves each connection's deadline as
 * its requests go: while a request's head or body is on its way, a
 * thread of the table's own closes the connection once the deadline has
 * passed, by shutting its socket down (libmicrohttpd then reads the end
 * of the stream and closes it as a client's close); while a request is
 * being answered, or none is expected, the connection has no deadline.
 *
 * Addresses: a connection counts against the address it comes from,
 * except a connection from the trusted proxy, which counts against no
 * one until a request on it names its client (conns_forwarded), and then
 * against that client until the request is done.
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef SANILOG_CONNS_H
#define SANILOG_CONNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/status.h"

struct conns;
struct conn;

/*
 * A new table: at most per_address connections from one address
 * (0: no limit), and a thread that closes the connections past their
 * deadline, every tick_ms milliseconds.  proxy, if not NULL, is the
 * trusted proxy's address (copied).  *out is new (free with
 * conns_free).  ST_NOMEM or ST_IO (no thread) on failure.
 */
enum status conns_new(unsigned per_address, unsigned tick_ms,
		      const struct sockaddr_storage *proxy, struct conns **out);

/* Stops the thread and frees the table; every connection must have been
 * closed (conns_close).  Accepts NULL. */
void conns_free(struct conns *t);

/* Whether a new connection from addr may be accepted: false when
 * per_address connections from it are open.  Two connections accepted
 * at once may both be let in: the limit may be passed by the number of
 * threads that accept. */
bool conns_admit(struct conns *t, const struct sockaddr *addr);

/* A connection was opened: fd is its socket (the table shuts it down
 * when its deadline passes, never closes it), addr its peer (copied),
 * deadline_ms its first deadline (CLOCK_MONOTONIC, milliseconds; 0:
 * none).  Returns the connection (owned by the table, valid until
 * conns_close), or NULL when memory ran out (then it has no limits). */
struct conn *conns_open(struct conns *t, int fd, const struct sockaddr *addr,
			int64_t deadline_ms);

/* The connection is closing (before its socket is closed): forgets it.
 * Accepts NULL. */
void conns_close(struct conns *t, struct conn *c);

/* Sets c's deadline (CLOCK_MONOTONIC milliseconds; 0: none).  Accepts
 * NULL. */
void conns_deadline(struct conn *c, int64_t deadline_ms);

/* A request from the trusted proxy names its client: c now counts
 * against client until conns_forwarded_done.  False, with nothing
 * changed, when per_address requests from client are under way already.
 * Accepts a NULL c (true). */
bool conns_forwarded(struct conns *t, struct conn *c,
		     const struct sockaddr_storage *client);

/* The request conns_forwarded counted is done.  Accepts NULL, and a c
 * that counts for no forwarded client. */
void conns_forwarded_done(struct conns *t, struct conn *c);

/* Connections refused by conns_admit, and closed past their deadline,
 * so far. */
void conns_stats(struct conns *t, uint64_t *refused, uint64_t *timed_out);

/* Whether a and b are the same IPv4 or IPv6 address (ports aside). */
bool conns_same_host(const struct sockaddr *a, const struct sockaddr *b);

/* CLOCK_MONOTONIC now, in milliseconds. */
int64_t conns_now_ms(void);

#endif
