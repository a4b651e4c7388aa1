/*
 * main.c: the sanilog command line: finds the command and runs it.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"

#define SANILOG_VERSION "0.1.0"

static const char usage_text[] =
	"usage: sanilog COMMAND [OPTIONS]\n"
	"\n"
	"A signed, append-only log of sanitization certificates.\n"
	"\n"
	"Operator (on the server):\n"
	"  init [--origin NAME] [--force]      new database and log key\n"
	"  key                                 print the log's verifier key\n"
	"  upgrade                             upgrade an older database\n"
	"  gc [--dry-run]                      remove orphan document files\n"
	"  venue add|list|show|update|token    register and manage venues\n"
	"  provider keygen|add|revoke          sanitization providers' keys\n"
	"  witness-policy set|show             the log's witnesses, quorum\n"
	"  cert add|revoke                     log a document, revoke one\n"
	"  poster VENUE [--format F] [-o FILE] a venue's QR poster\n"
	"  serve [--listen ADDR:PORT]          the web service and owner API\n"
	"  publish DIR [--watch]               the log as static files\n"
	"Provider:\n"
	"  attest --key FILE --venue ID --file DOC ...   sign an attestation\n"
	"Anyone:\n"
	"  checkpoint [--size N]               the signed checkpoint\n"
	"  entry INDEX                         an entry's exact bytes\n"
	"  proof inclusion INDEX [--size N]    inclusion proof\n"
	"  proof consistency OLD NEW           consistency proof\n"
	"  export --venue ID [--docs DIR]      the venue bundle (JSON), docs\n"
	"  verify [--venue ID] [BUNDLE.json]   audit the log or a bundle\n"
	"  verify --docs DIR BUNDLE.json       a bundle and its documents\n"
	"  verify URL|IMAGE [--full]           check a venue over HTTP(S)\n"
	"  verify ... --require-current        and exit 3 if it is not "
	"current\n"
	"  report URL [--overdue] [--csv]      every venue of a log, verified\n"
	"  scan IMAGE                          the text of a photo's QR code\n"
	"  witness init|key|log|serve|evidence countersign logs' checkpoints\n"
	"  mirror URL DIR [--vkey VKEY]        a verified copy of a log\n"
	"\n"
	"Every command takes --db PATH (default $SANILOG_DB or ./sanilog.db),\n"
	"--json where it prints data, and --help; --db and --json may also\n"
	"come before the command.  sanilog --version prints the version.\n"
	"Exit status: 0 good, 1 verification failed,\n"
	"2 usage or system error (or no such venue), 3 verified but not\n"
	"current (verify --require-current).\n";

static const struct {
	const char *name;
	cli_cmd_fn fn;
} commands[] = {
	{"init", cmd_init},
	{"key", cmd_key},
	{"upgrade", cmd_upgrade},
	{"venue", cmd_venue},
	{"provider", cmd_provider},
	{"attest", cmd_attest},
	{"cert", cmd_cert},
	{"checkpoint", cmd_checkpoint},
	{"entry", cmd_entry},
	{"proof", cmd_proof},
	{"export", cmd_export},
	{"verify", cmd_verify},
	{"serve", cmd_serve},
	{"poster", cmd_poster},
	{"scan", cmd_scan},
	{"report", cmd_report},
	{"witness", cmd_witness},
	{"witness-policy", cmd_policy},
	{"publish", cmd_publish},
	{"mirror", cmd_mirror},
	{"gc", cmd_gc},
};

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fputs("sanilog: libsodium: cannot initialise\n", stderr);
		return EXIT_USAGE;
	}
	struct cli c = {
		.db_path = getenv("SANILOG_DB"),
		.json = false,
	};
	if (c.db_path == NULL || c.db_path[0] == 0)
		c.db_path = "sanilog.db";
	/* Options before the command are the command's own. */
	int skip = cli_global_options(&c, argc, argv, 1);
	if (skip < 0)
		return EXIT_USAGE;
	argv += skip;
	argc -= skip;
	if (argc < 2)
		return cli_usage(usage_text, true);
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("sanilog %s\n", SANILOG_VERSION);
		return EXIT_SUCCESS;
	}
	char *help_args[] = {NULL, "--help", NULL};
	if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 ||
	    strcmp(name, "-h") == 0) {
		if (argc > 2 && strcmp(name, "help") == 0) {
			/* "sanilog help venue" is "sanilog venue --help" */
			help_args[0] = argv[2];
			argv = help_args;
			argc = 2;
			name = argv[0];
			goto dispatch;
		}
		return cli_usage(usage_text, false);
	}
	argv++;
	argc--;
dispatch:;
	c.prog = name;
	const char *names[sizeof commands / sizeof commands[0]];
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(name, commands[i].name) == 0)
			return commands[i].fn(&c, argc, argv);
		names[i] = commands[i].name;
	}
	const char *near =
		cli_nearest(name, names, sizeof names / sizeof *names);
	if (near != NULL)
		fprintf(stderr,
			"sanilog: unknown command '%s'; did you mean '%s'?\n",
			name, near);
	else
		fprintf(stderr,
			"sanilog: unknown command '%s' (see sanilog help)\n",
			name);
	return EXIT_USAGE;
}
