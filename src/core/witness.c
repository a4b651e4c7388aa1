/*
 * witness.c: the add-checkpoint request body and cosignature/v1 lines
 * (witness.h).  The request is outside input from any client: every line
 * is checked for its exact form, and nothing past its length is read.
 */
#include "witness.h"

#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "codec.h"

#define ALG_COSIG_V1 0x04 /* the key ID's algorithm byte, cosignature/v1 */
#define HEADER	     "cosignature/v1\n"
#define DASH	     "\xe2\x80\x94" /* U+2014, which starts a signature line */

/* The line of text[*at..len) without its LF; false when there is no LF. */
static bool next_line(const char *text, size_t len, size_t *at,
		      const char **line, size_t *line_len)
{
	const char *p = text + *at;
	const char *nl = memchr(p, '\n', len - *at);

	if (nl == NULL)
		return false;
	*line = p;
	*line_len = (size_t)(nl - p);
	*at += *line_len + 1;
	return true;
}

enum status witness_request_parse(const char *body, size_t len,
				  struct witness_request *out, struct err *e)
{
	const char *line;
	size_t n, at = 0;
	char num[24];

	memset(out, 0, sizeof *out);
	if (!next_line(body, len, &at, &line, &n))
		return err_set(e, ST_INVALID, "no old size line");
	if (n < 5 || n - 4 >= sizeof num || memcmp(line, "old ", 4) != 0 ||
	    memchr(line + 4, 0, n - 4) != NULL)
		return err_set(e, ST_INVALID,
			       "the first line is not \"old <size>\"");
	memcpy(num, line + 4, n - 4);
	num[n - 4] = 0;
	if (!dec_parse(num, &out->old))
		return err_set(e, ST_INVALID,
			       "old size: not a decimal without leading zeros");
	for (;;) {
		if (!next_line(body, len, &at, &line, &n))
			return err_set(e, ST_INVALID,
				       "no empty line before the checkpoint");
		if (n == 0)
			break;
		if (out->nproof == WITNESS_PROOF_MAX)
			return err_set(e, ST_INVALID,
				       "more than %d consistency proof lines",
				       WITNESS_PROOF_MAX);
		size_t got = 0;
		if (b64_decode(out->proof[out->nproof], HASH_LEN, &got, line, n,
			       B64_STD) != ST_OK ||
		    got != HASH_LEN)
			return err_set(e, ST_INVALID,
				       "consistency proof line %zu: not the "
				       "base64 of a 32-byte hash",
				       out->nproof + 1);
		out->nproof++;
	}
	if (out->old == 0 && out->nproof > 0)
		return err_set(e, ST_INVALID,
			       "a consistency proof from size 0 must be empty");
	if (at == len)
		return err_set(e, ST_INVALID, "no checkpoint after the proof");
	out->note = body + at;
	out->note_len = len - at;
	return ST_OK;
}

uint32_t cosig_key_id(const char *name, const uint8_t pk[32])
{
	const uint8_t alg = ALG_COSIG_V1;
	const struct sha256_piece in[] = {
		{name, strlen(name)}, {"\n", 1}, {&alg, 1}, {pk, 32}};
	uint8_t sum[HASH_LEN];

	sha256_gather(sum, in, 4);
	return (uint32_t)sum[0] << 24 | (uint32_t)sum[1] << 16 |
	       (uint32_t)sum[2] << 8 | sum[3];
}

/* The message a cosignature signs: header, time line, body; in out. */
static enum status signed_message(const char *body, size_t len,
				  uint64_t timestamp, struct buf *out,
				  struct err *e)
{
	if (timestamp > INT64_MAX)
		return err_set(e, ST_INVALID,
			       "cosignature time %" PRIu64 " is over 2^63 - 1",
			       timestamp);
	if (len == 0 || body[len - 1] != '\n')
		return err_set(e, ST_INVALID,
			       "the checkpoint does not end with a newline");
	if (buf_printf(out, HEADER "time %" PRIu64 "\n", timestamp) != ST_OK ||
	    buf_append(out, body, len) != ST_OK)
		return err_set(e, ST_NOMEM, "out of memory");
	return ST_OK;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

enum status cosig_line(const struct note_signer *s, const char *body,
		       size_t len, uint64_t timestamp, struct buf *out,
		       struct err *e)
{
	struct note_verifier v;
	struct buf msg;
	uint8_t sig[COSIG_LEN];
	char text[((COSIG_LEN + 2) / 3) * 4 + 1];
	enum status st;

	note_signer_verifier(s, &v);
	buf_init(&msg, len + 64);
	if ((st = signed_message(body, len, timestamp, &msg, e)) != ST_OK)
		goto out;
	put_be(sig, cosig_key_id(v.name, v.pk), 4);
	put_be(sig + 4, timestamp, 8);
	note_sign_raw(s, msg.data, msg.len, sig + 12);
	b64_encode(text, sizeof text, sig, sizeof sig, B64_STD);
	if (buf_printf(out, DASH " %s %s\n", v.name, text) != ST_OK)
		st = err_set(e, ST_NOMEM, "out of memory");
out:
	buf_free(&msg);
	return st;
}

enum status cosig_verify(const struct note_verifier *v, const char *body,
			 size_t len, const uint8_t sig[COSIG_LEN],
			 uint64_t *timestamp, struct err *e)
{
	uint8_t id[4];
	uint64_t t = 0;
	struct buf msg;
	enum status st;

	put_be(id, cosig_key_id(v->name, v->pk), 4);
	if (memcmp(id, sig, 4) != 0)
		return err_set(e, ST_BAD_SIGNATURE,
			       "not a cosignature/v1 of %s: other key ID",
			       v->name);
	for (int i = 4; i < 12; i++)
		t = t << 8 | sig[i];
	if (t > INT64_MAX)
		return err_set(e, ST_BAD_SIGNATURE,
			       "the cosignature of %s: time %" PRIu64
			       " is over 2^63 - 1",
			       v->name, t);
	buf_init(&msg, len + 64);
	if ((st = signed_message(body, len, t, &msg, e)) != ST_OK)
		goto out;
	if (crypto_sign_verify_detached(sig + 12, msg.data, msg.len, v->pk) !=
	    0) {
		st = err_set(e, ST_BAD_SIGNATURE,
			     "the cosignature of %s does not verify", v->name);
		goto out;
	}
	*timestamp = t;
out:
	buf_free(&msg);
	return st;
}
