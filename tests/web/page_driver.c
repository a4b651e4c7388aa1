/*
 * page_driver.c: writes a page of sanilog's web layer to stdout, for the
 * browser tests while (or where) no server runs: the venue page of a
 * database, the home page, an asset, or an error page.
 *
 *   page_driver venue DB VENUE LANG TODAY [BEFORE]
 *   page_driver index LANG
 *   page_driver asset NAME
 *   page_driver asset-gzip NAME          (exit 1 when there is none)
 *   page_driver error LANG CODE
 *   page_driver entries CORPUS.json      entry_parse of each string
 *   page_driver notes VKEY CORPUS.json   checkpoint_open of each string
 *   page_driver sign KEYFILE CORPUS.json  note_sign of each string
 *
 * entries and notes print a JSON array with, for each string of the corpus
 * (a JSON array of strings), "" when accepted or the error message: the
 * browser test compares them with what verify.js says of the same strings.
 * sign prints the signed notes (the texts need not be checkpoints).
 *
 * Exit 0 with the bytes on stdout; 1 with a message when the call fails.
 * tests/web/test_browser.sh and test_browser_parity.sh compile it against
 * the libsanilog.a beside $SANILOG.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core/codec.h"
#include "core/entry.h"
#include "core/note.h"
#include "store/store.h"
#include "web/pages.h"

static int put(enum status st, struct buf *b, struct err *e)
{
	if (st != ST_OK) {
		fprintf(stderr, "page_driver: %s: %s\n", status_str(st),
			e->msg);
		buf_free(b);
		return 1;
	}
	bool written = fwrite(b->data, 1, b->len, stdout) == b->len &&
		       fflush(stdout) == 0;
	buf_free(b);
	return written ? 0 : 1;
}

/* Runs each string of the corpus through entry_parse, or through
 * checkpoint_open with the verifier key vkey when vkey is not NULL. */
static int corpus(const char *path, const char *vkey)
{
	json_error_t jerr;
	json_t *in = json_load_file(path, JSON_ALLOW_NUL, &jerr),
	       *res = json_array();
	struct note_verifier v;
	struct err e = {{0}};
	size_t i;
	json_t *x;

	if (in == NULL || !json_is_array(in)) {
		fprintf(stderr, "page_driver: %s: %s\n", path, jerr.text);
		return 1;
	}
	if (vkey != NULL &&
	    note_verifier_parse(vkey, strlen(vkey), &v, &e) != ST_OK) {
		fprintf(stderr, "page_driver: %s\n", e.msg);
		return 1;
	}
	json_array_foreach(in, i, x)
	{
		const char *t = json_string_value(x);
		size_t len = json_string_length(x);
		struct entry en;
		struct checkpoint cp;
		enum status st;

		memset(&e, 0, sizeof e);
		st = vkey != NULL ? checkpoint_open(t, len, &v, &cp, &e)
				  : entry_parse(t, len, &en, &e);
		json_array_append_new(res,
				      json_string(st == ST_OK ? "" : e.msg));
	}
	json_dumpf(res, stdout, JSON_ENSURE_ASCII);
	json_decref(res);
	json_decref(in);
	return 0;
}

/* Signs each string of the corpus with the signer key in keyfile. */
static int sign(const char *keyfile, const char *path)
{
	json_error_t jerr;
	json_t *in = json_load_file(path, JSON_ALLOW_NUL, &jerr),
	       *res = json_array();
	struct note_signer *k = NULL;
	struct err e = {{0}};
	char key[512];
	size_t n, i;
	json_t *x;
	FILE *f = fopen(keyfile, "r");

	if (f == NULL || in == NULL) {
		fprintf(stderr, "page_driver: cannot read %s or %s\n", keyfile,
			path);
		return 1;
	}
	n = fread(key, 1, sizeof key - 1, f);
	(void)fclose(f); /* read only: nothing to lose */
	if (note_signer_parse(key, n, &k, &e) != ST_OK) {
		fprintf(stderr, "page_driver: %s\n", e.msg);
		return 1;
	}
	json_array_foreach(in, i, x)
	{
		struct buf b;
		buf_init(&b, 1 << 16);
		if (note_sign(k, json_string_value(x), json_string_length(x),
			      &b, &e) != ST_OK) {
			fprintf(stderr, "page_driver: %s\n", e.msg);
			return 1;
		}
		json_array_append_new(
			res, json_stringn((const char *)b.data, b.len));
		buf_free(&b);
	}
	json_dumpf(res, stdout, JSON_ENSURE_ASCII);
	json_decref(res);
	json_decref(in);
	note_signer_free(k);
	return 0;
}

int main(int argc, char **argv)
{
	struct err e = {{0}};
	struct buf b;

	if (sodium_init() < 0) {
		fputs("page_driver: sodium_init failed\n", stderr);
		return 1;
	}
	buf_init(&b, 16u << 20);
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "venue") == 0) {
		struct store *s = NULL;
		int64_t before = argc == 7 ? strtoll(argv[6], NULL, 10) : -1;
		enum status st = store_open(argv[2], STORE_READONLY, &s, &e);
		if (st == ST_OK)
			st = pages_venue(s, argv[3],
					 lang_negotiate(NULL, argv[4]), argv[5],
					 before, &b, &e);
		store_close(s);
		return put(st, &b, &e);
	}
	if (argc == 3 && strcmp(argv[1], "entries") == 0)
		return corpus(argv[2], NULL);
	if (argc == 4 && strcmp(argv[1], "notes") == 0)
		return corpus(argv[3], argv[2]);
	if (argc == 4 && strcmp(argv[1], "sign") == 0)
		return sign(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "index") == 0)
		return put(pages_index(lang_negotiate(NULL, argv[2]), &b, &e),
			   &b, &e);
	if (argc == 4 && strcmp(argv[1], "error") == 0) {
		int64_t code = 0;
		if (!dec_parse(argv[3], &code) || code < 100 || code > 599) {
			fprintf(stderr, "page_driver: %s: not an HTTP status\n",
				argv[3]);
			return 2;
		}
		return put(pages_error(lang_negotiate(NULL, argv[2]), (int)code,
				       "/", NULL, &b, &e),
			   &b, &e);
	}
	if (argc == 3 && (strcmp(argv[1], "asset") == 0 ||
			  strcmp(argv[1], "asset-gzip") == 0)) {
		size_t len = 0;
		const char *mime = NULL;
		const unsigned char *p =
			strcmp(argv[1], "asset") == 0
				? pages_asset(argv[2], &len, &mime)
				: pages_asset_gzip(argv[2], &len);
		if (p == NULL) {
			fprintf(stderr, "page_driver: no %s %s\n", argv[1],
				argv[2]);
			return 1;
		}
		return fwrite(p, 1, len, stdout) == len && fflush(stdout) == 0
			       ? 0
			       : 1;
	}
	fputs("usage: page_driver venue DB VENUE LANG TODAY [BEFORE] | index "
	      "LANG | "
	      "asset[-gzip] NAME | error LANG CODE | entries FILE | notes VKEY "
	      "FILE | sign KEYFILE FILE\n",
	      stderr);
	return 2;
}
