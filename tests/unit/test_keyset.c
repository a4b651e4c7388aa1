/*
 * test_keyset.c: the set of 64-bit keys (store/keyset.h), against a
 * sorted array of the same keys: random keys through several growths,
 * the keys the table stores specially (0, whose stored form is 1, and
 * UINT64_MAX, which has none), keys added twice, and clearing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/keyset.h"

#define KEYS 200000 /* the table grows from 1,024 slots to 524,288 */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static bool in_sorted(const uint64_t *v, size_t n, uint64_t key)
{
	return bsearch(&key, v, n, sizeof *v, cmp_u64) != NULL;
}

static void test_random_keys(void **state)
{
	(void)state;
	uint64_t *keys = malloc(KEYS * sizeof *keys);
	uint64_t *sorted = malloc(KEYS * sizeof *sorted);
	assert_non_null(keys);
	assert_non_null(sorted);
	randombytes_buf(keys, KEYS * sizeof *keys);
	struct keyset *k = keyset_new(SIZE_MAX);
	assert_non_null(k);
	size_t before = keyset_bytes(k);
	for (size_t i = 0; i < KEYS; i++) {
		assert_int_equal(keyset_add(k, keys[i]), ST_OK);
		if (i % 997 == 0) /* the keys added so far are in */
			for (size_t j = 0; j <= i; j += 101)
				assert_true(keyset_has(k, keys[j]));
	}
	memcpy(sorted, keys, KEYS * sizeof *keys);
	qsort(sorted, KEYS, sizeof *sorted, cmp_u64);
	size_t distinct = 0;
	for (size_t i = 0; i < KEYS; i++)
		if (i == 0 || sorted[i] != sorted[i - 1])
			sorted[distinct++] = sorted[i];
	assert_int_equal(keyset_count(k), distinct);
	assert_true(keyset_bytes(k) > before);
	assert_true(keyset_bytes(k) >= 2 * distinct * sizeof(uint64_t));
	for (size_t i = 0; i < KEYS; i++)
		assert_true(keyset_has(k, keys[i]));
	/* Keys next to the stored ones, and fresh random ones. */
	for (size_t i = 0; i < KEYS; i++) {
		uint64_t probe = keys[i] + 1, fresh;
		assert_int_equal(keyset_has(k, probe),
				 in_sorted(sorted, distinct, probe));
		randombytes_buf(&fresh, sizeof fresh);
		assert_int_equal(keyset_has(k, fresh),
				 in_sorted(sorted, distinct, fresh));
	}
	/* Adding them again changes nothing. */
	for (size_t i = 0; i < KEYS; i += 3)
		assert_int_equal(keyset_add(k, keys[i]), ST_OK);
	assert_int_equal(keyset_count(k), distinct);
	keyset_free(k);
	free(keys);
	free(sorted);
}

static void test_edge_keys(void **state)
{
	(void)state;
	const uint64_t edge[] = {
		0, 1, 2, UINT64_MAX, UINT64_MAX - 1, (uint64_t)1 << 63};
	const size_t n = sizeof edge / sizeof edge[0];
	struct keyset *k = keyset_new(SIZE_MAX);
	assert_non_null(k);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++)
			assert_int_equal(keyset_has(k, edge[j]), j < i);
		assert_int_equal(keyset_add(k, edge[i]), ST_OK);
		assert_int_equal(keyset_add(k, edge[i]), ST_OK);
		assert_int_equal(keyset_count(k), i + 1);
	}
	size_t bytes = keyset_bytes(k);
	keyset_clear(k);
	assert_int_equal(keyset_count(k), 0);
	assert_int_equal(keyset_bytes(k), bytes);
	for (size_t i = 0; i < n; i++)
		assert_false(keyset_has(k, edge[i]));
	assert_int_equal(keyset_add(k, UINT64_MAX), ST_OK);
	assert_true(keyset_has(k, UINT64_MAX));
	assert_false(keyset_has(k, 0));
	keyset_free(k);
	keyset_free(NULL);
}

/* A bounded set: full at its bound, it refuses (ST_TOO_LARGE) and is
 * unaltered, every key it took still in and its memory not past the
 * bound. */
static void test_bound(void **state)
{
	(void)state;
	const size_t max = 64 << 10; /* 8,192 slots: 4,096 keys */
	struct keyset *k = keyset_new(max);
	assert_non_null(k);
	size_t taken = 0;
	enum status r = ST_OK;
	for (uint64_t key = 1; r == ST_OK; key++)
		if ((r = keyset_add(k, key * 0x9e3779b97f4a7c15ull)) == ST_OK)
			taken++;
	assert_int_equal(r, ST_TOO_LARGE);
	assert_int_equal(taken, 4096);
	assert_int_equal(keyset_count(k), taken);
	assert_true(keyset_bytes(k) <= max);
	for (uint64_t key = 1; key <= taken; key++)
		assert_true(keyset_has(k, key * 0x9e3779b97f4a7c15ull));
	/* a key it holds is still taken */
	assert_int_equal(keyset_add(k, 0x9e3779b97f4a7c15ull), ST_OK);
	keyset_free(k);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_keys),
		cmocka_unit_test(test_edge_keys),
		cmocka_unit_test(test_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
