/*
 * http_request.c: a request's path, checked and routed, and what a route
 * callback reads of its request (http.h): captures, query, headers, the
 * client's address (the trusted proxy's X-Forwarded-For and
 * X-Forwarded-Proto), its state, suspension.
 */
#include "http_private.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- paths and routes ---- */

static bool path_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '~' ||
	       c == '-' || c == '/';
}

bool http_path_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	if (p[1] == 0)
		return true;
	const char *seg = p + 1;
	for (const char *c = p + 1;; c++) {
		if (*c == '/' || *c == 0) {
			size_t n = (size_t)(c - seg);
			if ((n == 0 && *c != 0) || (n == 1 && seg[0] == '.') ||
			    (n == 2 && seg[0] == '.' && seg[1] == '.'))
				return false;
			if (*c == 0)
				return true;
			seg = c + 1;
		} else if (!path_char_ok(*c)) {
			return false;
		}
	}
}

/* Matches path against pattern; on a match writes the captures' offsets
 * and lengths (in path) and their number. */
static bool route_match(const char *pat, const char *path, size_t *off,
			size_t *len, size_t *n)
{
	const char *start = path;
	*n = 0;
	for (;;) {
		if (*pat == 0 && *path == 0)
			return true;
		if (*pat != '/' || *path != '/')
			return false;
		pat++;
		path++;
		const char *pe = strchr(pat, '/'), *qe = strchr(path, '/');
		if (pe == NULL)
			pe = pat + strlen(pat);
		if (qe == NULL)
			qe = path + strlen(path);
		size_t pl = (size_t)(pe - pat), ql = (size_t)(qe - path);
		if (pl == 3 && memcmp(pat, "{*}", 3) == 0) {
			if (*n >= HTTP_PARAMS_MAX || *path == 0)
				return false;
			off[*n] = (size_t)(path - start);
			len[*n] = strlen(path);
			(*n)++;
			return true;
		}
		if (pl == 2 && memcmp(pat, "{}", 2) == 0) {
			if (*n >= HTTP_PARAMS_MAX || ql == 0)
				return false;
			off[*n] = (size_t)(path - start);
			len[*n] = ql;
			(*n)++;
		} else if (pl != ql || memcmp(pat, path, pl) != 0) {
			return false;
		}
		pat = pe;
		path = qe;
	}
}

const struct http_route *http_route_find(struct http_request *rq)
{
	struct http_server *srv = rq->srv;
	unsigned allowed = 0;
	for (size_t i = 0; i < srv->nroutes; i++) {
		const struct http_route *r = &srv->routes[i];
		size_t off[HTTP_PARAMS_MAX], len[HTTP_PARAMS_MAX], n = 0;
		if (!route_match(r->pattern, rq->path, off, len, &n))
			continue;
		if ((r->methods & rq->method) == 0) {
			allowed |= r->methods;
			continue;
		}
		size_t at = 0;
		for (size_t k = 0; k < n; k++) {
			memcpy(rq->scratch + at, rq->path + off[k], len[k]);
			rq->scratch[at + len[k]] = 0;
			rq->params[k] = rq->scratch + at;
			at += len[k] + 1;
		}
		return r;
	}
	if (allowed == 0) {
		http_reply_error(rq, ST_NOT_FOUND, 0, "no such path");
		return NULL;
	}
	char allow[32];
	snprintf(allow, sizeof allow, "%s%s%s",
		 (allowed & HTTP_GET) ? "GET, HEAD" : "",
		 (allowed & HTTP_GET) && (allowed & HTTP_POST) ? ", " : "",
		 (allowed & HTTP_POST) ? "POST" : "");
	http_reply_error_code(rq, 405, "method_not_allowed", 0,
			      "method not allowed here (allowed: %s)", allow);
	http_reply_header(rq, MHD_HTTP_HEADER_ALLOW, allow);
	return NULL;
}

/* ---- request accessors ---- */

void *http_app(const struct http_request *rq)
{
	return rq->srv->app;
}

const char *http_path(const struct http_request *rq)
{
	return rq->path;
}

const char *http_param(const struct http_request *rq, size_t i)
{
	return i < HTTP_PARAMS_MAX ? rq->params[i] : NULL;
}

const char *http_query(const struct http_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *http_header(const struct http_request *rq, const char *name)
{
	if (rq->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

bool http_accepts_gzip(const struct http_request *rq)
{
	return rq->gzip_ok;
}

const struct sockaddr *http_client(const struct http_request *rq)
{
	return (const struct sockaddr *)&rq->client;
}

void http_set_state(struct http_request *rq, void *state,
		    void (*free_fn)(void *state))
{
	rq->state = state;
	rq->state_free = free_fn;
}

void *http_state(const struct http_request *rq)
{
	return rq->state;
}

struct MHD_Connection *http_connection(const struct http_request *rq)
{
	return rq->conn;
}

void http_suspend(struct http_request *rq)
{
	MHD_suspend_connection(rq->conn);
}

void http_resume(struct http_request *rq)
{
	MHD_resume_connection(rq->conn);
}

void http_addr_str(const struct sockaddr *sa, char *out, size_t outsize)
{
	const void *a = NULL;
	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a == NULL ||
	    inet_ntop(sa->sa_family, a, out, (socklen_t)outsize) == NULL)
		snprintf(out, outsize, "-");
}

bool http_parse_ip(const char *s, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)(void *)ss;
	if (inet_pton(AF_INET, s, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

void http_forwarded_client(struct http_request *rq)
{
	const char *xff = http_header(rq, "X-Forwarded-For");
	if (xff == NULL)
		return;
	const char *last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	char ip[INET6_ADDRSTRLEN];
	size_t n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof ip || last[n + strspn(last + n, " \t")] != 0)
		return;
	memcpy(ip, last, n);
	ip[n] = 0;
	struct sockaddr_storage ss;
	if (http_parse_ip(ip, &ss))
		rq->client = ss;
}

/* Keeps the value of the last X-Forwarded-Proto header line. */
static enum MHD_Result last_proto(void *cls, enum MHD_ValueKind kind,
				  const char *key, const char *value)
{
	(void)kind;
	if (key != NULL && strcasecmp(key, "X-Forwarded-Proto") == 0)
		*(const char **)cls = value;
	return MHD_YES;
}

bool http_forwarded_https(const struct http_request *rq)
{
	const char *p = NULL;
	if (rq->via_proxy)
		MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, last_proto,
					  &p);
	if (p == NULL)
		return false;
	/* The proxy's own value is the last one. */
	const char *last = strrchr(p, ',');
	last = last != NULL ? last + 1 : p;
	last += strspn(last, " \t");
	size_t n = strcspn(last, " \t");
	return n == 5 && strncasecmp(last, "https", 5) == 0 &&
	       last[n + strspn(last + n, " \t")] == 0;
}
