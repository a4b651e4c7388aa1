/*
 * cmd_provider.c: `sanilog provider keygen|add|revoke` (provider keys in the
 * log) and `sanilog attest` (a provider signs an attestation).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/attest.h"
#include "core/codec.h"
#include "core/entry.h"

static const char provider_usage[] =
	"usage: sanilog provider keygen --name NAME --out FILE [--force]\n"
	"       sanilog provider add VKEY --display-name TEXT\n"
	"       sanilog provider revoke NAME [--reason TEXT]\n"
	"\n"
	"keygen makes a provider's own key pair (the secret key file is mode\n"
	"0600) and prints its verifier key, which the operator registers with\n"
	"add.  revoke ends every key of that provider logged before it.\n"
	"Options: --db PATH, --json, --help.\n";

static int provider_keygen(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"name", required_argument, NULL, 'n'},
		{"out", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, 'f'},
		{0}};
	const char *name = NULL, *out = NULL;
	bool force = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			return cli_usage(provider_usage, false);
		default:
			return cli_usage(provider_usage, true);
		}
	}
	if (name == NULL || out == NULL) {
		char missing[32] = "";
		cli_need(missing, sizeof missing, name != NULL, "--name");
		cli_need(missing, sizeof missing, out != NULL, "--out");
		return cli_usage_why(provider_usage,
				     "provider keygen: missing%s", missing);
	}
	if (optind != argc)
		return cli_usage_args(provider_usage, "provider keygen", argc,
				      argv, optind, 0);
	if (!note_name_valid(name, strlen(name)))
		return cli_error("--name: not a valid key name (no spaces, no "
				 "'+')");
	if (strlen(name) > ATTEST_NAME_MAX)
		return cli_error("--name: at most %d bytes", ATTEST_NAME_MAX);
	struct note_signer *s = NULL;
	struct err e;
	if (note_signer_generate(name, &s, &e) != ST_OK ||
	    cli_write_secret(out, s, force, &e) != ST_OK) {
		note_signer_free(s);
		return cli_error("provider keygen: %s", e.msg);
	}
	struct note_verifier v;
	char vkey[NOTE_VKEY_MAX + 1];
	note_signer_verifier(s, &v);
	note_verifier_format(&v, vkey, sizeof vkey);
	note_signer_free(s);
	if (c->json)
		return cli_print_json(json_pack("{s:s, s:s, s:s}", "name", name,
						"key_file", out, "vkey", vkey));
	printf("%s\n", vkey);
	return EXIT_GOOD;
}

/* Logs a provider-key or provider-revoke entry. */
static int provider_log(struct cli *c, int argc, char **argv, bool add)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"display-name", required_argument, NULL, 'd'},
		{"reason", required_argument, NULL, 'r'},
		{0}};
	const char *display = NULL, *reason = "revoked by the operator";
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 'd':
			display = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		case 'h':
			return cli_usage(provider_usage, false);
		default:
			return cli_usage(provider_usage, true);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_args(provider_usage,
				      add ? "provider add" : "provider revoke",
				      argc, argv, optind, 1);
	if (add && display == NULL)
		return cli_usage_why(provider_usage,
				     "provider add: missing --display-name");
	const char *arg = argv[optind];
	struct seq_request *rq = calloc(1, sizeof *rq);
	if (rq == NULL)
		return cli_error("out of memory");
	struct entry *en = &rq->entry;
	struct err e;
	int rc = EXIT_USAGE;
	const char *what = add ? "provider add" : "provider revoke";
	if (add) {
		struct note_verifier v;
		if (note_verifier_parse(arg, strlen(arg), &v, &e) != ST_OK) {
			cli_error("%s: VKEY: %s", what, e.msg);
			goto done;
		}
		if (strlen(v.name) > ATTEST_NAME_MAX) {
			cli_error("%s: provider name over %d bytes", what,
				  ATTEST_NAME_MAX);
			goto done;
		}
		en->kind = ENTRY_PROVIDER_KEY;
		note_verifier_format(&v, en->vkey, sizeof en->vkey);
		snprintf(en->name, sizeof en->name, "%s", v.name);
		if (entry_check_value("--display-name", display,
				      ENTRY_VALUE_MAX, &e) != ST_OK) {
			cli_error("%s: %s", what, e.msg);
			goto done;
		}
		snprintf(en->display_name, sizeof en->display_name, "%s",
			 display);
	} else {
		en->kind = ENTRY_PROVIDER_REVOKE;
		if (!note_name_valid(arg, strlen(arg)) ||
		    entry_check_value("--reason", reason, ENTRY_VALUE_MAX,
				      &e) != ST_OK) {
			cli_error("%s: %s", what,
				  note_name_valid(arg, strlen(arg))
					  ? e.msg
					  : "NAME: not a provider name");
			goto done;
		}
		snprintf(en->name, sizeof en->name, "%s", arg);
		snprintf(en->reason, sizeof en->reason, "%s", reason);
	}
	if (!cli_append_one(c, rq, what))
		goto done;
	char leaf[2 * HASH_LEN + 1];
	hex_encode(leaf, rq->leaf, HASH_LEN);
	if (c->json)
		rc = cli_print_json(json_pack(
			"{s:s, s:I, s:s}", "provider", en->name, "index",
			(json_int_t)rq->index, "leaf", leaf));
	else {
		printf("provider %s %s: index %lld, leaf %s\n", en->name,
		       add ? "key added" : "revoked", (long long)rq->index,
		       leaf);
		rc = EXIT_GOOD;
	}
done:
	free(rq);
	return rc;
}

int cmd_provider(struct cli *c, int argc, char **argv)
{
	if (cli_no_subcommand(argc, argv))
		return cli_usage_why(provider_usage,
				     "provider: keygen, add or revoke?");
	const char *sub = argv[1];
	argc--;
	argv++;
	if (strcmp(sub, "keygen") == 0)
		return provider_keygen(c, argc, argv);
	if (strcmp(sub, "add") == 0)
		return provider_log(c, argc, argv, true);
	if (strcmp(sub, "revoke") == 0)
		return provider_log(c, argc, argv, false);
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
		return cli_usage(provider_usage, false);
	return cli_usage_why(provider_usage, "provider %s: unknown subcommand",
			     sub);
}

static const char attest_usage[] =
	"usage: sanilog attest --key FILE --venue ID --file DOC --type T\n"
	"                      --performed DATE [--expires DATE] [-o OUT]\n"
	"\n"
	"Signs, with the provider's own key, an attestation that the document\n"
	"DOC certifies work of type T performed at venue ID on DATE.  Writes\n"
	"the signed note to OUT (default stdout); the venue owner uploads it\n"
	"with the document.  Needs no database.  With --json, prints what was\n"
	"signed, and the note as \"attestation\" unless -o wrote it.\n";

int cmd_attest(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"key", required_argument, NULL, 'k'},
		{"venue", required_argument, NULL, 'v'},
		{"file", required_argument, NULL, 'f'},
		{"type", required_argument, NULL, 't'},
		{"performed", required_argument, NULL, 'p'},
		{"expires", required_argument, NULL, 'e'},
		{"out", required_argument, NULL, 'o'},
		{0}};
	const char *key = NULL, *venue = NULL, *file = NULL, *type = NULL;
	const char *performed = NULL, *expires = NULL, *out = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 'k':
			key = optarg;
			break;
		case 'v':
			venue = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'p':
			performed = optarg;
			break;
		case 'e':
			expires = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			return cli_usage(attest_usage, false);
		default:
			return cli_usage(attest_usage, true);
		}
	}
	char missing[96] = "";
	cli_need(missing, sizeof missing, key != NULL, "--key");
	cli_need(missing, sizeof missing, venue != NULL, "--venue");
	cli_need(missing, sizeof missing, file != NULL, "--file");
	cli_need(missing, sizeof missing, type != NULL, "--type");
	cli_need(missing, sizeof missing, performed != NULL, "--performed");
	if (missing[0] != 0)
		return cli_usage_why(attest_usage, "attest: missing%s",
				     missing);
	if (optind != argc)
		return cli_usage_args(attest_usage, "attest", argc, argv,
				      optind, 0);
	if (!entry_venue_id_valid(venue))
		return cli_error("attest: --venue: not a venue id");
	if (!entry_type_valid(type))
		return cli_error("attest: --type: one of sanitization, "
				 "disinfection, pest-control, hvac, water, "
				 "protocol, form, other");
	if (!entry_date_valid(performed))
		return cli_error("attest: --performed: not a date "
				 "(YYYY-MM-DD)");
	if (expires != NULL && !entry_date_valid(expires))
		return cli_error("attest: --expires: not a date (YYYY-MM-DD)");
	/* performed is not NULL: cli_need named it in missing, which the
	 * analyzer does not see into. */
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
	if (expires != NULL && strcmp(expires, performed) < 0)
		return cli_error("attest: --expires is before --performed");

	struct buf doc, note;
	struct note_signer *s = NULL;
	struct err e;
	int rc = EXIT_USAGE;
	buf_init(&doc, DOC_MAX_DEFAULT);
	buf_init(&note, 4096);
	if (cli_read_file(file, DOC_MAX_DEFAULT, &doc, &e) != ST_OK) {
		cli_error("attest: %s", e.msg);
		goto done;
	}
	if (entry_sniff_mime(doc.data, doc.len) == NULL) {
		cli_error("attest: %s: not a PDF, PNG or JPEG file", file);
		goto done;
	}
	if (cli_load_signer(key, &s, &e) != ST_OK) {
		cli_error("attest: %s", e.msg);
		goto done;
	}
	struct attest_fields f = {
		.venue = venue,
		.type = type,
		.performed = performed,
		.expires = expires,
	};
	sha256(f.doc, doc.data, doc.len);
	if (attest_sign(s, &f, &note, &e) != ST_OK ||
	    ((out != NULL || !c->json) &&
	     cli_write_file(out, note.data, note.len, &e) != ST_OK)) {
		cli_error("attest: %s", e.msg);
		goto done;
	}
	rc = EXIT_GOOD;
	if (c->json) {
		/* What was signed, and the note itself unless it went to
		 * OUT. */
		struct note_verifier v;
		char hex[2 * HASH_LEN + 1];
		note_signer_verifier(s, &v);
		hex_encode(hex, f.doc, HASH_LEN);
		rc = cli_print_json(json_pack(
			"{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?}", "provider",
			v.name, "venue", venue, "doc", hex, "type", type,
			"performed", performed, "expires", expires,
			"attestation", out == NULL ? buf_str(&note) : NULL));
	}
done:
	note_signer_free(s);
	buf_free(&doc);
	buf_free(&note);
	return rc;
}
