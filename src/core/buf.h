/*
 * buf.h: a growable byte buffer with a mandatory size cap.
 *
 * The contents are always followed by a NUL byte (not counted in len), so a
 * buffer of text can be used as a C string.  A buffer never grows past its
 * cap: an append that would is refused with ST_TOO_LARGE and leaves the
 * buffer unaltered.  On ST_NOMEM the buffer is unaltered too.
 */
#ifndef SANILOG_BUF_H
#define SANILOG_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

struct buf {
	uint8_t *data; /* owned; NULL until the first append */
	size_t len;
	size_t alloc;
	size_t cap; /* the most bytes len may reach */
};

/* Starts an empty buffer that may hold up to cap bytes. */
void buf_init(struct buf *b, size_t cap);

/* Frees the contents; the buffer is empty afterwards and can be reused. */
void buf_free(struct buf *b);

/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);

enum status buf_append(struct buf *b, const void *data, size_t len);
enum status buf_append_str(struct buf *b, const char *s);
enum status buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Makes room for n more bytes; returns a pointer to them, or NULL. */
uint8_t *buf_reserve(struct buf *b, size_t n);

/* Text of the buffer ("" when empty). Borrowed: valid until the next change. */
const char *buf_str(const struct buf *b);

/* Hands the contents to the caller (free with free()); the buffer is empty. */
uint8_t *buf_steal(struct buf *b, size_t *len);

#endif
