/*
 * test_attest.c: provider attestations.
 *
 * The golden note and attestation value were computed independently
 * (Python's cryptography package) for the provider key of seed 07 07 ...
 * named cleanco.example, over the fields of the DESIGN.md example.  The
 * rest are hostile inputs: attestations of other fields, by other keys,
 * tampered, truncated or malformed.
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

#include "core/attest.h"
#include "core/codec.h"
#include "core/entry.h"

#define PROVIDER "cleanco.example"
#define PROVIDER_VKEY                                                          \
	"cleanco.example+d55b4fa5+"                                            \
	"AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs"
#define DOC_HEX                                                                \
	"139d544b821b13ebea14f1b0fe18577222e415c2966e3a3511c4196055232202"
#define TEXT                                                                   \
	"sanilog-attestation v1\n"                                             \
	"venue k7m2q9xa\n"                                                     \
	"doc " DOC_HEX "\n"                                                    \
	"type sanitization\n"                                                  \
	"performed 2026-11-20\n"                                               \
	"expires 2027-05-20\n"
#define SIG_B64                                                                \
	"1VtPpb08MudUf2sgPzmP6Y8+yg9aCgg/IULv3yAz/qKNN2OEnYduyqpxnChsEVLGFmN7" \
	"IGD2GXVuUv14uMp/JkxvGwk="
#define SIGLINE "\xe2\x80\x94 " PROVIDER " " SIG_B64 "\n"
#define NOTE	TEXT "\n" SIGLINE
#define LINE	PROVIDER "+d55b4fa5 " SIG_B64
/* The Go documentation's PeterNeumann signature: an unknown key here. */
#define PETER_SIGLINE                                                          \
	"\xe2\x80\x94 PeterNeumann "                                           \
	"x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZI"                          \
	"nNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

static struct attest_fields fields(void)
{
	struct attest_fields f = {
		.venue = "k7m2q9xa",
		.type = "sanitization",
		.performed = "2026-11-20",
		.expires = "2027-05-20",
	};
	sha256(f.doc, "doc", 3);
	return f;
}

static struct note_signer *signer(const char *name, uint8_t fill)
{
	uint8_t seed[32];
	struct note_signer *s = NULL;
	struct err e = {{0}};

	memset(seed, fill, sizeof seed);
	assert_int_equal(note_signer_from_seed(name, seed, &s, &e), ST_OK);
	return s;
}

static struct note_verifier verifier(const struct note_signer *s)
{
	struct note_verifier v;
	note_signer_verifier(s, &v);
	return v;
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

static void test_text(void **state)
{
	struct attest_fields f = fields();
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(attest_text(&f, &b), ST_OK);
	assert_string_equal(buf_str(&b), TEXT);

	static const char *const none[] = {NULL, ""};
	for (int i = 0; i < 2; i++) {
		buf_reset(&b);
		f.expires = none[i];
		assert_int_equal(attest_text(&f, &b), ST_OK);
		assert_string_equal(buf_str(&b), "sanilog-attestation v1\n"
						 "venue k7m2q9xa\n"
						 "doc " DOC_HEX "\n"
						 "type sanitization\n"
						 "performed 2026-11-20\n"
						 "expires -\n");
	}
	buf_free(&b);
}

static void test_bad_fields(void **state)
{
	static const struct {
		const char *name;
		const char *venue;
		const char *type;
		const char *performed;
		const char *expires;
		const char *err;
	} cases[] = {
		{"venue with l", "k7m2q9xl", "sanitization", "2026-11-20", NULL,
		 "venue"},
		{"venue with 0", "k7m2q9x0", "sanitization", "2026-11-20", NULL,
		 "venue"},
		{"venue uppercase", "K7M2Q9XA", "sanitization", "2026-11-20",
		 NULL, "venue"},
		{"venue short", "k7m2q9x", "sanitization", "2026-11-20", NULL,
		 "venue"},
		{"venue long", "k7m2q9xaa", "sanitization", "2026-11-20", NULL,
		 "venue"},
		{"venue with LF", "k7m2q9x\n", "sanitization", "2026-11-20",
		 NULL, "venue"},
		{"no venue", NULL, "sanitization", "2026-11-20", NULL, "venue"},
		{"empty type", "k7m2q9xa", "", "2026-11-20", NULL, "type"},
		{"type with space", "k7m2q9xa", "pest control", "2026-11-20",
		 NULL, "type"},
		{"type with LF", "k7m2q9xa", "hvac\nvenue x", "2026-11-20",
		 NULL, "type"},
		{"type uppercase", "k7m2q9xa", "HVAC", "2026-11-20", NULL,
		 "type"},
		{"no type", "k7m2q9xa", NULL, "2026-11-20", NULL, "type"},
		{"no performed", "k7m2q9xa", "hvac", NULL, NULL, "performed"},
		{"performed slashes", "k7m2q9xa", "hvac", "2026/11/20", NULL,
		 "performed"},
		{"performed short", "k7m2q9xa", "hvac", "2026-1-20", NULL,
		 "performed"},
		{"performed with time", "k7m2q9xa", "hvac", "2026-11-20T00",
		 NULL, "performed"},
		{"expires dash", "k7m2q9xa", "hvac", "2026-11-20", "-",
		 "expires"},
		{"expires letters", "k7m2q9xa", "hvac", "2026-11-20",
		 "2027-05-2x", "expires"},
	};
	struct note_signer *s = signer(PROVIDER, 7);
	struct note_verifier v = verifier(s);
	struct buf b;
	char line[512];

	(void)state;
	buf_init(&b, 4096);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct attest_fields f = fields();
		struct err e = {{0}};
		f.venue = cases[i].venue;
		f.type = cases[i].type;
		f.performed = cases[i].performed;
		f.expires = cases[i].expires;
		assert_int_equal(attest_text(&f, &b), ST_INVALID);
		expect_status(cases[i].name, attest_sign(s, &f, &b, &e),
			      ST_INVALID, &e, cases[i].err);
		assert_int_equal(b.len, 0);
		expect_status(cases[i].name,
			      attest_from_note(NOTE, strlen(NOTE), &f, &v, line,
					       sizeof line, &e),
			      ST_INVALID, &e, cases[i].err);
		expect_status(cases[i].name,
			      attest_verify_line(LINE, &f, &v, &e), ST_INVALID,
			      &e, cases[i].err);
	}
	buf_free(&b);
	note_signer_free(s);
}

static void test_golden(void **state)
{
	struct attest_fields f = fields();
	struct note_signer *s = signer(PROVIDER, 7);
	struct note_verifier v = verifier(s);
	struct note_verifier pv;
	struct err e = {{0}};
	char vkey[NOTE_VKEY_MAX + 1];
	char line[ENTRY_VALUE_MAX + 1]; /* as struct entry keeps it */
	char name[NOTE_NAME_MAX + 1];
	uint32_t hash = 0;
	struct buf b;

	(void)state;
	note_verifier_format(&v, vkey, sizeof vkey);
	assert_string_equal(vkey, PROVIDER_VKEY);
	assert_int_equal(note_verifier_parse(PROVIDER_VKEY,
					     strlen(PROVIDER_VKEY), &pv, &e),
			 ST_OK);

	buf_init(&b, 4096);
	assert_int_equal(attest_sign(s, &f, &b, &e), ST_OK);
	assert_string_equal(buf_str(&b), NOTE);

	assert_int_equal(attest_from_note((char *)b.data, b.len, &f, &pv, line,
					  sizeof line, &e),
			 ST_OK);
	assert_string_equal(line, LINE);
	assert_int_equal(attest_parse_line(line, name, &hash, &e), ST_OK);
	assert_string_equal(name, PROVIDER);
	assert_int_equal(hash, 0xd55b4fa5);
	assert_int_equal(attest_verify_line(line, &f, &pv, &e), ST_OK);

	/* Without expires. */
	f.expires = NULL;
	buf_reset(&b);
	assert_int_equal(attest_sign(s, &f, &b, &e), ST_OK);
	assert_int_equal(attest_from_note((char *)b.data, b.len, &f, &pv, line,
					  sizeof line, &e),
			 ST_OK);
	assert_int_equal(attest_verify_line(line, &f, &pv, &e), ST_OK);
	f.expires = "";
	assert_int_equal(attest_verify_line(line, &f, &pv, &e), ST_OK);
	f.expires = "2027-05-20";
	expect_status("expires added", attest_verify_line(line, &f, &pv, &e),
		      ST_BAD_SIGNATURE, &e, "does not verify");
	buf_free(&b);
	note_signer_free(s);
}

/* The attestation value must fit where an entry keeps it. */
static void test_line_size(void **state)
{
	struct attest_fields f = fields();
	struct note_verifier v;
	struct err e = {{0}};
	char line[256];

	(void)state;
	assert_int_equal(note_verifier_parse(PROVIDER_VKEY,
					     strlen(PROVIDER_VKEY), &v, &e),
			 ST_OK);
	assert_int_equal(attest_from_note(NOTE, strlen(NOTE), &f, &v, line,
					  strlen(LINE) + 1, &e),
			 ST_OK);
	strcpy(line, "unchanged");
	expect_status("line too small",
		      attest_from_note(NOTE, strlen(NOTE), &f, &v, line,
				       strlen(LINE), &e),
		      ST_TOO_LARGE, &e, "does not fit");
	assert_string_equal(line, "unchanged");
}

struct note_case {
	const char *name;
	const char *note;
	enum status want;
	const char *err;
};

static const struct note_case note_cases[] = {
	{"golden", NOTE, ST_OK, NULL},
	{"co-signed, provider second", TEXT "\n" PETER_SIGLINE SIGLINE, ST_OK,
	 NULL},
	{"repeated provider signature", TEXT "\n" SIGLINE SIGLINE, ST_OK, NULL},
	{"unknown key only", TEXT "\n" PETER_SIGLINE, ST_BAD_SIGNATURE,
	 "not signed by key cleanco.example+d55b4fa5"},
	{"tampered text",
	 "sanilog-attestation v1\nvenue k7m2q9xb\ndoc " DOC_HEX
	 "\ntype sanitization\nperformed 2026-11-20\n"
	 "expires 2027-05-20\n\n" SIGLINE,
	 ST_BAD_SIGNATURE, "invalid signature"},
	{"tampered signature",
	 TEXT "\n\xe2\x80\x94 " PROVIDER " "
	      "1VtPpb08MudUf2sgPzmP6Y8+yg9aCgg/IULv3yAz/qKNN2OEnYduyqpxnChsEVLG"
	      "FmN7IGD2GXVuUv14uMp/JkxvGwg=\n",
	 ST_BAD_SIGNATURE, "invalid signature"},
	{"wrong key hash",
	 TEXT "\n\xe2\x80\x94 " PROVIDER " "
	      "1VuPpb08MudUf2sgPzmP6Y8+yg9aCgg/IULv3yAz/qKNN2OEnYduyqpxnChsEVLG"
	      "FmN7IGD2GXVuUv14uMp/JkxvGwk=\n",
	 ST_BAD_SIGNATURE, "not signed by key"},
	{"wrong key name", TEXT "\n\xe2\x80\x94 cleanco.exampl " SIG_B64 "\n",
	 ST_BAD_SIGNATURE, "not signed by key"},
	{"text only", TEXT, ST_INVALID, "no blank line"},
	{"missing blank line", TEXT SIGLINE, ST_INVALID, "no blank line"},
	{"no final newline", TEXT "\n\xe2\x80\x94 " PROVIDER " " SIG_B64,
	 ST_INVALID, "does not end in a newline"},
	{"CRLF", "sanilog-attestation v1\r\nvenue k7m2q9xa\r\n\r\n" SIGLINE,
	 ST_INVALID, "control character 0x0d"},
	{"non-canonical base64",
	 TEXT "\n\xe2\x80\x94 " PROVIDER " "
	      "1VtPpb08MudUf2sgPzmP6Y8+yg9aCgg/IULv3yAz/qKNN2OEnYduyqpxnChsEVLG"
	      "FmN7IGD2GXVuUv14uMp/JkxvGwl=\n",
	 ST_INVALID, "not canonical"},
	{"missing padding",
	 TEXT "\n\xe2\x80\x94 " PROVIDER " "
	      "1VtPpb08MudUf2sgPzmP6Y8+yg9aCgg/IULv3yAz/qKNN2OEnYduyqpxnChsEVLG"
	      "FmN7IGD2GXVuUv14uMp/JkxvGwk\n",
	 ST_INVALID, "base64"},
	{"the value, not a note", LINE "\n", ST_INVALID, "no blank line"},
	{"empty", "", ST_INVALID, "no blank line"},
};

static void test_from_note_table(void **state)
{
	struct attest_fields f = fields();
	struct note_verifier v;
	struct err e = {{0}};

	(void)state;
	assert_int_equal(note_verifier_parse(PROVIDER_VKEY,
					     strlen(PROVIDER_VKEY), &v, &e),
			 ST_OK);
	for (size_t i = 0; i < sizeof note_cases / sizeof note_cases[0]; i++) {
		const struct note_case *c = &note_cases[i];
		char line[512] = "unchanged";
		enum status st = attest_from_note(c->note, strlen(c->note), &f,
						  &v, line, sizeof line, &e);
		expect_status(c->name, st, c->want, &e, c->err);
		if (st == ST_OK)
			assert_string_equal(line, LINE);
		else
			assert_string_equal(line, "unchanged");
	}
}

/* Notes properly signed by the provider that attest something else. */
static void test_from_note_other_text(void **state)
{
	static const struct {
		const char *name;
		const char *text;
		const char *err;
	} cases[] = {
		{"other venue",
		 "sanilog-attestation v1\nvenue k7m2q9xb\ndoc " DOC_HEX
		 "\ntype sanitization\nperformed 2026-11-20\n"
		 "expires 2027-05-20\n",
		 "\"venue\" line"},
		{"other document",
		 "sanilog-attestation v1\nvenue k7m2q9xa\ndoc "
		 "039d544b821b13ebea14f1b0fe18577222e415c2966e3a3511c4196055232"
		 "202"
		 "\ntype sanitization\nperformed 2026-11-20\n"
		 "expires 2027-05-20\n",
		 "\"doc\" line"},
		{"other type",
		 "sanilog-attestation v1\nvenue k7m2q9xa\ndoc " DOC_HEX
		 "\ntype disinfection\nperformed 2026-11-20\n"
		 "expires 2027-05-20\n",
		 "\"type\" line"},
		{"other performed",
		 "sanilog-attestation v1\nvenue k7m2q9xa\ndoc " DOC_HEX
		 "\ntype sanitization\nperformed 2026-11-21\n"
		 "expires 2027-05-20\n",
		 "\"performed\" line"},
		{"other expires",
		 "sanilog-attestation v1\nvenue k7m2q9xa\ndoc " DOC_HEX
		 "\ntype sanitization\nperformed 2026-11-20\n"
		 "expires 2028-05-20\n",
		 "\"expires\" line"},
		{"no expires",
		 "sanilog-attestation v1\nvenue k7m2q9xa\ndoc " DOC_HEX
		 "\ntype sanitization\nperformed 2026-11-20\nexpires -\n",
		 "\"expires\" line"},
		{"expires missing",
		 "sanilog-attestation v1\nvenue k7m2q9xa\ndoc " DOC_HEX
		 "\ntype sanitization\nperformed 2026-11-20\n",
		 "\"expires\" line"},
		{"extra line", TEXT "note from the provider\n",
		 "lines after \"expires\""},
		{"other version",
		 "sanilog-attestation v2\nvenue k7m2q9xa\ndoc " DOC_HEX
		 "\ntype sanitization\nperformed 2026-11-20\n"
		 "expires 2027-05-20\n",
		 "does not start with"},
		{"uppercase hex",
		 "sanilog-attestation v1\nvenue k7m2q9xa\ndoc "
		 "139D544B821B13EBEA14F1B0FE18577222E415C2966E3A3511C4196055232"
		 "202"
		 "\ntype sanitization\nperformed 2026-11-20\n"
		 "expires 2027-05-20\n",
		 "\"doc\" line"},
		{"trailing space",
		 "sanilog-attestation v1\nvenue k7m2q9xa \ndoc " DOC_HEX
		 "\ntype sanitization\nperformed 2026-11-20\n"
		 "expires 2027-05-20\n",
		 "\"venue\" line"},
	};
	struct attest_fields f = fields();
	struct note_signer *s = signer(PROVIDER, 7);
	struct note_verifier v = verifier(s);
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct err e = {{0}};
		char line[512] = "unchanged";
		buf_reset(&b);
		assert_int_equal(note_sign(s, cases[i].text,
					   strlen(cases[i].text), &b, &e),
				 ST_OK);
		expect_status(cases[i].name,
			      attest_from_note((char *)b.data, b.len, &f, &v,
					       line, sizeof line, &e),
			      ST_BAD_SIGNATURE, &e, cases[i].err);
		assert_string_equal(line, "unchanged");
	}
	buf_free(&b);
	note_signer_free(s);
}

/* A note signed by the wrong key, or by a key with the provider's name. */
static void test_from_note_other_keys(void **state)
{
	struct attest_fields f = fields();
	struct note_signer *p = signer(PROVIDER, 7);
	struct note_signer *other = signer("other.example", 8);
	struct note_signer *impostor = signer(PROVIDER, 9);
	struct note_verifier v = verifier(p);
	struct note_verifier vo = verifier(other);
	struct err e = {{0}};
	char line[512];
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(attest_sign(other, &f, &b, &e), ST_OK);
	expect_status("other key",
		      attest_from_note((char *)b.data, b.len, &f, &v, line,
				       sizeof line, &e),
		      ST_BAD_SIGNATURE, &e, "not signed by key");
	buf_reset(&b);
	assert_int_equal(attest_sign(impostor, &f, &b, &e), ST_OK);
	expect_status("same name, other key",
		      attest_from_note((char *)b.data, b.len, &f, &v, line,
				       sizeof line, &e),
		      ST_BAD_SIGNATURE, &e, "not signed by key");

	/* Co-signed by both: the provider's line is the one taken. */
	buf_reset(&b);
	assert_int_equal(attest_sign(other, &f, &b, &e), ST_OK);
	assert_int_equal(buf_append_str(&b, SIGLINE), ST_OK);
	assert_int_equal(attest_from_note((char *)b.data, b.len, &f, &v, line,
					  sizeof line, &e),
			 ST_OK);
	assert_string_equal(line, LINE);
	assert_int_equal(attest_from_note((char *)b.data, b.len, &f, &vo, line,
					  sizeof line, &e),
			 ST_OK);
	assert_int_equal(attest_verify_line(line, &f, &vo, &e), ST_OK);
	expect_status("line by other, checked against provider",
		      attest_verify_line(line, &f, &v, &e), ST_BAD_SIGNATURE,
		      &e, "not by the provider's key cleanco.example+d55b4fa5");

	/* Co-signed by a key of the same name first: still the provider's. */
	buf_reset(&b);
	assert_int_equal(attest_sign(impostor, &f, &b, &e), ST_OK);
	assert_int_equal(buf_append_str(&b, SIGLINE), ST_OK);
	assert_int_equal(attest_from_note((char *)b.data, b.len, &f, &v, line,
					  sizeof line, &e),
			 ST_OK);
	assert_string_equal(line, LINE);

	/* The value checked against the impostor key of the same name. */
	{
		struct note_verifier vi = verifier(impostor);
		expect_status(
			"impostor key", attest_verify_line(LINE, &f, &vi, &e),
			ST_BAD_SIGNATURE, &e, "not by the provider's key");
		/* Same name and hash, other public key (a hash collision). */
		vi.hash = v.hash;
		expect_status("hash collision",
			      attest_verify_line(LINE, &f, &vi, &e),
			      ST_BAD_SIGNATURE, &e, "does not verify");
		expect_status("hash collision, note",
			      attest_from_note(NOTE, strlen(NOTE), &f, &vi,
					       line, sizeof line, &e),
			      ST_BAD_SIGNATURE, &e, "invalid signature");
	}
	buf_free(&b);
	note_signer_free(p);
	note_signer_free(other);
	note_signer_free(impostor);
}

/* Every truncation and every one-byte change of the golden note fails. */
static void test_from_note_mangled(void **state)
{
	static const char good[] = NOTE;
	char msg[sizeof good];
	struct attest_fields f = fields();
	struct note_verifier v;
	struct err e = {{0}};
	char line[512];

	(void)state;
	assert_int_equal(note_verifier_parse(PROVIDER_VKEY,
					     strlen(PROVIDER_VKEY), &v, &e),
			 ST_OK);
	for (size_t n = 0; n < sizeof good - 1; n++)
		if (attest_from_note(good, n, &f, &v, line, sizeof line, &e) ==
		    ST_OK)
			fail_msg("prefix of %zu bytes accepted", n);
	for (size_t i = 0; i < sizeof good - 1; i++) {
		memcpy(msg, good, sizeof good);
		msg[i]++;
		if (attest_from_note(msg, sizeof good - 1, &f, &v, line,
				     sizeof line, &e) == ST_OK)
			fail_msg("byte %zu changed, accepted", i);
	}
}

struct line_case {
	const char *name;
	const char *line;
	enum status want;
	const char *err;
};

static const struct line_case line_cases[] = {
	{"golden", LINE, ST_OK, NULL},
	{"empty", "", ST_INVALID, "no space"},
	{"no space", PROVIDER "+d55b4fa5", ST_INVALID, "no space"},
	{"no plus", PROVIDER " " SIG_B64, ST_INVALID, "no '+'"},
	{"signature line form", "\xe2\x80\x94 " PROVIDER " " SIG_B64,
	 ST_INVALID, "no '+'"},
	{"empty name", "+d55b4fa5 " SIG_B64, ST_INVALID, "key name"},
	{"control in name",
	 "clean\x01"
	 "co+d55b4fa5 " SIG_B64,
	 ST_INVALID, "key name"},
	{"uppercase hash", PROVIDER "+D55B4FA5 " SIG_B64, ST_INVALID,
	 "8 lowercase hex"},
	{"short hash", PROVIDER "+d55b4fa " SIG_B64, ST_INVALID,
	 "8 lowercase hex"},
	{"long hash", PROVIDER "+d55b4fa50 " SIG_B64, ST_INVALID,
	 "8 lowercase hex"},
	{"second plus", PROVIDER "+d55b+4fa5 " SIG_B64, ST_INVALID,
	 "8 lowercase hex"},
	{"hash differs from signature's", PROVIDER "+d55b4fa6 " SIG_B64,
	 ST_INVALID, "key hash in the signature (d55b4fa5) is not d55b4fa6"},
	{"two spaces", PROVIDER "+d55b4fa5  " SIG_B64, ST_INVALID,
	 "base64 of 68 bytes"},
	{"trailing space", LINE " ", ST_INVALID, "base64 of 68 bytes"},
	{"trailing LF", LINE "\n", ST_INVALID, "base64 of 68 bytes"},
	{"missing padding",
	 PROVIDER
	 "+d55b4fa5 "
	 "1VtPpb08MudUf2sgPzmP6Y8+yg9aCgg/IULv3yAz/qKNN2OEnYduyqpxnChsE"
	 "VLGFmN7IGD2GXVuUv14uMp/JkxvGwk",
	 ST_INVALID, "base64 of 68 bytes"},
	{"non-canonical base64",
	 PROVIDER
	 "+d55b4fa5 "
	 "1VtPpb08MudUf2sgPzmP6Y8+yg9aCgg/IULv3yAz/qKNN2OEnYduyqpxnChsE"
	 "VLGFmN7IGD2GXVuUv14uMp/JkxvGwl=",
	 ST_INVALID, "base64 of 68 bytes"},
	{"URL-safe base64",
	 PROVIDER
	 "+d55b4fa5 "
	 "1VtPpb08MudUf2sgPzmP6Y8-yg9aCgg_IULv3yAz_qKNN2OEnYduyqpxnChsE"
	 "VLGFmN7IGD2GXVuUv14uMp_JkxvGwk=",
	 ST_INVALID, "base64 of 68 bytes"},
	{"short signature", PROVIDER "+d55b4fa5 1VtPpb08", ST_INVALID,
	 "base64 of 68 bytes"},
	{"signature only", SIG_B64, ST_INVALID, "no space"},
};

static void test_parse_line_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
		const struct line_case *c = &line_cases[i];
		struct err e = {{0}};
		char name[NOTE_NAME_MAX + 1] = "unchanged";
		uint32_t hash = 7;
		enum status st = attest_parse_line(c->line, name, &hash, &e);
		expect_status(c->name, st, c->want, &e, c->err);
		if (st != ST_OK) {
			assert_string_equal(name, "unchanged");
			assert_int_equal(hash, 7);
		}
	}
}

static void test_verify_line(void **state)
{
	struct attest_fields f = fields();
	struct note_verifier v;
	struct err e = {{0}};

	(void)state;
	assert_int_equal(note_verifier_parse(PROVIDER_VKEY,
					     strlen(PROVIDER_VKEY), &v, &e),
			 ST_OK);
	assert_int_equal(attest_verify_line(LINE, &f, &v, &e), ST_OK);
	for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++)
		if (line_cases[i].want != ST_OK)
			expect_status(line_cases[i].name,
				      attest_verify_line(line_cases[i].line, &f,
							 &v, &e),
				      ST_INVALID, &e, line_cases[i].err);

	/* Fields that are not those signed. */
	f.venue = "k7m2q9xb";
	expect_status("venue", attest_verify_line(LINE, &f, &v, &e),
		      ST_BAD_SIGNATURE, &e, "does not verify");
	f = fields();
	f.doc[31] ^= 1;
	expect_status("doc", attest_verify_line(LINE, &f, &v, &e),
		      ST_BAD_SIGNATURE, &e, "does not verify");
	f = fields();
	f.type = "disinfection";
	expect_status("type", attest_verify_line(LINE, &f, &v, &e),
		      ST_BAD_SIGNATURE, &e, "does not verify");
	f = fields();
	f.performed = "2026-11-21";
	expect_status("performed", attest_verify_line(LINE, &f, &v, &e),
		      ST_BAD_SIGNATURE, &e, "does not verify");
	f = fields();
	f.expires = NULL;
	expect_status("expires", attest_verify_line(LINE, &f, &v, &e),
		      ST_BAD_SIGNATURE, &e, "does not verify");

	/* A signature changed inside, still canonical base64. */
	f = fields();
	{
		char *l = splice(LINE, strlen(PROVIDER "+d55b4fa5 ") + 20, 1,
				 "A");
		expect_status("tampered", attest_verify_line(l, &f, &v, &e),
			      ST_BAD_SIGNATURE, &e, "does not verify");
		free(l);
	}
	/* The key's name differs, with the same key hash in both places. */
	expect_status("other name",
		      attest_verify_line("cleanco.exampl+d55b4fa5 " SIG_B64, &f,
					 &v, &e),
		      ST_BAD_SIGNATURE, &e, "not by the provider's key");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_line_size),
		cmocka_unit_test(test_from_note_table),
		cmocka_unit_test(test_from_note_other_text),
		cmocka_unit_test(test_from_note_other_keys),
		cmocka_unit_test(test_from_note_mangled),
		cmocka_unit_test(test_parse_line_table),
		cmocka_unit_test(test_verify_line),
	};

	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return 2;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
