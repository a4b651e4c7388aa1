/*
 * owner.h: the venue owner's web pages of `sanilog serve`.
 *
 *   GET  /owner/login      the login form (the venue's owner token); with
 *                          ?link=<secret>, a button that signs in with
 *                          that one-time link
 *   POST /owner/login      token (or link), csrf: a session and 303 to
 *                          /owner
 *   GET  /owner            the dashboard (303 to /owner/login without a
 *                          session): what customers see (the verdict and
 *                          the next due date), the upload form, the
 *                          history with a revoke button per document, the
 *                          posters in each size and language, the venue's
 *                          details form, a new token, sign out
 *   POST /owner/upload     multipart: the API's upload fields and csrf
 *   GET  /owner/revoke     ?seq=: the revocation's confirmation page
 *   POST /owner/revoke     seq, reason, csrf, confirm=yes (without it:
 *                          the confirmation page, and nothing is logged)
 *   POST /owner/venue      name, address, interval_days, csrf: a venue
 *                          entry (303 to /owner?done=venue)
 *   POST /owner/token      csrf: a new owner token, shown once
 *   POST /owner/logout     csrf: ends the session
 *   GET  /owner/upload, /owner/venue, /owner/token
 *                          303 to /owner (with ?lang=): the language
 *                          links of a refused form's page lead there
 *
 * A form that is refused is shown again with what was typed (but the
 * file, which no page can set) and the error beside its field, with the
 * status the API would answer (400, 413, 415, 503); the sizes in the
 * owner's units ("10.5 MB; the limit is 10 MB").  A form is accepted up
 * to twice the document limit so that a file over it is named with the
 * rest of the form kept; a body larger than that is a 413 page.
 *
 * Sessions live in the server's memory only: the cookie holds 32 random
 * bytes (base64url); the table keeps their SHA-256, the venue, a random
 * CSRF token, the expiry (OWNER_SESSION_TTL) and the SHA-256 of the
 * token it was opened with, in at most OWNER_SESSIONS_MAX slots, of which
 * one venue holds at most OWNER_SESSIONS_PER_VENUE (the one nearest its
 * expiry makes room: the venue's own first).  A session ends when its
 * venue's token is no longer the one it was opened with (`sanilog venue
 * token --rotate`, or POST /owner/token from another session): the
 * dashboard and every form check.  POST /owner/token replaces the token
 * only if it is still the one the session was opened with, and keeps
 * that session, now tied to the new one.  A one-time sign-in link
 * (`sanilog venue add` prints one; store_login_link_take) is used up by
 * its POST, valid or not; its session is tied to the venue's token as
 * it is then.  The link's secret travels in the query and the form
 * only, never in the path the access log writes.  The
 * cookie is HttpOnly, SameSite=Strict, Path=/owner, and Secure when the
 * stored base URL is https or the request came over https through the
 * trusted proxy (X-Forwarded-Proto).  Every POST must carry its CSRF token (403
 * otherwise, compared with sodium_memcmp): the session's, or for the
 * login form a random value also held in a SameSite=Strict cookie.
 * Failed logins count against the address in the app's auth_limit (429
 * with Retry-After once it is full), as the API's failures do.
 *
 * Uploads and revocations take the API's path (api.h), through
 * web_api_begin_form, so that both check the same fields and reach the
 * writer the same way; a form's answer is a 303 to /owner.
 *
 * The session table belongs to the server (struct web_app, made and
 * freed with it); it is thread-safe.
 */
#ifndef SANILOG_OWNER_H
#define SANILOG_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "store/sequencer.h"
#include "web/http.h"

#define OWNER_SESSION_TTL	 (12 * 3600) /* seconds */
#define OWNER_SESSIONS_MAX	 1024
#define OWNER_SESSIONS_PER_VENUE 8
#define OWNER_FORM_MAX		 (8u << 10) /* a login, revoke or logout body */

/* The route callbacks (routes.c lists them). */
enum http_next owner_login_form(struct http_request *rq);
bool owner_start_form(struct http_request *rq);
bool owner_body_form(struct http_request *rq, const char *data, size_t len);
enum http_next owner_login(struct http_request *rq);
enum http_next owner_logout(struct http_request *rq);
enum http_next owner_dashboard(struct http_request *rq);
bool owner_start_upload(struct http_request *rq);
bool owner_start_revoke(struct http_request *rq);
enum http_next owner_revoke_form(struct http_request *rq);
bool owner_start_venue(struct http_request *rq);
/* POST /owner/token: the session is checked before the body is read
 * (403 without one), as the other forms of a session do. */
bool owner_start_token(struct http_request *rq);
enum http_next owner_token(struct http_request *rq);
enum http_next owner_back(struct http_request *rq);

/* The largest body of POST /owner/upload: twice the default document
 * limit and the other fields (see above). */
#define OWNER_UPLOAD_MAX (2u * DOC_MAX_DEFAULT + (256u << 10))

/* The session table: the server's app owns one (web_app.sessions). */
struct owner_sessions;

/* An empty table.  *out is new (free with owner_sessions_free). */
enum status owner_sessions_new(struct owner_sessions **out);

/* Wipes every session and frees the table.  No request may be using it
 * (stop the server first).  Accepts NULL. */
void owner_sessions_free(struct owner_sessions *t);

#endif
