/*
 * cli.h: what every command of the sanilog command line shares: options
 * common to all (--db, --json, --help), opening the database and the log's
 * signer key, reading files with a cap, messages and exit codes.
 *
 * Exit codes: 0 good, 1 a negative answer (a verification failed), 2 usage
 * or system error.  Messages go to stderr as "sanilog: context: reason".
 */
#ifndef SANILOG_CLI_H
#define SANILOG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <getopt.h>
#include <jansson.h>

#include "base/status.h"
#include "core/buf.h"
#include "core/note.h"
#include "store/sequencer.h"
#include "store/store.h"

/* EXIT_NOT_CURRENT: `verify --require-current` of a record that verified
 * but whose venue is overdue, expired or has no sanitization on record. */
enum { EXIT_GOOD = 0, EXIT_NEGATIVE = 1, EXIT_USAGE = 2, EXIT_NOT_CURRENT = 3 };

struct cli {
	const char *db_path; /* --db, $SANILOG_DB, or ./sanilog.db */
	bool db_given;	  /* --db was given (the witness's default differs) */
	bool json;	  /* --json */
	const char *prog; /* "sanilog venue add" for messages */
};

/* A command: argv[0] is the command's own name. Returns the exit code. */
typedef int (*cli_cmd_fn)(struct cli *c, int argc, char **argv);

/* Long options every command takes; a command's getopt table starts with
 * CLI_COMMON_OPTIONS and hands those codes to cli_common_option. */
#define CLI_OPT_DB   1000
#define CLI_OPT_JSON 1001
#define CLI_COMMON_OPTIONS                                                     \
	{"db", required_argument, NULL, CLI_OPT_DB},                           \
		{"json", no_argument, NULL, CLI_OPT_JSON},                     \
	{                                                                      \
		"help", no_argument, NULL, 'h'                                 \
	}

/* Handles a common option; returns true if ch was one. */
bool cli_common_option(struct cli *c, int ch, const char *arg);

/* Parses a command that takes only the common options and npos
 * positional arguments (from argv[optind] on).  Returns -1 to go on, or
 * the exit code to return (its usage, for --help or a mistake). */
int cli_parse_common(struct cli *c, int argc, char **argv, int npos,
		     const char *usage);

/*
 * The options given before the command (`sanilog --db X venue list`):
 * --db PATH, --db=PATH and --json, as every command takes them after its
 * name.  Sets them in c and returns how many of argv[first..argc) they
 * take; -1 when one is wrong (--db without a path), after saying so.
 */
int cli_global_options(struct cli *c, int argc, char **argv, int first);

/* The name of names[0..n) nearest to name (fewest letters added, removed,
 * changed or swapped), when it is near enough to be a typing slip: at most
 * 2 edits, and fewer than name has letters.  NULL when none is. */
const char *cli_nearest(const char *name, const char *const *names, size_t n);

/* Prints "sanilog: fmt" to stderr. Returns EXIT_USAGE. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "sanilog: fmt" to stderr with code; returns code. */
int cli_fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The exit code for a status: EXIT_GOOD, EXIT_NEGATIVE for
 * ST_BAD_SIGNATURE, else EXIT_USAGE. */
int cli_exit_for(enum status st);

/* Prints the usage text to stdout (help) or stderr (error) and returns
 * the exit code (0 for help, 2 for error). */
int cli_usage(const char *text, bool error);

/* Whether argv[1] is missing, or an option other than --help, where a
 * command wants its subcommand. */
bool cli_no_subcommand(int argc, char **argv);

/* Prints "sanilog: " and why the command line is wrong, then the usage
 * text, to stderr; returns EXIT_USAGE. */
int cli_usage_why(const char *text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends " opt" to the list (of size bytes) unless have: for naming the
 * options a command is missing. */
void cli_need(char *list, size_t size, bool have, const char *opt);

/* The usage error of a command given the wrong number of arguments:
 * argv[first..argc) are its arguments, want of them expected. */
int cli_usage_args(const char *text, const char *cmd, int argc, char **argv,
		   int first, int want);

/* Opens the database (see store_open); on failure prints and returns
 * non-OK. */
enum status cli_open_store(struct cli *c, enum store_mode mode,
			   struct store **out);

/* Path of the log's signer key: "<db>.key" into out (outsize bytes).
 * ST_TOO_LARGE when it does not fit (e says so; out is then untouched). */
enum status cli_key_path(const struct cli *c, char *out, size_t outsize,
			 struct err *e);

/* Reads a secret key file: must be a regular file, not a link, mode 0600
 * or stricter.  *out is new. */
enum status cli_load_signer(const char *path, struct note_signer **out,
			    struct err *e);

/* Writes a secret key file: O_CREAT|O_EXCL|O_NOFOLLOW, 0600; with force an
 * existing file is replaced. */
enum status cli_write_secret(const char *path, const struct note_signer *s,
			     bool force, struct err *e);

/* Opens the store read-write, loads the signer key and makes a sequencer.
 * All three are new (free in reverse order); on failure prints. */
enum status cli_open_log(struct cli *c, struct store **store,
			 struct note_signer **signer, struct sequencer **seq);

/* Opens the log (cli_open_log), appends rq alone and closes the log
 * again.  False, having printed "what: why", when it was not logged. */
bool cli_append_one(struct cli *c, struct seq_request *rq, const char *what);

/* Reads a whole file ("-" for stdin) into out, at most max bytes. */
enum status cli_read_file(const char *path, size_t max, struct buf *out,
			  struct err *e);

/* Writes data to path ("-" or NULL for stdout), replacing it atomically
 * (temporary file, fsync, rename). */
enum status cli_write_file(const char *path, const void *data, size_t len,
			   struct err *e);

/* Today's UTC date (or the date of $SANILOG_NOW) into out (11 bytes). */
void cli_today(char *out);

/* Parses a --interval: seconds from 0.05 to 86400.  False when not. */
bool cli_parse_interval(const char *arg, double *out);

/*
 * A command's --watch: calls run(ctx, first) now and then every interval
 * seconds, until SIGINT or SIGTERM (after which the run under way ends),
 * or until run returns stop_on, which it then returns; else EXIT_GOOD.
 */
int cli_watch(double interval, int (*run)(void *ctx, bool first), void *ctx,
	      int stop_on);

/* Handles the command's own option own[i] with its argument (NULL for
 * one without): returns -1 to go on, or an exit code to stop with,
 * having said why. */
typedef int (*cli_option_fn)(void *ctx, int i, const char *arg);

/*
 * Parses a command line: the common options, the command's own long
 * options (own: their name and has_arg, flag and val unused, ended by a
 * zero entry, at most CLI_OWN_MAX), each handed to fn(ctx, i, optarg) as
 * it comes, then npos positional arguments from argv[optind] on.  Returns
 * -1 to go on, or the exit code to return, having printed the usage (for
 * --help or a mistake: an unknown option, one without its argument, too
 * many or too few arguments) or fn's.
 */
#define CLI_OWN_MAX 12
int cli_parse_own(struct cli *c, int argc, char **argv, const char *usage,
		  const struct option *own, cli_option_fn fn, void *ctx,
		  int npos);

/* The options of a command that writes a tree of the log and can follow
 * it (publish, mirror): --base-url URL, --watch, --interval SECONDS, and
 * the command's own. */
#define CLI_TREE_OWN_MAX 8
struct cli_tree_options {
	const char *base_url; /* NULL when not given */
	bool watch;
	double interval; /* holds the command's default before parsing */
	/* the command's own long options (as cli_parse_own's), at most
	 * CLI_TREE_OWN_MAX */
	const struct option *own;
	/* own[i]'s argument when given ("" for one without), else NULL */
	const char *own_arg[CLI_TREE_OWN_MAX];
	const char *usage; /* set by cli_parse_tree */
};

/*
 * Parses the command line of a command that writes a tree (as
 * cli_parse_own): the common options and those of struct
 * cli_tree_options into t, then npos positional arguments.
 */
int cli_parse_tree(struct cli *c, int argc, char **argv, const char *usage,
		   struct cli_tree_options *t, int npos);

/* Prints a JSON value (indented, keys in order) and a newline to stdout,
 * then frees it (steals v).  A NULL v is out of memory: EXIT_USAGE. */
int cli_print_json(json_t *v);

#endif
