/*
 * test_seen.c: the checkpoint cache of rule 8 (net/seen.h): where each
 * origin's file goes, and when a checkpoint replaces the remembered one
 * (only a larger one, signed by the same key; never one by another key).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/note.h"
#include "net/seen.h"
#include "lib/rm_rf.h"

#define ORIGIN "test.example/log"

static char dir[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s/sanilog-seen.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	setenv("XDG_CACHE_HOME", dir, 1);
	return sodium_init() < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	return rm_rf(dir);
}

/* A signed checkpoint of size n by the key of seed byte s. */
static void make_cp(uint8_t s, const char *origin, int64_t size,
		    struct buf *out, struct note_verifier *v)
{
	uint8_t seed[32];
	struct note_signer *signer = NULL;
	struct checkpoint c;
	memset(seed, s, sizeof seed);
	assert_int_equal(note_signer_from_seed(origin, seed, &signer, NULL),
			 ST_OK);
	memset(&c, 0, sizeof c);
	snprintf(c.origin, sizeof c.origin, "%s", origin);
	c.size = size;
	memset(c.root, (int)size, sizeof c.root);
	buf_reset(out);
	assert_int_equal(checkpoint_sign(signer, &c, out, NULL), ST_OK);
	note_signer_verifier(signer, v);
	note_signer_free(signer);
}

static int64_t remembered_size(const char *origin,
			       const struct note_verifier *v)
{
	struct buf b;
	struct checkpoint c;
	buf_init(&b, SEEN_NOTE_MAX);
	assert_int_equal(seen_read(origin, &b, NULL), ST_OK);
	int64_t size = -1;
	if (b.len > 0 &&
	    checkpoint_open(buf_str(&b), b.len, v, &c, NULL) == ST_OK)
		size = c.size;
	buf_free(&b);
	return size;
}

static void test_paths(void **state)
{
	(void)state;
	static const struct {
		const char *origin, *name;
	} cases[] = {
		{"localhost/sanilog", "localhost_2fsanilog"},
		{"test.example/log", "test.example_2flog"},
		{"a-b.C9", "a-b.C9"},
		{"..", "_2e."},
		{".hidden", "_2ehidden"},
		{"x/../../etc", "x_2f.._2f.._2fetc"},
		{"caf\xc3\xa9", "caf_c3_a9"},
	};
	char path[PATH_MAX], want[PATH_MAX + 64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(seen_path(cases[i].origin, path, sizeof path,
					   false, NULL),
				 ST_OK);
		snprintf(want, sizeof want, "%s/sanilog/%s", dir,
			 cases[i].name);
		assert_string_equal(path, want);
	}
	assert_int_equal(seen_path("", path, sizeof path, false, NULL),
			 ST_INVALID);
	assert_int_equal(seen_path(ORIGIN, path, 8, false, NULL), ST_TOO_LARGE);
}

static void test_remember(void **state)
{
	(void)state;
	struct buf cp;
	struct note_verifier v, other;
	bool written = false;
	buf_init(&cp, 1 << 16);

	/* Nothing remembered: an empty read. */
	make_cp(1, ORIGIN, 5, &cp, &v);
	assert_int_equal(remembered_size(ORIGIN, &v), -1);

	/* The first one is remembered. */
	assert_int_equal(
		seen_write(ORIGIN, buf_str(&cp), cp.len, &v, &written, NULL),
		ST_OK);
	assert_true(written);
	assert_int_equal(remembered_size(ORIGIN, &v), 5);

	/* A smaller or equal one is not. */
	make_cp(1, ORIGIN, 3, &cp, &v);
	assert_int_equal(
		seen_write(ORIGIN, buf_str(&cp), cp.len, &v, &written, NULL),
		ST_OK);
	assert_false(written);
	make_cp(1, ORIGIN, 5, &cp, &v);
	assert_int_equal(
		seen_write(ORIGIN, buf_str(&cp), cp.len, &v, &written, NULL),
		ST_OK);
	assert_false(written);
	assert_int_equal(remembered_size(ORIGIN, &v), 5);

	/* A larger one is. */
	make_cp(1, ORIGIN, 9, &cp, &v);
	assert_int_equal(
		seen_write(ORIGIN, buf_str(&cp), cp.len, &v, &written, NULL),
		ST_OK);
	assert_true(written);
	assert_int_equal(remembered_size(ORIGIN, &v), 9);

	/* One by another key, however large, never replaces it. */
	make_cp(2, ORIGIN, 100, &cp, &other);
	assert_int_equal(seen_write(ORIGIN, buf_str(&cp), cp.len, &other,
				    &written, NULL),
			 ST_OK);
	assert_false(written);
	assert_int_equal(remembered_size(ORIGIN, &v), 9);

	/* A note that is not the origin's checkpoint is never written. */
	make_cp(1, ORIGIN, 50, &cp, &v);
	assert_int_equal(seen_write("other.example/log", buf_str(&cp), cp.len,
				    &v, &written, NULL),
			 ST_OK);
	assert_false(written);
	cp.data[cp.len - 5] ^= 1; /* the signature */
	assert_int_equal(
		seen_write(ORIGIN, buf_str(&cp), cp.len, &v, &written, NULL),
		ST_OK);
	assert_false(written);
	assert_int_equal(remembered_size(ORIGIN, &v), 9);
	buf_free(&cp);
}

static void test_unreadable(void **state)
{
	(void)state;
	char path[PATH_MAX];
	struct buf b;
	/* A directory where the file should be: an error, out unaltered. */
	assert_int_equal(
		seen_path("dir.example", path, sizeof path, true, NULL), ST_OK);
	assert_int_equal(mkdir(path, 0700), 0);
	buf_init(&b, 16);
	assert_int_equal(buf_append_str(&b, "kept"), ST_OK);
	assert_int_not_equal(seen_read("dir.example", &b, NULL), ST_OK);
	assert_string_equal(buf_str(&b), "kept");
	buf_free(&b);
	/* No cache directory at all: nothing remembered, no error. */
	char *saved = strdup(dir);
	setenv("XDG_CACHE_HOME", "/nonexistent/sanilog-test", 1);
	buf_init(&b, 16);
	assert_int_equal(seen_read(ORIGIN, &b, NULL), ST_OK);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	setenv("XDG_CACHE_HOME", saved, 1);
	free(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_remember),
		cmocka_unit_test(test_unreadable),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
