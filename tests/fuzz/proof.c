/*
 * proof.c: fuzzes proofs as the remote verifier reads them from
 * /proof/inclusion and /proof/consistency (remote_parse_proof), and the
 * Merkle checks it hands them to (merkle_verify_inclusion,
 * merkle_verify_consistency).
 *
 * The input is a first line "A B" (two decimals: the index and size of
 * an inclusion proof, the old and new size of a consistency proof), then
 * the proof's text.  The roots are those of a tree whose leaf i is the
 * hash of i's 8 bytes, built here when A <= B <= TREE_MAX (else roots no
 * proof reaches); the leaf is leaf A.  What verifies must be within that
 * tree, and every proof that parses has 45 bytes a hash.
 */
#include <inttypes.h>

#include "core/codec.h"
#include "core/merkle.h"
#include "lib/fuzz.h"
#include "net/remote.h"

#define TREE_MAX 256

static void leaf_of(int64_t i, uint8_t out[HASH_LEN])
{
	uint8_t b[8];
	for (int k = 0; k < 8; k++)
		b[k] = (uint8_t)((uint64_t)i >> (8 * k));
	merkle_leaf_hash(out, b, sizeof b);
}

/* Root of the first n leaves (n <= TREE_MAX). */
static void root_of(int64_t n, uint8_t out[HASH_LEN])
{
	struct merkle_range mr;
	uint8_t leaf[HASH_LEN];
	merkle_range_init(&mr);
	for (int64_t i = 0; i < n; i++) {
		leaf_of(i, leaf);
		merkle_range_push(&mr, leaf, NULL, NULL);
	}
	merkle_range_root(&mr, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	char head[64], why[128];
	int64_t a = 0, b = 0;
	if (nl == NULL || (size_t)(nl - (const char *)data) >= sizeof head)
		return 0;
	memcpy(head, data, (size_t)(nl - (const char *)data));
	head[nl - (const char *)data] = 0;
	char *sp = strchr(head, ' ');
	if (sp == NULL)
		return 0;
	*sp = 0;
	if (!dec_parse(head, &a) || !dec_parse(sp + 1, &b))
		return 0;

	size_t off = (size_t)(nl + 1 - (const char *)data);
	struct buf text;
	uint8_t(*proof)[HASH_LEN] = malloc(MERKLE_MAX_PROOF * HASH_LEN);
	size_t len = 0;
	buf_init(&text, size);
	if (proof == NULL || buf_append(&text, data + off, size - off) != ST_OK)
		goto out;
	if (!remote_parse_proof(&text, proof, &len, why, sizeof why)) {
		fuzz_assert(strlen(why) > 0);
		goto out;
	}
	fuzz_assert(len <= MERKLE_MAX_PROOF && len * 45 == text.len);

	uint8_t leaf[HASH_LEN], root_a[HASH_LEN], root_b[HASH_LEN];
	bool small = b <= TREE_MAX && a <= b;
	leaf_of(a, leaf);
	memset(root_a, 0, sizeof root_a);
	memset(root_b, 0xa5, sizeof root_b);
	if (small) {
		root_of(a, root_a);
		root_of(b, root_b);
	}
	enum status st =
		merkle_verify_inclusion(leaf, a, b, proof, len, root_b);
	fuzz_assert(st == ST_OK || st == ST_BAD_SIGNATURE || st == ST_INVALID);
	fuzz_assert(st != ST_OK || small);
	st = merkle_verify_consistency(a, b, root_a, root_b, proof, len);
	fuzz_assert(st == ST_OK || st == ST_BAD_SIGNATURE || st == ST_INVALID);
	fuzz_assert(st != ST_OK || small || a == 0 || a == b);
out:
	free(proof);
	buf_free(&text);
	return 0;
}
