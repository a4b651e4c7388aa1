/*
 * entry.h: log entries, "sanilog-entry v1", exactly as DESIGN.md fixes them.
 *
 * An entry is UTF-8 text with LF line endings: the line "sanilog-entry v1",
 * then "key value" lines in a fixed order per kind, each at most once.
 * entry_parse accepts only that form and says what is wrong otherwise;
 * entry_format writes it and refuses a struct that would not parse back.
 *
 * Rules checked here are those that one entry can check alone (form, values,
 * dates, sizes, expires >= performed, performed <= logged date, prev "-" at
 * venue-seq 0 only, a witness policy's witnesses distinct and its quorum
 * within their number).  Rules across entries (chain, monotonic logged
 * time, revocation targets, provider keys, attestations) belong to the
 * log.
 */
#ifndef SANILOG_ENTRY_H
#define SANILOG_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "buf.h"
#include "hash.h"
#include "note.h"

/* The first line of every entry, and with its LF the bytes every entry
 * starts with. */
#define ENTRY_MAGIC    "sanilog-entry v1"
#define ENTRY_HEAD     ENTRY_MAGIC "\n"
#define ENTRY_HEAD_LEN (sizeof ENTRY_HEAD - 1)

#define ENTRY_MAX	      4096 /* bytes in a whole entry */
#define ENTRY_VALUE_MAX	      200  /* bytes in a value */
#define ENTRY_VKEY_MAX	      300  /* bytes in a vkey value */
#define ENTRY_WITNESS_MAX     350  /* bytes in a witness value */
#define ENTRY_WITNESSES_MAX   10   /* witness lines of a witness-policy */
#define VENUE_ID_LEN	      8
#define VENUE_ALPHABET	      "abcdefghijkmnpqrstuvwxyz23456789"
#define INTERVAL_DAYS_DEFAULT 30
#define INTERVAL_DAYS_MAX     3650

enum entry_kind {
	ENTRY_VENUE,
	ENTRY_DOCUMENT,
	ENTRY_REVOCATION,
	ENTRY_PROVIDER_KEY,
	ENTRY_PROVIDER_REVOKE,
	ENTRY_WITNESS_POLICY,
};

/* "venue", "document", "revocation", "provider-key", "provider-revoke",
 * "witness-policy". */
const char *entry_kind_str(enum entry_kind k);

/* Whether entries of kind k are global, without venue lines: provider-key,
 * provider-revoke, witness-policy. */
bool entry_kind_global(enum entry_kind k);

/* Document types: sanitization, disinfection, pest-control, hvac, water,
 * protocol, form, other. */
bool entry_type_valid(const char *type);

/* Media types of documents: application/pdf, image/png, image/jpeg. */
bool entry_mime_valid(const char *mime);

/* The media type that the bytes' magic says (NULL if none of the three). */
const char *entry_sniff_mime(const uint8_t *data, size_t len);

/*
 * One witness of a witness-policy entry: its value "<vkey> <URL>" with the
 * space written as NUL, so that text is the vkey and text + url the URL
 * (both NUL-terminated).  354 bytes: the value's text and no more, as the
 * value is at most ENTRY_WITNESS_MAX bytes however it is split.
 */
struct entry_witness {
	uint16_t url; /* where the URL starts in text */
	char text[ENTRY_WITNESS_MAX + 1];
};

/* A witness's URL as a policy may name it: http:// or https://, then at
 * least one byte, every byte printable ASCII other than space. */
bool entry_witness_url_valid(const char *url);

/* Sets w to vkey and url.  false (w unaltered) when the two do not fit in
 * one value of ENTRY_WITNESS_MAX bytes with the space between them.  Their
 * form is not checked here: entry_format refuses what entry_parse would. */
bool entry_witness_set(struct entry_witness *w, const char *vkey,
		       const char *url);

/*
 * All fields of every kind; a kind uses its own (DESIGN.md "Exact rules").
 * Strings are NUL-terminated; an optional string absent is "".  Optional
 * fields: expires, provider, attestation (documents).
 *
 * What the witnesses cost: the other kinds' fields take 1,952 bytes, the
 * ENTRY_WITNESSES_MAX witnesses 3,540 more (each its value's text and no
 * more, 354 bytes), so a struct entry is 5,504 bytes, and every copy of
 * one, of whatever kind, carries them: a writer's batch of 512 requests
 * (store/sequencer.h) takes 3.1 MB instead of 1.3 MB, a report of a
 * venue's 1,000 entries 5.5 MB instead of 2 MB.
 */
struct entry {
	enum entry_kind kind;

	/* venue lines (venue, document, revocation) */
	char venue[VENUE_ID_LEN + 1];
	int64_t venue_seq;
	bool has_prev; /* false: "prev -" (venue-seq 0 only) */
	uint8_t prev[HASH_LEN];

	/* kind venue */
	char name[ENTRY_VALUE_MAX + 1]; /* also provider-key, provider-revoke */
	char address[ENTRY_VALUE_MAX + 1];
	int interval_days;

	/* kind document */
	char type[32];
	char title[ENTRY_VALUE_MAX + 1];
	char performed[11];
	char expires[11];
	char provider[ENTRY_VALUE_MAX + 1];
	uint8_t doc_sha256[HASH_LEN];
	int64_t doc_size;
	char doc_mime[32];
	char attestation[ENTRY_VALUE_MAX + 1];

	/* kind revocation */
	int64_t revokes;
	char reason[ENTRY_VALUE_MAX + 1]; /* also provider-revoke */

	/* document, revocation: "owner" or "operator" */
	char submitted_by[16];

	/* kind provider-key */
	char display_name[ENTRY_VALUE_MAX + 1];
	char vkey[ENTRY_VKEY_MAX + 1];

	/* kind witness-policy: quorum from 0 to nwitnesses (0 only with no
	 * witness: the end of witnessing), witnesses[0..nwitnesses) in the
	 * entry's order */
	int quorum;
	int nwitnesses;
	struct entry_witness witnesses[ENTRY_WITNESSES_MAX];

	char logged[21]; /* YYYY-MM-DDTHH:MM:SSZ */
};

/* Parses text[0..len) strictly.  On failure e says which line or key is
 * wrong and why, and *out is unspecified. */
enum status entry_parse(const char *text, size_t len, struct entry *out,
			struct err *e);

/* Appends the entry's exact bytes to out, after checking that they parse
 * back to the same entry.  On failure out is unaltered. */
enum status entry_format(const struct entry *en, struct buf *out,
			 struct err *e);

/* A value as a line may hold it: non-empty, at most max bytes, valid UTF-8,
 * no leading/trailing space, none of the forbidden characters (C0 controls,
 * DEL, C1, bidi controls, U+200B-U+200F, U+2028, U+2029, U+FEFF).
 * what names the field in e's message. */
enum status entry_check_value(const char *what, const char *v, size_t max,
			      struct err *e);

/* A real calendar date in YYYY-MM-DD form. */
bool entry_date_valid(const char *d);

/* A timestamp of the exact form YYYY-MM-DDTHH:MM:SSZ, a real date and time. */
bool entry_time_valid(const char *t);

/* A venue id: 8 characters of VENUE_ALPHABET. */
bool entry_venue_id_valid(const char *id);

/* Days since 1970-01-01 of a valid YYYY-MM-DD date. */
int64_t entry_date_days(const char *d);

/* Seconds since 1970-01-01T00:00:00Z of a valid YYYY-MM-DDTHH:MM:SSZ. */
int64_t entry_time_seconds(const char *t);

/* The YYYY-MM-DD date days after 1970-01-01; "" outside years 0-9999. */
void entry_days_date(int64_t days, char out[11]);

#endif
