/*
 * api.c: the owner API: uploads and revocations over HTTP.
 *
 *   POST /api/v1/venues/<venue>/documents     multipart/form-data:
 *        file, type, title, performed, [expires], [provider],
 *        [attestation] (a file or text: the provider's signed note)
 *   POST /api/v1/venues/<venue>/revocations   seq, reason
 *   Authorization: Bearer slo_...             the venue's owner token
 *
 * The credentials are checked as soon as the headers are in, before any
 * of the body is read: the address's failure level first (429), then the
 * token's form (401), the venue (404), and the token's SHA-256 against the
 * venue's in constant time (sodium_memcmp); a token of another venue is
 * 403, anything else 401.  Each refusal counts against the address.
 *
 * The body streams through libmicrohttpd's post processor into one capped
 * buffer per known field (an unknown or repeated field is 400); all the
 * uploads in progress together hold at most web_options.upload_memory
 * bytes (503 past it).  Once the body is in, the fields are checked (400
 * naming the field, 415 for a file that is not a PDF, PNG or JPEG by its
 * bytes), the request goes to the writer, the connection is suspended,
 * and the answer (201 with the index, leaf hash and checkpoint) is sent
 * only after the writer's transaction committed.
 *
 * The owner's web forms (owner.c) take the same path after their own
 * authentication (a session): web_api_begin_form reads the same fields
 * plus "csrf", web_api_form_handle has the form's hooks check the CSRF
 * token before anything else and answer once the writer did.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "base/clock.h"
#include "core/codec.h"
#include "core/entry.h"
#include "web/app.h"
#include "web/handler.h"
#include "web/head.h"

#define TOKEN_PREFIX	STORE_TOKEN_PREFIX
#define TOKEN_LEN	STORE_TOKEN_LEN /* slo_ + base64url of 32 bytes */
#define ATTESTATION_MAX 8192
#define PP_BUFFER	(16u << 10)

enum api_kind { API_DOCUMENT = 1, API_REVOCATION = 2, API_VENUE = 4 };
#define API_FORM 8 /* a field of the owner's forms only */

enum field {
	F_FILE,
	F_TYPE,
	F_TITLE,
	F_PERFORMED,
	F_EXPIRES,
	F_PROVIDER,
	F_ATTESTATION,
	F_SEQ,
	F_REASON,
	F_CSRF,
	F_CONFIRM,
	F_NAME,
	F_ADDRESS,
	F_INTERVAL,
	NFIELDS
};

static const struct {
	const char *name;
	size_t max; /* 0: the document limit */
	unsigned kinds;
} fields[NFIELDS] = {
	[F_FILE] = {"file", 0, API_DOCUMENT},
	[F_TYPE] = {"type", 32, API_DOCUMENT},
	[F_TITLE] = {"title", ENTRY_VALUE_MAX, API_DOCUMENT},
	[F_PERFORMED] = {"performed", 10, API_DOCUMENT},
	[F_EXPIRES] = {"expires", 10, API_DOCUMENT},
	[F_PROVIDER] = {"provider", ENTRY_VALUE_MAX, API_DOCUMENT},
	[F_ATTESTATION] = {"attestation", ATTESTATION_MAX, API_DOCUMENT},
	[F_SEQ] = {"seq", 19, API_REVOCATION},
	[F_REASON] = {"reason", ENTRY_VALUE_MAX, API_REVOCATION},
	/* only in the owner pages' forms (web_api_begin_form) */
	[F_CSRF] = {"csrf", 128, API_FORM},
	[F_CONFIRM] = {"confirm", 16, API_FORM},
	[F_NAME] = {"name", ENTRY_VALUE_MAX, API_VENUE},
	[F_ADDRESS] = {"address", ENTRY_VALUE_MAX, API_VENUE},
	[F_INTERVAL] = {"interval_days", 8, API_VENUE},
};

/* One API request's state, freed by api_free when the request is done. */
struct api_req {
	struct web_app *app;
	struct http_request *rq;
	enum api_kind kind;
	char venue[VENUE_ID_LEN + 1];
	const struct web_api_form *form; /* or NULL: the JSON API */
	struct MHD_PostProcessor *pp;
	struct buf f[NFIELDS];
	bool seen[NFIELDS];
	/* A form's field longer than its limit keeps its first bytes; the
	 * rest is counted here and dropped (the form is then shown again,
	 * the field marked). */
	bool over[NFIELDS];
	uint64_t sent[NFIELDS];
	struct sha256 file_hash; /* of f[F_FILE], as it streams in */
	uint8_t file_sha256[HASH_LEN];
	size_t held; /* bytes counted in app->upload_bytes */
	struct writer_job job;
	bool submitted;
	atomic_bool done;
};

static void api_free(void *p)
{
	struct api_req *st = p;
	if (st == NULL)
		return;
	if (st->pp != NULL)
		MHD_destroy_post_processor(st->pp);
	for (int i = 0; i < NFIELDS; i++)
		buf_free(&st->f[i]);
	sha256_discard(&st->file_hash);
	buf_free(&st->job.checkpoint);
	atomic_fetch_sub(&st->app->upload_bytes, st->held);
	free(st);
}

/* ---- credentials ---- */

static void refuse(struct http_request *rq, enum status st, const char *msg)
{
	struct web_app *a = http_app(rq);
	ratelimit_fail(a->auth_limit, http_client(rq));
	atomic_fetch_add(&a->auth_failures, 1);
	http_reply_error(rq, st, 0, "%s", msg);
	if (st == ST_UNAUTHORIZED)
		http_reply_header(rq, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				  "Bearer realm=\"sanilog\"");
}

/* The bearer token of the request, if it has the form of an owner
 * token. */
static bool bearer_token(struct http_request *rq, char tok[TOKEN_LEN + 1])
{
	const char *h = http_header(rq, MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	size_t n = strlen(h);
	while (n > 0 && h[n - 1] == ' ')
		n--;
	if (n != TOKEN_LEN || strncmp(h, TOKEN_PREFIX, 4) != 0)
		return false;
	for (size_t i = 4; i < n; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	memcpy(tok, h, n);
	tok[n] = 0;
	return true;
}

/* Checks the credentials; false after setting the reply. */
static bool authorize(struct http_request *rq, struct store *s)
{
	const char *venue = http_param(rq, 0);
	char tok[TOKEN_LEN + 1];
	uint8_t want[HASH_LEN], have[HASH_LEN];
	if (!bearer_token(rq, tok)) {
		const char *h = http_header(rq, MHD_HTTP_HEADER_AUTHORIZATION);
		refuse(rq, ST_UNAUTHORIZED,
		       h != NULL && strncasecmp(h, "Bearer ", 7) == 0
			       ? "owner token not valid (an owner token is "
				 "slo_ and 43 characters)"
			       : "Authorization: Bearer <owner token> "
				 "required");
		return false;
	}
	sha256(have, tok, TOKEN_LEN);
	sodium_memzero(tok, sizeof tok);
	struct err e;
	enum status r = entry_venue_id_valid(venue)
				? store_token_get(s, venue, want, &e)
				: ST_NOT_FOUND;
	if (r == ST_NOT_FOUND) {
		refuse(rq, ST_NOT_FOUND, "venue: not found");
		return false;
	}
	if (r != ST_OK) {
		web_reply_store_error(rq, r, &e);
		return false;
	}
	if (sodium_memcmp(want, have, HASH_LEN) == 0)
		return true;
	char other[VENUE_ID_LEN + 1];
	r = store_token_venue(s, have, other, &e);
	if (r != ST_OK && r != ST_NOT_FOUND) {
		web_reply_store_error(rq, r, &e);
		return false;
	}
	if (r == ST_OK)
		refuse(rq, ST_FORBIDDEN, "this token is for another venue");
	else
		refuse(rq, ST_UNAUTHORIZED, "owner token not valid");
	return false;
}

/* ---- the body ---- */

/* Copies a client-given name for a message: printable ASCII, short. */
static void safe_name(char *out, size_t outsize, const char *in)
{
	size_t k = 0;
	for (; in != NULL && *in && k + 1 < outsize && k < 40; in++)
		out[k++] = (char)((*in > 0x20 && *in < 0x7f) ? *in : '?');
	out[k] = 0;
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind,
				const char *key, const char *filename,
				const char *content_type,
				const char *transfer_encoding, const char *data,
				uint64_t off, size_t size)
{
	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	struct api_req *st = cls;
	struct http_request *rq = st->rq;
	int f = -1;
	for (int i = 0; i < NFIELDS && key != NULL; i++)
		if (((fields[i].kinds & st->kind) ||
		     ((fields[i].kinds & API_FORM) && st->form != NULL)) &&
		    strcmp(key, fields[i].name) == 0)
			f = i;
	if (f < 0) {
		char name[48];
		safe_name(name, sizeof name, key);
		http_reply_error(rq, ST_INVALID, 0, "%s: unknown field", name);
		return MHD_NO;
	}
	/* libmicrohttpd may call twice at offset 0 for one value (first
	 * with no bytes): a field is given twice when a second part of it
	 * starts after the first had bytes.  (A field whose first part was
	 * empty and second not is taken as one.) */
	if (off == 0 && st->seen[f] && st->f[f].len > 0) {
		http_reply_error(rq, ST_INVALID, 0, "%s: given twice",
				 fields[f].name);
		return MHD_NO;
	}
	st->seen[f] = true;
	if (size == 0)
		return MHD_YES;
	st->sent[f] += size;
	if (st->over[f])
		return MHD_YES;
	if (st->form != NULL && f != F_CSRF &&
	    st->f[f].len + size > st->f[f].cap) {
		/* Kept to be shown again: the bytes up to the limit. */
		size = st->f[f].cap - st->f[f].len;
		st->over[f] = true;
		if (f == F_FILE)
			size = 0; /* a part of a file is no use */
		if (size == 0)
			return MHD_YES;
	}
	size_t total = atomic_fetch_add(&st->app->upload_bytes, size) + size;
	st->held += size;
	if (total > st->app->upload_memory) {
		http_reply_error(rq, ST_BUSY, 5,
				 "too many uploads at once; try again");
		return MHD_NO;
	}
	if (buf_append(&st->f[f], data, size) != ST_OK) {
		if (f == F_FILE)
			http_reply_error(rq, ST_TOO_LARGE, 0,
					 "file: larger than %zu bytes",
					 st->app->doc_max);
		else
			http_reply_error(rq, ST_INVALID, 0,
					 "%s: longer than %zu bytes",
					 fields[f].name, fields[f].max);
		return MHD_NO;
	}
	/* Hashed here, on the request's thread, so that the writer need
	 * not read the bytes again. */
	if (f == F_FILE)
		sha256_update(&st->file_hash, data, size);
	return MHD_YES;
}

/* Checks the body's Content-Type: multipart/form-data with a boundary,
 * or application/x-www-form-urlencoded, names in any case (RFC 9110);
 * false after setting a reply (415).
 *
 * libmicrohttpd's post processor (0.9.75 as before) reads the boundary
 * itself, from the first "boundary=" after the type, spelt so, to the
 * end of the header: not BOUNDARY=, nor a boundary with a parameter after
 * it.  Where it would read another boundary than the header gives, the
 * header's value is rewritten in place, before the post processor is
 * made, as "multipart/form-data;boundary=<the boundary>": never longer
 * than what the client sent (which held the type, a ";", the name, "="
 * and the value), in the connection's own memory, which holds the
 * request's headers as long as the request lasts. */
static bool form_type(struct http_request *rq)
{
	static const char multipart[] = "multipart/form-data";
	const char *ct = http_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE);
	char type[64], boundary[71]; /* RFC 2046: at most 70 */
	if (ct == NULL ||
	    !http_media_type(ct, type, sizeof type, "boundary", boundary,
			     sizeof boundary) ||
	    (strcmp(type, "application/x-www-form-urlencoded") != 0 &&
	     (strcmp(type, multipart) != 0 || boundary[0] == 0))) {
		http_reply_error(rq, ST_UNSUPPORTED, 0,
				 "Content-Type: multipart/form-data (or "
				 "application/x-www-form-urlencoded) expected");
		return false;
	}
	if (strcmp(type, multipart) != 0)
		return true;
	const char *b = strstr(ct, "boundary=");
	size_t n = b != NULL ? strlen(b += 9) : 0;
	if (n >= 2 && b[0] == '"' && b[n - 1] == '"') {
		b++;
		n -= 2;
	}
	if (b != NULL && n == strlen(boundary) && memcmp(b, boundary, n) == 0)
		return true;
	size_t len = strlen(ct);
	if (strlen(multipart) + strlen(";boundary=") + strlen(boundary) > len) {
		/* cannot be: the header holds all of that */
		http_reply_error(rq, ST_UNSUPPORTED, 0,
				 "Content-Type: unusual");
		return false;
	}
	snprintf((char *)ct, len + 1, "%s;boundary=%s", multipart, boundary);
	return true;
}

/* The request's state and post processor, after the credentials were
 * checked; false after setting a reply. */
static bool api_begin(struct http_request *rq, enum api_kind kind,
		      const char *venue, const struct web_api_form *form)
{
	struct web_app *a = http_app(rq);
	struct api_req *st = calloc(1, sizeof *st);
	if (st == NULL) {
		http_reply_error(rq, ST_NOMEM, 1, "out of memory");
		return false;
	}
	st->app = a;
	st->rq = rq;
	st->kind = kind;
	st->form = form;
	snprintf(st->venue, sizeof st->venue, "%s", venue);
	atomic_init(&st->done, false);
	sha256_init(&st->file_hash);
	for (int i = 0; i < NFIELDS; i++)
		buf_init(&st->f[i],
			 fields[i].max > 0 ? fields[i].max : a->doc_max);
	buf_init(&st->job.checkpoint, 1 << 16);
	http_set_state(rq, st, api_free);
	if (!form_type(rq))
		return false;
	st->pp = MHD_create_post_processor(http_connection(rq), PP_BUFFER,
					   on_field, st);
	if (st->pp == NULL) {
		http_reply_error(rq, ST_NOMEM, 1, "out of memory");
		return false;
	}
	return true;
}

static bool api_start(struct http_request *rq, enum api_kind kind)
{
	struct web_app *a = http_app(rq);
	unsigned wait = 0;
	if (ratelimit_blocked(a->auth_limit, http_client(rq), &wait)) {
		http_reply_error(rq, ST_RATE_LIMITED, wait,
				 "too many failed attempts from this address; "
				 "try again in %u s",
				 wait);
		return false;
	}
	struct err e = {.msg = ""};
	struct store *s = store_pool_take(a->pool, &e);
	if (s == NULL) {
		web_reply_internal(rq, ST_BUSY, "database", e.msg);
		return false;
	}
	bool ok = store_begin_read(s, NULL) == ST_OK;
	if (!ok)
		http_reply_error(rq, ST_BUSY, 1, "database busy");
	else
		ok = authorize(rq, s);
	store_pool_give(a->pool, s, store_commit(s, NULL) != ST_OK);
	if (!ok)
		return false;
	return api_begin(rq, kind, http_param(rq, 0), NULL);
}

bool web_api_begin_form(struct http_request *rq, enum web_api_kind kind,
			const char *venue, const struct web_api_form *form)
{
	return api_begin(rq,
			 kind == WEB_API_DOCUMENT     ? API_DOCUMENT
			 : kind == WEB_API_REVOCATION ? API_REVOCATION
						      : API_VENUE,
			 venue, form);
}

const char *web_api_form_value(struct http_request *rq, const char *name)
{
	const struct api_req *st = http_state(rq);
	for (int f = 0; f < NFIELDS; f++)
		if (strcmp(fields[f].name, name) == 0 &&
		    ((fields[f].kinds & st->kind) ||
		     (fields[f].kinds & API_FORM)))
			return f == F_FILE ? "" : buf_str(&st->f[f]);
	return "";
}

uint64_t web_api_form_file_size(struct http_request *rq)
{
	const struct api_req *st = http_state(rq);
	return st->sent[F_FILE];
}

bool web_api_form_cut(struct http_request *rq)
{
	const struct api_req *st = http_state(rq);
	for (int f = 0; f < NFIELDS; f++)
		if (st->over[f])
			return true;
	return false;
}

bool web_api_start_documents(struct http_request *rq)
{
	return api_start(rq, API_DOCUMENT);
}

bool web_api_start_revocations(struct http_request *rq)
{
	return api_start(rq, API_REVOCATION);
}

bool web_api_body(struct http_request *rq, const char *data, size_t len)
{
	struct api_req *st = http_state(rq);
	if (MHD_post_process(st->pp, data, len) != MHD_YES) {
		http_reply_error(rq, ST_INVALID, 0,
				 "body: malformed form data");
		return false;
	}
	return true;
}

/* ---- checking the fields ---- */

/*
 * Refuses the request for what is wrong with field f (NFIELDS: with no
 * one field): the JSON API answers st with the message; an owner's form
 * has its answer hook show it beside the field.  Always false.
 */
static bool refuse_field(struct api_req *st, enum field f, enum status code,
			 enum web_api_problem problem, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static bool refuse_field(struct api_req *st, enum field f, enum status code,
			 enum web_api_problem problem, const char *fmt, ...)
{
	char msg[sizeof(struct err){0}.msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (st->form == NULL) {
		http_reply_error(st->rq, code, 0, "%s", msg);
		return false;
	}
	struct web_api_result r = {
		.status = code,
		.index = -1,
		.field = f < NFIELDS ? fields[f].name : NULL,
		.problem = problem,
		.msg = msg,
	};
	st->form->answer(st->rq, &r);
	return false;
}

/* A form's field that came longer than its limit (false after the
 * refusal; true when none did). */
static bool none_over(struct api_req *st)
{
	for (int f = 0; f < NFIELDS; f++) {
		if (!st->over[f])
			continue;
		if (f == F_FILE)
			return refuse_field(st, F_FILE, ST_TOO_LARGE,
					    WEB_API_TOO_LARGE,
					    "file: %llu bytes; at most %zu",
					    (unsigned long long)st->sent[f],
					    st->app->doc_max);
		return refuse_field(st, (enum field)f, ST_INVALID,
				    WEB_API_TOO_LONG,
				    "%s: longer than %zu bytes", fields[f].name,
				    fields[f].max);
	}
	return true;
}

/* Field f as a string, or NULL when absent or empty.  A value with a NUL
 * byte in it is refused. */
static const char *text(struct api_req *st, enum field f, bool *bad)
{
	struct buf *b = &st->f[f];
	if (b->len == 0)
		return NULL;
	if (strlen(buf_str(b)) != b->len) {
		refuse_field(st, f, ST_INVALID, WEB_API_OTHER,
			     "%s: contains a NUL byte", fields[f].name);
		*bad = true;
		return NULL;
	}
	return buf_str(b);
}

/* The text of field f, or NULL when there is none to check: then *ok
 * says whether that is fine (an optional field left out, out emptied) or
 * the reply is set (malformed, or a required field missing). */
static const char *present(struct api_req *st, enum field f, bool required,
			   char *out, bool *ok)
{
	bool bad = false;
	const char *v = text(st, f, &bad);
	*ok = false;
	if (bad || v != NULL)
		return bad ? NULL : v;
	if (required)
		refuse_field(st, f, ST_INVALID, WEB_API_MISSING, "%s: missing",
			     fields[f].name);
	out[0] = 0;
	*ok = !required;
	return NULL;
}

/* A required or optional value checked as an entry line would be. */
static bool take_value(struct api_req *st, enum field f, bool required,
		       char *out, size_t outsize)
{
	bool ok = false;
	const char *v = present(st, f, required, out, &ok);
	if (v == NULL)
		return ok;
	struct err e;
	if (entry_check_value(fields[f].name, v, outsize - 1, &e) != ST_OK)
		return refuse_field(st, f, ST_INVALID, WEB_API_OTHER, "%s",
				    e.msg);
	memcpy(out, v, strlen(v) + 1);
	return true;
}

static bool take_date(struct api_req *st, enum field f, bool required,
		      char out[11])
{
	bool ok = false;
	const char *v = present(st, f, required, out, &ok);
	if (v == NULL)
		return ok;
	if (!entry_date_valid(v))
		return refuse_field(st, f, ST_INVALID, WEB_API_NOT_DATE,
				    "%s: not a date (YYYY-MM-DD)",
				    fields[f].name);
	memcpy(out, v, 11);
	return true;
}

static bool build_document(struct api_req *st, struct seq_request *rq)
{
	struct entry *en = &rq->entry;
	struct buf *file = &st->f[F_FILE];
	char now[21];
	en->kind = ENTRY_DOCUMENT;
	if (!none_over(st))
		return false;
	if (file->len == 0)
		return refuse_field(st, F_FILE, ST_INVALID, WEB_API_MISSING,
				    "file: missing");
	if (entry_sniff_mime(file->data, file->len) == NULL)
		return refuse_field(st, F_FILE, ST_UNSUPPORTED,
				    WEB_API_NOT_DOCUMENT,
				    "file: not a PDF, PNG or JPEG file");
	bool bad = false;
	const char *type = text(st, F_TYPE, &bad);
	if (bad)
		return false;
	if (type == NULL || !entry_type_valid(type))
		return refuse_field(
			st, F_TYPE, ST_INVALID,
			type == NULL ? WEB_API_MISSING : WEB_API_OTHER,
			"type: %s one of sanitization, disinfection, "
			"pest-control, hvac, water, protocol, form, other",
			type == NULL ? "missing; give" : "must be");
	snprintf(en->type, sizeof en->type, "%s", type);
	if (!take_value(st, F_TITLE, true, en->title, sizeof en->title) ||
	    !take_date(st, F_PERFORMED, true, en->performed) ||
	    !take_date(st, F_EXPIRES, false, en->expires) ||
	    !take_value(st, F_PROVIDER, false, en->provider,
			sizeof en->provider))
		return false;
	if (log_now(now, NULL) == ST_OK && strncmp(en->performed, now, 10) > 0)
		return refuse_field(st, F_PERFORMED, ST_INVALID,
				    WEB_API_AFTER_TODAY,
				    "performed: after today (%.10s)", now);
	if (en->expires[0] != 0 && strcmp(en->expires, en->performed) < 0)
		return refuse_field(st, F_EXPIRES, ST_INVALID,
				    WEB_API_BEFORE_PERFORMED,
				    "expires: before performed");
	if (st->f[F_ATTESTATION].len > 0) {
		if (en->provider[0] == 0)
			return refuse_field(st, F_PROVIDER, ST_INVALID,
					    WEB_API_MISSING,
					    "provider: needed with an "
					    "attestation");
		rq->attestation = buf_str(&st->f[F_ATTESTATION]);
		rq->attestation_len = st->f[F_ATTESTATION].len;
	}
	rq->doc = file->data;
	rq->doc_len = file->len;
	sha256_final(&st->file_hash, st->file_sha256);
	rq->doc_sha256 = st->file_sha256;
	return true;
}

static bool build_revocation(struct api_req *st, struct seq_request *rq)
{
	struct entry *en = &rq->entry;
	en->kind = ENTRY_REVOCATION;
	if (!none_over(st))
		return false;
	bool bad = false;
	const char *seq = text(st, F_SEQ, &bad);
	if (bad)
		return false;
	if (seq == NULL || !dec_parse(seq, &en->revokes))
		return refuse_field(
			st, F_SEQ, ST_INVALID,
			seq == NULL ? WEB_API_MISSING : WEB_API_OTHER,
			"seq: %s (the venue-seq of the document)",
			seq == NULL ? "missing" : "not a whole number");
	return take_value(st, F_REASON, true, en->reason, sizeof en->reason);
}

/* A venue entry from an owner's form: every value given (the form shows
 * the venue's values to change). */
static bool build_venue(struct api_req *st, struct seq_request *rq)
{
	struct entry *en = &rq->entry;
	en->kind = ENTRY_VENUE;
	if (!none_over(st) ||
	    !take_value(st, F_NAME, true, en->name, sizeof en->name) ||
	    !take_value(st, F_ADDRESS, true, en->address, sizeof en->address))
		return false;
	bool bad = false;
	const char *days = text(st, F_INTERVAL, &bad);
	int64_t d = 0;
	if (bad)
		return false;
	if (days == NULL)
		return refuse_field(st, F_INTERVAL, ST_INVALID, WEB_API_MISSING,
				    "interval_days: missing");
	if (!dec_parse(days, &d) || d < 1 || d > INTERVAL_DAYS_MAX)
		return refuse_field(st, F_INTERVAL, ST_INVALID,
				    WEB_API_NOT_INTERVAL,
				    "interval_days: a whole number from 1 "
				    "to %d",
				    INTERVAL_DAYS_MAX);
	en->interval_days = (int)d;
	return true;
}

/* ---- handing over to the writer and answering ---- */

/* On the writer thread: the job's results are in. */
static void job_done(struct writer_job *job, void *cls)
{
	(void)job;
	struct api_req *st = cls;
	struct http_request *rq = st->rq;
	atomic_store(&st->done, true);
	http_resume(rq); /* st may be freed from here on */
}

static void count(struct api_req *st, bool logged)
{
	struct web_app *a = st->app;
	if (st->kind == API_VENUE)
		return; /* not among the metrics' counts */
	if (st->kind == API_DOCUMENT)
		atomic_fetch_add(
			logged ? &a->uploads_logged : &a->uploads_refused, 1);
	else
		atomic_fetch_add(logged ? &a->revocations_logged
					: &a->revocations_refused,
				 1);
}

static void answer(struct api_req *st)
{
	struct seq_request *q = &st->job.rq;
	struct http_request *rq = st->rq;
	count(st, q->status == ST_OK);
	/* An unknown provider, or a seq that cannot be revoked, is a bad
	 * field here: the venue itself was found when the token was
	 * checked.  A failure of the server is told to its operator; the
	 * client learns only that nothing was logged. */
	if (q->status == ST_NOT_FOUND || q->status == ST_CONFLICT)
		q->status = ST_INVALID;
	if (q->status != ST_OK && status_http(q->status) >= 500) {
		fprintf(stderr, "sanilog: serve: %s\n", q->err.msg);
		snprintf(q->err.msg, sizeof q->err.msg, "%s",
			 q->status == ST_BUSY
				 ? "not logged: the log is busy, try again"
			 : q->status == ST_FULL
				 ? "not logged: the server's disk is full, "
				   "try again later"
				 : "not logged: internal error");
	}
	if (st->form != NULL) {
		/* An unknown provider is the provider field's fault. */
		bool provider = st->kind == API_DOCUMENT &&
				q->status == ST_INVALID &&
				strncmp(q->err.msg, "provider", 8) == 0;
		struct web_api_result r = {
			.status = q->status,
			.index = q->index,
			.field = provider ? fields[F_PROVIDER].name : NULL,
			.problem = q->status == ST_OK ? WEB_API_LOGGED
						      : WEB_API_OTHER,
			.msg = q->err.msg,
		};
		st->form->answer(rq, &r);
		return;
	}
	if (q->status != ST_OK) {
		enum status s = q->status;
		http_reply_error(rq, s, s == ST_BUSY ? 2 : 0, "%s", q->err.msg);
		return;
	}
	char leaf[2 * HASH_LEN + 1];
	hex_encode(leaf, q->leaf, HASH_LEN);
	json_t *j = json_pack("{s:I, s:s, s:s}", "index", (json_int_t)q->index,
			      "leaf", leaf, "checkpoint",
			      buf_str(&st->job.checkpoint));
	char *body =
		j != NULL ? json_dumps(j, JSON_PRESERVE_ORDER | JSON_INDENT(2))
			  : NULL;
	json_decref(j);
	if (body == NULL) {
		http_reply_error(rq, ST_NOMEM, 1,
				 "logged at index %lld, but out of memory",
				 (long long)q->index);
		return;
	}
	struct buf b;
	buf_init(&b, strlen(body) + 1);
	if (buf_append_str(&b, body) == ST_OK &&
	    buf_append(&b, "\n", 1) == ST_OK)
		http_reply_buf(rq, 201, "application/json", &b);
	buf_free(&b);
	free(body);
	http_reply_header(rq, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

static enum http_next api_handle(struct http_request *rq)
{
	struct api_req *st = http_state(rq);
	enum api_kind kind = st->kind;
	if (st->submitted) {
		/* Resumed by job_done. */
		if (!atomic_load(&st->done))
			http_reply_error(rq, ST_INTERNAL, 0, "resumed early");
		else
			answer(st);
		return HTTP_DONE;
	}
	enum MHD_Result complete = MHD_destroy_post_processor(st->pp);
	st->pp = NULL;
	if (complete != MHD_YES) {
		http_reply_error(rq, ST_INVALID, 0,
				 "body: incomplete or malformed form data");
		return HTTP_DONE;
	}
	/* A form its check hook stops (its session or CSRF token refused,
	 * or a revocation shown its confirmation) is not among the counts:
	 * DESIGN.md "/healthz and /metrics". */
	if (st->form != NULL &&
	    !st->form->check(rq, st->venue, (const char *)st->f[F_CSRF].data,
			     st->f[F_CSRF].len))
		return HTTP_DONE;
	struct seq_request *q = &st->job.rq;
	memcpy(q->entry.venue, st->venue, VENUE_ID_LEN + 1);
	snprintf(q->entry.submitted_by, sizeof q->entry.submitted_by, "owner");
	bool ok = kind == API_DOCUMENT ? build_document(st, q)
		  : kind == API_VENUE  ? build_venue(st, q)
				       : build_revocation(st, q);
	if (!ok) {
		count(st, false);
		return HTTP_DONE;
	}
	st->job.done = job_done;
	st->job.cls = st;
	st->submitted = true;
	/* Suspend first: the writer may finish (and resume) before this
	 * function returns. */
	http_suspend(rq);
	if (writer_submit(st->app->writer, &st->job) != ST_OK) {
		st->submitted = false;
		count(st, false);
		if (st->form == NULL)
			http_reply_error(rq, ST_BUSY, 2,
					 "the log is not taking writes now; "
					 "try again");
		else
			refuse_field(st, NFIELDS, ST_BUSY, WEB_API_OTHER,
				     "the log is not taking writes now; try "
				     "again");
		http_resume(rq);
	}
	return HTTP_SUSPENDED;
}

enum http_next web_api_documents(struct http_request *rq)
{
	return api_handle(rq);
}

enum http_next web_api_revocations(struct http_request *rq)
{
	return api_handle(rq);
}

enum http_next web_api_form_handle(struct http_request *rq)
{
	return api_handle(rq);
}
