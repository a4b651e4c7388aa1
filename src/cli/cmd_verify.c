/*
 * cmd_verify.c: `sanilog verify`: the full audit of a database, one venue
 * of it, or a bundle (its documents from a folder, --docs); remembers the
 * newest checkpoint seen per origin.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "commands.h"
#include "core/bundle.h"
#include "core/codec.h"
#include "core/entry.h"
#include "core/merkle.h"
#include "core/verify.h"
#include "net/seen.h"
#include "report.h"
#include "store/audit.h"
#include "store/export.h"

static const char verify_usage[] =
	"usage: sanilog verify [--key VKEY] [--venue ID] [--db PATH]\n"
	"       sanilog verify [--key VKEY] [--docs DIR] BUNDLE.json\n"
	"       sanilog verify [--key VKEY] [--full] URL|IMAGE\n"
	"       (each for a venue also with --require-current, and\n"
	"       --witness VKEY ... [--quorum K])\n"
	"\n"
	"Without a bundle: the full audit of the database (every entry, "
	"stored\n"
	"hash, chain, document, attestation and kept checkpoint), or with\n"
	"--venue the venue's bundle with every proof and document.  With a\n"
	"bundle: DESIGN.md's rules on it, rule 4 (each document's bytes) only\n"
	"with --docs DIR, a folder of the documents named by their lowercase\n"
	"hex SHA-256 (as /d/<sha256> serves them and `sanilog export --docs\n"
	"DIR` writes them).  The newest checkpoint seen per log is\n"
	"remembered in $XDG_CACHE_HOME/sanilog/, and a log that went back or\n"
	"forked since is reported.  --key pins the log key.\n"
	"With a venue URL (https://host/v/<venue>[#k=..&n=..&r=..]) or a\n"
	"photo of its poster: the same rules over HTTP(S), documents\n"
	"included, and the poster's pin of the log; with --full, every\n"
	"entry of the log read through its tiles, to check the tree and\n"
	"that the venue's bundle leaves nothing out.\n"
	"The checkpoint must be countersigned by the quorum of the witnesses\n"
	"of the log's policy in force (rule 10), or, with --witness VKEY\n"
	"(repeatable, a witness's verifier key) and --quorum K (default:\n"
	"all of them), of the witnesses you name.  A log whose policy lost\n"
	"witnesses or lowered its quorum since the checkpoint seen before is\n"
	"reported in a line \"! witness policy changed\".\n"
	"With --require-current, a venue whose record verifies but that is\n"
	"overdue, expired or has no sanitization on record exits 3, and the\n"
	"report's last line says which.\n"
	"Exit status: 0 valid, 1 invalid, 2 could not check (or no such\n"
	"venue), 3 valid but not current (only with --require-current).\n";

/* The remembered checkpoint of origin into out (empty if none or
 * unreadable). */
static void cache_read(const char *origin, struct buf *out)
{
	struct err e;
	if (seen_read(origin, out, &e) != ST_OK)
		buf_reset(out);
}

/* Remembers cp (signed note) if it is newer than what is remembered. */
static void cache_write(const char *origin, const char *note, size_t len,
			const struct note_verifier *key)
{
	struct err e;
	if (seen_write(origin, note, len, key, NULL, &e) != ST_OK)
		cli_error("warning: cannot remember the checkpoint: %s", e.msg);
}

int64_t cmd_verify_now(void)
{
	char now[CLOCK_TIME_LEN + 1];
	if (log_now(now, NULL) != ST_OK)
		return 0;
	return entry_time_seconds(now);
}

/* Rule 10's size seen before: the remembered checkpoint's, when it opens
 * under key; 0 for none. */
static int64_t cache_size(const char *origin, const struct note_verifier *key)
{
	struct buf old;
	struct checkpoint was;
	int64_t n = 0;
	buf_init(&old, 1 << 16);
	cache_read(origin, &old);
	if (key != NULL && old.len > 0 &&
	    checkpoint_open(buf_str(&old), old.len, key, &was, NULL) == ST_OK)
		n = was.size;
	buf_free(&old);
	return n;
}

static void progress(void *ctx, int64_t done, int64_t total)
{
	(void)ctx;
	if (total <= 0)
		return;
	int pct = (int)(done * 100 / total);
	int bar = pct / 4;
	fprintf(stderr, "\raudit [%.*s%*s] %3d%% %lld/%lld entries", bar,
		"#########################", 25 - bar, "", pct, (long long)done,
		(long long)total);
	if (done >= total)
		fputc('\n', stderr);
}

int cmd_verify_exit(const struct verify_report *rep, bool require_current)
{
	if (!rep->ok)
		return EXIT_NEGATIVE;
	if (require_current && report_state_of(rep) != REPORT_CURRENT)
		return EXIT_NOT_CURRENT;
	return EXIT_GOOD;
}

static int finish(struct cli *c, const char *venue,
		  const struct verify_report *rep, bool summary,
		  bool require_current)
{
	if (c->json) {
		/* A whole log's audit has no venue to describe. */
		int rc = cli_print_json(summary ? report_json(venue, rep, true)
						: report_checks_json(rep));
		return rc != EXIT_GOOD ? rc
				       : cmd_verify_exit(rep, require_current);
	}
	if (summary) {
		report_print_venue(stdout, venue, rep, false);
		report_print_history(stdout, rep);
	}
	report_print_checks(stdout, rep);
	if (require_current && rep->ok)
		report_print_current(stdout, rep);
	return cmd_verify_exit(rep, require_current);
}

/*
 * Rule 8 for a bundle: compare its checkpoint with the remembered one.
 * With the log's database (s), the remembered checkpoint must be in its
 * tree; offline, only equal sizes can be compared.  Returns whether the
 * bundle's checkpoint may be remembered in place of the old one: only when
 * nothing was remembered or consistency was shown.
 */
static bool bundle_vs_cache(const struct bundle *b,
			    const struct note_verifier *key, struct store *s,
			    struct verify_report *rep)
{
	struct buf old;
	struct checkpoint was, now;
	uint8_t root[HASH_LEN];
	bool remember = false;
	buf_init(&old, 1 << 16);
	cache_read(b->origin, &old);
	if (old.len == 0) {
		remember = true;
	} else if (checkpoint_open(buf_str(&old), old.len, key, &was, NULL) !=
		   ST_OK) {
		verify_add_check(rep, 8, false, "log key changed",
				 "the checkpoint remembered for origin %s does "
				 "not verify with this log key",
				 b->origin);
	} else if (checkpoint_open(b->checkpoint, strlen(b->checkpoint), key,
				   &now, NULL) != ST_OK) {
		/* Rule 1 has already reported it. */
	} else if (was.size > now.size && s != NULL) {
		verify_add_check(rep, 8, false, "rollback",
				 "a checkpoint of size %lld was seen before; "
				 "this log's newest is size %lld: the log went "
				 "back",
				 (long long)was.size, (long long)now.size);
	} else if (was.size > now.size) {
		verify_add_check(rep, 8, true, "older bundle",
				 "a newer checkpoint (size %lld) was seen "
				 "before; ask the log for a consistency proof",
				 (long long)was.size);
	} else if (was.size == now.size) {
		remember = memcmp(was.root, now.root, HASH_LEN) == 0;
		verify_add_check(rep, 8, remember,
				 remember ? "consistency" : "fork",
				 remember ? "the checkpoint of size %lld seen "
					    "before is this one"
					  : "a checkpoint of size %lld with "
					    "another root was seen before: the "
					    "log forked",
				 (long long)was.size);
	} else if (s != NULL) {
		remember = merkle_tree_hash(was.size, store_merkle_reader,
					    &(struct store_reader){s, NULL},
					    root) == ST_OK &&
			   memcmp(root, was.root, HASH_LEN) == 0;
		verify_add_check(rep, 8, remember,
				 remember ? "consistency" : "fork",
				 remember ? "contains the checkpoint of size "
					    "%lld seen before"
					  : "the checkpoint of size %lld seen "
					    "before is not in this log's tree: "
					    "the log rewrote its history",
				 (long long)was.size);
	} else {
		verify_add_check(
			rep, 8, true, "consistency not proven",
			"a checkpoint of size %lld was seen before and "
			"a bundle carries no consistency proof; the "
			"remembered checkpoint is kept",
			(long long)was.size);
	}
	buf_free(&old);
	return remember;
}

static enum status fetch_from_store(void *ctx, const uint8_t sha[HASH_LEN],
				    struct buf *out, struct err *e)
{
	char mime[32];
	return store_document(ctx, sha, out, mime, e);
}

/*
 * Rule 4 for a bundle file: the document is the file of the folder ctx
 * named by its lowercase hex SHA-256.  ST_NOT_FOUND when there is none;
 * ST_TOO_LARGE, unread, when it is longer than out's cap; anything but a
 * regular file cannot be checked (ST_INVALID).
 */
static enum status fetch_from_dir(void *ctx, const uint8_t sha[HASH_LEN],
				  struct buf *out, struct err *e)
{
	const char *dir = ctx;
	char hex[2 * HASH_LEN + 1], path[PATH_MAX];
	struct stat sb;
	hex_encode(hex, sha, HASH_LEN);
	if (snprintf(path, sizeof path, "%s/%s", dir, hex) >= (int)sizeof path)
		return err_set(e, ST_INVALID, "%s: path too long", dir);
	if (stat(path, &sb) != 0)
		return errno == ENOENT
			       ? err_set(e, ST_NOT_FOUND,
					 "no file of that name in %s", dir)
			       : err_set(e, ST_IO, "%s: %s", path,
					 strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return err_set(e, ST_INVALID, "%s: not a regular file", path);
	if ((uint64_t)sb.st_size > (uint64_t)out->cap)
		return err_set(e, ST_TOO_LARGE, "%s: too large", path);
	return cli_read_file(path, out->cap, out, e);
}

/*
 * Rule 4 when a bundle comes without its documents: a check that says they
 * were not checked and how to check them, put after the checks of rules 1
 * to 4 (verify_bundle leaves them in rule order).
 */
static enum status docs_not_checked(struct verify_report *rep)
{
	size_t ndocs = 0, at = 0;
	for (size_t i = 0; i < rep->nitems; i++)
		if (rep->items[i].entry.kind == ENTRY_DOCUMENT)
			ndocs++;
	enum status r =
		ndocs == 0
			? verify_add_check(rep, 4, true, "documents",
					   "no documents to check")
			: verify_add_check(
				  rep, 4, true, "documents",
				  "%zu document%s not checked: give --docs DIR "
				  "with the files named by their SHA-256 (as "
				  "sanilog export --docs DIR writes them), or "
				  "verify the venue's URL",
				  ndocs, ndocs == 1 ? "" : "s");
	if (r != ST_OK)
		return r;
	struct verify_check added = rep->checks[rep->nchecks - 1];
	while (at + 1 < rep->nchecks && rep->checks[at].rule <= 4)
		at++;
	memmove(&rep->checks[at + 1], &rep->checks[at],
		(rep->nchecks - 1 - at) * sizeof added);
	rep->checks[at] = added;
	return ST_OK;
}

static int verify_bundle_file(struct cli *c, const char *path,
			      const struct note_verifier *key, const char *docs,
			      const struct verify_policy *policy,
			      bool require_current)
{
	struct buf json;
	struct bundle *b = NULL;
	struct verify_report rep;
	struct verify_options o = {.key = key,
				   .all_proofs = true,
				   .policy = policy,
				   .now = cmd_verify_now()};
	struct err e;
	int rc;
	memset(&rep, 0, sizeof rep);
	buf_init(&json, BUNDLE_MAX);
	if (cli_read_file(path, BUNDLE_MAX, &json, &e) != ST_OK) {
		rc = cli_error("verify: %s", e.msg);
		goto done;
	}
	enum status r = bundle_parse(buf_str(&json), json.len, &b, &e);
	if (r != ST_OK) {
		/* A file that is no bundle is a mistake of the command; a
		 * bundle that breaks the rules is a failed verification. */
		rc = cli_fail(r == ST_UNSUPPORTED ? EXIT_USAGE : EXIT_NEGATIVE,
			      "verify: %s: %s", path, e.msg);
		goto done;
	}
	if (docs != NULL) {
		o.fetch = fetch_from_dir;
		o.fetch_ctx = (void *)docs;
	}
	cli_today(o.today);
	struct note_verifier bv;
	const struct note_verifier *k = key;
	if (k == NULL &&
	    note_verifier_parse(b->vkey, strlen(b->vkey), &bv, NULL) == ST_OK)
		k = &bv;
	o.since = cache_size(b->origin, k);
	if (verify_bundle(b, &o, &rep, &e) != ST_OK) {
		rc = cli_error("verify: %s", e.msg);
		goto done;
	}
	if (docs == NULL && docs_not_checked(&rep) != ST_OK) {
		rc = cli_error("verify: out of memory");
		goto done;
	}
	bool remember = k != NULL && bundle_vs_cache(b, k, NULL, &rep);
	verify_report_sort(&rep); /* rule 8 after 7, before 10 */
	rc = finish(c, b->venue, &rep, true, require_current);
	if ((rc == EXIT_GOOD || rc == EXIT_NOT_CURRENT) && remember)
		cache_write(b->origin, b->checkpoint, strlen(b->checkpoint), k);
done:
	verify_report_free(&rep);
	bundle_free(b);
	buf_free(&json);
	return rc;
}

static int verify_db(struct cli *c, const char *venue,
		     const struct note_verifier *pinned,
		     const struct verify_policy *policy, bool require_current)
{
	struct store *s = NULL;
	struct verify_report rep;
	struct err e;
	struct note_verifier key;
	char vkey[NOTE_VKEY_MAX + 1], origin[NOTE_NAME_MAX + 1];
	struct buf seen;
	int rc = EXIT_USAGE;
	memset(&rep, 0, sizeof rep);
	buf_init(&seen, 1 << 16);
	if (cli_open_store(c, STORE_READONLY, &s) != ST_OK)
		return EXIT_USAGE;
	if (store_meta_get(s, "vkey", vkey, sizeof vkey, &e) != ST_OK ||
	    store_meta_get(s, "origin", origin, sizeof origin, &e) != ST_OK) {
		rc = cli_error("verify: %s", e.msg);
		goto done;
	}
	if (note_verifier_parse(vkey, strlen(vkey), &key, &e) != ST_OK) {
		rc = cli_fail(EXIT_NEGATIVE, "verify: stored log key: %s",
			      e.msg);
		goto done;
	}
	if (pinned != NULL) {
		if (strcmp(pinned->name, key.name) != 0 ||
		    memcmp(pinned->pk, key.pk, sizeof key.pk) != 0) {
			rc = cli_fail(EXIT_NEGATIVE,
				      "verify: the database's log key is not "
				      "the pinned key");
			goto done;
		}
	}
	cache_read(origin, &seen);
	if (venue != NULL) {
		struct bundle *b = NULL;
		struct verify_options o = {.key = &key,
					   .all_proofs = true,
					   .fetch = fetch_from_store,
					   .fetch_ctx = s,
					   .policy = policy,
					   .now = cmd_verify_now(),
					   .since = cache_size(origin, &key)};
		cli_today(o.today);
		enum status xr = export_bundle(s, venue, -1, &b, &e);
		if (xr == ST_NOT_FOUND) {
			rc = cli_error("verify: venue not found: %s (%s)",
				       venue, e.msg);
			goto done;
		}
		if (xr != ST_OK || verify_bundle(b, &o, &rep, &e) != ST_OK) {
			rc = cli_error("verify: %s", e.msg);
			bundle_free(b);
			goto done;
		}
		bool remember = bundle_vs_cache(b, &key, s, &rep);
		verify_report_sort(&rep); /* rule 8 after 7, before 10 */
		rc = finish(c, venue, &rep, true, require_current);
		if ((rc == EXIT_GOOD || rc == EXIT_NOT_CURRENT) && remember)
			cache_write(origin, b->checkpoint,
				    strlen(b->checkpoint), &key);
		bundle_free(b);
		goto done;
	}
	struct audit_options o = {
		.key = &key,
		.seen = seen.len > 0 ? buf_str(&seen) : NULL,
		.seen_len = seen.len,
		.progress = isatty(2) && !c->json ? progress : NULL,
	};
	struct audit_result res;
	struct store *docs = NULL;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o.threads = ncpu > 1 ? (int)ncpu : 0;
	if (store_open(c->db_path, STORE_READONLY, &docs, &e) == ST_OK)
		o.docs = docs;
	enum status ar = audit_store(s, &o, &rep, &res, &e);
	store_close(docs);
	if (ar != ST_OK) {
		rc = cli_error("verify: %s", e.msg);
		goto done;
	}
	if (c->json) {
		rc = finish(c, "", &rep, false, false);
	} else {
		printf("log %s: %lld entries, %lld venues, %lld documents, "
		       "%lld attestations, %lld checkpoints\n",
		       origin, (long long)res.entries, (long long)res.venues,
		       (long long)res.documents, (long long)res.attestations,
		       (long long)res.checkpoints);
		rc = finish(c, "", &rep, false, false);
	}
	if (rc == EXIT_GOOD) {
		struct buf note;
		buf_init(&note, 1 << 16);
		if (store_checkpoint(s, -1, &note, NULL, NULL) == ST_OK)
			cache_write(origin, buf_str(&note), note.len, &key);
		buf_free(&note);
	}
done:
	verify_report_free(&rep);
	buf_free(&seen);
	store_close(s);
	return rc;
}

/*
 * Rule 10: the inspector's own policy from --witness (each a witness's
 * verifier key, at most ENTRY_WITNESSES_MAX, no name twice) and --quorum
 * (a canonical decimal from 1 to their number; default all of them).
 * EXIT_USAGE, with the reason printed, for anything else.
 */
static int parse_policy(const char *const *vkeys, int n, const char *quorum,
			struct verify_policy *out)
{
	struct err e;
	memset(out, 0, sizeof *out);
	if (n == 0)
		return cli_usage_why(verify_usage,
				     "verify: --quorum needs the witnesses "
				     "(--witness VKEY)");
	if (n > ENTRY_WITNESSES_MAX)
		return cli_usage_why(verify_usage,
				     "verify: more than %d --witness",
				     ENTRY_WITNESSES_MAX);
	for (int i = 0; i < n; i++) {
		struct note_verifier *w = &out->witnesses[i];
		const char *vk = vkeys[i] != NULL ? vkeys[i] : "";
		if (note_cosigner_parse(vk, strlen(vk), w, &e) != ST_OK)
			return cli_usage_why(verify_usage,
					     "verify: --witness %s: not a "
					     "witness's verifier key: %s",
					     vk, e.msg);
		for (int k = 0; k < i; k++)
			if (strcmp(out->witnesses[k].name, w->name) == 0)
				return cli_usage_why(
					verify_usage,
					"verify: --witness: two witnesses "
					"named %s",
					w->name);
	}
	out->nwitnesses = n;
	out->quorum = n;
	if (quorum != NULL) {
		char *end = NULL;
		errno = 0;
		long k = strtol(quorum, &end, 10);
		if (quorum[0] < '1' || quorum[0] > '9' || errno != 0 ||
		    *end != 0 || k < 1 || k > n)
			return cli_usage_why(
				verify_usage,
				"verify: --quorum %s: not a number "
				"from 1 to the %d witness%s",
				quorum, n, n == 1 ? "" : "es");
		out->quorum = (int)k;
	}
	return EXIT_GOOD;
}

int cmd_verify(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"key", required_argument, NULL, 'k'},
		{"venue", required_argument, NULL, 'v'},
		{"full", no_argument, NULL, 'F'},
		{"docs", required_argument, NULL, 'D'},
		{"require-current", no_argument, NULL, 'C'},
		{"witness", required_argument, NULL, 'W'},
		{"quorum", required_argument, NULL, 'Q'},
		{0}};
	const char *vkey = NULL, *venue = NULL, *docs = NULL, *quorum = NULL;
	const char *witnesses[ENTRY_WITNESSES_MAX + 1];
	int nwitnesses = 0;
	bool full = false, require_current = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 'k':
			vkey = optarg;
			break;
		case 'v':
			venue = optarg;
			break;
		case 'F':
			full = true;
			break;
		case 'D':
			docs = optarg;
			break;
		case 'C':
			require_current = true;
			break;
		case 'W':
			if (nwitnesses > ENTRY_WITNESSES_MAX)
				break; /* refused below */
			witnesses[nwitnesses++] = optarg;
			break;
		case 'Q':
			quorum = optarg;
			break;
		case 'h':
			return cli_usage(verify_usage, false);
		default:
			return cli_usage(verify_usage, true);
		}
	}
	if (argc - optind > 1)
		return cli_usage_args(verify_usage, "verify", argc, argv,
				      optind, 1);
	if (venue != NULL && argc - optind == 1)
		return cli_usage_why(verify_usage,
				     "verify: --venue is for a database, not "
				     "with %s",
				     argv[optind]);
	if (docs != NULL &&
	    (argc - optind != 1 || cmd_verify_is_remote(argv[optind])))
		return cli_usage_why(verify_usage,
				     "verify: --docs is for a bundle file, not "
				     "%s",
				     argc - optind == 1 ? argv[optind]
							: "a database");
	if (require_current && venue == NULL && argc - optind == 0)
		return cli_usage_why(
			verify_usage,
			"verify: --require-current is for a venue "
			"(--venue ID, a bundle, a URL or an image), "
			"not the whole database");
	struct verify_policy policy;
	if ((nwitnesses > 0 || quorum != NULL) && venue == NULL &&
	    argc - optind == 0)
		return cli_usage_why(verify_usage,
				     "verify: --witness and --quorum are for a "
				     "venue (--venue ID, a bundle, a URL or an "
				     "image), not the whole database");
	if ((nwitnesses > 0 || quorum != NULL) &&
	    parse_policy(witnesses, nwitnesses, quorum, &policy) != EXIT_GOOD)
		return EXIT_USAGE;
	const struct verify_policy *pol = nwitnesses > 0 ? &policy : NULL;
	if (argc - optind == 1 && cmd_verify_is_remote(argv[optind]))
		return cmd_verify_remote(c, argv[optind], vkey, pol, full,
					 require_current);
	if (argc - optind == 1 && cmd_verify_url_like(argv[optind]))
		return cli_error("verify: %s: a malformed URL (a venue URL is "
				 "https://host/v/<venue>; only http:// and "
				 "https:// are fetched)",
				 argv[optind]);
	if (full)
		return cli_error("verify: --full needs a venue URL or a photo "
				 "of a poster");
	if (venue != NULL && !entry_venue_id_valid(venue))
		return cli_error("verify: --venue: not a venue id");
	struct note_verifier key;
	struct err e;
	if (vkey != NULL &&
	    note_verifier_parse(vkey, strlen(vkey), &key, &e) != ST_OK)
		return cli_error("verify: --key: %s", e.msg);
	struct stat sb;
	if (docs != NULL && stat(docs, &sb) != 0)
		return cli_error("verify: --docs %s: %s", docs,
				 strerror(errno));
	if (docs != NULL && !S_ISDIR(sb.st_mode))
		return cli_error("verify: --docs %s: not a folder", docs);
	if (argc - optind == 1)
		return verify_bundle_file(c, argv[optind],
					  vkey != NULL ? &key : NULL, docs, pol,
					  require_current);
	return verify_db(c, venue, vkey != NULL ? &key : NULL, pol,
			 require_current);
}
