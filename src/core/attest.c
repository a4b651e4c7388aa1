/*
 * attest.c: a sanitization provider's attestation of a document.
 *
 * A provider signs, with its own signed-note key, a fixed text built from
 * the document's venue, hash, type and dates (attest_text).  The log takes
 * the signed note (attest_from_note), checks it against the provider's key
 * and the upload's own fields, and keeps only its signature line, with the
 * key name followed by "+<key hash>", as the entry's attestation value.  A
 * verifier later rebuilds the text from the entry's lines and checks that
 * value (attest_verify_line) without needing the note itself.
 *
 * Fields are checked for form only (venue id alphabet, type characters,
 * YYYY-MM-DD shape), enough to make the text unambiguous; calendar and
 * type-list rules belong to the entry module.
 */
#include "attest.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "codec.h"
#include "entry.h"

#define ATTEST_TEXT_MAX 512 /* far above the longest attestation text */
#define ATTEST_TYPE_MAX 31  /* bytes in a type */
#define SIG_RAW_LEN	68  /* 4-byte key hash || 64-byte signature */
#define SIG_B64_LEN	92  /* base64 of SIG_RAW_LEN bytes */
#define SIG_PREFIX	"\xe2\x80\x94 " /* em dash U+2014, space */
#define SIG_PREFIX_LEN	4
/* "<name>+<8 hex> <base64>" */
#define ATTEST_LINE_MAX (NOTE_NAME_MAX + 1 + 8 + 1 + SIG_B64_LEN)

static uint32_t be32(const uint8_t b[4])
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static bool venue_ok(const char *v)
{
	if (v == NULL || strlen(v) != VENUE_ID_LEN)
		return false;
	for (size_t i = 0; i < VENUE_ID_LEN; i++)
		if (strchr(VENUE_ALPHABET, v[i]) == NULL)
			return false;
	return true;
}

/* 1 to ATTEST_TYPE_MAX characters of a-z, 0-9 and '-'. */
static bool type_ok(const char *t)
{
	size_t n;

	if (t == NULL)
		return false;
	n = strlen(t);
	if (n == 0 || n > ATTEST_TYPE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '-'))
			return false;
	return true;
}

/* The shape YYYY-MM-DD (the entry module checks the calendar). */
static bool date_ok(const char *d)
{
	if (d == NULL || strlen(d) != 10)
		return false;
	for (size_t i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (d[i] != '-')
				return false;
		} else if (d[i] < '0' || d[i] > '9') {
			return false;
		}
	}
	return true;
}

static bool has_expires(const struct attest_fields *f)
{
	return f->expires != NULL && f->expires[0] != 0;
}

static enum status check_fields(const struct attest_fields *f, struct err *e)
{
	if (!venue_ok(f->venue))
		return err_set(e, ST_INVALID,
			       "attestation: venue is not %d characters of %s",
			       VENUE_ID_LEN, VENUE_ALPHABET);
	if (!type_ok(f->type))
		return err_set(e, ST_INVALID,
			       "attestation: type is not 1 to %d characters "
			       "of a-z, 0-9 and '-'",
			       ATTEST_TYPE_MAX);
	if (!date_ok(f->performed))
		return err_set(e, ST_INVALID,
			       "attestation: performed is not a YYYY-MM-DD "
			       "date");
	if (has_expires(f) && !date_ok(f->expires))
		return err_set(e, ST_INVALID,
			       "attestation: expires is not a YYYY-MM-DD date "
			       "(nor empty)");
	return ST_OK;
}

enum status attest_text(const struct attest_fields *f, struct buf *out)
{
	char doc[2 * HASH_LEN + 1];

	if (check_fields(f, NULL) != ST_OK)
		return ST_INVALID;
	hex_encode(doc, f->doc, HASH_LEN);
	return buf_printf(out,
			  "sanilog-attestation v1\n"
			  "venue %s\n"
			  "doc %s\n"
			  "type %s\n"
			  "performed %s\n"
			  "expires %s\n",
			  f->venue, doc, f->type, f->performed,
			  has_expires(f) ? f->expires : "-");
}

/* Appends the attestation text of f to text, saying what is wrong if not. */
static enum status make_text(const struct attest_fields *f, struct buf *text,
			     struct err *e)
{
	enum status st;

	st = check_fields(f, e);
	if (st != ST_OK)
		return st;
	st = attest_text(f, text);
	if (st != ST_OK)
		return err_set(e, st, "attestation text: %s", status_str(st));
	return ST_OK;
}

enum status attest_sign(const struct note_signer *s,
			const struct attest_fields *f, struct buf *out,
			struct err *e)
{
	struct buf text;
	enum status st;

	buf_init(&text, ATTEST_TEXT_MAX);
	st = make_text(f, &text, e);
	if (st != ST_OK)
		goto out;
	st = note_sign(s, (const char *)text.data, text.len, out, e);
out:
	buf_free(&text);
	return st;
}

/*
 * Compares the signed text got[0..got_len) with the expected text and
 * names the first line that differs.
 */
static enum status compare_text(const char *got, size_t got_len,
				const struct buf *want, struct err *e)
{
	static const char *const keys[] = {"venue", "doc", "type", "performed",
					   "expires"};
	const char *w = (const char *)want->data;
	size_t pos = 0;
	size_t i = 0;

	while (pos < want->len) {
		const char *nl = memchr(w + pos, '\n', want->len - pos);
		size_t n = (size_t)(nl - (w + pos)) + 1;
		if (n > got_len - pos || memcmp(got + pos, w + pos, n) != 0) {
			if (i == 0)
				return err_set(e, ST_BAD_SIGNATURE,
					       "attestation: the signed text "
					       "does not start with "
					       "\"sanilog-attestation v1\"");
			return err_set(e, ST_BAD_SIGNATURE,
				       "attestation: the signed \"%s\" line "
				       "does not match the document's",
				       keys[i - 1]);
		}
		pos += n;
		i++;
	}
	if (got_len != want->len)
		return err_set(e, ST_BAD_SIGNATURE,
			       "attestation: the signed text has lines after "
			       "\"expires\"");
	return ST_OK;
}

/*
 * Finds in the signature block sigs[0..len) of a note that note_open
 * accepted the first signature by v, which is the one note_open verified,
 * and writes the attestation value into value.
 */
static enum status find_sig(const char *sigs, size_t len,
			    const struct note_verifier *v, char *value,
			    size_t valuesize, struct err *e)
{
	size_t name_len = strnlen(v->name, sizeof v->name);
	size_t pos = 0;

	while (pos < len) {
		const char *line = sigs + pos;
		const char *nl = memchr(line, '\n', len - pos);
		uint8_t raw[SIG_RAW_LEN];
		size_t raw_len = 0;

		if (nl == NULL)
			break;
		pos = (size_t)(nl - sigs) + 1;
		if ((size_t)(nl - line) !=
			    SIG_PREFIX_LEN + name_len + 1 + SIG_B64_LEN ||
		    memcmp(line, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
			continue;
		line += SIG_PREFIX_LEN;
		if (memcmp(line, v->name, name_len) != 0 ||
		    line[name_len] != ' ')
			continue;
		line += name_len + 1;
		if (b64_decode(raw, sizeof raw, &raw_len, line, SIG_B64_LEN,
			       B64_STD) != ST_OK ||
		    raw_len != SIG_RAW_LEN || be32(raw) != v->hash)
			continue;
		snprintf(value, valuesize, "%.*s+%08" PRIx32 " %.*s",
			 (int)name_len, v->name, v->hash, SIG_B64_LEN, line);
		return ST_OK;
	}
	return err_set(e, ST_INTERNAL,
		       "attestation: verified signature line not found");
}

enum status attest_from_note(const char *note, size_t len,
			     const struct attest_fields *f,
			     const struct note_verifier *v, char *line,
			     size_t linesize, struct err *e)
{
	struct buf text;
	char value[ATTEST_LINE_MAX + 1];
	size_t tlen = 0;
	size_t vlen;
	enum status st;

	buf_init(&text, ATTEST_TEXT_MAX);
	st = make_text(f, &text, e);
	if (st != ST_OK)
		goto out;
	st = note_open(note, len, v, 1, &tlen, e);
	if (st != ST_OK) {
		err_prefix(e, "attestation");
		goto out;
	}
	st = compare_text(note, tlen, &text, e);
	if (st != ST_OK)
		goto out;
	/* note_open split the text from the signatures at a blank line. */
	/* The first signature by v is the one note_open verified over this
	 * very text: it needs no second verification. */
	st = find_sig(note + tlen + 1, len - tlen - 1, v, value, sizeof value,
		      e);
	if (st != ST_OK)
		goto out;
	vlen = strlen(value);
	if (vlen >= linesize) {
		st = err_set(e, ST_TOO_LARGE,
			     "attestation: value of %zu bytes does not fit in "
			     "%zu",
			     vlen, linesize);
		goto out;
	}
	memcpy(line, value, vlen + 1);
out:
	buf_free(&text);
	return st;
}

/* Parses an attestation value into the key name, hash and raw signature. */
static enum status parse_line(const char *line, char name[NOTE_NAME_MAX + 1],
			      uint32_t *hash, uint8_t raw[SIG_RAW_LEN],
			      struct err *e)
{
	size_t len = strnlen(line, ATTEST_LINE_MAX + 1);
	const char *sp;
	const char *plus;
	const char *b64;
	size_t raw_len = 0;
	uint8_t hb[4];

	if (len > ATTEST_LINE_MAX)
		return err_set(e, ST_INVALID,
			       "attestation: longer than %d bytes",
			       ATTEST_LINE_MAX);
	sp = memchr(line, ' ', len);
	if (sp == NULL)
		return err_set(e, ST_INVALID,
			       "attestation: no space between the key and the "
			       "signature");
	plus = memchr(line, '+', (size_t)(sp - line));
	if (plus == NULL)
		return err_set(e, ST_INVALID,
			       "attestation: no '+' between the key name and "
			       "the key hash");
	if (!note_name_valid(line, (size_t)(plus - line)))
		return err_set(e, ST_INVALID,
			       "attestation: key name is not valid");
	if (hex_decode(hb, sizeof hb, plus + 1, (size_t)(sp - plus - 1)) !=
	    ST_OK)
		return err_set(e, ST_INVALID,
			       "attestation: key hash is not 8 lowercase hex "
			       "digits");
	b64 = sp + 1;
	if ((size_t)(line + len - b64) != SIG_B64_LEN ||
	    b64_decode(raw, SIG_RAW_LEN, &raw_len, b64, SIG_B64_LEN, B64_STD) !=
		    ST_OK ||
	    raw_len != SIG_RAW_LEN)
		return err_set(e, ST_INVALID,
			       "attestation: signature is not canonical padded "
			       "base64 of %d bytes",
			       SIG_RAW_LEN);
	if (be32(raw) != be32(hb))
		return err_set(e, ST_INVALID,
			       "attestation: key hash in the signature "
			       "(%08" PRIx32 ") is not %08" PRIx32,
			       be32(raw), be32(hb));
	memcpy(name, line, (size_t)(plus - line));
	name[plus - line] = 0;
	*hash = be32(hb);
	return ST_OK;
}

enum status attest_parse_line(const char *line, char *name, uint32_t *hash,
			      struct err *e)
{
	char n[NOTE_NAME_MAX + 1];
	uint8_t raw[SIG_RAW_LEN];
	uint32_t h = 0;
	enum status st;

	st = parse_line(line, n, &h, raw, e);
	if (st != ST_OK)
		return st;
	memcpy(name, n, strlen(n) + 1);
	*hash = h;
	return ST_OK;
}

enum status attest_verify_line(const char *line, const struct attest_fields *f,
			       const struct note_verifier *v, struct err *e)
{
	char name[NOTE_NAME_MAX + 1];
	uint8_t raw[SIG_RAW_LEN];
	uint32_t hash = 0;
	struct buf text;
	enum status st;

	buf_init(&text, ATTEST_TEXT_MAX);
	st = parse_line(line, name, &hash, raw, e);
	if (st != ST_OK)
		goto out;
	if (strncmp(name, v->name, sizeof v->name) != 0 || hash != v->hash) {
		st = err_set(e, ST_BAD_SIGNATURE,
			     "attestation: signed by key %s+%08" PRIx32
			     ", not by the provider's key %.*s+%08" PRIx32,
			     name, hash, (int)strnlen(v->name, sizeof v->name),
			     v->name, v->hash);
		goto out;
	}
	st = make_text(f, &text, e);
	if (st != ST_OK)
		goto out;
	if (crypto_sign_verify_detached(raw + 4, text.data, text.len, v->pk) !=
	    0) {
		st = err_set(e, ST_BAD_SIGNATURE,
			     "attestation: signature by %s+%08" PRIx32
			     " does not verify over the document's fields",
			     name, hash);
		goto out;
	}
out:
	buf_free(&text);
	return st;
}
