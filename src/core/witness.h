/*
 * witness.h: the formats of a transparency-log witness, as C2SP gives
 * them: the body of a tlog-witness add-checkpoint request, and Ed25519
 * cosignatures (tlog-cosignature, cosignature/v1).
 *
 *   request:  "old <size>\n", at most 63 lines of one base64 hash each
 *             (a consistency proof from size old to the checkpoint's),
 *             "\n", then the signed checkpoint note
 *   key ID:   first 4 bytes (big-endian) of
 *             SHA-256(name || 0x0A || 0x04 || public key)
 *   signed:   "cosignature/v1\ntime <timestamp>\n" || the checkpoint body
 *             (its text with the final LF, without signature lines)
 *   line:     — <name> <base64(key ID || u64 timestamp, big-endian ||
 *             64-byte Ed25519 signature)>\n
 *
 * The timestamp is POSIX seconds, at most 2^63 - 1, in decimal without
 * leading zeros.  No I/O; the caller keeps the witness's state.
 */
#ifndef SANILOG_WITNESS_H
#define SANILOG_WITNESS_H

#include <stdint.h>

#include "base/status.h"
#include "buf.h"
#include "hash.h"
#include "note.h"

#define WITNESS_PROOF_MAX 63 /* consistency proof lines a request may hold */
#define COSIG_LEN	  (4 + 8 + 64) /* key ID, timestamp, signature */

/* An add-checkpoint request.  note points into the parsed body. */
struct witness_request {
	int64_t old;
	size_t nproof;
	uint8_t proof[WITNESS_PROOF_MAX][HASH_LEN];
	const char *note; /* the checkpoint, a signed note: borrowed */
	size_t note_len;
};

/*
 * Parses the body of an add-checkpoint request into *out.  ST_INVALID,
 * with what is wrong in e, for anything but the form above: a size that
 * is not a canonical decimal, a proof line that is not the canonical
 * base64 of 32 bytes, more than 63 of them, a proof given with old 0, a
 * line without its LF, no empty line, or no checkpoint after it.  The
 * checkpoint note itself is the caller's to open (note.h).
 */
enum status witness_request_parse(const char *body, size_t len,
				  struct witness_request *out, struct err *e);

/* The cosignature/v1 key ID of an Ed25519 public key under name. */
uint32_t cosig_key_id(const char *name, const uint8_t pk[32]);

/*
 * Appends to out the cosignature line of s (its name and key) on the
 * checkpoint body[0..len) at timestamp.  body must be a checkpoint's text
 * ending in LF.  ST_INVALID for a timestamp over 2^63 - 1 or a body
 * without its final LF; out is then unchanged.
 */
enum status cosig_line(const struct note_signer *s, const char *body,
		       size_t len, uint64_t timestamp, struct buf *out,
		       struct err *e);

/*
 * Checks that sig (COSIG_LEN bytes, a signature line's decoded base64)
 * is v's cosignature/v1 on the checkpoint body[0..len): the key ID of v's
 * name and key, a timestamp within 2^63 - 1, stored into *timestamp, and
 * the signature.  ST_BAD_SIGNATURE when it is not; ST_INVALID for a body
 * without its final LF.
 */
enum status cosig_verify(const struct note_verifier *v, const char *body,
			 size_t len, const uint8_t sig[COSIG_LEN],
			 uint64_t *timestamp, struct err *e);

#endif
