/*
 * test_plans.c: no statement of the store walks a table that grows with
 * the log, but those whose purpose is to (the audit, the listings).
 *
 * SQLite's plan of every prepared statement (EXPLAIN QUERY PLAN) is read:
 * a line "SCAN <table>" of entries, hashes, documents, checkpoints,
 * cosignatures or the documents' index, without an index, fails the test,
 * unless the statement has no WHERE and ends "LIMIT 1" with no sort (it
 * reads one row at the end of the table's key), or is one of the walks
 * named below.  A bundle that read the whole entries table to find the
 * provider entries (0.3 s a bundle at a million entries, and growing)
 * is the kind of fault this catches.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rm_rf.h"
#include "store/store_private.h"

/* The tables whose rows grow with the log. */
static const char *const growing[] = {
	"entries",    "hashes",	     "hash_runs",    "documents",
	"doc_chunks", "checkpoints", "cosignatures", "heads",
};

/* The statements that walk a growing table on purpose. */
static const enum stmt walks[] = {
	Q_VENUE_IDS,	    /* every venue, for listings and publish */
	Q_DOC_KEYS_ALL,	    /* the writer's key set, loaded once */
	Q_SCAN_DOCS,	    /* the audit, gc */
	Q_SCAN_DOC_SHAS,    /* the audit */
	Q_SCAN_DOC_KEYS,    /* the audit */
	Q_CUR_DOCS,	    /* the audit */
	Q_HASH_COUNT,	    /* the audit */
	Q_INDEX_COUNTS,	    /* the audit */
	Q_CHECKPOINT_SIZES, /* every kept checkpoint, for publish */
	Q_SCAN_ENTRIES,	    /* the audit, export */
	Q_CUR_HASHES,	    /* the audit */
};

static bool is_walk(enum stmt id)
{
	for (size_t i = 0; i < sizeof walks / sizeof walks[0]; i++)
		if (walks[i] == id)
			return true;
	return false;
}

/* "SCAN t" or "SCAN t USING ..." of a growing table t, without an
 * index. */
static bool walks_growing(const char *detail)
{
	if (strncmp(detail, "SCAN ", 5) != 0 || strstr(detail, "INDEX") != NULL)
		return false;
	for (size_t i = 0; i < sizeof growing / sizeof growing[0]; i++) {
		size_t n = strlen(growing[i]);
		if (strncmp(detail + 5, growing[i], n) == 0 &&
		    (detail[5 + n] == 0 || detail[5 + n] == ' '))
			return true;
	}
	return false;
}

/* One row from the end of the table's key: no WHERE, ends LIMIT 1. */
static bool one_row(const char *sql)
{
	size_t n = strlen(sql);
	return strstr(sql, "WHERE") == NULL && n >= 7 &&
	       strcmp(sql + n - 7, "LIMIT 1") == 0;
}

static void test_no_statement_walks_the_log(void **state)
{
	(void)state;
	char dir[] = "/tmp/sanilog-test-plans.XXXXXX", path[PATH_MAX];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/log.db", dir);
	struct store *s = NULL;
	struct err e;
	assert_int_equal(store_open(path, STORE_CREATE, &s, &e), ST_OK);
	int faults = 0, checked = 0;
	for (int id = 0; id < Q__COUNT; id++) {
		const char *sql = sqlite3_sql(s->q[id]);
		assert_non_null(sql);
		char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
		sqlite3_stmt *st = NULL;
		assert_int_equal(
			sqlite3_prepare_v2(s->db, explain, -1, &st, NULL),
			SQLITE_OK);
		bool sorts = false, walked = false;
		char why[256] = "";
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d =
				(const char *)sqlite3_column_text(st, 3);
			sorts |= strstr(d, "TEMP B-TREE") != NULL;
			if (walks_growing(d)) {
				walked = true;
				snprintf(why, sizeof why, "%s", d);
			}
		}
		sqlite3_finalize(st);
		sqlite3_free(explain);
		checked++;
		if (!walked || is_walk((enum stmt)id) ||
		    (one_row(sql) && !sorts))
			continue;
		fprintf(stderr, "statement %d walks the log (%s): %s\n", id,
			why, sql);
		faults++;
	}
	store_close(s);
	rm_rf(dir);
	assert_int_equal(checked, Q__COUNT);
	assert_int_equal(faults, 0);
}

/* The check itself: a walk of entries is seen, a search is not. */
static void test_the_check_sees_a_walk(void **state)
{
	(void)state;
	assert_true(walks_growing("SCAN entries"));
	assert_true(walks_growing("SCAN checkpoints"));
	assert_false(walks_growing("SCAN entries USING INDEX entries_policy"));
	assert_false(walks_growing("SEARCH entries USING INTEGER PRIMARY KEY"));
	assert_false(walks_growing("SCAN doc_gens"));
	assert_false(walks_growing("SCAN entriesx"));
	assert_true(one_row("SELECT size FROM checkpoints ORDER BY size "
			    "DESC LIMIT 1"));
	assert_false(one_row("SELECT idx FROM entries WHERE kind = 5 ORDER "
			     "BY idx DESC LIMIT 1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_statement_walks_the_log),
		cmocka_unit_test(test_the_check_sees_a_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
