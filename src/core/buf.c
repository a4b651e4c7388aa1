/*
 * buf.c: growable byte buffer with a size cap.
 */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = 0;
}

uint8_t *buf_reserve(struct buf *b, size_t n)
{
	if (n > b->cap || b->len > b->cap - n)
		return NULL;
	size_t need = b->len + n + 1;
	if (need > b->alloc) {
		size_t na = b->alloc ? b->alloc : 64;
		while (na < need)
			na = na > SIZE_MAX / 2 ? need : na * 2;
		uint8_t *p = realloc(b->data, na);
		if (p == NULL)
			return NULL;
		b->data = p;
		b->alloc = na;
	}
	return b->data + b->len;
}

enum status buf_append(struct buf *b, const void *data, size_t len)
{
	if (len > b->cap || b->len > b->cap - len)
		return ST_TOO_LARGE;
	uint8_t *p = buf_reserve(b, len);
	if (p == NULL)
		return ST_NOMEM;
	if (len > 0)
		memcpy(p, data, len);
	b->len += len;
	b->data[b->len] = 0;
	return ST_OK;
}

enum status buf_append_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum status buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ST_INTERNAL;
	if ((size_t)n < sizeof small)
		return buf_append(b, small, (size_t)n);
	if ((size_t)n > b->cap || b->len > b->cap - (size_t)n)
		return ST_TOO_LARGE;
	uint8_t *p = buf_reserve(b, (size_t)n);
	if (p == NULL)
		return ST_NOMEM;
	va_start(ap, fmt);
	vsnprintf((char *)p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return ST_OK;
}

const char *buf_str(const struct buf *b)
{
	return b->data != NULL ? (const char *)b->data : "";
}

uint8_t *buf_steal(struct buf *b, size_t *len)
{
	uint8_t *p = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}
