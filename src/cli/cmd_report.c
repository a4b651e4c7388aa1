/*
 * cmd_report.c: `sanilog report URL [--overdue] [--json|--csv]`: every
 * venue of a log, read through its tiles with every rule of the log
 * checked (net/survey.h), one verified line a venue: code, name, address,
 * last sanitization, next due, state.  A log that fails verification
 * prints its failed checks and no venue.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "net/survey.h"
#include "report.h"

static const char report_usage[] =
	"usage: sanilog report [--key VKEY] [--overdue] [--json|--csv] URL\n"
	"\n"
	"Every venue of the log at URL (https://host[/prefix], or a venue\n"
	"URL of it, whose pin is checked) in one line each: its code, name,\n"
	"address, last sanitization, next due date and state (current,\n"
	"overdue, expired, or none: no sanitization on record).  The whole\n"
	"log is read through its tiles and every rule between its entries\n"
	"is checked (chains, attestations, revocations, the tree against\n"
	"the signed checkpoint, the checkpoint seen before); documents are\n"
	"not fetched (verify a venue's URL for that).  A log that fails\n"
	"prints what failed and no venue.\n"
	"\n"
	"  --overdue     only the venues that are not current\n"
	"  --json        a JSON object; --csv: CSV (RFC 4180) with a header\n"
	"  --key VKEY    the log's key (else the one its bundles carry)\n"
	"\n"
	"Exit status: 0 the log verified, 1 it did not, 2 could not check.\n";

enum format { TEXT, JSON, CSV };

static enum report_state state_of(const struct survey_venue *v)
{
	if (!v->has_latest)
		return REPORT_NONE;
	if (v->expired)
		return REPORT_EXPIRED;
	return v->overdue ? REPORT_OVERDUE : REPORT_CURRENT;
}

/* One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR
 * or LF, its quotes doubled.  A field that a spreadsheet would take for
 * a formula (starting with =, +, -, @, tab or CR: a venue's name and
 * address are the owner's words) starts with ' to stay text. */
static void csv_field(FILE *f, const char *s, bool last)
{
	bool quoted = strpbrk(s, ",\"\r\n") != NULL;

	if (quoted)
		fputc('"', f);
	if (*s != 0 && strchr("=+-@\t\r", *s) != NULL)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quoted)
		fputc('"', f);
	fputs(last ? "\r\n" : ",", f);
}

static int print_csv(const struct survey_result *res, bool overdue)
{
	fputs("venue,name,address,last_sanitization,next_due,state\r\n",
	      stdout);
	for (size_t i = 0; i < res->nvenues; i++) {
		const struct survey_venue *v = &res->venues[i];
		enum report_state s = state_of(v);
		if (overdue && s == REPORT_CURRENT)
			continue;
		csv_field(stdout, v->venue, false);
		csv_field(stdout, v->name, false);
		csv_field(stdout, v->address, false);
		csv_field(stdout, v->last, false);
		csv_field(stdout, v->next_due, false);
		csv_field(stdout, report_state_str(s), true);
	}
	return fflush(stdout) == 0 && !ferror(stdout)
		       ? EXIT_GOOD
		       : cli_error("report: stdout: write failed");
}

static int print_json(const struct venue_url *u,
		      const struct survey_result *res, const char *today,
		      bool overdue)
{
	json_t *o = report_checks_json(&res->rep);
	json_t *arr = json_array();
	if (o == NULL || arr == NULL) {
		json_decref(o);
		json_decref(arr);
		return cli_print_json(NULL);
	}
	for (size_t i = 0; res->rep.ok && i < res->nvenues; i++) {
		const struct survey_venue *v = &res->venues[i];
		enum report_state s = state_of(v);
		if (overdue && s == REPORT_CURRENT)
			continue;
		json_array_append_new(
			arr,
			json_pack("{s:s, s:s, s:s, s:i, s:s?, s:s?, s:s}",
				  "venue", v->venue, "name", v->name, "address",
				  v->address, "interval_days", v->interval_days,
				  "last_sanitization",
				  v->has_latest ? v->last : NULL, "next_due",
				  v->next_due[0] ? v->next_due : NULL, "state",
				  report_state_str(s)));
	}
	json_object_set_new(o, "url", json_string(u->base));
	json_object_set_new(o, "origin",
			    res->origin[0] ? json_string(res->origin)
					   : json_null());
	json_object_set_new(o, "tree_size",
			    res->tree_size >= 0
				    ? json_integer((json_int_t)res->tree_size)
				    : json_null());
	json_object_set_new(o, "pinned", json_boolean(res->pinned));
	json_object_set_new(o, "today", json_string(today));
	json_object_set_new(o, "venues", arr);
	int rc = cli_print_json(o);
	return rc != EXIT_GOOD ? rc : res->rep.ok ? EXIT_GOOD : EXIT_NEGATIVE;
}

static void print_text(const struct venue_url *u,
		       const struct survey_result *res, bool overdue)
{
	size_t n[4] = {0};
	printf("%-8s  %-10s  %-10s  %-7s  %s\n", "venue", "last", "next due",
	       "state", "name, address");
	for (size_t i = 0; i < res->nvenues; i++) {
		const struct survey_venue *v = &res->venues[i];
		enum report_state s = state_of(v);
		n[s]++;
		if (overdue && s == REPORT_CURRENT)
			continue;
		printf("%-8s  %-10s  %-10s  %-7s  %s, %s\n", v->venue,
		       v->has_latest ? v->last : "-",
		       v->next_due[0] ? v->next_due : "-", report_state_str(s),
		       v->name, v->address);
	}
	printf("log %s (%s, %lld entries): %zu venues: %zu current, %zu "
	       "overdue, %zu expired, %zu with no sanitization\n",
	       u->base, res->origin, (long long)res->tree_size, res->nvenues,
	       n[REPORT_CURRENT], n[REPORT_OVERDUE], n[REPORT_EXPIRED],
	       n[REPORT_NONE]);
	report_print_checks(stdout, &res->rep);
}

int cmd_report(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"key", required_argument, NULL, 'k'},
		{"overdue", no_argument, NULL, 'o'},
		{"csv", no_argument, NULL, 'c'},
		{0}};
	const char *vkey = NULL;
	bool overdue = false, csv = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 'k':
			vkey = optarg;
			break;
		case 'o':
			overdue = true;
			break;
		case 'c':
			csv = true;
			break;
		case 'h':
			return cli_usage(report_usage, false);
		default:
			return cli_usage(report_usage, true);
		}
	}
	if (argc - optind != 1)
		return cli_usage_args(report_usage, "report", argc, argv,
				      optind, 1);
	if (csv && c->json)
		return cli_usage_why(report_usage,
				     "report: --json or --csv, not both");
	enum format fmt = csv ? CSV : c->json ? JSON : TEXT;

	struct note_verifier key;
	struct venue_url u;
	bool has_venue;
	struct err e = {{0}};
	if (vkey != NULL &&
	    note_verifier_parse(vkey, strlen(vkey), &key, &e) != ST_OK)
		return cli_error("report: --key: %s", e.msg);
	if (survey_parse_url(argv[optind], &u, &has_venue, &e) != ST_OK)
		return cli_error("report: %s: %s", argv[optind], e.msg);

	struct survey_options o = {
		.key = vkey != NULL ? &key : NULL,
		.remember = true,
		.progress = isatty(2),
	};
	cli_today(o.today);
	struct survey_result res;
	enum status st = survey_run(&u, has_venue, &o, &res, &e);
	int rc;
	if (st != ST_OK) {
		rc = cli_error("report: could not check %s: %s", u.base, e.msg);
		goto done;
	}
	if (res.cache_warning[0] != 0)
		cli_error("warning: cannot remember the checkpoint: %s",
			  res.cache_warning);
	if (fmt == JSON) {
		rc = print_json(&u, &res, o.today, overdue);
		goto done;
	}
	if (!res.rep.ok) {
		/* Nothing as verified: what failed, where text goes. */
		report_print_checks(fmt == CSV ? stderr : stdout, &res.rep);
		rc = EXIT_NEGATIVE;
		goto done;
	}
	if (fmt == CSV) {
		rc = print_csv(&res, overdue);
		goto done;
	}
	print_text(&u, &res, overdue);
	rc = EXIT_GOOD;
done:
	survey_result_free(&res);
	return rc;
}
