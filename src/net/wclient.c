/*
 * wclient.c: add-checkpoint requests to witnesses (see wclient.h).
 */
#include "wclient.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/codec.h"

struct wclient {
	CURLM *multi;
	size_t running; /* calls under way */
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum status wclient_new(struct wclient **out, struct err *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, global_init);
	struct wclient *c = calloc(1, sizeof *c);
	if (c == NULL || (c->multi = curl_multi_init()) == NULL) {
		free(c);
		return err_set(e, ST_NOMEM, "libcurl: cannot start");
	}
	/* Several witnesses on one host (tests, a bastion) each get a
	 * connection of their own, kept between requests. */
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
	*out = c;
	return ST_OK;
}

/* Ends a call's transfer and frees what the wclient held for it. */
static void call_end(struct wclient *c, struct wclient_call *call)
{
	if (call->easy == NULL)
		return;
	curl_multi_remove_handle(c->multi, call->easy);
	curl_easy_cleanup(call->easy);
	call->easy = NULL;
	buf_free(&call->answer);
	c->running--;
}

void wclient_free(struct wclient *c)
{
	if (c == NULL)
		return;
	curl_multi_cleanup(c->multi);
	free(c);
}

static size_t on_body(char *data, size_t size, size_t n, void *cls)
{
	struct wclient_call *call = cls;
	size_t len = size * n;
	if (buf_append(&call->answer, data, len) != ST_OK)
		return 0; /* over WCLIENT_BODY_MAX: the transfer fails */
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *cls)
{
	struct wclient_call *call = cls;
	size_t len = size * n;
	static const char name[] = "content-type:";
	if (len > sizeof name &&
	    strncasecmp(data, name, sizeof name - 1) == 0) {
		const char *v = data + sizeof name - 1;
		size_t vlen = len - (sizeof name - 1);
		while (vlen > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		while (vlen > 0 && (v[vlen - 1] == '\r' ||
				    v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
			vlen--;
		snprintf(call->ctype, sizeof call->ctype, "%.*s", (int)vlen, v);
	}
	return len;
}

enum status wclient_start(struct wclient *c, struct wclient_call *call)
{
	call->st = ST_IO;
	call->http = 0;
	call->held = -1;
	call->line[0] = 0;
	call->time = 0;
	call->seconds = 0;
	call->ctype[0] = 0;
	call->err.msg[0] = 0;
	call->easy = NULL;
	size_t n = strlen(call->url);
	if (n > WCLIENT_URL_MAX || (strncmp(call->url, "http://", 7) != 0 &&
				    strncmp(call->url, "https://", 8) != 0)) {
		call->st = ST_INVALID;
		return err_set(&call->err, ST_INVALID,
			       "%s: not an http(s) URL of at most %d bytes",
			       call->url, WCLIENT_URL_MAX);
	}
	while (n > 0 && call->url[n - 1] == '/')
		n--;
	snprintf(call->full_url, sizeof call->full_url, "%.*s/add-checkpoint",
		 (int)n, call->url);
	buf_init(&call->answer, WCLIENT_BODY_MAX);
	CURL *easy = curl_easy_init();
	if (easy == NULL) {
		call->st = ST_NOMEM;
		return err_set(&call->err, ST_NOMEM, "out of memory");
	}
	bool ok = true;
	ok = ok &&
	     curl_easy_setopt(easy, CURLOPT_URL, call->full_url) == CURLE_OK;
	ok = ok && curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR,
				    "http,https") == CURLE_OK;
	ok = ok && curl_easy_setopt(easy, CURLOPT_POST, 1L) == CURLE_OK;
	ok = ok &&
	     curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call->body) == CURLE_OK;
	ok = ok && curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
				    (curl_off_t)call->body_len) == CURLE_OK;
	ok = ok && curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
				    (long)WCLIENT_CONNECT_MS) == CURLE_OK;
	ok = ok && curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
				    call->timeout_ms) == CURLE_OK;
	ok = ok && curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok = ok &&
	     curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
	ok = ok && curl_easy_setopt(easy, CURLOPT_WRITEDATA, call) == CURLE_OK;
	ok = ok && curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header) ==
			   CURLE_OK;
	ok = ok && curl_easy_setopt(easy, CURLOPT_HEADERDATA, call) == CURLE_OK;
	ok = ok && curl_easy_setopt(easy, CURLOPT_PRIVATE, call) == CURLE_OK;
	ok = ok &&
	     curl_easy_setopt(easy, CURLOPT_USERAGENT, "sanilog") == CURLE_OK;
	ok = ok && curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L) == CURLE_OK;
	if (!ok || curl_multi_add_handle(c->multi, easy) != CURLM_OK) {
		curl_easy_cleanup(easy);
		buf_free(&call->answer);
		call->st = ST_NOMEM;
		return err_set(&call->err, ST_NOMEM, "libcurl: cannot start");
	}
	call->easy = easy;
	call->started_ns = now_ns();
	c->running++;
	return ST_OK;
}

enum status wclient_cosignature(const struct note_verifier *witness,
				const char *text, size_t len, const char *body,
				size_t body_len, char *line, uint64_t *time,
				struct err *e)
{
	static const char dash[] = "\xe2\x80\x94 "; /* U+2014, a space */
	const size_t dlen = sizeof dash - 1;
	size_t nlen = strlen(witness->name);
	const char *p = body, *end = body + body_len;
	if (body_len == 0)
		return err_set(e, ST_INVALID, "an empty answer");
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		if (lf == NULL || (size_t)(lf - p) < dlen ||
		    memcmp(p, dash, dlen) != 0)
			return err_set(e, ST_INVALID,
				       "the answer is not signature lines");
		const char *name = p + dlen;
		const char *sp = memchr(name, ' ', (size_t)(lf - name));
		if (sp == NULL)
			return err_set(e, ST_INVALID,
				       "a signature line without its name");
		uint8_t sig[COSIG_LEN + 8];
		size_t slen = 0;
		if (b64_decode(sig, sizeof sig, &slen, sp + 1,
			       (size_t)(lf - sp - 1), B64_STD) != ST_OK ||
		    slen < 4)
			return err_set(e, ST_INVALID,
				       "a signature line of bad base64");
		uint32_t id = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 |
			      (uint32_t)sig[2] << 8 | sig[3];
		if ((size_t)(sp - name) == nlen &&
		    memcmp(name, witness->name, nlen) == 0 &&
		    id == witness->hash) {
			if (slen != COSIG_LEN ||
			    cosig_verify(witness, text, len, sig, time, e) !=
				    ST_OK)
				return err_set(e, ST_BAD_SIGNATURE,
					       "a cosignature of %s that does "
					       "not verify",
					       witness->name);
			size_t n = (size_t)(lf - p) + 1;
			if (n > WCLIENT_LINE_MAX)
				return err_set(e, ST_INVALID,
					       "a cosignature line too long");
			memcpy(line, p, n);
			line[n] = 0;
			return ST_OK;
		}
		p = lf + 1;
	}
	return err_set(e, ST_BAD_SIGNATURE, "no cosignature of %s's key",
		       witness->name);
}

/* Reads the answer of a finished transfer into call's outs. */
static void call_read(struct wclient_call *call, CURLcode res)
{
	call->seconds = (double)(now_ns() - call->started_ns) / 1e9;
	if (res != CURLE_OK) {
		call->st = err_set(&call->err, ST_IO, "%s: %s", call->full_url,
				   curl_easy_strerror(res));
		return;
	}
	long code = 0;
	curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &code);
	call->http = (unsigned)code;
	const char *body = buf_str(&call->answer);
	size_t len = call->answer.len;
	if (code == 200) {
		call->st = wclient_cosignature(
			call->witness, call->checkpoint, call->checkpoint_len,
			body, len, call->line, &call->time, &call->err);
	} else if (code == 409) {
		/* "<size>\n", Content-Type text/x.tlog.size */
		char text[24];
		int64_t size = 0;
		bool ok = strncmp(call->ctype, "text/x.tlog.size", 16) == 0 &&
			  len >= 2 && len < sizeof text &&
			  body[len - 1] == '\n';
		if (ok) {
			memcpy(text, body, len - 1);
			text[len - 1] = 0;
			ok = dec_parse(text, &size);
		}
		if (ok) {
			call->held = size;
			call->st = err_set(&call->err, ST_CONFLICT,
					   "409: the witness holds size %lld",
					   (long long)size);
		} else {
			call->st = err_set(&call->err, ST_IO,
					   "409 without a tree size");
		}
	} else {
		/* The first line of the answer says why, when it is text. */
		char why[160] = "";
		size_t n = 0;
		while (n < len && n + 1 < sizeof why && body[n] != '\n' &&
		       (unsigned char)body[n] >= 0x20 && body[n] != 0x7f) {
			why[n] = body[n];
			n++;
		}
		why[n] = 0;
		call->st =
			err_set(&call->err,
				code >= 400 && code < 500 ? ST_INVALID : ST_IO,
				"%ld%s%s", code, why[0] ? ": " : "", why);
	}
}

size_t wclient_poll(struct wclient *c, int timeout_ms,
		    void (*done)(struct wclient_call *call))
{
	int still = 0;
	curl_multi_perform(c->multi, &still);
	if (still > 0 || c->running == 0)
		curl_multi_poll(c->multi, NULL, 0, timeout_ms, NULL);
	curl_multi_perform(c->multi, &still);
	CURLMsg *m;
	int left = 0;
	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct wclient_call *call = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &call);
		if (call == NULL)
			continue;
		call_read(call, m->data.result);
		call_end(c, call);
		done(call);
	}
	return c->running;
}

void wclient_cancel(struct wclient *c, struct wclient_call *call)
{
	call_end(c, call);
}

void wclient_wakeup(struct wclient *c)
{
	curl_multi_wakeup(c->multi);
}
