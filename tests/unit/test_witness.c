/*
 * test_witness.c: the add-checkpoint request body and cosignature/v1.
 *
 * The cosignature vector was computed independently (Python's
 * cryptography package and hashlib, from tlog-cosignature's rules): the
 * key of seed 00 01 .. 1f under the name witness.example/w1 on the
 * checkpoint of the specification's example, at its time 1679315147.
 * Ed25519 is deterministic, so our line must be that line, byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/codec.h"
#include "core/witness.h"

#define NAME "witness.example/w1"
#define BODY                                                                   \
	"example.com/behind-the-sofa\n20852163\n"                              \
	"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
#define TIME 1679315147u
#define LINE                                                                   \
	"\xe2\x80\x94 " NAME " "                                               \
	"519lMgAAAABkGFDLBuRDazBLVac2NE+Y+"                                    \
	"IjbjQOcXLfF9CSDZVUIoS83rE1nFZsVE8YiW"                                 \
	"V6Ngr7lV8H6bdoBQGP/l73euDMQ9k+bBQ==\n"
#define HASH_A "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
/* The same key's verifier key as a witness's (0x04), computed alike. */
#define VKEY NAME "+e75f6532+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"

static struct note_signer *signer(void)
{
	uint8_t seed[32];
	struct note_signer *s = NULL;
	struct err e;

	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	assert_int_equal(note_signer_from_seed(NAME, seed, &s, &e), ST_OK);
	return s;
}

static void test_cosig_vector(void **state)
{
	(void)state;
	struct note_signer *s = signer();
	struct note_verifier v;
	struct buf out;
	struct err e;
	uint8_t sig[COSIG_LEN];
	size_t n = 0;
	uint64_t t = 0;

	note_signer_verifier(s, &v);
	assert_int_equal(cosig_key_id(NAME, v.pk), 0xe75f6532u);
	buf_init(&out, 4096);
	assert_int_equal(cosig_line(s, BODY, strlen(BODY), TIME, &out, &e),
			 ST_OK);
	assert_string_equal(buf_str(&out), LINE);

	/* The line's signature verifies, and gives its time back. */
	const char *b64 = strrchr(LINE, ' ') + 1;
	assert_int_equal(
		b64_decode(sig, sizeof sig, &n, b64, strlen(b64) - 1, B64_STD),
		ST_OK);
	assert_int_equal(n, COSIG_LEN);
	assert_int_equal(cosig_verify(&v, BODY, strlen(BODY), sig, &t, &e),
			 ST_OK);
	assert_int_equal(t, TIME);

	/* Another checkpoint, time, key ID or name: refused. */
	static const char other[] =
		"example.com/behind-the-sofa\n20852164\n"
		"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
	assert_int_equal(cosig_verify(&v, other, strlen(other), sig, &t, &e),
			 ST_BAD_SIGNATURE);
	sig[11] ^= 1;
	assert_int_equal(cosig_verify(&v, BODY, strlen(BODY), sig, &t, &e),
			 ST_BAD_SIGNATURE);
	sig[11] ^= 1;
	sig[0] ^= 1;
	assert_int_equal(cosig_verify(&v, BODY, strlen(BODY), sig, &t, &e),
			 ST_BAD_SIGNATURE);
	sig[0] ^= 1;
	struct note_verifier w = v;
	snprintf(w.name, sizeof w.name, "witness.example/w2");
	assert_int_equal(cosig_verify(&w, BODY, strlen(BODY), sig, &t, &e),
			 ST_BAD_SIGNATURE);
	/* A time over 2^63 - 1 is never signed, nor taken. */
	size_t len = out.len;
	assert_int_equal(
		cosig_line(s, BODY, strlen(BODY), UINT64_MAX, &out, &e),
		ST_INVALID);
	assert_int_equal(out.len, len);
	memset(sig + 4, 0xff, 8);
	assert_int_equal(cosig_verify(&v, BODY, strlen(BODY), sig, &t, &e),
			 ST_BAD_SIGNATURE);
	/* A body without its final newline is no checkpoint. */
	assert_int_equal(cosig_line(s, BODY, strlen(BODY) - 1, TIME, &out, &e),
			 ST_INVALID);
	buf_free(&out);
	note_signer_free(s);
}

static void test_request(void **state)
{
	(void)state;
	struct witness_request r;
	struct err e;
	static const char ok[] =
		"old 20852014\n" HASH_A HASH_A "\n" BODY "\n\xe2\x80\x94 x y\n";

	assert_int_equal(witness_request_parse(ok, strlen(ok), &r, &e), ST_OK);
	assert_int_equal(r.old, 20852014);
	assert_int_equal(r.nproof, 2);
	assert_int_equal(r.proof[1][0], 0x3e);
	assert_ptr_equal(r.note,
			 ok + strlen("old 20852014\n" HASH_A HASH_A "\n"));
	assert_int_equal(r.note_len, strlen(BODY "\n\xe2\x80\x94 x y\n"));

	static const char zero[] = "old 0\n\n" BODY;
	assert_int_equal(witness_request_parse(zero, strlen(zero), &r, &e),
			 ST_OK);
	assert_int_equal(r.old, 0);
	assert_int_equal(r.nproof, 0);

	/* 63 proof lines are the most. */
	char many[64 * 64 + 256];
	size_t n = (size_t)snprintf(many, sizeof many, "old 5\n");
	for (int i = 0; i < 63; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, HASH_A);
	n += (size_t)snprintf(many + n, sizeof many - n, "\n" BODY);
	assert_int_equal(witness_request_parse(many, n, &r, &e), ST_OK);
	assert_int_equal(r.nproof, 63);
	n = (size_t)snprintf(many, sizeof many, "old 5\n");
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, HASH_A);
	n += (size_t)snprintf(many + n, sizeof many - n, "\n" BODY);
	assert_int_equal(witness_request_parse(many, n, &r, &e), ST_INVALID);

	static const char *const bad[] = {
		"",
		"old 5",
		"old 5\n",
		"old 5\n" HASH_A,
		"old 5\n\n",
		"old \n\n" BODY,
		"old 05\n\n" BODY,
		"old -1\n\n" BODY,
		"old +5\n\n" BODY,
		"old 9223372036854775808\n\n" BODY,
		"old 99999999999999999999999\n\n" BODY,
		"Old 5\n\n" BODY,
		"old  5\n\n" BODY,
		"old 5 \n\n" BODY,
		"old 5\r\n\r\n" BODY,
		"old 0\n" HASH_A "\n" BODY,
		"old 5\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw\n\n" BODY,
		"old 5\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpka=\n\n" BODY,
		"old 5\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw==\n\n" BODY,
		"old 5\nAAAA\n\n" BODY,
		"old 5\n " HASH_A "\n" BODY,
	};
	/* A NUL in the size is no digit (a C string would end there). */
	static const char nul[] = "old 5\0"
				  "1\n\n" BODY;
	assert_int_equal(witness_request_parse(nul, sizeof nul - 1, &r, &e),
			 ST_INVALID);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (witness_request_parse(bad[i], strlen(bad[i]), &r, &e) !=
		    ST_INVALID)
			fail_msg("accepted: \"%s\"", bad[i]);
	}
}

static void test_cosigner_vkey(void **state)
{
	(void)state;
	struct note_signer *s = signer();
	struct note_verifier v, w;
	char text[NOTE_VKEY_MAX + 1];
	struct err e;

	note_signer_verifier(s, &v);
	note_cosigner_format(&v, text, sizeof text);
	assert_string_equal(text, VKEY);
	assert_int_equal(note_cosigner_parse(VKEY, strlen(VKEY), &w, &e),
			 ST_OK);
	assert_string_equal(w.name, NAME);
	assert_memory_equal(w.pk, v.pk, 32);
	assert_int_equal(w.hash, cosig_key_id(NAME, v.pk));
	/* A witness's key is no log's key, and a log's no witness's. */
	assert_int_equal(note_verifier_parse(VKEY, strlen(VKEY), &w, &e),
			 ST_INVALID);
	note_verifier_format(&v, text, sizeof text);
	assert_int_equal(note_cosigner_parse(text, strlen(text), &w, &e),
			 ST_INVALID);
	/* A key ID that is not the key's. */
	static const char bad[] =
		NAME "+e75f6533+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
	assert_int_equal(note_cosigner_parse(bad, strlen(bad), &w, &e),
			 ST_INVALID);
	note_signer_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cosig_vector),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_cosigner_vkey),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
