/*
 * cmd_policy.c: `sanilog witness-policy set|show`: the log's witness
 * policy, logged as a witness-policy entry (DESIGN.md "Witnesses"), and
 * the one in force.
 *
 * set checks every argument before it opens the log, so that a refused
 * command logs nothing; the sequencer checks the entry once more, as it
 * checks every entry (entry_format, rules.c).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/codec.h"
#include "core/entry.h"

static const char policy_usage[] =
	"usage: sanilog witness-policy set --quorum K [VKEY URL ...]\n"
	"       sanilog witness-policy show\n"
	"\n"
	"set logs the log's witness policy: each witness by its verifier key\n"
	"(a witness's, algorithm 0x04: `sanilog witness key` prints one) and\n"
	"the URL it answers add-checkpoint at (http:// or https://), 1 to 10\n"
	"witnesses of distinct names and keys, and the quorum K of them (1 to\n"
	"their number) whose cosignatures a checkpoint needs.  It replaces "
	"the\n"
	"policy before it whole; --quorum 0 with no witness ends witnessing.\n"
	"show prints the policy in force (the newest logged).\n"
	"Options: --db PATH, --json, --help.\n";

/* A witness as JSON: its name, verifier key and URL (new). */
static json_t *witness_json(const struct entry_witness *w)
{
	const char *plus = strchr(w->text, '+');
	size_t name_len = plus != NULL ? (size_t)(plus - w->text) : 0;
	return json_pack("{s:s%, s:s, s:s}", "name", w->text, name_len, "vkey",
			 w->text, "url", w->text + w->url);
}

/* The policy of en, logged at index (-1: none), as JSON (new). */
static json_t *policy_json(const struct entry *en, int64_t index)
{
	json_t *ws = json_array();
	for (int i = 0; ws != NULL && i < en->nwitnesses; i++)
		if (json_array_append_new(
			    ws, witness_json(&en->witnesses[i])) != 0) {
			json_decref(ws);
			ws = NULL;
		}
	if (ws == NULL)
		return NULL;
	if (index < 0)
		return json_pack("{s:n, s:i, s:o}", "index", "quorum", 0,
				 "witnesses", ws);
	return json_pack("{s:I, s:s, s:i, s:o}", "index", (json_int_t)index,
			 "logged", en->logged, "quorum", en->quorum,
			 "witnesses", ws);
}

/* The quorum K: a canonical decimal from 0 to ENTRY_WITNESSES_MAX. */
static bool quorum_parse(const char *s, int *out)
{
	int64_t n = 0;
	if (!dec_parse(s, &n) || n > ENTRY_WITNESSES_MAX)
		return false;
	*out = (int)n;
	return true;
}

/* Witness i (from 0) of en from the arguments vkey and url: a witness's
 * key, not a log's, named and keyed unlike those before it, and a URL a
 * policy may name.  Prints why not. */
static bool witness_arg(struct entry *en, int i, const char *vkey,
			const char *url, struct note_verifier *keys)
{
	struct note_verifier *v = &keys[i];
	struct err e;
	if (note_cosigner_parse(vkey, strlen(vkey), v, &e) != ST_OK) {
		struct note_verifier log;
		if (note_verifier_parse(vkey, strlen(vkey), &log, NULL) ==
		    ST_OK)
			cli_error("witness-policy set: witness %d: VKEY %.300s "
				  "is a log's verifier key (algorithm 0x01), "
				  "not a witness's (0x04)",
				  i + 1, vkey);
		else
			cli_error("witness-policy set: witness %d: VKEY: %s",
				  i + 1, e.msg);
		return false;
	}
	for (int j = 0; j < i; j++) {
		const char *same =
			strcmp(keys[j].name, v->name) == 0	       ? "name"
			: memcmp(keys[j].pk, v->pk, sizeof v->pk) == 0 ? "key"
								       : NULL;
		if (same != NULL) {
			cli_error("witness-policy set: witness %d: VKEY %.300s "
				  "has the %s of witness %d",
				  i + 1, vkey, same, j + 1);
			return false;
		}
	}
	if (!entry_witness_url_valid(url)) {
		cli_error("witness-policy set: witness %d: URL %.300s: not "
			  "http:// or https:// and printable ASCII without "
			  "spaces",
			  i + 1, url);
		return false;
	}
	if (!entry_witness_set(&en->witnesses[i], vkey, url)) {
		cli_error("witness-policy set: witness %d: VKEY and URL are "
			  "more than %d bytes together",
			  i + 1, ENTRY_WITNESS_MAX - 1);
		return false;
	}
	return true;
}

static int policy_set(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"quorum", required_argument, NULL, 'q'},
		{0}};
	const char *quorum = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 'q':
			quorum = optarg;
			break;
		case 'h':
			return cli_usage(policy_usage, false);
		default:
			return cli_usage(policy_usage, true);
		}
	}
	if (quorum == NULL)
		return cli_usage_why(policy_usage,
				     "witness-policy set: missing --quorum");
	int nargs = argc - optind, n = nargs / 2;
	if (nargs % 2 != 0)
		return cli_usage_why(policy_usage,
				     "witness-policy set: %d argument%s, not "
				     "VKEY URL pairs (%s has no URL)",
				     nargs, nargs == 1 ? "" : "s",
				     argv[argc - 1]);
	if (n > ENTRY_WITNESSES_MAX)
		return cli_error("witness-policy set: %d witnesses, at most %d",
				 n, ENTRY_WITNESSES_MAX);

	struct seq_request *rq = calloc(1, sizeof *rq);
	struct note_verifier keys[ENTRY_WITNESSES_MAX];
	if (rq == NULL)
		return cli_error("out of memory");
	struct entry *en = &rq->entry;
	int rc = EXIT_USAGE;
	en->kind = ENTRY_WITNESS_POLICY;
	if (!quorum_parse(quorum, &en->quorum)) {
		cli_error("witness-policy set: --quorum %.40s: not a number "
			  "from 0 to %d",
			  quorum, ENTRY_WITNESSES_MAX);
		goto done;
	}
	if (en->quorum == 0 && n > 0) {
		cli_error("witness-policy set: --quorum 0 ends witnessing and "
			  "takes no witness (%d given)",
			  n);
		goto done;
	}
	if (en->quorum > n) {
		cli_error("witness-policy set: --quorum %d is more than the %d "
			  "witness%s given",
			  en->quorum, n, n == 1 ? "" : "es");
		goto done;
	}
	for (int i = 0; i < n; i++)
		if (!witness_arg(en, i, argv[optind + 2 * i],
				 argv[optind + 2 * i + 1], keys))
			goto done;
	en->nwitnesses = n;
	if (!cli_append_one(c, rq, "witness-policy set"))
		goto done;
	if (c->json) {
		rc = cli_print_json(policy_json(en, rq->index));
	} else {
		printf("witness policy: index %lld\n", (long long)rq->index);
		rc = EXIT_GOOD;
	}
done:
	free(rq);
	return rc;
}

static void print_policy(const struct entry *en, int64_t index)
{
	printf("policy    entry %lld, logged %s\n", (long long)index,
	       en->logged);
	if (en->nwitnesses == 0) {
		printf("quorum    0: witnessing ended\n");
		return;
	}
	printf("quorum    %d of %d witness%s\n", en->quorum, en->nwitnesses,
	       en->nwitnesses == 1 ? "" : "es");
	for (int i = 0; i < en->nwitnesses; i++) {
		const struct entry_witness *w = &en->witnesses[i];
		printf("witness   %.*s\n", (int)strcspn(w->text, "+"), w->text);
		printf("  vkey    %s\n", w->text);
		printf("  url     %s\n", w->text + w->url);
	}
}

static int policy_show(struct cli *c, int argc, char **argv)
{
	static char name[] = "witness-policy show"; /* what usage names */
	argv[0] = name;
	int rc = cli_parse_common(c, argc, argv, 0, policy_usage);
	if (rc >= 0)
		return rc;
	struct store *s = NULL;
	struct entry *en = calloc(1, sizeof *en);
	struct buf text;
	struct err e;
	int64_t size = 0, index = -1;
	if (en == NULL)
		return cli_error("out of memory");
	buf_init(&text, ENTRY_MAX);
	rc = EXIT_USAGE;
	if (cli_open_store(c, STORE_READONLY, &s) != ST_OK)
		goto done;
	enum status r = store_log_size(s, &size, &e);
	if (r == ST_OK)
		r = store_policy_newest(s, size, &index, &e);
	if (r == ST_NOT_FOUND) {
		index = -1;
	} else if (r == ST_OK) {
		r = store_entry(s, index, &text, &e);
		if (r == ST_OK &&
		    entry_parse(buf_str(&text), text.len, en, &e) != ST_OK)
			r = ST_CORRUPT;
		if (r == ST_OK && en->kind != ENTRY_WITNESS_POLICY)
			r = err_set(&e, ST_CORRUPT,
				    "filed as one, it is kind %s",
				    entry_kind_str(en->kind));
		if (r != ST_OK)
			err_prefix(&e, "entry %lld", (long long)index);
	}
	if (r != ST_OK && r != ST_NOT_FOUND) {
		cli_error("witness-policy show: %s", e.msg);
		goto done;
	}
	if (c->json) {
		rc = cli_print_json(policy_json(en, index));
		goto done;
	}
	if (index < 0)
		printf("no witness policy\n");
	else
		print_policy(en, index);
	rc = EXIT_GOOD;
done:
	buf_free(&text);
	store_close(s);
	free(en);
	return rc;
}

int cmd_policy(struct cli *c, int argc, char **argv)
{
	if (cli_no_subcommand(argc, argv))
		return cli_usage_why(policy_usage,
				     "witness-policy: set or show?");
	const char *sub = argv[1];
	argc--;
	argv++;
	if (strcmp(sub, "set") == 0)
		return policy_set(c, argc, argv);
	if (strcmp(sub, "show") == 0)
		return policy_show(c, argc, argv);
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
		return cli_usage(policy_usage, false);
	return cli_usage_why(policy_usage,
			     "witness-policy %s: unknown subcommand", sub);
}
