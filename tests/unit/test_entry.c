/*
 * test_entry.c: "sanilog-entry v1" entries.
 *
 * Golden texts of every kind (the two examples of DESIGN.md among them),
 * round trips format -> parse -> format, and a table of hostile inputs, each
 * of which must be rejected for the reason it was made for (the error
 * message must say so).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/entry.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define HASH_TEST                                                              \
	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define HASH_EMPTY                                                             \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ATT_SIG                                                                \
	"Gis8TQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0u" \
	"LzAxMjM0NTY3ODk6Ozw9Pj8="
/* seed 01 02 .. 20 under "cleanco.example" and "other.example" */
#define VKEY_CLEANCO                                                           \
	"cleanco.example+d8e35011+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+"          \
	"DjkQutBJZk"
#define VKEY_OTHER                                                             \
	"other.example+2472035f+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk"

/* Witnesses' keys (algorithm 0x04): the test vector of test_witness.c,
 * and seeds 0x40.. under "w2.example"; the log's key of that seed, the
 * same key under another name, and another key under the first's name. */
#define WKEY1                                                                  \
	"witness.example/w1+e75f6532+BAOhB7/"                                  \
	"zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
#define WKEY2 "w2.example+331354d4+BCVDuS/xCVURR2rcg2nbbdyTNmWhGXjdoUBO4QZsqVWd"
#define WKEY2_LOG                                                              \
	"w2.example+af1bde57+ASVDuS/xCVURR2rcg2nbbdyTNmWhGXjdoUBO4QZsqVWd"
#define WKEY2_COPY                                                             \
	"copy.example+86c37222+BCVDuS/xCVURR2rcg2nbbdyTNmWhGXjdoUBO4QZsqVWd"
#define WKEY1_OTHER                                                            \
	"witness.example/w1+8c040ee4+BLtcZySCsNzKkaIaTtY7Fa/"                  \
	"eiqE3jacs0Bs0lYnW591q"

/* Seeds 01.., 02.., ... 0b.. under w0.example ... w10.example. */
static const char *const wkeys[] = {
	"w0.example+f9990dfd+BIqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c",
	"w1.example+c244f014+BIE5dw6ofRdfVqNUZsNMfszLjYqRtO43ol32D1uPybOU",
	"w2.example+335e0daf+BO1JKMYo0cLG6ukDOJBZlWEpWSc6XGP5NjbBRhSshzfR",
	"w3.example+69e0a8e6+BMqTrBcFGHBx1nuDx/8O/oEI6OxFMFdddyaHkzPb2r58",
	"w4.example+7a985dba+BG56HN0psLeP0Tr0xVmP7/TvKpcWbjym8uT7/M2AUFvx",
	"w5.example+f07ac181+BIqHX/8es4RRV3rNWv7kBUVlaN18ieCQhjoFV7x69J8X",
	"w6.example+da9f99eb+BOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs",
	"w7.example+cb7a8e0a+BBOY9ixtGkV8UbpqS189vS9p/KkyFiGNyJl+QWvRfZPK",
	"w8.example+a4d32588+BP0XJDhaoMdbZPt4zWAvodmR/ev3axPFjtcC6sg16fYY",
	"w9.example+ee6fa410+BEOnLnFEAXYt9mtowm373yaCquyfJHTspGE+QkoPuv08",
	"w10.example+1c1501c6+BGa+fjMsekUzMr2dCn99sFX1xe8aBq2mbZizn7aBDEc6",
};

#define A10  "aaaaaaaaaa"
#define A100 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10
#define A200 A100 A100
#define A300 A100 A100 A100

/* DESIGN.md "Entries", first example. */
static const char golden_venue[] = "sanilog-entry v1\n"
				   "venue k7m2q9xa\n"
				   "venue-seq 0\n"
				   "prev -\n"
				   "kind venue\n"
				   "name Bar Roma\n"
				   "address Via Roma 1, 00185 Roma\n"
				   "interval-days 30\n"
				   "logged 2026-11-25T12:00:00Z\n";

/* DESIGN.md "Entries", second example, with real hashes and an
 * attestation-shaped value (key hash 1a2b3c4d, signature 00 01 .. 3f). */
static const char golden_document[] =
	"sanilog-entry v1\n"
	"venue k7m2q9xa\n"
	"venue-seq 3\n"
	"prev " HASH_TEST "\n"
	"kind document\n"
	"type sanitization\n"
	"title Sanificazione ambienti con ozono\n"
	"performed 2026-11-20\n"
	"expires 2027-05-20\n"
	"provider cleanco.example\n"
	"doc " HASH_EMPTY " 482113 application/pdf\n"
	"attestation cleanco.example+1a2b3c4d " ATT_SIG "\n"
	"submitted-by owner\n"
	"logged 2026-11-25T12:00:00Z\n";

/* A document with none of the optional lines. */
static const char golden_document_min[] = "sanilog-entry v1\n"
					  "venue k7m2q9xa\n"
					  "venue-seq 1\n"
					  "prev " HASH_EMPTY "\n"
					  "kind document\n"
					  "type other\n"
					  "title Modulo\n"
					  "performed 2026-11-25\n"
					  "doc " HASH_TEST " 1 image/png\n"
					  "submitted-by operator\n"
					  "logged 2026-11-25T23:59:59Z\n";

/* A provider without attestation is free text. */
static const char golden_document_free[] =
	"sanilog-entry v1\n"
	"venue 23456789\n"
	"venue-seq 2\n"
	"prev " HASH_EMPTY "\n"
	"kind document\n"
	"type pest-control\n"
	"title Derattizzazione – «cucina» 🐀\n"
	"performed 2024-02-29\n"
	"expires 2024-02-29\n"
	"provider Ditta Rossi & Figli S.n.c.\n"
	"doc " HASH_TEST " 9007199254740991 image/jpeg\n"
	"submitted-by owner\n"
	"logged 2024-02-29T00:00:00Z\n";

static const char golden_revocation[] = "sanilog-entry v1\n"
					"venue k7m2q9xa\n"
					"venue-seq 4\n"
					"prev " HASH_TEST "\n"
					"kind revocation\n"
					"revokes 3\n"
					"reason Wrong venue\n"
					"submitted-by owner\n"
					"logged 2026-11-26T08:30:00Z\n";

static const char golden_provider_key[] = "sanilog-entry v1\n"
					  "kind provider-key\n"
					  "name cleanco.example\n"
					  "display-name CleanCo S.r.l.\n"
					  "vkey " VKEY_CLEANCO "\n"
					  "logged 2026-11-01T09:00:00Z\n";

static const char golden_provider_revoke[] = "sanilog-entry v1\n"
					     "kind provider-revoke\n"
					     "name cleanco.example\n"
					     "reason Key lost\n"
					     "logged 2026-12-01T09:00:00Z\n";

/* DESIGN.md "Entries": a witness policy, and its end. */
static const char golden_witness_policy[] =
	"sanilog-entry v1\n"
	"kind witness-policy\n"
	"quorum 2\n"
	"witness " WKEY1 " https://w1.witness.example\n"
	"witness " WKEY2 " http://127.0.0.1:8081/prefix?x=1\n"
	"logged 2026-12-07T12:00:00Z\n";

static const char golden_witness_policy_end[] = "sanilog-entry v1\n"
						"kind witness-policy\n"
						"quorum 0\n"
						"logged 2026-12-08T12:00:00Z\n";

/* A venue change with non-ASCII text and the extreme interval. */
static const char golden_venue_utf8[] = "sanilog-entry v1\n"
					"venue abcdefgh\n"
					"venue-seq 7\n"
					"prev " HASH_TEST "\n"
					"kind venue\n"
					"name Café «Ünïcödé» 日本 🍕\n"
					"address Straße 1, 10115 Berlin\n"
					"interval-days 3650\n"
					"logged 2000-02-29T23:59:59Z\n";

static const struct {
	const char *name;
	const char *text;
	enum entry_kind kind;
} goldens[] = {
	{"venue", golden_venue, ENTRY_VENUE},
	{"venue-utf8", golden_venue_utf8, ENTRY_VENUE},
	{"document", golden_document, ENTRY_DOCUMENT},
	{"document-min", golden_document_min, ENTRY_DOCUMENT},
	{"document-free", golden_document_free, ENTRY_DOCUMENT},
	{"revocation", golden_revocation, ENTRY_REVOCATION},
	{"provider-key", golden_provider_key, ENTRY_PROVIDER_KEY},
	{"provider-revoke", golden_provider_revoke, ENTRY_PROVIDER_REVOKE},
	{"witness-policy", golden_witness_policy, ENTRY_WITNESS_POLICY},
	{"witness-policy-end", golden_witness_policy_end, ENTRY_WITNESS_POLICY},
};

/* ---- helpers ---- */

/* A new copy of base with its first `from` replaced by to[0..tolen);
 * from NULL: base unchanged. */
static char *mutate(const char *base, const char *from, const char *to,
		    size_t tolen, size_t *len)
{
	size_t blen = strlen(base);
	char *out = malloc(blen + tolen + 1);
	assert_non_null(out);
	if (from == NULL) {
		memcpy(out, base, blen);
		*len = blen;
		return out;
	}
	const char *at = strstr(base, from);
	if (at == NULL)
		fail_msg("mutation source not found: \"%s\"", from);
	size_t pre = (size_t)(at - base);
	size_t flen = strlen(from);
	memcpy(out, base, pre);
	if (tolen > 0) /* to may be NULL then */
		memcpy(out + pre, to, tolen);
	/* at is not NULL past fail_msg, which does not return (cmocka 1.1.5
	 * does not say so to the analyzer). */
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
	memcpy(out + pre + tolen, at + flen, blen - pre - flen);
	*len = blen - flen + tolen;
	out[*len] = 0;
	return out;
}

static void expect_rejected(const char *name, const char *text, size_t len,
			    enum status want_st, const char *want)
{
	struct entry en;
	struct err e;
	memset(&e, 0, sizeof e);
	enum status st = entry_parse(text, len, &en, &e);
	if (st == ST_OK)
		fail_msg("case \"%s\": accepted", name);
	if (st != want_st)
		fail_msg("case \"%s\": status %s, want %s (%s)", name,
			 status_str(st), status_str(want_st), e.msg);
	if (want != NULL && strstr(e.msg, want) == NULL)
		fail_msg("case \"%s\": message \"%s\" lacks \"%s\"", name,
			 e.msg, want);
}

static void expect_accepted(const char *name, const char *text, size_t len,
			    struct entry *en)
{
	struct err e;
	memset(&e, 0, sizeof e);
	enum status st = entry_parse(text, len, en, &e);
	if (st != ST_OK)
		fail_msg("case \"%s\": rejected: %s", name, e.msg);
}

/* UTF-8 of cp into out (5 bytes); returns the length. */
static size_t utf8_encode(uint32_t cp, char *out)
{
	size_t n;
	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		out[0] = (char)(0xf0 | cp >> 18);
		out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	out[n] = 0;
	return n;
}

/* ---- golden texts ---- */

static void test_goldens_parse_and_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(goldens); i++) {
		struct entry en;
		struct buf b;
		struct err e;
		size_t len = strlen(goldens[i].text);

		expect_accepted(goldens[i].name, goldens[i].text, len, &en);
		assert_int_equal(en.kind, goldens[i].kind);
		buf_init(&b, ENTRY_MAX);
		if (entry_format(&en, &b, &e) != ST_OK)
			fail_msg("%s: format: %s", goldens[i].name, e.msg);
		assert_int_equal(b.len, len);
		assert_memory_equal(b.data, goldens[i].text, len);
		buf_free(&b);
	}
}

static void test_golden_venue_fields(void **state)
{
	struct entry en;
	(void)state;
	expect_accepted("venue", golden_venue, strlen(golden_venue), &en);
	assert_int_equal(en.kind, ENTRY_VENUE);
	assert_string_equal(en.venue, "k7m2q9xa");
	assert_int_equal(en.venue_seq, 0);
	assert_false(en.has_prev);
	assert_string_equal(en.name, "Bar Roma");
	assert_string_equal(en.address, "Via Roma 1, 00185 Roma");
	assert_int_equal(en.interval_days, 30);
	assert_string_equal(en.logged, "2026-11-25T12:00:00Z");
}

static void test_golden_document_fields(void **state)
{
	struct entry en;
	uint8_t prev[HASH_LEN], doc[HASH_LEN];
	(void)state;
	expect_accepted("document", golden_document, strlen(golden_document),
			&en);
	crypto_hash_sha256(prev, (const unsigned char *)"test", 4);
	crypto_hash_sha256(doc, (const unsigned char *)"", 0);
	assert_int_equal(en.kind, ENTRY_DOCUMENT);
	assert_string_equal(en.venue, "k7m2q9xa");
	assert_int_equal(en.venue_seq, 3);
	assert_true(en.has_prev);
	assert_memory_equal(en.prev, prev, HASH_LEN);
	assert_string_equal(en.type, "sanitization");
	assert_string_equal(en.title, "Sanificazione ambienti con ozono");
	assert_string_equal(en.performed, "2026-11-20");
	assert_string_equal(en.expires, "2027-05-20");
	assert_string_equal(en.provider, "cleanco.example");
	assert_memory_equal(en.doc_sha256, doc, HASH_LEN);
	assert_int_equal(en.doc_size, 482113);
	assert_string_equal(en.doc_mime, "application/pdf");
	assert_string_equal(en.attestation,
			    "cleanco.example+1a2b3c4d " ATT_SIG);
	assert_string_equal(en.submitted_by, "owner");
	assert_string_equal(en.logged, "2026-11-25T12:00:00Z");

	expect_accepted("document-min", golden_document_min,
			strlen(golden_document_min), &en);
	assert_string_equal(en.expires, "");
	assert_string_equal(en.provider, "");
	assert_string_equal(en.attestation, "");
	assert_int_equal(en.doc_size, 1);
	assert_string_equal(en.doc_mime, "image/png");
	assert_string_equal(en.submitted_by, "operator");
}

static void test_golden_other_fields(void **state)
{
	struct entry en;
	(void)state;
	expect_accepted("revocation", golden_revocation,
			strlen(golden_revocation), &en);
	assert_int_equal(en.kind, ENTRY_REVOCATION);
	assert_int_equal(en.venue_seq, 4);
	assert_int_equal(en.revokes, 3);
	assert_string_equal(en.reason, "Wrong venue");
	assert_string_equal(en.submitted_by, "owner");

	expect_accepted("provider-key", golden_provider_key,
			strlen(golden_provider_key), &en);
	assert_int_equal(en.kind, ENTRY_PROVIDER_KEY);
	assert_string_equal(en.name, "cleanco.example");
	assert_string_equal(en.display_name, "CleanCo S.r.l.");
	assert_string_equal(en.vkey, VKEY_CLEANCO);
	assert_string_equal(en.venue, "");

	expect_accepted("provider-revoke", golden_provider_revoke,
			strlen(golden_provider_revoke), &en);
	assert_int_equal(en.kind, ENTRY_PROVIDER_REVOKE);
	assert_string_equal(en.name, "cleanco.example");
	assert_string_equal(en.reason, "Key lost");
	assert_string_equal(en.logged, "2026-12-01T09:00:00Z");

	expect_accepted("witness-policy", golden_witness_policy,
			strlen(golden_witness_policy), &en);
	assert_int_equal(en.kind, ENTRY_WITNESS_POLICY);
	assert_int_equal(en.quorum, 2);
	assert_int_equal(en.nwitnesses, 2);
	assert_string_equal(en.witnesses[0].text, WKEY1);
	assert_string_equal(en.witnesses[0].text + en.witnesses[0].url,
			    "https://w1.witness.example");
	assert_string_equal(en.witnesses[1].text, WKEY2);
	assert_string_equal(en.witnesses[1].text + en.witnesses[1].url,
			    "http://127.0.0.1:8081/prefix?x=1");
	assert_string_equal(en.venue, "");
	assert_string_equal(en.name, "");
	assert_string_equal(en.logged, "2026-12-07T12:00:00Z");

	expect_accepted("witness-policy-end", golden_witness_policy_end,
			strlen(golden_witness_policy_end), &en);
	assert_int_equal(en.kind, ENTRY_WITNESS_POLICY);
	assert_int_equal(en.quorum, 0);
	assert_int_equal(en.nwitnesses, 0);
}

/* Structs built by hand format to the golden bytes. */
static void test_format_from_struct(void **state)
{
	struct entry en;
	struct buf b;
	struct err e;
	(void)state;

	memset(&en, 0, sizeof en);
	en.kind = ENTRY_VENUE;
	memcpy(en.venue, "k7m2q9xa", 9);
	en.venue_seq = 0;
	en.has_prev = false;
	snprintf(en.name, sizeof en.name, "%s", "Bar Roma");
	snprintf(en.address, sizeof en.address, "%s", "Via Roma 1, 00185 Roma");
	en.interval_days = INTERVAL_DAYS_DEFAULT;
	snprintf(en.logged, sizeof en.logged, "%s", "2026-11-25T12:00:00Z");
	/* fields of other kinds are ignored */
	snprintf(en.title, sizeof en.title, "%s", "ignored\nkind x");
	buf_init(&b, ENTRY_MAX);
	if (entry_format(&en, &b, &e) != ST_OK)
		fail_msg("venue: %s", e.msg);
	assert_string_equal(buf_str(&b), golden_venue);
	buf_free(&b);

	memset(&en, 0x5a, sizeof en); /* garbage in unused fields */
	en.kind = ENTRY_DOCUMENT;
	memcpy(en.venue, "k7m2q9xa", 9);
	en.venue_seq = 3;
	en.has_prev = true;
	crypto_hash_sha256(en.prev, (const unsigned char *)"test", 4);
	snprintf(en.type, sizeof en.type, "%s", "sanitization");
	snprintf(en.title, sizeof en.title, "%s",
		 "Sanificazione ambienti con ozono");
	snprintf(en.performed, sizeof en.performed, "%s", "2026-11-20");
	snprintf(en.expires, sizeof en.expires, "%s", "2027-05-20");
	snprintf(en.provider, sizeof en.provider, "%s", "cleanco.example");
	crypto_hash_sha256(en.doc_sha256, (const unsigned char *)"", 0);
	en.doc_size = 482113;
	snprintf(en.doc_mime, sizeof en.doc_mime, "%s", "application/pdf");
	snprintf(en.attestation, sizeof en.attestation, "%s",
		 "cleanco.example+1a2b3c4d " ATT_SIG);
	snprintf(en.submitted_by, sizeof en.submitted_by, "%s", "owner");
	snprintf(en.logged, sizeof en.logged, "%s", "2026-11-25T12:00:00Z");
	/* a terminated garbage string in an unused field is fine too */
	en.reason[0] = 0;
	en.display_name[0] = 0;
	en.vkey[0] = 0;
	en.name[0] = 0;
	en.address[0] = 0;
	buf_init(&b, ENTRY_MAX);
	if (entry_format(&en, &b, &e) != ST_OK)
		fail_msg("document: %s", e.msg);
	assert_string_equal(buf_str(&b), golden_document);

	/* optional lines are left out when empty; format appends */
	en.expires[0] = 0;
	en.attestation[0] = 0;
	snprintf(en.provider, sizeof en.provider, "%s", "Ditta Rossi");
	if (entry_format(&en, &b, &e) != ST_OK)
		fail_msg("document: %s", e.msg);
	assert_memory_equal(b.data, golden_document, strlen(golden_document));
	const char *second = buf_str(&b) + strlen(golden_document);
	assert_null(strstr(second, "expires"));
	assert_null(strstr(second, "attestation"));
	assert_non_null(strstr(second, "\nprovider Ditta Rossi\ndoc "));
	buf_free(&b);
}

/* format -> parse -> format for every golden, and parse(format(x)) == x. */
static void test_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(goldens); i++) {
		struct entry a, b2;
		struct buf t1, t2;
		struct err e;
		expect_accepted(goldens[i].name, goldens[i].text,
				strlen(goldens[i].text), &a);
		buf_init(&t1, ENTRY_MAX);
		buf_init(&t2, ENTRY_MAX);
		assert_int_equal(entry_format(&a, &t1, &e), ST_OK);
		assert_int_equal(
			entry_parse((const char *)t1.data, t1.len, &b2, &e),
			ST_OK);
		assert_memory_equal(&a, &b2, sizeof a); /* both zeroed first */
		assert_int_equal(entry_format(&b2, &t2, &e), ST_OK);
		assert_int_equal(t1.len, t2.len);
		assert_memory_equal(t1.data, t2.data, t1.len);
		buf_free(&t1);
		buf_free(&t2);
	}
}

/* ---- hostile inputs ---- */

#define V  golden_venue
#define D  golden_document
#define R  golden_revocation
#define PK golden_provider_key
#define PR golden_provider_revoke
#define WP golden_witness_policy
#define WE golden_witness_policy_end
#define W1 "witness " WKEY1 " https://w1.witness.example\n"

static const struct bad_case {
	const char *name;
	const char *base;
	const char *from; /* NULL: base as it is */
	const char *to;
	size_t tolen;	  /* 0: strlen(to) */
	const char *want; /* in the error message */
} bad_cases[] = {
	/* framing */
	{"empty", "", NULL, NULL, 0, "empty entry"},
	{"only first line", "sanilog-entry v1\n", NULL, NULL, 0,
	 "no lines after"},
	{"truncated", V, "00Z\n", "00Z", 0, "line 9: no newline"},
	{"truncated mid-line", V,
	 "interval-days 30\nlogged 2026-11-25T12:00:00Z\n",
	 "interval-days 30\nlogged 2026-11", 0, "line 9: no newline"},
	{"no newline at all", "sanilog-entry v1", NULL, NULL, 0,
	 "line 1: no newline"},
	{"CRLF first line", V, "v1\n", "v1\r\n", 0, "line 1: not"},
	{"CRLF a line", V, "Roma\n", "Roma\r\n", 0,
	 "line 6: name: contains a control character (U+000D)"},
	{"CRLF last line", V, "00Z\n", "00Z\r\n", 0, "line 9: logged"},
	{"LF then CR", V, "Bar Roma\n", "Bar Roma\n\r", 0, "line 7"},
	{"bare CR separator", V, "prev -\nkind", "prev -\rkind", 0, "line 4"},
	{"wrong version", V, "v1", "v2", 0, "line 1: not"},
	{"wrong magic case", V, "sanilog", "Sanilog", 0, "line 1"},
	{"magic trailing space", V, "v1\n", "v1 \n", 0, "line 1"},
	{"magic with BOM", V, "sanilog", "\xef\xbb\xbfsanilog", 0, "line 1"},
	{"no magic", V, "sanilog-entry v1\n", "", 0, "line 1"},
	{"magic twice", V, "v1\n", "v1\nsanilog-entry v1\n", 0,
	 "line 2: unknown key"},
	{"empty line", V, "kind venue\n", "kind venue\n\n", 0,
	 "line 6: empty line"},
	{"empty last line", V, "00Z\n", "00Z\n\n", 0, "line 10: empty line"},
	{"empty line after magic", V, "v1\n", "v1\n\n", 0,
	 "line 2: empty line"},
	{"one line too many", D, "owner\n", "owner\nsubmitted-by owner\n", 0,
	 "line 14: submitted-by: duplicate"},
	{"two lines too many", D, "owner\n",
	 "owner\nsubmitted-by owner\nsubmitted-by owner\n", 0,
	 "line 16: too many lines"},

	/* keys and order */
	{"venue lines reordered", V, "venue k7m2q9xa\nvenue-seq 0\n",
	 "venue-seq 0\nvenue k7m2q9xa\n", 0, "line 2: venue-seq: out of order"},
	{"kind first in venue entry", V,
	 "venue k7m2q9xa\nvenue-seq 0\nprev -\nkind venue\n",
	 "kind venue\nvenue k7m2q9xa\nvenue-seq 0\nprev -\n", 0,
	 "line 2: kind: out of order (expected venue)"},
	{"name after address", V,
	 "name Bar Roma\naddress Via Roma 1, 00185 Roma\n",
	 "address Via Roma 1, 00185 Roma\nname Bar Roma\n", 0, "out of order"},
	{"logged not last", V,
	 "interval-days 30\nlogged 2026-11-25T12:00:00Z\n",
	 "logged 2026-11-25T12:00:00Z\ninterval-days 30\n", 0,
	 "line 8: logged: out of order (expected interval-days)"},
	{"expires after provider", D,
	 "expires 2027-05-20\nprovider cleanco.example\n",
	 "provider cleanco.example\nexpires 2027-05-20\n", 0,
	 "line 10: expires: out of order"},
	{"attestation before doc", D,
	 "doc " HASH_EMPTY " 482113 application/pdf\n"
	 "attestation cleanco.example+1a2b3c4d " ATT_SIG "\n",
	 "attestation cleanco.example+1a2b3c4d " ATT_SIG "\n"
	 "doc " HASH_EMPTY " 482113 application/pdf\n",
	 0, "line 11: attestation: out of order (expected doc)"},
	{"provider-key kind not first", PK,
	 "kind provider-key\nname cleanco.example\n",
	 "name cleanco.example\nkind provider-key\n", 0,
	 "line 2: name: out of order (expected kind)"},
	{"duplicate name", V, "name Bar Roma\n",
	 "name Bar Roma\nname Bar Roma\n", 0,
	 "line 7: name: duplicate (first on line 6)"},
	{"duplicate interval", V, "interval-days 30\n",
	 "interval-days 30\ninterval-days 30\n", 0, "duplicate"},
	{"duplicate logged", V, "00Z\n", "00Z\nlogged 2026-11-25T12:00:00Z\n",
	 0, "line 10: logged: duplicate"},
	{"duplicate kind", V, "kind venue\n", "kind venue\nkind venue\n", 0,
	 "duplicate"},
	{"duplicate optional", D, "expires 2027-05-20\n",
	 "expires 2027-05-20\nexpires 2027-05-20\n", 0, "duplicate"},
	{"unknown key", V, "Roma\n", "Roma\ncolour red\n", 0,
	 "line 7: unknown key \"colour\""},
	{"unknown key unprintable", V, "Roma\n", "Roma\nco\x01lour red\n", 0,
	 "line 7: unknown key"},
	{"uppercase key", V, "name Bar", "Name Bar", 0, "unknown key \"Name\""},
	{"key with colon", V, "name Bar", "name: Bar", 0, "unknown key"},
	{"tab separator", V, "name Bar", "name\tBar", 0, "unknown key"},
	{"key of another kind", V, "Roma\n", "Roma\ntitle Hello\n", 0,
	 "line 7: title: not a key of a venue entry"},
	{"venue line in provider-key", PK, "v1\n", "v1\nvenue k7m2q9xa\n", 0,
	 "venue: not a key of a provider-key entry"},
	{"missing address", V, "address Via Roma 1, 00185 Roma\n", "", 0,
	 "line 7: interval-days: out of order (expected address)"},
	{"missing logged", V, "logged 2026-11-25T12:00:00Z\n", "", 0,
	 "line 9: missing logged"},
	{"missing doc", D, "doc " HASH_EMPTY " 482113 application/pdf\n", "", 0,
	 "expected doc"},
	{"missing submitted-by", R, "submitted-by owner\n", "", 0,
	 "expected submitted-by"},
	{"missing kind", V, "kind venue\n", "", 0, "no kind line"},
	{"unknown kind", V, "kind venue", "kind shop", 0,
	 "line 5: kind: unknown kind"},
	{"kind uppercase", V, "kind venue", "kind Venue", 0, "unknown kind"},

	/* spaces and values */
	{"two spaces", V, "name Bar", "name  Bar", 0,
	 "line 6: name: leading space"},
	{"trailing space", V, "Bar Roma\n", "Bar Roma \n", 0,
	 "line 6: name: trailing space"},
	{"trailing space on number", V, "interval-days 30\n",
	 "interval-days 30 \n", 0, "trailing space"},
	{"empty value", V, "name Bar Roma", "name ", 0,
	 "line 6: name: empty value"},
	{"no value", V, "name Bar Roma", "name", 0, "line 6: name: no value"},
	{"leading space on line", V, "name Bar", " name Bar", 0,
	 "line 6: starts with a space"},
	{"value 201 bytes", D, "title Sanificazione ambienti con ozono",
	 "title " A200 "a", 0,
	 "line 7: title: value is 201 bytes, more than 200"},
	{"value 201 bytes multibyte", V, "name Bar Roma",
	 "name " A100 A100 "\xc3\xa9", 0, "value is 202 bytes"},
	{"vkey 301 bytes", PK, "vkey " VKEY_CLEANCO, "vkey " A300 "a", 0,
	 "line 5: vkey: value is 301 bytes, more than 300"},
	{"name 201 bytes in provider-key", PK, "name cleanco.example",
	 "name " A200 "a", 0, "more than 200"},
	{"NUL in value", V, "Bar Roma", "Bar\0Roma", 8,
	 "line 6: name: contains a control character (U+0000)"},
	{"TAB in value", V, "Bar Roma", "Bar\tRoma", 0, "U+0009"},
	{"DEL in value", V, "Bar Roma", "Bar\x7fRoma", 0, "U+007F"},
	{"ESC in value", D, "ambienti", "\x1b[31mambienti", 0,
	 "line 7: title: contains a control character (U+001B)"},
	{"RLO in title", D, "ambienti",
	 /* NOLINTNEXTLINE(misc-misleading-bidirectional): the input */
	 "\xe2\x80\xae"
	 "ambienti",
	 0,
	 "line 7: title: contains a forbidden invisible or bidi character "
	 "(U+202E)"},
	{"overlong slash", V, "Bar Roma", "Bar\xc0\xafRoma", 0,
	 "line 6: name: not valid UTF-8 (byte 4)"},
	{"lone continuation", V, "Bar Roma", "Bar\x80Roma", 0, "UTF-8"},
	{"latin-1", V, "Bar Roma", "Caf\xe9 Roma", 0, "UTF-8"},

	/* numbers */
	{"seq leading zero", D, "venue-seq 3", "venue-seq 03", 0,
	 "line 3: venue-seq: not a canonical decimal"},
	{"seq plus", D, "venue-seq 3", "venue-seq +3", 0, "canonical"},
	{"seq minus", D, "venue-seq 3", "venue-seq -3", 0, "canonical"},
	{"seq hex", D, "venue-seq 3", "venue-seq 0x3", 0, "canonical"},
	{"seq 00", V, "venue-seq 0", "venue-seq 00", 0, "canonical"},
	{"seq over 2^53-1", D, "venue-seq 3", "venue-seq 9007199254740992", 0,
	 "canonical"},
	{"seq 20 digits", D, "venue-seq 3", "venue-seq 18446744073709551619", 0,
	 "canonical"},
	{"seq fullwidth digit", D, "venue-seq 3", "venue-seq \xef\xbc\x93", 0,
	 "canonical"},
	{"interval 0", V, "interval-days 30", "interval-days 0", 0,
	 "line 8: interval-days: not a canonical decimal from 1 to 3650"},
	{"interval 3651", V, "interval-days 30", "interval-days 3651", 0,
	 "1 to 3650"},
	{"interval leading zero", V, "interval-days 30", "interval-days 030", 0,
	 "1 to 3650"},
	{"interval plus", V, "interval-days 30", "interval-days +1", 0,
	 "1 to 3650"},
	{"interval decimal point", V, "interval-days 30", "interval-days 30.0",
	 0, "1 to 3650"},
	{"interval exponent", V, "interval-days 30", "interval-days 1e2", 0,
	 "1 to 3650"},
	{"interval huge", V, "interval-days 30", "interval-days 4294967326", 0,
	 "1 to 3650"},
	{"revokes leading zero", R, "revokes 3", "revokes 03", 0,
	 "line 6: revokes: not a canonical decimal"},
	{"revokes plus", R, "revokes 3", "revokes +1", 0, "canonical"},
	{"revokes itself", R, "revokes 3", "revokes 4", 0,
	 "line 6: revokes: not an earlier document"},
	{"revokes later", R, "revokes 3", "revokes 9", 0, "not an earlier"},
	{"revokes entry 0", R, "revokes 3", "revokes 0", 0, "not an earlier"},

	/* dates and times */
	{"feb 29 non-leap", D, "performed 2026-11-20", "performed 2026-02-29",
	 0, "line 8: performed: not a real date"},
	{"feb 29 in 2100", D, "expires 2027-05-20", "expires 2100-02-29", 0,
	 "line 9: expires: not a real date"},
	{"month 13", D, "performed 2026-11-20", "performed 2026-13-01", 0,
	 "not a real date"},
	{"month 00", D, "performed 2026-11-20", "performed 2026-00-10", 0,
	 "not a real date"},
	{"day 00", D, "performed 2026-11-20", "performed 2026-11-00", 0,
	 "not a real date"},
	{"april 31", D, "performed 2026-11-20", "performed 2026-04-31", 0,
	 "not a real date"},
	{"day 32", D, "performed 2026-11-20", "performed 2026-01-32", 0,
	 "not a real date"},
	{"short day", D, "performed 2026-11-20", "performed 2026-11-2", 0,
	 "not a real date"},
	{"slashes", D, "performed 2026-11-20", "performed 2026/11/20", 0,
	 "not a real date"},
	{"no dashes", D, "performed 2026-11-20", "performed 20261120", 0,
	 "not a real date"},
	{"date with time", D, "performed 2026-11-20",
	 "performed 2026-11-20T00:00:00Z", 0, "not a real date"},
	{"five-digit year", D, "expires 2027-05-20", "expires 12027-05-20", 0,
	 "not a real date"},
	{"signed year", D, "performed 2026-11-20", "performed +026-11-20", 0,
	 "not a real date"},
	{"expires before performed", D, "expires 2027-05-20",
	 "expires 2026-11-19", 0, "line 9: expires: before performed"},
	{"performed after logged", D, "performed 2026-11-20",
	 "performed 2026-11-26", 0,
	 "line 8: performed: after the date of logged"},
	{"performed next year", golden_document_min, "performed 2026-11-25",
	 "performed 2027-01-01", 0, "after the date of logged"},
	{"logged fractional", V, "12:00:00Z", "12:00:00.000Z", 0,
	 "line 9: logged: not a real time"},
	{"logged offset", V, "12:00:00Z", "12:00:00+00:00", 0,
	 "not a real time"},
	{"logged offset Z and more", V, "12:00:00Z", "12:00:00Z+01:00", 0,
	 "not a real time"},
	{"logged lowercase z", V, "12:00:00Z", "12:00:00z", 0,
	 "not a real time"},
	{"logged lowercase t", V, "25T12", "25t12", 0, "not a real time"},
	{"logged space", V, "25T12", "25 12", 0, "not a real time"},
	{"logged no seconds", V, "12:00:00Z", "12:00Z", 0, "not a real time"},
	{"logged hour 24", V, "12:00:00Z", "24:00:00Z", 0, "not a real time"},
	{"logged minute 60", V, "12:00:00Z", "12:60:00Z", 0, "not a real time"},
	{"logged leap second", V, "12:00:00Z", "23:59:60Z", 0,
	 "not a real time"},
	{"logged bad date", V, "2026-11-25T", "2026-11-31T", 0,
	 "not a real time"},
	{"logged date only", V, "2026-11-25T12:00:00Z", "2026-11-25", 0,
	 "not a real time"},

	/* prev and venue-seq */
	{"prev uppercase", D, "prev 9f86d0", "prev 9F86D0", 0,
	 "line 4: prev: not 64 lowercase hex digits"},
	{"prev 63 digits", D, "prev " HASH_TEST,
	 "prev 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0",
	 0, "prev: not 64"},
	{"prev 65 digits", D, "prev " HASH_TEST, "prev " HASH_TEST "0", 0,
	 "prev: not 64"},
	{"prev dash at seq 3", D, "prev " HASH_TEST, "prev -", 0,
	 "line 4: prev: \"-\" is only for venue-seq 0"},
	{"prev dash at seq 1", golden_document_min, "prev " HASH_EMPTY,
	 "prev -", 0, "\"-\" is only for venue-seq 0"},
	{"prev hash at seq 0", V, "prev -", "prev " HASH_TEST, 0,
	 "line 4: prev: must be \"-\" at venue-seq 0"},
	{"prev double dash", V, "prev -", "prev --", 0, "prev: not 64"},
	{"document at seq 0", D, "venue-seq 3\nprev " HASH_TEST "\n",
	 "venue-seq 0\nprev -\n", 0,
	 "line 5: kind: venue-seq 0 must be kind venue"},

	/* venue ids */
	{"venue id with l", V, "k7m2q9xa", "k7m2q9xl", 0,
	 "line 2: venue: not a venue id"},
	{"venue id with 0", V, "k7m2q9xa", "k7m2q9x0", 0, "not a venue id"},
	{"venue id with 1", V, "k7m2q9xa", "k7m2q9x1", 0, "not a venue id"},
	{"venue id with o", V, "k7m2q9xa", "k7m2q9xo", 0, "not a venue id"},
	{"venue id uppercase", V, "k7m2q9xa", "K7M2Q9XA", 0, "not a venue id"},
	{"venue id short", V, "k7m2q9xa", "k7m2q9x", 0, "not a venue id"},
	{"venue id long", V, "k7m2q9xa", "k7m2q9xaa", 0, "not a venue id"},

	/* doc */
	{"doc size 0", D, " 482113 ", " 0 ", 0,
	 "line 11: doc: size is not a canonical decimal of at least 1"},
	{"doc size leading zero", D, " 482113 ", " 0482113 ", 0, "size"},
	{"doc size negative", D, " 482113 ", " -1 ", 0, "size"},
	{"doc size over 2^53-1", D, " 482113 ", " 9007199254740992 ", 0,
	 "size"},
	{"doc two spaces", D, " 482113 ", "  482113 ", 0, "doc: size"},
	{"doc two spaces before type", D, " 482113 ", " 482113  ", 0,
	 "doc: type"},
	{"doc bad mime", D, "application/pdf", "application/PDF", 0,
	 "line 11: doc: type is not application/pdf, image/png or image/jpeg"},
	{"doc gif", D, "application/pdf", "image/gif", 0, "doc: type"},
	{"doc html", D, "application/pdf", "text/html", 0, "doc: type"},
	{"doc mime with params", D, "application/pdf",
	 "application/pdf; charset=x", 0, "doc: type"},
	{"doc no mime", D, " 482113 application/pdf", " 482113", 0, "doc: not"},
	{"doc uppercase hash", D, "doc e3b0c4", "doc E3B0C4", 0, "doc: not"},
	{"doc short hash", D, "doc " HASH_EMPTY, "doc " HASH_TEST "0", 0,
	 "doc: not"},

	/* type, submitted-by */
	{"type unknown", D, "type sanitization", "type cleaning", 0,
	 "line 6: type: unknown document type"},
	{"type capitalized", D, "type sanitization", "type Sanitization", 0,
	 "unknown document type"},
	{"submitted-by admin", D, "submitted-by owner", "submitted-by admin", 0,
	 "line 13: submitted-by: not \"owner\" or \"operator\""},
	{"submitted-by Owner", R, "submitted-by owner", "submitted-by Owner", 0,
	 "submitted-by: not"},

	/* attestation and provider */
	{"attestation without provider", D, "provider cleanco.example\n", "", 0,
	 "line 11: attestation: present without a provider line"},
	{"provider mismatch", D, "provider cleanco.example",
	 "provider other.example", 0,
	 "line 12: attestation: key name is not "
	 "the provider"},
	{"provider prefix of name", D, "provider cleanco.example",
	 "provider cleanco", 0, "not the provider"},
	{"attestation hash uppercase", D, "+1a2b3c4d", "+1A2B3C4D", 0,
	 "attestation: key hash is not 8 lowercase hex digits"},
	{"attestation hash short", D, "+1a2b3c4d", "+1a2b3c4", 0, "key hash"},
	{"attestation hash mismatch", D, "+1a2b3c4d", "+1a2b3c4e", 0,
	 "key hash differs"},
	{"attestation no plus", D, "cleanco.example+1a2b3c4d",
	 "cleanco.example-1a2b3c4d", 0, "attestation: not"},
	{"attestation no space", D, "1a2b3c4d " ATT_SIG, "1a2b3c4d+" ATT_SIG, 0,
	 "attestation: not"},
	{"attestation two spaces", D, "1a2b3c4d " ATT_SIG, "1a2b3c4d  " ATT_SIG,
	 0, "signature is not standard padded base64"},
	{"attestation unpadded", D, "Pj8=", "Pj8", 0, "base64"},
	{"attestation noncanonical", D, "Pj8=", "Pj9=", 0, "base64"},
	{"attestation short sig", D, "Pj8=", "", 0, "base64"},
	{"attestation url base64", D, "Gis8TQAB", "Gis8TQA-", 0, "base64"},
	{"attestation bad name", D, "attestation cleanco.example+",
	 "attestation clean\xc2\xa0"
	 "co+",
	 0, "key name"},
	{"attestation empty name", D, "attestation cleanco.example+",
	 "attestation +", 0, "key name"},

	/* provider keys */
	{"provider name with space", PK, "name cleanco.example",
	 "name clean co", 0, "line 3: name: not a valid signed-note key name"},
	{"provider name with plus", PK, "name cleanco.example", "name clean+co",
	 0, "not a valid signed-note key name"},
	{"provider name with NBSP", PK, "name cleanco.example",
	 "name clean\xc2\xa0"
	 "co",
	 0, "not a valid signed-note key name"},
	{"provider name with ideographic space", PK, "name cleanco.example",
	 "name clean\xe3\x80\x80"
	 "co",
	 0, "not a valid signed-note key name"},
	{"revoke name with space", PR, "name cleanco.example", "name clean co",
	 0, "not a valid signed-note key name"},
	{"vkey of another name", PK, "vkey " VKEY_CLEANCO, "vkey " VKEY_OTHER,
	 0, "line 5: vkey: key name is not the entry's name"},
	{"name not vkey's", PK, "name cleanco.example", "name other.example", 0,
	 "vkey: key name is not the entry's name"},
	{"vkey tampered hash", PK, "+d8e35011+", "+d8e35012+", 0,
	 "line 5: vkey"},
	{"vkey garbage", PK, "vkey " VKEY_CLEANCO, "vkey hello", 0,
	 "line 5: vkey"},
	{"vkey private key", PK, "vkey " VKEY_CLEANCO,
	 "vkey PRIVATE+KEY+" VKEY_CLEANCO, 0, "line 5: vkey"},
	{"provider-key missing display-name", PK,
	 "display-name CleanCo S.r.l.\n", "", 0, "expected display-name"},
	{"provider-revoke with vkey", PR, "Key lost\n",
	 "Key lost\nvkey " VKEY_CLEANCO "\n", 0,
	 "vkey: not a key of a provider-revoke entry"},

	/* witness-policy */
	{"quorum above the witnesses", WP, "quorum 2", "quorum 3", 0,
	 "line 3: quorum: 3 is more than the 2 witnesses"},
	{"quorum 0 with witnesses", WP, "quorum 2", "quorum 0", 0,
	 "line 3: quorum: 0 with witness lines"},
	{"quorum 1 without witnesses", WE, "quorum 0", "quorum 1", 0,
	 "line 3: quorum: 1 with no witness line"},
	{"quorum 11", WP, "quorum 2", "quorum 11", 0,
	 "line 3: quorum: not a canonical decimal from 0 to 10"},
	{"quorum 02", WP, "quorum 2", "quorum 02", 0,
	 "line 3: quorum: not a canonical decimal"},
	{"quorum -1", WP, "quorum 2", "quorum -1", 0,
	 "line 3: quorum: not a canonical decimal"},
	{"quorum missing", WP, "quorum 2\n", "", 0,
	 "line 3: witness: out of order (expected quorum)"},
	{"quorum after the witnesses", WP, "quorum 2\n" W1, W1 "quorum 2\n", 0,
	 "line 3: witness: out of order (expected quorum)"},
	{"quorum twice", WP, "quorum 2\n", "quorum 2\nquorum 2\n", 0,
	 "line 4: quorum: duplicate (first on line 3)"},
	{"witness after logged", WP, "00:00Z\n", "00:00Z\n" W1, 0,
	 "line 7: witness: out of order"},
	{"quorum after the witnesses, again", WP, "logged", "quorum 1\nlogged",
	 0, "line 6: quorum: duplicate (first on line 3)"},
	{"witness is a log's key", WP, "witness " WKEY2 " ",
	 "witness " WKEY2_LOG " ", 0,
	 "line 5: witness: witness verifier key: unknown algorithm 0x01"},
	{"witness key tampered", WP, "+e75f6532+", "+e75f6533+", 0,
	 "line 4: witness: witness verifier key: key hash e75f6533"},
	{"witness key garbage", WP, W1, "witness hello https://a\n", 0,
	 "line 4: witness: witness verifier key: no '+'"},
	{"witness without URL", WP, " https://w1.witness.example", "", 0,
	 "line 4: witness: not \"<vkey> <URL>\""},
	{"witness URL ftp", WP, "https://w1", "ftp://w1", 0,
	 "line 4: witness: URL is not http:// or https://"},
	{"witness URL upper case", WP, "https://w1", "HTTPS://w1", 0,
	 "line 4: witness: URL is not"},
	{"witness URL scheme only", WP, "https://w1.witness.example",
	 "https://", 0, "line 4: witness: URL is not"},
	{"witness URL with a space", WP, "https://w1.witness", "https://w1 .w",
	 0, "line 4: witness: URL is not"},
	{"witness URL two spaces", WP, " https://w1", "  https://w1", 0,
	 "line 4: witness: URL is not"},
	{"witness URL not ASCII", WP, "https://w1", "https://wé1", 0,
	 "line 4: witness: URL is not"},
	{"witness URL with a tab", WP, "https://w1", "https://w\t1", 0,
	 "line 4: witness: contains a control character (U+0009)"},
	{"witness same name", WP, "witness " WKEY2 " ",
	 "witness " WKEY1_OTHER " ", 0,
	 "line 5: witness: the name witness.example/w1 is already the witness "
	 "of line 4"},
	{"witness same key other name", WP, "witness " WKEY1 " ",
	 "witness " WKEY2_COPY " ", 0,
	 "line 5: witness: the key is already the witness's of line 4"},
	{"witness twice", WP, W1, W1 W1, 0,
	 "line 5: witness: the name witness.example/w1 is already"},
	{"witness in a provider-key", PK, "logged", W1 "logged", 0,
	 "line 6: witness: not a key of a provider-key entry"},
	{"venue in a witness-policy", WP, "kind", "venue k7m2q9xa\nkind", 0,
	 "line 2: venue: not a key of a witness-policy entry"},
	{"name in a witness-policy", WP, "quorum 2\n",
	 "quorum 2\nname w.example\n", 0,
	 "line 4: name: not a key of a witness-policy entry"},
	{"witness-policy without logged", WE, "logged 2026-12-08T12:00:00Z\n",
	 "", 0, "line 4: missing logged"},
	{"witness empty", WE, "logged", "witness \nlogged", 0,
	 "line 4: witness: empty value"},
};

static void test_hostile_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t tolen = c->to == NULL ? 0
			       : c->tolen    ? c->tolen
					     : strlen(c->to);
		size_t len = 0;
		char *text = mutate(c->base, c->from, c->to, tolen, &len);
		expect_rejected(c->name, text, len, ST_INVALID, c->want);
		free(text);
	}
}

/* Every forbidden code point, in a value of each kind of text field. */
static void test_forbidden_code_points(void **state)
{
	uint32_t cps[96];
	size_t n = 0;
	(void)state;
	for (uint32_t cp = 0; cp < 0x20; cp++)
		if (cp != '\n')
			cps[n++] = cp;
	cps[n++] = 0x7f;
	for (uint32_t cp = 0x80; cp <= 0x9f; cp++)
		cps[n++] = cp;
	for (uint32_t cp = 0x200b; cp <= 0x200f; cp++)
		cps[n++] = cp;
	for (uint32_t cp = 0x202a; cp <= 0x202e; cp++)
		cps[n++] = cp;
	for (uint32_t cp = 0x2066; cp <= 0x2069; cp++)
		cps[n++] = cp;
	cps[n++] = 0x2028;
	cps[n++] = 0x2029;
	cps[n++] = 0xfeff;
	assert_true(n <= ARRAY_LEN(cps));

	static const struct {
		const char *base;
		const char *from;
		const char *prefix; /* of the message */
	} places[] = {
		{golden_venue, "Bar Roma", "line 6: name: "},
		{golden_venue, "Via Roma", "line 7: address: "},
		{golden_document, "ambienti", "line 7: title: "},
		{golden_document_free, "Rossi", "line 10: provider: "},
		{golden_revocation, "Wrong venue", "line 7: reason: "},
		{golden_provider_key, "CleanCo", "line 4: display-name: "},
		{golden_provider_revoke, "Key lost", "line 4: reason: "},
	};
	for (size_t p = 0; p < ARRAY_LEN(places); p++) {
		for (size_t i = 0; i < n; i++) {
			char to[64], enc[5], name[96], want[128];
			size_t elen = utf8_encode(cps[i], enc);
			/* at the start, in the middle and at the end */
			for (int where = 0; where < 3; where++) {
				size_t flen = strlen(places[p].from);
				size_t tl = 0;
				if (where == 0) {
					memcpy(to, enc, elen);
					memcpy(to + elen, places[p].from, flen);
				} else if (where == 1) {
					memcpy(to, places[p].from, 1);
					memcpy(to + 1, enc, elen);
					memcpy(to + 1 + elen,
					       places[p].from + 1, flen - 1);
				} else {
					memcpy(to, places[p].from, flen);
					memcpy(to + flen, enc, elen);
				}
				tl = flen + elen;
				size_t len = 0;
				char *text =
					mutate(places[p].base, places[p].from,
					       to, tl, &len);
				snprintf(name, sizeof name,
					 "U+%04X in %s at %d", (unsigned)cps[i],
					 places[p].prefix, where);
				snprintf(want, sizeof want, "%s%s (U+%04X)",
					 places[p].prefix,
					 cps[i] < 0x100 ? "contains a control "
							  "character"
							: "contains a "
							  "forbidden "
							  "invisible or bidi "
							  "character",
					 (unsigned)cps[i]);
				expect_rejected(name, text, len, ST_INVALID,
						want);
				free(text);
			}
		}
	}

	/* a line feed inside a value splits the line */
	size_t len = 0;
	char *text = mutate(golden_venue, "Bar Roma", "Bar\nRoma", 8, &len);
	expect_rejected("LF in name", text, len, ST_INVALID,
			"line 7: unknown key \"Roma\"");
	free(text);
}

/* The neighbours of the forbidden ranges are allowed. */
static void test_allowed_code_points(void **state)
{
	static const uint32_t ok[] = {
		0x21,	0x7e,	0xa0,	 0xa1,	  0xff,	    0x100,
		0x7ff,	0x800,	0x200a,	 0x2010,  0x2027,   0x202f,
		0x2065, 0x206a, 0xd7ff,	 0xe000,  0xfefe,   0xff00,
		0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff,
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		char to[16], enc[5], name[32];
		struct entry en;
		size_t elen = utf8_encode(ok[i], enc);
		memcpy(to, "Bar", 3);
		memcpy(to + 3, enc, elen);
		memcpy(to + 3 + elen, "Roma", 4);
		size_t len = 0;
		char *text =
			mutate(golden_venue, "Bar Roma", to, elen + 7, &len);
		snprintf(name, sizeof name, "U+%04X", (unsigned)ok[i]);
		expect_accepted(name, text, len, &en);
		assert_memory_equal(en.name, to, elen + 7);
		free(text);
	}
}

static void test_invalid_utf8(void **state)
{
	static const struct {
		const char *name;
		const char *bytes;
	} bad[] = {
		{"C0 80 overlong NUL", "\xc0\x80"},
		{"C1 BF overlong", "\xc1\xbf"},
		{"E0 80 80 overlong", "\xe0\x80\x80"},
		{"E0 9F BF overlong", "\xe0\x9f\xbf"},
		{"F0 80 80 80 overlong", "\xf0\x80\x80\x80"},
		{"F0 8F BF BF overlong", "\xf0\x8f\xbf\xbf"},
		{"ED A0 80 surrogate", "\xed\xa0\x80"},
		{"ED BF BF surrogate", "\xed\xbf\xbf"},
		{"surrogate pair", "\xed\xa0\xbd\xed\xb8\x80"},
		{"F4 90 80 80 above 10FFFF", "\xf4\x90\x80\x80"},
		{"F5 lead", "\xf5\x80\x80\x80"},
		{"F8 lead", "\xf8\x88\x80\x80\x80"},
		{"FE", "\xfe"},
		{"FF", "\xff"},
		{"lone continuation", "\x80"},
		{"lone BF", "\xbf"},
		{"two-byte cut", "\xc3"},
		{"three-byte cut", "\xe2\x82"},
		{"four-byte cut", "\xf0\x9f\x98"},
		{"bad continuation", "\xc3\x28"},
		{"bad third byte", "\xe2\x82\x28"},
		{"bad fourth byte", "\xf0\x9f\x98\x28"},
		{"CESU-8 of U+1F600", "\xed\xa0\xbd\xed\xb8\x80"},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char to[32];
		size_t blen = strlen(bad[i].bytes);
		/* in the middle and at the very end of the value */
		for (int atend = 0; atend < 2; atend++) {
			size_t tl;
			if (atend) {
				memcpy(to, "Bar Roma", 8);
				memcpy(to + 8, bad[i].bytes, blen);
			} else {
				memcpy(to, "Bar", 3);
				memcpy(to + 3, bad[i].bytes, blen);
				memcpy(to + 3 + blen, "Roma", 5);
			}
			tl = blen + 8;
			size_t len = 0;
			char *text =
				mutate(golden_venue, "Bar Roma", to, tl, &len);
			expect_rejected(bad[i].name, text, len, ST_INVALID,
					"line 6: name: not valid UTF-8");
			free(text);
		}
	}
	/* in a key: unknown key; on the first line: not the magic */
	size_t len = 0;
	char *text =
		mutate(golden_venue, "name Bar", "n\xc3\xa1me Bar", 10, &len);
	expect_rejected("UTF-8 key", text, len, ST_INVALID,
			"line 6: unknown key");
	free(text);
	text = mutate(golden_venue, "v1", "v\xff", 2, &len);
	expect_rejected("bad first line", text, len, ST_INVALID, "line 1");
	free(text);
}

/* Lengths at and over the limits. */
static void test_limits(void **state)
{
	struct entry en;
	size_t len = 0;
	char *text;
	(void)state;

	/* a value of exactly 200 bytes, ASCII and multibyte */
	text = mutate(golden_document, "title Sanificazione ambienti con ozono",
		      "title " A200, 206, &len);
	expect_accepted("title 200", text, len, &en);
	assert_int_equal(strlen(en.title), 200);
	free(text);
	char euro[201];
	for (size_t i = 0; i + 3 <= 198; i += 3)
		memcpy(euro + i, "\xe2\x82\xac", 3);
	memcpy(euro + 198, "ab", 3);
	text = mutate(golden_venue, "Bar Roma", euro, 200, &len);
	expect_accepted("name 200 multibyte", text, len, &en);
	assert_string_equal(en.name, euro);
	free(text);
	/* a multibyte character straddling the limit */
	euro[198] = 'a';
	memcpy(euro + 199, "\xc3\xa9", 2);
	text = mutate(golden_venue, "Bar Roma", euro, 201, &len);
	expect_rejected("name 201 multibyte", text, len, ST_INVALID,
			"more than 200");
	free(text);

	/* a whole entry over 4096 bytes is refused before anything else */
	char big[ENTRY_MAX + 2];
	memset(big, 'x', sizeof big);
	memcpy(big, golden_venue, strlen(golden_venue));
	big[ENTRY_MAX] = '\n';
	expect_rejected("4097 bytes", big, ENTRY_MAX + 1, ST_TOO_LARGE,
			"more than 4096");
	/* 4096 bytes is not too large, just malformed here */
	big[ENTRY_MAX - 1] = '\n';
	expect_rejected("4096 bytes", big, ENTRY_MAX, ST_INVALID, "line 10");

	/* the longest entry that can be written fits (every value at 200) */
	struct buf b;
	struct err e;
	memset(&en, 0, sizeof en);
	expect_accepted("document", golden_document, strlen(golden_document),
			&en);
	memset(en.title, 'a', ENTRY_VALUE_MAX);
	en.title[ENTRY_VALUE_MAX] = 0;
	buf_init(&b, ENTRY_MAX);
	assert_int_equal(entry_format(&en, &b, &e), ST_OK);
	assert_true(b.len <= ENTRY_MAX);
	buf_free(&b);

	/* accepted extremes */
	text = mutate(golden_document, "venue-seq 3",
		      "venue-seq 9007199254740991", 26, &len);
	expect_accepted("seq 2^53-1", text, len, &en);
	assert_int_equal(en.venue_seq, 9007199254740991LL);
	free(text);
	text = mutate(golden_venue, "interval-days 30", "interval-days 1", 15,
		      &len);
	expect_accepted("interval 1", text, len, &en);
	assert_int_equal(en.interval_days, 1);
	free(text);
	text = mutate(golden_document, "expires 2027-05-20",
		      "expires 2026-11-20", 18, &len);
	expect_accepted("expires == performed", text, len, &en);
	free(text);
	text = mutate(golden_document, "performed 2026-11-20",
		      "performed 2026-11-25", 20, &len);
	expect_accepted("performed == logged date", text, len, &en);
	free(text);
	text = mutate(golden_document, "expires 2027-05-20",
		      "expires 9999-12-31", 18, &len);
	expect_accepted("expires 9999", text, len, &en);
	free(text);
	text = mutate(golden_revocation, "revokes 3", "revokes 1", 9, &len);
	expect_accepted("revokes 1", text, len, &en);
	free(text);
}

/* A witness-policy of the first n of wkeys, quorum q, the first witness's
 * URL url (the others "https://wN.example"), into out. */
static size_t policy_text(char *out, size_t size, int q, size_t n,
			  const char *url)
{
	struct buf b;
	char line[ENTRY_MAX];

	buf_init(&b, size - 1);
	snprintf(line, sizeof line,
		 "sanilog-entry v1\nkind witness-policy\nquorum %d\n", q);
	assert_int_equal(buf_append_str(&b, line), ST_OK);
	for (size_t i = 0; i < n; i++) {
		if (i == 0)
			snprintf(line, sizeof line, "witness %s %s\n", wkeys[i],
				 url);
		else
			snprintf(line, sizeof line,
				 "witness %s https://w%zu.example\n", wkeys[i],
				 i);
		assert_int_equal(buf_append_str(&b, line), ST_OK);
	}
	assert_int_equal(buf_append_str(&b, "logged 2026-12-07T12:00:00Z\n"),
			 ST_OK);
	memcpy(out, b.data, b.len);
	size_t len = b.len;
	buf_free(&b);
	return len;
}

static void test_witness_limits(void **state)
{
	char text[ENTRY_MAX + 1], url[ENTRY_WITNESS_MAX + 2];
	struct entry en, back;
	struct buf b;
	struct err e;
	size_t len;
	(void)state;

	/* 1 and 10 witnesses, quorum from 1 to their number */
	for (int q = 1; q <= 10; q++) {
		len = policy_text(text, sizeof text, q, 10, "https://w0");
		expect_accepted("10 witnesses", text, len, &en);
		assert_int_equal(en.nwitnesses, 10);
		assert_int_equal(en.quorum, q);
		assert_string_equal(en.witnesses[9].text, wkeys[9]);
		assert_string_equal(en.witnesses[9].text + en.witnesses[9].url,
				    "https://w9.example");
	}
	len = policy_text(text, sizeof text, 1, 1, "https://w0");
	expect_accepted("1 witness", text, len, &en);
	len = policy_text(text, sizeof text, 2, 1, "https://w0");
	expect_rejected("quorum 2 of 1", text, len, ST_INVALID,
			"line 3: quorum: 2 is more than the 1 witnesses");
	len = policy_text(text, sizeof text, 10, 11, "https://w0");
	expect_rejected("11 witnesses", text, len, ST_INVALID,
			"line 14: witness: more than 10 witnesses");

	/* a value of 350 bytes, the longest URL after a 64-byte key; u its
	 * length, and url one byte longer with url[u] = 'a' */
	const size_t u = ENTRY_WITNESS_MAX - 65;
	assert_int_equal(strlen(wkeys[0]), 64);
	memset(url, 0, sizeof url);
	memcpy(url, "https://", 8);
	memset(url + 8, 'a', u + 1 - 8);
	url[u] = 0;
	len = policy_text(text, sizeof text, 10, 10, url);
	expect_accepted("value 350", text, len, &en);
	assert_int_equal(strlen(en.witnesses[0].text + en.witnesses[0].url), u);
	/* the longest policy formats, within an entry */
	buf_init(&b, ENTRY_MAX);
	assert_int_equal(entry_format(&en, &b, &e), ST_OK);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.data, text, len);
	assert_int_equal(entry_parse(buf_str(&b), b.len, &back, &e), ST_OK);
	assert_memory_equal(&en, &back, sizeof en);
	buf_free(&b);
	url[u] = 'a';
	len = policy_text(text, sizeof text, 10, 10, url);
	expect_rejected("value 351", text, len, ST_INVALID,
			"line 4: witness: value is 351 bytes, more than 350");

	/* entry_witness_set keeps a value's worth */
	struct entry_witness w;
	url[u] = 0;
	assert_true(entry_witness_set(&w, wkeys[0], url));
	assert_string_equal(w.text, wkeys[0]);
	assert_string_equal(w.text + w.url, url);
	url[u] = 'a';
	assert_false(entry_witness_set(&w, wkeys[1], url));
	assert_string_equal(w.text, wkeys[0]); /* unaltered */
}

/* ---- entry_format refuses what would not parse back ---- */

static void test_format_rejects(void **state)
{
	struct entry good, en;
	struct buf b;
	struct err e;
	(void)state;

	expect_accepted("document", golden_document, strlen(golden_document),
			&good);
	buf_init(&b, ENTRY_MAX);
	assert_int_equal(buf_append_str(&b, "keep"), ST_OK);

#define TRY(label, edit, want)                                                 \
	do {                                                                   \
		en = good;                                                     \
		edit;                                                          \
		memset(&e, 0, sizeof e);                                       \
		if (entry_format(&en, &b, &e) == ST_OK)                        \
			fail_msg("format %s: accepted", label);                \
		if (strstr(e.msg, want) == NULL)                               \
			fail_msg("format %s: \"%s\" lacks \"%s\"", label,      \
				 e.msg, want);                                 \
		assert_int_equal(b.len, 4);                                    \
		assert_string_equal(buf_str(&b), "keep");                      \
	} while (0)

	TRY("newline in title",
	    snprintf(en.title, sizeof en.title, "%s", "x\nkind venue"),
	    "line 8");
	TRY("newline then a real key",
	    (en.expires[0] = 0, snprintf(en.title, sizeof en.title, "%s",
					 "x\nexpires 2027-05-20")),
	    "line 8: expires: out of order (expected performed)");
	TRY("newline in the last value",
	    snprintf(en.logged, sizeof en.logged, "%s", "2026-11-25\nx"),
	    "line 15: unknown key \"x\"");
	TRY("control in title", en.title[3] = '\t',
	    "line 7: title: contains a control character");
	TRY("empty title", en.title[0] = 0, "line 7: title: empty value");
	TRY("unterminated title", memset(en.title, 'a', sizeof en.title),
	    "not terminated");
	TRY("unterminated logged", memset(en.logged, '1', sizeof en.logged),
	    "not terminated");
	TRY("bad kind", en.kind = (enum entry_kind)99, "unknown kind");
	TRY("seq 0 with prev", en.venue_seq = 0, "venue-seq 0");
	TRY("no prev at seq 3", en.has_prev = false, "prev");
	TRY("negative seq", en.venue_seq = -1, "venue-seq: not a canonical");
	TRY("huge size", en.doc_size = INT64_MAX, "doc: size");
	TRY("size 0", en.doc_size = 0, "doc: size");
	TRY("bad mime",
	    snprintf(en.doc_mime, sizeof en.doc_mime, "%s", "image/gif"),
	    "doc: type");
	TRY("attestation without provider", en.provider[0] = 0,
	    "without a provider");
	TRY("expires before performed",
	    snprintf(en.expires, sizeof en.expires, "%s", "2020-01-01"),
	    "before performed");
	TRY("bad type", snprintf(en.type, sizeof en.type, "%s", "x"),
	    "unknown document type");
	TRY("bad submitter",
	    snprintf(en.submitted_by, sizeof en.submitted_by, "%s", "me"),
	    "submitted-by");
	TRY("bad venue", en.venue[0] = 'l', "not a venue id");
	TRY("title too long", memset(en.title, 'a', ENTRY_VALUE_MAX + 1),
	    "not terminated");
	TRY("space-padded title",
	    snprintf(en.title, sizeof en.title, "%s", " x"), "leading space");

	expect_accepted("venue", golden_venue, strlen(golden_venue), &good);
	TRY("interval 0", en.interval_days = 0, "interval-days");
	TRY("interval 3651", en.interval_days = 3651, "interval-days");
	TRY("interval -5", en.interval_days = -5, "interval-days");
	TRY("seq 0 with a prev", en.has_prev = true, "must be \"-\"");

	expect_accepted("provider-key", golden_provider_key,
			strlen(golden_provider_key), &good);
	TRY("provider name mismatch",
	    snprintf(en.name, sizeof en.name, "%s", "other.example"),
	    "vkey: key name is not the entry's name");

	expect_accepted("witness-policy", golden_witness_policy,
			strlen(golden_witness_policy), &good);
	TRY("11 witnesses", en.nwitnesses = 11, "witness: 11 witnesses");
	TRY("-1 witnesses", en.nwitnesses = -1, "witness: -1 witnesses");
	TRY("quorum 3 of 2", en.quorum = 3,
	    "line 3: quorum: 3 is more than the 2 witnesses");
	TRY("quorum 0 of 2", en.quorum = 0, "line 3: quorum: 0 with witness");
	TRY("no witness at quorum 2", en.nwitnesses = 0,
	    "quorum: 2 with no witness line");
	TRY("a log's key",
	    entry_witness_set(&en.witnesses[1], WKEY2_LOG, "https://w"),
	    "line 5: witness: witness verifier key: unknown algorithm 0x01");
	TRY("a bad URL",
	    entry_witness_set(&en.witnesses[0], WKEY1, "w1.example"),
	    "line 4: witness: URL is not");
	TRY("a URL with a newline",
	    entry_witness_set(&en.witnesses[0], WKEY1, "https://w\nkind x"),
	    "line 5: kind: duplicate");
	TRY("a key with a space",
	    entry_witness_set(&en.witnesses[0], "w.example https://a",
			      "https://w"),
	    "line 4: witness");
	TRY("the same witness twice", en.witnesses[1] = en.witnesses[0],
	    "line 5: witness: the name witness.example/w1 is already");
	TRY("unterminated witness",
	    memset(en.witnesses[1].text, 'a', sizeof en.witnesses[1].text),
	    "not terminated");
	TRY("URL past the text", en.witnesses[0].url = ENTRY_WITNESS_MAX + 1,
	    "not terminated");
	TRY("URL at 0", en.witnesses[0].url = 0, "not terminated");
	TRY("URL inside the key", en.witnesses[0].url = 5, "not terminated");
#undef TRY
	buf_free(&b);
}

/* ---- helpers of entry.h ---- */

static void test_check_value(void **state)
{
	struct err e;
	(void)state;
	assert_int_equal(entry_check_value("title", "ok", 200, &e), ST_OK);
	assert_int_equal(entry_check_value("title", "Caf\xc3\xa9", 5, &e),
			 ST_OK);
	assert_int_equal(entry_check_value("title", "Caf\xc3\xa9", 4, &e),
			 ST_INVALID);
	assert_non_null(strstr(e.msg, "title: value is 5 bytes, more than 4"));
	assert_int_equal(entry_check_value("title", "", 200, &e), ST_INVALID);
	assert_string_equal(e.msg, "title: empty value");
	assert_int_equal(entry_check_value("name", " a", 200, &e), ST_INVALID);
	assert_string_equal(e.msg, "name: leading space");
	assert_int_equal(entry_check_value("name", "a ", 200, &e), ST_INVALID);
	assert_string_equal(e.msg, "name: trailing space");
	assert_int_equal(entry_check_value("x",
					   "a\xe2\x80\x8b"
					   "b",
					   200, &e),
			 ST_INVALID);
	assert_non_null(strstr(e.msg, "U+200B"));
	assert_int_equal(entry_check_value("x", "a\rb", 200, &e), ST_INVALID);
	assert_int_equal(entry_check_value("x",
					   "a\xc2\x85"
					   "b",
					   200, &e),
			 ST_INVALID);
	assert_int_equal(entry_check_value("x", "\xed\xa0\x80", 200, &e),
			 ST_INVALID);
	assert_int_equal(entry_check_value("x", "a", 200, NULL), ST_OK);
	assert_int_equal(entry_check_value("x", "", 200, NULL), ST_INVALID);
}

static void test_dates(void **state)
{
	static const char *const good[] = {
		"2026-11-25", "2024-02-29", "2000-02-29", "1970-01-01",
		"0000-02-29", "9999-12-31", "2026-01-31", "2026-04-30",
	};
	static const char *const bad[] = {
		"2026-02-29", "1900-02-29", "2100-02-29",  "2026-13-01",
		"2026-00-01", "2026-01-00", "2026-04-31",  "2026-1-01",
		"2026-01-1",  "26-01-01",   "2026-01-01 ", "2026-01-01Z",
		"2026_01_01", "",	    "x",	   "2026-0a-01",
		"-026-01-01",
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(good); i++)
		if (!entry_date_valid(good[i]))
			fail_msg("date %s rejected", good[i]);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		if (entry_date_valid(bad[i]))
			fail_msg("date \"%s\" accepted", bad[i]);

	assert_int_equal(entry_date_days("1970-01-01"), 0);
	assert_int_equal(entry_date_days("1970-01-02"), 1);
	assert_int_equal(entry_date_days("1969-12-31"), -1);
	assert_int_equal(entry_date_days("2000-03-01"), 11017);
	assert_int_equal(entry_date_days("2026-11-25"), 20782);
	assert_int_equal(entry_time_seconds("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(entry_time_seconds("2026-11-25T09:00:00Z"),
			 1795597200);
	assert_int_equal(entry_time_seconds("1969-12-31T23:59:59Z"), -1);
	assert_int_equal(entry_date_days("0001-01-01"), -719162);
	assert_int_equal(entry_date_days("9999-12-31"), 2932896);
	assert_int_equal(entry_date_days("2024-03-01") -
				 entry_date_days("2024-02-28"),
			 2);
	assert_int_equal(entry_date_days("2100-03-01") -
				 entry_date_days("2100-02-28"),
			 1);

	/* entry_days_date is its inverse over every day of the years 0001
	 * to 9999, and gives "" outside them. */
	char d[11];
	for (int64_t n = entry_date_days("0001-01-01");
	     n <= entry_date_days("9999-12-31"); n++) {
		entry_days_date(n, d);
		if (!entry_date_valid(d) || entry_date_days(d) != n)
			fail_msg("day %lld gave \"%s\"", (long long)n, d);
	}
	entry_days_date(entry_date_days("2024-02-28") + 1, d);
	assert_string_equal(d, "2024-02-29");
	entry_days_date(entry_date_days("9999-12-31") + 1, d);
	assert_string_equal(d, "");
	entry_days_date(entry_date_days("0000-01-01") - 1, d);
	assert_string_equal(d, "");
}

static void test_times(void **state)
{
	static const char *const good[] = {
		"2026-11-25T12:00:00Z",
		"2026-11-25T00:00:00Z",
		"2026-11-25T23:59:59Z",
		"2024-02-29T10:11:12Z",
	};
	static const char *const bad[] = {
		"2026-11-25T24:00:00Z",
		"2026-11-25T12:60:00Z",
		"2026-11-25T12:00:60Z",
		"2026-11-25T12:00:00",
		"2026-11-25T12:00:00z",
		"2026-11-25t12:00:00Z",
		"2026-11-25 12:00:00Z",
		"2026-11-25T12:00:00.0Z",
		"2026-11-25T12:00:00+00:00",
		"2026-11-25T1:00:00Z",
		"2026-02-29T12:00:00Z",
		"2026-11-25T12:00:00ZZ",
		"2026-11-25T12-00-00Z",
		"2026-11-25T12:0a:00Z",
		"",
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(good); i++)
		if (!entry_time_valid(good[i]))
			fail_msg("time %s rejected", good[i]);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		if (entry_time_valid(bad[i]))
			fail_msg("time \"%s\" accepted", bad[i]);
}

static void test_small_helpers(void **state)
{
	(void)state;
	assert_true(entry_venue_id_valid("k7m2q9xa"));
	assert_true(entry_venue_id_valid("abcdefgh"));
	assert_true(entry_venue_id_valid("23456789"));
	assert_false(entry_venue_id_valid("k7m2q9x"));
	assert_false(entry_venue_id_valid("k7m2q9xaa"));
	assert_false(entry_venue_id_valid("k7m2q9xl"));
	assert_false(entry_venue_id_valid("k7m2q9xo"));
	assert_false(entry_venue_id_valid("k7m2q9x0"));
	assert_false(entry_venue_id_valid("k7m2q9x1"));
	assert_false(entry_venue_id_valid("K7M2Q9XA"));
	assert_false(entry_venue_id_valid(""));

	static const char *const types[] = {
		"sanitization", "disinfection", "pest-control", "hvac",
		"water",	"protocol",	"form",		"other",
	};
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		assert_true(entry_type_valid(types[i]));
	assert_false(entry_type_valid("Sanitization"));
	assert_false(entry_type_valid("sanitization "));
	assert_false(entry_type_valid(""));
	assert_false(entry_type_valid(NULL));

	assert_true(entry_mime_valid("application/pdf"));
	assert_true(entry_mime_valid("image/png"));
	assert_true(entry_mime_valid("image/jpeg"));
	assert_false(entry_mime_valid("image/jpg"));
	assert_false(entry_mime_valid("image/gif"));
	assert_false(entry_mime_valid("IMAGE/PNG"));
	assert_false(entry_mime_valid(""));
	assert_false(entry_mime_valid(NULL));

	assert_string_equal(entry_kind_str(ENTRY_VENUE), "venue");
	assert_string_equal(entry_kind_str(ENTRY_DOCUMENT), "document");
	assert_string_equal(entry_kind_str(ENTRY_REVOCATION), "revocation");
	assert_string_equal(entry_kind_str(ENTRY_PROVIDER_KEY), "provider-key");
	assert_string_equal(entry_kind_str(ENTRY_PROVIDER_REVOKE),
			    "provider-revoke");
	assert_string_equal(entry_kind_str(ENTRY_WITNESS_POLICY),
			    "witness-policy");
	assert_false(entry_kind_global(ENTRY_VENUE));
	assert_false(entry_kind_global(ENTRY_DOCUMENT));
	assert_false(entry_kind_global(ENTRY_REVOCATION));
	assert_true(entry_kind_global(ENTRY_PROVIDER_KEY));
	assert_true(entry_kind_global(ENTRY_PROVIDER_REVOKE));
	assert_true(entry_kind_global(ENTRY_WITNESS_POLICY));

	static const char *const urls_ok[] = {
		"http://a",
		"https://a",
		"https://w1.example:8443/p?x=1#f",
		"http://[::1]:80/~",
		"https://!\"$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
	};
	for (size_t i = 0; i < ARRAY_LEN(urls_ok); i++)
		if (!entry_witness_url_valid(urls_ok[i]))
			fail_msg("URL %s refused", urls_ok[i]);
	static const char *const urls_bad[] = {
		"",	      "http://",     "https://",
		"ftp://a",    "HTTPS://a",   "https:/a",
		"https//a",   "https://a b", "https://a\tb",
		" https://a", "https://é",   "https://a\x7f",
		"w1.example",
	};
	for (size_t i = 0; i < ARRAY_LEN(urls_bad); i++)
		if (entry_witness_url_valid(urls_bad[i]))
			fail_msg("URL \"%s\" accepted", urls_bad[i]);
	assert_false(entry_witness_url_valid(NULL));
	assert_string_equal(entry_kind_str((enum entry_kind)99), "unknown");
}

static void test_sniff_mime(void **state)
{
	static const struct {
		const char *name;
		const char *bytes;
		size_t len;
		const char *want;
	} v[] = {
		{"pdf", "%PDF-1.7\n", 9, "application/pdf"},
		{"pdf minimal", "%PDF-", 5, "application/pdf"},
		{"pdf cut", "%PDF", 4, NULL},
		{"pdf lowercase", "%pdf-1.7", 8, NULL},
		{"pdf after space", " %PDF-1.7", 9, NULL},
		{"pdf after BOM", "\xef\xbb\xbf%PDF-1.7", 11, NULL},
		{"png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "image/png"},
		{"png minimal", "\x89PNG\r\n\x1a\n", 8, "image/png"},
		{"png cut", "\x89PNG\r\n\x1a", 7, NULL},
		{"png LF-mangled", "\x89PNG\n\x1a\n\0", 8, NULL},
		{"jpeg", "\xff\xd8\xff\xe0\0\x10JFIF", 10, "image/jpeg"},
		{"jpeg minimal", "\xff\xd8\xff", 3, "image/jpeg"},
		{"jpeg cut", "\xff\xd8", 2, NULL},
		{"jpeg wrong", "\xff\xd9\xff", 3, NULL},
		{"gif", "GIF89a", 6, NULL},
		{"html", "<html>", 6, NULL},
		{"empty", "", 0, NULL},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		/* a heap copy of exactly len bytes, so that ASan sees reads
		 * past the end */
		uint8_t *d = malloc(v[i].len ? v[i].len : 1);
		assert_non_null(d);
		memcpy(d, v[i].bytes, v[i].len);
		const char *got = entry_sniff_mime(d, v[i].len);
		if (v[i].want == NULL && got != NULL)
			fail_msg("sniff %s: %s", v[i].name, got);
		if (v[i].want != NULL &&
		    (got == NULL || strcmp(got, v[i].want) != 0))
			fail_msg("sniff %s: %s", v[i].name, got ? got : "NULL");
		free(d);
	}
	assert_null(entry_sniff_mime(NULL, 0));
}

/* Every prefix of every golden text is rejected without reading past it. */
static void test_prefixes(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(goldens); i++) {
		size_t len = strlen(goldens[i].text);
		for (size_t n = 0; n < len; n++) {
			char *copy = malloc(n ? n : 1);
			struct entry en;
			struct err e;
			assert_non_null(copy);
			memcpy(copy, goldens[i].text, n);
			if (entry_parse(copy, n, &en, &e) == ST_OK)
				fail_msg("%s: prefix of %zu bytes accepted",
					 goldens[i].name, n);
			free(copy);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goldens_parse_and_format),
		cmocka_unit_test(test_golden_venue_fields),
		cmocka_unit_test(test_golden_document_fields),
		cmocka_unit_test(test_golden_other_fields),
		cmocka_unit_test(test_format_from_struct),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile_table),
		cmocka_unit_test(test_forbidden_code_points),
		cmocka_unit_test(test_allowed_code_points),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_witness_limits),
		cmocka_unit_test(test_format_rejects),
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_small_helpers),
		cmocka_unit_test(test_sniff_mime),
		cmocka_unit_test(test_prefixes),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
