/*
 * fetch.c: bounded HTTP(S) GETs over libcurl (see fetch.h).
 *
 * Every body goes through one write callback that appends to a capped
 * struct buf: the cap is the only limit on memory, whatever the server
 * says or does not say about the length.  The body of an answer other
 * than 200 is kept (its first KiB) only to quote the server's error
 * message.
 */
#include "fetch.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRBODY_MAX  1024
#define MESSAGE_MAX  160
#define WHAT_MAX     60
#define PARALLEL_MAX 16
#define USER_AGENT   "sanilog/1"

/* One transfer: an easy handle and where its body goes. */
struct xfer {
	CURL *easy;
	const struct fetch_options *o;
	struct buf *out;
	size_t start;	/* out->len before the transfer */
	bool too_large; /* the body did not fit */
	bool nomem;
	char errbody[ERRBODY_MAX + 1]; /* body of a non-200 answer */
	size_t errlen;
	char errbuf[CURL_ERROR_SIZE];
	char what[WHAT_MAX + 1]; /* the URL's path, for the progress line */
	bool shown;		 /* a progress line is on stderr */
	double last_shown;
};

struct fetch {
	struct fetch_options o;
	struct xfer one;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- callbacks ---- */

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	long code = 0;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		size_t room = ERRBODY_MAX - x->errlen;
		size_t k = n < room ? n : room;
		memcpy(x->errbody + x->errlen, p, k);
		x->errlen += k;
		x->errbody[x->errlen] = 0;
		return x->errlen < ERRBODY_MAX ? n : 0; /* enough to quote */
	}
	enum status r = buf_append(x->out, p, n);
	if (r == ST_OK)
		return n;
	if (r == ST_TOO_LARGE)
		x->too_large = true;
	else
		x->nomem = true;
	return 0; /* aborts the transfer */
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	(void)ultotal;
	(void)ulnow;
	struct xfer *x = ud;
	double t = 0;
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &t);
	if (t < 1.0 || t - x->last_shown < 0.2)
		return 0;
	x->last_shown = t;
	x->shown = true;
	if (dltotal > 0)
		fprintf(stderr, "\rsanilog: fetching %s: %.1f of %.1f MiB  ",
			x->what, (double)dlnow / 1048576.0,
			(double)dltotal / 1048576.0);
	else
		fprintf(stderr, "\rsanilog: fetching %s: %.1f MiB  ", x->what,
			(double)dlnow / 1048576.0);
	return 0;
}

/* ---- one transfer ---- */

static enum status easy_setup(struct xfer *x, const struct fetch_options *o,
			      bool progress, struct err *e)
{
	memset(x, 0, sizeof *x);
	x->o = o;
	x->easy = curl_easy_init();
	if (x->easy == NULL)
		return err_set(e, ST_NOMEM, "cannot start libcurl");
	CURL *c = x->easy;
	bool ok = true;
	ok = ok && curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") ==
			   CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
				    o->connect_timeout_ms) == CURLE_OK;
	ok = ok &&
	     curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->stall_s) ==
			   CURLE_OK;
	ok = ok &&
	     curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION,
			      o->max_redirects >= 0 ? 1L : 0L) == CURLE_OK;
	ok = ok &&
	     curl_easy_setopt(c, CURLOPT_MAXREDIRS,
			      (long)(o->max_redirects >= 0 ? o->max_redirects
							   : 0)) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
	ok = ok &&
	     curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT) == CURLE_OK;
	/* Decoded bytes go through the same cap as plain ones. */
	(void)curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	ok = ok &&
	     curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_WRITEDATA, x) == CURLE_OK;
	ok = ok &&
	     curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf) == CURLE_OK;
	ok = ok && curl_easy_setopt(c, CURLOPT_PRIVATE, x) == CURLE_OK;
	if (progress) {
		ok = ok && curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION,
					    on_progress) == CURLE_OK;
		ok = ok &&
		     curl_easy_setopt(c, CURLOPT_XFERINFODATA, x) == CURLE_OK;
		ok = ok &&
		     curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) == CURLE_OK;
	}
	if (!ok) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		return err_set(e, ST_INTERNAL,
			       "libcurl lacks a required option (version %s)",
			       curl_version_info(CURLVERSION_NOW)->version);
	}
	return ST_OK;
}

/* Gets a transfer of url into out ready; the easy handle is kept. */
static enum status easy_prepare(struct xfer *x, const char *url,
				struct buf *out, struct err *e)
{
	bool https = strncmp(url, "https://", 8) == 0;
	if (!https && strncmp(url, "http://", 7) != 0)
		return err_set(e, ST_INVALID,
			       "%.200s: not an http:// or "
			       "https:// URL",
			       url);
	if (strlen(url) >= FETCH_URL_MAX)
		return err_set(e, ST_INVALID, "URL too long");
	x->out = out;
	x->start = out->len;
	x->too_large = x->nomem = x->shown = false;
	x->errlen = 0;
	x->errbody[0] = 0;
	x->errbuf[0] = 0;
	x->last_shown = 0;
	/* The path, for the progress line. */
	const char *path = strchr(url + (https ? 8 : 7), '/');
	snprintf(x->what, sizeof x->what, "%s", path != NULL ? path : url);
	size_t room = out->cap - out->len;
	curl_off_t max = room < (size_t)INT64_MAX ? (curl_off_t)room
						  : (curl_off_t)INT64_MAX;
	if (curl_easy_setopt(x->easy, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_MAXFILESIZE_LARGE, max) !=
		    CURLE_OK ||
	    /* Never from https down to http. */
	    curl_easy_setopt(x->easy, CURLOPT_REDIR_PROTOCOLS_STR,
			     https ? "https" : "http,https") != CURLE_OK)
		return err_set(e, ST_NOMEM, "%.200s: cannot set up the request",
			       url);
	return ST_OK;
}

/* The server's error message from a JSON error body or a line of text,
 * reduced to printable ASCII, into msg. */
static void server_message(const struct xfer *x, char *msg, size_t size)
{
	char raw[ERRBODY_MAX + 1] = "";
	json_t *j = json_loadb(x->errbody, x->errlen, 0, NULL);
	const char *m =
		j != NULL ? json_string_value(json_object_get(
				    json_object_get(j, "error"), "message"))
			  : NULL;
	if (m != NULL)
		snprintf(raw, sizeof raw, "%s", m);
	else if (j == NULL)
		snprintf(raw, sizeof raw, "%.*s", (int)x->errlen, x->errbody);
	json_decref(j);
	size_t n = 0;
	for (const char *p = raw;
	     *p && *p != '\n' && n + 1 < size && n < MESSAGE_MAX; p++)
		msg[n++] = (char)((*p >= 0x20 && *p < 0x7f) ? *p : '?');
	msg[n] = 0;
}

/* What a finished transfer means (fetch.h's statuses). */
static enum status outcome(struct xfer *x, const char *url, CURLcode rc,
			   struct err *e)
{
	long code = 0;
	enum status st = ST_OK;
	char msg[MESSAGE_MAX + 1];
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	if (x->shown)
		fputs("\r\033[K", stderr);
	if (x->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		st = err_set(e, ST_TOO_LARGE,
			     "%.300s: the answer is larger than the %zu bytes "
			     "allowed",
			     url, x->out->cap - x->start);
	} else if (x->nomem) {
		st = err_set(e, ST_NOMEM, "%.300s: out of memory", url);
	} else if (code != 200 && code != 0 &&
		   (rc == CURLE_OK || rc == CURLE_WRITE_ERROR)) {
		server_message(x, msg, sizeof msg);
		st = code == 404 || code == 410	 ? ST_NOT_FOUND
		     : code == 429		 ? ST_RATE_LIMITED
		     : code >= 400 && code < 500 ? ST_INVALID
						 : ST_IO;
		err_set(e, st, "%.300s: HTTP %ld%s%s", url, code,
			msg[0] ? ": " : "", msg);
	} else if (rc == CURLE_UNSUPPORTED_PROTOCOL && code != 0) {
		st = err_set(e, ST_IO,
			     "%.300s: redirected to a scheme not allowed "
			     "(https only to https, http to http or https)",
			     url);
	} else if (rc == CURLE_TOO_MANY_REDIRECTS) {
		st = err_set(e, ST_IO, "%.300s: more than %d redirects", url,
			     x->o->max_redirects);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		st = err_set(e, ST_IO, "%.300s: timed out (%s)", url,
			     x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
	} else if (rc != CURLE_OK) {
		st = err_set(e, ST_IO, "%.300s: %s", url,
			     x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
	}
	if (st != ST_OK) {
		x->out->len = x->start;
		if (x->out->data != NULL)
			x->out->data[x->start] = 0;
	}
	return st;
}

/* ---- the API ---- */

enum status fetch_new(const struct fetch_options *o, struct fetch **out,
		      struct err *e)
{
	*out = NULL;
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return err_set(e, ST_INTERNAL, "libcurl: %s",
			       curl_easy_strerror(curl_init_rc));
	struct fetch *f = calloc(1, sizeof *f);
	if (f == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	if (o != NULL)
		f->o = *o;
	if (f->o.connect_timeout_ms <= 0)
		f->o.connect_timeout_ms = 10000;
	if (f->o.timeout_ms <= 0)
		f->o.timeout_ms = 300000;
	if (f->o.stall_s <= 0)
		f->o.stall_s = 30;
	if (f->o.max_redirects == 0)
		f->o.max_redirects = 5;
	enum status r = easy_setup(&f->one, &f->o, f->o.progress, e);
	if (r != ST_OK) {
		free(f);
		return r;
	}
	*out = f;
	return ST_OK;
}

void fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	curl_easy_cleanup(f->one.easy);
	free(f);
}

enum status fetch_get(struct fetch *f, const char *url, struct buf *out,
		      struct err *e)
{
	enum status r = easy_prepare(&f->one, url, out, e);
	if (r != ST_OK)
		return r;
	CURLcode rc = curl_easy_perform(f->one.easy);
	return outcome(&f->one, url, rc, e);
}

enum slot_state { SLOT_FREE, SLOT_RUNNING, SLOT_DONE };

struct slot {
	struct xfer x;
	struct buf body;
	enum slot_state state;
	CURLcode rc;
	char url[FETCH_URL_MAX];
};

enum status fetch_get_many(struct fetch *f, size_t n, size_t cap, int parallel,
			   fetch_url_fn url, fetch_body_fn body, void *ctx,
			   struct err *e)
{
	if (parallel < 1)
		parallel = 1;
	if (parallel > PARALLEL_MAX)
		parallel = PARALLEL_MAX;
	if ((size_t)parallel > n)
		parallel = n > 0 ? (int)n : 1;
	size_t np = (size_t)parallel;
	struct slot *slots = calloc(np, sizeof *slots);
	CURLM *multi = curl_multi_init();
	enum status r = ST_OK;
	size_t started = 0, delivered = 0;
	if (slots == NULL || multi == NULL) {
		r = err_set(e, ST_NOMEM, "out of memory");
		goto done;
	}
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)np);
	for (size_t k = 0; k < np; k++) {
		if ((r = easy_setup(&slots[k].x, &f->o, false, e)) != ST_OK)
			goto done;
		buf_init(&slots[k].body, cap);
	}
	while (delivered < n) {
		/* Start what the window allows. */
		while (started < n && started < delivered + np) {
			struct slot *s = &slots[started % np];
			buf_reset(&s->body);
			s->body.cap = cap;
			if ((r = url(ctx, started, s->url, sizeof s->url, e)) !=
				    ST_OK ||
			    (r = easy_prepare(&s->x, s->url, &s->body, e)) !=
				    ST_OK)
				goto done;
			if (curl_multi_add_handle(multi, s->x.easy) !=
			    CURLM_OK) {
				r = err_set(e, ST_NOMEM,
					    "libcurl: cannot add "
					    "a transfer");
				goto done;
			}
			s->state = SLOT_RUNNING;
			started++;
		}
		/* Hand over the next body in order once it is there. */
		struct slot *s = &slots[delivered % np];
		if (s->state == SLOT_DONE) {
			r = outcome(&s->x, s->url, s->rc, e);
			s->state = SLOT_FREE;
			if (r != ST_OK ||
			    (r = body(ctx, delivered, s->body.data, s->body.len,
				      e)) != ST_OK)
				goto done;
			delivered++;
			continue;
		}
		int running = 0, left = 0;
		if (curl_multi_perform(multi, &running) != CURLM_OK) {
			r = err_set(e, ST_IO, "libcurl: transfer failed");
			goto done;
		}
		bool any = false;
		CURLMsg *m;
		while ((m = curl_multi_info_read(multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct xfer *x = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
					  (char **)&x);
			struct slot *d = (struct slot *)(void *)x;
			d->rc = m->data.result;
			d->state = SLOT_DONE;
			curl_multi_remove_handle(multi, m->easy_handle);
			any = true;
		}
		if (!any &&
		    curl_multi_poll(multi, NULL, 0, 1000, NULL) != CURLM_OK) {
			r = err_set(e, ST_IO, "libcurl: poll failed");
			goto done;
		}
	}
done:
	for (size_t k = 0; slots != NULL && k < np; k++) {
		if (slots[k].x.easy != NULL) {
			if (slots[k].state == SLOT_RUNNING)
				curl_multi_remove_handle(multi,
							 slots[k].x.easy);
			curl_easy_cleanup(slots[k].x.easy);
		}
		buf_free(&slots[k].body);
	}
	if (multi != NULL)
		curl_multi_cleanup(multi);
	free(slots);
	return r;
}
