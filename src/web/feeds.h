/*
 * feeds.h: a venue's record as feeds a calendar or a feed reader
 * subscribes to (DESIGN.md "Feeds"):
 *
 *   GET /v/<venue>/due.ics        the date the next sanitization is due,
 *                                 an iCalendar object (RFC 5545);
 *   GET /v/<venue>/history.atom   the venue's history, an Atom feed
 *                                 (RFC 4287).
 *
 * Both are made from the venue's bundle, exported from the store and
 * verified by the C verifier as the venue page's is (pages.h): the due
 * date is rule 7's next_due (core/rules.h), the history the report's
 * items.  Their words are in the request's language (base/words.h,
 * section "feeds" of lang/<code>.txt).  The formatters take the venue's
 * data as plain values and write into a buffer, so that they are tested
 * without a server or a store; feeds_venue does the reading.
 */
#ifndef SANILOG_FEEDS_H
#define SANILOG_FEEDS_H

#include <stdint.h>

#include "base/status.h"
#include "base/words.h"
#include "core/buf.h"
#include "core/verify.h"
#include "store/store.h"

#define FEEDS_ICS_MIME	"text/calendar; charset=utf-8"
#define FEEDS_ATOM_MIME "application/atom+xml"

/* The newest records an Atom feed lists (older ones stay on the page). */
#define FEEDS_ATOM_MAX 100
/* Days before the due date that the calendar's event reminds. */
#define FEEDS_ALARM_DAYS 3
/* The longest line of an iCalendar object, CRLF not counted (RFC 5545
 * 3.1): longer ones are folded. */
#define FEEDS_ICS_LINE 75

/* What a feed is made from (all borrowed). */
struct feeds_venue {
	const char *venue;    /* its id */
	const char *origin;   /* the log's origin (it never changes) */
	const char *base_url; /* the public URL, "http(s)://host[/prefix]"
				 without trailing slash, or "" when unknown:
				 the links are then relative, and the
				 calendar's event has no URL */
	const struct verify_report *rep; /* the venue's bundle, verified */
};

/*
 * Appends the venue's calendar (RFC 5545) to out, in lang: one VCALENDAR
 * (VERSION, PRODID, CALSCALE, METHOD:PUBLISH, X-WR-CALNAME, the refresh
 * hints) with, when rep verified and has a next due date, one all-day
 * VEVENT on that date (UID "sanilog-due-<venue>-<YYYYMMDD>@<origin>",
 * DTSTAMP the newest entry's logged time, SUMMARY, DESCRIPTION, LOCATION,
 * URL, a VALARM FEEDS_ALARM_DAYS before).  CRLF line endings; TEXT values
 * escaped; lines over FEEDS_ICS_LINE octets folded between UTF-8
 * sequences.  On failure (ST_TOO_LARGE, ST_NOMEM) out is unaltered.
 */
enum status feeds_ics(const struct feeds_venue *v, enum lang lang,
		      struct buf *out);

/*
 * Appends the venue's history (RFC 4287) to out, in lang: the feed's id
 * (a urn:uuid of the origin and venue), title, updated (the newest
 * entry's logged time), links self and alternate (the venue page), and an
 * entry for each of the FEEDS_ATOM_MAX newest of the venue's records
 * (documents, revocations, venue entries), newest first, each with a
 * urn:uuid of the origin, venue and log index, a title and summary in
 * words, updated = its logged time, and a link to its document
 * (/d/<sha256>) where it has one, else to the venue page.  Every value is
 * XML-escaped.  On failure out is unaltered.
 */
enum status feeds_atom(const struct feeds_venue *v, enum lang lang,
		       struct buf *out);

enum feeds_kind { FEEDS_ICS, FEEDS_ATOM };

/*
 * The feed kind of venue into out, in lang: exports the venue's bundle
 * from the newest checkpoint, verifies it on today (YYYY-MM-DD) and reads
 * the stored base URL.  ST_NOT_FOUND when the log has no such venue;
 * store and verifier failures as they come, with e.  On failure out is
 * unaltered.
 */
enum status feeds_venue(struct store *s, const char *venue,
			enum feeds_kind kind, enum lang lang, const char *today,
			struct buf *out, struct err *e);

#endif
