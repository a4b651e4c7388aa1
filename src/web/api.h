/*
 * api.h: the owner API of `sanilog serve` (api.c), uploads and
 * revocations with the venue's owner token:
 *
 *   POST /api/v1/venues/<venue>/documents     multipart/form-data
 *   POST /api/v1/venues/<venue>/revocations   seq, reason
 *
 * and the same path for the owner's web forms (owner.c), so that both
 * check the same fields and reach the writer the same way.  api.c's top
 * comment says what is checked, in which order, and what each refusal
 * answers.
 */
#ifndef SANILOG_API_H
#define SANILOG_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "web/http.h"

/* The route callbacks of the two API routes (routes.c lists them). */
bool web_api_start_documents(struct http_request *rq);
bool web_api_start_revocations(struct http_request *rq);
bool web_api_body(struct http_request *rq, const char *data, size_t len);
enum http_next web_api_documents(struct http_request *rq);
enum http_next web_api_revocations(struct http_request *rq);

/* ---- the upload and revocation path of the owner's forms ---- */

struct web_api_form {
	/* After the body, before anything is checked or logged: whether
	 * csrf[0..len) is the CSRF token of a live session of venue; false
	 * after setting a reply (403). */
	bool (*check)(struct http_request *rq, const char *venue,
		      const char *csrf, size_t len);
	/* After the writer answered: sets the reply (st is ST_OK when the
	 * entry was logged at index; else msg says why not). */
	void (*answer)(struct http_request *rq, enum status st, int64_t index,
		       const char *msg);
};

/*
 * From a route's start callback, once the caller has authenticated the
 * request for venue (copied): reads the body as web_api_body does (the
 * API's fields of an upload, or of a revocation, plus "csrf"); then
 * web_api_form_handle checks it, calls form->check, and hands the entry to
 * the writer.  form is borrowed (static).  False after setting a reply.
 */
bool web_api_begin_form(struct http_request *rq, bool document,
			const char *venue, const struct web_api_form *form);
enum http_next web_api_form_handle(struct http_request *rq);

#endif
