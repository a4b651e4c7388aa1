/*
 * head.h: the syntax of a request's head, as RFC 9110 and 9112 define it,
 * apart from the server that acts on it (http.c): media types, and what a
 * request's header fields say of its framing and of the memory
 * libmicrohttpd keeps for them.
 */
#ifndef SANILOG_HEAD_H
#define SANILOG_HEAD_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

/*
 * Parses a media type, a Content-Type value (RFC 9110 8.3.1): its
 * type/subtype into type, in lower case (names of types and parameters
 * are case-insensitive), and the value of the parameter named param (in
 * any case; a token, or a quoted-string unquoted) into value, as it is,
 * or "" when there is none.  False when v is malformed or type or value
 * would not fit (typesize, valuesize with the NUL); the outputs are then
 * unspecified.
 */
bool http_media_type(const char *v, char *type, size_t typesize,
		     const char *param, char *value, size_t valuesize);

/* What libmicrohttpd takes of a connection's memory for each field,
 * cookie and query argument it keeps, beside their bytes (a list record
 * of seven words, rounded up; libmicrohttpd 0.9.75). */
#define HTTP_HEAD_RECORD 64

/* What the request's header fields say of its framing. */
struct http_framing {
	unsigned hosts;
	const char *length; /* the first Content-Length */
	bool lengths_differ;
	bool coded;	   /* a Transfer-Encoding line */
	unsigned chunked;  /* chunked codings in it */
	bool other_coding; /* another coding */
	bool bad_name;	   /* a field name that is not a token */
	size_t head;	   /* what the head takes of the connection's memory,
			      about: HTTP_HEAD_RECORD a field, cookie or argument,
			      and their bytes */
};

/* Reads the header fields, cookies and query arguments of conn's request
 * (whose target is target_len bytes) into *f. */
void http_framing_read(struct MHD_Connection *conn, size_t target_len,
		       struct http_framing *f);

#endif
