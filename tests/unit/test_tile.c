/*
 * test_tile.c: tile paths and widths (core/tile.h).
 *
 * A table of paths in their one form, each parsed and written back; the
 * index written in groups of three digits up to INT64_MAX; a round trip
 * of every tile of the first numbers and of numbers around each power of
 * ten; the widths of full, partial and missing tiles at every level; and
 * a table of malformed paths, each refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/tile.h"

static void test_paths(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		bool entries;
		int level;
		int64_t n;
		int width;
	} v[] = {
		{"0/000", false, 0, 0, 256},
		{"0/000.p/1", false, 0, 0, 1},
		{"0/000.p/255", false, 0, 0, 255},
		{"1/007", false, 1, 7, 256},
		{"63/999.p/9", false, 63, 999, 9},
		{"2/x001/000", false, 2, 1000, 256},
		{"1/x001/x234/067.p/7", false, 1, 1234067, 7},
		{"entries/000", true, 0, 0, 256},
		{"entries/000.p/10", true, 0, 0, 10},
		{"entries/x010/000.p/200", true, 0, 10000, 200},
		{"entries/x009/x223/x372/x036/x854/x775/807", true, 0,
		 INT64_MAX, 256},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct tile t;
		char back[TILE_PATH_MAX + 1];
		if (!tile_parse(v[i].path, &t))
			fail_msg("%s: refused", v[i].path);
		assert_int_equal(t.entries, v[i].entries);
		assert_int_equal(t.level, v[i].level);
		assert_true(t.n == v[i].n);
		assert_int_equal(t.width, v[i].width);
		assert_int_equal(tile_format(&t, back, sizeof back),
				 strlen(v[i].path));
		assert_string_equal(back, v[i].path);
	}
}

static void test_index(void **state)
{
	(void)state;
	static const struct {
		int64_t n;
		const char *want;
	} v[] = {
		{0, "000"},
		{7, "007"},
		{999, "999"},
		{1000, "x001/000"},
		{1001, "x001/001"},
		{999999, "x999/999"},
		{1000000, "x001/x000/000"},
		{1234067, "x001/x234/067"},
		{INT64_MAX, "x009/x223/x372/x036/x854/x775/807"},
	};
	char out[TILE_INDEX_MAX + 1];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		assert_int_equal(tile_format_index(v[i].n, out, sizeof out),
				 strlen(v[i].want));
		assert_string_equal(out, v[i].want);
	}
	assert_int_equal(strlen(v[8].want), TILE_INDEX_MAX);

	/* Too small a buffer, or no index: nothing, and "". */
	assert_int_equal(tile_format_index(1000, out, 8), 0);
	assert_string_equal(out, "");
	assert_int_equal(tile_format_index(-1, out, sizeof out), 0);
	assert_string_equal(out, "");
	assert_int_equal(tile_format_index(0, out, 0), 0);
}

/* Writes t, parses it back and compares. */
static void round_trip(const struct tile *t)
{
	char path[TILE_PATH_MAX + 1];
	struct tile back;
	size_t len = tile_format(t, path, sizeof path);
	if (len == 0 || len != strlen(path))
		fail_msg("n %lld width %d: not written", (long long)t->n,
			 t->width);
	if (!tile_parse(path, &back))
		fail_msg("%s: refused", path);
	if (back.entries != t->entries || back.level != t->level ||
	    back.n != t->n || back.width != t->width)
		fail_msg("%s: parsed as another tile", path);
}

static void test_round_trip(void **state)
{
	(void)state;
	static const int widths[] = {1, 2, 99, 100, 255, 256};
	for (int64_t n = 0; n < 3000; n++) {
		struct tile t = {.entries = n % 2 == 0,
				 .level = n % 2 == 0 ? 0 : (int)(n % 64),
				 .n = n,
				 .width = widths[n % 6]};
		round_trip(&t);
	}
	for (int64_t p = 1; p <= INT64_MAX / 10; p *= 10) {
		for (int64_t d = p > 2 ? -2 : 0; d <= 2; d++) {
			struct tile t = {.level = 5, .n = p + d, .width = 256};
			round_trip(&t);
			t.width = 17;
			round_trip(&t);
		}
	}
	struct tile top = {.entries = true, .n = INT64_MAX, .width = 255};
	char path[TILE_PATH_MAX + 1];
	round_trip(&top);
	assert_int_equal(tile_format(&top, path, sizeof path), TILE_PATH_MAX);
	/* One byte short of its NUL. */
	assert_int_equal(tile_format(&top, path, TILE_PATH_MAX), 0);
	assert_string_equal(path, "");
}

static void test_format_refuses(void **state)
{
	(void)state;
	static const struct tile bad[] = {
		{.level = 0, .n = 0, .width = 0},
		{.level = 0, .n = 0, .width = 257},
		{.level = 0, .n = -1, .width = 256},
		{.level = -1, .n = 0, .width = 256},
		{.level = 64, .n = 0, .width = 256},
		{.entries = true, .level = 1, .n = 0, .width = 256},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char out[TILE_PATH_MAX + 1] = "x";
		if (tile_format(&bad[i], out, sizeof out) != 0)
			fail_msg("bad[%zu]: written as %s", i, out);
		assert_string_equal(out, "");
	}
}

static void test_widths(void **state)
{
	(void)state;
	static const struct {
		int level;
		int64_t n, size;
		int want;
	} v[] = {
		{0, 0, 0, 0},
		{0, 0, 1, 1},
		{0, 0, 255, 255},
		{0, 0, 256, 256},
		{0, 0, 1000, 256},
		{0, 1, 256, 0},
		{0, 1, 257, 1},
		{0, 3, 1000, 232},
		{0, 4, 1000, 0},
		{1, 0, 255, 0},
		{1, 0, 256, 1},
		{1, 0, 511, 1},
		{1, 0, 65536, 256},
		{1, 1, 65536 + 5 * 256 + 255, 5},
		{2, 0, 65535, 0},
		{2, 0, 65536, 1},
		{7, 0, INT64_MAX, 127}, /* 2^63-1 >> 56 */
		{7, 1, INT64_MAX, 0},
		{8, 0, INT64_MAX, 0}, /* 256^8 leaves: more than any log */
		{63, 0, INT64_MAX, 0},
		{0, INT64_MAX / 256, INT64_MAX, 255},
		{0, INT64_MAX / 256 + 1, INT64_MAX, 0},
		{0, INT64_MAX, INT64_MAX, 0},
		{0, -1, 1000, 0},
		{-1, 0, 1000, 0},
		{64, 0, 1000, 0},
		{0, 0, -1, 0},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		int w = tile_width(v[i].level, v[i].n, v[i].size);
		if (w != v[i].want)
			fail_msg("level %d n %lld size %lld: %d, want %d",
				 v[i].level, (long long)v[i].n,
				 (long long)v[i].size, w, v[i].want);
	}
	/* The widths of a log's tiles add up to its size. */
	for (int64_t size = 0; size < 1100; size += 7) {
		int64_t sum = 0;
		for (int64_t n = 0; tile_width(0, n, size) > 0; n++)
			sum += tile_width(0, n, size);
		assert_true(sum == size);
	}
}

static void test_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"0",
		"0/",
		"00/000",
		"01/000",
		"64/000",
		"100/000",
		"-1/000",
		"+1/000",
		" 1/000",
		"/1/000",
		"a/000",
		"1//000",
		"1/00",
		"1/0000",
		"1/0a0",
		"1/+00",
		"1/ 000",
		"1/000 ",
		"1/000/",
		"1/x",
		"1/x001",
		"1/x001/",
		"1/x01/000",
		"1/x000/001", /* a leading all-zero group */
		"1/x000/x001/000",
		"1/001/000",
		"1/x001/x002",
		"1/X001/000",
		"1/x001000",
		"1/000.p/0",
		"1/000.p/00",
		"1/000.p/01",
		"1/000.p/256",
		"1/000.p/1000",
		"1/000.p/",
		"1/000.p/1/",
		"1/000.p/1x",
		"1/000.p/1 ",
		"1/000.p/+1",
		"1/000.p1",
		"1/000.P/1",
		"1/000p/1",
		"1/000.q/1",
		"entries",
		"entries/",
		"entries/00",
		"entries//000",
		"Entries/000",
		"entries/000.p/256",
		"entries/x000/000",
		"entry/000",
		"0/entries/000",
		"1/x009/x223/x372/x036/x854/x775/808", /* INT64_MAX + 1 */
		"1/x999/x999/x999/x999/x999/x999/x999",
		"1/x001/x000/x000/x000/x000/x000/x000/000",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct tile t;
		if (tile_parse(bad[i], &t))
			fail_msg("\"%s\": accepted", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
