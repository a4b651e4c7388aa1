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

/* ---- the path of the owner's forms ---- */

/* What was wrong with an owner form (web_api_result.problem). */
enum web_api_problem {
	WEB_API_LOGGED,		  /* nothing: it was logged */
	WEB_API_MISSING,	  /* a required field is empty */
	WEB_API_TOO_LARGE,	  /* the file is over the server's limit */
	WEB_API_TOO_LONG,	  /* a text over its field's limit */
	WEB_API_NOT_DOCUMENT,	  /* the file is not a PDF, PNG or JPEG */
	WEB_API_NOT_DATE,	  /* not a date YYYY-MM-DD */
	WEB_API_AFTER_TODAY,	  /* performed after today */
	WEB_API_BEFORE_PERFORMED, /* expires before performed */
	WEB_API_NOT_INTERVAL,	  /* not a whole number of days in range */
	WEB_API_OTHER,		  /* anything else: msg says what */
};

/* The outcome of a form, for its answer hook (all borrowed for the
 * call). */
struct web_api_result {
	enum status status; /* ST_OK: logged at index */
	int64_t index;
	const char *field; /* the field it concerns ("title"), or NULL */
	enum web_api_problem problem;
	const char *msg; /* the API's own words for it (English) */
};

struct web_api_form {
	/* After the body, before anything is checked or logged: whether
	 * csrf[0..len) is the CSRF token of a live session of venue (and
	 * the form is to be logged); false after setting a reply. */
	bool (*check)(struct http_request *rq, const char *venue,
		      const char *csrf, size_t len);
	/* Sets the reply: once the writer answered, or when a field was
	 * refused (then nothing went to the writer). */
	void (*answer)(struct http_request *rq, const struct web_api_result *r);
};

enum web_api_kind { WEB_API_DOCUMENT, WEB_API_REVOCATION, WEB_API_VENUE };

/*
 * From a route's start callback, once the caller has authenticated the
 * request for venue (copied): reads the body as web_api_body does: the
 * API's fields of an upload, or of a revocation, or for a venue entry
 * name, address and interval_days (each required: a venue entry states
 * them all), plus "csrf" and "confirm".  A field longer than its limit
 * (the file: the server's document limit) does not stop the form: its
 * first bytes are kept (none of a file) and the form is refused with
 * WEB_API_TOO_LARGE or WEB_API_TOO_LONG once the body is in, so that
 * the page can show again what was typed.  Then web_api_form_handle
 * calls form->check, checks the fields as the API does, and hands the
 * entry to the writer; every refusal after check goes to form->answer.
 * form is borrowed (static).  False after setting a reply.
 */
bool web_api_begin_form(struct http_request *rq, enum web_api_kind kind,
			const char *venue, const struct web_api_form *form);
enum http_next web_api_form_handle(struct http_request *rq);

/* In a form's hooks: the text sent in field name ("" when none, or for
 * the file; borrowed until the request ends), and how many bytes the
 * file field sent (kept or not). */
const char *web_api_form_value(struct http_request *rq, const char *name);
uint64_t web_api_form_file_size(struct http_request *rq);
/* Whether a field of the form came longer than its limit (it is kept
 * cut at the limit, and the form is refused once the check lets it
 * on). */
bool web_api_form_cut(struct http_request *rq);

#endif
