/*
 * note.h: C2SP signed-note v1.0.0 with Ed25519, keys in the text forms of
 * Go's golang.org/x/mod/sumdb/note, and C2SP tlog-checkpoint v1.0.0.
 *
 *   verifier key: <name>+<8 hex key hash>+<base64(0x01 || public key)>
 *   signer key:   PRIVATE+KEY+<name>+<8 hex key hash>+<base64(0x01 || seed)>
 *   key hash:     first 4 bytes (big-endian) of
 *                 SHA-256(name || 0x0A || 0x01 || public key)
 *   signed note:  <text, every line ending in LF>\n
 *                 — <name> <base64(4-byte key hash || 64-byte signature)>\n ...
 *
 * Everything this module writes, Go's note.Open accepts; everything Go
 * rejects, this module rejects (it is stricter on base64: canonical only).
 * Secret key material lives in sodium_malloc'd memory and is wiped on free.
 */
#ifndef SANILOG_NOTE_H
#define SANILOG_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "buf.h"
#include "hash.h"

#define NOTE_NAME_MAX 200 /* longest key name we accept, in bytes */
#define NOTE_VKEY_MAX 300 /* longest verifier key text */
#define NOTE_MAX_SIGS 100 /* as Go */

struct note_verifier {
	char name[NOTE_NAME_MAX + 1];
	uint32_t hash;
	uint8_t pk[32];
};

struct note_signer; /* opaque; holds the secret key in guarded memory */

/* Key names: non-empty valid UTF-8, no Unicode space, no '+', at most
 * NOTE_NAME_MAX bytes, no control characters. */
bool note_name_valid(const char *name, size_t len);

/* The 4-byte key hash of an Ed25519 public key under name. */
uint32_t note_key_hash(const char *name, const uint8_t pk[32]);

/* A fresh random key pair.  *out is new; free with note_signer_free. */
enum status note_signer_generate(const char *name, struct note_signer **out,
				 struct err *e);

/* A key pair from its 32-byte seed (deterministic; tests use this). */
enum status note_signer_from_seed(const char *name, const uint8_t seed[32],
				  struct note_signer **out, struct err *e);

/* Parses "PRIVATE+KEY+..." (one trailing LF allowed).  *out is new. */
enum status note_signer_parse(const char *text, size_t len,
			      struct note_signer **out, struct err *e);

/* Appends the signer key text (no newline) to out.  The text is secret:
 * the caller wipes out (sodium_memzero) before freeing it. */
enum status note_signer_format(const struct note_signer *s, struct buf *out);

/* Accepts NULL.  Wipes the secret. */
void note_signer_free(struct note_signer *s);

/* The verifier of a signer (borrowed name copied into out). */
void note_signer_verifier(const struct note_signer *s,
			  struct note_verifier *out);

/* Parses a verifier key text (one trailing LF allowed) and checks its
 * hash. */
enum status note_verifier_parse(const char *text, size_t len,
				struct note_verifier *out, struct err *e);

/* Writes the verifier key text and NUL into out (NOTE_VKEY_MAX+1 bytes);
 * the key hash is computed from v's name and key. */
void note_verifier_format(const struct note_verifier *v, char *out,
			  size_t outsize);

/* A witness's verifier key (tlog-cosignature): written as a log's, with
 * the algorithm byte 0x04 (Ed25519, cosignature/v1), whose key hash is
 * the key ID of its cosignatures.  Parse and format as above. */
enum status note_cosigner_parse(const char *text, size_t len,
				struct note_verifier *out, struct err *e);
void note_cosigner_format(const struct note_verifier *v, char *out,
			  size_t outsize);

/* Ed25519 signature of msg (64 bytes). */
void note_sign_raw(const struct note_signer *s, const void *msg, size_t len,
		   uint8_t sig[64]);

/*
 * Appends to out the signed note of text: the text, a blank line and the
 * signature line.  text must be non-empty, end with LF, hold no "\n\n" and
 * be valid UTF-8 without control characters other than LF.
 */
enum status note_sign(const struct note_signer *s, const char *text, size_t len,
		      struct buf *out, struct err *e);

/*
 * Opens a signed note as Go's note.Open does: checks its form, ignores
 * signatures by keys not in known[0..nknown), and requires at least one
 * signature by a known key, every one of which must verify.  On ST_OK,
 * *text_len is the length of the text (a prefix of msg, ending in LF).
 * ST_INVALID for a malformed note, ST_BAD_SIGNATURE when a known key's
 * signature does not verify or no known key signed it.
 */
enum status note_open(const char *msg, size_t len,
		      const struct note_verifier *known, size_t nknown,
		      size_t *text_len, struct err *e);

/* A checkpoint body (tlog-checkpoint v1.0.0). */
struct checkpoint {
	char origin[NOTE_NAME_MAX + 1];
	int64_t size;
	uint8_t root[HASH_LEN];
};

/* Appends "<origin>\n<size>\n<base64 root>\n" to out. */
enum status checkpoint_format(const struct checkpoint *c, struct buf *out);

/* Parses a checkpoint body: origin, canonical decimal size, base64 root of
 * 32 bytes, then optional non-empty extension lines (ignored). */
enum status checkpoint_parse(const char *text, size_t len,
			     struct checkpoint *out, struct err *e);

/* Signs c with s: appends the signed note to out. */
enum status checkpoint_sign(const struct note_signer *s,
			    const struct checkpoint *c, struct buf *out,
			    struct err *e);

/* Opens a signed checkpoint: the note must be signed by v and its origin
 * must equal v's name. */
enum status checkpoint_open(const char *msg, size_t len,
			    const struct note_verifier *v,
			    struct checkpoint *out, struct err *e);

#endif
