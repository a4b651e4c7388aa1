/*
 * head.c: the syntax of a request's head (see head.h): tokens (RFC 9110
 * 5.6.2), media types (8.3.1), and the framing its header fields give
 * (RFC 9112 6), read from libmicrohttpd's parse of them.
 */
#include "head.h"

#include <string.h>
#include <strings.h>

/* A character of an HTTP token (RFC 9110 5.6.2). */
static bool tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Copies the token at *p, in lower case, into out (at most outsize - 1
 * bytes) and moves *p past it; false when there is none or it does not
 * fit. */
static bool lower_token(const char **p, char *out, size_t outsize)
{
	size_t n = 0;
	for (; tchar(**p); (*p)++) {
		if (n + 1 >= outsize)
			return false;
		char c = **p;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	out[n] = 0;
	return n > 0;
}

bool http_media_type(const char *v, char *type, size_t typesize,
		     const char *param, char *value, size_t valuesize)
{
	char sub[128], name[128];
	const char *p = v + strspn(v, " \t");
	bool seen = false;
	value[0] = 0;
	if (!lower_token(&p, type, typesize) || *p++ != '/' ||
	    !lower_token(&p, sub, sizeof sub))
		return false;
	size_t tl = strlen(type);
	if (tl + 1 + strlen(sub) >= typesize)
		return false;
	type[tl] = '/';
	memcpy(type + tl + 1, sub, strlen(sub) + 1);
	for (;;) {
		p += strspn(p, " \t");
		if (*p == 0)
			return true;
		if (*p++ != ';')
			return false;
		p += strspn(p, " \t");
		if (*p == 0 || *p == ';')
			continue; /* an empty parameter is allowed */
		if (!lower_token(&p, name, sizeof name) || *p++ != '=')
			return false;
		bool mine = strcasecmp(name, param) == 0;
		size_t n = 0;
		char buf[256];
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\\' && p[1] != 0)
					p++;
				if (*p == 0 || (unsigned char)*p < 0x20 ||
				    *p == 0x7f || n + 1 >= sizeof buf)
					return false;
				buf[n++] = *p;
			}
			p++;
		} else {
			for (; tchar(*p); p++) {
				if (n + 1 >= sizeof buf)
					return false;
				buf[n++] = *p;
			}
			if (n == 0)
				return false;
		}
		if (mine) {
			if (seen || n + 1 > valuesize)
				return false; /* twice, or too long */
			seen = true;
			memcpy(value, buf, n);
			value[n] = 0;
		}
	}
}

static enum MHD_Result count_record(void *cls, enum MHD_ValueKind kind,
				    const char *key, const char *value)
{
	struct http_framing *f = cls;
	(void)kind;
	f->head += HTTP_HEAD_RECORD + (key != NULL ? strlen(key) : 0) +
		   (value != NULL ? strlen(value) : 0);
	return MHD_YES;
}

static enum MHD_Result framing_field(void *cls, enum MHD_ValueKind kind,
				     const char *key, const char *value)
{
	struct http_framing *f = cls;
	size_t n = 0;
	count_record(cls, kind, key, value);
	while (key != NULL && tchar(key[n]))
		n++;
	if (n == 0 || key[n] != 0) {
		/* "Transfer-Encoding : chunked" names "Transfer-Encoding " */
		f->bad_name = true;
		return MHD_YES;
	}
	if (value == NULL)
		value = "";
	if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
		f->hosts++;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (f->length == NULL)
			f->length = value;
		else if (strcmp(f->length, value) != 0)
			f->lengths_differ = true;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		f->coded = true;
		for (const char *p = value; *p != 0;) {
			p += strspn(p, " \t,");
			size_t len = strcspn(p, ","), k = len;
			while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
				k--;
			if (k == 7 && strncasecmp(p, "chunked", 7) == 0)
				f->chunked++;
			else if (k > 0)
				f->other_coding = true;
			p += len;
		}
	}
	return MHD_YES;
}

void http_framing_read(struct MHD_Connection *conn, size_t target_len,
		       struct http_framing *f)
{
	memset(f, 0, sizeof *f);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, framing_field, f);
	MHD_get_connection_values(conn, MHD_COOKIE_KIND | MHD_GET_ARGUMENT_KIND,
				  count_record, f);
	f->head += target_len;
}
