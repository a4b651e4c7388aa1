/*
 * cmd_cert.c: `sanilog cert add|revoke`: log a venue's document, or revoke
 * a wrong one (it stays in the log, marked revoked).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/codec.h"
#include "core/entry.h"

static const char cert_usage[] =
	"usage: sanilog cert add --venue ID --file DOC --type T --title TEXT\n"
	"                        --performed DATE [--expires DATE]\n"
	"                        [--provider NAME [--attestation FILE]]\n"
	"       sanilog cert revoke --venue ID --seq N --reason TEXT\n"
	"\n"
	"add logs the document (PDF, PNG or JPEG, at most 10 MiB) and prints\n"
	"its index and leaf hash.  Types: sanitization, disinfection,\n"
	"pest-control, hvac, water, protocol, form, other.  With an\n"
	"attestation (from sanilog attest) the provider must be registered.\n"
	"revoke marks the venue's document number N (its venue-seq) revoked.\n"
	"Options: --db PATH, --json, --help.\n";

static bool take(const char *what, const char *v, char *out, size_t outsize)
{
	struct err e;
	if (entry_check_value(what, v, outsize - 1, &e) != ST_OK) {
		cli_error("cert: %s", e.msg);
		return false;
	}
	memcpy(out, v, strlen(v) + 1);
	return true;
}

int cmd_cert(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"venue", required_argument, NULL, 'v'},
		{"file", required_argument, NULL, 'f'},
		{"type", required_argument, NULL, 't'},
		{"title", required_argument, NULL, 'T'},
		{"performed", required_argument, NULL, 'p'},
		{"expires", required_argument, NULL, 'e'},
		{"provider", required_argument, NULL, 'P'},
		{"attestation", required_argument, NULL, 'a'},
		{"seq", required_argument, NULL, 's'},
		{"reason", required_argument, NULL, 'r'},
		{0}};
	if (cli_no_subcommand(argc, argv))
		return cli_usage_why(cert_usage, "cert: add or revoke?");
	const char *sub = argv[1];
	bool add = strcmp(sub, "add") == 0;
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
		return cli_usage(cert_usage, false);
	if (!add && strcmp(sub, "revoke") != 0)
		return cli_usage_why(cert_usage, "cert %s: unknown subcommand",
				     sub);
	argc--;
	argv++;

	struct seq_request *rq = calloc(1, sizeof *rq);
	struct buf doc, att;
	struct err e;
	const char *file = NULL, *att_file = NULL;
	bool has_seq = false, has_reason = false;
	int rc = EXIT_USAGE, ch;
	buf_init(&doc, DOC_MAX_DEFAULT);
	buf_init(&att, 8192);
	if (rq == NULL)
		return cli_error("out of memory");
	struct entry *en = &rq->entry;
	en->kind = add ? ENTRY_DOCUMENT : ENTRY_REVOCATION;
	snprintf(en->submitted_by, sizeof en->submitted_by, "operator");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		bool ok = true;
		switch (ch) {
		case 'v':
			ok = entry_venue_id_valid(optarg);
			if (!ok)
				cli_error("cert: --venue: not a venue id");
			else
				memcpy(en->venue, optarg, VENUE_ID_LEN + 1);
			break;
		case 'f':
			file = optarg;
			break;
		case 't':
			ok = entry_type_valid(optarg);
			if (!ok)
				cli_error("cert: --type: one of sanitization, "
					  "disinfection, pest-control, hvac, "
					  "water, protocol, form, other");
			else
				snprintf(en->type, sizeof en->type, "%s",
					 optarg);
			break;
		case 'T':
			ok = take("--title", optarg, en->title,
				  sizeof en->title);
			break;
		case 'p':
			ok = entry_date_valid(optarg);
			if (!ok)
				cli_error("cert: --performed: not a date "
					  "(YYYY-MM-DD)");
			else
				memcpy(en->performed, optarg, 11);
			break;
		case 'e':
			ok = entry_date_valid(optarg);
			if (!ok)
				cli_error("cert: --expires: not a date "
					  "(YYYY-MM-DD)");
			else
				memcpy(en->expires, optarg, 11);
			break;
		case 'P':
			ok = take("--provider", optarg, en->provider,
				  sizeof en->provider);
			break;
		case 'a':
			att_file = optarg;
			break;
		case 's':
			ok = has_seq = dec_parse(optarg, &en->revokes);
			if (!ok)
				cli_error(
					"cert: --seq: not a venue-seq number");
			break;
		case 'r':
			ok = has_reason = take("--reason", optarg, en->reason,
					       sizeof en->reason);
			break;
		case 'h':
			rc = cli_usage(cert_usage, false);
			goto done;
		default:
			goto usage;
		}
		if (!ok)
			goto done;
	}
	char missing[96] = "";
	cli_need(missing, sizeof missing, en->venue[0] != 0, "--venue");
	if (add) {
		cli_need(missing, sizeof missing, file != NULL, "--file");
		cli_need(missing, sizeof missing, en->type[0] != 0, "--type");
		cli_need(missing, sizeof missing, en->title[0] != 0, "--title");
		cli_need(missing, sizeof missing, en->performed[0] != 0,
			 "--performed");
	} else {
		cli_need(missing, sizeof missing, has_seq, "--seq");
		cli_need(missing, sizeof missing, has_reason, "--reason");
	}
	if (optind != argc) {
		rc = cli_usage_args(cert_usage,
				    add ? "cert add" : "cert revoke", argc,
				    argv, optind, 0);
		goto done;
	}
	if (missing[0] != 0) {
		rc = cli_usage_why(cert_usage, "cert %s: missing%s", sub,
				   missing);
		goto done;
	}
	if (add) {
		if (en->expires[0] != 0 &&
		    strcmp(en->expires, en->performed) < 0) {
			cli_error("cert: --expires is before --performed");
			goto done;
		}
		if (att_file != NULL && en->provider[0] == 0) {
			cli_error("cert: --attestation needs --provider");
			goto done;
		}
		if (cli_read_file(file, DOC_MAX_DEFAULT, &doc, &e) != ST_OK ||
		    (att_file != NULL &&
		     cli_read_file(att_file, 8192, &att, &e) != ST_OK)) {
			cli_error("cert: %s", e.msg);
			goto done;
		}
		rq->doc = doc.data;
		rq->doc_len = doc.len;
		if (att_file != NULL) {
			rq->attestation = buf_str(&att);
			rq->attestation_len = att.len;
		}
	}
	char what[32];
	snprintf(what, sizeof what, "cert %s", sub);
	if (!cli_append_one(c, rq, what))
		goto done;
	char leaf[2 * HASH_LEN + 1], sha[2 * HASH_LEN + 1];
	hex_encode(leaf, rq->leaf, HASH_LEN);
	hex_encode(sha, en->doc_sha256, HASH_LEN);
	if (c->json) {
		rc = cli_print_json(json_pack(
			"{s:s, s:I, s:I, s:s, s:s?}", "venue", en->venue,
			"venue_seq", (json_int_t)en->venue_seq, "index",
			(json_int_t)rq->index, "leaf", leaf, "doc",
			add ? sha : NULL));
	} else {
		printf("%s %s: index %lld, venue-seq %lld, leaf %s\n",
		       add ? "document logged for" : "revocation logged for",
		       en->venue, (long long)rq->index,
		       (long long)en->venue_seq, leaf);
		rc = EXIT_GOOD;
	}
	goto done;
usage:
	rc = cli_usage(cert_usage, true);
done:
	buf_free(&doc);
	buf_free(&att);
	free(rq);
	return rc;
}
