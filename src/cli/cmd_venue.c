/*
 * cmd_venue.c: `sanilog venue add|update|list|show|token`.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "commands.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/verify.h"
#include "report.h"
#include "store/export.h"

static const char venue_usage[] =
	"usage: sanilog venue add --name N --address A [--interval-days D] "
	"[--id ID]\n"
	"       sanilog venue update ID [--name N] [--address A] "
	"[--interval-days D]\n"
	"       sanilog venue list\n"
	"       sanilog venue show ID\n"
	"       sanilog venue token ID --rotate\n"
	"       sanilog venue link ID\n"
	"\n"
	"add prints the new venue's id, its owner token and a one-time "
	"sign-in\n"
	"link (each shown once: the database keeps only their hashes).  "
	"update\n"
	"logs a venue entry with the changed values.  token --rotate replaces\n"
	"the owner token.  link prints a new one-time sign-in link (valid 24\n"
	"hours, once).\n"
	"Options: --db PATH, --json, --help.\n";

#define TOKEN_LEN    STORE_TOKEN_LEN
#define LINK_TTL     (24 * 3600) /* seconds a sign-in link is valid */
#define LINK_PATH    "/owner/login?link="
#define LINK_URL_MAX (512 + sizeof LINK_PATH + STORE_SECRET_B64)

/* A new owner token into tok (TOKEN_LEN+1) and its hash. */
static void new_token(char *tok, uint8_t hash[HASH_LEN])
{
	store_secret_new(STORE_TOKEN_PREFIX, tok, TOKEN_LEN + 1, hash);
}

/*
 * A new one-time sign-in link of venue into url: the stored base URL (or
 * none: a path, to put after the server's address), LINK_PATH and the
 * secret, of which the store keeps only the SHA-256, valid LINK_TTL
 * seconds from the log's clock.  The caller wipes url once printed.
 */
static enum status new_link(struct store *s, const char *venue,
			    char url[LINK_URL_MAX], struct err *e)
{
	char now[21], secret[STORE_SECRET_B64 + 1], base[512] = "";
	uint8_t hash[HASH_LEN];
	enum status r = log_now(now, e);
	if (r != ST_OK)
		return r;
	int64_t t = entry_time_seconds(now);
	if (store_meta_get(s, "base_url", base, sizeof base, NULL) != ST_OK)
		base[0] = 0;
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = 0;
	store_secret_new("", secret, sizeof secret, hash);
	r = store_login_link_add(s, hash, venue, t + LINK_TTL, t, e);
	if (r == ST_OK)
		snprintf(url, LINK_URL_MAX, "%s%s%s", base, LINK_PATH, secret);
	sodium_memzero(secret, sizeof secret);
	return r;
}

static void new_venue_id(char *id)
{
	static const char alphabet[] = VENUE_ALPHABET;
	for (int i = 0; i < VENUE_ID_LEN; i++)
		id[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	id[VENUE_ID_LEN] = 0;
}

/* Checks and copies a value given on the command line. */
static bool take_value(const char *what, const char *v, char *out,
		       size_t outsize)
{
	struct err e;
	if (entry_check_value(what, v, outsize - 1, &e) != ST_OK) {
		cli_error("%s", e.msg);
		return false;
	}
	memcpy(out, v, strlen(v) + 1);
	return true;
}

static bool take_interval(const char *v, int *out)
{
	int64_t d = 0;
	if (!dec_parse(v, &d) || d < 1 || d > INTERVAL_DAYS_MAX) {
		cli_error("--interval-days: a whole number from 1 to %d",
			  INTERVAL_DAYS_MAX);
		return false;
	}
	*out = (int)d;
	return true;
}

/* The venue's newest state and history, through the verifier. */
static enum status venue_report(struct store *s, const char *venue,
				struct verify_report *rep, struct err *e)
{
	struct bundle *b = NULL;
	struct verify_options o = {0};
	memset(rep, 0, sizeof *rep);
	enum status r = export_bundle(s, venue, -1, &b, e);
	if (r != ST_OK)
		return r;
	cli_today(o.today);
	r = verify_bundle(b, &o, rep, e);
	bundle_free(b);
	return r;
}

static int print_logged(struct cli *c, const char *what,
			const struct seq_request *rq, const char *token,
			const char *link)
{
	char leaf[2 * HASH_LEN + 1];
	hex_encode(leaf, rq->leaf, HASH_LEN);
	if (c->json)
		return cli_print_json(
			json_pack("{s:s, s:I, s:I, s:s, s:s?, s:s?}", "venue",
				  rq->entry.venue, "venue_seq",
				  (json_int_t)rq->entry.venue_seq, "index",
				  (json_int_t)rq->index, "leaf", leaf, "token",
				  token, "login_link", link));
	printf("venue %s %s: index %lld, venue-seq %lld, leaf %s\n",
	       rq->entry.venue, what, (long long)rq->index,
	       (long long)rq->entry.venue_seq, leaf);
	if (token != NULL)
		printf("owner token (shown once, keep it safe): %s\n", token);
	if (link != NULL)
		printf("one-time sign-in link (valid 24 hours, once): %s\n",
		       link);
	return EXIT_GOOD;
}

/* Appends one request; prints the failure. */
static enum status append_one(struct sequencer *q, struct seq_request *rq,
			      const char *what)
{
	struct err e;
	enum status r = sequencer_append(q, rq, 1, NULL, &e);
	if (r != ST_OK)
		cli_error("%s: %s", what, e.msg);
	else if (rq->status != ST_OK)
		cli_error("%s: %s", what, rq->err.msg);
	return r != ST_OK ? r : rq->status;
}

static int venue_add_update(struct cli *c, int argc, char **argv, bool add)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"name", required_argument, NULL, 'n'},
		{"address", required_argument, NULL, 'a'},
		{"interval-days", required_argument, NULL, 'i'},
		{"id", required_argument, NULL, 'I'},
		{0}};
	struct seq_request *rq = calloc(1, sizeof *rq);
	struct store *s = NULL;
	struct note_signer *signer = NULL;
	struct sequencer *q = NULL;
	int rc = EXIT_USAGE, ch;
	bool has_name = false, has_addr = false, has_interval = false;
	if (rq == NULL)
		return cli_error("out of memory");
	struct entry *en = &rq->entry;
	en->kind = ENTRY_VENUE;
	en->interval_days = INTERVAL_DAYS_DEFAULT;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 'n':
			if (!take_value("--name", optarg, en->name,
					sizeof en->name))
				goto done;
			has_name = true;
			break;
		case 'a':
			if (!take_value("--address", optarg, en->address,
					sizeof en->address))
				goto done;
			has_addr = true;
			break;
		case 'i':
			if (!take_interval(optarg, &en->interval_days))
				goto done;
			has_interval = true;
			break;
		case 'I':
			if (!add || !entry_venue_id_valid(optarg)) {
				cli_error("--id: 8 characters of %s",
					  VENUE_ALPHABET);
				goto done;
			}
			memcpy(en->venue, optarg, VENUE_ID_LEN + 1);
			break;
		case 'h':
			rc = cli_usage(venue_usage, false);
			goto done;
		default:
			goto usage;
		}
	}
	if (add && (optind != argc || !has_name || !has_addr)) {
		char missing[48] = "";
		cli_need(missing, sizeof missing, has_name, "--name");
		cli_need(missing, sizeof missing, has_addr, "--address");
		rc = missing[0] != 0
			     ? cli_usage_why(venue_usage,
					     "venue add: missing%s", missing)
			     : cli_usage_args(venue_usage, "venue add", argc,
					      argv, optind, 0);
		goto done;
	}
	if (!add) {
		if (optind + 1 != argc) {
			rc = cli_usage_args(venue_usage, "venue update", argc,
					    argv, optind, 1);
			goto done;
		}
		if (!entry_venue_id_valid(argv[optind])) {
			rc = cli_error("%s: not a venue id", argv[optind]);
			goto done;
		}
		if (!has_name && !has_addr && !has_interval) {
			cli_error("venue update: nothing to change");
			goto done;
		}
		memcpy(en->venue, argv[optind], VENUE_ID_LEN + 1);
	}
	if (cli_open_log(c, &s, &signer, &q) != ST_OK)
		goto done;
	if (!add) {
		/* Restate the values that do not change. */
		struct verify_report rep;
		struct err e;
		if (venue_report(s, en->venue, &rep, &e) != ST_OK) {
			cli_error("venue update: %s", e.msg);
			verify_report_free(&rep);
			goto done;
		}
		if (!has_name)
			memcpy(en->name, rep.name, sizeof en->name);
		if (!has_addr)
			memcpy(en->address, rep.address, sizeof en->address);
		if (!has_interval)
			en->interval_days = rep.interval_days;
		bool same = strcmp(en->name, rep.name) == 0 &&
			    strcmp(en->address, rep.address) == 0 &&
			    en->interval_days == rep.interval_days;
		verify_report_free(&rep);
		if (same) {
			cli_error("venue update: nothing to change (the venue "
				  "has these values already)");
			goto done;
		}
	}
	char token[TOKEN_LEN + 1];
	uint8_t token_hash[HASH_LEN];
	if (add) {
		rq->new_venue = true;
		bool given = en->venue[0] != 0;
		for (int tries = 0; !given && tries < 16; tries++) {
			int64_t idx, seq;
			new_venue_id(en->venue);
			if (store_venue_head(s, en->venue, &idx, &seq, NULL) ==
			    ST_NOT_FOUND)
				break;
		}
		new_token(token, token_hash);
	}
	if (append_one(q, rq, add ? "venue add" : "venue update") != ST_OK)
		goto done;
	struct err e;
	if (add && store_token_set(s, en->venue, token_hash, &e) != ST_OK) {
		cli_error("venue add: %s (venue %s is logged; run sanilog "
			  "venue token %s --rotate)",
			  e.msg, en->venue, en->venue);
		goto done;
	}
	char link[LINK_URL_MAX];
	if (add && new_link(s, en->venue, link, &e) != ST_OK) {
		/* The venue and its token are in: the link can be made again
		 * (venue link). */
		cli_error("venue add: sign-in link: %s (run sanilog venue "
			  "link %s)",
			  e.msg, en->venue);
		link[0] = 0;
	}
	rc = print_logged(c, add ? "added" : "updated", rq, add ? token : NULL,
			  add && link[0] != 0 ? link : NULL);
	if (add) {
		sodium_memzero(token, sizeof token);
		sodium_memzero(link, sizeof link);
	}
	goto done;
usage:
	rc = cli_usage(venue_usage, true);
done:
	sequencer_free(q);
	note_signer_free(signer);
	store_close(s);
	free(rq);
	return rc;
}

/* Parses the options of a read-only subcommand; returns -1 to go on. */
static int simple_opts(struct cli *c, int argc, char **argv, int want_args)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, {"rotate", no_argument, NULL, 'r'}, {0}};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg) || ch == 'r')
			continue;
		return cli_usage(venue_usage, ch != 'h');
	}
	if (argc - optind != want_args) {
		char cmd[32];
		snprintf(cmd, sizeof cmd, "venue %s", argv[0]);
		return cli_usage_args(venue_usage, cmd, argc, argv, optind,
				      want_args);
	}
	if (want_args == 1 && !entry_venue_id_valid(argv[optind]))
		return cli_error("%s: not a venue id", argv[optind]);
	return -1;
}

static int venue_show(struct cli *c, int argc, char **argv)
{
	int rc = simple_opts(c, argc, argv, 1);
	if (rc >= 0)
		return rc;
	struct store *s = NULL;
	struct verify_report rep;
	struct err e;
	if (cli_open_store(c, STORE_READONLY, &s) != ST_OK)
		return EXIT_USAGE;
	enum status r = venue_report(s, argv[optind], &rep, &e);
	if (r != ST_OK)
		rc = cli_error("venue show: %s", e.msg);
	else if (c->json)
		rc = cli_print_json(report_json(argv[optind], &rep, false));
	else {
		report_print_venue(stdout, argv[optind], &rep, true);
		rc = EXIT_GOOD;
	}
	verify_report_free(&rep);
	store_close(s);
	return rc;
}

static int venue_list(struct cli *c, int argc, char **argv)
{
	int rc = simple_opts(c, argc, argv, 0);
	if (rc >= 0)
		return rc;
	struct store *s = NULL;
	char **ids = NULL;
	size_t n = 0;
	struct err e;
	if (cli_open_store(c, STORE_READONLY, &s) != ST_OK)
		return EXIT_USAGE;
	if (store_venue_ids(s, &ids, &n, &e) != ST_OK) {
		rc = cli_error("venue list: %s", e.msg);
		goto done;
	}
	json_t *arr = c->json ? json_array() : NULL;
	rc = EXIT_GOOD;
	for (size_t i = 0; i < n; i++) {
		struct verify_report rep;
		if (venue_report(s, ids[i], &rep, &e) != ST_OK) {
			rc = cli_error("venue list: %s: %s", ids[i], e.msg);
			verify_report_free(&rep);
			continue;
		}
		if (arr != NULL) {
			json_array_append_new(arr,
					      report_json(ids[i], &rep, false));
		} else {
			const char *last =
				rep.latest >= 0
					? rep.items[rep.latest].entry.performed
					: "never";
			printf("%s  %-10s %s%s%s\n", ids[i], last, rep.name,
			       rep.overdue ? "  [OVERDUE]" : "",
			       rep.expired ? "  [EXPIRED]" : "");
		}
		verify_report_free(&rep);
	}
	if (arr != NULL)
		rc = cli_print_json(arr) ? EXIT_USAGE : rc;
done:
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	store_close(s);
	return rc;
}

static int venue_token(struct cli *c, int argc, char **argv)
{
	bool rotate = false;
	for (int i = 1; i < argc; i++)
		rotate = rotate || strcmp(argv[i], "--rotate") == 0;
	int rc = simple_opts(c, argc, argv, 1);
	if (rc >= 0)
		return rc;
	if (!rotate)
		return cli_error("venue token: tokens are shown only once; "
				 "use --rotate to make a new one");
	const char *venue = argv[optind];
	struct store *s = NULL;
	if (cli_open_store(c, STORE_OPEN, &s) != ST_OK)
		return EXIT_USAGE;
	int64_t idx, seq;
	if (store_venue_head(s, venue, &idx, &seq, NULL) != ST_OK) {
		rc = cli_error("venue token: %s: not found", venue);
	} else {
		char token[TOKEN_LEN + 1];
		uint8_t hash[HASH_LEN];
		struct err e;
		new_token(token, hash);
		if (store_token_set(s, venue, hash, &e) != ST_OK)
			rc = cli_error("venue token: %s", e.msg);
		else if (c->json)
			rc = cli_print_json(json_pack("{s:s, s:s}", "venue",
						      venue, "token", token));
		else {
			printf("owner token for %s (shown once, keep it "
			       "safe): %s\n",
			       venue, token);
			rc = EXIT_GOOD;
		}
		sodium_memzero(token, sizeof token);
	}
	store_close(s);
	return rc;
}

static int venue_link(struct cli *c, int argc, char **argv)
{
	int rc = simple_opts(c, argc, argv, 1);
	if (rc >= 0)
		return rc;
	const char *venue = argv[optind];
	struct store *s = NULL;
	char link[LINK_URL_MAX];
	struct err e;
	int64_t idx, seq;
	if (cli_open_store(c, STORE_OPEN, &s) != ST_OK)
		return EXIT_USAGE;
	if (store_venue_head(s, venue, &idx, &seq, NULL) != ST_OK)
		rc = cli_error("venue link: %s: not found", venue);
	else if (new_link(s, venue, link, &e) != ST_OK)
		rc = cli_error("venue link: %s", e.msg);
	else if (c->json)
		rc = cli_print_json(json_pack("{s:s, s:s}", "venue", venue,
					      "login_link", link));
	else {
		printf("one-time sign-in link for %s (valid 24 hours, once): "
		       "%s\n",
		       venue, link);
		rc = EXIT_GOOD;
	}
	sodium_memzero(link, sizeof link);
	store_close(s);
	return rc;
}

int cmd_venue(struct cli *c, int argc, char **argv)
{
	if (cli_no_subcommand(argc, argv))
		return cli_usage_why(
			venue_usage,
			"venue: add, update, list, show, token or link?");
	const char *sub = argv[1];
	argc--;
	argv++;
	if (strcmp(sub, "add") == 0)
		return venue_add_update(c, argc, argv, true);
	if (strcmp(sub, "update") == 0)
		return venue_add_update(c, argc, argv, false);
	if (strcmp(sub, "list") == 0)
		return venue_list(c, argc, argv);
	if (strcmp(sub, "show") == 0)
		return venue_show(c, argc, argv);
	if (strcmp(sub, "token") == 0)
		return venue_token(c, argc, argv);
	if (strcmp(sub, "link") == 0)
		return venue_link(c, argc, argv);
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
		return cli_usage(venue_usage, false);
	return cli_usage_why(venue_usage, "venue %s: unknown subcommand", sub);
}
