/*
 * test_note.c: signed notes, note keys and checkpoints.
 *
 * Interoperability is pinned by the vectors Go publishes in the docs and
 * tests of golang.org/x/mod/sumdb/note (the PeterNeumann and EnochRoot keys
 * and notes): Ed25519 is deterministic, so signing with Go's key must give
 * Go's bytes.  The example.com/sanilog vectors were computed independently
 * (Python's cryptography package, Go's key-hash rule).  The rest are hostile
 * inputs, each of which must be refused with the right status.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/codec.h"
#include "core/note.h"

/* From Go's note package documentation and note_test.go. */
#define PETER_VKEY                                                             \
	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_SKEY                                                             \
	"PRIVATE+KEY+PeterNeumann+c74f20a3+"                                   \
	"AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define ENOCH_VKEY                                                             \
	"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
#define TEXT                                                                   \
	"If you think cryptography is the answer to your problem,\n"           \
	"then you don't know what your problem is.\n"
#define PETER_B64                                                              \
	"x08go/ZJkuBS9UG/"                                                     \
	"SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfq"                \
	"dngotpRZb6KE6RyyBwJnAM="
#define PSIG_NOLF "\xe2\x80\x94 PeterNeumann " PETER_B64
#define PSIG	  PSIG_NOLF "\n"
#define ESIG                                                                   \
	"\xe2\x80\x94 EnochRoot "                                              \
	"rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n"                       \
	"2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
/* PSIG with one base64 character changed: a wrong signature, same key. */
#define PSIG_BAD                                                               \
	"\xe2\x80\x94 PeterNeumann "                                           \
	"x08go/ZJkuBS9UG/SffcvIAR"                                             \
	"xVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=" \
	"\n"

/* Computed independently for seed 00 01 02 ... 1f. */
#define LOG_NAME "example.com/sanilog"
#define LOG_VKEY                                                               \
	"example.com/sanilog+9c45df66+"                                        \
	"AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
#define LOG_SKEY                                                               \
	"PRIVATE+KEY+example.com/sanilog+9c45df66+"                            \
	"AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
#define LOG_CP0                                                                \
	"example.com/sanilog\n0\n"                                             \
	"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n"                     \
	"\xe2\x80\x94 example.com/sanilog "                                    \
	"nEXfZj1Um/JUPR9MtMJQ8JV292xSXKwRTNLiyLJ7ehrInce/Zf7cTKP0544FHhg73US7" \
	"yEMVIL8m+QTHVt2LM9LbqgY=\n"
#define LOG_CP5                                                                \
	"example.com/sanilog\n5\n"                                             \
	"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n"                     \
	"\xe2\x80\x94 example.com/sanilog "                                    \
	"nEXfZocJkIMuj0Foe6J/5dK8cjL+7zGOU9f03g+qls1e+FccAi8M63j/pd3MfvW0vhYk" \
	"PQ1/vRH4kqvyf3NrJMJ3tQE=\n"
#define ROOT_EMPTY "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

static const uint8_t log_seed[32] = {
	0,  1,	2,  3,	4,  5,	6,  7,	8,  9,	10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
};

static struct note_verifier vparse(const char *text)
{
	struct note_verifier v;
	struct err e = {{0}};
	enum status st = note_verifier_parse(text, strlen(text), &v, &e);
	if (st != ST_OK)
		fail_msg("parse %s: %s", text, e.msg);
	return v;
}

static struct note_signer *log_signer(void)
{
	struct note_signer *s = NULL;
	struct err e = {{0}};
	assert_int_equal(note_signer_from_seed(LOG_NAME, log_seed, &s, &e),
			 ST_OK);
	return s;
}

/* A new string: s with del bytes at at replaced by ins. */
static char *splice(const char *s, size_t at, size_t del, const char *ins)
{
	size_t n = strlen(s);
	size_t k = strlen(ins);
	char *r = malloc(n - del + k + 1);

	assert_non_null(r);
	memcpy(r, s, at);
	memcpy(r + at, ins, k);
	memcpy(r + at + k, s + at + del, n - at - del + 1);
	return r;
}

static void expect_status(const char *what, enum status got, enum status want,
			  const struct err *e, const char *msg)
{
	if (got != want)
		fail_msg("%s: got %s, want %s (%s)", what, status_str(got),
			 status_str(want), e->msg);
	if (msg != NULL && strstr(e->msg, msg) == NULL)
		fail_msg("%s: message \"%s\" lacks \"%s\"", what, e->msg, msg);
}

static void test_go_keys(void **state)
{
	struct note_verifier v = vparse(PETER_VKEY);
	struct note_verifier w;
	struct note_signer *s = NULL;
	struct err e = {{0}};
	char text[NOTE_VKEY_MAX + 1];
	struct buf b;

	(void)state;
	assert_string_equal(v.name, "PeterNeumann");
	assert_int_equal(v.hash, 0xc74f20a3);
	assert_int_equal(note_key_hash("PeterNeumann", v.pk), 0xc74f20a3);
	note_verifier_format(&v, text, sizeof text);
	assert_string_equal(text, PETER_VKEY);

	v = vparse(ENOCH_VKEY);
	assert_string_equal(v.name, "EnochRoot");
	assert_int_equal(v.hash, 0xaf0cfe78);

	assert_int_equal(
		note_signer_parse(PETER_SKEY, strlen(PETER_SKEY), &s, &e),
		ST_OK);
	buf_init(&b, 1024);
	assert_int_equal(note_signer_format(s, &b), ST_OK);
	assert_string_equal(buf_str(&b), PETER_SKEY);
	sodium_memzero(b.data, b.alloc);
	buf_free(&b);
	note_signer_verifier(s, &w);
	note_verifier_format(&w, text, sizeof text);
	assert_string_equal(text, PETER_VKEY);
	note_signer_free(s);
	note_signer_free(NULL);
}

static void test_go_sign(void **state)
{
	struct note_signer *s = NULL;
	struct err e = {{0}};
	struct buf b;

	(void)state;
	assert_int_equal(note_signer_parse(PETER_SKEY "\n",
					   strlen(PETER_SKEY) + 1, &s, &e),
			 ST_OK);
	buf_init(&b, 4096);
	assert_int_equal(note_sign(s, TEXT, strlen(TEXT), &b, &e), ST_OK);
	assert_string_equal(buf_str(&b), TEXT "\n" PSIG);

	/* Appends, and a buffer too small is refused and left unaltered. */
	assert_int_equal(note_sign(s, TEXT, strlen(TEXT), &b, &e), ST_OK);
	assert_string_equal(buf_str(&b), TEXT "\n" PSIG TEXT "\n" PSIG);
	buf_free(&b);
	buf_init(&b, 100);
	assert_int_equal(buf_append_str(&b, "keep"), ST_OK);
	assert_int_equal(note_sign(s, TEXT, strlen(TEXT), &b, &e),
			 ST_TOO_LARGE);
	assert_int_equal(b.len, 4);
	assert_string_equal(buf_str(&b), "keep");
	buf_free(&b);
	note_signer_free(s);
}

enum known_set {
	K_NONE,
	K_PETER,
	K_ENOCH,
	K_BOTH,
	K_PETER_TWICE,
	K_ENOCH_PETER_ENOCH,
};

static size_t known_keys(enum known_set k, struct note_verifier out[3])
{
	struct note_verifier p = vparse(PETER_VKEY);
	struct note_verifier en = vparse(ENOCH_VKEY);

	switch (k) {
	case K_NONE:
		return 0;
	case K_PETER:
		out[0] = p;
		return 1;
	case K_ENOCH:
		out[0] = en;
		return 1;
	case K_BOTH:
		out[0] = p;
		out[1] = en;
		return 2;
	case K_PETER_TWICE:
		out[0] = p;
		out[1] = p;
		return 2;
	case K_ENOCH_PETER_ENOCH:
		out[0] = en;
		out[1] = p;
		out[2] = en;
		return 3;
	}
	return 0;
}

struct open_case {
	const char *name;
	const char *msg;
	enum known_set known;
	enum status want;
	const char *err; /* substring of the message, or NULL */
};

static const struct open_case open_cases[] = {
	{"go example", TEXT "\n" PSIG, K_PETER, ST_OK, NULL},
	{"one known, one unknown", TEXT "\n" PSIG ESIG, K_PETER, ST_OK, NULL},
	{"both known", TEXT "\n" PSIG ESIG, K_BOTH, ST_OK, NULL},
	{"other known", TEXT "\n" PSIG ESIG, K_ENOCH, ST_OK, NULL},
	{"none known", TEXT "\n" PSIG ESIG, K_NONE, ST_BAD_SIGNATURE,
	 "not signed by any known key"},
	{"unknown key only", TEXT "\n" ESIG, K_PETER, ST_BAD_SIGNATURE,
	 "not signed by key PeterNeumann+c74f20a3"},
	{"duplicated verifier", TEXT "\n" PSIG, K_PETER_TWICE, ST_INVALID,
	 "ambiguous key PeterNeumann+c74f20a3"},
	{"unused duplicated verifier", TEXT "\n" PSIG, K_ENOCH_PETER_ENOCH,
	 ST_OK, NULL},
	{"repeated signature", TEXT "\n" PSIG PSIG, K_PETER, ST_OK, NULL},
	{"repeats by a key are not checked", TEXT "\n" PSIG PSIG_BAD, K_PETER,
	 ST_OK, NULL},
	{"first signature by a key is checked", TEXT "\n" PSIG_BAD PSIG,
	 K_PETER, ST_BAD_SIGNATURE,
	 "invalid signature for key PeterNeumann+c74f20a3"},
	{"bad signature by an unknown key", TEXT "\n" PSIG_BAD ESIG, K_ENOCH,
	 ST_OK, NULL},
	{"tampered signature", TEXT "\n" PSIG_BAD, K_PETER, ST_BAD_SIGNATURE,
	 "invalid signature"},
	{"tampered text",
	 "If you think cryptographY is the answer to your problem,\n"
	 "then you don't know what your problem is.\n\n" PSIG,
	 K_PETER, ST_BAD_SIGNATURE, "invalid signature"},
	{"text with DEL (allowed)", "\x7f" TEXT "\n" PSIG, K_PETER,
	 ST_BAD_SIGNATURE, "invalid signature"},
	{"wrong key name", TEXT "\n\xe2\x80\x94 PeterNeuman " PETER_B64 "\n",
	 K_PETER, ST_BAD_SIGNATURE, "not signed by key"},
	{"wrong key hash",
	 TEXT "\n\xe2\x80\x94 PeterNeumann y08go/ZJkuBS9UG/SffcvIAQxVBtiFupLL"
	      "r8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
	 K_PETER, ST_BAD_SIGNATURE, "not signed by key"},
	{"data after the padding", TEXT "\n" PSIG_NOLF "AAAA\n", K_PETER,
	 ST_INVALID, "base64"},
	{"five-byte signature by an unknown key",
	 TEXT "\n" PSIG "\xe2\x80\x94 x AAAAAAA=\n", K_PETER, ST_OK, NULL},
	/* Go's malformed messages. */
	{"text only", TEXT, K_PETER, ST_INVALID, "no blank line"},
	{"text and blank line", TEXT "\n", K_PETER, ST_INVALID,
	 "no signature after the blank line"},
	{"no final newline", TEXT "\n" PSIG_NOLF, K_PETER, ST_INVALID,
	 "does not end in a newline"},
	{"control character first", "\x01" TEXT "\n" PSIG, K_PETER, ST_INVALID,
	 "control character 0x01 at byte 0"},
	{"invalid UTF-8 first", "\xff" TEXT "\n" PSIG, K_PETER, ST_INVALID,
	 "invalid UTF-8 at byte 0"},
	{"space in key name", TEXT "\n\xe2\x80\x94 Bad Name " PETER_B64,
	 K_PETER, ST_INVALID, NULL},
	{"unexpected line", TEXT "\n" PSIG "Unexpected line.\n", K_PETER,
	 ST_INVALID, "signature line 2 does not start with an em dash"},
	/* More hostile forms. */
	{"empty", "", K_PETER, ST_INVALID, "no blank line"},
	{"blank lines only", "\n\n", K_PETER, ST_INVALID, NULL},
	{"missing blank line", TEXT PSIG, K_PETER, ST_INVALID, "no blank line"},
	{"trailing blank line", TEXT "\n" PSIG "\n", K_PETER, ST_INVALID,
	 "no signature after the blank line"},
	{"CRLF text",
	 "If you think cryptography is the answer to your problem,\r\n"
	 "then you don't know what your problem is.\r\n\r\n" PSIG,
	 K_PETER, ST_INVALID, "control character 0x0d"},
	{"CRLF signature line", TEXT "\n" PSIG_NOLF "\r\n", K_PETER, ST_INVALID,
	 "control character 0x0d"},
	{"tab", "a\tb\n\n" PSIG, K_PETER, ST_INVALID,
	 "control character 0x09 at byte 1"},
	{"overlong UTF-8", "\xc0\xaf\n\n" PSIG, K_PETER, ST_INVALID,
	 "invalid UTF-8"},
	{"overlong 3-byte UTF-8", "\xe0\x80\xaf\n\n" PSIG, K_PETER, ST_INVALID,
	 "invalid UTF-8"},
	{"overlong 4-byte UTF-8", "\xf0\x80\x80\xaf\n\n" PSIG, K_PETER,
	 ST_INVALID, "invalid UTF-8"},
	{"UTF-16 surrogate", "\xed\xa0\x80\n\n" PSIG, K_PETER, ST_INVALID,
	 "invalid UTF-8"},
	{"above U+10FFFF", "\xf4\x90\x80\x80\n\n" PSIG, K_PETER, ST_INVALID,
	 "invalid UTF-8"},
	{"truncated UTF-8", TEXT "\n" PSIG "\xe2\x80", K_PETER, ST_INVALID,
	 "invalid UTF-8"},
	{"hyphen for em dash", TEXT "\n- PeterNeumann " PETER_B64 "\n", K_PETER,
	 ST_INVALID, "em dash"},
	{"en dash for em dash",
	 TEXT "\n\xe2\x80\x93 PeterNeumann " PETER_B64 "\n", K_PETER,
	 ST_INVALID, "em dash"},
	{"no space after em dash",
	 TEXT "\n\xe2\x80\x94PeterNeumann " PETER_B64 "\n", K_PETER, ST_INVALID,
	 "em dash"},
	{"no signature after name", TEXT "\n\xe2\x80\x94 PeterNeumann\n",
	 K_PETER, ST_INVALID, "no space after the key name"},
	{"empty signature", TEXT "\n\xe2\x80\x94 PeterNeumann \n", K_PETER,
	 ST_INVALID, "no signature"},
	{"empty key name", TEXT "\n\xe2\x80\x94  " PETER_B64 "\n", K_PETER,
	 ST_INVALID, "key name"},
	{"plus in key name",
	 TEXT "\n\xe2\x80\x94 Peter+Neumann " PETER_B64 "\n", K_PETER,
	 ST_INVALID, "key name"},
	{"no-break space in key name",
	 TEXT "\n\xe2\x80\x94 Peter\xc2\xa0Neumann " PETER_B64 "\n", K_PETER,
	 ST_INVALID, "key name"},
	{"ideographic space in key name",
	 TEXT "\n\xe2\x80\x94 Peter\xe3\x80\x80Neumann " PETER_B64 "\n",
	 K_PETER, ST_INVALID, "key name"},
	{"two spaces", TEXT "\n\xe2\x80\x94 PeterNeumann  " PETER_B64 "\n",
	 K_PETER, ST_INVALID, "base64"},
	{"trailing space", TEXT "\n" PSIG_NOLF " \n", K_PETER, ST_INVALID,
	 "base64"},
	{"four-byte signature", TEXT "\n\xe2\x80\x94 PeterNeumann AAAAAA==\n",
	 K_PETER, ST_INVALID, "fewer than 5"},
	/* Go accepts unused bits set; we do not. */
	{"non-canonical base64",
	 TEXT "\n\xe2\x80\x94 PeterNeumann "
	      "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSN"
	      "XgKvqfqdngotpRZb6KE6RyyBwJnAN=\n",
	 K_PETER, ST_INVALID, "not canonical"},
	{"missing padding",
	 TEXT "\n\xe2\x80\x94 PeterNeumann "
	      "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSN"
	      "XgKvqfqdngotpRZb6KE6RyyBwJnAM\n",
	 K_PETER, ST_INVALID, "base64"},
	{"extra padding", TEXT "\n" PSIG_NOLF "=\n", K_PETER, ST_INVALID,
	 "base64"},
	{"padding inside",
	 TEXT "\n\xe2\x80\x94 PeterNeumann x08g=/ZJkuBS9UG/SffcvIAQxVBtiFupLL"
	      "r8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
	 K_PETER, ST_INVALID, "base64"},
	{"URL-safe base64",
	 TEXT "\n\xe2\x80\x94 PeterNeumann x08go_ZJkuBS9UG_SffcvIAQxVBtiFupLL"
	      "r8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
	 K_PETER, ST_INVALID, "base64"},
};

static void test_open_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof open_cases / sizeof open_cases[0]; i++) {
		const struct open_case *c = &open_cases[i];
		struct note_verifier known[3];
		size_t nknown = known_keys(c->known, known);
		struct err e = {{0}};
		size_t tlen = 12345;
		enum status st = note_open(c->msg, strlen(c->msg), known,
					   nknown, &tlen, &e);
		expect_status(c->name, st, c->want, &e, c->err);
		if (st == ST_OK && memcmp(c->msg, TEXT, strlen(TEXT)) == 0)
			assert_int_equal(tlen, strlen(TEXT));
		if (st != ST_OK)
			assert_int_equal(tlen, 12345); /* untouched */
	}
}

static enum status open_peter(const char *msg, size_t len, struct err *e)
{
	struct note_verifier p = vparse(PETER_VKEY);
	size_t tlen = 0;
	return note_open(msg, len, &p, 1, &tlen, e);
}

static void test_open_go_dynamic(void **state)
{
	struct note_verifier known[3];
	struct err e = {{0}};
	size_t tlen = 0;
	struct buf b;
	char *msg;
	char *esig_abcd;
	const size_t go_cut = 60; /* Go splices "ABCD" at byte 60 */

	(void)state;

	/* Invalid signature: "ABCD" inside Peter's base64. */
	msg = splice(TEXT "\n" PSIG, strlen(TEXT "\n") + go_cut, 0, "ABCD");
	expect_status("ABCD in signature", open_peter(msg, strlen(msg), &e),
		      ST_BAD_SIGNATURE, &e,
		      "invalid signature for key PeterNeumann+c74f20a3");
	free(msg);

	/* Duplicated verified and unverified signatures. */
	esig_abcd = splice(ESIG, go_cut, 0, "ABCD");
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_append_str(&b, TEXT "\n" PSIG PSIG ESIG ESIG),
			 ST_OK);
	assert_int_equal(buf_append_str(&b, esig_abcd), ST_OK);
	expect_status("duplicates", open_peter((char *)b.data, b.len, &e),
		      ST_OK, &e, NULL);
	free(esig_abcd);

	/* NOTE_MAX_SIGS signatures pass, one more is malformed. */
	buf_reset(&b);
	assert_int_equal(buf_append_str(&b, TEXT "\n"), ST_OK);
	for (int i = 0; i < NOTE_MAX_SIGS; i++)
		assert_int_equal(buf_append_str(&b, PSIG), ST_OK);
	expect_status("100 signatures", open_peter((char *)b.data, b.len, &e),
		      ST_OK, &e, NULL);
	assert_int_equal(buf_append_str(&b, PSIG), ST_OK);
	expect_status("101 signatures", open_peter((char *)b.data, b.len, &e),
		      ST_INVALID, &e, "more than 100 signatures");
	expect_status("101 signatures, no keys",
		      note_open((char *)b.data, b.len, NULL, 0, &tlen, &e),
		      ST_INVALID, &e, "more than 100 signatures");
	assert_int_equal(known_keys(K_BOTH, known), 2);
	buf_reset(&b);
	assert_int_equal(buf_append_str(&b, TEXT "\n"), ST_OK);
	for (int i = 0; i < NOTE_MAX_SIGS; i++)
		assert_int_equal(buf_append_str(&b, ESIG), ST_OK);
	assert_int_equal(buf_append_str(&b, PSIG), ST_OK);
	expect_status("101 unknown signatures",
		      note_open((char *)b.data, b.len, known, 1, &tlen, &e),
		      ST_INVALID, &e, "more than 100 signatures");
	buf_free(&b);

	/* A NUL byte is a control character. */
	{
		static const char nul[] = "a\0b\n\n" PSIG;
		expect_status("NUL", open_peter(nul, sizeof nul - 1, &e),
			      ST_INVALID, &e,
			      "control character 0x00 at byte 1");
	}
}

/* Every truncation and every one-byte change of a good note fails. */
static void test_open_mangled(void **state)
{
	static const char good[] = TEXT "\n" PSIG ESIG;
	char msg[sizeof good];
	struct err e = {{0}};

	(void)state;
	/* TEXT "\n" PSIG alone is a good note: cut in ESIG or before. */
	for (size_t n = 0; n < sizeof good - 1; n++)
		if (n != strlen(TEXT "\n" PSIG) &&
		    open_peter(good, n, &e) == ST_OK)
			fail_msg("prefix of %zu bytes accepted", n);
	/* The last ESIG is by an unknown key: changes there are ignored. */
	for (size_t i = 0; i < strlen(TEXT "\n" PSIG); i++) {
		memcpy(msg, good, sizeof good);
		msg[i]++;
		if (open_peter(msg, sizeof good - 1, &e) == ST_OK)
			fail_msg("byte %zu changed, accepted", i);
	}
}

/* A note whose text holds blank lines splits at the last one (C2SP). */
static void test_open_blank_lines_in_text(void **state)
{
	static const char text[] = "first\n\nthird\n";
	struct note_signer *s = log_signer();
	struct note_verifier v;
	struct err e = {{0}};
	uint8_t sig[64];
	uint8_t raw[68];
	char b64[93];
	char msg[512];
	size_t tlen = 0;

	(void)state;
	note_signer_verifier(s, &v);
	note_sign_raw(s, text, strlen(text), sig);
	raw[0] = (uint8_t)(v.hash >> 24);
	raw[1] = (uint8_t)(v.hash >> 16);
	raw[2] = (uint8_t)(v.hash >> 8);
	raw[3] = (uint8_t)v.hash;
	memcpy(raw + 4, sig, 64);
	b64_encode(b64, sizeof b64, raw, sizeof raw, B64_STD);
	snprintf(msg, sizeof msg, "%s\n\xe2\x80\x94 %s %s\n", text, LOG_NAME,
		 b64);
	assert_int_equal(note_open(msg, strlen(msg), &v, 1, &tlen, &e), ST_OK);
	assert_int_equal(tlen, strlen(text));

	/* note_sign refuses such a text, as note.h says. */
	struct buf b;
	buf_init(&b, 4096);
	expect_status("sign blank line",
		      note_sign(s, text, strlen(text), &b, &e), ST_INVALID, &e,
		      "empty line at byte 6");
	assert_int_equal(b.len, 0);
	buf_free(&b);
	note_signer_free(s);
}

struct key_case {
	const char *name;
	const char *text;
	enum status want;
	const char *err;
};

static const struct key_case vkey_cases[] = {
	{"go key", PETER_VKEY, ST_OK, NULL},
	{"one trailing LF", PETER_VKEY "\n", ST_OK, NULL},
	{"two trailing LFs", PETER_VKEY "\n\n", ST_INVALID, "base64"},
	{"CRLF", PETER_VKEY "\r\n", ST_INVALID, "base64"},
	{"empty", "", ST_INVALID, "no '+' after the key name"},
	{"leading space", " " PETER_VKEY, ST_INVALID, "key name"},
	{"empty name", "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	 ST_INVALID, "key name"},
	{"no key", "PeterNeumann+c74f20a3", ST_INVALID,
	 "no '+' after the key hash"},
	{"empty key", "PeterNeumann+c74f20a3+", ST_INVALID, "base64"},
	{"wrong key hash",
	 "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	 ST_INVALID, "key hash c74f20a4 does not match the key (c74f20a3)"},
	{"wrong name for hash",
	 "PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	 ST_INVALID, "does not match"},
	{"uppercase hash (Go takes it, we do not)",
	 "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	 ST_INVALID, "lowercase hex"},
	{"seven-digit hash",
	 "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	 ST_INVALID, "8 lowercase hex"},
	{"nine-digit hash",
	 "PeterNeumann+c74f20a30+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	 ST_INVALID, "8 lowercase hex"},
	/* Go's: wrong length key, with adjusted key hash. */
	{"go wrong length",
	 "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	 "LDE4izWy10TWBADKEY==",
	 ST_INVALID, NULL},
	/* Go's: unknown algorithm, with adjusted key hash. */
	{"go unknown algorithm",
	 "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	 ST_INVALID, "unknown algorithm 0x65"},
	{"signer key as verifier key", PETER_SKEY, ST_INVALID,
	 "key hash is not 8 lowercase hex digits"},
	{"missing base64 padding",
	 "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdo",
	 ST_INVALID, "base64"},
};

static void test_verifier_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof vkey_cases / sizeof vkey_cases[0]; i++) {
		const struct key_case *c = &vkey_cases[i];
		struct note_verifier v;
		struct err e = {{0}};
		expect_status(
			c->name,
			note_verifier_parse(c->text, strlen(c->text), &v, &e),
			c->want, &e, c->err);
	}
}

/* Builds "<name>+<hash>+<base64(alg || key)>" with a correct hash. */
static void make_vkey(char *out, size_t size, const char *name, uint8_t alg,
		      const uint8_t *key, size_t key_len)
{
	uint8_t enc[64];
	char b64[100];
	uint8_t sum[32];
	struct sha256 h;

	enc[0] = alg;
	memcpy(enc + 1, key, key_len);
	sha256_init(&h);
	sha256_update(&h, name, strlen(name));
	sha256_update(&h, "\n", 1);
	sha256_update(&h, enc, key_len + 1);
	sha256_final(&h, sum);
	b64_encode(b64, sizeof b64, enc, key_len + 1, B64_STD);
	snprintf(out, size, "%s+%02x%02x%02x%02x+%s", name, sum[0], sum[1],
		 sum[2], sum[3], b64);
}

static void test_verifier_bad_keys(void **state)
{
	struct note_verifier peter = vparse(PETER_VKEY);
	uint8_t small[32] = {1}; /* the identity point: small order */
	uint8_t noncanon[32];
	char text[300];
	struct note_verifier v;
	struct err e = {{0}};

	(void)state;
	/* The right hash does not save a wrong algorithm byte. */
	make_vkey(text, sizeof text, "PeterNeumann", 0x02, peter.pk, 32);
	expect_status("algorithm 2",
		      note_verifier_parse(text, strlen(text), &v, &e),
		      ST_INVALID, &e, "unknown algorithm 0x02");
	make_vkey(text, sizeof text, "PeterNeumann", 0x01, peter.pk, 31);
	expect_status("31-byte key",
		      note_verifier_parse(text, strlen(text), &v, &e),
		      ST_INVALID, &e, "31 bytes, not 32");
	/* Go takes these keys; libsodium could never verify with them. */
	make_vkey(text, sizeof text, "small", 0x01, small, 32);
	expect_status("small-order key",
		      note_verifier_parse(text, strlen(text), &v, &e),
		      ST_INVALID, &e, "not a valid Ed25519 point");
	memset(noncanon, 0xff, sizeof noncanon);
	noncanon[31] = 0x7f; /* y = 2^255 - 1 >= p */
	make_vkey(text, sizeof text, "noncanon", 0x01, noncanon, 32);
	expect_status("non-canonical key",
		      note_verifier_parse(text, strlen(text), &v, &e),
		      ST_INVALID, &e, "not a valid Ed25519 point");
	/* And the same construction gives a good key for a good point. */
	make_vkey(text, sizeof text, "PeterNeumann", 0x01, peter.pk, 32);
	assert_string_equal(text, PETER_VKEY);
}

/* Go's TestNewVerifier and TestNewSigner: no part and no one-byte change
 * of a key is a key. */
static void test_key_manglings(void **state)
{
	static const char *const keys[] = {PETER_VKEY, PETER_SKEY};
	struct err e = {{0}};

	(void)state;
	for (int k = 0; k < 2; k++) {
		char b[128];
		size_t n = strlen(keys[k]);
		memcpy(b, keys[k], n + 1);
		for (size_t i = 0; i <= n; i++) {
			for (size_t j = i + 1; j <= n; j++) {
				struct note_verifier v;
				struct note_signer *s = NULL;
				if (i == 0 && j == n)
					continue;
				if (k == 0 &&
				    note_verifier_parse(b + i, j - i, &v, &e) ==
					    ST_OK)
					fail_msg("part %zu..%zu accepted", i,
						 j);
				if (k == 1 &&
				    note_signer_parse(b + i, j - i, &s, &e) ==
					    ST_OK)
					fail_msg("part %zu..%zu accepted", i,
						 j);
			}
		}
		for (size_t i = 0; i < n; i++) {
			struct note_verifier v;
			struct note_signer *s = NULL;
			b[i]++;
			if (k == 0 &&
			    note_verifier_parse(b, n, &v, &e) == ST_OK)
				fail_msg("byte %zu changed, accepted", i);
			if (k == 1 && note_signer_parse(b, n, &s, &e) == ST_OK)
				fail_msg("byte %zu changed, accepted", i);
			b[i]--;
		}
	}
}

static const struct key_case skey_cases[] = {
	{"go key", PETER_SKEY, ST_OK, NULL},
	{"one trailing LF", PETER_SKEY "\n", ST_OK, NULL},
	{"independent key", LOG_SKEY, ST_OK, NULL},
	{"two trailing LFs", PETER_SKEY "\n\n", ST_INVALID, "base64"},
	{"empty", "", ST_INVALID, "PRIVATE+KEY+"},
	{"verifier key", PETER_VKEY, ST_INVALID, "PRIVATE+KEY+"},
	{"lowercase prefix",
	 "private+key+PeterNeumann+c74f20a3+"
	 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
	 ST_INVALID, "PRIVATE+KEY+"},
	{"wrong key hash",
	 "PRIVATE+KEY+PeterNeumann+c74f20a4+"
	 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
	 ST_INVALID, "key hash c74f20a4 does not match the key (c74f20a3)"},
	{"wrong name",
	 "PRIVATE+KEY+PeterNeumanm+c74f20a3+"
	 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
	 ST_INVALID, "does not match"},
	{"algorithm 5",
	 "PRIVATE+KEY+PeterNeumann+c74f20a3+"
	 "BYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
	 ST_INVALID, "unknown algorithm 0x05"},
	{"short seed",
	 "PRIVATE+KEY+PeterNeumann+c74f20a3+"
	 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKA==",
	 ST_INVALID, "seed is 30 bytes, not 32"},
	{"space in name",
	 "PRIVATE+KEY+Peter Neumann+c74f20a3+"
	 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
	 ST_INVALID, "key name"},
};

static void test_signer_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof skey_cases / sizeof skey_cases[0]; i++) {
		const struct key_case *c = &skey_cases[i];
		struct note_signer *s = NULL;
		struct err e = {{0}};
		enum status st =
			note_signer_parse(c->text, strlen(c->text), &s, &e);
		expect_status(c->name, st, c->want, &e, c->err);
		if (st != ST_OK)
			assert_null(s);
		note_signer_free(s);
	}
}

static void test_names(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{"PeterNeumann", true},
		{"example.com/log42", true},
		{"caf\xc3\xa9.example", true},
		{"\xe2\x80\x94", true},
		{"", false},
		{"a b", false},
		{"a+b", false},
		{"a\tb", false},
		{"a\nb", false},
		{"a\x7f"
		 "b",
		 false},
		{"a\xc2\x85"
		 "b",
		 false}, /* NEL: a space to Go, C1 to us */
		{"a\xc2\x80"
		 "b",
		 false}, /* C1 control */
		{"a\xc2\xa0"
		 "b",
		 false}, /* no-break space */
		{"a\xe1\x9a\x80"
		 "b",
		 false}, /* ogham space mark */
		{"a\xe2\x80\x83"
		 "b",
		 false}, /* em space */
		{"a\xe2\x80\xa8"
		 "b",
		 false}, /* line separator */
		{"a\xe2\x80\xaf"
		 "b",
		 false}, /* narrow no-break space */
		{"a\xe3\x80\x80"
		 "b",
		 false}, /* ideographic space */
		{"a\xff"
		 "b",
		 false},
		{"a\xc0\xaf"
		 "b",
		 false},
	};
	char longname[NOTE_NAME_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (note_name_valid(cases[i].name, strlen(cases[i].name)) !=
		    cases[i].ok)
			fail_msg("name %zu (%s): want %d", i, cases[i].name,
				 cases[i].ok);
	assert_false(note_name_valid("a\0b", 3));
	memset(longname, 'x', sizeof longname);
	assert_true(note_name_valid(longname, NOTE_NAME_MAX));
	assert_false(note_name_valid(longname, NOTE_NAME_MAX + 1));
}

static void test_generate_and_seed(void **state)
{
	struct note_signer *s = NULL;
	struct note_signer *t = NULL;
	struct note_verifier v;
	struct err e = {{0}};
	char vkey[NOTE_VKEY_MAX + 1];
	char vkey2[NOTE_VKEY_MAX + 1];
	struct buf b;
	size_t tlen = 0;

	(void)state;
	s = log_signer();
	note_signer_verifier(s, &v);
	note_verifier_format(&v, vkey, sizeof vkey);
	assert_string_equal(vkey, LOG_VKEY);
	buf_init(&b, 4096);
	assert_int_equal(note_signer_format(s, &b), ST_OK);
	assert_string_equal(buf_str(&b), LOG_SKEY);
	sodium_memzero(b.data, b.alloc);
	buf_free(&b);
	note_signer_free(s);

	assert_int_equal(note_signer_generate("a.example", &s, &e), ST_OK);
	assert_int_equal(note_signer_generate("a.example", &t, &e), ST_OK);
	note_signer_verifier(s, &v);
	note_verifier_format(&v, vkey, sizeof vkey);
	note_signer_verifier(t, &v);
	note_verifier_format(&v, vkey2, sizeof vkey2);
	assert_string_not_equal(vkey, vkey2);
	/* Its key texts parse back and sign notes its verifier opens. */
	buf_init(&b, 4096);
	assert_int_equal(note_signer_format(s, &b), ST_OK);
	note_signer_free(t);
	t = NULL;
	assert_int_equal(note_signer_parse((char *)b.data, b.len, &t, &e),
			 ST_OK);
	sodium_memzero(b.data, b.alloc);
	buf_reset(&b);
	assert_int_equal(note_verifier_parse(vkey, strlen(vkey), &v, &e),
			 ST_OK);
	assert_int_equal(note_sign(t, "hi\n", 3, &b, &e), ST_OK);
	assert_int_equal(note_open((char *)b.data, b.len, &v, 1, &tlen, &e),
			 ST_OK);
	assert_int_equal(tlen, 3);
	buf_free(&b);
	note_signer_free(s);
	note_signer_free(t);

	expect_status("bad name", note_signer_generate("a b", &s, &e),
		      ST_INVALID, &e, "key name");
	expect_status("bad name", note_signer_from_seed("", log_seed, &s, &e),
		      ST_INVALID, &e, "key name");
}

static void test_sign_refuses(void **state)
{
	static const struct {
		const char *name;
		const char *text;
		const char *err;
	} cases[] = {
		{"empty", "", "empty"},
		{"no final LF", "abc", "does not end in a newline"},
		{"blank line", "a\n\nb\n", "empty line"},
		{"tab", "a\tb\n", "control character 0x09"},
		{"CRLF", "a\r\n", "control character 0x0d"},
		{"bad UTF-8", "\xff\n", "invalid UTF-8"},
	};
	struct note_signer *s = log_signer();
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct err e = {{0}};
		expect_status(cases[i].name,
			      note_sign(s, cases[i].text, strlen(cases[i].text),
					&b, &e),
			      ST_INVALID, &e, cases[i].err);
		assert_int_equal(b.len, 0);
	}
	buf_free(&b);
	note_signer_free(s);
}

static void test_checkpoint_format(void **state)
{
	struct checkpoint c = {.origin = LOG_NAME, .size = 0};
	struct buf b;

	(void)state;
	sha256(c.root, "", 0);
	buf_init(&b, 1024);
	assert_int_equal(checkpoint_format(&c, &b), ST_OK);
	assert_string_equal(buf_str(&b), LOG_NAME "\n0\n" ROOT_EMPTY "\n");
	buf_reset(&b);
	c.size = INT64_MAX;
	assert_int_equal(checkpoint_format(&c, &b), ST_OK);
	assert_string_equal(buf_str(&b),
			    LOG_NAME "\n9223372036854775807\n" ROOT_EMPTY "\n");
	buf_reset(&b);
	c.size = -1;
	assert_int_equal(checkpoint_format(&c, &b), ST_INVALID);
	c.size = 1;
	strcpy(c.origin, "");
	assert_int_equal(checkpoint_format(&c, &b), ST_INVALID);
	strcpy(c.origin, "a\nb");
	assert_int_equal(checkpoint_format(&c, &b), ST_INVALID);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

struct cp_case {
	const char *name;
	const char *text;
	enum status want;
	int64_t size;
	const char *err;
};

#define R ROOT_EMPTY "\n"
static const struct cp_case cp_cases[] = {
	{"empty tree", "o\n0\n" R, ST_OK, 0, NULL},
	{"size 1", "o\n1\n" R, ST_OK, 1, NULL},
	{"size 20852163", "o\n20852163\n" R, ST_OK, 20852163, NULL},
	{"largest size", "o\n9223372036854775807\n" R, ST_OK, INT64_MAX, NULL},
	{"extension lines", "o\n5\n" R "ext one\next two\n", ST_OK, 5, NULL},
	{"empty", "", ST_INVALID, 0, "does not end in a newline"},
	{"no final LF", "o\n0\n" ROOT_EMPTY, ST_INVALID, 0,
	 "does not end in a newline"},
	{"origin only", "o\n", ST_INVALID, 0, "no tree size line"},
	{"missing root", "o\n5\n", ST_INVALID, 0, "no root hash line"},
	{"empty root", "o\n5\n\n", ST_INVALID, 0, "root hash is 0 bytes"},
	{"empty origin", "\n5\n" R, ST_INVALID, 0, "empty origin"},
	{"leading-zero size", "o\n05\n" R, ST_INVALID, 0, "leading zeros"},
	{"double zero", "o\n00\n" R, ST_INVALID, 0, "leading zeros"},
	{"plus sign", "o\n+5\n" R, ST_INVALID, 0, "decimal"},
	{"minus sign", "o\n-5\n" R, ST_INVALID, 0, "decimal"},
	{"space in size", "o\n 5\n" R, ST_INVALID, 0, "decimal"},
	{"hex size", "o\n0x5\n" R, ST_INVALID, 0, "decimal"},
	{"empty size", "o\n\n" R, ST_INVALID, 0, "decimal"},
	{"size overflow", "o\n9223372036854775808\n" R, ST_INVALID, 0,
	 "decimal"},
	{"huge size", "o\n99999999999999999999999\n" R, ST_INVALID, 0,
	 "decimal"},
	{"31-byte root", "o\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urqw==\n",
	 ST_INVALID, 0, "root hash is 31 bytes, not 32"},
	{"33-byte root", "o\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6ur\n",
	 ST_INVALID, 0, "root hash is 33 bytes, not 32"},
	{"root without padding",
	 "o\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s\n", ST_INVALID, 0,
	 "base64"},
	{"non-canonical root",
	 "o\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6t=\n", ST_INVALID, 0,
	 "base64"},
	{"URL-safe root",
	 "o\n5\n-6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n", ST_INVALID, 0,
	 "base64"},
	{"hex root",
	 "o\n5\n"
	 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
	 ST_INVALID, 0, "root hash is 48 bytes"},
	{"empty extension line", "o\n5\n" R "\next\n", ST_INVALID, 0,
	 "extension line 1 is empty"},
	{"trailing empty line", "o\n5\n" R "\n", ST_INVALID, 0,
	 "extension line 1 is empty"},
	{"CRLF", "o\r\n5\r\n" ROOT_EMPTY "\r\n", ST_INVALID, 0,
	 "control character"},
	{"bad UTF-8 origin", "\xc3\n5\n" R, ST_INVALID, 0, "invalid UTF-8"},
};
#undef R

static void test_checkpoint_parse_table(void **state)
{
	uint8_t empty_root[32];
	char longer[NOTE_NAME_MAX + 64];

	(void)state;
	sha256(empty_root, "", 0);
	for (size_t i = 0; i < sizeof cp_cases / sizeof cp_cases[0]; i++) {
		const struct cp_case *c = &cp_cases[i];
		struct checkpoint cp;
		struct err e = {{0}};
		enum status st =
			checkpoint_parse(c->text, strlen(c->text), &cp, &e);
		expect_status(c->name, st, c->want, &e, c->err);
		if (st == ST_OK) {
			assert_string_equal(cp.origin, "o");
			assert_int_equal(cp.size, c->size);
			if (strstr(c->text, ROOT_EMPTY) != NULL)
				assert_memory_equal(cp.root, empty_root, 32);
		}
	}
	/* Origins up to NOTE_NAME_MAX bytes. */
	for (int over = 0; over <= 1; over++) {
		struct checkpoint cp;
		struct err e = {{0}};
		size_t n = NOTE_NAME_MAX + (size_t)over;
		memset(longer, 'o', n);
		snprintf(longer + n, sizeof longer - n, "\n7\n%s\n",
			 ROOT_EMPTY);
		expect_status("long origin",
			      checkpoint_parse(longer, strlen(longer), &cp, &e),
			      over ? ST_INVALID : ST_OK, &e,
			      over ? "longer than 200" : NULL);
	}
}

static void test_checkpoint_sign_open(void **state)
{
	struct note_signer *s = log_signer();
	struct note_verifier v;
	struct note_verifier peter = vparse(PETER_VKEY);
	struct checkpoint c = {.origin = LOG_NAME, .size = 0};
	struct checkpoint got;
	struct err e = {{0}};
	struct buf b;

	(void)state;
	note_signer_verifier(s, &v);
	sha256(c.root, "", 0);
	buf_init(&b, 4096);
	assert_int_equal(checkpoint_sign(s, &c, &b, &e), ST_OK);
	assert_string_equal(buf_str(&b), LOG_CP0);
	assert_int_equal(checkpoint_open((char *)b.data, b.len, &v, &got, &e),
			 ST_OK);
	assert_string_equal(got.origin, LOG_NAME);
	assert_int_equal(got.size, 0);
	assert_memory_equal(got.root, c.root, 32);

	buf_reset(&b);
	c.size = 5;
	memset(c.root, 0xab, 32);
	assert_int_equal(checkpoint_sign(s, &c, &b, &e), ST_OK);
	assert_string_equal(buf_str(&b), LOG_CP5);
	assert_int_equal(
		checkpoint_open(LOG_CP5, strlen(LOG_CP5), &v, &got, &e), ST_OK);
	assert_int_equal(got.size, 5);
	assert_memory_equal(got.root, c.root, 32);

	/* Another key, a changed size, a truncation. */
	expect_status(
		"other key",
		checkpoint_open(LOG_CP5, strlen(LOG_CP5), &peter, &got, &e),
		ST_BAD_SIGNATURE, &e, "not signed by key PeterNeumann");
	{
		char *m = splice(LOG_CP5, strlen(LOG_NAME "\n"), 1, "6");
		expect_status("changed size",
			      checkpoint_open(m, strlen(m), &v, &got, &e),
			      ST_BAD_SIGNATURE, &e, "invalid signature");
		free(m);
		m = splice(LOG_CP5, strlen(LOG_NAME "\n"), 1, "05");
		expect_status("leading zero in signed note",
			      checkpoint_open(m, strlen(m), &v, &got, &e),
			      ST_BAD_SIGNATURE, &e, "invalid signature");
		free(m);
	}
	for (size_t n = 0; n < strlen(LOG_CP5); n++)
		if (checkpoint_open(LOG_CP5, n, &v, &got, &e) == ST_OK)
			fail_msg("checkpoint prefix of %zu bytes accepted", n);

	/* The key signs a text whose origin is not its name. */
	buf_reset(&b);
	assert_int_equal(
		note_sign(s, "other.example/log\n5\n" ROOT_EMPTY "\n",
			  strlen("other.example/log\n5\n" ROOT_EMPTY "\n"), &b,
			  &e),
		ST_OK);
	expect_status("wrong origin",
		      checkpoint_open((char *)b.data, b.len, &v, &got, &e),
		      ST_BAD_SIGNATURE, &e,
		      "origin is not example.com/sanilog");

	/* The key signs a malformed checkpoint body. */
	buf_reset(&b);
	assert_int_equal(
		note_sign(s,
			  LOG_NAME
			  "\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urqw==\n",
			  strlen(LOG_NAME "\n5\nq6urq6urq6urq6urq6urq6urq6urq6u"
					  "rq6urq6urqw==\n"),
			  &b, &e),
		ST_OK);
	expect_status("31-byte root signed",
		      checkpoint_open((char *)b.data, b.len, &v, &got, &e),
		      ST_INVALID, &e, "31 bytes");
	buf_reset(&b);
	assert_int_equal(
		note_sign(s, LOG_NAME "\n5\n" ROOT_EMPTY "\next\n",
			  strlen(LOG_NAME "\n5\n" ROOT_EMPTY "\next\n"), &b,
			  &e),
		ST_OK);
	assert_int_equal(checkpoint_open((char *)b.data, b.len, &v, &got, &e),
			 ST_OK);

	/* checkpoint_sign refuses an origin that is not the key's name. */
	buf_reset(&b);
	strcpy(c.origin, "other.example/log");
	expect_status("sign other origin", checkpoint_sign(s, &c, &b, &e),
		      ST_INVALID, &e, "origin is not the key name");
	assert_int_equal(b.len, 0);
	buf_free(&b);
	note_signer_free(s);
}

/* An empty extension line: the signed text itself holds a blank line. */
static void test_checkpoint_empty_extension_signed(void **state)
{
	static const char text[] = LOG_NAME "\n5\n" ROOT_EMPTY "\n\next\n";
	struct note_signer *s = log_signer();
	struct note_verifier v;
	struct checkpoint got;
	struct err e = {{0}};
	uint8_t sig[64];
	uint8_t raw[68];
	char b64[93];
	char msg[512];

	(void)state;
	note_signer_verifier(s, &v);
	note_sign_raw(s, text, strlen(text), sig);
	raw[0] = (uint8_t)(v.hash >> 24);
	raw[1] = (uint8_t)(v.hash >> 16);
	raw[2] = (uint8_t)(v.hash >> 8);
	raw[3] = (uint8_t)v.hash;
	memcpy(raw + 4, sig, 64);
	b64_encode(b64, sizeof b64, raw, sizeof raw, B64_STD);
	snprintf(msg, sizeof msg, "%s\n\xe2\x80\x94 %s %s\n", text, LOG_NAME,
		 b64);
	expect_status("empty extension line",
		      checkpoint_open(msg, strlen(msg), &v, &got, &e),
		      ST_INVALID, &e, "extension line 1 is empty");
	note_signer_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_keys),
		cmocka_unit_test(test_go_sign),
		cmocka_unit_test(test_open_table),
		cmocka_unit_test(test_open_go_dynamic),
		cmocka_unit_test(test_open_mangled),
		cmocka_unit_test(test_open_blank_lines_in_text),
		cmocka_unit_test(test_verifier_parse_table),
		cmocka_unit_test(test_verifier_bad_keys),
		cmocka_unit_test(test_key_manglings),
		cmocka_unit_test(test_signer_parse_table),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_generate_and_seed),
		cmocka_unit_test(test_sign_refuses),
		cmocka_unit_test(test_checkpoint_format),
		cmocka_unit_test(test_checkpoint_parse_table),
		cmocka_unit_test(test_checkpoint_sign_open),
		cmocka_unit_test(test_checkpoint_empty_extension_signed),
	};

	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return 2;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
