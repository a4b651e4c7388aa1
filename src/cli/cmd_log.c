/*
 * cmd_log.c: reading the log: `sanilog checkpoint`, `entry`, `proof`,
 * `export` (a venue's bundle, and with --docs its documents).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "core/bundle.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/merkle.h"
#include "store/export.h"

static const char log_usage[] =
	"usage: sanilog checkpoint [--size N]\n"
	"       sanilog entry INDEX\n"
	"       sanilog proof inclusion INDEX [--size N]\n"
	"       sanilog proof consistency OLD NEW\n"
	"       sanilog export --venue ID [--size N] [--docs DIR] [-o FILE]\n"
	"\n"
	"checkpoint prints the checkpoint the log serves (the newest, or\n"
	"while the log is witnessed the newest its witnesses' quorum\n"
	"cosigned; or the kept one of size N) byte for byte, with the\n"
	"witnesses' cosignatures; entry an entry's exact bytes; proof the\n"
	"hashes of a proof, one base64 hash a line (inclusion against the\n"
	"checkpoint served unless --size); export the venue's bundle (JSON),\n"
	"and with --docs DIR its documents into DIR (made if need be), each\n"
	"named by its SHA-256, for `sanilog verify --docs DIR`.\n"
	"Options: --db PATH, --json, --help.\n";

struct log_args {
	int64_t size; /* --size, or -1 */
	const char *venue;
	const char *out;
	const char *docs; /* export --docs */
	int first;	  /* index of the first positional argument */
};

static int parse_args(struct cli *c, int argc, char **argv, struct log_args *a)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"size", required_argument, NULL, 's'},
		{"venue", required_argument, NULL, 'v'},
		{"out", required_argument, NULL, 'o'},
		{"docs", required_argument, NULL, 'D'},
		{0}};
	int ch;
	a->size = -1;
	a->venue = NULL;
	a->out = NULL;
	a->docs = NULL;
	a->first = 0;
	optind = 1;
	/* getopt says nothing (the leading ':'): "-1" is a number to these
	 * commands, as said below. */
	while ((ch = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 's':
			if (!dec_parse(optarg, &a->size))
				return cli_error("--size: not a tree size");
			break;
		case 'v':
			a->venue = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'D':
			a->docs = optarg;
			break;
		case 'h':
			return cli_usage(log_usage, false);
		case ':':
			return cli_usage_why(log_usage, "%s: %s needs a value",
					     argv[0], argv[optind - 1]);
		case '?':
			if (optopt >= '0' && optopt <= '9')
				return cli_usage_why(log_usage,
						     "%s: indexes and sizes "
						     "are 0 or more",
						     argv[0]);
			return cli_usage_why(log_usage, "%s: unknown option %s",
					     argv[0], argv[optind - 1]);
		default:
			return cli_usage(log_usage, true);
		}
	}
	a->first = optind;
	return -1;
}

int cmd_checkpoint(struct cli *c, int argc, char **argv)
{
	struct log_args a;
	int rc = parse_args(c, argc, argv, &a);
	if (rc >= 0)
		return rc;
	if (a.first != argc)
		return cli_usage_args(log_usage, "checkpoint", argc, argv,
				      a.first, 0);
	struct store *s = NULL;
	struct buf note;
	struct err e;
	int64_t size = 0;
	if (cli_open_store(c, STORE_READONLY, &s) != ST_OK)
		return EXIT_USAGE;
	buf_init(&note, 1 << 16);
	enum status r = store_checkpoint_served(s, a.size, &note, &size, &e);
	if (r == ST_NOT_FOUND && a.size >= 0)
		rc = cli_error("checkpoint: no kept checkpoint of size %lld",
			       (long long)a.size);
	else if (r != ST_OK)
		rc = cli_error("checkpoint: %s", e.msg);
	else if (c->json)
		rc = cli_print_json(json_pack("{s:I, s:s}", "size",
					      (json_int_t)size, "checkpoint",
					      buf_str(&note)));
	else
		rc = fwrite(note.data, 1, note.len, stdout) == note.len
			     ? EXIT_GOOD
			     : EXIT_USAGE;
	buf_free(&note);
	store_close(s);
	return rc;
}

int cmd_entry(struct cli *c, int argc, char **argv)
{
	struct log_args a;
	int64_t index = 0;
	int rc = parse_args(c, argc, argv, &a);
	if (rc >= 0)
		return rc;
	if (a.first + 1 != argc)
		return cli_usage_args(log_usage, "entry", argc, argv, a.first,
				      1);
	if (!dec_parse(argv[a.first], &index))
		return cli_error("entry: INDEX: not a number");
	struct store *s = NULL;
	struct buf text;
	struct err e;
	if (cli_open_store(c, STORE_READONLY, &s) != ST_OK)
		return EXIT_USAGE;
	buf_init(&text, ENTRY_MAX);
	enum status r = store_entry(s, index, &text, &e);
	if (r == ST_NOT_FOUND)
		rc = cli_error("entry %lld: not in the log", (long long)index);
	else if (r != ST_OK)
		rc = cli_error("entry: %s", e.msg);
	else if (c->json)
		rc = cli_print_json(json_pack("{s:I, s:s}", "index",
					      (json_int_t)index, "entry",
					      buf_str(&text)));
	else
		rc = fwrite(text.data, 1, text.len, stdout) == text.len
			     ? EXIT_GOOD
			     : EXIT_USAGE;
	buf_free(&text);
	store_close(s);
	return rc;
}

static int print_proof(struct cli *c, const uint8_t (*proof)[HASH_LEN],
		       size_t n)
{
	json_t *arr = c->json ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		char b64[64];
		b64_encode(b64, sizeof b64, proof[i], HASH_LEN, B64_STD);
		if (arr != NULL)
			json_array_append_new(arr, json_string(b64));
		else
			printf("%s\n", b64);
	}
	return arr != NULL ? cli_print_json(arr) : EXIT_GOOD;
}

int cmd_proof(struct cli *c, int argc, char **argv)
{
	struct log_args a;
	int rc = parse_args(c, argc, argv, &a);
	if (rc >= 0)
		return rc;
	int n = argc - a.first;
	if (n < 1)
		return cli_usage_why(log_usage,
				     "proof: inclusion or consistency?");
	const char *kind = argv[a.first];
	bool incl = strcmp(kind, "inclusion") == 0;
	if (!incl && strcmp(kind, "consistency") != 0)
		return cli_usage_why(log_usage, "proof %s: unknown kind", kind);
	if (n != (incl ? 2 : 3))
		return cli_usage_args(log_usage,
				      incl ? "proof inclusion"
					   : "proof consistency",
				      argc, argv, a.first + 1, incl ? 1 : 2);
	int64_t x = 0, y = 0;
	if (!dec_parse(argv[a.first + 1], &x) ||
	    (!incl && !dec_parse(argv[a.first + 2], &y)))
		return cli_error("proof: arguments must be numbers");
	struct store *s = NULL;
	if (cli_open_store(c, STORE_READONLY, &s) != ST_OK)
		return EXIT_USAGE;
	int64_t size = 0;
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN];
	size_t plen = 0;
	struct err e = {.msg = ""};
	struct store_reader rd = {s, &e};
	enum status r = store_log_size(s, &size, &e);
	if (r == ST_OK && incl && a.size < 0) {
		/* Against the newest checkpoint, which a verifier holds. */
		struct buf note;
		buf_init(&note, 1 << 16);
		r = store_checkpoint_served(s, -1, &note, &a.size, &e);
		buf_free(&note);
	}
	if (r != ST_OK) {
		rc = cli_error("proof: %s", e.msg);
		goto done;
	}
	if (incl) {
		if (a.size > size || x >= a.size) {
			rc = cli_error("proof: index %lld is not in a tree of "
				       "size %lld (log size %lld)",
				       (long long)x, (long long)a.size,
				       (long long)size);
			goto done;
		}
		r = merkle_prove_inclusion(x, a.size, store_merkle_reader, &rd,
					   proof, &plen);
	} else {
		if (x > y || y > size) {
			rc = cli_error("proof: need OLD <= NEW <= log size "
				       "%lld",
				       (long long)size);
			goto done;
		}
		r = merkle_prove_consistency(x, y, store_merkle_reader, &rd,
					     proof, &plen);
	}
	if (r != ST_OK)
		rc = cli_error("proof: %s", e.msg);
	else
		rc = print_proof(c, (const uint8_t(*)[HASH_LEN])proof, plen);
done:
	store_close(s);
	return rc;
}

/*
 * Writes the document of every document entry of b into dir (made if
 * missing), named by its lowercase hex SHA-256 as /d/<sha256> serves it,
 * each file replaced whole.  On failure e says why; files written before
 * stay.
 */
static enum status export_docs(struct store *s, const struct bundle *b,
			       const char *dir, struct err *e)
{
	struct buf data;
	enum status r = ST_OK;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return err_set(e, ST_IO, "--docs %s: %s", dir, strerror(errno));
	buf_init(&data, 0);
	for (size_t i = 0; r == ST_OK && i < b->nentries; i++) {
		struct entry en;
		char hex[2 * HASH_LEN + 1], path[PATH_MAX], mime[32];
		if (entry_parse(b->entries[i].entry, b->entries[i].entry_len,
				&en, NULL) != ST_OK ||
		    en.kind != ENTRY_DOCUMENT)
			continue;
		hex_encode(hex, en.doc_sha256, HASH_LEN);
		if (snprintf(path, sizeof path, "%s/%s", dir, hex) >=
		    (int)sizeof path) {
			r = err_set(e, ST_INVALID, "--docs %s: path too long",
				    dir);
			break;
		}
		/* A stored document one byte longer than its doc line is
		 * written as it is, for verify to report. */
		buf_reset(&data);
		data.cap = (size_t)en.doc_size + 1;
		r = store_document(s, en.doc_sha256, &data, mime, e);
		if (r != ST_OK)
			err_prefix(e, "document %s", hex);
		else
			r = cli_write_file(path, data.data, data.len, e);
	}
	buf_free(&data);
	return r;
}

int cmd_export(struct cli *c, int argc, char **argv)
{
	struct log_args a;
	int rc = parse_args(c, argc, argv, &a);
	if (rc >= 0)
		return rc;
	if (a.venue == NULL)
		return cli_usage_why(log_usage, "export: missing --venue");
	if (a.first != argc)
		return cli_usage_args(log_usage, "export", argc, argv, a.first,
				      0);
	if (!entry_venue_id_valid(a.venue))
		return cli_error("export: --venue: not a venue id");
	struct store *s = NULL;
	struct bundle *b = NULL;
	struct buf json;
	struct err e = {.msg = "bundle too large"};
	if (cli_open_store(c, STORE_READONLY, &s) != ST_OK)
		return EXIT_USAGE;
	buf_init(&json, BUNDLE_MAX);
	if (export_bundle(s, a.venue, a.size, &b, &e) != ST_OK ||
	    (a.docs != NULL && export_docs(s, b, a.docs, &e) != ST_OK) ||
	    bundle_format(b, &json) != ST_OK ||
	    cli_write_file(a.out, json.data, json.len, &e) != ST_OK)
		rc = cli_error("export: %s", e.msg);
	else
		rc = EXIT_GOOD;
	bundle_free(b);
	buf_free(&json);
	store_close(s);
	return rc;
}
