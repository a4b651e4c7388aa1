/*
 * test_docfiles.c: the documents' folder (store/docfiles.h) in a real
 * temporary directory: a document written to its file and read back, the
 * folder and subfolders made as needed, a file already there and whole
 * kept (not written again), one cut short written anew, a missing file,
 * and the scan's names (a document's, a temporary file's, another's).
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

#include "core/codec.h"
#include "core/hash.h"
#include "lib/rm_rf.h"
#include "store/docfiles.h"

struct fx {
	char tmp[PATH_MAX];
	char dir[PATH_MAX];
};

static int setup(void **state)
{
	static struct fx f;
	const char *base = getenv("TMPDIR");
	snprintf(f.tmp, sizeof f.tmp, "%s/docfiles.XXXXXX",
		 base != NULL && base[0] != 0 ? base : "/tmp");
	if (mkdtemp(f.tmp) == NULL)
		return -1;
	char db[PATH_MAX + 16];
	snprintf(db, sizeof db, "%s/log.db", f.tmp);
	if (!docfiles_dir(db, f.dir, sizeof f.dir))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	return rm_rf(f->tmp);
}

/* The path of sha's file into out. */
static void path_of(const struct fx *f, const uint8_t sha[HASH_LEN],
		    char out[PATH_MAX + 80])
{
	char hex[2 * HASH_LEN + 1];
	hex_encode(hex, sha, HASH_LEN);
	snprintf(out, PATH_MAX + 80, "%s/%.2s/%s", f->dir, hex, hex);
}

static void test_dir_name(void **state)
{
	(void)state;
	char out[16];
	assert_true(docfiles_dir("a.db", out, sizeof out));
	assert_string_equal(out, "a.db.docs");
	assert_false(docfiles_dir("a-rather-long-name.db", out, sizeof out));
	assert_string_equal(out, "");
}

static void test_put_read(void **state)
{
	struct fx *f = *state;
	const char doc[] = "%PDF-1.4 a document";
	uint8_t sha[HASH_LEN];
	char path[PATH_MAX + 80];
	struct stat sb;
	sha256(sha, doc, sizeof doc - 1);
	/* No folder yet: made with the file. */
	assert_int_equal(docfiles_put(f->dir, sha, doc, sizeof doc - 1, NULL),
			 ST_OK);
	path_of(f, sha, path);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, sizeof doc - 1);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(f->dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);

	struct buf out;
	buf_init(&out, 1 << 20);
	assert_int_equal(docfiles_read(f->dir, sha, &out, NULL), ST_OK);
	assert_int_equal(out.len, sizeof doc - 1);
	assert_memory_equal(out.data, doc, sizeof doc - 1);
	buf_free(&out);

	int fd = -1;
	int64_t size = 0;
	assert_int_equal(docfiles_open(f->dir, sha, &fd, &size, NULL), ST_OK);
	assert_true(fd >= 0);
	assert_int_equal(size, sizeof doc - 1);
	close(fd);

	/* Another document: not there. */
	uint8_t none[HASH_LEN] = {1};
	struct err e;
	buf_init(&out, 1 << 20);
	assert_int_equal(docfiles_read(f->dir, none, &out, &e), ST_NOT_FOUND);
	assert_non_null(strstr(e.msg, "missing"));
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void test_written_once(void **state)
{
	struct fx *f = *state;
	const char doc[] = "%PDF-1.4 written once";
	uint8_t sha[HASH_LEN];
	char path[PATH_MAX + 80];
	struct stat before, after;
	sha256(sha, doc, sizeof doc - 1);
	assert_int_equal(docfiles_put(f->dir, sha, doc, sizeof doc - 1, NULL),
			 ST_OK);
	path_of(f, sha, path);
	assert_int_equal(stat(path, &before), 0);
	/* Whole and there: kept, the same file (inode), not written again. */
	assert_int_equal(docfiles_put(f->dir, sha, doc, sizeof doc - 1, NULL),
			 ST_OK);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);

	/* Cut short (a crash between its rename and its sync): written
	 * anew, whole. */
	assert_int_equal(truncate(path, 5), 0);
	assert_int_equal(docfiles_put(f->dir, sha, doc, sizeof doc - 1, NULL),
			 ST_OK);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_size, sizeof doc - 1);
	/* The same size, other bytes: written anew too. */
	FILE *w = fopen(path, "r+b");
	assert_non_null(w);
	assert_int_equal(fputc('X', w), 'X');
	assert_int_equal(fclose(w), 0);
	assert_int_equal(docfiles_put(f->dir, sha, doc, sizeof doc - 1, NULL),
			 ST_OK);
	struct buf out;
	buf_init(&out, 1 << 20);
	assert_int_equal(docfiles_read(f->dir, sha, &out, NULL), ST_OK);
	assert_memory_equal(out.data, doc, sizeof doc - 1);
	buf_free(&out);
}

struct seen {
	int named, unnamed;
	bool found;
	uint8_t want[HASH_LEN];
};

static enum status on_file(void *ctx, const char *path, const uint8_t *sha,
			   const struct stat *sb)
{
	struct seen *s = ctx;
	(void)path;
	(void)sb;
	if (sha == NULL) {
		s->unnamed++;
		return ST_OK;
	}
	s->named++;
	s->found |= memcmp(sha, s->want, HASH_LEN) == 0;
	return ST_OK;
}

static void test_scan(void **state)
{
	struct fx *f = *state;
	struct seen s = {0};
	const char doc[] = "%PDF-1.4 scanned";
	char path[PATH_MAX + 80];
	/* No folder: nothing, and no error. */
	char nodir[PATH_MAX + 16];
	snprintf(nodir, sizeof nodir, "%s/none.docs", f->tmp);
	assert_int_equal(docfiles_scan(nodir, on_file, &s, NULL), ST_OK);
	assert_int_equal(s.named + s.unnamed, 0);

	sha256(s.want, doc, sizeof doc - 1);
	assert_int_equal(
		docfiles_put(f->dir, s.want, doc, sizeof doc - 1, NULL), ST_OK);
	path_of(f, s.want, path);
	/* A temporary file, a document's name in the wrong subfolder, and
	 * a file beside the subfolders: none named. */
	char other[PATH_MAX + 120];
	snprintf(other, sizeof other, "%s.tmp", path);
	FILE *w = fopen(other, "w");
	assert_non_null(w);
	assert_int_equal(fclose(w), 0);
	const char *hex = strrchr(path, '/') + 1;
	snprintf(other, sizeof other, "%s/%s", f->dir,
		 hex[0] == '0' ? "11" : "00");
	mkdir(other, 0700);
	snprintf(other + strlen(other), sizeof other - strlen(other), "/%s",
		 hex);
	w = fopen(other, "w");
	assert_non_null(w);
	assert_int_equal(fclose(w), 0);
	snprintf(other, sizeof other, "%s/README", f->dir);
	w = fopen(other, "w");
	assert_non_null(w);
	assert_int_equal(fclose(w), 0);

	memset(&s, 0, sizeof s);
	sha256(s.want, doc, sizeof doc - 1);
	assert_int_equal(docfiles_scan(f->dir, on_file, &s, NULL), ST_OK);
	assert_true(s.found);
	assert_int_equal(s.unnamed, 3);
	assert_true(s.named >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_name),
		cmocka_unit_test(test_put_read),
		cmocka_unit_test(test_written_once),
		cmocka_unit_test(test_scan),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
