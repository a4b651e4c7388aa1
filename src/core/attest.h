/*
 * attest.h: a sanitization provider's attestation of a document.
 *
 * The provider signs, with its own signed-note key, the text
 *   sanilog-attestation v1\nvenue <id>\ndoc <hex sha256>\ntype <type>\n
 *   performed <date>\nexpires <date or ->\n
 * The entry carries it as one line value:
 *   <name>+<8 lowercase hex key hash> <base64(4-byte key hash || signature)>
 * and any verifier rebuilds the text from the entry's own lines.
 */
#ifndef SANILOG_ATTEST_H
#define SANILOG_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "buf.h"
#include "hash.h"
#include "note.h"

/* Longest provider name whose attestation value fits an entry line
 * (200 bytes = name + '+' + 8 hex + ' ' + 92 base64 characters). */
#define ATTEST_NAME_MAX 98

struct attest_fields {
	const char *venue;     /* 8-character venue id */
	uint8_t doc[HASH_LEN]; /* SHA-256 of the document */
	const char *type;      /* document type, e.g. "sanitization" */
	const char *performed; /* YYYY-MM-DD */
	const char *expires;   /* YYYY-MM-DD, or NULL / "" for none */
};

/* Appends the attestation text to out. */
enum status attest_text(const struct attest_fields *f, struct buf *out);

/* Appends the signed note (what `sanilog attest -o` writes) to out. */
enum status attest_sign(const struct note_signer *s,
			const struct attest_fields *f, struct buf *out,
			struct err *e);

/*
 * Checks a signed attestation note against the fields and the provider key
 * v: its text must equal attest_text(f) and carry v's valid signature.
 * On ST_OK writes the entry's attestation value and NUL into line
 * (linesize >= 256).
 */
enum status attest_from_note(const char *note, size_t len,
			     const struct attest_fields *f,
			     const struct note_verifier *v, char *line,
			     size_t linesize, struct err *e);

/* Splits an entry's attestation value into the key name (copied into name,
 * NOTE_NAME_MAX+1 bytes) and key hash.  ST_INVALID if malformed. */
enum status attest_parse_line(const char *line, char *name, uint32_t *hash,
			      struct err *e);

/* Verifies an entry's attestation value against f and the provider key v
 * (whose name and hash must match the line).  ST_BAD_SIGNATURE if not. */
enum status attest_verify_line(const char *line, const struct attest_fields *f,
			       const struct note_verifier *v, struct err *e);

#endif
