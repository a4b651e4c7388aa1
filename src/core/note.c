/*
 * note.c: C2SP signed notes (v1.0.0) with Ed25519, keys in the text forms
 * of Go's golang.org/x/mod/sumdb/note, and C2SP tlog-checkpoint (v1.0.0).
 *
 * A sanilog log commits to its state with signed checkpoints, and providers
 * attest documents with signed notes, so this module has to agree with Go's
 * note package byte for byte: every note and key it writes, Go's note.Open
 * and NewVerifier/NewSigner accept; everything those reject, it rejects.
 * It is stricter in a few documented places: base64 must be canonical
 * (exact padding, zero unused bits), key hashes are lowercase hex, key
 * names of our own keys are at most NOTE_NAME_MAX bytes without control
 * characters, and public keys must be valid Ed25519 points.
 *
 * note_open follows note.Open exactly: the whole message is valid UTF-8
 * without control characters other than LF; the last blank line splits
 * text from signatures; each signature line is "— <name> <base64>";
 * more than NOTE_MAX_SIGS signatures is malformed; signatures by unknown
 * keys are ignored; only the first signature by each known key is checked
 * (later ones are ignored, as Go drops them); a known key whose signature
 * does not verify fails the note; at least one known key must have signed.
 * Unlike Go, the form of every line is checked before any signature, so
 * a malformed note is always ST_INVALID whatever order its lines are in.
 *
 * The signer's keys live in sodium_malloc'd memory, read-only while the
 * signer exists and wiped when it is freed.
 *
 * Why this file is long: the note, its keys and the checkpoint it carries
 * share the checks of text, names and base64 that keep them Go's byte for
 * byte, and a reader finds note.Open's rules in one place.
 */
#include "note.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "codec.h"
#include "utf8.h"

#define ALG_ED25519	0x01
#define ALG_COSIG_V1	0x04 /* a witness's key: tlog-cosignature v1 */
#define KEY_LEN		33   /* algorithm byte || 32-byte key or seed */
#define KEY_B64_LEN	44   /* base64 of KEY_LEN bytes */
#define SIG_RAW_LEN	68   /* 4-byte key hash || 64-byte signature */
#define SIG_B64_LEN	92   /* base64 of SIG_RAW_LEN bytes */
#define SIG_PREFIX	"\xe2\x80\x94 " /* em dash U+2014, space */
#define SIG_PREFIX_LEN	4
#define SKEY_PREFIX	"PRIVATE+KEY+"
#define SKEY_PREFIX_LEN 12
#define SKEY_MAX	(SKEY_PREFIX_LEN + NOTE_VKEY_MAX)

struct note_signer {
	char name[NOTE_NAME_MAX + 1];
	uint32_t hash;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES]; /* seed || public key */
};

/* One signature line of a note, as note_open found it. */
struct sig_line {
	const char *name;
	size_t name_len;
	const char *b64;
	size_t b64_len;
	uint32_t hash;
};

/* One piece of a multi-part append. */
struct part {
	const void *data;
	size_t len;
};

/* Go's unicode.IsSpace: the White_Space property. */
static bool unicode_space(uint32_t c)
{
	switch (c) {
	case '\t':
	case '\n':
	case '\v':
	case '\f':
	case '\r':
	case ' ':
	case 0x85:
	case 0xa0:
	case 0x1680:
	case 0x2028:
	case 0x2029:
	case 0x202f:
	case 0x205f:
	case 0x3000:
		return true;
	default:
		return c >= 0x2000 && c <= 0x200a;
	}
}

/*
 * Checks that s[0..n) is valid UTF-8 with no control character other than
 * LF, the rule for a whole signed note.  what names it in e's message.
 */
static enum status check_text(const char *s, size_t n, const char *what,
			      struct err *e)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	while (i < n) {
		uint32_t c;
		size_t k = utf8_decode(p + i, n - i, &c);
		if (k == 0)
			return err_set(e, ST_INVALID,
				       "%s: invalid UTF-8 at byte %zu", what,
				       i);
		if (c < 0x20 && c != '\n')
			return err_set(e, ST_INVALID,
				       "%s: control character 0x%02x at byte "
				       "%zu (only LF is allowed)",
				       what, (unsigned)c, i);
		i += k;
	}
	return ST_OK;
}

/*
 * Go's isValidName: non-empty valid UTF-8 without Unicode spaces or '+'.
 * Used for the names of signature lines, which may belong to anyone.
 */
static bool go_name_valid(const char *name, size_t len)
{
	const uint8_t *p = (const uint8_t *)name;
	size_t i = 0;

	if (len == 0)
		return false;
	while (i < len) {
		uint32_t c;
		size_t k = utf8_decode(p + i, len - i, &c);
		if (k == 0 || c == '+' || unicode_space(c))
			return false;
		i += k;
	}
	return true;
}

bool note_name_valid(const char *name, size_t len)
{
	const uint8_t *p = (const uint8_t *)name;
	size_t i = 0;

	if (len > NOTE_NAME_MAX || !go_name_valid(name, len))
		return false;
	while (i < len) {
		uint32_t c = 0;
		size_t k = utf8_decode(p + i, len - i, &c);
		if (k == 0 || c < 0x20 || (c >= 0x7f && c <= 0x9f))
			return false;
		i += k;
	}
	return true;
}

static uint32_t be32(const uint8_t b[4])
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static void put_be32(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* The key hash of an encoded key (algorithm byte first) of any length. */
static uint32_t key_hash(const char *name, size_t name_len, const uint8_t *key,
			 size_t key_len)
{
	const struct sha256_piece in[] = {
		{name, name_len}, {"\n", 1}, {key, key_len}};
	uint8_t sum[HASH_LEN];

	sha256_gather(sum, in, 3);
	return be32(sum);
}

uint32_t note_key_hash(const char *name, const uint8_t pk[32])
{
	uint8_t key[KEY_LEN];

	key[0] = ALG_ED25519;
	memcpy(key + 1, pk, 32);
	return key_hash(name, strlen(name), key, sizeof key);
}

/* Truncates b back to len bytes (undoing appends made since). */
static void buf_truncate(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data != NULL)
		b->data[len] = 0;
}

/*
 * Appends parts[0..n) to out as one: out grows at most once, before any
 * byte is written (so secret bytes are never left behind in a freed block),
 * and on failure out is unaltered.
 */
static enum status append_parts(struct buf *out, const struct part *parts,
				size_t n)
{
	size_t total = 0;
	size_t mark = out->len;

	for (size_t i = 0; i < n; i++) {
		if (parts[i].len > SIZE_MAX - total)
			return ST_TOO_LARGE;
		total += parts[i].len;
	}
	if (total > out->cap || out->len > out->cap - total)
		return ST_TOO_LARGE;
	if (buf_reserve(out, total) == NULL)
		return ST_NOMEM;
	for (size_t i = 0; i < n; i++) {
		enum status st = buf_append(out, parts[i].data, parts[i].len);
		if (st != ST_OK) {
			buf_truncate(out, mark); /* cannot happen: reserved */
			return st;
		}
	}
	return ST_OK;
}

/*
 * Makes a signer named name[0..name_len) from an Ed25519 seed.  *out is
 * new on ST_OK.
 */
static enum status signer_make(const char *name, size_t name_len,
			       const uint8_t seed[32], struct note_signer **out,
			       struct err *e)
{
	struct note_signer *s;

	if (!note_name_valid(name, name_len))
		return err_set(e, ST_INVALID,
			       "key name is not valid (want 1 to %d bytes of "
			       "UTF-8 without spaces, '+' or control "
			       "characters)",
			       NOTE_NAME_MAX);
	s = sodium_malloc(sizeof *s);
	if (s == NULL)
		return err_set(e, ST_NOMEM, "out of memory for a signer key");
	sodium_memzero(s, sizeof *s);
	memcpy(s->name, name, name_len);
	s->name[name_len] = 0;
	if (crypto_sign_seed_keypair(s->pk, s->sk, seed) != 0) {
		sodium_free(s);
		return err_set(e, ST_INTERNAL, "Ed25519 key derivation failed");
	}
	s->hash = note_key_hash(s->name, s->pk);
	sodium_mprotect_readonly(s);
	*out = s;
	return ST_OK;
}

enum status note_signer_generate(const char *name, struct note_signer **out,
				 struct err *e)
{
	uint8_t seed[32];
	enum status st;

	randombytes_buf(seed, sizeof seed);
	st = signer_make(name, strlen(name), seed, out, e);
	sodium_memzero(seed, sizeof seed);
	return st;
}

enum status note_signer_from_seed(const char *name, const uint8_t seed[32],
				  struct note_signer **out, struct err *e)
{
	return signer_make(name, strlen(name), seed, out, e);
}

/*
 * Splits "<name>+<8 hex>+<base64>" (the key text after any "PRIVATE+KEY+")
 * into the name, the hash and the decoded key (up to keysize bytes).  As
 * Go's chop, the name ends at the first '+', the hash at the second.
 * what is "verifier key" or "signer key".
 */
static enum status split_key(const char *text, size_t len, const char *what,
			     size_t *name_len, uint32_t *hash, uint8_t *key,
			     size_t keysize, size_t *key_len, struct err *e)
{
	const char *plus1 = memchr(text, '+', len);
	const char *hex;
	const char *plus2;
	const char *b64;
	uint8_t hb[4];

	if (plus1 == NULL)
		return err_set(e, ST_INVALID, "%s: no '+' after the key name",
			       what);
	if (!note_name_valid(text, (size_t)(plus1 - text)))
		return err_set(e, ST_INVALID,
			       "%s: key name is not valid (want 1 to %d bytes "
			       "of UTF-8 without spaces, '+' or control "
			       "characters)",
			       what, NOTE_NAME_MAX);
	hex = plus1 + 1;
	plus2 = memchr(hex, '+', len - (size_t)(hex - text));
	if (plus2 == NULL)
		return err_set(e, ST_INVALID, "%s: no '+' after the key hash",
			       what);
	if (hex_decode(hb, sizeof hb, hex, (size_t)(plus2 - hex)) != ST_OK)
		return err_set(e, ST_INVALID,
			       "%s: key hash is not 8 lowercase hex digits",
			       what);
	b64 = plus2 + 1;
	if (b64_decode(key, keysize, key_len, b64, len - (size_t)(b64 - text),
		       B64_STD) != ST_OK ||
	    *key_len == 0)
		return err_set(e, ST_INVALID,
			       "%s: key is not canonical padded base64", what);
	*name_len = (size_t)(plus1 - text);
	*hash = be32(hb);
	return ST_OK;
}

enum status note_signer_parse(const char *text, size_t len,
			      struct note_signer **out, struct err *e)
{
	static const char what[] = "signer key";
	uint8_t key[SKEY_MAX];
	size_t name_len = 0;
	size_t key_len = 0;
	uint32_t hash = 0;
	struct note_signer *s = NULL;
	enum status st;

	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len > SKEY_MAX) {
		st = err_set(e, ST_INVALID, "%s: longer than %d bytes", what,
			     SKEY_MAX);
		goto out;
	}
	if (len < SKEY_PREFIX_LEN ||
	    memcmp(text, SKEY_PREFIX, SKEY_PREFIX_LEN) != 0) {
		st = err_set(e, ST_INVALID,
			     "%s: does not start with \"" SKEY_PREFIX "\"",
			     what);
		goto out;
	}
	st = split_key(text + SKEY_PREFIX_LEN, len - SKEY_PREFIX_LEN, what,
		       &name_len, &hash, key, sizeof key, &key_len, e);
	if (st != ST_OK)
		goto out;
	if (key[0] != ALG_ED25519) {
		st = err_set(e, ST_INVALID,
			     "%s: unknown algorithm 0x%02x (want 0x01, "
			     "Ed25519)",
			     what, key[0]);
		goto out;
	}
	if (key_len != KEY_LEN) {
		st = err_set(e, ST_INVALID,
			     "%s: Ed25519 seed is %zu bytes, not 32", what,
			     key_len - 1);
		goto out;
	}
	st = signer_make(text + SKEY_PREFIX_LEN, name_len, key + 1, &s, e);
	if (st != ST_OK) {
		err_prefix(e, "%s", what);
		goto out;
	}
	if (s->hash != hash) {
		st = err_set(e, ST_INVALID,
			     "%s: key hash %08" PRIx32
			     " does not match the key (%08" PRIx32 ")",
			     what, hash, s->hash);
		goto out;
	}
	*out = s;
	s = NULL;
out:
	note_signer_free(s);
	sodium_memzero(key, sizeof key);
	return st;
}

enum status note_signer_format(const struct note_signer *s, struct buf *out)
{
	uint8_t key[KEY_LEN];
	char b64[KEY_B64_LEN + 1];
	char hex[9];
	enum status st;

	key[0] = ALG_ED25519;
	crypto_sign_ed25519_sk_to_seed(key + 1, s->sk);
	b64_encode(b64, sizeof b64, key, sizeof key, B64_STD);
	snprintf(hex, sizeof hex, "%08" PRIx32, s->hash);
	const struct part parts[] = {
		{SKEY_PREFIX, SKEY_PREFIX_LEN},
		{s->name, strlen(s->name)},
		{"+", 1},
		{hex, 8},
		{"+", 1},
		{b64, KEY_B64_LEN},
	};
	st = append_parts(out, parts, sizeof parts / sizeof parts[0]);
	sodium_memzero(key, sizeof key);
	sodium_memzero(b64, sizeof b64);
	return st;
}

void note_signer_free(struct note_signer *s)
{
	if (s == NULL)
		return;
	sodium_mprotect_readwrite(s);
	sodium_memzero(s, sizeof *s);
	sodium_free(s);
}

void note_signer_verifier(const struct note_signer *s,
			  struct note_verifier *out)
{
	memcpy(out->name, s->name, sizeof out->name);
	out->hash = s->hash;
	memcpy(out->pk, s->pk, sizeof out->pk);
}

/* A verifier key of algorithm alg (0x01: a log's; 0x04: a witness's). */
static enum status verifier_parse(const char *text, size_t len, uint8_t alg,
				  struct note_verifier *out, struct err *e)
{
	const char *what =
		alg == ALG_ED25519 ? "verifier key" : "witness verifier key";
	uint8_t key[NOTE_VKEY_MAX];
	size_t name_len = 0;
	size_t key_len = 0;
	uint32_t hash = 0;
	uint32_t want;
	enum status st;

	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len > NOTE_VKEY_MAX)
		return err_set(e, ST_INVALID, "%s: longer than %d bytes", what,
			       NOTE_VKEY_MAX);
	st = split_key(text, len, what, &name_len, &hash, key, sizeof key,
		       &key_len, e);
	if (st != ST_OK)
		return st;
	/* Go checks the hash over the whole encoded key before its form. */
	want = key_hash(text, name_len, key, key_len);
	if (want != hash)
		return err_set(e, ST_INVALID,
			       "%s: key hash %08" PRIx32
			       " does not match the key (%08" PRIx32 ")",
			       what, hash, want);
	if (key[0] != alg)
		return err_set(e, ST_INVALID,
			       "%s: unknown algorithm 0x%02x (want 0x%02x, %s)",
			       what, key[0], alg,
			       alg == ALG_ED25519 ? "Ed25519"
						  : "Ed25519 cosignature/v1");
	if (key_len != KEY_LEN)
		return err_set(e, ST_INVALID,
			       "%s: Ed25519 public key is %zu bytes, not 32",
			       what, key_len - 1);
	if (!crypto_core_ed25519_is_valid_point(key + 1))
		return err_set(e, ST_INVALID,
			       "%s: public key is not a valid Ed25519 point",
			       what);
	memcpy(out->name, text, name_len);
	out->name[name_len] = 0;
	out->hash = hash;
	memcpy(out->pk, key + 1, sizeof out->pk);
	return ST_OK;
}

enum status note_verifier_parse(const char *text, size_t len,
				struct note_verifier *out, struct err *e)
{
	return verifier_parse(text, len, ALG_ED25519, out, e);
}

enum status note_cosigner_parse(const char *text, size_t len,
				struct note_verifier *out, struct err *e)
{
	return verifier_parse(text, len, ALG_COSIG_V1, out, e);
}

/* The key text of v's name and key under algorithm alg, its hash computed
 * afresh. */
static void verifier_format(const struct note_verifier *v, uint8_t alg,
			    char *out, size_t outsize)
{
	uint8_t key[KEY_LEN];
	char b64[KEY_B64_LEN + 1];
	int n;

	assert(outsize >= NOTE_VKEY_MAX + 1);
	key[0] = alg;
	memcpy(key + 1, v->pk, sizeof v->pk);
	b64_encode(b64, sizeof b64, key, sizeof key, B64_STD);
	n = snprintf(out, outsize, "%s+%08" PRIx32 "+%s", v->name,
		     key_hash(v->name, strlen(v->name), key, sizeof key), b64);
	if (n < 0 || (size_t)n >= outsize)
		out[0] = 0;
}

void note_verifier_format(const struct note_verifier *v, char *out,
			  size_t outsize)
{
	verifier_format(v, ALG_ED25519, out, outsize);
}

void note_cosigner_format(const struct note_verifier *v, char *out,
			  size_t outsize)
{
	verifier_format(v, ALG_COSIG_V1, out, outsize);
}

void note_sign_raw(const struct note_signer *s, const void *msg, size_t len,
		   uint8_t sig[64])
{
	crypto_sign_detached(sig, NULL, msg, len, s->sk);
}

/* Appends "— <name> <base64(hash || sig)>\n" given the raw signature. */
static enum status append_note(struct buf *out, const char *text, size_t len,
			       const char *name, uint32_t hash,
			       const uint8_t sig[64])
{
	uint8_t raw[SIG_RAW_LEN];
	char b64[SIG_B64_LEN + 1];

	put_be32(raw, hash);
	memcpy(raw + 4, sig, 64);
	b64_encode(b64, sizeof b64, raw, sizeof raw, B64_STD);
	const struct part parts[] = {
		{text, len},			       /* the text */
		{"\n" SIG_PREFIX, 1 + SIG_PREFIX_LEN}, /* blank line, "— " */
		{name, strlen(name)},
		{" ", 1},
		{b64, SIG_B64_LEN},
		{"\n", 1},
	};
	return append_parts(out, parts, sizeof parts / sizeof parts[0]);
}

enum status note_sign(const struct note_signer *s, const char *text, size_t len,
		      struct buf *out, struct err *e)
{
	uint8_t sig[64];
	enum status st;

	if (len == 0)
		return err_set(e, ST_INVALID, "note text is empty");
	if (text[len - 1] != '\n')
		return err_set(e, ST_INVALID,
			       "note text does not end in a newline");
	st = check_text(text, len, "note text", e);
	if (st != ST_OK)
		return st;
	for (size_t i = 0; i + 1 < len; i++)
		if (text[i] == '\n' && text[i + 1] == '\n')
			return err_set(e, ST_INVALID,
				       "note text has an empty line at byte "
				       "%zu",
				       i + 1);
	note_sign_raw(s, text, len, sig);
	st = append_note(out, text, len, s->name, s->hash, sig);
	if (st != ST_OK)
		return err_set(e, st, "signed note: %s", status_str(st));
	return ST_OK;
}

/*
 * Parses the signature block sigs[0..len) (non-empty, ending in LF) into
 * lines[], checking the form of every line.  lines has NOTE_MAX_SIGS
 * entries; scratch holds the decoding of the longest line.
 */
static enum status parse_sig_lines(const char *sigs, size_t len,
				   struct sig_line *lines, size_t *nlines,
				   uint8_t *scratch, size_t scratch_size,
				   struct err *e)
{
	size_t n = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *line = sigs + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t line_len = (size_t)(nl - line);
		size_t no = n + 1;
		const char *sp;
		size_t raw_len = 0;

		assert(nl != NULL); /* the block ends in LF */
		pos += line_len + 1;
		if (n == NOTE_MAX_SIGS)
			return err_set(e, ST_INVALID,
				       "signed note: more than %d signatures",
				       NOTE_MAX_SIGS);
		if (line_len < SIG_PREFIX_LEN ||
		    memcmp(line, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
			return err_set(e, ST_INVALID,
				       "signed note: signature line %zu does "
				       "not start with an em dash (U+2014) "
				       "and a space",
				       no);
		line += SIG_PREFIX_LEN;
		line_len -= SIG_PREFIX_LEN;
		sp = memchr(line, ' ', line_len);
		if (sp == NULL)
			return err_set(e, ST_INVALID,
				       "signed note: signature line %zu has "
				       "no space after the key name",
				       no);
		lines[n].name = line;
		lines[n].name_len = (size_t)(sp - line);
		lines[n].b64 = sp + 1;
		lines[n].b64_len = line_len - lines[n].name_len - 1;
		if (!go_name_valid(lines[n].name, lines[n].name_len))
			return err_set(e, ST_INVALID,
				       "signed note: signature line %zu: key "
				       "name is empty or has a space or '+'",
				       no);
		if (lines[n].b64_len == 0)
			return err_set(e, ST_INVALID,
				       "signed note: signature line %zu: no "
				       "signature",
				       no);
		if (b64_decode(scratch, scratch_size, &raw_len, lines[n].b64,
			       lines[n].b64_len, B64_STD) != ST_OK)
			return err_set(e, ST_INVALID,
				       "signed note: signature line %zu: "
				       "signature is not canonical padded "
				       "base64",
				       no);
		if (raw_len < 5)
			return err_set(e, ST_INVALID,
				       "signed note: signature line %zu: "
				       "signature is %zu bytes, fewer than 5",
				       no, raw_len);
		lines[n].hash = be32(scratch);
		n++;
	}
	*nlines = n;
	return ST_OK;
}

static bool same_key(const char *name, size_t name_len, uint32_t hash,
		     const char *name2, size_t name2_len, uint32_t hash2)
{
	return hash == hash2 && name_len == name2_len &&
	       memcmp(name, name2, name_len) == 0;
}

/*
 * Checks the signatures of lines[0..n) over text[0..text_len) against the
 * known keys, as note.Open does.
 */
static enum status verify_sig_lines(const char *text, size_t text_len,
				    const struct sig_line *lines, size_t n,
				    const struct note_verifier *known,
				    size_t nknown, struct err *e)
{
	size_t verified = 0;

	for (size_t i = 0; i < n; i++) {
		const struct sig_line *l = &lines[i];
		const struct note_verifier *v = NULL;
		size_t matches = 0;
		bool repeated = false;
		uint8_t raw[SIG_RAW_LEN];
		size_t raw_len = 0;

		for (size_t k = 0; k < nknown; k++) {
			if (same_key(l->name, l->name_len, l->hash,
				     known[k].name,
				     strnlen(known[k].name,
					     sizeof known[k].name),
				     known[k].hash)) {
				v = &known[k];
				matches++;
			}
		}
		if (matches == 0)
			continue; /* unknown key: ignored */
		if (matches > 1)
			return err_set(
				e, ST_INVALID,
				"signed note: ambiguous key %.*s+%08" PRIx32
				": known more than once",
				(int)l->name_len, l->name, l->hash);
		for (size_t j = 0; j < i && !repeated; j++)
			repeated = same_key(l->name, l->name_len, l->hash,
					    lines[j].name, lines[j].name_len,
					    lines[j].hash);
		if (repeated)
			continue; /* Go drops repeats by a key unchecked */
		if (l->b64_len != SIG_B64_LEN ||
		    b64_decode(raw, sizeof raw, &raw_len, l->b64, l->b64_len,
			       B64_STD) != ST_OK ||
		    raw_len != SIG_RAW_LEN ||
		    crypto_sign_verify_detached(raw + 4, (const uint8_t *)text,
						text_len, v->pk) != 0)
			return err_set(e, ST_BAD_SIGNATURE,
				       "signed note: invalid signature for "
				       "key %.*s+%08" PRIx32,
				       (int)l->name_len, l->name, l->hash);
		verified++;
	}
	if (verified == 0) {
		if (nknown == 1)
			return err_set(e, ST_BAD_SIGNATURE,
				       "signed note: not signed by key "
				       "%.*s+%08" PRIx32,
				       (int)strnlen(known[0].name,
						    sizeof known[0].name),
				       known[0].name, known[0].hash);
		return err_set(e, ST_BAD_SIGNATURE,
			       "signed note: not signed by any known key");
	}
	return ST_OK;
}

enum status note_open(const char *msg, size_t len,
		      const struct note_verifier *known, size_t nknown,
		      size_t *text_len, struct err *e)
{
	struct sig_line lines[NOTE_MAX_SIGS];
	size_t nlines = 0;
	uint8_t *scratch = NULL;
	size_t scratch_size;
	size_t split;
	size_t tlen;
	const char *sigs;
	size_t sigs_len;
	enum status st;

	st = check_text(msg, len, "signed note", e);
	if (st != ST_OK)
		return st;

	/* The text ends at the last blank line. */
	for (split = len; split >= 2; split--)
		if (msg[split - 2] == '\n' && msg[split - 1] == '\n')
			break;
	if (split < 2)
		return err_set(e, ST_INVALID,
			       "signed note: no blank line before the "
			       "signatures");
	tlen = split - 1;
	sigs = msg + split;
	sigs_len = len - split;
	if (sigs_len == 0)
		return err_set(e, ST_INVALID,
			       "signed note: no signature after the blank "
			       "line");
	if (sigs[sigs_len - 1] != '\n')
		return err_set(e, ST_INVALID,
			       "signed note: last signature line does not end "
			       "in a newline");

	/* Room to decode any line's base64 (3 bytes per 4 characters). */
	scratch_size = sigs_len / 4 * 3 + 3;
	scratch = malloc(scratch_size);
	if (scratch == NULL)
		return err_set(e, ST_NOMEM, "signed note: out of memory");
	st = parse_sig_lines(sigs, sigs_len, lines, &nlines, scratch,
			     scratch_size, e);
	if (st != ST_OK)
		goto out;
	st = verify_sig_lines(msg, tlen, lines, nlines, known, nknown, e);
	if (st != ST_OK)
		goto out;
	*text_len = tlen;
out:
	free(scratch);
	return st;
}

/* A non-empty origin of at most NOTE_NAME_MAX bytes in a NUL-ended array. */
static bool origin_ok(const char *origin, size_t len)
{
	return len > 0 && len <= NOTE_NAME_MAX &&
	       memchr(origin, '\n', len) == NULL &&
	       check_text(origin, len, "origin", NULL) == ST_OK;
}

enum status checkpoint_format(const struct checkpoint *c, struct buf *out)
{
	size_t olen = strnlen(c->origin, sizeof c->origin);
	char root[45]; /* base64 of HASH_LEN bytes, NUL */

	if (olen == sizeof c->origin || !origin_ok(c->origin, olen) ||
	    c->size < 0)
		return ST_INVALID;
	b64_encode(root, sizeof root, c->root, HASH_LEN, B64_STD);
	return buf_printf(out, "%s\n%" PRId64 "\n%s\n", c->origin, c->size,
			  root);
}

/* Parses a canonical decimal (no sign, no leading zero but "0"). */
static bool parse_size(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;

	if (len == 0 || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		int d = s[i] - '0';
		if (v > (INT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

enum status checkpoint_parse(const char *text, size_t len,
			     struct checkpoint *out, struct err *e)
{
	struct checkpoint c;
	const char *line[3];
	size_t line_len[3];
	size_t pos = 0;
	size_t root_len = 0;
	uint8_t root[48];
	enum status st;

	st = check_text(text, len, "checkpoint", e);
	if (st != ST_OK)
		return st;
	if (len == 0 || text[len - 1] != '\n')
		return err_set(e, ST_INVALID,
			       "checkpoint: text does not end in a newline");
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = {"origin", "tree size",
						    "root hash"};
		const char *nl;
		if (pos == len)
			return err_set(e, ST_INVALID, "checkpoint: no %s line",
				       names[i]);
		nl = memchr(text + pos, '\n', len - pos);
		line[i] = text + pos;
		line_len[i] = (size_t)(nl - line[i]);
		pos += line_len[i] + 1;
	}
	if (line_len[0] == 0)
		return err_set(e, ST_INVALID, "checkpoint: empty origin");
	if (line_len[0] > NOTE_NAME_MAX)
		return err_set(e, ST_INVALID,
			       "checkpoint: origin longer than %d bytes",
			       NOTE_NAME_MAX);
	if (!parse_size(line[1], line_len[1], &c.size))
		return err_set(
			e, ST_INVALID,
			"checkpoint: tree size is not a decimal number "
			"without sign or leading zeros, at most %" PRId64,
			INT64_MAX);
	if (line_len[2] > 64 ||
	    b64_decode(root, sizeof root, &root_len, line[2], line_len[2],
		       B64_STD) != ST_OK)
		return err_set(e, ST_INVALID,
			       "checkpoint: root hash is not canonical padded "
			       "base64 of 32 bytes");
	if (root_len != HASH_LEN)
		return err_set(e, ST_INVALID,
			       "checkpoint: root hash is %zu bytes, not %d",
			       root_len, HASH_LEN);
	for (size_t no = 1; pos < len; no++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		if (nl == text + pos)
			return err_set(e, ST_INVALID,
				       "checkpoint: extension line %zu is "
				       "empty",
				       no);
		pos = (size_t)(nl - text) + 1;
	}
	memcpy(c.origin, line[0], line_len[0]);
	c.origin[line_len[0]] = 0;
	memcpy(c.root, root, HASH_LEN);
	*out = c;
	return ST_OK;
}

enum status checkpoint_sign(const struct note_signer *s,
			    const struct checkpoint *c, struct buf *out,
			    struct err *e)
{
	struct buf body;
	enum status st;

	buf_init(&body, 1024);
	if (strncmp(c->origin, s->name, sizeof c->origin) != 0) {
		st = err_set(e, ST_INVALID,
			     "checkpoint: origin is not the key name %s",
			     s->name);
		goto out;
	}
	st = checkpoint_format(c, &body);
	if (st != ST_OK) {
		err_set(e, st,
			"checkpoint: %s (origin must be a non-empty line, "
			"size not negative)",
			status_str(st));
		goto out;
	}
	st = note_sign(s, (const char *)body.data, body.len, out, e);
out:
	buf_free(&body);
	return st;
}

enum status checkpoint_open(const char *msg, size_t len,
			    const struct note_verifier *v,
			    struct checkpoint *out, struct err *e)
{
	struct checkpoint c;
	size_t tlen = 0;
	enum status st;

	st = note_open(msg, len, v, 1, &tlen, e);
	if (st != ST_OK)
		return st;
	st = checkpoint_parse(msg, tlen, &c, e);
	if (st != ST_OK)
		return st;
	if (strcmp(c.origin, v->name) != 0)
		return err_set(e, ST_BAD_SIGNATURE,
			       "checkpoint: origin is not %s, the name of its "
			       "key",
			       v->name);
	*out = c;
	return ST_OK;
}
